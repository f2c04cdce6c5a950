//! Contract: principals, passwords, addresses and API keys.

use super::fixtures::*;
use crate::*;

pub async fn principal_is_stored_with_lowercase_name_and_addresses<S: Store>(store: &S) {
    let p = store
        .create_principal(NewPrincipal {
            name: "Alice".into(),
            display_name: "Alice A.".into(),
            emails: vec![
                "Alice@Example.COM".into(),
                "alice@example.com".into(),
                "a2@example.com".into(),
            ],
            role: Role::Admin,
            password_hash: "hash".into(),
        })
        .await
        .unwrap();
    assert_eq!(p.name, "alice");
    assert_eq!(p.emails, strings(&["alice@example.com", "a2@example.com"]));
    assert_eq!(p.role, Role::Admin);
    assert_eq!(store.principal(p.id).await.unwrap(), Some(p.clone()));
    assert_eq!(store.principal_by_name("ALICE").await.unwrap(), Some(p.clone()));
    assert_eq!(
        store.principal_by_email("A2@EXAMPLE.com").await.unwrap(),
        Some(p.clone())
    );
    assert_eq!(store.principal_by_email("nobody@example.com").await.unwrap(), None);
    assert_eq!(store.principal_by_name("bob").await.unwrap(), None);
    assert_eq!(store.principal(PrincipalId(p.id.0 + 1000)).await.unwrap(), None);
}

pub async fn duplicate_principal_name_is_rejected<S: Store>(store: &S) {
    principal(store, "alice").await;
    let err = store
        .create_principal(NewPrincipal {
            name: "ALICE".into(),
            display_name: String::new(),
            emails: vec!["other@example.com".into()],
            role: Role::Organizer,
            password_hash: "h".into(),
        })
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::AlreadyExists { .. }), "{err:?}");
    // Nothing of the refused principal was kept: its address is still free.
    assert_eq!(store.principal_by_email("other@example.com").await.unwrap(), None);
    assert_eq!(store.list_principals().await.unwrap().len(), 1);
}

pub async fn duplicate_principal_address_is_rejected<S: Store>(store: &S) {
    principal(store, "alice").await;
    let err = store
        .create_principal(NewPrincipal {
            name: "bob".into(),
            display_name: String::new(),
            emails: vec!["bob@example.com".into(), "ALICE@example.com".into()],
            role: Role::Organizer,
            password_hash: "h".into(),
        })
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::AlreadyExists { .. }), "{err:?}");
    assert_eq!(store.principal_by_name("bob").await.unwrap(), None);
    assert_eq!(store.principal_by_email("bob@example.com").await.unwrap(), None);
}

pub async fn invalid_principal_input_is_rejected<S: Store>(store: &S) {
    for (name, email) in [
        ("", "x@example.com"),
        ("a/b", "y@example.com"),
        ("carol", "not-an-address"),
    ] {
        let err = store
            .create_principal(NewPrincipal {
                name: name.into(),
                display_name: String::new(),
                emails: vec![email.into()],
                role: Role::Organizer,
                password_hash: "h".into(),
            })
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Invalid(_)), "{name:?} {email:?}: {err:?}");
    }
    assert!(store.list_principals().await.unwrap().is_empty());
}

pub async fn principals_are_listed_in_creation_order<S: Store>(store: &S) {
    let b = principal(store, "bob").await;
    let a = principal(store, "alice").await;
    let listed = store.list_principals().await.unwrap();
    assert_eq!(listed, vec![b, a]);
}

pub async fn set_password_raises_credential_version<S: Store>(store: &S) {
    let p = principal(store, "alice").await;
    let updated = store.set_password(p.id, "new-hash".into()).await.unwrap();
    assert_eq!(updated.password_hash, "new-hash");
    assert_eq!(updated.credential_version, p.credential_version + 1);
    let again = store.set_password(p.id, "third".into()).await.unwrap();
    assert_eq!(again.credential_version, p.credential_version + 2);
    assert_eq!(store.principal(p.id).await.unwrap(), Some(again));
}

