//! Simulator mode: a `coc-simulator` in the same process, served on an
//! internal port on 127.0.0.1 and used as the upstream like any other.
//!
//! Why a loopback port rather than calling the simulator's router in-process
//! (`tower::ServiceExt::oneshot`): the gateway then has exactly one upstream
//! path, the one production uses (the core's request builder and signer,
//! reqwest, its timeouts and error mapping), so simulator mode exercises and
//! demonstrates the real thing. It also makes the simulator's fault knobs
//! real: a "dropped connection" is a TCP connection closed by hyper, which
//! only exists on a socket, and "latency" meets the real total timeout. The
//! cost is one loopback hop (well under a millisecond).
//!
//! The simulator's `/__sim/*` control routes are mounted on the gateway
//! itself (they are not COC routes and are never forwarded), behind the same
//! guard, CORS and origin checks as the API.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use coc_simulator::{Clock, Faults, Simulator};
use tokio::net::TcpListener;

use crate::UpstreamAuth;

/// Settings of the embedded simulator (the `--sim-*` flags).
#[derive(Debug, Clone, PartialEq)]
pub struct SimSettings {
    /// Seeds the tickets, ids and fault dice.
    pub seed: u64,
    /// Time moves only through `POST /__sim/advance`.
    pub manual_clock: bool,
    /// Where a manual clock starts (epoch ms); the simulator's default if unset.
    pub start_ms: Option<i64>,
    /// Fault knob: added latency per API answer, ms.
    pub latency_ms: u64,
    /// Fault knob: share of COC 500 answers.
    pub error_rate: f64,
    /// Fault knob: share of HTML 502 answers.
    pub html_502_rate: f64,
    /// Fault knob: share of dropped connections.
    pub drop_rate: f64,
}

impl Default for SimSettings {
    fn default() -> Self {
        Self {
            seed: 42,
            manual_clock: false,
            start_ms: None,
            latency_ms: 0,
            error_rate: 0.0,
            html_502_rate: 0.0,
            drop_rate: 0.0,
        }
    }
}

impl SimSettings {
    /// `seed 42` or `seed 42, manual clock`, for the start line.
    pub(crate) fn describe(&self) -> String {
        let mut s = format!("seed {}", self.seed);
        if self.manual_clock {
            s.push_str(", manual clock");
        }
        s
    }

    fn faults(&self) -> Faults {
        Faults {
            latency_ms: self.latency_ms,
            error_rate: self.error_rate,
            html_502_rate: self.html_502_rate,
            drop_rate: self.drop_rate,
            // Only through /__sim/faults: tests of the console's fault handling.
            ..Faults::default()
        }
    }
}

/// The running embedded simulator. Clones share it; the internal server
/// stops when the last clone is dropped.
#[derive(Debug, Clone)]
pub struct Embedded {
    simulator: Simulator,
    addr: SocketAddr,
    _task: Arc<AbortOnDrop>,
}

#[derive(Debug)]
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl Embedded {
    /// Starts the simulator on 127.0.0.1 with a free port. With
    /// [`UpstreamAuth::Sign`] it requires the same AK/SK signature the
    /// gateway sends, so signing is exercised end to end in one process.
    pub(crate) async fn start(
        settings: &SimSettings,
        auth: &UpstreamAuth,
    ) -> Result<Self, crate::Error> {
        let faults = settings.faults();
        faults.validate().map_err(crate::Error::Simulator)?;
        let clock = if settings.manual_clock {
            Clock::Manual {
                start_ms: settings.start_ms.unwrap_or(coc_simulator::DEFAULT_START_MS),
            }
        } else {
            Clock::Wall
        };
        let credentials = match auth {
            UpstreamAuth::Sign(c) => Some((c.access_key.clone(), c.expose_secret_key().to_owned())),
            UpstreamAuth::None | UpstreamAuth::PassthroughToken => None,
        };
        let simulator = Simulator::new(coc_simulator::Config {
            seed: settings.seed,
            clock,
            credentials,
            faults,
        });
        let internal = SocketAddr::from(([127, 0, 0, 1], 0));
        let listener = TcpListener::bind(internal)
            .await
            .map_err(|source| crate::Error::Bind {
                addr: internal,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| crate::Error::Bind {
            addr: internal,
            source,
        })?;
        let router = simulator.api_router();
        let task = tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, router).await {
                tracing::error!(error = %e, "the embedded simulator stopped");
            }
        });
        Ok(Self {
            simulator,
            addr,
            _task: Arc::new(AbortOnDrop(task)),
        })
    }

    /// The simulator itself (advance its clock, set faults, inspect tickets).
    pub fn simulator(&self) -> &Simulator {
        &self.simulator
    }

    /// Where its COC routes listen, e.g. `http://127.0.0.1:41234`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The `/__sim/*` routes, for mounting on the gateway.
    pub(crate) fn control_router(&self) -> Router {
        self.simulator.control_router()
    }
}
