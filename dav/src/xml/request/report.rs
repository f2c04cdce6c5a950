//! REPORT request bodies: the document element names the report (RFC 3253 §3.6), and each
//! report has its own body grammar. Unknown reports are not an error here: they come back as
//! [`Report::Unknown`] so the handler can answer 403 with `DAV:supported-report`
//! (RFC 3253 §3.6).

use calinvite_imip::query::{CalendarDataRequest, Filter, TimeRange};

use super::principal::{self, AclPrincipalPropSet, ExpandProperty, PrincipalMatch, PrincipalPropertySearch};
use super::propfind::Propfind;
use super::time::time_range;
use super::{filter, limit, selection};
use crate::xml::error::XmlError;
use crate::xml::href::href_decode;
use crate::xml::name::{CALDAV, DAV, PropName};
use crate::xml::tree;

/// A parsed REPORT body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Report {
    CalendarQuery(Box<CalendarQuery>),
    CalendarMultiget(CalendarMultiget),
    FreeBusyQuery(FreeBusyQuery),
    SyncCollection(SyncCollection),
    ExpandProperty(ExpandProperty),
    PrincipalPropertySearch(PrincipalPropertySearch),
    /// `<D:principal-search-property-set/>` (RFC 3744 §9.5): which properties can be
    /// searched. The body has no content.
    PrincipalSearchPropertySet,
    AclPrincipalPropSet(AclPrincipalPropSet),
    PrincipalMatch(PrincipalMatch),
    /// Any other report; the handler answers 403 with `DAV:supported-report`.
    Unknown(PropName),
}

/// `<C:calendar-query>` (RFC 4791 §7.8, §9.5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarQuery {
    pub props: Propfind,
    pub calendar_data: Option<CalendarDataRequest>,
    pub filter: Filter,
    /// `<C:timezone>`: a VCALENDAR with the VTIMEZONE for floating times (RFC 4791 §9.8).
    pub timezone: Option<String>,
    /// `<C:timezone-id>` (RFC 7809 §5.2), the id-only alternative.
    pub timezone_id: Option<String>,
    /// `<C:limit><C:nresults>` (RFC 4791 §9.5 allows extensions; RFC 6352's grammar).
    pub limit: Option<u32>,
}

/// `<C:calendar-multiget>` (RFC 4791 §7.9, §9.10).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarMultiget {
    pub props: Propfind,
    pub calendar_data: Option<CalendarDataRequest>,
    /// Decoded resource paths, in request order (absolute URLs reduced to their path).
    pub hrefs: Vec<String>,
}

/// `<C:free-busy-query>` (RFC 4791 §7.10): busy time within the range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FreeBusyQuery {
    pub range: TimeRange,
}

/// `<D:sync-level>` (RFC 6578 §6.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncLevel {
    One,
    Infinite,
}

/// `<D:sync-collection>` (RFC 6578 §3.2, §6.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncCollection {
    /// `None` for an empty `<D:sync-token/>`: the initial synchronisation.
    pub sync_token: Option<String>,
    pub sync_level: SyncLevel,
    /// `<D:limit><D:nresults>` (RFC 6578 §3.7).
    pub limit: Option<u32>,
    pub props: Propfind,
}

