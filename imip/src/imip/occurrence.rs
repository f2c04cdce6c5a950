//! Which VEVENTs an invitation carries: the whole series, or one occurrence.
//!
//! RFC 5546 §3.2.2.5 (and §3.2.5 for CANCEL) send a single occurrence as a VEVENT with
//! RECURRENCE-ID. When the organizer has overridden that occurrence the override is sent;
//! otherwise one is made from the master: the instance's own DTSTART/DTEND, written in the
//! master's time zone, and no RRULE, RDATE or EXDATE. RECURRENCE-IDs are compared as
//! instants, because clients write them in UTC while DTSTART carries a TZID (see
//! IMIP-INTEROP §1.9).

use super::Method;
use super::error::BuildError;
use super::frame::{Frame, RequestedId, ensure_value_date};
use crate::ical::{CalendarObject, Limits};
use calcard::icalendar::{ICalendarComponent, ICalendarDuration, ICalendarEntry, ICalendarProperty, ICalendarValue};

/// The VEVENTs to send, as copies of (or made from) the stored components. Their
/// `component_ids` still point into the stored object's component list.
pub(crate) fn select(
    obj: &CalendarObject,
    recurrence_id: Option<&str>,
    method: Method,
) -> Result<Vec<ICalendarComponent>, BuildError> {
    let ical = obj.ical();
    let Some(text) = recurrence_id else {
        return Ok(obj
            .master_index()
            .into_iter()
            .chain(obj.override_indices().iter().copied())
            .filter_map(|idx| ical.components.get(idx).cloned())
            .collect());
    };
    let requested = RequestedId::parse(text).ok_or_else(|| BuildError::InvalidRecurrenceId(text.to_string()))?;
    let not_found = || BuildError::NoSuchOccurrence {
        uid: obj.uid().to_string(),
        recurrence_id: text.to_string(),
    };

    for idx in obj.override_indices() {
        let Some(comp) = ical.components.get(*idx) else {
            continue;
        };
        let Some((frame, local)) = comp
            .property(&ICalendarProperty::RecurrenceId)
            .and_then(|e| Frame::of_entry(e, obj.zones()))
        else {
            continue;
        };
        if frame.instant(local) == requested.instant_in(&frame) {
            return Ok(vec![comp.clone()]);
        }
    }

    let master_idx = obj.master_index().ok_or_else(not_found)?;
    let master = ical.components.get(master_idx).ok_or_else(not_found)?;
    let dtstart = master
        .property(&ICalendarProperty::Dtstart)
        .ok_or_else(|| BuildError::MissingDtstart {
            uid: obj.uid().to_string(),
        })?;
    let (frame, start_local) = Frame::of_entry(dtstart, obj.zones()).ok_or_else(|| BuildError::MissingDtstart {
        uid: obj.uid().to_string(),
    })?;
    let target = requested.instant_in(&frame);

    let limits = Limits {
        max_size: usize::MAX,
        ..Limits::default()
    };
    let instance = obj
        .instances(target, target.saturating_add(1), &limits, None)
        .map_err(|_| not_found())?
        .into_iter()
        .find(|inst| !inst.overridden && inst.recurrence_id == target);
    let (start, end) = match instance {
        Some(inst) => (inst.start, inst.end),
        // RFC 5546 §3.2.5: an occurrence the organizer deleted is already an EXDATE in the
        // stored master by the time its CANCEL is sent; it still gets its CANCEL.
        None if method == Method::Cancel && is_excluded(master, obj, target) => {
            let length = master_length(master, obj, &frame, start_local);
            (target, target.saturating_add(length))
        }
        None => return Err(not_found()),
    };
    Ok(vec![instance_of(master, obj, &frame, target, start, end)])
}

