//! Contract: the durable outbox, leases, batch counters and effects.

use super::fixtures::*;
use crate::*;

fn recipients_of(jobs: &[Job]) -> Vec<String> {
    jobs.iter().map(|j| j.recipient.clone().unwrap_or_default()).collect()
}

pub async fn enqueue_creates_each_dedupe_key_once<S: Store>(store: &S) {
    let created = store
        .enqueue(vec![
            job("mail", "a@x.com", T0),
            job("mail", "b@x.com", T0),
            job("mail", "a@x.com", T0 + 5),
        ])
        .await
        .unwrap();
    assert_eq!(created, 2);
    assert_eq!(store.enqueue(vec![job("mail", "a@x.com", T0)]).await.unwrap(), 0);
    let mut other_method = job("mail", "a@x.com", T0);
    other_method.method = "CANCEL".into();
    assert_eq!(store.enqueue(vec![other_method]).await.unwrap(), 1);
    assert_eq!(store.pending_jobs("mail").await.unwrap(), 3);
    assert_eq!(store.pending_jobs("webhook").await.unwrap(), 0);
    let leased = store.lease_jobs("mail", "w", 10, T0, 60).await.unwrap();
    let first = leased
        .iter()
        .find(|j| j.recipient.as_deref() == Some("a@x.com") && j.method == "REQUEST")
        .unwrap();
    assert_eq!(first.payload, b"a@x.com".to_vec());
    assert_eq!(first.due_at, T0);
    assert_eq!(first.state, JobState::Pending);
    assert!(first.created_at > 0);
    assert_eq!(store.job(first.id).await.unwrap().as_ref(), Some(first));
    assert_eq!(store.job(JobId(9999)).await.unwrap(), None);
}

pub async fn lease_takes_due_jobs_oldest_first<S: Store>(store: &S) {
    store
        .enqueue(vec![
            job("mail", "a", T0 + 10),
            job("mail", "b", T0),
            job("mail", "c", T0 + 100),
            job("webhook", "x", T0),
        ])
        .await
        .unwrap();
    let leased = store.lease_jobs("mail", "w1", 10, T0 + 10, 60).await.unwrap();
    assert_eq!(recipients_of(&leased), strings(&["b", "a"]));
    for j in &leased {
        assert_eq!(j.attempts, 1);
        assert_eq!(
            j.lease,
            Some(Lease {
                owner: "w1".into(),
                expires_at: T0 + 70
            })
        );
        assert_eq!(store.job(j.id).await.unwrap().as_ref(), Some(j));
    }
    assert!(
        store
            .lease_jobs("mail", "w2", 10, T0 + 10, 60)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .lease_jobs("mail", "w2", 10, T0 + 69, 60)
            .await
            .unwrap()
            .is_empty()
    );
    let one = store.lease_jobs("mail", "w2", 1, T0 + 100, 60).await.unwrap();
    assert_eq!(recipients_of(&one), strings(&["a"]));
    assert_eq!(
        recipients_of(&store.lease_jobs("webhook", "w3", 10, T0, 60).await.unwrap()),
        strings(&["x"])
    );
    assert_eq!(store.pending_jobs("mail").await.unwrap(), 3);
}

pub async fn expired_lease_makes_the_job_due_again<S: Store>(store: &S) {
    store.enqueue(vec![job("mail", "a", T0)]).await.unwrap();
    let first = store.lease_jobs("mail", "w1", 10, T0, 30).await.unwrap();
    assert_eq!(first.len(), 1);
    assert!(
        store
            .lease_jobs("mail", "w2", 10, T0 + 29, 30)
            .await
            .unwrap()
            .is_empty()
    );
    let again = store.lease_jobs("mail", "w2", 10, T0 + 30, 30).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].id, first[0].id);
    assert_eq!(again[0].attempts, 2);
    assert_eq!(
        again[0].lease,
        Some(Lease {
            owner: "w2".into(),
            expires_at: T0 + 60
        })
    );
    let err = store
        .finish_job(first[0].id, "w1", JobResult::Done, T0 + 31)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::LeaseLost { .. }), "{err:?}");
    // The old holder's shutdown does not release the new holder's lease.
    assert_eq!(store.release_leases("w1", T0 + 31).await.unwrap(), 0);
    let done = store
        .finish_job(first[0].id, "w2", JobResult::Done, T0 + 31)
        .await
        .unwrap();
    assert_eq!(done.state, JobState::Done);
}

