#!/usr/bin/env python3
"""Runs the README's shell blocks from top to bottom, as a new user would, and checks what they promise.

Every ```bash block runs in one bash session (so variables carry over, as in one terminal). The
server's own command starts it in the background on a fresh data folder; `# … stop the server …` and
`# … start the server again …` comments stop and start it; `bash scripts/test.sh` and `--demo` are left
out (the test run is what runs this; the demo needs an empty database). Each step is checked:
- a variable taken from an answer (`SITE=$(curl … | jq -r .id)`) must not be empty or `null`;
- an answer must not be a problem (a 4xx or 5xx problem body);
- a simulator line whose comment says `unlock` or `deny (reason` must print that outcome;
- a command sent to the background whose comment says `prints "X …"` must print X.
Ports 5080, 1883 and 9000 must be free. Exit code 0 when every block ran and every check held.
"""
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVER_LINE = re.compile(r"^((?:\w+=\S+\s+)*)dotnet run --project src/Portier\.Server(?:\s+--\s+(.*))?$")
ASSIGNED = re.compile(r"^([A-Z][A-Z0-9_]*)=\$\(")
OUTCOME = re.compile(r"\b(unlock|deny \([a-z_]+)")
PRINTS = re.compile(r'prints "([^"…]+)')
SIMULATOR_FILES = ("devices.json", "devices.state")

PRELUDE = r'''
set -u
FAILED="$WORK/failed"
readme_fail() { echo "README CHECK FAILED: $*" >&2; echo "$*" >> "$FAILED"; }
curl() {
  local out rc
  out=$(command curl "$@"); rc=$?
  printf '%s\n' "$out"
  if [[ "$out" =~ \"status\":[45][0-9][0-9] && "$out" == *'"title":'* ]]; then readme_fail "an answer was a problem: $out"; fi
  return $rc
}
check_set() {
  local value="${!1-}"
  if [ -z "$value" ] || [ "$value" = null ]; then readme_fail "$1 is '${value}' after: $2"; else echo "  $1=$value"; fi
}
expect_outcome() {
  local want="$1" got="$2"
  printf '%s\n' "$got"
  [[ "$got" == *"$want"* ]] || readme_fail "expected '$want' from: $3 (printed: $got)"
}
wait_printed() {
  for _ in $(seq 150); do grep -qF -- "$1" "$WORK/session.log" && { echo "  printed \"$1\""; return; }; sleep 0.1; done
  readme_fail "never printed \"$1\": $2"
}
SERVER_ENV=""
portier_stop() {
  [ -f "$WORK/server.pid" ] || return 0
  local pid; pid=$(cat "$WORK/server.pid")
  kill -INT -- "-$pid" 2>/dev/null
  for _ in $(seq 300); do kill -0 -- "-$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL -- "-$pid" 2>/dev/null
  rm -f "$WORK/server.pid"
  echo "  (server stopped)"
}
portier_start() {
  portier_stop
  [ $# -gt 0 ] && SERVER_ENV="$*"
  echo "  (server starting${SERVER_ENV:+ with $SERVER_ENV})"
  ( exec setsid env Database__DataFolder="$WORK/data" $SERVER_ENV dotnet run --project src/Portier.Server ) >>"$WORK/server.log" 2>&1 &
  echo $! > "$WORK/server.pid"
  for _ in $(seq 1800); do
    command curl -sf http://127.0.0.1:5080/health/ready >/dev/null 2>&1 && { echo "  (server ready)"; return; }
    kill -0 "$(cat "$WORK/server.pid")" 2>/dev/null || break
    sleep 0.1
  done
  readme_fail "the server did not become ready; its log:"; tail -n 40 "$WORK/server.log" >&2
  exit 1
}
trap 'jobs -p | xargs -r kill 2>/dev/null; portier_stop' EXIT
exec > >(tee -a "$WORK/session.log") 2>&1
'''


def blocks(readme):
    """The README's bash blocks, each with the heading above it."""
    heading, block, found = "", None, []
    for line in readme.splitlines():
        if block is None and line.startswith("#"):
            heading = line.lstrip("# ").strip()
        elif block is None and re.match(r"^```(bash|sh)\s*$", line):
            block = []
        elif block is not None and line.strip() == "```":
            found.append((heading, block))
            block = None
        elif block is not None:
            block.append(line)
    return found


def commands(lines):
    """Logical commands: lines joined while a quote is open or a line ends with a backslash."""
    current, quote = [], None
    for line in lines:
        current.append(line)
        i = 0
        while i < len(line):
            c = line[i]
            if quote is None and c == "#" and (i == 0 or line[i - 1].isspace()):
                break
            if c == "\\" and quote != "'":
                i += 2
                continue
            if c in "'\"" and quote in (None, c):
                quote = None if quote == c else c
            i += 1
        if quote is None and not line.endswith("\\"):
            yield "\n".join(current)
            current = []
    if current:
        yield "\n".join(current)


