//! What attendees mail back besides plain answers: a REFRESH gets the current version once
//! per version, a COUNTER is recorded for the organizer, and with `mail.reply_tokens` a
//! REPLY from an alias is tied to its invitation by the tag in the ORGANIZER address.
//! Real binary, real SMTP server, messages read by an independent parser.

mod common;

use common::*;
use serde_json::{Value, json};
use std::time::Duration;

const UID: &str = "calinvite-demo-event";

struct Setup {
    server: Server,
    sink: SmtpSink,
    _dir: tempfile::TempDir,
}

fn setup(env: &[(&str, &str)]) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let sink = SmtpSink::start(&dir.path().join("mail"), &[]);
    let port = sink.port.to_string();
    let mut vars = vec![
        ("CALINVITE_SMTP__HOST", "127.0.0.1"),
        ("CALINVITE_SMTP__PORT", port.as_str()),
        ("CALINVITE_MAIL__FROM", "events@invites.example.org"),
    ];
    vars.extend_from_slice(env);
    let server = Server::start_in(&dir.path().join("data"), &["--demo"], &vars);
    Setup {
        server,
        sink,
        _dir: dir,
    }
}

fn invite(t: &Setup, email: &str) {
    let r = t.server.request(
        "POST",
        &format!("/api/v1/events/{UID}/invitations"),
        &[("Authorization", &basic("demo", "demo"))],
        json!({"recipients": [{"email": email}]}).to_string().as_bytes(),
    );
    assert_eq!(r.status, 202, "{}", r.text());
}

