//! The gateway between the COC ops console (a browser app) and Huawei Cloud
//! COC, or the embedded COC simulator when no upstream is configured.
//!
//! The real COC API speaks no CORS and wants signed requests, and an SK must
//! never reach a browser. This crate serves the console's files, answers the
//! browser's CORS, and forwards exactly the six COC job-execution routes,
//! each rebuilt and signed by `coc-core`, at the same paths as the real
//! service, so any COC client can use it as its endpoint.
//!
//! Connections are accepted by [`listen`] (client timeouts, a connection
//! cap under the open-file limit). Request flow (outermost first): security
//! headers → compression → access log and `X-request-id` (`observe`) →
//! request-target and `Host` guard (`routes::guard`, [`hosts`]) → CORS
//! ([`cors`]) → origin check → router: `/healthz`, `/__sim/*` (simulator
//! mode), `/v1/*` (`routes::api` → `forward`), and the console's files
//! ([`static_files`]) for everything else.
//!
//! # What it deliberately does not do
//!
//! - It does not forward anything it cannot parse into a core operation:
//!   no generic reverse proxy, no other COC APIs, no WebSockets.
//! - It keeps no state and no sessions; it sets no cookies and forwards none.
//! - It never retries (a repeated OperateExecution is a second operation).
//! - It terminates no TLS: run it on loopback, or behind a TLS proxy.
//!
//! # Start line
//!
//! [`Server::start_line`] is printed once on start, and tools parse the URL
//! from it (the fourth space-separated word):
//!
//! ```text
//! coc-gateway listening on http://127.0.0.1:8080 (simulator mode, seed 42)
//! coc-gateway listening on http://127.0.0.1:8080 (forwarding to https://coc.myhuaweicloud.com, signing with AK/SK)
//! ```

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

mod access;
pub mod audit;
mod clock;
pub mod cors;
mod embedded;
pub mod error;
mod forward;
mod gateway_api;
pub mod hosts;
pub mod listen;
pub mod operators;
mod routes;
mod server;
mod state;
pub mod static_files;

use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use coc_core::{Credentials, OperateType};

pub use cors::OriginPolicy;
pub use embedded::{Embedded, SimSettings};
pub use error::GatewayError;
pub use forward::{MAX_UPSTREAM_BODY, UpstreamAuth, install_crypto_provider};
pub use hosts::HostPolicy;
pub use listen::ClientLimits;
#[doc(hidden)]
pub use routes::fuzz_request_target;
pub use server::{App, Running, Server, app, spawn};
pub use static_files::CspSettings;

use audit::AuditDb;
use operators::{OperatorsConfig, Policy};

/// Default request body limit: OperateExecution bodies are ~80 bytes, and an
/// ExecuteDocument with many targets stays well under this.
pub const DEFAULT_BODY_LIMIT: usize = 64 * 1024;

/// Where API requests go.
#[derive(Debug, Clone)]
pub enum UpstreamChoice {
    /// A COC endpoint (the real service, or any simulator) at this base URL.
    Url(String),
    /// An in-process simulator on an internal loopback port.
    Simulator(SimSettings),
}

/// Everything the gateway needs; `main.rs` fills it from flags and env.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address to listen on; port 0 picks a free port.
    pub listen: SocketAddr,
    /// Where API requests go.
    pub upstream: UpstreamChoice,
    /// How requests to the upstream authenticate.
    pub auth: UpstreamAuth,
    /// Origins (besides the gateway's own) whose pages may call the API.
    pub allow_origins: Vec<String>,
    /// CSP additions for the console's page.
    pub csp: CspSettings,
    /// Trunk's `dist/`; `None` serves a placeholder page.
    pub static_dir: Option<PathBuf>,
    /// Connect timeout for upstream requests.
    pub connect_timeout: Duration,
    /// Total timeout for an upstream exchange, body included.
    pub timeout: Duration,
    /// Largest accepted request body.
    pub body_limit: usize,
    /// Client timeouts and the connection cap.
    pub client: ClientLimits,
    /// Names the gateway is reached by besides its listen address (and
    /// `localhost` on loopback): `Host` headers naming anything else are
    /// refused.
    pub public_hosts: Vec<String>,
    /// How operators are known.
    pub operators: OperatorsConfig,
    /// Who may do what.
    pub policy: Policy,
    /// Operations refused without a reason.
    pub require_reason: Vec<OperateType>,
    /// Where the audit trail goes.
    pub audit_db: AuditDb,
    /// Purge audit records older than this many days (none: keep all).
    pub audit_retention_days: Option<u32>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            upstream: UpstreamChoice::Simulator(SimSettings::default()),
            auth: UpstreamAuth::None,
            allow_origins: Vec::new(),
            csp: CspSettings::default(),
            static_dir: None,
            connect_timeout: Duration::from_secs(3),
            timeout: Duration::from_secs(30),
            body_limit: DEFAULT_BODY_LIMIT,
            client: ClientLimits::default(),
            public_hosts: Vec::new(),
            operators: OperatorsConfig::default(),
            policy: Policy::default(),
            require_reason: DEFAULT_REQUIRE_REASON.to_vec(),
            audit_db: AuditDb::Memory,
            audit_retention_days: None,
        }
    }
}

/// Operations that need a reason unless `--require-reason` says otherwise.
pub const DEFAULT_REQUIRE_REASON: [OperateType; 2] =
    [OperateType::Terminate, OperateType::SkipBatch];

