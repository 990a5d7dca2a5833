//! The ticket view: one ticket, live, with its operations.
//!
//! A self-contained component: it takes the ticket id (a signal), an API
//! client and an optional event callback, and depends on no router, no
//! `window.location`, no document title and no global CSS (its styles hang
//! off `.coc` classes). The console's ticket page mounts it; the embeddable
//! element will mount the same component in a shadow root.
//!
//! Data flow: an effect fetches the ticket (a spawned future) whenever the
//! id, the client or the refresh counter changes, and folds each answer
//! into the last good data, the failure count and the pending operation;
//! an answered operation bumps the counter, so the ticket is fetched again
//! at once. [`Live`] schedules the polls; [`Timeline`] follows the ticket
//! with its steps and instances. (Not a `LocalResource` and an `Action`:
//! the same behaviour cost several KB more of the size budget.)

pub(crate) mod activity;
mod fields;
mod ops;
mod raw;
mod targets;
mod timeline;

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use coc_core::{Execution, ExecutionStatus, GetExecution, OperateExecution, OperateType, Operated};
use leptos::prelude::*;

pub use activity::{ActivityPanel, outcome_text};
pub use fields::{TicketInfo, TicketSummary, TimeText};
pub use ops::{ConfirmDialog, Intent, OperationsPanel, check_reason};
pub use raw::RawJson;
pub use targets::{PAGE_SIZE, TargetsPanel};
pub use timeline::{
    Batch, Blast, COUNT_MAX, Counts, INSTANCE_PAGE, Inside, StepData, Timeline, TimelinePanel,
};

pub use crate::live::{FAST_POLL_MS, MAX_BACKOFF_MS, poll_delay_ms};

use crate::api::{ApiClient, ApiFailure};
use crate::dom::{self, B};
use crate::fmt;
use crate::live::{self, Live, LiveBar, StaleWarning};
use crate::operator::{MeState, fetch_me};
use crate::status::status_label;
use crate::storage::{self, PendingOp};
use crate::widgets::{dynv, text};

/// What happens in a ticket view, for the page (or the custom element) that
/// hosts it.
#[derive(Debug, Clone, PartialEq)]
pub enum TicketEvent {
    /// The first successful load of a ticket.
    Loaded {
        /// The ticket id.
        execution_id: String,
        /// Its status.
        status: Option<ExecutionStatus>,
        /// Its job name.
        document_name: Option<String>,
    },
    /// A later load shows a different status.
    StatusChanged {
        /// The ticket id.
        execution_id: String,
        /// Before.
        from: Option<ExecutionStatus>,
        /// Now.
        to: Option<ExecutionStatus>,
    },
    /// The service accepted an operation.
    Operated {
        /// The ticket id.
        execution_id: String,
        /// What was sent.
        operation: OperateType,
        /// The service's request id.
        request_id: Option<String>,
    },
    /// A load or an operation failed.
    Failed {
        /// The ticket id.
        execution_id: String,
        /// The operation, when it was one.
        operation: Option<OperateType>,
        /// What went wrong.
        failure: ApiFailure,
    },
    /// The user picked another polling interval.
    PollIntervalChanged(u32),
}

static NEXT_UID: AtomicU32 = AtomicU32::new(1);

/// A message about an operation.
#[derive(Debug, Clone, PartialEq)]
enum Notice {
    Accepted {
        op: OperateType,
        request_id: Option<String>,
    },
    Reflected {
        op: OperateType,
        status: String,
        request_id: Option<String>,
    },
    NotReflected {
        op: OperateType,
        status: String,
        request_id: Option<String>,
    },
}

