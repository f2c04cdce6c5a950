//! An organizer's edit of a stored event: the master VEVENT's fields are replaced and
//! everything else (overrides, alarms, attendees, unknown properties) is kept, so the
//! lifecycle can compare the two versions and decide what recipients must be told.
//!
//! SEQUENCE is not touched here: the lifecycle raises the server's SEQUENCE when the
//! change is significant (RFC 5546 §2.1.4), and every message carries that one.

use super::when::check_end;
use super::{AuthorError, EventTime, parse_calendar, rrule_entry, text_entry, write_calendar};
use crate::imip::event_summary;
use calcard::icalendar::{
    ICalendarComponent, ICalendarComponentType, ICalendarEntry, ICalendarProperty, ICalendarStatus, ICalendarValue,
};
use chrono_tz::Tz;

/// A JSON merge patch of an event: `None` keeps a field, `Some(None)` removes it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventPatch {
    pub summary: Option<String>,
    pub start: Option<EventTime>,
    pub end: Option<Option<EventTime>>,
    /// Shows the event's times in this zone (`Some(None)`: in UTC) without moving them,
    /// when `start` and `end` are not given themselves.
    pub time_zone: Option<Option<Tz>>,
    pub location: Option<Option<String>>,
    pub description: Option<Option<String>>,
    /// `TENTATIVE`, `CONFIRMED` or `CANCELLED` (RFC 5545 §3.8.1.11, for a VEVENT).
    pub status: Option<Option<String>>,
    pub rrule: Option<Option<String>>,
}

/// Applies `patch` to the master VEVENT of `body`, stamping it `dtstamp`.
pub fn edit_event(body: &[u8], patch: &EventPatch, dtstamp: i64) -> Result<String, AuthorError> {
    let facts = event_summary(body).map_err(|e| AuthorError::NotICalendar(e.to_string()))?;
    let mut ical = parse_calendar(body)?;
    let master = ical
        .components
        .iter()
        .position(|c| {
            c.component_type == ICalendarComponentType::VEvent && !c.has_property(&ICalendarProperty::RecurrenceId)
        })
        .ok_or_else(|| AuthorError::NoMaster(facts.uid.clone()))?;
    let comp = &mut ical.components[master];

    let has_dtend = comp.has_property(&ICalendarProperty::Dtend);
    let current_zone = facts.tz.as_deref().and_then(|n| n.parse::<Tz>().ok());
    let current_start = if facts.all_day {
        EventTime::Date(
            chrono::DateTime::from_timestamp(facts.start, 0)
                .map(|d| d.date_naive())
                .unwrap_or_default(),
        )
    } else {
        EventTime::Utc(facts.start).in_zone(current_zone)
    };
    let current_end = current_start.shifted(facts.end - facts.start);

    let zone_only = patch.time_zone.filter(|_| patch.start.is_none() && patch.end.is_none());
    let start = match (patch.start, zone_only) {
        (Some(s), _) => Some(s),
        (None, Some(tz)) if !facts.all_day => Some(current_start.in_zone(tz)),
        _ => None,
    };
    let end = match (&patch.end, &start) {
        (Some(e), _) => Some(*e),
        // The event keeps its length when only its start moves.
        (None, Some(s)) if has_dtend => Some(Some(s.shifted(facts.end - facts.start))),
        _ => None,
    };
    if let Some(s) = &start {
        let e = match &end {
            Some(e) => *e,
            None if has_dtend => Some(current_end),
            None => None,
        };
        if let Some(e) = e {
            check_end(s, &e)?;
        }
        set(
            comp,
            ICalendarProperty::Dtstart,
            Some(s.entry(ICalendarProperty::Dtstart)),
        );
    } else if let Some(Some(e)) = &end {
        check_end(&current_start, e)?;
    }
    if let Some(e) = end {
        // DTEND and DURATION are exclusive (RFC 5545 §3.6.1).
        if e.is_some() {
            set(comp, ICalendarProperty::Duration, None);
        }
        set(
            comp,
            ICalendarProperty::Dtend,
            e.map(|e| e.entry(ICalendarProperty::Dtend)),
        );
    }
    if let Some(summary) = &patch.summary {
        if summary.trim().is_empty() {
            return Err(AuthorError::field("summary", "must not be empty"));
        }
        set(
            comp,
            ICalendarProperty::Summary,
            Some(text_entry(ICalendarProperty::Summary, summary.trim())),
        );
    }
    for (name, value) in [
        (ICalendarProperty::Location, &patch.location),
        (ICalendarProperty::Description, &patch.description),
    ] {
        if let Some(value) = value {
            let entry = value
                .as_deref()
                .filter(|v| !v.trim().is_empty())
                .map(|v| text_entry(name.clone(), v));
            set(comp, name, entry);
        }
    }
    if let Some(status) = &patch.status {
        let entry = match status.as_deref().map(|s| s.trim().to_ascii_uppercase()) {
            None => None,
            Some(s) => {
                let status = match s.as_str() {
                    "TENTATIVE" => ICalendarStatus::Tentative,
                    "CONFIRMED" => ICalendarStatus::Confirmed,
                    "CANCELLED" => ICalendarStatus::Cancelled,
                    _ => {
                        return Err(AuthorError::field(
                            "status",
                            format!("`{s}` is not TENTATIVE, CONFIRMED or CANCELLED"),
                        ));
                    }
                };
                Some(ICalendarEntry::new(ICalendarProperty::Status).with_value(ICalendarValue::Status(status)))
            }
        };
        set(comp, ICalendarProperty::Status, entry);
    }
    if let Some(rule) = &patch.rrule {
        let entry = match rule.as_deref() {
            Some(r) => Some(rrule_entry(r)?),
            None => None,
        };
        set(comp, ICalendarProperty::Rrule, entry);
    }
    set(
        comp,
        ICalendarProperty::Dtstamp,
        Some(EventTime::Utc(dtstamp).entry(ICalendarProperty::Dtstamp)),
    );
    if let Some(s) = &start {
        let delta = s.instant() - facts.start;
        if delta != 0 && facts.recurring {
            shift_instances(&mut ical.components, delta);
        }
    }
    ical.add_missing_timezones();
    Ok(write_calendar(&ical))
}

