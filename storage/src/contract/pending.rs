//! Contract: pending changes, the fan-outs held for approval.

use super::fixtures::*;
use crate::*;

const FAR: Timestamp = T0 + 100 * 365 * DAY;

fn fan(statuses: Vec<PartStat>, method: &str, sequence: u32, recurrence_id: Option<&str>) -> FanOut {
    FanOut {
        event: None,
        statuses,
        queue: "updates".into(),
        method: method.into(),
        sequence,
        recurrence_id: recurrence_id.map(str::to_string),
        due_at: FAR,
        payload: b"payload".to_vec(),
    }
}

fn hold(ev: &EventRecord, before: &str, after: &str, fan_out: FanOut) -> Effects {
    Effects {
        hold: Some(Hold {
            event: ev.id,
            owner: ev.owner,
            before: before.as_bytes().to_vec(),
            after: after.as_bytes().to_vec(),
            fan_out,
        }),
        ..Effects::default()
    }
}

/// Writes the event's object with the given effects.
async fn held_put<S: Store>(store: &S, ev: &EventRecord, body: &str, effects: Effects) -> EffectsOutcome {
    store
        .put_object(
            ev.collection,
            &ev.object_name,
            write(body, Some(&ev.uid), None),
            Precondition::None,
            effects,
        )
        .await
        .unwrap()
        .1
}

/// alice's event `uid-1` with a@ accepted, b@ declined, c@ tentative and d@ not answered.
async fn answered_event<S: Store>(store: &S) -> (Principal, Collection, EventRecord) {
    let (alice, cal) = alice_calendar(store).await;
    let ev = event(store, alice.id, cal.id, "uid-1").await;
    put(store, cal.id, &ev.object_name, "v0", Some("uid-1"), None).await;
    store
        .invite(
            alice.id,
            invitation(ev.id, None, &["a@x.com", "b@x.com", "c@x.com", "d@x.com"]),
        )
        .await
        .unwrap();
    for (email, partstat) in [
        ("a@x.com", PartStat::Accepted),
        ("b@x.com", PartStat::Declined),
        ("c@x.com", PartStat::Tentative),
    ] {
        store
            .record_rsvp(ev.id, email, answer(partstat, 0, T0, None))
            .await
            .unwrap();
    }
    (alice, cal, ev)
}

pub async fn hold_creates_a_pending_change_and_no_jobs<S: Store>(store: &S) {
    let (alice, _, ev) = answered_event(store).await;
    let f = fan(vec![PartStat::Accepted], "REQUEST", 1, None);
    let out = held_put(store, &ev, "v1", hold(&ev, "v0", "v1", f.clone())).await;
    assert_eq!(out.jobs_created, 0);
    assert_eq!(store.pending_jobs("updates").await.unwrap(), 0);
    let p = store.pending_for_event(ev.id).await.unwrap().expect("a pending change");
    assert_eq!(p.event, ev.id);
    assert_eq!(p.owner, alice.id);
    assert_eq!(p.before, b"v0");
    assert_eq!(p.after, b"v1");
    assert_eq!(p.fan_out, f);
    assert_eq!(p.created_at, p.updated_at);
    assert_eq!(store.pending(p.id).await.unwrap(), Some(p.clone()));
    assert_eq!(store.list_pending(alice.id).await.unwrap(), vec![p]);
    // The object itself was written at once.
    assert_eq!(
        store
            .object(ev.collection, &ev.object_name)
            .await
            .unwrap()
            .unwrap()
            .body,
        b"v1"
    );
    assert_eq!(
        store.recipient(ev.id, "a@x.com").await.unwrap().unwrap().sequence_sent,
        0,
        "nobody was told yet"
    );
}

