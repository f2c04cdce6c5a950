//! Properties: the live ones computed from the store, and the dead ones clients set.
//!
//! One function answers "what is property P of resource R", so PROPFIND, REPORT and
//! sync-collection all give the same answer. Dead properties are kept as XML fragments in
//! the store (with their `xml:lang`, RFC 4918 §4.3); live ones are never stored twice.

use crate::context::DavContext;
use crate::path::{self, INBOX, OUTBOX};
use crate::resource::Resource;
use crate::xml::response::Out;
use crate::xml::{PropName, PropValue, sync_token};
use calinvite_storage::{Collection, CollectionKind, ObjectMeta, Properties};

pub const NS_DAV: &str = "DAV:";
pub const NS_CALDAV: &str = "urn:ietf:params:xml:ns:caldav";
pub const NS_CS: &str = "http://calendarserver.org/ns/";
pub const NS_ICAL: &str = "http://apple.com/ns/ical/";

/// Components a calendar accepts when MKCALENDAR did not say.
pub const DEFAULT_COMPONENTS: [&str; 3] = ["VEVENT", "VTODO", "VJOURNAL"];

/// Collection properties a client may set, stored with the collection (RFC 4791 §5.2,
/// Apple's calendar-color and calendar-order).
pub fn is_writable_collection_prop(name: &PropName) -> bool {
    matches!(
        (name.ns.as_str(), name.local.as_str()),
        (NS_DAV, "displayname")
            | (NS_CALDAV, "calendar-description")
            | (NS_CALDAV, "calendar-timezone")
            | (NS_CALDAV, "schedule-calendar-transp")
            | (NS_ICAL, "calendar-color")
            | (NS_ICAL, "calendar-order")
    ) || !is_live(name)
}

/// Properties the server computes; PROPPATCH on them fails with
/// `cannot-modify-protected-property` (RFC 4918 §16).
pub fn is_live(name: &PropName) -> bool {
    let dav = [
        "resourcetype",
        "getetag",
        "getcontenttype",
        "getcontentlength",
        "getlastmodified",
        "creationdate",
        "sync-token",
        "supported-report-set",
        "current-user-principal",
        "current-user-privilege-set",
        "owner",
        "principal-URL",
        "principal-collection-set",
        "lockdiscovery",
        "supportedlock",
        "acl",
        "supported-privilege-set",
        "quota-available-bytes",
        "quota-used-bytes",
        "group-membership",
        "alternate-URI-set",
        "resource-id",
    ];
    let caldav = [
        "supported-calendar-data",
        "supported-calendar-component-set",
        "max-resource-size",
        "min-date-time",
        "max-date-time",
        "max-instances",
        "max-attendees-per-instance",
        "calendar-home-set",
        "calendar-user-address-set",
        "schedule-inbox-URL",
        "schedule-outbox-URL",
        "calendar-user-type",
        "schedule-default-calendar-URL",
        "calendar-data",
        "supported-collation-set",
    ];
    match name.ns.as_str() {
        NS_DAV => dav.contains(&name.local.as_str()),
        NS_CALDAV => caldav.contains(&name.local.as_str()),
        NS_CS => name.local == "getctag",
        _ => false,
    }
}

/// The components a calendar accepts (its `supported-calendar-component-set`).
pub fn supported_components(collection: &Collection) -> Vec<String> {
    let key = PropName::caldav("supported-calendar-component-set").to_string();
    match collection.props.get(&key) {
        Some(stored) => {
            let names = comp_names(stored);
            if names.is_empty() {
                DEFAULT_COMPONENTS.iter().map(|s| s.to_string()).collect()
            } else {
                names
            }
        }
        None => DEFAULT_COMPONENTS.iter().map(|s| s.to_string()).collect(),
    }
}

/// The `name="..."` attributes of `<C:comp>` elements in a stored fragment.
fn comp_names(fragment: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = fragment;
    while let Some(i) = rest.find("name=") {
        rest = &rest[i + 5..];
        let Some(q) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            continue;
        };
        let body = &rest[1..];
        if let Some(end) = body.find(q) {
            out.push(body[..end].to_ascii_uppercase());
            rest = &body[end..];
        }
    }
    out
}

/// Encodes a dead property value for the store: the fragment, with its `xml:lang` in front
/// when it has one (NUL cannot occur in XML, so it separates them safely).
pub fn encode_dead(value: &PropValue) -> String {
    match value.lang() {
        Some(lang) => format!("{lang}\0{}", value.xml()),
        None => value.xml().to_string(),
    }
}

