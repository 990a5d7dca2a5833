//! Crossing the JS boundary: what serde cannot say, and errors as `CocError`s.
//!
//! Values cross through serde-wasm-bindgen: option objects, filters and
//! bodies come in with [`from_js`], small results (advice, requests, error
//! fields) go out with [`to_js`]. What is left here is what serde cannot
//! express: turning serde's messages into sentences that name the field a
//! JS caller wrote, the core's errors as `CocError`s, and the JS-only shapes
//! a fetch `Response` brings (a `Headers` instance, a `Uint8Array` body).
//!
//! The decoded models (tickets, pages) take the route measured fastest for
//! them; see `decode.rs`.

use coc_core::{Error, HttpRequest, HttpResponse, Method};
use js_sys::{Array, Object, Reflect, Uint8Array};
use serde::de::DeserializeOwned;
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};
use wasm_bindgen::{JsCast, JsValue};

/// Serialises a small value to a plain JS value (maps become objects).
pub fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| js_error("internal", &format!("could not hand a value to JS: {e}")))
}

/// Reads a JS value as `T`; a mismatch is an `invalid_argument` `CocError`
/// whose message and `field` name what the caller wrote (`baseUrl`,
/// `auth.accessKey`, `limit`), under `what` (`options`, `filter`, ...).
pub fn from_js<T: DeserializeOwned>(value: &JsValue, what: &str) -> Result<T, JsValue> {
    let de = serde_wasm_bindgen::Deserializer::from(value.clone());
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let path = if path == "." { String::new() } else { path };
        let msg = e.into_inner().to_string();
        // serde-wasm-bindgen's errors are JS Errors; their text starts so.
        let msg = msg.strip_prefix("Error: ").unwrap_or(&msg);
        refused(what, &path, msg)
    })
}

/// [`from_js`] for an options object, whose unknown keys are refused (a
/// typo such as `{ timeout: 5 }` must not be ignored in silence).
/// serde-wasm-bindgen reads only the fields a struct names, so
/// `deny_unknown_fields` alone would never see them.
pub fn from_js_strict<T: DeserializeOwned>(value: &JsValue, what: &str) -> Result<T, JsValue> {
    if let (Some(known), Some(obj)) = (struct_fields::<T>(), value.dyn_ref::<Object>())
        && !Array::is_array(value)
    {
        for key in Object::keys(obj).iter().filter_map(|k| k.as_string()) {
            let present =
                !Reflect::get(obj, &JsValue::from_str(&key)).is_ok_and(|v| v.is_undefined());
            if present && !known.contains(&key.as_str()) {
                let expected: Vec<String> = known.iter().map(|k| format!("`{k}`")).collect();
                let msg = format!(
                    "unknown field `{key}`, expected one of {}",
                    expected.join(", ")
                );
                return Err(refused(what, "", &msg));
            }
        }
    }
    from_js(value, what)
}

/// The field names of `T` when it deserialises as a plain struct, found by
/// asking its `Deserialize` impl.
fn struct_fields<T: DeserializeOwned>() -> Option<&'static [&'static str]> {
    use serde::de::{self, Visitor};

    #[derive(Debug)]
    struct Fields(Option<&'static [&'static str]>);
    impl std::fmt::Display for Fields {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("fields")
        }
    }
    impl std::error::Error for Fields {}
    impl de::Error for Fields {
        fn custom<M: std::fmt::Display>(_: M) -> Self {
            Fields(None)
        }
    }
    struct Probe;
    impl<'de> de::Deserializer<'de> for Probe {
        type Error = Fields;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Fields> {
            Err(Fields(None))
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Fields> {
            Err(Fields(Some(fields)))
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
            bytes byte_buf option unit unit_struct newtype_struct seq tuple
            tuple_struct map enum identifier ignored_any
        }
    }
    match T::deserialize(Probe) {
        Err(Fields(fields)) => fields,
        Ok(_) => None,
    }
}

