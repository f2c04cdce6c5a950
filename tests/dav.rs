//! CalDAV and WebDAV preconditions, each against the real binary on loopback: the status,
//! the precondition element in the `<D:error>` body, and that nothing was written.

mod common;

use common::*;
use std::time::{Duration, Instant};

const CAL: &str = "/dav/calendars/demo/default/";

fn auth() -> String {
    basic("demo", "demo")
}

fn event(uid: &str, extra: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20300101T000000Z\r\n\
         DTSTART:20300301T100000Z\r\nDTEND:20300301T110000Z\r\nSUMMARY:Test {uid}\r\n{extra}END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
}

fn put(s: &Server, path: &str, body: &str, headers: &[(&str, &str)]) -> Response {
    let a = auth();
    let mut h = vec![
        ("Authorization", a.as_str()),
        ("Content-Type", "text/calendar; charset=utf-8"),
    ];
    h.extend_from_slice(headers);
    s.request("PUT", path, &h, body.as_bytes())
}

fn dav(s: &Server, method: &str, path: &str, depth: &str, body: &str) -> Response {
    let a = auth();
    s.request(
        method,
        path,
        &[
            ("Authorization", &a),
            ("Depth", depth),
            ("Content-Type", "application/xml"),
        ],
        body.as_bytes(),
    )
}

fn assert_condition(r: &Response, status: u16, condition: &str) {
    assert_eq!(r.status, status, "{}", r.text());
    assert!(r.text().contains(condition), "expected <{condition}> in {}", r.text());
}

#[test]
fn options_advertises_caldav_and_scheduling_but_not_locking() {
    let s = Server::demo();
    let r = s.request("OPTIONS", "/dav/", &[("Authorization", &auth())], b"");
    assert_eq!(r.status, 200);
    let dav = r.header("dav").unwrap();
    for class in [
        "1",
        "3",
        "calendar-access",
        "calendar-auto-schedule",
        "calendar-schedule",
    ] {
        assert!(dav.split(',').any(|c| c.trim() == class), "{class} missing from {dav}");
    }
    assert!(!dav.split(',').any(|c| c.trim() == "2"), "{dav}");
}

#[test]
fn put_returns_the_etag_that_get_and_head_return_and_keeps_the_bytes() {
    let s = Server::demo();
    let body = event("etag-1", "LOCATION:Zürich 会議\r\n");
    let r = put(&s, &format!("{CAL}e1.ics"), &body, &[]);
    assert_eq!(r.status, 201);
    let etag = r.header("etag").unwrap().to_string();
    assert!(etag.starts_with('"') && !etag.starts_with("W/"), "{etag}");
    let g = s.get(&format!("{CAL}e1.ics"), &[("Authorization", &auth())]);
    assert_eq!(g.status, 200);
    assert_eq!(g.header("etag").unwrap(), etag);
    assert_eq!(g.body, body.as_bytes());
    let h = s.request("HEAD", &format!("{CAL}e1.ics"), &[("Authorization", &auth())], b"");
    assert_eq!((h.status, h.header("etag").unwrap()), (200, etag.as_str()));
    let nm = s.get(
        &format!("{CAL}e1.ics"),
        &[("Authorization", &auth()), ("If-None-Match", &etag)],
    );
    assert_eq!(nm.status, 304);
    let r = put(
        &s,
        &format!("{CAL}e1.ics"),
        &event("etag-1", "LOCATION:Bern\r\n"),
        &[("If-Match", &etag)],
    );
    assert_eq!(r.status, 204);
    assert_ne!(r.header("etag").unwrap(), etag);
}

