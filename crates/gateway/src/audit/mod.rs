//! The audit trail: one record per operation attempt (OperateExecution and
//! ExecuteDocument), permitted or refused.
//!
//! A record is an *intent*, appended and committed before the request is
//! forwarded, and at most one *outcome*, appended after the answer. Nothing
//! is updated in place (the schema's triggers refuse it); only retention
//! deletes. An intent without an outcome is `pending` until its deadline
//! (arrival plus the gateway's total upstream timeout) and `unknown` after
//! it: a gateway killed in between leaves exactly that, and nothing has to
//! run at start to "repair" it, which also holds with several replicas.
//!
//! Appends go through [`GroupCommit`], which lets concurrent operations
//! share a commit (see `group.rs`). Two stores behind one trait, [`AuditStore`]: [`SqliteStore`] (an
//! embedded file, WAL, `synchronous=FULL`: an intent that was answered as
//! committed survives a power cut) and [`PgStore`] (shared by replicas).
//! Queries are built with sqlx's `QueryBuilder`, so the filter code is one
//! function for both.
//!
//! Secrets never enter a record: the intent holds the operator's name,
//! e-mail and roles, never a token (not even hashed), and no header but the
//! user agent.

mod group;
mod postgres;
mod sqlite;

use std::future::Future;
use std::pin::Pin;

use coc_core::gateway::{AuditRecord, ListAudit, Outcome};
use sqlx::{Database, Encode, QueryBuilder, Type};

pub use group::GroupCommit;
pub use postgres::PgStore;
pub use sqlite::SqliteStore;

/// A boxed future, for a trait that is used as `dyn`.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The store could not be used.
#[derive(Debug, Clone, thiserror::Error)]
#[error("audit store: {0}")]
pub struct AuditError(String);

impl AuditError {
    fn stopped() -> Self {
        AuditError("the audit writer has stopped".to_owned())
    }

    fn no_id() -> Self {
        AuditError("the store returned no id for an intent".to_owned())
    }
}

impl From<sqlx::Error> for AuditError {
    fn from(e: sqlx::Error) -> Self {
        AuditError(e.to_string())
    }
}

impl From<sqlx::migrate::MigrateError> for AuditError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        AuditError(format!("cannot create or upgrade the schema: {e}"))
    }
}

/// What is known when an attempt arrives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Intent {
    /// Arrival, epoch ms.
    pub at_ms: i64,
    /// When the attempt can no longer be in flight, epoch ms.
    pub deadline_ms: i64,
    /// Operator name.
    pub operator: String,
    /// Operator e-mail.
    pub email: Option<String>,
    /// Role names.
    pub roles: Vec<String>,
    /// Source address(es).
    pub source: String,
    /// `User-Agent`, shortened.
    pub user_agent: Option<String>,
    /// The ticket (OperateExecution).
    pub execution_id: Option<String>,
    /// The job (ExecuteDocument).
    pub document_id: Option<String>,
    /// `TERMINATE`, …, `ExecuteDocument`.
    pub operation: String,
    /// The operator's reason.
    pub reason: Option<String>,
    /// The gateway's request id.
    pub request_id: String,
    /// Which gateway process wrote it (`host:port pid N`).
    pub gateway: String,
}

/// What is known when the answer is in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finish {
    /// Never `Pending`.
    pub outcome: Outcome,
    /// Status the client got.
    pub http_status: Option<u16>,
    /// `error_code`, as sent.
    pub error_code: Option<String>,
    /// `error_msg`, as sent.
    pub error_msg: Option<String>,
    /// The upstream's `X-request-id`.
    pub upstream_request_id: Option<String>,
    /// ExecuteDocument's new ticket.
    pub new_execution_id: Option<String>,
    /// Arrival to answer.
    pub latency_ms: Option<u64>,
    /// When, epoch ms.
    pub finished_ms: i64,
}

/// One append, as [`AuditStore::append_all`] takes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Write {
    /// A new intent.
    Intent(Intent),
    /// The outcome of the intent with this id.
    Outcome(i64, Finish),
}

