//! Group commit: the audit writes of concurrent operations share one
//! transaction, so one commit (one `fsync` with SQLite's `synchronous=FULL`,
//! one WAL flush with PostgreSQL) makes a whole group durable.
//!
//! Each write still waits for the commit that holds it, so an intent is on
//! disk before its operation is forwarded, exactly as with a commit of its
//! own. A write that arrives while a commit is under way joins the next
//! group; with no concurrency a group is one write, and the latency is that
//! of a lone commit. Measured with `cargo xtask bench gateway` (POST operate,
//! 32 connections): a commit per write held the gateway at about 1.1k
//! operations/s, all of it waiting on the disk.
//!
//! A failed transaction fails every write in it; none is retried alone. A
//! store error is a store error for all of them (the operations are refused
//! with 503, not forwarded), and retrying after an ambiguous commit failure
//! could write an intent twice.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use coc_core::gateway::{AuditRecord, ListAudit};
use tokio::sync::{mpsc, oneshot};

use super::{AuditError, AuditStore, BoxFuture, Write};

/// The most writes in one transaction: bounds a group's commit time (and
/// so the wait of the writes queued behind it).
const MAX_GROUP: usize = 256;

/// Writes waiting for the writer; beyond this, appenders wait their turn.
const QUEUE: usize = 4096;

type Done = oneshot::Sender<Result<Option<i64>, AuditError>>;

/// A store whose appends are grouped into shared transactions by one
/// writer task; reads go straight to the store.
#[derive(Debug)]
pub struct GroupCommit {
    store: Arc<dyn AuditStore>,
    queue: mpsc::Sender<(Write, Done)>,
    commits: Arc<AtomicU64>,
}

impl GroupCommit {
    /// Starts the writer task (on the current Tokio runtime); it ends when
    /// this value is dropped and the queue is drained.
    pub fn new(store: Box<dyn AuditStore>) -> Self {
        let store: Arc<dyn AuditStore> = Arc::from(store);
        let (queue, rx) = mpsc::channel(QUEUE);
        let commits = Arc::new(AtomicU64::new(0));
        tokio::spawn(writer(Arc::clone(&store), rx, Arc::clone(&commits)));
        Self {
            store,
            queue,
            commits,
        }
    }

    /// How many transactions the writer has run so far.
    pub fn commits(&self) -> u64 {
        self.commits.load(Ordering::Relaxed)
    }
}

/// Takes whatever is queued (at least one write, at most [`MAX_GROUP`]),
/// commits it in one transaction and answers each write.
async fn writer(
    store: Arc<dyn AuditStore>,
    mut rx: mpsc::Receiver<(Write, Done)>,
    commits: Arc<AtomicU64>,
) {
    let mut group = Vec::with_capacity(MAX_GROUP);
    while rx.recv_many(&mut group, MAX_GROUP).await > 0 {
        let (writes, done): (Vec<Write>, Vec<Done>) = group.drain(..).unzip();
        let result = store.append_all(&writes).await;
        commits.fetch_add(1, Ordering::Relaxed);
        match result {
            Ok(ids) => {
                for (done, id) in done.into_iter().zip(ids) {
                    // The appender may have gone (its request was dropped);
                    // the record stands either way.
                    let _ = done.send(Ok(id));
                }
            }
            Err(e) => {
                for done in done {
                    let _ = done.send(Err(e.clone()));
                }
            }
        }
    }
}

impl AuditStore for GroupCommit {
    fn append(&self, write: Write) -> BoxFuture<'_, Result<Option<i64>, AuditError>> {
        Box::pin(async move {
            let (done, answer) = oneshot::channel();
            self.queue
                .send((write, done))
                .await
                .map_err(|_| AuditError::stopped())?;
            answer.await.map_err(|_| AuditError::stopped())?
        })
    }

    /// A group the caller made: committed as it is, beside the writer's.
    fn append_all<'a>(
        &'a self,
        writes: &'a [Write],
    ) -> BoxFuture<'a, Result<Vec<Option<i64>>, AuditError>> {
        self.store.append_all(writes)
    }

    fn query<'a>(
        &'a self,
        q: &'a ListAudit,
        limit: u32,
        now_ms: i64,
    ) -> BoxFuture<'a, Result<Vec<AuditRecord>, AuditError>> {
        self.store.query(q, limit, now_ms)
    }

    fn purge_before(&self, ms: i64) -> BoxFuture<'_, Result<u64, AuditError>> {
        self.store.purge_before(ms)
    }

    fn describe(&self) -> String {
        self.store.describe()
    }
}
