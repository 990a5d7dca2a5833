//! How time and operations move a ticket.
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
//!
//! It deliberately renders nothing (that is [`super::wire`]) and reads no
//! clock: every entry point takes the time it applies at.

use std::sync::OnceLock;

use coc_core::{ExecutionStatus, ExecutionType, OperateType};

use super::targets::chunks;
use super::{
    CANCEL_DELAY_MS, DEFAULT_BATCH_SIZE, DEFAULT_CONCURRENCY, Document, FailKind, InstState,
    Instance, NewTicket, Outcome, StepRun, Ticket, param,
};
use crate::error::{self, CocError};
use crate::rng::{hash, hash_str};

impl Ticket {
    pub(super) fn new(
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

    pub(super) fn idx(&self, step: usize, unit: usize) -> usize {
        step * self.units + unit
    }

    pub(super) fn batch_of(&self, unit: usize) -> usize {
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
    pub(super) fn advance_to(&mut self, t: i64) {
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
}
