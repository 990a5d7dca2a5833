//! `coc-simulator`: the in-memory COC job-execution service on its own port.

use std::net::SocketAddr;

use anyhow::Context;
use clap::Parser;
use coc_simulator::{Clock, Config, DEFAULT_START_MS, Faults, Simulator};
use tracing_subscriber::EnvFilter;

/// An in-memory Huawei Cloud COC job-execution service for demos and tests.
///
/// Serves the six job-execution operations at the real paths
/// (`/v1/executions…`, `/v1/documents/{id}`), so any COC client, the official
/// SDKs included, can use it as its endpoint. Control routes live under
/// `/__sim/` (faults, clock, reset, operation log). Logs go to stderr;
/// set RUST_LOG (e.g. `RUST_LOG=debug`) to change the level.
#[derive(Debug, Parser)]
#[command(name = "coc-simulator", version)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1", env = "COC_SIM_HOST")]
    host: String,
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 8090, env = "COC_SIM_PORT")]
    port: u16,
    /// Seed for the generated tickets, durations, new ids and fault dice.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Freeze time: it moves only through `POST /__sim/advance {"ms": n}`.
    #[arg(long)]
    manual_clock: bool,
    /// With --manual-clock: the start time, epoch ms (default 2025-07-01T10:00:00Z).
    #[arg(long, default_value_t = DEFAULT_START_MS, requires = "manual_clock")]
    start_ms: i64,
    /// Require AK/SK (SDK-HMAC-SHA256) signatures made with this access key.
    #[arg(long, env = "HUAWEICLOUD_SDK_AK", requires = "sk")]
    ak: Option<String>,
    /// The secret key for --ak. Prefer the environment variable to the flag,
    /// which other users can see in the process list.
    #[arg(
        long,
        env = "HUAWEICLOUD_SDK_SK",
        hide_env_values = true,
        requires = "ak"
    )]
    sk: Option<String>,
    /// Fault: milliseconds added to every COC response.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Fault: share of COC requests answered 500 with a COC error (0 to 1).
    #[arg(long, default_value_t = 0.0)]
    error_rate: f64,
    /// Fault: share of COC requests answered 502 with an nginx HTML page (0 to 1).
    #[arg(long, default_value_t = 0.0)]
    html_502_rate: f64,
    /// Fault: share of COC requests whose connection is closed without an answer (0 to 1).
    #[arg(long, default_value_t = 0.0)]
    drop_rate: f64,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let args = Args::parse();
    let faults = Faults {
        latency_ms: args.latency_ms,
        error_rate: args.error_rate,
        html_502_rate: args.html_502_rate,
        drop_rate: args.drop_rate,
        // Set at run time through /__sim/faults.
        ..Faults::default()
    };
    faults.validate().map_err(anyhow::Error::msg)?;
    let clock = if args.manual_clock {
        Clock::Manual {
            start_ms: args.start_ms,
        }
    } else {
        Clock::Wall
    };
    let credentials = args.ak.zip(args.sk);
    let signed = credentials.is_some();
    let sim = Simulator::new(Config {
        seed: args.seed,
        clock,
        credentials,
        faults,
    });
    let listener = tokio::net::TcpListener::bind((args.host.as_str(), args.port))
        .await
        .with_context(|| format!("cannot listen on {}:{}", args.host, args.port))?;
    let addr: SocketAddr = listener.local_addr()?;
    let line = format!(
        "coc-simulator listening on http://{addr} (seed {}, {} clock, {} tickets, AK/SK {}; started in {} ms)\n",
        args.seed,
        if args.manual_clock { "manual" } else { "wall" },
        sim.ticket_count(),
        if signed { "required" } else { "not required" },
        started.elapsed().as_millis(),
    );
    {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        out.write_all(line.as_bytes())?;
        out.flush()?;
    }
    axum::serve(listener, sim.router())
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .context("server failed")
}
