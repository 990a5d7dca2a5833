//! The official Python SDK against a signature-checking simulator.
//!
//! Ignored by default (it needs Python and the SDK): run with
//! `COC_SDK_PYTHON=/tmp/sdkvenv/bin/python cargo test -p coc-simulator --test official_sdk -- --ignored`
//! after `python3 -m venv /tmp/sdkvenv && /tmp/sdkvenv/bin/pip install -r crates/simulator/tests/sdk/requirements.txt`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

mod common;

use coc_simulator::Config;

#[tokio::test]
#[ignore = "needs Python with huaweicloudsdkcoc; set COC_SDK_PYTHON"]
async fn official_python_sdk_talks_to_the_simulator() {
    let python = std::env::var("COC_SDK_PYTHON")
        .expect("set COC_SDK_PYTHON to a python that has huaweicloudsdkcoc (see this file's docs)");
    let srv = common::start(Config {
        credentials: Some(("SDKTESTAK".to_owned(), "SDKTESTSK".to_owned())),
        ..Config::manual()
    })
    .await;
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/sdk/official_sdk.py");
    let out = tokio::process::Command::new(python)
        .args([script, &srv.base, "SDKTESTAK", "SDKTESTSK"])
        .output()
        .await
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "stdout:\n{stdout}\nstderr:\n{stderr}");
    println!("{stdout}");
    assert!(stdout.contains("official sdk ok"));
    // The SDK's calls reached the service.
    assert!(srv.sim.ticket_count() > 44);
}
