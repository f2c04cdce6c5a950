//! The REST API (`/api/v1/...`): JSON in and out, API key (Bearer) or Basic auth.

mod me;

use crate::app::App;
use crate::http::Body;
use crate::http::router::{authenticate, plain};
use http::{Request, Response, StatusCode};
use std::sync::Arc;

pub async fn handle<B>(app: Arc<App>, req: Request<B>) -> Response<Body> {
    let principal = match authenticate(&app, &req).await {
        Ok(p) => p,
        Err(resp) => return resp,
    };
    match (req.method().as_str(), req.uri().path()) {
        ("GET", "/api/v1/me") => me::get(&principal),
        _ => plain(StatusCode::NOT_FOUND, "no such API endpoint\n"),
    }
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
