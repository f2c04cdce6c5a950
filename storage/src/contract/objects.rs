//! Contract: objects, preconditions, UIDs, copy/move and the time index.

use super::fixtures::*;
use crate::*;

pub async fn put_then_get_returns_body_metadata_and_etag<S: Store>(store: &S) {
    let (_, cal) = alice_calendar(store).await;
    let (out, fx) = store
        .put_object(
            cal.id,
            "e.ics",
            write("BEGIN:VCALENDAR", Some("uid-1"), Some(range(T0, Some(T0 + HOUR)))),
            Precondition::IfNotExists,
            Effects::default(),
        )
        .await
        .unwrap();
    assert_eq!(out.etag, etag_for(b"BEGIN:VCALENDAR"));
    assert!(out.created);
    assert_eq!(out.sync_seq, 1);
    assert_eq!(
        fx,
        EffectsOutcome {
            event: None,
            jobs_created: 0
        }
    );
    let obj = store.object(cal.id, "e.ics").await.unwrap().unwrap();
    assert_eq!(obj.body, b"BEGIN:VCALENDAR".to_vec());
    assert_eq!(obj.meta.name, "e.ics");
    assert_eq!(obj.meta.etag, out.etag);
    assert_eq!(obj.meta.size, 15);
    assert_eq!(obj.meta.content_type, "text/calendar; charset=utf-8");
    assert_eq!(obj.meta.uid.as_deref(), Some("uid-1"));
    assert_eq!(obj.meta.component.as_deref(), Some("VEVENT"));
    assert_eq!(obj.meta.time_range, Some(range(T0, Some(T0 + HOUR))));
    assert_eq!(
        store.object_meta(cal.id, "e.ics").await.unwrap(),
        Some(obj.meta.clone())
    );
    assert_eq!(
        store.object_name_by_uid(cal.id, "uid-1").await.unwrap().as_deref(),
        Some("e.ics")
    );
    assert_eq!(store.object(cal.id, "other.ics").await.unwrap(), None);
    assert_eq!(store.collection(cal.id).await.unwrap().unwrap().sync_seq, 1);
}

pub async fn overwrite_changes_etag_and_keeps_dead_properties<S: Store>(store: &S) {
    let (_, cal) = alice_calendar(store).await;
    let first = put(store, cal.id, "e.ics", "v1", Some("uid-1"), None).await;
    store
        .patch_object(
            cal.id,
            "e.ics",
            PropPatch {
                set: vec![("{x:}note".into(), "kept".into())],
                remove: vec![],
            },
        )
        .await
        .unwrap();
    let (second, _) = store
        .put_object(
            cal.id,
            "e.ics",
            write("v2", Some("uid-1"), None),
            Precondition::IfMatch(first.etag.clone()),
            Effects::default(),
        )
        .await
        .unwrap();
    assert!(!second.created);
    assert_eq!(second.etag, etag_for(b"v2"));
    assert_ne!(second.etag, first.etag);
    let meta = store.object_meta(cal.id, "e.ics").await.unwrap().unwrap();
    assert_eq!(meta.props.get("{x:}note").map(String::as_str), Some("kept"));
    assert_eq!(
        store.object(cal.id, "e.ics").await.unwrap().unwrap().body,
        b"v2".to_vec()
    );
    // A quoted ETag matches too.
    store
        .put_object(
            cal.id,
            "e.ics",
            write("v3", Some("uid-1"), None),
            Precondition::IfMatch(format!("\"{}\"", second.etag)),
            Effects::default(),
        )
        .await
        .unwrap();
    store
        .put_object(
            cal.id,
            "e.ics",
            write("v4", Some("uid-1"), None),
            Precondition::IfExists,
            Effects::default(),
        )
        .await
        .unwrap();
}

pub async fn put_into_a_missing_collection_is_not_found<S: Store>(store: &S) {
    let err = store
        .put_object(
            CollectionId(404),
            "x.ics",
            write("x", None, None),
            Precondition::None,
            Effects::default(),
        )
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    assert!(store.list_objects(CollectionId(404)).await.unwrap_err().is_not_found());
}

