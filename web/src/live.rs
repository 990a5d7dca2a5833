//! Live data: the one way the console fetches what it shows and keeps it
//! fresh, shared by the ticket, its timeline and the list.
//!
//! - [`feed`] fetches whenever its key changes or [`Feed::refresh`] is
//!   called, on a Leptos `LocalResource`, and hands every answer to the
//!   view's model exactly once, in order; an answer for a key the view has
//!   left is the model's to drop.
//! - [`poll`] is the one poller: it asks the model what it wants
//!   (`coc_console_model::live::next_poll`) and sets one timer. It never
//!   polls while a request is in flight, so a slow gateway is not overtaken
//!   by the next request.
//! - [`LiveBar`] and [`StaleWarning`] say what the poller does and how old
//!   the data on screen is.

use coc_i18n::tr;
use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::time::Duration;

use coc_console_model::live::{self as rules, Freshness, PollSettings, Want};
use coc_i18n::view;
use leptos::prelude::*;

use crate::api::ApiFailure;
use crate::errors::ErrorPanel;
use crate::fmt;
use crate::settings::{DEFAULT_POLL_SECS, POLL_CHOICES};
use crate::widgets::{clock, page_visible};

pub use coc_console_model::live::{FAST_POLL_MS, MAX_BACKOFF_MS, poll_delay_ms};

/// A view's handle on its fetches.
#[derive(Debug, Clone, Copy)]
pub struct Feed {
    refresh: RwSignal<u64>,
    in_flight: RwSignal<bool>,
}

impl Feed {
    /// Fetch again now.
    pub fn refresh(&self) {
        self.refresh.update(|r| *r += 1);
    }

    /// A request is in flight.
    pub fn loading(&self) -> bool {
        self.in_flight.get()
    }
}

/// Fetches `fetch(key)` whenever `key()` (tracked) changes or the feed is
/// refreshed, and calls `absorb(key, answer)` once per answer. `key()`
/// returning `None` fetches nothing.
///
/// Only this shim is generic: it wraps the key, the request and the
/// answer in closures, and `erased_feed` holds the one `LocalResource`
/// and its effects for every feed of the console. One resource per
/// answer type cost 4.4 KB brotli more (measured with the Activity panel
/// and `/me` moved onto feeds).
pub fn feed<K, T, Fut>(
    key: impl Fn() -> Option<K> + 'static,
    fetch: impl Fn(K) -> Fut + 'static,
    absorb: impl Fn(K, T) + 'static,
) -> Feed
where
    K: Clone + 'static,
    T: 'static,
    Fut: Future<Output = T> + 'static,
{
    let fetch = Rc::new(fetch);
    let absorb = Rc::new(absorb);
    erased_feed(Box::new(move || {
        let key = key()?;
        let (fetch, absorb) = (fetch.clone(), absorb.clone());
        let start: Start = Rc::new(move || {
            let (key, absorb) = (key.clone(), absorb.clone());
            let request = fetch(key.clone());
            Box::pin(async move {
                let answer = request.await;
                Box::new(move || absorb(key, answer)) as Absorb
            })
        });
        Some(start)
    }))
}

/// Starts one request for the current key; its future ends in the thunk
/// that hands the answer to the view.
type Start = Rc<dyn Fn() -> Pin<Box<dyn Future<Output = Absorb>>>>;

/// Hands one answer to the view.
type Absorb = Box<dyn FnOnce()>;

/// An answer not yet taken in: `Clone` for the resource, taken once.
#[derive(Clone)]
struct Answer(u64, Rc<Cell<Option<Absorb>>>);

fn erased_feed(key: Box<dyn Fn() -> Option<Start>>) -> Feed {
    let refresh = RwSignal::new(0u64);
    let in_flight = RwSignal::new(false);
    // The key is followed by an effect, and the resource by the refresh
    // counter alone: a LocalResource whose fetcher read a memo was not
    // re-run when the memo changed (leptos 0.8.23, reactive_graph 0.2.16;
    // the timeline's component test), while an effect is.
    let current = StoredValue::new_local(None::<Start>);
    Effect::new(move |_| {
        current.set_value(key());
        refresh.update(|r| *r += 1);
    });
    // Generations, not signals: the resource's answer carries its own, and
    // an answer is taken in once (a resource may notify again with a value
    // already seen).
    let started = StoredValue::new(0u64);
    let taken = StoredValue::new(0u64);
    let answer = LocalResource::new(move || {
        refresh.track();
        let n = started.get_value() + 1;
        started.set_value(n);
        let request = current.get_value().map(|start| start());
        in_flight.set(request.is_some());
        async move {
            let thunk = request?.await;
            Some(Answer(n, Rc::new(Cell::new(Some(thunk)))))
        }
    });
    Effect::new(move |_| {
        let Some(Some(Answer(n, thunk))) = answer.get() else {
            return;
        };
        if n <= taken.get_value() {
            return;
        }
        taken.set_value(n);
        in_flight.set(n < started.get_value());
        if let Some(absorb) = thunk.take() {
            absorb();
        }
    });
    Feed { refresh, in_flight }
}

/// The user's controls of one live view.
#[derive(Debug, Clone, Copy)]
pub struct Controls {
    /// `Date.now()`, every second.
    pub now: Signal<f64>,
    /// The page (or element) is visible.
    pub visible: Signal<bool>,
    /// Polling interval, seconds.
    pub every: RwSignal<u32>,
    /// The user paused updates.
    pub paused: RwSignal<bool>,
}

impl Controls {
    /// New controls; `visible` defaults to the document's visibility.
    pub fn new(poll_secs: Option<u32>, visible: Option<Signal<bool>>) -> Self {
        Self {
            now: clock(),
            visible: visible.unwrap_or_else(page_visible),
            every: RwSignal::new(poll_secs.filter(|s| *s > 0).unwrap_or(DEFAULT_POLL_SECS)),
            paused: RwSignal::new(false),
        }
    }

