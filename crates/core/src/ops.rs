//! The six job-execution operations: each a plain value that knows its
//! request parts and how to read its response.
//!
//! How responses are read, for every operation:
//! - a non-2xx status is [`Error::Api`] when the body is a structured error
//!   (`error_code`/`error_msg`, or `{"error": {"code", "message"}}`), else
//!   [`Error::Http`] with an excerpt of the body (an HTML page, an empty 502);
//! - OperateExecution: any 2xx is success, whatever the body (the SDKs do
//!   the same: the documented body is a bare string, the example `{ }`);
//! - the others: the body must be one JSON object (no trailing bytes, not an
//!   array; a UTF-8 byte-order mark is skipped); a wrong type is
//!   [`Error::Decode`] naming the JSON path; a COC `error_code` in a 2xx body
//!   without `data` is [`Error::Api`];
//! - GetExecution: `data` null or missing is [`Error::NotFound`]; list
//!   operations: `data` null or missing is an empty page, a `null` item is
//!   dropped, a missing `total` is the page length.
//!
//! The shared part of that reading is in `decode.rs`, and the value parsers
//! behind the `from_query` constructors are in `query.rs`.

use serde_json::Value;

use crate::Error;
use crate::decode::{Envelope, decode, describe, failure, parse_page};
use crate::endpoint::RequestParts;
use crate::error::{DecodeError, excerpt};
use crate::gateway::Reason;
use crate::http::{HttpResponse, Method};
use crate::id::{DocumentId, ExecutionId, StepId, validate_id};
use crate::model::{
    EpochMillis, ExecuteDocumentBody, Execution, KeyValue, OperateType, Page, Step, StepInstance,
};
use crate::query::{parse_bool, parse_num, parse_tags, unknown_query_key};
use crate::uri::encode;

/// One API operation: what to send, and how to read what comes back.
///
/// Build the request with [`crate::Endpoint::prepare`], send it however you
/// like, then hand the response to [`Operation::parse_response`].
pub trait Operation {
    /// The typed result of a successful response.
    type Output;
    /// The SDK's name for the operation, e.g. `GetExecution`.
    const NAME: &'static str;
    /// Method, path, query and body. Fails when a field is invalid.
    fn parts(&self) -> Result<RequestParts, Error>;
    /// Reads a response. Never panics, whatever the bytes.
    fn parse_response(&self, response: &HttpResponse<'_>) -> Result<Self::Output, Error>;
}

/// Page size when none is given (the service's own default).
pub const DEFAULT_LIMIT: u32 = 10;
/// Largest page size accepted. Terraform, the heaviest known client, pages
/// by 100; the service's own ceiling is undocumented, so stay there.
pub const MAX_LIMIT: u32 = 100;
/// Longest free-text filter accepted.
pub const MAX_FILTER_LEN: usize = 256;

/// `GET /v1/executions/{execution_id}`: one ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetExecution {
    /// The ticket.
    pub execution_id: ExecutionId,
}

impl GetExecution {
    /// Validates the id.
    pub fn new(execution_id: &str) -> Result<Self, Error> {
        Ok(Self {
            execution_id: ExecutionId::parse(execution_id)?,
        })
    }
}

impl Operation for GetExecution {
    type Output = Execution;
    const NAME: &'static str = "GetExecution";

    fn parts(&self) -> Result<RequestParts, Error> {
        Ok(RequestParts::get(
            format!("/v1/executions/{}", encode(self.execution_id.as_str())),
            Vec::new(),
        ))
    }

    fn parse_response(&self, response: &HttpResponse<'_>) -> Result<Execution, Error> {
        let env: Envelope<Execution> = decode(
            response,
            Self::NAME,
            "a JSON object with the ticket in \"data\"",
        )?;
        match env.data {
            Some(ticket) => Ok(ticket),
            None => Err(env.error(response).unwrap_or_else(|| Error::NotFound {
                execution_id: self.execution_id.to_string(),
                request_id: response.request_id().map(str::to_owned),
            })),
        }
    }
}

