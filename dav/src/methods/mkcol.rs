//! MKCOL (RFC 4918 §9.3, extended by RFC 5689) and MKCALENDAR (RFC 4791 §5.3.1).
//!
//! Plain collections may nest under the home and under each other (integrators use plain
//! WebDAV too); calendars live in the home or a plain collection, never inside another
//! calendar (`calendar-collection-location-ok`).

use super::empty;
use crate::context::DavContext;
use crate::error::{DavError, DavResult};
use crate::props::encode_dead;
use crate::resource::{Parent, Resource};
use crate::xml::PropName;
use crate::xml::request::mkcol::{MkcolKind, MkcolRequest};
use bytes::Bytes;
use calinvite_storage::{CollectionKind, NewCollection, Properties};
use http::{HeaderMap, Response, StatusCode};

pub async fn handle(
    ctx: &DavContext,
    resource: &Resource,
    headers: &HeaderMap,
    body: &[u8],
    calendar: bool,
) -> DavResult<Response<Bytes>> {
    let missing = match resource {
        Resource::Missing(m) => m,
        // RFC 4918 §9.3.1: MKCOL on an existing resource is 405.
        _ => return Err(DavError::method_not_allowed("a resource already exists at this URL")),
    };
    match &missing.parent {
        Parent::Absent => return Err(DavError::conflict("the parent collection does not exist")),
        Parent::Collection(p) if p.kind == CollectionKind::Calendar => {
            return Err(DavError::caldav(
                StatusCode::FORBIDDEN,
                "calendar-collection-location-ok",
                "collections cannot be created inside a calendar",
            ));
        }
        _ => {}
    }
    let is_xml_body = !body.is_empty();
    if is_xml_body {
        let ct = headers
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let media = ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        // RFC 4918 §9.3: a MKCOL body the server does not understand is 415.
        if !(calendar || media.is_empty() || media.ends_with("/xml")) {
            return Err(DavError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                format!("MKCOL body of type {media} is not understood"),
            ));
        }
    }
    let kind_req = if calendar {
        MkcolKind::Mkcalendar
    } else {
        MkcolKind::Mkcol
    };
    let request = if is_xml_body {
        MkcolRequest::parse(kind_req, body).map_err(|e| {
            if calendar {
                DavError::from(e)
            } else {
                DavError::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, e.to_string())
            }
        })?
    } else {
        MkcolRequest {
            kind: kind_req,
            resourcetype: Vec::new(),
            components: None,
            props: Vec::new(),
        }
    };
    let as_calendar = calendar || request.is_calendar();
    let mut props = Properties::new();
    for (name, value) in &request.props {
        props.insert(name.to_string(), encode_dead(value));
    }
    if let Some(components) = &request.components {
        if components.is_empty() {
            return Err(DavError::caldav(
                StatusCode::FORBIDDEN,
                "supported-calendar-component",
                "a calendar must accept at least one component type",
            ));
        }
        for c in components {
            if !matches!(
                c.as_str(),
                "VEVENT" | "VTODO" | "VJOURNAL" | "VFREEBUSY" | "VAVAILABILITY"
            ) {
                return Err(DavError::caldav(
                    StatusCode::FORBIDDEN,
                    "supported-calendar-component",
                    format!("component {c} is not supported"),
                ));
            }
        }
        let fragment: String = components
            .iter()
            .map(|c| format!("<C:comp xmlns:C=\"urn:ietf:params:xml:ns:caldav\" name=\"{c}\"/>"))
            .collect();
        props.insert(
            PropName::caldav("supported-calendar-component-set").to_string(),
            fragment,
        );
    }
    ctx.store
        .create_collection(NewCollection {
            owner: ctx.principal.id,
            path: missing.path.clone(),
            kind: if as_calendar {
                CollectionKind::Calendar
            } else {
                CollectionKind::Plain
            },
            props,
        })
        .await?;
    Ok(empty(StatusCode::CREATED))
}
