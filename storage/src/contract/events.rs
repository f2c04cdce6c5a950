//! Contract: the event registry.

use super::fixtures::*;
use crate::*;

pub async fn event_upsert_creates_with_defaults_then_updates_given_fields<S: Store>(store: &S) {
    let (alice, cal) = alice_calendar(store).await;
    let created = event(store, alice.id, cal.id, "uid-1").await;
    assert_eq!(created.owner, alice.id);
    assert_eq!(created.uid, "uid-1");
    assert_eq!(created.collection, cal.id);
    assert_eq!(created.object_name, "uid-1.ics");
    assert_eq!(created.sequence, 0);
    assert_eq!(created.groups, Vec::<String>::new());
    assert_eq!(created.approval, Approval::Inherit);
    assert!(!created.cancelled);
    assert_eq!(created.summary, "");
    assert_eq!(created.start, None);
    assert_eq!(created.public_code.len(), 10);

    let mut up = EventUpsert::at(alice.id, "uid-1", cal.id, "renamed.ics");
    up.sequence = Some(3);
    up.summary = Some("Launch".into());
    up.start = Some(Some(T0));
    up.groups = Some(vec!["team".into()]);
    up.approval = Some(Approval::Hold);
    up.custom = Some("{\"logo\":\"x\"}".into());
    up.public_code = Some("ignored-on-update".into());
    let updated = store.upsert_event(up).await.unwrap();
    assert_eq!(updated.id, created.id);
    assert_eq!(updated.object_name, "renamed.ics");
    assert_eq!(updated.sequence, 3);
    assert_eq!(updated.summary, "Launch");
    assert_eq!(updated.start, Some(T0));
    assert_eq!(updated.groups, strings(&["team"]));
    assert_eq!(updated.approval, Approval::Hold);
    assert_eq!(updated.custom, "{\"logo\":\"x\"}");
    assert_eq!(updated.public_code, created.public_code);
    assert_eq!(updated.created_at, created.created_at);

    // Fields left as None keep their value.
    let mut cancel = EventUpsert::at(alice.id, "uid-1", cal.id, "renamed.ics");
    cancel.cancelled = Some(true);
    let cancelled = store.upsert_event(cancel).await.unwrap();
    assert!(cancelled.cancelled);
    assert_eq!(cancelled.sequence, 3);
    assert_eq!(cancelled.summary, "Launch");
    assert_eq!(store.event(created.id).await.unwrap(), Some(cancelled));
    let err = store
        .upsert_event(EventUpsert::at(alice.id, "", cal.id, "x.ics"))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Invalid(_)), "{err:?}");
}

pub async fn events_are_found_by_uid_code_and_owner<S: Store>(store: &S) {
    let (alice, cal) = alice_calendar(store).await;
    let bob = principal(store, "bob").await;
    let ev = event(store, alice.id, cal.id, "uid-1").await;
    assert_eq!(store.event_by_uid(alice.id, "uid-1").await.unwrap(), Some(ev.clone()));
    assert_eq!(store.event_by_uid(bob.id, "uid-1").await.unwrap(), None);
    assert_eq!(store.event_by_code(&ev.public_code).await.unwrap(), Some(ev.clone()));
    assert_eq!(store.event_by_code("nosuchcode").await.unwrap(), None);
    assert_eq!(store.event(EventId(ev.id.0 + 100)).await.unwrap(), None);
}

pub async fn events_with_uid_span_owners<S: Store>(store: &S) {
    let (alice, cal) = alice_calendar(store).await;
    let bob = principal(store, "bob").await;
    let bob_cal = collection(store, bob.id, "cal", CollectionKind::Calendar).await;
    let a = event(store, alice.id, cal.id, "shared").await;
    let b = event(store, bob.id, bob_cal.id, "shared").await;
    event(store, alice.id, cal.id, "shared-not").await;
    assert_eq!(store.events_with_uid("shared").await.unwrap(), vec![a, b]);
    assert!(store.events_with_uid("none").await.unwrap().is_empty());
}

pub async fn generated_public_codes_are_unambiguous_and_unique<S: Store>(store: &S) {
    let (alice, cal) = alice_calendar(store).await;
    let mut codes = std::collections::HashSet::new();
    for i in 0..50 {
        let ev = event(store, alice.id, cal.id, &format!("uid-{i}")).await;
        assert_eq!(ev.public_code.len(), 10);
        assert!(
            ev.public_code
                .chars()
                .all(|c| (c.is_ascii_lowercase() || c.is_ascii_digit()) && !"l1o0".contains(c)),
            "{}",
            ev.public_code
        );
        assert!(codes.insert(ev.public_code));
    }
}

pub async fn taken_public_code_is_rejected<S: Store>(store: &S) {
    let (alice, cal) = alice_calendar(store).await;
    let mut up = EventUpsert::at(alice.id, "uid-1", cal.id, "a.ics");
    up.public_code = Some("launch2025".into());
    let ev = store.upsert_event(up).await.unwrap();
    assert_eq!(ev.public_code, "launch2025");
    let mut dup = EventUpsert::at(alice.id, "uid-2", cal.id, "b.ics");
    dup.public_code = Some("launch2025".into());
    let err = store.upsert_event(dup).await.unwrap_err();
    assert!(matches!(err, StoreError::AlreadyExists { .. }), "{err:?}");
    assert_eq!(store.event_by_uid(alice.id, "uid-2").await.unwrap(), None);
}

pub async fn list_events_pages_by_id<S: Store>(store: &S) {
    let (alice, cal) = alice_calendar(store).await;
    let bob = principal(store, "bob").await;
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(event(store, alice.id, cal.id, &format!("uid-{i}")).await.id);
        event(store, bob.id, cal.id, &format!("bob-{i}")).await;
    }
    let p1 = store.list_events(alice.id, None, 2).await.unwrap();
    assert_eq!(p1.items.iter().map(|e| e.id).collect::<Vec<_>>(), ids[0..2].to_vec());
    assert_eq!(p1.next, Some(ids[1].to_string()));
    let p2 = store.list_events(alice.id, p1.next.as_deref(), 2).await.unwrap();
    assert_eq!(p2.items.iter().map(|e| e.id).collect::<Vec<_>>(), ids[2..4].to_vec());
    let p3 = store.list_events(alice.id, p2.next.as_deref(), 2).await.unwrap();
    assert_eq!(p3.items.iter().map(|e| e.id).collect::<Vec<_>>(), ids[4..5].to_vec());
    assert_eq!(p3.next, None);
    let exact = store.list_events(alice.id, None, 5).await.unwrap();
    assert_eq!(exact.items.len(), 5);
    assert_eq!(exact.next, None);
    assert!(matches!(
        store.list_events(alice.id, Some("garbage"), 2).await.unwrap_err(),
        StoreError::Invalid(_)
    ));
    assert!(matches!(
        store.list_events(alice.id, None, 0).await.unwrap_err(),
        StoreError::Invalid(_)
    ));
}

pub async fn event_for_a_missing_principal_is_not_found<S: Store>(store: &S) {
    let err = store
        .upsert_event(EventUpsert::at(PrincipalId(999), "u", CollectionId(1), "u.ics"))
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
}
