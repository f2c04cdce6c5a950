//! Contract: collections, nesting, copy, move and recursive delete.

use super::fixtures::*;
use crate::*;

fn paths(cs: &[Collection]) -> Vec<String> {
    cs.iter().map(|c| c.path.clone()).collect()
}

pub async fn collection_is_created_and_found_by_id_and_path<S: Store>(store: &S) {
    let alice = principal(store, "alice").await;
    let mut props = Properties::new();
    props.insert("{DAV:}displayname".into(), "Work".into());
    let c = store
        .create_collection(NewCollection {
            owner: alice.id,
            path: "work".into(),
            kind: CollectionKind::Calendar,
            props: props.clone(),
        })
        .await
        .unwrap();
    assert_eq!(c.owner, alice.id);
    assert_eq!(c.path, "work");
    assert_eq!(c.kind, CollectionKind::Calendar);
    assert_eq!(c.props, props);
    assert_eq!(c.sync_seq, 0);
    assert_eq!(store.collection(c.id).await.unwrap(), Some(c.clone()));
    assert_eq!(
        store.collection_by_path(alice.id, "work").await.unwrap(),
        Some(c.clone())
    );
    assert_eq!(store.collection_by_path(alice.id, "home").await.unwrap(), None);
    let bob = principal(store, "bob").await;
    assert_eq!(store.collection_by_path(bob.id, "work").await.unwrap(), None);
}

pub async fn duplicate_collection_path_is_rejected<S: Store>(store: &S) {
    let alice = principal(store, "alice").await;
    let bob = principal(store, "bob").await;
    collection(store, alice.id, "cal", CollectionKind::Calendar).await;
    let err = store
        .create_collection(NewCollection {
            owner: alice.id,
            path: "cal".into(),
            kind: CollectionKind::Plain,
            props: Properties::new(),
        })
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::AlreadyExists { .. }), "{err:?}");
    // Paths are per owner.
    collection(store, bob.id, "cal", CollectionKind::Calendar).await;
}

pub async fn collection_for_a_missing_principal_is_not_found<S: Store>(store: &S) {
    let err = store
        .create_collection(NewCollection {
            owner: PrincipalId(77),
            path: "cal".into(),
            kind: CollectionKind::Calendar,
            props: Properties::new(),
        })
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
}

pub async fn malformed_collection_paths_are_rejected<S: Store>(store: &S) {
    let alice = principal(store, "alice").await;
    collection(store, alice.id, "dir", CollectionKind::Plain).await;
    for path in ["", "/cal", "cal/", "dir//x", "dir/../x", "..", "dir/."] {
        let err = store
            .create_collection(NewCollection {
                owner: alice.id,
                path: path.into(),
                kind: CollectionKind::Plain,
                props: Properties::new(),
            })
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Invalid(_)), "{path:?}: {err:?}");
    }
}

pub async fn nested_collection_needs_an_existing_plain_parent<S: Store>(store: &S) {
    let alice = principal(store, "alice").await;
    let err = store
        .create_collection(NewCollection {
            owner: alice.id,
            path: "a/b".into(),
            kind: CollectionKind::Plain,
            props: Properties::new(),
        })
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    collection(store, alice.id, "cal", CollectionKind::Calendar).await;
    let err = store
        .create_collection(NewCollection {
            owner: alice.id,
            path: "cal/sub".into(),
            kind: CollectionKind::Plain,
            props: Properties::new(),
        })
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Invalid(_)), "{err:?}");
    collection(store, alice.id, "a", CollectionKind::Plain).await;
    let nested = collection(store, alice.id, "a/b", CollectionKind::Plain).await;
    let deeper = collection(store, alice.id, "a/b/c", CollectionKind::Calendar).await;
    assert_eq!(nested.path, "a/b");
    assert_eq!(store.collection_by_path(alice.id, "a/b/c").await.unwrap(), Some(deeper));
}

pub async fn collection_cannot_take_the_name_of_an_object_in_its_parent<S: Store>(store: &S) {
    let alice = principal(store, "alice").await;
    let dir = collection(store, alice.id, "dir", CollectionKind::Plain).await;
    put(store, dir.id, "file", "data", None, None).await;
    let err = store
        .create_collection(NewCollection {
            owner: alice.id,
            path: "dir/file".into(),
            kind: CollectionKind::Plain,
            props: Properties::new(),
        })
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::AlreadyExists { .. }), "{err:?}");
    assert_eq!(store.collection_by_path(alice.id, "dir/file").await.unwrap(), None);
}

