//! What can go wrong with one call, as an operator meets it: a kind, a
//! headline, a hint, and what the service said, exactly as it said it.
//!
//! The titles and hints are the console's words; `error_code`, `error_msg`
//! and the request id are never reworded. What it deliberately does not
//! do: decide what to show (the components do) or retry anything.

use coc_i18n::tr;

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
    /// The gateway is up, but the COC service behind it was unreachable or
    /// its answer broke off or was unusable.
    Upstream,
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
            FailureKind::Upstream => "upstream",
            FailureKind::Http => "http",
            FailureKind::Invalid => "invalid",
        }
    }
}

impl ApiFailure {
    /// A request to `origin` that got no response.
    pub fn from_transport(origin: String, e: TransportError) -> Self {
        match e {
            TransportError::Network(detail) => ApiFailure::Network { origin, detail },
            TransportError::Timeout { secs } => ApiFailure::Timeout { origin, secs },
        }
    }

    /// Which kind of failure this is.
    pub fn kind(&self) -> FailureKind {
        use coc_core::Error as E;
        match self {
            ApiFailure::Network { .. } => FailureKind::Network,
            ApiFailure::Timeout { .. } => FailureKind::Timeout,
            ApiFailure::Core(e) => match e {
                E::NotFound { .. } => FailureKind::NotFound,
                _ if e.is_auth() => FailureKind::Auth,
                _ if matches!(e.error_code(), Some(c) if UPSTREAM_CODES.contains(&c)) => {
                    FailureKind::Upstream
                }
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
            FailureKind::Network | FailureKind::Timeout | FailureKind::Upstream => true,
            FailureKind::Http | FailureKind::NotJson => {
                matches!(self.status(), Some(s) if s >= 500)
            }
            _ => false,
        }
    }

    /// For the answer to an operation (a POST): true when it may have been
    /// applied although no success came back, so that it must be reported
    /// as "outcome unknown", never as failed: an operator who reads
    /// "failed" sends it again. That is the gateway's `OUTCOME_UNKNOWN`, a
    /// request the browser lost (it does not say whether it left), a 5xx
    /// that is no COC or gateway error (a proxy's page), and a 2xx the core
    /// could not read. A COC error or a gateway refusal is a real failure.
    pub fn outcome_unknown(&self) -> bool {
        match self {
            ApiFailure::Network { .. } | ApiFailure::Timeout { .. } => true,
            ApiFailure::Core(e) => match (e.error_code(), e.status()) {
                (Some(code), _) => code == OUTCOME_UNKNOWN,
                (None, Some(status)) => status >= 500 || (200..300).contains(&status),
                (None, None) => false,
            },
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
            FailureKind::NotFound => tr!("Ticket not found").to_owned(),
            FailureKind::Upstream => match self.error_code() {
                Some(OUTCOME_UNKNOWN) => {
                    tr!("Sent, but no answer came back: the outcome is unknown")
                }
                Some("GATEWAY.UPSTREAM_UNREACHABLE") => {
                    tr!("The gateway could not reach the COC service")
                }
                _ => tr!("The COC service's answer broke off or was unusable"),
            }
            .to_owned(),
            FailureKind::Auth => match self.error_code() {
                Some("GATEWAY.UNAUTHENTICATED") => {
                    tr!("Sign in: the gateway wants your operator token (HTTP 401)").to_owned()
                }
                Some("GATEWAY.FORBIDDEN") => {
                    tr!("The gateway does not permit this for your role (HTTP 403)").to_owned()
                }
                _ => tr!(
                    "The credentials were refused (HTTP {status})",
                    status = self.status().unwrap_or(401)
                ),
            },
            FailureKind::Network => tr!("The gateway could not be reached").to_owned(),
            FailureKind::Timeout => match self {
                ApiFailure::Timeout { secs, .. } => {
                    tr!("No answer within {secs} seconds")
                }
                _ => tr!("The gateway timed out waiting for the service (HTTP 504)").to_owned(),
            },
            FailureKind::NotJson => match self.status() {
                Some(s) => tr!("The answer was not COC JSON (HTTP {s})"),
                None => tr!("The answer was not COC JSON").to_owned(),
            },
            FailureKind::Api => match self.status() {
                Some(s) => tr!("The service refused the request (HTTP {s})"),
                None => tr!("The service refused the request").to_owned(),
            },
            FailureKind::Http => tr!(
                "The gateway answered HTTP {status}",
                status = self.status().unwrap_or_default()
            ),
            FailureKind::Invalid => tr!("The request could not be built").to_owned(),
        }
    }

    /// What the operator can do about it.
    pub fn hint(&self, page_origin: &str) -> String {
        match (self.kind(), self) {
            (FailureKind::NotFound, _) => tr!("Check the ticket id. A ticket from another region or account does not show up here; nor does one these credentials may not see.").to_owned(),
            (FailureKind::Auth, _) if self.error_code() == Some("GATEWAY.UNAUTHENTICATED") => tr!("The gateway knows operators by personal token and got none it accepts: paste your operator token in Settings (a revoked token is refused too).").to_owned(),
            (FailureKind::Auth, _) if self.error_code() == Some("GATEWAY.FORBIDDEN") => tr!("The gateway refused this for your role; it never reached the service. Ask a gateway admin for the permission named below.").to_owned(),
            (FailureKind::Auth, _) => tr!("If the gateway signs requests, its AK/SK is wrong or lacks the coc:execution permissions. If you pasted an IAM token in Settings, it may have expired (tokens last 24 hours): paste a fresh one.").to_owned(),
            (FailureKind::Network, ApiFailure::Network { origin, .. }) => {
                if origin == page_origin {
                    tr!("The browser got no answer from {origin}. Is the gateway running? Check the gateway URL in Settings.")
                } else {
                    tr!("The browser got no answer from {origin}. Is the gateway running, and does it list this page's origin ({page_origin}) among its allowed CORS origins? If a gateway serves this console, its Content-Security-Policy must also allow connecting to {origin} (the gateway's --connect-src). The browser hides which it was.")
                }
            }
            (FailureKind::Timeout, ApiFailure::Timeout { .. }) => tr!("The gateway accepted the connection but did not answer. It may be overloaded; the console will try again.").to_owned(),
            (FailureKind::Timeout, _) => tr!("The gateway is up but the COC service behind it did not answer in time. The console will try again.").to_owned(),
            (FailureKind::NotJson, _) => tr!("Something other than the COC API answered: a proxy error page, an empty body, or the wrong gateway URL in Settings.").to_owned(),
            (FailureKind::Upstream, _) if self.error_code() == Some(OUTCOME_UNKNOWN) => tr!("The operation may have been applied. It was not retried: look at the ticket before sending it again.").to_owned(),
            (FailureKind::Upstream, _) => tr!("The gateway is up; the COC service behind it (or something between them) failed. The console will try again.").to_owned(),
            (FailureKind::Api, _) => tr!("The service's own words are below. Quote the request id to support.").to_owned(),
            (FailureKind::Http, _) => tr!("The gateway answered without a COC error body. Quote the request id, if any, to support.").to_owned(),
            (FailureKind::Invalid, _) => tr!("Check the ticket id and the gateway URL in Settings.").to_owned(),
            _ => String::new(),
        }
    }
}

/// The gateway's code for an operation sent with no usable answer back.
pub const OUTCOME_UNKNOWN: &str = "GATEWAY.OUTCOME_UNKNOWN";

/// The gateway's codes for a COC service that failed behind it.
const UPSTREAM_CODES: [&str; 3] = [
    OUTCOME_UNKNOWN,
    "GATEWAY.UPSTREAM_UNREACHABLE",
    "GATEWAY.UPSTREAM_BAD_RESPONSE",
];

fn looks_like_json(excerpt: &str) -> bool {
    let t = excerpt.trim_start();
    t.starts_with('{') || t.starts_with('[')
}
