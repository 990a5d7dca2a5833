//! The four operations as buttons, offered per `coc_core::advise`, and the
//! confirmation dialog for the destructive ones.
//!
//! When the gateway says who the caller is ([`MeState`]), a button the
//! caller may not use is disabled with the gateway's refusal beside the
//! status guidance (both when both apply), and the operator gives a reason:
//! in the dialog for SKIP_BATCH and TERMINATE, in the panel's reason field
//! for RESUME and RETRY; mandatory for the operations the gateway lists in
//! `require_reason`. Without an answer from `/gateway/v1/me` (an older
//! gateway) the console offers what the status allows and the gateway
//! decides.
//!
//! A button that is not offered stays focusable (`aria-disabled`, not
//! `disabled`) so that keyboard and screen-reader users can reach the reason,
//! which is also its tooltip and visible text.

use std::sync::Arc;

use coc_console_model::words::{self, op_explanation, op_label};
use coc_core::gateway::{MAX_REASON_CHARS, Me, Permission, Reason};
use coc_core::{Execution, OperateType};
use coc_i18n::tr;
use coc_i18n::view;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::timeline::Timeline;
use crate::dom::active_element;
use crate::fmt;
use crate::operator::{MeState, known};
use crate::status::status_label;
use crate::storage::PendingOp;
use crate::widgets::{dynv, flag, text};

/// Why a button is locked regardless of the advice, if it is.
fn lock_reason(
    busy: Option<OperateType>,
    pending: Option<&PendingOp>,
    op: OperateType,
) -> Option<String> {
    if let Some(b) = busy {
        return Some(tr!(
            "{op} is being sent; wait for the answer.",
            op = b.as_str()
        ));
    }
    match pending {
        Some(p) if p.op == op => Some(tr!(
            "{op} was accepted; waiting for the ticket to reflect it.",
            op = op.as_str()
        )),
        _ => None,
    }
}

/// What a confirmed intent sends: the operation and the operator's reason.
pub type Intent = (OperateType, Option<Reason>);

/// The reason as typed: `Ok(None)` when empty (and not required), the
/// validated reason, or what is wrong with it (for the note under the field).
pub fn check_reason(
    me: Option<&Me>,
    op: OperateType,
    typed: &str,
) -> Result<Option<Reason>, String> {
    if typed.trim().is_empty() {
        return match me {
            Some(me) if me.reason_required(op) => Err(tr!(
                "This gateway requires a reason for {op}: say why, for the audit trail.",
                op = op.as_str()
            )),
            _ => Ok(None),
        };
    }
    Reason::parse(typed).map(Some).map_err(|e| match e {
        coc_core::Error::InvalidArgument { reason, .. } => tr!("The reason {reason}."),
        e => e.to_string(),
    })
}

/// "12 / 500 characters".
fn reason_count(typed: &str) -> String {
    tr!(
        "{n} / {MAX_REASON_CHARS} characters",
        n = typed.trim().chars().count()
    )
}

