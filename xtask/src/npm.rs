//! The npm package: build it from `crates/wasm`, pack it, and test the
//! packed tarball the way a user installs it.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::tools::Tools;
use crate::{cargo, log, run_cmd};

const TYPESCRIPT_VERSION: &str = "5.9.3";

/// wasm-bindgen targets and the folder each lands in.
const TARGETS: [(&str, &str); 3] = [
    ("nodejs", "cjs"),
    ("experimental-nodejs-module", "esm"),
    ("bundler", "bundler"),
];

/// Builds `target/npm/package/` and packs it; returns the tarball's path.
pub fn build(root: &Path, tools: &Tools) -> Result<PathBuf> {
    run_cmd(
        "cargo build (coc-wasm, release, wasm32)",
        cargo()
            .args([
                "build",
                "-p",
                "coc-wasm",
                "--release",
                "--locked",
                "--target",
                "wasm32-unknown-unknown",
            ])
            .envs(tools.env()),
    )?;
    let wasm = crate::target_dir(root).join("wasm32-unknown-unknown/release/coc_wasm.wasm");
    let out = crate::target_dir(root).join("npm");
    let pkg = out.join("package");
    if pkg.exists() {
        fs::remove_dir_all(&pkg)?;
    }
    fs::create_dir_all(&pkg)?;
    for (target, dir) in TARGETS {
        let dir = pkg.join(dir);
        run_cmd(
            "wasm-bindgen",
            Command::new("wasm-bindgen")
                .args(["--target", target, "--out-dir"])
                .arg(&dir)
                .arg(&wasm)
                .envs(tools.env()),
        )?;
        let bg = dir.join("coc_wasm_bg.wasm");
        run_cmd(
            "wasm-opt",
            Command::new("wasm-opt")
                .args([
                    "-Oz",
                    "--enable-bulk-memory",
                    "--enable-nontrapping-float-to-int",
                    "--enable-sign-ext",
                    "--enable-reference-types",
                    "--enable-multivalue",
                    "-o",
                ])
                .arg(&bg)
                .arg(&bg)
                .envs(tools.env()),
        )?;
        let kind = if target == "nodejs" {
            "commonjs"
        } else {
            "module"
        };
        fs::write(
            dir.join("package.json"),
            format!("{{\"type\": \"{kind}\"}}\n"),
        )?;
    }
    // One declaration file for every entry point: the three are identical.
    // `[Symbol.dispose]` needs TypeScript's esnext.disposable lib, which
    // would break consumers on ES2022 libs; the method still exists at run
    // time where the engine has the symbol.
    let d_ts = fs::read_to_string(pkg.join("bundler/coc_wasm.d.ts"))?
        .lines()
        .filter(|l| l.trim() != "[Symbol.dispose](): void;")
        .collect::<Vec<_>>()
        .join("\n");
    fs::write(pkg.join("index.d.ts"), d_ts + "\n")?;
    let template = root.join("crates/wasm/npm");
    let version = workspace_version(root)?;
    let manifest = fs::read_to_string(template.join("package.json"))?.replace(
        "\"version\": \"0.1.0\"",
        &format!("\"version\": \"{version}\""),
    );
    fs::write(pkg.join("package.json"), manifest)?;
    fs::copy(template.join("README.md"), pkg.join("README.md"))?;
    let d_ts = fs::read_to_string(pkg.join("index.d.ts"))?;
    if let Some(line) = mentions_any(&d_ts) {
        bail!("the public index.d.ts uses `any` ({line:?}); give every export an explicit type");
    }
    for (_, dir) in TARGETS {
        let size = fs::metadata(pkg.join(dir).join("coc_wasm_bg.wasm"))?.len();
        log(&format!("    {dir}/coc_wasm_bg.wasm: {} KB", size / 1024));
    }
    let packed = Command::new("npm")
        .args(["pack", "--pack-destination"])
        .arg(&out)
        .current_dir(&pkg)
        .output()
        .context("running npm pack")?;
    if !packed.status.success() {
        bail!(
            "npm pack failed: {}",
            String::from_utf8_lossy(&packed.stderr)
        );
    }
    let name = String::from_utf8_lossy(&packed.stdout)
        .lines()
        .last()
        .map(str::trim)
        .unwrap_or_default()
        .to_owned();
    let tarball = out.join(&name);
    if name.is_empty() || !tarball.exists() {
        bail!("npm pack did not say which tarball it wrote");
    }
    log(&format!(
        "    packed {} ({} KB)",
        tarball.display(),
        fs::metadata(&tarball)?.len() / 1024
    ));
    Ok(tarball)
}

