//! The server-wide API over loopback: the inbound log (list, filters, pages, a message's
//! raw bytes, retry after a fix), the suppression list, who may read them (domain owners
//! only: an organizer gets 403), and the OpenAPI document that describes it all.

mod common;

use common::*;
use serde_json::{Value, json};
use std::collections::BTreeSet;

const REPLY_UID: &str = "4f0162146d61cb2c06cbe2abf94636f4526abe16";
const ATTENDEE: &str = "tine20admin@caldav.net";

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn admin() -> (&'static str, String) {
    ("Authorization", basic("demo", "demo"))
}

fn call(s: &Server, method: &str, path: &str, auth: &(&str, String), body: &[u8]) -> (u16, Value) {
    let r = s.request(method, path, &[(auth.0, auth.1.as_str())], body);
    let v = if r.body.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&r.body).unwrap_or_else(|_| panic!("{method} {path}: not JSON: {}", r.text()))
    };
    (r.status, v)
}

/// Every item of a list, page by page with `limit`, checking the page shape on the way.
fn all_pages(s: &Server, path: &str, limit: usize) -> (Vec<Value>, usize) {
    let (mut items, mut pages, mut cursor) = (Vec::new(), 0, None::<String>);
    loop {
        let sep = if path.contains('?') { '&' } else { '?' };
        let mut url = format!("{path}{sep}limit={limit}");
        if let Some(c) = &cursor {
            url.push_str(&format!("&cursor={c}"));
        }
        let (status, v) = call(s, "GET", &url, &admin(), b"");
        assert_eq!(status, 200, "{url}: {v}");
        let page = v["items"].as_array().unwrap();
        assert!(page.len() <= limit, "{url}: {v}");
        items.extend(page.iter().cloned());
        pages += 1;
        match v["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => return (items, pages),
        }
    }
}

fn put_event(s: &Server, uid: &str) {
    let body = format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20111101T000000Z\r\n\
         DTSTART:20111121T120000Z\r\nDTEND:20111121T130000Z\r\nSUMMARY:Test\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    );
    let r = s.request(
        "PUT",
        &format!("/dav/calendars/demo/default/{uid}.ics"),
        &[
            ("Authorization", &basic("demo", "demo")),
            ("Content-Type", "text/calendar"),
        ],
        body.as_bytes(),
    );
    assert_eq!(r.status, 201, "{}", r.text());
}

