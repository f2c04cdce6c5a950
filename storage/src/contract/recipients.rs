//! Contract: invitations, recipients, answers and the suppression list.

use super::fixtures::*;
use crate::*;

async fn alice_event<S: Store>(store: &S) -> (Principal, EventRecord) {
    let (alice, cal) = alice_calendar(store).await;
    let ev = event(store, alice.id, cal.id, "uid-1").await;
    (alice, ev)
}

pub async fn invite_adds_recipients_and_queues_one_job_each<S: Store>(store: &S) {
    let (alice, ev) = alice_event(store).await;
    let mut req = invitation(ev.id, Some("k1"), &["A@Example.com", "b@example.com"]);
    req.recipients[0].name = Some("Ann".into());
    req.recipients[0].lang = Some("fr".into());
    req.sequence = 2;
    req.due_at = T0 + 60;
    let out = store.invite(alice.id, req).await.unwrap();
    assert!(!out.replayed);
    let b = &out.batch;
    assert_eq!(
        (b.queued, b.already_invited, b.suppressed, b.sent, b.deferred, b.failed),
        (2, 0, 0, 0, 0, 0)
    );
    assert_eq!(b.event, ev.id);
    assert_eq!(b.owner, alice.id);
    assert_eq!(b.idempotency_key.as_deref(), Some("k1"));
    assert_eq!(store.batch(b.id).await.unwrap(), Some(out.batch.clone()));

    let ann = store.recipient(ev.id, "a@example.com").await.unwrap().unwrap();
    assert_eq!(ann.email, "a@example.com");
    assert_eq!(ann.name.as_deref(), Some("Ann"));
    assert_eq!(ann.lang.as_deref(), Some("fr"));
    assert_eq!(ann.partstat, PartStat::NeedsAction);
    assert_eq!(ann.delivery, DeliveryState::Queued);
    assert_eq!(ann.sequence_sent, 2);
    assert_eq!(ann.batch, Some(b.id));
    assert_eq!(ann.token.len(), 32);
    assert!(
        ann.token
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
        "{}",
        ann.token
    );
    assert!(ann.history.is_empty());
    assert_eq!(store.pending_jobs("mail").await.unwrap(), 2);
    assert_eq!(
        store.count_recipients(ev.id).await.unwrap(),
        vec![(PartStat::NeedsAction, 2)]
    );

    let jobs = store.lease_jobs("mail", "w", 10, T0 + 60, 30).await.unwrap();
    let mut targets: Vec<_> = jobs
        .iter()
        .map(|j| {
            (
                j.recipient.clone().unwrap_or_default(),
                j.event,
                j.method.clone(),
                j.sequence,
                j.batch,
                j.due_at,
            )
        })
        .collect();
    targets.sort();
    assert_eq!(
        targets,
        vec![
            (
                "a@example.com".to_string(),
                Some(ev.id),
                "REQUEST".to_string(),
                2,
                Some(b.id),
                T0 + 60
            ),
            (
                "b@example.com".to_string(),
                Some(ev.id),
                "REQUEST".to_string(),
                2,
                Some(b.id),
                T0 + 60
            ),
        ]
    );
}

pub async fn invite_with_a_known_idempotency_key_replays_the_batch<S: Store>(store: &S) {
    let (alice, ev) = alice_event(store).await;
    let first = store
        .invite(alice.id, invitation(ev.id, Some("same"), &["a@example.com"]))
        .await
        .unwrap();
    let again = store
        .invite(
            alice.id,
            invitation(ev.id, Some("same"), &["a@example.com", "new@example.com"]),
        )
        .await
        .unwrap();
    assert!(again.replayed);
    assert_eq!(again.batch, first.batch);
    assert_eq!(store.recipient(ev.id, "new@example.com").await.unwrap(), None);
    assert_eq!(store.pending_jobs("mail").await.unwrap(), 1);
    // Another key is a new batch.
    let other = store
        .invite(alice.id, invitation(ev.id, Some("other"), &["new@example.com"]))
        .await
        .unwrap();
    assert!(!other.replayed);
    assert_ne!(other.batch.id, first.batch.id);
    assert_eq!(other.batch.queued, 1);
}

pub async fn invite_skips_invited_suppressed_and_repeated_addresses<S: Store>(store: &S) {
    let (alice, ev) = alice_event(store).await;
    store
        .invite(alice.id, invitation(ev.id, None, &["old@example.com"]))
        .await
        .unwrap();
    store
        .suppress("Blocked@Example.com", SuppressionReason::HardBounce, None)
        .await
        .unwrap();
    let out = store
        .invite(
            alice.id,
            invitation(
                ev.id,
                None,
                &[
                    "OLD@example.com",
                    "blocked@example.com",
                    "new@example.com",
                    "New@Example.com",
                    " new@example.com ",
                ],
            ),
        )
        .await
        .unwrap();
    let b = out.batch;
    assert_eq!((b.queued, b.already_invited, b.suppressed), (1, 3, 1));
    assert_eq!(store.recipient(ev.id, "blocked@example.com").await.unwrap(), None);
    assert!(store.recipient(ev.id, "new@example.com").await.unwrap().is_some());
    assert_eq!(store.pending_jobs("mail").await.unwrap(), 2);
    assert_eq!(
        store.count_recipients(ev.id).await.unwrap(),
        vec![(PartStat::NeedsAction, 2)]
    );
}

