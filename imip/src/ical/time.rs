//! Date and time values of one component, read once into a form that can be compared.
//!
//! iCalendar has four kinds of time (RFC 5545 §3.3.4, §3.3.5): DATE, UTC DATE-TIME,
//! DATE-TIME with a TZID, and floating DATE-TIME. Only the first two are instants without
//! context; the others need the object's zones or the caller's calendar time zone, so they
//! are kept as wall-clock times and turned into instants at query time.

use super::tz::{Zone, ZoneTable};
use calcard::common::PartialDateTime;
use calcard::icalendar::{ICalendarDuration, ICalendarEntry, ICalendarValue};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

/// A DATE or DATE-TIME value with what is needed to place it on the time line.
#[derive(Debug, Clone)]
pub(crate) enum When {
    /// `VALUE=DATE`: a whole day, not tied to a zone.
    Date(NaiveDate),
    /// UTC (`Z`) or an explicit offset, already converted to UTC.
    Utc(NaiveDateTime),
    /// A TZID that resolved to a zone.
    Zoned(NaiveDateTime, Zone),
    /// No zone (or a TZID nobody can resolve): the reader's time zone applies.
    Floating(NaiveDateTime),
}

/// Where floating and all-day values are placed (the calendar's time zone, else UTC).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Ctx {
    pub floating: Option<chrono_tz::Tz>,
}

impl Ctx {
    fn floating_to_utc(&self, local: NaiveDateTime) -> i64 {
        match self.floating {
            Some(tz) => Zone::Iana(tz).local_to_utc(local),
            None => local.and_utc().timestamp(),
        }
    }
}

impl When {
    /// Reads the first value of a DATE/DATE-TIME property.
    pub(crate) fn from_entry(entry: &ICalendarEntry, zones: &ZoneTable) -> Option<When> {
        match entry.values.first() {
            Some(ICalendarValue::PartialDateTime(dt)) => When::from_value(dt, entry, zones),
            _ => None,
        }
    }

    pub(crate) fn from_value(dt: &PartialDateTime, entry: &ICalendarEntry, zones: &ZoneTable) -> Option<When> {
        if !dt.has_time() {
            return date_of(dt).map(When::Date);
        }
        let naive = naive_of(dt)?;
        if dt.has_zone() {
            let secs = i64::from(dt.tz_hour.unwrap_or(0)) * 3600 + i64::from(dt.tz_minute.unwrap_or(0)) * 60;
            let offset = if dt.tz_minus { -secs } else { secs };
            let utc = naive.checked_sub_signed(chrono::Duration::seconds(offset))?;
            return Some(When::Utc(utc));
        }
        match entry.tz_id().and_then(|tzid| zones.resolve(tzid)) {
            Some(zone) => Some(When::Zoned(naive, zone)),
            None => Some(When::Floating(naive)),
        }
    }

    /// The instant this value starts at.
    pub(crate) fn instant(&self, ctx: &Ctx) -> i64 {
        match self {
            When::Date(d) => ctx.floating_to_utc(d.and_time(NaiveTime::MIN)),
            When::Utc(n) => n.and_utc().timestamp(),
            When::Zoned(n, zone) => zone.local_to_utc(*n),
            When::Floating(n) => ctx.floating_to_utc(*n),
        }
    }

    /// The wall-clock time recurrence rules are applied to.
    pub(crate) fn local(&self) -> NaiveDateTime {
        match self {
            When::Date(d) => d.and_time(NaiveTime::MIN),
            When::Utc(n) | When::Zoned(n, _) | When::Floating(n) => *n,
        }
    }

    /// The same kind of value at another wall-clock time (an instance of a rule).
    pub(crate) fn with_local(&self, local: NaiveDateTime) -> When {
        match self {
            When::Date(_) => When::Date(local.date()),
            When::Utc(_) => When::Utc(local),
            When::Zoned(_, zone) => When::Zoned(local, zone.clone()),
            When::Floating(_) => When::Floating(local),
        }
    }

    /// The wall-clock time of `instant` in this value's frame (zone, UTC or floating).
    pub(crate) fn local_of_instant(&self, instant: i64, ctx: &Ctx) -> NaiveDateTime {
        match self {
            When::Zoned(_, zone) => zone.utc_to_local(instant),
            When::Utc(_) => super::tz::naive_from_ts(instant),
            When::Date(_) | When::Floating(_) => match ctx.floating {
                Some(tz) => Zone::Iana(tz).utc_to_local(instant),
                None => super::tz::naive_from_ts(instant),
            },
        }
    }

    pub(crate) fn is_date(&self) -> bool {
        matches!(self, When::Date(_))
    }

    /// Floating and all-day values move with the reader's zone.
    pub(crate) fn is_floating(&self) -> bool {
        matches!(self, When::Date(_) | When::Floating(_))
    }
}

