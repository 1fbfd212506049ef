#!/usr/bin/env bash
# Adds a migration with the given name to both providers' migration sets.
set -euo pipefail
cd "$(dirname "$0")/.."
name=${1:?usage: scripts/add-migration.sh Name}
dotnet tool restore >/dev/null
for provider in Sqlite Postgres; do
  dotnet ef migrations add "$name" --project src/Portier.Server --context "${provider}PortierDbContext" \
    --output-dir "Infrastructure/Persistence/Migrations/$provider"
done
