//! The front door: what the gateway refuses outright ([`guard`]) and the
//! allowlist of the six COC job-execution routes ([`api`]).
//!
//! Every API request is parsed into a core operation (which validates ids
//! and query parameters) before anything is sent; the upstream request is
//! rebuilt from that operation in [`crate::forward`]. A request the core
//! cannot express is refused here and never reaches the upstream.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use coc_core::{
    ExecuteDocument, ExecuteDocumentBody, GetExecution, ListExecutionInstances, ListExecutionSteps,
    ListExecutions, OperateExecution, OperateType, Operation,
};
use percent_encoding::percent_decode_str;
use serde::Deserialize;

use coc_core::gateway::Permission;

use crate::AppState;
use crate::access::{self, Attempt, Caller, GatewayRequestId};
use crate::cors::AUTH_TOKEN;
use crate::error::GatewayError;

/// Which of the six operations a response answered, for the access log.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RouteLabel(pub(crate) &'static str);

/// True for paths the gateway never serves from the console's files.
pub(crate) fn is_api_path(path: &str) -> bool {
    under(path, "/v1") || under(path, "/gateway") || under(path, "/__sim")
}

/// The paths whose caller must be known: the COC routes and the gateway's
/// own (not the console's files, and not the simulator's control routes).
pub(crate) fn needs_operator(path: &str) -> bool {
    under(path, "/v1") || under(path, "/gateway")
}

/// `prefix` itself or anything below it.
fn under(path: &str, prefix: &str) -> bool {
    path.strip_prefix(prefix)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// Refuses malformed request targets for every path (static files included),
/// oversize declared bodies, and cross-origin API calls from origins not on
/// the allowlist. Runs inside the CORS layer, so preflights never get here.
pub(crate) async fn guard(
    State(state): State<Arc<AppState>>,
    req: Request,
    next: Next,
) -> Response {
    match check(&state, &req) {
        Ok(()) => next.run(req).await,
        Err(e) => e.into_response(),
    }
}

fn check(state: &AppState, req: &Request) -> Result<(), GatewayError> {
    let uri = req.uri();
    // `GET http://evil/v1/executions HTTP/1.1` parses with a scheme and an
    // authority; axum would route it by its path alone.
    if uri.scheme().is_some() || uri.authority().is_some() {
        return Err(GatewayError::bad_request_target("absolute-form URI"));
    }
    let path = uri.path();
    if !path.starts_with('/') {
        return Err(GatewayError::bad_request_target("not a path"));
    }
    check_path(path)?;
    if let Some(len) = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        && len > state.body_limit as u64
    {
        return Err(GatewayError::body_too_large(state.body_limit));
    }
    if is_api_path(path) {
        state.origins.check(req.headers())?;
    }
    Ok(())
}

/// Encoded separators and dot segments, checked on the raw path so that a
/// layer that decodes later (a file server, the upstream's router) cannot be
/// tricked into a different path than the one that was checked.
pub(crate) fn check_path(path: &str) -> Result<(), GatewayError> {
    let lower = path.to_ascii_lowercase();
    if path.contains('\\') || lower.contains("%2f") || lower.contains("%5c") {
        return Err(GatewayError::encoded_separator());
    }
    for segment in path.split('/') {
        let decoded = percent_decode_str(segment).decode_utf8_lossy();
        if decoded == "." || decoded == ".." {
            return Err(GatewayError::path_traversal());
        }
    }
    Ok(())
}

/// The six routes. Anything else under `/v1` is refused.
pub(crate) async fn api(State(state): State<Arc<AppState>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let path = parts.uri.path().to_owned();
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    let query = parts.uri.query().unwrap_or_default();
    let (get, post, allow) = match segments.as_slice() {
        ["v1", "executions"] => (
            Some("ListExecutions"),
            Some("OperateExecution"),
            "GET, POST",
        ),
        ["v1", "executions", "instances"] => (Some("ListExecutionInstances"), None, "GET"),
        ["v1", "executions", _] => (Some("GetExecution"), None, "GET"),
        ["v1", "executions", _, "steps"] => (Some("ListExecutionSteps"), None, "GET"),
        ["v1", "documents", _] => (None, Some("ExecuteDocument"), "POST"),
        _ => return GatewayError::route_not_allowed(&path).into_response(),
    };
    let label = match parts.method {
        Method::GET => get,
        Method::POST => post,
        _ => None,
    };
    let Some(label) = label else {
        return GatewayError::method_not_allowed(parts.method.as_str(), allow).into_response();
    };
    let Some(caller) = parts.extensions.get::<Caller>() else {
        return GatewayError::internal("no caller was identified").into_response();
    };
    let request_id = parts
        .extensions
        .get::<GatewayRequestId>()
        .map(|r| r.0.as_str())
        .unwrap_or_default();
    let call = Call {
        state: &state,
        caller,
        headers: &parts.headers,
        request_id,
    };
    let mut response = match dispatch(&call, label, &segments, query, body).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    };
    response.extensions_mut().insert(RouteLabel(label));
    crate::no_store(&mut response);
    response
}

/// One API request's context.
struct Call<'a> {
    state: &'a AppState,
    caller: &'a Caller,
    headers: &'a HeaderMap,
    request_id: &'a str,
}

impl Call<'_> {
    /// A read: the caller needs `read`, and the answer is relayed as is.
    async fn read<O: Operation + Sync>(&self, op: &O) -> Result<Response, GatewayError> {
        self.caller.require(Permission::Read)?;
        let token = self.headers.get(AUTH_TOKEN);
        Ok(self.state.upstream.send(op, token).await?.into_response())
    }

    /// An operation: checked, recorded, sent once, recorded again.
    async fn operate<O: Operation + Sync>(
        &self,
        op: &O,
        attempt: Attempt<O::Output>,
    ) -> Result<Response, GatewayError> {
        let token = self.headers.get(AUTH_TOKEN);
        access::audited(
            self.state,
            self.caller,
            self.headers,
            self.request_id,
            attempt,
            op,
            || self.state.upstream.send(op, token),
        )
        .await
    }
}

