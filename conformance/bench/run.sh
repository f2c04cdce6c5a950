#!/usr/bin/env bash
# The CalDAV benchmark: calinvite side by side with Radicale 3.9.0, then calinvite alone at scale.
#
#   bash conformance/bench/run.sh
#
# Environment (all optional):
#   N=2000                     events for the side-by-side run (bench_caldav.py -n)
#   CLIENTS=8                  parallel PUT clients in the side-by-side run
#   GET_REQUESTS=1000 REPEAT=3 TIME_BUDGET=600   passed to bench_caldav.py
#   SCALES="10000,50000,100000"  calinvite scale sizes (comma or space separated); SCALES= skips them
#   SCALE_CLIENTS=4 SCALE_DURATION=8 LOAD_CLIENTS=6 WRK_DURATION=10s SCALE_BUDGET=1500
#   SKIP_RADICALE=1            no Radicale run
#   SKIP_BUILD=1               use the existing target/bench/release/calinvite
#   OUT=conformance/bench/out  JSON results and server logs
#   RESULTS=conformance/bench/RESULTS.md
#
# Loopback only. Both servers get free ports on 127.0.0.1 and a temporary data folder, and are
# stopped (by their PID) on exit.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
N=${N:-2000}
CLIENTS=${CLIENTS:-8}
GET_REQUESTS=${GET_REQUESTS:-1000}
REPEAT=${REPEAT:-3}
TIME_BUDGET=${TIME_BUDGET:-600}
SCALES=${SCALES-10000,50000,100000}
SCALES=$(echo "$SCALES" | tr ' ' ',' | sed 's/,,*/,/g; s/^,//; s/,$//')
SCALE_CLIENTS=${SCALE_CLIENTS:-4}
SCALE_DURATION=${SCALE_DURATION:-8}
LOAD_CLIENTS=${LOAD_CLIENTS:-6}
WRK_DURATION=${WRK_DURATION:-10s}
SCALE_BUDGET=${SCALE_BUDGET:-1500}
OUT=${OUT:-$HERE/out}
RESULTS=${RESULTS:-$HERE/RESULTS.md}
TARGET_DIR=${CARGO_TARGET_DIR_BENCH:-$ROOT/target/bench}
BIN=$TARGET_DIR/release/calinvite
RAD_VENV=$HERE/.venv
RAD_VERSION=3.9.0

if [ -x "$ROOT/conformance/.venv/bin/python" ]; then PY=$ROOT/conformance/.venv/bin/python; else PY=python3; fi
mkdir -p "$OUT"
rm -f "$OUT"/calinvite.json "$OUT"/radicale.json "$OUT"/scale.json
log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/calinvite-bench.XXXXXX")
PIDS=()
cleanup() {
  for p in "${PIDS[@]:-}"; do
    [ -n "$p" ] && kill "$p" 2>/dev/null && wait "$p" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# Waits (at most 60 s) until an authenticated PROPFIND on the home answers 207.
wait_ready() {
  local url=$1 user=$2 pass=$3 pid=$4
  "$PY" - "$url" "$user" "$pass" "$pid" <<'EOF'
import base64, http.client, os, sys, time, urllib.parse
url, user, pw, pid = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
u = urllib.parse.urlsplit(url)
auth = "Basic " + base64.b64encode(f"{user}:{pw}".encode()).decode()
end = time.time() + 60
while time.time() < end:
    try:
        os.kill(pid, 0)
    except OSError:
        sys.exit(f"server process {pid} exited")
    try:
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=5)
        c.request("PROPFIND", u.path, headers={"Authorization": auth, "Depth": "0"})
        r = c.getresponse(); r.read(); c.close()
        if r.status == 207:
            sys.exit(0)
    except OSError:
        pass
    time.sleep(0.3)
sys.exit("server not ready after 60 s")
EOF
}

# ---------------------------------------------------------------- build calinvite (release)
if [ -z "${SKIP_BUILD:-}" ]; then
  log "building calinvite (release) into $TARGET_DIR"
  for attempt in 1 2 3; do
    if (cd "$ROOT" && CARGO_TARGET_DIR=$TARGET_DIR cargo build --release --bin calinvite) >"$OUT/build.log" 2>&1; then
      break
    fi
    if [ "$attempt" = 3 ]; then log "build failed three times; see $OUT/build.log"; tail -30 "$OUT/build.log" >&2; exit 2; fi
    log "build failed (attempt $attempt; the tree may be mid-edit); retrying in 60 s"
    sleep 60
  done
fi
[ -x "$BIN" ] || { log "no binary at $BIN"; exit 2; }

# ---------------------------------------------------------------- Radicale venv
if [ -z "${SKIP_RADICALE:-}" ]; then
  if ! "$RAD_VENV/bin/python" -c "import radicale, bcrypt, passlib, sys; sys.exit(radicale.VERSION != '$RAD_VERSION')" 2>/dev/null; then
    log "creating Radicale $RAD_VERSION venv in $RAD_VENV"
    python3 -m venv "$RAD_VENV"
    "$RAD_VENV/bin/pip" install -q "radicale==$RAD_VERSION" bcrypt passlib
  fi
fi

# ---------------------------------------------------------------- start calinvite
CAL_PORT=$(free_port)
CAL_DATA=$WORK/calinvite-data
mkdir -p "$CAL_DATA"
RUST_LOG=warn "$BIN" serve --demo --data "$CAL_DATA" --listen "127.0.0.1:$CAL_PORT" \
  >"$OUT/calinvite.stdout" 2>"$OUT/calinvite.stderr" &