pub async fn second_hold_folds_into_the_pending_change<S: Store>(store: &S) {
    let (alice, _, ev) = answered_event(store).await;
    held_put(
        store,
        &ev,
        "v1",
        hold(&ev, "v0", "v1", fan(vec![PartStat::Accepted], "REQUEST", 1, Some("R1"))),
    )
    .await;
    let first = store.pending_for_event(ev.id).await.unwrap().unwrap();

    let out = held_put(
        store,
        &ev,
        "v2",
        hold(
            &ev,
            "v1",
            "v2",
            fan(vec![PartStat::Declined, PartStat::Accepted], "REQUEST", 2, Some("R2")),
        ),
    )
    .await;
    assert_eq!(out.jobs_created, 0);
    let p = store.pending_for_event(ev.id).await.unwrap().unwrap();
    assert_eq!(p.id, first.id, "a fold keeps the id");
    assert_eq!(p.before, b"v0", "a fold keeps the body from before the first change");
    assert_eq!(p.after, b"v2");
    assert_eq!(p.created_at, first.created_at);
    assert!(p.updated_at >= first.updated_at);
    assert_eq!(p.fan_out.sequence, 2, "the sequence of the latest change");
    assert_eq!(p.fan_out.recurrence_id.as_deref(), Some("R2"));
    let mut statuses = p.fan_out.statuses.clone();
    statuses.sort();
    assert_eq!(statuses, vec![PartStat::Accepted, PartStat::Declined], "the union");

    // A series-wide change to everyone stays series-wide and to everyone.
    held_put(store, &ev, "v3", hold(&ev, "v2", "v3", fan(vec![], "REQUEST", 3, None))).await;
    held_put(
        store,
        &ev,
        "v4",
        hold(
            &ev,
            "v3",
            "v4",
            fan(vec![PartStat::Tentative], "REQUEST", 4, Some("R4")),
        ),
    )
    .await;
    let p = store.pending_for_event(ev.id).await.unwrap().unwrap();
    assert_eq!(p.id, first.id);
    assert_eq!(p.after, b"v4");
    assert_eq!(p.fan_out.sequence, 4);
    assert_eq!(p.fan_out.recurrence_id, None, "series-wide wins");
    assert!(p.fan_out.statuses.is_empty(), "everyone wins");

    // A deleted event: the CANCEL wins over later changes.
    held_put(store, &ev, "v5", hold(&ev, "v4", "", fan(vec![], "CANCEL", 5, None))).await;
    let p = store.pending_for_event(ev.id).await.unwrap().unwrap();
    assert_eq!(p.fan_out.method, "CANCEL");
    assert_eq!(p.fan_out.sequence, 5);
    assert!(p.after.is_empty());
    held_put(
        store,
        &ev,
        "v6",
        hold(&ev, "", "v6", fan(vec![PartStat::Accepted], "REQUEST", 6, Some("R6"))),
    )
    .await;
    let p = store.pending_for_event(ev.id).await.unwrap().unwrap();
    assert_eq!(p.id, first.id);
    assert_eq!(p.before, b"v0");
    assert_eq!(p.after, b"v6");
    assert_eq!(p.fan_out.method, "CANCEL", "the CANCEL of the deleted event wins");
    assert_eq!(p.fan_out.recurrence_id, None);
    assert!(p.fan_out.statuses.is_empty());
    assert_eq!(store.list_pending(alice.id).await.unwrap().len(), 1, "one per event");
    assert_eq!(store.pending_jobs("updates").await.unwrap(), 0);
}

pub async fn a_cancel_held_after_a_change_wins<S: Store>(store: &S) {
    let (_, _, ev) = answered_event(store).await;
    held_put(
        store,
        &ev,
        "v1",
        hold(&ev, "v0", "v1", fan(vec![PartStat::Accepted], "REQUEST", 1, Some("R1"))),
    )
    .await;
    held_put(
        store,
        &ev,
        "v2",
        hold(&ev, "v1", "", fan(vec![PartStat::Tentative], "CANCEL", 2, None)),
    )
    .await;
    let p = store.pending_for_event(ev.id).await.unwrap().unwrap();
    assert_eq!(p.fan_out.method, "CANCEL");
    assert_eq!(p.fan_out.sequence, 2);
    assert_eq!(p.fan_out.recurrence_id, None);
    let mut statuses = p.fan_out.statuses.clone();
    statuses.sort();
    assert_eq!(statuses, vec![PartStat::Accepted, PartStat::Tentative]);
}