pub async fn invite_to_another_owners_event_is_not_found<S: Store>(store: &S) {
    let (_, ev) = alice_event(store).await;
    let bob = principal(store, "bob").await;
    let err = store
        .invite(bob.id, invitation(ev.id, None, &["x@example.com"]))
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    let err = store
        .invite(bob.id, invitation(EventId(999), None, &["x@example.com"]))
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    assert_eq!(store.pending_jobs("mail").await.unwrap(), 0);
}

pub async fn invite_rejects_a_malformed_address_and_writes_nothing<S: Store>(store: &S) {
    let (alice, ev) = alice_event(store).await;
    let err = store
        .invite(
            alice.id,
            invitation(ev.id, Some("k"), &["good@example.com", "not an address"]),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Invalid(_)), "{err:?}");
    assert_eq!(store.recipient(ev.id, "good@example.com").await.unwrap(), None);
    assert_eq!(store.pending_jobs("mail").await.unwrap(), 0);
    // The key was not consumed.
    let ok = store
        .invite(alice.id, invitation(ev.id, Some("k"), &["good@example.com"]))
        .await
        .unwrap();
    assert!(!ok.replayed);
}

pub async fn recipient_is_found_by_token_and_by_address_in_any_case<S: Store>(store: &S) {
    let (alice, ev) = alice_event(store).await;
    store
        .invite(alice.id, invitation(ev.id, None, &["a@example.com", "b@example.com"]))
        .await
        .unwrap();
    let a = store.recipient(ev.id, "A@EXAMPLE.COM").await.unwrap().unwrap();
    let b = store.recipient(ev.id, "b@example.com").await.unwrap().unwrap();
    assert_ne!(a.token, b.token);
    assert_eq!(store.recipient_by_token(&a.token).await.unwrap(), Some(a.clone()));
    assert_eq!(store.recipient_by_token("no-such-token").await.unwrap(), None);
    assert_eq!(store.recipient(ev.id, "c@example.com").await.unwrap(), None);
}

pub async fn list_recipients_pages_by_address_and_filters_by_answer<S: Store>(store: &S) {
    let (alice, ev) = alice_event(store).await;
    store
        .invite(
            alice.id,
            invitation(ev.id, None, &["e@x.com", "c@x.com", "a@x.com", "d@x.com", "b@x.com"]),
        )
        .await
        .unwrap();
    for email in ["b@x.com", "d@x.com"] {
        store
            .record_rsvp(ev.id, email, answer(PartStat::Accepted, 0, T0, None))
            .await
            .unwrap();
    }
    let emails = |p: &Page<Recipient>| p.items.iter().map(|r| r.email.clone()).collect::<Vec<_>>();
    let p1 = store.list_recipients(ev.id, None, None, 2).await.unwrap();
    assert_eq!(emails(&p1), strings(&["a@x.com", "b@x.com"]));
    assert_eq!(p1.next.as_deref(), Some("b@x.com"));
    let p2 = store.list_recipients(ev.id, None, p1.next.as_deref(), 2).await.unwrap();
    assert_eq!(emails(&p2), strings(&["c@x.com", "d@x.com"]));
    let p3 = store.list_recipients(ev.id, None, p2.next.as_deref(), 2).await.unwrap();
    assert_eq!(emails(&p3), strings(&["e@x.com"]));
    assert_eq!(p3.next, None);
    let accepted = store
        .list_recipients(ev.id, Some(PartStat::Accepted), None, 10)
        .await
        .unwrap();
    assert_eq!(emails(&accepted), strings(&["b@x.com", "d@x.com"]));
    assert_eq!(accepted.next, None);
    let first_pending = store
        .list_recipients(ev.id, Some(PartStat::NeedsAction), None, 1)
        .await
        .unwrap();
    assert_eq!(emails(&first_pending), strings(&["a@x.com"]));
    assert_eq!(first_pending.next.as_deref(), Some("a@x.com"));
    assert!(
        store
            .list_recipients(EventId(999), None, None, 10)
            .await
            .unwrap()
            .items
            .is_empty()
    );
}

