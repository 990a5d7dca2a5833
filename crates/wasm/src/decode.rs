//! How each operation's response becomes a JS value.
//!
//! Tickets (GetExecution, ListExecutions) take the fast path of `fast.rs`
//! when it accepts the body: the engine's `JSON.parse` builds the objects
//! and the core's defaults are filled in where the body left them out.
//! Everything else, and every body the fast path steps aside from, is
//! decoded by the core and crosses as JSON text (serde_json, then
//! `JSON.parse`), the fastest of the routes measured for whole models
//! (the package README has the table; `cargo xtask bench` measures them).

use coc_core::{
    ExecuteDocument, GetExecution, ListExecutionInstances, ListExecutionSteps, ListExecutions,
    OperateExecution, Operated, Operation,
};
use js_sys::{Array, JSON, JsString, Object, Reflect};
use serde::Serialize;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};

use crate::convert::{JsBody, ResponseParts, core_error, js_error, to_js};
use crate::fast::{self, Checked, Fill, Seg, Shape};

/// An operation whose response this crate hands to JS.
pub(crate) trait ParseJs: Operation {
    fn parse_js(&self, response: &ResponseParts) -> Result<JsValue, JsValue>;
}

#[wasm_bindgen]
extern "C" {
    /// `JSON.parse` of a JS string (js_sys's takes a Rust `&str`).
    #[wasm_bindgen(js_namespace = JSON, js_name = parse, catch)]
    fn json_parse(text: &JsString) -> Result<JsValue, JsValue>;

    /// The engine's UTF-8 decoder (Node 11+, every browser).
    type TextDecoder;
    #[wasm_bindgen(constructor)]
    fn new() -> TextDecoder;
    #[wasm_bindgen(method)]
    fn decode(this: &TextDecoder, bytes: &js_sys::Uint8Array) -> JsString;
}

thread_local! {
    /// One decoder for every parse (wasm has one thread).
    static DECODER: TextDecoder = TextDecoder::new();
}

/// `text.isWellFormed()` (ES2024); false where the engine lacks it.
fn well_formed(text: &JsString) -> bool {
    thread_local! {
        static HAS_IT: bool = Reflect::get(&js_sys::global(), &JsValue::from_str("String"))
            .and_then(|s| Reflect::get(&s, &JsValue::from_str("prototype")))
            .and_then(|p| Reflect::get(&p, &JsValue::from_str("isWellFormed")))
            .is_ok_and(|f| f.is_function());
    }
    HAS_IT.with(|has| *has) && text.is_well_formed()
}

/// Serialised as JSON text by serde_json, then `JSON.parse`d by the engine.
fn via_json_text<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    let text = serde_json::to_string(value)
        .map_err(|e| js_error("internal", &format!("could not hand a value to JS: {e}")))?;
    JSON::parse(&text)
}

/// The core's decode, crossing as JSON text.
fn by_core<O: Operation>(op: &O, response: &ResponseParts) -> Result<JsValue, JsValue>
where
    O::Output: Serialize,
{
    via_json_text(
        &response
            .read(|r| op.parse_response(r))?
            .map_err(core_error)?,
    )
}

impl ParseJs for GetExecution {
    fn parse_js(&self, response: &ResponseParts) -> Result<JsValue, JsValue> {
        match fast::check(response.status, &response.body, Shape::Ticket) {
            Ok(checked) => from_fast(response, &checked, Shape::Ticket),
            Err(fast::Aside) => by_core(self, response),
        }
    }
}

impl ParseJs for ListExecutions {
    fn parse_js(&self, response: &ResponseParts) -> Result<JsValue, JsValue> {
        match fast::check(response.status, &response.body, Shape::Tickets) {
            Ok(checked) => from_fast(response, &checked, Shape::Tickets),
            Err(fast::Aside) => by_core(self, response),
        }
    }
}

impl ParseJs for ListExecutionSteps {
    fn parse_js(&self, response: &ResponseParts) -> Result<JsValue, JsValue> {
        by_core(self, response)
    }
}

impl ParseJs for ListExecutionInstances {
    fn parse_js(&self, response: &ResponseParts) -> Result<JsValue, JsValue> {
        by_core(self, response)
    }
}

impl ParseJs for ExecuteDocument {
    fn parse_js(&self, response: &ResponseParts) -> Result<JsValue, JsValue> {
        let id = response
            .read(|r| self.parse_response(r))?
            .map_err(core_error)?;
        Ok(JsValue::from_str(&id))
    }
}

impl ParseJs for OperateExecution {
    fn parse_js(&self, response: &ResponseParts) -> Result<JsValue, JsValue> {
        operated_to_js(
            &response
                .read(|r| self.parse_response(r))?
                .map_err(core_error)?,
        )
    }
}

