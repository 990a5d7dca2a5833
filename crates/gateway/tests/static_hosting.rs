//! Console hosting: content types, compression, cache headers, SPA fallback
//! versus 404, and the CSP with the inline script's hash.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::Read as _;
use std::path::Path;

use base64::Engine as _;
use coc_gateway::CspSettings;
use common::*;
use sha2::{Digest, Sha256};

const LOADER: &str = "\nimport init, * as bindings from '/coc-console-4f1a2b3c4d5e6f70.js';\nconst wasm = await init({ module_or_path: '/coc-console-4f1a2b3c4d5e6f70_bg.wasm' });\nwindow.wasmBindings = bindings;\n";
const STYLE: &str = "body{margin:0}";
const WASM_NAME: &str = "coc-console-4f1a2b3c4d5e6f70_bg.wasm";
const JS_NAME: &str = "coc-console-4f1a2b3c4d5e6f70.js";

fn index_html(loader: &str) -> String {
    format!(
        r#"<!DOCTYPE html><html><head><meta charset="utf-8"><title>COC</title>
<link rel="stylesheet" href="/style-0123456789abcdef.css">
<link rel="modulepreload" href="/{JS_NAME}" crossorigin="anonymous">
<script type="module">{loader}</script>
<style>{STYLE}</style>
</head><body></body></html>"#
    )
}

fn sha256_b64(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(Sha256::digest(s.as_bytes()))
}

fn make_dist() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::write(p.join("index.html"), index_html(LOADER)).unwrap();
    // A fake but compressible wasm module: the magic, then repetitive bytes.
    let mut wasm = b"\0asm\x01\0\0\0".to_vec();
    wasm.extend(std::iter::repeat_n(b"coc-console wasm ".as_slice(), 2000).flatten());
    std::fs::write(p.join(WASM_NAME), &wasm).unwrap();
    std::fs::write(
        p.join(JS_NAME),
        "export default function init() { return 'hello from the loader'; }\n".repeat(50),
    )
    .unwrap();
    std::fs::write(
        p.join("style-0123456789abcdef.css"),
        "body { color: black; }\n".repeat(20),
    )
    .unwrap();
    std::fs::write(p.join("robots.txt"), "User-agent: *\nDisallow: /\n").unwrap();
    dir
}

async fn hosting(dir: &Path, csp: CspSettings) -> coc_gateway::Running {
    let mut config = forwarding("http://127.0.0.1:9");
    config.static_dir = Some(dir.to_owned());
    config.csp = csp;
    gateway(config).await
}

#[tokio::test]
async fn index_has_no_cache_and_a_csp_with_the_inline_script_hash() {
    let dist = make_dist();
    let gw = hosting(dist.path(), CspSettings::default()).await;
    for path in ["/", "/index.html"] {
        let r = client()
            .get(format!("{}{path}", gw.url))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(h(&r, "content-type"), "text/html; charset=utf-8");
        assert_eq!(h(&r, "cache-control"), "no-cache");
        assert_eq!(h(&r, "x-content-type-options"), "nosniff");
        assert_eq!(h(&r, "referrer-policy"), "no-referrer");
        let csp = h(&r, "content-security-policy").to_owned();
        let script_src = directive(&csp, "script-src");
        assert_eq!(
            script_src,
            format!(
                "script-src 'self' 'wasm-unsafe-eval' 'sha256-{}'",
                sha256_b64(LOADER)
            )
        );
        assert_eq!(
            directive(&csp, "style-src"),
            format!("style-src 'self' 'sha256-{}'", sha256_b64(STYLE))
        );
        for expected in [
            "default-src 'self'",
            "img-src 'self' data:",
            "connect-src 'self'",
            "frame-ancestors 'self'",
            "base-uri 'self'",
            "object-src 'none'",
            "form-action 'self'",
        ] {
            assert!(
                csp.split("; ").any(|d| d == expected),
                "{expected} missing from {csp}"
            );
        }
        assert!(
            !csp.contains("unsafe-inline") && !csp.contains("'unsafe-eval'"),
            "{csp}"
        );
        assert_eq!(r.text().await.unwrap(), index_html(LOADER));
    }
}

fn directive(csp: &str, name: &str) -> String {
    csp.split("; ")
        .find(|d| d.starts_with(name))
        .unwrap_or_else(|| panic!("no {name} in {csp}"))
        .to_owned()
}

