//! calendar-data shaping (RFC 4791 §9.6): byte-exact by default, expand, limits and
//! component/property selection. Expanded output is parsed back and checked.

mod common;

use calinvite_imip::ical::{CalendarObject, Limits};
use calinvite_imip::query::{CalendarDataRequest, CompSelection, TimeRange};
use common::*;

fn series() -> (String, CalendarObject) {
    let text = calendar(
        "BEGIN:VTIMEZONE
TZID:Europe/Berlin
BEGIN:STANDARD
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
END:STANDARD
END:VTIMEZONE
BEGIN:VEVENT
UID:series
DTSTAMP:20240101T000000Z
DTSTART;TZID=Europe/Berlin:20240101T090000
DTEND;TZID=Europe/Berlin:20240101T100000
RRULE:FREQ=DAILY;COUNT=5
EXDATE;TZID=Europe/Berlin:20240102T090000
SUMMARY:daily
BEGIN:VALARM
ACTION:DISPLAY
DESCRIPTION:x
TRIGGER:-PT5M
END:VALARM
END:VEVENT
BEGIN:VEVENT
UID:series
DTSTAMP:20240101T000000Z
RECURRENCE-ID;TZID=Europe/Berlin:20240104T090000
DTSTART;TZID=Europe/Berlin:20240104T140000
DTEND;TZID=Europe/Berlin:20240104T150000
SUMMARY:daily moved
END:VEVENT",
    );
    let obj = CalendarObject::parse(text.as_bytes(), &Limits::default()).unwrap();
    (text, obj)
}

fn tr(lo: i64, hi: i64) -> Option<TimeRange> {
    Some(TimeRange {
        start: Some(lo),
        end: Some(hi),
    })
}

fn lines_starting(text: &str, prefix: &str) -> Vec<String> {
    text.lines()
        .filter(|l| l.starts_with(prefix))
        .map(|l| l.trim_end().to_string())
        .collect()
}

#[test]
fn plain_request_returns_the_stored_bytes() {
    let (text, obj) = series();
    assert_eq!(obj.render(&CalendarDataRequest::default()).unwrap(), text);
}

#[test]
fn expand_writes_each_instance_in_utc_without_rules_or_zones() {
    let (_, obj) = series();
    let req = CalendarDataRequest {
        expand: tr(ts(2024, 1, 1, 0, 0, 0), ts(2024, 1, 5, 0, 0, 0)),
        ..Default::default()
    };
    let out = obj.render(&req).unwrap();
    assert!(!out.contains("RRULE"));
    assert!(!out.contains("EXDATE"));
    assert!(!out.contains("VTIMEZONE"));
    assert!(!out.contains("TZID"));
    assert_eq!(
        lines_starting(&out, "DTSTART"),
        vec![
            "DTSTART:20240101T080000Z",
            "DTSTART:20240103T080000Z",
            "DTSTART:20240104T130000Z"
        ]
    );
    assert_eq!(
        lines_starting(&out, "RECURRENCE-ID"),
        vec![
            "RECURRENCE-ID:20240101T080000Z",
            "RECURRENCE-ID:20240103T080000Z",
            "RECURRENCE-ID:20240104T080000Z"
        ]
    );
    assert_eq!(lines_starting(&out, "BEGIN:VALARM").len(), 2);
    // The expansion is itself a valid calendar object with the same instances.
    let back = CalendarObject::parse(out.as_bytes(), &Limits::default()).unwrap();
    assert_eq!(back.uid(), "series");
    let before = obj
        .instances(
            ts(2024, 1, 1, 0, 0, 0),
            ts(2024, 1, 5, 0, 0, 0),
            &Limits::default(),
            None,
        )
        .unwrap();
    let after = back
        .instances(
            ts(2024, 1, 1, 0, 0, 0),
            ts(2024, 1, 5, 0, 0, 0),
            &Limits::default(),
            None,
        )
        .unwrap();
    let key =
        |v: &[calinvite_imip::ical::Instance]| v.iter().map(|i| (i.start, i.end, i.recurrence_id)).collect::<Vec<_>>();
    assert_eq!(key(&before), key(&after));
}

#[test]
fn limit_recurrence_set_keeps_the_master_and_only_overlapping_overrides() {
    let (_, obj) = series();
    let outside = CalendarDataRequest {
        limit_recurrence_set: tr(ts(2024, 1, 1, 0, 0, 0), ts(2024, 1, 2, 0, 0, 0)),
        ..Default::default()
    };
    let out = obj.render(&outside).unwrap();
    assert_eq!(lines_starting(&out, "BEGIN:VEVENT").len(), 1);
    assert!(out.contains("RRULE:FREQ=DAILY;COUNT=5"));
    assert!(out.contains("BEGIN:VTIMEZONE"));
    let inside = CalendarDataRequest {
        limit_recurrence_set: tr(ts(2024, 1, 4, 0, 0, 0), ts(2024, 1, 5, 0, 0, 0)),
        ..Default::default()
    };
    let out = obj.render(&inside).unwrap();
    assert_eq!(lines_starting(&out, "BEGIN:VEVENT").len(), 2);
    assert!(out.contains("SUMMARY:daily moved"));
}

#[test]
fn comp_selection_returns_only_the_named_properties_and_components() {
    let (_, obj) = series();
    let req = CalendarDataRequest {
        comp: Some(CompSelection {
            name: "VCALENDAR".into(),
            props: Some(vec!["VERSION".into()]),
            comps: Some(vec![CompSelection {
                name: "VEVENT".into(),
                props: Some(vec!["UID".into(), "SUMMARY".into()]),
                comps: Some(vec![]),
            }]),
        }),
        ..Default::default()
    };
    let out = obj.render(&req).unwrap();
    let expected = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:series\r\nSUMMARY:daily\r\n\
END:VEVENT\r\nBEGIN:VEVENT\r\nUID:series\r\nSUMMARY:daily moved\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    assert_eq!(out, expected);
}

#[test]
fn all_day_expansion_keeps_date_values() {
    let obj = object(
        "BEGIN:VEVENT
UID:ad
DTSTAMP:20240101T000000Z
DTSTART;VALUE=DATE:20240101
DTEND;VALUE=DATE:20240102
RRULE:FREQ=WEEKLY;COUNT=2
END:VEVENT",
    );
    let req = CalendarDataRequest {
        expand: tr(ts(2024, 1, 1, 0, 0, 0), ts(2024, 2, 1, 0, 0, 0)),
        ..Default::default()
    };
    let out = obj.render(&req).unwrap();
    assert_eq!(
        lines_starting(&out, "DTSTART"),
        vec!["DTSTART;VALUE=DATE:20240101", "DTSTART;VALUE=DATE:20240108"]
    );
    assert_eq!(
        lines_starting(&out, "DTEND"),
        vec!["DTEND;VALUE=DATE:20240102", "DTEND;VALUE=DATE:20240109"]
    );
}

#[test]
fn limit_freebusy_set_drops_periods_outside_the_range() {
    let obj = object(
        "BEGIN:VFREEBUSY
UID:fb
DTSTAMP:20240101T000000Z
FREEBUSY:20240110T090000Z/20240110T100000Z,20240220T090000Z/20240220T100000Z
END:VFREEBUSY",
    );
    let req = CalendarDataRequest {
        limit_freebusy_set: tr(ts(2024, 1, 1, 0, 0, 0), ts(2024, 2, 1, 0, 0, 0)),
        ..Default::default()
    };
    let out = obj.render(&req).unwrap();
    assert!(out.contains("20240110T090000Z"));
    assert!(!out.contains("20240220T090000Z"));
}
