//! Test harness: runs the real `calinvite` binary on a loopback port and talks plain
//! HTTP/1.1 to it, so the tests see exactly what a client sees.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_calinvite");

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Runs a CLI command to completion, with `stdin` piped in.
pub fn cli(data: &Path, args: &[&str], stdin: &str) -> std::process::Output {
    let mut child = Command::new(BIN)
        .arg("--data")
        .arg(data)
        .args(args)
        .env_remove("CALINVITE_CONFIG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

pub struct Server {
    pub child: Child,
    pub addr: SocketAddr,
    pub data: PathBuf,
    pub stdout: Arc<Mutex<String>>,
    pub stderr: Arc<Mutex<String>>,
    env_tls: bool,
    _dir: Option<tempfile::TempDir>,
}

impl Server {
    /// Starts `calinvite serve --demo` on a fresh data folder.
    pub fn demo() -> Server {
        Server::start(&["--demo"], &[])
    }

    pub fn start(args: &[&str], env: &[(&str, &str)]) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let mut s = Server::start_in(&data, args, env);
        s._dir = Some(dir);
        s
    }

    pub fn start_in(data: &Path, args: &[&str], env: &[(&str, &str)]) -> Server {
        let port = free_port();
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let mut cmd = Command::new(BIN);
        cmd.arg("serve")
            .arg("--data")
            .arg(data)
            .arg("--listen")
            .arg(addr.to_string())
            .args(args)
            .env_remove("CALINVITE_CONFIG")
            .env("RUST_LOG", "info")
            // Test receivers listen on loopback; the refusal has its own test.
            .env("CALINVITE_WEBHOOKS__ALLOW_PRIVATE_ADDRESSES", "true")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().unwrap();
        let stdout = collect(child.stdout.take().unwrap());
        let stderr = collect(child.stderr.take().unwrap());
        let env_tls = env.iter().any(|(k, _)| *k == "CALINVITE_SERVER__TLS_CERT");
        let server = Server {
            env_tls,
            child,
            addr,
            data: data.to_path_buf(),
            stdout,
            stderr,
            _dir: None,
        };
        server.wait_ready();
        server
    }

    fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        let tls = self.env_tls;
        while Instant::now() < deadline {
            if tls {
                // An HTTPS server: ask curl (certificate checked by the test itself).
                let ok = Command::new("curl")
                    .args(["-sk", "-o", "/dev/null", "-w", "%{http_code}"])
                    .arg(format!("https://{}/healthz", self.addr))
                    .output()
                    .map(|o| o.stdout == b"200")
                    .unwrap_or(false);
                if ok {
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
                continue;
            }
            if let Ok(r) = try_request(self.addr, "GET", "/healthz", &[], b"")
                && r.status == 200
            {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("server did not become ready; stderr:\n{}", self.stderr.lock().unwrap());
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub fn request(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Response {
        try_request(self.addr, method, path, headers, body).unwrap()
    }

    pub fn get(&self, path: &str, headers: &[(&str, &str)]) -> Response {
        self.request("GET", path, headers, b"")
    }

    /// The demo API key printed at start.
    pub fn demo_key(&self) -> String {
        self.wait_stdout("API key         : ");
        let out = self.stdout.lock().unwrap();
        out.lines()
            .find_map(|l| l.trim().strip_prefix("API key         : ").map(str::to_string))
            .unwrap_or_else(|| panic!("no API key printed:\n{out}"))
    }

    /// Waits until the server's stdout holds `text` (a reader thread copies it over).
    pub fn wait_stdout(&self, text: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline && !self.stdout.lock().unwrap().contains(text) {
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    pub fn signal(&self, sig: &str) {
        let status = Command::new("kill")
            .arg(format!("-{sig}"))
            .arg(self.child.id().to_string())
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Waits for the process to end and returns its exit code.
    pub fn wait_exit(&mut self, within: Duration) -> Option<i32> {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            if Instant::now() > deadline {
                panic!("server did not exit within {within:?}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn collect(stream: impl Read + Send + 'static) -> Arc<Mutex<String>> {
    let buf = Arc::new(Mutex::new(String::new()));
    let b = buf.clone();
    std::thread::spawn(move || {
        let reader = BufReader::new(stream);
        for line in reader.lines().map_while(Result::ok) {
            let mut b = b.lock().unwrap();
            b.push_str(&line);
            b.push('\n');
        }
    });
    buf
}

#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

pub fn basic(user: &str, password: &str) -> String {
    use base64::Engine;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
    )
}

/// One request on its own connection (`Connection: close`).
pub fn try_request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<Response> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5))?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(body)?;
    read_response(&mut stream, method == "HEAD")
}

pub fn read_response(stream: &mut impl Read, head_only: bool) -> std::io::Result<Response> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let status: u16 = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("bad status line {line:?}")))?;
    let mut headers = Vec::new();
    loop {
        line.clear();
        reader.read_line(&mut line)?;
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((k, v)) = l.split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    let get = |n: &str| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(n))
            .map(|(_, v)| v.clone())
    };
    let mut body = Vec::new();
    if head_only {
    } else if let Some(len) = get("content-length") {
        let len: usize = len.parse().map_err(std::io::Error::other)?;
        body.resize(len, 0);
        reader.read_exact(&mut body)?;
    } else if get("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        loop {
            line.clear();
            reader.read_line(&mut line)?;
            let size = usize::from_str_radix(line.trim(), 16).map_err(std::io::Error::other)?;
            if size == 0 {
                break;
            }
            let mut chunk = vec![0; size + 2];
            reader.read_exact(&mut chunk)?;
            body.extend_from_slice(&chunk[..size]);
        }
    } else {
        reader.read_to_end(&mut body)?;
    }
    Ok(Response { status, headers, body })
}

/// The project's Python (with aiosmtpd, icalendar), installed by conformance/setup.sh.
pub fn python() -> String {
    let p = concat!(env!("CARGO_MANIFEST_DIR"), "/conformance/.venv/bin/python");
    assert!(
        std::path::Path::new(p).exists(),
        "{p} is missing: run `bash conformance/setup.sh` first"
    );
    p.to_string()
}

/// A real SMTP server (aiosmtpd) on loopback that keeps every message it accepts.
pub struct SmtpSink {
    pub child: Child,
    pub port: u16,
    pub dir: PathBuf,
    args: Vec<String>,
}

impl SmtpSink {
    pub fn start(dir: &Path, args: &[&str]) -> SmtpSink {
        let port = free_port();
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        let child = SmtpSink::spawn(port, dir, &args);
        SmtpSink {
            child,
            port,
            dir: dir.to_path_buf(),
            args,
        }
    }

    fn spawn(port: u16, dir: &Path, args: &[String]) -> Child {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/conformance/mail/smtp_sink.py");
        let mut child = Command::new(python())
            .arg(script)
            .arg("--port")
            .arg(port.to_string())
            .arg("--dir")
            .arg(dir)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(line.trim(), "ready", "smtp sink did not start");
        child
    }

    /// SIGKILL, as a crash would.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub fn restart(&mut self) {
        self.kill();
        self.child = SmtpSink::spawn(self.port, &self.dir, &self.args);
    }

    pub fn count(&self) -> usize {
        std::fs::read_dir(&self.dir)
            .unwrap()
            .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "eml"))
            .count()
    }

    /// Waits up to `within` for `n` messages, then fails unless exactly `n` arrived.
    pub fn wait_count(&self, n: usize, within: Duration) {
        let deadline = Instant::now() + within;
        while self.count() < n && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        assert_eq!(self.count(), n, "messages received");
    }

    /// The messages after the first `skip`, in arrival order, as [`messages`](Self::messages)
    /// reads them.
    pub fn after(&self, skip: usize) -> Vec<serde_json::Value> {
        let mut all = self.messages(&[]);
        all.sort_by(|a, b| a["file"].as_str().cmp(&b["file"].as_str()));
        all.split_off(skip.min(all.len()))
    }

    /// What an independent parser (python email + icalendar) sees in each message.
    pub fn messages(&self, needles: &[&str]) -> Vec<serde_json::Value> {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/conformance/mail/check_invites.py");
        let out = Command::new(python())
            .arg(script)
            .arg(&self.dir)
            .args(needles)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        match serde_json::from_slice(&out.stdout).unwrap() {
            serde_json::Value::Array(v) => v,
            other => panic!("{other}"),
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The envelope recipient of a message the sink kept (its file is `NNN-address.eml`).
pub fn rcpt(m: &serde_json::Value) -> String {
    let file = m["file"].as_str().unwrap();
    let name = file.rsplit('/').next().unwrap();
    name.split_once('-').unwrap().1.trim_end_matches(".eml").to_string()
}

/// An attendee's iMIP REPLY (`n` makes the Message-ID and DTSTAMP, so later ones win).
pub fn reply_message(uid: &str, email: &str, partstat: &str, n: usize) -> String {
    format!(
        "From: {email}\r\nTo: events@invites.example.org\r\nMessage-ID: <reply-{n}-{email}>\r\nSubject: answer\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/calendar; method=REPLY; charset=utf-8\r\n\r\n\
         BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//EN\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nUID:{uid}\r\n\
         DTSTAMP:2030010{n}T000000Z\r\nATTENDEE;PARTSTAT={partstat}:mailto:{email}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
}
