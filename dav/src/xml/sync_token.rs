//! The WebDAV sync token (RFC 6578 §3.2 requires it to be a URI).
//!
//! The token names a collection and a position in its change log. Clients keep tokens for
//! months and send them back after server restarts and upgrades, so this format is frozen:
//! `http://calinvite.invalid/sync/{collection}/{seq}`, both decimal without leading zeros.
//! The `.invalid` host (RFC 6761) guarantees nobody mistakes it for a fetchable URL.

const PREFIX: &str = "http://calinvite.invalid/sync/";

/// The token for position `seq` of collection `collection`'s change log.
pub fn format(collection: u64, seq: u64) -> String {
    format!("{PREFIX}{collection}/{seq}")
}

/// `(collection, seq)` from a token this server issued; `None` for anything else (the
/// handler then answers with the `valid-sync-token` precondition, RFC 6578 §3.2).
pub fn parse(token: &str) -> Option<(u64, u64)> {
    let rest = token.trim().strip_prefix(PREFIX)?;
    let (collection, seq) = rest.split_once('/')?;
    Some((number(collection)?, number(seq)?))
}

/// A canonical decimal: digits only, no sign, no leading zeros, fits in u64.
fn number(s: &str) -> Option<u64> {
    let canonical = !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'));
    if canonical { s.parse().ok() } else { None }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_format_is_frozen() {
        assert_eq!(format(7, 42), "http://calinvite.invalid/sync/7/42");
        assert_eq!(format(0, 0), "http://calinvite.invalid/sync/0/0");
    }

    #[test]
    fn tokens_round_trip_including_extremes() {
        for (c, s) in [(0, 0), (1, 2), (u64::MAX, u64::MAX)] {
            assert_eq!(parse(&format(c, s)), Some((c, s)));
        }
    }

    #[test]
    fn foreign_or_damaged_tokens_are_not_ours() {
        for bad in [
            "",
            "http://calinvite.invalid/sync/",
            "http://calinvite.invalid/sync/7",
            "http://calinvite.invalid/sync/7/",
            "http://calinvite.invalid/sync/7/42/1",
            "http://calinvite.invalid/sync/+7/42",
            "http://calinvite.invalid/sync/07/42",
            "http://calinvite.invalid/sync/7/-1",
            "http://calinvite.invalid/sync/18446744073709551616/1",
            "http://sabre.io/ns/sync/42",
            "https://calinvite.invalid/sync/7/42",
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }
}
