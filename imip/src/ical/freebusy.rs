//! Free-busy time (RFC 4791 §7.10): which periods an object makes its owner busy, and the
//! VFREEBUSY answer to a `free-busy-query` REPORT.

use super::object::{CalendarObject, ComponentKind};
use super::recur::Overflow;
use super::time::{Ctx, When, format_utc};
use super::tz::ZoneTable;
use super::{IcalError, Limits};
use calcard::icalendar::{
    ICalendarEntry, ICalendarFreeBusyType, ICalendarParameterName, ICalendarParameterValue, ICalendarPeriod,
    ICalendarProperty, ICalendarStatus, ICalendarTransparency, ICalendarValue,
};

/// The FBTYPE of a busy period (RFC 5545 §3.2.9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum BusyKind {
    Busy,
    Tentative,
    Unavailable,
}

impl BusyKind {
    fn fbtype(&self) -> &'static str {
        match self {
            BusyKind::Busy => "BUSY",
            BusyKind::Tentative => "BUSY-TENTATIVE",
            BusyKind::Unavailable => "BUSY-UNAVAILABLE",
        }
    }
}

/// A busy interval [start, end), UTC seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct BusyPeriod {
    pub start: i64,
    pub end: i64,
    pub kind: BusyKind,
}

/// The [start, end) instants of every PERIOD value of a FREEBUSY property.
pub(crate) fn periods_of(entry: &ICalendarEntry, zones: &ZoneTable, ctx: &Ctx) -> Vec<(i64, i64)> {
    let mut out = Vec::new();
    for value in &entry.values {
        let ICalendarValue::Period(period) = value else {
            continue;
        };
        let (start, end) = match period {
            ICalendarPeriod::Range { start, end } => {
                let (Some(s), Some(e)) = (
                    When::from_value(start, entry, zones),
                    When::from_value(end, entry, zones),
                ) else {
                    continue;
                };
                (s.instant(ctx), e.instant(ctx))
            }
            ICalendarPeriod::Duration { start, duration } => {
                let Some(s) = When::from_value(start, entry, zones) else {
                    continue;
                };
                let s = s.instant(ctx);
                (s, s.saturating_add(duration.as_seconds()))
            }
        };
        out.push((start, end));
    }
    out
}

impl CalendarObject {
    /// The busy time this object adds within [`start`, `end`), clipped to that range
    /// (RFC 4791 §7.10): TRANSP:TRANSPARENT and STATUS:CANCELLED instances add none,
    /// STATUS:TENTATIVE ones are BUSY-TENTATIVE, VFREEBUSY components contribute their
    /// non-FREE FREEBUSY periods.
    pub fn busy_periods(
        &self,
        start: i64,
        end: i64,
        limits: &Limits,
        floating_tz: Option<chrono_tz::Tz>,
    ) -> Result<Vec<BusyPeriod>, IcalError> {
        let ctx = Ctx { floating: floating_tz };
        let mut out = Vec::new();
        let clip = |s: i64, e: i64, kind: BusyKind, out: &mut Vec<BusyPeriod>| {
            let (s, e) = (s.max(start), e.min(end));
            if e > s {
                out.push(BusyPeriod { start: s, end: e, kind });
            }
        };
        match self.component() {
            ComponentKind::Event => {
                let instances =
                    self.instances_in(start, end, limits, &ctx)
                        .map_err(|Overflow| IcalError::TooManyInstances {
                            max: limits.max_instances,
                        })?;
                for inst in instances {
                    let Some(comp) = self.ical().components.get(inst.component) else {
                        continue;
                    };
                    if matches!(comp.transparency(), Some(ICalendarTransparency::Transparent)) {
                        continue;
                    }
                    let kind = match comp.status() {
                        Some(ICalendarStatus::Cancelled) => continue,
                        Some(ICalendarStatus::Tentative) => BusyKind::Tentative,
                        _ => BusyKind::Busy,
                    };
                    clip(inst.start, inst.end, kind, &mut out);
                }
            }
            ComponentKind::FreeBusy => {
                for comp in self.top_components() {
                    for entry in comp.properties(&ICalendarProperty::Freebusy) {
                        let kind = match entry.parameter(&ICalendarParameterName::Fbtype) {
                            Some(ICalendarParameterValue::Fbtype(ICalendarFreeBusyType::Free)) => {
                                continue;
                            }
                            Some(ICalendarParameterValue::Fbtype(ICalendarFreeBusyType::BusyTentative)) => {
                                BusyKind::Tentative
                            }
                            Some(ICalendarParameterValue::Fbtype(ICalendarFreeBusyType::BusyUnavailable)) => {
                                BusyKind::Unavailable
                            }
                            _ => BusyKind::Busy,
                        };
                        for (s, e) in periods_of(entry, self.zones(), &ctx) {
                            clip(s, e, kind, &mut out);
                        }
                    }
                }
            }
            ComponentKind::Todo | ComponentKind::Journal => {}
        }
        out.sort();
        Ok(out)
    }
}

/// The VCALENDAR answering a `free-busy-query` REPORT (RFC 4791 §7.10): one VFREEBUSY over
/// [`start`, `end`) listing the periods merged per kind, sorted. `dtstamp` is the current
/// time (passed in to keep this crate free of clocks).
pub fn freebusy_calendar(periods: &[BusyPeriod], start: i64, end: i64, dtstamp: i64) -> String {
    let mut sorted: Vec<BusyPeriod> = periods.iter().filter(|p| p.end > p.start).copied().collect();
    sorted.sort_by_key(|p| (p.kind, p.start, p.end));
    let mut merged: Vec<BusyPeriod> = Vec::new();
    for p in sorted {
        match merged.last_mut() {
            Some(last) if last.kind == p.kind && p.start <= last.end => {
                last.end = last.end.max(p.end);
            }
            _ => merged.push(p),
        }
    }
    merged.sort_by_key(|p| (p.start, p.kind));
    let mut out = String::new();
    out.push_str("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//calinvite//CalDAV//EN\r\n");
    out.push_str("BEGIN:VFREEBUSY\r\n");
    out.push_str(&format!("DTSTAMP:{}\r\n", format_utc(dtstamp)));
    out.push_str(&format!("DTSTART:{}\r\n", format_utc(start)));
    out.push_str(&format!("DTEND:{}\r\n", format_utc(end)));
    for p in merged {
        out.push_str(&format!(
            "FREEBUSY;FBTYPE={}:{}/{}\r\n",
            p.kind.fbtype(),
            format_utc(p.start),
            format_utc(p.end)
        ));
    }
    out.push_str("END:VFREEBUSY\r\nEND:VCALENDAR\r\n");
    out
}
