//! Where requests go and how they authenticate.

use std::fmt;

use crate::http::{HttpRequest, Method};
use crate::sign::UnixTime;
#[cfg(feature = "aksk")]
use crate::sign::{self, Credentials};
use crate::uri::encode;
use crate::{Error, Operation};

/// A validated base URL: scheme, authority and an optional path prefix.
///
/// `https://coc.myhuaweicloud.com` and `http://127.0.0.1:8080/api/coc/`
/// are both fine; the operation's path (`/v1/executions…`) is appended to
/// the prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl {
    origin: String,
    prefix: String,
}

impl BaseUrl {
    /// Parses and checks a base URL.
    pub fn parse(url: &str) -> Result<Self, Error> {
        let bad = |reason: &str| Error::InvalidEndpoint {
            url: url.to_owned(),
            reason: reason.to_owned(),
        };
        let trimmed = url.trim();
        let lower = trimmed.get(..8).unwrap_or(trimmed).to_ascii_lowercase();
        let (scheme, rest) = if lower.starts_with("https://") {
            ("https", &trimmed[8..])
        } else if lower.starts_with("http://") {
            ("http", &trimmed[7..])
        } else {
            return Err(bad("must start with http:// or https://"));
        };
        if rest.contains(['?', '#']) {
            return Err(bad("must not have a query or a fragment"));
        }
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        if authority.is_empty() {
            return Err(bad("has no host"));
        }
        if authority.contains('@') {
            return Err(bad("must not carry credentials (user@host)"));
        }
        if authority
            .chars()
            .chain(path.chars())
            .any(|c| c.is_whitespace() || c.is_control() || c == '\\')
        {
            return Err(bad(
                "must not contain whitespace, control characters or backslashes",
            ));
        }
        let authority = authority.to_ascii_lowercase();
        // The HTTP client omits a default (or empty) port from the Host
        // header; the signature must sign the Host that is actually sent.
        let authority = match (scheme, authority.rsplit_once(':')) {
            ("https", Some((host, "443" | ""))) | ("http", Some((host, "80" | ""))) => {
                host.to_owned()
            }
            (_, Some((_, port))) if !port.ends_with(']') => {
                if port.parse::<u16>().is_err() {
                    return Err(bad("has a port that is not a number from 0 to 65535"));
                }
                authority.clone()
            }
            _ => authority.clone(),
        };
        let host = match authority.rsplit_once(':') {
            Some((host, port)) if !port.ends_with(']') => host,
            _ => authority.as_str(),
        };
        if host.is_empty() {
            return Err(bad("has no host"));
        }
        let prefix = path.trim_end_matches('/');
        if prefix.split('/').any(|seg| seg == ".." || seg == ".") {
            return Err(bad("must not contain \".\" or \"..\" path segments"));
        }
        Ok(Self {
            origin: format!("{scheme}://{authority}"),
            prefix: prefix.to_owned(),
        })
    }

    /// `scheme://authority`, without a trailing slash.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The path prefix without a trailing slash; empty when there is none.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The host (and port, when not the default) as sent in `Host`.
    pub fn authority(&self) -> &str {
        self.origin
            .split_once("://")
            .map(|(_, a)| a)
            .unwrap_or(&self.origin)
    }
}

impl fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.origin, self.prefix)
    }
}

/// How requests authenticate.
#[derive(Clone, PartialEq, Eq, Default)]
pub enum Auth {
    /// No credentials: a gateway in front signs for us.
    #[default]
    None,
    /// An IAM token, sent as `X-Auth-Token`.
    Token(String),
    /// AK/SK signing (SDK-HMAC-SHA256). Never in a browser: the SK would
    /// leak. Behind the default `aksk` feature, so that browser builds carry
    /// no signing code at all.
    #[cfg(feature = "aksk")]
    AkSk(Credentials),
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Auth::None => f.write_str("None"),
            Auth::Token(_) => f.write_str("Token(<redacted>)"),
            #[cfg(feature = "aksk")]
            Auth::AkSk(c) => f.debug_tuple("AkSk").field(c).finish(),
        }
    }
}

/// A base URL and an authentication choice: everything needed to turn an
/// [`Operation`] into an [`HttpRequest`].
#[derive(Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// Where to send requests.
    pub base: BaseUrl,
    /// How to authenticate them.
    pub auth: Auth,
    /// A coc-gateway operator's personal token, sent as
    /// `Authorization: Bearer …`. Separate from `auth`: it says who the
    /// operator is to the gateway, which never forwards it.
    operator_token: Option<String>,
}