pub async fn invalid_object_names_are_rejected<S: Store>(store: &S) {
    let (_, cal) = alice_calendar(store).await;
    for name in ["", "a/b", ".."] {
        let err = store
            .put_object(
                cal.id,
                name,
                write("x", None, None),
                Precondition::None,
                Effects::default(),
            )
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Invalid(_)), "{name:?}: {err:?}");
    }
}

pub async fn if_match_with_another_etag_fails_and_writes_nothing<S: Store>(store: &S) {
    let (_, cal) = alice_calendar(store).await;
    put(
        store,
        cal.id,
        "e.ics",
        "v1",
        Some("uid-1"),
        Some(range(T0, Some(T0 + HOUR))),
    )
    .await;
    let err = store
        .put_object(
            cal.id,
            "e.ics",
            write("v2", Some("uid-2"), Some(range(T0 + DAY, Some(T0 + DAY + HOUR)))),
            Precondition::IfMatch("nope".into()),
            Effects::default(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::PreconditionFailed(_)), "{err:?}");
    assert_eq!(
        store.object(cal.id, "e.ics").await.unwrap().unwrap().body,
        b"v1".to_vec()
    );
    assert_eq!(store.object_name_by_uid(cal.id, "uid-2").await.unwrap(), None);
    assert!(
        store
            .objects_in_range(cal.id, T0 + DAY, T0 + 2 * DAY)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.collection(cal.id).await.unwrap().unwrap().sync_seq, 1);
}

pub async fn if_match_on_a_missing_object_fails<S: Store>(store: &S) {
    let (_, cal) = alice_calendar(store).await;
    for pre in [Precondition::IfMatch(etag_for(b"x")), Precondition::IfExists] {
        let err = store
            .put_object(cal.id, "e.ics", write("x", None, None), pre, Effects::default())
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::PreconditionFailed(_)), "{err:?}");
    }
    assert_eq!(store.object(cal.id, "e.ics").await.unwrap(), None);
}

pub async fn if_none_match_star_on_an_existing_object_fails<S: Store>(store: &S) {
    let (_, cal) = alice_calendar(store).await;
    put(store, cal.id, "e.ics", "v1", None, None).await;
    let err = store
        .put_object(
            cal.id,
            "e.ics",
            write("v2", None, None),
            Precondition::IfNotExists,
            Effects::default(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::PreconditionFailed(_)), "{err:?}");
    assert_eq!(
        store.object(cal.id, "e.ics").await.unwrap().unwrap().body,
        b"v1".to_vec()
    );
}

pub async fn uid_conflict_names_the_object_holding_the_uid<S: Store>(store: &S) {
    let (alice, cal) = alice_calendar(store).await;
    put(store, cal.id, "first.ics", "a", Some("shared"), None).await;
    let err = store
        .put_object(
            cal.id,
            "second.ics",
            write("b", Some("shared"), None),
            Precondition::None,
            Effects::default(),
        )
        .await
        .unwrap_err();
    match err {
        StoreError::UidConflict { uid, existing } => {
            assert_eq!(uid, "shared");
            assert_eq!(existing, "first.ics");
        }
        other => panic!("expected UidConflict, got {other:?}"),
    }
    assert_eq!(store.object(cal.id, "second.ics").await.unwrap(), None);
    // Re-putting the holder with the same UID is fine.
    put(store, cal.id, "first.ics", "a2", Some("shared"), None).await;
    // Another calendar may hold the same UID.
    let other = collection(store, alice.id, "other", CollectionKind::Calendar).await;
    put(store, other.id, "second.ics", "b", Some("shared"), None).await;
}

pub async fn changing_an_objects_uid_frees_the_old_one<S: Store>(store: &S) {
    let (_, cal) = alice_calendar(store).await;
    put(store, cal.id, "a.ics", "a", Some("old-uid"), None).await;
    put(store, cal.id, "a.ics", "a2", Some("new-uid"), None).await;
    assert_eq!(store.object_name_by_uid(cal.id, "old-uid").await.unwrap(), None);
    assert_eq!(
        store.object_name_by_uid(cal.id, "new-uid").await.unwrap().as_deref(),
        Some("a.ics")
    );
    put(store, cal.id, "b.ics", "b", Some("old-uid"), None).await;
    store
        .delete_object(cal.id, "b.ics", Precondition::None, Effects::default())
        .await
        .unwrap();
    assert_eq!(store.object_name_by_uid(cal.id, "old-uid").await.unwrap(), None);
    put(store, cal.id, "c.ics", "c", Some("old-uid"), None).await;
}

