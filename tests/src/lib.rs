//! Harness for the full-stack console tests: a gateway process in simulator
//! mode on a manual clock (serving the release console from `dist/`), a
//! chromedriver, and a headless Chromium driven over WebDriver.
//!
//! It needs two things built first, named by environment variables that
//! `cargo xtask test` sets: `COC_GATEWAY_BIN` (the gateway binary) and
//! `COC_DIST_DIR` (Trunk's release build of the console). Without them every
//! test fails with a message saying so, rather than skipping silently.
//!
//! What it deliberately does not do: sleep on wall-clock time for the
//! simulator (tests move its manual clock through `/__sim/advance`), or share
//! a gateway between tests (each test gets fresh state; tests run one at a
//! time through [`serial`] because two Chromiums on two cores are flaky).

#![allow(clippy::print_stderr)]

use std::future::Future;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, anyhow, bail};
use bytes::Bytes;
use coc_core::{
    Auth, Endpoint, ExecuteDocument, ExecuteDocumentBody, Execution, ExecutionStatus, GetExecution,
    HttpResponse, Method, OperateExecution, OperateType, Operation, UnixTime,
    gateway::{AuditPage, ListAudit, Reason},
};
use fantoccini::{Client, ClientBuilder, Locator};
use http_body_util::{BodyExt as _, Full};
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt as _, BufReader};
use tokio::process::{Child, Command};

pub use fantoccini;

/// The simulator's documents and seeded tickets (copied from
/// `crates/simulator/src/seed.rs`, which documents them).
pub mod seed {
    /// NORMAL "Restart nginx service": succeeds.
    pub const DOC_NORMAL: &str = "DM2025061109300101c4e8a2";
    /// BATCH "Rolling OS patch": pauses between batches.
    pub const DOC_BATCH: &str = "DM2025061214152202d7f1b3";
    /// NORMAL "Renew TLS certificates": fails once, then a RETRY succeeds.
    pub const DOC_FLAKY: &str = "DM2025061511203305a4c6e7";
    /// A Succeed NORMAL ticket with every field set.
    pub const TICKET_SUCCEED: &str = "EX2025063014300103d5e7f9";
    /// A Running BATCH ticket with 20 targets.
    pub const TICKET_BATCH_RUNNING: &str = "EX2025070110200008c0d2e4";
    /// A Running RATE_CONTROL ticket with 10,000 targets.
    pub const TICKET_LARGE: &str = "EX2025070108000010e2f4a6";
    /// A Succeed ticket with `<script>` and `<img onerror>` in its fields.
    pub const TICKET_XSS: &str = "EX2025062609300011f3a5b7";
}

/// Paths the tests need, from the environment.
#[derive(Debug, Clone)]
pub struct TestEnv {
    /// The gateway binary.
    pub gateway_bin: PathBuf,
    /// The console's release build (Trunk's `dist/`).
    pub dist_dir: PathBuf,
}

/// Reads `COC_GATEWAY_BIN` and `COC_DIST_DIR`, or says how to get them.
pub fn test_env() -> Result<TestEnv> {
    let get = |name: &str| -> Result<PathBuf> {
        let v = std::env::var_os(name).ok_or_else(|| {
            anyhow!(
                "{name} is not set. The full-stack tests need the gateway binary and the release \
                 console build: run them with `cargo xtask test`, which builds both and sets \
                 COC_GATEWAY_BIN and COC_DIST_DIR"
            )
        })?;
        let p = PathBuf::from(v);
        if !p.exists() {
            bail!(
                "{name}={} does not exist; run `cargo xtask test`",
                p.display()
            );
        }
        // Absolute: the gateway runs in a temporary working directory.
        std::fs::canonicalize(&p).with_context(|| format!("{name}={}", p.display()))
    };
    let env = TestEnv {
        gateway_bin: get("COC_GATEWAY_BIN")?,
        dist_dir: get("COC_DIST_DIR")?,
    };
    if !env.dist_dir.join("index.html").exists() {
        bail!(
            "{} has no index.html; run `cargo xtask test`",
            env.dist_dir.display()
        );
    }
    Ok(env)
}

