//! TEMPORARY stub until coc-simulator lands.

use axum::Router;

use crate::UpstreamAuth;
use crate::forward::SigningClock;

/// Settings of the embedded simulator.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SimSettings {
    /// Seed.
    pub seed: u64,
    /// manual
    pub manual_clock: bool,
    /// start
    pub start_ms: Option<i64>,
    /// latency
    pub latency_ms: u64,
    /// rate
    pub error_rate: f64,
    /// rate
    pub html_502_rate: f64,
    /// rate
    pub drop_rate: f64,
}

impl SimSettings {
    pub(crate) fn describe(&self) -> String {
        format!("seed {}", self.seed)
    }
}

/// The running embedded simulator.
#[derive(Debug, Clone)]
pub struct Embedded {}

impl Embedded {
    pub(crate) async fn start(
        _s: &SimSettings,
        _auth: &UpstreamAuth,
    ) -> Result<Self, crate::Error> {
        Err(crate::Error::Credentials(
            "simulator not available yet".into(),
        ))
    }
    pub(crate) fn base_url(&self) -> String {
        String::new()
    }
    pub(crate) fn signing_clock(&self) -> SigningClock {
        crate::forward::wall_clock()
    }
    pub(crate) fn control_router(&self) -> Router {
        Router::new()
    }
}
