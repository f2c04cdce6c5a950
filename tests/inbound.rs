//! The inbound path end to end through the webhook: real replies from real clients set a
//! recipient's answer with history, bounces suppress, organizers' mailed invitations land
//! in their calendar, and bad input is quarantined with a reason while the server keeps
//! serving.

mod common;

use common::*;
use serde_json::{Value, json};

const REPLY_UID: &str = "4f0162146d61cb2c06cbe2abf94636f4526abe16";
const ATTENDEE: &str = "tine20admin@caldav.net";

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn post(s: &Server, raw: &[u8]) -> Value {
    let r = s.request(
        "POST",
        "/api/v1/inbound",
        &[("Authorization", &basic("demo", "demo"))],
        raw,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    serde_json::from_slice(&r.body).unwrap()
}

fn put_event(s: &Server, user: &str, password: &str, uid: &str) {
    let body = format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20111101T000000Z\r\n\
         DTSTART:20111121T120000Z\r\nDTEND:20111121T130000Z\r\nSUMMARY:Test\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    );
    let r = s.request(
        "PUT",
        &format!("/dav/calendars/{user}/default/{uid}.ics"),
        &[
            ("Authorization", &basic(user, password)),
            ("Content-Type", "text/calendar"),
        ],
        body.as_bytes(),
    );
    assert_eq!(r.status, 201, "{}", r.text());
}

fn invite(s: &Server, auth: &str, uid: &str, email: &str) -> Value {
    let r = s.request(
        "POST",
        &format!("/api/v1/events/{uid}/invitations"),
        &[("Authorization", auth)],
        json!({"recipients": [{"email": email}]}).to_string().as_bytes(),
    );
    assert_eq!(r.status, 202, "{}", r.text());
    serde_json::from_slice(&r.body).unwrap()
}

fn recipient(s: &Server, uid: &str, email: &str) -> Value {
    let r = s.get(
        &format!("/api/v1/events/{uid}/recipients"),
        &[("Authorization", &basic("demo", "demo"))],
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let v: Value = serde_json::from_slice(&r.body).unwrap();
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["email"] == email)
        .cloned()
        .unwrap()
}

#[test]
fn replies_set_the_answer_and_a_later_change_is_kept_with_its_history() {
    let s = Server::demo();
    put_event(&s, "demo", "demo", REPLY_UID);
    invite(&s, &basic("demo", "demo"), REPLY_UID, ATTENDEE);
    assert_eq!(recipient(&s, REPLY_UID, ATTENDEE)["status"], "NEEDS-ACTION");

    let accepted = post(&s, &fixture("tine20-lightning-reply-accepted.eml"));
    assert_eq!(accepted["outcome"]["kind"], "applied", "{accepted}");
    assert_eq!(recipient(&s, REPLY_UID, ATTENDEE)["status"], "ACCEPTED");

    let declined = post(&s, &fixture("tine20-lightning-reply-declined.eml"));
    assert_eq!(declined["outcome"]["kind"], "applied", "{declined}");
    let r = recipient(&s, REPLY_UID, ATTENDEE);
    assert_eq!(r["status"], "DECLINED");
    let history = r["history"].as_array().unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(
        (history[0]["status"].as_str(), history[1]["status"].as_str()),
        (Some("ACCEPTED"), Some("DECLINED"))
    );
    assert_eq!(
        history[0]["message_id"],
        "20111121120910.8405A7D32@laptoplk.home.kneschke.de"
    );
    assert_eq!(history[1]["source"], "webhook");

    // The same message again is a duplicate and changes nothing.
    let again = post(&s, &fixture("tine20-lightning-reply-accepted.eml"));
    assert_eq!(again["duplicate"], true);
    // An older answer arriving late (new Message-ID, older DTSTAMP) never overwrites.
    let late = String::from_utf8(fixture("tine20-lightning-reply-accepted.eml"))
        .unwrap()
        .replace(
            "<20111121120910.8405A7D32@laptoplk.home.kneschke.de>",
            "<late-copy@example.net>",
        );
    let late = post(&s, late.as_bytes());
    assert_eq!(late["outcome"]["kind"], "ignored", "{late}");
    let r = recipient(&s, REPLY_UID, ATTENDEE);
    assert_eq!(r["status"], "DECLINED");
    assert_eq!(r["history"].as_array().unwrap().len(), 3, "kept in the history");
}