pub async fn finish_done_retry_and_failed_update_the_batch<S: Store>(store: &S) {
    let (alice, cal) = alice_calendar(store).await;
    let ev = event(store, alice.id, cal.id, "uid-1").await;
    let batch = store
        .invite(alice.id, invitation(ev.id, None, &["a@x.com", "b@x.com", "c@x.com"]))
        .await
        .unwrap()
        .batch;
    let leased = store.lease_jobs("mail", "w", 10, T0, 60).await.unwrap();
    let by = |email: &str| {
        leased
            .iter()
            .find(|j| j.recipient.as_deref() == Some(email))
            .unwrap()
            .id
    };
    let (a, b, c) = (by("a@x.com"), by("b@x.com"), by("c@x.com"));

    let done = store.finish_job(a, "w", JobResult::Done, T0 + 1).await.unwrap();
    assert_eq!(done.state, JobState::Done);
    assert_eq!(done.finished_at, Some(T0 + 1));
    assert_eq!(done.lease, None);
    let retry = store
        .finish_job(
            b,
            "w",
            JobResult::Retry {
                retry_at: T0 + 100,
                error: "421 try later".into(),
            },
            T0 + 1,
        )
        .await
        .unwrap();
    assert_eq!(retry.state, JobState::Pending);
    assert_eq!(retry.due_at, T0 + 100);
    assert_eq!(retry.lease, None);
    assert_eq!(retry.last_error.as_deref(), Some("421 try later"));
    let failed = store
        .finish_job(
            c,
            "w",
            JobResult::Failed {
                error: "550 no such user".into(),
            },
            T0 + 1,
        )
        .await
        .unwrap();
    assert_eq!(failed.state, JobState::Failed);
    assert_eq!(failed.last_error.as_deref(), Some("550 no such user"));
    assert_eq!(store.job(c).await.unwrap(), Some(failed));

    let counted = store.batch(batch.id).await.unwrap().unwrap();
    assert_eq!(
        (counted.queued, counted.sent, counted.deferred, counted.failed),
        (3, 1, 1, 1)
    );
    assert_eq!(store.pending_jobs("mail").await.unwrap(), 1);

    assert!(store.lease_jobs("mail", "w", 10, T0 + 99, 60).await.unwrap().is_empty());
    let again = store.lease_jobs("mail", "w", 10, T0 + 100, 60).await.unwrap();
    assert_eq!(
        again.iter().map(|j| (j.id, j.attempts)).collect::<Vec<_>>(),
        vec![(b, 2)]
    );
    store
        .finish_job(
            b,
            "w",
            JobResult::Retry {
                retry_at: T0 + 200,
                error: "421".into(),
            },
            T0 + 101,
        )
        .await
        .unwrap();
    assert_eq!(store.batch(batch.id).await.unwrap().unwrap().deferred, 2);
    // A finished job cannot be finished again.
    let err = store.finish_job(a, "w", JobResult::Done, T0 + 2).await.unwrap_err();
    assert!(matches!(err, StoreError::LeaseLost { .. }), "{err:?}");
    assert_eq!(store.batch(batch.id).await.unwrap().unwrap().sent, 1);
}

pub async fn finish_by_another_owner_is_lease_lost<S: Store>(store: &S) {
    store.enqueue(vec![job("mail", "a", T0)]).await.unwrap();
    let leased = store.lease_jobs("mail", "w1", 10, T0, 60).await.unwrap();
    let id = leased[0].id;
    match store.finish_job(id, "w2", JobResult::Done, T0 + 1).await.unwrap_err() {
        StoreError::LeaseLost { job, owner } => {
            assert_eq!(job, id.0);
            assert_eq!(owner, "w2");
        }
        other => panic!("expected LeaseLost, got {other:?}"),
    }
    assert_eq!(store.job(id).await.unwrap(), Some(leased[0].clone()));
    assert!(
        store
            .finish_job(JobId(9999), "w1", JobResult::Done, T0)
            .await
            .unwrap_err()
            .is_not_found()
    );
}