/// serde's standard messages (`missing field `x``, `invalid type: …,
/// expected …`) as a sentence and the field they are about.
fn refused(what: &str, path: &str, serde_msg: &str) -> JsValue {
    let join = |key: &str| {
        if path.is_empty() {
            key.to_owned()
        } else {
            format!("{path}.{key}")
        }
    };
    let here = if path.is_empty() { what } else { path };
    if let Some(key) = quoted_after(serde_msg, "missing field ") {
        let field = join(key);
        return invalid_as(&field, &format!("invalid {what}: {field} is required"));
    }
    if let Some(key) = quoted_after(serde_msg, "unknown field ") {
        let field = join(key);
        let known = known_list(serde_msg);
        let hint = match suggestion(key, &known) {
            Some(s) => format!(" (did you mean {s}?)"),
            None => String::new(),
        };
        let list = if known.is_empty() {
            String::new()
        } else {
            format!("; known: {}", known.join(", "))
        };
        return invalid_as(
            &field,
            &format!("invalid {what}: {field} is not an option here{hint}{list}"),
        );
    }
    if let Some(value) = quoted_after(serde_msg, "unknown variant ") {
        let known: Vec<String> = known_list(serde_msg)
            .iter()
            .map(|k| format!("{k:?}"))
            .collect();
        return invalid_as(
            here,
            &format!(
                "invalid {here}: must be one of {}, not {value:?}",
                known.join(", ")
            ),
        );
    }
    for prefix in ["invalid type: ", "invalid value: "] {
        if let Some(rest) = serde_msg.strip_prefix(prefix)
            && let Some((unexpected, expected)) = rest.split_once(", expected ")
        {
            return invalid_as(
                here,
                &format!(
                    "invalid {here}: must be {}, not {}",
                    expected_text(expected),
                    unexpected_text(unexpected)
                ),
            );
        }
    }
    // serde-wasm-bindgen met a JS exception reading the value (a string
    // where an array belongs, say).
    if serde_msg.starts_with("TypeError") || serde_msg.starts_with("RangeError") {
        return invalid_as(
            here,
            &format!("invalid {here}: the value has the wrong type (see its type in index.d.ts)"),
        );
    }
    // A custom `expecting` ("an object of tags …") or a message of our own.
    let text = if serde_msg.starts_with("a ") || serde_msg.starts_with("an ") {
        format!("must be {serde_msg}")
    } else {
        serde_msg.to_owned()
    };
    invalid_as(here, &format!("invalid {here}: {text}"))
}

/// `x` in "prefix `x`…".
fn quoted_after<'a>(msg: &'a str, prefix: &str) -> Option<&'a str> {
    let rest = msg.strip_prefix(prefix)?.strip_prefix('`')?;
    rest.split_once('`').map(|(key, _)| key)
}

/// The names in "…, expected one of `a`, `b`" or "…, expected `a`".
fn known_list(msg: &str) -> Vec<String> {
    let Some((_, list)) = msg.split_once(", expected ") else {
        return Vec::new();
    };
    list.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

/// A known name the unknown one is probably meant to be: the same letters
/// once `_` is dropped and case ignored (`start_time` for `startTime`).
fn suggestion<'a>(key: &str, known: &'a [String]) -> Option<&'a str> {
    let fold = |s: &str| s.replace('_', "").to_ascii_lowercase();
    let key = fold(key);
    known.iter().find(|k| fold(k) == key).map(String::as_str)
}

fn expected_text(expected: &str) -> String {
    match expected {
        "u8" => "a whole number from 0 to 255".to_owned(),
        "u16" => "a whole number from 0 to 65535".to_owned(),
        "u32" => "a whole number from 0 to 4294967295".to_owned(),
        "u64" | "usize" => "a whole number, 0 or more".to_owned(),
        "i8" | "i16" | "i32" | "i64" | "isize" => "a whole number".to_owned(),
        "f32" | "f64" => "a number".to_owned(),
        "a sequence" => "an array".to_owned(),
        "a map" => "an object".to_owned(),
        e if e.starts_with("struct ") || e.starts_with("internally tagged enum") => {
            "an object".to_owned()
        }
        e if e.starts_with("a string") => "a string".to_owned(),
        e => e.to_owned(),
    }
}

