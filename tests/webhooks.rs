//! Webhooks end to end over loopback: the real binary delivers a signed `rsvp.changed` to
//! a receiver within a second of a REPLY arriving, keeps retrying while the receiver is
//! down and delivers later, shows every attempt in the delivery log, and keeps each
//! organizer's webhooks to themselves. Signatures are checked with Python's own `hmac`,
//! not with the code that made them.

mod common;

use common::*;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const REPLY_UID: &str = "4f0162146d61cb2c06cbe2abf94636f4526abe16";
const ATTENDEE: &str = "tine20admin@caldav.net";

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// One request as the receiver saw it.
#[derive(Debug, Clone)]
struct Received {
    headers: Headers,
    body: Vec<u8>,
    at: Instant,
    status: u16,
}

impl Received {
    fn header(&self, name: &str) -> &str {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("no {name} header in {:?}", self.headers))
    }
}

/// A webhook receiver on loopback: answers the first `fail_first` requests with 500 and
/// the rest with 204, and keeps every request.
struct Receiver {
    port: u16,
    requests: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    fn start(port: u16, fail_first: usize) -> Receiver {
        let listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let kept = requests.clone();
        let served = Arc::new(AtomicUsize::new(0));
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let Some((headers, body)) = read_request(&mut stream) else {
                    continue;
                };
                let n = served.fetch_add(1, Ordering::SeqCst);
                let status = if n < fail_first { 500 } else { 204 };
                kept.lock().unwrap().push(Received {
                    headers,
                    body,
                    at: Instant::now(),
                    status,
                });
                let reason = if status == 500 {
                    "Internal Server Error"
                } else {
                    "No Content"
                };
                let _ = stream.write_all(
                    format!("HTTP/1.1 {status} {reason}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").as_bytes(),
                );
            }
        });
        Receiver { port, requests }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/hook", self.port)
    }

    /// Waits until a request answered 2xx arrives; returns it.
    fn wait_delivered(&self, within: Duration) -> Received {
        let deadline = Instant::now() + within;
        loop {
            if let Some(r) = self.requests.lock().unwrap().iter().find(|r| r.status < 300) {
                return r.clone();
            }
            assert!(Instant::now() < deadline, "no delivery within {within:?}");
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

type Headers = Vec<(String, String)>;

fn read_request(stream: &mut std::net::TcpStream) -> Option<(Headers, Vec<u8>)> {
    stream.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    if !line.starts_with("POST ") {
        return None;
    }
    let mut headers = Vec::new();
    loop {
        line.clear();
        reader.read_line(&mut line).ok()?;
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        let (k, v) = l.split_once(':')?;
        headers.push((k.trim().to_string(), v.trim().to_string()));
    }
    let len: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())?;
    let mut body = vec![0; len];
    reader.read_exact(&mut body).ok()?;
    Some((headers, body))
}

/// The signature Python's `hmac` computes for a delivery (Standard Webhooks).
fn python_signature(secret: &str, id: &str, timestamp: &str, body: &[u8]) -> String {
    let script = r#"
import base64, hashlib, hmac, sys
secret, msg_id, ts = sys.argv[1], sys.argv[2], sys.argv[3]
key = base64.b64decode(secret.removeprefix("whsec_"))
body = sys.stdin.buffer.read()
signed = msg_id.encode() + b"." + ts.encode() + b"." + body
print("v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode())
"#;
    let mut child = std::process::Command::new(python())
        .args(["-c", script, secret, id, timestamp])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(body).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn api(s: &Server, auth: &str, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let r = s.request(method, path, &[("Authorization", auth)], body.as_bytes());
    let v = if r.body.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&r.body).unwrap_or_else(|_| panic!("not JSON: {}", r.text()))
    };
    (r.status, v)
}

fn create_webhook(s: &Server, auth: &str, url: &str, events: &[&str]) -> Value {
    let (status, v) = api(
        s,
        auth,
        "POST",
        "/api/v1/webhooks",
        Some(json!({"url": url, "events": events})),
    );
    assert_eq!(status, 201, "{v}");
    v
}

/// The demo event of the inbound tests, with the attendee invited, so its REPLY applies.
fn event_with_recipient(s: &Server) {
    let demo = basic("demo", "demo");
    let body = format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:{REPLY_UID}\r\nDTSTAMP:20111101T000000Z\r\n\
         DTSTART:20111121T120000Z\r\nDTEND:20111121T130000Z\r\nSUMMARY:Test\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    );
    let r = s.request(
        "PUT",
        &format!("/dav/calendars/demo/default/{REPLY_UID}.ics"),
        &[("Authorization", &demo), ("Content-Type", "text/calendar")],
        body.as_bytes(),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let (status, v) = api(
        s,
        &demo,
        "POST",
        &format!("/api/v1/events/{REPLY_UID}/invitations"),
        Some(json!({"recipients": [{"email": ATTENDEE}]})),
    );
    assert_eq!(status, 202, "{v}");
}

fn post_reply(s: &Server) {
    let (status, v) = api_raw(s, &fixture("tine20-lightning-reply-accepted.eml"));
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["outcome"]["kind"], "applied", "{v}");
}

