//! Project automation, run as `cargo xtask <command>` (matklad's cargo-xtask
//! pattern: only cargo is needed to start).
//!
//! - `cargo xtask serve`: install what is missing, build the console and the
//!   gateway, and serve both (with the embedded simulator) on 127.0.0.1:8080.
//! - `cargo xtask test`: install what is missing and run every check CI runs.
//! - `cargo xtask install`: only install the tools.
//!
//! It deliberately does not hide what it runs: every command is echoed
//! before it starts, long steps say how long they usually take, and a
//! failing step names itself.

mod bench;
mod fuzz;
mod gateway;
mod hostile;
mod langs;
mod load;
mod npm;
mod process;
mod tools;
mod unreachable;

use std::env;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use anyhow::{Context, Result, bail};

const USAGE: &str = "\
usage: cargo xtask <command> [options]

commands:
  serve [--port N] [-- <gateway flags>]
        install what is missing, build the console (release) and the gateway,
        then serve them with the embedded COC simulator on http://127.0.0.1:8080
  test  install what is missing and run everything CI runs: formatting,
        clippy (native and wasm32), native tests, a fuzz smoke, wasm tests
        (Node and headless Chromium), the release build with its size budget, and the
        full-stack browser tests
  bench [gateway | hostile]
        measure and report: core decode and signing, gateway start-up and
        request latency, the gateway under load beside nginx (wrk, keep-alive
        and not, a 60 s soak with the gateway's RSS, slow and hostile
        clients), the npm package, the console's paint (numbers for notes;
        nothing is asserted); `gateway` runs only the load section,
        `hostile` only its hostile-clients part
  npm [--test]
        build the npm package (crates/wasm) into target/npm and pack it;
        with --test, also run its tests (Node, tsc, Vite and webpack builds
        in Chromium, attw and publint; the gateway tests need `test`)
  dist  build the release console into dist/ (Trunk, then .br/.gz siblings
        for the gateway) and print what its wasm is made of
  fuzz [--seconds N]
        build the libFuzzer targets in fuzz/ (cargo-fuzz, nightly toolchain),
        seed them from the fixtures and run each for N seconds (default 60);
        prints executions and findings per target
  install
        only install the tools (wasm target, wasm-bindgen CLI, Trunk, wasm-opt,
        twiggy, Chromium and chromedriver)
