//! Sending a validated operation upstream and bringing the answer back.
//!
//! The incoming request is never replayed: [`Upstream::send`] takes a parsed
//! core [`Operation`] and rebuilds the request from it with
//! [`coc_core::Endpoint::prepare`] (which also signs it), so only what the
//! core can express reaches the upstream. No browser header is copied
//! (cookies, `Authorization`, unknown headers), except `X-Auth-Token` in
//! pass-through mode, and only through the core's token check.
//!
//! Nothing is retried: an OperateExecution must never be sent twice.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::{Body, Bytes};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::Response;
use coc_core::{Auth, Credentials, Endpoint, HttpResponse, Operation, UnixTime};

use crate::cors::REQUEST_ID;
use crate::error::GatewayError;

/// The largest upstream body the gateway will relay. The biggest realistic
/// answer (a ticket with 10,000 targets and 1,000 parameters) is a few MB.
pub const MAX_UPSTREAM_BODY: usize = 32 * 1024 * 1024;

/// Response headers worth keeping from the upstream; everything else
/// (`Set-Cookie`, hop-by-hop headers, server banners) is dropped.
const KEPT_RESPONSE_HEADERS: [HeaderName; 3] =
    [header::CONTENT_TYPE, REQUEST_ID, header::RETRY_AFTER];

/// How the gateway authenticates to the upstream.
#[derive(Clone, PartialEq, Eq)]
pub enum UpstreamAuth {
    /// Send requests unauthenticated (a simulator without credentials).
    None,
    /// Sign every request with these credentials (SDK-HMAC-SHA256).
    Sign(Credentials),
    /// Forward the caller's `X-Auth-Token`; refuse requests without one.
    PassthroughToken,
}

impl std::fmt::Debug for UpstreamAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            UpstreamAuth::None => f.write_str("None"),
            // Credentials' own Debug redacts the SK and token.
            UpstreamAuth::Sign(c) => f.debug_tuple("Sign").field(c).finish(),
            UpstreamAuth::PassthroughToken => f.write_str("PassthroughToken"),
        }
    }
}

impl UpstreamAuth {
    /// How the start line describes it.
    pub fn describe(&self) -> &'static str {
        match self {
            UpstreamAuth::None => "unauthenticated",
            UpstreamAuth::Sign(_) => "signing with AK/SK",
            UpstreamAuth::PassthroughToken => "passing through X-Auth-Token",
        }
    }
}

fn now() -> UnixTime {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    UnixTime::from_secs(i64::try_from(secs).unwrap_or(i64::MAX))
}

/// The upstream's answer, read whole, with only the kept headers.
#[derive(Debug)]
pub(crate) struct Exchange {
    pub(crate) status: StatusCode,
    pub(crate) headers: axum::http::HeaderMap,
    pub(crate) body: Bytes,
}

impl Exchange {
    /// The answer as the core reads it.
    pub(crate) fn parse<O: Operation>(&self, op: &O) -> Result<O::Output, coc_core::Error> {
        let headers: Vec<(String, String)> = self
            .headers
            .iter()
            .filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned())))
            .collect();
        op.parse_response(&HttpResponse::new(
            self.status.as_u16(),
            &headers,
            &self.body,
        ))
    }

    /// The upstream's `X-request-id`.
    pub(crate) fn request_id(&self) -> Option<String> {
        self.headers
            .get(&REQUEST_ID)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }

    pub(crate) fn into_response(self) -> Response {
        let mut response = Response::new(Body::from(self.body));
        *response.status_mut() = self.status;
        *response.headers_mut() = self.headers;
        response
    }
}

/// Where and how requests go.
#[derive(Clone)]
pub(crate) struct Upstream {
    base_url: String,
    /// Prepared once for `None` and `Sign`; per request for pass-through.
    endpoint: Endpoint,
    auth: UpstreamAuth,
    client: reqwest::Client,
    connect_timeout: Duration,
    timeout: Duration,
}

impl std::fmt::Debug for Upstream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upstream")
            .field("base_url", &self.base_url)
            .field("auth", &self.auth)
            .finish_non_exhaustive()
    }
}

