//! Contract: webhooks, scoped to their owner, and their delivery log.

use super::fixtures::*;
use crate::*;

fn hook(owner: PrincipalId, url: &str, events: &[&str]) -> NewWebhook {
    NewWebhook {
        owner,
        url: url.to_string(),
        events: strings(events),
        secret: "whsec_c2VjcmV0".to_string(),
    }
}

fn delivery(webhook: WebhookId, event_type: &str, delivery_id: &str, due_at: Timestamp) -> NewJob {
    NewJob::webhook_delivery(
        webhook,
        event_type,
        format!("{{\"id\":\"{delivery_id}\"}}").into_bytes(),
        due_at,
    )
}

pub async fn webhook_is_created_listed_and_found_by_its_owner_only<S: Store>(store: &S) {
    let alice = principal(store, "alice").await;
    let bob = principal(store, "bob").await;
    let a1 = store
        .create_webhook(hook(
            alice.id,
            " https://a.example/hook ",
            &["rsvp.changed", "rsvp.changed"],
        ))
        .await
        .unwrap();
    assert_eq!(a1.url, "https://a.example/hook");
    assert_eq!(a1.events, strings(&["rsvp.changed"]));
    assert_eq!(a1.owner, alice.id);
    assert_eq!(a1.secret, "whsec_c2VjcmV0");
    assert!(a1.created_at > 0);
    let a2 = store
        .create_webhook(hook(alice.id, "http://127.0.0.1:9/x", &["*"]))
        .await
        .unwrap();
    let b1 = store
        .create_webhook(hook(bob.id, "https://b.example/", &["event.updated"]))
        .await
        .unwrap();
    assert_eq!(store.webhook(alice.id, a1.id).await.unwrap(), Some(a1.clone()));
    assert_eq!(store.webhook(bob.id, a1.id).await.unwrap(), None, "another owner's");
    assert_eq!(store.webhook(alice.id, WebhookId(999)).await.unwrap(), None);
    assert_eq!(store.list_webhooks(alice.id).await.unwrap(), vec![a1, a2]);
    assert_eq!(store.list_webhooks(bob.id).await.unwrap(), vec![b1]);
}

pub async fn invalid_webhooks_are_rejected<S: Store>(store: &S) {
    let alice = principal(store, "alice").await;
    for (url, events) in [
        ("ftp://a.example/", &["*"][..]),
        ("a.example/hook", &["*"][..]),
        ("https:///path", &["*"][..]),
        ("https://a b/", &["*"][..]),
        ("https://a.example/", &[][..]),
        ("https://a.example/", &["rsvp.changed", "no.such.type"][..]),
    ] {
        let err = store.create_webhook(hook(alice.id, url, events)).await.unwrap_err();
        assert!(matches!(err, StoreError::Invalid(_)), "{url} {events:?}: {err:?}");
    }
    let mut no_secret = hook(alice.id, "https://a.example/", &["*"]);
    no_secret.secret.clear();
    assert!(matches!(
        store.create_webhook(no_secret).await.unwrap_err(),
        StoreError::Invalid(_)
    ));
    let err = store
        .create_webhook(hook(PrincipalId(999), "https://a.example/", &["*"]))
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    assert!(store.list_webhooks(alice.id).await.unwrap().is_empty());
}

