//! Content-Transfer-Encodings for the invitation's parts (RFC 2045 §6.7, §6.8).
//!
//! Every part is encoded, none is sent 8bit or 7bit: the message then passes any relay
//! unchanged, no body line can be too long, and no body can contain a line that looks
//! like a MIME boundary (our boundaries start with `=_`, which neither encoding emits).

use base64::Engine;

/// RFC 2045 §6.8: base64 in lines of 76 characters, each ending in CRLF.
pub(crate) fn base64_lines(data: &[u8]) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(data);
    let mut out = String::with_capacity(encoded.len() + encoded.len() / 38 + 2);
    let mut rest = encoded.as_str();
    while !rest.is_empty() {
        let (line, tail) = rest.split_at(rest.len().min(76));
        out.push_str(line);
        out.push_str("\r\n");
        rest = tail;
    }
    out
}

/// RFC 2045 §6.7: quoted-printable text with CRLF line breaks and encoded lines of at
/// most 76 characters. Line breaks in `text` (LF, CRLF or CR) become CRLF.
pub(crate) fn quoted_printable(text: &str) -> String {
    let normalized = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut out = String::with_capacity(normalized.len() * 3 / 2);
    for line in normalized.split('\n') {
        let bytes = line.as_bytes();
        let mut column = 0;
        for (i, &b) in bytes.iter().enumerate() {
            let last = i + 1 == bytes.len();
            // Rule 3: a space or tab at the end of a line must be encoded; a leading '.'
            // is encoded too so no SMTP dot-stuffing mishap can change it.
            let mut literal = match b {
                b'!'..=b'<' | b'>'..=b'~' => true,
                b' ' | b'\t' => !last,
                _ => false,
            };
            let width = if literal { 1 } else { 3 };
            // Rule 5: soft line break, keeping each line at 76 characters with the '='.
            if column + width > 75 {
                out.push_str("=\r\n");
                column = 0;
            }
            if column == 0 && b == b'.' {
                literal = false;
            }
            if literal {
                out.push(char::from(b));
                column += 1;
            } else {
                push_hex(&mut out, b);
                column += 3;
            }
        }
        out.push_str("\r\n");
    }
    out
}

fn push_hex(out: &mut String, b: u8) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    out.push('=');
    out.push(char::from(HEX[usize::from(b >> 4)]));
    out.push(char::from(HEX[usize::from(b & 15)]));
}

/// A short deterministic tag (FNV-1a) so boundaries differ between messages without
/// randomness.
pub(crate) fn tag(seed: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in seed.bytes() {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn qp_decode(encoded: &str) -> Vec<u8> {
        let joined = encoded.replace("=\r\n", "");
        let bytes = joined.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'=' {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
                out.push(u8::from_str_radix(hex, 16).unwrap());
                i += 3;
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        out
    }

    #[test]
    fn quoted_printable_round_trips_utf8_and_keeps_lines_short() {
        let text = "Grüße aus Köln 🎉 ".repeat(20) + "\nend with space \n.dot line\nFrom here\n=equals";
        let encoded = quoted_printable(&text);
        assert!(encoded.is_ascii());
        for line in encoded.split("\r\n") {
            assert!(line.len() <= 76, "line too long: {line:?}");
            assert!(!line.ends_with(' ') && !line.ends_with('\t'), "{line:?}");
            assert!(!line.starts_with('.'), "{line:?}");
        }
        let decoded = qp_decode(&encoded);
        let expected = text.replace('\n', "\r\n") + "\r\n";
        assert_eq!(String::from_utf8(decoded).unwrap(), expected);
    }

    #[test]
    fn quoted_printable_never_emits_a_bare_line_feed() {
        let encoded = quoted_printable("a\rb\r\nc\nd");
        assert_eq!(encoded, "a\r\nb\r\nc\r\nd\r\n");
    }

    #[test]
    fn base64_lines_are_76_characters() {
        let encoded = base64_lines(&[0xAB; 200]);
        let lines: Vec<&str> = encoded.split("\r\n").collect();
        assert_eq!(lines[0].len(), 76);
        assert!(lines.iter().all(|l| l.len() <= 76));
        assert!(encoded.ends_with("\r\n"));
    }

    #[test]
    fn tags_are_stable_and_distinct() {
        assert_eq!(tag("a@b"), tag("a@b"));
        assert_ne!(tag("a@b"), tag("b@b"));
    }
}
