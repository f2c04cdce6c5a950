//! Contract: the inbound message log.

use super::fixtures::*;
use crate::*;

fn id_of(stored: InboundStored) -> InboundId {
    match stored {
        InboundStored::New(id) => id,
        InboundStored::Duplicate(id) => panic!("expected a new message, got duplicate of {id}"),
    }
}

pub async fn inbound_message_is_kept_with_its_raw_bytes<S: Store>(store: &S) {
    let raw = b"From: a@x.com\r\nMessage-ID: <abc@host>\r\n\r\nhello".to_vec();
    let id = id_of(
        store
            .store_inbound(raw.clone(), Some(" <abc@host> ".into()), "imap", T0)
            .await
            .unwrap(),
    );
    let msg = store.inbound(id).await.unwrap().unwrap();
    assert_eq!(
        msg,
        InboundMessage {
            id,
            message_id: Some("abc@host".into()),
            source: "imap".into(),
            received_at: T0,
            size: raw.len() as u64,
            outcome: InboundOutcome::Received,
            attempts: 0,
            updated_at: T0,
        }
    );
    assert_eq!(store.inbound_raw(id).await.unwrap(), Some(raw));
    assert_eq!(store.inbound(InboundId(id.0 + 10)).await.unwrap(), None);
    assert_eq!(store.inbound_raw(InboundId(id.0 + 10)).await.unwrap(), None);
}

pub async fn message_id_seen_before_is_not_stored_again<S: Store>(store: &S) {
    let first = id_of(
        store
            .store_inbound(b"one".to_vec(), Some("<abc@host>".into()), "imap", T0)
            .await
            .unwrap(),
    );
    let again = store
        .store_inbound(b"two".to_vec(), Some("abc@host".into()), "lmtp", T0 + 1)
        .await
        .unwrap();
    assert_eq!(again, InboundStored::Duplicate(first));
    assert_eq!(store.inbound_raw(first).await.unwrap(), Some(b"one".to_vec()));
    // Without a Message-ID every message is kept; a different case is a different id.
    let a = id_of(store.store_inbound(b"x".to_vec(), None, "imap", T0).await.unwrap());
    let b = id_of(
        store
            .store_inbound(b"x".to_vec(), Some("  ".into()), "imap", T0)
            .await
            .unwrap(),
    );
    let c = id_of(
        store
            .store_inbound(b"x".to_vec(), Some("<ABC@host>".into()), "imap", T0)
            .await
            .unwrap(),
    );
    assert_ne!(a, b);
    assert_ne!(c, first);
    assert_eq!(
        store
            .list_inbound(InboundFilter::All, None, 100)
            .await
            .unwrap()
            .items
            .len(),
        4
    );
}

pub async fn inbound_outcome_is_recorded<S: Store>(store: &S) {
    let id = id_of(store.store_inbound(b"m".to_vec(), None, "webhook", T0).await.unwrap());
    store
        .set_inbound_outcome(
            id,
            InboundOutcome::Quarantined {
                error: "bad ics".into(),
            },
            T0 + 5,
        )
        .await
        .unwrap();
    store
        .set_inbound_outcome(
            id,
            InboundOutcome::Applied {
                summary: "a@x.com accepted".into(),
            },
            T0 + 9,
        )
        .await
        .unwrap();
    let msg = store.inbound(id).await.unwrap().unwrap();
    assert_eq!(
        msg.outcome,
        InboundOutcome::Applied {
            summary: "a@x.com accepted".into()
        }
    );
    assert_eq!(msg.attempts, 2);
    assert_eq!(msg.updated_at, T0 + 9);
    assert_eq!(msg.received_at, T0);
    let err = store
        .set_inbound_outcome(InboundId(999), InboundOutcome::Received, T0)
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
}

