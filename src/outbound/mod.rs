//! Outbound mail: the sender workers that deliver the outbox over SMTP.
//!
//! The outbox (in the store) is the only way mail leaves. Each sender task owns one SMTP
//! connection, leases a handful of jobs, and for each one builds the message, sends it,
//! and records the outcome before it sends the next, so a crash leaves at most the one
//! message in flight per connection to be sent again when its lease expires. Outcomes
//! from all connections are committed together by one finisher ([`finisher`]), so the
//! store's disk sync is shared instead of paid per message.

pub mod compose;
pub mod finisher;
pub mod invite;
pub mod rate;
pub mod sender;
pub mod smtp;

/// The queue invitation mail jobs go to.
pub const MAIL_QUEUE: &str = "mail";
