//! Comparing two versions of one event: the master by meaning, each overridden or
//! excluded occurrence by what attendees would see on that date before and after.
//!
//! An occurrence is looked at in its effective form: its override when there is one, else
//! the series at that RECURRENCE-ID, else nothing (EXDATE, or not an instance at all). That
//! way an override that only records an attendee's answer is no change, and removing an
//! override that moved one meeting restores that meeting.

use super::fields::{Fields, Moment, TEXT_PROPERTIES, name_of};
use super::{ChangeError, ChangeSet, FieldChange, OccurrenceChange, OccurrenceKind};
use crate::ical::{CalendarObject, Limits};
use calcard::icalendar::{ICalendar, ICalendarComponent, ICalendarComponentType};
use std::collections::{BTreeMap, BTreeSet};

/// Compares two stored versions (RFC 4791 §4.1 objects) of the same event.
///
/// Fails when either is not a valid calendar object or their UIDs differ.
pub fn compare(before: &[u8], after: &[u8]) -> Result<ChangeSet, ChangeError> {
    let limits = Limits::default();
    let old = CalendarObject::parse(before, &limits).map_err(ChangeError::Before)?;
    let new = CalendarObject::parse(after, &limits).map_err(ChangeError::After)?;
    if old.uid() != new.uid() {
        return Err(ChangeError::UidMismatch {
            before: old.uid().to_string(),
            after: new.uid().to_string(),
        });
    }
    let old = Version::read(&old);
    let new = Version::read(&new);
    let mut insignificant = BTreeSet::new();
    let mut out = ChangeSet::default();

    // The calendar's own properties (PRODID, CALSCALE, ...) and its time zones never
    // matter by themselves: instants are compared below.
    let (old_root, new_root) = (old.obj.ical().components.first(), new.obj.ical().components.first());
    if let (Some(a), Some(b)) = (old_root, new_root) {
        entry_diff(a, b, &BTreeSet::new(), &mut insignificant);
    }
    if timezones(old.obj.ical()) != timezones(new.obj.ical()) {
        insignificant.insert("VTIMEZONE".to_string());
    }

    // The master: a change here is a series change (RFC 5546 §2.1.4).
    out.series = field_diff(&old.master_fields, &new.master_fields, true);
    let mut explained = explained_by(&out.series);
    if Fields::instants(&old.master_fields.exdates) != Fields::instants(&new.master_fields.exdates) {
        // Reported per occurrence below.
        explained.insert("EXDATE".to_string());
    }
    match (old.master, new.master) {
        (Some(a), Some(b)) => component_diff(old.obj.ical(), a, new.obj.ical(), b, &explained, &mut insignificant),
        (None, None) => {}
        _ => {
            insignificant.insert("RECURRENCE-ID".to_string());
        }
    }

    // The occurrences that have an override or an EXDATE in either version.
    let mut rids: BTreeSet<i64> = old.overrides.keys().chain(new.overrides.keys()).copied().collect();
    let old_ex = Fields::instants(&old.master_fields.exdates);
    let new_ex = Fields::instants(&new.master_fields.exdates);
    rids.extend(old_ex.symmetric_difference(&new_ex));
    for rid in rids {
        let before = old.state_at(rid, &old_ex);
        let after = new.state_at(rid, &new_ex);
        let kind = match (before.active(), after.active()) {
            // RFC 5546 §3.2.5: one occurrence cancelled.
            (Some(_), None) => Some(OccurrenceKind::Cancelled),
            (None, Some(_)) if matches!(before, State::Absent) => Some(OccurrenceKind::Added),
            (None, Some(_)) => Some(OccurrenceKind::Restored),
            (Some(b), Some(a)) => {
                let changes = field_diff(b, a, false);
                if changes.is_empty() {
                    None
                } else if matches!(after, State::Series(_)) {
                    Some(OccurrenceKind::Restored)
                } else {
                    Some(OccurrenceKind::Modified(changes))
                }
            }
            (None, None) => None,
        };
        match (&before, &after) {
            (State::Override(a, _), State::Override(b, _)) => {
                let explained = match &kind {
                    None => BTreeSet::new(),
                    Some(OccurrenceKind::Modified(changes)) => explained_by(changes),
                    Some(_) => all_names(a).chain(all_names(b)).collect(),
                };
                component_diff(old.obj.ical(), a, new.obj.ical(), b, &explained, &mut insignificant);
            }
            (State::Override(..), _) | (_, State::Override(..)) if kind.is_none() => {
                insignificant.insert("RECURRENCE-ID".to_string());
            }
            _ => {}
        }
        if let Some(kind) = kind {
            let label = new
                .label_of(rid)
                .or_else(|| old.label_of(rid))
                .unwrap_or_else(|| Moment::utc(rid).render());
            out.occurrences.push(OccurrenceChange {
                recurrence_id: rid,
                label,
                kind,
            });
        }
    }
    out.insignificant = insignificant.into_iter().collect();
    Ok(out)
}

