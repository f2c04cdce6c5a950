//! `GET /api/v1/me`: who the credentials belong to. Integrators use it to check a key.

use super::json;
use crate::cli::user::role_name;
use crate::http::Body;
use calinvite_storage::Principal;
use http::{Response, StatusCode};

pub fn get(principal: &Principal) -> Response<Body> {
    json(
        StatusCode::OK,
        &serde_json::json!({
            "name": principal.name,
            "display_name": principal.display_name,
            "emails": principal.emails,
            "role": role_name(principal.role),
        }),
    )
}

/// The JSON Schema of [`get`]'s body, for the OpenAPI document.
pub fn schemas() -> Vec<(&'static str, serde_json::Value)> {
    vec![(
        "Me",
        serde_json::json!({
            "type": "object",
            "required": ["name", "emails", "role"],
            "properties": {
                "name": { "type": "string" },
                "display_name": { "type": ["string", "null"] },
                "emails": { "type": "array", "items": { "type": "string" } },
                "role": { "enum": ["admin", "organizer"] }
            }
        }),
    )]
}
