#!/usr/bin/env python3
"""A CalDAV scenario driven by the python `caldav` library (a real, independent client).

Discover the principal from the server root, create a calendar, save events (weekly
recurring with an override and an EXDATE, all-day, America/New_York, non-ASCII text),
search by time range with server-side expansion, update, delete, and sync by token.
Every step checks what the server answered; the library's client-side fallbacks are
switched off where it has them, so the server's own behaviour is measured.

Usage: scenario.py URL USER PASSWORD
Prints one line per step and a closing 'N passed, N failed' line; exits 1 on any failure.
"""
import sys
import traceback
import uuid
from datetime import datetime, date, timezone

import caldav

URL, USER, PASSWORD = sys.argv[1], sys.argv[2], sys.argv[3]
passed, failed = 0, 0


def step(name):
    def wrap(fn):
        global passed, failed
        try:
            fn()
            passed += 1
            print(f"PASS {name}")
        except Exception as e:  # noqa: BLE001 - report every failure and go on
            failed += 1
            print(f"FAIL {name}: {e!r}")
            traceback.print_exc(limit=3)
        return fn
    return wrap


def ical(body):
    return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//calinvite//scenario//EN\r\n" + body + "END:VCALENDAR\r\n"


run = uuid.uuid4().hex[:8]
WEEKLY = ical(
    f"BEGIN:VEVENT\r\nUID:weekly-{run}\r\nDTSTAMP:20300101T000000Z\r\n"
    "DTSTART:20300304T100000Z\r\nDTEND:20300304T110000Z\r\nSUMMARY:Weekly standup\r\n"
    "RRULE:FREQ=WEEKLY;COUNT=6\r\nEXDATE:20300318T100000Z\r\nEND:VEVENT\r\n"
    f"BEGIN:VEVENT\r\nUID:weekly-{run}\r\nDTSTAMP:20300101T000000Z\r\n"
    "RECURRENCE-ID:20300311T100000Z\r\nDTSTART:20300312T150000Z\r\nDTEND:20300312T160000Z\r\n"
    "SUMMARY:Weekly standup (moved)\r\nEND:VEVENT\r\n"
)
ALLDAY = ical(
    f"BEGIN:VEVENT\r\nUID:allday-{run}\r\nDTSTAMP:20300101T000000Z\r\n"
    "DTSTART;VALUE=DATE:20300320\r\nDTEND;VALUE=DATE:20300321\r\nSUMMARY:Company holiday\r\nEND:VEVENT\r\n"
)
NEW_YORK = ical(
    "BEGIN:VTIMEZONE\r\nTZID:America/New_York\r\n"
    "BEGIN:DAYLIGHT\r\nTZOFFSETFROM:-0500\r\nTZOFFSETTO:-0400\r\nTZNAME:EDT\r\nDTSTART:19700308T020000\r\n"
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\r\nEND:DAYLIGHT\r\n"
    "BEGIN:STANDARD\r\nTZOFFSETFROM:-0400\r\nTZOFFSETTO:-0500\r\nTZNAME:EST\r\nDTSTART:19701101T020000\r\n"
    "RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
    f"BEGIN:VEVENT\r\nUID:ny-{run}\r\nDTSTAMP:20300101T000000Z\r\n"
    "DTSTART;TZID=America/New_York:20300325T090000\r\nDTEND;TZID=America/New_York:20300325T100000\r\n"
    "SUMMARY:New York breakfast\r\nEND:VEVENT\r\n"
)
UTF8_SUMMARY = "Réunion 会議 اجتماع Grüße 🎉"
UTF8 = ical(
    f"BEGIN:VEVENT\r\nUID:utf8-{run}\r\nDTSTAMP:20300101T000000Z\r\n"
    f"DTSTART:20300327T120000Z\r\nDTEND:20300327T130000Z\r\nSUMMARY:{UTF8_SUMMARY}\r\n"
    "LOCATION:Zürich, Bahnhofstraße 1\r\nEND:VEVENT\r\n"
)

state = {}


@step("discover the principal from the server root")
def _():
    client = caldav.DAVClient(url=URL, username=USER, password=PASSWORD)
    principal = client.principal()
    assert principal.url is not None
    home = principal.calendar_home_set
    assert f"/dav/calendars/{USER}/" in str(home.url), home.url
    state["client"], state["principal"] = client, principal


