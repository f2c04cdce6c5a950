//! `calinvite serve` as a user meets it: the demo account, authentication, limits,
//! health and a graceful stop.

mod common;

use common::*;
use std::io::Write;
use std::time::Duration;

#[test]
fn demo_prints_working_credentials_urls_and_an_api_key() {
    let server = Server::demo();
    server.wait_stdout("Try             :");
    let out = server.stdout.lock().unwrap().clone();
    let base = format!("http://{}", server.addr);
    assert!(out.contains(&format!("{base}/dav/calendars/demo/default/")), "{out}");
    assert!(out.contains(&format!("{base}/.well-known/caldav")), "{out}");
    assert!(out.contains("demo / demo"), "{out}");

    let me = server.get("/api/v1/me", &[("Authorization", &basic("demo", "demo"))]);
    assert_eq!(me.status, 200, "{}", me.text());
    let json: serde_json::Value = serde_json::from_slice(&me.body).unwrap();
    assert_eq!(json["name"], "demo");
    assert_eq!(json["role"], "admin");

    let key = server.demo_key();
    let me = server.get("/api/v1/me", &[("Authorization", &format!("Bearer {key}"))]);
    assert_eq!(me.status, 200, "{}", me.text());

    // The printed "Send an invite" line works as printed: the demo event exists.
    let url = out
        .lines()
        .find_map(|l| l.trim().strip_prefix(&base).filter(|p| p.ends_with("/invitations")))
        .unwrap();
    let r = server.request(
        "POST",
        url,
        &[
            ("Authorization", &format!("Bearer {key}")),
            ("Content-Type", "application/json"),
        ],
        br#"{"recipients":[{"email":"you@example.org"}]}"#,
    );
    assert_eq!(r.status, 202, "{}", r.text());
    assert!(r.text().contains("\"queued\":1"), "{}", r.text());

    // The printed event page and API description open.
    for label in ["Event page      :", "API description :"] {
        let line = out
            .lines()
            .find(|l| l.contains(label))
            .unwrap_or_else(|| panic!("{label} in {out}"));
        let url = line.split_whitespace().find(|w| w.starts_with(&base)).unwrap();
        let r = server.get(url.strip_prefix(&base).unwrap(), &[]);
        assert_eq!(r.status, 200, "{label} {url}: {}", r.text());
    }
}

#[test]
fn a_second_demo_start_keeps_the_account_and_prints_a_fresh_working_key() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let first_key = {
        let s = Server::start_in(&data, &["--demo"], &[]);
        s.demo_key()
    };
    let s = Server::start_in(&data, &["--demo"], &[]);
    let second_key = s.demo_key();
    assert_ne!(first_key, second_key);
    assert_eq!(
        s.get("/api/v1/me", &[("Authorization", &format!("Bearer {second_key}"))])
            .status,
        200
    );
    assert_eq!(
        s.get("/api/v1/me", &[("Authorization", &format!("Bearer {first_key}"))])
            .status,
        401
    );
    assert_eq!(
        s.get("/api/v1/me", &[("Authorization", &basic("demo", "demo"))]).status,
        200
    );
}

#[test]
fn wrong_credentials_get_401_with_a_challenge_and_a_logged_reason() {
    let server = Server::demo();
    let cases = [
        basic("demo", "wrong"),
        basic("nobody", "demo"),
        "Bearer cik_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".to_string(),
        "Bearer not-a-key".to_string(),
        "Basic %%%".to_string(),
        "Digest username=x".to_string(),
    ];
    for auth in &cases {
        let r = server.get("/api/v1/me", &[("Authorization", auth)]);
        assert_eq!(r.status, 401, "{auth}");
        assert!(
            r.header("www-authenticate").unwrap().starts_with("Basic realm="),
            "{auth}"
        );
    }
    let r = server.get("/api/v1/me", &[]);
    assert_eq!(r.status, 401);
    std::thread::sleep(Duration::from_millis(100));
    let log = server.stderr.lock().unwrap().clone();
    assert!(log.contains("authentication refused"), "{log}");
    assert!(log.contains("unknown user or wrong password"), "{log}");
    assert!(!log.contains("panicked"), "{log}");
}

