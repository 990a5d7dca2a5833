//! Inside a ticket: its steps (ListExecutionSteps), each step's instances
//! (ListExecutionInstances) with status counts, and for a BATCH ticket its
//! batches: which one is current, how many targets each holds and how their
//! instances stand.
//!
//! Loads follow the ticket: the view reloads when the ticket's
//! `update_time`, status or end changes (so with the ticket's own polling,
//! never on a timer of its own), or when the operator opens a page of a
//! step that is not in memory. A failed load keeps the last good data and
//! says so.
//!
//! Bounded work: a step's instances are all fetched (and counted) only up
//! to [`COUNT_MAX`]; a larger step is fetched a window of 100 at a time, the
//! one the operator is looking at, and left uncounted. Only the open step
//! renders its instances, a page of [`INSTANCE_PAGE`] at a time. Steps that
//! finished and did not change since the last load are not fetched again.
//!
//! Batches: a step's `properties` may say `batch_count`, `current_batch`
//! (1-based) and `batch_sizes` (`4,4,4`), and an instance's `batch_index`
//! (1-based); without them an instance's batch follows from its position and
//! the batch sizes. (That is what the simulator sends; the service's own
//! documentation does not say how batches show in these lists.)

use std::sync::Arc;

use coc_core::{
    Execution, ExecutionStatus, KeyValue, ListExecutionInstances, ListExecutionSteps, MAX_LIMIT,
    Step, StepInstance,
};
use leptos::prelude::*;
use serde_json::{Map, Value};

use super::fields::kv_table;
use crate::api::{ApiClient, ApiFailure};
use crate::dom::{self, B};
use crate::errors::ErrorPanel;
use crate::fmt;
use crate::widgets::{dynv, text};

/// Instances shown per page.
pub const INSTANCE_PAGE: usize = 20;
/// Steps with more instances than this are not counted (that would take
/// more than five requests per step and refresh).
pub const COUNT_MAX: u64 = 500;
const WINDOW: usize = MAX_LIMIT as usize;

/// Status buckets as counted and shown: CSS hook and word.
const BUCKETS: [(&str, &str); 8] = [
    ("running", "running"),
    ("canceling", "cancelling"),
    ("failed", "failed"),
    ("timeout", "timed out"),
    ("waiting", "waiting"),
    ("succeeded", "succeeded"),
    ("canceled", "cancelled"),
    ("unknown", "other"),
];
const RUNNING: usize = 0;
const WAITING: usize = 4;

/// Instances per status, in the order of the status buckets above.
pub type Counts = [u32; 8];

