#!/usr/bin/env bash
# The outbound-mail benchmark: calinvite sends N invitations to Postfix's smtp-sink.
#
#   bash conformance/bench/send_run.sh
#
# Environment (all optional):
#   N=100000               recipients, all in one Send API call (at most 100,000)
#   CONNS="16 32"          smtp.max_connections values; one run each, fresh data folder each
#   BUDGET=600             seconds allowed for the delivery of one run
#   POLL=0.2               seconds between batch progress polls
#   SAMPLE=20              messages captured (smtp-sink -d) in a separate small run to measure
#                          the message size; SAMPLE=0 skips it
#   SKIP_BUILD=1           use the existing target/bench/release/calinvite
#   REPORT_ONLY=1          no build and no runs: rewrite SEND-RESULTS.md from the JSON in OUT
#   OUT=conformance/bench/out/send   JSON results, server and sink logs
#   RESULTS=conformance/bench/SEND-RESULTS.md
#
# Loopback only. smtp-sink and calinvite get free ports on 127.0.0.1, calinvite a temporary
# data folder per run; both are stopped by PID after each run and on exit. Postfix is
# installed (Debian package) if smtp-sink is missing; its mail daemon is never left running.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
N=${N:-100000}
CONNS=${CONNS:-16 32}
BUDGET=${BUDGET:-600}
POLL=${POLL:-0.2}
SAMPLE=${SAMPLE:-20}
OUT=${OUT:-$HERE/out/send}
RESULTS=${RESULTS:-$HERE/SEND-RESULTS.md}
TARGET_DIR=${CARGO_TARGET_DIR_BENCH:-$ROOT/target/bench}
BIN=$TARGET_DIR/release/calinvite
SINK=/usr/sbin/smtp-sink
FROM=events@invites.example.org
PUBLIC_URL=https://invites.example.org

if [ -x "$ROOT/conformance/.venv/bin/python" ]; then PY=$ROOT/conformance/.venv/bin/python; else PY=python3; fi
mkdir -p "$OUT"
[ -n "${REPORT_ONLY:-}" ] || rm -f "$OUT"/send-*.json "$OUT"/sample.json
log() { printf '[send-bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/calinvite-send.XXXXXX")
PIDS=()
stop_pid() {
  local p=$1
  if [ -n "$p" ] && kill -0 "$p" 2>/dev/null; then
    kill "$p" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$p" 2>/dev/null || true
  fi
  wait "$p" 2>/dev/null || true
}
cleanup() {
  for p in "${PIDS[@]:-}"; do stop_pid "$p"; done
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# Waits (at most 60 s) for the API key line of `serve --demo` and for a 207 on the home.
wait_ready() {
  local url=$1 pid=$2 stdout=$3
  "$PY" - "$url" "$pid" "$stdout" <<'EOF'
import base64, http.client, os, re, sys, time, urllib.parse
url, pid, stdout = sys.argv[1], int(sys.argv[2]), sys.argv[3]
u = urllib.parse.urlsplit(url)
auth = "Basic " + base64.b64encode(b"demo:demo").decode()
end = time.time() + 60
while time.time() < end:
    try:
        os.kill(pid, 0)
    except OSError:
        sys.exit(f"server process {pid} exited")
    try:
        key = re.search(r"API key\s*:\s*(cik_\S+)", open(stdout, errors="replace").read())
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=5)
        c.request("PROPFIND", u.path, headers={"Authorization": auth, "Depth": "0"})
        r = c.getresponse(); r.read(); c.close()
        if r.status == 207 and key:
            print(key.group(1))
            sys.exit(0)
    except OSError:
        pass
    time.sleep(0.3)
sys.exit("server not ready (or no API key printed) after 60 s")
EOF
}

# Waits until something listens on 127.0.0.1:$1 (at most 10 s).
wait_port() {
  "$PY" - "$1" <<'EOF'
import socket, sys, time
end = time.time() + 10
while time.time() < end:
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1).close(); sys.exit(0)
    except OSError:
        time.sleep(0.1)
sys.exit("smtp-sink not listening")
EOF
}

STATUS=0
if [ -z "${REPORT_ONLY:-}" ]; then
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

