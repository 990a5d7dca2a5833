//! Every field of a ticket (seed 002 plus `sys_tags` and whatever unknown
//! fields the service added), rendered as text.

use coc_i18n::tr;
use std::sync::Arc;

use coc_core::{Execution, KeyValue};
use coc_i18n::view;
use leptos::prelude::*;

use crate::dom::{self, B};
use crate::fmt;
use crate::status::StatusBadge;
use crate::widgets::{CopyButton, dynv, text};

/// A time: local in the text, UTC and relative in the tooltip, relative
/// also shown beside it.
#[component]
pub fn TimeText(ms: Option<i64>, #[prop(into)] now: Signal<f64>) -> impl IntoView {
    match ms {
        None => view! { <span class="coc-none">"—"</span> }.into_any(),
        Some(ms) => {
            let rel = move || fmt::relative(ms, now.get());
            let title = move || format!("{} · {}", fmt::hover(ms), rel());
            view! {
                <time datetime=fmt::iso(ms) title=text(title)>{fmt::at(ms)}</time>
                <span class="coc-rel">{text(rel)}</span>
            }
            .into_any()
        }
    }
}

pub(crate) fn text_or_dash(v: Option<String>) -> AnyView {
    match v.filter(|s| !s.is_empty()) {
        Some(s) => view! { <span>{s}</span> }.into_any(),
        None => view! { <span class="coc-none">"—"</span> }.into_any(),
    }
}

/// The ticket's header: status, job, id and the scalar fields.
#[component]
pub fn TicketSummary(
    #[prop(into)] ticket: Signal<Arc<Execution>>,
    #[prop(into)] now: Signal<f64>,
) -> impl IntoView {
    let status = Signal::derive(move || ticket.with(|t| t.status.clone()));
    let id = Signal::derive(move || ticket.with(|t| t.execution_id.clone().unwrap_or_default()));
    let job_name = move || {
        ticket.with(|t| {
            t.document_name
                .clone()
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| tr!("Unnamed job").to_owned())
        })
    };
    // Rebuilt when the ticket changes and every second (relative times and
    // a running duration tick); plain DOM, as it holds nothing focusable.
    let grid = dom::live_dom("", move || {
        let now = now.get();
        ticket.with(|t| {
            let text = |v: Option<&str>| match v.filter(|s| !s.is_empty()) {
                Some(s) => dom::span(s),
                None => B::new("span", "coc-none").text("—"),
            };
            let time = |ms: Option<i64>| match ms {
                Some(ms) => {
                    let rel = fmt::relative(ms, now);
                    B::new("span", "")
                        .child(
                            dom::time(Some(ms))
                                .attr("title", &format!("{} · {rel}", fmt::hover(ms))),
                        )
                        .leaf("span", "coc-rel", &rel)
                }
                None => text(None),
            };
            let duration = match t.duration_ms(now as i64) {
                Some(d) if t.end_time.is_none() && t.status_or_unknown().is_active() => {
                    B::new("span", "")
                        .leaf("span", "coc-ticking", &fmt::duration(d))
                        .text(" ")
                        .leaf("span", "coc-muted", tr!("(running)"))
                }
                Some(d) => dom::span(&fmt::duration(d)),
                None => text(None),
            };
            let id = t.id.as_ref().map(ToString::to_string);
            let fields = [
                (
                    tr!("Type"),
                    "type",
                    text(
                        t.execution_type
                            .as_ref()
                            .map(coc_console_model::words::type_label),
                    ),
                ),
                (tr!("Creator"), "creator", text(t.creator.as_deref())),
                (tr!("Job id"), "document_id", text(t.document_id.as_deref())),
                (
                    tr!("Job version"),
                    "document_version",
                    text(t.document_version.as_deref()),
                ),
                (
                    tr!("Version id"),
                    "document_version_id",
                    text(t.document_version_id.as_deref()),
                ),
                (tr!("Internal id"), "id", text(id.as_deref())),
                (
                    tr!("Target parameter"),
                    "target_parameter_name",
                    text(t.target_parameter_name.as_deref()),
                ),
                (tr!("Started"), "start_time", time(t.start_time)),
                (tr!("Ended"), "end_time", time(t.end_time)),
                (tr!("Updated"), "update_time", time(t.update_time)),
                (tr!("Duration"), "duration", duration),
            ];
            let mut dl = B::new("dl", "coc-fields");
            for (label, name, value) in fields {
                dl = dl.child(
                    B::new("div", "coc-field")
                        .leaf("dt", "", label)
                        .child(B::new("dd", "").attr("data-field", name).child(value)),
                );
            }
            dl
        })
    });
    view! {
        <section class="coc-card coc-summary" aria-label="Summary">
            <div class="coc-summary-head">
                <StatusBadge status large=true />
                // `elementtiming`: the paint benchmark (tests/tests/paint.rs)
                // reads when the job name first shows.
                {view! { <h2 class="coc-job-name" data-field="document_name">{text(job_name)}</h2> }
                    .attr("elementtiming", "ticket-name")}
            </div>
            <div class="coc-id-row">
                <span class="coc-label">"Ticket"</span>
                <code class="coc-ticket-id" data-field="execution_id">{id}</code>
                <CopyButton text=id label="Copy id" />
            </div>
            {grid}
            <p class="coc-zone-note">
                {tr!("Times are in {}; hover a time for the others.", fmt::zone_label())}
            </p>
        </section>
    }
}

