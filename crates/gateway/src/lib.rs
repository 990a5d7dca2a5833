//! The gateway between the COC ops console (a browser app) and Huawei Cloud
//! COC, or the embedded COC simulator when no upstream is configured.
//!
//! The real COC API speaks no CORS and wants signed requests, and an SK must
//! never reach a browser. This crate serves the console's files, answers the
//! browser's CORS, and forwards exactly the six COC job-execution routes,
//! each rebuilt and signed by `coc-core`, at the same paths as the real
//! service, so any COC client can use it as its endpoint.
//!
//! Request flow (outermost first): security headers → compression → access
//! log and `X-request-id` (`observe`) → CORS ([`cors`]) → request-target
//! guard (`routes::guard`) → router: `/healthz`, `/__sim/*` (simulator
//! mode), `/v1/*` (`routes::api` → `forward`), and the console's files
//! ([`static_files`]) for everything else.
//!
//! # What it deliberately does not do
//!
//! - It does not forward anything it cannot parse into a core operation:
//!   no generic reverse proxy, no other COC APIs, no WebSockets.
//! - It keeps no state and no sessions; it sets no cookies and forwards none.
//! - It never retries (a repeated OperateExecution is a second operation).
//! - It terminates no TLS: run it on loopback, or behind a TLS proxy.
//!
//! # Start line
//!
//! [`Server::start_line`] is printed once on start, and tools parse the URL
//! from it (the fourth space-separated word):
//!
//! ```text
//! coc-gateway listening on http://127.0.0.1:8080 (simulator mode, seed 42)
//! coc-gateway listening on http://127.0.0.1:8080 (forwarding to https://coc.myhuaweicloud.com, signing with AK/SK)
//! ```

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

mod access;
pub mod audit;
mod clock;
pub mod cors;
mod embedded;
pub mod error;
mod forward;
mod gateway_api;
pub mod operators;
mod routes;
pub mod static_files;

use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use coc_core::Credentials;
use tokio::net::TcpListener;
use tower::ServiceExt as _;
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;

pub use cors::OriginPolicy;
pub use embedded::{Embedded, SimSettings};
pub use error::GatewayError;
pub use forward::{UpstreamAuth, install_crypto_provider};
pub use static_files::CspSettings;

use audit::{AuditDb, AuditStore};
use coc_core::OperateType;
use cors::{GATEWAY_REQUEST_ID, REQUEST_ID};
use error::OwnError;
use forward::Upstream;
use operators::{Authenticator, OperatorsConfig, Policy};
use routes::Route;
use static_files::StaticSite;

/// Default request body limit: OperateExecution bodies are ~80 bytes, and an
/// ExecuteDocument with many targets stays well under this.
pub const DEFAULT_BODY_LIMIT: usize = 64 * 1024;

/// Where API requests go.
#[derive(Debug, Clone)]
pub enum UpstreamChoice {
    /// A COC endpoint (the real service, or any simulator) at this base URL.
    Url(String),
    /// An in-process simulator on an internal loopback port.
    Simulator(SimSettings),
}

/// Everything the gateway needs; `main.rs` fills it from flags and env.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address to listen on; port 0 picks a free port.
    pub listen: SocketAddr,
    /// Where API requests go.
    pub upstream: UpstreamChoice,
    /// How requests to the upstream authenticate.
    pub auth: UpstreamAuth,
    /// Origins (besides the gateway's own) whose pages may call the API.
    pub allow_origins: Vec<String>,
    /// CSP additions for the console's page.
    pub csp: CspSettings,
    /// Trunk's `dist/`; `None` serves a placeholder page.
    pub static_dir: Option<PathBuf>,
    /// Connect timeout for upstream requests.
    pub connect_timeout: Duration,
    /// Total timeout for an upstream exchange, body included.
    pub timeout: Duration,
    /// Largest accepted request body.
    pub body_limit: usize,
    /// How operators are known.
    pub operators: OperatorsConfig,
    /// Who may do what.
    pub policy: Policy,
    /// Operations refused without a reason.
    pub require_reason: Vec<OperateType>,
    /// Where the audit trail goes.
    pub audit_db: AuditDb,
    /// Purge audit records older than this many days (none: keep all).
    pub audit_retention_days: Option<u32>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            upstream: UpstreamChoice::Simulator(SimSettings::default()),
            auth: UpstreamAuth::None,
            allow_origins: Vec::new(),
            csp: CspSettings::default(),
            static_dir: None,
            connect_timeout: Duration::from_secs(3),
            timeout: Duration::from_secs(30),
            body_limit: DEFAULT_BODY_LIMIT,
            operators: OperatorsConfig::default(),
            policy: Policy::default(),
            require_reason: DEFAULT_REQUIRE_REASON.to_vec(),
            audit_db: AuditDb::Memory,
            audit_retention_days: None,
        }
    }
}

