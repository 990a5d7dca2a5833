//! CORS: preflights for allowed and refused origins, what is exposed, and
//! that a cross-site page cannot make the gateway sign a request for it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;

const PORTAL: &str = "http://portal.example.test:3000";
const EVIL: &str = "https://evil.example.test";

async fn setup() -> (Recorder, coc_gateway::Running) {
    let up = recorder().await;
    let mut config = forwarding(&up.url);
    config.allow_origins = vec![PORTAL.to_owned(), "https://other.example.test".to_owned()];
    (up, gateway(config).await)
}

#[tokio::test]
async fn preflight_from_an_allowed_origin_is_granted() {
    let (up, gw) = setup().await;
    let r = client()
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/v1/executions", gw.url),
        )
        .header("origin", PORTAL)
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "content-type,x-auth-token",
        )
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    assert_eq!(header(&r, "access-control-allow-origin"), Some(PORTAL));
    let methods = header(&r, "access-control-allow-methods")
        .unwrap()
        .to_ascii_uppercase();
    assert!(
        methods.contains("GET") && methods.contains("POST"),
        "{methods}"
    );
    assert!(!methods.contains("DELETE") && !methods.contains("PUT"));
    let allowed = header(&r, "access-control-allow-headers")
        .unwrap()
        .to_ascii_lowercase();
    assert!(
        allowed.contains("content-type") && allowed.contains("x-auth-token"),
        "{allowed}"
    );
    assert!(!allowed.contains('*'));
    assert_eq!(header(&r, "access-control-allow-credentials"), None);
    assert!(header(&r, "access-control-max-age").is_some());
    let vary = header(&r, "vary").unwrap().to_ascii_lowercase();
    assert!(vary.contains("origin"), "{vary}");
    assert_eq!(up.count(), 0, "a preflight is never forwarded");
}

#[tokio::test]
async fn preflight_from_a_disallowed_origin_gets_no_grant() {
    let (up, gw) = setup().await;
    for origin in [
        EVIL,
        "null",
        "http://portal.example.test:3001",
        "http://portal.example.test",
    ] {
        let r = client()
            .request(
                reqwest::Method::OPTIONS,
                format!("{}/v1/executions", gw.url),
            )
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .send()
            .await
            .unwrap();
        assert_eq!(header(&r, "access-control-allow-origin"), None, "{origin}");
        assert_eq!(header(&r, "access-control-allow-credentials"), None);
    }
    // An allowed origin asking for a header the console does not need is not
    // granted that header (the browser then refuses the request).
    let r = client()
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/v1/executions", gw.url),
        )
        .header("origin", PORTAL)
        .header("access-control-request-method", "GET")
        .header("access-control-request-headers", "x-evil")
        .send()
        .await
        .unwrap();
    let allowed = header(&r, "access-control-allow-headers").unwrap_or_default();
    assert!(
        !allowed.to_ascii_lowercase().contains("x-evil"),
        "{allowed}"
    );
    assert_eq!(up.count(), 0);
}

#[tokio::test]
async fn simple_requests_from_an_allowed_origin_see_the_request_id() {
    let (up, gw) = setup().await;
    let r = client()
        .get(format!("{}/v1/executions/EX1", gw.url))
        .header("origin", PORTAL)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(header(&r, "access-control-allow-origin"), Some(PORTAL));
    let exposed = header(&r, "access-control-expose-headers")
        .unwrap()
        .to_ascii_lowercase();
    assert!(exposed.contains("x-request-id"), "{exposed}");
    assert_eq!(header(&r, "access-control-allow-credentials"), None);
    assert_eq!(up.count(), 1);
}

#[tokio::test]
async fn requests_from_a_disallowed_origin_get_no_grant_and_are_not_forwarded() {
    let (up, gw) = setup().await;
    let c = client();
    let r = c
        .get(format!("{}/v1/executions/EX1", gw.url))
        .header("origin", EVIL)
        .send()
        .await
        .unwrap();
    assert_eq!(header(&r, "access-control-allow-origin"), None);
    expect_error(r, 403, "GATEWAY.ORIGIN_NOT_ALLOWED").await;

    // The CSRF case: a "simple" cross-site POST needs no preflight, so CORS
    // alone would let it through to be signed with the gateway's AK/SK.
    let r = c
        .post(format!("{}/v1/executions", gw.url))
        .header("origin", EVIL)
        .header("content-type", "text/plain")
        .body(r#"{"execution_id":"EX1","operate_type":"TERMINATE"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(header(&r, "access-control-allow-origin"), None);
    expect_error(r, 403, "GATEWAY.ORIGIN_NOT_ALLOWED").await;
    // Even an allowed origin cannot skip the preflight with text/plain.
    let r = c
        .post(format!("{}/v1/executions", gw.url))
        .header("origin", PORTAL)
        .header("content-type", "text/plain")
        .body(r#"{"execution_id":"EX1","operate_type":"TERMINATE"}"#)
        .send()
        .await
        .unwrap();
    expect_error(r, 415, "GATEWAY.UNSUPPORTED_MEDIA_TYPE").await;
    assert_eq!(up.count(), 0);
}

#[tokio::test]
async fn same_origin_needs_no_allowlist_entry() {
    let up = recorder().await;
    let gw = gateway(forwarding(&up.url)).await; // empty allowlist
    let r = client()
        .post(format!("{}/v1/executions", gw.url))
        .header("origin", gw.url.as_str())
        .json(&serde_json::json!({"execution_id": "EX1", "operate_type": "RESUME"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // Same-origin responses need no CORS grant.
    assert_eq!(header(&r, "access-control-allow-origin"), None);
    assert_eq!(up.count(), 1);
}

#[tokio::test]
async fn static_files_are_not_origin_checked() {
    let up = recorder().await;
    let gw = gateway(forwarding(&up.url)).await;
    let r = client()
        .get(format!("{}/", gw.url))
        .header("origin", EVIL)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(header(&r, "access-control-allow-origin"), None);
}

#[tokio::test]
async fn a_wildcard_origin_is_refused_at_start() {
    let mut config = forwarding("http://127.0.0.1:9");
    config.allow_origins = vec!["*".to_owned()];
    let err = coc_gateway::spawn(&config).await.unwrap_err();
    assert!(err.to_string().contains("wildcard"), "{err}");
}

#[tokio::test]
async fn console_assets_are_shared_with_allowed_origins_only() {
    // A portal page loads the <coc-execution> script and its wasm from the
    // gateway's origin: module scripts and wasm fetches need a CORS grant.
    let dist = tempfile::tempdir().unwrap();
    std::fs::write(
        dist.path().join("index.html"),
        "<!doctype html><title>x</title>",
    )
    .unwrap();
    std::fs::write(
        dist.path().join("coc-element-0123456789abcdef.js"),
        "export {};",
    )
    .unwrap();
    let mut config = forwarding("http://127.0.0.1:9");
    config.allow_origins = vec![PORTAL.to_owned()];
    config.static_dir = Some(dist.path().to_owned());
    let gw = gateway(config).await;
    let url = format!("{}/coc-element-0123456789abcdef.js", gw.url);
    let r = client()
        .get(&url)
        .header("origin", PORTAL)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(header(&r, "access-control-allow-origin"), Some(PORTAL));
    let r = client()
        .get(&url)
        .header("origin", EVIL)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(header(&r, "access-control-allow-origin"), None);
}
