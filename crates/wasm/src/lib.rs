//! JavaScript bindings of `coc-core`, the crate behind the npm package.
//!
//! A thin layer: it converts JS values to the core's types and back, turns
//! the core's errors into JS `Error`s with properties, and adds a small
//! `fetch`-based client. Every decision about the API (validation, wire
//! format, parsing, guidance, signing) stays in the core.
//!
//! It deliberately does not:
//! - re-implement anything the core does;
//! - retry requests (an operation is never sent twice);
//! - keep secrets anywhere but in the caller's own objects. AK/SK signing is
//!   exported for Node tooling; an SK does not belong in a browser.
//!
//! Naming: functions and option objects are camelCase, as JS expects; the
//! models returned (tickets, steps, instances) keep the service's own field
//! names, so they match the API documentation and the raw JSON.

mod client;
mod convert;
mod decode;
mod fast;
mod options;

use coc_core::sign;
use coc_core::{
    ExecuteDocument, ExecuteDocumentBody, Execution, GetExecution, ListExecutionInstances,
    ListExecutionSteps, ListExecutions, OperateExecution, OperateType, Operation,
};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::convert::{core_error, from_js, from_js_strict, request_to_js, response_from_js, to_js};
use crate::decode::ParseJs;
use crate::options::{
    CredentialsConfig, EndpointConfig, ListFilter, OperateOptions, execution_id_arg, instances_op,
    now_arg, opt_from_js, status_arg, steps_op, string_arg,
};

pub use client::CocClient;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = include_str!("types.d.ts");

fn prepare<O: Operation>(endpoint: &JsValue, op: &O, now_ms: &JsValue) -> Result<JsValue, JsValue> {
    let endpoint = EndpointConfig::from_js(endpoint)?.endpoint()?;
    let req = endpoint.prepare(op, now_arg(now_ms)?).map_err(core_error)?;
    request_to_js(&req)
}

fn parse<O: ParseJs>(op: &O, response: &JsValue) -> Result<JsValue, JsValue> {
    op.parse_js(&response_from_js(response)?)
}

/// Throws a `CocError` (kind `invalid_argument`) when `executionId` is not a usable ticket id.
#[wasm_bindgen(js_name = validateExecutionId)]
pub fn validate_execution_id(
    #[wasm_bindgen(js_name = "executionId", unchecked_param_type = "string")] execution_id: JsValue,
) -> Result<(), JsValue> {
    coc_core::ExecutionId::parse(&execution_id_arg(&execution_id)?)
        .map(|_| ())
        .map_err(core_error)
}

/// Builds GetExecution: `GET /v1/executions/{executionId}`.
#[wasm_bindgen(js_name = getExecutionRequest, unchecked_return_type = "HttpRequest")]
pub fn get_execution_request(
    #[wasm_bindgen(unchecked_param_type = "EndpointConfig")] endpoint: JsValue,
    #[wasm_bindgen(js_name = "executionId", unchecked_param_type = "string")] execution_id: JsValue,
    #[wasm_bindgen(js_name = "nowMs", unchecked_optional_param_type = "number")] now_ms: JsValue,
) -> Result<JsValue, JsValue> {
    let op = GetExecution::new(&execution_id_arg(&execution_id)?).map_err(core_error)?;
    prepare(&endpoint, &op, &now_ms)
}

pub(crate) fn operate_op(
    execution_id: &JsValue,
    operate_type: &JsValue,
    options: &JsValue,
) -> Result<OperateExecution, JsValue> {
    let execution_id = execution_id_arg(execution_id)?;
    let operate_type = string_arg(operate_type, "operateType", "TERMINATE")?;
    let reason = opt_from_js::<OperateOptions>(options, "options")?.reason()?;
    Ok(OperateExecution::new(
        &execution_id,
        OperateType::parse(&operate_type).map_err(core_error)?,
    )
    .map_err(core_error)?
    .with_reason(reason))
}

/// Builds OperateExecution: `POST /v1/executions`. Never retry it automatically.
#[wasm_bindgen(js_name = operateExecutionRequest, unchecked_return_type = "HttpRequest")]
pub fn operate_execution_request(
    #[wasm_bindgen(unchecked_param_type = "EndpointConfig")] endpoint: JsValue,
    #[wasm_bindgen(js_name = "executionId", unchecked_param_type = "string")] execution_id: JsValue,
    #[wasm_bindgen(js_name = "operateType", unchecked_param_type = "OperateType")]
    operate_type: JsValue,
    #[wasm_bindgen(js_name = "nowMs", unchecked_optional_param_type = "number")] now_ms: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "OperateOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let op = operate_op(&execution_id, &operate_type, &options)?;
    prepare(&endpoint, &op, &now_ms)
}

