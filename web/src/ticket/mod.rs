//! The ticket view: one ticket, live, with its operations.
//!
//! A self-contained component: it takes the ticket id (a signal), an API
//! client and an optional event callback, and depends on no router, no
//! `window.location`, no document title and no global CSS (its styles hang
//! off `.coc` classes). The console's ticket page mounts it; the embeddable
//! element will mount the same component in a shadow root.
//!
//! Data flow, after leptos' `hackernews`/`fetch` examples: a `LocalResource`
//! fetches the ticket, keyed on the id, the client, a refresh counter and the
//! operate action's version (so a successful operation refetches at once).
//! An effect folds each answer into the last good data, the failure count
//! and the pending operation; another effect schedules the next poll.

mod fields;
mod ops;
mod raw;
mod targets;

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use coc_core::{Execution, ExecutionStatus, GetExecution, OperateExecution, OperateType, Operated};
use leptos::prelude::*;

pub use fields::{TicketInfo, TicketSummary, TimeText};
pub use ops::{ConfirmDialog, OperationsPanel};
pub use raw::RawJson;
pub use targets::{PAGE_SIZE, TargetsPanel};

use crate::api::{ApiClient, ApiFailure};
use crate::errors::ErrorPanel;
use crate::fmt;
use crate::settings::{DEFAULT_POLL_SECS, POLL_CHOICES};
use crate::status::status_label;
use crate::storage::{self, PendingOp};
use crate::widgets::{clock, dynv, page_visible, text};

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

/// Polling backs off on errors up to this.
pub const MAX_BACKOFF_MS: f64 = 60_000.0;
/// Polling interval while waiting for an operation to show.
pub const FAST_POLL_MS: f64 = 1_000.0;

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

