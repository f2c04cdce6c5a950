//! LMTP listener (RFC 2033), so Postfix or another MTA can hand mail straight to calinvite.
//!
//! LMTP rather than SMTP because the MTA keeps the queue: we never accept a message we have
//! not durably stored, and RFC 2033 §4.2 lets us answer once per recipient after DATA, so the
//! MTA retries or bounces exactly what we could not take. Parsing (`parse_command`) is pure and
//! tested with plain values; the session loop only moves bytes and replies.
//!
//! Memory stays bounded on hostile input: command lines are capped (RFC 5321 §4.5.3.1.4) and a
//! message body is never buffered past `max_message_bytes` — an oversize body is read to its end
//! and discarded, then refused per recipient.

// Until main.rs starts `serve`, nothing outside the tests reaches this module.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, BufWriter};
use tokio::net::TcpListener;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tracing::Instrument;

/// Where accepted messages go.
#[async_trait::async_trait]
pub trait Deliver: Send + Sync + 'static {
    /// Stores one message for the listed recipients. Ok only once the message is durably kept.
    async fn deliver(&self, raw: Vec<u8>, mail_from: &str, recipients: &[String]) -> Result<(), DeliverError>;
}

/// Why a delivery failed. calinvite keeps every message it can store (even one it will
/// quarantine), so the only failure is a temporary one: the MTA retries (4xx).
#[derive(Debug, thiserror::Error)]
pub enum DeliverError {
    #[error("{0}")]
    Temporary(String),
}

pub struct LmtpConfig {
    /// Named in the greeting and the LHLO reply.
    pub hostname: String,
    /// Largest message body (after dot-unstuffing) we accept; advertised as SIZE (RFC 1870).
    pub max_message_bytes: usize,
    /// Recipients per transaction; more get 452 (RFC 5321 §4.5.3.1.10).
    pub max_recipients: usize,
    /// A session silent this long is closed with 421.
    pub idle_timeout: Duration,
}

/// RFC 5321 §4.5.3.1.4: a command line is at most 512 octets; we allow up to 1000 (the text
/// line limit, §4.5.3.1.6) to be lenient with long parameter lists.
const MAX_COMMAND_LINE: usize = 1000;
/// Cap on one body line kept in memory while the message is still within size.
const MAX_BODY_LINE_SLACK: usize = 1000;

/// Accepts connections until `stop` turns true (or its sender goes away), then stops accepting
/// and waits for open sessions: each finishes its current transaction and closes.
pub async fn serve(
    listener: TcpListener,
    config: LmtpConfig,
    deliver: Arc<dyn Deliver>,
    mut stop: watch::Receiver<bool>,
) {
    let config = Arc::new(config);
    let mut sessions = JoinSet::new();
    loop {
        if *stop.borrow_and_update() {
            break;
        }
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let span = tracing::info_span!("lmtp_session", %peer);
                    let session = Session::new(stream, peer, config.clone(), deliver.clone(), stop.clone());
                    sessions.spawn(session.run().instrument(span));
                }
                Err(error) => {
                    // Usually out of file descriptors; back off instead of spinning.
                    tracing::warn!(%error, "lmtp accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
            changed = stop.changed() => {
                if changed.is_err() {
                    break;
                }
            }
            Some(joined) = sessions.join_next(), if !sessions.is_empty() => {
                if let Err(error) = joined {
                    tracing::error!(%error, "lmtp session task failed");
                }
            }
        }
    }
    drop(listener);
    tracing::info!(open = sessions.len(), "lmtp listener stopped accepting");
    while let Some(joined) = sessions.join_next().await {
        if let Err(error) = joined {
            tracing::error!(%error, "lmtp session task failed");
        }
    }
}

/// One parsed command line.
#[derive(Debug, PartialEq, Eq)]
enum Command {
    Lhlo(String),
    /// HELO/EHLO: RFC 2033 §4.1 says an LMTP server must not accept them.
    SmtpGreeting,
    Mail {
        from: String,
        size: Option<u64>,
    },
    Rcpt(String),
    Data,
    Rset,
    Noop,
    Quit,
    Vrfy,
    /// A known verb with bad arguments: 501 (or 555 for parameters), with this text.
    Syntax(u16, &'static str, &'static str),
    Unknown,
}