pub fn decode_dead(stored: &str) -> Option<PropValue> {
    let (lang, xml) = match stored.split_once('\0') {
        Some((lang, xml)) => (Some(lang.to_string()), xml.to_string()),
        None => (None, stored.to_string()),
    };
    match PropValue::from_stored(xml, lang) {
        Ok(v) => Some(v),
        Err(e) => {
            tracing::warn!(error = %e, "a stored property value is damaged; leaving it out");
            None
        }
    }
}

/// What a property lookup found.
pub enum Found {
    Value(Out),
    /// The property is not defined on this resource (404 in its propstat).
    Missing,
}

/// The names of every property of a resource (for `allprop` and `propname`), live ones
/// first. `calendar-data` is never among them (RFC 4791 §9.6: only when asked for).
pub fn names(ctx: &DavContext, resource: &Resource) -> Vec<PropName> {
    let d = PropName::dav;
    let c = PropName::caldav;
    let mut names = vec![
        d("resourcetype"),
        d("displayname"),
        d("current-user-principal"),
        d("current-user-privilege-set"),
    ];
    match resource {
        Resource::Root | Resource::PrincipalsRoot | Resource::CalendarsRoot => {
            names.push(d("principal-collection-set"));
            names.push(d("supported-report-set"));
        }
        Resource::Principal(_) => {
            names.extend([
                d("principal-URL"),
                d("owner"),
                d("principal-collection-set"),
                d("supported-report-set"),
                c("calendar-home-set"),
                c("calendar-user-address-set"),
                c("schedule-inbox-URL"),
                c("schedule-outbox-URL"),
                c("calendar-user-type"),
            ]);
        }
        Resource::Home(_) => names.extend([d("owner"), d("supported-report-set"), c("calendar-home-set")]),
        Resource::Inbox(_) => names.extend([
            d("owner"),
            d("supported-report-set"),
            c("schedule-default-calendar-URL"),
            c("supported-calendar-component-set"),
        ]),
        Resource::Outbox(_) => names.extend([d("owner"), d("supported-report-set")]),
        Resource::Collection(col) => {
            names.extend([
                d("owner"),
                d("supported-report-set"),
                d("sync-token"),
                d("getlastmodified"),
                d("creationdate"),
                PropName::calendarserver("getctag"),
            ]);
            if col.kind == CollectionKind::Calendar {
                names.extend([
                    c("supported-calendar-component-set"),
                    c("supported-calendar-data"),
                    c("supported-collation-set"),
                    c("max-resource-size"),
                    c("min-date-time"),
                    c("max-date-time"),
                    c("max-instances"),
                    c("max-attendees-per-instance"),
                ]);
            }
            push_dead(&mut names, &col.props);
        }
        Resource::Object { meta, .. } => {
            names.extend([
                d("getetag"),
                d("getcontenttype"),
                d("getcontentlength"),
                d("getlastmodified"),
                d("owner"),
            ]);
            push_dead(&mut names, &meta.props);
        }
        Resource::Missing(_) => {}
    }
    let _ = ctx;
    names
}

fn push_dead(names: &mut Vec<PropName>, props: &Properties) {
    for key in props.keys() {
        if let Ok(name) = key.parse::<PropName>()
            && !names.contains(&name)
        {
            names.push(name);
        }
    }
}

/// The value of one property. `calendar-data` is handled by the caller, which has the
/// object's body.
pub fn get(ctx: &DavContext, resource: &Resource, name: &PropName) -> Found {
    if let Some(v) = live(ctx, resource, name) {
        return Found::Value(v);
    }
    let stored = match resource {
        Resource::Collection(c) => c.props.get(&name.to_string()),
        Resource::Object { meta, .. } => meta.props.get(&name.to_string()),
        _ => None,
    };
    match stored.and_then(|s| decode_dead(s)) {
        Some(v) => Found::Value(Out::Dead(v)),
        None => Found::Missing,
    }
}

fn live(ctx: &DavContext, resource: &Resource, name: &PropName) -> Option<Out> {
    let me = &ctx.principal;
    let principal_href = path::principal_href(&me.name);
    match (name.ns.as_str(), name.local.as_str()) {
        (NS_DAV, "resourcetype") => Some(Out::ResourceType(resource_type(resource))),
        (NS_DAV, "current-user-principal") => Some(Out::Href(principal_href)),
        (NS_DAV, "current-user-privilege-set") => privileges(resource).map(Out::PrivilegeSet),
        (NS_DAV, "principal-collection-set") => Some(Out::Href("/dav/principals/".into())),
        (NS_DAV, "supported-report-set") => Some(Out::SupportedReportSet(reports(resource))),
        (NS_DAV, "owner") => match resource {
            Resource::Root | Resource::PrincipalsRoot | Resource::CalendarsRoot | Resource::Missing(_) => None,
            _ => Some(Out::Href(principal_href)),
        },
        (NS_DAV, "displayname") => display_name(ctx, resource),
        _ => match resource {
            Resource::Principal(p) => principal_prop(p, name),
            Resource::Home(p) => match (name.ns.as_str(), name.local.as_str()) {
                (NS_CALDAV, "calendar-home-set") => Some(Out::Href(path::home_href(&p.name))),
                _ => None,
            },
            Resource::Inbox(p) => match (name.ns.as_str(), name.local.as_str()) {
                (NS_CALDAV, "schedule-default-calendar-URL") => {
                    Some(Out::Href(path::collection_href(&p.name, "default")))
                }
                (NS_CALDAV, "supported-calendar-component-set") => {
                    Some(Out::CompSet(DEFAULT_COMPONENTS.iter().map(|s| s.to_string()).collect()))
                }
                _ => None,
            },
            Resource::Collection(c) => collection_prop(ctx, c, name),
            Resource::Object { meta, .. } => object_prop(meta, name),
            _ => None,
        },
    }
}

