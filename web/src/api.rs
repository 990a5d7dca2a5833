//! The one place the console talks HTTP.
//!
//! Requests are built by `coc_core::Endpoint::prepare` and responses read by
//! the operation's own `parse_response`: this module only moves bytes (with
//! the browser's `fetch`) and turns what can go wrong on the way into a
//! [`ApiFailure`] an operator can act on. It never decodes COC JSON itself,
//! and it never retries: a POST that failed in flight may still have landed.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use coc_core::{Endpoint, HttpRequest, HttpResponse, Method, Operation, RequestParts, UnixTime};

/// A response as it came off the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawResponse {
    /// HTTP status.
    pub status: u16,
    /// Header pairs (only those the browser exposes; cross-origin that is
    /// what the gateway lists in `Access-Control-Expose-Headers`).
    pub headers: Vec<(String, String)>,
    /// Body bytes.
    pub body: Vec<u8>,
}

/// Why no response arrived at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransportError {
    /// `fetch` rejected: connection refused, DNS, TLS, or a CORS refusal (the
    /// browser deliberately does not say which).
    Network(String),
    /// No answer within the client-side limit; the request was aborted.
    Timeout {
        /// The limit, in seconds.
        secs: u32,
    },
}

/// A boxed future of a transport.
pub type TransportFuture = Pin<Box<dyn Future<Output = Result<RawResponse, TransportError>>>>;

/// Sends one prepared request. The console uses [`fetch_transport`]; tests
/// plug in fakes that answer from memory and count what was sent.
pub type Transport = Arc<dyn Fn(HttpRequest) -> TransportFuture + Send + Sync>;

/// An endpoint plus a way to send: everything a view needs to call the API.
#[derive(Clone)]
pub struct ApiClient {
    endpoint: Endpoint,
    transport: Transport,
}

impl std::fmt::Debug for ApiClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiClient")
            .field("endpoint", &self.endpoint)
            .finish_non_exhaustive()
    }
}

impl PartialEq for ApiClient {
    fn eq(&self, other: &Self) -> bool {
        self.endpoint == other.endpoint && Arc::ptr_eq(&self.transport, &other.transport)
    }
}

impl ApiClient {
    /// A client that sends with the browser's `fetch`.
    pub fn new(endpoint: Endpoint) -> Self {
        Self {
            endpoint,
            transport: fetch_transport(),
        }
    }

    /// A client with a custom transport (tests, or a host that proxies).
    pub fn with_transport(endpoint: Endpoint, transport: Transport) -> Self {
        Self {
            endpoint,
            transport,
        }
    }

    /// Where requests go.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// Builds, sends and reads one operation. Sends exactly once.
    pub async fn call<O: Operation>(&self, op: &O) -> Result<O::Output, ApiFailure> {
        let raw = self.send(op.parts()).await?;
        op.parse_response(&HttpResponse::new(raw.status, &raw.headers, &raw.body))
            .map_err(ApiFailure::Core)
    }

    /// The part of [`ApiClient::call`] that does not depend on the
    /// operation, kept out of its per-operation copies (size budget).
    fn send(&self, parts: Result<RequestParts, coc_core::Error>) -> RawFuture {
        let now = UnixTime::from_millis(js_sys::Date::now() as i64);
        let request = parts.and_then(|p| self.endpoint.prepare(&Parts(p), now));
        let origin = self.endpoint.base.origin().to_owned();
        let transport = self.transport.clone();
        Box::pin(async move {
            let request = request.map_err(ApiFailure::Core)?;
            transport(request).await.map_err(|e| match e {
                TransportError::Network(detail) => ApiFailure::Network { origin, detail },
                TransportError::Timeout { secs } => ApiFailure::Timeout { origin, secs },
            })
        })
    }
}

type RawFuture = Pin<Box<dyn Future<Output = Result<RawResponse, ApiFailure>>>>;

