//! Why an invitation could not be built or rendered, worded so the operator can fix the
//! stored event, the address or the calendar's template.

use crate::ical::IcalError;

/// An invitation that cannot be built from the given event and addresses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BuildError {
    /// The stored object does not parse as iCalendar.
    #[error("the stored event cannot be read: {0}")]
    InvalidEvent(#[from] IcalError),
    /// The stored object is a VTODO, VJOURNAL or VFREEBUSY.
    #[error("the stored object holds {0}, not VEVENT; only events can be sent as invitations")]
    NotAnEvent(&'static str),
    /// A VEVENT has no UID, so the recipient could never match updates to it.
    #[error("the stored event has no UID; add a UID property")]
    MissingUid,
    /// RFC 5546 §3.2.2: a REQUEST (and our CANCEL) needs DTSTART in every VEVENT.
    #[error("VEVENT {uid} has no DTSTART; add a start time before sending invitations")]
    MissingDtstart { uid: String },
    /// The requested RECURRENCE-ID is neither an override nor an instance of the series.
    #[error("event {uid} has no occurrence with RECURRENCE-ID {recurrence_id}")]
    NoSuchOccurrence { uid: String, recurrence_id: String },
    /// The requested RECURRENCE-ID is not a DATE or DATE-TIME value.
    #[error("RECURRENCE-ID {0:?} is not a DATE or DATE-TIME value (e.g. 20250310T090000Z)")]
    InvalidRecurrenceId(String),
    /// An address that cannot be put in a mail header or a CAL-ADDRESS as is.
    #[error("{field} address {address:?} is not a plain ASCII mail address")]
    InvalidAddress { field: &'static str, address: String },
    /// A header value (Message-ID, List-Unsubscribe URL) that would break the header.
    #[error("{field} {value:?} contains characters not allowed in a mail header")]
    InvalidHeader { field: &'static str, value: String },
    /// A built-in template failed (a notice to an organizer).
    #[error(transparent)]
    Template(#[from] TemplateError),
}

/// A template that cannot be compiled or rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// A calendar's own template does not compile.
    #[error("the {which} invitation template is invalid: {message}")]
    Syntax { which: &'static str, message: String },
    /// Rendering failed (a filter error, too much work, ...).
    #[error("rendering the {which} invitation template failed: {message}")]
    Render { which: &'static str, message: String },
}
