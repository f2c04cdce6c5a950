//! calendar-query filter evaluation (RFC 4791 §9.7, §9.9), one test per filter kind.

mod common;

use calinvite_imip::query::{Collation, CompFilter, Filter, ParamFilter, PropFilter, TextMatch, TimeRange};
use common::*;

fn comp(name: &str) -> CompFilter {
    CompFilter {
        name: name.into(),
        is_not_defined: false,
        time_range: None,
        prop_filters: vec![],
        comp_filters: vec![],
    }
}

fn calendar_with(inner: CompFilter) -> Filter {
    let mut root = comp("VCALENDAR");
    root.comp_filters.push(inner);
    Filter { root }
}

fn range(lo: i64, hi: i64) -> Option<TimeRange> {
    Some(TimeRange {
        start: Some(lo),
        end: Some(hi),
    })
}

fn prop(name: &str) -> PropFilter {
    PropFilter {
        name: name.into(),
        is_not_defined: false,
        time_range: None,
        text_match: None,
        param_filters: vec![],
    }
}

fn text(t: &str, collation: Collation, negate: bool) -> Option<TextMatch> {
    Some(TextMatch {
        text: t.into(),
        collation,
        negate,
    })
}

fn event_with_prop(pf: PropFilter) -> Filter {
    let mut ev = comp("VEVENT");
    ev.prop_filters.push(pf);
    calendar_with(ev)
}

fn meeting() -> calinvite_imip::ical::CalendarObject {
    object(
        "BEGIN:VEVENT
UID:meet-1
DTSTAMP:20240105T120000Z
DTSTART:20240110T090000Z
DTEND:20240110T100000Z
SUMMARY:Quarterly Review\\, Été
CATEGORIES:WORK,FINANCE
CATEGORIES:PLANNING
ATTENDEE;PARTSTAT=ACCEPTED;CN=Alice:mailto:alice@example.com
ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:bob@example.com
BEGIN:VALARM
ACTION:DISPLAY
DESCRIPTION:soon
TRIGGER:-PT15M
END:VALARM
END:VEVENT",
    )
}

#[test]
fn comp_filter_on_existing_and_missing_components() {
    let obj = meeting();
    assert!(obj.matches(&calendar_with(comp("VEVENT")), None));
    assert!(!obj.matches(&calendar_with(comp("VTODO")), None));
    let mut not_todo = comp("VTODO");
    not_todo.is_not_defined = true;
    assert!(obj.matches(&calendar_with(not_todo), None));
    let mut not_event = comp("VEVENT");
    not_event.is_not_defined = true;
    assert!(!obj.matches(&calendar_with(not_event), None));
    // A root that is not VCALENDAR never matches.
    assert!(!obj.matches(&Filter { root: comp("VEVENT") }, None));
}

#[test]
fn time_range_on_an_event_uses_overlap() {
    let obj = meeting();
    let at = |lo, hi| {
        let mut ev = comp("VEVENT");
        ev.time_range = range(lo, hi);
        obj.matches(&calendar_with(ev), None)
    };
    assert!(at(ts(2024, 1, 10, 9, 30, 0), ts(2024, 1, 10, 9, 45, 0)));
    assert!(!at(ts(2024, 1, 10, 10, 0, 0), ts(2024, 1, 11, 0, 0, 0)));
    assert!(!at(ts(2024, 1, 9, 0, 0, 0), ts(2024, 1, 10, 9, 0, 0)));
    // Open-ended ranges.
    let mut ev = comp("VEVENT");
    ev.time_range = Some(TimeRange {
        start: Some(ts(2024, 1, 1, 0, 0, 0)),
        end: None,
    });
    assert!(obj.matches(&calendar_with(ev), None));
}

#[test]
fn recurring_event_matches_when_a_late_instance_overlaps() {
    let obj = object(
        "BEGIN:VEVENT
UID:rec
DTSTAMP:20240101T000000Z
DTSTART;TZID=Europe/Berlin:20100104T090000
DTEND;TZID=Europe/Berlin:20100104T100000
RRULE:FREQ=WEEKLY;BYDAY=MO
END:VEVENT",
    );
    let mut ev = comp("VEVENT");
    ev.time_range = range(ts(2031, 3, 3, 7, 30, 0), ts(2031, 3, 3, 8, 30, 0));
    assert!(obj.matches(&calendar_with(ev.clone()), None));
    ev.time_range = range(ts(2031, 3, 4, 0, 0, 0), ts(2031, 3, 9, 0, 0, 0));
    assert!(!obj.matches(&calendar_with(ev), None));
}

#[test]
fn zero_length_event_matches_only_a_range_containing_its_start() {
    let obj = object(
        "BEGIN:VEVENT
UID:z
DTSTAMP:20240101T000000Z
DTSTART:20240110T090000Z
END:VEVENT",
    );
    let at = |lo, hi| {
        let mut ev = comp("VEVENT");
        ev.time_range = range(lo, hi);
        obj.matches(&calendar_with(ev), None)
    };
    assert!(at(ts(2024, 1, 10, 9, 0, 0), ts(2024, 1, 10, 9, 0, 1)));
    assert!(!at(ts(2024, 1, 10, 8, 0, 0), ts(2024, 1, 10, 9, 0, 0)));
}

