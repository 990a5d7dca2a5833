//! Live updates, shared by the ticket view and the ticket list: one set of
//! rules for both. Poll while something is active, back off on errors, pause
//! while the page is hidden or the user says so, keep the last good data and
//! say how old it is.

use std::time::Duration;

use leptos::prelude::*;

use crate::api::ApiFailure;
use crate::dom::{self, B};
use crate::errors::error_panel;
use crate::fmt;
use crate::settings::{DEFAULT_POLL_SECS, POLL_CHOICES};
use crate::widgets::{clock, dynv, page_visible, text};

/// Polling backs off on errors up to this.
pub const MAX_BACKOFF_MS: f64 = 60_000.0;
/// Polling interval while waiting for an operation to show.
pub const FAST_POLL_MS: f64 = 1_000.0;

/// The delay before the next poll.
pub fn poll_delay_ms(base_ms: f64, failures: u32) -> f64 {
    (base_ms * f64::from(1u32 << failures.min(5))).min(MAX_BACKOFF_MS.max(base_ms))
}

/// The state of one live view: when it last loaded, how it failed, whether
/// it polls. `refresh` is the counter a view's fetch tracks.
#[derive(Debug, Clone, Copy)]
pub struct Live {
    /// `Date.now()`, every second.
    pub now: Signal<f64>,
    /// The page (or element) is visible.
    pub visible: Signal<bool>,
    /// Polling interval, seconds.
    pub poll: RwSignal<u32>,
    /// The user paused updates.
    pub paused: RwSignal<bool>,
    /// Bumped to fetch again.
    pub refresh: RwSignal<u64>,
    /// When the last good answer arrived.
    pub ok_at: RwSignal<Option<f64>>,
    /// Failures in a row.
    pub failures: RwSignal<u32>,
    /// The last failure, until a good answer.
    pub error: RwSignal<Option<ApiFailure>>,
    /// Bumped when an answer (good or bad) has been taken in.
    pub done: RwSignal<u64>,
    /// A fetch is in flight.
    pub loading: RwSignal<bool>,
    attempt_at: StoredValue<f64>,
}

impl Live {
    /// New state; `visible` defaults to the document's visibility.
    pub fn new(poll_secs: Option<u32>, visible: Option<Signal<bool>>) -> Self {
        Self {
            now: clock(),
            visible: visible.unwrap_or_else(page_visible),
            poll: RwSignal::new(poll_secs.filter(|s| *s > 0).unwrap_or(DEFAULT_POLL_SECS)),
            paused: RwSignal::new(false),
            refresh: RwSignal::new(0),
            ok_at: RwSignal::new(None),
            failures: RwSignal::new(0),
            error: RwSignal::new(None),
            done: RwSignal::new(0),
            loading: RwSignal::new(false),
            attempt_at: StoredValue::new(0.0),
        }
    }

    /// Fetch again now.
    pub fn bump(&self) {
        self.refresh.update(|r| *r += 1);
    }

    /// Forget the history (a new ticket, new filters).
    pub fn reset(&self) {
        self.ok_at.set(None);
        self.failures.set(0);
        self.error.set(None);
    }

    /// A fetch starts (called where the fetch tracks `refresh`).
    pub fn started(&self) {
        self.attempt_at.set_value(js_sys::Date::now());
    }

    /// Takes in one answer's outcome.
    pub fn answered(&self, failure: Option<ApiFailure>) {
        match failure {
            None => {
                self.ok_at.set(Some(js_sys::Date::now()));
                if self.failures.get_untracked() != 0 {
                    self.failures.set(0);
                }
                if self.error.with_untracked(Option::is_some) {
                    self.error.set(None);
                }
            }
            Some(e) => {
                self.failures.update(|f| *f = f.saturating_add(1));
                self.error.set(Some(e));
            }
        }
        self.done.update(|d| *d += 1);
    }

    /// True when the last failure may go away by itself.
    pub fn transient(&self) -> bool {
        self.error
            .with(|e| e.as_ref().is_some_and(ApiFailure::is_transient))
    }

