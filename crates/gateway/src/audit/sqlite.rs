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
    /// One connection for every append and purge. SQLite takes one writer
    /// at a time anyway, and a connection whose file another connection
    /// wrote since its last use starts over with a cold page cache: with
    /// the writes spread over the pool, each audit commit re-read about 18
    /// pages (`perf stat`, POST operate under `wrk -c32`: 87k `pread`s in
    /// 4 s, 4.4k with one writer). They came from the OS's cache, so the
    /// rate of operations did not change measurably.
    writes: SqlitePool,
    pub(super) describe: String,
}

/// Connections for queries, beside the one writer: WAL lets them read
/// while it commits.
const READERS: u32 = 3;

impl SqliteStore {
    /// The one connection appends and purges go through.
    pub(super) fn writes(&self) -> &SqlitePool {
        &self.writes
    }

    /// Opens (or creates) `path`; `None` is an in-memory database.
    pub async fn open(path: Option<&str>) -> Result<Self, AuditError> {
        let (options, describe) = match path {
            Some(path) => (
                SqliteConnectOptions::from_str(&format!("sqlite://{path}"))?
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    // FULL: a commit is on disk before the operation is
                    // forwarded, even across a power cut, not only a crash.
                    .synchronous(SqliteSynchronous::Full),
                format!("sqlite file {path}"),
            ),
            None => (
                SqliteConnectOptions::from_str("sqlite::memory:")?,
                "sqlite in memory (lost on exit)".to_owned(),
            ),
        };
        let options = options.busy_timeout(Duration::from_secs(5));
        let pool = |max| {
            SqlitePoolOptions::new()
                .max_connections(max)
                // A file on this host does not go stale between uses: the
                // ping sqlx sends by default is one more round trip to the
                // connection's thread before every audit commit.
                .test_before_acquire(false)
                .acquire_timeout(Duration::from_secs(5))
        };
        let writes = pool(1).connect_with(options.clone()).await?;
        sqlx::migrate!("migrations/sqlite").run(&writes).await?;
        // In memory, the readers share the writer's one connection: each
        // in-memory connection is its own, empty database.
        let pool = match path {
            Some(_) => pool(READERS).connect_with(options).await?,
            None => writes.clone(),
        };
        Ok(Self {
            pool,
            writes,
            describe,
        })
    }
}
