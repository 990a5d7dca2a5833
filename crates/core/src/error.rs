//! The one error type of this crate.
//!
//! Every variant keeps what an operator needs to act on a failure or to quote
//! it to support: the HTTP status, the service's `error_code` and `error_msg`
//! exactly as sent, and the `X-request-id`.

use std::fmt;

/// Everything that can go wrong while building a request or reading a response.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A caller-supplied value was refused before any request was built.
    #[error("invalid {field}: {reason}")]
    InvalidArgument {
        /// The field as the API names it, e.g. `execution_id`.
        field: &'static str,
        /// Why it was refused, in words an operator can act on.
        reason: String,
    },

    /// The endpoint configuration (base URL or credentials) is unusable.
    #[error("invalid endpoint {url:?}: {reason}")]
    InvalidEndpoint {
        /// The URL as configured.
        url: String,
        /// Why it cannot be used.
        reason: String,
    },

    /// GetExecution answered without a ticket (`data` null or missing).
    #[error("ticket {execution_id} not found{}", RequestIdSuffix(request_id.as_deref()))]
    NotFound {
        /// The id that was asked for.
        execution_id: String,
        /// `X-request-id` of the response.
        request_id: Option<String>,
    },

    /// The service (or the API gateway in front of it) refused the request
    /// with a structured error body.
    #[error("{0}")]
    Api(ApiError),

    /// A non-success status whose body is not a COC error (an HTML page from a
    /// proxy, an empty 502, ...).
    #[error("http {status} without a coc error body{}{}", ExcerptSuffix(excerpt), RequestIdSuffix(request_id.as_deref()))]
    Http {
        /// HTTP status code.
        status: u16,
        /// `X-request-id` of the response, when it had one.
        request_id: Option<String>,
        /// The start of the body, for the operator to recognise what answered.
        excerpt: String,
    },

    /// A success status whose body could not be decoded as the operation's
    /// documented shape.
    #[error("{0}")]
    Decode(DecodeError),
}

/// A structured error body: `{"error_code": "...", "error_msg": "..."}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status code (a COC error may also arrive with 200).
    pub status: u16,
    /// For example `COC.00040702` or `APIGW.0301`, exactly as sent.
    pub error_code: Option<String>,
    /// The message exactly as sent.
    pub error_msg: Option<String>,
    /// `X-request-id` header, or the body's `request_id` when the header is absent.
    pub request_id: Option<String>,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "http {}", self.status)?;
        if let Some(code) = &self.error_code {
            write!(f, " {code}")?;
        }
        match &self.error_msg {
            Some(msg) => write!(f, ": {msg}")?,
            None => f.write_str(": no error message")?,
        }
        RequestIdSuffix(self.request_id.as_deref()).fmt(f)
    }
}

/// A body that does not have the documented shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// HTTP status code of the response.
    pub status: u16,
    /// The operation whose response this was, e.g. `GetExecution`.
    pub operation: &'static str,
    /// What the body should have been, e.g. `a JSON object with a ticket in "data"`.
    pub expected: &'static str,
    /// What the decoder found wrong, with the JSON path where it knows one.
    pub detail: String,
    /// The start of the body as received.
    pub excerpt: String,
    /// `X-request-id` of the response.
    pub request_id: Option<String>,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "could not read the {} response (http {}): expected {}, but {}",
            self.operation, self.status, self.expected, self.detail
        )?;
        // "…, but the body was empty" says it already; do not say it twice.
        if !(self.excerpt.is_empty() && self.detail == EMPTY_BODY) {
            ExcerptSuffix(&self.excerpt).fmt(f)?;
        }
        RequestIdSuffix(self.request_id.as_deref()).fmt(f)
    }
}

impl Error {
    /// A short stable name for the variant, for logs and for JS callers.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::InvalidArgument { .. } => "invalid_argument",
            Error::InvalidEndpoint { .. } => "invalid_endpoint",
            Error::NotFound { .. } => "not_found",
            Error::Api(_) => "api",
            Error::Http { .. } => "http",
            Error::Decode(_) => "decode",
        }
    }

    /// HTTP status of the response this error came from, if any.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::Http { status, .. } => Some(*status),
            Error::Decode(e) => Some(e.status),
            Error::NotFound { .. }
            | Error::InvalidArgument { .. }
            | Error::InvalidEndpoint { .. } => None,
        }
    }

    /// `X-request-id` of the response this error came from, if any.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api(e) => e.request_id.as_deref(),
            Error::Decode(e) => e.request_id.as_deref(),
            Error::Http { request_id, .. } | Error::NotFound { request_id, .. } => {
                request_id.as_deref()
            }
            Error::InvalidArgument { .. } | Error::InvalidEndpoint { .. } => None,
        }
    }

    /// The service's `error_code`, exactly as sent.
    pub fn error_code(&self) -> Option<&str> {
        match self {
            Error::Api(e) => e.error_code.as_deref(),
            _ => None,
        }
    }

    /// The service's `error_msg`, exactly as sent.
    pub fn error_msg(&self) -> Option<&str> {
        match self {
            Error::Api(e) => e.error_msg.as_deref(),
            _ => None,
        }
    }

    /// True for 401 and 403 answers: the credentials, not the request, are wrong.
    pub fn is_auth(&self) -> bool {
        matches!(self.status(), Some(401 | 403))
    }

    pub(crate) fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Error::InvalidArgument {
            field,
            reason: reason.into(),
        }
    }
}

struct RequestIdSuffix<'a>(Option<&'a str>);

impl fmt::Display for RequestIdSuffix<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(id) => write!(f, " (request id {id})"),
            None => Ok(()),
        }
    }
}

/// A decode error's detail when there was nothing but whitespace to read.
pub(crate) const EMPTY_BODY: &str = "the body was empty";

struct ExcerptSuffix<'a>(&'a str);

impl fmt::Display for ExcerptSuffix<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            f.write_str("; the body was empty")
        } else {
            write!(f, "; body starts with {:?}", self.0)
        }
    }
}

/// The most characters of a body an error keeps.
pub const EXCERPT_CHARS: usize = 160;

/// The start of a body as text: lossy UTF-8, at most [`EXCERPT_CHARS`]
/// characters, whitespace runs collapsed so that an HTML page stays readable
/// on one line.
pub fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut out = String::new();
    let mut count = 0;
    let mut last_space = true;
    for c in text.chars() {
        if count == EXCERPT_CHARS {
            out.push('…');
            break;
        }
        let c = if c.is_whitespace() { ' ' } else { c };
        if c == ' ' && last_space {
            continue;
        }
        last_space = c == ' ';
        out.push(c);
        count += 1;
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}
