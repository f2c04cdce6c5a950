//! What a DAV request runs with: the store, the authenticated principal and the limits.
//!
//! The binary builds one per request; the protocol code never reaches for globals, so a
//! test can drive it with any store.

use crate::hooks::DavHooks;
use calinvite_imip::ical::Limits;
use calinvite_storage::{Principal, Store};
use std::sync::Arc;

pub struct DavContext {
    pub store: Arc<dyn Store>,
    pub principal: Principal,
    pub limits: Limits,
    pub hooks: Arc<dyn DavHooks>,
}

/// The URL prefix every DAV resource lives under.
pub const DAV_ROOT: &str = "/dav/";