fn display_name(ctx: &DavContext, resource: &Resource) -> Option<Out> {
    match resource {
        Resource::Principal(p) | Resource::Home(p) => Some(Out::Text(p.display_name.clone())),
        Resource::Inbox(_) => Some(Out::Text("Inbox".into())),
        Resource::Outbox(_) => Some(Out::Text("Outbox".into())),
        Resource::Root => Some(Out::Text("calinvite".into())),
        Resource::Collection(c) => {
            let key = PropName::dav("displayname").to_string();
            match c.props.get(&key).and_then(|s| decode_dead(s)) {
                Some(v) => Some(Out::Dead(v)),
                None => Some(Out::Text(c.path.rsplit('/').next().unwrap_or(&c.path).to_string())),
            }
        }
        Resource::Object { meta, .. } => {
            let key = PropName::dav("displayname").to_string();
            meta.props.get(&key).and_then(|s| decode_dead(s)).map(Out::Dead)
        }
        _ => {
            let _ = ctx;
            None
        }
    }
}

fn principal_prop(p: &calinvite_storage::Principal, name: &PropName) -> Option<Out> {
    match (name.ns.as_str(), name.local.as_str()) {
        (NS_DAV, "principal-URL") => Some(Out::Href(path::principal_href(&p.name))),
        (NS_CALDAV, "calendar-home-set") => Some(Out::Href(path::home_href(&p.name))),
        // RFC 6638 §2.4.1: the addresses the principal is known by, mailto: first.
        (NS_CALDAV, "calendar-user-address-set") => {
            let mut hrefs: Vec<String> = p.emails.iter().map(|e| format!("mailto:{e}")).collect();
            hrefs.push(path::principal_href(&p.name));
            Some(Out::Hrefs(hrefs))
        }
        (NS_CALDAV, "schedule-inbox-URL") => Some(Out::Href(path::collection_href(&p.name, INBOX))),
        (NS_CALDAV, "schedule-outbox-URL") => Some(Out::Href(path::collection_href(&p.name, OUTBOX))),
        (NS_CALDAV, "calendar-user-type") => Some(Out::Text("INDIVIDUAL".into())),
        _ => None,
    }
}

fn collection_prop(ctx: &DavContext, c: &Collection, name: &PropName) -> Option<Out> {
    let calendar = c.kind == CollectionKind::Calendar;
    match (name.ns.as_str(), name.local.as_str()) {
        (NS_DAV, "sync-token") => Some(Out::Text(sync_token::format(c.id.0, c.sync_seq))),
        (NS_CS, "getctag") => Some(Out::Text(format!("\"{}-{}\"", c.id.0, c.sync_seq))),
        (NS_DAV, "getlastmodified") => Some(Out::Text(crate::methods::get::http_date(c.created_at))),
        (NS_DAV, "creationdate") => Some(Out::Text(rfc3339(c.created_at))),
        (NS_CALDAV, "supported-calendar-component-set") if calendar => Some(Out::CompSet(supported_components(c))),
        (NS_CALDAV, "supported-calendar-data") if calendar => Some(Out::Xml(
            r#"<C:calendar-data content-type="text/calendar" version="2.0"/>"#.into(),
        )),
        (NS_CALDAV, "supported-collation-set") if calendar => Some(Out::Xml(
            ["i;ascii-casemap", "i;octet", "i;unicode-casemap"]
                .iter()
                .map(|c| format!("<C:supported-collation>{c}</C:supported-collation>"))
                .collect(),
        )),
        (NS_CALDAV, "max-resource-size") if calendar => Some(Out::Text(ctx.limits.max_size.to_string())),
        (NS_CALDAV, "max-instances") if calendar => Some(Out::Text(ctx.limits.max_instances.to_string())),
        (NS_CALDAV, "max-attendees-per-instance") if calendar => Some(Out::Text(ctx.limits.max_attendees.to_string())),
        (NS_CALDAV, "min-date-time") if calendar => Some(Out::Text("19000101T000000Z".into())),
        (NS_CALDAV, "max-date-time") if calendar => Some(Out::Text("29991231T235959Z".into())),
        _ => None,
    }
}

