//! Stored objects are refused with the RFC 4791 precondition each rule belongs to.

mod common;

use calinvite_imip::ical::{CalendarObject, ComponentKind, IcalError, Limits};
use common::calendar;

fn parse(body: &str) -> Result<CalendarObject, IcalError> {
    CalendarObject::parse(calendar(body).as_bytes(), &Limits::default())
}

const EVENT_A: &str = "BEGIN:VEVENT
UID:a
DTSTAMP:20240101T000000Z
DTSTART:20240101T090000Z
END:VEVENT";

#[test]
fn a_single_event_is_accepted() {
    let obj = parse(EVENT_A).unwrap();
    assert_eq!(obj.uid(), "a");
    assert_eq!(obj.component(), ComponentKind::Event);
    assert_eq!(obj.component().name(), "VEVENT");
}

#[test]
fn two_uids_are_an_invalid_object() {
    let err = parse(&format!("{EVENT_A}\n{}", EVENT_A.replace("UID:a", "UID:b"))).unwrap_err();
    assert!(
        matches!(err, IcalError::InvalidObject(ref m) if m.contains("several UIDs")),
        "{err}"
    );
    assert_eq!(err.precondition(), "valid-calendar-object-resource");
}

#[test]
fn mixing_event_and_todo_is_an_invalid_object() {
    let err = parse(&format!(
        "{EVENT_A}\nBEGIN:VTODO\nUID:a\nDTSTAMP:20240101T000000Z\nEND:VTODO"
    ))
    .unwrap_err();
    assert!(
        matches!(err, IcalError::InvalidObject(ref m) if m.contains("VTODO")),
        "{err}"
    );
}

#[test]
fn two_masters_or_duplicate_overrides_are_invalid() {
    let err = parse(&format!("{EVENT_A}\n{EVENT_A}")).unwrap_err();
    assert!(matches!(err, IcalError::InvalidObject(_)));
    let ov = "BEGIN:VEVENT\nUID:a\nDTSTAMP:20240101T000000Z\nRECURRENCE-ID:20240102T090000Z\nDTSTART:20240102T100000Z\nEND:VEVENT";
    let err = parse(&format!("{EVENT_A}\n{ov}\n{ov}")).unwrap_err();
    assert!(matches!(err, IcalError::InvalidObject(_)));
    assert!(parse(&format!("{EVENT_A}\n{ov}")).is_ok());
}

#[test]
fn method_in_a_stored_object_is_invalid_but_fine_for_itip() {
    let text = calendar(EVENT_A).replace("VERSION:2.0\r\n", "VERSION:2.0\r\nMETHOD:REQUEST\r\n");
    let err = CalendarObject::parse(text.as_bytes(), &Limits::default()).unwrap_err();
    assert!(matches!(err, IcalError::InvalidObject(ref m) if m.contains("METHOD")));
    let obj = CalendarObject::parse_itip(text.as_bytes(), &Limits::default()).unwrap();
    assert_eq!(obj.method(), Some("REQUEST"));
}

#[test]
fn a_calendar_without_components_is_invalid() {
    let err = parse("").unwrap_err();
    assert!(matches!(err, IcalError::InvalidObject(_)), "{err}");
    let err = parse(
        "BEGIN:VTIMEZONE\nTZID:X\nBEGIN:STANDARD\nDTSTART:19700101T000000\nTZOFFSETFROM:+0000\nTZOFFSETTO:+0000\nEND:STANDARD\nEND:VTIMEZONE",
    )
    .unwrap_err();
    assert!(matches!(err, IcalError::InvalidObject(_)), "{err}");
}

#[test]
fn text_that_is_not_icalendar_is_invalid_data() {
    for bad in [
        &b"hello world"[..],
        b"",
        b"BEGIN:VCARD\r\nVERSION:4.0\r\nFN:x\r\nEND:VCARD\r\n",
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:a\r\n",
        b"\xff\xfe\x00garbage",
    ] {
        let err = CalendarObject::parse(bad, &Limits::default()).unwrap_err();
        assert!(matches!(err, IcalError::InvalidData(_)), "{err}");
        assert_eq!(err.precondition(), "valid-calendar-data");
    }
}

#[test]
fn a_calendar_without_version_is_invalid_data() {
    let text = calendar(EVENT_A).replace("VERSION:2.0\r\n", "");
    let err = CalendarObject::parse(text.as_bytes(), &Limits::default()).unwrap_err();
    assert!(matches!(err, IcalError::InvalidData(ref m) if m.contains("VERSION")));
}

#[test]
fn an_event_without_dtstart_is_invalid_data() {
    let err = parse("BEGIN:VEVENT\nUID:a\nDTSTAMP:20240101T000000Z\nEND:VEVENT").unwrap_err();
    assert!(matches!(err, IcalError::InvalidData(ref m) if m.contains("DTSTART")));
}

#[test]
fn unsupported_component_types_are_reported_as_such() {
    let err = parse("BEGIN:VAVAILABILITY\nUID:a\nDTSTAMP:20240101T000000Z\nEND:VAVAILABILITY").unwrap_err();
    assert_eq!(err, IcalError::UnsupportedComponent("VAVAILABILITY".into()));
    assert_eq!(err.precondition(), "supported-calendar-component");
}

#[test]
fn an_object_over_the_size_limit_is_too_large() {
    let text = calendar(EVENT_A);
    let limits = Limits {
        max_size: 50,
        ..Limits::default()
    };
    let err = CalendarObject::parse(text.as_bytes(), &limits).unwrap_err();
    assert_eq!(
        err,
        IcalError::TooLarge {
            size: text.len(),
            max: 50
        }
    );
    assert_eq!(err.precondition(), "max-resource-size");
}

#[test]
fn too_many_attendees_in_one_component_are_refused() {
    let attendees: String = (0..4).map(|n| format!("ATTENDEE:mailto:p{n}@example.com\n")).collect();
    let body = EVENT_A.replace("END:VEVENT", &format!("{attendees}END:VEVENT"));
    let limits = Limits {
        max_attendees: 3,
        ..Limits::default()
    };
    let err = CalendarObject::parse(calendar(&body).as_bytes(), &limits).unwrap_err();
    assert_eq!(err, IcalError::TooManyAttendees { count: 4, max: 3 });
    assert_eq!(err.precondition(), "max-attendees-per-instance");
    assert!(CalendarObject::parse(calendar(&body).as_bytes(), &Limits::default()).is_ok());
}

#[test]
fn trailing_data_after_the_calendar_is_invalid() {
    let text = format!("{}{}", calendar(EVENT_A), calendar(EVENT_A));
    let err = CalendarObject::parse(text.as_bytes(), &Limits::default()).unwrap_err();
    assert!(matches!(err, IcalError::InvalidData(_)));
}
