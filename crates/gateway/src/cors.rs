//! Who may call the API from a browser page on another origin.
//!
//! Two halves, because CORS alone protects only *reading* a response:
//!
//! - `OriginPolicy::layer`: tower-http's `CorsLayer` answers preflights and grants
//!   `Access-Control-Allow-Origin` to allowlisted origins only; `X-request-id`
//!   `X-Gateway-Request-Id` and `X-Coc-Audit-Record` are exposed to
//!   scripts; only `GET`, `POST`, `Content-Type`, `Authorization` (the
//!   operator's token), `X-Auth-Token` and `X-Coc-Ops-Reason` are allowed. Credentials mode is never enabled, and a
//!   wildcard origin is refused at start, so the two can never meet.
//! - `OriginPolicy::check`: a cross-site page can still *send* a "simple"
//!   request (a form POST, `fetch` with `text/plain`) without any preflight.
//!   Since this gateway signs with the server's own AK/SK, such a request
//!   would operate tickets on the victim's behalf. So every API and control
//!   request that carries an `Origin` that is neither this gateway's own nor
//!   allowlisted is refused before it is forwarded; POSTs must also be
//!   `application/json`, which a cross-origin page cannot send without a
//!   preflight.
//!
//! Same-origin requests (the console served by this gateway) need no entry:
//! an `Origin` that is `http://` and the `Host` header is always fine (the
//! gateway speaks plain HTTP; behind a TLS proxy the public `https://`
//! origin goes in the allowlist). `Host` itself can be trusted for this
//! because the guard has already refused every name the gateway was not
//! given (see [`crate::hosts`]).

use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, header};
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::error::GatewayError;

/// The `X-request-id` header name.
pub(crate) const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
/// The gateway's own request id, on every response (`X-request-id` is the
/// upstream's when it sent one).
pub(crate) const GATEWAY_REQUEST_ID: HeaderName = HeaderName::from_static("x-gateway-request-id");
/// The `X-Auth-Token` header name.
pub(crate) const AUTH_TOKEN: HeaderName = HeaderName::from_static("x-auth-token");

/// Preflight answers may be cached this long by the browser (seconds).
const PREFLIGHT_MAX_AGE: u64 = 600;

/// The origin allowlist.
#[derive(Debug, Clone, Default)]
pub struct OriginPolicy {
    allowed: Vec<HeaderValue>,
}

/// An `--allow-origin` value that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid allowed origin {value:?}: {reason}")]
pub struct OriginError {
    value: String,
    reason: &'static str,
}

impl OriginPolicy {
    /// Validates each origin: `scheme://host[:port]`, no path, no wildcard.
    pub fn new<S: AsRef<str>>(origins: &[S]) -> Result<Self, OriginError> {
        let mut allowed = Vec::new();
        for origin in origins {
            let value = normalize_origin(origin.as_ref())?;
            let header = HeaderValue::from_str(&value).map_err(|_| OriginError {
                value: value.clone(),
                reason: "is not a valid header value",
            })?;
            if !allowed.contains(&header) {
                allowed.push(header);
            }
        }
        Ok(Self { allowed })
    }

    /// The allowlisted origins, normalized (lowercase, no trailing slash).
    pub fn origins(&self) -> impl Iterator<Item = &str> {
        self.allowed.iter().filter_map(|v| v.to_str().ok())
    }

    fn allows(&self, origin: &HeaderValue) -> bool {
        self.allowed
            .iter()
            .any(|a| a.as_bytes().eq_ignore_ascii_case(origin.as_bytes()))
    }

    /// Refuses a request whose `Origin` is cross-origin and not allowlisted.
    /// Requests without `Origin` (curl, SDKs, same-origin GETs) pass.
    pub(crate) fn check(&self, headers: &HeaderMap) -> Result<(), GatewayError> {
        let Some(origin) = headers.get(header::ORIGIN) else {
            return Ok(());
        };
        if self.allows(origin) || is_same_origin(origin, headers.get(header::HOST)) {
            return Ok(());
        }
        Err(GatewayError::origin_not_allowed(&String::from_utf8_lossy(
            origin.as_bytes(),
        )))
    }

