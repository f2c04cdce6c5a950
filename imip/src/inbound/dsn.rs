//! Delivery status notifications (RFC 3464): which recipient of our mail bounced and how.
//!
//! A bounce of an invitation must mark that attendee as undeliverable, not be read as a new
//! REQUEST (IMIP-INTEROP §3.2). The `message/delivery-status` body is a block of
//! per-message fields followed by one block per recipient, separated by blank lines
//! (RFC 3464 §2.1).

/// One per-recipient block (RFC 3464 §2.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DsnRecipient {
    /// Final-Recipient (or Original-Recipient) address, lower case, without `rfc822;`.
    pub final_recipient: String,
    /// failed, delayed, delivered, relayed or expanded (lower case).
    pub action: String,
    /// The status code, e.g. `5.1.1` (RFC 3463).
    pub status: String,
    pub diagnostic: Option<String>,
}

impl DsnRecipient {
    /// RFC 3464 §2.3.3 + RFC 3463: failed with a permanent (5.x.x) status.
    pub fn is_hard_bounce(&self) -> bool {
        self.action == "failed" && self.status.starts_with('5')
    }

    /// Delayed, or failed with a transient (4.x.x) status: delivery may still happen.
    pub fn is_soft_bounce(&self) -> bool {
        self.action == "delayed" || (self.action == "failed" && self.status.starts_with('4'))
    }
}

/// A parsed delivery status notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dsn {
    /// Reporting-MTA without its `dns;` type.
    pub reporting_mta: Option<String>,
    /// Message-ID (without `<>`) of the message that bounced.
    pub original_message_id: Option<String>,
    pub recipients: Vec<DsnRecipient>,
}

impl Dsn {
    /// Whether any recipient bounced permanently.
    pub fn is_hard_bounce(&self) -> bool {
        self.recipients.iter().any(DsnRecipient::is_hard_bounce)
    }

    /// Whether any recipient bounced transiently (and none permanently).
    pub fn is_soft_bounce(&self) -> bool {
        !self.is_hard_bounce() && self.recipients.iter().any(DsnRecipient::is_soft_bounce)
    }
}

/// Parses the text of a `message/delivery-status` part. `original_message_id` comes from
/// the returned message or headers, which are separate MIME parts.
pub fn parse_delivery_status(text: &str, original_message_id: Option<String>) -> Dsn {
    let mut blocks: Vec<Vec<(String, String)>> = vec![Vec::new()];
    for raw in text.split('\n') {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.trim().is_empty() {
            if blocks.last().is_some_and(|b| !b.is_empty()) {
                blocks.push(Vec::new());
            }
            continue;
        }
        let Some(block) = blocks.last_mut() else { continue };
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = block.last_mut() {
                value.push(' ');
                value.push_str(line.trim());
            }
            continue;
        }
        if let Some((name, value)) = line.split_once(':') {
            block.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
        }
    }
    blocks.retain(|b| !b.is_empty());
    let field = |block: &[(String, String)], name: &str| block.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
    let mut reporting_mta = None;
    let mut recipients = Vec::new();
    for block in &blocks {
        if let Some(mta) = field(block, "reporting-mta") {
            reporting_mta.get_or_insert_with(|| without_type(&mta));
        }
        let Some(recipient) = field(block, "final-recipient").or_else(|| field(block, "original-recipient")) else {
            continue;
        };
        recipients.push(DsnRecipient {
            final_recipient: without_type(&recipient).to_ascii_lowercase(),
            action: field(block, "action")
                .map(|a| a.split_whitespace().next().unwrap_or("").to_ascii_lowercase())
                .unwrap_or_default(),
            status: field(block, "status")
                .map(|s| s.split_whitespace().next().unwrap_or("").to_string())
                .unwrap_or_default(),
            diagnostic: field(block, "diagnostic-code").map(|d| without_type(&d)),
        });
    }
    Dsn {
        reporting_mta,
        original_message_id,
        recipients,
    }
}

/// `rfc822; a@b` → `a@b` (RFC 3464 §2.1.2 address-type / mta-name-type prefixes).
fn without_type(value: &str) -> String {
    match value.split_once(';') {
        Some((_, rest)) => rest.trim().to_string(),
        None => value.trim().to_string(),
    }
}