/// An operation's request parts, already checked: lets
/// `Endpoint::prepare` exist once in the wasm instead of once per operation.
struct Parts(RequestParts);

impl Operation for Parts {
    type Output = ();
    const NAME: &'static str = "request";
    fn parts(&self) -> Result<RequestParts, coc_core::Error> {
        Ok(self.0.clone())
    }
    fn parse_response(&self, _: &HttpResponse<'_>) -> Result<(), coc_core::Error> {
        Ok(())
    }
}

/// How long a GET may take before the console gives up on it. A POST is
/// never aborted: its outcome would become unknowable.
pub const GET_TIMEOUT_SECS: u32 = 20;

/// The browser's `fetch`.
pub fn fetch_transport() -> Transport {
    Arc::new(|request: HttpRequest| Box::pin(fetch(request)) as TransportFuture)
}

/// `fetch` through web-sys directly (gloo-net's wrapper cost more of the
/// size budget than these few calls).
async fn fetch(request: HttpRequest) -> Result<RawResponse, TransportError> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;

    let init = web_sys::RequestInit::new();
    init.set_method(request.method.as_str());
    let headers = web_sys::Headers::new().map_err(classify)?;
    for (name, value) in &request.headers {
        headers.append(name, value).map_err(classify)?;
    }
    init.set_headers(&headers);
    if !request.body.is_empty() {
        init.set_body(&js_sys::Uint8Array::from(request.body.as_slice()));
    }
    // A GET gets an abort timer, cleared when we are done.
    let abort = match request.method {
        Method::Get => web_sys::AbortController::new().ok(),
        Method::Post => None,
    };
    let timer = abort.as_ref().and_then(|ctl| {
        init.set_signal(Some(&ctl.signal()));
        let ctl = ctl.clone();
        leptos::prelude::set_timeout_with_handle(
            move || ctl.abort(),
            std::time::Duration::from_secs(u64::from(GET_TIMEOUT_SECS)),
        )
        .ok()
    });
    let outcome = async {
        let window =
            web_sys::window().ok_or_else(|| TransportError::Network("no window".into()))?;
        let resp: web_sys::Response =
            JsFuture::from(window.fetch_with_str_and_init(&request.url, &init))
                .await
                .map_err(classify)?
                .unchecked_into();
        let status = resp.status();
        let mut headers = Vec::new();
        if let Ok(Some(entries)) = js_sys::try_iter(&resp.headers()) {
            for pair in entries.flatten() {
                let pair: js_sys::Array = pair.unchecked_into();
                if let (Some(k), Some(v)) = (pair.get(0).as_string(), pair.get(1).as_string()) {
                    headers.push((k, v));
                }
            }
        }
        let buf = JsFuture::from(resp.array_buffer().map_err(classify)?)
            .await
            .map_err(classify)?;
        Ok(RawResponse {
            status,
            headers,
            body: js_sys::Uint8Array::new(&buf).to_vec(),
        })
    }
    .await;
    if let Some(t) = timer {
        t.clear();
    }
    outcome
}

/// A rejected `fetch`: an abort is our timeout, anything else "network".
fn classify(e: wasm_bindgen::JsValue) -> TransportError {
    let get = |k: &str| {
        js_sys::Reflect::get(&e, &k.into())
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default()
    };
    let name = get("name");
    if name == "AbortError" {
        TransportError::Timeout {
            secs: GET_TIMEOUT_SECS,
        }
    } else {
        TransportError::Network(format!("{name}: {}", get("message")))
    }
}

/// Everything that can go wrong with one call, as the UI reports it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiFailure {
    /// No response: network down, gateway stopped, or CORS refused.
    #[error("could not reach {origin}: {detail}")]
    Network {
        /// The gateway's origin.
        origin: String,
        /// What the browser said (usually just "TypeError: Failed to fetch").
        detail: String,
    },
    /// The console stopped waiting.
    #[error("no answer from {origin} within {secs} s")]
    Timeout {
        /// The gateway's origin.
        origin: String,
        /// The limit.
        secs: u32,
    },
    /// Anything the core reported: a COC error, a non-JSON body, not found...
    #[error("{0}")]
    Core(coc_core::Error),
}