#[test]
fn the_inbound_log_is_filtered_paged_kept_byte_exact_and_a_message_is_retried_after_a_fix() {
    let s = Server::demo();
    // A reply for an event that does not exist yet: quarantined, kept.
    let reply = fixture("tine20-lightning-reply-accepted.eml");
    let (status, first) = call(&s, "POST", "/api/v1/inbound", &admin(), &reply);
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["outcome"]["kind"], "quarantined", "{first}");
    let id = first["id"].as_u64().unwrap();
    for n in 0..4 {
        let raw =
            format!("From: x{n}@example.org\r\nMessage-ID: <m{n}@example.org>\r\nSubject: hi\r\n\r\nno calendar\r\n");
        let (status, v) = call(&s, "POST", "/api/v1/inbound", &admin(), raw.as_bytes());
        assert_eq!(status, 200, "{v}");
    }

    // Five messages over three pages of two, newest first, none twice.
    let (items, pages) = all_pages(&s, "/api/v1/inbound", 2);
    assert_eq!((items.len(), pages), (5, 3), "{items:?}");
    let ids: Vec<u64> = items.iter().map(|i| i["id"].as_u64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first: {ids:?}");
    assert_eq!(ids.last(), Some(&id));
    assert!(
        items
            .iter()
            .all(|i| i["source"] == "webhook" && i["size"].as_u64() > Some(0))
    );

    // Filters: by outcome and by source, paged too.
    let (quarantined, _) = all_pages(&s, "/api/v1/inbound?outcome=quarantined", 1);
    assert!(quarantined.iter().any(|i| i["id"] == id), "{quarantined:?}");
    assert!(quarantined.iter().all(|i| i["outcome"]["kind"] == "quarantined"));
    let (by_source, _) = all_pages(&s, "/api/v1/inbound?source=webhook", 3);
    assert_eq!(by_source.len(), 5);
    let (none, _) = all_pages(&s, "/api/v1/inbound?source=lmtp", 2);
    assert!(none.is_empty());
    let (status, v) = call(&s, "GET", "/api/v1/inbound?outcome=lost", &admin(), b"");
    assert_eq!(status, 400, "{v}");
    let (status, v) = call(&s, "GET", "/api/v1/inbound?cursor=zzz", &admin(), b"");
    assert_eq!(status, 400, "{v}");

    // One message: metadata, and the kept bytes exactly as they came.
    let (status, meta) = call(&s, "GET", &format!("/api/v1/inbound/{id}"), &admin(), b"");
    assert_eq!(status, 200, "{meta}");
    assert_eq!(meta["size"].as_u64(), Some(reply.len() as u64));
    assert!(meta["message_id"].is_string(), "{meta}");
    let r = s.get(
        &format!("/api/v1/inbound/{id}?raw=1"),
        &[("Authorization", &basic("demo", "demo"))],
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("message/rfc822"));
    assert!(r.body == reply, "the raw message differs from what was posted");
    assert_eq!(call(&s, "GET", "/api/v1/inbound/999999", &admin(), b"").0, 404);
    assert_eq!(call(&s, "GET", "/api/v1/inbound/nope?raw=1", &admin(), b"").0, 404);

    // Retry before the fix: still quarantined. After it (the event exists and the attendee
    // was invited): applied, and the answer is recorded.
    let retry = format!("/api/v1/inbound/{id}/retry");
    let (status, v) = call(&s, "POST", &retry, &admin(), b"");
    assert_eq!(
        (status, v["outcome"]["kind"].as_str()),
        (200, Some("quarantined")),
        "{v}"
    );
    put_event(&s, REPLY_UID);
    let body = json!({"recipients": [{"email": ATTENDEE}]}).to_string();
    let (status, v) = call(
        &s,
        "POST",
        &format!("/api/v1/events/{REPLY_UID}/invitations"),
        &admin(),
        body.as_bytes(),
    );
    assert_eq!(status, 202, "{v}");
    let (status, v) = call(&s, "POST", &retry, &admin(), b"");
    assert_eq!((status, v["outcome"]["kind"].as_str()), (200, Some("applied")), "{v}");
    assert_eq!(v["id"].as_u64(), Some(id));
    let (_, recipients) = call(
        &s,
        "GET",
        &format!("/api/v1/events/{REPLY_UID}/recipients"),
        &admin(),
        b"",
    );
    assert_eq!(recipients["items"][0]["status"], "ACCEPTED", "{recipients}");
    assert_eq!(call(&s, "POST", "/api/v1/inbound/999999/retry", &admin(), b"").0, 404);
}

#[test]
fn the_suppression_list_is_added_to_paged_honoured_and_removed_from() {
    let s = Server::demo();
    for n in 0..5 {
        let body = json!({"email": format!(" Person{n}@Example.org "), "note": "asked by phone"}).to_string();
        let (status, v) = call(&s, "POST", "/api/v1/suppressions", &admin(), body.as_bytes());
        assert_eq!(status, 201, "{v}");
        assert_eq!(v["email"], format!("person{n}@example.org"));
        assert_eq!(
            (v["reason"].as_str(), v["note"].as_str()),
            (Some("manual"), Some("asked by phone"))
        );
    }
    // Again: the entry is kept as it was.
    let (status, v) = call(
        &s,
        "POST",
        "/api/v1/suppressions",
        &admin(),
        br#"{"email":"person0@example.org"}"#,
    );
    assert_eq!((status, v["note"].as_str()), (200, Some("asked by phone")), "{v}");
    for bad in [&br#"{"email":"not an address"}"#[..], br#"{"mail":"a@b.org"}"#, b"[]"] {
        let (status, v) = call(&s, "POST", "/api/v1/suppressions", &admin(), bad);
        assert_eq!(status, 400, "{v}");
    }

    let (items, pages) = all_pages(&s, "/api/v1/suppressions", 2);
    assert_eq!((items.len(), pages), (5, 3));
    let emails: BTreeSet<&str> = items.iter().map(|i| i["email"].as_str().unwrap()).collect();
    assert_eq!(emails.len(), 5, "no address twice: {items:?}");

    // A suppressed address is not invited.
    let body = json!({"recipients": [{"email": "person1@example.org"}, {"email": "fresh@example.org"}]}).to_string();
    let (status, v) = call(
        &s,
        "POST",
        "/api/v1/events/calinvite-demo-event/invitations",
        &admin(),
        body.as_bytes(),
    );
    assert_eq!(
        (status, v["queued"].as_u64(), v["suppressed"].as_u64()),
        (202, Some(1), Some(1)),
        "{v}"
    );

    let r = s.request(
        "DELETE",
        "/api/v1/suppressions/Person1%40example.org",
        &[("Authorization", &basic("demo", "demo"))],
        b"",
    );
    assert_eq!(r.status, 204, "{}", r.text());
    assert_eq!(
        call(&s, "DELETE", "/api/v1/suppressions/person1@example.org", &admin(), b"").0,
        404
    );
    let (items, _) = all_pages(&s, "/api/v1/suppressions", 100);
    assert_eq!(items.len(), 4);
}

