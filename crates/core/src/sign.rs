//! AK/SK request signing, "SDK-HMAC-SHA256", as the official Huawei Cloud
//! SDKs do it.
//!
//! ```text
//! CanonicalRequest = Method \n CanonicalURI \n CanonicalQuery \n CanonicalHeaders \n SignedHeaders \n HexSHA256(body)
//! StringToSign     = "SDK-HMAC-SHA256" \n X-Sdk-Date \n HexSHA256(CanonicalRequest)
//! Signature        = hex(HMAC-SHA256(SK, StringToSign))
//! ```
//!
//! Signing is a pure function of the request, the credentials and a time the
//! caller passes in. The same code verifies signatures (the simulator uses
//! it), so a signer bug cannot hide behind a matching verifier bug: the
//! published vectors in the tests pin both.

use std::fmt;

use hmac::{Hmac, Mac};
use percent_encoding::{percent_decode_str, percent_encode};
use sha2::{Digest, Sha256};

use crate::Error;
use crate::endpoint::ENCODE;
use crate::http::HttpRequest;

/// The algorithm name, first word of the `Authorization` header.
pub const ALGORITHM: &str = "SDK-HMAC-SHA256";
/// The date header; reused when the caller already set it.
pub const DATE_HEADER: &str = "X-Sdk-Date";
/// When present, its value replaces the body hash in the canonical request;
/// set it to [`UNSIGNED_PAYLOAD`] to leave the body out of the signature.
pub const CONTENT_SHA256_HEADER: &str = "X-Sdk-Content-Sha256";
/// See [`CONTENT_SHA256_HEADER`].
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

/// A wall-clock instant, seconds since the Unix epoch (UTC).
///
/// The crate reads no clock: callers pass the time in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct UnixTime(i64);

impl UnixTime {
    /// From seconds since the epoch.
    pub const fn from_secs(secs: i64) -> Self {
        Self(secs)
    }

    /// From milliseconds since the epoch (what `Date.now()` returns).
    pub const fn from_millis(millis: i64) -> Self {
        Self(millis.div_euclid(1000))
    }

    /// Seconds since the epoch.
    pub const fn secs(self) -> i64 {
        self.0
    }

    /// The `X-Sdk-Date` form: `YYYYMMDDTHHMMSSZ`.
    pub fn sdk_date(self) -> String {
        let days = self.0.div_euclid(86_400);
        let secs = self.0.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        format!(
            "{y:04}{m:02}{d:02}T{:02}{:02}{:02}Z",
            secs / 3600,
            secs / 60 % 60,
            secs % 60
        )
    }
}

/// Days since 1970-01-01 to a proleptic Gregorian (year, month, day).
///
/// Howard Hinnant's `civil_from_days`; written out rather than pulling a
/// calendar crate into the wasm build for one conversion.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// An access key, its secret, and the optional scope the SDKs send with them.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// Access key id (AK); not secret.
    pub access_key: String,
    secret_key: String,
    /// Set for temporary credentials; sent as `X-Security-Token`.
    pub security_token: Option<String>,
    /// Global-service credentials send it as `X-Domain-Id`.
    pub domain_id: Option<String>,
    /// Project credentials send it as `X-Project-Id`.
    pub project_id: Option<String>,
}

impl Credentials {
    /// Permanent credentials.
    pub fn new(access_key: impl Into<String>, secret_key: impl Into<String>) -> Self {
        Self {
            access_key: access_key.into(),
            secret_key: secret_key.into(),
            security_token: None,
            domain_id: None,
            project_id: None,
        }
    }

    /// Adds a security token (temporary credentials).
    pub fn with_security_token(mut self, token: impl Into<String>) -> Self {
        self.security_token = Some(token.into());
        self
    }

    /// Adds a domain (account) id.
    pub fn with_domain_id(mut self, id: impl Into<String>) -> Self {
        self.domain_id = Some(id.into());
        self
    }

    /// Adds a project id.
    pub fn with_project_id(mut self, id: impl Into<String>) -> Self {
        self.project_id = Some(id.into());
        self
    }

    /// The secret key. Named so that a call site reads as what it is.
    pub fn expose_secret_key(&self) -> &str {
        &self.secret_key
    }

    pub(crate) fn check(&self) -> Result<(), String> {
        let clean =
            |s: &str| !s.is_empty() && !s.chars().any(|c| c.is_whitespace() || c.is_control());
        if !clean(&self.access_key) {
            return Err("the access key is empty or contains whitespace".to_owned());
        }
        if !clean(&self.secret_key) {
            return Err("the secret key is empty or contains whitespace".to_owned());
        }
        for (name, value) in [
            ("security token", &self.security_token),
            ("domain id", &self.domain_id),
            ("project id", &self.project_id),
        ] {
            if value.as_deref().is_some_and(|v| !clean(v)) {
                return Err(format!("the {name} is empty or contains whitespace"));
            }
        }
        Ok(())
    }

