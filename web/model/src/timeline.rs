//! Inside a ticket: its steps, each step's instances with status counts,
//! and for a BATCH ticket its batches (which one is current, how many
//! targets each holds and how their instances stand), and what TERMINATE
//! and SKIP_BATCH would hit.
//!
//! The console's loader (`web/src/ticket/timeline.rs`) fetches; this module
//! decides what a load must fetch ([`reusable`]) and what the answers mean
//! ([`finish`]).
//!
//! Batches: a step's `properties` may say `batch_count`, `current_batch`
//! (1-based) and `batch_sizes` (`4,4,4`), and an instance's `batch_index`
//! (1-based). (That is what the simulator sends; the service's own
//! documentation does not say how batches show in these lists.)

use coc_core::{ExecutionStatus, MAX_LIMIT, Step, StepInstance};
use coc_i18n::tr;
use serde_json::{Map, Value};

/// Instances shown per page.
pub const INSTANCE_PAGE: usize = 20;
/// Steps with more instances than this are not counted (that would take
/// more than five requests per step and refresh).
pub const COUNT_MAX: u64 = 500;
pub const WINDOW: usize = MAX_LIMIT as usize;

/// Status buckets as counted and shown: CSS hook and word.
pub const BUCKETS: [(&str, &str); 8] = [
    ("running", tr!("running")),
    ("canceling", tr!("cancelling")),
    ("failed", tr!("failed")),
    ("timeout", tr!("timed out")),
    ("waiting", tr!("waiting")),
    ("succeeded", tr!("succeeded")),
    ("canceled", tr!("cancelled")),
    ("unknown", tr!("other")),
];
pub const RUNNING: usize = 0;
pub const WAITING: usize = 4;

/// Instances per status, in the order of the status buckets above.
pub type Counts = [u32; 8];

pub fn bucket(s: Option<&ExecutionStatus>) -> usize {
    use ExecutionStatus as S;
    match s {
        Some(S::Running) => 0,
        Some(S::Canceling) => 1,
        Some(S::Failed) => 2,
        Some(S::Timeout) => 3,
        Some(S::Pending) => 4,
        Some(S::Succeed) => 5,
        Some(S::Canceled) => 6,
        _ => 7,
    }
}

/// One step and what is known of its instances.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StepData {
    /// The step as listed.
    pub step: Step,
    /// Its id, as text.
    pub id: String,
    /// How many instances the service reports.
    pub total: usize,
    /// The instances held: all of them when `counts` is set, else a window
    /// starting at `offset`.
    pub items: Vec<StepInstance>,
    /// Position of `items[0]`.
    pub offset: usize,
    /// Counts over all instances, when all were fetched.
    pub counts: Option<Counts>,
}

/// One batch of a BATCH ticket.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    /// 1-based.
    pub index: usize,
    /// Targets in it, when known.
    pub targets: Option<usize>,
    /// Its instances over every counted step.
    pub counts: Counts,
}

/// Everything inside one ticket, as of one load.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Inside {
    /// The ticket id it belongs to.
    pub execution_id: String,
    /// The steps, in order.
    pub steps: Vec<StepData>,
    /// Index of the step running now (or where the ticket stopped, or the
    /// one to run next).
    pub current: Option<usize>,
    /// The batches of a BATCH ticket; empty otherwise.
    pub batches: Vec<Batch>,
    /// 1-based: the running batch, or the next one while suspended.
    pub current_batch: Option<usize>,
    /// Every step was counted.
    pub counted: bool,
}

/// What TERMINATE and SKIP_BATCH would hit, for their confirmations.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Blast {
    /// Instances running now; `None` when a step was too large to count.
    pub running: Option<u32>,
    /// The current batch, the number of batches, and how many of the
    /// current batch's instances have not finished (`None`: not counted).
    pub batch: Option<(usize, usize, Option<u32>)>,
}

impl Inside {
    /// The blast radius of TERMINATE and SKIP_BATCH.
    pub fn blast(&self) -> Blast {
        let running = self.counted.then(|| {
            self.steps
                .iter()
                .filter_map(|s| s.counts)
                .map(|c| c[RUNNING])
                .sum()
        });
        let batch = self.current_batch.map(|b| {
            let unrun = self
                .batches
                .get(b - 1)
                .filter(|_| self.counted)
                .map(|x| x.counts[RUNNING] + x.counts[WAITING]);
            (b, self.batches.len(), unrun)
        });
        Blast { running, batch }
    }
}

