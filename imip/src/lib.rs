//! calinvite's iCalendar and iTIP crate: parsing and validating calendar objects
//! ([`ical`]), the recurrence-aware queries CalDAV needs ([`query`]), outbound iMIP
//! messages ([`imip`]), reading inbound mail ([`inbound`]) and telling significant
//! changes of an event from bookkeeping ([`change`]).
//!
//! It is pure: no I/O of any kind, so every rule is tested with plain values and the real
//! messages under `tests/fixtures`.

pub mod author;
pub mod change;
pub mod ical;
pub mod imip;
pub mod inbound;
pub mod query;
pub mod scheduling;
