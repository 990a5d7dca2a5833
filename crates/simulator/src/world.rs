//! The simulated service's state and how time moves it. Pure: no IO, no
//! clock; the caller says what time it is.
//!
//! # How a ticket runs
//!
//! A ticket has steps (from its document) and *units* (its targets, or one
//! implicit unit when it has none). Every step has one instance per unit.
//! Units are grouped into *batches* (see the crate docs for the rule). Work
//! runs in *phases*, batch-major: batch 1 step 1, batch 1 step 2, ...,
//! batch 2 step 1, and so on. A phase starts all its instances at once, or,
//! in a RATE_CONTROL ticket, `concurrency` at a time (each "lane" runs its
//! instances one after another).
//!
//! When a phase starts, each instance gets a planned start and end (its
//! duration and outcome are a hash of the ticket seed, step, unit and
//! attempt). Advancing to time `t` applies every planned transition up to
//! `t` at its planned time, and the next phase starts exactly when the last
//! instance of the previous one ended. So the state at any instant is the
//! same whether time is advanced in one jump or in a thousand small ones.
//!
//! A phase with a failed (or timed-out) instance stops the ticket as Failed
//! (or Timeout) once the phase's other instances finish. A BATCH ticket with
//! `pause_between_batches` becomes Pending after each batch but the last.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::{Arc, OnceLock};

use coc_core::{
    Execution, ExecutionStatus, ExecutionType, KeyValue, ListExecutionInstances,
    ListExecutionSteps, ListExecutions, LooseId, OperateType, Step, StepInstance, Target,
    TargetKind,
};
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};
use serde_json::value::RawValue;
use serde_json::{Map, Value, json};

use crate::error::{self, CocError};
use crate::rng::{Rng, hash, hash_str, hex};

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

/// A ticket's targets: generated on demand (cheap for 10,000 of them) or
/// exactly as a client sent them.
#[derive(Debug, Clone)]
pub(crate) enum Targets {
    None,
    Generated {
        kind: TargetKind,
        count: usize,
        /// Units per batch when `kind` is BatchValues.
        per_batch: usize,
        seed: u64,
        prefix: String,
        region: String,
    },
    Explicit {
        targets: Vec<Target>,
        /// One CloudCMDB object per unit, flattened over batches.
        units: Vec<Value>,
        /// Unit ranges of the BatchValues batches, if any.
        batches: Vec<Range<usize>>,
    },
}

impl Targets {
    fn unit_count(&self) -> usize {
        match self {
            Targets::None => 0,
            Targets::Generated { count, .. } => *count,
            Targets::Explicit { units, .. } => units.len(),
        }
    }

    /// Batches fixed by the targets themselves (BatchValues), if any.
    fn own_batches(&self) -> Option<Vec<Range<usize>>> {
        match self {
            Targets::Generated {
                kind: TargetKind::BatchValues,
                count,
                per_batch,
                ..
            } => Some(chunks(*count, *per_batch)),
            Targets::Explicit { batches, .. } if !batches.is_empty() => Some(batches.clone()),
            _ => None,
        }
    }

    /// The CloudCMDB object of unit `i`.
    fn unit(&self, i: usize) -> Option<Value> {
        match self {
            Targets::None => None,
            Targets::Generated {
                seed,
                prefix,
                region,
                count,
                ..
            } => (i < *count).then(|| cmdb_instance(*seed, prefix, region, i)),
            Targets::Explicit { units, .. } => units.get(i).cloned(),
        }
    }

    /// The targets as GetExecution shows them.
    fn to_wire(&self) -> Vec<Target> {
        match self {
            Targets::None => Vec::new(),
            Targets::Generated {
                kind,
                count,
                per_batch,
                seed,
                prefix,
                region,
            } => {
                let object = |i| cmdb_instance(*seed, prefix, region, i);
                let values = match kind {
                    TargetKind::BatchValues => chunks(*count, *per_batch)
                        .into_iter()
                        .enumerate()
                        .map(|(b, r)| {
                            json!({
                                "batch_index": b + 1,
                                "target_instances": r.map(object).collect::<Vec<_>>(),
                            })
                        })
                        .collect(),
                    _ => (0..*count).map(object).collect(),
                };
                vec![Target {
                    key: kind.clone(),
                    values,
                    extra: Default::default(),
                }]
            }
            Targets::Explicit { targets, .. } => targets.clone(),
        }
    }

