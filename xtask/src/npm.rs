//! The npm package: build it from `crates/wasm`, pack it, and test the
//! packed tarball the way a user installs it.
//!
//! Layout of the package (one wasm, shared by every entry point):
//! - `coc_wasm_bg.wasm`;
//! - `node.cjs`: wasm-bindgen's `nodejs` glue (`require`), `node.mjs`
//!   re-exports it for `import` under Node (one instance for both);
//! - `web.js`: wasm-bindgen's `web` glue with an explicit `init()`, for
//!   pages without a bundler; `index.js` awaits that `init()` at the top
//!   level and is what bundlers (Vite, webpack) and browsers import;
//! - `index.d.ts` (ES module types), `node.d.cts` (CommonJS types) and
//!   `web.d.ts` (with `init`).
//!
//! Each glue gets `CocError` and `isCocError` appended
//! (`crates/wasm/npm/js/coc_error.js`), and the runtime's own throw (a call
//! on a freed client) made a `CocError`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};

use crate::tools::{self, Tools};
use crate::{cargo, log, run_cmd};

/// The npm tools the tests run, pinned, installed into `.tools/npm`.
const NPM_TOOLS: [(&str, &str); 9] = [
    ("typescript", "typescript@5.9.3"),
    // The oldest TypeScript the declarations promise to work with.
    ("typescript56", "typescript56@npm:typescript@5.6.3"),
    ("vite7", "vite7@npm:vite@7.3.8"),
    ("vite8", "vite8@npm:vite@8.4.0"),
    ("webpack", "webpack@5.113.0"),
    ("playwright-core", "playwright-core@1.65.1"),
    ("@arethetypeswrong/cli", "@arethetypeswrong/cli@0.18.5"),
    ("publint", "publint@0.3.25"),
    // The accessibility checker the full-stack tests inject into each page.
    ("axe-core", "axe-core@4.11.1"),
];

/// How the web glue's init() and initSync() see that the wasm is loaded.
const WASM_LOADED: &str = "if (wasm !== undefined) return wasm;";

/// The runtime's throw in the glue, and what it becomes.
const RUNTIME_THROW: &str = "throw new Error(getStringFromWasm0(arg0, arg1));";
const RUNTIME_THROW_COC: &str = "throw cocRuntimeError(getStringFromWasm0(arg0, arg1));";

/// The cargo profile the package is built with: the workspace's release
/// profile (LTO, one codegen unit, abort on panic) at `opt-level = 3`
/// instead of `"z"`. It decodes a ticket about twice as fast for about
/// 110 KB more wasm (35 KB gzip); see the package README's table.
fn npm_profile(cmd: &mut Command) -> &mut Command {
    cmd.args([
        "--config",
        "profile.npm.inherits=\"release\"",
        "--config",
        "profile.npm.opt-level=3",
        "--profile",
        "npm",
    ])
}

/// `cargo build` of coc-wasm for the package (`features`: extra cargo
/// features, e.g. the decode candidates the bench compares).
pub fn build_wasm(root: &Path, tools: &Tools, features: &[&str]) -> Result<PathBuf> {
    let mut cmd = cargo();
    cmd.args([
        "build",
        "-p",
        "coc-wasm",
        "--locked",
        "--target",
        "wasm32-unknown-unknown",
    ]);
    npm_profile(&mut cmd);
    if !features.is_empty() {
        cmd.args(["--features", &features.join(",")]);
    }
    run_cmd(
        "cargo build (coc-wasm, npm profile, wasm32)",
        cmd.envs(tools.env()),
    )?;
    Ok(crate::target_dir(root).join("wasm32-unknown-unknown/npm/coc_wasm.wasm"))
}

/// wasm-bindgen for `target` into `dir`.
fn bindgen(tools: &Tools, wasm: &Path, target: &str, dir: &Path) -> Result<()> {
    run_cmd(
        "wasm-bindgen",
        Command::new("wasm-bindgen")
            .args(["--target", target, "--out-dir"])
            .arg(dir)
            .arg(wasm)
            .envs(tools.env()),
    )
}

fn wasm_opt(tools: &Tools, wasm: &Path) -> Result<()> {
    run_cmd(
        "wasm-opt",
        Command::new("wasm-opt")
            .args(["-O3"])
            .args(tools::WASM_FEATURES)
            .arg("-o")
            .arg(wasm)
            .arg(wasm)
            .envs(tools.env()),
    )
}

