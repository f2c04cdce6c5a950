//! The iTIP object sent to one attendee (RFC 5546 §3.2.2 REQUEST, §3.2.5 CANCEL).
//!
//! Each recipient gets their own copy in which they are the only ATTENDEE: that is what
//! makes Gmail, Outlook, Apple and Thunderbird show RSVP buttons (IMIP-INTEROP §1.4), and
//! it keeps the other guests' addresses private. The ORGANIZER is the server's mailbox
//! (the From address, possibly with a reply token) so replies come back to us. The
//! organizer's alarms are dropped: they are reminders for the organizer, not the guest.
//!
//! A TZID without a VTIMEZONE in the stored object is sent as is: the stored object is
//! what the organizer's client wrote, and every client we target resolves IANA and Windows
//! names by themselves. Nothing is invented.

use super::error::BuildError;
use super::frame::{Frame, ensure_value_date, utc_value};
use super::{Mailbox, Method, occurrence};
use crate::ical::CalendarObject;
use calcard::icalendar::{
    ICalendar, ICalendarComponent, ICalendarComponentType, ICalendarEntry, ICalendarParameter, ICalendarParameterName,
    ICalendarParameterValue, ICalendarParticipationRole, ICalendarParticipationStatus, ICalendarProperty,
    ICalendarStatus, ICalendarValue, Uri,
};
use std::collections::BTreeSet;

/// PRODID of everything calinvite sends (RFC 5545 §3.7.3).
pub(crate) const PRODID: &str = "-//calinvite//calinvite//EN";

/// What varies per recipient and per send.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ItipParams<'a> {
    pub method: Method,
    pub sequence: u32,
    pub recurrence_id: Option<&'a str>,
    pub organizer: Mailbox<'a>,
    pub recipient: Mailbox<'a>,
    pub dtstamp: i64,
}

/// The iCalendar text (CRLF, folded at 75 octets) sent to `p.recipient`.
pub(crate) fn itip_calendar(event: &[u8], p: &ItipParams<'_>) -> Result<String, BuildError> {
    let obj = super::facts::parse_stored_event(event)?;
    if obj.uid().is_empty() {
        return Err(BuildError::MissingUid);
    }
    let ical = obj.ical();
    let mut events = Vec::new();
    for comp in occurrence::select(&obj, p.recurrence_id, p.method)? {
        events.push(rewrite(comp, &obj, p)?);
    }

    let referenced: BTreeSet<&str> = events
        .iter()
        .flat_map(|c| c.entries.iter())
        .flat_map(|e| e.params.iter())
        .filter(|param| param.name == ICalendarParameterName::Tzid)
        .filter_map(|param| match &param.value {
            ICalendarParameterValue::Text(tzid) => Some(tzid.trim_matches('"')),
            _ => None,
        })
        .collect();

    let mut out = String::with_capacity(event.len());
    out.push_str("BEGIN:VCALENDAR\r\n");
    out.push_str("PRODID:");
    out.push_str(PRODID);
    out.push_str("\r\nVERSION:2.0\r\nCALSCALE:GREGORIAN\r\n");
    // RFC 5546 §1.4: METHOD makes the object an iTIP message; RFC 6047 §2.4 repeats it in
    // the Content-Type.
    out.push_str("METHOD:");
    out.push_str(p.method.as_str());
    out.push_str("\r\n");
    let root_children = ical
        .components
        .first()
        .map(|root| root.component_ids.as_slice())
        .unwrap_or_default();
    for id in root_children {
        let Some(comp) = ical.components.get(*id as usize) else {
            continue;
        };
        if comp.component_type != ICalendarComponentType::VTimezone {
            continue;
        }
        let tzid = comp
            .property(&ICalendarProperty::Tzid)
            .and_then(|e| e.values.first())
            .and_then(|v| v.as_text())
            .map(|t| t.trim_matches('"'));
        // RFC 5546 §3.2.2: a VTIMEZONE for every TZID sent, and no others.
        if tzid.is_some_and(|t| referenced.contains(t)) {
            write_component(&mut out, ical, comp);
        }
    }
    for comp in &events {
        write_component(&mut out, ical, comp);
    }
    out.push_str("END:VCALENDAR\r\n");
    Ok(out)
}

/// Properties replaced per recipient, or that would leak the organizer's own state.
fn replaced(name: &ICalendarProperty, method: Method) -> bool {
    match name {
        ICalendarProperty::Organizer
        | ICalendarProperty::Attendee
        | ICalendarProperty::Sequence
        | ICalendarProperty::Dtstamp
        | ICalendarProperty::Method => true,
        ICalendarProperty::Status => method == Method::Cancel,
        // Outlook's copy of the sender's address; the sender is now the server.
        ICalendarProperty::Other(name) => name.eq_ignore_ascii_case("X-MS-OLK-SENDER"),
        _ => false,
    }
}

fn is_cdo_sequence(name: &ICalendarProperty) -> bool {
    matches!(name, ICalendarProperty::Other(n) if n.eq_ignore_ascii_case("X-MICROSOFT-CDO-APPT-SEQUENCE"))
}

