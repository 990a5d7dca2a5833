//! `/executions`: the ticket list, filtered and paged, live.
//!
//! Every filter lives in the URL query, under the API's own names
//! (`creator`, `document_name`, `document_id`, `start_time`, `end_time`,
//! `tags`, `exclude_child_executions`, `limit`, `offset`), so a filtered
//! view is a link and back/forward move between views. The URL is read with
//! `coc_core::ListExecutions::from_query` (which validates) and written from
//! the operation's own query parts; the form goes through the same
//! `from_query`, so what it refuses, the API would too.
//!
//! Live updates follow the ticket page's rules ([`Live`]): poll while any
//! listed ticket is active, back off and warn on failure, keep the last good
//! page. What it deliberately does not do: sort (the service lists newest
//! first), or search fields the API cannot filter on.

use std::sync::Arc;

use coc_core::gateway::{AuditPage, AuditRecord, ListAudit};
use coc_core::{Execution, ListExecutions, Operation, Page};
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

use crate::api::ApiClient;
use crate::dom::{self, B};
use crate::fmt;
use crate::live::{Live, LiveBar, StaleWarning};
use crate::operator::{MeState, known};
use crate::pages::{APP, client_memo, settings_problem};
use crate::settings::Settings;
use crate::storage::{self, Area};
use crate::widgets::{self, dynv};
use crate::{Loc, set_title};

/// Tickets per page unless the URL says otherwise.
pub const DEFAULT_LIMIT: u32 = 20;
const LIMITS: [u32; 4] = [10, 20, 50, 100];
/// Where the last list URL is kept, for the ticket page's way back.
pub const LAST_LIST_KEY: &str = "coc.list";

/// The filter fields: API name, label, input type, hint.
const FIELDS: [(&str, &str, &str, &str); 6] = [
    ("creator", "Creator", "text", "Part of a name"),
    ("document_name", "Job name", "text", "Part of a name"),
    ("document_id", "Job id", "text", "Exact id"),
    ("start_time", "Started after", "datetime-local", ""),
    ("end_time", "Started before", "datetime-local", ""),
    ("tags", "Tags", "text", "env=prod,team=ops"),
];

fn is_time(key: &str) -> bool {
    key.ends_with("_time")
}

fn decode(s: &str) -> String {
    js_sys::decode_uri_component(&s.replace('+', " "))
        .map(String::from)
        .unwrap_or_else(|_| s.to_owned())
}

/// The query pairs of `?a=b&c=d`, decoded, without the console's own
/// `embed`.
pub fn query_pairs(search: &str) -> Vec<(String, String)> {
    search
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .filter(|(k, _)| k != "embed" && k != "mine")
        .collect()
}

/// True on `/executions?mine=1`: the tickets the signed-in operator
/// operated, from the gateway's audit trail.
pub fn is_mine(search: &str) -> bool {
    search
        .trim_start_matches('?')
        .split('&')
        .any(|p| p == "mine=1")
}

/// The filters a URL query describes, with the console's page size when it
/// gives none.
pub fn parse_query(search: &str) -> Result<ListExecutions, coc_core::Error> {
    let mut op = ListExecutions::from_query(&query_pairs(search))?;
    op.limit.get_or_insert(DEFAULT_LIMIT);
    Ok(op)
}

/// The console URL of a list view (`/executions?creator=…`), from the
/// operation's own query parts; the default page size and a zero offset are
/// left out.
pub fn list_href(op: &ListExecutions, embed: bool) -> String {
    let mut out = String::from("/executions");
    let parts = op.parts().map(|p| p.query).unwrap_or_default();
    let mut sep = '?';
    for (k, v) in &parts {
        if (*k == "limit" && *v == DEFAULT_LIMIT.to_string()) || (*k == "offset" && v == "0") {
            continue;
        }
        out.push(sep);
        out.push_str(k);
        out.push('=');
        out.push_str(&String::from(js_sys::encode_uri_component(v)));
        sep = '&';
    }
    if embed {
        out.push(sep);
        out.push_str("embed=1");
    }
    out
}

/// A `datetime-local` value (local time) as epoch ms.
fn local_to_ms(v: &str) -> Option<i64> {
    let t = js_sys::Date::new(&JsValue::from_str(v)).get_time();
    (!t.is_nan()).then_some(t as i64)
}

