//! The COC-style errors the simulator answers with, and their codes.
//!
//! Real COC codes are `COC.` plus eight digits; only `COC.00042101`
//! (document not found) and `COC.00040702` (target instance does not exist)
//! have been seen in the wild. The others follow the same pattern and are
//! this simulator's own choice; clients must treat them as opaque.

use axum::http::StatusCode;

/// The request body is not JSON, or not the documented shape.
pub const BAD_REQUEST_BODY: &str = "COC.00040000";
/// A path id, query parameter or body field failed validation (the message
/// is `coc_core`'s own text).
pub const INVALID_PARAMETER: &str = "COC.00040001";
/// OperateExecution names a ticket that does not exist.
pub const EXECUTION_NOT_FOUND: &str = "COC.00040101";
/// The operation does not fit the ticket's status (the message names it).
pub const STATUS_CONFLICT: &str = "COC.00040201";
/// SKIP_BATCH on a ticket that is not of type BATCH.
pub const NOT_A_BATCH_EXECUTION: &str = "COC.00040202";
/// ExecuteDocument names a target list that is empty or malformed
/// (the code real COC uses for "target instance does not exist").
pub const TARGET_NOT_FOUND: &str = "COC.00040702";
/// ExecuteDocument names a document that does not exist (as real COC).
pub const DOCUMENT_NOT_FOUND: &str = "COC.00042101";
/// A simulated server fault (the `error_rate` knob).
pub const SYSTEM_ERROR: &str = "COC.00050000";
/// Authentication failed (answered by the API gateway, as the real one does).
pub const AUTH_FAILED: &str = "APIGW.0301";
/// No such route (the API gateway's code for an unknown API).
pub const ROUTE_NOT_FOUND: &str = "APIGW.0101";

/// An error as the service sends it: HTTP status, `error_code`, `error_msg`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("http {status} {code}: {message}")]
pub struct CocError {
    /// HTTP status.
    pub status: StatusCode,
    /// `error_code`.
    pub code: &'static str,
    /// `error_msg`.
    pub message: String,
}

impl CocError {
    /// A 400 with `code`.
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            code,
            message: message.into(),
        }
    }

    /// A 400 [`INVALID_PARAMETER`] carrying the core's validation text.
    pub fn invalid(err: &coc_core::Error) -> Self {
        Self::bad_request(INVALID_PARAMETER, err.to_string())
    }
}