/// Where records go. Append-only by construction: there is no method that
/// changes or removes a record, except retention's [`AuditStore::purge_before`].
pub trait AuditStore: Send + Sync + std::fmt::Debug {
    /// Appends `writes` in one transaction, all or none; per write, the new
    /// intent's id (`None` for an outcome).
    fn append_all<'a>(
        &'a self,
        writes: &'a [Write],
    ) -> BoxFuture<'a, Result<Vec<Option<i64>>, AuditError>>;
    /// Appends and commits one write; the new intent's id for an intent.
    /// [`GroupCommit`] sends it to a shared transaction instead.
    fn append(&self, write: Write) -> BoxFuture<'_, Result<Option<i64>, AuditError>> {
        Box::pin(async move {
            let ids = self.append_all(std::slice::from_ref(&write)).await?;
            Ok(ids.into_iter().next().flatten())
        })
    }
    /// Appends and commits an intent; returns its id.
    fn append_intent<'a>(&'a self, intent: &'a Intent) -> BoxFuture<'a, Result<i64, AuditError>> {
        Box::pin(async move {
            self.append(Write::Intent(intent.clone()))
                .await?
                .ok_or_else(AuditError::no_id)
        })
    }
    /// Appends and commits the outcome of intent `id`.
    fn append_outcome<'a>(
        &'a self,
        id: i64,
        finish: &'a Finish,
    ) -> BoxFuture<'a, Result<(), AuditError>> {
        Box::pin(async move {
            self.append(Write::Outcome(id, finish.clone())).await?;
            Ok(())
        })
    }
    /// Records matching `q`, newest first, at most `limit`; `now_ms` decides
    /// pending versus unknown.
    fn query<'a>(
        &'a self,
        q: &'a ListAudit,
        limit: u32,
        now_ms: i64,
    ) -> BoxFuture<'a, Result<Vec<AuditRecord>, AuditError>>;
    /// Removes records that arrived before `ms`; returns how many.
    fn purge_before(&self, ms: i64) -> BoxFuture<'_, Result<u64, AuditError>>;
    /// `sqlite file …` or `postgres 127.0.0.1:5432/db`, for the start line.
    fn describe(&self) -> String;
}

/// Which store, from `--audit-db`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditDb {
    /// `sqlite://PATH` (created on first start).
    Sqlite(String),
    /// `postgres://…` or `postgresql://…`.
    Postgres(String),
    /// An in-memory SQLite database, gone with the process: for tests and
    /// embedding only; the binary always names a file.
    Memory,
}

impl AuditDb {
    /// Parses `--audit-db`.
    pub fn parse(url: &str) -> Result<Self, String> {
        let url = url.trim();
        if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() || path.starts_with(':') {
                return Err("sqlite://PATH needs a file path (an audit trail in memory is lost with the process)".to_owned());
            }
            Ok(AuditDb::Sqlite(path.to_owned()))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(AuditDb::Postgres(url.to_owned()))
        } else {
            Err(format!(
                "{:?} is not sqlite://PATH or postgres://…",
                redact_url(url)
            ))
        }
    }

    /// Connects, creating the file and the schema when needed; appends are
    /// group-committed ([`GroupCommit`], whose writer runs on the current
    /// Tokio runtime).
    pub async fn open(&self) -> Result<Box<dyn AuditStore>, AuditError> {
        Ok(Box::new(GroupCommit::new(self.open_store().await?)))
    }

    /// The store itself, each append its own commit.
    pub async fn open_store(&self) -> Result<Box<dyn AuditStore>, AuditError> {
        Ok(match self {
            AuditDb::Sqlite(path) => Box::new(SqliteStore::open(Some(path)).await?),
            AuditDb::Memory => Box::new(SqliteStore::open(None).await?),
            AuditDb::Postgres(url) => Box::new(PgStore::open(url).await?),
        })
    }
}

/// A database URL without its password, for messages and logs.
pub fn redact_url(url: &str) -> String {
    match (url.split_once("://"), url.rfind('@')) {
        (Some((scheme, rest)), Some(at)) => {
            let at = at - scheme.len() - 3;
            let (userinfo, host) = rest.split_at(at);
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}:…{host}")
        }
        _ => url.to_owned(),
    }
}

/// The columns every query reads, intent and outcome joined.
const SELECT: &str = "SELECT i.id, i.at_ms, i.deadline_ms, i.operator, i.email, i.roles, i.source, \
     i.user_agent, i.execution_id, i.document_id, i.operation, i.reason, i.request_id, \
     o.outcome, o.http_status, o.error_code, o.error_msg, o.upstream_request_id, \
     o.new_execution_id, o.latency_ms \
     FROM audit_intents i LEFT JOIN audit_outcomes o ON o.intent_id = i.id WHERE 1 = 1";

