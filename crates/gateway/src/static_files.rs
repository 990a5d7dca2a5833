//! Hosting the console: Trunk's `dist/` folder (or a placeholder page when
//! none is built), an SPA fallback for console routes, cache headers, and
//! the Content-Security-Policy the console runs under.
//!
//! - `index.html` is served with `Cache-Control: no-cache` and a CSP whose
//!   `script-src` lists the SHA-256 of every inline `<script>` in it (Trunk
//!   injects an inline module loader) and whose `style-src` lists every
//!   inline `<style>`. The hashes are computed when the file is first served
//!   and again whenever its size or modification time changes, so a rebuild
//!   of `dist/` under a running gateway keeps page and policy in step.
//! - Trunk's hashed assets (`name-<hex hash>.js`, `name-<hex hash>_bg.wasm`)
//!   are `public, max-age=31536000, immutable`; anything else is `no-cache`.
//! - A GET for a path that is not a file, whose last segment does not look
//!   like an asset, from a client that accepts `text/html`, is a console
//!   route (`/executions/EX…`): it gets `index.html`. `/foo.js` stays a 404.
//!
//! Files are read by tower-http's `ServeDir` (content types from the
//! extension, `application/wasm` included; ranges; conditional requests).
//! Compression is done once, not per request, where it can be:
//!
//! - a file with a `.br` or `.gz` sibling (the console's build writes them)
//!   is answered with the sibling's bytes and `Content-Encoding`, as the
//!   client's `Accept-Encoding` allows (`ServeDir`'s precompressed support);
//! - `index.html` (or the placeholder) is compressed when it is (re)loaded,
//!   and each request picks brotli, gzip or identity;
//! - anything else (a file without siblings, API answers) is compressed on
//!   the fly by the `CompressionLayer` around the whole app, which leaves a
//!   response that already has a `Content-Encoding` alone.
//!
//! Every file and page answer says `Vary: Accept-Encoding`, whichever of
//! these produced it, so a cache never hands brotli to a client without it.
//!
//! It deliberately does not write the siblings (that is the build's job, so
//! a read-only `dist/` works) nor watch `dist/` for changes: `index.html` is
//! re-read when its size or mtime changes, the hashed assets never change.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use sha2::{Digest, Sha256};
use tower::ServiceExt as _;
use tower_http::services::ServeDir;

use crate::error::GatewayError;
use crate::routes::is_api_path;
use crate::state::AppState;

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Everything that is not a page (scripts, wasm, styles, text): opened on
/// its own as a document, it may load and run nothing, nor be framed.
const ASSET_CSP: &str = "default-src 'none'; frame-ancestors 'none'";

/// Marks a console page whose `X-Frame-Options` follows its
/// `frame-ancestors`, so that the server's default (`DENY`) leaves it alone.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FramingDecided;
const NO_CACHE: &str = "no-cache";

/// Shown when no console build exists.
pub const PLACEHOLDER: &str = r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>COC console not built</title>
</head>
<body>
<main>
<h1>The COC console is not built yet</h1>
<p>This gateway is running, and the COC job-execution API works at <code>/v1/executions</code>
(try <code>curl http://HOST:PORT/v1/executions</code>).</p>
<p>To serve the console, build it with Trunk (<code>cargo xtask serve</code> does this for you),
then start the gateway from the workspace root, or point it at the build with
<code>--static-dir path/to/dist</code>.</p>
</main>
</body>
</html>
"#;

/// What the CSP allows beyond this gateway's own origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CspSettings {
    /// Extra `connect-src` origins (other gateways the console may call).
    pub connect_src: Vec<String>,
    /// `frame-ancestors` sources; `'self'` by default.
    pub frame_ancestors: Vec<String>,
}

impl Default for CspSettings {
    fn default() -> Self {
        Self {
            connect_src: Vec::new(),
            frame_ancestors: vec!["'self'".to_owned()],
        }
    }
}

/// A CSP source value that would break out of its directive.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid CSP source {value:?} for {directive}: {reason}")]
pub struct CspError {
    directive: &'static str,
    value: String,
    reason: &'static str,
}

