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