#[test]
fn text_match_on_summary_honours_collation_and_negation() {
    let obj = meeting();
    let summary = |t: &str, c, n| {
        let mut pf = prop("SUMMARY");
        pf.text_match = text(t, c, n);
        obj.matches(&event_with_prop(pf), None)
    };
    assert!(summary("quarterly", Collation::AsciiCasemap, false));
    assert!(!summary("quarterly", Collation::Octet, false));
    assert!(summary("Review, Été", Collation::Octet, false)); // TEXT is unescaped
    assert!(summary("ÉTÉ", Collation::UnicodeCasemap, false));
    assert!(!summary("ÉTÉ", Collation::AsciiCasemap, false));
    assert!(summary("budget", Collation::AsciiCasemap, true));
    assert!(!summary("review", Collation::AsciiCasemap, true));
}

#[test]
fn text_match_on_categories_matches_any_value() {
    let obj = meeting();
    let cat = |t: &str| {
        let mut pf = prop("CATEGORIES");
        pf.text_match = text(t, Collation::AsciiCasemap, false);
        obj.matches(&event_with_prop(pf), None)
    };
    assert!(cat("finance"));
    assert!(cat("planning"));
    assert!(!cat("holiday"));
}

#[test]
fn prop_filter_is_not_defined() {
    let obj = meeting();
    let mut pf = prop("LOCATION");
    pf.is_not_defined = true;
    assert!(obj.matches(&event_with_prop(pf), None));
    let mut pf = prop("SUMMARY");
    pf.is_not_defined = true;
    assert!(!obj.matches(&event_with_prop(pf), None));
    // Without any test, a prop-filter only asks for existence.
    assert!(obj.matches(&event_with_prop(prop("summary")), None));
    assert!(!obj.matches(&event_with_prop(prop("LOCATION")), None));
}

#[test]
fn param_filter_text_match_and_is_not_defined() {
    let obj = meeting();
    let attendee = |pf: ParamFilter, t: Option<&str>| {
        let mut p = prop("ATTENDEE");
        p.text_match = t.and_then(|t| text(t, Collation::AsciiCasemap, false));
        p.param_filters.push(pf);
        obj.matches(&event_with_prop(p), None)
    };
    let partstat = |t: &str, negate| ParamFilter {
        name: "PARTSTAT".into(),
        is_not_defined: false,
        text_match: text(t, Collation::AsciiCasemap, negate),
    };
    assert!(attendee(partstat("needs-action", false), Some("bob@")));
    assert!(!attendee(partstat("accepted", false), Some("bob@")));
    assert!(attendee(partstat("accepted", true), Some("bob@")));
    let no_cn = ParamFilter {
        name: "CN".into(),
        is_not_defined: true,
        text_match: None,
    };
    assert!(attendee(no_cn.clone(), Some("bob@")));
    assert!(!attendee(no_cn, Some("alice@")));
    let has_rsvp = ParamFilter {
        name: "RSVP".into(),
        is_not_defined: false,
        text_match: None,
    };
    assert!(!attendee(has_rsvp, None));
}

#[test]
fn prop_filter_time_range_on_a_date_property() {
    let obj = meeting();
    let stamp = |lo, hi| {
        let mut pf = prop("DTSTAMP");
        pf.time_range = range(lo, hi);
        obj.matches(&event_with_prop(pf), None)
    };
    assert!(stamp(ts(2024, 1, 5, 0, 0, 0), ts(2024, 1, 6, 0, 0, 0)));
    assert!(!stamp(ts(2024, 1, 6, 0, 0, 0), ts(2024, 1, 7, 0, 0, 0)));
}

#[test]
fn nested_valarm_time_range_uses_the_trigger_of_the_instance() {
    let obj = meeting();
    let alarm_at = |lo, hi| {
        let mut alarm = comp("VALARM");
        alarm.time_range = range(lo, hi);
        let mut ev = comp("VEVENT");
        ev.comp_filters.push(alarm);
        obj.matches(&calendar_with(ev), None)
    };
    // The alarm fires at 08:45Z.
    assert!(alarm_at(ts(2024, 1, 10, 8, 40, 0), ts(2024, 1, 10, 8, 50, 0)));
    assert!(!alarm_at(ts(2024, 1, 10, 8, 50, 0), ts(2024, 1, 10, 9, 30, 0)));
    let mut no_alarm = comp("VALARM");
    no_alarm.is_not_defined = true;
    let mut ev = comp("VEVENT");
    ev.comp_filters.push(no_alarm);
    assert!(!obj.matches(&calendar_with(ev), None));
}