impl CspSettings {
    /// Checks that every value is a single CSP source expression.
    pub fn validate(&self) -> Result<(), CspError> {
        for (directive, values) in [
            ("connect-src", &self.connect_src),
            ("frame-ancestors", &self.frame_ancestors),
        ] {
            for v in values {
                let bad = |reason| CspError {
                    directive,
                    value: v.clone(),
                    reason,
                };
                if v.is_empty() {
                    return Err(bad("is empty"));
                }
                if v.chars()
                    .any(|c| c == ';' || c == ',' || c.is_whitespace() || c.is_control())
                {
                    return Err(bad(
                        "must be one source (no spaces, commas or semicolons); repeat the flag for more",
                    ));
                }
                if v.contains('\'') && !matches!(v.as_str(), "'self'" | "'none'") {
                    return Err(bad(
                        "the only quoted keywords allowed are 'self' and 'none'",
                    ));
                }
            }
        }
        Ok(())
    }

    /// `X-Frame-Options` for a page, saying what `frame-ancestors` says, for
    /// browsers that know only the older header. It cannot name another
    /// origin (`ALLOW-FROM` is obsolete), so a page that portals may frame
    /// (`?embed=1`) carries none, and `frame-ancestors` alone decides.
    pub fn frame_options(&self) -> Option<&'static str> {
        match self.frame_ancestors.as_slice() {
            [] => Some("SAMEORIGIN"),
            [one] if one == "'self'" => Some("SAMEORIGIN"),
            [one] if one == "'none'" => Some("DENY"),
            _ => None,
        }
    }

    /// The policy for a page with these inline script and style hashes.
    pub fn policy(&self, script_hashes: &[String], style_hashes: &[String]) -> String {
        let quoted = |hashes: &[String]| {
            hashes
                .iter()
                .map(|h| format!(" 'sha256-{h}'"))
                .collect::<String>()
        };
        let connect: String = self.connect_src.iter().map(|s| format!(" {s}")).collect();
        let ancestors = if self.frame_ancestors.is_empty() {
            "'self'".to_owned()
        } else {
            self.frame_ancestors.join(" ")
        };
        format!(
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{}; style-src 'self'{}; \
             img-src 'self' data:; connect-src 'self'{connect}; frame-ancestors {ancestors}; \
             base-uri 'self'; object-src 'none'; form-action 'self'",
            quoted(script_hashes),
            quoted(style_hashes),
        )
    }
}

/// An HTML page with its policy, ready to send, compressed both ways.
#[derive(Debug, Clone)]
struct Page {
    body: Bytes,
    /// `None` when compressing does not make the page smaller.
    br: Option<Bytes>,
    gzip: Option<Bytes>,
    csp: HeaderValue,
    /// Size and mtime of the file it was read from; `None` for the placeholder.
    stamp: Option<(u64, Option<SystemTime>)>,
}

impl Page {
    fn new(html: Vec<u8>, csp: &CspSettings, stamp: Option<(u64, Option<SystemTime>)>) -> Self {
        let (scripts, styles) = inline_hashes(&String::from_utf8_lossy(&html));
        let policy = csp.policy(&scripts, &styles);
        let smaller =
            |packed: Option<Vec<u8>>| packed.filter(|p| p.len() < html.len()).map(Bytes::from);
        let (br, gzip) = (smaller(brotli_max(&html)), smaller(gzip_max(&html)));
        Self {
            body: html.into(),
            br,
            gzip,
            // Built from validated parts and base64: always a valid value.
            csp: HeaderValue::from_str(&policy)
                .unwrap_or_else(|_| HeaderValue::from_static("default-src 'none'")),
            stamp,
        }
    }

    /// The bytes for a client that accepts these encodings, and their
    /// `Content-Encoding` (none for identity).
    fn variant(&self, accepted: Accepted) -> (Bytes, Option<&'static str>) {
        let pick = |name: &'static str, bytes: &Option<Bytes>| {
            bytes.as_ref().map(|b| (b.clone(), Some(name)))
        };
        let br = accepted.br.then(|| pick("br", &self.br)).flatten();
        let gzip = accepted.gzip.then(|| pick("gzip", &self.gzip)).flatten();
        let (first, second) = if accepted.gzip_first {
            (gzip, br)
        } else {
            (br, gzip)
        };
        first
            .or(second)
            .unwrap_or_else(|| (self.body.clone(), None))
    }
}

