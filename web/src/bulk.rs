//! Bulk operations from the list: the tickets picked there, a preview of
//! one operation on exactly those, and its run, live.
//!
//! The rules are `coc_console_model::bulk`; this is where they meet the
//! network and storage. [`Bulk`] is app-wide (a context), so a run goes on
//! when the operator opens one of its tickets, and it is stored in the tab
//! (`sessionStorage`, like a ticket's pending operation) after every
//! change: a reload shows the preview or the results again and sends
//! nothing. Each ticket's operation is its own POST, its own audit record
//! at the gateway, and, once accepted, its own pending operation on the
//! ticket's page.
//!
//! The panel is plain DOM (see [`crate::dom`]) with one click handler, for
//! size. What it deliberately does not do: select "everything the filter
//! matches", re-read statuses after the preview, or retry anything.

use std::sync::Arc;

use coc_console_model::bulk::{BulkRun, Selection, Sent};
use coc_console_model::list::{Carry, ticket_href};
use coc_console_model::words::op_label;
use coc_core::OperateType;
use coc_core::gateway::{Me, Reason};
use coc_i18n::tr;
use coc_i18n::view;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::api::ApiClient;
use crate::dom::{self, B};
use crate::operator::{MeState, known};
use crate::status::status_label;
use crate::storage::{self, Area};
use crate::ticket::check_reason;

const BULK_KEY: &str = "coc.bulk";

/// The picked tickets and the bulk run, shared by the whole console.
#[derive(Debug, Clone, Copy)]
pub struct Bulk {
    /// The tickets picked on the list.
    pub picked: RwSignal<Selection>,
    /// The preview or the run on screen.
    run: RwSignal<Option<BulkRun>>,
    /// Who the gateway says the caller is (the preview checks the grants).
    me: RwSignal<MeState>,
}

impl Bulk {
    /// The run this tab kept, as a reload leaves it.
    pub fn load(me: RwSignal<MeState>) -> Bulk {
        let stored = storage::get(Area::Session, BULK_KEY);
        let run = stored
            .as_deref()
            .and_then(BulkRun::decode)
            .map(BulkRun::reloaded);
        if stored.is_some() && run.is_none() {
            storage::drop_corrupt(Area::Session, BULK_KEY, tr!("bulk operation"));
        }
        let bulk = Bulk {
            picked: RwSignal::new(Selection::default()),
            run: RwSignal::new(run),
            me,
        };
        bulk.save();
        // A reload cuts the answers in flight off, and their failures would
        // each take the next ticket: from `pagehide` on, nothing is sent.
        let leave = wasm_bindgen::closure::Closure::<dyn Fn()>::new(move || {
            bulk.run
                .try_update(|r| r.iter_mut().for_each(BulkRun::left));
            bulk.save();
        });
        if let Some(w) = web_sys::window() {
            let _ = w.add_event_listener_with_callback("pagehide", leave.as_ref().unchecked_ref());
        }
        // It listens for the life of the page.
        leave.forget();
        bulk
    }

    fn save(self) {
        self.run.with_untracked(|r| match r {
            Some(r) => storage::set(Area::Session, BULK_KEY, &r.encode()),
            None => storage::remove(Area::Session, BULK_KEY),
        });
    }

    /// The preview of `op` on exactly the picked tickets, their statuses
    /// read afresh.
    fn preview(self, op: OperateType, client: ApiClient) {
        let ids = self.picked.get_untracked().ids().to_vec();
        if ids.is_empty() || self.run.with_untracked(Option::is_some) {
            return;
        }
        self.run
            .set(Some(BulkRun::new(op, &ids, js_sys::Date::now())));
        self.pump(client);
    }

    /// Sends the previewed operation, four at a time.
    fn send(self, client: ApiClient, reason: Option<Reason>) {
        let mut started = false;
        self.run.update(|r| {
            if let Some(r) = r.as_mut().filter(|r| !r.started) {
                r.start(reason.map(|r| r.as_str().to_owned()));
                started = true;
            }
        });
        if started {
            self.picked.update(Selection::clear);
            self.pump(client);
        }
    }