/// Installs rustls' ring provider as the process default (reqwest is built
/// without a provider of its own). Safe to call more than once.
pub fn install_crypto_provider() {
    // Err means some provider is already installed, which is all we need.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

impl Upstream {
    pub(crate) fn new(
        base_url: &str,
        auth: UpstreamAuth,
        connect_timeout: Duration,
        timeout: Duration,
        use_env_proxy: bool,
    ) -> Result<Self, crate::Error> {
        let endpoint_auth = match &auth {
            UpstreamAuth::Sign(c) => Auth::AkSk(c.clone()),
            UpstreamAuth::None | UpstreamAuth::PassthroughToken => Auth::None,
        };
        let endpoint = Endpoint::new(base_url, endpoint_auth).map_err(crate::Error::Upstream)?;
        install_crypto_provider();
        let mut builder = reqwest::Client::builder()
            .connect_timeout(connect_timeout)
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .retry(reqwest::retry::never())
            .http1_only()
            .user_agent(concat!("coc-gateway/", env!("CARGO_PKG_VERSION")));
        if !use_env_proxy {
            builder = builder.no_proxy();
        }
        let client = builder.build().map_err(crate::Error::HttpClient)?;
        Ok(Self {
            base_url: endpoint.base.to_string(),
            endpoint,
            auth,
            client,
            connect_timeout,
            timeout,
        })
    }

    pub(crate) fn base_url(&self) -> &str {
        &self.base_url
    }

    pub(crate) fn auth(&self) -> &UpstreamAuth {
        &self.auth
    }

    /// Builds, signs and sends `op`; relays the answer or maps the failure.
    /// `token` is the caller's `X-Auth-Token`, used only in pass-through mode.
    pub(crate) async fn send<O: Operation + Sync>(
        &self,
        op: &O,
        token: Option<&HeaderValue>,
    ) -> Result<Exchange, GatewayError> {
        let request = match &self.auth {
            UpstreamAuth::PassthroughToken => {
                let token = token
                    .ok_or_else(|| {
                        GatewayError::token_required("the request has no X-Auth-Token header")
                    })?
                    .to_str()
                    .map_err(|_| {
                        GatewayError::token_required("the X-Auth-Token header is not ASCII text")
                    })?;
                let endpoint = Endpoint::new(&self.base_url, Auth::Token(token.to_owned()))
                    .map_err(|e| match e {
                        coc_core::Error::InvalidEndpoint { reason, .. } => {
                            GatewayError::token_required(&reason)
                        }
                        other => GatewayError::internal(other),
                    })?;
                endpoint.prepare(op, now())
            }
            UpstreamAuth::None | UpstreamAuth::Sign(_) => self.endpoint.prepare(op, now()),
        }
        .map_err(|e| match e {
            e @ coc_core::Error::InvalidArgument { .. } => GatewayError::invalid_request(&e),
            other => GatewayError::internal(other),
        })?;

        let method = match request.method {
            coc_core::Method::Get => reqwest::Method::GET,
            coc_core::Method::Post => reqwest::Method::POST,
        };
        // Once a POST has left, a broken answer says nothing about whether
        // it was applied: those failures become OUTCOME_UNKNOWN, not errors.
        let write = (request.method == coc_core::Method::Post).then_some(O::NAME);
        let mut builder = self.client.request(method, &request.url);
        for (name, value) in &request.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        if !request.body.is_empty() {
            builder = builder.body(request.body);
        }
        let exchange = match builder.send().await {
            Ok(upstream) => self.relay(upstream).await,
            Err(e) => Err(self.classify(&e)),
        };
        exchange.map_err(|broken| broken.into_error(write))
    }

    async fn relay(&self, mut upstream: reqwest::Response) -> Result<Exchange, Broken> {
        let status = StatusCode::from_u16(upstream.status().as_u16())
            .map_err(|_| Broken::Unusable("an invalid status code".to_owned()))?;
        let mut headers = axum::http::HeaderMap::new();
        for name in KEPT_RESPONSE_HEADERS {
            if let Some(v) = upstream.headers().get(name.as_str())
                && let Ok(v) = HeaderValue::from_bytes(v.as_bytes())
                && !v.is_empty()
            {
                headers.insert(name, v);
            }
        }
        // Refused before a byte of it is read; dropping `upstream` closes
        // the connection instead of draining it.
        if let Some(declared) = upstream.content_length()
            && declared > MAX_UPSTREAM_BODY as u64
        {
            return Err(Broken::Unusable(format!(
                "the response declares {declared} bytes, more than the {MAX_UPSTREAM_BODY} the gateway relays"
            )));
        }
        // Read the whole body first: a connection dropped mid-body becomes a
        // clear 502 instead of a truncated 200 the console would misread.
        let mut body = Vec::new();
        while let Some(chunk) = upstream.chunk().await.map_err(|e| self.classify(&e))? {
            if body.len() + chunk.len() > MAX_UPSTREAM_BODY {
                return Err(Broken::Unusable(format!(
                    "the response body is larger than {MAX_UPSTREAM_BODY} bytes"
                )));
            }
            body.extend_from_slice(&chunk);
        }
        if status.is_success() {
            not_json(headers.get(header::CONTENT_TYPE), &body).map_or(Ok(()), |why| {
                Err(Broken::Unusable(format!("it answered {status} with {why}")))
            })?;
        }
        Ok(Exchange {
            status,
            headers,
            body: body.into(),
        })
    }

    fn classify(&self, e: &reqwest::Error) -> Broken {
        if e.is_connect() {
            Broken::NotSent(if e.is_timeout() {
                GatewayError::upstream_timeout(format!(
                    "connecting to {} took longer than {} ms",
                    self.base_url,
                    self.connect_timeout.as_millis()
                ))
            } else {
                GatewayError::upstream_unreachable(format!(
                    "connecting to {} failed ({})",
                    self.base_url,
                    root_cause(e)
                ))
            })
        } else if e.is_timeout() {
            Broken::Timeout(format!(
                "no complete answer came from {} within {} ms",
                self.base_url,
                self.timeout.as_millis()
            ))
        } else {
            Broken::Unusable(format!(
                "the exchange with {} failed ({})",
                self.base_url,
                root_cause(e)
            ))
        }
    }
}

/// How an exchange went wrong, before it is told as a read's failure or an
/// operation's unknown outcome.
#[derive(Debug)]
enum Broken {
    /// Nothing reached the upstream: connecting failed or timed out.
    NotSent(GatewayError),
    /// Sent, and no complete answer within the total timeout.
    Timeout(String),
    /// Sent, and the answer broke off or cannot be relayed.
    Unusable(String),
}

impl Broken {
    /// `write` names the operation when the request was a POST.
    fn into_error(self, write: Option<&str>) -> GatewayError {
        match (self, write) {
            (Broken::NotSent(e), _) => e,
            (Broken::Timeout(why), None) => GatewayError::upstream_timeout(why),
            (Broken::Unusable(why), None) => GatewayError::upstream_bad_response(why),
            (Broken::Timeout(why), Some(op)) => {
                GatewayError::outcome_unknown(StatusCode::GATEWAY_TIMEOUT, op, why)
            }
            (Broken::Unusable(why), Some(op)) => {
                GatewayError::outcome_unknown(StatusCode::BAD_GATEWAY, op, why)
            }
        }
    }
}

/// Why a 2xx body cannot be COC's JSON, if it cannot: a captive portal, a
/// load balancer's page or a misrouted upstream answers 200 with HTML, and
/// relaying it would hand the console a success it cannot read. Only the
/// media type and the first byte are looked at; the core reads the rest.
fn not_json(content_type: Option<&HeaderValue>, body: &[u8]) -> Option<String> {
    if let Some(ct) = content_type {
        // On every relayed 2xx: compared in place, no lowered copy.
        let essence = ct
            .to_str()
            .unwrap_or_default()
            .split(';')
            .next()
            .unwrap_or_default()
            .trim();
        let json = essence.eq_ignore_ascii_case("application/json")
            || essence
                .rsplit_once('+')
                .is_some_and(|(_, suffix)| suffix.eq_ignore_ascii_case("json"));
        if !json {
            return Some(format!(
                "Content-Type {:?}, not JSON",
                crate::error::escape(&essence.to_ascii_lowercase())
            ));
        }
    }
    match body.iter().find(|b| !b.is_ascii_whitespace()) {
        None | Some(b'{' | b'[') => None,
        Some(_) => Some("a body that is not JSON".to_owned()),
    }
}

/// The innermost error message: "connection refused", "connection closed
/// before message completed"... reqwest's own top-level text hides it, and
/// its Display includes the URL, which holds no secret but is said already.
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut current = e;
    while let Some(next) = current.source() {
        current = next;
    }
    current.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(content_type: Option<&'static str>, body: &str) -> Option<String> {
        not_json(
            content_type.map(HeaderValue::from_static).as_ref(),
            body.as_bytes(),
        )
    }

    #[test]
    fn json_media_types_pass_in_any_case_with_parameters() {
        for ct in [
            "application/json",
            "Application/JSON; charset=utf-8",
            "application/problem+json",
            "application/vnd.huawei+JSON ; q=1",
        ] {
            assert_eq!(check(Some(ct), "{}"), None, "{ct}");
        }
        assert_eq!(check(None, " \n[1]"), None);
    }

    #[test]
    fn other_media_types_and_bodies_are_named() {
        assert_eq!(
            check(Some("Text/HTML; charset=utf-8"), "{}").as_deref(),
            Some("Content-Type \"text/html\", not JSON")
        );
        for ct in ["application/json+xml", "application/jsonp", "+jsonx"] {
            assert!(check(Some(ct), "{}").is_some(), "{ct}");
        }
        assert_eq!(
            check(Some("application/json"), "<html>").as_deref(),
            Some("a body that is not JSON")
        );
    }
}