/// Description, parameters, tags and unknown fields.
#[component]
pub fn TicketInfo(#[prop(into)] ticket: Signal<Arc<Execution>>) -> impl IntoView {
    // Like the targets, a long parameter list starts short: the DOM stays
    // small until someone asks for all of it.
    let show_all = RwSignal::new(false);
    view! {
        <section class="coc-card" aria-label="Description">
            <h3>"Description"</h3>
            <p class="coc-description" data-field="description">
                {dynv(move || ticket.with(|t| text_or_dash(t.description.clone())))}
            </p>
        </section>
        <section class="coc-card" aria-label="Parameters">
            <h3>"Parameters" <span class="coc-count">{text(move || ticket.with(|t| t.parameters.len().to_string()))}</span></h3>
            {dom::live_dom("", move || {
                let all = show_all.get();
                ticket.with(|t| kv_table(&t.parameters, "parameters", if all { usize::MAX } else { PARAMS_SHOWN }, tr!("No parameters.")))
            })}
            {dynv(move || {
                let n = ticket.with(|t| t.parameters.len());
                if n <= PARAMS_SHOWN {
                    return ().into_any();
                }
                view! {
                    <button type="button" class="coc-btn coc-btn-small coc-more" on:click=crate::widgets::click(move |_| show_all.update(|a| *a = !*a))>
                        {text(move || if show_all.get() {
                            tr!("Show the first {PARAMS_SHOWN}")
                        } else {
                            tr!("Show all {}", fmt::count(n))
                        })}
                    </button>
                }
                .into_any()
            })}
        </section>
        <section class="coc-card" aria-label="Tags">
            <h3>"Tags"</h3>
            {dom::live_dom("", move || ticket.with(|t| chips(&t.tags, "tags", tr!("No tags."))))}
            <h4>"System tags"</h4>
            {dom::live_dom("", move || ticket.with(|t| chips(&t.sys_tags, "sys_tags", tr!("No system tags."))))}
        </section>
        {dynv(move || ticket.with(|t| if t.extra.is_empty() { ().into_any() } else { extra_fields(t).into_any() }))}
    }
}

/// Parameters shown before "Show all".
pub const PARAMS_SHOWN: usize = 50;

/// A name/value table (parameters), at most `limit` rows; `empty` when
/// there are none.
pub(crate) fn kv_table(
    items: &[KeyValue],
    name: &'static str,
    limit: usize,
    empty: &'static str,
) -> B {
    if items.is_empty() {
        return B::new("p", "coc-empty")
            .attr("data-field", name)
            .text(empty);
    }
    let rows = items
        .iter()
        .take(limit)
        .map(|kv| {
            vec![
                B::new("code", "").text(&kv.key),
                dom::cell(kv.value.as_deref().filter(|v| !v.is_empty()).unwrap_or("—")),
            ]
        })
        .collect();
    dom::table("coc-kv", name, &[tr!("Name"), tr!("Value")], rows)
}

fn chips(items: &[KeyValue], name: &'static str, empty: &'static str) -> B {
    if items.is_empty() {
        return B::new("p", "coc-empty")
            .attr("data-field", name)
            .text(empty);
    }
    let mut ul = B::new("ul", "coc-chips").attr("data-field", name);
    for kv in items {
        ul = ul.child(
            B::new("li", "coc-chip")
                .leaf("span", "coc-chip-key", &kv.key)
                .leaf(
                    "span",
                    "coc-chip-value",
                    kv.value.as_deref().unwrap_or_default(),
                ),
        );
    }
    ul
}

fn extra_fields(t: &Execution) -> impl IntoView + use<> {
    let items: Vec<KeyValue> = t
        .extra
        .iter()
        .map(|(k, v)| {
            let text = match v {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            KeyValue::new(k.clone(), text)
        })
        .collect();
    view! {
        <section class="coc-card" aria-label="Other fields">
            <h3>"Other fields from the service"</h3>
            {dom::live_dom("", move || kv_table(&items, "extra", usize::MAX, ""))}
        </section>
    }
}
