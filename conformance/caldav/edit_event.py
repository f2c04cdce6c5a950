#!/usr/bin/env python3
"""Edits an event the way a native client does, with the python `caldav` library.

Usage: edit_event.py URL USER PASSWORD CALENDAR_URL UID ACTION
ACTION: create-<HH> (create at 2030-03-15 HH:00 UTC, 2 h), move-<HH> (move the start to
HH:00, keeping the length), touch (save again, no change), delete.
Prints 'ok' on success; exits 1 with the error otherwise.
"""
import sys
from datetime import datetime, timedelta, timezone

import caldav

url, user, password, cal_url, uid, action = sys.argv[1:7]
client = caldav.DAVClient(url=url, username=user, password=password)
calendar = caldav.Calendar(client=client, url=cal_url)

if action.startswith("create-"):
    hour = int(action.split("-", 1)[1])
    start = datetime(2030, 3, 15, hour, tzinfo=timezone.utc)
    calendar.save_event(dtstart=start, dtend=start + timedelta(hours=2), summary="Match day", uid=uid,
                        location="Stadion")
elif action.startswith("move-"):
    hour = int(action.split("-", 1)[1])
    event = calendar.event_by_uid(uid)
    comp = event.icalendar_component
    length = comp["DTEND"].dt - comp["DTSTART"].dt
    start = datetime(2030, 3, 15, hour, tzinfo=timezone.utc)
    comp["DTSTART"].dt = start
    comp["DTEND"].dt = start + length
    event.save()
elif action == "touch":
    event = calendar.event_by_uid(uid)
    event.save()
elif action == "delete":
    calendar.event_by_uid(uid).delete()
else:
    sys.exit(f"unknown action {action}")
print("ok")
