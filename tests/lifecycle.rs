//! Updates and cancellations reach the right people: a time change goes to those who
//! answered Yes or Maybe, a deletion to everyone, an insignificant save to nobody, and
//! quick saves coalesce into one update. Real binary, real SMTP server, messages checked
//! by an independent parser (python email + icalendar).

mod common;

use common::*;
use serde_json::{Value, json};
use std::time::Duration;

fn event(uid: &str, start: &str, end: &str, stamp: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:{stamp}\r\n\
         DTSTART:{start}\r\nDTEND:{end}\r\nSUMMARY:Match day\r\nLOCATION:Stadion\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
}

struct Setup {
    server: Server,
    sink: SmtpSink,
    _dir: tempfile::TempDir,
}

fn setup(settle: &str) -> Setup {
    // A later value of the same variable wins over setup_with's default.
    setup_with(&[("CALINVITE_LIFECYCLE__SETTLE_SECONDS", settle)])
}

fn put(s: &Server, uid: &str, body: &str) -> u16 {
    s.request(
        "PUT",
        &format!("/dav/calendars/demo/default/{uid}.ics"),
        &[
            ("Authorization", &basic("demo", "demo")),
            ("Content-Type", "text/calendar"),
        ],
        body.as_bytes(),
    )
    .status
}

/// Invites the four, waits for the four invitations, and records three answers.
fn invite_and_answer(t: &Setup, uid: &str) {
    answered(&t.server, &t.sink, uid);
}

fn answered(server: &Server, sink: &SmtpSink, uid: &str) {
    let r = server.request(
        "POST",
        &format!("/api/v1/events/{uid}/invitations"),
        &[("Authorization", &basic("demo", "demo"))],
        json!({"recipients": [{"email": "yes@example.org"}, {"email": "no@example.org"}, {"email": "maybe@example.org"}, {"email": "silent@example.org"}]})
            .to_string()
            .as_bytes(),
    );
    assert_eq!(r.status, 202);
    sink.wait_count(4, Duration::from_secs(20));
    for (i, (email, answer)) in [
        ("yes@example.org", "ACCEPTED"),
        ("no@example.org", "DECLINED"),
        ("maybe@example.org", "TENTATIVE"),
    ]
    .iter()
    .enumerate()
    {
        let r = server.request(
            "POST",
            "/api/v1/inbound",
            &[("Authorization", &basic("demo", "demo"))],
            reply_message(uid, email, answer, i + 1).as_bytes(),
        );
        let v: Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(v["outcome"]["kind"], "applied", "{v}");
    }
}

#[test]
fn a_time_change_reaches_yes_and_maybe_and_a_deletion_reaches_everyone() {
    let t = setup("0");
    assert_eq!(
        put(
            &t.server,
            "life-1",
            &event("life-1", "20300315T180000Z", "20300315T200000Z", "20300101T000000Z")
        ),
        201
    );
    invite_and_answer(&t, "life-1");

    // Only DTSTAMP changes: nothing to tell anyone.
    assert_eq!(
        put(
            &t.server,
            "life-1",
            &event("life-1", "20300315T180000Z", "20300315T200000Z", "20300102T000000Z")
        ),
        204
    );
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(t.sink.count(), 4, "an insignificant change sent mail");

    // The kick-off moves: Yes and Maybe get the update, with SEQUENCE 1.
    assert_eq!(
        put(
            &t.server,
            "life-1",
            &event("life-1", "20300315T190000Z", "20300315T210000Z", "20300103T000000Z")
        ),
        204
    );
    t.sink.wait_count(6, Duration::from_secs(20));
    let updates = t.sink.after(4);
    let mut who: Vec<String> = updates.iter().map(rcpt).collect();
    who.sort();
    assert_eq!(who, ["maybe@example.org", "yes@example.org"]);
    for m in &updates {
        assert_eq!(
            (m["method_param"].as_str(), m["vcal_method"].as_str()),
            (Some("REQUEST"), Some("REQUEST"))
        );
        let ev = &m["events"][0];
        assert_eq!(ev["sequence"], 1);
        assert_eq!(ev["attendees"].as_array().unwrap().len(), 1);
    }

    // Deleted: every recipient gets a CANCEL with SEQUENCE 2, whatever they answered.
    let r = t.server.request(
        "DELETE",
        "/dav/calendars/demo/default/life-1.ics",
        &[("Authorization", &basic("demo", "demo"))],
        b"",
    );
    assert_eq!(r.status, 204);
    t.sink.wait_count(10, Duration::from_secs(20));
    let cancels = t.sink.after(6);
    let mut who: Vec<String> = cancels.iter().map(rcpt).collect();
    who.sort();
    assert_eq!(
        who,
        [
            "maybe@example.org",
            "no@example.org",
            "silent@example.org",
            "yes@example.org"
        ]
    );
    for m in &cancels {
        assert_eq!(
            (m["method_param"].as_str(), m["vcal_method"].as_str()),
            (Some("CANCEL"), Some("CANCEL"))
        );
        let ev = &m["events"][0];
        assert_eq!(
            (ev["sequence"].as_i64(), ev["status"].as_str()),
            (Some(2), Some("CANCELLED"))
        );
        assert!(ev["has_dtstart"] == true && ev["has_dtend"] == true);
    }
    // A cancelled event takes no new invitations.
    let r = t.server.request(
        "POST",
        "/api/v1/events/life-1/invitations",
        &[("Authorization", &basic("demo", "demo"))],
        br#"{"recipients":[{"email":"late@example.org"}]}"#,
    );
    assert_eq!(r.status, 409);
}