/// Page sizes are a few KB and compressed once per (re)load, so the
/// slowest, smallest settings cost nothing that matters.
fn brotli_max(data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &data[..], &mut out, &params).ok()?;
    Some(out)
}

fn gzip_max(data: &[u8]) -> Option<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(data).ok()?;
    encoder.finish().ok()
}

/// Which of the two encodings a client takes, from `Accept-Encoding`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Accepted {
    br: bool,
    gzip: bool,
    /// The client weighs gzip above brotli (brotli wins ties: it is smaller).
    gzip_first: bool,
}

/// Reads `Accept-Encoding` with its q-values: `q=0` refuses, `*` stands for
/// every coding not named. No header at all means identity, as a client that
/// sends none (curl, scripts) expects bytes it can read.
fn accepted_encodings(headers: &HeaderMap) -> Accepted {
    let (mut br, mut gzip, mut any) = (None::<f32>, None::<f32>, None::<f32>);
    for item in headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
    {
        let mut parts = item.split(';');
        let name = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        match name.as_str() {
            "br" => br = Some(q),
            "gzip" | "x-gzip" => gzip = Some(q),
            "*" => any = Some(q),
            _ => {}
        }
    }
    let br = br.or(any).unwrap_or(0.0);
    let gzip = gzip.or(any).unwrap_or(0.0);
    Accepted {
        br: br > 0.0,
        gzip: gzip > 0.0,
        gzip_first: gzip > br,
    }
}

/// The console's files.
#[derive(Debug)]
pub(crate) struct StaticSite {
    dir: Option<PathBuf>,
    files: Option<ServeDir>,
    csp: CspSettings,
    index: Mutex<Arc<Page>>,
}

impl StaticSite {
    /// `dir` must contain `index.html`; `None` serves the placeholder.
    pub(crate) fn new(dir: Option<PathBuf>, csp: CspSettings) -> Result<Self, crate::Error> {
        let placeholder = Page::new(PLACEHOLDER.as_bytes().to_vec(), &csp, None);
        let (files, index) = match &dir {
            Some(d) => {
                let index_path = d.join("index.html");
                let html =
                    std::fs::read(&index_path).map_err(|source| crate::Error::StaticDir {
                        path: index_path.clone(),
                        source,
                    })?;
                let stamp = stamp(&std::fs::metadata(&index_path).ok());
                (
                    Some(
                        ServeDir::new(d)
                            .append_index_html_on_directories(false)
                            .precompressed_br()
                            .precompressed_gzip(),
                    ),
                    Page::new(html, &csp, stamp),
                )
            }
            None => (None, placeholder),
        };
        Ok(Self {
            dir,
            files,
            csp,
            index: Mutex::new(Arc::new(index)),
        })
    }

    /// The directory served, when there is one.
    pub(crate) fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// `index.html`, re-read if it changed on disk.
    async fn index(&self) -> Arc<Page> {
        let current = match self.index.lock() {
            Ok(g) => Arc::clone(&g),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        };
        let Some(dir) = &self.dir else {
            return current;
        };
        let path = dir.join("index.html");
        let meta = tokio::fs::metadata(&path).await.ok();
        let now = stamp(&meta);
        if now.is_none() || now == current.stamp {
            return current;
        }
        match tokio::fs::read(&path).await {
            Ok(html) => {
                let page = Arc::new(Page::new(html, &self.csp, now));
                if let Ok(mut g) = self.index.lock() {
                    *g = Arc::clone(&page);
                }
                page
            }
            Err(_) => current,
        }
    }

    async fn index_response(&self, head: bool, accepted: Accepted) -> Response {
        let page = self.index().await;
        let (bytes, encoding) = page.variant(accepted);
        let body = if head {
            Body::empty()
        } else {
            Body::from(bytes)
        };
        let mut response = Response::new(body);
        let h = response.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static(NO_CACHE));
        h.insert(header::CONTENT_SECURITY_POLICY, page.csp.clone());
        page_framing(&mut response, &self.csp);
        let h = response.headers_mut();
        if let Some(encoding) = encoding {
            h.insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
        }
        vary_on_encoding(h);
        response
    }
}

/// A page's `X-Frame-Options`, and the mark that it has been decided.
fn page_framing(response: &mut Response, csp: &CspSettings) {
    if let Some(value) = csp.frame_options() {
        response
            .headers_mut()
            .insert(header::X_FRAME_OPTIONS, HeaderValue::from_static(value));
    }
    response.extensions_mut().insert(FramingDecided);
}

