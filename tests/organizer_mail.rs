//! An organizer who works from Google Calendar or Outlook changes the event by mail, and
//! the server's recipients follow: a mailed update with a higher SEQUENCE goes out with at
//! least that SEQUENCE, an older copy arriving late changes nothing, a mailed change or
//! cancellation of one occurrence is merged into the stored series and sent for that
//! occurrence only, and a mailed cancellation of the series reaches everyone. Real binary,
//! real SMTP server, messages read by an independent parser (python email + icalendar).

mod common;

use common::*;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

struct Setup {
    server: Server,
    sink: SmtpSink,
    _dir: tempfile::TempDir,
}

/// A server with an organizer `orga` whose registered address is `email`, sending to a
/// real SMTP server, with no settle delay and without notices to the organizer (they
/// have their own test), so the sink holds only what attendees get.
fn setup(email: &str) -> Setup {
    setup_with(
        email,
        &[
            ("CALINVITE_INBOUND__NOTIFY_STORED", "false"),
            ("CALINVITE_INBOUND__NOTIFY_CHANGES", "false"),
            ("CALINVITE_INBOUND__NOTIFY_FAILURES", "false"),
        ],
    )
}

fn setup_with(email: &str, env: &[(&str, &str)]) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = cli(&data, &["user", "add", "orga", "--email", email], "pw\n");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let sink = SmtpSink::start(&dir.path().join("mail"), &[]);
    let port = sink.port.to_string();
    let mut vars = vec![
        ("CALINVITE_SMTP__HOST", "127.0.0.1"),
        ("CALINVITE_SMTP__PORT", port.as_str()),
        ("CALINVITE_MAIL__FROM", "events@invites.example.org"),
        ("CALINVITE_LIFECYCLE__SETTLE_SECONDS", "0"),
        ("CALINVITE_SERVER__PUBLIC_URL", "https://invites.example.org"),
    ];
    vars.extend_from_slice(env);
    let server = Server::start_in(&data, &["--demo"], &vars);
    Setup {
        server,
        sink,
        _dir: dir,
    }
}