    /// The CORS layer for these origins.
    pub(crate) fn layer(&self) -> CorsLayer {
        let allowed = self.allowed.clone();
        CorsLayer::new()
            .allow_origin(AllowOrigin::predicate(move |origin, _| {
                allowed
                    .iter()
                    .any(|a| a.as_bytes().eq_ignore_ascii_case(origin.as_bytes()))
            }))
            .allow_methods([Method::GET, Method::POST])
            .allow_headers([
                header::CONTENT_TYPE,
                header::AUTHORIZATION,
                AUTH_TOKEN,
                HeaderName::from_static("x-coc-ops-reason"),
            ])
            .expose_headers([
                REQUEST_ID,
                GATEWAY_REQUEST_ID,
                HeaderName::from_static(crate::access::AUDIT_RECORD_HEADER),
            ])
            .max_age(std::time::Duration::from_secs(PREFLIGHT_MAX_AGE))
    }
}

/// `Origin: http://127.0.0.1:8080` with `Host: 127.0.0.1:8080`. The
/// scheme counts: `https://` with the same host is another origin.
fn is_same_origin(origin: &HeaderValue, host: Option<&HeaderValue>) -> bool {
    let (Ok(origin), Some(Ok(host))) = (origin.to_str(), host.map(HeaderValue::to_str)) else {
        return false;
    };
    let Some((scheme, authority)) = origin.split_once("://") else {
        return false;
    };
    scheme.eq_ignore_ascii_case("http")
        && !authority.is_empty()
        && authority.eq_ignore_ascii_case(host)
}

fn normalize_origin(raw: &str) -> Result<String, OriginError> {
    let bad = |reason| OriginError {
        value: raw.to_owned(),
        reason,
    };
    let value = raw.trim().trim_end_matches('/').to_ascii_lowercase();
    if value == "*" {
        return Err(bad(
            "a wildcard would let any web page use this gateway's credentials; list the origins instead",
        ));
    }
    let Some((scheme, authority)) = value.split_once("://") else {
        return Err(bad("must look like https://portal.example.com[:port]"));
    };
    if scheme != "http" && scheme != "https" {
        return Err(bad("the scheme must be http or https"));
    }
    if authority.is_empty()
        || authority
            .chars()
            .any(|c| matches!(c, '/' | '?' | '#' | '@' | '*' | ',' | ';') || c.is_whitespace())
    {
        return Err(bad(
            "must be scheme://host[:port] with no path, query, user or wildcard",
        ));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_validated_and_normalized() {
        let p = OriginPolicy::new(&["https://Portal.example.com/", "http://localhost:3000"])
            .unwrap_or_default();
        assert_eq!(
            p.origins().collect::<Vec<_>>(),
            ["https://portal.example.com", "http://localhost:3000"]
        );
        for bad in [
            "*",
            "portal.example.com",
            "ftp://x",
            "https://x/path",
            "https://*.x.com",
            "https://a,b",
        ] {
            assert!(OriginPolicy::new(&[bad]).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn same_origin_compares_host_and_port() {
        let host = HeaderValue::from_static("127.0.0.1:8080");
        let same = HeaderValue::from_static("http://127.0.0.1:8080");
        let other_port = HeaderValue::from_static("http://127.0.0.1:9090");
        assert!(is_same_origin(&same, Some(&host)));
        assert!(!is_same_origin(&other_port, Some(&host)));
        let https = HeaderValue::from_static("https://127.0.0.1:8080");
        assert!(!is_same_origin(&https, Some(&host)));
        assert!(!is_same_origin(&same, None));
        assert!(!is_same_origin(
            &HeaderValue::from_static("null"),
            Some(&host)
        ));
    }
}
