//! What the audit trail costs, measured (never asserted): the two commits
//! an audited operation adds, an audited POST next to an unaudited GET
//! through the same gateway, and reading a ticket's trail when it has
//! 10,000 records. SQLite on a real file and a throwaway PostgreSQL.
//!
//! `cargo bench -p coc-gateway --bench audit` (`cargo xtask bench` runs it).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

#[allow(dead_code)]
#[path = "../tests/common/pg.rs"]
mod pg;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use coc_core::gateway::Outcome;
use coc_gateway::audit::{AuditDb, AuditStore, Finish, GroupCommit, Intent};
use coc_gateway::{Config, SimSettings, UpstreamChoice};

const TICKET: &str = "EX2025070110223402c4d6e8";
const BULK_TICKET: &str = "EX2099010100000000bench0";

fn intent(i: i64, ticket: &str) -> Intent {
    Intent {
        at_ms: 1_750_000_000_000 + i,
        deadline_ms: 1_750_000_035_000 + i,
        operator: "bench".into(),
        email: None,
        roles: vec!["operator".into()],
        source: "127.0.0.1".into(),
        user_agent: Some("bench".into()),
        execution_id: Some(ticket.into()),
        document_id: None,
        operation: "RESUME".into(),
        reason: Some("benchmark".into()),
        request_id: format!("req-{i}"),
        gateway: "bench".into(),
    }
}

fn finish() -> Finish {
    Finish {
        outcome: Outcome::Succeeded,
        http_status: Some(200),
        error_code: None,
        error_msg: None,
        upstream_request_id: Some("up".into()),
        new_execution_id: None,
        latency_ms: Some(1),
        finished_ms: 1_750_000_000_001,
    }
}

fn pcts(mut v: Vec<Duration>) -> (f64, f64) {
    v.sort();
    let at = |p: f64| v[((v.len() as f64 - 1.0) * p) as usize].as_secs_f64() * 1e3;
    (at(0.5), at(0.99))
}

async fn timed<F, Fut>(n: usize, mut f: F) -> (f64, f64)
where
    F: FnMut(usize) -> Fut,
    Fut: Future<Output = ()>,
{
    let mut times = Vec::with_capacity(n);
    for i in 0..n {
        let t = Instant::now();
        f(i).await;
        times.push(t.elapsed());
    }
    pcts(times)
}

async fn bench(name: &str, db: AuditDb) {
    // 1. The store alone: one intent and one outcome, each committed.
    let store = db.open().await.unwrap();
    let (p50, p99) = timed(300, |i| {
        let store = &store;
        async move {
            let id = store
                .append_intent(&intent(i as i64, "EX2099010100000000store0"))
                .await
                .unwrap();
            store.append_outcome(id, &finish()).await.unwrap();
        }
    })
    .await;
    println!("{name}: intent + outcome commits, 300 operations: p50 {p50:.2} ms, p99 {p99:.2} ms");

    // 1b. 32 operations at a time, each its own commits against the
    // group commit the gateway uses.
    let bare: Arc<dyn AuditStore> = Arc::from(db.open_store().await.unwrap());
    let grouped: Arc<dyn AuditStore> = Arc::new(GroupCommit::new(db.open_store().await.unwrap()));
    let alone = concurrent(bare, 32, 3_200).await;
    let shared = concurrent(grouped, 32, 3_200).await;
    println!(
        "{name}: 32 operations at a time (3,200, intent + outcome each): {alone:.0} operations/s with a commit per write, {shared:.0} with group commit ({:.1}x)",
        shared / alone
    );

    // 2. Through a gateway: an audited POST next to an unaudited GET.
    let gw = coc_gateway::spawn(&Config {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        upstream: UpstreamChoice::Simulator(SimSettings {
            manual_clock: true,
            ..SimSettings::default()
        }),
        require_reason: Vec::new(),
        audit_db: db.clone(),
        ..Config::default()
    })
    .await
    .unwrap();
    coc_gateway::install_crypto_provider();
    let c = reqwest::Client::builder().no_proxy().build().unwrap();
    let get_url = format!("{}/v1/executions/{TICKET}", gw.url);
    let post_url = format!("{}/v1/executions", gw.url);
    let (g50, g99) = timed(300, |_| {
        let (c, u) = (&c, &get_url);
        async move {
            c.get(u).send().await.unwrap().bytes().await.unwrap();
        }
    })
    .await;
    // RESUME of a running ticket: the simulator refuses it (400), so every
    // request takes the same path; the gateway audits each one.
    let (o50, o99) = timed(300, |_| {
        let (c, u) = (&c, &post_url);
        async move {
            c.post(u)
                .json(&serde_json::json!({"execution_id": TICKET, "operate_type": "RESUME"}))
                .send()
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap();
        }
    })
    .await;
    println!(
        "{name}: through the gateway (keep-alive, 300 each): GET ticket p50 {g50:.2} / p99 {g99:.2} ms; audited POST p50 {o50:.2} / p99 {o99:.2} ms; added p50 {:.2} ms",
        o50 - g50
    );

    // 3. A ticket with 10,000 records, written in one transaction.
    let t = Instant::now();
    bulk(&db).await;
    println!(
        "{name}: 10,000 records for one ticket written in {:.2} s (one transaction)",
        t.elapsed().as_secs_f64()
    );
    let page_url = format!("{}/gateway/v1/audit?execution_id={BULK_TICKET}", gw.url);
    let (a50, a99) = timed(100, |_| {
        let (c, u) = (&c, &page_url);
        async move {
            c.get(u).send().await.unwrap().bytes().await.unwrap();
        }
    })
    .await;
    let big_url = format!("{page_url}&limit=500");
    let (b50, b99) = timed(50, |_| {
        let (c, u) = (&c, &big_url);
        async move {
            c.get(u).send().await.unwrap().bytes().await.unwrap();
        }
    })
    .await;
    let jsonl = format!(
        "{}/gateway/v1/audit.jsonl?execution_id={BULK_TICKET}",
        gw.url
    );
    let t = Instant::now();
    let body = c.get(&jsonl).send().await.unwrap().text().await.unwrap();
    let lines = body.lines().count();
    println!(
        "{name}: audit read of a ticket with {lines} records: first page of 50 p50 {a50:.2} / p99 {a99:.2} ms; page of 500 p50 {b50:.2} / p99 {b99:.2} ms; whole trail as JSON lines {:.0} ms ({:.1} MB)",
        t.elapsed().as_secs_f64() * 1e3,
        body.len() as f64 / 1e6
    );
}

