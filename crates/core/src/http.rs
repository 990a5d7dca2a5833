//! Plain request and response values: what goes over the wire, with no
//! opinion on how it gets there.

use std::fmt;

/// The HTTP methods this API uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// GET
    Get,
    /// POST
    Post,
}

impl Method {
    /// `GET` or `POST`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A request ready to send: method, absolute URL, headers and body bytes.
///
/// The URL is already percent-encoded. Headers are in the order they were
/// added; names keep the case they were given (HTTP does not care, and the
/// signer lowercases them itself).
#[derive(Clone, PartialEq, Eq)]
pub struct HttpRequest {
    /// Method.
    pub method: Method,
    /// Absolute URL, e.g. `https://coc.myhuaweicloud.com/v1/executions/EX1`.
    pub url: String,
    /// Header name-value pairs.
    pub headers: Vec<(String, String)>,
    /// Body bytes; empty for GET.
    pub body: Vec<u8>,
}

impl HttpRequest {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        header_value(&self.headers, name)
    }

    /// Replaces every value of header `name` with `value`.
    pub fn set_header(&mut self, name: &str, value: impl Into<String>) {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.headers.push((name.to_owned(), value.into()));
    }

    /// The URL without scheme and authority: `/v1/executions?limit=10`.
    pub fn path_and_query(&self) -> &str {
        crate::uri::split_url(&self.url).path_and_query
    }
}

/// Secrets never reach logs through `{:?}`: token and authorization values
/// are elided.
impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(n, v)| {
                let shown = if is_secret_header(n) { "<redacted>" } else { v };
                (n.as_str(), shown)
            })
            .collect();
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers", &headers)
            .field("body", &String::from_utf8_lossy(&self.body))
            .finish()
    }
}

/// Headers whose values are credentials.
pub fn is_secret_header(name: &str) -> bool {
    [
        "authorization",
        "x-auth-token",
        "x-security-token",
        "cookie",
    ]
    .iter()
    .any(|s| name.eq_ignore_ascii_case(s))
}

/// A response as received: status, headers and body bytes.
#[derive(Debug, Clone, Copy)]
pub struct HttpResponse<'a> {
    /// HTTP status code.
    pub status: u16,
    /// Header name-value pairs, in any case.
    pub headers: &'a [(String, String)],
    /// Body bytes.
    pub body: &'a [u8],
}

impl<'a> HttpResponse<'a> {
    /// A response from its parts.
    pub fn new(status: u16, headers: &'a [(String, String)], body: &'a [u8]) -> Self {
        Self {
            status,
            headers,
            body,
        }
    }

    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&'a str> {
        header_value(self.headers, name)
    }

    /// The `X-request-id` header, when present and not blank.
    pub fn request_id(&self) -> Option<&'a str> {
        self.header(REQUEST_ID_HEADER)
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }

    /// True for 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// The header the service puts its request id in.
pub const REQUEST_ID_HEADER: &str = "X-request-id";

fn header_value<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}