/// The query for `q` in `DB`'s dialect (the builder numbers placeholders).
fn select<'a, DB>(q: &ListAudit, limit: u32, now_ms: i64) -> QueryBuilder<'a, DB>
where
    DB: Database,
    i64: Encode<'a, DB> + Type<DB>,
    String: Encode<'a, DB> + Type<DB>,
{
    let mut qb = QueryBuilder::<DB>::new(SELECT);
    let text = |qb: &mut QueryBuilder<'a, DB>, column: &str, v: Option<String>| {
        if let Some(v) = v {
            qb.push(format_args!(" AND {column} = "));
            qb.push_bind(v);
        }
    };
    text(
        &mut qb,
        "i.execution_id",
        q.execution_id.as_ref().map(|i| i.as_str().to_owned()),
    );
    text(
        &mut qb,
        "i.document_id",
        q.document_id.as_ref().map(|i| i.as_str().to_owned()),
    );
    text(&mut qb, "i.operator", q.operator.clone());
    text(&mut qb, "i.operation", q.operation.clone());
    match q.outcome {
        None => {}
        Some(Outcome::Pending) => {
            qb.push(" AND o.intent_id IS NULL AND i.deadline_ms > ");
            qb.push_bind(now_ms);
        }
        Some(Outcome::Unknown) => {
            qb.push(" AND ((o.intent_id IS NULL AND i.deadline_ms <= ");
            qb.push_bind(now_ms);
            qb.push(") OR o.outcome = 'unknown')");
        }
        Some(other) => {
            qb.push(" AND o.outcome = ");
            qb.push_bind(other.as_str().to_owned());
        }
    }
    if let Some(from) = q.from {
        qb.push(" AND i.at_ms >= ");
        qb.push_bind(from);
    }
    if let Some(to) = q.to {
        qb.push(" AND i.at_ms < ");
        qb.push_bind(to);
    }
    // validate() allows only digits, at most 19 of them.
    if let Some(cursor) = q.cursor.as_deref().and_then(|c| c.parse::<i64>().ok()) {
        qb.push(" AND i.id < ");
        qb.push_bind(cursor);
    }
    qb.push(" ORDER BY i.id DESC LIMIT ");
    qb.push_bind(i64::from(limit));
    qb
}

/// One joined row, as both databases return it.
#[derive(Debug, sqlx::FromRow)]
struct Row {
    id: i64,
    at_ms: i64,
    deadline_ms: i64,
    operator: String,
    email: Option<String>,
    roles: String,
    source: String,
    user_agent: Option<String>,
    execution_id: Option<String>,
    document_id: Option<String>,
    operation: String,
    reason: Option<String>,
    request_id: String,
    outcome: Option<String>,
    http_status: Option<i64>,
    error_code: Option<String>,
    error_msg: Option<String>,
    upstream_request_id: Option<String>,
    new_execution_id: Option<String>,
    latency_ms: Option<i64>,
}

impl Row {
    fn into_record(self, now_ms: i64) -> AuditRecord {
        let outcome = match self.outcome.as_deref() {
            Some(o) => Outcome::parse(o).unwrap_or(Outcome::Unknown),
            None if now_ms < self.deadline_ms => Outcome::Pending,
            None => Outcome::Unknown,
        };
        AuditRecord {
            id: self.id.to_string(),
            at: self.at_ms,
            operator: self.operator,
            email: self.email,
            roles: self
                .roles
                .split(',')
                .filter(|r| !r.is_empty())
                .map(str::to_owned)
                .collect(),
            source: self.source,
            user_agent: self.user_agent,
            execution_id: self.execution_id,
            document_id: self.document_id,
            operation: self.operation,
            reason: self.reason,
            request_id: self.request_id,
            upstream_request_id: self.upstream_request_id,
            outcome,
            http_status: self.http_status.and_then(|s| u16::try_from(s).ok()),
            error_code: self.error_code,
            error_msg: self.error_msg,
            latency_ms: self.latency_ms.and_then(|l| u64::try_from(l).ok()),
            new_execution_id: self.new_execution_id,
        }
    }
}