/// A copy of the console's build in a fresh temp dir named for `what`,
/// with only the files `keep` accepts: a test can serve the console
/// without its wasm, or next to pages of its own. The caller removes it.
pub fn dist_copy(env: &TestEnv, what: &str, keep: impl Fn(&Path) -> bool) -> Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("coc-{what}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    for entry in std::fs::read_dir(&env.dist_dir)? {
        let path = entry?.path();
        if let Some(name) = path.file_name()
            && path.is_file()
            && keep(&path)
        {
            std::fs::copy(&path, dir.join(name))?;
        }
    }
    Ok(dir)
}

/// The workspace root (for `artifacts/`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Where screenshots go (git-ignored).
pub fn screenshot_dir() -> Result<PathBuf> {
    let dir = workspace_root().join("artifacts").join("screenshots");
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(dir)
}

static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Holds the one-test-at-a-time lock.
pub async fn serial() -> tokio::sync::MutexGuard<'static, ()> {
    SERIAL.lock().await
}

fn free_port() -> Result<u16> {
    let l = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(l.local_addr()?.port())
}

/// A minimal HTTP/1.1 client for the gateway's API and control routes.
#[derive(Debug, Clone)]
pub struct Http {
    client: HyperClient<HttpConnector, Full<Bytes>>,
}

/// A response: status, headers, body.
#[derive(Debug, Clone)]
pub struct Reply {
    /// Status.
    pub status: u16,
    /// Headers.
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: Vec<u8>,
}

