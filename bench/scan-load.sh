#!/usr/bin/env bash
# The card-scan load benchmark, end to end on this machine: builds the server and the simulator in
# Release, starts the server on a fresh SQLite database (embedded MQTT broker), sets up a site with
# doors, paired simulated controllers and people with cards through the admin API, runs the
# simulator's load mode at each rate, and checks that every scan left a durable access event.
#
#   bash bench/scan-load.sh [--rates "1000 5000"] [--duration 60s] [--warmup 10s] [--doors 40] [--people 200] [--keep]
#
# Each rate first runs unmeasured for --warmup (the server compiling its hot paths), then measured for --duration.
#
# Needs curl, jq and sqlite3. Prints the simulator's per-second progress, then one line per rate with the
# server's CPU time (user + system) and thread switches (voluntary + involuntary, all its threads) over the
# measured window (from the end of the warm-up to the simulator's result), each divided by the scans sent in it.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

RATES="1000 5000"; DURATION=60s; WARMUP=10s; DOORS=40; PEOPLE=200; KEEP=0
OPTIONS="rates duration warmup doors people" FLAGS="keep" parse_options "$@"

need_tools curl jq sqlite3
build_release src/Portier.Server src/Portier.Simulator

WORK="$(mktemp -d /tmp/portier-scan-load.XXXXXX)"
HTTP_PORT=$(free_port); MQTT_PORT=$(free_port)
TOKEN="ptr_scan-load-$(random_hex 16)"
DB="$WORK/data/portier.db"

SERVER_PID=""
cleanup() {
  stop_process "$SERVER_PID"
  if [[ $KEEP == 1 ]]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

echo "== starting the server (http $HTTP_PORT, mqtt $MQTT_PORT, data $WORK/data)"
launch_server "$WORK/server.log" "" Urls="http://127.0.0.1:$HTTP_PORT" Mqtt__Port="$MQTT_PORT" Database__DataFolder="$WORK/data"
SERVER_PID=$LAUNCHED_PID
wait_ready "http://127.0.0.1:$HTTP_PORT" "$SERVER_PID" "$WORK/server.log"

DEVICES="$WORK/devices.json"
setup_load_site "http://127.0.0.1:$HTTP_PORT" "$TOKEN" "$DOORS" "$DEVICES" "$PEOPLE"

# Counts straight from the database file: attempts (one per scan) and outcome rows (one per granted attempt).
count() { sqlite3 "$DB" "select count(*) from access_events where $1;"; }

# The server's CPU ticks (user + system) and its threads' context switches so far, as "ticks voluntary involuntary".
TICKS=$(getconf CLK_TCK)
server_usage() {
  local pid=$1 ticks vol=0 invol=0 status
  ticks=$(cpu_ticks "$pid")
  for status in /proc/"$pid"/task/*/status; do
    read -r v i < <(awk '/^voluntary_ctxt_switches/ { v = $2 } /^nonvoluntary_ctxt_switches/ { i = $2 } END { print v + 0, i + 0 }' "$status" 2>/dev/null || echo "0 0")
    vol=$((vol + v)); invol=$((invol + i))
  done
  echo "$ticks $vol $invol"
}

SUMMARY=()
for RATE in $RATES; do
  BEFORE_ATTEMPTS=$(count "OutcomeOf is null"); BEFORE_OUTCOMES=$(count "OutcomeOf is not null")
  echo "== $RATE scans/s for $DURATION (after $WARMUP unmeasured) over $DOORS controllers; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
  set +e
  # The measured window opens when the warm-up's closing line appears and closes with the result line.
  dotnet "$SIM_DLL" load --devices "$DEVICES" --rate "$RATE" --duration "$DURATION" --warmup "$WARMUP" --card "${CARDS[@]}" \
    | tee "$WORK/load-$RATE.txt" | while IFS= read -r line; do
        case "$line" in
          "warmup "*) server_usage "$SERVER_PID" >"$WORK/usage-before" ;;
          "result "*) server_usage "$SERVER_PID" >"$WORK/usage-after" ;;
        esac
        echo "$line"
      done
  set -e
  USAGE="cpu_us_per_scan=? ctx_switches_per_scan=?"
  MEASURED=$(grep -oP '^result .*? sent=\K[0-9]+' "$WORK/load-$RATE.txt" || echo 0)
  if [[ -s "$WORK/usage-before" && -s "$WORK/usage-after" && $MEASURED -gt 0 ]]; then
    USAGE=$(awk -v t="$TICKS" -v n="$MEASURED" 'NR == FNR { t0 = $1; v0 = $2; i0 = $3; next }
      { printf "cpu_us_per_scan=%.1f ctx_switches_per_scan=%.2f (voluntary %.2f, involuntary %.2f)", ($1 - t0) / t * 1e6 / n, ($2 + $3 - v0 - i0) / n, ($2 - v0) / n, ($3 - i0) / n }' \
      "$WORK/usage-before" "$WORK/usage-after")
  fi
  rm -f "$WORK/usage-before" "$WORK/usage-after"
  sleep 6 # outcome rows are written when the ack arrives or the 5 s deadline passes
  ATTEMPTS=$(( $(count "OutcomeOf is null") - BEFORE_ATTEMPTS ))
  OUTCOMES=$(( $(count "OutcomeOf is not null") - BEFORE_OUTCOMES ))
  CONFIRMED=$(count "Outcome = 'ConfirmedUnlocked'")
  RESULT=$(grep '^result ' "$WORK/load-$RATE.txt" || echo "result rate=$RATE (the simulator failed)")
  # Every scan sent, warm-up included, must have left one durable attempt.
  SENT=$(grep -oP '^(result|warmup) .*? sent=\K[0-9]+' "$WORK/load-$RATE.txt" | awk '{ s += $1 } END { print s + 0 }')
  SUMMARY+=("$RESULT $USAGE sent_with_warmup=$SENT durable_attempts=$ATTEMPTS durable_outcomes=$OUTCOMES confirmed_total=$CONFIRMED load=$(cut -d' ' -f1 /proc/loadavg)")
done

echo "== summary ($(nproc) cores; $(uptime | sed 's/.*load/load/'))"
printf '%s\n' "${SUMMARY[@]}"
