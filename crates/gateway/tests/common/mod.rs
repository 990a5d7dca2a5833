//! Shared helpers: a recording upstream, gateways in-process on 127.0.0.1:0,
//! raw HTTP for request targets reqwest would normalize away, and the
//! request-and-assert steps the tests repeat (a GET, a gateway error's
//! status and code, a header, an OperateExecution, a page of the trail).

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::type_complexity
)]

pub mod pg;

use std::net::SocketAddr;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use coc_core::gateway::AuditPage;
use coc_gateway::audit::AuditDb;
use coc_gateway::{Config, Running, SimSettings, UpstreamAuth, UpstreamChoice};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// One request as the upstream saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path_and_query: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// An upstream that records every request and answers a fixed COC-like body.
#[derive(Clone)]
pub struct Recorder {
    pub url: String,
    pub seen: Arc<Mutex<Vec<Seen>>>,
    _task: Arc<AbortOnDrop>,
}

struct AbortOnDrop(tokio::task::JoinHandle<()>);
impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl Recorder {
    pub fn count(&self) -> usize {
        self.seen.lock().unwrap().len()
    }
    pub fn last(&self) -> Seen {
        self.seen
            .lock()
            .unwrap()
            .last()
            .cloned()
            .expect("upstream saw no request")
    }
}

/// Ticket body the recorder answers with.
pub const TICKET: &str =
    r#"{"data":{"execution_id":"EX2025070121014501aaaaaa","status":"Running","type":"BATCH"}}"#;

pub async fn recorder() -> Recorder {
    recorder_with(Some("upstream-req-1")).await
}

/// `request_id`: the X-request-id the recorder answers with, if any.
pub async fn recorder_with(request_id: Option<&'static str>) -> Recorder {
    let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
    async fn record(
        State((seen, rid)): State<(Arc<Mutex<Vec<Seen>>>, Option<&'static str>)>,
        req: Request,
    ) -> Response {
        let (parts, body) = req.into_parts();
        let body: Bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap();
        seen.lock().unwrap().push(Seen {
            method: parts.method.to_string(),
            path_and_query: parts
                .uri
                .path_and_query()
                .map(|p| p.to_string())
                .unwrap_or_default(),
            headers: parts
                .headers
                .iter()
                .map(|(n, v)| {
                    (
                        n.to_string(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect(),
            body: body.to_vec(),
        });
        let mut res = (
            StatusCode::OK,
            [
                ("content-type", "application/json"),
                ("set-cookie", "upstream-session=1"),
                ("x-upstream-internal", "secret-banner"),
            ],
            TICKET,
        )
            .into_response();
        if let Some(rid) = rid {
            res.headers_mut()
                .insert("x-request-id", rid.parse().unwrap());
        }
        res
    }
    let app = Router::new()
        .fallback(record)
        .with_state((Arc::clone(&seen), request_id));
    let (url, task) = serve(app).await;
    Recorder {
        url,
        seen,
        _task: Arc::new(AbortOnDrop(task)),
    }
}

/// Serves `app` on 127.0.0.1:0.
pub async fn serve(app: Router) -> (String, tokio::task::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}"), task)
}

/// A forwarding-mode config for `upstream`.
pub fn forwarding(upstream: &str) -> Config {
    Config {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        upstream: UpstreamChoice::Url(upstream.to_owned()),
        auth: UpstreamAuth::None,
        connect_timeout: Duration::from_secs(2),
        timeout: Duration::from_secs(5),
        // These tests are about forwarding; the reason rule has its own.
        require_reason: Vec::new(),
        ..Config::default()
    }
}

/// A simulator-mode config with a manual clock (tickets stay where the seed
/// put them) and this audit store.
pub fn manual_sim(audit_db: AuditDb) -> Config {
    Config {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        upstream: UpstreamChoice::Simulator(SimSettings {
            manual_clock: true,
            ..SimSettings::default()
        }),
        audit_db,
        ..Config::default()
    }
}

pub async fn gateway(config: Config) -> Running {
    coc_gateway::spawn(&config).await.expect("gateway starts")
}

pub fn client() -> reqwest::Client {
    coc_gateway::install_crypto_provider();
    reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Sends `head` (request line and headers, without the final blank line)
/// and returns the raw response.
pub async fn raw(addr: SocketAddr, head: &str) -> String {
    raw_with_body(addr, head, b"").await
}

pub async fn raw_with_body(addr: SocketAddr, head: &str, body: &[u8]) -> String {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let mut request = head.replace('\n', "\r\n");
    if !request.ends_with("\r\n") {
        request.push_str("\r\n");
    }
    request.push_str("Connection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    stream.write_all(body).await.unwrap();
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut out)).await;
    String::from_utf8_lossy(&out).into_owned()
}

/// Status code of a raw response.
pub fn raw_status(response: &str) -> u16 {
    response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP response: {response:?}"))
}

/// The JSON body of a raw (non-chunked) response.
pub fn raw_json(response: &str) -> serde_json::Value {
    let body = response.split("\r\n\r\n").nth(1).unwrap_or_default();
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {response:?}"))
}

/// The `error_code` of a gateway error answer.
pub async fn error_code(response: reqwest::Response) -> (u16, String) {
    let status = response.status().as_u16();
    let body: serde_json::Value = response.json().await.unwrap();
    (
        status,
        body["error_code"].as_str().unwrap_or_default().to_owned(),
    )
}

/// A plain GET with the test client.
pub async fn get(url: impl AsRef<str>) -> reqwest::Response {
    client().get(url.as_ref()).send().await.unwrap()
}

/// Asserts that `response` is the gateway's own error `code` with `status`.
pub async fn expect_error(response: reqwest::Response, status: u16, code: &str) {
    assert_eq!(error_code(response).await, (status, code.to_owned()));
}

/// A response header as text, if present.
pub fn header<'a>(r: &'a reqwest::Response, name: &str) -> Option<&'a str> {
    r.headers().get(name).map(|v| v.to_str().unwrap())
}

/// A response header that must be present.
pub fn h<'a>(r: &'a reqwest::Response, name: &str) -> &'a str {
    header(r, name).unwrap_or_else(|| panic!("no {name} header"))
}

