//! `GET /api/v1/openapi.json`: the API's OpenAPI 3.1 description, built from the route
//! table ([`super::ROUTES`]) and the JSON Schemas each handler module writes next to the
//! code that produces those bodies. Nothing here lists endpoints by hand, so the document
//! describes exactly what the dispatcher answers; the tests below hold both to that.
//!
//! Errors every authenticated operation can give are added here once: 400, 404 and 503
//! as problem details (RFC 9457), 401 as the router's plain-text challenge, and 403 for
//! admin-only operations.

use super::route::{Access, Answer, Kind, Param, Route, param_names};
use super::{PREFIX, ROUTES};
use crate::http::{Body, full};
use http::{HeaderValue, Response, StatusCode, header};
use serde_json::{Map, Value, json};
use std::sync::OnceLock;

const PROBLEM: &str = "application/problem+json";

/// OpenAPI links (§4.8.20): which answer names the resource another operation takes, so
/// a client (and schemathesis's stateful phase) can follow from creating a thing to
/// using it. (from operation, status, to operation, path parameter, JSON pointer into
/// the answer.)
#[rustfmt::skip]
const LINKS: &[(&str, u16, &str, &str, &str)] = &[
    ("createEvents", 201, "getEvent", "uid", "/events/0/uid"),
    ("createEvents", 201, "patchEvent", "uid", "/events/0/uid"),
    ("createEvents", 201, "deleteEvent", "uid", "/events/0/uid"),
    ("createEvents", 201, "getEventStats", "uid", "/events/0/uid"),
    ("createEvents", 201, "listRecipients", "uid", "/events/0/uid"),
    ("createEvents", 201, "inviteRecipients", "uid", "/events/0/uid"),
    ("inviteRecipients", 202, "getBatch", "id", "/batch"),
    ("receiveInbound", 200, "getInbound", "id", "/id"),
    ("receiveInbound", 200, "retryInbound", "id", "/id"),
    ("addSuppression", 201, "removeSuppression", "email", "/email"),
    ("createWebhook", 201, "getWebhook", "id", "/id"),
    ("createWebhook", 201, "listDeliveries", "id", "/id"),
    ("createWebhook", 201, "deleteWebhook", "id", "/id"),
];

/// The document, built once: it depends on the code only.
pub fn serve() -> Response<Body> {
    static TEXT: OnceLock<String> = OnceLock::new();
    let text = TEXT.get_or_init(|| document().to_string());
    let mut resp = Response::new(full(text.clone()));
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    resp
}

/// Every component schema, from the modules that produce the bodies.
fn schemas() -> Map<String, Value> {
    let mut out = Map::new();
    for (name, schema) in super::problem::schemas()
        .into_iter()
        .chain(super::me::schemas())
        .chain(super::events::schemas())
        .chain(super::invitations::schemas())
        .chain(super::links::schemas())
        .chain(super::recipients::schemas())
        .chain(super::inbound::schemas())
        .chain(super::suppressions::schemas())
        .chain(super::pending::schemas())
        .chain(super::webhooks::schemas())
    {
        out.insert(name.to_string(), schema);
    }
    out
}

fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn param(p: &Param) -> Value {
    let schema = match p.kind {
        Kind::Text | Kind::Cursor => json!({ "type": "string" }),
        Kind::Limit(max) => json!({ "type": "integer", "minimum": 1, "maximum": max }),
        Kind::OneOf(values) => json!({ "type": "string", "enum": values }),
        Kind::Flag => json!({ "type": "string", "enum": ["0", "1"] }),
    };
    json!({ "name": p.name, "in": "query", "required": false, "description": p.about, "schema": schema })
}

fn reason(status: u16) -> &'static str {
    StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Response")
}

/// The `responses` object: the route's own answers, then the common errors.
fn responses(route: &Route) -> Value {
    let mut answers: Vec<Answer> = route.responses.to_vec();
    if route.access != Access::Public {
        for status in [400, 404, 503] {
            answers.push(Answer(status, "", ""));
        }
        answers.push(Answer(401, "text/plain", ""));
    }
    if route.access == Access::Admin {
        answers.push(Answer(403, "", ""));
    }
    let mut out = Map::new();
    for &(from, status, to, param, pointer) in LINKS.iter().filter(|l| l.0 == route.id) {
        let entry = out
            .entry(status.to_string())
            .or_insert_with(|| json!({ "description": reason(status) }));
        entry["links"][to] = json!({
            "operationId": to,
            "parameters": { param: format!("$response.body#{pointer}") },
            "description": format!("The {param} {from} answered with."),
        });
    }
    for Answer(status, media, schema) in answers {
        let entry = out
            .entry(status.to_string())
            .or_insert_with(|| json!({ "description": reason(status) }));
        let (media, schema) = match (media, schema) {
            ("", _) if status >= 400 => (PROBLEM, schema_ref("Problem")),
            ("", _) => continue,
            ("text/plain", "") => (media, json!({ "type": "string" })),
            (_, "") => (media, json!({ "type": "object" })),
            (_, name) => (media, schema_ref(name)),
        };
        entry["content"][media] = json!({ "schema": schema });
    }
    Value::Object(out)
}

