//! The shape of a route-table entry ([`Route`]) and path-template matching.
//!
//! The table itself is [`super::ROUTES`]: one entry per operation, holding both what the
//! dispatcher needs (method, path template, who may call it, the handler) and what the
//! OpenAPI document says about it (operation id, summary, parameters, bodies, responses).
//! Because both read the same entry, an endpoint cannot be routed without being
//! documented, nor documented with a path or method it does not answer on.

use crate::app::App;
use crate::http::Body;
use bytes::Bytes;
use calinvite_storage::Principal;
use http::{HeaderMap, Method, Response};
use std::future::Future;
use std::pin::Pin;

/// Everything a handler may read from a request.
pub struct Cx<'a> {
    pub app: &'a App,
    pub principal: &'a Principal,
    /// The path parameters, percent-decoded, in the order of the template.
    pub params: Vec<String>,
    pub query: Option<&'a str>,
    pub headers: &'a HeaderMap,
    pub body: &'a Bytes,
}

pub type Reply<'a> = Pin<Box<dyn Future<Output = Response<Body>> + Send + 'a>>;

pub enum Handler {
    /// Needs no credentials (the API description itself).
    Public(fn() -> Response<Body>),
    Authed(for<'a> fn(Cx<'a>) -> Reply<'a>),
}

/// Who may call an operation. Enforced by the dispatcher, and documented.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Public,
    /// Any principal, on its own data.
    Principal,
    /// Domain owners only: server-wide data (inbound log, suppression list).
    Admin,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    Get,
    Post,
    Patch,
    Delete,
}

impl Verb {
    pub fn method(self) -> Method {
        match self {
            Verb::Get => Method::GET,
            Verb::Post => Method::POST,
            Verb::Patch => Method::PATCH,
            Verb::Delete => Method::DELETE,
        }
    }

    pub fn upper(self) -> &'static str {
        match self {
            Verb::Get => "GET",
            Verb::Post => "POST",
            Verb::Patch => "PATCH",
            Verb::Delete => "DELETE",
        }
    }

    pub fn lower(self) -> &'static str {
        match self {
            Verb::Get => "get",
            Verb::Post => "post",
            Verb::Patch => "patch",
            Verb::Delete => "delete",
        }
    }
}

/// The type of a query parameter, as documented and as the handler checks it.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    Text,
    /// An opaque cursor a previous page returned.
    Cursor,
    /// A page size from 1 to this maximum.
    Limit(u32),
    OneOf(&'static [&'static str]),
    /// `1` or `true` turns it on.
    Flag,
}

#[derive(Debug, Clone, Copy)]
pub struct Param {
    pub name: &'static str,
    pub kind: Kind,
    pub about: &'static str,
}

/// The `cursor` and `limit` parameters every list takes.
pub const fn paging(max: u32) -> [Param; 2] {
    [
        Param {
            name: "cursor",
            kind: Kind::Cursor,
            about: "The `next_cursor` of the previous page.",
        },
        Param {
            name: "limit",
            kind: Kind::Limit(max),
            about: "Items per page.",
        },
    ]
}

/// A response: status, media type and the component schema of its body (`""`: none).
#[derive(Debug, Clone, Copy)]
pub struct Answer(pub u16, pub &'static str, pub &'static str);

pub const JSON: &str = "application/json";

pub struct Route {
    pub verb: Verb,
    /// Below `/api/v1`, with `{name}` for a path parameter.
    pub path: &'static str,
    pub id: &'static str,
    pub summary: &'static str,
    pub access: Access,
    pub query: &'static [Param],
    /// Accepted request bodies: media type and component schema. Empty: no body.
    pub request: &'static [(&'static str, &'static str)],
    /// Success responses and the errors particular to this operation. The errors every
    /// operation can give (400, 401, 404, 503, and 403 for admin ones) are added by the
    /// document builder.
    pub responses: &'static [Answer],
    pub handler: Handler,
}

/// The path parameters of `path` (below `/api/v1`) if it fits the template, else `None`.
pub fn matches(template: &str, path: &str) -> Option<Vec<String>> {
    let t: Vec<&str> = template.trim_start_matches('/').split('/').collect();
    let p: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    if t.len() != p.len() {
        return None;
    }
    let mut params = Vec::new();
    for (t, p) in t.iter().zip(&p) {
        if t.starts_with('{') {
            if p.is_empty() {
                return None;
            }
            params.push(percent_encoding::percent_decode_str(p).decode_utf8_lossy().into_owned());
        } else if t != p {
            return None;
        }
    }
    Some(params)
}

/// The names of a template's path parameters.
pub fn param_names(template: &str) -> Vec<&str> {
    template
        .split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_match_whole_segments_and_decode_parameters() {
        assert_eq!(matches("/events/{uid}", "/events/a%40b"), Some(vec!["a@b".to_string()]));
        assert_eq!(matches("/events/{uid}", "/events/"), None);
        assert_eq!(matches("/events/{uid}", "/events/a/stats"), None);
        assert_eq!(matches("/me", "/me"), Some(vec![]));
        assert_eq!(param_names("/events/{uid}/x/{id}"), vec!["uid", "id"]);
    }
}
