//! Significant-change detection: when an organizer edits an event, which changes must the
//! attendees be told about, and is it the whole series or single occurrences?
//!
//! RFC 5546 §2.1.4 leaves "significant" to the implementation; calinvite's rule is that
//! only what an attendee would act on counts (time, recurrence, place, title, description,
//! status, conference link), compared by meaning rather than by text: instants not TZIDs,
//! unescaped text not folded lines. Everything else that changed is named in
//! [`ChangeSet::insignificant`] so it can be logged, never sent.

mod compare;
mod describe;
mod fields;
mod sequence;

pub use compare::compare;
pub use describe::describe;
pub use sequence::next_sequence;

use crate::ical::IcalError;

/// Why two versions of an event cannot be compared.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChangeError {
    /// The stored version before the change is not a valid calendar object.
    #[error("the previous version of the event is unreadable: {0}")]
    Before(IcalError),
    /// The new version is not a valid calendar object.
    #[error("the new version of the event is unreadable: {0}")]
    After(IcalError),
    /// The two versions describe different events (RFC 5545 §3.8.4.7: UID identifies it).
    #[error(
        "the new version has UID {after:?} but the previous one has UID {before:?}; a changed UID is a different event"
    )]
    UidMismatch { before: String, after: String },
}

/// One property whose meaning changed, with both values rendered for people.
///
/// `property` is the iCalendar name; `DTEND` stands for the effective end, whether it is
/// written as DTEND or as DURATION. Times read like
/// `2030-03-15 18:00 UTC (Europe/Berlin 19:00)`, text is unescaped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    pub property: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// What happened to one occurrence of a recurring event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OccurrenceKind {
    /// An occurrence that did not exist before (an override outside the rule).
    Added,
    /// An occurrence that now differs from what attendees were told.
    Modified(Vec<FieldChange>),
    /// RFC 5546 §3.2.5: cancelled alone, by EXDATE or by an override with STATUS:CANCELLED.
    Cancelled,
    /// An occurrence that follows the series again: its override was removed, its EXDATE
    /// dropped, or its cancelled override made active.
    Restored,
}

/// A change to one occurrence, named by its RECURRENCE-ID (RFC 5545 §3.8.4.4), so the
/// caller can send only that occurrence (RFC 5546 §3.2.2: a REQUEST for one instance;
/// §3.2.5: a CANCEL for one instance).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OccurrenceChange {
    /// The RECURRENCE-ID as an instant (seconds since the epoch, UTC; an all-day
    /// occurrence is at midnight UTC), as in [`crate::ical::Instance::recurrence_id`].
    pub recurrence_id: i64,
    /// The RECURRENCE-ID rendered for people, e.g. `2030-03-22 18:00 UTC`.
    pub label: String,
    pub kind: OccurrenceKind,
}

/// Everything that changed between two versions of one event.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ChangeSet {
    /// Significant changes to the master component: they concern the whole series.
    pub series: Vec<FieldChange>,
    /// Significant changes to single occurrences, sorted by RECURRENCE-ID.
    pub occurrences: Vec<OccurrenceChange>,
    /// Names of properties and components that changed without mattering to attendees
    /// (DTSTAMP, SEQUENCE, VALARM, ATTENDEE answers, a re-encoded DTSTART...), sorted.
    /// `RECURRENCE-ID` here means an override appeared or went away without changing
    /// what attendees see (typically one that only records an attendee's answer).
    pub insignificant: Vec<String>,
}

impl ChangeSet {
    /// Whether attendees must be told (and SEQUENCE raised, see [`next_sequence`]).
    pub fn is_significant(&self) -> bool {
        !self.series.is_empty() || !self.occurrences.is_empty()
    }
}
