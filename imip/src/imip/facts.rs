//! The facts an invitation's text shows (title, time, place), read from the stored event
//! so the caller can fill an [`InviteContext`](super::InviteContext) without parsing
//! iCalendar itself.

use super::error::BuildError;
use super::frame::Frame;
use crate::ical::tz::Zone;
use crate::ical::{CalendarObject, ComponentKind, Limits};
use calcard::icalendar::{ICalendarComponent, ICalendarProperty, ICalendarValue};

/// What the master VEVENT (or the first override when there is none) says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventFacts {
    pub uid: String,
    pub summary: Option<String>,
    /// Start instant, UTC seconds. An all-day event starts at midnight UTC of its date.
    pub start: i64,
    /// End instant (DTEND, DTSTART + DURATION, or RFC 5545 §3.6.1's default).
    pub end: i64,
    /// The IANA name of DTSTART's zone (Windows names are mapped); `None` for UTC,
    /// floating and all-day times and zones known only from a VTIMEZONE.
    pub tz: Option<String>,
    pub all_day: bool,
    pub location: Option<String>,
    pub description: Option<String>,
    /// Whether the event has an RRULE or RDATE.
    pub recurring: bool,
}

/// Parses a stored event for sending. The object was validated when it was stored, so
/// the size and attendee limits are not applied again, and a METHOD left in by an importer
/// is ignored; anything but a VEVENT is refused.
pub(crate) fn parse_stored_event(event: &[u8]) -> Result<CalendarObject, BuildError> {
    let limits = Limits {
        max_size: usize::MAX,
        max_attendees: usize::MAX,
        ..Limits::default()
    };
    let obj = CalendarObject::parse_itip(event, &limits)?;
    if obj.component() != ComponentKind::Event {
        return Err(BuildError::NotAnEvent(obj.component().name()));
    }
    Ok(obj)
}

/// Reads the [`EventFacts`] of a stored event.
pub fn event_summary(event: &[u8]) -> Result<EventFacts, BuildError> {
    let obj = parse_stored_event(event)?;
    let missing = || BuildError::MissingDtstart {
        uid: obj.uid().to_string(),
    };
    let idx = obj
        .master_index()
        .or_else(|| obj.override_indices().first().copied())
        .ok_or_else(missing)?;
    let comp = obj.ical().components.get(idx).ok_or_else(missing)?;
    let (frame, local) = comp
        .property(&ICalendarProperty::Dtstart)
        .and_then(|e| Frame::of_entry(e, obj.zones()))
        .ok_or_else(missing)?;
    let start = frame.instant(local);
    let end = end_of(comp, &obj, &frame, start);
    let tz = match &frame {
        Frame::Zoned(Zone::Iana(tz)) => Some(tz.name().to_string()),
        _ => None,
    };
    Ok(EventFacts {
        uid: obj.uid().to_string(),
        summary: text(comp, &ICalendarProperty::Summary),
        start,
        end,
        tz,
        all_day: matches!(frame, Frame::Date),
        location: text(comp, &ICalendarProperty::Location),
        description: text(comp, &ICalendarProperty::Description),
        recurring: obj.is_recurring(),
    })
}

fn end_of(comp: &ICalendarComponent, obj: &CalendarObject, frame: &Frame, start: i64) -> i64 {
    if let Some((end_frame, end_local)) = comp
        .property(&ICalendarProperty::Dtend)
        .and_then(|e| Frame::of_entry(e, obj.zones()))
    {
        return end_frame.instant(end_local).max(start);
    }
    if let Some(ICalendarValue::Duration(d)) = comp
        .property(&ICalendarProperty::Duration)
        .and_then(|e| e.values.first())
    {
        let secs = (i64::from(d.weeks) * 7 + i64::from(d.days)) * 86_400
            + i64::from(d.hours) * 3600
            + i64::from(d.minutes) * 60
            + i64::from(d.seconds);
        return if d.neg { start } else { start.saturating_add(secs) };
    }
    // RFC 5545 §3.6.1: a DATE event without end lasts one day.
    if matches!(frame, Frame::Date) {
        start + 86_400
    } else {
        start
    }
}

/// A TEXT property's value, `None` when absent or blank.
fn text(comp: &ICalendarComponent, prop: &ICalendarProperty) -> Option<String> {
    let entry = comp.property(prop)?;
    let joined: Vec<&str> = entry.values.iter().filter_map(|v| v.as_text()).collect();
    let joined = joined.join(",");
    let trimmed = joined.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_string())
}