";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            log(&format!("error: {e:#}"));
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<()> {
    let args: Vec<String> = env::args().skip(1).collect();
    let root = project_root()?;
    env::set_current_dir(&root)?;
    match args.first().map(String::as_str) {
        Some("serve") => serve(&root, &args[1..]),
        Some("test") => test(&root),
        // `bench gateway`: only the gateway-versus-nginx load section.
        Some("bench") if args.get(1).is_some_and(|a| a == "gateway") => {
            let bin = build_gateway(&root)?;
            load::run(&root, &bin)
        }
        Some("bench") if args.get(1).is_some_and(|a| a == "hostile") => {
            let bin = build_gateway(&root)?;
            load::run_hostile(&root, &bin)
        }
        Some("bench") => bench::run(&root),
        Some("npm") => {
            let test = args[1..].iter().any(|a| a == "--test");
            let need = if test {
                tools::Need::Everything
            } else {
                tools::Need::Build
            };
            let tools = tools::install_all(&root, need)?;
            let tarball = npm::build(&root, &tools)?;
            log(&format!("npm package: {}", tarball.display()));
            if test {
                npm::test(&root, &tools, &tarball, None)?;
            }
            Ok(())
        }
        Some("dist") => {
            let tools = tools::install_all(&root, tools::Need::Build)?;
            build_console(&root, &tools)?;
            wasm_contributors(&root, &tools)
        }
        Some("fuzz") => {
            let mut seconds = 60;
            let mut it = args[1..].iter();
            while let Some(arg) = it.next() {
                match arg.as_str() {
                    "--seconds" => {
                        seconds = it
                            .next()
                            .and_then(|n| n.parse().ok())
                            .context("--seconds needs a whole number")?;
                    }
                    other => bail!("fuzz: unknown option {other:?}\n\n{USAGE}"),
                }
            }
            fuzz::run(&root, seconds).map(|_| ())
        }
        Some("install") => tools::install_all(&root, tools::Need::Everything).map(|_| ()),
        Some("-h" | "--help" | "help") | None => {
            log(USAGE);
            Ok(())
        }
        Some(other) => bail!("unknown command {other:?}\n\n{USAGE}"),
    }
}

fn project_root() -> Result<PathBuf> {
    let dir = env::var("CARGO_MANIFEST_DIR").context("run me through `cargo xtask`")?;
    Path::new(&dir)
        .parent()
        .map(Path::to_path_buf)
        .context("xtask has no parent directory")
}

/// Progress goes to stderr so that it interleaves correctly with the
/// commands' own output.
pub(crate) fn log(msg: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{msg}");
}

/// Runs `cmd`, echoing it first; fails with the step's name.
pub(crate) fn run_cmd(what: &str, cmd: &mut Command) -> Result<()> {
    log(&format!("    $ {}", show(cmd)));
    let status = cmd
        .status()
        .with_context(|| format!("{what}: could not start {:?}", cmd.get_program()))?;
    if !status.success() {
        bail!("{what} failed ({status})");
    }
    Ok(())
}

fn show(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().into_owned();
    for a in cmd.get_args() {
        s.push(' ');
        s.push_str(&a.to_string_lossy());
    }
    s
}

/// Numbered, timed steps: a long run shows where it is and what was slow.
struct Steps {
    total: usize,
    done: usize,
    started: Instant,
    timings: Vec<(String, f64)>,
}

impl Steps {
    fn new(total: usize) -> Self {
        Self {
            total,
            done: 0,
            started: Instant::now(),
            timings: Vec::new(),
        }
    }

    fn step(&mut self, name: &str, f: impl FnOnce() -> Result<()>) -> Result<()> {
        self.done += 1;
        log(&format!("\n==> [{}/{}] {name}", self.done, self.total));
        let t = Instant::now();
        f().with_context(|| {
            // A full disk shows up as a linker killed without a word.
            let disk = disk_free(Path::new("."))
                .map(|free| format!(" ({free} free on disk)"))
                .unwrap_or_default();
            format!("step [{}/{}] {name}{disk}", self.done, self.total)
        })?;
        let secs = t.elapsed().as_secs_f64();
        log(&format!("    ok ({secs:.1} s)"));
        self.timings.push((name.to_owned(), secs));
        Ok(())
    }

    fn summary(&self) {
        log(&format!(
            "\nall {} steps passed in {:.0} s:",
            self.total,
            self.started.elapsed().as_secs_f64()
        ));
        for (name, secs) in &self.timings {
            log(&format!("  {secs:>7.1} s  {name}"));
        }
    }
}

/// Space left on the file system holding `path`, as `df` reports it
/// (`None` where there is no `df`).
fn disk_free(path: &Path) -> Option<String> {
    let out = Command::new("df").arg("-Pk").arg(path).output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let kib: u64 = text
        .lines()
        .nth(1)?
        .split_whitespace()
        .nth(3)?
        .parse()
        .ok()?;
    Some(format!("{:.1} GB", kib as f64 / 1024.0 / 1024.0))
}

/// An empty directory for the temporary files of the test run. Chromium,
/// started by chromedriver, leaves a profile of 15 to 100 MB in the temp
/// directory every run; here the next run clears them.
fn scratch_tmp(root: &Path) -> Result<PathBuf> {
    let dir = target_dir(root).join("tmp/xtask-test");
    if dir.exists() {
        std::fs::remove_dir_all(&dir).with_context(|| format!("clearing {}", dir.display()))?;
    }
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(dir)
}

/// Where cargo puts its output: `CARGO_TARGET_DIR` when set, else `target/`.
pub(crate) fn target_dir(root: &Path) -> PathBuf {
    env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
}

pub(crate) fn cargo() -> Command {
    Command::new(env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
}

/// The packages that run in a browser or under Node, checked for wasm32.
const WASM_PACKAGES: [&str; 3] = ["coc-core", "coc-wasm", "coc-console"];
/// A seeded simulator job the npm tests start tickets from (DOC_NORMAL).
const SIM_DOCUMENT: &str = "DM2025061109300101c4e8a2";

/// Long enough that every target builds, loads its seeds and runs; the
/// real fuzzing is `cargo xtask fuzz`.
const FUZZ_SMOKE_SECONDS: u64 = 3;

fn test(root: &Path) -> Result<()> {
    let tools = tools::install_all(root, tools::Need::Everything)?;
    let mut env = tools.env();
    let scratch = scratch_tmp(root)?;
    env.push(("TMPDIR", scratch.clone().into()));
    if let Some(free) = disk_free(root) {
        log(&format!(
            "    {free} free on disk; a cold run needs about 6 GB"
        ));
    }
    let mut steps = Steps::new(12);
    steps.step("formatting (cargo fmt --check)", || {
        run_cmd("cargo fmt", cargo().args(["fmt", "--all", "--", "--check"]))
    })?;
    steps.step("clippy, native, -D warnings", || {
        run_cmd(
            "clippy",
            cargo().args([
                "clippy",
                "--workspace",
                "--all-targets",
                "--locked",
                "--",
                "-D",
                "warnings",
            ]),
        )
    })?;
    steps.step("clippy, wasm32, -D warnings", || {
        let mut cmd = cargo();
        cmd.args([
            "clippy",
            "--target",
            "wasm32-unknown-unknown",
            "--all-targets",
            "--locked",
        ]);
        for p in WASM_PACKAGES {
            cmd.args(["-p", p]);
        }
        run_cmd("clippy (wasm32)", cmd.args(["--", "-D", "warnings"]))
    })?;
    steps.step("native tests (unit, integration, doc)", || {
        run_cmd(
            "native tests",
            cargo()
                .args(["test", "--workspace", "--exclude", "coc-e2e", "--locked"])
                .envs(env.clone()),
        )
    })?;
    steps.step(
        &format!("fuzz smoke, {FUZZ_SMOKE_SECONDS} s per target (cargo-fuzz, nightly)"),
        || fuzz::run(root, FUZZ_SMOKE_SECONDS).map(|_| ()),
    )?;
    steps.step(
        "core tests on wasm32 under Node, same count as native",
        || {
            run_cmd(
                "core wasm parity",
                Command::new("bash")
                    .arg(root.join("crates/core/scripts/wasm-parity.sh"))
                    .envs(env.clone()),
            )
        },
    )?;
    steps.step("console component tests in headless Chromium", || {
        // A test the wasm runner does not recognise is silently skipped, so
        // the number that ran must equal the number written.
        let declared = count_in_files(&root.join("web/tests"), "#[wasm_bindgen_test]")?;
        let ran = run_counting_tests(
            "console wasm tests",
            cargo()
                .args([
                    "test",
                    "-p",
                    "coc-console",
                    "--target",
                    "wasm32-unknown-unknown",
                    "--locked",
                ])
                .envs(env.clone()),
        )?;
        if ran != declared {
            bail!("{ran} console component tests ran, but web/tests declares {declared}");
        }
        Ok(())
    })?;
    steps.step("rustdoc, -D warnings", || {
        run_cmd(
            "rustdoc",
            cargo()
                .args([
                    "doc",
                    "--workspace",
                    "--no-deps",
                    "--locked",
                    "--exclude",
                    "xtask",
                ])
                .env("RUSTDOCFLAGS", "-D warnings"),
        )
    })?;
    let mut gateway_bin = PathBuf::new();
    steps.step("release build: console (Trunk) and gateway", || {
        build_console(root, &tools)?;
        wasm_contributors(root, &tools)?;
        gateway_bin = build_gateway(root)?;
        Ok(())
    })?;
    steps.step(
        "gateway CSP in Chromium; the official Python SDK against the simulator and through the gateway",
        || {
            run_cmd(
                "gateway browser test",
                ignored_test("coc-gateway", "browser_csp").envs(env.clone()),
            )?;
            let python = tools::python_with_sdk(root)?;
            run_cmd(
                "official SDK test",
                ignored_test("coc-simulator", "official_sdk").env("COC_SDK_PYTHON", &python),
            )?;
            run_cmd(
                "official SDK through the gateway",
                ignored_test("coc-gateway", "official_sdk").env("COC_SDK_PYTHON", &python),
            )
        },
    )?;
    steps.step("full-stack browser tests and size budget (tests/)", || {
        run_cmd(
            "e2e",
            cargo()
                .args([
                    "test",
                    "-p",
                    "coc-e2e",
                    "--locked",
                    "--",
                    "--test-threads=1",
                ])
                .env("COC_GATEWAY_BIN", &gateway_bin)
                .env("COC_DIST_DIR", root.join("dist"))
                .envs(env.clone()),
        )
    })?;
    steps.step(
        "npm package (build, pack, install, node --test, tsc, Vite/webpack in Chromium, attw, publint) and element types",
        || {
            let tarball = npm::build(root, &tools)?;
            let gateway = gateway::Gateway::start(&gateway_bin, &["--sim-manual-clock"])?;
            npm::test(root, &tools, &tarball, Some((gateway.url(), SIM_DOCUMENT)))?;
            npm::test_element_types(root)
        },
    )?;
    steps.summary();
    // Only after a pass: a failed run keeps its browser profiles and logs.
    let _ = std::fs::remove_dir_all(&scratch);
    Ok(())
}

/// `cargo test -p PACKAGE --test TEST -- --ignored`: the tests that need a
/// tool the plain test run may lack (Chromium, the official Python SDK).
pub(crate) fn ignored_test(package: &str, test: &str) -> Command {
    let mut cmd = cargo();
    cmd.args([
        "test",
        "-p",
        package,
        "--locked",
        "--test",
        test,
        "--",
        "--ignored",
    ]);
    cmd
}

/// How many times `needle` occurs in the `.rs` files directly in `dir`.
fn count_in_files(dir: &Path, needle: &str) -> Result<usize> {
    let mut n = 0;
    for entry in std::fs::read_dir(dir).with_context(|| dir.display().to_string())? {
        let path = entry?.path();
        if path.is_dir() {
            n += count_in_files(&path, needle)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            n += std::fs::read_to_string(&path)?.matches(needle).count();
        }
    }
    Ok(n)
}

/// Runs a `cargo test`, passing its output through, and returns how many
/// tests passed in all (the sum of its `test result: ok. N passed` lines).
fn run_counting_tests(what: &str, cmd: &mut Command) -> Result<usize> {
    use std::io::{BufRead, BufReader};
    log(&format!("    $ {}", show(cmd)));
    let mut child = cmd
        .stdout(std::process::Stdio::piped())
        .spawn()
        .with_context(|| format!("{what}: could not start"))?;
    let mut passed = 0;
    if let Some(out) = child.stdout.take() {
        for line in BufReader::new(out).lines() {
            let line = line?;
            log(&line);
            if let Some(rest) = line.strip_prefix("test result: ok. ") {
                passed += rest
                    .split_whitespace()
                    .next()
                    .and_then(|n| n.parse::<usize>().ok())
                    .unwrap_or(0);
            }
        }
    }
    let status = child.wait()?;
    if !status.success() {
        bail!("{what} failed ({status})");
    }
    log(&format!("    {passed} tests passed"));
    Ok(passed)
}

fn serve(root: &Path, args: &[String]) -> Result<()> {
    let (ours, gateway_flags) = match args.iter().position(|a| a == "--") {
        Some(i) => (&args[..i], &args[i + 1..]),
        None => (args, &[][..]),
    };
    let mut port = "8080".to_owned();
    let mut it = ours.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--port" => port = it.next().context("--port needs a number")?.clone(),
            other => bail!("serve: unknown option {other:?}\n\n{USAGE}"),
        }
    }
    let tools = tools::install_all(root, tools::Need::Build)?;
    let mut steps = Steps::new(2);
    steps.step("console: trunk build --release", || {
        build_console(root, &tools)
    })?;
    let mut gateway = PathBuf::new();
    steps.step("gateway: cargo build", || {
        gateway = build_gateway(root)?;
        Ok(())
    })?;
    log(&format!(
        "\n==> starting the gateway with the embedded simulator; open http://127.0.0.1:{port}/ (Ctrl-C stops it)"
    ));
    let mut cmd = Command::new(&gateway);
    cmd.args(["--port", &port, "--static-dir"])
        .arg(root.join("dist"))
        .args(gateway_flags);
    log(&format!("    $ {}", show(&cmd)));
    let status = cmd.status().context("starting the gateway")?;
    if !status.success() {
        bail!("the gateway stopped ({status})");
    }
    Ok(())
}

