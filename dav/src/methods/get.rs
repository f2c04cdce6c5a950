//! GET and HEAD of an object, with a strong ETag and `If-None-Match` for cheap re-reads.

use super::{empty, etag_header};
use crate::context::DavContext;
use crate::error::{DavError, DavResult};
use crate::resource::Resource;
use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Response, StatusCode, header};

pub async fn handle(
    ctx: &DavContext,
    resource: &Resource,
    headers: &HeaderMap,
    head: bool,
) -> DavResult<Response<Bytes>> {
    let (collection, meta) = match resource {
        Resource::Object { collection, meta } => (collection, meta),
        Resource::Missing(_) => return Err(DavError::not_found()),
        _ => {
            // Collections have no body of their own; PROPFIND lists them.
            let mut resp = empty(StatusCode::OK);
            resp.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            );
            return Ok(resp);
        }
    };
    if let Some(inm) = headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok())
        && etag_list_contains(inm, &meta.etag)
    {
        let mut resp = empty(StatusCode::NOT_MODIFIED);
        resp.headers_mut().insert(header::ETAG, etag_header(&meta.etag));
        return Ok(resp);
    }
    let body = if head {
        Bytes::new()
    } else {
        let object = ctx
            .store
            .object(collection.id, &meta.name)
            .await?
            .ok_or_else(DavError::not_found)?;
        Bytes::from(object.body)
    };
    let mut resp = Response::new(body);
    let h = resp.headers_mut();
    h.insert(header::ETAG, etag_header(&meta.etag));
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&meta.content_type).unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    if head {
        h.insert(header::CONTENT_LENGTH, HeaderValue::from(meta.size));
    }
    if let Ok(v) = HeaderValue::from_str(&http_date(meta.modified_at)) {
        h.insert(header::LAST_MODIFIED, v);
    }
    Ok(resp)
}

/// Whether an `If-Match`/`If-None-Match` list (`"a", W/"b"` or `*`) names this ETag.
pub fn etag_list_contains(list: &str, etag: &str) -> bool {
    list.split(',')
        .map(str::trim)
        .any(|t| t == "*" || t.trim_start_matches("W/").trim_matches('"') == etag)
}

/// RFC 9110 §5.6.7 IMF-fixdate.
pub fn http_date(ts: i64) -> String {
    chrono::DateTime::from_timestamp(ts, 0)
        .unwrap_or_default()
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string()
}
