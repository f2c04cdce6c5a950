//! The XML vocabulary of WebDAV (RFC 4918), CalDAV (RFC 4791), WebDAV Sync (RFC 6578) and
//! WebDAV ACL (RFC 3744), kept free of storage and HTTP so every rule is testable with bytes.
//!
//! Requests are parsed in two steps: [`tree`] turns a body into a bounded, namespace-resolved
//! element tree (refusing DTDs and deep nesting before any request-specific code runs), then
//! one module per request body walks that tree into typed values. Responses are written by
//! [`response`] with one fixed set of namespace prefixes on the root element.

pub mod error;
pub mod href;
pub mod name;
pub mod request;
pub mod response;
pub mod sync_token;
pub mod value;

mod escape;

mod tree;

pub use error::XmlError;
pub use name::PropName;
pub use value::PropValue;

#[cfg(test)]
mod robustness_tests {
    //! Every parser must return `Ok` or `Err` for any input, never panic: truncations and
    //! deterministic random mutations of real request bodies are thrown at all of them.

    use super::request::{MkcolKind, MkcolRequest, PropfindRequest, Report, parse_proppatch};
    use super::value::PropValue;

    const CORPUS: &[&str] = &[
        r#"<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/><C:calendar-data><C:comp name="VCALENDAR"><C:prop name="VERSION"/><C:comp name="VEVENT"><C:allprop/></C:comp></C:comp><C:expand start="20060103T000000Z" end="20060105T000000Z"/></C:calendar-data></D:prop></D:propfind>"#,
        r#"<D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:z"><D:set><D:prop xml:lang="en"><Z:a>x <Z:b q="1">&amp;&#x10000;</Z:b></Z:a></D:prop></D:set><D:remove><D:prop><Z:c/></D:prop></D:remove></D:propertyupdate>"#,
        r#"<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/></D:prop><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:time-range start="20060104T000000Z" end="20060105T000000Z"/><C:prop-filter name="ATTENDEE"><C:text-match collation="i;octet" negate-condition="yes">x</C:text-match><C:param-filter name="PARTSTAT"><C:is-not-defined/></C:param-filter></C:prop-filter></C:comp-filter></C:comp-filter></C:filter><C:timezone>BEGIN:VCALENDAR</C:timezone></C:calendar-query>"#,
        r#"<C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/><C:calendar-data/></D:prop><D:href>/a%20b.ics</D:href><D:href>http://h/c.ics</D:href></C:calendar-multiget>"#,
        r#"<D:sync-collection xmlns:D="DAV:"><D:sync-token>http://calinvite.invalid/sync/1/2</D:sync-token><D:sync-level>1</D:sync-level><D:limit><D:nresults>5</D:nresults></D:limit><D:prop><D:getetag/></D:prop></D:sync-collection>"#,
        r#"<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop><D:displayname>W</D:displayname><C:supported-calendar-component-set><C:comp name="VEVENT"/></C:supported-calendar-component-set></D:prop></D:set></C:mkcalendar>"#,
        r#"<D:principal-property-search xmlns:D="DAV:" test="anyof"><D:property-search><D:prop><D:displayname/></D:prop><D:match match-type="starts-with">a</D:match></D:property-search><D:prop><D:displayname/></D:prop></D:principal-property-search>"#,
        r#"<D:expand-property xmlns:D="DAV:"><D:property name="a" namespace="urn:x"><D:property name="b"/></D:property></D:expand-property>"#,
    ];

    fn run_all(body: &[u8]) {
        let _ = PropfindRequest::parse(body);
        let _ = parse_proppatch(body);
        let _ = MkcolRequest::parse(MkcolKind::Mkcol, body);
        let _ = MkcolRequest::parse(MkcolKind::Mkcalendar, body);
        let _ = Report::parse(body);
        if let Ok(s) = std::str::from_utf8(body) {
            let _ = PropValue::from_stored(s.to_owned(), None).map(|v| v.text());
        }
    }

    /// xorshift64*: deterministic, so a failure reproduces.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        fn below(&mut self, n: usize) -> usize {
            usize::try_from(self.next() % n.max(1) as u64).unwrap_or(0)
        }
    }

    #[test]
    fn the_corpus_itself_parses() {
        assert!(PropfindRequest::parse(CORPUS[0].as_bytes()).is_ok());
        assert!(parse_proppatch(CORPUS[1].as_bytes()).is_ok());
        for body in &CORPUS[2..5] {
            assert!(Report::parse(body.as_bytes()).is_ok(), "{body}");
        }
        assert!(MkcolRequest::parse(MkcolKind::Mkcalendar, CORPUS[5].as_bytes()).is_ok());
        for body in &CORPUS[6..] {
            assert!(Report::parse(body.as_bytes()).is_ok(), "{body}");
        }
    }

    #[test]
    fn every_truncation_of_real_bodies_is_handled_without_panicking() {
        for body in CORPUS {
            for end in 0..=body.len() {
                run_all(&body.as_bytes()[..end]);
            }
        }
    }

    #[test]
    fn random_mutations_of_real_bodies_are_handled_without_panicking() {
        const NASTY: &[u8] = b"<>&;/\"'=:#xX0Z \x00\xff\xc3{}";
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        for body in CORPUS {
            for _ in 0..400 {
                let mut bytes = body.as_bytes().to_vec();
                for _ in 0..=rng.below(4) {
                    let at = rng.below(bytes.len());
                    let nasty = NASTY[rng.below(NASTY.len())];
                    match rng.below(3) {
                        0 => bytes[at] = nasty,
                        1 => bytes.insert(at, nasty),
                        _ => {
                            bytes.remove(at);
                        }
                    }
                }
                run_all(&bytes);
            }
        }
    }
}
