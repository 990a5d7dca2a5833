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
//! Live updates follow the ticket page's rules ([`crate::live`]): poll while any
//! listed ticket is active, back off and warn on failure, keep the last good
//! page. What it deliberately does not do: sort (the service lists newest
//! first), or search fields the API cannot filter on.

use coc_i18n::tr;
use std::sync::Arc;

use coc_console_model::bulk::Selection;
use coc_console_model::list::{
    Carry, DEFAULT_LIMIT, LIMITS, ListBody, ListModel, list_href, mine_tickets, parse_query,
    record_ticket, ticket_href, time_range, visit_with_range,
};
use coc_core::gateway::{AuditPage, ListAudit};
use coc_core::{Execution, ListExecutions};
use coc_i18n::view;
use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_navigate};
use wasm_bindgen::JsCast;

pub use coc_console_model::list::{is_mine, query_pairs};

use crate::api::{ApiClient, ApiFailure};
use crate::dom::{self, B};
use crate::fmt;
use crate::live::{self, Controls, FailedCard, LiveBar, StaleWarning};
use crate::operator::{MeState, known};
use crate::pages::{APP, client_memo, settings_problem};
use crate::route;
use crate::set_title;
use crate::settings::Settings;
use crate::status::StatusBadge;
use crate::storage::{self, Area};
use crate::widgets::{Pager, Time};

/// Where the last list URL is kept, for the ticket page's way back.
pub const LAST_LIST_KEY: &str = "coc.list";

/// Where the last time range is kept, across visits (see
/// `coc_console_model::list::visit_with_range`).
const RANGE_KEY: &str = "coc.range";

/// The filter fields: API name, label, input type, hint.
const FIELDS: [(&str, &str, &str, &str); 6] = [
    ("creator", tr!("Creator"), "text", tr!("Part of a name")),
    (
        "document_name",
        tr!("Job name"),
        "text",
        tr!("Part of a name"),
    ),
    ("document_id", tr!("Job id"), "text", tr!("Exact id")),
    ("start_time", tr!("Started after"), "datetime-local", ""),
    ("end_time", tr!("Started before"), "datetime-local", ""),
    ("tags", tr!("Tags"), "text", "env=prod,team=ops"),
];

fn is_time(key: &str) -> bool {
    key.ends_with("_time")
}

/// The form's value for a filter of `op`.
fn field_value(op: &ListExecutions, key: &str) -> String {
    let time = |t: Option<i64>| t.map(fmt::input_value).unwrap_or_default();
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
    set_title(&tr!("Tickets · {APP}"));
    let settings = expect_context::<RwSignal<Settings>>();
    let client = client_memo(settings);
    let poll = settings.with_untracked(|s| s.poll_secs);
    let location = use_location();
    let navigate = use_navigate();
    let go = Callback::new(move |href: String| navigate(&href, Default::default()));
    let me = expect_context::<crate::operator::Operator>().0;
    let bulk = expect_context::<crate::bulk::Bulk>();
    let mine = Memo::new(move |_| location.search.with(|s| is_mine(s)));
    let carry = route::carry();
    let current = move |want: bool| move || if mine.get() == want { "page" } else { "false" };
    let modes = view! {
        <nav class="coc-list-modes" aria-label="Which tickets">
            <a href=carry.href("/executions") aria-current=current(false)>"All tickets"</a>
            <a href=carry.href("/executions?mine=1") aria-current=current(true)>"Operated by me"</a>
        </nav>
    };
    let body = move || match (client.get(), mine.get()) {
        (Err(e), _) => settings_problem(e),
        (Ok(c), false) => {
            view! { <ListView client=c search=location.search go poll_secs=poll bulk /> }.into_any()
        }
        (Ok(c), true) => view! { <MineView client=c me /> }.into_any(),
    };
    view! { {modes} {body} }
}

