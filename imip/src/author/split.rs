//! An imported calendar file (a season's schedule exported from a league's system) split
//! into one calendar object resource per UID, as RFC 4791 §4.1 requires: overrides stay
//! with their master, and each object gets a copy of the VTIMEZONEs it uses (RFC 5545
//! §3.6.5). A component that cannot become an object is reported and the others go on.

use super::{AuthorError, PRODID, parse_calendar, text_entry, write_calendar};
use calcard::icalendar::{
    ICalendar, ICalendarComponent, ICalendarComponentType, ICalendarParameterName, ICalendarProperty,
};
use std::collections::{BTreeSet, HashMap};

/// One event's object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitEvent {
    pub uid: String,
    pub summary: Option<String>,
    /// A whole VCALENDAR with this UID's components and the time zones they use.
    pub ical: String,
}

/// A component left out, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitFailure {
    pub uid: Option<String>,
    pub summary: Option<String>,
    pub reason: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Split {
    pub events: Vec<SplitEvent>,
    pub failures: Vec<SplitFailure>,
}

/// Splits one VCALENDAR holding any number of events.
pub fn split_calendar(bytes: &[u8]) -> Result<Split, AuthorError> {
    let ical = parse_calendar(bytes)?;
    let root = &ical.components[0];
    let mut zones: HashMap<String, u32> = HashMap::new();
    let mut groups: Vec<(String, Vec<u32>)> = Vec::new();
    let mut by_uid: HashMap<String, usize> = HashMap::new();
    let mut split = Split::default();
    for &id in &root.component_ids {
        let Some(comp) = ical.components.get(id as usize) else {
            continue;
        };
        let summary = comp
            .property(&ICalendarProperty::Summary)
            .and_then(|e| e.values.first())
            .and_then(|v| v.as_text())
            .map(str::to_string);
        match comp.component_type {
            ICalendarComponentType::VTimezone => {
                let tzid = comp
                    .property(&ICalendarProperty::Tzid)
                    .and_then(|e| e.values.first())
                    .and_then(|v| v.as_text());
                if let Some(tzid) = tzid {
                    zones.insert(tzid.trim_matches('"').to_string(), id);
                }
            }
            ICalendarComponentType::VEvent => match comp.uid().map(str::trim).filter(|u| !u.is_empty()) {
                Some(uid) => match by_uid.get(uid) {
                    Some(&at) => groups[at].1.push(id),
                    None => {
                        by_uid.insert(uid.to_string(), groups.len());
                        groups.push((uid.to_string(), vec![id]));
                    }
                },
                None => split.failures.push(SplitFailure {
                    uid: None,
                    summary,
                    reason: "the VEVENT has no UID; add a UID property".into(),
                }),
            },
            ref other => split.failures.push(SplitFailure {
                uid: comp.uid().map(str::to_string),
                summary,
                reason: format!("{} is not an event; only VEVENTs are imported", other.as_str()),
            }),
        }
    }
    for (uid, ids) in groups {
        let mut out = ICalendar {
            components: vec![ICalendarComponent::new(ICalendarComponentType::VCalendar)],
        };
        out.components[0]
            .entries
            .push(text_entry(ICalendarProperty::Prodid, PRODID));
        out.components[0]
            .entries
            .push(text_entry(ICalendarProperty::Version, "2.0"));
        if let Some(scale) = root.property(&ICalendarProperty::Calscale) {
            out.components[0].entries.push(scale.clone());
        }
        let used: BTreeSet<String> = ids
            .iter()
            .filter_map(|id| ical.components.get(*id as usize))
            .flat_map(|c| c.entries.iter())
            .flat_map(|e| e.params.iter())
            .filter(|p| p.name == ICalendarParameterName::Tzid)
            .filter_map(|p| p.value.as_text().map(|t| t.trim_matches('"').to_string()))
            .collect();
        for tzid in &used {
            if let Some(&zone) = zones.get(tzid) {
                let copied = copy_tree(&ical, zone, &mut out, 0);
                out.components[0].component_ids.push(copied);
            }
        }
        for &id in &ids {
            let copied = copy_tree(&ical, id, &mut out, 0);
            out.components[0].component_ids.push(copied);
        }
        let summary = ids
            .iter()
            .filter_map(|id| ical.components.get(*id as usize))
            .find(|c| !c.has_property(&ICalendarProperty::RecurrenceId))
            .or_else(|| ids.first().and_then(|id| ical.components.get(*id as usize)))
            .and_then(|c| c.property(&ICalendarProperty::Summary))
            .and_then(|e| e.values.first())
            .and_then(|v| v.as_text())
            .map(str::to_string);
        split.events.push(SplitEvent {
            uid,
            summary,
            ical: write_calendar(&out),
        });
    }
    Ok(split)
}