#[test]
fn todo_time_ranges_follow_the_rfc_4791_table() {
    let todo = |props: &str| {
        object(&format!(
            "BEGIN:VTODO
UID:t
{props}
END:VTODO"
        ))
    };
    let at = |obj: &calinvite_imip::ical::CalendarObject, lo, hi| {
        let mut t = comp("VTODO");
        t.time_range = range(lo, hi);
        obj.matches(&calendar_with(t), None)
    };
    let undated = todo("SUMMARY:whenever");
    assert!(undated.always_in_range());
    assert_eq!(undated.span(), None);
    assert!(at(&undated, 0, 1));

    let due = todo("DUE:20240110T120000Z");
    assert!(!due.always_in_range());
    assert!(at(&due, ts(2024, 1, 10, 0, 0, 0), ts(2024, 1, 10, 12, 0, 0)));
    assert!(!at(&due, ts(2024, 1, 10, 12, 0, 0), ts(2024, 1, 11, 0, 0, 0)));

    let start_due = todo("DTSTART:20240101T000000Z\nDUE:20240110T000000Z");
    assert!(at(&start_due, ts(2024, 1, 5, 0, 0, 0), ts(2024, 1, 6, 0, 0, 0)));
    assert!(!at(&start_due, ts(2024, 1, 10, 0, 0, 0), ts(2024, 1, 11, 0, 0, 0)));

    let completed = todo("COMPLETED:20240103T000000Z");
    assert!(at(&completed, ts(2024, 1, 2, 0, 0, 0), ts(2024, 1, 3, 0, 0, 0)));
    assert!(!at(&completed, ts(2024, 1, 4, 0, 0, 0), ts(2024, 1, 5, 0, 0, 0)));
}

#[test]
fn journal_time_range_by_its_date() {
    let obj = object(
        "BEGIN:VJOURNAL
UID:j
DTSTAMP:20240101T000000Z
DTSTART;VALUE=DATE:20240110
END:VJOURNAL",
    );
    let at = |lo, hi| {
        let mut j = comp("VJOURNAL");
        j.time_range = range(lo, hi);
        obj.matches(&calendar_with(j), None)
    };
    assert!(at(ts(2024, 1, 10, 23, 0, 0), ts(2024, 1, 11, 1, 0, 0)));
    assert!(!at(ts(2024, 1, 11, 0, 0, 0), ts(2024, 1, 12, 0, 0, 0)));
}

#[test]
fn freebusy_time_range_by_its_periods() {
    let obj = object(
        "BEGIN:VFREEBUSY
UID:fb
DTSTAMP:20240101T000000Z
FREEBUSY:20240110T090000Z/20240110T100000Z,20240112T090000Z/PT1H
END:VFREEBUSY",
    );
    let at = |lo, hi| {
        let mut f = comp("VFREEBUSY");
        f.time_range = range(lo, hi);
        obj.matches(&calendar_with(f), None)
    };
    assert!(at(ts(2024, 1, 12, 9, 30, 0), ts(2024, 1, 12, 9, 40, 0)));
    assert!(!at(ts(2024, 1, 11, 0, 0, 0), ts(2024, 1, 12, 0, 0, 0)));
}

#[test]
fn override_props_are_judged_with_their_own_instance() {
    let obj = object(
        "BEGIN:VEVENT
UID:s
DTSTAMP:20240101T000000Z
DTSTART:20240101T090000Z
DURATION:PT1H
RRULE:FREQ=DAILY;COUNT=5
SUMMARY:standup
END:VEVENT
BEGIN:VEVENT
UID:s
DTSTAMP:20240101T000000Z
RECURRENCE-ID:20240103T090000Z
DTSTART:20240103T150000Z
DURATION:PT1H
SUMMARY:standup moved
END:VEVENT",
    );
    let query = |lo, hi, t: &str| {
        let mut ev = comp("VEVENT");
        ev.time_range = range(lo, hi);
        let mut pf = prop("SUMMARY");
        pf.text_match = text(t, Collation::AsciiCasemap, false);
        ev.prop_filters.push(pf);
        obj.matches(&calendar_with(ev), None)
    };
    assert!(query(ts(2024, 1, 3, 15, 0, 0), ts(2024, 1, 3, 16, 0, 0), "moved"));
    assert!(!query(ts(2024, 1, 3, 9, 0, 0), ts(2024, 1, 3, 10, 0, 0), "standup"));
    assert!(!query(ts(2024, 1, 2, 9, 0, 0), ts(2024, 1, 2, 10, 0, 0), "moved"));
}

#[test]
fn floating_event_matches_according_to_the_calendar_zone() {
    let obj = object(
        "BEGIN:VEVENT
UID:fl
DTSTAMP:20240101T000000Z
DTSTART:20240110T090000
DTEND:20240110T100000
END:VEVENT",
    );
    let mut ev = comp("VEVENT");
    ev.time_range = range(ts(2024, 1, 10, 14, 0, 0), ts(2024, 1, 10, 15, 0, 0));
    let f = calendar_with(ev);
    assert!(!obj.matches(&f, None));
    assert!(obj.matches(&f, Some(chrono_tz::America::New_York)));
}
