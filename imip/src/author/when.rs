//! The times an API client gives: an RFC 3339 instant (with an offset), a local date-time
//! with an IANA time zone, or an all-day date; and how each is written in iCalendar.
//!
//! A local time is kept local with its TZID (and a VTIMEZONE is added to the object), so
//! the event stays at 19:00 in Tokyo across daylight-saving changes of a recurrence; an
//! instant without a zone is written in UTC, the one form every client reads the same.

use super::AuthorError;
use calcard::common::PartialDateTime;
use calcard::icalendar::{
    ICalendarEntry, ICalendarParameter, ICalendarParameterName, ICalendarParameterValue, ICalendarProperty,
    ICalendarValue, ICalendarValueType,
};
use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, TimeZone, Timelike};
use chrono_tz::Tz;

/// A DTSTART or DTEND as the API gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventTime {
    /// All day (`VALUE=DATE`).
    Date(NaiveDate),
    /// An instant, written in UTC.
    Utc(i64),
    /// A wall-clock time in a zone, written with TZID.
    Zoned { local: NaiveDateTime, tz: Tz },
}

/// An IANA zone name, validated by chrono-tz.
pub fn parse_zone(name: &str) -> Result<Tz, AuthorError> {
    name.trim()
        .parse::<Tz>()
        .map_err(|_| AuthorError::UnknownZone(name.to_string()))
}

impl EventTime {
    /// Reads `2026-04-01` (all day), `2026-04-01T19:00:00+09:00` (an instant; shown in
    /// `tz` when given) or `2026-04-01T19:00:00` (local time in `tz`, which is then
    /// required). `field` names the JSON field in errors.
    pub fn parse(field: &'static str, text: &str, tz: Option<Tz>) -> Result<EventTime, AuthorError> {
        let text = text.trim();
        if text.len() == 10
            && let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        {
            return Ok(EventTime::Date(date));
        }
        if let Ok(dt) = DateTime::parse_from_rfc3339(text) {
            let instant = dt.timestamp();
            return Ok(match tz {
                Some(tz) => EventTime::Zoned {
                    local: tz
                        .timestamp_opt(instant, 0)
                        .single()
                        .map(|d| d.naive_local())
                        .unwrap_or_default(),
                    tz,
                },
                None => EventTime::Utc(instant),
            });
        }
        let local = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S")
            .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M"))
            .map_err(|_| {
                AuthorError::field(
                    field,
                    format!("`{text}` is not a date (2026-04-01) or date-time (2026-04-01T19:00:00+09:00)"),
                )
            })?;
        let Some(tz) = tz else {
            return Err(AuthorError::field(
                field,
                format!("`{text}` has no offset: add one (+09:00, Z) or give time_zone"),
            ));
        };
        if tz.from_local_datetime(&local).earliest().is_none() {
            return Err(AuthorError::field(
                field,
                format!("{text} does not exist in {} (a daylight-saving gap)", tz.name()),
            ));
        }
        Ok(EventTime::Zoned { local, tz })
    }

    /// The instant (all-day dates at midnight UTC).
    pub fn instant(&self) -> i64 {
        match self {
            EventTime::Date(d) => d.and_time(chrono::NaiveTime::MIN).and_utc().timestamp(),
            EventTime::Utc(t) => *t,
            EventTime::Zoned { local, tz } => tz
                .from_local_datetime(local)
                .earliest()
                .map(|d| d.timestamp())
                .unwrap_or_else(|| local.and_utc().timestamp()),
        }
    }

    pub fn is_date(&self) -> bool {
        matches!(self, EventTime::Date(_))
    }

    /// The same instant shown in another zone (a date stays a date).
    pub fn in_zone(&self, tz: Option<Tz>) -> EventTime {
        match (self, tz) {
            (EventTime::Date(_), _) => *self,
            (_, None) => EventTime::Utc(self.instant()),
            (_, Some(tz)) => EventTime::Zoned {
                local: tz
                    .timestamp_opt(self.instant(), 0)
                    .single()
                    .map(|d| d.naive_local())
                    .unwrap_or_default(),
                tz,
            },
        }
    }

    /// This time moved by `seconds`, in the same frame (an end kept at the same distance
    /// from a moved start).
    pub fn shifted(&self, seconds: i64) -> EventTime {
        match self {
            EventTime::Date(d) => EventTime::Date(
                d.checked_add_signed(chrono::Duration::days(seconds.div_euclid(86_400)))
                    .unwrap_or(*d),
            ),
            EventTime::Utc(t) => EventTime::Utc(t.saturating_add(seconds)),
            EventTime::Zoned { tz, .. } => EventTime::Utc(self.instant().saturating_add(seconds)).in_zone(Some(*tz)),
        }
    }

