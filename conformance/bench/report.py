#!/usr/bin/env python3
"""Turn the JSON written by bench_caldav.py and scale_caldav.py into the side-by-side table
(stdout) and the Markdown report RESULTS.md.

    python3 report.py --dir out/ --out RESULTS.md [--meta key=value ...]

Reads DIR/calinvite.json, DIR/radicale.json and DIR/scale.json when they exist.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform


def load(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def get(d, *keys):
    for k in keys:
        if not isinstance(d, dict):
            return None
        d = d.get(k)
    return d


# (label, path in the bench JSON, kind) - kind "rate": higher is better, ratio calinvite/Radicale;
# "lat": lower is better, ratio Radicale/calinvite. Either way a ratio above 1 favours calinvite.
ROWS = [
    ("PUT, 1 client (ev/s)", ("put_serial", "ev_per_s"), "rate"),
    ("PUT, {clients} clients (ev/s)", ("put_parallel", "ev_per_s"), "rate"),
    ("PROPFIND Depth:1 (ms)", ("propfind", "median_ms"), "lat"),
    ("calendar-query 1 month, plain (ms)", ("query_plain", "median_ms"), "lat"),
    ("calendar-query 1 month, expanded (ms)", ("query_expand", "median_ms"), "lat"),
    ("calendar-multiget 100 (ms)", ("multiget", "median_ms"), "lat"),
    ("sync-collection initial (ms)", ("sync_initial", "median_ms"), "lat"),
    ("sync-collection after 10 changes (ms)", ("sync_delta", "median_ms"), "lat"),
    ("GET one event p50 (ms)", ("get", "p50_ms"), "lat"),
    ("GET one event p99 (ms)", ("get", "p99_ms"), "lat"),
]


def num(v):
    if v is None:
        return "–"
    if isinstance(v, (int,)) or (isinstance(v, float) and v >= 100):
        return f"{v:,.0f}" if isinstance(v, int) else f"{v:,.1f}"
    return f"{v:.2f}"


def ratio(c, r, kind):
    if c is None or r is None or c == 0 or r == 0:
        return "–"
    x = c / r if kind == "rate" else r / c
    return f"{x:.1f}×" if x >= 10 else f"{x:.2f}×"


def checks_line(res):
    if not res:
        return "not run"
    ch = res.get("checks", {})
    bad = [k for k, v in ch.items() if not v.get("ok")]
    if res.get("fatal"):
        return "FATAL (setup failed)"
    if bad or res.get("errors"):
        return f"FAILED: {', '.join(bad) or 'request errors'}"
    return f"all {len(ch)} checks ok"


def side_by_side(cal, rad):
    clients = (cal or rad or {}).get("clients", 8)
    lines = ["| measurement | calinvite | Radicale 3.9.0 | ratio (>1 = calinvite better) |",
             "| --- | ---: | ---: | ---: |"]
    for label, path, kind in ROWS:
        c, r = get(cal, *path), get(rad, *path)
        lines.append(f"| {label.format(clients=clients)} | {num(c)} | {num(r)} | {ratio(c, r, kind)} |")
    # context rows
    def ctx(res):
        if not res:
            return "–"
        return (f"{res.get('n_stored')} stored / {res.get('n_requested')}"
                f"{' (cut by time)' if res.get('put_truncated_by_time') else ''}")
    lines.append(f"| events stored | {ctx(cal)} | {ctx(rad)} | |")
    def qc(res):
        if not res:
            return "–"
        p, e = get(res, "checks", "query_plain"), get(res, "checks", "query_expand")
        s = get(res, "checks", "sync_delta")
        out = []
        if p:
            out.append(f"{p['got']} obj ({p['recurring_got']} rec.) {'=' if p['ok'] else '≠'} {p['expected']}")
        if e:
            out.append(f"{e['got']} inst. {'=' if e['ok'] else '≠'} {e['expected']}")
        if s:
            out.append(f"delta {s['got']} ({s['deleted_got']} deleted)")
        return "; ".join(out) or "–"
    lines.append(f"| query / sync counts vs expected | {qc(cal)} | {qc(rad)} | |")
    def ka(res):
        if not res:
            return "–"
        return (f"{'yes' if res.get('keep_alive') else 'no'} ({res.get('connections_opened_by_main_client')} conn. / "
                f"{res.get('requests_by_main_client')} req.)")
    lines.append(f"| keep-alive (main client) | {ka(cal)} | {ka(rad)} | |")
    lines.append(f"| checks | {checks_line(cal)} | {checks_line(rad)} | |")
    lines.append(f"| total wall time (s) | {num(get(cal, 'total_seconds'))} | {num(get(rad, 'total_seconds'))} | |")
    return lines


def details(res):
    if not res:
        return []
    ps, pp, g = res.get("put_serial", {}), res.get("put_parallel", {}), res.get("get", {})
    return [
        f"* PUT 1 client: {ps.get('events')} ev in {ps.get('seconds')} s, p50 {ps.get('p50_ms')} ms, "
        f"p99 {ps.get('p99_ms')} ms, max {ps.get('max_ms')} ms",
        f"* PUT {res.get('clients')} clients: {pp.get('events')} ev in {pp.get('seconds')} s, p50 {pp.get('p50_ms')} ms, "
        f"p99 {pp.get('p99_ms')} ms, max {pp.get('max_ms')} ms; {pp.get('connections_opened')} connections "
        f"for {pp.get('requests')} requests",
        f"* PROPFIND {get(res, 'propfind', 'responses')} responses, {get(res, 'propfind', 'bytes')} B "
        f"(cold {get(res, 'propfind', 'first_ms')} ms); query plain {get(res, 'query_plain', 'bytes')} B "
        f"(cold {get(res, 'query_plain', 'first_ms')} ms); expanded {get(res, 'query_expand', 'bytes')} B "
        f"(cold {get(res, 'query_expand', 'first_ms')} ms); multiget {get(res, 'multiget', 'bytes')} B; "
        f"sync initial {get(res, 'sync_initial', 'bytes')} B; delta {get(res, 'sync_delta', 'bytes')} B",
        f"* GET ×{g.get('count')}: p50 {g.get('p50_ms')} ms, p90 {g.get('p90_ms')} ms, p99 {g.get('p99_ms')} ms, "
        f"max {g.get('max_ms')} ms; {g.get('connections_opened')} connection(s); body byte-identical to the PUT: "
        f"{'yes' if g.get('byte_identical') else 'no'}",
        f"* average event size {res.get('event_bytes_avg')} B, {res.get('recurring_generated')} recurring generated",
    ]


def scale_tables(sc):
    steps = sc.get("steps", [])
    if not steps:
        return ["(no scale step completed)"]
    c = sc.get("clients")
    out = [f"Requests/second with {c} concurrent keep-alive clients for {sc.get('duration_s')} s each "
           "(latency p50 / p99 under that load in brackets):", "",
           "| events | PROPFIND Depth:1 | sync-collection after 10 changes | query 1 month plain | "
           "query 1 month expanded | GET one event (wrk -t2 -c32) |",
           "| ---: | ---: | ---: | ---: | ---: | ---: |"]

    def cell(x):
        if not x:
            return "–"
        return f"{num(x.get('req_per_s'))} ({num(x.get('p50_ms'))} / {num(x.get('p99_ms'))} ms)"

    for s in steps:
        w = s.get("wrk_get", {})
        out.append(f"| {s['stored']:,} | {cell(get(s, 'propfind', 'load'))} | {cell(get(s, 'sync', 'delta_load'))} | "
                   f"{cell(get(s, 'query_plain', 'load'))} | {cell(get(s, 'query_expand', 'load'))} | "
                   f"{cell(w) if w.get('req_per_s') is not None else w.get('skipped', '–')} |")
    out += ["", "One client, median of 3 (ms), with result sizes:", "",
            "| events | load rate (ev/s, PUT ×load clients) | PROPFIND | sync initial | sync after 10 changes | "
            "query plain (objects) | query expanded (instances) | server RSS | data folder |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for s in steps:
        pf = get(s, "propfind", "serial") or {}
        qp = get(s, "query_plain", "serial") or {}
        qe = get(s, "query_expand", "serial") or {}
        out.append(
            f"| {s['stored']:,} | {num(get(s, 'load', 'ev_per_s'))} (p50 {num(get(s, 'load', 'p50_ms'))} ms) | "
            f"{num(pf.get('median_ms'))} ({(pf.get('bytes') or 0) / 2**20:.1f} MiB) | "
            f"{num(get(s, 'sync', 'initial_ms'))} ({(get(s, 'sync', 'initial_bytes') or 0) / 2**20:.1f} MiB) | "
            f"{num(get(s, 'sync', 'delta_serial', 'median_ms'))} | "
            f"{num(qp.get('median_ms'))} ({qp.get('got')}{'' if qp.get('got') == qp.get('expected') else ' ≠ ' + str(qp.get('expected'))}) | "
            f"{num(qe.get('median_ms'))} ({qe.get('got')}{'' if qe.get('got') == qe.get('expected') else ' ≠ ' + str(qe.get('expected'))}) | "
            f"{num(s.get('server_rss_mib'))} MiB | {num(s.get('data_dir_mib'))} MiB |")
    d = sc.get("delete_calendar")
    if d:
        out += ["", f"DELETE of the whole calendar ({d.get('objects'):,} objects): status {d.get('status')}, "
                f"{num(d.get('ms'))} ms. Scale run wall time {sc.get('total_seconds')} s."]
    return out


def machine():
    mem = "?"
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    mem = f"{int(line.split()[1]) / 2**20:.1f} GiB"
    except OSError:
        pass
    cpu = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs (nproc), {cpu}, {mem} memory, {platform.system()} {platform.release()}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--meta", action="append", default=[])
    a = ap.parse_args()
    cal = load(os.path.join(a.dir, "calinvite.json"))
    rad = load(os.path.join(a.dir, "radicale.json"))
    sc = load(os.path.join(a.dir, "scale.json"))

    table = side_by_side(cal, rad)
    n = (cal or rad or {}).get("n_requested")
    print(f"\n== calinvite vs Radicale, N={n} ==")
    print("\n".join(table))
    if sc:
        print("\n== calinvite at scale ==")
        print("\n".join(scale_tables(sc)))

    md = ["# CalDAV benchmark results", "",
          f"Date: {dt.datetime.now().astimezone().strftime('%Y-%m-%d %H:%M %Z')}  ",
          f"Machine: {machine()}; server and load generator share the cores, loopback only.", ""]
    md += ["Versions and parameters:", ""]
    for m in a.meta:
        k, _, v = m.partition("=")
        md.append(f"* **{k}**: {v}")
    md += ["", "Produced by `bash conformance/bench/run.sh` (see README.md). Re-running overwrites this file.", "",
           f"## calinvite vs Radicale 3.9.0 (N={n}, bench_caldav.py)", "",
           "Rates are events/second (higher is better); the other rows are milliseconds, median of "
           f"{(cal or rad or {}).get('repeat', 3)} runs (lower is better). Ratio = calinvite ÷ Radicale for rates, "
           "Radicale ÷ calinvite for latencies, so above 1 always means calinvite is faster.", ""]
    md += table
    for name, res in (("calinvite", cal), ("Radicale", rad)):
        if res:
            md += ["", f"Details, {name}:", ""] + details(res)
            if res.get("errors"):
                md += ["", f"**Errors reported by the run against {name}:**", ""]
                md += [f"* `{e}`" for e in res["errors"][:30]]
    if sc:
        md += ["", "## calinvite at scale (scale_caldav.py)", "",
               "One calendar grown in place to each size with parallel keep-alive PUT clients "
               f"({sc.get('load_clients')}); Radicale is not run at these sizes.", ""]
        md += scale_tables(sc)
        if sc.get("errors"):
            md += ["", "**Errors reported by the scale run:**", ""] + [f"* `{e}`" for e in sc["errors"][:30]]
    md += ["", "## Notes", ""]
    notes_path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "NOTES-results.md")
    if os.path.exists(notes_path):
        with open(notes_path, encoding="utf-8") as f:
            md.append(f.read().strip())
    else:
        md.append("(no notes)")
    with open(a.out, "w", encoding="utf-8") as f:
        f.write("\n".join(md) + "\n")


if __name__ == "__main__":
    main()
