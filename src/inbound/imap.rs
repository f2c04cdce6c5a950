//! IMAP poller: for a server mailbox that is an ordinary account at a mail provider, where
//! nothing can be delivered to calinvite by LMTP.
//!
//! The mailbox itself is the queue. A message is fetched with `BODY.PEEK[]` (so `\Seen` is
//! left alone for a human reading along), handed to the one inbound pipeline, and only once
//! the pipeline has kept it is it marked as processed: flagged with a keyword, or moved to
//! `imap.processed_mailbox`. If calinvite stops or its store fails in between, the message
//! is still unmarked and is fetched again next round; the pipeline's Message-ID check makes
//! that second delivery a no-op, so a message is acted on once.
//!
//! Which commands mark a message (`After`) and how long to wait before reconnecting
//! (`Backoff`) are pure and tested with plain values; the session loop only talks IMAP.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use async_imap::{Client, Session};
use futures_util::StreamExt;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::{self, pki_types::ServerName};
use tracing::Instrument;

use crate::app::App;
use crate::config::{ImapConfig, Security};

/// The keyword a processed message gets (RFC 3501 §2.3.2: a keyword is an atom; `$` marks
/// it as one a program sets). Searching for messages without it finds the new ones.
pub const PROCESSED_KEYWORD: &str = "$CalinviteProcessed";

/// RFC 2177 §3: servers may drop an idle client after 30 minutes, so IDLE is re-issued
/// before 29.
pub const MAX_IDLE_SECONDS: u64 = 29 * 60;

/// Any one command (other than IDLE) that takes longer means the connection is dead.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Debug, thiserror::Error)]
pub enum ImapError {
    #[error("cannot connect to imap.host {addr}: {source}")]
    Connect { addr: String, source: std::io::Error },
    #[error("TLS with imap.host {host}: {message}")]
    Tls { host: String, message: String },
    #[error("imap.ca_file {path}: {message}")]
    CaFile { path: String, message: String },
    #[error("login as imap.username {username} refused: {source}")]
    Login {
        username: String,
        source: async_imap::error::Error,
    },
    #[error("{command}: {source}")]
    Command {
        command: String,
        source: async_imap::error::Error,
    },
    #[error("{0}: no answer within {COMMAND_TIMEOUT:?}")]
    Timeout(String),
    #[error("the server closed the connection before its greeting")]
    NoGreeting,
}

fn command_error(command: impl Into<String>) -> impl FnOnce(async_imap::error::Error) -> ImapError {
    let command = command.into();
    move |source| ImapError::Command { command, source }
}

/// Runs one IMAP exchange with a deadline, so a silently dead connection is noticed.
async fn within<T>(what: &str, fut: impl Future<Output = Result<T, async_imap::error::Error>>) -> Result<T, ImapError> {
    match tokio::time::timeout(COMMAND_TIMEOUT, fut).await {
        Ok(result) => result.map_err(command_error(what)),
        Err(_) => Err(ImapError::Timeout(what.to_string())),
    }
}

/// What is done to a message once the pipeline has kept it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum After {
    /// `imap.processed_mailbox` is empty: the message stays, with `PROCESSED_KEYWORD`.
    Keyword,
    /// RFC 6851 MOVE, atomic on the server.
    Move { mailbox: String },
    /// Servers without MOVE: COPY, then `\Deleted` and EXPUNGE (RFC 6851 §1). With UIDPLUS
    /// (RFC 4315 §2.1) only this message is expunged; without it a plain EXPUNGE also removes
    /// messages another client marked `\Deleted`, as that client asked.
    CopyDelete { mailbox: String, uidplus: bool },
}

impl After {
    pub fn choose(processed_mailbox: &str, server_has_move: bool, server_has_uidplus: bool) -> After {
        if processed_mailbox.is_empty() {
            After::Keyword
        } else if server_has_move {
            After::Move {
                mailbox: processed_mailbox.to_string(),
            }
        } else {
            After::CopyDelete {
                mailbox: processed_mailbox.to_string(),
                uidplus: server_has_uidplus,
            }
        }
    }

