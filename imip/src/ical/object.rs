//! One stored calendar object resource: parsed, validated against RFC 4791 §4.1, and kept
//! together with its original bytes so a plain GET returns exactly what was PUT.

use super::recur::{CompTimes, Overflow};
use super::time::{Ctx, When};
use super::tz::{MAX_TS, MIN_TS, ZoneTable};
use super::{IcalError, Limits};
use calcard::Entry;
use calcard::icalendar::{ICalendar, ICalendarComponent, ICalendarComponentType, ICalendarProperty};

/// The kind of component a calendar object resource holds (RFC 4791 §4.1: one kind only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ComponentKind {
    Event,
    Todo,
    Journal,
    FreeBusy,
}

impl ComponentKind {
    /// The iCalendar component name (`VEVENT`, ...), as used in
    /// `supported-calendar-component-set`.
    pub fn name(&self) -> &'static str {
        match self {
            ComponentKind::Event => "VEVENT",
            ComponentKind::Todo => "VTODO",
            ComponentKind::Journal => "VJOURNAL",
            ComponentKind::FreeBusy => "VFREEBUSY",
        }
    }

    fn of(ty: &ICalendarComponentType) -> Option<ComponentKind> {
        match ty {
            ICalendarComponentType::VEvent => Some(ComponentKind::Event),
            ICalendarComponentType::VTodo => Some(ComponentKind::Todo),
            ICalendarComponentType::VJournal => Some(ComponentKind::Journal),
            ICalendarComponentType::VFreebusy => Some(ComponentKind::FreeBusy),
            _ => None,
        }
    }
}

/// The conservative time range an object can match, for a time-range index.
///
/// An object can only match a time-range [s, e) when `s <= end` and `e > start - 1`
/// (treat it as the closed interval [start, end]); `end == None` means the recurrence is
/// unbounded or too long to expand cheaply. Floating and all-day times are widened by
/// 14 hours on both sides, so the span holds whatever calendar time zone is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub start: i64,
    pub end: Option<i64>,
}

impl Span {
    /// Whether a time-range [lo, hi) may match an object with this span.
    pub fn may_overlap(&self, lo: i64, hi: i64) -> bool {
        hi >= self.start && self.end.is_none_or(|end| lo <= end)
    }
}

/// A validated calendar object resource.
#[derive(Debug, Clone)]
pub struct CalendarObject {
    raw: String,
    ical: ICalendar,
    zones: ZoneTable,
    uid: String,
    kind: ComponentKind,
    method: Option<String>,
    master: Option<usize>,
    overrides: Vec<usize>,
    span: Option<Span>,
    always_in_range: bool,
}

/// 14 hours: the widest distance between a floating time and UTC.
const FLOATING_SLACK: i64 = 14 * 3600;

impl CalendarObject {
    /// Parses and validates a calendar object resource for storage (RFC 4791 §4.1).
    pub fn parse(bytes: &[u8], limits: &Limits) -> Result<CalendarObject, IcalError> {
        let obj = Self::parse_inner(bytes, limits, false)?;
        // RFC 4791 §4.1: METHOD is for iTIP messages, not stored resources.
        if obj.method.is_some() {
            return Err(IcalError::InvalidObject(
                "METHOD is not allowed in a stored calendar object; remove the METHOD property".into(),
            ));
        }
        // RFC 5545 §3.6.1: DTSTART is required in a VEVENT without METHOD.
        if obj.kind == ComponentKind::Event {
            for comp in obj.top_components() {
                if !comp.has_property(&ICalendarProperty::Dtstart) {
                    return Err(IcalError::InvalidData(format!("VEVENT {} has no DTSTART", obj.uid)));
                }
            }
        }
        Ok(obj)
    }

    /// Parses an iTIP message body (RFC 5546): as [`parse`](Self::parse) but METHOD is
    /// allowed, a VEVENT may lack DTSTART (e.g. some REPLY and CANCEL messages), and a
    /// component without UID is tolerated (its [`uid`](Self::uid) is then empty; old
    /// Exchange CDO messages do this).
    pub fn parse_itip(bytes: &[u8], limits: &Limits) -> Result<CalendarObject, IcalError> {
        Self::parse_inner(bytes, limits, true)
    }