/// The delay before the next poll.
pub fn poll_delay_ms(base_ms: f64, failures: u32) -> f64 {
    (base_ms * f64::from(1u32 << failures.min(5))).min(MAX_BACKOFF_MS.max(base_ms))
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
) -> impl IntoView {
    let uid = format!("coc{}", NEXT_UID.fetch_add(1, Ordering::Relaxed));
    let emit = move |ev: TicketEvent| {
        if let Some(cb) = on_event {
            cb.run(ev);
        }
    };
    let now = clock();
    let visible = visible.unwrap_or_else(page_visible);
    let poll = RwSignal::new(poll_secs.filter(|s| *s > 0).unwrap_or(DEFAULT_POLL_SECS));
    let paused = RwSignal::new(false);
    let refresh = RwSignal::new(0u64);

    let data = RwSignal::new(None::<Arc<Execution>>);
    let ok_at = RwSignal::new(None::<f64>);
    let failures = RwSignal::new(0u32);
    let error = RwSignal::new(None::<ApiFailure>);
    let done = RwSignal::new(0u64);
    let loading = RwSignal::new(false);
    let attempt_at = StoredValue::new(0.0f64);
    let seq = StoredValue::new(0u64);
    let processed = StoredValue::new(0u64);

    let pending = RwSignal::new(None::<PendingOp>);
    let notice = RwSignal::new(None::<Notice>);
    let op_error = RwSignal::new(None::<(OperateType, ApiFailure)>);
    let busy = RwSignal::new(None::<OperateType>);
    let announce = RwSignal::new(String::new());

    // A new id starts from scratch, but picks up an operation still pending
    // from before a reload.
    Effect::new(move |_| {
        let id = execution_id.get();
        data.set(None);
        ok_at.set(None);
        failures.set(0);
        error.set(None);
        notice.set(None);
        op_error.set(None);
        pending.set(storage::load_pending(&id, js_sys::Date::now()));
    });

    let operate = Action::new_unsync(move |input: &(ApiClient, String, OperateType)| {
        let (c, id, op) = input.clone();
        async move {
            let result = match OperateExecution::new(&id, op) {
                Ok(req) => c.call(&req).await,
                Err(e) => Err(ApiFailure::Core(e)),
            };
            (id, op, result)
        }
    });
    let version = operate.version();

    let fetched = LocalResource::new(move || {
        let id = execution_id.get();
        let c = client.get();
        refresh.track();
        version.track();
        let n = seq.get_value() + 1;
        seq.set_value(n);
        attempt_at.set_value(js_sys::Date::now());
        async move {
            loading.set(true);
            let result = match GetExecution::new(&id) {
                Ok(op) => c.call(&op).await,
                Err(e) => Err(ApiFailure::Core(e)),
            };
            loading.set(false);
            Arc::new((n, id, result))
        }
    });

    // Fold each answer into the view's state.
    Effect::new(move |_| {
        let Some(answer) = fetched.get() else { return };
        let (n, id, result) = answer.as_ref();
        if *n <= processed.get_value() || *id != execution_id.get_untracked() {
            return;
        }
        processed.set_value(*n);
        match result {
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
                ok_at.set(Some(js_sys::Date::now()));
                if failures.get_untracked() != 0 {
                    failures.set(0);
                }
                if error.with_untracked(Option::is_some) {
                    error.set(None);
                }
            }
            Err(e) => {
                failures.update(|f| *f = f.saturating_add(1));
                error.set(Some(e.clone()));
                emit(TicketEvent::Failed {
                    execution_id: id.clone(),
                    operation: None,
                    failure: e.clone(),
                });
            }
        }
        done.update(|d| *d += 1);
    });

    // Schedule the next poll. Re-runs when a fetch completes or any input
    // changes, always replacing the previous timer.
    let timer = StoredValue::new_local(None::<TimeoutHandle>);
    let clear_timer = move || {
        if let Some(h) = timer.try_update_value(Option::take).flatten() {
            h.clear();
        }
    };
    Effect::new(move |_| {
        done.track();
        let (visible, paused, poll_s, failures) =
            (visible.get(), paused.get(), poll.get(), failures.get());
        let waiting = pending.with(Option::is_some);
        let active = data.with(|d| d.as_ref().map(|d| d.status_or_unknown().is_active()));
        let transient = error.with(|e| e.as_ref().is_some_and(ApiFailure::is_transient));
        clear_timer();
        let wanted = waiting || active == Some(true) || (active.is_none() && transient);
        if !visible || paused || !wanted {
            return;
        }
        let base = if waiting {
            FAST_POLL_MS
        } else {
            f64::from(poll_s) * 1000.0
        };
        let delay = poll_delay_ms(base, failures);
        let wait = (attempt_at.get_value() + delay - js_sys::Date::now()).max(0.0);
        if let Ok(h) = set_timeout_with_handle(
            move || refresh.update(|r| *r += 1),
            Duration::from_millis(wait as u64),
        ) {
            timer.set_value(Some(h));
        }
    });
    on_cleanup(clear_timer);

    // What an operation's answer does.
    Effect::new(move |_| {
        let Some((id, op, result)) = operate.value().get() else {
            return;
        };
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
    });

    // One click, one request: the lock is taken synchronously, before the
    // request exists, and released only by the answer.
    let on_operate = Callback::new(move |op: OperateType| {
        if busy.get_untracked().is_some() {
            return;
        }
        busy.set(Some(op));
        op_error.set(None);
        notice.set(None);
        operate.dispatch((client.get_untracked(), execution_id.get_untracked(), op));
    });

    let ticket = Signal::derive(move || data.get().unwrap_or_default());
    // The branch depends on a memo, so that a poll that changes nothing
    // re-renders nothing (and keeps dialogs, filters and pages as they are).
    let has_data = Memo::new(move |_| data.with(Option::is_some));

    let body = dynv(move || {
        if has_data.get() {
            let uid = uid.clone();
            view! {
                <StaleWarning error failures ok_at now />
                <div class="coc-ticket-grid">
                    <div class="coc-area-summary">
                        <TicketSummary ticket now />
                    </div>
                    <div class="coc-area-side">
                        <Notices notice op_error pending />
                        <OperationsPanel ticket busy pending on_operate uid />
                    </div>
                    <div class="coc-area-rest">
                        <TicketInfo ticket />
                        <TargetsPanel ticket />
                        <RawJson ticket />
                    </div>
                </div>
            }
            .into_any()
        } else {
            dynv(move || match error.get() {
                Some(e) => view! {
                    <div class="coc-card coc-load-failed">
                        <ErrorPanel failure=e heading=format!("Ticket {}:", execution_id.get()) />
                        <button type="button" class="coc-btn" on:click=move |_| refresh.update(|r| *r += 1)>
                            "Try again"
                        </button>
                    </div>
                }
                .into_any(),
                None => view! {
                    <div class="coc-card coc-loading" aria-busy="true">
                        "Loading ticket " <code>{text(move || execution_id.get())}</code> "…"
                    </div>
                }
                .into_any(),
            })
            .into_any()
        }
    });

    view! {
        <div class="coc-ticket" data-execution-id=text(move || execution_id.get())>
            <p class="coc-sr-only" role="status" aria-live="polite" data-role="announcer">
                {text(move || announce.get())}
            </p>
            <LiveBar
                data
                ok_at
                now
                poll
                paused
                visible
                loading
                pending
                on_refresh=Callback::new(move |()| refresh.update(|r| *r += 1))
                on_poll_change=Callback::new(move |s| emit(TicketEvent::PollIntervalChanged(s)))
            />
            {body}
        </div>
    }
}

