//! What an outside probe of the gateway found (issue 12, "Hardening"), each
//! as the request that showed it: DNS rebinding through `Host`, an id that
//! spells another route, lenient ExecuteDocument bodies, raw separators in
//! the log, and the small ones (`OPTIONS *`, CONNECT, `.d.ts`, CSP and
//! `X-Frame-Options` on every answer). Slow and idle clients are
//! `clients.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use coc_gateway::CspSettings;
use common::*;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

const EX: &str = "EX2025070121014501aaaaaa";

// ------------------------------------------------------------ item 2: Host

fn terminate_as(host: &str, origin: &str) -> String {
    format!(
        "POST /v1/executions HTTP/1.1\nHost: {host}\nOrigin: {origin}\nContent-Type: application/json\nContent-Length: {}",
        TERMINATE_BODY.len()
    )
}

const TERMINATE_BODY: &str =
    r#"{"execution_id":"EX2025070121014501aaaaaa","operate_type":"TERMINATE"}"#;

#[tokio::test]
async fn a_rebinding_host_is_refused_421_before_anything_is_forwarded() {
    let up = recorder().await;
    let gw = gateway(forwarding(&up.url)).await;
    let port = gw.addr.port();
    let evil = format!("rebind.evil.example:{port}");
    let r = raw_with_body(
        gw.addr,
        &terminate_as(&evil, &format!("http://{evil}")),
        TERMINATE_BODY.as_bytes(),
    )
    .await;
    assert_eq!(raw_status(&r), 421, "{r}");
    assert_eq!(
        raw_json(&r)["error_code"],
        "GATEWAY.HOST_NOT_ALLOWED",
        "{r}"
    );
    assert!(
        raw_json(&r)["error_msg"]
            .as_str()
            .unwrap()
            .contains("--public-host"),
        "{r}"
    );
    // Reads and the console's files too; health answers whatever the Host.
    for path in [format!("/v1/executions/{EX}"), "/".to_owned()] {
        let r = raw(gw.addr, &format!("GET {path} HTTP/1.1\nHost: {evil}")).await;
        assert_eq!(raw_status(&r), 421, "{path}: {r}");
    }
    let r = raw(gw.addr, &format!("GET /healthz HTTP/1.1\nHost: {evil}")).await;
    assert_eq!(raw_status(&r), 200, "{r}");
    assert_eq!(up.count(), 0, "{:?}", up.seen.lock().unwrap());

    // Its own names still work: the listen address and localhost.
    for host in [gw.addr.to_string(), format!("localhost:{port}")] {
        let r = raw_with_body(
            gw.addr,
            &terminate_as(&host, &format!("http://{host}")),
            TERMINATE_BODY.as_bytes(),
        )
        .await;
        assert_eq!(raw_status(&r), 200, "{host}: {r}");
    }
    assert_eq!(up.count(), 2);
}

#[tokio::test]
async fn a_public_host_is_accepted_when_configured() {
    let up = recorder().await;
    let mut config = forwarding(&up.url);
    config.public_hosts = vec!["coc.example.test".to_owned()];
    let gw = gateway(config).await;
    let r = raw(
        gw.addr,
        &format!("GET /v1/executions/{EX} HTTP/1.1\nHost: coc.example.test"),
    )
    .await;
    assert_eq!(raw_status(&r), 200, "{r}");
    let r = raw(
        gw.addr,
        &format!("GET /v1/executions/{EX} HTTP/1.1\nHost: other.example.test"),
    )
    .await;
    assert_eq!(raw_status(&r), 421, "{r}");
    assert_eq!(up.count(), 1);
}

#[tokio::test]
async fn same_origin_compares_the_scheme_and_one_origin_only() {
    let up = recorder().await;
    let gw = gateway(forwarding(&up.url)).await;
    let host = gw.addr.to_string();
    // Same host and port, other scheme: not this gateway's origin.
    let r = raw_with_body(
        gw.addr,
        &terminate_as(&host, &format!("https://{host}")),
        TERMINATE_BODY.as_bytes(),
    )
    .await;
    assert_eq!(raw_status(&r), 403, "{r}");
    assert_eq!(
        raw_json(&r)["error_code"],
        "GATEWAY.ORIGIN_NOT_ALLOWED",
        "{r}"
    );
    // Two Origin headers, the first one ours: refused, not half-read.
    let r = raw_with_body(
        gw.addr,
        &format!(
            "{}\nOrigin: https://evil.example.test",
            terminate_as(&host, &format!("http://{host}"))
        ),
        TERMINATE_BODY.as_bytes(),
    )
    .await;
    assert_eq!(raw_status(&r), 400, "{r}");
    assert_eq!(raw_json(&r)["error_code"], "GATEWAY.BAD_HEADER", "{r}");
    assert_eq!(up.count(), 0);
}

