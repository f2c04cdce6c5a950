#!/usr/bin/env python3
"""vdirsyncer two-way sync between a folder of .ics files and a calinvite calendar.

Seven checks: initial upload of 3 local events (UTF-8, one RRULE); a server-side PUT
arrives locally; a local edit reaches the server; a local delete reaches the server; a
server-side edit arrives locally; a server-side DELETE removes the local file; a re-sync
with no changes changes nothing. Content is compared byte for byte after line unfolding,
so a lossy round trip fails.

Usage: vdirsyncer_roundtrip.py BASE_URL USER PASSWORD VDIRSYNCER_BIN
"""
import base64
import os
import subprocess
import sys
import tempfile
import urllib.request
import uuid

BASE, USER, PASSWORD, VDS = sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3], sys.argv[4]
AUTH = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
run = uuid.uuid4().hex[:8]
COLL = f"{BASE}/dav/calendars/{USER}/vds-{run}/"
passed, failed = 0, 0


def http(method, url, body=None, headers=None):
    req = urllib.request.Request(url, data=body, method=method)
    req.add_header("Authorization", AUTH)
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def event(uid, summary, extra=""):
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//calinvite//vds//EN\r\nBEGIN:VEVENT\r\n"
        f"UID:{uid}\r\nDTSTAMP:20300101T000000Z\r\nDTSTART:20300401T100000Z\r\nDTEND:20300401T110000Z\r\n"
        f"SUMMARY:{summary}\r\n{extra}END:VEVENT\r\nEND:VCALENDAR\r\n"
    )


def norm(text):
    return text.replace("\r\n ", "").replace("\r\n", "\n").strip()


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"PASS {name}")
    else:
        failed += 1
        print(f"FAIL {name} {detail}")


work = tempfile.mkdtemp(prefix="vds-")
local = os.path.join(work, "local")
os.makedirs(local)
config = os.path.join(work, "config")
with open(config, "w") as f:
    f.write(f"""[general]
status_path = "{work}/status/"

[pair cal]
a = "local"
b = "remote"
collections = null
conflict_resolution = "a wins"

[storage local]
type = "filesystem"
path = "{local}/"
fileext = ".ics"

[storage remote]
type = "caldav"
url = "{COLL}"
username = "{USER}"
password = "{PASSWORD}"
""")


def sync():
    env = dict(os.environ, VDIRSYNCER_CONFIG=config)
    subprocess.run([VDS, "discover"], env=env, check=True, input=b"y\n", capture_output=True)
    r = subprocess.run([VDS, "sync"], env=env, capture_output=True, text=True)
    if r.returncode != 0:
        print(r.stdout, r.stderr)
    return r.returncode == 0


def server_objects():
    body = (
        '<?xml version="1.0"?><C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
        '<D:prop><C:calendar-data/></D:prop><C:filter><C:comp-filter name="VCALENDAR"/></C:filter></C:calendar-query>'
    )
    status, data = http("REPORT", COLL, body.encode(), {"Depth": "1", "Content-Type": "application/xml"})
    assert status == 207, (status, data)
    text = data.decode()
    out = {}
    import re
    import html
    for cal in re.findall(r"<C:calendar-data[^>]*>(.*?)</C:calendar-data>", text, re.S):
        cal = html.unescape(cal)
        uid = re.search(r"^UID:(.*)$", cal.replace("\r\n", "\n"), re.M).group(1).strip()
        out[uid] = cal
    return out


def local_files():
    out = {}
    for name in os.listdir(local):
        with open(os.path.join(local, name), encoding="utf-8") as f:
            text = f.read()
        import re
        uid = re.search(r"^UID:(.*)$", text.replace("\r\n", "\n"), re.M).group(1).strip()
        out[uid] = (name, text)
    return out


status, _ = http("MKCALENDAR", COLL)
assert status == 201, f"MKCALENDAR {COLL}: {status}"
try:
    originals = {
        f"a-{run}": event(f"a-{run}", "Grüße aus Köln 🎉"),
        f"b-{run}": event(f"b-{run}", "会議 weekly", "RRULE:FREQ=WEEKLY;COUNT=5\r\n"),
        f"c-{run}": event(f"c-{run}", "Plain"),
    }
    for uid, text in originals.items():
        with open(os.path.join(local, f"{uid}.ics"), "w", encoding="utf-8", newline="") as f:
            f.write(text)
    ok = sync()
    srv = server_objects()
    check("1 initial upload of 3 local events", ok and set(srv) == set(originals)
          and all(norm(srv[u]) == norm(t) for u, t in originals.items()), sorted(srv))

    d_uid = f"d-{run}"
    d_text = event(d_uid, "Server side ünïcödé")
    http("PUT", f"{COLL}{d_uid}.ics", d_text.encode(), {"Content-Type": "text/calendar", "If-None-Match": "*"})
    ok = sync()
    loc = local_files()
    check("2 server-side PUT arrives locally", ok and d_uid in loc and norm(loc[d_uid][1]) == norm(d_text))

    a_uid = f"a-{run}"
    name, _ = local_files()[a_uid]
    edited = event(a_uid, "Grüße aus Köln (edited)")
    with open(os.path.join(local, name), "w", encoding="utf-8", newline="") as f:
        f.write(edited)
    ok = sync()
    srv = server_objects()
    check("3 local edit reaches the server", ok and norm(srv.get(a_uid, "")) == norm(edited))

    c_name, _ = local_files()[f"c-{run}"]
    os.remove(os.path.join(local, c_name))
    ok = sync()
    check("4 local delete reaches the server", ok and f"c-{run}" not in server_objects())

    b_uid = f"b-{run}"
    b_edit = event(b_uid, "会議 weekly (moved)", "RRULE:FREQ=WEEKLY;COUNT=6\r\n")
    http("PUT", f"{COLL}{b_uid}.ics", b_edit.encode(), {"Content-Type": "text/calendar"})
    ok = sync()
    check("5 server-side edit arrives locally", ok and norm(local_files()[b_uid][1]) == norm(b_edit))

    status, _ = http("DELETE", f"{COLL}{d_uid}.ics")
    ok = sync()
    check("6 server-side DELETE removes the local file", ok and status == 204 and d_uid not in local_files())

    before_local = {u: norm(t) for u, (_, t) in local_files().items()}
    before_srv = {u: norm(t) for u, t in server_objects().items()}
    ok = sync()
    after_local = {u: norm(t) for u, (_, t) in local_files().items()}
    after_srv = {u: norm(t) for u, t in server_objects().items()}
    check("7 re-sync with no changes changes nothing", ok and before_local == after_local and before_srv == after_srv
          and len(after_srv) == 2)
finally:
    http("DELETE", COLL)

print(f"vdirsyncer: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