fn post(s: &Server, raw: &str) -> Value {
    let r = s.request(
        "POST",
        "/api/v1/inbound",
        &[("Authorization", &basic("demo", "demo"))],
        raw.as_bytes(),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    serde_json::from_slice(&r.body).unwrap()
}

fn outcome(v: &Value) -> (String, String) {
    (
        v["outcome"]["kind"].as_str().unwrap_or("").to_string(),
        v["outcome"]["detail"].as_str().unwrap_or("").to_string(),
    )
}

/// Invites `yes@` and `no@` as the organizer, waits for both invitations, and records
/// their answers.
fn invite_and_answer(t: &Setup, uid: &str) {
    let base = t.sink.count();
    let r = t.server.request(
        "POST",
        &format!("/api/v1/events/{uid}/invitations"),
        &[("Authorization", &basic("orga", "pw"))],
        json!({"recipients": [{"email": "yes@example.net"}, {"email": "no@example.net"}]})
            .to_string()
            .as_bytes(),
    );
    assert_eq!(r.status, 202, "{}", r.text());
    t.sink.wait_count(base + 2, Duration::from_secs(20));
    for (i, (email, answer)) in [("yes@example.net", "ACCEPTED"), ("no@example.net", "DECLINED")]
        .iter()
        .enumerate()
    {
        let v = post(&t.server, &reply_message(uid, email, answer, i + 1));
        assert_eq!(outcome(&v).0, "applied", "{v}");
    }
}

fn stored(s: &Server, uid: &str) -> String {
    let r = s.get(
        &format!("/dav/calendars/orga/default/{uid}.ics"),
        &[("Authorization", &basic("orga", "pw"))],
    );
    assert_eq!(r.status, 200, "{}", r.text());
    r.text()
}

#[test]
fn a_mailed_google_update_goes_out_with_at_least_googles_sequence_and_a_late_older_copy_changes_nothing() {
    let t = setup("alice@example.org");
    let uid = "69d4c40b4a274636bf23517938df9673@example.org";
    let google = fixture("nextcloud-mail-gmail-request-2025.eml");
    let v = post(&t.server, &google);
    assert_eq!(outcome(&v).0, "applied", "{v}");
    invite_and_answer(&t, uid);

    // Google moved it by an hour and counted SEQUENCE to 5.
    let update = google
        .replace("<imip-testing-1234@example.org>", "<imip-testing-update@example.org>")
        .replace("SEQUENCE:0", "SEQUENCE:5")
        .replace("DTSTAMP:20250206T162141Z", "DTSTAMP:20250207T090000Z")
        .replace("Europe/Berlin:20250220T190000", "Europe/Berlin:20250220T200000")
        .replace(
            "Europe/Berlin:20250220T200000\nDTSTAMP",
            "Europe/Berlin:20250220T210000\nDTSTAMP",
        );
    assert!(update.contains("SEQUENCE:5") && update.contains("T210000"));
    let v = post(&t.server, &update);
    assert_eq!(outcome(&v).0, "applied", "{v}");
    t.sink.wait_count(3, Duration::from_secs(20));
    let sent = t.sink.after(2);
    assert_eq!(sent[0]["to"], "yes@example.net", "only the Yes answer is updated");
    assert_eq!(sent[0]["vcal_method"], "REQUEST");
    assert_eq!(sent[0]["events"][0]["sequence"], 5, "{}", sent[0]);
    assert_eq!(sent[0]["events"][0]["dtstart"], "2025-02-20 20:00:00+01:00");
    assert!(stored(&t.server, uid).contains("SEQUENCE:5"));

    // A copy of an older version arrives late (another Message-ID, SEQUENCE 3).
    let late = google
        .replace("<imip-testing-1234@example.org>", "<imip-testing-late@example.org>")
        .replace("SEQUENCE:0", "SEQUENCE:3");
    let v = post(&t.server, &late);
    let (kind, detail) = outcome(&v);
    assert_eq!(kind, "ignored", "{v}");
    assert!(detail.contains("older"), "{detail}");
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(t.sink.count(), 3, "the older copy sent nothing");
    assert!(stored(&t.server, uid).contains("T200000"), "the newer version is kept");
}

#[test]
fn mailed_changes_to_one_occurrence_are_merged_and_sent_for_that_occurrence_only() {
    let t = setup("sender@example.com");
    let uid = "02e79b96";
    let v = post(&t.server, &fixture("thunderbird-gmailstyle-request-recurring.eml"));
    assert_eq!(outcome(&v).0, "applied", "{v}");
    invite_and_answer(&t, uid);

    // One occurrence moves (a REQUEST that carries only that occurrence).
    let v = post(
        &t.server,
        &fixture("thunderbird-gmailstyle-request-override-recurid.eml"),
    );
    let (kind, detail) = outcome(&v);
    assert_eq!(kind, "applied", "{v}");
    assert!(detail.contains("1 occurrence"), "{detail}");
    let body = stored(&t.server, uid);
    assert!(body.contains("RRULE:FREQ=DAILY"), "the series is kept: {body}");
    assert!(body.contains("RECURRENCE-ID:20220317T110000Z"), "{body}");
    t.sink.wait_count(3, Duration::from_secs(20));
    let sent = t.sink.after(2);
    assert_eq!(sent[0]["to"], "yes@example.net");
    assert_eq!(sent[0]["vcal_method"], "REQUEST");
    let events = sent[0]["events"].as_array().unwrap();
    assert_eq!(events.len(), 1, "only the occurrence: {}", sent[0]);
    assert_eq!(events[0]["recurrence_id"], "20220317T110000Z");

    // One occurrence is cancelled: an EXDATE in the series, a CANCEL of it to everyone.
    let cancel = "From: sender@example.com\r\nTo: events@invites.example.org\r\nMessage-ID: <cancel-one@example.com>\r\n\
         Subject: Cancelled: Repeat Event\r\nMIME-Version: 1.0\r\nContent-Type: text/calendar; method=CANCEL; charset=utf-8\r\n\r\n\
         BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//EN\r\nMETHOD:CANCEL\r\nBEGIN:VEVENT\r\nUID:02e79b96\r\n\
         DTSTAMP:20220320T000000Z\r\nSEQUENCE:3\r\nRECURRENCE-ID:20220318T110000Z\r\nORGANIZER:mailto:sender@example.com\r\n\
         STATUS:CANCELLED\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let v = post(&t.server, cancel);
    assert_eq!(outcome(&v).0, "applied", "{v}");
    assert!(stored(&t.server, uid).contains("EXDATE:20220318T110000Z"));
    t.sink.wait_count(5, Duration::from_secs(20));
    let sent = t.sink.after(3);
    let mut to: Vec<&str> = sent.iter().map(|m| m["to"].as_str().unwrap()).collect();
    to.sort();
    assert_eq!(to, ["no@example.net", "yes@example.net"], "a CANCEL goes to everyone");
    for m in &sent {
        assert_eq!(m["vcal_method"], "CANCEL");
        assert_eq!(m["events"][0]["recurrence_id"], "20220318T110000Z", "{m}");
    }
    // The same cancellation again (another copy) changes nothing.
    let v = post(&t.server, &cancel.replace("<cancel-one@", "<cancel-one-again@"));
    assert_eq!(outcome(&v).0, "ignored", "{v}");

    // The whole series is cancelled: removed, and everyone told.
    let v = post(&t.server, &fixture("thunderbird-gmailstyle-cancel-series.eml"));
    assert_eq!(outcome(&v).0, "applied", "{v}");
    t.sink.wait_count(7, Duration::from_secs(20));
    let sent = t.sink.after(5);
    assert!(
        sent.iter()
            .all(|m| m["vcal_method"] == "CANCEL" && m["events"][0]["recurrence_id"].is_null())
    );
    let r = t.server.get(
        &format!("/dav/calendars/orga/default/{uid}.ics"),
        &[("Authorization", &basic("orga", "pw"))],
    );
    assert_eq!(r.status, 404);
}

/// The notices an organizer gets, newest last, as the independent parser reads them.
fn notices(sink: &SmtpSink, organizer: &str) -> Vec<Value> {
    sink.after(0)
        .into_iter()
        .filter(|m| m["to"].as_str().is_some_and(|t| t.contains(organizer)))
        .collect()
}

fn wait_notices(sink: &SmtpSink, organizer: &str, n: usize) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let found = notices(sink, organizer);
        if found.len() >= n || Instant::now() > deadline {
            assert_eq!(found.len(), n, "notices to {organizer}: {found:?}");
            return found;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn an_organizer_working_from_google_learns_by_mail_what_happened() {
    let t = setup_with("alice@example.org", &[]);
    let uid = "69d4c40b4a274636bf23517938df9673@example.org";
    let google = fixture("nextcloud-mail-gmail-request-2025.eml");
    let v = post(&t.server, &google);
    assert_eq!(outcome(&v).0, "applied", "{v}");
    let stored = wait_notices(&t.sink, "alice@example.org", 1);
    let n = &stored[0];
    assert_eq!(n["subject"], "Stored: Imip Testing", "{n}");
    assert!(n["calendar_parts"] == 0 && n["from"].as_str().unwrap().contains("events@invites.example.org"));
    let text = n["text_body"].as_str().unwrap();
    assert!(text.contains("2025-02-20 19:00 – 20:00 (Europe/Berlin)"), "{text}");
    assert!(text.contains("https://invites.example.org/e/"), "{text}");
    assert!(text.contains("/invitations"), "a Send API line: {text}");
    let raw = t.sink.messages(&[
        "Auto-Submitted: auto-replied",
        "In-Reply-To: <imip-testing-1234@example.org>",
    ]);
    let raw = raw.iter().find(|m| m["file"] == n["file"]).unwrap();
    assert_eq!(raw["raw_contains"]["Auto-Submitted: auto-replied"], true);
    assert_eq!(
        raw["raw_contains"]["In-Reply-To: <imip-testing-1234@example.org>"],
        true
    );

    invite_and_answer(&t, uid);
    // The time changes by mail: whom it reached.
    let update = google
        .replace("<imip-testing-1234@example.org>", "<imip-testing-update@example.org>")
        .replace("SEQUENCE:0", "SEQUENCE:1")
        .replace("Europe/Berlin:20250220T190000", "Europe/Berlin:20250220T180000");
    assert_eq!(outcome(&post(&t.server, &update)).0, "applied");
    let all = wait_notices(&t.sink, "alice@example.org", 2);
    let text = all[1]["text_body"].as_str().unwrap();
    assert_eq!(all[1]["subject"], "Updated: Imip Testing");
    assert!(text.contains("goes to 1 recipient(s)"), "{text}");

    // Outlook's winmail.dat, from the organizer: a notice says why and what to do.
    let tnef = "From: alice@example.org\r\nTo: events@invites.example.org\r\nMessage-ID: <tnef-1@example.org>\r\n\
        Subject: Team dinner\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\
        Content-Type: text/plain\r\n\r\nsee attached\r\n--b\r\nContent-Type: application/ms-tnef; name=winmail.dat\r\n\
        Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=winmail.dat\r\n\r\neJ8+IgAAAA==\r\n--b--\r\n";
    let v = post(&t.server, tnef);
    assert_eq!(outcome(&v).0, "ignored", "{v}");
    let all = wait_notices(&t.sink, "alice@example.org", 3);
    assert_eq!(all[2]["subject"], "Not processed: Team dinner");
    assert!(
        all[2]["text_body"].as_str().unwrap().contains("winmail.dat"),
        "{}",
        all[2]
    );
    // The same from an auto-responder gets nothing (no mail loops).
    let auto = tnef.replace("<tnef-1@", "<tnef-2@").replace(
        "Subject: Team dinner",
        "Auto-Submitted: auto-generated\r\nSubject: Team dinner",
    );
    post(&t.server, &auto);
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(notices(&t.sink, "alice@example.org").len(), 3);

    // The series is cancelled by mail: the notice says whom it reached.
    let cancel = google
        .replace("<imip-testing-1234@example.org>", "<imip-testing-cancel@example.org>")
        .replace("method=REQUEST", "method=CANCEL")
        .replace("METHOD:REQUEST", "METHOD:CANCEL")
        .replace("SEQUENCE:0", "SEQUENCE:2");
    assert_eq!(outcome(&post(&t.server, &cancel)).0, "applied");
    let all = wait_notices(&t.sink, "alice@example.org", 4);
    assert_eq!(all[3]["subject"], "Cancelled: Imip Testing");
    assert!(
        all[3]["text_body"].as_str().unwrap().contains("goes to 2 recipient(s)"),
        "{}",
        all[3]
    );
}