    /// A DATE or DATE-TIME value as written (UTC, with a TZID chrono-tz knows, or a
    /// date); `None` for floating times and unknown TZIDs, which cannot be moved safely.
    pub(crate) fn from_value(dt: &PartialDateTime, tzid: Option<&str>) -> Option<EventTime> {
        let date = NaiveDate::from_ymd_opt(i32::from(dt.year?), u32::from(dt.month?), u32::from(dt.day?))?;
        if !dt.has_time() {
            return Some(EventTime::Date(date));
        }
        let local = date.and_hms_opt(
            u32::from(dt.hour.unwrap_or(0)),
            u32::from(dt.minute.unwrap_or(0)),
            u32::from(dt.second.unwrap_or(0).min(59)),
        )?;
        if dt.has_zone() {
            let offset = i64::from(dt.tz_hour.unwrap_or(0)) * 3600 + i64::from(dt.tz_minute.unwrap_or(0)) * 60;
            let offset = if dt.tz_minus { -offset } else { offset };
            return Some(EventTime::Utc(local.and_utc().timestamp() - offset));
        }
        let tz = tzid?.trim_matches('"').parse::<Tz>().ok()?;
        Some(EventTime::Zoned { local, tz })
    }

    /// The property (DTSTART, DTEND) holding this time.
    pub(crate) fn entry(&self, name: ICalendarProperty) -> ICalendarEntry {
        let naive = match self {
            EventTime::Date(d) => d.and_time(chrono::NaiveTime::MIN),
            EventTime::Utc(t) => DateTime::from_timestamp(*t, 0)
                .map(|d| d.naive_utc())
                .unwrap_or_default(),
            EventTime::Zoned { local, .. } => *local,
        };
        let mut dt = PartialDateTime {
            year: u16::try_from(naive.year()).ok(),
            month: u8::try_from(naive.month()).ok(),
            day: u8::try_from(naive.day()).ok(),
            ..PartialDateTime::default()
        };
        let mut entry = ICalendarEntry::new(name);
        match self {
            EventTime::Date(_) => {
                // RFC 5545 §3.3.4: a DATE value says so, or it is read as DATE-TIME.
                entry.params.push(ICalendarParameter {
                    name: ICalendarParameterName::Value,
                    value: ICalendarParameterValue::Value(ICalendarValueType::Date),
                });
            }
            EventTime::Utc(_) | EventTime::Zoned { .. } => {
                dt.hour = u8::try_from(naive.hour()).ok();
                dt.minute = u8::try_from(naive.minute()).ok();
                dt.second = u8::try_from(naive.second()).ok();
            }
        }
        match self {
            EventTime::Utc(_) => {
                dt.tz_hour = Some(0);
                dt.tz_minute = Some(0);
            }
            EventTime::Zoned { tz, .. } => entry.params.push(ICalendarParameter {
                name: ICalendarParameterName::Tzid,
                value: ICalendarParameterValue::Text(tz.name().to_string()),
            }),
            EventTime::Date(_) => {}
        }
        entry.values.push(ICalendarValue::PartialDateTime(Box::new(dt)));
        entry
    }
}

/// An end must not come before its start, and both are dates or both date-times
/// (RFC 5545 §3.8.2.2: DTEND has DTSTART's value type).
pub(crate) fn check_end(start: &EventTime, end: &EventTime) -> Result<(), AuthorError> {
    if start.is_date() != end.is_date() {
        return Err(AuthorError::field(
            "end",
            "start and end must both be dates or both be date-times",
        ));
    }
    if end.instant() < start.instant() {
        return Err(AuthorError::field("end", "the event ends before it starts"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_offset_time_is_an_instant_and_a_local_time_needs_a_zone() {
        let t = EventTime::parse("start", "2026-04-01T19:00:00+09:00", None).unwrap();
        assert_eq!(t, EventTime::Utc(1_775_037_600));
        let err = EventTime::parse("start", "2026-04-01T19:00:00", None).unwrap_err();
        assert!(err.to_string().contains("no offset"), "{err}");
        let tokyo = parse_zone("Asia/Tokyo").unwrap();
        let z = EventTime::parse("start", "2026-04-01T19:00", Some(tokyo)).unwrap();
        assert_eq!(z.instant(), 1_775_037_600);
        assert!(EventTime::parse("start", "2026-04-01", None).unwrap().is_date());
        assert!(parse_zone("Mars/Olympus").is_err());
    }

    #[test]
    fn a_time_in_a_daylight_saving_gap_is_refused() {
        let berlin = parse_zone("Europe/Berlin").unwrap();
        assert!(EventTime::parse("start", "2026-03-29T02:30:00", Some(berlin)).is_err());
    }
}