impl Report {
    /// Parses a REPORT body; the document element decides which report it is.
    pub fn parse(body: &[u8]) -> Result<Self, XmlError> {
        let root = tree::parse(body)?;
        let (ns, local) = (root.name.ns.as_str(), root.name.local.as_str());
        let report = match (ns, local) {
            (CALDAV, "calendar-query") => {
                let (props, calendar_data) = selection(&root)?;
                // RFC 4791 §9.5: the filter is required.
                let filter_el = root.child(CALDAV, "filter").ok_or_else(|| {
                    XmlError::caldav_precondition("valid-filter", "<C:calendar-query> must contain a <C:filter>")
                })?;
                Report::CalendarQuery(Box::new(CalendarQuery {
                    props,
                    calendar_data,
                    filter: filter::parse(filter_el)?,
                    timezone: root.child(CALDAV, "timezone").map(|t| t.text()),
                    timezone_id: root.child(CALDAV, "timezone-id").map(|t| t.text().trim().to_owned()),
                    limit: limit(&root, CALDAV)?,
                }))
            }
            (CALDAV, "calendar-multiget") => {
                let (props, calendar_data) = selection(&root)?;
                let hrefs = root
                    .children_named(DAV, "href")
                    .map(|h| href_decode(&h.text()))
                    .collect::<Result<_, _>>()?;
                Report::CalendarMultiget(CalendarMultiget {
                    props,
                    calendar_data,
                    hrefs,
                })
            }
            (CALDAV, "free-busy-query") => {
                // RFC 4791 §7.10: the time-range element is required.
                let range_el = root
                    .child(CALDAV, "time-range")
                    .ok_or_else(|| XmlError::invalid("<C:free-busy-query> must contain a <C:time-range>"))?;
                Report::FreeBusyQuery(FreeBusyQuery {
                    range: time_range(range_el, None)?,
                })
            }
            (DAV, "sync-collection") => Report::SyncCollection(sync_collection(&root)?),
            (DAV, "expand-property") => Report::ExpandProperty(principal::expand_property(&root)?),
            (DAV, "principal-property-search") => {
                Report::PrincipalPropertySearch(principal::principal_property_search(&root)?)
            }
            (DAV, "principal-search-property-set") => Report::PrincipalSearchPropertySet,
            (DAV, "acl-principal-prop-set") => Report::AclPrincipalPropSet(principal::acl_principal_prop_set(&root)),
            (DAV, "principal-match") => Report::PrincipalMatch(principal::principal_match(&root)?),
            _ => Report::Unknown(root.name),
        };
        Ok(report)
    }

    /// The report's name, as listed in `DAV:supported-report-set`.
    pub fn name(&self) -> PropName {
        match self {
            Report::CalendarQuery(_) => PropName::caldav("calendar-query"),
            Report::CalendarMultiget(_) => PropName::caldav("calendar-multiget"),
            Report::FreeBusyQuery(_) => PropName::caldav("free-busy-query"),
            Report::SyncCollection(_) => PropName::dav("sync-collection"),
            Report::ExpandProperty(_) => PropName::dav("expand-property"),
            Report::PrincipalPropertySearch(_) => PropName::dav("principal-property-search"),
            Report::PrincipalSearchPropertySet => PropName::dav("principal-search-property-set"),
            Report::AclPrincipalPropSet(_) => PropName::dav("acl-principal-prop-set"),
            Report::PrincipalMatch(_) => PropName::dav("principal-match"),
            Report::Unknown(name) => name.clone(),
        }
    }
}