/// One INSERT of `intents`, in `DB`'s dialect, returning each new row's id
/// and request id ([`match_ids`] pairs them with the inputs). One statement
/// per group, not one per intent: with sqlx's SQLite driver each statement
/// is a round trip to the connection's thread.
fn insert_intents<'a, 'i, DB>(intents: impl IntoIterator<Item = &'i Intent>) -> QueryBuilder<'a, DB>
where
    DB: Database,
    i64: Encode<'a, DB> + Type<DB>,
    String: Encode<'a, DB> + Type<DB>,
    Option<String>: Encode<'a, DB> + Type<DB>,
{
    let mut qb = QueryBuilder::<DB>::new(
        "INSERT INTO audit_intents (at_ms, deadline_ms, operator, email, roles, source, \
         user_agent, execution_id, document_id, operation, reason, request_id, gateway) ",
    );
    qb.push_values(intents, |mut row, i| {
        row.push_bind(i.at_ms)
            .push_bind(i.deadline_ms)
            .push_bind(i.operator.clone())
            .push_bind(i.email.clone())
            .push_bind(i.roles.join(","))
            .push_bind(i.source.clone())
            .push_bind(i.user_agent.clone())
            .push_bind(i.execution_id.clone())
            .push_bind(i.document_id.clone())
            .push_bind(i.operation.clone())
            .push_bind(i.reason.clone())
            .push_bind(i.request_id.clone())
            .push_bind(i.gateway.clone());
    });
    qb.push(" RETURNING id, request_id");
    qb
}

/// The ids of `intents` from the `(id, request_id)` rows their INSERT
/// returned. Neither database promises RETURNING's order, so the rows are
/// taken in order only while their request ids agree, and matched by
/// request id otherwise; a group that cannot be matched (a repeated request
/// id out of order) is refused, never guessed.
fn match_ids(intents: &[&Intent], rows: &[(i64, String)]) -> Result<Vec<i64>, AuditError> {
    if rows.len() != intents.len() {
        return Err(AuditError(format!(
            "{} intents inserted, {} ids returned",
            intents.len(),
            rows.len()
        )));
    }
    if intents
        .iter()
        .zip(rows)
        .all(|(i, (_, r))| i.request_id == *r)
    {
        return Ok(rows.iter().map(|(id, _)| *id).collect());
    }
    let mut by_request: std::collections::HashMap<&str, Vec<i64>> = Default::default();
    for (id, r) in rows {
        by_request.entry(r.as_str()).or_default().push(*id);
    }
    intents
        .iter()
        .map(
            |i| match by_request.get(i.request_id.as_str()).map(Vec::as_slice) {
                Some([id]) => Ok(*id),
                _ => Err(AuditError(
                    "the store returned the new ids in another order, and request ids repeat"
                        .to_owned(),
                )),
            },
        )
        .collect()
}

/// One INSERT of `outcomes` (intent id, finish), in `DB`'s dialect.
fn insert_outcomes<'a, 'f, DB>(
    outcomes: impl IntoIterator<Item = (i64, &'f Finish)>,
) -> QueryBuilder<'a, DB>
where
    DB: Database,
    i64: Encode<'a, DB> + Type<DB>,
    String: Encode<'a, DB> + Type<DB>,
    Option<String>: Encode<'a, DB> + Type<DB>,
    Option<i64>: Encode<'a, DB> + Type<DB>,
{
    let mut qb = QueryBuilder::<DB>::new(
        "INSERT INTO audit_outcomes (intent_id, outcome, http_status, error_code, error_msg, \
         upstream_request_id, new_execution_id, latency_ms, finished_ms) ",
    );
    qb.push_values(outcomes, |mut row, (id, f)| {
        row.push_bind(id)
            .push_bind(f.outcome.as_str().to_owned())
            .push_bind(f.http_status.map(i64::from))
            .push_bind(f.error_code.clone())
            .push_bind(f.error_msg.clone())
            .push_bind(f.upstream_request_id.clone())
            .push_bind(f.new_execution_id.clone())
            .push_bind(f.latency_ms.and_then(|l| i64::try_from(l).ok()))
            .push_bind(f.finished_ms);
    });
    qb
}

/// The trait for a store with a sqlx `pool` for reads and `writes()` for
/// appends and purges: the same statements serve both
/// databases (`QueryBuilder` numbers placeholders per dialect, and SQLite
/// reads `$1` as well), so only opening a store differs between them.
macro_rules! sql_store {
    ($store:ty) => {
        impl AuditStore for $store {
            fn append_all<'a>(
                &'a self,
                writes: &'a [Write],
            ) -> BoxFuture<'a, Result<Vec<Option<i64>>, AuditError>> {
                Box::pin(async move {
                    let intents: Vec<&Intent> = writes
                        .iter()
                        .filter_map(|w| match w {
                            Write::Intent(i) => Some(i),
                            Write::Outcome(..) => None,
                        })
                        .collect();
                    let outcomes: Vec<(i64, &Finish)> = writes
                        .iter()
                        .filter_map(|w| match w {
                            Write::Outcome(id, f) => Some((*id, f)),
                            Write::Intent(_) => None,
                        })
                        .collect();
                    let mut tx = self.writes().begin().await?;
                    let mut new_ids = Vec::new();
                    if !intents.is_empty() {
                        let rows: Vec<(i64, String)> = insert_intents(intents.iter().copied())
                            .build_query_as()
                            .fetch_all(&mut *tx)
                            .await?;
                        new_ids = match_ids(&intents, &rows)?;
                    }
                    if !outcomes.is_empty() {
                        insert_outcomes(outcomes).build().execute(&mut *tx).await?;
                    }
                    tx.commit().await?;
                    // Back in the order of `writes`.
                    let mut new_ids = new_ids.into_iter();
                    Ok(writes
                        .iter()
                        .map(|w| match w {
                            Write::Intent(_) => new_ids.next(),
                            Write::Outcome(..) => None,
                        })
                        .collect())
                })
            }

            fn query<'a>(
                &'a self,
                q: &'a ListAudit,
                limit: u32,
                now_ms: i64,
            ) -> BoxFuture<'a, Result<Vec<AuditRecord>, AuditError>> {
                Box::pin(async move {
                    let rows: Vec<Row> = select(q, limit, now_ms)
                        .build_query_as()
                        .fetch_all(&self.pool)
                        .await?;
                    Ok(rows.into_iter().map(|r| r.into_record(now_ms)).collect())
                })
            }

            fn purge_before(&self, ms: i64) -> BoxFuture<'_, Result<u64, AuditError>> {
                Box::pin(async move {
                    let mut tx = self.writes().begin().await?;
                    sqlx::query(
                        "DELETE FROM audit_outcomes WHERE intent_id IN \
                         (SELECT id FROM audit_intents WHERE at_ms < $1)",
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
    };
}

sql_store!(SqliteStore);
sql_store!(PgStore);

#[cfg(test)]
mod tests {
    use super::*;

    fn with_request(r: &str) -> Intent {
        Intent {
            at_ms: 0,
            deadline_ms: 1,
            operator: "o".into(),
            email: None,
            roles: Vec::new(),
            source: "127.0.0.1".into(),
            user_agent: None,
            execution_id: None,
            document_id: None,
            operation: "RESUME".into(),
            reason: None,
            request_id: r.into(),
            gateway: "g".into(),
        }
    }

    #[test]
    fn returned_ids_are_matched_to_their_intents_never_guessed() {
        let (a, b, a2) = (with_request("a"), with_request("b"), with_request("a"));
        let rows = |v: &[(i64, &str)]| -> Vec<(i64, String)> {
            v.iter().map(|(id, r)| (*id, (*r).to_owned())).collect()
        };
        // In order, even with a repeated request id.
        assert_eq!(
            match_ids(&[&a, &b, &a2], &rows(&[(1, "a"), (2, "b"), (3, "a")])).unwrap(),
            [1, 2, 3]
        );
        // Out of order: matched by request id.
        assert_eq!(
            match_ids(&[&a, &b], &rows(&[(8, "b"), (7, "a")])).unwrap(),
            [7, 8]
        );
        // Out of order with a repeat, or a row short: refused.
        assert!(match_ids(&[&a, &b, &a2], &rows(&[(2, "b"), (1, "a"), (3, "a")])).is_err());
        assert!(match_ids(&[&a, &b], &rows(&[(1, "a")])).is_err());
    }

    #[test]
    fn urls_parse_and_passwords_are_never_repeated() {
        assert_eq!(
            AuditDb::parse("sqlite://./a.db").unwrap(),
            AuditDb::Sqlite("./a.db".into())
        );
        assert!(AuditDb::parse("sqlite://:memory:").is_err());
        assert!(matches!(
            AuditDb::parse("postgresql://u:p@h/db").unwrap(),
            AuditDb::Postgres(_)
        ));
        let err = AuditDb::parse("mysql://u:hunter2@h/db").unwrap_err();
        assert!(!err.contains("hunter2"), "{err}");
        assert_eq!(
            redact_url("postgres://audit:s3cret@db.internal:5432/coc"),
            "postgres://audit:…@db.internal:5432/coc"
        );
        assert_eq!(redact_url("postgres://h/db"), "postgres://h/db");
    }
}
