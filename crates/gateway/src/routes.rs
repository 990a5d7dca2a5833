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
use axum::http::{HeaderMap, Method, Uri, header};
use axum::response::{IntoResponse, Response};
use coc_core::{
    DocumentId, ExecuteDocument, ExecuteDocumentBody, ExecutionId, GetExecution,
    ListExecutionInstances, ListExecutionSteps, ListExecutions, OperateExecution, OperateType,
    Operation,
};
use http_body_util::{BodyExt as _, LengthLimitError, Limited};
use percent_encoding::percent_decode_str;
use serde::Deserialize;

use coc_core::gateway::Permission;

use crate::access::{self, Attempt, Caller, GatewayRequestId};
use crate::cors::AUTH_TOKEN;
use crate::error::GatewayError;
use crate::listen::BodyTimeout;
use crate::state::AppState;

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

/// The front door's refusals, for every path (static files included) and
/// before CORS, so that a preflight is answered only for a request that
/// could be served: malformed request targets, a `Host` that is not one of
/// the gateway's names (DNS rebinding), ambiguous `Origin` headers, and
/// oversize declared bodies.
pub(crate) fn check(state: &AppState, req: &Request) -> Result<(), GatewayError> {
    check_target(req.method(), req.uri())?;
    let path = req.uri().path();
    // Health is for probes and load balancers, which send whatever Host
    // they were configured with; it says nothing a rebinding page could use.
    if path != "/healthz" {
        state.hosts.check(req.headers())?;
    }
    if req
        .headers()
        .get_all(header::ORIGIN)
        .iter()
        .nth(1)
        .is_some()
    {
        return Err(GatewayError::bad_header("more than one Origin header"));
    }
    if let Some(len) = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        && len > state.body_limit as u64
    {
        return Err(GatewayError::body_too_large(state.body_limit));
    }
    Ok(())
}

/// What the guard refuses from the request line alone.
fn check_target(method: &Method, uri: &Uri) -> Result<(), GatewayError> {
    if method == Method::CONNECT {
        return Err(GatewayError::connect_not_supported());
    }
    // `GET http://evil/v1/executions HTTP/1.1` parses with a scheme and an
    // authority; axum would route it by its path alone.
    if uri.scheme().is_some() || uri.authority().is_some() {
        return Err(GatewayError::bad_request_target("absolute-form URI"));
    }
    let path = uri.path();
    if !path.starts_with('/') {
        return Err(GatewayError::bad_request_target("not a path"));
    }
    check_path(path)
}

/// Not API: the entry point of `fuzz/`'s `gateway_target` (why it exists:
/// the guard and `Route::parse` are crate-private and take what hyper
/// builds, and a fuzzer needs them without a socket or an `AppState`).
/// Reads a raw request line's method and target as hyper does, then runs
/// the guard's checks of the target and, for `/v1` paths, the route parser.
/// `None` is a request line hyper itself refuses; `Some(Ok(label))` a route.
#[doc(hidden)]
pub fn fuzz_request_target(
    method: &[u8],
    target: &[u8],
) -> Option<Result<&'static str, GatewayError>> {
    let method = Method::from_bytes(method).ok()?;
    let uri = Uri::try_from(target).ok()?;
    Some(check_target(&method, &uri).and_then(|()| {
        if under(uri.path(), "/v1") {
            Route::parse(&method, uri.path()).map(|r| r.label())
        } else {
            Ok("")
        }
    }))
}

