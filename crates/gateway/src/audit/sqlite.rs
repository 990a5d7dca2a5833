//! The embedded store: one SQLite file, created with its schema on first
//! start.

use std::str::FromStr as _;
use std::time::Duration;

use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use super::AuditError;

/// Audit records in a SQLite file (WAL, `synchronous=FULL`).
#[derive(Debug)]
pub struct SqliteStore {
    pub(super) pool: SqlitePool,
    pub(super) describe: String,
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
