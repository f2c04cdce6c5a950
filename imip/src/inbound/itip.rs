//! Reading the iTIP facts (RFC 5546) out of an inbound calendar object.
//!
//! The object is validated with the crate's calendar parser (`parse_itip`), then the few
//! values each method needs are read as written, leniently: replies from Outlook have no
//! ORGANIZER, DTSTART and SUMMARY are optional in REPLY (RFC 5546 §3.2.3), Google puts the
//! attendee's note in an `X-RESPONSE-COMMENT` parameter, and RECURRENCE-IDs are turned into
//! instants because clients send them in UTC while DTSTART has a TZID.

use super::error::InboundError;
use super::lines::{Component, Line, address_of, components, unescape_text, value_instant};
use super::message::ItipPart;
use crate::ical::tz::ZoneTable;
use crate::ical::{CalendarObject, Limits};

/// RFC 5546 §3.2.3: an attendee's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyFacts {
    pub uid: String,
    /// The occurrence answered, as a UTC instant; `None` for the whole series.
    pub recurrence_id: Option<i64>,
    /// The replying attendee's address, lower case, without `mailto:`.
    pub attendee: String,
    /// ACCEPTED, DECLINED, TENTATIVE, DELEGATED or NEEDS-ACTION (upper case).
    pub partstat: String,
    /// 0 when absent.
    pub sequence: u32,
    pub dtstamp: Option<i64>,
    /// COMMENT, or Google's `X-RESPONSE-COMMENT` attendee parameter.
    pub comment: Option<String>,
    /// Absent in Outlook/Exchange replies.
    pub organizer: Option<String>,
    /// Other attendees that also answered (an ambiguous reply), lower case.
    pub other_answering_attendees: Vec<String>,
}

/// RFC 5546 §3.2.2: an invitation or update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestFacts {
    pub uid: String,
    pub sequence: u32,
    pub dtstamp: Option<i64>,
    pub organizer: Option<String>,
    pub summary: Option<String>,
    /// RECURRENCE-IDs of the overridden occurrences carried, as UTC instants.
    pub recurrence_ids: Vec<i64>,
    /// Whether the series master (a component without RECURRENCE-ID) is present.
    pub has_master: bool,
    /// ATTENDEEs of the first component.
    pub attendee_count: usize,
    /// TZIDs that are Windows zone names (Outlook/Exchange).
    pub windows_tzids: Vec<String>,
    /// The VCALENDAR without METHOD: what would be stored (RFC 4791 §4.1).
    pub calendar: String,
}

/// RFC 5546 §3.2.5: a cancellation of the series or of some occurrences.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CancelFacts {
    pub uid: String,
    pub sequence: u32,
    pub organizer: Option<String>,
    /// Empty when the whole series is cancelled.
    pub recurrence_ids: Vec<i64>,
}

/// RFC 5546 §3.2.6: an attendee asks for the current version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshFacts {
    pub uid: String,
    pub attendee: Option<String>,
    pub recurrence_id: Option<i64>,
}

/// RFC 5546 §3.2.7: an attendee proposes another time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CounterFacts {
    pub uid: String,
    pub attendee: Option<String>,
    pub dtstart: Option<i64>,
    pub dtend: Option<i64>,
    pub comment: Option<String>,
}

/// The interpreted iTIP message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Itip {
    Request(RequestFacts),
    Cancel(CancelFacts),
    Reply(ReplyFacts),
    Refresh(RefreshFacts),
    Counter(CounterFacts),
    /// ADD, DECLINECOUNTER, or an unknown method: carried for logging.
    Other(String),
}

/// Interprets the iTIP object of a message.
pub fn interpret(part: &ItipPart) -> Result<Itip, InboundError> {
    let text = with_version(&part.calendar);
    let object = CalendarObject::parse_itip(text.as_bytes(), &Limits::default())
        .map_err(|e| InboundError::InvalidCalendar(e.to_string()))?;
    let zones = object.zones();
    let (_, mut comps) = components(&text);
    // RFC 5546 §1.4: iTIP acts on the scheduling components; anything else is ignored here.
    comps.retain(|c| matches!(c.name.as_str(), "VEVENT" | "VTODO" | "VJOURNAL" | "VFREEBUSY"));
    let method = part.method.to_ascii_uppercase();
    let uid = object.uid().to_string();
    let Some(first) = comps.first() else {
        return Err(InboundError::InvalidCalendar("no VEVENT or VTODO".into()));
    };
    if uid.is_empty() && matches!(method.as_str(), "REPLY" | "CANCEL" | "REFRESH" | "COUNTER") {
        return Err(InboundError::MissingUid { method });
    }
    let rid = |c: &Component| c.first("RECURRENCE-ID").and_then(|l| instant(l, zones));
    let rids: Vec<i64> = comps.iter().filter_map(rid).collect();
    Ok(match method.as_str() {
        "REQUEST" => {
            let windows_tzids = calendar_tzids(&text)
                .into_iter()
                .filter(|t| is_windows_name(t))
                .collect();
            Itip::Request(RequestFacts {
                uid,
                sequence: sequence(first),
                dtstamp: first.first("DTSTAMP").and_then(|l| instant(l, zones)),
                organizer: first.first("ORGANIZER").and_then(address_of),
                summary: object.summary().map(str::to_string),
                recurrence_ids: rids,
                has_master: comps.iter().any(|c| c.first("RECURRENCE-ID").is_none()),
                attendee_count: first.all("ATTENDEE").count(),
                windows_tzids,
                calendar: without_method(&text),
            })
        }
        "CANCEL" => Itip::Cancel(CancelFacts {
            uid,
            sequence: comps.iter().map(sequence).max().unwrap_or(0),
            organizer: first.first("ORGANIZER").and_then(address_of),
            recurrence_ids: rids,
        }),
        "REPLY" => Itip::Reply(reply(uid, first, zones)?),
        "REFRESH" => Itip::Refresh(RefreshFacts {
            uid,
            attendee: first.first("ATTENDEE").and_then(address_of),
            recurrence_id: rid(first),
        }),
        "COUNTER" => Itip::Counter(CounterFacts {
            uid,
            attendee: first.first("ATTENDEE").and_then(address_of),
            dtstart: first.first("DTSTART").and_then(|l| instant(l, zones)),
            dtend: first.first("DTEND").and_then(|l| instant(l, zones)),
            comment: first.first("COMMENT").map(|l| unescape_text(&l.value)),
        }),
        _ => Itip::Other(method),
    })
}

