//! An in-memory Huawei Cloud COC job-execution service, for demos and tests.
//!
//! It answers the six job-execution operations at the real paths, with the
//! documented shapes (the models are `coc_core`'s), from seeded tickets that
//! move on their own as time passes and change when operated:
//!
//! | route | operation |
//! |---|---|
//! | `GET /v1/executions/{id}` | GetExecution (`{"data": null}` for an unknown id) |
//! | `POST /v1/executions` | OperateExecution (`{}` on success) |
//! | `GET /v1/executions` | ListExecutions |
//! | `GET /v1/executions/{id}/steps` | ListExecutionSteps |
//! | `GET /v1/executions/instances?execution_step_id=…` | ListExecutionInstances |
//! | `POST /v1/documents/{document_id}` | ExecuteDocument (`{"data": "<new id>"}`) |
//!
//! Control routes (JSON, never faulted, never behind AK/SK): `GET`/`PUT
//! /__sim/faults`, `GET /__sim/clock`, `POST /__sim/advance` with
//! `{"ms": n}` (manual clock only, else 409), `POST /__sim/reset` (back to
//! the seeded state, clock included), `GET /__sim/info` (seed, clock, named
//! ids, documents) and `GET /__sim/tickets/{id}/operations` (every
//! OperateExecution the service received for that id, accepted or refused,
//! in order). Every response, errors included, carries `X-request-id`.
//!
//! # Seeded data
//!
//! About 45 tickets over the last 30 days by six creators: every status and
//! all three types. The named ones (`pub const`, independent of the seed):
//!
//! | const | id | what |
//! |---|---|---|
//! | [`TICKET_PENDING`] | `EX2025070109151201b3c5d7` | BATCH, BatchValues 3×4, paused after batch 1 |
//! | [`TICKET_RUNNING`] | `EX2025070110223402c4d6e8` | NORMAL, running step 2, succeeds within a minute |
//! | [`TICKET_SUCCEED`] | `EX2025063014300103d5e7f9` | NORMAL, parent of [`TICKET_CHILD`] |
//! | [`TICKET_CANCELING`] | `EX2025070110250004e6f8a0` | terminated 1 s before start; Canceled 1 s in |
//! | [`TICKET_CANCELED`] | `EX2025062916450005f7a9b1` | BATCH, terminated in batch 1 |
//! | [`TICKET_FAILED`] | `EX2025062811101506a8b0c2` | [`DOC_FLAKY`]: RETRY/RESUME then succeeds |
//! | [`TICKET_TIMEOUT`] | `EX2025062720000007b9c1d3` | [`DOC_TIMEOUT`]: RETRY/RESUME then succeeds |
//! | [`TICKET_BATCH_RUNNING`] | `EX2025070110200008c0d2e4` | BATCH, 20 targets in batches of 5, running batch 2, no pauses |
//! | [`TICKET_RATE_CONTROL`] | `EX2025070110210009d1e3f5` | RATE_CONTROL, 8 targets 2 at a time, running |
//! | [`TICKET_LARGE`] | `EX2025070108000010e2f4a6` | RATE_CONTROL, 10,000 targets, 1,000 parameters, running |
//! | [`TICKET_XSS`] | `EX2025062609300011f3a5b7` | `<script>`/`<img onerror>` in description, document name, a parameter |
//! | [`TICKET_CHILD`] | `EX2025063014310112a4b6c8` | child of [`TICKET_SUCCEED`] |
//!
//! Documents for ExecuteDocument: [`DOC_NORMAL`] (succeeds), [`DOC_BATCH`]
//! (12 targets, batches of 4, pauses between batches), [`DOC_RATE_CONTROL`],
//! [`DOC_FAILING`] (always fails at step 2), [`DOC_FLAKY`] (fails at step 2
//! on the first attempt only), [`DOC_TIMEOUT`] (times out at step 1 on the
//! first attempt), [`DOC_XSS`], [`DOC_LARGE`], and five more used by filler
//! tickets (listed by `GET /__sim/info`). A ticket from ExecuteDocument runs
//! the document's default targets unless the body gives `targets`; body
//! `parameters` override the document's by key. Its creator is
//! [`API_CREATOR`].
//!
//! # Semantics (the simulator's choices where no source documents them)
//!
//! - **Batches.** Only BATCH tickets have more than one. BatchValues targets:
//!   each value is one batch (an object with a `target_instances` array, or
//!   an array). InstanceValues targets: cut into batches of the `batch_size`
//!   parameter (default 10). A BATCH ticket pauses (becomes Pending) after
//!   each batch but the last unless its parameter `pause_between_batches` is
//!   `false`. Work runs batch by batch, each batch through every step.
//!   RATE_CONTROL tickets run `concurrency` instances at a time (default 2).
//! - **Steps and instances.** Each step has one instance per target (one
//!   implicit instance when the ticket has no targets). An instance not yet
//!   run is `Pending` ("waiting to run"); one skipped by SKIP_BATCH is
//!   `Canceled` ("skipped by SKIP_BATCH"). Instance `properties` carry
//!   `instance_id`, `instance_name`, `fixed_ip`, `region_id`, `batch_index`
//!   (1-based) and `attempt`. Step `properties` carry `instance_count`, and
//!   for BATCH tickets `batch_count`, `current_batch` (1-based: the running
//!   batch, or the next one while Pending) and `batch_sizes` (`4,4,4`).
//!   A step's status sums up its instances: Running if any runs, then
//!   Canceling, Failed, Timeout, Pending (some not run yet), Succeed, Canceled.
//! - **Operations.** TERMINATE: Running or Pending → Canceling (running
//!   instances Canceling), then Canceled after [`CANCEL_DELAY_MS`] of
//!   simulated time (every unfinished instance Canceled). RESUME and RETRY
//!   (treated alike): Pending → Running (next batch starts); Failed or
//!   Timeout → Running, re-running the failed or timed-out instances of the
//!   step where it stopped. SKIP_BATCH (BATCH tickets, Running or Pending):
//!   every unfinished instance of the current batch is skipped and the next
//!   batch starts at once; skipping the last batch ends the ticket Succeed.
//!   Anything else is a 400 (see below).
//! - **Child tickets** carry the sys_tag `parent_execution_id` (value: the
//!   parent's id); `exclude_child_executions=true` leaves them out.
//! - **ListExecutions filters**: `creator` and `document_name` are
//!   case-insensitive substrings, `document_id` exact, `start_time` means
//!   "started after" and `end_time` "started before" (as `coc_core` reads
//!   them), `tags=k=v,k2=v2` requires every pair among the ticket's tags.
//!   Newest first. ListExecutionSteps of an unknown ticket and
//!   ListExecutionInstances of an unknown step are empty pages.
//! - **Time.** [`Clock::Wall`] moves by itself; [`Clock::Manual`] only through
//!   [`Simulator::advance`]. Either way the state at an instant does not
//!   depend on how often it was looked at.
//!
//! # Errors
//!
//! `{"error_code": "...", "error_msg": "..."}` with: `COC.00040000` body not
//! JSON or missing a field; `COC.00040001` invalid id or query (the message
//! is `coc_core`'s validation text); `COC.00040101` operate on an unknown
//! ticket; `COC.00040201` operation does not fit the status (the message
//! names it, e.g. "execution EX… is Succeed and cannot be terminated; …");
//! `COC.00040202` SKIP_BATCH on a non-BATCH ticket; `COC.00040702` empty
//! target list; `COC.00042101` unknown document; `COC.00050000` simulated
//! server fault (500); `APIGW.0301` bad or missing signature (401, with
//! `request_id` in the body); `APIGW.0101` unknown route (404). See
//! [`error`].
//!
//! # What it deliberately does not do
//!
//! No persistence, no real job execution, no IAM tokens (with credentials
//! configured only AK/SK signatures pass), no check of `X-Sdk-Date` against
//! the clock, no HTTPS, no HTTP/2.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod control;
pub mod error;
pub mod faults;
mod rng;
pub mod routes;
mod seed;
mod world;

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware::from_fn_with_state;
use serde::{Deserialize, Serialize};

