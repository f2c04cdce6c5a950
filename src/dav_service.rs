//! Hands authenticated DAV requests to the `calinvite-dav` crate, with the configured
//! limits.

use crate::app::App;
use crate::http::{Body, full};
use bytes::Bytes;
use calinvite_dav::DavContext;
use calinvite_imip::ical::Limits;
use calinvite_storage::Principal;
use http::{Request, Response};

pub async fn handle(app: &App, principal: Principal, req: Request<Bytes>) -> Response<Body> {
    let ctx = DavContext {
        store: app.store.clone(),
        principal,
        limits: limits(app),
        hooks: app.hooks.clone(),
    };
    let (parts, body) = calinvite_dav::handle(&ctx, req).await.into_parts();
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