/// `.ts` is TypeScript here (the element's `.d.ts`), not the MPEG transport
/// stream `mime_guess` takes it for; as text, with `nosniff`, it can only
/// be read.
fn is_typescript(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    [".ts", ".mts", ".cts"]
        .iter()
        .any(|ext| name.ends_with(ext))
}

/// Adds `Vary: Accept-Encoding` unless it is there. The compression layer
/// adds it only to what it compresses itself, not to precompressed answers.
fn vary_on_encoding(h: &mut HeaderMap) {
    let present = h
        .get_all(header::VARY)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|v| v.trim().eq_ignore_ascii_case("accept-encoding") || v.trim() == "*");
    if !present {
        h.append(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
}

fn stamp(meta: &Option<std::fs::Metadata>) -> Option<(u64, Option<SystemTime>)> {
    meta.as_ref().map(|m| (m.len(), m.modified().ok()))
}

/// The fallback handler: everything that is not an API, control or health route.
pub(crate) async fn serve(State(state): State<Arc<AppState>>, req: Request) -> Response {
    let site = &state.site;
    let path = req.uri().path().to_owned();
    if is_api_path(&path) {
        return GatewayError::route_not_allowed(&path).into_response();
    }
    let head = req.method() == Method::HEAD;
    let accepted = accepted_encodings(req.headers());
    if req.method() != Method::GET && !head {
        return GatewayError::method_not_allowed(req.method().as_str(), "GET, HEAD")
            .into_response();
    }
    if path == "/" || path == "/index.html" {
        return site.index_response(head, accepted).await;
    }
    let wants_html = accepts_html(req.headers());
    if let Some(files) = &site.files {
        let Ok(response) = files.clone().oneshot(req).await;
        if response.status() != StatusCode::NOT_FOUND {
            let mut response = response.map(Body::new);
            let cache = if is_hashed_asset(&path) {
                IMMUTABLE
            } else {
                NO_CACHE
            };
            let h = response.headers_mut();
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
            vary_on_encoding(h);
            if is_typescript(&path) {
                h.insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/plain; charset=utf-8"),
                );
            }
            if is_page(h, &path) {
                let policy = site.csp.policy(&[], &[]);
                if let Ok(v) = HeaderValue::from_str(&policy) {
                    h.insert(header::CONTENT_SECURITY_POLICY, v);
                }
                page_framing(&mut response, &site.csp);
            } else {
                h.insert(
                    header::CONTENT_SECURITY_POLICY,
                    HeaderValue::from_static(ASSET_CSP),
                );
            }
            return response;
        }
    }
    if wants_html && !looks_like_asset(&path) {
        return site.index_response(head, accepted).await;
    }
    GatewayError::not_found(&path).into_response()
}

fn accepts_html(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.to_ascii_lowercase().contains("text/html"))
}

/// A page, by its `Content-Type`; a `304 Not Modified` has none, and is
/// judged by its path as the file server would type it. (A browser keeps
/// the headers of a 304 for its cached copy, so a page's revalidation must
/// carry the page's policy too.)
fn is_page(headers: &HeaderMap, path: &str) -> bool {
    match headers.get(header::CONTENT_TYPE) {
        Some(ct) => ct.to_str().is_ok_and(|v| v.starts_with("text/html")),
        None => {
            path.ends_with('/')
                || mime_guess::from_path(path)
                    .first()
                    .is_some_and(|m| m.essence_str() == "text/html")
        }
    }
}

/// `/foo.js`, `/img/x.png`: a file the page wanted, not a console route.
/// Ticket ids have no known extension, so `/executions/EX2025…` is a route.
fn looks_like_asset(path: &str) -> bool {
    let last = path.rsplit('/').next().unwrap_or_default();
    last.contains('.')
        && mime_guess::from_path(last)
            .first()
            .is_some_and(|m| m.essence_str() != "text/html")
}