pub async fn finish_without_a_lease_is_lease_lost<S: Store>(store: &S) {
    store.enqueue(vec![job("mail", "a", T0)]).await.unwrap();
    let id = store.lease_jobs("mail", "w1", 10, T0, 60).await.unwrap()[0].id;
    store.release_leases("w1", T0 + 1).await.unwrap();
    let err = store.finish_job(id, "w1", JobResult::Done, T0 + 2).await.unwrap_err();
    assert!(matches!(err, StoreError::LeaseLost { .. }), "{err:?}");
    assert_eq!(store.job(id).await.unwrap().unwrap().state, JobState::Pending);
}

pub async fn release_leases_makes_the_owners_jobs_due_now<S: Store>(store: &S) {
    store
        .enqueue(vec![job("mail", "a", T0), job("mail", "b", T0), job("mail", "c", T0)])
        .await
        .unwrap();
    let w1 = store.lease_jobs("mail", "w1", 2, T0, 600).await.unwrap();
    let w2 = store.lease_jobs("mail", "w2", 1, T0, 600).await.unwrap();
    assert_eq!(recipients_of(&w1), strings(&["a", "b"]));
    assert_eq!(recipients_of(&w2), strings(&["c"]));
    assert_eq!(store.release_leases("w1", T0 + 5).await.unwrap(), 2);
    let a = store.job(w1[0].id).await.unwrap().unwrap();
    assert_eq!(a.lease, None);
    assert_eq!(a.due_at, T0 + 5);
    assert_eq!(a.attempts, 1);
    assert!(store.lease_jobs("mail", "w3", 10, T0 + 4, 60).await.unwrap().is_empty());
    let w3 = store.lease_jobs("mail", "w3", 10, T0 + 5, 60).await.unwrap();
    assert_eq!(recipients_of(&w3), strings(&["a", "b"]));
    assert_eq!(store.release_leases("w1", T0 + 6).await.unwrap(), 0);
    assert_eq!(
        store.job(w2[0].id).await.unwrap().unwrap().lease.map(|l| l.owner),
        Some("w2".into())
    );
    assert_eq!(store.pending_jobs("mail").await.unwrap(), 3);
}

fn fan(event: Option<EventId>, statuses: Vec<PartStat>, queue: &str, method: &str, sequence: u32) -> FanOut {
    FanOut {
        event,
        statuses,
        queue: queue.into(),
        method: method.into(),
        sequence,
        recurrence_id: None,
        due_at: T0,
        payload: Vec::new(),
    }
}