/// Refuses API and control requests from origins that are neither this
/// gateway's nor allowlisted. Runs inside the CORS layer, so that a
/// preflight from such an origin gets CORS's answer (no grant), not a 403.
pub(crate) fn check_origin(state: &AppState, req: &Request) -> Result<(), GatewayError> {
    if is_api_path(req.uri().path()) {
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

/// One of the six COC routes, with the ids its path carries already
/// validated by the core. [`Route::parse`] is the only place a `/v1` path is
/// read, so the access log, the audit trail and the dispatch cannot disagree
/// about which operation a request was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Route {
    /// `GET /v1/executions`
    ListExecutions,
    /// `POST /v1/executions` (the ticket id is in the body)
    OperateExecution,
    /// `GET /v1/executions/instances`
    ListExecutionInstances,
    /// `GET /v1/executions/{execution_id}`
    GetExecution(ExecutionId),
    /// `GET /v1/executions/{execution_id}/steps`
    ListExecutionSteps(ExecutionId),
    /// `POST /v1/documents/{document_id}`
    ExecuteDocument(DocumentId),
}

impl Route {
    /// Reads a request's method and raw (still percent-encoded) path.
    ///
    /// Refusals, in this order: a path that is none of the six shapes (404),
    /// a method that shape does not take (405, with `Allow`), then an id
    /// the core refuses (400). The path's shape is matched before decoding,
    /// so `/v1/executions/%69nstances` is a ticket id, not the instances
    /// route; query strings and bodies are the operation's to read.
    pub(crate) fn parse(method: &Method, path: &str) -> Result<Self, GatewayError> {
        let segments: Vec<&str> = path.split('/').skip(1).collect();
        let (get, post) = (*method == Method::GET, *method == Method::POST);
        match segments.as_slice() {
            ["v1", "executions"] if get => Ok(Route::ListExecutions),
            ["v1", "executions"] if post => Ok(Route::OperateExecution),
            ["v1", "executions", "instances"] if get => Ok(Route::ListExecutionInstances),
            ["v1", "executions", id] if get => Ok(Route::GetExecution(execution_id(id)?)),
            ["v1", "executions", id, "steps"] if get => {
                Ok(Route::ListExecutionSteps(execution_id(id)?))
            }
            ["v1", "documents", id] if post => Ok(Route::ExecuteDocument(
                DocumentId::parse(&decode_segment(id)?).map_err(|e| invalid(&e))?,
            )),
            ["v1", "executions"] => Err(GatewayError::method_not_allowed(
                method.as_str(),
                "GET, POST",
            )),
            ["v1", "executions", _] | ["v1", "executions", _, "steps"] => {
                Err(GatewayError::method_not_allowed(method.as_str(), "GET"))
            }
            ["v1", "documents", _] => {
                Err(GatewayError::method_not_allowed(method.as_str(), "POST"))
            }
            _ => Err(GatewayError::route_not_allowed(path)),
        }
    }

    /// The operation's name, as the access log and the audit trail say it.
    pub(crate) fn label(&self) -> &'static str {
        match self {
            Route::ListExecutions => ListExecutions::NAME,
            Route::OperateExecution => OperateExecution::NAME,
            Route::ListExecutionInstances => ListExecutionInstances::NAME,
            Route::GetExecution(_) => GetExecution::NAME,
            Route::ListExecutionSteps(_) => ListExecutionSteps::NAME,
            Route::ExecuteDocument(_) => ExecuteDocument::NAME,
        }
    }
}

/// A ticket id from a path segment. `instances`, in any case or encoding,
/// is refused: the upstream routes on the decoded path, where
/// `/v1/executions/instances` is ListExecutionInstances, which would then
/// run without this gateway's checks of that route's query.
fn execution_id(segment: &str) -> Result<ExecutionId, GatewayError> {
    let id = decode_segment(segment)?;
    if id.eq_ignore_ascii_case("instances") {
        return Err(GatewayError::reserved_id(&id));
    }
    ExecutionId::parse(&id).map_err(|e| invalid(&e))
}

/// The six routes. Anything else under `/v1` is refused.
pub(crate) async fn api(State(state): State<Arc<AppState>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let route = match Route::parse(&parts.method, parts.uri.path()) {
        Ok(route) => route,
        Err(e) => return e.into_response(),
    };
    let query = parts.uri.query().unwrap_or_default();
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
    let mut response = match dispatch(&call, &route, query, body).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    };
    // For the access log (`observe`), which runs outside the router.
    response.extensions_mut().insert(route);
    crate::server::no_store(&mut response);
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
    route: &Route,
    query: &str,
    body: Body,
) -> Result<Response, GatewayError> {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    match route {
        Route::ListExecutions => {
            let op = ListExecutions::from_query(&pairs).map_err(|e| invalid(&e))?;
            call.read(&op).await
        }
        Route::ListExecutionInstances => {
            let op = ListExecutionInstances::from_query(&pairs).map_err(|e| invalid(&e))?;
            call.read(&op).await
        }
        Route::GetExecution(id) => {
            no_query(&pairs)?;
            let op = GetExecution {
                execution_id: id.clone(),
            };
            call.read(&op).await
        }
        Route::ListExecutionSteps(id) => {
            let op =
                ListExecutionSteps::from_query(id.as_str(), &pairs).map_err(|e| invalid(&e))?;
            call.read(&op).await
        }
        Route::OperateExecution => {
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
                // The trail names the operate type, which is what an
                // operator searches for.
                operation: operate_type.as_str(),
                operate_type: Some(operate_type),
                created: |_| None,
            };
            call.operate(&op, attempt).await
        }
        Route::ExecuteDocument(id) => {
            no_query(&pairs)?;
            let body = read_json_body(call.state, call.headers, body).await?;
            let parsed = execute_body(&body)?;
            let op = ExecuteDocument::new(id.as_str(), parsed).map_err(|e| invalid(&e))?;
            // The core checks document_type when building; refuse early and clearly.
            op.parts().map_err(|e| invalid(&e))?;
            let attempt = Attempt {
                permission: Permission::ExecuteDocument,
                execution_id: None,
                document_id: Some(op.document_id.to_string()),
                operation: route.label(),
                operate_type: None,
                created: |id: &String| Some(id.clone()),
            };
            call.operate(&op, attempt).await
        }
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
    match Limited::new(body, state.body_limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) => Err(body_error(&*e, state)),
    }
}

