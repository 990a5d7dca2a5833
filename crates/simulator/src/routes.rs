//! The six COC routes, the request-id and AK/SK middleware, and the JSON
//! shapes of answers.

use std::time::Instant;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use coc_core::{
    DocumentId, ExecuteDocumentBody, GetExecution, HttpRequest, ListExecutionInstances,
    ListExecutionSteps, ListExecutions, OperateExecution, OperateType, REQUEST_ID_HEADER,
};
use serde::Serialize;
use serde_json::{Value, json};

use crate::Simulator;
use crate::error::{self, CocError};
use crate::world::OperationRecord;

/// Largest request body accepted (an ExecuteDocument with 10,000 targets is
/// about 2 MB).
pub const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// The creator of tickets started through ExecuteDocument.
pub const API_CREATOR: &str = "api-user";

/// The request id of the request being served (an extension).
#[derive(Debug, Clone)]
pub(crate) struct RequestId(pub String);

/// A JSON response with `status`.
pub(crate) fn json_response(status: StatusCode, body: &impl Serialize) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => (
            status,
            [(axum::http::header::CONTENT_TYPE, "application/json")],
            bytes,
        )
            .into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

impl IntoResponse for CocError {
    fn into_response(self) -> Response {
        json_response(
            self.status,
            &json!({"error_code": self.code, "error_msg": self.message}),
        )
    }
}

/// Middleware (outermost): gives every request an id, puts it on every
/// response as `X-request-id`, and logs one line per request.
pub(crate) async fn request_id(
    State(sim): State<Simulator>,
    mut req: Request,
    next: Next,
) -> Response {
    let id = sim.next_request_id();
    let (method, path) = (req.method().clone(), req.uri().path().to_owned());
    req.extensions_mut().insert(RequestId(id.clone()));
    let started = Instant::now();
    let mut response = next.run(req).await;
    if let Ok(v) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID_HEADER, v);
    }
    let dropped = response
        .extensions()
        .get::<crate::faults::Dropped>()
        .is_some();
    tracing::info!(
        %method,
        %path,
        status = response.status().as_u16(),
        dropped,
        request_id = %id,
        ms = started.elapsed().as_millis() as u64,
        "request"
    );
    response
}

/// Middleware: when credentials are configured, refuses requests without a
/// valid SDK-HMAC-SHA256 signature, as the API gateway in front of COC does.
pub(crate) async fn verify_signature(
    State(sim): State<Simulator>,
    req: Request,
    next: Next,
) -> Response {
    let Some((ak, sk)) = sim.credentials() else {
        return next.run(req).await;
    };
    let request_id = req
        .extensions()
        .get::<RequestId>()
        .map(|r| r.0.clone())
        .unwrap_or_default();
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(b) => b,
        Err(e) => {
            return CocError::bad_request(
                error::BAD_REQUEST_BODY,
                format!("could not read the request body: {e}"),
            )
            .into_response();
        }
    };
    let method = if parts.method == Method::POST {
        coc_core::Method::Post
    } else {
        coc_core::Method::Get
    };
    // The canonical request is rebuilt from exactly what arrived: the
    // request target as sent and every header (the Host header included)
    // as received; the verifier uses the ones the client says it signed.
    let request = HttpRequest {
        method,
        url: parts
            .uri
            .path_and_query()
            .map_or_else(|| parts.uri.path().to_owned(), |pq| pq.as_str().to_owned()),
        headers: parts
            .headers
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body: bytes.to_vec(),
    };
    match coc_core::sign::verify(&request, |key| (key == ak).then(|| sk.clone())) {
        Ok(_) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        Err(e) => {
            tracing::info!(request_id = %request_id, "signature refused: {e}");
            json_response(
                StatusCode::UNAUTHORIZED,
                &json!({
                    "error_code": error::AUTH_FAILED,
                    "error_msg": format!("Incorrect IAM authentication information: {e}"),
                    "request_id": request_id,
                }),
            )
        }
    }
}

/// The six COC routes, without middleware.
pub(crate) fn api_routes() -> Router<Simulator> {
    // `/v1/executions/instances` is a static route, so the router prefers it
    // to `/v1/executions/{execution_id}`.
    Router::new()
        .route(
            "/v1/executions",
            get(list_executions).post(operate_execution),
        )
        .route("/v1/executions/instances", get(list_instances))
        .route("/v1/executions/{execution_id}", get(get_execution))
        .route("/v1/executions/{execution_id}/steps", get(list_steps))
        .route("/v1/documents/{document_id}", post(execute_document))
}

/// Answer for paths the API does not have.
pub(crate) async fn no_such_route(method: Method, uri: axum::http::Uri) -> Response {
    json_response(
        StatusCode::NOT_FOUND,
        &json!({
            "error_code": error::ROUTE_NOT_FOUND,
            "error_msg": format!("The API does not exist or has not been published in the environment: {method} {}", uri.path()),
        }),
    )
}

/// Answer for a known path with a method it does not take.
pub(crate) async fn wrong_method(method: Method, uri: axum::http::Uri) -> Response {
    json_response(
        StatusCode::METHOD_NOT_ALLOWED,
        &json!({
            "error_code": error::ROUTE_NOT_FOUND,
            "error_msg": format!("The API does not exist or has not been published in the environment: {method} {}", uri.path()),
        }),
    )
}

fn query_pairs(raw: &Option<String>) -> Vec<(String, String)> {
    form_urlencoded::parse(raw.as_deref().unwrap_or_default().as_bytes())
        .into_owned()
        .collect()
}