/// The operations panel.
#[component]
pub fn OperationsPanel(
    #[prop(into)] ticket: Signal<Arc<Execution>>,
    /// The operation in flight, if any.
    #[prop(into)]
    busy: Signal<Option<OperateType>>,
    #[prop(into)] pending: Signal<Option<PendingOp>>,
    /// Called once per confirmed intent.
    on_operate: Callback<Intent>,
    /// Prefix for element ids, unique per ticket view.
    uid: String,
    /// What TERMINATE and SKIP_BATCH would hit, when known.
    #[prop(optional)]
    timeline: Option<Timeline>,
    /// Who the gateway says the caller is; absent: nobody asked.
    #[prop(optional, into)]
    me: Option<Signal<MeState>>,
) -> impl IntoView {
    let dialog_op = RwSignal::new(None::<OperateType>);
    let advice = Memo::new(move |_| {
        ticket.with(|t| OperateType::ALL.map(|op| (op, words::not_offered(t, op))))
    });
    let me_now = move || me.and_then(|m| m.with(known));
    // The reason for RESUME and RETRY, which have no dialog.
    let quick_reason = RwSignal::new(String::new());
    let reason_id = format!("{uid}-reason");

    let buttons = dynv(move || {
        advice
            .get()
            .into_iter()
            .map(|(op, not_offered)| {
                let uid = uid.clone();
                let desc_id = format!("{uid}-op-{}-desc", op.as_str());
                let why_id = format!("{uid}-op-{}-why", op.as_str());
                // Why the button is not offered now; empty when it is. (A
                // string rather than an Option: a Memo type the console
                // already has, and each new one costs wasm.)
                // Every reason that applies, each a sentence: the status
                // guidance, the gateway's refusal, the lock, and for RESUME
                // and RETRY a reason that is missing or invalid.
                let why = Memo::new(move |_| {
                    let me = me_now();
                    let lock = pending.with(|p| lock_reason(busy.get(), p.as_ref(), op));
                    let refusal = me.as_ref().and_then(|m| words::refusal(m, Permission::Operate(op)));
                    let reason = if op.is_destructive() || refusal.is_some() {
                        None
                    } else {
                        quick_reason.with(|r| check_reason(me.as_deref(), op, r).err())
                    };
                    [not_offered.clone(), refusal, lock, reason]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join(" ")
                });
                let on_click = move |_| {
                    if !why.with_untracked(String::is_empty) {
                        return;
                    }
                    if op.is_destructive() {
                        dialog_op.set(Some(op));
                    } else {
                        let me = me_now();
                        let typed = quick_reason.get_untracked();
                        if let Ok(reason) = check_reason(me.as_deref(), op, &typed) {
                            quick_reason.set(String::new());
                            on_operate.run((op, reason));
                        }
                    }
                };
                let class = match op {
                    OperateType::Terminate => "coc-btn coc-op-btn coc-btn-danger",
                    OperateType::SkipBatch => "coc-btn coc-op-btn coc-btn-danger-outline",
                    _ => "coc-btn coc-op-btn coc-btn-primary",
                };
                let label = if op.is_destructive() {
                    format!("{}…", op_label(op))
                } else {
                    op_label(op).to_owned()
                };
                let described = format!("{desc_id} {why_id}");
                let why_id2 = why_id.clone();
                view! {
                    <div class="coc-op" data-op=op.as_str() data-offered=text(move || why.with(String::is_empty).to_string())>
                        <button
                            type="button"
                            class=class
                            aria-disabled=text(move || (!why.with(String::is_empty)).to_string())
                            aria-describedby=described
                            title=text(move || why.get())
                            on:click=crate::widgets::click(on_click)
                        >
                            {text(move || if busy.get() == Some(op) { format!("{}…", op_label(op)) } else { label.clone() })}
                            {dynv(move || if busy.get() == Some(op) { view! { <span class="coc-spinner" aria-hidden="true"></span> }.into_any() } else { ().into_any() })}
                        </button>
                        <p class="coc-op-desc" id=desc_id>{op_explanation(op)}</p>
                        <p class="coc-op-why" id=why_id2 hidden=flag(move || why.with(String::is_empty))>
                            {text(move || why.with(|w| if w.is_empty() { String::new() } else { tr!("Not available: {w}") }))}
                        </p>
                    </div>
                }
            })
            .collect_view()
            .into_any()
    });

    // Shown once the gateway said who the caller is (that gateway records
    // reasons), for the operations the status offers and the caller may send.
    let quick_label = move || {
        let me = me_now()?;
        let offered = advice.get();
        let ops: Vec<OperateType> = [OperateType::Resume, OperateType::Retry]
            .into_iter()
            .filter(|op| me.may(Permission::Operate(*op)))
            .filter(|op| offered.iter().any(|(o, not)| o == op && not.is_none()))
            .collect();
        if ops.is_empty() {
            return None;
        }
        let names: Vec<&str> = ops.iter().map(|o| o.as_str()).collect();
        let required: Vec<&str> = ops
            .iter()
            .filter(|o| me.reason_required(**o))
            .map(|o| o.as_str())
            .collect();
        Some(if required.is_empty() {
            tr!("Reason for {ops} (optional)", ops = names.join(tr!(" or ")))
        } else {
            tr!(
                "Reason for {ops} (required for {required})",
                ops = names.join(tr!(" or ")),
                required = required.join(tr!(" and "))
            )
        })
    };
    let reason_id2 = reason_id.clone();
    view! {
        <section class="coc-card coc-ops" aria-label="Operations">
            <h3>"Operations"</h3>
            <div class="coc-op-list">{buttons}</div>
            <div class="coc-quick-reason" hidden=flag(move || quick_label().is_none())>
                <label class="coc-label" for=reason_id.clone()>{text(move || quick_label().unwrap_or_default())}</label>
                <textarea
                    id=reason_id2
                    class="coc-input coc-reason-input"
                    data-role="quick-reason"
                    rows="2"
                    prop:value=text(move || quick_reason.get())
                    on:input=move |ev| quick_reason.set(event_target_value(&ev))
                ></textarea>
                <p class="coc-muted coc-reason-count">{text(move || quick_reason.with(|r| reason_count(r)))}</p>
            </div>
            <ConfirmDialog ticket dialog_op on_confirm=on_operate timeline=timeline me />
        </section>
    }
}