pub use error::CocError;
pub use faults::{Faults, HTML_200_BODY, OVERSIZE_BYTES};
pub use routes::{API_CREATOR, MAX_BODY_BYTES};
pub use seed::*;
pub use world::{
    CANCEL_DELAY_MS, DEFAULT_BATCH_SIZE, DEFAULT_CONCURRENCY, DocumentInfo, OperationRecord,
    PARENT_SYS_TAG,
};

use crate::rng::{Rng, hash, hex};
use crate::world::World;

/// The manual clock's default start: 2025-07-01T10:00:00Z.
pub const DEFAULT_START_MS: i64 = 1_751_364_000_000;

/// How simulated time moves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Clock {
    /// Real time: tickets move by themselves (demos).
    Wall,
    /// Time starts at `start_ms` (epoch ms) and moves only through
    /// [`Simulator::advance`] (tests).
    Manual {
        /// Epoch milliseconds at start and after a reset.
        start_ms: i64,
    },
}

/// How to build a [`Simulator`].
#[derive(Clone)]
pub struct Config {
    /// Seeds the filler tickets, durations, new ids and fault dice.
    pub seed: u64,
    /// Wall or manual time.
    pub clock: Clock,
    /// `(AK, SK)`: when set, every COC route requires a valid
    /// SDK-HMAC-SHA256 signature by this key.
    pub credentials: Option<(String, String)>,
    /// Faults at start; change them with [`Simulator::set_faults`].
    pub faults: Faults,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            seed: 42,
            clock: Clock::Wall,
            credentials: None,
            faults: Faults::default(),
        }
    }
}

