//! One ticket, live, with its operations: what the ticket view knows and
//! how each answer changes it.
//!
//! The view owns a [`TicketModel`] and changes it only here:
//! [`TicketModel::absorb`] takes in a GET answer, [`TicketModel::begin`]
//! takes the one-operation lock before a POST exists, and
//! [`TicketModel::operated`] takes in the POST's answer. Each returns the
//! [`TicketEvent`]s the host page hears and what must be stored, so the
//! rules (keep the last good data, one operation at a time, when an
//! operation shows) are tested without a browser.

use coc_i18n::tr;
use std::sync::Arc;

use coc_core::{Execution, ExecutionId, ExecutionStatus, OperateType, Operated};

use crate::failure::ApiFailure;
use crate::live::{Freshness, Want};
use crate::record::{PENDING_TIMEOUT_MS, PendingOp};
use crate::status::status_label;

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
    /// An operation was sent and no usable answer came back: it may have
    /// been applied. Never reported as [`TicketEvent::Failed`].
    OutcomeUnknown {
        /// The ticket id.
        execution_id: String,
        /// What was sent.
        operation: OperateType,
        /// What came back instead of an answer.
        failure: ApiFailure,
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

/// A message about an operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// The service accepted it; the ticket does not show it yet.
    Accepted {
        /// What was sent.
        op: OperateType,
        /// The service's request id.
        request_id: Option<String>,
    },
    /// The ticket shows it.
    Reflected {
        /// What was sent.
        op: OperateType,
        /// The service's request id.
        request_id: Option<String>,
    },
    /// Accepted, but the ticket did not change within the wait.
    NotReflected {
        /// What was sent.
        op: OperateType,
        /// The service's request id.
        request_id: Option<String>,
    },
    /// Sent, and no usable answer came back; the ticket is watched.
    OutcomeUnknown {
        /// What was sent.
        op: OperateType,
        /// What came back instead of an answer.
        failure: ApiFailure,
    },
    /// The outcome was unknown, and the ticket did not change within the
    /// wait: most likely it was not applied.
    StillUnknown {
        /// What was sent.
        op: OperateType,
    },
}

impl Notice {
    /// The banner's words and whether it is a warning. `status` is the
    /// ticket's status *now*: a TERMINATE shows as Cancelling first and
    /// Cancelled a poll later, and the banner must agree with the badge.
    pub fn text(&self, status: &str) -> (String, bool) {
        let rid = |r: &Option<String>| {
            r.as_ref()
                .map(|r| tr!(" (request id {r})"))
                .unwrap_or_default()
        };
        match self {
            Notice::Accepted { op, request_id } => (
                tr!(
                    "{op} accepted by the service{rid}. Waiting for the ticket to show it…",
                    op = op.as_str(),
                    rid = rid(request_id)
                ),
                false,
            ),
            Notice::Reflected { op, request_id } => (
                tr!(
                    "{op} done{rid}: the ticket is now {status}.",
                    op = op.as_str(),
                    rid = rid(request_id)
                ),
                false,
            ),
            Notice::NotReflected { op, request_id } => (
                tr!(
                    "{op} was accepted{rid}, but the ticket still shows {status} after {secs} s. It may take longer; it is polled as usual.",
                    op = op.as_str(),
                    rid = rid(request_id),
                    secs = (PENDING_TIMEOUT_MS / 1000.0) as u32
                ),
                true,
            ),
            Notice::OutcomeUnknown { op, failure } => (
                tr!(
                    "{op}: outcome unknown. It was sent, but no answer came back ({code}{msg}). It may have been applied, and it was not retried. The ticket is watched for it; look at it before sending {op} again.",
                    code = failure
                        .error_code()
                        .map(|c| format!("{c}: "))
                        .unwrap_or_default(),
                    msg = failure
                        .error_msg()
                        .map_or_else(|| failure.to_string(), str::to_owned),
                    op = op.as_str(),
                ),
                true,
            ),
            Notice::StillUnknown { op } => (
                tr!(
                    "{op}'s outcome is still unknown: the ticket still shows {status} after {secs} s, so it was most likely not applied. Check the Activity panel before sending it again.",
                    secs = (PENDING_TIMEOUT_MS / 1000.0) as u32,
                    op = op.as_str(),
                ),
                true,
            ),
        }
    }
}

