//! A gateway process for the steps that need a live API.

use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::Result;

use crate::log;
use crate::process::Process;

/// A running `coc-gateway`; stopped when dropped.
pub struct Gateway(Process);

impl Gateway {
    /// Starts `bin` on a free port with `args` and waits for its start line
    /// (`coc-gateway listening on <URL> (<mode>)`).
    pub fn start(bin: &Path, args: &[&str]) -> Result<Self> {
        // Its own audit file: gateways started here are throwaway.
        static N: AtomicUsize = AtomicUsize::new(0);
        let audit = std::env::temp_dir().join(format!(
            "coc-xtask-audit-{}-{}.sqlite",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let (process, line) = Process::start(
            Command::new(bin)
                .args(["--port", "0", "--log-level", "warn"])
                .arg(format!("--audit-db=sqlite://{}", audit.display()))
                .args(args),
            "coc-gateway listening on ",
        )?;
        log(&format!("    gateway up: {line}"));
        Ok(Self(process))
    }

    /// Its base URL, `http://127.0.0.1:PORT`.
    pub fn url(&self) -> &str {
        self.0.url()
    }

    /// The process id, for reading its memory from /proc.
    pub fn pid(&self) -> u32 {
        self.0.pid()
    }
}