#[test]
fn bad_input_is_quarantined_with_a_reason_and_the_server_keeps_serving() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    {
        let s = Server::start_in(
            &data,
            &["--demo"],
            &[("CALINVITE_INBOUND__MAX_MESSAGE_BYTES", "5000000")],
        );
        put_event(&s, "demo", "demo", REPLY_UID);
        invite(&s, &basic("demo", "demo"), REPLY_UID, ATTENDEE);
        let reply = String::from_utf8(fixture("tine20-lightning-reply-accepted.eml")).unwrap();
        let cases = [
            (
                "unknown UID",
                reply
                    .replace(REPLY_UID, "no-such-event")
                    .replace("Message-Id: <", "Message-Id: <a"),
            ),
            (
                "spoofed From",
                reply
                    .replace("From: tine20admin@caldav.net", "From: mallory@evil.example")
                    .replace("Message-Id: <", "Message-Id: <b"),
            ),
            (
                "a calendar object without UID",
                reply
                    .replace(&format!("UID:{REPLY_UID}"), "X-NO-UID:1")
                    .replace("Message-Id: <", "Message-Id: <c"),
            ),
        ];
        for (what, raw) in &cases {
            let v = post(&s, raw.as_bytes());
            assert_eq!(v["outcome"]["kind"], "quarantined", "{what}: {v}");
            assert!(v["outcome"]["detail"].as_str().unwrap().len() > 10, "{what}: {v}");
        }
        // 20 MB of attachment: kept, not read.
        let mut big =
            b"From: x@example.org\r\nMessage-ID: <big@example.org>\r\nContent-Type: text/plain\r\n\r\n".to_vec();
        big.extend(std::iter::repeat_n(b'A', 20 * 1024 * 1024));
        let v = post(&s, &big);
        assert_eq!(v["outcome"]["kind"], "quarantined", "{v}");
        assert!(
            v["outcome"]["detail"].as_str().unwrap().contains("max_message_bytes"),
            "{v}"
        );
        assert_eq!(s.get("/healthz", &[]).status, 200);
        assert_eq!(
            recipient(&s, REPLY_UID, ATTENDEE)["status"],
            "NEEDS-ACTION",
            "nothing was applied"
        );
        // Only domain owners may post inbound mail.
        assert!(cli(&data, &["user", "list"], "").status.code() != Some(0));
    }
    assert!(cli(&data, &["user", "add", "orga"], "pw\n").status.success());
    let s = Server::start_in(&data, &[], &[]);
    let r = s.request(
        "POST",
        "/api/v1/inbound",
        &[("Authorization", &basic("orga", "pw"))],
        b"From: a@b.c\r\n\r\nx",
    );
    assert_eq!(r.status, 403);
    drop(s);
    // The log lists them, and a quarantined message can be processed again.
    let out = cli(&data, &["inbound", "list", "--quarantined"], "");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(text.lines().count(), 4, "{text}");
    assert!(
        text.contains("no event with that UID") && text.contains("only the recipient may answer"),
        "{text}"
    );
    let first = text.lines().last().unwrap().split('\t').next().unwrap().to_string();
    let out = cli(&data, &["inbound", "retry", &first], "");
    assert!(out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("quarantined"),
        "still no such event"
    );
}

#[test]
fn a_hard_bounce_suppresses_the_address() {
    let s = Server::demo();
    let v = post(&s, &fixture("ccs-dsn-bounce-of-request.eml"));
    assert_eq!(v["outcome"]["kind"], "applied", "{v}");
    assert!(
        v["outcome"]["detail"]
            .as_str()
            .unwrap()
            .contains("nonexistant@example.com"),
        "{v}"
    );
    put_event(&s, "demo", "demo", "after-bounce");
    let v = invite(&s, &basic("demo", "demo"), "after-bounce", "nonexistant@example.com");
    assert_eq!(
        (v["queued"].as_u64(), v["suppressed"].as_u64()),
        (Some(0), Some(1)),
        "{v}"
    );
}

#[test]
fn an_organizers_mailed_invitation_lands_in_their_calendar() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    assert!(
        cli(&data, &["user", "add", "alice", "--email", "alice@example.org"], "pw\n")
            .status
            .success()
    );
    let s = Server::start_in(&data, &["--demo"], &[]);
    let v = post(&s, &fixture("nextcloud-mail-gmail-request-2025.eml"));
    assert_eq!(v["outcome"]["kind"], "applied", "{v}");
    let uid = "69d4c40b4a274636bf23517938df9673@example.org";
    let r = s.get(
        &format!("/dav/calendars/alice/default/{uid}.ics"),
        &[("Authorization", &basic("alice", "pw"))],
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(
        r.text().contains(uid) && !r.text().contains("METHOD:"),
        "stored without METHOD: {}",
        r.text()
    );
    // Registered for the Send API, in alice's name only.
    invite(&s, &basic("alice", "pw"), uid, "guest@example.org");
    // From an address no organizer has: ignored with a reason.
    let stranger = String::from_utf8(fixture("nextcloud-mail-gmail-request-2025.eml"))
        .unwrap()
        .replace("From: alice@example.org", "From: stranger@example.org")
        .replace("<imip-testing-1234@example.org>", "<imip-other@example.org>");
    let v = post(&s, stranger.as_bytes());
    assert_eq!(v["outcome"]["kind"], "ignored", "{v}");
}

#[test]
fn a_reply_delivered_over_lmtp_is_applied() {
    let lmtp_port = free_port();
    let listen = format!("127.0.0.1:{lmtp_port}");
    let s = Server::start(&["--demo"], &[("CALINVITE_LMTP__LISTEN", &listen)]);
    put_event(&s, "demo", "demo", REPLY_UID);
    invite(&s, &basic("demo", "demo"), REPLY_UID, ATTENDEE);
    // Python's smtplib.LMTP: an independent LMTP client, as an MTA would deliver.
    let path = format!(
        "{}/tests/fixtures/tine20-lightning-reply-accepted.eml",
        env!("CARGO_MANIFEST_DIR")
    );
    let script = format!(
        "import smtplib\nc = smtplib.LMTP('127.0.0.1', {lmtp_port})\n\
         r = c.sendmail('tine20admin@caldav.net', ['invites@localhost'], open('{path}', 'rb').read())\n\
         print('refused', r)\nc.quit()\n"
    );
    let out = std::process::Command::new(python())
        .arg("-c")
        .arg(&script)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "refused {}");
    assert_eq!(recipient(&s, REPLY_UID, ATTENDEE)["status"], "ACCEPTED");
    let history = recipient(&s, REPLY_UID, ATTENDEE)["history"].clone();
    assert_eq!(history[0]["source"], "lmtp");
}