fn reply(uid: String, comp: &Component, zones: &ZoneTable) -> Result<ReplyFacts, InboundError> {
    let attendees: Vec<&Line> = comp.all("ATTENDEE").collect();
    if attendees.is_empty() {
        return Err(InboundError::ReplyWithoutAttendee { uid });
    }
    let partstat = |l: &Line| l.param("PARTSTAT").map(|p| p.trim().to_ascii_uppercase());
    // RFC 5546 §3.2.3: one attendee answers; prefer the one that actually answered.
    let answering: Vec<&Line> = attendees
        .iter()
        .copied()
        .filter(|l| partstat(l).is_some_and(|p| p != "NEEDS-ACTION"))
        .collect();
    let chosen = answering.first().copied().or_else(|| attendees.first().copied());
    let Some(chosen) = chosen else {
        return Err(InboundError::ReplyWithoutAttendee { uid });
    };
    let Some(attendee) = address_of(chosen) else {
        return Err(InboundError::ReplyWithoutAttendee { uid });
    };
    let Some(partstat) = partstat(chosen) else {
        return Err(InboundError::ReplyWithoutPartstat { uid, attendee });
    };
    let other_answering_attendees = answering.iter().skip(1).filter_map(|l| address_of(l)).collect();
    let comment = comp
        .first("COMMENT")
        .map(|l| unescape_text(&l.value))
        .or_else(|| chosen.param("X-RESPONSE-COMMENT").map(str::to_string))
        .filter(|c| !c.trim().is_empty());
    Ok(ReplyFacts {
        uid,
        recurrence_id: comp.first("RECURRENCE-ID").and_then(|l| instant(l, zones)),
        attendee,
        partstat,
        sequence: sequence(comp),
        dtstamp: comp.first("DTSTAMP").and_then(|l| instant(l, zones)),
        comment,
        organizer: comp.first("ORGANIZER").and_then(address_of),
        other_answering_attendees,
    })
}

fn sequence(comp: &Component) -> u32 {
    comp.first("SEQUENCE")
        .and_then(|l| l.value.trim().parse().ok())
        .unwrap_or(0)
}

/// The first value of a DATE or DATE-TIME property as a UTC instant (see
/// [`value_instant`]).
fn instant(line: &Line, zones: &ZoneTable) -> Option<i64> {
    value_instant(line.value.split(',').next()?, line.param("TZID"), zones)
}

/// RFC 5545 §3.7.4 makes VERSION required, but some senders (and Thunderbird's own test
/// messages) leave it out while everything else is iCalendar 2.0: add it rather than drop
/// the invitation.
pub(crate) fn with_version(text: &str) -> String {
    let (calendar, _) = components(text);
    let starts_with_begin = text
        .get(..15)
        .is_some_and(|p| p.eq_ignore_ascii_case("BEGIN:VCALENDAR"));
    if calendar.first("VERSION").is_some() || !starts_with_begin {
        return text.to_string();
    }
    let Some(begin) = text.find(['\n']) else {
        return text.to_string();
    };
    let (head, tail) = text.split_at(begin + 1);
    let newline = if head.ends_with("\r\n") { "\r\n" } else { "\n" };
    format!("{head}VERSION:2.0{newline}{tail}")
}

/// The TZIDs of the object's VTIMEZONEs.
fn calendar_tzids(text: &str) -> Vec<String> {
    let mut in_tz = false;
    let mut out = Vec::new();
    for line in super::lines::content_lines(text) {
        match (line.name.as_str(), line.value.trim().to_ascii_uppercase().as_str()) {
            ("BEGIN", "VTIMEZONE") => in_tz = true,
            ("END", "VTIMEZONE") => in_tz = false,
            ("TZID", _) if in_tz => out.push(line.value.trim().trim_matches('"').to_string()),
            _ => {}
        }
    }
    out
}

/// Windows zone names end in "Standard Time" (CLDR windowsZones.xml), sometimes with a
/// numeric suffix; "(UTC...)" labels are the display form Outlook also uses.
fn is_windows_name(tzid: &str) -> bool {
    let t = tzid.trim().trim_end_matches(|c: char| c.is_ascii_digit() || c == ' ');
    t.ends_with("Standard Time") || t.starts_with("(UTC") || t.starts_with("(GMT")
}

/// The object with its METHOD line removed (RFC 4791 §4.1: stored objects carry none).
fn without_method(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut skipping = false;
    for line in text.split_inclusive('\n') {
        if line.starts_with([' ', '\t']) {
            if !skipping {
                out.push_str(line);
            }
            continue;
        }
        skipping = line
            .get(..7)
            .is_some_and(|p| p.eq_ignore_ascii_case("METHOD:") || p.eq_ignore_ascii_case("METHOD;"));
        if !skipping {
            out.push_str(line);
        }
    }
    out
}
