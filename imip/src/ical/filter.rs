//! `calendar-query` filter evaluation (RFC 4791 §9.7) with the time-range rules of §9.9.
//!
//! Recurring components match when any of their instances overlaps; each instance is
//! judged against the component that describes it (master or override), so a property
//! filter and a time-range in one comp-filter apply to the same occurrence.

use super::Limits;
use super::object::CalendarObject;
use super::recur::{CompTimes, overlaps};
use super::text::text_matches;
use super::time::{Ctx, Length, When};
use crate::query::{CompFilter, Filter, ParamFilter, PropFilter, TimeRange};
use calcard::icalendar::{
    ICalendarComponent, ICalendarComponentType, ICalendarEntry, ICalendarParameterName, ICalendarParameterValue,
    ICalendarProperty, ICalendarRelated, ICalendarValue,
};

impl CalendarObject {
    /// Whether the object matches a `calendar-query` filter (RFC 4791 §9.7). Floating and
    /// all-day times are placed in `floating_tz` (the calendar's time zone; UTC if `None`).
    ///
    /// A recurrence too large to expand within the default limits is reported as a match:
    /// an over-broad answer is safer than hiding an event.
    pub fn matches(&self, filter: &Filter, floating_tz: Option<chrono_tz::Tz>) -> bool {
        let eval = Eval {
            obj: self,
            ctx: Ctx { floating: floating_tz },
            limits: Limits::default(),
        };
        let Some(root) = self.ical().components.first() else {
            return false;
        };
        if !name_is(root, &filter.root.name) {
            return filter.root.is_not_defined;
        }
        if filter.root.is_not_defined {
            return false;
        }
        eval.comp(0, &filter.root, None)
    }
}

fn name_is(comp: &ICalendarComponent, name: &str) -> bool {
    comp.component_type.as_str().eq_ignore_ascii_case(name)
}

struct Eval<'a> {
    obj: &'a CalendarObject,
    ctx: Ctx,
    limits: Limits,
}