/// Trunk names its outputs `stem-<hex hash>` followed by `.ext` or `_bg.wasm`
/// (the hash is a 64-bit seahash in lowercase hex, so up to 16 digits).
pub(crate) fn is_hashed_asset(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    let Some((_, tail)) = name.rsplit_once('-') else {
        return false;
    };
    let digits = tail.bytes().take_while(u8::is_ascii_hexdigit).count();
    let rest = &tail[digits..];
    (8..=16).contains(&digits) && (rest.starts_with('.') || rest.starts_with("_bg."))
}

/// Base64 SHA-256 of each inline `<script>` and `<style>` element's text,
/// exactly as the browser hashes it for a CSP hash source.
pub fn inline_hashes(html: &str) -> (Vec<String>, Vec<String>) {
    let hash = |text: &str| base64::engine::general_purpose::STANDARD.encode(Sha256::digest(text));
    let scripts = inline_elements(html, "script")
        .into_iter()
        .map(hash)
        .collect();
    let styles = inline_elements(html, "style")
        .into_iter()
        .map(hash)
        .collect();
    (scripts, styles)
}

/// The text of each `<tag …>text</tag>` without a `src` attribute.
fn inline_elements<'a>(html: &'a str, tag: &str) -> Vec<&'a str> {
    let lower = html.to_ascii_lowercase();
    let open = format!("<{tag}");
    let close = format!("</{tag}");
    let mut out = Vec::new();
    let mut pos = 0;
    while let Some(found) = lower[pos..].find(&open) {
        let start = pos + found;
        let after_name = start + open.len();
        let next = lower.as_bytes().get(after_name).copied();
        if !matches!(
            next,
            Some(b'>' | b'/' | b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
        ) {
            pos = after_name;
            continue;
        }
        let Some(tag_end) = end_of_tag(&lower, after_name) else {
            break;
        };
        let attrs = &lower[after_name..tag_end];
        let content_start = tag_end + 1;
        let Some(len) = lower[content_start..].find(&close) else {
            break;
        };
        if !has_attribute(attrs, "src") {
            out.push(&html[content_start..content_start + len]);
        }
        pos = content_start + len + close.len();
    }
    out
}

/// Index of the `>` that ends a start tag, skipping quoted attribute values.
fn end_of_tag(s: &str, from: usize) -> Option<usize> {
    let mut quote = None;
    for (i, c) in s[from..].char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return Some(from + i),
            _ => {}
        }
    }
    None
}