pub async fn newer_answer_applies_and_older_one_is_stale<S: Store>(store: &S) {
    let (alice, ev) = alice_event(store).await;
    store
        .invite(alice.id, invitation(ev.id, None, &["a@example.com"]))
        .await
        .unwrap();
    let out = store
        .record_rsvp(ev.id, "a@example.com", answer(PartStat::Accepted, 1, T0, None))
        .await
        .unwrap();
    match out {
        RsvpOutcome::Applied { previous, recipient } => {
            assert_eq!(previous, PartStat::NeedsAction);
            assert_eq!(recipient.partstat, PartStat::Accepted);
            assert_eq!(recipient.history.len(), 1);
        }
        other => panic!("expected Applied, got {other:?}"),
    }
    // Older SEQUENCE, even with a newer DTSTAMP: stale.
    let out = store
        .record_rsvp(ev.id, "a@example.com", answer(PartStat::Declined, 0, T0 + DAY, None))
        .await
        .unwrap();
    assert_eq!(
        out,
        RsvpOutcome::Stale {
            current: PartStat::Accepted
        }
    );
    // Same SEQUENCE, older DTSTAMP: stale.
    let out = store
        .record_rsvp(ev.id, "a@example.com", answer(PartStat::Declined, 1, T0 - 1, None))
        .await
        .unwrap();
    assert_eq!(
        out,
        RsvpOutcome::Stale {
            current: PartStat::Accepted
        }
    );
    // Equal in both: applied.
    let out = store
        .record_rsvp(ev.id, "a@example.com", answer(PartStat::Tentative, 1, T0, None))
        .await
        .unwrap();
    assert!(
        matches!(
            out,
            RsvpOutcome::Applied {
                previous: PartStat::Accepted,
                ..
            }
        ),
        "{out:?}"
    );
    // Newer SEQUENCE with an older DTSTAMP: applied.
    let out = store
        .record_rsvp(ev.id, "a@example.com", answer(PartStat::Declined, 2, T0 - DAY, None))
        .await
        .unwrap();
    assert!(
        matches!(
            out,
            RsvpOutcome::Applied {
                previous: PartStat::Tentative,
                ..
            }
        ),
        "{out:?}"
    );
    let r = store.recipient(ev.id, "a@example.com").await.unwrap().unwrap();
    assert_eq!(r.partstat, PartStat::Declined);
    let kept: Vec<_> = r.history.iter().map(|h| (h.partstat, h.sequence, h.dtstamp)).collect();
    assert_eq!(
        kept,
        vec![
            (PartStat::Accepted, 1, T0),
            (PartStat::Declined, 0, T0 + DAY),
            (PartStat::Declined, 1, T0 - 1),
            (PartStat::Tentative, 1, T0),
            (PartStat::Declined, 2, T0 - DAY),
        ]
    );
}

pub async fn equal_sequence_with_newer_dtstamp_applies<S: Store>(store: &S) {
    let (alice, ev) = alice_event(store).await;
    store
        .invite(alice.id, invitation(ev.id, None, &["a@example.com"]))
        .await
        .unwrap();
    store
        .record_rsvp(ev.id, "a@example.com", answer(PartStat::Accepted, 0, T0, None))
        .await
        .unwrap();
    let out = store
        .record_rsvp(ev.id, "a@example.com", answer(PartStat::Declined, 0, T0 + 5, None))
        .await
        .unwrap();
    match out {
        RsvpOutcome::Applied { previous, recipient } => {
            assert_eq!(previous, PartStat::Accepted);
            assert_eq!(recipient.partstat, PartStat::Declined);
        }
        other => panic!("expected Applied, got {other:?}"),
    }
}

pub async fn answer_for_an_occurrence_leaves_the_whole_event_alone<S: Store>(store: &S) {
    let (alice, ev) = alice_event(store).await;
    store
        .invite(alice.id, invitation(ev.id, None, &["a@example.com"]))
        .await
        .unwrap();
    store
        .record_rsvp(ev.id, "a@example.com", answer(PartStat::Accepted, 1, T0, None))
        .await
        .unwrap();
    // An occurrence answer with an older key than the whole-event one still applies:
    // ordering is per occurrence.
    let out = store
        .record_rsvp(
            ev.id,
            "a@example.com",
            answer(PartStat::Declined, 0, T0 - DAY, Some("20250701T100000Z")),
        )
        .await
        .unwrap();
    assert!(
        matches!(
            out,
            RsvpOutcome::Applied {
                previous: PartStat::Accepted,
                ..
            }
        ),
        "{out:?}"
    );
    let stale = store
        .record_rsvp(
            ev.id,
            "a@example.com",
            answer(PartStat::Tentative, 0, T0 - 2 * DAY, Some("20250701T100000Z")),
        )
        .await
        .unwrap();
    assert_eq!(
        stale,
        RsvpOutcome::Stale {
            current: PartStat::Declined
        }
    );
    let r = store.recipient(ev.id, "a@example.com").await.unwrap().unwrap();
    assert_eq!(r.partstat, PartStat::Accepted);
    assert_eq!(r.occurrences.get("20250701T100000Z"), Some(&PartStat::Declined));
    assert_eq!(r.occurrences.len(), 1);
    assert_eq!(r.history.len(), 3);
    assert_eq!(
        store.count_recipients(ev.id).await.unwrap(),
        vec![(PartStat::Accepted, 1)]
    );
}