/// What the caller must do with storage after a change.
#[derive(Debug, Clone, PartialEq)]
pub enum Store {
    /// Nothing.
    Keep,
    /// Save this pending operation (it survives a reload).
    SavePending(PendingOp),
    /// The pending operation is over: forget it.
    ClearPending,
}

/// The outcome of a change: events for the host, and storage to update.
#[derive(Debug, Clone, PartialEq)]
pub struct Changed {
    /// Events, in order.
    pub events: Vec<TicketEvent>,
    /// Storage to update.
    pub store: Store,
}

/// The state of one ticket view.
#[derive(Debug, Clone, PartialEq)]
pub struct TicketModel {
    /// The ticket.
    pub id: ExecutionId,
    /// The last good answer.
    pub ticket: Option<Arc<Execution>>,
    /// How the answers have gone.
    pub fresh: Freshness,
    /// An accepted operation not yet reflected (also after a reload).
    pub pending: Option<PendingOp>,
    /// The last message about an operation.
    pub notice: Option<Notice>,
    /// The last operation that failed, and how.
    pub op_error: Option<(OperateType, ApiFailure)>,
    /// The operation in flight: every button is locked while set.
    pub busy: Option<OperateType>,
    /// The last status change in words, for screen readers.
    pub announce: String,
}

impl TicketModel {
    /// A view of `id` with nothing loaded; `pending` is what storage kept
    /// from before a reload (dropped if its wait is over).
    pub fn new(id: ExecutionId, pending: Option<PendingOp>, now: f64) -> Self {
        Self {
            id,
            ticket: None,
            fresh: Freshness::default(),
            pending: pending.filter(|p| !p.expired(now)),
            notice: None,
            op_error: None,
            busy: None,
            announce: String::new(),
        }
    }

    /// `Some(active?)` once loaded.
    pub fn active(&self) -> Option<bool> {
        self.ticket
            .as_ref()
            .map(|t| t.status_or_unknown().is_active())
    }

    /// What the poller should do: fast while an operation is awaited, at
    /// the interval while the ticket is active or a failure may pass.
    pub fn want(&self) -> Want {
        if self.pending.is_some() {
            Want::Fast
        } else if self.active() == Some(true) || (self.ticket.is_none() && self.fresh.transient()) {
            Want::Normal
        } else {
            Want::Stop
        }
    }

    /// Takes in the answer to a GET of this ticket.
    pub fn absorb(&mut self, answer: Result<Arc<Execution>, ApiFailure>, now: f64) -> Changed {
        let id = self.id.to_string();
        let mut events = Vec::new();
        let mut store = Store::Keep;
        match answer {
            Ok(ticket) => {
                let before = self.ticket.as_ref().map(|t| t.status.clone());
                match before {
                    None => events.push(TicketEvent::Loaded {
                        execution_id: id.clone(),
                        status: ticket.status.clone(),
                        document_name: ticket.document_name.clone(),
                    }),
                    Some(prev) if prev != ticket.status => {
                        self.announce = tr!(
                            "Ticket {id} is now {now} (was {was}).",
                            now = status_label(ticket.status.as_ref()),
                            was = status_label(prev.as_ref())
                        );
                        events.push(TicketEvent::StatusChanged {
                            execution_id: id.clone(),
                            from: prev,
                            to: ticket.status.clone(),
                        });
                    }
                    Some(_) => {}
                }
                if let Some(p) = &self.pending {
                    let (op, request_id) = (p.op, p.request_id.clone());
                    if p.reflected_by(ticket.status.as_ref(), ticket.update_time) {
                        self.notice = Some(Notice::Reflected { op, request_id });
                        self.pending = None;
                        store = Store::ClearPending;
                    } else if p.expired(now) {
                        self.notice = Some(if p.outcome_unknown {
                            Notice::StillUnknown { op }
                        } else {
                            Notice::NotReflected { op, request_id }
                        });
                        self.pending = None;
                        store = Store::ClearPending;
                    }
                }
                // The same data keeps the same Arc: nothing downstream
                // re-renders for a poll that changed nothing.
                if self.ticket.as_deref() != Some(&*ticket) {
                    self.ticket = Some(ticket);
                }
                self.fresh.answered(None, now);
            }
            Err(failure) => {
                self.fresh.answered(Some(&failure), now);
                events.push(TicketEvent::Failed {
                    execution_id: id,
                    operation: None,
                    failure,
                });
            }
        }
        Changed { events, store }
    }

