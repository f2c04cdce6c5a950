//! Escaping for text and attribute values written into XML responses.
//!
//! One place decides how text becomes markup, so that no response can be made ill-formed by
//! data a client stored earlier: markup characters are escaped, `\r` survives a round trip
//! as a character reference, and characters XML 1.0 cannot carry at all (most C0 controls)
//! become U+FFFD instead of breaking the document.

use super::tree::is_xml_char;

/// Appends `s` escaped for element content.
pub(crate) fn text_into(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            // XML 1.0 §2.11: a literal CR would be normalised away by the reader.
            '\r' => out.push_str("&#13;"),
            c if is_xml_char(c) => out.push(c),
            _ => out.push('\u{FFFD}'),
        }
    }
}

/// Appends `s` escaped for a double-quoted attribute value.
pub(crate) fn attr_into(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            // XML 1.0 §3.3.3: literal whitespace in attributes is normalised to spaces.
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c if is_xml_char(c) => out.push(c),
            _ => out.push('\u{FFFD}'),
        }
    }
}

/// `s` escaped for element content.
pub(crate) fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    text_into(&mut out, s);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_characters_are_escaped_in_text() {
        assert_eq!(text("a<b>&\"c'\r\n"), "a&lt;b&gt;&amp;\"c'&#13;\n");
    }

    #[test]
    fn attribute_values_escape_quotes_and_whitespace() {
        let mut out = String::new();
        attr_into(&mut out, "a\"b\tc\nd&");
        assert_eq!(out, "a&quot;b&#9;c&#10;d&amp;");
    }

    #[test]
    fn characters_xml_cannot_carry_become_replacement_characters() {
        assert_eq!(text("a\u{1}b\u{FFFE}"), "a\u{FFFD}b\u{FFFD}");
        assert_eq!(text("\u{10000}"), "\u{10000}");
    }
}