/// The most recent audit records read for "Operated by me".
const MINE_RECORDS: u32 = coc_core::gateway::MAX_AUDIT_LIMIT;

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
    let state = RwSignal::new(None::<Result<AuditPage, ApiFailure>>);
    let carry = route::carry();
    let feed = live::feed(
        move || {
            let c = client.get();
            let me = me.with(known);
            if me.is_none() {
                state.set(None);
            }
            me.map(|me| (c, me.operator.clone()))
        },
        |(c, operator): (ApiClient, String)| async move {
            let op = ListAudit {
                operator: Some(operator),
                limit: Some(MINE_RECORDS),
                ..ListAudit::default()
            };
            c.call(&op).await
        },
        move |_, answer| state.set(Some(answer)),
    );
    let body = move || {
        use crate::ticket::activity::{Note, Unavailable};
        match (me.get(), state.get()) {
            (None, _) => view! { <Note state="loading" text="Asking the gateway who you are…" /> }.into_any(),
            (Some(Err(e)), _) if e.status() == Some(404) => view! {
                <Note state="absent" text="This gateway does not know operators (it has no /gateway/v1/me), so it cannot say which tickets you operated." />
            }
            .into_any(),
            (Some(Err(e)), _) => view! { <Unavailable failure=e /> }.into_any(),
            (Some(Ok(_)), None) => view! { <Note state="loading" text="Loading your operations…" /> }.into_any(),
            (Some(Ok(_)), Some(Err(e))) => view! { <Unavailable failure=e /> }.into_any(),
            (Some(Ok(who)), Some(Ok(page))) => {
                let rows: Vec<_> = mine_tickets(&page)
                    .into_iter()
                    .map(|(r, n)| (r.clone(), n))
                    .collect();
                if rows.is_empty() {
                    let text = tr!("The audit trail holds no operation by {}.", who.operator);
                    return view! { <Note state="empty" text /> }.into_any();
                }
                let more = page.next_cursor.is_some().then(|| {
                    let text = tr!("From your {} most recent operations.", fmt::count(page.records.len()));
                    view! { <Note state="more" text /> }
                });
                // Plain DOM, like the other read-only tables built once per
                // answer (see `crate::dom`): as `view!` with `<For>` rows it
                // cost 2.3 KB brotli more (measured).
                let rows = rows
                    .iter()
                    .map(|(r, n)| {
                        let id = record_ticket(r).unwrap_or_default();
                        let outcome = r.outcome.as_str();
                        vec![
                            B::new("a", "coc-mono coc-mine-ticket")
                                .attr("href", &ticket_href(id, carry))
                                .text(id),
                            dom::cell(&r.operation),
                            dom::time(Some(r.at)),
                            B::new("span", &format!("coc-outcome coc-outcome-{outcome}"))
                                .attr("data-outcome", outcome)
                                .text(&crate::ticket::outcome_text(r)),
                            dom::cell(&fmt::count(*n)),
                        ]
                    })
                    .collect();
                let table = dom::table(
                    "coc-list-table",
                    "mine",
                    &[
                        tr!("Ticket"),
                        tr!("Last operation"),
                        tr!("When"),
                        tr!("Outcome"),
                        tr!("Operations"),
                    ],
                    rows,
                );
                view! {
                    <div class="coc-card coc-list coc-mine">
                        {dom::live_dom("", move || table.clone())}
                        {more}
                    </div>
                }
                .into_any()
            }
        }
    };
    view! {
        <div class="coc-list-page coc-mine-page">
            <div class="coc-section-head">
                <h1>"Tickets I operated"</h1>
                <button type="button" class="coc-btn coc-btn-small" data-act="mine-refresh" on:click=move |_| feed.refresh()>"Refresh"</button>
            </div>
            <div class="coc-mine-body">{body}</div>
        </div>
    }
}

