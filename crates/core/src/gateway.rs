//! The coc-gateway's own API, under `/gateway/v1/`: who the caller is
//! ([`GetMe`] → [`Me`]) and the audit trail of operations ([`ListAudit`] →
//! [`AuditPage`]), plus the two request headers the gateway reads and never
//! forwards: the operator's personal token (`Authorization: Bearer …`, set by
//! [`crate::Endpoint::with_operator_token`]) and the operator's [`Reason`]
//! ([`REASON_HEADER`]).
//!
//! These are not COC routes: the real service does not know them. They live
//! here so that the gateway (which answers them), the console and the npm
//! package (which read them) share one definition of the wire format.

use serde::{Deserialize, Serialize};

use crate::decode::decode_json;
use crate::endpoint::RequestParts;
use crate::error::Error;
use crate::http::HttpResponse;
use crate::id::{DocumentId, ExecutionId};
use crate::model::{EpochMillis, OperateType};
use crate::ops::Operation;

/// The header that carries the operator's reason for an operation:
/// UTF-8, percent-encoded, at most [`MAX_REASON_CHARS`] characters.
pub const REASON_HEADER: &str = "X-Coc-Ops-Reason";
/// The longest reason accepted, in characters (after decoding).
pub const MAX_REASON_CHARS: usize = 500;
/// Audit records per page when no `limit` is given.
pub const DEFAULT_AUDIT_LIMIT: u32 = 50;
/// The largest audit page.
pub const MAX_AUDIT_LIMIT: u32 = 500;

/// Why an operator sends an operation, in their words: trimmed, not empty,
/// at most [`MAX_REASON_CHARS`] characters, no control characters but line
/// breaks and tabs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason(String);

impl Reason {
    /// Validates a reason as typed.
    pub fn parse(text: &str) -> Result<Self, Error> {
        let text = text.trim();
        if text.is_empty() {
            return Err(Error::invalid("reason", "must not be empty"));
        }
        let len = text.chars().count();
        if len > MAX_REASON_CHARS {
            return Err(Error::invalid(
                "reason",
                format!("is {len} characters long; at most {MAX_REASON_CHARS} are allowed"),
            ));
        }
        if let Some(c) = text
            .chars()
            .find(|c| c.is_control() && !matches!(c, '\n' | '\t'))
        {
            return Err(Error::invalid(
                "reason",
                format!("must not contain control characters (found {c:?})"),
            ));
        }
        Ok(Self(text.to_owned()))
    }

    /// Reads the [`REASON_HEADER`] value: percent-decoded, then validated.
    pub fn from_header(value: &str) -> Result<Self, Error> {
        let decoded = percent_encoding::percent_decode_str(value)
            .decode_utf8()
            .map_err(|_| Error::invalid("reason", "is not UTF-8 after percent-decoding"))?;
        Self::parse(&decoded)
    }

    /// The [`REASON_HEADER`] value: header values are ASCII, so everything
    /// but the unreserved characters is percent-encoded.
    pub fn to_header(&self) -> String {
        crate::uri::encode(&self.0)
    }

    /// The reason as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One thing a caller may be permitted to do through the gateway.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// The four read routes and the audit trail.
    Read,
    /// One of the four OperateExecution operations.
    Operate(OperateType),
    /// Start a job (ExecuteDocument).
    ExecuteDocument,
}

impl Permission {
    /// Every permission, in the order `/gateway/v1/me` lists them.
    pub const ALL: [Permission; 6] = [
        Permission::Read,
        Permission::Operate(OperateType::Resume),
        Permission::Operate(OperateType::Retry),
        Permission::Operate(OperateType::SkipBatch),
        Permission::Operate(OperateType::Terminate),
        Permission::ExecuteDocument,
    ];

