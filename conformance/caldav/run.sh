#!/usr/bin/env bash
# Third-party CalDAV conformance runs against a real calinvite on loopback:
#   litmus (WebDAV: basic, copymove, props, http) in a plain collection under the home,
#   caldav-server-tester (feature ratings),
#   the python caldav library scenario,
#   vdirsyncer two-way round trip.
# Logs go to target/conformance/; the last line is 'caldav-conformance: N passed, N failed'.
# Set KEEP_RESULTS=1 to also write conformance/RESULTS.md from this run.
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
here="$root/conformance/caldav"
venv="$root/conformance/.venv"
out="$root/target/conformance"
mkdir -p "$out"

cargo build --quiet --manifest-path "$root/Cargo.toml" --bin calinvite || exit 1
bin="$root/target/debug/calinvite"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
data=$(mktemp -d)
base="http://127.0.0.1:$port"
"$bin" serve --demo --data "$data" --listen "127.0.0.1:$port" >"$out/server.out" 2>"$out/server.log" &
pid=$!
cleanup() { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$data"; }
trap cleanup EXIT
for _ in $(seq 1 100); do
  curl -fs "$base/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done

passed=0; failed=0
record() { # name status
  if [ "$2" -eq 0 ]; then passed=$((passed + 1)); echo "PASS $1"; else failed=$((failed + 1)); echo "FAIL $1 (see $out/$1.log)"; fi
}

# litmus: suites other than locks; calinvite does not implement LOCK (see README).
TESTS="basic copymove props http" litmus -k "$base/dav/calendars/demo/" demo demo >"$out/litmus.log" 2>&1
litmus_fail=$(grep -Eo 'summary for `[a-z]+'"'"': of [0-9]+ tests run: [0-9]+ passed, [0-9]+ failed' "$out/litmus.log" | awk '{s+=$(NF-1)} END {print s+0}')
suites=$(grep -c 'summary for' "$out/litmus.log")
[ "$suites" -eq 4 ] && [ "$litmus_fail" -eq 0 ]; record litmus $?
grep 'summary for' "$out/litmus.log"

"$venv/bin/caldav-server-tester" --caldav-url "$base/dav/" --caldav-username demo --caldav-password demo \
  --format text --verbose >"$out/caldav-server-tester.log" 2>"$out/caldav-server-tester.err"
python3 "$here/judge_server_tester.py" "$out/caldav-server-tester.log"; record caldav-server-tester $?

"$venv/bin/python" "$here/scenario.py" "$base/dav/" demo demo >"$out/caldav-scenario.log" 2>&1; record caldav-scenario $?
tail -1 "$out/caldav-scenario.log"

"$venv/bin/python" "$here/vdirsyncer_roundtrip.py" "$base" demo demo "$venv/bin/vdirsyncer" >"$out/vdirsyncer.log" 2>&1; record vdirsyncer $?
tail -1 "$out/vdirsyncer.log"

if [ "${KEEP_RESULTS:-0}" = 1 ]; then
  python3 "$here/write_results.py" "$out" >"$root/conformance/RESULTS.md"
fi
echo "caldav-conformance: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