# ---------------------------------------------------------------- smtp-sink (Debian package postfix)
stop_postfix_daemon() {
  if command -v postfix >/dev/null && postfix status >/dev/null 2>&1; then
    log "stopping the postfix mail daemon (only smtp-sink is used)"
    postfix stop >/dev/null 2>&1 || service postfix stop >/dev/null 2>&1 || true
  fi
}
if [ ! -x "$SINK" ]; then
  log "installing postfix for smtp-sink"
  if [ "$(id -u)" != 0 ]; then log "smtp-sink missing and not root: apt-get install postfix first"; exit 2; fi
  apt-get update -qq >"$OUT/apt.log" 2>&1
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postfix >>"$OUT/apt.log" 2>&1 \
    || { log "apt-get install postfix failed; see $OUT/apt.log"; exit 2; }
fi
stop_postfix_daemon
SINK_USER=()
[ "$(id -u)" = 0 ] && SINK_USER=(-u nobody)   # smtp-sink refuses to run as root without -u

# Starts smtp-sink: start_sink PORT LOG [extra options]; sets SINK_PID.
start_sink() {
  local port=$1 logf=$2; shift 2
  "$SINK" "${SINK_USER[@]}" -c "$@" "127.0.0.1:$port" 1024 >"$logf" 2>&1 &
  SINK_PID=$!
  PIDS+=("$SINK_PID")
  wait_port "$port"
}

# Starts calinvite: start_server CONNS SINK_PORT TAG; sets SRV_PID, SRV_URL, API_KEY.
start_server() {
  local conns=$1 sport=$2 tag=$3 port data
  port=$(free_port)
  data=$WORK/data-$tag
  rm -rf "$data"; mkdir -p "$data"
  RUST_LOG=warn CALINVITE_SMTP__HOST=127.0.0.1 CALINVITE_SMTP__PORT=$sport \
    CALINVITE_SMTP__MAX_CONNECTIONS=$conns CALINVITE_MAIL__FROM=$FROM \
    CALINVITE_SERVER__PUBLIC_URL=$PUBLIC_URL \
    "$BIN" serve --demo --data "$data" --listen "127.0.0.1:$port" \
    >"$OUT/calinvite-$tag.stdout" 2>"$OUT/calinvite-$tag.stderr" &
  SRV_PID=$!
  PIDS+=("$SRV_PID")
  SRV_URL=http://127.0.0.1:$port
  API_KEY=$(wait_ready "$SRV_URL/dav/calendars/demo/" "$SRV_PID" "$OUT/calinvite-$tag.stdout")
}

# ---------------------------------------------------------------- message size sample
if [ "${SAMPLE:-0}" -gt 0 ]; then
  SPORT=$(free_port)
  mkdir -p "$WORK/dump"
  chmod 777 "$WORK" "$WORK/dump"   # smtp-sink writes as nobody when started by root
  start_sink "$SPORT" "$OUT/sink-sample.log" -d "$WORK/dump/%H%M%S."
  start_server 2 "$SPORT" sample
  log "sample run: $SAMPLE messages captured to measure their size"
  "$PY" "$HERE/send_bench.py" --base-url "$SRV_URL" --api-key "$API_KEY" --pid "$SRV_PID" \
    -n "$SAMPLE" --budget 60 --label sample --json "$OUT/sample-run.json" >"$OUT/sample.txt" 2>&1 || true
  stop_pid "$SRV_PID"; stop_pid "$SINK_PID"
  "$PY" - "$WORK/dump" "$OUT/sample.json" "$OUT/sample-message.eml" <<'EOF' || log "message size sample failed"
import json, os, sys
d, out, eml = sys.argv[1:4]
sizes = []
first = None
for name in sorted(os.listdir(d)):
    lines = open(os.path.join(d, name), "rb").read().split(b"\n")
    # smtp-sink's own headers end with the three-line Received: header.
    i = next(k for k, l in enumerate(lines) if l.startswith(b"Received: from"))
    msg = lines[i + 3:]
    if msg and msg[-1] == b"":
        msg = msg[:-1]
    if msg and msg[-1] == b"":   # the empty line smtp-sink appends
        msg = msg[:-1]
    wire = sum(len(l) + 2 for l in msg)   # CRLF on the wire
    sizes.append(wire)
    if first is None:
        first = b"\n".join(msg)
if not sizes:
    sys.exit("no message captured")
open(eml, "wb").write(first + b"\n")
json.dump({"messages": len(sizes), "avg_bytes": round(sum(sizes) / len(sizes)), "min_bytes": min(sizes), "max_bytes": max(sizes)}, open(out, "w"))
print(f"message size: {len(sizes)} captured, average {sum(sizes) / len(sizes):.0f} bytes (min {min(sizes)}, max {max(sizes)})")
EOF
  rm -rf "$WORK/dump"
