#!/usr/bin/env bash
# Publishes Portier.Server as one self-contained folder for linux-x64 (no .NET install needed on
# the target), then starts the published binary on a throwaway data folder and checks that it
# answers its health endpoint before calling the folder good.
#
#   bash deploy/publish.sh [OUTPUT]        default OUTPUT: artifacts/portier-linux-x64
#   PORTIER_PUBLISH_NO_CHECK=1 ...          skip the start check (cross-building elsewhere)
set -euo pipefail
cd "$(dirname "$0")/.."

out=${1:-artifacts/portier-linux-x64}
rm -rf "$out"
dotnet publish src/Portier.Server/Portier.Server.csproj -c Release -r linux-x64 --self-contained true \
  -p:PublishSingleFile=false -p:DebugType=none -p:GenerateDocumentationFile=false -o "$out" --nologo
# The backup and restore scripts go along, so the server has them at /opt/portier/scripts.
install -d "$out/scripts"
install -m 755 scripts/backup.sh scripts/restore.sh "$out/scripts/"
install -m 644 scripts/store-settings.sh "$out/scripts/"
echo "Published to $out ($(du -sh "$out" | cut -f1))"

[ "${PORTIER_PUBLISH_NO_CHECK:-}" = 1 ] && exit 0

data=$(mktemp -d /tmp/portier-publish-check.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
mqtt=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
binary="$(cd "$out" && pwd)/Portier.Server"
pid=""
finish() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$data"
}
trap finish EXIT

# Started as deploy/portier.service starts it: from its own folder (the content root, where
# appsettings.json and wwwroot are found), with the settings in the environment.
(cd "$(dirname "$binary")" && exec env DOTNET_ENVIRONMENT=Production Urls="http://127.0.0.1:$port" Mqtt__Host=127.0.0.1 Mqtt__Port="$mqtt" \
  Database__DataFolder="$data" "$binary" >"$data/server.log" 2>&1) &
pid=$!
for _ in $(seq 120); do
  if status=$(curl -fsS "http://127.0.0.1:$port/health/ready" 2>/dev/null); then
    echo "Published server answered /health/ready: $status"
    exit 0
  fi
  kill -0 "$pid" 2>/dev/null || break
  sleep 1
done
echo "The published server did not become ready; its log:" >&2
cat "$data/server.log" >&2
exit 1
