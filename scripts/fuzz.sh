#!/usr/bin/env bash
# Fuzzes the server's inputs: QR passes at a gate, MQTT device messages, CSV imports and the JSON
# body of every API endpoint, each with CASES generated cases (100,000 by default), against real
# SQLite and PostgreSQL servers. Rules: no server error, no grant, the controller stays connected.
# Progress and the figures go to the terminal; a failure names the seed that repeats it.
#   bash scripts/fuzz.sh [CASES] [DATABASE]      DATABASE: Sqlite, Postgres or both (default Sqlite)
#   PORTIER_FUZZ_SEED=<seed> bash scripts/fuzz.sh ...   repeats a run
set -euo pipefail
cd "$(dirname "$0")/.."
cases=${1:-100000}
database=${2:-Sqlite}
only=(--filter-class "*${database}Tests")
[ "$database" = both ] && only=()
report=$(mktemp /tmp/portier-fuzz.XXXXXX)
touch "$report"
tail -f "$report" & tailpid=$!
trap 'kill $tailpid 2>/dev/null || true; rm -f "$report"' EXIT
PORTIER_FUZZ_CASES=$cases PORTIER_FUZZ_REPORT=$report \
  bash scripts/test.sh --project tests/Portier.Server.Tests -- --filter-namespace '*Fuzzing' "${only[@]}" --timeout 3h
