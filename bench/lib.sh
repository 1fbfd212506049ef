# Sourced by the load benchmarks (http-load.sh, scan-load.sh, cluster-load.sh): their options, the Release
# builds, starting a server and waiting for it, the server's CPU time, and the load site set up through the
# admin API. Sourcing it moves to the repository root and sets ROOT, SERVER_DLL and SIM_DLL.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
SERVER_DLL="$ROOT/src/Portier.Server/bin/Release/net10.0/Portier.Server.dll"
SIM_DLL="$ROOT/src/Portier.Simulator/bin/Release/net10.0/Portier.Simulator.dll"

# Reads "--name value" options into the variable NAME (upper case, dashes as underscores) for each name in
# $OPTIONS, and "--name" flags into NAME=1 for each name in $FLAGS; anything else ends the script.
parse_options() {
  local name
  while [[ $# -gt 0 ]]; do
    name=${1#--}
    if [[ $1 == --* && " $OPTIONS " == *" $name "* ]]; then
      [[ $# -ge 2 ]] || { echo "$1 needs a value" >&2; exit 2; }
      printf -v "$(tr 'a-z-' 'A-Z_' <<<"$name")" '%s' "$2"; shift 2
    elif [[ $1 == --* && " ${FLAGS:-} " == *" $name "* ]]; then
      printf -v "$(tr 'a-z-' 'A-Z_' <<<"$name")" 1; shift
    else
      echo "unknown argument $1" >&2; exit 2
    fi
  done
}

need_tools() {
  local tool
  for tool in "$@"; do command -v "$tool" >/dev/null || { echo "$tool is needed (apt-get install $tool)" >&2; exit 2; }; done
}

# Builds each project given (a path under the repository root) in Release, quietly.
build_release() {
  echo "== building (Release)"
  local project
  for project in "$@"; do dotnet build -c Release -v q -nologo "$project" >/dev/null; done
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
random_hex() { head -c "$1" /dev/urandom | od -An -tx1 | tr -d ' \n'; }

# Starts the Release server in the background with the admin token $TOKEN, its output in log $1, on core $2
# (or any core when empty), with the configuration given as NAME=value arguments after them; sets LAUNCHED_PID.
# The caller's environment passes through, so DOTNET_ settings (a perf map, say) reach the server.
launch_server() {
  local log=$1 core=$2; shift 2
  local pin=(); [[ -n $core ]] && pin=(taskset -c "$core")
  (cd "$(dirname "$SERVER_DLL")" && \
    exec env PORTIER_ADMIN_TOKEN="$TOKEN" Devices__PairingAttemptsPerMinute=100000 Logging__LogLevel__Default=Warning \
      "$@" "${pin[@]}" dotnet "$SERVER_DLL" >"$log" 2>&1) &
  LAUNCHED_PID=$!
}

# Waits until the server at URL $1 (process $2, output in $3) answers ready; prints its output if it ended.
wait_ready() {
  for _ in $(seq 1 240); do
    curl -sf "$1/health/ready" >/dev/null && return 0
    kill -0 "$2" 2>/dev/null || { cat "$3" >&2; exit 1; }
    sleep 0.5
  done
  echo "$1 did not get ready" >&2; exit 1
}

stop_process() { [[ -n "$1" ]] && kill "$1" 2>/dev/null && wait "$1" 2>/dev/null || true; }

# A process's CPU time so far in clock ticks (user + system).
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# Sets up the load site through the admin API of the server at $1 with token $2: one site admitting current
# Members, $3 doors with a paired simulated controller each (written to the devices file $4), and $5 members
# with a card each. Sets SITE and CARDS, then heartbeats every controller once so the server sees them online
# (the load itself sends none).
setup_load_site() {
  local url=$1 token=$2 doors=$3 devices=$4 people=$5 a="$1/api/v1" d p door device code person card
  api() { curl -sf -H "Authorization: Bearer $token" -H 'Content-Type: application/json' "$@"; }
  echo "== setting up: 1 site, $doors doors with a paired controller each, $people members with a card"
  SITE=$(api "$a/sites" -d '{"name":"Load test","timeZone":"Europe/Berlin",
    "rules":{"personTypeRules":[{"personType":"Member","statuses":["Current"]}]}}' | jq -r .id)
  for d in $(seq 1 "$doors"); do
    door=$(api "$a/doors" -d "{\"siteId\":\"$SITE\",\"name\":\"Door $d\"}" | jq -r .id)
    device=$(api "$a/devices" -d "{\"doorId\":\"$door\",\"name\":\"Controller $d\"}" | jq -r .id)
    code=$(api -d '{}' "$a/devices/$device/pairing-code" | jq -r .code)
    dotnet "$SIM_DLL" pair --server "$url" --code "$code" --device "$device" --devices "$devices" >/dev/null
  done
  CARDS=()
  for p in $(seq 1 "$people"); do
    person=$(api "$a/people" -d "{\"siteId\":\"$SITE\",\"name\":\"Member $p\",\"personType\":\"Member\",\"membershipStatus\":\"Current\"}" | jq -r .id)
    card=$(printf 'C0DE%06X' "$p")
    api "$a/credentials" -d "{\"personId\":\"$person\",\"kind\":\"card\",\"value\":\"$card\"}" >/dev/null
    CARDS+=("$card")
  done
  dotnet "$SIM_DLL" run --devices "$devices" --heartbeat 1h </dev/null >/dev/null 2>&1 & local hb=$!
  sleep 3; kill "$hb" 2>/dev/null; wait "$hb" 2>/dev/null || true
}