    pub(crate) fn add_scope_headers(&self, request: &mut HttpRequest) {
        if let Some(v) = &self.domain_id {
            request.set_header("X-Domain-Id", v);
        }
        if let Some(v) = &self.project_id {
            request.set_header("X-Project-Id", v);
        }
        if let Some(v) = &self.security_token {
            request.set_header("X-Security-Token", v);
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key", &self.access_key)
            .field("secret_key", &"<redacted>")
            .field(
                "security_token",
                &self.security_token.as_ref().map(|_| "<redacted>"),
            )
            .field("domain_id", &self.domain_id)
            .field("project_id", &self.project_id)
            .finish()
    }
}

/// Signs `request` in place: sets `X-Sdk-Date` (unless already set) and
/// `Authorization`, signing every header present except those whose name
/// contains `_` (as the SDKs do). Add `Host` first if it should be signed.
pub fn sign(request: &mut HttpRequest, creds: &Credentials, now: UnixTime) -> Result<(), Error> {
    creds
        .check()
        .map_err(|reason| Error::invalid("credentials", reason))?;
    if request.header(DATE_HEADER).is_none() {
        request.set_header(DATE_HEADER, now.sdk_date());
    }
    request
        .headers
        .retain(|(n, _)| !n.eq_ignore_ascii_case("authorization"));
    let signed = signable_headers(request);
    let sig = signature(request, &signed, creds.expose_secret_key());
    request.set_header(
        "Authorization",
        format!(
            "{ALGORITHM} Access={}, SignedHeaders={}, Signature={}",
            creds.access_key,
            signed.join(";"),
            sig.signature
        ),
    );
    Ok(())
}

/// Every header name the signer would sign, lowercased and sorted.
pub fn signable_headers(request: &HttpRequest) -> Vec<String> {
    let mut names: Vec<String> = request
        .headers
        .iter()
        .map(|(n, _)| n.to_ascii_lowercase())
        .filter(|n| !n.contains('_') && n != "authorization")
        .collect();
    names.sort();
    names.dedup();
    names
}

/// The intermediate values of a signature, for tests and for error
/// messages that need to show what was signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureParts {
    /// The canonical request.
    pub canonical_request: String,
    /// The string that was HMACed.
    pub string_to_sign: String,
    /// Lowercase hex HMAC-SHA256.
    pub signature: String,
}

/// Computes the signature of `request` over the headers `signed_headers`
/// (lowercase names) with secret key `sk`. The request must carry `X-Sdk-Date`.
pub fn signature(request: &HttpRequest, signed_headers: &[String], sk: &str) -> SignatureParts {
    let canonical_request = canonical_request(request, signed_headers);
    let date = request.header(DATE_HEADER).unwrap_or_default();
    let string_to_sign = format!(
        "{ALGORITHM}\n{date}\n{}",
        hex::encode(Sha256::digest(canonical_request.as_bytes()))
    );
    // HMAC accepts keys of any length, so this cannot fail; the fallback
    // keeps the function total without a panic path.
    let signature = match Hmac::<Sha256>::new_from_slice(sk.as_bytes()) {
        Ok(mut mac) => {
            mac.update(string_to_sign.as_bytes());
            hex::encode(mac.finalize().into_bytes())
        }
        Err(_) => String::new(),
    };
    SignatureParts {
        canonical_request,
        string_to_sign,
        signature,
    }
}

/// The canonical request over the headers named in `signed_headers`.
pub fn canonical_request(request: &HttpRequest, signed_headers: &[String]) -> String {
    let url = split_url(&request.url);
    let mut headers = String::new();
    for name in signed_headers {
        let values: Vec<&str> = request
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim())
            .collect();
        headers.push_str(name);
        headers.push(':');
        headers.push_str(&values.join(","));
        headers.push('\n');
    }
    // Both official SDKs use the header's value verbatim in place of the
    // body hash when it is present (normally `UNSIGNED-PAYLOAD`). For an
    // empty body the Python SDK ignores it; we follow Go and coc-api.md
    // (see tests/sdk_signing.rs).
    let body_hash = match request.header(CONTENT_SHA256_HEADER) {
        Some(v) => v.to_owned(),
        None => hex::encode(Sha256::digest(&request.body)),
    };
    format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        request.method.as_str(),
        canonical_uri(url.path),
        canonical_query(url.query),
        headers,
        signed_headers.join(";"),
        body_hash
    )
}

/// The path decoded as a whole, split on `/`, each segment encoded with the
/// unreserved set, and a trailing `/` that exists only in the signature.
///
/// Decoding before splitting is what the official Python SDK does
/// (`unquote(resource_path).split('/')`), so an encoded slash `%2F` counts
/// as a separator; its UTF-8 decoding replaces invalid sequences with
/// U+FFFD, and so does this. (The Go SDK never has escapes in the path it
/// signs.) Ids never contain `/`, so requests built by this crate are
/// unaffected; what matters is that the verifier agrees with the SDK.
pub fn canonical_uri(path: &str) -> String {
    let decoded: Vec<u8> = percent_decode_str(path).collect();
    let decoded = String::from_utf8_lossy(&decoded);
    let mut out: String = decoded
        .split('/')
        .map(|segment| percent_encode(segment.as_bytes(), ENCODE).to_string())
        .collect::<Vec<_>>()
        .join("/");
    if !out.ends_with('/') {
        out.push('/');
    }
    out
}