#[tokio::test]
async fn csp_follows_a_rebuilt_index_and_the_configured_sources() {
    let dist = make_dist();
    let csp = CspSettings {
        connect_src: vec!["https://gw2.example.test".to_owned()],
        frame_ancestors: vec![
            "'self'".to_owned(),
            "https://portal.example.test".to_owned(),
        ],
    };
    let gw = hosting(dist.path(), csp).await;
    let r = client().get(format!("{}/", gw.url)).send().await.unwrap();
    let policy = h(&r, "content-security-policy").to_owned();
    assert!(
        policy.contains("connect-src 'self' https://gw2.example.test;"),
        "{policy}"
    );
    assert!(
        policy.contains("frame-ancestors 'self' https://portal.example.test;"),
        "{policy}"
    );

    // Trunk rebuilds dist/ under a running gateway: the new loader's hash
    // replaces the old one (size changes, so no mtime granularity issue).
    let new_loader = format!("{LOADER}console.log('rebuilt');\n");
    std::fs::write(dist.path().join("index.html"), index_html(&new_loader)).unwrap();
    let r = client().get(format!("{}/", gw.url)).send().await.unwrap();
    let policy = h(&r, "content-security-policy").to_owned();
    assert!(policy.contains(&sha256_b64(&new_loader)), "{policy}");
    assert!(!policy.contains(&sha256_b64(LOADER)), "{policy}");
}

#[tokio::test]
async fn assets_have_content_types_and_immutable_caching() {
    let dist = make_dist();
    let gw = hosting(dist.path(), CspSettings::default()).await;
    let cases = [
        (
            format!("/{WASM_NAME}"),
            "application/wasm",
            "public, max-age=31536000, immutable",
        ),
        (
            format!("/{JS_NAME}"),
            "text/javascript",
            "public, max-age=31536000, immutable",
        ),
        (
            "/style-0123456789abcdef.css".to_owned(),
            "text/css",
            "public, max-age=31536000, immutable",
        ),
        ("/robots.txt".to_owned(), "text/plain", "no-cache"),
    ];
    for (path, content_type, cache) in cases {
        let r = get(format!("{}{path}", gw.url)).await;
        assert_eq!(r.status(), 200, "{path}");
        assert!(
            h(&r, "content-type").starts_with(content_type),
            "{path}: {}",
            h(&r, "content-type")
        );
        assert_eq!(h(&r, "cache-control"), cache, "{path}");
        assert_eq!(h(&r, "x-content-type-options"), "nosniff");
        // Not the page's policy: opened on its own, an asset may run nothing.
        assert_eq!(
            h(&r, "content-security-policy"),
            "default-src 'none'; frame-ancestors 'none'",
            "{path}"
        );
        assert_eq!(h(&r, "x-frame-options"), "DENY", "{path}");
        let on_disk = std::fs::read(dist.path().join(path.trim_start_matches('/'))).unwrap();
        assert_eq!(
            r.bytes().await.unwrap().as_ref(),
            on_disk.as_slice(),
            "{path}"
        );
    }
}