/// The ticket list for a URL query. The page hands it the router's query
/// and navigation; the view itself knows no router.
#[component]
pub fn ListView(
    /// How to reach the API.
    #[prop(into)]
    client: Signal<ApiClient>,
    /// The URL query (`?creator=…`) the list shows.
    #[prop(into)]
    search: Signal<String>,
    /// Goes to another console URL (new filters, another page).
    go: Callback<String>,
    /// Polling interval in seconds (default 3).
    #[prop(optional)]
    poll_secs: Option<u32>,
    /// The picked tickets and the bulk run (the app's, which outlive the
    /// page).
    bulk: crate::bulk::Bulk,
) -> impl IntoView {
    let carry = route::carry();
    let controls = Controls::new(poll_secs, None);
    let model = RwSignal::new(ListModel::default());

    // The URL is remembered for the ticket page's way back; new filters
    // start a new history (an old page's age is not theirs).
    Effect::new(move |_| {
        let search = search.get();
        if let Ok(op) = parse_query(&search) {
            storage::set(Area::Session, LAST_LIST_KEY, &list_href(&op, carry));
            match time_range(&search) {
                r if r.is_empty() => storage::remove(Area::Local, RANGE_KEY),
                r => storage::set(Area::Local, RANGE_KEY, &r),
            }
        }
        model.update(ListModel::filters_changed);
    });
    // A visit to the bare list opens with the last time range; the bare
    // list is not fetched on the way.
    let start = search.get_untracked();
    let kept = storage::get(Area::Local, RANGE_KEY).unwrap_or_default();
    let redirect = visit_with_range(&start, &kept, carry);
    let held = redirect.is_some();
    if let Some(href) = redirect {
        queue_microtask(move || go.run(href));
    }
    let feed = live::feed(
        move || {
            let s = search.get();
            if held && s == start {
                return None;
            }
            let op = parse_query(&s).ok()?;
            Some((s, op, client.get()))
        },
        |(_, op, c): (String, ListExecutions, ApiClient)| async move { c.call(&op).await },
        move |(s, ..), answer| model.update(|m| m.absorb(&s, answer, js_sys::Date::now())),
    );
    live::poll(
        feed,
        controls,
        move || model.with(ListModel::want),
        move || model.with(|m| (m.fresh.attempt_at, m.fresh.failures)),
    );

    let menu = crate::views::Menu::new();
    // The form is plain DOM, built from the URL (so back/forward and links
    // set it) and read when submitted; an interactive form, not a read-only table, so it stays
    // plain DOM read once on submit.
    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(form) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        else {
            return;
        };
        if menu.submitted(&form, &search.get_untracked()) {
            return;
        }
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
                match fmt::from_input(v) {
                    Some(ms) => ms.to_string(),
                    None => return complain(key, tr!("{label}: not a date and time.")),
                }
            } else {
                v.to_owned()
            };
            pairs.push((key.to_owned(), v));
        }
        if input("exclude_child_executions").is_some_and(|i| i.checked()) {
            pairs.push(("exclude_child_executions".into(), "true".into()));
        }
        if let Ok(op) = parse_query(&search.get_untracked()) {
            pairs.push((
                "limit".into(),
                op.limit.unwrap_or(DEFAULT_LIMIT).to_string(),
            ));
        }
        match ListExecutions::from_query(&pairs) {
            Ok(op) => go.run(list_href(&op, carry)),
            Err(coc_core::Error::InvalidArgument { field, reason }) => {
                let label = FIELDS.iter().find(|f| f.0 == field).map_or(field, |f| f.1);
                complain(field, format!("{label}: {reason}."));
            }
            Err(e) => complain("", e.to_string()),
        }
    };
    let go_to = move |f: &dyn Fn(&mut ListExecutions)| {
        if let Ok(mut op) = parse_query(&search.get_untracked()) {
            f(&mut op);
            go.run(list_href(&op, carry));
        }
    };

    let form = dom::live_dom("", move || {
        let search = search.get();
        let views = menu.build(&search, carry);
        let op = parse_query(&search).unwrap_or_default();
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
            select = select.child(o.text(&tr!("{n} per page")));
        }
        let filters = B::new("form", "coc-card coc-filters")
            .attr("novalidate", "")
            .attr("aria-label", tr!("Filters"))
            .child(grid)
            .child(
                B::new("div", "coc-form-buttons")
                    .child(B::new("label", "coc-check").child(exclude).leaf(
                        "span",
                        "",
                        tr!("Leave out child tickets"),
                    ))
                    .child(
                        B::new("button", "coc-btn coc-btn-primary")
                            .attr("type", "submit")
                            .attr("data-act", "apply")
                            .text(tr!("Apply filters")),
                    )
                    .child(
                        B::new("a", "coc-btn")
                            .attr("href", &carry.href("/executions"))
                            .text(tr!("Clear")),
                    )
                    .child(
                        B::new("label", "")
                            .leaf("span", "coc-sr-only", tr!("Page size"))
                            .child(select),
                    ),
            )
            .child(
                B::new("p", "coc-field-error")
                    .attr("id", "coc-filter-problem")
                    .attr("role", "alert"),
            );
        B::new("div", "").child(views).child(filters)
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

    // What the body shows, without the page itself: a poll that brings the
    // same range keeps the table, and only changed rows are rebuilt (the
    // rows follow the model directly, keyed).
    let state = Memo::new(move |_| {
        model.with(|m| match m.body(&search.get(), fmt::count) {
            ListBody::Rows { at, range, .. } => Ok((at.0, at.1, range)),
            other => Err(other),
        })
    });
    let rows = Memo::new(move |_| {
        model.with(|m| {
            m.current(&search.get())
                .map(|a| a.page.items.iter().cloned().map(Arc::new).collect())
                .unwrap_or_else(Vec::<Arc<Execution>>::new)
        })
    });
    let page_ids = move || {
        rows.with_untracked(|r| {
            r.iter()
                .filter_map(|t| t.execution_id.clone())
                .collect::<Vec<_>>()
        })
    };
    // The pick boxes: one handler on the table and one effect that sets
    // every box from the selection (a box per row with its own reactive
    // `checked` and handler cost 1 KB brotli, measured). A row built later
    // starts from the selection (`Row`).
    let table = NodeRef::<leptos::html::Table>::new();
    let on_pick = move |ev: leptos::ev::MouseEvent| {
        let Some(id) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|e| e.get_attribute("data-pick"))
        else {
            return;
        };
        let page = page_ids();
        bulk.picked.update(|s| match id.as_str() {
            "" => s.toggle_page(&page),
            id => s.click(id, ev.shift_key(), &page),
        });
    };
    crate::widgets::effect(move || {
        rows.track();
        let picked = bulk.picked.get();
        let Some(boxes) = table
            .get()
            .and_then(|t| t.query_selector_all("[data-pick]").ok())
        else {
            return;
        };
        for i in 0..boxes.length() {
            if let Some(b) = boxes
                .item(i)
                .and_then(|n| n.dyn_into::<web_sys::HtmlInputElement>().ok())
            {
                let id = b.get_attribute("data-pick").unwrap_or_default();
                b.set_checked(if id.is_empty() {
                    picked.has_all(&page_ids())
                } else {
                    picked.contains(&id)
                });
            }
        }
    });
    let to_page = Callback::new(move |p: usize| {
        if let Ok(mut op) = parse_query(&search.get_untracked()) {
            op.offset = Some(p as u32 * op.limit.unwrap_or(DEFAULT_LIMIT));
            go.run(list_href(&op, carry));
        }
    });
    let note = move |text: String, clear: bool| {
        view! {
            <div class="coc-card coc-list-note" data-role="list-note">
                <p>{text}</p>
                {clear.then(|| view! { <p><a href=carry.href("/executions")>"Clear the filters"</a></p> })}
            </div>
        }
        .into_any()
    };
    let body = move || {
        match state.get() {
        Ok((page, pages, range)) => view! {
            <div class="coc-card coc-list">
                <Pager act="page" page pages range go=to_page />
                <div class="coc-table-wrap">
                    <table class="coc-table coc-list-table" data-field="tickets" node_ref=table on:click=on_pick>
                        <thead><tr>
                            <th scope="col" class="coc-pick">
                                <input type="checkbox" data-pick="" aria-label=tr!("Pick every ticket on this page") />
                            </th>
                            <th scope="col">"Status"</th>
                            <th scope="col">"Job and ticket"</th>
                            <th scope="col">"Type"</th>
                            <th scope="col">"Creator"</th>
                            <th scope="col">"Started"</th>
                            <th scope="col">"Duration"</th>
                        </tr></thead>
                        <tbody>
                            <For each=move || rows.get() key=row_key let(t)>
                                <Row t carry picked=bulk.picked />
                            </For>
                        </tbody>
                    </table>
                </div>
            </div>
        }
        .into_any(),
        Err(ListBody::Invalid(text)) => note(text, true),
        Err(ListBody::Failed(e)) => {
            view! { <FailedCard failure=e heading=tr!("Ticket list:").to_owned() feed /> }
                .into_any()
        }
        Err(ListBody::Empty(text, clear)) => note(text.to_owned(), clear),
        Err(ListBody::Loading | ListBody::Rows { .. }) => {
            note(tr!("Loading tickets…").to_owned(), false)
        }
    }
    };

    view! {
        <div class="coc-list-page">
            <h1>"Tickets"</h1>
            <div on:submit=apply on:change=on_change>{form}</div>
            <LiveBar
                feed
                controls
                want=Signal::derive(move || model.with(ListModel::want))
                ok_at=Signal::derive(move || model.with(|m| m.fresh.ok_at))
                settled="No active ticket listed; not polling"
            />
            <StaleWarning stale=Signal::derive(move || model.with(|m| live::stale_of(&m.fresh))) />
            <crate::bulk::BulkPanel client carry bulk />
            <div class="coc-list-body">{body}</div>
        </div>
    }
}