fn unexpected_text(unexpected: &str) -> String {
    if unexpected == "unit value" || unexpected == "Option value" {
        return "null or undefined".to_owned();
    }
    for (serde, js) in [
        ("integer ", "the number "),
        ("floating point ", "the number "),
        ("boolean ", ""),
    ] {
        if let Some(v) = unexpected.strip_prefix(serde) {
            return format!("{js}{}", v.trim_matches('`'));
        }
    }
    if let Some(s) = unexpected.strip_prefix("string ") {
        return format!("the string {s}");
    }
    match unexpected {
        "map" => "an object".to_owned(),
        "sequence" => "an array".to_owned(),
        other => other.to_owned(),
    }
}

/// The fields every `CocError` carries, `null` when they do not apply.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
struct ErrorFields<'a> {
    kind: &'a str,
    status: Option<u16>,
    error_code: Option<&'a str>,
    error_msg: Option<&'a str>,
    request_id: Option<&'a str>,
    field: Option<&'a str>,
}

fn error_with(message: &str, fields: &ErrorFields<'_>) -> JsValue {
    let err = js_sys::Error::new(message);
    err.set_name("CocError");
    if let Ok(props) = to_js(fields) {
        // Assigning plain data properties to a fresh Error cannot fail.
        let _ = Object::assign(&err, &props.unchecked_into());
    }
    err.into()
}

/// A JS `Error` named `CocError` with a `kind` (and the other fields null).
/// The package's `CocError` class and `isCocError` recognise it.
pub fn js_error(kind: &str, message: &str) -> JsValue {
    error_with(
        message,
        &ErrorFields {
            kind,
            ..ErrorFields::default()
        },
    )
}

/// An `invalid_argument` error about `field`, saying `invalid {field}: {reason}`.
pub fn invalid(field: &str, reason: &str) -> JsValue {
    invalid_as(field, &format!("invalid {field}: {reason}"))
}

fn invalid_as(field: &str, message: &str) -> JsValue {
    error_with(
        message,
        &ErrorFields {
            kind: "invalid_argument",
            field: Some(field),
            ..ErrorFields::default()
        },
    )
}

/// The core names a refused field as the service does (`execution_id`);
/// a JS caller wrote `executionId`.
fn js_field(core_field: &str) -> String {
    if core_field == "execution_step_id_list" {
        return "executionStepIds".to_owned();
    }
    let mut out = String::with_capacity(core_field.len());
    let mut upper = false;
    for c in core_field.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// The core's error as a `CocError` carrying status, code, message and
/// request id as properties, so callers never parse the message text.
pub fn core_error(e: Error) -> JsValue {
    if let Error::InvalidArgument { field, reason } = &e {
        let field = js_field(field);
        return invalid(&field, reason);
    }
    error_with(
        &e.to_string(),
        &ErrorFields {
            kind: e.kind(),
            status: e.status(),
            error_code: e.error_code(),
            error_msg: e.error_msg(),
            request_id: e.request_id(),
            field: None,
        },
    )
}

/// Header pairs, serialised as one object `{ name: value }` in order.
struct HeadersJs<'a>(&'a [(String, String)]);

impl Serialize for HeadersJs<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (name, value) in self.0 {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

#[derive(Serialize)]
struct RequestJs<'a> {
    method: &'a str,
    url: &'a str,
    headers: HeadersJs<'a>,
    body: std::borrow::Cow<'a, str>,
}

/// `{ method, url, headers: {name: value}, body: string }`.
pub fn request_to_js(req: &HttpRequest) -> Result<JsValue, JsValue> {
    to_js(&RequestJs {
        method: req.method.as_str(),
        url: &req.url,
        headers: HeadersJs(&req.headers),
        body: String::from_utf8_lossy(&req.body),
    })
}

fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// Header pairs from a `Headers` instance, an array of pairs, or a plain
/// object; `field` names them in an error.
pub fn headers_from_js(value: &JsValue, field: &str) -> Result<Vec<(String, String)>, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(Vec::new());
    }
    let is_headers = get(value, "forEach").is_function() && get(value, "get").is_function();
    let pairs: Array = if Array::is_array(value) {
        value.clone().unchecked_into()
    } else if is_headers {
        // A fetch `Headers` (perhaps from another realm) iterates as pairs.
        Array::from(value)
    } else if let Some(obj) = value.dyn_ref::<Object>() {
        Object::entries(obj)
    } else {
        return Err(invalid(
            field,
            "must be a Headers, an array of [name, value] pairs or an object",
        ));
    };
    pairs
        .iter()
        .map(|pair| {
            let name = Reflect::get_u32(&pair, 0).ok().and_then(|v| v.as_string());
            let value = Reflect::get_u32(&pair, 1).ok().and_then(|v| v.as_string());
            match (name, value) {
                (Some(n), Some(v)) => Ok((n, v)),
                _ => Err(invalid(
                    field,
                    "every header needs a string name and a string value",
                )),
            }
        })
        .collect()
}

/// Body bytes from a string, a `Uint8Array`, an `ArrayBuffer`, or nothing.
pub fn body_from_js(value: &JsValue, field: &str) -> Result<Vec<u8>, JsValue> {
    if value.is_undefined() || value.is_null() {
        Ok(Vec::new())
    } else if let Some(s) = value.as_string() {
        Ok(s.into_bytes())
    } else if let Some(bytes) = value.dyn_ref::<Uint8Array>() {
        Ok(bytes.to_vec())
    } else if value.is_instance_of::<js_sys::ArrayBuffer>() {
        Ok(Uint8Array::new(value).to_vec())
    } else {
        Err(invalid(
            field,
            "must be a string, a Uint8Array or an ArrayBuffer",
        ))
    }
}

fn undefined() -> JsValue {
    JsValue::UNDEFINED
}

/// A response `{ status, headers, body }` as the parsers take it.
pub struct ResponseParts {
    pub status: u16,
    /// Read only when the core needs them (an error, a body the fast path
    /// leaves to the core): a ticket the fast path takes never needs them.
    pub headers: JsValue,
    pub body: Vec<u8>,
    /// The body as the caller's own JS value, when it was a string or
    /// bytes: `JSON.parse` reads it from there rather than back from wasm.
    pub js_body: JsBody,
}

/// The caller's body value, kept for the fast path.
#[derive(Debug, Default)]
pub enum JsBody {
    Text(js_sys::JsString),
    Bytes(Uint8Array),
    #[default]
    None,
}