/// True when the (lowercased) attribute text has attribute `name`.
fn has_attribute(attrs: &str, name: &str) -> bool {
    let mut rest = attrs;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '/');
        if rest.is_empty() {
            return false;
        }
        let end = rest
            .find(|c: char| c.is_whitespace() || c == '=' || c == '/')
            .unwrap_or(rest.len());
        if &rest[..end] == name {
            return true;
        }
        rest = rest[end..].trim_start();
        if let Some(after_eq) = rest.strip_prefix('=') {
            let value = after_eq.trim_start();
            rest = match value.chars().next() {
                Some(q @ ('"' | '\'')) => value[1..]
                    .find(q)
                    .map(|i| &value[i + 2..])
                    .unwrap_or_default(),
                _ => {
                    let e = value.find(char::is_whitespace).unwrap_or(value.len());
                    &value[e..]
                }
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_inline_scripts_and_styles_only() {
        let html = r#"<html><head>
<script type="module">import init from '/app-1234abcd.js';
await init();</script>
<script src="/x.js"></script>
<SCRIPT data-src="no">one()</SCRIPT>
<scripts>not a script</scripts>
<style>body{color:red}</style>
<link rel="stylesheet" href="/s.css">
</head></html>"#;
        assert_eq!(
            inline_elements(html, "script"),
            [
                "import init from '/app-1234abcd.js';\nawait init();",
                "one()"
            ]
        );
        assert_eq!(inline_elements(html, "style"), ["body{color:red}"]);
        let (scripts, _) = inline_hashes("<script>alert(1)</script>");
        // echo -n 'alert(1)' | openssl dgst -sha256 -binary | base64
        assert_eq!(scripts, ["bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI="]);
    }

    #[test]
    fn attribute_detection_ignores_values() {
        assert!(has_attribute(r#" type="module" src="/a.js""#, "src"));
        assert!(has_attribute(" src=/a.js", "src"));
        assert!(!has_attribute(r#" data-src="x" title="src""#, "src"));
        assert!(!has_attribute(r#" title='a > src'"#, "src"));
    }

    #[test]
    fn hashed_assets_match_trunk_names() {
        for hashed in [
            "/coc-console-4f1a2b3c4d5e6f70_bg.wasm",
            "/coc-console-4f1a2b3c4d5e6f70.js",
            "/style-9a8b7c6d5e4f3a2b.css",
            "/x-deadbeef.js",
        ] {
            assert!(is_hashed_asset(hashed), "{hashed}");
        }
        for plain in [
            "/index.html",
            "/favicon.ico",
            "/coc-console.js",
            "/my-app.js",
            "/x-12.js",
        ] {
            assert!(!is_hashed_asset(plain), "{plain}");
        }
    }

    #[test]
    fn assets_versus_console_routes() {
        assert!(looks_like_asset("/foo.js"));
        assert!(looks_like_asset("/a/b.wasm"));
        assert!(!looks_like_asset("/executions/EX2025070121014501xxxxxx"));
        assert!(!looks_like_asset("/settings"));
        assert!(!looks_like_asset("/executions/EX.1"));
    }

    #[test]
    fn csp_values_cannot_inject_directives() {
        let ok = CspSettings {
            connect_src: vec!["https://gw.example.com".into()],
            frame_ancestors: vec!["'self'".into(), "https://portal.example.com".into()],
        };
        assert!(ok.validate().is_ok());
        let policy = ok.policy(&["abc=".into()], &[]);
        assert!(policy.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-abc='"));
        assert!(policy.contains("connect-src 'self' https://gw.example.com;"));
        assert!(policy.contains("frame-ancestors 'self' https://portal.example.com;"));
        assert!(!policy.contains("unsafe-inline") && !policy.contains(" 'unsafe-eval'"));
        for bad in ["x; script-src *", "a b", "'unsafe-inline'", ""] {
            let s = CspSettings {
                frame_ancestors: vec![bad.into()],
                ..CspSettings::default()
            };
            assert!(s.validate().is_err(), "{bad:?}");
        }
    }

    fn accepted(value: &str) -> Accepted {
        let mut h = HeaderMap::new();
        h.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_str(value).unwrap(),
        );
        accepted_encodings(&h)
    }

    #[test]
    fn accept_encoding_with_q_values() {
        let both = Accepted {
            br: true,
            gzip: true,
            gzip_first: false,
        };
        assert_eq!(accepted_encodings(&HeaderMap::new()), Accepted::default());
        assert_eq!(accepted("gzip, deflate, br, zstd"), both);
        assert_eq!(accepted("*"), both);
        assert_eq!(
            accepted("br;q=0, *"),
            Accepted {
                br: false,
                gzip: true,
                gzip_first: true
            }
        );
        assert_eq!(
            accepted("BR;q=0.5, gzip;q=0.8"),
            Accepted {
                gzip_first: true,
                ..both
            }
        );
        assert_eq!(accepted("identity, deflate"), Accepted::default());
        assert_eq!(
            accepted("gzip;q=0"),
            Accepted {
                br: false,
                gzip: false,
                gzip_first: false
            }
        );
    }

    #[test]
    fn a_page_is_compressed_once_and_picked_per_client() {
        let html = format!("<!doctype html><p>{}</p>", "console ".repeat(200)).into_bytes();
        let page = Page::new(html.clone(), &CspSettings::default(), None);
        let (bytes, enc) = page.variant(accepted("gzip, br"));
        assert_eq!(enc, Some("br"));
        let mut decoded = Vec::new();
        brotli::BrotliDecompress(&mut bytes.as_ref(), &mut decoded).unwrap();
        assert_eq!(decoded, html);
        let (bytes, enc) = page.variant(accepted("gzip"));
        assert_eq!(enc, Some("gzip"));
        let mut decoded = Vec::new();
        std::io::Read::read_to_end(
            &mut flate2::read::GzDecoder::new(bytes.as_ref()),
            &mut decoded,
        )
        .unwrap();
        assert_eq!(decoded, html);
        assert_eq!(page.variant(Accepted::default()), (Bytes::from(html), None));
        // A page too small to gain keeps only its identity bytes.
        let tiny = Page::new(b"<p>".to_vec(), &CspSettings::default(), None);
        assert_eq!(tiny.variant(accepted("br, gzip")).1, None);
    }
}
