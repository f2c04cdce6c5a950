#!/usr/bin/env python3
"""An attendee with an ordinary mailbox, for the mail loop test (tests/mail_loop.rs).

  attendee.py reply --imap-port P --smtp-port S --user alice@attendees.test --uid UID
                    --partstat ACCEPTED [--password secret] [--wait 30]
      Reads the user's INBOX over IMAP until the invitation for UID is there, checks it
      the way a calendar client relies on it (METHOD:REQUEST, the user is an ATTENDEE with
      RSVP=TRUE, an ORGANIZER to answer), builds an iTIP REPLY with the `icalendar`
      library (RFC 5546 §3.2.3: same UID and SEQUENCE, DTSTAMP now, only this ATTENDEE
      with the new PARTSTAT) and mails it as iMIP (RFC 6047 §2.4: text/calendar;
      method=REPLY) over SMTP to the ORGANIZER's address. Prints one JSON object.

  attendee.py inspect --imap-port P --user events@invites.test [--password secret]
      Prints, as JSON, every folder of the mailbox with its messages' Message-IDs and flags,
      so the test sees what calinvite did to the messages it processed.

Exit status 1 with a message on stderr when a check fails.
"""
import argparse
import datetime
import imaplib
import json
import re
import smtplib
import sys
import time
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import formatdate, make_msgid

import icalendar


def fail(message):
    print(f"attendee.py: {message}", file=sys.stderr)
    sys.exit(1)


def login(args):
    imap = imaplib.IMAP4("127.0.0.1", args.imap_port)
    imap.login(args.user, args.password)
    return imap


def invitations(imap, uid):
    """Every REQUEST for `uid` in INBOX, oldest first, as (message, calendar, event)."""
    imap.select("INBOX", readonly=True)
    typ, data = imap.search(None, "ALL")
    found = []
    for num in data[0].split():
        typ, parts = imap.fetch(num, "(BODY.PEEK[])")
        raw = next(p[1] for p in parts if isinstance(p, tuple))
        msg = BytesParser(policy=policy.default).parsebytes(raw)
        for part in msg.walk():
            if part.get_content_type() != "text/calendar":
                continue
            cal = icalendar.Calendar.from_ical(part.get_payload(decode=True))
            for event in cal.walk("VEVENT"):
                if str(event.get("UID")) == uid:
                    found.append((msg, part, cal, event))
            break
    return found


