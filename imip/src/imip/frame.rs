//! The frame of a DATE or DATE-TIME value (all-day, UTC, zoned or floating), so a value
//! computed as an instant is written back the way the organizer's client wrote it.
//!
//! RFC 5545 §3.8.4.4 wants RECURRENCE-ID in the same value type as DTSTART, and clients
//! match an occurrence best when its DTSTART keeps the master's TZID. All-day and floating
//! values are placed as if in UTC, the same convention `CalendarObject::instances` uses
//! with no floating zone, so instants from both can be compared.

use crate::ical::tz::{Zone, ZoneTable};
use calcard::common::PartialDateTime;
use calcard::icalendar::{
    ICalendarEntry, ICalendarParameter, ICalendarParameterName, ICalendarParameterValue, ICalendarValue,
    ICalendarValueType,
};
use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Timelike};

/// How a DATE or DATE-TIME value is placed on the time line.
#[derive(Debug, Clone)]
pub(crate) enum Frame {
    /// `VALUE=DATE`.
    Date,
    /// A `Z` (or offset) DATE-TIME.
    Utc,
    /// A DATE-TIME with a TZID that resolves.
    Zoned(Zone),
    /// A DATE-TIME without zone, or with a TZID nobody can resolve.
    Floating,
}

impl Frame {
    /// The frame and wall-clock reading of the first value of a DATE/DATE-TIME property.
    pub(crate) fn of_entry(entry: &ICalendarEntry, zones: &ZoneTable) -> Option<(Frame, NaiveDateTime)> {
        let Some(ICalendarValue::PartialDateTime(dt)) = entry.values.first() else {
            return None;
        };
        let date = NaiveDate::from_ymd_opt(i32::from(dt.year?), u32::from(dt.month?), u32::from(dt.day?))?;
        if !dt.has_time() {
            return Some((Frame::Date, date.and_time(NaiveTime::MIN)));
        }
        let naive = date.and_hms_opt(
            u32::from(dt.hour.unwrap_or(0)),
            u32::from(dt.minute.unwrap_or(0)),
            // RFC 5545 §3.3.12: a leap second 60 is read as 59.
            u32::from(dt.second.unwrap_or(0).min(59)),
        )?;
        if dt.has_zone() {
            let secs = i64::from(dt.tz_hour.unwrap_or(0)) * 3600 + i64::from(dt.tz_minute.unwrap_or(0)) * 60;
            let offset = if dt.tz_minus { -secs } else { secs };
            return Some((Frame::Utc, naive.checked_sub_signed(chrono::Duration::seconds(offset))?));
        }
        match entry.tz_id().and_then(|tzid| zones.resolve(tzid)) {
            Some(zone) => Some((Frame::Zoned(zone), naive)),
            None => Some((Frame::Floating, naive)),
        }
    }

    /// The instant of a wall-clock time in this frame.
    pub(crate) fn instant(&self, local: NaiveDateTime) -> i64 {
        match self {
            Frame::Zoned(zone) => zone.local_to_utc(local),
            Frame::Date | Frame::Utc | Frame::Floating => local.and_utc().timestamp(),
        }
    }

    /// The wall-clock time of an instant in this frame.
    pub(crate) fn local(&self, instant: i64) -> NaiveDateTime {
        match self {
            Frame::Zoned(zone) => zone.utc_to_local(instant),
            Frame::Date | Frame::Utc | Frame::Floating => utc_naive(instant),
        }
    }

    /// The value an instant is written as in this frame.
    pub(crate) fn value(&self, instant: i64) -> PartialDateTime {
        let local = self.local(instant);
        let mut dt = PartialDateTime {
            year: u16::try_from(local.year()).ok(),
            month: u8::try_from(local.month()).ok(),
            day: u8::try_from(local.day()).ok(),
            ..PartialDateTime::default()
        };
        if !matches!(self, Frame::Date) {
            dt.hour = u8::try_from(local.hour()).ok();
            dt.minute = u8::try_from(local.minute()).ok();
            dt.second = u8::try_from(local.second()).ok();
        }
        if matches!(self, Frame::Utc) {
            dt.tz_hour = Some(0);
            dt.tz_minute = Some(0);
        }
        dt
    }
}

