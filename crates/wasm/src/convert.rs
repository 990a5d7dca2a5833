//! Crossing the JS boundary: plain objects in and out, errors as `Error`s.
//!
//! Values cross as JSON text through the engine's own `JSON.parse` and
//! `JSON.stringify`. That is the same serde representation the core uses
//! for its raw view, so a ticket looks the same in JS as on the wire, and
//! there is no second mapping to keep in sync.

use coc_core::{Error, HttpRequest, Method};
use js_sys::{Array, JSON, Object, Reflect, Uint8Array};
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsValue};

/// Serialises `value` to a plain JS value.
pub fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    let text = serde_json::to_string(value).map_err(|e| js_error("internal", &e.to_string()))?;
    JSON::parse(&text)
}

/// Reads a plain JS value as `T`; a mismatch is an `invalid_argument` error
/// naming `what`.
pub fn from_js<T: DeserializeOwned>(value: &JsValue, what: &str) -> Result<T, JsValue> {
    let text: String = JSON::stringify(value)
        .map(String::from)
        .map_err(|_| invalid(what, "cannot be turned into JSON"))?;
    serde_json::from_str(&text).map_err(|e| invalid(what, &e.to_string()))
}

fn set(target: &JsValue, key: &str, value: impl Into<JsValue>) {
    // Setting a property on a fresh Error or Object cannot fail.
    let _ = Reflect::set(target, &JsValue::from_str(key), &value.into());
}

fn opt(v: Option<&str>) -> JsValue {
    v.map_or(JsValue::NULL, JsValue::from_str)
}

/// A JS `Error` named `CocError` with a `kind` property.
pub fn js_error(kind: &str, message: &str) -> JsValue {
    let err = js_sys::Error::new(message);
    err.set_name("CocError");
    let v: JsValue = err.into();
    set(&v, "kind", kind);
    for key in ["status", "errorCode", "errorMsg", "requestId", "field"] {
        set(&v, key, JsValue::NULL);
    }
    v
}

pub fn invalid(field: &str, reason: &str) -> JsValue {
    let v = js_error("invalid_argument", &format!("invalid {field}: {reason}"));
    set(&v, "field", field);
    v
}

/// The core's error as a `CocError` carrying status, code, message and
/// request id as properties, so callers never parse the message text.
pub fn core_error(e: Error) -> JsValue {
    let v = js_error(e.kind(), &e.to_string());
    set(
        &v,
        "status",
        e.status().map_or(JsValue::NULL, JsValue::from),
    );
    set(&v, "errorCode", opt(e.error_code()));
    set(&v, "errorMsg", opt(e.error_msg()));
    set(&v, "requestId", opt(e.request_id()));
    if let Error::InvalidArgument { field, .. } = &e {
        set(&v, "field", *field);
    }
    v
}

/// `{ method, url, headers: {name: value}, body: string }`.
pub fn request_to_js(req: &HttpRequest) -> JsValue {
    let obj = Object::new();
    set(&obj, "method", req.method.as_str());
    set(&obj, "url", req.url.as_str());
    let headers = Object::new();
    for (name, value) in &req.headers {
        set(&headers, name, value.as_str());
    }
    set(&obj, "headers", headers);
    set(&obj, "body", String::from_utf8_lossy(&req.body).as_ref());
    obj.into()
}

fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// Header pairs from a `Headers` instance, an array of pairs, or a plain object.
pub fn headers_from_js(value: &JsValue) -> Result<Vec<(String, String)>, JsValue> {
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
            "headers",
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
                    "headers",
                    "every header needs a string name and a string value",
                )),
            }
        })
        .collect()
}

/// Body bytes from a string, a `Uint8Array`, an `ArrayBuffer`, or nothing.
pub fn body_from_js(value: &JsValue) -> Result<Vec<u8>, JsValue> {
    if value.is_undefined() || value.is_null() {
        Ok(Vec::new())
    } else if let Some(s) = value.as_string() {
        Ok(s.into_bytes())
    } else if value.is_instance_of::<Uint8Array>() {
        Ok(value.clone().unchecked_into::<Uint8Array>().to_vec())
    } else if value.is_instance_of::<js_sys::ArrayBuffer>() {
        Ok(Uint8Array::new(value).to_vec())
    } else {
        Err(invalid(
            "body",
            "must be a string, a Uint8Array or an ArrayBuffer",
        ))
    }
}

/// A response `{ status, headers, body }` as the parsers take it.
pub struct ResponseParts {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

pub fn response_from_js(value: &JsValue) -> Result<ResponseParts, JsValue> {
    let status = get(value, "status")
        .as_f64()
        .filter(|s| s.fract() == 0.0 && (100.0..=599.0).contains(s))
        .ok_or_else(|| invalid("status", "must be an HTTP status code from 100 to 599"))?;
    Ok(ResponseParts {
        // In range by the filter above.
        status: status as u16,
        headers: headers_from_js(&get(value, "headers"))?,
        body: body_from_js(&get(value, "body"))?,
    })
}

/// A request `{ method, url, headers, body }` as `sign` takes it.
pub fn request_from_js(value: &JsValue) -> Result<HttpRequest, JsValue> {
    let method = match get(value, "method")
        .as_string()
        .as_deref()
        .map(str::to_ascii_uppercase)
        .as_deref()
    {
        Some("GET") | None => Method::Get,
        Some("POST") => Method::Post,
        Some(other) => return Err(invalid("method", &format!("{other:?} is not GET or POST"))),
    };
    let url = get(value, "url")
        .as_string()
        .ok_or_else(|| invalid("url", "must be a string"))?;
    Ok(HttpRequest {
        method,
        url,
        headers: headers_from_js(&get(value, "headers"))?,
        body: body_from_js(&get(value, "body"))?,
    })
}