impl ResponseParts {
    /// `f` of the response as the core reads it (its headers read now).
    pub fn read<T>(&self, f: impl FnOnce(&HttpResponse<'_>) -> T) -> Result<T, JsValue> {
        let headers = headers_from_js(&self.headers, "headers")?;
        Ok(f(&HttpResponse::new(self.status, &headers, &self.body)))
    }
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// `{ status, headers?, body? }`, read through its properties (typed
    /// getters: no property name crosses the boundary as a string).
    pub type ResponseLike;
    #[wasm_bindgen(method, getter, structural)]
    fn status(this: &ResponseLike) -> JsValue;
    #[wasm_bindgen(method, getter, structural)]
    fn headers(this: &ResponseLike) -> JsValue;
    #[wasm_bindgen(method, getter, structural)]
    fn body(this: &ResponseLike) -> JsValue;
}

/// Reads `{ status, headers?, body? }` (a fetch Response's parts). Read
/// by hand rather than through serde: it is on every parse, its headers
/// and body are JS-only shapes, and serde-wasm-bindgen's walk over the
/// object costs about half a `JSON.parse` of a small ticket.
pub fn response_from_js(value: &JsValue) -> Result<ResponseParts, JsValue> {
    if !value.is_object() {
        return Err(invalid(
            "response",
            "must be an object { status, headers?, body? } (a fetch Response's parts)",
        ));
    }
    let r: &ResponseLike = value.unchecked_ref();
    let status = r.status();
    let code = status.as_f64().ok_or_else(|| {
        invalid(
            "status",
            &format!(
                "must be a number (an HTTP status code), not {}",
                crate::options::describe(&status)
            ),
        )
    })?;
    if code.fract() != 0.0 || !(100.0..=599.0).contains(&code) {
        return Err(invalid(
            "status",
            "must be an HTTP status code from 100 to 599",
        ));
    }
    let headers = r.headers();
    if !(headers.is_undefined() || headers.is_null() || headers.is_object()) {
        return Err(invalid(
            "headers",
            "must be a Headers, an array of [name, value] pairs or an object",
        ));
    }
    let body = r.body();
    let js_body = if let Some(t) = body.dyn_ref::<js_sys::JsString>() {
        JsBody::Text(t.clone())
    } else if let Some(b) = body.dyn_ref::<Uint8Array>() {
        JsBody::Bytes(b.clone())
    } else {
        JsBody::None
    };
    Ok(ResponseParts {
        // In range by the check above.
        status: code as u16,
        headers,
        body: body_from_js(&body, "body")?,
        js_body,
    })
}

/// `{ method?, url, headers?, body? }` as `sign` takes it.
#[derive(Deserialize)]
#[serde(expecting = "an object { method, url, headers?, body? }")]
struct SignableLike {
    #[serde(default)]
    method: Option<String>,
    url: String,
    #[serde(default = "undefined", with = "serde_wasm_bindgen::preserve")]
    headers: JsValue,
    #[serde(default = "undefined", with = "serde_wasm_bindgen::preserve")]
    body: JsValue,
}

/// A request `{ method, url, headers, body }` as `sign` takes it.
pub fn request_from_js(value: &JsValue) -> Result<HttpRequest, JsValue> {
    if !value.is_object() {
        return Err(invalid(
            "request",
            "must be an object { method, url, headers?, body? }",
        ));
    }
    let r: SignableLike = from_js(value, "request")?;
    let method = match r.method.as_deref().map(str::to_ascii_uppercase).as_deref() {
        Some("GET") | None => Method::Get,
        Some("POST") => Method::Post,
        Some(other) => {
            return Err(invalid(
                "method",
                &format!("must be \"GET\" or \"POST\", not {other:?}"),
            ));
        }
    };
    Ok(HttpRequest {
        method,
        url: r.url,
        headers: headers_from_js(&r.headers, "headers")?,
        body: body_from_js(&r.body, "body")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_field_names_become_js_names() {
        assert_eq!(js_field("execution_id"), "executionId");
        assert_eq!(js_field("operate_type"), "operateType");
        assert_eq!(js_field("execution_step_id_list"), "executionStepIds");
        assert_eq!(js_field("limit"), "limit");
    }

    #[test]
    fn serde_lists_and_names_are_read() {
        let msg = "unknown field `start_time`, expected one of `limit`, `startTime`";
        assert_eq!(quoted_after(msg, "unknown field "), Some("start_time"));
        let known = known_list(msg);
        assert_eq!(known, ["limit", "startTime"]);
        assert_eq!(suggestion("start_time", &known), Some("startTime"));
        assert_eq!(suggestion("retries", &known), None);
        assert_eq!(
            unexpected_text("string \"10\""),
            "the string \"10\"".to_owned()
        );
        assert_eq!(unexpected_text("integer `-1`"), "the number -1".to_owned());
        assert_eq!(unexpected_text("unit value"), "null or undefined");
        assert_eq!(expected_text("struct KeyValue"), "an object");
    }
}