    /// Takes the operation lock: `false` (send nothing) when an operation
    /// is already in flight. Called before the request is built, so a
    /// double click cannot make two.
    pub fn begin(&mut self, op: OperateType) -> bool {
        if self.busy.is_some() {
            return false;
        }
        self.busy = Some(op);
        self.op_error = None;
        self.notice = None;
        true
    }

    /// Takes in the answer to the POST that [`TicketModel::begin`] allowed.
    /// The lock is released; on success the operation is pending until a
    /// GET shows it.
    pub fn operated(
        &mut self,
        op: OperateType,
        reason: Option<String>,
        answer: Result<Operated, ApiFailure>,
        now: f64,
    ) -> Changed {
        self.busy = None;
        let execution_id = self.id.to_string();
        match answer {
            Ok(Operated { request_id }) => {
                let p = PendingOp {
                    request_id: request_id.clone(),
                    ..self.pending_from(op, reason, now)
                };
                let notice = Notice::Accepted {
                    op,
                    request_id: request_id.clone(),
                };
                let event = TicketEvent::Operated {
                    execution_id,
                    operation: op,
                    request_id,
                };
                self.watch(p, notice, event)
            }
            Err(failure) if failure.outcome_unknown() => {
                let p = PendingOp {
                    outcome_unknown: true,
                    request_id: failure.request_id().map(str::to_owned),
                    ..self.pending_from(op, reason, now)
                };
                let notice = Notice::OutcomeUnknown {
                    op,
                    failure: failure.clone(),
                };
                let event = TicketEvent::OutcomeUnknown {
                    execution_id,
                    operation: op,
                    failure,
                };
                self.watch(p, notice, event)
            }
            Err(failure) => {
                self.op_error = Some((op, failure.clone()));
                Changed {
                    events: vec![TicketEvent::Failed {
                        execution_id,
                        operation: Some(op),
                        failure,
                    }],
                    store: Store::Keep,
                }
            }
        }
    }

    /// Waits for `p` to show on the ticket: kept (also across a reload) and
    /// polled for fast, with `notice` on screen and `event` for the host.
    fn watch(&mut self, p: PendingOp, notice: Notice, event: TicketEvent) -> Changed {
        self.pending = Some(p.clone());
        self.notice = Some(notice);
        Changed {
            events: vec![event],
            store: Store::SavePending(p),
        }
    }

    /// `op`, sent now from the ticket on screen, as a pending operation.
    fn pending_from(&self, op: OperateType, reason: Option<String>, now: f64) -> PendingOp {
        let (from_status, from_update) = self.ticket.as_ref().map_or((None, None), |t| {
            (
                t.status.as_ref().map(|s| s.as_str().to_owned()),
                t.update_time,
            )
        });
        PendingOp {
            op,
            from_status,
            from_update,
            accepted_at: now,
            request_id: None,
            reason,
            outcome_unknown: false,
        }
    }

    /// The status word of the ticket on screen.
    pub fn status_word(&self) -> String {
        status_label(self.ticket.as_ref().and_then(|t| t.status.as_ref()))
    }

    /// The pending banner's words, unless the "accepted" notice already
    /// says it (after a reload that notice is gone and this one stays).
    pub fn pending_text(&self, local_time: impl Fn(f64) -> String) -> Option<String> {
        let p = self.pending.as_ref()?;
        if matches!(
            self.notice,
            Some(Notice::Accepted { .. } | Notice::OutcomeUnknown { .. })
        ) {
            return None;
        }
        let at = local_time(p.accepted_at);
        let what = if p.outcome_unknown {
            tr!("was sent at {at} with no answer back (its outcome is unknown)")
        } else {
            tr!("was accepted at {at}")
        };
        Some(tr!(
            "{op} {what}{reason}; waiting for the ticket to show it…",
            op = p.op.as_str(),
            reason = p
                .reason
                .as_deref()
                .map(|r| tr!(" (reason: {r})"))
                .unwrap_or_default()
        ))
    }
}
