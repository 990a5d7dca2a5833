//! Finding and installing the tools the build and the tests need.
//!
//! Versions come from one place each: the wasm-bindgen CLI from the
//! `wasm-bindgen` version in Cargo.lock (pinned exactly in the root
//! Cargo.toml), Trunk and binaryen from the constants below. Tools land in
//! cargo's bin directory, in `.tools/npm` (binaryen from npm; Debian's
//! binaryen 108 emits wasm that fails at load time) and, for the browser
//! and the PostgreSQL server the audit tests start, Debian's packages.

use std::env;
use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::{log, run_cmd};

const TRUNK_VERSION: &str = "0.22.1";
const BINARYEN_NPM_VERSION: &str = "132.0.0";
/// Older wasm-opt releases produce modules that fail in
/// `__wbindgen_init_externref_table`; refuse them outright.
const MIN_WASM_OPT: u32 = 116;

/// The wasm features our wasm-opt runs may assume: what Rust's
/// wasm32-unknown-unknown emits, and every browser the console supports
/// runs. One list for every wasm-opt xtask starts.
pub(crate) const WASM_FEATURES: [&str; 6] = [
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-reference-types",
    "--enable-multivalue",
];
pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// What building the console needs.
    Build,
    /// Also the browser and its driver, for tests.
    Everything,
}

/// Where the tools are, as environment for child processes.
#[derive(Debug)]
pub struct Tools {
    path: OsString,
    /// axe-core's `axe.min.js`, when the tests' tools were installed.
    axe: Option<PathBuf>,
}

impl Tools {
    /// `PATH` with our wasm-opt and cargo's bin directory first, and where
    /// the tests find the browser's driver and axe-core.
    pub fn env(&self) -> Vec<(&'static str, OsString)> {
        let mut env = vec![
            ("PATH", self.path.clone()),
            ("CHROMEDRIVER", CHROMEDRIVER.into()),
        ];
        if let Some(axe) = &self.axe {
            env.push(("COC_AXE_JS", axe.clone().into_os_string()));
        }
        env
    }
}

fn cargo_bin() -> PathBuf {
    env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .unwrap_or_else(|| PathBuf::from(".cargo"))
        .join("bin")
}

/// The output of `program args`, or `None` when it cannot run.
fn version_of(program: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

pub fn install_all(root: &Path, need: Need) -> Result<Tools> {
    log("==> checking tools");
    let bin = cargo_bin();
    let npm_bin = root.join(".tools/npm/node_modules/.bin");
    let mut path = vec![npm_bin.clone(), bin.clone()];
    path.extend(env::split_paths(&env::var_os("PATH").unwrap_or_default()));
    let path = env::join_paths(path)?;
    // Everything we start from here on sees the same PATH.
    let mut tools = Tools { path, axe: None };

    wasm_target()?;
    wasm_bindgen_cli(root, &bin)?;
    wasm_opt(root, &npm_bin)?;
    crate::npm::build_tools(root)?;
    trunk(&bin)?;
    if need == Need::Everything {
        twiggy(&bin)?;
        browser()?;
        cjk_font()?;
        node()?;
        // The npm tools (pinned in npm.rs) include axe-core, which the
        // full-stack tests inject into each page.
        let axe = crate::npm::npm_tools(root)?.join("node_modules/axe-core/axe.min.js");
        if !axe.exists() {
            bail!(
                "{} is missing after installing the npm tools",
                axe.display()
            );
        }
        tools.axe = Some(axe);
        postgres()?;
    }
    Ok(tools)
}

fn wasm_target() -> Result<()> {
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .context("rustup is needed to add the wasm32 target")?;
    if String::from_utf8_lossy(&installed.stdout).contains("wasm32-unknown-unknown") {
        log("    wasm32-unknown-unknown target: present");
        return Ok(());
    }
    log("    installing the wasm32-unknown-unknown target (a few seconds)");
    run_cmd(
        "rustup target add",
        Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]),
    )
}

/// The exact `wasm-bindgen` version Cargo.lock resolved.
pub fn locked_wasm_bindgen(root: &Path) -> Result<String> {
    let lock = fs::read_to_string(root.join("Cargo.lock")).context("reading Cargo.lock")?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\""
            && let Some(v) = lines
                .next()
                .and_then(|l| l.strip_prefix("version = \""))
                .and_then(|l| l.strip_suffix('"'))
        {
            return Ok(v.to_owned());
        }
    }
    bail!("Cargo.lock has no wasm-bindgen package")
}

