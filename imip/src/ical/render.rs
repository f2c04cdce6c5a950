//! The `calendar-data` returned by REPORT and PROPFIND (RFC 4791 §9.6): the stored bytes
//! untouched when nothing else is asked, otherwise a rewritten object with the requested
//! components and properties, expanded instances or a limited recurrence set.

use super::object::CalendarObject;
use super::recur::{CompTimes, Instance, Overflow, overlaps};
use super::time::{Ctx, When, format_date, format_utc};
use super::{IcalError, Limits};
use crate::query::{CalendarDataRequest, CompSelection};
use calcard::icalendar::{ICalendar, ICalendarComponentType, ICalendarEntry, ICalendarProperty, ICalendarValue};

/// A component ready to be written: named property lines and children.
#[derive(Debug, Clone)]
struct OutComp {
    name: String,
    /// (property name, folded content line(s) ending in CRLF)
    lines: Vec<(String, String)>,
    children: Vec<OutComp>,
}

fn entry_line(entry: &ICalendarEntry) -> (String, String) {
    let mut line = String::new();
    // Writing to a String cannot fail.
    let _ = entry.write_to(&mut line);
    (entry.name.as_str().to_ascii_uppercase(), line)
}

fn tree(ical: &ICalendar, idx: usize) -> Option<OutComp> {
    let comp = ical.components.get(idx)?;
    Some(OutComp {
        name: comp.component_type.as_str().to_ascii_uppercase(),
        lines: comp.entries.iter().map(entry_line).collect(),
        children: comp
            .component_ids
            .iter()
            .filter_map(|id| tree(ical, *id as usize))
            .collect(),
    })
}

impl OutComp {
    fn write(&self, out: &mut String) {
        out.push_str("BEGIN:");
        out.push_str(&self.name);
        out.push_str("\r\n");
        for (_, line) in &self.lines {
            out.push_str(line);
        }
        for child in &self.children {
            child.write(out);
        }
        out.push_str("END:");
        out.push_str(&self.name);
        out.push_str("\r\n");
    }

    /// RFC 4791 §9.6.1: keep the selected properties and sub-components.
    fn select(mut self, sel: &CompSelection) -> OutComp {
        if let Some(props) = &sel.props {
            self.lines
                .retain(|(name, _)| props.iter().any(|p| p.eq_ignore_ascii_case(name)));
        }
        if let Some(comps) = &sel.comps {
            self.children = self
                .children
                .into_iter()
                .filter_map(|child| {
                    let s = comps.iter().find(|s| s.name.eq_ignore_ascii_case(&child.name))?;
                    Some(child.select(s))
                })
                .collect();
        }
        self
    }
}

/// Time properties an expanded instance gets afresh (RFC 4791 §9.6.5).
const RECURRENCE_PROPS: [&str; 9] = [
    "DTSTART",
    "DTEND",
    "DUE",
    "DURATION",
    "RRULE",
    "RDATE",
    "EXDATE",
    "EXRULE",
    "RECURRENCE-ID",
];

impl CalendarObject {
    /// The calendar-data for `req`, with floating times read as UTC; see
    /// [`render_in`](Self::render_in).
    pub fn render(&self, req: &CalendarDataRequest) -> Result<String, IcalError> {
        self.render_in(req, None, &Limits::default())
    }