fn bucket(s: Option<&ExecutionStatus>) -> usize {
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

fn prop_num(props: &Map<String, Value>, key: &str) -> Option<usize> {
    match props.get(key)? {
        Value::String(s) => s.trim().parse().ok(),
        Value::Number(n) => n.as_u64().map(|n| n as usize),
        _ => None,
    }
}

fn prop_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn step_id(s: &Step) -> String {
    s.execution_step_id
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default()
}

/// The instances of one step: all of them up to [`COUNT_MAX`], else the
/// window at `window` (when wanted at all).
async fn fetch_instances(
    c: &ApiClient,
    d: &mut StepData,
    window: Option<usize>,
) -> Result<(), ApiFailure> {
    let big = d.total as u64 > COUNT_MAX;
    let mut offset = if big { window.unwrap_or(0) } else { 0 };
    d.offset = offset;
    if big && window.is_none() {
        return Ok(());
    }
    loop {
        let mut op = ListExecutionInstances::new(&d.id).map_err(ApiFailure::Core)?;
        op.limit = Some(MAX_LIMIT);
        op.offset = Some(offset as u32);
        let page = c.call(&op).await?;
        let n = page.items.len();
        d.total = page.total as usize;
        d.items.extend(page.items);
        offset += n;
        if big || n == 0 || offset >= d.total || d.total as u64 > COUNT_MAX {
            break;
        }
    }
    if d.offset == 0 && d.items.len() >= d.total {
        let mut c = Counts::default();
        for i in &d.items {
            c[bucket(i.status.as_ref())] += 1;
        }
        d.counts = Some(c);
    }
    Ok(())
}

/// One load: the steps, then the instances of those that may have changed
/// (a step that had ended, and ended at the same time with the same status,
/// has not).
/// `focus`: a step over [`COUNT_MAX`] the operator looks at, and the window.
pub async fn load(
    c: ApiClient,
    execution_id: String,
    active: bool,
    prev: Option<Arc<Inside>>,
    focus: Option<(String, usize)>,
) -> Result<Inside, ApiFailure> {
    // Steps are few: one page of the largest size holds them.
    let mut op = ListExecutionSteps::new(&execution_id).map_err(ApiFailure::Core)?;
    op.limit = Some(MAX_LIMIT);
    let steps = c.call(&op).await?.items;
    let prev = prev.filter(|p| p.execution_id == execution_id);
    let mut out = Inside {
        execution_id,
        counted: true,
        ..Inside::default()
    };
    for step in steps {
        let id = step_id(&step);
        let window = focus.as_ref().filter(|(f, _)| *f == id).map(|(_, w)| *w);
        let old = prev
            .as_ref()
            .and_then(|p| p.steps.iter().find(|d| d.id == id));
        // A finished step that did not change has the same instances.
        let d = match old {
            Some(o)
                if o.step.end_time.is_some()
                    && o.step.end_time == step.end_time
                    && o.step.status == step.status
                    && (o.counts.is_some() || window.is_none_or(|w| w == o.offset)) =>
            {
                o.clone()
            }
            _ => {
                let mut d = StepData {
                    total: prop_num(&step.properties, "instance_count")
                        .or(old.map(|o| o.total))
                        .unwrap_or(0),
                    step,
                    id,
                    ..StepData::default()
                };
                fetch_instances(&c, &mut d, window).await?;
                d
            }
        };
        out.counted &= d.counts.is_some();
        out.steps.push(d);
    }
    use ExecutionStatus as S;
    let find = |want: &[S]| {
        out.steps
            .iter()
            .position(|d| d.step.status.as_ref().is_some_and(|s| want.contains(s)))
    };
    out.current = find(&[S::Running, S::Canceling])
        .or_else(|| find(&[S::Failed, S::Timeout]))
        .or_else(|| if active { find(&[S::Pending]) } else { None });
    batches(&mut out);
    Ok(out)
}

/// Fills in the batches from the step properties and the counted instances.
fn batches(inside: &mut Inside) {
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
    }
}

/// Status counts as words with a coloured mark: `3 running 9 waiting`.
fn counts(c: &Counts) -> B {
    let mut b = B::new("span", "coc-counts");
    for ((class, word), n) in BUCKETS.iter().zip(c) {
        if *n > 0 {
            b = b.leaf(
                "span",
                &format!("coc-n coc-n-{class}"),
                &format!("{n} {word}"),
            );
        }
    }
    b
}

/// The state of the timeline, owned by the ticket view so that its
/// confirmations can read the blast radius.
#[derive(Debug, Clone, Copy)]
pub struct Timeline {
    /// The last good load.
    pub inside: RwSignal<Option<Arc<Inside>>>,
    /// The last failure, until a good load.
    pub error: RwSignal<Option<ApiFailure>>,
    /// The open step's id; empty: follow the current step; [`CLOSED`]: none.
    chosen: RwSignal<String>,
    page: RwSignal<usize>,
    retry: RwSignal<u32>,
}

const CLOSED: &str = "\u{0}";

