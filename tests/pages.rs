//! The public pages end to end, over loopback against the real binary with a real SMTP
//! server: event and group pages, campaign links (signed and merge-tag), rate limits,
//! repeat clicks, localization, and web RSVP links.

mod common;

use common::*;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

struct Setup {
    server: Server,
    sink: SmtpSink,
    key: String,
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
        ("CALINVITE_SMTP__RETRY_BASE_SECONDS", "1"),
    ];
    vars.extend_from_slice(env);
    let server = Server::start_in(&dir.path().join("data"), &["--demo"], &vars);
    let key = server.demo_key();
    Setup {
        server,
        sink,
        key,
        _dir: dir,
    }
}

impl Setup {
    fn api(&self, method: &str, path: &str, body: &Value) -> (u16, Value, String) {
        let r = self.server.request(
            method,
            path,
            &[
                ("Authorization", &format!("Bearer {}", self.key)),
                ("Content-Type", "application/json"),
            ],
            body.to_string().as_bytes(),
        );
        let text = r.text();
        (r.status, serde_json::from_str(&text).unwrap_or(Value::Null), text)
    }

    /// Creates an event; returns its public code.
    fn event(&self, uid: &str, summary: &str, start: &str, groups: &[&str]) -> String {
        let (status, v, text) = self.api(
            "POST",
            "/api/v1/events",
            &json!({"uid": uid, "summary": summary, "start": start, "end": start.replace("T19", "T21"),
                    "time_zone": "Europe/Berlin", "location": "Stadion", "description": "Bring a scarf",
                    "groups": groups}),
        );
        assert_eq!(status, 201, "{text}");
        v["events"][0]["code"].as_str().unwrap().to_string()
    }

    fn get(&self, path: &str, headers: &[(&str, &str)]) -> Response {
        self.server.get(path, headers)
    }

    fn post_form(&self, path: &str, form: &str) -> Response {
        self.server.request(
            "POST",
            path,
            &[("Content-Type", "application/x-www-form-urlencoded")],
            form.as_bytes(),
        )
    }

    /// Waits for `n` messages at the sink, then a little longer to see no more come.
    fn expect_mail(&self, n: usize) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.sink.count() < n && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        std::thread::sleep(Duration::from_millis(700));
        assert_eq!(self.sink.count(), n, "messages at the SMTP sink");
    }
}

fn outcome(r: &Response) -> String {
    let text = r.text();
    text.split_once("data-outcome=\"")
        .and_then(|(_, rest)| rest.split_once('"'))
        .map(|(o, _)| o.to_string())
        .unwrap_or_else(|| panic!("no outcome in {text}"))
}

/// The text a browser reads from minijinja's escapes of `/` and `'`.
fn shown(html: &str) -> String {
    html.replace("&#x2f;", "/").replace("&#x27;", "'")
}

