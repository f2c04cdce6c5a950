//! Helpers shared by the iCalendar integration tests: building objects and an `rrule`
//! oracle to compare expansions against.
#![allow(dead_code)]

use calinvite_imip::ical::{CalendarObject, Limits};
use chrono::{NaiveDate, TimeZone};

pub fn ts(y: i32, m: u32, d: u32, h: u32, mi: u32, s: u32) -> i64 {
    NaiveDate::from_ymd_opt(y, m, d)
        .unwrap()
        .and_hms_opt(h, mi, s)
        .unwrap()
        .and_utc()
        .timestamp()
}

/// Wraps VEVENT/VTIMEZONE lines (LF-separated) into a stored VCALENDAR with CRLF.
pub fn calendar(body: &str) -> String {
    let mut out = String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n");
    for line in body.lines() {
        let line = line.trim();
        if !line.is_empty() {
            out.push_str(line);
            out.push_str("\r\n");
        }
    }
    out.push_str("END:VCALENDAR\r\n");
    out
}

pub fn object(body: &str) -> CalendarObject {
    CalendarObject::parse(calendar(body).as_bytes(), &Limits::default()).unwrap()
}

pub fn starts(obj: &CalendarObject, lo: i64, hi: i64, tz: Option<chrono_tz::Tz>) -> Vec<i64> {
    obj.instances(lo, hi, &Limits::default(), tz)
        .unwrap()
        .iter()
        .map(|i| i.start)
        .collect()
}

/// The `rrule` crate's expansion of `DTSTART...\nRRULE...` as UTC seconds.
pub fn oracle(set: &str) -> Vec<i64> {
    let set: rrule::RRuleSet = set.parse().unwrap();
    set.all(10_000)
        .dates
        .iter()
        .map(|d| d.with_timezone(&chrono::Utc).timestamp())
        .collect()
}

pub const NEW_YORK_VTIMEZONE: &str = "BEGIN:VTIMEZONE
TZID:Custom Eastern
BEGIN:STANDARD
DTSTART:19701101T020000
RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU
TZOFFSETFROM:-0400
TZOFFSETTO:-0500
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:19700308T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU
TZOFFSETFROM:-0500
TZOFFSETTO:-0400
END:DAYLIGHT
END:VTIMEZONE";

pub fn utc() -> chrono::Utc {
    chrono::Utc
}

pub fn at(tz: chrono_tz::Tz, y: i32, m: u32, d: u32, h: u32, mi: u32) -> i64 {
    tz.with_ymd_and_hms(y, m, d, h, mi, 0).unwrap().timestamp()
}