/// Why a body could not be read: over the limit (413), too slow (408), or
/// cut short by the client (400). Only the first is about size.
fn body_error(e: &(dyn std::error::Error + 'static), state: &AppState) -> GatewayError {
    let mut cause = Some(e);
    while let Some(err) = cause {
        if err.is::<LengthLimitError>() {
            return GatewayError::body_too_large(state.body_limit);
        }
        if err.is::<BodyTimeout>() {
            return GatewayError::body_timeout(state.body_read_timeout);
        }
        cause = err.source();
    }
    GatewayError::body_incomplete()
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

/// ExecuteDocument's body, read straight from the bytes by the core's
/// strict request type, so that a key given twice is refused rather than
/// settled by an intermediate JSON value keeping the last.
fn execute_body(body: &[u8]) -> Result<ExecuteDocumentBody, GatewayError> {
    from_json(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    const EX: &str = "EX2025070121014501xxxxxx";
    const DM: &str = "DM2025070118023901xxxxxx";

    fn ok(method: Method, path: &str) -> Route {
        Route::parse(&method, path).unwrap_or_else(|e| panic!("{method} {path}: {e}"))
    }

    fn refused(method: Method, path: &str) -> GatewayError {
        match Route::parse(&method, path) {
            Ok(r) => panic!("{method} {path} parsed as {r:?}"),
            Err(e) => e,
        }
    }

    #[test]
    fn the_six_routes_parse_with_their_ids() {
        let ex = ExecutionId::parse(EX).unwrap();
        let cases = [
            (
                Method::GET,
                "/v1/executions".to_owned(),
                Route::ListExecutions,
            ),
            (
                Method::POST,
                "/v1/executions".to_owned(),
                Route::OperateExecution,
            ),
            (
                Method::GET,
                "/v1/executions/instances".to_owned(),
                Route::ListExecutionInstances,
            ),
            (
                Method::GET,
                format!("/v1/executions/{EX}"),
                Route::GetExecution(ex.clone()),
            ),
            (
                Method::GET,
                format!("/v1/executions/{EX}/steps"),
                Route::ListExecutionSteps(ex),
            ),
            (
                Method::POST,
                format!("/v1/documents/{DM}"),
                Route::ExecuteDocument(DocumentId::parse(DM).unwrap()),
            ),
        ];
        for (method, path, want) in cases {
            let got = ok(method.clone(), &path);
            assert_eq!(got, want, "{method} {path}");
            // The label is the core operation's own name.
            let name = match &got {
                Route::ListExecutions => "ListExecutions",
                Route::OperateExecution => "OperateExecution",
                Route::ListExecutionInstances => "ListExecutionInstances",
                Route::GetExecution(_) => "GetExecution",
                Route::ListExecutionSteps(_) => "ListExecutionSteps",
                Route::ExecuteDocument(_) => "ExecuteDocument",
            };
            assert_eq!(got.label(), name);
        }
    }

    #[test]
    fn ids_are_percent_decoded_after_the_shape_is_matched() {
        assert_eq!(
            ok(Method::GET, "/v1/executions/EX%41"),
            Route::GetExecution(ExecutionId::parse("EXA").unwrap())
        );
        // "instances" is the instances route's segment, never a ticket id,
        // however it is spelled.
        for path in [
            "/v1/executions/%69nstances",
            "/v1/executions/INSTANCES",
            "/v1/executions/instanceS/steps",
        ] {
            let e = refused(Method::GET, path);
            assert_eq!(
                (e.status.as_u16(), e.code),
                (400, "GATEWAY.RESERVED_ID"),
                "{path}"
            );
        }
    }

    #[test]
    fn other_paths_are_not_routes() {
        for path in [
            "/v1",
            "/v1/",
            "/v1/execution",
            "/v1/executions/a/b",
            "/v1/executions/a/steps/b",
            "/v1/executions/a/step",
            "/v1/documents",
            "/v1/documents/a/b",
            "/v2/executions",
            "/V1/executions",
            "/v1//executions",
        ] {
            for method in [Method::GET, Method::POST, Method::DELETE] {
                let e = refused(method.clone(), path);
                assert_eq!(
                    (e.status.as_u16(), e.code),
                    (404, "GATEWAY.ROUTE_NOT_ALLOWED"),
                    "{method} {path}"
                );
            }
        }
    }

    #[test]
    fn a_wrong_method_is_405_with_the_right_allow_even_for_a_bad_id() {
        let cases = [
            (Method::PUT, "/v1/executions", "GET, POST"),
            (Method::HEAD, "/v1/executions", "GET, POST"),
            (Method::POST, "/v1/executions/instances", "GET"),
            (Method::DELETE, "/v1/executions/EX1", "GET"),
            (Method::POST, "/v1/executions/bad%00id", "GET"),
            (Method::POST, "/v1/executions/EX1/steps", "GET"),
            (Method::GET, "/v1/documents/DM1", "POST"),
            (Method::GET, "/v1/documents/bad%00id", "POST"),
        ];
        for (method, path, allow) in cases {
            let e = refused(method.clone(), path);
            assert_eq!(
                (e.status.as_u16(), e.code, e.allow),
                (405, "GATEWAY.METHOD_NOT_ALLOWED", Some(allow)),
                "{method} {path}"
            );
        }
    }

    #[test]
    fn ids_the_core_refuses_are_400_naming_the_field() {
        let long = "E".repeat(coc_core::MAX_ID_LEN + 1);
        let cases = [
            (Method::GET, "/v1/executions/".to_owned(), "execution_id"),
            (
                Method::GET,
                "/v1/executions/EX%20X".to_owned(),
                "execution_id",
            ),
            (
                Method::GET,
                "/v1/executions/EX%3F".to_owned(),
                "execution_id",
            ),
            (
                Method::GET,
                "/v1/executions/EX%25".to_owned(),
                "execution_id",
            ),
            (
                Method::GET,
                format!("/v1/executions/{long}"),
                "execution_id",
            ),
            (
                Method::GET,
                "/v1/executions/a%00/steps".to_owned(),
                "execution_id",
            ),
            (
                Method::GET,
                "/v1/executions//steps".to_owned(),
                "execution_id",
            ),
            (Method::POST, "/v1/documents/".to_owned(), "document_id"),
            (
                Method::POST,
                "/v1/documents/DM%23".to_owned(),
                "document_id",
            ),
            (
                Method::POST,
                "/v1/documents/DM%20X".to_owned(),
                "document_id",
            ),
            // Not UTF-8 once decoded.
            (Method::GET, "/v1/executions/%FF".to_owned(), "path"),
            (Method::POST, "/v1/documents/%C3".to_owned(), "path"),
        ];
        for (method, path, field) in cases {
            let e = refused(method.clone(), &path);
            assert_eq!(
                (e.status.as_u16(), e.code),
                (400, "GATEWAY.INVALID_REQUEST"),
                "{method} {path}"
            );
            assert!(e.message.contains(field), "{method} {path}: {}", e.message);
        }
    }

    #[test]
    fn ids_with_invisible_or_bidi_control_characters_are_400() {
        // In a console such an id can display as a different ticket's.
        let invisible = ('\u{200b}'..='\u{200f}')
            .chain('\u{202a}'..='\u{202e}')
            .chain('\u{2066}'..='\u{2069}')
            .chain(['\u{feff}']);
        for c in invisible {
            let mut utf8 = [0; 4];
            let encoded: String = c
                .encode_utf8(&mut utf8)
                .bytes()
                .map(|b| format!("%{b:02X}"))
                .collect();
            for (method, path) in [
                (Method::GET, format!("/v1/executions/{EX}{encoded}")),
                (Method::GET, format!("/v1/executions/{encoded}{EX}/steps")),
                (Method::POST, format!("/v1/documents/{DM}{encoded}")),
            ] {
                let e = refused(method.clone(), &path);
                assert_eq!(
                    (e.status.as_u16(), e.code),
                    (400, "GATEWAY.INVALID_REQUEST"),
                    "{method} {path}"
                );
                assert!(
                    e.message.contains("invisible or bidirectional-control"),
                    "{method} {path}: {}",
                    e.message
                );
                // The fuzz entry point agrees with the route parser.
                let got = fuzz_request_target(method.as_str().as_bytes(), path.as_bytes());
                assert_eq!(got, Some(Err(e)), "{method} {path}");
            }
        }
    }
}