pub async fn plain_collections_do_not_index_uids<S: Store>(store: &S) {
    let alice = principal(store, "alice").await;
    let dir = collection(store, alice.id, "files", CollectionKind::Plain).await;
    put(store, dir.id, "a.ics", "a", Some("same"), None).await;
    put(store, dir.id, "b.ics", "b", Some("same"), None).await;
    assert_eq!(store.list_objects(dir.id).await.unwrap().len(), 2);
}

pub async fn object_cannot_take_the_name_of_a_child_collection<S: Store>(store: &S) {
    let alice = principal(store, "alice").await;
    let dir = collection(store, alice.id, "dir", CollectionKind::Plain).await;
    collection(store, alice.id, "dir/sub", CollectionKind::Plain).await;
    let err = store
        .put_object(
            dir.id,
            "sub",
            write("x", None, None),
            Precondition::None,
            Effects::default(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::AlreadyExists { .. }), "{err:?}");
}

pub async fn listings_are_ordered_by_name_and_skip_missing_names<S: Store>(store: &S) {
    let (_, cal) = alice_calendar(store).await;
    for name in ["c.ics", "a.ics", "b.ics"] {
        put(store, cal.id, name, name, None, None).await;
    }
    let listed: Vec<String> = store
        .list_objects(cal.id)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.name)
        .collect();
    assert_eq!(listed, strings(&["a.ics", "b.ics", "c.ics"]));
    let full = store.list_objects_full(cal.id).await.unwrap();
    assert_eq!(names(&full), strings(&["a.ics", "b.ics", "c.ics"]));
    assert_eq!(full[1].body, b"b.ics".to_vec());
    let some = store
        .objects(cal.id, &strings(&["c.ics", "missing.ics", "a.ics"]))
        .await
        .unwrap();
    assert_eq!(names(&some), strings(&["c.ics", "a.ics"]));
    assert_eq!(some[0].body, b"c.ics".to_vec());
    let metas = store
        .object_metas(cal.id, &strings(&["b.ics", "missing.ics", "c.ics"]))
        .await
        .unwrap();
    let meta_names: Vec<String> = metas.iter().map(|m| m.name.clone()).collect();
    assert_eq!(meta_names, strings(&["b.ics", "c.ics"]));
    assert_eq!(metas[0], some_meta(store, cal.id, "b.ics").await);
}

async fn some_meta<S: Store>(store: &S, collection: CollectionId, name: &str) -> ObjectMeta {
    store.object_meta(collection, name).await.unwrap().unwrap()
}

pub async fn delete_object_checks_existence_and_precondition<S: Store>(store: &S) {
    let (_, cal) = alice_calendar(store).await;
    let out = put(store, cal.id, "e.ics", "x", Some("u"), Some(range(T0, Some(T0 + HOUR)))).await;
    let err = store
        .delete_object(
            cal.id,
            "e.ics",
            Precondition::IfMatch("other".into()),
            Effects::default(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::PreconditionFailed(_)), "{err:?}");
    assert!(store.object(cal.id, "e.ics").await.unwrap().is_some());
    let (seq, fx) = store
        .delete_object(cal.id, "e.ics", Precondition::IfMatch(out.etag), Effects::default())
        .await
        .unwrap();
    assert_eq!(seq, 2);
    assert_eq!(fx.jobs_created, 0);
    assert_eq!(store.object(cal.id, "e.ics").await.unwrap(), None);
    assert!(store.objects_in_range(cal.id, T0, T0 + DAY).await.unwrap().is_empty());
    let err = store
        .delete_object(cal.id, "e.ics", Precondition::None, Effects::default())
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
}

