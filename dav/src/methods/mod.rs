//! One module per method. Each takes the request and the resolved context and returns a
//! response or a [`DavError`](crate::error::DavError).

pub mod copymove;
pub mod delete;
pub mod get;
pub mod mkcol;
pub mod options;
pub mod propfind;
pub mod proppatch;
pub mod put;
pub mod report;

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Response, StatusCode, header};

/// A response with a body and a content type.
pub fn with_body(status: StatusCode, content_type: &'static str, body: impl Into<Bytes>) -> Response<Bytes> {
    let mut resp = Response::new(body.into());
    *resp.status_mut() = status;
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    resp
}

pub fn empty(status: StatusCode) -> Response<Bytes> {
    let mut resp = Response::new(Bytes::new());
    *resp.status_mut() = status;
    resp
}

pub fn multistatus(body: Vec<u8>) -> Response<Bytes> {
    with_body(StatusCode::MULTI_STATUS, "application/xml; charset=utf-8", body)
}

/// A quoted strong ETag header value.
pub fn etag_header(etag: &str) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{etag}\"")).unwrap_or_else(|_| HeaderValue::from_static("\"\""))
}

/// The `Depth` header (RFC 4918 §10.2); absent means infinity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Depth {
    Zero,
    One,
    Infinity,
}

pub fn depth(headers: &HeaderMap, default: Depth) -> Result<Depth, crate::error::DavError> {
    match headers
        .get("depth")
        .map(|v| v.to_str().unwrap_or("").trim().to_ascii_lowercase())
    {
        None => Ok(default),
        Some(v) if v == "0" => Ok(Depth::Zero),
        Some(v) if v == "1" => Ok(Depth::One),
        Some(v) if v == "infinity" => Ok(Depth::Infinity),
        Some(v) => Err(crate::error::DavError::bad_request(format!(
            "Depth header `{v}` is not 0, 1 or infinity"
        ))),
    }
}