fn focusables(root: &web_sys::Element) -> Vec<web_sys::HtmlElement> {
    let Ok(list) = root.query_selector_all(
        "button:not([disabled]), input:not([disabled]), textarea:not([disabled]), a[href], [tabindex]:not([tabindex=\"-1\"])",
    ) else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| n.dyn_into::<web_sys::HtmlElement>().ok())
        .collect()
}

/// The confirmation for TERMINATE and SKIP_BATCH: a modal `<dialog>` that
/// names the ticket and the consequence, with the blast radius when known
/// (instances still running; the batch skipped and what it leaves unrun).
/// TERMINATE also wants the id typed. The reason field is mandatory when
/// the gateway requires a reason for the operation.
#[component]
pub fn ConfirmDialog(
    #[prop(into)] ticket: Signal<Arc<Execution>>,
    dialog_op: RwSignal<Option<OperateType>>,
    on_confirm: Callback<Intent>,
    /// What TERMINATE and SKIP_BATCH would hit, when known.
    #[prop(default = None)]
    timeline: Option<Timeline>,
    /// Who the gateway says the caller is.
    #[prop(default = None)]
    me: Option<Signal<MeState>>,
) -> impl IntoView {
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    let typed = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let me_now = move || me.and_then(|m| m.with(known));
    let checked_reason = move || {
        let op = dialog_op.get()?;
        Some(reason.with(|r| check_reason(me_now().as_deref(), op, r)))
    };
    let reason_problem = move || match checked_reason() {
        Some(Err(e)) => e,
        _ => String::new(),
    };
    let id = move || ticket.with(|t| t.execution_id.clone().unwrap_or_default());
    let job = move || ticket.with(|t| t.document_name.clone().unwrap_or_default());

    // Open and close the native dialog with the signal.
    crate::widgets::effect(move || {
        let want = dialog_op.get();
        let Some(d) = dialog.get() else { return };
        match want {
            Some(op) if !d.open() => {
                typed.set(String::new());
                reason.set(String::new());
                let _ = d.show_modal();
                // Focus the safe choice: the id field for TERMINATE, Cancel otherwise.
                let d2 = d.clone();
                request_animation_frame(move || {
                    let sel = if op == OperateType::Terminate {
                        ".coc-confirm-input"
                    } else {
                        ".coc-dialog-cancel"
                    };
                    if let Ok(Some(el)) = d2.query_selector(sel)
                        && let Ok(el) = el.dyn_into::<web_sys::HtmlElement>()
                    {
                        let _ = el.focus();
                    }
                });
            }
            None if d.open() => d.close(),
            _ => {}
        }
    });

    let needs_typing = move || dialog_op.get() == Some(OperateType::Terminate);
    let still_offered = move || {
        dialog_op
            .get()
            .and_then(|op| ticket.with(|t| words::not_offered(t, op)))
    };
    let can_confirm = move || {
        still_offered().is_none()
            && (!needs_typing() || typed.with(|t| t.trim() == id()))
            && matches!(checked_reason(), Some(Ok(_)))
    };
    let confirm = move |_| {
        // Take the op out first: a second click finds nothing to send.
        let Some(op) = dialog_op.get_untracked() else {
            return;
        };
        if !can_confirm() {
            return;
        }
        let Some(Ok(why)) = untrack(checked_reason) else {
            return;
        };
        dialog_op.set(None);
        on_confirm.run((op, why));
    };
    let reason_label = move || match dialog_op.get() {
        Some(op) if me_now().is_some_and(|m| m.reason_required(op)) => {
            tr!("Reason (required; recorded in the gateway's audit trail)")
        }
        _ => tr!("Reason (optional; recorded in the gateway's audit trail)"),
    };
    let cancel = move |_| dialog_op.set(None);
    let on_keydown = move |ev: web_sys::KeyboardEvent| {
        if ev.key() != "Tab" {
            return;
        }
        let Some(d) = dialog.get() else { return };
        let items = focusables(&d);
        let (Some(first), Some(last)) = (items.first(), items.last()) else {
            return;
        };
        let active = active_element(&d);
        let at = |el: &web_sys::HtmlElement| {
            active
                .as_ref()
                .is_some_and(|a| a == el.unchecked_ref::<web_sys::Element>())
        };
        if ev.shift_key() && (at(first) || active.is_none()) {
            ev.prevent_default();
            let _ = last.focus();
        } else if !ev.shift_key() && at(last) {
            ev.prevent_default();
            let _ = first.focus();
        }
    };

    let blast = move || timeline.and_then(|t| t.blast()).unwrap_or_default();
    let title = move || match (dialog_op.get(), blast().batch) {
        (Some(OperateType::Terminate), _) => tr!("Terminate ticket {id}?", id = id()),
        (Some(OperateType::SkipBatch), Some((b, n, _))) => {
            tr!(
                "Skip the current batch (batch {b} of {n}) of ticket {id}?",
                id = id()
            )
        }
        (Some(OperateType::SkipBatch), None) => {
            tr!("Skip the current batch of ticket {id}?", id = id())
        }
        (Some(op), _) => tr!("{op} ticket {id}?", op = op_label(op), id = id()),
        (None, _) => String::new(),
    };
    let body = move || {
        let status = ticket.with(|t| status_label(t.status.as_ref()));
        let job = job();
        let job = if job.is_empty() {
            tr!("an unnamed job").to_owned()
        } else {
            tr!("job {job}")
        };
        let blast = blast();
        let instances = |n: u32| match n {
            1 => tr!("1 instance").to_owned(),
            n => tr!("{n} instances", n = fmt::count(n as usize)),
        };
        match dialog_op.get() {
            Some(OperateType::Terminate) => tr!(
                "The ticket runs {job} and is {status}. Terminating forces it to stop: {what}, and a terminated ticket cannot be resumed.",
                what = match blast.running {
                    Some(0) => tr!("no instance is running right now").to_owned(),
                    Some(n) => tr!("{n} still running will be cancelled", n = instances(n)),
                    None => tr!("running work is cancelled").to_owned(),
                }
            ),
            Some(OperateType::SkipBatch) => tr!(
                "The ticket runs {job} and is {status}. {what} This cannot be undone.",
                what = match blast.batch {
                    Some((b, n, unrun)) => tr!(
                        "Skipping batch {b} leaves {unrun} unrun and {then}.",
                        unrun = unrun.map_or(tr!("its unfinished instances").to_owned(), |u| {
                            tr!("{n} of its instances", n = fmt::count(u as usize))
                        }),
                        then = if b < n {
                            tr!("goes on with batch {next}", next = b + 1)
                        } else {
                            tr!("ends the ticket, as it is the last batch").to_owned()
                        }
                    ),
                    None => tr!("Skipping leaves the targets of the current batch unrun and goes on with the next batch.").to_owned(),
                }
            ),
            Some(op) => op_explanation(op).to_owned(),
            None => String::new(),
        }
    };
    let confirm_label = move || match dialog_op.get() {
        Some(OperateType::Terminate) => tr!("Terminate ticket"),
        Some(OperateType::SkipBatch) => tr!("Skip batch"),
        _ => tr!("Confirm"),
    };

    view! {
        <dialog
            class="coc-dialog"
            node_ref=dialog
            aria-label=text(title)
            on:close=move |_| dialog_op.set(None)
            on:keydown=on_keydown
        >
            <h2 class="coc-dialog-title">{text(title)}</h2>
            <p class="coc-dialog-body">{text(body)}</p>
            {dynv(move || match still_offered() {
                Some(why) => view! {
                    <p class="coc-dialog-warning" role="alert">{tr!("No longer offered: {why}")}</p>
                }
                .into_any(),
                None => ().into_any(),
            })}
            {dynv(move || if needs_typing() {
                view! {
                    <label class="coc-confirm-label">
                        <span>"Type the ticket id " <code>{text(id)}</code> " to confirm"</span>
                        <input
                            class="coc-confirm-input"
                            type="text"
                            autocomplete="off"
                            spellcheck="false"
                            prop:value=text(move || typed.get())
                            on:input=move |ev| typed.set(event_target_value(&ev))
                        />
                    </label>
                }
                .into_any()
            } else {
                ().into_any()
            })}
            <label class="coc-reason-label">
                <span>{text(move || reason_label().to_owned())}</span>
                <textarea
                    class="coc-input coc-reason-input"
                    data-role="reason"
                    rows="3"
                    aria-invalid=text(move || (!reason_problem().is_empty() && !reason.with(|r| r.trim().is_empty())).to_string())
                    prop:value=text(move || reason.get())
                    on:input=move |ev| reason.set(event_target_value(&ev))
                ></textarea>
            </label>
            <p class="coc-reason-note" data-role="reason-note" aria-live="polite">
                {text(move || {
                    let p = reason_problem();
                    if p.is_empty() { reason.with(|r| reason_count(r)) } else { p }
                })}
            </p>
            <div class="coc-dialog-buttons">
                <button type="button" class="coc-btn coc-dialog-cancel" on:click=crate::widgets::click(cancel)>"Cancel"</button>
                <button
                    type="button"
                    class="coc-btn coc-btn-danger coc-dialog-confirm"
                    disabled=flag(move || !can_confirm())
                    on:click=crate::widgets::click(confirm)
                >
                    {text(move || confirm_label().to_owned())}
                </button>
            </div>
        </dialog>
    }
}