    /// `read`, `RESUME`, `TERMINATE`, `RETRY`, `SKIP_BATCH` or
    /// `EXECUTE_DOCUMENT`: the names the policy file and `/me` use.
    pub fn as_str(&self) -> &'static str {
        match self {
            Permission::Read => "read",
            Permission::Operate(op) => op.as_str(),
            Permission::ExecuteDocument => "EXECUTE_DOCUMENT",
        }
    }

    /// Parses [`Permission::as_str`]'s spelling.
    pub fn parse(s: &str) -> Result<Self, Error> {
        Self::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| {
                Error::invalid(
                    "permission",
                    format!(
                        "{s:?} is not one of read, RESUME, RETRY, SKIP_BATCH, TERMINATE, EXECUTE_DOCUMENT"
                    ),
                )
            })
    }
}

impl std::fmt::Display for Permission {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `GET /gateway/v1/me`: who the gateway takes the caller to be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    /// The operator's name, as it appears in audit records.
    pub operator: String,
    /// E-mail, when an identity-aware proxy sent one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Groups, when an identity-aware proxy sent them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
    /// How the gateway knows operators: `local`, `proxy` or `tokens`.
    pub mode: String,
    /// The caller's roles (`viewer`, `operator`, `admin`, or the policy's).
    pub roles: Vec<String>,
    /// Exactly what the caller may do, as [`Permission::as_str`] names.
    pub permissions: Vec<String>,
    /// Operations that are refused without a [`Reason`].
    #[serde(default)]
    pub require_reason: Vec<String>,
}

impl Me {
    /// True when the caller holds `permission`.
    pub fn may(&self, permission: Permission) -> bool {
        self.permissions.iter().any(|p| p == permission.as_str())
    }

    /// Why the caller may not do `permission`, in the words the console
    /// shows beside the button; `None` when they may.
    pub fn refusal(&self, permission: Permission) -> Option<String> {
        if self.may(permission) {
            return None;
        }
        let roles = if self.roles.is_empty() {
            "no role".to_owned()
        } else {
            format!(
                "role{} {}",
                if self.roles.len() == 1 { "" } else { "s" },
                self.roles.join(", ")
            )
        };
        Some(format!("Your {roles} may not {permission}."))
    }

    /// True when `op` is refused without a reason.
    pub fn reason_required(&self, op: OperateType) -> bool {
        self.require_reason.iter().any(|r| r == op.as_str())
    }
}

/// `GET /gateway/v1/me`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GetMe;

impl Operation for GetMe {
    type Output = Me;
    const NAME: &'static str = "GetMe";

    fn parts(&self) -> Result<RequestParts, Error> {
        Ok(RequestParts::get("/gateway/v1/me".to_owned(), Vec::new()))
    }

    fn parse_response(&self, response: &HttpResponse<'_>) -> Result<Me, Error> {
        decode_json(
            response,
            Self::NAME,
            "a JSON object with operator, mode, roles and permissions",
        )
    }
}

/// What became of an operation attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Forwarded; no answer yet, and the gateway may still be waiting.
    Pending,
    /// The service answered 2xx.
    Succeeded,
    /// The service answered with an error, or could not be reached: the
    /// operation was not applied.
    Failed,
    /// The gateway refused it (permission, missing reason): never forwarded.
    Refused,
    /// Forwarded, but no answer was recorded (a timeout, a dropped
    /// connection, a gateway that died in between): it may have been applied.
    Unknown,
}

impl Outcome {
    /// Every outcome.
    pub const ALL: [Outcome; 5] = [
        Outcome::Pending,
        Outcome::Succeeded,
        Outcome::Failed,
        Outcome::Refused,
        Outcome::Unknown,
    ];

