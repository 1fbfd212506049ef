# Sourced by backup.sh and restore.sh: reads the server's own database settings from the
# environment (the same variables the server reads, e.g. from /etc/portier/portier.env) and
# sets STORE_PROVIDER, STORE_DATA_FOLDER, STORE_SQLITE_FILE and, for PostgreSQL, the libpq
# variables PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE for pg_dump / pg_restore.

STORE_PROVIDER=$(printf '%s' "${Database__Provider:-Sqlite}" | tr '[:upper:]' '[:lower:]')
STORE_DATA_FOLDER=${Database__DataFolder:-data}

# Npgsql and Microsoft.Data.Sqlite connection strings: "Key=value;Key=value", keys in any case.
connection_value() {
  local wanted=$1 pair key
  local IFS=';'
  for pair in ${Database__ConnectionString:-}; do
    key=$(printf '%s' "${pair%%=*}" | tr '[:upper:]' '[:lower:]' | tr -d ' ')
    for name in "${@:2}" "$wanted"; do
      if [ "$key" = "$name" ]; then printf '%s' "${pair#*=}"; return 0; fi
    done
  done
  return 0
}

case "$STORE_PROVIDER" in
  sqlite)
    STORE_SQLITE_FILE=$(connection_value "data source" "datasource" "filename")
    STORE_SQLITE_FILE=${STORE_SQLITE_FILE:-$STORE_DATA_FOLDER/portier.db}
    ;;
  postgres)
    [ -n "${Database__ConnectionString:-}" ] || { echo "Database__ConnectionString is not set (Database__Provider=Postgres)." >&2; exit 2; }
    export PGHOST PGPORT PGUSER PGDATABASE
    PGHOST=$(connection_value host server); PGHOST=${PGHOST:-localhost}
    PGPORT=$(connection_value port); PGPORT=${PGPORT:-5432}
    PGUSER=$(connection_value username "user id" userid user)
    PGDATABASE=$(connection_value database db)
    password=$(connection_value password pwd)
    if [ -n "$password" ]; then export PGPASSWORD=$password; fi
    ;;
  *) echo "Database__Provider is '$STORE_PROVIDER'; expected Sqlite or Postgres." >&2; exit 2 ;;
esac

# pg_dump must be at least the server's major version: the newest client installed, unless PG_BIN names one.
pg_tool() {
  local tool=$1 dir
  if [ -n "${PG_BIN:-}" ]; then printf '%s/%s' "$PG_BIN" "$tool"; return; fi
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -n "$dir" ] && [ -x "$dir/$tool" ]; then printf '%s/%s' "$dir" "$tool"; else command -v "$tool"; fi
}

# The secrets kept beside the database (PIN pepper, QR signing key, bundle secret, channel inbound
# key): without them a restored database cannot check a PIN or a signed pass.
key_files() { find "$1" -maxdepth 1 -type f -name '*.key' 2>/dev/null | sort; }
