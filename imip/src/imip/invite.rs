//! `build_invite`: one iMIP message (RFC 6047) for one recipient, from the organizer's
//! stored event. It checks the inputs that end up in headers, builds the iTIP object and
//! wraps it; the caller supplies the clock, the ids and the rendered bodies.

use super::error::BuildError;
use super::itip_object::{ItipParams, itip_calendar};
use super::message::{MessageParts, write_message};
use super::{ListUnsubscribe, Mailbox, Method};

/// What one invitation is built from.
#[derive(Debug, Clone, Copy)]
pub struct InviteInput<'a> {
    /// The organizer's stored VCALENDAR (no METHOD; a METHOD present is ignored).
    pub event: &'a [u8],
    pub method: Method,
    /// The SEQUENCE for this send (RFC 5546 §2.1.4: raised on every significant change).
    pub sequence: u32,
    /// Send only this occurrence: its RECURRENCE-ID value as in the object (`20250310`,
    /// `20250310T090000` in the master's zone, or `20250310T080000Z`); compared as an
    /// instant.
    pub recurrence_id: Option<&'a str>,
    /// The server's mailbox: From and ORGANIZER (may carry a reply token).
    pub organizer: Mailbox<'a>,
    pub recipient: Mailbox<'a>,
    /// DTSTAMP: now, seconds since the epoch (UTC).
    pub dtstamp: i64,
    /// Message-ID without angle brackets; the caller makes it unique.
    pub message_id: &'a str,
    /// The Date: header, seconds since the epoch.
    pub date: i64,
    pub subject: &'a str,
    pub text_body: &'a str,
    pub html_body: &'a str,
    pub list_unsubscribe: Option<ListUnsubscribe<'a>>,
}

/// A built invitation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invite {
    /// The RFC 5322 message: CRLF line ends, 7-bit ASCII.
    pub raw: Vec<u8>,
    /// The iCalendar object inside it (both calendar parts carry these bytes).
    pub calendar: String,
}

/// Builds the message for `input.recipient`.
pub fn build_invite(input: &InviteInput<'_>) -> Result<Invite, BuildError> {
    check_address("organizer", input.organizer.email)?;
    check_address("recipient", input.recipient.email)?;
    check_header("Message-ID", input.message_id, |c| !matches!(c, '<' | '>'))?;
    if !input.message_id.contains('@') {
        return Err(BuildError::InvalidHeader {
            field: "Message-ID",
            value: input.message_id.to_string(),
        });
    }
    if let Some(unsub) = &input.list_unsubscribe {
        // RFC 8058 §3.1: the one-click target must be HTTPS.
        if !unsub.https_url.starts_with("https://") {
            return Err(BuildError::InvalidHeader {
                field: "List-Unsubscribe URL",
                value: unsub.https_url.to_string(),
            });
        }
        check_header("List-Unsubscribe URL", unsub.https_url, |c| {
            !matches!(c, '<' | '>' | ',')
        })?;
        if let Some(mailto) = unsub.mailto {
            check_header("List-Unsubscribe mailto", mailto, |c| !matches!(c, '<' | '>' | ','))?;
        }
    }
    let calendar = itip_calendar(
        input.event,
        &ItipParams {
            method: input.method,
            sequence: input.sequence,
            recurrence_id: input.recurrence_id,
            organizer: input.organizer,
            recipient: input.recipient,
            dtstamp: input.dtstamp,
        },
    )?;
    let raw = write_message(&MessageParts {
        from: input.organizer,
        to: input.recipient,
        subject: input.subject,
        date: input.date,
        message_id: input.message_id,
        list_unsubscribe: input.list_unsubscribe,
        text_body: input.text_body,
        html_body: input.html_body,
        calendar: &calendar,
        method: input.method,
    });
    Ok(Invite { raw, calendar })
}

/// A plain ASCII `local@domain` (no SMTPUTF8): safe in a header and in a CAL-ADDRESS.
fn check_address(field: &'static str, address: &str) -> Result<(), BuildError> {
    let bad = || BuildError::InvalidAddress {
        field,
        address: address.to_string(),
    };
    let (local, domain) = address.rsplit_once('@').ok_or_else(bad)?;
    let allowed = |c: char| {
        c.is_ascii_graphic()
            && !matches!(
                c,
                '<' | '>' | '(' | ')' | '[' | ']' | '\\' | ',' | ';' | ':' | '"' | '@'
            )
    };
    if local.is_empty() || domain.is_empty() || !local.chars().all(allowed) || !domain.chars().all(allowed) {
        return Err(bad());
    }
    Ok(())
}

/// Printable ASCII without spaces, and whatever `extra` forbids.
fn check_header(field: &'static str, value: &str, extra: impl Fn(char) -> bool) -> Result<(), BuildError> {
    if value.is_empty() || !value.chars().all(|c| c.is_ascii_graphic() && extra(c)) {
        return Err(BuildError::InvalidHeader {
            field,
            value: value.to_string(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_that_could_break_a_header_are_refused() {
        assert!(check_address("recipient", "a+tok@example.org").is_ok());
        for bad in [
            "",
            "a",
            "@x",
            "a@",
            "a b@x",
            "a@x\r\nBcc: y@z",
            "a<b@x",
            "jürgen@x.de",
            "a,b@x",
        ] {
            assert!(check_address("recipient", bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn message_ids_with_brackets_or_spaces_are_refused() {
        assert!(check_header("Message-ID", "abc@x", |c| !matches!(c, '<' | '>')).is_ok());
        assert!(check_header("Message-ID", "<abc@x>", |c| !matches!(c, '<' | '>')).is_err());
        assert!(check_header("Message-ID", "a c@x", |c| !matches!(c, '<' | '>')).is_err());
    }
}
