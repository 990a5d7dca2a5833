//! `cargo xtask fuzz`: the libFuzzer targets in `fuzz/` (its own
//! workspace), built and run with cargo-fuzz on the nightly toolchain.
//!
//! Seeds are written from the fixtures before every run (the corpora under
//! `fuzz/corpus/` are not committed: libFuzzer grows them), and every target
//! gets `fuzz/coc.dict`. A finding is a file under `fuzz/artifacts/TARGET/`;
//! it becomes a regression test in the normal suite, never a committed
//! crash file.

use std::collections::BTreeSet;
use std::fs;
use std::io::{BufRead, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context, Result, bail};

use crate::{log, run_cmd};

/// The targets, in the order they run (each is `fuzz/fuzz_targets/NAME.rs`).
pub const TARGETS: [&str; 5] = [
    "core_responses",
    "core_sign",
    "core_ids_queries",
    "gateway_target",
    "simulator_operate",
];

/// What one target's run reached.
#[derive(Debug)]
pub struct Outcome {
    pub target: &'static str,
    pub executions: u64,
    pub findings: Vec<PathBuf>,
}

/// `cargo +nightly` with nothing of the outer (stable) cargo's environment
/// that would pick another toolchain or the main workspace's target dir.
fn nightly_cargo() -> Command {
    let mut cmd = Command::new("cargo");
    cmd.arg("+nightly")
        .env_remove("RUSTUP_TOOLCHAIN")
        .env_remove("RUSTC")
        .env_remove("RUSTDOC")
        .env_remove("CARGO")
        // fuzz/target: nightly artifacts with coverage instrumentation have
        // nothing to share with the main workspace's.
        .env_remove("CARGO_TARGET_DIR");
    cmd
}

/// cargo-fuzz only builds on nightly (`-Z` sanitizer-coverage flags).
fn require_nightly() -> Result<()> {
    let out = Command::new("rustup")
        .args(["run", "nightly", "rustc", "--version"])
        .output();
    match out {
        Ok(o) if o.status.success() => {
            log(&format!(
                "    nightly toolchain: {}",
                String::from_utf8_lossy(&o.stdout).trim()
            ));
            Ok(())
        }
        _ => bail!(
            "fuzzing needs the nightly toolchain (cargo-fuzz builds with -Z flags), and \
             `rustup run nightly rustc --version` failed: install it with \
             `rustup toolchain install nightly --profile minimal`"
        ),
    }
}

/// Builds every target, seeds the corpora and runs each for `seconds`;
/// fails when a target found something or did not run.
pub fn run(root: &Path, seconds: u64) -> Result<Vec<Outcome>> {
    require_nightly()?;
    crate::tools::cargo_fuzz()?;
    let fuzz = root.join("fuzz");
    let t = Instant::now();
    // No sanitizer: every crate here forbids unsafe code, so AddressSanitizer
    // would find little that Rust's own checks do not, at about twice the
    // build time and half the executions per second.
    run_cmd(
        "cargo fuzz build",
        nightly_cargo()
            .args(["fuzz", "build", "--sanitizer", "none", "--fuzz-dir"])
            .arg(&fuzz)
            .current_dir(root),
    )?;
    log(&format!(
        "    fuzz targets built ({:.1} s)",
        t.elapsed().as_secs_f64()
    ));
    write_seeds(root)?;
    let mut outcomes = Vec::new();
    for target in TARGETS {
        outcomes.push(run_target(root, target, seconds)?);
    }
    log(&format!("\n    fuzzing, {seconds} s per target:"));
    for o in &outcomes {
        log(&format!(
            "      {:<18} {:>12} executions  {} finding(s)",
            o.target,
            o.executions,
            o.findings.len()
        ));
        for f in &o.findings {
            log(&format!("        {}", f.display()));
        }
    }
    let found: usize = outcomes.iter().map(|o| o.findings.len()).sum();
    if found > 0 {
        bail!(
            "the fuzzers found {found} input(s) that fail (files above; replay one with \
             `cargo +nightly fuzz run -s none --fuzz-dir fuzz TARGET FILE`); turn each into a \
             regression test under crates/*/tests and fix it"
        );
    }
    Ok(outcomes)
}

fn artifacts(dir: &Path) -> BTreeSet<PathBuf> {
    fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect()
}

