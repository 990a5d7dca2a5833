//! The gateway's own answers: every refusal and every upstream failure is a
//! JSON body shaped like a COC error, so the console's core parser reads it
//! the same way it reads the service's errors.
//!
//! ```json
//! {"error_code":"GATEWAY.ROUTE_NOT_ALLOWED","error_msg":"…","request_id":"…"}
//! ```
//!
//! | code | status | when |
//! |---|---|---|
//! | `GATEWAY.BAD_REQUEST_TARGET` | 400 | absolute-form (`GET http://host/…`), authority-form (`CONNECT`) or `*` request targets |
//! | `GATEWAY.HOST_NOT_ALLOWED` | 421 | a `Host` that is not one of the gateway's names (listen address, `localhost` on loopback, `--public-host`): DNS rebinding |
//! | `GATEWAY.BAD_HEADER` | 400 | more than one `Host` or `Origin` header |
//! | `GATEWAY.RESERVED_ID` | 400 | a ticket id in a path that decodes to `instances` (any case), which the upstream would route as ListExecutionInstances |
//! | `GATEWAY.PATH_TRAVERSAL` | 400 | a `.` or `..` path segment, plain or percent-encoded |
//! | `GATEWAY.ENCODED_SEPARATOR` | 400 | `%2F`, `%5C` (any case) or a backslash in the path |
//! | `GATEWAY.ROUTE_NOT_ALLOWED` | 404 | a path under `/v1/` (or `/__sim/` when not in simulator mode) that is not one of the six COC routes |
//! | `GATEWAY.METHOD_NOT_ALLOWED` | 405 | one of the six paths with another method (an `Allow` header lists the right one) |
//! | `GATEWAY.BODY_TOO_LARGE` | 413 | a body over the configured limit (`--max-body-bytes`, 64 KiB by default) |
//! | `GATEWAY.BODY_INCOMPLETE` | 400 | a body that ended before its declared length (the client closed) |
//! | `GATEWAY.BODY_TIMEOUT` | 408 | a body that did not arrive within `--body-read-timeout-ms` |
//! | `GATEWAY.OVERLOADED` | 503 | a connection over `--max-connections`, answered at once and closed |
//! | `GATEWAY.UNSUPPORTED_MEDIA_TYPE` | 415 | a POST whose `Content-Type` is not `application/json` |
//! | `GATEWAY.INVALID_JSON` | 400 | a POST body that is not JSON of the operation's documented shape |
//! | `GATEWAY.INVALID_REQUEST` | 400 | an id or query parameter the core refuses (the message is the core's) |
//! | `GATEWAY.ORIGIN_NOT_ALLOWED` | 403 | an API or control request whose `Origin` is neither this gateway nor in the allowlist |
//! | `GATEWAY.UNAUTHENTICATED` | 401 | the operator is not known: no or an invalid operator token (`--operators tokens`), or a request that did not come through the identity-aware proxy (`--operators proxy`) |
//! | `GATEWAY.UNTRUSTED_IDENTITY` | 401 | identity headers (`X-Forwarded-User`, …) from a source address that is not a `--trusted-proxy` |
//! | `GATEWAY.FORBIDDEN` | 403 | the operator's roles lack the permission the request needs (the message names it) |
//! | `GATEWAY.REASON_REQUIRED` | 400 | an operation listed in `--require-reason` without an `X-Coc-Ops-Reason` header |
//! | `GATEWAY.AUDIT_UNAVAILABLE` | 503 | the audit store cannot be written, so no operation is forwarded (reads go on) |
//! | `GATEWAY.TOKEN_REQUIRED` | 401 | `--auth passthrough-token` and the request has no usable `X-Auth-Token` |
//! | `GATEWAY.NOT_FOUND` | 404 | a static file that does not exist (console routes fall back to `index.html` instead) |
//! | `GATEWAY.UPSTREAM_UNREACHABLE` | 502 | the upstream refused or could not be connected to |
//! | `GATEWAY.UPSTREAM_TIMEOUT` | 504 | connecting or the whole exchange took longer than its timeout |
//! | `GATEWAY.UPSTREAM_BAD_RESPONSE` | 502 | a read whose answer broke off, is not HTTP, is oversize, or is a 2xx that is not JSON (an HTML page) |
//! | `GATEWAY.OUTCOME_UNKNOWN` | 502, 504 | an operation (POST) that was sent but got no complete, readable answer: it may have been applied, and it was not retried |
//! | `GATEWAY.INTERNAL` | 500 | the gateway could not build the request (a bug or broken credentials) |
//!
//! Anything the upstream itself answers (a COC 400, an `APIGW.0301` 401, an
//! HTML 502 from a proxy) is passed through unchanged instead.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// A request the gateway answers itself instead of forwarding.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct GatewayError {
    /// HTTP status of the answer.
    pub status: StatusCode,
    /// `GATEWAY.…`, one of the documented codes.
    pub code: &'static str,
    /// What went wrong, in words an operator can act on.
    pub message: String,
    /// `Allow` header for 405 answers.
    pub allow: Option<&'static str>,
}