/// `text` with `from` replaced exactly once; anything else means the
/// generated glue changed shape, which must fail the build, not ship.
fn replace_once(text: &str, from: &str, to: &str, what: &str) -> Result<String> {
    let n = text.matches(from).count();
    if n != 1 {
        bail!(
            "{what}: expected {from:?} exactly once in wasm-bindgen's output, found it {n} times"
        );
    }
    Ok(text.replacen(from, to, 1))
}

/// The glue with CocError appended and the runtime's throw made a CocError.
fn glue_with_errors(glue: &str, coc_error: &str, exports: &str, what: &str) -> Result<String> {
    let glue = replace_once(glue, RUNTIME_THROW, RUNTIME_THROW_COC, what)?;
    Ok(format!("{glue}\n{coc_error}\n{exports}\n"))
}

/// Builds `target/npm/package/` and packs it; returns the tarball's path.
pub fn build(root: &Path, tools: &Tools) -> Result<PathBuf> {
    let wasm = build_wasm(root, tools, &[])?;
    let out = crate::target_dir(root).join("npm");
    let pkg = out.join("package");
    let gen_dir = out.join("bindgen");
    for dir in [&pkg, &gen_dir] {
        if dir.exists() {
            fs::remove_dir_all(dir)?;
        }
        fs::create_dir_all(dir)?;
    }
    bindgen(tools, &wasm, "nodejs", &gen_dir.join("nodejs"))?;
    bindgen(tools, &wasm, "web", &gen_dir.join("web"))?;
    let node_wasm = gen_dir.join("nodejs/coc_wasm_bg.wasm");
    if fs::read(&node_wasm)? != fs::read(gen_dir.join("web/coc_wasm_bg.wasm"))? {
        bail!("wasm-bindgen's nodejs and web outputs differ in their wasm; the package ships one");
    }
    let shipped = pkg.join("coc_wasm_bg.wasm");
    fs::copy(&node_wasm, &shipped)?;
    wasm_opt(tools, &shipped)?;

    let template = root.join("crates/wasm/npm");
    let coc_error = fs::read_to_string(template.join("js/coc_error.js"))?;
    let node_glue = fs::read_to_string(gen_dir.join("nodejs/coc_wasm.js"))?;
    fs::write(
        pkg.join("node.cjs"),
        glue_with_errors(
            &node_glue,
            &coc_error,
            "exports.CocError = CocError;\nexports.isCocError = isCocError;",
            "node.cjs",
        )?,
    )?;
    // web.js: until init() has run, `wasm` throws a CocError on any use.
    let web_glue = fs::read_to_string(gen_dir.join("web/coc_wasm.js"))?;
    let web_glue = replace_once(
        &web_glue,
        "let wasmModule, wasmInstance, wasm;",
        "let wasmModule, wasmInstance, wasm = cocNotReady();\nconst cocWasmNotReady = wasm;",
        "web.js",
    )?;
    let checks = web_glue.matches(WASM_LOADED).count();
    if checks != 2 {
        bail!(
            "web.js: expected {WASM_LOADED:?} twice (init and initSync), found it {checks} times"
        );
    }
    let web_glue = web_glue.replace(WASM_LOADED, "if (wasm !== cocWasmNotReady) return wasm;");
    fs::write(
        pkg.join("web.js"),
        glue_with_errors(
            &web_glue,
            &coc_error,
            "export { CocError, isCocError };",
            "web.js",
        )?,
    )?;
    for name in ["index.js", "node.mjs"] {
        fs::copy(template.join("js").join(name), pkg.join(name))?;
    }

    // Types: the nodejs declarations (no init) for `import` and `require`,
    // the web ones with init() for "./web".
    let d_ts = fs::read_to_string(gen_dir.join("nodejs/coc_wasm.d.ts"))?;
    if let Some(line) = mentions_any(&d_ts) {
        bail!("the public index.d.ts uses `any` ({line:?}); give every export an explicit type");
    }
    if !d_ts.contains("[Symbol.dispose](): void;") {
        bail!("CocClient's declarations lost [Symbol.dispose]");
    }
    fs::write(pkg.join("index.d.ts"), &d_ts)?;
    fs::write(pkg.join("node.d.cts"), &d_ts)?;
    let web_tail = fs::read_to_string(template.join("js/web.d.ts.tail"))?;
    fs::write(pkg.join("web.d.ts"), format!("{d_ts}{web_tail}"))?;

    let version = workspace_version(root)?;
    let manifest = fs::read_to_string(template.join("package.json"))?.replace(
        "\"version\": \"0.1.0\"",
        &format!("\"version\": \"{version}\""),
    );
    fs::write(pkg.join("package.json"), manifest)?;
    fs::copy(template.join("README.md"), pkg.join("README.md"))?;
    let size = fs::metadata(&shipped)?.len();
    log(&format!(
        "    coc_wasm_bg.wasm: {} KB (shipped once)",
        size / 1024
    ));
    pack(&pkg, &out)
}