pub async fn effects_commit_with_the_object_in_one_transaction<S: Store>(store: &S) {
    let (alice, cal) = alice_calendar(store).await;
    let mut up = EventUpsert::at(alice.id, "uid-1", cal.id, "e.ics");
    up.sequence = Some(0);
    up.summary = Some("Kickoff".into());
    let mut hook = job("webhook", "hook", T0);
    hook.recipient = None;
    let (put, fx) = store
        .put_object(
            cal.id,
            "e.ics",
            write("v1", Some("uid-1"), None),
            Precondition::IfNotExists,
            Effects {
                event: Some(up),
                jobs: vec![hook],
                fan_out: None,
                hold: None,
                invite: None,
            },
        )
        .await
        .unwrap();
    assert!(put.created);
    let ev = fx.event.unwrap();
    assert_eq!(ev.uid, "uid-1");
    assert_eq!(ev.summary, "Kickoff");
    assert_eq!(fx.jobs_created, 1);
    assert_eq!(store.event_by_uid(alice.id, "uid-1").await.unwrap(), Some(ev.clone()));
    assert_eq!(store.pending_jobs("webhook").await.unwrap(), 1);

    store
        .invite(alice.id, invitation(ev.id, None, &["a@x.com", "b@x.com"]))
        .await
        .unwrap();
    let mut up = EventUpsert::at(alice.id, "uid-1", cal.id, "e.ics");
    up.sequence = Some(1);
    let (_, fx) = store
        .put_object(
            cal.id,
            "e.ics",
            write("v2", Some("uid-1"), None),
            Precondition::IfMatch(put.etag),
            Effects {
                event: Some(up),
                jobs: vec![],
                fan_out: Some(fan(None, vec![], "mail", "REQUEST", 1)),
                hold: None,
                invite: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(fx.jobs_created, 2);
    assert_eq!(fx.event.map(|e| e.sequence), Some(1));
    assert_eq!(
        store.recipient(ev.id, "a@x.com").await.unwrap().unwrap().sequence_sent,
        1
    );
    assert_eq!(store.pending_jobs("mail").await.unwrap(), 4);
    let sequences: Vec<u32> = store
        .lease_jobs("mail", "w", 10, T0, 60)
        .await
        .unwrap()
        .iter()
        .map(|j| j.sequence)
        .collect();
    assert_eq!(sequences.iter().filter(|s| **s == 1).count(), 2);
}

pub async fn failed_precondition_writes_no_object_event_or_job<S: Store>(store: &S) {
    let (alice, cal) = alice_calendar(store).await;
    let existing = event(store, alice.id, cal.id, "uid-0").await;
    store
        .invite(alice.id, invitation(existing.id, None, &["a@x.com"]))
        .await
        .unwrap();
    put(store, cal.id, "holder.ics", "h", Some("taken"), None).await;
    let before = store.pending_jobs("mail").await.unwrap();
    let seq_before = store.collection(cal.id).await.unwrap().unwrap().sync_seq;
    let effects = || Effects {
        event: Some(EventUpsert::at(alice.id, "uid-new", cal.id, "new.ics")),
        jobs: vec![job("webhook", "hook", T0)],
        fan_out: Some(fan(Some(existing.id), vec![], "mail", "REQUEST", 9)),
        hold: None,
        invite: None,
    };
    let err = store
        .put_object(
            cal.id,
            "new.ics",
            write("x", Some("uid-new"), None),
            Precondition::IfMatch("nope".into()),
            effects(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::PreconditionFailed(_)), "{err:?}");
    let err = store
        .put_object(
            cal.id,
            "new.ics",
            write("x", Some("taken"), None),
            Precondition::None,
            effects(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::UidConflict { .. }), "{err:?}");
    let err = store
        .delete_object(cal.id, "holder.ics", Precondition::IfMatch("nope".into()), effects())
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::PreconditionFailed(_)), "{err:?}");
    assert_eq!(store.object(cal.id, "new.ics").await.unwrap(), None);
    assert!(store.object(cal.id, "holder.ics").await.unwrap().is_some());
    assert_eq!(store.event_by_uid(alice.id, "uid-new").await.unwrap(), None);
    assert_eq!(store.pending_jobs("mail").await.unwrap(), before);
    assert_eq!(store.pending_jobs("webhook").await.unwrap(), 0);
    assert_eq!(
        store
            .recipient(existing.id, "a@x.com")
            .await
            .unwrap()
            .unwrap()
            .sequence_sent,
        0
    );
    assert_eq!(store.collection(cal.id).await.unwrap().unwrap().sync_seq, seq_before);
}

