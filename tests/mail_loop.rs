//! The whole mail loop with real mail servers: calinvite sends an invitation through
//! Postfix, Dovecot delivers it to the attendee's mailbox, a scripted attendee (python's
//! imaplib, smtplib and `icalendar`) reads it and answers by mail, Postfix delivers the
//! answer to calinvite's own mailbox, and calinvite's IMAP poller picks it up. Nothing is
//! mocked: if this passes, a deployment with an ordinary IMAP account works.
//!
//! calinvite reaches Dovecot over STARTTLS, then (after a restart) over TLS, checking its
//! certificate against a test CA. Needs `dovecot` and `postfix` (installed by `bash conformance/setup.sh`) and root, as
//! CI runs; both run as private instances under a temp folder (conformance/mail/start.sh).

mod common;

use common::*;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const UID: &str = "calinvite-demo-event";
const SERVER_MAILBOX: &str = "events@invites.test";
const ALICE: &str = "alice@attendees.test";
const PROCESSED_KEYWORD: &str = "$CalinviteProcessed";

fn script(name: &str) -> String {
    format!("{}/conformance/mail/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// The private Dovecot + Postfix; stopped when dropped, whatever the test's outcome.
struct MailSystem {
    dir: PathBuf,
    smtp_port: u16,
    /// IMAP with STARTTLS (plain text allowed too, for the attendee script).
    imap_port: u16,
    /// IMAP in TLS from the first byte.
    imaps_port: u16,
    /// The CA that signed Dovecot's certificate for 127.0.0.1.
    ca_file: String,
}

impl MailSystem {
    fn start(dir: &Path) -> MailSystem {
        let missing: Vec<&str> = ["/usr/sbin/dovecot", "/usr/sbin/postfix"]
            .into_iter()
            .filter(|p| !Path::new(p).exists())
            .collect();
        assert!(
            missing.is_empty(),
            "{missing:?} not installed: run `bash conformance/setup.sh` (it installs dovecot-imapd, \
             dovecot-lmtpd and postfix)"
        );
        std::fs::create_dir_all(dir).unwrap();
        // Read up to READY only: should a daemon keep the pipe open, reading to its end would
        // never return.
        let errors = dir.join("start.stderr");
        let mut child = Command::new("bash")
            .arg(script("start.sh"))
            .arg(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&errors).unwrap())
            .spawn()
            .unwrap();
        let mut stdout = String::new();
        for line in BufReader::new(child.stdout.take().unwrap()).lines() {
            let Ok(line) = line else { break };
            stdout.push_str(&line);
            stdout.push('\n');
            if line == "READY" {
                break;
            }
        }
        let status = child.wait().unwrap();
        let port = |key: &str| -> Option<u16> {
            stdout
                .lines()
                .find_map(|l| l.strip_prefix(key))
                .and_then(|v| v.trim().parse().ok())
        };
        // Stop whatever did start even when the rest failed.
        let system = MailSystem {
            dir: dir.to_path_buf(),
            smtp_port: port("SMTP_PORT=").unwrap_or(0),
            imap_port: port("IMAP_PORT=").unwrap_or(0),
            imaps_port: port("IMAPS_PORT=").unwrap_or(0),
            ca_file: stdout
                .lines()
                .find_map(|l| l.strip_prefix("CA_FILE="))
                .unwrap_or_default()
                .to_string(),
        };
        assert!(
            status.success() && stdout.contains("READY"),
            "conformance/mail/start.sh failed ({status}):\n{stdout}\n{}",
            std::fs::read_to_string(&errors).unwrap_or_default()
        );
        system
    }

    fn logs(&self) -> String {
        let read = |p: &str| std::fs::read_to_string(self.dir.join(p)).unwrap_or_default();
        format!(
            "--- dovecot.log\n{}\n--- postfix maillog\n{}",
            read("dovecot/dovecot.log"),
            read("postfix/maillog")
        )
    }

    /// Runs conformance/mail/attendee.py and returns the JSON it prints.
    fn attendee(&self, args: &[&str]) -> Value {
        let out = Command::new(python())
            .arg(script("attendee.py"))
            .args(args)
            .arg("--imap-port")
            .arg(self.imap_port.to_string())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "attendee.py {args:?} failed: {}\n{}",
            String::from_utf8_lossy(&out.stderr),
            self.logs()
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    fn reply(&self, partstat: &str) -> Value {
        self.attendee(&[
            "reply",
            "--smtp-port",
            &self.smtp_port.to_string(),
            "--user",
            ALICE,
            "--uid",
            UID,
            "--partstat",
            partstat,
            "--expect-organizer",
            SERVER_MAILBOX,
        ])
    }

    /// Closes calinvite's IMAP connection from the server side, as a restart of Dovecot would.
    fn kick_server_mailbox(&self) {
        let conf = self.dir.join("dovecot/dovecot.conf");
        let out = Command::new("doveadm")
            .arg("-c")
            .arg(&conf)
            .args(["kick", SERVER_MAILBOX])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "doveadm kick failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Every folder of calinvite's mailbox: message-id and flags of each message.
    fn server_mailbox(&self) -> Value {
        self.attendee(&["inspect", "--user", SERVER_MAILBOX])
    }
}

impl Drop for MailSystem {
    fn drop(&mut self) {
        let _ = Command::new("bash").arg(script("stop.sh")).arg(&self.dir).status();
    }
}

/// How calinvite reaches Dovecot: STARTTLS on the IMAP port, or TLS on the IMAPS port;
/// either way the certificate is checked against the test CA (`imap.ca_file`).
fn start_calinvite(data: &Path, mail: &MailSystem, security: &str, processed_mailbox: &str) -> Server {
    let smtp_port = mail.smtp_port.to_string();
    let imap_port = match security {
        "tls" => mail.imaps_port,
        _ => mail.imap_port,
    }
    .to_string();
    Server::start_in(
        data,
        &["--demo"],
        &[
            ("CALINVITE_SMTP__HOST", "127.0.0.1"),
            ("CALINVITE_SMTP__PORT", &smtp_port),
            ("CALINVITE_SMTP__SECURITY", "none"),
            ("CALINVITE_MAIL__FROM", SERVER_MAILBOX),
            ("CALINVITE_IMAP__HOST", "127.0.0.1"),
            ("CALINVITE_IMAP__PORT", &imap_port),
            ("CALINVITE_IMAP__SECURITY", security),
            ("CALINVITE_IMAP__CA_FILE", &mail.ca_file),
            ("CALINVITE_IMAP__USERNAME", SERVER_MAILBOX),
            ("CALINVITE_IMAP__PASSWORD", "secret"),
            ("CALINVITE_IMAP__PROCESSED_MAILBOX", processed_mailbox),
        ],
    )
}

fn logs(s: &Server) -> String {
    format!(
        "--- calinvite stderr\n{}\n--- calinvite stdout\n{}",
        s.stderr.lock().unwrap(),
        s.stdout.lock().unwrap()
    )
}

fn alice(s: &Server) -> Value {
    let r = s.get(
        &format!("/api/v1/events/{UID}/recipients"),
        &[("Authorization", &basic("demo", "demo"))],
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let v: Value = serde_json::from_slice(&r.body).unwrap();
    v["items"]
        .as_array()
        .and_then(|items| items.iter().find(|i| i["email"] == ALICE).cloned())
        .unwrap_or(Value::Null)
}

/// Polls the API until alice's answer is `status`; fails with every log otherwise.
fn wait_status(s: &Server, mail: &MailSystem, status: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let r = alice(s);
        if r["status"] == status {
            return r;
        }
        if Instant::now() > deadline {
            panic!(
                "alice is not {status} within 30 s: {r}\n(the inbound log is in calinvite's log below)\n{}\n{}",
                logs(s),
                mail.logs()
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Waits until the server's log shows `text` `count` times.
fn wait_log(s: &Server, text: &str, count: usize) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while s.stderr.lock().unwrap().matches(text).count() + s.stdout.lock().unwrap().matches(text).count() < count {
        assert!(Instant::now() < deadline, "no {text:?} in the log:\n{}", logs(s));
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn count_log(s: &Server, text: &str) -> usize {
    s.stderr.lock().unwrap().matches(text).count() + s.stdout.lock().unwrap().matches(text).count()
}

fn folder<'a>(mailbox: &'a Value, name: &str) -> &'a [Value] {
    mailbox[name].as_array().map(Vec::as_slice).unwrap_or(&[])
}

fn with_id<'a>(messages: &'a [Value], message_id: &Value) -> Option<&'a Value> {
    messages.iter().find(|m| &m["message_id"] == message_id)
}

#[test]
fn an_attendee_answers_by_mail_and_the_imap_poller_records_each_answer_once() {
    let dir = tempfile::tempdir().unwrap();
    let mail = MailSystem::start(&dir.path().join("mail"));
    let data = dir.path().join("data");

    // First run, over STARTTLS: processed messages are flagged with the keyword and stay in
    // INBOX.
    let mut s = start_calinvite(&data, &mail, "starttls", "");
    let r = s.request(
        "POST",
        &format!("/api/v1/events/{UID}/invitations"),
        &[("Authorization", &basic("demo", "demo"))],
        json!({"recipients": [{"email": ALICE}]}).to_string().as_bytes(),
    );
    assert_eq!(r.status, 202, "{}", r.text());

    let accepted = mail.reply("ACCEPTED");
    assert_eq!(accepted["organizer"], SERVER_MAILBOX);
    let r = wait_status(&s, &mail, "ACCEPTED");
    assert_eq!(r["history"].as_array().map(Vec::len), Some(1), "{r}");

    // Flagged only after it was kept: the pipeline has applied it by now.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let mailbox = mail.server_mailbox();
        let message = with_id(folder(&mailbox, "INBOX"), &accepted["message_id"]).cloned();
        let flagged = message.as_ref().is_some_and(|m| {
            m["flags"]
                .as_array()
                .is_some_and(|f| f.iter().any(|f| f == PROCESSED_KEYWORD))
        });
        if flagged {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the ACCEPTED reply is not flagged {PROCESSED_KEYWORD}: {mailbox}\n{}",
            logs(&s)
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(
        count_log(&s, "IMAP message kept and marked processed"),
        1,
        "{}",
        logs(&s)
    );

    // A clean stop logs out of IMAP; the restart moves new messages to Processed and does
    // not fetch the flagged one again.
    s.signal("TERM");
    assert_eq!(s.wait_exit(Duration::from_secs(30)), Some(0), "{}", logs(&s));
    assert!(
        count_log(&s, "IMAP poller stopped") == 1,
        "the poller did not stop cleanly:\n{}",
        logs(&s)
    );
    drop(s);
    let s = start_calinvite(&data, &mail, "tls", "Processed");
    wait_log(&s, "IMAP mailbox selected", 1);
    // One full round after selecting, then nothing new must have been taken.
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(
        count_log(&s, "IMAP message kept and marked processed"),
        0,
        "the restart processed a flagged message again:\n{}",
        logs(&s)
    );

    let tentative = mail.reply("TENTATIVE");
    wait_status(&s, &mail, "TENTATIVE");

    // The server drops the connection: the poller reconnects (after 1 s) and goes on.
    mail.kick_server_mailbox();
    wait_log(&s, "IMAP session ended; reconnecting", 1);
    wait_log(&s, "IMAP mailbox selected", 2);
    let declined = mail.reply("DECLINED");
    let r = wait_status(&s, &mail, "DECLINED");
    let statuses: Vec<&str> = r["history"]
        .as_array()
        .map(|h| h.iter().filter_map(|e| e["status"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(statuses, ["ACCEPTED", "TENTATIVE", "DECLINED"], "{r}");
    let sources: Vec<&str> = r["history"]
        .as_array()
        .map(|h| h.iter().filter_map(|e| e["source"].as_str()).collect())
        .unwrap_or_default();
    assert!(sources.iter().all(|s| *s == "imap"), "{r}");

    // Moved (RFC 6851): gone from INBOX, in Processed; the flagged one stayed where it was.
    wait_log(&s, "IMAP message kept and marked processed", 2);
    let mailbox = mail.server_mailbox();
    for reply in [&tentative, &declined] {
        assert!(
            with_id(folder(&mailbox, "INBOX"), &reply["message_id"]).is_none()
                && with_id(folder(&mailbox, "Processed"), &reply["message_id"]).is_some(),
            "{} was not moved to Processed: {mailbox}",
            reply["message_id"]
        );
    }
    assert!(
        with_id(folder(&mailbox, "INBOX"), &accepted["message_id"]).is_some(),
        "{mailbox}"
    );
    assert_eq!(
        count_log(&s, "IMAP message kept and marked processed"),
        2,
        "{}",
        logs(&s)
    );

    // calinvite logged in three times (STARTTLS, then implicit TLS, then the reconnect), each
    // inside TLS, which Dovecot notes on the login line; attendee.py's own logins to look at
    // the mailbox are plain text ("secured" on loopback).
    let dovecot = std::fs::read_to_string(mail.dir.join("dovecot/dovecot.log")).unwrap_or_default();
    let tls_logins = dovecot
        .lines()
        .filter(|l| l.contains(&format!("Login: user=<{SERVER_MAILBOX}>")) && l.contains(", TLS"))
        .count();
    assert_eq!(tls_logins, 3, "{dovecot}");
}
