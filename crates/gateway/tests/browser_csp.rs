//! The CSP in a real browser: headless Chromium loads a deep link through
//! the SPA fallback; the hashed inline module script runs, compiles a wasm
//! module (needs `'wasm-unsafe-eval'` and `application/wasm`) and calls the
//! API (`connect-src 'self'`), while `eval` and an injected inline event
//! handler stay blocked.
//!
//! Needs Chromium (`/usr/bin/chromium`, or `$CHROMIUM`), so it is ignored by
//! default: `cargo test -p coc-gateway --test browser_csp -- --ignored`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::net::SocketAddr;

use coc_gateway::{Config, SimSettings, UpstreamChoice};
use common::*;

const INDEX: &str = r#"<!DOCTYPE html><html><head><meta charset="utf-8"><title>csp</title>
<script type="module">
const b = document.body;
try { await WebAssembly.instantiateStreaming(fetch('/app-0123456789abcdef_bg.wasm')); b.dataset.wasm = 'ok'; } catch (e) { b.dataset.wasm = 'failed'; }
try { eval('1'); b.dataset.eval = 'ran'; } catch (e) { b.dataset.eval = 'blocked'; }
const r = await fetch('/v1/executions?limit=1'); b.dataset.api = String(r.status);
const d = document.createElement('div'); d.innerHTML = '<img src="x" onerror="document.body.dataset.xss=1">'; b.appendChild(d);
b.dataset.done = 'yes';
</script>
</head><body></body></html>"#;

#[tokio::test]
#[ignore = "needs chromium; run with --ignored"]
async fn the_console_page_runs_under_the_csp_in_chromium() {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned());
    let dist = tempfile::tempdir().unwrap();
    std::fs::write(dist.path().join("index.html"), INDEX).unwrap();
    // The smallest valid wasm module: magic and version.
    std::fs::write(
        dist.path().join("app-0123456789abcdef_bg.wasm"),
        b"\0asm\x01\0\0\0",
    )
    .unwrap();
    let profile = tempfile::tempdir().unwrap();
    let gw = gateway(Config {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        upstream: UpstreamChoice::Simulator(SimSettings {
            manual_clock: true,
            ..SimSettings::default()
        }),
        static_dir: Some(dist.path().to_owned()),
        ..Config::default()
    })
    .await;
    let out = tokio::process::Command::new(&chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--virtual-time-budget=5000",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("{}/executions/EX2025070110223402c4d6e8", gw.url))
        .output()
        .await
        .unwrap_or_else(|e| panic!("cannot run {chromium}: {e}"));
    let dom = String::from_utf8_lossy(&out.stdout);
    let body = dom
        .split("<body")
        .nth(1)
        .and_then(|b| b.split('>').next())
        .unwrap_or_else(|| panic!("no body in {dom}"));
    assert!(
        body.contains(r#"data-done="yes""#),
        "the inline script did not finish: {body}"
    );
    assert!(body.contains(r#"data-wasm="ok""#), "{body}");
    assert!(body.contains(r#"data-api="200""#), "{body}");
    assert!(body.contains(r#"data-eval="blocked""#), "{body}");
    assert!(
        !body.contains("data-xss"),
        "an injected inline handler ran: {body}"
    );
}