    /// Reads targets a client sent to ExecuteDocument.
    ///
    /// InstanceValues: each value is one unit. BatchValues: each value is one
    /// batch, either an array of units or an object whose `target_instances`
    /// (or `instances`) array holds them; any other value is a batch of one.
    fn from_request(targets: Vec<Target>) -> Result<Self, CocError> {
        if targets.is_empty() {
            return Ok(Targets::None);
        }
        let mut units = Vec::new();
        let mut batches = Vec::new();
        for (i, t) in targets.iter().enumerate() {
            if t.values.is_empty() {
                return Err(CocError::bad_request(
                    error::TARGET_NOT_FOUND,
                    format!("target instance does not exist: targets[{i}] has no values"),
                ));
            }
            match &t.key {
                TargetKind::InstanceValues => units.extend(t.values.iter().cloned()),
                TargetKind::BatchValues => {
                    for v in &t.values {
                        let members = match v {
                            Value::Array(a) => a.clone(),
                            Value::Object(o) => {
                                match o.get("target_instances").or_else(|| o.get("instances")) {
                                    Some(Value::Array(a)) => a.clone(),
                                    _ => vec![v.clone()],
                                }
                            }
                            other => vec![other.clone()],
                        };
                        if members.is_empty() {
                            return Err(CocError::bad_request(
                                error::TARGET_NOT_FOUND,
                                format!(
                                    "target instance does not exist: a batch in targets[{i}] is empty"
                                ),
                            ));
                        }
                        let start = units.len();
                        units.extend(members);
                        batches.push(start..units.len());
                    }
                }
                TargetKind::Other(k) => {
                    return Err(CocError::bad_request(
                        error::INVALID_PARAMETER,
                        format!(
                            "invalid targets[{i}].key: {k:?} is not InstanceValues or BatchValues"
                        ),
                    ));
                }
            }
        }
        if units.len() > MAX_UNITS {
            return Err(CocError::bad_request(
                error::INVALID_PARAMETER,
                format!(
                    "invalid targets: {} instances; at most {MAX_UNITS} are allowed",
                    units.len()
                ),
            ));
        }
        Ok(Targets::Explicit {
            targets,
            units,
            batches,
        })
    }
}

/// `0..count` cut into consecutive ranges of `size` (the last may be shorter).
fn chunks(count: usize, size: usize) -> Vec<Range<usize>> {
    let size = size.max(1);
    (0..count.div_ceil(size))
        .map(|b| b * size..((b + 1) * size).min(count))
        .collect()
}