    /// The commands, in order, that mark message `uid` as processed.
    pub fn commands(&self, uid: u32) -> Vec<String> {
        match self {
            After::Keyword => vec![format!("UID STORE {uid} +FLAGS.SILENT ({PROCESSED_KEYWORD})")],
            After::Move { mailbox } => vec![format!("UID MOVE {uid} {}", quote(mailbox))],
            After::CopyDelete { mailbox, uidplus } => vec![
                format!("UID COPY {uid} {}", quote(mailbox)),
                // The keyword too, so a failed EXPUNGE cannot make it look new again.
                format!("UID STORE {uid} +FLAGS.SILENT (\\Deleted {PROCESSED_KEYWORD})"),
                if *uidplus {
                    format!("UID EXPUNGE {uid}")
                } else {
                    "EXPUNGE".to_string()
                },
            ],
        }
    }
}

/// The search for messages not yet processed: in every mode a processed message either left
/// the mailbox or carries the keyword or `\Deleted`.
pub fn unprocessed_search() -> String {
    format!("UNDELETED UNKEYWORD {PROCESSED_KEYWORD}")
}

/// An IMAP quoted string (RFC 3501 §4.3); the configuration only admits printable ASCII
/// mailbox names, so no literal is ever needed.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// Reconnect delays: 1 s, doubling to at most 60 s, back to 1 s once a session has worked.
#[derive(Debug)]
pub struct Backoff {
    next: Duration,
}

impl Backoff {
    const FIRST: Duration = Duration::from_secs(1);
    const MAX: Duration = Duration::from_secs(60);

    pub fn new() -> Backoff {
        Backoff { next: Self::FIRST }
    }

    /// The delay before the next attempt; the one after is twice as long.
    pub fn next_delay(&mut self) -> Duration {
        let delay = self.next;
        self.next = (self.next * 2).min(Self::MAX);
        delay
    }

    pub fn reset(&mut self) {
        self.next = Self::FIRST;
    }
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff::new()
    }
}

/// A plain or TLS connection; async-imap takes one stream type for the whole session.
enum Transport {
    Plain(TcpStream),
    Tls(Box<tokio_rustls::client::TlsStream<TcpStream>>),
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Transport::Plain(_) => "Transport::Plain",
            Transport::Tls(_) => "Transport::Tls",
        })
    }
}

impl AsyncRead for Transport {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Transport::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Transport::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Transport {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        match self.get_mut() {
            Transport::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Transport::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Transport::Plain(s) => Pin::new(s).poll_flush(cx),
            Transport::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Transport::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Transport::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

type ImapSession = Session<Transport>;

/// How a round over the new messages ended.
#[derive(Debug, PartialEq, Eq)]
enum Round {
    Done,
    /// A message could not be kept (store unavailable): try again after `poll_seconds`.
    Deferred,
    Stopping,
}

/// The poller's settings, checked once at start (a bad `ca_file` stops `serve`, it is not
/// retried forever).
pub struct Poller {
    host: String,
    port: u16,
    security: Security,
    username: String,
    password: String,
    mailbox: String,
    processed_mailbox: String,
    idle: Duration,
    poll: Duration,
    tls: Option<TlsConnector>,
}

impl Poller {
    pub fn new(config: &ImapConfig) -> Result<Poller, ImapError> {
        let security = Security::parse("imap.security", &config.security).map_err(|e| ImapError::Tls {
            host: config.host.clone(),
            message: e.to_string(),
        })?;
        let tls = match security {
            Security::None => None,
            Security::StartTls | Security::Tls => Some(tls_connector(&config.host, &config.ca_file)?),
        };
        Ok(Poller {
            host: config.host.clone(),
            port: config.port,
            security,
            username: config.username.clone(),
            password: config.password.clone(),
            mailbox: config.mailbox.clone(),
            processed_mailbox: config.processed_mailbox.clone(),
            idle: Duration::from_secs(config.idle_seconds.min(MAX_IDLE_SECONDS)),
            poll: Duration::from_secs(config.poll_seconds),
            tls,
        })
    }

    /// Polls until `stop` turns true (or its sender goes away), reconnecting with backoff.
    pub async fn run(self, app: Arc<App>, mut stop: watch::Receiver<bool>) {
        let mut backoff = Backoff::new();
        loop {
            if *stop.borrow_and_update() {
                break;
            }
            let span = tracing::info_span!("imap_session", host = %self.host, mailbox = %self.mailbox);
            match self.session(&app, &mut stop, &mut backoff).instrument(span).await {
                Ok(()) => break,
                Err(error) => {
                    let delay = backoff.next_delay();
                    tracing::warn!(%error, retry_in_seconds = delay.as_secs(), "IMAP session ended; reconnecting");
                    tokio::select! {
                        _ = tokio::time::sleep(delay) => {}
                        _ = stopped(&mut stop) => break,
                    }
                }
            }
        }
        tracing::info!("IMAP poller stopped");
    }

