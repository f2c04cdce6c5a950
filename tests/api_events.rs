//! The events API against the real binary: events created from JSON and imported from a
//! season's calendar file, listed, read, edited and deleted, with the lifecycle telling
//! the right recipients over a real SMTP server, and every other organizer seeing 404.

mod common;

use common::*;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

struct Setup {
    server: Server,
    sink: SmtpSink,
    dir: tempfile::TempDir,
}

/// `--demo` (user demo/demo) plus a second organizer `other` (password `pw`), created with
/// the CLI before the server starts; mail goes to a local SMTP sink at once.
fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = cli(&data, &["user", "add", "other", "--email", "other@example.org"], "pw\n");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let sink = SmtpSink::start(&dir.path().join("mail"), &[]);
    let port = sink.port.to_string();
    let server = Server::start_in(
        &data,
        &["--demo"],
        &[
            ("CALINVITE_SMTP__HOST", "127.0.0.1"),
            ("CALINVITE_SMTP__PORT", port.as_str()),
            ("CALINVITE_MAIL__FROM", "events@invites.example.org"),
            ("CALINVITE_LIFECYCLE__SETTLE_SECONDS", "0"),
        ],
    );
    Setup { server, sink, dir }
}

fn demo() -> (&'static str, String) {
    ("Authorization", basic("demo", "demo"))
}

fn other() -> (&'static str, String) {
    ("Authorization", basic("other", "pw"))
}

fn call(s: &Server, method: &str, path: &str, auth: &(&str, String), ctype: &str, body: &[u8]) -> Response {
    s.request(method, path, &[(auth.0, &auth.1), ("Content-Type", ctype)], body)
}

fn json_of(r: &Response) -> Value {
    serde_json::from_slice(&r.body).unwrap_or_else(|e| panic!("{e}: {}", r.text()))
}

