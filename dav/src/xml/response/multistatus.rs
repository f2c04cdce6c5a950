//! The `207 Multi-Status` body (RFC 4918 §13, §14.16) that PROPFIND, PROPPATCH and every
//! REPORT answer with.
//!
//! The writer appends each `<D:response>` as soon as the handler has it, so a large REPORT
//! can be streamed with [`MultistatusWriter::take_written`] instead of being built as one
//! tree. Hrefs are given as decoded paths and encoded here, once.

use http::StatusCode;

use super::{ROOT_NAMESPACES, XML_DECL, empty_element, start_tag, write_dead_property};
use crate::xml::escape;
use crate::xml::href::href_encode;
use crate::xml::name::PropName;
use crate::xml::value::PropValue;

/// The value of one property in a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Out {
    /// `<x:name/>`: no value, or a name-only listing (404 propstats, propname).
    Empty,
    /// Text content, escaped.
    Text(String),
    /// One `<D:href>` child; a path is percent-encoded, an absolute URI kept.
    Href(String),
    /// Several `<D:href>` children (e.g. `calendar-user-address-set`).
    Hrefs(Vec<String>),
    /// A raw, well-formed fragment inserted verbatim. It may use the `D:`, `C:`, `CS:` and
    /// `ICAL:` prefixes declared on the root; any other prefix must be declared inside it.
    Xml(String),
    /// A stored dead property, with its `xml:lang`.
    Dead(PropValue),
    /// `<D:resourcetype>` children, e.g. `{DAV:}collection`, `{..caldav}calendar`.
    ResourceType(Vec<PropName>),
    /// `<D:supported-report-set>`: one `<D:supported-report><D:report>` per name
    /// (RFC 3253 §3.1.5).
    SupportedReportSet(Vec<PropName>),
    /// `<C:comp name="..."/>` children (RFC 4791 §5.2.3).
    CompSet(Vec<String>),
    /// `<D:privilege>` children (RFC 3744 §5.4 current-user-privilege-set).
    PrivilegeSet(Vec<PropName>),
    /// `<C:calendar-data>` text: the iCalendar object, escaped (RFC 4791 §9.6).
    CalendarData(String),
}

/// One property of a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropValueOut {
    pub name: PropName,
    pub value: Out,
}

impl PropValueOut {
    pub fn new(name: PropName, value: Out) -> Self {
        PropValueOut { name, value }
    }

    /// A name without a value (for 404/403 propstats and propname listings).
    pub fn name_only(name: PropName) -> Self {
        PropValueOut {
            name,
            value: Out::Empty,
        }
    }
}

/// Properties sharing one status (RFC 4918 §14.22), with an optional precondition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Propstat {
    pub status: StatusCode,
    pub props: Vec<PropValueOut>,
    /// `<D:error>` inside the propstat, e.g. `cannot-modify-protected-property` on a 403.
    pub error: Option<PropName>,
}

impl Propstat {
    pub fn new(status: StatusCode, props: Vec<PropValueOut>) -> Self {
        Propstat {
            status,
            props,
            error: None,
        }
    }
}

/// What a `<D:response>` carries: property results or a single status for the href.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResponseBody {
    /// Grouped property results. Empty groups are skipped when written.
    Propstat(Vec<Propstat>),
    /// A status for the whole resource, e.g. 404 for a missing multiget href or a member
    /// deleted since the sync token (RFC 6578 §3.5.2).
    Status(StatusCode),
}

/// One `<D:response>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// Decoded path (or absolute URI); encoded when written.
    pub href: String,
    pub body: ResponseBody,
    /// `<D:error>` with this precondition (RFC 4918 §14.5).
    pub error: Option<PropName>,
    /// `<D:responsedescription>` text for humans.
    pub description: Option<String>,
}

impl Response {
    pub fn new(href: impl Into<String>, body: ResponseBody) -> Self {
        Response {
            href: href.into(),
            body,
            error: None,
            description: None,
        }
    }

    pub fn with_error(mut self, precondition: PropName) -> Self {
        self.error = Some(precondition);
        self
    }

    pub fn with_description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }
}

/// Builds a `<D:multistatus>` document response by response.
#[derive(Debug)]
pub struct MultistatusWriter {
    out: String,
    sync_token: Option<String>,
}

