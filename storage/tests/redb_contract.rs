//! The redb engine against the shared contract, plus what only a file-backed engine has:
//! reopening, schema versions, damaged files and crashes in the middle of a commit.
//!
//! The crash test re-runs this very test binary as a child process (a test that does
//! nothing unless an environment variable names its data directory), lets it commit
//! invitation batches in a loop, and kills it with SIGKILL at a random moment. The parent
//! then reopens the store and checks that every batch is all-or-nothing.

use calinvite_storage::*;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;
use tempfile::TempDir;

async fn fresh_store() -> (RedbStore, TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = RedbStore::open(&dir.path().join("store.redb")).unwrap();
    (store, dir)
}

calinvite_storage::store_contract_tests!(fresh_store);

fn new_principal(name: &str) -> NewPrincipal {
    NewPrincipal {
        name: name.into(),
        display_name: name.into(),
        emails: vec![format!("{name}@example.com")],
        role: Role::Organizer,
        password_hash: "h".into(),
    }
}

#[tokio::test]
async fn reopened_store_keeps_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/dir/store.redb");
    let (id, etag) = {
        let store = RedbStore::open(&path).unwrap();
        let p = store.create_principal(new_principal("alice")).await.unwrap();
        let c = store
            .create_collection(NewCollection {
                owner: p.id,
                path: "cal".into(),
                kind: CollectionKind::Calendar,
                props: Properties::new(),
            })
            .await
            .unwrap();
        let write = ObjectWrite {
            body: b"BEGIN:VCALENDAR".to_vec(),
            content_type: "text/calendar".into(),
            uid: Some("u".into()),
            component: Some("VEVENT".into()),
            time_range: None,
        };
        let (out, _) = store
            .put_object(c.id, "e.ics", write, Precondition::None, Effects::default())
            .await
            .unwrap();
        (c.id, out.etag)
    };
    let store = RedbStore::open(&path).unwrap();
    assert_eq!(store.path(), path.as_path());
    let p = store.principal_by_name("alice").await.unwrap().unwrap();
    assert_eq!(p.emails, vec!["alice@example.com".to_string()]);
    let obj = store.object(id, "e.ics").await.unwrap().unwrap();
    assert_eq!(obj.meta.etag, etag);
    assert_eq!(store.collection(id).await.unwrap().unwrap().sync_seq, 1);
    // Counters survive too: the next principal gets a new id.
    let q = store.create_principal(new_principal("bob")).await.unwrap();
    assert_ne!(q.id, p.id);
}

#[test]
fn store_with_a_newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.redb");
    drop(RedbStore::open(&path).unwrap());
    {
        let db = redb::Database::create(&path).unwrap();
        let tx = db.begin_write().unwrap();
        {
            let mut meta = tx.open_table(redb::TableDefinition::<&str, u32>::new("meta")).unwrap();
            meta.insert("schema_version", 99).unwrap();
        }
        tx.commit().unwrap();
    }
    match RedbStore::open(&path).unwrap_err() {
        StoreError::NewerSchema {
            path: shown,
            found,
            supported,
        } => {
            assert_eq!(found, 99);
            assert_eq!(supported, SCHEMA_VERSION);
            assert_eq!(shown, path.display().to_string());
        }
        other => panic!("expected NewerSchema, got {other:?}"),
    }
}

#[tokio::test]
async fn store_of_schema_version_1_opens_and_gains_the_webhook_tables() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.redb");
    {
        let store = RedbStore::open(&path).unwrap();
        store.create_principal(new_principal("alice")).await.unwrap();
    }
    // What version 1 wrote: the same file without the webhook tables.
    {
        let db = redb::Database::create(&path).unwrap();
        let tx = db.begin_write().unwrap();
        assert!(
            tx.delete_table(redb::TableDefinition::<u64, &[u8]>::new("webhooks"))
                .unwrap()
        );
        for table in ["webhooks_by_owner", "webhook_jobs"] {
            assert!(
                tx.delete_table(redb::TableDefinition::<(u64, u64), ()>::new(table))
                    .unwrap()
            );
        }
        tx.open_table(redb::TableDefinition::<&str, u32>::new("meta"))
            .unwrap()
            .insert("schema_version", 1)
            .unwrap();
        tx.commit().unwrap();
    }
    let store = RedbStore::open(&path).unwrap();
    let alice = store.principal_by_name("alice").await.unwrap().unwrap();
    assert!(store.list_webhooks(alice.id).await.unwrap().is_empty());
    let hook = store
        .create_webhook(NewWebhook {
            owner: alice.id,
            url: "https://a.example/".into(),
            events: vec!["*".into()],
            secret: "whsec_eA==".into(),
        })
        .await
        .unwrap();
    assert_eq!(store.list_webhooks(alice.id).await.unwrap(), vec![hook]);
    drop(store);
    let db = redb::Database::open(&path).unwrap();
    let tx = redb::ReadableDatabase::begin_read(&db).unwrap();
    let meta = tx.open_table(redb::TableDefinition::<&str, u32>::new("meta")).unwrap();
    assert_eq!(meta.get("schema_version").unwrap().unwrap().value(), SCHEMA_VERSION);
}

