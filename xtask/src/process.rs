//! Child servers that print their URL in their first line (the gateway and
//! the simulator print `… listening on <URL> …`), killed when dropped.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use anyhow::{Context, Result, bail};

/// A running child server and the URL it printed.
pub struct Process {
    child: Child,
    url: String,
}

impl Process {
    /// Spawns `cmd` and reads its first line, which must start with
    /// `prefix` followed by the URL; returns the process and that line.
    pub fn start(cmd: &mut Command, prefix: &str) -> Result<(Self, String)> {
        let mut child = cmd
            .stdout(Stdio::piped())
            .spawn()
            .with_context(|| format!("starting {:?}", cmd.get_program()))?;
        let stdout = child.stdout.take().context("the child's stdout")?;
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line)?;
        let Some(url) = line
            .strip_prefix(prefix)
            .and_then(|r| r.split_whitespace().next())
            .filter(|u| u.starts_with("http://"))
        else {
            let _ = child.kill();
            let _ = child.wait();
            bail!(
                "{:?} did not print its start line (got {line:?})",
                cmd.get_program()
            );
        };
        let url = url.to_owned();
        Ok((Self { child, url }, line.trim().to_owned()))
    }

    /// The URL from its start line.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The process id, for reading its memory from /proc.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