    /// One connection: processes what is waiting, then IDLEs (or sleeps) and again, until
    /// asked to stop (Ok) or the connection fails (Err).
    async fn session(
        &self,
        app: &App,
        stop: &mut watch::Receiver<bool>,
        backoff: &mut Backoff,
    ) -> Result<(), ImapError> {
        let client = self.connect().await?;
        let mut session =
            match tokio::time::timeout(COMMAND_TIMEOUT, client.login(&self.username, &self.password)).await {
                Ok(Ok(session)) => session,
                Ok(Err((source, _))) => {
                    return Err(ImapError::Login {
                        username: self.username.clone(),
                        source,
                    });
                }
                Err(_) => return Err(ImapError::Timeout("LOGIN".into())),
            };
        let caps = within("CAPABILITY", session.capabilities()).await?;
        let has_idle = caps.has_str("IDLE");
        let after = After::choose(&self.processed_mailbox, caps.has_str("MOVE"), caps.has_str("UIDPLUS"));
        within(&format!("SELECT {}", self.mailbox), session.select(&self.mailbox)).await?;
        if !self.processed_mailbox.is_empty() {
            // Usually it exists already (NO [ALREADYEXISTS]); a real problem shows at the move.
            if let Err(error) = within("CREATE", session.create(&self.processed_mailbox)).await {
                tracing::debug!(%error, mailbox = %self.processed_mailbox, "processed mailbox not created");
            }
        }
        tracing::info!(idle = has_idle, after = ?after, "IMAP mailbox selected");
        loop {
            let round = tracing::info_span!("imap_round");
            let round = self
                .process_new(app, &mut session, &after, stop)
                .instrument(round)
                .await?;
            // The session works: a later failure starts again from a short delay.
            backoff.reset();
            if round == Round::Stopping {
                return logout(session).await;
            }
            if has_idle && round == Round::Done {
                let mut idle = session.idle();
                within("IDLE", idle.init()).await?;
                let (wait, interrupt) = idle.wait_with_timeout(self.idle);
                // async-imap's own timeout restarts at every response, and Dovecot sends
                // "* OK Still here" every two minutes: only this sleep re-issues IDLE in time.
                let woke = tokio::select! {
                    woke = wait => Some(woke),
                    _ = tokio::time::sleep(self.idle) => Some(Ok(async_imap::extensions::idle::IdleResponse::Timeout)),
                    _ = stopped(stop) => None,
                };
                drop(interrupt);
                let stopping = match woke {
                    Some(woke) => {
                        woke.map_err(command_error("IDLE"))?;
                        false
                    }
                    None => true,
                };
                session = within("DONE", idle.done()).await?;
                if stopping {
                    return logout(session).await;
                }
            } else {
                // No IDLE, or a message waits to be kept again: IDLE would not wake for it.
                tokio::select! {
                    _ = tokio::time::sleep(self.poll) => {}
                    _ = stopped(stop) => return logout(session).await,
                }
            }
        }
    }

    /// Hands every unprocessed message to the pipeline and marks those it kept.
    async fn process_new(
        &self,
        app: &App,
        session: &mut ImapSession,
        after: &After,
        stop: &mut watch::Receiver<bool>,
    ) -> Result<Round, ImapError> {
        // Unilateral EXISTS/EXPUNGE are not needed: every round searches afresh.
        while session.unsolicited_responses.try_recv().is_ok() {}
        let search = unprocessed_search();
        let mut uids: Vec<u32> = within(&format!("UID SEARCH {search}"), session.uid_search(&search))
            .await?
            .into_iter()
            .collect();
        uids.sort_unstable();
        if !uids.is_empty() {
            tracing::info!(count = uids.len(), "new IMAP messages");
        }
        for uid in uids {
            if *stop.borrow() {
                return Ok(Round::Stopping);
            }
            let span = tracing::info_span!("imap_message", uid);
            let Some(raw) = fetch(session, uid).instrument(span.clone()).await? else {
                // Expunged by another client in the meantime.
                continue;
            };
            let received = crate::inbound::pipeline::receive(app, raw, "imap")
                .instrument(span.clone())
                .await;
            match received {
                Ok(received) => {
                    for command in after.commands(uid) {
                        within(&command, session.run_command_and_check_ok(&command))
                            .instrument(span.clone())
                            .await?;
                    }
                    span.in_scope(|| {
                        tracing::info!(
                            id = received.id.0,
                            duplicate = received.duplicate,
                            "IMAP message kept and marked processed"
                        )
                    });
                }
                Err(error) => {
                    // Not kept: leave it unmarked; the next round tries again.
                    span.in_scope(|| tracing::warn!(%error, "IMAP message not kept; left for the next round"));
                    return Ok(Round::Deferred);
                }
            }
        }
        Ok(if *stop.borrow() { Round::Stopping } else { Round::Done })
    }