    /// Takes tickets until [`BulkRun::take_next`] says no, to read or to
    /// send: each is stored as taken before its request exists, and its
    /// answer takes the next.
    fn pump(self, client: ApiClient) {
        while let Some(Some((id, send, op, reason))) = self.run.try_update(|r| {
            let r = r.as_mut()?;
            let (id, send) = r.take_next()?;
            Some((id, send, r.op, r.reason.clone()))
        }) {
            self.save();
            let client = client.clone();
            leptos::task::spawn_local(async move {
                if send {
                    let reason = reason.as_deref().and_then(|r| Reason::parse(r).ok());
                    let answer = client.operate(&id, op, reason).await;
                    let now = js_sys::Date::now();
                    let pending = self
                        .run
                        .try_update(|r| r.as_mut().and_then(|r| r.answered(&id, answer, now)));
                    if let Some(Some(p)) = pending {
                        storage::save_pending(&id, &p);
                    }
                } else {
                    let answer = client.ticket(&id).await;
                    let now = js_sys::Date::now();
                    let pending = storage::load_pending(&id, now).map(|p| p.op);
                    let me = self.me.with_untracked(known);
                    self.run.try_update(|r| {
                        if let Some(r) = r {
                            r.read(&id, answer, me.as_deref(), pending, now);
                        }
                    });
                }
                self.save();
                self.pump(client);
            });
        }
    }

    fn act(self, act: &str, client: ApiClient, me: Option<Arc<Me>>, root: &web_sys::Element) {
        match act {
            "bulk-send" => {
                let Some(op) = self.run.with_untracked(|r| r.as_ref().map(|r| r.op)) else {
                    return;
                };
                // An input's or a textarea's value, read once on Send.
                let value = |sel: &str| {
                    root.query_selector(sel)
                        .ok()
                        .flatten()
                        .and_then(|e| js_sys::Reflect::get(&e, &"value".into()).ok())
                        .and_then(|v| v.as_string())
                        .unwrap_or_default()
                };
                let confirmed = self.run.with_untracked(|r| {
                    r.as_ref()
                        .is_some_and(|r| r.confirmed(&value("[data-role=bulk-count]")))
                });
                let problem = if !confirmed {
                    let n = self
                        .run
                        .with_untracked(|r| r.as_ref().map_or(0, |r| r.tally().allowed));
                    Err(count_label(n))
                } else {
                    check_reason(me.as_deref(), op, &value("[data-role=bulk-reason]"))
                };
                match problem {
                    Ok(reason) => self.send(client, reason),
                    Err(why) => {
                        if let Ok(Some(p)) = root.query_selector("[data-role=bulk-problem]") {
                            p.set_text_content(Some(&why));
                        }
                    }
                }
            }
            "bulk-stop" => {
                self.run.update(|r| r.iter_mut().for_each(BulkRun::stop));
                self.save();
            }
            "bulk-close" => {
                let busy = self.run.with_untracked(|r| {
                    r.iter()
                        .flat_map(|r| &r.items)
                        .any(|i| i.sent == Sent::Sending)
                });
                if !busy {
                    self.run.set(None);
                    self.save();
                }
            }
            "bulk-clear" => self.picked.update(Selection::clear),
            other => {
                if let Some(op) = other
                    .strip_prefix("bulk:")
                    .and_then(|o| OperateType::parse(o).ok())
                {
                    self.preview(op, client);
                }
            }
        }
    }
}

