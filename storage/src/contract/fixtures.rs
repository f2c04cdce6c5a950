//! Small builders shared by the contract tests, so each test reads as its scenario.

use crate::*;

/// A fixed instant (2025-06-15T15:06:40Z) the tests count from.
pub(super) const T0: Timestamp = 1_750_000_000;
pub(super) const HOUR: i64 = 3600;
pub(super) const DAY: i64 = 24 * HOUR;

pub(super) async fn principal<S: Store>(store: &S, name: &str) -> Principal {
    store
        .create_principal(NewPrincipal {
            name: name.to_string(),
            display_name: format!("{name} display"),
            emails: vec![format!("{name}@example.com")],
            role: Role::Organizer,
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".to_string(),
        })
        .await
        .unwrap()
}

pub(super) async fn collection<S: Store>(
    store: &S,
    owner: PrincipalId,
    path: &str,
    kind: CollectionKind,
) -> Collection {
    store
        .create_collection(NewCollection {
            owner,
            path: path.to_string(),
            kind,
            props: Properties::new(),
        })
        .await
        .unwrap()
}

/// A principal `alice` with a calendar `cal`.
pub(super) async fn alice_calendar<S: Store>(store: &S) -> (Principal, Collection) {
    let alice = principal(store, "alice").await;
    let cal = collection(store, alice.id, "cal", CollectionKind::Calendar).await;
    (alice, cal)
}

pub(super) fn write(body: &str, uid: Option<&str>, range: Option<TimeRange>) -> ObjectWrite {
    ObjectWrite {
        body: body.as_bytes().to_vec(),
        content_type: "text/calendar; charset=utf-8".to_string(),
        uid: uid.map(str::to_string),
        component: uid.map(|_| "VEVENT".to_string()),
        time_range: range,
    }
}

pub(super) fn range(start: Timestamp, end: Option<Timestamp>) -> TimeRange {
    TimeRange { start, end }
}

/// Puts an object with no precondition and no effects.
pub(super) async fn put<S: Store>(
    store: &S,
    coll: CollectionId,
    name: &str,
    body: &str,
    uid: Option<&str>,
    range: Option<TimeRange>,
) -> PutOutcome {
    store
        .put_object(
            coll,
            name,
            write(body, uid, range),
            Precondition::None,
            Effects::default(),
        )
        .await
        .unwrap()
        .0
}

pub(super) async fn event<S: Store>(store: &S, owner: PrincipalId, coll: CollectionId, uid: &str) -> EventRecord {
    store
        .upsert_event(EventUpsert::at(owner, uid, coll, &format!("{uid}.ics")))
        .await
        .unwrap()
}

pub(super) fn invitation(event: EventId, key: Option<&str>, emails: &[&str]) -> InvitationRequest {
    InvitationRequest {
        event,
        idempotency_key: key.map(str::to_string),
        recipients: emails
            .iter()
            .map(|e| NewRecipient {
                email: e.to_string(),
                name: None,
                lang: None,
            })
            .collect(),
        method: "REQUEST".to_string(),
        sequence: 0,
        queue: "mail".to_string(),
        due_at: T0,
    }
}

pub(super) fn job(queue: &str, recipient: &str, due_at: Timestamp) -> NewJob {
    NewJob {
        queue: queue.to_string(),
        event: None,
        recipient: Some(recipient.to_string()),
        method: "REQUEST".to_string(),
        sequence: 0,
        recurrence_id: None,
        batch: None,
        payload: recipient.as_bytes().to_vec(),
        due_at,
    }
}

pub(super) fn answer(partstat: PartStat, sequence: u32, dtstamp: Timestamp, recurrence_id: Option<&str>) -> RsvpEntry {
    RsvpEntry {
        partstat,
        recorded_at: T0,
        sequence,
        dtstamp,
        recurrence_id: recurrence_id.map(str::to_string),
        message_id: None,
        comment: None,
        source: "imap".to_string(),
    }
}

/// Names of objects, for compact assertions.
pub(super) fn names(objects: &[Object]) -> Vec<String> {
    objects.iter().map(|o| o.meta.name.clone()).collect()
}

pub(super) fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}