pub async fn list_pending_is_per_owner_and_oldest_first<S: Store>(store: &S) {
    let (alice, cal) = alice_calendar(store).await;
    let bob = principal(store, "bob").await;
    let bob_cal = collection(store, bob.id, "cal", CollectionKind::Calendar).await;
    let e1 = event(store, alice.id, cal.id, "uid-1").await;
    let e2 = event(store, alice.id, cal.id, "uid-2").await;
    let e3 = event(store, bob.id, bob_cal.id, "uid-3").await;
    assert!(store.list_pending(alice.id).await.unwrap().is_empty());
    held_put(store, &e2, "a", hold(&e2, "", "a", fan(vec![], "REQUEST", 1, None))).await;
    held_put(store, &e3, "b", hold(&e3, "", "b", fan(vec![], "REQUEST", 1, None))).await;
    held_put(store, &e1, "c", hold(&e1, "", "c", fan(vec![], "REQUEST", 1, None))).await;
    // A fold does not make a change younger.
    held_put(store, &e2, "d", hold(&e2, "a", "d", fan(vec![], "REQUEST", 2, None))).await;
    let events: Vec<EventId> = store
        .list_pending(alice.id)
        .await
        .unwrap()
        .iter()
        .map(|p| p.event)
        .collect();
    assert_eq!(events, vec![e2.id, e1.id]);
    let bobs = store.list_pending(bob.id).await.unwrap();
    assert_eq!(bobs.len(), 1);
    assert_eq!(bobs[0].event, e3.id);
    assert_eq!(bobs[0].owner, bob.id);
    assert!(store.list_pending(PrincipalId(999)).await.unwrap().is_empty());
}

pub async fn approve_queues_the_held_fan_out_and_removes_it<S: Store>(store: &S) {
    let (alice, _, ev) = answered_event(store).await;
    let f = fan(vec![PartStat::Accepted, PartStat::Tentative], "REQUEST", 3, None);
    held_put(store, &ev, "v1", hold(&ev, "v0", "v1", f)).await;
    let p = store.pending_for_event(ev.id).await.unwrap().unwrap();
    let created = store.approve_pending(p.id, T0 + HOUR).await.unwrap();
    assert_eq!(created, 2);
    assert_eq!(store.pending(p.id).await.unwrap(), None);
    assert_eq!(store.pending_for_event(ev.id).await.unwrap(), None);
    assert!(store.list_pending(alice.id).await.unwrap().is_empty());
    assert_eq!(store.pending_jobs("updates").await.unwrap(), 2);
    assert!(
        store.lease_jobs("updates", "w", 10, T0, 60).await.unwrap().is_empty(),
        "due at the approval, not before"
    );
    let jobs = store.lease_jobs("updates", "w", 10, T0 + HOUR, 60).await.unwrap();
    let mut reached: Vec<String> = jobs.iter().map(|j| j.recipient.clone().unwrap_or_default()).collect();
    reached.sort();
    assert_eq!(reached, strings(&["a@x.com", "c@x.com"]));
    assert!(jobs.iter().all(|j| j.sequence == 3
        && j.method == "REQUEST"
        && j.event == Some(ev.id)
        && j.due_at == T0 + HOUR
        && j.payload == b"payload"));
    assert_eq!(
        store.recipient(ev.id, "a@x.com").await.unwrap().unwrap().sequence_sent,
        3
    );
    assert_eq!(
        store.recipient(ev.id, "b@x.com").await.unwrap().unwrap().sequence_sent,
        0
    );
    let err = store.approve_pending(p.id, T0).await.unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");
    // A later hold starts a new pending change.
    held_put(store, &ev, "v2", hold(&ev, "v1", "v2", fan(vec![], "REQUEST", 4, None))).await;
    let next = store.pending_for_event(ev.id).await.unwrap().unwrap();
    assert_ne!(next.id, p.id);
    assert_eq!(next.before, b"v1");
    assert_eq!(store.approve_pending(next.id, T0).await.unwrap(), 4, "everyone");
}

pub async fn approve_or_discard_of_an_unknown_id_is_not_found<S: Store>(store: &S) {
    let err = store.approve_pending(PendingId(42), T0).await.unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");
    let err = store.discard_pending(PendingId(42)).await.unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");
    assert_eq!(store.pending(PendingId(42)).await.unwrap(), None);
    assert_eq!(store.pending_for_event(EventId(42)).await.unwrap(), None);
}

