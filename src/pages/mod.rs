//! Public pages (no login): what recipients reach from the links in their invitations.

pub mod unsubscribe;
