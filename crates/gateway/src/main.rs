//! `coc-gateway`: command-line flags and environment into a
//! [`coc_gateway::Config`], logging set up, one start line printed, then serve.

use std::io::Write as _;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context as _, Result, bail};
use clap::{Parser, ValueEnum};
use coc_gateway::{Config, CspSettings, Server, SimSettings, UpstreamAuth, UpstreamChoice};
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;

/// The CORS-enabled gateway between the COC ops console and Huawei Cloud COC.
///
/// Serves the console's files, answers CORS for allowlisted origins, and
/// forwards the six COC job-execution routes (at the same /v1/… paths as the
/// real service), rebuilt and signed by coc-core. Without --upstream it runs
/// an embedded COC simulator instead (no cloud account needed).
///
/// On start it prints exactly one line to stdout,
///
///     coc-gateway listening on <URL> (<mode>)
///
/// where <URL> is the fourth space-separated word (with --port 0, read the
/// port from it). Logs go to stderr and never contain secrets or tokens.
///
/// AK/SK credentials are read from the environment, as the official SDKs name
/// them: HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK, and optionally
/// HUAWEICLOUD_SDK_SECURITY_TOKEN, HUAWEICLOUD_SDK_DOMAIN_ID,
/// HUAWEICLOUD_SDK_PROJECT_ID. They are never accepted as flags.
#[derive(Debug, Parser)]
#[command(name = "coc-gateway", version, about, long_about, verbatim_doc_comment)]
struct Args {
    /// Address to listen on.
    #[arg(long, env = "COC_GATEWAY_HOST", default_value = "127.0.0.1")]
    host: IpAddr,

    /// Port to listen on; 0 picks a free port (read it from the start line).
    #[arg(long, env = "COC_GATEWAY_PORT", default_value_t = 8080)]
    port: u16,

    /// Forward to this COC endpoint (e.g. https://coc.myhuaweicloud.com, or
    /// another simulator) instead of running the embedded simulator.
    #[arg(long, env = "COC_GATEWAY_UPSTREAM", value_name = "URL")]
    upstream: Option<String>,

    /// How upstream requests authenticate. auto: sign with AK/SK when
    /// HUAWEICLOUD_SDK_AK/SK are set and --upstream is given, else none.
    /// aksk: sign (the credentials must be set; in simulator mode the
    /// embedded simulator then requires the same signature).
    /// passthrough-token: forward the caller's X-Auth-Token (requests without
    /// one are refused). none: send requests unauthenticated.
    #[arg(long, env = "COC_GATEWAY_AUTH", value_enum, default_value_t = AuthArg::Auto)]
    auth: AuthArg,

    /// An origin (scheme://host[:port]) whose pages may call the API through
    /// CORS, e.g. a portal embedding <coc-execution>. Repeatable; the env
    /// variable takes a comma-separated list. The gateway's own origin is
    /// always allowed; "*" is refused.
    #[arg(
        long = "allow-origin",
        env = "COC_GATEWAY_ALLOW_ORIGINS",
        value_name = "ORIGIN",
        value_delimiter = ','
    )]
    allow_origins: Vec<String>,

    /// An extra origin the console page may connect to (CSP connect-src),
    /// for consoles configured to talk to another gateway. Repeatable.
    #[arg(
        long = "connect-src",
        env = "COC_GATEWAY_CONNECT_SRC",
        value_name = "ORIGIN",
        value_delimiter = ','
    )]
    connect_src: Vec<String>,

    /// Who may embed the console in a frame (CSP frame-ancestors): 'self',
    /// 'none', or origins such as https://portal.example.com. Repeatable.
    #[arg(
        long = "frame-ancestors",
        env = "COC_GATEWAY_FRAME_ANCESTORS",
        value_name = "SOURCE",
        value_delimiter = ',',
        default_value = "'self'"
    )]
    frame_ancestors: Vec<String>,

    /// The console build to serve (Trunk's dist/ folder, with index.html).
    /// Default: ./dist if it exists, else a placeholder page that says how
    /// to build the console.
    #[arg(long, env = "COC_GATEWAY_STATIC_DIR", value_name = "DIR")]
    static_dir: Option<PathBuf>,

    /// Timeout for connecting to the upstream, in milliseconds (504 after).
    #[arg(
        long,
        env = "COC_GATEWAY_CONNECT_TIMEOUT_MS",
        default_value_t = 3_000,
        value_name = "MS"
    )]
    connect_timeout_ms: u64,

    /// Timeout for a whole upstream exchange, body included, in
    /// milliseconds (504 after).
    #[arg(
        long,
        env = "COC_GATEWAY_TIMEOUT_MS",
        default_value_t = 30_000,
        value_name = "MS"
    )]
    timeout_ms: u64,

    /// Largest request body accepted, in bytes (413 above).
    #[arg(long, env = "COC_GATEWAY_MAX_BODY_BYTES", default_value_t = coc_gateway::DEFAULT_BODY_LIMIT, value_name = "BYTES")]
    max_body_bytes: usize,

    /// Seed of the embedded simulator's tickets. This and every other
    /// --sim-* flag apply in simulator mode only (no --upstream).
    #[arg(long, env = "COC_SIM_SEED", default_value_t = 42)]
    sim_seed: u64,

    /// Run the embedded simulator on a manual clock that only moves with
    /// POST /__sim/advance {"ms": n} (deterministic tests and demos).
    #[arg(long, env = "COC_SIM_MANUAL_CLOCK")]
    sim_manual_clock: bool,

    /// Start time of the manual clock, epoch milliseconds (default
    /// 2025-07-01T10:00:00Z, the time the seeded tickets are built around).
    #[arg(
        long,
        env = "COC_SIM_START_MS",
        value_name = "MS",
        requires = "sim_manual_clock"
    )]
    sim_start_ms: Option<i64>,

    /// Fault knob: latency the simulator adds to every API answer, in ms.
    #[arg(
        long,
        env = "COC_SIM_LATENCY_MS",
        default_value_t = 0,
        value_name = "MS"
    )]
    sim_latency_ms: u64,

    /// Fault knob: share (0 to 1) of API answers that are a COC 500 error.
    #[arg(
        long,
        env = "COC_SIM_ERROR_RATE",
        default_value_t = 0.0,
        value_name = "RATE"
    )]
    sim_error_rate: f64,

    /// Fault knob: share (0 to 1) of API answers that are an HTML 502 page.
    #[arg(
        long,
        env = "COC_SIM_HTML_502_RATE",
        default_value_t = 0.0,
        value_name = "RATE"
    )]
    sim_html_502_rate: f64,

    /// Fault knob: share (0 to 1) of API requests whose connection is dropped.
    #[arg(
        long,
        env = "COC_SIM_DROP_RATE",
        default_value_t = 0.0,
        value_name = "RATE"
    )]
    sim_drop_rate: f64,

    /// Log verbosity (stderr).
    #[arg(long, env = "COC_GATEWAY_LOG", value_enum, default_value_t = LogLevel::Info)]
    log_level: LogLevel,

    /// Log format: text (key=value) or json (one object a line).
    #[arg(long, env = "COC_GATEWAY_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum AuthArg {
    Auto,
    Aksk,
    PassthroughToken,
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum LogLevel {
    Off,
    Error,
    Warn,
    Info,
    Debug,
    Trace,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

fn main() -> ExitCode {
    let args = Args::parse();
    init_logging(args.log_level, args.log_format);
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // One readable line (with causes), never a backtrace.
            let _ = writeln!(std::io::stderr(), "coc-gateway: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<()> {
    let config = config(args)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async move {
        let server = Server::bind(&config).await?;
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "{}", server.start_line())?;
        stdout.flush()?;
        drop(stdout);
        server.run(shutdown_signal()).await?;
        Ok(())
    })
}

