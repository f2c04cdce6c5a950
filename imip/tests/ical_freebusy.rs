//! Free-busy time (RFC 4791 §7.10).

mod common;

use calinvite_imip::ical::{BusyKind, BusyPeriod, Limits, freebusy_calendar};
use common::*;

fn busy(body: &str, lo: i64, hi: i64) -> Vec<BusyPeriod> {
    object(body).busy_periods(lo, hi, &Limits::default(), None).unwrap()
}

#[test]
fn opaque_event_instances_are_busy_and_clipped_to_the_range() {
    let got = busy(
        "BEGIN:VEVENT
UID:b
DTSTAMP:20240101T000000Z
DTSTART:20240101T090000Z
DTEND:20240101T110000Z
RRULE:FREQ=DAILY;COUNT=3
END:VEVENT",
        ts(2024, 1, 1, 10, 0, 0),
        ts(2024, 1, 3, 0, 0, 0),
    );
    assert_eq!(
        got,
        vec![
            BusyPeriod {
                start: ts(2024, 1, 1, 10, 0, 0),
                end: ts(2024, 1, 1, 11, 0, 0),
                kind: BusyKind::Busy
            },
            BusyPeriod {
                start: ts(2024, 1, 2, 9, 0, 0),
                end: ts(2024, 1, 2, 11, 0, 0),
                kind: BusyKind::Busy
            },
        ]
    );
}

#[test]
fn transparent_and_cancelled_events_are_free_and_tentative_ones_tentative() {
    let base = "BEGIN:VEVENT
UID:b
DTSTAMP:20240101T000000Z
DTSTART:20240101T090000Z
DTEND:20240101T100000Z
EXTRA
END:VEVENT";
    let (lo, hi) = (ts(2024, 1, 1, 0, 0, 0), ts(2024, 1, 2, 0, 0, 0));
    assert!(busy(&base.replace("EXTRA", "TRANSP:TRANSPARENT"), lo, hi).is_empty());
    assert!(busy(&base.replace("EXTRA", "STATUS:CANCELLED"), lo, hi).is_empty());
    let tentative = busy(&base.replace("EXTRA", "STATUS:TENTATIVE"), lo, hi);
    assert_eq!(tentative.len(), 1);
    assert_eq!(tentative[0].kind, BusyKind::Tentative);
}

#[test]
fn vfreebusy_periods_count_except_free_ones() {
    let got = busy(
        "BEGIN:VFREEBUSY
UID:f
DTSTAMP:20240101T000000Z
FREEBUSY;FBTYPE=BUSY-UNAVAILABLE:20240101T080000Z/20240101T090000Z
FREEBUSY;FBTYPE=FREE:20240101T100000Z/20240101T110000Z
FREEBUSY:20240101T120000Z/PT30M
END:VFREEBUSY",
        ts(2024, 1, 1, 0, 0, 0),
        ts(2024, 1, 2, 0, 0, 0),
    );
    assert_eq!(
        got.iter().map(|p| (p.start, p.end, p.kind)).collect::<Vec<_>>(),
        vec![
            (ts(2024, 1, 1, 8, 0, 0), ts(2024, 1, 1, 9, 0, 0), BusyKind::Unavailable),
            (ts(2024, 1, 1, 12, 0, 0), ts(2024, 1, 1, 12, 30, 0), BusyKind::Busy),
        ]
    );
}

#[test]
fn freebusy_calendar_merges_overlapping_periods_of_a_kind() {
    let p = |s, e, kind| BusyPeriod { start: s, end: e, kind };
    let out = freebusy_calendar(
        &[
            p(ts(2024, 1, 1, 9, 0, 0), ts(2024, 1, 1, 10, 0, 0), BusyKind::Busy),
            p(ts(2024, 1, 1, 9, 30, 0), ts(2024, 1, 1, 11, 0, 0), BusyKind::Busy),
            p(ts(2024, 1, 1, 9, 30, 0), ts(2024, 1, 1, 9, 45, 0), BusyKind::Tentative),
        ],
        ts(2024, 1, 1, 0, 0, 0),
        ts(2024, 1, 2, 0, 0, 0),
        ts(2023, 12, 31, 12, 0, 0),
    );
    assert_eq!(
        out,
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//calinvite//CalDAV//EN\r\nBEGIN:VFREEBUSY\r\n\
DTSTAMP:20231231T120000Z\r\nDTSTART:20240101T000000Z\r\nDTEND:20240102T000000Z\r\n\
FREEBUSY;FBTYPE=BUSY:20240101T090000Z/20240101T110000Z\r\n\
FREEBUSY;FBTYPE=BUSY-TENTATIVE:20240101T093000Z/20240101T094500Z\r\n\
END:VFREEBUSY\r\nEND:VCALENDAR\r\n"
    );
}
