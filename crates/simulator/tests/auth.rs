//! AK/SK-required mode: requests signed by `coc_core` pass, anything else
//! gets the API gateway's 401.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use coc_core::{
    Auth, Credentials, Endpoint, ExecuteDocument, GetExecution, HttpRequest,
    ListExecutionInstances, ListExecutionSteps, ListExecutions, Method, OperateExecution,
    OperateType, Operation, UnixTime, parse_tags,
};
use coc_simulator::*;
use common::{Answer, Server, answer, start};
use serde_json::json;

const AK: &str = "HPUAEXAMPLEAK0000001";
const SK: &str = "sEcReT/Key+with=odd~chars0000000000000001";

async fn signed_server() -> Server {
    start(Config {
        credentials: Some((AK.to_owned(), SK.to_owned())),
        ..Config::manual()
    })
    .await
}

fn endpoint(srv: &Server, ak: &str, sk: &str) -> Endpoint {
    Endpoint::new(&srv.base, Auth::AkSk(Credentials::new(ak, sk))).unwrap()
}

/// Sends a request built by the core exactly as built.
async fn send(srv: &Server, req: &HttpRequest) -> Answer {
    let method = match req.method {
        Method::Get => reqwest::Method::GET,
        Method::Post => reqwest::Method::POST,
    };
    let mut b = srv.http.request(method, &req.url);
    for (k, v) in &req.headers {
        b = b.header(k, v);
    }
    answer(b.body(req.body.clone()).send().await.unwrap()).await
}

fn now() -> UnixTime {
    UnixTime::from_millis(DEFAULT_START_MS)
}

async fn call<O: Operation>(srv: &Server, ep: &Endpoint, op: &O) -> Answer {
    send(srv, &ep.prepare(op, now()).unwrap()).await
}

fn assert_refused(a: &Answer, hint: &str) {
    assert_eq!(a.status, 401, "{}", a.text);
    assert_eq!(a.error_code(), error::AUTH_FAILED);
    assert!(
        a.error_msg()
            .starts_with("Incorrect IAM authentication information"),
        "{}",
        a.text
    );
    assert!(a.error_msg().contains(hint), "{hint:?} not in {}", a.text);
    assert_eq!(
        a.json["request_id"],
        a.request_id(),
        "body and header ids agree"
    );
}

#[tokio::test]
async fn every_route_accepts_requests_signed_by_the_core() {
    let srv = signed_server().await;
    let ep = endpoint(&srv, AK, SK);

    let a = call(&srv, &ep, &GetExecution::new(TICKET_RUNNING).unwrap()).await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.json["data"]["execution_id"], TICKET_RUNNING);

    // Query values that need encoding: tags with '=' and ',', a space.
    let list = ListExecutions {
        limit: Some(5),
        creator: Some("wang fang".to_owned()),
        tags: parse_tags("env=prod,team=sre").unwrap(),
        exclude_child_executions: Some(true),
        ..Default::default()
    };
    let a = call(&srv, &ep, &list).await;
    assert_eq!(a.status, 200, "{}", a.text);
    let a = call(
        &srv,
        &ep,
        &ListExecutions {
            limit: Some(3),
            tags: parse_tags("env=prod").unwrap(),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.json["data"].as_array().unwrap().len(), 3);

    let a = call(&srv, &ep, &ListExecutionSteps::new(TICKET_RUNNING).unwrap()).await;
    assert_eq!(a.status, 200, "{}", a.text);
    let step = a.json["data"][0]["execution_step_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let a = call(&srv, &ep, &ListExecutionInstances::new(&step).unwrap()).await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.json["total"], 3);

    let body = serde_json::from_value(
        json!({"description": "signed", "parameters": [{"key": "k", "value": "v"}]}),
    )
    .unwrap();
    let a = call(&srv, &ep, &ExecuteDocument::new(DOC_NORMAL, body).unwrap()).await;
    assert_eq!(a.status, 200, "{}", a.text);
    let new_id = a.json["data"].as_str().unwrap().to_owned();

    let a = call(
        &srv,
        &ep,
        &OperateExecution::new(&new_id, OperateType::Terminate).unwrap(),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.text);
    let a = call(&srv, &ep, &GetExecution::new(&new_id).unwrap()).await;
    assert_eq!(a.json["data"]["status"], "Canceling");
}

#[tokio::test]
async fn wrong_secret_unknown_key_and_no_signature_are_refused() {
    let srv = signed_server().await;
    let op = GetExecution::new(TICKET_RUNNING).unwrap();

    let a = call(&srv, &endpoint(&srv, AK, "not-the-secret"), &op).await;
    assert_refused(&a, "verify aksk signature fail");
    // Like the real gateway, it echoes the canonical request with '|' for newlines.
    assert!(
        a.error_msg()
            .contains(&format!("GET|/v1/executions/{TICKET_RUNNING}/|")),
        "{}",
        a.text
    );

    let a = call(&srv, &endpoint(&srv, "SOMEONE-ELSE", SK), &op).await;
    assert_refused(&a, "unknown access key");

    let a = srv.get(&format!("/v1/executions/{TICKET_RUNNING}")).await;
    assert_refused(&a, "no SDK-HMAC-SHA256 authorization header");

    let token = Endpoint::new(&srv.base, Auth::Token("a-token".to_owned())).unwrap();
    let a = call(&srv, &token, &op).await;
    assert_refused(&a, "authorization header");

    // Refusals still carry X-request-id; control routes stay open.
    assert_eq!(srv.get("/__sim/clock").await.status, 200);
}

#[tokio::test]
async fn tampering_after_signing_is_refused_and_nothing_is_applied() {
    let srv = signed_server().await;
    let ep = endpoint(&srv, AK, SK);

    let mut req = ep
        .prepare(
            &ListExecutions {
                limit: Some(5),
                ..Default::default()
            },
            now(),
        )
        .unwrap();
    req.url = req.url.replace("limit=5", "limit=6");
    assert_refused(&send(&srv, &req).await, "verify aksk signature fail");

    let mut req = ep
        .prepare(
            &OperateExecution::new(TICKET_PENDING, OperateType::Resume).unwrap(),
            now(),
        )
        .unwrap();
    req.body = json!({"execution_id": TICKET_RUNNING, "operate_type": "TERMINATE"})
        .to_string()
        .into_bytes();
    assert_refused(&send(&srv, &req).await, "verify aksk signature fail");

    let mut req = ep
        .prepare(&GetExecution::new(TICKET_RUNNING).unwrap(), now())
        .unwrap();
    req.set_header("Host", "evil.example.com");
    assert_refused(&send(&srv, &req).await, "verify aksk signature fail");

    let mut req = ep
        .prepare(&GetExecution::new(TICKET_RUNNING).unwrap(), now())
        .unwrap();
    req.headers
        .retain(|(k, _)| !k.eq_ignore_ascii_case("x-sdk-date"));
    assert_refused(&send(&srv, &req).await, "x-sdk-date");

    assert_eq!(
        srv.sim
            .execution(TICKET_RUNNING)
            .unwrap()
            .status
            .unwrap()
            .as_str(),
        "Running"
    );
    assert_eq!(
        srv.sim
            .execution(TICKET_PENDING)
            .unwrap()
            .status
            .unwrap()
            .as_str(),
        "Pending"
    );
    assert!(srv.sim.operations(TICKET_RUNNING).is_empty());
}
