//! The embedded store: one SQLite file, created with its schema on first
//! start.

use std::str::FromStr as _;
use std::time::Duration;

use coc_core::gateway::{AuditRecord, ListAudit};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row as _, SqlitePool};

use super::{AuditError, AuditStore, BoxFuture, Finish, Intent, Row};

/// Audit records in a SQLite file (WAL, `synchronous=FULL`).
#[derive(Debug)]
pub struct SqliteStore {
    pool: SqlitePool,
    describe: String,
}

impl SqliteStore {
    /// Opens (or creates) `path`; `None` is an in-memory database.
    pub async fn open(path: Option<&str>) -> Result<Self, AuditError> {
        let (options, max, describe) = match path {
            Some(path) => (
                SqliteConnectOptions::from_str(&format!("sqlite://{path}"))?
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    // FULL: a commit is on disk before the operation is
                    // forwarded, even across a power cut, not only a crash.
                    .synchronous(SqliteSynchronous::Full),
                4,
                format!("sqlite file {path}"),
            ),
            // One connection: each in-memory connection is its own database.
            None => (
                SqliteConnectOptions::from_str("sqlite::memory:")?,
                1,
                "sqlite in memory (lost on exit)".to_owned(),
            ),
        };
        let pool = SqlitePoolOptions::new()
            .max_connections(max)
            .acquire_timeout(Duration::from_secs(5))
            .connect_with(options.busy_timeout(Duration::from_secs(5)))
            .await?;
        sqlx::migrate!("migrations/sqlite").run(&pool).await?;
        Ok(Self { pool, describe })
    }
}

impl AuditStore for SqliteStore {
    fn append_intent<'a>(&'a self, intent: &'a Intent) -> BoxFuture<'a, Result<i64, AuditError>> {
        Box::pin(async move {
            let row = super::insert_intent(intent)
                .build()
                .fetch_one(&self.pool)
                .await?;
            Ok(row.try_get::<i64, _>(0)?)
        })
    }

    fn append_outcome<'a>(
        &'a self,
        id: i64,
        finish: &'a Finish,
    ) -> BoxFuture<'a, Result<(), AuditError>> {
        Box::pin(async move {
            super::insert_outcome(id, finish)
                .build()
                .execute(&self.pool)
                .await?;
            Ok(())
        })
    }

    fn query<'a>(
        &'a self,
        q: &'a ListAudit,
        limit: u32,
        now_ms: i64,
    ) -> BoxFuture<'a, Result<Vec<AuditRecord>, AuditError>> {
        Box::pin(async move {
            let rows: Vec<Row> = super::select(q, limit, now_ms)
                .build_query_as()
                .fetch_all(&self.pool)
                .await?;
            Ok(rows.into_iter().map(|r| r.into_record(now_ms)).collect())
        })
    }

    fn purge_before(&self, ms: i64) -> BoxFuture<'_, Result<u64, AuditError>> {
        Box::pin(async move {
            let mut tx = self.pool.begin().await?;
            sqlx::query(
                "DELETE FROM audit_outcomes WHERE intent_id IN (SELECT id FROM audit_intents WHERE at_ms < ?)",
            )
            .bind(ms)
            .execute(&mut *tx)
            .await?;
            let n = sqlx::query("DELETE FROM audit_intents WHERE at_ms < ?")
                .bind(ms)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            tx.commit().await?;
            Ok(n)
        })
    }

    fn describe(&self) -> String {
        self.describe.clone()
    }
}
