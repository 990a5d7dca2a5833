//! The audit stores on real databases: a SQLite file that outlives its
//! gateway and refuses updates, two replicas sharing one PostgreSQL, a
//! store that goes down (operations 503, reads go on), and a gateway killed
//! with SIGKILL between intent and outcome.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

mod common;

use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use coc_core::gateway::{AuditPage, ListAudit, Outcome};
use coc_gateway::audit::{AuditDb, AuditStore as _, Finish, GroupCommit, Intent, Write};
use coc_simulator::{TICKET_BATCH_RUNNING, TICKET_RUNNING};
use common::pg::Postgres;
use common::*;
use serde_json::json;
use tokio::io::{AsyncBufReadExt, BufReader};

async fn terminate(gw: &str, id: &str) -> reqwest::Response {
    operate(&client(), gw, id, "TERMINATE", None, Some("audit test"))
        .send()
        .await
        .unwrap()
}

async fn trail(gw: &str, id: &str) -> AuditPage {
    audit_page(&client(), gw, &format!("execution_id={id}"), None).await
}

fn sqlite(dir: &Path) -> (AuditDb, String) {
    let path = dir.join("audit.sqlite").display().to_string();
    (AuditDb::Sqlite(path.clone()), path)
}

#[tokio::test]
async fn a_sqlite_trail_outlives_its_gateway_and_refuses_updates() {
    let dir = tempfile::tempdir().unwrap();
    let (db, path) = sqlite(dir.path());
    let gw = gateway(manual_sim(db.clone())).await;
    assert_eq!(terminate(&gw.url, TICKET_RUNNING).await.status(), 200);
    gw.stop().await.unwrap();

    let gw = gateway(manual_sim(db)).await;
    let page = trail(&gw.url, TICKET_RUNNING).await;
    assert_eq!(page.records.len(), 1);
    assert_eq!(page.records[0].outcome, Outcome::Succeeded);
    assert_eq!(page.records[0].reason.as_deref(), Some("audit test"));

    // Append-only below the gateway too: the schema refuses an UPDATE.
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{path}"))
        .await
        .unwrap();
    for sql in [
        "UPDATE audit_intents SET operator = 'mallory'",
        "UPDATE audit_outcomes SET outcome = 'failed'",
    ] {
        let err = sqlx::query(sql).execute(&pool).await.unwrap_err();
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
    let wal: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(wal, "wal");
}

#[tokio::test]
async fn replicas_on_one_postgres_share_the_trail_and_a_dead_store_stops_only_operations() {
    let pg = tokio::task::spawn_blocking(Postgres::start).await.unwrap();
    let db = AuditDb::Postgres(pg.url());
    let a = gateway(manual_sim(db.clone())).await;
    let b = gateway(manual_sim(db)).await;
    assert_eq!(terminate(&a.url, TICKET_RUNNING).await.status(), 200);
    assert_eq!(terminate(&b.url, TICKET_BATCH_RUNNING).await.status(), 200);
    // Each replica sees the other's record.
    let from_b = trail(&b.url, TICKET_RUNNING).await;
    assert_eq!(from_b.records.len(), 1);
    assert_eq!(from_b.records[0].outcome, Outcome::Succeeded);
    assert_eq!(trail(&a.url, TICKET_BATCH_RUNNING).await.records.len(), 1);

    // Updates are refused by the schema here as well.
    let pool = sqlx::PgPool::connect(&pg.url()).await.unwrap();
    let err = sqlx::query("UPDATE audit_intents SET operator = 'mallory'")
        .execute(&pool)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
    pool.close().await;

    pg.stop_server();
    let started = Instant::now();
    let r = terminate(&a.url, TICKET_BATCH_RUNNING).await;
    expect_error(r, 503, "GATEWAY.AUDIT_UNAVAILABLE").await;
    eprintln!("503 after {:?} with the store down", started.elapsed());
    let sim = a.simulator.as_ref().unwrap().simulator();
    assert!(
        sim.operations(TICKET_BATCH_RUNNING).is_empty(),
        "an operation was forwarded without an intent record"
    );
    let r = client()
        .get(format!("{}/v1/executions/{TICKET_RUNNING}", a.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "reads stopped with the audit store");

    // Back up: operations go through again without a restart.
    pg.start_server();
    let r = terminate(&a.url, TICKET_BATCH_RUNNING).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
}

/// The binary, killed with SIGKILL while the simulator sits on an
/// operation: the intent was committed before forwarding, so after a
/// restart the record is there, and once it can no longer be in flight
/// its outcome reads unknown.
#[tokio::test]
async fn a_gateway_killed_mid_operation_leaves_an_unknown_record() {
    let dir = tempfile::tempdir().unwrap();
    let (_, path) = sqlite(dir.path());
    let start = || {
        let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_coc-gateway"));
        cmd.args([
            "--port",
            "0",
            "--sim-manual-clock",
            "--sim-latency-ms",
            "20000",
            "--timeout-ms",
            "1000",
            "--log-level",
            "warn",
            "--audit-db",
        ])
        .arg(format!("sqlite://{path}"))
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true);
        async move {
            let mut child = cmd.spawn().unwrap();
            let mut line = String::new();
            BufReader::new(child.stdout.take().unwrap())
                .read_line(&mut line)
                .await
                .unwrap();
            let url = line.split(' ').nth(3).unwrap().to_owned();
            (child, url)
        }
    };
    let (mut child, url) = start().await;
    // Its connection dies with the gateway; only the record matters.
    let in_flight = tokio::spawn({
        let url = url.clone();
        async move {
            let _ = client()
                .post(format!("{url}/v1/executions"))
                .header("x-coc-ops-reason", "audit%20test")
                .json(&json!({"execution_id": TICKET_RUNNING, "operate_type": "TERMINATE"}))
                .send()
                .await;
        }
    });
    // The intent shows as pending while the request is in flight.
    let mut seen = false;
    for _ in 0..100 {
        let page = trail(&url, TICKET_RUNNING).await;
        if let Some(r) = page.records.first() {
            assert_eq!(r.outcome, Outcome::Pending);
            seen = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(seen, "no intent record while the operation was in flight");
    child.start_kill().unwrap();
    let _ = child.wait().await;
    let _ = in_flight.await;

    let (_child, url) = start().await;
    let page = trail(&url, TICKET_RUNNING).await;
    assert_eq!(
        page.records.len(),
        1,
        "the record was lost with the gateway"
    );
    let id = page.records[0].id.clone();
    // Unknown once the in-flight limit (1 s timeout + margin) has passed.
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let page = trail(&url, TICKET_RUNNING).await;
        let r = &page.records[0];
        assert_eq!(r.id, id);
        if r.outcome == Outcome::Unknown {
            assert_eq!(r.http_status, None);
            break;
        }
        assert_eq!(r.outcome, Outcome::Pending);
        assert!(Instant::now() < deadline, "still {:?}", r.outcome);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let unknown = client()
        .get(format!("{url}/gateway/v1/audit?outcome=unknown"))
        .send()
        .await
        .unwrap()
        .json::<AuditPage>()
        .await
        .unwrap();
    assert_eq!(unknown.records.len(), 1);
}

/// An intent as the gateway writes it, for the store-level tests.
fn intent(at_ms: i64, operator: &str) -> Intent {
    Intent {
        at_ms,
        deadline_ms: at_ms + 1,
        operator: operator.into(),
        email: None,
        roles: vec!["operator".into()],
        source: "127.0.0.1".into(),
        user_agent: None,
        execution_id: Some("EX1".into()),
        document_id: None,
        operation: "RESUME".into(),
        reason: None,
        request_id: format!("r{at_ms}"),
        gateway: "test".into(),
    }
}

fn succeeded(finished_ms: i64) -> Finish {
    Finish {
        outcome: Outcome::Succeeded,
        http_status: Some(200),
        error_code: None,
        error_msg: None,
        upstream_request_id: None,
        new_execution_id: None,
        latency_ms: Some(1),
        finished_ms,
    }
}

/// Retention removes old records (their outcomes with them) and nothing
/// newer, on both stores.
#[tokio::test]
async fn retention_purges_only_records_older_than_the_cut() {
    let dir = tempfile::tempdir().unwrap();
    let pg = tokio::task::spawn_blocking(Postgres::start).await.unwrap();
    for db in [sqlite(dir.path()).0, AuditDb::Postgres(pg.url())] {
        let store = db.open().await.unwrap();
        for at_ms in [1_000, 2_000, 3_000] {
            let id = store.append_intent(&intent(at_ms, "ret")).await.unwrap();
            store
                .append_outcome(id, &succeeded(at_ms + 1))
                .await
                .unwrap();
        }
        assert_eq!(store.purge_before(2_500).await.unwrap(), 2, "{db:?}");
        let left = store
            .query(&ListAudit::default(), 10, 10_000)
            .await
            .unwrap();
        let left: Vec<(i64, Outcome)> = left.iter().map(|r| (r.at, r.outcome)).collect();
        assert_eq!(left, [(3_000, Outcome::Succeeded)], "{db:?}");
    }
}

/// Operations arriving together share commits (the writer groups what is
/// queued), every record lands with its outcome, and a group is all or
/// none: one bad write rolls back the others in its transaction.
#[tokio::test]
async fn concurrent_appends_share_commits_and_a_group_is_all_or_none() {
    const N: i64 = 64;
    let dir = tempfile::tempdir().unwrap();
    let pg = tokio::task::spawn_blocking(Postgres::start).await.unwrap();
    for db in [sqlite(dir.path()).0, AuditDb::Postgres(pg.url())] {
        let store = Arc::new(GroupCommit::new(db.open_store().await.unwrap()));
        let tasks: Vec<_> = (0..N)
            .map(|i| {
                let store = Arc::clone(&store);
                tokio::spawn(async move {
                    let id = store.append_intent(&intent(i, "group")).await.unwrap();
                    // Marked with its intent's time: an id handed to the
                    // wrong appender would pair them wrongly.
                    let mark = Finish {
                        latency_ms: Some(i as u64),
                        ..succeeded(i + 1)
                    };
                    store.append_outcome(id, &mark).await.unwrap();
                    id
                })
            })
            .collect();
        let mut ids = Vec::new();
        for t in tasks {
            ids.push(t.await.unwrap());
        }
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), N as usize, "{db:?}: ids {ids:?}");
        let commits = store.commits();
        assert!(
            commits < 2 * N as u64,
            "{db:?}: {commits} commits for {} appends: nothing was grouped",
            2 * N
        );
        let everyone = ListAudit {
            operator: Some("group".into()),
            ..ListAudit::default()
        };
        let records = store.query(&everyone, 100, 0).await.unwrap();
        assert_eq!(records.len(), N as usize, "{db:?}");
        assert!(
            records
                .iter()
                .all(|r| r.outcome == Outcome::Succeeded && r.latency_ms == Some(r.at as u64)),
            "{db:?}: an outcome on another's intent: {records:?}"
        );

        // A second outcome for a record is refused (one per intent), and
        // the new intent beside it in the same group is not written.
        let err = store
            .append_all(&[
                Write::Intent(intent(N, "group")),
                Write::Outcome(ids[0], succeeded(N)),
            ])
            .await;
        assert!(err.is_err(), "{db:?}: a second outcome was accepted");
        let records = store.query(&everyone, 100, 0).await.unwrap();
        assert_eq!(records.len(), N as usize, "{db:?}: half a group was kept");
        eprintln!("{db:?}: {} appends in {commits} commits", 2 * N);
    }
}
