#!/usr/bin/env python3
"""CalDAV benchmark: PUT throughput, PROPFIND, calendar-query (plain and expanded),
calendar-multiget, sync-collection and GET latency against one CalDAV server.

Standard library only. Loopback use; every loop is bounded by counts and a time budget.

    python3 bench_caldav.py --base-url http://127.0.0.1:8080 --user demo --password demo \
        --home /dav/calendars/demo/ [-n 2000] [--clients 8] [--get-requests 1000] \
        [--repeat 3] [--time-budget 600] [--label TEXT] [--json OUT] [--keep]

Exit code: 0 when every check passed, 1 when a check failed or a request errored,
2 on a setup failure (the calendar could not be created).
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import http.client
import json
import random
import re
import statistics
import sys
import threading
import time
import urllib.parse
import uuid
import xml.etree.ElementTree as ET

UTC = dt.timezone.utc
DAV = "DAV:"
CAL = "urn:ietf:params:xml:ns:caldav"
YEAR = 2030
WINDOW = (dt.datetime(2030, 3, 1, tzinfo=UTC), dt.datetime(2030, 4, 1, tzinfo=UTC))

# --------------------------------------------------------------------------- generator

SUMMARIES = [
    "Quartalsbesprechung Vertrieb – Übersicht",
    "Projekt-Kick-off: Straßenbau Nord",
    "週次定例ミーティング（開発チーム）",
    "東京オフィス 引っ越し打ち合わせ",
    "اجتماع الفريق الأسبوعي",
    "مراجعة الميزانية السنوية",
    "Team lunch 🍕🎉",
    "Release party 🚀 v2.0",
    "Design review ✏️ mobile app",
    "Café & croissants ☕🥐 with the board",
    "Müller / Schäfer: Vertragsverhandlung",
    "Customer onboarding — ACME Corp.",
]
LOCATIONS = [
    "Besprechungsraum Zugspitze, 3. OG, München",
    "東京都千代田区丸の内1-1-1 会議室A",
    "قاعة الاجتماعات الرئيسية، دبي",
    "Zoom 💻 https://example.com/j/123456789",
    "Café Größenwahn, Köln",
    "Room 4.12 (north wing) 🏢",
]
DESCRIPTIONS = [
    "Bitte bereiten Sie die Zahlen für das letzte Quartal vor; außerdem: Planung für 2031.",
    "議題：進捗確認、課題の洗い出し、次回リリースの日程調整。",
    "جدول الأعمال: مراجعة التقدم، مناقشة التحديات، والخطوات التالية.",
    "Agenda: 1) status 🟢 2) blockers 🚧 3) next steps ✅. Bring the latest numbers.",
    "Notes; commas, a backslash \\ and newlines\nmust be escaped in TEXT values.",
]
CATEGORIES = ["Arbeit", "会議", "اجتماع", "Projekt,Review", "🎯 Goals", "Kunden", "Intern"]
PEOPLE = [
    ("Jürgen Müller", "juergen.mueller"),
    ("山田 太郎", "taro.yamada"),
    ("فاطمة الزهراء", "fatima"),
    ("Zoë Ångström", "zoe"),
    ("Ünal Öztürk", "uenal"),
    ("Chloé Dubois", "chloe"),
    ("Bob Smith", "bob"),
]


def esc_text(s: str) -> str:
    return s.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold(line: str) -> str:
    """Fold one content line at 75 octets without splitting a UTF-8 sequence (RFC 5545 §3.1)."""
    raw = line.encode("utf-8")
    if len(raw) <= 75:
        return line + "\r\n"
    out = []
    cur = ""
    cur_len = 0
    limit = 75
    for ch in line:
        n = len(ch.encode("utf-8"))
        if cur_len + n > limit:
            out.append(cur)
            cur, cur_len, limit = ch, n, 74  # continuation lines start with one space
        else:
            cur += ch
            cur_len += n
    out.append(cur)
    return "\r\n ".join(out) + "\r\n"


def fmt_utc(t: dt.datetime) -> str:
    return t.strftime("%Y%m%dT%H%M%SZ")


class Event:
    __slots__ = ("index", "uid", "name", "start", "end", "weekly", "count", "body", "seq")

    def instances_in(self, ws: dt.datetime, we: dt.datetime) -> int:
        """How many instances overlap [ws, we): start < we and end > ws."""
        dur = self.end - self.start
        if not self.weekly:
            return 1 if (self.start < we and self.end > ws) else 0
        week = dt.timedelta(days=7)
        n = 0
        for j in range(60):  # every start is in 2030, so at most ~57 weeks matter for a 2030 window
            if self.count is not None and j >= self.count:
                break
            s = self.start + j * week
            if s >= we:
                break
            if s + dur > ws:
                n += 1
        return n


def make_event(index: int, seed: str, seq: int = 0, summary_suffix: str = "") -> Event:
    rnd = random.Random(f"{seed}:{index}")
    ev = Event()
    ev.index = index
    ev.seq = seq
    ev.uid = f"{seed}-{index:06d}@bench.calinvite.test"
    ev.name = f"ev-{index:06d}.ics"
    day = rnd.randrange(365)
    start = dt.datetime(YEAR, 1, 1, tzinfo=UTC) + dt.timedelta(
        days=day, hours=rnd.randrange(6, 20), minutes=rnd.choice((0, 15, 30, 45)))
    ev.start = start
    ev.end = start + dt.timedelta(minutes=rnd.choice((30, 45, 60, 90, 120, 180)))
    ev.weekly = rnd.random() < 0.05
    ev.count = None
    if ev.weekly and rnd.random() < 0.5:
        ev.count = rnd.randrange(3, 21)
    summary = rnd.choice(SUMMARIES) + summary_suffix
    location = rnd.choice(LOCATIONS)
    desc = rnd.choice(DESCRIPTIONS)
    if rnd.random() < 0.1:
        desc += "\n" + rnd.choice(DESCRIPTIONS)
    org, *att = rnd.sample(PEOPLE, 3)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//calinvite//bench//EN",
        "BEGIN:VEVENT",
        f"UID:{ev.uid}",
        "DTSTAMP:20291201T120000Z",
        f"DTSTART:{fmt_utc(ev.start)}",
        f"DTEND:{fmt_utc(ev.end)}",
        f"SUMMARY:{esc_text(summary)}",
        f"LOCATION:{esc_text(location)}",
        f"DESCRIPTION:{esc_text(desc)}",
        f'ORGANIZER;CN="{org[0]}":mailto:{org[1]}@example.org',
    ]
    for name, mail in att:
        lines.append(f'ATTENDEE;CN="{name}";PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:{mail}@example.com')
    cats = rnd.sample(CATEGORIES, 2)
    lines.append("CATEGORIES:" + ",".join(esc_text(c) for c in cats))
    if ev.weekly:
        lines.append("RRULE:FREQ=WEEKLY" + (f";COUNT={ev.count}" if ev.count else ""))
    if seq:
        lines.append(f"SEQUENCE:{seq}")
    lines.append(f"STATUS:{rnd.choice(('CONFIRMED', 'TENTATIVE'))}")
    if rnd.random() < 0.2:
        lines += ["BEGIN:VALARM", "ACTION:DISPLAY", f"DESCRIPTION:{esc_text(summary)}",
                  f"TRIGGER:-PT{rnd.choice((5, 10, 15, 30))}M", "END:VALARM"]
    lines += ["END:VEVENT", "END:VCALENDAR"]
    ev.body = "".join(fold(l) for l in lines).encode("utf-8")
    return ev


def expected_in_window(events, ws=WINDOW[0], we=WINDOW[1]):
    objects = recurring = instances = 0
    for ev in events:
        n = ev.instances_in(ws, we)
        if n:
            objects += 1
            instances += n
            if ev.weekly:
                recurring += 1
    return objects, recurring, instances


# --------------------------------------------------------------------------- HTTP

class CountingConnection(http.client.HTTPConnection):
    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.opened = 0

    def connect(self):
        self.opened += 1
        super().connect()


class Client:
    """One keep-alive connection; reconnects (and counts it) when the server closes."""

    def __init__(self, base_url: str, user: str, password: str, timeout: float = 120.0):
        u = urllib.parse.urlsplit(base_url)
        self.host = u.hostname
        self.port = u.port or 80
        self.prefix = u.path.rstrip("/")
        self.conn = CountingConnection(self.host, self.port, timeout=timeout)
        self.auth = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        self.requests = 0
        self.closes_by_server = 0

    @property
    def opened(self) -> int:
        return self.conn.opened

    def request(self, method, path, body=b"", headers=None):
        """Returns (status, headers dict (lower-case), body bytes, seconds)."""
        h = {"Authorization": self.auth}
        if headers:
            h.update(headers)
        if isinstance(body, str):
            body = body.encode("utf-8")
        if body or method in ("PUT", "PROPFIND", "REPORT", "MKCALENDAR", "POST"):
            h["Content-Length"] = str(len(body))
        for attempt in (0, 1):
            t0 = time.perf_counter()
            try:
                self.conn.request(method, self.prefix + path, body=body or None, headers=h)
                resp = self.conn.getresponse()
                data = resp.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError,
                    http.client.CannotSendRequest, http.client.ResponseNotReady):
                self.conn.close()
                if attempt:
                    raise
                continue
            dtm = time.perf_counter() - t0
            self.requests += 1
            hdrs = {k.lower(): v for k, v in resp.getheaders()}
            if resp.will_close:
                self.closes_by_server += 1
            return resp.status, hdrs, data, dtm
        raise RuntimeError("unreachable")

    def close(self):
        self.conn.close()


# --------------------------------------------------------------------------- XML

def parse_multistatus(data: bytes):
    """List of (href, status-of-response-or-None, {prop-tag: (status, element)})."""
    root = ET.fromstring(data)
    out = []
    for r in root.findall(f"{{{DAV}}}response"):
        href = urllib.parse.unquote(r.findtext(f"{{{DAV}}}href", "").strip())
        st = r.findtext(f"{{{DAV}}}status")
        props = {}
        for ps in r.findall(f"{{{DAV}}}propstat"):
            pst = ps.findtext(f"{{{DAV}}}status", "")
            prop = ps.find(f"{{{DAV}}}prop")
            if prop is not None:
                for p in prop:
                    props[p.tag] = (pst, p)
        out.append((href, st, props))
    return root, out


def status_code(line):
    if not line:
        return None
    m = re.search(r"\s(\d{3})", line)
    return int(m.group(1)) if m else None


PROPFIND_BODY = (
    '<?xml version="1.0" encoding="utf-8"?>'
    '<D:propfind xmlns:D="DAV:"><D:prop><D:getetag/><D:getcontenttype/></D:prop></D:propfind>')


def query_body(expand: bool, ws=WINDOW[0], we=WINDOW[1]):
    s, e = fmt_utc(ws), fmt_utc(we)
    cd = (f'<C:calendar-data><C:expand start="{s}" end="{e}"/></C:calendar-data>'
          if expand else "<C:calendar-data/>")
    return ('<?xml version="1.0" encoding="utf-8"?>'
            '<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
            f"<D:prop><D:getetag/>{cd}</D:prop>"
            '<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">'
            f'<C:time-range start="{s}" end="{e}"/>'
            "</C:comp-filter></C:comp-filter></C:filter></C:calendar-query>")


def multiget_body(hrefs):
    hs = "".join(f"<D:href>{urllib.parse.quote(h)}</D:href>" for h in hrefs)
    return ('<?xml version="1.0" encoding="utf-8"?>'
            '<C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
            f"<D:prop><D:getetag/><C:calendar-data/></D:prop>{hs}</C:calendar-multiget>")


def sync_body(token: str):
    tok = f"<D:sync-token>{token}</D:sync-token>" if token else "<D:sync-token/>"
    return ('<?xml version="1.0" encoding="utf-8"?>'
            f'<D:sync-collection xmlns:D="DAV:">{tok}<D:sync-level>1</D:sync-level>'
            "<D:prop><D:getetag/></D:prop></D:sync-collection>")


MKCAL_BODY = (
    '<?xml version="1.0" encoding="utf-8"?>'
    '<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop>'
    "<D:displayname>bench</D:displayname>"
    '<C:supported-calendar-component-set><C:comp name="VEVENT"/></C:supported-calendar-component-set>'
    "</D:prop></D:set></C:mkcalendar>")


def count_vevents(cdata: str) -> int:
    return len(re.findall(r"^BEGIN:VEVENT\r?$", cdata, flags=re.M))


# --------------------------------------------------------------------------- stats

def pct(values, p):
    if not values:
        return None
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(p / 100.0 * len(s) + 0.5)) - 1))
    return s[k]


def ms(x):
    return None if x is None else round(x * 1000.0, 3)


def lat_summary(values):
    if not values:
        return {}
    return {"count": len(values), "p50_ms": ms(pct(values, 50)), "p90_ms": ms(pct(values, 90)),
            "p99_ms": ms(pct(values, 99)), "max_ms": ms(max(values)),
            "mean_ms": ms(statistics.fmean(values))}


# --------------------------------------------------------------------------- PUT phases

def put_one(client, cal, ev, errors, extra_headers=None):
    h = {"Content-Type": "text/calendar; charset=utf-8", "If-None-Match": "*"}
    if extra_headers is not None:
        h = {"Content-Type": "text/calendar; charset=utf-8", **extra_headers}
    st, hd, data, t = client.request("PUT", cal + ev.name, ev.body, h)
    if st not in (201, 204):
        errors.append(f"PUT {cal + ev.name} -> {st} {data[:300]!r}")
        return False, t
    return True, t


def put_serial(client, cal, events, deadline, errors):
    stored, lats = [], []
    t0 = time.perf_counter()
    for ev in events:
        if time.perf_counter() >= deadline:
            break
        ok, t = put_one(client, cal, ev, errors)
        lats.append(t)
        if ok:
            stored.append(ev)
        if len(errors) > 50:
            break
    return stored, lats, time.perf_counter() - t0


def put_parallel(args_base, cal, events, nclients, deadline, errors):
    """nclients threads, each on its own keep-alive connection, take events from a shared queue."""
    lock = threading.Lock()
    pos = [0]
    stored, lats = [], []
    conns = {"opened": 0, "requests": 0}

    def worker():
        c = Client(*args_base)
        local_stored, local_lats, local_err = [], [], []
        try:
            while time.perf_counter() < deadline and len(local_err) <= 20:
                with lock:
                    i = pos[0]
                    pos[0] += 1
                if i >= len(events):
                    break
                try:
                    ok, t = put_one(c, cal, events[i], local_err)
                except Exception as e:  # noqa: BLE001 - a failed request is reported, not fatal
                    local_err.append(f"PUT {cal + events[i].name} raised {e!r}")
                    continue
                local_lats.append(t)
                if ok:
                    local_stored.append(events[i])
        finally:
            with lock:
                stored.extend(local_stored)
                lats.extend(local_lats)
                errors.extend(local_err)
                conns["opened"] += c.opened
                conns["requests"] += c.requests
            c.close()

    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(nclients)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=max(1.0, deadline - time.perf_counter() + 120))
    return stored, lats, time.perf_counter() - t0, conns


# --------------------------------------------------------------------------- reads

def timed_repeat(client, method, path, body, headers, repeat, deadline):
    """Run the same request `repeat` times (at least once). Returns (runs, last_response)."""
    runs = []
    last = None
    for i in range(max(1, repeat)):
        if i and time.perf_counter() >= deadline:
            break
        st, hd, data, t = client.request(method, path, body, headers)
        runs.append(t)
        last = (st, hd, data)
    return runs, last


def rep_summary(runs, data=None):
    d = {"median_ms": ms(statistics.median(runs)), "first_ms": ms(runs[0]),
         "runs_ms": [ms(x) for x in runs]}
    if data is not None:
        d["bytes"] = len(data)
    return d


def run(a) -> dict:
    t_start = time.perf_counter()
    deadline_all = t_start + a.time_budget
    put_deadline = t_start + 0.6 * a.time_budget
    serial_deadline = t_start + 0.3 * a.time_budget
    base = (a.base_url, a.user, a.password)
    errors: list[str] = []
    res: dict = {"label": a.label, "base_url": a.base_url, "n_requested": a.n,
                 "clients": a.clients, "repeat": a.repeat, "time_budget_s": a.time_budget,
                 "started": dt.datetime.now(UTC).isoformat(timespec="seconds"),
                 "errors": errors, "checks": {}}
    home = a.home if a.home.endswith("/") else a.home + "/"
    seed = "b" + uuid.uuid4().hex[:10]
    cal = f"{home}bench-{seed}/"
    res["calendar"] = cal
    main = Client(*base)

    st, hd, data, t = main.request("MKCALENDAR", cal, MKCAL_BODY,
                                   {"Content-Type": "application/xml; charset=utf-8"})
    res["mkcalendar"] = {"status": st, "ms": ms(t)}
    if st != 201:
        errors.append(f"MKCALENDAR {cal} -> {st} {data[:300]!r}")
        res["fatal"] = True
        return res

    try:
        events = [make_event(i, seed) for i in range(a.n)]
        res["event_bytes_avg"] = round(statistics.fmean(len(e.body) for e in events), 1)
        res["recurring_generated"] = sum(e.weekly for e in events)
        half = a.n // 2

        # --- PUT phase 1: one client, one keep-alive connection
        s1, l1, w1 = put_serial(main, cal, events[:half], serial_deadline, errors)
        res["put_serial"] = {"events": len(s1), "seconds": round(w1, 3),
                             "ev_per_s": round(len(s1) / w1, 2) if w1 > 0 else None,
                             **lat_summary(l1)}
        # --- PUT phase 2: --clients threads, each its own connection
        s2, l2, w2, c2 = put_parallel(base, cal, events[half:], a.clients, put_deadline, errors)
        res["put_parallel"] = {"events": len(s2), "seconds": round(w2, 3),
                               "ev_per_s": round(len(s2) / w2, 2) if w2 > 0 else None,
                               "connections_opened": c2["opened"], "requests": c2["requests"],
                               **lat_summary(l2)}
        stored = {e.name: e for e in s1 + s2}
        res["n_stored"] = len(stored)
        res["put_truncated_by_time"] = len(l1) + len(l2) < a.n
        n_st = len(stored)

        ctype = {"Content-Type": "application/xml; charset=utf-8"}

        # --- PROPFIND Depth 1
        if time.perf_counter() < deadline_all:
            runs, (st, hd, data) = timed_repeat(main, "PROPFIND", cal, PROPFIND_BODY,
                                                {**ctype, "Depth": "1"}, a.repeat, deadline_all)
            r = rep_summary(runs, data)
            r["status"] = st
            if st == 207:
                _, resp = parse_multistatus(data)
                r["responses"] = len(resp)
                etags = {}
                for href, _s, props in resp:
                    et = props.get(f"{{{DAV}}}getetag")
                    if et and href.rstrip("/") != cal.rstrip("/") and et[1].text:
                        etags[href.rsplit("/", 1)[-1]] = et[1].text.strip()
                r["objects_with_etag"] = len(etags)
                ok = len(etags) == n_st
                res["checks"]["propfind_objects"] = {"ok": ok, "got": len(etags), "expected": n_st}
                if not ok:
                    errors.append(f"PROPFIND Depth 1: {len(etags)} objects with getetag, expected {n_st}")
            else:
                etags = {}
                errors.append(f"PROPFIND {cal} -> {st} {data[:300]!r}")
            res["propfind"] = r
        else:
            etags = {}

        exp_obj, exp_rec, exp_inst = expected_in_window(stored.values())

        # --- calendar-query plain
        if time.perf_counter() < deadline_all:
            runs, (st, hd, data) = timed_repeat(main, "REPORT", cal, query_body(False),
                                                {**ctype, "Depth": "1"}, a.repeat, deadline_all)
            r = rep_summary(runs, data)
            r["status"] = st
            if st == 207:
                _, resp = parse_multistatus(data)
                ok_resp = [x for x in resp if status_code(x[1]) in (None, 200)]
                rec = 0
                for _h, _s, props in ok_resp:
                    cd = props.get(f"{{{CAL}}}calendar-data")
                    if cd is not None and cd[1].text and "RRULE" in cd[1].text:
                        rec += 1
                r["objects"] = len(ok_resp)
                r["recurring"] = rec
                ok = len(ok_resp) == exp_obj and rec == exp_rec
                res["checks"]["query_plain"] = {"ok": ok, "got": len(ok_resp), "expected": exp_obj,
                                                "recurring_got": rec, "recurring_expected": exp_rec}
                if not ok:
                    got_names = {h.rsplit("/", 1)[-1] for h, _s, _p in ok_resp}
                    want = {e.name for e in stored.values() if e.instances_in(*WINDOW)}
                    errors.append(
                        f"calendar-query plain: {len(ok_resp)} objects ({rec} recurring), expected "
                        f"{exp_obj} ({exp_rec} recurring); missing {sorted(want - got_names)[:10]}, "
                        f"extra {sorted(got_names - want)[:10]}")
            else:
                errors.append(f"calendar-query plain -> {st} {data[:300]!r}")
            res["query_plain"] = r

        # --- calendar-query with expand
        if time.perf_counter() < deadline_all:
            runs, (st, hd, data) = timed_repeat(main, "REPORT", cal, query_body(True),
                                                {**ctype, "Depth": "1"}, a.repeat, deadline_all)
            r = rep_summary(runs, data)
            r["status"] = st
            if st == 207:
                _, resp = parse_multistatus(data)
                inst = 0
                bad_rrule = 0
                per_obj = {}
                for h, _s, props in resp:
                    cd = props.get(f"{{{CAL}}}calendar-data")
                    if cd is not None and cd[1].text:
                        n = count_vevents(cd[1].text)
                        per_obj[h.rsplit("/", 1)[-1]] = n
                        inst += n
                        if "RRULE" in cd[1].text:
                            bad_rrule += 1
                r["objects"] = len(resp)
                r["instances"] = inst
                ok = inst == exp_inst and bad_rrule == 0
                res["checks"]["query_expand"] = {"ok": ok, "got": inst, "expected": exp_inst,
                                                 "objects_still_with_rrule": bad_rrule}
                if not ok:
                    diffs = []
                    for e in stored.values():
                        want = e.instances_in(*WINDOW)
                        got = per_obj.get(e.name, 0)
                        if want != got:
                            diffs.append(f"{e.name} weekly={e.weekly} count={e.count} "
                                         f"start={fmt_utc(e.start)}: got {got}, expected {want}")
                    errors.append(f"calendar-query expand: {inst} instances, expected {exp_inst}; "
                                  f"{bad_rrule} objects still carry RRULE; first diffs: {diffs[:8]}")
            else:
                errors.append(f"calendar-query expand -> {st} {data[:300]!r}")
            res["query_expand"] = r

        rnd = random.Random(seed)
        names = sorted(stored)
        # --- multiget 100
        if time.perf_counter() < deadline_all and names:
            pick = rnd.sample(names, min(100, len(names)))
            runs, (st, hd, data) = timed_repeat(main, "REPORT", cal,
                                                multiget_body([cal + n for n in pick]),
                                                {**ctype, "Depth": "1"}, a.repeat, deadline_all)
            r = rep_summary(runs, data)
            r["status"] = st
            if st == 207:
                _, resp = parse_multistatus(data)
                good = sum(1 for _h, s, p in resp if f"{{{CAL}}}calendar-data" in p
                           and status_code(p[f"{{{CAL}}}calendar-data"][0]) == 200)
                r["responses"] = len(resp)
                ok = good == len(pick)
                res["checks"]["multiget"] = {"ok": ok, "got": good, "expected": len(pick)}
                if not ok:
                    errors.append(f"calendar-multiget: {good} with calendar-data, expected {len(pick)}")
            else:
                errors.append(f"calendar-multiget -> {st} {data[:300]!r}")
            res["multiget"] = r

        # --- sync-collection initial
        token = None
        if time.perf_counter() < deadline_all:
            runs, (st, hd, data) = timed_repeat(main, "REPORT", cal, sync_body(""),
                                                {**ctype}, a.repeat, deadline_all)
            r = rep_summary(runs, data)
            r["status"] = st
            if st == 207:
                root, resp = parse_multistatus(data)
                token = (root.findtext(f"{{{DAV}}}sync-token") or "").strip() or None
                objs = [x for x in resp if x[0].rstrip("/") != cal.rstrip("/")]
                r["responses"] = len(objs)
                ok = len(objs) == n_st and token is not None
                res["checks"]["sync_initial"] = {"ok": ok, "got": len(objs), "expected": n_st,
                                                 "token": bool(token)}
                if not ok:
                    errors.append(f"sync-collection initial: {len(objs)} responses, expected {n_st}; "
                                  f"token={token!r}")
            else:
                errors.append(f"sync-collection initial -> {st} {data[:300]!r}")
            res["sync_initial"] = r

        # --- 10 changes: 6 updates, 2 creates, 2 deletes
        if token and time.perf_counter() < deadline_all and len(names) >= 10:
            ch = rnd.sample(names, 8)
            upd, dels = ch[:6], ch[6:]
            change_lat = []
            for n in upd:
                ev = stored[n]
                nev = make_event(ev.index, seed, seq=1, summary_suffix=" (geändert ✏️)")
                hdr = {"If-Match": etags[n]} if n in etags else {}
                ok, t = put_one(main, cal, nev, errors, extra_headers=hdr)
                change_lat.append(t)
                if ok:
                    stored[n] = nev
            for i in range(2):
                nev = make_event(a.n + i, seed)
                ok, t = put_one(main, cal, nev, errors)
                change_lat.append(t)
                if ok:
                    stored[nev.name] = nev
            for n in dels:
                st, hd, data, t = main.request("DELETE", cal + n)
                change_lat.append(t)
                if st not in (200, 204):
                    errors.append(f"DELETE {cal + n} -> {st} {data[:200]!r}")
                else:
                    stored.pop(n, None)
            res["changes"] = {"updates": 6, "creates": 2, "deletes": 2,
                              "ms_each": [ms(x) for x in change_lat]}
            runs, (st, hd, data) = timed_repeat(main, "REPORT", cal, sync_body(token),
                                                {**ctype}, a.repeat, deadline_all)
            r = rep_summary(runs, data)
            r["status"] = st
            if st == 207:
                _, resp = parse_multistatus(data)
                objs = [x for x in resp if x[0].rstrip("/") != cal.rstrip("/")]
                gone = [x for x in objs if status_code(x[1]) == 404]
                r["responses"] = len(objs)
                r["deleted"] = len(gone)
                got_names = {x[0].rsplit("/", 1)[-1] for x in objs}
                want = set(upd) | set(dels) | {f"ev-{a.n:06d}.ics", f"ev-{a.n + 1:06d}.ics"}
                ok = len(objs) == 10 and len(gone) == 2 and got_names == want
                res["checks"]["sync_delta"] = {"ok": ok, "got": len(objs), "expected": 10,
                                               "deleted_got": len(gone), "deleted_expected": 2}
                if not ok:
                    errors.append(f"sync-collection delta: {len(objs)} responses ({len(gone)} 404), "
                                  f"expected 10 (2 404); missing {sorted(want - got_names)}, "
                                  f"extra {sorted(got_names - want)[:10]}")
            else:
                errors.append(f"sync-collection delta -> {st} {data[:300]!r}")
            res["sync_delta"] = r

        # --- GET one event on its own keep-alive connection
        if time.perf_counter() < deadline_all and stored:
            target = sorted(stored)[len(stored) // 2]
            body = stored[target].body
            gc = Client(*base)
            uid = stored[target].uid.encode()
            lats, bad, identical = [], 0, 0
            for _ in range(a.get_requests):
                if time.perf_counter() >= deadline_all:
                    break
                st, hd, data, t = gc.request("GET", cal + target)
                lats.append(t)
                identical += data == body
                if st != 200 or uid not in data.replace(b"\r\n ", b""):
                    bad += 1
                    if bad <= 3:
                        errors.append(f"GET {cal + target} -> {st} {data[:200]!r}")
            # Byte-identical bodies are informational: a server may re-serialise what it stores.
            res["get"] = {**lat_summary(lats), "errors": bad, "connections_opened": gc.opened,
                          "requests": gc.requests, "byte_identical": identical == len(lats)}
            res["checks"]["get_roundtrip"] = {"ok": bad == 0, "bad": bad}
            gc.close()
    finally:
        if not a.keep:
            try:
                st, hd, data, t = main.request("DELETE", cal)
                res["delete_calendar"] = {"status": st, "ms": ms(t)}
                if st not in (200, 204):
                    errors.append(f"DELETE {cal} -> {st} {data[:200]!r}")
            except Exception as e:  # noqa: BLE001
                errors.append(f"DELETE {cal} raised {e!r}")
        res["connections_opened_by_main_client"] = main.opened
        res["requests_by_main_client"] = main.requests
        res["keep_alive"] = main.opened < max(2, main.requests // 2)
        res["total_seconds"] = round(time.perf_counter() - t_start, 2)
        main.close()
    return res


def fmt(v, unit=""):
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.1f}{unit}" if v >= 100 else f"{v:.2f}{unit}"
    return f"{v}{unit}"


def print_table(res):
    lab = res.get("label") or res["base_url"]
    print(f"\n== bench_caldav: {lab} ({res['base_url']}) ==")
    rows = []
    ps, pp = res.get("put_serial", {}), res.get("put_parallel", {})
    rows.append(("PUT, 1 client", f"{fmt(ps.get('ev_per_s'))} ev/s ({ps.get('events')} ev; "
                 f"p50 {fmt(ps.get('p50_ms'))} ms, p99 {fmt(ps.get('p99_ms'))} ms)"))
    rows.append((f"PUT, {res['clients']} clients", f"{fmt(pp.get('ev_per_s'))} ev/s ({pp.get('events')} ev; "
                 f"p50 {fmt(pp.get('p50_ms'))} ms, p99 {fmt(pp.get('p99_ms'))} ms)"))
    r = res.get("propfind", {})
    rows.append(("PROPFIND Depth:1", f"{fmt(r.get('median_ms'))} ms ({r.get('responses')} resp., "
                 f"{r.get('bytes')} B)"))
    r = res.get("query_plain", {})
    c = res["checks"].get("query_plain", {})
    rows.append(("calendar-query 1 month", f"{fmt(r.get('median_ms'))} ms ({r.get('objects')} obj, "
                 f"{r.get('recurring')} recurring; expected {c.get('expected')}/{c.get('recurring_expected')}: "
                 f"{'ok' if c.get('ok') else 'MISMATCH'})"))
    r = res.get("query_expand", {})
    c = res["checks"].get("query_expand", {})
    rows.append(("calendar-query + expand", f"{fmt(r.get('median_ms'))} ms ({r.get('instances')} inst; "
                 f"expected {c.get('expected')}: {'ok' if c.get('ok') else 'MISMATCH'})"))
    r = res.get("multiget", {})
    rows.append(("calendar-multiget 100", f"{fmt(r.get('median_ms'))} ms ({r.get('bytes')} B)"))
    r = res.get("sync_initial", {})
    rows.append(("sync-collection initial", f"{fmt(r.get('median_ms'))} ms ({r.get('responses')} resp., "
                 f"{r.get('bytes')} B)"))
    r = res.get("sync_delta", {})
    c = res["checks"].get("sync_delta", {})
    rows.append(("sync after 10 changes", f"{fmt(r.get('median_ms'))} ms ({r.get('responses')} resp., "
                 f"{r.get('deleted')} deleted: {'ok' if c.get('ok') else 'MISMATCH'})"))
    g = res.get("get", {})
    rows.append((f"GET one event x{g.get('count')}", f"p50 {fmt(g.get('p50_ms'))} ms, p90 {fmt(g.get('p90_ms'))}, "
                 f"p99 {fmt(g.get('p99_ms'))}, max {fmt(g.get('max_ms'))}"))
    rows.append(("keep-alive", f"{'yes' if res.get('keep_alive') else 'no'} "
                 f"({res.get('connections_opened_by_main_client')} connections for "
                 f"{res.get('requests_by_main_client')} requests)"))
    rows.append(("stored / requested", f"{res.get('n_stored')} / {res['n_requested']}"
                 f"{' (cut by time budget)' if res.get('put_truncated_by_time') else ''}"))
    rows.append(("total wall time", f"{res.get('total_seconds')} s"))
    w = max(len(k) for k, _ in rows)
    for k, v in rows:
        print(f"  {k:<{w}}  {v}")
    if res["errors"]:
        print(f"  ERRORS ({len(res['errors'])}):")
        for e in res["errors"][:20]:
            print(f"    - {e}")
    else:
        print("  all checks passed")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--base-url", default="http://127.0.0.1:8080")
    p.add_argument("--user", default="demo")
    p.add_argument("--password", default="demo")
    p.add_argument("--home", default="/dav/calendars/demo/")
    p.add_argument("-n", type=int, default=2000)
    p.add_argument("--clients", type=int, default=8)
    p.add_argument("--get-requests", type=int, default=1000)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--time-budget", type=float, default=600)
    p.add_argument("--label", default="")
    p.add_argument("--json", default=None)
    p.add_argument("--keep", action="store_true", help="do not delete the calendar")
    a = p.parse_args(argv)
    if a.n < 12:
        p.error("-n must be at least 12")
    res = run(a)
    print_table(res)
    if a.json:
        with open(a.json, "w", encoding="utf-8") as f:
            json.dump(res, f, indent=2, ensure_ascii=False)
    if res.get("fatal"):
        return 2
    return 1 if res["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
