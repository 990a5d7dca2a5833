//! `coc-gateway`: command-line flags and environment into a
//! [`coc_gateway::Config`], logging set up, one start line printed, then serve.

use std::io::Write as _;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context as _, Result, bail};
use axum::http::HeaderName;
use clap::{Parser, Subcommand, ValueEnum};
use coc_core::OperateType;
use coc_gateway::audit::AuditDb;
use coc_gateway::operators::{OperatorsConfig, Policy, ProxyHeaders, Role, tokens};
use coc_gateway::{
    ClientLimits, Config, CspSettings, Server, SimSettings, UpstreamAuth, UpstreamChoice,
};
use ipnet::IpNet;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;

// glibc's malloc, free and consolidation were 17% of the gateway's CPU
// under load (perf record, wrk with 32 connections on a small ticket):
// every request allocates its rebuilt request, headers and body buffers.
// With mimalloc the same run went from 13.3k to 16.5k requests/s, p99 from
// 7.4 to 4.1 ms (`cargo xtask bench gateway`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    #[command(subcommand)]
    command: Option<Command>,

    /// How operators are known. local: one operator (--local-operator, or
    /// the OS user); the default only while listening on a loopback
    /// address. proxy: an identity-aware proxy in front sends the user in
    /// headers, believed only from --trusted-proxy addresses. tokens:
    /// personal access tokens (Authorization: Bearer …) from the operators
    /// file; see `coc-gateway operators --help`.
    #[arg(
        long = "operators",
        env = "COC_GATEWAY_OPERATORS",
        value_enum,
        value_name = "MODE"
    )]
    operators_mode: Option<OperatorsMode>,

    /// The local operator's name in audit records (default: the OS user).
    #[arg(long, env = "COC_GATEWAY_LOCAL_OPERATOR", value_name = "NAME")]
    local_operator: Option<String>,

    /// A source address range (CIDR, or one address) whose identity headers
    /// are believed in proxy mode; the same headers from anywhere else are
    /// refused with 401. Repeatable; the env variable takes a comma list.
    #[arg(
        long = "trusted-proxy",
        env = "COC_GATEWAY_TRUSTED_PROXIES",
        value_name = "CIDR",
        value_delimiter = ','
    )]
    trusted_proxies: Vec<String>,

    /// Proxy mode: the header with the user name.
    #[arg(
        long,
        env = "COC_GATEWAY_PROXY_USER_HEADER",
        default_value = "X-Forwarded-User"
    )]
    proxy_user_header: String,

    /// Proxy mode: the header with the e-mail.
    #[arg(
        long,
        env = "COC_GATEWAY_PROXY_EMAIL_HEADER",
        default_value = "X-Forwarded-Email"
    )]
    proxy_email_header: String,

    /// Proxy mode: the header with the groups (comma-separated).
    #[arg(
        long,
        env = "COC_GATEWAY_PROXY_GROUPS_HEADER",
        default_value = "X-Forwarded-Groups"
    )]
    proxy_groups_header: String,

    /// The operators file (tokens mode, and the operators subcommands).
    #[arg(
        long,
        env = "COC_GATEWAY_OPERATORS_FILE",
        default_value = "coc-operators.toml",
        value_name = "FILE",
        global = true
    )]
    operators_file: PathBuf,

    /// Roles and per-operation grants for users and groups (TOML; see the
    /// gateway README). Without one: the local operator is admin, a token
    /// has its own role, any other signed-in operator is a viewer.
    #[arg(long, env = "COC_GATEWAY_POLICY", value_name = "FILE")]
    policy: Option<PathBuf>,

    /// Operations refused without a reason (the X-Coc-Ops-Reason header),
    /// comma-separated, or "none".
    #[arg(
        long,
        env = "COC_GATEWAY_REQUIRE_REASON",
        value_name = "OPS",
        value_delimiter = ',',
        default_value = "TERMINATE,SKIP_BATCH"
    )]
    require_reason: Vec<String>,

    /// Where the audit trail goes: sqlite://PATH (created with its schema on
    /// first start) or postgres://USER:PASSWORD@HOST:PORT/DB (shared by
    /// replicas).
    #[arg(
        long,
        env = "COC_GATEWAY_AUDIT_DB",
        default_value = "sqlite://coc-audit.sqlite",
        value_name = "URL"
    )]
    audit_db: String,

    /// Purge audit records older than this many days (hourly). Default: keep
    /// every record.
    #[arg(long, env = "COC_GATEWAY_AUDIT_RETENTION_DAYS", value_name = "DAYS")]
    audit_retention_days: Option<u32>,

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

    /// A name the gateway is reached by (HOST or HOST:PORT, as browsers send
    /// it in the Host header), besides its listen address and, on loopback,
    /// localhost. Requests naming any other host are refused with 421 (DNS
    /// rebinding). Repeatable; the env variable takes a comma list.
    #[arg(
        long = "public-host",
        env = "COC_GATEWAY_PUBLIC_HOSTS",
        value_name = "HOST",
        value_delimiter = ','
    )]
    public_hosts: Vec<String>,

    /// How long a client has to send a whole request head, in milliseconds,
    /// from connecting or from the first byte of a request on a kept-alive
    /// connection; the connection is closed after it.
    #[arg(
        long,
        env = "COC_GATEWAY_HEADER_READ_TIMEOUT_MS",
        default_value_t = duration_ms(coc_gateway::listen::DEFAULT_HEADER_READ_TIMEOUT),
        value_name = "MS"
    )]
    header_read_timeout_ms: u64,

    /// How long a kept-alive connection may sit idle between an answer and
    /// the next request, in milliseconds, before it is closed.
    #[arg(
        long,
        env = "COC_GATEWAY_KEEP_ALIVE_TIMEOUT_MS",
        default_value_t = duration_ms(coc_gateway::listen::DEFAULT_KEEP_ALIVE_TIMEOUT),
        value_name = "MS"
    )]
    keep_alive_timeout_ms: u64,

    /// How long a client has to send a request body after its head, in
    /// milliseconds (408 after).
    #[arg(
        long,
        env = "COC_GATEWAY_BODY_READ_TIMEOUT_MS",
        default_value_t = duration_ms(coc_gateway::listen::DEFAULT_BODY_READ_TIMEOUT),
        value_name = "MS"
    )]
    body_read_timeout_ms: u64,

    /// Client connections served at once; more are answered 503 and closed.
    /// Default: what fits under the open-file limit (RLIMIT_NOFILE, raised to
    /// its hard limit at start), 3 descriptors a connection after 128 for
    /// the rest, at most 4096. A value that does not fit is refused.
    #[arg(long, env = "COC_GATEWAY_MAX_CONNECTIONS", value_name = "N")]
    max_connections: Option<usize>,

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

