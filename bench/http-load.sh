#!/usr/bin/env bash
# The HTTP benchmark, end to end on this machine, in one run: builds the server, the simulator, the load
# generator (bench/Portier.Benchmarks http-load) and the bare reference (bench/Portier.ExplainReference) in
# Release, starts the server on a fresh SQLite database (embedded MQTT broker) pinned to core 0, sets up a
# site with doors, paired simulated controllers and people with cards through the admin API, then measures
# with the load generator pinned to core 1:
#   a) POST /api/v1/decisions/explain (a person at a door) on the server;
#   b) the same requests on the bare minimal-API reference, pinned to core 0 the same way, deciding from the
#      same definitions (a copy of the server's database, compiled at its start) with the same engine;
#   c) POST /api/v1/doors/{id}/open, each a durable attempt whose unlock the simulated controllers (also on
#      core 1) acknowledge, answered once the door confirmed.
#
#   bash bench/http-load.sh [--connections 64] [--open-connections N] [--duration 20] [--warmup 5] [--doors 20] [--people 200]
#                           [--only explain|open] [--keep]
#
# --open-connections sets c)'s connections apart (default: --connections); --only runs a) and b), or c), alone.
# Durations are in seconds. Prints a progress line per second and a summary table at the end.
# Needs curl, jq, sqlite3 and taskset (util-linux), and at least 2 cores.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

CONNECTIONS=64; OPEN_CONNECTIONS=""; DURATION=20; WARMUP=5; DOORS=20; PEOPLE=200; ONLY=""; KEEP=0
OPTIONS="connections open-connections duration warmup doors people only" FLAGS="keep" parse_options "$@"

need_tools curl jq sqlite3 taskset
[[ $(nproc) -ge 2 ]] || { echo "needs 2 cores: the server on one, the load on the other" >&2; exit 2; }
build_release src/Portier.Server src/Portier.Simulator bench/Portier.Benchmarks bench/Portier.ExplainReference
LOAD_DLL="$ROOT/bench/Portier.Benchmarks/bin/Release/net10.0/Portier.Benchmarks.dll"
REF_DLL="$ROOT/bench/Portier.ExplainReference/bin/Release/net10.0/Portier.ExplainReference.dll"

WORK="$(mktemp -d /tmp/portier-http-load.XXXXXX)"
HTTP_PORT=$(free_port); MQTT_PORT=$(free_port); REF_PORT=$(free_port)
TOKEN="ptr_http-load-$(random_hex 16)"
DB="$WORK/data/portier.db"
sql() { sqlite3 -cmd ".timeout 10000" "$DB" "$@"; } # the server may be writing