pub async fn patch_object_keeps_the_etag<S: Store>(store: &S) {
    let (_, cal) = alice_calendar(store).await;
    let out = put(store, cal.id, "e.ics", "x", None, None).await;
    let meta = store
        .patch_object(
            cal.id,
            "e.ics",
            PropPatch {
                set: vec![("{x:}a".into(), "1".into()), ("{x:}b".into(), "2".into())],
                remove: vec![],
            },
        )
        .await
        .unwrap();
    assert_eq!(meta.etag, out.etag);
    let meta = store
        .patch_object(
            cal.id,
            "e.ics",
            PropPatch {
                set: vec![],
                remove: vec!["{x:}a".into()],
            },
        )
        .await
        .unwrap();
    let mut expected = Properties::new();
    expected.insert("{x:}b".into(), "2".into());
    assert_eq!(meta.props, expected);
    assert_eq!(
        store.object_meta(cal.id, "e.ics").await.unwrap().unwrap().props,
        expected
    );
    let err = store
        .patch_object(cal.id, "missing.ics", PropPatch::default())
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
}

pub async fn copy_object_to_another_collection_keeps_the_source<S: Store>(store: &S) {
    let (alice, cal) = alice_calendar(store).await;
    let other = collection(store, alice.id, "other", CollectionKind::Calendar).await;
    put(
        store,
        cal.id,
        "e.ics",
        "body",
        Some("uid-1"),
        Some(range(T0, Some(T0 + HOUR))),
    )
    .await;
    store
        .patch_object(
            cal.id,
            "e.ics",
            PropPatch {
                set: vec![("{x:}p".into(), "v".into())],
                remove: vec![],
            },
        )
        .await
        .unwrap();
    let created = store
        .copy_object(cal.id, "e.ics", other.id, "copy.ics", false, false)
        .await
        .unwrap();
    assert!(created);
    let copy = store.object(other.id, "copy.ics").await.unwrap().unwrap();
    assert_eq!(copy.body, b"body".to_vec());
    assert_eq!(copy.meta.etag, etag_for(b"body"));
    assert_eq!(copy.meta.props.get("{x:}p").map(String::as_str), Some("v"));
    assert_eq!(
        store.object_name_by_uid(other.id, "uid-1").await.unwrap().as_deref(),
        Some("copy.ics")
    );
    assert_eq!(
        names(&store.objects_in_range(other.id, T0, T0 + HOUR).await.unwrap()),
        strings(&["copy.ics"])
    );
    assert!(store.object(cal.id, "e.ics").await.unwrap().is_some());
    let err = store
        .copy_object(cal.id, "missing.ics", other.id, "x.ics", false, false)
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    let err = store
        .copy_object(cal.id, "e.ics", CollectionId(999), "x.ics", false, false)
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
}

pub async fn move_object_within_a_collection_keeps_its_uid<S: Store>(store: &S) {
    let (_, cal) = alice_calendar(store).await;
    put(store, cal.id, "old.ics", "body", Some("uid-1"), Some(range(T0, None))).await;
    let created = store
        .copy_object(cal.id, "old.ics", cal.id, "new.ics", false, true)
        .await
        .unwrap();
    assert!(created);
    assert_eq!(store.object(cal.id, "old.ics").await.unwrap(), None);
    assert_eq!(
        store.object(cal.id, "new.ics").await.unwrap().unwrap().body,
        b"body".to_vec()
    );
    assert_eq!(
        store.object_name_by_uid(cal.id, "uid-1").await.unwrap().as_deref(),
        Some("new.ics")
    );
    assert_eq!(
        names(&store.objects_in_range(cal.id, T0, T0 + DAY).await.unwrap()),
        strings(&["new.ics"])
    );
    let err = store
        .copy_object(cal.id, "new.ics", cal.id, "new.ics", true, false)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Invalid(_)), "{err:?}");
}

pub async fn copy_object_onto_an_existing_name_needs_overwrite<S: Store>(store: &S) {
    let (alice, cal) = alice_calendar(store).await;
    let other = collection(store, alice.id, "other", CollectionKind::Calendar).await;
    put(store, cal.id, "e.ics", "new", Some("uid-1"), None).await;
    put(store, other.id, "e.ics", "old", Some("uid-1"), None).await;
    let err = store
        .copy_object(cal.id, "e.ics", other.id, "e.ics", false, true)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::AlreadyExists { .. }), "{err:?}");
    assert!(store.object(cal.id, "e.ics").await.unwrap().is_some());
    let created = store
        .copy_object(cal.id, "e.ics", other.id, "e.ics", true, true)
        .await
        .unwrap();
    assert!(!created);
    assert_eq!(
        store.object(other.id, "e.ics").await.unwrap().unwrap().body,
        b"new".to_vec()
    );
    assert_eq!(store.object(cal.id, "e.ics").await.unwrap(), None);
    assert_eq!(store.object_name_by_uid(cal.id, "uid-1").await.unwrap(), None);
}