#[test]
fn garbage_file_is_reported_as_corrupt() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.redb");
    std::fs::write(
        &path,
        b"this is not a database, just some text that is long enough to look like a header".repeat(100),
    )
    .unwrap();
    match RedbStore::open(&path).unwrap_err() {
        StoreError::Corrupt { path: shown, reason } => {
            assert_eq!(shown, path.display().to_string());
            assert!(!reason.is_empty());
        }
        other => panic!("expected Corrupt, got {other:?}"),
    }
}

#[test]
fn foreign_redb_database_is_reported_as_corrupt() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.redb");
    {
        let db = redb::Database::create(&path).unwrap();
        let tx = db.begin_write().unwrap();
        tx.open_table(redb::TableDefinition::<u64, u64>::new("something_else"))
            .unwrap()
            .insert(1, 2)
            .unwrap();
        tx.commit().unwrap();
    }
    assert!(matches!(
        RedbStore::open(&path).unwrap_err(),
        StoreError::Corrupt { .. }
    ));
}

#[test]
fn directory_in_place_of_the_file_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let err = RedbStore::open(dir.path()).unwrap_err();
    assert!(
        matches!(err, StoreError::Engine(_) | StoreError::Corrupt { .. }),
        "{err:?}"
    );
}

// ----- crash in the middle of a transaction -------------------------------------------

const CRASH_DIR_VAR: &str = "CALINVITE_CRASH_TEST_DIR";
const CRASH_RUN_VAR: &str = "CALINVITE_CRASH_TEST_RUN";
const BATCH: usize = 2000;
const FIRST: usize = 100;

fn email(run: u32, batch: usize, n: usize) -> String {
    format!("r{run}-b{batch}-{n}@example.com")
}

async fn crash_fixture(store: &RedbStore, run: u32) -> (PrincipalId, EventId) {
    let owner = match store.principal_by_name("crash").await.unwrap() {
        Some(p) => p.id,
        None => store.create_principal(new_principal("crash")).await.unwrap().id,
    };
    let uid = format!("crash-{run}");
    let ev = store
        .upsert_event(EventUpsert::at(owner, &uid, CollectionId(0), &format!("{uid}.ics")))
        .await
        .unwrap();
    (owner, ev.id)
}

fn crash_request(event: EventId, run: u32, batch: usize, count: usize) -> InvitationRequest {
    InvitationRequest {
        event,
        idempotency_key: Some(format!("run{run}-batch{batch}")),
        recipients: (0..count)
            .map(|n| NewRecipient {
                email: email(run, batch, n),
                name: None,
                lang: None,
            })
            .collect(),
        method: "REQUEST".into(),
        sequence: 0,
        queue: format!("crash-{run}"),
        due_at: 0,
    }
}

/// The child side: does nothing unless the parent set the variables.
#[test]
fn crash_child() {
    let (Ok(dir), Ok(run)) = (std::env::var(CRASH_DIR_VAR), std::env::var(CRASH_RUN_VAR)) else {
        return;
    };
    let run: u32 = run.parse().unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let store = RedbStore::open(&Path::new(&dir).join("store.redb")).unwrap();
        let (owner, event) = crash_fixture(&store, run).await;
        store.invite(owner, crash_request(event, run, 0, FIRST)).await.unwrap();
        println!("ready");
        // Bounded, so that a child whose parent died does not write forever.
        for batch in 1..=500 {
            store
                .invite(owner, crash_request(event, run, batch, BATCH))
                .await
                .unwrap();
            println!("committed {batch}");
        }
    });
}

/// Kills the child if the parent fails before killing it on purpose.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn run_and_kill(dir: &Path, run: u32) -> Vec<usize> {
    use rand::Rng;
    let child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "crash_child",
            "--nocapture",
            "--include-ignored",
            "--test-threads",
            "1",
        ])
        .env(CRASH_DIR_VAR, dir)
        .env(CRASH_RUN_VAR, run.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut child = KillOnDrop(child);
    let stdout = child.0.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut lines = Vec::new();
    loop {
        let line = rx
            .recv_timeout(Duration::from_secs(120))
            .expect("the child never became ready");
        // The test harness prints "test crash_child ... " on the same line.
        let ready = line.ends_with("ready");
        lines.push(line);
        if ready {
            break;
        }
    }
    // Let a few batches commit (a debug build takes about half a second per batch), then
    // kill at a random moment, most likely in the middle of the next one.
    let wait_for = rand::thread_rng().gen_range(0..=3);
    let mut seen = 0;
    while seen < wait_for {
        let line = rx
            .recv_timeout(Duration::from_secs(120))
            .expect("the child stopped committing");
        seen += usize::from(line.starts_with("committed "));
        lines.push(line);
    }
    std::thread::sleep(Duration::from_millis(rand::thread_rng().gen_range(50..400)));
    // SIGKILL on Unix: no destructor, no flush, no clean shutdown of the database.
    child.0.kill().unwrap();
    child.0.wait().unwrap();
    reader.join().unwrap();
    lines.extend(rx.try_iter());
    lines
        .iter()
        .filter_map(|l| l.strip_prefix("committed "))
        .map(|n| n.parse().unwrap())
        .collect()
}

