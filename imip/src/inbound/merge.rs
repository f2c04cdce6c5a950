//! Applying an organizer's mailed message for single occurrences to the stored object.
//!
//! Outlook and Google send a change to one occurrence of a series as a REQUEST that
//! carries only that occurrence (a VEVENT with RECURRENCE-ID, no master), and cancel one
//! occurrence with a CANCEL of that RECURRENCE-ID (RFC 5546 §3.2.2, §3.2.5). Storing such a
//! message as it is would replace the whole series with one occurrence, so it is merged
//! into the stored object instead: the override replaces the one with the same
//! RECURRENCE-ID or is added; a cancelled occurrence becomes an EXDATE of the master and
//! loses its override. The text of everything else is kept byte for byte, so the change
//! detector sees exactly the occurrence that changed.
//!
//! RECURRENCE-IDs are compared as instants, each resolved through its own message's
//! VTIMEZONEs, because the two sides often write the same occurrence differently (Outlook
//! in its Windows zone, the stored copy in IANA or UTC).

use super::error::InboundError;
use super::lines::{Line, content_lines, value_instant};
use crate::ical::tz::ZoneTable;
use crate::ical::{CalendarObject, Limits};
use chrono::DateTime;

/// The stored object after a merge, and how many occurrences it changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merged {
    pub text: String,
    /// Occurrences replaced, added or cancelled; 0 means the message changed nothing.
    pub changed: usize,
}

/// Puts the occurrences (overrides) of `incoming` into `stored`, replacing those with the
/// same RECURRENCE-ID; VTIMEZONEs the stored object lacks are added.
pub fn merge_occurrences(stored: &str, incoming: &str) -> Result<Merged, InboundError> {
    let (mut target, target_object) = Split::parse(stored)?;
    let (source, source_object) = Split::parse(incoming)?;
    let (target_zones, source_zones) = (target_object.zones(), source_object.zones());
    let mut changed = 0;
    let known_tzids: Vec<String> = target.blocks.iter().filter_map(Block::tzid).collect();
    let mut new_zones = Vec::new();
    for block in &source.blocks {
        if block.name == "VTIMEZONE" {
            if let Some(tzid) = block.tzid()
                && !known_tzids.contains(&tzid)
            {
                new_zones.push(block.clone());
            }
            continue;
        }
        if block.name != "VEVENT" {
            continue;
        }
        let Some(rid) = block.recurrence_id(source_zones) else {
            continue;
        };
        let existing = target
            .blocks
            .iter()
            .position(|b| b.name == "VEVENT" && b.recurrence_id(target_zones) == Some(rid));
        match existing {
            Some(i) => target.blocks[i] = block.clone(),
            None if is_occurrence(&target_object, rid)? => target.blocks.push(block.clone()),
            None => {
                // RFC 5545 §3.8.4.4: an override names an instance of the series; one
                // that names none would show a stray event nobody scheduled.
                return Err(InboundError::InvalidCalendar(format!(
                    "RECURRENCE-ID {} is not an occurrence of the stored event",
                    crate::ical::format_utc(rid)
                )));
            }
        }
        changed += 1;
    }
    let first_non_zone = target
        .blocks
        .iter()
        .position(|b| b.name != "VTIMEZONE")
        .unwrap_or(target.blocks.len());
    for (k, zone) in new_zones.into_iter().enumerate() {
        target.blocks.insert(first_non_zone + k, zone);
    }
    Ok(Merged {
        text: target.render(),
        changed,
    })
}

/// Whether `rid` is an instance of the stored series. An object without a master (only
/// single occurrences, as Outlook sends to someone invited to one) takes any.
fn is_occurrence(object: &CalendarObject, rid: i64) -> Result<bool, InboundError> {
    if object.master_index().is_none() {
        return Ok(true);
    }
    let instances = object
        .instances(rid, rid + 1, &Limits::default(), None)
        .map_err(|e| InboundError::InvalidCalendar(e.to_string()))?;
    Ok(instances.iter().any(|i| i.recurrence_id == rid))
}