pub async fn copy_object_into_a_calendar_checks_the_uid<S: Store>(store: &S) {
    let (alice, cal) = alice_calendar(store).await;
    let other = collection(store, alice.id, "other", CollectionKind::Calendar).await;
    put(store, cal.id, "e.ics", "x", Some("uid-1"), None).await;
    put(store, other.id, "holder.ics", "y", Some("uid-1"), None).await;
    let err = store
        .copy_object(cal.id, "e.ics", other.id, "e.ics", false, false)
        .await
        .unwrap_err();
    match err {
        StoreError::UidConflict { existing, .. } => assert_eq!(existing, "holder.ics"),
        other => panic!("expected UidConflict, got {other:?}"),
    }
    assert_eq!(store.object(other.id, "e.ics").await.unwrap(), None);
}

pub async fn short_ranges_match_with_half_open_edges<S: Store>(store: &S) {
    let (_, cal) = alice_calendar(store).await;
    // A one-hour event and a six-day event.
    put(
        store,
        cal.id,
        "hour.ics",
        "h",
        Some("h"),
        Some(range(T0, Some(T0 + HOUR))),
    )
    .await;
    put(
        store,
        cal.id,
        "week.ics",
        "w",
        Some("w"),
        Some(range(T0, Some(T0 + 6 * DAY))),
    )
    .await;
    let q = |s, e| async move { names(&store.objects_in_range(cal.id, s, e).await.unwrap()) };
    assert_eq!(q(T0, T0 + 1).await, strings(&["hour.ics", "week.ics"]));
    // [start, end): a query ending at the start misses; one starting at the end misses.
    assert!(q(T0 - HOUR, T0).await.is_empty());
    assert_eq!(q(T0 + HOUR, T0 + 2 * HOUR).await, strings(&["week.ics"]));
    assert_eq!(q(T0 + HOUR - 1, T0 + HOUR).await, strings(&["hour.ics", "week.ics"]));
    // A query well after the start, inside the six days, still finds the long-ish one.
    assert_eq!(q(T0 + 6 * DAY - 1, T0 + 7 * DAY).await, strings(&["week.ics"]));
    assert!(q(T0 + 6 * DAY, T0 + 7 * DAY).await.is_empty());
    assert!(q(T0 + DAY, T0 + DAY).await.is_empty());
}

pub async fn long_and_unbounded_ranges_are_found<S: Store>(store: &S) {
    let (_, cal) = alice_calendar(store).await;
    put(
        store,
        cal.id,
        "month.ics",
        "m",
        Some("m"),
        Some(range(T0, Some(T0 + 30 * DAY))),
    )
    .await;
    put(
        store,
        cal.id,
        "forever.ics",
        "f",
        Some("f"),
        Some(range(T0 + DAY, None)),
    )
    .await;
    let q = |s, e| async move { names(&store.objects_in_range(cal.id, s, e).await.unwrap()) };
    assert_eq!(
        q(T0 + 20 * DAY, T0 + 21 * DAY).await,
        strings(&["forever.ics", "month.ics"])
    );
    assert_eq!(q(T0, T0 + DAY).await, strings(&["month.ics"]));
    assert!(q(T0 - DAY, T0).await.is_empty());
    assert_eq!(q(T0 + 30 * DAY, T0 + 31 * DAY).await, strings(&["forever.ics"]));
    assert_eq!(
        q(T0 + 30 * DAY - 1, T0 + 30 * DAY).await,
        strings(&["forever.ics", "month.ics"])
    );
}