    fn parse_inner(bytes: &[u8], limits: &Limits, itip: bool) -> Result<CalendarObject, IcalError> {
        if bytes.len() > limits.max_size {
            return Err(IcalError::TooLarge {
                size: bytes.len(),
                max: limits.max_size,
            });
        }
        let text = std::str::from_utf8(bytes).map_err(|e| {
            IcalError::InvalidData(format!("not UTF-8 text (invalid byte at offset {})", e.valid_up_to()))
        })?;
        let mut parser = calcard::Parser::new(text);
        let ical = match parser.entry() {
            Entry::ICalendar(ical) => ical,
            Entry::VCard(_) => {
                return Err(IcalError::InvalidData("this is a vCard, not iCalendar".into()));
            }
            Entry::InvalidLine(line) => {
                return Err(IcalError::InvalidData(format!(
                    "not iCalendar: unexpected line {:?}",
                    line.chars().take(60).collect::<String>()
                )));
            }
            Entry::UnexpectedComponentEnd { expected, found } => {
                return Err(IcalError::InvalidData(format!(
                    "END:{} found where END:{} was expected",
                    found.as_str(),
                    expected.as_str()
                )));
            }
            Entry::UnterminatedComponent(name) => {
                return Err(IcalError::InvalidData(format!("BEGIN:{name} is never ended")));
            }
            Entry::TooManyComponents => {
                return Err(IcalError::InvalidData("too many components".into()));
            }
            _ => return Err(IcalError::InvalidData("no iCalendar data found".into())),
        };
        if !matches!(parser.entry(), Entry::Eof) {
            return Err(IcalError::InvalidData(
                "data after END:VCALENDAR; send exactly one VCALENDAR".into(),
            ));
        }
        let Some(root) = ical.components.first() else {
            return Err(IcalError::InvalidData("empty iCalendar data".into()));
        };
        if root.component_type != ICalendarComponentType::VCalendar {
            return Err(IcalError::InvalidData(format!(
                "top-level component is {}, expected VCALENDAR",
                root.component_type.as_str()
            )));
        }
        if !root.has_property(&ICalendarProperty::Version) {
            return Err(IcalError::InvalidData(
                "VCALENDAR has no VERSION property; add VERSION:2.0".into(),
            ));
        }
        let method = root
            .property(&ICalendarProperty::Method)
            .and_then(|e| e.values.first())
            .and_then(|v| v.clone().into_text())
            .map(|m| m.into_owned());

        let mut kind: Option<ComponentKind> = None;
        let mut uid: Option<String> = None;
        let mut master = None;
        let mut overrides = Vec::new();
        let mut rids = Vec::new();
        for id in &root.component_ids {
            let idx = *id as usize;
            let Some(comp) = ical.components.get(idx) else {
                continue;
            };
            if comp.component_type == ICalendarComponentType::VTimezone {
                continue;
            }
            let Some(this_kind) = ComponentKind::of(&comp.component_type) else {
                return Err(IcalError::UnsupportedComponent(
                    comp.component_type.as_str().to_string(),
                ));
            };
            match kind {
                None => kind = Some(this_kind),
                Some(k) if k != this_kind => {
                    return Err(IcalError::InvalidObject(format!(
                        "mixes {} and {}; store each component type in its own resource",
                        k.name(),
                        this_kind.name()
                    )));
                }
                Some(_) => {}
            }
            let this_uid = match comp.uid() {
                Some(uid) => uid,
                None if itip => "",
                None => {
                    return Err(IcalError::InvalidObject(format!(
                        "a {} has no UID; add a UID property",
                        this_kind.name()
                    )));
                }
            };
            match &uid {
                None => uid = Some(this_uid.to_string()),
                Some(u) if u != this_uid => {
                    return Err(IcalError::InvalidObject(format!(
                        "several UIDs ({u} and {this_uid}); store one event or task per resource"
                    )));
                }
                Some(_) => {}
            }
            let attendees = comp.properties(&ICalendarProperty::Attendee).count();
            if attendees > limits.max_attendees {
                return Err(IcalError::TooManyAttendees {
                    count: attendees,
                    max: limits.max_attendees,
                });
            }
            match comp.property(&ICalendarProperty::RecurrenceId) {
                None => {
                    if master.replace(idx).is_some() {
                        return Err(IcalError::InvalidObject(format!(
                            "UID {this_uid} has two components without RECURRENCE-ID"
                        )));
                    }
                }
                Some(rid) => {
                    let key = rid.values.first().and_then(|v| v.clone().into_text());
                    if rids.contains(&key) {
                        return Err(IcalError::InvalidObject(format!(
                            "UID {this_uid} overrides the same RECURRENCE-ID twice"
                        )));
                    }
                    rids.push(key);
                    overrides.push(idx);
                }
            }
        }
        let (Some(kind), Some(uid)) = (kind, uid) else {
            return Err(IcalError::InvalidObject(
                "no VEVENT, VTODO, VJOURNAL or VFREEBUSY component".into(),
            ));
        };
        let zones = ZoneTable::from_calendar(&ical);
        let mut obj = CalendarObject {
            raw: text.to_string(),
            ical,
            zones,
            uid,
            kind,
            method,
            master,
            overrides,
            span: None,
            always_in_range: false,
        };
        obj.always_in_range = obj.kind == ComponentKind::Todo && obj.todos_without_dates();
        obj.span = obj.compute_span(limits);
        Ok(obj)
    }