fn api_raw(s: &Server, raw: &[u8]) -> (u16, Value) {
    let r = s.request(
        "POST",
        "/api/v1/inbound",
        &[("Authorization", &basic("demo", "demo"))],
        raw,
    );
    (r.status, serde_json::from_slice(&r.body).unwrap_or(Value::Null))
}

fn deliveries(s: &Server, id: u64) -> Vec<Value> {
    let (status, v) = api(
        s,
        &basic("demo", "demo"),
        "GET",
        &format!("/api/v1/webhooks/{id}/deliveries"),
        None,
    );
    assert_eq!(status, 200, "{v}");
    v["items"].as_array().unwrap().clone()
}

#[test]
fn a_reply_is_delivered_as_a_signed_rsvp_changed_within_a_second() {
    let s = Server::demo();
    let receiver = Receiver::start(free_port(), 0);
    let hook = create_webhook(&s, &basic("demo", "demo"), &receiver.url(), &["rsvp.changed"]);
    let secret = hook["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("whsec_"), "{hook}");
    event_with_recipient(&s);

    post_reply(&s);
    let processed = Instant::now();
    let got = receiver.wait_delivered(Duration::from_secs(5));
    let latency = got.at.saturating_duration_since(processed);
    assert!(
        latency < Duration::from_secs(1),
        "delivered {latency:?} after the REPLY"
    );

    let id = got.header("webhook-id");
    let timestamp = got.header("webhook-timestamp");
    assert!(id.starts_with("msg_"), "{id}");
    let sent_at: i64 = timestamp.parse().unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!((now - sent_at).abs() <= 5, "timestamp {sent_at}, now {now}");
    assert!(got.header("content-type").starts_with("application/json"));
    assert_eq!(
        got.header("webhook-signature"),
        python_signature(&secret, id, timestamp, &got.body),
        "the signature verifies with Python's hmac"
    );
    assert_ne!(
        got.header("webhook-signature"),
        python_signature("whsec_d3JvbmcgZ3Vlc3M=", id, timestamp, &got.body)
    );

    let body: Value = serde_json::from_slice(&got.body).unwrap();
    assert_eq!(body["type"], "rsvp.changed", "{body}");
    assert!(body["timestamp"].as_str().unwrap().ends_with('Z'), "{body}");
    let data = &body["data"];
    assert_eq!(data["uid"], REPLY_UID, "{body}");
    assert_eq!(data["email"], ATTENDEE, "{body}");
    assert_eq!(data["status"], "ACCEPTED", "{body}");
    assert_eq!(data["previous"], "NEEDS-ACTION", "{body}");
    assert_eq!(data["occurrence"], Value::Null, "{body}");

    // The log shows the one delivery; nothing else was sent.
    let log = deliveries(&s, hook["id"].as_u64().unwrap());
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(log[0]["id"], id);
    assert_eq!(log[0]["type"], "rsvp.changed");
    assert_eq!(log[0]["attempts"], 1);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(deliveries(&s, hook["id"].as_u64().unwrap())[0]["state"], "delivered");
    assert_eq!(receiver.requests.lock().unwrap().len(), 1);
}

#[test]
fn a_receiver_that_is_down_gets_the_delivery_later_and_the_log_shows_each_failure() {
    let s = Server::start(&["--demo"], &[("CALINVITE_WEBHOOKS__RETRY_BASE_SECONDS", "1")]);
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}/hook");
    let hook = create_webhook(&s, &basic("demo", "demo"), &url, &["*"]);
    let hook_id = hook["id"].as_u64().unwrap();
    event_with_recipient(&s);
    post_reply(&s);

    // Nothing listens: the connection is refused, and the log says so.
    let deadline = Instant::now() + Duration::from_secs(5);
    let failed = loop {
        let log = deliveries(&s, hook_id);
        if let Some(d) = log.first().filter(|d| d["last_error"].is_string()) {
            break d.clone();
        }
        assert!(Instant::now() < deadline, "no failed attempt logged: {log:?}");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(failed["state"], "retrying", "{failed}");
    assert!(failed["attempts"].as_u64().unwrap() >= 1, "{failed}");
    assert!(failed["next_attempt_at"].is_i64(), "{failed}");

    // The receiver comes up, fails once more with 500, then takes it.
    let receiver = Receiver::start(port, 1);
    let got = receiver.wait_delivered(Duration::from_secs(20));
    let all = receiver.requests.lock().unwrap().clone();
    assert_eq!(all[0].status, 500);
    assert_eq!(
        all[0].header("webhook-id"),
        got.header("webhook-id"),
        "a retry keeps its webhook-id"
    );
    assert_eq!(all[0].body, got.body, "a retry sends the same body");

    let deadline = Instant::now() + Duration::from_secs(5);
    let entry = loop {
        let log = deliveries(&s, hook_id);
        assert_eq!(log.len(), 1, "{log:?}");
        if log[0]["state"] == "delivered" {
            break log[0].clone();
        }
        assert!(Instant::now() < deadline, "not marked delivered: {log:?}");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(
        entry["attempts"].as_u64().unwrap() >= 3,
        "refused, 500, delivered: {entry}"
    );
    assert!(
        entry["last_error"].as_str().unwrap().contains("HTTP 500"),
        "the last failure is kept: {entry}"
    );
    assert!(entry["finished_at"].is_i64(), "{entry}");
    assert_eq!(entry["next_attempt_at"], Value::Null, "{entry}");
}

#[test]
fn webhooks_are_created_listed_and_deleted_by_their_owner_only() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    let out = cli(&data, &["user", "add", "bob"], "pw\n");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let s = Server::start_in(&data, &["--demo"], &[]);
    let (demo, bob) = (basic("demo", "demo"), basic("bob", "pw"));

    let a = create_webhook(
        &s,
        &demo,
        "https://hooks.example.org/a",
        &["rsvp.changed", "invite.failed"],
    );
    let b = create_webhook(&s, &demo, "http://127.0.0.1:9/b", &["*"]);
    let bobs = create_webhook(&s, &bob, "https://bob.example.org/", &["event.updated"]);
    let (a_id, bobs_id) = (a["id"].as_u64().unwrap(), bobs["id"].as_u64().unwrap());
    assert_eq!(a["events"], json!(["rsvp.changed", "invite.failed"]));
    assert!(a["created_at"].is_i64());

    let (status, list) = api(&s, &demo, "GET", "/api/v1/webhooks", None);
    assert_eq!(status, 200);
    let urls: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["url"].as_str().unwrap())
        .collect();
    assert_eq!(urls, ["https://hooks.example.org/a", "http://127.0.0.1:9/b"]);
    assert!(
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|w| w.get("secret").is_none()),
        "the secret is shown only at creation: {list}"
    );
    let (status, one) = api(&s, &demo, "GET", &format!("/api/v1/webhooks/{a_id}"), None);
    assert_eq!((status, &one["url"]), (200, &json!("https://hooks.example.org/a")));
    assert!(one.get("secret").is_none());

    // Another organizer's webhook does not exist for them.
    for (auth, method, path) in [
        (&bob, "GET", format!("/api/v1/webhooks/{a_id}")),
        (&bob, "GET", format!("/api/v1/webhooks/{a_id}/deliveries")),
        (&bob, "DELETE", format!("/api/v1/webhooks/{a_id}")),
        (&demo, "GET", format!("/api/v1/webhooks/{bobs_id}")),
        (&demo, "DELETE", format!("/api/v1/webhooks/{bobs_id}")),
        (&demo, "GET", "/api/v1/webhooks/999".to_string()),
        (&demo, "GET", "/api/v1/webhooks/x".to_string()),
    ] {
        let r = s.request(method, &path, &[("Authorization", auth)], b"");
        assert_eq!(r.status, 404, "{method} {path}: {}", r.text());
        assert_eq!(r.header("content-type"), Some("application/problem+json"));
    }
    let (_, bob_list) = api(&s, &bob, "GET", "/api/v1/webhooks", None);
    assert_eq!(bob_list["items"].as_array().unwrap().len(), 1, "{bob_list}");

    let (status, _) = api(&s, &demo, "DELETE", &format!("/api/v1/webhooks/{a_id}"), None);
    assert_eq!(status, 204);
    let (status, _) = api(&s, &demo, "GET", &format!("/api/v1/webhooks/{a_id}"), None);
    assert_eq!(status, 404);
    let (status, _) = api(&s, &demo, "DELETE", &format!("/api/v1/webhooks/{a_id}"), None);
    assert_eq!(status, 404);
    let (_, list) = api(&s, &demo, "GET", "/api/v1/webhooks", None);
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert_eq!(list["items"][0]["id"], b["id"]);
    let (_, bob_list) = api(&s, &bob, "GET", "/api/v1/webhooks", None);
    assert_eq!(bob_list["items"][0]["id"], bobs["id"], "bob's webhook is untouched");
}

