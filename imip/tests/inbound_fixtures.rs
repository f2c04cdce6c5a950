//! Every real message in `tests/fixtures/mail` (see SOURCES.md there) goes through the
//! inbound pipeline with an expected outcome written by reading the file, plus synthetic
//! messages for the MIME shapes no fixture covers (IMIP-INTEROP §1 rule 6, §3).

use calinvite_imip::inbound::{CalendarSource, Itip, ItipPart, Payload, interpret, parse_message};
use std::path::PathBuf;

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/mail")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[derive(Debug)]
enum Expect {
    Request {
        uid: &'static str,
        sequence: u32,
        rid: bool,
        master: bool,
        copies: usize,
    },
    Cancel {
        uid: &'static str,
        sequence: u32,
        rid: bool,
    },
    Reply {
        uid: &'static str,
        attendee: &'static str,
        partstat: &'static str,
        organizer: Option<&'static str>,
        copies: usize,
    },
    /// Payload::None whose reason starts with this.
    NotItip(&'static str),
    Dsn,
}

use Expect::*;

const fn req(uid: &'static str, sequence: u32) -> Expect {
    Request {
        uid,
        sequence,
        rid: false,
        master: true,
        copies: 1,
    }
}

const fn reply(
    uid: &'static str,
    attendee: &'static str,
    partstat: &'static str,
    organizer: Option<&'static str>,
) -> Expect {
    Reply {
        uid,
        attendee,
        partstat,
        organizer,
        copies: 1,
    }
}

const TABLE: &[(&str, Expect)] = &[
    (
        "calcard-exchange2010-teams-recurring-request-utf8.ics",
        req("040000C08200E00074C5B7101A89E008", 0),
    ),
    (
        "calcard-notes-request-override-recurid-utc.ics",
        Request {
            uid: "6BA1ECA4D58B306C85256FDB0071B664-Lotus_Notes_Generated",
            sequence: 1,
            rid: true,
            master: false,
            copies: 1,
        },
    ),
    (
        "nylas-exchange2010-request-fr-seq4.ics",
        req("040000008200E00074C5B7101A82E008000000005853D6D9", 4),
    ),
    (
        "nylas-exchange2010-request-romance-tz.ics",
        req("040000008200E00074C5B7101A82E00800000000F9125A30", 0),
    ),
    (
        "nylas-google-cancel.ics",
        Cancel {
            uid: "c74p2nmutcd0kt69ku7rs8vu2g@google.com",
            sequence: 1,
            rid: false,
        },
    ),
    (
        "nylas-google-reply-accepted.ics",
        reply(
            "cccc@nylas.com",
            "karim@example.com",
            "ACCEPTED",
            Some("test2@example.com"),
        ),
    ),
    (
        "nylas-google-reply-declined.ics",
        reply(
            "cccc@nylas.com",
            "karim@example.com",
            "DECLINED",
            Some("test2@example.com"),
        ),
    ),
    (
        "nylas-google-reply-tentative.ics",
        reply(
            "cccc@nylas.com",
            "test1@example.com",
            "TENTATIVE",
            Some("test2@example.com"),
        ),
    ),
    (
        "nylas-google-request-recurring.ics",
        req("flg2h6nam1cb1uqetgfkslrfrc@google.com", 0),
    ),
    (
        "nylas-icloud-cancel.ics",
        Cancel {
            uid: "5919D444-7C99-4687-A526-FC5D10091318",
            sequence: 1,
            rid: false,
        },
    ),
    (
        "nylas-icloud-request-allday.ics",
        req("8153F823-B9F1-4BE0-ADFB-5FEEB01C08A9", 0),
    ),
    // Exchange CDO fragment without a UID: tolerated, the UID is empty.
    ("pyicalendar-exchange-cdo-request-odd-tzid.ics", req("", 0)),
    (
        "pyicalendar-exchange2010-request-pacific-tz.ics",
        req("040000008200E00074C5B7101A82E0080000000090E19664858ED2", 0),
    ),
    (
        "tine20-apple-ical5-reply-accepted.ics",
        reply(
            "a8d10369e051094ae9322bd65e8afecac010bfc8",
            "mail@corneliusweiss.de",
            "ACCEPTED",
            Some("unittest@tine20.org"),
        ),
    ),
    (
        "tine20-exchange2010-request-single-occurrence.ics",
        Request {
            uid: "040000008200E00074C5B7101A82E0080000000060C9996DFC1BD3",
            sequence: 68,
            rid: true,
            master: false,
            copies: 1,
        },
    ),
    // Google's ORGANIZER value has no mailto: scheme.
    (
        "tine20-google-reply-accepted.ics",
        reply(
            "62050f080e53ca8e00353ff0a89c6c6aa4af3dec",
            "mail@corneliusweiss.de",
            "ACCEPTED",
            Some("unittest@tine20.org"),
        ),
    ),
    (
        "tine20-notes852-request.ics",
        req("A5C4058C8C5926C8C12579B100622D66-Lotus_Notes_Generated", 0),
    ),
    (
        "tine20-outlook2010-request-reschedule.ics",
        req("040000008200E00074C5B7101A82E00800000000B02E5C95A5F1D2", 4),
    ),
    (
        "tine20-outlook2010-request.ics",
        req("040000008200E00074C5B7101A82E00800000000B02E5C95A5F1D2", 1),
    ),
    // .eml: Apple's text/calendar attachment has no method= parameter.
    (
        "ccs-applemail-ical3-reply-accepted.eml",
        reply(
            "1E71F9C8-AEDA-48EB-98D0-76E898F6BB5C",
            "xyzzy@example.com",
            "ACCEPTED",
            Some("ical-living-on+d7cdf68d-8b73-4df1-ad3b-f08002fb285f@example.com"),
        ),
    ),
    ("ccs-dsn-bounce-of-request.eml", Dsn),
    (
        "nextcloud-mail-gmail-request-2025.eml",
        req("69d4c40b4a274636bf23517938df9673@example.org", 0),
    ),
    (
        "nextcloud-mail-outlookcom-request-2025.eml",
        req("1F0BD3F6FEFC421AAA5BE992D6992B6A", 0),
    ),
    // Google: inline text/calendar + application/ics attachment, counted once.
    (
        "thunderbird-gmail-meet-request.eml",
        Request {
            uid: "65m17hsdolmotv3kvmrtg40ont@google.com",
            sequence: 0,
            rid: false,
            master: true,
            copies: 2,
        },
    ),
    (
        "thunderbird-gmailstyle-cancel-series.eml",
        Cancel {
            uid: "02e79b96",
            sequence: 1,
            rid: false,
        },
    ),
    (
        "thunderbird-gmailstyle-request-override-recurid.eml",
        Request {
            uid: "02e79b96",
            sequence: 2,
            rid: true,
            master: false,
            copies: 1,
        },
    ),
    ("thunderbird-gmailstyle-request-recurring.eml", req("02e79b96", 0)),
    // Lotus Notes: method="REQUEST" on the part but no METHOD in the object (both copies).
    ("thunderbird-notes-request-related.eml", NotItip("not iTIP")),
    (
        "thunderbird-o365-request-fle-tz.eml",
        req("030000008200E00074C5B7101A82E008", 0),
    ),
    (
        "thunderbird-o365-teams-request.eml",
        req("056000008200E00074C5B7101A82E008", 0),
    ),
    (
        "thunderbird-synthetic-cancel-single.eml",
        Cancel {
            uid: "02e79b96",
            sequence: 1,
            rid: false,
        },
    ),
    ("thunderbird-synthetic-request-single.eml", req("02e79b96", 0)),
    ("thunderbird-synthetic-request-update-seq2.eml", req("02e79b96", 2)),
    (
        "tine20-applemail-ical5-request.eml",
        req("48560E48-9DE3-41F1-8F03-7607C67F7A8F", 3),
    ),
    (
        "tine20-exchange-cdo-request-content-class.eml",
        req("040000008200E00074C5B7101A82E00800000000F04200929A03CD01", 0),
    ),
    (
        "tine20-exchange2007-request-weurope-tz-de.eml",
        req("040000008200E00074C5B7101A82E0080000000010B88C8F0FC4CD01", 0),
    ),
    (
        "tine20-ios-request-nonascii.eml",
        req("cb2e1063da91d655e82f5287cbedb58e9676189d", 0),
    ),
    (
        "tine20-lightning-reply-accepted.eml",
        Reply {
            uid: "4f0162146d61cb2c06cbe2abf94636f4526abe16",
            attendee: "tine20admin@caldav.net",
            partstat: "ACCEPTED",
            organizer: Some("l.kneschke@caldav.org"),
            copies: 2,
        },
    ),
    (
        "tine20-lightning-reply-declined.eml",
        Reply {
            uid: "4f0162146d61cb2c06cbe2abf94636f4526abe16",
            attendee: "tine20admin@caldav.net",
            partstat: "DECLINED",
            organizer: Some("l.kneschke@caldav.org"),
            copies: 2,
        },
    ),
    (
        "tine20-o365-teams-request-greenwich-tz.eml",
        req("040000008200E00074C5B7101A82E00800000000FC4C0D8742A6D801", 0),
    ),
    // Zoom .ics: no METHOD at all.
    ("tine20-zoom-request-no-method-param.eml", NotItip("not iTIP")),
];

fn bare_part(bytes: &[u8]) -> ItipPart {
    let calendar = String::from_utf8(bytes.to_vec()).expect("fixture is UTF-8");
    let method = calendar
        .lines()
        .find_map(|l| l.strip_prefix("METHOD:"))
        .expect("fixture has METHOD")
        .trim()
        .to_string();
    ItipPart {
        method,
        calendar,
        source: CalendarSource::Attachment,
        copies: 1,
    }
}

fn check(name: &str, expect: &Expect) {
    let bytes = fixture(name);
    let part = if name.ends_with(".ics") {
        bare_part(&bytes)
    } else {
        let inbound = parse_message(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        match (&inbound.payload, expect) {
            (Payload::Itip(part), _) => part.clone(),
            (Payload::None { reason }, NotItip(prefix)) => {
                assert!(reason.starts_with(prefix), "{name}: reason {reason:?}");
                return;
            }
            (Payload::DeliveryStatus(_), Dsn) => return,
            (other, _) => panic!("{name}: expected {expect:?}, got {other:?}"),
        }
    };
    let copies = part.copies;
    let itip = interpret(&part).unwrap_or_else(|e| panic!("{name}: {e}"));
    match (expect, itip) {
        (
            Request {
                uid,
                sequence,
                rid,
                master,
                copies: want_copies,
            },
            Itip::Request(f),
        ) => {
            assert!(f.uid.starts_with(uid), "{name}: uid {}", f.uid);
            assert_eq!(f.sequence, *sequence, "{name}: sequence");
            assert_eq!(!f.recurrence_ids.is_empty(), *rid, "{name}: recurrence-id");
            assert_eq!(f.has_master, *master, "{name}: master");
            assert_eq!(copies, *want_copies, "{name}: copies");
            assert!(!f.calendar.contains("METHOD:"), "{name}: METHOD removed");
        }
        (Cancel { uid, sequence, rid }, Itip::Cancel(f)) => {
            assert!(f.uid.starts_with(uid), "{name}: uid {}", f.uid);
            assert_eq!(f.sequence, *sequence, "{name}: sequence");
            assert_eq!(!f.recurrence_ids.is_empty(), *rid, "{name}: recurrence-id");
        }
        (
            Reply {
                uid,
                attendee,
                partstat,
                organizer,
                copies: want_copies,
            },
            Itip::Reply(f),
        ) => {
            assert!(f.uid.starts_with(uid), "{name}: uid {}", f.uid);
            assert_eq!(f.attendee, *attendee, "{name}: attendee");
            assert_eq!(f.partstat, *partstat, "{name}: partstat");
            assert_eq!(f.organizer.as_deref(), *organizer, "{name}: organizer");
            assert_eq!(f.recurrence_id, None, "{name}: recurrence-id");
            assert!(f.dtstamp.is_some(), "{name}: dtstamp");
            assert_eq!(copies, *want_copies, "{name}: copies");
        }
        (expect, got) => panic!("{name}: expected {expect:?}, got {got:?}"),
    }
}

#[test]
fn every_fixture_gives_its_expected_outcome() {
    let mut on_disk: Vec<String> =
        std::fs::read_dir(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mail"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.ends_with(".eml") || n.ends_with(".ics"))
            .collect();
    on_disk.sort();
    let mut listed: Vec<String> = TABLE.iter().map(|(n, _)| n.to_string()).collect();
    listed.sort();
    assert_eq!(on_disk, listed, "every fixture has exactly one expectation");
    assert_eq!(listed.len(), 41);
    for (name, expect) in TABLE {
        check(name, expect);
    }
}

#[test]
fn a_gmail_invite_reports_headers_and_prefers_the_inline_part() {
    let inbound = parse_message(&fixture("thunderbird-gmail-meet-request.eml")).unwrap();
    assert_eq!(
        inbound.message_id.as_deref(),
        Some("0000000000008c6d7005be1c767c@google.com")
    );
    assert_eq!(
        inbound.from.as_ref().map(|m| m.email.as_str()),
        Some("example@gmail.com")
    );
    let Payload::Itip(part) = inbound.payload else { panic!() };
    assert_eq!(part.method, "REQUEST");
    assert_eq!(part.source, CalendarSource::InlinePart);
    assert_eq!(part.copies, 2);
}

#[test]
fn outlook_requests_list_their_windows_tzids() {
    let inbound = parse_message(&fixture("thunderbird-o365-request-fle-tz.eml")).unwrap();
    let Payload::Itip(part) = inbound.payload else { panic!() };
    let Itip::Request(f) = interpret(&part).unwrap() else {
        panic!()
    };
    assert_eq!(f.windows_tzids, vec!["FLE Standard Time".to_string()]);
    assert_eq!(f.organizer.as_deref(), Some("marge@example.org"));
    assert_eq!(f.attendee_count, 1);
}

#[test]
fn an_override_recurrence_id_in_utc_is_an_instant() {
    let inbound = parse_message(&fixture("thunderbird-gmailstyle-request-override-recurid.eml")).unwrap();
    let Payload::Itip(part) = inbound.payload else { panic!() };
    let Itip::Request(f) = interpret(&part).unwrap() else {
        panic!()
    };
    // RECURRENCE-ID:20220317T110000Z
    assert_eq!(f.recurrence_ids, vec![1_647_514_800]);
}

#[test]
fn an_ios_invite_with_an_encoded_subject_is_decoded() {
    let inbound = parse_message(&fixture("tine20-ios-request-nonascii.eml")).unwrap();
    assert!(inbound.subject.is_some_and(|s| !s.contains("=?")));
    let Payload::Itip(part) = inbound.payload else { panic!() };
    let Itip::Request(f) = interpret(&part).unwrap() else {
        panic!()
    };
    assert_eq!(f.organizer.as_deref(), Some("unittest@tine20.org"));
}

#[test]
fn the_notes_invite_without_method_records_the_part_parameter() {
    let inbound = parse_message(&fixture("thunderbird-notes-request-related.eml")).unwrap();
    let Payload::None { reason } = inbound.payload else {
        panic!()
    };
    assert!(reason.contains("method=REQUEST"), "{reason}");
}

// ---- Synthetic messages ----

const OBJECT_REQUEST: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:synthetic-1@example.org\r\nDTSTAMP:20260101T100000Z\r\nDTSTART:20260110T100000Z\r\nDTEND:20260110T110000Z\r\nSEQUENCE:3\r\nSUMMARY:Planning\r\nORGANIZER:mailto:Org@Example.org\r\nATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:guest@example.net\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

fn b64(text: &str) -> String {
    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD.encode(text);
    encoded
        .as_bytes()
        .chunks(76)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect::<Vec<_>>()
        .join("\r\n")
}

fn itip_of(raw: &str) -> ItipPart {
    let inbound = parse_message(raw.as_bytes()).unwrap();
    match inbound.payload {
        Payload::Itip(part) => part,
        other => panic!("expected iTIP, got {other:?}"),
    }
}

#[test]
fn a_calendar_only_as_application_ics_attachment_is_found() {
    let raw = format!(
        "From: a@example.org\r\nSubject: x\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nhello\r\n--B\r\nContent-Type: application/ics; name=invite.ics\r\nContent-Disposition: attachment; filename=invite.ics\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n--B--\r\n",
        b64(OBJECT_REQUEST)
    );
    let part = itip_of(&raw);
    assert_eq!(part.method, "REQUEST");
    assert_eq!(part.source, CalendarSource::Attachment);
    let Itip::Request(f) = interpret(&part).unwrap() else {
        panic!()
    };
    assert_eq!(f.uid, "synthetic-1@example.org");
    assert_eq!(f.sequence, 3);
    assert_eq!(f.organizer.as_deref(), Some("org@example.org"));
    assert_eq!(f.summary.as_deref(), Some("Planning"));
}

#[test]
fn text_calendar_without_a_method_parameter_reads_method_from_the_object() {
    let raw = format!(
        "From: a@example.org\r\nMIME-Version: 1.0\r\nContent-Type: TeXt/CaLeNdAr; charset=utf-8\r\n\r\n{OBJECT_REQUEST}"
    );
    let part = itip_of(&raw);
    assert_eq!(part.method, "REQUEST");
    assert_eq!(part.source, CalendarSource::InlinePart);
}

#[test]
fn a_method_parameter_that_disagrees_with_method_loses_and_is_noted() {
    let raw = format!(
        "From: a@example.org\r\nMIME-Version: 1.0\r\nContent-Type: text/calendar; method=CANCEL\r\n\r\n{OBJECT_REQUEST}"
    );
    let inbound = parse_message(raw.as_bytes()).unwrap();
    assert!(inbound.notes.iter().any(|n| n.contains("METHOD wins")));
    let Payload::Itip(part) = inbound.payload else { panic!() };
    assert_eq!(part.method, "REQUEST");
}

#[test]
fn the_same_object_inline_and_attached_counts_once_and_the_inline_copy_wins() {
    let raw = format!(
        "From: a@example.org\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\nContent-Type: application/ics; name=invite.ics\r\nContent-Disposition: attachment; filename=invite.ics\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n--B\r\nContent-Type: text/calendar; method=REQUEST; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n{OBJECT_REQUEST}\r\n--B--\r\n",
        b64(OBJECT_REQUEST)
    );
    let inbound = parse_message(raw.as_bytes()).unwrap();
    assert!(inbound.notes.is_empty(), "{:?}", inbound.notes);
    let Payload::Itip(part) = inbound.payload else { panic!() };
    assert_eq!(part.copies, 2);
    assert_eq!(part.source, CalendarSource::InlinePart);
}

#[test]
fn a_forwarded_invite_inside_message_rfc822_is_found() {
    let inner = format!(
        "From: org@example.org\r\nSubject: Invitation\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=I\r\n\r\n--I\r\nContent-Type: text/plain\r\n\r\nsee invite\r\n--I\r\nContent-Type: text/calendar; method=REQUEST; charset=UTF-8\r\n\r\n{OBJECT_REQUEST}\r\n--I--\r\n"
    );
    let raw = format!(
        "From: fwd@example.com\r\nSubject: Fwd: Invitation\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=O\r\n\r\n--O\r\nContent-Type: text/plain\r\n\r\nFYI\r\n--O\r\nContent-Type: message/rfc822\r\n\r\n{inner}\r\n--O--\r\n"
    );
    let inbound = parse_message(raw.as_bytes()).unwrap();
    assert_eq!(inbound.from.map(|m| m.email), Some("fwd@example.com".to_string()));
    let Payload::Itip(part) = inbound.payload else { panic!() };
    let Itip::Request(f) = interpret(&part).unwrap() else {
        panic!()
    };
    assert_eq!(f.uid, "synthetic-1@example.org");
}

#[test]
fn a_tnef_part_is_reported_as_unsupported() {
    let raw = "From: a@example.org\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nmeeting\r\n--B\r\nContent-Type: application/ms-tnef; name=winmail.dat\r\nContent-Disposition: attachment; filename=winmail.dat\r\nContent-Transfer-Encoding: base64\r\n\r\neJ8+IgAAAQaQCAAEAAAAAAABAAEAAQeQBgAIAAAA5AQAAAAAAADoAAEIgAcAGAAAAElQTS5NaWNy\r\n--B--\r\n";
    let inbound = parse_message(raw.as_bytes()).unwrap();
    let Payload::Tnef { reason } = inbound.payload else {
        panic!("{:?}", inbound.payload)
    };
    assert!(reason.contains("TNEF"));
}

#[test]
fn a_message_without_calendar_data_says_so() {
    let raw = "From: a@example.org\r\nSubject: Meeting Forward Notification: Planning\r\nContent-Type: text/plain\r\n\r\nYour meeting was forwarded.\r\n";
    let inbound = parse_message(raw.as_bytes()).unwrap();
    assert!(matches!(inbound.payload, Payload::None { ref reason } if reason.starts_with("no calendar data")));
}

#[test]
fn a_publish_object_is_not_itip() {
    let raw = format!(
        "From: a@example.org\r\nContent-Type: text/calendar; method=PUBLISH\r\n\r\n{}",
        OBJECT_REQUEST.replace("METHOD:REQUEST", "METHOD:PUBLISH")
    );
    let inbound = parse_message(raw.as_bytes()).unwrap();
    assert_eq!(
        inbound.payload,
        Payload::None {
            reason: "not iTIP: METHOD:PUBLISH".into()
        }
    );
}

#[test]
fn deeply_nested_multiparts_and_messages_do_not_panic() {
    let mut body = format!("Content-Type: text/calendar; method=REQUEST\r\n\r\n{OBJECT_REQUEST}");
    for i in 0..25 {
        body = format!("Content-Type: multipart/mixed; boundary=b{i}\r\n\r\n--b{i}\r\n{body}\r\n--b{i}--\r\n");
    }
    let raw = format!("From: a@example.org\r\nMIME-Version: 1.0\r\n{body}");
    let _ = parse_message(raw.as_bytes()).unwrap();

    let mut msg = format!("From: a@example.org\r\nContent-Type: text/calendar; method=REQUEST\r\n\r\n{OBJECT_REQUEST}");
    for _ in 0..30 {
        msg = format!("From: a@example.org\r\nContent-Type: message/rfc822\r\n\r\n{msg}");
    }
    let _ = parse_message(msg.as_bytes()).unwrap();
}

#[test]
fn broken_mime_does_not_panic() {
    let cases = [
        "From: a@example.org\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\nContent-Type: text/calendar\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!not base64@@@\r\n".to_string(),
        format!("From: a@example.org\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\nContent-Type: text/calendar; method=REQUEST\r\n\r\n{OBJECT_REQUEST}"),
        "From: a@example.org\r\nContent-Type: multipart/mixed\r\n\r\n--B\r\n\r\n".to_string(),
        "From: a@example.org\r\nContent-Type: text/calendar\r\n\r\nBEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\n".to_string(),
    ];
    for raw in cases {
        if let Ok(inbound) = parse_message(raw.as_bytes())
            && let Payload::Itip(part) = inbound.payload
        {
            let _ = interpret(&part);
        }
    }
    assert!(parse_message(b"").is_err());
}

fn reply_part(body: &str) -> ItipPart {
    ItipPart {
        method: "REPLY".into(),
        calendar: format!(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\n{body}END:VEVENT\r\nEND:VCALENDAR\r\n"
        ),
        source: CalendarSource::InlinePart,
        copies: 1,
    }
}

#[test]
fn a_google_reply_comment_comes_from_x_response_comment() {
    let part = reply_part(
        "UID:g1@google.com\r\nDTSTAMP:20260101T100000Z\r\nORGANIZER:mailto:org@example.org\r\nATTENDEE;PARTSTAT=DECLINED;X-RESPONSE-COMMENT=\"Sorry, travelling\":mailto:Guest@Gmail.com\r\n",
    );
    let Itip::Reply(f) = interpret(&part).unwrap() else {
        panic!()
    };
    assert_eq!(f.attendee, "guest@gmail.com");
    assert_eq!(f.partstat, "DECLINED");
    assert_eq!(f.comment.as_deref(), Some("Sorry, travelling"));
    assert_eq!(f.sequence, 0);
}

#[test]
fn an_outlook_reply_without_organizer_is_accepted() {
    let part = reply_part(
        "UID:040000008200E00074C5B7101A82E008\r\nDTSTAMP:20260101T100000Z\r\nRECURRENCE-ID;TZID=W. Europe Standard Time:20260110T110000\r\nSEQUENCE:2\r\nSUMMARY:Accepted: Planning\r\nCOMMENT:See you\\, then\r\nATTENDEE;PARTSTAT=TENTATIVE:MAILTO:guest@example.net\r\n",
    );
    let Itip::Reply(f) = interpret(&part).unwrap() else {
        panic!()
    };
    assert_eq!(f.organizer, None);
    assert_eq!(f.attendee, "guest@example.net");
    assert_eq!(f.partstat, "TENTATIVE");
    assert_eq!(f.sequence, 2);
    assert_eq!(f.comment.as_deref(), Some("See you, then"));
    // 11:00 in Berlin (CET, UTC+1) is 10:00 UTC.
    assert_eq!(f.recurrence_id, Some(1_768_039_200));
}

#[test]
fn a_reply_without_attendee_is_an_error() {
    let part = reply_part("UID:room-1\r\nDTSTAMP:20260101T100000Z\r\n");
    assert!(matches!(
        interpret(&part),
        Err(calinvite_imip::inbound::InboundError::ReplyWithoutAttendee { .. })
    ));
}

#[test]
fn a_reply_with_several_answering_attendees_takes_the_first_and_reports_the_rest() {
    let part = reply_part(
        "UID:d1\r\nDTSTAMP:20260101T100000Z\r\nATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:x@example.net\r\nATTENDEE;PARTSTAT=DELEGATED;DELEGATED-TO=\"mailto:b@example.net\":mailto:a@example.net\r\nATTENDEE;PARTSTAT=ACCEPTED;DELEGATED-FROM=\"mailto:a@example.net\":mailto:b@example.net\r\n",
    );
    let Itip::Reply(f) = interpret(&part).unwrap() else {
        panic!()
    };
    assert_eq!(f.attendee, "a@example.net");
    assert_eq!(f.partstat, "DELEGATED");
    assert_eq!(f.other_answering_attendees, vec!["b@example.net".to_string()]);
}

#[test]
fn a_counter_reports_the_proposed_times() {
    let part = ItipPart {
        method: "COUNTER".into(),
        calendar: OBJECT_REQUEST.replace("METHOD:REQUEST", "METHOD:COUNTER"),
        source: CalendarSource::InlinePart,
        copies: 1,
    };
    let Itip::Counter(f) = interpret(&part).unwrap() else {
        panic!()
    };
    assert_eq!(f.dtstart, Some(1_768_039_200));
    assert_eq!(f.dtend, Some(1_768_042_800));
    assert_eq!(f.attendee.as_deref(), Some("guest@example.net"));
}

#[test]
fn a_cancel_of_one_occurrence_carries_its_recurrence_id() {
    let part = ItipPart {
        method: "CANCEL".into(),
        calendar: OBJECT_REQUEST
            .replace("METHOD:REQUEST", "METHOD:CANCEL")
            .replace("SEQUENCE:3", "SEQUENCE:4\r\nRECURRENCE-ID:20260110T100000Z"),
        source: CalendarSource::InlinePart,
        copies: 1,
    };
    let Itip::Cancel(f) = interpret(&part).unwrap() else {
        panic!()
    };
    assert_eq!(f.sequence, 4);
    assert_eq!(f.recurrence_ids, vec![1_768_039_200]);
}

#[test]
fn a_latin1_calendar_without_charset_is_decoded() {
    let mut raw = b"From: a@example.org\r\nContent-Type: application/ics\r\nContent-Disposition: attachment; filename=x.ics\r\n\r\n".to_vec();
    raw.extend(
        OBJECT_REQUEST
            .replace("Planning", "R\u{e9}union")
            .chars()
            .map(|c| c as u32 as u8),
    );
    let inbound = parse_message(&raw).unwrap();
    let Payload::Itip(part) = inbound.payload else { panic!() };
    let Itip::Request(f) = interpret(&part).unwrap() else {
        panic!()
    };
    assert_eq!(f.summary.as_deref(), Some("Réunion"));
}