async fn present_in_batch(store: &RedbStore, event: EventId, run: u32, batch: usize, count: usize) -> usize {
    let mut present = 0;
    for n in 0..count {
        if store.recipient(event, &email(run, batch, n)).await.unwrap().is_some() {
            present += 1;
        }
    }
    present
}

#[tokio::test(flavor = "multi_thread")]
async fn killed_writer_leaves_every_batch_whole_or_absent() {
    let dir = tempfile::tempdir().unwrap();
    let path: PathBuf = dir.path().join("store.redb");
    let mut batches_seen = 0;
    for run in 0..5u32 {
        let dir_path = dir.path().to_path_buf();
        let committed = tokio::task::spawn_blocking(move || run_and_kill(&dir_path, run))
            .await
            .unwrap();
        let store = RedbStore::open(&path).expect("the store must open cleanly after a kill");
        let (owner, event) = crash_fixture(&store, run).await;
        assert_eq!(present_in_batch(&store, event, run, 0, FIRST).await, FIRST);
        for (i, batch) in committed.iter().enumerate() {
            assert_eq!(*batch, i + 1, "batches are reported in order");
            assert_eq!(
                present_in_batch(&store, event, run, *batch, BATCH).await,
                BATCH,
                "run {run}: committed batch {batch} is incomplete"
            );
        }
        // The batch in flight when the child died is all there or not there at all.
        let in_flight = committed.len() + 1;
        let present = present_in_batch(&store, event, run, in_flight, BATCH).await;
        assert!(
            present == 0 || present == BATCH,
            "run {run}: batch {in_flight} is torn: {present} of {BATCH}"
        );
        let whole = committed.len() + usize::from(present == BATCH);
        assert_eq!(present_in_batch(&store, event, run, whole + 1, BATCH).await, 0);
        // Jobs and counters match the recipients exactly.
        let expected = (FIRST + whole * BATCH) as u64;
        assert_eq!(store.pending_jobs(&format!("crash-{run}")).await.unwrap(), expected);
        assert_eq!(
            store.count_recipients(event).await.unwrap(),
            vec![(PartStat::NeedsAction, expected)]
        );
        // A committed batch replays from its idempotency key.
        if let Some(last) = committed.last() {
            let replay = store
                .invite(owner, crash_request(event, run, *last, BATCH))
                .await
                .unwrap();
            assert!(replay.replayed);
            assert_eq!(replay.batch.queued, BATCH as u64);
        }
        batches_seen += whole;
        drop(store);
    }
    eprintln!("crash test: {batches_seen} whole batches across 5 kills");
}

// ----- scale ----------------------------------------------------------------------------

/// Run with `--ignored` (ideally `--release`): one invite of 100,000 recipients, then
/// 5,000 object writes, timing both. Checks the counts, so a regression still fails it.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "slow: a scale check, run on demand"]
async fn hundred_thousand_recipients_fit_in_one_invite() {
    let (store, _dir) = fresh_store().await;
    let owner = store.create_principal(new_principal("big")).await.unwrap().id;
    let cal = store
        .create_collection(NewCollection {
            owner,
            path: "cal".into(),
            kind: CollectionKind::Calendar,
            props: Properties::new(),
        })
        .await
        .unwrap();
    let event = store
        .upsert_event(EventUpsert::at(owner, "big", cal.id, "big.ics"))
        .await
        .unwrap()
        .id;
    let mut request = crash_request(event, 0, 1, 100_000);
    request.queue = "mail".into();
    let started = std::time::Instant::now();
    let out = store.invite(owner, request).await.unwrap();
    eprintln!("invite of 100000 recipients: {:?}", started.elapsed());
    assert_eq!(out.batch.queued, 100_000);
    assert_eq!(store.pending_jobs("mail").await.unwrap(), 100_000);

    let started = std::time::Instant::now();
    for i in 0..5_000i64 {
        let write = ObjectWrite {
            body: format!("BEGIN:VCALENDAR {i}").into_bytes(),
            content_type: "text/calendar".into(),
            uid: Some(format!("uid-{i}")),
            component: Some("VEVENT".into()),
            time_range: Some(TimeRange {
                start: i * 3600,
                end: Some(i * 3600 + 1800),
            }),
        };
        store
            .put_object(
                cal.id,
                &format!("e{i}.ics"),
                write,
                Precondition::None,
                Effects::default(),
            )
            .await
            .unwrap();
    }
    eprintln!("5000 sequential put_object: {:?}", started.elapsed());
    let started = std::time::Instant::now();
    assert_eq!(store.list_objects(cal.id).await.unwrap().len(), 5_000);
    assert_eq!(
        store
            .objects_in_range(cal.id, 100 * 3600, 110 * 3600)
            .await
            .unwrap()
            .len(),
        10
    );
    eprintln!("list + range query: {:?}", started.elapsed());
}