impl Default for MultistatusWriter {
    fn default() -> Self {
        Self::new()
    }
}

/// `HTTP/1.1 200 OK`, the status-line form RFC 4918 §14.28 uses.
fn status_line(status: StatusCode) -> String {
    match status.canonical_reason() {
        Some(reason) => format!("HTTP/1.1 {} {reason}", status.as_u16()),
        None => format!("HTTP/1.1 {}", status.as_u16()),
    }
}

impl MultistatusWriter {
    /// Starts the document: XML declaration and `<D:multistatus>` with the root namespaces.
    pub fn new() -> Self {
        let mut out = String::from(XML_DECL);
        out.push_str("<D:multistatus");
        out.push_str(ROOT_NAMESPACES);
        out.push('>');
        MultistatusWriter { out, sync_token: None }
    }

    /// Appends a response with just an href and a body.
    pub fn response(&mut self, href: &str, body: ResponseBody) -> &mut Self {
        self.push(Response::new(href, body))
    }

    /// Appends a response.
    pub fn push(&mut self, response: Response) -> &mut Self {
        let out = &mut self.out;
        out.push_str("<D:response><D:href>");
        escape::text_into(out, &href_encode(&response.href));
        out.push_str("</D:href>");
        match &response.body {
            ResponseBody::Status(status) => {
                out.push_str("<D:status>");
                out.push_str(&status_line(*status));
                out.push_str("</D:status>");
            }
            ResponseBody::Propstat(groups) => {
                for group in groups.iter().filter(|g| !g.props.is_empty()) {
                    write_propstat(out, group);
                }
            }
        }
        if let Some(error) = &response.error {
            write_error(out, error);
        }
        if let Some(text) = &response.description {
            out.push_str("<D:responsedescription>");
            escape::text_into(out, text);
            out.push_str("</D:responsedescription>");
        }
        out.push_str("</D:response>");
        self
    }

    /// Sets the `<D:sync-token>` written after the responses (RFC 6578 §3.2).
    pub fn sync_token(&mut self, token: &str) -> &mut Self {
        self.sync_token = Some(token.to_owned());
        self
    }

    /// Takes what has been written so far, for streaming; later output continues the
    /// same document.
    pub fn take_written(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.out).into_bytes()
    }

    /// Closes the document and returns the remaining bytes.
    pub fn finish(mut self) -> Vec<u8> {
        if let Some(token) = &self.sync_token {
            self.out.push_str("<D:sync-token>");
            escape::text_into(&mut self.out, token);
            self.out.push_str("</D:sync-token>");
        }
        self.out.push_str("</D:multistatus>\n");
        self.out.into_bytes()
    }
}

fn write_error(out: &mut String, precondition: &PropName) {
    out.push_str("<D:error>");
    empty_element(out, precondition, true);
    out.push_str("</D:error>");
}

fn write_propstat(out: &mut String, group: &Propstat) {
    out.push_str("<D:propstat><D:prop>");
    for prop in &group.props {
        write_prop(out, prop);
    }
    out.push_str("</D:prop><D:status>");
    out.push_str(&status_line(group.status));
    out.push_str("</D:status>");
    if let Some(error) = &group.error {
        write_error(out, error);
    }
    out.push_str("</D:propstat>");
}

fn write_href(out: &mut String, href: &str) {
    out.push_str("<D:href>");
    escape::text_into(out, &href_encode(href));
    out.push_str("</D:href>");
}