impl GatewayError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            allow: None,
        }
    }

    /// Absolute-form, authority-form or asterisk request targets.
    pub fn bad_request_target(what: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "GATEWAY.BAD_REQUEST_TARGET",
            format!(
                "the request target must be a path starting with \"/\" ({what}); the gateway never proxies to other hosts"
            ),
        )
    }

    /// `CONNECT host:port`: a tunnel request, which this gateway never is.
    pub fn connect_not_supported() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "GATEWAY.BAD_REQUEST_TARGET",
            "CONNECT (an authority-form request target) is not supported: the gateway is not a tunnel or forward proxy",
        )
    }

    /// A `Host` that is not one of the gateway's names (DNS rebinding).
    pub fn host_not_allowed(host: &str) -> Self {
        Self::new(
            StatusCode::MISDIRECTED_REQUEST,
            "GATEWAY.HOST_NOT_ALLOWED",
            format!(
                "this gateway does not answer to the host {}; if that is its name, start it with --public-host {} (or COC_GATEWAY_PUBLIC_HOSTS)",
                shorten(&escape(host)),
                shorten(&escape(host))
            ),
        )
    }

    /// A header that may appear once came more than once, or is unusable.
    pub fn bad_header(what: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "GATEWAY.BAD_HEADER",
            format!("the request's headers are ambiguous: {what}"),
        )
    }

    /// An execution id that spells another route's path segment.
    pub fn reserved_id(id: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "GATEWAY.RESERVED_ID",
            format!(
                "{} is not an execution id: /v1/executions/instances is ListExecutionInstances, so an id spelled \"instances\" (in any case or percent-encoding) would reach another operation",
                shorten(&escape(id))
            ),
        )
    }

    /// The body ended (the client closed or reset) before it was complete.
    pub fn body_incomplete() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "GATEWAY.BODY_INCOMPLETE",
            "the request body ended before the length it declared (Content-Length or chunked framing): the client closed or reset the connection",
        )
    }

    /// The body did not arrive before the body-read timeout.
    pub fn body_timeout(timeout: std::time::Duration) -> Self {
        Self::new(
            StatusCode::REQUEST_TIMEOUT,
            "GATEWAY.BODY_TIMEOUT",
            format!(
                "the request body did not arrive within {} ms (--body-read-timeout-ms)",
                timeout.as_millis()
            ),
        )
    }

    /// `.` / `..` segments.
    pub fn path_traversal() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "GATEWAY.PATH_TRAVERSAL",
            "the path contains a \".\" or \"..\" segment (plain or percent-encoded)",
        )
    }

    /// `%2F`, `%5C` or `\`.
    pub fn encoded_separator() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "GATEWAY.ENCODED_SEPARATOR",
            "the path contains an encoded slash or backslash (%2F, %5C) or a backslash",
        )
    }

    /// Not one of the six routes.
    pub fn route_not_allowed(path: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "GATEWAY.ROUTE_NOT_ALLOWED",
            format!(
                "{} is not a COC job-execution route; the gateway forwards only GET /v1/executions, POST /v1/executions, GET /v1/executions/{{execution_id}}, GET /v1/executions/{{execution_id}}/steps, GET /v1/executions/instances and POST /v1/documents/{{document_id}}",
                shorten(path)
            ),
        )
    }

    /// Right path, wrong method.
    pub fn method_not_allowed(method: &str, allow: &'static str) -> Self {
        Self {
            allow: Some(allow),
            ..Self::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "GATEWAY.METHOD_NOT_ALLOWED",
                format!("{} is not allowed here; use {allow}", shorten(method)),
            )
        }
    }

    /// Body over the limit.
    pub fn body_too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "GATEWAY.BODY_TOO_LARGE",
            format!("the request body is larger than {limit} bytes"),
        )
    }

    /// POST without `application/json`.
    pub fn unsupported_media_type() -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "GATEWAY.UNSUPPORTED_MEDIA_TYPE",
            "send the body with Content-Type: application/json",
        )
    }

    /// A body that does not decode.
    pub fn invalid_json(detail: impl std::fmt::Display) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "GATEWAY.INVALID_JSON",
            format!("the request body is not valid: {detail}"),
        )
    }

    /// The core refused an id or a parameter.
    pub fn invalid_request(err: &coc_core::Error) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "GATEWAY.INVALID_REQUEST",
            err.to_string(),
        )
    }

    /// Cross-origin request from an origin not in the allowlist.
    pub fn origin_not_allowed(origin: &str) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "GATEWAY.ORIGIN_NOT_ALLOWED",
            format!(
                "origin {} is not allowed; start the gateway with --allow-origin {} (or COC_GATEWAY_ALLOW_ORIGINS) to allow it",
                shorten(origin),
                shorten(origin)
            ),
        )
    }

    /// Pass-through mode without a token.
    pub fn token_required(reason: &str) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "GATEWAY.TOKEN_REQUIRED",
            format!("this gateway passes the caller's IAM token through: {reason}"),
        )
    }

    /// The operator is not known.
    pub fn unauthenticated(reason: &str) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "GATEWAY.UNAUTHENTICATED",
            format!("who is operating is not known: {reason}"),
        )
    }

    /// Identity headers from a source that is not a trusted proxy.
    pub fn untrusted_identity(source: &str) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "GATEWAY.UNTRUSTED_IDENTITY",
            format!(
                "identity headers are accepted only from the gateway's trusted proxies, and {} is not one; sign in through the proxy",
                shorten(source)
            ),
        )
    }

    /// A permission is missing.
    pub fn forbidden(operator: &str, roles: &str, permission: &str) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "GATEWAY.FORBIDDEN",
            format!(
                "operator {} ({roles}) may not {permission}: the permission {permission} is missing",
                shorten(operator)
            ),
        )
    }

    /// An operation that needs a reason came without one.
    pub fn reason_required(operation: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "GATEWAY.REASON_REQUIRED",
            format!(
                "{operation} needs a reason on this gateway: send it in the X-Coc-Ops-Reason header (UTF-8, percent-encoded, at most 500 characters)"
            ),
        )
    }

    /// The audit store cannot be written.
    pub fn audit_unavailable() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "GATEWAY.AUDIT_UNAVAILABLE",
            "the audit trail cannot be written, so no operation is forwarded; reads still work. The gateway's log says why",
        )
    }

    /// A static file that does not exist.
    pub fn not_found(path: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "GATEWAY.NOT_FOUND",
            format!("{} does not exist", shorten(path)),
        )
    }

    /// Could not connect.
    pub fn upstream_unreachable(detail: impl std::fmt::Display) -> Self {
        Self::new(
            StatusCode::BAD_GATEWAY,
            "GATEWAY.UPSTREAM_UNREACHABLE",
            format!("the upstream service could not be reached: {detail}"),
        )
    }

    /// Took too long.
    pub fn upstream_timeout(detail: impl std::fmt::Display) -> Self {
        Self::new(
            StatusCode::GATEWAY_TIMEOUT,
            "GATEWAY.UPSTREAM_TIMEOUT",
            format!("the upstream service did not answer in time: {detail}"),
        )
    }

    /// Broken or oversize answer.
    pub fn upstream_bad_response(detail: impl std::fmt::Display) -> Self {
        Self::new(
            StatusCode::BAD_GATEWAY,
            "GATEWAY.UPSTREAM_BAD_RESPONSE",
            format!("the upstream service sent no usable response: {detail}"),
        )
    }

    /// An operation was sent, and then its answer timed out (504) or broke
    /// (502): it may have been applied. Never reported as a failure, because
    /// an operator who reads "failed" sends it again.
    pub fn outcome_unknown(
        status: StatusCode,
        operation: &str,
        detail: impl std::fmt::Display,
    ) -> Self {
        Self::new(
            status,
            "GATEWAY.OUTCOME_UNKNOWN",
            format!(
                "{operation} was sent to the upstream service, but {detail}: it may have been applied. \
                 It was not retried; look at the ticket before sending it again"
            ),
        )
    }

    /// A bug or unusable configuration.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "GATEWAY.INTERNAL",
            format!("the gateway could not build the upstream request: {detail}"),
        )
    }
}