#[test]
fn conditional_writes_fail_with_412_and_change_nothing() {
    let s = Server::demo();
    assert_eq!(put(&s, &format!("{CAL}c.ics"), &event("c", ""), &[]).status, 201);
    let r = put(
        &s,
        &format!("{CAL}c.ics"),
        &event("c", "LOCATION:x\r\n"),
        &[("If-None-Match", "*")],
    );
    assert_eq!(r.status, 412);
    let r = put(
        &s,
        &format!("{CAL}c.ics"),
        &event("c", "LOCATION:x\r\n"),
        &[("If-Match", "\"not-the-etag\"")],
    );
    assert_eq!(r.status, 412);
    let r = put(&s, &format!("{CAL}new.ics"), &event("new", ""), &[("If-Match", "*")]);
    assert_eq!(r.status, 412);
    let g = s.get(&format!("{CAL}c.ics"), &[("Authorization", &auth())]);
    assert_eq!(g.text(), event("c", ""));
    assert_eq!(
        s.get(&format!("{CAL}new.ics"), &[("Authorization", &auth())]).status,
        404
    );
    let d = s.request(
        "DELETE",
        &format!("{CAL}c.ics"),
        &[("Authorization", &auth()), ("If-Match", "\"nope\"")],
        b"",
    );
    assert_eq!(d.status, 412);
}

#[test]
fn invalid_calendar_data_is_refused_with_its_precondition() {
    let s = Server::demo();
    let cases: &[(&str, String, &str)] = &[
        ("not-ical.ics", "hello world".into(), "valid-calendar-data"),
        (
            "no-end.ics",
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\n".into(),
            "valid-calendar-data",
        ),
        (
            "two-uids.ics",
            event("a", "").replace(
                "END:VCALENDAR",
                &format!(
                    "{}END:VCALENDAR",
                    event("b", "")
                        .split("BEGIN:VEVENT")
                        .nth(1)
                        .map(|e| format!("BEGIN:VEVENT{}", e.replace("END:VCALENDAR\r\n", "")))
                        .unwrap()
                ),
            ),
            "valid-calendar-object-resource",
        ),
        (
            "method.ics",
            event("m", "").replace("VERSION:2.0\r\n", "VERSION:2.0\r\nMETHOD:REQUEST\r\n"),
            "valid-calendar-object-resource",
        ),
    ];
    for (name, body, condition) in cases {
        let r = put(&s, &format!("{CAL}{name}"), body, &[]);
        assert_condition(&r, 403, condition);
        assert_eq!(
            s.get(&format!("{CAL}{name}"), &[("Authorization", &auth())]).status,
            404,
            "{name} was stored"
        );
    }
}

#[test]
fn a_non_calendar_media_type_is_refused_in_a_calendar() {
    let s = Server::demo();
    let a = auth();
    let r = s.request(
        "PUT",
        &format!("{CAL}x.ics"),
        &[("Authorization", &a), ("Content-Type", "text/plain")],
        event("x", "").as_bytes(),
    );
    assert_condition(&r, 403, "supported-calendar-data");
}

#[test]
fn a_second_object_with_the_same_uid_is_refused_naming_the_first() {
    let s = Server::demo();
    assert_eq!(put(&s, &format!("{CAL}first.ics"), &event("same", ""), &[]).status, 201);
    let r = put(&s, &format!("{CAL}second.ics"), &event("same", ""), &[]);
    assert_condition(&r, 403, "no-uid-conflict");
    assert!(
        r.text().contains("/dav/calendars/demo/default/first.ics"),
        "{}",
        r.text()
    );
}

#[test]
fn size_and_attendee_limits_are_enforced() {
    let s = Server::start(
        &["--demo"],
        &[
            ("CALINVITE_LIMITS__MAX_RESOURCE_SIZE", "2000"),
            ("CALINVITE_LIMITS__MAX_ATTENDEES", "3"),
        ],
    );
    let big = event("big", &format!("DESCRIPTION:{}\r\n", "x".repeat(3000)));
    assert_condition(&put(&s, &format!("{CAL}big.ics"), &big, &[]), 403, "max-resource-size");
    let attendees: String = (0..5)
        .map(|i| format!("ATTENDEE:mailto:a{i}@example.com\r\n"))
        .collect();
    let many = event("many", &attendees);
    assert_condition(
        &put(&s, &format!("{CAL}many.ics"), &many, &[]),
        403,
        "max-attendees-per-instance",
    );
}