fn run_target(root: &Path, target: &'static str, seconds: u64) -> Result<Outcome> {
    let fuzz = root.join("fuzz");
    let artifact_dir = fuzz.join("artifacts").join(target);
    let before = artifacts(&artifact_dir);
    let logs = fuzz.join("target/logs");
    fs::create_dir_all(&logs)?;
    let log_path = logs.join(format!("{target}.log"));
    let mut log_file =
        fs::File::create(&log_path).with_context(|| log_path.display().to_string())?;
    let mut cmd = nightly_cargo();
    cmd.args(["fuzz", "run", "--sanitizer", "none", "--fuzz-dir"])
        .arg(&fuzz)
        .arg(target)
        .arg("--")
        .arg(format!("-max_total_time={seconds}"))
        .arg(format!("-dict={}", fuzz.join("coc.dict").display()))
        .arg("-print_final_stats=1")
        .current_dir(root)
        .stderr(Stdio::piped());
    log(&format!(
        "\n    {target}: {seconds} s (libFuzzer's log: {})",
        log_path.display()
    ));
    let mut child = cmd
        .spawn()
        .with_context(|| format!("starting cargo fuzz run {target}"))?;
    let mut executions = None;
    let mut tail = Vec::new();
    if let Some(err) = child.stderr.take() {
        for line in BufReader::new(err).lines() {
            let line = line?;
            writeln!(log_file, "{line}")?;
            if let Some(n) = line.strip_prefix("stat::number_of_executed_units:") {
                executions = n.trim().parse::<u64>().ok();
            }
            tail.push(line);
            if tail.len() > 30 {
                tail.remove(0);
            }
        }
    }
    let status = child.wait()?;
    let findings: Vec<PathBuf> = artifacts(&artifact_dir)
        .difference(&before)
        .cloned()
        .collect();
    if !status.success() && findings.is_empty() {
        for line in &tail {
            log(line);
        }
        bail!("cargo fuzz run {target} failed ({status}) without leaving a finding");
    }
    if !findings.is_empty() {
        for line in &tail {
            log(line);
        }
    }
    let executions = executions.unwrap_or(0);
    log(&format!(
        "    {target}: {executions} executions, {} finding(s)",
        findings.len()
    ));
    Ok(Outcome {
        target,
        executions,
        findings,
    })
}

