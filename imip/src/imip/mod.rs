//! Outbound iMIP (RFC 6047): the invitation mail calinvite sends to one attendee.
//!
//! The organizer's stored VCALENDAR is turned into an iTIP REQUEST or CANCEL addressed to
//! exactly one recipient (`itip_object`), wrapped in the MIME layout every client shows
//! with RSVP buttons (`message`), with bodies rendered from templates (`templates`).
//! Like the rest of the crate this is pure: the clock, ids and addresses are arguments, so
//! the same input always gives the same bytes.

mod encoding;
mod error;
mod facts;
mod frame;
mod invite;
mod itip_object;
mod labels;
mod message;
mod notice;
mod occurrence;
mod templates;

pub use error::{BuildError, TemplateError};
pub use facts::{EventFacts, event_summary};
pub use invite::{Invite, InviteInput, build_invite};
pub use notice::{NoticeInput, NoticeKind, build_notice};
pub use templates::{InviteContext, RsvpLinks, Templates, describe_when};

/// The iTIP method of an outbound message (RFC 5546 §1.4); upper case on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// RFC 5546 §3.2.2: a new or updated invitation.
    Request,
    /// RFC 5546 §3.2.5: the event (or one occurrence) is cancelled.
    Cancel,
}

impl Method {
    /// The METHOD value and `method=` parameter (RFC 6047 §2.4).
    pub fn as_str(&self) -> &'static str {
        match self {
            Method::Request => "REQUEST",
            Method::Cancel => "CANCEL",
        }
    }
}

/// A mail address with an optional display name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mailbox<'a> {
    pub email: &'a str,
    pub name: Option<&'a str>,
}

/// RFC 2369 / RFC 8058 unsubscribe targets for bulk invitations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListUnsubscribe<'a> {
    /// The one-click HTTPS endpoint (RFC 8058 §3.1 requires HTTPS).
    pub https_url: &'a str,
    /// An optional `mailto:` fallback (the address only, without `mailto:`).
    pub mailto: Option<&'a str>,
}