fn object_prop(meta: &ObjectMeta, name: &PropName) -> Option<Out> {
    match (name.ns.as_str(), name.local.as_str()) {
        (NS_DAV, "getetag") => Some(Out::Text(format!("\"{}\"", meta.etag))),
        (NS_DAV, "getcontenttype") => Some(Out::Text(meta.content_type.clone())),
        (NS_DAV, "getcontentlength") => Some(Out::Text(meta.size.to_string())),
        (NS_DAV, "getlastmodified") => Some(Out::Text(crate::methods::get::http_date(meta.modified_at))),
        _ => None,
    }
}

fn rfc3339(ts: i64) -> String {
    chrono::DateTime::from_timestamp(ts, 0)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

fn resource_type(resource: &Resource) -> Vec<PropName> {
    let collection = PropName::dav("collection");
    match resource {
        Resource::Principal(_) => vec![collection, PropName::dav("principal")],
        Resource::Inbox(_) => vec![collection, PropName::caldav("schedule-inbox")],
        Resource::Outbox(_) => vec![collection, PropName::caldav("schedule-outbox")],
        Resource::Collection(c) if c.kind == CollectionKind::Calendar => vec![collection, PropName::caldav("calendar")],
        Resource::Object { .. } | Resource::Missing(_) => vec![],
        _ => vec![collection],
    }
}

fn reports(resource: &Resource) -> Vec<PropName> {
    let mut r = Vec::new();
    match resource {
        Resource::Collection(c) => {
            r.push(PropName::dav("sync-collection"));
            if c.kind == CollectionKind::Calendar {
                r.extend([
                    PropName::caldav("calendar-query"),
                    PropName::caldav("calendar-multiget"),
                    PropName::caldav("free-busy-query"),
                ]);
            }
        }
        Resource::Root | Resource::PrincipalsRoot | Resource::Principal(_) | Resource::Home(_) => {
            r.extend([
                PropName::dav("principal-property-search"),
                PropName::dav("principal-search-property-set"),
                PropName::dav("principal-match"),
            ]);
        }
        _ => {}
    }
    r
}

/// The caller's privileges (RFC 3744 §5.4): the owner may do everything with its own
/// resources; the shared roots are read-only.
fn privileges(resource: &Resource) -> Option<Vec<PropName>> {
    let d = PropName::dav;
    let read = vec![d("read"), d("read-current-user-privilege-set")];
    match resource {
        Resource::Root | Resource::PrincipalsRoot | Resource::CalendarsRoot | Resource::Principal(_) => Some(read),
        Resource::Missing(_) => None,
        Resource::Inbox(_) => {
            let mut p = read;
            p.extend([d("write-properties"), d("unbind"), PropName::caldav("schedule-deliver")]);
            Some(p)
        }
        Resource::Outbox(_) => {
            let mut p = read;
            p.push(PropName::caldav("schedule-send"));
            Some(p)
        }
        _ => Some(vec![
            d("read"),
            d("write"),
            d("write-properties"),
            d("write-content"),
            d("bind"),
            d("unbind"),
            d("read-current-user-privilege-set"),
            PropName::caldav("read-free-busy"),
        ]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn component_names_are_read_from_a_stored_set() {
        let stored = r#"<C:comp xmlns:C="urn:ietf:params:xml:ns:caldav" name="VEVENT"/><C:comp xmlns:C="urn:ietf:params:xml:ns:caldav" name='vtodo'/>"#;
        assert_eq!(comp_names(stored), vec!["VEVENT".to_string(), "VTODO".to_string()]);
        assert!(comp_names("").is_empty());
        assert!(comp_names("name=").is_empty());
    }

    #[test]
    fn dead_values_keep_their_language() {
        let v = PropValue::from_stored("<x:a xmlns:x=\"urn:x\">hi</x:a>".into(), Some("de".into())).unwrap();
        let back = decode_dead(&encode_dead(&v)).unwrap();
        assert_eq!(back, v);
        let plain = PropValue::from_text("a & b");
        assert_eq!(decode_dead(&encode_dead(&plain)).unwrap(), plain);
    }

    #[test]
    fn protected_properties_are_not_writable_and_dead_ones_are() {
        assert!(!is_writable_collection_prop(&PropName::dav("getetag")));
        assert!(!is_writable_collection_prop(&PropName::dav("resourcetype")));
        assert!(is_writable_collection_prop(&PropName::dav("displayname")));
        assert!(is_writable_collection_prop(&PropName::new("urn:x", "anything")));
    }
}