    /// The UID shared by every component.
    pub fn uid(&self) -> &str {
        &self.uid
    }

    /// The component type of the object.
    pub fn component(&self) -> ComponentKind {
        self.kind
    }

    /// The iTIP METHOD, when parsed with [`parse_itip`](Self::parse_itip).
    pub fn method(&self) -> Option<&str> {
        self.method.as_deref()
    }

    /// SUMMARY of the master component (or of the first override when there is none).
    pub fn summary(&self) -> Option<&str> {
        self.main_component()?
            .property(&ICalendarProperty::Summary)?
            .values
            .first()?
            .as_text()
    }

    /// SEQUENCE of the master component (or of the first override when there is none):
    /// the organizer's own count of significant changes, which the server's outbound
    /// SEQUENCE never goes below (RFC 5546 §2.1.4).
    pub fn sequence(&self) -> Option<u32> {
        self.main_component()?
            .property(&ICalendarProperty::Sequence)?
            .values
            .first()?
            .as_integer()
            .and_then(|n| u32::try_from(n).ok())
    }

    /// The object exactly as received.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// Whether the object carries an RRULE or RDATE.
    pub fn is_recurring(&self) -> bool {
        self.top_components()
            .any(|c| c.has_property(&ICalendarProperty::Rrule) || c.has_property(&ICalendarProperty::Rdate))
    }

    /// The conservative index range (see [`Span`]). `None` when no range can be derived:
    /// the caller must then treat the object as a candidate for every time-range query
    /// and decide with [`matches`](Self::matches). That is the case for a VTODO without
    /// DTSTART, DUE, COMPLETED and CREATED, which RFC 4791 §9.9 says matches every range
    /// (see [`always_in_range`](Self::always_in_range)), and for objects without usable
    /// dates at all.
    pub fn span(&self) -> Option<Span> {
        self.span
    }

    /// RFC 4791 §9.9: a VTODO with none of DTSTART, DUE, COMPLETED, CREATED overlaps every
    /// time range.
    pub fn always_in_range(&self) -> bool {
        self.always_in_range
    }

    pub(crate) fn ical(&self) -> &ICalendar {
        &self.ical
    }

    pub(crate) fn zones(&self) -> &ZoneTable {
        &self.zones
    }

    pub(crate) fn master_index(&self) -> Option<usize> {
        self.master
    }

    pub(crate) fn override_indices(&self) -> &[usize] {
        &self.overrides
    }

    fn main_component(&self) -> Option<&ICalendarComponent> {
        let idx = self.master.or_else(|| self.overrides.first().copied())?;
        self.ical.components.get(idx)
    }