/// The seed corpora, from the fixtures (and a few inline cases where no
/// fixture fits), in each target's input layout. Written into
/// `fuzz/corpus/TARGET/seed-*`; rewriting them on every run is harmless.
pub fn write_seeds(root: &Path) -> Result<()> {
    let fixtures = root.join("crates/core/tests/fixtures");
    let read = |name: &str| -> Result<Vec<u8>> {
        fs::read(fixtures.join(name)).with_context(|| format!("reading fixture {name}"))
    };
    let mut seeds: Vec<(&str, String, Vec<u8>)> = Vec::new();

    // core_responses: [operation | headers, status hi, status lo, body...].
    let ok = [
        (0u8, "seed_002_get_execution_response.json"),
        (1, "seed_000_operate_response.json"),
        (2, "list_executions_page.json"),
        (3, "list_execution_steps_page.json"),
        (4, "list_execution_instances_page.json"),
        (5, "execute_document_response.json"),
    ];
    let errors = [
        (400u16, "coc_400_error.json"),
        (401, "apigw_401.json"),
        (502, "proxy_502.html"),
    ];
    for (op, file) in ok {
        let mut input = vec![op | 0x18, 0, 200];
        input.extend(read(file)?);
        seeds.push(("core_responses", format!("{op}-{file}"), input));
        for (status, file) in errors {
            let mut input = vec![op | 0x08];
            input.extend(status.to_be_bytes());
            input.extend(read(file)?);
            seeds.push(("core_responses", format!("{op}-{status}-{file}"), input));
        }
    }

    // core_sign: the official SDK's signing cases, as text.
    let cases = String::from_utf8_lossy(&read("sdk_signing_cases.json")?).into_owned();
    for (i, case) in signing_cases(&cases).into_iter().enumerate() {
        seeds.push(("core_sign", format!("sdk-case-{i}"), case.into_bytes()));
    }

    // core_ids_queries: ids and queries as the API carries them.
    for (i, text) in [
        "EX2025070110223402c4d6e8",
        "EX20250624161701019xxxx",
        "DM2025061109300101c4e8a2",
        "limit=10&offset=0",
        "limit=100&offset=20&creator=ops&document_name=nightly&document_id=DM1",
        "start_time=1751364000000&end_time=1751367600000&exclude_child_executions=true",
        "tags=team=sre,env=prod",
        "execution_step_id=STEP1&limit=5",
        "EX1&limit=5&offset=10",
    ]
    .into_iter()
    .enumerate()
    {
        seeds.push(("core_ids_queries", format!("inline-{i}"), text.into()));
    }

    // gateway_target: request lines.
    for (i, line) in [
        "GET /v1/executions?limit=10",
        "POST /v1/executions",
        "GET /v1/executions/instances?execution_step_id=S1",
        "GET /v1/executions/EX2025070110223402c4d6e8",
        "GET /v1/executions/EX2025070110223402c4d6e8/steps?limit=5",
        "POST /v1/documents/DM2025061109300101c4e8a2",
        "GET /v1/executions/%69nstances",
        "GET /v1/executions/EX1%E2%80%AE",
        "GET /v1/../v1/executions",
        "GET /gateway/v1/audit?execution_id=EX1",
        "OPTIONS *",
        "GET http://evil.example/v1/executions",
        "GET /healthz",
    ]
    .into_iter()
    .enumerate()
    {
        seeds.push(("gateway_target", format!("inline-{i}"), line.into()));
    }

    // simulator_operate: the documented body, and each operation on the
    // seeded running ticket.
    seeds.push((
        "simulator_operate",
        "seed_000_operate_request.json".to_owned(),
        read("seed_000_operate_request.json")?,
    ));
    for op in ["RESUME", "TERMINATE", "RETRY", "SKIP_BATCH"] {
        seeds.push((
            "simulator_operate",
            format!("inline-{op}"),
            format!(r#"{{"execution_id":"EX2025070110223402c4d6e8","operate_type":"{op}"}}"#)
                .into_bytes(),
        ));
    }

    for (target, name, bytes) in &seeds {
        let dir = root.join("fuzz/corpus").join(target);
        fs::create_dir_all(&dir)?;
        fs::write(dir.join(format!("seed-{name}")), bytes)?;
    }
    log(&format!(
        "    {} seeds written under fuzz/corpus/",
        seeds.len()
    ));
    Ok(())
}

/// Each case of `sdk_signing_cases.json` in `core_sign`'s layout (method,
/// URL, AK, SK, Unix seconds, header lines, empty line, body). xtask has no
/// JSON parser, and this file's shape is fixed (it is generated by
/// `gen_sdk_signing.py`): every case lists these keys in this order.
fn signing_cases(json: &str) -> Vec<String> {
    let mut out = Vec::new();
    for chunk in json.split("\"access_key\":").skip(1) {
        let field = |key: &str| -> String {
            chunk
                .split_once(&format!("\"{key}\":"))
                .map(|(_, rest)| json_strings(rest).into_iter().next().unwrap_or_default())
                .unwrap_or_default()
        };
        let ak = json_strings(chunk).into_iter().next().unwrap_or_default();
        let headers = chunk
            .split_once("\"headers\":")
            .and_then(|(_, rest)| rest.split_once("\"body\":"))
            .map(|(h, _)| json_strings(h))
            .unwrap_or_default();
        let mut text = format!(
            "{}\n{}\n{ak}\n{}\n1764576550\n",
            field("method"),
            field("url"),
            field("secret_key")
        );
        for pair in headers.chunks(2) {
            if let [name, value] = pair {
                text.push_str(&format!("{name}: {value}\n"));
            }
        }
        text.push('\n');
        text.push_str(&field("body"));
        out.push(text);
    }
    out
}

/// The JSON string literals at the start of `text`, unescaped: the first
/// one alone, or all of those in the array that comes first.
fn json_strings(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = text.chars();
    let mut depth = 0i32;
    while let Some(c) = chars.next() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            '"' => {
                let mut s = String::new();
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' => match chars.next() {
                            Some('n') => s.push('\n'),
                            Some('t') => s.push('\t'),
                            Some('r') => s.push('\r'),
                            Some('u') => {
                                let hex: String = chars.by_ref().take(4).collect();
                                if let Some(ch) =
                                    u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32)
                                {
                                    s.push(ch);
                                }
                            }
                            Some(other) => s.push(other),
                            None => break,
                        },
                        c => s.push(c),
                    }
                }
                out.push(s);
                if depth <= 0 {
                    return out;
                }
            }
            _ => {}
        }
    }
    out
}
