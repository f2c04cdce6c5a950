#!/usr/bin/env python3
"""10,000 REPLYs for one event, through LMTP and through the inbound webhook.

Starts a release calinvite (no SMTP host: invitations stay queued, nothing leaves the
machine) with its LMTP listener, invites N recipients to an event through the Send API,
then delivers one REPLY per recipient (Accept, Decline and Tentative in turn, each a
complete iMIP message with its own Message-ID) from P client processes:

- over LMTP, one connection per process, one message per transaction, as Postfix
  delivers; the time runs from the first MAIL FROM to the last 250 per recipient;
- through `POST /api/v1/inbound` (raw RFC 5322 body), one keep-alive connection per
  process, to a second event with its own N recipients.

For each path it reports messages/s of the delivery itself, the server's CPU time per
message (what the server could do with the cores to itself), and the time until the API
shows the last answer (`GET /api/v1/events/{uid}/stats` counts no NEEDS-ACTION left),
measured from the first message. Every message is checked to have been applied.

Usage: reply_bench.py BINARY [-n 10000] [-p 4] [--json OUT]
"""
import argparse
import base64
import http.client
import json
import multiprocessing
import os
import re
import shutil
import smtplib
import socket
import subprocess
import tempfile
import time

ANSWERS = ["ACCEPTED", "DECLINED", "TENTATIVE"]


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def reply(uid, i, tag):
    email = f"r{i}@{tag}.example.org"
    answer = ANSWERS[i % 3]
    return email, (
        f"From: {email}\r\nTo: events@invites.example.org\r\nMessage-ID: <{tag}-{i}@bench.example.org>\r\n"
        f"Date: Wed, 25 Nov 2026 12:00:00 +0000\r\nSubject: {answer.title()}: Bench\r\nMIME-Version: 1.0\r\n"
        f"Content-Type: text/calendar; method=REPLY; charset=utf-8\r\n\r\n"
        f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\n"
        f"UID:{uid}\r\nDTSTAMP:20261125T120000Z\r\nSEQUENCE:0\r\n"
        f"ATTENDEE;PARTSTAT={answer}:mailto:{email}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()


def cpu_seconds(pid):
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def lmtp_worker(args):
    port, uid, tag, indices = args
    c = smtplib.LMTP("127.0.0.1", port)
    refused = 0
    for i in indices:
        email, raw = reply(uid, i, tag)
        r = c.sendmail(email, ["events@invites.example.org"], raw)
        refused += len(r)
    c.quit()
    return refused


def webhook_worker(args):
    port, auth, uid, tag, indices = args
    conn = http.client.HTTPConnection("127.0.0.1", port)
    bad = 0
    for i in indices:
        _, raw = reply(uid, i, tag)
        conn.request("POST", "/api/v1/inbound", body=raw,
                     headers={"Authorization": auth, "Content-Type": "message/rfc822"})
        r = conn.getresponse()
        body = r.read()
        if r.status != 200 or b'"applied"' not in body:
            bad += 1
    conn.close()
    return bad


def main():
    p = argparse.ArgumentParser()
    p.add_argument("binary")
    p.add_argument("-n", type=int, default=10_000)
    p.add_argument("-p", type=int, default=4, help="client processes")
    p.add_argument("--json")
    args = p.parse_args()

    port, lmtp = free_port(), free_port()
    data = tempfile.mkdtemp(prefix="reply-bench-")
    env = dict(os.environ, RUST_LOG="warn", CALINVITE_SMTP__HOST="",
               CALINVITE_LMTP__LISTEN=f"127.0.0.1:{lmtp}", CALINVITE_MAIL__FROM="events@invites.example.org",
               CALINVITE_INBOUND__NOTIFY_STORED="false")
    proc = subprocess.Popen([args.binary, "serve", "--demo", "--data", data, "--listen", f"127.0.0.1:{port}"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True)
    try:
        for line in proc.stdout:
            if re.search(r"API key\s*:", line):
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

        def api(method, path, body=None):
            payload = json.dumps(body).encode() if body is not None else b""
            conn.request(method, path, body=payload, headers={"Authorization": auth, "Content-Type": "application/json"})
            r = conn.getresponse()
            raw = r.read()
            if r.status >= 300:
                raise SystemExit(f"{method} {path}: {r.status} {raw[:300]!r}")
            return json.loads(raw) if raw else None

        results = {"n": args.n, "processes": args.p, "runs": {}}
        for tag, via in (("lmtp", "LMTP"), ("hook", "webhook")):
            uid = f"reply-bench-{tag}"
            api("POST", "/api/v1/events", {"uid": uid, "summary": f"Bench {via}", "start": "2030-03-15T18:00:00Z",
                                           "end": "2030-03-15T20:00:00Z"})
            recipients = [{"email": f"r{i}@{tag}.example.org"} for i in range(args.n)]
            api("POST", f"/api/v1/events/{uid}/invitations", {"recipients": recipients})
            chunks = [list(range(k, args.n, args.p)) for k in range(args.p)]
            cpu_before = cpu_seconds(proc.pid)
            started = time.perf_counter()
            with multiprocessing.Pool(args.p) as pool:
                if tag == "lmtp":
                    failures = sum(pool.map(lmtp_worker, [(lmtp, uid, tag, c) for c in chunks]))
                else:
                    failures = sum(pool.map(webhook_worker, [(port, auth, uid, tag, c) for c in chunks]))
            delivered = time.perf_counter() - started
            server_cpu = cpu_seconds(proc.pid) - cpu_before
            # The answers are applied before each message is acknowledged; this confirms
            # the API shows them all.
            while True:
                stats = api("GET", f"/api/v1/events/{uid}/stats")
                counts = stats.get("by_status") or stats.get("counts") or {}
                waiting = counts.get("NEEDS-ACTION", 0)
                if waiting == 0 or time.perf_counter() - started > 600:
                    break
                time.sleep(0.05)
            visible = time.perf_counter() - started
            run = {"via": via, "failures": failures, "delivery_s": round(delivered, 3),
                   "messages_per_s": round(args.n / delivered), "last_visible_s": round(visible, 3),
                   "server_cpu_us_per_message": round(server_cpu / args.n * 1e6),
                   "counts": counts}
            results["runs"][tag] = run
            print(json.dumps(run))
        if args.json:
            with open(args.json, "w") as f:
                json.dump(results, f, indent=2)
    finally:
        proc.terminate()
        proc.wait(30)
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
