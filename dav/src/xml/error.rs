//! Why a request body was refused, in a form the HTTP layer maps once to a status code and,
//! where the RFCs name one, a precondition element for the `<D:error>` body (RFC 4918 §16).

use http::StatusCode;

use super::name::PropName;

/// A request body that cannot be acted on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XmlError {
    /// Not well-formed XML, or refused for safety (DTD, nesting too deep). RFC 4918 §8.2:
    /// answered with 400 Bad Request.
    #[error("request body is not well-formed XML: {0}")]
    Malformed(String),

    /// Well-formed, but the document element is not the one this method takes.
    #[error("request body has root element <{found}>, expected <{expected}>")]
    UnexpectedRoot { expected: String, found: PropName },

    /// Well-formed, right root, but the content breaks a protocol rule. When the RFC names a
    /// precondition for it (`{urn:ietf:params:xml:ns:caldav}valid-filter`, ...), the handler
    /// reports it in a `<D:error>` body.
    #[error("{reason}")]
    Invalid {
        precondition: Option<PropName>,
        reason: String,
    },
}

impl XmlError {
    pub(crate) fn malformed(reason: impl Into<String>) -> Self {
        XmlError::Malformed(reason.into())
    }

    /// An invalid body with no named precondition (answered 400).
    pub(crate) fn invalid(reason: impl Into<String>) -> Self {
        XmlError::Invalid {
            precondition: None,
            reason: reason.into(),
        }
    }

    /// An invalid body that violates a named CalDAV precondition.
    pub(crate) fn caldav_precondition(local: &str, reason: impl Into<String>) -> Self {
        XmlError::Invalid {
            precondition: Some(PropName::caldav(local)),
            reason: reason.into(),
        }
    }

    /// The precondition to put in the `<D:error>` body, if any.
    pub fn precondition(&self) -> Option<&PropName> {
        match self {
            XmlError::Invalid { precondition, .. } => precondition.as_ref(),
            _ => None,
        }
    }

    /// The status the handler answers with.
    ///
    /// RFC 4918 §16: a failed precondition is reported with 403 Forbidden (or 409, which
    /// none of the request-body preconditions here call for); anything else wrong with the
    /// body is 400 Bad Request (RFC 4918 §8.2).
    pub fn status(&self) -> StatusCode {
        match self {
            XmlError::Invalid {
                precondition: Some(_), ..
            } => StatusCode::FORBIDDEN,
            _ => StatusCode::BAD_REQUEST,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preconditions_map_to_forbidden_and_the_rest_to_bad_request() {
        let filter = XmlError::caldav_precondition("valid-filter", "no VCALENDAR");
        assert_eq!(filter.status(), StatusCode::FORBIDDEN);
        assert_eq!(filter.precondition(), Some(&PropName::caldav("valid-filter")));
        assert_eq!(XmlError::malformed("eof").status(), StatusCode::BAD_REQUEST);
        assert_eq!(XmlError::invalid("x").status(), StatusCode::BAD_REQUEST);
        assert_eq!(XmlError::invalid("x").precondition(), None);
    }

    #[test]
    fn messages_name_the_offending_root() {
        let err = XmlError::UnexpectedRoot {
            expected: "{DAV:}propfind".into(),
            found: PropName::dav("propertyupdate"),
        };
        assert_eq!(
            err.to_string(),
            "request body has root element <{DAV:}propertyupdate>, expected <{DAV:}propfind>"
        );
    }
}
