//! Accounts: passwords, API keys and the authentication of requests.
//!
//! Passwords are argon2id hashes, which cost tens of milliseconds to verify by design, so
//! a CalDAV client that sends Basic credentials with every request would spend most of
//! the server's time in argon2. Verified logins are therefore remembered for a short
//! while ([`login_cache`]), keyed by a keyed hash of the credentials and the account's
//! credential version, so a password change ends every cached login at once.

pub mod api_key;
pub mod authenticator;
pub mod login_cache;
pub mod password;

pub use authenticator::{AuthError, Authenticator, Credentials};
