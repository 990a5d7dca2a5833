//! The gateway's own routes under `/gateway/v1/`: who the caller is, and
//! the audit trail (a page as JSON, or every matching record as JSON lines
//! for a SIEM). Read-only: no route changes or removes a record.

use std::sync::Arc;

use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use coc_core::gateway::{AuditPage, ListAudit, MAX_AUDIT_LIMIT, Permission};

use crate::access::Caller;
use crate::clock::now_ms;
use crate::error::GatewayError;
use crate::state::AppState;

fn caller(req: &Request) -> Result<Caller, GatewayError> {
    req.extensions()
        .get::<Caller>()
        .cloned()
        .ok_or_else(|| GatewayError::internal("no caller was identified"))
}

fn filters(req: &Request) -> Result<ListAudit, GatewayError> {
    let pairs: Vec<(String, String)> =
        form_urlencoded::parse(req.uri().query().unwrap_or_default().as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
    ListAudit::from_query(&pairs).map_err(|e| GatewayError::invalid_request(&e))
}

fn no_store(mut response: Response) -> Response {
    crate::server::no_store(&mut response);
    response
}

/// `GET /gateway/v1/me`.
pub(crate) async fn me(State(state): State<Arc<AppState>>, req: Request) -> Response {
    match caller(&req) {
        Ok(c) => no_store(
            Json(c.grants.me(
                &c.identity,
                state.operators.config().mode(),
                &state.require_reason,
            ))
            .into_response(),
        ),
        Err(e) => e.into_response(),
    }
}

/// `GET /gateway/v1/audit`: one page, newest first.
pub(crate) async fn audit(State(state): State<Arc<AppState>>, req: Request) -> Response {
    // Read what the request says before awaiting: a body is not Sync.
    let checked = caller(&req)
        .and_then(|c| c.require(Permission::Read))
        .and_then(|()| filters(&req));
    drop(req);
    let result = async {
        let q = checked?;
        let limit = q.limit_or_default();
        // One more than asked tells whether there is a next page.
        let mut records = state
            .audit
            .query(&q, limit + 1, now_ms())
            .await
            .map_err(|e| {
                tracing::error!(target: "coc_gateway::audit", error = %e, "cannot read the audit trail");
                GatewayError::audit_unavailable()
            })?;
        let next_cursor = if records.len() > limit as usize {
            records.truncate(limit as usize);
            records.last().map(|r| r.id.clone())
        } else {
            None
        };
        Ok::<_, GatewayError>(AuditPage {
            records,
            next_cursor,
        })
    }
    .await;
    match result {
        Ok(page) => no_store(Json(page).into_response()),
        Err(e) => e.into_response(),
    }
}

/// `GET /gateway/v1/audit.jsonl`: every matching record, one JSON object a
/// line, newest first, streamed a page at a time so that memory stays flat
/// however long the trail is. `limit` is the page size of the walk.
pub(crate) async fn audit_jsonl(State(state): State<Arc<AppState>>, req: Request) -> Response {
    let checked = caller(&req)
        .and_then(|c| c.require(Permission::Read))
        .and_then(|()| filters(&req));
    let q = match checked {
        Ok(q) => q,
        Err(e) => return e.into_response(),
    };
    let now = now_ms();
    let page = q.limit.unwrap_or(MAX_AUDIT_LIMIT);
    let stream = futures_util::stream::unfold(Some(q), move |cursor| {
        let state = Arc::clone(&state);
        async move {
            let q = cursor?;
            match state.audit.query(&q, page, now).await {
                Ok(records) => {
                    let next = (records.len() == page as usize)
                        .then(|| records.last().map(|r| r.id.clone()))
                        .flatten()
                        .map(|id| ListAudit {
                            cursor: Some(id),
                            ..q.clone()
                        });
                    let mut out = Vec::new();
                    for r in &records {
                        if serde_json::to_writer(&mut out, r).is_ok() {
                            out.push(b'\n');
                        }
                    }
                    Some((Ok::<_, std::io::Error>(Bytes::from(out)), next))
                }
                Err(e) => {
                    // Headers are gone already: end the stream with an
                    // error so the client sees a broken transfer, never a
                    // silently short trail.
                    tracing::error!(target: "coc_gateway::audit", error = %e, "audit export failed mid-stream");
                    Some((Err(std::io::Error::other(e.to_string())), None))
                }
            }
        }
    });
    let mut response = Response::new(Body::from_stream(stream));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-ndjson"),
    );
    no_store(response)
}

/// Anything else under `/gateway`.
pub(crate) async fn not_allowed(req: Request) -> Response {
    GatewayError::route_not_allowed(req.uri().path()).into_response()
}