pub fn prop_num(props: &Map<String, Value>, key: &str) -> Option<usize> {
    match props.get(key)? {
        Value::String(s) => s.trim().parse().ok(),
        Value::Number(n) => n.as_u64().map(|n| n as usize),
        _ => None,
    }
}

pub fn prop_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

pub fn step_id(s: &Step) -> String {
    s.execution_step_id
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default()
}

/// Fills in the batches from the step properties and the counted instances.
pub fn batches(inside: &mut Inside) {
    let props = inside.steps.first().map(|d| &d.step.properties);
    let sizes: Vec<usize> = props
        .and_then(|p| p.get("batch_sizes"))
        .map(prop_text)
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_default();
    let mut rows: Vec<Batch> = Vec::new();
    let grow = |rows: &mut Vec<Batch>, n: usize| {
        while rows.len() < n {
            rows.push(Batch {
                index: rows.len() + 1,
                targets: sizes.get(rows.len()).copied(),
                counts: Counts::default(),
            });
        }
    };
    grow(
        &mut rows,
        props
            .and_then(|p| prop_num(p, "batch_count"))
            .unwrap_or(0)
            .max(sizes.len()),
    );
    for d in inside.steps.iter().filter(|d| d.counts.is_some()) {
        for inst in &d.items {
            if let Some(b) = prop_num(&inst.properties, "batch_index").filter(|b| *b > 0) {
                grow(&mut rows, b);
                rows[b - 1].counts[bucket(inst.status.as_ref())] += 1;
            }
        }
    }
    // The running batch, else the first with instances still to run.
    inside.current_batch = props
        .and_then(|p| prop_num(p, "current_batch"))
        .or_else(|| {
            rows.iter()
                .find(|b| b.counts[RUNNING] > 0)
                .or_else(|| rows.iter().find(|b| b.counts[WAITING] > 0))
                .map(|b| b.index)
        })
        .filter(|b| (1..=rows.len()).contains(b));
    // Every instance of a NORMAL or RATE_CONTROL ticket may say batch 1; a
    // table of one batch means something only when the steps declare it.
    let declared = !sizes.is_empty() || props.is_some_and(|p| p.contains_key("batch_count"));
    if rows.len() > 1 || declared {
        inside.batches = rows;
    } else {
        // No batches to speak of, so none is current (a SKIP_BATCH
        // confirmation must not say "batch 1 of 0").
        inside.current_batch = None;
    }
}

/// True when `old` (a step as of the last load) can stand for `step` as
/// listed now: it had ended, ended at the same time with the same status,
/// and holds the instances the operator looks at (`window`, for a step too
/// large to count).
pub fn reusable(old: &StepData, step: &Step, window: Option<usize>) -> bool {
    old.step.end_time.is_some()
        && old.step.end_time == step.end_time
        && old.step.status == step.status
        && (old.counts.is_some() || window.is_none_or(|w| w == old.offset))
}

/// Counts a step's instances, when all of them are held.
pub fn count(d: &mut StepData) {
    if d.offset == 0 && d.items.len() >= d.total {
        let mut c = Counts::default();
        for i in &d.items {
            c[bucket(i.status.as_ref())] += 1;
        }
        d.counts = Some(c);
    }
}

/// Completes a load: which step is current (running, else where the
/// ticket stopped, else for an active ticket the next to run), and the
/// batches.
pub fn finish(inside: &mut Inside, active: bool) {
    use ExecutionStatus as S;
    let find = |want: &[S]| {
        inside
            .steps
            .iter()
            .position(|d| d.step.status.as_ref().is_some_and(|s| want.contains(s)))
    };
    inside.current = find(&[S::Running, S::Canceling])
        .or_else(|| find(&[S::Failed, S::Timeout]))
        .or_else(|| if active { find(&[S::Pending]) } else { None });
    inside.counted = inside.steps.iter().all(|d| d.counts.is_some());
    batches(inside);
    // A finished ticket has no current batch, whatever its steps last said.
    if !active {
        inside.current_batch = None;
    }
}