pub async fn webhooks_for_a_type_are_the_owners_subscribers<S: Store>(store: &S) {
    let alice = principal(store, "alice").await;
    let bob = principal(store, "bob").await;
    let rsvp = store
        .create_webhook(hook(
            alice.id,
            "https://a.example/1",
            &["rsvp.changed", "invite.failed"],
        ))
        .await
        .unwrap();
    let all = store
        .create_webhook(hook(alice.id, "https://a.example/2", &["*"]))
        .await
        .unwrap();
    store
        .create_webhook(hook(alice.id, "https://a.example/3", &["event.cancelled"]))
        .await
        .unwrap();
    store
        .create_webhook(hook(bob.id, "https://b.example/", &["*"]))
        .await
        .unwrap();
    let ids = |v: Vec<Webhook>| v.into_iter().map(|w| w.id).collect::<Vec<_>>();
    assert_eq!(
        ids(store.webhooks_for(alice.id, "rsvp.changed").await.unwrap()),
        vec![rsvp.id, all.id]
    );
    assert_eq!(
        ids(store.webhooks_for(alice.id, "counter.proposed").await.unwrap()),
        vec![all.id]
    );
    assert!(
        store
            .webhooks_for(PrincipalId(999), "rsvp.changed")
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn webhook_deletion_is_scoped_to_its_owner<S: Store>(store: &S) {
    let alice = principal(store, "alice").await;
    let bob = principal(store, "bob").await;
    let a = store
        .create_webhook(hook(alice.id, "https://a.example/", &["*"]))
        .await
        .unwrap();
    let err = store.delete_webhook(bob.id, a.id).await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    assert!(store.webhook(alice.id, a.id).await.unwrap().is_some());
    store
        .enqueue(vec![delivery(a.id, "rsvp.changed", "m1", T0)])
        .await
        .unwrap();
    store.delete_webhook(alice.id, a.id).await.unwrap();
    assert_eq!(store.webhook(alice.id, a.id).await.unwrap(), None);
    assert!(store.list_webhooks(alice.id).await.unwrap().is_empty());
    assert!(store.webhooks_for(alice.id, "rsvp.changed").await.unwrap().is_empty());
    assert!(store.delete_webhook(alice.id, a.id).await.unwrap_err().is_not_found());
    let err = store.webhook_deliveries(alice.id, a.id, None, 10).await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
}

pub async fn deliveries_with_different_payloads_never_share_a_dedupe_key<S: Store>(store: &S) {
    let alice = principal(store, "alice").await;
    let a = store
        .create_webhook(hook(alice.id, "https://a.example/", &["*"]))
        .await
        .unwrap();
    let created = store
        .enqueue(vec![
            delivery(a.id, "rsvp.changed", "m1", T0),
            delivery(a.id, "rsvp.changed", "m2", T0),
            delivery(a.id, "rsvp.changed", "m1", T0 + 5),
        ])
        .await
        .unwrap();
    assert_eq!(created, 2, "the same delivery twice is one job; two deliveries are two");
    assert_eq!(store.pending_jobs(WEBHOOK_QUEUE).await.unwrap(), 2);
    let leased = store.lease_jobs(WEBHOOK_QUEUE, "w", 10, T0, 60).await.unwrap();
    assert_eq!(leased.len(), 2);
    for job in &leased {
        assert_eq!(job.webhook(), Some(a.id));
        assert_eq!(job.method, "rsvp.changed");
        assert_eq!(job.event, None);
    }
}

pub async fn delivery_log_is_newest_first_paged_and_shows_each_attempt<S: Store>(store: &S) {
    let alice = principal(store, "alice").await;
    let bob = principal(store, "bob").await;
    let a = store
        .create_webhook(hook(alice.id, "https://a.example/", &["*"]))
        .await
        .unwrap();
    let other = store
        .create_webhook(hook(alice.id, "https://a.example/other", &["*"]))
        .await
        .unwrap();
    let mut jobs: Vec<NewJob> = (0..5)
        .map(|n| delivery(a.id, "rsvp.changed", &format!("m{n}"), T0))
        .collect();
    jobs.push(delivery(other.id, "rsvp.changed", "x", T0));
    store.enqueue(jobs).await.unwrap();

    let first = store.webhook_deliveries(alice.id, a.id, None, 2).await.unwrap();
    assert_eq!(first.items.len(), 2);
    let next = first.next.clone().expect("more pages");
    let second = store.webhook_deliveries(alice.id, a.id, Some(&next), 2).await.unwrap();
    let third = store
        .webhook_deliveries(alice.id, a.id, second.next.as_deref(), 2)
        .await
        .unwrap();
    assert_eq!(third.next, None);
    let all: Vec<Job> = first.items.into_iter().chain(second.items).chain(third.items).collect();
    assert_eq!(all.len(), 5, "only this webhook's deliveries");
    assert!(all.windows(2).all(|w| w[0].id > w[1].id), "newest first");
    assert!(all.iter().all(|j| j.webhook() == Some(a.id)));

    // One failed attempt, then a success: the log shows the attempts, error and state.
    let leased = store.lease_jobs(WEBHOOK_QUEUE, "w", 1, T0, 60).await.unwrap();
    let id = leased[0].id;
    store
        .finish_job(
            id,
            "w",
            JobResult::Retry {
                retry_at: T0 + 10,
                error: "HTTP 500".into(),
            },
            T0,
        )
        .await
        .unwrap();
    let again = store.lease_jobs(WEBHOOK_QUEUE, "w", 10, T0 + 10, 60).await.unwrap();
    assert!(again.iter().any(|j| j.id == id));
    store.finish_job(id, "w", JobResult::Done, T0 + 11).await.unwrap();
    let log = store.webhook_deliveries(alice.id, a.id, None, 10).await.unwrap();
    let entry = log.items.iter().find(|j| j.id == id).unwrap();
    assert_eq!(entry.attempts, 2);
    assert_eq!(entry.state, JobState::Done);
    assert_eq!(entry.last_error.as_deref(), Some("HTTP 500"));
    assert_eq!(entry.finished_at, Some(T0 + 11));

    let err = store.webhook_deliveries(bob.id, a.id, None, 10).await.unwrap_err();
    assert!(err.is_not_found(), "another owner's log: {err:?}");
    assert!(matches!(
        store
            .webhook_deliveries(alice.id, a.id, Some("x"), 10)
            .await
            .unwrap_err(),
        StoreError::Invalid(_)
    ));
    assert!(matches!(
        store.webhook_deliveries(alice.id, a.id, None, 0).await.unwrap_err(),
        StoreError::Invalid(_)
    ));
}

pub async fn deliveries_queued_with_an_object_write_enter_the_log<S: Store>(store: &S) {
    let (alice, cal) = alice_calendar(store).await;
    let a = store
        .create_webhook(hook(alice.id, "https://a.example/", &["event.updated"]))
        .await
        .unwrap();
    let effects = Effects {
        jobs: vec![delivery(a.id, "event.updated", "m1", T0)],
        ..Effects::default()
    };
    let (_, out) = store
        .put_object(
            cal.id,
            "e.ics",
            write("BEGIN:VCALENDAR", Some("u"), None),
            Precondition::None,
            effects,
        )
        .await
        .unwrap();
    assert_eq!(out.jobs_created, 1);
    let log = store.webhook_deliveries(alice.id, a.id, None, 10).await.unwrap();
    assert_eq!(log.items.len(), 1);
    assert_eq!(log.items[0].method, "event.updated");
}
