//! Why an event could not be written; each message names the field at fault.

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AuthorError {
    #[error("not iCalendar: {0}")]
    NotICalendar(String),
    #[error("{field}: {reason}")]
    InvalidField { field: &'static str, reason: String },
    #[error("time_zone `{0}` is not an IANA time zone name such as Europe/Berlin")]
    UnknownZone(String),
    #[error("rrule `{0}` is not an RFC 5545 recurrence rule such as FREQ=WEEKLY;COUNT=10")]
    InvalidRrule(String),
    #[error("event {0} has no master VEVENT (only overrides) to edit")]
    NoMaster(String),
}

impl AuthorError {
    pub(crate) fn field(field: &'static str, reason: impl Into<String>) -> Self {
        AuthorError::InvalidField {
            field,
            reason: reason.into(),
        }
    }
}