/// "Live · updated 3 s ago · every 3 s · Pause · Refresh".
#[component]
fn LiveBar(
    data: RwSignal<Option<Arc<Execution>>>,
    ok_at: RwSignal<Option<f64>>,
    now: Signal<f64>,
    poll: RwSignal<u32>,
    paused: RwSignal<bool>,
    visible: Signal<bool>,
    loading: RwSignal<bool>,
    pending: RwSignal<Option<PendingOp>>,
    on_refresh: Callback<()>,
    on_poll_change: Callback<u32>,
) -> impl IntoView {
    let active = move || data.with(|d| d.as_ref().map(|d| d.status_or_unknown().is_active()));
    let mode = move || {
        if paused.get() {
            ("paused", "Paused".to_owned())
        } else if !visible.get() {
            ("hidden", "Paused while hidden".to_owned())
        } else if pending.with(Option::is_some) {
            ("fast", "Live, checking every second".to_owned())
        } else {
            match active() {
                Some(true) => ("live", "Live".to_owned()),
                Some(false) => ("final", "Finished; not polling".to_owned()),
                None => ("idle", "Not loaded".to_owned()),
            }
        }
    };
    let updated = move || match ok_at.get() {
        Some(t) => {
            let secs = ((now.get() - t) / 1000.0).max(0.0).floor() as i64;
            if secs < 1 {
                "updated just now".to_owned()
            } else {
                format!("updated {secs} s ago")
            }
        }
        None => "not updated yet".to_owned(),
    };
    let options = POLL_CHOICES
        .iter()
        .map(|s| view! { <option value=s.to_string()>{format!("every {s} s")}</option> })
        .collect_view();
    view! {
        <div class="coc-livebar" data-mode=text(move || mode().0.to_owned())>
            <span class="coc-live-dot" aria-hidden="true"></span>
            <span class="coc-live-mode">{text(move || mode().1)}</span>
            <span class="coc-live-updated" data-role="updated">{text(updated)}</span>
            {dynv(move || if loading.get() { view! { <span class="coc-spinner" aria-label="Refreshing"></span> }.into_any() } else { ().into_any() })}
            <span class="coc-live-controls">
                <label>
                    <span class="coc-sr-only">"Polling interval"</span>
                    <select
                        class="coc-select"
                        prop:value=text(move || poll.get().to_string())
                        on:change=move |ev| {
                            if let Ok(s) = event_target_value(&ev).parse::<u32>() {
                                poll.set(s);
                                on_poll_change.run(s);
                            }
                        }
                    >
                        {options}
                    </select>
                </label>
                <button
                    type="button"
                    class="coc-btn coc-btn-small"
                    aria-pressed=text(move || paused.get().to_string())
                    on:click=move |_| paused.update(|p| *p = !*p)
                >
                    {text(move || if paused.get() { "Resume updates".to_owned() } else { "Pause updates".to_owned() })}
                </button>
                <button type="button" class="coc-btn coc-btn-small" on:click=move |_| on_refresh.run(())>
                    "Refresh now"
                </button>
            </span>
        </div>
    }
}

