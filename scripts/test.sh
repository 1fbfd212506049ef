#!/usr/bin/env bash
# Runs every Portier test. Installs the system packages the tests need when they are missing
# (PostgreSQL, Mosquitto, Redis, Debian's Chromium for the browser tests, curl and jq for the README walkthrough),
# starts a throwaway PostgreSQL cluster, a Mosquitto broker and a Redis server on loopback, and stops them after.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v pg_ctlcluster >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || need+=(mosquitto)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
[ -x /usr/bin/chromium ] || need+=(chromium)
# The README walkthrough (tests/Portier.Readme.Tests) runs its blocks with curl and jq.
command -v jq >/dev/null 2>&1 || need+=(jq)
command -v curl >/dev/null 2>&1 || need+=(curl)
# The backup tests copy SQLite databases with the sqlite3 shell (pg_dump comes with postgresql).
command -v sqlite3 >/dev/null 2>&1 || need+=(sqlite3)
if [ ${#need[@]} -gt 0 ]; then
  echo "Installing ${need[*]}..."
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

pgbin=$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)")
pgdir=$(mktemp -d /tmp/portier-pg.XXXXXX)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
pgport=$(free_port)
as_pg=()
if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$pgdir"; as_pg=(runuser -u postgres --); fi

mqdir=$(mktemp -d /tmp/portier-mqtt.XXXXXX)
mqpid=""
rddir=$(mktemp -d /tmp/portier-redis.XXXXXX)
rdpid=""
stop_all() {
  "${as_pg[@]}" "$pgbin/pg_ctl" -D "$pgdir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$pgdir"
  if [ -n "$mqpid" ]; then kill "$mqpid" 2>/dev/null || true; wait "$mqpid" 2>/dev/null || true; fi
  rm -rf "$mqdir"
  if [ -n "$rdpid" ]; then kill "$rdpid" 2>/dev/null || true; wait "$rdpid" 2>/dev/null || true; fi
  rm -rf "$rddir"
}
trap stop_all EXIT

"${as_pg[@]}" "$pgbin/initdb" -D "$pgdir/data" -U portier --auth=trust -E UTF8 >/dev/null
"${as_pg[@]}" "$pgbin/pg_ctl" -D "$pgdir/data" -l "$pgdir/log" -w \
  -o "-c listen_addresses=127.0.0.1 -c port=$pgport -c unix_socket_directories=$pgdir -c max_connections=300 -c fsync=off" start >/dev/null
export PORTIER_TEST_POSTGRES="Host=127.0.0.1;Port=$pgport;Username=portier;Database=postgres;Pooling=true"
echo "PostgreSQL test cluster on 127.0.0.1:$pgport"

mqport=$(free_port)
printf 'listener %s 127.0.0.1\nallow_anonymous true\n' "$mqport" > "$mqdir/mosquitto.conf"
[ "$(id -u)" -eq 0 ] && printf 'user root\n' >> "$mqdir/mosquitto.conf"
mosquitto_bin=$(command -v mosquitto || echo /usr/sbin/mosquitto)
"$mosquitto_bin" -c "$mqdir/mosquitto.conf" >"$mqdir/log" 2>&1 &
mqpid=$!
for _ in $(seq 50); do
  python3 -c "import socket; socket.create_connection(('127.0.0.1',$mqport),0.2).close()" 2>/dev/null && break
  sleep 0.1
done
export PORTIER_TEST_MOSQUITTO="127.0.0.1:$mqport"
echo "Mosquitto test broker on $PORTIER_TEST_MOSQUITTO"

# Redis carries the live stream between server nodes (the SignalR backplane) and their shared limits.
rdport=$(free_port)
redis-server --bind 127.0.0.1 --port "$rdport" --save '' --appendonly no --dir "$rddir" >"$rddir/log" 2>&1 &
rdpid=$!
for _ in $(seq 50); do
  python3 -c "import socket; socket.create_connection(('127.0.0.1',$rdport),0.2).close()" 2>/dev/null && break
  sleep 0.1
done
export PORTIER_TEST_REDIS="127.0.0.1:$rdport"
echo "Redis test server on $PORTIER_TEST_REDIS"

# Arguments pass through to dotnet test; without --project the whole solution runs, one test
# project at a time: the browser tests wait on a live server and share two cores badly.
case " $* " in
  *" --project "*) dotnet test "$@" ;;
  *) dotnet test --solution Portier.slnx --max-parallel-test-modules 1 "$@" ;;
esac
