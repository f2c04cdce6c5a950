//! A new event from the API's fields: one VCALENDAR with one VEVENT, and a VTIMEZONE for
//! the zone its times are in (RFC 5545 §3.6.5: every TZID has its VTIMEZONE).

use super::when::check_end;
use super::{AuthorError, EventTime, PRODID, rrule_entry, text_entry, write_calendar};
use calcard::icalendar::{ICalendar, ICalendarComponent, ICalendarComponentType, ICalendarProperty};

/// The fields of a new event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventDraft {
    pub uid: String,
    pub summary: String,
    pub start: EventTime,
    pub end: Option<EventTime>,
    pub location: Option<String>,
    pub description: Option<String>,
    pub rrule: Option<String>,
}

/// The calendar object resource for a draft, stamped `dtstamp` (UTC seconds).
pub fn build_event(draft: &EventDraft, dtstamp: i64) -> Result<String, AuthorError> {
    let uid = draft.uid.trim();
    if uid.is_empty() || uid.len() > 255 || uid.chars().any(char::is_control) {
        return Err(AuthorError::field(
            "uid",
            "must have 1 to 255 characters and no control characters",
        ));
    }
    if draft.summary.trim().is_empty() {
        return Err(AuthorError::field("summary", "must not be empty"));
    }
    if let Some(end) = &draft.end {
        check_end(&draft.start, end)?;
    }
    let mut event = ICalendarComponent::new(ICalendarComponentType::VEvent);
    event.entries.push(text_entry(ICalendarProperty::Uid, uid));
    event
        .entries
        .push(EventTime::Utc(dtstamp).entry(ICalendarProperty::Dtstamp));
    event.entries.push(draft.start.entry(ICalendarProperty::Dtstart));
    if let Some(end) = &draft.end {
        event.entries.push(end.entry(ICalendarProperty::Dtend));
    }
    event
        .entries
        .push(text_entry(ICalendarProperty::Summary, draft.summary.trim()));
    if let Some(location) = draft.location.as_deref().filter(|l| !l.trim().is_empty()) {
        event.entries.push(text_entry(ICalendarProperty::Location, location));
    }
    if let Some(description) = draft.description.as_deref().filter(|d| !d.trim().is_empty()) {
        event
            .entries
            .push(text_entry(ICalendarProperty::Description, description));
    }
    if let Some(rule) = &draft.rrule {
        event.entries.push(rrule_entry(rule)?);
    }
    let mut root = ICalendarComponent::new(ICalendarComponentType::VCalendar);
    root.entries.push(text_entry(ICalendarProperty::Prodid, PRODID));
    root.entries.push(text_entry(ICalendarProperty::Version, "2.0"));
    root.component_ids.push(1);
    let mut ical = ICalendar {
        components: vec![root, event],
    };
    // calcard writes the zone's observances over the years the event spans.
    ical.add_missing_timezones();
    Ok(write_calendar(&ical))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::author::parse_zone;
    use crate::ical::{CalendarObject, Limits};

    fn draft(summary: &str, start: EventTime, end: Option<EventTime>) -> EventDraft {
        EventDraft {
            uid: "game-1@example.org".into(),
            summary: summary.into(),
            start,
            end,
            location: None,
            description: None,
            rrule: None,
        }
    }

    fn unfolded(text: &str) -> String {
        text.replace("\r\n ", "")
    }

    #[test]
    fn text_is_escaped_and_long_lines_are_folded_at_75_octets() {
        let mut d = draft(
            "東京ダービー; 第1節, 試合\\開始 ".repeat(4).as_str(),
            EventTime::Utc(1_775_037_600),
            None,
        );
        d.description = Some("line one\nline two".into());
        let text = build_event(&d, 1_775_000_000).unwrap();
        for line in text.split("\r\n") {
            assert!(line.len() <= 75, "{line:?} is longer than 75 octets");
        }
        let flat = unfolded(&text);
        assert!(flat.contains("SUMMARY:東京ダービー\\; 第1節\\, 試合\\\\開始"), "{flat}");
        assert!(flat.contains("DESCRIPTION:line one\\nline two"), "{flat}");
        let obj = CalendarObject::parse(text.as_bytes(), &Limits::default()).unwrap();
        assert!(obj.summary().unwrap().starts_with("東京ダービー; 第1節, 試合\\開始"));
    }

    #[test]
    fn a_zoned_time_has_a_tzid_and_its_vtimezone_and_a_utc_time_has_neither() {
        let tokyo = parse_zone("Asia/Tokyo").unwrap();
        let start = EventTime::parse("start", "2026-04-01T19:00:00", Some(tokyo)).unwrap();
        let end = EventTime::parse("end", "2026-04-01T21:00:00", Some(tokyo)).unwrap();
        let text = build_event(&draft("Match", start, Some(end)), 0).unwrap();
        assert!(text.contains("DTSTART;TZID=Asia/Tokyo:20260401T190000\r\n"), "{text}");
        assert!(text.contains("BEGIN:VTIMEZONE\r\nTZID:Asia/Tokyo\r\n"), "{text}");
        let obj = CalendarObject::parse(text.as_bytes(), &Limits::default()).unwrap();
        assert_eq!(obj.span().unwrap().start, 1_775_037_600);

        let utc = build_event(&draft("Match", EventTime::Utc(1_775_037_600), None), 0).unwrap();
        assert!(utc.contains("DTSTART:20260401T100000Z\r\n"), "{utc}");
        assert!(!utc.contains("VTIMEZONE") && !utc.contains("TZID"), "{utc}");
    }

    #[test]
    fn an_all_day_event_has_value_date() {
        let start = EventTime::parse("start", "2026-04-01", None).unwrap();
        let end = EventTime::parse("end", "2026-04-02", None).unwrap();
        let text = build_event(&draft("Tournament", start, Some(end)), 0).unwrap();
        assert!(text.contains("DTSTART;VALUE=DATE:20260401\r\n"), "{text}");
        assert!(text.contains("DTEND;VALUE=DATE:20260402\r\n"), "{text}");
    }

    #[test]
    fn an_rrule_is_checked_and_cannot_inject_lines() {
        let mut d = draft("Training", EventTime::Utc(1_775_037_600), None);
        d.rrule = Some("FREQ=WEEKLY;COUNT=10".into());
        assert!(build_event(&d, 0).unwrap().contains("RRULE:FREQ=WEEKLY;COUNT=10\r\n"));
        d.rrule = Some("FREQ=WEEKLY\r\nATTENDEE:mailto:x@example.org".into());
        assert!(matches!(build_event(&d, 0), Err(AuthorError::InvalidRrule(_))));
        d.rrule = Some("EVERY=TUESDAY".into());
        assert!(matches!(build_event(&d, 0), Err(AuthorError::InvalidRrule(_))));
    }

    #[test]
    fn an_end_before_the_start_or_of_another_type_is_refused() {
        let d = draft("x", EventTime::Utc(100), Some(EventTime::Utc(50)));
        assert!(build_event(&d, 0).is_err());
        let date = EventTime::parse("end", "2026-04-02", None).unwrap();
        assert!(build_event(&draft("x", EventTime::Utc(100), Some(date)), 0).is_err());
        assert!(build_event(&draft(" ", EventTime::Utc(100), None), 0).is_err());
    }
}