#[test]
fn invalid_webhooks_are_refused_with_a_problem() {
    let s = Server::demo();
    let demo = basic("demo", "demo");
    for body in [
        json!({"url": "ftp://hooks.example.org/", "events": ["*"]}),
        json!({"url": "hooks.example.org/hook", "events": ["*"]}),
        json!({"url": "not a url", "events": ["*"]}),
        json!({"url": "https://hooks.example.org/", "events": []}),
        json!({"url": "https://hooks.example.org/", "events": ["rsvp.maybe"]}),
        json!({"url": "https://hooks.example.org/"}),
        json!({"url": "https://hooks.example.org/", "events": ["*"], "extra": 1}),
    ] {
        let r = s.request(
            "POST",
            "/api/v1/webhooks",
            &[("Authorization", &demo)],
            body.to_string().as_bytes(),
        );
        assert_eq!(r.status, 400, "{body}: {}", r.text());
        assert_eq!(r.header("content-type"), Some("application/problem+json"));
        let problem: Value = serde_json::from_slice(&r.body).unwrap();
        assert!(problem["detail"].as_str().is_some_and(|d| !d.is_empty()), "{problem}");
    }
    let r = s.request("POST", "/api/v1/webhooks", &[("Authorization", &demo)], b"{");
    assert_eq!(r.status, 400);
    let (_, list) = api(&s, &demo, "GET", "/api/v1/webhooks", None);
    assert_eq!(list["items"], json!([]));
}

