//! Finding the calendar object (or the bounce report) in an inbound mail message.
//!
//! Clients disagree on where they put iCalendar data (IMIP-INTEROP §1 rule 6, §3.1):
//! Google sends it inline and again as `application/ics`, Apple omits the `method=`
//! parameter, Lotus Notes nests it in multipart/related and attaches a `text/plain` .ics
//! copy, forwards wrap it in `message/rfc822`, bounces wrap our own REQUEST in a
//! `multipart/report`. So the whole MIME tree is walked, every candidate is collected, and
//! copies of the same object are counted once, preferring the inline `text/calendar` part
//! (RFC 6047 §2.4). mail-parser does the lenient MIME and charset decoding; recursion into
//! attached messages is bounded by [`MAX_DEPTH`].

use super::auth::{AuthResult, parse_authentication_results};
use super::dsn::{Dsn, parse_delivery_status};
use super::error::InboundError;
use super::lines::components;
use mail_parser::{Address, Message, MessageParser, MessagePart, MimeHeaders, PartType};

/// How deeply attached messages (`message/rfc822`) are followed.
pub const MAX_DEPTH: usize = 20;

/// A mail address with its display name; the address is lower-cased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mailbox {
    pub email: String,
    pub name: Option<String>,
}

/// Where in the message the calendar object was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CalendarSource {
    /// An inline `text/calendar` body part (RFC 6047 §2.4).
    InlinePart,
    /// An attachment: `application/ics`, a `*.ics` file, or a `text/calendar` marked as
    /// attachment (Apple Mail).
    Attachment,
}

/// The iTIP object carried by a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItipPart {
    /// The iTIP method, upper case: METHOD from the object, else the `method=` parameter.
    pub method: String,
    /// The calendar object as UTF-8 text.
    pub calendar: String,
    pub source: CalendarSource,
    /// How many MIME parts carried this same object (2 for Google's inline + attachment).
    pub copies: usize,
}

/// What the message carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Payload {
    Itip(ItipPart),
    /// A delivery status notification (RFC 3464), typically a bounce of our own REQUEST:
    /// never to be read as a new invitation.
    DeliveryStatus(Dsn),
    /// The meeting is inside Microsoft TNEF (`application/ms-tnef`, winmail.dat), which
    /// calinvite does not decode.
    Tnef {
        reason: String,
    },
    /// No usable iTIP data (no calendar part, or PUBLISH / no METHOD).
    None {
        reason: String,
    },
}

/// The facts of one inbound message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inbound {
    /// Message-ID without the angle brackets.
    pub message_id: Option<String>,
    pub from: Option<Mailbox>,
    pub sender: Option<Mailbox>,
    pub reply_to: Option<Mailbox>,
    /// The To and Cc addresses, lower case (a reply token may be in them, see
    /// `mail.reply_tokens`, when the REPLY itself names no ORGANIZER, as Outlook.com's).
    pub to: Vec<String>,
    pub subject: Option<String>,
    /// The Date header as seconds since the epoch (UTC).
    pub date: Option<i64>,
    /// RFC 3834 §5: `Auto-Submitted` present with a value other than `no`.
    pub auto_submitted: bool,
    pub authentication_results: Vec<AuthResult>,
    pub payload: Payload,
    /// Oddities worth logging (method parameter disagreeing with METHOD, several objects).
    pub notes: Vec<String>,
}

/// Parses a raw RFC 5322 message. The caller enforces the size limit.
pub fn parse_message(raw: &[u8]) -> Result<Inbound, InboundError> {
    let message = MessageParser::default()
        .parse(raw)
        .ok_or_else(|| InboundError::Unparseable("no header block found".into()))?;
    if message.headers().is_empty() {
        return Err(InboundError::Unparseable("no header fields found".into()));
    }
    let mut notes = Vec::new();
    let auth_values: Vec<&str> = message
        .headers()
        .iter()
        .filter(|h| h.name().eq_ignore_ascii_case("Authentication-Results"))
        .filter_map(|h| h.value().as_text())
        .collect();
    let auto_submitted = message
        .headers()
        .iter()
        .filter(|h| h.name().eq_ignore_ascii_case("Auto-Submitted"))
        .filter_map(|h| h.value().as_text())
        .any(|v| !v.trim().eq_ignore_ascii_case("no"));
    let payload = match delivery_status(&message) {
        Some(dsn) => Payload::DeliveryStatus(dsn),
        None => find_itip(&message, &mut notes),
    };
    Ok(Inbound {
        message_id: message.message_id().map(strip_angles),
        from: first_mailbox(message.from()),
        sender: first_mailbox(message.sender()),
        reply_to: first_mailbox(message.reply_to()),
        to: [message.to(), message.cc()]
            .into_iter()
            .flatten()
            .flat_map(|a| a.iter())
            .filter_map(|a| a.address())
            .map(|a| a.trim().to_ascii_lowercase())
            .filter(|a| !a.is_empty())
            .collect(),
        subject: message.subject().map(str::to_string),
        date: message.date().map(|d| d.to_timestamp()),
        auto_submitted,
        authentication_results: parse_authentication_results(&auth_values),
        payload,
        notes,
    })
}

