//! The official Python SDK through the gateway in local mode, the gateway
//! signing with its own AK/SK for a signature-checking embedded simulator:
//! operator identity (local) and upstream auth (AK/SK) combined, and a
//! script client the audit trail records.
//!
//! Ignored by default (it needs Python and the SDK); `cargo xtask test`
//! runs it with `COC_SDK_PYTHON` set.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

mod common;

use std::net::SocketAddr;

use coc_core::Credentials;
use coc_core::gateway::AuditPage;
use coc_gateway::audit::AuditDb;
use coc_gateway::operators::OperatorsConfig;
use coc_gateway::{Config, SimSettings, UpstreamAuth, UpstreamChoice};
use common::*;

#[tokio::test]
#[ignore = "needs Python with huaweicloudsdkcoc; set COC_SDK_PYTHON"]
async fn official_python_sdk_through_the_gateway_in_local_mode() {
    let python = std::env::var("COC_SDK_PYTHON")
        .expect("set COC_SDK_PYTHON to a python that has huaweicloudsdkcoc");
    let dir = tempfile::tempdir().unwrap();
    let gw = gateway(Config {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        upstream: UpstreamChoice::Simulator(SimSettings {
            manual_clock: true,
            ..SimSettings::default()
        }),
        auth: UpstreamAuth::Sign(Credentials::new("GATEWAYAK0000000001", "gateway-own-sk")),
        operators: OperatorsConfig::Local {
            name: "sdk-script".into(),
        },
        // The SDK has no way to send X-Coc-Ops-Reason.
        require_reason: Vec::new(),
        audit_db: AuditDb::Sqlite(dir.path().join("audit.sqlite").display().to_string()),
        ..Config::default()
    })
    .await;
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../simulator/tests/sdk/official_sdk.py"
    );
    let out = tokio::process::Command::new(python)
        .args([
            script,
            &gw.url,
            "SDKCLIENTAK",
            "sdk-client-sk",
            "via-gateway",
        ])
        .output()
        .await
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "stdout:\n{stdout}\nstderr:\n{stderr}");
    println!("{stdout}");
    assert!(stdout.contains("official sdk ok through the gateway"));
    let page: AuditPage = client()
        .get(format!("{}/gateway/v1/audit?operator=sdk-script", gw.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ops: Vec<(&str, &str)> = page
        .records
        .iter()
        .map(|r| (r.operation.as_str(), r.outcome.as_str()))
        .collect();
    assert_eq!(
        ops,
        [
            ("TERMINATE", "failed"),
            ("TERMINATE", "succeeded"),
            ("ExecuteDocument", "succeeded")
        ]
    );
    assert!(page.records[2].new_execution_id.is_some());
}