fn event_body(uid: &str, summary: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20300101T000000Z\r\n\
         DTSTART:20300315T180000Z\r\nDTEND:20300315T200000Z\r\nSUMMARY:{summary}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
}

/// Waits until the receiver holds a 2xx-answered delivery of each type; returns their bodies.
fn wait_types(receiver: &Receiver, types: &[&str], within: Duration) -> Vec<Value> {
    let deadline = Instant::now() + within;
    loop {
        let bodies: Vec<Value> = receiver
            .requests
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.status < 300)
            .map(|r| serde_json::from_slice(&r.body).unwrap())
            .collect();
        if types.iter().all(|t| bodies.iter().any(|b| b["type"] == *t)) {
            return bodies;
        }
        assert!(Instant::now() < deadline, "waiting for {types:?}, got {bodies:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn of_type<'a>(bodies: &'a [Value], t: &str) -> Vec<&'a Value> {
    bodies.iter().filter(|b| b["type"] == t).collect()
}

#[test]
fn sent_failed_bounced_updated_and_cancelled_events_reach_webhooks() {
    let dir = tempfile::tempdir().unwrap();
    let sink = SmtpSink::start(&dir.path().join("mail"), &["--reject", "refused"]);
    let port = sink.port.to_string();
    let s = Server::start_in(
        &dir.path().join("data"),
        &["--demo"],
        &[
            ("CALINVITE_SMTP__HOST", "127.0.0.1"),
            ("CALINVITE_SMTP__PORT", port.as_str()),
            ("CALINVITE_MAIL__FROM", "events@invites.example.org"),
            ("CALINVITE_LIFECYCLE__SETTLE_SECONDS", "0"),
        ],
    );
    let demo = basic("demo", "demo");
    let receiver = Receiver::start(free_port(), 0);
    let all_but_rsvp = [
        "invite.delivered",
        "invite.failed",
        "invite.bounced",
        "event.updated",
        "event.cancelled",
    ];
    create_webhook(&s, &demo, &receiver.url(), &all_but_rsvp);
    let uid = "webhook-lifecycle";
    let path = format!("/dav/calendars/demo/default/{uid}.ics");
    let put = |summary: &str, status: u16| {
        let r = s.request(
            "PUT",
            &path,
            &[("Authorization", &demo), ("Content-Type", "text/calendar")],
            event_body(uid, summary).as_bytes(),
        );
        assert_eq!(r.status, status, "{}", r.text());
    };
    put("Season opener", 201);
    let (status, v) = api(
        &s,
        &demo,
        "POST",
        &format!("/api/v1/events/{uid}/invitations"),
        Some(json!({"recipients": [{"email": "ann@example.org"}, {"email": "refused@example.org"}]})),
    );
    assert_eq!(status, 202, "{v}");

    let bodies = wait_types(
        &receiver,
        &["invite.delivered", "invite.failed"],
        Duration::from_secs(15),
    );
    let delivered = of_type(&bodies, "invite.delivered");
    assert_eq!(delivered.len(), 1, "{bodies:?}");
    assert_eq!(delivered[0]["data"]["email"], "ann@example.org");
    assert_eq!(delivered[0]["data"]["uid"], uid);
    assert_eq!(delivered[0]["data"]["method"], "REQUEST");
    let failed = of_type(&bodies, "invite.failed");
    assert_eq!(failed[0]["data"]["email"], "refused@example.org", "{bodies:?}");
    assert!(
        failed[0]["data"]["error"].as_str().is_some_and(|e| e.contains("550")),
        "{bodies:?}"
    );

    // Ann's mail server bounces the invitation later: the report names our Message-ID.
    let sent = std::fs::read_dir(&sink.dir)
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap_or_default())
        .find(|m| m.contains("ann@example.org"))
        .expect("Ann's invitation in the sink");
    let message_id = sent
        .lines()
        .find_map(|l| l.strip_prefix("Message-ID: "))
        .expect("a Message-ID")
        .trim()
        .to_string();
    let dsn = String::from_utf8(fixture("ccs-dsn-bounce-of-request.eml"))
        .unwrap()
        .replace("nonexistant@example.com", "ann@example.org")
        .replace("<20080812191939.51369.1538816694.0@plugh.example.com>", &message_id)
        .replace(
            "<20080812191940.15BA528084@relay11.example.com>",
            "<webhook-test-dsn@relay>",
        );
    let (status, v) = api_raw(&s, dsn.as_bytes());
    assert_eq!((status, &v["outcome"]["kind"]), (200, &json!("applied")), "{v}");
    let bodies = wait_types(&receiver, &["invite.bounced"], Duration::from_secs(5));
    let bounced = of_type(&bodies, "invite.bounced");
    assert_eq!(bounced[0]["data"]["email"], "ann@example.org", "{bodies:?}");
    assert_eq!(bounced[0]["data"]["status"], "5.0.0", "{bodies:?}");
    assert_eq!(bounced[0]["data"]["uid"], uid);

    // A significant change, then the deletion, reach the webhook too.
    put("Season opener (moved)", 204);
    let bodies = wait_types(&receiver, &["event.updated"], Duration::from_secs(5));
    let updated = of_type(&bodies, "event.updated");
    assert_eq!(updated[0]["data"]["uid"], uid, "{bodies:?}");
    assert_eq!(updated[0]["data"]["summary"], "Season opener (moved)", "{bodies:?}");
    assert_eq!(updated[0]["data"]["sequence"], 1, "{bodies:?}");
    assert!(updated[0]["data"]["changes"].as_str().is_some_and(|c| !c.is_empty()));
    let r = s.request("DELETE", &path, &[("Authorization", &demo)], b"");
    assert_eq!(r.status, 204, "{}", r.text());
    let bodies = wait_types(&receiver, &["event.cancelled"], Duration::from_secs(5));
    let cancelled = of_type(&bodies, "event.cancelled");
    assert_eq!(cancelled.len(), 1, "{bodies:?}");
    assert_eq!(cancelled[0]["data"]["uid"], uid);
    assert!(of_type(&bodies, "rsvp.changed").is_empty(), "not subscribed");
}