/// `POST /v1/executions` for `op` on `id`, with an operator token and a
/// reason when given (the reason percent-encoded as the console sends it).
pub fn operate(
    c: &reqwest::Client,
    gw: &str,
    id: &str,
    op: &str,
    bearer: Option<&str>,
    reason: Option<&str>,
) -> reqwest::RequestBuilder {
    let mut r = c
        .post(format!("{gw}/v1/executions"))
        .json(&serde_json::json!({"execution_id": id, "operate_type": op}));
    if let Some(t) = bearer {
        r = r.bearer_auth(t);
    }
    if let Some(reason) = reason {
        r = r.header(
            "x-coc-ops-reason",
            coc_core::gateway::Reason::parse(reason)
                .unwrap()
                .to_header(),
        );
    }
    r
}

/// One page of `/gateway/v1/audit?{query}`, which must answer 200.
pub async fn audit_page(
    c: &reqwest::Client,
    gw: &str,
    query: &str,
    bearer: Option<&str>,
) -> AuditPage {
    let mut r = c.get(format!("{gw}/gateway/v1/audit?{query}"));
    if let Some(t) = bearer {
        r = r.bearer_auth(t);
    }
    let r = r.send().await.unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    r.json().await.unwrap()
}

/// Reads until the peer closes (or resets), giving up after `limit`.
/// Returns what was read and when the close came, `None` if it did not.
pub async fn read_until_closed(
    stream: &mut TcpStream,
    limit: Duration,
) -> (Vec<u8>, Option<Duration>) {
    let started = Instant::now();
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let left = limit.saturating_sub(started.elapsed());
        match tokio::time::timeout(left, stream.read(&mut buf)).await {
            Err(_) => return (out, None),
            Ok(Ok(0) | Err(_)) => return (out, Some(started.elapsed())),
            Ok(Ok(n)) => out.extend_from_slice(&buf[..n]),
        }
    }
}

/// The binary with its open-file limit lowered to `nofile`.
pub async fn start_with_nofile(
    nofile: Option<u32>,
    args: &[&str],
) -> (tokio::process::Child, String) {
    let bin = env!("CARGO_BIN_EXE_coc-gateway");
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let db = std::env::temp_dir().join(format!(
        "coc-hardening-test-{}-{n}.sqlite",
        std::process::id()
    ));
    let ulimit = nofile
        .map(|n| format!("ulimit -n {n} && "))
        .unwrap_or_default();
    let mut cmd = tokio::process::Command::new("sh");
    cmd.arg("-c")
        .arg(format!("{ulimit}exec \"$0\" \"$@\""))
        .arg(bin)
        .args(args)
        .env("COC_GATEWAY_AUDIT_DB", format!("sqlite://{}", db.display()))
        .env_remove("COC_GATEWAY_MAX_CONNECTIONS")
        .current_dir(std::env::temp_dir())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let mut child = cmd.spawn().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    tokio::time::timeout(Duration::from_secs(20), stdout.read_line(&mut line))
        .await
        .expect("no start line within 20 s")
        .unwrap();
    let url = line.split(' ').nth(3).unwrap_or_default().to_owned();
    assert!(url.starts_with("http://"), "{line}");
    (child, url)
}

pub async fn stderr_of(mut child: tokio::process::Child) -> String {
    let stderr = child.stderr.take().unwrap();
    child.start_kill().unwrap();
    let _ = child.wait().await;
    let mut err = String::new();
    BufReader::new(stderr)
        .read_to_string(&mut err)
        .await
        .unwrap();
    err
}