#[test]
fn three_quick_saves_go_out_as_one_update_with_the_final_state() {
    let t = setup("3");
    assert_eq!(
        put(
            &t.server,
            "life-2",
            &event("life-2", "20300315T180000Z", "20300315T200000Z", "20300101T000000Z")
        ),
        201
    );
    invite_and_answer(&t, "life-2");
    for (i, hour) in ["19", "20", "21"].iter().enumerate() {
        let start = format!("20300315T{hour}0000Z");
        let end = format!("20300315T{}0000Z", hour.parse::<u32>().unwrap() + 2);
        assert_eq!(
            put(
                &t.server,
                "life-2",
                &event("life-2", &start, &end, &format!("2030010{}T000000Z", i + 2))
            ),
            204
        );
    }
    t.sink.wait_count(6, Duration::from_secs(20));
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(t.sink.count(), 6, "one update each for Yes and Maybe, not three");
    for m in t.sink.after(4) {
        let ev = &m["events"][0];
        assert_eq!(ev["sequence"], 3, "the final SEQUENCE");
        assert_eq!(ev["dtstart"], "2030-03-15 21:00:00+00:00", "the final state");
    }
}

fn weekly(uid: &str, stamp: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:{stamp}\r\n\
         DTSTART:20300304T180000Z\r\nDTEND:20300304T200000Z\r\nRRULE:FREQ=WEEKLY;COUNT=8\r\nSUMMARY:Training\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
}

fn with_override(uid: &str, exdate: bool, stamp: &str) -> String {
    let exdate = if exdate { "EXDATE:20300325T180000Z\r\n" } else { "" };
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:{stamp}\r\n\
         DTSTART:20300304T180000Z\r\nDTEND:20300304T200000Z\r\nRRULE:FREQ=WEEKLY;COUNT=8\r\n{exdate}SUMMARY:Training\r\nEND:VEVENT\r\n\
         BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:{stamp}\r\nRECURRENCE-ID:20300311T180000Z\r\n\
         DTSTART:20300312T180000Z\r\nDTEND:20300312T200000Z\r\nSUMMARY:Training (moved to Tuesday)\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
}

#[test]
fn one_occurrence_moved_or_cancelled_sends_only_that_occurrence() {
    let t = setup("0");
    assert_eq!(put(&t.server, "series", &weekly("series", "20300101T000000Z")), 201);
    invite_and_answer(&t, "series");

    // One occurrence moves: Yes and Maybe get a REQUEST for that occurrence only.
    assert_eq!(
        put(&t.server, "series", &with_override("series", false, "20300102T000000Z")),
        204
    );
    t.sink.wait_count(6, Duration::from_secs(20));
    for m in t.sink.after(4) {
        assert_eq!(m["vcal_method"], "REQUEST");
        let events = m["events"].as_array().unwrap();
        assert_eq!(events.len(), 1, "only the occurrence: {m}");
        assert_eq!(events[0]["recurrence_id"], "20300311T180000Z");
        assert_eq!(events[0]["dtstart"], "2030-03-12 18:00:00+00:00");
        assert_eq!(events[0]["sequence"], 1);
    }

    // Another occurrence is cancelled (EXDATE): everyone gets a CANCEL for it alone.
    assert_eq!(
        put(&t.server, "series", &with_override("series", true, "20300103T000000Z")),
        204
    );
    t.sink.wait_count(10, Duration::from_secs(20));
    for m in t.sink.after(6) {
        assert_eq!(m["vcal_method"], "CANCEL");
        let events = m["events"].as_array().unwrap();
        assert_eq!(events.len(), 1, "only the occurrence: {m}");
        assert_eq!(events[0]["recurrence_id"], "20300325T180000Z");
        assert_eq!(events[0]["sequence"], 2);
    }
}