/// The request id is not known here: the access-log middleware assigns it and
/// then writes the final body with `OwnError::body`.
impl IntoResponse for GatewayError {
    fn into_response(self) -> Response {
        let mut response = (
            self.status,
            [(header::CONTENT_TYPE, "application/json")],
            OwnError::body(self.code, &self.message, None),
        )
            .into_response();
        if let Some(allow) = self.allow {
            response
                .headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static(allow));
        }
        response.extensions_mut().insert(OwnError {
            code: self.code,
            message: self.message,
        });
        response
    }
}

/// Marks a response the gateway produced itself (not the upstream's), so the
/// access log can tell them apart and the request id can go into the body.
#[derive(Debug, Clone)]
pub(crate) struct OwnError {
    pub(crate) code: &'static str,
    pub(crate) message: String,
}

impl OwnError {
    /// `{"error_code", "error_msg", "request_id"}` as bytes.
    pub(crate) fn body(code: &str, message: &str, request_id: Option<&str>) -> String {
        let mut body = serde_json::json!({ "error_code": code, "error_msg": message });
        if let (Some(id), Some(map)) = (request_id, body.as_object_mut()) {
            map.insert("request_id".to_owned(), id.into());
        }
        body.to_string()
    }
}

/// Request text as printable ASCII: anything else (controls, line and
/// paragraph separators, bidirectional marks, any non-ASCII) is
/// percent-encoded byte by byte, as it would be on the wire, so that it can
/// neither break a log line nor display as something else.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_graphic() || c == ' ' {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

/// Keeps attacker-controlled text in messages short.
fn shorten(s: &str) -> String {
    const MAX: usize = 120;
    if s.chars().count() <= MAX {
        s.to_owned()
    } else {
        let mut out: String = s.chars().take(MAX).collect();
        out.push('…');
        out
    }
}
