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
    use ExecutionStatus as S;
    use OperateType as O;
    let status = match &ticket.status {
        None => {
            return Some("The ticket reports no status, so no operation can be advised.".into());
        }
        Some(S::Other(raw)) => {
            return Some(format!(
                "The ticket's status {raw:?} is unknown to this console, so no operation can be advised."
            ));
        }
        Some(s) => s,
    };
    let finished = |what: &str| {
        Some(format!(
            "The ticket has {what}; there is nothing to {}.",
            verb(op)
        ))
    };
    match (status, op) {
        (S::Canceling, _) => Some("The ticket is already being cancelled.".into()),
        (S::Succeed, _) => finished("succeeded"),
        (S::Canceled, _) => finished("been cancelled"),

        (S::Pending | S::Running, O::SkipBatch) if !ticket.is_batch() => {
            Some("Only BATCH tickets run in batches; this one has no batch to skip.".into())
        }
        (S::Pending | S::Running, O::SkipBatch | O::Terminate) => None,
        (S::Pending, O::Resume | O::Retry) => None,
        (S::Running, O::Resume) => {
            Some("The ticket is running; only a suspended or failed ticket can be resumed.".into())
        }
        (S::Running, O::Retry) => {
            Some("The ticket is running; only a failed or suspended ticket can be retried.".into())
        }

        (S::Failed | S::Timeout, O::Resume | O::Retry) => None,
        (S::Failed, O::Terminate) => {
            Some("The ticket has already failed; there is nothing running to terminate.".into())
        }
        (S::Timeout, O::Terminate) => {
            Some("The ticket has already timed out; there is nothing running to terminate.".into())
        }
        (S::Failed | S::Timeout, O::SkipBatch) => {
            Some("Batches can be skipped only while a BATCH ticket is running or suspended.".into())
        }
        (S::Other(_), _) => Some("Unknown status.".into()),
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
