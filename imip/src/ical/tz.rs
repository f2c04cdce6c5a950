//! Time-zone resolution: turning a TZID into something that maps wall-clock time to UTC.
//!
//! Real-world TZIDs are IANA names, Windows names ("W. Europe Standard Time"), quoted or
//! prefixed names, or made-up labels. calcard's name table resolves the first kinds to a
//! chrono-tz zone; when a name is unknown calcard falls back to floating time, which would
//! misplace every instance by hours. We instead build the offsets from the message's own
//! VTIMEZONE (STANDARD/DAYLIGHT with their RDATEs and yearly RRULEs), so an object is always
//! placed where its author's client placed it.

use calcard::common::timezone::Tz as CalTz;
use calcard::icalendar::{
    ICalendar, ICalendarComponent, ICalendarComponentType, ICalendarProperty, ICalendarRecurrenceRule, ICalendarValue,
    ICalendarWeekday,
};
use chrono::{Datelike, NaiveDate, NaiveDateTime, Offset, TimeZone, Weekday};
use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Arc;

/// A resolved time zone: maps wall-clock times to instants and back.
#[derive(Debug, Clone)]
pub enum Zone {
    /// An IANA zone (also reached through Windows and vendor names).
    Iana(chrono_tz::Tz),
    /// A constant offset east of UTC, in seconds.
    Fixed(i32),
    /// Offsets built from the object's own VTIMEZONE.
    Custom(Arc<CustomZone>),
}

impl Zone {
    /// Resolves a zone name without any VTIMEZONE: IANA names, Windows names, prefixed
    /// (`/softwarestudio.org/...`) and `(UTC+01:00) ...` labels.
    pub fn from_name(name: &str) -> Option<Zone> {
        let name = name.trim().trim_matches('"');
        match CalTz::from_str(name).ok()? {
            CalTz::Tz(tz) => Some(Zone::Iana(tz)),
            CalTz::Fixed(offset) => Some(Zone::Fixed(offset.local_minus_utc())),
            CalTz::Floating => None,
        }
    }

    /// The UTC offset (seconds east) in force at the instant `ts`.
    pub fn offset_at_utc(&self, ts: i64) -> i32 {
        match self {
            Zone::Iana(tz) => match chrono::DateTime::from_timestamp(ts, 0) {
                Some(dt) => tz.offset_from_utc_datetime(&dt.naive_utc()).fix().local_minus_utc(),
                None => 0,
            },
            Zone::Fixed(offset) => *offset,
            Zone::Custom(custom) => custom.offset_at_utc(ts),
        }
    }

    /// The wall-clock time at the instant `ts`.
    pub fn utc_to_local(&self, ts: i64) -> NaiveDateTime {
        naive_from_ts(ts.saturating_add(i64::from(self.offset_at_utc(ts))))
    }

    /// The instant of a wall-clock time.
    ///
    /// RFC 5545 §3.3.5: a time repeated by a fall-back transition is its first occurrence;
    /// a time skipped by a spring-forward gap is read with the offset before the gap.
    pub fn local_to_utc(&self, local: NaiveDateTime) -> i64 {
        let wall = local.and_utc().timestamp();
        let before = self.offset_at_utc(wall.saturating_sub(86_400));
        let after = self.offset_at_utc(wall.saturating_add(86_400));
        let valid = |offset: i32| self.offset_at_utc(wall.saturating_sub(i64::from(offset))) == offset;
        let mut best: Option<i64> = None;
        for offset in [before, after] {
            if valid(offset) {
                let ts = wall.saturating_sub(i64::from(offset));
                best = Some(best.map_or(ts, |b| b.min(ts)));
            }
        }
        best.unwrap_or_else(|| wall.saturating_sub(i64::from(before)))
    }
}

/// Seconds since the epoch as a naive date-time, clamped to chrono's range.
pub(crate) fn naive_from_ts(ts: i64) -> NaiveDateTime {
    let ts = ts.clamp(MIN_TS, MAX_TS);
    chrono::DateTime::from_timestamp(ts, 0)
        .map(|dt| dt.naive_utc())
        .unwrap_or_default()
}

/// 0001-01-01T00:00:00Z: the earliest instant this crate computes with.
pub(crate) const MIN_TS: i64 = -62_135_596_800;
/// 9999-12-31T23:59:59Z: the latest instant this crate computes with.
pub(crate) const MAX_TS: i64 = 253_402_300_799;

/// The TZIDs of one calendar object, resolved once at parse time.
#[derive(Debug, Clone, Default)]
pub struct ZoneTable {
    zones: HashMap<String, Zone>,
}