impl Timeline {
    /// Loads whenever the ticket changes; lives as long as the owner.
    pub fn new(ticket: Signal<Arc<Execution>>, client: Signal<ApiClient>) -> Self {
        let t = Self {
            inside: RwSignal::new(None),
            error: RwSignal::new(None),
            chosen: RwSignal::new(String::new()),
            page: RwSignal::new(0),
            retry: RwSignal::new(0),
        };
        // What a load depends on, as one string (a Memo of a type the
        // console already has: each new signal type costs wasm): the
        // ticket's id, update time, end and status, and for an open step
        // too large to hold, the window its page is in.
        let key = crate::widgets::memo_text(move || {
            let focus = t
                .open()
                .and_then(|id| {
                    let window = t.page.get() * INSTANCE_PAGE / WINDOW * WINDOW;
                    t.inside.with(|i| {
                        let d = i.as_ref()?.steps.iter().find(|d| d.id == id)?;
                        d.counts.is_none().then(|| format!("{id}\n{window}"))
                    })
                })
                .unwrap_or_default();
            ticket.with(|t| {
                format!(
                    "{}\n{:?}\n{:?}\n{}\n{focus}",
                    t.execution_id.as_deref().unwrap_or_default(),
                    t.update_time,
                    t.end_time,
                    t.status
                        .as_ref()
                        .map(ExecutionStatus::as_str)
                        .unwrap_or_default(),
                )
            })
        });
        let seq = StoredValue::new(0u64);
        let applied = StoredValue::new(0u64);
        crate::widgets::effect(move || {
            let key = key.get();
            t.retry.track();
            let mut parts = key.split('\n');
            let id = parts.next().unwrap_or_default().to_owned();
            if id.is_empty() {
                return;
            }
            let active = ticket.with_untracked(|t| t.status_or_unknown().is_active());
            let focus = match (parts.nth(3), parts.next()) {
                (Some(step), Some(w)) if !step.is_empty() => {
                    Some((step.to_owned(), w.parse().unwrap_or(0)))
                }
                _ => None,
            };
            let prev = t.inside.get_untracked();
            if prev.as_ref().is_some_and(|p| p.execution_id != id) {
                t.inside.set(None);
                t.error.set(None);
                t.chosen.set(String::new());
                t.page.set(0);
            }
            let n = seq.get_value() + 1;
            seq.set_value(n);
            let c = client.get_untracked();
            leptos::task::spawn_local(async move {
                let r = load(c, id.clone(), active, prev, focus).await;
                // The view may be gone (reading its signals would panic); an
                // older load that ends after a newer one is dropped.
                if t.inside.is_disposed()
                    || n <= applied.get_value()
                    || ticket.with_untracked(|t| t.execution_id.as_deref() != Some(&id))
                {
                    return;
                }
                applied.set_value(n);
                match r {
                    Ok(d) => {
                        t.inside.set(Some(Arc::new(d)));
                        t.error.set(None);
                    }
                    Err(e) => t.error.set(Some(e)),
                }
            });
        });
        t
    }

    /// The open step's id.
    fn open(&self) -> Option<String> {
        let chosen = self.chosen.get();
        match chosen.as_str() {
            "" => self.inside.with(|i| {
                let i = i.as_ref()?;
                i.steps.get(i.current?).map(|d| d.id.clone())
            }),
            CLOSED => None,
            _ => Some(chosen),
        }
    }

    /// What TERMINATE and SKIP_BATCH would hit, as of the last load.
    pub fn blast(&self) -> Option<Blast> {
        self.inside.with(|i| i.as_ref().map(|i| i.blast()))
    }
}