    /// The VEVENT/VTODO/VJOURNAL/VFREEBUSY components (not VTIMEZONE).
    pub(crate) fn top_components(&self) -> impl Iterator<Item = &ICalendarComponent> {
        self.master
            .iter()
            .chain(self.overrides.iter())
            .filter_map(|idx| self.ical.components.get(*idx))
    }

    fn todos_without_dates(&self) -> bool {
        self.top_components().all(|c| {
            !c.entries.iter().any(|e| {
                matches!(
                    e.name,
                    ICalendarProperty::Dtstart
                        | ICalendarProperty::Due
                        | ICalendarProperty::Completed
                        | ICalendarProperty::Created
                )
            })
        })
    }

    fn compute_span(&self, limits: &Limits) -> Option<Span> {
        if self.always_in_range {
            return None;
        }
        let ctx = Ctx::default();
        let mut floating = false;
        let mut start: Option<i64> = None;
        let mut end: Option<i64> = None;
        let mut unbounded = false;
        let widen = |lo: i64, hi: i64, start: &mut Option<i64>, end: &mut Option<i64>| {
            *start = Some(start.map_or(lo, |s| s.min(lo)));
            *end = Some(end.map_or(hi, |e| e.max(hi)));
        };
        for comp in self.top_components() {
            let times = CompTimes::read(self, comp, &ctx);
            if let Some(rule) = times.rrule
                && rule.count.is_none()
                && rule.until.is_none()
            {
                unbounded = true;
            }
            // Every date property that §9.9 may compare against (VTODO, VFREEBUSY too).
            for entry in &comp.entries {
                let relevant = matches!(
                    entry.name,
                    ICalendarProperty::Dtstart
                        | ICalendarProperty::Dtend
                        | ICalendarProperty::Due
                        | ICalendarProperty::RecurrenceId
                ) || (self.kind == ComponentKind::Todo
                    && matches!(entry.name, ICalendarProperty::Completed | ICalendarProperty::Created));
                if relevant && let Some(w) = When::from_entry(entry, self.zones()) {
                    floating |= w.is_floating();
                    let t = w.instant(&ctx);
                    let t_end = if w.is_date() { t + 86_400 } else { t };
                    widen(t, t_end, &mut start, &mut end);
                }
                if entry.name == ICalendarProperty::Freebusy {
                    for period in super::freebusy::periods_of(entry, self.zones(), &ctx) {
                        widen(period.0, period.1, &mut start, &mut end);
                    }
                }
            }
            if let Some(s) = &times.start
                && let Some(rule) = &times.end
            {
                let e = rule.end(s, s.local(), &ctx);
                widen(e, e, &mut start, &mut end);
            }
            for (w, _, _) in &times.rdates {
                floating |= w.is_floating();
                let t = w.instant(&ctx);
                widen(t, t, &mut start, &mut end);
            }
        }
        if !unbounded {
            match self.instances_in(MIN_TS, MAX_TS, limits, &ctx) {
                Ok(list) => {
                    for inst in list {
                        floating |= inst.floating;
                        widen(inst.start, inst.end, &mut start, &mut end);
                    }
                }
                Err(Overflow) => unbounded = true,
            }
        }
        let slack = if floating { FLOATING_SLACK } else { 0 };
        let start = start?.saturating_sub(slack);
        let end = if unbounded {
            None
        } else {
            end.map(|e| e.saturating_add(slack))
        };
        Some(Span { start, end })
    }
}

#[cfg(test)]
mod tests {
    use super::Span;

    #[test]
    fn bounded_span_rejects_ranges_entirely_outside_it() {
        let span = Span {
            start: 100,
            end: Some(200),
        };
        assert!(span.may_overlap(150, 160));
        assert!(span.may_overlap(0, 100));
        assert!(!span.may_overlap(0, 99));
        assert!(!span.may_overlap(201, 300));
    }

    #[test]
    fn unbounded_span_accepts_every_range_after_its_start() {
        let span = Span { start: 100, end: None };
        assert!(span.may_overlap(1_000_000, 1_000_001));
        assert!(!span.may_overlap(0, 50));
    }
}