#[tokio::test]
async fn wasm_and_js_are_compressed_with_brotli_or_gzip() {
    let dist = make_dist();
    let gw = hosting(dist.path(), CspSettings::default()).await;
    let c = client();
    let wasm = std::fs::read(dist.path().join(WASM_NAME)).unwrap();
    let r = c
        .get(format!("{}/{WASM_NAME}", gw.url))
        .header("accept-encoding", "br")
        .send()
        .await
        .unwrap();
    assert_eq!(h(&r, "content-encoding"), "br");
    assert_eq!(h(&r, "content-type"), "application/wasm");
    let compressed = r.bytes().await.unwrap();
    assert!(
        compressed.len() < wasm.len() / 4,
        "{} vs {}",
        compressed.len(),
        wasm.len()
    );
    let mut decoded = Vec::new();
    brotli::Decompressor::new(compressed.as_ref(), 4096)
        .read_to_end(&mut decoded)
        .unwrap();
    assert_eq!(decoded, wasm);

    let r = c
        .get(format!("{}/{WASM_NAME}", gw.url))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(h(&r, "content-encoding"), "gzip");
    let compressed = r.bytes().await.unwrap();
    let mut decoded = Vec::new();
    flate2::read::GzDecoder::new(compressed.as_ref())
        .read_to_end(&mut decoded)
        .unwrap();
    assert_eq!(decoded, wasm);

    // Index too (it is small but over the threshold) and API answers.
    let r = c
        .get(format!("{}/{JS_NAME}", gw.url))
        .header("accept-encoding", "br, gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(h(&r, "content-encoding"), "br");
    // Without Accept-Encoding: identity.
    let r = get(format!("{}/{WASM_NAME}", gw.url)).await;
    assert!(r.headers().get("content-encoding").is_none());
}

#[tokio::test]
async fn console_routes_fall_back_to_index_but_missing_assets_are_404() {
    let dist = make_dist();
    let gw = hosting(dist.path(), CspSettings::default()).await;
    let c = client();
    let html = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
    for route in [
        "/executions/EX2025070121014501xxxxxx",
        "/settings",
        "/executions/EX1?embed=1",
    ] {
        let r = c
            .get(format!("{}{route}", gw.url))
            .header("accept", html)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{route}");
        assert_eq!(h(&r, "cache-control"), "no-cache");
        assert!(h(&r, "content-security-policy").contains(&sha256_b64(LOADER)));
        assert_eq!(r.text().await.unwrap(), index_html(LOADER), "{route}");
    }
    // A missing asset is a 404 even for a browser navigation.
    for missing in [
        "/foo.js",
        "/coc-console-0000000000000000_bg.wasm",
        "/img/logo.png",
        "/style.css",
    ] {
        let r = c
            .get(format!("{}{missing}", gw.url))
            .header("accept", html)
            .send()
            .await
            .unwrap();
        assert_eq!(
            error_code(r).await,
            (404, "GATEWAY.NOT_FOUND".into()),
            "{missing}"
        );
    }
    // A console route asked for as data (fetch, curl) is a 404, not a page.
    let r = c
        .get(format!("{}/executions/EX1", gw.url))
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    // The API and control prefixes never fall back to the page.
    for api in ["/v1/unknown", "/__sim/faults", "/v1"] {
        let r = c
            .get(format!("{}{api}", gw.url))
            .header("accept", html)
            .send()
            .await
            .unwrap();
        assert_eq!(
            error_code(r).await,
            (404, "GATEWAY.ROUTE_NOT_ALLOWED".into()),
            "{api}"
        );
    }
    // Only GET and HEAD.
    let r = c.head(format!("{}/", gw.url)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers().get("content-security-policy").is_some());
    let r = c.post(format!("{}/", gw.url)).send().await.unwrap();
    expect_error(r, 405, "GATEWAY.METHOD_NOT_ALLOWED").await;
}

#[tokio::test]
async fn without_a_build_a_placeholder_page_says_how_to_build() {
    let gw = gateway(forwarding("http://127.0.0.1:9")).await;
    let c = client();
    let r = get(format!("{}/", gw.url)).await;
    assert_eq!(r.status(), 200);
    assert!(h(&r, "content-security-policy").starts_with("default-src 'self'"));
    let body = r.text().await.unwrap();
    assert!(
        body.contains("not built") && body.contains("cargo xtask serve"),
        "{body}"
    );
    let r = c
        .get(format!("{}/executions/EX1", gw.url))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert!(r.text().await.unwrap().contains("not built"));
    let r = get(format!("{}/foo.js", gw.url)).await;
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn health_answers_without_touching_the_upstream() {
    let up = recorder().await;
    let gw = gateway(forwarding(&up.url)).await;
    let r = client()
        .get(format!("{}/healthz", gw.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    assert_eq!(up.count(), 0);
}

#[tokio::test]
async fn a_static_dir_without_index_html_is_refused_at_start() {
    let empty = tempfile::tempdir().unwrap();
    let mut config = forwarding("http://127.0.0.1:9");
    config.static_dir = Some(empty.path().to_owned());
    let err = coc_gateway::spawn(&config).await.unwrap_err();
    assert!(err.to_string().contains("index.html"), "{err}");
}

fn brotli_bytes(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &data[..], &mut out, &params).unwrap();
    out
}

fn gzip_bytes(data: &[u8]) -> Vec<u8> {
    use std::io::Write as _;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn unbrotli(data: &[u8]) -> Vec<u8> {
    let mut decoded = Vec::new();
    brotli::Decompressor::new(data, 4096)
        .read_to_end(&mut decoded)
        .unwrap();
    decoded
}

fn vary_has_accept_encoding(r: &reqwest::Response) -> bool {
    r.headers().get_all("vary").iter().any(|v| {
        v.to_str()
            .unwrap()
            .to_ascii_lowercase()
            .contains("accept-encoding")
    })
}

#[tokio::test]
async fn precompressed_siblings_are_served_as_they_are() {
    let dist = make_dist();
    let wasm = std::fs::read(dist.path().join(WASM_NAME)).unwrap();
    let (br, gz) = (brotli_bytes(&wasm), gzip_bytes(&wasm));
    std::fs::write(dist.path().join(format!("{WASM_NAME}.br")), &br).unwrap();
    std::fs::write(dist.path().join(format!("{WASM_NAME}.gz")), &gz).unwrap();
    let gw = hosting(dist.path(), CspSettings::default()).await;
    let c = client();
    let url = format!("{}/{WASM_NAME}", gw.url);

    for (accept, encoding, sibling) in [("br, gzip", "br", &br), ("gzip", "gzip", &gz)] {
        let r = c
            .get(&url)
            .header("accept-encoding", accept)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(h(&r, "content-encoding"), encoding);
        assert_eq!(h(&r, "content-type"), "application/wasm");
        assert_eq!(
            h(&r, "cache-control"),
            "public, max-age=31536000, immutable"
        );
        assert!(vary_has_accept_encoding(&r), "{accept}");
        // The sibling's own bytes: not compressed again, not recompressed.
        assert_eq!(r.bytes().await.unwrap().as_ref(), sibling.as_slice());
    }
    assert_eq!(unbrotli(&br), wasm);

    // No Accept-Encoding: the file itself.
    let r = get(&url).await;
    assert!(r.headers().get("content-encoding").is_none());
    assert_eq!(h(&r, "content-type"), "application/wasm");
    assert_eq!(r.bytes().await.unwrap().as_ref(), wasm.as_slice());

    // A file without siblings is still compressed, on the fly.
    let js = std::fs::read(dist.path().join(JS_NAME)).unwrap();
    let r = c
        .get(format!("{}/{JS_NAME}", gw.url))
        .header("accept-encoding", "br")
        .send()
        .await
        .unwrap();
    assert_eq!(h(&r, "content-encoding"), "br");
    assert!(vary_has_accept_encoding(&r));
    let body = r.bytes().await.unwrap();
    assert!(body.len() < js.len() / 4, "{} vs {}", body.len(), js.len());
    assert_eq!(unbrotli(&body), js);
}

#[tokio::test]
async fn index_is_compressed_once_with_its_csp_and_identity_without_accept_encoding() {
    let dist = make_dist();
    let gw = hosting(dist.path(), CspSettings::default()).await;
    let c = client();
    let html = index_html(LOADER);
    for route in ["/", "/index.html", "/executions/EX1"] {
        let r = c
            .get(format!("{}{route}", gw.url))
            .header("accept", "text/html")
            .header("accept-encoding", "gzip, deflate, br")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{route}");
        assert_eq!(h(&r, "content-encoding"), "br", "{route}");
        assert_eq!(h(&r, "content-type"), "text/html; charset=utf-8");
        assert_eq!(h(&r, "cache-control"), "no-cache");
        assert!(vary_has_accept_encoding(&r), "{route}");
        assert!(
            h(&r, "content-security-policy").contains(&sha256_b64(LOADER)),
            "{route}"
        );
        assert_eq!(unbrotli(&r.bytes().await.unwrap()), html.as_bytes());
    }
    let r = c
        .get(format!("{}/", gw.url))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(h(&r, "content-encoding"), "gzip");
    let mut decoded = String::new();
    flate2::read::GzDecoder::new(r.bytes().await.unwrap().as_ref())
        .read_to_string(&mut decoded)
        .unwrap();
    assert_eq!(decoded, html);

    let r = get(format!("{}/", gw.url)).await;
    assert!(r.headers().get("content-encoding").is_none());
    assert!(vary_has_accept_encoding(&r));
    assert_eq!(r.text().await.unwrap(), html);

    // A rebuilt index is compressed again: the new bytes, the new hash.
    let new_loader = format!("{LOADER}console.log('rebuilt');\n");
    std::fs::write(dist.path().join("index.html"), index_html(&new_loader)).unwrap();
    let r = c
        .get(format!("{}/", gw.url))
        .header("accept-encoding", "br")
        .send()
        .await
        .unwrap();
    assert!(h(&r, "content-security-policy").contains(&sha256_b64(&new_loader)));
    assert_eq!(
        unbrotli(&r.bytes().await.unwrap()),
        index_html(&new_loader).as_bytes()
    );
}