/// The kinds of failure a user will meet, each with its own explanation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// The ticket does not exist (or is not visible to these credentials).
    NotFound,
    /// 401 or 403.
    Auth,
    /// fetch failed: network or CORS.
    Network,
    /// 504 from a gateway, or the console's own timeout.
    Timeout,
    /// A body that is not what the API sends (HTML error page, empty, garbled).
    NotJson,
    /// The service refused with a COC error.
    Api,
    /// A non-2xx without a COC body that is not one of the above.
    Http,
    /// The request could not be built (bad id, bad settings).
    Invalid,
}

impl FailureKind {
    /// A stable name, used as a CSS hook and by tests.
    pub fn as_str(&self) -> &'static str {
        match self {
            FailureKind::NotFound => "not-found",
            FailureKind::Auth => "auth",
            FailureKind::Network => "network",
            FailureKind::Timeout => "timeout",
            FailureKind::NotJson => "not-json",
            FailureKind::Api => "api",
            FailureKind::Http => "http",
            FailureKind::Invalid => "invalid",
        }
    }
}

impl ApiFailure {
    /// Which kind of failure this is.
    pub fn kind(&self) -> FailureKind {
        use coc_core::Error as E;
        match self {
            ApiFailure::Network { .. } => FailureKind::Network,
            ApiFailure::Timeout { .. } => FailureKind::Timeout,
            ApiFailure::Core(e) => match e {
                E::NotFound { .. } => FailureKind::NotFound,
                _ if e.is_auth() => FailureKind::Auth,
                _ if e.status() == Some(504) => FailureKind::Timeout,
                _ if e.status() == Some(404) => FailureKind::NotFound,
                E::Api(_) => FailureKind::Api,
                E::Decode(_) => FailureKind::NotJson,
                E::Http { excerpt, .. } if !looks_like_json(excerpt) => FailureKind::NotJson,
                E::Http { .. } => FailureKind::Http,
                E::InvalidArgument { .. } | E::InvalidEndpoint { .. } => FailureKind::Invalid,
                _ => FailureKind::Http,
            },
        }
    }

    /// True when trying again later may help (worth polling on).
    pub fn is_transient(&self) -> bool {
        match self.kind() {
            FailureKind::Network | FailureKind::Timeout => true,
            FailureKind::Http | FailureKind::NotJson => {
                matches!(self.status(), Some(s) if s >= 500)
            }
            _ => false,
        }
    }

