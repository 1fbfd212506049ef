#!/usr/bin/env bash
# Restores a backup made by backup.sh into a fresh place: an empty data folder (SQLite) or an empty
# PostgreSQL database, plus the key files. Start the server on it afterwards; it applies any newer
# migrations itself.
#
#   set -a; . /etc/portier/portier.env; set +a
#   scripts/restore.sh /var/backups/portier/20261207T030000Z
#
# Reads the target from the same settings the server reads: Database__Provider,
# Database__DataFolder, Database__ConnectionString. Refuses a target that already holds a database
# or key files, so a restore never mixes two installations.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=store-settings.sh
. "$here/store-settings.sh"

[ $# -eq 1 ] || { echo "usage: $0 BACKUP_FOLDER" >&2; exit 2; }
backup=$1
[ -f "$backup/manifest" ] || { echo "$backup has no manifest: not a Portier backup." >&2; exit 2; }
(cd "$backup" && sha256sum --quiet -c SHA256SUMS) || { echo "$backup does not match its checksums." >&2; exit 1; }
provider=$(sed -n 's/^provider=//p' "$backup/manifest")
[ "$provider" = "$STORE_PROVIDER" ] || { echo "The backup is of a $provider database; Database__Provider is $STORE_PROVIDER." >&2; exit 2; }

umask 077
mkdir -p "$STORE_DATA_FOLDER"
if [ -n "$(key_files "$STORE_DATA_FOLDER")" ]; then
  echo "$STORE_DATA_FOLDER already holds key files; restore into an empty data folder." >&2; exit 2
fi

case "$STORE_PROVIDER" in
  sqlite)
    if [ -e "$STORE_SQLITE_FILE" ]; then echo "$STORE_SQLITE_FILE already exists; restore into a fresh place." >&2; exit 2; fi
    mkdir -p "$(dirname "$STORE_SQLITE_FILE")"
    cp "$backup/portier.db" "$STORE_SQLITE_FILE"
    ;;
  postgres)
    tables=$("$(pg_tool psql)" -XAtq -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
    [ "$tables" = 0 ] || { echo "Database $PGDATABASE already has tables; restore into an empty database." >&2; exit 2; }
    "$(pg_tool pg_restore)" --no-owner --no-privileges --exit-on-error --single-transaction --dbname="$PGDATABASE" "$backup/portier.pgdump"
    ;;
esac

for key in "$backup"/keys/*.key; do
  [ -e "$key" ] || continue
  cp "$key" "$STORE_DATA_FOLDER/"
  chmod 600 "$STORE_DATA_FOLDER/$(basename "$key")"
done
echo "Restored the $STORE_PROVIDER database and $(sed -n 's/^keys=//p' "$backup/manifest") key file(s) from $backup"
if grep -q '^keys_in_environment=' "$backup/manifest"; then
  echo "Note: the backed-up server had $(sed -n 's/^keys_in_environment=//p' "$backup/manifest")set in its environment: set the same values here." >&2
fi