/// The steps section of a ticket.
#[component]
pub fn TimelinePanel(
    timeline: Timeline,
    /// Prefix for element ids, unique per ticket view.
    uid: String,
) -> impl IntoView {
    let t = timeline;
    let on_click = move |ev: web_sys::MouseEvent| {
        let Some(act) = dom::action(&ev) else { return };
        match act.split_once(':') {
            Some(("step", id)) => {
                let open = t.open().is_some_and(|o| o == id);
                t.chosen.set(if open {
                    CLOSED.to_owned()
                } else {
                    id.to_owned()
                });
                t.page.set(0);
            }
            Some(("page", p)) => t.page.set(p.parse().unwrap_or(0)),
            _ => {}
        }
    };
    let error = dynv(move || {
        match t.error.get() {
        None => ().into_any(),
        Some(e) => view! {
            <div class="coc-banner coc-banner-warning" data-role="steps-warning">
                <p>"The steps could not be loaded; what is shown is from the last good load. They load again with the ticket."</p>
                <ErrorPanel failure=e compact=true />
                <button type="button" class="coc-btn coc-btn-small" on:click=crate::widgets::click(move |_| t.retry.update(|r| *r += 1))>"Try again"</button>
            </div>
        }
        .into_any(),
    }
    });
    let steps = dom::live_dom("coc-steps-holder", move || {
        let open = t.open();
        let page = t.page.get();
        t.inside.with(|i| match i.as_deref() {
            None => B::new("p", "coc-empty").text("Loading steps…"),
            Some(i) if i.steps.is_empty() => {
                B::new("p", "coc-empty").text("The service lists no steps for this ticket.")
            }
            Some(i) => {
                let mut list = B::new("ol", "coc-steps");
                for (n, d) in i.steps.iter().enumerate() {
                    let is_open = open.as_deref() == Some(d.id.as_str());
                    list = list.child(step(n, d, i.current == Some(n), is_open, page, &uid));
                }
                let b = B::new("div", "");
                match batch_table(i) {
                    Some(t) => b.child(t),
                    None => b,
                }
                .child(list)
            }
        })
    });
    view! {
        <section class="coc-card coc-timeline" aria-label="Steps" on:click=crate::widgets::click(on_click)>
            <h3>"Steps " <span class="coc-count">{text(move || t.inside.with(|i| i.as_ref().map(|i| i.steps.len()).unwrap_or_default().to_string()))}</span></h3>
            {error}
            {steps}
        </section>
    }
}

fn tag() -> B {
    B::new("span", "coc-tag").text("current")
}

fn batch_table(i: &Inside) -> Option<B> {
    if i.batches.is_empty() {
        return None;
    }
    let rows = i
        .batches
        .iter()
        .map(|b| {
            let mut name = dom::cell(&format!("Batch {}", b.index));
            if i.current_batch == Some(b.index) {
                name = name.child(tag());
            }
            vec![
                name,
                dom::cell(&b.targets.map(fmt::count).unwrap_or_default()),
                counts(&b.counts),
            ]
        })
        .collect();
    let summary = match i.current_batch {
        Some(b) => format!("Batch {b} of {} is current.", i.batches.len()),
        None => format!("{} batches; none is current.", i.batches.len()),
    };
    Some(
        B::new("div", "coc-batches")
            .child(
                B::new("p", "coc-batch-summary")
                    .attr("data-role", "batch-summary")
                    .text(&summary),
            )
            .child(dom::table(
                "coc-batch-table",
                "batches",
                &["Batch", "Targets", "Instances (all steps)"],
                rows,
            )),
    )
}

