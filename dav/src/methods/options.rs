//! OPTIONS: what the server speaks (RFC 4918 §10.1, RFC 4791 §5.1, RFC 6638 §2).
//!
//! Class 2 (locking) is not advertised: calinvite does not implement LOCK, and a client
//! that sees class 2 would try to lock before writing.

use super::empty;
use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode};

/// `calendar-auto-schedule` is RFC 6638's token; `calendar-schedule` is the older draft's,
/// which some clients still look for.
pub const DAV_CLASSES: &str =
    "1, 3, access-control, calendar-access, calendar-auto-schedule, calendar-schedule, extended-mkcol";
pub const ALLOW: &str = "OPTIONS, GET, HEAD, PUT, DELETE, PROPFIND, PROPPATCH, MKCOL, MKCALENDAR, COPY, MOVE, REPORT";

pub fn handle() -> Response<Bytes> {
    let mut resp = empty(StatusCode::OK);
    let h = resp.headers_mut();
    h.insert("dav", HeaderValue::from_static(DAV_CLASSES));
    h.insert(http::header::ALLOW, HeaderValue::from_static(ALLOW));
    h.insert(http::header::CONTENT_LENGTH, HeaderValue::from_static("0"));
    resp
}