fn path_param(p: Result<Path<String>, PathRejection>) -> Result<String, CocError> {
    p.map(|Path(s)| s)
        .map_err(|e| CocError::bad_request(error::INVALID_PARAMETER, e.body_text()))
}

/// `{"data": …}`, serialised straight from the model (going through
/// `serde_json::Value` would copy a 10,000-target ticket once more).
#[derive(Serialize)]
struct Data<T> {
    data: T,
}

/// `{"data": [...], "total": n}`.
#[derive(Serialize)]
struct PageBody<T> {
    data: Vec<T>,
    total: u64,
}

fn page<T: Serialize>(data: Vec<T>, total: u64) -> Response {
    json_response(StatusCode::OK, &PageBody { data, total })
}

async fn get_execution(
    State(sim): State<Simulator>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Response, CocError> {
    let op = GetExecution::new(&path_param(id)?).map_err(|e| CocError::invalid(&e))?;
    let ticket = sim.with_world(|w| w.get_wire(op.execution_id.as_str()));
    // An unknown id is 200 with `data: null`, as the reference describes.
    Ok(json_response(StatusCode::OK, &Data { data: ticket }))
}

async fn list_executions(
    State(sim): State<Simulator>,
    RawQuery(raw): RawQuery,
) -> Result<Response, CocError> {
    let q = ListExecutions::from_query(&query_pairs(&raw)).map_err(|e| CocError::invalid(&e))?;
    let (items, total) = sim.with_world(|w| w.list_wire(&q));
    Ok(page(items, total))
}

async fn list_steps(
    State(sim): State<Simulator>,
    id: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> Result<Response, CocError> {
    let q = ListExecutionSteps::from_query(&path_param(id)?, &query_pairs(&raw))
        .map_err(|e| CocError::invalid(&e))?;
    let (items, total) = sim.with_world(|w| w.steps(&q));
    Ok(page(items, total))
}

async fn list_instances(
    State(sim): State<Simulator>,
    RawQuery(raw): RawQuery,
) -> Result<Response, CocError> {
    let q = ListExecutionInstances::from_query(&query_pairs(&raw))
        .map_err(|e| CocError::invalid(&e))?;
    let (items, total) = sim.with_world(|w| w.instances(&q));
    Ok(page(items, total))
}

fn string_field(body: &Value, field: &str) -> Result<String, CocError> {
    match body.get(field) {
        Some(Value::String(s)) => Ok(s.clone()),
        None | Some(Value::Null) => Err(CocError::bad_request(
            error::BAD_REQUEST_BODY,
            format!("{field} is required"),
        )),
        Some(_) => Err(CocError::bad_request(
            error::BAD_REQUEST_BODY,
            format!("{field} must be a string"),
        )),
    }
}

async fn operate_execution(
    State(sim): State<Simulator>,
    axum::Extension(RequestId(request_id)): axum::Extension<RequestId>,
    body: Bytes,
) -> Result<Response, CocError> {
    operate_body(&sim, request_id, &body)
}

/// `POST /v1/executions` once the body is read: public, but not API, only
/// so that `fuzz/`'s `simulator_operate` reaches the handler's own code
/// without a runtime or a socket (axum's extractors are not what is fuzzed).
#[doc(hidden)]
pub fn operate_body(
    sim: &Simulator,
    request_id: String,
    body: &[u8],
) -> Result<Response, CocError> {
    let body: Value = serde_json::from_slice(body).map_err(|e| {
        CocError::bad_request(
            error::BAD_REQUEST_BODY,
            format!("the request body is not valid JSON: {e}"),
        )
    })?;
    let execution_id = string_field(&body, "execution_id")?;
    let operate_type = string_field(&body, "operate_type")?;
    let parsed = OperateType::parse(&operate_type)
        .and_then(|op| OperateExecution::new(&execution_id, op))
        .map_err(|e| CocError::invalid(&e));
    sim.with_world(|w| {
        let status_before = w.status_of(&execution_id);
        let result = parsed.and_then(|op| w.operate(op.execution_id.as_str(), op.operate_type));
        let status_after = w.status_of(&execution_id);
        w.record_operation(OperationRecord {
            execution_id: execution_id.clone(),
            operate_type,
            received_at_ms: w.now(),
            request_id,
            accepted: result.is_ok(),
            status_before: status_before.map(|s| s.to_string()),
            status_after: status_after.map(|s| s.to_string()),
            error_code: result.as_ref().err().map(|e| e.code.to_owned()),
        });
        result
    })?;
    // The documented success body is a bare string; the example is `{ }`.
    Ok(json_response(StatusCode::OK, &json!({})))
}

async fn execute_document(
    State(sim): State<Simulator>,
    id: Result<Path<String>, PathRejection>,
    body: Bytes,
) -> Result<Response, CocError> {
    let document_id = DocumentId::parse(&path_param(id)?).map_err(|e| CocError::invalid(&e))?;
    let body: ExecuteDocumentBody = if body.iter().all(u8::is_ascii_whitespace) {
        ExecuteDocumentBody::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| {
            CocError::bad_request(
                error::BAD_REQUEST_BODY,
                format!("the request body is not a valid ExecuteDocument body: {e}"),
            )
        })?
    };
    let id = sim.with_world(|w| w.execute(document_id.as_str(), body, API_CREATOR))?;
    Ok(json_response(StatusCode::OK, &Data { data: id }))
}