async fn dispatch(
    call: &Call<'_>,
    label: &'static str,
    segments: &[&str],
    query: &str,
    body: Body,
) -> Result<Response, GatewayError> {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    match (label, segments) {
        ("ListExecutions", _) => {
            let op = ListExecutions::from_query(&pairs).map_err(|e| invalid(&e))?;
            call.read(&op).await
        }
        ("ListExecutionInstances", _) => {
            let op = ListExecutionInstances::from_query(&pairs).map_err(|e| invalid(&e))?;
            call.read(&op).await
        }
        ("GetExecution", [_, _, id]) => {
            no_query(&pairs)?;
            let op = GetExecution::new(&decode_segment(id)?).map_err(|e| invalid(&e))?;
            call.read(&op).await
        }
        ("ListExecutionSteps", [_, _, id, _]) => {
            let op = ListExecutionSteps::from_query(&decode_segment(id)?, &pairs)
                .map_err(|e| invalid(&e))?;
            call.read(&op).await
        }
        ("OperateExecution", _) => {
            no_query(&pairs)?;
            let body = read_json_body(call.state, call.headers, body).await?;
            let parsed: OperateBody = from_json(&body)?;
            let operate_type = OperateType::parse(&parsed.operate_type).map_err(|e| invalid(&e))?;
            // Rebuilt without the reason: it is recorded here and never
            // reaches COC.
            let op = OperateExecution::new(&parsed.execution_id, operate_type)
                .map_err(|e| invalid(&e))?;
            let attempt = Attempt {
                permission: Permission::Operate(operate_type),
                execution_id: Some(op.execution_id.to_string()),
                document_id: None,
                operation: operate_type.as_str(),
                operate_type: Some(operate_type),
                created: |_| None,
            };
            call.operate(&op, attempt).await
        }
        ("ExecuteDocument", [_, _, id]) => {
            no_query(&pairs)?;
            let body = read_json_body(call.state, call.headers, body).await?;
            let parsed = execute_body(&body)?;
            let op = ExecuteDocument::new(&decode_segment(id)?, parsed).map_err(|e| invalid(&e))?;
            // The core checks document_type when building; refuse early and clearly.
            op.parts().map_err(|e| invalid(&e))?;
            let attempt = Attempt {
                permission: Permission::ExecuteDocument,
                execution_id: None,
                document_id: Some(op.document_id.to_string()),
                operation: "ExecuteDocument",
                operate_type: None,
                created: |id: &String| Some(id.clone()),
            };
            call.operate(&op, attempt).await
        }
        _ => Err(GatewayError::internal("route table mismatch")),
    }
}

fn invalid(e: &coc_core::Error) -> GatewayError {
    GatewayError::invalid_request(e)
}

fn no_query(pairs: &[(String, String)]) -> Result<(), GatewayError> {
    match pairs.first() {
        None => Ok(()),
        Some((k, _)) => Err(GatewayError::invalid_request(
            &coc_core::Error::InvalidArgument {
                field: "query",
                reason: format!("unknown parameter {k:?}; this operation takes none"),
            },
        )),
    }
}

/// A path segment as the id it encodes (`EX%41` is `EXA`); the core then
/// validates it. Encoded `/`, `\` and dot segments were refused by [`guard`].
fn decode_segment(segment: &str) -> Result<String, GatewayError> {
    percent_decode_str(segment)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| {
            GatewayError::invalid_request(&coc_core::Error::InvalidArgument {
                field: "path",
                reason: "is not UTF-8 after percent-decoding".to_owned(),
            })
        })
}

async fn read_json_body(
    state: &AppState,
    headers: &HeaderMap,
    body: Body,
) -> Result<Bytes, GatewayError> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"));
    if !is_json {
        return Err(GatewayError::unsupported_media_type());
    }
    // A chunked body has no Content-Length for the guard to check.
    axum::body::to_bytes(body, state.body_limit)
        .await
        .map_err(|_| GatewayError::body_too_large(state.body_limit))
}

fn from_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, GatewayError> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if path == "." {
            GatewayError::invalid_json(inner)
        } else {
            GatewayError::invalid_json(format_args!("at {path}: {inner}"))
        }
    })?;
    de.end().map_err(GatewayError::invalid_json)?;
    Ok(value)
}

/// OperateExecution's body, exactly: unknown fields are refused rather than
/// silently dropped, so a client learns at once that they go nowhere.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OperateBody {
    execution_id: String,
    operate_type: String,
}

/// ExecuteDocument's fields. The core's model is lenient on purpose (it
/// also reads responses), so unknown fields are refused here.
const EXECUTE_FIELDS: [&str; 7] = [
    "version",
    "parameters",
    "sys_tags",
    "target_parameter_name",
    "targets",
    "document_type",
    "description",
];

fn execute_body(body: &[u8]) -> Result<ExecuteDocumentBody, GatewayError> {
    let value: serde_json::Value = from_json(body)?;
    let Some(object) = value.as_object() else {
        return Err(GatewayError::invalid_json("expected a JSON object"));
    };
    if let Some(key) = object
        .keys()
        .find(|k| !EXECUTE_FIELDS.contains(&k.as_str()))
    {
        return Err(GatewayError::invalid_json(format_args!(
            "unknown field {key:?}; expected {}",
            EXECUTE_FIELDS.join(", ")
        )));
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        GatewayError::invalid_json(format_args!("at {path}: {}", e.into_inner()))
    })
}