/// Copies a component and its children (VALARM, STANDARD/DAYLIGHT) into `out`; returns
/// its new id. The depth bound only guards against a cycle.
fn copy_tree(src: &ICalendar, id: u32, out: &mut ICalendar, depth: usize) -> u32 {
    let Some(comp) = src.components.get(id as usize) else {
        return 0;
    };
    let new_id = u32::try_from(out.components.len()).unwrap_or(u32::MAX);
    out.components.push(ICalendarComponent {
        component_type: comp.component_type.clone(),
        entries: comp.entries.clone(),
        component_ids: Vec::new(),
    });
    if depth < 8 {
        for &child in &comp.component_ids {
            let c = copy_tree(src, child, out, depth + 1);
            if let Some(parent) = out.components.get_mut(new_id as usize) {
                parent.component_ids.push(c);
            }
        }
    }
    new_id
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ical::{CalendarObject, Limits};

    const SEASON: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//league//EN\r\nMETHOD:PUBLISH\r\n\
        BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nBEGIN:STANDARD\r\nDTSTART:19701025T030000\r\n\
        TZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\n\
        BEGIN:DAYLIGHT\r\nDTSTART:19700329T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\n\
        RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n\
        BEGIN:VTIMEZONE\r\nTZID:Asia/Tokyo\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\nTZOFFSETFROM:+0900\r\n\
        TZOFFSETTO:+0900\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n\
        BEGIN:VEVENT\r\nUID:g1\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;TZID=Europe/Berlin:20260401T190000\r\n\
        RRULE:FREQ=WEEKLY;COUNT=3\r\nSUMMARY:Game 1\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT1H\r\n\
        DESCRIPTION:x\r\nEND:VALARM\r\nEND:VEVENT\r\n\
        BEGIN:VEVENT\r\nUID:g2\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260402T170000Z\r\nSUMMARY:Game 2\r\nEND:VEVENT\r\n\
        BEGIN:VEVENT\r\nUID:g1\r\nRECURRENCE-ID;TZID=Europe/Berlin:20260408T190000\r\nDTSTAMP:20260101T000000Z\r\n\
        DTSTART;TZID=Europe/Berlin:20260408T200000\r\nSUMMARY:Game 1 (moved)\r\nEND:VEVENT\r\n\
        BEGIN:VEVENT\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260402T170000Z\r\nSUMMARY:No uid\r\nEND:VEVENT\r\n\
        BEGIN:VTODO\r\nUID:t1\r\nDTSTAMP:20260101T000000Z\r\nSUMMARY:Buy balls\r\nEND:VTODO\r\nEND:VCALENDAR\r\n";

    #[test]
    fn events_are_grouped_by_uid_with_their_overrides_and_time_zones() {
        let split = split_calendar(SEASON.as_bytes()).unwrap();
        let uids: Vec<&str> = split.events.iter().map(|e| e.uid.as_str()).collect();
        assert_eq!(uids, ["g1", "g2"]);
        let g1 = &split.events[0].ical;
        assert_eq!(g1.matches("BEGIN:VEVENT").count(), 2, "{g1}");
        assert!(g1.contains("TZID:Europe/Berlin") && !g1.contains("Asia/Tokyo"), "{g1}");
        assert!(g1.contains("BEGIN:VALARM") && !g1.contains("METHOD"), "{g1}");
        assert_eq!(split.events[0].summary.as_deref(), Some("Game 1"));
        let g2 = &split.events[1].ical;
        assert!(!g2.contains("VTIMEZONE"), "{g2}");
        for e in &split.events {
            let obj = CalendarObject::parse(e.ical.as_bytes(), &Limits::default()).unwrap();
            assert_eq!(obj.uid(), e.uid);
        }
    }

    #[test]
    fn components_that_cannot_be_imported_are_reported_not_fatal() {
        let split = split_calendar(SEASON.as_bytes()).unwrap();
        assert_eq!(split.failures.len(), 2);
        assert!(split.failures[0].reason.contains("no UID"));
        assert_eq!(split.failures[0].summary.as_deref(), Some("No uid"));
        assert!(split.failures[1].reason.contains("VTODO"));
        assert!(split_calendar(b"hello").is_err());
    }
}
