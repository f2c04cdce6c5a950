//! What happens around a calendar write besides storing it.
//!
//! The DAV layer stores objects; deciding what a change means for an event's recipients
//! is the lifecycle's job, which lives in the binary. So a write asks these hooks for the
//! [`Effects`] to commit in the same transaction as the object, and the protocol code stays
//! free of invite rules.

use async_trait::async_trait;
use calinvite_imip::ical::CalendarObject;
use calinvite_storage::{Collection, Effects, ObjectMeta, Principal};

#[async_trait]
pub trait DavHooks: Send + Sync {
    /// The object as it is to be stored, when the server must change what the client sent
    /// (RFC 6638 §3.2: SCHEDULE-STATUS on the attendees the server schedules). `None`
    /// keeps the client's bytes. Called before [`on_put`](Self::on_put), which then sees
    /// the rewritten object.
    async fn rewrite(&self, _owner: &Principal, _collection: &Collection, _object: &CalendarObject) -> Option<String> {
        None
    }
    /// Effects of storing `object` as `name` in `collection` (a calendar).
    async fn on_put(&self, owner: &Principal, collection: &Collection, name: &str, object: &CalendarObject) -> Effects;
    /// Effects of deleting the object `meta` from `collection` (a calendar).
    async fn on_delete(&self, owner: &Principal, collection: &Collection, meta: &ObjectMeta) -> Effects;
}

/// Hooks that add nothing: plain storage.
pub struct NoHooks;

#[async_trait]
impl DavHooks for NoHooks {
    async fn on_put(&self, _: &Principal, _: &Collection, _: &str, _: &CalendarObject) -> Effects {
        Effects::default()
    }
    async fn on_delete(&self, _: &Principal, _: &Collection, _: &ObjectMeta) -> Effects {
        Effects::default()
    }
}
