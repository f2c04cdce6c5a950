//! The principal-related REPORTs of RFC 3253 §3.8 and RFC 3744 §9, parsed into plain
//! structs so the handler can answer principal searches (clients such as Apple Calendar and
//! caldav-server-tester use them to find users and their calendar homes).

use super::names;
use crate::xml::error::XmlError;
use crate::xml::name::{DAV, PropName};
use crate::xml::tree::Element;

/// `<D:expand-property>` (RFC 3253 §3.8): properties to return, with href-valued ones
/// replaced by the named properties of the resources they point at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpandProperty {
    pub properties: Vec<ExpandItem>,
}

/// One `<D:property name namespace>`, with the properties to report for its targets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpandItem {
    pub name: PropName,
    pub children: Vec<ExpandItem>,
}

/// Whether all or any of the property searches must match. RFC 3744 §9.4 implies "all";
/// the `test="anyof"` attribute is the CalendarServer extension Apple clients send.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SearchTest {
    #[default]
    AllOf,
    AnyOf,
}

/// How a `<D:match>` string is compared: RFC 3744 §9.4 says "contains"; Apple clients send
/// `match-type="starts-with"` or `"equals"` (CalendarServer extension).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MatchType {
    #[default]
    Contains,
    StartsWith,
    Equals,
}

/// One `<D:property-search>`: match `text` against any of `props`, case-insensitively.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropertySearch {
    pub props: Vec<PropName>,
    pub text: String,
    pub match_type: MatchType,
}

/// `<D:principal-property-search>` (RFC 3744 §9.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrincipalPropertySearch {
    pub searches: Vec<PropertySearch>,
    pub test: SearchTest,
    /// Properties to return for each matching principal.
    pub props: Vec<PropName>,
    /// `<D:apply-to-principal-collection-set/>`: search all principal collections rather
    /// than the request URI.
    pub apply_to_principal_collection_set: bool,
}

/// `<D:acl-principal-prop-set>` (RFC 3744 §9.2): properties of the principals in the ACL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AclPrincipalPropSet {
    pub props: Vec<PropName>,
}

/// What a `<D:principal-match>` matches (RFC 3744 §9.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrincipalMatchTarget {
    /// `<D:self/>`: the principals the current user is or is a member of.
    SelfPrincipal,
    /// `<D:principal-property><D:owner/></D:principal-property>`: resources whose property
    /// names the current user.
    Property(PropName),
}

/// `<D:principal-match>` (RFC 3744 §9.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrincipalMatch {
    pub target: PrincipalMatchTarget,
    pub props: Vec<PropName>,
}

fn prop_list(el: &Element) -> Vec<PropName> {
    el.child(DAV, "prop").map(names).unwrap_or_default()
}

pub(crate) fn expand_property(root: &Element) -> Result<ExpandProperty, XmlError> {
    Ok(ExpandProperty {
        properties: expand_items(root)?,
    })
}

fn expand_items(el: &Element) -> Result<Vec<ExpandItem>, XmlError> {
    el.children_named(DAV, "property")
        .map(|p| {
            let local = p.attr("name").map(str::trim).unwrap_or_default();
            if local.is_empty() {
                return Err(XmlError::invalid("<D:property> needs a name attribute"));
            }
            // RFC 3253 §3.8: namespace defaults to "DAV:".
            let ns = p.attr("namespace").unwrap_or(DAV);
            Ok(ExpandItem {
                name: PropName::new(ns, local),
                children: expand_items(p)?,
            })
        })
        .collect()
}

pub(crate) fn principal_property_search(root: &Element) -> Result<PrincipalPropertySearch, XmlError> {
    let test = match root.attr("test").map(str::trim) {
        None | Some("allof") => SearchTest::AllOf,
        Some("anyof") => SearchTest::AnyOf,
        Some(other) => {
            return Err(XmlError::invalid(format!(
                "test must be \"allof\" or \"anyof\", not {other:?}"
            )));
        }
    };
    let mut searches = Vec::new();
    for search in root.children_named(DAV, "property-search") {
        let props = prop_list(search);
        let matcher = search
            .child(DAV, "match")
            .ok_or_else(|| XmlError::invalid("<D:property-search> must contain a <D:match> element"))?;
        let match_type = match matcher.attr("match-type").map(str::trim) {
            None | Some("contains") => MatchType::Contains,
            Some("starts-with") => MatchType::StartsWith,
            Some("equals") => MatchType::Equals,
            Some(other) => {
                return Err(XmlError::invalid(format!(
                    "match-type {other:?} is not supported; use contains, starts-with or equals"
                )));
            }
        };
        searches.push(PropertySearch {
            props,
            text: matcher.text(),
            match_type,
        });
    }
    // RFC 3744 §9.4 asks for at least one property-search, but clients list principals
    // with none (python caldav's search_principals()); an empty search matches every
    // principal the caller may see.
    Ok(PrincipalPropertySearch {
        searches,
        test,
        props: prop_list(root),
        apply_to_principal_collection_set: root.child(DAV, "apply-to-principal-collection-set").is_some(),
    })
}

pub(crate) fn acl_principal_prop_set(root: &Element) -> AclPrincipalPropSet {
    AclPrincipalPropSet { props: prop_list(root) }
}

pub(crate) fn principal_match(root: &Element) -> Result<PrincipalMatch, XmlError> {
    let target = if root.child(DAV, "self").is_some() {
        PrincipalMatchTarget::SelfPrincipal
    } else if let Some(pp) = root.child(DAV, "principal-property") {
        let name = pp
            .elements()
            .next()
            .ok_or_else(|| XmlError::invalid("<D:principal-property> must name a property"))?;
        PrincipalMatchTarget::Property(name.name.clone())
    } else {
        return Err(XmlError::invalid(
            "<D:principal-match> needs <D:self/> or <D:principal-property>",
        ));
    };
    Ok(PrincipalMatch {
        target,
        props: prop_list(root),
    })
}