/// When a series' start moves, its instances move with it, so the overrides'
/// RECURRENCE-IDs and the master's EXDATEs (RFC 5545 §3.8.4.4, §3.8.5.1 name instances by
/// their original start) move by the same amount; otherwise the overrides would name
/// instances that no longer exist. Floating values and unknown zones are left as written.
fn shift_instances(components: &mut [ICalendarComponent], delta: i64) {
    for comp in components
        .iter_mut()
        .filter(|c| c.component_type == ICalendarComponentType::VEvent)
    {
        let is_override = comp.has_property(&ICalendarProperty::RecurrenceId);
        for entry in comp.entries.iter_mut() {
            let shifts = match entry.name {
                ICalendarProperty::RecurrenceId => is_override,
                ICalendarProperty::Exdate => !is_override,
                _ => false,
            };
            if !shifts {
                continue;
            }
            let tzid = entry.tz_id().map(str::to_string);
            for value in entry.values.iter_mut() {
                if let ICalendarValue::PartialDateTime(dt) = value
                    && let Some(t) = EventTime::from_value(dt, tzid.as_deref())
                {
                    let moved = t.shifted(delta).entry(entry.name.clone());
                    if let Some(ICalendarValue::PartialDateTime(new)) = moved.values.into_iter().next() {
                        **dt = *new;
                    }
                }
            }
        }
    }
}

