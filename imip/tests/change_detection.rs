//! Significant-change detection against real-looking events: an Outlook meeting in a
//! Windows zone, an Apple series in America/New_York with an override, Google and Teams
//! invitations, all-day events. Each test edits one version into the next the way a client
//! would and checks what attendees must be told.

mod common;

use calinvite_imip::change::{ChangeError, ChangeSet, FieldChange, OccurrenceKind, compare, describe, next_sequence};
use common::{calendar, ts};

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/change/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap()
}

/// `text` with `from` replaced; fails loudly when the edit would not apply.
fn edit(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "fixture has no {from:?}");
    text.replacen(from, to, 1)
}

fn diff(before: &str, after: &str) -> ChangeSet {
    compare(before.as_bytes(), after.as_bytes()).unwrap()
}

fn change(property: &str, before: Option<&str>, after: Option<&str>) -> FieldChange {
    FieldChange {
        property: property.to_string(),
        before: before.map(str::to_string),
        after: after.map(str::to_string),
    }
}

/// A single UTC event as a club's web calendar would store it.
fn utc_event() -> String {
    calendar(
        "BEGIN:VEVENT
         UID:match-2030-03-15@club.example
         DTSTAMP:20300301T090000Z
         SEQUENCE:2
         DTSTART:20300315T180000Z
         DTEND:20300315T200000Z
         SUMMARY:Home match vs. Rovers
         LOCATION:Stadion
         DESCRIPTION:Meet at the clubhouse at 17:30\\, bring your kit.
         STATUS:CONFIRMED
         ORGANIZER;CN=Club Office:mailto:office@club.example
         ATTENDEE;CN=Jo Park;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:jo@example.com
         ATTENDEE;CN=Max Roe;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:max@example.com
         END:VEVENT",
    )
}

#[test]
fn moving_the_start_and_end_is_a_series_change() {
    let before = fixture("outlook-w-europe.ics");
    let after = edit(&before, "T190000", "T200000");
    let after = edit(&after, "T210000", "T220000");
    let changes = diff(&before, &after);
    assert!(changes.is_significant());
    assert_eq!(
        changes.series,
        vec![
            change(
                "DTSTART",
                Some("2030-03-15 18:00 UTC (Europe/Berlin 19:00)"),
                Some("2030-03-15 19:00 UTC (Europe/Berlin 20:00)")
            ),
            change(
                "DTEND",
                Some("2030-03-15 20:00 UTC (Europe/Berlin 21:00)"),
                Some("2030-03-15 21:00 UTC (Europe/Berlin 22:00)")
            ),
        ]
    );
    assert!(changes.occurrences.is_empty());
}

#[test]
fn same_instant_written_in_another_zone_is_not_significant() {
    let before = utc_event();
    // 14:00 EDT is 18:00 UTC (New York is on daylight time from 2030-03-10).
    let after = edit(
        &before,
        "DTSTART:20300315T180000Z",
        "DTSTART;TZID=America/New_York:20300315T140000",
    );
    let after = edit(
        &after,
        "DTEND:20300315T200000Z",
        "DTEND;TZID=America/New_York:20300315T160000",
    );
    let changes = diff(&before, &after);
    assert!(!changes.is_significant(), "{changes:?}");
    assert_eq!(changes.insignificant, vec!["DTEND", "DTSTART"]);
}

#[test]
fn a_changed_tzid_that_moves_the_instant_is_significant() {
    let before = utc_event();
    // London is on GMT in mid-March: 18:00 there is the same instant, so no change...
    let after = edit(
        &before,
        "DTSTART:20300315T180000Z",
        "DTSTART;TZID=Europe/London:20300315T180000",
    );
    assert!(!diff(&before, &after).is_significant());
    // ...but 18:00 in Berlin is an hour earlier.
    let after = edit(
        &before,
        "DTSTART:20300315T180000Z",
        "DTSTART;TZID=Europe/Berlin:20300315T180000",
    );
    let changes = diff(&before, &after);
    assert_eq!(
        changes.series,
        vec![change(
            "DTSTART",
            Some("2030-03-15 18:00 UTC"),
            Some("2030-03-15 17:00 UTC (Europe/Berlin 18:00)")
        )]
    );
}

