//! iMIP invitations built from real and hand-written stored events, parsed back with
//! mail-parser and calcard: the MIME tree Google uses, headers, encodings, and the iTIP
//! object each recipient gets (RFC 5546 §3.2.2, §3.2.5; RFC 6047).

use calcard::Entry;
use calcard::icalendar::{
    ICalendar, ICalendarComponent, ICalendarComponentType, ICalendarParameterName, ICalendarProperty, ICalendarValue,
    Uri,
};
use calinvite_imip::imip::{BuildError, Invite, InviteInput, ListUnsubscribe, Mailbox, Method, build_invite};
use mail_parser::{Message, MessageParser, MimeHeaders, PartType};

const NY_SERIES: &[u8] = include_bytes!("fixtures/stored/invite-new-york-series-override.ics");
const ALL_DAY: &[u8] = include_bytes!("fixtures/stored/invite-allday.ics");
const GOOGLE_RECURRING: &[u8] = include_bytes!("fixtures/nylas-google-request-recurring.ics");
const EXCHANGE_TEAMS: &[u8] = include_bytes!("fixtures/calcard-exchange2010-teams-recurring-request-utf8.ics");

const ORGANIZER: &str = "events+tok123@invites.example.org";
const RECIPIENT: &str = "guest@example.net";
/// 2025-02-20T10:00:00Z
const NOW: i64 = 1_740_045_600;

fn input(event: &[u8]) -> InviteInput<'_> {
    InviteInput {
        event,
        method: Method::Request,
        sequence: 7,
        recurrence_id: None,
        organizer: Mailbox {
            email: ORGANIZER,
            name: Some("Team Calendar"),
        },
        recipient: Mailbox {
            email: RECIPIENT,
            name: Some("Gina Guest"),
        },
        dtstamp: NOW,
        message_id: "abc123@invites.example.org",
        date: NOW,
        subject: "Invitation: Weekly sync",
        text_body: "You are invited.\nReply with your calendar's buttons.\n",
        html_body: "<p>You are invited.</p>\n",
        list_unsubscribe: Some(ListUnsubscribe {
            https_url: "https://invites.example.org/u/tok123",
            mailto: Some("unsubscribe+tok123@invites.example.org"),
        }),
    }
}

fn build(input: &InviteInput<'_>) -> Invite {
    build_invite(input).expect("invite builds")
}

fn parse_mail(raw: &[u8]) -> Message<'static> {
    MessageParser::default()
        .parse(raw)
        .expect("parses as mail")
        .into_owned()
}

fn parse_ical(text: &str) -> ICalendar {
    match calcard::Parser::new(text).entry() {
        Entry::ICalendar(ical) => ical,
        other => panic!("not iCalendar: {other:?}"),
    }
}

fn unfold(text: &str) -> String {
    text.replace("\r\n ", "").replace("\r\n\t", "")
}