/// `POST /v1/executions`: RESUME, TERMINATE, RETRY or SKIP_BATCH a ticket.
///
/// Never retry this automatically: the service does not document it as
/// idempotent, and a second TERMINATE or SKIP_BATCH is a second operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperateExecution {
    /// The ticket.
    pub execution_id: ExecutionId,
    /// What to do.
    pub operate_type: OperateType,
    /// Why, for a coc-gateway's audit trail: sent as
    /// [`crate::gateway::REASON_HEADER`], which the gateway records and
    /// removes (the service itself has no such field).
    pub reason: Option<Reason>,
}

impl OperateExecution {
    /// Validates the id.
    pub fn new(execution_id: &str, operate_type: OperateType) -> Result<Self, Error> {
        Ok(Self {
            execution_id: ExecutionId::parse(execution_id)?,
            operate_type,
            reason: None,
        })
    }

    /// The same operation with the operator's reason.
    #[must_use]
    pub fn with_reason(mut self, reason: Option<Reason>) -> Self {
        self.reason = reason;
        self
    }
}

/// A successful OperateExecution: the service accepted the operation.
/// The ticket's new state shows in a following GetExecution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operated {
    /// `X-request-id` of the response, for the audit trail.
    pub request_id: Option<String>,
}

impl Operation for OperateExecution {
    type Output = Operated;
    const NAME: &'static str = "OperateExecution";

    fn parts(&self) -> Result<RequestParts, Error> {
        let body = serde_json::json!({
            "execution_id": self.execution_id.as_str(),
            "operate_type": self.operate_type.as_str(),
        });
        Ok(RequestParts {
            method: Method::Post,
            path: "/v1/executions".to_owned(),
            query: Vec::new(),
            headers: reason_header(self.reason.as_ref()),
            body: body.to_string().into_bytes(),
        })
    }

    /// Any 2xx is success, whatever the body: the documented body is a bare
    /// string, the example is `{ }`, and some gateways send nothing.
    fn parse_response(&self, response: &HttpResponse<'_>) -> Result<Operated, Error> {
        if response.is_success() {
            Ok(Operated {
                request_id: response.request_id().map(str::to_owned),
            })
        } else {
            Err(failure(response))
        }
    }
}

/// `GET /v1/executions`: a page of tickets, filtered.
///
/// Every field is optional; [`Operation::parts`] checks them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListExecutions {
    /// Page size, 1 to [`MAX_LIMIT`].
    pub limit: Option<u32>,
    /// Items to skip.
    pub offset: Option<u32>,
    /// Creator, fuzzy match.
    pub creator: Option<String>,
    /// Started after (epoch ms).
    pub start_time: Option<EpochMillis>,
    /// Started before (epoch ms).
    pub end_time: Option<EpochMillis>,
    /// Job name, fuzzy match.
    pub document_name: Option<String>,
    /// Job id, exact.
    pub document_id: Option<String>,
    /// Tags that must all match, sent as `k1=v1,k2=v2`.
    pub tags: Vec<KeyValue>,
    /// Leave out tickets started by other tickets.
    pub exclude_child_executions: Option<bool>,
}

fn check_limit(limit: Option<u32>) -> Result<(), Error> {
    match limit {
        Some(l) if l == 0 || l > MAX_LIMIT => Err(Error::invalid(
            "limit",
            format!("must be from 1 to {MAX_LIMIT}, not {l}"),
        )),
        _ => Ok(()),
    }
}

fn check_text(field: &'static str, value: &Option<String>) -> Result<(), Error> {
    let Some(v) = value else { return Ok(()) };
    if v.trim().is_empty() {
        return Err(Error::invalid(
            field,
            "must not be blank (leave it out instead)",
        ));
    }
    if v.chars().count() > MAX_FILTER_LEN {
        return Err(Error::invalid(
            field,
            format!("is longer than {MAX_FILTER_LEN} characters"),
        ));
    }
    if v.chars().any(char::is_control) {
        return Err(Error::invalid(field, "must not contain control characters"));
    }
    Ok(())
}

