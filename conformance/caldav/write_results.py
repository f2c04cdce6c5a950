#!/usr/bin/env python3
"""Writes conformance/RESULTS.md from the logs of one `run.sh` (KEEP_RESULTS=1)."""
import datetime
import os
import re
import subprocess
import sys

out = sys.argv[1]


def read(name):
    try:
        return open(os.path.join(out, name), encoding="utf-8").read()
    except OSError:
        return ""


litmus = read("litmus.log")
tester = read("caldav-server-tester.log")
scenario = read("caldav-scenario.log")
vds = read("vdirsyncer.log")
judge = subprocess.run(
    [sys.executable, os.path.join(os.path.dirname(__file__), "judge_server_tester.py"), os.path.join(out, "caldav-server-tester.log")],
    capture_output=True, text=True,
).stdout

print("# CalDAV conformance results\n")
print(f"Written by `KEEP_RESULTS=1 bash conformance/caldav/run.sh` on {datetime.date.today()} "
      "(the same runs `conformance/test-all.sh` performs). Peer baselines are from "
      "CONFORMANCE-NOTES (Radicale 3.9.0, Xandikos 0.4.10, same machine class).\n")
print("| tool | calinvite | Radicale 3.9.0 | Xandikos 0.4.10 |\n|---|---|---|---|")
summaries = re.findall(r"summary for `(\w+)': of (\d+) tests run: (\d+) passed, (\d+) failed", litmus)
lit = ", ".join(f"{s} {p}/{n}" for s, n, p, f in summaries)
print(f"| litmus (basic, copymove, props, http) | {lit} | 36 pass / 17 fail (permissive rights) | 49 pass / 10 fail |")
print(f"| caldav-server-tester 1.7.0 | {judge.splitlines()[0].split(': ', 1)[-1] if judge else 'n/a'} | 101 features: 88 full | 109 features: 90 full |")
print(f"| python caldav scenario | {scenario.strip().splitlines()[-1].split(': ', 1)[-1] if scenario else 'n/a'} | 16/16 (their smoke) | 16/16 |")
print(f"| vdirsyncer round trip | {vds.strip().splitlines()[-1].split(': ', 1)[-1] if vds else 'n/a'} | 7/7 | 7/7 |")
print("\nlitmus `locks` is not run: calinvite does not implement LOCK and does not advertise WebDAV class 2.\n")
print("## caldav-server-tester: features below full\n\n```\n" + judge.strip() + "\n```\n")
print("## litmus\n\n```\n" + litmus.strip() + "\n```\n")
print("## python caldav scenario\n\n```\n" + "\n".join(l for l in scenario.splitlines() if l.startswith(("PASS", "FAIL", "caldav-"))) + "\n```\n")
print("## vdirsyncer\n\n```\n" + vds.strip() + "\n```\n")
print("## caldav-server-tester full output\n\n```\n" + tester.strip() + "\n```")
