//! A typed, sans-IO client for Huawei Cloud COC job executions ("tickets").
//!
//! This crate knows the six job-execution operations of the Cloud Operations
//! Center API (GetExecution, OperateExecution, ListExecutions,
//! ListExecutionSteps, ListExecutionInstances, ExecuteDocument):
//!
//! - **models** of what the service sends ([`Execution`], [`Step`],
//!   [`StepInstance`], [`Page`]), decoded as tolerantly as the real service
//!   demands (an `id` as string, number or absent; `null` arrays; unknown
//!   status and type values kept raw; `strat_time`; unknown fields kept in
//!   `extra` and serialised back);
//! - **request builders**: each operation is a plain value ([`GetExecution`],
//!   [`ListExecutions`], ...) that validates its ids and filters, and
//!   [`Endpoint::prepare`] turns it into an [`HttpRequest`] for a base URL
//!   (with or without a path prefix) and an [`Auth`] choice (none, IAM token,
//!   or AK/SK signing with security token, domain id or project id);
//! - **response parsers**: [`Operation::parse_response`] reads status,
//!   headers and body into a typed result or one [`Error`] that keeps the
//!   HTTP status, the service's `error_code`/`error_msg` and the
//!   `X-request-id`; it never panics, whatever the bytes;
//! - **guidance**: [`advise`] says which operations a console should offer
//!   for a ticket and, for the others, why not (the server still decides);
//! - **status helpers**: [`ExecutionStatus::is_terminal`] and
//!   [`ExecutionStatus::is_active`] (poll while active);
//! - **AK/SK signing** ([`sign`]): SDK-HMAC-SHA256 as a pure function of the
//!   request, the credentials and a caller-supplied [`UnixTime`], plus the
//!   verifier a simulator or gateway needs. It reproduces the published
//!   vectors and the official Python SDK's signer byte for byte
//!   (`tests/signing_vectors.rs`, `tests/sdk_signing.rs`).
//!
//! # What it deliberately does not do
//!
//! - **No IO.** It builds [`HttpRequest`] values and parses responses you
//!   hand it; sending is the caller's business (a browser `fetch`, `reqwest`
//!   in the gateway, Node's `fetch` in the npm package).
//! - **No clock.** Signing needs the time; the caller passes a [`UnixTime`].
//! - **No JS.** It compiles to `wasm32-unknown-unknown` and native alike and
//!   has no JS type in its API; the bindings live in their own crate.
//!   `tests/no_io.rs` holds the dependency tree and the source to that.
//! - **No retries or policy about sending.** In particular an
//!   [`OperateExecution`] must never be retried automatically.
//!
//! # Example
//!
//! ```
//! use coc_core::{Auth, Endpoint, GetExecution, HttpResponse, OperateType, Operation, UnixTime};
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
//! let advice = coc_core::advise(&ticket);
//! let offered: Vec<OperateType> = advice.iter().filter(|a| a.offered()).map(|a| a.operation).collect();
//! assert_eq!(offered, [OperateType::SkipBatch, OperateType::Terminate]);
//! assert_eq!(
//!     advice[0].not_offered.as_deref(),
//!     Some("The ticket is running; only a suspended or failed ticket can be resumed.")
//! );
//! # Ok::<(), coc_core::Error>(())
//! ```
//!
//! Signing with AK/SK (outside a browser: the SK must never reach one;
//! `Auth::AkSk` needs the default `aksk` feature):
//!
//! ```
//! use coc_core::sign::{self, Credentials, UnixTime};
//! use coc_core::{Auth, Endpoint, OperateExecution, OperateType};
//!
//! let creds = Credentials::new("AK", "SK").with_project_id("77b6a44cba5143ab91d13ab9a8ff44fd");
//! let endpoint = Endpoint::new("https://coc.myhuaweicloud.com", Auth::AkSk(creds))?;
//! let op = OperateExecution::new("EX1", OperateType::Terminate)?;
//! let request = endpoint.prepare(&op, UnixTime::from_secs(1_764_576_550))?;
//! assert_eq!(request.header("X-Sdk-Date"), Some("20251201T080910Z"));
//! assert!(request.header("Authorization").unwrap().starts_with(
//!     "SDK-HMAC-SHA256 Access=AK, SignedHeaders=content-type;host;x-project-id;x-sdk-date, Signature="
//! ));
//! // The same module verifies, as a simulator or gateway does.
//! sign::verify(&request, |ak| (ak == "AK").then(|| "SK".to_owned())).unwrap();
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

#![warn(missing_docs)]

mod decode;
mod endpoint;
mod error;
pub mod gateway;
mod guidance;
mod http;
mod id;
mod model;
mod ops;
mod query;
pub mod sign;
pub mod uri;

pub use endpoint::{Auth, BaseUrl, Endpoint, RequestParts};
pub use error::{ApiError, DecodeError, EXCERPT_CHARS, Error, excerpt};
pub use guidance::{Advice, NotOffered, advise, advise_one, not_offered};
pub use http::{HttpRequest, HttpResponse, Method, REQUEST_ID_HEADER, is_secret_header};
pub use id::{DocumentId, ExecutionId, MAX_ID_LEN, StepId, validate_id};
pub use model::{
    EpochMillis, ExecuteDocumentBody, Execution, ExecutionStatus, ExecutionType, KeyValue, LooseId,
    OperateType, Page, Step, StepInstance, Target, TargetKind,
};
pub use ops::{
    DEFAULT_LIMIT, ExecuteDocument, GetExecution, ListExecutionInstances, ListExecutionSteps,
    ListExecutions, MAX_FILTER_LEN, MAX_LIMIT, OperateExecution, Operated, Operation,
};
pub use query::parse_tags;
pub use sign::{Credentials, UnixTime};
