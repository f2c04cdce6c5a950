//! Recurrence expansion: which instances of an object overlap a time range.
//!
//! Rules are applied to wall-clock times (the DTSTART's own frame, treated as UTC by
//! `rrule`) and each instance is placed on the time line afterwards with the object's zone.
//! This keeps 09:00 at 09:00 across DST, handles VTIMEZONE-only zones, and makes an UNTIL
//! equal to the last instance inclusive. RECURRENCE-IDs and EXDATEs are compared as
//! instants, so a UTC RECURRENCE-ID replaces a zoned instance instead of doubling it.
//!
//! Work is bounded per call: fixed-length frequencies seek near the window instead of
//! walking from a DTSTART decades ago, and every walk stops after a budget derived from
//! `Limits::max_instances`.

use super::object::CalendarObject;
use super::time::{Ctx, EndRule, Length, When, end_rule_between};
use super::{IcalError, Limits};
use calcard::icalendar::{
    ICalendarComponent, ICalendarComponentType, ICalendarFrequency, ICalendarPeriod, ICalendarProperty,
    ICalendarRecurrenceRule, ICalendarValue,
};
use chrono::{NaiveDateTime, TimeZone};
use std::collections::HashSet;

/// One occurrence of a calendar component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instance {
    /// Start instant, seconds since the epoch (UTC).
    pub start: i64,
    /// End instant; equal to `start` for an instant-like component (no duration).
    pub end: i64,
    /// The RECURRENCE-ID this instance answers to, as an instant (the original start).
    pub recurrence_id: i64,
    /// Whether an overriding component (with RECURRENCE-ID) supplied this instance.
    pub overridden: bool,
    /// DATE-valued start: placed at midnight of the floating time zone.
    pub all_day: bool,
    /// Floating (or all-day) time, placed with the caller's calendar time zone.
    pub floating: bool,
    /// Index of the component in the parsed calendar that describes this instance.
    pub(crate) component: usize,
}

/// RFC 4791 §9.9: an instance overlaps [lo, hi); a zero-length one only at its start.
pub(crate) fn overlaps(start: i64, end: i64, lo: i64, hi: i64) -> bool {
    if end > start {
        lo < end && hi > start
    } else {
        lo <= start && hi > start
    }
}

/// Why expansion stopped early.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Overflow;

/// The time properties of one component, read once.
#[derive(Debug, Clone)]
pub(crate) struct CompTimes<'a> {
    pub start: Option<When>,
    pub end: Option<EndRule>,
    pub rrule: Option<&'a ICalendarRecurrenceRule>,
    pub rdates: Vec<(When, Option<When>, Option<Length>)>,
    pub exdates: Vec<When>,
    pub rid: Option<When>,
}

impl<'a> CompTimes<'a> {
    pub(crate) fn read(obj: &CalendarObject, comp: &'a ICalendarComponent, ctx: &Ctx) -> Self {
        let zones = obj.zones();
        let mut times = CompTimes {
            start: None,
            end: None,
            rrule: None,
            rdates: Vec::new(),
            exdates: Vec::new(),
            rid: None,
        };
        let mut end_value = None;
        let mut duration = None;
        for entry in &comp.entries {
            match &entry.name {
                ICalendarProperty::Dtstart => times.start = When::from_entry(entry, zones),
                ICalendarProperty::Dtend => end_value = When::from_entry(entry, zones),
                ICalendarProperty::Due if comp.component_type == ICalendarComponentType::VTodo => {
                    end_value = When::from_entry(entry, zones)
                }
                ICalendarProperty::Duration => {
                    if let Some(ICalendarValue::Duration(d)) = entry.values.first() {
                        duration = Some(Length::from_duration(d));
                    }
                }
                ICalendarProperty::RecurrenceId => times.rid = When::from_entry(entry, zones),
                ICalendarProperty::Rrule => {
                    if let Some(ICalendarValue::RecurrenceRule(rule)) = entry.values.first() {
                        times.rrule = Some(rule.as_ref());
                    }
                }
                ICalendarProperty::Rdate => {
                    for value in &entry.values {
                        match value {
                            ICalendarValue::PartialDateTime(dt) => {
                                if let Some(w) = When::from_value(dt, entry, zones) {
                                    times.rdates.push((w, None, None));
                                }
                            }
                            ICalendarValue::Period(ICalendarPeriod::Range { start, end }) => {
                                if let (Some(s), Some(e)) = (
                                    When::from_value(start, entry, zones),
                                    When::from_value(end, entry, zones),
                                ) {
                                    times.rdates.push((s, Some(e), None));
                                }
                            }
                            ICalendarValue::Period(ICalendarPeriod::Duration { start, duration }) => {
                                if let Some(s) = When::from_value(start, entry, zones) {
                                    times.rdates.push((s, None, Some(Length::from_duration(duration))));
                                }
                            }
                            _ => {}
                        }
                    }
                }
                ICalendarProperty::Exdate => {
                    for value in &entry.values {
                        if let ICalendarValue::PartialDateTime(dt) = value
                            && let Some(w) = When::from_value(dt, entry, zones)
                        {
                            times.exdates.push(w);
                        }
                    }
                }
                _ => {}
            }
        }
        times.end = match (&times.start, end_value, duration) {
            (Some(start), Some(end), _) => Some(end_rule_between(start, &end, ctx)),
            (Some(_), None, Some(len)) => Some(EndRule::Length(len)),
            // RFC 5545 §3.6.1: a DATE DTSTART without end lasts one day (VJOURNAL too).
            (Some(When::Date(_)), None, None) if comp.component_type != ICalendarComponentType::VTodo => {
                Some(EndRule::Length(Length { days: 1, seconds: 0 }))
            }
            _ => None,
        };
        times
    }

