//! Who is asking: resolves an `Authorization` header to a principal.
//!
//! Basic carries a user name and a password (CalDAV clients) or an API key as the
//! password; Bearer carries an API key. Failures are logged with the reason and answered
//! with one undifferentiated 401, so a caller cannot tell a wrong user from a wrong
//! password.

use super::login_cache::{CachedLogin, LoginCache};
use super::{api_key, password};
use base64::Engine;
use calinvite_storage::{Principal, Store, StoreError};
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("no credentials")]
    Missing,
    #[error("malformed Authorization header: {0}")]
    Malformed(&'static str),
    #[error("unknown user or wrong password")]
    BadPassword,
    #[error("unknown or revoked API key")]
    BadApiKey,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Credentials taken from a request, before they are checked.
#[derive(Debug, PartialEq, Eq)]
pub enum Credentials {
    Basic { user: String, password: String },
    Bearer(String),
}

impl Credentials {
    pub fn from_header(value: Option<&[u8]>) -> Result<Credentials, AuthError> {
        let value = value.ok_or(AuthError::Missing)?;
        let value = std::str::from_utf8(value)
            .map_err(|_| AuthError::Malformed("not UTF-8"))?
            .trim();
        let (scheme, rest) = value.split_once(' ').ok_or(AuthError::Malformed("no scheme"))?;
        let rest = rest.trim();
        if scheme.eq_ignore_ascii_case("basic") {
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(rest)
                .map_err(|_| AuthError::Malformed("Basic credentials are not base64"))?;
            let decoded =
                String::from_utf8(decoded).map_err(|_| AuthError::Malformed("Basic credentials are not UTF-8"))?;
            let (user, password) = decoded
                .split_once(':')
                .ok_or(AuthError::Malformed("Basic credentials have no colon"))?;
            Ok(Credentials::Basic {
                user: user.to_string(),
                password: password.to_string(),
            })
        } else if scheme.eq_ignore_ascii_case("bearer") {
            Ok(Credentials::Bearer(rest.to_string()))
        } else {
            Err(AuthError::Malformed("unsupported scheme"))
        }
    }
}

pub struct Authenticator {
    store: Arc<dyn Store>,
    cache: LoginCache,
}

impl Authenticator {
    pub fn new(store: Arc<dyn Store>, cache: LoginCache) -> Self {
        Authenticator { store, cache }
    }

    pub async fn authenticate(&self, credentials: Credentials) -> Result<Principal, AuthError> {
        match credentials {
            Credentials::Bearer(token) => self.by_api_key(&token).await,
            Credentials::Basic { user, password } if api_key::looks_like_key(&password) => {
                let principal = self.by_api_key(&password).await?;
                if principal.name.eq_ignore_ascii_case(&user) {
                    Ok(principal)
                } else {
                    Err(AuthError::BadApiKey)
                }
            }
            Credentials::Basic { user, password } => self.by_password(&user, &password).await,
        }
    }

    async fn by_api_key(&self, token: &str) -> Result<Principal, AuthError> {
        if !api_key::looks_like_key(token) {
            return Err(AuthError::BadApiKey);
        }
        let key = self
            .store
            .api_key_by_hash(&api_key::hash(token))
            .await?
            .ok_or(AuthError::BadApiKey)?;
        self.store.principal(key.principal).await?.ok_or(AuthError::BadApiKey)
    }

    async fn by_password(&self, user: &str, password: &str) -> Result<Principal, AuthError> {
        let name = user.to_lowercase();
        if let Some(cached) = self.cache.get(&name, password)
            && let Some(principal) = self.store.principal(cached.principal).await?
            && principal.credential_version == cached.credential_version
        {
            return Ok(principal);
        }
        let Some(principal) = self.store.principal_by_name(&name).await? else {
            // Spend the same time as a real check so user names cannot be probed by timing.
            let pw = password.to_string();
            let _ = tokio::task::spawn_blocking(move || password::verify_password(dummy_hash(), &pw)).await;
            return Err(AuthError::BadPassword);
        };
        let (hash, pw) = (principal.password_hash.clone(), password.to_string());
        let ok = tokio::task::spawn_blocking(move || password::verify_password(&hash, &pw))
            .await
            .unwrap_or(false);
        if !ok {
            return Err(AuthError::BadPassword);
        }
        self.cache.insert(
            &name,
            password,
            CachedLogin {
                principal: principal.id,
                credential_version: principal.credential_version,
            },
        );
        Ok(principal)
    }
}

/// An argon2id hash of a random password, made once, for timing-equal failures.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| password::hash_password("calinvite-dummy-password-for-timing").unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn basic(s: &str) -> Vec<u8> {
        format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(s)).into_bytes()
    }

    #[test]
    fn basic_credentials_are_decoded_and_the_password_may_hold_colons() {
        let c = Credentials::from_header(Some(&basic("alice:pa:ss"))).unwrap();
        assert_eq!(
            c,
            Credentials::Basic {
                user: "alice".into(),
                password: "pa:ss".into()
            }
        );
    }

    #[test]
    fn bearer_tokens_are_taken_whatever_the_scheme_case() {
        let c = Credentials::from_header(Some(b"bearer cik_abc")).unwrap();
        assert_eq!(c, Credentials::Bearer("cik_abc".into()));
    }

    #[test]
    fn malformed_headers_are_errors_not_panics() {
        for h in [&b"Basic"[..], b"Basic !!!", b"Digest abc", b"\xff\xfe", b"Basic Zm9v"] {
            assert!(
                matches!(Credentials::from_header(Some(h)), Err(AuthError::Malformed(_))),
                "{h:?}"
            );
        }
        assert!(matches!(Credentials::from_header(None), Err(AuthError::Missing)));
    }
}
