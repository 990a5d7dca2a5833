//! The release console's download size: html + js + wasm + css of Trunk's
//! `dist/`, each compressed with brotli (quality 11), must total at most
//! 320 KB (the budget issue 9 set, and issue 10 spent on the product's own
//! stack: leptos_router, gloo-net, resources, `view!` tables). The figure is
//! printed either way, and each file's precompressed siblings are checked.
//!
//! The budget is a constant on purpose: raising it is a code change that
//! shows in review, not an environment variable set somewhere.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

use std::io::Write as _;

use anyhow::{Context as _, Result, ensure};

/// The budget from the issue, in KB.
const BUDGET_KB: usize = 320;

fn brotli_len(data: &[u8]) -> Result<usize> {
    let mut out = Vec::new();
    {
        let mut w = brotli::CompressorWriter::new(&mut out, 64 * 1024, 11, 22);
        w.write_all(data)?;
        w.flush()?;
    }
    Ok(out.len())
}

/// The build writes `.br` and `.gz` next to each file (the gateway serves
/// them as they are): both must exist and decode to the file's bytes, or a
/// browser would run a stale or corrupt console.
fn precompressed_siblings_match(path: &std::path::Path, data: &[u8]) -> Result<()> {
    use std::io::Read as _;
    let sibling = |ext: &str| {
        let mut name = path.as_os_str().to_owned();
        name.push(ext);
        std::path::PathBuf::from(name)
    };
    let br = std::fs::read(sibling(".br")).with_context(|| format!("{}.br", path.display()))?;
    let mut decoded = Vec::new();
    brotli::Decompressor::new(br.as_slice(), 64 * 1024).read_to_end(&mut decoded)?;
    ensure!(
        decoded == data,
        "{}.br does not decode to the file",
        path.display()
    );
    let gz = std::fs::read(sibling(".gz")).with_context(|| format!("{}.gz", path.display()))?;
    let mut decoded = Vec::new();
    flate2::read::GzDecoder::new(gz.as_slice()).read_to_end(&mut decoded)?;
    ensure!(
        decoded == data,
        "{}.gz does not decode to the file",
        path.display()
    );
    Ok(())
}

#[test]
fn release_build_fits_in_320_kb_brotli() -> Result<()> {
    let env = coc_e2e::test_env()?;
    let budget_kb = BUDGET_KB;
    let budget = budget_kb * 1024;
    let mut total = 0;
    let mut raw_total = 0;
    let mut kinds = std::collections::BTreeMap::<&str, usize>::new();
    for entry in std::fs::read_dir(&env.dist_dir)? {
        let path = entry?.path();
        let Some(ext) = path.extension().and_then(|e| e.to_str()) else {
            continue;
        };
        let kind = match ext {
            "html" => "html",
            "js" => "js",
            "wasm" => "wasm",
            "css" => "css",
            _ => continue,
        };
        let data = std::fs::read(&path).with_context(|| path.display().to_string())?;
        let br = brotli_len(&data)?;
        precompressed_siblings_match(&path, &data)?;
        eprintln!(
            "  {:<48} {:>9} bytes raw {:>8} bytes brotli",
            path.file_name().unwrap().to_string_lossy(),
            data.len(),
            br
        );
        raw_total += data.len();
        total += br;
        *kinds.entry(kind).or_default() += br;
    }
    ensure!(
        kinds.contains_key("wasm") && kinds.contains_key("js") && kinds.contains_key("html"),
        "dist/ lacks html, js or wasm: {kinds:?}"
    );
    eprintln!(
        "console size: {total} bytes brotli ({:.1} KB of the {} KB budget; {raw_total} bytes raw); by kind: {kinds:?}",
        total as f64 / 1024.0,
        budget_kb
    );
    ensure!(
        total <= budget,
        "the console is {total} bytes brotli, over the {budget_kb} KB budget"
    );
    Ok(())
}