fn config(args: &Args) -> Result<Config> {
    let credentials = coc_gateway::credentials_from_env(|k| std::env::var(k).ok())?;
    let auth = match (args.auth, credentials) {
        (AuthArg::Aksk, Some(c)) => UpstreamAuth::Sign(c),
        (AuthArg::Aksk, None) => bail!(
            "--auth aksk needs {} and {} in the environment",
            coc_gateway::env::AK,
            coc_gateway::env::SK
        ),
        (AuthArg::Auto, Some(c)) if args.upstream.is_some() => UpstreamAuth::Sign(c),
        (AuthArg::Auto | AuthArg::None, _) => UpstreamAuth::None,
        (AuthArg::PassthroughToken, _) => UpstreamAuth::PassthroughToken,
    };
    let upstream = match &args.upstream {
        Some(url) => UpstreamChoice::Url(url.clone()),
        None => UpstreamChoice::Simulator(SimSettings {
            seed: args.sim_seed,
            manual_clock: args.sim_manual_clock,
            start_ms: args.sim_start_ms,
            latency_ms: args.sim_latency_ms,
            error_rate: args.sim_error_rate,
            html_502_rate: args.sim_html_502_rate,
            drop_rate: args.sim_drop_rate,
        }),
    };
    let static_dir = match &args.static_dir {
        Some(dir) => Some(dir.clone()),
        None => Some(PathBuf::from("dist")).filter(|d| d.join("index.html").is_file()),
    };
    if args.timeout_ms == 0 || args.connect_timeout_ms == 0 {
        bail!("timeouts must be at least 1 ms");
    }
    Ok(Config {
        listen: SocketAddr::new(args.host, args.port),
        upstream,
        auth,
        allow_origins: args.allow_origins.clone(),
        csp: CspSettings {
            connect_src: args.connect_src.clone(),
            frame_ancestors: args.frame_ancestors.clone(),
        },
        static_dir,
        connect_timeout: Duration::from_millis(args.connect_timeout_ms),
        timeout: Duration::from_millis(args.timeout_ms),
        body_limit: args.max_body_bytes,
    })
}

/// Logs to stderr. Only this workspace's crates log at the chosen level;
/// dependencies (hyper, reqwest, rustls) stay at warn, so raising the level
/// never turns on a library's header dumps.
fn init_logging(level: LogLevel, format: LogFormat) {
    let level = match level {
        LogLevel::Off => LevelFilter::OFF,
        LogLevel::Error => LevelFilter::ERROR,
        LogLevel::Warn => LevelFilter::WARN,
        LogLevel::Info => LevelFilter::INFO,
        LogLevel::Debug => LevelFilter::DEBUG,
        LogLevel::Trace => LevelFilter::TRACE,
    };
    let filter = Targets::new()
        .with_target("coc_gateway", level)
        .with_target("coc_simulator", level)
        .with_default(LevelFilter::WARN.min(level));
    let fmt = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(false);
    let registry = tracing_subscriber::registry().with(filter);
    // A second init (impossible in main) would only fail to install.
    let _ = match format {
        LogFormat::Text => registry.with(fmt).try_init(),
        LogFormat::Json => registry.with(fmt.json().flatten_event(true)).try_init(),
    };
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
