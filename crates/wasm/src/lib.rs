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

use coc_core::sign::{self, Credentials, UnixTime};
use coc_core::{
    Auth, Endpoint, ExecuteDocument, ExecuteDocumentBody, Execution, ExecutionStatus, GetExecution,
    HttpResponse, KeyValue, ListExecutionInstances, ListExecutionSteps, ListExecutions,
    OperateExecution, OperateType, Operation, StepId,
};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

use crate::convert::{core_error, from_js, invalid, request_to_js, response_from_js, to_js};

pub use client::CocClient;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = include_str!("types.d.ts");

/// `{ baseUrl, auth?, operatorToken? }` from JS.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct EndpointConfig {
    base_url: String,
    #[serde(default)]
    auth: AuthConfig,
    /// A coc-gateway operator's personal token.
    #[serde(default)]
    operator_token: Option<String>,
}

/// `{ reason? }`: options of an operation sent through a coc-gateway.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct OperateOptions {
    #[serde(default)]
    reason: Option<String>,
}

impl OperateOptions {
    /// The reason, validated by the core.
    pub(crate) fn reason(self) -> Result<Option<coc_core::gateway::Reason>, JsValue> {
        self.reason
            .as_deref()
            .map(coc_core::gateway::Reason::parse)
            .transpose()
            .map_err(core_error)
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase", deny_unknown_fields)]
enum AuthConfig {
    #[default]
    None,
    Token {
        token: String,
    },
    #[serde(rename_all = "camelCase")]
    Aksk {
        access_key: String,
        secret_key: String,
        #[serde(default)]
        security_token: Option<String>,
        #[serde(default)]
        domain_id: Option<String>,
        #[serde(default)]
        project_id: Option<String>,
    },
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CredentialsConfig {
    access_key: String,
    secret_key: String,
    #[serde(default)]
    security_token: Option<String>,
    #[serde(default)]
    domain_id: Option<String>,
    #[serde(default)]
    project_id: Option<String>,
}

impl CredentialsConfig {
    fn into_core(self) -> Credentials {
        let mut c = Credentials::new(self.access_key, self.secret_key);
        c.security_token = self.security_token;
        c.domain_id = self.domain_id;
        c.project_id = self.project_id;
        c
    }
}

impl EndpointConfig {
    pub(crate) fn from_js(value: &JsValue) -> Result<Self, JsValue> {
        from_js(value, "endpoint")
    }

    pub(crate) fn endpoint(self) -> Result<Endpoint, JsValue> {
        let auth = match self.auth {
            AuthConfig::None => Auth::None,
            AuthConfig::Token { token } => Auth::Token(token),
            AuthConfig::Aksk {
                access_key,
                secret_key,
                security_token,
                domain_id,
                project_id,
            } => Auth::AkSk(
                CredentialsConfig {
                    access_key,
                    secret_key,
                    security_token,
                    domain_id,
                    project_id,
                }
                .into_core(),
            ),
        };
        let endpoint = Endpoint::new(&self.base_url, auth).map_err(core_error)?;
        match self.operator_token {
            Some(t) => endpoint.with_operator_token(&t).map_err(core_error),
            None => Ok(endpoint),
        }
    }
}

/// `ListExecutions` filters, camelCase.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct ListFilter {
    limit: Option<u32>,
    offset: Option<u32>,
    creator: Option<String>,
    start_time: Option<i64>,
    end_time: Option<i64>,
    document_name: Option<String>,
    document_id: Option<String>,
    tags: Option<TagsInput>,
    exclude_child_executions: Option<bool>,
}

/// Tags as `{ env: "prod" }` or `[{ key: "env", value: "prod" }]`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum TagsInput {
    Map(std::collections::BTreeMap<String, String>),
    List(Vec<KeyValue>),
}

impl ListFilter {
    pub(crate) fn into_op(self) -> ListExecutions {
        ListExecutions {
            limit: self.limit,
            offset: self.offset,
            creator: self.creator,
            start_time: self.start_time,
            end_time: self.end_time,
            document_name: self.document_name,
            document_id: self.document_id,
            tags: match self.tags {
                None => Vec::new(),
                Some(TagsInput::List(l)) => l,
                Some(TagsInput::Map(m)) => {
                    m.into_iter().map(|(k, v)| KeyValue::new(k, v)).collect()
                }
            },
            exclude_child_executions: self.exclude_child_executions,
        }
    }
}

/// Paging options `{ limit?, offset? }` (and step ids for steps).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct PageOptions {
    limit: Option<u32>,
    offset: Option<u32>,
    #[serde(default)]
    execution_step_ids: Vec<String>,
}