/// A row is rebuilt when its ticket changes, not on every poll.
fn row_key(t: &Arc<Execution>) -> (Option<String>, Option<String>, Option<i64>, Option<i64>) {
    (
        t.execution_id.clone(),
        t.status.as_ref().map(|s| s.as_str().to_owned()),
        t.update_time,
        t.end_time,
    )
}

/// One ticket of the list.
#[component]
fn Row(t: Arc<Execution>, carry: Carry<'static>, picked: RwSignal<Selection>) -> impl IntoView {
    let id = t.execution_id.clone().unwrap_or_default();
    let checked = picked.with_untracked(|s| s.contains(&id));
    let job = t
        .document_name
        .clone()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| tr!("Unnamed job").to_owned());
    let duration = t
        .duration_ms(js_sys::Date::now() as i64)
        .map(fmt::duration)
        .unwrap_or_default();
    view! {
        <tr>
            <td class="coc-pick">
                <input type="checkbox" data-pick=id.clone() aria-label=tr!("Pick ticket {id}", id = id) checked=checked />
            </td>
            <td><StatusBadge status=t.status.clone() /></td>
            <td>
                <span>
                    <a class="coc-list-job" href=ticket_href(&id, carry)>{job}</a>
                    <code class="coc-list-id">{id.clone()}</code>
                </span>
            </td>
            <td>{t.execution_type.as_ref().map(|x| coc_console_model::words::type_label(x).to_owned()).unwrap_or_default()}</td>
            <td>{t.creator.clone().unwrap_or_default()}</td>
            <td><Time ms=t.start_time /></td>
            <td>{duration}</td>
        </tr>
    }
}
