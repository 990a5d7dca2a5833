//! The gateway against real simulators: the embedded one (simulator mode,
//! control routes, every fault knob) and a second, standalone one that
//! requires AK/SK signatures (forwarding mode, signing end to end).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use coc_core::Credentials;
use coc_gateway::{Config, Running, SimSettings, UpstreamAuth, UpstreamChoice};
use coc_simulator::{Clock, Simulator, TICKET_BATCH_RUNNING, TICKET_RUNNING, TICKET_SUCCEED};
use common::*;
use serde_json::{Value, json};

const AK: &str = "GATEWAYTESTAK0000001";
const SK: &str = "gateway-test-sk-9c1f0e2d7b6a5948372615";

fn sim_mode(settings: SimSettings) -> Config {
    Config {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        upstream: UpstreamChoice::Simulator(settings),
        require_reason: Vec::new(),
        ..Config::default()
    }
}

fn manual() -> SimSettings {
    SimSettings {
        manual_clock: true,
        ..SimSettings::default()
    }
}

async fn get_json(gw: &Running, path: &str) -> (u16, Value) {
    let r = client()
        .get(format!("{}{path}", gw.url))
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap())
}

async fn post_json(gw: &Running, path: &str, body: Value) -> (u16, Value) {
    let r = client()
        .post(format!("{}{path}", gw.url))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

async fn put_faults(gw: &Running, faults: Value) {
    let r = client()
        .put(format!("{}/__sim/faults", gw.url))
        .json(&faults)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
}

#[tokio::test]
async fn all_six_operations_work_through_the_gateway_in_simulator_mode() {
    let gw = gateway(sim_mode(manual())).await;
    assert!(
        gw.start_line
            .ends_with("(simulator mode, seed 42, manual clock)"),
        "{}",
        gw.start_line
    );
    // The embedded simulator listens on its own loopback port, not ours.
    let sim = gw.simulator.as_ref().unwrap();
    assert_ne!(sim.base_url(), gw.url);

    let (status, list) = get_json(&gw, "/v1/executions?limit=5").await;
    assert_eq!(status, 200);
    assert_eq!(list["data"].as_array().unwrap().len(), 5);
    assert!(list["total"].as_u64().unwrap() > 5);

    let (status, ticket) = get_json(&gw, &format!("/v1/executions/{TICKET_RUNNING}")).await;
    assert_eq!(status, 200);
    assert_eq!(ticket["data"]["execution_id"], TICKET_RUNNING);
    assert_eq!(ticket["data"]["status"], "Running");

    let (status, steps) = get_json(&gw, &format!("/v1/executions/{TICKET_RUNNING}/steps")).await;
    assert_eq!(status, 200);
    let step_id = steps["data"][0]["execution_step_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, instances) = get_json(
        &gw,
        &format!("/v1/executions/instances?execution_step_id={step_id}"),
    )
    .await;
    assert_eq!(status, 200);
    assert!(!instances["data"].as_array().unwrap().is_empty());

    let (status, started) = post_json(
        &gw,
        &format!("/v1/documents/{}", coc_simulator::DOC_NORMAL),
        json!({"description": "started through the gateway"}),
    )
    .await;
    assert_eq!(status, 200, "{started}");
    let new_id = started["data"].as_str().unwrap().to_owned();
    assert!(new_id.starts_with("EX"));

    // The unknown-id answer of the real service: data null.
    let (status, missing) = get_json(&gw, "/v1/executions/EX2099010100000000zzzzzz").await;
    assert_eq!(status, 200);
    assert_eq!(missing["data"], Value::Null);
}

#[tokio::test]
async fn operations_and_the_manual_clock_through_control_routes() {
    let gw = gateway(sim_mode(manual())).await;
    let (status, _) = post_json(
        &gw,
        "/v1/executions",
        json!({"execution_id": TICKET_RUNNING, "operate_type": "TERMINATE"}),
    )
    .await;
    assert_eq!(status, 200);
    let (_, t) = get_json(&gw, &format!("/v1/executions/{TICKET_RUNNING}")).await;
    assert_eq!(t["data"]["status"], "Canceling");

    let (_, before) = get_json(&gw, "/__sim/clock").await;
    assert_eq!(before["mode"], "manual");
    let (status, after) = post_json(
        &gw,
        "/__sim/advance",
        json!({"ms": coc_simulator::CANCEL_DELAY_MS + 1}),
    )
    .await;
    assert_eq!(status, 200, "{after}");
    assert!(after["now_ms"].as_i64().unwrap() > before["now_ms"].as_i64().unwrap());
    let (_, t) = get_json(&gw, &format!("/v1/executions/{TICKET_RUNNING}")).await;
    assert_eq!(t["data"]["status"], "Canceled");

    // A refused operation is the simulator's 400, passed through as sent.
    let r = client()
        .post(format!("{}/v1/executions", gw.url))
        .json(&json!({"execution_id": TICKET_SUCCEED, "operate_type": "TERMINATE"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let rid = r.headers()["x-request-id"].to_str().unwrap().to_owned();
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error_code"], "COC.00040201");
    // The simulator's own request id, not one the gateway made up.
    let ops: Value = get_json(&gw, &format!("/__sim/tickets/{TICKET_SUCCEED}/operations"))
        .await
        .1;
    assert!(ops.to_string().contains("TERMINATE"), "{ops}");
    assert!(!rid.is_empty());

    // Reset brings the running ticket back.
    let (status, _) = post_json(&gw, "/__sim/reset", json!({})).await;
    assert_eq!(status, 200);
    let (_, t) = get_json(&gw, &format!("/v1/executions/{TICKET_RUNNING}")).await;
    assert_eq!(t["data"]["status"], "Running");

    // SKIP_BATCH moves the batch ticket on.
    let (status, _) = post_json(
        &gw,
        "/v1/executions",
        json!({"execution_id": TICKET_BATCH_RUNNING, "operate_type": "SKIP_BATCH"}),
    )
    .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn control_routes_are_origin_checked() {
    let gw = gateway(sim_mode(manual())).await;
    let r = client()
        .post(format!("{}/__sim/reset", gw.url))
        .header("origin", "https://evil.example.test")
        .header("content-type", "text/plain")
        .send()
        .await
        .unwrap();
    expect_error(r, 403, "GATEWAY.ORIGIN_NOT_ALLOWED").await;
    let r = client()
        .get(format!("{}/__sim/nope", gw.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn fault_knob_error_rate_passes_the_coc_500_through() {
    let gw = gateway(sim_mode(manual())).await;
    put_faults(&gw, json!({"error_rate": 1.0})).await;
    let r = client()
        .get(format!("{}/v1/executions/{TICKET_RUNNING}", gw.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 500);
    assert!(r.headers().contains_key("x-request-id"));
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error_code"], "COC.00050000");
    put_faults(&gw, json!({})).await;
    assert_eq!(
        get_json(&gw, &format!("/v1/executions/{TICKET_RUNNING}"))
            .await
            .0,
        200
    );
}

#[tokio::test]
async fn fault_knob_html_502_passes_the_page_through() {
    let gw = gateway(sim_mode(manual())).await;
    put_faults(&gw, json!({"html_502_rate": 1.0})).await;
    let r = client()
        .get(format!("{}/v1/executions", gw.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 502);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(r.headers().contains_key("x-request-id"));
    assert!(r.text().await.unwrap().contains("502 Bad Gateway"));
}

#[tokio::test]
async fn fault_knob_drop_is_a_gateway_bad_response() {
    let gw = gateway(sim_mode(manual())).await;
    put_faults(&gw, json!({"drop_rate": 1.0})).await;
    let r = client()
        .post(format!("{}/v1/executions", gw.url))
        .json(&json!({"execution_id": TICKET_RUNNING, "operate_type": "TERMINATE"}))
        .send()
        .await
        .unwrap();
    // The gateway cannot tell a drop before the service from one after it.
    expect_error(r, 502, "GATEWAY.OUTCOME_UNKNOWN").await;
    // Dropped before it reached the service: not applied, and not retried.
    let sim = gw.simulator.as_ref().unwrap().simulator();
    assert!(sim.operations(TICKET_RUNNING).is_empty());
    assert_eq!(
        sim.execution(TICKET_RUNNING)
            .unwrap()
            .status_or_unknown()
            .as_str(),
        "Running"
    );
}

#[tokio::test]
async fn fault_knob_latency_delays_or_times_out() {
    let mut config = sim_mode(SimSettings {
        latency_ms: 60,
        ..manual()
    });
    config.timeout = Duration::from_millis(1_000);
    let gw = gateway(config).await;
    let started = std::time::Instant::now();
    assert_eq!(get_json(&gw, "/v1/executions?limit=1").await.0, 200);
    let delayed = started.elapsed();
    assert!(delayed >= Duration::from_millis(60), "{delayed:?}");

    put_faults(&gw, json!({"latency_ms": 5_000})).await;
    let started = std::time::Instant::now();
    let r = client()
        .get(format!("{}/v1/executions?limit=1", gw.url))
        .send()
        .await
        .unwrap();
    expect_error(r, 504, "GATEWAY.UPSTREAM_TIMEOUT").await;
    let timed_out = started.elapsed();
    assert!(timed_out < Duration::from_millis(4_000), "{timed_out:?}");
}

#[tokio::test]
async fn fault_flags_apply_from_the_start_and_are_validated() {
    let gw = gateway(sim_mode(SimSettings {
        error_rate: 1.0,
        ..manual()
    }))
    .await;
    assert_eq!(get_json(&gw, "/v1/executions").await.0, 500);
    let err = coc_gateway::spawn(&sim_mode(SimSettings {
        drop_rate: 1.5,
        ..manual()
    }))
    .await
    .unwrap_err();
    assert!(err.to_string().contains("drop_rate"), "{err}");
}

/// A standalone simulator that requires signatures by (AK, SK).
async fn signing_simulator() -> (String, Simulator, tokio::task::JoinHandle<()>) {
    let sim = Simulator::new(coc_simulator::Config {
        seed: 7,
        clock: Clock::Manual {
            start_ms: coc_simulator::DEFAULT_START_MS,
        },
        credentials: Some((AK.to_owned(), SK.to_owned())),
        faults: Default::default(),
    });
    let (url, task) = serve(sim.router()).await;
    (url, sim, task)
}

fn signing(upstream: &str, creds: Credentials) -> Config {
    let mut config = forwarding(upstream);
    config.auth = UpstreamAuth::Sign(creds);
    config
}

#[tokio::test]
async fn forwarding_signs_requests_that_a_verifying_simulator_accepts() {
    let (url, sim, _task) = signing_simulator().await;
    // The simulator refuses unsigned requests.
    let r = client()
        .get(format!("{url}/v1/executions/{TICKET_RUNNING}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);

    for creds in [
        Credentials::new(AK, SK),
        // Scope headers and a security token are signed too.
        Credentials::new(AK, SK)
            .with_security_token("temporary-token-value")
            .with_domain_id("0a1b2c3d4e5f")
            .with_project_id("9f8e7d6c5b4a"),
    ] {
        let gw = gateway(signing(&url, creds)).await;
        assert!(
            gw.start_line.contains("signing with AK/SK"),
            "{}",
            gw.start_line
        );
        for path in [
            format!("/v1/executions/{TICKET_RUNNING}"),
            "/v1/executions?limit=3&creator=li.na&tags=env%3Dprod".to_owned(),
            format!("/v1/executions/{TICKET_RUNNING}/steps?limit=2"),
        ] {
            let r = client()
                .get(format!("{}{path}", gw.url))
                .send()
                .await
                .unwrap();
            let status = r.status();
            assert_eq!(status, 200, "{path}: {}", r.text().await.unwrap());
        }
        // A signed POST with a body.
        let (status, body) = post_json(
            &gw,
            "/v1/executions",
            json!({"execution_id": TICKET_BATCH_RUNNING, "operate_type": "SKIP_BATCH"}),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        sim.reset();
    }
    assert_eq!(
        sim.operations(TICKET_BATCH_RUNNING).len(),
        0,
        "reset clears the log"
    );
}

#[tokio::test]
async fn a_wrong_secret_key_is_refused_by_the_upstream_and_passed_through() {
    let (url, sim, _task) = signing_simulator().await;
    let gw = gateway(signing(
        &url,
        Credentials::new(AK, "not-the-right-secret-key"),
    ))
    .await;
    let r = client()
        .post(format!("{}/v1/executions", gw.url))
        .json(&json!({"execution_id": TICKET_RUNNING, "operate_type": "TERMINATE"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert!(r.headers().contains_key("x-request-id"));
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error_code"], "APIGW.0301");
    assert!(
        sim.operations(TICKET_RUNNING).is_empty(),
        "applied despite a bad signature"
    );

    // Unsigned forwarding (auth none) is refused the same way.
    let gw = gateway(forwarding(&url)).await;
    let r = client()
        .get(format!("{}/v1/executions", gw.url))
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(r).await, (401, "APIGW.0301".into()));
}

#[tokio::test]
async fn simulator_mode_with_aksk_verifies_its_own_signatures() {
    let mut config = sim_mode(manual());
    config.auth = UpstreamAuth::Sign(Credentials::new(AK, SK));
    let gw = gateway(config).await;
    assert!(
        gw.start_line.ends_with("signing with AK/SK)"),
        "{}",
        gw.start_line
    );
    assert_eq!(
        get_json(&gw, &format!("/v1/executions/{TICKET_RUNNING}"))
            .await
            .0,
        200
    );
    // Straight to the embedded simulator without a signature: refused.
    let sim_url = gw.simulator.as_ref().unwrap().base_url();
    let r = client()
        .get(format!("{sim_url}/v1/executions/{TICKET_RUNNING}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}

#[tokio::test]
async fn a_gateway_can_forward_to_another_gateway() {
    // Any COC client can use the gateway as its endpoint, a gateway included.
    let inner = gateway(sim_mode(manual())).await;
    let outer = gateway(forwarding(&inner.url)).await;
    let (status, t) = get_json(&outer, &format!("/v1/executions/{TICKET_RUNNING}")).await;
    assert_eq!(status, 200);
    assert_eq!(t["data"]["execution_id"], TICKET_RUNNING);
}
