//! The key that signs public links, and what it signs.
//!
//! Per-recipient invite links (`/i/{code}?e=..&n=..&l=..&s=..`) carry an HMAC-SHA256 of
//! everything they say, so nobody can make the server invite an address by editing a link
//! they received. Group codes are derived the same way (`{owner}.{name}.{tag}`): no store
//! mapping is needed, the code is stable as long as the key is, and nobody can reach a
//! group page by guessing a name. The key is `links.secret`, or a random one made on
//! first use and kept in the data folder, so links survive restarts; it is read lazily so
//! commands that never serve a page never create it.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

type HmacSha256 = Hmac<Sha256>;

/// File in the data folder holding the generated key.
pub const KEY_FILE: &str = "links.key";
/// Bytes of the HMAC kept in an invite link (128 bits).
const INVITE_TAG: usize = 16;
/// Bytes of the HMAC kept in a group code (96 bits).
const GROUP_TAG: usize = 12;

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("cannot read or write the link key {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error(
        "the link key {path} is damaged (expected 64 hex digits); delete it to make a new one (old links stop working)"
    )]
    Damaged { path: PathBuf },
}

/// The signing key, loaded (or created) on first use.
pub struct LinkKey {
    configured: String,
    path: PathBuf,
    loaded: Mutex<Option<Vec<u8>>>,
}

impl LinkKey {
    pub fn new(configured: &str, data_dir: &Path) -> Self {
        LinkKey {
            configured: configured.to_string(),
            path: data_dir.join(KEY_FILE),
            loaded: Mutex::new(None),
        }
    }

    /// The key bytes. The lock is held while the file is read or created, so two first
    /// requests cannot make two keys.
    pub fn get(&self) -> Result<Signer, KeyError> {
        let mut slot = self.loaded.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(k) = slot.as_ref() {
            return Ok(Signer { key: k.clone() });
        }
        let key = if self.configured.is_empty() {
            load_or_create(&self.path)?
        } else {
            self.configured.as_bytes().to_vec()
        };
        *slot = Some(key.clone());
        Ok(Signer { key })
    }
}

fn load_or_create(path: &Path) -> Result<Vec<u8>, KeyError> {
    let io = |source| KeyError::Io {
        path: path.to_path_buf(),
        source,
    };
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let key = hex::decode(text.trim()).map_err(|_| KeyError::Damaged {
                path: path.to_path_buf(),
            })?;
            if key.len() != 32 {
                return Err(KeyError::Damaged {
                    path: path.to_path_buf(),
                });
            }
            Ok(key)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            use rand::RngCore;
            use std::io::Write;
            let mut key = vec![0u8; 32];
            rand::rngs::OsRng.fill_bytes(&mut key);
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(io)?;
            }
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                options.mode(0o600);
            }
            let mut file = options.open(path).map_err(io)?;
            file.write_all(hex::encode(&key).as_bytes()).map_err(io)?;
            file.sync_all().map_err(io)?;
            tracing::info!(path = %path.display(), "made a new key for signed links");
            Ok(key)
        }
        Err(e) => Err(io(e)),
    }
}

/// Signs and checks with a loaded key.
pub struct Signer {
    key: Vec<u8>,
}

impl Signer {
    fn mac(&self, parts: &[&str]) -> HmacSha256 {
        // A key of any length is accepted by HMAC; this cannot fail.
        let mut mac = match HmacSha256::new_from_slice(&self.key) {
            Ok(m) => m,
            Err(_) => unreachable!("HMAC takes keys of any length"),
        };
        for p in parts {
            // Length-prefixed, so ("ab", "c") and ("a", "bc") differ.
            mac.update(&(p.len() as u64).to_be_bytes());
            mac.update(p.as_bytes());
        }
        mac
    }

    /// The signature of a per-recipient invite link.
    pub fn invite(&self, code: &str, email: &str, name: &str, lang: &str) -> String {
        let tag = self.mac(&["invite", code, email, name, lang]).finalize().into_bytes();
        B64.encode(&tag[..INVITE_TAG])
    }

    /// Whether `sig` signs this link; compared in constant time.
    pub fn verify_invite(&self, code: &str, email: &str, name: &str, lang: &str, sig: &str) -> bool {
        let Ok(tag) = B64.decode(sig.trim()) else {
            return false;
        };
        tag.len() == INVITE_TAG
            && self
                .mac(&["invite", code, email, name, lang])
                .verify_truncated_left(&tag)
                .is_ok()
    }

    /// The public code of an owner's group.
    pub fn group_code(&self, owner: u64, name: &str) -> String {
        let owner = owner.to_string();
        let tag = self.mac(&["group", &owner, name]).finalize().into_bytes();
        format!("{owner}.{}.{}", B64.encode(name), B64.encode(&tag[..GROUP_TAG]))
    }

    /// The owner and group a code names, when its tag is right.
    pub fn parse_group_code(&self, code: &str) -> Option<(u64, String)> {
        let mut parts = code.split('.');
        let (owner, name, tag) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        let owner_id: u64 = owner.parse().ok()?;
        let name = String::from_utf8(B64.decode(name).ok()?).ok()?;
        let tag = B64.decode(tag).ok()?;
        if tag.len() != GROUP_TAG {
            return None;
        }
        self.mac(&["group", owner, &name])
            .verify_truncated_left(&tag)
            .ok()
            .map(|()| (owner_id, name))
    }
}

/// Whether a code is a group code (event codes have no dot).
pub fn is_group_code(code: &str) -> bool {
    code.contains('.')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signer() -> Signer {
        Signer {
            key: b"0123456789abcdef0123456789abcdef".to_vec(),
        }
    }

    #[test]
    fn a_signed_invite_verifies_and_any_change_breaks_it() {
        let s = signer();
        let sig = s.invite("ABC", "ann@example.org", "Ann", "de");
        assert!(s.verify_invite("ABC", "ann@example.org", "Ann", "de", &sig));
        assert!(!s.verify_invite("ABC", "bob@example.org", "Ann", "de", &sig));
        assert!(!s.verify_invite("ABD", "ann@example.org", "Ann", "de", &sig));
        assert!(!s.verify_invite("ABC", "ann@example.org", "Ann", "fr", &sig));
        assert!(!s.verify_invite("ABC", "ann@example.org", "Ann", "de", "AAAA"));
        assert!(!s.verify_invite("ABC", "ann@example.org", "Ann", "de", "not base64!"));
    }

    #[test]
    fn fields_cannot_be_shifted_between_each_other() {
        let s = signer();
        assert_ne!(s.invite("A", "bc", "", ""), s.invite("Ab", "c", "", ""));
    }

    #[test]
    fn group_codes_round_trip_and_refuse_forgeries() {
        let s = signer();
        let code = s.group_code(7, "Lions 2027");
        assert!(is_group_code(&code));
        assert_eq!(s.parse_group_code(&code), Some((7, "Lions 2027".to_string())));
        let forged = code.replacen("7.", "8.", 1);
        assert_eq!(s.parse_group_code(&forged), None);
        assert_eq!(s.parse_group_code("7.x.y.z"), None);
    }

    #[test]
    fn a_generated_key_is_kept_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let a = LinkKey::new("", dir.path()).get().unwrap().invite("c", "e", "", "");
        let b = LinkKey::new("", dir.path()).get().unwrap().invite("c", "e", "", "");
        assert_eq!(a, b);
        std::fs::write(dir.path().join(KEY_FILE), "zz").unwrap();
        assert!(LinkKey::new("", dir.path()).get().is_err());
    }
}