/// The release console in `dist/`, built by Trunk with our wasm-opt.
pub(crate) fn build_console(root: &Path, tools: &tools::Tools) -> Result<()> {
    // Trunk runs cargo offline (Trunk.toml), so the crates must be here first.
    run_cmd("cargo fetch", cargo().args(["fetch", "--locked"]))?;
    // The other languages first: the English build is the one left in
    // target/ for wasm_contributors.
    let mut others = Vec::new();
    for lang in langs::OTHERS {
        let dir = target_dir(root).join(format!("dist-{lang}"));
        run_cmd(
            &format!("trunk build ({lang})"),
            Command::new("trunk")
                .args(["build", "--release", "--features", lang, "--dist"])
                .arg(&dir)
                .current_dir(root)
                .envs(tools.env()),
        )?;
        others.push((lang, dir));
    }
    run_cmd(
        "trunk build (en)",
        Command::new("trunk")
            .args(["build", "--release"])
            .current_dir(root)
            .envs(tools.env()),
    )?;
    let others: Vec<(&str, &Path)> = others.iter().map(|(l, d)| (*l, d.as_path())).collect();
    langs::merge(&root.join("dist"), &others, tools)?;
    precompress(&root.join("dist"))
}

/// Prints what the console's wasm is made of, by crate, from twiggy's
/// view of the release build before wasm-opt (the last file with names;
/// the shipped one is smaller, but its proportions are these).
fn wasm_contributors(root: &Path, tools: &tools::Tools) -> Result<()> {
    let wasm = target_dir(root).join("wasm32-unknown-unknown/release/coc-console.wasm");
    let out = Command::new("twiggy")
        .args(["top", "-n", "1000000", "-f", "csv"])
        .arg(&wasm)
        .envs(tools.env())
        .output()
        .context("running twiggy (cargo xtask install installs it)")?;
    if !out.status.success() {
        bail!("twiggy failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    let mut by_crate = std::collections::BTreeMap::<String, u64>::new();
    let mut code = 0u64;
    for line in String::from_utf8_lossy(&out.stdout).lines().skip(1) {
        // Name,ShallowSize,…: the name is quoted when it holds commas.
        let (name, rest) = match line.strip_prefix('"') {
            Some(q) => q.split_once("\",").unwrap_or((q, "")),
            None => line.split_once(',').unwrap_or((line, "")),
        };
        let Some(size) = rest.split(',').next().and_then(|n| n.parse::<u64>().ok()) else {
            continue;
        };
        if name.contains("section") || name.starts_with("export ") || name.starts_with("import ") {
            continue;
        }
        code += size;
        *by_crate.entry(crate_of(name)).or_default() += size;
    }
    let mut top: Vec<_> = by_crate.into_iter().collect();
    top.sort_by_key(|(_, size)| std::cmp::Reverse(*size));
    log(&format!(
        "    console wasm before wasm-opt: {} KB of code and data; largest contributors (twiggy):",
        code / 1024
    ));
    for (name, size) in top.iter().take(12) {
        log(&format!(
            "      {:>6} KB {:>5.1}%  {name}",
            size / 1024,
            *size as f64 * 100.0 / code.max(1) as f64
        ));
    }
    Ok(())
}

/// The crate a function belongs to: the first path segment of its name, or
/// of the implementing type in `<T as Trait>::f`.
fn crate_of(name: &str) -> String {
    let name = name.trim_start_matches(['<', '&', ' ']);
    let name = name.strip_prefix("mut ").unwrap_or(name);
    let name = name.strip_prefix("dyn ").unwrap_or(name);
    let end = name
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(name.len());
    match &name[..end] {
        "" => "other".to_owned(),
        // `<F as tachys::…>`: a generic parameter; the trait's crate says
        // whose code it is.
        c if c.len() == 1 && c.chars().all(|ch| ch.is_ascii_uppercase()) => name
            .split_once(" as ")
            .map(|(_, t)| crate_of(t))
            .unwrap_or_else(|| "generic instances".to_owned()),
        c => c.to_owned(),
    }
}

/// Writes `NAME.br` (brotli 11) and `NAME.gz` (gzip 9) next to each text
/// or wasm file of the console, once per build: the gateway serves these
/// instead of compressing every response (a debug gateway spent hundreds of
/// milliseconds of a cold load compressing the wasm). Trunk replaces the
/// whole folder on each build, so no sibling outlives its file.
fn precompress(dist: &Path) -> Result<()> {
    use std::io::Write as _;
    const KINDS: [&str; 5] = ["wasm", "js", "css", "html", "svg"];
    let mut saved = 0usize;
    for entry in std::fs::read_dir(dist).with_context(|| dist.display().to_string())? {
        let path = entry?.path();
        if !path
            .extension()
            .is_some_and(|e| KINDS.iter().any(|k| e == *k))
        {
            continue;
        }
        let raw = std::fs::read(&path).with_context(|| path.display().to_string())?;
        let mut br = Vec::new();
        {
            let mut w = brotli::CompressorWriter::new(&mut br, 64 * 1024, 11, 22);
            w.write_all(&raw)?;
        }
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&raw)?;
        let gz = gz.finish()?;
        let sibling = |ext: &str| {
            let mut name = path.as_os_str().to_owned();
            name.push(ext);
            PathBuf::from(name)
        };
        std::fs::write(sibling(".br"), &br)?;
        std::fs::write(sibling(".gz"), &gz)?;
        saved += raw.len().saturating_sub(br.len());
    }
    log(&format!(
        "    precompressed dist/ (brotli 11, gzip 9): {} KB saved per cold load",
        saved / 1024
    ));
    Ok(())
}

/// The gateway binary, optimised for speed.
pub(crate) fn build_gateway(root: &Path) -> Result<PathBuf> {
    build_native(root, "coc-gateway")
}

/// A workspace binary named like its package, optimised for speed.
pub(crate) fn build_native(root: &Path, package: &str) -> Result<PathBuf> {
    run_cmd(
        &format!("cargo build ({package})"),
        cargo().args([
            "build",
            "--locked",
            "--profile",
            "release-native",
            "-p",
            package,
        ]),
    )?;
    Ok(target_dir(root).join("release-native").join(package))
}
