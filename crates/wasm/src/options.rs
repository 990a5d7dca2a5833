//! The option objects JS passes in, as serde reads them (camelCase, unknown
//! keys refused), and the plain arguments (ids, times, statuses) checked
//! for their JS type before they reach the core.

use coc_core::sign::{Credentials, UnixTime};
use coc_core::{
    Auth, Endpoint, KeyValue, ListExecutionInstances, ListExecutionSteps, ListExecutions, StepId,
};
use serde::Deserialize;
use wasm_bindgen::prelude::*;

use crate::convert::{core_error, from_js_strict, invalid};

/// `{ baseUrl, auth?, operatorToken? }` from JS.
#[derive(Debug, Deserialize)]
#[serde(
    rename_all = "camelCase",
    deny_unknown_fields,
    expecting = "an object { baseUrl, auth?, operatorToken? }"
)]
pub(crate) struct EndpointConfig {
    base_url: String,
    #[serde(default)]
    auth: AuthConfig,
    /// A coc-gateway operator's personal token.
    #[serde(default)]
    operator_token: Option<String>,
}

/// `new CocClient({ baseUrl, auth?, operatorToken?, fetch?, timeoutMs? })`.
#[derive(Debug, Deserialize)]
#[serde(
    rename_all = "camelCase",
    deny_unknown_fields,
    expecting = "an object { baseUrl, auth?, operatorToken?, fetch?, timeoutMs? }"
)]
pub(crate) struct ClientOptions {
    base_url: String,
    #[serde(default)]
    auth: AuthConfig,
    #[serde(default)]
    operator_token: Option<String>,
    /// A function; serde cannot say so, [`ClientOptions::split`] checks it.
    #[serde(default = "undefined", with = "serde_wasm_bindgen::preserve")]
    fetch: JsValue,
    #[serde(default)]
    timeout_ms: Option<f64>,
}

fn undefined() -> JsValue {
    JsValue::UNDEFINED
}

impl ClientOptions {
    /// The endpoint, the fetch function (if one was given) and the timeout.
    pub(crate) fn split(
        self,
    ) -> Result<(Endpoint, Option<js_sys::Function>, Option<f64>), JsValue> {
        let fetch = if self.fetch.is_undefined() || self.fetch.is_null() {
            None
        } else {
            Some(self.fetch.dyn_into::<js_sys::Function>().map_err(|v| {
                invalid(
                    "fetch",
                    &format!(
                        "must be a fetch function (globalThis.fetch or one like it), not {}",
                        describe(&v)
                    ),
                )
            })?)
        };
        if let Some(ms) = self.timeout_ms
            && !(ms.is_finite() && ms > 0.0)
        {
            return Err(invalid(
                "timeoutMs",
                &format!("must be a positive number of milliseconds, not {ms}"),
            ));
        }
        let endpoint = EndpointConfig {
            base_url: self.base_url,
            auth: self.auth,
            operator_token: self.operator_token,
        }
        .endpoint()?;
        Ok((endpoint, fetch, self.timeout_ms))
    }
}

/// `{ reason? }`: options of an operation sent through a coc-gateway.
#[derive(Debug, Default, Deserialize)]
#[serde(
    rename_all = "camelCase",
    deny_unknown_fields,
    expecting = "an object { reason? }"
)]
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
#[serde(
    tag = "type",
    rename_all = "lowercase",
    deny_unknown_fields,
    expecting = "an object { type: \"none\" | \"token\" | \"aksk\", … }"
)]
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

/// `sign`'s credentials.
#[derive(Debug, Deserialize)]
#[serde(
    rename_all = "camelCase",
    deny_unknown_fields,
    expecting = "an object { accessKey, secretKey, securityToken?, domainId?, projectId? }"
)]
pub(crate) struct CredentialsConfig {
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
    pub(crate) fn into_core(self) -> Credentials {
        let mut c = Credentials::new(self.access_key, self.secret_key);
        c.security_token = self.security_token;
        c.domain_id = self.domain_id;
        c.project_id = self.project_id;
        c
    }
}