def attendees(event):
    value = event.get("ATTENDEE")
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def reply(args):
    deadline = time.monotonic() + args.wait
    imap = login(args)
    while True:
        found = invitations(imap, args.uid)
        if found:
            break
        if time.monotonic() > deadline:
            fail(f"no invitation for {args.uid} reached {args.user} within {args.wait} s")
        time.sleep(0.3)
    imap.logout()
    msg, part, cal, event = found[-1]

    # The checks a calendar client relies on before it offers Accept/Decline.
    if str(cal.get("METHOD")).upper() != "REQUEST":
        fail(f"METHOD is {cal.get('METHOD')}, not REQUEST")
    if str(part.get_param("method", "")).upper() != "REQUEST":
        fail(f"the text/calendar part has method={part.get_param('method')}, not REQUEST")
    me = f"mailto:{args.user}".lower()
    mine = [a for a in attendees(event) if str(a).lower() == me]
    if not mine:
        fail(f"{args.user} is not an ATTENDEE: {[str(a) for a in attendees(event)]}")
    if str(mine[0].params.get("RSVP", "")).upper() != "TRUE":
        fail(f"ATTENDEE {args.user} has no RSVP=TRUE: {dict(mine[0].params)}")
    organizer = event.get("ORGANIZER")
    if organizer is None or not str(organizer).lower().startswith("mailto:"):
        fail(f"no mailto: ORGANIZER: {organizer}")
    organizer_address = str(organizer)[len("mailto:"):]
    if args.expect_organizer and organizer_address.lower() != args.expect_organizer.lower():
        fail(f"ORGANIZER is {organizer_address}, expected {args.expect_organizer}")
    sequence = int(event.get("SEQUENCE", 0))

    # Replies are ordered by DTSTAMP (whole seconds): two answers in one second would tie.
    time.sleep(1.05)
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    answer = icalendar.Calendar()
    answer.add("PRODID", "-//calinvite//mail loop attendee//EN")
    answer.add("VERSION", "2.0")
    answer.add("METHOD", "REPLY")
    ev = icalendar.Event()
    ev.add("UID", str(event.get("UID")))
    ev.add("SEQUENCE", sequence)
    ev.add("DTSTAMP", now)
    if event.get("DTSTART") is not None:
        ev["DTSTART"] = event["DTSTART"]
    if event.get("SUMMARY") is not None:
        ev["SUMMARY"] = event["SUMMARY"]
    ev["ORGANIZER"] = organizer
    attendee = icalendar.vCalAddress(f"mailto:{args.user}")
    attendee.params["PARTSTAT"] = args.partstat
    ev.add("ATTENDEE", attendee)
    answer.add_component(ev)

    out = EmailMessage()
    out["From"] = args.user
    out["To"] = organizer_address
    out["Subject"] = f"{args.partstat.capitalize()}: {event.get('SUMMARY', '')}"
    out["Date"] = formatdate(localtime=False)
    message_id = make_msgid(domain=args.user.rsplit("@", 1)[-1])
    out["Message-ID"] = message_id
    out.set_content(f"{args.user} answered {args.partstat}.\n")
    out.add_alternative(answer.to_ical().decode(), subtype="calendar", params={"method": "REPLY"})
    with smtplib.SMTP("127.0.0.1", args.smtp_port) as smtp:
        smtp.send_message(out, from_addr=args.user, to_addrs=[organizer_address])
    print(json.dumps({
        "organizer": organizer_address,
        "sequence": sequence,
        "message_id": message_id.strip("<>"),
        "invitations_seen": len(found),
        "invitation_subject": str(msg["Subject"]),
    }))


def inspect(args):
    imap = login(args)
    typ, boxes = imap.list()
    out = {}
    for line in boxes:
        name = line.decode().rsplit(' "', 1)[-1].rstrip('"') if line.decode().endswith('"') \
            else line.decode().rsplit(" ", 1)[-1]
        imap.select(f'"{name}"', readonly=True)
        typ, data = imap.uid("SEARCH", None, "ALL")
        messages = []
        for uid in data[0].split():
            typ, parts = imap.uid("FETCH", uid, "(FLAGS BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
            head = next(p for p in parts if isinstance(p, tuple))
            flags = re.search(rb"FLAGS \(([^)]*)\)", head[0] + b"".join(
                p for p in parts if isinstance(p, bytes)))
            mid = BytesParser(policy=policy.default).parsebytes(head[1])["Message-ID"]
            messages.append({
                "uid": int(uid),
                "message_id": str(mid).strip().strip("<>") if mid else None,
                "flags": flags.group(1).decode().split() if flags else [],
            })
        out[name] = messages
    imap.logout()
    print(json.dumps(out))


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("reply", "inspect"):
        p = sub.add_parser(name)
        p.add_argument("--imap-port", type=int, required=True)
        p.add_argument("--user", required=True)
        p.add_argument("--password", default="secret")
        if name == "reply":
            p.add_argument("--smtp-port", type=int, required=True)
            p.add_argument("--uid", required=True)
            p.add_argument("--partstat", required=True,
                           choices=["ACCEPTED", "DECLINED", "TENTATIVE"])
            p.add_argument("--expect-organizer", default="")
            p.add_argument("--wait", type=float, default=30)
    args = parser.parse_args()
    {"reply": reply, "inspect": inspect}[args.command](args)


if __name__ == "__main__":
    main()