impl Reply {
    /// `Ok` for a 200, else an error naming `what` with the status and body.
    pub fn expect_ok(&self, what: &str) -> Result<()> {
        if self.status != 200 {
            bail!(
                "{what}: http {}: {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            );
        }
        Ok(())
    }

    /// The body as JSON.
    pub fn json(&self) -> Result<Value> {
        serde_json::from_slice(&self.body).with_context(|| {
            format!(
                "not JSON (http {}): {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }
}

impl Default for Http {
    fn default() -> Self {
        Self {
            client: HyperClient::builder(TokioExecutor::new()).build_http(),
        }
    }
}

impl Http {
    /// Sends one request.
    pub async fn send(
        &self,
        method: &str,
        url: &str,
        headers: &[(String, String)],
        body: Vec<u8>,
    ) -> Result<Reply> {
        let mut req = hyper::Request::builder().method(method).uri(url);
        for (k, v) in headers {
            req = req.header(k.as_str(), v.as_str());
        }
        let req = req.body(Full::new(Bytes::from(body)))?;
        let resp = tokio::time::timeout(Duration::from_secs(30), self.client.request(req))
            .await
            .with_context(|| format!("{method} {url} timed out"))?
            .with_context(|| format!("{method} {url}"))?;
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or_default().to_owned()))
            .collect();
        let body = resp.into_body().collect().await?.to_bytes().to_vec();
        Ok(Reply {
            status,
            headers,
            body,
        })
    }
}

static TMP_N: AtomicU32 = AtomicU32::new(0);

/// A fresh temporary directory, removed when dropped.
#[derive(Debug)]
pub struct TempDir(pub PathBuf);

impl TempDir {
    /// `$TMPDIR/coc-e2e-<what>-<pid>-<n>`, created empty.
    pub fn new(what: &str) -> Result<Self> {
        let dir = std::env::temp_dir().join(format!(
            "coc-e2e-{what}-{}-{}",
            std::process::id(),
            TMP_N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        Ok(Self(dir))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// An operators file for a gateway in `--operators tokens`, filled through
/// the gateway's own CLI (`coc-gateway operators add`).
#[derive(Debug)]
pub struct Operators {
    dir: TempDir,
}

impl Operators {
    /// An empty operators file in a fresh directory.
    pub fn new() -> Result<Self> {
        Ok(Self {
            dir: TempDir::new("operators")?,
        })
    }

    /// The file.
    pub fn file(&self) -> PathBuf {
        self.dir.0.join("operators.toml")
    }

    /// The gateway flags that use this file in tokens mode.
    pub fn flags(&self) -> Vec<String> {
        vec![
            "--operators".into(),
            "tokens".into(),
            "--operators-file".into(),
            self.file().display().to_string(),
        ]
    }

    /// Adds an operator with `role`; returns the token the CLI printed
    /// alone on the last line of its output.
    pub async fn add(&self, env: &TestEnv, name: &str, role: &str) -> Result<String> {
        let out = Command::new(&env.gateway_bin)
            .args(["operators", "add", name, "--role", role, "--operators-file"])
            .arg(self.file())
            .output()
            .await
            .context("running coc-gateway operators add")?;
        if !out.status.success() {
            bail!(
                "coc-gateway operators add {name} failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let stdout = String::from_utf8(out.stdout).context("operators add: not UTF-8")?;
        stdout
            .lines()
            .rev()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .map(str::to_owned)
            .context("operators add printed no token")
    }
}

/// A gateway process in simulator mode with a manual clock.
#[derive(Debug)]
pub struct Gateway {
    child: Option<Child>,
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    http: Http,
    endpoint: Endpoint,
    /// The operator token the harness's own calls carry, if any.
    token: Option<String>,
    /// This gateway's audit store (a fresh SQLite file per start).
    _tmp: TempDir,
}

impl Gateway {
    /// Starts a gateway on a free port, serving `env.dist_dir`.
    pub async fn start(env: &TestEnv) -> Result<Self> {
        Self::start_with(env, &[]).await
    }

    /// Starts a gateway with extra flags (e.g. `--sim-start-ms`).
    ///
    /// Each start gets its own audit store, a fresh SQLite file in a
    /// temporary directory, so that no test sees another's records (unless
    /// `extra` names one with `--audit-db`).
    pub async fn start_with(env: &TestEnv, extra: &[&str]) -> Result<Self> {
        let tmp = TempDir::new("gateway")?;
        let mut cmd = Command::new(&env.gateway_bin);
        cmd.args(["--port", "0", "--sim-manual-clock", "--log-level", "warn"])
            .arg("--static-dir")
            .arg(&env.dist_dir);
        if !extra.iter().any(|a| a.starts_with("--audit-db")) {
            cmd.arg("--audit-db")
                .arg(format!("sqlite://{}", tmp.0.join("audit.sqlite").display()));
        }
        // The working directory too, so nothing lands in the checkout.
        let mut child = cmd
            .current_dir(&tmp.0)
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {}", env.gateway_bin.display()))?;
        let stdout = child.stdout.take().context("no stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let line = tokio::time::timeout(Duration::from_secs(20), lines.next_line())
            .await
            .context("the gateway printed no start line within 20 s")??
            .context("the gateway exited before its start line")?;
        // "coc-gateway listening on <URL> (<mode>)"
        let url = line
            .split(' ')
            .nth(3)
            .filter(|u| u.starts_with("http://"))
            .with_context(|| format!("unexpected start line {line:?}"))?
            .trim_end_matches('/')
            .to_owned();
        // Keep draining stdout so the process never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        let endpoint = Endpoint::new(&url, Auth::None)?;
        Ok(Self {
            child: Some(child),
            url,
            http: Http::default(),
            endpoint,
            token: None,
            _tmp: tmp,
        })
    }

    /// Makes the harness's own calls (API, audit, control routes) carry
    /// this operator token, for a gateway in tokens mode.
    pub fn set_operator_token(&mut self, token: &str) -> Result<()> {
        self.endpoint = self.endpoint.clone().with_operator_token(token)?;
        self.token = Some(token.to_owned());
        Ok(())
    }

    fn auth_headers(&self) -> Vec<(String, String)> {
        self.token
            .iter()
            .map(|t| ("authorization".to_owned(), format!("Bearer {t}")))
            .collect()
    }

    /// This ticket's audit records, newest first (`GET /gateway/v1/audit`).
    pub async fn audit(&self, id: &str) -> Result<AuditPage> {
        let op = ListAudit::for_execution(coc_core::ExecutionId::parse(id)?);
        Ok(self.call(&op).await??)
    }

    /// Kills the gateway (the "gateway stopped mid-session" case).
    pub async fn stop(&mut self) -> Result<()> {
        if let Some(mut c) = self.child.take() {
            c.kill().await?;
        }
        Ok(())
    }

    /// GET a path, as JSON.
    pub async fn get_json(&self, path: &str) -> Result<Value> {
        let r = self
            .http
            .send(
                "GET",
                &format!("{}{path}", self.url),
                &self.auth_headers(),
                Vec::new(),
            )
            .await?;
        r.json()
    }

    /// POST JSON to a control route.
    pub async fn post_json(&self, path: &str, body: &Value) -> Result<Reply> {
        let mut headers = self.auth_headers();
        headers.push(("content-type".into(), "application/json".into()));
        self.http
            .send(
                "POST",
                &format!("{}{path}", self.url),
                &headers,
                body.to_string().into_bytes(),
            )
            .await
    }

    /// Moves the simulator's manual clock forward.
    pub async fn advance(&self, ms: u64) -> Result<()> {
        let r = self
            .post_json("/__sim/advance", &json!({ "ms": ms }))
            .await?;
        r.expect_ok(&format!("advance {ms} ms"))
    }

    /// Sets the embedded simulator's fault knobs (`PUT /__sim/faults`);
    /// `{}` turns them all off.
    pub async fn set_faults(&self, faults: &Value) -> Result<()> {
        let url = format!("{}/__sim/faults", self.url);
        let r = self
            .http
            .send(
                "PUT",
                &url,
                &[("content-type".to_owned(), "application/json".to_owned())],
                faults.to_string().into_bytes(),
            )
            .await?;
        r.expect_ok(&format!("set faults {faults}"))
    }

    /// The simulator's log of operations received for a ticket.
    pub async fn operations(&self, id: &str) -> Result<Vec<Value>> {
        let v = self
            .get_json(&format!("/__sim/tickets/{id}/operations"))
            .await?;
        v.as_array().cloned().context("operations: not an array")
    }

    async fn call<O: Operation>(
        &self,
        op: &O,
    ) -> Result<std::result::Result<O::Output, coc_core::Error>> {
        let req = self.endpoint.prepare(op, UnixTime::from_secs(0))?;
        let method = match req.method {
            Method::Get => "GET",
            Method::Post => "POST",
        };
        let r = self
            .http
            .send(method, &req.url, &req.headers, req.body)
            .await?;
        Ok(op.parse_response(&HttpResponse::new(r.status, &r.headers, &r.body)))
    }

    /// Starts a fresh ticket of a document (ExecuteDocument).
    pub async fn execute(&self, document_id: &str) -> Result<String> {
        let op = ExecuteDocument::new(
            document_id,
            ExecuteDocumentBody {
                description: Some("Started by the console's full-stack tests".into()),
                ..Default::default()
            },
        )?;
        Ok(self.call(&op).await??)
    }

    /// GetExecution through the gateway.
    pub async fn ticket(&self, id: &str) -> Result<Execution> {
        Ok(self.call(&GetExecution::new(id)?).await??)
    }

    /// OperateExecution through the gateway, behind the page's back, with
    /// a reason (the gateway requires one for TERMINATE and SKIP_BATCH by
    /// default).
    pub async fn operate(&self, id: &str, op: OperateType) -> Result<()> {
        let reason = Reason::parse("sent by the full-stack tests behind the page's back")?;
        self.call(&OperateExecution::new(id, op)?.with_reason(Some(reason)))
            .await??;
        Ok(())
    }

    /// Advances the clock in `step_ms` steps until the ticket's status
    /// satisfies `want`; fails after `max_steps`.
    pub async fn advance_until(
        &self,
        id: &str,
        step_ms: u64,
        max_steps: u32,
        want: impl Fn(&ExecutionStatus) -> bool,
    ) -> Result<Execution> {
        for _ in 0..=max_steps {
            let t = self.ticket(id).await?;
            if want(&t.status_or_unknown()) {
                return Ok(t);
            }
            self.advance(step_ms).await?;
        }
        let t = self.ticket(id).await?;
        bail!(
            "ticket {id} is still {:?} after {max_steps} steps of {step_ms} ms",
            t.status
        )
    }

    /// A fresh ticket of `document_id`, advanced on the manual clock until
    /// it is Running: the start of every test that operates on one.
    pub async fn running_ticket(&self, document_id: &str) -> Result<String> {
        let id = self.execute(document_id).await?;
        self.advance_until(&id, 1_000, 10, |s| *s == ExecutionStatus::Running)
            .await?;
        Ok(id)
    }
}

static PROFILE_N: AtomicU32 = AtomicU32::new(0);

/// A chromedriver plus a headless Chromium session.
#[derive(Debug)]
pub struct Browser {
    /// The WebDriver client.
    pub client: Client,
    driver: Child,
    profile: PathBuf,
}

#[derive(Debug)]
struct BrowserLog;

impl fantoccini::wd::WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/se/log", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _url: &url::Url) -> (http::Method, Option<String>) {
        (
            http::Method::POST,
            Some(json!({"type": "browser"}).to_string()),
        )
    }
}

/// A Chrome DevTools Protocol command, through chromedriver's
/// `goog/cdp/execute`.
#[derive(Debug)]
struct Cdp {
    cmd: &'static str,
    params: Value,
}

impl fantoccini::wd::WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/goog/cdp/execute",
            session.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _url: &url::Url) -> (http::Method, Option<String>) {
        (
            http::Method::POST,
            Some(json!({"cmd": self.cmd, "params": self.params}).to_string()),
        )
    }
}

impl Browser {
    /// Sends a DevTools Protocol command to the current tab and returns its
    /// result.
    pub async fn cdp(&self, cmd: &'static str, params: Value) -> Result<Value> {
        self.client
            .issue_cmd(Cdp { cmd, params })
            .await
            .with_context(|| format!("CDP {cmd}"))
    }

    /// Starts chromedriver on a free port and a fresh Chromium profile.
    pub async fn start(width: u32, height: u32) -> Result<Self> {
        Self::start_with_languages(width, height, &[]).await
    }

    /// As [`Browser::start`], for a reader whose browser prefers
    /// `languages` (`navigator.languages`, Accept-Language); empty:
    /// Chromium's default.
    pub async fn start_with_languages(width: u32, height: u32, languages: &[&str]) -> Result<Self> {
        let port = free_port()?;
        let driver_bin =
            std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        let driver = Command::new(&driver_bin)
            .arg(format!("--port={port}"))
            // Chromium inherits it: "local time" is UTC in every test, on
            // any machine, and a test of another zone chooses it by link.
            .env("TZ", "UTC")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {driver_bin}"))?;
        let base = format!("http://127.0.0.1:{port}");
        let http = Http::default();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(r) = http
                .send("GET", &format!("{base}/status"), &[], Vec::new())
                .await
                && r.status == 200
            {
                break;
            }
            if Instant::now() > deadline {
                bail!("chromedriver did not answer on {base} within 20 s");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let profile = std::env::temp_dir().join(format!(
            "coc-e2e-profile-{}-{}",
            std::process::id(),
            PROFILE_N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&profile)?;
        let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let mut caps = json!({
            "browserName": "chrome",
            "goog:loggingPrefs": { "browser": "ALL" },
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--no-first-run", "--disable-quic",
                    format!("--user-data-dir={}", profile.display()),
                    format!("--window-size={width},{height}"),
                ],
                // Downloads land in the profile, without a prompt, for
                // [`Browser::downloaded`].
                "prefs": {
                    "download.default_directory": profile.join("downloads"),
                    "download.prompt_for_download": false,
                }
            }
        });
        if !languages.is_empty() {
            let options = &mut caps["goog:chromeOptions"];
            options["prefs"]["intl.accept_languages"] = json!(languages.join(","));
            if let Some(args) = options["args"].as_array_mut() {
                args.push(json!(format!("--lang={}", languages[0])));
            }
        }
        let caps = match caps {
            Value::Object(m) => m,
            _ => bail!("capabilities"),
        };
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(caps)
            .connect(&base)
            .await
            .context("starting a Chromium session")?;
        Ok(Self {
            client,
            driver,
            profile,
        })
    }

    /// The file `name` the page downloaded, once the browser has finished
    /// writing it (waits up to 10 s).
    pub async fn downloaded(&self, name: &str) -> Result<Vec<u8>> {
        let path = self.profile.join("downloads").join(name);
        wait_for(
            &format!("the download {name}"),
            Duration::from_secs(10),
            || async {
                // Chromium writes `name.crdownload` and renames it when done,
                // but may first reserve `name` as an empty file: done means
                // no `.crdownload` left and something in `name`.
                let partial = path.with_file_name(format!("{name}.crdownload"));
                if partial.exists() {
                    return Ok(None);
                }
                Ok(std::fs::read(&path).ok().filter(|b| !b.is_empty()))
            },
        )
        .await
    }

    /// Runs axe-core's WCAG 2.0/2.1 A and AA rules over the page as it is
    /// now (or only over the elements matching `within`, shadow roots
    /// included) and returns each violation as `rule (impact): help, at
    /// targets`. axe-core comes from npm (`cargo xtask test` installs it
    /// and sets `COC_AXE_JS`); it is injected over WebDriver, which the
    /// page's CSP does not govern.
    pub async fn axe(&self, within: Option<&str>) -> Result<Vec<String>> {
        static AXE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        let source = match AXE.get() {
            Some(s) => s,
            None => {
                let path = std::env::var("COC_AXE_JS").map_err(|_| {
                    anyhow!(
                        "COC_AXE_JS is not set: the accessibility checks need axe-core's axe.min.js; \
                         run them with `cargo xtask test`, which installs it"
                    )
                })?;
                let text = std::fs::read_to_string(&path)
                    .with_context(|| format!("reading axe-core from {path}"))?;
                AXE.get_or_init(|| text)
            }
        };
        let loaded = self.js("return typeof window.axe === 'object';").await?;
        if loaded != Value::Bool(true) {
            self.client
                .execute(&format!("{source}\nreturn true;"), Vec::new())
                .await
                .context("injecting axe-core")?;
        }
        let found = self
            .client
            .execute(
                r#"const [within] = arguments;
                   const context = within ? { include: [[within]] } : document;
                   return axe.run(context, {
                     runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
                     resultTypes: ["violations"],
                   }).then((r) => r.violations.map((v) =>
                     `${v.id} (${v.impact}): ${v.help}, at ${v.nodes.map((n) => n.target.join(" ")).join("; ")}`));"#,
                vec![json!(within)],
            )
            .await
            .context("running axe-core")?;
        Ok(serde_json::from_value(found)?)
    }

    /// Browser console entries so far (cleared by reading).
    pub async fn logs(&self) -> Result<Vec<Value>> {
        let v = self.client.issue_cmd(BrowserLog).await?;
        Ok(v.as_array().cloned().unwrap_or_default())
    }

    /// Fails if the browser logged a Content-Security-Policy violation.
    pub async fn assert_no_csp_violations(&self) -> Result<()> {
        let logs = self.logs().await?;
        let bad: Vec<&Value> = logs
            .iter()
            .filter(|e| {
                let m = e["message"].as_str().unwrap_or_default();
                m.contains("Content Security Policy") || m.contains("Content-Security-Policy")
            })
            .collect();
        if !bad.is_empty() {
            bail!("CSP violations in the browser log: {bad:#?}");
        }
        Ok(())
    }

    /// Closes the session and chromedriver.
    pub async fn close(mut self) -> Result<()> {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill().await;
        let _ = std::fs::remove_dir_all(&self.profile);
        Ok(())
    }

    /// Saves a PNG screenshot to `artifacts/screenshots/<name>.png`.
    pub async fn screenshot(&self, name: &str) -> Result<PathBuf> {
        let png = self.client.screenshot().await?;
        let path = screenshot_dir()?.join(format!("{name}.png"));
        std::fs::write(&path, png)?;
        Ok(path)
    }

    /// Navigates.
    pub async fn goto(&self, url: &str) -> Result<()> {
        self.client.goto(url).await?;
        Ok(())
    }

    /// The first element matching `css`, waiting up to 10 s for it.
    pub async fn find(&self, css: &str) -> Result<fantoccini::elements::Element> {
        wait_for(
            &format!("an element matching {css}"),
            Duration::from_secs(10),
            || async { Ok(self.client.find(Locator::Css(css)).await.ok()) },
        )
        .await
    }

    /// Whether an element matching `css` exists now.
    pub async fn exists(&self, css: &str) -> Result<bool> {
        Ok(!self.client.find_all(Locator::Css(css)).await?.is_empty())
    }

    /// The text of the first element matching `css` (waiting for it).
    pub async fn text(&self, css: &str) -> Result<String> {
        Ok(self.find(css).await?.text().await?)
    }

    /// The `textContent` of the first element matching `css` (includes
    /// visually hidden text).
    pub async fn text_content(&self, css: &str) -> Result<String> {
        self.text_content_now(css)
            .await?
            .with_context(|| format!("no element matches {css}"))
    }

    /// The `textContent` of `css` as it is now, `None` without a match.
    async fn text_content_now(&self, css: &str) -> Result<Option<String>> {
        let v = self
            .client
            .execute(
                "const e = document.querySelector(arguments[0]); return e ? e.textContent : null;",
                vec![json!(css)],
            )
            .await?;
        Ok(v.as_str().map(str::to_owned))
    }

    /// Waits until the text of `css` contains `needle`.
    pub async fn wait_text(&self, css: &str, needle: &str) -> Result<String> {
        wait_for(
            &format!("{css} to contain {needle:?}"),
            Duration::from_secs(15),
            || async {
                Ok(self
                    .text_content_now(css)
                    .await?
                    .filter(|t| t.contains(needle)))
            },
        )
        .await
    }

    /// How many elements match `css` now.
    pub async fn count(&self, css: &str) -> Result<u64> {
        let v = self
            .client
            .execute(
                "return document.querySelectorAll(arguments[0]).length;",
                vec![json!(css)],
            )
            .await?;
        v.as_u64().with_context(|| format!("counting {css}: {v}"))
    }

    /// Clicks the first element matching `css`.
    pub async fn click(&self, css: &str) -> Result<()> {
        self.find(css).await?.click().await?;
        Ok(())
    }

    /// The page's path and query (`/executions?creator=ana`), as a link
    /// of the console writes them.
    pub async fn path_and_query(&self) -> Result<String> {
        let url = self.client.current_url().await?;
        Ok(match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        })
    }

    /// Waits up to 10 s for the page to be at `want` ([`Self::path_and_query`]).
    pub async fn wait_url(&self, want: &str) -> Result<()> {
        wait_for(
            &format!("the URL to be {want}"),
            Duration::from_secs(10),
            || async { Ok((self.path_and_query().await? == want).then_some(())) },
        )
        .await
    }

    /// Presses `keys` one after another, as a keyboard would, wherever the
    /// focus is (`Key::Enter` and the like are chars too).
    pub async fn press(&self, keys: &str) -> Result<()> {
        use fantoccini::actions::{InputSource, KeyAction, KeyActions};
        let mut actions = KeyActions::new("keyboard".into());
        for c in keys.chars() {
            actions = actions
                .then(KeyAction::Down { value: c })
                .then(KeyAction::Up { value: c });
        }
        self.client.perform_actions(actions).await?;
        Ok(())
    }

    /// Runs a script and returns its value.
    pub async fn js(&self, script: &str) -> Result<Value> {
        Ok(self.client.execute(script, Vec::new()).await?)
    }

    /// Switches the console's theme toggle to `want` (`light`, `dark`).
    pub async fn set_theme(&self, want: &str) -> Result<()> {
        for _ in 0..3 {
            let cur = self
                .find(".coc-theme-toggle")
                .await?
                .attr("data-theme")
                .await?;
            if cur.as_deref() == Some(want) {
                return Ok(());
            }
            self.click(".coc-theme-toggle").await?;
        }
        bail!("could not switch to the {want} theme")
    }
}

/// `--sim-start-ms` for a simulator whose clock starts now, so that times
/// in screenshots read as they would in production.
pub fn sim_start_now() -> String {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or_default()
        .to_string()
}

/// Runs `body` with a fresh gateway (started with `extra_flags`) and a
/// browser of `size`, one test at a time; a failure leaves a screenshot
/// `failed-<name>.png`; finally, no CSP violation may have been logged.
pub async fn run_in_browser<F>(
    name: &str,
    extra_flags: &[&str],
    size: (u32, u32),
    body: F,
) -> Result<()>
where
    F: AsyncFnOnce(&mut Gateway, &Browser) -> Result<()>,
{
    let _serial = serial().await;
    let env = test_env()?;
    let mut gw = Gateway::start_with(&env, extra_flags).await?;
    let br = Browser::start(size.0, size.1).await?;
    let outcome = body(&mut gw, &br).await;
    if outcome.is_err()
        && let Ok(p) = br.screenshot(&format!("failed-{name}")).await
    {
        note(&format!("{name} failed; screenshot at {}", p.display()));
    }
    let csp = br.assert_no_csp_violations().await;
    br.close().await?;
    outcome?;
    csp
}

/// Polls `probe` every 100 ms until it yields `Some`, for at most `limit`.
/// (Waiting for the page to react is real time by nature; the simulator's
/// time is moved explicitly, never waited for.)
pub async fn wait_for<T, F, Fut>(what: &str, limit: Duration, mut probe: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Option<T>>>,
{
    let deadline = Instant::now() + limit;
    let mut last_err = None;
    loop {
        match probe().await {
            Ok(Some(v)) => return Ok(v),
            Ok(None) => {}
            Err(e) => last_err = Some(e),
        }
        if Instant::now() > deadline {
            return Err(match last_err {
                Some(e) => e.context(format!("timed out waiting for {what}")),
                None => anyhow!("timed out after {limit:?} waiting for {what}"),
            });
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// `2025-07-01T13:01:45.000Z` for epoch milliseconds (what `<time datetime>`
/// holds); empty outside the `time` crate's range.
pub fn iso_utc(ms: i64) -> String {
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(format).ok())
        .unwrap_or_default()
}

/// Logs a line to stderr (test output).
pub fn note(msg: &str) {
    eprintln!("[coc-e2e] {msg}");
}

#[cfg(test)]
mod tests {
    #[test]
    fn iso_utc_matches_javascript() {
        assert_eq!(
            super::iso_utc(1_751_374_905_000),
            "2025-07-01T13:01:45.000Z"
        );
        assert_eq!(super::iso_utc(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(super::iso_utc(951_782_400_123), "2000-02-29T00:00:00.123Z");
    }
}
