//! Reading response bodies: what every operation's `parse_response` shares,
//! written once (the rules are listed at the top of `ops.rs`).
//!
//! The COC envelope (`data`, `total`, an `error_code` in a 2xx body), a
//! failure status turned into [`Error::Api`] or [`Error::Http`], and one JSON
//! object decoded with errors that name what was expected, where, and quote
//! the start of the body. What each operation makes of `data` (not found,
//! an empty page, a ticket id) stays with the operation.
//!
//! Nothing here panics, whatever the bytes.

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::Error;
use crate::error::{ApiError, DecodeError, EMPTY_BODY, excerpt};
use crate::http::HttpResponse;
use crate::model::Page;

/// What `"data"` turned out to be, for an error message. A string only
/// gets here when it is empty: any other string is a ticket id.
pub(crate) fn describe(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "an empty string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The common body: `data`, maybe `total`, maybe an error.
#[derive(Deserialize)]
#[serde(expecting = "a JSON object")]
pub(crate) struct Envelope<T> {
    #[serde(default = "none")]
    pub(crate) data: Option<T>,
    #[serde(default)]
    total: Option<u64>,
    #[serde(default)]
    error_code: Option<String>,
    #[serde(default)]
    error_msg: Option<String>,
    #[serde(default)]
    request_id: Option<String>,
}

fn none<T>() -> Option<T> {
    None
}

impl<T> Envelope<T> {
    /// A COC error carried in a success body, when there is one.
    pub(crate) fn error(&self, response: &HttpResponse<'_>) -> Option<Error> {
        let code = self.error_code.as_deref().filter(|c| !c.is_empty())?;
        Some(Error::Api(ApiError {
            status: response.status,
            error_code: Some(code.to_owned()),
            error_msg: self.error_msg.clone(),
            request_id: response
                .request_id()
                .map(str::to_owned)
                .or_else(|| self.request_id.clone()),
        }))
    }
}

/// Decodes a success body as a page of `T`.
pub(crate) fn parse_page<T: DeserializeOwned>(
    response: &HttpResponse<'_>,
    operation: &'static str,
    expected: &'static str,
) -> Result<Page<T>, Error> {
    let env: Envelope<Vec<Option<T>>> = decode(response, operation, expected)?;
    if env.data.is_none()
        && let Some(e) = env.error(response)
    {
        return Err(e);
    }
    // A null element in a list is dropped rather than failing the page: an
    // operator is better served by 99 rows than by none.
    let items: Vec<T> = env.data.unwrap_or_default().into_iter().flatten().collect();
    let total = env.total.unwrap_or(items.len() as u64);
    Ok(Page { items, total })
}

/// Decodes a success body as `Envelope<T>`; a failure status becomes
/// [`Error::Api`] or [`Error::Http`].
pub(crate) fn decode<T: DeserializeOwned>(
    response: &HttpResponse<'_>,
    operation: &'static str,
    expected: &'static str,
) -> Result<Envelope<T>, Error> {
    decode_json(response, operation, expected)
}

/// Decodes a success body as one JSON object of type `T`, with the same
/// rules and errors as every COC operation.
pub(crate) fn decode_json<T: DeserializeOwned>(
    response: &HttpResponse<'_>,
    operation: &'static str,
    expected: &'static str,
) -> Result<T, Error> {
    if !response.is_success() {
        return Err(failure(response));
    }
    let decode_error = |detail: String| {
        Error::Decode(DecodeError {
            status: response.status,
            operation,
            expected,
            detail,
            excerpt: excerpt(response.body),
            request_id: response.request_id().map(str::to_owned),
        })
    };
    let body = strip_bom(response.body);
    match body.iter().find(|b| !b.is_ascii_whitespace()) {
        None => return Err(decode_error(EMPTY_BODY.to_owned())),
        // serde's derived structs also accept a sequence of their fields in
        // order, which would read `[{…}]` as a ticket; every documented
        // body is an object.
        Some(b'[') => {
            return Err(decode_error(
                "the body is a JSON array, not an object".to_owned(),
            ));
        }
        Some(_) => {}
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    // The JSON path ("data.start_time") costs about 12 KB of brotli'd wasm;
    // the console leaves the feature out and keeps serde_json's line and
    // column, which still point at the field.
    #[cfg(feature = "error-paths")]
    let result = serde_path_to_error::deserialize(&mut de)
        .map_err(|e| (e.path().to_string(), e.into_inner()));
    #[cfg(not(feature = "error-paths"))]
    let result = T::deserialize(&mut de).map_err(|e| (".".to_owned(), e));
    let env: T = result.map_err(|(path, inner)| {
        decode_error(match inner.classify() {
            serde_json::error::Category::Data if path != "." => format!("at {path}: {inner}"),
            serde_json::error::Category::Data => format!("the body has the wrong shape ({inner})"),
            serde_json::error::Category::Eof => format!("the body ends too early ({inner})"),
            _ => format!("the body is not valid JSON ({inner})"),
        })
    })?;
    de.end()
        .map_err(|e| decode_error(format!("the body has more after the JSON value ({e})")))?;
    Ok(env)
}

/// A non-2xx response: a structured error when the body is one, else the
/// status with an excerpt.
pub(crate) fn failure(response: &HttpResponse<'_>) -> Error {
    #[derive(Deserialize)]
    struct Nested {
        #[serde(default)]
        code: Option<String>,
        #[serde(default)]
        message: Option<String>,
    }
    #[derive(Deserialize)]
    struct ErrorBody {
        #[serde(default)]
        error_code: Option<String>,
        #[serde(default)]
        error_msg: Option<String>,
        #[serde(default)]
        request_id: Option<String>,
        // Some Huawei Cloud services nest it: {"error": {"code", "message"}}.
        #[serde(default)]
        error: Option<Nested>,
    }
    let request_id = response.request_id().map(str::to_owned);
    if let Ok(body) = serde_json::from_slice::<ErrorBody>(strip_bom(response.body)) {
        let (code, msg) = match body.error {
            Some(n) if body.error_code.is_none() => (n.code, n.message),
            _ => (body.error_code, body.error_msg),
        };
        if code.is_some() || msg.is_some() {
            return Error::Api(ApiError {
                status: response.status,
                error_code: code,
                error_msg: msg,
                request_id: request_id.or(body.request_id),
            });
        }
    }
    Error::Http {
        status: response.status,
        request_id,
        excerpt: excerpt(response.body),
    }
}

/// A UTF-8 byte-order mark is not JSON, but some proxies prepend one.
fn strip_bom(body: &[u8]) -> &[u8] {
    body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body)
}
