//! The core's sentences in the build's language: operation names and
//! explanations, why an operation is not offered, what a role may not do.
//! The core keeps the policy (`coc_core::not_offered`, `Me::may`); this
//! only words its answers, so the two cannot disagree.

use coc_core::gateway::{Me, Permission};
use coc_core::{Execution, ExecutionType, NotOffered, OperateType};
use coc_i18n::tr;

/// An operation's name on a button or in a title, in the build's language
/// (the core's `OperateType::label`).
pub fn op_label(op: OperateType) -> &'static str {
    match op {
        OperateType::Resume => tr!("Resume"),
        OperateType::Terminate => tr!("Terminate"),
        OperateType::Retry => tr!("Retry"),
        OperateType::SkipBatch => tr!("Skip batch"),
    }
}

/// One line on what an operation does (the core's
/// `OperateType::explanation`).
pub fn op_explanation(op: OperateType) -> &'static str {
    match op {
        OperateType::Resume => tr!("Resubmit the ticket so it continues from where it stopped."),
        OperateType::Terminate => {
            tr!("Force the ticket to stop; running work is cancelled and cannot be resumed.")
        }
        OperateType::Retry => tr!("Run the failed part of the ticket again."),
        OperateType::SkipBatch => {
            tr!("Skip the current batch of targets and go on with the next one.")
        }
    }
}

/// How a ticket runs its targets: the wire's name in English (what the
/// API and the COC console's English pages say), the COC console's word
/// in 简体中文; a type the core does not know as sent.
pub fn type_label(t: &ExecutionType) -> &str {
    match t {
        ExecutionType::Batch => tr!("BATCH"),
        ExecutionType::RateControl => tr!("RATE_CONTROL"),
        ExecutionType::Normal => tr!("NORMAL"),
        ExecutionType::Other(s) => s,
    }
}

/// Why not `op` on `ticket` (`coc_core::not_offered`), as a sentence; none
/// when it is offered.
pub fn not_offered(ticket: &Execution, op: OperateType) -> Option<String> {
    let verb = |op: &OperateType| match op {
        OperateType::Resume => tr!("resume"),
        OperateType::Terminate => tr!("terminate"),
        OperateType::Retry => tr!("retry"),
        OperateType::SkipBatch => tr!("skip"),
    };
    Some(match coc_core::not_offered(ticket, op)? {
        NotOffered::NoStatus => {
            tr!("The ticket reports no status, so no operation can be advised.").to_owned()
        }
        NotOffered::UnknownStatus(raw) => tr!(
            "The ticket's status {raw:?} is unknown to this console, so no operation can be advised."
        ),
        NotOffered::AlreadyCancelling => tr!("The ticket is already being cancelled.").to_owned(),
        NotOffered::Succeeded(op) => tr!(
            "The ticket has succeeded; there is nothing to {verb}.",
            verb = verb(&op)
        ),
        NotOffered::Cancelled(op) => tr!(
            "The ticket has been cancelled; there is nothing to {verb}.",
            verb = verb(&op)
        ),
        NotOffered::NotBatch => {
            tr!("Only BATCH tickets run in batches; this one has no batch to skip.").to_owned()
        }
        NotOffered::RunningNoResume => {
            tr!("The ticket is running; only a suspended or failed ticket can be resumed.")
                .to_owned()
        }
        NotOffered::RunningNoRetry => {
            tr!("The ticket is running; only a failed or suspended ticket can be retried.")
                .to_owned()
        }
        NotOffered::FailedNoTerminate => {
            tr!("The ticket has already failed; there is nothing running to terminate.").to_owned()
        }
        NotOffered::TimedOutNoTerminate => {
            tr!("The ticket has already timed out; there is nothing running to terminate.")
                .to_owned()
        }
        NotOffered::BatchesOver => {
            tr!("Batches can be skipped only while a BATCH ticket is running or suspended.")
                .to_owned()
        }
        // A case a newer core adds (the core's `Display` has its words;
        // these keep that text out of every build).
        _ => tr!("Not offered for the ticket's status.").to_owned(),
    })
}

/// What the caller's roles may not do (`Me::refusal`), as a sentence;
/// none when `Me::may` allows it.
pub fn refusal(me: &Me, permission: Permission) -> Option<String> {
    if me.may(permission) {
        return None;
    }
    let roles = me.roles.join(", ");
    Some(match me.roles.len() {
        0 => tr!("Your no role may not {permission}."),
        1 => tr!("Your role {roles} may not {permission}."),
        _ => tr!("Your roles {roles} may not {permission}."),
    })
}
