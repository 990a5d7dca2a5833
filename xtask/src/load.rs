//! The gateway under load, side by side with nginx: part of `cargo xtask
//! bench`, loopback only, bounded in count and time, reporting and never
//! asserting.
//!
//! One standalone simulator (manual clock, so tickets hold still) is the
//! upstream of both: the gateway forwarding with `--auth none`, and nginx
//! (Debian's package) configured as the obvious alternative, a keep-alive
//! reverse proxy giving the same CORS answer. `wrk` (Debian's) drives each
//! case for the same time, once with keep-alive and once with a new
//! connection per request, and the ratio gateway/nginx is printed per case.
//! A 60 s soak then samples the gateway's RSS every second, and a crowd of
//! slow and hostile clients (`hostile`) measures what is left for others.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::gateway::Gateway;
use crate::process::Process;
use crate::{log, run_cmd, tools};

/// The origin both proxies answer CORS for.
pub(crate) const ORIGIN: &str = "http://portal.example";
/// Per case and server.
const CASE_SECS: u32 = 10;
const CONNECTIONS: u32 = 32;
const SOAK_SECS: u64 = 60;
/// The small ticket: the first case, the soak's and the hostile section's.
pub(crate) const SMALL_TICKET: &str = "/v1/executions/EX2025070110223402c4d6e8";

