//! The outbound SEQUENCE: calinvite sends the invitations, so it owns the number attendees
//! see, and an organizer's client that forgot to raise it must not silence an update.

/// The SEQUENCE to store and send after a change.
///
/// RFC 5546 §2.1.4: a significant change raises SEQUENCE so attendees' clients replace
/// their copy; calinvite raises its own counter by one. The result is never below the
/// organizer's own SEQUENCE, so a client that counted further is not contradicted. An
/// insignificant change sends nothing and keeps the counter (only catching up with a
/// higher organizer SEQUENCE).
pub fn next_sequence(server_sequence: u32, organizer_sequence: Option<u32>, significant: bool) -> u32 {
    let own = if significant {
        server_sequence.saturating_add(1)
    } else {
        server_sequence
    };
    own.max(organizer_sequence.unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::next_sequence;

    #[test]
    fn significant_change_raises_the_server_sequence_by_one() {
        assert_eq!(next_sequence(3, Some(3), true), 4);
    }

    #[test]
    fn sequence_saturates_instead_of_overflowing() {
        assert_eq!(next_sequence(u32::MAX, None, true), u32::MAX);
    }
}
