//! The core performs no IO, reads no clock and knows nothing of JS.
//!
//! How that is guaranteed:
//! 1. its direct dependencies are an allow-list of pure crates (checked
//!    against `crates/core/Cargo.toml`);
//! 2. nothing reachable from them in `Cargo.lock` is an IO, clock, randomness
//!    or JS crate (walked here, on native and on wasm32);
//! 3. its source names no IO, clock, environment or JS item, and every
//!    module of `lib.rs` is among the files checked;
//! 4. natively, `cargo tree -p coc-core -e normal --target wasm32-unknown-unknown`
//!    is run and checked the same way.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeSet, HashMap};

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

const MANIFEST: &str = include_str!("../Cargo.toml");
const LOCK: &str = include_str!("../../../Cargo.lock");

const SOURCES: &[(&str, &str)] = &[
    ("lib", include_str!("../src/lib.rs")),
    ("decode", include_str!("../src/decode.rs")),
    ("endpoint", include_str!("../src/endpoint.rs")),
    ("error", include_str!("../src/error.rs")),
    ("gateway", include_str!("../src/gateway.rs")),
    ("guidance", include_str!("../src/guidance.rs")),
    ("http", include_str!("../src/http.rs")),
    ("id", include_str!("../src/id.rs")),
    ("model", include_str!("../src/model.rs")),
    ("ops", include_str!("../src/ops.rs")),
    ("query", include_str!("../src/query.rs")),
    ("sign", include_str!("../src/sign.rs")),
    ("uri", include_str!("../src/uri.rs")),
];

const ALLOWED_DEPENDENCIES: &[&str] = &[
    "hex",
    "hmac",
    "percent-encoding",
    "serde",
    "serde_json",
    "serde_path_to_error",
    "sha2",
    "thiserror",
];

/// Crates that would mean IO, a clock, an RNG or JS in the core.
fn forbidden(name: &str) -> bool {
    const EXACT: &[&str] = &[
        "js-sys",
        "web-sys",
        "getrandom",
        "tokio",
        "mio",
        "socket2",
        "reqwest",
        "hyper",
        "chrono",
        "time",
        "web-time",
        "instant",
        "rand",
        "rand_core",
        "stdweb",
        "ureq",
        "async-std",
        "futures-timer",
    ];
    EXACT.contains(&name) || name.starts_with("wasm-bindgen") || name.starts_with("gloo")
}

/// The names in `[dependencies]` of the core's manifest.
fn direct_dependencies() -> BTreeSet<String> {
    let mut in_section = false;
    let mut names = BTreeSet::new();
    for line in MANIFEST.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_section = line == "[dependencies]";
            continue;
        }
        if in_section && !line.is_empty() && !line.starts_with('#') {
            let name = line.split(['=', '.']).next().unwrap().trim();
            names.insert(name.to_owned());
        }
    }
    names
}

/// `Cargo.lock` as name -> list of (version, dependency names).
fn lock_graph() -> HashMap<String, Vec<(String, Vec<String>)>> {
    let mut graph: HashMap<String, Vec<(String, Vec<String>)>> = HashMap::new();
    for block in LOCK.split("[[package]]").skip(1) {
        let mut name = String::new();
        let mut version = String::new();
        let mut deps = Vec::new();
        let mut in_deps = false;
        for line in block.lines() {
            let line = line.trim();
            if let Some(v) = line.strip_prefix("name = ") {
                name = v.trim_matches('"').to_owned();
            } else if let Some(v) = line.strip_prefix("version = ") {
                version = v.trim_matches('"').to_owned();
            } else if line.starts_with("dependencies = [") {
                in_deps = !line.ends_with(']');
            } else if in_deps && line == "]" {
                in_deps = false;
            } else if in_deps {
                // "name" or "name version" or "name version (source)"
                let entry = line.trim_end_matches(',').trim_matches('"');
                deps.push(entry.split(' ').next().unwrap().to_owned());
            }
        }
        graph.entry(name).or_default().push((version, deps));
    }
    graph
}

#[test]
fn direct_dependencies_are_the_allow_list() {
    let deps = direct_dependencies();
    let allowed: BTreeSet<String> = ALLOWED_DEPENDENCIES
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    assert_eq!(
        deps, allowed,
        "a new dependency of coc-core must be pure (no IO, clock, RNG or JS); update this list only after checking it"
    );
}

#[test]
fn nothing_reachable_from_the_core_in_cargo_lock_does_io_clock_or_js() {
    let graph = lock_graph();
    assert!(graph.contains_key("coc-core"), "Cargo.lock has no coc-core");
    let mut seen = BTreeSet::new();
    let mut todo: Vec<String> = direct_dependencies().into_iter().collect();
    while let Some(name) = todo.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        let versions = graph
            .get(&name)
            .unwrap_or_else(|| panic!("{name} is not in Cargo.lock"));
        for (_, deps) in versions {
            todo.extend(deps.iter().cloned());
        }
    }
    // Sanity: the walk did find the crates it must find.
    for expected in ["serde_json", "sha2", "digest", "percent-encoding"] {
        assert!(seen.contains(expected), "{expected} not reached");
    }
    let bad: Vec<&String> = seen.iter().filter(|n| forbidden(n)).collect();
    assert!(bad.is_empty(), "coc-core reaches {bad:?} (walked {seen:?})");
    // The detector itself works.
    assert!(forbidden("wasm-bindgen") && forbidden("js-sys") && forbidden("getrandom"));
    assert!(!forbidden("serde") && !forbidden("libc"));
}

#[test]
fn the_source_names_no_io_clock_env_or_js() {
    const BANNED: &[&str] = &[
        "std::fs",
        "std::net",
        "std::io",
        "std::time",
        "SystemTime",
        "Instant::now",
        "std::env",
        "std::process",
        "std::thread",
        "JsValue",
        "wasm_bindgen",
        "js_sys",
        "web_sys",
        "println!",
        "eprintln!",
    ];
    for (module, text) in SOURCES {
        for banned in BANNED {
            assert!(!text.contains(banned), "src/{module}.rs mentions {banned}");
        }
    }
    // Every module declared in lib.rs is among the sources checked above.
    let lib = SOURCES[0].1;
    let declared: BTreeSet<&str> = lib
        .lines()
        .filter_map(|l| {
            let l = l.trim();
            let l = l.strip_prefix("pub ").unwrap_or(l);
            l.strip_prefix("mod ")?.strip_suffix(';')
        })
        .collect();
    let checked: BTreeSet<&str> = SOURCES.iter().skip(1).map(|(m, _)| *m).collect();
    assert_eq!(declared, checked, "a module of lib.rs is not checked here");
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn cargo_tree_for_wasm_shows_no_js_or_io() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let out = std::process::Command::new(cargo)
        .args([
            "tree",
            "--locked",
            "-p",
            "coc-core",
            "-e",
            "normal",
            "--target",
            "wasm32-unknown-unknown",
            "--prefix",
            "none",
            "--format",
            "{p}",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo can be run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let names: BTreeSet<&str> = stdout
        .lines()
        .filter_map(|l| l.split(' ').next())
        .filter(|n| !n.is_empty())
        .collect();
    assert!(
        names.contains("coc-core") && names.contains("serde_json"),
        "{stdout}"
    );
    let bad: Vec<&&str> = names.iter().filter(|n| forbidden(n)).collect();
    assert!(
        bad.is_empty(),
        "the wasm build of coc-core pulls {bad:?}:\n{stdout}"
    );
}
