//! CalDAV implicit scheduling (RFC 6638 §3), the pure part: who the server must invite
//! when an organizer's client stores an event with ATTENDEEs, and the few parameters the
//! server writes back into the stored object so the organizer's client shows what
//! happened (SCHEDULE-STATUS per attendee, each attendee's answer as PARTSTAT).
//!
//! Edits touch only the ATTENDEE lines concerned; every other byte of the object is kept,
//! so an organizer's client never sees its data rewritten beyond what RFC 6638 asks for.

use crate::inbound::InboundError;
use crate::inbound::lines::{Line, address_of, content_lines, parse_line};
use crate::inbound::merge::Split;

/// An attendee the server schedules (SCHEDULE-AGENT=SERVER, the default).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scheduled {
    /// Lower-case mail address.
    pub email: String,
    /// CN, when given.
    pub name: Option<String>,
}

/// RFC 6638 §3.2: the attendees the server must schedule for this object, when its
/// ORGANIZER is one of `organizer_addresses` (the calendar owner's addresses, or the
/// server's own mailbox); `None` when the object is not the owner's to schedule (no
/// ORGANIZER, or someone else's). The organizer itself, attendees with SCHEDULE-AGENT
/// CLIENT or NONE, and attendees without a mail address are left out; an attendee of
/// several occurrences is listed once.
pub fn scheduled_attendees(text: &str, organizer_addresses: &[String]) -> Option<Vec<Scheduled>> {
    let mut organizer = None;
    let mut out: Vec<Scheduled> = Vec::new();
    let mut attendees = Vec::new();
    let mut depth = 0usize;
    for line in content_lines(text) {
        match line.name.as_str() {
            "BEGIN" => depth += 1,
            "END" => depth = depth.saturating_sub(1),
            // Properties of VEVENT/VTODO (depth 2), not of nested VALARMs.
            "ORGANIZER" if depth == 2 && organizer.is_none() => organizer = address_of(&line),
            "ATTENDEE" if depth == 2 => attendees.push(line),
            _ => {}
        }
    }
    let organizer = organizer?;
    if !organizer_addresses.iter().any(|a| a.eq_ignore_ascii_case(&organizer)) {
        return None;
    }
    for line in attendees {
        let Some(email) = address_of(&line) else { continue };
        if email == organizer || !server_scheduled(&line) || out.iter().any(|s| s.email == email) {
            continue;
        }
        out.push(Scheduled {
            email,
            name: line.param("CN").map(str::to_string).filter(|n| !n.trim().is_empty()),
        });
    }
    Some(out)
}

/// SCHEDULE-AGENT absent or SERVER (RFC 6638 §7.1).
fn server_scheduled(line: &Line) -> bool {
    line.param("SCHEDULE-AGENT")
        .is_none_or(|a| a.trim().eq_ignore_ascii_case("SERVER"))
}

/// Writes SCHEDULE-STATUS (RFC 6638 §7.3) on the ATTENDEE lines of `emails` that carry
/// none yet, and removes SCHEDULE-FORCE-SEND, which is a request to the server, not data
/// (§7.2). `None` when nothing had to change.
pub fn with_schedule_status(text: &str, emails: &[String], status: &str) -> Option<String> {
    edit_attendees(text, None, |email, params| {
        let mut changed = false;
        let before = params.len();
        params.retain(|(n, _)| n != "SCHEDULE-FORCE-SEND");
        changed |= params.len() != before;
        if emails.iter().any(|e| e == email) && !params.iter().any(|(n, _)| n == "SCHEDULE-STATUS") {
            params.push(("SCHEDULE-STATUS".into(), status.into()));
            changed = true;
        }
        changed
    })
    .ok()
    .flatten()
}

/// Sets an attendee's answer in the stored object: PARTSTAT on their ATTENDEE line of the
/// series (or only of the occurrence `recurrence_id`, an instant as RECURRENCE-IDs are
/// compared), SCHEDULE-STATUS 2.0 (delivered and answered), RSVP removed. `Ok(None)` when
/// the attendee is not in the object (an audience invited through the Send API is not
/// written into calendar objects) or already has that answer.
pub fn with_partstat(
    text: &str,
    email: &str,
    partstat: &str,
    recurrence_id: Option<i64>,
) -> Result<Option<String>, InboundError> {
    edit_attendees(text, Some(recurrence_id), |address, params| {
        if address != email {
            return false;
        }
        let current = params.iter().find(|(n, _)| n == "PARTSTAT").map(|(_, v)| v.as_str());
        if current.is_some_and(|c| c.eq_ignore_ascii_case(partstat)) {
            return false;
        }
        params.retain(|(n, _)| !matches!(n.as_str(), "PARTSTAT" | "RSVP" | "SCHEDULE-STATUS"));
        params.push(("PARTSTAT".into(), partstat.to_string()));
        params.push(("SCHEDULE-STATUS".into(), "2.0".into()));
        true
    })
}

