//! The simulated service's state and its API: documents, tickets with their
//! steps, batches and instances, the operations received, and the queries
//! the routes answer. Pure: no IO, no clock; the caller says what time it is.
//!
//! - [`engine`]: how time and operations move a ticket (the phases, the
//!   plan, the state machine);
//! - [`targets`]: a ticket's targets, generated or as a client sent them,
//!   and how they are cut into units and batches;
//! - [`wire`]: the views the API sends (tickets, steps, instances).
//!
//! It deliberately knows nothing of HTTP, faults, signatures or the seed
//! data ([`crate::routes`], [`crate::faults`], [`crate::seed`]), so the
//! engine is tested without a server.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::{Arc, OnceLock};

use coc_core::{
    Execution, ExecutionStatus, ExecutionType, KeyValue, ListExecutionInstances,
    ListExecutionSteps, ListExecutions, OperateType, Step, StepInstance,
};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::error::{self, CocError};
use crate::rng::{Rng, hash, hex};

mod engine;
mod targets;
mod wire;

pub(crate) use targets::Targets;
pub(crate) use wire::WireExecution;

/// How long TERMINATE takes to turn Canceling into Canceled (simulated time).
pub const CANCEL_DELAY_MS: i64 = 2_000;
/// Batch size of a BATCH ticket with InstanceValues and no `batch_size` parameter.
pub const DEFAULT_BATCH_SIZE: usize = 10;
/// Concurrency of a RATE_CONTROL ticket with no `concurrency` parameter.
pub const DEFAULT_CONCURRENCY: usize = 2;
/// Most units an ExecuteDocument call may ask for.
pub const MAX_UNITS: usize = 20_000;
/// The sys_tag that marks a child ticket; its value is the parent's id.
pub const PARENT_SYS_TAG: &str = "parent_execution_id";

/// One step of a document.
#[derive(Debug, Clone)]
pub(crate) struct StepDef {
    pub name: String,
    pub action: String,
    pub inputs: Vec<KeyValue>,
    /// Typical duration of one instance; each instance takes 75 % to 125 %.
    pub base_ms: i64,
    /// When an instance hangs, it times out after this long.
    pub timeout_ms: i64,
}

/// What goes wrong, on purpose, in a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FailureRule {
    /// Step index (clamped to the last step).
    pub step: usize,
    /// Unit index (clamped to the last unit).
    pub unit: usize,
    pub kind: FailKind,
    /// Only the first attempt goes wrong, so RETRY succeeds.
    pub first_attempt_only: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FailKind {
    /// The instance fails (exit code 1).
    Fail,
    /// The instance never answers and times out after the step's timeout.
    Hang,
}

/// A job ("document") tickets are started from.
#[derive(Debug, Clone)]
pub(crate) struct Document {
    pub id: String,
    pub name: String,
    pub version: String,
    pub version_id: String,
    pub exec_type: ExecutionType,
    pub description: String,
    pub steps: Vec<StepDef>,
    pub default_targets: Targets,
    pub target_parameter_name: Option<String>,
    pub default_parameters: Vec<KeyValue>,
    pub tags: Vec<KeyValue>,
    pub failure: Option<FailureRule>,
}

/// An instance's state; finer than the wire status (Waiting and Skipped
/// are sent as Pending and Canceled).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum InstState {
    Waiting,
    Running,
    Succeed,
    Failed,
    Timeout,
    Canceling,
    Canceled,
    Skipped,
}