#[test]
fn windows_tzid_replaced_by_its_iana_name_with_the_same_instants_is_not_significant() {
    let before = fixture("outlook-w-europe.ics");
    let after = fixture("outlook-w-europe-as-iana.ics");
    let changes = diff(&before, &after);
    assert!(!changes.is_significant(), "{changes:?}");
    assert!(changes.insignificant.contains(&"VTIMEZONE".to_string()));
    assert!(changes.insignificant.contains(&"DTSTART".to_string()));
    assert!(
        changes
            .insignificant
            .contains(&"X-MICROSOFT-CDO-BUSYSTATUS".to_string())
    );
    // The folded ATTENDEE line with its parameters in another order is the same attendee.
    assert!(!changes.insignificant.contains(&"ATTENDEE".to_string()), "{changes:?}");
}

#[test]
fn outlook_customized_time_zone_with_the_same_offsets_is_not_significant() {
    // Outlook names a zone "Customized Time Zone" and only its VTIMEZONE gives the offsets.
    let before = fixture("outlook-w-europe.ics");
    let after = before.replace("W. Europe Standard Time", "Customized Time Zone");
    let changes = diff(&before, &after);
    assert!(!changes.is_significant(), "{changes:?}");
    assert_eq!(changes.insignificant, vec!["DTEND", "DTSTART", "VTIMEZONE"]);

    let moved = edit(&after, "TZOFFSETTO:+0100", "TZOFFSETTO:+0000");
    let changes = diff(&before, &moved);
    assert_eq!(
        changes.series[0],
        change(
            "DTSTART",
            Some("2030-03-15 18:00 UTC (Europe/Berlin 19:00)"),
            Some("2030-03-15 19:00 UTC (Customized Time Zone 19:00)")
        )
    );
}

#[test]
fn duration_written_instead_of_the_same_dtend_is_not_significant() {
    let before = utc_event();
    let after = edit(&before, "DTEND:20300315T200000Z", "DURATION:PT2H");
    let changes = diff(&before, &after);
    assert!(!changes.is_significant(), "{changes:?}");
    assert_eq!(changes.insignificant, vec!["DTEND", "DURATION"]);
}

#[test]
fn a_longer_duration_is_a_series_change_of_the_end() {
    let before = utc_event();
    let after = edit(&before, "DTEND:20300315T200000Z", "DURATION:PT2H30M");
    let changes = diff(&before, &after);
    assert_eq!(
        changes.series,
        vec![change(
            "DTEND",
            Some("2030-03-15 20:00 UTC"),
            Some("2030-03-15 20:30 UTC")
        )]
    );
}

#[test]
fn bookkeeping_properties_alone_are_not_significant() {
    let before = fixture("outlook-w-europe.ics");
    let after = edit(&before, "DTSTAMP:20300301T101500Z", "DTSTAMP:20300305T164200Z");
    let after = edit(&after, "SEQUENCE:0", "SEQUENCE:3");
    let after = edit(
        &after,
        "X-MICROSOFT-CDO-APPT-SEQUENCE:0",
        "X-MICROSOFT-CDO-APPT-SEQUENCE:3",
    );
    let after = edit(
        &after,
        "TRANSP:OPAQUE",
        "TRANSP:OPAQUE\r\nLAST-MODIFIED:20300305T164200Z",
    );
    let after = edit(
        &after,
        "PRODID:Microsoft Exchange Server 2010",
        "PRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN",
    );
    let changes = diff(&before, &after);
    assert!(!changes.is_significant(), "{changes:?}");
    assert_eq!(
        changes.insignificant,
        vec![
            "DTSTAMP",
            "LAST-MODIFIED",
            "PRODID",
            "SEQUENCE",
            "X-MICROSOFT-CDO-APPT-SEQUENCE"
        ]
    );
}

#[test]
fn apple_and_mozilla_bookkeeping_is_not_significant() {
    let before = fixture("choir-series-new-york.ics");
    let after = edit(
        &before,
        "X-APPLE-TRAVEL-ADVISORY-BEHAVIOR:AUTOMATIC",
        "X-APPLE-TRAVEL-ADVISORY-BEHAVIOR:DISABLED\r\nX-MOZ-GENERATION:4",
    );
    let changes = diff(&before, &after);
    assert!(!changes.is_significant());
    assert_eq!(
        changes.insignificant,
        vec!["X-APPLE-TRAVEL-ADVISORY-BEHAVIOR", "X-MOZ-GENERATION"]
    );
}

