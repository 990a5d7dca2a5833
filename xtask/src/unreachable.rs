//! Takes out of the console's wasm the exports no code can reach:
//! wasm-streams' `#[wasm_bindgen]` stream classes, which come with leptos'
//! `server_fn` (always built with its `browser` feature). The console has
//! no server functions, and the glue has no way to make an instance of
//! these classes (no `Class.__wrap`), so their exported methods are dead,
//! but the linker keeps every `#[wasm_bindgen]` export of every crate.
//!
//! Measured: 1.2 KB brotli of the 320 KB budget, after which wasm-opt runs
//! once more to drop the code only they reached. Their JS classes stay in
//! the glue: unreachable too, and cutting them out of minified JS is more
//! fragile than the bytes are worth.
//!
//! The export section is filtered by hand (about 40 lines): the rest of the
//! module is copied byte for byte, and a crate that rewrites modules
//! (walrus) would be most of xtask's build time for this.

use std::fs;
use std::path::Path;

use anyhow::{Context as _, Result, bail, ensure};

/// The wasm-bindgen classes whose exports go. A class the glue can make
/// an instance of stops the build (see [`drop_from`]).
const CLASSES: [&str; 3] = [
    "IntoUnderlyingByteSource",
    "IntoUnderlyingSink",
    "IntoUnderlyingSource",
];

/// True for the export names wasm-bindgen gives a class's methods and its
/// destructor (`intounderlyingsource_pull`, `__wbg_intounderlyingsource_free`).
fn of_classes(name: &str) -> bool {
    CLASSES.iter().any(|class| {
        let lower = class.to_lowercase();
        name.strip_prefix(lower.as_str())
            .is_some_and(|rest| rest.starts_with('_'))
            || name == format!("__wbg_{lower}_free")
    })
}

/// Drops the classes' exports from `wasm` (whose glue is `glue`) and
/// re-optimises it; returns how many exports went.
pub(crate) fn drop_from(wasm: &Path, glue: &Path, tools: &crate::tools::Tools) -> Result<usize> {
    let js = fs::read_to_string(glue).with_context(|| glue.display().to_string())?;
    for class in CLASSES {
        ensure!(
            !js.contains(&format!("{class}.__wrap")),
            "{}: the wasm can make {class} objects, so their exports are reachable: \
             take {class} out of xtask/src/unreachable.rs",
            glue.display()
        );
    }
    let module = fs::read(wasm).with_context(|| wasm.display().to_string())?;
    let (kept, dropped) = without_exports(&module, of_classes)?;
    ensure!(
        dropped > 0,
        "{}: none of {CLASSES:?} is exported any more: drop the step (xtask/src/unreachable.rs)",
        wasm.display()
    );
    fs::write(wasm, kept)?;
    crate::run_cmd(
        "wasm-opt (after dropping unreachable exports)",
        std::process::Command::new("wasm-opt")
            // `--converge`: -Oz again until it stops shrinking, 0.26 KB
            // brotli of the budget (measured) for a few seconds more.
            .args([
                "-Oz",
                "--converge",
                "--low-memory-unused",
                "--zero-filled-memory",
                "--strip-producers",
            ])
            .args(crate::tools::WASM_FEATURES)
            .arg("-o")
            .arg(wasm)
            .arg(wasm)
            .envs(tools.env()),
    )?;
    Ok(dropped)
}

fn leb(bytes: &[u8], at: &mut usize) -> Result<u32> {
    let mut value = 0u32;
    for shift in (0..35).step_by(7) {
        let Some(&b) = bytes.get(*at) else {
            bail!("truncated wasm: a number runs past the end");
        };
        *at += 1;
        value |= u32::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Ok(value);
        }
    }
    bail!("malformed wasm: a number longer than 5 bytes")
}

fn put_leb(out: &mut Vec<u8>, mut n: u32) {
    loop {
        let b = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

/// `module` without the exports whose names `drop` picks, and how many
/// those were. Every other section is copied as it is.
fn without_exports(module: &[u8], drop: impl Fn(&str) -> bool) -> Result<(Vec<u8>, usize)> {
    ensure!(
        module.len() >= 8 && module.starts_with(b"\0asm"),
        "not a wasm module"
    );
    let mut out = module[..8].to_vec();
    let mut at = 8;
    let mut dropped = 0;
    while at < module.len() {
        let id = module[at];
        at += 1;
        let len = leb(module, &mut at)? as usize;
        let body = module
            .get(at..at + len)
            .context("truncated wasm: a section runs past the end")?;
        at += len;
        if id != 7 {
            out.push(id);
            put_leb(&mut out, len as u32);
            out.extend_from_slice(body);
            continue;
        }
        let mut i = 0;
        let count = leb(body, &mut i)?;
        let mut kept = Vec::new();
        let mut n_kept = 0u32;
        for _ in 0..count {
            let start = i;
            let name_len = leb(body, &mut i)? as usize;
            let name = body
                .get(i..i + name_len)
                .and_then(|n| std::str::from_utf8(n).ok())
                .context("malformed wasm: an export name")?;
            i += name_len + 1; // the name, then the export's kind
            leb(body, &mut i)?; // and its index
            if drop(name) {
                dropped += 1;
            } else {
                kept.extend_from_slice(&body[start..i]);
                n_kept += 1;
            }
        }
        let mut section = Vec::new();
        put_leb(&mut section, n_kept);
        section.extend_from_slice(&kept);
        out.push(7);
        put_leb(&mut out, section.len() as u32);
        out.extend_from_slice(&section);
    }
    Ok((out, dropped))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    /// A module of one type, one function and `exports` of it, by name.
    fn module(exports: &[&str]) -> Vec<u8> {
        let mut m = b"\0asm\x01\0\0\0".to_vec();
        m.extend_from_slice(&[1, 4, 1, 0x60, 0, 0]); // type: () -> ()
        m.extend_from_slice(&[3, 2, 1, 0]); // function 0 of type 0
        let mut section = Vec::new();
        put_leb(&mut section, exports.len() as u32);
        for e in exports {
            put_leb(&mut section, e.len() as u32);
            section.extend_from_slice(e.as_bytes());
            section.extend_from_slice(&[0, 0]); // a function, index 0
        }
        m.push(7);
        put_leb(&mut m, section.len() as u32);
        m.extend_from_slice(&section);
        m.extend_from_slice(&[10, 4, 1, 2, 0, 0x0b]); // code: an empty body
        m
    }

    #[test]
    fn only_the_classes_exports_go_and_the_rest_is_untouched() {
        let all = [
            "memory_like",
            "intounderlyingsource_pull",
            "__wbg_intounderlyingsink_free",
            "intounderlyingbytesource_autoAllocateChunkSize",
            "coc_mount",
            "intounderlyingsourcery", // not a method of the class
        ];
        let (out, dropped) = without_exports(&module(&all), of_classes).unwrap();
        assert_eq!(dropped, 3);
        assert_eq!(
            out,
            module(&["memory_like", "coc_mount", "intounderlyingsourcery"])
        );
        let (same, none) = without_exports(&out, of_classes).unwrap();
        assert_eq!((same, none), (out, 0));
    }

    #[test]
    fn a_broken_module_is_refused_not_mangled() {
        let mut m = module(&["coc_mount"]);
        m.truncate(m.len() - 3);
        assert!(without_exports(&m, of_classes).is_err());
        assert!(without_exports(b"not wasm", of_classes).is_err());
    }
}