fn pack(pkg: &Path, out: &Path) -> Result<PathBuf> {
    let packed = Command::new("npm")
        .args(["pack", "--pack-destination"])
        .arg(out)
        .current_dir(pkg)
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

/// A fresh folder with the tarball installed and the npm tests copied in.
fn consumer(root: &Path, tarball: &Path) -> Result<PathBuf> {
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
    copy_dir(&root.join("crates/wasm/npm-tests"), &dir)?;
    Ok(dir)
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

/// Runs `f`, then logs how long it took.
fn timed(what: &str, f: impl FnOnce() -> Result<()>) -> Result<()> {
    let t = Instant::now();
    f()?;
    log(&format!("    {what}: {:.1} s", t.elapsed().as_secs_f64()));
    Ok(())
}

/// Installs the tarball into a fresh folder and runs there: the Node tests
/// (ESM and CommonJS), `tsc --strict` consumers (`nodenext` and `bundler`
/// resolution, esnext libs; TypeScript 5.9 and 5.6), Vite 7, Vite 8 and webpack 5 builds of a page loaded in
/// Chromium (and the `web` build without a bundler), and
/// @arethetypeswrong/cli and publint on the tarball. `gateway` (a running
/// gateway + simulator) enables the network tests.
pub fn test(
    root: &Path,
    tools: &Tools,
    tarball: &Path,
    gateway: Option<(&str, &str)>,
) -> Result<()> {
    let npm_tools = npm_tools(root)?;
    let dir = consumer(root, tarball)?;
    timed("node --test", || {
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
        run_cmd("node --test (ESM and CommonJS)", &mut node)
    })?;

    timed("tsc (TypeScript 5.9 and 5.6)", || {
        for typescript in ["typescript", "typescript56"] {
            let tsc = npm_tools
                .join("node_modules")
                .join(typescript)
                .join("bin/tsc");
            for config in [
                "tsconfig.json",
                "tsconfig.bundler.json",
                "tsconfig.esnext.json",
            ] {
                run_cmd(
                    &format!("tsc -p {config} ({typescript})"),
                    Command::new("node")
                        .arg(&tsc)
                        .args(["-p", config])
                        .current_dir(&dir),
                )?;
            }
        }
        Ok(())
    })?;

    timed("bundlers and Chromium", || {
        run_cmd(
            "Vite 7, Vite 8, webpack 5 and the web build, loaded in Chromium",
            Command::new("node")
                .args([
                    "--test",
                    "--test-reporter=spec",
                    "bundlers/bundlers.test.mjs",
                ])
                .current_dir(&dir)
                .env("COC_NPM_TOOLS", npm_tools.join("node_modules"))
                .env("COC_FIXTURES_DIR", root.join("crates/core/tests/fixtures"))
                .env("COC_CHROMIUM", tools::CHROMIUM)
                .env("TMPDIR", std::env::temp_dir())
                .envs(tools.env()),
        )
    })?;

    timed("attw and publint", || {
        let bin = npm_tools.join("node_modules/.bin");
        // The main entry under every resolution (strict); "./web" is for
        // browsers, so ES modules only (a require() of it is meant to
        // fail). "./coc_wasm_bg.wasm" is an asset, not a module.
        run_cmd(
            "@arethetypeswrong/cli (the main entry)",
            Command::new(bin.join("attw"))
                .arg(tarball)
                .args(["--entrypoints", ".", "--format", "ascii"])
                .current_dir(&dir),
        )?;
        run_cmd(
            "@arethetypeswrong/cli (./web, ES modules only)",
            Command::new(bin.join("attw"))
                .arg(tarball)
                .args(["--entrypoints", "./web", "--profile", "esm-only"])
                .args(["--format", "ascii"])
                .current_dir(&dir),
        )?;
        run_cmd(
            "publint",
            Command::new(bin.join("publint"))
                .arg(tarball)
                .args(["--strict"])
                .current_dir(&dir),
        )
    })
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
    let tsc = npm_tools(root)?.join("node_modules/typescript/bin/tsc");
    run_cmd(
        "tsc --noEmit (element types)",
        Command::new("node")
            .arg(tsc)
            .args(["-p", "tsconfig.json"])
            .current_dir(&dir),
    )
}

/// The installed version of an npm package under `dir`, if any.
fn installed_version(dir: &Path, name: &str) -> Option<String> {
    let manifest =
        fs::read_to_string(dir.join("node_modules").join(name).join("package.json")).ok()?;
    let at = manifest.find("\"version\"")?;
    let rest = &manifest[at + "\"version\"".len()..];
    let start = rest.find('"')? + 1;
    let len = rest[start..].find('"')?;
    Some(rest[start..start + len].to_owned())
}

/// `.tools/npm` with every pinned npm tool; installs what is missing in
/// one `npm install` (about 30 seconds cold).
pub fn npm_tools(root: &Path) -> Result<PathBuf> {
    ensure_npm(root, &NPM_TOOLS, "test tools")
}

/// What building the console takes from npm besides binaryen: terser,
/// which shrinks each language's wasm-bindgen glue after Trunk (about
/// 390 bytes brotli of 7.5 KB: Trunk's minifier renames nothing).
const BUILD_NPM_TOOLS: [(&str, &str); 1] = [("terser", "terser@5.51.4")];

/// The npm tools the console's build needs, in `.tools/npm`.
pub fn build_tools(root: &Path) -> Result<PathBuf> {
    ensure_npm(root, &BUILD_NPM_TOOLS, "build tools")
}

/// `tools`, installed at their pinned versions in `.tools/npm`.
fn ensure_npm(root: &Path, tools: &[(&str, &str)], what: &str) -> Result<PathBuf> {
    let dir = root.join(".tools/npm");
    let missing: Vec<&str> = tools
        .iter()
        .filter(|(name, spec)| {
            let want = spec.rsplit('@').next().unwrap_or_default();
            installed_version(&dir, name).as_deref() != Some(want)
        })
        .map(|(_, spec)| *spec)
        .collect();
    if missing.is_empty() {
        return Ok(dir);
    }
    fs::create_dir_all(&dir)?;
    if !dir.join("package.json").exists() {
        fs::write(dir.join("package.json"), "{\"private\": true}\n")?;
    }
    log(&format!(
        "    installing {} into .tools/npm (about 30 seconds)",
        missing.join(" ")
    ));
    timed(&format!("npm {what}"), || {
        run_cmd(
            &format!("npm install ({what})"),
            Command::new("npm")
                .args([
                    "install",
                    "--no-audit",
                    "--no-fund",
                    "--save-exact",
                    "--prefix",
                ])
                .arg(&dir)
                .args(&missing),
        )
    })?;
    Ok(dir)
}

/// `cargo xtask bench`'s part for the package: the decode routes of
/// `crates/wasm/src/decode.rs` against `JSON.parse`, on the simulator's
/// one-ticket and 10,000-target answers, and `sign` per request, in Node.
/// Reported, never asserted.
pub fn bench(root: &Path, tools: &Tools, gateway_url: &str) -> Result<()> {
    let wasm = build_wasm(root, tools, &["decode-candidates"])?;
    let dir = crate::target_dir(root).join("npm/bench");
    if dir.exists() {
        fs::remove_dir_all(&dir)?;
    }
    bindgen(tools, &wasm, "nodejs", &dir)?;
    wasm_opt(tools, &dir.join("coc_wasm_bg.wasm"))?;
    fs::write(dir.join("package.json"), "{\"type\": \"commonjs\"}\n")?;
    run_cmd(
        "npm package decode and sign (Node, medians, against JSON.parse)",
        Command::new("node")
            .arg(root.join("crates/wasm/bench/decode.mjs"))
            .env("COC_BENCH_GLUE", dir.join("coc_wasm.js"))
            .env("COC_GATEWAY_URL", gateway_url)
            .envs(tools.env()),
    )
}
