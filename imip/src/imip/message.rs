//! The RFC 5322 message around an invitation, in Google Calendar's MIME layout
//! (IMIP-INTEROP §1.1), which every major client shows with RSVP buttons:
//!
//! ```text
//! multipart/mixed
//!  ├─ multipart/alternative
//!  │   ├─ text/plain; charset=utf-8                  quoted-printable
//!  │   ├─ text/html; charset=utf-8                   quoted-printable
//!  │   └─ text/calendar; charset=utf-8; method=...   base64
//!  └─ application/ics; name="invite.ics"             base64, attachment, same bytes
//! ```
//!
//! Written by hand rather than with mail-builder's `MessageBuilder` because that picks
//! transfer encodings and boundaries itself (from the clock); here every part is
//! encoded, the output is 7-bit ASCII with CRLF only, and the same input gives the same
//! bytes. mail-builder still encodes the headers (RFC 2047 words, folding).

use super::encoding::{base64_lines, quoted_printable, tag};
use super::{ListUnsubscribe, Mailbox, Method};
use mail_builder::headers::Header;
use mail_builder::headers::address::Address;
use mail_builder::headers::date::Date;
use mail_builder::headers::message_id::MessageId;
use mail_builder::headers::text::Text;
use mail_builder::headers::url::URL;

/// Everything that goes into one message; addresses and ids are already validated.
pub(crate) struct MessageParts<'a> {
    pub from: Mailbox<'a>,
    pub to: Mailbox<'a>,
    pub subject: &'a str,
    pub date: i64,
    pub message_id: &'a str,
    pub list_unsubscribe: Option<ListUnsubscribe<'a>>,
    pub text_body: &'a str,
    pub html_body: &'a str,
    pub calendar: &'a str,
    pub method: Method,
}

/// File name of the attached copy, as Google names it.
const ATTACHMENT_NAME: &str = "invite.ics";

fn header(out: &mut Vec<u8>, name: &str, value: &impl Header) {
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b": ");
    value.write_header(out, name.len() + 2);
}

fn raw_header(out: &mut Vec<u8>, name: &str, value: &str) {
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b": ");
    out.extend_from_slice(value.as_bytes());
    out.extend_from_slice(b"\r\n");
}

/// A display name fit for a header: one line, trimmed (mail-builder encodes the rest).
fn display_name(name: Option<&str>) -> Option<String> {
    let name: String = name?.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    let name = name.trim();
    (!name.is_empty()).then(|| name.to_string())
}

/// The whole message, CRLF line ends, 7-bit ASCII.
pub(crate) fn write_message(p: &MessageParts<'_>) -> Vec<u8> {
    let mut out = Vec::with_capacity(p.calendar.len() * 3 + p.html_body.len() * 2 + p.text_body.len() * 2 + 2048);
    header(
        &mut out,
        "From",
        &Address::new_address(display_name(p.from.name), p.from.email),
    );
    header(
        &mut out,
        "To",
        &Address::new_address(display_name(p.to.name), p.to.email),
    );
    let subject: String = p
        .subject
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    // RFC 2047: non-ASCII subjects are sent as encoded words.
    header(&mut out, "Subject", &Text::new(subject.trim()));
    header(&mut out, "Date", &Date::new(p.date));
    header(&mut out, "Message-ID", &MessageId::new(p.message_id));
    if let Some(unsub) = &p.list_unsubscribe {
        let mailto = unsub.mailto.map(|m| format!("mailto:{m}"));
        let urls = std::iter::once(unsub.https_url.to_string()).chain(mailto);
        // RFC 2369 §3.2 and RFC 8058 §3.1: one-click unsubscribe by HTTPS POST.
        header(&mut out, "List-Unsubscribe", &URL::new_list(urls));
        raw_header(&mut out, "List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
    }
    raw_header(&mut out, "MIME-Version", "1.0");

    let seed = tag(p.message_id);
    let mixed = format!("=_m{seed}");
    let alternative = format!("=_a{seed}");
    raw_header(
        &mut out,
        "Content-Type",
        &format!("multipart/mixed; boundary=\"{mixed}\""),
    );
    out.extend_from_slice(b"\r\n");

    let mut body = String::new();
    body.push_str(&format!("--{mixed}\r\n"));
    body.push_str(&format!(
        "Content-Type: multipart/alternative; boundary=\"{alternative}\"\r\n\r\n"
    ));

    body.push_str(&format!("--{alternative}\r\n"));
    body.push_str("Content-Type: text/plain; charset=utf-8\r\n");
    body.push_str("Content-Transfer-Encoding: quoted-printable\r\n\r\n");
    body.push_str(&quoted_printable(p.text_body));

    body.push_str(&format!("--{alternative}\r\n"));
    body.push_str("Content-Type: text/html; charset=utf-8\r\n");
    body.push_str("Content-Transfer-Encoding: quoted-printable\r\n\r\n");
    body.push_str(&quoted_printable(p.html_body));

    let calendar = base64_lines(p.calendar.as_bytes());
    // RFC 6047 §2.4: the method parameter equals the object's METHOD; Outlook rejects a
    // mismatch (IMIP-INTEROP §1.2).
    body.push_str(&format!("--{alternative}\r\n"));
    body.push_str(&format!(
        "Content-Type: text/calendar; charset=utf-8; method={}\r\n",
        p.method.as_str()
    ));
    body.push_str("Content-Transfer-Encoding: base64\r\n\r\n");
    body.push_str(&calendar);
    body.push_str(&format!("--{alternative}--\r\n"));

    body.push_str(&format!("--{mixed}\r\n"));
    body.push_str(&format!(
        "Content-Type: application/ics; name=\"{ATTACHMENT_NAME}\"\r\n"
    ));
    body.push_str(&format!(
        "Content-Disposition: attachment; filename=\"{ATTACHMENT_NAME}\"\r\n"
    ));
    body.push_str("Content-Transfer-Encoding: base64\r\n\r\n");
    body.push_str(&calendar);
    body.push_str(&format!("--{mixed}--\r\n"));

    out.extend_from_slice(body.as_bytes());
    out
}