@step("create a calendar")
def _():
    cal = state["principal"].make_calendar(name=f"Scenario {run}", cal_id=f"scenario-{run}")
    names = [c.get_display_name() for c in state["principal"].calendars()]
    assert f"Scenario {run}" in names, names
    state["cal"] = cal


@step("save a weekly event with an override and an EXDATE")
def _():
    state["weekly"] = state["cal"].save_event(WEEKLY)


@step("save an all-day event")
def _():
    state["allday"] = state["cal"].save_event(ALLDAY)


@step("save an event in America/New_York")
def _():
    state["ny"] = state["cal"].save_event(NEW_YORK)


@step("save an event with non-ASCII text, read back unchanged")
def _():
    state["utf8"] = state["cal"].save_event(UTF8)
    back = state["cal"].event_by_uid(f"utf8-{run}")
    assert UTF8_SUMMARY in back.data, back.data
    assert "Bahnhofstraße" in back.data


@step("[server] search a time range without expansion")
def _():
    found = state["cal"].search(
        start=datetime(2030, 3, 10, tzinfo=timezone.utc), end=datetime(2030, 3, 26, tzinfo=timezone.utc),
        event=True, expand=False,
    )
    uids = sorted(e.icalendar_component["UID"] for e in found)
    assert uids == sorted([f"weekly-{run}", f"allday-{run}", f"ny-{run}"]), uids


@step("[server] search a time range with server-side expansion")
def _():
    found = state["cal"].search(
        start=datetime(2030, 3, 1, tzinfo=timezone.utc), end=datetime(2030, 4, 1, tzinfo=timezone.utc),
        event=True, expand=True, server_expand=True,
    )
    starts = sorted(
        str(e.icalendar_component["DTSTART"].dt) for e in found if str(e.icalendar_component["UID"]) == f"weekly-{run}"
    )
    # COUNT=6 from 03-04: 03-04, 03-11 (moved to 03-12 15:00), 03-18 (EXDATE), 03-25, 04-01 (outside), 04-08.
    assert starts == ["2030-03-04 10:00:00+00:00", "2030-03-12 15:00:00+00:00", "2030-03-25 10:00:00+00:00"], starts
    total = len(found)
    assert total == 6, f"expected 3 weekly instances + all-day + New York + UTF-8 = 6, got {total}"


@step("[server] the New York event is found by its UTC instant (DST in effect)")
def _():
    # 09:00 EDT on 2030-03-25 is 13:00 UTC; a window 12:30-13:30 UTC must find it.
    found = state["cal"].search(
        start=datetime(2030, 3, 25, 12, 30, tzinfo=timezone.utc), end=datetime(2030, 3, 25, 13, 30, tzinfo=timezone.utc),
        event=True,
    )
    assert [str(e.icalendar_component["UID"]) for e in found] == [f"ny-{run}"], found


@step("sync by token: initial")
def _():
    objs = state["cal"].objects_by_sync_token(load_objects=False)
    assert len(list(objs)) == 4
    state["token"] = objs.sync_token


@step("update an event (If-Match), then sync shows it")
def _():
    ev = state["cal"].event_by_uid(f"allday-{run}")
    ev.icalendar_component["SUMMARY"] = "Company holiday (all hands)"
    ev.save()
    back = state["cal"].event_by_uid(f"allday-{run}")
    assert "all hands" in back.data
    objs = state["cal"].objects_by_sync_token(sync_token=state["token"], load_objects=False)
    changed = [str(o.url) for o in objs]
    assert len(changed) == 1 and changed[0].endswith(".ics"), changed
    state["token"] = objs.sync_token


@step("delete an event, then sync reports it deleted")
def _():
    ev = state["cal"].event_by_uid(f"ny-{run}")
    url = str(ev.url)
    ev.delete()
    objs = state["cal"].objects_by_sync_token(sync_token=state["token"], load_objects=False)
    deleted = [str(u) for u in objs.deleted_urls]
    name = url.rsplit("/", 1)[-1]
    assert len(deleted) == 1 and deleted[0].endswith(name), (deleted, name)
    # The library lists removed members among the objects too, flagged in deleted_urls.
    assert [str(o.url) for o in objs] == deleted, (list(objs), deleted)
    try:
        state["cal"].event_by_uid(f"ny-{run}")
        raise AssertionError("deleted event still found")
    except caldav.lib.error.NotFoundError:
        pass


@step("delete the calendar")
def _():
    state["cal"].delete()
    names = [c.get_display_name() for c in state["principal"].calendars()]
    assert f"Scenario {run}" not in names, names


print(f"caldav-scenario: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