fn create(s: &Server, body: Value) -> Value {
    let r = call(
        s,
        "POST",
        "/api/v1/events",
        &demo(),
        "application/json",
        body.to_string().as_bytes(),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    json_of(&r)
}

fn get_json(s: &Server, path: &str, auth: &(&str, String)) -> (u16, Value) {
    let r = s.get(path, &[(auth.0, &auth.1)]);
    let v = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
    (r.status, v)
}

fn assert_problem(r: &Response, status: u16, needle: &str) {
    assert_eq!(r.status, status, "{}", r.text());
    assert_eq!(r.header("content-type"), Some("application/problem+json"));
    let v = json_of(r);
    assert!(v["detail"].as_str().unwrap().contains(needle), "{v}");
}

#[test]
fn json_events_are_created_read_and_invisible_to_another_organizer() {
    let t = setup();
    let s = &t.server;
    let v = create(
        s,
        json!({
            "uid": "derby-1@example.org",
            "summary": "東京ダービー 第1節",
            "start": "2027-04-03T19:00:00",
            "end": "2027-04-03T21:00:00",
            "time_zone": "Asia/Tokyo",
            "location": "国立競技場, Tokyo",
            "groups": ["j-league"],
            "custom": {"logo": "https://example.org/logo.png"},
        }),
    );
    assert_eq!(
        (v["created"].as_u64(), v["updated"].as_u64()),
        (Some(1), Some(0)),
        "{v}"
    );
    let ev = &v["events"][0];
    assert_eq!(ev["uid"], "derby-1@example.org");
    assert_eq!(ev["start"], "2027-04-03T10:00:00Z");
    assert_eq!(ev["groups"], json!(["j-league"]));
    assert!(ev["code"].as_str().is_some_and(|c| !c.is_empty()), "{ev}");
    assert!(
        ev["href"].as_str().unwrap().starts_with("/dav/calendars/demo/default/"),
        "{ev}"
    );

    let (status, got) = get_json(s, "/api/v1/events/derby-1@example.org", &demo());
    assert_eq!(status, 200, "{got}");
    assert_eq!(got["summary"], "東京ダービー 第1節");
    assert_eq!(got["start"], "2027-04-03T19:00:00+09:00");
    assert_eq!(got["end"], "2027-04-03T21:00:00+09:00");
    assert_eq!(got["time_zone"], "Asia/Tokyo");
    assert_eq!(got["location"], "国立競技場, Tokyo");
    assert_eq!(got["custom"]["logo"], "https://example.org/logo.png");
    assert_eq!(
        (got["sequence"].as_u64(), got["cancelled"].as_bool()),
        (Some(0), Some(false))
    );
    assert_eq!(
        (got["approval"].as_str(), got["calendar"].as_str()),
        (Some("inherit"), Some("default"))
    );
    assert_eq!(got["counts"]["ACCEPTED"], 0);

    let r = s.get(
        "/api/v1/events/derby-1@example.org",
        &[("Authorization", &basic("demo", "demo")), ("Accept", "text/calendar")],
    );
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").unwrap().starts_with("text/calendar"));
    assert!(r.header("etag").is_some());
    let ical = r.text().replace("\r\n ", "");
    assert!(ical.contains("DTSTART;TZID=Asia/Tokyo:20270403T190000"), "{ical}");
    assert!(
        ical.contains("BEGIN:VTIMEZONE") && ical.contains("LOCATION:国立競技場\\, Tokyo"),
        "{ical}"
    );

    // The same event as CalDAV shows it.
    let dav = s.get(
        ev["href"].as_str().unwrap(),
        &[("Authorization", &basic("demo", "demo"))],
    );
    assert_eq!(dav.status, 200);

    // An edit made on the version read goes through once; on a stale version it is a 409.
    let etag = r.header("etag").unwrap().to_string();
    let edit = |tag: &str| {
        s.request(
            "PATCH",
            "/api/v1/events/derby-1@example.org",
            &[
                ("Authorization", &basic("demo", "demo")),
                ("If-Match", tag),
                ("Content-Type", "application/json"),
            ],
            r#"{"location":"味の素スタジアム"}"#.as_bytes(),
        )
    };
    let first = edit(&etag);
    assert_eq!(first.status, 200, "{}", first.text());
    assert_eq!(json_of(&first)["location"], "味の素スタジアム");
    assert_problem(&edit(&etag), 409, "changed while this edit was made");

    let v = create(
        s,
        json!({"summary": "Golden Week cup", "start": "2027-05-03", "end": "2027-05-06"}),
    );
    let uid = v["events"][0]["uid"].as_str().unwrap().to_string();
    let (_, got) = get_json(s, &format!("/api/v1/events/{uid}"), &demo());
    assert_eq!(
        (got["all_day"].as_bool(), got["start"].as_str()),
        (Some(true), Some("2027-05-03")),
        "{got}"
    );
    assert_eq!(got["end"], "2027-05-06");

    let v = create(
        s,
        json!({"uid": "training", "summary": "Training", "start": "2027-04-06T18:00:00Z", "end": "2027-04-06T19:30:00Z",
               "rrule": "FREQ=WEEKLY;COUNT=8"}),
    );
    assert_eq!(v["events"][0]["start"], "2027-04-06T18:00:00Z");
    let (_, got) = get_json(s, "/api/v1/events/training", &demo());
    assert_eq!(got["recurring"], true);

    // The same UID again updates the event.
    let v = create(
        s,
        json!({"uid": "training", "summary": "Training (new pitch)", "start": "2027-04-06T18:00:00Z"}),
    );
    assert_eq!(
        (v["created"].as_u64(), v["updated"].as_u64()),
        (Some(0), Some(1)),
        "{v}"
    );
    let r = call(
        s,
        "PATCH",
        "/api/v1/events/training",
        &demo(),
        "application/json",
        br#"{"approval":"hold","custom":null}"#,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let v = json_of(&r);
    assert_eq!(
        (v["approval"].as_str(), v["custom"].clone()),
        (Some("hold"), json!({})),
        "{v}"
    );
    let r = call(
        s,
        "PATCH",
        "/api/v1/events/training",
        &demo(),
        "application/json",
        br#"{"approval":"sometimes"}"#,
    );
    assert_problem(&r, 400, "inherit, auto or hold");

    // Bad input: problem+json naming the fault.
    let r = call(
        s,
        "POST",
        "/api/v1/events",
        &demo(),
        "application/json",
        b"{\"summary\": ",
    );
    assert_problem(&r, 400, "not an event");
    let bad_zone = json!({"summary": "x", "start": "2027-04-03T19:00:00", "time_zone": "Mars/Olympus_Mons"});
    let r = call(
        s,
        "POST",
        "/api/v1/events",
        &demo(),
        "application/json",
        bad_zone.to_string().as_bytes(),
    );
    assert_problem(&r, 400, "Mars/Olympus_Mons");
    let no_offset = json!({"summary": "x", "start": "2027-04-03T19:00:00"});
    let r = call(
        s,
        "POST",
        "/api/v1/events",
        &demo(),
        "application/json",
        no_offset.to_string().as_bytes(),
    );
    assert_problem(&r, 400, "no offset");
    let r = call(
        s,
        "POST",
        "/api/v1/events",
        &demo(),
        "application/json",
        br#"{"summary":"x","start":"2027-04-03","colour":"red"}"#,
    );
    assert_problem(&r, 400, "colour");
    let r = call(
        s,
        "PATCH",
        "/api/v1/events/training",
        &demo(),
        "application/json",
        br#"{"time_zone":"Nowhere/City"}"#,
    );
    assert_problem(&r, 400, "Nowhere/City");

    // Another organizer: 404 everywhere, never 403.
    for (method, path) in [
        ("GET", "/api/v1/events/derby-1@example.org"),
        ("PATCH", "/api/v1/events/derby-1@example.org"),
        ("DELETE", "/api/v1/events/derby-1@example.org"),
        ("GET", "/api/v1/events/derby-1@example.org/stats"),
        ("GET", "/api/v1/events/derby-1@example.org/recipients.csv"),
        ("GET", "/api/v1/groups/j-league/stats"),
    ] {
        let r = call(
            s,
            method,
            path,
            &other(),
            "application/json",
            br#"{"summary":"mine now"}"#,
        );
        assert_eq!(r.status, 404, "{method} {path}: {}", r.text());
    }
    let (status, list) = get_json(s, "/api/v1/events", &other());
    assert_eq!(status, 200);
    assert_eq!(list["items"], json!([]));
    let (_, groups) = get_json(s, "/api/v1/groups", &other());
    assert_eq!(groups["items"], json!([]));
    // The event is still the demo organizer's, unchanged.
    let (_, got) = get_json(s, "/api/v1/events/derby-1@example.org", &demo());
    assert_eq!(got["summary"], "東京ダービー 第1節");
}

const BERLIN: &str = "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nBEGIN:STANDARD\r\nDTSTART:19701025T030000\r\n\
    TZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\n\
    BEGIN:DAYLIGHT\r\nDTSTART:19700329T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\n\
    RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n";

/// A season: `games` games a day apart from 2027-03-01 at 19:30 Berlin time, and one
/// broken game without DTSTART when `broken`.
fn season(games: usize, broken: bool, label: &str) -> String {
    let mut out = format!("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//league//EN\r\nMETHOD:PUBLISH\r\n{BERLIN}");
    let first = chrono::NaiveDate::from_ymd_opt(2027, 3, 1).unwrap();
    for i in 0..games {
        let day = first + chrono::Duration::days(i as i64);
        let d = day.format("%Y%m%d");
        out.push_str(&format!(
            "BEGIN:VEVENT\r\nUID:game-{i}@league.example\r\nDTSTAMP:20270101T000000Z\r\n\
             DTSTART;TZID=Europe/Berlin:{d}T193000\r\nDTEND;TZID=Europe/Berlin:{d}T213000\r\n\
             SUMMARY:{label} {i}: Lions vs Tigers\r\nLOCATION:Arena {i}\r\nEND:VEVENT\r\n"
        ));
    }
    if broken {
        out.push_str(
            "BEGIN:VEVENT\r\nUID:broken@league.example\r\nDTSTAMP:20270101T000000Z\r\nSUMMARY:Broken\r\nEND:VEVENT\r\n",
        );
    }
    out.push_str("END:VCALENDAR\r\n");
    out
}

fn list_all(s: &Server, query: &str) -> Vec<Value> {
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut path = format!("/api/v1/events?{query}");
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let (status, v) = get_json(s, &path, &demo());
        assert_eq!(status, 200, "{v}");
        items.extend(v["items"].as_array().unwrap().iter().cloned());
        match v["next_cursor"].as_str() {
            Some(c) => {
                cursor = Some(percent_encoding::utf8_percent_encode(c, percent_encoding::NON_ALPHANUMERIC).to_string())
            }
            None => return items,
        }
    }
}

#[test]
fn a_season_is_imported_in_one_call_and_listed_by_group_and_range() {
    let t = setup();
    let s = &t.server;
    let started = Instant::now();
    let r = call(
        s,
        "POST",
        "/api/v1/events?group=league-2027&group=lions",
        &demo(),
        "text/calendar",
        season(272, true, "Game").as_bytes(),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let v = json_of(&r);
    eprintln!("272 events imported in {:?}", started.elapsed());
    assert_eq!((v["created"].as_u64(), v["updated"].as_u64()), (Some(272), Some(0)));
    let failed = v["failed"].as_array().unwrap();
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0]["uid"], "broken@league.example");
    assert!(failed[0]["reason"].as_str().unwrap().contains("DTSTART"), "{failed:?}");
    assert_eq!(v["events"][0]["groups"], json!(["league-2027", "lions"]));

    // Paged by group: every game once, in pages of 100.
    let games = list_all(s, "group=league-2027&limit=100");
    assert_eq!(games.len(), 272);
    let mut uids: Vec<&str> = games.iter().map(|g| g["uid"].as_str().unwrap()).collect();
    uids.sort();
    uids.dedup();
    assert_eq!(uids.len(), 272);
    let (_, first) = get_json(s, "/api/v1/events?group=league-2027&limit=100", &demo());
    assert_eq!(first["items"].as_array().unwrap().len(), 100);
    assert!(first["next_cursor"].is_string());

    // 19:30 in Berlin is 18:30 UTC in March: the first ten days hold ten games.
    let march = list_all(s, "group=lions&from=2027-03-01&to=2027-03-11");
    assert_eq!(march.len(), 10, "{march:?}");
    assert_eq!(march[0]["start"], "2027-03-01T18:30:00Z");
    assert!(list_all(s, "group=nobody").is_empty());
    assert_eq!(
        list_all(s, "calendar=default").len(),
        273,
        "the demo event and the games"
    );
    let r = s.get(
        "/api/v1/events?calendar=nope",
        &[("Authorization", &basic("demo", "demo"))],
    );
    assert_eq!(r.status, 404);

    let (_, groups) = get_json(s, "/api/v1/groups", &demo());
    assert_eq!(
        groups["items"],
        json!([{"name": "league-2027", "events": 272}, {"name": "lions", "events": 272}])
    );

    // Each object holds its own VTIMEZONE, and imports are real CalDAV objects.
    let r = s.get(
        "/api/v1/events/game-7@league.example",
        &[("Authorization", &basic("demo", "demo")), ("Accept", "text/calendar")],
    );
    let body = r.text();
    assert!(
        body.contains("TZID:Europe/Berlin") && body.matches("BEGIN:VEVENT").count() == 1,
        "{body}"
    );
    assert!(!body.contains("METHOD"), "{body}");

    // Importing again updates, and keeps the groups.
    let r = call(
        s,
        "POST",
        "/api/v1/events",
        &demo(),
        "text/calendar",
        season(3, false, "Match").as_bytes(),
    );
    let v = json_of(&r);
    assert_eq!(
        (v["created"].as_u64(), v["updated"].as_u64()),
        (Some(0), Some(3)),
        "{v}"
    );
    let (_, g0) = get_json(s, "/api/v1/events/game-0@league.example", &demo());
    assert_eq!(g0["summary"], "Match 0: Lions vs Tigers");
    assert_eq!(g0["groups"], json!(["league-2027", "lions"]));

    let (status, stats) = get_json(s, "/api/v1/groups/lions/stats", &demo());
    assert_eq!(status, 200, "{stats}");
    assert_eq!(stats["events"].as_array().unwrap().len(), 272);
    assert_eq!(stats["recipients"], 0);

    // A file that is not iCalendar, and one without events.
    let r = call(s, "POST", "/api/v1/events", &demo(), "text/calendar", b"hello");
    assert_problem(&r, 400, "not a calendar file");
    let r = call(
        s,
        "POST",
        "/api/v1/events",
        &demo(),
        "text/calendar",
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n",
    );
    assert_problem(&r, 422, "no VEVENT");
}