impl ZoneTable {
    /// Resolves every VTIMEZONE of `ical`: first by name (IANA, Windows, X-LIC-LOCATION,
    /// X-MICROSOFT-CDO-TZID), else from its own observances.
    pub fn from_calendar(ical: &ICalendar) -> Self {
        let mut zones = HashMap::new();
        for comp in &ical.components {
            if comp.component_type != ICalendarComponentType::VTimezone {
                continue;
            }
            let Some(tzid) = text_prop(comp, &ICalendarProperty::Tzid) else {
                continue;
            };
            let by_name = comp.timezone().and_then(|(_, tz)| match tz {
                CalTz::Tz(tz) => Some(Zone::Iana(tz)),
                CalTz::Fixed(o) => Some(Zone::Fixed(o.local_minus_utc())),
                CalTz::Floating => None,
            });
            let zone = by_name.or_else(|| CustomZone::from_vtimezone(ical, comp).map(Zone::Custom));
            if let Some(zone) = zone {
                zones.insert(tzid.to_string(), zone);
            }
        }
        ZoneTable { zones }
    }

    /// The zone for a TZID parameter: the object's own VTIMEZONE, else a known name;
    /// `None` when neither resolves (the value is then read as floating time).
    pub fn resolve(&self, tzid: &str) -> Option<Zone> {
        self.zones.get(tzid).cloned().or_else(|| Zone::from_name(tzid))
    }
}

fn text_prop<'a>(comp: &'a ICalendarComponent, prop: &ICalendarProperty) -> Option<&'a str> {
    comp.property(prop)
        .and_then(|e| e.values.first())
        .and_then(|v| v.as_text())
}

/// Offsets described by a VTIMEZONE's STANDARD and DAYLIGHT observances.
#[derive(Debug, Clone)]
pub struct CustomZone {
    observances: Vec<Observance>,
}

#[derive(Debug, Clone)]
struct Observance {
    /// DTSTART, wall-clock time in the offset before the observance (TZOFFSETFROM).
    start: NaiveDateTime,
    offset_from: i32,
    offset_to: i32,
    rule: Option<YearlyRule>,
    rdates: Vec<NaiveDateTime>,
}

/// The yearly onset rule forms VTIMEZONEs use in practice (RFC 5545 §3.6.5 examples).
#[derive(Debug, Clone)]
struct YearlyRule {
    month: u32,
    day: OnsetDay,
    until: Option<i64>,
}

#[derive(Debug, Clone)]
enum OnsetDay {
    /// `BYDAY=2SU` / `BYDAY=-1SU`.
    NthWeekday(i16, Weekday),
    /// `BYDAY=SU;BYMONTHDAY=8,9,...,14`: the first listed day that is that weekday.
    WeekdayInDays(Weekday, Vec<i8>),
    /// `BYMONTHDAY=n` or the DTSTART's day.
    MonthDay(u32),
}

impl CustomZone {
    fn from_vtimezone(ical: &ICalendar, vtz: &ICalendarComponent) -> Option<Arc<CustomZone>> {
        let mut observances = Vec::new();
        for id in &vtz.component_ids {
            let Some(comp) = ical.components.get(*id as usize) else {
                continue;
            };
            if !matches!(
                comp.component_type,
                ICalendarComponentType::Standard | ICalendarComponentType::Daylight
            ) {
                continue;
            }
            if let Some(obs) = Observance::from_component(comp) {
                observances.push(obs);
            }
        }
        if observances.is_empty() {
            None
        } else {
            Some(Arc::new(CustomZone { observances }))
        }
    }

    fn offset_at_utc(&self, ts: i64) -> i32 {
        let year = naive_from_ts(ts).year();
        let mut latest: Option<(i64, i32)> = None;
        let mut earliest: Option<(i64, i32)> = None;
        for obs in &self.observances {
            let first = obs.onset_utc(obs.start);
            if earliest.is_none_or(|(t, _)| first < t) {
                earliest = Some((first, obs.offset_from));
            }
            let mut consider = |t: i64| {
                if t <= ts && latest.is_none_or(|(l, _)| t > l) {
                    latest = Some((t, obs.offset_to));
                }
            };
            consider(first);
            for rdate in &obs.rdates {
                consider(obs.onset_utc(*rdate));
            }
            if let Some(rule) = &obs.rule {
                for y in [year - 1, year] {
                    if y < obs.start.year() {
                        continue;
                    }
                    if let Some(onset) = rule.onset_in(y, obs.start) {
                        let t = obs.onset_utc(onset);
                        if t >= first && rule.until.is_none_or(|u| t <= u) {
                            consider(t);
                        }
                    }
                }
            }
        }
        latest.or(earliest).map(|(_, offset)| offset).unwrap_or_default()
    }
}

