//! The shared store: PostgreSQL, for several gateway replicas behind a load
//! balancer writing one trail. Migrations take an advisory lock, so replicas
//! starting together do not race.

use std::time::Duration;

use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;

use super::{AuditError, redact_url};

/// Audit records in PostgreSQL.
#[derive(Debug)]
pub struct PgStore {
    pub(super) pool: PgPool,
    pub(super) describe: String,
}

impl PgStore {
    /// Appends and purges share the pool: the server keeps one page cache
    /// for all connections.
    pub(super) fn writes(&self) -> &PgPool {
        &self.pool
    }

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