    async fn connect(&self) -> Result<Client<Transport>, ImapError> {
        let addr = format!("{}:{}", self.host, self.port);
        let tcp = match tokio::time::timeout(COMMAND_TIMEOUT, TcpStream::connect((self.host.as_str(), self.port))).await
        {
            Ok(Ok(tcp)) => tcp,
            Ok(Err(source)) => return Err(ImapError::Connect { addr, source }),
            Err(_) => return Err(ImapError::Timeout(format!("connecting to {addr}"))),
        };
        match self.security {
            Security::None => {
                let mut client = Client::new(Transport::Plain(tcp));
                greeting(&mut client).await?;
                Ok(client)
            }
            Security::Tls => {
                let tls = self.handshake(tcp).await?;
                let mut client = Client::new(Transport::Tls(Box::new(tls)));
                greeting(&mut client).await?;
                Ok(client)
            }
            Security::StartTls => {
                let mut client = Client::new(Transport::Plain(tcp));
                greeting(&mut client).await?;
                // RFC 3501 §6.2.1; no greeting follows the handshake.
                within("STARTTLS", client.run_command_and_check_ok("STARTTLS", None)).await?;
                let Transport::Plain(tcp) = client.into_inner() else {
                    return Err(self.tls_error("STARTTLS on a connection that is already TLS"));
                };
                let tls = self.handshake(tcp).await?;
                Ok(Client::new(Transport::Tls(Box::new(tls))))
            }
        }
    }

    async fn handshake(&self, tcp: TcpStream) -> Result<tokio_rustls::client::TlsStream<TcpStream>, ImapError> {
        let Some(connector) = &self.tls else {
            return Err(self.tls_error("no TLS configuration"));
        };
        let name = ServerName::try_from(self.host.clone())
            .map_err(|_| self.tls_error("imap.host is not a valid TLS server name"))?;
        match tokio::time::timeout(COMMAND_TIMEOUT, connector.connect(name, tcp)).await {
            Ok(Ok(tls)) => Ok(tls),
            Ok(Err(e)) => Err(self.tls_error(e.to_string())),
            Err(_) => Err(ImapError::Timeout("TLS handshake".into())),
        }
    }

