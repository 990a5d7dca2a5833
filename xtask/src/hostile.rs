//! Slow and hostile clients against the gateway, while one well-behaved
//! client measures what is left for everyone else: part of the load
//! section of `cargo xtask bench`. It reports; it asserts nothing.
//!
//! The crowd, all on loopback and all at once: idle connections that never
//! send a byte, slowloris connections that send one header line a second,
//! request heads over the 64 KiB limit, and POSTs whose body (declared
//! under the 64 KiB body limit) never ends.
//! Meanwhile `wrk` runs keep-alive GETs of a small ticket, and the
//! gateway's RSS is sampled every second. At the end, every hostile
//! connection is asked whether the gateway has let go of it, and with what
//! answer.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use crate::gateway::Gateway;
use crate::load::{SMALL_TICKET as TICKET, Wrk, rss_kb, wrk};
use crate::log;

const IDLE: usize = 1000;
const SLOWLORIS: usize = 200;
const OVERSIZED: usize = 50;
const ENDLESS_BODIES: usize = 50;
/// Past the gateway's header-read (10 s) and body-read (15 s) timeouts.
const WATCH_SECS: u64 = 17;

/// One group of hostile connections, and what became of them.
struct Group {
    what: &'static str,
    conns: Vec<Conn>,
    /// Connections that could not be opened (the client's own fd limit).
    refused: usize,
}

struct Conn {
    stream: TcpStream,
    /// Bytes the gateway sent back.
    got: Vec<u8>,
    /// The gateway closed it (or reset it).
    closed: bool,
}

impl Group {
    fn open(what: &'static str, n: usize, addr: &str, first: &[u8]) -> Self {
        let mut conns = Vec::with_capacity(n);
        let mut refused = 0;
        for _ in 0..n {
            match TcpStream::connect(addr) {
                Ok(mut stream) => {
                    let _ = stream.write_all(first);
                    let _ = stream.set_nonblocking(true);
                    conns.push(Conn {
                        stream,
                        got: Vec::new(),
                        closed: false,
                    });
                }
                Err(_) => refused += 1,
            }
        }
        Self {
            what,
            conns,
            refused,
        }
    }

    /// Sends `bytes` on each connection still open (a slowloris line, a
    /// byte of a body), and reads whatever has come back.
    fn trickle(&mut self, bytes: &[u8]) {
        for c in self.conns.iter_mut().filter(|c| !c.closed) {
            if !bytes.is_empty() && c.stream.write_all(bytes).is_err() {
                c.closed = true;
            }
            c.poll();
        }
    }

    /// "1000 idle: 1000 closed by the gateway (no answer)".
    fn report(&mut self) -> String {
        self.trickle(b"");
        let closed = self.conns.iter().filter(|c| c.closed).count();
        let mut answers: Vec<(String, usize)> = Vec::new();
        for c in &self.conns {
            let line = String::from_utf8_lossy(&c.got);
            let status = line
                .lines()
                .next()
                .and_then(|l| l.split_whitespace().nth(1))
                .map_or_else(|| "no answer".to_owned(), |s| format!("HTTP {s}"));
            match answers.iter_mut().find(|(s, _)| *s == status) {
                Some((_, n)) => *n += 1,
                None => answers.push((status, 1)),
            }
        }
        let answers: Vec<String> = answers.iter().map(|(s, n)| format!("{n}× {s}")).collect();
        let refused = match self.refused {
            0 => String::new(),
            n => format!(", {n} not opened (client fd limit)"),
        };
        format!(
            "{} {}: {closed} closed by the gateway, {} still open; answers: {}{refused}",
            self.conns.len(),
            self.what,
            self.conns.len() - closed,
            answers.join(", ")
        )
    }
}

impl Conn {
    fn poll(&mut self) {
        let mut buf = [0u8; 4096];
        loop {
            match self.stream.read(&mut buf) {
                Ok(0) => {
                    self.closed = true;
                    return;
                }
                Ok(n) => self.got.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == ErrorKind::WouldBlock => return,
                Err(_) => {
                    self.closed = true;
                    return;
                }
            }
        }
    }
}

/// The well-behaved client: keep-alive GETs of the small ticket.
fn well_behaved(gateway: &Gateway, secs: u64) -> Command {
    let mut cmd = wrk(1, 8, secs);
    cmd.arg(format!("{}{TICKET}", gateway.url().trim_end_matches('/')));
    cmd
}

pub fn run(gateway: &Gateway) -> Result<()> {
    let addr = gateway
        .url()
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    let calm = Wrk::run(&mut well_behaved(gateway, 5))?;

    let rss_start = rss_kb(gateway.pid()).context("reading the gateway's VmRSS")?;
    let head = |extra: &str| format!("GET {TICKET} HTTP/1.1\r\nHost: {addr}\r\n{extra}");
    let big = format!("X-Filler: {}\r\n\r\n", "a".repeat(100 * 1024));
    let mut groups = [
        Group::open("idle connections", IDLE, &addr, b""),
        Group::open(
            "slowloris heads (a header line a second)",
            SLOWLORIS,
            &addr,
            head("").as_bytes(),
        ),
        Group::open(
            "100 KiB request heads",
            OVERSIZED,
            &addr,
            head(&big).as_bytes(),
        ),
        Group::open(
            "POSTs whose 60 KB body never ends (a byte a second)",
            ENDLESS_BODIES,
            &addr,
            format!(
                "POST /v1/executions HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://{addr}\r\nContent-Type: application/json\r\nContent-Length: 60000\r\n\r\n{{"
            )
            .as_bytes(),
        ),
    ];

    let measured = std::thread::scope(|s| -> Result<(Wrk, u64)> {
        let load = s.spawn(|| Wrk::run(&mut well_behaved(gateway, WATCH_SECS - 2)));
        let began = Instant::now();
        let mut peak = rss_start;
        while began.elapsed() < Duration::from_secs(WATCH_SECS) {
            std::thread::sleep(Duration::from_secs(1));
            let [idle, slow, big, body] = &mut groups;
            idle.trickle(b"");
            slow.trickle(b"X-Slow: 1\r\n");
            big.trickle(b"");
            body.trickle(b" ");
            peak = peak.max(rss_kb(gateway.pid()).unwrap_or(0));
        }
        let result = load
            .join()
            .map_err(|_| anyhow::anyhow!("the wrk thread panicked"))??;
        Ok((result, peak))
    })?;
    let (busy, peak) = measured;

    log(&format!(
        "    hostile clients, {WATCH_SECS} s: {IDLE} idle, {SLOWLORIS} slowloris, {OVERSIZED} oversized heads, {ENDLESS_BODIES} endless bodies, all at once"
    ));
    for g in &mut groups {
        log(&format!("      {}", g.report()));
    }
    log(&format!(
        "      a well-behaved client meanwhile (8 keep-alive connections): {:.0} rps, p50 {:.2} ms, p99 {:.2} ms, {} errors; alone before: {:.0} rps, p50 {:.2} ms: {:.2}x",
        busy.rps,
        busy.p50_ms,
        busy.p99_ms,
        busy.errors,
        calm.rps,
        calm.p50_ms,
        busy.rps / calm.rps.max(1.0)
    ));
    log(&format!(
        "      gateway RSS: {rss_start} KB before, peak {peak} KB, {} KB after",
        rss_kb(gateway.pid()).unwrap_or(0)
    ));
    Ok(())
}
