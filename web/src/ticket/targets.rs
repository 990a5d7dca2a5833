//! The ticket's targets, paginated so that 10,000 of them keep a small DOM:
//! only one page of rows exists at a time, and filtering works on the data,
//! not on hidden rows.

use coc_i18n::tr;
use std::sync::Arc;

use coc_core::{Execution, Target};
use coc_i18n::view;
use leptos::prelude::*;
use serde_json::Value;

use crate::dom::{self, B};
use crate::fmt;
use crate::widgets::{dynv, text};

/// Rows per page.
pub const PAGE_SIZE: usize = 50;
/// Object keys shown as their own columns; the rest go to a last column.
const MAX_COLUMNS: usize = 5;

fn cell_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// The targets section.
#[component]
pub fn TargetsPanel(#[prop(into)] ticket: Signal<Arc<Execution>>) -> impl IntoView {
    // Only re-render when the targets themselves change, not on every poll.
    let targets: Memo<Arc<Vec<Target>>> =
        Memo::new(move |_| ticket.with(|t| Arc::new(t.targets.clone())));
    let list_ix = RwSignal::new(0usize);
    let page = RwSignal::new(0usize);
    let filter = RwSignal::new(String::new());

    // A selection past the end (a poll brought fewer lists) reads as the first.
    let cur_ix = move || {
        let ix = list_ix.get();
        targets.with(|t| if ix < t.len() { ix } else { 0 })
    };
    // Indices of the values that match the filter; `None` means all.
    let matching: Memo<Option<Arc<Vec<usize>>>> = Memo::new(move |_| {
        let needle = filter.get().trim().to_ascii_lowercase();
        if needle.is_empty() {
            return None;
        }
        let ix = cur_ix();
        targets.with(|t| {
            let values = t.get(ix).map(|c| c.values.as_slice()).unwrap_or_default();
            Some(Arc::new(
                values
                    .iter()
                    .enumerate()
                    .filter(|(_, v)| cell_text(v).to_ascii_lowercase().contains(&needle))
                    .map(|(i, _)| i)
                    .collect(),
            ))
        })
    });
    let total_shown = move || {
        matching.with(|m| match m {
            Some(m) => m.len(),
            None => {
                let ix = cur_ix();
                targets.with(|t| t.get(ix).map_or(0, |c| c.values.len()))
            }
        })
    };
    let pages = move || total_shown().div_ceil(PAGE_SIZE).max(1);
    // The page in effect: clamped when the data or the filter shrinks.
    let page_now = move || page.get().min(pages() - 1);

    let rows = move || {
        let p = page_now();
        let ix = cur_ix();
        targets.with(|t| {
            let Some(c) = t.get(ix) else {
                return B::new("div", "");
            };
            let ixs: Vec<usize> = matching.with(|m| match m {
                Some(m) => m
                    .iter()
                    .copied()
                    .skip(p * PAGE_SIZE)
                    .take(PAGE_SIZE)
                    .collect(),
                None => (p * PAGE_SIZE..((p + 1) * PAGE_SIZE).min(c.values.len())).collect(),
            });
            let page_values: Vec<(usize, &Value)> = ixs
                .iter()
                .filter_map(|&i| c.values.get(i).map(|v| (i, v)))
                .collect();
            // Columns from the keys of the objects on this page, in order of
            // first appearance.
            let mut keys: Vec<String> = Vec::new();
            let all_objects = page_values.iter().all(|(_, v)| v.is_object());
            if all_objects {
                for (_, v) in &page_values {
                    if let Some(o) = v.as_object() {
                        for k in o.keys() {
                            if !keys.contains(k) {
                                keys.push(k.clone());
                            }
                        }
                    }
                }
            }
            let more = keys.len() > MAX_COLUMNS;
            keys.truncate(MAX_COLUMNS);
            let by_key = all_objects && !keys.is_empty();
            let mut head = vec!["#"];
            if by_key {
                head.extend(keys.iter().map(String::as_str));
                if more {
                    head.push(tr!("Other keys"));
                }
            } else {
                head.push(tr!("Value"));
            }
            let body = page_values
                .iter()
                .map(|(i, v)| {
                    let mut cells = vec![dom::cell(&(i + 1).to_string())];
                    if by_key {
                        let o = v.as_object();
                        for k in &keys {
                            let t = o.and_then(|o| o.get(k)).map(cell_text).unwrap_or_default();
                            cells.push(dom::cell(&t));
                        }
                        if more {
                            let rest: serde_json::Map<String, Value> = o
                                .map(|o| {
                                    o.iter()
                                        .filter(|(k, _)| !keys.contains(k))
                                        .map(|(k, v)| (k.clone(), v.clone()))
                                        .collect()
                                })
                                .unwrap_or_default();
                            cells.push(
                                B::new("code", "coc-wrap").text(&Value::Object(rest).to_string()),
                            );
                        }
                    } else {
                        cells.push(B::new("code", "coc-wrap").text(&cell_text(v)));
                    }
                    cells
                })
                .collect();
            let n = total_shown();
            let range = if n == 0 {
                tr!("No matching targets").to_owned()
            } else {
                tr!(
                    "{}–{} of {}",
                    fmt::count(p * PAGE_SIZE + 1),
                    fmt::count(((p + 1) * PAGE_SIZE).min(n)),
                    fmt::count(n)
                )
            };
            B::new("div", "")
                .child(dom::pager("tpage", p, pages(), &range))
                .child(dom::table("coc-targets-table", "targets", &head, body))
        })
    };

    let list_picker = dynv(move || {
        targets.with(|t| {
            if t.len() < 2 {
                return ().into_any();
            }
            {
                t.iter()
                    .enumerate()
                    .map(|(i, target)| {
                        let label = format!(
                            "{} ({})",
                            target.key.as_str(),
                            fmt::count(target.values.len())
                        );
                        view! {
                            <button
                                type="button"
                                class="coc-btn coc-btn-small"
                                aria-pressed=text(move || (list_ix.get() == i).to_string())
                                on:click=crate::widgets::click(move |_| {
                                    list_ix.set(i);
                                    page.set(0);
                                })
                            >
                                {label}
                            </button>
                        }
                    })
                    .collect_view()
                    .into_any()
            }
        })
    });

    let summary = move || {
        let lists = targets.with(|t| {
            t.iter()
                .map(|x| format!("{} {}", fmt::count(x.values.len()), x.key.as_str()))
                .collect::<Vec<_>>()
                .join(", ")
        });
        let param = ticket
            .with(|t| t.target_parameter_name.clone())
            .filter(|p| !p.is_empty());
        match (lists.is_empty(), param) {
            (true, None) => tr!("No targets: the job runs without a target list.").to_owned(),
            (true, Some(p)) => tr!("Target parameter {p}; no targets listed."),
            (false, None) => lists,
            (false, Some(p)) => tr!("{lists} · target parameter {p}"),
        }
    };
    let has_values = move || {
        let ix = cur_ix();
        targets.with(|t| t.get(ix).is_some_and(|c| !c.values.is_empty()))
    };
    view! {
        <section class="coc-card coc-targets" aria-label="Targets" on:click=crate::widgets::click(move |ev| {
            if let Some(p) = dom::action(&ev).and_then(|a| a.strip_prefix("tpage:")?.parse().ok()) {
                page.set(p);
            }
        })>
            <h3>
                "Targets "
                <span class="coc-count" data-field="target_count">
                    {text(move || fmt::count(targets.with(|t| t.iter().map(|x| x.values.len()).sum::<usize>())))}
                </span>
            </h3>
            <p class="coc-muted" data-field="targets_summary">{text(summary)}</p>
            <div class="coc-target-lists">{list_picker}</div>
            {dynv(move || if !has_values() { ().into_any() } else { view! {
                <label class="coc-filter">
                        <span class="coc-sr-only">"Filter targets"</span>
                        <input
                            type="search"
                            placeholder="Filter targets"
                            prop:value=text(move || filter.get())
                            on:input=move |ev| {
                                filter.set(event_target_value(&ev));
                                page.set(0);
                            }
                        />
                </label>
                {dom::live_dom("", rows)}
            }.into_any() })}
        </section>
    }
}
