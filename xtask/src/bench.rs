//! `cargo xtask bench`: the numbers the project reports, measured, never
//! asserted (a timed test fails on a busy machine and proves nothing):
//! core decode and signing, the npm package's decode against `JSON.parse`
//! and its signing in Node, what the audit trail adds to an operation and
//! costs to read (SQLite and PostgreSQL), gateway start-up and latency, and
//! how soon the console paints a ticket against a floor page (cold and
//! warm, in Chromium; `tests/tests/paint.rs`).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use crate::gateway::Gateway;
use crate::{build_console, build_gateway, cargo, ignored_test, log, run_cmd, tools};

pub fn run(root: &Path) -> Result<()> {
    run_cmd(
        "cargo bench (core)",
        cargo().args(["bench", "-p", "coc-core", "--locked"]),
    )?;
    run_cmd(
        "cargo bench (gateway audit trail: SQLite file and a throwaway PostgreSQL)",
        cargo().args(["bench", "-p", "coc-gateway", "--bench", "audit", "--locked"]),
    )?;
    let bin = build_gateway(root)?;

    let mut starts: Vec<Duration> = (0..10)
        .map(|_| {
            let t = Instant::now();
            Gateway::start(&bin, &["--sim-manual-clock"]).map(|_| t.elapsed())
        })
        .collect::<Result<_>>()?;
    starts.sort();
    log(&format!(
        "gateway start to listening line (simulator mode, 10 runs): median {:.1} ms, max {:.1} ms",
        ms(starts[5]),
        ms(starts[9])
    ));

    let gateway = Gateway::start(&bin, &["--sim-manual-clock"])?;
    let addr = gateway
        .url()
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    for (name, path) in [
        ("GET one ticket", "/v1/executions/EX2025070110223402c4d6e8"),
        (
            "GET the 10,000-target ticket",
            "/v1/executions/EX2025070108000010e2f4a6",
        ),
        ("GET a list page of 20", "/v1/executions?limit=20"),
    ] {
        let mut times: Vec<Duration> = (0..200).map(|_| get(&addr, path)).collect::<Result<_>>()?;
        times.sort();
        log(&format!(
            "{name} through gateway + simulator (200 requests, new connection each): p50 {:.2} ms, p99 {:.2} ms",
            ms(times[100]),
            ms(times[198])
        ));
    }
    drop(gateway);
    crate::load::run(root, &bin)?;

    let tools = tools::install_all(root, tools::Need::Everything)?;
    let gateway = Gateway::start(&bin, &["--sim-manual-clock"])?;
    crate::npm::bench(root, &tools, gateway.url())?;
    drop(gateway);

    build_console(root, &tools)?;
    run_cmd(
        "console paint versus a floor page (Chromium, medians of 11, cold and warm)",
        ignored_test("coc-e2e", "paint")
            .arg("--nocapture")
            .env("COC_GATEWAY_BIN", &bin)
            .env("COC_DIST_DIR", root.join("dist"))
            .envs(tools.env()),
    )
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// One HTTP/1.1 GET over a fresh connection, read to the end.
fn get(addr: &str, path: &str) -> Result<Duration> {
    let t = Instant::now();
    let mut s = TcpStream::connect(addr).context("connecting to the gateway")?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )?;
    let mut buf = Vec::new();
    s.read_to_end(&mut buf)?;
    anyhow::ensure!(
        buf.starts_with(b"HTTP/1.1 200"),
        "{path} did not answer 200"
    );
    Ok(t.elapsed())
}
