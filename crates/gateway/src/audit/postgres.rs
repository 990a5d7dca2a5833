//! The shared store: PostgreSQL, for several gateway replicas behind a load
//! balancer writing one trail. Migrations take an advisory lock, so replicas
//! starting together do not race.

use std::time::Duration;

use coc_core::gateway::{AuditRecord, ListAudit};
use sqlx::postgres::PgPoolOptions;
use sqlx::{PgPool, Row as _};

use super::{AuditError, AuditStore, BoxFuture, Finish, Intent, Row, redact_url};

/// Audit records in PostgreSQL.
#[derive(Debug)]
pub struct PgStore {
    pool: PgPool,
    describe: String,
}

impl PgStore {
    /// Connects to `url` and brings the schema up to date.
    pub async fn open(url: &str) -> Result<Self, AuditError> {
        let pool = PgPoolOptions::new()
            .max_connections(8)
            // An unreachable server must turn into a quick 503 for the
            // operator, not a request that hangs.
            .acquire_timeout(Duration::from_secs(3))
            .connect(url)
            .await
            .map_err(|e| AuditError(format!("cannot connect to {}: {e}", redact_url(url))))?;
        sqlx::migrate!("migrations/postgres").run(&pool).await?;
        Ok(Self {
            pool,
            describe: format!("postgres {}", redact_url(url)),
        })
    }
}

impl AuditStore for PgStore {
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
                "DELETE FROM audit_outcomes WHERE intent_id IN (SELECT id FROM audit_intents WHERE at_ms < $1)",
            )
            .bind(ms)
            .execute(&mut *tx)
            .await?;
            let n = sqlx::query("DELETE FROM audit_intents WHERE at_ms < $1")
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
