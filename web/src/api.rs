//! The one place the console talks HTTP.
//!
//! Requests are built by `coc_core::Endpoint::prepare_parts` and responses
//! read by the operation's own `parse_response`: this module only moves
//! bytes (with gloo-net over the browser's `fetch`) and turns what can go
//! wrong on the way into an [`ApiFailure`] an operator can act on. It never
//! decodes COC JSON itself, and it never retries: a POST that failed in
//! flight may still have landed.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

pub use coc_console_model::{ApiFailure, FailureKind, TransportError};
use wasm_bindgen::JsCast as _;

use coc_core::gateway::Reason;
use coc_core::{
    Endpoint, Execution, GetExecution, HttpRequest, HttpResponse, Method, OperateExecution,
    OperateType, Operated, Operation, RequestParts, UnixTime,
};

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

    /// One ticket. The ticket view and the bulk preview share this one copy
    /// of the request's future (each call site of `call` is its own, wasm).
    pub async fn ticket(&self, id: &str) -> Result<Arc<Execution>, ApiFailure> {
        match GetExecution::new(id) {
            Ok(get) => self.call(&get).await.map(Arc::new),
            Err(e) => Err(ApiFailure::Core(e)),
        }
    }

    /// One OperateExecution, sent once and never retried (the ticket view
    /// and bulk runs share this copy).
    pub async fn operate(
        &self,
        id: &str,
        op: OperateType,
        reason: Option<Reason>,
    ) -> Result<Operated, ApiFailure> {
        match OperateExecution::new(id, op) {
            Ok(req) => self.call(&req.with_reason(reason)).await,
            Err(e) => Err(ApiFailure::Core(e)),
        }
    }

    /// The part of [`ApiClient::call`] that does not depend on the
    /// operation, kept out of its per-operation copies (wasm size).
    fn send(&self, parts: Result<RequestParts, coc_core::Error>) -> RawFuture {
        let now = UnixTime::from_millis(js_sys::Date::now() as i64);
        let request = parts.and_then(|p| self.endpoint.prepare_parts(p, now));
        let origin = self.endpoint.base.origin().to_owned();
        let transport = self.transport.clone();
        Box::pin(async move {
            let request = request.map_err(ApiFailure::Core)?;
            transport(request)
                .await
                .map_err(|e| ApiFailure::from_transport(origin, e))
        })
    }
}

type RawFuture = Pin<Box<dyn Future<Output = Result<RawResponse, ApiFailure>>>>;

/// How long a GET may take before the console gives up on it. A POST is
/// never aborted: its outcome would become unknowable.
pub const GET_TIMEOUT_SECS: u32 = 20;

/// The browser's `fetch`.
pub fn fetch_transport() -> Transport {
    Arc::new(|request: HttpRequest| Box::pin(fetch(request)) as TransportFuture)
}

/// One request through gloo-net. A GET carries an abort signal that fires
/// after [`GET_TIMEOUT_SECS`]; a POST never does (aborting it would leave
/// its outcome unknowable, not undone).
async fn fetch(request: HttpRequest) -> Result<RawResponse, TransportError> {
    use gloo_net::http::RequestBuilder;

    if request.method == Method::Get
        && let Some(early) = take_prefetch(&request.url)
    {
        let resp = wasm_bindgen_futures::JsFuture::from(early)
            .await
            .map_err(classify_js)?;
        return read(resp.unchecked_into::<web_sys::Response>().into()).await;
    }

    let abort = match request.method {
        Method::Get => web_sys::AbortController::new().ok(),
        Method::Post => None,
    };
    let method = match request.method {
        Method::Get => gloo_net::http::Method::GET,
        Method::Post => gloo_net::http::Method::POST,
    };
    let signal = abort.as_ref().map(web_sys::AbortController::signal);
    let mut builder = RequestBuilder::new(&request.url)
        .method(method)
        .abort_signal(signal.as_ref());
    for (name, value) in &request.headers {
        builder = builder.header(name, value);
    }
    let built = if request.body.is_empty() {
        builder.build()
    } else {
        builder.body(js_sys::Uint8Array::from(request.body.as_slice()))
    }
    .map_err(classify)?;
    let timer = abort.and_then(|ctl| {
        leptos::prelude::set_timeout_with_handle(
            move || ctl.abort(),
            std::time::Duration::from_secs(u64::from(GET_TIMEOUT_SECS)),
        )
        .ok()
    });
    let outcome = async { read(built.send().await.map_err(classify)?).await }.await;
    if let Some(t) = timer {
        t.clear();
    }
    outcome
}

async fn read(resp: gloo_net::http::Response) -> Result<RawResponse, TransportError> {
    let status = resp.status();
    let headers = resp.headers().entries().collect();
    let body = resp.binary().await.map_err(classify)?;
    Ok(RawResponse {
        status,
        headers,
        body,
    })
}

/// The GET `index.html` started for this URL while the wasm loaded, once:
/// the first load of a ticket page then does not wait for the wasm to ask.
fn take_prefetch(url: &str) -> Option<js_sys::Promise> {
    let window: wasm_bindgen::JsValue = web_sys::window()?.into();
    let early = prefetch()?;
    let same = js_sys::Reflect::get(&early, &"url".into())
        .ok()
        .and_then(|u| u.as_string())
        .is_some_and(|u| u == url);
    if !same {
        return None;
    }
    let _ = js_sys::Reflect::delete_property(
        window.unchecked_ref::<js_sys::Object>(),
        &"cocPrefetch".into(),
    );
    js_sys::Reflect::get(&early, &"response".into())
        .ok()
        .map(wasm_bindgen::JsCast::unchecked_into)
}

/// `window.cocPrefetch`, when `index.html` started one and nobody took it.
fn prefetch() -> Option<wasm_bindgen::JsValue> {
    let window = web_sys::window()?;
    js_sys::Reflect::get(&window, &"cocPrefetch".into())
        .ok()
        .filter(wasm_bindgen::JsValue::is_object)
}

/// A rejected prefetch, classified like [`classify`]: a JS `Error` becomes
/// the same `gloo_net::Error` a failed gloo request gives.
fn classify_js(e: wasm_bindgen::JsValue) -> TransportError {
    match gloo_utils::errors::JsError::try_from(e) {
        Ok(js) => classify(gloo_net::Error::JsError(js)),
        Err(not_an_error) => TransportError::Network(not_an_error.to_string()),
    }
}

/// A failed request: an abort is our timeout, anything else "network"
/// (the browser deliberately does not say whether it was CORS).
fn classify(e: gloo_net::Error) -> TransportError {
    match e {
        gloo_net::Error::JsError(js) if js.name == "AbortError" => TransportError::Timeout {
            secs: GET_TIMEOUT_SECS,
        },
        gloo_net::Error::JsError(js) => {
            TransportError::Network(format!("{}: {}", js.name, js.message))
        }
        other => TransportError::Network(other.to_string()),
    }
}

/// The page's origin, for hints (`http://127.0.0.1:8080`).
pub fn page_origin() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}