    /// Schedules the next poll for as long as the owner lives. `want` says
    /// whether to poll at all (`None`) and whether fast (`Some(true)`); it is
    /// re-read whenever what it reads changes.
    pub fn schedule(self, want: impl Fn() -> Option<bool> + Send + Sync + 'static) {
        let timer = StoredValue::new_local(None::<TimeoutHandle>);
        let clear = move || {
            if let Some(h) = timer.try_update_value(Option::take).flatten() {
                h.clear();
            }
        };
        crate::widgets::effect(move || {
            self.done.track();
            let (visible, paused, poll_s, failures) = (
                self.visible.get(),
                self.paused.get(),
                self.poll.get(),
                self.failures.get(),
            );
            let want = want();
            clear();
            let Some(fast) = want.filter(|_| visible && !paused) else {
                return;
            };
            let base = if fast {
                FAST_POLL_MS
            } else {
                f64::from(poll_s) * 1000.0
            };
            let delay = poll_delay_ms(base, failures);
            let wait = (self.attempt_at.get_value() + delay - js_sys::Date::now()).max(0.0);
            if let Ok(h) =
                set_timeout_with_handle(move || self.bump(), Duration::from_millis(wait as u64))
            {
                timer.set_value(Some(h));
            }
        });
        on_cleanup(clear);
    }
}

/// "Live · updated 3 s ago · every 3 s · Pause · Refresh".
///
/// `active`: `Some(true)` while something may change, `Some(false)` when
/// nothing will (then `settled` says so), `None` before the first load.
#[component]
pub fn LiveBar(
    live: Live,
    #[prop(into)] active: Signal<Option<bool>>,
    #[prop(into)] fast: Signal<bool>,
    settled: &'static str,
    #[prop(optional)] on_poll_change: Option<Callback<u32>>,
) -> impl IntoView {
    let Live {
        now,
        ok_at,
        poll,
        paused,
        visible,
        loading,
        ..
    } = live;
    let mode = move || {
        if paused.get() {
            ("paused", "Paused")
        } else if !visible.get() {
            ("hidden", "Paused while hidden")
        } else if fast.get() {
            ("fast", "Live, checking every second")
        } else {
            match active.get() {
                Some(true) => ("live", "Live"),
                Some(false) => ("final", settled),
                None => ("idle", "Not loaded"),
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
            <span class="coc-live-mode">{text(move || mode().1.to_owned())}</span>
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
                                if let Some(cb) = on_poll_change {
                                    cb.run(s);
                                }
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
                    on:click=crate::widgets::click(move |_| paused.update(|p| *p = !*p))
                >
                    {text(move || if paused.get() { "Resume updates".to_owned() } else { "Pause updates".to_owned() })}
                </button>
                <button type="button" class="coc-btn coc-btn-small" on:click=crate::widgets::click(move |_| live.bump())>
                    "Refresh now"
                </button>
            </span>
        </div>
    }
}

/// Shown above the data when refreshes fail: the data stays, and says how
/// old it is; nothing before the first good load. (Not rebuilt every second: it holds an alert, which a screen
/// reader would announce again with every rebuild.)
#[component]
pub fn StaleWarning(live: Live) -> impl IntoView {
    let Live {
        error,
        failures,
        ok_at,
        ..
    } = live;
    dom::live_dom("", move || {
        let (Some(e), Some(t)) = (error.get(), ok_at.get()) else {
            return B::new("div", "");
        };
        let count = failures.get();
        let age = format!(", from {}", fmt::local(t as i64));
        B::new("div", "coc-banner coc-banner-warning")
            .attr("data-role", "stale-warning")
            .child(
                B::new("p", "")
                    .leaf(
                        "strong",
                        "",
                        &format!(
                            "Refresh failed{}.",
                            if count > 1 {
                                format!(" {count} times in a row")
                            } else {
                                String::new()
                            }
                        ),
                    )
                    .text(&format!(
                        " Showing the last good data{age}. Retrying with back-off."
                    )),
            )
            .child(error_panel(&e, None, true))
    })
}

/// A failure before any data: the failure, and "Try again"
/// (`data-act="retry"`, for the owner's click handler).
pub fn failed_card(e: &ApiFailure, heading: &str) -> B {
    B::new("div", "coc-card coc-load-failed")
        .child(error_panel(e, Some(heading), false))
        .child(
            B::new("button", "coc-btn")
                .attr("type", "button")
                .attr("data-act", "retry")
                .text("Try again"),
        )
}