fn operated_to_js(o: &Operated) -> Result<JsValue, JsValue> {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct OperatedJs<'a> {
        request_id: Option<&'a str>,
    }
    to_js(&OperatedJs {
        request_id: o.request_id.as_deref(),
    })
}

/// `JSON.parse` of a body the fast path accepted, with its fills applied.
fn from_fast(
    response: &ResponseParts,
    checked: &Checked,
    shape: Shape,
) -> Result<JsValue, JsValue> {
    let internal = |what: &str| js_error("internal", &format!("decoding a checked body: {what}"));
    // The caller's own value saves a copy back out of wasm. A string with
    // a lone surrogate is read from wasm instead: wasm saw U+FFFD there,
    // and so did the check.
    let start = checked.start;
    let root = match &response.js_body {
        JsBody::Text(t) if well_formed(t) => {
            // A BOM is one UTF-16 unit.
            json_parse(&if start == 0 {
                t.clone()
            } else {
                t.slice(1, t.length())
            })?
        }
        JsBody::Bytes(b) => {
            json_parse(&DECODER.with(|d| d.decode(&b.subarray(start as u32, b.length()))))?
        }
        _ => JSON::parse(
            std::str::from_utf8(&response.body[start..]).map_err(|_| internal("not UTF-8"))?,
        )?,
    };
    let data = Reflect::get(&root, &JsValue::from_str("data"))?;
    for patch in &checked.patches {
        let Some((Seg::Key(last), parents)) = patch.path.segs().split_last() else {
            return Err(internal("a fill without a field"));
        };
        let mut at = data.clone();
        for seg in parents {
            at = match seg {
                Seg::Key(k) => Reflect::get(&at, &JsValue::from_str(k))?,
                Seg::Index(i) => Reflect::get_u32(&at, *i as u32)?,
            };
        }
        let fill = match patch.fill {
            Fill::Null => JsValue::NULL,
            Fill::EmptyArray => Array::new().into(),
            Fill::EmptyString => JsValue::from_str(""),
        };
        Reflect::set(&at, &JsValue::from_str(last), &fill)?;
    }
    match shape {
        Shape::Ticket => Ok(data),
        Shape::Tickets => {
            let all: Array = data.dyn_into().map_err(|_| internal("not an array"))?;
            let items = if checked.null_items.is_empty() {
                all
            } else {
                all.iter().filter(|v| !v.is_null()).collect()
            };
            let total = checked.total.unwrap_or(u64::from(items.length()));
            let page = Object::new();
            Reflect::set(&page, &JsValue::from_str("items"), &items)?;
            // Page totals are far below 2^53.
            Reflect::set(
                &page,
                &JsValue::from_str("total"),
                &JsValue::from_f64(total as f64),
            )?;
            Ok(page.into())
        }
    }
}

/// The decode routes `cargo xtask bench` compares (built only with the
/// `decode-candidates` feature; never in the package): the core's decode
/// then JSON text, the core's decode then serde-wasm-bindgen, the fast
/// path, and the core's decode alone (the floor of the first two).
#[cfg(feature = "decode-candidates")]
#[wasm_bindgen(js_name = decodeCandidate)]
pub fn decode_candidate(
    route: &str,
    execution_id: &str,
    response: JsValue,
) -> Result<JsValue, JsValue> {
    if route == "read the response object alone" {
        return crate::convert::response_from_js(&response).map(|_| JsValue::NULL);
    }
    let r = crate::convert::response_from_js(&response)?;
    let op = GetExecution::new(execution_id).map_err(core_error)?;
    let decode = || -> Result<coc_core::Execution, JsValue> {
        r.read(|response| op.parse_response(response))?
            .map_err(core_error)
    };
    match route {
        "core, then JSON text" => via_json_text(&decode()?),
        "core, then serde-wasm-bindgen" => to_js(&decode()?),
        "JSON.parse, checked in wasm" => op.parse_js(&r),
        "core decode alone" => decode().map(|_| JsValue::NULL),
        "fast check alone" => Ok(JsValue::from_bool(
            fast::check(r.status, &r.body, Shape::Ticket).is_ok(),
        )),
        "fast check and JSON.parse" => {
            let c = fast::check(r.status, &r.body, Shape::Ticket).map_err(|_| JsValue::NULL)?;
            JSON::parse(std::str::from_utf8(&r.body[c.start..]).map_err(|_| JsValue::NULL)?)
        }
        other => Err(js_error("invalid_argument", &format!("no route {other:?}"))),
    }
}