fn sync_collection(root: &tree::Element) -> Result<SyncCollection, XmlError> {
    let sync_token = root
        .child(DAV, "sync-token")
        .map(|t| t.text().trim().to_owned())
        .filter(|t| !t.is_empty());
    let sync_level = match root.child(DAV, "sync-level").map(|l| l.text()) {
        // Clients written against drafts of RFC 6578 omit sync-level; they meant depth 1.
        None => SyncLevel::One,
        Some(level) => match level.trim() {
            "1" => SyncLevel::One,
            "infinite" | "infinity" => SyncLevel::Infinite,
            other => {
                return Err(XmlError::invalid(format!(
                    "sync-level must be \"1\" or \"infinite\", not {other:?}"
                )));
            }
        },
    };
    let (props, _) = selection(root)?;
    Ok(SyncCollection {
        sync_token,
        sync_level,
        limit: limit(root, DAV)?,
        props,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::request::principal::{ExpandItem, MatchType, PrincipalMatchTarget, PropertySearch, SearchTest};
    use calinvite_imip::query::{CompFilter, CompSelection};

    fn query(body: &str) -> CalendarQuery {
        match Report::parse(body.as_bytes()).unwrap() {
            Report::CalendarQuery(q) => *q,
            other => panic!("expected calendar-query, got {other:?}"),
        }
    }

    #[test]
    fn rfc4791_7_8_1_calendar_query_with_time_range_and_partial_data() {
        let q = query(
            r#"<?xml version="1.0" encoding="utf-8" ?>
   <C:calendar-query xmlns:D="DAV:"
                     xmlns:C="urn:ietf:params:xml:ns:caldav">
     <D:prop>
       <D:getetag/>
       <C:calendar-data>
         <C:comp name="VCALENDAR">
           <C:prop name="VERSION"/>
           <C:comp name="VEVENT">
             <C:prop name="SUMMARY"/>
             <C:prop name="UID"/>
           </C:comp>
           <C:comp name="VTIMEZONE"/>
         </C:comp>
       </C:calendar-data>
     </D:prop>
     <C:filter>
       <C:comp-filter name="VCALENDAR">
         <C:comp-filter name="VEVENT">
           <C:time-range start="20060104T000000Z"
                         end="20060105T000000Z"/>
         </C:comp-filter>
       </C:comp-filter>
     </C:filter>
   </C:calendar-query>"#,
        );
        assert_eq!(
            q.props,
            Propfind::Prop(vec![PropName::dav("getetag"), PropName::caldav("calendar-data")])
        );
        let comp = q.calendar_data.unwrap().comp.unwrap();
        assert_eq!(comp.name, "VCALENDAR");
        assert_eq!(comp.props, Some(vec!["VERSION".to_owned()]));
        assert_eq!(
            comp.comps
                .as_ref()
                .map(|c| c.iter().map(|s| s.name.as_str()).collect::<Vec<_>>()),
            Some(vec!["VEVENT", "VTIMEZONE"])
        );
        assert_eq!(
            q.filter.root.comp_filters,
            vec![CompFilter {
                name: "VEVENT".into(),
                is_not_defined: false,
                time_range: Some(TimeRange {
                    start: Some(1_136_332_800),
                    end: Some(1_136_419_200)
                }),
                prop_filters: vec![],
                comp_filters: vec![],
            }]
        );
        assert_eq!(q.timezone, None);
        assert_eq!(q.limit, None);
    }

    #[test]
    fn rfc4791_7_8_4_limit_freebusy_set_with_open_ended_time_range() {
        let q = query(
            r#"<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
     <D:prop><C:calendar-data><C:limit-freebusy-set start="20060102T000000Z" end="20060103T000000Z"/></C:calendar-data></D:prop>
     <C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VFREEBUSY">
       <C:time-range start="20060102T000000Z"/>
     </C:comp-filter></C:comp-filter></C:filter>
   </C:calendar-query>"#,
        );
        let tr = q.filter.root.comp_filters[0].time_range.unwrap();
        assert_eq!(tr.end, None);
        assert_eq!(
            q.calendar_data.unwrap().limit_freebusy_set,
            Some(TimeRange {
                start: Some(1_136_160_000),
                end: Some(1_136_246_400)
            })
        );
    }

    #[test]
    fn rfc4791_7_8_8_vtodo_query_with_timezone_and_allprop() {
        let q = query(
            "<C:calendar-query xmlns:C=\"urn:ietf:params:xml:ns:caldav\"><D:allprop xmlns:D=\"DAV:\"/>\
             <C:filter><C:comp-filter name=\"VCALENDAR\"><C:comp-filter name=\"VTODO\"/></C:comp-filter></C:filter>\
             <C:timezone>BEGIN:VCALENDAR\r\nBEGIN:VTIMEZONE\r\nTZID:US-Eastern\r\nEND:VTIMEZONE\r\nEND:VCALENDAR\r\n</C:timezone>\
             <C:limit><C:nresults>25</C:nresults></C:limit></C:calendar-query>",
        );
        assert_eq!(q.props, Propfind::AllProp { include: vec![] });
        assert_eq!(
            q.timezone.as_deref(),
            Some("BEGIN:VCALENDAR\nBEGIN:VTIMEZONE\nTZID:US-Eastern\nEND:VTIMEZONE\nEND:VCALENDAR\n")
        );
        assert_eq!(q.limit, Some(25));
    }

    #[test]
    fn thunderbird_etag_query_without_calendar_data() {
        let q = query(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<calendar-query xmlns:D="DAV:" xmlns="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/><D:getcontenttype/></D:prop><filter><comp-filter name="VCALENDAR"><comp-filter name="VEVENT"><time-range start="20240101T000000Z"/></comp-filter></comp-filter></filter></calendar-query>"#,
        );
        assert_eq!(q.calendar_data, None);
        assert_eq!(q.filter.root.comp_filters[0].name, "VEVENT");
    }

    #[test]
    fn calendar_query_filter_errors_carry_their_preconditions() {
        let missing = r#"<C:calendar-query xmlns:C="urn:ietf:params:xml:ns:caldav"/>"#;
        let wrong_root = r#"<C:calendar-query xmlns:C="urn:ietf:params:xml:ns:caldav"><C:filter><C:comp-filter name="VEVENT"/></C:filter></C:calendar-query>"#;
        let collation = r#"<C:calendar-query xmlns:C="urn:ietf:params:xml:ns:caldav"><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:prop-filter name="SUMMARY"><C:text-match collation="i;basic">x</C:text-match></C:prop-filter></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>"#;
        for (body, pre) in [
            (missing, "valid-filter"),
            (wrong_root, "valid-filter"),
            (collation, "supported-collation"),
        ] {
            let err = Report::parse(body.as_bytes()).unwrap_err();
            assert_eq!(err.precondition(), Some(&PropName::caldav(pre)), "{body}");
            assert_eq!(err.status(), http::StatusCode::FORBIDDEN);
        }
    }

    #[test]
    fn rfc4791_7_9_1_multiget_decodes_hrefs_in_order() {
        let body = br#"<?xml version="1.0" encoding="utf-8" ?>
   <C:calendar-multiget xmlns:D="DAV:"
                        xmlns:C="urn:ietf:params:xml:ns:caldav">
     <D:prop>
       <D:getetag/>
       <C:calendar-data/>
     </D:prop>
     <D:href>/bernard/work/abcd1.ics</D:href>
     <D:href>/bernard/work/mtg1.ics</D:href>
     <D:href>https://cal.example.com/bernard/work/Caf%C3%A9%20%40%20noon.ics</D:href>
   </C:calendar-multiget>"#;
        let Report::CalendarMultiget(m) = Report::parse(body).unwrap() else {
            panic!("expected multiget");
        };
        assert_eq!(
            m.hrefs,
            vec![
                "/bernard/work/abcd1.ics",
                "/bernard/work/mtg1.ics",
                "/bernard/work/Café @ noon.ics"
            ]
        );
        assert_eq!(m.calendar_data, Some(CalendarDataRequest::default()));
        assert_eq!(
            m.props,
            Propfind::Prop(vec![PropName::dav("getetag"), PropName::caldav("calendar-data")])
        );
    }

    #[test]
    fn multiget_with_undecodable_href_is_an_error() {
        let body = br#"<C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/></D:prop><D:href>/a/%FF.ics</D:href></C:calendar-multiget>"#;
        assert!(matches!(Report::parse(body), Err(XmlError::Invalid { .. })));
    }

    #[test]
    fn rfc4791_7_10_1_free_busy_query() {
        let body = br#"<?xml version="1.0" encoding="utf-8" ?>
   <C:free-busy-query xmlns:C="urn:ietf:params:xml:ns:caldav">
     <C:time-range start="20060104T140000Z"
                   end="20060105T220000Z"/>
   </C:free-busy-query>"#;
        assert_eq!(
            Report::parse(body).unwrap(),
            Report::FreeBusyQuery(FreeBusyQuery {
                range: TimeRange {
                    start: Some(1_136_383_200),
                    end: Some(1_136_498_400)
                }
            })
        );
    }

    #[test]
    fn free_busy_query_without_time_range_is_invalid() {
        let body = br#"<C:free-busy-query xmlns:C="urn:ietf:params:xml:ns:caldav"/>"#;
        assert!(matches!(Report::parse(body), Err(XmlError::Invalid { .. })));
    }

    #[test]
    fn rfc6578_3_8_sync_collection_example() {
        let body = br#"<?xml version="1.0" encoding="utf-8" ?>
   <D:sync-collection xmlns:D="DAV:">
     <D:sync-token>http://example.com/ns/sync/1232</D:sync-token>
     <D:sync-level>1</D:sync-level>
     <D:limit>
       <D:nresults>100</D:nresults>
     </D:limit>
     <D:prop>
       <D:getetag/>
     </D:prop>
   </D:sync-collection>"#;
        assert_eq!(
            Report::parse(body).unwrap(),
            Report::SyncCollection(SyncCollection {
                sync_token: Some("http://example.com/ns/sync/1232".into()),
                sync_level: SyncLevel::One,
                limit: Some(100),
                props: Propfind::Prop(vec![PropName::dav("getetag")]),
            })
        );
    }

    #[test]
    fn davx5_initial_sync_has_no_token() {
        let body = br#"<?xml version='1.0' encoding='UTF-8' ?><sync-collection xmlns="DAV:"><sync-token /><sync-level>1</sync-level><prop><getetag /></prop></sync-collection>"#;
        let Report::SyncCollection(s) = Report::parse(body).unwrap() else {
            panic!("expected sync-collection");
        };
        assert_eq!(s.sync_token, None);
        assert_eq!(s.limit, None);
    }

    #[test]
    fn sync_collection_rejects_bad_levels_and_limits() {
        for body in [
            r#"<D:sync-collection xmlns:D="DAV:"><D:sync-token/><D:sync-level>2</D:sync-level></D:sync-collection>"#,
            r#"<D:sync-collection xmlns:D="DAV:"><D:sync-token/><D:limit><D:nresults>-1</D:nresults></D:limit></D:sync-collection>"#,
            r#"<D:sync-collection xmlns:D="DAV:"><D:sync-token/><D:limit/></D:sync-collection>"#,
        ] {
            assert!(
                matches!(Report::parse(body.as_bytes()), Err(XmlError::Invalid { .. })),
                "{body}"
            );
        }
        let infinite = br#"<D:sync-collection xmlns:D="DAV:"><D:sync-token/><D:sync-level>infinite</D:sync-level><D:prop/></D:sync-collection>"#;
        let Report::SyncCollection(s) = Report::parse(infinite).unwrap() else {
            panic!("expected sync-collection");
        };
        assert_eq!(s.sync_level, SyncLevel::Infinite);
    }

    #[test]
    fn rfc3253_expand_property_nests_and_defaults_to_dav_namespace() {
        let body = br#"<D:expand-property xmlns:D="DAV:">
  <D:property name="calendar-proxy-write-for" namespace="http://calendarserver.org/ns/">
    <D:property name="displayname"/>
    <D:property name="calendar-user-address-set" namespace="urn:ietf:params:xml:ns:caldav"/>
  </D:property>
</D:expand-property>"#;
        let Report::ExpandProperty(e) = Report::parse(body).unwrap() else {
            panic!("expected expand-property");
        };
        assert_eq!(
            e.properties,
            vec![ExpandItem {
                name: PropName::calendarserver("calendar-proxy-write-for"),
                children: vec![
                    ExpandItem {
                        name: PropName::dav("displayname"),
                        children: vec![]
                    },
                    ExpandItem {
                        name: PropName::caldav("calendar-user-address-set"),
                        children: vec![]
                    },
                ],
            }]
        );
    }

    #[test]
    fn apple_principal_property_search_is_parsed() {
        let body = br#"<?xml version="1.0" encoding="UTF-8"?>
<A:principal-property-search xmlns:A="DAV:" test="anyof">
  <A:property-search>
    <A:prop><A:displayname/></A:prop>
    <A:match match-type="starts-with">ali</A:match>
  </A:property-search>
  <A:property-search>
    <A:prop><B:calendar-user-address-set xmlns:B="urn:ietf:params:xml:ns:caldav"/></A:prop>
    <A:match>alice@example.com</A:match>
  </A:property-search>
  <A:prop>
    <A:displayname/>
    <B:calendar-home-set xmlns:B="urn:ietf:params:xml:ns:caldav"/>
  </A:prop>
  <A:apply-to-principal-collection-set/>
</A:principal-property-search>"#;
        let Report::PrincipalPropertySearch(s) = Report::parse(body).unwrap() else {
            panic!("expected principal-property-search");
        };
        assert_eq!(s.test, SearchTest::AnyOf);
        assert!(s.apply_to_principal_collection_set);
        assert_eq!(
            s.searches,
            vec![
                PropertySearch {
                    props: vec![PropName::dav("displayname")],
                    text: "ali".into(),
                    match_type: MatchType::StartsWith,
                },
                PropertySearch {
                    props: vec![PropName::caldav("calendar-user-address-set")],
                    text: "alice@example.com".into(),
                    match_type: MatchType::Contains,
                },
            ]
        );
        assert_eq!(
            s.props,
            vec![PropName::dav("displayname"), PropName::caldav("calendar-home-set")]
        );
    }

    #[test]
    fn principal_property_search_without_searches_lists_every_principal() {
        let body = r#"<D:principal-property-search xmlns:D="DAV:"><D:prop><D:displayname/></D:prop></D:principal-property-search>"#;
        match Report::parse(body.as_bytes()).unwrap() {
            Report::PrincipalPropertySearch(s) => {
                assert!(s.searches.is_empty());
                assert_eq!(s.props, vec![PropName::dav("displayname")]);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn principal_property_search_without_match_or_with_a_bad_test_is_invalid() {
        for body in [
            r#"<D:principal-property-search xmlns:D="DAV:"><D:property-search><D:prop><D:displayname/></D:prop></D:property-search></D:principal-property-search>"#,
            r#"<D:principal-property-search xmlns:D="DAV:" test="someof"><D:property-search><D:match>x</D:match></D:property-search></D:principal-property-search>"#,
        ] {
            assert!(
                matches!(Report::parse(body.as_bytes()), Err(XmlError::Invalid { .. })),
                "{body}"
            );
        }
    }

    #[test]
    fn principal_search_property_set_acl_and_principal_match_are_parsed() {
        assert_eq!(
            Report::parse(br#"<D:principal-search-property-set xmlns:D="DAV:"/>"#).unwrap(),
            Report::PrincipalSearchPropertySet
        );
        assert_eq!(
            Report::parse(br#"<D:acl-principal-prop-set xmlns:D="DAV:"><D:prop><D:displayname/></D:prop></D:acl-principal-prop-set>"#).unwrap(),
            Report::AclPrincipalPropSet(AclPrincipalPropSet {
                props: vec![PropName::dav("displayname")]
            })
        );
        assert_eq!(
            Report::parse(
                br#"<D:principal-match xmlns:D="DAV:"><D:self/><D:prop><D:displayname/></D:prop></D:principal-match>"#
            )
            .unwrap(),
            Report::PrincipalMatch(PrincipalMatch {
                target: PrincipalMatchTarget::SelfPrincipal,
                props: vec![PropName::dav("displayname")]
            })
        );
        assert_eq!(
            Report::parse(br#"<D:principal-match xmlns:D="DAV:"><D:principal-property><D:owner/></D:principal-property></D:principal-match>"#).unwrap(),
            Report::PrincipalMatch(PrincipalMatch {
                target: PrincipalMatchTarget::Property(PropName::dav("owner")),
                props: vec![]
            })
        );
        assert!(Report::parse(br#"<D:principal-match xmlns:D="DAV:"/>"#).is_err());
    }

    #[test]
    fn unknown_reports_are_named_not_refused() {
        let body = br#"<C:addressbook-query xmlns:C="urn:ietf:params:xml:ns:carddav"/>"#;
        let report = Report::parse(body).unwrap();
        let name = PropName::new("urn:ietf:params:xml:ns:carddav", "addressbook-query");
        assert_eq!(report, Report::Unknown(name.clone()));
        assert_eq!(report.name(), name);
    }

    #[test]
    fn malformed_report_bodies_are_malformed() {
        for body in [&b""[..], b"<C:calendar-query>", b"<a><b></a>"] {
            assert!(matches!(Report::parse(body), Err(XmlError::Malformed(_))));
        }
    }

    #[test]
    fn calendar_data_comp_selection_in_multiget_uses_imip_types() {
        let body = br#"<C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><C:calendar-data><C:comp name="VCALENDAR"><C:allprop/><C:comp name="VEVENT"><C:allprop/><C:allcomp/></C:comp></C:comp></C:calendar-data></D:prop><D:href>/a.ics</D:href></C:calendar-multiget>"#;
        let Report::CalendarMultiget(m) = Report::parse(body).unwrap() else {
            panic!("expected multiget");
        };
        assert_eq!(
            m.calendar_data.unwrap().comp,
            Some(CompSelection {
                name: "VCALENDAR".into(),
                props: None,
                comps: Some(vec![CompSelection {
                    name: "VEVENT".into(),
                    props: None,
                    comps: None
                }])
            })
        );
    }
}