/// The form's value for a filter of `op`.
fn field_value(op: &ListExecutions, key: &str) -> String {
    let time = |t: Option<i64>| {
        t.map(|ms| fmt::local(ms).replacen(' ', "T", 1))
            .unwrap_or_default()
    };
    match key {
        "creator" => op.creator.clone().unwrap_or_default(),
        "document_name" => op.document_name.clone().unwrap_or_default(),
        "document_id" => op.document_id.clone().unwrap_or_default(),
        "start_time" => time(op.start_time),
        "end_time" => time(op.end_time),
        _ => op.tags_query(),
    }
}

/// `/executions`: the list with the client the settings describe.
#[component]
pub fn ListPage() -> impl IntoView {
    set_title(&format!("Tickets · {APP}"));
    let settings = expect_context::<RwSignal<Settings>>();
    let client = client_memo(settings);
    let poll = settings.with_untracked(|s| s.poll_secs);
    let loc = expect_context::<Loc>();
    let me = expect_context::<crate::operator::Operator>().0;
    let mine = Memo::new(move |_| loc.search.with(|s| is_mine(s)));
    let embed = move || loc.search.with(|s| s.contains("embed=1"));
    let current = move |want: bool| if mine.get() == want { "page" } else { "false" }.to_owned();
    let modes = view! {
        <nav class="coc-list-modes" aria-label="Which tickets">
            <a href=widgets::text(move || if embed() { "/executions?embed=1".to_owned() } else { "/executions".to_owned() })
                aria-current=widgets::text(move || current(false))>"All tickets"</a>
            <a href=widgets::text(move || if embed() { "/executions?mine=1&embed=1".to_owned() } else { "/executions?mine=1".to_owned() })
                aria-current=widgets::text(move || current(true))>"Operated by me"</a>
        </nav>
    };
    let body = dynv(move || match (client.get(), mine.get()) {
        (Err(e), _) => settings_problem(e),
        (Ok(c), false) => view! { <ListView client=c poll_secs=poll /> }.into_any(),
        (Ok(c), true) => view! { <MineView client=c me /> }.into_any(),
    });
    view! { {modes} {body} }
}

/// The most recent audit records read for "Operated by me".
const MINE_RECORDS: u32 = coc_core::gateway::MAX_AUDIT_LIMIT;

/// One ticket in "Operated by me": its newest record of the operator's,
/// and how many there were.
fn mine_tickets(page: &AuditPage) -> Vec<(&AuditRecord, usize)> {
    let mut out: Vec<(&AuditRecord, usize)> = Vec::new();
    for r in &page.records {
        // ExecuteDocument records name the ticket they started.
        let Some(id) = r.execution_id.as_ref().or(r.new_execution_id.as_ref()) else {
            continue;
        };
        let same =
            |o: &AuditRecord| o.execution_id.as_ref().or(o.new_execution_id.as_ref()) == Some(id);
        match out.iter_mut().find(|(o, _)| same(o)) {
            Some((_, n)) => *n += 1,
            None => out.push((r, 1)),
        }
    }
    out
}

