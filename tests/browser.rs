//! The public pages in a real browser: headless Chromium driven over WebDriver
//! (chromedriver), against the real binary and a loopback SMTP server. It shows what
//! the loopback tests cannot: the forms work as a browser submits them, the
//! per-recipient link's page posts itself by script, and the viewer's time zone is
//! filled in by the page's inline script.
//!
//! The WebDriver client is the few W3C WebDriver commands this needs, over `ureq` (a
//! dependency already), rather than a client crate and its async stack.
//! Chromium and chromedriver come from Debian (`bash conformance/setup.sh`); without
//! them the test fails and says so.

mod common;

use common::*;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    })
}

struct Driver {
    child: Child,
    base: String,
    agent: ureq::Agent,
    session: String,
    _profile: tempfile::TempDir,
}

impl Driver {
    fn start() -> Driver {
        let missing = || "run `bash conformance/setup.sh` to install the Debian packages chromium and chromium-driver";
        let chromium = on_path("chromium")
            .or_else(|| on_path("chromium-browser"))
            .unwrap_or_else(|| panic!("chromium is not installed: {}", missing()));
        let chromedriver =
            on_path("chromedriver").unwrap_or_else(|| panic!("chromedriver is not installed: {}", missing()));
        let port = free_port();
        let child = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            // The viewer's zone, so the page's script has something to show.
            .env("TZ", "Asia/Tokyo")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .into();
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let ready = agent
                .get(&format!("{base}/status"))
                .call()
                .ok()
                .and_then(|mut r| r.body_mut().read_json::<Value>().ok())
                .is_some_and(|v| v["value"]["ready"] == true);
            if ready {
                break;
            }
            assert!(Instant::now() < deadline, "chromedriver did not become ready");
            std::thread::sleep(Duration::from_millis(100));
        }
        let profile = tempfile::tempdir().unwrap();
        let mut d = Driver {
            child,
            base,
            agent,
            session: String::new(),
            _profile: profile,
        };
        let args = [
            "--headless".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-quic".into(),
            "--no-first-run".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--disable-dev-shm-usage".into(),
            format!("--user-data-dir={}", d._profile.path().display()),
        ];
        let v = d.cmd(
            "POST",
            "/session",
            json!({"capabilities": {"alwaysMatch": {"browserName": "chrome",
                "goog:chromeOptions": {"binary": chromium, "args": args}}}}),
        );
        d.session = v["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {v}"))
            .to_string();
        d
    }

    fn cmd(&self, method: &str, path: &str, body: Value) -> Value {
        let url = format!("{}{path}", self.base);
        let resp = match method {
            "GET" => self.agent.get(&url).call(),
            "DELETE" => self.agent.delete(&url).call(),
            _ => self.agent.post(&url).send_json(&body),
        };
        let mut resp = resp.unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let status = resp.status().as_u16();
        let v: Value = resp.body_mut().read_json().unwrap_or(Value::Null);
        assert!(status < 300, "{method} {path}: {status} {v}");
        v["value"].clone()
    }

    fn goto(&self, url: &str) {
        self.cmd("POST", &format!("/session/{}/url", self.session), json!({ "url": url }));
    }

    fn find(&self, css: &str) -> String {
        let v = self.cmd(
            "POST",
            &format!("/session/{}/element", self.session),
            json!({"using": "css selector", "value": css}),
        );
        v[ELEMENT]
            .as_str()
            .unwrap_or_else(|| panic!("no {css}: {v}"))
            .to_string()
    }

    fn type_into(&self, css: &str, text: &str) {
        let el = self.find(css);
        self.cmd(
            "POST",
            &format!("/session/{}/element/{el}/clear", self.session),
            json!({}),
        );
        self.cmd(
            "POST",
            &format!("/session/{}/element/{el}/value", self.session),
            json!({ "text": text }),
        );
    }

    fn click(&self, css: &str) {
        let el = self.find(css);
        self.cmd(
            "POST",
            &format!("/session/{}/element/{el}/click", self.session),
            json!({}),
        );
    }

    fn source(&self) -> String {
        self.cmd("GET", &format!("/session/{}/source", self.session), Value::Null)
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    /// Waits until the page's DOM holds `needle`.
    fn wait_for(&self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let src = self.source();
            if src.contains(needle) {
                return src;
            }
            assert!(Instant::now() < deadline, "the page never showed {needle:?}:\n{src}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = self
                .agent
                .delete(&format!("{}/session/{}", self.base, self.session))
                .call();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn wait_mail(sink: &SmtpSink, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while sink.count() < n && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(sink.count(), n, "messages at the SMTP sink");
}

#[test]
fn a_browser_gets_invitations_from_the_event_page_and_a_signed_link_but_not_a_tampered_one() {
    let driver = Driver::start();
    let dir = tempfile::tempdir().unwrap();
    let sink = SmtpSink::start(&dir.path().join("mail"), &[]);
    let port = sink.port.to_string();
    let server = Server::start_in(
        &dir.path().join("data"),
        &["--demo"],
        &[
            ("CALINVITE_SMTP__HOST", "127.0.0.1"),
            ("CALINVITE_SMTP__PORT", port.as_str()),
            ("CALINVITE_MAIL__FROM", "events@invites.example.org"),
        ],
    );
    let key = server.demo_key();
    let auth = format!("Bearer {key}");
    let api = |path: &str, body: Value| -> Value {
        let r = server.request(
            "POST",
            path,
            &[("Authorization", &auth), ("Content-Type", "application/json")],
            body.to_string().as_bytes(),
        );
        assert!(r.status < 300, "{path}: {} {}", r.status, r.text());
        serde_json::from_slice(&r.body).unwrap()
    };
    let created = api(
        "/api/v1/events",
        json!({"uid": "web@example.org", "summary": "Browser derby", "start": "2030-05-04T19:00:00",
               "end": "2030-05-04T21:00:00", "time_zone": "Europe/Berlin", "location": "Stadion"}),
    );
    let code = created["events"][0]["code"].as_str().unwrap().to_string();

    // The event page: the viewer's zone is shown, the form sends.
    driver.goto(&server.url(&format!("/e/{code}")));
    let page = driver.wait_for("Browser derby");
    assert!(page.contains("2030-05-04 19:00 – 21:00 (Europe/Berlin)"), "{page}");
    driver.wait_for("(Asia/Tokyo)");
    driver.type_into("#email", "walker@example.org");
    driver.click("button[type=submit]");
    let done = driver.wait_for("data-outcome=");
    assert!(done.contains("data-outcome=\"sent\""), "{done}");
    assert!(done.contains("walker@example.org"));
    wait_mail(&sink, 1);

    // Signed links: a tampered one is refused, the real one sends by itself.
    let links = api(
        "/api/v1/links",
        json!({"uid": "web@example.org", "recipients": [{"email": "clicker@example.org", "lang": "fr"}]}),
    );
    let url = links["links"][0]["url"].as_str().unwrap().to_string();
    let tampered = url.replace("e=clicker@example.org", "e=mallory@example.org");
    assert_ne!(tampered, url);
    driver.goto(&tampered);
    let refused = driver.wait_for("data-outcome=");
    assert!(
        refused.contains("data-outcome=\"refused\"") && refused.contains("Lien non valide"),
        "{refused}"
    );
    wait_mail(&sink, 1);

    driver.goto(&url);
    let sent = driver.wait_for("data-outcome=");
    assert!(sent.contains("data-outcome=\"sent\""), "the page posted itself: {sent}");
    wait_mail(&sink, 2);
    let to: Vec<String> = sink
        .messages(&[])
        .iter()
        .map(|m| m["to"].as_str().unwrap_or("").to_string())
        .collect();
    assert!(to.iter().any(|t| t.contains("clicker@example.org")), "{to:?}");
}