pub async fn list_inbound_is_newest_first_paged_and_filtered<S: Store>(store: &S) {
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(id_of(
            store
                .store_inbound(vec![i], Some(format!("m{i}@x")), "imap", T0 + i64::from(i))
                .await
                .unwrap(),
        ));
    }
    store
        .set_inbound_outcome(
            ids[1],
            InboundOutcome::Ignored {
                reason: "auto-reply".into(),
            },
            T0,
        )
        .await
        .unwrap();
    store
        .set_inbound_outcome(
            ids[3],
            InboundOutcome::Ignored {
                reason: "auto-reply".into(),
            },
            T0,
        )
        .await
        .unwrap();
    store
        .set_inbound_outcome(ids[4], InboundOutcome::Applied { summary: "ok".into() }, T0)
        .await
        .unwrap();
    let listed = |p: &Page<InboundMessage>| p.items.iter().map(|m| m.id).collect::<Vec<_>>();
    let p1 = store.list_inbound(InboundFilter::All, None, 2).await.unwrap();
    assert_eq!(listed(&p1), vec![ids[4], ids[3]]);
    assert_eq!(p1.next, Some(ids[3].to_string()));
    let p2 = store
        .list_inbound(InboundFilter::All, p1.next.as_deref(), 2)
        .await
        .unwrap();
    assert_eq!(listed(&p2), vec![ids[2], ids[1]]);
    let p3 = store
        .list_inbound(InboundFilter::All, p2.next.as_deref(), 2)
        .await
        .unwrap();
    assert_eq!(listed(&p3), vec![ids[0]]);
    assert_eq!(p3.next, None);
    let ignored = store.list_inbound(InboundFilter::Ignored, None, 1).await.unwrap();
    assert_eq!(listed(&ignored), vec![ids[3]]);
    let ignored2 = store
        .list_inbound(InboundFilter::Ignored, ignored.next.as_deref(), 1)
        .await
        .unwrap();
    assert_eq!(listed(&ignored2), vec![ids[1]]);
    assert_eq!(ignored2.next, None);
    let received = store.list_inbound(InboundFilter::Received, None, 10).await.unwrap();
    assert_eq!(listed(&received), vec![ids[2], ids[0]]);
    assert_eq!(
        listed(&store.list_inbound(InboundFilter::Applied, None, 10).await.unwrap()),
        vec![ids[4]]
    );
    assert!(
        store
            .list_inbound(InboundFilter::Quarantined, None, 10)
            .await
            .unwrap()
            .items
            .is_empty()
    );
    assert!(matches!(
        store.list_inbound(InboundFilter::All, Some("x"), 10).await.unwrap_err(),
        StoreError::Invalid(_)
    ));
}

pub async fn batched_inbound_writes_equal_single_ones<S: Store>(store: &S) {
    let msg = |id: Option<&str>, body: &str| NewInbound {
        raw: format!("Message-ID: <{}>\r\n\r\n{body}", id.unwrap_or("")).into_bytes(),
        message_id: id.map(str::to_string),
        source: "lmtp".into(),
        received_at: T0,
    };
    store
        .store_inbound(b"x".to_vec(), Some("seen@x".into()), "imap", T0)
        .await
        .unwrap();
    let stored = store
        .store_inbound_many(vec![
            msg(Some("a@x"), "a"),
            msg(Some("seen@x"), "again"),
            msg(None, "no id"),
            msg(Some("a@x"), "a repeated within the batch"),
        ])
        .await
        .unwrap();
    let (a, none) = match (&stored[0], &stored[2]) {
        (InboundStored::New(a), InboundStored::New(n)) => (*a, *n),
        other => panic!("{other:?}"),
    };
    assert!(matches!(stored[1], InboundStored::Duplicate(_)));
    assert_eq!(
        stored[3],
        InboundStored::Duplicate(a),
        "a repeat in the same batch is a duplicate"
    );
    assert_eq!(
        store.inbound_raw(a).await.unwrap().as_deref(),
        Some(&b"Message-ID: <a@x>\r\n\r\na"[..])
    );
    let results = store
        .set_inbound_outcomes(
            vec![
                (a, InboundOutcome::Applied { summary: "ok".into() }),
                (InboundId(none.0 + 100), InboundOutcome::Received),
                (none, InboundOutcome::Ignored { reason: "no".into() }),
            ],
            T0 + 1,
        )
        .await
        .unwrap();
    assert!(results[0].is_ok() && results[2].is_ok());
    assert!(matches!(results[1], Err(StoreError::NotFound { .. })), "{results:?}");
    assert_eq!(
        store.inbound(none).await.unwrap().unwrap().outcome,
        InboundOutcome::Ignored { reason: "no".into() }
    );
    assert_eq!(store.inbound(a).await.unwrap().unwrap().attempts, 1);

    // Answers in one batch: each applied or refused alone.
    let (alice, cal) = alice_calendar(store).await;
    let ev = event(store, alice.id, cal.id, "uid-batch").await;
    store
        .invite(alice.id, invitation(ev.id, None, &["a@x.com", "b@x.com"]))
        .await
        .unwrap();
    let results = store
        .record_rsvps(vec![
            (ev.id, "a@x.com".into(), answer(PartStat::Accepted, 0, T0, None)),
            (ev.id, "nobody@x.com".into(), answer(PartStat::Accepted, 0, T0, None)),
            (ev.id, "b@x.com".into(), answer(PartStat::Declined, 0, T0, None)),
            (ev.id, "a@x.com".into(), answer(PartStat::Tentative, 0, T0 - 5, None)),
        ])
        .await
        .unwrap();
    assert!(matches!(results[0], Ok(RsvpOutcome::Applied { .. })), "{results:?}");
    assert!(matches!(results[1], Err(StoreError::NotFound { .. })), "{results:?}");
    assert!(matches!(results[2], Ok(RsvpOutcome::Applied { .. })));
    assert!(
        matches!(
            results[3],
            Ok(RsvpOutcome::Stale {
                current: PartStat::Accepted
            })
        ),
        "an older answer later in the same batch is stale: {results:?}"
    );
    let counts = store.count_recipients(ev.id).await.unwrap();
    let count = |p| counts.iter().find(|(s, _)| *s == p).map(|(_, n)| *n).unwrap_or(0);
    assert_eq!((count(PartStat::Accepted), count(PartStat::Declined)), (1, 1));
}
