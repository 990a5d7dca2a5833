//! The ticket view: one ticket, live, with its operations.
//!
//! A self-contained component: it takes the ticket id (a signal), an API
//! client and an optional event callback, and depends on no router, no
//! `window.location`, no document title and no global CSS (its styles hang
//! off `.coc` classes). The console's ticket page mounts it; the embeddable
//! element will mount the same component in a shadow root.
//!
//! Data flow: the view's state is a [`TicketModel`] (plain Rust, tested
//! natively); a [`live::feed`] fetches the ticket whenever the id, the
//! client or the poller says, and hands each answer to
//! [`TicketModel::absorb`]; an operation is a Leptos `Action` whose answer
//! goes to [`TicketModel::operated`], after [`TicketModel::begin`] took the
//! lock. [`Timeline`] follows the ticket with its steps and instances.

use coc_i18n::tr;

pub(crate) mod activity;
mod fields;
mod ops;
mod raw;
mod targets;
mod timeline;

use std::sync::atomic::{AtomicU32, Ordering};

use coc_console_model::{Changed, Store, TicketModel};
use coc_core::ExecutionId;
use coc_i18n::view;
use leptos::prelude::*;

pub use activity::{ActivityPanel, outcome_text};
pub use coc_console_model::TicketEvent;
pub use fields::{TicketInfo, TicketSummary, TimeText};
pub use ops::{ConfirmDialog, Intent, OperationsPanel, check_reason};
pub use raw::RawJson;
pub use targets::{PAGE_SIZE, TargetsPanel};
pub use timeline::{
    Batch, Blast, COUNT_MAX, Counts, CurrentStep, INSTANCE_PAGE, Inside, StepData, Timeline,
    TimelinePanel,
};

pub use crate::live::{FAST_POLL_MS, MAX_BACKOFF_MS, poll_delay_ms};

use crate::api::ApiClient;
use crate::errors::ErrorPanel;
use crate::fmt;
use crate::live::{self, Controls, FailedCard, LiveBar, StaleWarning};
use crate::operator::{MeState, fetch_me};
use crate::storage;

static NEXT_UID: AtomicU32 = AtomicU32::new(1);

