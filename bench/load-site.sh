# Sourced by the scan benchmarks: sets up the load site through the admin API of the server at $1 with
# token $2: one site admitting current Members, $3 doors with a paired simulated controller each (written
# to the devices file $4 by the simulator $SIM_DLL), and $5 members with a card each. Sets SITE and CARDS,
# then heartbeats every controller once so the server sees them online (the load itself sends none).
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