    /// The wire spelling.
    pub fn as_str(&self) -> &'static str {
        match self {
            Outcome::Pending => "pending",
            Outcome::Succeeded => "succeeded",
            Outcome::Failed => "failed",
            Outcome::Refused => "refused",
            Outcome::Unknown => "unknown",
        }
    }

    /// Parses the wire spelling.
    pub fn parse(s: &str) -> Result<Self, Error> {
        Self::ALL
            .into_iter()
            .find(|o| o.as_str() == s)
            .ok_or_else(|| {
                Error::invalid(
                    "outcome",
                    format!("{s:?} is not one of pending, succeeded, failed, refused, unknown"),
                )
            })
    }
}

/// One operation attempt, as the gateway recorded it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    /// The record's id; also the cursor position.
    pub id: String,
    /// When the attempt arrived, UTC epoch milliseconds.
    pub at: EpochMillis,
    /// Who.
    pub operator: String,
    /// Their e-mail, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Their roles at the time.
    #[serde(default)]
    pub roles: Vec<String>,
    /// The source address the gateway saw (the client's, behind a trusted
    /// proxy the proxy's).
    pub source: String,
    /// The client's `User-Agent`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    /// The ticket, for OperateExecution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_id: Option<String>,
    /// The job, for ExecuteDocument.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_id: Option<String>,
    /// `RESUME`, `TERMINATE`, `RETRY`, `SKIP_BATCH` or `ExecuteDocument`.
    pub operation: String,
    /// The operator's reason, as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The gateway's request id (the one the client saw).
    pub request_id: String,
    /// The upstream's `X-request-id`, for support.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upstream_request_id: Option<String>,
    /// What became of it.
    pub outcome: Outcome,
    /// The HTTP status the client got.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
    /// The service's (or the gateway's) `error_code`, exactly as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    /// The service's (or the gateway's) `error_msg`, exactly as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_msg: Option<String>,
    /// From arrival to the answer, milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<u64>,
    /// The ticket an ExecuteDocument created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_execution_id: Option<String>,
}

/// A page of audit records, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    /// The records.
    pub records: Vec<AuditRecord>,
    /// Pass as `cursor` for the next (older) page; absent on the last one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// `GET /gateway/v1/audit`: audit records, newest first, filtered.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListAudit {
    /// Only this ticket's records.
    pub execution_id: Option<ExecutionId>,
    /// Only this job's records.
    pub document_id: Option<DocumentId>,
    /// Only this operator's records.
    pub operator: Option<String>,
    /// Only this operation (`TERMINATE`, …, `ExecuteDocument`).
    pub operation: Option<String>,
    /// Only records with this outcome.
    pub outcome: Option<Outcome>,
    /// Only records at or after this time (epoch ms).
    pub from: Option<EpochMillis>,
    /// Only records before this time (epoch ms).
    pub to: Option<EpochMillis>,
    /// Continue after this record (a previous page's `next_cursor`).
    pub cursor: Option<String>,
    /// Page size, 1 to [`MAX_AUDIT_LIMIT`]; [`DEFAULT_AUDIT_LIMIT`] when absent.
    pub limit: Option<u32>,
}

const AUDIT_OPERATIONS: [&str; 5] = [
    "RESUME",
    "TERMINATE",
    "RETRY",
    "SKIP_BATCH",
    "ExecuteDocument",
];

impl ListAudit {
    /// This ticket's records.
    pub fn for_execution(id: ExecutionId) -> Self {
        Self {
            execution_id: Some(id),
            ..Self::default()
        }
    }

    /// The page size in effect.
    pub fn limit_or_default(&self) -> u32 {
        self.limit.unwrap_or(DEFAULT_AUDIT_LIMIT)
    }

