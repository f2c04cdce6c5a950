//! API errors as RFC 9457 problem details (`application/problem+json`): a stable `type`
//! URI a client can switch on, a title, the status, and a detail a person can act on.

use crate::http::{Body, full};
use http::{HeaderValue, Response, StatusCode, header};

pub fn problem(status: StatusCode, kind: &str, detail: impl Into<String>) -> Response<Body> {
    problem_with(status, kind, detail, serde_json::Map::new())
}

/// A problem with extension members (RFC 9457 §3.2), such as the list of events an
/// import could not store.
pub fn problem_with(
    status: StatusCode,
    kind: &str,
    detail: impl Into<String>,
    extensions: serde_json::Map<String, serde_json::Value>,
) -> Response<Body> {
    let mut body = serde_json::json!({
        "type": format!("https://calinvite.invalid/problems/{kind}"),
        "title": status.canonical_reason().unwrap_or("error"),
        "status": status.as_u16(),
        "detail": detail.into(),
    });
    if let Some(members) = body.as_object_mut() {
        for (k, v) in extensions {
            members.entry(k).or_insert(v);
        }
    }
    let mut resp = Response::new(full(body.to_string()));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    resp
}

pub fn not_found(what: &str) -> Response<Body> {
    problem(StatusCode::NOT_FOUND, "not-found", format!("{what} not found"))
}

pub fn bad_request(detail: impl Into<String>) -> Response<Body> {
    problem(StatusCode::BAD_REQUEST, "bad-request", detail)
}

/// A store failure as a response. `Invalid` is the store refusing the input (a cursor it
/// did not issue, a malformed value), so it is the client's 400, not a 503.
pub fn store_error(e: calinvite_storage::StoreError) -> Response<Body> {
    if let calinvite_storage::StoreError::Invalid(detail) = e {
        return bad_request(detail);
    }
    tracing::error!(error = %e, "API request failed in the store");
    problem(
        StatusCode::SERVICE_UNAVAILABLE,
        "store",
        "the store could not complete the request; try again",
    )
}

/// The JSON Schema of a problem, for the OpenAPI document. Extension members (such as an
/// import's `failed` list) are allowed beside the standard ones.
pub fn schemas() -> Vec<(&'static str, serde_json::Value)> {
    vec![(
        "Problem",
        serde_json::json!({
            "type": "object",
            "required": ["type", "title", "status", "detail"],
            "properties": {
                "type": { "type": "string", "format": "uri" },
                "title": { "type": "string" },
                "status": { "type": "integer" },
                "detail": { "type": "string" }
            }
        }),
    )]
}
