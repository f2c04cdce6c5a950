//! `POST /api/v1/links`: per-recipient signed invite links, in bulk, for an email
//! platform to merge into a campaign (JSON, or CSV to import as a merge field).
//!
//! Each link (`/i/{code}?e=&n=&l=&s=`) names its recipient and is signed with the link
//! key, so a recipient cannot edit it to invite somebody else. Nothing is stored or sent
//! here: a link sends when its recipient clicks it.

use super::problem::{bad_request, not_found, problem, store_error};
use super::{address, json};
use crate::app::App;
use crate::http::{Body, full};
use calinvite_storage::Principal;
use http::{HeaderValue, Response, StatusCode, header};
use serde::Deserialize;

/// Most links made in one call.
pub const MAX_LINKS: usize = 100_000;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LinksBody {
    #[serde(default)]
    uid: Option<String>,
    #[serde(default)]
    group: Option<String>,
    #[serde(default)]
    recipients: Vec<address::RecipientIn>,
    #[serde(default)]
    format: Option<String>,
}

/// Characters escaped in a query value.
const QUERY_VALUE: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'@');

pub async fn create(app: &App, principal: &Principal, body: &[u8]) -> Response<Body> {
    let request: LinksBody = match serde_json::from_slice(body) {
        Ok(r) => r,
        Err(e) => return bad_request(format!("the body is not a links request: {e}")),
    };
    let csv = match request.format.as_deref().unwrap_or("json") {
        "json" => false,
        "csv" => true,
        other => return bad_request(format!("format `{other}` is not json or csv")),
    };
    if request.recipients.len() > MAX_LINKS {
        return problem(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too-many-recipients",
            format!("at most {MAX_LINKS} links per call; ask for the rest in another call"),
        );
    }
    let signer = match app.pages.key.get() {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(error = %e, "link key unavailable");
            return problem(StatusCode::SERVICE_UNAVAILABLE, "link-key", e.to_string());
        }
    };
    let base = app.config.public_url();
    let (code, page) = match (request.uid.as_deref(), request.group.as_deref()) {
        (Some(uid), None) => match app.store.event_by_uid(principal.id, uid).await {
            Ok(Some(e)) if e.cancelled => {
                return problem(
                    StatusCode::CONFLICT,
                    "event-cancelled",
                    format!("event {uid} is cancelled"),
                );
            }
            Ok(Some(e)) => (e.public_code.clone(), format!("{base}/e/{}", e.public_code)),
            Ok(None) => return not_found(&format!("event {uid}")),
            Err(e) => return store_error(e),
        },
        (None, Some(group)) => {
            match crate::pages::group_has_events(app, principal.id, group).await {
                Ok(true) => {}
                Ok(false) => return not_found(&format!("group `{group}` (no event of yours has it)")),
                Err(e) => return store_error(e),
            }
            let code = signer.group_code(principal.id.0, group);
            let page = format!("{base}/g/{code}");
            (code, page)
        }
        _ => return bad_request("give exactly one of `uid` (an event) or `group`"),
    };
    let enc = |s: &str| percent_encoding::utf8_percent_encode(s, QUERY_VALUE).to_string();
    let mut links = Vec::with_capacity(request.recipients.len());
    let mut invalid = Vec::new();
    for r in request.recipients {
        let (email, name, lang) = match r.clean() {
            Ok(r) => (r.email, r.name.unwrap_or_default(), r.lang.unwrap_or_default()),
            Err(refused) => {
                invalid.push(refused);
                continue;
            }
        };
        let sig = signer.invite(&code, &email, &name, &lang);
        let url = format!(
            "{base}/i/{code}?e={}&n={}&l={}&s={sig}",
            enc(&email),
            enc(&name),
            enc(&lang)
        );
        links.push((email, name, lang, url));
    }
    tracing::info!(code = %code, links = links.len(), invalid = invalid.len(), "campaign links made");
    if csv {
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut rows = vec![["email", "name", "lang", "url"].map(String::from)];
        rows.extend(links.into_iter().map(|(e, n, l, u)| [e, n, l, u]));
        for row in rows {
            if let Err(e) = w.write_record(&row) {
                return problem(StatusCode::INTERNAL_SERVER_ERROR, "csv", e.to_string());
            }
        }
        let bytes = match w.into_inner() {
            Ok(b) => b,
            Err(e) => return problem(StatusCode::INTERNAL_SERVER_ERROR, "csv", e.to_string()),
        };
        let mut resp = Response::new(full(bytes));
        resp.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/csv; charset=utf-8"),
        );
        resp.headers_mut().insert(
            header::CONTENT_DISPOSITION,
            HeaderValue::from_static("attachment; filename=\"links.csv\""),
        );
        return resp;
    }
    let items: Vec<serde_json::Value> = links
        .into_iter()
        .map(|(email, name, lang, url)| serde_json::json!({ "email": email, "name": name, "lang": lang, "url": url }))
        .collect();
    json(
        StatusCode::OK,
        &serde_json::json!({
            "code": code,
            "page": page,
            "merge_tag_link": format!("{base}/i/{code}?email="),
            "links": items,
            "invalid": invalid,
        }),
    )
}

/// The JSON Schemas of this module's bodies, for the OpenAPI document.
pub fn schemas() -> Vec<(&'static str, serde_json::Value)> {
    let recipient = address::RecipientIn::schema();
    vec![
        (
            "LinksRequest",
            serde_json::json!({
                "type": "object",
                "additionalProperties": false,
                "description": "Either `uid` (an event) or `group`.",
                "properties": {
                    "uid": { "type": ["string", "null"] },
                    "group": { "type": ["string", "null"] },
                    "recipients": { "type": "array", "maxItems": MAX_LINKS, "items": recipient },
                    "format": { "type": ["string", "null"], "enum": ["json", "csv", null] }
                }
            }),
        ),
        (
            "Links",
            serde_json::json!({
                "type": "object",
                "required": ["code", "page", "merge_tag_link", "links", "invalid"],
                "properties": {
                    "code": { "type": "string" },
                    "page": { "type": "string" },
                    "merge_tag_link": { "type": "string" },
                    "links": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["email", "name", "lang", "url"],
                            "properties": {
                                "email": { "type": "string" },
                                "name": { "type": "string" },
                                "lang": { "type": "string" },
                                "url": { "type": "string" }
                            }
                        }
                    },
                    "invalid": address::refused_schema()
                }
            }),
        ),
    ]
}
