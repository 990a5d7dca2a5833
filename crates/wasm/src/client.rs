//! A small client over the global `fetch` (browsers and Node 18+).
//!
//! It builds each request with the core, sends it once, and parses the
//! answer with the core. No retries: a failed OperateExecution is reported,
//! never resent.

use coc_core::{
    Endpoint, ExecuteDocument, ExecuteDocumentBody, GetExecution, HttpRequest, HttpResponse,
    OperateExecution, OperateType, Operation,
};
use js_sys::{Function, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{JsFuture, future_to_promise};

use crate::convert::{core_error, from_js, headers_from_js, js_error};
use crate::{
    EndpointConfig, ListFilter, OperateOptions, PageOptions, ToJs, instances_op, now, opt_from_js,
    steps_op,
};

/// A COC client for a gateway or the service itself.
#[wasm_bindgen]
#[derive(Debug, Clone)]
pub struct CocClient {
    endpoint: Endpoint,
    fetch: Option<Function>,
    timeout_ms: Option<f64>,
}

fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn network_error(url: &str, cause: &JsValue) -> JsValue {
    let detail = get(cause, "message")
        .as_string()
        .unwrap_or_else(|| format!("{cause:?}"));
    let name = get(cause, "name").as_string().unwrap_or_default();
    if name == "TimeoutError" || name == "AbortError" {
        return js_error(
            "timeout",
            &format!("no answer from {url} in time ({detail})"),
        );
    }
    js_error(
        "network",
        &format!(
            "could not reach {url}: {detail}. Check that the gateway is running and, from a browser on another origin, that the gateway allows this origin (CORS)"
        ),
    )
}

impl CocClient {
    fn run<O>(&self, op: Result<O, JsValue>) -> Promise
    where
        O: Operation + 'static,
        O::Output: ToJs,
    {
        let client = self.clone();
        future_to_promise(async move {
            let op = op?;
            let req = client
                .endpoint
                .prepare(&op, now(None))
                .map_err(core_error)?;
            let (status, headers, body) = client.send(&req).await?;
            op.parse_response(&HttpResponse::new(status, &headers, &body))
                .map_err(core_error)?
                .to_js()
        })
    }

    async fn send(
        &self,
        req: &HttpRequest,
    ) -> Result<(u16, Vec<(String, String)>, Vec<u8>), JsValue> {
        let fetch = match &self.fetch {
            Some(f) => f.clone(),
            None => get(&js_sys::global(), "fetch").dyn_into::<Function>().map_err(|_| {
                js_error(
                    "network",
                    "there is no global fetch here: use Node 18 or newer, a browser, or pass options.fetch",
                )
            })?,
        };
        let init = Object::new();
        let set = |k: &str, v: &JsValue| Reflect::set(&init, &JsValue::from_str(k), v);
        set("method", &JsValue::from_str(req.method.as_str()))?;
        let headers = Object::new();
        for (name, value) in &req.headers {
            // The runtime sends the same Host itself, and browsers refuse to
            // let scripts set it; it stays signed all the same.
            if !name.eq_ignore_ascii_case("host") {
                Reflect::set(
                    &headers,
                    &JsValue::from_str(name),
                    &JsValue::from_str(value),
                )?;
            }
        }
        set("headers", &headers)?;
        if !req.body.is_empty() {
            set("body", &Uint8Array::from(req.body.as_slice()))?;
        }
        if let Some(ms) = self.timeout_ms {
            let timeout = get(&get(&js_sys::global(), "AbortSignal"), "timeout");
            if let Ok(timeout) = timeout.dyn_into::<Function>() {
                set(
                    "signal",
                    &timeout.call1(&JsValue::UNDEFINED, &JsValue::from_f64(ms))?,
                )?;
            }
        }
        let call = fetch
            .call2(&JsValue::UNDEFINED, &JsValue::from_str(&req.url), &init)
            .map_err(|e| network_error(&req.url, &e))?;
        let response = JsFuture::from(Promise::resolve(&call))
            .await
            .map_err(|e| network_error(&req.url, &e))?;
        let status = get(&response, "status")
            .as_f64()
            .filter(|s| (100.0..=599.0).contains(s))
            .ok_or_else(|| {
                js_error("network", "fetch returned something that is not a Response")
            })?;
        let headers = headers_from_js(&get(&response, "headers"))?;
        let array_buffer = get(&response, "arrayBuffer")
            .dyn_into::<Function>()
            .map_err(|_| js_error("network", "fetch returned something that is not a Response"))?
            .call0(&response)?;
        let bytes = JsFuture::from(Promise::resolve(&array_buffer))
            .await
            .map_err(|e| network_error(&req.url, &e))?;
        // In range by the filter above.
        Ok((status as u16, headers, Uint8Array::new(&bytes).to_vec()))
    }
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct TimeoutOnly {
    #[serde(default)]
    timeout_ms: Option<f64>,
}

#[wasm_bindgen]
impl CocClient {
    /// `new CocClient({ baseUrl, auth?, fetch?, timeoutMs? })`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "ClientOptions")] options: JsValue,
    ) -> Result<CocClient, JsValue> {
        let fetch = get(&options, "fetch");
        let fetch = if fetch.is_undefined() || fetch.is_null() {
            None
        } else {
            Some(
                fetch
                    .dyn_into::<Function>()
                    .map_err(|_| crate::invalid("fetch", "must be a function"))?,
            )
        };
        // Split the options: the endpoint part is strict about unknown keys.
        let endpoint_part = Object::new();
        for key in ["baseUrl", "auth", "operatorToken"] {
            let v = get(&options, key);
            if !v.is_undefined() {
                Reflect::set(&endpoint_part, &JsValue::from_str(key), &v)?;
            }
        }
        let timeout: TimeoutOnly = from_js(&options, "options")?;
        if let Some(keys) = unknown_keys(
            &options,
            &["baseUrl", "auth", "operatorToken", "fetch", "timeoutMs"],
        ) {
            return Err(crate::invalid(
                "options",
                &format!(
                    "unknown option(s) {keys}; known: baseUrl, auth, operatorToken, fetch, timeoutMs"
                ),
            ));
        }
        Ok(CocClient {
            endpoint: EndpointConfig::from_js(&endpoint_part.into())?.endpoint()?,
            fetch,
            timeout_ms: timeout.timeout_ms.filter(|ms| *ms > 0.0),
        })
    }

    /// GetExecution. Rejects with `CocError` kind `not_found` for an unknown id.
    #[wasm_bindgen(js_name = getExecution, unchecked_return_type = "Promise<Execution>")]
    pub fn get_execution(
        &self,
        #[wasm_bindgen(js_name = "executionId")] execution_id: &str,
    ) -> Promise {
        self.run(GetExecution::new(execution_id).map_err(core_error))
    }

    /// OperateExecution, sent exactly once.
    #[wasm_bindgen(js_name = operateExecution, unchecked_return_type = "Promise<Operated>")]
    pub fn operate_execution(
        &self,
        #[wasm_bindgen(js_name = "executionId")] execution_id: &str,
        #[wasm_bindgen(js_name = "operateType", unchecked_param_type = "OperateType")]
        operate_type: &str,
        #[wasm_bindgen(unchecked_optional_param_type = "OperateOptions")] options: Option<JsValue>,
    ) -> Promise {
        let op = opt_from_js::<OperateOptions>(options, "options")
            .and_then(OperateOptions::reason)
            .and_then(|reason| {
                OperateType::parse(operate_type)
                    .and_then(|t| OperateExecution::new(execution_id, t))
                    .map(|op| op.with_reason(reason))
                    .map_err(core_error)
            });
        self.run(op)
    }

    /// ListExecutions.
    #[wasm_bindgen(js_name = listExecutions, unchecked_return_type = "Promise<Page<Execution>>")]
    pub fn list_executions(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "ListExecutionsFilter")] filter: Option<
            JsValue,
        >,
    ) -> Promise {
        let op = opt_from_js::<ListFilter>(filter, "filter").map(ListFilter::into_op);
        self.run(op)
    }

    /// ListExecutionSteps.
    #[wasm_bindgen(js_name = listExecutionSteps, unchecked_return_type = "Promise<Page<Step>>")]
    pub fn list_execution_steps(
        &self,
        #[wasm_bindgen(js_name = "executionId")] execution_id: &str,
        #[wasm_bindgen(unchecked_optional_param_type = "StepsOptions")] options: Option<JsValue>,
    ) -> Promise {
        let op =
            opt_from_js::<PageOptions>(options, "options").and_then(|o| steps_op(execution_id, o));
        self.run(op)
    }

    /// ListExecutionInstances.
    #[wasm_bindgen(js_name = listExecutionInstances, unchecked_return_type = "Promise<Page<StepInstance>>")]
    pub fn list_execution_instances(
        &self,
        #[wasm_bindgen(js_name = "executionStepId")] execution_step_id: &str,
        #[wasm_bindgen(unchecked_optional_param_type = "PageOptions")] options: Option<JsValue>,
    ) -> Promise {
        let op = opt_from_js::<PageOptions>(options, "options")
            .and_then(|o| instances_op(execution_step_id, o));
        self.run(op)
    }

    /// ExecuteDocument: starts a job, resolves to the new ticket id.
    #[wasm_bindgen(js_name = executeDocument, unchecked_return_type = "Promise<string>")]
    pub fn execute_document(
        &self,
        #[wasm_bindgen(js_name = "documentId")] document_id: &str,
        #[wasm_bindgen(unchecked_optional_param_type = "ExecuteDocumentBody")] body: Option<
            JsValue,
        >,
    ) -> Promise {
        let body = opt_from_js::<ExecuteDocumentBody>(body, "body");
        self.run(body.and_then(|b| ExecuteDocument::new(document_id, b).map_err(core_error)))
    }
}

fn unknown_keys(obj: &JsValue, known: &[&str]) -> Option<String> {
    let obj = obj.dyn_ref::<Object>()?;
    let unknown: Vec<String> = Object::keys(obj)
        .iter()
        .filter_map(|k| k.as_string())
        .filter(|k| !known.contains(&k.as_str()))
        .collect();
    (!unknown.is_empty()).then(|| unknown.join(", "))
}