#[test]
fn an_organizer_cannot_read_the_server_wide_log_or_the_suppression_list() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = cli(&data, &["user", "add", "orga", "--email", "orga@example.org"], "pw\n");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let s = Server::start_in(&data, &["--demo"], &[]);
    let (status, v) = call(
        &s,
        "POST",
        "/api/v1/suppressions",
        &admin(),
        br#"{"email":"kept@example.org"}"#,
    );
    assert_eq!(status, 201, "{v}");
    let orga = ("Authorization", basic("orga", "pw"));
    for (method, path, body) in [
        ("GET", "/api/v1/inbound", &b""[..]),
        ("GET", "/api/v1/inbound/1", b""),
        ("GET", "/api/v1/inbound/1?raw=1", b""),
        ("POST", "/api/v1/inbound/1/retry", b""),
        ("POST", "/api/v1/inbound", b"From: a@b.c\r\n\r\nx"),
        ("GET", "/api/v1/suppressions", b""),
        ("POST", "/api/v1/suppressions", br#"{"email":"x@example.org"}"#),
        ("DELETE", "/api/v1/suppressions/kept@example.org", b""),
    ] {
        let r = s.request(method, path, &[(orga.0, orga.1.as_str())], body);
        assert_eq!(r.status, 403, "{method} {path}: {}", r.text());
        assert_eq!(
            r.header("content-type"),
            Some("application/problem+json"),
            "{method} {path}"
        );
    }
    // Nothing changed.
    let (items, _) = all_pages(&s, "/api/v1/suppressions", 10);
    assert_eq!(items.len(), 1);
    // Their own lists work, paged the same way.
    let (status, v) = call(&s, "GET", "/api/v1/pending?limit=1", &orga, b"");
    assert_eq!((status, v["items"].as_array().map(Vec::len)), (200, Some(0)), "{v}");
    assert!(v["next_cursor"].is_null(), "{v}");
}

#[test]
fn webhooks_are_listed_a_page_at_a_time() {
    let s = Server::demo();
    for n in 0..3 {
        let body = json!({"url": format!("http://127.0.0.1:9/{n}"), "events": ["*"]}).to_string();
        let (status, v) = call(&s, "POST", "/api/v1/webhooks", &admin(), body.as_bytes());
        assert_eq!(status, 201, "{v}");
    }
    let (items, pages) = all_pages(&s, "/api/v1/webhooks", 2);
    assert_eq!((items.len(), pages), (3, 2));
    assert!(items.iter().all(|w| w.get("secret").is_none()));
    assert_eq!(call(&s, "GET", "/api/v1/webhooks?limit=0", &admin(), b"").0, 400);
    assert_eq!(call(&s, "GET", "/api/v1/webhooks?limit=101", &admin(), b"").0, 400);
}

#[test]
fn the_openapi_document_needs_no_credentials_and_lists_the_new_endpoints() {
    let s = Server::demo();
    let r = s.get("/api/v1/openapi.json", &[]);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("content-type"), Some("application/json"));
    let doc: Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    for (path, method) in [
        ("/api/v1/inbound", "get"),
        ("/api/v1/inbound/{id}", "get"),
        ("/api/v1/inbound/{id}/retry", "post"),
        ("/api/v1/suppressions", "get"),
        ("/api/v1/suppressions", "post"),
        ("/api/v1/suppressions/{email}", "delete"),
    ] {
        assert!(doc["paths"][path][method]["operationId"].is_string(), "{method} {path}");
    }
    assert!(doc["components"]["securitySchemes"]["apiKey"].is_object());
    // Anything else under /api still needs credentials; a wrong method is 405.
    assert_eq!(s.get("/api/v1/me", &[]).status, 401);
    let r = s.request("PUT", "/api/v1/me", &[("Authorization", &basic("demo", "demo"))], b"");
    assert_eq!((r.status, r.header("allow")), (405, Some("GET")));
}
