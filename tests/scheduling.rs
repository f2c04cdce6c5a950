//! CalDAV implicit scheduling (RFC 6638 §3) as Apple Calendar and Thunderbird use it: the
//! organizer's client stores an event with ATTENDEEs, the server invites them by iMIP,
//! writes SCHEDULE-STATUS on each, shows each answer as PARTSTAT in the organizer's copy,
//! tells attendees removed later, and leaves SCHEDULE-AGENT=CLIENT attendees alone.
//! Real binary, real SMTP server, messages read by an independent parser.

mod common;

use common::*;
use serde_json::Value;
use std::time::Duration;

struct Setup {
    server: Server,
    sink: SmtpSink,
    _dir: tempfile::TempDir,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = cli(&data, &["user", "add", "orga", "--email", "orga@example.org"], "pw\n");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let sink = SmtpSink::start(&dir.path().join("mail"), &[]);
    let port = sink.port.to_string();
    let server = Server::start_in(
        &data,
        &["--demo"],
        &[
            ("CALINVITE_SMTP__HOST", "127.0.0.1"),
            ("CALINVITE_SMTP__PORT", port.as_str()),
            ("CALINVITE_MAIL__FROM", "events@invites.example.org"),
            ("CALINVITE_LIFECYCLE__SETTLE_SECONDS", "0"),
        ],
    );
    Setup {
        server,
        sink,
        _dir: dir,
    }
}

const PATH: &str = "/dav/calendars/orga/default/plan.ics";

fn event(start: &str, extra_attendees: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Apple Inc.//macOS 15.1//EN\r\nBEGIN:VEVENT\r\nUID:plan-1\r\n\
         DTSTAMP:20300101T000000Z\r\nDTSTART:{start}\r\nDURATION:PT1H\r\nSUMMARY:Planning\r\n\
         ORGANIZER;CN=Orga:mailto:orga@example.org\r\n\
         ATTENDEE;CN=Orga;PARTSTAT=ACCEPTED;ROLE=CHAIR:mailto:orga@example.org\r\n\
         ATTENDEE;CN=Anna;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:anna@example.net\r\n\
         ATTENDEE;SCHEDULE-AGENT=CLIENT;PARTSTAT=NEEDS-ACTION:mailto:self@example.net\r\n\
         {extra_attendees}END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
}

fn put(s: &Server, body: &str, if_match: Option<&str>) -> Response {
    let auth = basic("orga", "pw");
    let mut headers = vec![("Authorization", auth.as_str()), ("Content-Type", "text/calendar")];
    if let Some(etag) = if_match {
        headers.push(("If-Match", etag));
    }
    s.request("PUT", PATH, &headers, body.as_bytes())
}

fn get(s: &Server) -> (String, String) {
    let r = s.get(PATH, &[("Authorization", &basic("orga", "pw"))]);
    assert_eq!(r.status, 200, "{}", r.text());
    (r.text().replace("\r\n ", ""), r.header("etag").unwrap().to_string())
}

fn wait_count(sink: &SmtpSink, n: usize) {
    sink.wait_count(n, Duration::from_secs(20));
    // A moment more, so a message too many would show.
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(sink.count(), n, "messages received");
}

fn attendee_line<'a>(body: &'a str, email: &str) -> &'a str {
    body.lines()
        .find(|l| l.starts_with("ATTENDEE") && l.to_ascii_lowercase().ends_with(email))
        .unwrap_or_else(|| panic!("no ATTENDEE {email} in {body}"))
}

#[test]
fn attendees_written_by_the_organizers_client_are_invited_and_their_answers_shown() {
    let t = setup();
    let r = put(
        &t.server,
        &event("20300310T170000Z", "ATTENDEE;CUTYPE=ROOM:mailto:room@example.org\r\n"),
        None,
    );
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.header("etag"), None, "the stored object differs from the one sent");
    let (body, _) = get(&t.server);
    assert!(attendee_line(&body, "anna@example.net").contains("SCHEDULE-STATUS=1.1"));
    assert!(attendee_line(&body, "room@example.org").contains("SCHEDULE-STATUS=1.1"));
    assert!(!attendee_line(&body, "self@example.net").contains("SCHEDULE-STATUS"));
    assert!(!attendee_line(&body, "orga@example.org").contains("SCHEDULE-STATUS"));

    // Anna and the room are invited by iMIP; the CLIENT-scheduled attendee and the
    // organizer are not.
    wait_count(&t.sink, 2);
    let sent = t.sink.after(0);
    let mut to: Vec<String> = sent.iter().map(rcpt).collect();
    to.sort();
    assert_eq!(to, ["anna@example.net", "room@example.org"]);
    assert!(sent.iter().all(|m| m["vcal_method"] == "REQUEST"));

    // Anna accepts by mail: the organizer's copy shows it.
    let reply = "From: anna@example.net\r\nTo: events@invites.example.org\r\nMessage-ID: <anna-1@example.net>\r\n\
         Subject: Accepted\r\nMIME-Version: 1.0\r\nContent-Type: text/calendar; method=REPLY; charset=utf-8\r\n\r\n\
         BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//EN\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nUID:plan-1\r\n\
         DTSTAMP:20300102T000000Z\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:anna@example.net\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let r = t.server.request(
        "POST",
        "/api/v1/inbound",
        &[("Authorization", &basic("demo", "demo"))],
        reply.as_bytes(),
    );
    let v: Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(v["outcome"]["kind"], "applied", "{v}");
    let (body, etag) = get(&t.server);
    let anna = attendee_line(&body, "anna@example.net");
    assert!(
        anna.contains("PARTSTAT=ACCEPTED") && anna.contains("SCHEDULE-STATUS=2.0"),
        "{anna}"
    );
    assert!(!anna.contains("RSVP"), "{anna}");
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(t.sink.count(), 2, "showing an answer tells nobody");

    // The organizer moves it and takes the room off: Anna (Yes) gets the update, the room
    // a CANCEL.
    let moved = body
        .replace("DTSTART:20300310T170000Z", "DTSTART:20300311T170000Z")
        .replace(
            "ATTENDEE;CUTYPE=ROOM;SCHEDULE-STATUS=1.1:mailto:room@example.org\r\n",
            "",
        );
    assert!(!moved.contains("room@"), "{moved}");
    let r = put(&t.server, &moved, Some(&etag));
    assert!(r.status == 204, "{}", r.text());
    wait_count(&t.sink, 4);
    let sent = t.sink.after(2);
    let by = |to: &str| {
        sent.iter()
            .find(|m| rcpt(m) == to)
            .unwrap_or_else(|| panic!("nothing to {to}"))
    };
    assert_eq!(by("anna@example.net")["vcal_method"], "REQUEST");
    assert_eq!(by("room@example.org")["vcal_method"], "CANCEL");
    assert_eq!(by("anna@example.net")["events"][0]["sequence"], 1);

    // A new attendee added later is invited; those already invited are not again.
    let (body, etag) = get(&t.server);
    let added = body.replace(
        "END:VEVENT",
        "ATTENDEE;CN=Ben;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:ben@example.net\r\nEND:VEVENT",
    );
    assert_eq!(put(&t.server, &added, Some(&etag)).status, 204);
    wait_count(&t.sink, 5);
    assert_eq!(rcpt(&t.sink.after(4)[0]), "ben@example.net");
}
