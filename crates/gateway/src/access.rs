//! Who may operate, and who did: the glue between the request path,
//! [`crate::operators`] and [`crate::audit`].
//!
//! - [`identify`] runs for every API path (`/v1/…`, `/gateway/v1/…`): it
//!   resolves the caller, removes the identity headers from the request so
//!   that nothing later can see or forward them, and leaves a [`Caller`] in
//!   the request's extensions.
//! - [`audited`] wraps each operation: permission and reason checks, the
//!   intent committed *before* anything is forwarded (or a 503 when it
//!   cannot be), the send, and the outcome appended after.

use std::net::SocketAddr;
use std::time::Instant;

use axum::extract::{ConnectInfo, Request};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use coc_core::gateway::{Outcome, Permission, REASON_HEADER, Reason};
use coc_core::{OperateType, Operation};

use crate::audit::{Finish, Intent};
use crate::clock::now_ms;
use crate::error::GatewayError;
use crate::forward::Exchange;
use crate::operators::{Grants, Identity};
use crate::state::AppState;

/// The response header that names the audit record of an operation.
pub const AUDIT_RECORD_HEADER: &str = "x-coc-audit-record";

/// The gateway's own id for a request, assigned before anything else runs
/// (the response's `X-request-id` is the upstream's when it sent one).
#[derive(Debug, Clone)]
pub(crate) struct GatewayRequestId(pub(crate) String);

/// The caller of an API request.
#[derive(Debug, Clone)]
pub(crate) struct Caller {
    pub(crate) identity: Identity,
    pub(crate) grants: Grants,
}

impl Caller {
    /// Refuses unless the caller holds `p`.
    pub(crate) fn require(&self, p: Permission) -> Result<(), GatewayError> {
        if self.grants.may(p) {
            Ok(())
        } else {
            Err(GatewayError::forbidden(
                &self.identity.name,
                &self.grants.describe_roles(),
                p.as_str(),
            ))
        }
    }
}

/// Resolves the caller of an API request into its [`Caller`] extension,
/// or refuses it (401); the console's files need no caller.
pub(crate) fn identify(state: &AppState, req: &mut Request) -> Result<(), GatewayError> {
    if !crate::routes::needs_operator(req.uri().path()) {
        return Ok(());
    }
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let identity = state.operators.identify(req.headers(), peer)?;
    state.operators.strip(req.headers_mut());
    let grants = state.policy.grants(&identity);
    req.extensions_mut().insert(Caller { identity, grants });
    Ok(())
}

/// What an operation is, for its audit record.
#[derive(Debug)]
pub(crate) struct Attempt<T> {
    pub(crate) permission: Permission,
    pub(crate) execution_id: Option<String>,
    pub(crate) document_id: Option<String>,
    /// `TERMINATE`, …, `ExecuteDocument`.
    pub(crate) operation: &'static str,
    /// The OperateExecution type, for `--require-reason`.
    pub(crate) operate_type: Option<OperateType>,
    /// The ticket a successful answer created (ExecuteDocument's).
    pub(crate) created: fn(&T) -> Option<String>,
}

/// The operator's reason from [`REASON_HEADER`], validated.
pub(crate) fn reason(headers: &HeaderMap) -> Result<Option<Reason>, GatewayError> {
    let Some(value) = headers.get(REASON_HEADER) else {
        return Ok(None);
    };
    let text = value.to_str().map_err(|_| {
        GatewayError::invalid_request(&coc_core::Error::InvalidArgument {
            field: "reason",
            reason: "the X-Coc-Ops-Reason header must be percent-encoded ASCII".to_owned(),
        })
    })?;
    Reason::from_header(text)
        .map(Some)
        .map_err(|e| GatewayError::invalid_request(&e))
}

