//! One console per language (web/i18n), served as one: the English build
//! in `dist/` takes the other builds' glue and wasm, and index.html and
//! the `<coc-execution>` loader learn their names.

use std::fs;
use std::path::Path;

use anyhow::{Context as _, Result, bail, ensure};

/// The languages built besides English, as `web/Cargo.toml` features.
pub(crate) const OTHERS: [&str; 1] = ["zh-CN"];

/// One build's glue and wasm, by file name in its dist folder.
struct Build {
    js: String,
    wasm: String,
}

fn only(dir: &Path, matches: impl Fn(&str) -> bool, what: &str) -> Result<String> {
    let mut found = Vec::new();
    for entry in fs::read_dir(dir).with_context(|| dir.display().to_string())? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if matches(&name) {
            found.push(name);
        }
    }
    match found.as_slice() {
        [one] => Ok(one.clone()),
        _ => bail!("{}: expected one {what}, found {found:?}", dir.display()),
    }
}

fn build_of(dir: &Path) -> Result<Build> {
    Ok(Build {
        js: only(
            dir,
            |n| n.starts_with("coc-console-") && n.ends_with(".js"),
            "coc-console-*.js",
        )?,
        wasm: only(
            dir,
            |n| n.starts_with("coc-console-") && n.ends_with("_bg.wasm"),
            "coc-console-*_bg.wasm",
        )?,
    })
}

/// Copies each `(language, dist folder)` build's glue and wasm into `dist`
/// (their names are hashed: none collides with English's) and writes the
/// builds into index.html and coc-execution.js.
pub(crate) fn merge(
    dist: &Path,
    others: &[(&str, &Path)],
    tools: &crate::tools::Tools,
) -> Result<()> {
    let en = build_of(dist)?;
    let mut builds = vec![("en", en)];
    for (lang, dir) in others {
        let b = build_of(dir)?;
        for name in [&b.js, &b.wasm] {
            fs::copy(dir.join(name), dist.join(name))
                .with_context(|| format!("copying {name} of the {lang} build"))?;
        }
        builds.push((lang, b));
    }

    // No integrity: the files are the page's own origin's, as index.html
    // is, and the glue imports its wasm by URL anyway.
    for (lang, b) in &builds {
        let dropped = crate::unreachable::drop_from(&dist.join(&b.wasm), &dist.join(&b.js), tools)?;
        crate::log(&format!(
            "    {lang}: {dropped} unreachable exports dropped from the wasm"
        ));
        shrink_glue(&dist.join(&b.js), tools)?;
    }
    let mut manifest = Vec::new();
    for (lang, b) in &builds {
        manifest.push(format!(
            r#""{lang}":{{"js":"/{}","wasm":"/{}"}}"#,
            b.js, b.wasm
        ));
    }
    // Inside a JS string literal whatever its quotes (the minifier picks
    // them): the JSON's own quotes as escapes.
    let manifest = format!("{{{}}}", manifest.join(",")).replace('"', "\\u0022");

    let index = dist.join("index.html");
    let html = fs::read_to_string(&index).context("dist/index.html")?;
    ensure!(
        html.matches("__COC_BUILDS__").count() == 1,
        "dist/index.html: no single __COC_BUILDS__ placeholder (index.html's first script)"
    );
    let html = html.replacen("__COC_BUILDS__", &manifest, 1);
    let (html, dropped) = drop_preloads(&html);
    let html = drop_comment_lines(&html);
    ensure!(
        dropped == 2,
        "dist/index.html: expected Trunk's two preload links, found {dropped}"
    );
    fs::write(&index, html)?;

    let loader = dist.join("coc-execution.js");
    let js = fs::read_to_string(&loader).context("dist/coc-execution.js")?;
    const AT: &str = "const builds = { en: [";
    ensure!(
        js.matches(AT).count() == 1,
        "dist/coc-execution.js: no single {AT:?} (web/element/coc-execution.js)"
    );
    let more: String = builds[1..]
        .iter()
        .map(|(lang, b)| format!("{lang:?}: [{:?}, {:?}], ", b.js, b.wasm))
        .collect();
    fs::write(
        &loader,
        js.replacen(AT, &format!("const builds = {{ {more}en: ["), 1),
    )?;
    Ok(())
}

/// A build's wasm-bindgen glue through terser, in place: compressed and
/// with its local names mangled (Trunk's minifier keeps them); the module's
/// exports keep their names. Its hashed name stays: a name, not a checksum.
fn shrink_glue(js: &Path, tools: &crate::tools::Tools) -> Result<()> {
    crate::run_cmd(
        "terser (wasm-bindgen glue)",
        std::process::Command::new("terser")
            .arg(js)
            .args(["--module", "--compress", "--mangle", "--output"])
            .arg(js)
            .envs(tools.env()),
    )
}

/// index.html without Trunk's `<link rel=modulepreload>` and wasm
/// `<link rel=preload>` (its first script adds the chosen build's), and
/// how many it took out.
fn drop_preloads(html: &str) -> (String, usize) {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    let mut dropped = 0;
    while let Some(start) = rest.find("<link") {
        let Some(len) = rest[start..].find('>') else {
            break;
        };
        let tag = &rest[start..start + len + 1];
        out.push_str(&rest[..start]);
        if tag.contains("modulepreload") || (tag.contains("preload") && tag.contains("wasm")) {
            dropped += 1;
        } else {
            out.push_str(tag);
        }
        rest = &rest[start + len + 1..];
    }
    out.push_str(rest);
    (out, dropped)
}

/// index.html without the full-line `//` comments Trunk's minifier keeps
/// in inline scripts (about 250 bytes brotli of the console's budget), as
/// web/element/build.sh does for the element's loader.
fn drop_comment_lines(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_script = false;
    for line in html.split_inclusive('\n') {
        let t = line.trim_start();
        if in_script && t.starts_with("//") {
            continue;
        }
        // Minified: a script opens and closes within its own lines, or on
        // one line with what follows it; track the last tag on the line.
        if let Some(open) = line.rfind("<script") {
            in_script = line[open..].find("</script>").is_none();
        } else if line.contains("</script>") {
            in_script = false;
        }
        out.push_str(line);
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    #[test]
    fn comment_lines_go_only_inside_scripts() {
        let html = "<p>\n// not a script\n<script>// lead kept on the tag's line\nlet a = 1;\n  // gone\nlet b = `//x`;</script>\n// after\n";
        assert_eq!(
            super::drop_comment_lines(html),
            "<p>\n// not a script\n<script>// lead kept on the tag's line\nlet a = 1;\nlet b = `//x`;</script>\n// after\n"
        );
    }

    #[test]
    fn only_the_preloads_go() {
        let html = r#"<link href=/a.css rel=stylesheet><link crossorigin href=/c.js rel=modulepreload><link as=fetch href=/c_bg.wasm rel=preload type=application/wasm><p>"#;
        let (out, n) = super::drop_preloads(html);
        assert_eq!(n, 2);
        assert_eq!(out, "<link href=/a.css rel=stylesheet><p>");
    }
}
