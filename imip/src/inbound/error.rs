//! Why an inbound message cannot be used, worded so an operator reading the log knows what
//! was wrong with the mail (not with calinvite) and what, if anything, to do.

/// An inbound message or calendar object that cannot be interpreted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InboundError {
    /// Not a mail message at all (no header block could be found).
    #[error("unparseable mail message: {0}; the message is dropped, check the mail source")]
    Unparseable(String),
    /// The calendar part is not usable iCalendar.
    #[error("the calendar object in the message is invalid: {0}")]
    InvalidCalendar(String),
    /// RFC 5546 §3.2.3: a REPLY must name the replying attendee.
    #[error(
        "REPLY for UID {uid:?} names no ATTENDEE, so it cannot be matched to an attendee (Exchange resource mailboxes send these); it is ignored"
    )]
    ReplyWithoutAttendee { uid: String },
    /// A REPLY whose attendee has no participation status.
    #[error("REPLY for UID {uid:?} from {attendee} has no PARTSTAT; it is ignored")]
    ReplyWithoutPartstat { uid: String, attendee: String },
    /// RFC 5546 §3.1: every iTIP component needs a UID to be matched with an event.
    #[error("{method} has no UID, so it cannot be matched to an event; it is ignored")]
    MissingUid { method: String },
}