pub async fn fan_out_reaches_matching_unsuppressed_recipients<S: Store>(store: &S) {
    let (alice, cal) = alice_calendar(store).await;
    let ev = event(store, alice.id, cal.id, "uid-1").await;
    store
        .invite(
            alice.id,
            invitation(ev.id, None, &["a@x.com", "b@x.com", "c@x.com", "d@x.com"]),
        )
        .await
        .unwrap();
    store
        .record_rsvp(ev.id, "a@x.com", answer(PartStat::Accepted, 0, T0, None))
        .await
        .unwrap();
    store
        .record_rsvp(ev.id, "b@x.com", answer(PartStat::Declined, 0, T0, None))
        .await
        .unwrap();
    store
        .record_rsvp(ev.id, "d@x.com", answer(PartStat::Accepted, 0, T0, None))
        .await
        .unwrap();
    store
        .suppress("d@x.com", SuppressionReason::Unsubscribe, None)
        .await
        .unwrap();
    let mut f = fan(
        Some(ev.id),
        vec![PartStat::Accepted, PartStat::NeedsAction],
        "updates",
        "REQUEST",
        5,
    );
    f.recurrence_id = Some("R1".into());
    f.payload = b"last version".to_vec();
    let fx = Effects {
        event: None,
        jobs: vec![],
        fan_out: Some(f.clone()),
        hold: None,
        invite: None,
    };
    let (_, out) = store
        .put_object(
            cal.id,
            "e.ics",
            write("x", Some("uid-1"), None),
            Precondition::None,
            fx.clone(),
        )
        .await
        .unwrap();
    assert_eq!(out.jobs_created, 2);
    let jobs = store.lease_jobs("updates", "w", 10, T0, 60).await.unwrap();
    assert!(
        jobs.iter().all(|j| j.payload == b"last version"),
        "every fanned-out job carries the payload"
    );
    let mut reached = recipients_of(&jobs);
    reached.sort();
    assert_eq!(reached, strings(&["a@x.com", "c@x.com"]));
    assert!(jobs.iter().all(|j| j.recurrence_id.as_deref() == Some("R1")
        && j.sequence == 5
        && j.batch.is_none()
        && j.event == Some(ev.id)));
    assert_eq!(
        store.recipient(ev.id, "a@x.com").await.unwrap().unwrap().sequence_sent,
        5
    );
    assert_eq!(
        store.recipient(ev.id, "b@x.com").await.unwrap().unwrap().sequence_sent,
        0
    );
    assert_eq!(
        store.recipient(ev.id, "d@x.com").await.unwrap().unwrap().sequence_sent,
        0
    );
    // The same fan-out again creates nothing new.
    let (_, again) = store
        .put_object(cal.id, "e.ics", write("y", Some("uid-1"), None), Precondition::None, fx)
        .await
        .unwrap();
    assert_eq!(again.jobs_created, 0);
}