impl Eval<'_> {
    fn component(&self, idx: usize) -> Option<&ICalendarComponent> {
        self.obj.ical().components.get(idx)
    }

    /// RFC 4791 §9.7.1: the candidate `idx` (named as the filter) passes every test.
    fn comp(&self, idx: usize, filter: &CompFilter, parent: Option<usize>) -> bool {
        let Some(comp) = self.component(idx) else {
            return false;
        };
        if let Some(tr) = &filter.time_range
            && !self.comp_time_range(idx, comp, parent, tr)
        {
            return false;
        }
        if !filter.prop_filters.iter().all(|pf| self.prop(comp, pf)) {
            return false;
        }
        filter.comp_filters.iter().all(|cf| {
            let mut children = comp
                .component_ids
                .iter()
                .map(|id| *id as usize)
                .filter(|child| self.component(*child).is_some_and(|c| name_is(c, &cf.name)))
                .peekable();
            if cf.is_not_defined {
                children.peek().is_none()
            } else {
                children.any(|child| self.comp(child, cf, Some(idx)))
            }
        })
    }

    /// RFC 4791 §9.9: time-range on a component.
    fn comp_time_range(&self, idx: usize, comp: &ICalendarComponent, parent: Option<usize>, tr: &TimeRange) -> bool {
        let (lo, hi) = tr.bounds();
        match comp.component_type {
            ICalendarComponentType::VEvent | ICalendarComponentType::VJournal => self.any_instance_of(idx, lo, hi),
            ICalendarComponentType::VTodo => {
                let times = CompTimes::read(self.obj, comp, &self.ctx);
                let in_series = times.is_recurring() || times.rid.is_some();
                if in_series && times.start.is_some() {
                    self.any_instance_of(idx, lo, hi)
                } else {
                    self.todo_table(comp, &times, lo, hi)
                }
            }
            ICalendarComponentType::VFreebusy => self.freebusy_table(comp, lo, hi),
            ICalendarComponentType::VAlarm => parent.is_some_and(|p| self.alarm_in_range(comp, p, lo, hi)),
            _ => false,
        }
    }

    fn any_instance_of(&self, idx: usize, lo: i64, hi: i64) -> bool {
        match self.obj.instances_in(lo, hi, &self.limits, &self.ctx) {
            Ok(list) => list.iter().any(|i| i.component == idx),
            Err(_) => true,
        }
    }

    /// RFC 4791 §9.9, the VTODO table.
    fn todo_table(&self, comp: &ICalendarComponent, times: &CompTimes<'_>, lo: i64, hi: i64) -> bool {
        let at = |prop: ICalendarProperty| {
            comp.property(&prop)
                .and_then(|e| When::from_entry(e, self.obj.zones()))
                .map(|w| w.instant(&self.ctx))
        };
        let start = times.start.as_ref().map(|w| w.instant(&self.ctx));
        let due = at(ICalendarProperty::Due);
        let duration = comp
            .property(&ICalendarProperty::Duration)
            .and_then(|e| match e.values.first() {
                Some(ICalendarValue::Duration(d)) => Some(Length::from_duration(d)),
                _ => None,
            });
        let completed = at(ICalendarProperty::Completed);
        let created = at(ICalendarProperty::Created);
        match (start, duration, due) {
            (Some(s), _, Some(d)) => (lo < d || lo <= s) && (hi > s || hi >= d),
            (Some(s), Some(len), None) => {
                let Some(w) = &times.start else { return false };
                let e = len.end_after(w, w.local(), &self.ctx);
                lo <= e && (hi > s || hi >= e)
            }
            (Some(s), None, None) => lo <= s && hi > s,
            (None, _, Some(d)) => lo < d && hi >= d,
            (None, _, None) => match (completed, created) {
                (Some(c), Some(r)) => (lo <= r || lo <= c) && (hi >= r || hi >= c),
                (Some(c), None) => lo <= c && hi >= c,
                (None, Some(r)) => lo <= r && hi > r,
                (None, None) => true,
            },
        }
    }

    /// RFC 4791 §9.9, the VFREEBUSY table.
    fn freebusy_table(&self, comp: &ICalendarComponent, lo: i64, hi: i64) -> bool {
        let at = |prop: ICalendarProperty| {
            comp.property(&prop)
                .and_then(|e| When::from_entry(e, self.obj.zones()))
                .map(|w| w.instant(&self.ctx))
        };
        if let (Some(s), Some(e)) = (at(ICalendarProperty::Dtstart), at(ICalendarProperty::Dtend)) {
            return lo <= e && hi > s;
        }
        comp.properties(&ICalendarProperty::Freebusy).any(|entry| {
            super::freebusy::periods_of(entry, self.obj.zones(), &self.ctx)
                .into_iter()
                .any(|(s, e)| lo < e && hi > s)
        })
    }

    /// RFC 4791 §9.9, the VALARM table: a trigger (or a repetition) falls in the range.
    fn alarm_in_range(&self, alarm: &ICalendarComponent, parent: usize, lo: i64, hi: i64) -> bool {
        let Some(trigger) = alarm.property(&ICalendarProperty::Trigger) else {
            return false;
        };
        let repeat = alarm
            .property(&ICalendarProperty::Repeat)
            .and_then(|e| e.values.first())
            .and_then(|v| v.as_integer())
            .unwrap_or(0)
            .clamp(0, 1000);
        let every = alarm
            .property(&ICalendarProperty::Duration)
            .and_then(|e| match e.values.first() {
                Some(ICalendarValue::Duration(d)) => Some(d.as_seconds()),
                _ => None,
            })
            .unwrap_or(0);
        let repeat = if every > 0 { repeat } else { 0 };
        let fires_in_range = |t: i64| {
            (0..=repeat).any(|k| {
                let at = t.saturating_add(k.saturating_mul(every));
                lo <= at && hi > at
            })
        };
        match trigger.values.first() {
            Some(ICalendarValue::PartialDateTime(_)) => {
                When::from_entry(trigger, self.obj.zones()).is_some_and(|w| fires_in_range(w.instant(&self.ctx)))
            }
            Some(ICalendarValue::Duration(d)) => {
                let offset = d.as_seconds();
                let from_end = matches!(
                    trigger.parameter(&ICalendarParameterName::Related),
                    Some(ICalendarParameterValue::Related(ICalendarRelated::End))
                );
                let span = repeat.saturating_mul(every);
                let qlo = lo.saturating_sub(offset).saturating_sub(span).saturating_sub(1);
                let qhi = hi.saturating_sub(offset).saturating_add(1);
                match self.obj.instances_in(qlo, qhi, &self.limits, &self.ctx) {
                    Ok(list) => list.iter().filter(|i| i.component == parent).any(|i| {
                        let base = if from_end { i.end } else { i.start };
                        fires_in_range(base.saturating_add(offset))
                    }),
                    Err(_) => true,
                }
            }
            _ => false,
        }
    }

    /// RFC 4791 §9.7.2: some property of that name passes every test.
    fn prop(&self, comp: &ICalendarComponent, filter: &PropFilter) -> bool {
        let mut entries = comp
            .entries
            .iter()
            .filter(|e| e.name.as_str().eq_ignore_ascii_case(&filter.name))
            .peekable();
        if filter.is_not_defined {
            return entries.peek().is_none();
        }
        entries.any(|entry| {
            if let Some(tr) = &filter.time_range
                && !self.prop_time_range(entry, tr)
            {
                return false;
            }
            if let Some(tm) = &filter.text_match {
                let values = value_texts(entry);
                if !text_matches(tm, values.iter().map(String::as_str)) {
                    return false;
                }
            }
            filter.param_filters.iter().all(|pf| param(entry, pf))
        })
    }

    /// RFC 4791 §9.9: a DATE or DATE-TIME property value within the range.
    fn prop_time_range(&self, entry: &ICalendarEntry, tr: &TimeRange) -> bool {
        let (lo, hi) = tr.bounds();
        let Some(when) = When::from_entry(entry, self.obj.zones()) else {
            return false;
        };
        let start = when.instant(&self.ctx);
        let end = if when.is_date() { start + 86_400 } else { start };
        overlaps(start, end, lo, hi)
    }
}

/// The textual values of a property: TEXT unescaped, every value of a list (CATEGORIES).
pub(crate) fn value_texts(entry: &ICalendarEntry) -> Vec<String> {
    entry
        .values
        .iter()
        .filter_map(|v| match v.as_text() {
            Some(s) => Some(s.to_string()),
            None => v.clone().into_text().map(|c| c.into_owned()),
        })
        .collect()
}

/// RFC 4791 §9.7.3: a parameter of that name exists (or not) and its value matches.
fn param(entry: &ICalendarEntry, filter: &ParamFilter) -> bool {
    let values: Vec<String> = entry
        .params
        .iter()
        .filter(|p| p.name.as_str().eq_ignore_ascii_case(&filter.name))
        .filter_map(|p| match p.value.as_text() {
            Some(s) => Some(s.to_string()),
            None => p.value.clone().into_text().map(|c| c.into_owned()),
        })
        .collect();
    let present = entry
        .params
        .iter()
        .any(|p| p.name.as_str().eq_ignore_ascii_case(&filter.name));
    if filter.is_not_defined {
        return !present;
    }
    if !present {
        return false;
    }
    match &filter.text_match {
        Some(tm) => text_matches(tm, values.iter().map(String::as_str)),
        None => true,
    }
}