fn write_prop(out: &mut String, prop: &PropValueOut) {
    if let Out::Dead(value) = &prop.value {
        write_dead_property(out, &prop.name, value, true);
        return;
    }
    if prop.value == Out::Empty {
        empty_element(out, &prop.name, true);
        return;
    }
    let qname = start_tag(out, &prop.name, true);
    out.push('>');
    match &prop.value {
        Out::Empty | Out::Dead(_) => {}
        Out::Text(text) | Out::CalendarData(text) => escape::text_into(out, text),
        Out::Href(href) => write_href(out, href),
        Out::Hrefs(hrefs) => hrefs.iter().for_each(|h| write_href(out, h)),
        Out::Xml(fragment) => out.push_str(fragment),
        Out::ResourceType(types) => types.iter().for_each(|t| empty_element(out, t, true)),
        Out::SupportedReportSet(reports) => {
            for report in reports {
                out.push_str("<D:supported-report><D:report>");
                empty_element(out, report, true);
                out.push_str("</D:report></D:supported-report>");
            }
        }
        Out::CompSet(comps) => {
            for comp in comps {
                out.push_str("<C:comp name=\"");
                escape::attr_into(out, comp);
                out.push_str("\"/>");
            }
        }
        Out::PrivilegeSet(privileges) => {
            for privilege in privileges {
                out.push_str("<D:privilege>");
                empty_element(out, privilege, true);
                out.push_str("</D:privilege>");
            }
        }
    }
    out.push_str("</");
    out.push_str(&qname);
    out.push('>');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::name::{CALDAV, DAV};
    use crate::xml::tree::{self, Element};

    fn reparse(bytes: &[u8]) -> Element {
        tree::parse(bytes).unwrap_or_else(|e| {
            panic!(
                "writer produced ill-formed XML: {e}\n{}",
                String::from_utf8_lossy(bytes)
            )
        })
    }

    fn only_response(doc: &Element) -> &Element {
        let responses: Vec<_> = doc.children_named(DAV, "response").collect();
        assert_eq!(responses.len(), 1);
        responses[0]
    }

    #[test]
    fn empty_multistatus_is_exact() {
        let bytes = MultistatusWriter::new().finish();
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<D:multistatus xmlns:D=\"DAV:\" xmlns:C=\"urn:ietf:params:xml:ns:caldav\" xmlns:CS=\"http://calendarserver.org/ns/\" xmlns:ICAL=\"http://apple.com/ns/ical/\"></D:multistatus>\n"
        );
    }

    #[test]
    fn propstats_group_properties_by_status_and_skip_empty_groups() {
        let mut w = MultistatusWriter::new();
        w.response(
            "/dav/alice/work/",
            ResponseBody::Propstat(vec![
                Propstat::new(
                    StatusCode::OK,
                    vec![
                        PropValueOut::new(PropName::dav("displayname"), Out::Text("Work".into())),
                        PropValueOut::new(
                            PropName::dav("resourcetype"),
                            Out::ResourceType(vec![PropName::dav("collection"), PropName::caldav("calendar")]),
                        ),
                        PropValueOut::new(PropName::calendarserver("getctag"), Out::Text("\"42\"".into())),
                    ],
                ),
                Propstat::new(
                    StatusCode::NOT_FOUND,
                    vec![PropValueOut::name_only(PropName::new("urn:x", "missing"))],
                ),
                Propstat::new(StatusCode::FORBIDDEN, vec![]),
            ]),
        );
        let bytes = w.finish();
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(text.contains("<D:response><D:href>/dav/alice/work/</D:href><D:propstat><D:prop><D:displayname>Work</D:displayname><D:resourcetype><D:collection/><C:calendar/></D:resourcetype><CS:getctag>\"42\"</CS:getctag></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat><D:propstat><D:prop><X:missing xmlns:X=\"urn:x\"/></D:prop><D:status>HTTP/1.1 404 Not Found</D:status></D:propstat></D:response>"), "{text}");
        let doc = reparse(&bytes);
        let response = only_response(&doc);
        assert_eq!(response.children_named(DAV, "propstat").count(), 2);
        let missing = response
            .children_named(DAV, "propstat")
            .nth(1)
            .and_then(|p| p.child(DAV, "prop"))
            .and_then(|p| p.elements().next())
            .unwrap();
        assert_eq!(missing.name, PropName::new("urn:x", "missing"));
    }

    #[test]
    fn text_and_calendar_data_are_escaped_and_survive_reparsing() {
        let ics = "BEGIN:VCALENDAR\r\nSUMMARY:Tom & Jerry <\"quoted\"> \u{10000}\r\nEND:VCALENDAR\r\n";
        let mut w = MultistatusWriter::new();
        w.response(
            "/a.ics",
            ResponseBody::Propstat(vec![Propstat::new(
                StatusCode::OK,
                vec![
                    PropValueOut::new(PropName::dav("getetag"), Out::Text("\"e<1>&\"".into())),
                    PropValueOut::new(PropName::caldav("calendar-data"), Out::CalendarData(ics.into())),
                ],
            )]),
        );
        let doc = reparse(&w.finish());
        let prop = only_response(&doc)
            .child(DAV, "propstat")
            .and_then(|p| p.child(DAV, "prop"))
            .unwrap();
        assert_eq!(prop.child(DAV, "getetag").unwrap().text(), "\"e<1>&\"");
        assert_eq!(prop.child(CALDAV, "calendar-data").unwrap().text(), ics);
    }

    #[test]
    fn hrefs_are_encoded_in_responses_and_values() {
        let mut w = MultistatusWriter::new();
        w.response(
            "/dav/alice@example.com/Work Cal/été.ics",
            ResponseBody::Propstat(vec![Propstat::new(
                StatusCode::OK,
                vec![
                    PropValueOut::new(
                        PropName::caldav("calendar-home-set"),
                        Out::Href("/dav/alice@example.com/".into()),
                    ),
                    PropValueOut::new(
                        PropName::caldav("calendar-user-address-set"),
                        Out::Hrefs(vec![
                            "mailto:alice@example.com".into(),
                            "/dav/principals/alice@example.com/".into(),
                        ]),
                    ),
                ],
            )]),
        );
        let text = String::from_utf8(w.finish()).unwrap();
        assert!(
            text.contains("<D:href>/dav/alice%40example.com/Work%20Cal/%C3%A9t%C3%A9.ics</D:href>"),
            "{text}"
        );
        assert!(text.contains("<C:calendar-home-set><D:href>/dav/alice%40example.com/</D:href></C:calendar-home-set>"));
        assert!(text.contains(
            "<D:href>mailto:alice@example.com</D:href><D:href>/dav/principals/alice%40example.com/</D:href>"
        ));
    }

    #[test]
    fn status_responses_errors_descriptions_and_sync_token() {
        let mut w = MultistatusWriter::new();
        w.response("/a/gone.ics", ResponseBody::Status(StatusCode::NOT_FOUND));
        w.push(
            Response::new("/a/x.ics", ResponseBody::Status(StatusCode::FORBIDDEN))
                .with_error(PropName::caldav("valid-calendar-data"))
                .with_description("bad <data> & more"),
        );
        w.sync_token("http://calinvite.invalid/sync/1/5");
        let bytes = w.finish();
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(text.contains(
            "<D:response><D:href>/a/gone.ics</D:href><D:status>HTTP/1.1 404 Not Found</D:status></D:response>"
        ));
        assert!(text.contains("<D:error><C:valid-calendar-data/></D:error><D:responsedescription>bad &lt;data&gt; &amp; more</D:responsedescription>"));
        assert!(text.ends_with("<D:sync-token>http://calinvite.invalid/sync/1/5</D:sync-token></D:multistatus>\n"));
        let doc = reparse(&bytes);
        assert_eq!(doc.children_named(DAV, "response").count(), 2);
        assert_eq!(
            doc.child(DAV, "sync-token").unwrap().text(),
            "http://calinvite.invalid/sync/1/5"
        );
    }

    #[test]
    fn structured_live_properties_have_their_rfc_shapes() {
        let mut w = MultistatusWriter::new();
        w.response(
            "/c/",
            ResponseBody::Propstat(vec![Propstat::new(
                StatusCode::OK,
                vec![
                    PropValueOut::new(
                        PropName::dav("supported-report-set"),
                        Out::SupportedReportSet(vec![
                            PropName::caldav("calendar-query"),
                            PropName::dav("sync-collection"),
                        ]),
                    ),
                    PropValueOut::new(
                        PropName::caldav("supported-calendar-component-set"),
                        Out::CompSet(vec!["VEVENT".into(), "VTODO".into()]),
                    ),
                    PropValueOut::new(
                        PropName::dav("current-user-privilege-set"),
                        Out::PrivilegeSet(vec![PropName::dav("read"), PropName::caldav("read-free-busy")]),
                    ),
                    PropValueOut::new(
                        PropName::dav("owner"),
                        Out::Xml("<D:href>/dav/principals/alice/</D:href>".into()),
                    ),
                    PropValueOut::new(PropName::apple_ical("calendar-color"), Out::Text("#FF0000FF".into())),
                ],
            )]),
        );
        let text = String::from_utf8(w.finish()).unwrap();
        for expected in [
            "<D:supported-report-set><D:supported-report><D:report><C:calendar-query/></D:report></D:supported-report><D:supported-report><D:report><D:sync-collection/></D:report></D:supported-report></D:supported-report-set>",
            "<C:supported-calendar-component-set><C:comp name=\"VEVENT\"/><C:comp name=\"VTODO\"/></C:supported-calendar-component-set>",
            "<D:current-user-privilege-set><D:privilege><D:read/></D:privilege><D:privilege><C:read-free-busy/></D:privilege></D:current-user-privilege-set>",
            "<D:owner><D:href>/dav/principals/alice/</D:href></D:owner>",
            "<ICAL:calendar-color>#FF0000FF</ICAL:calendar-color>",
        ] {
            assert!(text.contains(expected), "missing {expected}\n{text}");
        }
        reparse(text.as_bytes());
    }

    #[test]
    fn dead_properties_from_proppatch_round_trip_through_the_writer() {
        let body = r#"<D:propertyupdate xmlns:D="DAV:" xmlns:Z="http://example.com/z"><D:set><D:prop xml:lang="en"><Z:authors><Z:a>Jim</Z:a> and <b xmlns="urn:b">Roy</b></Z:authors><D:prop-in-dav-ns>x</D:prop-in-dav-ns><plain xmlns="">v</plain></D:prop></D:set></D:propertyupdate>"#;
        let ops = crate::xml::request::parse_proppatch(body.as_bytes()).unwrap();
        let props: Vec<_> = ops
            .into_iter()
            .map(|op| match op {
                crate::xml::request::PatchInstruction::Set(n, v) => PropValueOut::new(n, Out::Dead(v)),
                other => panic!("unexpected {other:?}"),
            })
            .collect();
        let mut w = MultistatusWriter::new();
        w.response("/r", ResponseBody::Propstat(vec![Propstat::new(StatusCode::OK, props)]));
        let bytes = w.finish();
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(
            text.contains(concat!(
                "<D:prop><X:authors xmlns:X=\"http://example.com/z\" xml:lang=\"en\">",
                "<Z:a xmlns:Z=\"http://example.com/z\">Jim</Z:a> and <b xmlns=\"urn:b\">Roy</b>",
                "</X:authors><D:prop-in-dav-ns xml:lang=\"en\">x</D:prop-in-dav-ns>",
                "<plain xml:lang=\"en\">v</plain></D:prop>"
            )),
            "{text}"
        );
        let doc = reparse(&bytes);
        let prop = only_response(&doc)
            .child(DAV, "propstat")
            .and_then(|p| p.child(DAV, "prop"))
            .unwrap();
        let authors = prop.child("http://example.com/z", "authors").unwrap();
        assert_eq!(authors.lang.as_deref(), Some("en"));
        let kids: Vec<_> = authors.elements().map(|e| (e.name.clone(), e.text())).collect();
        assert_eq!(
            kids,
            vec![
                (PropName::new("http://example.com/z", "a"), "Jim".to_owned()),
                (PropName::new("urn:b", "b"), "Roy".to_owned()),
            ]
        );
        assert_eq!(authors.text(), " and ");
        assert_eq!(prop.child(DAV, "prop-in-dav-ns").unwrap().text(), "x");
        assert_eq!(prop.child("", "plain").unwrap().text(), "v");
    }

    #[test]
    fn streaming_chunks_concatenate_to_the_whole_document() {
        let mut w = MultistatusWriter::new();
        w.response("/1", ResponseBody::Status(StatusCode::NOT_FOUND));
        let mut all = w.take_written();
        w.response("/2", ResponseBody::Status(StatusCode::NOT_FOUND));
        all.extend(w.finish());
        let doc = reparse(&all);
        assert_eq!(doc.children_named(DAV, "response").count(), 2);
    }

    #[test]
    fn uncommon_status_codes_still_produce_a_status_line() {
        assert_eq!(
            status_line(StatusCode::FAILED_DEPENDENCY),
            "HTTP/1.1 424 Failed Dependency"
        );
        assert_eq!(status_line(StatusCode::from_u16(599).unwrap()), "HTTP/1.1 599");
    }
}