    fn tls_error(&self, message: impl Into<String>) -> ImapError {
        ImapError::Tls {
            host: self.host.clone(),
            message: message.into(),
        }
    }
}

async fn greeting(client: &mut Client<Transport>) -> Result<(), ImapError> {
    match tokio::time::timeout(COMMAND_TIMEOUT, client.read_response()).await {
        Ok(Ok(Some(_))) => Ok(()),
        Ok(Ok(None)) => Err(ImapError::NoGreeting),
        Ok(Err(e)) => Err(command_error("greeting")(e.into())),
        Err(_) => Err(ImapError::Timeout("greeting".into())),
    }
}

/// The raw message `uid`, or None if it is gone.
async fn fetch(session: &mut ImapSession, uid: u32) -> Result<Option<Vec<u8>>, ImapError> {
    let command = format!("UID FETCH {uid} BODY.PEEK[]");
    let fetched = async {
        let mut stream = session.uid_fetch(uid.to_string(), "BODY.PEEK[]").await?;
        let mut raw = None;
        // The server may mix in FETCH responses for other messages (flag changes).
        while let Some(item) = stream.next().await {
            let item = item?;
            if item.uid == Some(uid)
                && let Some(body) = item.body()
            {
                raw = Some(body.to_vec());
            }
        }
        Ok(raw)
    };
    within(&command, fetched).await
}

async fn logout(mut session: ImapSession) -> Result<(), ImapError> {
    if let Err(error) = within("LOGOUT", session.logout()).await {
        tracing::debug!(%error, "IMAP logout failed");
    }
    Ok(())
}

/// Resolves once `stop` is true or its sender is gone.
async fn stopped(stop: &mut watch::Receiver<bool>) {
    loop {
        if *stop.borrow_and_update() {
            return;
        }
        if stop.changed().await.is_err() {
            return;
        }
    }
}

/// Roots: the system's, plus `ca_file` for a private CA.
fn tls_connector(host: &str, ca_file: &str) -> Result<TlsConnector, ImapError> {
    let mut roots = rustls::RootCertStore::empty();
    let native = rustls_native_certs::load_native_certs();
    for error in &native.errors {
        tracing::debug!(%error, "a system CA certificate could not be read");
    }
    roots.add_parsable_certificates(native.certs);
    if !ca_file.is_empty() {
        let ca_error = |message: String| ImapError::CaFile {
            path: ca_file.to_string(),
            message,
        };
        let pem = std::fs::read(ca_file).map_err(|e| ca_error(e.to_string()))?;
        let mut added = 0;
        for cert in rustls_pemfile::certs(&mut pem.as_slice()) {
            let cert = cert.map_err(|e| ca_error(format!("not PEM: {e}")))?;
            roots.add(cert).map_err(|e| ca_error(e.to_string()))?;
            added += 1;
        }
        if added == 0 {
            return Err(ca_error("holds no certificate".into()));
        }
    }
    if roots.is_empty() {
        return Err(ImapError::Tls {
            host: host.to_string(),
            message: "no CA certificates: install the system's (ca-certificates) or set imap.ca_file".into(),
        });
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ImapError::Tls {
            host: host.to_string(),
            message: e.to_string(),
        })?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(TlsConnector::from(Arc::new(config)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_processed_mailbox_means_the_message_is_flagged_with_the_keyword() {
        let after = After::choose("", true, true);
        assert_eq!(after, After::Keyword);
        assert_eq!(
            after.commands(7),
            vec!["UID STORE 7 +FLAGS.SILENT ($CalinviteProcessed)"]
        );
    }

    #[test]
    fn a_processed_mailbox_on_a_server_with_move_is_one_uid_move() {
        let after = After::choose("Processed", true, false);
        assert_eq!(after.commands(42), vec!["UID MOVE 42 \"Processed\""]);
    }

    #[test]
    fn without_move_the_message_is_copied_deleted_and_expunged_by_uid_when_uidplus_allows() {
        let after = After::choose("Done/calinvite", false, true);
        assert_eq!(
            after.commands(3),
            vec![
                "UID COPY 3 \"Done/calinvite\"",
                "UID STORE 3 +FLAGS.SILENT (\\Deleted $CalinviteProcessed)",
                "UID EXPUNGE 3",
            ]
        );
        let after = After::choose("Done", false, false);
        assert_eq!(after.commands(3).last().map(String::as_str), Some("EXPUNGE"));
    }

    #[test]
    fn the_search_skips_flagged_and_deleted_messages() {
        assert_eq!(unprocessed_search(), "UNDELETED UNKEYWORD $CalinviteProcessed");
    }

    #[test]
    fn mailbox_names_are_quoted_with_escapes() {
        assert_eq!(quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
        assert_eq!(quote("INBOX.Processed"), "\"INBOX.Processed\"");
    }

    #[test]
    fn backoff_doubles_from_one_second_to_a_minute_and_resets() {
        let mut b = Backoff::new();
        let delays: Vec<u64> = (0..9).map(|_| b.next_delay().as_secs()).collect();
        assert_eq!(delays, vec![1, 2, 4, 8, 16, 32, 60, 60, 60]);
        b.reset();
        assert_eq!(b.next_delay().as_secs(), 1);
    }

    #[test]
    fn a_bad_ca_file_is_named_in_the_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ca.pem");
        std::fs::write(&path, "not a certificate").unwrap();
        let config = ImapConfig {
            host: "imap.example.org".into(),
            ca_file: path.display().to_string(),
            ..ImapConfig::default()
        };
        let e = Poller::new(&config).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains("imap.ca_file") && e.contains("ca.pem"), "{e}");
    }
}