impl Config {
    /// The default configuration on a manual clock at [`DEFAULT_START_MS`].
    pub fn manual() -> Self {
        Self {
            clock: Clock::Manual {
                start_ms: DEFAULT_START_MS,
            },
            ..Self::default()
        }
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("seed", &self.seed)
            .field("clock", &self.clock)
            .field(
                "credentials",
                &self.credentials.as_ref().map(|(ak, _)| (ak, "<redacted>")),
            )
            .field("faults", &self.faults)
            .finish()
    }
}

/// Why the clock could not be advanced.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClockError {
    /// Only a manual clock can be advanced.
    #[error("the simulator runs on the wall clock; only a manual clock can be advanced")]
    NotManual,
}

#[derive(Debug)]
enum ClockState {
    Wall { origin: Instant, base_ms: i64 },
    Manual { now_ms: i64 },
}

impl ClockState {
    fn start(clock: Clock) -> Self {
        match clock {
            Clock::Wall => ClockState::Wall {
                origin: Instant::now(),
                base_ms: SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map_or(0, |d| d.as_millis() as i64),
            },
            Clock::Manual { start_ms } => ClockState::Manual { now_ms: start_ms },
        }
    }

    fn now_ms(&self) -> i64 {
        match self {
            ClockState::Wall { origin, base_ms } => base_ms + origin.elapsed().as_millis() as i64,
            ClockState::Manual { now_ms } => *now_ms,
        }
    }
}

#[derive(Debug)]
struct Inner {
    config: Config,
    clock: ClockState,
    world: World,
    faults: Faults,
    dice: Rng,
    requests: u64,
}

impl Inner {
    fn new(config: Config) -> Self {
        let clock = ClockState::start(config.clock);
        let world = World::seeded(config.seed, clock.now_ms());
        Self {
            clock,
            world,
            faults: config.faults.clone(),
            dice: Rng::new(hash(&[config.seed, 0xD1CE])),
            requests: 0,
            config,
        }
    }

    /// The world, moved to the current time.
    fn world(&mut self) -> &mut World {
        let now = self.clock.now_ms();
        self.world.advance_to(now);
        &mut self.world
    }
}

/// The simulator: cheap to clone (all clones share one state).
#[derive(Clone)]
pub struct Simulator {
    inner: Arc<Mutex<Inner>>,
}

impl fmt::Debug for Simulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = self.lock();
        f.debug_struct("Simulator")
            .field("config", &inner.config)
            .field("now_ms", &inner.clock.now_ms())
            .field("tickets", &inner.world.ticket_count())
            .finish()
    }
}