/// Parses one command line (without its line ending). Never panics on arbitrary bytes.
fn parse_command(line: &[u8]) -> Command {
    let Ok(line) = std::str::from_utf8(line) else {
        return Command::Unknown;
    };
    let (verb, rest) = match line.find(' ') {
        Some(i) => (&line[..i], line[i + 1..].trim()),
        None => (line, ""),
    };
    match verb.to_ascii_uppercase().as_str() {
        "LHLO" if rest.is_empty() => Command::Syntax(501, "5.5.4", "LHLO needs a domain"),
        "LHLO" => Command::Lhlo(rest.to_string()),
        "HELO" | "EHLO" => Command::SmtpGreeting,
        "MAIL" => parse_mail(rest),
        "RCPT" => parse_rcpt(rest),
        "DATA" if rest.is_empty() => Command::Data,
        "DATA" => Command::Syntax(501, "5.5.4", "DATA takes no arguments"),
        "RSET" if rest.is_empty() => Command::Rset,
        "RSET" => Command::Syntax(501, "5.5.4", "RSET takes no arguments"),
        // RFC 5321 §4.1.1.9: NOOP may carry a string, which is ignored.
        "NOOP" => Command::Noop,
        "QUIT" if rest.is_empty() => Command::Quit,
        "QUIT" => Command::Syntax(501, "5.5.4", "QUIT takes no arguments"),
        "VRFY" => Command::Vrfy,
        _ => Command::Unknown,
    }
}

/// Splits `<path> params` after the `FROM:`/`TO:` keyword. RFC 5321 §4.1.2 forbids a space
/// after the colon, but enough clients send one that we accept it.
fn split_path<'a>(rest: &'a str, keyword: &str) -> Option<(&'a str, &'a str)> {
    let head = rest.get(..keyword.len())?;
    if !head.eq_ignore_ascii_case(keyword) {
        return None;
    }
    let after = rest.get(keyword.len()..)?.trim_start();
    let after = after.strip_prefix('<')?;
    let end = after.find('>')?;
    let path = &after[..end];
    let params = after[end + 1..].trim();
    if path.chars().any(|c| c.is_control() || c == ' ' || c == '<') {
        return None;
    }
    // A path must be separated from its parameters by a space.
    if !params.is_empty() && !after[end + 1..].starts_with(' ') {
        return None;
    }
    Some((path, params))
}

/// Drops an RFC 5321 §4.1.2 source route (`@a,@b:user@c`), which §C says to accept and ignore.
fn strip_source_route(path: &str) -> &str {
    if path.starts_with('@') {
        path.split_once(':').map_or(path, |(_, mailbox)| mailbox)
    } else {
        path
    }
}

fn parse_mail(rest: &str) -> Command {
    let Some((path, params)) = split_path(rest, "FROM:") else {
        return Command::Syntax(501, "5.5.4", "Syntax: MAIL FROM:<address>");
    };
    let mut size = None;
    for param in params.split_ascii_whitespace() {
        let (key, value) = param.split_once('=').unwrap_or((param, ""));
        match key.to_ascii_uppercase().as_str() {
            // RFC 1870 §6.2
            "SIZE" => match value.parse::<u64>() {
                Ok(n) => size = Some(n),
                Err(_) => return Command::Syntax(501, "5.5.4", "SIZE needs a number"),
            },
            // RFC 6152 §2: we take 8-bit bodies as opaque bytes.
            "BODY" if value.eq_ignore_ascii_case("7BIT") || value.eq_ignore_ascii_case("8BITMIME") => {}
            // RFC 5321 §4.1.1.11: unrecognised parameters get 555.
            _ => return Command::Syntax(555, "5.5.4", "Unsupported MAIL parameter"),
        }
    }
    Command::Mail {
        from: strip_source_route(path).to_string(),
        size,
    }
}

