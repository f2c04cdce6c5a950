//! Recurrence expansion checked against the `rrule` crate as an oracle, including the
//! cases where calcard's own expansion is known to be wrong.

mod common;

use calinvite_imip::ical::{IcalError, Limits};
use common::*;
use std::time::Instant;

const ALL: (i64, i64) = (0, 4_102_444_800); // 1970 .. 2100

#[test]
fn weekly_count_in_new_york_follows_wall_clock_across_dst() {
    let obj = object(
        "BEGIN:VEVENT
UID:w1
DTSTAMP:20240101T000000Z
DTSTART;TZID=America/New_York:20240201T090000
DTEND;TZID=America/New_York:20240201T100000
RRULE:FREQ=WEEKLY;COUNT=10
END:VEVENT",
    );
    let expected = oracle("DTSTART;TZID=America/New_York:20240201T090000\nRRULE:FREQ=WEEKLY;COUNT=10");
    assert_eq!(expected.len(), 10);
    assert_eq!(starts(&obj, ALL.0, ALL.1, None), expected);
    // 09:00 EST before the switch, 09:00 EDT after it.
    assert_eq!(expected[0], ts(2024, 2, 1, 14, 0, 0));
    assert_eq!(expected[9], ts(2024, 4, 4, 13, 0, 0));
    let list = obj.instances(ALL.0, ALL.1, &Limits::default(), None).unwrap();
    assert!(list.iter().all(|i| i.end - i.start == 3600));
}

#[test]
fn until_equal_to_the_last_instance_with_a_windows_tzid_keeps_that_instance() {
    let obj = object(
        "BEGIN:VTIMEZONE
TZID:W. Europe Standard Time
BEGIN:STANDARD
DTSTART:16010101T030000
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010101T020000
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3
END:DAYLIGHT
END:VTIMEZONE
BEGIN:VEVENT
UID:outlook
DTSTAMP:20240101T000000Z
DTSTART;TZID=W. Europe Standard Time:20240105T100000
DTEND;TZID=W. Europe Standard Time:20240105T110000
RRULE:FREQ=WEEKLY;UNTIL=20240126T090000Z
END:VEVENT",
    );
    let expected = oracle("DTSTART;TZID=Europe/Berlin:20240105T100000\nRRULE:FREQ=WEEKLY;UNTIL=20240126T090000Z");
    assert_eq!(expected.len(), 4);
    assert_eq!(starts(&obj, ALL.0, ALL.1, None), expected);
    assert_eq!(obj.span().unwrap().end, Some(ts(2024, 1, 26, 10, 0, 0)));
}

#[test]
fn utc_dtstart_is_expanded_in_utc_whatever_the_calendar_zone() {
    let obj = object(
        "BEGIN:VEVENT
UID:u1
DTSTAMP:20240101T000000Z
DTSTART:20240308T230000Z
DURATION:PT30M
RRULE:FREQ=DAILY;COUNT=5
END:VEVENT",
    );
    let expected = oracle("DTSTART:20240308T230000Z\nRRULE:FREQ=DAILY;COUNT=5");
    assert_eq!(starts(&obj, ALL.0, ALL.1, None), expected);
    assert_eq!(starts(&obj, ALL.0, ALL.1, Some(chrono_tz::America::New_York)), expected);
}

#[test]
fn utc_recurrence_id_overrides_a_zoned_instance_exactly_once() {
    let obj = object(
        "BEGIN:VEVENT
UID:o1
DTSTAMP:20240101T000000Z
DTSTART;TZID=America/New_York:20240101T100000
DTEND;TZID=America/New_York:20240101T110000
RRULE:FREQ=WEEKLY;COUNT=4
END:VEVENT
BEGIN:VEVENT
UID:o1
DTSTAMP:20240101T000000Z
RECURRENCE-ID:20240115T150000Z
DTSTART;TZID=America/New_York:20240115T120000
DTEND;TZID=America/New_York:20240115T130000
SUMMARY:moved
END:VEVENT",
    );
    let list = obj.instances(ALL.0, ALL.1, &Limits::default(), None).unwrap();
    let got: Vec<(i64, bool)> = list.iter().map(|i| (i.start, i.overridden)).collect();
    assert_eq!(
        got,
        vec![
            (ts(2024, 1, 1, 15, 0, 0), false),
            (ts(2024, 1, 8, 15, 0, 0), false),
            (ts(2024, 1, 15, 17, 0, 0), true),
            (ts(2024, 1, 22, 15, 0, 0), false),
        ]
    );
    assert_eq!(list[2].recurrence_id, ts(2024, 1, 15, 15, 0, 0));
}

