//! The `coc-gateway` binary: `--help`, the start line, env configuration,
//! refusals at start, and logs that never contain a secret.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

mod common;

use std::process::Stdio;
use std::time::{Duration, Instant};

use coc_simulator::{Clock, Simulator, TICKET_RUNNING};
use common::*;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::process::{Child, ChildStderr, ChildStdout, Command};

const BIN: &str = env!("CARGO_BIN_EXE_coc-gateway");

const AK: &str = "CLITESTAKVISIBLE0001";
const SK: &str = "cli-secret-key-MUST-NOT-LEAK-7d1e";
const SECURITY_TOKEN: &str = "cli-security-token-MUST-NOT-LEAK-55";
const BROWSER_TOKEN: &str = "browser-iam-token-MUST-NOT-LEAK-31";
const COOKIE: &str = "cookie-value-MUST-NOT-LEAK-99";

fn command(args: &[&str]) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .current_dir(std::env::temp_dir())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    for (key, _) in std::env::vars() {
        if key.starts_with("HUAWEICLOUD_SDK_")
            || key.starts_with("COC_GATEWAY_")
            || key.starts_with("COC_SIM_")
        {
            cmd.env_remove(key);
        }
    }
    // Each gateway its own audit file, not one shared in the temp dir.
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let db = std::env::temp_dir().join(format!("coc-cli-test-{}-{n}.sqlite", std::process::id()));
    cmd.env("COC_GATEWAY_AUDIT_DB", format!("sqlite://{}", db.display()));
    cmd
}

struct Started {
    child: Child,
    url: String,
    line: String,
    stdout: BufReader<ChildStdout>,
    startup: Duration,
}

/// Spawns the binary and reads its start line.
async fn start(mut cmd: Command) -> Started {
    let began = Instant::now();
    let mut child = cmd.spawn().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    tokio::time::timeout(Duration::from_secs(20), stdout.read_line(&mut line))
        .await
        .expect("no start line within 20 s")
        .unwrap();
    let startup = began.elapsed();
    let line = line.trim_end().to_owned();
    let url = line
        .split(' ')
        .nth(3)
        .unwrap_or_else(|| panic!("unexpected start line {line:?}"))
        .to_owned();
    Started {
        child,
        url,
        line,
        stdout,
        startup,
    }
}

async fn stop(mut s: Started) -> (String, String) {
    let stderr: ChildStderr = s.child.stderr.take().unwrap();
    s.child.start_kill().unwrap();
    let _ = s.child.wait().await;
    let mut rest = String::new();
    s.stdout.read_to_string(&mut rest).await.unwrap();
    let mut err = String::new();
    BufReader::new(stderr)
        .read_to_string(&mut err)
        .await
        .unwrap();
    (rest, err)
}

#[tokio::test]
async fn help_explains_every_flag_and_the_environment() {
    let out = command(&["--help"]).output().await.unwrap();
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    for needle in [
        "--upstream",
        "--auth",
        "passthrough-token",
        "--allow-origin",
        "COC_GATEWAY_ALLOW_ORIGINS",
        "--frame-ancestors",
        "--connect-src",
        "--static-dir",
        "--connect-timeout-ms",
        "--timeout-ms",
        "--max-body-bytes",
        "--host",
        "--port",
        "--sim-seed",
        "--sim-manual-clock",
        "--sim-latency-ms",
        "--sim-error-rate",
        "--sim-html-502-rate",
        "--sim-drop-rate",
        "HUAWEICLOUD_SDK_AK",
        "HUAWEICLOUD_SDK_SK",
        "HUAWEICLOUD_SDK_SECURITY_TOKEN",
        "coc-gateway listening on <URL> (<mode>)",
        "--operators",
        "--local-operator",
        "--trusted-proxy",
        "--operators-file",
        "COC_GATEWAY_OPERATORS_FILE",
        "--policy",
        "--require-reason",
        "--audit-db",
        "--audit-retention-days",
        "--public-host",
        "--header-read-timeout-ms",
        "--keep-alive-timeout-ms",
        "--body-read-timeout-ms",
        "--max-connections",
        "COC_GATEWAY_MAX_CONNECTIONS",
    ] {
        assert!(
            help.contains(needle),
            "--help does not mention {needle}:\n{help}"
        );
    }
}