// ------------------------------------------------------------ item 3: ids

#[tokio::test]
async fn an_execution_id_spelled_instances_is_refused() {
    let up = recorder().await;
    let gw = gateway(forwarding(&up.url)).await;
    for path in [
        "/v1/executions/%69nstances",
        "/v1/executions/INSTANCES",
        "/v1/executions/Instance%73",
        "/v1/executions/%69nstances/steps",
    ] {
        let r = get(format!("{}{path}", gw.url)).await;
        let (status, code) = error_code(r).await;
        assert_eq!(
            (status, code.as_str()),
            (400, "GATEWAY.RESERVED_ID"),
            "{path}"
        );
    }
    assert_eq!(up.count(), 0, "{:?}", up.seen.lock().unwrap());
    // The instances route itself is untouched.
    let r = get(format!(
        "{}/v1/executions/instances?execution_step_id=ST1",
        gw.url
    ))
    .await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        up.last().path_and_query,
        "/v1/executions/instances?execution_step_id=ST1"
    );
}

// ------------------------------------------------------------ item 4: bodies

#[tokio::test]
async fn execute_document_bodies_are_strict_and_forwarded_as_sent() {
    let up = recorder().await;
    let gw = gateway(forwarding(&up.url)).await;
    let c = client();
    let url = format!("{}/v1/documents/DM2025070118023901xxxxxx", gw.url);
    let refused = [
        r#"{"parameters":[{"key":"k","value":"v","x":1}]}"#,
        r#"{"sys_tags":[{"key":"k","value":"v","deep":{"x":1}}]}"#,
        r#"{"targets":[{"key":"InstanceValues","values":[],"extra":1}]}"#,
        r#"{"parameters":[{"value":"v"}]}"#,
        r#"{"targets":[{"key":"InstanceValues"}]}"#,
        r#"{"version":"1","version":"2"}"#,
        r#"{"parameters":[{"key":"a","key":"b"}]}"#,
        r#"{"targets":[{"key":"InstanceValues","values":[{"id":1,"id":2}]}]}"#,
        r#"{"targets":[{"key":"InstanceValues","values":[[{"n":{"a":1,"a":1}}]]}]}"#,
        r#"{"description":"x","unknown":1}"#,
    ];
    for body in refused {
        let r = c
            .post(&url)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        let (status, code) = error_code(r).await;
        assert_eq!(
            (status, code.as_str()),
            (400, "GATEWAY.INVALID_JSON"),
            "{body}"
        );
    }
    assert_eq!(up.count(), 0, "{:?}", up.seen.lock().unwrap());

    let sent = serde_json::json!({
        "version": "v2",
        "parameters": [{"key": "k"}, {"key": "m", "value": "v"}],
        "sys_tags": [{"key": "_sys_enterprise_project_id", "value": "0"}],
        "target_parameter_name": "hosts",
        "targets": [{"key": "InstanceValues", "values": [
            {"resource_id": "i-1", "nested": [1, {"a": null, "b": [true]}]}, 2
        ]}],
        "document_type": "PRIVATE",
        "description": "as sent"
    });
    let r = c.post(&url).json(&sent).send().await.unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let forwarded: serde_json::Value = serde_json::from_slice(&up.last().body).unwrap();
    assert_eq!(forwarded, sent);
}

// ------------------------------------------------------------ item 6: logs

