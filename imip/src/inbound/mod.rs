//! Inbound iMIP (RFC 6047): turning a raw mail message into facts calinvite can act on.
//!
//! Kept apart from I/O so every rule is tested against real messages: `message` finds the
//! calendar object (or the bounce report) in the MIME tree, `itip` reads the iTIP facts out
//! of it (RFC 5546), `dsn` reads delivery status notifications (RFC 3464) and `auth` reads
//! Authentication-Results (RFC 8601) so the caller can decide whether to trust the sender.
//! Nothing here applies a message to stored state: that needs the store and the clock.

mod auth;
mod dsn;
mod error;
mod itip;
pub(crate) mod lines;
pub(crate) mod merge;
mod message;

pub use auth::{AuthResult, authenticated_from, parse_authentication_results};
pub use dsn::{Dsn, DsnRecipient, parse_delivery_status};
pub use error::InboundError;
pub use itip::{CancelFacts, CounterFacts, Itip, RefreshFacts, ReplyFacts, RequestFacts, interpret};
pub use merge::{Merged, cancel_occurrences, merge_occurrences, older_than_stored};
pub use message::{CalendarSource, Inbound, ItipPart, MAX_DEPTH, Mailbox, Payload, parse_message};