/// `/executions?mine=1`: the tickets the signed-in operator operated,
/// newest first, from the gateway's audit trail (`operator` = the name
/// `/gateway/v1/me` gave). Read on load and on Refresh.
#[component]
pub fn MineView(
    /// How to reach the gateway.
    #[prop(into)]
    client: Signal<ApiClient>,
    /// Who the gateway says the caller is.
    #[prop(into)]
    me: Signal<MeState>,
) -> impl IntoView {
    let state = RwSignal::new(None::<Result<AuditPage, crate::api::ApiFailure>>);
    let refresh = RwSignal::new(0u64);
    let seq = StoredValue::new(0u64);
    let embed = Signal::derive(move || {
        use_context::<Loc>().is_some_and(|l| l.search.with(|s| s.contains("embed=1")))
    });
    widgets::effect(move || {
        refresh.track();
        let c = client.get();
        let Some(me) = me.with(known) else {
            state.set(None);
            return;
        };
        let n = seq.get_value() + 1;
        seq.set_value(n);
        let op = ListAudit {
            operator: Some(me.operator.clone()),
            limit: Some(MINE_RECORDS),
            ..ListAudit::default()
        };
        leptos::task::spawn_local(async move {
            let r = c.call(&op).await;
            if !state.is_disposed() && n == seq.get_value() {
                state.set(Some(r));
            }
        });
    });
    let body = dom::live_dom("coc-mine-body", move || {
        use crate::ticket::activity::{note, unavailable};
        let me = me.get();
        match (&me, state.get()) {
            (None, _) => note("loading", "Asking the gateway who you are…"),
            (Some(Err(e)), _) if e.status() == Some(404) => note(
                "absent",
                "This gateway does not know operators (it has no /gateway/v1/me), so it cannot say which tickets you operated.",
            ),
            (Some(Err(e)), _) => unavailable(e),
            (Some(Ok(_)), None) => note("loading", "Loading your operations…"),
            (Some(Ok(_)), Some(Err(e))) => unavailable(&e),
            (Some(Ok(who)), Some(Ok(page))) => {
                let tickets = mine_tickets(&page);
                if tickets.is_empty() {
                    return note(
                        "empty",
                        &format!("The audit trail holds no operation by {}.", who.operator),
                    );
                }
                let embed = embed.get_untracked();
                let rows = tickets
                    .iter()
                    .map(|(r, count)| {
                        let id = r
                            .execution_id
                            .as_deref()
                            .or(r.new_execution_id.as_deref())
                            .unwrap_or_default();
                        vec![
                            B::new("a", "coc-mono coc-mine-ticket")
                                .attr(
                                    "href",
                                    &format!(
                                        "/executions/{}{}",
                                        String::from(js_sys::encode_uri_component(id)),
                                        if embed { "?embed=1" } else { "" }
                                    ),
                                )
                                .text(id),
                            dom::cell(&r.operation),
                            dom::time(Some(r.at)),
                            B::new(
                                "span",
                                &format!("coc-outcome coc-outcome-{}", r.outcome.as_str()),
                            )
                            .attr("data-outcome", r.outcome.as_str())
                            .text(&crate::ticket::outcome_text(r)),
                            dom::cell(&fmt::count(*count)),
                        ]
                    })
                    .collect();
                let mut out = B::new("div", "coc-card coc-list coc-mine").child(dom::table(
                    "coc-list-table",
                    "mine",
                    &["Ticket", "Last operation", "When", "Outcome", "Operations"],
                    rows,
                ));
                if page.next_cursor.is_some() {
                    out = out.child(note(
                        "more",
                        &format!(
                            "From your {} most recent operations.",
                            fmt::count(page.records.len())
                        ),
                    ));
                }
                out
            }
        }
    });
    let on_click = move |ev: web_sys::MouseEvent| {
        if dom::action(&ev).as_deref() == Some("mine-refresh") {
            refresh.update(|r| *r += 1);
        }
    };
    view! {
        <div class="coc-list-page coc-mine-page" on:click=widgets::click(on_click)>
            <div class="coc-section-head">
                <h1>"Tickets I operated"</h1>
                <button type="button" class="coc-btn coc-btn-small" data-act="mine-refresh">"Refresh"</button>
            </div>
            {body}
        </div>
    }
}