impl InstState {
    fn wire(self) -> ExecutionStatus {
        match self {
            InstState::Waiting => ExecutionStatus::Pending,
            InstState::Running => ExecutionStatus::Running,
            InstState::Succeed => ExecutionStatus::Succeed,
            InstState::Failed => ExecutionStatus::Failed,
            InstState::Timeout => ExecutionStatus::Timeout,
            InstState::Canceling => ExecutionStatus::Canceling,
            InstState::Canceled | InstState::Skipped => ExecutionStatus::Canceled,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Succeed,
    Fail,
    Hang,
}

#[derive(Debug, Clone)]
struct Instance {
    id: u64,
    state: InstState,
    start: Option<i64>,
    end: Option<i64>,
    /// Set when its phase starts; meaningful while Waiting or Running.
    plan: Option<(i64, i64, Outcome)>,
    attempt: u8,
}

#[derive(Debug, Clone)]
struct StepRun {
    id: String,
    def: StepDef,
}

/// Everything needed to create a ticket.
#[derive(Debug, Clone)]
pub(crate) struct NewTicket {
    pub id: String,
    pub doc: usize,
    pub creator: String,
    pub description: Option<String>,
    pub parameters: Vec<KeyValue>,
    pub tags: Vec<KeyValue>,
    pub sys_tags: Vec<KeyValue>,
    pub target_parameter_name: Option<String>,
    pub targets: Targets,
    pub version: String,
    pub failure: Option<FailureRule>,
}

/// One ticket and its steps and instances.
#[derive(Debug, Clone)]
pub(crate) struct Ticket {
    numeric_id: u64,
    pub id: String,
    doc: usize,
    exec_type: ExecutionType,
    creator: String,
    description: Option<String>,
    parameters: Vec<KeyValue>,
    tags: Vec<KeyValue>,
    sys_tags: Vec<KeyValue>,
    target_parameter_name: Option<String>,
    version: String,
    targets: Targets,
    /// `targets` rendered once: they never change, and a 10,000-target
    /// ticket would otherwise be rebuilt on every read.
    targets_json: OnceLock<Arc<RawValue>>,
    pub status: ExecutionStatus,
    start_time: i64,
    end_time: Option<i64>,
    update_time: i64,
    steps: Vec<StepRun>,
    batches: Vec<Range<usize>>,
    units: usize,
    /// Step-major: instance of step `s`, unit `u` is at `s * units + u`.
    instances: Vec<Instance>,
    /// The current (or next, when Pending) batch and step.
    batch: usize,
    step: usize,
    cancel_at: Option<i64>,
    pause_between_batches: bool,
    concurrency: usize,
    failure: Option<FailureRule>,
    seed: u64,
    /// Nothing changes before this time (an optimisation for big tickets).
    next_event: Option<i64>,
}

fn param<'a>(params: &'a [KeyValue], key: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|p| p.key == key)
        .and_then(|p| p.value.as_deref())
}

/// One OperateExecution call the service received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperationRecord {
    /// The ticket id as sent.
    pub execution_id: String,
    /// The operate_type as sent.
    pub operate_type: String,
    /// Simulated time of receipt, epoch ms.
    pub received_at_ms: i64,
    /// `X-request-id` of the response.
    pub request_id: String,
    /// True when the operation was applied.
    pub accepted: bool,
    /// Ticket status before (None for an unknown ticket).
    pub status_before: Option<String>,
    /// Ticket status after.
    pub status_after: Option<String>,
    /// The error_code when refused.
    pub error_code: Option<String>,
}

/// A summary of a document for `/__sim/documents`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentInfo {
    /// Document id.
    pub document_id: String,
    /// Name.
    pub name: String,
    /// `NORMAL`, `BATCH` or `RATE_CONTROL`.
    pub r#type: String,
    /// Version.
    pub version: String,
    /// What it does in the simulator.
    pub description: String,
}

/// The whole simulated service.
#[derive(Debug, Clone)]
pub(crate) struct World {
    seed: u64,
    rng: Rng,
    docs: Vec<Document>,
    tickets: Vec<Ticket>,
    by_id: HashMap<String, usize>,
    steps: HashMap<String, (usize, usize)>,
    next_numeric: u64,
    next_instance: u64,
    now: i64,
    ops: HashMap<String, Vec<OperationRecord>>,
}

impl World {
    /// An empty world at time `now`.
    pub(crate) fn empty(seed: u64, now: i64) -> Self {
        Self {
            seed,
            rng: Rng::new(hash(&[seed, 0x5EED])),
            docs: Vec::new(),
            tickets: Vec::new(),
            by_id: HashMap::new(),
            steps: HashMap::new(),
            next_numeric: 100_000,
            next_instance: 9_000_000,
            now,
            ops: HashMap::new(),
        }
    }

    /// The seeded world (see [`crate::seed`]) at time `now`.
    pub(crate) fn seeded(seed: u64, now: i64) -> Self {
        let mut w = Self::empty(seed, now);
        crate::seed::populate(&mut w, now);
        w
    }

    pub(crate) fn seed(&self) -> u64 {
        self.seed
    }

    pub(crate) fn now(&self) -> i64 {
        self.now
    }

    pub(crate) fn add_document(&mut self, doc: Document) -> usize {
        self.docs.push(doc);
        self.docs.len() - 1
    }

    pub(crate) fn doc_index(&self, id: &str) -> Option<usize> {
        self.docs.iter().position(|d| d.id == id)
    }

    pub(crate) fn document(&self, i: usize) -> &Document {
        &self.docs[i]
    }

