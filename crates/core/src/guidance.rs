//! Which operations a console should offer for a ticket, and why not the others.
//!
//! This is guidance, not law. No source documents which `operate_type` the
//! service accepts in which status (see `coc-api.md`, "Operation
//! semantics"), so the policy below is inferred from what the operations
//! mean and from the one documented use (Terraform terminates a Running
//! ticket):
//!
//! | status            | RESUME | RETRY | SKIP_BATCH      | TERMINATE |
//! |-------------------|--------|-------|-----------------|-----------|
//! | Pending (suspended)| yes   | yes   | BATCH tickets   | yes       |
//! | Running           | no     | no    | BATCH tickets   | yes       |
//! | Failed, Timeout   | yes    | yes   | no              | no        |
//! | Canceling         | no     | no    | no              | no        |
//! | Succeed, Canceled | no     | no    | no              | no        |
//! | unknown / missing | no     | no    | no              | no        |
//!
//! The server decides: when it refuses an offered operation, its 400 is
//! shown exactly as it came. Keeping the whole policy in this one table
//! means the console, the npm package and the embeddable element cannot
//! disagree about it.

use crate::model::{Execution, ExecutionStatus, OperateType};

/// The advice for one operation on one ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Advice {
    /// The operation.
    pub operation: OperateType,
    /// `None` when a console should offer it; otherwise why not, as a
    /// sentence for a tooltip and for screen readers.
    pub not_offered: Option<String>,
}

impl Advice {
    /// True when a console should offer the operation.
    pub fn offered(&self) -> bool {
        self.not_offered.is_none()
    }
}

/// Advice for all four operations, in [`OperateType::ALL`] order.
pub fn advise(ticket: &Execution) -> Vec<Advice> {
    OperateType::ALL
        .into_iter()
        .map(|operation| Advice {
            operation,
            not_offered: reason_not_offered(ticket, operation),
        })
        .collect()
}

/// Advice for one operation.
pub fn advise_one(ticket: &Execution, operation: OperateType) -> Advice {
    Advice {
        operation,
        not_offered: reason_not_offered(ticket, operation),
    }
}

fn reason_not_offered(ticket: &Execution, op: OperateType) -> Option<String> {
    not_offered(ticket, op).map(|why| why.to_string())
}

/// Why a console should not offer an operation: the policy's cases, for a
/// console that words them itself (in another language); `Display` is the
/// English sentence [`Advice::not_offered`] holds.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum NotOffered {
    /// The ticket has no status.
    NoStatus,
    /// A status this crate does not know, as sent.
    UnknownStatus(String),
    /// Canceling.
    AlreadyCancelling,
    /// Succeed: nothing left to do with `op`.
    Succeeded(OperateType),
    /// Canceled: nothing left to do with `op`.
    Cancelled(OperateType),
    /// SKIP_BATCH on a ticket that is not BATCH.
    NotBatch,
    /// RESUME on a running ticket.
    RunningNoResume,
    /// RETRY on a running ticket.
    RunningNoRetry,
    /// TERMINATE on a failed ticket.
    FailedNoTerminate,
    /// TERMINATE on a timed-out ticket.
    TimedOutNoTerminate,
    /// SKIP_BATCH on a failed or timed-out ticket.
    BatchesOver,
}

impl std::fmt::Display for NotOffered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotOffered::NoStatus => {
                f.write_str("The ticket reports no status, so no operation can be advised.")
            }
            NotOffered::UnknownStatus(raw) => write!(
                f,
                "The ticket's status {raw:?} is unknown to this console, so no operation can be advised."
            ),
            NotOffered::AlreadyCancelling => f.write_str("The ticket is already being cancelled."),
            NotOffered::Succeeded(op) => {
                write!(
                    f,
                    "The ticket has succeeded; there is nothing to {}.",
                    verb(*op)
                )
            }
            NotOffered::Cancelled(op) => write!(
                f,
                "The ticket has been cancelled; there is nothing to {}.",
                verb(*op)
            ),
            NotOffered::NotBatch => {
                f.write_str("Only BATCH tickets run in batches; this one has no batch to skip.")
            }
            NotOffered::RunningNoResume => f.write_str(
                "The ticket is running; only a suspended or failed ticket can be resumed.",
            ),
            NotOffered::RunningNoRetry => f.write_str(
                "The ticket is running; only a failed or suspended ticket can be retried.",
            ),
            NotOffered::FailedNoTerminate => {
                f.write_str("The ticket has already failed; there is nothing running to terminate.")
            }
            NotOffered::TimedOutNoTerminate => f.write_str(
                "The ticket has already timed out; there is nothing running to terminate.",
            ),
            NotOffered::BatchesOver => f.write_str(
                "Batches can be skipped only while a BATCH ticket is running or suspended.",
            ),
        }
    }
}

/// Why not `op` on `ticket`, or `None` when a console should offer it:
/// the table in this module's doc.
pub fn not_offered(ticket: &Execution, op: OperateType) -> Option<NotOffered> {
    use ExecutionStatus as S;
    use NotOffered as N;
    use OperateType as O;
    let status = match &ticket.status {
        None => return Some(N::NoStatus),
        Some(S::Other(raw)) => return Some(N::UnknownStatus(raw.clone())),
        Some(s) => s,
    };
    match (status, op) {
        (S::Canceling, _) => Some(N::AlreadyCancelling),
        (S::Succeed, _) => Some(N::Succeeded(op)),
        (S::Canceled, _) => Some(N::Cancelled(op)),

        (S::Pending | S::Running, O::SkipBatch) if !ticket.is_batch() => Some(N::NotBatch),
        (S::Pending | S::Running, O::SkipBatch | O::Terminate) => None,
        (S::Pending, O::Resume | O::Retry) => None,
        (S::Running, O::Resume) => Some(N::RunningNoResume),
        (S::Running, O::Retry) => Some(N::RunningNoRetry),

        (S::Failed | S::Timeout, O::Resume | O::Retry) => None,
        (S::Failed, O::Terminate) => Some(N::FailedNoTerminate),
        (S::Timeout, O::Terminate) => Some(N::TimedOutNoTerminate),
        (S::Failed | S::Timeout, O::SkipBatch) => Some(N::BatchesOver),
        (S::Other(raw), _) => Some(N::UnknownStatus(raw.clone())),
    }
}

fn verb(op: OperateType) -> &'static str {
    match op {
        OperateType::Resume => "resume",
        OperateType::Terminate => "terminate",
        OperateType::Retry => "retry",
        OperateType::SkipBatch => "skip",
    }
}