#[test]
fn the_import_command_posts_a_file_and_fails_when_an_event_failed() {
    let t = setup();
    let key = t.server.demo_key();
    let good = t.dir.path().join("good.ics");
    std::fs::write(&good, season(5, false, "Cup")).unwrap();
    let bad = t.dir.path().join("bad.ics");
    std::fs::write(&bad, season(2, true, "Friendly")).unwrap();
    let server = t.server.url("");
    let run = |file: &std::path::Path, extra: &[&str]| {
        let mut cmd = std::process::Command::new(BIN);
        cmd.arg("import").arg(file).args(["--server", &server]).args(extra);
        cmd.env("CALINVITE_API_KEY", &key).env_remove("CALINVITE_CONFIG");
        cmd.output().unwrap()
    };
    let out = run(&good, &["--group", "cup", "--group", "spring", "--calendar", "default"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("created 5, updated 0, failed 0"), "{stdout}");
    let (_, g) = get_json(&t.server, "/api/v1/events/game-4@league.example", &demo());
    assert_eq!(g["groups"], json!(["cup", "spring"]));

    let out = run(&bad, &[]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success());
    assert!(stdout.contains("created 0, updated 2, failed 1"), "{stdout}");
    assert!(stdout.contains("broken@league.example"), "{stdout}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("1 of the events"),
        "{:?}",
        out
    );
}

/// Messages after the first `skip`, in arrival order, with their recipient.
fn after(sink: &SmtpSink, skip: usize) -> Vec<(String, Value)> {
    sink.after(skip).into_iter().map(|m| (rcpt(&m), m)).collect()
}

#[test]
fn edits_and_deletion_tell_the_right_recipients_and_answers_are_counted() {
    let t = setup();
    let s = &t.server;
    create(
        s,
        json!({"uid": "final", "summary": "Cup final", "start": "2030-05-20T18:00:00Z", "end": "2030-05-20T20:00:00Z",
               "groups": ["cup"]}),
    );
    let r = call(
        s,
        "POST",
        "/api/v1/events/final/invitations",
        &demo(),
        "application/json",
        json!({"recipients": [{"email": "yes@example.org", "name": "Ann, Lee"}, {"email": "no@example.org"}, {"email": "silent@example.org", "lang": "de"}]})
            .to_string()
            .as_bytes(),
    );
    assert_eq!(r.status, 202, "{}", r.text());
    t.sink.wait_count(3, Duration::from_secs(20));
    for (i, (email, answer)) in [("yes@example.org", "ACCEPTED"), ("no@example.org", "DECLINED")]
        .iter()
        .enumerate()
    {
        let r = call(
            s,
            "POST",
            "/api/v1/inbound",
            &demo(),
            "message/rfc822",
            reply_message("final", email, answer, i + 1).as_bytes(),
        );
        let v = json_of(&r);
        assert_eq!(v["outcome"]["kind"], "applied", "{v}");
    }

    // Groups only: nothing in the calendar changed, nobody is told.
    let r = call(
        s,
        "PATCH",
        "/api/v1/events/final",
        &demo(),
        "application/json",
        br#"{"groups":["cup","finals"],"custom":{"tv":"ZDF"}}"#,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let v = json_of(&r);
    assert_eq!(
        (v["groups"].clone(), v["custom"]["tv"].clone()),
        (json!(["cup", "finals"]), json!("ZDF"))
    );
    assert_eq!(v["sequence"], 0);
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(t.sink.count(), 3, "an insignificant edit sent mail");

    // The kick-off moves an hour: only the one who said yes hears of it, with SEQUENCE 1.
    let r = call(
        s,
        "PATCH",
        "/api/v1/events/final",
        &demo(),
        "application/json",
        br#"{"start":"2030-05-20T19:00:00Z"}"#,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let v = json_of(&r);
    assert_eq!(
        (v["start"].as_str(), v["end"].as_str()),
        (Some("2030-05-20T19:00:00Z"), Some("2030-05-20T21:00:00Z"))
    );
    assert_eq!(v["sequence"], 1);
    t.sink.wait_count(4, Duration::from_secs(20));
    let updates = after(&t.sink, 3);
    assert_eq!(updates[0].0, "yes@example.org");
    let m = &updates[0].1;
    assert_eq!(
        (m["method_param"].as_str(), m["vcal_method"].as_str()),
        (Some("REQUEST"), Some("REQUEST"))
    );
    assert_eq!(m["events"][0]["sequence"], 1);
    std::thread::sleep(Duration::from_millis(1000));
    assert_eq!(t.sink.count(), 4, "the update reached someone who did not say yes");

    // Stats: answers by kind, delivery, and answers per hour.
    let (status, stats) = get_json(s, "/api/v1/events/final/stats", &demo());
    assert_eq!(status, 200, "{stats}");
    assert_eq!(stats["recipients"], 3);
    assert_eq!(
        (
            stats["counts"]["ACCEPTED"].as_u64(),
            stats["counts"]["DECLINED"].as_u64(),
            stats["counts"]["NEEDS-ACTION"].as_u64()
        ),
        (Some(1), Some(1), Some(1))
    );
    assert_eq!(stats["delivery"]["sent"], 3, "{stats}");
    let buckets = stats["buckets"].as_array().unwrap();
    let total: u64 = buckets.iter().map(|b| b["total"].as_u64().unwrap()).sum();
    assert_eq!(total, 2, "{stats}");
    assert!(
        buckets.iter().all(|b| b["hour"].as_str().unwrap().ends_with(":00:00Z")),
        "{stats}"
    );
    let (_, group) = get_json(s, "/api/v1/groups/finals/stats", &demo());
    assert_eq!(group["counts"]["ACCEPTED"], 1);
    assert_eq!(group["events"][0]["uid"], "final");

    // The CSV: a header and one row per recipient.
    let r = s.get(
        "/api/v1/events/final/recipients.csv",
        &[("Authorization", &basic("demo", "demo"))],
    );
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").unwrap().starts_with("text/csv"));
    assert!(
        r.header("content-disposition").unwrap().starts_with("attachment"),
        "{:?}",
        r.headers
    );
    let csv = r.text();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "email,name,lang,status,delivery,answered_at,comment,occurrences"
    );
    assert_eq!(lines.len(), 4, "{csv}");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("yes@example.org,\"Ann, Lee\",,ACCEPTED,sent,20")),
        "{csv}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("silent@example.org,,de,NEEDS-ACTION,sent,,")),
        "{csv}"
    );

    // Deleted: every recipient gets a CANCEL, and the event leaves the list.
    let r = call(s, "DELETE", "/api/v1/events/final", &demo(), "application/json", b"");
    assert_eq!(r.status, 204, "{}", r.text());
    t.sink.wait_count(7, Duration::from_secs(20));
    let mut cancels = after(&t.sink, 4);
    cancels.sort_by(|a, b| a.0.cmp(&b.0));
    let who: Vec<&str> = cancels.iter().map(|(r, _)| r.as_str()).collect();
    assert_eq!(who, ["no@example.org", "silent@example.org", "yes@example.org"]);
    for (_, m) in &cancels {
        assert_eq!(m["vcal_method"], "CANCEL");
        assert_eq!(m["events"][0]["sequence"], 2);
    }
    let (_, got) = get_json(s, "/api/v1/events/final", &demo());
    assert_eq!(got["cancelled"], true);
    assert!(list_all(s, "group=cup").is_empty());
    let r = call(s, "DELETE", "/api/v1/events/final", &demo(), "application/json", b"");
    assert_eq!(r.status, 410);
}
