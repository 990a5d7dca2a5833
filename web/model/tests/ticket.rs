//! The ticket view's rules: the last good data stays, one operation at a
//! time, and an operation is pending until a GET shows it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use coc_console_model::record::PendingOp;
use coc_console_model::{
    ApiFailure, Notice, Store, TicketEvent, TicketModel, TransportError, Want,
};
use coc_core::{Execution, ExecutionId, ExecutionStatus, OperateType, Operated};

fn ticket(status: &str, update: i64) -> Arc<Execution> {
    Arc::new(
        serde_json::from_value(serde_json::json!({
            "execution_id": "EX1", "status": status, "type": "BATCH",
            "document_name": "restart-nginx", "update_time": update
        }))
        .unwrap(),
    )
}

fn model() -> TicketModel {
    TicketModel::new(ExecutionId::parse("EX1").unwrap(), None, 0.0)
}

fn network() -> ApiFailure {
    ApiFailure::from_transport(
        "http://127.0.0.1:1".into(),
        TransportError::Network("TypeError: Failed to fetch".into()),
    )
}

#[test]
fn the_first_answer_is_loaded_and_a_new_status_announced() {
    let mut m = model();
    let c = m.absorb(Ok(ticket("Running", 1)), 1000.0);
    assert!(matches!(
        &c.events[..],
        [TicketEvent::Loaded {
            status: Some(ExecutionStatus::Running),
            ..
        }]
    ));
    assert_eq!(m.active(), Some(true));
    assert_eq!(m.want(), Want::Normal);
    let c = m.absorb(Ok(ticket("Succeed", 2)), 2000.0);
    assert!(matches!(
        &c.events[..],
        [TicketEvent::StatusChanged {
            to: Some(ExecutionStatus::Succeed),
            ..
        }]
    ));
    assert!(m.announce.contains("is now Succeeded"), "{}", m.announce);
    assert_eq!(m.want(), Want::Stop);
}

#[test]
fn a_failed_refresh_keeps_the_last_good_data_and_counts() {
    let mut m = model();
    m.absorb(Ok(ticket("Running", 1)), 1000.0);
    let before = m.ticket.clone();
    m.absorb(Err(network()), 2000.0);
    m.absorb(Err(network()), 3000.0);
    assert_eq!(m.ticket, before, "the data stays");
    let stale = m.fresh.stale().expect("a stale warning");
    assert_eq!(stale.failures, 2);
    assert_eq!(stale.since, 1000.0);
    assert_eq!(stale.headline(), "Refresh failed 2 times in a row.");
    m.absorb(Ok(ticket("Running", 1)), 4000.0);
    assert!(m.fresh.stale().is_none());
}

#[test]
fn before_any_data_only_a_transient_failure_is_polled() {
    let mut m = model();
    m.absorb(Err(network()), 1.0);
    assert_eq!(m.want(), Want::Normal);
    let not_found = ApiFailure::Core(coc_core::Error::NotFound {
        execution_id: "EX1".into(),
        request_id: None,
    });
    let mut m = model();
    m.absorb(Err(not_found), 1.0);
    assert_eq!(m.want(), Want::Stop);
}

#[test]
fn the_lock_admits_one_operation_until_its_answer() {
    let mut m = model();
    m.absorb(Ok(ticket("Running", 1)), 1.0);
    assert!(m.begin(OperateType::Terminate));
    assert!(
        !m.begin(OperateType::Terminate),
        "a second click sends nothing"
    );
    assert!(!m.begin(OperateType::Resume));
    let c = m.operated(
        OperateType::Terminate,
        Some("stuck".into()),
        Ok(Operated {
            request_id: Some("req-9".into()),
        }),
        5000.0,
    );
    assert!(m.busy.is_none());
    let Store::SavePending(p) = &c.store else {
        panic!("{:?}", c.store)
    };
    assert_eq!(p.from_status.as_deref(), Some("Running"));
    assert_eq!(p.reason.as_deref(), Some("stuck"));
    assert_eq!(m.want(), Want::Fast);
    assert!(
        m.pending_text(|_| String::new()).is_none(),
        "the accepted notice says it"
    );
}