#[tokio::test]
async fn separators_and_controls_in_paths_are_escaped_in_text_logs() {
    let (child, url) = start_with_nofile(
        None,
        &["--port", "0", "--log-format", "text", "--log-level", "info"],
    )
    .await;
    let addr: SocketAddr = url.trim_start_matches("http://").parse().unwrap();
    // NEL, LINE SEPARATOR, RIGHT-TO-LEFT OVERRIDE, raw in the request target.
    let mut s = TcpStream::connect(addr).await.unwrap();
    let mut request = b"GET /x".to_vec();
    request.extend_from_slice("\u{85}y\u{2028}z\u{202E}w".as_bytes());
    request.extend_from_slice(
        format!(" HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes(),
    );
    s.write_all(&request).await.unwrap();
    let (got, _) = read_until_closed(&mut s, Duration::from_secs(5)).await;
    assert!(!got.is_empty());
    let log = stderr_of(child).await;
    let line = log
        .lines()
        .find(|l| l.contains("coc_gateway::access") && l.contains("/x"))
        .unwrap_or_else(|| panic!("no access line for /x…: {log:?}"));
    assert!(line.contains("/x%C2%85y%E2%80%A8z%E2%80%AEw"), "{line:?}");
    for raw in ['\u{85}', '\u{2028}', '\u{202E}'] {
        assert!(!log.contains(raw), "{raw:?} reached the log raw: {log:?}");
    }
}

// ------------------------------------------------------------ item 7: small ones

#[tokio::test]
async fn options_star_and_dot_segments_are_refused_before_cors() {
    let up = recorder().await;
    let mut config = forwarding(&up.url);
    config.allow_origins = vec!["http://portal.example.test".to_owned()];
    let gw = gateway(config).await;
    let preflight = "Origin: http://portal.example.test\nAccess-Control-Request-Method: POST";
    for (target, code) in [
        ("*", "GATEWAY.BAD_REQUEST_TARGET"),
        ("/v1/anything/../x", "GATEWAY.PATH_TRAVERSAL"),
        ("/v1/executions/%2e%2e/x", "GATEWAY.PATH_TRAVERSAL"),
    ] {
        let r = raw(
            gw.addr,
            &format!("OPTIONS {target} HTTP/1.1\nHost: {}\n{preflight}", gw.addr),
        )
        .await;
        assert_eq!(raw_status(&r), 400, "{target}: {r}");
        assert_eq!(raw_json(&r)["error_code"], code, "{target}: {r}");
        assert!(
            !r.to_ascii_lowercase()
                .contains("access-control-allow-origin"),
            "{target}: {r}"
        );
    }
    // A preflight for a real route is still granted.
    let r = raw(
        gw.addr,
        &format!(
            "OPTIONS /v1/executions HTTP/1.1\nHost: {}\n{preflight}",
            gw.addr
        ),
    )
    .await;
    assert_eq!(raw_status(&r), 200, "{r}");
    assert_eq!(up.count(), 0);
}

#[tokio::test]
async fn connect_is_refused_as_connect() {
    let up = recorder().await;
    let gw = gateway(forwarding(&up.url)).await;
    let r = raw(
        gw.addr,
        &format!("CONNECT evil.example:443 HTTP/1.1\nHost: {}", gw.addr),
    )
    .await;
    assert_eq!(raw_status(&r), 400, "{r}");
    let body = raw_json(&r);
    assert_eq!(body["error_code"], "GATEWAY.BAD_REQUEST_TARGET");
    let msg = body["error_msg"].as_str().unwrap();
    assert!(
        msg.contains("CONNECT") && msg.contains("not supported"),
        "{msg}"
    );
    assert!(!msg.contains("absolute-form"), "{msg}");
    assert_eq!(up.count(), 0);
}

fn dist() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::write(
        p.join("index.html"),
        "<!doctype html><html><head><script type=\"module\">import '/coc-console-4f1a2b3c4d5e6f70.js';</script></head><body data-coc-console></body></html>",
    )
    .unwrap();
    std::fs::write(p.join("coc-console-4f1a2b3c4d5e6f70.js"), "export {};\n").unwrap();
    std::fs::write(
        p.join("coc-execution.d.ts"),
        "export declare const x: number;\n",
    )
    .unwrap();
    std::fs::write(p.join("types.ts"), "export const x = 1;\n").unwrap();
    std::fs::write(p.join("robots.txt"), "User-agent: *\n").unwrap();
    std::fs::write(p.join("help.html"), "<!doctype html><p>help</p>").unwrap();
    dir
}