#[test]
fn adding_a_valarm_is_not_significant() {
    let before = utc_event();
    let after = edit(
        &before,
        "END:VEVENT",
        "BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:Kick-off soon\r\nTRIGGER:-PT1H\r\nEND:VALARM\r\nEND:VEVENT",
    );
    let changes = diff(&before, &after);
    assert!(!changes.is_significant());
    assert_eq!(changes.insignificant, vec!["VALARM"]);
}

#[test]
fn an_attendee_answer_is_not_an_organizer_change() {
    let before = utc_event();
    let after = edit(
        &before,
        "CN=Jo Park;PARTSTAT=NEEDS-ACTION",
        "CN=Jo Park;PARTSTAT=ACCEPTED",
    );
    let after = edit(&after, "CN=Club Office", "CN=Club Office (Fixtures)");
    let changes = diff(&before, &after);
    assert!(!changes.is_significant());
    assert_eq!(changes.insignificant, vec!["ATTENDEE", "ORGANIZER"]);
}

#[test]
fn property_order_and_line_folding_are_not_changes() {
    let before = utc_event();
    let after = edit(&before, "SUMMARY:Home match vs. Rovers\r\n", "");
    let after = edit(&after, "END:VEVENT", "SUMMARY:Home match vs.\r\n  Rovers\r\nEND:VEVENT");
    let changes = diff(&before, &after);
    assert_eq!(changes, ChangeSet::default());
}

#[test]
fn location_summary_description_and_status_are_significant() {
    let before = utc_event();
    let after = edit(&before, "LOCATION:Stadion", "LOCATION:Arena");
    let after = edit(
        &after,
        "SUMMARY:Home match vs. Rovers",
        "SUMMARY:Home match vs. Rovers (rescheduled)",
    );
    let after = edit(&after, "at 17:30\\, bring", "at 17:00\\, bring");
    let after = edit(&after, "STATUS:CONFIRMED", "STATUS:TENTATIVE");
    let changes = diff(&before, &after);
    assert_eq!(
        changes.series,
        vec![
            change(
                "SUMMARY",
                Some("Home match vs. Rovers"),
                Some("Home match vs. Rovers (rescheduled)")
            ),
            change("LOCATION", Some("Stadion"), Some("Arena")),
            change(
                "DESCRIPTION",
                Some("Meet at the clubhouse at 17:30, bring your kit."),
                Some("Meet at the clubhouse at 17:00, bring your kit.")
            ),
            change("STATUS", Some("CONFIRMED"), Some("TENTATIVE")),
        ]
    );
}

#[test]
fn a_changed_google_meet_link_is_significant() {
    let before = edit(
        &utc_event(),
        "STATUS:CONFIRMED",
        "STATUS:CONFIRMED\r\nX-GOOGLE-CONFERENCE:https://meet.google.com/abc-defg-hij",
    );
    let after = edit(&before, "abc-defg-hij", "xyz-wvut-srq");
    let changes = diff(&before, &after);
    assert_eq!(
        changes.series,
        vec![change(
            "X-GOOGLE-CONFERENCE",
            Some("https://meet.google.com/abc-defg-hij"),
            Some("https://meet.google.com/xyz-wvut-srq")
        )]
    );
}

#[test]
fn a_changed_teams_link_is_significant() {
    let before = edit(
        &fixture("outlook-w-europe.ics"),
        "X-MICROSOFT-CDO-IMPORTANCE:1",
        "X-MICROSOFT-CDO-IMPORTANCE:1\r\nX-MICROSOFT-SKYPETEAMSMEETINGURL:\
         https://teams.microsoft.com/l/meetup-join/19%3ameeting_AAA%40thread.v2/0",
    );
    let after = edit(&before, "meeting_AAA", "meeting_BBB");
    let changes = diff(&before, &after);
    assert_eq!(changes.series.len(), 1);
    assert_eq!(changes.series[0].property, "X-MICROSOFT-SKYPETEAMSMEETINGURL");
    assert!(changes.series[0].after.as_deref().unwrap().contains("meeting_BBB"));
}

#[test]
fn a_url_is_conference_data_only_when_it_is_a_join_link() {
    let before = edit(
        &utc_event(),
        "STATUS:CONFIRMED",
        "STATUS:CONFIRMED\r\nURL:https://club.example/fixtures/12",
    );
    let after = edit(&before, "fixtures/12", "fixtures/13");
    let changes = diff(&before, &after);
    assert!(!changes.is_significant());
    assert_eq!(changes.insignificant, vec!["URL"]);

    let after = edit(
        &before,
        "https://club.example/fixtures/12",
        "https://us02web.zoom.us/j/81234567890",
    );
    let changes = diff(&before, &after);
    assert_eq!(
        changes.series,
        vec![change("URL", None, Some("https://us02web.zoom.us/j/81234567890"))]
    );
}

