//! Building the router and serving it: the layers every request passes
//! through, in order (compression → the front door: request-target and
//! `Host` guard, request ids and access log, security headers → CORS →
//! admission: origin check and identity), the route table,
//! and the bound or running [`Server`].
//!
//! It deliberately decides nothing about a request's content: what is
//! forwarded is [`crate::routes`]'s, who may is [`crate::access`]'s, and the
//! console's files are [`crate::static_files`]'s. It terminates no TLS.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use tokio::net::TcpListener;
use tower::ServiceBuilder;
use tower::ServiceExt as _;
use tower::util::BoxCloneSyncService;
use tower_http::compression::CompressionLayer;

use crate::cors::{GATEWAY_REQUEST_ID, REQUEST_ID};
use crate::embedded::Embedded;
use crate::error::{OwnError, escape};
use crate::listen::{self, ClientLimits};
use crate::routes::Route;
use crate::state::{self, AbortOnDrop, AppState, Built};
use crate::{Config, Error, access, gateway_api, routes, static_files};

/// The gateway as one service, as [`crate::listen`] serves it.
pub type GatewayService = BoxCloneSyncService<Request, Response, std::convert::Infallible>;

/// A built application: the router and what it is connected to.
#[derive(Debug)]
pub struct App {
    /// The whole gateway: the router inside its layers.
    pub service: GatewayService,
    /// The embedded simulator, in simulator mode.
    pub simulator: Option<Embedded>,
    mode: String,
    /// Retention's purge loop, stopped with the app.
    _purge: Option<AbortOnDrop>,
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
    let Built {
        state,
        simulator,
        mode,
    } = AppState::build(config).await?;
    let purge = config
        .audit_retention_days
        .map(|days| state::spawn_retention(&state, days));

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
    // Layers around the whole router, not `Router::layer`, which wraps
    // each route and so clones the stack for every request; the front
    // door's checks are two plain middleware functions, not one layer
    // apiece, since each `from_fn` layer boxes and clones what is inside
    // it per request (together ~20% of the gateway's CPU per proxied GET,
    // perf with wrk on a small ticket).
    let router = ServiceBuilder::new()
        .map_response(|response: Response<_>| response.map(Body::new))
        // tower-http's default levels (brotli 4, gzip 6) suit dynamic
        // answers: a 2 MB ticket compresses to ~270 KB in ~25 ms.
        .layer(CompressionLayer::new().br(true).gzip(true))
        .layer(middleware::from_fn_with_state(Arc::clone(&state), front))
        .layer(state.origins.layer())
        .layer(middleware::from_fn_with_state(Arc::clone(&state), admit))
        .service(router);
    let service = BoxCloneSyncService::new(router);
    Ok(App {
        service,
        simulator,
        mode,
        _purge: purge,
    })
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

/// The front door, outside CORS: the guard's refusals ([`routes::check`]),
/// request ids and the access log, and the security headers.
///
/// Every response leaves with an `X-request-id` (the upstream's, or a fresh
/// UUID v4) and the gateway's own `X-Gateway-Request-Id`; the gateway's own
/// errors carry the id in their body too, and one log line records method,
/// path, route, status, latency and request id. Headers, query strings and
/// bodies are never logged, so no token, signature or SK can reach the log.
async fn front(State(state): State<Arc<AppState>>, mut req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let uri = req.uri().clone();
    let own_id = uuid::Uuid::new_v4().to_string();
    req.extensions_mut()
        .insert(access::GatewayRequestId(own_id.clone()));
    let mut response = match routes::check(&state, &req) {
        Ok(()) => next.run(req).await,
        Err(refused) => refused.into_response(),
    };
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
    let server_error = response.status() >= StatusCode::INTERNAL_SERVER_ERROR;
    let logged = if server_error {
        tracing::enabled!(target: "coc_gateway::access", tracing::Level::WARN)
    } else {
        tracing::enabled!(target: "coc_gateway::access", tracing::Level::INFO)
    };
    if logged {
        // Escaped: a raw U+0085 or U+2028 in a path would start a new line
        // in a text log, and a bidirectional mark would reorder the one it
        // is on.
        let path = escape(&uri.path().chars().take(200).collect::<String>());
        let route = response
            .extensions()
            .get::<Route>()
            .map(Route::label)
            .unwrap_or_else(|| classify(&path));
        let status = response.status().as_u16();
        let latency_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let error_code = own.as_ref().map(|o| o.code).unwrap_or_default();
        if server_error {
            tracing::warn!(target: "coc_gateway::access", %method, %path, route, status, latency_ms, request_id, error_code, "request");
        } else {
            tracing::info!(target: "coc_gateway::access", %method, %path, route, status, latency_ms, request_id, error_code, "request");
        }
    }
    secure(&mut response);
    response
}

/// The headers every answer carries. `X-Frame-Options: DENY` on all but the
/// console's pages, which say what their `frame-ancestors` allows (see
/// `static_files`): nothing else the gateway serves is meant to be framed.
fn secure(response: &mut Response) {
    let framing_decided = response
        .extensions()
        .get::<static_files::FramingDecided>()
        .is_some();
    let headers = response.headers_mut();
    if !framing_decided {
        headers
            .entry(header::X_FRAME_OPTIONS)
            .or_insert(HeaderValue::from_static("DENY"));
    }
    headers
        .entry(header::X_CONTENT_TYPE_OPTIONS)
        .or_insert(HeaderValue::from_static("nosniff"));
    headers
        .entry(header::REFERRER_POLICY)
        .or_insert(HeaderValue::from_static("no-referrer"));
}

/// The front door, inside CORS (so that a preflight from a foreign origin
/// gets CORS's answer, no grant, rather than a 403): the origin check and
/// the caller's identity.
async fn admit(State(state): State<Arc<AppState>>, mut req: Request, next: Next) -> Response {
    match routes::check_origin(&state, &req).and_then(|()| access::identify(&state, &mut req)) {
        Ok(()) => next.run(req).await,
        Err(refused) => refused.into_response(),
    }
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
    limits: ClientLimits,
    max_connections: usize,
}

impl Server {
    /// Binds `config.listen` and builds the app.
    pub async fn bind(config: &Config) -> Result<Self, Error> {
        let fd_limit = listen::fd_limit();
        let max_connections = config.client.resolve(fd_limit)?;
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
        // Not in the start line, which tools parse: the log says it.
        tracing::info!(
            target: "coc_gateway::connections",
            max_connections,
            fd_limit = fd_limit.map_or_else(|| "unknown".to_owned(), |l| l.to_string()),
            header_read_timeout_ms = config.client.header_read_timeout.as_millis(),
            keep_alive_timeout_ms = config.client.keep_alive_timeout.as_millis(),
            body_read_timeout_ms = config.client.body_read_timeout.as_millis(),
            "client limits"
        );
        Ok(Self {
            listener,
            app,
            addr,
            limits: config.client,
            max_connections,
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
        listen::serve(
            self.listener,
            self.app.service,
            self.limits,
            self.max_connections,
            shutdown,
        )
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
