//! The URL layout: what a request path names, before the store is asked.
//!
//! ```text
//! /dav/                              root (discovery starts here)
//! /dav/principals/{user}/            principal (RFC 5397, RFC 6638 §2)
//! /dav/calendars/{user}/             calendar home
//! /dav/calendars/{user}/inbox/       schedule inbox (RFC 6638 §2.2)
//! /dav/calendars/{user}/outbox/      schedule outbox (RFC 6638 §2.1)
//! /dav/calendars/{user}/{a}/{b}/...  collections (calendars, plain folders) and objects
//! ```

use crate::error::{DavError, DavResult};
use crate::xml::href::href_decode;

pub const INBOX: &str = "inbox";
pub const OUTBOX: &str = "outbox";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DavPath {
    Root,
    PrincipalsRoot,
    Principal {
        user: String,
    },
    CalendarsRoot,
    Home {
        user: String,
    },
    /// Below a home: the decoded segments, and whether the path ended with `/`.
    Member {
        user: String,
        segments: Vec<String>,
        trailing_slash: bool,
    },
}

impl DavPath {
    /// Parses a request path or an href. Anything outside `/dav/` is not ours.
    pub fn parse(raw: &str) -> DavResult<DavPath> {
        let decoded = href_decode(raw)?;
        let rest = match decoded.strip_prefix("/dav") {
            Some(r) if r.is_empty() || r.starts_with('/') => r,
            _ => return Err(DavError::not_found()),
        };
        let trailing_slash = rest.ends_with('/');
        let segments: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
        for s in &segments {
            if *s == "." || *s == ".." {
                return Err(DavError::bad_request("path segments `.` and `..` are not allowed"));
            }
        }
        Ok(match segments.as_slice() {
            [] => DavPath::Root,
            ["principals"] => DavPath::PrincipalsRoot,
            ["principals", user] => DavPath::Principal {
                user: user.to_lowercase(),
            },
            ["calendars"] => DavPath::CalendarsRoot,
            ["calendars", user] => DavPath::Home {
                user: user.to_lowercase(),
            },
            ["calendars", user, rest @ ..] => DavPath::Member {
                user: user.to_lowercase(),
                segments: rest.iter().map(|s| s.to_string()).collect(),
                trailing_slash,
            },
            _ => return Err(DavError::not_found()),
        })
    }
}

pub fn principal_href(user: &str) -> String {
    format!("/dav/principals/{user}/")
}

pub fn home_href(user: &str) -> String {
    format!("/dav/calendars/{user}/")
}

pub fn collection_href(user: &str, path: &str) -> String {
    format!("/dav/calendars/{user}/{path}/")
}

pub fn object_href(user: &str, collection_path: &str, name: &str) -> String {
    format!("/dav/calendars/{user}/{collection_path}/{name}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_name_their_resources() {
        assert_eq!(DavPath::parse("/dav/").unwrap(), DavPath::Root);
        assert_eq!(DavPath::parse("/dav").unwrap(), DavPath::Root);
        assert_eq!(
            DavPath::parse("/dav/principals/Alice/").unwrap(),
            DavPath::Principal { user: "alice".into() }
        );
        assert_eq!(
            DavPath::parse("/dav/calendars/alice").unwrap(),
            DavPath::Home { user: "alice".into() }
        );
        assert_eq!(
            DavPath::parse("/dav/calendars/alice/Work%20Cal/ev%C3%A9nt.ics").unwrap(),
            DavPath::Member {
                user: "alice".into(),
                segments: vec!["Work Cal".into(), "evént.ics".into()],
                trailing_slash: false
            }
        );
        assert_eq!(
            DavPath::parse("http://host:8080/dav/calendars/alice/default/").unwrap(),
            DavPath::Member {
                user: "alice".into(),
                segments: vec!["default".into()],
                trailing_slash: true
            }
        );
    }

    #[test]
    fn paths_outside_dav_or_with_dot_segments_are_refused() {
        assert_eq!(
            DavPath::parse("/davx/").unwrap_err().status,
            http::StatusCode::NOT_FOUND
        );
        assert_eq!(
            DavPath::parse("/other").unwrap_err().status,
            http::StatusCode::NOT_FOUND
        );
        assert_eq!(
            DavPath::parse("/dav/principals/a/b").unwrap_err().status,
            http::StatusCode::NOT_FOUND
        );
        assert_eq!(
            DavPath::parse("/dav/calendars/alice/../bob/").unwrap_err().status,
            http::StatusCode::BAD_REQUEST
        );
    }
}