/// The whole ticket view.
#[component]
pub fn TicketView(
    /// The ticket to show, validated.
    #[prop(into)]
    execution_id: Signal<ExecutionId>,
    /// How to reach the API.
    #[prop(into)]
    client: Signal<ApiClient>,
    /// Initial polling interval in seconds (default 3).
    #[prop(optional)]
    poll_secs: Option<u32>,
    /// Told about loads, status changes, operations and failures.
    #[prop(optional)]
    on_event: Option<Callback<TicketEvent>>,
    /// Whether the view is visible; defaults to the document's visibility.
    #[prop(optional, into)]
    visible: Option<Signal<bool>>,
    /// Who the gateway says the caller is, when the host already asked
    /// (the console's header does); otherwise the view asks itself, once
    /// per client.
    #[prop(optional, into)]
    me: Option<Signal<MeState>>,
    /// The compact form (the element's `compact`): header, status,
    /// operations and the current step; the rest behind a disclosure.
    #[prop(optional)]
    compact: bool,
) -> impl IntoView {
    let me = me.unwrap_or_else(|| fetch_me(Signal::derive(move || Some(client.get()))).into());
    // Bumped after each operation this view sends: the Activity panel reads
    // the trail again then, not on every poll.
    let activity = RwSignal::new(0u64);
    let uid = format!("coc{}", NEXT_UID.fetch_add(1, Ordering::Relaxed));
    let controls = Controls::new(poll_secs, visible);
    let now = js_sys::Date::now;

    // A ticket view starts from scratch, but picks up an operation still
    // pending from before a reload.
    let fresh_model = move |id: ExecutionId| {
        let pending = storage::load_pending(id.as_str(), now());
        TicketModel::new(id, pending, now())
    };
    let model = RwSignal::new(fresh_model(execution_id.get_untracked()));
    Effect::new(move |prev: Option<ExecutionId>| {
        let id = execution_id.get();
        if prev.is_some_and(|p| p != id) {
            model.set(fresh_model(id.clone()));
        }
        id
    });
    // What a change means outside the model: storage, and the host's events.
    let apply = move |changed: Changed| {
        let id = model.with_untracked(|m| m.id.to_string());
        match changed.store {
            Store::Keep => {}
            Store::SavePending(p) => storage::save_pending(&id, &p),
            Store::ClearPending => storage::clear_pending(&id),
        }
        if let Some(cb) = on_event {
            for ev in changed.events {
                cb.run(ev);
            }
        }
    };

    let feed = live::feed(
        move || Some((execution_id.get(), client.get())),
        |(id, c): (ExecutionId, ApiClient)| async move { c.ticket(id.as_str()).await },
        move |(id, _), answer| {
            // An answer for a ticket the view has left is not this one's.
            if model.with_untracked(|m| m.id != id) {
                return;
            }
            // The first answer only: a mark per poll would pile up in the
            // performance timeline of a tab left open for days.
            if model.with_untracked(|m| m.ticket.is_none()) {
                crate::mark("coc:ticket-answer");
            }
            let mut changed = None;
            model.update(|m| changed = Some(m.absorb(answer, now())));
            if let Some(c) = changed {
                apply(c);
            }
        },
    );
    live::poll(
        feed,
        controls,
        move || model.with(TicketModel::want),
        move || model.with(|m| (m.fresh.attempt_at, m.fresh.failures)),
    );

    // One click, one request: the model's lock is taken synchronously,
    // before the request exists, and released only by the answer.
    let operate = Action::new_local(move |(op, reason): &Intent| {
        let (op, reason) = (*op, reason.clone());
        let (c, id) = (client.get_untracked(), execution_id.get_untracked());
        async move {
            let reason_text = reason.as_ref().map(|r| r.as_str().to_owned());
            let answer = c.operate(id.as_str(), op, reason).await;
            if model.is_disposed() || model.with_untracked(|m| m.id != id) {
                return;
            }
            let mut changed = None;
            model.update(|m| changed = Some(m.operated(op, reason_text, answer, now())));
            if let Some(c) = changed {
                apply(c);
            }
            // Whatever the answer, the ticket is fetched again at once, and
            // the trail, which now holds this attempt (refused ones too).
            feed.refresh();
            activity.update(|a| *a += 1);
        }
    });
    let on_operate = Callback::new(move |intent: Intent| {
        if model.try_update(|m| m.begin(intent.0)) == Some(true) {
            operate.dispatch_local(intent);
        }
    });

    let ticket = Memo::new(move |_| model.with(|m| m.ticket.clone().unwrap_or_default()));
    // The branch depends on a memo, so that a poll that changes nothing
    // re-renders nothing (and keeps dialogs, filters and pages as they are).
    let has_data = Memo::new(move |_| model.with(|m| m.ticket.is_some()));
    let timeline = Timeline::new(ticket.into(), client);
    let busy = Memo::new(move |_| model.with(|m| m.busy));
    let pending = Memo::new(move |_| model.with(|m| m.pending.clone()));
    let stale = Signal::derive(move || model.with(|m| live::stale_of(&m.fresh)));
    let id_text = Signal::derive(move || execution_id.with(ToString::to_string));
    // The header, status and operations paint first; the timeline, fields,
    // targets, JSON and activity follow right after that frame (the
    // 10,000-target ticket's tables would otherwise hold its first paint).
    let rest = RwSignal::new(false);
    Effect::new(move |_| {
        if has_data.get() && !rest.get_untracked() {
            request_animation_frame(move || {
                set_timeout(
                    move || {
                        let _ = rest.try_set(true);
                    },
                    std::time::Duration::ZERO,
                );
            });
        }
    });

    // The page's early job name (index.html) gives way to whatever this
    // view shows first, in the same frame.
    Effect::new(move |_| {
        if has_data.get() || model.with(|m| m.fresh.error.is_some()) {
            crate::drop_early_header();
        }
    });

    let body = move || {
        if has_data.get() {
            // One layout for both forms: compact shows the current step and
            // keeps the rest behind a closed disclosure, the full form
            // opens it and hides its summary line (CSS).
            let uid = uid.clone();
            let grid = if compact {
                "coc-ticket-grid coc-compact"
            } else {
                "coc-ticket-grid"
            };
            view! {
                <StaleWarning stale />
                <div class=grid>
                    <div class="coc-area-summary">
                        <TicketSummary ticket now=controls.now />
                        {compact.then(|| view! { <CurrentStep timeline /> })}
                    </div>
                    <div class="coc-area-side">
                        <Notices model />
                        <OperationsPanel ticket busy pending on_operate uid=uid.clone() timeline me />
                        <Show when=move || !compact && rest.get()>
                            <ActivityPanel execution_id=id_text client refresh=activity />
                        </Show>
                    </div>
                    <details class="coc-area-rest coc-disclosure" open=!compact>
                        <summary>"Steps, fields, targets and activity"</summary>
                        <Show when=move || rest.get()>
                            {compact.then(|| view! { <ActivityPanel execution_id=id_text client refresh=activity /> })}
                            <TimelinePanel timeline uid=uid.clone() />
                            <TicketInfo ticket />
                            <TargetsPanel ticket />
                            <RawJson ticket timeline />
                        </Show>
                    </details>
                </div>
            }
            .into_any()
        } else {
            (move || match model.with(|m| m.fresh.error.clone()) {
                Some(e) => view! {
                    <FailedCard failure=e heading=tr!("Ticket {}:", execution_id.get()) feed />
                }
                .into_any(),
                None => view! {
                    <div class="coc-card coc-loading" aria-busy="true">
                        "Loading ticket " <code>{move || execution_id.get().to_string()}</code> "…"
                    </div>
                }
                .into_any(),
            })
            .into_any()
        }
    };

    view! {
        <div class="coc-ticket" data-execution-id=move || execution_id.get().to_string()>
            <p class="coc-sr-only" role="status" aria-live="polite" data-role="announcer">
                {move || model.with(|m| m.announce.clone())}
            </p>
            <LiveBar
                feed
                controls
                want=Signal::derive(move || model.with(TicketModel::want))
                ok_at=Signal::derive(move || model.with(|m| m.fresh.ok_at))
                settled="Finished; not polling"
                on_poll_change=Callback::new(move |s| {
                    if let Some(cb) = on_event {
                        cb.run(TicketEvent::PollIntervalChanged(s));
                    }
                })
            />
            {body}
        </div>
    }
}