pub(crate) fn steps_op(
    execution_id: &str,
    options: PageOptions,
) -> Result<ListExecutionSteps, JsValue> {
    let mut op = ListExecutionSteps::new(execution_id).map_err(core_error)?;
    op.limit = options.limit;
    op.offset = options.offset;
    op.execution_step_id_list = options
        .execution_step_ids
        .iter()
        .map(|s| StepId::parse(s))
        .collect::<Result<_, _>>()
        .map_err(core_error)?;
    Ok(op)
}

pub(crate) fn instances_op(
    step_id: &str,
    options: PageOptions,
) -> Result<ListExecutionInstances, JsValue> {
    if !options.execution_step_ids.is_empty() {
        return Err(invalid(
            "executionStepIds",
            "applies to steps, not instances",
        ));
    }
    let mut op = ListExecutionInstances::new(step_id).map_err(core_error)?;
    op.limit = options.limit;
    op.offset = options.offset;
    Ok(op)
}

pub(crate) fn opt_from_js<T: Default + serde::de::DeserializeOwned>(
    value: Option<JsValue>,
    what: &str,
) -> Result<T, JsValue> {
    match value {
        Some(v) if !v.is_undefined() && !v.is_null() => from_js(&v, what),
        _ => Ok(T::default()),
    }
}

/// `nowMs` when given, else the JS clock. The core reads no clock; this
/// boundary may.
fn now(now_ms: Option<f64>) -> UnixTime {
    UnixTime::from_millis(now_ms.unwrap_or_else(js_sys::Date::now) as i64)
}

fn prepare<O: Operation>(
    endpoint: JsValue,
    op: &O,
    now_ms: Option<f64>,
) -> Result<JsValue, JsValue> {
    let endpoint = EndpointConfig::from_js(&endpoint)?.endpoint()?;
    let req = endpoint.prepare(op, now(now_ms)).map_err(core_error)?;
    Ok(request_to_js(&req))
}

/// How each operation's result crosses to JS.
pub(crate) trait ToJs {
    fn to_js(&self) -> Result<JsValue, JsValue>;
}

impl ToJs for Execution {
    fn to_js(&self) -> Result<JsValue, JsValue> {
        to_js(self)
    }
}

impl<T: Serialize> ToJs for coc_core::Page<T> {
    fn to_js(&self) -> Result<JsValue, JsValue> {
        to_js(self)
    }
}

impl ToJs for String {
    fn to_js(&self) -> Result<JsValue, JsValue> {
        Ok(JsValue::from_str(self))
    }
}

impl ToJs for coc_core::Operated {
    fn to_js(&self) -> Result<JsValue, JsValue> {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct OperatedJs<'a> {
            request_id: Option<&'a str>,
        }
        to_js(&OperatedJs {
            request_id: self.request_id.as_deref(),
        })
    }
}

fn parse<O: Operation>(op: &O, response: &JsValue) -> Result<JsValue, JsValue>
where
    O::Output: ToJs,
{
    let r = response_from_js(response)?;
    op.parse_response(&HttpResponse::new(r.status, &r.headers, &r.body))
        .map_err(core_error)?
        .to_js()
}

/// Throws a `CocError` (kind `invalid_argument`) when `executionId` is not a usable ticket id.
#[wasm_bindgen(js_name = validateExecutionId)]
pub fn validate_execution_id(
    #[wasm_bindgen(js_name = "executionId")] execution_id: &str,
) -> Result<(), JsValue> {
    coc_core::ExecutionId::parse(execution_id)
        .map(|_| ())
        .map_err(core_error)
}