/// One parsed version with its master and overrides read into [`Fields`].
struct Version<'a> {
    obj: &'a CalendarObject,
    master: Option<&'a ICalendarComponent>,
    master_fields: Fields,
    overrides: BTreeMap<i64, (&'a ICalendarComponent, Fields)>,
}

/// What attendees see at one RECURRENCE-ID.
enum State<'a> {
    /// Not an instance of the series and not overridden.
    Absent,
    /// Removed by EXDATE.
    Excluded,
    /// The series' own instance, shaped by the master.
    Series(Fields),
    /// An overriding component.
    Override(&'a ICalendarComponent, Fields),
}

impl State<'_> {
    /// The occurrence's fields when it takes place.
    fn active(&self) -> Option<&Fields> {
        match self {
            State::Series(f) => Some(f),
            State::Override(_, f) if !f.is_cancelled() => Some(f),
            _ => None,
        }
    }
}

impl<'a> Version<'a> {
    fn read(obj: &'a CalendarObject) -> Version<'a> {
        let comps = &obj.ical().components;
        let master = obj.master_index().and_then(|i| comps.get(i));
        let master_fields = master.map(|c| Fields::read(c, obj.zones())).unwrap_or_default();
        let mut overrides = BTreeMap::new();
        for comp in obj.override_indices().iter().filter_map(|i| comps.get(*i)) {
            let fields = Fields::read(comp, obj.zones());
            if let Some(rid) = &fields.rid {
                overrides.insert(rid.instant, (comp, fields));
            }
        }
        Version {
            obj,
            master,
            master_fields,
            overrides,
        }
    }

    fn state_at(&self, rid: i64, exdates: &BTreeSet<i64>) -> State<'a> {
        if let Some((comp, fields)) = self.overrides.get(&rid) {
            return State::Override(comp, fields.clone());
        }
        if exdates.contains(&rid) {
            return State::Excluded;
        }
        self.series_at(rid).map_or(State::Absent, State::Series)
    }

    /// The master's fields as they apply to its instance at `rid`, if it has one there.
    fn series_at(&self, rid: i64) -> Option<Fields> {
        let start = self.master_fields.start.as_ref()?;
        let instances = self
            .obj
            .instances(rid, rid.saturating_add(1), &Limits::default(), None)
            .ok()?;
        let inst = instances.iter().find(|i| i.recurrence_id == rid && !i.overridden)?;
        let mut fields = self.master_fields.clone();
        fields.start = Some(start.at(inst.start));
        fields.end = Some(start.at(inst.end));
        Some(fields)
    }

    fn label_of(&self, rid: i64) -> Option<String> {
        if let Some((_, fields)) = self.overrides.get(&rid) {
            return fields.rid.as_ref().map(Moment::render);
        }
        self.master_fields.start.as_ref().map(|s| s.at(rid).render())
    }
}

/// Significant differences, in the order a reader scans an event.
fn field_diff(before: &Fields, after: &Fields, series: bool) -> Vec<FieldChange> {
    let mut out = Vec::new();
    let mut push = |property: &str, before: Option<String>, after: Option<String>| {
        out.push(FieldChange {
            property: property.to_string(),
            before,
            after,
        });
    };
    if before.start != after.start {
        push("DTSTART", render(&before.start), render(&after.start));
    }
    if before.end != after.end {
        push("DTEND", render(&before.end), render(&after.end));
    }
    if series {
        if before.rrule != after.rrule {
            push("RRULE", before.rrule.clone(), after.rrule.clone());
        }
        if Fields::instants(&before.rdates) != Fields::instants(&after.rdates) {
            push("RDATE", render_list(&before.rdates), render_list(&after.rdates));
        }
    }
    let mut names: Vec<&str> = TEXT_PROPERTIES.to_vec();
    let others: BTreeSet<&str> = before
        .text
        .keys()
        .chain(after.text.keys())
        .map(String::as_str)
        .filter(|n| !TEXT_PROPERTIES.contains(n))
        .collect();
    names.extend(others);
    for name in names {
        let (b, a) = (before.text.get(name), after.text.get(name));
        if b != a {
            push(name, b.cloned(), a.cloned());
        }
    }
    out
}