fn push_opt<T: ToString>(
    query: &mut Vec<(&'static str, String)>,
    key: &'static str,
    v: &Option<T>,
) {
    if let Some(v) = v {
        query.push((key, v.to_string()));
    }
}

impl ListExecutions {
    /// Checks every filter.
    pub fn validate(&self) -> Result<(), Error> {
        check_limit(self.limit)?;
        check_text("creator", &self.creator)?;
        check_text("document_name", &self.document_name)?;
        if let Some(id) = &self.document_id {
            validate_id(DocumentId::FIELD, id)?;
        }
        for (field, t) in [("start_time", self.start_time), ("end_time", self.end_time)] {
            if t.is_some_and(|t| t < 0) {
                return Err(Error::invalid(field, "must not be before 1970"));
            }
        }
        if let (Some(s), Some(e)) = (self.start_time, self.end_time)
            && s >= e
        {
            return Err(Error::invalid(
                "end_time",
                format!("must be after start_time ({e} is not after {s})"),
            ));
        }
        for tag in &self.tags {
            let value = tag.value.as_deref().unwrap_or_default();
            if tag.key.is_empty() || value.is_empty() {
                return Err(Error::invalid(
                    "tags",
                    format!(
                        "each tag needs a key and a value, as key=value (got {:?}={:?})",
                        tag.key, value
                    ),
                ));
            }
            if tag.key.contains([',', '=']) || value.contains([',', '=']) {
                return Err(Error::invalid(
                    "tags",
                    format!(
                        "{}={value} contains ',' or '=', which the tags filter cannot carry",
                        tag.key
                    ),
                ));
            }
            if tag.key.chars().chain(value.chars()).any(char::is_control) {
                return Err(Error::invalid(
                    "tags",
                    "must not contain control characters",
                ));
            }
        }
        Ok(())
    }

    /// The `tags` query value, `k1=v1,k2=v2`.
    pub fn tags_query(&self) -> String {
        self.tags
            .iter()
            .map(|t| format!("{}={}", t.key, t.value.as_deref().unwrap_or_default()))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Reads query pairs (already percent-decoded) as a gateway or a console
    /// URL carries them, refusing unknown keys and malformed values.
    pub fn from_query<K: AsRef<str>, V: AsRef<str>>(pairs: &[(K, V)]) -> Result<Self, Error> {
        let mut out = Self::default();
        for (k, v) in pairs {
            let v = v.as_ref();
            match k.as_ref() {
                "limit" => out.limit = Some(parse_num("limit", v)?),
                "offset" => out.offset = Some(parse_num("offset", v)?),
                "creator" => out.creator = Some(v.to_owned()),
                "start_time" => out.start_time = Some(parse_num("start_time", v)?),
                "end_time" => out.end_time = Some(parse_num("end_time", v)?),
                "document_name" => out.document_name = Some(v.to_owned()),
                "document_id" => out.document_id = Some(v.to_owned()),
                "tags" => out.tags = parse_tags(v)?,
                "exclude_child_executions" => {
                    out.exclude_child_executions = Some(parse_bool("exclude_child_executions", v)?)
                }
                other => {
                    return Err(unknown_query_key(
                        other,
                        "limit, offset, creator, start_time, end_time, document_name, document_id, tags, exclude_child_executions",
                    ));
                }
            }
        }
        out.validate()?;
        Ok(out)
    }
}

impl Operation for ListExecutions {
    type Output = Page<Execution>;
    const NAME: &'static str = "ListExecutions";

    fn parts(&self) -> Result<RequestParts, Error> {
        self.validate()?;
        let mut q = Vec::new();
        push_opt(&mut q, "limit", &self.limit);
        push_opt(&mut q, "offset", &self.offset);
        push_opt(&mut q, "creator", &self.creator);
        push_opt(&mut q, "start_time", &self.start_time);
        push_opt(&mut q, "end_time", &self.end_time);
        push_opt(&mut q, "document_name", &self.document_name);
        push_opt(&mut q, "document_id", &self.document_id);
        if !self.tags.is_empty() {
            q.push(("tags", self.tags_query()));
        }
        push_opt(
            &mut q,
            "exclude_child_executions",
            &self.exclude_child_executions,
        );
        Ok(RequestParts::get("/v1/executions".to_owned(), q))
    }

    fn parse_response(&self, response: &HttpResponse<'_>) -> Result<Page<Execution>, Error> {
        parse_page(
            response,
            Self::NAME,
            "a JSON object with a list of tickets in \"data\"",
        )
    }
}

/// `GET /v1/executions/{execution_id}/steps`: a ticket's steps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListExecutionSteps {
    /// The ticket.
    pub execution_id: ExecutionId,
    /// Page size, 1 to [`MAX_LIMIT`].
    pub limit: Option<u32>,
    /// Items to skip.
    pub offset: Option<u32>,
    /// Only these steps (sent comma-separated); all when empty.
    pub execution_step_id_list: Vec<StepId>,
}

impl ListExecutionSteps {
    /// All steps of a ticket, first page.
    pub fn new(execution_id: &str) -> Result<Self, Error> {
        Ok(Self {
            execution_id: ExecutionId::parse(execution_id)?,
            limit: None,
            offset: None,
            execution_step_id_list: Vec::new(),
        })
    }

    /// Reads query pairs for a ticket's steps, refusing unknown keys.
    pub fn from_query<K: AsRef<str>, V: AsRef<str>>(
        execution_id: &str,
        pairs: &[(K, V)],
    ) -> Result<Self, Error> {
        let mut out = Self::new(execution_id)?;
        for (k, v) in pairs {
            let v = v.as_ref();
            match k.as_ref() {
                "limit" => out.limit = Some(parse_num("limit", v)?),
                "offset" => out.offset = Some(parse_num("offset", v)?),
                "execution_step_id_list" => {
                    out.execution_step_id_list = v
                        .split(',')
                        .filter(|s| !s.is_empty())
                        .map(StepId::parse)
                        .collect::<Result<_, _>>()?
                }
                other => {
                    return Err(unknown_query_key(
                        other,
                        "limit, offset, execution_step_id_list",
                    ));
                }
            }
        }
        check_limit(out.limit)?;
        Ok(out)
    }
}

impl Operation for ListExecutionSteps {
    type Output = Page<Step>;
    const NAME: &'static str = "ListExecutionSteps";

    fn parts(&self) -> Result<RequestParts, Error> {
        check_limit(self.limit)?;
        // The list is sent comma-separated, so a comma inside one id would
        // silently become two ids.
        if let Some(id) = self
            .execution_step_id_list
            .iter()
            .find(|id| id.as_str().contains(','))
        {
            return Err(Error::invalid(
                "execution_step_id_list",
                format!(
                    "{:?} contains a comma, which separates the ids in this list",
                    id.as_str()
                ),
            ));
        }
        let mut q = Vec::new();
        push_opt(&mut q, "limit", &self.limit);
        push_opt(&mut q, "offset", &self.offset);
        if !self.execution_step_id_list.is_empty() {
            let ids: Vec<&str> = self
                .execution_step_id_list
                .iter()
                .map(StepId::as_str)
                .collect();
            q.push(("execution_step_id_list", ids.join(",")));
        }
        Ok(RequestParts::get(
            format!(
                "/v1/executions/{}/steps",
                encode(self.execution_id.as_str())
            ),
            q,
        ))
    }

    fn parse_response(&self, response: &HttpResponse<'_>) -> Result<Page<Step>, Error> {
        parse_page(
            response,
            Self::NAME,
            "a JSON object with a list of steps in \"data\"",
        )
    }
}

/// `GET /v1/executions/instances`: the instances (one per target) of a step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListExecutionInstances {
    /// The step.
    pub execution_step_id: StepId,
    /// Page size, 1 to [`MAX_LIMIT`].
    pub limit: Option<u32>,
    /// Items to skip.
    pub offset: Option<u32>,
}