def split_comment(command):
    """The command and its trailing comment (a `#` after whitespace on the last line, outside quotes)."""
    last = command.split("\n")[-1]
    quote = None
    for i, c in enumerate(last):
        if c in "'\"" and quote in (None, c):
            quote = None if quote == c else c
        elif c == "#" and quote is None and (i == 0 or last[i - 1].isspace()):
            head = command[: len(command) - len(last) + i].rstrip()
            return head, last[i + 1:].strip()
    return command, ""


def translate(command):
    """One README command as the session runs it, with its checks."""
    code, comment = split_comment(command)
    shown = "$ " + command.splitlines()[0] + (" …" if "\n" in command else "")
    said = f"echo {shlex.quote(shown)}"
    if not code:
        lowered = comment.lower()
        if "stop the server" in lowered:
            return "portier_stop"
        if "start the server again" in lowered:
            return "portier_start"
        return f"echo {shlex.quote('# ' + comment)}"
    if code.strip() == "bash scripts/test.sh":
        return "echo '(the test command: this walkthrough is part of it)'"
    if m := SERVER_LINE.match(code.strip()):
        if m.group(2) and "--demo" in m.group(2):
            return "echo '(--demo: seeds only an empty database; the walkthrough already made a site)'"
        variables = [v for v in m.group(1).split() if not v.startswith("PORTIER_ADMIN_TOKEN=")]
        token = next((v for v in m.group(1).split() if v.startswith("PORTIER_ADMIN_TOKEN=")), "")
        return f"{said}\nportier_start {shlex.quote(' '.join([token, *variables]).strip())}"
    if code.rstrip().endswith("&"):
        wanted = PRINTS.search(comment)
        check = f"\nWAIT_PRINTED+=({shlex.quote(wanted.group(1).strip())} {shlex.quote(code)})" if wanted else ""
        return f"{said}\n{code}{check}"
    if code.startswith("$SIM ") and (outcome := OUTCOME.search(comment)) and "\n" not in code:
        return f"{said}\nexpect_outcome {shlex.quote(outcome.group(1))} \"$({code} 2>&1)\" {shlex.quote(code)}"
    if m := ASSIGNED.match(code):
        return f"{said}\n{code}\ncheck_set {m.group(1)} {shlex.quote(code)}"
    return f"{said}\n{code}"


def session(readme):
    parts = [PRELUDE, "WAIT_PRINTED=()"]
    for heading, lines in blocks(readme):
        parts.append(f"echo {shlex.quote('== ' + heading)}")
        parts.extend(translate(c) for c in commands(lines) if c.strip())
    parts.append('for ((i = 0; i < ${#WAIT_PRINTED[@]}; i += 2)); do wait_printed "${WAIT_PRINTED[i]}" "${WAIT_PRINTED[i+1]}"; done')
    parts.append('[ ! -s "$FAILED" ]')
    return "\n".join(parts) + "\n"


def port_taken(port):
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def main():
    taken = [p for p in (5080, 1883, 9000) if port_taken(p)]
    if taken:
        print(f"README walkthrough: port(s) {', '.join(map(str, taken))} already in use on 127.0.0.1; stop what holds them.", file=sys.stderr)
        return 2
    for tool in ("jq", "curl"):
        if shutil.which(tool) is None:
            print(f"README walkthrough: needs {tool} (apt-get install {tool}).", file=sys.stderr)
            return 2
    work = Path(tempfile.mkdtemp(prefix="portier-readme."))
    script = work / "session.sh"
    script.write_text(session((ROOT / "README.md").read_text(encoding="utf-8")), encoding="utf-8")
    env = dict(os.environ, WORK=str(work), ROOT=str(ROOT))
    # The README runs from the checkout's root, where the simulator keeps its files: a reader's own are
    # put aside for the run and put back after it.
    kept = [name for name in SIMULATOR_FILES if (ROOT / name).exists()]
    for name in kept:
        shutil.move(ROOT / name, work / name)
    try:
        status = subprocess.run(["bash", str(script)], cwd=ROOT, env=env).returncode
    finally:
        for name in SIMULATOR_FILES:
            target = ROOT / name
            shutil.rmtree(target, ignore_errors=True) if target.is_dir() else target.unlink(missing_ok=True)
        for name in kept:
            shutil.move(work / name, ROOT / name)
    failed = (work / "failed").read_text(encoding="utf-8") if (work / "failed").exists() else ""
    if status == 0 and not failed:
        print("README walkthrough: every block ran and every check held.")
        shutil.rmtree(work, ignore_errors=True)
        return 0
    print(f"README walkthrough FAILED (exit {status}); session in {work}:\n{failed}", file=sys.stderr)
    print((work / "server.log").read_text(encoding="utf-8", errors="replace")[-4000:] if (work / "server.log").exists() else "", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
