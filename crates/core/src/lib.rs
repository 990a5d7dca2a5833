//! A typed, sans-IO client for Huawei Cloud COC job executions ("tickets").
//!
//! This crate knows the six job-execution operations of the Cloud Operations
//! Center API (GetExecution, OperateExecution, ListExecutions,
//! ListExecutionSteps, ListExecutionInstances, ExecuteDocument): their
//! models, how to build each request, how to read each response, which
//! operations a console should offer for a ticket, and how to sign a request
//! with AK/SK.
//!
//! # What it deliberately does not do
//!
//! - **No IO.** It builds [`HttpRequest`] values and parses responses you
//!   hand it; sending is the caller's business (a browser `fetch`, `reqwest`
//!   in the gateway, Node's `fetch` in the npm package).
//! - **No clock.** Signing needs the time; the caller passes a [`UnixTime`].
//! - **No JS.** It compiles to `wasm32-unknown-unknown` and native alike and
//!   never mentions `JsValue`; the bindings live in their own crate.
//! - **No retries or policy about sending.** In particular an
//!   [`OperateExecution`] must never be retried automatically.
//!
//! # Example
//!
//! ```
//! use coc_core::{Auth, Endpoint, GetExecution, HttpResponse, Operation, UnixTime};
//!
//! // A gateway mounted under a path prefix that signs for us.
//! let endpoint = Endpoint::new("http://127.0.0.1:8080/api/coc/", Auth::None)?;
//! let op = GetExecution::new("EX2025070121014501xxxxxx")?;
//! let request = endpoint.prepare(&op, UnixTime::from_secs(0))?;
//! assert_eq!(request.url, "http://127.0.0.1:8080/api/coc/v1/executions/EX2025070121014501xxxxxx");
//!
//! // ...send it, then read what came back:
//! let headers = vec![("X-Request-Id".to_owned(), "req-1".to_owned())];
//! let body = br#"{"data":{"execution_id":"EX2025070121014501xxxxxx","status":"Running","type":"BATCH"}}"#;
//! let ticket = op.parse_response(&HttpResponse::new(200, &headers, body))?;
//! assert!(ticket.status_or_unknown().is_active());
//!
//! // Which buttons to show, and why the others are hidden.
//! for advice in coc_core::advise(&ticket) {
//!     println!("{}: {:?}", advice.operation, advice.not_offered);
//! }
//! # Ok::<(), coc_core::Error>(())
//! ```
//!
//! Errors keep what an operator needs to quote to support:
//!
//! ```
//! use coc_core::{Error, HttpResponse, OperateExecution, OperateType, Operation};
//!
//! let op = OperateExecution::new("EX1", OperateType::Retry)?;
//! let headers = vec![("X-request-id".to_owned(), "0af3".to_owned())];
//! let body = br#"{"error_code":"COC.00040702","error_msg":"target instance does not exist"}"#;
//! let err = op.parse_response(&HttpResponse::new(400, &headers, body)).unwrap_err();
//! assert_eq!(err.error_code(), Some("COC.00040702"));
//! assert_eq!(err.request_id(), Some("0af3"));
//! assert_eq!(err.to_string(), "http 400 COC.00040702: target instance does not exist (request id 0af3)");
//! # Ok::<(), coc_core::Error>(())
//! ```

mod endpoint;
mod error;
mod guidance;
mod http;
mod id;
mod model;
mod ops;
pub mod sign;

pub use endpoint::{Auth, BaseUrl, Endpoint, RequestParts};
pub use error::{ApiError, DecodeError, EXCERPT_CHARS, Error, excerpt};
pub use guidance::{Advice, advise, advise_one};
pub use http::{HttpRequest, HttpResponse, Method, REQUEST_ID_HEADER, is_secret_header};
pub use id::{DocumentId, ExecutionId, MAX_ID_LEN, StepId, validate_id};
pub use model::{
    EpochMillis, ExecuteDocumentBody, Execution, ExecutionStatus, ExecutionType, KeyValue, LooseId,
    OperateType, Page, Step, StepInstance, Target, TargetKind,
};
pub use ops::{
    DEFAULT_LIMIT, ExecuteDocument, GetExecution, ListExecutionInstances, ListExecutionSteps,
    ListExecutions, MAX_FILTER_LEN, MAX_LIMIT, OperateExecution, Operated, Operation, parse_tags,
};
pub use sign::{Credentials, UnixTime};