/// Builds GetExecution: `GET /v1/executions/{executionId}`.
#[wasm_bindgen(js_name = getExecutionRequest, unchecked_return_type = "HttpRequest")]
pub fn get_execution_request(
    #[wasm_bindgen(unchecked_param_type = "EndpointConfig")] endpoint: JsValue,
    #[wasm_bindgen(js_name = "executionId")] execution_id: &str,
    #[wasm_bindgen(js_name = "nowMs", unchecked_optional_param_type = "number")] now_ms: Option<
        f64,
    >,
) -> Result<JsValue, JsValue> {
    prepare(
        endpoint,
        &GetExecution::new(execution_id).map_err(core_error)?,
        now_ms,
    )
}

fn operate_type(s: &str) -> Result<OperateType, JsValue> {
    OperateType::parse(s).map_err(core_error)
}

/// Builds OperateExecution: `POST /v1/executions`. Never retry it automatically.
#[wasm_bindgen(js_name = operateExecutionRequest, unchecked_return_type = "HttpRequest")]
pub fn operate_execution_request(
    #[wasm_bindgen(unchecked_param_type = "EndpointConfig")] endpoint: JsValue,
    #[wasm_bindgen(js_name = "executionId")] execution_id: &str,
    #[wasm_bindgen(js_name = "operateType", unchecked_param_type = "OperateType")]
    operate_type_: &str,
    #[wasm_bindgen(js_name = "nowMs", unchecked_optional_param_type = "number")] now_ms: Option<
        f64,
    >,
    #[wasm_bindgen(unchecked_optional_param_type = "OperateOptions")] options: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let reason = opt_from_js::<OperateOptions>(options, "options")?.reason()?;
    let op = OperateExecution::new(execution_id, operate_type(operate_type_)?)
        .map_err(core_error)?
        .with_reason(reason);
    prepare(endpoint, &op, now_ms)
}

/// Builds ListExecutions: `GET /v1/executions?…`.
#[wasm_bindgen(js_name = listExecutionsRequest, unchecked_return_type = "HttpRequest")]
pub fn list_executions_request(
    #[wasm_bindgen(unchecked_param_type = "EndpointConfig")] endpoint: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "ListExecutionsFilter")] filter: Option<JsValue>,
    #[wasm_bindgen(js_name = "nowMs", unchecked_optional_param_type = "number")] now_ms: Option<
        f64,
    >,
) -> Result<JsValue, JsValue> {
    let filter: ListFilter = opt_from_js(filter, "filter")?;
    prepare(endpoint, &filter.into_op(), now_ms)
}

/// Builds ListExecutionSteps: `GET /v1/executions/{executionId}/steps`.
#[wasm_bindgen(js_name = listExecutionStepsRequest, unchecked_return_type = "HttpRequest")]
pub fn list_execution_steps_request(
    #[wasm_bindgen(unchecked_param_type = "EndpointConfig")] endpoint: JsValue,
    #[wasm_bindgen(js_name = "executionId")] execution_id: &str,
    #[wasm_bindgen(unchecked_optional_param_type = "StepsOptions")] options: Option<JsValue>,
    #[wasm_bindgen(js_name = "nowMs", unchecked_optional_param_type = "number")] now_ms: Option<
        f64,
    >,
) -> Result<JsValue, JsValue> {
    let op = steps_op(execution_id, opt_from_js(options, "options")?)?;
    prepare(endpoint, &op, now_ms)
}

/// Builds ListExecutionInstances: `GET /v1/executions/instances?execution_step_id=…`.
#[wasm_bindgen(js_name = listExecutionInstancesRequest, unchecked_return_type = "HttpRequest")]
pub fn list_execution_instances_request(
    #[wasm_bindgen(unchecked_param_type = "EndpointConfig")] endpoint: JsValue,
    #[wasm_bindgen(js_name = "executionStepId")] execution_step_id: &str,
    #[wasm_bindgen(unchecked_optional_param_type = "PageOptions")] options: Option<JsValue>,
    #[wasm_bindgen(js_name = "nowMs", unchecked_optional_param_type = "number")] now_ms: Option<
        f64,
    >,
) -> Result<JsValue, JsValue> {
    let op = instances_op(execution_step_id, opt_from_js(options, "options")?)?;
    prepare(endpoint, &op, now_ms)
}