    /// Creates a ticket started at `at` (which may be in the past: seeding
    /// then advances it with [`World::advance_ticket`]).
    pub(crate) fn create(&mut self, spec: NewTicket, at: i64) -> usize {
        self.next_numeric += 1;
        let doc = &self.docs[spec.doc];
        let t = Ticket::new(
            spec,
            doc,
            self.next_numeric,
            &mut self.next_instance,
            self.seed,
            at,
        );
        let idx = self.tickets.len();
        for (s, step) in t.steps.iter().enumerate() {
            self.steps.insert(step.id.clone(), (idx, s));
        }
        self.by_id.insert(t.id.clone(), idx);
        self.tickets.push(t);
        idx
    }

    pub(crate) fn advance_ticket(&mut self, idx: usize, t: i64) {
        self.tickets[idx].advance_to(t);
    }

    pub(crate) fn ticket_mut(&mut self, idx: usize) -> &mut Ticket {
        &mut self.tickets[idx]
    }

    /// Moves time forward to `t` (never backward).
    pub(crate) fn advance_to(&mut self, t: i64) {
        if t < self.now {
            return;
        }
        self.now = t;
        for ticket in &mut self.tickets {
            ticket.advance_to(t);
        }
    }

    pub(crate) fn ticket_count(&self) -> usize {
        self.tickets.len()
    }

    pub(crate) fn documents(&self) -> Vec<DocumentInfo> {
        self.docs
            .iter()
            .map(|d| DocumentInfo {
                document_id: d.id.clone(),
                name: d.name.clone(),
                r#type: d.exec_type.to_string(),
                version: d.version.clone(),
                description: d.description.clone(),
            })
            .collect()
    }

    /// GetExecution: `None` for an unknown id.
    pub(crate) fn get(&self, id: &str) -> Option<Execution> {
        let t = &self.tickets[*self.by_id.get(id)?];
        Some(t.execution(&self.docs[t.doc]))
    }

    /// GetExecution as served.
    pub(crate) fn get_wire(&self, id: &str) -> Option<WireExecution> {
        let t = &self.tickets[*self.by_id.get(id)?];
        Some(t.wire(&self.docs[t.doc]))
    }

    /// ListExecutions as served.
    pub(crate) fn list_wire(&self, q: &ListExecutions) -> (Vec<WireExecution>, u64) {
        let (hits, total) = self.filter(q);
        let page = paginate(hits, q.offset, q.limit)
            .map(|t| t.wire(&self.docs[t.doc]))
            .collect();
        (page, total)
    }

    /// ListExecutions: newest first, filtered, one page, and the total.
    #[cfg(test)]
    pub(crate) fn list(&self, q: &ListExecutions) -> (Vec<Execution>, u64) {
        let (hits, total) = self.filter(q);
        let page = paginate(hits, q.offset, q.limit)
            .map(|t| t.execution(&self.docs[t.doc]))
            .collect();
        (page, total)
    }

    /// The tickets matching `q`, newest first, and how many they are.
    fn filter(&self, q: &ListExecutions) -> (Vec<&Ticket>, u64) {
        let lower = |s: &Option<String>| s.as_ref().map(|s| s.to_lowercase());
        let (creator, name) = (lower(&q.creator), lower(&q.document_name));
        let mut hits: Vec<&Ticket> = self
            .tickets
            .iter()
            .filter(|t| {
                let doc = &self.docs[t.doc];
                creator
                    .as_ref()
                    .is_none_or(|c| t.creator.to_lowercase().contains(c.as_str()))
                    && name
                        .as_ref()
                        .is_none_or(|n| doc.name.to_lowercase().contains(n.as_str()))
                    && q.document_id.as_ref().is_none_or(|d| *d == doc.id)
                    && q.start_time.is_none_or(|s| t.start_time > s)
                    && q.end_time.is_none_or(|e| t.start_time < e)
                    && q.tags.iter().all(|want| t.tags.contains(want))
                    && (q.exclude_child_executions != Some(true)
                        || !t.sys_tags.iter().any(|s| s.key == PARENT_SYS_TAG))
            })
            .collect();
        hits.sort_by(|a, b| {
            b.start_time
                .cmp(&a.start_time)
                .then(b.numeric_id.cmp(&a.numeric_id))
        });
        let total = hits.len() as u64;
        (hits, total)
    }

    /// ListExecutionSteps: an unknown ticket has no steps.
    pub(crate) fn steps(&self, q: &ListExecutionSteps) -> (Vec<Step>, u64) {
        let Some(t) = self
            .by_id
            .get(q.execution_id.as_str())
            .map(|i| &self.tickets[*i])
        else {
            return (Vec::new(), 0);
        };
        let wanted: Vec<usize> = (0..t.steps.len())
            .filter(|s| {
                q.execution_step_id_list.is_empty()
                    || q.execution_step_id_list
                        .iter()
                        .any(|id| id.as_str() == t.steps[*s].id)
            })
            .collect();
        let total = wanted.len() as u64;
        let page = paginate(wanted, q.offset, q.limit)
            .map(|s| t.step_view(s))
            .collect();
        (page, total)
    }

