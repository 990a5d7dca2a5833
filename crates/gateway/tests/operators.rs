//! Who may operate, and who did, through real gateways on 127.0.0.1: the
//! three operator modes, permissions, reasons, and the audit trail read
//! back over HTTP (SQLite on a real file).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::net::IpAddr;
use std::path::Path;
use std::time::SystemTime;

use coc_core::gateway::{AuditPage, Me, Outcome};
use coc_gateway::Config;
use coc_gateway::audit::AuditDb;
use coc_gateway::operators::{OperatorsConfig, Policy, ProxyHeaders, Role, tokens};
use coc_simulator::{TICKET_BATCH_RUNNING, TICKET_FAILED, TICKET_RUNNING};
use common::*;

fn audit_file(dir: &Path) -> AuditDb {
    AuditDb::Sqlite(dir.join("audit.sqlite").display().to_string())
}

fn sim(dir: &Path, operators: OperatorsConfig) -> Config {
    Config {
        operators,
        ..manual_sim(audit_file(dir))
    }
}

#[tokio::test]
async fn tokens_identify_operators_and_a_revoked_token_is_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("operators.toml");
    let ana = tokens::add(&file, "ana", Role::Operator, SystemTime::now()).unwrap();
    let vera = tokens::add(&file, "vera", Role::Viewer, SystemTime::now()).unwrap();
    let gw = gateway(sim(
        dir.path(),
        OperatorsConfig::Tokens { file: file.clone() },
    ))
    .await;
    let c = client();

    let r = get(format!("{}/gateway/v1/me", gw.url)).await;
    expect_error(r, 401, "GATEWAY.UNAUTHENTICATED").await;
    let r = c
        .get(format!("{}/v1/executions/{TICKET_RUNNING}", gw.url))
        .bearer_auth("cocpat_00000000_forged")
        .send()
        .await
        .unwrap();
    expect_error(r, 401, "GATEWAY.UNAUTHENTICATED").await;

    let me: Me = c
        .get(format!("{}/gateway/v1/me", gw.url))
        .bearer_auth(&ana)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me.operator, "ana");
    assert_eq!(me.mode, "tokens");
    assert_eq!(me.roles, ["operator"]);
    assert_eq!(
        me.permissions,
        ["read", "RESUME", "RETRY", "SKIP_BATCH", "TERMINATE"]
    );
    assert_eq!(me.require_reason, ["TERMINATE", "SKIP_BATCH"]);

    let read = |t: String| {
        let c = c.clone();
        let url = format!("{}/v1/executions/{TICKET_RUNNING}", gw.url);
        async move { c.get(url).bearer_auth(t).send().await.unwrap().status() }
    };
    assert_eq!(read(vera.clone()).await, 200);
    tokens::revoke(&file, "vera").unwrap();
    assert_eq!(read(vera).await, 401, "a revoked token still reads");
    assert_eq!(read(ana).await, 200);
}

#[tokio::test]
async fn a_viewers_terminate_is_refused_recorded_and_never_reaches_the_simulator() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("operators.toml");
    let vera = tokens::add(&file, "vera", Role::Viewer, SystemTime::now()).unwrap();
    let gw = gateway(sim(dir.path(), OperatorsConfig::Tokens { file })).await;
    let c = client();
    let r = operate(
        &c,
        &gw.url,
        TICKET_RUNNING,
        "TERMINATE",
        Some(&vera),
        Some("trying"),
    )
    .send()
    .await
    .unwrap();
    let status = r.status().as_u16();
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(status, 403);
    assert_eq!(body["error_code"], "GATEWAY.FORBIDDEN");
    let msg = body["error_msg"].as_str().unwrap();
    assert!(
        msg.contains("vera") && msg.contains("viewer") && msg.contains("TERMINATE"),
        "{msg}"
    );
    let sim = gw.simulator.as_ref().unwrap().simulator();
    assert!(
        sim.operations(TICKET_RUNNING).is_empty(),
        "the refused TERMINATE reached the simulator"
    );
    // Viewers may read the trail, and the refusal is in it.
    let page = audit_page(
        &c,
        &gw.url,
        &format!("execution_id={TICKET_RUNNING}"),
        Some(&vera),
    )
    .await;
    let [rec] = page.records.as_slice() else {
        panic!("{page:?}")
    };
    assert_eq!(rec.operator, "vera");
    assert_eq!(rec.outcome, Outcome::Refused);
    assert_eq!(rec.operation, "TERMINATE");
    assert_eq!(rec.reason.as_deref(), Some("trying"));
    assert_eq!(rec.http_status, Some(403));
    assert_eq!(rec.error_code.as_deref(), Some("GATEWAY.FORBIDDEN"));
    // No token, not even part of one, is in the record.
    let text = serde_json::to_string(rec).unwrap();
    assert!(!text.contains(vera.rsplit('_').next().unwrap()), "{text}");
}