/// Replaces every `name` property of the component by `entry` (or removes them).
fn set(comp: &mut ICalendarComponent, name: ICalendarProperty, entry: Option<ICalendarEntry>) {
    let at = comp.entries.iter().position(|e| e.name == name);
    comp.entries.retain(|e| e.name != name);
    if let Some(entry) = entry {
        let at = at.unwrap_or(comp.entries.len()).min(comp.entries.len());
        comp.entries.insert(at, entry);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::author::parse_zone;
    use crate::ical::{CalendarObject, Limits};

    const STORED: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//EN\r\nBEGIN:VEVENT\r\nUID:e1\r\n\
        DTSTAMP:20260101T000000Z\r\nDTSTART:20260401T100000Z\r\nDTEND:20260401T120000Z\r\nSUMMARY:Match\r\n\
        LOCATION:Stadium\r\nX-TEAM:Blue\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT15M\r\n\
        DESCRIPTION:soon\r\nEND:VALARM\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:e1\r\nRECURRENCE-ID:20260408T100000Z\r\n\
        DTSTAMP:20260101T000000Z\r\nDTSTART:20260408T110000Z\r\nSUMMARY:Moved\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

    #[test]
    fn a_moved_start_keeps_the_length_and_everything_else() {
        let patch = EventPatch {
            start: Some(EventTime::Utc(1_775_041_200)),
            ..EventPatch::default()
        };
        let out = edit_event(STORED.as_bytes(), &patch, 1_775_000_000).unwrap();
        assert!(out.contains("DTSTART:20260401T110000Z\r\n"), "{out}");
        assert!(out.contains("DTEND:20260401T130000Z\r\n"), "{out}");
        assert!(out.contains("X-TEAM:Blue") && out.contains("BEGIN:VALARM"), "{out}");
        assert!(out.contains("RECURRENCE-ID:20260408T100000Z"), "{out}");
        assert!(out.contains("SUMMARY:Moved"), "{out}");
        assert!(!out.contains("DTSTAMP:20260101T000000Z\r\nDTSTART:20260401"), "{out}");
        CalendarObject::parse(out.as_bytes(), &Limits::default()).unwrap();
    }

    #[test]
    fn fields_are_set_and_removed_and_a_zone_brings_its_vtimezone() {
        let patch = EventPatch {
            summary: Some("Derby; final".into()),
            location: Some(None),
            time_zone: Some(Some(parse_zone("Europe/Berlin").unwrap())),
            status: Some(Some("cancelled".into())),
            ..EventPatch::default()
        };
        let out = edit_event(STORED.as_bytes(), &patch, 0).unwrap();
        assert!(out.contains("SUMMARY:Derby\\; final\r\n"), "{out}");
        assert!(!out.contains("LOCATION"), "{out}");
        assert!(out.contains("STATUS:CANCELLED"), "{out}");
        assert!(out.contains("DTSTART;TZID=Europe/Berlin:20260401T120000\r\n"), "{out}");
        assert!(out.contains("BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin"), "{out}");
        let obj = CalendarObject::parse(out.as_bytes(), &Limits::default()).unwrap();
        assert_eq!(obj.span().unwrap().start, 1_775_037_600);
    }

    #[test]
    fn moving_a_series_moves_its_overrides_and_exdates() {
        let stored = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//EN\r\nBEGIN:VEVENT\r\nUID:s1\r\n\
            DTSTAMP:20260101T000000Z\r\nDTSTART;TZID=Europe/Berlin:20260401T190000\r\n\
            DTEND;TZID=Europe/Berlin:20260401T210000\r\nRRULE:FREQ=WEEKLY;COUNT=5\r\n\
            EXDATE;TZID=Europe/Berlin:20260415T190000\r\nSUMMARY:Training\r\nEND:VEVENT\r\n\
            BEGIN:VEVENT\r\nUID:s1\r\nRECURRENCE-ID;TZID=Europe/Berlin:20260408T190000\r\n\
            DTSTAMP:20260101T000000Z\r\nDTSTART;TZID=Europe/Berlin:20260408T180000\r\n\
            DTEND;TZID=Europe/Berlin:20260408T200000\r\nSUMMARY:Training (early)\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let berlin = parse_zone("Europe/Berlin").unwrap();
        let patch = EventPatch {
            start: Some(EventTime::parse("start", "2026-04-01T20:00:00", Some(berlin)).unwrap()),
            ..EventPatch::default()
        };
        let out = edit_event(stored.as_bytes(), &patch, 0).unwrap();
        assert!(out.contains("DTSTART;TZID=Europe/Berlin:20260401T200000\r\n"), "{out}");
        assert!(out.contains("EXDATE;TZID=Europe/Berlin:20260415T200000\r\n"), "{out}");
        assert!(
            out.contains("RECURRENCE-ID;TZID=Europe/Berlin:20260408T200000\r\n"),
            "{out}"
        );
        // The override keeps its own time.
        assert!(out.contains("DTSTART;TZID=Europe/Berlin:20260408T180000\r\n"), "{out}");
        CalendarObject::parse(out.as_bytes(), &Limits::default()).unwrap();
    }

    #[test]
    fn bad_values_are_refused_with_the_field_named() {
        let bad_status = EventPatch {
            status: Some(Some("MAYBE".into())),
            ..EventPatch::default()
        };
        let err = edit_event(STORED.as_bytes(), &bad_status, 0).unwrap_err();
        assert!(err.to_string().starts_with("status:"), "{err}");
        let early_end = EventPatch {
            end: Some(Some(EventTime::Utc(0))),
            ..EventPatch::default()
        };
        assert!(edit_event(STORED.as_bytes(), &early_end, 0).is_err());
    }
}