fn wasm_bindgen_cli(root: &Path, bin: &Path) -> Result<()> {
    let want = locked_wasm_bindgen(root)?;
    let have = version_of(&bin.join("wasm-bindgen"), &["--version"]);
    let runner = bin.join("wasm-bindgen-test-runner").exists();
    if have.as_deref() == Some(&format!("wasm-bindgen {want}")) && runner {
        log(&format!("    wasm-bindgen CLI {want}: present"));
        return Ok(());
    }
    log(&format!(
        "    installing wasm-bindgen CLI {want} to match Cargo.lock (found {}); about 2-3 minutes, cargo's progress follows",
        have.as_deref().unwrap_or("none")
    ));
    // `--locked` fails here: one of its pinned dependencies is gone from the registry.
    run_cmd(
        "cargo install wasm-bindgen-cli",
        Command::new("cargo").args(["install", "--force", "wasm-bindgen-cli", "--version", &want]),
    )
}

/// The wasm size profiler the test run prints the console's largest
/// contributors with.
pub const TWIGGY_VERSION: &str = "0.8.0";

fn twiggy(bin: &Path) -> Result<()> {
    let have = version_of(&bin.join("twiggy"), &["--version"]);
    if have.as_deref() == Some(&format!("twiggy {TWIGGY_VERSION}")) {
        log(&format!("    twiggy {TWIGGY_VERSION}: present"));
        return Ok(());
    }
    log(&format!(
        "    installing twiggy {TWIGGY_VERSION} (found {}); about 3 minutes on 2 cores",
        have.as_deref().unwrap_or("none")
    ));
    run_cmd(
        "cargo install twiggy",
        Command::new("cargo").args(["install", "--locked", "twiggy", "--version", TWIGGY_VERSION]),
    )
}

/// cargo-fuzz, for `cargo xtask fuzz` and the test run's fuzz smoke.
pub const CARGO_FUZZ_VERSION: &str = "0.13.2";

/// Installs cargo-fuzz when it is missing or another version. It is built
/// with the default (stable) toolchain; only the targets need nightly.
pub fn cargo_fuzz() -> Result<()> {
    let bin = cargo_bin();
    let have = version_of(&bin.join("cargo-fuzz"), &["--version"]);
    if have.as_deref() == Some(&format!("cargo-fuzz {CARGO_FUZZ_VERSION}")) {
        log(&format!("    cargo-fuzz {CARGO_FUZZ_VERSION}: present"));
        return Ok(());
    }
    log(&format!(
        "    installing cargo-fuzz {CARGO_FUZZ_VERSION} (found {}); about 1.5 minutes on 2 cores, cargo's progress follows",
        have.as_deref().unwrap_or("none")
    ));
    run_cmd(
        "cargo install cargo-fuzz",
        Command::new("cargo").args([
            "install",
            "--locked",
            &format!("cargo-fuzz@{CARGO_FUZZ_VERSION}"),
        ]),
    )
}

fn trunk(bin: &Path) -> Result<()> {
    let have = version_of(&bin.join("trunk"), &["--version"]);
    if have.as_deref() == Some(&format!("trunk {TRUNK_VERSION}")) {
        log(&format!("    trunk {TRUNK_VERSION}: present"));
        return Ok(());
    }
    log(&format!(
        "    installing trunk {TRUNK_VERSION} (found {}); the long one, about 5 minutes on 2 cores; cargo's progress follows",
        have.as_deref().unwrap_or("none")
    ));
    // Trunk 0.22.1 declares a newer rustc than this machine has but builds fine.
    // `--debug`: Trunk's release profile is fat LTO with one codegen unit.
    // Measured on 2 cores, crates already downloaded: release 13 min 40 s,
    // release with LTO off and 16 codegen units 8 min 15 s, debug 4 min 41 s
    // (`--no-default-features` does not compile). Trunk only orchestrates
    // (cargo, wasm-bindgen and wasm-opt do the work): the debug binary
    // builds a byte-identical dist/ in the same time.
    run_cmd(
        "cargo install trunk",
        Command::new("cargo").args([
            "install",
            "--locked",
            "--debug",
            "trunk",
            "--version",
            TRUNK_VERSION,
            "--ignore-rust-version",
        ]),
    )
}

fn wasm_opt(root: &Path, npm_bin: &Path) -> Result<()> {
    let wasm_opt = npm_bin.join("wasm-opt");
    let parse = |v: &str| -> Option<u32> {
        v.split_whitespace().find_map(|w| {
            w.trim_start_matches("version_")
                .trim_end_matches(')')
                .parse()
                .ok()
        })
    };
    if let Some(v) = version_of(&wasm_opt, &["--version"])
        .as_deref()
        .and_then(parse)
        .filter(|v| *v >= MIN_WASM_OPT)
    {
        log(&format!("    wasm-opt {v} (npm binaryen): present"));
        return Ok(());
    }
    let dir = root.join(".tools/npm");
    fs::create_dir_all(&dir)?;
    let manifest = dir.join("package.json");
    if !manifest.exists() {
        fs::write(&manifest, "{\"private\": true}\n")?;
    }
    log(&format!(
        "    installing wasm-opt from npm binaryen@{BINARYEN_NPM_VERSION} into .tools/npm (seconds)"
    ));
    run_cmd(
        "npm install binaryen",
        Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--prefix"])
            .arg(&dir)
            .arg(format!("binaryen@{BINARYEN_NPM_VERSION}")),
    )?;
    match version_of(&wasm_opt, &["--version"])
        .as_deref()
        .and_then(parse)
    {
        Some(v) if v >= MIN_WASM_OPT => Ok(()),
        other => bail!(
            "wasm-opt at {} reports version {other:?}; need {MIN_WASM_OPT} or newer",
            wasm_opt.display()
        ),
    }
}