#[tokio::test]
async fn reasons_are_required_recorded_and_never_forwarded_nor_is_the_token() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("operators.toml");
    let ana = tokens::add(&file, "ana", Role::Operator, SystemTime::now()).unwrap();
    let up = recorder().await;
    let gw = gateway(Config {
        operators: OperatorsConfig::Tokens { file },
        audit_db: audit_file(dir.path()),
        require_reason: coc_gateway::DEFAULT_REQUIRE_REASON.to_vec(),
        ..forwarding(&up.url)
    })
    .await;
    let c = client();
    let id = "EX2025070121014501aaaaaa";
    let r = operate(&c, &gw.url, id, "SKIP_BATCH", Some(&ana), None)
        .send()
        .await
        .unwrap();
    expect_error(r, 400, "GATEWAY.REASON_REQUIRED").await;
    assert_eq!(up.count(), 0, "forwarded without a reason");
    // RESUME is not in the default list.
    let r = operate(&c, &gw.url, id, "RESUME", Some(&ana), None)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    let reason = "batch 2 stuck on 变更 #7, INC-42";
    let r = operate(&c, &gw.url, id, "SKIP_BATCH", Some(&ana), Some(reason))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let gateway_id = r.headers()["x-gateway-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let record_id = r.headers()["x-coc-audit-record"]
        .to_str()
        .unwrap()
        .to_owned();
    let seen = up.last();
    assert_eq!(seen.method, "POST");
    for h in ["x-coc-ops-reason", "authorization"] {
        assert_eq!(seen.header(h), None, "{h} was forwarded");
    }
    assert!(!String::from_utf8_lossy(&seen.body).contains("INC-42"));

    let page = audit_page(&c, &gw.url, &format!("execution_id={id}"), Some(&ana)).await;
    let outcomes: Vec<(&str, Outcome)> = page
        .records
        .iter()
        .map(|r| (r.operation.as_str(), r.outcome))
        .collect();
    assert_eq!(
        outcomes,
        [
            ("SKIP_BATCH", Outcome::Succeeded),
            ("RESUME", Outcome::Succeeded),
            ("SKIP_BATCH", Outcome::Refused)
        ]
    );
    let rec = &page.records[0];
    assert_eq!(rec.id, record_id);
    assert_eq!(rec.reason.as_deref(), Some(reason));
    assert_eq!(rec.request_id, gateway_id);
    assert_eq!(rec.upstream_request_id.as_deref(), Some("upstream-req-1"));
    assert_eq!(rec.roles, ["operator"]);
    assert_eq!(rec.source, "127.0.0.1");
    assert!(rec.user_agent.is_none() || rec.latency_ms.is_some());
    assert_eq!(
        page.records[2].error_code.as_deref(),
        Some("GATEWAY.REASON_REQUIRED")
    );
}

#[tokio::test]
async fn proxy_identity_is_believed_only_from_trusted_addresses_and_is_stripped() {
    let dir = tempfile::tempdir().unwrap();
    let up = recorder().await;
    let policy = Policy::parse("[groups.sre]\nrole = \"operator\"\n").unwrap();
    let gw = gateway(Config {
        operators: OperatorsConfig::Proxy {
            headers: ProxyHeaders::default(),
            trusted: vec!["127.0.0.1/32".parse().unwrap()],
        },
        policy,
        audit_db: audit_file(dir.path()),
        ..forwarding(&up.url)
    })
    .await;
    let from = |ip: [u8; 4]| {
        coc_gateway::install_crypto_provider();
        reqwest::Client::builder()
            .no_proxy()
            .local_address(IpAddr::from(ip))
            .build()
            .unwrap()
    };
    let with_identity = |r: reqwest::RequestBuilder| {
        r.header("x-forwarded-user", "ana")
            .header("x-forwarded-email", "ana@example.com")
            .header("x-forwarded-groups", "sre,oncall")
            .header("x-forwarded-for", "203.0.113.5")
    };
    let trusted = from([127, 0, 0, 1]);
    let me: Me = with_identity(trusted.get(format!("{}/gateway/v1/me", gw.url)))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (me.operator.as_str(), me.email.as_deref(), me.mode.as_str()),
        ("ana", Some("ana@example.com"), "proxy")
    );
    assert_eq!(me.groups, ["sre", "oncall"]);
    assert_eq!(me.roles, ["operator"]);
    let r = with_identity(operate(
        &trusted,
        &gw.url,
        "EX2025070121014501aaaaaa",
        "TERMINATE",
        None,
        Some("runaway job"),
    ))
    .send()
    .await
    .unwrap();
    assert_eq!(r.status(), 200);
    let seen = up.last();
    for h in [
        "x-forwarded-user",
        "x-forwarded-email",
        "x-forwarded-groups",
    ] {
        assert_eq!(seen.header(h), None, "{h} was forwarded");
    }
    let page: AuditPage =
        with_identity(trusted.get(format!("{}/gateway/v1/audit?operator=ana", gw.url)))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    assert_eq!(page.records.len(), 1);
    assert_eq!(page.records[0].source, "203.0.113.5 via 127.0.0.1");
    assert_eq!(page.records[0].email.as_deref(), Some("ana@example.com"));

    // The same headers from 127.0.0.2 are refused, and nothing is sent.
    let before = up.count();
    let untrusted = from([127, 0, 0, 2]);
    let r = with_identity(operate(
        &untrusted,
        &gw.url,
        "EX2025070121014501aaaaaa",
        "TERMINATE",
        None,
        Some("forged"),
    ))
    .send()
    .await
    .unwrap();
    expect_error(r, 401, "GATEWAY.UNTRUSTED_IDENTITY").await;
    let r = untrusted
        .get(format!("{}/v1/executions/EX1", gw.url))
        .send()
        .await
        .unwrap();
    expect_error(r, 401, "GATEWAY.UNAUTHENTICATED").await;
    assert_eq!(up.count(), before);
}