fn strip_angles(id: &str) -> String {
    id.trim().trim_start_matches('<').trim_end_matches('>').to_string()
}

fn first_mailbox(addr: Option<&Address<'_>>) -> Option<Mailbox> {
    let first = addr?.first()?;
    let email = first.address()?.trim().to_ascii_lowercase();
    if email.is_empty() {
        return None;
    }
    Some(Mailbox {
        email,
        name: first.name().map(str::to_string).filter(|n| !n.is_empty()),
    })
}

fn content_type_is(part: &MessagePart<'_>, ty: &str, sub: &str) -> bool {
    part.content_type().is_some_and(|ct| {
        ct.ctype().eq_ignore_ascii_case(ty) && ct.subtype().is_some_and(|s| s.eq_ignore_ascii_case(sub))
    })
}

/// RFC 3462/6522: `multipart/report; report-type=delivery-status` at the top level.
fn delivery_status(message: &Message<'_>) -> Option<Dsn> {
    let root = message.parts.first()?;
    let is_report = content_type_is(root, "multipart", "report")
        && root
            .content_type()
            .and_then(|ct| ct.attribute("report-type"))
            .is_some_and(|t| t.eq_ignore_ascii_case("delivery-status"));
    if !is_report {
        return None;
    }
    let status = message.parts.iter().find(|p| {
        content_type_is(p, "message", "delivery-status") || content_type_is(p, "message", "global-delivery-status")
    })?;
    let text = part_text(status)?;
    let original = message.parts.iter().find_map(|p| match &p.body {
        PartType::Message(inner) => inner.message_id().map(strip_angles),
        _ if content_type_is(p, "text", "rfc822-headers") => part_text(p).and_then(|headers| {
            MessageParser::default()
                .parse_headers(headers.as_bytes())
                .and_then(|m| m.message_id().map(strip_angles))
        }),
        _ => None,
    });
    Some(parse_delivery_status(&text, original))
}

/// A body part's text: decoded by mail-parser for text/*, else read as UTF-8 with a
/// windows-1252 fallback (IMIP-INTEROP §3.3).
fn part_text(part: &MessagePart<'_>) -> Option<String> {
    match &part.body {
        PartType::Text(t) | PartType::Html(t) => Some(t.to_string()),
        PartType::Binary(b) | PartType::InlineBinary(b) => Some(match std::str::from_utf8(b) {
            Ok(s) => s.to_string(),
            Err(_) => b.iter().map(|&c| windows_1252(c)).collect(),
        }),
        _ => None,
    }
}

/// windows-1252 is ISO-8859-1 except for 0x80..0x9F; those few are mapped by hand.
fn windows_1252(byte: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž', '\u{8f}', '\u{90}', '‘',
        '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}', 'ž', 'Ÿ',
    ];
    match byte {
        0x80..=0x9f => HIGH.get(usize::from(byte - 0x80)).copied().unwrap_or('\u{fffd}'),
        _ => char::from(byte),
    }
}

/// One calendar-bearing MIME part.
struct Candidate {
    text: String,
    param_method: Option<String>,
    source: CalendarSource,
}

#[derive(Default)]
struct Walk {
    candidates: Vec<Candidate>,
    tnef: bool,
    too_deep: bool,
}