/// An instant as a naive UTC date-time (the epoch when out of chrono's range).
pub(crate) fn utc_naive(instant: i64) -> NaiveDateTime {
    chrono::DateTime::from_timestamp(instant, 0)
        .map(|dt| dt.naive_utc())
        .unwrap_or_default()
}

/// A DATE-TIME value in UTC (`DTSTAMP`).
pub(crate) fn utc_value(instant: i64) -> PartialDateTime {
    Frame::Utc.value(instant)
}

/// RFC 5545 §3.3.4: a DATE value needs `VALUE=DATE`, or a writer that defaults to
/// DATE-TIME turns an all-day event into one starting at midnight.
pub(crate) fn ensure_value_date(entry: &mut ICalendarEntry) {
    let date_only = matches!(entry.values.first(), Some(ICalendarValue::PartialDateTime(dt)) if !dt.has_time());
    if date_only && !entry.params.iter().any(|p| p.name == ICalendarParameterName::Value) {
        entry.params.push(ICalendarParameter {
            name: ICalendarParameterName::Value,
            value: ICalendarParameterValue::Value(ICalendarValueType::Date),
        });
    }
}

/// A RECURRENCE-ID as given by the caller: `YYYYMMDD`, `YYYYMMDDTHHMMSS` or
/// `YYYYMMDDTHHMMSSZ` (as written in the object, without parameters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RequestedId {
    local: NaiveDateTime,
    utc: bool,
}

impl RequestedId {
    pub(crate) fn parse(text: &str) -> Option<RequestedId> {
        let text = text.trim();
        if let Ok(date) = NaiveDate::parse_from_str(text, "%Y%m%d")
            && text.len() == 8
        {
            return Some(RequestedId {
                local: date.and_time(NaiveTime::MIN),
                utc: false,
            });
        }
        let (body, utc) = match text.strip_suffix(['Z', 'z']) {
            Some(body) => (body, true),
            None => (text, false),
        };
        if body.len() != 15 {
            return None;
        }
        let local = NaiveDateTime::parse_from_str(body, "%Y%m%dT%H%M%S").ok()?;
        Some(RequestedId { local, utc })
    }

    /// The instant meant, reading a time without `Z` in `frame` (the frame of the value
    /// it is compared with, so `20250310T090000` matches a TZID'd RECURRENCE-ID).
    pub(crate) fn instant_in(&self, frame: &Frame) -> i64 {
        if self.utc {
            self.local.and_utc().timestamp()
        } else {
            frame.instant(self.local)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requested_ids_of_every_form_parse() {
        assert!(RequestedId::parse("20250310").is_some());
        assert!(RequestedId::parse("20250310T090000").is_some());
        assert!(RequestedId::parse("20250310T090000Z").is_some());
        assert!(RequestedId::parse("2025-03-10").is_none());
        assert!(RequestedId::parse("20250310T0900").is_none());
        assert!(RequestedId::parse("").is_none());
    }

    #[test]
    fn a_zoned_requested_id_is_read_in_the_frame_it_is_compared_with() {
        let id = RequestedId::parse("20250310T090000").unwrap();
        let ny = Frame::Zoned(Zone::from_name("America/New_York").unwrap());
        // 09:00 EDT (DST started 2025-03-09) is 13:00 UTC.
        assert_eq!(id.instant_in(&ny), 1_741_611_600);
        let utc = RequestedId::parse("20250310T130000Z").unwrap();
        assert_eq!(utc.instant_in(&ny), 1_741_611_600);
    }

    #[test]
    fn a_utc_frame_writes_a_z_value_and_a_date_frame_no_time() {
        let v = Frame::Utc.value(1_741_611_600);
        assert_eq!((v.hour, v.tz_hour, v.tz_minute), (Some(13), Some(0), Some(0)));
        let d = Frame::Date.value(1_741_611_600);
        assert_eq!((d.day, d.hour), (Some(10), None));
    }
}