fn parse_rcpt(rest: &str) -> Command {
    let Some((path, params)) = split_path(rest, "TO:") else {
        return Command::Syntax(501, "5.5.4", "Syntax: RCPT TO:<address>");
    };
    if !params.is_empty() {
        return Command::Syntax(555, "5.5.4", "Unsupported RCPT parameter");
    }
    let mailbox = strip_source_route(path);
    if mailbox.is_empty() {
        return Command::Syntax(501, "5.1.3", "Empty recipient address");
    }
    Command::Rcpt(mailbox.to_string())
}

/// What one bounded line read produced.
enum Line {
    /// The line's bytes, including its `\n` (absent only on a final unterminated line).
    Full(Vec<u8>),
    /// The line was longer than allowed; it has been read and discarded.
    TooLong,
    Eof,
}

/// Why a session ends early.
enum Closed {
    /// The peer went away or the socket failed; nothing more to say.
    Gone,
    /// The peer was silent for the idle timeout.
    Idle,
}

struct Session {
    reader: BufReader<OwnedReadHalf>,
    writer: BufWriter<OwnedWriteHalf>,
    peer: SocketAddr,
    config: Arc<LmtpConfig>,
    deliver: Arc<dyn Deliver>,
    stop: watch::Receiver<bool>,
    greeted: bool,
    mail_from: Option<String>,
    recipients: Vec<String>,
}

impl Session {
    fn new(
        stream: tokio::net::TcpStream,
        peer: SocketAddr,
        config: Arc<LmtpConfig>,
        deliver: Arc<dyn Deliver>,
        stop: watch::Receiver<bool>,
    ) -> Self {
        let (read, write) = stream.into_split();
        Session {
            reader: BufReader::new(read),
            writer: BufWriter::new(write),
            peer,
            config,
            deliver,
            stop,
            greeted: false,
            mail_from: None,
            recipients: Vec::new(),
        }
    }

    async fn run(mut self) {
        tracing::debug!(peer = %self.peer, "lmtp session opened");
        match self.converse().await {
            Ok(()) => {}
            Err(Closed::Gone) => tracing::debug!("lmtp peer went away"),
            Err(Closed::Idle) => {
                tracing::info!("lmtp session idle, closing");
                let text = format!("421 4.4.2 {} Idle timeout, closing connection", self.config.hostname);
                let _ = self.reply(&text).await;
            }
        }
        let _ = self.writer.flush().await;
        let _ = self.writer.shutdown().await;
    }

    async fn converse(&mut self) -> Result<(), Closed> {
        let greeting = format!("220 {} LMTP calinvite ready", self.config.hostname);
        self.reply(&greeting).await?;
        loop {
            let line = if self.mail_from.is_none() {
                // Between transactions a stop request ends the session; inside one we finish.
                if *self.stop.borrow() {
                    return self.shutting_down().await;
                }
                let mut stop = self.stop.clone();
                tokio::select! {
                    line = self.read_line(MAX_COMMAND_LINE) => line?,
                    () = async { let _ = stop.wait_for(|stopping| *stopping).await; } => return self.shutting_down().await,
                }
            } else {
                self.read_line(MAX_COMMAND_LINE).await?
            };
            let line = match line {
                Line::Eof => return Ok(()),
                Line::TooLong => {
                    self.reply("500 5.5.2 Line too long").await?;
                    continue;
                }
                Line::Full(line) => line,
            };
            let command = parse_command(trim_line_ending(&line));
            if self.apply(command).await? {
                return Ok(());
            }
        }
    }

    async fn shutting_down(&mut self) -> Result<(), Closed> {
        let text = format!("421 4.3.2 {} Service shutting down", self.config.hostname);
        self.reply(&text).await
    }