#[test]
fn a_counter_from_the_recipient_is_reported_and_a_forged_one_is_not() {
    let s = Server::demo();
    let receiver = Receiver::start(free_port(), 0);
    create_webhook(&s, &basic("demo", "demo"), &receiver.url(), &["counter.proposed"]);
    event_with_recipient(&s);
    // No COUNTER from a real client is on file (fixtures/imip/SOURCES.md): the reply,
    // turned into a proposal of 15:00-16:00 Berlin time.
    let counter = String::from_utf8(fixture("tine20-lightning-reply-accepted.eml"))
        .unwrap()
        .replace("method=REPLY", "method=COUNTER")
        .replace("METHOD:REPLY", "METHOD:COUNTER")
        .replace("Europe/Berlin:20111121T130000", "Europe/Berlin:20111121T150000")
        .replace("Europe/Berlin:20111121T140000", "Europe/Berlin:20111121T160000");
    let forged = counter
        .replace("From: tine20admin@caldav.net", "From: mallory@evil.example")
        .replace("Message-Id: <", "Message-Id: <forged");
    let (status, v) = api_raw(&s, forged.as_bytes());
    assert_eq!(status, 200, "{v}");
    let (status, v) = api_raw(&s, counter.as_bytes());
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["outcome"]["kind"], "applied", "recorded for the organizer: {v}");

    let bodies = wait_types(&receiver, &["counter.proposed"], Duration::from_secs(5));
    std::thread::sleep(Duration::from_millis(500));
    let all = receiver.requests.lock().unwrap().len();
    assert_eq!(all, 1, "only the recipient's own COUNTER is reported: {bodies:?}");
    let data = &bodies[0]["data"];
    assert_eq!(data["uid"], REPLY_UID, "{data}");
    assert_eq!(data["email"], ATTENDEE, "{data}");
    assert_eq!(data["proposed_start"], "20111121T140000Z", "{data}");
    assert_eq!(data["proposed_end"], "20111121T150000Z", "{data}");
}