/// Whether an EXDATE of the master names the instant `target`.
fn is_excluded(master: &ICalendarComponent, obj: &CalendarObject, target: i64) -> bool {
    master.properties(&ICalendarProperty::Exdate).any(|entry| {
        entry.values.iter().any(|value| {
            let single = ICalendarEntry {
                name: entry.name.clone(),
                params: entry.params.clone(),
                values: vec![value.clone()],
            };
            Frame::of_entry(&single, obj.zones()).is_some_and(|(frame, local)| frame.instant(local) == target)
        })
    })
}

/// The master's length in seconds (DTEND - DTSTART, DURATION, or the RFC 5545 §3.6.1
/// defaults: one day for a DATE, zero for a DATE-TIME).
fn master_length(
    master: &ICalendarComponent,
    obj: &CalendarObject,
    frame: &Frame,
    start_local: chrono::NaiveDateTime,
) -> i64 {
    let start = frame.instant(start_local);
    if let Some((end_frame, end_local)) = master
        .property(&ICalendarProperty::Dtend)
        .and_then(|e| Frame::of_entry(e, obj.zones()))
    {
        return end_frame.instant(end_local).saturating_sub(start).max(0);
    }
    if let Some(ICalendarValue::Duration(d)) = master
        .property(&ICalendarProperty::Duration)
        .and_then(|e| e.values.first())
    {
        return duration_seconds(d).max(0);
    }
    if matches!(frame, Frame::Date) { 86_400 } else { 0 }
}

fn duration_seconds(d: &ICalendarDuration) -> i64 {
    let secs = (i64::from(d.weeks) * 7 + i64::from(d.days)) * 86_400
        + i64::from(d.hours) * 3600
        + i64::from(d.minutes) * 60
        + i64::from(d.seconds);
    if d.neg { -secs } else { secs }
}

/// Properties a single occurrence made from the master does not carry.
fn is_series_property(name: &ICalendarProperty) -> bool {
    match name {
        ICalendarProperty::Rrule
        | ICalendarProperty::Rdate
        | ICalendarProperty::Exdate
        | ICalendarProperty::Exrule
        | ICalendarProperty::Dtstart
        | ICalendarProperty::Dtend
        | ICalendarProperty::RecurrenceId => true,
        // Outlook's instance type: 1 is "master"; this VEVENT is not one.
        ICalendarProperty::Other(name) => name.eq_ignore_ascii_case("X-MICROSOFT-CDO-INSTTYPE"),
        _ => false,
    }
}

/// One occurrence as its own VEVENT (RFC 5545 §3.8.4.4).
fn instance_of(
    master: &ICalendarComponent,
    obj: &CalendarObject,
    frame: &Frame,
    recurrence_id: i64,
    start: i64,
    end: i64,
) -> ICalendarComponent {
    let mut comp = master.clone();
    let dtstart = master.property(&ICalendarProperty::Dtstart);
    let dtend = master.property(&ICalendarProperty::Dtend);
    let has_duration = master.has_property(&ICalendarProperty::Duration);
    comp.entries.retain(|e| !is_series_property(&e.name));

    let at = |template: Option<&ICalendarEntry>, name: ICalendarProperty, frame: &Frame, instant: i64| {
        let mut entry = ICalendarEntry {
            name,
            params: template.map(|t| t.params.clone()).unwrap_or_default(),
            values: vec![ICalendarValue::PartialDateTime(Box::new(frame.value(instant)))],
        };
        ensure_value_date(&mut entry);
        entry
    };
    comp.entries.push(at(dtstart, ICalendarProperty::Dtstart, frame, start));
    match dtend.and_then(|e| Frame::of_entry(e, obj.zones()).map(|(f, _)| (e, f))) {
        Some((entry, end_frame)) => comp
            .entries
            .push(at(Some(entry), ICalendarProperty::Dtend, &end_frame, end)),
        // DURATION stays as stored: every instance has the same length.
        None if has_duration => {}
        None => comp.entries.push(at(dtstart, ICalendarProperty::Dtend, frame, end)),
    }
    comp.entries
        .push(at(dtstart, ICalendarProperty::RecurrenceId, frame, recurrence_id));
    comp
}