pub async fn answer_from_an_unknown_recipient_is_not_found<S: Store>(store: &S) {
    let (_, ev) = alice_event(store).await;
    let err = store
        .record_rsvp(ev.id, "who@example.com", answer(PartStat::Accepted, 0, T0, None))
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    let err = store
        .set_delivery(ev.id, "who@example.com", DeliveryState::Sent)
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
}

pub async fn count_recipients_follows_answers<S: Store>(store: &S) {
    let (alice, ev) = alice_event(store).await;
    assert!(store.count_recipients(ev.id).await.unwrap().is_empty());
    store
        .invite(
            alice.id,
            invitation(ev.id, None, &["a@x.com", "b@x.com", "c@x.com", "d@x.com"]),
        )
        .await
        .unwrap();
    store
        .record_rsvp(ev.id, "a@x.com", answer(PartStat::Declined, 0, T0, None))
        .await
        .unwrap();
    store
        .record_rsvp(ev.id, "b@x.com", answer(PartStat::Accepted, 0, T0, None))
        .await
        .unwrap();
    store
        .record_rsvp(ev.id, "c@x.com", answer(PartStat::Accepted, 0, T0, None))
        .await
        .unwrap();
    // A changed answer moves the count; a stale one does not.
    store
        .record_rsvp(ev.id, "a@x.com", answer(PartStat::Tentative, 0, T0 + 1, None))
        .await
        .unwrap();
    store
        .record_rsvp(ev.id, "b@x.com", answer(PartStat::Declined, 0, T0 - 1, None))
        .await
        .unwrap();
    assert_eq!(
        store.count_recipients(ev.id).await.unwrap(),
        vec![
            (PartStat::NeedsAction, 1),
            (PartStat::Accepted, 2),
            (PartStat::Tentative, 1)
        ]
    );
}

pub async fn set_delivery_records_the_state<S: Store>(store: &S) {
    let (alice, ev) = alice_event(store).await;
    store
        .invite(alice.id, invitation(ev.id, None, &["a@example.com"]))
        .await
        .unwrap();
    store
        .set_delivery(ev.id, "A@example.com", DeliveryState::Bounced)
        .await
        .unwrap();
    let r = store.recipient(ev.id, "a@example.com").await.unwrap().unwrap();
    assert_eq!(r.delivery, DeliveryState::Bounced);
    assert_eq!(r.partstat, PartStat::NeedsAction);
}

pub async fn suppression_list_adds_removes_and_pages<S: Store>(store: &S) {
    store
        .suppress("C@x.com", SuppressionReason::Manual, Some("asked".into()))
        .await
        .unwrap();
    store
        .suppress("a@x.com", SuppressionReason::HardBounce, None)
        .await
        .unwrap();
    store
        .suppress("b@x.com", SuppressionReason::Unsubscribe, None)
        .await
        .unwrap();
    let c = store.suppression("c@X.com").await.unwrap().unwrap();
    assert_eq!(c.email, "c@x.com");
    assert_eq!(c.reason, SuppressionReason::Manual);
    assert_eq!(c.note.as_deref(), Some("asked"));
    // Suppressing again replaces the reason.
    store
        .suppress("c@x.com", SuppressionReason::HardBounce, None)
        .await
        .unwrap();
    assert_eq!(
        store.suppression("c@x.com").await.unwrap().unwrap().reason,
        SuppressionReason::HardBounce
    );

    let emails = |p: &Page<Suppression>| p.items.iter().map(|s| s.email.clone()).collect::<Vec<_>>();
    let p1 = store.list_suppressions(None, 2).await.unwrap();
    assert_eq!(emails(&p1), strings(&["a@x.com", "b@x.com"]));
    let p2 = store.list_suppressions(p1.next.as_deref(), 2).await.unwrap();
    assert_eq!(emails(&p2), strings(&["c@x.com"]));
    assert_eq!(p2.next, None);

    assert!(store.unsuppress("B@X.COM").await.unwrap());
    assert!(!store.unsuppress("b@x.com").await.unwrap());
    assert_eq!(store.suppression("b@x.com").await.unwrap(), None);
    assert!(matches!(
        store
            .suppress("nope", SuppressionReason::Manual, None)
            .await
            .unwrap_err(),
        StoreError::Invalid(_)
    ));
}