pub async fn set_emails_frees_old_addresses_and_refuses_taken_ones<S: Store>(store: &S) {
    let a = principal(store, "alice").await;
    let b = principal(store, "bob").await;
    let updated = store
        .set_emails(a.id, vec!["Alice@Example.com".into(), "new@example.com".into()])
        .await
        .unwrap();
    assert_eq!(updated.emails, strings(&["alice@example.com", "new@example.com"]));
    assert_eq!(
        store.principal_by_email("new@example.com").await.unwrap().map(|p| p.id),
        Some(a.id)
    );

    let moved = store.set_emails(a.id, vec!["only@example.com".into()]).await.unwrap();
    assert_eq!(moved.emails, strings(&["only@example.com"]));
    assert_eq!(store.principal_by_email("alice@example.com").await.unwrap(), None);
    assert_eq!(store.principal_by_email("new@example.com").await.unwrap(), None);

    let err = store
        .set_emails(a.id, vec!["bob@example.com".into()])
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::AlreadyExists { .. }), "{err:?}");
    assert_eq!(
        store.principal(a.id).await.unwrap().unwrap().emails,
        strings(&["only@example.com"])
    );
    assert_eq!(
        store.principal_by_email("bob@example.com").await.unwrap().map(|p| p.id),
        Some(b.id)
    );
}

pub async fn updating_a_missing_principal_is_not_found<S: Store>(store: &S) {
    let ghost = PrincipalId(4242);
    assert!(store.set_password(ghost, "h".into()).await.unwrap_err().is_not_found());
    assert!(store.set_emails(ghost, vec![]).await.unwrap_err().is_not_found());
    let err = store
        .create_api_key(NewApiKey {
            principal: ghost,
            label: "x".into(),
            prefix: "x".into(),
            hash: [1; 32],
        })
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
}

fn key_for(principal: PrincipalId, byte: u8) -> NewApiKey {
    NewApiKey {
        principal,
        label: format!("key {byte}"),
        prefix: format!("ci_{byte}"),
        hash: [byte; 32],
    }
}

pub async fn api_key_is_found_by_hash_and_listed_per_principal<S: Store>(store: &S) {
    let a = principal(store, "alice").await;
    let b = principal(store, "bob").await;
    let k1 = store.create_api_key(key_for(a.id, 1)).await.unwrap();
    let k2 = store.create_api_key(key_for(a.id, 2)).await.unwrap();
    let k3 = store.create_api_key(key_for(b.id, 3)).await.unwrap();
    assert_eq!(k1.principal, a.id);
    assert_eq!(k1.label, "key 1");
    assert_eq!(k1.prefix, "ci_1");
    assert_eq!(store.api_key_by_hash(&[2; 32]).await.unwrap(), Some(k2.clone()));
    assert_eq!(store.api_key_by_hash(&[9; 32]).await.unwrap(), None);
    assert_eq!(store.list_api_keys(a.id).await.unwrap(), vec![k1, k2]);
    assert_eq!(store.list_api_keys(b.id).await.unwrap(), vec![k3]);
}

pub async fn api_key_deletion_is_scoped_to_its_principal<S: Store>(store: &S) {
    let a = principal(store, "alice").await;
    let b = principal(store, "bob").await;
    let k = store.create_api_key(key_for(a.id, 7)).await.unwrap();
    let err = store.delete_api_key(b.id, k.id).await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    assert_eq!(store.api_key_by_hash(&[7; 32]).await.unwrap(), Some(k.clone()));
    store.delete_api_key(a.id, k.id).await.unwrap();
    assert_eq!(store.api_key_by_hash(&[7; 32]).await.unwrap(), None);
    assert!(store.list_api_keys(a.id).await.unwrap().is_empty());
    assert!(store.delete_api_key(a.id, k.id).await.unwrap_err().is_not_found());
}

pub async fn duplicate_api_key_hash_is_rejected<S: Store>(store: &S) {
    let a = principal(store, "alice").await;
    store.create_api_key(key_for(a.id, 5)).await.unwrap();
    let err = store.create_api_key(key_for(a.id, 5)).await.unwrap_err();
    assert!(matches!(err, StoreError::AlreadyExists { .. }), "{err:?}");
    assert_eq!(store.list_api_keys(a.id).await.unwrap().len(), 1);
}