/// Marks every ATTENDEE without SCHEDULE-AGENT as scheduled by the client (RFC 6638
/// §7.1): used for events an organizer mails in from Google Calendar or Outlook, whose
/// own servers have already invited those attendees, so calinvite must not invite them a
/// second time. `None` when nothing had to change.
pub fn mark_client_scheduled(text: &str) -> Option<String> {
    edit_attendees(text, None, |_, params| {
        if params.iter().any(|(n, _)| n == "SCHEDULE-AGENT") {
            return false;
        }
        params.push(("SCHEDULE-AGENT".into(), "CLIENT".into()));
        true
    })
    .ok()
    .flatten()
}

/// Applies `edit` to the parameters of each ATTENDEE line (of every component, or with
/// `only = Some(rid)` of the master when `rid` is `None`, else of that occurrence's
/// override) and re-writes the lines it changed. `Ok(None)` when none changed.
fn edit_attendees(
    text: &str,
    only: Option<Option<i64>>,
    mut edit: impl FnMut(&str, &mut Vec<(String, String)>) -> bool,
) -> Result<Option<String>, InboundError> {
    let (mut split, object) = Split::parse(text)?;
    let zones = object.zones();
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let mut any = false;
    for block in split.blocks.iter_mut() {
        if !matches!(block.name.as_str(), "VEVENT" | "VTODO") {
            continue;
        }
        if let Some(wanted) = only
            && block.recurrence_id(zones) != wanted
        {
            continue;
        }
        let mut out = String::with_capacity(block.text.len() + 64);
        let mut changed = false;
        let mut depth = 0usize;
        for logical in logical_lines(&block.text) {
            let first = logical.lines().next().unwrap_or("");
            let upper = first.trim_end().to_ascii_uppercase();
            if upper.starts_with("BEGIN:") {
                depth += 1;
            } else if upper.starts_with("END:") {
                depth = depth.saturating_sub(1);
            }
            let is_attendee = depth == 1 && (upper.starts_with("ATTENDEE;") || upper.starts_with("ATTENDEE:"));
            let unfolded = unfold(logical);
            let parsed = is_attendee.then(|| parse_line(&unfolded)).flatten();
            match parsed {
                Some(mut line) => {
                    let email = address_of(&line).unwrap_or_default();
                    if edit(&email, &mut line.params) {
                        out.push_str(&fold(&serialize(&line), newline));
                        changed = true;
                    } else {
                        out.push_str(logical);
                    }
                }
                None => out.push_str(logical),
            }
        }
        if changed {
            *block = crate::inbound::merge::Block::new(block.name.clone(), out);
            any = true;
        }
    }
    Ok(any.then(|| split.render()))
}

/// The physical lines of `text` grouped into logical lines (a line and its folds), each
/// with its line ends, exactly as written.
fn logical_lines(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut pos = 0;
    for physical in text.split_inclusive('\n') {
        if pos > start && !physical.starts_with([' ', '\t']) {
            out.push(&text[start..pos]);
            start = pos;
        }
        pos += physical.len();
    }
    if pos > start {
        out.push(&text[start..pos]);
    }
    out
}

fn unfold(logical: &str) -> String {
    let mut s = String::with_capacity(logical.len());
    for (i, physical) in logical.split_inclusive('\n').enumerate() {
        let physical = physical.trim_end_matches(['\r', '\n']);
        if i == 0 {
            s.push_str(physical);
        } else {
            s.push_str(physical.get(1..).unwrap_or(""));
        }
    }
    s
}

/// `NAME;P=v;...:value`, quoting parameter values that need it (RFC 5545 §3.2).
fn serialize(line: &Line) -> String {
    let mut s = line.name.clone();
    for (name, value) in &line.params {
        s.push(';');
        s.push_str(name);
        s.push('=');
        if value.contains([':', ';', ',']) {
            s.push('"');
            s.push_str(&value.replace('"', ""));
            s.push('"');
        } else {
            s.push_str(value);
        }
    }
    s.push(':');
    s.push_str(&line.value);
    s
}