/// The bar of the picked tickets, or the preview, or the run.
#[component]
pub fn BulkPanel(
    /// How to reach the API.
    #[prop(into)]
    client: Signal<ApiClient>,
    /// The list's flags for links.
    carry: Carry<'static>,
    /// The picks and the run.
    bulk: Bulk,
) -> impl IntoView {
    let me = bulk.me;
    let on_click = move |ev: web_sys::MouseEvent| {
        let Some(act) = dom::action(&ev) else { return };
        let Some(root) = ev
            .current_target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        else {
            return;
        };
        let me = me.with_untracked(known);
        bulk.act(&act, client.get_untracked(), me, &root);
    };
    let panel = dom::live_dom("", move || {
        let me = me.with(known);
        bulk.run.with(|run| match run {
            Some(run) => build_run(run, me.as_deref(), carry),
            None => build_bar(bulk.picked.with(Selection::len)),
        })
    });
    view! { <div on:click=on_click>{panel}</div> }
}

/// "3 tickets picked" and the four operations, once something is picked.
fn build_bar(n: usize) -> B {
    if n == 0 {
        return B::new("div", "");
    }
    let mut bar = B::new("div", "coc-card coc-bulk-bar")
        .attr("data-role", "bulk-bar")
        .attr("role", "group")
        .attr("aria-label", tr!("Picked tickets"))
        .leaf(
            "span",
            "coc-bulk-count",
            &match n {
                1 => tr!("1 ticket picked").to_owned(),
                n => tr!("{n} tickets picked"),
            },
        );
    for op in OperateType::ALL {
        bar = bar.child(
            B::new("button", "coc-btn coc-btn-small")
                .attr("type", "button")
                .attr("data-act", &format!("bulk:{}", op.as_str()))
                .text(&format!("{}…", op_label(op))),
        );
    }
    bar.child(
        B::new("button", "coc-btn coc-btn-small")
            .attr("type", "button")
            .attr("data-act", "bulk-clear")
            .text(tr!("Clear the picks")),
    )
}

/// What TERMINATE asks to have typed.
fn count_label(n: usize) -> String {
    tr!("Type {n}, the number of tickets that will be terminated, to confirm")
}

/// What a ticket's row says of its result.
fn result_text(i: &coc_console_model::bulk::BulkItem, started: bool) -> String {
    // " · COC.0001 · message · request r", or nothing.
    let quoted = || {
        let mut parts: Vec<String> = vec![String::new()];
        if let Some(c) = &i.code {
            parts.push(c.clone());
        }
        if let Some(m) = &i.msg {
            parts.push(m.clone());
        }
        if let Some(r) = &i.request_id {
            parts.push(tr!("request {r}"));
        }
        parts.join(" · ")
    };
    let detail = i.detail.clone().unwrap_or_default();
    match (i.skip.as_deref(), i.sent) {
        (_, Sent::Unread | Sent::Reading) => tr!("Loading…").to_owned(),
        (Some(why), _) => tr!("Skipped: {why}"),
        (None, Sent::Queued) if started => tr!("Waiting to be sent").to_owned(),
        (None, Sent::Queued) => tr!("Will be sent").to_owned(),
        (None, Sent::Sending) => tr!("Sending…").to_owned(),
        (None, Sent::Succeeded) => tr!("Accepted{q}", q = quoted()),
        (None, Sent::Refused) => tr!("Refused: {detail}{q}", q = quoted()),
        (None, Sent::Unknown) => tr!("Outcome unknown: {detail}{q}", q = quoted()),
        (None, Sent::NotSent) => tr!("Not sent: {detail}"),
    }
}