pub async fn unbounded_event_is_found_years_after_its_start<S: Store>(store: &S) {
    let (_, cal) = alice_calendar(store).await;
    let start = T0 - 20 * 365 * DAY;
    put(store, cal.id, "birthday.ics", "b", Some("b"), Some(range(start, None))).await;
    for i in 0..20 {
        let s = T0 + i * DAY;
        put(
            store,
            cal.id,
            &format!("day{i:02}.ics"),
            "d",
            Some(&format!("d{i}")),
            Some(range(s, Some(s + HOUR))),
        )
        .await;
    }
    let found = names(
        &store
            .objects_in_range(cal.id, T0 + 10 * DAY, T0 + 11 * DAY)
            .await
            .unwrap(),
    );
    assert_eq!(found, strings(&["birthday.ics", "day10.ics"]));
    let found = names(
        &store
            .objects_in_range(cal.id, T0 + 100 * 365 * DAY, T0 + 100 * 365 * DAY + 1)
            .await
            .unwrap(),
    );
    assert_eq!(found, strings(&["birthday.ics"]));
    assert!(
        store
            .objects_in_range(cal.id, start - DAY, start)
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn time_index_follows_overwrite_delete_and_move<S: Store>(store: &S) {
    let (alice, cal) = alice_calendar(store).await;
    let other = collection(store, alice.id, "other", CollectionKind::Calendar).await;
    put(store, cal.id, "e.ics", "1", Some("e"), Some(range(T0, Some(T0 + HOUR)))).await;
    // Short → long: the old short entry must go.
    put(
        store,
        cal.id,
        "e.ics",
        "2",
        Some("e"),
        Some(range(T0 + 10 * DAY, Some(T0 + 40 * DAY))),
    )
    .await;
    assert!(store.objects_in_range(cal.id, T0, T0 + HOUR).await.unwrap().is_empty());
    assert_eq!(
        names(
            &store
                .objects_in_range(cal.id, T0 + 20 * DAY, T0 + 21 * DAY)
                .await
                .unwrap()
        ),
        strings(&["e.ics"])
    );
    // Long → short.
    put(
        store,
        cal.id,
        "e.ics",
        "3",
        Some("e"),
        Some(range(T0 + 2 * DAY, Some(T0 + 2 * DAY + HOUR))),
    )
    .await;
    assert!(
        store
            .objects_in_range(cal.id, T0 + 20 * DAY, T0 + 21 * DAY)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        names(
            &store
                .objects_in_range(cal.id, T0 + 2 * DAY, T0 + 3 * DAY)
                .await
                .unwrap()
        ),
        strings(&["e.ics"])
    );
    // Range removed altogether.
    put(store, cal.id, "e.ics", "4", Some("e"), None).await;
    assert!(
        store
            .objects_in_range(cal.id, T0 - 100 * DAY, T0 + 100 * DAY)
            .await
            .unwrap()
            .is_empty()
    );
    // Moved to another calendar.
    put(store, cal.id, "e.ics", "5", Some("e"), Some(range(T0, Some(T0 + HOUR)))).await;
    store
        .copy_object(cal.id, "e.ics", other.id, "moved.ics", false, true)
        .await
        .unwrap();
    assert!(store.objects_in_range(cal.id, T0, T0 + HOUR).await.unwrap().is_empty());
    let found = store.objects_in_range(other.id, T0, T0 + HOUR).await.unwrap();
    assert_eq!(names(&found), strings(&["moved.ics"]));
    assert_eq!(found[0].body, b"5".to_vec());
    // Deleted.
    store
        .delete_object(other.id, "moved.ics", Precondition::None, Effects::default())
        .await
        .unwrap();
    assert!(
        store
            .objects_in_range(other.id, T0, T0 + HOUR)
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn objects_without_a_range_are_not_in_range_queries<S: Store>(store: &S) {
    let (_, cal) = alice_calendar(store).await;
    put(store, cal.id, "todo.ics", "t", Some("t"), None).await;
    put(store, cal.id, "e.ics", "e", Some("e"), Some(range(T0, Some(T0 + HOUR)))).await;
    let found = store
        .objects_in_range(cal.id, i64::MIN / 2, i64::MAX / 2)
        .await
        .unwrap();
    assert_eq!(names(&found), strings(&["e.ics"]));
    assert!(
        store
            .objects_in_range(CollectionId(999), T0, T0 + 1)
            .await
            .unwrap_err()
            .is_not_found()
    );
}
