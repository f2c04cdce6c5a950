//! Configuration: one TOML file, every key overridable by an environment variable.
//!
//! The file is optional: every key has a default, so `calinvite serve` runs with none.
//! `CALINVITE_SECTION__KEY=value` overrides `[section] key` (double underscore between the
//! section and the key, as in `CALINVITE_SMTP__PORT=2525`). The value of an environment
//! variable is read as the type the key has, so a numeric password stays a string.
//! Everything is validated at start, and an error names the key at fault and its source.

mod env;
mod validate;

pub use validate::Security;
pub(crate) use validate::is_address;

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("cannot read the configuration file {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("configuration file {path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("environment variable {var}: {message}")]
    Env { var: String, message: String },
    #[error("configuration key {key}: {message}")]
    Invalid { key: String, message: String },
}

impl ConfigError {
    pub(crate) fn invalid(key: &str, message: impl Into<String>) -> Self {
        ConfigError::Invalid {
            key: key.to_string(),
            message: message.into(),
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub server: ServerConfig,
    pub auth: AuthConfig,
    pub limits: LimitsConfig,
    pub smtp: SmtpConfig,
    pub mail: MailConfig,
    pub imap: ImapConfig,
    pub lmtp: LmtpConfig,
    pub inbound: InboundConfig,
    pub lifecycle: LifecycleConfig,
    pub webhooks: WebhooksConfig,
    pub links: LinksConfig,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    /// Address and port the HTTP(S) server listens on.
    pub listen: String,
    /// Folder of the embedded store.
    pub data_dir: PathBuf,
    /// The URL users reach the server at, used in links and printed URLs. Empty: derived
    /// from `listen`.
    pub public_url: String,
    /// PEM certificate chain and private key; both set turns on HTTPS.
    pub tls_cert: String,
    pub tls_key: String,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: u64,
    /// `pretty` or `json`.
    pub log_format: String,
    /// A tracing filter such as `info` or `calinvite=debug,info`. `RUST_LOG` wins if set.
    pub log_level: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct AuthConfig {
    /// How long a verified password is remembered, in seconds (0 turns the cache off).
    pub login_cache_seconds: u64,
    /// Most cached logins kept at once.
    pub login_cache_entries: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct LimitsConfig {
    /// Largest calendar object accepted (CalDAV `max-resource-size`), in bytes.
    pub max_resource_size: u64,
    /// Most recurrence instances expanded for one object in one request.
    pub max_instances: u64,
    /// Most ATTENDEE properties in one calendar object.
    pub max_attendees: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct SmtpConfig {
    /// Outgoing mail server. Empty: no mail is sent (invitations stay queued).
    pub host: String,
    pub port: u16,
    /// `none`, `starttls` or `tls`.
    pub security: String,
    pub username: String,
    pub password: String,
    /// Most SMTP connections open at once.
    pub max_connections: u32,
    /// Most messages handed to the SMTP server per second (0: no limit).
    pub rate_per_second: u32,
    /// The first retry of a deferred message waits this long; each later one twice as long.
    pub retry_base_seconds: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct MailConfig {
    /// The server's mailbox: the ORGANIZER of every invite, so replies come back to it.
    pub from: String,
    /// Display name used with `from` when an organizer has none.
    pub organizer_name: String,
    /// Give each invitation its own ORGANIZER address, `from` with a per-recipient tag
    /// (`events+TAG@domain`), so a reply is tied to its invitation even when it comes from
    /// an alias. Needs a mail server that delivers `local+tag` to `local` (most do).
    pub reply_tokens: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct ImapConfig {
    /// Mailbox server polled for replies and organizer invitations. Empty: not polled.
    pub host: String,
    pub port: u16,
    /// `none`, `starttls` or `tls`.
    pub security: String,
    pub username: String,
    pub password: String,
    /// The folder read for new messages.
    pub mailbox: String,
    /// Where processed messages are moved (created if missing). Empty: they stay in
    /// `mailbox`, marked with the `$CalinviteProcessed` keyword.
    pub processed_mailbox: String,
    /// How long one IDLE lasts before it is re-issued (at most 1740: RFC 2177 servers may
    /// drop an idle client after 30 minutes).
    pub idle_seconds: u64,
    /// How often the mailbox is searched when the server has no IDLE.
    pub poll_seconds: u64,
    /// PEM file of a private CA that signed the server's certificate, trusted besides the
    /// system's CAs. Empty: only the system's.
    pub ca_file: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct LmtpConfig {
    /// Address for the LMTP listener. Empty: no listener.
    pub listen: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct LifecycleConfig {
    /// Changes to one event within this many seconds go out as one update.
    pub settle_seconds: u64,
    /// Also send updates to recipients who have not answered yet.
    pub update_needs_action: bool,
    /// Hold every update and cancellation as a pending change until it is approved
    /// (a calendar's `{urn:calinvite}approval` property, "hold" or "auto", overrides it).
    pub approval: bool,
}

impl Default for LifecycleConfig {
    fn default() -> Self {
        LifecycleConfig {
            settle_seconds: 30,
            update_needs_action: false,
            approval: false,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct WebhooksConfig {
    /// A delivery that fails is retried after this many seconds, then twice as long each
    /// time (up to 6 hours).
    pub retry_base_seconds: u64,
    /// After this many attempts a delivery fails for good.
    pub max_attempts: u32,
    /// How long one attempt may take (connect, send, answer), in seconds.
    pub timeout_seconds: u64,
    /// Deliver to loopback, private and link-local addresses too. Off, an organizer cannot
    /// make the server send requests into the network it runs in (SSRF).
    pub allow_private_addresses: bool,
}

impl Default for WebhooksConfig {
    fn default() -> Self {
        WebhooksConfig {
            retry_base_seconds: 10,
            max_attempts: 12,
            timeout_seconds: 10,
            allow_private_addresses: false,
        }
    }
}

/// Public pages and campaign links (`/i/`, `/e/`, `/g/`, `/r/`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct LinksConfig {
    /// Key that signs per-recipient invite links and group codes. Empty: a random key is
    /// made once and kept in the data folder (`links.key`), so links survive restarts.
    pub secret: String,
    /// Invitations one client IP may ask for per minute on the public pages.
    pub rate_per_ip_per_minute: u32,
    /// Invitations one address may be sent from the public pages per hour.
    pub rate_per_address_per_hour: u32,
}

impl Default for LinksConfig {
    fn default() -> Self {
        LinksConfig {
            secret: String::new(),
            rate_per_ip_per_minute: 20,
            rate_per_address_per_hour: 10,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct InboundConfig {
    /// Apply a REPLY only when Authentication-Results from `trusted_authserv_id` show DKIM
    /// or SPF pass aligned with From; otherwise quarantine it.
    pub require_authentication: bool,
    /// The authserv-id your own mail server writes in Authentication-Results.
    pub trusted_authserv_id: String,
    /// Larger messages are kept in the inbound log but not read (quarantined).
    pub max_message_bytes: u64,
    /// Mail the organizer a confirmation when an event they mailed in is stored.
    pub notify_stored: bool,
    /// Mail the organizer, after a mailed update or cancellation, whom it reached.
    pub notify_changes: bool,
    /// Mail the organizer when their message cannot be used, with why and what to change.
    pub notify_failures: bool,
}

impl Default for InboundConfig {
    fn default() -> Self {
        InboundConfig {
            require_authentication: false,
            trusted_authserv_id: String::new(),
            max_message_bytes: 10 * 1024 * 1024,
            notify_stored: true,
            notify_changes: true,
            notify_failures: true,
        }
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            listen: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("./data"),
            public_url: String::new(),
            tls_cert: String::new(),
            tls_key: String::new(),
            max_body_bytes: 20 * 1024 * 1024,
            log_format: "pretty".into(),
            log_level: "info".into(),
        }
    }
}

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig {
            login_cache_seconds: 300,
            login_cache_entries: 10_000,
        }
    }
}

impl Default for LimitsConfig {
    fn default() -> Self {
        LimitsConfig {
            max_resource_size: 1024 * 1024,
            max_instances: 5_000,
            max_attendees: 1_000,
        }
    }
}

impl Default for SmtpConfig {
    fn default() -> Self {
        SmtpConfig {
            host: String::new(),
            port: 25,
            security: "none".into(),
            username: String::new(),
            password: String::new(),
            max_connections: 4,
            rate_per_second: 0,
            retry_base_seconds: 60,
        }
    }
}

impl Default for MailConfig {
    fn default() -> Self {
        MailConfig {
            from: "invites@localhost".into(),
            organizer_name: "calinvite".into(),
            reply_tokens: false,
        }
    }
}

impl Default for ImapConfig {
    fn default() -> Self {
        ImapConfig {
            host: String::new(),
            port: 993,
            security: "tls".into(),
            username: String::new(),
            password: String::new(),
            mailbox: "INBOX".into(),
            processed_mailbox: String::new(),
            idle_seconds: 1500,
            poll_seconds: 60,
            ca_file: String::new(),
        }
    }
}

impl MailConfig {
    /// The domain of the server's mailbox: its HELO/LHLO name and the domain of the
    /// Message-IDs it writes.
    pub fn domain(&self) -> String {
        self.from
            .rsplit_once('@')
            .map(|(_, d)| d.to_string())
            .unwrap_or_else(|| "localhost".into())
    }
}

impl Config {
    /// Reads the file (if any), applies environment overrides, and validates the result.
    pub fn load(path: Option<&Path>, vars: impl IntoIterator<Item = (String, String)>) -> Result<Config, ConfigError> {
        let mut table = match path {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                    path: path.to_path_buf(),
                    source,
                })?;
                let value: toml::Table = toml::from_str(&text).map_err(|e| ConfigError::Parse {
                    path: path.to_path_buf(),
                    message: e.to_string(),
                })?;
                // Reject unknown keys here, with the file named, before env overrides mix in.
                Config::deserialize(toml::Value::Table(value.clone())).map_err(|e| ConfigError::Parse {
                    path: path.to_path_buf(),
                    message: e.to_string(),
                })?;
                value
            }
            None => toml::Table::new(),
        };
        env::apply(&mut table, vars)?;
        let config = Config::deserialize(toml::Value::Table(table)).map_err(|e| ConfigError::Invalid {
            key: "(environment)".into(),
            message: e.to_string(),
        })?;
        config.validate()?;
        Ok(config)
    }

    /// The base URL for links: `public_url`, or one derived from `listen`.
    pub fn public_url(&self) -> String {
        if !self.server.public_url.is_empty() {
            return self.server.public_url.trim_end_matches('/').to_string();
        }
        let scheme = if self.tls_enabled() { "https" } else { "http" };
        format!("{scheme}://{}", self.server.listen)
    }

    pub fn tls_enabled(&self) -> bool {
        !self.server.tls_cert.is_empty() && !self.server.tls_key.is_empty()
    }
}

#[cfg(test)]
mod tests;