#[test]
fn a_changed_rrule_count_is_a_series_change() {
    let before = fixture("choir-series-new-york.ics");
    let after = edit(&before, "COUNT=10", "COUNT=8");
    let changes = diff(&before, &after);
    assert_eq!(
        changes.series,
        vec![change(
            "RRULE",
            Some("FREQ=WEEKLY;COUNT=10;BYDAY=WE"),
            Some("FREQ=WEEKLY;COUNT=8;BYDAY=WE")
        )]
    );
    assert!(changes.occurrences.is_empty());
}

#[test]
fn an_added_exdate_cancels_that_occurrence_only() {
    let before = fixture("choir-series-new-york.ics");
    let after = edit(
        &before,
        "EXDATE;TZID=America/New_York:20300320T190000",
        "EXDATE;TZID=America/New_York:20300320T190000,20300403T190000",
    );
    let changes = diff(&before, &after);
    assert!(changes.series.is_empty(), "{changes:?}");
    assert_eq!(changes.occurrences.len(), 1);
    let occ = &changes.occurrences[0];
    // 19:00 EDT on 2030-04-03 is 23:00 UTC.
    assert_eq!(occ.recurrence_id, ts(2030, 4, 3, 23, 0, 0));
    assert_eq!(occ.kind, OccurrenceKind::Cancelled);
    assert_eq!(occ.label, "2030-04-03 23:00 UTC (America/New_York 19:00)");
}

#[test]
fn a_removed_exdate_restores_that_occurrence() {
    let before = fixture("choir-series-new-york.ics");
    let after = edit(&before, "EXDATE;TZID=America/New_York:20300320T190000\r\n", "");
    let changes = diff(&before, &after);
    assert_eq!(changes.occurrences.len(), 1);
    assert_eq!(changes.occurrences[0].recurrence_id, ts(2030, 3, 20, 23, 0, 0));
    assert_eq!(changes.occurrences[0].kind, OccurrenceKind::Restored);
}