impl fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Endpoint")
            .field("base", &self.base)
            .field("auth", &self.auth)
            .field(
                "operator_token",
                &self.operator_token.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

impl Endpoint {
    /// An endpoint at `base_url` with the given authentication.
    pub fn new(base_url: &str, auth: Auth) -> Result<Self, Error> {
        if let Auth::Token(token) = &auth {
            if token.trim().is_empty() {
                return Err(Error::InvalidEndpoint {
                    url: base_url.to_owned(),
                    reason: "the IAM token is empty".to_owned(),
                });
            }
            // Surrounding whitespace (a pasted token's newline) is trimmed
            // when the header is set; inside a token it is a mistake.
            if token.trim().chars().any(|c| c.is_control() || c == ' ') {
                return Err(Error::InvalidEndpoint {
                    url: base_url.to_owned(),
                    reason: "the IAM token contains spaces or control characters".to_owned(),
                });
            }
        }
        #[cfg(feature = "aksk")]
        if let Auth::AkSk(creds) = &auth {
            creds.check().map_err(|reason| Error::InvalidEndpoint {
                url: base_url.to_owned(),
                reason,
            })?;
        }
        Ok(Self {
            base: BaseUrl::parse(base_url)?,
            auth,
            operator_token: None,
        })
    }

    /// The same endpoint, identifying the operator to a coc-gateway with a
    /// personal token. Blank means none; surrounding whitespace (a pasted
    /// newline) is trimmed.
    pub fn with_operator_token(mut self, token: &str) -> Result<Self, Error> {
        let token = token.trim();
        if token.chars().any(|c| c.is_control() || c == ' ') {
            return Err(Error::InvalidEndpoint {
                url: self.base.to_string(),
                reason: "the operator token contains spaces or control characters".to_owned(),
            });
        }
        self.operator_token = (!token.is_empty()).then(|| token.to_owned());
        Ok(self)
    }

    /// True when requests carry an operator token.
    pub fn has_operator_token(&self) -> bool {
        self.operator_token.is_some()
    }

    /// Builds the full request for `op`.
    ///
    /// `now` is only read for AK/SK signing (it becomes `X-Sdk-Date`); the
    /// caller supplies it because this crate reads no clock.
    pub fn prepare<O: Operation + ?Sized>(
        &self,
        op: &O,
        now: UnixTime,
    ) -> Result<HttpRequest, Error> {
        self.prepare_parts(op.parts()?, now)
    }

    /// Builds the full request from an operation's [`RequestParts`]: what
    /// [`Endpoint::prepare`] does once it has asked the operation for them.
    ///
    /// For a caller that has already erased the operation's type: the
    /// console keeps one copy of its send-a-request code in its wasm by
    /// passing `op.parts()` along rather than each operation, and this
    /// spares it a shim [`Operation`] that only hands the parts back. Both
    /// paths give the same request, byte for byte.
    ///
    /// `now` is only read for AK/SK signing, as in [`Endpoint::prepare`].
    pub fn prepare_parts(&self, parts: RequestParts, now: UnixTime) -> Result<HttpRequest, Error> {
        let mut url = format!("{}{}{}", self.base.origin, self.base.prefix, parts.path);
        for (i, (key, value)) in parts.query.iter().enumerate() {
            url.push(if i == 0 { '?' } else { '&' });
            url.push_str(key);
            url.push('=');
            url.push_str(&encode(value));
        }
        let mut request = HttpRequest {
            method: parts.method,
            url,
            headers: vec![("Content-Type".to_owned(), "application/json".to_owned())],
            body: parts.body,
        };
        for (name, value) in parts.headers {
            request.set_header(name, value);
        }
        if let Some(token) = &self.operator_token {
            request.set_header("Authorization", format!("Bearer {token}"));
        }
        match &self.auth {
            Auth::None => {}
            Auth::Token(token) => request.set_header("X-Auth-Token", token.trim()),
            #[cfg(feature = "aksk")]
            Auth::AkSk(creds) => {
                creds.add_scope_headers(&mut request);
                request.set_header("Host", self.base.authority());
                sign::sign(&mut request, creds, now)?;
            }
        }
        // Only signing reads the clock.
        #[cfg(not(feature = "aksk"))]
        let _ = now;
        Ok(request)
    }
}

/// What an operation contributes to a request; the endpoint adds the rest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestParts {
    /// Method.
    pub method: Method,
    /// Path below the base URL, percent-encoded, starting with `/`.
    pub path: String,
    /// Query pairs, not yet encoded, in the order they are sent.
    pub query: Vec<(&'static str, String)>,
    /// Headers of the operation's own (the endpoint adds content type and
    /// authentication).
    pub headers: Vec<(&'static str, String)>,
    /// Body bytes; empty for GET.
    pub body: Vec<u8>,
}

impl RequestParts {
    pub(crate) fn get(path: String, query: Vec<(&'static str, String)>) -> Self {
        Self {
            method: Method::Get,
            path,
            query,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }
}