#[test]
fn exdate_in_zone_and_in_utc_both_remove_their_instance() {
    let obj = object(
        "BEGIN:VEVENT
UID:x1
DTSTAMP:20240101T000000Z
DTSTART;TZID=Europe/Berlin:20240101T090000
RRULE:FREQ=DAILY;COUNT=5
EXDATE;TZID=Europe/Berlin:20240102T090000
EXDATE:20240104T080000Z
END:VEVENT",
    );
    let mut expected = oracle("DTSTART;TZID=Europe/Berlin:20240101T090000\nRRULE:FREQ=DAILY;COUNT=5");
    expected.retain(|t| *t != ts(2024, 1, 2, 8, 0, 0) && *t != ts(2024, 1, 4, 8, 0, 0));
    assert_eq!(expected.len(), 3);
    assert_eq!(starts(&obj, ALL.0, ALL.1, None), expected);
}

#[test]
fn rdate_adds_instances_with_their_own_zone_and_period() {
    let obj = object(
        "BEGIN:VEVENT
UID:r1
DTSTAMP:20240101T000000Z
DTSTART;TZID=Europe/Berlin:20240101T090000
DTEND;TZID=Europe/Berlin:20240101T100000
RDATE;TZID=Europe/Berlin:20240110T150000
RDATE;VALUE=PERIOD:20240120T120000Z/20240120T150000Z
END:VEVENT",
    );
    let list = obj.instances(ALL.0, ALL.1, &Limits::default(), None).unwrap();
    let got: Vec<(i64, i64)> = list.iter().map(|i| (i.start, i.end)).collect();
    assert_eq!(
        got,
        vec![
            (ts(2024, 1, 1, 8, 0, 0), ts(2024, 1, 1, 9, 0, 0)),
            (ts(2024, 1, 10, 14, 0, 0), ts(2024, 1, 10, 15, 0, 0)),
            (ts(2024, 1, 20, 12, 0, 0), ts(2024, 1, 20, 15, 0, 0)),
        ]
    );
}

fn moved_series() -> calinvite_imip::ical::CalendarObject {
    object(
        "BEGIN:VEVENT
UID:m1
DTSTAMP:20240101T000000Z
DTSTART:20240101T090000Z
DTEND:20240101T100000Z
RRULE:FREQ=DAILY;COUNT=10
END:VEVENT
BEGIN:VEVENT
UID:m1
DTSTAMP:20240101T000000Z
RECURRENCE-ID:20240103T090000Z
DTSTART:20240201T090000Z
DTEND:20240201T100000Z
END:VEVENT",
    )
}

#[test]
fn override_moved_out_of_the_window_leaves_it() {
    let obj = moved_series();
    assert_eq!(
        starts(&obj, ts(2024, 1, 3, 0, 0, 0), ts(2024, 1, 4, 0, 0, 0), None),
        Vec::<i64>::new()
    );
}

#[test]
fn override_moved_into_the_window_enters_it() {
    let obj = moved_series();
    let list = obj
        .instances(
            ts(2024, 2, 1, 0, 0, 0),
            ts(2024, 2, 2, 0, 0, 0),
            &Limits::default(),
            None,
        )
        .unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].start, ts(2024, 2, 1, 9, 0, 0));
    assert_eq!(list[0].recurrence_id, ts(2024, 1, 3, 9, 0, 0));
    assert!(list[0].overridden);
}

#[test]
fn all_day_weekly_events_last_a_day_and_follow_the_calendar_zone() {
    let obj = object(
        "BEGIN:VEVENT
UID:a1
DTSTAMP:20240101T000000Z
DTSTART;VALUE=DATE:20240101
RRULE:FREQ=WEEKLY;COUNT=3
END:VEVENT",
    );
    let list = obj.instances(ALL.0, ALL.1, &Limits::default(), None).unwrap();
    let got: Vec<(i64, i64)> = list.iter().map(|i| (i.start, i.end)).collect();
    assert_eq!(
        got,
        vec![
            (ts(2024, 1, 1, 0, 0, 0), ts(2024, 1, 2, 0, 0, 0)),
            (ts(2024, 1, 8, 0, 0, 0), ts(2024, 1, 9, 0, 0, 0)),
            (ts(2024, 1, 15, 0, 0, 0), ts(2024, 1, 16, 0, 0, 0)),
        ]
    );
    assert!(list.iter().all(|i| i.all_day && i.floating));
    assert_eq!(
        starts(&obj, ALL.0, ALL.1, Some(chrono_tz::Europe::Berlin)),
        vec![
            ts(2023, 12, 31, 23, 0, 0),
            ts(2024, 1, 7, 23, 0, 0),
            ts(2024, 1, 14, 23, 0, 0)
        ]
    );
    let span = obj.span().unwrap();
    assert_eq!(span.start, ts(2024, 1, 1, 0, 0, 0) - 14 * 3600);
    assert_eq!(span.end, Some(ts(2024, 1, 16, 0, 0, 0) + 14 * 3600));
}