    /// Runs one command; true when the session should end.
    async fn apply(&mut self, command: Command) -> Result<bool, Closed> {
        match command {
            Command::Lhlo(domain) => {
                tracing::debug!(%domain, "LHLO");
                // RFC 2033 §4.1 / RFC 5321 §4.1.4: LHLO resets any transaction.
                self.reset();
                self.greeted = true;
                let text = format!(
                    "250-{}\r\n250-PIPELINING\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250 SIZE {}",
                    self.config.hostname, self.config.max_message_bytes
                );
                self.reply(&text).await?;
            }
            Command::SmtpGreeting => {
                // RFC 2033 §4.1: HELO and EHLO are not LMTP commands.
                self.reply("500 5.5.1 This is an LMTP server, use LHLO").await?;
            }
            Command::Mail { from, size } => {
                if !self.greeted {
                    self.reply("503 5.5.1 Send LHLO first").await?;
                } else if self.mail_from.is_some() {
                    // RFC 5321 §4.1.4: MAIL inside a transaction is a sequence error.
                    self.reply("503 5.5.1 Nested MAIL command").await?;
                } else if size.is_some_and(|n| n > self.config.max_message_bytes as u64) {
                    // RFC 1870 §6.3
                    self.reply("552 5.3.4 Message size exceeds fixed maximum message size")
                        .await?;
                } else {
                    self.mail_from = Some(from);
                    self.reply("250 2.1.0 Sender OK").await?;
                }
            }
            Command::Rcpt(to) => {
                if self.mail_from.is_none() {
                    self.reply("503 5.5.1 Need MAIL before RCPT").await?;
                } else if self.recipients.len() >= self.config.max_recipients {
                    // RFC 5321 §4.5.3.1.10
                    self.reply("452 4.5.3 Too many recipients").await?;
                } else {
                    self.recipients.push(to);
                    self.reply("250 2.1.5 Recipient OK").await?;
                }
            }
            Command::Data => {
                if self.mail_from.is_none() {
                    self.reply("503 5.5.1 Need MAIL command").await?;
                } else if self.recipients.is_empty() {
                    // RFC 2033 §4.2: DATA with no accepted recipient gets 503.
                    self.reply("503 5.5.1 No valid recipients").await?;
                } else {
                    self.data().await?;
                }
            }
            Command::Rset => {
                self.reset();
                self.reply("250 2.0.0 OK").await?;
            }
            Command::Noop => self.reply("250 2.0.0 OK").await?,
            // RFC 5321 §3.5.3: 252 when we will not verify but would accept.
            Command::Vrfy => {
                self.reply("252 2.5.0 Cannot VRFY user, but will accept message")
                    .await?
            }
            Command::Quit => {
                let text = format!("221 2.0.0 {} closing connection", self.config.hostname);
                self.reply(&text).await?;
                return Ok(true);
            }
            Command::Syntax(code, enhanced, text) => {
                self.reply(&format!("{code} {enhanced} {text}")).await?;
            }
            Command::Unknown => self.reply("500 5.5.2 Command not recognized").await?,
        }
        Ok(false)
    }

    fn reset(&mut self) {
        self.mail_from = None;
        self.recipients.clear();
    }

    /// RFC 5321 §4.1.1.4 DATA, then RFC 2033 §4.2: one reply per accepted recipient, in order.
    async fn data(&mut self) -> Result<(), Closed> {
        self.reply("354 Start mail input; end with <CRLF>.<CRLF>").await?;
        let max = self.config.max_message_bytes;
        let mut body = Vec::new();
        let mut oversize = false;
        loop {
            let cap = if oversize {
                MAX_BODY_LINE_SLACK
            } else {
                (max - body.len()).saturating_add(MAX_BODY_LINE_SLACK)
            };
            let line = match self.read_line(cap).await? {
                // Peer vanished mid-message: nothing was accepted, nothing delivered.
                Line::Eof => return Err(Closed::Gone),
                Line::TooLong => {
                    oversize = true;
                    body = Vec::new();
                    continue;
                }
                Line::Full(line) => line,
            };
            let content = trim_line_ending(&line);
            if content == b"." {
                break;
            }
            if oversize {
                continue;
            }
            // RFC 5321 §4.5.2: remove one leading dot.
            let content = content.strip_prefix(b".").unwrap_or(content);
            body.extend_from_slice(content);
            // Bare LF is tolerated and stored as CRLF so the kept message is canonical.
            body.extend_from_slice(b"\r\n");
            if body.len() > max {
                oversize = true;
                body = Vec::new();
            }
        }
        let recipients = std::mem::take(&mut self.recipients);
        let mail_from = self.mail_from.take().unwrap_or_default();
        let count = recipients.len();
        if oversize {
            tracing::info!(%mail_from, recipients = count, max, "lmtp message too big, refused");
            for _ in 0..count {
                self.reply("552 5.3.4 Message too big for system").await?;
            }
            return Ok(());
        }
        let bytes = body.len();
        let reply = match self.deliver.deliver(body, &mail_from, &recipients).await {
            Ok(()) => {
                tracing::info!(%mail_from, recipients = count, bytes, "lmtp message delivered");
                "250 2.0.0 Message accepted for delivery".to_string()
            }
            Err(DeliverError::Temporary(reason)) => {
                tracing::warn!(%mail_from, %reason, "lmtp delivery failed temporarily");
                "451 4.3.0 Temporary failure storing message, try again later".to_string()
            }
        };
        for _ in 0..count {
            self.reply(&reply).await?;
        }
        Ok(())
    }

