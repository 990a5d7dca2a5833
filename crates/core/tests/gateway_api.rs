//! The coc-gateway's own API as the core builds and reads it: reasons,
//! permissions, `/gateway/v1/me`, the audit trail's query and pages, and the
//! operator token.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use coc_core::gateway::*;
use coc_core::{
    Auth, Endpoint, ExecutionId, HttpResponse, OperateExecution, OperateType, Operation, UnixTime,
};
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

#[test]
fn reasons_round_trip_through_the_header() {
    let r = Reason::parse("  disk full on 变更 #42\nsee INC-7 ").unwrap();
    assert_eq!(r.as_str(), "disk full on 变更 #42\nsee INC-7");
    let header = r.to_header();
    assert!(header.is_ascii() && !header.contains(' '), "{header}");
    assert_eq!(Reason::from_header(&header).unwrap(), r);
    assert!(Reason::parse("   ").is_err());
    assert!(Reason::parse(&"x".repeat(501)).is_err());
    assert!(Reason::parse(&"语".repeat(500)).is_ok());
    assert!(Reason::parse("a\u{7}b").is_err());
    assert!(Reason::from_header("%FF").is_err());
}

#[test]
fn permissions_and_refusals() {
    for p in Permission::ALL {
        assert_eq!(Permission::parse(p.as_str()).unwrap(), p);
    }
    assert!(Permission::parse("terminate").is_err());
    let me = Me {
        operator: "vera".into(),
        email: None,
        groups: vec![],
        mode: "tokens".into(),
        roles: vec!["viewer".into()],
        permissions: vec!["read".into()],
        require_reason: vec!["TERMINATE".into()],
    };
    assert!(me.may(Permission::Read));
    assert_eq!(
        me.refusal(Permission::Operate(OperateType::Terminate))
            .as_deref(),
        Some("Your role viewer may not TERMINATE.")
    );
    assert!(me.reason_required(OperateType::Terminate));
    assert!(!me.reason_required(OperateType::Resume));
}

#[test]
fn audit_queries_round_trip_and_refuse_nonsense() {
    let q = ListAudit {
        execution_id: Some(ExecutionId::parse("EX1").unwrap()),
        operator: Some("ana".into()),
        outcome: Some(Outcome::Unknown),
        from: Some(5),
        cursor: Some("120".into()),
        limit: Some(20),
        ..ListAudit::default()
    };
    assert_eq!(ListAudit::from_query(&q.query()).unwrap(), q);
    for bad in [
        [("limit", "0")],
        [("limit", "501")],
        [("outcome", "ok")],
        [("operation", "DELETE")],
        [("cursor", "abc")],
        [("from", "-1")],
        [("execution_id", "../x")],
        [("nope", "1")],
    ] {
        assert!(ListAudit::from_query(&bad).is_err(), "{bad:?}");
    }
    assert!(ListAudit::from_query(&[("from", "9"), ("to", "3")]).is_err());
}

#[test]
fn audit_pages_decode_and_errors_keep_their_fields() {
    let body = br#"{"records":[{"id":"7","at":1,"operator":"ana","roles":["operator"],"source":"127.0.0.1","execution_id":"EX1","operation":"TERMINATE","reason":"stuck","request_id":"r1","outcome":"unknown"}],"next_cursor":"7"}"#;
    let page = ListAudit::default()
        .parse_response(&HttpResponse::new(200, &[], body))
        .unwrap();
    assert_eq!(page.records[0].outcome, Outcome::Unknown);
    assert_eq!(page.next_cursor.as_deref(), Some("7"));
    let err = GetMe
        .parse_response(&HttpResponse::new(
            401,
            &[],
            br#"{"error_code":"GATEWAY.UNAUTHENTICATED","error_msg":"no token"}"#,
        ))
        .unwrap_err();
    assert_eq!(err.error_code(), Some("GATEWAY.UNAUTHENTICATED"));
    assert!(
        GetMe
            .parse_response(&HttpResponse::new(200, &[], b"[]"))
            .is_err()
    );
}

#[test]
fn the_operator_token_and_reason_travel_as_headers_and_hide_in_debug() {
    let endpoint = Endpoint::new("http://127.0.0.1:8080", Auth::None)
        .unwrap()
        .with_operator_token(" cocpat_secret\n")
        .unwrap();
    assert!(!format!("{endpoint:?}").contains("cocpat_secret"));
    let op = OperateExecution::new("EX1", OperateType::Terminate)
        .unwrap()
        .with_reason(Some(Reason::parse("stuck batch, INC-9").unwrap()));
    let req = endpoint.prepare(&op, UnixTime::from_secs(0)).unwrap();
    assert_eq!(req.header("Authorization"), Some("Bearer cocpat_secret"));
    assert_eq!(req.header(REASON_HEADER), Some("stuck%20batch%2C%20INC-9"));
    // Without either, neither header is sent.
    let plain = Endpoint::new("http://127.0.0.1:8080", Auth::None).unwrap();
    let req = plain
        .prepare(
            &OperateExecution::new("EX1", OperateType::Resume).unwrap(),
            UnixTime::from_secs(0),
        )
        .unwrap();
    assert_eq!(req.header("Authorization"), None);
    assert_eq!(req.header(REASON_HEADER), None);
    assert!(
        Endpoint::new("http://h", Auth::None)
            .unwrap()
            .with_operator_token("a b")
            .is_err()
    );
}
