#!/usr/bin/env python3
"""CalDAV scale benchmark: grow one calendar to each size in --sizes and measure, at each size,
requests/second and latency of PROPFIND Depth:1, sync-collection (after 10 changes), and the
one-month calendar-query plain and expanded; plus GET of one event under `wrk`.

    python3 scale_caldav.py --base-url URL --user U --password P --home /dav/calendars/demo/ \
        [--sizes 10000,50000,100000] [--load-clients 6] [--clients 4] [--duration 8] \
        [--wrk-duration 10s] [--time-budget 1200] [--server-pid PID] [--data-dir DIR] \
        [--label TEXT] [--json OUT] [--keep]

Uses the event generator and HTTP client of bench_caldav.py (same folder). The calendar is
grown in place: the 50,000 step adds 40,000 events to the 10,000 already stored.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_caldav as B  # noqa: E402

CT = {"Content-Type": "application/xml; charset=utf-8"}


def rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def dir_bytes(path):
    total = 0
    for root, _dirs, files in os.walk(path):
        for fn in files:
            try:
                total += os.path.getsize(os.path.join(root, fn))
            except OSError:
                pass
    return total


def throughput(base, method, path, body, headers, clients, duration, expect_status=207):
    """Closed loop: `clients` threads, each on its own keep-alive connection, send the same
    request back to back for `duration` seconds (each thread finishes its request in flight)."""
    lock = threading.Lock()
    lats, bad, sizes = [], [0], []
    stop = time.perf_counter() + duration

    def worker():
        c = B.Client(*base, timeout=300)
        local, nbad, sz = [], 0, 0
        try:
            while time.perf_counter() < stop:
                st, _h, data, t = c.request(method, path, body, headers)
                local.append(t)
                sz = len(data)
                if st != expect_status:
                    nbad += 1
        finally:
            c.close()
            with lock:
                lats.extend(local)
                bad[0] += nbad
                sizes.append(sz)

    t0 = time.perf_counter()
    ths = [threading.Thread(target=worker, daemon=True) for _ in range(clients)]
    for th in ths:
        th.start()
    for th in ths:
        th.join(timeout=duration + 600)
    wall = time.perf_counter() - t0
    return {"clients": clients, "requests": len(lats), "seconds": round(wall, 2),
            "req_per_s": round(len(lats) / wall, 2) if wall > 0 else None,
            "bad_status": bad[0], "bytes": max(sizes) if sizes else None, **B.lat_summary(lats)}


def serial(client, method, path, body, headers, repeat):
    runs, last = [], None
    for _ in range(repeat):
        st, hd, data, t = client.request(method, path, body, headers)
        runs.append(t)
        last = (st, hd, data)
    return {"median_ms": B.ms(statistics.median(runs)), "first_ms": B.ms(runs[0])}, last


def run_wrk(url, user, password, duration, threads=2, conns=32):
    if not shutil.which("wrk"):
        return {"skipped": "wrk not installed"}
    auth = base64.b64encode(f"{user}:{password}".encode()).decode()
    cmd = ["wrk", f"-t{threads}", f"-c{conns}", f"-d{duration}", "--latency",
           "-H", f"Authorization: Basic {auth}", url]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    out = p.stdout
    r = {"command": " ".join(cmd[:5] + ["-H", "'Authorization: Basic ...'", url]), "rc": p.returncode}
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    r["req_per_s"] = float(m.group(1)) if m else None
    m = re.search(r"(\d+) requests in", out)
    r["requests"] = int(m.group(1)) if m else None
    m = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    r["non_2xx"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors:(.*)", out)
    r["socket_errors"] = m.group(1).strip() if m else None

    def to_ms(v):
        m2 = re.match(r"([\d.]+)(us|ms|s)", v)
        if not m2:
            return None
        x = float(m2.group(1))
        return round({"us": x / 1000, "ms": x, "s": x * 1000}[m2.group(2)], 3)

    for p_ in ("50", "90", "99"):
        m = re.search(rf"^\s+{p_}%\s+(\S+)", out, flags=re.M)
        r[f"p{p_}_ms"] = to_ms(m.group(1)) if m else None
    r["raw"] = out[-1500:]
    return r


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--base-url", default="http://127.0.0.1:8080")
    ap.add_argument("--user", default="demo")
    ap.add_argument("--password", default="demo")
    ap.add_argument("--home", default="/dav/calendars/demo/")
    ap.add_argument("--sizes", default="10000,50000,100000")
    ap.add_argument("--load-clients", type=int, default=6)
    ap.add_argument("--clients", type=int, default=4, help="concurrent clients for req/s")
    ap.add_argument("--duration", type=float, default=8.0, help="seconds per req/s measurement")
    ap.add_argument("--repeat", type=int, default=3, help="serial runs for the latency column")
    ap.add_argument("--wrk-duration", default="10s")
    ap.add_argument("--time-budget", type=float, default=1500)
    ap.add_argument("--server-pid", type=int, default=None)
    ap.add_argument("--data-dir", default=None)
    ap.add_argument("--label", default="")
    ap.add_argument("--json", default=None)
    ap.add_argument("--keep", action="store_true")
    a = ap.parse_args(argv)

    sizes = sorted(int(s) for s in a.sizes.split(",") if s.strip())
    base = (a.base_url, a.user, a.password)
    t_start = time.perf_counter()
    deadline = t_start + a.time_budget
    home = a.home if a.home.endswith("/") else a.home + "/"
    seed = "s" + uuid.uuid4().hex[:10]
    cal = f"{home}scale-{seed}/"
    errors: list[str] = []
    res = {"label": a.label, "base_url": a.base_url, "calendar": cal, "sizes": sizes,
           "load_clients": a.load_clients, "clients": a.clients, "duration_s": a.duration,
           "started": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
           "steps": [], "errors": errors}
    main_c = B.Client(*base, timeout=600)
    st, _h, data, _t = main_c.request("MKCALENDAR", cal, B.MKCAL_BODY, CT)
    if st != 201:
        print(f"MKCALENDAR {cal} -> {st} {data[:300]!r}", file=sys.stderr)
        return 2
    stored: dict[str, B.Event] = {}
    next_index = 0
    extra_index = 10_000_000  # creates made by the change step, outside the load range
    rnd = random.Random(seed)
    try:
        for size in sizes:
            if time.perf_counter() > deadline:
                errors.append(f"time budget exhausted before size {size}")
                break
            step = {"size": size}
            print(f"[scale] loading to {size} events ...", flush=True)
            evs = [B.make_event(i, seed) for i in range(next_index, size)]
            next_index = size
            s2, l2, w2, c2 = B.put_parallel(base, cal, evs, a.load_clients, deadline, errors)
            for e in s2:
                stored[e.name] = e
            step["load"] = {"events": len(s2), "seconds": round(w2, 2),
                            "ev_per_s": round(len(s2) / w2, 1) if w2 else None,
                            "connections_opened": c2["opened"], **B.lat_summary(l2)}
            step["stored"] = len(stored)
            print(f"[scale]   loaded {len(s2)} in {w2:.1f}s ({step['load']['ev_per_s']} ev/s)", flush=True)
            if len(s2) < len(evs):
                errors.append(f"size {size}: only {len(s2)} of {len(evs)} events stored")

            # PROPFIND Depth 1 (and its object count)
            body = B.PROPFIND_BODY
            sr, (st, _h, data) = serial(main_c, "PROPFIND", cal, body, {**CT, "Depth": "1"}, a.repeat)
            n_prop = len(re.findall(rb"<[A-Za-z0-9]*:?getetag>", data)) if st == 207 else None
            if st != 207:
                errors.append(f"size {size}: PROPFIND -> {st} {data[:300]!r}")
            elif n_prop != len(stored):
                _root, resp = B.parse_multistatus(data)
                n_prop = sum(1 for h, _s, p in resp if h.rstrip("/") != cal.rstrip("/")
                             and f"{{{B.DAV}}}getetag" in p)
                if n_prop != len(stored):
                    errors.append(f"size {size}: PROPFIND lists {n_prop} objects, expected {len(stored)}")
            step["propfind"] = {"serial": {**sr, "objects": n_prop, "bytes": len(data)},
                                "load": throughput(base, "PROPFIND", cal, body, {**CT, "Depth": "1"},
                                                   a.clients, a.duration)}

            # sync-collection: initial (timed once), 10 changes, then the delta
            t0 = time.perf_counter()
            st, _h, data, t_init = main_c.request("REPORT", cal, B.sync_body(""), CT)
            token = None
            if st == 207:
                m = re.search(rb"<(?:[A-Za-z0-9]+:)?sync-token>([^<]+)</", data)
                token = m.group(1).decode().strip() if m else None
            if not token:
                errors.append(f"size {size}: initial sync-collection -> {st}, no token {data[:200]!r}")
            names = sorted(stored)
            ch = rnd.sample(names, 8)
            changed = set(ch)
            for n in ch[:6]:
                ev = stored[n]
                nev = B.make_event(ev.index, seed, seq=1, summary_suffix=" (geändert)")
                ok, _t = B.put_one(main_c, cal, nev, errors, extra_headers={})
                if ok:
                    stored[n] = nev
            for _ in range(2):
                nev = B.make_event(extra_index, seed)
                extra_index += 1
                ok, _t = B.put_one(main_c, cal, nev, errors)
                if ok:
                    stored[nev.name] = nev
                    changed.add(nev.name)
            for n in ch[6:]:
                st2, _h, d2, _t = main_c.request("DELETE", cal + n)
                if st2 in (200, 204):
                    stored.pop(n)
                else:
                    errors.append(f"size {size}: DELETE {n} -> {st2} {d2[:200]!r}")
            step["sync"] = {"initial_ms": B.ms(t_init), "initial_bytes": len(data)}
            if token:
                body = B.sync_body(token)
                sr, (st, _h, data) = serial(main_c, "REPORT", cal, body, CT, a.repeat)
                n_resp = len(re.findall(rb"<(?:[A-Za-z0-9]+:)?response>", data))
                n_404 = len(re.findall(rb"HTTP/1\.[01] 404", data))
                if st != 207 or n_resp != 10 or n_404 != 2:
                    errors.append(f"size {size}: sync delta -> {st}, {n_resp} responses ({n_404} 404), "
                                  f"expected 10 (2 404)")
                step["sync"]["delta_serial"] = {**sr, "responses": n_resp, "deleted": n_404}
                step["sync"]["delta_load"] = throughput(base, "REPORT", cal, body, CT, a.clients, a.duration)

            # one-month calendar-query, plain and expanded (checked once against the generator)
            exp_obj, exp_rec, exp_inst = B.expected_in_window(stored.values())
            for key, expand in (("query_plain", False), ("query_expand", True)):
                body = B.query_body(expand)
                sr, (st, _h, data) = serial(main_c, "REPORT", cal, body, {**CT, "Depth": "1"}, a.repeat)
                entry = {"serial": {**sr, "bytes": len(data)}}
                if st != 207:
                    errors.append(f"size {size}: {key} -> {st} {data[:300]!r}")
                else:
                    _root, resp = B.parse_multistatus(data)
                    if expand:
                        got = sum(B.count_vevents(p[f"{{{B.CAL}}}calendar-data"][1].text or "")
                                  for _h2, _s, p in resp if f"{{{B.CAL}}}calendar-data" in p)
                        want = exp_inst
                    else:
                        got = sum(1 for _h2, s, _p in resp if B.status_code(s) in (None, 200))
                        want = exp_obj
                    entry["serial"].update({"got": got, "expected": want})
                    if got != want:
                        errors.append(f"size {size}: {key} returned {got}, expected {want}")
                entry["load"] = throughput(base, "REPORT", cal, body, {**CT, "Depth": "1"},
                                           a.clients, a.duration)
                step[key] = entry

            # GET one event under wrk
            target = sorted(stored)[len(stored) // 2]
            step["wrk_get"] = run_wrk(a.base_url.rstrip("/") + cal + target, a.user, a.password,
                                      a.wrk_duration)
            w = step["wrk_get"]
            if "skipped" not in w and (not w.get("requests") or w.get("non_2xx")):
                errors.append(f"size {size}: wrk GET completed {w.get('requests')} requests, "
                              f"{w.get('non_2xx')} non-2xx, socket errors: {w.get('socket_errors')}")
            if a.server_pid:
                step["server_rss_mib"] = round((rss_kib(a.server_pid) or 0) / 1024, 1)
            if a.data_dir:
                step["data_dir_mib"] = round(dir_bytes(a.data_dir) / 2**20, 1)
            res["steps"].append(step)
            print_step(step)
            if a.json:
                with open(a.json, "w", encoding="utf-8") as f:
                    json.dump(res, f, indent=2, ensure_ascii=False)
    finally:
        if not a.keep:
            try:
                st, _h, data, t = main_c.request("DELETE", cal)
                res["delete_calendar"] = {"status": st, "ms": B.ms(t), "objects": len(stored)}
                if st not in (200, 204):
                    errors.append(f"DELETE {cal} -> {st} {data[:200]!r}")
            except Exception as e:  # noqa: BLE001
                errors.append(f"DELETE {cal} raised {e!r}")
        res["total_seconds"] = round(time.perf_counter() - t_start, 1)
        main_c.close()
        if a.json:
            with open(a.json, "w", encoding="utf-8") as f:
                json.dump(res, f, indent=2, ensure_ascii=False)
    if errors:
        print("[scale] ERRORS:")
        for e in errors[:30]:
            print("  -", e)
    return 1 if errors else 0


def print_step(s):
    def lr(x):
        ld = x["load"]
        return (f"{ld['req_per_s']} req/s (p50 {ld.get('p50_ms')} ms, p99 {ld.get('p99_ms')} ms); "
                f"1 client {x['serial']['median_ms']} ms")
    print(f"[scale] size {s['size']} (stored {s['stored']}), load {s['load']['ev_per_s']} ev/s")
    print(f"  PROPFIND Depth:1      {lr(s['propfind'])}")
    sy = s["sync"]
    if "delta_load" in sy:
        print(f"  sync after 10 changes {sy['delta_load']['req_per_s']} req/s (p50 {sy['delta_load'].get('p50_ms')} ms); "
              f"1 client {sy['delta_serial']['median_ms']} ms; initial {sy['initial_ms']} ms")
    print(f"  query 1 month plain   {lr(s['query_plain'])}")
    print(f"  query 1 month expand  {lr(s['query_expand'])}")
    w = s["wrk_get"]
    print(f"  GET (wrk -t2 -c32)    {w.get('req_per_s')} req/s (p50 {w.get('p50_ms')} ms, p99 {w.get('p99_ms')} ms)")


if __name__ == "__main__":
    sys.exit(main())
