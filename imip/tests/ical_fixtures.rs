//! Every real-world `.ics` fixture parses as an iTIP message and yields a sane index span;
//! the Outlook and Notes ones also expand to exactly the instances their clients show.

mod common;

use calinvite_imip::ical::{CalendarObject, ComponentKind, IcalError, Limits};
use common::ts;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn itip(name: &str) -> CalendarObject {
    CalendarObject::parse_itip(&fixture(name), &Limits::default()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn every_ics_fixture_parses_as_itip_with_a_sane_span() {
    let dir = format!("{}/tests/fixtures", env!("CARGO_MANIFEST_DIR"));
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("ics") {
            continue;
        }
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        let obj = itip(&name);
        seen += 1;
        // The Exchange CDO fragment really has no UID.
        let uidless = name == "pyicalendar-exchange-cdo-request-odd-tzid.ics";
        assert_eq!(obj.uid().is_empty(), uidless, "{name}");
        assert_eq!(obj.component(), ComponentKind::Event, "{name}");
        assert!(obj.method().is_some(), "{name}");
        let span = obj.span().unwrap_or_else(|| panic!("{name}: no span"));
        assert!(span.start > ts(2004, 1, 1, 0, 0, 0), "{name}: start {}", span.start);
        assert!(span.start < ts(2026, 1, 1, 0, 0, 0), "{name}: start {}", span.start);
        match span.end {
            Some(end) => {
                assert!(end >= span.start, "{name}");
                assert!(end - span.start < 60 * 86_400, "{name}: span too long");
            }
            None => assert_eq!(name, "nylas-google-request-recurring.ics"),
        }
        // Stored resources must not carry METHOD (RFC 4791 §4.1).
        let err = CalendarObject::parse(&fixture(&name), &Limits::default()).unwrap_err();
        assert!(matches!(err, IcalError::InvalidObject(_)), "{name}: {err}");
    }
    assert_eq!(seen, 19);
}

#[test]
fn exchange_daily_series_keeps_the_instance_at_until() {
    let obj = itip("calcard-exchange2010-teams-recurring-request-utf8.ics");
    let list = obj
        .instances(
            ts(2020, 1, 1, 0, 0, 0),
            ts(2021, 1, 1, 0, 0, 0),
            &Limits::default(),
            None,
        )
        .unwrap();
    let starts: Vec<i64> = list.iter().map(|i| i.start).collect();
    // 11:00 W. Europe Standard Time (CET) every two days until 10:00Z on the 26th.
    assert_eq!(starts, vec![ts(2020, 11, 24, 10, 0, 0), ts(2020, 11, 26, 10, 0, 0)]);
}

#[test]
fn notes_override_with_utc_recurrence_id_is_one_instance() {
    let obj = itip("calcard-notes-request-override-recurid-utc.ics");
    let list = obj
        .instances(
            ts(2005, 4, 1, 0, 0, 0),
            ts(2005, 5, 1, 0, 0, 0),
            &Limits::default(),
            None,
        )
        .unwrap();
    assert_eq!(list.len(), 1);
    // 10:00 in the VTIMEZONE "Eastern" (EDT) is 14:00Z.
    assert_eq!(list[0].start, ts(2005, 4, 26, 14, 0, 0));
    assert_eq!(list[0].end, ts(2005, 4, 26, 15, 0, 0));
    assert_eq!(list[0].recurrence_id, ts(2005, 4, 26, 13, 0, 0));
    assert!(list[0].overridden);
}

#[test]
fn exchange_pacific_standard_time_is_placed_in_los_angeles() {
    let obj = itip("pyicalendar-exchange2010-request-pacific-tz.ics");
    let list = obj
        .instances(
            ts(2017, 1, 1, 0, 0, 0),
            ts(2018, 1, 1, 0, 0, 0),
            &Limits::default(),
            None,
        )
        .unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].start, ts(2017, 2, 24, 20, 0, 0));
    assert_eq!(list[0].end, ts(2017, 2, 24, 20, 30, 0));
}

#[test]
fn odd_exchange_tzid_is_read_from_its_vtimezone() {
    let obj = itip("pyicalendar-exchange-cdo-request-odd-tzid.ics");
    let list = obj
        .instances(
            ts(2015, 7, 1, 0, 0, 0),
            ts(2015, 8, 1, 0, 0, 0),
            &Limits::default(),
            None,
        )
        .unwrap();
    // 10:00 at +02:00 (summer) is 08:00Z.
    assert_eq!(list.first().map(|i| i.start), Some(ts(2015, 7, 3, 8, 0, 0)));
    assert!(list.iter().all(|i| i.end - i.start == 1800));
    assert!(list.iter().all(|i| i.start <= ts(2015, 7, 22, 8, 0, 0)));
    // Weekdays from Friday 3 July to Wednesday 22 July inclusive.
    assert_eq!(list.len(), 14, "{list:?}");
}

#[test]
fn google_weekly_series_without_end_is_found_years_later() {
    let obj = itip("nylas-google-request-recurring.ics");
    assert!(obj.is_recurring());
    let list = obj
        .instances(
            ts(2030, 6, 1, 0, 0, 0),
            ts(2030, 6, 8, 0, 0, 0),
            &Limits::default(),
            None,
        )
        .unwrap();
    assert_eq!(list.len(), 1);
    // Mondays 13:30 America/Los_Angeles (PDT in June) = 20:30Z.
    assert_eq!(list[0].start, ts(2030, 6, 3, 20, 30, 0));
}

#[test]
fn icloud_all_day_event_spans_one_day() {
    let obj = itip("nylas-icloud-request-allday.ics");
    let list = obj
        .instances(
            ts(2015, 3, 1, 0, 0, 0),
            ts(2015, 4, 1, 0, 0, 0),
            &Limits::default(),
            None,
        )
        .unwrap();
    assert_eq!(list.len(), 1);
    assert!(list[0].all_day);
    assert_eq!(
        (list[0].start, list[0].end),
        (ts(2015, 3, 16, 0, 0, 0), ts(2015, 3, 17, 0, 0, 0))
    );
}

#[test]
fn icloud_historical_paris_zone_places_the_event_correctly() {
    let obj = itip("nylas-icloud-cancel.ics");
    let span = obj.span().unwrap();
    let list = obj
        .instances(span.start, span.end.unwrap() + 1, &Limits::default(), None)
        .unwrap();
    assert_eq!(list.len(), 1);
    // 04:30 CEST on 31 March 2015 is 02:30Z.
    assert_eq!(list[0].start, ts(2015, 3, 31, 2, 30, 0));
    assert_eq!(obj.summary(), Some("New Era"));
}