/// A CloudCMDB-like ECS record, derived from `(seed, i)` alone.
fn cmdb_instance(seed: u64, prefix: &str, region: &str, i: usize) -> Value {
    let h = hash(&[seed, i as u64]);
    let h2 = hash(&[h, 1]);
    let uuid = format!(
        "{}-{}-4{}-a{}-{}",
        hex(h, 8),
        &hex(h, 12)[8..],
        &hex(h2, 3),
        &hex(h2, 6)[3..],
        hex(hash(&[h, 2]), 12),
    );
    json!({
        "resource_id": uuid,
        "name": format!("{prefix}-{:04}", i + 1),
        "fixed_ip": format!("192.168.{}.{}", 1 + (i / 250) % 254, 2 + i % 250),
        "region_id": region,
        "provider": "ecs",
        "type": "cloudservers",
        "agent_state": "ONLINE",
    })
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

impl Ticket {
    fn new(
        spec: NewTicket,
        doc: &Document,
        numeric_id: u64,
        next_instance: &mut u64,
        world_seed: u64,
        at: i64,
    ) -> Self {
        let exec_type = doc.exec_type.clone();
        let units = spec.targets.unit_count().max(1);
        let batches = if exec_type == ExecutionType::Batch {
            spec.targets.own_batches().unwrap_or_else(|| {
                let size = param(&spec.parameters, "batch_size")
                    .and_then(|v| v.parse().ok())
                    .filter(|n: &usize| *n > 0)
                    .unwrap_or(DEFAULT_BATCH_SIZE);
                chunks(units, size)
            })
        } else {
            // One batch holding every unit.
            std::iter::once(0..units).collect()
        };
        let concurrency = if exec_type == ExecutionType::RateControl {
            param(&spec.parameters, "concurrency")
                .and_then(|v| v.parse().ok())
                .filter(|n: &usize| *n > 0)
                .unwrap_or(DEFAULT_CONCURRENCY)
        } else {
            usize::MAX
        };
        let pause_between_batches = exec_type == ExecutionType::Batch
            && param(&spec.parameters, "pause_between_batches") != Some("false");
        let steps: Vec<StepRun> = doc
            .steps
            .iter()
            .enumerate()
            .map(|(s, def)| StepRun {
                id: format!("{}-{:02}", spec.id.replacen("EX", "ST", 1), s + 1),
                def: def.clone(),
            })
            .collect();
        let instances = (0..steps.len() * units)
            .map(|_| {
                *next_instance += 1;
                Instance {
                    id: *next_instance,
                    state: InstState::Waiting,
                    start: None,
                    end: None,
                    plan: None,
                    attempt: 0,
                }
            })
            .collect();
        let mut t = Ticket {
            numeric_id,
            seed: hash(&[world_seed, hash_str(&spec.id)]),
            id: spec.id,
            doc: spec.doc,
            exec_type,
            creator: spec.creator,
            description: spec.description,
            parameters: spec.parameters,
            tags: spec.tags,
            sys_tags: spec.sys_tags,
            target_parameter_name: spec.target_parameter_name,
            version: spec.version,
            targets: spec.targets,
            targets_json: OnceLock::new(),
            status: ExecutionStatus::Running,
            start_time: at,
            end_time: None,
            update_time: at,
            steps,
            batches,
            units,
            instances,
            batch: 0,
            step: 0,
            cancel_at: None,
            pause_between_batches,
            concurrency,
            failure: spec.failure,
            next_event: Some(at),
        };
        if t.steps.is_empty() {
            t.status = ExecutionStatus::Succeed;
            t.end_time = Some(at);
        } else {
            t.start_phase(at);
        }
        t
    }

    fn touch(&mut self, at: i64) {
        self.update_time = self.update_time.max(at);
    }

    fn idx(&self, step: usize, unit: usize) -> usize {
        step * self.units + unit
    }

    fn batch_of(&self, unit: usize) -> usize {
        self.batches
            .iter()
            .position(|r| r.contains(&unit))
            .unwrap_or(0)
    }

    /// Duration and outcome of one instance's attempt.
    fn plan_one(&self, step: usize, unit: usize, attempt: u8) -> (i64, Outcome) {
        let def = &self.steps[step].def;
        let h = hash(&[self.seed, step as u64, unit as u64, u64::from(attempt)]);
        let duration = def.base_ms * (750 + (h % 501) as i64) / 1000;
        let outcome = match self.failure {
            Some(rule)
                if rule.step.min(self.steps.len() - 1) == step
                    && rule.unit.min(self.units - 1) == unit
                    && (attempt == 0 || !rule.first_attempt_only) =>
            {
                match rule.kind {
                    FailKind::Fail => Outcome::Fail,
                    FailKind::Hang => Outcome::Hang,
                }
            }
            _ => Outcome::Succeed,
        };
        match outcome {
            Outcome::Hang => (def.timeout_ms, Outcome::Hang),
            // A failing script fails early.
            Outcome::Fail => ((duration / 3).max(1), Outcome::Fail),
            Outcome::Succeed => (duration.max(1), Outcome::Succeed),
        }
    }

    /// Plans `units` of the current step from `at`, `concurrency` lanes at a time.
    fn plan_units(&mut self, units: Vec<usize>, at: i64, next_attempt: bool) {
        let lanes = self.concurrency.min(units.len()).max(1);
        let mut free_at = vec![at; lanes];
        let step = self.step;
        for (k, u) in units.into_iter().enumerate() {
            let i = self.idx(step, u);
            let attempt = if next_attempt {
                self.instances[i].attempt.saturating_add(1)
            } else {
                self.instances[i].attempt
            };
            let (duration, outcome) = self.plan_one(step, u, attempt);
            let start = free_at[k % lanes];
            free_at[k % lanes] = start + duration;
            let inst = &mut self.instances[i];
            inst.attempt = attempt;
            inst.state = InstState::Waiting;
            inst.start = None;
            inst.end = None;
            inst.plan = Some((start, start + duration, outcome));
        }
        self.next_event = Some(at);
        self.touch(at);
    }

    fn start_phase(&mut self, at: i64) {
        let units: Vec<usize> = self.batches[self.batch].clone().collect();
        self.status = ExecutionStatus::Running;
        self.plan_units(units, at, false);
    }

    /// Applies every planned transition up to `t`.
    fn advance_to(&mut self, t: i64) {
        if self.next_event.is_none_or(|at| at > t) {
            return;
        }
        match self.status {
            ExecutionStatus::Canceling => {
                if let Some(at) = self.cancel_at.filter(|at| *at <= t) {
                    self.complete_cancel(at);
                }
            }
            ExecutionStatus::Running => self.run_until(t),
            _ => self.next_event = None,
        }
    }

    fn run_until(&mut self, t: i64) {
        loop {
            let (step, range) = (self.step, self.batches[self.batch].clone());
            let mut next: Option<i64> = None;
            let mut done_at = i64::MIN;
            let (mut failed, mut timed_out) = (false, false);
            let mut touched = i64::MIN;
            for u in range {
                let i = self.idx(step, u);
                let inst = &mut self.instances[i];
                if let Some((start, end, outcome)) = inst.plan {
                    if inst.state == InstState::Waiting {
                        if start <= t {
                            inst.state = InstState::Running;
                            inst.start = Some(start);
                            touched = touched.max(start);
                        } else {
                            next = Some(next.map_or(start, |n| n.min(start)));
                        }
                    }
                    if inst.state == InstState::Running {
                        if end <= t {
                            inst.state = match outcome {
                                Outcome::Succeed => InstState::Succeed,
                                Outcome::Fail => InstState::Failed,
                                Outcome::Hang => InstState::Timeout,
                            };
                            inst.end = Some(end);
                            inst.plan = None;
                            touched = touched.max(end);
                        } else {
                            next = Some(next.map_or(end, |n| n.min(end)));
                        }
                    }
                }
                failed |= inst.state == InstState::Failed;
                timed_out |= inst.state == InstState::Timeout;
                if let Some(end) = inst.end {
                    done_at = done_at.max(end);
                }
            }
            if touched > i64::MIN {
                self.touch(touched);
            }
            if next.is_some() {
                self.next_event = next;
                return;
            }
            // The phase is over.
            let done_at = done_at.max(self.start_time);
            if failed || timed_out {
                self.status = if failed {
                    ExecutionStatus::Failed
                } else {
                    ExecutionStatus::Timeout
                };
                self.end_time = Some(done_at);
                self.touch(done_at);
                self.next_event = None;
                return;
            }
            if self.step + 1 < self.steps.len() {
                self.step += 1;
                self.start_phase(done_at);
            } else if self.batch + 1 < self.batches.len() {
                self.batch += 1;
                self.step = 0;
                if self.pause_between_batches {
                    self.status = ExecutionStatus::Pending;
                    self.touch(done_at);
                    self.next_event = None;
                    return;
                }
                self.start_phase(done_at);
            } else {
                self.status = ExecutionStatus::Succeed;
                self.end_time = Some(done_at);
                self.touch(done_at);
                self.next_event = None;
                return;
            }
        }
    }

    fn complete_cancel(&mut self, at: i64) {
        for inst in &mut self.instances {
            match inst.state {
                InstState::Canceling => {
                    inst.state = InstState::Canceled;
                    inst.end = Some(at);
                }
                InstState::Waiting => inst.state = InstState::Canceled,
                _ => {}
            }
            inst.plan = None;
        }
        self.status = ExecutionStatus::Canceled;
        self.end_time = Some(at);
        self.cancel_at = None;
        self.next_event = None;
        self.touch(at);
    }

    /// Applies an operation at time `at` (already advanced to `at`).
    pub(crate) fn operate(&mut self, op: OperateType, at: i64) -> Result<(), CocError> {
        use ExecutionStatus as S;
        let refuse = |what: &str, allowed: &str| {
            CocError::bad_request(
                error::STATUS_CONFLICT,
                format!(
                    "execution {} is {} and cannot be {what}; {allowed}",
                    self.id, self.status
                ),
            )
        };
        match (op, &self.status) {
            (OperateType::Terminate, S::Running | S::Pending) => {
                for inst in &mut self.instances {
                    if inst.state == InstState::Running {
                        inst.state = InstState::Canceling;
                    }
                }
                self.status = S::Canceling;
                self.cancel_at = Some(at + CANCEL_DELAY_MS);
                self.next_event = self.cancel_at;
                self.touch(at);
            }
            (OperateType::Terminate, _) => {
                return Err(refuse(
                    "terminated",
                    "only a Running or Pending execution can be terminated",
                ));
            }
            (OperateType::Resume | OperateType::Retry, S::Pending) => self.start_phase(at),
            (OperateType::Resume | OperateType::Retry, S::Failed | S::Timeout) => {
                let step = self.step;
                let rerun: Vec<usize> = self.batches[self.batch]
                    .clone()
                    .filter(|u| {
                        matches!(
                            self.instances[self.idx(step, *u)].state,
                            InstState::Failed | InstState::Timeout
                        )
                    })
                    .collect();
                self.status = S::Running;
                self.end_time = None;
                self.plan_units(rerun, at, true);
            }
            (OperateType::Resume, _) => {
                return Err(refuse(
                    "resumed",
                    "only a Pending, Failed or Timeout execution can be resumed",
                ));
            }
            (OperateType::Retry, _) => {
                return Err(refuse(
                    "retried",
                    "only a Failed, Timeout or Pending execution can be retried",
                ));
            }
            (OperateType::SkipBatch, _) if self.exec_type != ExecutionType::Batch => {
                return Err(CocError::bad_request(
                    error::NOT_A_BATCH_EXECUTION,
                    format!(
                        "execution {} is a {} execution and has no batches to skip; only BATCH executions can skip a batch",
                        self.id, self.exec_type
                    ),
                ));
            }
            (OperateType::SkipBatch, S::Running | S::Pending) => self.skip_batch(at),
            (OperateType::SkipBatch, _) => {
                return Err(refuse(
                    "skipped to its next batch",
                    "a batch can be skipped only while the execution is Running or Pending",
                ));
            }
        }
        self.advance_to(at);
        Ok(())
    }

    fn skip_batch(&mut self, at: i64) {
        let range = self.batches[self.batch].clone();
        for s in 0..self.steps.len() {
            for u in range.clone() {
                let i = self.idx(s, u);
                let inst = &mut self.instances[i];
                match inst.state {
                    InstState::Running | InstState::Canceling => {
                        inst.state = InstState::Skipped;
                        inst.end = Some(at);
                    }
                    InstState::Waiting => inst.state = InstState::Skipped,
                    _ => {}
                }
                inst.plan = None;
            }
        }
        self.touch(at);
        if self.batch + 1 < self.batches.len() {
            self.batch += 1;
            self.step = 0;
            self.start_phase(at);
        } else {
            self.status = ExecutionStatus::Succeed;
            self.end_time = Some(at);
            self.next_event = None;
        }
    }

    /// The ticket as the wire shows it, with the targets pre-rendered.
    fn wire(&self, doc: &Document) -> WireExecution {
        let targets = self
            .targets_json
            .get_or_init(|| {
                serde_json::value::to_raw_value(&self.targets.to_wire())
                    .map(Arc::from)
                    .unwrap_or_else(|_| Arc::from(RawValue::NULL.to_owned()))
            })
            .clone();
        let mut rest = self.execution_without_targets(doc);
        rest.targets.clear();
        WireExecution { rest, targets }
    }

    fn execution(&self, doc: &Document) -> Execution {
        Execution {
            targets: self.targets.to_wire(),
            ..self.execution_without_targets(doc)
        }
    }

    fn execution_without_targets(&self, doc: &Document) -> Execution {
        Execution {
            id: Some(LooseId::Number(self.numeric_id.into())),
            execution_id: Some(self.id.clone()),
            document_name: Some(doc.name.clone()),
            document_id: Some(doc.id.clone()),
            document_version_id: Some(doc.version_id.clone()),
            document_version: Some(self.version.clone()),
            start_time: Some(self.start_time),
            end_time: self.end_time,
            update_time: Some(self.update_time),
            creator: Some(self.creator.clone()),
            status: Some(self.status.clone()),
            description: self.description.clone(),
            parameters: self.parameters.clone(),
            tags: self.tags.clone(),
            sys_tags: self.sys_tags.clone(),
            target_parameter_name: self.target_parameter_name.clone(),
            targets: Vec::new(),
            execution_type: Some(self.exec_type.clone()),
            extra: Map::new(),
        }
    }

    fn step_instances(&self, s: usize) -> &[Instance] {
        &self.instances[s * self.units..(s + 1) * self.units]
    }

    fn step_view(&self, s: usize) -> Step {
        let run = &self.steps[s];
        let insts = self.step_instances(s);
        let count = |st: InstState| insts.iter().filter(|i| i.state == st).count();
        let (waiting, running, succeed, failed, timeout, canceling, canceled, skipped) = (
            count(InstState::Waiting),
            count(InstState::Running),
            count(InstState::Succeed),
            count(InstState::Failed),
            count(InstState::Timeout),
            count(InstState::Canceling),
            count(InstState::Canceled),
            count(InstState::Skipped),
        );
        let total = insts.len();
        let finished = total - waiting - running - canceling;
        use ExecutionStatus as S;
        let status = if running > 0 {
            S::Running
        } else if canceling > 0 {
            S::Canceling
        } else if failed > 0 {
            S::Failed
        } else if timeout > 0 {
            S::Timeout
        } else if waiting > 0 {
            S::Pending
        } else if succeed > 0 {
            S::Succeed
        } else {
            S::Canceled
        };
        let message = match status {
            S::Running => format!("running: {finished} of {total} instances finished"),
            S::Canceling => format!("canceling {canceling} running instances"),
            S::Failed => format!(
                "{failed} of {total} instances failed: {}",
                fail_message(self, s)
            ),
            S::Timeout => format!(
                "{timeout} of {total} instances timed out after {} s",
                run.def.timeout_ms / 1000
            ),
            S::Pending if finished == 0 => "waiting to start".to_owned(),
            S::Pending => {
                format!("{finished} of {total} instances finished; waiting for the next batch")
            }
            S::Succeed if skipped > 0 => {
                format!("{succeed} of {total} instances succeeded, {skipped} skipped")
            }
            S::Succeed => format!("{succeed} of {total} instances succeeded"),
            _ => format!("canceled ({canceled} instances canceled, {skipped} skipped)"),
        };
        let start_time = insts.iter().filter_map(|i| i.start).min();
        let end_time = if status.is_terminal() {
            insts.iter().filter_map(|i| i.end).max()
        } else {
            None
        };
        let mut properties = Map::new();
        let mut prop = |k: &str, v: String| {
            properties.insert(k.to_owned(), Value::String(v));
        };
        prop("instance_count", total.to_string());
        if self.exec_type == ExecutionType::Batch {
            prop("batch_count", self.batches.len().to_string());
            prop("current_batch", (self.batch + 1).to_string());
            prop(
                "batch_sizes",
                self.batches
                    .iter()
                    .map(|r| r.len().to_string())
                    .collect::<Vec<_>>()
                    .join(","),
            );
        }
        if self.exec_type == ExecutionType::RateControl {
            prop("concurrency", self.concurrency.to_string());
        }
        let outputs = if status == S::Succeed {
            vec![
                KeyValue::new("exit_code", "0"),
                KeyValue::new("succeeded_instances", succeed.to_string()),
            ]
        } else {
            Vec::new()
        };
        Step {
            execution_step_id: Some(LooseId::Text(run.id.clone())),
            action: Some(run.def.action.clone()),
            name: Some(run.def.name.clone()),
            status: Some(status),
            message: Some(message),
            start_time,
            end_time,
            inputs: run.def.inputs.clone(),
            outputs,
            properties,
            extra: Map::new(),
        }
    }

    fn instance_view(&self, s: usize, u: usize) -> StepInstance {
        let inst = &self.instances[self.idx(s, u)];
        let step = &self.steps[s];
        let mut properties = Map::new();
        if let Some(Value::Object(target)) = self.targets.unit(u) {
            for (out, keys) in [
                ("instance_id", &["resource_id", "instance_id", "id"][..]),
                ("instance_name", &["name", "instance_name"][..]),
                ("fixed_ip", &["fixed_ip", "ip", "private_ip"][..]),
                ("region_id", &["region_id", "region"][..]),
            ] {
                let found = keys.iter().find_map(|k| match target.get(*k) {
                    Some(Value::String(v)) => Some(v.clone()),
                    Some(Value::Number(n)) => Some(n.to_string()),
                    _ => None,
                });
                if let Some(v) = found {
                    properties.insert(out.to_owned(), Value::String(v));
                }
            }
        }
        properties.insert(
            "batch_index".to_owned(),
            Value::String((self.batch_of(u) + 1).to_string()),
        );
        properties.insert(
            "attempt".to_owned(),
            Value::String((u32::from(inst.attempt) + 1).to_string()),
        );
        let message = match inst.state {
            InstState::Waiting => "waiting to run".to_owned(),
            InstState::Running => "running".to_owned(),
            InstState::Succeed => "exit code 0".to_owned(),
            InstState::Failed => fail_message(self, s),
            InstState::Timeout => format!(
                "no result within {} s; the instance timed out",
                step.def.timeout_ms / 1000
            ),
            InstState::Canceling => "canceling".to_owned(),
            InstState::Canceled => "canceled by TERMINATE".to_owned(),
            InstState::Skipped => "skipped by SKIP_BATCH".to_owned(),
        };
        StepInstance {
            id: Some(LooseId::Number(inst.id.into())),
            execution_instance_id: Some(LooseId::Text(format!(
                "{}-{:05}",
                step.id.replacen("ST", "EI", 1),
                u + 1
            ))),
            execution_step_id: Some(LooseId::Text(step.id.clone())),
            start_time: inst.start,
            end_time: inst.end,
            status: Some(inst.state.wire()),
            message: Some(message),
            properties,
            extra: Map::new(),
        }
    }
}

/// A ticket ready to serialise: `coc_core::Execution` with its targets
/// replaced by their cached JSON.
#[derive(Debug, Clone)]
pub(crate) struct WireExecution {
    rest: Execution,
    targets: Arc<RawValue>,
}

impl Serialize for WireExecution {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Value::Object(fields) =
            serde_json::to_value(&self.rest).map_err(serde::ser::Error::custom)?
        else {
            return Err(serde::ser::Error::custom("a ticket is a JSON object"));
        };
        let mut map = serializer.serialize_map(Some(fields.len()))?;
        for (k, v) in &fields {
            if k == "targets" {
                map.serialize_entry(k, &*self.targets)?;
            } else {
                map.serialize_entry(k, v)?;
            }
        }
        map.end()
    }
}

fn fail_message(t: &Ticket, s: usize) -> String {
    format!(
        "{} exited with code 1: command not found: /opt/app/bin/upgrade.sh",
        t.steps[s].def.action
    )
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
#[path = "world_tests.rs"]
mod tests;