/// Operations per second of `total` intent + outcome pairs, `width` at a
/// time.
async fn concurrent(store: Arc<dyn AuditStore>, width: usize, total: usize) -> f64 {
    let t = Instant::now();
    let tasks: Vec<_> = (0..width)
        .map(|w| {
            let store = Arc::clone(&store);
            tokio::spawn(async move {
                for i in (w..total).step_by(width) {
                    let id = store
                        .append_intent(&intent(i as i64, "EX2099010100000000group0"))
                        .await
                        .unwrap();
                    store.append_outcome(id, &finish()).await.unwrap();
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    total as f64 / t.elapsed().as_secs_f64()
}

/// 10,000 intents for one ticket, every other one with an outcome.
async fn bulk(db: &AuditDb) {
    const INTENT: &str = "INSERT INTO audit_intents (at_ms, deadline_ms, operator, roles, source, execution_id, operation, reason, request_id, gateway) \
         VALUES ($1, $2, 'bench', 'operator', '127.0.0.1', $3, 'RESUME', 'benchmark', $4, 'bench') RETURNING id";
    const OUTCOME: &str = "INSERT INTO audit_outcomes (intent_id, outcome, http_status, finished_ms) VALUES ($1, 'succeeded', 200, $2)";
    macro_rules! fill {
        ($pool:expr) => {{
            let pool = $pool;
            let mut tx = pool.begin().await.unwrap();
            for i in 0..10_000_i64 {
                let id: i64 = sqlx::query_scalar(INTENT)
                    .bind(1_750_000_000_000 + i)
                    .bind(1_750_000_035_000 + i)
                    .bind(BULK_TICKET)
                    .bind(format!("bulk-{i}"))
                    .fetch_one(&mut *tx)
                    .await
                    .unwrap();
                if i % 2 == 0 {
                    sqlx::query(OUTCOME)
                        .bind(id)
                        .bind(1_750_000_000_001 + i)
                        .execute(&mut *tx)
                        .await
                        .unwrap();
                }
            }
            tx.commit().await.unwrap();
        }};
    }
    match db {
        // SQLite takes $N placeholders as well.
        AuditDb::Sqlite(path) => fill!(
            sqlx::SqlitePool::connect(&format!("sqlite://{path}"))
                .await
                .unwrap()
        ),
        AuditDb::Postgres(url) => fill!(sqlx::PgPool::connect(url).await.unwrap()),
        AuditDb::Memory => unreachable!("the bench uses real databases"),
    }
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("audit.sqlite").display().to_string();
        bench(
            "sqlite (file, WAL, synchronous=FULL)",
            AuditDb::Sqlite(file),
        )
        .await;
        let pg = tokio::task::spawn_blocking(pg::Postgres::start_durable)
            .await
            .unwrap();
        bench("postgres (loopback, fsync on)", AuditDb::Postgres(pg.url())).await;
    });
}
