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

use coc_i18n::tr;
use std::sync::Arc;

use coc_core::{
    Execution, ExecutionStatus, KeyValue, ListExecutionInstances, ListExecutionSteps, MAX_LIMIT,
};
use coc_i18n::view;
use leptos::prelude::*;

use coc_console_model::timeline::{self as model, prop_num, prop_text, step_id};
pub use coc_console_model::timeline::{
    BUCKETS, Batch, Blast, COUNT_MAX, Counts, INSTANCE_PAGE, Inside, StepData, WINDOW,
};

use super::fields::kv_table;
use crate::api::{ApiClient, ApiFailure};
use crate::dom::{self, B};
use crate::errors::ErrorPanel;
use crate::fmt;
use crate::live;
use crate::widgets::{dynv, text};

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
    model::count(d);
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
            Some(o) if model::reusable(o, &step, window) => o.clone(),
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
        out.steps.push(d);
    }
    model::finish(&mut out, active);
    Ok(out)
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
        // The ticket's own feed polls; this one follows the key, so the
        // steps load with the ticket and never on a timer of their own.
        live::feed(
            move || {
                let key = key.get();
                t.retry.track();
                let mut parts = key.split('\n');
                let id = parts.next().unwrap_or_default().to_owned();
                if id.is_empty() {
                    return None;
                }
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
                let active = ticket.with_untracked(|t| t.status_or_unknown().is_active());
                Some((id, active, prev, focus))
            },
            move |(id, active, prev, focus)| load(client.get_untracked(), id, active, prev, focus),
            move |(id, ..), answer: Result<Inside, ApiFailure>| {
                // An answer for a ticket the view has left is dropped.
                if ticket.with_untracked(|t| t.execution_id.as_deref() != Some(&id)) {
                    return;
                }
                match answer {
                    Ok(d) => {
                        t.inside.set(Some(Arc::new(d)));
                        t.error.set(None);
                    }
                    Err(e) => t.error.set(Some(e)),
                }
            },
        );
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

/// The step running now (or where the ticket stopped), in one line: the
/// compact element's stand-in for the whole timeline.
#[component]
pub fn CurrentStep(timeline: Timeline) -> impl IntoView {
    let current = Memo::new(move |_| {
        timeline.inside.with(|i| {
            let i = i.as_ref()?;
            let d = i.steps.get(i.current?)?;
            Some((
                i.current.unwrap_or_default() + 1,
                i.steps.len(),
                d.step.name.clone().unwrap_or_default(),
                d.step.status.clone(),
            ))
        })
    });
    move || {
        current.get().map(|(n, of, name, status)| {
            view! {
                <p class="coc-current-step" data-role="current-step">
                    {tr!("Step {n} of {of}: {name} ")}
                    <crate::status::StatusBadge status item=true />
                </p>
            }
        })
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
            None => B::new("p", "coc-empty").text(tr!("Loading steps…")),
            Some(i) if i.steps.is_empty() => {
                B::new("p", "coc-empty").text(tr!("The service lists no steps for this ticket."))
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
    B::new("span", "coc-tag").text(tr!("current"))
}

fn batch_table(i: &Inside) -> Option<B> {
    if i.batches.is_empty() {
        return None;
    }
    let rows = i
        .batches
        .iter()
        .map(|b| {
            let mut name = dom::cell(&tr!("Batch {}", b.index));
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
        Some(b) => tr!("Batch {b} of {} is current.", i.batches.len()),
        None => tr!("{} batches; none is current.", i.batches.len()),
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
                &[tr!("Batch"), tr!("Targets"), tr!("Instances (all steps)")],
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
            fmt::at(st),
            fmt::at(e),
            fmt::duration(e - st)
        ),
        (Some(st), None) => tr!(
            "since {} · {} so far",
            fmt::at(st),
            fmt::duration(js_sys::Date::now() as i64 - st)
        ),
        _ => tr!("not started").to_owned(),
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
                    &s.name.clone().unwrap_or_else(|| tr!("Step {}", n + 1)),
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
        None => count_line.text(&tr!(
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
        // The separator is text, so the line reads (and copies) as
        // "8 min 33 s · 12 instances", not "8 min 33 s12 instances".
        B::new("p", "coc-step-line")
            .leaf("span", "coc-step-time", &times)
            .leaf("span", "coc-sep", " · ")
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
            (tr!("Inputs"), "inputs", &s.inputs),
            (tr!("Outputs"), "outputs", &s.outputs),
            (tr!("Properties"), "properties", &props),
        ] {
            let inner = kv_table(items, name, usize::MAX, tr!("None."));
            kv = kv.child(B::new("div", "").leaf("h4", "", label).child(inner));
        }
        li = li.child(
            B::new("div", "coc-step-body")
                .attr("id", &body_id)
                .child(
                    B::new("p", "coc-step-id")
                        .text(tr!("Step id "))
                        .leaf("code", "", &d.id),
                )
                .child(kv)
                .child(B::new("h4", "").text(tr!("Instances ")).leaf(
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
        return B::new("p", "coc-empty").text(tr!("No instances."));
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
    let range = tr!(
        "{}–{} of {}",
        fmt::count(from + 1),
        fmt::count((from + INSTANCE_PAGE).min(total)),
        fmt::count(total)
    );
    let b = B::new("div", "").child(dom::pager("page", page, pages, &range));
    if rows.is_empty() {
        b.leaf("p", "coc-empty", tr!("Loading…"))
    } else {
        b.child(dom::table(
            "coc-instances",
            "instances",
            &[
                "#",
                tr!("Status"),
                tr!("Started"),
                tr!("Ended"),
                tr!("Message"),
                tr!("Properties"),
            ],
            rows,
        ))
    }
}