/// Builds ListExecutions: `GET /v1/executions?…`.
#[wasm_bindgen(js_name = listExecutionsRequest, unchecked_return_type = "HttpRequest")]
pub fn list_executions_request(
    #[wasm_bindgen(unchecked_param_type = "EndpointConfig")] endpoint: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "ListExecutionsFilter")] filter: JsValue,
    #[wasm_bindgen(js_name = "nowMs", unchecked_optional_param_type = "number")] now_ms: JsValue,
) -> Result<JsValue, JsValue> {
    let filter: ListFilter = opt_from_js(&filter, "filter")?;
    prepare(&endpoint, &filter.into_op(), &now_ms)
}

/// Builds ListExecutionSteps: `GET /v1/executions/{executionId}/steps`.
#[wasm_bindgen(js_name = listExecutionStepsRequest, unchecked_return_type = "HttpRequest")]
pub fn list_execution_steps_request(
    #[wasm_bindgen(unchecked_param_type = "EndpointConfig")] endpoint: JsValue,
    #[wasm_bindgen(js_name = "executionId", unchecked_param_type = "string")] execution_id: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "StepsOptions")] options: JsValue,
    #[wasm_bindgen(js_name = "nowMs", unchecked_optional_param_type = "number")] now_ms: JsValue,
) -> Result<JsValue, JsValue> {
    let op = steps_op(
        &execution_id_arg(&execution_id)?,
        opt_from_js(&options, "options")?,
    )?;
    prepare(&endpoint, &op, &now_ms)
}

/// Builds ListExecutionInstances: `GET /v1/executions/instances?execution_step_id=…`.
#[wasm_bindgen(js_name = listExecutionInstancesRequest, unchecked_return_type = "HttpRequest")]
pub fn list_execution_instances_request(
    #[wasm_bindgen(unchecked_param_type = "EndpointConfig")] endpoint: JsValue,
    #[wasm_bindgen(js_name = "executionStepId", unchecked_param_type = "string")]
    execution_step_id: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "PageOptions")] options: JsValue,
    #[wasm_bindgen(js_name = "nowMs", unchecked_optional_param_type = "number")] now_ms: JsValue,
) -> Result<JsValue, JsValue> {
    let step = string_arg(
        &execution_step_id,
        "executionStepId",
        "a step's execution_step_id",
    )?;
    let op = instances_op(&step, opt_from_js(&options, "options")?)?;
    prepare(&endpoint, &op, &now_ms)
}

pub(crate) fn execute_op(
    document_id: &JsValue,
    body: &JsValue,
) -> Result<ExecuteDocument, JsValue> {
    let document_id = string_arg(document_id, "documentId", "DM2025061109300101c4e8a2")?;
    let body: ExecuteDocumentBody = opt_from_js(body, "body")?;
    ExecuteDocument::new(&document_id, body).map_err(core_error)
}

/// Builds ExecuteDocument: `POST /v1/documents/{documentId}`.
#[wasm_bindgen(js_name = executeDocumentRequest, unchecked_return_type = "HttpRequest")]
pub fn execute_document_request(
    #[wasm_bindgen(unchecked_param_type = "EndpointConfig")] endpoint: JsValue,
    #[wasm_bindgen(js_name = "documentId", unchecked_param_type = "string")] document_id: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "ExecuteDocumentBody")] body: JsValue,
    #[wasm_bindgen(js_name = "nowMs", unchecked_optional_param_type = "number")] now_ms: JsValue,
) -> Result<JsValue, JsValue> {
    prepare(&endpoint, &execute_op(&document_id, &body)?, &now_ms)
}

/// Reads a GetExecution response. Throws `CocError` kind `not_found` when
/// the service answers without a ticket.
#[wasm_bindgen(js_name = parseGetExecution, unchecked_return_type = "Execution")]
pub fn parse_get_execution(
    #[wasm_bindgen(js_name = "executionId", unchecked_param_type = "string")] execution_id: JsValue,
    #[wasm_bindgen(unchecked_param_type = "HttpResponseLike")] response: JsValue,
) -> Result<JsValue, JsValue> {
    let op = GetExecution::new(&execution_id_arg(&execution_id)?).map_err(core_error)?;
    parse(&op, &response)
}

/// Reads an OperateExecution response: any 2xx is success.
#[wasm_bindgen(js_name = parseOperateExecution, unchecked_return_type = "Operated")]
pub fn parse_operate_execution(
    #[wasm_bindgen(unchecked_param_type = "HttpResponseLike")] response: JsValue,
) -> Result<JsValue, JsValue> {
    // The id and operation are not needed to read the answer.
    parse(
        &OperateExecution::new("unused", OperateType::Retry).map_err(core_error)?,
        &response,
    )
}

/// Reads a ListExecutions response.
#[wasm_bindgen(js_name = parseListExecutions, unchecked_return_type = "Page<Execution>")]
pub fn parse_list_executions(
    #[wasm_bindgen(unchecked_param_type = "HttpResponseLike")] response: JsValue,
) -> Result<JsValue, JsValue> {
    parse(&ListExecutions::default(), &response)
}

/// Reads a ListExecutionSteps response.
#[wasm_bindgen(js_name = parseListExecutionSteps, unchecked_return_type = "Page<Step>")]
pub fn parse_list_execution_steps(
    #[wasm_bindgen(unchecked_param_type = "HttpResponseLike")] response: JsValue,
) -> Result<JsValue, JsValue> {
    parse(
        &ListExecutionSteps::new("unused").map_err(core_error)?,
        &response,
    )
}