#[derive(Debug, Subcommand)]
enum Command {
    /// Manage personal access tokens in the operators file (--operators-file).
    Operators {
        #[command(subcommand)]
        action: OperatorsAction,
    },
}

#[derive(Debug, Subcommand)]
enum OperatorsAction {
    /// Add an operator with a new token, printed once, alone on the last
    /// line; the file keeps only a salted hash of it.
    Add {
        /// The operator's name, as audit records show it.
        name: String,
        /// viewer (reads), operator (also the four operations), admin (also
        /// ExecuteDocument).
        #[arg(long, default_value = "viewer")]
        role: String,
    },
    /// List the operators (names, roles, token ids; never tokens).
    List,
    /// Remove an operator; their token stops working at the next request.
    Revoke {
        /// The operator's name.
        name: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum OperatorsMode {
    Local,
    Proxy,
    Tokens,
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
    let result = match &args.command {
        Some(Command::Operators { action }) => manage_operators(&args.operators_file, action),
        None => run(&args),
    };
    match result {
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
    raise_fd_limit();
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
    let listen = SocketAddr::new(args.host, args.port);
    let operators = operators(args, listen, args.upstream.is_some())?;
    let policy = match &args.policy {
        Some(path) => Policy::load(path)?,
        None => Policy::default(),
    };
    let require_reason = match args.require_reason.as_slice() {
        [none] if none.trim().eq_ignore_ascii_case("none") => Vec::new(),
        ops => ops
            .iter()
            .map(|o| OperateType::parse(o.trim()))
            .collect::<Result<Vec<_>, _>>()
            .context("--require-reason")?,
    };
    let audit_db =
        AuditDb::parse(&args.audit_db).map_err(|e| anyhow::anyhow!("--audit-db: {e}"))?;
    Ok(Config {
        listen,
        operators,
        policy,
        require_reason,
        audit_db,
        audit_retention_days: args.audit_retention_days,
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
        client: ClientLimits {
            header_read_timeout: Duration::from_millis(args.header_read_timeout_ms),
            keep_alive_timeout: Duration::from_millis(args.keep_alive_timeout_ms),
            body_read_timeout: Duration::from_millis(args.body_read_timeout_ms),
            max_connections: args.max_connections,
        },
        public_hosts: args.public_hosts.clone(),
    })
}

/// A default duration as the flag's milliseconds.
const fn duration_ms(d: Duration) -> u64 {
    d.as_millis() as u64
}

/// Raises the soft open-file limit to the hard one, as servers do: the
/// soft default (often 1024) is what caps the connections, and the hard
/// limit is what the administrator actually allowed.
fn raise_fd_limit() {
    if let Err(e) = rlimit::increase_nofile_limit(u64::MAX) {
        tracing::warn!(target: "coc_gateway::connections", error = %e, "cannot raise the open-file limit; the connection cap follows the current one");
    }
}

/// `--operators` and its companions, failing closed: a gateway reachable
/// from other machines must know who is operating.
fn operators(args: &Args, listen: SocketAddr, forwarding: bool) -> Result<OperatorsConfig> {
    let loopback = listen.ip().is_loopback();
    let mode = match args.operators_mode {
        Some(m) => m,
        None if loopback => OperatorsMode::Local,
        None => bail!(
            "listening on {listen}, which is not a loopback address, needs to know who operates: \
             choose --operators proxy (an identity-aware proxy in front, with --trusted-proxy) \
             or --operators tokens (personal access tokens; see `coc-gateway operators --help`)"
        ),
    };
    Ok(match mode {
        OperatorsMode::Local => {
            if forwarding && !loopback {
                bail!(
                    "--operators local lets whoever reaches {listen} operate tickets as one person; \
                     forwarding to a real COC from a non-loopback address needs --operators proxy \
                     (an identity-aware proxy in front) or --operators tokens (personal access tokens)"
                );
            }
            let name = args
                .local_operator
                .clone()
                .or_else(|| std::env::var("USER").ok())
                .or_else(|| std::env::var("LOGNAME").ok())
                .map(|n| n.trim().to_owned())
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| "local".to_owned());
            tokens::check_name(&name)?;
            OperatorsConfig::Local { name }
        }
        OperatorsMode::Proxy => {
            if args.trusted_proxies.is_empty() {
                bail!(
                    "--operators proxy needs --trusted-proxy CIDR: the addresses of the identity-aware proxy whose headers are believed"
                );
            }
            let trusted = args
                .trusted_proxies
                .iter()
                .map(|t| {
                    let t = t.trim();
                    t.parse::<IpNet>()
                        .or_else(|_| t.parse::<IpAddr>().map(IpNet::from))
                        .with_context(|| {
                            format!("--trusted-proxy {t:?} is not an address or a CIDR range")
                        })
                })
                .collect::<Result<Vec<_>>>()?;
            let header = |flag: &str, v: &str| {
                HeaderName::from_bytes(v.trim().as_bytes())
                    .with_context(|| format!("{flag} {v:?} is not a header name"))
            };
            OperatorsConfig::Proxy {
                headers: ProxyHeaders {
                    user: header("--proxy-user-header", &args.proxy_user_header)?,
                    email: header("--proxy-email-header", &args.proxy_email_header)?,
                    groups: header("--proxy-groups-header", &args.proxy_groups_header)?,
                },
                trusted,
            }
        }
        OperatorsMode::Tokens => OperatorsConfig::Tokens {
            file: args.operators_file.clone(),
        },
    })
}

/// `coc-gateway operators …`.
fn manage_operators(file: &Path, action: &OperatorsAction) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match action {
        OperatorsAction::Add { name, role } => {
            let role = Role::parse(role).map_err(|e| anyhow::anyhow!("--role: {e}"))?;
            let token = tokens::add(file, name, role, std::time::SystemTime::now())?;
            writeln!(
                out,
                "added operator {name} (role {}) to {}",
                role.as_str(),
                file.display()
            )?;
            writeln!(
                out,
                "their token follows; it is shown only now (the file keeps a salted hash):"
            )?;
            writeln!(out, "{token}")?;
        }
        OperatorsAction::List => {
            let entries = tokens::list(file)?;
            if entries.is_empty() {
                writeln!(out, "no operators in {}", file.display())?;
            }
            for e in entries {
                writeln!(
                    out,
                    "{:<24} {:<9} token cocpat_{}_…  created {}",
                    e.name,
                    e.role.as_str(),
                    e.token_id,
                    e.created
                )?;
            }
        }
        OperatorsAction::Revoke { name } => {
            tokens::revoke(file, name)?;
            writeln!(
                out,
                "revoked {name}: their token stops working at the next request"
            )?;
        }
    }
    out.flush()?;
    Ok(())
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