#[test]
fn a_pending_operation_ends_when_the_ticket_shows_it_and_the_banner_follows_the_badge() {
    let mut m = model();
    m.absorb(Ok(ticket("Running", 1)), 1.0);
    m.begin(OperateType::Terminate);
    m.operated(
        OperateType::Terminate,
        None,
        Ok(Operated { request_id: None }),
        10.0,
    );
    assert_eq!(m.absorb(Ok(ticket("Running", 1)), 20.0).store, Store::Keep);
    assert_eq!(
        m.absorb(Ok(ticket("Canceling", 2)), 30.0).store,
        Store::ClearPending
    );
    assert!(matches!(m.notice, Some(Notice::Reflected { .. })));
    m.absorb(Ok(ticket("Canceled", 3)), 40.0);
    let (text, warning) = m.notice.as_ref().unwrap().text(&m.status_word());
    assert!(text.ends_with("the ticket is now Cancelled."), "{text}");
    assert!(!warning);
}

#[test]
fn skip_batch_shows_as_a_new_update_time_and_a_silent_ticket_times_out() {
    let mut m = model();
    m.absorb(Ok(ticket("Running", 1)), 1.0);
    m.begin(OperateType::SkipBatch);
    m.operated(
        OperateType::SkipBatch,
        None,
        Ok(Operated { request_id: None }),
        10.0,
    );
    assert_eq!(
        m.absorb(Ok(ticket("Running", 2)), 20.0).store,
        Store::ClearPending
    );

    let mut m = model();
    m.absorb(Ok(ticket("Running", 1)), 1.0);
    m.begin(OperateType::Resume);
    m.operated(
        OperateType::Resume,
        None,
        Ok(Operated { request_id: None }),
        10.0,
    );
    assert_eq!(
        m.absorb(Ok(ticket("Running", 1)), 100_000.0).store,
        Store::ClearPending
    );
    assert!(matches!(m.notice, Some(Notice::NotReflected { .. })));
}

#[test]
fn a_refused_operation_keeps_the_services_words_and_is_not_pending() {
    let mut m = model();
    m.absorb(Ok(ticket("Running", 1)), 1.0);
    m.begin(OperateType::Retry);
    let refused = coc_core::Operation::parse_response(
        &coc_core::OperateExecution::new("EX1", OperateType::Retry).unwrap(),
        &coc_core::HttpResponse::new(
            400,
            &[("X-Request-Id".to_owned(), "r-1".to_owned())],
            br#"{"error_code":"COC.00040011","error_msg":"not allowed"}"#,
        ),
    )
    .unwrap_err();
    let c = m.operated(
        OperateType::Retry,
        None,
        Err(ApiFailure::Core(refused)),
        5.0,
    );
    assert_eq!(c.store, Store::Keep);
    let (op, e) = m.op_error.clone().unwrap();
    assert_eq!(op, OperateType::Retry);
    assert_eq!(e.error_code(), Some("COC.00040011"));
    assert_eq!(e.error_msg(), Some("not allowed"));
    assert_eq!(e.request_id(), Some("r-1"));
    assert!(m.pending.is_none());
    assert!(m.begin(OperateType::Retry), "the lock is free again");
}

#[test]
fn a_stored_pending_operation_is_picked_up_unless_expired() {
    let p = PendingOp {
        op: OperateType::Resume,
        from_status: Some("Pending".into()),
        from_update: None,
        accepted_at: 1000.0,
        request_id: None,
        reason: Some("after the fix".into()),
        outcome_unknown: false,
    };
    let id = ExecutionId::parse("EX1").unwrap();
    let m = TicketModel::new(id.clone(), Some(p.clone()), 2000.0);
    assert_eq!(m.want(), Want::Fast);
    assert!(
        m.pending_text(|_| "12:00".into())
            .unwrap()
            .contains("(reason: after the fix)")
    );
    let m = TicketModel::new(id, Some(p), 1000.0 + 91_000.0);
    assert!(m.pending.is_none());
}

/// The gateway's answer to an operation whose upstream answer broke off.
fn outcome_unknown_answer() -> ApiFailure {
    let e = coc_core::Operation::parse_response(
        &coc_core::OperateExecution::new("EX1", OperateType::Terminate).unwrap(),
        &coc_core::HttpResponse::new(
            502,
            &[("X-Request-Id".to_owned(), "gw-7".to_owned())],
            br#"{"error_code":"GATEWAY.OUTCOME_UNKNOWN","error_msg":"OperateExecution was sent to the upstream service, but the exchange failed: it may have been applied","request_id":"gw-7"}"#,
        ),
    )
    .unwrap_err();
    ApiFailure::Core(e)
}

