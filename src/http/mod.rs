//! The HTTP front: one hyper service for CalDAV, the REST API and pages.
//!
//! Protocol crates never see hyper: a request reaches them as `http::Request<Bytes>` with
//! its body already read (and bounded), and they answer `http::Response<Bytes>`. This
//! module owns the sockets, TLS, limits, authentication and the per-request span.

pub mod body;
pub mod router;
pub mod server;
pub mod tls;

pub use body::{Body, channel, full};

/// The `key=value` pairs of a query string or a form body
/// (`application/x-www-form-urlencoded`), percent-decoded, `+` read as a space.
pub fn form_pairs(s: &str) -> Vec<(String, String)> {
    s.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let decode = |s: &str| {
                percent_encoding::percent_decode_str(&s.replace('+', " "))
                    .decode_utf8_lossy()
                    .into_owned()
            };
            (decode(k), decode(v))
        })
        .collect()
}