/// Why the gateway could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The upstream URL or credentials are unusable.
    #[error("invalid upstream: {0}")]
    Upstream(coc_core::Error),
    /// An allowed origin is malformed.
    #[error(transparent)]
    Origin(#[from] cors::OriginError),
    /// A `--public-host` is malformed.
    #[error(transparent)]
    Host(#[from] hosts::HostError),
    /// The client limits do not fit.
    #[error(transparent)]
    Limits(#[from] listen::LimitsError),
    /// A CSP source is malformed.
    #[error(transparent)]
    Csp(#[from] static_files::CspError),
    /// The static directory has no readable `index.html`.
    #[error("cannot serve the console from {}: {source}", path.display())]
    StaticDir {
        /// The `index.html` that could not be read.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// The HTTP client could not be built.
    #[error("cannot build the http client: {0}")]
    HttpClient(reqwest::Error),
    /// Binding a socket failed.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: io::Error,
    },
    /// Serving stopped with an IO error.
    #[error("server error: {0}")]
    Serve(io::Error),
    /// Incomplete AK/SK configuration in the environment.
    #[error("{0}")]
    Credentials(String),
    /// The embedded simulator's settings are unusable.
    #[error("invalid simulator settings: {0}")]
    Simulator(String),
    /// The operators file cannot be used.
    #[error(transparent)]
    Operators(#[from] operators::tokens::TokensError),
    /// The audit store cannot be opened.
    #[error("cannot open the audit trail: {0}")]
    Audit(#[from] audit::AuditError),
}

/// The SDKs' environment variables for AK/SK credentials.
pub mod env {
    /// Access key id.
    pub const AK: &str = "HUAWEICLOUD_SDK_AK";
    /// Secret key.
    pub const SK: &str = "HUAWEICLOUD_SDK_SK";
    /// Security token of temporary credentials.
    pub const SECURITY_TOKEN: &str = "HUAWEICLOUD_SDK_SECURITY_TOKEN";
    /// Domain (account) id, for global services.
    pub const DOMAIN_ID: &str = "HUAWEICLOUD_SDK_DOMAIN_ID";
    /// Project id.
    pub const PROJECT_ID: &str = "HUAWEICLOUD_SDK_PROJECT_ID";
}

/// Reads AK/SK credentials the way the official SDKs name them. `None` when
/// neither AK nor SK is set; an error when only one of them is.
pub fn credentials_from_env(
    var: impl Fn(&str) -> Option<String>,
) -> Result<Option<Credentials>, Error> {
    let get = |name: &str| {
        var(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let (ak, sk) = match (get(env::AK), get(env::SK)) {
        (None, None) => return Ok(None),
        (Some(ak), Some(sk)) => (ak, sk),
        (Some(_), None) => {
            return Err(Error::Credentials(format!(
                "{} is set but {} is not",
                env::AK,
                env::SK
            )));
        }
        (None, Some(_)) => {
            return Err(Error::Credentials(format!(
                "{} is set but {} is not",
                env::SK,
                env::AK
            )));
        }
    };
    let mut creds = Credentials::new(ak, sk);
    if let Some(t) = get(env::SECURITY_TOKEN) {
        creds = creds.with_security_token(t);
    }
    if let Some(d) = get(env::DOMAIN_ID) {
        creds = creds.with_domain_id(d);
    }
    if let Some(p) = get(env::PROJECT_ID) {
        creds = creds.with_project_id(p);
    }
    Ok(Some(creds))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |k| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
    }

    #[test]
    fn credentials_come_from_the_sdk_variables() {
        assert!(credentials_from_env(env(&[])).unwrap().is_none());
        let c = credentials_from_env(env(&[
            (env::AK, "AK1"),
            (env::SK, " SK1 "),
            (env::SECURITY_TOKEN, "tok"),
            (env::DOMAIN_ID, "dom"),
        ]))
        .unwrap()
        .unwrap();
        assert_eq!(c.access_key, "AK1");
        assert_eq!(c.expose_secret_key(), "SK1");
        assert_eq!(c.security_token.as_deref(), Some("tok"));
        assert_eq!(c.domain_id.as_deref(), Some("dom"));
        assert_eq!(c.project_id, None);
        // Blank counts as unset; half a pair is an error naming the missing half.
        assert!(
            credentials_from_env(env(&[(env::AK, ""), (env::SK, "")]))
                .unwrap()
                .is_none()
        );
        let err = credentials_from_env(env(&[(env::SK, "x")])).unwrap_err();
        assert!(err.to_string().contains(env::AK), "{err}");
        // The SK never shows in Debug output of the configuration.
        let auth = UpstreamAuth::Sign(c);
        assert!(!format!("{auth:?}").contains("SK1"));
    }

    #[test]
    fn path_checks() {
        use routes::check_path;
        for ok in ["/", "/v1/executions/EX1", "/a.b/c..d", "/executions/EX%41"] {
            assert!(check_path(ok).is_ok(), "{ok}");
        }
        for bad in [
            "/a/../b",
            "/..",
            "/./x",
            "/%2e%2E/x",
            "/a%2Fb",
            "/a%5cb",
            "/a\\b",
        ] {
            assert!(check_path(bad).is_err(), "{bad}");
        }
    }
}