    /// The calendar-data for `req` (RFC 4791 §9.6). Without comp selection, expand or
    /// limits the stored text is returned byte for byte. `expand` writes every instance
    /// in the range as its own component with UTC DTSTART/DTEND and RECURRENCE-ID (DATE
    /// values stay DATE), without RRULE/RDATE/EXDATE or VTIMEZONE; floating times are
    /// placed in `floating_tz`. Fails only when the expansion exceeds `limits`.
    pub fn render_in(
        &self,
        req: &CalendarDataRequest,
        floating_tz: Option<chrono_tz::Tz>,
        limits: &Limits,
    ) -> Result<String, IcalError> {
        if req.comp.is_none()
            && req.expand.is_none()
            && req.limit_recurrence_set.is_none()
            && req.limit_freebusy_set.is_none()
        {
            return Ok(self.as_str().to_string());
        }
        let ctx = Ctx { floating: floating_tz };
        let ical = self.ical();
        let Some(mut root) = tree(ical, 0) else {
            return Ok(self.as_str().to_string());
        };
        let root_comp = ical.components.first();
        let child_ids: Vec<usize> = root_comp
            .map(|c| c.component_ids.iter().map(|id| *id as usize).collect())
            .unwrap_or_default();

        root.children = if let Some(range) = &req.expand {
            // RFC 4791 §9.6.5
            let (lo, hi) = range.bounds();
            let instances =
                self.instances_in(lo, hi, limits, &ctx)
                    .map_err(|Overflow| IcalError::TooManyInstances {
                        max: limits.max_instances,
                    })?;
            let recurring = self.is_recurring() || !self.override_indices().is_empty();
            instances
                .iter()
                .filter_map(|inst| self.expanded(inst, recurring, &ctx))
                .collect()
        } else {
            let mut kept = Vec::new();
            let in_set = |idx: usize| -> bool {
                // RFC 4791 §9.6.6: overrides only when their instance overlaps the range.
                let Some(range) = &req.limit_recurrence_set else {
                    return true;
                };
                if !self.override_indices().contains(&idx) {
                    return true;
                }
                let (lo, hi) = range.bounds();
                let Some(comp) = ical.components.get(idx) else {
                    return false;
                };
                let times = CompTimes::read(self, comp, &ctx);
                let start = times.start.as_ref().or(times.rid.as_ref());
                let Some(start_when) = start else { return false };
                let s = start_when.instant(&ctx);
                let e = times
                    .end
                    .as_ref()
                    .map(|r| r.end(start_when, start_when.local(), &ctx))
                    .unwrap_or(s);
                let rid_in = times
                    .rid
                    .as_ref()
                    .is_some_and(|r| overlaps(r.instant(&ctx), r.instant(&ctx), lo, hi));
                overlaps(s, e, lo, hi) || rid_in
            };
            for idx in child_ids {
                if !in_set(idx) {
                    continue;
                }
                let Some(mut comp) = tree(ical, idx) else {
                    continue;
                };
                if let Some(range) = &req.limit_freebusy_set
                    && ical
                        .components
                        .get(idx)
                        .is_some_and(|c| c.component_type == ICalendarComponentType::VFreebusy)
                {
                    self.limit_freebusy(&mut comp, idx, range.bounds(), &ctx);
                }
                kept.push(comp);
            }
            kept
        };

        if let Some(sel) = &req.comp
            && sel.name.eq_ignore_ascii_case(&root.name)
        {
            root = root.select(sel);
        }
        let mut out = String::new();
        root.write(&mut out);
        Ok(out)
    }

    /// RFC 4791 §9.6.7: keep only FREEBUSY periods overlapping the range.
    fn limit_freebusy(&self, comp: &mut OutComp, idx: usize, (lo, hi): (i64, i64), ctx: &Ctx) {
        let Some(source) = self.ical().components.get(idx) else {
            return;
        };
        let mut lines = Vec::new();
        for entry in &source.entries {
            if entry.name != ICalendarProperty::Freebusy {
                lines.push(entry_line(entry));
                continue;
            }
            let kept: Vec<ICalendarValue> = entry
                .values
                .iter()
                .filter(|v| {
                    let single = ICalendarEntry {
                        name: entry.name.clone(),
                        params: entry.params.clone(),
                        values: vec![(*v).clone()],
                    };
                    super::freebusy::periods_of(&single, self.zones(), ctx)
                        .iter()
                        .any(|(s, e)| lo < *e && hi > *s)
                })
                .cloned()
                .collect();
            if !kept.is_empty() {
                lines.push(entry_line(&ICalendarEntry {
                    name: entry.name.clone(),
                    params: entry.params.clone(),
                    values: kept,
                }));
            }
        }
        comp.lines = lines;
    }

    /// One instance as a standalone component (RFC 4791 §9.6.5).
    fn expanded(&self, inst: &Instance, recurring: bool, ctx: &Ctx) -> Option<OutComp> {
        let source = self.ical().components.get(inst.component)?;
        let mut comp = tree(self.ical(), inst.component)?;
        let had_end = source.entries.iter().any(|e| {
            matches!(
                e.name,
                ICalendarProperty::Dtend | ICalendarProperty::Duration | ICalendarProperty::Due
            )
        });
        let is_todo = source.component_type == ICalendarComponentType::VTodo;
        comp.lines
            .retain(|(name, _)| !RECURRENCE_PROPS.contains(&name.as_str()));
        let date_frame = When::Date(chrono::NaiveDate::MIN);
        let format = |ts: i64, prop: &str| -> (String, String) {
            let line = if inst.all_day {
                let date = date_frame.local_of_instant(ts, ctx).date();
                format!("{prop};VALUE=DATE:{}\r\n", format_date(date))
            } else {
                format!("{prop}:{}\r\n", format_utc(ts))
            };
            (prop.to_string(), line)
        };
        let mut head = vec![format(inst.start, "DTSTART")];
        if had_end && (inst.end != inst.start || !inst.all_day) {
            head.push(format(inst.end, if is_todo { "DUE" } else { "DTEND" }));
        }
        if recurring || inst.overridden {
            head.push(format(inst.recurrence_id, "RECURRENCE-ID"));
        }
        head.extend(comp.lines);
        comp.lines = head;
        Some(comp)
    }
}
