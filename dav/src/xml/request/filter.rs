//! `<C:filter>` of a calendar-query REPORT (RFC 4791 §9.7), parsed into the query model the
//! iCalendar crate evaluates. Every rule violation maps to the `valid-filter` precondition,
//! except an unknown collation, which has its own (`supported-collation`, RFC 4791 §7.5.1).

use calinvite_imip::query::{Collation, CompFilter, Filter, ParamFilter, PropFilter, TextMatch, TimeRange};

use super::time::time_range;
use crate::xml::error::XmlError;
use crate::xml::name::CALDAV;
use crate::xml::tree::Element;

fn invalid(reason: impl Into<String>) -> XmlError {
    XmlError::caldav_precondition("valid-filter", reason)
}

/// Parses a `<C:filter>` element.
pub(crate) fn parse(el: &Element) -> Result<Filter, XmlError> {
    let comp_filters: Vec<&Element> = el.children_named(CALDAV, "comp-filter").collect();
    // RFC 4791 §9.7: exactly one comp-filter, and it must name VCALENDAR.
    let [root] = comp_filters.as_slice() else {
        return Err(invalid(format!(
            "<C:filter> must contain exactly one <C:comp-filter name=\"VCALENDAR\">, found {} comp-filters",
            comp_filters.len()
        )));
    };
    let root = comp_filter(root)?;
    if root.name != "VCALENDAR" {
        return Err(invalid(format!(
            "the top-level comp-filter must be VCALENDAR, not {}",
            root.name
        )));
    }
    Ok(Filter { root })
}

fn name(el: &Element) -> Result<String, XmlError> {
    match el.attr("name").map(str::trim) {
        Some(n) if !n.is_empty() => Ok(n.to_ascii_uppercase()),
        _ => Err(invalid(format!(
            "<C:{}> needs a non-empty name attribute",
            el.name.local
        ))),
    }
}

/// Elements of the filter grammar; foreign-namespace extensions are ignored.
fn caldav_children(el: &Element) -> impl Iterator<Item = &Element> {
    el.elements().filter(|c| c.name.ns == CALDAV)
}

fn range(el: &Element) -> Result<TimeRange, XmlError> {
    time_range(el, Some("valid-filter"))
}

/// RFC 4791 §9.7.1: `(is-not-defined | (time-range?, prop-filter*, comp-filter*))`.
fn comp_filter(el: &Element) -> Result<CompFilter, XmlError> {
    let mut filter = CompFilter {
        name: name(el)?,
        is_not_defined: false,
        time_range: None,
        prop_filters: Vec::new(),
        comp_filters: Vec::new(),
    };
    for child in caldav_children(el) {
        match child.name.local.as_str() {
            "is-not-defined" => filter.is_not_defined = true,
            "time-range" => filter.time_range = Some(range(child)?),
            "prop-filter" => filter.prop_filters.push(prop_filter(child)?),
            "comp-filter" => filter.comp_filters.push(comp_filter(child)?),
            other => return Err(invalid(format!("<C:{other}> is not allowed in a comp-filter"))),
        }
    }
    Ok(filter)
}

/// RFC 4791 §9.7.2: `(is-not-defined | ((time-range | text-match)?, param-filter*))`.
fn prop_filter(el: &Element) -> Result<PropFilter, XmlError> {
    let mut filter = PropFilter {
        name: name(el)?,
        is_not_defined: false,
        time_range: None,
        text_match: None,
        param_filters: Vec::new(),
    };
    for child in caldav_children(el) {
        match child.name.local.as_str() {
            "is-not-defined" => filter.is_not_defined = true,
            "time-range" => filter.time_range = Some(range(child)?),
            "text-match" => filter.text_match = Some(text_match(child)?),
            "param-filter" => filter.param_filters.push(param_filter(child)?),
            other => return Err(invalid(format!("<C:{other}> is not allowed in a prop-filter"))),
        }
    }
    if filter.time_range.is_some() && filter.text_match.is_some() {
        return Err(invalid(format!(
            "prop-filter {} has both time-range and text-match; use one",
            filter.name
        )));
    }
    Ok(filter)
}

