//! Writing events on an organizer's behalf: the REST API's JSON becomes iCalendar here, an
//! organizer's edit is applied to the stored master VEVENT here, and an imported calendar
//! file is split into one calendar object resource per UID here.
//!
//! Everything is built with calcard's own types and written by its writer, so escaping
//! (RFC 5545 §3.3.11) and line folding (§3.1) are calcard's, the same as every object the
//! server sends. Pure functions: the server does the storing, through the CalDAV path.

mod build;
mod edit;
mod error;
mod split;
mod when;

pub use build::{EventDraft, build_event};
pub use edit::{EventPatch, edit_event};
pub use error::AuthorError;
pub use split::{Split, SplitEvent, SplitFailure, split_calendar};
pub use when::{EventTime, parse_zone};

use calcard::Entry;
use calcard::icalendar::{ICalendar, ICalendarComponentType, ICalendarEntry, ICalendarProperty, ICalendarValue};

/// PRODID of the objects the server writes (RFC 5545 §3.7.3).
const PRODID: &str = "-//calinvite//calinvite API//EN";

/// Parses exactly one VCALENDAR.
fn parse_calendar(bytes: &[u8]) -> Result<ICalendar, AuthorError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        AuthorError::NotICalendar(format!("not UTF-8 text (invalid byte at offset {})", e.valid_up_to()))
    })?;
    let mut parser = calcard::Parser::new(text);
    let ical = match parser.entry() {
        Entry::ICalendar(ical) => ical,
        Entry::InvalidLine(line) => {
            return Err(AuthorError::NotICalendar(format!(
                "unexpected line {:?}",
                line.chars().take(60).collect::<String>()
            )));
        }
        Entry::UnterminatedComponent(name) => {
            return Err(AuthorError::NotICalendar(format!("BEGIN:{name} is never ended")));
        }
        _ => return Err(AuthorError::NotICalendar("no VCALENDAR found".into())),
    };
    if ical
        .components
        .first()
        .is_none_or(|root| root.component_type != ICalendarComponentType::VCalendar)
    {
        return Err(AuthorError::NotICalendar(
            "the top-level component is not VCALENDAR".into(),
        ));
    }
    Ok(ical)
}

/// Writes a whole calendar (calcard folds and escapes).
fn write_calendar(ical: &ICalendar) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = ical.write_to(&mut out);
    out
}

fn text_entry(name: ICalendarProperty, value: &str) -> ICalendarEntry {
    ICalendarEntry::new(name).with_value(ICalendarValue::Text(value.to_string()))
}

/// An RRULE value as calcard reads it, refused unless it is a valid RFC 5545 §3.3.10
/// recurrence rule: the text is parsed inside a one-line snippet, so a value with line
/// breaks (which could inject properties) never gets that far.
fn rrule_entry(rule: &str) -> Result<ICalendarEntry, AuthorError> {
    let rule = rule.trim();
    let rule = rule.strip_prefix("RRULE:").unwrap_or(rule);
    if rule.is_empty() || rule.contains(['\r', '\n']) {
        return Err(AuthorError::InvalidRrule(rule.to_string()));
    }
    let snippet =
        format!("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nRRULE:{rule}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n");
    let ical = parse_calendar(snippet.as_bytes()).map_err(|_| AuthorError::InvalidRrule(rule.to_string()))?;
    ical.components
        .iter()
        .flat_map(|c| c.entries.iter())
        .find(|e| e.name == ICalendarProperty::Rrule)
        .filter(|e| matches!(e.values.first(), Some(ICalendarValue::RecurrenceRule(_))) && e.values.len() == 1)
        .cloned()
        .ok_or_else(|| AuthorError::InvalidRrule(rule.to_string()))
}