fn lines(text: &str) -> Vec<String> {
    unfold(text)
        .split("\r\n")
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

fn vevents(ical: &ICalendar) -> Vec<&ICalendarComponent> {
    ical.components
        .iter()
        .filter(|c| c.component_type == ICalendarComponentType::VEvent)
        .collect()
}

fn value_text(v: &ICalendarValue) -> String {
    match v {
        ICalendarValue::Uri(Uri::Location(s)) | ICalendarValue::Text(s) => s.clone(),
        other => format!("{other:?}"),
    }
}

fn prop_text(comp: &ICalendarComponent, prop: ICalendarProperty) -> Option<String> {
    comp.property(&prop).and_then(|e| e.values.first()).map(value_text)
}

/// `content-type` of every part, indented by depth.
fn mime_tree(msg: &Message<'_>) -> Vec<String> {
    fn walk(msg: &Message<'_>, id: u32, depth: usize, out: &mut Vec<String>) {
        let part = msg.part(id).unwrap();
        let ct = part.content_type().unwrap();
        out.push(format!(
            "{}{}/{}",
            " ".repeat(depth),
            ct.ctype().to_ascii_lowercase(),
            ct.subtype().unwrap_or_default().to_ascii_lowercase()
        ));
        if let PartType::Multipart(children) = &part.body {
            for child in children {
                walk(msg, *child, depth + 1, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(msg, 0, 0, &mut out);
    out
}

fn find_part<'a>(msg: &'a Message<'a>, ctype: &str) -> &'a mail_parser::MessagePart<'a> {
    msg.parts
        .iter()
        .find(|p| {
            p.content_type().is_some_and(|ct| {
                format!("{}/{}", ct.ctype(), ct.subtype().unwrap_or_default()).eq_ignore_ascii_case(ctype)
            })
        })
        .unwrap_or_else(|| panic!("no {ctype} part"))
}

fn raw_part_headers<'a>(raw: &'a str, marker: &str) -> &'a str {
    let start = raw.find(marker).unwrap_or_else(|| panic!("no {marker:?} in message"));
    let rest = &raw[start..];
    &rest[..rest.find("\r\n\r\n").unwrap()]
}

#[test]
fn request_uses_googles_mime_tree_with_matching_method_and_identical_calendar_parts() {
    let invite = build(&input(NY_SERIES));
    let msg = parse_mail(&invite.raw);
    assert_eq!(
        mime_tree(&msg),
        [
            "multipart/mixed",
            " multipart/alternative",
            "  text/plain",
            "  text/html",
            "  text/calendar",
            " application/ics",
        ]
    );
    let cal = find_part(&msg, "text/calendar");
    let ct = cal.content_type().unwrap();
    assert_eq!(ct.attribute("method"), Some("REQUEST"));
    assert_eq!(
        ct.attribute("charset").map(str::to_ascii_lowercase).as_deref(),
        Some("utf-8")
    );
    assert_eq!(cal.encoding, mail_parser::Encoding::Base64);
    assert_eq!(cal.contents(), invite.calendar.as_bytes());

    let ics = find_part(&msg, "application/ics");
    assert_eq!(ics.encoding, mail_parser::Encoding::Base64);
    assert_eq!(ics.contents(), invite.calendar.as_bytes());
    assert_eq!(ics.content_type().unwrap().attribute("name"), Some("invite.ics"));
    let disposition = ics.content_disposition().unwrap();
    assert!(disposition.is_attachment());
    assert_eq!(disposition.attribute("filename"), Some("invite.ics"));

    for ctype in ["text/plain", "text/html"] {
        let part = find_part(&msg, ctype);
        assert_eq!(part.encoding, mail_parser::Encoding::QuotedPrintable, "{ctype}");
        assert_eq!(
            part.content_type()
                .unwrap()
                .attribute("charset")
                .map(str::to_ascii_lowercase)
                .as_deref(),
            Some("utf-8")
        );
    }
    assert_eq!(
        msg.body_text(0).unwrap().replace("\r\n", "\n"),
        input(NY_SERIES).text_body
    );
    assert_eq!(
        msg.body_html(0).unwrap().replace("\r\n", "\n"),
        input(NY_SERIES).html_body
    );

    // The METHOD inside equals the parameter outside.
    assert!(lines(&invite.calendar).contains(&"METHOD:REQUEST".to_string()));
}

#[test]
fn headers_name_the_organizer_mailbox_the_recipient_and_the_message_id() {
    let invite = build(&input(NY_SERIES));
    let msg = parse_mail(&invite.raw);
    let from = msg.from().unwrap().first().unwrap();
    assert_eq!(from.address(), Some(ORGANIZER));
    assert_eq!(from.name(), Some("Team Calendar"));
    let to = msg.to().unwrap().first().unwrap();
    assert_eq!(to.address(), Some(RECIPIENT));
    assert_eq!(to.name(), Some("Gina Guest"));
    assert_eq!(msg.message_id(), Some("abc123@invites.example.org"));
    assert_eq!(msg.date().unwrap().to_timestamp(), NOW);
    assert_eq!(msg.subject(), Some("Invitation: Weekly sync"));
    let raw = String::from_utf8(invite.raw.clone()).unwrap();
    assert!(raw.contains("\r\nMIME-Version: 1.0\r\n"));
    assert!(raw.contains("\r\nMessage-ID: <abc123@invites.example.org>\r\n"));

    // From equals the ORGANIZER address inside the object.
    let ical = parse_ical(&invite.calendar);
    for event in vevents(&ical) {
        assert_eq!(
            prop_text(event, ICalendarProperty::Organizer).as_deref(),
            Some(format!("mailto:{ORGANIZER}").as_str())
        );
    }
}

#[test]
fn list_unsubscribe_offers_https_one_click_and_mailto() {
    let invite = build(&input(NY_SERIES));
    let raw = String::from_utf8(invite.raw).unwrap();
    let unfolded = raw.replace("\r\n ", " ");
    assert!(
        unfolded.contains(
            "\r\nList-Unsubscribe: <https://invites.example.org/u/tok123>, <mailto:unsubscribe+tok123@invites.example.org>\r\n"
        ),
        "{unfolded}"
    );
    assert!(raw.contains("\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"));

    let mut without = input(NY_SERIES);
    without.list_unsubscribe = None;
    let raw = String::from_utf8(build(&without).raw).unwrap();
    assert!(!raw.contains("List-Unsubscribe"));
}

#[test]
fn list_unsubscribe_without_https_is_refused() {
    let mut bad = input(NY_SERIES);
    bad.list_unsubscribe = Some(ListUnsubscribe {
        https_url: "http://invites.example.org/u/tok",
        mailto: None,
    });
    assert!(matches!(build_invite(&bad), Err(BuildError::InvalidHeader { .. })));
}

#[test]
fn subjects_in_any_script_round_trip_through_rfc_2047() {
    for subject in [
        "Einladung: 会議 @ 2025-03-03 09:00",
        "دعوة: اجتماع الفريق الأسبوعي",
        "Grüße aus Köln – Planung",
        "Party 🎉 time 🎉🎊 with a rather long subject line that must be folded somewhere along the way",
    ] {
        let mut i = input(NY_SERIES);
        i.subject = subject;
        let invite = build(&i);
        let raw = String::from_utf8(invite.raw.clone()).unwrap();
        assert!(raw.contains("Subject: =?"), "subject not encoded: {subject}");
        assert_eq!(parse_mail(&invite.raw).subject(), Some(subject));
    }
}

#[test]
fn display_names_in_any_script_round_trip() {
    let mut i = input(NY_SERIES);
    i.organizer.name = Some("Équipe 会議 \"Calendar\"");
    i.recipient.name = Some("اجتماع Grüße 🎉");
    let invite = build(&i);
    let msg = parse_mail(&invite.raw);
    assert_eq!(
        msg.from().unwrap().first().unwrap().name(),
        Some("Équipe 会議 \"Calendar\"")
    );
    assert_eq!(msg.to().unwrap().first().unwrap().name(), Some("اجتماع Grüße 🎉"));
    // A quote cannot live in a CN parameter; it is replaced, not passed through.
    let cal = lines(&invite.calendar);
    assert!(
        cal.iter()
            .any(|l| l.starts_with("ORGANIZER;CN=\"Équipe 会議 'Calendar'\":mailto:")),
        "{cal:?}"
    );
}

#[test]
fn raw_message_is_seven_bit_ascii_with_crlf_only() {
    let mut i = input(NY_SERIES);
    i.subject = "会議 🎉";
    i.text_body = "Grüße\nاجتماع\r\n会議 🎉 trailing space \n.leading dot\n";
    i.html_body = "<p>Grüße 会議 🎉</p>\n";
    let raw = build(&i).raw;
    assert!(raw.iter().all(|b| b.is_ascii()), "8-bit byte in message");
    for (pos, b) in raw.iter().enumerate() {
        if *b == b'\n' {
            assert_eq!(raw.get(pos.wrapping_sub(1)), Some(&b'\r'), "bare LF at {pos}");
        }
        if *b == b'\r' {
            assert_eq!(raw.get(pos + 1), Some(&b'\n'), "bare CR at {pos}");
        }
    }
    let text = String::from_utf8(raw.clone()).unwrap();
    for line in text.split("\r\n") {
        assert!(line.len() <= 998, "line over RFC 5322 limit");
        assert!(
            line.len() <= 78 || line.starts_with("Content-Type"),
            "long line: {line}"
        );
    }
    let msg = parse_mail(&raw);
    assert_eq!(
        msg.body_text(0).unwrap().replace("\r\n", "\n"),
        i.text_body.replace("\r\n", "\n")
    );
}

#[test]
fn the_calendar_names_only_the_recipient_as_attendee_with_rsvp() {
    let invite = build(&input(NY_SERIES));
    let ical = parse_ical(&invite.calendar);
    let events = vevents(&ical);
    assert_eq!(events.len(), 2);
    for event in events {
        let attendees: Vec<_> = event.properties(&ICalendarProperty::Attendee).collect();
        assert_eq!(attendees.len(), 1);
        assert_eq!(value_text(&attendees[0].values[0]), format!("mailto:{RECIPIENT}"));
    }
    let attendee_lines: Vec<String> = lines(&invite.calendar)
        .into_iter()
        .filter(|l| l.starts_with("ATTENDEE"))
        .collect();
    assert_eq!(
        attendee_lines,
        vec![
            format!(
                "ATTENDEE;CN=\"Gina Guest\";ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:{RECIPIENT}"
            );
            2
        ]
    );
}

#[test]
fn the_organizer_is_the_server_mailbox_without_sent_by() {
    let invite = build(&input(NY_SERIES));
    let organizer_lines: Vec<String> = lines(&invite.calendar)
        .into_iter()
        .filter(|l| l.starts_with("ORGANIZER"))
        .collect();
    assert_eq!(
        organizer_lines,
        vec![format!("ORGANIZER;CN=\"Team Calendar\":mailto:{ORGANIZER}"); 2]
    );
    assert!(!invite.calendar.contains("SENT-BY"));
    assert!(!invite.calendar.contains("alice@corp.example"));
}

#[test]
fn sequence_and_dtstamp_are_the_servers_and_the_outlook_sequence_follows() {
    let invite = build(&input(NY_SERIES));
    let ical = parse_ical(&invite.calendar);
    for event in vevents(&ical) {
        let seqs: Vec<_> = event.properties(&ICalendarProperty::Sequence).collect();
        assert_eq!(seqs.len(), 1);
        assert_eq!(seqs[0].values[0], ICalendarValue::Integer(7));
        assert_eq!(event.properties(&ICalendarProperty::Dtstamp).count(), 1);
        assert_eq!(
            prop_text(event, ICalendarProperty::Uid).as_deref(),
            Some("series-7f3a@calinvite.test")
        );
        assert!(event.has_property(&ICalendarProperty::Dtstart));
        assert!(event.has_property(&ICalendarProperty::Dtend));
    }
    let text = lines(&invite.calendar);
    assert_eq!(text.iter().filter(|l| *l == "DTSTAMP:20250220T100000Z").count(), 2);
    assert!(text.contains(&"X-MICROSOFT-CDO-APPT-SEQUENCE:7".to_string()));
    assert!(
        !text
            .iter()
            .any(|l| l == "SEQUENCE:3" || l == "X-MICROSOFT-CDO-APPT-SEQUENCE:3")
    );
}

#[test]
fn alarms_are_removed_and_other_guests_appear_nowhere_in_the_message() {
    let invite = build(&input(NY_SERIES));
    assert!(!invite.calendar.contains("VALARM"));
    assert!(!invite.calendar.contains("Reminder for alice"));
    let raw = String::from_utf8(invite.raw).unwrap();
    let cal = invite.calendar;
    for secret in [
        "bob.secret@guests.example",
        "carol.hidden@guests.example",
        "alice@corp.example",
        "assistant@corp.example",
    ] {
        assert!(!raw.contains(secret), "{secret} in raw message");
        assert!(!cal.contains(secret), "{secret} in calendar");
    }
    // The organizer's private calendar name is not the guest's business either.
    assert!(!cal.contains("X-WR-CALNAME"));
}

#[test]
fn only_referenced_vtimezones_are_sent() {
    let invite = build(&input(NY_SERIES));
    let ical = parse_ical(&invite.calendar);
    let tzids: Vec<String> = ical
        .components
        .iter()
        .filter(|c| c.component_type == ICalendarComponentType::VTimezone)
        .filter_map(|c| prop_text(c, ICalendarProperty::Tzid))
        .collect();
    assert_eq!(tzids, ["America/New_York"]);
    assert!(invite.calendar.contains("BEGIN:DAYLIGHT") && invite.calendar.contains("TZOFFSETTO:-0400"));
}

#[test]
fn a_series_request_carries_master_and_override_with_their_other_properties() {
    let invite = build(&input(NY_SERIES));
    let text = lines(&invite.calendar);
    for expected in [
        "PRODID:-//calinvite//calinvite//EN",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        "RRULE:FREQ=WEEKLY;COUNT=10;BYDAY=MO",
        "EXDATE;TZID=America/New_York:20250317T090000",
        "DTSTART;TZID=America/New_York:20250303T090000",
        "RECURRENCE-ID;TZID=America/New_York:20250310T090000",
        "DTSTART;TZID=America/New_York:20250310T140000",
        "URL:https://example.org/meetings/weekly",
        "X-GOOGLE-CONFERENCE:https://meet.example.org/abc-defg-hij",
        "LOCATION:Room 4\\, Building B",
        "SUMMARY:Weekly sync (moved to the afternoon)",
    ] {
        assert!(text.iter().any(|l| l == expected), "missing {expected}");
    }
    assert!(
        text.iter()
            .any(|l| l.starts_with("CONFERENCE;") && l.ends_with(":https://meet.example.org/abc-defg-hij"))
    );
    assert!(!text.iter().any(|l| l.starts_with("STATUS:CANCELLED")));
    assert_eq!(text.iter().filter(|l| l.starts_with("METHOD:")).count(), 1);
}

#[test]
fn a_single_occurrence_made_from_the_master_has_its_own_times_and_no_rule() {
    let mut i = input(NY_SERIES);
    i.recurrence_id = Some("20250324T090000");
    let invite = build(&i);
    let ical = parse_ical(&invite.calendar);
    let events = vevents(&ical);
    assert_eq!(events.len(), 1);
    let text = lines(&invite.calendar);
    for expected in [
        "DTSTART;TZID=America/New_York:20250324T090000",
        "DTEND;TZID=America/New_York:20250324T100000",
        "RECURRENCE-ID;TZID=America/New_York:20250324T090000",
        "X-MICROSOFT-CDO-APPT-SEQUENCE:7",
    ] {
        assert!(text.iter().any(|l| l == expected), "missing {expected}: {text:#?}");
    }
    for gone in [
        ICalendarProperty::Rrule,
        ICalendarProperty::Exdate,
        ICalendarProperty::Rdate,
    ] {
        assert!(!events[0].has_property(&gone), "{gone:?} still there");
    }
    assert_eq!(events[0].properties(&ICalendarProperty::Attendee).count(), 1);
    assert!(events[0].has_property(&ICalendarProperty::Summary));
}

#[test]
fn a_single_occurrence_given_in_utc_finds_the_zoned_override() {
    let mut i = input(NY_SERIES);
    // 09:00 EDT on 2025-03-10 is 13:00 UTC.
    i.recurrence_id = Some("20250310T130000Z");
    let invite = build(&i);
    let ical = parse_ical(&invite.calendar);
    let events = vevents(&ical);
    assert_eq!(events.len(), 1);
    assert_eq!(
        prop_text(events[0], ICalendarProperty::Summary).as_deref(),
        Some("Weekly sync (moved to the afternoon)")
    );
    let text = lines(&invite.calendar);
    assert!(text.contains(&"RECURRENCE-ID;TZID=America/New_York:20250310T090000".to_string()));
    assert!(text.contains(&"DTEND;TZID=America/New_York:20250310T153000".to_string()));
}

#[test]
fn a_cancelled_occurrence_has_status_cancelled_and_method_cancel_in_both_places() {
    let mut i = input(NY_SERIES);
    i.method = Method::Cancel;
    i.recurrence_id = Some("20250331T090000");
    let invite = build(&i);
    let msg = parse_mail(&invite.raw);
    assert_eq!(
        find_part(&msg, "text/calendar")
            .content_type()
            .unwrap()
            .attribute("method"),
        Some("CANCEL")
    );
    let raw = String::from_utf8(invite.raw.clone()).unwrap();
    assert!(raw_part_headers(&raw, "Content-Type: text/calendar").contains("method=CANCEL"));
    let text = lines(&invite.calendar);
    assert!(text.contains(&"METHOD:CANCEL".to_string()));
    assert!(text.contains(&"STATUS:CANCELLED".to_string()));
    assert!(text.contains(&"RECURRENCE-ID;TZID=America/New_York:20250331T090000".to_string()));
    assert!(text.contains(&"DTSTART;TZID=America/New_York:20250331T090000".to_string()));
    assert!(text.contains(&"DTEND;TZID=America/New_York:20250331T100000".to_string()));
    assert_eq!(vevents(&parse_ical(&invite.calendar)).len(), 1);
    let attendee = text.iter().find(|l| l.starts_with("ATTENDEE")).unwrap();
    assert!(attendee.ends_with(&format!(":mailto:{RECIPIENT}")));
    assert!(!attendee.contains("RSVP=TRUE"));
}

#[test]
fn a_cancel_for_an_occurrence_already_excluded_still_names_it() {
    let mut i = input(NY_SERIES);
    i.method = Method::Cancel;
    i.recurrence_id = Some("20250317T090000");
    let invite = build(&i);
    let text = lines(&invite.calendar);
    assert!(text.contains(&"RECURRENCE-ID;TZID=America/New_York:20250317T090000".to_string()));
    assert!(text.contains(&"DTEND;TZID=America/New_York:20250317T100000".to_string()));

    // A REQUEST for it is a mistake: that occurrence does not exist any more.
    i.method = Method::Request;
    assert!(matches!(build_invite(&i), Err(BuildError::NoSuchOccurrence { .. })));
}

#[test]
fn an_occurrence_the_series_does_not_have_is_refused() {
    let mut i = input(NY_SERIES);
    i.recurrence_id = Some("20250318T090000");
    assert!(matches!(build_invite(&i), Err(BuildError::NoSuchOccurrence { .. })));
    i.recurrence_id = Some("next tuesday");
    assert!(matches!(build_invite(&i), Err(BuildError::InvalidRecurrenceId(_))));
}

#[test]
fn a_series_cancel_keeps_dtstart_and_dtend_in_every_vevent() {
    let mut i = input(NY_SERIES);
    i.method = Method::Cancel;
    let invite = build(&i);
    let ical = parse_ical(&invite.calendar);
    let events = vevents(&ical);
    assert_eq!(events.len(), 2);
    for event in events {
        assert!(event.has_property(&ICalendarProperty::Dtstart));
        assert!(event.has_property(&ICalendarProperty::Dtend));
        assert_eq!(event.properties(&ICalendarProperty::Status).count(), 1);
    }
    assert_eq!(
        lines(&invite.calendar)
            .iter()
            .filter(|l| *l == "STATUS:CANCELLED")
            .count(),
        2
    );
}

#[test]
fn an_all_day_event_keeps_its_dates_and_loses_its_alarm() {
    let invite = build(&input(ALL_DAY));
    let text = lines(&invite.calendar);
    assert!(text.contains(&"DTSTART;VALUE=DATE:20250704".to_string()));
    assert!(text.contains(&"DTEND;VALUE=DATE:20250706".to_string()));
    assert!(!invite.calendar.contains("VALARM") && !invite.calendar.contains("Pack your bags"));
    assert!(!invite.calendar.contains("VTIMEZONE"));
    assert!(
        !String::from_utf8(invite.raw)
            .unwrap()
            .contains("dave.private@guests.example")
    );
}

#[test]
fn an_event_without_end_gets_an_explicit_one() {
    let timed = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:u1\r\nDTSTAMP:20250101T000000Z\r\nDTSTART:20250301T100000Z\r\nSUMMARY:Call\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let text = lines(&build(&input(timed.as_bytes())).calendar);
    assert!(text.contains(&"DTEND:20250301T100000Z".to_string()), "{text:?}");
    let day = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:u2\r\nDTSTAMP:20250101T000000Z\r\nDTSTART;VALUE=DATE:20250228\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let text = lines(&build(&input(day.as_bytes())).calendar);
    assert!(text.contains(&"DTEND;VALUE=DATE:20250301".to_string()), "{text:?}");
}

#[test]
fn long_multilingual_text_folds_at_75_octets_without_splitting_utf8() {
    let invite = build(&input(NY_SERIES));
    for line in invite.calendar.split("\r\n") {
        assert!(line.len() <= 75, "{} octets: {line}", line.len());
    }
    // Every physical line is valid UTF-8 on its own: no sequence was split.
    for line in invite.calendar.as_bytes().split(|b| *b == b'\n') {
        assert!(std::str::from_utf8(line).is_ok(), "split UTF-8 sequence in {line:?}");
    }
    assert!(!invite.calendar.replace("\r\n", "").contains('\n'), "bare LF");
    let original = parse_ical(std::str::from_utf8(NY_SERIES).unwrap());
    let sent = parse_ical(&invite.calendar);
    let description = |ical: &ICalendar| prop_text(vevents(ical)[0], ICalendarProperty::Description).unwrap();
    assert_eq!(description(&sent), description(&original));
    assert!(
        description(&sent).contains("次の四半期")
            && description(&sent).contains("الميزانية")
            && description(&sent).contains("🥳")
    );
}

#[test]
fn text_escaping_survives_the_round_trip() {
    let invite = build(&input(NY_SERIES));
    assert!(
        lines(&invite.calendar).contains(&"SUMMARY:Weekly sync\\, planning\\; review \\\\ 会議 اجتماع 🎉".to_string())
    );
    let sent = parse_ical(&invite.calendar);
    assert_eq!(
        prop_text(vevents(&sent)[0], ICalendarProperty::Summary).as_deref(),
        Some("Weekly sync, planning; review \\ 会議 اجتماع 🎉")
    );
}

#[test]
fn a_google_request_with_method_is_accepted_and_rewritten_for_one_guest() {
    let invite = build(&input(GOOGLE_RECURRING));
    let text = lines(&invite.calendar);
    assert_eq!(text.iter().filter(|l| l.starts_with("METHOD:")).count(), 1);
    assert!(text.contains(&"DTSTART;TZID=America/Los_Angeles:20150112T133000".to_string()));
    assert!(text.contains(&"RRULE:FREQ=WEEKLY;WKST=SU".to_string()));
    assert!(text.contains(&"UID:flg2h6nam1cb1uqetgfkslrfrc@google.com".to_string()));
    assert!(text.iter().any(|l| l == "BEGIN:VTIMEZONE"));
    let raw = String::from_utf8(invite.raw).unwrap();
    for n in [
        "foobar@nilas.com",
        "foobar2@nilas.com",
        "foobar3@nilas.com",
        "foobar4@nilas.com",
        "foobar5@nilas.com",
    ] {
        assert!(!raw.contains(n) && !invite.calendar.contains(n), "{n} leaked");
    }
    let ical = parse_ical(&invite.calendar);
    assert_eq!(vevents(&ical)[0].properties(&ICalendarProperty::Attendee).count(), 1);
}

#[test]
fn an_exchange_teams_series_keeps_its_windows_zone_and_teams_properties() {
    let invite = build(&input(EXCHANGE_TEAMS));
    let text = lines(&invite.calendar);
    assert!(text.contains(&"BEGIN:VTIMEZONE".to_string()));
    assert!(text.contains(&"TZID:W. Europe Standard Time".to_string()));
    assert!(
        text.contains(&"DTSTART;TZID=\"W. Europe Standard Time\":20201124T110000".to_string()),
        "{text:#?}"
    );
    assert!(
        text.iter()
            .any(|l| l.starts_with("X-MICROSOFT-SKYPETEAMSMEETINGURL:https://teams.microsoft.com/"))
    );
    assert!(text.contains(&"X-MICROSOFT-CDO-APPT-SEQUENCE:7".to_string()));
    assert!(text.contains(&"SUMMARY: Testmeeting ➡ ignore it!".to_string()));
    assert!(!invite.calendar.contains("VALARM"));
    assert!(
        !String::from_utf8(invite.raw)
            .unwrap()
            .contains("Testmeeting.channel@email365.onmicrosoft.com")
    );

    let mut one = input(EXCHANGE_TEAMS);
    one.recurrence_id = Some("20201126T100000Z");
    let text = lines(&build(&one).calendar);
    assert!(
        text.contains(&"RECURRENCE-ID;TZID=\"W. Europe Standard Time\":20201126T110000".to_string()),
        "{text:#?}"
    );
    assert!(!text.iter().any(|l| l.starts_with("X-MICROSOFT-CDO-INSTTYPE")));
}

#[test]
fn an_event_without_dtstart_is_refused() {
    let event = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:nostart\r\nDTSTAMP:20250101T000000Z\r\nSUMMARY:When?\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    assert!(matches!(
        build_invite(&input(event.as_bytes())),
        Err(BuildError::MissingDtstart { uid }) if uid == "nostart"
    ));
}

#[test]
fn a_task_or_garbage_is_refused() {
    let todo = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VTODO\r\nUID:t\r\nDTSTAMP:20250101T000000Z\r\nEND:VTODO\r\nEND:VCALENDAR\r\n";
    assert!(matches!(
        build_invite(&input(todo.as_bytes())),
        Err(BuildError::NotAnEvent("VTODO"))
    ));
    assert!(matches!(
        build_invite(&input(b"hello")),
        Err(BuildError::InvalidEvent(_))
    ));
}

#[test]
fn addresses_and_ids_that_could_inject_headers_are_refused() {
    let mut i = input(NY_SERIES);
    i.recipient.email = "guest@example.net\r\nBcc: everyone@example.net";
    assert!(matches!(
        build_invite(&i),
        Err(BuildError::InvalidAddress { field: "recipient", .. })
    ));
    let mut i = input(NY_SERIES);
    i.organizer.email = "not-an-address";
    assert!(matches!(
        build_invite(&i),
        Err(BuildError::InvalidAddress { field: "organizer", .. })
    ));
    let mut i = input(NY_SERIES);
    i.message_id = "<abc@x>";
    assert!(matches!(build_invite(&i), Err(BuildError::InvalidHeader { .. })));
    // A newline in a display name or subject stays inside the header.
    let mut i = input(NY_SERIES);
    i.recipient.name = Some("Gina\r\nBcc: x@y");
    i.subject = "Hi\r\nBcc: x@y";
    let raw = String::from_utf8(build(&i).raw).unwrap();
    assert!(!raw.contains("\r\nBcc:"));
}

#[test]
fn the_same_input_gives_the_same_bytes() {
    assert_eq!(build(&input(NY_SERIES)), build(&input(NY_SERIES)));
    let mut other = input(NY_SERIES);
    other.message_id = "other@invites.example.org";
    assert_ne!(build(&input(NY_SERIES)).raw, build(&other).raw);
}

#[test]
fn the_tzid_parameter_of_every_sent_value_has_its_vtimezone_or_is_left_as_is() {
    // A TZID without VTIMEZONE is passed through (clients know IANA names); nothing is
    // invented.
    let event = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:z\r\nDTSTAMP:20250101T000000Z\r\nDTSTART;TZID=Asia/Tokyo:20250301T100000\r\nDTEND;TZID=Asia/Tokyo:20250301T110000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let invite = build(&input(event.as_bytes()));
    assert!(!invite.calendar.contains("BEGIN:VTIMEZONE"));
    assert!(lines(&invite.calendar).contains(&"DTSTART;TZID=Asia/Tokyo:20250301T100000".to_string()));
    let params: Vec<_> = vevents(&parse_ical(&invite.calendar))[0]
        .property(&ICalendarProperty::Dtstart)
        .unwrap()
        .params
        .iter()
        .map(|p| p.name.clone())
        .collect();
    assert_eq!(params, [ICalendarParameterName::Tzid]);
}
