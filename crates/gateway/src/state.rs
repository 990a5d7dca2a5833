//! What every handler shares: the upstream, the console's files, who the
//! operators are and what they may do, and the audit store, built once from
//! a [`Config`] by [`AppState::build`]; and audit retention, the one
//! background task that works on it.
//!
//! It deliberately holds nothing per request or per session (a request's
//! caller travels in its own extensions), and it neither routes nor serves:
//! that is [`crate::server`].

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use coc_core::OperateType;

use crate::audit::AuditStore;
use crate::clock;
use crate::cors::OriginPolicy;
use crate::embedded::Embedded;
use crate::forward::{Upstream, UpstreamAuth};
use crate::hosts::HostPolicy;
use crate::operators::{Authenticator, OperatorsConfig, Policy};
use crate::static_files::StaticSite;
use crate::{Config, Error, UpstreamChoice};

/// Shared by all handlers.
#[derive(Debug)]
pub(crate) struct AppState {
    pub(crate) upstream: Upstream,
    pub(crate) origins: OriginPolicy,
    /// The `Host` names the gateway answers to.
    pub(crate) hosts: HostPolicy,
    pub(crate) site: StaticSite,
    pub(crate) body_limit: usize,
    /// For the 408's message.
    pub(crate) body_read_timeout: Duration,
    /// The simulator's `/__sim/*` routes, in simulator mode.
    pub(crate) control: Option<Router>,
    /// Who is calling.
    pub(crate) operators: Authenticator,
    /// What they may do.
    pub(crate) policy: Policy,
    /// Operations refused without a reason.
    pub(crate) require_reason: Vec<OperateType>,
    /// The audit trail.
    pub(crate) audit: Box<dyn AuditStore>,
    /// How long after arrival an operation can still be in flight (the
    /// upstream timeout plus a margin); an intent older than this without
    /// an outcome is "unknown".
    pub(crate) in_flight_limit_ms: i64,
    /// This process, in audit records.
    pub(crate) instance: String,
}

/// The state and what came with it: in simulator mode the simulator it
/// started, and the mode as the start line describes it.
#[derive(Debug)]
pub(crate) struct Built {
    pub(crate) state: Arc<AppState>,
    pub(crate) simulator: Option<Embedded>,
    pub(crate) mode: String,
}

/// Added to the upstream timeout: the audit writes on either side of the
/// exchange also take time.
const IN_FLIGHT_MARGIN_MS: i64 = 5_000;

impl AppState {
    /// Checks the configuration and opens what it names. In simulator mode
    /// this also starts the simulator on an internal loopback port (hence
    /// async).
    pub(crate) async fn build(config: &Config) -> Result<Built, Error> {
        let origins = OriginPolicy::new(&config.allow_origins)?;
        let hosts = HostPolicy::new(config.listen, &config.public_hosts)?;
        config.csp.validate()?;
        let site = StaticSite::new(config.static_dir.clone(), config.csp.clone())?;
        let (upstream, simulator, control, mode) = match &config.upstream {
            UpstreamChoice::Url(url) => {
                let up = Upstream::new(
                    url,
                    config.auth.clone(),
                    config.connect_timeout,
                    config.timeout,
                    true,
                )?;
                let mode = format!("forwarding to {}, {}", up.base_url(), up.auth().describe());
                (up, None, None, mode)
            }
            UpstreamChoice::Simulator(settings) => {
                let sim = Embedded::start(settings, &config.auth).await?;
                let up = Upstream::new(
                    &sim.base_url(),
                    config.auth.clone(),
                    config.connect_timeout,
                    config.timeout,
                    false,
                )?;
                let mut mode = format!("simulator mode, {}", settings.describe());
                if config.auth != UpstreamAuth::None {
                    mode.push_str(", ");
                    mode.push_str(config.auth.describe());
                }
                let control = sim.control_router();
                (up, Some(sim), Some(control), mode)
            }
        };
        if let Some(dir) = site.dir() {
            tracing::info!(dir = %dir.display(), "serving the console");
        } else {
            tracing::info!("no console build found; serving the placeholder page");
        }
        let operators = Authenticator::new(config.operators.clone())?;
        let audit = config.audit_db.open().await?;
        // Not in the start line, which tools parse: the log says it.
        tracing::info!(
            operators = %describe_operators(&config.operators),
            audit = %audit.describe(),
            require_reason = %config.require_reason.iter().map(OperateType::as_str).collect::<Vec<_>>().join(","),
            "who may operate, and where it is recorded"
        );
        let in_flight_limit_ms = i64::try_from(config.timeout.as_millis())
            .unwrap_or(i64::MAX)
            .saturating_add(IN_FLIGHT_MARGIN_MS);
        let state = Arc::new(AppState {
            upstream,
            origins,
            hosts,
            site,
            body_limit: config.body_limit,
            body_read_timeout: config.client.body_read_timeout,
            control,
            operators,
            policy: config.policy.clone(),
            require_reason: config.require_reason.clone(),
            audit,
            in_flight_limit_ms,
            instance: format!("{} pid {}", config.listen, std::process::id()),
        });
        Ok(Built {
            state,
            simulator,
            mode,
        })
    }
}

fn describe_operators(config: &OperatorsConfig) -> String {
    match config {
        OperatorsConfig::Local { name } => format!("local ({name})"),
        OperatorsConfig::Proxy { trusted, .. } => format!(
            "from a proxy at {}",
            trusted
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        OperatorsConfig::Tokens { file } => format!("by token ({})", file.display()),
    }
}

/// A background task that stops when this is dropped, so that dropping the
/// app (as tests do) leaves nothing running against its store.
#[derive(Debug)]
pub(crate) struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Retention: purge records older than `days` at start and then hourly.
pub(crate) fn spawn_retention(state: &Arc<AppState>, days: u32) -> AbortOnDrop {
    AbortOnDrop(tokio::spawn(purge_loop(Arc::clone(state), days)))
}

async fn purge_loop(state: Arc<AppState>, days: u32) {
    let keep_ms = i64::from(days) * 86_400_000;
    let mut tick = tokio::time::interval(Duration::from_secs(3600));
    loop {
        tick.tick().await;
        let before = clock::now_ms().saturating_sub(keep_ms);
        match state.audit.purge_before(before).await {
            Ok(n) => {
                tracing::info!(target: "coc_gateway::audit", purged = n, days, "audit retention")
            }
            Err(e) => {
                tracing::warn!(target: "coc_gateway::audit", error = %e, "audit retention could not purge")
            }
        }
    }
}