#[test]
fn an_api_key_sent_as_basic_password_must_match_its_user() {
    let server = Server::demo();
    let key = server.demo_key();
    assert_eq!(
        server
            .get("/api/v1/me", &[("Authorization", &basic("demo", &key))])
            .status,
        200
    );
    assert_eq!(
        server
            .get("/api/v1/me", &[("Authorization", &basic("other", &key))])
            .status,
        401
    );
}

#[test]
fn repeated_basic_logins_are_served_from_the_login_cache() {
    let server = Server::demo();
    let auth = basic("demo", "demo");
    // The first login pays argon2; later ones must not (each would cost tens of ms).
    assert_eq!(server.get("/api/v1/me", &[("Authorization", &auth)]).status, 200);
    let started = std::time::Instant::now();
    for _ in 0..50 {
        assert_eq!(server.get("/api/v1/me", &[("Authorization", &auth)]).status, 200);
    }
    let cached = started.elapsed();
    // With the cache off, every request verifies the password.
    let uncached_server = Server::start(&["--demo"], &[("CALINVITE_AUTH__LOGIN_CACHE_SECONDS", "0")]);
    let started = std::time::Instant::now();
    for _ in 0..50 {
        assert_eq!(
            uncached_server.get("/api/v1/me", &[("Authorization", &auth)]).status,
            200
        );
    }
    let uncached = started.elapsed();
    assert!(
        cached * 3 < uncached,
        "cache made no difference: cached {cached:?}, uncached {uncached:?}"
    );
}

#[test]
fn health_and_discovery_answer_without_credentials() {
    let server = Server::demo();
    let h = server.get("/healthz", &[]);
    assert_eq!((h.status, h.text().as_str()), (200, "ok\n"));
    let w = server.get("/.well-known/caldav", &[]);
    assert_eq!(w.status, 301);
    assert_eq!(w.header("location"), Some("/dav/"));
    assert_eq!(server.get("/nope", &[]).status, 404);
}

#[test]
fn a_body_over_the_limit_gets_413() {
    let server = Server::start(
        &["--demo"],
        &[
            ("CALINVITE_SERVER__MAX_BODY_BYTES", "4096"),
            ("CALINVITE_LIMITS__MAX_RESOURCE_SIZE", "2048"),
        ],
    );
    let auth = basic("demo", "demo");
    let big = vec![b'x'; 10_000];
    let r = server.request(
        "PUT",
        "/dav/calendars/demo/default/big.ics",
        &[("Authorization", &auth)],
        &big,
    );
    assert_eq!(r.status, 413, "{}", r.text());
    std::thread::sleep(Duration::from_millis(100));
    assert!(server.stderr.lock().unwrap().contains("request body refused"));
}

#[test]
fn sigterm_lets_a_request_in_flight_finish_then_exits_cleanly() {
    let mut server = Server::demo();
    let auth = basic("demo", "demo");
    // Warm the login cache so the request in flight is quick once its body arrives.
    assert_eq!(server.get("/api/v1/me", &[("Authorization", &auth)]).status, 200);
    let mut stream = std::net::TcpStream::connect(server.addr).unwrap();
    let body = b"BEGIN:VCALENDAR\r\n";
    write!(
        stream,
        "PUT /dav/calendars/demo/default/x.ics HTTP/1.1\r\nHost: x\r\nAuthorization: {auth}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len() + 2
    )
    .unwrap();
    stream.write_all(body).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    server.signal("TERM");
    std::thread::sleep(Duration::from_millis(300));
    // The server stopped accepting, but still finishes this request.
    stream.write_all(b"\r\n").unwrap();
    let resp = read_response(&mut stream, false).unwrap();
    assert!(resp.status > 0);
    assert_eq!(server.wait_exit(Duration::from_secs(10)), Some(0));
    let log = server.stderr.lock().unwrap().clone();
    assert!(log.contains("SIGTERM received"), "{log}");
    assert!(log.contains("outbox leases released"), "{log}");
}

#[test]
fn sigint_stops_the_server_too() {
    let mut server = Server::demo();
    server.signal("INT");
    assert_eq!(server.wait_exit(Duration::from_secs(10)), Some(0));
    assert!(std::net::TcpStream::connect(server.addr).is_err());
}