fi

# ---------------------------------------------------------------- the runs
for C in $CONNS; do
  SPORT=$(free_port)
  start_sink "$SPORT" "$OUT/sink-$C.log"
  start_server "$C" "$SPORT" "$C"
  log "run: N=$N max_connections=$C (calinvite pid $SRV_PID on $SRV_URL, smtp-sink pid $SINK_PID on port $SPORT)"
  if ! "$PY" "$HERE/send_bench.py" --base-url "$SRV_URL" --api-key "$API_KEY" --pid "$SRV_PID" \
      --sink-pid "$SINK_PID" --sink-log "$OUT/sink-$C.log" -n "$N" --budget "$BUDGET" --poll "$POLL" \
      --label "conns=$C" --json "$OUT/send-$C.json"; then
    STATUS=1
  fi
  stop_pid "$SRV_PID"; stop_pid "$SINK_PID"
  # smtp-sink's counter output is block-buffered into the file: read its final count now.
  "$PY" - "$OUT/sink-$C.log" "$OUT/send-$C.json" "$C" <<'EOF' || true
import json, re, sys
m = re.findall(r"mesg=(\d+)", open(sys.argv[1], errors="replace").read())
r = json.load(open(sys.argv[2]))
r["sink_messages"] = int(m[-1]) if m else None
json.dump(r, open(sys.argv[2], "w"), indent=1)
print(f"[conns={sys.argv[3]}] smtp-sink counted {r['sink_messages']} messages in total")
EOF
done
stop_postfix_daemon
fi   # REPORT_ONLY

# ---------------------------------------------------------------- report
"$PY" - "$OUT" "$RESULTS" "$N" "$BUDGET" "$POLL" "$BIN" <<'EOF'
import datetime, glob, json, os, platform, subprocess, sys
out, results, n, budget, poll, binary = sys.argv[1:7]
runs = []
for p in glob.glob(os.path.join(out, "send-*.json")):
    r = json.load(open(p))
    r["conns"] = int(os.path.basename(p)[5:-5])
    runs.append(r)
runs.sort(key=lambda r: r["conns"])
sample = json.load(open(os.path.join(out, "sample.json"))) if os.path.exists(os.path.join(out, "sample.json")) else None

def f(v, spec="", unit=""):
    return "n/a" if v is None else format(v, spec) + unit

cpu = "unknown"
try:
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip(); break
except OSError:
    pass
mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
try:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=os.path.dirname(results)).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True, cwd=os.path.dirname(results)).stdout.strip()
    if commit and dirty:
        commit += " (plus uncommitted changes in the working tree)"
except OSError:
    commit = ""
try:
    sinkver = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "postfix"], capture_output=True, text=True).stdout.strip()
except OSError:
    sinkver = ""

header = ["max_connections", "accept+queue (s)", "sent", "failed", "deferred", "last delivery (s after 202)",
          "overall (msg/s)", "steady (msg/s)", "peak RSS (MB)", "server CPU/msg (µs)", "machine busy"]
rows = []
for r in runs:
    rows.append([
        str(r["conns"]), f(r["accept_queue_s"], ".2f"), str(r["sent"]), str(r["failed"]), str(r["deferred"]),
        f(r["last_delivery_s_after_202"], ".1f") if r["done"] else f"not done ({r['pending']} pending after {r['delivery_wall_s']:.0f} s)",
        f(r["rate_overall_msg_s"], ".0f"), f(r["rate_steady_msg_s"], ".0f"),
        f(r["peak_rss_kb"] / 1024 if r["peak_rss_kb"] else None, ".0f"),
        f(r["server_cpu_per_msg_us"], ".0f"), f(r["machine_busy_share_delivery"] * 100, ".0f", "%"),
    ])
table = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
table += ["| " + " | ".join(row) + " |" for row in rows]
table_txt = "\n".join(table)
print()
print(table_txt)

def verdict(ok):
    return "met" if ok else "**not met**"
