#!/usr/bin/env bash
# Makes a consistent backup of a Portier installation while it serves: the database (SQLite through
# its online backup API, PostgreSQL with pg_dump in custom format, both one consistent snapshot) and
# the key files in the data folder that PINs and signed passes depend on.
#
#   set -a; . /etc/portier/portier.env; set +a
#   scripts/backup.sh /var/backups/portier/$(date -u +%Y%m%dT%H%M%SZ)
#
# Reads the server's settings from the environment: Database__Provider, Database__DataFolder,
# Database__ConnectionString. The output folder must not exist yet; it is written with mode 700.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=store-settings.sh
. "$here/store-settings.sh"

[ $# -eq 1 ] || { echo "usage: $0 OUTPUT_FOLDER" >&2; exit 2; }
out=$1
if [ -e "$out" ]; then echo "$out already exists; a backup goes into a new folder." >&2; exit 2; fi
umask 077
mkdir -p "$out/keys"

# The database first, the keys after: a key is created before the first secret made under it, so
# every secret in the dump has its key on disk by the time the keys are copied.
case "$STORE_PROVIDER" in
  sqlite)
    [ -f "$STORE_SQLITE_FILE" ] || { echo "No SQLite database at $STORE_SQLITE_FILE." >&2; exit 1; }
    # .backup copies pages under SQLite's own locking, so writers may go on; the copy is one snapshot.
    sqlite3 "$STORE_SQLITE_FILE" ".timeout 10000" ".backup '$out/portier.db'"
    [ "$(sqlite3 "$out/portier.db" 'PRAGMA integrity_check')" = ok ] || { echo "The copy fails SQLite's integrity check." >&2; exit 1; }
    database=portier.db
    ;;
  postgres)
    # One transaction snapshot (repeatable read) for the whole dump, without blocking the nodes.
    "$(pg_tool pg_dump)" --format=custom --no-owner --no-privileges --file="$out/portier.pgdump"
    database=portier.pgdump
    ;;
esac

keys=0
while IFS= read -r key; do
  [ -n "$key" ] || continue
  cp -p "$key" "$out/keys/"
  keys=$((keys + 1))
done < <(key_files "$STORE_DATA_FOLDER")

configured=$(env | grep -o '^Secrets__[A-Za-z]*' | sort | tr '\n' ' ' || true)
{
  echo "provider=$STORE_PROVIDER"
  echo "database=$database"
  echo "created=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "keys=$keys"
  if [ -n "$configured" ]; then echo "keys_in_environment=$configured"; fi
} > "$out/manifest"
(cd "$out" && find . -type f ! -name SHA256SUMS -printf '%P\n' | sort | xargs sha256sum > SHA256SUMS)

echo "Backed up the $STORE_PROVIDER database and $keys key file(s) to $out"
if [ -n "$configured" ]; then
  echo "Note: $configured are set in the environment, not in the data folder: keep the environment file with this backup." >&2
fi