/// Checks, records, sends and records again. `send` runs at most once,
/// and only after the intent is committed.
pub(crate) async fn audited<O, F, Fut>(
    state: &AppState,
    caller: &Caller,
    headers: &HeaderMap,
    request_id: &str,
    attempt: Attempt<O::Output>,
    op: &O,
    send: F,
) -> Result<Response, GatewayError>
where
    O: Operation,
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<Exchange, GatewayError>>,
{
    let started = Instant::now();
    let at_ms = now_ms();
    let reason = reason(headers)?;
    let intent = Intent {
        at_ms,
        deadline_ms: at_ms.saturating_add(state.in_flight_limit_ms),
        operator: caller.identity.name.clone(),
        email: caller.identity.email.clone(),
        roles: caller
            .grants
            .roles
            .iter()
            .map(|r| (*r).to_owned())
            .collect(),
        source: caller.identity.source.clone(),
        user_agent: headers.get(header::USER_AGENT).map(|v| {
            String::from_utf8_lossy(v.as_bytes())
                .chars()
                .take(256)
                .collect()
        }),
        execution_id: attempt.execution_id.clone(),
        document_id: attempt.document_id.clone(),
        operation: attempt.operation.to_owned(),
        reason: reason.as_ref().map(|r| r.as_str().to_owned()),
        request_id: request_id.to_owned(),
        gateway: state.instance.clone(),
    };
    let finish = |outcome, status: Option<u16>, code: Option<String>, msg: Option<String>| Finish {
        outcome,
        http_status: status,
        error_code: code,
        error_msg: msg,
        upstream_request_id: None,
        new_execution_id: None,
        latency_ms: u64::try_from(started.elapsed().as_millis()).ok(),
        finished_ms: now_ms(),
    };

    let refusal = caller.require(attempt.permission).err().or_else(|| {
        let required = attempt
            .operate_type
            .is_some_and(|t| state.require_reason.contains(&t));
        (required && reason.is_none()).then(|| GatewayError::reason_required(attempt.operation))
    });
    if let Some(refused) = refusal {
        // The refusal stands whether or not it could be recorded: nothing
        // was forwarded, and the log keeps the event.
        match state.audit.append_intent(&intent).await {
            Ok(id) => {
                let f = finish(
                    Outcome::Refused,
                    Some(refused.status.as_u16()),
                    Some(refused.code.to_owned()),
                    Some(refused.message.clone()),
                );
                if let Err(e) = state.audit.append_outcome(id, &f).await {
                    tracing::error!(target: "coc_gateway::audit", record = id, error = %e, "cannot record a refusal's outcome");
                }
            }
            Err(e) => {
                tracing::error!(target: "coc_gateway::audit", error = %e, operator = %intent.operator, operation = attempt.operation, "cannot record a refused operation");
            }
        }
        return Err(refused);
    }

    let id = state.audit.append_intent(&intent).await.map_err(|e| {
        tracing::error!(target: "coc_gateway::audit", error = %e, "audit store unavailable; refusing the operation");
        GatewayError::audit_unavailable()
    })?;

    let result = send().await;
    let f = match &result {
        Ok(ex) => {
            let parsed = ex.parse(op);
            let mut f = match &parsed {
                Ok(_) => finish(Outcome::Succeeded, Some(ex.status.as_u16()), None, None),
                Err(e) => finish(
                    if ex.status.is_success() {
                        // A 2xx the core cannot read: it was accepted.
                        Outcome::Succeeded
                    } else {
                        Outcome::Failed
                    },
                    Some(ex.status.as_u16()),
                    e.error_code().map(str::to_owned),
                    e.error_msg().map(str::to_owned),
                ),
            };
            f.upstream_request_id = ex.request_id();
            f.new_execution_id = parsed.ok().and_then(|out| (attempt.created)(&out));
            f
        }
        Err(e) => finish(
            match e.code {
                // Sent, but no usable answer: it may have been applied.
                // (UPSTREAM_TIMEOUT and _UNREACHABLE on a write mean that
                // connecting failed: nothing was sent.)
                "GATEWAY.OUTCOME_UNKNOWN" => Outcome::Unknown,
                _ => Outcome::Failed,
            },
            Some(e.status.as_u16()),
            Some(e.code.to_owned()),
            Some(e.message.clone()),
        ),
    };
    if let Err(e) = state.audit.append_outcome(id, &f).await {
        tracing::error!(target: "coc_gateway::audit", record = id, error = %e, "cannot record an operation's outcome; the record shows it as unknown");
    }
    let mut response = result?.into_response();
    if let Ok(v) = HeaderValue::from_str(&id.to_string()) {
        response.headers_mut().insert(AUDIT_RECORD_HEADER, v);
    }
    Ok(response)
}