#[test]
fn a_calendar_limited_to_todos_refuses_events() {
    let s = Server::demo();
    let body = r#"<?xml version="1.0"?><C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop><D:displayname>Tasks</D:displayname><C:supported-calendar-component-set><C:comp name="VTODO"/></C:supported-calendar-component-set></D:prop></D:set></C:mkcalendar>"#;
    assert_eq!(
        dav(&s, "MKCALENDAR", "/dav/calendars/demo/tasks/", "0", body).status,
        201
    );
    let r = put(&s, "/dav/calendars/demo/tasks/e.ics", &event("e", ""), &[]);
    assert_condition(&r, 403, "supported-calendar-component");
}

#[test]
fn collections_cannot_be_made_inside_calendars_over_existing_ones_or_without_a_parent() {
    let s = Server::demo();
    assert_condition(
        &dav(&s, "MKCALENDAR", &format!("{CAL}inner/"), "0", ""),
        403,
        "calendar-collection-location-ok",
    );
    assert_eq!(dav(&s, "MKCALENDAR", CAL, "0", "").status, 405);
    assert_eq!(dav(&s, "MKCOL", "/dav/calendars/demo/a/b/", "0", "").status, 409);
    assert_eq!(dav(&s, "MKCOL", "/dav/calendars/demo/a/", "0", "").status, 201);
    assert_eq!(dav(&s, "MKCOL", "/dav/calendars/demo/a/b/", "0", "").status, 201);
}

#[test]
fn propfind_with_infinite_depth_is_refused() {
    let s = Server::demo();
    assert_condition(&dav(&s, "PROPFIND", CAL, "infinity", ""), 403, "propfind-finite-depth");
    let r = dav(
        &s,
        "PROPFIND",
        CAL,
        "1",
        "<D:propfind xmlns:D=\"DAV:\"><D:prop><D:getetag/>",
    );
    assert_eq!(r.status, 400, "{}", r.text());
}

#[test]
fn protected_properties_cannot_be_patched_and_nothing_else_changes() {
    let s = Server::demo();
    let body = r#"<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><D:displayname>New</D:displayname><D:getetag>"x"</D:getetag></D:prop></D:set></D:propertyupdate>"#;
    let r = dav(&s, "PROPPATCH", CAL, "0", body);
    assert_eq!(r.status, 207);
    let t = r.text();
    assert!(
        t.contains("cannot-modify-protected-property") && t.contains("403") && t.contains("424"),
        "{t}"
    );
    let r = dav(
        &s,
        "PROPFIND",
        CAL,
        "0",
        r#"<D:propfind xmlns:D="DAV:"><D:prop><D:displayname/></D:prop></D:propfind>"#,
    );
    assert!(
        r.text().contains("<D:displayname>Calendar</D:displayname>"),
        "{}",
        r.text()
    );
}

#[test]
fn calendar_query_filters_are_validated() {
    let s = Server::demo();
    let not_vcalendar = r#"<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/></D:prop><C:filter><C:comp-filter name="VEVENT"/></C:filter></C:calendar-query>"#;
    assert_condition(&dav(&s, "REPORT", CAL, "1", not_vcalendar), 403, "valid-filter");
    let collation = r#"<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/></D:prop><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:prop-filter name="SUMMARY"><C:text-match collation="i;klingon">x</C:text-match></C:prop-filter></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>"#;
    assert_condition(&dav(&s, "REPORT", CAL, "1", collation), 403, "supported-collation");
    let unknown = r#"<X:nonsense xmlns:X="urn:x"/>"#;
    assert_condition(&dav(&s, "REPORT", CAL, "1", unknown), 403, "supported-report");
}