impl ListExecutionInstances {
    /// The first page of a step's instances.
    pub fn new(execution_step_id: &str) -> Result<Self, Error> {
        Ok(Self {
            execution_step_id: StepId::parse(execution_step_id)?,
            limit: None,
            offset: None,
        })
    }

    /// Reads query pairs, refusing unknown keys; `execution_step_id` is required.
    pub fn from_query<K: AsRef<str>, V: AsRef<str>>(pairs: &[(K, V)]) -> Result<Self, Error> {
        let (mut step, mut limit, mut offset) = (None, None, None);
        for (k, v) in pairs {
            let v = v.as_ref();
            match k.as_ref() {
                "execution_step_id" => step = Some(StepId::parse(v)?),
                "limit" => limit = Some(parse_num("limit", v)?),
                "offset" => offset = Some(parse_num("offset", v)?),
                other => return Err(unknown_query_key(other, "execution_step_id, limit, offset")),
            }
        }
        check_limit(limit)?;
        Ok(Self {
            execution_step_id: step.ok_or_else(|| Error::invalid(StepId::FIELD, "is required"))?,
            limit,
            offset,
        })
    }
}

impl Operation for ListExecutionInstances {
    type Output = Page<StepInstance>;
    const NAME: &'static str = "ListExecutionInstances";