/// Reads a ListExecutionInstances response.
#[wasm_bindgen(js_name = parseListExecutionInstances, unchecked_return_type = "Page<StepInstance>")]
pub fn parse_list_execution_instances(
    #[wasm_bindgen(unchecked_param_type = "HttpResponseLike")] response: JsValue,
) -> Result<JsValue, JsValue> {
    parse(
        &ListExecutionInstances::new("unused").map_err(core_error)?,
        &response,
    )
}

/// Reads an ExecuteDocument response: the new ticket id.
#[wasm_bindgen(js_name = parseExecuteDocument)]
pub fn parse_execute_document(
    #[wasm_bindgen(unchecked_param_type = "HttpResponseLike")] response: JsValue,
) -> Result<String, JsValue> {
    let op = ExecuteDocument::new("unused", ExecuteDocumentBody::default()).map_err(core_error)?;
    response_from_js(&response)?
        .read(|r| op.parse_response(r))?
        .map_err(core_error)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AdviceJs {
    operation: &'static str,
    label: &'static str,
    explanation: &'static str,
    offered: bool,
    reason: Option<String>,
}

/// Which operations a console should offer for `ticket`, and why not the others.
#[wasm_bindgen(unchecked_return_type = "Advice[]")]
pub fn advise(
    #[wasm_bindgen(unchecked_param_type = "Execution")] ticket: JsValue,
) -> Result<JsValue, JsValue> {
    let ticket: Execution = from_js(&ticket, "ticket")?;
    let advice: Vec<AdviceJs> = coc_core::advise(&ticket)
        .into_iter()
        .map(|a| AdviceJs {
            operation: a.operation.as_str(),
            label: a.operation.label(),
            explanation: a.operation.explanation(),
            offered: a.offered(),
            reason: a.not_offered,
        })
        .collect();
    to_js(&advice)
}

/// True for finished statuses (`Succeed`, `Canceled`, `Failed`, `Timeout`).
#[wasm_bindgen(js_name = isTerminal)]
pub fn is_terminal(
    #[wasm_bindgen(unchecked_param_type = "ExecutionStatus | null")] status: JsValue,
) -> Result<bool, JsValue> {
    Ok(status_arg(&status)?.is_terminal())
}

/// True when a ticket may still change on its own (poll it); unknown
/// statuses, and a ticket without one (`null`), count as active.
#[wasm_bindgen(js_name = isActive)]
pub fn is_active(
    #[wasm_bindgen(unchecked_param_type = "ExecutionStatus | null")] status: JsValue,
) -> Result<bool, JsValue> {
    Ok(status_arg(&status)?.is_active())
}

/// A human label for a status ("Succeed" reads "Succeeded"); `""` for `null`.
#[wasm_bindgen(js_name = statusLabel)]
pub fn status_label(
    #[wasm_bindgen(unchecked_param_type = "ExecutionStatus | null")] status: JsValue,
) -> Result<String, JsValue> {
    Ok(status_arg(&status)?.label().to_owned())
}

/// Signs `request` with AK/SK (SDK-HMAC-SHA256) and returns it with
/// `X-Sdk-Date` and `Authorization` added. For Node tooling: an SK does not
/// belong in a browser. `Host` is signed when the request carries it.
#[wasm_bindgen(unchecked_return_type = "HttpRequest")]
pub fn sign(
    #[wasm_bindgen(unchecked_param_type = "SignableRequest")] request: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Credentials")] credentials: JsValue,
    #[wasm_bindgen(js_name = "nowMs", unchecked_optional_param_type = "number")] now_ms: JsValue,
) -> Result<JsValue, JsValue> {
    let mut req = convert::request_from_js(&request)?;
    let creds: CredentialsConfig = from_js_strict(&credentials, "credentials")?;
    sign::sign(&mut req, &creds.into_core(), now_arg(&now_ms)?).map_err(core_error)?;
    let signed = request_to_js(&req)?;
    // Hand back the caller's own body value: a Uint8Array stays one.
    let body = js_sys::Reflect::get(&request, &"body".into()).unwrap_or(JsValue::UNDEFINED);
    if !body.is_undefined() {
        let _ = js_sys::Reflect::set(&signed, &"body".into(), &body);
    }
    Ok(signed)
}

/// The `X-Sdk-Date` form of a time: `YYYYMMDDTHHMMSSZ`.
#[wasm_bindgen(js_name = sdkDate)]
pub fn sdk_date(
    #[wasm_bindgen(js_name = "nowMs", unchecked_param_type = "number")] now_ms: JsValue,
) -> Result<String, JsValue> {
    if now_ms.is_undefined() || now_ms.is_null() {
        return Err(convert::invalid(
            "nowMs",
            "is required: a time in epoch milliseconds such as Date.now()",
        ));
    }
    Ok(now_arg(&now_ms)?.sdk_date())
}
