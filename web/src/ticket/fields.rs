//! Every field of a ticket (seed 002 plus `sys_tags` and whatever unknown
//! fields the service added), rendered as text.

use std::sync::Arc;

use coc_core::{Execution, KeyValue};
use leptos::prelude::*;

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
            let title = move || format!("{} · {}", fmt::utc(ms), rel());
            view! {
                <time datetime=fmt::iso(ms) title=text(title)>{fmt::local(ms)}</time>
                <span class="coc-rel">{text(rel)}</span>
            }
            .into_any()
        }
    }
}

fn text_or_dash(v: Option<String>) -> AnyView {
    match v.filter(|s| !s.is_empty()) {
        Some(s) => view! { <span>{s}</span> }.into_any(),
        None => view! { <span class="coc-none">"—"</span> }.into_any(),
    }
}

/// One `<dt>/<dd>` pair; `field` names the API field (a hook for tests).
fn field(label: &'static str, name: &'static str, value: AnyView) -> impl IntoView {
    view! {
        <div class="coc-field">
            <dt>{label}</dt>
            <dd data-field=name>{value}</dd>
        </div>
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
                .unwrap_or_else(|| "Unnamed job".to_owned())
        })
    };
    let duration = move || {
        ticket.with(|t| {
            let running = t.end_time.is_none() && t.status_or_unknown().is_active();
            match t.duration_ms(now.get() as i64) {
                Some(d) => {
                    let text = fmt::duration(d);
                    if running {
                        view! { <span class="coc-ticking">{text}</span> " " <span class="coc-muted">"(running)"</span> }.into_any()
                    } else {
                        view! { <span>{text}</span> }.into_any()
                    }
                }
                None => view! { <span class="coc-none">"—"</span> }.into_any(),
            }
        })
    };
    // Fields that change with each poll are closures; the rest rebuild when
    // the ticket value changes, which is cheap at this size.
    let grid = move || {
        ticket.with(|t| {
            let version = t.document_version.clone();
            view! {
                {field("Type", "type", text_or_dash(t.execution_type.as_ref().map(|x| x.as_str().to_owned())))}
                {field("Creator", "creator", text_or_dash(t.creator.clone()))}
                {field("Job id", "document_id", text_or_dash(t.document_id.clone()))}
                {field("Job version", "document_version", text_or_dash(version))}
                {field("Version id", "document_version_id", text_or_dash(t.document_version_id.clone()))}
                {field("Internal id", "id", text_or_dash(t.id.as_ref().map(ToString::to_string)))}
                {field("Target parameter", "target_parameter_name", text_or_dash(t.target_parameter_name.clone()))}
                {field("Started", "start_time", view! { <TimeText ms=t.start_time now /> }.into_any())}
                {field("Ended", "end_time", view! { <TimeText ms=t.end_time now /> }.into_any())}
                {field("Updated", "update_time", view! { <TimeText ms=t.update_time now /> }.into_any())}
                {field("Duration", "duration", view! { <span>{dynv(duration)}</span> }.into_any())}
            }
        })
    };
    view! {
        <section class="coc-card coc-summary" aria-label="Summary">
            <div class="coc-summary-head">
                <StatusBadge status large=true />
                <h2 class="coc-job-name" data-field="document_name">{text(job_name)}</h2>
            </div>
            <div class="coc-id-row">
                <span class="coc-label">"Ticket"</span>
                <code class="coc-ticket-id" data-field="execution_id">{id}</code>
                <CopyButton text=id label="Copy id" />
            </div>
            <dl class="coc-fields">{dynv(move || grid().into_any())}</dl>
            <p class="coc-zone-note">
                "Times are local (" {fmt::zone_label()} "); hover a time for UTC."
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
            {dynv(move || {
                let all = show_all.get();
                ticket.with(|t| kv_table(&t.parameters, "parameters", if all { usize::MAX } else { PARAMS_SHOWN }))
            })}
            {dynv(move || {
                let n = ticket.with(|t| t.parameters.len());
                if n <= PARAMS_SHOWN {
                    return ().into_any();
                }
                view! {
                    <button type="button" class="coc-btn coc-btn-small coc-more" on:click=move |_| show_all.update(|a| *a = !*a)>
                        {text(move || if show_all.get() {
                            format!("Show the first {PARAMS_SHOWN}")
                        } else {
                            format!("Show all {}", fmt::count(n))
                        })}
                    </button>
                }
                .into_any()
            })}
        </section>
        <section class="coc-card" aria-label="Tags">
            <h3>"Tags"</h3>
            {dynv(move || ticket.with(|t| chips(&t.tags, "tags", "No tags.")))}
            <h4>"System tags"</h4>
            {dynv(move || ticket.with(|t| chips(&t.sys_tags, "sys_tags", "No system tags.")))}
        </section>
        {dynv(move || ticket.with(|t| if t.extra.is_empty() { ().into_any() } else { extra_fields(t).into_any() }))}
    }
}

/// Parameters shown before "Show all".
pub const PARAMS_SHOWN: usize = 50;

fn kv_table(items: &[KeyValue], name: &'static str, limit: usize) -> AnyView {
    if items.is_empty() {
        return view! { <p class="coc-empty" data-field=name>"No parameters."</p> }.into_any();
    }
    let rows = items
        .iter()
        .take(limit)
        .map(|kv| {
            let value = text_or_dash(kv.value.clone());
            view! {
                <tr>
                    <th scope="row"><code>{kv.key.clone()}</code></th>
                    <td>{value}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="coc-table-wrap">
            <table class="coc-table coc-kv" data-field=name>
                <thead><tr><th scope="col">"Name"</th><th scope="col">"Value"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

fn chips(items: &[KeyValue], name: &'static str, empty: &'static str) -> AnyView {
    if items.is_empty() {
        return view! { <p class="coc-empty" data-field=name>{empty}</p> }.into_any();
    }
    let list = items
        .iter()
        .map(|kv| {
            view! {
                <li class="coc-chip">
                    <span class="coc-chip-key">{kv.key.clone()}</span>
                    <span class="coc-chip-value">{kv.value.clone().unwrap_or_default()}</span>
                </li>
            }
        })
        .collect_view();
    view! { <ul class="coc-chips" data-field=name>{list}</ul> }.into_any()
}

fn extra_fields(t: &Execution) -> impl IntoView + use<> {
    let rows = t
        .extra
        .iter()
        .map(|(k, v)| {
            let text = match v {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            view! {
                <tr>
                    <th scope="row"><code>{k.clone()}</code></th>
                    <td><code class="coc-wrap">{text}</code></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="coc-card" aria-label="Other fields">
            <h3>"Other fields from the service"</h3>
            <div class="coc-table-wrap">
                <table class="coc-table coc-kv" data-field="extra"><tbody>{rows}</tbody></table>
            </div>
        </section>
    }
}
