//! Qualified XML names as WebDAV uses them: a property, report or precondition is identified
//! by its namespace URI plus local name, never by the prefix a client happened to choose
//! (RFC 4918 §4.3, §21). Clark notation (`{ns}local`) gives them a stable text form for
//! storage keys and log fields.

use std::fmt;
use std::str::FromStr;

/// The WebDAV namespace (RFC 4918 §21).
pub const DAV: &str = "DAV:";
/// The CalDAV namespace (RFC 4791 §1.3).
pub const CALDAV: &str = "urn:ietf:params:xml:ns:caldav";
/// Apple's CalendarServer extensions (`getctag`, `calendar-proxy-*`, ...).
pub const CALENDARSERVER: &str = "http://calendarserver.org/ns/";
/// Apple iCal extensions (`calendar-color`, `calendar-order`).
pub const APPLE_ICAL: &str = "http://apple.com/ns/ical/";
/// The namespace bound to the reserved `xml` prefix (`xml:lang`).
pub const XML: &str = "http://www.w3.org/XML/1998/namespace";

/// A namespace-qualified element name, e.g. `{DAV:}displayname`.
///
/// An empty `ns` is an element in no namespace (legal in WebDAV for dead properties).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PropName {
    pub ns: String,
    pub local: String,
}

impl PropName {
    pub fn new(ns: impl Into<String>, local: impl Into<String>) -> Self {
        PropName {
            ns: ns.into(),
            local: local.into(),
        }
    }

    /// A name in the `DAV:` namespace.
    pub fn dav(local: &str) -> Self {
        Self::new(DAV, local)
    }

    /// A name in the CalDAV namespace.
    pub fn caldav(local: &str) -> Self {
        Self::new(CALDAV, local)
    }

    /// A name in Apple's CalendarServer namespace.
    pub fn calendarserver(local: &str) -> Self {
        Self::new(CALENDARSERVER, local)
    }

    /// A name in Apple's iCal namespace.
    pub fn apple_ical(local: &str) -> Self {
        Self::new(APPLE_ICAL, local)
    }

    /// Whether this is `{ns}local`.
    pub fn is(&self, ns: &str, local: &str) -> bool {
        self.ns == ns && self.local == local
    }
}

impl fmt::Display for PropName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ns.is_empty() {
            f.write_str(&self.local)
        } else {
            write!(f, "{{{}}}{}", self.ns, self.local)
        }
    }
}

/// Why a string is not a Clark-notation name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{input:?} is not a Clark-notation name; expected `{{namespace}}local` or `local`")]
pub struct ClarkError {
    pub input: String,
}

impl FromStr for PropName {
    type Err = ClarkError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || ClarkError { input: s.to_owned() };
        let (ns, local) = match s.strip_prefix('{') {
            Some(rest) => rest.split_once('}').ok_or_else(err)?,
            None => ("", s),
        };
        let local_ok = !local.is_empty()
            && !local
                .chars()
                .any(|c| c.is_whitespace() || matches!(c, '{' | '}' | ':' | '<' | '>' | '&'));
        if !local_ok || ns.contains('{') {
            return Err(err());
        }
        Ok(PropName::new(ns, local))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clark_notation_round_trips_for_namespaced_names() {
        let name = PropName::caldav("calendar-data");
        assert_eq!(name.to_string(), "{urn:ietf:params:xml:ns:caldav}calendar-data");
        assert_eq!(name.to_string().parse::<PropName>().unwrap(), name);
    }

    #[test]
    fn names_without_namespace_print_bare_and_parse_both_ways() {
        let name = PropName::new("", "foo");
        assert_eq!(name.to_string(), "foo");
        assert_eq!("foo".parse::<PropName>().unwrap(), name);
        assert_eq!("{}foo".parse::<PropName>().unwrap(), name);
    }

    #[test]
    fn malformed_clark_strings_are_rejected() {
        for bad in ["", "{DAV:", "{DAV:}", "{a{b}c", "a b", "{DAV:}x:y", "{DAV:}a}b"] {
            assert!(bad.parse::<PropName>().is_err(), "{bad:?} should fail");
        }
    }
}