/// Cancels the occurrences named by the RECURRENCE-IDs of `cancel`: each becomes an EXDATE
/// of the stored master (written in the master's own DTSTART form) and its override, if
/// any, is removed. Occurrences already excluded are left alone.
pub fn cancel_occurrences(stored: &str, cancel: &str) -> Result<Merged, InboundError> {
    let (mut target, target_object) = Split::parse(stored)?;
    let (source, source_object) = Split::parse(cancel)?;
    let (target_zones, source_zones) = (target_object.zones(), source_object.zones());
    let rids: Vec<i64> = source
        .blocks
        .iter()
        .filter(|b| b.name == "VEVENT")
        .filter_map(|b| b.recurrence_id(source_zones))
        .collect();
    let master = target
        .blocks
        .iter()
        .position(|b| b.name == "VEVENT" && b.first("RECURRENCE-ID").is_none())
        .ok_or_else(|| {
            InboundError::InvalidCalendar("the stored event has no series master to cancel occurrences of".into())
        })?;
    let excluded = target.blocks[master].exdates(target_zones);
    let dtstart = target.blocks[master]
        .first("DTSTART")
        .ok_or_else(|| InboundError::InvalidCalendar("the stored series has no DTSTART".into()))?;
    let newline = target.newline();
    let mut exdates = String::new();
    let mut changed = 0;
    for rid in &rids {
        let had_override = target
            .blocks
            .iter()
            .any(|b| b.name == "VEVENT" && b.recurrence_id(target_zones) == Some(*rid));
        target
            .blocks
            .retain(|b| !(b.name == "VEVENT" && b.recurrence_id(target_zones) == Some(*rid)));
        if !excluded.contains(rid) {
            exdates.push_str(&exdate_line(&dtstart, *rid, target_zones));
            exdates.push_str(newline);
        }
        if had_override || !excluded.contains(rid) {
            changed += 1;
        }
    }
    if !exdates.is_empty() {
        // `master` still points at the master: only overrides were removed, and they may
        // sit before it, so find it again.
        if let Some(m) = target
            .blocks
            .iter_mut()
            .find(|b| b.name == "VEVENT" && b.first("RECURRENCE-ID").is_none())
        {
            m.insert_before_end(&exdates);
        }
    }
    Ok(Merged {
        text: target.render(),
        changed,
    })
}

/// Whether `incoming` is older than what is stored for the same occurrence (or the series):
/// a lower SEQUENCE, or the same SEQUENCE with an older DTSTAMP (RFC 5546 §2.1.5). Mail
/// can arrive out of order; an older REQUEST must not undo a newer one. Returns the two
/// SEQUENCEs when it is older.
pub fn older_than_stored(stored: &str, incoming: &str) -> Result<Option<(u32, u32)>, InboundError> {
    let (target, target_object) = Split::parse(stored)?;
    let (source, source_object) = Split::parse(incoming)?;
    let (target_zones, source_zones) = (target_object.zones(), source_object.zones());
    let Some(first) = source.blocks.iter().find(|b| b.name == "VEVENT") else {
        return Ok(None);
    };
    let rid = first.recurrence_id(source_zones);
    let counterpart = target
        .blocks
        .iter()
        .filter(|b| b.name == "VEVENT")
        .find(|b| b.recurrence_id(target_zones) == rid)
        .or_else(|| {
            target
                .blocks
                .iter()
                .find(|b| b.name == "VEVENT" && b.first("RECURRENCE-ID").is_none())
        });
    let Some(stored_comp) = counterpart else {
        return Ok(None);
    };
    let (new_seq, old_seq) = (first.sequence(), stored_comp.sequence());
    let older = match new_seq.cmp(&old_seq) {
        std::cmp::Ordering::Less => true,
        std::cmp::Ordering::Greater => false,
        std::cmp::Ordering::Equal => {
            match (
                first.instant_of("DTSTAMP", source_zones),
                stored_comp.instant_of("DTSTAMP", target_zones),
            ) {
                (Some(new), Some(old)) => new < old,
                _ => false,
            }
        }
    };
    Ok(older.then_some((new_seq, old_seq)))
}

/// One top-level component, as written.
#[derive(Debug, Clone)]
pub(crate) struct Block {
    pub(crate) name: String,
    pub(crate) text: String,
    lines: Vec<Line>,
}

impl Block {
    pub(crate) fn new(name: String, text: String) -> Block {
        // Only the component's own lines: nested VALARMs are skipped.
        let mut depth = 0usize;
        let mut lines = Vec::new();
        for line in content_lines(&text) {
            match line.name.as_str() {
                "BEGIN" => depth += 1,
                "END" => depth = depth.saturating_sub(1),
                _ if depth == 1 => lines.push(line),
                _ => {}
            }
        }
        Block { name, text, lines }
    }