/// Operations that need a reason unless `--require-reason` says otherwise.
pub const DEFAULT_REQUIRE_REASON: [OperateType; 2] =
    [OperateType::Terminate, OperateType::SkipBatch];

/// Why the gateway could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The upstream URL or credentials are unusable.
    #[error("invalid upstream: {0}")]
    Upstream(coc_core::Error),
    /// An allowed origin is malformed.
    #[error(transparent)]
    Origin(#[from] cors::OriginError),
    /// A CSP source is malformed.
    #[error(transparent)]
    Csp(#[from] static_files::CspError),
    /// The static directory has no readable `index.html`.
    #[error("cannot serve the console from {}: {source}", path.display())]
    StaticDir {
        /// The `index.html` that could not be read.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// The HTTP client could not be built.
    #[error("cannot build the http client: {0}")]
    HttpClient(reqwest::Error),
    /// Binding a socket failed.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: io::Error,
    },
    /// Serving stopped with an IO error.
    #[error("server error: {0}")]
    Serve(io::Error),
    /// Incomplete AK/SK configuration in the environment.
    #[error("{0}")]
    Credentials(String),
    /// The embedded simulator's settings are unusable.
    #[error("invalid simulator settings: {0}")]
    Simulator(String),
    /// The operators file cannot be used.
    #[error(transparent)]
    Operators(#[from] operators::tokens::TokensError),
    /// The audit store cannot be opened.
    #[error("cannot open the audit trail: {0}")]
    Audit(#[from] audit::AuditError),
}

/// Shared by all handlers.
#[derive(Debug)]
pub(crate) struct AppState {
    pub(crate) upstream: Upstream,
    pub(crate) origins: OriginPolicy,
    pub(crate) site: StaticSite,
    pub(crate) body_limit: usize,
    /// The simulator's `/__sim/*` routes, in simulator mode.
    pub(crate) control: Option<Router>,
    /// Who is calling.
    pub(crate) operators: Authenticator,
    /// What they may do.
    pub(crate) policy: Policy,
    /// Operations refused without a reason.
    pub(crate) require_reason: Vec<OperateType>,
    /// The audit trail.
    pub(crate) audit: Box<dyn AuditStore>,
    /// How long after arrival an operation can still be in flight (the
    /// upstream timeout plus a margin); an intent older than this without
    /// an outcome is "unknown".
    pub(crate) in_flight_limit_ms: i64,
    /// This process, in audit records.
    pub(crate) instance: String,
}

/// A built application: the router and what it is connected to.
#[derive(Debug)]
pub struct App {
    /// The whole gateway as an axum router.
    pub router: Router,
    /// The embedded simulator, in simulator mode.
    pub simulator: Option<Embedded>,
    mode: String,
    /// Retention's purge loop, stopped with the app.
    _purge: Option<AbortOnDrop>,
}

#[derive(Debug)]
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl App {
    /// `simulator mode, seed 42` or `forwarding to https://…, signing with AK/SK`.
    pub fn mode(&self) -> &str {
        &self.mode
    }
}

/// Builds the gateway. In simulator mode this also starts the simulator on
/// an internal loopback port (hence async).
pub async fn app(config: &Config) -> Result<App, Error> {
    let origins = OriginPolicy::new(&config.allow_origins)?;
    config.csp.validate()?;
    let site = StaticSite::new(config.static_dir.clone(), config.csp.clone())?;
    let (upstream, simulator, control, mode) = match &config.upstream {
        UpstreamChoice::Url(url) => {
            let up = Upstream::new(
                url,
                config.auth.clone(),
                config.connect_timeout,
                config.timeout,
                true,
            )?;
            let mode = format!("forwarding to {}, {}", up.base_url(), up.auth().describe());
            (up, None, None, mode)
        }
        UpstreamChoice::Simulator(settings) => {
            let sim = Embedded::start(settings, &config.auth).await?;
            let up = Upstream::new(
                &sim.base_url(),
                config.auth.clone(),
                config.connect_timeout,
                config.timeout,
                false,
            )?;
            let mut mode = format!("simulator mode, {}", settings.describe());
            if config.auth != UpstreamAuth::None {
                mode.push_str(", ");
                mode.push_str(config.auth.describe());
            }
            let control = sim.control_router();
            (up, Some(sim), Some(control), mode)
        }
    };
    if let Some(dir) = site.dir() {
        tracing::info!(dir = %dir.display(), "serving the console");
    } else {
        tracing::info!("no console build found; serving the placeholder page");
    }
    let operators = Authenticator::new(config.operators.clone())?;
    let audit = config.audit_db.open().await?;
    // Not in the start line, which tools parse: the log says it.
    tracing::info!(
        operators = %describe_operators(&config.operators),
        audit = %audit.describe(),
        require_reason = %config.require_reason.iter().map(OperateType::as_str).collect::<Vec<_>>().join(","),
        "who may operate, and where it is recorded"
    );
    let in_flight_limit_ms = i64::try_from(config.timeout.as_millis())
        .unwrap_or(i64::MAX)
        .saturating_add(IN_FLIGHT_MARGIN_MS);
    let state = Arc::new(AppState {
        upstream,
        origins: origins.clone(),
        site,
        body_limit: config.body_limit,
        control,
        operators,
        policy: config.policy.clone(),
        require_reason: config.require_reason.clone(),
        audit,
        in_flight_limit_ms,
        instance: format!("{} pid {}", config.listen, std::process::id()),
    });
    let purge = config
        .audit_retention_days
        .map(|days| AbortOnDrop(tokio::spawn(purge_loop(Arc::clone(&state), days))));

    let router: Router = Router::new()
        .route("/healthz", get(health))
        .route("/v1", any(routes::api))
        .route("/v1/{*rest}", any(routes::api))
        .route("/gateway/v1/me", get(gateway_api::me))
        .route("/gateway/v1/audit", get(gateway_api::audit))
        .route("/gateway/v1/audit.jsonl", get(gateway_api::audit_jsonl))
        .route("/gateway", any(gateway_api::not_allowed))
        .route("/gateway/{*rest}", any(gateway_api::not_allowed))
        .fallback(fallback)
        .with_state(Arc::clone(&state));
    let router = router
        .layer(middleware::from_fn_with_state(
            Arc::clone(&state),
            access::identify,
        ))
        .layer(middleware::from_fn_with_state(
            Arc::clone(&state),
            routes::guard,
        ))
        .layer(origins.layer())
        .layer(middleware::from_fn(observe))
        // tower-http's default levels (brotli 4, gzip 6) suit dynamic
        // answers: a 2 MB ticket compresses to ~270 KB in ~25 ms.
        .layer(CompressionLayer::new().br(true).gzip(true))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ));
    Ok(App {
        router,
        simulator,
        mode,
        _purge: purge,
    })
}

/// Added to the upstream timeout: the audit writes on either side of the
/// exchange also take time.
const IN_FLIGHT_MARGIN_MS: i64 = 5_000;

fn describe_operators(config: &OperatorsConfig) -> String {
    match config {
        OperatorsConfig::Local { name } => format!("local ({name})"),
        OperatorsConfig::Proxy { trusted, .. } => format!(
            "from a proxy at {}",
            trusted
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        OperatorsConfig::Tokens { file } => format!("by token ({})", file.display()),
    }
}

/// Retention: purge at start and then hourly.
async fn purge_loop(state: Arc<AppState>, days: u32) {
    let keep_ms = i64::from(days) * 86_400_000;
    let mut tick = tokio::time::interval(Duration::from_secs(3600));
    loop {
        tick.tick().await;
        let before = clock::now_ms().saturating_sub(keep_ms);
        match state.audit.purge_before(before).await {
            Ok(n) => {
                tracing::info!(target: "coc_gateway::audit", purged = n, days, "audit retention")
            }
            Err(e) => {
                tracing::warn!(target: "coc_gateway::audit", error = %e, "audit retention could not purge")
            }
        }
    }
}

/// `/__sim/*` to the simulator's control routes (simulator mode), all else
/// to the console's files. Dispatched here rather than by a wildcard route,
/// whose path parameter would leak into the simulator's own `Path` extractors.
async fn fallback(State(state): State<Arc<AppState>>, req: Request) -> Response {
    let path = req.uri().path();
    if let Some(control) = &state.control
        && (path == "/__sim" || path.starts_with("/__sim/"))
    {
        let Ok(mut response) = control.clone().oneshot(req).await;
        no_store(&mut response);
        return response;
    }
    static_files::serve(State(state), req).await
}

/// Ticket state is live: API and control answers must never be served from
/// a browser or proxy cache (the upstream's own cache headers are dropped).
pub(crate) fn no_store(response: &mut Response) {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

async fn health() -> Response {
    (
        [(header::CACHE_CONTROL, "no-store")],
        axum::Json(serde_json::json!({ "status": "ok" })),
    )
        .into_response()
}

/// Access log and request ids: every response leaves with an `X-request-id`
/// (the upstream's, or a fresh UUID v4), the gateway's own errors carry it in
/// their body too, and one log line records method, path, route, status,
/// latency and request id. Headers, query strings and bodies are never
/// logged, so no token, signature or SK can reach the log.
async fn observe(mut req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let path: String = req.uri().path().chars().take(200).collect();
    let own_id = uuid::Uuid::new_v4().to_string();
    req.extensions_mut()
        .insert(access::GatewayRequestId(own_id.clone()));
    let mut response = next.run(req).await;
    if let Ok(v) = HeaderValue::from_str(&own_id) {
        response.headers_mut().insert(GATEWAY_REQUEST_ID, v);
    }

    let request_id = match response
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
    {
        Some(id) => id.to_owned(),
        None => {
            if let Ok(v) = HeaderValue::from_str(&own_id) {
                response.headers_mut().insert(REQUEST_ID, v);
            }
            own_id
        }
    };
    let own = response.extensions().get::<OwnError>().cloned();
    if let Some(own) = &own {
        *response.body_mut() =
            Body::from(OwnError::body(own.code, &own.message, Some(&request_id)));
        response.headers_mut().remove(header::CONTENT_LENGTH);
    }
    let route = response
        .extensions()
        .get::<Route>()
        .map(Route::label)
        .unwrap_or_else(|| classify(&path));
    let status = response.status().as_u16();
    let latency_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let error_code = own.as_ref().map(|o| o.code).unwrap_or_default();
    if response.status() >= StatusCode::INTERNAL_SERVER_ERROR {
        tracing::warn!(target: "coc_gateway::access", %method, %path, route, status, latency_ms, request_id, error_code, "request");
    } else {
        tracing::info!(target: "coc_gateway::access", %method, %path, route, status, latency_ms, request_id, error_code, "request");
    }
    response
}

fn classify(path: &str) -> &'static str {
    if path == "/healthz" {
        "health"
    } else if path.starts_with("/__sim") {
        "simulator-control"
    } else if path.starts_with("/v1") {
        "api"
    } else if path.starts_with("/gateway") {
        "gateway"
    } else {
        "static"
    }
}

/// A bound, not yet running gateway.
#[derive(Debug)]
pub struct Server {
    listener: TcpListener,
    app: App,
    addr: SocketAddr,
}

impl Server {
    /// Binds `config.listen` and builds the app.
    pub async fn bind(config: &Config) -> Result<Self, Error> {
        let app = app(config).await?;
        let listener = TcpListener::bind(config.listen)
            .await
            .map_err(|source| Error::Bind {
                addr: config.listen,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| Error::Bind {
            addr: config.listen,
            source,
        })?;
        Ok(Self {
            listener,
            app,
            addr,
        })
    }

    /// The bound address (the real port when 0 was asked for).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:8080`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The one line printed on start; see the crate docs for its format.
    pub fn start_line(&self) -> String {
        format!(
            "coc-gateway listening on {} ({})",
            self.url(),
            self.app.mode()
        )
    }

    /// The embedded simulator, in simulator mode.
    pub fn simulator(&self) -> Option<&Embedded> {
        self.app.simulator.as_ref()
    }

    /// Serves until `shutdown` completes, then finishes in-flight requests.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), Error> {
        let _simulator = self.app.simulator;
        // The peer address decides whether proxy identity headers count.
        let service = self
            .app
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(self.listener, service)
            .with_graceful_shutdown(shutdown)
            .await
            .map_err(Error::Serve)
    }

    /// Runs on a background task (for tests and embedding); the gateway
    /// stops when the returned handle is dropped.
    pub fn spawn(self) -> Running {
        let url = self.url();
        let addr = self.addr;
        let start_line = self.start_line();
        let simulator = self.app.simulator.clone();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(self.run(async {
            let _ = rx.await;
        }));
        Running {
            url,
            addr,
            start_line,
            simulator,
            stop: Some(tx),
            task,
        }
    }
}

/// A gateway running on a background task.
#[derive(Debug)]
pub struct Running {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// The bound address.
    pub addr: SocketAddr,
    /// What the binary would have printed.
    pub start_line: String,
    /// The embedded simulator, in simulator mode.
    pub simulator: Option<Embedded>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<Result<(), Error>>,
}

impl Running {
    /// Stops accepting connections and waits for in-flight requests.
    pub async fn stop(mut self) -> Result<(), Error> {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        match (&mut self.task).await {
            Ok(r) => r,
            Err(e) => Err(Error::Serve(io::Error::other(e))),
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if self.stop.is_some() {
            self.task.abort();
        }
    }
}

/// Binds and spawns in one step: `spawn(config).await?.url`.
pub async fn spawn(config: &Config) -> Result<Running, Error> {
    Ok(Server::bind(config).await?.spawn())
}

/// The SDKs' environment variables for AK/SK credentials.
pub mod env {
    /// Access key id.
    pub const AK: &str = "HUAWEICLOUD_SDK_AK";
    /// Secret key.
    pub const SK: &str = "HUAWEICLOUD_SDK_SK";
    /// Security token of temporary credentials.
    pub const SECURITY_TOKEN: &str = "HUAWEICLOUD_SDK_SECURITY_TOKEN";
    /// Domain (account) id, for global services.
    pub const DOMAIN_ID: &str = "HUAWEICLOUD_SDK_DOMAIN_ID";
    /// Project id.
    pub const PROJECT_ID: &str = "HUAWEICLOUD_SDK_PROJECT_ID";
}

/// Reads AK/SK credentials the way the official SDKs name them. `None` when
/// neither AK nor SK is set; an error when only one of them is.
pub fn credentials_from_env(
    var: impl Fn(&str) -> Option<String>,
) -> Result<Option<Credentials>, Error> {
    let get = |name: &str| {
        var(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let (ak, sk) = match (get(env::AK), get(env::SK)) {
        (None, None) => return Ok(None),
        (Some(ak), Some(sk)) => (ak, sk),
        (Some(_), None) => {
            return Err(Error::Credentials(format!(
                "{} is set but {} is not",
                env::AK,
                env::SK
            )));
        }
        (None, Some(_)) => {
            return Err(Error::Credentials(format!(
                "{} is set but {} is not",
                env::SK,
                env::AK
            )));
        }
    };
    let mut creds = Credentials::new(ak, sk);
    if let Some(t) = get(env::SECURITY_TOKEN) {
        creds = creds.with_security_token(t);
    }
    if let Some(d) = get(env::DOMAIN_ID) {
        creds = creds.with_domain_id(d);
    }
    if let Some(p) = get(env::PROJECT_ID) {
        creds = creds.with_project_id(p);
    }
    Ok(Some(creds))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |k| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
    }

    #[test]
    fn credentials_come_from_the_sdk_variables() {
        assert!(credentials_from_env(env(&[])).unwrap().is_none());
        let c = credentials_from_env(env(&[
            (env::AK, "AK1"),
            (env::SK, " SK1 "),
            (env::SECURITY_TOKEN, "tok"),
            (env::DOMAIN_ID, "dom"),
        ]))
        .unwrap()
        .unwrap();
        assert_eq!(c.access_key, "AK1");
        assert_eq!(c.expose_secret_key(), "SK1");
        assert_eq!(c.security_token.as_deref(), Some("tok"));
        assert_eq!(c.domain_id.as_deref(), Some("dom"));
        assert_eq!(c.project_id, None);
        // Blank counts as unset; half a pair is an error naming the missing half.
        assert!(
            credentials_from_env(env(&[(env::AK, ""), (env::SK, "")]))
                .unwrap()
                .is_none()
        );
        let err = credentials_from_env(env(&[(env::SK, "x")])).unwrap_err();
        assert!(err.to_string().contains(env::AK), "{err}");
        // The SK never shows in Debug output of the configuration.
        let auth = UpstreamAuth::Sign(c);
        assert!(!format!("{auth:?}").contains("SK1"));
    }

    #[test]
    fn path_checks() {
        use routes::check_path;
        for ok in ["/", "/v1/executions/EX1", "/a.b/c..d", "/executions/EX%41"] {
            assert!(check_path(ok).is_ok(), "{ok}");
        }
        for bad in [
            "/a/../b",
            "/..",
            "/./x",
            "/%2e%2E/x",
            "/a%2Fb",
            "/a%5cb",
            "/a\\b",
        ] {
            assert!(check_path(bad).is_err(), "{bad}");
        }
    }
}
