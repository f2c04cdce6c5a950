//! Hands authenticated DAV requests to the `calinvite-dav` crate, with the configured
//! limits and the lifecycle's hooks; and makes the server's own CalDAV requests (the demo
//! event, an organizer's mailed invitation) take the very same path.

use crate::app::App;
use crate::http::{Body, full};
use bytes::Bytes;
use calinvite_dav::DavContext;
use calinvite_imip::ical::Limits;
use calinvite_storage::Principal;
use http::{Request, Response};

pub async fn handle(app: &App, principal: Principal, req: Request<Bytes>) -> Response<Body> {
    let (parts, body) = calinvite_dav::handle(&context(app, principal), req).await.into_parts();
    Response::from_parts(parts, full(body))
}

pub fn limits(app: &App) -> Limits {
    let l = &app.config.limits;
    Limits {
        max_size: usize::try_from(l.max_resource_size).unwrap_or(usize::MAX),
        max_instances: usize::try_from(l.max_instances).unwrap_or(usize::MAX),
        max_attendees: usize::try_from(l.max_attendees).unwrap_or(usize::MAX),
    }
}

fn context(app: &App, principal: Principal) -> DavContext {
    DavContext {
        store: app.store.clone(),
        principal,
        limits: limits(app),
        hooks: app.hooks.clone(),
    }
}

/// A CalDAV request the server makes on a principal's behalf: validated, indexed and
/// registered exactly like a client's.
pub async fn internal(
    app: &App,
    principal: &Principal,
    method: http::Method,
    path: &str,
    headers: &[(http::header::HeaderName, &str)],
    body: Bytes,
) -> Response<Bytes> {
    let mut req = Request::builder().method(method).uri(path);
    for (name, value) in headers {
        req = req.header(name, *value);
    }
    match req.body(body) {
        Ok(req) => calinvite_dav::handle(&context(app, principal.clone()), req).await,
        Err(e) => {
            tracing::error!(%path, error = %e, "internal DAV request could not be built");
            let mut resp = Response::new(Bytes::from_static(b"bad request path"));
            *resp.status_mut() = http::StatusCode::BAD_REQUEST;
            resp
        }
    }
}