pub async fn fan_out_to_an_explicit_event_on_delete<S: Store>(store: &S) {
    let (alice, cal) = alice_calendar(store).await;
    put(store, cal.id, "e.ics", "x", Some("uid-1"), None).await;
    let ev = event(store, alice.id, cal.id, "uid-1").await;
    store
        .invite(alice.id, invitation(ev.id, None, &["a@x.com", "b@x.com"]))
        .await
        .unwrap();
    let err = store
        .delete_object(
            cal.id,
            "e.ics",
            Precondition::None,
            Effects {
                event: None,
                jobs: vec![],
                fan_out: Some(fan(None, vec![], "mail", "CANCEL", 1)),
                hold: None,
                invite: None,
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Invalid(_)), "{err:?}");
    assert!(store.object(cal.id, "e.ics").await.unwrap().is_some());

    let mut cancel = EventUpsert::at(alice.id, "uid-1", cal.id, "e.ics");
    cancel.cancelled = Some(true);
    cancel.sequence = Some(1);
    let (seq, out) = store
        .delete_object(
            cal.id,
            "e.ics",
            Precondition::None,
            Effects {
                event: Some(cancel),
                jobs: vec![],
                fan_out: Some(fan(Some(ev.id), vec![], "mail", "CANCEL", 1)),
                hold: None,
                invite: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(seq, 2);
    assert_eq!(out.jobs_created, 2);
    assert_eq!(out.event.map(|e| e.cancelled), Some(true));
    assert_eq!(store.object(cal.id, "e.ics").await.unwrap(), None);
    assert_eq!(store.pending_jobs("mail").await.unwrap(), 4);
}

pub async fn finish_jobs_applies_a_whole_batch_and_records_each_recipients_delivery<S: Store>(store: &S) {
    let (alice, cal) = alice_calendar(store).await;
    let ev = event(store, alice.id, cal.id, "uid-batch").await;
    let batch = store
        .invite(
            alice.id,
            invitation(ev.id, None, &["a@x.com", "b@x.com", "c@x.com", "d@x.com"]),
        )
        .await
        .unwrap()
        .batch;
    let leased = store.lease_jobs("mail", "w", 10, T0, 60).await.unwrap();
    let by = |email: &str| {
        leased
            .iter()
            .find(|j| j.recipient.as_deref() == Some(email))
            .unwrap()
            .id
    };
    // d's lease is taken over by another worker after expiry: w no longer holds it.
    store
        .finish_job(
            by("d@x.com"),
            "w",
            JobResult::Retry {
                retry_at: T0,
                error: "x".into(),
            },
            T0,
        )
        .await
        .unwrap();
    let taken = store.lease_jobs("mail", "other", 10, T0 + 1, 60).await.unwrap();
    assert_eq!(recipients_of(&taken), strings(&["d@x.com"]));

    let results = store
        .finish_jobs(
            "w",
            vec![
                (by("a@x.com"), JobResult::Done),
                (
                    by("b@x.com"),
                    JobResult::Retry {
                        retry_at: T0 + 100,
                        error: "451 later".into(),
                    },
                ),
                (
                    by("c@x.com"),
                    JobResult::Failed {
                        error: "550 unknown".into(),
                    },
                ),
                (by("d@x.com"), JobResult::Done),
            ],
            T0 + 2,
        )
        .await
        .unwrap();
    assert_eq!(results.len(), 4);
    assert_eq!(results[0].as_ref().unwrap().state, JobState::Done);
    assert_eq!(results[1].as_ref().unwrap().due_at, T0 + 100);
    assert_eq!(results[2].as_ref().unwrap().state, JobState::Failed);
    assert!(
        matches!(results[3], Err(StoreError::LeaseLost { .. })),
        "{:?}",
        results[3]
    );
    let delivery = |email: &'static str| async move { store.recipient(ev.id, email).await.unwrap().unwrap().delivery };
    assert_eq!(delivery("a@x.com").await, DeliveryState::Sent);
    assert_eq!(delivery("b@x.com").await, DeliveryState::Deferred);
    assert_eq!(delivery("c@x.com").await, DeliveryState::Failed);
    let counted = store.batch(batch.id).await.unwrap().unwrap();
    assert_eq!((counted.sent, counted.failed), (1, 1));
    assert_eq!(counted.deferred, 2, "d's earlier retry and b's");
    // d is still the other worker's to finish.
    let d = store.job(by("d@x.com")).await.unwrap().unwrap();
    assert_eq!(d.lease.map(|l| l.owner), Some("other".to_string()));
}

pub async fn an_object_write_invites_its_new_attendees_in_the_same_transaction<S: Store>(store: &S) {
    let (alice, cal) = alice_calendar(store).await;
    store
        .suppress("blocked@x.com", SuppressionReason::Manual, None)
        .await
        .unwrap();
    let invite = |emails: &[&str]| EffectInvite {
        event: None,
        recipients: invitation(EventId(0), None, emails).recipients,
        method: "REQUEST".into(),
        sequence: 0,
        queue: "mail".into(),
        due_at: T0,
    };
    let (put, fx) = store
        .put_object(
            cal.id,
            "s.ics",
            write("v1", Some("uid-s"), None),
            Precondition::IfNotExists,
            Effects {
                event: Some(EventUpsert::at(alice.id, "uid-s", cal.id, "s.ics")),
                invite: Some(invite(&["a@x.com", "B@x.com", "blocked@x.com"])),
                ..Effects::default()
            },
        )
        .await
        .unwrap();
    let ev = fx.event.unwrap();
    assert_eq!(fx.jobs_created, 2, "suppressed addresses are skipped");
    assert!(store.recipient(ev.id, "b@x.com").await.unwrap().is_some());
    assert!(store.recipient(ev.id, "blocked@x.com").await.unwrap().is_none());
    // A later write with one more attendee invites only the new one.
    let (_, fx) = store
        .put_object(
            cal.id,
            "s.ics",
            write("v2", Some("uid-s"), None),
            Precondition::IfMatch(put.etag),
            Effects {
                event: Some(EventUpsert::at(alice.id, "uid-s", cal.id, "s.ics")),
                invite: Some(invite(&["a@x.com", "b@x.com", "c@x.com"])),
                ..Effects::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(fx.jobs_created, 1);
    assert_eq!(store.pending_jobs("mail").await.unwrap(), 3);
    // A write whose precondition fails invites nobody.
    let err = store
        .put_object(
            cal.id,
            "s.ics",
            write("v3", Some("uid-s"), None),
            Precondition::IfMatch("stale".into()),
            Effects {
                event: Some(EventUpsert::at(alice.id, "uid-s", cal.id, "s.ics")),
                invite: Some(invite(&["d@x.com"])),
                ..Effects::default()
            },
        )
        .await;
    assert!(err.is_err());
    assert!(store.recipient(ev.id, "d@x.com").await.unwrap().is_none());
    assert_eq!(store.pending_jobs("mail").await.unwrap(), 3);
}