fn render(moment: &Option<Moment>) -> Option<String> {
    moment.as_ref().map(Moment::render)
}

fn render_list(list: &[Moment]) -> Option<String> {
    (!list.is_empty()).then(|| list.iter().map(Moment::render).collect::<Vec<_>>().join(", "))
}

/// The property names whose textual differences the significant changes account for.
fn explained_by(changes: &[FieldChange]) -> BTreeSet<String> {
    let mut names: BTreeSet<String> = changes.iter().map(|c| c.property.clone()).collect();
    if names.contains("DTEND") {
        names.insert("DURATION".to_string());
    }
    if names.contains("DTSTART") {
        // A moved start usually drags the end and its DURATION form along.
        names.insert("DTEND".to_string());
        names.insert("DURATION".to_string());
    }
    names
}

fn all_names(comp: &ICalendarComponent) -> impl Iterator<Item = String> + '_ {
    comp.entries.iter().map(name_of)
}

/// Names of properties of `a` and `b` that differ as written (parameter order and line
/// folding aside) and are not `explained`, and of sub-components (VALARM) that differ.
fn component_diff(
    ical_a: &ICalendar,
    a: &ICalendarComponent,
    ical_b: &ICalendar,
    b: &ICalendarComponent,
    explained: &BTreeSet<String>,
    out: &mut BTreeSet<String>,
) {
    entry_diff(a, b, explained, out);
    let children = |ical: &ICalendar, comp: &ICalendarComponent| -> BTreeMap<String, Vec<String>> {
        let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for child in comp
            .component_ids
            .iter()
            .filter_map(|i| ical.components.get(*i as usize))
        {
            map.entry(child.component_type.as_str().to_string())
                .or_default()
                .push(canonical_component(ical, child));
        }
        map.values_mut().for_each(|v| v.sort());
        map
    };
    let (ca, cb) = (children(ical_a, a), children(ical_b, b));
    for name in ca.keys().chain(cb.keys()) {
        if ca.get(name) != cb.get(name) {
            out.insert(name.clone());
        }
    }
}

fn entry_diff(
    a: &ICalendarComponent,
    b: &ICalendarComponent,
    explained: &BTreeSet<String>,
    out: &mut BTreeSet<String>,
) {
    let (ea, eb) = (canonical_entries(a), canonical_entries(b));
    // A name compared by meaning that differs only as text (a TZID renamed, a DURATION
    // written as DTEND) lands here too: it changed, but not significantly.
    for name in ea.keys().chain(eb.keys()) {
        if ea.get(name) != eb.get(name) && !explained.contains(name) {
            out.insert(name.clone());
        }
    }
}

/// Each property's entries as written, parameters sorted, grouped by name.
fn canonical_entries(comp: &ICalendarComponent) -> BTreeMap<String, Vec<String>> {
    let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for entry in &comp.entries {
        let mut entry = entry.clone();
        entry.params.sort();
        let mut text = String::new();
        // Writing to a String cannot fail.
        let _ = entry.write_to(&mut text);
        map.entry(name_of(&entry)).or_default().push(text.replace("\r\n ", ""));
    }
    map.values_mut().for_each(|v| v.sort());
    map
}

/// A component and its sub-components as one order-independent string.
fn canonical_component(ical: &ICalendar, comp: &ICalendarComponent) -> String {
    let mut parts: Vec<String> = canonical_entries(comp).into_values().flatten().collect();
    for child in comp
        .component_ids
        .iter()
        .filter_map(|i| ical.components.get(*i as usize))
    {
        parts.push(format!("[{}]", canonical_component(ical, child)));
    }
    parts.sort();
    format!("{}:{}", comp.component_type.as_str(), parts.join("|"))
}

fn timezones(ical: &ICalendar) -> Vec<String> {
    let mut list: Vec<String> = ical
        .components
        .iter()
        .filter(|c| c.component_type == ICalendarComponentType::VTimezone)
        .map(|c| canonical_component(ical, c))
        .collect();
    list.sort();
    list
}