fn path_of(url: &str) -> String {
    let rest = url.split_once("://").unwrap().1;
    format!("/{}", rest.split_once('/').unwrap().1)
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[test]
fn the_event_page_sends_once_and_a_repeat_click_says_already_sent() {
    let s = setup(&[]);
    let code = s.event("derby@example.org", "Derby <Lions>", "2030-05-04T19:00:00", &[]);
    let r = s.get(&format!("/e/{code}"), &[]);
    assert_eq!(r.status, 200);
    let page = shown(&r.text());
    assert!(page.contains("<html lang=\"en\">"), "{page}");
    assert!(page.contains("name=\"viewport\""));
    assert!(page.contains("Derby &lt;Lions&gt;"), "summary escaped: {page}");
    assert!(page.contains("2030-05-04 19:00 – 21:00 (Europe/Berlin)"), "{page}");
    assert!(page.contains("data-start=\"2030-05-04T17:00:00Z\""), "{page}");
    assert!(page.contains("Stadion") && page.contains("Bring a scarf"));
    assert!(page.contains("<label for=\"email\">Your email address</label>"));
    assert!(page.contains("You will receive one calendar invitation at this address."));
    assert!(
        !page.contains("src=\"http") && !page.contains("href=\"http"),
        "no external assets"
    );
    assert_eq!(s.sink.count(), 0, "a GET sends nothing");

    let first = s.post_form(&format!("/e/{code}"), "email=Ann%40Example.org");
    assert_eq!(first.status, 200, "{}", first.text());
    assert_eq!(outcome(&first), "sent");
    assert!(first.text().contains("ann@example.org"));
    let again = s.post_form(&format!("/e/{code}"), "email=ann%40example.org");
    assert_eq!(outcome(&again), "already");
    assert!(again.text().contains("Check your inbox"));
    s.expect_mail(1);
    let msgs = s.sink.messages(&[]);
    assert!(msgs[0]["to"].as_str().unwrap().contains("ann@example.org"));

    let bad = s.post_form(&format!("/e/{code}"), "email=not-an-address");
    assert_eq!(bad.status, 400);
    assert_eq!(s.get("/e/nosuchcode", &[]).status, 404);

    // A cancelled event is shown as cancelled, without a form, and sends nothing.
    let (status, _, _) = s.api("DELETE", "/api/v1/events/derby@example.org", &json!({}));
    assert_eq!(status, 204);
    let gone = s.get(&format!("/e/{code}"), &[]);
    assert_eq!(gone.status, 410);
    assert!(gone.text().contains("This event is cancelled.") && !gone.text().contains("<form"));
    let refused = s.post_form(&format!("/e/{code}"), "email=zed%40example.org");
    assert_eq!(refused.status, 400);
}

#[test]
fn pages_speak_german_and_japanese() {
    let s = setup(&[]);
    let code = s.event("jp@example.org", "東京ダービー", "2030-05-04T19:00:00", &["j-league"]);
    let de = s.get(&format!("/e/{code}"), &[("Accept-Language", "de-DE,de;q=0.9,en;q=0.5")]);
    let text = de.text();
    assert!(text.contains("<html lang=\"de\">"), "{text}");
    assert!(
        text.contains("Ihre E-Mail-Adresse") && text.contains("Einladung senden"),
        "{text}"
    );
    let ja = s.get(&format!("/e/{code}?lang=ja"), &[("Accept-Language", "de")]);
    let text = ja.text();
    assert!(
        text.contains("<html lang=\"ja\">") && text.contains("メールアドレス"),
        "{text}"
    );
    assert!(text.contains("東京ダービー"));
    let sent = s.post_form(&format!("/e/{code}?lang=ja"), "email=taro%40example.jp");
    assert!(sent.text().contains("完了しました"), "{}", sent.text());
    let (_, links, _) = s.api("POST", "/api/v1/links", &json!({"group": "j-league"}));
    let g = s.get(&format!("{}?lang=de", path_of(links["page"].as_str().unwrap())), &[]);
    assert!(g.text().contains("Wählen Sie die Termine"), "{}", g.text());
}

#[test]
fn a_signed_link_sends_only_on_post_and_a_tampered_one_is_refused() {
    let s = setup(&[]);
    let code = s.event("cup@example.org", "Cup final", "2030-06-01T19:00:00", &[]);
    let (status, v, text) = s.api(
        "POST",
        "/api/v1/links",
        &json!({"uid": "cup@example.org", "recipients": [
            {"email": "Bob@Example.org", "name": "Bob Brown", "lang": "de"},
            {"email": "broken"}]}),
    );
    assert_eq!(status, 200, "{text}");
    assert_eq!(v["code"], code);
    assert_eq!(v["invalid"][0]["email"], "broken");
    let url = v["links"][0]["url"].as_str().unwrap();
    assert!(
        url.contains(&format!("/i/{code}?e=bob@example.org&n=Bob%20Brown&l=de&s=")),
        "{url}"
    );
    let path = path_of(url);

    // The GET (what a scanner does) answers a self-posting page and sends nothing.
    let page = s.get(&path, &[]);
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(html.contains("id=\"autopost\"") && html.contains(".submit()"), "{html}");
    assert!(html.contains("<html lang=\"de\">"));
    assert!(html.contains("type=\"submit\""), "a button when scripts are off");

    // Tampered: another address with the same signature.
    let forged = path
        .replace("e=bob%40example.org", "e=eve%40example.org")
        .replace("e=bob@example.org", "e=eve@example.org");
    assert_ne!(forged, path);
    let r = s.get(&forged, &[]);
    assert_eq!(r.status, 403);
    assert!(r.text().contains("Link ungültig"), "{}", r.text());
    let query = path.split_once('?').unwrap().1;
    let form = query.replace("e=bob@example.org", "e=eve%40example.org");
    let r = s.post_form(&format!("/i/{code}"), &form);
    assert_eq!(r.status, 403);
    s.expect_mail(0);

    // The page's own POST sends, once.
    let r = s.post_form(&format!("/i/{code}"), query);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(outcome(&r), "sent");
    let r = s.post_form(&format!("/i/{code}"), query);
    assert_eq!(outcome(&r), "already");
    s.expect_mail(1);
    let msgs = s.sink.messages(&[]);
    assert!(msgs[0]["to"].as_str().unwrap().contains("bob@example.org"));
    assert!(
        msgs[0]["subject"].as_str().unwrap().starts_with("Einladung"),
        "{}",
        msgs[0]["subject"]
    );

    // CSV for an email platform's import.
    let r = s.server.request(
        "POST",
        "/api/v1/links",
        &[("Authorization", &format!("Bearer {}", s.key))],
        json!({"uid": "cup@example.org", "format": "csv", "recipients": [{"email": "c@example.org"}]})
            .to_string()
            .as_bytes(),
    );
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").unwrap().starts_with("text/csv"));
    let csv = r.text();
    assert!(csv.starts_with("email,name,lang,url\n"), "{csv}");
    assert!(
        csv.contains(&format!(
            "c@example.org,,,http://{}/i/{code}?e=c@example.org&n=&l=&s=",
            s.server.addr
        )),
        "{csv}"
    );
    let (status, _, _) = s.api("POST", "/api/v1/links", &json!({"recipients": []}));
    assert_eq!(status, 400);
}

#[test]
fn a_merge_tag_link_prefills_only_a_real_address() {
    let s = setup(&[]);
    let code = s.event("tag@example.org", "Open day", "2030-06-01T19:00:00", &[]);
    for tag in ["*|EMAIL|*", "{{ contact.EMAIL }}", "%%emailaddr%%"] {
        let r = s.get(&format!("/i/{code}?email={}", enc(tag)), &[]);
        assert_eq!(r.status, 200);
        let page = r.text();
        assert!(page.contains("value=\"\""), "{tag}: {page}");
        assert!(!page.contains("EMAIL") && !page.contains("emailaddr"), "{tag}");
    }
    let r = s.get(&format!("/i/{code}?email=carol%40example.org"), &[]);
    assert!(r.text().contains("value=\"carol@example.org\""), "{}", r.text());
    // The literal tag is never taken for an address.
    let r = s.post_form(&format!("/i/{code}"), &format!("email={}", enc("*|EMAIL|*")));
    assert_eq!(r.status, 400);
    let r = s.post_form(&format!("/i/{code}"), "email=carol%40example.org");
    assert_eq!(outcome(&r), "sent");
    s.expect_mail(1);
}

#[test]
fn too_many_sends_from_one_client_get_429() {
    let s = setup(&[("CALINVITE_LINKS__RATE_PER_IP_PER_MINUTE", "3")]);
    let code = s.event("rate@example.org", "Busy", "2030-06-01T19:00:00", &[]);
    for i in 0..3 {
        let r = s.post_form(&format!("/e/{code}"), &format!("email=p{i}%40example.org"));
        assert_eq!(r.status, 200, "{}", r.text());
    }
    let r = s.post_form(&format!("/e/{code}"), "email=p9%40example.org");
    assert_eq!(r.status, 429);
    assert!(r.text().contains("Too many requests"), "{}", r.text());
    assert_eq!(outcome(&r), "rate-limited");
    s.expect_mail(3);
}

#[test]
fn a_group_page_sends_every_event_or_those_ticked() {
    let s = setup(&[]);
    let a = s.event("g1@example.org", "Lions v Bears", "2030-04-01T19:00:00", &["lions"]);
    let b = s.event("g2@example.org", "Lions v Owls", "2030-04-08T19:00:00", &["lions"]);
    let c = s.event("g3@example.org", "Lions v Wolves", "2030-04-15T19:00:00", &["lions"]);
    s.event("g4@example.org", "Lions v Foxes", "2030-04-22T19:00:00", &["lions"]);
    s.event(
        "other@example.org",
        "Not in the group",
        "2030-04-02T19:00:00",
        &["tigers"],
    );
    let (status, _, _) = s.api("DELETE", "/api/v1/events/g4@example.org", &json!({}));
    assert_eq!(status, 204);
    let (status, v, text) = s.api("POST", "/api/v1/links", &json!({"group": "lions"}));
    assert_eq!(status, 200, "{text}");
    let page_path = path_of(v["page"].as_str().unwrap());
    let r = s.get(&page_path, &[]);
    assert_eq!(r.status, 200);
    let html = r.text();
    assert!(html.contains("one calendar invitation per event"), "{html}");
    for code in [&a, &b, &c] {
        assert!(html.contains(&format!("value=\"{code}\"")), "{html}");
    }
    assert!(
        html.contains("class=\"cancelled\">Lions v Foxes") && html.contains(">Cancelled<"),
        "{html}"
    );
    assert!(!html.contains("Not in the group"));
    // Earliest first.
    assert!(html.find("Lions v Bears").unwrap() < html.find("Lions v Wolves").unwrap());

    let all = s.post_form(
        &page_path,
        &format!("email=fan%40example.org&pick={a}&pick={b}&pick={c}"),
    );
    assert_eq!(outcome(&all), "sent", "{}", all.text());
    let some = s.post_form(&page_path, &format!("email=picky%40example.org&pick={b}"));
    assert_eq!(outcome(&some), "sent");
    let none = s.post_form(&page_path, "email=nobody%40example.org");
    assert_eq!(none.status, 400);
    s.expect_mail(4);

    // A signed link to the group sends every live event.
    let (_, v, _) = s.api(
        "POST",
        "/api/v1/links",
        &json!({"group": "lions", "recipients": [{"email": "x@example.org"}]}),
    );
    let url = path_of(v["links"][0]["url"].as_str().unwrap());
    let (path, query) = url.split_once('?').unwrap();
    assert_eq!(outcome(&s.post_form(path, query)), "sent");
    s.expect_mail(7);

    // A forged group code is nobody's.
    let forged = page_path.replace("/g/1.", "/g/2.");
    assert_eq!(s.get(&forged, &[]).status, 404);
    let (status, _, _) = s.api("POST", "/api/v1/links", &json!({"group": "nobody"}));
    assert_eq!(status, 404);
}

#[test]
fn an_rsvp_link_records_the_answer_on_post_only() {
    let s = setup(&[]);
    s.event("rsvp@example.org", "Season opener", "2030-04-01T19:00:00", &[]);
    let (status, _, text) = s.api(
        "POST",
        "/api/v1/webhooks",
        &json!({"url": "http://127.0.0.1:9/hook", "events": ["rsvp.changed"]}),
    );
    assert_eq!(status, 201, "{text}");
    let (status, _, text) = s.api(
        "POST",
        "/api/v1/events/rsvp@example.org/invitations",
        &json!({"recipients": [{"email": "dana@example.org", "lang": "fr"}]}),
    );
    assert_eq!(status, 202, "{text}");
    s.expect_mail(1);
    let msgs = s.sink.messages(&[]);
    let body = msgs[0]["text_body"].as_str().unwrap().to_string();
    assert!(body.contains("Peut-être: "), "{body}");
    assert!(!body.contains("PLACEHOLDER"), "the recipient's token is put in: {body}");
    let link = body
        .lines()
        .find_map(|l| l.strip_prefix("Non: "))
        .unwrap_or_else(|| panic!("no answer link in {body}"))
        .trim()
        .to_string();
    assert!(link.contains("/r/") && link.ends_with("?a=declined"), "{link}");
    let path = path_of(&link);

    let history = |s: &Setup| {
        let (_, v, _) = s.api("GET", "/api/v1/events/rsvp@example.org/recipients", &json!({}));
        v["items"][0].clone()
    };
    let page = s.get(&path, &[]);
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(html.contains("<html lang=\"fr\">"), "{html}");
    assert!(html.contains("value=\"declined\" checked"), "{html}");
    assert!(html.contains("Season opener"));
    assert_eq!(history(&s)["status"], "NEEDS-ACTION", "a GET records nothing");

    let (p, _) = path.split_once('?').unwrap();
    let r = s.post_form(p, "a=declined");
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(outcome(&r), "recorded");
    assert!(r.text().contains("Non"), "{}", r.text());
    let rec = history(&s);
    assert_eq!(rec["status"], "DECLINED");
    assert_eq!(rec["history"][0]["source"], "web");
    let r = s.post_form(p, "a=accepted");
    assert_eq!(outcome(&r), "recorded");
    assert_eq!(history(&s)["status"], "ACCEPTED");

    let (_, hooks, _) = s.api("GET", "/api/v1/webhooks", &json!({}));
    let id = hooks["items"][0]["id"].as_u64().unwrap();
    let (_, deliveries, _) = s.api("GET", &format!("/api/v1/webhooks/{id}/deliveries"), &json!({}));
    let types: Vec<&str> = deliveries["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["type"].as_str())
        .collect();
    assert_eq!(types, ["rsvp.changed", "rsvp.changed"], "{deliveries}");

    assert_eq!(s.get("/r/not-a-token?a=accepted", &[]).status, 404);
    assert_eq!(s.post_form(p, "a=maybe-not").status, 400);
}