    /// Checks every field.
    pub fn validate(&self) -> Result<(), Error> {
        if let Some(l) = self.limit
            && !(1..=MAX_AUDIT_LIMIT).contains(&l)
        {
            return Err(Error::invalid(
                "limit",
                format!("{l} is not between 1 and {MAX_AUDIT_LIMIT}"),
            ));
        }
        if let Some(op) = &self.operation
            && !AUDIT_OPERATIONS.contains(&op.as_str())
        {
            return Err(Error::invalid(
                "operation",
                format!("{op:?} is not one of {}", AUDIT_OPERATIONS.join(", ")),
            ));
        }
        if let Some(name) = &self.operator
            && (name.is_empty() || name.chars().count() > 256)
        {
            return Err(Error::invalid("operator", "must be 1 to 256 characters"));
        }
        if let Some(c) = &self.cursor
            && (c.is_empty() || !c.bytes().all(|b| b.is_ascii_digit()) || c.len() > 19)
        {
            return Err(Error::invalid(
                "cursor",
                "is not a cursor this gateway handed out",
            ));
        }
        if let (Some(from), Some(to)) = (self.from, self.to)
            && from > to
        {
            return Err(Error::invalid("from", "is later than \"to\""));
        }
        Ok(())
    }

    /// Reads the query string's pairs, as the gateway receives them.
    /// Unknown parameters are refused.
    pub fn from_query<K: AsRef<str>, V: AsRef<str>>(pairs: &[(K, V)]) -> Result<Self, Error> {
        let mut q = Self::default();
        for (k, v) in pairs {
            let v = v.as_ref();
            match k.as_ref() {
                "execution_id" => q.execution_id = Some(ExecutionId::parse(v)?),
                "document_id" => q.document_id = Some(DocumentId::parse(v)?),
                "operator" => q.operator = Some(v.to_owned()),
                "operation" => q.operation = Some(v.to_owned()),
                "outcome" => q.outcome = Some(Outcome::parse(v)?),
                "from" => q.from = Some(parse_ms("from", v)?),
                "to" => q.to = Some(parse_ms("to", v)?),
                "cursor" => q.cursor = Some(v.to_owned()),
                "limit" => {
                    q.limit = Some(v.parse().map_err(|_| {
                        Error::invalid("limit", format!("{v:?} is not a whole number"))
                    })?);
                }
                other => {
                    return Err(Error::invalid(
                        "query",
                        format!(
                            "unknown parameter {other:?}; expected execution_id, document_id, operator, operation, outcome, from, to, cursor or limit"
                        ),
                    ));
                }
            }
        }
        q.validate()?;
        Ok(q)
    }

    /// The query pairs, in a fixed order.
    pub fn query(&self) -> Vec<(&'static str, String)> {
        let mut q = Vec::new();
        let mut push = |k: &'static str, v: Option<String>| {
            if let Some(v) = v {
                q.push((k, v));
            }
        };
        push(
            "execution_id",
            self.execution_id.as_ref().map(|i| i.as_str().to_owned()),
        );
        push(
            "document_id",
            self.document_id.as_ref().map(|i| i.as_str().to_owned()),
        );
        push("operator", self.operator.clone());
        push("operation", self.operation.clone());
        push("outcome", self.outcome.map(|o| o.as_str().to_owned()));
        push("from", self.from.map(|t| t.to_string()));
        push("to", self.to.map(|t| t.to_string()));
        push("cursor", self.cursor.clone());
        push("limit", self.limit.map(|l| l.to_string()));
        q
    }
}

fn parse_ms(field: &'static str, v: &str) -> Result<EpochMillis, Error> {
    v.parse::<EpochMillis>()
        .ok()
        .filter(|ms| *ms >= 0)
        .ok_or_else(|| Error::invalid(field, format!("{v:?} is not a time in epoch milliseconds")))
}

impl Operation for ListAudit {
    type Output = AuditPage;
    const NAME: &'static str = "ListAudit";

    fn parts(&self) -> Result<RequestParts, Error> {
        self.validate()?;
        Ok(RequestParts::get(
            "/gateway/v1/audit".to_owned(),
            self.query(),
        ))
    }

    fn parse_response(&self, response: &HttpResponse<'_>) -> Result<AuditPage, Error> {
        decode_json(
            response,
            Self::NAME,
            "a JSON object with the audit records in \"records\"",
        )
    }
}