/// The whole ticket view.
#[component]
pub fn TicketView(
    /// The ticket to show.
    #[prop(into)]
    execution_id: Signal<String>,
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
) -> impl IntoView {
    let me = me.unwrap_or_else(|| fetch_me(Signal::derive(move || Some(client.get()))).into());
    // Bumped after each operation this view sends: the Activity panel reads
    // the trail again then, not on every poll.
    let activity = RwSignal::new(0u64);
    let uid = format!("coc{}", NEXT_UID.fetch_add(1, Ordering::Relaxed));
    let emit = move |ev: TicketEvent| {
        if let Some(cb) = on_event {
            cb.run(ev);
        }
    };
    let live = Live::new(poll_secs, visible);
    let Live {
        now,
        refresh,
        error,
        loading,
        ..
    } = live;

    let data = RwSignal::new(None::<Arc<Execution>>);
    let seq = StoredValue::new(0u64);
    let processed = StoredValue::new(0u64);

    let pending = RwSignal::new(None::<PendingOp>);
    let notice = RwSignal::new(None::<Notice>);
    let op_error = RwSignal::new(None::<(OperateType, ApiFailure)>);
    let busy = RwSignal::new(None::<OperateType>);
    let announce = RwSignal::new(String::new());

    // A new id starts from scratch, but picks up an operation still pending
    // from before a reload.
    crate::widgets::effect(move || {
        let id = execution_id.get();
        data.set(None);
        live.reset();
        notice.set(None);
        op_error.set(None);
        pending.set(storage::load_pending(&id, js_sys::Date::now()));
    });

    // Fetch whenever the id, the client or the refresh counter changes; an
    // answer older than one already taken in is dropped. (An effect and a
    // spawned future rather than a LocalResource and an Action: the same
    // behaviour in less wasm, which the size budget needs.)
    crate::widgets::effect(move || {
        let id = execution_id.get();
        let c = client.get();
        refresh.track();
        let n = seq.get_value() + 1;
        seq.set_value(n);
        live.started();
        loading.set(true);
        leptos::task::spawn_local(async move {
            let result = match GetExecution::new(&id) {
                Ok(op) => c.call(&op).await,
                Err(e) => Err(ApiFailure::Core(e)),
            };
            if data.is_disposed() {
                return;
            }
            if n == seq.get_value() {
                loading.set(false);
            }
            if n <= processed.get_value() || id != execution_id.get_untracked() {
                return;
            }
            processed.set_value(n);
            let id = &id;
            match &result {
                Ok(ticket) => {
                    let before = data.with_untracked(|d| d.as_ref().map(|d| d.status.clone()));
                    if data.with_untracked(|d| d.as_deref() != Some(ticket)) {
                        data.set(Some(Arc::new(ticket.clone())));
                    }
                    match before {
                        None => emit(TicketEvent::Loaded {
                            execution_id: id.clone(),
                            status: ticket.status.clone(),
                            document_name: ticket.document_name.clone(),
                        }),
                        Some(prev) if prev != ticket.status => {
                            announce.set(format!(
                                "Ticket {id} is now {} (was {}).",
                                status_label(ticket.status.as_ref()),
                                status_label(prev.as_ref())
                            ));
                            emit(TicketEvent::StatusChanged {
                                execution_id: id.clone(),
                                from: prev,
                                to: ticket.status.clone(),
                            });
                        }
                        Some(_) => {}
                    }
                    if let Some(p) = pending.get_untracked() {
                        let label = status_label(ticket.status.as_ref());
                        if p.reflected_by(ticket.status.as_ref(), ticket.update_time) {
                            notice.set(Some(Notice::Reflected {
                                op: p.op,
                                status: label,
                                request_id: p.request_id.clone(),
                            }));
                            pending.set(None);
                            storage::clear_pending(id);
                        } else if p.expired(js_sys::Date::now()) {
                            notice.set(Some(Notice::NotReflected {
                                op: p.op,
                                status: label,
                                request_id: p.request_id.clone(),
                            }));
                            pending.set(None);
                            storage::clear_pending(id);
                        }
                    }
                    live.answered(None);
                }
                Err(e) => {
                    live.answered(Some(e.clone()));
                    emit(TicketEvent::Failed {
                        execution_id: id.clone(),
                        operation: None,
                        failure: e.clone(),
                    });
                }
            }
        });
    });

    // Poll while the ticket is active (or could not be loaded for a
    // reason that may pass), fast while an operation is pending.
    live.schedule(move || {
        let waiting = pending.with(Option::is_some);
        let active = data.with(|d| d.as_ref().map(|d| d.status_or_unknown().is_active()));
        (waiting || active == Some(true) || (active.is_none() && live.transient()))
            .then_some(waiting)
    });

    // One click, one request: the lock is taken synchronously, before the
    // request exists, and released only by the answer.
    let on_operate = Callback::new(move |(op, reason): Intent| {
        if busy.get_untracked().is_some() {
            return;
        }
        busy.set(Some(op));
        op_error.set(None);
        notice.set(None);
        let (c, id) = (client.get_untracked(), execution_id.get_untracked());
        leptos::task::spawn_local(async move {
            let reason_text = reason.as_ref().map(|r| r.as_str().to_owned());
            let result = match OperateExecution::new(&id, op) {
                Ok(req) => c.call(&req.with_reason(reason)).await,
                Err(e) => Err(ApiFailure::Core(e)),
            };
            if busy.is_disposed() {
                return;
            }
            busy.set(None);
            match result {
                Ok(Operated { request_id }) => {
                    let (from_status, from_update) = data.with_untracked(|d| {
                        d.as_ref().map_or((None, None), |d| {
                            (
                                d.status.as_ref().map(|s| s.as_str().to_owned()),
                                d.update_time,
                            )
                        })
                    });
                    let p = PendingOp {
                        op,
                        from_status,
                        from_update,
                        accepted_at: js_sys::Date::now(),
                        request_id: request_id.clone(),
                        reason: reason_text,
                    };
                    storage::save_pending(&id, &p);
                    pending.set(Some(p));
                    notice.set(Some(Notice::Accepted {
                        op,
                        request_id: request_id.clone(),
                    }));
                    emit(TicketEvent::Operated {
                        execution_id: id,
                        operation: op,
                        request_id,
                    });
                }
                Err(e) => {
                    op_error.set(Some((op, e.clone())));
                    emit(TicketEvent::Failed {
                        execution_id: id,
                        operation: Some(op),
                        failure: e,
                    });
                }
            }
            // Whatever the answer, the ticket is fetched again at once, and
            // the trail, which now holds this attempt (refused ones too).
            live.bump();
            activity.update(|a| *a += 1);
        });
    });

    let ticket = Signal::derive(move || data.get().unwrap_or_default());
    // The branch depends on a memo, so that a poll that changes nothing
    // re-renders nothing (and keeps dialogs, filters and pages as they are).
    let has_data = Memo::new(move |_| data.with(Option::is_some));
    let timeline = Timeline::new(ticket, client);

    let body = dynv(move || {
        if has_data.get() {
            let uid = uid.clone();
            view! {
                <StaleWarning live />
                <div class="coc-ticket-grid">
                    <div class="coc-area-summary">
                        <TicketSummary ticket now />
                    </div>
                    <div class="coc-area-side">
                        <Notices notice op_error pending />
                        <OperationsPanel ticket busy pending on_operate uid=uid.clone() timeline me />
                        <ActivityPanel execution_id client refresh=activity />
                    </div>
                    <div class="coc-area-rest">
                        <TimelinePanel timeline uid />
                        <TicketInfo ticket />
                        <TargetsPanel ticket />
                        <RawJson ticket />
                    </div>
                </div>
            }
            .into_any()
        } else {
            dom::live_dom("", move || match error.get() {
                Some(e) => live::failed_card(&e, &format!("Ticket {}:", execution_id.get())),
                None => B::new("div", "coc-card coc-loading")
                    .attr("aria-busy", "true")
                    .text("Loading ticket ")
                    .leaf("code", "", &execution_id.get())
                    .text("…"),
            })
            .into_any()
        }
    });

    view! {
        <div
            class="coc-ticket"
            data-execution-id=text(move || execution_id.get())
            on:click=crate::widgets::click(move |ev| {
                if dom::action(&ev).as_deref() == Some("retry") {
                    live.bump();
                }
            })
        >
            <p class="coc-sr-only" role="status" aria-live="polite" data-role="announcer">
                {text(move || announce.get())}
            </p>
            <LiveBar
                live
                active=Signal::derive(move || data.with(|d| d.as_ref().map(|d| d.status_or_unknown().is_active())))
                fast=Signal::derive(move || pending.with(Option::is_some))
                settled="Finished; not polling"
                on_poll_change=Callback::new(move |s| emit(TicketEvent::PollIntervalChanged(s)))
            />
            {body}
        </div>
    }
}

