//! Contract: change logs behind sync tokens (RFC 6578).

use super::fixtures::*;
use crate::*;

pub async fn new_collection_has_no_changes<S: Store>(store: &S) {
    let (_, cal) = alice_calendar(store).await;
    let changes = store.changes_since(cal.id, 0, None).await.unwrap();
    assert_eq!(
        changes,
        Changes {
            sync_seq: 0,
            changed: vec![],
            deleted: vec![],
            truncated: false
        }
    );
}

pub async fn changes_since_reports_puts_updates_and_deletes<S: Store>(store: &S) {
    let (_, cal) = alice_calendar(store).await;
    put(store, cal.id, "a.ics", "a", None, None).await; // 1
    put(store, cal.id, "b.ics", "b", None, None).await; // 2
    put(store, cal.id, "c.ics", "c", None, None).await; // 3
    let all = store.changes_since(cal.id, 0, None).await.unwrap();
    assert_eq!(
        all,
        Changes {
            sync_seq: 3,
            changed: strings(&["a.ics", "b.ics", "c.ics"]),
            deleted: vec![],
            truncated: false
        }
    );

    put(store, cal.id, "a.ics", "a2", None, None).await; // 4
    store
        .delete_object(cal.id, "b.ics", Precondition::None, Effects::default())
        .await
        .unwrap(); // 5
    put(store, cal.id, "d.ics", "d", None, None).await; // 6
    store
        .delete_object(cal.id, "d.ics", Precondition::None, Effects::default())
        .await
        .unwrap(); // 7
    let since3 = store.changes_since(cal.id, 3, None).await.unwrap();
    assert_eq!(
        since3,
        Changes {
            sync_seq: 7,
            changed: strings(&["a.ics"]),
            deleted: strings(&["b.ics", "d.ics"]),
            truncated: false
        }
    );
    // Newest state per name: deleted then re-created is "changed".
    put(store, cal.id, "b.ics", "b again", None, None).await; // 8
    let since4 = store.changes_since(cal.id, 4, None).await.unwrap();
    assert_eq!(
        since4,
        Changes {
            sync_seq: 8,
            changed: strings(&["b.ics"]),
            deleted: strings(&["d.ics"]),
            truncated: false
        }
    );
    // From the start, current state only.
    let from0 = store.changes_since(cal.id, 0, None).await.unwrap();
    assert_eq!(from0.changed, strings(&["a.ics", "b.ics", "c.ics"]));
    assert_eq!(from0.deleted, strings(&["d.ics"]));
}

pub async fn token_above_the_current_sequence_is_invalid<S: Store>(store: &S) {
    let (_, cal) = alice_calendar(store).await;
    put(store, cal.id, "a.ics", "a", None, None).await;
    let err = store.changes_since(cal.id, 2, None).await.unwrap_err();
    assert!(matches!(err, StoreError::InvalidSyncToken), "{err:?}");
    let err = store.changes_since(cal.id, u64::MAX, Some(10)).await.unwrap_err();
    assert!(matches!(err, StoreError::InvalidSyncToken), "{err:?}");
}

pub async fn changes_since_the_current_token_are_empty<S: Store>(store: &S) {
    let (_, cal) = alice_calendar(store).await;
    put(store, cal.id, "a.ics", "a", None, None).await;
    put(store, cal.id, "b.ics", "b", None, None).await;
    let changes = store.changes_since(cal.id, 2, Some(1)).await.unwrap();
    assert_eq!(
        changes,
        Changes {
            sync_seq: 2,
            changed: vec![],
            deleted: vec![],
            truncated: false
        }
    );
}

pub async fn limit_truncates_and_the_client_can_continue<S: Store>(store: &S) {
    let (_, cal) = alice_calendar(store).await;
    put(store, cal.id, "a.ics", "a", None, None).await; // 1
    put(store, cal.id, "b.ics", "b", None, None).await; // 2
    put(store, cal.id, "a.ics", "a2", None, None).await; // 3
    put(store, cal.id, "c.ics", "c", None, None).await; // 4
    store
        .delete_object(cal.id, "a.ics", Precondition::None, Effects::default())
        .await
        .unwrap(); // 5
    put(store, cal.id, "d.ics", "d", None, None).await; // 6
    let first = store.changes_since(cal.id, 0, Some(2)).await.unwrap();
    assert_eq!(
        first,
        Changes {
            sync_seq: 3,
            changed: strings(&["a.ics", "b.ics"]),
            deleted: vec![],
            truncated: true
        }
    );
    let second = store.changes_since(cal.id, first.sync_seq, Some(2)).await.unwrap();
    assert_eq!(
        second,
        Changes {
            sync_seq: 5,
            changed: strings(&["c.ics"]),
            deleted: strings(&["a.ics"]),
            truncated: true
        }
    );
    let third = store.changes_since(cal.id, second.sync_seq, Some(2)).await.unwrap();
    assert_eq!(
        third,
        Changes {
            sync_seq: 6,
            changed: strings(&["d.ics"]),
            deleted: vec![],
            truncated: false
        }
    );
    // A limit that exactly fits is not a truncation.
    let fits = store.changes_since(cal.id, 3, Some(3)).await.unwrap();
    assert_eq!(
        fits,
        Changes {
            sync_seq: 6,
            changed: strings(&["c.ics", "d.ics"]),
            deleted: strings(&["a.ics"]),
            truncated: false
        }
    );
    assert!(matches!(
        store.changes_since(cal.id, 0, Some(0)).await.unwrap_err(),
        StoreError::Invalid(_)
    ));
}

pub async fn copy_and_move_are_logged_in_both_collections<S: Store>(store: &S) {
    let (alice, cal) = alice_calendar(store).await;
    let other = collection(store, alice.id, "other", CollectionKind::Calendar).await;
    put(store, cal.id, "a.ics", "a", Some("a"), None).await; // cal 1
    store
        .copy_object(cal.id, "a.ics", other.id, "copy.ics", false, false)
        .await
        .unwrap(); // other 1
    store
        .copy_object(cal.id, "a.ics", other.id, "moved.ics", false, true)
        .await
        .unwrap_err(); // UID held by copy.ics
    store
        .copy_object(cal.id, "a.ics", cal.id, "renamed.ics", false, true)
        .await
        .unwrap(); // cal 2, 3
    let in_cal = store.changes_since(cal.id, 1, None).await.unwrap();
    assert_eq!(
        in_cal,
        Changes {
            sync_seq: 3,
            changed: strings(&["renamed.ics"]),
            deleted: strings(&["a.ics"]),
            truncated: false
        }
    );
    let in_other = store.changes_since(other.id, 0, None).await.unwrap();
    assert_eq!(
        in_other,
        Changes {
            sync_seq: 1,
            changed: strings(&["copy.ics"]),
            deleted: vec![],
            truncated: false
        }
    );
    // A patched object counts as changed.
    store
        .patch_object(
            other.id,
            "copy.ics",
            PropPatch {
                set: vec![("{x:}p".into(), "1".into())],
                remove: vec![],
            },
        )
        .await
        .unwrap();
    let patched = store.changes_since(other.id, 1, None).await.unwrap();
    assert_eq!(
        patched,
        Changes {
            sync_seq: 2,
            changed: strings(&["copy.ics"]),
            deleted: vec![],
            truncated: false
        }
    );
}

pub async fn changes_of_a_missing_collection_are_not_found<S: Store>(store: &S) {
    assert!(
        store
            .changes_since(CollectionId(31337), 0, None)
            .await
            .unwrap_err()
            .is_not_found()
    );
}
