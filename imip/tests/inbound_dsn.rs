//! Delivery status notifications (RFC 3464): a bounce of our REQUEST is recognised as a
//! bounce of a known message, never as a new invitation (IMIP-INTEROP §3.2).

use calinvite_imip::inbound::{Payload, parse_delivery_status, parse_message};
use std::path::PathBuf;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/mail")
            .join(name),
    )
    .unwrap()
}

#[test]
fn the_bounce_of_a_request_is_a_hard_bounce_of_that_recipient() {
    let inbound = parse_message(&fixture("ccs-dsn-bounce-of-request.eml")).unwrap();
    assert_eq!(
        inbound.message_id.as_deref(),
        Some("20080812191940.15BA528084@relay11.example.com")
    );
    let Payload::DeliveryStatus(dsn) = inbound.payload else {
        panic!("{:?}", inbound.payload)
    };
    assert_eq!(dsn.reporting_mta.as_deref(), Some("relay11.example.com"));
    assert_eq!(
        dsn.original_message_id.as_deref(),
        Some("20080812191939.51369.1538816694.0@plugh.example.com")
    );
    assert_eq!(dsn.recipients.len(), 1);
    let r = &dsn.recipients[0];
    assert_eq!(r.final_recipient, "nonexistant@example.com");
    assert_eq!(r.action, "failed");
    assert_eq!(r.status, "5.0.0");
    assert!(
        r.diagnostic
            .as_deref()
            .is_some_and(|d| d.contains("550 5.1.1 unknown or illegal alias"))
    );
    assert!(dsn.is_hard_bounce());
    assert!(!dsn.is_soft_bounce());
}

const DELAYED: &str = "From: MAILER-DAEMON@mx.example.org\r\nTo: invites@calinvite.example\r\nSubject: Delivery delayed\r\nMessage-ID: <dsn-2@mx.example.org>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=\"delivery-status\"; boundary=R\r\n\r\n--R\r\nContent-Type: text/plain\r\n\r\nStill trying.\r\n--R\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.org\r\n\r\nOriginal-Recipient: rfc822;Guest@Example.NET\r\nFinal-Recipient: rfc822;Guest@Example.NET\r\nAction: delayed\r\nStatus: 4.4.7 (delivery time expired)\r\nDiagnostic-Code: smtp; 451 4.4.7 try later\r\nWill-Retry-Until: Fri, 2 Jan 2026 10:00:00 +0000\r\n\r\n--R\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: invites@calinvite.example\r\nMessage-ID: <invite-42@calinvite.example>\r\nSubject: Invitation\r\n\r\n--R--\r\n";

#[test]
fn a_delayed_dsn_with_rfc822_headers_is_a_soft_bounce() {
    let inbound = parse_message(DELAYED.as_bytes()).unwrap();
    let Payload::DeliveryStatus(dsn) = inbound.payload else {
        panic!("{:?}", inbound.payload)
    };
    assert_eq!(dsn.original_message_id.as_deref(), Some("invite-42@calinvite.example"));
    let r = &dsn.recipients[0];
    assert_eq!(r.final_recipient, "guest@example.net");
    assert_eq!(r.action, "delayed");
    assert_eq!(r.status, "4.4.7");
    assert_eq!(r.diagnostic.as_deref(), Some("451 4.4.7 try later"));
    assert!(dsn.is_soft_bounce());
    assert!(!dsn.is_hard_bounce());
}

#[test]
fn several_recipient_blocks_with_folded_fields_are_read() {
    let dsn = parse_delivery_status(
        "Reporting-MTA: dns;\n mx.example.org\n\nFinal-Recipient: rfc822; a@x.org\nAction: delivered\nStatus: 2.0.0\n\n\nFinal-Recipient: rfc822; b@x.org\nAction: failed\nStatus: 5.1.1\n",
        None,
    );
    assert_eq!(dsn.reporting_mta.as_deref(), Some("mx.example.org"));
    assert_eq!(dsn.recipients.len(), 2);
    assert!(!dsn.recipients[0].is_hard_bounce());
    assert!(dsn.recipients[1].is_hard_bounce());
    assert!(dsn.is_hard_bounce());
}

#[test]
fn a_report_of_another_type_is_not_a_delivery_status() {
    let raw = DELAYED.replace(
        "report-type=\"delivery-status\"",
        "report-type=disposition-notification",
    );
    let inbound = parse_message(raw.as_bytes()).unwrap();
    assert!(!matches!(inbound.payload, Payload::DeliveryStatus(_)));
}
