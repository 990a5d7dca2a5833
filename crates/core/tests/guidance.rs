//! Operation guidance: every status x every operation x batch/non-batch,
//! against the policy table in `src/guidance.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use coc_core::{
    Advice, Execution, ExecutionStatus, ExecutionType, OperateType, advise, advise_one,
};
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

fn ticket(status: Option<ExecutionStatus>, kind: Option<ExecutionType>) -> Execution {
    Execution {
        execution_id: Some("EX1".into()),
        status,
        execution_type: kind,
        ..Execution::default()
    }
}

/// The policy, written out independently of the implementation.
fn expected(status: &Option<ExecutionStatus>, op: OperateType, batch: bool) -> bool {
    use ExecutionStatus as S;
    use OperateType as O;
    match (status, op) {
        (Some(S::Pending), O::Resume | O::Retry | O::Terminate) => true,
        (Some(S::Pending | S::Running), O::SkipBatch) => batch,
        (Some(S::Running), O::Terminate) => true,
        (Some(S::Failed | S::Timeout), O::Resume | O::Retry) => true,
        _ => false,
    }
}

fn statuses() -> Vec<Option<ExecutionStatus>> {
    let mut all: Vec<Option<ExecutionStatus>> =
        ExecutionStatus::KNOWN.iter().cloned().map(Some).collect();
    all.push(Some(ExecutionStatus::Other("Paused".into())));
    all.push(Some(ExecutionStatus::Other(String::new())));
    all.push(None);
    all
}

fn kinds() -> [(Option<ExecutionType>, bool); 5] {
    [
        (Some(ExecutionType::Batch), true),
        (Some(ExecutionType::Normal), false),
        (Some(ExecutionType::RateControl), false),
        (Some(ExecutionType::Other("BATCHED".into())), false),
        (None, false),
    ]
}

fn assert_sentence(reason: &str, context: &str) {
    assert!(reason.len() >= 20, "{context}: too short: {reason:?}");
    assert!(
        reason.chars().next().unwrap().is_uppercase(),
        "{context}: {reason:?} should start with a capital"
    );
    assert!(
        reason.ends_with('.'),
        "{context}: {reason:?} should end with a full stop"
    );
    assert!(!reason.contains("  "), "{context}: {reason:?}");
}

#[test]
fn every_status_every_operation_batch_and_not() {
    let mut checked = 0;
    for status in statuses() {
        for (kind, batch) in kinds() {
            let t = ticket(status.clone(), kind.clone());
            let all = advise(&t);
            assert_eq!(
                all.iter().map(|a| a.operation).collect::<Vec<_>>(),
                OperateType::ALL,
                "advise covers all four, in display order"
            );
            for advice in &all {
                let context = format!("{status:?} {kind:?} {}", advice.operation);
                let want = expected(&status, advice.operation, batch);
                assert_eq!(advice.offered(), want, "{context}");
                assert_eq!(advice.not_offered.is_none(), want, "{context}");
                if let Some(reason) = &advice.not_offered {
                    assert_sentence(reason, &context);
                }
                assert_eq!(
                    &advise_one(&t, advice.operation),
                    advice,
                    "{context}: advise_one agrees with advise"
                );
                checked += 1;
            }
        }
    }
    // 10 statuses (7 known, 2 unknown, missing) x 5 types x 4 operations.
    assert_eq!(checked, 10 * 5 * 4);
}

#[test]
fn what_a_console_offers_per_status() {
    let offered = |status: ExecutionStatus, kind: ExecutionType| -> Vec<&'static str> {
        advise(&ticket(Some(status), Some(kind)))
            .into_iter()
            .filter(Advice::offered)
            .map(|a| a.operation.as_str())
            .collect()
    };
    use ExecutionStatus as S;
    use ExecutionType as T;
    assert_eq!(
        offered(S::Pending, T::Batch),
        ["RESUME", "RETRY", "SKIP_BATCH", "TERMINATE"]
    );
    assert_eq!(
        offered(S::Pending, T::Normal),
        ["RESUME", "RETRY", "TERMINATE"]
    );
    assert_eq!(offered(S::Running, T::Batch), ["SKIP_BATCH", "TERMINATE"]);
    assert_eq!(offered(S::Running, T::RateControl), ["TERMINATE"]);
    assert_eq!(offered(S::Failed, T::Batch), ["RESUME", "RETRY"]);
    assert_eq!(offered(S::Timeout, T::Normal), ["RESUME", "RETRY"]);
    for s in [S::Canceling, S::Succeed, S::Canceled] {
        assert!(offered(s.clone(), T::Batch).is_empty(), "{s}");
    }
}

#[test]
fn reasons_say_why() {
    use ExecutionStatus as S;
    use OperateType as O;
    let reason = |status: Option<S>, kind: ExecutionType, op: O| {
        advise_one(&ticket(status, Some(kind)), op)
            .not_offered
            .unwrap()
    };
    assert_eq!(
        reason(Some(S::Running), ExecutionType::Normal, O::SkipBatch),
        "Only BATCH tickets run in batches; this one has no batch to skip."
    );
    assert!(reason(Some(S::Running), ExecutionType::Batch, O::Resume).contains("running"));
    assert!(reason(Some(S::Running), ExecutionType::Batch, O::Retry).contains("running"));
    assert!(reason(Some(S::Failed), ExecutionType::Normal, O::Terminate).contains("failed"));
    assert!(reason(Some(S::Timeout), ExecutionType::Normal, O::Terminate).contains("timed out"));
    assert!(
        reason(Some(S::Failed), ExecutionType::Batch, O::SkipBatch)
            .contains("running or suspended")
    );
    assert_eq!(
        reason(Some(S::Canceling), ExecutionType::Normal, O::Terminate),
        "The ticket is already being cancelled."
    );
    assert_eq!(
        reason(Some(S::Succeed), ExecutionType::Normal, O::Retry),
        "The ticket has succeeded; there is nothing to retry."
    );
    assert_eq!(
        reason(Some(S::Canceled), ExecutionType::Batch, O::SkipBatch),
        "The ticket has been cancelled; there is nothing to skip."
    );
    assert_eq!(
        reason(
            Some(S::Other("Paused".into())),
            ExecutionType::Normal,
            O::Resume
        ),
        "The ticket's status \"Paused\" is unknown to this console, so no operation can be advised."
    );
    assert_eq!(
        reason(None, ExecutionType::Normal, O::Terminate),
        "The ticket reports no status, so no operation can be advised."
    );
}
