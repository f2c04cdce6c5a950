//! `<C:calendar-data>` inside a `<D:prop>` of a PROPFIND or REPORT (RFC 4791 §9.6): which
//! components and properties to return, and whether to expand or limit recurrences.

use calinvite_imip::query::{CalendarDataRequest, CompSelection};

use super::time::time_range;
use crate::xml::error::XmlError;
use crate::xml::name::CALDAV;
use crate::xml::tree::Element;

/// Parses a `<C:calendar-data>` request element.
pub(crate) fn parse(el: &Element) -> Result<CalendarDataRequest, XmlError> {
    // RFC 4791 §9.6: content-type defaults to text/calendar, version to 2.0; anything else
    // fails the supported-calendar-data precondition (§7.8, §7.9).
    let content_type = el.attr("content-type").unwrap_or("text/calendar");
    let version = el.attr("version").unwrap_or("2.0");
    if !content_type.trim().eq_ignore_ascii_case("text/calendar") || version.trim() != "2.0" {
        return Err(XmlError::caldav_precondition(
            "supported-calendar-data",
            format!("calendar-data as {content_type} version {version} is not supported; ask for text/calendar 2.0"),
        ));
    }
    let mut request = CalendarDataRequest::default();
    for child in el.elements().filter(|c| c.name.ns == CALDAV) {
        match child.name.local.as_str() {
            "comp" => request.comp = Some(comp(child)?),
            // RFC 4791 §9.6.5-§9.6.7.
            "expand" => request.expand = Some(time_range(child, None)?),
            "limit-recurrence-set" => request.limit_recurrence_set = Some(time_range(child, None)?),
            "limit-freebusy-set" => request.limit_freebusy_set = Some(time_range(child, None)?),
            _ => {}
        }
    }
    Ok(request)
}

/// `<C:comp name>` with `(allprop | prop*), (allcomp | comp*)` (RFC 4791 §9.6.1).
fn comp(el: &Element) -> Result<CompSelection, XmlError> {
    let name = required_name(el)?;
    let mut props = Some(Vec::new());
    let mut comps = Some(Vec::new());
    let mut saw_prop = false;
    let mut saw_comp = false;
    for child in el.elements().filter(|c| c.name.ns == CALDAV) {
        match child.name.local.as_str() {
            "allprop" => props = None,
            "prop" => {
                saw_prop = true;
                if let Some(list) = props.as_mut() {
                    list.push(required_name(child)?);
                }
            }
            "allcomp" => comps = None,
            "comp" => {
                saw_comp = true;
                let sub = comp(child)?;
                if let Some(list) = comps.as_mut() {
                    list.push(sub);
                }
            }
            _ => {}
        }
    }
    // No prop (comp) element at all means all properties (components).
    if !saw_prop {
        props = None;
    }
    if !saw_comp {
        comps = None;
    }
    Ok(CompSelection { name, props, comps })
}