/// The first declaration line (comments skipped) that uses the type `any`.
fn mentions_any(d_ts: &str) -> Option<&str> {
    d_ts.lines()
        .map(str::trim)
        .filter(|l| !(l.starts_with('*') || l.starts_with("/*") || l.starts_with("//")))
        .find(|l| {
            l.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .any(|word| word == "any")
        })
}

fn workspace_version(root: &Path) -> Result<String> {
    let manifest = fs::read_to_string(root.join("Cargo.toml"))?;
    manifest
        .lines()
        .skip_while(|l| l.trim() != "[workspace.package]")
        .find_map(|l| l.trim().strip_prefix("version = \""))
        .and_then(|v| v.strip_suffix('"'))
        .map(str::to_owned)
        .context("no version in [workspace.package]")
}

/// Installs the tarball into a fresh folder and runs the Node tests and
/// `tsc --noEmit` there. `gateway` (a running gateway + simulator) enables
/// the network tests.
pub fn test(
    root: &Path,
    tools: &Tools,
    tarball: &Path,
    gateway: Option<(&str, &str)>,
) -> Result<()> {
    let dir = crate::target_dir(root).join("npm/consumer");
    if dir.exists() {
        fs::remove_dir_all(&dir)?;
    }
    fs::create_dir_all(&dir)?;
    fs::write(dir.join("package.json"), "{\"private\": true}\n")?;
    run_cmd(
        "npm install (the packed tarball)",
        Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--offline"])
            .arg(tarball)
            .current_dir(&dir),
    )?;
    let tests = root.join("crates/wasm/npm-tests");
    for entry in fs::read_dir(&tests)? {
        let entry = entry?;
        fs::copy(entry.path(), dir.join(entry.file_name()))?;
    }
    let mut node = Command::new("node");
    node.args([
        "--test",
        "--test-reporter=spec",
        "esm.test.mjs",
        "cjs.test.cjs",
    ])
    .current_dir(&dir)
    .env("COC_FIXTURES_DIR", root.join("crates/core/tests/fixtures"))
    .envs(tools.env());
    if let Some((url, document)) = gateway {
        node.env("COC_GATEWAY_URL", url)
            .env("COC_SIM_DOCUMENT_ID", document);
    }
    run_cmd("node --test (ESM and CommonJS)", &mut node)?;

    let tsc = typescript(root)?;
    run_cmd(
        "tsc --noEmit",
        Command::new("node")
            .arg(tsc)
            .args(["-p", "tsconfig.json"])
            .current_dir(&dir),
    )
}

/// `tsc --noEmit` on a portal's use of the `<coc-execution>` element, with
/// the declaration file as the console build ships it (`dist/`).
pub fn test_element_types(root: &Path) -> Result<()> {
    let dir = crate::target_dir(root).join("element-types");
    if dir.exists() {
        fs::remove_dir_all(&dir)?;
    }
    fs::create_dir_all(&dir)?;
    let src = root.join("web/element/types-test");
    for name in ["consumer.ts", "tsconfig.json"] {
        fs::copy(src.join(name), dir.join(name))?;
    }
    fs::copy(
        root.join("dist/coc-execution.d.ts"),
        dir.join("coc-execution.d.ts"),
    )
    .context("dist/coc-execution.d.ts: build the console first")?;
    let tsc = typescript(root)?;
    run_cmd(
        "tsc --noEmit (element types)",
        Command::new("node")
            .arg(tsc)
            .args(["-p", "tsconfig.json"])
            .current_dir(&dir),
    )
}

fn typescript(root: &Path) -> Result<PathBuf> {
    let dir = root.join(".tools/npm");
    let tsc = dir.join("node_modules/typescript/bin/tsc");
    let have = Command::new("node")
        .arg(&tsc)
        .arg("--version")
        .output()
        .ok();
    if have.is_some_and(|o| String::from_utf8_lossy(&o.stdout).contains(TYPESCRIPT_VERSION)) {
        return Ok(tsc);
    }
    fs::create_dir_all(&dir)?;
    if !dir.join("package.json").exists() {
        fs::write(dir.join("package.json"), "{\"private\": true}\n")?;
    }
    log(&format!(
        "    installing typescript@{TYPESCRIPT_VERSION} into .tools/npm (seconds)"
    ));
    run_cmd(
        "npm install typescript",
        Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--prefix"])
            .arg(&dir)
            .arg(format!("typescript@{TYPESCRIPT_VERSION}")),
    )?;
    Ok(tsc)
}