/// RFC 4791 §9.7.3: `(is-not-defined | text-match)?`.
fn param_filter(el: &Element) -> Result<ParamFilter, XmlError> {
    let mut filter = ParamFilter {
        name: name(el)?,
        is_not_defined: false,
        text_match: None,
    };
    for child in caldav_children(el) {
        match child.name.local.as_str() {
            "is-not-defined" => filter.is_not_defined = true,
            "text-match" => filter.text_match = Some(text_match(child)?),
            other => return Err(invalid(format!("<C:{other}> is not allowed in a param-filter"))),
        }
    }
    Ok(filter)
}

/// RFC 4791 §9.7.5: `<C:text-match collation="..." negate-condition="yes|no">text`.
fn text_match(el: &Element) -> Result<TextMatch, XmlError> {
    let collation = match el.attr("collation") {
        None => Collation::default(),
        Some(name) => Collation::from_name(name.trim()).ok_or_else(|| {
            XmlError::caldav_precondition(
                "supported-collation",
                format!("collation {name:?} is not supported; use i;ascii-casemap, i;octet or i;unicode-casemap"),
            )
        })?,
    };
    let negate = match el.attr("negate-condition").map(str::trim) {
        None | Some("no") => false,
        Some("yes") => true,
        Some(other) => {
            return Err(invalid(format!(
                "negate-condition must be \"yes\" or \"no\", not {other:?}"
            )));
        }
    };
    Ok(TextMatch {
        text: el.text(),
        collation,
        negate,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::name::PropName;
    use crate::xml::tree;

    fn parse_str(inner: &str) -> Result<Filter, XmlError> {
        let body = format!(r#"<C:filter xmlns:C="urn:ietf:params:xml:ns:caldav">{inner}</C:filter>"#);
        parse(&tree::parse(body.as_bytes()).unwrap())
    }

    fn comp(name: &str) -> CompFilter {
        CompFilter {
            name: name.into(),
            is_not_defined: false,
            time_range: None,
            prop_filters: vec![],
            comp_filters: vec![],
        }
    }

    #[test]
    fn rfc4791_7_8_6_text_match_on_attendee_with_param_filter() {
        let filter = parse_str(
            r#"<C:comp-filter name="VCALENDAR">
                 <C:comp-filter name="VEVENT">
                   <C:prop-filter name="ATTENDEE">
                     <C:text-match collation="i;ascii-casemap">mailto:lisa@example.com</C:text-match>
                     <C:param-filter name="PARTSTAT">
                       <C:text-match collation="i;ascii-casemap">NEEDS-ACTION</C:text-match>
                     </C:param-filter>
                   </C:prop-filter>
                 </C:comp-filter>
               </C:comp-filter>"#,
        )
        .unwrap();
        let mut vevent = comp("VEVENT");
        vevent.prop_filters.push(PropFilter {
            name: "ATTENDEE".into(),
            is_not_defined: false,
            time_range: None,
            text_match: Some(TextMatch {
                text: "mailto:lisa@example.com".into(),
                collation: Collation::AsciiCasemap,
                negate: false,
            }),
            param_filters: vec![ParamFilter {
                name: "PARTSTAT".into(),
                is_not_defined: false,
                text_match: Some(TextMatch {
                    text: "NEEDS-ACTION".into(),
                    collation: Collation::AsciiCasemap,
                    negate: false,
                }),
            }],
        });
        let mut root = comp("VCALENDAR");
        root.comp_filters.push(vevent);
        assert_eq!(filter, Filter { root });
    }

    #[test]
    fn rfc4791_7_8_5_alarm_time_range_nests_three_levels() {
        let filter = parse_str(
            r#"<C:comp-filter name="VCALENDAR"><C:comp-filter name="VTODO"><C:comp-filter name="VALARM">
                 <C:time-range start="20060106T100000Z" end="20060107T100000Z"/>
               </C:comp-filter></C:comp-filter></C:comp-filter>"#,
        )
        .unwrap();
        let valarm = &filter.root.comp_filters[0].comp_filters[0];
        assert_eq!(valarm.name, "VALARM");
        assert_eq!(
            valarm.time_range,
            Some(TimeRange {
                start: Some(1_136_541_600),
                end: Some(1_136_628_000)
            })
        );
    }

    #[test]
    fn rfc4791_7_8_7_is_not_defined_and_lower_case_names() {
        let filter = parse_str(
            r#"<C:comp-filter name="vcalendar"><C:comp-filter name="vtodo">
                 <C:prop-filter name="completed"><C:is-not-defined/></C:prop-filter>
                 <C:prop-filter name="STATUS"><C:text-match negate-condition="yes">CANCELLED</C:text-match></C:prop-filter>
               </C:comp-filter></C:comp-filter>"#,
        )
        .unwrap();
        let vtodo = &filter.root.comp_filters[0];
        assert_eq!(filter.root.name, "VCALENDAR");
        assert_eq!(vtodo.name, "VTODO");
        assert_eq!(vtodo.prop_filters[0].name, "COMPLETED");
        assert!(vtodo.prop_filters[0].is_not_defined);
        let status = vtodo.prop_filters[1].text_match.as_ref().unwrap();
        assert!(status.negate);
        assert_eq!(status.text, "CANCELLED");
        assert_eq!(status.collation, Collation::AsciiCasemap);
    }

    #[test]
    fn octet_and_unicode_collations_are_recognised() {
        let filter = parse_str(
            r#"<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">
                 <C:prop-filter name="UID"><C:text-match collation="i;octet">DC6C50A017428C5216A2F1CD@example.com</C:text-match></C:prop-filter>
                 <C:prop-filter name="SUMMARY"><C:text-match collation="i;unicode-casemap">Été</C:text-match></C:prop-filter>
               </C:comp-filter></C:comp-filter>"#,
        )
        .unwrap();
        let props = &filter.root.comp_filters[0].prop_filters;
        assert_eq!(props[0].text_match.as_ref().unwrap().collation, Collation::Octet);
        assert_eq!(
            props[1].text_match.as_ref().unwrap().collation,
            Collation::UnicodeCasemap
        );
    }

    #[test]
    fn unknown_collation_fails_supported_collation() {
        let err = parse_str(
            r#"<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:prop-filter name="SUMMARY"><C:text-match collation="i;klingon">x</C:text-match></C:prop-filter></C:comp-filter></C:comp-filter>"#,
        )
        .unwrap_err();
        assert_eq!(err.precondition(), Some(&PropName::caldav("supported-collation")));
    }

    #[test]
    fn filters_not_rooted_at_one_vcalendar_fail_valid_filter() {
        for inner in [
            "",
            r#"<C:comp-filter name="VEVENT"/>"#,
            r#"<C:comp-filter name="VCALENDAR"/><C:comp-filter name="VCALENDAR"/>"#,
            r#"<C:comp-filter/>"#,
            r#"<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:prop-filter name="DTSTART"><C:time-range start="20060104T000000Z"/><C:text-match>x</C:text-match></C:prop-filter></C:comp-filter></C:comp-filter>"#,
            r#"<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:time-range start="2006-01-04"/></C:comp-filter></C:comp-filter>"#,
            r#"<C:comp-filter name="VCALENDAR"><C:text-match>x</C:text-match></C:comp-filter>"#,
            r#"<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:prop-filter name="X"><C:text-match negate-condition="maybe">x</C:text-match></C:prop-filter></C:comp-filter></C:comp-filter>"#,
        ] {
            let err = parse_str(inner).unwrap_err();
            assert_eq!(
                err.precondition(),
                Some(&PropName::caldav("valid-filter")),
                "{inner}: {err}"
            );
        }
    }

    #[test]
    fn foreign_extension_elements_are_ignored() {
        let filter = parse_str(
            r#"<C:comp-filter name="VCALENDAR" xmlns:X="urn:x"><X:hint/><C:comp-filter name="VEVENT"/></C:comp-filter>"#,
        )
        .unwrap();
        assert_eq!(filter.root.comp_filters.len(), 1);
    }
}