impl Simulator {
    /// A simulator seeded and started at the clock's current time.
    pub fn new(config: Config) -> Self {
        Self {
            inner: Arc::new(Mutex::new(Inner::new(config))),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves plain data behind; serving
        // it beats failing every later request.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `f` on the world moved to the current time.
    pub(crate) fn with_world<R>(&self, f: impl FnOnce(&mut World) -> R) -> R {
        f(self.lock().world())
    }

    /// The six COC routes and the control routes, with middleware.
    pub fn router(&self) -> Router {
        Router::new()
            .merge(self.faulted_api_routes())
            .merge(control::control_routes())
            .fallback(routes::no_such_route)
            .method_not_allowed_fallback(routes::wrong_method)
            .layer(from_fn_with_state(self.clone(), routes::request_id))
            .with_state(self.clone())
    }

    /// Only the six COC routes (with faults, AK/SK and `X-request-id`).
    pub fn api_router(&self) -> Router {
        Router::new()
            .merge(self.faulted_api_routes())
            .fallback(routes::no_such_route)
            .method_not_allowed_fallback(routes::wrong_method)
            .layer(from_fn_with_state(self.clone(), routes::request_id))
            .with_state(self.clone())
    }

    /// Only the `/__sim/` control routes (with `X-request-id`).
    pub fn control_router(&self) -> Router {
        control::control_routes()
            .fallback(routes::no_such_route)
            .method_not_allowed_fallback(routes::wrong_method)
            .layer(from_fn_with_state(self.clone(), routes::request_id))
            .with_state(self.clone())
    }

    fn faulted_api_routes(&self) -> Router<Simulator> {
        // Outermost last: faults, then the body limit, then AK/SK.
        routes::api_routes()
            .layer(from_fn_with_state(self.clone(), routes::verify_signature))
            .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
            .layer(from_fn_with_state(self.clone(), faults::inject))
    }

    /// Moves a manual clock forward by `ms`; ignored (with a warning) on the
    /// wall clock. See [`Simulator::try_advance`].
    pub fn advance(&self, ms: u64) {
        if let Err(e) = self.try_advance(ms) {
            tracing::warn!("advance({ms}) ignored: {e}");
        }
    }

    /// Moves a manual clock forward by `ms` and returns the new time.
    pub fn try_advance(&self, ms: u64) -> Result<i64, ClockError> {
        let mut inner = self.lock();
        match &mut inner.clock {
            ClockState::Manual { now_ms } => {
                *now_ms = now_ms.saturating_add(i64::try_from(ms).unwrap_or(i64::MAX));
                let now = *now_ms;
                inner.world.advance_to(now);
                Ok(now)
            }
            ClockState::Wall { .. } => Err(ClockError::NotManual),
        }
    }

    /// The simulated time, epoch ms.
    pub fn now_ms(&self) -> i64 {
        self.lock().clock.now_ms()
    }

    /// The configured clock.
    pub fn clock(&self) -> Clock {
        self.lock().config.clock
    }

    /// The seed.
    pub fn seed(&self) -> u64 {
        self.lock().config.seed
    }

    /// Replaces the fault knobs.
    pub fn set_faults(&self, faults: Faults) {
        self.lock().faults = faults;
    }

    /// The current fault knobs.
    pub fn faults(&self) -> Faults {
        self.lock().faults.clone()
    }

    /// Back to the seeded state: tickets, operation log, clock and faults as
    /// configured.
    pub fn reset(&self) {
        let mut inner = self.lock();
        let config = inner.config.clone();
        *inner = Inner::new(config);
    }

    /// Number of tickets (seeded and started).
    pub fn ticket_count(&self) -> usize {
        self.lock().world.ticket_count()
    }

    /// The documents ExecuteDocument accepts.
    pub fn documents(&self) -> Vec<DocumentInfo> {
        self.lock().world.documents()
    }

    /// Every OperateExecution received for `execution_id`, oldest first.
    pub fn operations(&self, execution_id: &str) -> Vec<OperationRecord> {
        self.lock().world.operations(execution_id)
    }

    /// A ticket as GetExecution would answer (`None` when unknown).
    pub fn execution(&self, execution_id: &str) -> Option<coc_core::Execution> {
        self.with_world(|w| w.get(execution_id))
    }

    pub(crate) fn credentials(&self) -> Option<(String, String)> {
        self.lock().config.credentials.clone()
    }

    pub(crate) fn next_request_id(&self) -> String {
        let mut inner = self.lock();
        inner.requests += 1;
        let h = hash(&[inner.config.seed, inner.requests]);
        format!("{}{}", hex(h, 16), hex(hash(&[h]), 16))
    }

    pub(crate) fn roll_faults(&self) -> (u64, faults::Action) {
        let mut inner = self.lock();
        let f = inner.faults.clone();
        let action = if inner.dice.chance(f.drop_rate) {
            faults::Action::Drop
        } else if inner.dice.chance(f.truncate_rate) {
            faults::Action::Truncate
        } else if inner.dice.chance(f.html_502_rate) {
            faults::Action::Html502
        } else if inner.dice.chance(f.html_200_rate) {
            faults::Action::Html200
        } else if inner.dice.chance(f.oversize_rate) {
            faults::Action::Oversize
        } else if inner.dice.chance(f.error_rate) {
            faults::Action::Error
        } else {
            faults::Action::Serve
        };
        (f.latency_ms, action)
    }
}