#[tokio::test]
async fn start_line_in_simulator_mode_and_startup_time() {
    let s = start(command(&[
        "--port",
        "0",
        "--sim-seed",
        "7",
        "--sim-manual-clock",
    ]))
    .await;
    assert!(
        s.line
            .starts_with("coc-gateway listening on http://127.0.0.1:"),
        "{}",
        s.line
    );
    assert!(
        s.line.ends_with(" (simulator mode, seed 7, manual clock)"),
        "{}",
        s.line
    );
    eprintln!(
        "startup (spawn to start line, debug build): {:?}",
        s.startup
    );
    let r = client()
        .get(format!("{}/healthz", s.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = client()
        .get(format!("{}/v1/executions/{TICKET_RUNNING}", s.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let (rest, _) = stop(s).await;
    assert_eq!(rest, "", "stdout has more than the start line");
}

#[tokio::test]
async fn start_line_in_forwarding_mode_and_env_configuration() {
    let up = recorder().await;
    let mut cmd = command(&["--port", "0", "--upstream", &up.url]);
    cmd.env("HUAWEICLOUD_SDK_AK", AK)
        .env("HUAWEICLOUD_SDK_SK", SK)
        .env(
            "COC_GATEWAY_ALLOW_ORIGINS",
            "http://a.example.test, http://b.example.test:8000",
        );
    let s = start(cmd).await;
    assert_eq!(
        s.line,
        format!(
            "coc-gateway listening on {} (forwarding to {}, signing with AK/SK)",
            s.url, up.url
        )
    );
    let preflight = |origin: &'static str| {
        client()
            .request(reqwest::Method::OPTIONS, format!("{}/v1/executions", s.url))
            .header("origin", origin)
            .header("access-control-request-method", "GET")
            .send()
    };
    let r = preflight("http://b.example.test:8000").await.unwrap();
    assert_eq!(
        r.headers()["access-control-allow-origin"],
        "http://b.example.test:8000"
    );
    let r = preflight("http://c.example.test").await.unwrap();
    assert!(r.headers().get("access-control-allow-origin").is_none());
    // Signed: the recorder sees an SDK-HMAC-SHA256 authorization.
    let r = client()
        .get(format!("{}/v1/executions/EX1", s.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let auth = up.last().header("authorization").unwrap().to_owned();
    assert!(
        auth.starts_with(&format!("SDK-HMAC-SHA256 Access={AK}, SignedHeaders=")),
        "{auth}"
    );
    stop(s).await;
}

#[tokio::test]
async fn bad_configuration_fails_fast_with_a_message() {
    let cases: [(&[&str], &str); 13] = [
        // Fail closed: reachable from other machines needs a real mode.
        (&["--host", "0.0.0.0"], "--operators tokens"),
        (
            &[
                "--host",
                "0.0.0.0",
                "--upstream",
                "http://127.0.0.1:9",
                "--operators",
                "local",
            ],
            "--operators proxy",
        ),
        (&["--operators", "proxy"], "--trusted-proxy"),
        (
            &["--operators", "proxy", "--trusted-proxy", "10.0.0.0/33"],
            "10.0.0.0/33",
        ),
        (
            &[
                "--operators",
                "tokens",
                "--operators-file",
                "/nonexistent/ops.toml",
            ],
            "operators add",
        ),
        (&["--policy", "/nonexistent/policy.toml"], "policy.toml"),
        (&["--require-reason", "DELETE"], "RESUME, TERMINATE"),
        (&["--audit-db", "mysql://u:hunter2@h/db"], "sqlite://PATH"),
        (&["--auth", "aksk"], "HUAWEICLOUD_SDK_AK"),
        (&["--static-dir", "/nonexistent/dist"], "index.html"),
        (&["--allow-origin", "*"], "wildcard"),
        (&["--upstream", "ftp://x"], "http"),
        (
            &["--frame-ancestors", "'self'; script-src *"],
            "frame-ancestors",
        ),
    ];
    for (args, needle) in cases {
        let mut all = vec!["--port", "0"];
        all.extend_from_slice(args);
        let out = command(&all).output().await.unwrap();
        assert!(!out.status.success(), "{args:?} started");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{args:?}: {err}");
        assert!(out.stdout.is_empty(), "{args:?} printed a start line");
    }
    // The password of an unusable database URL is never repeated.
    let out = command(&["--port", "0", "--audit-db", "mysql://u:hunter2@h/db"])
        .output()
        .await
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stderr).contains("hunter2"));
    // Only one of AK and SK.
    let mut cmd = command(&["--port", "0", "--upstream", "http://127.0.0.1:9"]);
    cmd.env("HUAWEICLOUD_SDK_AK", AK);
    let out = cmd.output().await.unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("HUAWEICLOUD_SDK_SK"));
}

async fn exercise_logging(format: &str) {
    // A signing simulator upstream, so signed requests really succeed.
    let sim = Simulator::new(coc_simulator::Config {
        seed: 3,
        clock: Clock::Manual {
            start_ms: coc_simulator::DEFAULT_START_MS,
        },
        credentials: Some((AK.to_owned(), SK.to_owned())),
        faults: Default::default(),
    });
    let (sim_url, _task) = serve(sim.router()).await;

    let mut signing = command(&[
        "--port",
        "0",
        "--upstream",
        &sim_url,
        "--log-level",
        "trace",
        "--log-format",
        format,
    ]);
    signing
        .env("HUAWEICLOUD_SDK_AK", AK)
        .env("HUAWEICLOUD_SDK_SK", SK)
        .env("HUAWEICLOUD_SDK_SECURITY_TOKEN", SECURITY_TOKEN);
    let signing = start(signing).await;

    let recorder = recorder().await;
    let passthrough = start(command(&[
        "--port",
        "0",
        "--upstream",
        &recorder.url,
        "--auth",
        "passthrough-token",
        "--log-level",
        "trace",
        "--log-format",
        format,
    ]))
    .await;

    let c = client();
    for s in [&signing, &passthrough] {
        for path in [
            format!("/v1/executions/{TICKET_RUNNING}"),
            "/v1/executions?limit=2".to_owned(),
            "/v1/nope".to_owned(),
        ] {
            let _ = c
                .get(format!("{}{path}", s.url))
                .header("x-auth-token", BROWSER_TOKEN)
                .header("cookie", format!("session={COOKIE}"))
                .header("authorization", format!("Bearer {BROWSER_TOKEN}"))
                .send()
                .await
                .unwrap();
        }
        let _ = c
            .post(format!("{}/v1/executions", s.url))
            .header("x-auth-token", BROWSER_TOKEN)
            .header("x-coc-ops-reason", "log%20test")
            .json(&serde_json::json!({"execution_id": TICKET_RUNNING, "operate_type": "TERMINATE"}))
            .send()
            .await
            .unwrap();
    }
    // The signed requests really went through (so the log had something to leak).
    assert_eq!(sim.operations(TICKET_RUNNING).len(), 1);
    assert_eq!(recorder.last().header("x-auth-token"), Some(BROWSER_TOKEN));

    let (_, signing_log) = stop(signing).await;
    let (_, passthrough_log) = stop(passthrough).await;
    for log in [&signing_log, &passthrough_log] {
        for secret in [SK, SECURITY_TOKEN, BROWSER_TOKEN, COOKIE, "Signature="] {
            assert!(
                !log.contains(secret),
                "{secret} leaked into the log:\n{log}"
            );
        }
        // The log is there and structured: one access line per request.
        let access: Vec<&str> = log
            .lines()
            .filter(|l| l.contains("coc_gateway::access"))
            .collect();
        assert_eq!(access.len(), 4, "{log}");
        for field in [
            "method",
            "path",
            "route",
            "status",
            "latency_ms",
            "request_id",
        ] {
            assert!(
                access.iter().all(|l| l.contains(field)),
                "{field} missing:\n{log}"
            );
        }
        if format == "json" {
            for line in &access {
                let v: serde_json::Value = serde_json::from_str(line).unwrap();
                assert!(v["status"].is_u64(), "{line}");
            }
        }
    }
    assert!(signing_log.contains("GetExecution") && signing_log.contains("OperateExecution"));
}

#[tokio::test]
async fn logs_never_contain_secrets_or_tokens_text() {
    exercise_logging("text").await;
}

#[tokio::test]
async fn logs_never_contain_secrets_or_tokens_json() {
    exercise_logging("json").await;
}

#[tokio::test]
async fn operators_add_list_and_revoke_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ops.toml");
    let file_arg = file.to_str().unwrap();
    let run = |args: Vec<&str>| {
        let mut all = vec!["operators"];
        all.extend(args);
        all.extend(["--operators-file", file_arg]);
        let mut cmd = command(&all);
        async move { cmd.output().await.unwrap() }
    };
    let out = run(vec!["add", "ana", "--role", "operator"]).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let token = stdout.lines().last().unwrap().to_owned();
    assert!(
        token.starts_with("cocpat_") && !token.contains(' '),
        "{stdout}"
    );
    let stored = std::fs::read_to_string(&file).unwrap();
    assert!(!stored.contains(&token) && !stored.contains(token.rsplit('_').next().unwrap()));

    let out = run(vec!["add", "ana", "--role", "admin"]).await;
    assert!(!out.status.success(), "a second ana was added");
    let out = run(vec!["add", "bob", "--role", "root"]).await;
    assert!(String::from_utf8_lossy(&out.stderr).contains("viewer, operator or admin"));

    let out = run(vec!["list"]).await;
    let listed = String::from_utf8(out.stdout).unwrap();
    assert!(
        listed.contains("ana") && listed.contains("operator"),
        "{listed}"
    );
    assert!(
        !listed.contains(token.rsplit('_').next().unwrap()),
        "{listed}"
    );

    let s = start(command(&[
        "--port",
        "0",
        "--sim-manual-clock",
        "--operators",
        "tokens",
        "--operators-file",
        file_arg,
    ]))
    .await;
    let me = |t: String| {
        let url = format!("{}/gateway/v1/me", s.url);
        async move { client().get(url).bearer_auth(t).send().await.unwrap() }
    };
    let r = me(token.clone()).await;
    assert_eq!(r.status(), 200);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["operator"], "ana");
    assert_eq!(body["roles"], serde_json::json!(["operator"]));

    let out = run(vec!["revoke", "ana"]).await;
    assert!(out.status.success());
    assert_eq!(me(token).await.status(), 401, "a revoked token still works");
    let out = run(vec!["revoke", "ana"]).await;
    assert!(!out.status.success());
    let (_, log) = stop(s).await;
    assert!(!log.contains("cocpat_"), "a token reached the log: {log}");
}