/// The ticket list for the page's URL (the [`Loc`] in context).
#[component]
pub fn ListView(
    /// How to reach the API.
    #[prop(into)]
    client: Signal<ApiClient>,
    /// Polling interval in seconds (default 3).
    #[prop(optional)]
    poll_secs: Option<u32>,
) -> impl IntoView {
    let loc = expect_context::<Loc>();
    let live = Live::new(poll_secs, None);
    let embed = move || loc.search.with(|s| s.contains("embed=1"));

    // The last good page, with the query it answers.
    let data = RwSignal::new(None::<Arc<(String, Page<Execution>)>>);
    let seq = StoredValue::new(0u64);
    let applied = StoredValue::new(0u64);

    // The URL is remembered for the ticket page's way back, and fetched.
    widgets::effect(move || {
        let search = loc.search.get();
        if let Ok(op) = parse_query(&search) {
            storage::set(
                Area::Session,
                LAST_LIST_KEY,
                &list_href(&op, search.contains("embed=1")),
            );
        }
        // New filters, new history: an old page's time is not theirs.
        live.reset();
    });
    widgets::effect(move || {
        let search = loc.search.get();
        live.refresh.track();
        let c = client.get();
        let Ok(op) = parse_query(&search) else { return };
        let n = seq.get_value() + 1;
        seq.set_value(n);
        live.started();
        live.loading.set(true);
        leptos::task::spawn_local(async move {
            let r = c.call(&op).await;
            if data.is_disposed() || n <= applied.get_value() {
                return;
            }
            applied.set_value(n);
            live.loading.set(n < seq.get_value());
            match r {
                Ok(page) => {
                    data.set(Some(Arc::new((search, page))));
                    live.answered(None);
                }
                Err(e) => live.answered(Some(e)),
            }
        });
    });
    let current = move || {
        data.with(|d| {
            d.as_ref()
                .filter(|d| loc.search.with(|s| *s == d.0))
                .cloned()
        })
    };
    let active = Signal::derive(move || {
        data.with(|d| {
            d.as_ref()
                .map(|d| d.1.items.iter().any(|t| t.status_or_unknown().is_active()))
        })
    });
    live.schedule(move || {
        (active.get() == Some(true) || (active.get().is_none() && live.transient()))
            .then_some(false)
    });

    // The form is plain DOM, built from the URL (so back/forward and links
    // set it) and read when submitted; see `crate::dom` for why.
    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(form) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        else {
            return;
        };
        let input = |name: &str| {
            form.query_selector(&format!("[name={name}]"))
                .ok()
                .flatten()
                .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok())
        };
        let complain = |field: &str, text: String| {
            for (key, ..) in FIELDS {
                if let Some(i) = input(key) {
                    let _ = i
                        .set_attribute("aria-invalid", if key == field { "true" } else { "false" });
                }
            }
            if let Ok(Some(p)) = form.query_selector("#coc-filter-problem") {
                p.set_text_content(Some(&text));
            }
        };
        let mut pairs: Vec<(String, String)> = Vec::new();
        for (key, label, ..) in FIELDS {
            let v = input(key).map(|i| i.value()).unwrap_or_default();
            let v = v.trim();
            if v.is_empty() {
                continue;
            }
            let v = if is_time(key) {
                match local_to_ms(v) {
                    Some(ms) => ms.to_string(),
                    None => return complain(key, format!("{label}: not a date and time.")),
                }
            } else {
                v.to_owned()
            };
            pairs.push((key.to_owned(), v));
        }
        if input("exclude_child_executions").is_some_and(|i| i.checked()) {
            pairs.push(("exclude_child_executions".into(), "true".into()));
        }
        if let Ok(op) = parse_query(&loc.search.get_untracked()) {
            pairs.push((
                "limit".into(),
                op.limit.unwrap_or(DEFAULT_LIMIT).to_string(),
            ));
        }
        match ListExecutions::from_query(&pairs) {
            Ok(op) => loc.go(&list_href(&op, embed())),
            Err(coc_core::Error::InvalidArgument { field, reason }) => {
                let label = FIELDS.iter().find(|f| f.0 == field).map_or(field, |f| f.1);
                complain(field, format!("{label}: {reason}."));
            }
            Err(e) => complain("", e.to_string()),
        }
    };
    let go_to = move |f: &dyn Fn(&mut ListExecutions)| {
        if let Ok(mut op) = parse_query(&loc.search.get_untracked()) {
            f(&mut op);
            loc.go(&list_href(&op, embed()));
        }
    };

    let form = dom::live_dom("", move || {
        let op = parse_query(&loc.search.get()).unwrap_or_default();
        let mut grid = B::new("div", "coc-filter-grid");
        for (key, label, kind, hint) in FIELDS {
            let id = format!("coc-f-{key}");
            grid = grid.child(
                B::new("div", "coc-filter-field")
                    .child(B::new("label", "coc-label").attr("for", &id).text(label))
                    .child(
                        B::new("input", "coc-input")
                            .attr("id", &id)
                            .attr("name", key)
                            .attr("type", kind)
                            .attr("placeholder", hint)
                            .attr("autocomplete", "off")
                            .attr("spellcheck", "false")
                            .attr("aria-invalid", "false")
                            .attr("aria-describedby", "coc-filter-problem")
                            .attr("value", &field_value(&op, key)),
                    ),
            );
        }
        let mut exclude = B::new("input", "")
            .attr("type", "checkbox")
            .attr("name", "exclude_child_executions");
        if op.exclude_child_executions == Some(true) {
            exclude = exclude.attr("checked", "");
        }
        let limit = op.limit.unwrap_or(DEFAULT_LIMIT);
        let mut select = B::new("select", "coc-select")
            .attr("name", "limit")
            .attr("data-act", "limit");
        for n in LIMITS {
            let mut o = B::new("option", "").attr("value", &n.to_string());
            if n == limit {
                o = o.attr("selected", "");
            }
            select = select.child(o.text(&format!("{n} per page")));
        }
        B::new("form", "coc-card coc-filters")
            .attr("novalidate", "")
            .attr("aria-label", "Filters")
            .child(grid)
            .child(
                B::new("div", "coc-form-buttons")
                    .child(B::new("label", "coc-check").child(exclude).leaf(
                        "span",
                        "",
                        "Leave out child tickets",
                    ))
                    .child(
                        B::new("button", "coc-btn coc-btn-primary")
                            .attr("type", "submit")
                            .attr("data-act", "apply")
                            .text("Apply filters"),
                    )
                    .child(
                        B::new("a", "coc-btn")
                            .attr("href", "/executions")
                            .text("Clear"),
                    )
                    .child(
                        B::new("label", "")
                            .leaf("span", "coc-sr-only", "Page size")
                            .child(select),
                    ),
            )
            .child(
                B::new("p", "coc-field-error")
                    .attr("id", "coc-filter-problem")
                    .attr("role", "alert"),
            )
    });
    let on_change = move |ev: web_sys::Event| {
        let is_limit = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .is_some_and(|e| e.get_attribute("name").as_deref() == Some("limit"));
        if let Ok(n) = event_target_value(&ev).parse::<u32>()
            && is_limit
        {
            go_to(&|op| {
                op.limit = Some(n);
                op.offset = None;
            });
        }
    };

    // A card for every state but the table: what is wrong or missing,
    // and the way out.
    let note = |text: &str, clear: bool| {
        let card = B::new("div", "coc-card coc-list-note")
            .attr("data-role", "list-note")
            .leaf("p", "", text);
        if clear {
            card.child(
                B::new("p", "").child(
                    B::new("a", "")
                        .attr("href", "/executions")
                        .text("Clear the filters"),
                ),
            )
        } else {
            card
        }
    };
    let body = dom::live_dom("coc-list-body", move || {
        let search = loc.search.get();
        let op = match parse_query(&search) {
            Ok(op) => op,
            Err(e) => {
                return note(
                    &format!("The filters in this link are not valid: {e}."),
                    true,
                );
            }
        };
        let Some(d) = current() else {
            return match live.error.get() {
                Some(e) => crate::live::failed_card(&e, "Ticket list:"),
                None => note("Loading tickets…", false),
            };
        };
        let page = &d.1;
        let limit = op.limit.unwrap_or(DEFAULT_LIMIT) as usize;
        let offset = op.offset.unwrap_or(0) as usize;
        let total = page.total as usize;
        if page.items.is_empty() {
            let filtered = op
                != ListExecutions {
                    limit: op.limit,
                    offset: op.offset,
                    ..ListExecutions::default()
                };
            let text = if offset > 0 && total > 0 {
                "No tickets on this page."
            } else if filtered {
                "No tickets match these filters."
            } else {
                "No tickets yet."
            };
            return note(text, filtered || offset > 0);
        }
        let embed = embed();
        let rows = page.items.iter().map(|t| row(t, embed)).collect();
        let range = format!(
            "{}–{} of {}",
            fmt::count(offset + 1),
            fmt::count(offset + page.items.len()),
            fmt::count(total)
        );
        B::new("div", "coc-card coc-list")
            .child(dom::pager(
                "page",
                offset / limit,
                total.div_ceil(limit),
                &range,
            ))
            .child(dom::table(
                "coc-list-table",
                "tickets",
                &[
                    "Status",
                    "Job and ticket",
                    "Type",
                    "Creator",
                    "Started",
                    "Duration",
                ],
                rows,
            ))
    });
    let on_click = move |ev: web_sys::MouseEvent| {
        let act = dom::action(&ev).unwrap_or_default();
        if act == "retry" {
            live.bump();
        } else if let Some(p) = act
            .strip_prefix("page:")
            .and_then(|p| p.parse::<u32>().ok())
        {
            go_to(&|op| op.offset = Some(p * op.limit.unwrap_or(DEFAULT_LIMIT)));
        }
    };

    view! {
            <div class="coc-list-page">
                <h1>"Tickets"</h1>
                <div on:submit=apply on:change=on_change>{form}</div>
                <LiveBar live active fast=false settled="No active ticket listed; not polling" />
                <StaleWarning live />
                <div on:click=widgets::click(on_click)>{body}</div>
            </div>
    }
}

fn row(t: &Execution, embed: bool) -> Vec<B> {
    let id = t.execution_id.as_deref().unwrap_or_default();
    let job = t
        .document_name
        .as_deref()
        .filter(|s| !s.is_empty())
        .unwrap_or("Unnamed job");
    let duration = t
        .duration_ms(js_sys::Date::now() as i64)
        .map(fmt::duration)
        .unwrap_or_default();
    vec![
        dom::badge(t.status.as_ref(), false),
        B::new("span", "")
            .child(
                B::new("a", "coc-list-job")
                    .attr(
                        "href",
                        &format!("/executions/{id}{}", if embed { "?embed=1" } else { "" }),
                    )
                    .text(job),
            )
            .leaf("code", "coc-list-id", id),
        dom::cell(
            t.execution_type
                .as_ref()
                .map(|x| x.as_str())
                .unwrap_or_default(),
        ),
        dom::cell(t.creator.as_deref().unwrap_or_default()),
        dom::time(t.start_time),
        dom::cell(&duration),
    ]
}
