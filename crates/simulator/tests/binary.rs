//! The `coc-simulator` binary: flags, environment, the start line.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::process::Stdio;
use std::time::Instant;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

const BIN: &str = env!("CARGO_BIN_EXE_coc-simulator");

/// Starts the binary on a free port and returns it with its base URL.
async fn run(args: &[&str], env: &[(&str, &str)]) -> (Child, String) {
    let started = Instant::now();
    let mut child = Command::new(BIN)
        .args(["--port", "0"])
        .args(args)
        .env_remove("HUAWEICLOUD_SDK_AK")
        .env_remove("HUAWEICLOUD_SDK_SK")
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let line = lines.next_line().await.unwrap().expect("a start line");
    println!("start line after {:?}: {line}", started.elapsed());
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .expect("the line says where it listens")
        .to_owned();
    (child, url)
}

async fn get(url: &str) -> (u16, Value) {
    // See tests/common: a client needs a crypto provider under feature unification.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let r = reqwest::get(url).await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn starts_with_the_given_seed_and_clock() {
    let (mut child, url) = run(
        &[
            "--seed",
            "7",
            "--manual-clock",
            "--start-ms",
            "1700000000000",
        ],
        &[],
    )
    .await;
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let (status, info) = get(&format!("{url}/__sim/info")).await;
    assert_eq!(status, 200);
    assert_eq!(info["seed"], 7);
    assert_eq!(info["clock"]["mode"], "manual");
    assert_eq!(info["clock"]["now_ms"], 1_700_000_000_000_i64);
    let (status, t) = get(&format!(
        "{url}/v1/executions/{}",
        coc_simulator::TICKET_RUNNING
    ))
    .await;
    assert_eq!(status, 200);
    assert_eq!(t["data"]["status"], "Running");
    child.kill().await.unwrap();
}

#[tokio::test]
async fn credentials_from_the_environment_require_signatures() {
    let (mut child, url) = run(
        &[],
        &[("HUAWEICLOUD_SDK_AK", "AK1"), ("HUAWEICLOUD_SDK_SK", "SK1")],
    )
    .await;
    let (status, body) = get(&format!("{url}/v1/executions")).await;
    assert_eq!(status, 401);
    assert_eq!(body["error_code"], "APIGW.0301");
    let (status, clock) = get(&format!("{url}/__sim/clock")).await;
    assert_eq!(status, 200);
    assert_eq!(clock["mode"], "wall");
    child.kill().await.unwrap();
}

#[tokio::test]
async fn fault_flags_apply_from_the_start() {
    let (mut child, url) = run(&["--manual-clock", "--error-rate", "1"], &[]).await;
    let (status, body) = get(&format!("{url}/v1/executions")).await;
    assert_eq!(status, 500);
    assert_eq!(body["error_code"], "COC.00050000");
    let (_, faults) = get(&format!("{url}/__sim/faults")).await;
    assert_eq!(faults["error_rate"], 1.0);
    child.kill().await.unwrap();
}

#[tokio::test]
async fn help_and_bad_flags() {
    let out = Command::new(BIN).arg("--help").output().await.unwrap();
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    for flag in [
        "--port",
        "--host",
        "--seed",
        "--manual-clock",
        "--ak",
        "--sk",
        "--latency-ms",
        "--error-rate",
        "--html-502-rate",
        "--drop-rate",
        "HUAWEICLOUD_SDK_AK",
    ] {
        assert!(help.contains(flag), "--help lacks {flag}");
    }
    let out = Command::new(BIN)
        .args(["--port", "0", "--drop-rate", "2"])
        .output()
        .await
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("drop_rate must be from 0 to 1"));
    let out = Command::new(BIN)
        .args(["--ak", "x"])
        .env_remove("HUAWEICLOUD_SDK_SK")
        .output()
        .await
        .unwrap();
    assert!(!out.status.success(), "--ak without --sk is refused");
}
