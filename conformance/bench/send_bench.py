#!/usr/bin/env python3
"""Outbound-mail benchmark for calinvite (standard library only).

Creates one event by CalDAV, invites N generated recipients with one Send API call, then
polls the batch every --poll seconds until it is done (or --budget runs out) and reports:

* accept+queue: wall time of the POST (HTTP round trip until the 202 with the batch id);
* delivery rate: messages/s overall (sent / time from the 202 to the last delivery) and
  steady state (excluding the first second after the first delivery was seen);
* time to last delivery (from the start of the POST and from the 202), failures, deferrals;
* peak RSS of the server (VmHWM from /proc/<pid>/status) and RSS samples;
* CPU seconds of the server per thread name, of the sink (--sink-pid) and machine-wide
  busy share during delivery, to tell where the time goes;
* the smtp-sink counter (--sink-log: the file its `-c` output goes to) as a cross-check.

The poll resolution bounds the precision of the delivery times (±--poll seconds).

Exit codes: 0 every message was sent within the budget, 1 not (failures, deferrals left,
budget exceeded, request error), 2 setup failed.
"""

import argparse
import base64
import http.client
import json
import os
import re
import sys
import time
import urllib.parse

CLK_TCK = os.sysconf("SC_CLK_TCK")

EVENT_TEMPLATE = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//calinvite bench//send_bench//EN\r
BEGIN:VEVENT\r
UID:{uid}\r
DTSTAMP:20300101T000000Z\r
DTSTART:20300615T170000Z\r
DTEND:20300615T190000Z\r
SEQUENCE:0\r
SUMMARY:{summary}\r
LOCATION:{location}\r
DESCRIPTION:{description}\r
END:VEVENT\r
END:VCALENDAR\r
"""

SUMMARY = "Sommerkonzert im Park – 夏のコンサート – حفل الصيف 🎶 Open-air, free entry"
LOCATION = "Stadtpark Bühne\\, Hauptstraße 1\\, 10115 Berlin"
DESCRIPTION = (
    "Liebe Freundinnen und Freunde der Musik\\, wir laden herzlich zu unserem "
    "Sommerkonzert ein. Getränke gibt es vor Ort.\\n"
    "夏の野外コンサート、入場無料。\\n"
    "مرحبا بكم في حفل الصيف.\\n"
    "Bring a blanket ☀️🎻 — music from 19:00."
)


def fold(line: str) -> str:
    """Fold a content line at 75 octets, never inside a UTF-8 sequence."""
    out, cur, size = [], "", 0
    for ch in line:
        n = len(ch.encode("utf-8"))
        limit = 75 if not out else 74
        if size + n > limit:
            out.append(cur)
            cur, size = "", 0
        cur += ch
        size += n
    out.append(cur)
    return "\r\n ".join(out)


def make_event(uid: str) -> bytes:
    text = EVENT_TEMPLATE.format(uid=uid, summary=SUMMARY, location=LOCATION, description=DESCRIPTION)
    lines = [fold(l) for l in text.split("\r\n")]
    return "\r\n".join(lines).encode("utf-8")


class Client:
    def __init__(self, base_url: str, timeout: float):
        u = urllib.parse.urlsplit(base_url)
        self.host, self.port = u.hostname, u.port or 80
        self.timeout = timeout
        self.conn = None

    def request(self, method, path, body=None, headers=None):
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            try:
                self.conn.request(method, path, body=body, headers=headers or {})
                r = self.conn.getresponse()
                data = r.read()
                return r.status, data
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = None
                if attempt == 1:
                    raise
        raise RuntimeError("unreachable")


def read_status(pid: int) -> dict:
    out = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                k, _, v = line.partition(":")
                if k in ("VmHWM", "VmRSS", "Threads"):
                    out[k] = int(v.split()[0])
    except OSError:
        pass
    return out


def proc_cpu(pid: int) -> float:
    """utime+stime of a process in seconds (0 if it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK
    except (OSError, IndexError, ValueError):
        return 0.0


def thread_cpu(pid: int) -> dict:
    """CPU seconds per thread name (threads with the same name are summed)."""
    out = {}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                s = f.read()
        except OSError:
            continue
        name = s[s.index("(") + 1 : s.rindex(")")]
        fields = s.rsplit(")", 1)[1].split()
        out[name] = out.get(name, 0.0) + (int(fields[11]) + int(fields[12])) / CLK_TCK
    return out


def machine_cpu():
    """(busy, total) jiffies from /proc/stat."""
    with open("/proc/stat") as f:
        vals = [int(x) for x in f.readline().split()[1:]]
    idle = vals[3] + (vals[4] if len(vals) > 4 else 0)
    return sum(vals) - idle, sum(vals)


def sink_count(path):
    """The last `msg=` value of smtp-sink's -c counter output, or None."""
    if not path:
        return None
    try:
        with open(path, "rb") as f:
            f.seek(0, 2)
            size = f.tell()
            f.seek(max(0, size - 4096))
            tail = f.read().decode("ascii", "replace")
    except OSError:
        return None
    m = re.findall(r"mesg=(\d+)", tail)
    return int(m[-1]) if m else None


def rate_between(samples, t_from, t_to=None):
    """Messages/s between the first sample at or after t_from and the last one (or t_to)."""
    pts = [s for s in samples if s["t"] >= t_from and (t_to is None or s["t"] <= t_to)]
    if len(pts) < 2 or pts[-1]["t"] <= pts[0]["t"]:
        return None
    return (pts[-1]["sent"] - pts[0]["sent"]) / (pts[-1]["t"] - pts[0]["t"])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base-url", default="http://127.0.0.1:8080")
    ap.add_argument("--user", default="demo")
    ap.add_argument("--password", default="demo")
    ap.add_argument("--api-key", required=True)
    ap.add_argument("--calendar", default="/dav/calendars/demo/default/")
    ap.add_argument("--uid", default="bench-1")
    ap.add_argument("-n", type=int, default=100_000, help="recipients (at most 100,000 per call)")
    ap.add_argument("--domain", default="example.org")
    ap.add_argument("--pid", type=int, required=True, help="PID of the calinvite server")
    ap.add_argument("--sink-pid", type=int, default=0, help="PID of smtp-sink (for its CPU time)")
    ap.add_argument("--sink-log", default="", help="file with smtp-sink -c output (cross-check)")
    ap.add_argument("--poll", type=float, default=0.2, help="seconds between progress polls")
    ap.add_argument("--budget", type=float, default=600, help="seconds allowed for delivery")
    ap.add_argument("--label", default="")
    ap.add_argument("--json", default="", help="write everything measured here")
    args = ap.parse_args()

    cli = Client(args.base_url, timeout=max(120.0, args.budget))
    basic = "Basic " + base64.b64encode(f"{args.user}:{args.password}".encode()).decode()
    bearer = "Bearer " + args.api_key

    # 1. The event.
    body = make_event(args.uid)
    path = args.calendar.rstrip("/") + f"/{args.uid}.ics"
    try:
        st, data = cli.request("PUT", path, body, {"Authorization": basic, "Content-Type": "text/calendar; charset=utf-8"})
    except OSError as e:
        print(f"setup: PUT {path}: {e}", file=sys.stderr)
        return 2
    if st not in (201, 204):
        print(f"setup: PUT {path} -> {st} {data[:300]!r}", file=sys.stderr)
        return 2
    print(f"[{args.label}] event {args.uid}: {len(body)} bytes stored ({st})", flush=True)

    # 2. The recipients, in one call.
    t = time.perf_counter()
    payload = json.dumps(
        {"recipients": [{"email": f"fan{i:06d}@{args.domain}"} for i in range(1, args.n + 1)]},
        separators=(",", ":"),
    ).encode()
    build_s = time.perf_counter() - t
    rss_before = read_status(args.pid)
    cpu0 = proc_cpu(args.pid)
    thr0 = thread_cpu(args.pid)
    sink_cpu0 = proc_cpu(args.sink_pid) if args.sink_pid else 0.0
    sink_msgs0 = sink_count(args.sink_log) or 0
    mc0 = machine_cpu()
    t_post = time.perf_counter()
    try:
        st, data = cli.request(
            "POST",
            f"/api/v1/events/{urllib.parse.quote(args.uid)}/invitations",
            payload,
            {"Authorization": bearer, "Content-Type": "application/json"},
        )
    except OSError as e:
        print(f"POST invitations: {e}", file=sys.stderr)
        return 1
    t_accepted = time.perf_counter()
    accept_s = t_accepted - t_post
    if st != 202:
        print(f"POST invitations -> {st} {data[:500]!r}", file=sys.stderr)
        return 1
    resp = json.loads(data)
    batch, queued = resp["batch"], resp["queued"]
    cpu_accept = proc_cpu(args.pid) - cpu0
    print(
        f"[{args.label}] POST {len(payload) / 1e6:.1f} MB, {args.n} recipients: 202 in {accept_s:.2f} s, "
        f"batch {batch}, queued {queued}, invalid {len(resp.get('invalid', []))}",
        flush=True,
    )

    # 3. Delivery.
    samples = []
    last = {}
    deadline = t_accepted + args.budget
    thr1 = thread_cpu(args.pid)
    cpu1 = proc_cpu(args.pid)
    sink_cpu1 = proc_cpu(args.sink_pid) if args.sink_pid else 0.0
    mc1 = machine_cpu()
    next_report = t_accepted + 5
    poll_errors = 0
    while True:
        try:
            st, data = cli.request("GET", f"/api/v1/batches/{batch}", None, {"Authorization": bearer})
        except OSError as e:
            poll_errors += 1
            st, data = 0, str(e).encode()
        now = time.perf_counter()
        if st == 200:
            last = json.loads(data)
            s = read_status(args.pid)
            samples.append(
                {
                    "t": round(now - t_accepted, 4),
                    "sent": last["sent"],
                    "deferred": last["deferred"],
                    "failed": last["failed"],
                    "pending": last["pending"],
                    "rss_kb": s.get("VmRSS"),
                }
            )
            if now >= next_report:
                print(
                    f"[{args.label}]   t={now - t_accepted:6.1f}s sent={last['sent']} pending={last['pending']} "
                    f"deferred={last['deferred']} failed={last['failed']} rss={s.get('VmRSS', 0) / 1024:.0f}MB",
                    flush=True,
                )
                next_report = now + 5
            if last["done"]:
                break
        elif st != 0:
            poll_errors += 1
        if poll_errors > 50 or now >= deadline:
            break
        time.sleep(max(0.0, args.poll - (time.perf_counter() - now)))
    t_end = time.perf_counter()
    thr2 = thread_cpu(args.pid)
    cpu2 = proc_cpu(args.pid)
    sink_cpu2 = proc_cpu(args.sink_pid) if args.sink_pid else 0.0
    mc2 = machine_cpu()
    status = read_status(args.pid)
    time.sleep(0.5)  # let smtp-sink print its counter
    sink_msgs = sink_count(args.sink_log)

    sent = last.get("sent", 0)
    done = bool(last.get("done"))
    first = next((s["t"] for s in samples if s["sent"] > 0), None)
    t_last = next((s["t"] for s in samples if s["sent"] + s["failed"] >= queued), None) if done else None
    span = t_last if t_last is not None else (samples[-1]["t"] if samples else None)
    overall = sent / span if span else None
    steady = rate_between(samples, first + 1.0) if first is not None else None
    deliver_s = t_end - t_accepted
    thread_delta = {k: round(v - thr1.get(k, 0.0), 2) for k, v in thr2.items() if v - thr1.get(k, 0.0) > 0.005}
    thread_delta = dict(sorted(thread_delta.items(), key=lambda kv: -kv[1]))
    busy = (mc2[0] - mc1[0]) / max(1, mc2[1] - mc1[1])

    result = {
        "label": args.label,
        "n": args.n,
        "queued": queued,
        "payload_bytes": len(payload),
        "event_bytes": len(body),
        "json_build_s": round(build_s, 3),
        "accept_queue_s": round(accept_s, 3),
        "accept_server_cpu_s": round(cpu_accept, 2),
        "sent": sent,
        "failed": last.get("failed"),
        "deferred": last.get("deferred"),
        "pending": last.get("pending"),
        "done": done,
        "first_delivery_seen_s": first,
        "last_delivery_s_after_202": t_last,
        "last_delivery_s_after_post": round(t_last + accept_s, 3) if t_last is not None else None,
        "rate_overall_msg_s": round(overall, 1) if overall else None,
        "rate_steady_msg_s": round(steady, 1) if steady else None,
        "rss_before_kb": rss_before.get("VmRSS"),
        "peak_rss_kb": status.get("VmHWM"),
        "rss_end_kb": status.get("VmRSS"),
        "threads": status.get("Threads"),
        "server_cpu_delivery_s": round(cpu2 - cpu1, 2),
        "server_cpu_per_msg_us": round((cpu2 - cpu1) / sent * 1e6, 1) if sent else None,
        "server_thread_cpu_delivery_s": thread_delta,
        "sink_cpu_delivery_s": round(sink_cpu2 - sink_cpu1, 2) if args.sink_pid else None,
        "machine_busy_share_delivery": round(busy, 3),
        "delivery_wall_s": round(deliver_s, 2),
        "sink_messages": (sink_msgs - sink_msgs0) if sink_msgs is not None else None,
        "poll_errors": poll_errors,
        "samples": samples,
    }
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)

    def fmt(v, spec):
        return "n/a" if v is None else format(v, spec)

    print(f"[{args.label}] accept+queue          : {accept_s:.2f} s ({args.n} recipients, {len(payload) / 1e6:.1f} MB JSON)")
    print(f"[{args.label}] sent / failed / deferred: {sent} / {last.get('failed')} / {last.get('deferred')}  (smtp-sink counted {fmt(result['sink_messages'], 'd')})")
    print(f"[{args.label}] last delivery         : {fmt(t_last, '.1f')} s after the 202 ({fmt(result['last_delivery_s_after_post'], '.1f')} s after the POST)")
    print(f"[{args.label}] rate overall / steady : {fmt(overall, '.0f')} / {fmt(steady, '.0f')} msg/s")
    print(f"[{args.label}] peak RSS (VmHWM)      : {status.get('VmHWM', 0) / 1024:.0f} MB")
    print(
        f"[{args.label}] CPU during delivery   : server {cpu2 - cpu1:.1f} s ({fmt(result['server_cpu_per_msg_us'], '.0f')} µs/msg), "
        f"smtp-sink {fmt(result['sink_cpu_delivery_s'], '.1f')} s, machine busy {busy * 100:.0f}% of {os.cpu_count()} cores over {deliver_s:.1f} s"
    )
    top = ", ".join(f"{k} {v:.1f}s" for k, v in list(thread_delta.items())[:6])
    print(f"[{args.label}] server threads (CPU)  : {top}", flush=True)
    ok = done and sent == queued and not last.get("failed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