/// Success and failure notices about operations.
#[component]
fn Notices(model: RwSignal<TicketModel>) -> impl IntoView {
    let notice =
        Memo::new(move |_| model.with(|m| m.notice.clone().map(|n| n.text(&m.status_word()))));
    let pending = Memo::new(move |_| model.with(|m| m.pending_text(|t| fmt::at(t as i64))));
    let op_error = Memo::new(move |_| model.with(|m| m.op_error.clone()));
    view! {
        {move || notice.get().map(|(text, warning)| {
            let class = if warning { "coc-banner coc-banner-warning" } else { "coc-banner coc-banner-success" };
            view! {
                <div class=class data-role="notice" role="status">
                    <p>{text}</p>
                    <button type="button" class="coc-btn coc-btn-small" data-act="dismiss-notice"
                        on:click=move |_| model.update(|m| m.notice = None)>"Dismiss"</button>
                </div>
            }
        })}
        {move || pending.get().map(|text| view! {
            <div class="coc-banner coc-banner-info" data-role="pending" role="status"><p>{text}</p></div>
        })}
        {move || op_error.get().map(|(op, e)| view! {
            <div class="coc-banner coc-banner-error" data-role="op-error">
                <ErrorPanel failure=e heading=tr!("{} failed:", op.as_str()) />
                <button type="button" class="coc-btn coc-btn-small" data-act="dismiss-error"
                    on:click=move |_| model.update(|m| m.op_error = None)>"Dismiss"</button>
            </div>
        })}
    }
}