impl Observance {
    fn from_component(comp: &ICalendarComponent) -> Option<Observance> {
        let mut start = None;
        let mut offset_from = None;
        let mut offset_to = None;
        let mut rule = None;
        let mut rdates = Vec::new();
        for entry in &comp.entries {
            match (&entry.name, entry.values.first()) {
                (ICalendarProperty::Dtstart, Some(ICalendarValue::PartialDateTime(dt))) => {
                    start = super::time::naive_of(dt);
                }
                (ICalendarProperty::Tzoffsetfrom, Some(ICalendarValue::PartialDateTime(dt))) => {
                    offset_from = Some(offset_of(dt));
                }
                (ICalendarProperty::Tzoffsetto, Some(ICalendarValue::PartialDateTime(dt))) => {
                    offset_to = Some(offset_of(dt));
                }
                (ICalendarProperty::Rrule, Some(ICalendarValue::RecurrenceRule(r))) => {
                    rule = Some(r.as_ref());
                }
                (ICalendarProperty::Rdate, _) => {
                    for value in &entry.values {
                        if let ICalendarValue::PartialDateTime(dt) = value
                            && let Some(naive) = super::time::naive_of(dt)
                        {
                            rdates.push(naive);
                        }
                    }
                }
                _ => {}
            }
        }
        let start = start?;
        let offset_to = offset_to?;
        let offset_from = offset_from.unwrap_or(offset_to);
        let rule = rule.and_then(|r| YearlyRule::from_rrule(r, start));
        Some(Observance {
            start,
            offset_from,
            offset_to,
            rule,
            rdates,
        })
    }

    /// RFC 5545 §3.6.5: onsets are wall-clock times in the offset before the transition.
    fn onset_utc(&self, local: NaiveDateTime) -> i64 {
        local.and_utc().timestamp().saturating_sub(i64::from(self.offset_from))
    }
}

fn offset_of(dt: &calcard::common::PartialDateTime) -> i32 {
    let secs = i32::from(dt.tz_hour.unwrap_or(0)) * 3600 + i32::from(dt.tz_minute.unwrap_or(0)) * 60;
    if dt.tz_minus { -secs } else { secs }
}

pub(crate) fn weekday_of(day: ICalendarWeekday) -> Weekday {
    match day {
        ICalendarWeekday::Sunday => Weekday::Sun,
        ICalendarWeekday::Monday => Weekday::Mon,
        ICalendarWeekday::Tuesday => Weekday::Tue,
        ICalendarWeekday::Wednesday => Weekday::Wed,
        ICalendarWeekday::Thursday => Weekday::Thu,
        ICalendarWeekday::Friday => Weekday::Fri,
        ICalendarWeekday::Saturday => Weekday::Sat,
    }
}

impl YearlyRule {
    fn from_rrule(rule: &ICalendarRecurrenceRule, start: NaiveDateTime) -> Option<YearlyRule> {
        if rule.freq != calcard::icalendar::ICalendarFrequency::Yearly {
            return None;
        }
        let month = match rule.bymonth.as_slice() {
            [] => start.month(),
            [m] => u32::from(m.month()),
            _ => return None,
        };
        let day = match (rule.byday.as_slice(), rule.bymonthday.as_slice()) {
            ([d], []) => OnsetDay::NthWeekday(d.ordwk.unwrap_or(1), weekday_of(d.weekday)),
            ([d], days) if d.ordwk.is_none() => OnsetDay::WeekdayInDays(weekday_of(d.weekday), days.to_vec()),
            ([], [d]) => OnsetDay::MonthDay(u32::try_from(*d).ok()?),
            ([], []) => OnsetDay::MonthDay(start.day()),
            _ => return None,
        };
        let until = rule.until.as_ref().and_then(|u| {
            let naive = super::time::naive_of(u)?;
            Some(naive.and_utc().timestamp())
        });
        Some(YearlyRule { month, day, until })
    }

    fn onset_in(&self, year: i32, start: NaiveDateTime) -> Option<NaiveDateTime> {
        let date = match &self.day {
            OnsetDay::NthWeekday(n, wd) => nth_weekday(year, self.month, *n, *wd)?,
            OnsetDay::WeekdayInDays(wd, days) => days.iter().find_map(|d| {
                let d = NaiveDate::from_ymd_opt(year, self.month, u32::try_from(*d).ok()?)?;
                (d.weekday() == *wd).then_some(d)
            })?,
            OnsetDay::MonthDay(d) => NaiveDate::from_ymd_opt(year, self.month, *d)?,
        };
        Some(date.and_time(start.time()))
    }
}