pub async fn child_collections_lists_direct_children_in_path_order<S: Store>(store: &S) {
    let alice = principal(store, "alice").await;
    let bob = principal(store, "bob").await;
    for (path, kind) in [
        ("b", CollectionKind::Plain),
        ("a", CollectionKind::Calendar),
        ("b/y", CollectionKind::Plain),
        ("b/x", CollectionKind::Calendar),
        ("b/y/deep", CollectionKind::Plain),
        ("b-c", CollectionKind::Plain),
    ] {
        collection(store, alice.id, path, kind).await;
    }
    collection(store, bob.id, "zzz", CollectionKind::Plain).await;
    assert_eq!(
        paths(&store.child_collections(alice.id, "").await.unwrap()),
        strings(&["a", "b", "b-c"])
    );
    assert_eq!(
        paths(&store.child_collections(alice.id, "b").await.unwrap()),
        strings(&["b/x", "b/y"])
    );
    assert_eq!(
        paths(&store.child_collections(alice.id, "b/y").await.unwrap()),
        strings(&["b/y/deep"])
    );
    assert!(store.child_collections(alice.id, "a").await.unwrap().is_empty());
    assert_eq!(
        paths(&store.child_collections(bob.id, "").await.unwrap()),
        strings(&["zzz"])
    );
}

pub async fn patch_collection_sets_then_removes_properties<S: Store>(store: &S) {
    let (_, cal) = alice_calendar(store).await;
    let patched = store
        .patch_collection(
            cal.id,
            PropPatch {
                set: vec![
                    ("{DAV:}displayname".into(), "Home".into()),
                    ("{x:}color".into(), "#f00".into()),
                ],
                remove: vec![],
            },
        )
        .await
        .unwrap();
    assert_eq!(patched.props.get("{DAV:}displayname").map(String::as_str), Some("Home"));
    let patched = store
        .patch_collection(
            cal.id,
            PropPatch {
                set: vec![("{x:}color".into(), "#0f0".into())],
                remove: vec!["{DAV:}displayname".into(), "{x:}absent".into()],
            },
        )
        .await
        .unwrap();
    let mut expected = Properties::new();
    expected.insert("{x:}color".into(), "#0f0".into());
    assert_eq!(patched.props, expected);
    assert_eq!(store.collection(cal.id).await.unwrap().unwrap().props, expected);
    let err = store
        .patch_collection(CollectionId(999), PropPatch::default())
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
}

pub async fn delete_collection_removes_objects_children_and_events<S: Store>(store: &S) {
    let alice = principal(store, "alice").await;
    let dir = collection(store, alice.id, "dir", CollectionKind::Plain).await;
    let inner = collection(store, alice.id, "dir/cal", CollectionKind::Calendar).await;
    let sibling = collection(store, alice.id, "dir-keep", CollectionKind::Calendar).await;
    put(store, dir.id, "note.txt", "x", None, None).await;
    put(
        store,
        inner.id,
        "e.ics",
        "y",
        Some("uid-1"),
        Some(range(T0, Some(T0 + HOUR))),
    )
    .await;
    put(
        store,
        sibling.id,
        "k.ics",
        "z",
        Some("uid-2"),
        Some(range(T0, Some(T0 + HOUR))),
    )
    .await;
    let gone = event(store, alice.id, inner.id, "uid-1").await;
    let kept = event(store, alice.id, sibling.id, "uid-2").await;
    store
        .invite(alice.id, invitation(gone.id, None, &["r@example.com"]))
        .await
        .unwrap();

    store.delete_collection(dir.id).await.unwrap();
    assert_eq!(store.collection(dir.id).await.unwrap(), None);
    assert_eq!(store.collection(inner.id).await.unwrap(), None);
    assert_eq!(store.collection_by_path(alice.id, "dir/cal").await.unwrap(), None);
    assert_eq!(store.object(inner.id, "e.ics").await.unwrap(), None);
    assert_eq!(store.object_name_by_uid(inner.id, "uid-1").await.unwrap(), None);
    assert_eq!(store.event(gone.id).await.unwrap(), None);
    assert_eq!(store.event_by_uid(alice.id, "uid-1").await.unwrap(), None);
    assert_eq!(store.event_by_code(&gone.public_code).await.unwrap(), None);
    assert_eq!(store.recipient(gone.id, "r@example.com").await.unwrap(), None);
    assert!(store.count_recipients(gone.id).await.unwrap().is_empty());
    // The sibling whose path merely shares a prefix is untouched.
    assert_eq!(store.event(kept.id).await.unwrap(), Some(kept));
    assert_eq!(
        store.object_meta(sibling.id, "k.ics").await.unwrap().map(|m| m.name),
        Some("k.ics".into())
    );
    assert_eq!(
        paths(&store.child_collections(alice.id, "").await.unwrap()),
        strings(&["dir-keep"])
    );
    // The path can be used again.
    collection(store, alice.id, "dir", CollectionKind::Plain).await;
    assert!(store.delete_collection(dir.id).await.unwrap_err().is_not_found());
}