fn required_name(el: &Element) -> Result<String, XmlError> {
    match el.attr("name").map(str::trim) {
        Some(n) if !n.is_empty() => Ok(n.to_ascii_uppercase()),
        _ => Err(XmlError::invalid(format!(
            "<C:{}> needs a name attribute",
            el.name.local
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::name::PropName;
    use crate::xml::tree;
    use calinvite_imip::query::TimeRange;

    fn parse_str(s: &str) -> Result<CalendarDataRequest, XmlError> {
        parse(&tree::parse(s.as_bytes()).unwrap())
    }

    #[test]
    fn rfc4791_7_8_1_partial_retrieval_is_parsed() {
        let req = parse_str(
            r#"<C:calendar-data xmlns:C="urn:ietf:params:xml:ns:caldav">
             <C:comp name="VCALENDAR">
               <C:prop name="VERSION"/>
               <C:comp name="VEVENT">
                 <C:prop name="SUMMARY"/>
                 <C:prop name="UID"/>
                 <C:prop name="DTSTART"/>
               </C:comp>
               <C:comp name="VTIMEZONE"/>
             </C:comp>
           </C:calendar-data>"#,
        )
        .unwrap();
        let expected = CompSelection {
            name: "VCALENDAR".into(),
            props: Some(vec!["VERSION".into()]),
            comps: Some(vec![
                CompSelection {
                    name: "VEVENT".into(),
                    props: Some(vec!["SUMMARY".into(), "UID".into(), "DTSTART".into()]),
                    comps: None,
                },
                CompSelection {
                    name: "VTIMEZONE".into(),
                    props: None,
                    comps: None,
                },
            ]),
        };
        assert_eq!(req.comp, Some(expected));
        assert_eq!(req.expand, None);
    }

    #[test]
    fn allprop_and_allcomp_mean_everything_and_names_are_upper_cased() {
        let req = parse_str(
            r#"<C:calendar-data xmlns:C="urn:ietf:params:xml:ns:caldav"><C:comp name="vcalendar"><C:allprop/><C:allcomp/></C:comp></C:calendar-data>"#,
        )
        .unwrap();
        assert_eq!(
            req.comp,
            Some(CompSelection {
                name: "VCALENDAR".into(),
                props: None,
                comps: None
            })
        );
    }

    #[test]
    fn rfc4791_7_8_3_expand_is_parsed_as_unix_seconds() {
        let req = parse_str(
            r#"<C:calendar-data xmlns:C="urn:ietf:params:xml:ns:caldav"><C:expand start="20060103T000000Z" end="20060105T000000Z"/></C:calendar-data>"#,
        )
        .unwrap();
        assert_eq!(
            req.expand,
            Some(TimeRange {
                start: Some(1_136_246_400),
                end: Some(1_136_419_200)
            })
        );
    }

    #[test]
    fn limit_sets_are_parsed() {
        let req = parse_str(
            r#"<C:calendar-data xmlns:C="urn:ietf:params:xml:ns:caldav"><C:limit-recurrence-set start="20060103T000000Z" end="20060105T000000Z"/><C:limit-freebusy-set start="20060103T000000Z"/></C:calendar-data>"#,
        )
        .unwrap();
        assert_eq!(
            req.limit_recurrence_set,
            Some(TimeRange {
                start: Some(1_136_246_400),
                end: Some(1_136_419_200)
            })
        );
        assert_eq!(
            req.limit_freebusy_set,
            Some(TimeRange {
                start: Some(1_136_246_400),
                end: None
            })
        );
    }

    #[test]
    fn empty_calendar_data_asks_for_the_whole_object() {
        let req = parse_str(r#"<C:calendar-data xmlns:C="urn:ietf:params:xml:ns:caldav"/>"#).unwrap();
        assert_eq!(req, CalendarDataRequest::default());
    }

    #[test]
    fn unsupported_media_types_fail_supported_calendar_data() {
        let err = parse_str(
            r#"<C:calendar-data xmlns:C="urn:ietf:params:xml:ns:caldav" content-type="application/calendar+json"/>"#,
        )
        .unwrap_err();
        assert_eq!(err.precondition(), Some(&PropName::caldav("supported-calendar-data")));
    }

    #[test]
    fn floating_expand_bounds_and_nameless_comps_are_errors() {
        assert!(parse_str(
            r#"<C:calendar-data xmlns:C="urn:ietf:params:xml:ns:caldav"><C:expand start="20060103T000000" end="20060105T000000Z"/></C:calendar-data>"#
        )
        .is_err());
        assert!(parse_str(
            r#"<C:calendar-data xmlns:C="urn:ietf:params:xml:ns:caldav"><C:expand start="20060106T000000Z" end="20060105T000000Z"/></C:calendar-data>"#
        )
        .is_err());
        assert!(
            parse_str(r#"<C:calendar-data xmlns:C="urn:ietf:params:xml:ns:caldav"><C:comp/></C:calendar-data>"#)
                .is_err()
        );
    }
}