#[test]
fn an_update_queued_before_a_crash_is_delivered_after_the_restart() {
    let dir = tempfile::tempdir().unwrap();
    let sink = SmtpSink::start(&dir.path().join("mail"), &[]);
    let port = sink.port.to_string();
    let env = [
        ("CALINVITE_SMTP__HOST", "127.0.0.1"),
        ("CALINVITE_SMTP__PORT", port.as_str()),
        ("CALINVITE_MAIL__FROM", "events@invites.example.org"),
        ("CALINVITE_LIFECYCLE__SETTLE_SECONDS", "2"),
    ];
    let data = dir.path().join("data");
    let mut server = Server::start_in(&data, &["--demo"], &env);
    assert_eq!(
        put(
            &server,
            "crash",
            &event("crash", "20300315T180000Z", "20300315T200000Z", "20300101T000000Z")
        ),
        201
    );
    answered(&server, &sink, "crash");
    assert_eq!(
        put(
            &server,
            "crash",
            &event("crash", "20300315T190000Z", "20300315T210000Z", "20300102T000000Z")
        ),
        204
    );
    // kill -9 before the settle time has passed: the update is only in the outbox.
    server.signal("KILL");
    server.wait_exit(Duration::from_secs(5));
    assert_eq!(sink.count(), 4);
    let _restarted = Server::start_in(&data, &["--demo"], &env);
    sink.wait_count(6, Duration::from_secs(30));
    let mut who: Vec<String> = sink.after(4).iter().map(rcpt).collect();
    who.sort();
    assert_eq!(who, ["maybe@example.org", "yes@example.org"]);
}

#[test]
fn a_native_client_editing_and_deleting_drives_updates_and_cancellations() {
    let t = setup("0");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/conformance/caldav/edit_event.py");
    let base = format!("http://{}/dav/", t.server.addr);
    let cal = format!("http://{}/dav/calendars/demo/default/", t.server.addr);
    let client = |action: &str| {
        let out = std::process::Command::new(python())
            .args([script, &base, "demo", "demo", &cal, "by-client", action])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{action}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    client("create-18");
    invite_and_answer(&t, "by-client");
    client("touch");
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(t.sink.count(), 4, "saving without a change told nobody");
    client("move-20");
    t.sink.wait_count(6, Duration::from_secs(20));
    for m in t.sink.after(4) {
        assert_eq!(m["events"][0]["dtstart"], "2030-03-15 20:00:00+00:00");
        assert_eq!(m["events"][0]["sequence"], 1);
    }
    client("delete");
    t.sink.wait_count(10, Duration::from_secs(20));
    assert!(t.sink.after(6).iter().all(|m| m["vcal_method"] == "CANCEL"));
}

fn setup_with(env: &[(&str, &str)]) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let sink = SmtpSink::start(&dir.path().join("mail"), &[]);
    let port = sink.port.to_string();
    let mut vars = vec![
        ("CALINVITE_SMTP__HOST", "127.0.0.1"),
        ("CALINVITE_SMTP__PORT", port.as_str()),
        ("CALINVITE_MAIL__FROM", "events@invites.example.org"),
        ("CALINVITE_LIFECYCLE__SETTLE_SECONDS", "0"),
    ];
    vars.extend_from_slice(env);
    let server = Server::start_in(&dir.path().join("data"), &["--demo"], &vars);
    Setup {
        server,
        sink,
        _dir: dir,
    }
}

fn pending(s: &Server) -> Vec<Value> {
    let r = s.get("/api/v1/pending", &[("Authorization", &basic("demo", "demo"))]);
    assert_eq!(r.status, 200, "{}", r.text());
    let v: Value = serde_json::from_slice(&r.body).unwrap();
    v["items"].as_array().unwrap().clone()
}