#[test]
fn an_operation_with_no_answer_back_is_unknown_watched_and_never_failed() {
    let mut m = model();
    m.absorb(Ok(ticket("Running", 1)), 1.0);
    assert!(m.begin(OperateType::Terminate));
    let c = m.operated(
        OperateType::Terminate,
        None,
        Err(outcome_unknown_answer()),
        10.0,
    );
    assert!(
        matches!(
            &c.events[..],
            [TicketEvent::OutcomeUnknown {
                operation: OperateType::Terminate,
                ..
            }]
        ),
        "{:?}",
        c.events
    );
    assert!(m.op_error.is_none(), "not shown as a failure");
    let Store::SavePending(p) = &c.store else {
        panic!("{:?}", c.store)
    };
    assert!(p.outcome_unknown);
    assert_eq!(p.request_id.as_deref(), Some("gw-7"));
    assert_eq!(m.want(), Want::Fast, "watched");
    let (text, warning) = m.notice.clone().unwrap().text(&m.status_word());
    assert!(warning);
    for words in [
        "outcome unknown",
        "GATEWAY.OUTCOME_UNKNOWN",
        "may have been applied",
        "not retried",
    ] {
        assert!(text.contains(words), "{words}: {text}");
    }
    assert!(
        m.pending_text(|_| "12:00".into()).is_none(),
        "the notice says it"
    );
    assert!(
        m.begin(OperateType::Terminate),
        "the lock is free: sending again is the operator's choice"
    );
    m.busy = None;

    // The ticket shows it: it was applied after all.
    let c = m.absorb(Ok(ticket("Cancelling", 2)), 2000.0);
    assert_eq!(c.store, Store::ClearPending);
    assert!(matches!(m.notice, Some(Notice::Reflected { .. })));
}

#[test]
fn an_unknown_outcome_that_never_shows_says_so_after_the_wait() {
    let mut m = model();
    m.absorb(Ok(ticket("Running", 1)), 1.0);
    m.begin(OperateType::Terminate);
    m.operated(OperateType::Terminate, None, Err(network()), 10.0);
    assert!(matches!(m.notice, Some(Notice::OutcomeUnknown { .. })));
    // After a reload the notice is gone and the pending banner says it.
    let kept = m.pending.clone();
    let reloaded = TicketModel::new(ExecutionId::parse("EX1").unwrap(), kept, 20.0);
    let banner = reloaded.pending_text(|_| "12:00".into()).unwrap();
    assert!(banner.contains("outcome is unknown"), "{banner}");
    assert_eq!(
        m.absorb(Ok(ticket("Running", 1)), 100_000.0).store,
        Store::ClearPending
    );
    let (text, warning) = m.notice.clone().unwrap().text(&m.status_word());
    assert!(
        warning && text.contains("still unknown") && text.contains("Running"),
        "{text}"
    );
}

#[test]
fn which_failures_leave_an_operation_unknown() {
    let core = |status: u16, body: &[u8]| {
        ApiFailure::Core(
            coc_core::Operation::parse_response(
                &coc_core::OperateExecution::new("EX1", OperateType::Retry).unwrap(),
                &coc_core::HttpResponse::new(status, &[], body),
            )
            .unwrap_err(),
        )
    };
    let refused = core(
        400,
        br#"{"error_code":"COC.00040011","error_msg":"not allowed"}"#,
    );
    let gateway_refused = core(
        403,
        br#"{"error_code":"GATEWAY.FORBIDDEN","error_msg":"no"}"#,
    );
    let unreachable = core(
        502,
        br#"{"error_code":"GATEWAY.UPSTREAM_UNREACHABLE","error_msg":"refused"}"#,
    );
    let service_500 = core(
        500,
        br#"{"error_code":"COC.00050000","error_msg":"system error"}"#,
    );
    for known in [refused, gateway_refused, unreachable, service_500] {
        assert!(!known.outcome_unknown(), "{known}");
    }
    let proxy_page = core(502, b"<html><body>502 Bad Gateway</body></html>");
    for unknown in [outcome_unknown_answer(), network(), proxy_page] {
        assert!(unknown.outcome_unknown(), "{unknown}");
    }
    assert_eq!(outcome_unknown_answer().kind().as_str(), "upstream");
    assert!(
        outcome_unknown_answer()
            .title()
            .contains("outcome is unknown")
    );
}