/// Builds ExecuteDocument: `POST /v1/documents/{documentId}`.
#[wasm_bindgen(js_name = executeDocumentRequest, unchecked_return_type = "HttpRequest")]
pub fn execute_document_request(
    #[wasm_bindgen(unchecked_param_type = "EndpointConfig")] endpoint: JsValue,
    #[wasm_bindgen(js_name = "documentId")] document_id: &str,
    #[wasm_bindgen(unchecked_optional_param_type = "ExecuteDocumentBody")] body: Option<JsValue>,
    #[wasm_bindgen(js_name = "nowMs", unchecked_optional_param_type = "number")] now_ms: Option<
        f64,
    >,
) -> Result<JsValue, JsValue> {
    let body: ExecuteDocumentBody = opt_from_js(body, "body")?;
    let op = ExecuteDocument::new(document_id, body).map_err(core_error)?;
    prepare(endpoint, &op, now_ms)
}

/// Reads a GetExecution response. Throws `CocError` kind `not_found` when
/// the service answers without a ticket.
#[wasm_bindgen(js_name = parseGetExecution, unchecked_return_type = "Execution")]
pub fn parse_get_execution(
    #[wasm_bindgen(js_name = "executionId")] execution_id: &str,
    #[wasm_bindgen(unchecked_param_type = "HttpResponseLike")] response: JsValue,
) -> Result<JsValue, JsValue> {
    parse(
        &GetExecution::new(execution_id).map_err(core_error)?,
        &response,
    )
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
    let r = response_from_js(&response)?;
    op.parse_response(&HttpResponse::new(r.status, &r.headers, &r.body))
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
pub fn is_terminal(#[wasm_bindgen(unchecked_param_type = "ExecutionStatus")] status: &str) -> bool {
    ExecutionStatus::from_wire(status).is_terminal()
}

/// True when a ticket may still change on its own (poll it); unknown statuses count as active.
#[wasm_bindgen(js_name = isActive)]
pub fn is_active(#[wasm_bindgen(unchecked_param_type = "ExecutionStatus")] status: &str) -> bool {
    ExecutionStatus::from_wire(status).is_active()
}

/// A human label for a status ("Succeed" reads "Succeeded").
#[wasm_bindgen(js_name = statusLabel)]
pub fn status_label(
    #[wasm_bindgen(unchecked_param_type = "ExecutionStatus")] status: &str,
) -> String {
    ExecutionStatus::from_wire(status).label().to_owned()
}

/// Signs `request` with AK/SK (SDK-HMAC-SHA256) and returns it with
/// `X-Sdk-Date` and `Authorization` added. For Node tooling: an SK does not
/// belong in a browser. `Host` is signed when the request carries it.
#[wasm_bindgen(unchecked_return_type = "HttpRequest")]
pub fn sign(
    #[wasm_bindgen(unchecked_param_type = "SignableRequest")] request: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Credentials")] credentials: JsValue,
    #[wasm_bindgen(js_name = "nowMs", unchecked_optional_param_type = "number")] now_ms: Option<
        f64,
    >,
) -> Result<JsValue, JsValue> {
    let mut req = convert::request_from_js(&request)?;
    let creds: CredentialsConfig = from_js(&credentials, "credentials")?;
    sign::sign(&mut req, &creds.into_core(), now(now_ms)).map_err(core_error)?;
    let signed = request_to_js(&req);
    // Hand back the caller's own body value: a Uint8Array stays one.
    let body = js_sys::Reflect::get(&request, &"body".into()).unwrap_or(JsValue::UNDEFINED);
    if !body.is_undefined() {
        let _ = js_sys::Reflect::set(&signed, &"body".into(), &body);
    }
    Ok(signed)
}

/// The `X-Sdk-Date` form of a time: `YYYYMMDDTHHMMSSZ`.
#[wasm_bindgen(js_name = sdkDate)]
pub fn sdk_date(#[wasm_bindgen(js_name = "nowMs")] now_ms: f64) -> String {
    UnixTime::from_millis(now_ms as i64).sdk_date()
}