/// A ticket, the 10,000-target ticket, a list page, and an operation
/// (RESUME of the paused BATCH ticket: accepted once, then answered 400 by
/// the simulator, so the path measured is the forward and, in the gateway,
/// its audit record).
const CASES: [(&str, &str, Option<&str>); 4] = [
    ("GET small ticket", SMALL_TICKET, None),
    (
        "GET 10,000-target ticket",
        "/v1/executions/EX2025070108000010e2f4a6",
        None,
    ),
    ("GET list page of 20", "/v1/executions?limit=20", None),
    (
        "POST operate (RESUME)",
        "/v1/executions",
        Some(r#"{"execution_id":"EX2025070109151201b3c5d7","operate_type":"RESUME"}"#),
    ),
];

/// Only the hostile-clients section (`cargo xtask bench hostile`).
pub fn run_hostile(root: &Path, gateway_bin: &Path) -> Result<()> {
    install()?;
    let (sim, gateway) = start(root, gateway_bin)?;
    crate::hostile::run(&gateway)?;
    drop((gateway, sim));
    Ok(())
}

/// A standalone simulator and a gateway forwarding to it.
fn start(root: &Path, gateway_bin: &Path) -> Result<(Process, Gateway)> {
    let sim_bin = crate::build_native(root, "coc-simulator")?;
    let (sim, _) = Process::start(
        // Its per-request log line would be most of the upstream's work.
        Command::new(&sim_bin)
            .args(["--port", "0", "--manual-clock"])
            .env("RUST_LOG", "warn"),
        "coc-simulator listening on ",
    )?;
    let gateway = Gateway::start(
        gateway_bin,
        &[
            "--upstream",
            sim.url(),
            "--auth",
            "none",
            "--allow-origin",
            ORIGIN,
        ],
    )?;
    Ok((sim, gateway))
}

pub fn run(root: &Path, gateway_bin: &Path) -> Result<()> {
    install()?;
    let (sim, gateway) = start(root, gateway_bin)?;
    let dir = tempdir()?;
    let nginx = Nginx::start(&dir, sim.url())?;
    let script = dir.join("post.lua");

    log(&format!(
        "    wrk, {CONNECTIONS} connections, {CASE_SECS} s per case and server, Origin {ORIGIN}; upstream: one simulator at {}",
        sim.url()
    ));
    for (name, path, body) in CASES {
        for keep_alive in [true, false] {
            let one = |base: &str| -> Result<Wrk> {
                let mut cmd = wrk(2, CONNECTIONS, CASE_SECS.into());
                if !keep_alive {
                    cmd.args(["-H", "Connection: close"]);
                }
                if let Some(body) = body {
                    std::fs::write(&script, post_script(body))?;
                    cmd.arg("-s").arg(&script);
                }
                Wrk::run(cmd.arg(format!("{base}{path}")))
            };
            let g = one(gateway.url().trim_end_matches('/'))?;
            let n = one(&nginx.url)?;
            let mode = if keep_alive {
                "keep-alive"
            } else {
                "new connection"
            };
            let line = format!(
                "    {name:<26} {mode:<14} gateway {:>8.0} rps p50 {:>6.2} ms p99 {:>6.2} ms{} | nginx {:>8.0} rps p50 {:>6.2} ms p99 {:>6.2} ms{} | gateway/nginx {:.2}x",
                g.rps,
                g.p50_ms,
                g.p99_ms,
                g.errors_note(),
                n.rps,
                n.p50_ms,
                n.p99_ms,
                n.errors_note(),
                g.rps / n.rps.max(1.0)
            );
            log(&line);
        }
    }
    drop(nginx);

    soak(&gateway)?;
    crate::hostile::run(&gateway)?;
    drop(gateway);
    drop(sim);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// 60 s of keep-alive GETs of a small ticket at the rate wrk reaches, the
/// gateway's RSS read from /proc every second.
fn soak(gateway: &Gateway) -> Result<()> {
    let rss = || rss_kb(gateway.pid());
    let start = rss().context("reading the gateway's VmRSS")?;
    let child = wrk(2, CONNECTIONS, SOAK_SECS)
        .arg(format!(
            "{}{SMALL_TICKET}",
            gateway.url().trim_end_matches('/')
        ))
        .stdout(Stdio::piped())
        .spawn()
        .context("starting wrk")?;
    let began = Instant::now();
    let mut peak = start;
    while began.elapsed() < Duration::from_secs(SOAK_SECS) {
        std::thread::sleep(Duration::from_secs(1));
        peak = peak.max(rss().unwrap_or(0));
    }
    let out = child.wait_with_output()?;
    let result = Wrk::parse(&String::from_utf8_lossy(&out.stdout))?;
    let end = rss().unwrap_or(0);
    log(&format!(
        "    soak, {SOAK_SECS} s of keep-alive GETs through the gateway ({CONNECTIONS} connections): {:.0} rps, p50 {:.2} ms, p99 {:.2} ms, {} errors; gateway RSS start {} KB, end {} KB, peak {} KB",
        result.rps,
        result.p50_ms,
        result.p99_ms,
        result.errors,
        start,
        end,
        peak.max(end)
    ));
    Ok(())
}

/// `wrk` with the options every run here shares (latency percentiles, the
/// allowed `Origin`); the caller adds its own and the URL.
pub(crate) fn wrk(threads: u32, connections: u32, secs: u64) -> Command {
    let mut cmd = Command::new("wrk");
    cmd.args(["-t", &threads.to_string(), "-c", &connections.to_string()])
        .args(["-d", &format!("{secs}s"), "--latency"])
        .args(["-H", &format!("Origin: {ORIGIN}")]);
    cmd
}

/// A process's resident set, KB, from /proc.
pub(crate) fn rss_kb(pid: u32) -> Option<u64> {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// wrk and nginx from Debian's packages, when missing.
fn install() -> Result<()> {
    let have = |cmd: &str, arg: &str| {
        Command::new(cmd)
            .arg(arg)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok()
    };
    if have("wrk", "--version") && have(nginx_bin().to_str().unwrap_or("nginx"), "-v") {
        return Ok(());
    }
    log("    installing Debian's wrk and nginx (under a minute)");
    run_cmd("apt-get update", &mut tools::apt(&["update", "-q"]))?;
    run_cmd(
        "apt-get install wrk nginx-light",
        &mut tools::apt(&[
            "install",
            "-y",
            "-q",
            "--no-install-recommends",
            "wrk",
            "nginx-light",
        ]),
    )
}

fn post_script(body: &str) -> String {
    format!(
        "wrk.method = \"POST\"\nwrk.body = '{body}'\nwrk.headers[\"Content-Type\"] = \"application/json\"\n"
    )
}

/// What one wrk run printed.
pub(crate) struct Wrk {
    pub(crate) rps: f64,
    pub(crate) p50_ms: f64,
    pub(crate) p99_ms: f64,
    /// Socket errors and answers that were not 2xx/3xx.
    pub(crate) errors: u64,
    non_2xx: u64,
}

impl Wrk {
    pub(crate) fn run(cmd: &mut Command) -> Result<Self> {
        let out = cmd.output().context("running wrk")?;
        if !out.status.success() {
            bail!("wrk failed: {}", String::from_utf8_lossy(&out.stderr));
        }
        Self::parse(&String::from_utf8_lossy(&out.stdout))
    }

    fn parse(text: &str) -> Result<Self> {
        let field = |prefix: &str| {
            text.lines()
                .map(str::trim)
                .find_map(|l| l.strip_prefix(prefix))
                .map(str::trim)
        };
        let rps = field("Requests/sec:")
            .and_then(|v| v.parse().ok())
            .with_context(|| format!("no Requests/sec in wrk's output:\n{text}"))?;
        let p50_ms = field("50%").map(latency_ms).unwrap_or(f64::NAN);
        let p99_ms = field("99%").map(latency_ms).unwrap_or(f64::NAN);
        let non_2xx = field("Non-2xx or 3xx responses:")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        // "Socket errors: connect 0, read 0, write 0, timeout 0"
        let socket: u64 = field("Socket errors:")
            .map(|v| {
                v.split(',')
                    .filter_map(|p| p.split_whitespace().last()?.parse::<u64>().ok())
                    .sum()
            })
            .unwrap_or(0);
        Ok(Self {
            rps,
            p50_ms,
            p99_ms,
            errors: socket + non_2xx,
            non_2xx,
        })
    }

    fn errors_note(&self) -> String {
        match (self.errors, self.non_2xx) {
            (0, _) => String::new(),
            (e, n) => format!(" ({e} not 2xx or failed, {n} of them answers)"),
        }
    }
}

/// "1.23ms", "850.00us", "1.02s" in milliseconds.
fn latency_ms(v: &str) -> f64 {
    let v = v.trim();
    let (num, scale) = if let Some(n) = v.strip_suffix("us") {
        (n, 1e-3)
    } else if let Some(n) = v.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = v.strip_suffix('s') {
        (n, 1e3)
    } else {
        (v, 1.0)
    };
    num.parse::<f64>().map_or(f64::NAN, |n| n * scale)
}

/// A child that prints `<prefix><URL> …` on stdout when it is listening.
/// nginx in the foreground with a config of our own, in a temp dir.
struct Nginx {
    child: Child,
    url: String,
}

impl Nginx {
    fn start(dir: &Path, upstream: &str) -> Result<Self> {
        let port = free_port()?;
        let upstream = upstream.trim_start_matches("http://");
        let conf = dir.join("nginx.conf");
        // The gateway's CORS answer, as nginx would give it: the allowed
        // origin echoed, the request id exposed, preflights answered here.
        let text = format!(
            r#"worker_processes auto;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  client_body_temp_path {dir}/body;
  proxy_temp_path {dir}/proxy;
  fastcgi_temp_path {dir}/fastcgi;
  uwsgi_temp_path {dir}/uwsgi;
  scgi_temp_path {dir}/scgi;
  upstream coc {{ server {upstream}; keepalive 64; }}
  server {{
    listen 127.0.0.1:{port};
    location /v1/ {{
      if ($request_method = OPTIONS) {{
        add_header Access-Control-Allow-Origin "{ORIGIN}";
        add_header Access-Control-Allow-Methods "GET, POST";
        add_header Access-Control-Allow-Headers "Content-Type, X-Coc-Ops-Reason";
        add_header Access-Control-Max-Age 600;
        add_header Vary Origin;
        return 204;
      }}
      add_header Access-Control-Allow-Origin "{ORIGIN}" always;
      add_header Access-Control-Expose-Headers "X-request-id" always;
      add_header Vary Origin always;
      proxy_pass http://coc;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }}
  }}
}}
"#,
            dir = dir.display()
        );
        std::fs::write(&conf, text)?;
        let child = Command::new(nginx_bin())
            .arg("-e")
            .arg(dir.join("error.log"))
            .arg("-p")
            .arg(dir)
            .arg("-c")
            .arg(&conf)
            .stdout(Stdio::null())
            .spawn()
            .context("starting nginx")?;
        let url = format!("http://127.0.0.1:{port}");
        let began = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if began.elapsed() > Duration::from_secs(10) {
                bail!(
                    "nginx did not listen on {port} within 10 s: {}",
                    std::fs::read_to_string(dir.join("error.log")).unwrap_or_default()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        log(&format!("    nginx up: {url}"));
        Ok(Self { child, url })
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Debian puts nginx in /usr/sbin, which a non-root PATH may lack.
fn nginx_bin() -> PathBuf {
    let sbin = PathBuf::from("/usr/sbin/nginx");
    if sbin.is_file() {
        sbin
    } else {
        PathBuf::from("nginx")
    }
}

fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

fn tempdir() -> Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("coc-xtask-load-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const OUT: &str = "Running 10s test @ http://127.0.0.1:1/v1/executions/x
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     3.20ms    1.10ms  30.00ms   90.00%
  Latency Distribution
     50%    3.01ms
     75%    3.50ms
     90%    4.20ms
     99%  850.00us
  95000 requests in 10.00s, 120.00MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 7
Requests/sec:   9500.12
Transfer/sec:     12.00MB
";

    #[test]
    fn wrk_output_is_read() {
        let w = Wrk::parse(OUT).unwrap();
        assert!((w.rps - 9500.12).abs() < 1e-6);
        assert!((w.p50_ms - 3.01).abs() < 1e-9);
        assert!((w.p99_ms - 0.85).abs() < 1e-9);
        assert_eq!((w.errors, w.non_2xx), (10, 7));
    }

    #[test]
    fn output_without_a_rate_is_an_error() {
        assert!(Wrk::parse("connection refused").is_err());
    }
}