/// Shown above the data when refreshes fail: the data stays, and says how old it is.
#[component]
fn StaleWarning(
    error: RwSignal<Option<ApiFailure>>,
    failures: RwSignal<u32>,
    ok_at: RwSignal<Option<f64>>,
    now: Signal<f64>,
) -> impl IntoView {
    dynv(move || {
        let Some(e) = error.get() else {
            return ().into_any();
        };
        {
            let age = text(move || {
                ok_at
                    .get()
                    .map(|t| {
                        format!(
                            "from {} s ago",
                            ((now.get() - t) / 1000.0).max(0.0).floor() as i64
                        )
                    })
                    .unwrap_or_default()
            });
            let count = failures.get();
            view! {
                <div class="coc-banner coc-banner-warning" data-role="stale-warning">
                    <p>
                        <strong>{format!("Refresh failed{}.", if count > 1 { format!(" {count} times in a row") } else { String::new() })}</strong>
                        " Showing the last good data, " {age} ". Retrying with back-off."
                    </p>
                    <ErrorPanel failure=e compact=true />
                </div>
            }
            .into_any()
        }
    })
}

/// Success and failure notices about operations.
#[component]
fn Notices(
    notice: RwSignal<Option<Notice>>,
    op_error: RwSignal<Option<(OperateType, ApiFailure)>>,
    pending: RwSignal<Option<PendingOp>>,
) -> impl IntoView {
    let notice_view = dynv(move || {
        let Some(n) = notice.get() else {
            return ().into_any();
        };
        {
            let (class, text) = match n {
                Notice::Accepted { op, request_id } => (
                    "coc-banner-success",
                    format!(
                        "{} accepted by the service{}. Waiting for the ticket to show it…",
                        op.as_str(),
                        request_id
                            .map(|r| format!(" (request id {r})"))
                            .unwrap_or_default()
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
                        request_id
                            .map(|r| format!(" (request id {r})"))
                            .unwrap_or_default()
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
                        request_id
                            .map(|r| format!(" (request id {r})"))
                            .unwrap_or_default(),
                        (storage::PENDING_TIMEOUT_MS / 1000.0) as u32
                    ),
                ),
            };
            view! {
                <div class=format!("coc-banner {class}") data-role="notice" role="status">
                    <p>{text}</p>
                    <button type="button" class="coc-btn coc-btn-small coc-dismiss" on:click=move |_| notice.set(None)>
                        "Dismiss"
                    </button>
                </div>
            }
            .into_any()
        }
    });
    let pending_view = dynv(move || {
        let Some(p) = pending.get() else {
            return ().into_any();
        };
        // The "accepted" notice already says it; after a reload it is gone.
        if matches!(notice.get(), Some(Notice::Accepted { .. })) {
            return ().into_any();
        }
        {
            {
                view! {
                    <div class="coc-banner coc-banner-info" data-role="pending" role="status">
                        <p>{format!(
                            "{} was accepted at {}; waiting for the ticket to show it…",
                            p.op.as_str(),
                            fmt::local(p.accepted_at as i64)
                        )}</p>
                    </div>
                }
                .into_any()
            }
        }
    });
    let error_view = dynv(move || {
        let Some((op, e)) = op_error.get() else {
            return ().into_any();
        };
        {
            view! {
                <div class="coc-banner coc-banner-error" data-role="op-error">
                    <ErrorPanel failure=e heading=format!("{} failed:", op.as_str()) />
                    <button type="button" class="coc-btn coc-btn-small coc-dismiss" on:click=move |_| op_error.set(None)>
                        "Dismiss"
                    </button>
                </div>
            }
            .into_any()
        }
    });
    view! { {notice_view} {pending_view} {error_view} }
}
