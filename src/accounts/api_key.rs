//! API keys: long random secrets shown once and stored as SHA-256 hashes.
//!
//! A key has 238 bits of randomness, so a fast hash is safe to store (nothing to brute
//! force) and a lookup by hash is one index read, cheap enough for every API request.

use rand::Rng;
use sha2::{Digest, Sha256};

const PREFIX: &str = "cik_";
const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const RANDOM_CHARS: usize = 40;

/// A freshly made key: the secret to show once, the part to list, the hash to store.
pub struct NewKey {
    pub secret: String,
    pub prefix: String,
    pub hash: [u8; 32],
}

pub fn generate() -> NewKey {
    let mut rng = rand::rngs::OsRng;
    let random: String = (0..RANDOM_CHARS)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect();
    let secret = format!("{PREFIX}{random}");
    NewKey {
        prefix: secret.chars().take(PREFIX.len() + 6).collect(),
        hash: hash(&secret),
        secret,
    }
}

pub fn hash(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

/// Whether a bearer token has the shape of one of our keys (so a stray token is refused
/// without a store look-up).
pub fn looks_like_key(token: &str) -> bool {
    token.len() == PREFIX.len() + RANDOM_CHARS
        && token.starts_with(PREFIX)
        && token[PREFIX.len()..].bytes().all(|b| b.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_are_unique_well_formed_and_hash_to_what_is_stored() {
        let a = generate();
        let b = generate();
        assert_ne!(a.secret, b.secret);
        assert!(looks_like_key(&a.secret));
        assert_eq!(hash(&a.secret), a.hash);
        assert!(a.secret.starts_with(&a.prefix));
        assert_eq!(a.prefix.len(), 10);
    }

    #[test]
    fn tokens_of_another_shape_are_not_keys() {
        assert!(!looks_like_key("cik_short"));
        assert!(!looks_like_key(&format!("xyz_{}", "a".repeat(40))));
        assert!(!looks_like_key(&format!("cik_{}", "-".repeat(40))));
        assert!(!looks_like_key(""));
    }
}