fn operation(route: &Route) -> Value {
    let mut parameters: Vec<Value> = param_names(route.path)
        .into_iter()
        .map(|name| json!({ "name": name, "in": "path", "required": true, "schema": { "type": "string" } }))
        .collect();
    parameters.extend(route.query.iter().map(param));
    let mut op = json!({
        "operationId": route.id,
        "summary": route.summary,
        "parameters": parameters,
        "responses": responses(route),
    });
    if !route.request.is_empty() {
        let mut content = Map::new();
        for (media, schema) in route.request {
            content.insert(media.to_string(), json!({ "schema": schema_ref(schema) }));
        }
        op["requestBody"] = json!({ "required": true, "content": content });
    }
    match route.access {
        Access::Public => op["security"] = json!([]),
        Access::Admin => op["description"] = json!("Domain owners (admin role) only: 403 for anyone else."),
        Access::Principal => {}
    }
    op
}

/// The OpenAPI 3.1 document.
pub fn document() -> Value {
    let mut paths = Map::new();
    for route in ROUTES {
        let item = paths
            .entry(format!("{PREFIX}{}", route.path))
            .or_insert_with(|| json!({}));
        item[route.verb.lower()] = operation(route);
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "calinvite API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Calendar invitations over HTTP: events, invitations, answers, the inbound log, \
                the suppression list, pending changes and webhooks. Errors are RFC 9457 problem details. \
                Every list is paged the same way: `cursor` and `limit` in, `items` and `next_cursor` out."
        },
        "paths": paths,
        "components": {
            "schemas": schemas(),
            "securitySchemes": {
                "apiKey": { "type": "http", "scheme": "bearer", "description": "An API key (`calinvite apikey create`)." },
                "basic": { "type": "http", "scheme": "basic", "description": "User name and password." }
            }
        },
        "security": [{ "apiKey": [] }, { "basic": [] }]
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// A concrete path for a template: each `{param}` filled in.
    fn sample(template: &str) -> String {
        template
            .split('/')
            .map(|s| if s.starts_with('{') { "x1" } else { s })
            .collect::<Vec<_>>()
            .join("/")
    }

    #[test]
    fn every_routed_operation_is_in_the_document_and_every_documented_one_is_routed() {
        let doc = document();
        let paths = doc["paths"].as_object().expect("paths");
        let mut documented = BTreeSet::new();
        for (path, item) in paths {
            for (method, op) in item.as_object().expect("path item") {
                let rel = path.strip_prefix(PREFIX).expect("under /api/v1");
                let method: http::Method = method.to_uppercase().parse().expect("method");
                let (route, _) = super::super::find(&method, &sample(rel))
                    .unwrap_or_else(|_| panic!("{method} {path} is documented but not routed"));
                assert_eq!(op["operationId"], route.id, "{method} {path} dispatches elsewhere");
                documented.insert(route.id);
            }
        }
        for route in ROUTES {
            assert!(
                documented.contains(route.id),
                "{} is routed but not documented",
                route.id
            );
        }
        assert_eq!(documented.len(), ROUTES.len(), "operation ids must be unique");
    }

    fn refs(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get("$ref") {
                    out.push(r.clone());
                }
                m.values().for_each(|v| refs(v, out));
            }
            Value::Array(a) => a.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }

    #[test]
    fn links_join_documented_answers_to_parameters_of_real_operations() {
        let doc = document();
        for &(from, status, to, param, _) in LINKS {
            let route = |id: &str| {
                ROUTES
                    .iter()
                    .find(|r| r.id == id)
                    .unwrap_or_else(|| panic!("no operation {id}"))
            };
            let (from_route, to_route) = (route(from), route(to));
            assert!(
                from_route.responses.iter().any(|a| a.0 == status),
                "{from} does not answer {status}"
            );
            assert!(param_names(to_route.path).contains(&param), "{to} has no {param}");
            let op = &doc["paths"][format!("{PREFIX}{}", from_route.path)][from_route.verb.lower()];
            assert!(
                op["responses"][status.to_string()]["content"].is_object(),
                "{from} {status}"
            );
        }
    }

    #[test]
    fn every_schema_reference_resolves() {
        let doc = document();
        let mut found = Vec::new();
        refs(&doc, &mut found);
        for r in found {
            let name = r.strip_prefix("#/components/schemas/").expect("local reference");
            assert!(doc["components"]["schemas"].get(name).is_some(), "{r} is not defined");
        }
    }

    #[test]
    fn errors_are_problem_details_and_the_document_needs_no_credentials() {
        let doc = document();
        let op = &doc["paths"]["/api/v1/inbound/{id}/retry"]["post"];
        assert!(op["responses"]["403"]["content"][PROBLEM].is_object(), "{op}");
        assert!(op["responses"]["404"]["content"][PROBLEM].is_object(), "{op}");
        assert_eq!(doc["paths"]["/api/v1/openapi.json"]["get"]["security"], json!([]));
    }
}