pub async fn discard_removes_the_pending_change_without_jobs<S: Store>(store: &S) {
    let (alice, _, ev) = answered_event(store).await;
    held_put(store, &ev, "v1", hold(&ev, "v0", "v1", fan(vec![], "REQUEST", 1, None))).await;
    let p = store.pending_for_event(ev.id).await.unwrap().unwrap();
    store.discard_pending(p.id).await.unwrap();
    assert_eq!(store.pending(p.id).await.unwrap(), None);
    assert_eq!(store.pending_for_event(ev.id).await.unwrap(), None);
    assert!(store.list_pending(alice.id).await.unwrap().is_empty());
    assert_eq!(store.pending_jobs("updates").await.unwrap(), 0);
    let err = store.discard_pending(p.id).await.unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");
    assert_eq!(
        store
            .object(ev.collection, &ev.object_name)
            .await
            .unwrap()
            .unwrap()
            .body,
        b"v1",
        "the calendar keeps the change"
    );
}

pub async fn failed_precondition_writes_no_pending_change<S: Store>(store: &S) {
    let (alice, _, ev) = answered_event(store).await;
    let err = store
        .put_object(
            ev.collection,
            &ev.object_name,
            write("v1", Some("uid-1"), None),
            Precondition::IfMatch("nope".into()),
            hold(&ev, "v0", "v1", fan(vec![], "REQUEST", 1, None)),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::PreconditionFailed(_)), "{err:?}");
    assert_eq!(store.pending_for_event(ev.id).await.unwrap(), None);
    assert!(store.list_pending(alice.id).await.unwrap().is_empty());
    // Nor does a failed fold touch the pending change there is.
    held_put(store, &ev, "v1", hold(&ev, "v0", "v1", fan(vec![], "REQUEST", 1, None))).await;
    let before = store.pending_for_event(ev.id).await.unwrap().unwrap();
    let err = store
        .delete_object(
            ev.collection,
            &ev.object_name,
            Precondition::IfMatch("nope".into()),
            hold(&ev, "v1", "", fan(vec![], "CANCEL", 2, None)),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::PreconditionFailed(_)), "{err:?}");
    assert_eq!(store.pending_for_event(ev.id).await.unwrap(), Some(before));
}

pub async fn hold_and_fan_out_in_one_effects_apply_both<S: Store>(store: &S) {
    let (_, _, ev) = answered_event(store).await;
    let mut fx = hold(&ev, "v0", "v1", fan(vec![], "REQUEST", 1, None));
    let mut now = fan(vec![PartStat::Accepted], "REQUEST", 1, None);
    now.event = Some(ev.id);
    now.due_at = T0;
    fx.fan_out = Some(now);
    let out = held_put(store, &ev, "v1", fx).await;
    assert_eq!(out.jobs_created, 1);
    assert!(store.pending_for_event(ev.id).await.unwrap().is_some());
}

pub async fn deleting_the_collection_removes_its_events_pending_changes<S: Store>(store: &S) {
    let (alice, cal, ev) = answered_event(store).await;
    held_put(store, &ev, "v1", hold(&ev, "v0", "v1", fan(vec![], "REQUEST", 1, None))).await;
    let p = store.pending_for_event(ev.id).await.unwrap().unwrap();
    store.delete_collection(cal.id).await.unwrap();
    assert_eq!(store.pending(p.id).await.unwrap(), None);
    assert_eq!(store.pending_for_event(ev.id).await.unwrap(), None);
    assert!(store.list_pending(alice.id).await.unwrap().is_empty());
}

pub async fn hold_for_a_missing_event_is_not_found_and_writes_nothing<S: Store>(store: &S) {
    let (alice, cal) = alice_calendar(store).await;
    let ghost = EventRecord {
        id: EventId(999),
        owner: alice.id,
        uid: "ghost".into(),
        collection: cal.id,
        object_name: "ghost.ics".into(),
        sequence: 0,
        public_code: String::new(),
        groups: vec![],
        approval: Approval::Hold,
        cancelled: false,
        summary: String::new(),
        start: None,
        custom: String::new(),
        created_at: T0,
        updated_at: T0,
    };
    let err = store
        .put_object(
            cal.id,
            "ghost.ics",
            write("x", Some("ghost"), None),
            Precondition::None,
            hold(&ghost, "", "x", fan(vec![], "REQUEST", 0, None)),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");
    assert_eq!(store.object(cal.id, "ghost.ics").await.unwrap(), None);
    assert!(store.list_pending(alice.id).await.unwrap().is_empty());
}