fn walk(message: &Message<'_>, depth: usize, out: &mut Walk) {
    for part in &message.parts {
        match &part.body {
            PartType::Multipart(_) => continue,
            PartType::Message(inner) => {
                if depth + 1 >= MAX_DEPTH {
                    out.too_deep = true;
                } else {
                    walk(inner, depth + 1, out);
                }
                continue;
            }
            _ => {}
        }
        let name = part.attachment_name().map(|n| n.trim().to_ascii_lowercase());
        if content_type_is(part, "application", "ms-tnef")
            || content_type_is(part, "application", "vnd.ms-tnef")
            || name.as_deref() == Some("winmail.dat")
        {
            out.tnef = true;
            continue;
        }
        let is_text_calendar = content_type_is(part, "text", "calendar");
        let is_calendar = is_text_calendar
            || content_type_is(part, "application", "ics")
            || name.as_deref().is_some_and(|n| n.ends_with(".ics"));
        if !is_calendar {
            continue;
        }
        let Some(text) = part_text(part) else { continue };
        let is_attachment = part.content_disposition().is_some_and(|d| d.is_attachment());
        let source = if is_text_calendar && !is_attachment {
            CalendarSource::InlinePart
        } else {
            CalendarSource::Attachment
        };
        let param_method = part
            .content_type()
            .and_then(|ct| ct.attribute("method"))
            .map(|m| m.trim().to_ascii_uppercase())
            .filter(|m| !m.is_empty());
        out.candidates.push(Candidate {
            text,
            param_method,
            source,
        });
    }
}

/// METHOD and the identifying values of each component.
type ObjectKey = (Option<String>, Vec<Vec<String>>);

/// The identity of an object for de-duplication (IMIP-INTEROP §3.1): METHOD and, per
/// component, UID, RECURRENCE-ID, SEQUENCE and DTSTAMP.
fn object_key(text: &str) -> ObjectKey {
    let (calendar, comps) = components(text);
    let method = calendar.first("METHOD").map(|l| l.value.trim().to_ascii_uppercase());
    let keys = comps
        .iter()
        .map(|c| {
            ["UID", "RECURRENCE-ID", "SEQUENCE", "DTSTAMP"]
                .iter()
                .map(|n| c.first(n).map(|l| l.value.trim().to_string()).unwrap_or_default())
                .collect()
        })
        .collect();
    (method, keys)
}

fn find_itip(message: &Message<'_>, notes: &mut Vec<String>) -> Payload {
    let mut found = Walk::default();
    walk(message, 0, &mut found);
    if found.too_deep {
        notes.push(format!(
            "attached messages nested deeper than {MAX_DEPTH} levels were not read"
        ));
    }
    // Inline text/calendar first, so it is the copy kept (RFC 6047 §2.4).
    found.candidates.sort_by_key(|c| c.source != CalendarSource::InlinePart);
    let mut objects: Vec<(ItipPart, ObjectKey)> = Vec::new();
    let mut not_itip: Option<String> = None;
    for cand in found.candidates {
        let key = object_key(&cand.text);
        if let Some((part, _)) = objects.iter_mut().find(|(_, k)| *k == key) {
            part.copies += 1;
            continue;
        }
        let object_method = key.0.clone();
        let method = match (&object_method, &cand.param_method) {
            (Some(obj), Some(param)) if obj != param => {
                notes.push(format!(
                    "the part's method={param} disagrees with METHOD:{obj} in the object; METHOD wins"
                ));
                obj.clone()
            }
            (Some(obj), _) => obj.clone(),
            // RFC 5546 §3.1: METHOD is what makes an object iTIP; a `method=` parameter on
            // an object without it (Lotus Notes) is not enough (IMIP-INTEROP §1 rule 6).
            (None, Some(param)) => {
                not_itip.get_or_insert_with(|| {
                    format!("not iTIP: the calendar object has no METHOD (the part says method={param})")
                });
                continue;
            }
            (None, None) => {
                not_itip.get_or_insert_with(|| "not iTIP: the calendar object has no METHOD".into());
                continue;
            }
        };
        if method == "PUBLISH" {
            not_itip.get_or_insert_with(|| "not iTIP: METHOD:PUBLISH".into());
            continue;
        }
        objects.push((
            ItipPart {
                method,
                calendar: cand.text,
                source: cand.source,
                copies: 1,
            },
            key,
        ));
    }
    if objects.len() > 1 {
        notes.push(format!(
            "the message carries {} different calendar objects; only the first is used",
            objects.len()
        ));
    }
    if let Some((part, _)) = objects.into_iter().next() {
        return Payload::Itip(part);
    }
    if found.tnef {
        return Payload::Tnef {
            reason: "the meeting is in a TNEF (application/ms-tnef, winmail.dat) part, which is not supported; ask the sender to send iCalendar (disable Outlook rich text for this recipient)".into(),
        };
    }
    Payload::None {
        reason: not_itip.unwrap_or_else(|| "no calendar data: no text/calendar, application/ics or .ics part".into()),
    }
}
