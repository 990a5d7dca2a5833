//! A small client over the global `fetch` (browsers and Node 18+).
//!
//! It builds each request with the core, sends it once, and parses the
//! answer with the core. No retries: a failed OperateExecution is reported,
//! never resent.

use coc_core::{Endpoint, GetExecution, HttpRequest};
use js_sys::{Function, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{JsFuture, future_to_promise};

use crate::convert::{JsBody, ResponseParts, core_error, from_js_strict, js_error};
use crate::decode::ParseJs;
use crate::options::{
    ClientOptions, ListFilter, PageOptions, execution_id_arg, instances_op, now, opt_from_js,
    steps_op, string_arg,
};
use crate::{execute_op, operate_op};

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
        O: ParseJs + 'static,
    {
        let client = self.clone();
        future_to_promise(async move {
            let op = op?;
            let req = client.endpoint.prepare(&op, now()).map_err(core_error)?;
            op.parse_js(&client.send(&req).await?)
        })
    }

    async fn send(&self, req: &HttpRequest) -> Result<ResponseParts, JsValue> {
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
            // An ArrayBuffer: every fetch takes one, and its type fits
            // every lib's BodyInit.
            set("body", &Uint8Array::from(req.body.as_slice()).buffer())?;
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
        let headers = get(&response, "headers");
        let array_buffer = get(&response, "arrayBuffer")
            .dyn_into::<Function>()
            .map_err(|_| js_error("network", "fetch returned something that is not a Response"))?
            .call0(&response)?;
        let bytes = JsFuture::from(Promise::resolve(&array_buffer))
            .await
            .map_err(|e| network_error(&req.url, &e))?;
        let bytes = Uint8Array::new(&bytes);
        Ok(ResponseParts {
            // In range by the filter above.
            status: status as u16,
            headers,
            body: bytes.to_vec(),
            js_body: JsBody::Bytes(bytes),
        })
    }
}

#[wasm_bindgen]
impl CocClient {
    /// `new CocClient({ baseUrl, auth?, fetch?, timeoutMs? })`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "ClientOptions")] options: JsValue,
    ) -> Result<CocClient, JsValue> {
        let options: ClientOptions = from_js_strict(&options, "options")?;
        let (endpoint, fetch, timeout_ms) = options.split()?;
        Ok(CocClient {
            endpoint,
            fetch,
            timeout_ms,
        })
    }

    /// GetExecution. Rejects with `CocError` kind `not_found` for an unknown id.
    #[wasm_bindgen(js_name = getExecution, unchecked_return_type = "Promise<Execution>")]
    pub fn get_execution(
        &self,
        #[wasm_bindgen(js_name = "executionId", unchecked_param_type = "string")]
        execution_id: JsValue,
    ) -> Promise {
        self.run(
            execution_id_arg(&execution_id)
                .and_then(|id| GetExecution::new(&id).map_err(core_error)),
        )
    }

    /// OperateExecution, sent exactly once.
    #[wasm_bindgen(js_name = operateExecution, unchecked_return_type = "Promise<Operated>")]
    pub fn operate_execution(
        &self,
        #[wasm_bindgen(js_name = "executionId", unchecked_param_type = "string")]
        execution_id: JsValue,
        #[wasm_bindgen(js_name = "operateType", unchecked_param_type = "OperateType")]
        operate_type: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "OperateOptions")] options: JsValue,
    ) -> Promise {
        self.run(operate_op(&execution_id, &operate_type, &options))
    }

    /// ListExecutions.
    #[wasm_bindgen(js_name = listExecutions, unchecked_return_type = "Promise<Page<Execution>>")]
    pub fn list_executions(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "ListExecutionsFilter")] filter: JsValue,
    ) -> Promise {
        self.run(opt_from_js::<ListFilter>(&filter, "filter").map(ListFilter::into_op))
    }

    /// ListExecutionSteps.
    #[wasm_bindgen(js_name = listExecutionSteps, unchecked_return_type = "Promise<Page<Step>>")]
    pub fn list_execution_steps(
        &self,
        #[wasm_bindgen(js_name = "executionId", unchecked_param_type = "string")]
        execution_id: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "StepsOptions")] options: JsValue,
    ) -> Promise {
        let op = execution_id_arg(&execution_id).and_then(|id| {
            opt_from_js::<PageOptions>(&options, "options").and_then(|o| steps_op(&id, o))
        });
        self.run(op)
    }

    /// ListExecutionInstances.
    #[wasm_bindgen(js_name = listExecutionInstances, unchecked_return_type = "Promise<Page<StepInstance>>")]
    pub fn list_execution_instances(
        &self,
        #[wasm_bindgen(js_name = "executionStepId", unchecked_param_type = "string")]
        execution_step_id: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "PageOptions")] options: JsValue,
    ) -> Promise {
        let op = string_arg(
            &execution_step_id,
            "executionStepId",
            "a step's execution_step_id",
        )
        .and_then(|step| {
            opt_from_js::<PageOptions>(&options, "options").and_then(|o| instances_op(&step, o))
        });
        self.run(op)
    }

    /// ExecuteDocument: starts a job, resolves to the new ticket id.
    #[wasm_bindgen(js_name = executeDocument, unchecked_return_type = "Promise<string>")]
    pub fn execute_document(
        &self,
        #[wasm_bindgen(js_name = "documentId", unchecked_param_type = "string")]
        document_id: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "ExecuteDocumentBody")] body: JsValue,
    ) -> Promise {
        self.run(execute_op(&document_id, &body))
    }
}