#[test]
fn floating_times_are_placed_in_the_given_zone_or_utc() {
    let obj = object(
        "BEGIN:VEVENT
UID:f1
DTSTAMP:20240101T000000Z
DTSTART:20240101T090000
RRULE:FREQ=DAILY;COUNT=3
END:VEVENT",
    );
    assert_eq!(
        starts(&obj, ALL.0, ALL.1, None),
        oracle("DTSTART:20240101T090000Z\nRRULE:FREQ=DAILY;COUNT=3")
    );
    assert_eq!(
        starts(&obj, ALL.0, ALL.1, Some(chrono_tz::America::New_York)),
        oracle("DTSTART;TZID=America/New_York:20240101T090000\nRRULE:FREQ=DAILY;COUNT=3")
    );
}

#[test]
fn windows_pacific_standard_time_without_vtimezone_is_los_angeles() {
    let obj = object(
        "BEGIN:VEVENT
UID:p1
DTSTAMP:20240101T000000Z
DTSTART;TZID=\"Pacific Standard Time\":20240301T080000
RRULE:FREQ=WEEKLY;COUNT=4
END:VEVENT",
    );
    assert_eq!(
        starts(&obj, ALL.0, ALL.1, None),
        oracle("DTSTART;TZID=America/Los_Angeles:20240301T080000\nRRULE:FREQ=WEEKLY;COUNT=4")
    );
}

#[test]
fn unknown_tzid_is_placed_by_its_own_vtimezone() {
    let obj = object(&format!(
        "{NEW_YORK_VTIMEZONE}
BEGIN:VEVENT
UID:c1
DTSTAMP:20240101T000000Z
DTSTART;TZID=Custom Eastern:20240201T090000
RRULE:FREQ=WEEKLY;COUNT=12
END:VEVENT"
    ));
    assert_eq!(
        starts(&obj, ALL.0, ALL.1, None),
        oracle("DTSTART;TZID=America/New_York:20240201T090000\nRRULE:FREQ=WEEKLY;COUNT=12")
    );
}

#[test]
fn secondly_rule_from_1970_queried_in_2030_is_cheap_and_exact() {
    let obj = object(
        "BEGIN:VEVENT
UID:s1
DTSTAMP:20240101T000000Z
DTSTART:19700101T000000Z
RRULE:FREQ=SECONDLY
END:VEVENT",
    );
    assert_eq!(obj.span().unwrap().end, None);
    let lo = ts(2030, 1, 1, 0, 0, 0);
    let clock = Instant::now();
    let got = starts(&obj, lo, lo + 60, None);
    assert!(clock.elapsed().as_secs() < 5, "took {:?}", clock.elapsed());
    assert_eq!(got, (lo..lo + 60).collect::<Vec<_>>());
}

#[test]
fn secondly_rule_over_a_wide_window_fails_with_too_many_instances() {
    let obj = object(
        "BEGIN:VEVENT
UID:s2
DTSTAMP:20240101T000000Z
DTSTART:19700101T000000Z
RRULE:FREQ=SECONDLY
END:VEVENT",
    );
    let lo = ts(2030, 1, 1, 0, 0, 0);
    let err = obj.instances(lo, lo + 86_400, &Limits::default(), None).unwrap_err();
    assert_eq!(err, IcalError::TooManyInstances { max: 5000 });
    assert_eq!(err.precondition(), "max-instances");
}

#[test]
fn monthly_rule_expanded_to_every_second_is_cut_off_by_the_budget() {
    let obj = object(
        "BEGIN:VEVENT
UID:s3
DTSTAMP:20240101T000000Z
DTSTART:19700101T000000Z
RRULE:FREQ=MONTHLY;BYHOUR=0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23;BYMINUTE=0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59
END:VEVENT",
    );
    let lo = ts(2030, 1, 1, 0, 0, 0);
    let clock = Instant::now();
    let result = obj.instances(lo, lo + 60, &Limits::default(), None);
    assert!(clock.elapsed().as_secs() < 5);
    assert!(matches!(result, Err(IcalError::TooManyInstances { .. })));
}