    /// Reads one line of at most `max` bytes (ending included). Flushes pending replies first
    /// whenever no more client input is buffered, so pipelined commands (RFC 2920) get their
    /// replies batched while a waiting client is never left without an answer.
    async fn read_line(&mut self, max: usize) -> Result<Line, Closed> {
        let timeout = self.config.idle_timeout;
        let mut line = Vec::new();
        let mut too_long = false;
        loop {
            if self.reader.buffer().is_empty() {
                self.writer.flush().await.map_err(|_| Closed::Gone)?;
            }
            let available = match tokio::time::timeout(timeout, self.reader.fill_buf()).await {
                Err(_) => return Err(Closed::Idle),
                Ok(Err(_)) => return Err(Closed::Gone),
                Ok(Ok(available)) => available,
            };
            if available.is_empty() {
                return Ok(if too_long {
                    Line::TooLong
                } else if line.is_empty() {
                    Line::Eof
                } else {
                    Line::Full(line)
                });
            }
            let (chunk, done) = match available.iter().position(|&b| b == b'\n') {
                Some(i) => (&available[..=i], true),
                None => (available, false),
            };
            let used = chunk.len();
            if !too_long {
                if line.len() + chunk.len() > max {
                    too_long = true;
                    line = Vec::new();
                } else {
                    line.extend_from_slice(chunk);
                }
            }
            self.reader.consume(used);
            if done {
                return Ok(if too_long { Line::TooLong } else { Line::Full(line) });
            }
        }
    }

    /// Queues one reply (possibly multi-line, joined by CRLF); `read_line` flushes it.
    async fn reply(&mut self, text: &str) -> Result<(), Closed> {
        self.writer.write_all(text.as_bytes()).await.map_err(|_| Closed::Gone)?;
        self.writer.write_all(b"\r\n").await.map_err(|_| Closed::Gone)
    }
}

