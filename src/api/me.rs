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