#[tokio::test]
async fn the_trail_pages_filters_and_streams_as_json_lines() {
    let dir = tempfile::tempdir().unwrap();
    let gw = gateway(Config {
        require_reason: Vec::new(),
        ..sim(dir.path(), OperatorsConfig::Local { name: "lou".into() })
    })
    .await;
    let c = client();
    // Five attempts on two tickets; the failed ticket refuses SKIP_BATCH.
    for (id, op) in [
        (TICKET_FAILED, "RETRY"),
        (TICKET_BATCH_RUNNING, "SKIP_BATCH"),
        (TICKET_FAILED, "SKIP_BATCH"),
        (TICKET_BATCH_RUNNING, "SKIP_BATCH"),
        (TICKET_FAILED, "TERMINATE"),
    ] {
        operate(&c, &gw.url, id, op, None, None)
            .send()
            .await
            .unwrap();
    }
    let all = audit_page(&c, &gw.url, "limit=500", None).await;
    assert_eq!(all.records.len(), 5);
    assert!(all.next_cursor.is_none());
    assert!(all.records.iter().all(|r| r.operator == "lou"));
    // Pages of two, newest first, with no gaps or repeats.
    let mut walked = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = audit_page(&c, &gw.url, &format!("limit=2{cursor}"), None).await;
        walked.extend(page.records.iter().map(|r| r.id.clone()));
        match page.next_cursor {
            Some(next) => cursor = format!("&cursor={next}"),
            None => break,
        }
    }
    let ids: Vec<String> = all.records.iter().map(|r| r.id.clone()).collect();
    assert_eq!(walked, ids);
    let failed = audit_page(
        &c,
        &gw.url,
        &format!("execution_id={TICKET_FAILED}&outcome=failed"),
        None,
    )
    .await;
    assert!(!failed.records.is_empty());
    assert!(failed.records.iter().all(|r| r.outcome == Outcome::Failed
        && r.execution_id.as_deref() == Some(TICKET_FAILED)
        && r.error_code.is_some()));
    let skips = audit_page(&c, &gw.url, "operation=SKIP_BATCH", None).await;
    assert_eq!(skips.records.len(), 3);
    let none = audit_page(&c, &gw.url, "from=4102444800000", None).await;
    assert!(none.records.is_empty());
    let r = get(format!("{}/gateway/v1/audit?outcome=maybe", gw.url)).await;
    expect_error(r, 400, "GATEWAY.INVALID_REQUEST").await;

    let r = get(format!("{}/gateway/v1/audit.jsonl?limit=2", gw.url)).await;
    assert_eq!(r.headers()["content-type"], "application/x-ndjson");
    let text = r.text().await.unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 5, "{text}");
    assert_eq!(lines[0]["id"], ids[0].as_str());

    // No route writes to the trail.
    for method in [
        reqwest::Method::POST,
        reqwest::Method::DELETE,
        reqwest::Method::PUT,
    ] {
        let r = c
            .request(method.clone(), format!("{}/gateway/v1/audit", gw.url))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 405, "{method}");
    }
    let r = get(format!("{}/gateway/v1/nope", gw.url)).await;
    expect_error(r, 404, "GATEWAY.ROUTE_NOT_ALLOWED").await;
}
