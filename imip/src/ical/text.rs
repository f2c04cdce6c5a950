//! `text-match` (RFC 4791 §9.7.5): substring matching under the RFC 4790 collations.

use crate::query::{Collation, TextMatch};

/// Whether `value` contains the match text under its collation, before negation.
fn contains(value: &str, needle: &str, collation: Collation) -> bool {
    match collation {
        Collation::Octet => value.contains(needle),
        // RFC 4790 §9.2: i;ascii-casemap folds only a-z.
        Collation::AsciiCasemap => value.to_ascii_lowercase().contains(&needle.to_ascii_lowercase()),
        // RFC 5051 folds with Unicode case mapping; full lower-casing approximates it.
        Collation::UnicodeCasemap => fold(value).contains(&fold(needle)),
    }
}

fn fold(s: &str) -> String {
    s.chars().flat_map(char::to_lowercase).collect()
}

/// RFC 4791 §9.7.5: true when any of `values` contains the text; `negate-condition`
/// inverts the result for the property (or parameter) as a whole.
pub(crate) fn text_matches<'a>(tm: &TextMatch, values: impl IntoIterator<Item = &'a str>) -> bool {
    let found = values.into_iter().any(|v| contains(v, &tm.text, tm.collation));
    found != tm.negate
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tm(text: &str, collation: Collation, negate: bool) -> TextMatch {
        TextMatch {
            text: text.into(),
            collation,
            negate,
        }
    }

    #[test]
    fn ascii_casemap_ignores_ascii_case_only() {
        assert!(text_matches(
            &tm("MEETING", Collation::AsciiCasemap, false),
            ["Team meeting"]
        ));
        assert!(!text_matches(&tm("ÉTÉ", Collation::AsciiCasemap, false), ["été"]));
    }

    #[test]
    fn octet_is_case_sensitive() {
        assert!(!text_matches(&tm("MEETING", Collation::Octet, false), ["Team meeting"]));
        assert!(text_matches(&tm("meet", Collation::Octet, false), ["Team meeting"]));
    }

    #[test]
    fn unicode_casemap_folds_non_ascii_letters() {
        assert!(text_matches(
            &tm("ÉTÉ", Collation::UnicodeCasemap, false),
            ["Fête d'été"]
        ));
    }

    #[test]
    fn negate_condition_inverts_the_whole_match() {
        assert!(text_matches(&tm("x", Collation::Octet, true), ["abc", "def"]));
        assert!(!text_matches(&tm("d", Collation::Octet, true), ["abc", "def"]));
    }
}