    pub(crate) fn first(&self, name: &str) -> Option<Line> {
        self.lines.iter().find(|l| l.name == name).cloned()
    }

    fn tzid(&self) -> Option<String> {
        (self.name == "VTIMEZONE")
            .then(|| self.first("TZID"))
            .flatten()
            .map(|l| l.value.trim().to_string())
    }

    fn sequence(&self) -> u32 {
        self.first("SEQUENCE")
            .and_then(|l| l.value.trim().parse().ok())
            .unwrap_or(0)
    }

    pub(crate) fn recurrence_id(&self, zones: &ZoneTable) -> Option<i64> {
        self.instant_of("RECURRENCE-ID", zones)
    }

    fn instant_of(&self, name: &str, zones: &ZoneTable) -> Option<i64> {
        let line = self.first(name)?;
        value_instant(line.value.split(',').next()?, line.param("TZID"), zones)
    }

    fn exdates(&self, zones: &ZoneTable) -> Vec<i64> {
        self.lines
            .iter()
            .filter(|l| l.name == "EXDATE")
            .flat_map(|l| {
                l.value
                    .split(',')
                    .filter_map(|v| value_instant(v, l.param("TZID"), zones))
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    /// Inserts content lines just before the component's own END line.
    fn insert_before_end(&mut self, lines: &str) {
        let end = format!("END:{}", self.name);
        let position = self
            .text
            .rmatch_indices('\n')
            .map(|(i, _)| i + 1)
            .chain(std::iter::once(0))
            .find(|&i| {
                self.text
                    .get(i..)
                    .is_some_and(|rest| rest.len() >= end.len() && rest[..end.len()].eq_ignore_ascii_case(&end))
            });
        if let Some(at) = position {
            self.text.insert_str(at, lines);
            *self = Block::new(self.name.clone(), std::mem::take(&mut self.text));
        }
    }
}

/// A VCALENDAR cut into its head (BEGIN and calendar properties), its top-level components
/// and its tail (END:VCALENDAR), each kept as written.
pub(crate) struct Split {
    pub(crate) head: String,
    pub(crate) blocks: Vec<Block>,
    pub(crate) tail: String,
}

impl Split {
    /// The parts of `text`, and the object parsed (for its zones and instances).
    pub(crate) fn parse(text: &str) -> Result<(Split, CalendarObject), InboundError> {
        // Hand-written and some vendors' messages lack VERSION; the zones are read alike.
        let object = CalendarObject::parse_itip(super::itip::with_version(text).as_bytes(), &Limits::default())
            .map_err(|e| InboundError::InvalidCalendar(e.to_string()))?;
        let mut split = Split {
            head: String::new(),
            blocks: Vec::new(),
            tail: String::new(),
        };
        let mut depth = 0usize;
        let mut current: Option<(String, String)> = None;
        for physical in text.split_inclusive('\n') {
            let folded = physical.starts_with([' ', '\t']);
            let upper = physical.trim_end().to_ascii_uppercase();
            let begin = (!folded).then(|| upper.strip_prefix("BEGIN:")).flatten();
            let end = !folded && upper.starts_with("END:");
            if let Some(kind) = begin {
                depth += 1;
                if depth == 2 {
                    current = Some((kind.trim().to_string(), String::new()));
                }
            }
            match (&mut current, depth) {
                (Some((_, body)), d) if d >= 2 => body.push_str(physical),
                // Calendar properties (also the rare ones after a component) stay in the
                // head, so nothing is lost.
                _ if depth <= 1 && !end => split.head.push_str(physical),
                _ => split.tail.push_str(physical),
            }
            if end {
                if depth == 2
                    && let Some((name, body)) = current.take()
                {
                    split.blocks.push(Block::new(name, body));
                }
                depth = depth.saturating_sub(1);
            }
        }
        if !split.tail.ends_with('\n') {
            split.tail.push_str(split.newline_of_head());
        }
        Ok((split, object))
    }

    fn newline_of_head(&self) -> &'static str {
        if self.head.contains("\r\n") { "\r\n" } else { "\n" }
    }

    fn newline(&self) -> &'static str {
        self.newline_of_head()
    }

    pub(crate) fn render(&self) -> String {
        let mut out = self.head.clone();
        for b in &self.blocks {
            out.push_str(&b.text);
        }
        out.push_str(&self.tail);
        out
    }
}

/// An EXDATE for the occurrence at `rid`, in the same form as the master's DTSTART (RFC
/// 5545 §3.8.5.1: same value type; same zone, so every client reads it alike).
fn exdate_line(dtstart: &Line, rid: i64, zones: &ZoneTable) -> String {
    let value = dtstart.value.trim();
    let utc = DateTime::from_timestamp(rid, 0)
        .map(|d| d.naive_utc())
        .unwrap_or_default();
    if value.len() == 8 || dtstart.param("VALUE").is_some_and(|v| v.eq_ignore_ascii_case("DATE")) {
        return format!("EXDATE;VALUE=DATE:{}", utc.format("%Y%m%d"));
    }
    if value.ends_with(['Z', 'z']) {
        return format!("EXDATE:{}", utc.format("%Y%m%dT%H%M%SZ"));
    }
    match dtstart.param("TZID").map(|t| (t, zones.resolve(t))) {
        Some((tzid, Some(zone))) => {
            let local = zone.utc_to_local(rid);
            let quoted = if tzid.contains([':', ';', ',']) {
                format!("\"{tzid}\"")
            } else {
                tzid.to_string()
            };
            format!("EXDATE;TZID={quoted}:{}", local.format("%Y%m%dT%H%M%S"))
        }
        // Floating time (or a zone nobody knows, read as floating): the same wall clock.
        _ => format!("EXDATE:{}", utc.format("%Y%m%dT%H%M%S")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SERIES: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n\
BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nBEGIN:STANDARD\r\nDTSTART:19701025T030000\r\n\
TZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\n\
BEGIN:DAYLIGHT\r\nDTSTART:19700329T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\n\
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n\
BEGIN:VEVENT\r\nUID:s1\r\nDTSTAMP:20300101T000000Z\r\nSEQUENCE:2\r\n\
DTSTART;TZID=Europe/Berlin:20300107T190000\r\nDTEND;TZID=Europe/Berlin:20300107T200000\r\n\
RRULE:FREQ=WEEKLY;COUNT=10\r\nSUMMARY:Training\r\n\
BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT15M\r\nDESCRIPTION:x\r\nEND:VALARM\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:s1\r\nDTSTAMP:20300101T000000Z\r\nSEQUENCE:2\r\n\
RECURRENCE-ID;TZID=Europe/Berlin:20300114T190000\r\nDTSTART;TZID=Europe/Berlin:20300114T200000\r\n\
DTEND;TZID=Europe/Berlin:20300114T210000\r\nSUMMARY:Training (late)\r\nEND:VEVENT\r\n\
END:VCALENDAR\r\n";

    fn occurrence(rid_line: &str, body: &str, seq: u32) -> String {
        format!(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//o//o//EN\r\nMETHOD:REQUEST\r\n\
BEGIN:VEVENT\r\nUID:s1\r\nDTSTAMP:20300105T000000Z\r\nSEQUENCE:{seq}\r\n{rid_line}\r\n{body}END:VEVENT\r\nEND:VCALENDAR\r\n"
        )
    }

    #[test]
    fn a_mailed_override_replaces_the_one_with_the_same_instant_written_in_utc() {
        // 20:00 Berlin on 14 Jan is 18:00 UTC.
        let incoming = occurrence(
            "RECURRENCE-ID:20300114T180000Z",
            "DTSTART:20300114T170000Z\r\nDTEND:20300114T180000Z\r\nSUMMARY:Training (early)\r\n",
            3,
        );
        let merged = merge_occurrences(SERIES, &incoming).expect("merge");
        assert_eq!(merged.changed, 1);
        assert!(merged.text.contains("Training (early)"));
        assert!(!merged.text.contains("Training (late)"));
        assert!(merged.text.contains("RRULE:FREQ=WEEKLY;COUNT=10"), "the series is kept");
        assert!(
            !merged.text.contains("METHOD"),
            "nothing of the message's calendar head is copied"
        );
        CalendarObject::parse(merged.text.as_bytes(), &Limits::default()).expect("still a valid object");
    }

    #[test]
    fn a_mailed_override_for_a_new_occurrence_is_added() {
        let incoming = occurrence(
            "RECURRENCE-ID;TZID=Europe/Berlin:20300121T190000",
            "DTSTART;TZID=Europe/Berlin:20300121T180000\r\nDTEND;TZID=Europe/Berlin:20300121T190000\r\n",
            3,
        );
        let merged = merge_occurrences(SERIES, &incoming).expect("merge");
        assert_eq!(merged.changed, 1);
        assert_eq!(merged.text.matches("BEGIN:VEVENT").count(), 3);
        assert!(merged.text.ends_with("END:VCALENDAR\r\n"));
    }

    #[test]
    fn an_override_for_no_occurrence_of_the_series_is_refused() {
        // Thursdays are not in a weekly series of Mondays.
        let incoming = occurrence(
            "RECURRENCE-ID;TZID=Europe/Berlin:20300110T190000",
            "DTSTART;TZID=Europe/Berlin:20300110T180000\r\n",
            3,
        );
        let err = merge_occurrences(SERIES, &incoming).expect_err("not an occurrence");
        assert!(err.to_string().contains("not an occurrence"), "{err}");
        let single = SERIES.replace("RRULE:FREQ=WEEKLY;COUNT=10\r\n", "");
        let other_day = occurrence("RECURRENCE-ID:20300121T180000Z", "DTSTART:20300121T170000Z\r\n", 3);
        assert!(
            merge_occurrences(&single, &other_day).is_err(),
            "a single event has one occurrence"
        );
    }

    #[test]
    fn a_cancelled_occurrence_becomes_an_exdate_in_the_masters_zone() {
        let cancel = occurrence("RECURRENCE-ID:20300121T180000Z", "STATUS:CANCELLED\r\n", 3);
        let merged = cancel_occurrences(SERIES, &cancel).expect("cancel");
        assert_eq!(merged.changed, 1);
        assert!(
            merged
                .text
                .contains("EXDATE;TZID=Europe/Berlin:20300121T190000\r\nEND:VEVENT"),
            "{}",
            merged.text
        );
        let object = CalendarObject::parse(merged.text.as_bytes(), &Limits::default()).expect("valid");
        let again = cancel_occurrences(object.as_str(), &cancel).expect("cancel again");
        assert_eq!(again.changed, 0, "an occurrence already excluded is not excluded twice");
        assert_eq!(again.text, merged.text);
    }

    #[test]
    fn cancelling_an_overridden_occurrence_removes_the_override_too() {
        let cancel = occurrence(
            "RECURRENCE-ID;TZID=Europe/Berlin:20300114T190000",
            "STATUS:CANCELLED\r\n",
            3,
        );
        let merged = cancel_occurrences(SERIES, &cancel).expect("cancel");
        assert!(!merged.text.contains("Training (late)"));
        assert!(merged.text.contains("EXDATE;TZID=Europe/Berlin:20300114T190000"));
        assert!(merged.text.contains("END:VALARM"), "the master's alarm is kept");
    }

    #[test]
    fn all_day_series_get_date_exdates() {
        let series = "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:x\nBEGIN:VEVENT\nUID:d\nDTSTAMP:20300101T000000Z\n\
DTSTART;VALUE=DATE:20300101\nRRULE:FREQ=DAILY;COUNT=5\nEND:VEVENT\nEND:VCALENDAR\n";
        let cancel = "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:x\nMETHOD:CANCEL\nBEGIN:VEVENT\nUID:d\n\
DTSTAMP:20300101T000000Z\nRECURRENCE-ID;VALUE=DATE:20300103\nEND:VEVENT\nEND:VCALENDAR\n";
        let merged = cancel_occurrences(series, cancel).expect("cancel");
        assert!(
            merged.text.contains("EXDATE;VALUE=DATE:20300103\nEND:VEVENT"),
            "{}",
            merged.text
        );
    }

    #[test]
    fn an_older_request_is_recognized() {
        let older = occurrence("RECURRENCE-ID:20300114T180000Z", "DTSTART:20300114T170000Z\r\n", 1);
        assert_eq!(older_than_stored(SERIES, &older).expect("read"), Some((1, 2)));
        let newer = occurrence("RECURRENCE-ID:20300114T180000Z", "DTSTART:20300114T170000Z\r\n", 3);
        assert_eq!(older_than_stored(SERIES, &newer).expect("read"), None);
        // Same SEQUENCE, older DTSTAMP.
        let stale = SERIES.replace("DTSTAMP:20300101T000000Z", "DTSTAMP:20291231T000000Z");
        assert_eq!(older_than_stored(SERIES, &stale).expect("read"), Some((2, 2)));
    }
}
