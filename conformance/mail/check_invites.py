#!/usr/bin/env python3
"""Reads every message a test SMTP sink received and reports, per message, what an
independent parser (python's `email` and the `icalendar` library) sees in it, as JSON.

Usage: check_invites.py DIR  ->  JSON list on stdout, one object per .eml file.
The Rust tests assert on these facts field by field.
"""
import json
import os
import sys

from email import policy
from email.parser import BytesParser

import icalendar


def structure(part):
    if part.is_multipart():
        return {part.get_content_type(): [structure(p) for p in part.iter_parts()]}
    return part.get_content_type()


def facts(path):
    raw = open(path, "rb").read()
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    cal_parts = [p for p in msg.walk() if p.get_content_type() in ("text/calendar", "application/ics")]
    cal_payloads = [p.get_payload(decode=True) for p in cal_parts]
    inline = next((p for p in msg.walk() if p.get_content_type() == "text/calendar"), None)
    out = {
        "file": os.path.basename(path),
        "envelope_from": msg["X-Envelope-From"],
        "from": str(msg["From"]),
        "to": str(msg["To"]),
        "subject": str(msg["Subject"]),
        "message_id": str(msg["Message-ID"]),
        "list_unsubscribe": str(msg["List-Unsubscribe"]) if msg["List-Unsubscribe"] else None,
        "structure": structure(msg),
        "seven_bit": all(b < 128 for b in raw),
        "calendar_parts": len(cal_parts),
        "calendar_parts_identical": len(set(cal_payloads)) == 1,
        "calendar_encodings": [str(p["Content-Transfer-Encoding"]).lower() for p in cal_parts],
        "method_param": inline.get_param("method") if inline is not None else None,
        "text_body": None,
    }
    out["raw_contains"] = {}
    for needle in sys.argv[2:]:
        out["raw_contains"][needle] = needle.encode() in raw or needle.lower().encode() in raw.lower()
    body = msg.get_body(preferencelist=("plain",))
    out["text_body"] = body.get_content() if body is not None else None
    if inline is None:
        return out
    cal = icalendar.Calendar.from_ical(inline.get_payload(decode=True))
    out["vcal_method"] = str(cal.get("METHOD"))
    events = []
    for ev in cal.walk("VEVENT"):
        attendees = ev.get("ATTENDEE")
        attendees = attendees if isinstance(attendees, list) else ([attendees] if attendees is not None else [])
        events.append({
            "uid": str(ev.get("UID")),
            "summary": str(ev.get("SUMMARY")),
            "sequence": int(ev.get("SEQUENCE", -1)),
            "organizer": str(ev.get("ORGANIZER")),
            "organizer_cn": str(ev.get("ORGANIZER").params.get("CN")) if ev.get("ORGANIZER") is not None else None,
            "attendees": [
                {"address": str(a), "rsvp": a.params.get("RSVP"), "partstat": a.params.get("PARTSTAT"),
                 "role": a.params.get("ROLE"), "cn": a.params.get("CN")}
                for a in attendees
            ],
            "has_dtstart": ev.get("DTSTART") is not None,
            "dtstart": str(ev.get("DTSTART").dt) if ev.get("DTSTART") is not None else None,
            "has_dtend": ev.get("DTEND") is not None or ev.get("DURATION") is not None,
            "has_dtstamp": ev.get("DTSTAMP") is not None,
            "status": str(ev.get("STATUS")) if ev.get("STATUS") is not None else None,
            "recurrence_id": str(ev.get("RECURRENCE-ID").to_ical().decode()) if ev.get("RECURRENCE-ID") is not None else None,
            "alarms": len(list(ev.walk("VALARM"))),
        })
    out["events"] = events
    return out


folder = sys.argv[1]
files = sorted(f for f in os.listdir(folder) if f.endswith(".eml"))
print(json.dumps([facts(os.path.join(folder, f)) for f in files], ensure_ascii=False))
