//! The Send API for a group: one call invites the same people to every event of a group
//! (a team's season), one batch per event, cancelled events and other groups left out;
//! a retried call with the same idempotency key sends nothing more. Real binary, real
//! SMTP server.

mod common;

use common::*;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

#[test]
fn a_group_invitation_reaches_every_live_event_of_the_group_once() {
    let dir = tempfile::tempdir().unwrap();
    let sink = SmtpSink::start(&dir.path().join("mail"), &[]);
    let port = sink.port.to_string();
    let s = Server::start_in(
        &dir.path().join("data"),
        &["--demo"],
        &[
            ("CALINVITE_SMTP__HOST", "127.0.0.1"),
            ("CALINVITE_SMTP__PORT", port.as_str()),
            ("CALINVITE_MAIL__FROM", "events@invites.example.org"),
        ],
    );
    let auth = basic("demo", "demo");
    let create = |uid: &str, day: u32, groups: &[&str]| {
        let body = json!({"uid": uid, "summary": format!("Game {uid}"), "start": format!("2030-04-{day:02}T18:00:00Z"),
            "end": format!("2030-04-{day:02}T20:00:00Z"), "groups": groups});
        let r = s.request(
            "POST",
            "/api/v1/events",
            &[("Authorization", &auth), ("Content-Type", "application/json")],
            body.to_string().as_bytes(),
        );
        assert_eq!(r.status, 201, "{}", r.text());
    };
    create("g1", 1, &["season"]);
    create("g2", 8, &["season", "home"]);
    create("g3", 15, &["season"]);
    create("other", 22, &["friendlies"]);
    let r = s.request("DELETE", "/api/v1/events/g3", &[("Authorization", &auth)], b"");
    assert_eq!(r.status, 204, "{}", r.text());

    let call = json!({"recipients": [{"email": "fan1@example.org"}, {"email": "fan2@example.org"}, {"email": "not an address"}],
        "idempotency_key": "season-signup-1"});
    let post = || {
        s.request(
            "POST",
            "/api/v1/groups/season/invitations",
            &[("Authorization", &auth)],
            call.to_string().as_bytes(),
        )
    };
    let r = post();
    assert_eq!(r.status, 202, "{}", r.text());
    let v: Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!((v["events"].as_u64(), v["queued"].as_u64()), (Some(2), Some(4)), "{v}");
    assert_eq!(v["invalid"].as_array().unwrap().len(), 1, "{v}");
    let mut uids: Vec<&str> = v["batches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["event"].as_str().unwrap())
        .collect();
    uids.sort();
    assert_eq!(uids, ["g1", "g2"], "the cancelled game and other groups are left out");

    let deadline = Instant::now() + Duration::from_secs(20);
    while sink.count() < 4 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(sink.count(), 4);
    // The same call again (a retry): the first call's batches are returned, nothing is
    // queued again.
    let v: Value = serde_json::from_slice(&post().body).unwrap();
    assert!(
        v["batches"].as_array().unwrap().iter().all(|b| b["replayed"] == true),
        "{v}"
    );
    std::thread::sleep(Duration::from_millis(800));
    assert_eq!(sink.count(), 4);
    // An unknown group (or another organizer's) is 404.
    let r = s.request(
        "POST",
        "/api/v1/groups/nope/invitations",
        &[("Authorization", &auth)],
        call.to_string().as_bytes(),
    );
    assert_eq!(r.status, 404);
}