targets = []
for r in runs:
    targets.append(
        f"- max_connections={r['conns']}: queueing < 5 s {verdict(r['accept_queue_s'] < 5)} ({r['accept_queue_s']:.2f} s); "
        f"delivery ≥ 5,000 msg/s {verdict((r['rate_overall_msg_s'] or 0) >= 5000)} (overall {f(r['rate_overall_msg_s'], '.0f')}, steady {f(r['rate_steady_msg_s'], '.0f')}); "
        f"RSS < 150 MB {verdict(r['peak_rss_kb'] and r['peak_rss_kb'] < 150 * 1024)} ({f(r['peak_rss_kb'] / 1024 if r['peak_rss_kb'] else None, '.0f')} MB)"
    )
detail = []
for r in runs:
    thr = ", ".join(f"`{k}` {v:.1f} s" for k, v in list(r["server_thread_cpu_delivery_s"].items())[:6])
    detail.append(
        f"- max_connections={r['conns']}: delivery phase {r['delivery_wall_s']:.1f} s wall; server CPU {r['server_cpu_delivery_s']:.1f} s "
        f"({thr}); smtp-sink CPU {f(r['sink_cpu_delivery_s'], '.1f')} s; machine busy {r['machine_busy_share_delivery'] * 100:.0f}%; "
        f"smtp-sink counted {f(r['sink_messages'])} messages; accept+queue used {r['accept_server_cpu_s']:.1f} s server CPU; "
        f"first delivery seen {f(r['first_delivery_seen_s'], '.1f')} s after the 202; threads {r['threads']}"
    )

# Hand-written observations below the marker in an existing report are kept.
MARK = "<!-- observations: hand-written, kept by send_run.sh -->"
kept = ""
if os.path.exists(results):
    old = open(results, encoding="utf-8").read()
    if MARK in old:
        kept = old.split(MARK, 1)[1].strip()

md = f"""# Outbound-mail benchmark (calinvite → smtp-sink)

Generated by `conformance/bench/send_run.sh` on {datetime.datetime.now().strftime('%Y-%m-%d %H:%M')}.

## Setup

- Machine: {os.cpu_count()} cores ({cpu}), {mem_gb:.0f} GiB RAM, {platform.system()} {platform.release()};
  shared by calinvite, smtp-sink and the load generator.
- calinvite: release build `{os.path.relpath(binary, os.path.dirname(os.path.dirname(os.path.dirname(results))))}`{f' at commit {commit}' if commit else ''},
  `serve --demo`, `RUST_LOG=warn`, fresh data folder per run, `mail.from=events@invites.example.org`,
  `server.public_url=https://invites.example.org`, default `smtp.rate_per_second=0` (no limit).
- Sink: Postfix `smtp-sink -c 127.0.0.1:PORT 1024` (postfix {sinkver or '?'}), mail accepted and thrown away.
- Load: one event (UTF-8 SUMMARY/LOCATION/DESCRIPTION, {runs[0]['event_bytes'] if runs else '?'} bytes) and N = {n} recipients
  `fanNNNNNN@example.org`, all in one `POST /api/v1/events/bench-1/invitations`
  ({f(runs[0]['payload_bytes'] / 1e6 if runs else None, '.1f')} MB JSON); progress polled every {poll} s
  (`GET /api/v1/batches/ID`), budget {budget} s per run.
- Message size: {f"{sample['avg_bytes']} bytes on average on the wire (min {sample['min_bytes']}, max {sample['max_bytes']}; {sample['messages']} messages captured with `smtp-sink -d` in a separate small run)" if sample else "not measured"}.

Definitions: *accept+queue* = HTTP round trip of the POST until the 202; *overall* = sent ÷ time from
the 202 to the poll that saw the batch done; *steady* = the same rate excluding the first second after
the first delivery was seen; *last delivery* has the resolution of the poll interval; *peak RSS* =
`VmHWM` of the server process; *server CPU/msg* = server CPU time in the delivery phase ÷ messages;
*machine busy* = share of all cores busy during the delivery phase (server, sink and poller together).

## Results

{table_txt}

Targets (from the issue): queueing in < 5 s, delivery ≥ 5,000 msg/s, RSS < 150 MB.

{chr(10).join(targets)}

### Where the CPU went (delivery phase)

{chr(10).join(detail)}

Raw data: `out/send/send-*.json` (every progress sample), server logs `out/send/calinvite-*.stderr`.

## Observations

{MARK}

{kept}
"""
open(results, "w", encoding="utf-8").write(md.rstrip() + "\n")
print(f"\nwrote {results}")
EOF
log "done (exit $STATUS)"
exit $STATUS
