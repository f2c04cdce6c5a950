//! SMTP connections for the sender.
//!
//! lettre's own transport never sets TCP_NODELAY, so the final `.` of every message waits
//! for the peer's delayed ACK (about 22 messages/s per connection). The plain and STARTTLS
//! connections here open the TCP stream themselves with `set_nodelay(true)` and hand it to
//! lettre's `AsyncSmtpConnection`; implicit TLS uses lettre's connector. Each sender task
//! owns one connection and reuses it for every message, reconnecting after an error.

use crate::config::{Security, SmtpConfig};
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use std::time::Duration;
use tokio::net::TcpStream;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("cannot reach the SMTP server {0}: {1}")]
    Tcp(String, std::io::Error),
    #[error("connecting to the SMTP server {0} timed out")]
    Timeout(String),
    #[error("SMTP session with {0} failed: {1}")]
    Smtp(String, lettre::transport::smtp::Error),
    #[error("the SMTP server {0} does not offer STARTTLS, which smtp.security requires")]
    NoStartTls(String),
}

pub struct Connector {
    host: String,
    port: u16,
    security: Security,
    credentials: Option<Credentials>,
    hello: ClientId,
}

impl Connector {
    pub fn new(cfg: &SmtpConfig, hello_name: &str) -> Self {
        Connector {
            host: cfg.host.clone(),
            port: cfg.port,
            security: Security::parse("smtp.security", &cfg.security).unwrap_or(Security::None),
            credentials: (!cfg.username.is_empty())
                .then(|| Credentials::new(cfg.username.clone(), cfg.password.clone())),
            hello: ClientId::Domain(hello_name.to_string()),
        }
    }

    fn addr(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }

    pub async fn connect(&self) -> Result<AsyncSmtpConnection, ConnectError> {
        let addr = self.addr();
        let smtp_err = |e| ConnectError::Smtp(addr.clone(), e);
        let mut conn = match self.security {
            Security::Tls => {
                let tls = TlsParameters::new(self.host.clone()).map_err(smtp_err)?;
                let fut = AsyncSmtpConnection::connect_tokio1(
                    (self.host.as_str(), self.port),
                    Some(CONNECT_TIMEOUT),
                    &self.hello,
                    Some(tls),
                    None,
                );
                fut.await.map_err(smtp_err)?
            }
            Security::None | Security::StartTls => {
                let stream = tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect((self.host.as_str(), self.port)))
                    .await
                    .map_err(|_| ConnectError::Timeout(addr.clone()))?
                    .map_err(|e| ConnectError::Tcp(addr.clone(), e))?;
                let _ = stream.set_nodelay(true);
                let mut conn = AsyncSmtpConnection::connect_with_transport(Box::new(stream), &self.hello)
                    .await
                    .map_err(smtp_err)?;
                if self.security == Security::StartTls {
                    if !conn.can_starttls() {
                        return Err(ConnectError::NoStartTls(addr));
                    }
                    let tls = TlsParameters::new(self.host.clone()).map_err(smtp_err)?;
                    conn.starttls(tls, &self.hello).await.map_err(smtp_err)?;
                }
                conn
            }
        };
        if let Some(credentials) = &self.credentials {
            conn.auth(&[Mechanism::Plain, Mechanism::Login], credentials)
                .await
                .map_err(smtp_err)?;
        }
        Ok(conn)
    }
}
