//! A short-lived memory of verified logins, so Basic auth does not run argon2 on every
//! request.
//!
//! The key is an HMAC of the user name and password under a secret drawn at start, so the
//! cache never holds a password or a hash that could be attacked offline. Each entry
//! remembers the account's credential version: after a password change (in this process
//! or another sharing the store) the version no longer matches and the entry is useless.

use calinvite_storage::PrincipalId;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CachedLogin {
    pub principal: PrincipalId,
    pub credential_version: u64,
}

pub struct LoginCache {
    secret: [u8; 32],
    ttl: Duration,
    max_entries: usize,
    entries: Mutex<HashMap<[u8; 32], (CachedLogin, Instant)>>,
}

impl LoginCache {
    pub fn new(ttl: Duration, max_entries: usize) -> Self {
        let mut secret = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut secret);
        LoginCache {
            secret,
            ttl,
            max_entries,
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn key(&self, user: &str, password: &str) -> [u8; 32] {
        // HMAC accepts keys of any length, so this cannot fail.
        let mut mac = match <Hmac<Sha256> as Mac>::new_from_slice(&self.secret) {
            Ok(mac) => mac,
            Err(_) => return [0; 32],
        };
        mac.update(user.as_bytes());
        mac.update(&[0]);
        mac.update(password.as_bytes());
        mac.finalize().into_bytes().into()
    }

    pub fn enabled(&self) -> bool {
        !self.ttl.is_zero() && self.max_entries > 0
    }

    pub fn get(&self, user: &str, password: &str) -> Option<CachedLogin> {
        if !self.enabled() {
            return None;
        }
        let key = self.key(user, password);
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        match entries.get(&key) {
            Some((login, expires)) if *expires > Instant::now() => Some(*login),
            Some(_) => {
                entries.remove(&key);
                None
            }
            None => None,
        }
    }

    pub fn insert(&self, user: &str, password: &str, login: CachedLogin) {
        if !self.enabled() {
            return;
        }
        let key = self.key(user, password);
        let now = Instant::now();
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= self.max_entries {
            entries.retain(|_, (_, expires)| *expires > now);
            if entries.len() >= self.max_entries {
                // Still full of live entries: start over rather than grow without bound.
                entries.clear();
            }
        }
        entries.insert(key, (login, now + self.ttl));
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.entries.lock().unwrap_or_else(|p| p.into_inner()).len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn login(id: u64) -> CachedLogin {
        CachedLogin {
            principal: PrincipalId(id),
            credential_version: 1,
        }
    }

    #[test]
    fn a_remembered_login_is_found_only_with_the_same_password() {
        let cache = LoginCache::new(Duration::from_secs(60), 10);
        cache.insert("alice", "pw", login(1));
        assert_eq!(cache.get("alice", "pw"), Some(login(1)));
        assert_eq!(cache.get("alice", "pw2"), None);
        assert_eq!(
            cache.get("alicepw", ""),
            None,
            "the separator keeps user and password apart"
        );
    }

    #[test]
    fn entries_expire() {
        let cache = LoginCache::new(Duration::from_millis(20), 10);
        cache.insert("alice", "pw", login(1));
        std::thread::sleep(Duration::from_millis(40));
        assert_eq!(cache.get("alice", "pw"), None);
        assert_eq!(cache.len(), 0);
    }

    #[test]
    fn the_cache_never_grows_past_its_bound() {
        let cache = LoginCache::new(Duration::from_secs(60), 3);
        for i in 0..10 {
            cache.insert(&format!("user{i}"), "pw", login(i));
            assert!(cache.len() <= 3);
        }
    }

    #[test]
    fn a_zero_ttl_turns_the_cache_off() {
        let cache = LoginCache::new(Duration::ZERO, 10);
        cache.insert("alice", "pw", login(1));
        assert_eq!(cache.get("alice", "pw"), None);
    }
}
