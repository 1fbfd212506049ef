#!/usr/bin/env bash
# Starts a published folder inside the parts of deploy/portier.service's sandbox that can be applied
# without systemd, and checks it answers /health/ready there:
#   - an unprivileged user with no capabilities at all (DynamicUser=yes, CapabilityBoundingSet=),
#   - no new privileges (NoNewPrivileges=yes),
#   - the system calls of SystemCallFilter=@system-service minus @privileged, others refused with EPERM
#     (the list is the one this machine's systemd-analyze prints for those sets),
#   - sockets of AF_UNIX, AF_INET and AF_INET6 only (RestrictAddressFamilies=).
# Then it shows why MemoryDenyWriteExecute stays unset: with the kernel's write-xor-execute switch
# that option turns on (prctl PR_SET_MDWE, Linux 6.3+), the runtime cannot start.
#
#   bash deploy/check-sandbox.sh [PUBLISHED_FOLDER]     default artifacts/portier-linux-x64
# Needs: root (to switch user), setpriv (util-linux), systemd-analyze (systemd), python3-seccomp.
set -euo pipefail
folder=$(cd "${1:-artifacts/portier-linux-x64}" && pwd)
python=/usr/bin/python3
"$python" -c 'import seccomp' 2>/dev/null || { echo "Needs Debian's python3-seccomp (apt-get install python3-seccomp)." >&2; exit 2; }

allowed=$(mktemp /tmp/portier-syscalls.XXXXXX)
# A set lists system calls and other sets (@name), expanded here as systemd expands them.
names() {
  local member
  systemd-analyze syscall-filter "$1" | sed -n 's/^    \([@a-z0-9_-]*\)$/\1/p' | while read -r member; do
    case "$member" in @*) names "$member" ;; *) echo "$member" ;; esac
  done | sort -u
}
comm -23 <(names @system-service) <(names @privileged) > "$allowed"
chmod 644 "$allowed"

data=$(mktemp -d /tmp/portier-sandbox.XXXXXX)
chown nobody:nogroup "$data"
chmod 700 "$data"
free_port() { "$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
port=$(free_port); mqtt=$(free_port)
pid=""
finish() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$data" "$allowed"
}
trap finish EXIT

sandboxed() {
  cd "$folder" && exec setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all --bounding-set=-all \
    env -i PATH=/usr/bin:/bin HOME="$data" DOTNET_ENVIRONMENT=Production DOTNET_EnableDiagnostics=0 \
      Urls="http://127.0.0.1:$port" Mqtt__Host=127.0.0.1 Mqtt__Port="$mqtt" Database__DataFolder="$data" \
      "$python" - "$allowed" "$@" <<'PY'
import errno, os, socket, sys
import seccomp
allowed, mode, program = sys.argv[1], sys.argv[2], sys.argv[3]
if mode == "mdwe":
    import ctypes
    if ctypes.CDLL(None).prctl(65, 1, 0, 0, 0) != 0: sys.exit("PR_SET_MDWE is not supported by this kernel")
f = seccomp.SyscallFilter(defaction=seccomp.ERRNO(errno.EPERM))
for name in open(allowed).read().split():
    if name == "socket": continue
    try: f.add_rule(seccomp.ALLOW, name)
    except (RuntimeError, ValueError): pass  # not a call on this architecture
for family in (socket.AF_UNIX, socket.AF_INET, socket.AF_INET6):
    f.add_rule(seccomp.ALLOW, "socket", seccomp.Arg(0, seccomp.EQ, family))
f.load()  # sets no_new_privs first
os.execv(program, [program])
PY
}

(sandboxed filter "$folder/Portier.Server" >"$data/server.log" 2>&1) &
pid=$!
ready=""
for _ in $(seq 120); do
  if ready=$(curl -fsS "http://127.0.0.1:$port/health/ready" 2>/dev/null); then break; fi
  kill -0 "$pid" 2>/dev/null || break
  sleep 1
done
if [ "$ready" != Healthy ]; then
  echo "The server did not become ready inside the sandbox; its log:" >&2
  cat "$data/server.log" >&2
  exit 1
fi
echo "Inside the sandbox (nobody, no capabilities, $(wc -l < "$allowed") system calls allowed, IP and Unix sockets only): /health/ready answered $ready"
kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""

set +e
(sandboxed mdwe "$folder/Portier.Server" >"$data/mdwe.log" 2>&1)
status=$?
set -e
if [ "$status" -eq 0 ]; then echo "Unexpected: the server ran with write-xor-execute memory." >&2; exit 1; fi
echo "With MemoryDenyWriteExecute's kernel switch on, the server stopped at start (exit status $status): leave it unset."
