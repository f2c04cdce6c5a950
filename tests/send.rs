//! The Send API end to end: the real binary, a real SMTP server (aiosmtpd) on loopback,
//! and every delivered message checked by an independent parser (python email and
//! icalendar), field by field.

mod common;

use common::*;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const ORGANIZER_ATTENDEE: &str = "secret-colleague@example.net";

fn event(uid: &str, summary: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20300101T000000Z\r\n\
         DTSTART:20300315T180000Z\r\nDTEND:20300315T200000Z\r\nSUMMARY:{summary}\r\nLOCATION:Stadion\r\n\
         ORGANIZER:mailto:coach@example.net\r\nATTENDEE;CN=Hidden:mailto:{ORGANIZER_ATTENDEE}\r\n\
         BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT15M\r\nDESCRIPTION:x\r\nEND:VALARM\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
}

struct Setup {
    server: Server,
    sink: SmtpSink,
    _dir: tempfile::TempDir,
}

fn setup(sink_args: &[&str], env: &[(&str, &str)]) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let sink = SmtpSink::start(&dir.path().join("mail"), sink_args);
    let port = sink.port.to_string();
    let mut vars = vec![
        ("CALINVITE_SMTP__HOST", "127.0.0.1"),
        ("CALINVITE_SMTP__PORT", port.as_str()),
        ("CALINVITE_MAIL__FROM", "events@invites.example.org"),
        ("CALINVITE_SMTP__RETRY_BASE_SECONDS", "1"),
        ("CALINVITE_SERVER__PUBLIC_URL", "https://invites.example.org"),
    ];
    vars.extend_from_slice(env);
    let server = Server::start_in(&dir.path().join("data"), &["--demo"], &vars);
    Setup {
        server,
        sink,
        _dir: dir,
    }
}

fn put_event(s: &Server, uid: &str, summary: &str) {
    let r = s.request(
        "PUT",
        &format!("/dav/calendars/demo/default/{uid}.ics"),
        &[
            ("Authorization", &basic("demo", "demo")),
            ("Content-Type", "text/calendar"),
        ],
        event(uid, summary).as_bytes(),
    );
    assert_eq!(r.status, 201, "{}", r.text());
}

fn invite(s: &Server, uid: &str, body: &Value) -> (u16, Value) {
    let r = s.request(
        "POST",
        &format!("/api/v1/events/{uid}/invitations"),
        &[
            ("Authorization", &format!("Bearer {}", s.demo_key())),
            ("Content-Type", "application/json"),
        ],
        body.to_string().as_bytes(),
    );
    (r.status, serde_json::from_slice(&r.body).unwrap_or(Value::Null))
}