fn step(n: usize, d: &StepData, current: bool, is_open: bool, page: usize, uid: &str) -> B {
    let s = &d.step;
    let body_id = format!("{uid}-step-{n}");
    let times = match (s.start_time, s.end_time) {
        (Some(st), Some(e)) => format!(
            "{} → {} · {}",
            fmt::local(st),
            fmt::local(e),
            fmt::duration(e - st)
        ),
        (Some(st), None) => format!(
            "since {} · {} so far",
            fmt::local(st),
            fmt::duration(js_sys::Date::now() as i64 - st)
        ),
        _ => "not started".to_owned(),
    };
    let mut head = B::new("button", "coc-step-head")
        .attr("type", "button")
        .attr("data-act", &format!("step:{}", d.id))
        .attr("aria-expanded", if is_open { "true" } else { "false" })
        .attr("aria-controls", &body_id)
        .child(
            B::new("span", "coc-step-n")
                .attr("aria-hidden", "true")
                .text(&(n + 1).to_string()),
        )
        .child(
            B::new("span", "coc-step-title")
                .leaf(
                    "span",
                    "coc-step-name",
                    &s.name.clone().unwrap_or_else(|| format!("Step {}", n + 1)),
                )
                .leaf(
                    "code",
                    "coc-step-action",
                    s.action.as_deref().unwrap_or_default(),
                ),
        )
        .child(dom::badge(s.status.as_ref(), true));
    if current {
        head = head.child(tag());
    }
    let count_line = B::new("span", "").attr("data-role", "step-counts");
    let count_line = match &d.counts {
        Some(c) => count_line.child(counts(c)),
        None => count_line.text(&format!(
            "{} instances: too many to count here; page through them below.",
            fmt::count(d.total)
        )),
    };
    let mut li = B::new(
        "li",
        if current {
            "coc-step coc-step-current"
        } else {
            "coc-step"
        },
    )
    .attr("aria-current", if current { "step" } else { "false" })
    .attr("data-step", &d.id)
    .child(head)
    .child(
        B::new("p", "coc-step-line")
            .leaf("span", "coc-step-time", &times)
            .child(count_line),
    )
    .child(
        B::new("p", "coc-step-msg")
            .attr("data-role", "step-message")
            .text(s.message.as_deref().unwrap_or_default()),
    );
    if is_open {
        let props: Vec<KeyValue> = s
            .properties
            .iter()
            .map(|(k, v)| KeyValue::new(k.clone(), prop_text(v)))
            .collect();
        let mut kv = B::new("div", "coc-step-kv");
        for (label, name, items) in [
            ("Inputs", "inputs", &s.inputs),
            ("Outputs", "outputs", &s.outputs),
            ("Properties", "properties", &props),
        ] {
            let inner = kv_table(items, name, usize::MAX, "None.");
            kv = kv.child(B::new("div", "").leaf("h4", "", label).child(inner));
        }
        li = li.child(
            B::new("div", "coc-step-body")
                .attr("id", &body_id)
                .child(
                    B::new("p", "coc-step-id")
                        .text("Step id ")
                        .leaf("code", "", &d.id),
                )
                .child(kv)
                .child(B::new("h4", "").text("Instances ").leaf(
                    "span",
                    "coc-count",
                    &fmt::count(d.total),
                ))
                .child(instances(d, page)),
        );
    }
    li
}

/// The open step's instances, a page at a time.
fn instances(d: &StepData, page: usize) -> B {
    let total = d.total.max(d.items.len());
    if total == 0 {
        return B::new("p", "coc-empty").text("No instances.");
    }
    let pages = total.div_ceil(INSTANCE_PAGE);
    let page = page.min(pages - 1);
    let from = page * INSTANCE_PAGE;
    let rows: Vec<Vec<B>> = match from.checked_sub(d.offset) {
        Some(skip) if skip < d.items.len() => d
            .items
            .iter()
            .enumerate()
            .skip(skip)
            .take(INSTANCE_PAGE)
            .map(|(i, inst)| {
                let props = inst
                    .properties
                    .iter()
                    .map(|(k, v)| format!("{k}={}", prop_text(v)))
                    .collect::<Vec<_>>()
                    .join(" · ");
                let id = inst
                    .execution_instance_id
                    .as_ref()
                    .or(inst.id.as_ref())
                    .map(ToString::to_string)
                    .unwrap_or_default();
                vec![
                    dom::cell(&(d.offset + i + 1).to_string()).attr("title", &id),
                    dom::badge(inst.status.as_ref(), true),
                    dom::time(inst.start_time),
                    dom::time(inst.end_time),
                    dom::cell(inst.message.as_deref().unwrap_or_default()),
                    B::new("code", "coc-wrap").text(&props),
                ]
            })
            .collect(),
        _ => Vec::new(),
    };
    let range = format!(
        "{}–{} of {}",
        fmt::count(from + 1),
        fmt::count((from + INSTANCE_PAGE).min(total)),
        fmt::count(total)
    );
    let b = B::new("div", "").child(dom::pager("page", page, pages, &range));
    if rows.is_empty() {
        b.leaf("p", "coc-empty", "Loading…")
    } else {
        b.child(dom::table(
            "coc-instances",
            "instances",
            &["#", "Status", "Started", "Ended", "Message", "Properties"],
            rows,
        ))
    }
}