fn post(s: &Server, raw: &str) -> (String, String) {
    let r = s.request(
        "POST",
        "/api/v1/inbound",
        &[("Authorization", &basic("demo", "demo"))],
        raw.as_bytes(),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let v: Value = serde_json::from_slice(&r.body).unwrap();
    (
        v["outcome"]["kind"].as_str().unwrap_or("").to_string(),
        v["outcome"]["detail"].as_str().unwrap_or("").to_string(),
    )
}

/// An iMIP message from `from` to `to` whose VEVENT carries `lines`.
fn itip(from: &str, to: &str, id: &str, method: &str, lines: &str) -> String {
    format!(
        "From: {from}\r\nTo: {to}\r\nMessage-ID: <{id}@example.net>\r\nSubject: {method}\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/calendar; method={method}; charset=utf-8\r\n\r\n\
         BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//EN\r\nMETHOD:{method}\r\nBEGIN:VEVENT\r\nUID:{UID}\r\n\
         DTSTAMP:20300101T000000Z\r\n{lines}END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
}

fn status(s: &Server, email: &str) -> String {
    let r = s.get(
        &format!("/api/v1/events/{UID}/recipients"),
        &[("Authorization", &basic("demo", "demo"))],
    );
    let v: Value = serde_json::from_slice(&r.body).unwrap();
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["email"] == email)
        .map(|i| i["status"].as_str().unwrap().to_string())
        .unwrap()
}

#[test]
fn a_refresh_resends_the_current_version_once_and_a_counter_is_recorded() {
    let t = setup(&[]);
    invite(&t, "guest@example.net");
    t.sink.wait_count(1, Duration::from_secs(20));

    let refresh = itip(
        "guest@example.net",
        "events@invites.example.org",
        "refresh-1",
        "REFRESH",
        "ATTENDEE:mailto:guest@example.net\r\n",
    );
    let (kind, detail) = post(&t.server, &refresh);
    assert_eq!(kind, "applied", "{detail}");
    t.sink.wait_count(2, Duration::from_secs(20));
    let mut all = t.sink.messages(&[]);
    all.sort_by(|a, b| a["file"].as_str().cmp(&b["file"].as_str()));
    assert_eq!(all[1]["to"], "guest@example.net");
    assert_eq!(all[1]["vcal_method"], "REQUEST");
    assert_eq!(all[1]["events"][0]["sequence"], all[0]["events"][0]["sequence"]);

    // Asking again for the same version sends nothing more.
    let (kind, detail) = post(&t.server, &refresh.replace("refresh-1@", "refresh-2@"));
    assert_eq!(kind, "ignored", "{detail}");
    assert!(detail.contains("already"), "{detail}");
    // Someone who was never invited cannot make the server send.
    let (kind, _) = post(
        &t.server,
        &itip(
            "stranger@example.net",
            "events@invites.example.org",
            "refresh-3",
            "REFRESH",
            "ATTENDEE:mailto:stranger@example.net\r\n",
        ),
    );
    assert_eq!(kind, "quarantined");

    let counter = itip(
        "guest@example.net",
        "events@invites.example.org",
        "counter-1",
        "COUNTER",
        "ATTENDEE;PARTSTAT=TENTATIVE:mailto:guest@example.net\r\nDTSTART:20300316T180000Z\r\n\
         DTEND:20300316T200000Z\r\nCOMMENT:Could we do Saturday?\r\n",
    );
    let (kind, detail) = post(&t.server, &counter);
    assert_eq!(kind, "applied", "{detail}");
    assert!(
        detail.contains("guest@example.net proposes 20300316T180000Z to 20300316T200000Z")
            && detail.contains("Could we do Saturday?"),
        "{detail}"
    );
    // The organizer is told, by mail; nothing else is sent and nothing changes.
    t.sink.wait_count(3, Duration::from_secs(20));
    let mut all = t.sink.messages(&[]);
    all.sort_by(|a, b| a["file"].as_str().cmp(&b["file"].as_str()));
    let notice = &all[2];
    assert!(notice["to"].as_str().unwrap().contains("demo@example.com"), "{notice}");
    assert!(
        notice["subject"].as_str().unwrap().starts_with("New time proposed"),
        "{notice}"
    );
    let text = notice["text_body"].as_str().unwrap();
    assert!(text.contains("Proposed: 2030-03-16 "), "{text}");
    assert!(text.contains("Could we do Saturday?"), "{text}");
    std::thread::sleep(Duration::from_millis(1000));
    assert_eq!(t.sink.count(), 3, "a COUNTER changes nothing by itself");
    assert_eq!(status(&t.server, "guest@example.net"), "NEEDS-ACTION");
}

#[test]
fn with_reply_tokens_a_reply_from_an_alias_is_tied_to_its_invitation() {
    let t = setup(&[("CALINVITE_MAIL__REPLY_TOKENS", "true")]);
    invite(&t, "guest@example.net");
    t.sink.wait_count(1, Duration::from_secs(20));
    let sent = t.sink.messages(&[]);
    let organizer = sent[0]["events"][0]["organizer"]
        .as_str()
        .unwrap()
        .trim_start_matches("mailto:")
        .to_string();
    assert!(
        organizer.starts_with("events+") && organizer.ends_with("@invites.example.org"),
        "{organizer}"
    );
    assert_eq!(
        sent[0]["envelope_from"], "events@invites.example.org",
        "bounces still come home"
    );

    // The guest answers from an alias, as Outlook.com does: no ORGANIZER in the REPLY,
    // the tagged address in To.
    let from_alias = itip(
        "guest.alias@other.example",
        &organizer,
        "alias-1",
        "REPLY",
        "ATTENDEE;PARTSTAT=ACCEPTED:mailto:guest.alias@other.example\r\n",
    );
    let (kind, detail) = post(&t.server, &from_alias);
    assert_eq!(kind, "applied", "{detail}");
    assert!(detail.contains("reply token"), "{detail}");
    assert_eq!(status(&t.server, "guest@example.net"), "ACCEPTED");

    // Without the tag, an alias is not the invited address: quarantined.
    let untagged = itip(
        "guest.alias@other.example",
        "events@invites.example.org",
        "alias-2",
        "REPLY",
        "ATTENDEE;PARTSTAT=DECLINED:mailto:guest.alias@other.example\r\nDTSTAMP:20300102T000000Z\r\n",
    );
    let (kind, _) = post(&t.server, &untagged);
    assert_eq!(kind, "quarantined");
    // A tag the server never issued (one character changed) is no token at all.
    let tag_start = "events+".len();
    let first = &organizer[tag_start..tag_start + 1];
    let forged = format!(
        "events+{}{}",
        if first == "a" { "b" } else { "a" },
        &organizer[tag_start + 1..]
    );
    let (kind, _) = post(
        &t.server,
        &itip(
            "guest.alias@other.example",
            &forged,
            "alias-3",
            "REPLY",
            "ATTENDEE;PARTSTAT=DECLINED:mailto:guest.alias@other.example\r\n",
        ),
    );
    assert_eq!(kind, "quarantined");
    assert_eq!(status(&t.server, "guest@example.net"), "ACCEPTED");
}