SERVER_PID=""; REF_PID=""; SIM_PID=""
cleanup() {
  stop_process "$SIM_PID"; stop_process "$REF_PID"; stop_process "$SERVER_PID"
  if [[ $KEEP == 1 ]]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

echo "== starting the server on core 0 (http $HTTP_PORT, mqtt $MQTT_PORT, data $WORK/data)"
launch_server "$WORK/server.log" 0 Urls="http://127.0.0.1:$HTTP_PORT" Mqtt__Port="$MQTT_PORT" Database__DataFolder="$WORK/data"
SERVER_PID=$LAUNCHED_PID
wait_ready "http://127.0.0.1:$HTTP_PORT" "$SERVER_PID" "$WORK/server.log"

DEVICES="$WORK/devices.json"
setup_load_site "http://127.0.0.1:$HTTP_PORT" "$TOKEN" "$DOORS" "$DEVICES" "$PEOPLE"

# The requests, one a line ("METHOD PATH<TAB>BODY"), taken in turn by the load generator.
sql "select lower(p.Id), lower(d.Id) from people p cross join doors d order by p.Name, d.Name;" |
  awk -F'|' '{ printf "POST /api/v1/decisions/explain\t{\"doorId\":\"%s\",\"personId\":\"%s\"}\n", $2, $1 }' >"$WORK/explain.txt"
sql "select lower(Id) from doors order by Name;" |
  awk '{ printf "POST /api/v1/doors/%s/open\t{}\n", $1 }' >"$WORK/open.txt"

load() { # label url requests-file pid connections
  taskset -c 1 dotnet "$LOAD_DLL" http-load --label "$1" --url "$2" --requests "$3" --token "$TOKEN" --pid "$4" \
    --connections "$5" --duration "$DURATION" --warmup "$WARMUP" | tee "$WORK/result-$1.txt"
  RESULTS+=("$(grep "^result " "$WORK/result-$1.txt" || echo "result $1 (the load generator failed)") load=$(cut -d' ' -f1 /proc/loadavg)")
}
RESULTS=()

if [[ $ONLY != open ]]; then
  echo "== a) explain on the server; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
  load explain "http://127.0.0.1:$HTTP_PORT" "$WORK/explain.txt" "$SERVER_PID" "$CONNECTIONS"

  echo "== b) explain on the bare reference (core 0), from a copy of the server's definitions"
  sql ".backup '$WORK/reference.db'"
  (exec taskset -c 0 dotnet "$REF_DLL" --database "$WORK/reference.db" --urls "http://127.0.0.1:$REF_PORT" >"$WORK/reference.log" 2>&1) &
  REF_PID=$!
  wait_ready "http://127.0.0.1:$REF_PORT" "$REF_PID" "$WORK/reference.log"
  load reference "http://127.0.0.1:$REF_PORT" "$WORK/explain.txt" "$REF_PID" "$CONNECTIONS"
  stop_process "$REF_PID"; REF_PID=""
fi

ATTEMPTS=0; CONFIRMED=0
if [[ $ONLY != explain ]]; then
  echo "== c) durable door openings, the simulated controllers acknowledging on core 1"
  (exec taskset -c 1 dotnet "$SIM_DLL" run --devices "$DEVICES" --heartbeat 30s </dev/null >"$WORK/simulator.log" 2>&1) &
  SIM_PID=$!
  sleep 3 # every controller connected and heard once (the server refuses an opening at a controller it has not heard)
  count() { sql "select count(*) from access_events where Method = 'AdminOverride' and $1;"; }
  load open "http://127.0.0.1:$HTTP_PORT" "$WORK/open.txt" "$SERVER_PID" "${OPEN_CONNECTIONS:-$CONNECTIONS}"
  ATTEMPTS=$(count "OutcomeOf is null"); CONFIRMED=$(count "Outcome = 'ConfirmedUnlocked' and OutcomeOf is not null")
fi

field() { grep -oP "(?<= $2=)[^ ]+" <<<"$1" || echo "-"; }
echo
echo "== summary ($(nproc) cores; server on core 0, load generator and controllers on core 1; $CONNECTIONS connections, ${OPEN_CONNECTIONS:-$CONNECTIONS} for openings; $(uptime | sed 's/.*load/load/'))"
printf '%-10s %12s %9s %9s %9s %14s %7s %6s\n' measure requests/s p50_ms p99_ms max_ms cpu_us/request errors load
for r in "${RESULTS[@]}"; do
  printf '%-10s %12s %9s %9s %9s %14s %7s %6s\n' "$(awk '{print $2}' <<<"$r")" "$(field "$r" requests/s)" "$(field "$r" p50_ms)" \
    "$(field "$r" p99_ms)" "$(field "$r" max_ms)" "$(field "$r" server_cpu_us_per_request)" "$(field "$r" errors)" "$(field "$r" load)"
done
if [[ -z $ONLY ]]; then
  EXPLAIN=$(field "${RESULTS[0]}" requests/s); REFERENCE=$(field "${RESULTS[1]}" requests/s)
  awk -v a="$EXPLAIN" -v b="$REFERENCE" 'BEGIN { if (b > 0) printf "explain / reference: %.2fx the bare endpoint'"'"'s requests/s\n", a / b }'
fi
[[ $ONLY == explain ]] || echo "door openings: $ATTEMPTS durable attempts, $CONFIRMED recorded confirmed by the controller"
