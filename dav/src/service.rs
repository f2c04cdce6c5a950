//! The DAV entry point: parse the path, resolve the resource, run the method, and turn
//! any error into its response (with the precondition element and a logged reason).

use crate::context::DavContext;
use crate::error::DavError;
use crate::methods::{self, copymove, delete, get, mkcol, options, propfind, proppatch, put, report};
use crate::path::DavPath;
use crate::resource::{self, Resource};
use crate::xml::response::{error_body, error_body_with_hrefs};
use bytes::Bytes;
use http::{HeaderValue, Method, Request, Response, StatusCode, header};

pub async fn handle(ctx: &DavContext, req: Request<Bytes>) -> Response<Bytes> {
    let (parts, body) = req.into_parts();
    let mut resp = match run(ctx, &parts.method, parts.uri.path(), &parts.headers, body).await {
        Ok(r) => r,
        Err(e) => error_response(e),
    };
    // RFC 4918 §10.1: every DAV response says what the server speaks.
    resp.headers_mut()
        .insert("dav", HeaderValue::from_static(options::DAV_CLASSES));
    resp
}

async fn run(
    ctx: &DavContext,
    method: &Method,
    path: &str,
    headers: &http::HeaderMap,
    body: Bytes,
) -> Result<Response<Bytes>, DavError> {
    if method == Method::OPTIONS {
        return Ok(options::handle());
    }
    // A fragment is never part of a resource's name: refuse it rather than act on a
    // different resource than the client meant (litmus `delete_fragment`).
    if path.contains('#') {
        return Err(DavError::bad_request("the request URI must not contain a fragment"));
    }
    let dav_path = DavPath::parse(path)?;
    let resource = resource::resolve(ctx, &dav_path).await?;
    match method.as_str() {
        "GET" => get::handle(ctx, &resource, headers, false).await,
        "HEAD" => get::handle(ctx, &resource, headers, true).await,
        "PUT" => put::handle(ctx, &resource, headers, body).await,
        "DELETE" => delete::handle(ctx, &resource, headers).await,
        "PROPFIND" => propfind::handle(ctx, &resource, headers, &body).await,
        "PROPPATCH" => proppatch::handle(ctx, &resource, &body).await,
        "MKCOL" => mkcol::handle(ctx, &resource, headers, &body, false).await,
        "MKCALENDAR" => mkcol::handle(ctx, &resource, headers, &body, true).await,
        "COPY" => copymove::handle(ctx, &resource, headers, false).await,
        "MOVE" => copymove::handle(ctx, &resource, headers, true).await,
        "REPORT" => report::handle(ctx, &resource, headers, &body).await,
        "LOCK" | "UNLOCK" => Err(not_allowed(
            &resource,
            "locking is not supported (WebDAV class 2 is not offered)",
        )),
        other => Err(not_allowed(&resource, &format!("method {other} is not supported"))),
    }
}

fn not_allowed(_resource: &Resource, reason: &str) -> DavError {
    DavError::method_not_allowed(reason)
}

fn error_response(e: DavError) -> Response<Bytes> {
    if e.status.is_server_error() {
        tracing::error!(status = e.status.as_u16(), reason = %e.reason, "DAV request failed");
    } else {
        tracing::info!(status = e.status.as_u16(), reason = %e.reason, precondition = ?e.precondition.as_ref().map(|p| p.to_string()), "DAV request refused");
    }
    let mut resp = match &e.precondition {
        Some(p) if e.hrefs.is_empty() => methods::with_body(
            e.status,
            "application/xml; charset=utf-8",
            error_body(p, Some(&e.reason)),
        ),
        Some(p) => methods::with_body(
            e.status,
            "application/xml; charset=utf-8",
            error_body_with_hrefs(p, &e.hrefs, Some(&e.reason)),
        ),
        None => methods::with_body(e.status, "text/plain; charset=utf-8", format!("{}\n", e.reason)),
    };
    if e.status == StatusCode::METHOD_NOT_ALLOWED {
        resp.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static(options::ALLOW));
    }
    resp
}
