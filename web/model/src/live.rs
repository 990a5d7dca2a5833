//! Live updates, one set of rules for the ticket, its timeline and the list:
//! poll while something is active, fast while an operation is awaited, back
//! off on errors, stop while hidden or paused, and keep the last good data
//! with its age.
//!
//! [`Freshness`] is what a view knows about its last answers; [`next_poll`]
//! is the whole polling policy as one function of it. The console's one
//! poller (`web/src/live.rs`) only turns its answer into a timer.

use crate::failure::ApiFailure;
use coc_i18n::tr;

/// Polling backs off on errors up to this.
pub const MAX_BACKOFF_MS: f64 = 60_000.0;
/// Polling interval while waiting for an operation to show.
pub const FAST_POLL_MS: f64 = 1_000.0;

/// The delay before the next poll after `failures` failures in a row:
/// doubling, at most 32×, and never beyond [`MAX_BACKOFF_MS`] (unless the
/// chosen interval itself is longer).
pub fn poll_delay_ms(base_ms: f64, failures: u32) -> f64 {
    (base_ms * f64::from(1u32 << failures.min(5))).min(MAX_BACKOFF_MS.max(base_ms))
}

/// How a view's answers have gone. Times are epoch milliseconds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Freshness {
    /// When the last good answer arrived.
    pub ok_at: Option<f64>,
    /// Failures in a row.
    pub failures: u32,
    /// The last failure, until a good answer.
    pub error: Option<ApiFailure>,
    /// When the last request started.
    pub attempt_at: f64,
}

impl Freshness {
    /// A request starts.
    pub fn started(&mut self, now: f64) {
        self.attempt_at = now;
    }

    /// Takes in one answer's outcome. The next poll counts from here: a
    /// slow answer is not overtaken by the next request.
    pub fn answered(&mut self, failure: Option<&ApiFailure>, now: f64) {
        self.attempt_at = now;
        match failure {
            None => {
                self.ok_at = Some(now);
                self.failures = 0;
                self.error = None;
            }
            Some(e) => {
                self.failures = self.failures.saturating_add(1);
                self.error = Some(e.clone());
            }
        }
    }

    /// True when the last failure may go away by itself (worth polling on).
    pub fn transient(&self) -> bool {
        self.error.as_ref().is_some_and(ApiFailure::is_transient)
    }

    /// The failure to warn about above data that is still shown: only
    /// after a good answer (before one, the failure is the whole view).
    pub fn stale(&self) -> Option<Stale<'_>> {
        Some(Stale {
            error: self.error.as_ref()?,
            since: self.ok_at?,
            failures: self.failures,
        })
    }
}

/// Data on screen whose refresh failed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stale<'a> {
    /// The last failure.
    pub error: &'a ApiFailure,
    /// When the data shown arrived.
    pub since: f64,
    /// Failures in a row.
    pub failures: u32,
}

impl Stale<'_> {
    /// "Refresh failed." or "Refresh failed 3 times in a row."
    pub fn headline(&self) -> String {
        if self.failures > 1 {
            tr!("Refresh failed {n} times in a row.", n = self.failures)
        } else {
            tr!("Refresh failed.").to_owned()
        }
    }
}

/// What a view wants of the poller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Want {
    /// Nothing will change by itself: no polling.
    Stop,
    /// Poll at the chosen interval.
    Normal,
    /// An operation is awaited: poll every second.
    Fast,
}

/// The poller's inputs besides the view's own state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PollSettings {
    /// The page (or element) is visible.
    pub visible: bool,
    /// The user paused updates.
    pub paused: bool,
    /// The chosen interval, seconds.
    pub every_secs: u32,
}

/// Milliseconds from `now` until the next poll, or `None` for no poll.
/// Counted from the last attempt, so a view that just loaded waits a whole
/// interval and one that was hidden for long polls at once on return.
pub fn next_poll(fresh: &Freshness, want: Want, settings: PollSettings, now: f64) -> Option<f64> {
    if !settings.visible || settings.paused {
        return None;
    }
    let base = match want {
        Want::Stop => return None,
        Want::Fast => FAST_POLL_MS,
        Want::Normal => f64::from(settings.every_secs.max(1)) * 1000.0,
    };
    let delay = poll_delay_ms(base, fresh.failures);
    Some((fresh.attempt_at + delay - now).max(0.0))
}

/// How a live bar describes the state: CSS hook and words.
pub fn mode(
    settings: PollSettings,
    want: Want,
    loaded: bool,
    settled: &'static str,
) -> (&'static str, &'static str) {
    if settings.paused {
        ("paused", tr!("Paused"))
    } else if !settings.visible {
        ("hidden", tr!("Paused while hidden"))
    } else {
        match (want, loaded) {
            (Want::Fast, _) => ("fast", tr!("Live, checking every second")),
            (_, false) => ("idle", tr!("Not loaded")),
            (Want::Normal, true) => ("live", tr!("Live")),
            (Want::Stop, true) => ("final", settled),
        }
    }
}

/// "updated just now", "updated 4 s ago", "not updated yet".
pub fn updated_text(ok_at: Option<f64>, now: f64) -> String {
    match ok_at {
        Some(t) => {
            let secs = ((now - t) / 1000.0).max(0.0).floor() as i64;
            if secs < 1 {
                tr!("updated just now").to_owned()
            } else {
                tr!("updated {secs} s ago")
            }
        }
        None => tr!("not updated yet").to_owned(),
    }
}