    fn settings(&self) -> PollSettings {
        PollSettings {
            visible: self.visible.get(),
            paused: self.paused.get(),
            every_secs: self.every.get(),
        }
    }
}

/// Polls `feed` for as long as the owner lives: `want` and `fresh` read the
/// view's model (tracked), and the poller re-plans whenever they, the
/// controls or the feed's loading change.
pub fn poll(
    feed: Feed,
    controls: Controls,
    want: impl Fn() -> Want + 'static,
    fresh: impl Fn() -> (f64, u32) + 'static,
) {
    let timer = StoredValue::new_local(None::<TimeoutHandle>);
    let clear = move || {
        if let Some(h) = timer.try_update_value(Option::take).flatten() {
            h.clear();
        }
    };
    Effect::new(move |_| {
        let settings = controls.settings();
        let want = want();
        let (attempt_at, failures) = fresh();
        let loading = feed.in_flight.get();
        clear();
        if loading {
            return;
        }
        let f = Freshness {
            attempt_at,
            failures,
            ..Freshness::default()
        };
        let Some(wait) = rules::next_poll(&f, want, settings, js_sys::Date::now()) else {
            return;
        };
        if let Ok(h) =
            set_timeout_with_handle(move || feed.refresh(), Duration::from_millis(wait as u64))
        {
            timer.set_value(Some(h));
        }
    });
    on_cleanup(clear);
}

/// "Live · updated 3 s ago · every 3 s · Pause · Refresh".
#[component]
pub fn LiveBar(
    feed: Feed,
    controls: Controls,
    /// What the view wants of the poller.
    #[prop(into)]
    want: Signal<Want>,
    /// When the last good answer arrived.
    #[prop(into)]
    ok_at: Signal<Option<f64>>,
    /// What to say when nothing will change.
    settled: &'static str,
    #[prop(optional)] on_poll_change: Option<Callback<u32>>,
) -> impl IntoView {
    let Controls {
        now, every, paused, ..
    } = controls;
    let mode = move || {
        rules::mode(
            controls.settings(),
            want.get(),
            ok_at.get().is_some(),
            settled,
        )
    };
    view! {
        <div class="coc-livebar" data-mode=move || mode().0>
            <span class="coc-live-dot" aria-hidden="true"></span>
            <span class="coc-live-mode">{move || mode().1}</span>
            <span class="coc-live-updated" data-role="updated">
                {move || rules::updated_text(ok_at.get(), now.get())}
            </span>
            <Show when=move || feed.loading()>
                <span class="coc-spinner" aria-label="Refreshing"></span>
            </Show>
            <span class="coc-live-controls">
                <label>
                    <span class="coc-sr-only">"Polling interval"</span>
                    <select
                        class="coc-select"
                        prop:value=move || every.get().to_string()
                        on:change=move |ev| {
                            if let Ok(s) = event_target_value(&ev).parse::<u32>() {
                                every.set(s);
                                if let Some(cb) = on_poll_change {
                                    cb.run(s);
                                }
                            }
                        }
                    >
                        {POLL_CHOICES
                            .iter()
                            .map(|s| view! { <option value=s.to_string()>{tr!("every {s} s")}</option> })
                            .collect_view()}
                    </select>
                </label>
                // Nothing to pause on a view that no longer polls.
                <Show when=move || mode().0 != "final">
                    <button
                        type="button"
                        class="coc-btn coc-btn-small"
                        data-shortcut="pause"
                        aria-pressed=move || paused.get().to_string()
                        on:click=move |_| paused.update(|p| *p = !*p)
                    >
                        {move || if paused.get() { tr!("Resume updates") } else { tr!("Pause updates") }}
                    </button>
                </Show>
                <button type="button" class="coc-btn coc-btn-small" data-shortcut="refresh" on:click=move |_| feed.refresh()>
                    "Refresh now"
                </button>
            </span>
        </div>
    }
}

/// Shown above data whose refresh failed: the data stays, and says how old
/// it is. Rebuilt only when the failure changes, not every second: it holds
/// an alert, which a screen reader would announce again with every rebuild.
#[component]
pub fn StaleWarning(
    /// The last failure, the time of the data shown, failures in a row.
    #[prop(into)]
    stale: Signal<Option<(ApiFailure, f64, u32)>>,
) -> impl IntoView {
    let stale = Memo::new(move |_| stale.get());
    move || {
        stale.get().map(|(error, since, failures)| {
            let headline = rules::Stale {
                error: &error,
                since,
                failures,
            }
            .headline();
            view! {
                <div class="coc-banner coc-banner-warning" data-role="stale-warning">
                    <p>
                        <strong>{headline}</strong>
                        {tr!(" Showing the last good data, from {}. Retrying with back-off.", fmt::at(since as i64))}
                    </p>
                    <ErrorPanel failure=error compact=true />
                </div>
            }
        })
    }
}

/// The stale-warning input of a model's [`Freshness`].
pub fn stale_of(f: &Freshness) -> Option<(ApiFailure, f64, u32)> {
    f.stale().map(|s| (s.error.clone(), s.since, s.failures))
}

/// A failure before any data: the failure, and "Try again".
#[component]
pub fn FailedCard(failure: ApiFailure, heading: String, feed: Feed) -> impl IntoView {
    view! {
        <div class="coc-card coc-load-failed">
            <ErrorPanel failure heading />
            <button type="button" class="coc-btn" data-act="retry" on:click=move |_| feed.refresh()>
                "Try again"
            </button>
        </div>
    }
}