fn query(start: &str, end: &str, expand: bool) -> String {
    let data = if expand {
        format!(r#"<C:calendar-data><C:expand start="{start}" end="{end}"/></C:calendar-data>"#)
    } else {
        "<C:calendar-data/>".into()
    };
    format!(
        r#"<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/>{data}</D:prop><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:time-range start="{start}" end="{end}"/></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>"#
    )
}

#[test]
fn a_recurring_event_is_found_decades_after_its_first_instance() {
    let s = Server::demo();
    let yearly = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:bday\r\nDTSTAMP:20000101T000000Z\r\nDTSTART;VALUE=DATE:20000615\r\nRRULE:FREQ=YEARLY\r\nSUMMARY:Birthday\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    assert_eq!(put(&s, &format!("{CAL}bday.ics"), yearly, &[]).status, 201);
    let r = dav(
        &s,
        "REPORT",
        CAL,
        "1",
        &query("20450601T000000Z", "20450701T000000Z", true),
    );
    assert_eq!(r.status, 207);
    assert!(
        r.text().contains("RECURRENCE-ID;VALUE=DATE:20450615") || r.text().contains("20450615"),
        "{}",
        r.text()
    );
    let r = dav(
        &s,
        "REPORT",
        CAL,
        "1",
        &query("20450701T000000Z", "20450801T000000Z", false),
    );
    assert!(!r.text().contains("bday.ics"), "{}", r.text());
}

#[test]
fn a_pathological_rrule_costs_bounded_work_and_the_server_keeps_serving() {
    let s = Server::demo();
    let secondly = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:storm\r\nDTSTAMP:19700101T000000Z\r\nDTSTART:19700101T000000Z\r\nDURATION:PT1S\r\nRRULE:FREQ=SECONDLY\r\nSUMMARY:Storm\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    assert_eq!(put(&s, &format!("{CAL}storm.ics"), secondly, &[]).status, 201);
    let started = Instant::now();
    let r = dav(
        &s,
        "REPORT",
        CAL,
        "1",
        &query("20300301T000000Z", "20300401T000000Z", true),
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
    assert!(r.status == 207 || r.status == 403, "{}", r.status);
    // Found by a plain query (it does recur in March 2030), and the server still answers.
    let r = dav(
        &s,
        "REPORT",
        CAL,
        "1",
        &query("20300301T000000Z", "20300301T000010Z", false),
    );
    assert!(r.text().contains("storm.ics"), "{}", r.text());
    assert_eq!(s.get("/healthz", &[]).status, 200);
}

#[test]
fn sync_tokens_survive_a_restart_and_unknown_ones_get_valid_sync_token() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    let sync = |token: &str| {
        format!(
            r#"<D:sync-collection xmlns:D="DAV:"><D:sync-token>{token}</D:sync-token><D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>"#
        )
    };
    let token = {
        let s = Server::start_in(&data, &["--demo"], &[]);
        put(&s, &format!("{CAL}a.ics"), &event("a", ""), &[]);
        let r = dav(&s, "REPORT", CAL, "0", &sync(""));
        assert_eq!(r.status, 207);
        let t = r.text();
        let start = t.find("<D:sync-token>").unwrap() + "<D:sync-token>".len();
        t[start..t[start..].find('<').unwrap() + start].to_string()
    };
    let s = Server::start_in(&data, &["--demo"], &[]);
    put(&s, &format!("{CAL}b.ics"), &event("b", ""), &[]);
    s.request("DELETE", &format!("{CAL}a.ics"), &[("Authorization", &auth())], b"");
    let r = dav(&s, "REPORT", CAL, "0", &sync(&token));
    assert_eq!(r.status, 207, "{}", r.text());
    let t = r.text();
    assert!(t.contains("b.ics") && t.contains("a.ics") && t.contains("404"), "{t}");
    assert_condition(
        &dav(&s, "REPORT", CAL, "0", &sync("http://calinvite.invalid/sync/999/1")),
        403,
        "valid-sync-token",
    );
    assert_condition(&dav(&s, "REPORT", CAL, "0", &sync("garbage")), 403, "valid-sync-token");
}

#[test]
fn another_users_calendar_is_not_found() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    let out = cli(&data, &["user", "add", "eve"], "evepw\n");
    assert!(out.status.success());
    let s = Server::start_in(&data, &["--demo"], &[]);
    let eve = basic("eve", "evepw");
    for (m, p) in [
        ("PROPFIND", CAL),
        ("GET", "/dav/calendars/demo/default/x.ics"),
        ("PROPFIND", "/dav/principals/demo/"),
    ] {
        let r = s.request(m, p, &[("Authorization", &eve), ("Depth", "0")], b"");
        assert_eq!(r.status, 404, "{m} {p}");
    }
    let r = s.request(
        "PUT",
        "/dav/calendars/demo/default/x.ics",
        &[("Authorization", &eve), ("Content-Type", "text/calendar")],
        event("x", "").as_bytes(),
    );
    assert_eq!(r.status, 404);
}
