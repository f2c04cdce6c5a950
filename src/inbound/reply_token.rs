//! Reply tokens (`mail.reply_tokens`): the ORGANIZER of each invitation is the server's
//! address with a per-recipient tag, `events+TAG@domain`, the pattern Apple's
//! CalendarServer used. Mail clients send the REPLY to the ORGANIZER, so the tag comes back
//! with it and ties the answer to its invitation even when the attendee answers from an
//! alias or a forwarding address that is not the invited one.
//!
//! The tag is the recipient's stored token, re-encoded so that it survives mail systems:
//! the token's 64-character alphabet is case-sensitive, but addresses are often lower-cased
//! on the way (calinvite itself lower-cases them), so the 32 token characters (6 bits
//! each, 24 bytes) travel as 39 characters of lower-case base32 (RFC 4648), which keeps
//! the whole local part under the 64 characters RFC 5321 allows.

use data_encoding::BASE32_NOPAD;

/// The alphabet of recipient tokens, in the order of their 6-bit values.
const TOKEN_ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// The server's address with the recipient's tag: `events+TAG@domain`. `None` when the
/// token is not one the store issues (then the plain address is used).
pub fn reply_address(server_address: &str, token: &str) -> Option<String> {
    let (local, domain) = server_address.rsplit_once('@')?;
    let mut bits: u32 = 0;
    let mut n = 0;
    let mut bytes = Vec::with_capacity(token.len() * 3 / 4 + 1);
    for c in token.bytes() {
        let v = TOKEN_ALPHABET.iter().position(|&a| a == c)? as u32;
        bits = (bits << 6) | v;
        n += 6;
        while n >= 8 {
            n -= 8;
            bytes.push((bits >> n) as u8);
            bits &= (1 << n) - 1;
        }
    }
    if n != 0 {
        // Only whole bytes are encoded: 32 tokens characters are exactly 24 bytes.
        return None;
    }
    let tag = BASE32_NOPAD.encode(&bytes).to_ascii_lowercase();
    Some(format!("{local}+{tag}@{domain}"))
}

/// The recipient token carried by `address`, when it is the server's address with a tag.
pub fn token_of(address: &str, server_address: &str) -> Option<String> {
    let (local, domain) = address.trim().rsplit_once('@')?;
    let (server_local, server_domain) = server_address.rsplit_once('@')?;
    if !domain.eq_ignore_ascii_case(server_domain) {
        return None;
    }
    let (base, tag) = local.split_once('+')?;
    if !base.eq_ignore_ascii_case(server_local) {
        return None;
    }
    let bytes = BASE32_NOPAD.decode(tag.to_ascii_uppercase().as_bytes()).ok()?;
    if bytes.len() % 3 != 0 {
        return None;
    }
    let mut token = String::with_capacity(bytes.len() * 4 / 3);
    for chunk in bytes.chunks(3) {
        let v = (u32::from(chunk[0]) << 16) | (u32::from(chunk[1]) << 8) | u32::from(chunk[2]);
        for shift in [18, 12, 6, 0] {
            token.push(char::from(TOKEN_ALPHABET[((v >> shift) & 63) as usize]));
        }
    }
    Some(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "aZ09-_bcdEFGhijKLMnopQRStuvWXyz012";

    #[test]
    fn a_tag_survives_lower_casing_and_fits_a_local_part() {
        let token = &TOKEN[..32];
        let address = reply_address("events@invites.example.org", token).unwrap();
        let (local, _) = address.split_once('@').unwrap();
        assert!(local.len() <= 64, "{address}");
        assert_eq!(address, address.to_ascii_lowercase());
        assert_eq!(
            token_of(&address.to_ascii_uppercase(), "events@invites.example.org").as_deref(),
            Some(token)
        );
    }

    #[test]
    fn other_addresses_carry_no_token() {
        let address = reply_address("events@invites.example.org", &TOKEN[..32]).unwrap();
        assert_eq!(token_of(&address, "other@invites.example.org"), None);
        assert_eq!(token_of(&address, "events@elsewhere.example.org"), None);
        assert_eq!(
            token_of("events@invites.example.org", "events@invites.example.org"),
            None
        );
        assert_eq!(
            token_of("events+notbase32!@invites.example.org", "events@invites.example.org"),
            None
        );
        assert_eq!(reply_address("events@x.org", "not a token"), None);
    }
}