#[test]
fn a_delivery_fails_for_good_after_max_attempts() {
    let s = Server::start(
        &["--demo"],
        &[
            ("CALINVITE_WEBHOOKS__RETRY_BASE_SECONDS", "1"),
            ("CALINVITE_WEBHOOKS__MAX_ATTEMPTS", "2"),
        ],
    );
    let url = format!("http://127.0.0.1:{}/nobody-listens", free_port());
    let hook = create_webhook(&s, &basic("demo", "demo"), &url, &["rsvp.changed"]);
    event_with_recipient(&s);
    post_reply(&s);
    let deadline = Instant::now() + Duration::from_secs(10);
    let entry = loop {
        let log = deliveries(&s, hook["id"].as_u64().unwrap());
        if let Some(d) = log.first().filter(|d| d["state"] == "failed") {
            break d.clone();
        }
        assert!(Instant::now() < deadline, "not failed: {log:?}");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(entry["attempts"], 2, "{entry}");
    assert!(
        entry["last_error"]
            .as_str()
            .unwrap()
            .starts_with("gave up after 2 attempts"),
        "{entry}"
    );
    assert!(entry["finished_at"].is_i64(), "{entry}");
}

#[test]
fn by_default_a_webhook_on_an_internal_address_is_never_called() {
    let s = Server::start(
        &["--demo"],
        &[
            ("CALINVITE_WEBHOOKS__ALLOW_PRIVATE_ADDRESSES", "false"),
            ("CALINVITE_WEBHOOKS__RETRY_BASE_SECONDS", "1"),
            ("CALINVITE_WEBHOOKS__MAX_ATTEMPTS", "1"),
        ],
    );
    // A receiver that would accept: it must never see a request.
    let receiver = Receiver::start(free_port(), 0);
    let hook = create_webhook(&s, &basic("demo", "demo"), &receiver.url(), &["rsvp.changed"]);
    event_with_recipient(&s);
    post_reply(&s);
    let deadline = Instant::now() + Duration::from_secs(10);
    let entry = loop {
        let log = deliveries(&s, hook["id"].as_u64().unwrap());
        if let Some(d) = log.first().filter(|d| d["state"] == "failed") {
            break d.clone();
        }
        assert!(Instant::now() < deadline, "not failed: {log:?}");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(
        entry["last_error"]
            .as_str()
            .unwrap()
            .contains("non-public addresses (127.0.0.1)"),
        "{entry}"
    );
    assert!(
        receiver.requests.lock().unwrap().is_empty(),
        "the internal address was called"
    );
}
