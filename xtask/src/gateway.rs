//! A gateway process for the steps that need a live API.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Context, Result, bail};

use crate::log;

/// A running `coc-gateway`; stopped when dropped.
pub struct Gateway {
    child: Child,
    pub url: String,
}

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
        let mut child = Command::new(bin)
            .args(["--port", "0", "--log-level", "warn"])
            .arg(format!("--audit-db=sqlite://{}", audit.display()))
            .args(args)
            .stdout(Stdio::piped())
            .spawn()
            .with_context(|| format!("starting {}", bin.display()))?;
        let stdout = child.stdout.take().context("gateway stdout")?;
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line)?;
        let url = line
            .split_whitespace()
            .nth(3)
            .unwrap_or_default()
            .to_owned();
        if !url.starts_with("http://") {
            let _ = child.kill();
            bail!("the gateway did not print its start line (got {line:?})");
        }
        log(&format!("    gateway up: {}", line.trim()));
        Ok(Self { child, url })
    }
}

impl Gateway {
    /// The process id, for reading its memory from /proc.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