/// RFC 5545 §3.1: lines longer than 75 octets are folded, never inside a UTF-8 sequence.
fn fold(line: &str, newline: &str) -> String {
    let mut out = String::with_capacity(line.len() + line.len() / 74 * 3 + 2);
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str(newline);
            out.push(' ');
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str(newline);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ical::{CalendarObject, Limits};

    const EVENT: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Apple Inc.//macOS 15//EN\r\nBEGIN:VEVENT\r\n\
UID:sched-1\r\nDTSTAMP:20300101T000000Z\r\nDTSTART:20300107T180000Z\r\nRRULE:FREQ=WEEKLY;COUNT=4\r\n\
SUMMARY:Planning\r\nORGANIZER;CN=Orga:mailto:orga@example.org\r\n\
ATTENDEE;CN=Orga;PARTSTAT=ACCEPTED:mailto:orga@example.org\r\n\
ATTENDEE;CN=\"Weiß, Anna\";PARTSTAT=NEEDS-ACTION;RSVP=TRUE;SCHEDULE-FORCE-SEND=REQUEST:mailto:Anna@Example.NET\r\n\
ATTENDEE;SCHEDULE-AGENT=CLIENT:mailto:self@example.net\r\nATTENDEE;CUTYPE=ROOM:mailto:room@example.org\r\n\
BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT5M\r\nDESCRIPTION:x\r\nATTENDEE:mailto:alarm@example.org\r\nEND:VALARM\r\n\
END:VEVENT\r\nBEGIN:VEVENT\r\nUID:sched-1\r\nDTSTAMP:20300101T000000Z\r\nRECURRENCE-ID:20300114T180000Z\r\n\
DTSTART:20300114T190000Z\r\nORGANIZER:mailto:orga@example.org\r\nATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:anna@example.net\r\n\
ATTENDEE:mailto:extra@example.net\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

    fn unfolded(s: &str) -> String {
        s.replace("\r\n ", "")
    }

    fn orga() -> Vec<String> {
        vec!["orga@example.org".to_string()]
    }

    #[test]
    fn the_server_schedules_attendees_of_its_own_organizers_only() {
        let all = scheduled_attendees(EVENT, &orga()).expect("orga's event");
        let emails: Vec<&str> = all.iter().map(|s| s.email.as_str()).collect();
        assert_eq!(emails, ["anna@example.net", "room@example.org", "extra@example.net"]);
        assert_eq!(all[0].name.as_deref(), Some("Weiß, Anna"));
        assert_eq!(scheduled_attendees(EVENT, &["other@example.org".into()]), None);
        let no_organizer = EVENT.replace("ORGANIZER", "X-WAS-ORGANIZER");
        assert_eq!(scheduled_attendees(&no_organizer, &orga()), None);
    }

    #[test]
    fn schedule_status_is_written_once_and_force_send_removed() {
        let emails = vec!["anna@example.net".to_string(), "extra@example.net".to_string()];
        let folded = with_schedule_status(EVENT, &emails, "1.1").expect("changed");
        assert!(folded.lines().all(|l| l.len() <= 76), "folded");
        let out = unfolded(&folded);
        assert!(out.contains("SCHEDULE-STATUS=1.1:mailto:Anna@Example.NET"), "{out}");
        assert!(out.contains("ATTENDEE;SCHEDULE-STATUS=1.1:mailto:extra@example.net"));
        assert!(!out.contains("SCHEDULE-FORCE-SEND"));
        assert!(out.contains("CN=\"Weiß, Anna\""), "quoted CN kept quoted");
        assert!(
            out.contains("ATTENDEE;CN=Orga;PARTSTAT=ACCEPTED:mailto:orga@example.org\r\n"),
            "others untouched"
        );
        CalendarObject::parse(folded.as_bytes(), &Limits::default()).expect("still valid");
        assert_eq!(
            with_schedule_status(&folded, &emails, "1.1"),
            None,
            "nothing more to do"
        );
    }

    #[test]
    fn an_answer_lands_on_the_series_or_on_one_occurrence() {
        let folded = with_partstat(EVENT, "anna@example.net", "ACCEPTED", None)
            .expect("edit")
            .expect("changed");
        let series = unfolded(&folded);
        assert!(
            series.contains("PARTSTAT=ACCEPTED;SCHEDULE-STATUS=2.0:mailto:Anna@Example.NET"),
            "{series}"
        );
        assert!(
            series.contains("ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:anna@example.net"),
            "the override is not the series"
        );
        let rid = 1_894_644_000; // 2030-01-14 18:00 UTC
        let one = with_partstat(EVENT, "anna@example.net", "DECLINED", Some(rid))
            .expect("edit")
            .expect("changed");
        assert!(
            one.contains("ATTENDEE;PARTSTAT=DECLINED;SCHEDULE-STATUS=2.0:mailto:anna@example.net"),
            "{one}"
        );
        assert_eq!(
            with_partstat(EVENT, "nobody@example.net", "ACCEPTED", None).expect("edit"),
            None
        );
        assert_eq!(
            with_partstat(&folded, "anna@example.net", "ACCEPTED", None).expect("edit"),
            None
        );
    }

    #[test]
    fn mailed_in_events_are_marked_as_scheduled_by_the_client() {
        let out = mark_client_scheduled(EVENT).expect("changed");
        assert_eq!(scheduled_attendees(&out, &orga()), Some(Vec::new()));
        assert!(out.contains("ATTENDEE;SCHEDULE-AGENT=CLIENT:mailto:self@example.net\r\n"));
        assert!(
            out.contains("ATTENDEE:mailto:alarm@example.org"),
            "alarm attendees are not scheduling"
        );
    }
}