#[test]
fn with_approval_on_updates_wait_fold_and_go_out_only_when_approved() {
    let t = setup_with(&[("CALINVITE_LIFECYCLE__APPROVAL", "true")]);
    assert_eq!(
        put(
            &t.server,
            "held",
            &event("held", "20300315T180000Z", "20300315T200000Z", "20300101T000000Z")
        ),
        201
    );
    invite_and_answer(&t, "held");

    // The change lands in the calendar at once, but nobody is told yet.
    assert_eq!(
        put(
            &t.server,
            "held",
            &event("held", "20300315T190000Z", "20300315T210000Z", "20300102T000000Z")
        ),
        204
    );
    let got = t.server.get(
        "/dav/calendars/demo/default/held.ics",
        &[("Authorization", &basic("demo", "demo"))],
    );
    assert!(got.text().contains("DTSTART:20300315T190000Z"));
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(t.sink.count(), 4, "a held update was sent");
    let p = pending(&t.server);
    assert_eq!(p.len(), 1);
    assert_eq!(
        (
            p[0]["event"].as_str(),
            p[0]["method"].as_str(),
            p[0]["recipients"].as_u64()
        ),
        (Some("held"), Some("REQUEST"), Some(2))
    );
    assert!(
        p[0]["diff"].as_str().unwrap().contains("2030-03-15 18:00 UTC"),
        "{}",
        p[0]["diff"]
    );
    let id = p[0]["id"].as_u64().unwrap();

    // A later edit folds into the same pending change, diffed from the original.
    assert_eq!(
        put(
            &t.server,
            "held",
            &event("held", "20300315T200000Z", "20300315T220000Z", "20300103T000000Z")
        ),
        204
    );
    let p = pending(&t.server);
    assert_eq!(p.len(), 1);
    assert_eq!(p[0]["id"].as_u64(), Some(id));
    let diff = p[0]["diff"].as_str().unwrap();
    assert!(
        diff.contains("18:00") && diff.contains("20:00") && !diff.contains("19:00"),
        "{diff}"
    );

    // Approved: Yes and Maybe get the final state.
    let r = t.server.request(
        "POST",
        &format!("/api/v1/pending/{id}/approve"),
        &[("Authorization", &basic("demo", "demo"))],
        b"",
    );
    assert_eq!(r.status, 200, "{}", r.text());
    t.sink.wait_count(6, Duration::from_secs(20));
    for m in t.sink.after(4) {
        assert_eq!(m["events"][0]["dtstart"], "2030-03-15 20:00:00+00:00");
    }
    assert!(pending(&t.server).is_empty());

    // Another change, discarded: nobody is told.
    assert_eq!(
        put(
            &t.server,
            "held",
            &event("held", "20300316T200000Z", "20300316T220000Z", "20300104T000000Z")
        ),
        204
    );
    let id = pending(&t.server)[0]["id"].as_u64().unwrap();
    let r = t.server.request(
        "POST",
        &format!("/api/v1/pending/{id}/discard"),
        &[("Authorization", &basic("demo", "demo"))],
        b"",
    );
    assert_eq!(r.status, 200, "{}", r.text());
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(t.sink.count(), 6);
    assert!(pending(&t.server).is_empty());
    let r = t.server.request(
        "POST",
        &format!("/api/v1/pending/{id}/approve"),
        &[("Authorization", &basic("demo", "demo"))],
        b"",
    );
    assert_eq!(r.status, 404);
}

#[test]
fn a_calendar_can_hold_its_own_updates() {
    let t = setup_with(&[]);
    let body = r#"<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" xmlns:X="urn:calinvite"><D:set><D:prop><X:approval>hold</X:approval></D:prop></D:set></D:propertyupdate>"#;
    let r = t.server.request(
        "PROPPATCH",
        "/dav/calendars/demo/default/",
        &[("Authorization", &basic("demo", "demo"))],
        body.as_bytes(),
    );
    assert_eq!(r.status, 207);
    assert_eq!(
        put(
            &t.server,
            "cal-held",
            &event("cal-held", "20300315T180000Z", "20300315T200000Z", "20300101T000000Z")
        ),
        201
    );
    invite_and_answer(&t, "cal-held");
    let r = t.server.request(
        "DELETE",
        "/dav/calendars/demo/default/cal-held.ics",
        &[("Authorization", &basic("demo", "demo"))],
        b"",
    );
    assert_eq!(r.status, 204);
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(t.sink.count(), 4, "the cancellation is held");
    let p = pending(&t.server);
    assert_eq!(
        (p[0]["method"].as_str(), p[0]["recipients"].as_u64()),
        (Some("CANCEL"), Some(4))
    );
    assert!(p[0]["diff"].as_str().unwrap().contains("deleted"));
}