/// The preview, or the run's results, with what can be done next.
fn build_run(run: &BulkRun, me: Option<&Me>, carry: Carry<'_>) -> B {
    let t = run.tally();
    let op = run.op.as_str();
    let heading = tr!("{op} on the {n} tickets picked", n = run.items.len());
    let rows = run
        .items
        .iter()
        .map(|i| {
            let result = match (i.skip.is_some(), i.sent) {
                (true, _) => "skipped",
                (false, s) => s.as_str(),
            };
            let ticket = B::new("td", "")
                .attr("data-id", &i.id)
                .attr("data-result", result)
                .child(
                    B::new("a", "coc-mono")
                        .attr("href", &ticket_href(&i.id, carry))
                        .text(&i.id),
                );
            vec![
                ticket,
                dom::cell(i.job.as_deref().unwrap_or_default()),
                dom::cell(&status_label(i.status.as_ref())),
                dom::cell(&result_text(i, run.started)),
            ]
        })
        .collect();
    let table = dom::table(
        "coc-bulk-table",
        "bulk",
        &[
            tr!("Ticket"),
            tr!("Job"),
            tr!("Status when read"),
            tr!("Result"),
        ],
        rows,
    );
    let read_at = tr!(
        "Statuses as of {at}. Only these tickets are sent it, nothing else the filters match.",
        at = crate::fmt::at(run.made_at as i64)
    );
    let mut card = B::new("section", "coc-card coc-bulk")
        .attr("data-role", "bulk")
        .attr("data-op", op)
        .leaf("h2", "", &heading)
        .leaf("p", "coc-muted", &read_at)
        .child(table);
    let line = |text: String| {
        B::new("p", "coc-bulk-status")
            .attr("role", "status")
            .text(&text)
    };
    let button = |act: &str, class: &str, label: &str| {
        B::new("button", class)
            .attr("type", "button")
            .attr("data-act", act)
            .text(label)
    };
    if !run.ready() {
        return card
            .child(line(tr!("Loading tickets…").to_owned()))
            .child(button("bulk-close", "coc-btn", tr!("Cancel")));
    }
    if !run.started {
        let mut form = B::new("div", "coc-bulk-confirm");
        if t.allowed == 0 {
            card = card.child(line(tr!("No picked ticket can be sent {op}.")));
            return card.child(button("bulk-close", "coc-btn", tr!("Close")));
        }
        if run.op == OperateType::Terminate {
            form = form.child(
                B::new("label", "coc-confirm-label")
                    .leaf("span", "", &count_label(t.allowed))
                    .child(
                        B::new("input", "coc-input coc-confirm-input")
                            .attr("type", "text")
                            .attr("inputmode", "numeric")
                            .attr("autocomplete", "off")
                            .attr("data-role", "bulk-count"),
                    ),
            );
        }
        let required = me.is_some_and(|m| m.reason_required(run.op));
        // The same words as the one-ticket dialog: the reason goes with each.
        let label = if required {
            tr!("Reason (required; recorded in the gateway's audit trail)")
        } else {
            tr!("Reason (optional; recorded in the gateway's audit trail)")
        };
        form = form
            .child(
                B::new("label", "coc-reason-label")
                    .leaf("span", "", label)
                    .child(
                        B::new("textarea", "coc-input coc-reason-input")
                            .attr("rows", "2")
                            .attr("data-role", "bulk-reason"),
                    ),
            )
            .child(
                B::new("p", "coc-field-error")
                    .attr("data-role", "bulk-problem")
                    .attr("role", "alert"),
            )
            .child(
                B::new("div", "coc-dialog-buttons")
                    .child(button("bulk-close", "coc-btn", tr!("Cancel")))
                    .child(button(
                        "bulk-send",
                        "coc-btn coc-btn-danger",
                        &tr!(
                            "Send {op} to {n} tickets ({s} skipped)",
                            n = t.allowed,
                            s = t.skipped
                        ),
                    )),
            );
        return card.child(form);
    }
    let summary = tr!(
        "{a} of {n} answered: {s} accepted, {r} refused, {u} outcome unknown, {x} not sent; {k} skipped.",
        a = t.done,
        n = t.allowed,
        s = t.succeeded,
        r = t.refused,
        u = t.unknown,
        x = t.not_sent,
        k = t.skipped
    );
    card = card.child(line(summary));
    if run.finished() {
        card.child(button("bulk-close", "coc-btn", tr!("Close")))
    } else if run.stopped {
        card.child(line(tr!("Stopped; {n} still in flight.", n = t.in_flight)))
    } else {
        card.child(button(
            "bulk-stop",
            "coc-btn coc-btn-danger-outline",
            tr!("Stop sending"),
        ))
    }
}