/// An override for 2030-04-10 19:00 New York time, between `lines`.
fn override_of_april_10(lines: &str) -> String {
    format!(
        "BEGIN:VEVENT\r\nUID:5E1B7F2A-8C3D-4E9F-A0B1-C2D3E4F5A6B7\r\nDTSTAMP:20300205T080000Z\r\n\
         RECURRENCE-ID;TZID=America/New_York:20300410T190000\r\nSUMMARY:Choir rehearsal\r\n\
         LOCATION:St. Mark's Hall\r\nORGANIZER;CN=Ruth Cole:mailto:ruth@choir.example\r\n\
         {lines}END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
}

#[test]
fn an_added_override_that_moves_one_occurrence_modifies_that_occurrence() {
    let before = fixture("choir-series-new-york.ics");
    let after = edit(
        &before,
        "END:VCALENDAR\r\n",
        &override_of_april_10(
            "DTSTART;TZID=America/New_York:20300410T180000\r\nDTEND;TZID=America/New_York:20300410T193000\r\n",
        ),
    );
    let changes = diff(&before, &after);
    assert!(changes.series.is_empty());
    assert_eq!(changes.occurrences.len(), 1);
    let occ = &changes.occurrences[0];
    assert_eq!(occ.recurrence_id, ts(2030, 4, 10, 23, 0, 0));
    assert_eq!(
        occ.kind,
        OccurrenceKind::Modified(vec![
            change(
                "DTSTART",
                Some("2030-04-10 23:00 UTC (America/New_York 19:00)"),
                Some("2030-04-10 22:00 UTC (America/New_York 18:00)")
            ),
            change(
                "DTEND",
                Some("2030-04-11 00:30 UTC (America/New_York 2030-04-10 20:30)"),
                Some("2030-04-10 23:30 UTC (America/New_York 19:30)")
            ),
        ])
    );
}

#[test]
fn an_override_that_only_records_an_answer_is_not_significant() {
    let before = fixture("choir-series-new-york.ics");
    let after = edit(
        &before,
        "END:VCALENDAR\r\n",
        &override_of_april_10(
            "DTSTART;TZID=America/New_York:20300410T190000\r\nDTEND;TZID=America/New_York:20300410T203000\r\n\
             ATTENDEE;CN=Sam Lee;PARTSTAT=DECLINED:mailto:sam@example.net\r\n",
        ),
    );
    let changes = diff(&before, &after);
    assert!(!changes.is_significant(), "{changes:?}");
    assert_eq!(changes.insignificant, vec!["RECURRENCE-ID"]);
}

#[test]
fn an_override_outside_the_rule_adds_an_occurrence() {
    let before = fixture("choir-series-new-york.ics");
    let extra = override_of_april_10(
        "DTSTART;TZID=America/New_York:20300410T190000\r\nDTEND;TZID=America/New_York:20300410T203000\r\n",
    )
    .replace("20300410T", "20300411T");
    let after = edit(&before, "END:VCALENDAR\r\n", &extra);
    let changes = diff(&before, &after);
    assert_eq!(changes.occurrences.len(), 1);
    assert_eq!(changes.occurrences[0].recurrence_id, ts(2030, 4, 11, 23, 0, 0));
    assert_eq!(changes.occurrences[0].kind, OccurrenceKind::Added);
}

#[test]
fn an_override_with_status_cancelled_cancels_that_occurrence() {
    let before = fixture("choir-series-new-york.ics");
    let after = edit(
        &before,
        "RECURRENCE-ID;TZID=America/New_York:20300327T190000",
        "RECURRENCE-ID;TZID=America/New_York:20300327T190000\r\nSTATUS:CANCELLED",
    );
    let changes = diff(&before, &after);
    assert!(changes.series.is_empty());
    assert_eq!(changes.occurrences.len(), 1);
    assert_eq!(changes.occurrences[0].recurrence_id, ts(2030, 3, 27, 23, 0, 0));
    assert_eq!(changes.occurrences[0].kind, OccurrenceKind::Cancelled);
    // The STATUS itself is the cancellation, not a bookkeeping change.
    assert!(changes.insignificant.is_empty(), "{changes:?}");
}

#[test]
fn a_changed_override_modifies_that_occurrence() {
    let before = fixture("choir-series-new-york.ics");
    let after = edit(
        &before,
        "LOCATION:Parish Hall (St. Mark's is closed)",
        "LOCATION:Library",
    );
    let changes = diff(&before, &after);
    assert!(changes.series.is_empty());
    assert_eq!(
        changes.occurrences[0].kind,
        OccurrenceKind::Modified(vec![change(
            "LOCATION",
            Some("Parish Hall (St. Mark's is closed)"),
            Some("Library")
        )])
    );
}

#[test]
fn a_removed_override_restores_that_occurrence_to_the_series() {
    let before = fixture("choir-series-new-york.ics");
    let start = before.rfind("BEGIN:VEVENT").unwrap();
    let end = before.rfind("END:VCALENDAR").unwrap();
    let after = format!("{}{}", &before[..start], &before[end..]);
    let changes = diff(&before, &after);
    assert!(changes.series.is_empty());
    assert_eq!(changes.occurrences.len(), 1);
    assert_eq!(changes.occurrences[0].recurrence_id, ts(2030, 3, 27, 23, 0, 0));
    assert_eq!(changes.occurrences[0].kind, OccurrenceKind::Restored);
}

#[test]
fn a_master_change_does_not_report_each_occurrence() {
    let before = fixture("choir-series-new-york.ics");
    let after = edit(&before, "LOCATION:St. Mark's Hall", "LOCATION:Town Hall");
    let changes = diff(&before, &after);
    assert_eq!(
        changes.series,
        vec![change("LOCATION", Some("St. Mark's Hall"), Some("Town Hall"))]
    );
    assert!(changes.occurrences.is_empty());
}

#[test]
fn moving_an_all_day_event_by_a_day_is_significant() {
    let before = calendar(
        "BEGIN:VEVENT
         UID:summer-fest-2030@club.example
         DTSTAMP:20300101T000000Z
         DTSTART;VALUE=DATE:20300706
         DTEND;VALUE=DATE:20300707
         SUMMARY:Summer fest
         END:VEVENT",
    );
    let after = edit(&before, "DTSTART;VALUE=DATE:20300706", "DTSTART;VALUE=DATE:20300705");
    let after = edit(&after, "DTEND;VALUE=DATE:20300707", "DURATION:P2D");
    let changes = diff(&before, &after);
    assert_eq!(
        changes.series,
        vec![change(
            "DTSTART",
            Some("2030-07-06 (all day)"),
            Some("2030-07-05 (all day)")
        )]
    );
    assert_eq!(describe(&changes), "Start: 2030-07-06 (all day) → 2030-07-05 (all day)");
}

#[test]
fn a_different_uid_is_refused() {
    let before = utc_event();
    let after = edit(
        &before,
        "UID:match-2030-03-15@club.example",
        "UID:match-2030-03-22@club.example",
    );
    assert_eq!(
        compare(before.as_bytes(), after.as_bytes()),
        Err(ChangeError::UidMismatch {
            before: "match-2030-03-15@club.example".into(),
            after: "match-2030-03-22@club.example".into(),
        })
    );
}

#[test]
fn garbage_is_an_error_not_a_panic() {
    let good = utc_event();
    let garbage: [&[u8]; 6] = [
        b"",
        b"\xff\xfe\x00garbage",
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\n",
        b"BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Jo\r\nEND:VCARD\r\n",
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        b"hello world",
    ];
    for bad in garbage {
        assert!(
            matches!(compare(bad, good.as_bytes()), Err(ChangeError::Before(_))),
            "{bad:?}"
        );
        assert!(
            matches!(compare(good.as_bytes(), bad), Err(ChangeError::After(_))),
            "{bad:?}"
        );
    }
}

#[test]
fn every_truncation_of_a_real_series_compares_without_panicking() {
    let full = fixture("choir-series-new-york.ics");
    let bytes = full.as_bytes();
    for cut in 0..bytes.len() {
        let _ = compare(&bytes[..cut], bytes);
        let _ = compare(bytes, &bytes[..cut]);
    }
}

#[test]
fn describe_lists_series_changes_one_per_line() {
    let before = utc_event();
    let after = edit(&before, "DTSTART:20300315T180000Z", "DTSTART:20300315T190000Z");
    let after = edit(&after, "DTEND:20300315T200000Z", "DTEND:20300315T210000Z");
    let after = edit(&after, "LOCATION:Stadion", "LOCATION:Arena");
    assert_eq!(
        describe(&diff(&before, &after)),
        "Start: 2030-03-15 18:00 UTC → 2030-03-15 19:00 UTC\n\
         End: 2030-03-15 20:00 UTC → 2030-03-15 21:00 UTC\n\
         Location: Stadion → Arena"
    );
}

#[test]
fn describe_names_each_changed_occurrence() {
    let before = calendar(
        "BEGIN:VEVENT
         UID:training@club.example
         DTSTAMP:20300301T090000Z
         DTSTART:20300315T180000Z
         DTEND:20300315T193000Z
         RRULE:FREQ=WEEKLY;COUNT=6
         SUMMARY:Training
         LOCATION:Stadion
         END:VEVENT",
    );
    let after = edit(
        &before,
        "RRULE:FREQ=WEEKLY;COUNT=6",
        "RRULE:FREQ=WEEKLY;COUNT=6\r\nEXDATE:20300322T180000Z",
    );
    let after = edit(
        &after,
        "END:VCALENDAR",
        "BEGIN:VEVENT\r\nUID:training@club.example\r\nDTSTAMP:20300301T090000Z\r\n\
         RECURRENCE-ID:20300329T180000Z\r\nDTSTART:20300329T180000Z\r\nDTEND:20300329T193000Z\r\n\
         SUMMARY:Training\r\nLOCATION:Sporthalle\r\nEND:VEVENT\r\nEND:VCALENDAR",
    );
    assert_eq!(
        describe(&diff(&before, &after)),
        "Occurrence 2030-03-22 18:00 UTC: cancelled\n\
         Occurrence 2030-03-29 18:00 UTC: Location: Stadion → Sporthalle"
    );
    assert_eq!(describe(&diff(&before, &before)), "No significant changes");
}

#[test]
fn next_sequence_follows_rfc_5546_and_never_goes_below_the_organizer() {
    // (server, organizer, significant) -> outbound SEQUENCE
    let table = [
        (0, None, true, 1),
        (0, None, false, 0),
        (3, Some(3), true, 4),
        (3, Some(3), false, 3),
        (3, Some(1), true, 4),
        (3, Some(1), false, 3),
        (3, Some(7), true, 7),
        (3, Some(7), false, 7),
        (3, Some(4), true, 4),
        (u32::MAX, None, true, u32::MAX),
    ];
    for (server, organizer, significant, expected) in table {
        assert_eq!(
            next_sequence(server, organizer, significant),
            expected,
            "next_sequence({server}, {organizer:?}, {significant})"
        );
    }
}