async fn hosting(dir: &std::path::Path, frame_ancestors: &[&str]) -> coc_gateway::Running {
    let mut config = forwarding("http://127.0.0.1:9");
    config.static_dir = Some(dir.to_owned());
    config.csp = CspSettings {
        frame_ancestors: frame_ancestors.iter().map(|s| (*s).to_owned()).collect(),
        ..CspSettings::default()
    };
    gateway(config).await
}

#[tokio::test]
async fn typescript_is_served_as_text_not_video() {
    let dir = dist();
    let gw = hosting(dir.path(), &["'self'"]).await;
    for file in ["coc-execution.d.ts", "types.ts"] {
        let r = get(format!("{}/{file}", gw.url)).await;
        assert_eq!(r.status(), 200, "{file}");
        let ct = h(&r, "content-type").to_owned();
        assert!(
            ct.starts_with("text/plain") || ct.starts_with("application/typescript"),
            "{file}: {ct}"
        );
    }
}

/// A browser merges a 304's headers into the copy it cached: a page's
/// revalidation answered with the assets' `default-src 'none'` would block
/// every script of the page on its next load.
#[tokio::test]
async fn a_page_revalidated_with_304_keeps_the_page_csp() {
    let dir = dist();
    let gw = hosting(dir.path(), &["'self'"]).await;
    let first = get(format!("{}/help.html", gw.url)).await;
    let modified = h(&first, "last-modified").to_owned();
    let page_csp = h(&first, "content-security-policy").to_owned();
    assert!(page_csp.contains("script-src 'self'"), "{page_csp}");
    let revalidate = async |path: &str| {
        client()
            .get(format!("{}{path}", gw.url))
            .header("if-modified-since", &modified)
            .send()
            .await
            .unwrap()
    };
    let again = revalidate("/help.html").await;
    assert_eq!(again.status(), 304);
    assert_eq!(h(&again, "content-security-policy"), page_csp);
    assert_eq!(header(&again, "x-frame-options"), Some("SAMEORIGIN"));
    let asset = revalidate("/robots.txt").await;
    assert_eq!(asset.status(), 304);
    assert!(h(&asset, "content-security-policy").contains("default-src 'none'"));
}

#[tokio::test]
async fn every_answer_has_a_csp_and_frame_options_that_match_the_embed_policy() {
    let dir = dist();
    // Default: only this gateway may frame the console.
    let gw = hosting(dir.path(), &["'self'"]).await;
    for path in ["/", "/executions/EX1?embed=1", "/help.html"] {
        let r = client()
            .get(format!("{}{path}", gw.url))
            .header("accept", "text/html")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{path}");
        assert!(
            h(&r, "content-security-policy").contains("frame-ancestors 'self'"),
            "{path}"
        );
        assert_eq!(header(&r, "x-frame-options"), Some("SAMEORIGIN"), "{path}");
    }
    for path in [
        "/coc-console-4f1a2b3c4d5e6f70.js",
        "/robots.txt",
        "/coc-execution.d.ts",
    ] {
        let r = get(format!("{}{path}", gw.url)).await;
        assert_eq!(r.status(), 200, "{path}");
        let csp = header(&r, "content-security-policy")
            .unwrap_or_else(|| panic!("{path} has no CSP"))
            .to_owned();
        assert!(csp.contains("default-src 'none'"), "{path}: {csp}");
        assert_eq!(header(&r, "x-frame-options"), Some("DENY"), "{path}");
    }
    for path in ["/healthz", "/v1/nope", "/nope.js"] {
        let r = get(format!("{}{path}", gw.url)).await;
        assert_eq!(header(&r, "x-frame-options"), Some("DENY"), "{path}");
    }

    // A portal may frame ?embed=1: X-Frame-Options cannot name it, so the
    // page carries none and frame-ancestors decides.
    let portal = hosting(dir.path(), &["https://portal.example.test"]).await;
    let r = client()
        .get(format!("{}/executions/EX1?embed=1", portal.url))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert!(
        h(&r, "content-security-policy").contains("frame-ancestors https://portal.example.test"),
        "{r:?}"
    );
    assert_eq!(header(&r, "x-frame-options"), None);
    let none = hosting(dir.path(), &["'none'"]).await;
    let r = get(format!("{}/", none.url)).await;
    assert_eq!(header(&r, "x-frame-options"), Some("DENY"));
}