fn trim_line_ending(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;
    use tokio::io::AsyncReadExt;
    use tokio::net::TcpStream;

    type Call = (Vec<u8>, String, Vec<String>);

    /// Records every delivery and answers with a fixed outcome.
    struct Recorder {
        calls: Mutex<Vec<Call>>,
        outcome: fn() -> Result<(), DeliverError>,
    }

    #[async_trait::async_trait]
    impl Deliver for Recorder {
        async fn deliver(&self, raw: Vec<u8>, mail_from: &str, recipients: &[String]) -> Result<(), DeliverError> {
            self.calls.lock().unwrap_or_else(|p| p.into_inner()).push((
                raw,
                mail_from.to_string(),
                recipients.to_vec(),
            ));
            (self.outcome)()
        }
    }

    struct Harness {
        addr: SocketAddr,
        recorder: Arc<Recorder>,
        stop: watch::Sender<bool>,
        server: tokio::task::JoinHandle<()>,
    }

    impl Harness {
        fn calls(&self) -> Vec<Call> {
            self.recorder.calls.lock().unwrap_or_else(|p| p.into_inner()).clone()
        }
    }

    async fn start_with(outcome: fn() -> Result<(), DeliverError>, max_bytes: usize, idle: Duration) -> Harness {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let recorder = Arc::new(Recorder {
            calls: Mutex::new(Vec::new()),
            outcome,
        });
        let (stop, stop_rx) = watch::channel(false);
        let config = LmtpConfig {
            hostname: "lmtp.test".to_string(),
            max_message_bytes: max_bytes,
            max_recipients: 2,
            idle_timeout: idle,
        };
        let server = tokio::spawn(serve(listener, config, recorder.clone(), stop_rx));
        Harness {
            addr,
            recorder,
            stop,
            server,
        }
    }

    async fn start() -> Harness {
        start_with(|| Ok(()), 1000, Duration::from_secs(10)).await
    }

    struct Client {
        reader: BufReader<OwnedReadHalf>,
        writer: OwnedWriteHalf,
    }

    impl Client {
        async fn connect(addr: SocketAddr) -> Client {
            let (read, writer) = TcpStream::connect(addr).await.unwrap().into_split();
            let mut client = Client {
                reader: BufReader::new(read),
                writer,
            };
            assert_eq!(client.line().await, "220 lmtp.test LMTP calinvite ready");
            client
        }

        async fn send(&mut self, bytes: &[u8]) {
            self.writer.write_all(bytes).await.unwrap();
        }

        async fn line(&mut self) -> String {
            let mut line = String::new();
            tokio::time::timeout(Duration::from_secs(5), self.reader.read_line(&mut line))
                .await
                .expect("reply in time")
                .unwrap();
            line.trim_end_matches("\r\n").to_string()
        }

        /// Reads one (possibly multi-line) reply and returns its last line.
        async fn reply(&mut self) -> String {
            loop {
                let line = self.line().await;
                if line.as_bytes().get(3) != Some(&b'-') {
                    return line;
                }
            }
        }

        async fn command(&mut self, command: &str) -> String {
            self.send(format!("{command}\r\n").as_bytes()).await;
            self.reply().await
        }

        async fn lhlo(&mut self) {
            assert_eq!(self.command("LHLO client.test").await, "250 SIZE 1000");
        }

        async fn closed(&mut self) -> bool {
            let mut rest = Vec::new();
            matches!(
                tokio::time::timeout(Duration::from_secs(5), self.reader.read_to_end(&mut rest)).await,
                Ok(Ok(0))
            )
        }
    }

    #[tokio::test]
    async fn two_recipients_get_two_replies_and_one_delivery_with_exact_bytes() {
        let h = start().await;
        let mut c = Client::connect(h.addr).await;
        c.send(b"LHLO client.test\r\n").await;
        assert_eq!(c.line().await, "250-lmtp.test");
        assert_eq!(c.line().await, "250-PIPELINING");
        assert_eq!(c.line().await, "250-ENHANCEDSTATUSCODES");
        assert_eq!(c.line().await, "250-8BITMIME");
        assert_eq!(c.line().await, "250 SIZE 1000");
        assert!(
            c.command("MAIL FROM:<alice@example.org> SIZE=40 BODY=8BITMIME")
                .await
                .starts_with("250 2.1.0")
        );
        assert!(c.command("RCPT TO:<bob@example.org>").await.starts_with("250 2.1.5"));
        assert!(c.command("RCPT TO:<carol@example.org>").await.starts_with("250 2.1.5"));
        assert!(c.command("DATA").await.starts_with("354"));
        c.send(b"Subject: hi\r\n\r\n..leading dot\r\nbare lf\n.\r\n").await;
        assert!(c.line().await.starts_with("250 2.0.0"));
        assert!(c.line().await.starts_with("250 2.0.0"));
        assert_eq!(c.command("QUIT").await, "221 2.0.0 lmtp.test closing connection");
        assert!(c.closed().await);
        let calls = h.calls();
        assert_eq!(calls.len(), 1);
        assert_eq!(calls[0].0, b"Subject: hi\r\n\r\n.leading dot\r\nbare lf\r\n".to_vec());
        assert_eq!(calls[0].1, "alice@example.org");
        assert_eq!(
            calls[0].2,
            vec!["bob@example.org".to_string(), "carol@example.org".to_string()]
        );
    }

    #[tokio::test]
    async fn pipelined_commands_are_answered_in_order() {
        let h = start().await;
        let mut c = Client::connect(h.addr).await;
        c.send(b"LHLO client.test\r\nMAIL FROM:<>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n")
            .await;
        assert_eq!(c.reply().await, "250 SIZE 1000");
        assert!(c.reply().await.starts_with("250 2.1.0"));
        assert!(c.reply().await.starts_with("250 2.1.5"));
        assert!(c.reply().await.starts_with("354"));
        c.send(b"body\r\n.\r\nNOOP\r\nQUIT\r\n").await;
        assert!(c.reply().await.starts_with("250 2.0.0 Message"));
        assert!(c.reply().await.starts_with("250 2.0.0 OK"));
        assert!(c.reply().await.starts_with("221"));
        let calls = h.calls();
        assert_eq!(calls.len(), 1);
        assert_eq!(calls[0].1, "");
    }

    #[tokio::test]
    async fn temporary_failure_answers_451_for_each_recipient() {
        let h = start_with(
            || Err(DeliverError::Temporary("disk full".into())),
            1000,
            Duration::from_secs(10),
        )
        .await;
        let mut c = Client::connect(h.addr).await;
        c.lhlo().await;
        c.command("MAIL FROM:<a@example.org>").await;
        c.command("RCPT TO:<b@example.org>").await;
        c.command("RCPT TO:<c@example.org>").await;
        c.command("DATA").await;
        c.send(b"x\r\n.\r\n").await;
        assert!(c.line().await.starts_with("451 4.3.0"));
        assert!(c.line().await.starts_with("451 4.3.0"));
        assert!(c.command("NOOP").await.starts_with("250"));
        assert_eq!(h.calls().len(), 1);
    }

    #[tokio::test]
    async fn oversize_message_is_read_to_the_end_refused_with_552_and_not_delivered() {
        let h = start_with(|| Ok(()), 100, Duration::from_secs(10)).await;
        let mut c = Client::connect(h.addr).await;
        c.command("LHLO client.test").await;
        c.command("MAIL FROM:<a@example.org>").await;
        c.command("RCPT TO:<b@example.org>").await;
        c.command("RCPT TO:<c@example.org>").await;
        c.command("DATA").await;
        let long_line = vec![b'a'; 5000];
        c.send(&long_line).await;
        c.send(b"\r\nshort\r\n").await;
        for _ in 0..50 {
            c.send(b"more lines of text\r\n").await;
        }
        c.send(b".\r\n").await;
        assert!(c.line().await.starts_with("552 5.3.4"));
        assert!(c.line().await.starts_with("552 5.3.4"));
        // The session is still usable afterwards.
        assert!(c.command("NOOP").await.starts_with("250"));
        assert!(h.calls().is_empty());
    }

    #[tokio::test]
    async fn declared_size_over_the_limit_is_refused_at_mail() {
        let h = start().await;
        let mut c = Client::connect(h.addr).await;
        c.lhlo().await;
        assert!(
            c.command("MAIL FROM:<a@example.org> SIZE=1001")
                .await
                .starts_with("552 5.3.4")
        );
        assert!(c.command("RCPT TO:<b@example.org>").await.starts_with("503"));
    }

    #[tokio::test]
    async fn commands_out_of_sequence_get_503() {
        let h = start().await;
        let mut c = Client::connect(h.addr).await;
        assert!(c.command("MAIL FROM:<a@example.org>").await.starts_with("503 5.5.1"));
        c.lhlo().await;
        assert!(c.command("RCPT TO:<b@example.org>").await.starts_with("503 5.5.1"));
        assert!(c.command("DATA").await.starts_with("503 5.5.1"));
        c.command("MAIL FROM:<a@example.org>").await;
        assert!(c.command("DATA").await.starts_with("503 5.5.1"));
        assert!(c.command("MAIL FROM:<a@example.org>").await.starts_with("503 5.5.1"));
    }

    #[tokio::test]
    async fn helo_and_ehlo_are_refused_with_500() {
        let h = start().await;
        let mut c = Client::connect(h.addr).await;
        assert!(c.command("EHLO client.test").await.starts_with("500 5.5.1"));
        assert!(c.command("HELO client.test").await.starts_with("500 5.5.1"));
        assert!(c.command("VRFY bob").await.starts_with("252"));
    }

    #[tokio::test]
    async fn recipients_beyond_the_limit_get_452() {
        let h = start().await;
        let mut c = Client::connect(h.addr).await;
        c.lhlo().await;
        c.command("MAIL FROM:<a@example.org>").await;
        assert!(c.command("RCPT TO:<b@example.org>").await.starts_with("250"));
        assert!(c.command("RCPT TO:<c@example.org>").await.starts_with("250"));
        assert!(c.command("RCPT TO:<d@example.org>").await.starts_with("452 4.5.3"));
        c.command("DATA").await;
        c.send(b"x\r\n.\r\n").await;
        assert!(c.line().await.starts_with("250"));
        assert!(c.line().await.starts_with("250"));
        assert_eq!(h.calls()[0].2.len(), 2);
    }

    #[tokio::test]
    async fn rset_clears_the_transaction() {
        let h = start().await;
        let mut c = Client::connect(h.addr).await;
        c.lhlo().await;
        c.command("MAIL FROM:<a@example.org>").await;
        c.command("RCPT TO:<b@example.org>").await;
        assert!(c.command("RSET").await.starts_with("250"));
        assert!(c.command("DATA").await.starts_with("503"));
        assert!(c.command("RCPT TO:<b@example.org>").await.starts_with("503"));
        assert!(c.command("MAIL FROM:<a@example.org>").await.starts_with("250"));
    }

    #[tokio::test]
    async fn garbage_and_overlong_lines_get_500_and_the_session_survives() {
        let h = start().await;
        let mut c = Client::connect(h.addr).await;
        c.send(b"\xff\xfe\x00\x80 MAIL\r\n").await;
        assert!(c.reply().await.starts_with("500"));
        c.send(b"\r\n").await;
        assert!(c.reply().await.starts_with("500"));
        c.send(&vec![b'X'; 5000]).await;
        c.send(b"\r\n").await;
        assert_eq!(c.reply().await, "500 5.5.2 Line too long");
        c.lhlo().await;
        assert!(
            c.command("MAIL FROM:<a@exa\u{e9}mple.org> SIZE=abc")
                .await
                .starts_with("501")
        );
        assert!(c.command("MAIL FROM:a@example.org").await.starts_with("501"));
        assert!(c.command("MAIL FROM:<a@example.org> FOO=1").await.starts_with("555"));
    }

    #[tokio::test]
    async fn idle_session_is_closed_with_421() {
        let h = start_with(|| Ok(()), 1000, Duration::from_millis(200)).await;
        let mut c = Client::connect(h.addr).await;
        assert!(c.line().await.starts_with("421 4.4.2"));
        assert!(c.closed().await);
    }

    #[tokio::test]
    async fn stop_finishes_the_open_transaction_then_closes_and_stops_accepting() {
        let h = start().await;
        let mut c = Client::connect(h.addr).await;
        c.lhlo().await;
        c.command("MAIL FROM:<a@example.org>").await;
        c.command("RCPT TO:<b@example.org>").await;
        h.stop.send_replace(true);
        c.command("DATA").await;
        c.send(b"x\r\n.\r\n").await;
        assert!(c.line().await.starts_with("250 2.0.0"));
        assert!(c.line().await.starts_with("421 4.3.2"));
        assert!(c.closed().await);
        assert_eq!(h.calls().len(), 1);
        tokio::time::timeout(Duration::from_secs(5), h.server)
            .await
            .unwrap()
            .unwrap();
        assert!(TcpStream::connect(h.addr).await.is_err());
    }

    #[test]
    fn parse_command_accepts_a_space_after_the_colon_and_source_routes() {
        assert_eq!(
            parse_command(b"mail from: <@relay:a@example.org> body=7bit"),
            Command::Mail {
                from: "a@example.org".into(),
                size: None
            }
        );
        assert_eq!(
            parse_command(b"RCPT TO:<Postmaster>"),
            Command::Rcpt("Postmaster".into())
        );
        assert!(matches!(parse_command(b"RCPT TO:<>"), Command::Syntax(501, _, _)));
        assert_eq!(parse_command(b"noop whatever"), Command::Noop);
    }
}