/// One VEVENT as this recipient receives it.
fn rewrite(
    mut comp: ICalendarComponent,
    obj: &CalendarObject,
    p: &ItipParams<'_>,
) -> Result<ICalendarComponent, BuildError> {
    let Some(dtstart) = comp.property(&ICalendarProperty::Dtstart).cloned() else {
        return Err(BuildError::MissingDtstart {
            uid: obj.uid().to_string(),
        });
    };
    comp.entries.retain(|e| !replaced(&e.name, p.method));
    for entry in &mut comp.entries {
        if is_cdo_sequence(&entry.name) {
            // Outlook compares this, not SEQUENCE, when both are present.
            entry.values = vec![ICalendarValue::Integer(i64::from(p.sequence))];
        }
        ensure_value_date(entry);
    }
    // RFC 5546 §3.2.2 / §3.2.5: the recipient sees when the event is, CANCEL included.
    let has_end = comp
        .entries
        .iter()
        .any(|e| matches!(e.name, ICalendarProperty::Dtend | ICalendarProperty::Duration));
    if !has_end {
        comp.entries.push(default_end(&dtstart, obj));
    }
    comp.entries.push(ICalendarEntry {
        name: ICalendarProperty::Dtstamp,
        params: Vec::new(),
        values: vec![ICalendarValue::PartialDateTime(Box::new(utc_value(p.dtstamp)))],
    });
    comp.entries.push(ICalendarEntry {
        name: ICalendarProperty::Sequence,
        params: Vec::new(),
        values: vec![ICalendarValue::Integer(i64::from(p.sequence))],
    });
    comp.entries.push(organizer_entry(p.organizer));
    comp.entries.push(attendee_entry(p.recipient, p.method));
    if p.method == Method::Cancel {
        comp.entries.push(ICalendarEntry {
            name: ICalendarProperty::Status,
            params: Vec::new(),
            values: vec![ICalendarValue::Status(ICalendarStatus::Cancelled)],
        });
    }
    // The organizer's VALARMs are not the attendee's; PARTICIPANT (RFC 9073) lists
    // other guests.
    let keep: Vec<u32> = comp
        .component_ids
        .iter()
        .copied()
        .filter(|id| {
            obj.ical().components.get(*id as usize).is_some_and(|c| {
                !matches!(
                    c.component_type,
                    ICalendarComponentType::VAlarm | ICalendarComponentType::Participant
                )
            })
        })
        .collect();
    comp.component_ids = keep;
    Ok(comp)
}

/// RFC 5545 §3.6.1: without DTEND or DURATION a DATE event lasts one day and a DATE-TIME
/// event ends when it starts; written out because some clients guess otherwise.
fn default_end(dtstart: &ICalendarEntry, obj: &CalendarObject) -> ICalendarEntry {
    let mut end = dtstart.clone();
    end.name = ICalendarProperty::Dtend;
    if let Some((Frame::Date, local)) = Frame::of_entry(dtstart, obj.zones()) {
        let next = Frame::Date.instant(local).saturating_add(86_400);
        end.values = vec![ICalendarValue::PartialDateTime(Box::new(Frame::Date.value(next)))];
    }
    ensure_value_date(&mut end);
    end
}

/// A CN parameter value: no quotes or control characters, which no parameter can hold.
fn cn(name: &str) -> Option<ICalendarParameter> {
    let clean: String = name
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| if c == '"' { '\'' } else { c })
        .collect();
    let clean = clean.trim();
    (!clean.is_empty()).then(|| ICalendarParameter {
        name: ICalendarParameterName::Cn,
        value: ICalendarParameterValue::Text(clean.to_string()),
    })
}

fn mailto(email: &str) -> ICalendarValue {
    ICalendarValue::Uri(Uri::Location(format!("mailto:{email}")))
}

/// RFC 5546 §3.2.2: the organizer, without SENT-BY (Gmail shows "Unknown Organizer" for
/// SENT-BY, IMIP-INTEROP §1.3).
fn organizer_entry(organizer: Mailbox<'_>) -> ICalendarEntry {
    ICalendarEntry {
        name: ICalendarProperty::Organizer,
        params: organizer.name.and_then(cn).into_iter().collect(),
        values: vec![mailto(organizer.email)],
    }
}

/// The one ATTENDEE: the recipient, asked to answer (RFC 5545 §3.2.17 RSVP).
fn attendee_entry(recipient: Mailbox<'_>, method: Method) -> ICalendarEntry {
    let mut params: Vec<ICalendarParameter> = recipient.name.and_then(cn).into_iter().collect();
    params.push(ICalendarParameter {
        name: ICalendarParameterName::Role,
        value: ICalendarParameterValue::Role(ICalendarParticipationRole::ReqParticipant),
    });
    params.push(ICalendarParameter {
        name: ICalendarParameterName::Partstat,
        value: ICalendarParameterValue::Partstat(ICalendarParticipationStatus::NeedsAction),
    });
    if method == Method::Request {
        params.push(ICalendarParameter {
            name: ICalendarParameterName::Rsvp,
            value: ICalendarParameterValue::Bool(true),
        });
    }
    ICalendarEntry {
        name: ICalendarProperty::Attendee,
        params,
        values: vec![mailto(recipient.email)],
    }
}

/// Writes a component and its kept children; calcard folds each line at 75 octets
/// without splitting a UTF-8 sequence and escapes TEXT (RFC 5545 §3.1, §3.3.11).
fn write_component(out: &mut String, ical: &ICalendar, comp: &ICalendarComponent) {
    write_component_at(out, ical, comp, 0);
}

fn write_component_at(out: &mut String, ical: &ICalendar, comp: &ICalendarComponent, depth: usize) {
    let name = comp.component_type.as_str().to_ascii_uppercase();
    out.push_str("BEGIN:");
    out.push_str(&name);
    out.push_str("\r\n");
    for entry in &comp.entries {
        // Writing to a String cannot fail.
        let _ = entry.write_to(out);
    }
    // Components nest a few levels at most; the bound only guards against a cycle.
    if depth < 8 {
        for id in &comp.component_ids {
            if let Some(child) = ical.components.get(*id as usize) {
                write_component_at(out, ical, child, depth + 1);
            }
        }
    }
    out.push_str("END:");
    out.push_str(&name);
    out.push_str("\r\n");
}