    /// HTTP status, when a response arrived.
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiFailure::Core(e) => e.status(),
            _ => None,
        }
    }

    /// The service's error code, exactly as sent.
    pub fn error_code(&self) -> Option<&str> {
        match self {
            ApiFailure::Core(e) => e.error_code(),
            _ => None,
        }
    }

    /// The service's error message, exactly as sent.
    pub fn error_msg(&self) -> Option<&str> {
        match self {
            ApiFailure::Core(e) => e.error_msg(),
            _ => None,
        }
    }

    /// The request id, for support.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            ApiFailure::Core(e) => e.request_id(),
            _ => None,
        }
    }

    /// The start of an unexpected body, when there was one.
    pub fn excerpt(&self) -> Option<&str> {
        match self {
            ApiFailure::Core(coc_core::Error::Http { excerpt, .. }) => Some(excerpt),
            ApiFailure::Core(coc_core::Error::Decode(d)) => Some(&d.excerpt),
            _ => None,
        }
    }

    /// A one-line headline.
    pub fn title(&self) -> String {
        match self.kind() {
            FailureKind::NotFound => "Ticket not found".to_owned(),
            FailureKind::Auth => match self.error_code() {
                Some("GATEWAY.UNAUTHENTICATED") => {
                    "Sign in: the gateway wants your operator token (HTTP 401)".to_owned()
                }
                Some("GATEWAY.FORBIDDEN") => {
                    "The gateway does not permit this for your role (HTTP 403)".to_owned()
                }
                _ => format!(
                    "The credentials were refused (HTTP {})",
                    self.status().unwrap_or(401)
                ),
            },
            FailureKind::Network => "The gateway could not be reached".to_owned(),
            FailureKind::Timeout => match self {
                ApiFailure::Timeout { secs, .. } => {
                    format!("No answer within {secs} seconds")
                }
                _ => "The gateway timed out waiting for the service (HTTP 504)".to_owned(),
            },
            FailureKind::NotJson => match self.status() {
                Some(s) => format!("The answer was not COC JSON (HTTP {s})"),
                None => "The answer was not COC JSON".to_owned(),
            },
            FailureKind::Api => match self.status() {
                Some(s) => format!("The service refused the request (HTTP {s})"),
                None => "The service refused the request".to_owned(),
            },
            FailureKind::Http => format!(
                "The gateway answered HTTP {}",
                self.status().unwrap_or_default()
            ),
            FailureKind::Invalid => "The request could not be built".to_owned(),
        }
    }

    /// What the operator can do about it.
    pub fn hint(&self, page_origin: &str) -> String {
        match (self.kind(), self) {
            (FailureKind::NotFound, _) => "Check the ticket id. A ticket from another region or account does not show up here; nor does one these credentials may not see.".to_owned(),
            (FailureKind::Auth, _) if self.error_code() == Some("GATEWAY.UNAUTHENTICATED") => "The gateway knows operators by personal token and got none it accepts: paste your operator token in Settings (a revoked token is refused too).".to_owned(),
            (FailureKind::Auth, _) if self.error_code() == Some("GATEWAY.FORBIDDEN") => "The gateway refused this for your role; it never reached the service. Ask a gateway admin for the permission named below.".to_owned(),
            (FailureKind::Auth, _) => "If the gateway signs requests, its AK/SK is wrong or lacks the coc:execution permissions. If you pasted an IAM token in Settings, it may have expired (tokens last 24 hours): paste a fresh one.".to_owned(),
            (FailureKind::Network, ApiFailure::Network { origin, .. }) => {
                if origin == page_origin {
                    format!("The browser got no answer from {origin}. Is the gateway running? Check the gateway URL in Settings.")
                } else {
                    format!("The browser got no answer from {origin}. Is the gateway running, and does it list this page's origin ({page_origin}) among its allowed CORS origins? If a gateway serves this console, its Content-Security-Policy must also allow connecting to {origin} (the gateway's --connect-src). The browser hides which it was.")
                }
            }
            (FailureKind::Timeout, ApiFailure::Timeout { .. }) => "The gateway accepted the connection but did not answer. It may be overloaded; the console will try again.".to_owned(),
            (FailureKind::Timeout, _) => "The gateway is up but the COC service behind it did not answer in time. The console will try again.".to_owned(),
            (FailureKind::NotJson, _) => "Something other than the COC API answered: a proxy error page, an empty body, or the wrong gateway URL in Settings.".to_owned(),
            (FailureKind::Api, _) => "The service's own words are below. Quote the request id to support.".to_owned(),
            (FailureKind::Http, _) => "The gateway answered without a COC error body. Quote the request id, if any, to support.".to_owned(),
            (FailureKind::Invalid, _) => "Check the ticket id and the gateway URL in Settings.".to_owned(),
            _ => String::new(),
        }
    }
}

fn looks_like_json(excerpt: &str) -> bool {
    let t = excerpt.trim_start();
    t.starts_with('{') || t.starts_with('[')
}

/// The page's origin, for hints (`http://127.0.0.1:8080`).
pub fn page_origin() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}