    fn end_rule(&self) -> EndRule {
        self.end.clone().unwrap_or(EndRule::Exact(0))
    }

    pub(crate) fn is_recurring(&self) -> bool {
        self.rrule.is_some() || !self.rdates.is_empty()
    }
}

impl CalendarObject {
    /// The instances overlapping [`start`, `end`) (RFC 4791 §9.9 overlap rules), sorted by
    /// start. Floating and all-day times are placed in `floating_tz` (UTC when `None`).
    ///
    /// Fails with [`IcalError::TooManyInstances`] rather than truncating when more than
    /// `limits.max_instances` instances overlap the range, or when reaching the range would
    /// take more than ten times that many steps (a rule that cannot seek, e.g. a MONTHLY
    /// rule expanded to every second).
    pub fn instances(
        &self,
        start: i64,
        end: i64,
        limits: &Limits,
        floating_tz: Option<chrono_tz::Tz>,
    ) -> Result<Vec<Instance>, IcalError> {
        let ctx = Ctx { floating: floating_tz };
        self.instances_in(start, end, limits, &ctx)
            .map_err(|Overflow| IcalError::TooManyInstances {
                max: limits.max_instances,
            })
    }

    pub(crate) fn instances_in(&self, lo: i64, hi: i64, limits: &Limits, ctx: &Ctx) -> Result<Vec<Instance>, Overflow> {
        let mut out = Vec::new();
        let overrides: Vec<(usize, CompTimes<'_>)> = self
            .override_indices()
            .iter()
            .filter_map(|idx| {
                let comp = self.ical().components.get(*idx)?;
                Some((*idx, CompTimes::read(self, comp, ctx)))
            })
            .collect();
        let override_rids: HashSet<i64> = overrides
            .iter()
            .filter_map(|(_, t)| t.rid.as_ref().map(|r| r.instant(ctx)))
            .collect();
        let master_times = self
            .master_index()
            .and_then(|idx| Some((idx, CompTimes::read(self, self.ical().components.get(idx)?, ctx))));

        if let Some((idx, times)) = &master_times {
            expand_master(*idx, times, lo, hi, limits, ctx, &override_rids, &mut out)?;
        }
        for (idx, times) in &overrides {
            let Some(rid) = times.rid.as_ref() else {
                continue;
            };
            let start_when = times.start.clone().unwrap_or_else(|| rid.clone());
            let end_rule = match (&times.end, &master_times) {
                (Some(rule), _) => rule.clone(),
                (None, Some((_, m))) if times.start.is_none() => m.end_rule(),
                _ => EndRule::Exact(0),
            };
            let start = start_when.instant(ctx);
            let end = end_rule.end(&start_when, start_when.local(), ctx);
            if overlaps(start, end, lo, hi) {
                out.push(Instance {
                    start,
                    end,
                    recurrence_id: rid.instant(ctx),
                    overridden: true,
                    all_day: start_when.is_date(),
                    floating: start_when.is_floating(),
                    component: *idx,
                });
            }
        }
        out.sort_by_key(|i| (i.start, i.recurrence_id));
        if out.len() > limits.max_instances {
            return Err(Overflow);
        }
        Ok(out)
    }
}

#[allow(clippy::too_many_arguments)]
fn expand_master(
    idx: usize,
    times: &CompTimes<'_>,
    lo: i64,
    hi: i64,
    limits: &Limits,
    ctx: &Ctx,
    override_rids: &HashSet<i64>,
    out: &mut Vec<Instance>,
) -> Result<(), Overflow> {
    let Some(dtstart) = times.start.as_ref() else {
        return Ok(());
    };
    let end_rule = times.end_rule();
    let exdates: HashSet<i64> = times.exdates.iter().map(|w| w.instant(ctx)).collect();
    let mut seen = HashSet::new();
    let mut push = |start: i64, end: i64, when: &When, out: &mut Vec<Instance>| {
        if exdates.contains(&start) || override_rids.contains(&start) || !seen.insert(start) {
            return;
        }
        if overlaps(start, end, lo, hi) {
            out.push(Instance {
                start,
                end,
                recurrence_id: start,
                overridden: false,
                all_day: when.is_date(),
                floating: when.is_floating(),
                component: idx,
            });
        }
    };

    // RFC 5545 §3.8.5.3: DTSTART is always the first instance.
    let first_local = dtstart.local();
    push(
        dtstart.instant(ctx),
        end_rule.end(dtstart, first_local, ctx),
        dtstart,
        out,
    );

    if let Some(rule) = times.rrule {
        // Wall-clock window in DTSTART's frame, widened by the longest instance and by a
        // slack for DST shifts (wall-clock time is not monotonic around them).
        let slack = chrono::Duration::hours(3);
        let lo_local = dtstart.local_of_instant(lo.saturating_sub(end_rule.max_seconds()), ctx);
        let hi_local = dtstart.local_of_instant(hi, ctx);
        let local_lo = lo_local.checked_sub_signed(slack).unwrap_or(lo_local);
        let local_hi = hi_local.checked_add_signed(slack).unwrap_or(hi_local);
        for local in expand_rule(rule, dtstart, local_lo, local_hi, limits, ctx)? {
            let when = dtstart.with_local(local);
            let start = when.instant(ctx);
            let end = end_rule.end(dtstart, local, ctx);
            push(start, end, &when, out);
            if out.len() > limits.max_instances {
                return Err(Overflow);
            }
        }
    }

    for (when, period_end, period_len) in &times.rdates {
        let start = when.instant(ctx);
        let end = match (period_end, period_len) {
            (Some(e), _) => e.instant(ctx),
            (None, Some(len)) => len.end_after(when, when.local(), ctx),
            (None, None) => end_rule.end(when, when.local(), ctx),
        };
        push(start, end, when, out);
    }
    Ok(())
}

/// Seconds in one period of a fixed-length frequency (None for MONTHLY and YEARLY).
fn period_seconds(freq: ICalendarFrequency) -> Option<i64> {
    match freq {
        ICalendarFrequency::Secondly => Some(1),
        ICalendarFrequency::Minutely => Some(60),
        ICalendarFrequency::Hourly => Some(3600),
        ICalendarFrequency::Daily => Some(86_400),
        ICalendarFrequency::Weekly => Some(7 * 86_400),
        ICalendarFrequency::Monthly | ICalendarFrequency::Yearly => None,
    }
}

fn has_by_parts(rule: &ICalendarRecurrenceRule) -> bool {
    !(rule.bysecond.is_empty()
        && rule.byminute.is_empty()
        && rule.byhour.is_empty()
        && rule.byday.is_empty()
        && rule.bymonthday.is_empty()
        && rule.byyearday.is_empty()
        && rule.byweekno.is_empty()
        && rule.bymonth.is_empty()
        && rule.bysetpos.is_empty())
}

/// The wall-clock starts a rule yields within [local_lo, local_hi], DTSTART excluded.
pub(crate) fn expand_rule(
    rule: &ICalendarRecurrenceRule,
    dtstart: &When,
    local_lo: NaiveDateTime,
    local_hi: NaiveDateTime,
    limits: &Limits,
    ctx: &Ctx,
) -> Result<Vec<NaiveDateTime>, Overflow> {
    let start_local = dtstart.local();
    let interval = i64::from(rule.interval.unwrap_or(1).max(1));
    let mut count = rule.count.filter(|c| *c > 0);
    let mut origin = start_local;

    // Seek: move DTSTART forward by whole periods so the walk starts near the window.
    // Only exact for fixed-length periods; with COUNT only when each period yields one
    // instance, so the skipped instances can be counted.
    if let Some(unit) = period_seconds(rule.freq) {
        let period = unit.saturating_mul(interval);
        let gap = (local_lo - start_local).num_seconds();
        let skip = gap / period - 1;
        let countable = count.is_none() || !has_by_parts(rule);
        if skip > 0 && countable {
            if let Some(c) = count {
                let remaining = i64::from(c) - skip;
                if remaining <= 0 {
                    return Ok(Vec::new());
                }
                count = u32::try_from(remaining).ok();
            }
            let shift = chrono::Duration::seconds(skip.saturating_mul(period));
            origin = start_local.checked_add_signed(shift).unwrap_or(start_local);
        }
    }

    let Some(builder) = to_rrule(rule) else {
        return Ok(Vec::new());
    };
    let mut builder = builder;
    if let Some(c) = count {
        builder = builder.count(c);
    }
    if let Some(until) = until_local(rule, dtstart, ctx) {
        if until < origin {
            return Ok(Vec::new());
        }
        builder = builder.until(rrule::Tz::UTC.from_utc_datetime(&until));
    }
    let dt_origin = rrule::Tz::UTC.from_utc_datetime(&origin);
    let Ok(validated) = builder.validate(dt_origin) else {
        return Ok(Vec::new());
    };
    let set = rrule::RRuleSet::new(dt_origin).rrule(validated);

    // RFC 5545 §3.8.5.3: DTSTART counts as the first of COUNT even when the rule does not
    // produce it; `rrule` does not know that, so its last one is dropped in that case.
    let unshifted_count = if origin == start_local { count } else { None };
    let mut dtstart_matched = true;
    let mut out = Vec::new();
    let budget = limits.max_instances.saturating_mul(10).max(1000);
    for (n, dt) in (&set).into_iter().enumerate() {
        let local = dt.naive_utc();
        if n == 0 {
            dtstart_matched = local == start_local;
        }
        if local > local_hi {
            break;
        }
        if n >= budget {
            return Err(Overflow);
        }
        if !dtstart_matched
            && let Some(c) = unshifted_count
            && n + 1 >= c as usize
        {
            break;
        }
        if local >= local_lo && local != start_local {
            out.push(local);
        }
    }
    Ok(out)
}

/// UNTIL as a wall-clock time in DTSTART's frame (RFC 5545 §3.3.10: UTC when DTSTART
/// has a zone; inclusive; a DATE UNTIL with a DATE-TIME DTSTART covers that whole day).
fn until_local(rule: &ICalendarRecurrenceRule, dtstart: &When, ctx: &Ctx) -> Option<NaiveDateTime> {
    let until = rule.until.as_ref()?;
    if !until.has_time() {
        let date = super::time::date_of(until)?;
        return Some(match dtstart {
            When::Date(_) => date.and_time(chrono::NaiveTime::MIN),
            _ => date.and_hms_opt(23, 59, 59)?,
        });
    }
    let naive = super::time::naive_of(until)?;
    if until.has_zone() {
        let ts = naive.and_utc().timestamp();
        Some(dtstart.local_of_instant(ts, ctx))
    } else {
        Some(naive)
    }
}

/// calcard's rule as an `rrule` rule without COUNT/UNTIL; `None` for RSCALE, SKIP or leap
/// months, which `rrule` cannot express (the component then has its DTSTART only).
fn to_rrule(rule: &ICalendarRecurrenceRule) -> Option<rrule::RRule<rrule::Unvalidated>> {
    use rrule::{Frequency, NWeekday};
    if rule.rscale.is_some() || rule.skip.is_some() {
        return None;
    }
    let freq = match rule.freq {
        ICalendarFrequency::Yearly => Frequency::Yearly,
        ICalendarFrequency::Monthly => Frequency::Monthly,
        ICalendarFrequency::Weekly => Frequency::Weekly,
        ICalendarFrequency::Daily => Frequency::Daily,
        ICalendarFrequency::Hourly => Frequency::Hourly,
        ICalendarFrequency::Minutely => Frequency::Minutely,
        ICalendarFrequency::Secondly => Frequency::Secondly,
    };
    let mut months = Vec::with_capacity(rule.bymonth.len());
    for m in &rule.bymonth {
        if m.is_leap() {
            return None;
        }
        months.push(chrono::Month::try_from(m.month()).ok()?);
    }
    let weekdays = rule
        .byday
        .iter()
        .map(|d| NWeekday::new(d.ordwk, super::tz::weekday_of(d.weekday)))
        .collect();
    let mut r = rrule::RRule::new(freq)
        .interval(rule.interval.unwrap_or(1).max(1))
        .by_month(&months)
        .by_month_day(rule.bymonthday.clone())
        .by_year_day(rule.byyearday.clone())
        .by_week_no(rule.byweekno.clone())
        .by_weekday(weekdays)
        .by_hour(rule.byhour.clone())
        .by_minute(rule.byminute.clone())
        .by_second(rule.bysecond.clone())
        .by_set_pos(rule.bysetpos.clone());
    if let Some(wkst) = rule.wkst {
        r = r.week_start(super::tz::weekday_of(wkst));
    }
    Some(r)
}

#[cfg(test)]
mod tests {
    use super::overlaps;

    #[test]
    fn overlap_excludes_touching_ends() {
        assert!(overlaps(10, 20, 19, 30));
        assert!(!overlaps(10, 20, 20, 30));
        assert!(!overlaps(10, 20, 0, 10));
        assert!(overlaps(10, 20, 0, 11));
    }

    #[test]
    fn zero_length_instance_overlaps_only_ranges_containing_its_start() {
        assert!(overlaps(10, 10, 10, 11));
        assert!(!overlaps(10, 10, 0, 10));
        assert!(!overlaps(10, 10, 11, 20));
    }
}
