//! DAV errors: one type every method returns, turned into a response in one place.
//!
//! Where an RFC names a precondition or postcondition, the response carries it in a
//! `<D:error>` body (RFC 4918 §16) so clients can tell why; every error is logged with its
//! reason.

use crate::xml::{PropName, XmlError};
use calinvite_storage::StoreError;
use http::StatusCode;

#[derive(Debug)]
pub struct DavError {
    pub status: StatusCode,
    pub precondition: Option<PropName>,
    /// Hrefs that belong in the error element (`no-uid-conflict` names the holder).
    pub hrefs: Vec<String>,
    pub reason: String,
}

pub type DavResult<T> = Result<T, DavError>;

impl DavError {
    pub fn new(status: StatusCode, reason: impl Into<String>) -> Self {
        DavError {
            status,
            precondition: None,
            hrefs: Vec::new(),
            reason: reason.into(),
        }
    }

    pub fn not_found() -> Self {
        DavError::new(StatusCode::NOT_FOUND, "no such resource")
    }

    pub fn bad_request(reason: impl Into<String>) -> Self {
        DavError::new(StatusCode::BAD_REQUEST, reason)
    }

    pub fn forbidden(reason: impl Into<String>) -> Self {
        DavError::new(StatusCode::FORBIDDEN, reason)
    }

    pub fn conflict(reason: impl Into<String>) -> Self {
        DavError::new(StatusCode::CONFLICT, reason)
    }

    pub fn method_not_allowed(reason: impl Into<String>) -> Self {
        DavError::new(StatusCode::METHOD_NOT_ALLOWED, reason)
    }

    pub fn precondition_failed(reason: impl Into<String>) -> Self {
        DavError::new(StatusCode::PRECONDITION_FAILED, reason)
    }

    /// A failed precondition with its named element.
    pub fn with_condition(status: StatusCode, condition: PropName, reason: impl Into<String>) -> Self {
        DavError {
            status,
            precondition: Some(condition),
            hrefs: Vec::new(),
            reason: reason.into(),
        }
    }

    pub fn caldav(status: StatusCode, local: &str, reason: impl Into<String>) -> Self {
        DavError::with_condition(status, PropName::caldav(local), reason)
    }

    pub fn dav(status: StatusCode, local: &str, reason: impl Into<String>) -> Self {
        DavError::with_condition(status, PropName::dav(local), reason)
    }

    pub fn internal(reason: impl Into<String>) -> Self {
        DavError::new(StatusCode::INTERNAL_SERVER_ERROR, reason)
    }
}

impl From<XmlError> for DavError {
    fn from(e: XmlError) -> Self {
        DavError {
            status: e.status(),
            precondition: e.precondition().cloned(),
            hrefs: Vec::new(),
            reason: e.to_string(),
        }
    }
}

impl From<StoreError> for DavError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { .. } => DavError::not_found(),
            StoreError::AlreadyExists { what } => DavError::method_not_allowed(format!("{what} already exists")),
            StoreError::PreconditionFailed(m) => DavError::precondition_failed(m),
            StoreError::UidConflict { uid, existing } => DavError {
                // RFC 4791 §5.3.2.1: no-uid-conflict names the resource holding the UID.
                status: StatusCode::CONFLICT,
                precondition: Some(PropName::caldav("no-uid-conflict")),
                hrefs: vec![existing],
                reason: format!("UID {uid} is already used in this calendar"),
            },
            StoreError::InvalidSyncToken => DavError::dav(
                StatusCode::FORBIDDEN,
                "valid-sync-token",
                "the sync token was not issued for this collection",
            ),
            StoreError::Invalid(m) => DavError::bad_request(m),
            other => DavError::internal(other.to_string()),
        }
    }
}