impl EndpointConfig {
    pub(crate) fn from_js(value: &JsValue) -> Result<Self, JsValue> {
        from_js_strict(value, "endpoint")
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
#[serde(
    rename_all = "camelCase",
    deny_unknown_fields,
    expecting = "an object of filters { limit?, offset?, creator?, … }"
)]
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
#[serde(
    untagged,
    expecting = "an object of tag values ({ env: \"prod\" }) or an array of { key, value }"
)]
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
#[serde(
    rename_all = "camelCase",
    deny_unknown_fields,
    expecting = "an object { limit?, offset?, executionStepIds? }"
)]
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
            "applies to steps (listExecutionSteps), not instances",
        ));
    }
    let mut op = ListExecutionInstances::new(step_id).map_err(core_error)?;
    op.limit = options.limit;
    op.offset = options.offset;
    Ok(op)
}

/// An optional options object: `undefined` and `null` mean the defaults.
pub(crate) fn opt_from_js<T: Default + serde::de::DeserializeOwned>(
    value: &JsValue,
    what: &str,
) -> Result<T, JsValue> {
    if value.is_undefined() || value.is_null() {
        Ok(T::default())
    } else {
        from_js_strict(value, what)
    }
}

/// What a JS value is, for a message: `null`, `the number 42`, `an object`.
pub(crate) fn describe(v: &JsValue) -> String {
    if v.is_null() {
        "null".to_owned()
    } else if v.is_undefined() {
        "undefined".to_owned()
    } else if let Some(s) = v.as_string() {
        let short: String = s.chars().take(40).collect();
        format!("the string {short:?}")
    } else if let Some(n) = v.as_f64() {
        format!("the number {n}")
    } else if let Some(b) = v.as_bool() {
        b.to_string()
    } else if js_sys::Array::is_array(v) {
        "an array".to_owned()
    } else if v.is_function() {
        "a function".to_owned()
    } else {
        "an object".to_owned()
    }
}

/// A string argument such as an id; anything else is refused by name
/// (wasm-bindgen would otherwise turn `null` into the id `"null"`).
pub(crate) fn string_arg(v: &JsValue, field: &str, example: &str) -> Result<String, JsValue> {
    v.as_string().ok_or_else(|| {
        invalid(
            field,
            &format!("must be a string such as {example:?}, not {}", describe(v)),
        )
    })
}

/// A ticket id argument.
pub(crate) fn execution_id_arg(v: &JsValue) -> Result<String, JsValue> {
    string_arg(v, "executionId", "EX2025070121014501a1b2c3")
}

/// `nowMs` when given, else the JS clock. The core reads no clock; this
/// boundary may.
pub(crate) fn now_arg(v: &JsValue) -> Result<UnixTime, JsValue> {
    if v.is_undefined() || v.is_null() {
        return Ok(now());
    }
    match v.as_f64() {
        // Whole milliseconds; the fraction is below the signature's seconds.
        Some(ms) if ms.is_finite() => Ok(UnixTime::from_millis(ms as i64)),
        _ => Err(invalid(
            "nowMs",
            &format!(
                "must be a time in epoch milliseconds such as Date.now(), not {}",
                describe(v)
            ),
        )),
    }
}

/// The JS clock.
pub(crate) fn now() -> UnixTime {
    UnixTime::from_millis(js_sys::Date::now() as i64)
}

/// A status argument: a string, or `null`/`undefined` for a ticket without
/// one (which the core reads as an unknown status).
pub(crate) fn status_arg(v: &JsValue) -> Result<coc_core::ExecutionStatus, JsValue> {
    if v.is_undefined() || v.is_null() {
        return Ok(coc_core::ExecutionStatus::Other(String::new()));
    }
    v.as_string()
        .map(|s| coc_core::ExecutionStatus::from_wire(&s))
        .ok_or_else(|| {
            invalid(
                "status",
                &format!(
                    "must be a status string such as \"Running\" (or null), not {}",
                    describe(v)
                ),
            )
        })
}