pub(crate) fn date_of(dt: &PartialDateTime) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(i32::from(dt.year?), u32::from(dt.month?), u32::from(dt.day?))
}

/// The wall-clock reading of a value, ignoring any offset (midnight for a DATE).
pub(crate) fn naive_of(dt: &PartialDateTime) -> Option<NaiveDateTime> {
    let date = date_of(dt)?;
    let time = NaiveTime::from_hms_opt(
        u32::from(dt.hour.unwrap_or(0)),
        u32::from(dt.minute.unwrap_or(0)),
        // RFC 5545 §3.3.12: a leap second 60 is read as 59.
        u32::from(dt.second.unwrap_or(0).min(59)),
    )?;
    Some(date.and_time(time))
}

/// A DURATION: days and weeks are nominal (wall-clock), the rest exact (RFC 5545 §3.3.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Length {
    pub days: i64,
    pub seconds: i64,
}

impl Length {
    pub(crate) fn from_duration(d: &ICalendarDuration) -> Length {
        let sign = if d.neg { -1 } else { 1 };
        Length {
            days: sign * (i64::from(d.weeks) * 7 + i64::from(d.days)),
            seconds: sign * (i64::from(d.hours) * 3600 + i64::from(d.minutes) * 60 + i64::from(d.seconds)),
        }
    }

    /// The end of an instance starting at the wall-clock `start` of `frame`.
    pub(crate) fn end_after(&self, frame: &When, start_local: NaiveDateTime, ctx: &Ctx) -> i64 {
        let shifted = start_local
            .checked_add_signed(chrono::Duration::days(self.days))
            .unwrap_or(start_local);
        frame.with_local(shifted).instant(ctx).saturating_add(self.seconds)
    }

    /// An upper bound of the length in seconds (a DST day is at most 25 hours).
    pub(crate) fn max_seconds(&self) -> i64 {
        self.days.saturating_mul(90_000).saturating_add(self.seconds).max(0)
    }
}

/// How long each instance lasts: given by DTEND/DUE, DURATION, or the defaults.
#[derive(Debug, Clone)]
pub(crate) enum EndRule {
    /// A DTEND in its own frame: instances keep the same wall-clock length.
    Length(Length),
    /// DTEND given for a single value whose frame differs from DTSTART's: exact seconds.
    Exact(i64),
}

impl EndRule {
    pub(crate) fn end(&self, frame: &When, start_local: NaiveDateTime, ctx: &Ctx) -> i64 {
        match self {
            EndRule::Length(len) => len.end_after(frame, start_local, ctx),
            EndRule::Exact(secs) => frame.with_local(start_local).instant(ctx).saturating_add(*secs),
        }
    }

    pub(crate) fn max_seconds(&self) -> i64 {
        match self {
            EndRule::Length(len) => len.max_seconds(),
            EndRule::Exact(secs) => (*secs).max(0),
        }
    }
}

/// The end rule between DTSTART and an end value (DTEND or DUE).
pub(crate) fn end_rule_between(start: &When, end: &When, ctx: &Ctx) -> EndRule {
    match (start, end) {
        (When::Date(s), When::Date(e)) => EndRule::Length(Length {
            days: (*e - *s).num_days(),
            seconds: 0,
        }),
        (When::Zoned(s, zs), When::Zoned(e, ze)) if same_zone(zs, ze) => {
            // Nominal days plus exact remainder keeps "09:00-10:00" on DST days too.
            let diff = *e - *s;
            let days = diff.num_days();
            let rest = diff.num_seconds() - days * 86_400;
            EndRule::Length(Length { days, seconds: rest })
        }
        (When::Floating(s), When::Floating(e)) | (When::Utc(s), When::Utc(e)) => {
            EndRule::Exact((*e - *s).num_seconds())
        }
        _ => EndRule::Exact(end.instant(ctx).saturating_sub(start.instant(ctx))),
    }
}

fn same_zone(a: &Zone, b: &Zone) -> bool {
    match (a, b) {
        (Zone::Iana(a), Zone::Iana(b)) => a == b,
        (Zone::Fixed(a), Zone::Fixed(b)) => a == b,
        (Zone::Custom(a), Zone::Custom(b)) => std::sync::Arc::ptr_eq(a, b),
        _ => false,
    }
}

/// Formats an instant as a UTC DATE-TIME (`20240101T090000Z`).
pub fn format_utc(ts: i64) -> String {
    super::tz::naive_from_ts(ts).format("%Y%m%dT%H%M%SZ").to_string()
}

/// Formats a DATE (`20240101`).
pub(crate) fn format_date(date: NaiveDate) -> String {
    date.format("%Y%m%d").to_string()
}
