//! calinvite's WebDAV/CalDAV protocol layer.
//!
//! The crate is split so that everything which can be decided from bytes alone (parsing
//! request bodies, writing multistatus responses, sync-token syntax) lives in [`xml`] and is
//! tested with plain values; the handlers in [`methods`] resolve paths to resources in the
//! store ([`resource`]), compute properties in one place ([`props`]) and answer through
//! [`service::handle`]. The crate knows no SMTP and no invite rules: those hang off the
//! store's effects.

pub mod context;
pub mod error;
pub mod hooks;
pub mod methods;
pub mod path;
pub mod props;
pub mod resource;
pub mod respond;
pub mod service;
pub mod xml;

pub use context::DavContext;
pub use hooks::{DavHooks, NoHooks};
pub use service::handle;
