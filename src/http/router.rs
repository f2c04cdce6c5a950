//! Routing, authentication and the per-request span.
//!
//! Every request runs in a `request` span carrying method, path, principal, status and
//! duration, and ends with one log line. Bodies are read here, within
//! `server.max_body_bytes`, so no handler can be made to buffer without bound.

use super::body::{self, Body, BodyError, full};
use crate::accounts::{AuthError, Credentials};
use crate::app::App;
use calinvite_storage::Principal;
use http::{HeaderValue, Method, Request, Response, StatusCode, header};
use hyper::body::Incoming;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;
use tracing::{Instrument, field};

/// Largest message the inbound webhook takes in.
const INBOUND_BODY_LIMIT: u64 = 64 * 1024 * 1024;

pub async fn handle(app: Arc<App>, req: Request<Incoming>, peer: SocketAddr) -> Response<Body> {
    let span = tracing::info_span!(
        "request",
        method = %req.method(),
        path = %req.uri().path(),
        %peer,
        principal = field::Empty,
        status = field::Empty,
        duration_ms = field::Empty,
    );
    let started = Instant::now();
    let response = route(app, req, peer).instrument(span.clone()).await;
    let status = response.status().as_u16();
    let elapsed = started.elapsed().as_secs_f64() * 1000.0;
    span.record("status", status);
    span.record("duration_ms", elapsed);
    span.in_scope(|| {
        if status >= 500 {
            tracing::error!(status, duration_ms = elapsed, "request failed");
        } else {
            tracing::debug!(status, duration_ms = elapsed, "request done");
        }
    });
    response
}

async fn route(app: Arc<App>, req: Request<Incoming>, peer: SocketAddr) -> Response<Body> {
    let path = req.uri().path().to_string();
    match path.as_str() {
        "/healthz" => return healthz(&app).await,
        "/.well-known/caldav" | "/.well-known/caldav/" => {
            // RFC 6764 §5: the well-known URI redirects to the context path.
            return redirect(StatusCode::MOVED_PERMANENTLY, "/dav/");
        }
        "/" if req.method() == Method::GET || req.method() == Method::HEAD => return landing(&app),
        _ => {}
    }
    if crate::pages::is_page(&path) {
        return crate::pages::handle(&app, req, peer).await;
    }
    if let Some(token) = path.strip_prefix("/u/") {
        return crate::pages::unsubscribe::handle(&app, req.method(), token).await;
    }
    let dav = path == "/dav" || path.starts_with("/dav/");
    let api = path.starts_with("/api/");
    if api && let Some(resp) = crate::api::public(req.method(), &path) {
        return resp;
    }
    if dav || api {
        let principal = match authenticate(&app, &req).await {
            Ok(p) => p,
            Err(resp) => return resp,
        };
        // Inbound mail may be larger than any API request; it is kept whatever its size
        // and quarantined when over inbound.max_message_bytes.
        let limit = if path == "/api/v1/inbound" {
            app.config.server.max_body_bytes.max(INBOUND_BODY_LIMIT)
        } else {
            app.config.server.max_body_bytes
        };
        let (parts, incoming) = req.into_parts();
        let bytes = match body::read_limited(incoming, limit).await {
            Ok(b) => b,
            Err(e) => return body_error(e),
        };
        let req = Request::from_parts(parts, bytes);
        return if dav {
            crate::dav_service::handle(&app, principal, req).await
        } else {
            crate::api::handle(&app, principal, req).await
        };
    }
    plain(StatusCode::NOT_FOUND, "not found\n")
}

/// Authenticates the request, recording the principal in the request span. On failure,
/// the response to send (401 with a challenge), after logging why.
pub async fn authenticate<B>(app: &App, req: &Request<B>) -> Result<Principal, Response<Body>> {
    let header = req.headers().get(header::AUTHORIZATION).map(|v| v.as_bytes());
    let result = match Credentials::from_header(header) {
        Ok(c) => app.auth.authenticate(c).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(p) => {
            tracing::Span::current().record("principal", p.name.as_str());
            Ok(p)
        }
        Err(AuthError::Store(e)) => {
            tracing::error!(error = %e, "authentication failed: store error");
            Err(plain(StatusCode::SERVICE_UNAVAILABLE, "the store is unavailable\n"))
        }
        Err(AuthError::Missing) => Err(unauthorized()),
        Err(e) => {
            tracing::info!(reason = %e, "authentication refused");
            Err(unauthorized())
        }
    }
}

fn unauthorized() -> Response<Body> {
    let mut resp = plain(StatusCode::UNAUTHORIZED, "authentication required\n");
    resp.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Basic realm=\"calinvite\", charset=\"UTF-8\""),
    );
    resp
}

fn body_error(e: BodyError) -> Response<Body> {
    tracing::info!(reason = %e, "request body refused");
    match e {
        BodyError::TooLarge(_) => plain(StatusCode::PAYLOAD_TOO_LARGE, &format!("{e}\n")),
        BodyError::Read(_) => plain(StatusCode::BAD_REQUEST, &format!("{e}\n")),
    }
}

async fn healthz(app: &App) -> Response<Body> {
    // A real read, so a broken store shows as unhealthy.
    match app.store.principal_by_name("healthz-probe").await {
        Ok(_) => plain(StatusCode::OK, "ok\n"),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            plain(StatusCode::SERVICE_UNAVAILABLE, "store unavailable\n")
        }
    }
}

fn landing(app: &App) -> Response<Body> {
    let base = app.config.public_url();
    let text = format!(
        "calinvite {}\n\nCalDAV: {base}/dav/  (discovery: {base}/.well-known/caldav)\nAPI:    {base}/api/v1/  (description: {base}/api/v1/openapi.json)\nHealth: {base}/healthz\n",
        env!("CARGO_PKG_VERSION")
    );
    plain(StatusCode::OK, &text)
}

pub fn plain(status: StatusCode, text: &str) -> Response<Body> {
    let mut resp = Response::new(full(text.to_string()));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    resp
}

fn redirect(status: StatusCode, location: &'static str) -> Response<Body> {
    let mut resp = Response::new(full(""));
    *resp.status_mut() = status;
    resp.headers_mut()
        .insert(header::LOCATION, HeaderValue::from_static(location));
    resp
}
