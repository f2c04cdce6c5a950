//! The REST API (`/api/v1/...`): JSON in and out, API key (Bearer) or Basic auth, errors
//! as RFC 9457 problem details. A principal only ever sees its own events and batches:
//! anything else is 404, so nothing leaks.

mod address;
mod events;
mod inbound;
mod invitations;
mod links;
mod me;
mod pending;
mod problem;
mod recipients;
mod webhooks;

pub(crate) use address::normalize as normalize_address;

use crate::app::App;
use crate::http::Body;
use bytes::Bytes;
use calinvite_storage::Principal;
use http::{Method, Request, Response, StatusCode};

pub async fn handle(app: &App, principal: Principal, req: Request<Bytes>) -> Response<Body> {
    let path = req.uri().path().to_string();
    let segments: Vec<&str> = path.trim_start_matches("/api/v1/").split('/').collect();
    let method = req.method().clone();
    let query = req.uri().query().map(str::to_string);
    let (parts, body) = req.into_parts();
    let headers = parts.headers;
    let q = query.as_deref();
    match (&method, segments.as_slice()) {
        (&Method::GET, ["me"]) => me::get(&principal),
        (&Method::POST, ["events"]) => events::create::handle(app, &principal, &headers, q, &body).await,
        (&Method::GET, ["events"]) => events::list::events(app, &principal, q).await,
        (&Method::GET, ["events", uid]) => events::show::handle(app, &principal, &percent_decode(uid), &headers).await,
        (&Method::PATCH, ["events", uid]) => {
            events::patch::handle(app, &principal, &percent_decode(uid), &headers, &body).await
        }
        (&Method::DELETE, ["events", uid]) => events::delete::handle(app, &principal, &percent_decode(uid)).await,
        (&Method::GET, ["events", uid, "stats"]) => events::stats::event(app, &principal, &percent_decode(uid)).await,
        (&Method::GET, ["events", uid, "recipients.csv"]) => {
            events::csv::handle(app, &principal, &percent_decode(uid)).await
        }
        (&Method::GET, ["groups"]) => events::list::groups(app, &principal).await,
        (&Method::GET, ["groups", name, "stats"]) => events::stats::group(app, &principal, &percent_decode(name)).await,
        (&Method::POST, ["events", uid, "invitations"]) => {
            let uid = percent_decode(uid);
            invitations::create(app, &principal, &uid, &body).await
        }
        (&Method::POST, ["links"]) => links::create(app, &principal, &body).await,
        (&Method::GET, ["batches", id]) => invitations::progress(app, &principal, id).await,
        (&Method::POST, ["groups", name, "invitations"]) => {
            let name = percent_decode(name);
            invitations::create_for_group(app, &principal, &name, &body).await
        }
        (&Method::GET, ["events", uid, "recipients"]) => {
            let uid = percent_decode(uid);
            recipients::list(app, &principal, &uid, query.as_deref()).await
        }
        (&Method::POST, ["inbound"]) => inbound::receive(app, &principal, body).await,
        (&Method::GET, ["pending"]) => pending::list(app, &principal).await,
        (&Method::POST, ["pending", id, "approve"]) => pending::approve(app, &principal, id).await,
        (&Method::POST, ["pending", id, "discard"]) => pending::discard(app, &principal, id).await,
        (&Method::POST, ["webhooks"]) => webhooks::create(app, &principal, &body).await,
        (&Method::GET, ["webhooks"]) => webhooks::list(app, &principal).await,
        (&Method::GET, ["webhooks", id]) => webhooks::get(app, &principal, id).await,
        (&Method::DELETE, ["webhooks", id]) => webhooks::delete(app, &principal, id).await,
        (&Method::GET, ["webhooks", id, "deliveries"]) => {
            webhooks::deliveries(app, &principal, id, query.as_deref()).await
        }
        _ if path.starts_with("/api/v1/") => problem::problem(
            StatusCode::NOT_FOUND,
            "no-such-endpoint",
            format!("{method} {path} is not an API endpoint"),
        ),
        _ => problem::problem(
            StatusCode::NOT_FOUND,
            "no-such-endpoint",
            "the API lives under /api/v1/",
        ),
    }
}

fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned()
}

pub(crate) fn json(status: StatusCode, value: &serde_json::Value) -> Response<Body> {
    let mut resp = Response::new(crate::http::full(value.to_string()));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    resp
}