pub async fn copy_collection_copies_objects_and_subcollections<S: Store>(store: &S) {
    let alice = principal(store, "alice").await;
    let src = collection(store, alice.id, "src", CollectionKind::Plain).await;
    let sub = collection(store, alice.id, "src/cal", CollectionKind::Calendar).await;
    put(store, src.id, "a.txt", "A", None, None).await;
    put(
        store,
        sub.id,
        "e.ics",
        "E",
        Some("uid-e"),
        Some(range(T0, Some(T0 + HOUR))),
    )
    .await;
    store
        .patch_collection(
            sub.id,
            PropPatch {
                set: vec![("{DAV:}displayname".into(), "Cal".into())],
                remove: vec![],
            },
        )
        .await
        .unwrap();

    let copy = store.copy_collection(src.id, "dst", false, false).await.unwrap();
    assert_eq!(copy.path, "dst");
    assert_ne!(copy.id, src.id);
    assert_eq!(copy.kind, CollectionKind::Plain);
    let copied_sub = store.collection_by_path(alice.id, "dst/cal").await.unwrap().unwrap();
    assert_ne!(copied_sub.id, sub.id);
    assert_eq!(copied_sub.kind, CollectionKind::Calendar);
    assert_eq!(
        copied_sub.props.get("{DAV:}displayname").map(String::as_str),
        Some("Cal")
    );
    assert_eq!(
        store.object(copy.id, "a.txt").await.unwrap().unwrap().body,
        b"A".to_vec()
    );
    let e = store.object(copied_sub.id, "e.ics").await.unwrap().unwrap();
    assert_eq!(e.body, b"E".to_vec());
    assert_eq!(e.meta.etag, etag_for(b"E"));
    assert_eq!(
        store
            .object_name_by_uid(copied_sub.id, "uid-e")
            .await
            .unwrap()
            .as_deref(),
        Some("e.ics")
    );
    assert_eq!(
        names(&store.objects_in_range(copied_sub.id, T0, T0 + DAY).await.unwrap()),
        strings(&["e.ics"])
    );
    // The source is unchanged.
    assert_eq!(
        store.object(sub.id, "e.ics").await.unwrap().unwrap().body,
        b"E".to_vec()
    );
    assert_eq!(
        paths(&store.child_collections(alice.id, "").await.unwrap()),
        strings(&["dst", "src"])
    );
}

pub async fn move_collection_removes_the_source_and_keeps_events<S: Store>(store: &S) {
    let alice = principal(store, "alice").await;
    let dir = collection(store, alice.id, "dir", CollectionKind::Plain).await;
    let cal = collection(store, alice.id, "old", CollectionKind::Calendar).await;
    put(store, cal.id, "e.ics", "E", Some("uid-e"), None).await;
    let ev = event(store, alice.id, cal.id, "uid-e").await;
    store
        .invite(alice.id, invitation(ev.id, None, &["r@example.com"]))
        .await
        .unwrap();

    let moved = store.copy_collection(cal.id, "dir/new", false, true).await.unwrap();
    assert_eq!(moved.path, "dir/new");
    assert_eq!(store.collection(cal.id).await.unwrap(), None);
    assert_eq!(store.collection_by_path(alice.id, "old").await.unwrap(), None);
    assert_eq!(
        store.object(moved.id, "e.ics").await.unwrap().unwrap().body,
        b"E".to_vec()
    );
    let after = store.event(ev.id).await.unwrap().unwrap();
    assert_eq!(after.collection, moved.id);
    assert_eq!(after.public_code, ev.public_code);
    assert!(store.recipient(ev.id, "r@example.com").await.unwrap().is_some());
    assert_eq!(
        paths(&store.child_collections(alice.id, "dir").await.unwrap()),
        strings(&["dir/new"])
    );
    assert_eq!(
        store.collection(dir.id).await.unwrap().map(|c| c.path),
        Some("dir".into())
    );
}

pub async fn copy_collection_onto_an_existing_path_needs_overwrite<S: Store>(store: &S) {
    let alice = principal(store, "alice").await;
    let a = collection(store, alice.id, "a", CollectionKind::Calendar).await;
    let b = collection(store, alice.id, "b", CollectionKind::Calendar).await;
    put(store, a.id, "from-a.ics", "A", None, None).await;
    put(store, b.id, "from-b.ics", "B", None, None).await;
    let err = store.copy_collection(a.id, "b", false, false).await.unwrap_err();
    assert!(matches!(err, StoreError::AlreadyExists { .. }), "{err:?}");
    assert!(store.object(b.id, "from-b.ics").await.unwrap().is_some());

    let replaced = store.copy_collection(a.id, "b", true, false).await.unwrap();
    assert_eq!(store.collection(b.id).await.unwrap(), None);
    let listed: Vec<String> = store
        .list_objects(replaced.id)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.name)
        .collect();
    assert_eq!(listed, strings(&["from-a.ics"]));
    let err = store
        .copy_collection(CollectionId(999), "c", false, false)
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
}

pub async fn collection_cannot_be_copied_into_itself<S: Store>(store: &S) {
    let alice = principal(store, "alice").await;
    let a = collection(store, alice.id, "a", CollectionKind::Plain).await;
    for target in ["a", "a/inner"] {
        let err = store.copy_collection(a.id, target, true, true).await.unwrap_err();
        assert!(matches!(err, StoreError::Invalid(_)), "{target}: {err:?}");
    }
    assert_eq!(store.collection(a.id).await.unwrap().map(|c| c.path), Some("a".into()));
}