    /// ListExecutionInstances: an unknown step has no instances.
    pub(crate) fn instances(&self, q: &ListExecutionInstances) -> (Vec<StepInstance>, u64) {
        let Some(&(ti, s)) = self.steps.get(q.execution_step_id.as_str()) else {
            return (Vec::new(), 0);
        };
        let t = &self.tickets[ti];
        let page = paginate(0..t.units, q.offset, q.limit)
            .map(|u| t.instance_view(s, u))
            .collect();
        (page, t.units as u64)
    }

    /// OperateExecution at the current time.
    pub(crate) fn operate(&mut self, id: &str, op: OperateType) -> Result<(), CocError> {
        let now = self.now;
        let idx = *self.by_id.get(id).ok_or_else(|| {
            CocError::bad_request(
                error::EXECUTION_NOT_FOUND,
                format!("execution {id} does not exist"),
            )
        })?;
        self.tickets[idx].operate(op, now)
    }

    pub(crate) fn status_of(&self, id: &str) -> Option<ExecutionStatus> {
        self.by_id.get(id).map(|i| self.tickets[*i].status.clone())
    }

    pub(crate) fn record_operation(&mut self, record: OperationRecord) {
        self.ops
            .entry(record.execution_id.clone())
            .or_default()
            .push(record);
    }

    pub(crate) fn operations(&self, id: &str) -> Vec<OperationRecord> {
        self.ops.get(id).cloned().unwrap_or_default()
    }

    /// ExecuteDocument: starts a ticket now and returns its id.
    pub(crate) fn execute(
        &mut self,
        document_id: &str,
        body: coc_core::ExecuteDocumentBody,
        creator: &str,
    ) -> Result<String, CocError> {
        let doc_idx = self.doc_index(document_id).ok_or_else(|| {
            CocError::bad_request(
                error::DOCUMENT_NOT_FOUND,
                format!("document {document_id} does not exist"),
            )
        })?;
        if let Some(t) = body.document_type.as_deref()
            && t != "PRIVATE"
            && t != "PUBLIC"
        {
            return Err(CocError::bad_request(
                error::INVALID_PARAMETER,
                format!("invalid document_type: {t:?} is not PRIVATE or PUBLIC"),
            ));
        }
        let id = self.new_execution_id();
        let doc = &self.docs[doc_idx];
        let explicit = !body.targets.is_empty();
        let targets = if explicit {
            Targets::from_request(body.targets)?
        } else {
            doc.default_targets.clone()
        };
        let mut parameters = doc.default_parameters.clone();
        for p in body.parameters {
            match parameters.iter_mut().find(|q| q.key == p.key) {
                Some(q) => q.value = p.value,
                None => parameters.push(p),
            }
        }
        let spec = NewTicket {
            id,
            doc: doc_idx,
            creator: creator.to_owned(),
            description: body.description,
            parameters,
            tags: doc.tags.clone(),
            sys_tags: body.sys_tags,
            target_parameter_name: body
                .target_parameter_name
                .or_else(|| doc.target_parameter_name.clone()),
            targets,
            version: body.version.unwrap_or_else(|| doc.version.clone()),
            failure: doc.failure,
        };
        let now = self.now;
        let idx = self.create(spec, now);
        Ok(self.tickets[idx].id.clone())
    }

    /// `EX` + UTC date and time + two digits + six hex digits (24 chars),
    /// the shape of real ids.
    fn new_execution_id(&mut self) -> String {
        let stamp = coc_core::UnixTime::from_millis(self.now)
            .sdk_date()
            .replace(['T', 'Z'], "");
        loop {
            let id = format!(
                "EX{stamp}{:02}{}",
                self.rng.below(100),
                hex(self.rng.next_u64(), 6)
            );
            if !self.by_id.contains_key(&id) {
                return id;
            }
        }
    }
}

fn paginate<T>(
    items: impl IntoIterator<Item = T>,
    offset: Option<u32>,
    limit: Option<u32>,
) -> impl Iterator<Item = T> {
    items
        .into_iter()
        .skip(offset.unwrap_or(0) as usize)
        .take(limit.unwrap_or(coc_core::DEFAULT_LIMIT) as usize)
}

#[cfg(test)]
mod tests;
