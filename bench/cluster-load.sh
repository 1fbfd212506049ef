#!/usr/bin/env bash
# The card-scan load benchmark over several server nodes: for each node count, starts that many
# servers (Release) on one fresh PostgreSQL database, one Mosquitto broker (Mqtt:Mode=External) and
# one Redis, sets up a site with doors, paired simulated controllers and members with cards through
# node A's API, runs the simulator's load mode at each rate (the broker spreads the scans over the
# nodes), and prints per rate: the simulator's result line (p50/p99 scan-to-command latency), the
# durable attempts, and each node's CPU time per scan.
#
#   PORTIER_TEST_POSTGRES=... PORTIER_TEST_MOSQUITTO=host:port PORTIER_TEST_REDIS=host:port \
#   bash bench/cluster-load.sh [--nodes "1 2 3"] [--rates "200 500 1000 2000"] [--duration 60s] [--warmup 10s] [--doors 40] [--people 200]
#
# The three services are the ones the tests use (scripts/test.sh shows how to start each on loopback);
# PORTIER_TEST_POSTGRES is an Npgsql connection string to a role that may create databases.
# Needs curl, jq and psql. The highest rate whose p99 stays under 50 ms is the figure for that node count.
set -euo pipefail

source "$(dirname "$0")/lib.sh"

NODES="1 2 3"; RATES="200 500 1000 2000"; DURATION=60s; WARMUP=10s; DOORS=40; PEOPLE=200
OPTIONS="nodes rates duration warmup doors people" parse_options "$@"
for v in PORTIER_TEST_POSTGRES PORTIER_TEST_MOSQUITTO PORTIER_TEST_REDIS; do
  [[ -n "${!v:-}" ]] || { echo "$v is not set (see the header of this script)" >&2; exit 2; }
done
need_tools curl jq psql
build_release src/Portier.Server src/Portier.Simulator

# The Npgsql connection string's parts, for psql.
pg_part() { tr ';' '\n' <<<"$PORTIER_TEST_POSTGRES" | sed -n "s/^$1=//Ip" | head -n 1; }
PGHOST=$(pg_part Host); PGPORT=$(pg_part Port); PGUSER=$(pg_part Username); export PGHOST PGPORT PGUSER
MQTT_HOST=${PORTIER_TEST_MOSQUITTO%:*}; MQTT_PORT=${PORTIER_TEST_MOSQUITTO##*:}
TOKEN="ptr_cluster-load-$(random_hex 16)"
secret() { head -c 32 /dev/urandom | base64; }
PEPPER=$(secret); BUNDLE=$(secret); QR=$(secret); INBOUND=$(secret)

WORK="$(mktemp -d /tmp/portier-cluster-load.XXXXXX)"
DBS=(); NODE_PIDS=()
cleanup() {
  for pid in "${NODE_PIDS[@]}"; do stop_process "$pid"; done
  for db in "${DBS[@]}"; do psql -d postgres -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

# Starts node $2 of run $1 on database $3 and waits until it is ready; sets NODE_URL and adds it to NODE_PIDS.
start_node() {
  local run=$1 name=$2 db=$3 port
  port=$(free_port)
  launch_server "$WORK/$run-$name.log" "" Urls="http://127.0.0.1:$port" Database__Provider=Postgres \
    Database__ConnectionString="Host=$PGHOST;Port=$PGPORT;Username=$PGUSER;Database=$db;Maximum Pool Size=50" \
    Database__DataFolder="$WORK/$run-$name" \
    Mqtt__Mode=External Mqtt__Host="$MQTT_HOST" Mqtt__Port="$MQTT_PORT" Mqtt__ClientId="portier-bench-$run-$name" Mqtt__SharedGroup="portier-bench-$run" \
    Redis__Configuration="$PORTIER_TEST_REDIS" Redis__Prefix="portier-bench-$run" \
    Secrets__PinPepper="$PEPPER" Secrets__BundleSecret="$BUNDLE" Secrets__QrSigningKey="$QR" Secrets__ChannelInboundKey="$INBOUND"
  NODE_PIDS+=("$LAUNCHED_PID")
  NODE_URL="http://127.0.0.1:$port"
  wait_ready "$NODE_URL" "$LAUNCHED_PID" "$WORK/$run-$name.log"
}

SUMMARY=()
for N in $NODES; do
  DB="portier_bench_$(random_hex 6)"; DBS+=("$DB")
  psql -d postgres -qc "CREATE DATABASE $DB" >/dev/null
  NAMES=(A B C D E F); NODE_PIDS=()
  echo "== $N node(s) on database $DB"
  # The first node creates the schema; the others start on it.
  start_node "$N" A "$DB"; URL=$NODE_URL
  for i in $(seq 1 $((N - 1))); do start_node "$N" "${NAMES[$i]}" "$DB"; done
  DEVICES="$WORK/devices-$N.json"
  setup_load_site "$URL" "$TOKEN" "$DOORS" "$DEVICES" "$PEOPLE"

  count() { psql -d "$DB" -tAc "select count(*) from access_events where \"SiteId\" = '$SITE' and $1"; }
  for RATE in $RATES; do
    BEFORE=$(count '"OutcomeOf" is null')
    declare -A CPU_BEFORE=(); for pid in "${NODE_PIDS[@]}"; do CPU_BEFORE[$pid]=$(cpu_ticks "$pid"); done
    echo "== $N node(s), $RATE scans/s for $DURATION (after $WARMUP unmeasured); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
    set +e
    dotnet "$SIM_DLL" load --devices "$DEVICES" --rate "$RATE" --duration "$DURATION" --warmup "$WARMUP" --card "${CARDS[@]}" | tee "$WORK/load-$N-$RATE.txt"
    set -e
    sleep 6
    ATTEMPTS=$(( $(count '"OutcomeOf" is null') - BEFORE ))
    TICKS=$(getconf CLK_TCK); PER_NODE=""
    for i in "${!NODE_PIDS[@]}"; do
      pid=${NODE_PIDS[$i]}
      PER_NODE+=" cpu_ms_per_scan_${NAMES[$i]}=$(awk -v a="${CPU_BEFORE[$pid]}" -v b="$(cpu_ticks "$pid")" -v t="$TICKS" -v n="$ATTEMPTS" \
        'BEGIN { printf "%.3f", (n > 0 ? (b - a) * 1000 / t / n : 0) }')"
    done
    RESULT=$(grep '^result ' "$WORK/load-$N-$RATE.txt" || echo "result rate=$RATE (the simulator failed)")
    SUMMARY+=("nodes=$N $RESULT durable_attempts=$ATTEMPTS$PER_NODE load=$(cut -d' ' -f1 /proc/loadavg)")
  done
  for pid in "${NODE_PIDS[@]}"; do stop_process "$pid"; done
done

echo "== summary ($(nproc) cores shared by the nodes, PostgreSQL, Mosquitto, Redis and the simulator; $(uptime | sed 's/.*load/load/'))"
printf '%s\n' "${SUMMARY[@]}"