    fn parts(&self) -> Result<RequestParts, Error> {
        check_limit(self.limit)?;
        let mut q = vec![("execution_step_id", self.execution_step_id.to_string())];
        push_opt(&mut q, "limit", &self.limit);
        push_opt(&mut q, "offset", &self.offset);
        Ok(RequestParts::get("/v1/executions/instances".to_owned(), q))
    }

    fn parse_response(&self, response: &HttpResponse<'_>) -> Result<Page<StepInstance>, Error> {
        parse_page(
            response,
            Self::NAME,
            "a JSON object with a list of instances in \"data\"",
        )
    }
}

/// `POST /v1/documents/{document_id}`: start a job; returns the new ticket id.
#[derive(Debug, Clone, PartialEq)]
pub struct ExecuteDocument {
    /// The job.
    pub document_id: DocumentId,
    /// What to run it with.
    pub body: ExecuteDocumentBody,
    /// Why, for a coc-gateway's audit trail (see [`OperateExecution::reason`]).
    pub reason: Option<Reason>,
}

impl ExecuteDocument {
    /// Validates the id.
    pub fn new(document_id: &str, body: ExecuteDocumentBody) -> Result<Self, Error> {
        Ok(Self {
            document_id: DocumentId::parse(document_id)?,
            body,
            reason: None,
        })
    }

    /// The same request with the operator's reason.
    #[must_use]
    pub fn with_reason(mut self, reason: Option<Reason>) -> Self {
        self.reason = reason;
        self
    }
}

fn reason_header(reason: Option<&Reason>) -> Vec<(&'static str, String)> {
    reason
        .map(|r| vec![(crate::gateway::REASON_HEADER, r.to_header())])
        .unwrap_or_default()
}

impl Operation for ExecuteDocument {
    type Output = String;
    const NAME: &'static str = "ExecuteDocument";

    fn parts(&self) -> Result<RequestParts, Error> {
        if let Some(t) = &self.body.document_type
            && t != "PRIVATE"
            && t != "PUBLIC"
        {
            return Err(Error::invalid(
                "document_type",
                format!("{t:?} is not PRIVATE or PUBLIC"),
            ));
        }
        let body =
            serde_json::to_vec(&self.body).map_err(|e| Error::invalid("body", e.to_string()))?;
        Ok(RequestParts {
            method: Method::Post,
            path: format!("/v1/documents/{}", encode(self.document_id.as_str())),
            query: Vec::new(),
            headers: reason_header(self.reason.as_ref()),
            body,
        })
    }

    fn parse_response(&self, response: &HttpResponse<'_>) -> Result<String, Error> {
        const EXPECTED: &str = "a JSON object with the new ticket id in \"data\"";
        let env: Envelope<Value> = decode(response, Self::NAME, EXPECTED)?;
        match env.data {
            Some(Value::String(id)) if !id.is_empty() => Ok(id),
            Some(other) => Err(Error::Decode(DecodeError {
                status: response.status,
                operation: Self::NAME,
                expected: EXPECTED,
                detail: format!("\"data\" is {}", describe(&other)),
                excerpt: excerpt(response.body),
                request_id: response.request_id().map(str::to_owned),
            })),
            None => Err(env.error(response).unwrap_or_else(|| {
                Error::Decode(DecodeError {
                    status: response.status,
                    operation: Self::NAME,
                    expected: EXPECTED,
                    detail: "\"data\" is missing or null".to_owned(),
                    excerpt: excerpt(response.body),
                    request_id: response.request_id().map(str::to_owned),
                })
            })),
        }
    }
}