/// The `n`th (1-based; negative counts from the end) `weekday` of a month.
pub(crate) fn nth_weekday(year: i32, month: u32, n: i16, weekday: Weekday) -> Option<NaiveDate> {
    if n > 0 {
        let n = u8::try_from(n).ok()?;
        NaiveDate::from_weekday_of_month_opt(year, month, weekday, n)
    } else {
        let (ny, nm) = if month == 12 { (year + 1, 1) } else { (year, month + 1) };
        let last = NaiveDate::from_ymd_opt(ny, nm, 1)?.pred_opt()?;
        let back = (last.weekday().num_days_from_monday() + 7 - weekday.num_days_from_monday()) % 7;
        let last_wd = last - chrono::Duration::days(i64::from(back));
        let weeks = i64::from(n.unsigned_abs()).checked_sub(1)?;
        let date = last_wd - chrono::Duration::weeks(weeks);
        (date.month() == month).then_some(date)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(y: i32, m: u32, d: u32, h: u32, mi: u32) -> i64 {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(h, mi, 0)
            .unwrap()
            .and_utc()
            .timestamp()
    }

    fn local(y: i32, m: u32, d: u32, h: u32, mi: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(h, mi, 0).unwrap()
    }

    #[test]
    fn windows_and_iana_names_resolve_to_the_same_zone() {
        let win = Zone::from_name("Pacific Standard Time").unwrap();
        let iana = Zone::from_name("America/Los_Angeles").unwrap();
        let t = local(2024, 7, 1, 9, 0);
        assert_eq!(win.local_to_utc(t), iana.local_to_utc(t));
        assert_eq!(win.local_to_utc(t), ts(2024, 7, 1, 16, 0));
        assert!(Zone::from_name("\"Europe/Berlin\"").is_some());
        assert!(Zone::from_name("Nowhere Standard Time").is_none());
    }

    #[test]
    fn spring_forward_gap_uses_the_offset_before_the_gap() {
        let ny = Zone::Iana(chrono_tz::America::New_York);
        // 2024-03-10 02:30 does not exist in New York; read with EST (-5h).
        assert_eq!(ny.local_to_utc(local(2024, 3, 10, 2, 30)), ts(2024, 3, 10, 7, 30));
    }

    #[test]
    fn fall_back_overlap_picks_the_first_occurrence() {
        let ny = Zone::Iana(chrono_tz::America::New_York);
        // 2024-11-03 01:30 happens twice; the first is EDT (-4h).
        assert_eq!(ny.local_to_utc(local(2024, 11, 3, 1, 30)), ts(2024, 11, 3, 5, 30));
    }

    #[test]
    fn nth_weekday_counts_from_both_ends() {
        assert_eq!(
            nth_weekday(2024, 3, 2, Weekday::Sun),
            NaiveDate::from_ymd_opt(2024, 3, 10)
        );
        assert_eq!(
            nth_weekday(2024, 10, -1, Weekday::Sun),
            NaiveDate::from_ymd_opt(2024, 10, 27)
        );
        assert_eq!(nth_weekday(2024, 2, 5, Weekday::Mon), None);
    }

    #[test]
    fn unknown_tzid_uses_its_own_vtimezone_rules() {
        let text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VTIMEZONE\r\nTZID:My Made Up Zone\r\n\
BEGIN:STANDARD\r\nDTSTART:19701101T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\r\n\
TZOFFSETFROM:-0400\r\nTZOFFSETTO:-0500\r\nEND:STANDARD\r\nBEGIN:DAYLIGHT\r\n\
DTSTART:19700308T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\r\nTZOFFSETFROM:-0500\r\n\
TZOFFSETTO:-0400\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\nEND:VCALENDAR\r\n";
        let ical = ICalendar::parse(text).unwrap();
        let table = ZoneTable::from_calendar(&ical);
        let zone = table.resolve("My Made Up Zone").unwrap();
        assert!(matches!(zone, Zone::Custom(_)));
        let ny = Zone::Iana(chrono_tz::America::New_York);
        for t in [
            local(2024, 1, 15, 9, 0),
            local(2024, 3, 10, 1, 59),
            local(2024, 3, 10, 3, 0),
            local(2024, 7, 4, 12, 0),
            local(2024, 11, 3, 0, 59),
            local(2024, 11, 3, 2, 0),
            local(2031, 12, 25, 18, 0),
        ] {
            assert_eq!(zone.local_to_utc(t), ny.local_to_utc(t), "at {t}");
        }
    }
}