/// Success and failure notices about operations.
#[component]
fn Notices(
    notice: RwSignal<Option<Notice>>,
    op_error: RwSignal<Option<(OperateType, ApiFailure)>>,
    pending: RwSignal<Option<PendingOp>>,
) -> impl IntoView {
    let rid = |r: Option<String>| r.map(|r| format!(" (request id {r})")).unwrap_or_default();
    let banner = |class: &str, role: &str, text: &str| {
        B::new("div", &format!("coc-banner {class}"))
            .attr("data-role", role)
            .attr("role", "status")
            .leaf("p", "", text)
    };
    let dismiss = |b: B, act: &str| b.button(act, "", "Dismiss", false);
    let on_click = move |ev: web_sys::MouseEvent| match dom::action(&ev).as_deref() {
        Some("dismiss-notice") => notice.set(None),
        Some("dismiss-error") => op_error.set(None),
        _ => {}
    };
    let content = dom::live_dom("", move || {
        let mut out = B::new("div", "");
        let n = notice.get();
        if let Some(n) = n.clone() {
            let (class, text) = match n {
                Notice::Accepted { op, request_id } => (
                    "coc-banner-success",
                    format!(
                        "{} accepted by the service{}. Waiting for the ticket to show it…",
                        op.as_str(),
                        rid(request_id)
                    ),
                ),
                Notice::Reflected {
                    op,
                    status,
                    request_id,
                } => (
                    "coc-banner-success",
                    format!(
                        "{} done{}: the ticket is now {status}.",
                        op.as_str(),
                        rid(request_id)
                    ),
                ),
                Notice::NotReflected {
                    op,
                    status,
                    request_id,
                } => (
                    "coc-banner-warning",
                    format!(
                        "{} was accepted{}, but the ticket still shows {status} after {} s. It may take longer; it is polled as usual.",
                        op.as_str(),
                        rid(request_id),
                        (storage::PENDING_TIMEOUT_MS / 1000.0) as u32
                    ),
                ),
            };
            out = out.child(dismiss(banner(class, "notice", &text), "dismiss-notice"));
        }
        // The "accepted" notice already says it; after a reload it is gone.
        if let Some(p) = pending.get()
            && !matches!(n, Some(Notice::Accepted { .. }))
        {
            out = out.child(banner(
                "coc-banner-info",
                "pending",
                &format!(
                    "{} was accepted at {}{}; waiting for the ticket to show it…",
                    p.op.as_str(),
                    fmt::local(p.accepted_at as i64),
                    p.reason
                        .as_deref()
                        .map(|r| format!(" (reason: {r})"))
                        .unwrap_or_default()
                ),
            ));
        }
        if let Some((op, e)) = op_error.get() {
            let b = B::new("div", "coc-banner coc-banner-error")
                .attr("data-role", "op-error")
                .child(crate::errors::error_panel(
                    &e,
                    Some(&format!("{} failed:", op.as_str())),
                    false,
                ));
            out = out.child(dismiss(b, "dismiss-error"));
        }
        out
    });
    view! { <div on:click=crate::widgets::click(on_click)>{content}</div> }
}