fn wait_batch(s: &Server, batch: u64, within: Duration) -> Value {
    let deadline = Instant::now() + within;
    loop {
        let r = s.get(
            &format!("/api/v1/batches/{batch}"),
            &[("Authorization", &basic("demo", "demo"))],
        );
        assert_eq!(r.status, 200, "{}", r.text());
        let v: Value = serde_json::from_slice(&r.body).unwrap();
        if v["done"] == true || Instant::now() > deadline {
            return v;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn each_recipient_gets_one_native_invite_and_nobody_else_is_disclosed() {
    let t = setup(&[], &[]);
    put_event(&t.server, "match-1", "Heimspiel 🎉 会議 اجتماع Grüße");
    let (status, v) = invite(
        &t.server,
        "match-1",
        &json!({"recipients": [
            {"email": "Anna@Example.org", "name": "Anna Müller", "lang": "de"},
            {"email": "kenji@example.jp", "name": "山田 健二", "lang": "ja"},
            {"email": "layla@example.com", "name": "ليلى", "lang": "ar"},
            {"email": "anna@example.org"},
            {"email": "not an address"}
        ]}),
    );
    assert_eq!(status, 202, "{v}");
    assert_eq!(
        (
            v["queued"].as_u64(),
            v["already_invited"].as_u64(),
            v["suppressed"].as_u64()
        ),
        (Some(3), Some(1), Some(0))
    );
    assert_eq!(v["invalid"][0]["email"], "not an address");
    let progress = wait_batch(&t.server, v["batch"].as_u64().unwrap(), Duration::from_secs(30));
    assert_eq!(
        (progress["sent"].as_u64(), progress["failed"].as_u64()),
        (Some(3), Some(0)),
        "{progress}"
    );

    let messages = t
        .sink
        .messages(&[ORGANIZER_ATTENDEE, "coach@example.net", "kenji@example.jp"]);
    assert_eq!(messages.len(), 3);
    let mut recipients: Vec<String> = Vec::new();
    for m in &messages {
        let file = m["file"].as_str().unwrap();
        let rcpt = file.split_once('-').unwrap().1.trim_end_matches(".eml").to_string();
        assert_eq!(m["envelope_from"], "events@invites.example.org");
        assert!(
            m["from"].as_str().unwrap().contains("events@invites.example.org"),
            "{m}"
        );
        assert!(m["to"].as_str().unwrap().contains(&rcpt), "{m}");
        assert!(m["seven_bit"].as_bool().unwrap(), "{file}: 8-bit bytes on the wire");
        assert_eq!(
            m["structure"],
            json!({"multipart/mixed": [{"multipart/alternative": ["text/plain", "text/html", "text/calendar"]}, "application/ics"]})
        );
        assert_eq!(m["calendar_parts"], 2);
        assert_eq!(m["calendar_parts_identical"], true);
        assert!(
            m["calendar_encodings"]
                .as_array()
                .unwrap()
                .iter()
                .all(|e| e == "base64"),
            "{m}"
        );
        assert_eq!(m["method_param"], "REQUEST");
        assert_eq!(m["vcal_method"], "REQUEST");
        assert!(
            m["subject"]
                .as_str()
                .unwrap()
                .contains("Heimspiel 🎉 会議 اجتماع Grüße"),
            "{}",
            m["subject"]
        );
        assert!(
            m["message_id"].as_str().unwrap().ends_with("@invites.example.org>"),
            "{m}"
        );
        assert!(
            m["list_unsubscribe"]
                .as_str()
                .unwrap()
                .starts_with("<https://invites.example.org/u/"),
            "{m}"
        );
        let events = m["events"].as_array().unwrap();
        assert_eq!(events.len(), 1);
        let ev = &events[0];
        assert_eq!(ev["uid"], "match-1");
        assert_eq!(ev["summary"], "Heimspiel 🎉 会議 اجتماع Grüße");
        assert_eq!(ev["organizer"], "mailto:events@invites.example.org");
        assert_eq!(ev["organizer_cn"], "Demo Organizer");
        assert_eq!(ev["sequence"], 0);
        assert!(ev["has_dtstart"] == true && ev["has_dtend"] == true && ev["has_dtstamp"] == true);
        assert_eq!(ev["alarms"], 0);
        let attendees = ev["attendees"].as_array().unwrap();
        assert_eq!(attendees.len(), 1, "exactly one ATTENDEE: {attendees:?}");
        assert_eq!(attendees[0]["address"], format!("mailto:{rcpt}"));
        assert_eq!(
            (attendees[0]["rsvp"].as_str(), attendees[0]["partstat"].as_str()),
            (Some("TRUE"), Some("NEEDS-ACTION"))
        );
        assert_eq!(attendees[0]["role"], "REQ-PARTICIPANT");
        assert_eq!(
            m["raw_contains"][ORGANIZER_ATTENDEE], false,
            "another attendee leaked into {file}"
        );
        assert_eq!(
            m["raw_contains"]["coach@example.net"], false,
            "the organizer's own address leaked into {file}"
        );
        if rcpt != "kenji@example.jp" {
            assert_eq!(
                m["raw_contains"]["kenji@example.jp"], false,
                "a fellow recipient leaked into {file}"
            );
        }
        recipients.push(rcpt);
    }
    recipients.sort();
    assert_eq!(
        recipients,
        ["anna@example.org", "kenji@example.jp", "layla@example.com"]
    );
    let german = messages
        .iter()
        .find(|m| m["file"].as_str().unwrap().contains("anna@"))
        .unwrap();
    assert!(german["text_body"].as_str().unwrap().contains("Stadion"));
}

#[test]
fn a_repeated_idempotency_key_and_already_invited_addresses_change_nothing() {
    let t = setup(&[], &[]);
    put_event(&t.server, "e2", "Training");
    let body =
        json!({"recipients": [{"email": "a@example.org"}, {"email": "b@example.org"}], "idempotency_key": "k-1"});
    let (_, first) = invite(&t.server, "e2", &body);
    let (status, again) = invite(&t.server, "e2", &body);
    assert_eq!(status, 202);
    assert_eq!(again["batch"], first["batch"]);
    assert_eq!(again["replayed"], true);
    let (_, other) = invite(
        &t.server,
        "e2",
        &json!({"recipients": [{"email": "A@example.org"}, {"email": "c@example.org"}]}),
    );
    assert_eq!(
        (other["queued"].as_u64(), other["already_invited"].as_u64()),
        (Some(1), Some(1))
    );
    wait_batch(&t.server, other["batch"].as_u64().unwrap(), Duration::from_secs(30));
    wait_batch(&t.server, first["batch"].as_u64().unwrap(), Duration::from_secs(30));
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(t.sink.count(), 3, "a, b and c once each");
}

#[test]
fn a_deferred_delivery_is_retried_and_arrives_once() {
    let t = setup(&["--defer-first"], &[]);
    put_event(&t.server, "e3", "Retry");
    let (_, v) = invite(
        &t.server,
        "e3",
        &json!({"recipients": [{"email": "x@example.org"}, {"email": "y@example.org"}]}),
    );
    let p = wait_batch(&t.server, v["batch"].as_u64().unwrap(), Duration::from_secs(30));
    assert_eq!(p["sent"], 2, "{p}");
    assert!(p["deferred"].as_u64().unwrap() >= 2, "{p}");
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(t.sink.count(), 2);
}

#[test]
fn a_rejected_recipient_fails_and_the_others_arrive() {
    let t = setup(&["--reject", "nobody"], &[]);
    put_event(&t.server, "e4", "Reject");
    let (_, v) = invite(
        &t.server,
        "e4",
        &json!({"recipients": [{"email": "nobody@example.org"}, {"email": "ok@example.org"}]}),
    );
    let p = wait_batch(&t.server, v["batch"].as_u64().unwrap(), Duration::from_secs(30));
    assert_eq!((p["sent"].as_u64(), p["failed"].as_u64()), (Some(1), Some(1)), "{p}");
    let log = t.server.stderr.lock().unwrap().clone();
    assert!(
        log.contains("550") && log.contains("rejected by the SMTP server"),
        "{log}"
    );
}

#[test]
fn an_unsubscribed_address_is_suppressed_from_later_sends() {
    let t = setup(&[], &[]);
    put_event(&t.server, "e5", "First");
    put_event(&t.server, "e6", "Second");
    let (_, v) = invite(&t.server, "e5", &json!({"recipients": [{"email": "quit@example.org"}]}));
    wait_batch(&t.server, v["batch"].as_u64().unwrap(), Duration::from_secs(30));
    let m = &t.sink.messages(&[])[0];
    let link = m["list_unsubscribe"]
        .as_str()
        .unwrap()
        .trim_matches(['<', '>'])
        .to_string();
    let path = link.trim_start_matches("https://invites.example.org");
    assert_eq!(t.server.get(path, &[]).status, 200);
    assert_eq!(
        t.server
            .request(
                "POST",
                path,
                &[("Content-Type", "application/x-www-form-urlencoded")],
                b"List-Unsubscribe=One-Click"
            )
            .status,
        200
    );
    assert_eq!(t.server.request("POST", "/u/not-a-token", &[], b"").status, 404);
    let (_, v) = invite(
        &t.server,
        "e6",
        &json!({"recipients": [{"email": "quit@example.org"}, {"email": "stay@example.org"}]}),
    );
    assert_eq!(
        (v["queued"].as_u64(), v["suppressed"].as_u64()),
        (Some(1), Some(1)),
        "{v}"
    );
}

#[test]
fn other_organizers_cannot_see_or_use_an_event_or_batch() {
    let t = setup(&[], &[]);
    put_event(&t.server, "mine", "Mine");
    let (_, v) = invite(&t.server, "mine", &json!({"recipients": [{"email": "a@example.org"}]}));
    // A second organizer: users are added from the CLI on a stopped server's store.
    drop(t.server);
    let data = t._dir.path().join("data");
    assert!(cli(&data, &["user", "add", "mallory"], "pw\n").status.success());
    let s = Server::start_in(&data, &[], &[]);
    let auth = basic("mallory", "pw");
    let r = s.request(
        "POST",
        "/api/v1/events/mine/invitations",
        &[("Authorization", &auth)],
        br#"{"recipients":[{"email":"x@example.org"}]}"#,
    );
    assert_eq!(r.status, 404, "{}", r.text());
    assert_eq!(r.header("content-type"), Some("application/problem+json"));
    let r = s.get(&format!("/api/v1/batches/{}", v["batch"]), &[("Authorization", &auth)]);
    assert_eq!(r.status, 404);
}

#[test]
fn bad_requests_get_problem_details() {
    let t = setup(&[], &[]);
    put_event(&t.server, "e7", "x");
    let auth = basic("demo", "demo");
    for body in [
        &b"not json"[..],
        br#"{"recipients": "x"}"#,
        br#"{"recipients": [], "unknown": 1}"#,
    ] {
        let r = t.server.request(
            "POST",
            "/api/v1/events/e7/invitations",
            &[("Authorization", &auth)],
            body,
        );
        assert_eq!(r.status, 400, "{}", r.text());
        let v: Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(v["status"], 400);
        assert!(v["detail"].as_str().unwrap().len() > 5);
    }
    let r = t.server.request(
        "POST",
        "/api/v1/events/nope/invitations",
        &[("Authorization", &auth)],
        br#"{"recipients": []}"#,
    );
    assert_eq!(r.status, 404);
}

#[test]
fn killing_the_smtp_server_mid_batch_loses_nothing_and_duplicates_at_most_the_messages_in_flight() {
    let mut t = setup(&[], &[("CALINVITE_SMTP__MAX_CONNECTIONS", "4")]);
    put_event(&t.server, "big", "Season opener");
    let recipients: Vec<Value> = (0..2000)
        .map(|i| json!({"email": format!("fan{i:04}@example.org")}))
        .collect();
    let (status, v) = invite(&t.server, "big", &json!({"recipients": recipients}));
    assert_eq!((status, v["queued"].as_u64()), (202, Some(2000)), "{v}");
    let deadline = Instant::now() + Duration::from_secs(60);
    while t.sink.count() < 300 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    t.sink.kill();
    let at_kill = t.sink.count();
    assert!(at_kill < 2000, "the batch finished before the kill; nothing was tested");
    std::thread::sleep(Duration::from_secs(2));
    t.sink.restart();
    let p = wait_batch(&t.server, v["batch"].as_u64().unwrap(), Duration::from_secs(120));
    assert_eq!((p["sent"].as_u64(), p["failed"].as_u64()), (Some(2000), Some(0)), "{p}");
    let mut per: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for e in std::fs::read_dir(&t.sink.dir).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        if let Some(rest) = name.strip_suffix(".eml") {
            *per.entry(rest.split_once('-').unwrap().1.to_string()).or_default() += 1;
        }
    }
    assert_eq!(per.len(), 2000, "every recipient got the invitation");
    let duplicated = per.values().filter(|n| **n > 1).count();
    assert!(
        duplicated <= 4,
        "{duplicated} recipients got it twice; at most one per connection may"
    );
}

#[test]
fn the_send_command_reads_a_csv_shows_progress_and_is_safe_to_run_twice() {
    let t = setup(&[], &[]);
    put_event(&t.server, "cli-event", "From the CLI");
    let csv = t._dir.path().join("fans.csv");
    std::fs::write(
        &csv,
        "email,name,lang\nann@example.org,\"Lee, Ann\",de\nbob@example.org\n\"cy@example.org\",Cy,fr\nbroken\n",
    )
    .unwrap();
    let run = || {
        std::process::Command::new(BIN)
            .args(["send", "cli-event", "--recipients"])
            .arg(&csv)
            .args(["--server", &format!("http://{}", t.server.addr)])
            .env("CALINVITE_API_KEY", t.server.demo_key())
            .output()
            .unwrap()
    };
    let out = run();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        stdout.contains("queued 3, already invited 0, suppressed 0, invalid 1"),
        "{stdout}"
    );
    assert!(stdout.contains("invalid: broken"), "{stdout}");
    assert!(stdout.contains("sent 3, failed 0"), "{stdout}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("[##############################] 3/3"));
    let again = run();
    assert!(again.status.success());
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(t.sink.count(), 3, "the second run invited nobody twice");
    let bad = std::process::Command::new(BIN)
        .args(["send", "cli-event", "--recipients"])
        .arg(&csv)
        .args([
            "--server",
            &format!("http://{}", t.server.addr),
            "--api-key",
            "cik_wrong",
        ])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("401"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
}

#[test]
fn a_calendars_own_templates_and_a_broken_one_are_honoured() {
    let t = setup(&[], &[]);
    put_event(&t.server, "branded", "Cup final");
    let auth = basic("demo", "demo");
    let patch = |text: &str| {
        let body = format!(
            r#"<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" xmlns:X="urn:calinvite"><D:set><D:prop><X:invite-text-template>{text}</X:invite-text-template></D:prop></D:set></D:propertyupdate>"#
        );
        let r = t.server.request(
            "PROPPATCH",
            "/dav/calendars/demo/default/",
            &[("Authorization", &auth)],
            body.as_bytes(),
        );
        assert_eq!(r.status, 207, "{}", r.text());
    };
    patch("Go team! {{ summary }} at {{ location }} ({{ t.when }}: {{ when }})");
    let (_, v) = invite(
        &t.server,
        "branded",
        &json!({"recipients": [{"email": "fan@example.org"}]}),
    );
    let p = wait_batch(&t.server, v["batch"].as_u64().unwrap(), Duration::from_secs(30));
    assert_eq!(p["sent"], 1, "{p}");
    let m = &t.sink.messages(&[])[0];
    assert!(
        m["text_body"]
            .as_str()
            .unwrap()
            .starts_with("Go team! Cup final at Stadion"),
        "{}",
        m["text_body"]
    );
    // A template that does not compile fails the job with a reason instead of sending junk.
    patch("{% if %}");
    let (_, v) = invite(
        &t.server,
        "branded",
        &json!({"recipients": [{"email": "other@example.org"}]}),
    );
    let p = wait_batch(&t.server, v["batch"].as_u64().unwrap(), Duration::from_secs(30));
    assert_eq!(p["failed"], 1, "{p}");
    assert!(t.server.stderr.lock().unwrap().contains("invitation template"));
}