CAL_PID=$!
PIDS+=("$CAL_PID")
CAL_URL=http://127.0.0.1:$CAL_PORT
wait_ready "$CAL_URL/dav/calendars/demo/" demo demo "$CAL_PID"
log "calinvite ready on $CAL_URL (pid $CAL_PID)"

# ---------------------------------------------------------------- start Radicale
if [ -z "${SKIP_RADICALE:-}" ]; then
  RAD_PORT=$(free_port)
  RAD_DIR=$WORK/radicale
  mkdir -p "$RAD_DIR"
  RAD_USER=bench
  RAD_PASS=bench-$RANDOM$RANDOM
  "$RAD_VENV/bin/python" -c "import bcrypt,sys; print('$RAD_USER:' + bcrypt.hashpw(sys.argv[1].encode(), bcrypt.gensalt()).decode())" \
    "$RAD_PASS" >"$RAD_DIR/htpasswd"
  cat >"$RAD_DIR/config" <<EOF
[server]
hosts = 127.0.0.1:$RAD_PORT

[auth]
type = htpasswd
htpasswd_filename = $RAD_DIR/htpasswd
htpasswd_encryption = bcrypt
cache_logins = true

[rights]
type = owner_only

[storage]
type = multifilesystem
filesystem_folder = $RAD_DIR/collections

[logging]
level = warning
EOF
  "$RAD_VENV/bin/python" -m radicale --config "$RAD_DIR/config" >"$OUT/radicale.log" 2>&1 &
  RAD_PID=$!
  PIDS+=("$RAD_PID")
  RAD_URL=http://127.0.0.1:$RAD_PORT
  wait_ready "$RAD_URL/$RAD_USER/" "$RAD_USER" "$RAD_PASS" "$RAD_PID"
  log "Radicale ready on $RAD_URL (pid $RAD_PID)"
fi

BENCH_ARGS=(-n "$N" --clients "$CLIENTS" --get-requests "$GET_REQUESTS" --repeat "$REPEAT" --time-budget "$TIME_BUDGET")
STATUS=0

# ---------------------------------------------------------------- side-by-side runs
log "bench_caldav.py against calinvite (N=$N)"
"$PY" "$HERE/bench_caldav.py" --base-url "$CAL_URL" --user demo --password demo \
  --home /dav/calendars/demo/ "${BENCH_ARGS[@]}" --label calinvite --json "$OUT/calinvite.json" || STATUS=1
if ! kill -0 "$CAL_PID" 2>/dev/null; then log "calinvite exited during the benchmark; see $OUT/calinvite.stderr"; STATUS=1; fi

if [ -z "${SKIP_RADICALE:-}" ]; then
  log "bench_caldav.py against Radicale $RAD_VERSION (N=$N)"
  "$PY" "$HERE/bench_caldav.py" --base-url "$RAD_URL" --user "$RAD_USER" --password "$RAD_PASS" \
    --home "/$RAD_USER/" "${BENCH_ARGS[@]}" --label "radicale $RAD_VERSION" --json "$OUT/radicale.json" || STATUS=1
  kill "$RAD_PID" 2>/dev/null && wait "$RAD_PID" 2>/dev/null || true
fi

# ---------------------------------------------------------------- calinvite scale runs
if [ -n "$SCALES" ] && kill -0 "$CAL_PID" 2>/dev/null; then
  log "scale runs against calinvite: $SCALES"
  "$PY" "$HERE/scale_caldav.py" --base-url "$CAL_URL" --user demo --password demo \
    --home /dav/calendars/demo/ --sizes "$SCALES" --load-clients "$LOAD_CLIENTS" \
    --clients "$SCALE_CLIENTS" --duration "$SCALE_DURATION" --wrk-duration "$WRK_DURATION" \
    --time-budget "$SCALE_BUDGET" --server-pid "$CAL_PID" --data-dir "$CAL_DATA" \
    --label calinvite --json "$OUT/scale.json" || STATUS=1
  if ! kill -0 "$CAL_PID" 2>/dev/null; then log "calinvite exited during the scale runs; see $OUT/calinvite.stderr"; STATUS=1; fi
fi

# ---------------------------------------------------------------- report
CAL_VERSION=$("$BIN" --version 2>/dev/null | head -1 || true)
GIT_REV=$(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo unknown)
GIT_DIRTY=$(cd "$ROOT" && git --no-optional-locks status --porcelain 2>/dev/null | grep -vc '^??' || true)
"$PY" "$HERE/report.py" --out "$RESULTS" --dir "$OUT" \
  --meta "calinvite=${CAL_VERSION:-calinvite} (git $GIT_REV, $GIT_DIRTY modified tracked files at run time), release build" \
  --meta "radicale=$RAD_VERSION ($("$RAD_VENV/bin/python" --version 2>&1 || echo n/a)), multifilesystem storage in a temp folder, bcrypt htpasswd, cache_logins = true, owner_only rights" \
  --meta "client=$("$PY" --version 2>&1), bench_caldav.py / scale_caldav.py (http.client)" \
  --meta "wrk=$({ wrk -v 2>&1 || true; } | head -1)" \
  --meta "rustc=$(rustc --version 2>/dev/null || echo n/a)" \
  --meta "params=N=$N CLIENTS=$CLIENTS GET_REQUESTS=$GET_REQUESTS REPEAT=$REPEAT TIME_BUDGET=$TIME_BUDGET SCALES=$SCALES SCALE_CLIENTS=$SCALE_CLIENTS SCALE_DURATION=${SCALE_DURATION}s LOAD_CLIENTS=$LOAD_CLIENTS WRK=-t2 -c32 -d$WRK_DURATION"
log "report written to $RESULTS; JSON and logs in $OUT"
exit $STATUS
