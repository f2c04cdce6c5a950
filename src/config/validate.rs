//! Validation of a loaded configuration: every rule names the key it checks, so a user
//! knows which line to fix.

use super::{Config, ConfigError};
use std::net::SocketAddr;

/// How a mail connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    None,
    StartTls,
    Tls,
}

impl Security {
    pub fn parse(key: &str, value: &str) -> Result<Security, ConfigError> {
        match value {
            "none" => Ok(Security::None),
            "starttls" => Ok(Security::StartTls),
            "tls" => Ok(Security::Tls),
            other => Err(ConfigError::invalid(
                key,
                format!("`{other}` must be one of \"none\", \"starttls\", \"tls\""),
            )),
        }
    }
}

impl Config {
    pub fn validate(&self) -> Result<(), ConfigError> {
        parse_addr("server.listen", &self.server.listen)?;
        if self.server.data_dir.as_os_str().is_empty() {
            return Err(ConfigError::invalid("server.data_dir", "must not be empty"));
        }
        let url = &self.server.public_url;
        if !(url.is_empty() || url.starts_with("http://") || url.starts_with("https://")) {
            return Err(ConfigError::invalid(
                "server.public_url",
                format!("`{}` must start with http:// or https://", self.server.public_url),
            ));
        }
        match (self.server.tls_cert.is_empty(), self.server.tls_key.is_empty()) {
            (true, true) => {}
            (false, false) => {
                for (key, path) in [
                    ("server.tls_cert", &self.server.tls_cert),
                    ("server.tls_key", &self.server.tls_key),
                ] {
                    if !std::path::Path::new(path).is_file() {
                        return Err(ConfigError::invalid(key, format!("file `{path}` does not exist")));
                    }
                }
            }
            (true, false) => {
                return Err(ConfigError::invalid(
                    "server.tls_cert",
                    "is required when server.tls_key is set",
                ));
            }
            (false, true) => {
                return Err(ConfigError::invalid(
                    "server.tls_key",
                    "is required when server.tls_cert is set",
                ));
            }
        }
        if self.server.max_body_bytes < 1024 {
            return Err(ConfigError::invalid("server.max_body_bytes", "must be at least 1024"));
        }
        if !matches!(self.server.log_format.as_str(), "pretty" | "json") {
            return Err(ConfigError::invalid(
                "server.log_format",
                format!("`{}` must be \"pretty\" or \"json\"", self.server.log_format),
            ));
        }
        if tracing_subscriber::EnvFilter::try_new(&self.server.log_level).is_err() {
            return Err(ConfigError::invalid(
                "server.log_level",
                format!(
                    "`{}` is not a log filter such as \"info\" or \"calinvite=debug\"",
                    self.server.log_level
                ),
            ));
        }
        if self.limits.max_resource_size == 0 || self.limits.max_resource_size > self.server.max_body_bytes {
            return Err(ConfigError::invalid(
                "limits.max_resource_size",
                "must be above 0 and not above server.max_body_bytes",
            ));
        }
        if self.limits.max_instances == 0 {
            return Err(ConfigError::invalid("limits.max_instances", "must be above 0"));
        }
        if self.limits.max_attendees == 0 {
            return Err(ConfigError::invalid("limits.max_attendees", "must be above 0"));
        }
        Security::parse("smtp.security", &self.smtp.security)?;
        if self.smtp.port == 0 {
            return Err(ConfigError::invalid("smtp.port", "must be between 1 and 65535"));
        }
        if self.smtp.max_connections == 0 {
            return Err(ConfigError::invalid("smtp.max_connections", "must be at least 1"));
        }
        if self.smtp.username.is_empty() != self.smtp.password.is_empty() {
            return Err(ConfigError::invalid(
                "smtp.password",
                "smtp.username and smtp.password go together",
            ));
        }
        if !is_address(&self.mail.from) {
            return Err(ConfigError::invalid(
                "mail.from",
                format!("`{}` is not a mail address", self.mail.from),
            ));
        }
        Security::parse("imap.security", &self.imap.security)?;
        if self.imap.port == 0 {
            return Err(ConfigError::invalid("imap.port", "must be between 1 and 65535"));
        }
        if !self.imap.host.is_empty() && (self.imap.username.is_empty() || self.imap.password.is_empty()) {
            return Err(ConfigError::invalid(
                "imap.username",
                "imap.username and imap.password are required when imap.host is set",
            ));
        }
        if self.imap.mailbox.is_empty() {
            return Err(ConfigError::invalid("imap.mailbox", "must not be empty"));
        }
        // Sent as an IMAP quoted string; other names would need modified UTF-7 (RFC 3501 §5.1.3).
        if !self
            .imap
            .processed_mailbox
            .chars()
            .all(|c| c.is_ascii() && !c.is_ascii_control())
        {
            return Err(ConfigError::invalid(
                "imap.processed_mailbox",
                format!("`{}` must be printable ASCII", self.imap.processed_mailbox),
            ));
        }
        if self.imap.idle_seconds == 0 || self.imap.idle_seconds > 1740 {
            return Err(ConfigError::invalid(
                "imap.idle_seconds",
                "must be between 1 and 1740 (RFC 2177: re-issue IDLE before 29 minutes)",
            ));
        }
        if self.imap.poll_seconds == 0 {
            return Err(ConfigError::invalid("imap.poll_seconds", "must be at least 1"));
        }
        if !self.imap.ca_file.is_empty() && !std::path::Path::new(&self.imap.ca_file).is_file() {
            return Err(ConfigError::invalid(
                "imap.ca_file",
                format!("file `{}` does not exist", self.imap.ca_file),
            ));
        }
        if self.inbound.require_authentication && self.inbound.trusted_authserv_id.trim().is_empty() {
            return Err(ConfigError::invalid(
                "inbound.trusted_authserv_id",
                "is required when inbound.require_authentication is true (the authserv-id your mail server writes)",
            ));
        }
        if self.inbound.max_message_bytes < 1024 {
            return Err(ConfigError::invalid(
                "inbound.max_message_bytes",
                "must be at least 1024",
            ));
        }
        if !self.lmtp.listen.is_empty() {
            parse_addr("lmtp.listen", &self.lmtp.listen)?;
        }
        if self.webhooks.retry_base_seconds == 0 {
            return Err(ConfigError::invalid(
                "webhooks.retry_base_seconds",
                "must be at least 1",
            ));
        }
        if self.webhooks.max_attempts == 0 {
            return Err(ConfigError::invalid("webhooks.max_attempts", "must be at least 1"));
        }
        if self.webhooks.timeout_seconds == 0 {
            return Err(ConfigError::invalid("webhooks.timeout_seconds", "must be at least 1"));
        }
        if !self.links.secret.is_empty() && self.links.secret.len() < 16 {
            return Err(ConfigError::invalid(
                "links.secret",
                "must have at least 16 characters (or be empty for a generated key)",
            ));
        }
        if self.links.rate_per_ip_per_minute == 0 {
            return Err(ConfigError::invalid(
                "links.rate_per_ip_per_minute",
                "must be at least 1",
            ));
        }
        if self.links.rate_per_address_per_hour == 0 {
            return Err(ConfigError::invalid(
                "links.rate_per_address_per_hour",
                "must be at least 1",
            ));
        }
        Ok(())
    }
}

fn parse_addr(key: &str, value: &str) -> Result<SocketAddr, ConfigError> {
    value.parse().map_err(|_| {
        ConfigError::invalid(
            key,
            format!("`{value}` is not an address and port such as 127.0.0.1:8080"),
        )
    })
}

/// A plain `local@domain` check: enough to catch typos at start; the mail layer validates
/// fully when it builds messages.
pub(crate) fn is_address(s: &str) -> bool {
    match s.rsplit_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !s.chars().any(|c| c.is_whitespace() || c == '<' || c == '>' || c == ',')
        }
        None => false,
    }
}