#[test]
fn yearly_event_is_found_twenty_years_after_it_started() {
    let obj = object(
        "BEGIN:VEVENT
UID:y1
DTSTAMP:20240101T000000Z
DTSTART;TZID=Europe/Berlin:20050615T100000
DTEND;TZID=Europe/Berlin:20050615T110000
RRULE:FREQ=YEARLY
END:VEVENT",
    );
    let list = obj
        .instances(
            ts(2025, 1, 1, 0, 0, 0),
            ts(2026, 1, 1, 0, 0, 0),
            &Limits::default(),
            None,
        )
        .unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].start, ts(2025, 6, 15, 8, 0, 0));
    assert_eq!(list[0].recurrence_id, ts(2025, 6, 15, 8, 0, 0));
}

#[test]
fn daily_rule_years_later_matches_the_oracle_in_that_window() {
    let obj = object(
        "BEGIN:VEVENT
UID:d1
DTSTAMP:20240101T000000Z
DTSTART;TZID=America/New_York:19900105T083000
RRULE:FREQ=DAILY;INTERVAL=3
END:VEVENT",
    );
    let (lo, hi) = (ts(2024, 3, 1, 0, 0, 0), ts(2024, 4, 1, 0, 0, 0));
    let expected: Vec<i64> =
        oracle("DTSTART;TZID=America/New_York:19900105T083000\nRRULE:FREQ=DAILY;INTERVAL=3;UNTIL=20240401T000000Z")
            .into_iter()
            .filter(|t| *t >= lo && *t < hi)
            .collect();
    assert!(expected.len() >= 10);
    assert_eq!(starts(&obj, lo, hi, None), expected);
}

#[test]
fn weekly_byday_with_count_matches_the_oracle() {
    let obj = object(
        "BEGIN:VEVENT
UID:b1
DTSTAMP:20240101T000000Z
DTSTART;TZID=Europe/Paris:20240101T180000
RRULE:FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT=20
END:VEVENT",
    );
    assert_eq!(
        starts(&obj, ALL.0, ALL.1, None),
        oracle("DTSTART;TZID=Europe/Paris:20240101T180000\nRRULE:FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT=20")
    );
}

#[test]
fn instance_filter_uses_overlap_not_start() {
    let obj = object(
        "BEGIN:VEVENT
UID:ov
DTSTAMP:20240101T000000Z
DTSTART:20240101T230000Z
DTEND:20240102T010000Z
END:VEVENT",
    );
    assert_eq!(
        starts(&obj, ts(2024, 1, 2, 0, 0, 0), ts(2024, 1, 3, 0, 0, 0), None).len(),
        1
    );
    assert!(starts(&obj, ts(2024, 1, 2, 1, 0, 0), ts(2024, 1, 3, 0, 0, 0), None).is_empty());
}

#[test]
fn count_is_honoured_after_seeking_far_ahead() {
    let obj = object(
        "BEGIN:VEVENT
UID:c
DTSTAMP:20240101T000000Z
DTSTART:19700101T120000Z
RRULE:FREQ=DAILY;COUNT=20000
END:VEVENT",
    );
    // Instance 15000 (0-based) is on day 15000; the last one is on day 19999.
    let day = |n: i64| n * 86_400 + 12 * 3600;
    assert_eq!(starts(&obj, day(15_000), day(15_000) + 1, None), vec![day(15_000)]);
    assert_eq!(starts(&obj, day(19_999), day(20_001), None), vec![day(19_999)]);
    assert_eq!(
        obj.span().unwrap().end,
        None,
        "COUNT above max_instances is unbounded for the index"
    );
}

#[test]
fn dtstart_outside_the_rule_counts_as_the_first_of_count() {
    // RFC 5545 §3.8.5.3: DTSTART (a Tuesday) plus two Mondays.
    let obj = object(
        "BEGIN:VEVENT
UID:t
DTSTAMP:20240101T000000Z
DTSTART:20240102T090000Z
RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=3
END:VEVENT",
    );
    assert_eq!(
        starts(&obj, ALL.0, ALL.1, None),
        vec![
            ts(2024, 1, 2, 9, 0, 0),
            ts(2024, 1, 8, 9, 0, 0),
            ts(2024, 1, 15, 9, 0, 0)
        ]
    );
}

#[test]
fn nominal_day_duration_keeps_wall_clock_across_dst() {
    let obj = object(
        "BEGIN:VEVENT
UID:d
DTSTAMP:20240101T000000Z
DTSTART;TZID=America/New_York:20240309T120000
DURATION:P1D
END:VEVENT",
    );
    let list = obj.instances(ALL.0, ALL.1, &Limits::default(), None).unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].start, ts(2024, 3, 9, 17, 0, 0));
    // Noon EDT the next day: 23 hours later.
    assert_eq!(list[0].end, ts(2024, 3, 10, 16, 0, 0));
}