/// `apt-get ARGS`, through `sudo -n` when not root.
pub(crate) fn apt(args: &[&str]) -> Command {
    let root_user = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false);
    let mut cmd = if root_user {
        Command::new("apt-get")
    } else {
        let mut c = Command::new("sudo");
        c.args(["-n", "apt-get"]);
        c
    };
    cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive");
    cmd
}

fn browser() -> Result<()> {
    let chromium = version_of(Path::new(CHROMIUM), &["--version"]);
    let driver = version_of(Path::new(CHROMEDRIVER), &["--version"]);
    if let (Some(c), Some(d)) = (&chromium, &driver) {
        log(&format!("    {c}; {}", d.split(" (").next().unwrap_or(d)));
        return Ok(());
    }
    log("    installing Debian's chromium and chromium-driver (about a minute)");
    run_cmd("apt-get update", &mut apt(&["update", "-q"]))?;
    run_cmd(
        "apt-get install chromium",
        &mut apt(&["install", "-y", "-q", "chromium", "chromium-driver"]),
    )
}

/// A font with Chinese glyphs, for the 简体中文 console in the browser tests
/// and its screenshots (without one Chromium draws boxes). WenQuanYi Micro
/// Hei: 1.6 MB, against Noto CJK's 56 MB.
fn cjk_font() -> Result<()> {
    let zh = Command::new("fc-list")
        .args([":lang=zh", "family"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    if let Some(font) = zh.lines().next() {
        log(&format!("    font for Chinese: {font}"));
        return Ok(());
    }
    log("    installing Debian's fonts-wqy-microhei (seconds)");
    run_cmd("apt-get update", &mut apt(&["update", "-q"]))?;
    run_cmd(
        "apt-get install fonts-wqy-microhei",
        &mut apt(&["install", "-y", "-q", "fonts-wqy-microhei"]),
    )
}

/// Debian's PostgreSQL server binaries, for the audit store's tests (each
/// test starts a throwaway cluster of its own; no service is enabled).
fn postgres() -> Result<()> {
    let found = fs::read_dir("/usr/lib/postgresql")
        .ok()
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok())
        .map(|e| e.path().join("bin/initdb"))
        .find(|p| p.is_file());
    if let Some(initdb) = found {
        log(&format!("    postgresql server: {}", initdb.display()));
        return Ok(());
    }
    log("    installing Debian's postgresql server binaries (about a minute)");
    run_cmd("apt-get update", &mut apt(&["update", "-q"]))?;
    run_cmd(
        "apt-get install postgresql",
        &mut apt(&[
            "install",
            "-y",
            "-q",
            "--no-install-recommends",
            "postgresql",
        ]),
    )
}

fn node() -> Result<()> {
    match version_of(Path::new("node"), &["--version"]) {
        Some(v) => {
            log(&format!("    node {v}"));
            Ok(())
        }
        None => bail!(
            "Node.js is needed (wasm tests and the npm package); install it with `apt-get install nodejs npm`"
        ),
    }
}

/// A Python with the official COC SDK (pinned in the simulator's
/// requirements.txt), in a virtualenv under `.tools/venv`.
pub fn python_with_sdk(root: &Path) -> Result<PathBuf> {
    let venv = root.join(".tools/venv");
    let python = venv.join("bin/python");
    let requirements = root.join("crates/simulator/tests/sdk/requirements.txt");
    let stamp = venv.join("requirements.installed");
    let wanted = fs::read_to_string(&requirements)?;
    if fs::read_to_string(&stamp).ok().as_deref() == Some(wanted.as_str()) && python.exists() {
        log("    python venv with huaweicloudsdkcoc: present");
        return Ok(python);
    }
    log(
        "    installing the official Python SDK (huaweicloudsdkcoc) into .tools/venv (about a minute)",
    );
    run_cmd(
        "python3 -m venv",
        Command::new("python3").args(["-m", "venv"]).arg(&venv),
    )?;
    run_cmd(
        "pip install",
        Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "--disable-pip-version-check",
                "-q",
                "-r",
            ])
            .arg(&requirements),
    )?;
    fs::write(&stamp, wanted)?;
    Ok(python)
}