/// Query pairs decoded (`+` is a space, as form decoding has it), sorted by
/// key then value, re-encoded (a space becomes `%20`) and joined.
///
/// The sort is on the decoded bytes, before encoding, as both official SDKs
/// do (they sort the caller's raw values). Sorting the encoded text instead
/// differs as soon as a value holds a character that needs escaping: raw
/// `0` < `:` < `z` < `é`, but encoded `%3A` < `%C3%A9` < `0` < `z`.
pub fn canonical_query(query: &str) -> String {
    let decode = |s: &str| -> Vec<u8> { percent_decode_str(&s.replace('+', "%20")).collect() };
    let mut pairs: Vec<(Vec<u8>, Vec<u8>)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                percent_encode(k, ENCODE),
                percent_encode(v, ENCODE)
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// The pieces of a URL the signer needs. Relative URLs (`/path?q`) have an
/// empty authority.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UrlParts<'a> {
    /// `host[:port]`, or empty.
    pub authority: &'a str,
    /// `/path`, `/` when empty.
    pub path: &'a str,
    /// The query without `?`, possibly empty.
    pub query: &'a str,
    /// Path and query as on the request line.
    pub path_and_query: &'a str,
}

/// Splits an absolute or origin-relative URL; a fragment is dropped.
pub fn split_url(url: &str) -> UrlParts<'_> {
    let url = url.split('#').next().unwrap_or_default();
    let (authority, rest) = match url.split_once("://") {
        Some((_, after)) => match after.find(['/', '?']) {
            Some(i) => (&after[..i], &after[i..]),
            None => (after, ""),
        },
        None => ("", url),
    };
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    UrlParts {
        authority,
        path: if path.is_empty() { "/" } else { path },
        query,
        path_and_query: if rest.is_empty() { "/" } else { rest },
    }
}

/// The three fields of an `Authorization: SDK-HMAC-SHA256 …` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationHeader {
    /// `Access=`
    pub access_key: String,
    /// `SignedHeaders=`, split on `;`.
    pub signed_headers: Vec<String>,
    /// `Signature=`
    pub signature: String,
}

impl AuthorizationHeader {
    /// Parses the header value; `None` when it is not an SDK-HMAC-SHA256 header.
    pub fn parse(value: &str) -> Option<Self> {
        let rest = value.trim().strip_prefix(ALGORITHM)?.trim_start();
        let (mut access, mut signed, mut sig) = (None, None, None);
        for field in rest.split(',') {
            let (k, v) = field.trim().split_once('=')?;
            match k.trim() {
                "Access" => access = Some(v.trim().to_owned()),
                "SignedHeaders" => signed = Some(v.trim().split(';').map(str::to_owned).collect()),
                "Signature" => sig = Some(v.trim().to_owned()),
                _ => return None,
            }
        }
        Some(Self {
            access_key: access?,
            signed_headers: signed?,
            signature: sig?,
        })
    }
}

/// Why a signature was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// No `Authorization` header, or not an SDK-HMAC-SHA256 one.
    #[error("the request carries no SDK-HMAC-SHA256 authorization header")]
    Missing,
    /// The access key is not known to the verifier.
    #[error("unknown access key {0:?}")]
    UnknownAccessKey(String),
    /// `X-Sdk-Date` is absent or not signed.
    #[error("x-sdk-date is missing or not among the signed headers")]
    NoDate,
    /// The signature does not match.
    #[error("verify aksk signature fail: {canonical_request}")]
    Mismatch {
        /// The canonical request the verifier computed, newlines as `|`
        /// (as the real API gateway reports it).
        canonical_request: String,
    },
}

/// Verifies a signed request: `secret_for` maps an access key to its SK.
pub fn verify(
    request: &HttpRequest,
    secret_for: impl Fn(&str) -> Option<String>,
) -> Result<AuthorizationHeader, VerifyError> {
    let auth = request
        .header("Authorization")
        .and_then(AuthorizationHeader::parse)
        .ok_or(VerifyError::Missing)?;
    let sk = secret_for(&auth.access_key)
        .ok_or_else(|| VerifyError::UnknownAccessKey(auth.access_key.clone()))?;
    if request.header(DATE_HEADER).is_none()
        || !auth.signed_headers.iter().any(|h| h == "x-sdk-date")
    {
        return Err(VerifyError::NoDate);
    }
    let expected = signature(request, &auth.signed_headers, &sk);
    if constant_time_eq(expected.signature.as_bytes(), auth.signature.as_bytes()) {
        Ok(auth)
    } else {
        Err(VerifyError::Mismatch {
            canonical_request: expected.canonical_request.replace('\n', "|"),
        })
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
