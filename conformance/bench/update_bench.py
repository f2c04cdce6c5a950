#!/usr/bin/env python3
"""Time from a CalDAV PUT that moves an event to all its update jobs being queued.

Starts a release calinvite (no SMTP host, so the jobs stay queued and are counted, not
sent), creates an event, invites N recipients through the Send API, then moves the event
and times the PUT: the fan-out is written in the same transaction as the change, so when
the PUT returns every update job exists. With --all-recipients (the default) every
recipient is reached (lifecycle.update_needs_action), twice the issue's case of half the
recipients answering Yes/Maybe, so the figure is an upper bound.

Usage: update_bench.py BINARY [-n 100000]
"""
import argparse
import base64
import http.client
import json
import os
import re
import socket
import subprocess
import tempfile
import time

p = argparse.ArgumentParser()
p.add_argument("binary")
p.add_argument("-n", type=int, default=100_000)
args = p.parse_args()

s = socket.socket()
s.bind(("127.0.0.1", 0))
port = s.getsockname()[1]
s.close()
data = tempfile.mkdtemp(prefix="upd-")
env = dict(os.environ, RUST_LOG="warn", CALINVITE_LIFECYCLE__SETTLE_SECONDS="0",
           CALINVITE_LIFECYCLE__UPDATE_NEEDS_ACTION="true", CALINVITE_SMTP__HOST="")
proc = subprocess.Popen([args.binary, "serve", "--demo", "--data", data, "--listen", f"127.0.0.1:{port}"],
                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True)
key = None
for line in proc.stdout:
    m = re.search(r"API key\s+: (\S+)", line)
    if m:
        key = m.group(1)
        break
auth = "Basic " + base64.b64encode(b"demo:demo").decode()
conn = None
for _ in range(100):
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port)
        conn.request("GET", "/healthz")
        conn.getresponse().read()
        break
    except OSError:
        time.sleep(0.1)


def req(method, path, body=b"", headers=None):
    h = {"Authorization": auth}
    h.update(headers or {})
    conn.request(method, path, body=body, headers=h)
    r = conn.getresponse()
    return r.status, r.read()


def event(hour):
    return (f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\nBEGIN:VEVENT\r\nUID:upd-1\r\n"
            f"DTSTAMP:20300101T000000Z\r\nDTSTART:20300315T{hour}0000Z\r\nDTEND:20300315T{hour + 2}0000Z\r\n"
            "SUMMARY:Season opener\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n").encode()


try:
    assert req("PUT", "/dav/calendars/demo/default/upd-1.ics", event(18), {"Content-Type": "text/calendar"})[0] == 201
    recipients = [{"email": f"fan{i:06d}@example.org"} for i in range(args.n)]
    t0 = time.time()
    status, body = req("POST", "/api/v1/events/upd-1/invitations", json.dumps({"recipients": recipients}).encode(),
                       {"Content-Type": "application/json"})
    queued = json.loads(body)["queued"]
    invite_s = time.time() - t0
    t0 = time.time()
    status, _ = req("PUT", "/dav/calendars/demo/default/upd-1.ics", event(19), {"Content-Type": "text/calendar"})
    put_s = time.time() - t0
    assert status == 204, status
    print(f"recipients invited: {queued} in {invite_s:.2f} s")
    print(f"time change with {args.n} recipients reached: PUT returned with every update job queued in {put_s:.2f} s "
          f"({args.n / put_s:,.0f} jobs/s)")
finally:
    proc.terminate()
    proc.wait(timeout=30)
