//! What crosses the gateway and what does not: headers, tokens, cookies,
//! request ids, and how upstream failures come back.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

mod common;

use std::time::{Duration, Instant};

use axum::Router;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use coc_gateway::UpstreamAuth;
use common::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const TOKEN: &str = "MIIEtoken-value.for_test-9f8e7d";

#[tokio::test]
async fn browser_headers_and_cookies_are_not_forwarded() {
    let up = recorder().await;
    let gw = gateway(forwarding(&up.url)).await;
    let r = client()
        .get(format!("{}/v1/executions/EX1", gw.url))
        .header("cookie", "session=abc; other=def")
        .header("authorization", "Bearer browser-secret")
        .header("x-auth-token", TOKEN)
        .header("x-custom-header", "hello")
        .header("x-forwarded-for", "10.9.8.7")
        .header("x-request-id", "browser-chosen-id")
        .header("user-agent", "Mozilla/5.0 test")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // Upstream response headers other than content-type and request id are dropped.
    assert!(r.headers().get("set-cookie").is_none());
    assert!(r.headers().get("x-upstream-internal").is_none());
    assert_eq!(r.headers()["content-type"], "application/json");
    assert_eq!(r.headers()["cache-control"], "no-store");

    let seen = up.last();
    let names: Vec<&str> = seen.headers.iter().map(|(n, _)| n.as_str()).collect();
    for forbidden in [
        "cookie",
        "authorization",
        "x-auth-token",
        "x-custom-header",
        "x-forwarded-for",
        "x-request-id",
    ] {
        assert!(
            !names.contains(&forbidden),
            "{forbidden} was forwarded: {names:?}"
        );
    }
    assert!(
        seen.header("user-agent")
            .unwrap()
            .starts_with("coc-gateway/")
    );
    let all = format!("{:?}", seen.headers);
    assert!(!all.contains(TOKEN) && !all.contains("browser-secret") && !all.contains("abc"));
}

#[tokio::test]
async fn token_passthrough_reaches_the_upstream_only_when_configured() {
    let up = recorder().await;
    let mut config = forwarding(&up.url);
    config.auth = UpstreamAuth::PassthroughToken;
    let gw = gateway(config).await;
    let c = client();

    let r = c
        .get(format!("{}/v1/executions/EX1", gw.url))
        .header("x-auth-token", TOKEN)
        .header("cookie", "session=abc")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let seen = up.last();
    assert_eq!(seen.header("x-auth-token"), Some(TOKEN));
    assert_eq!(seen.header("cookie"), None);
    assert_eq!(seen.header("authorization"), None);

    // POST too.
    let r = c
        .post(format!("{}/v1/executions", gw.url))
        .header("x-auth-token", TOKEN)
        .json(&serde_json::json!({"execution_id": "EX1", "operate_type": "RETRY"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(up.last().header("x-auth-token"), Some(TOKEN));
    assert_eq!(up.count(), 2);

    // Without a token, or with a malformed one, the gateway refuses.
    let r = get(format!("{}/v1/executions/EX1", gw.url)).await;
    expect_error(r, 401, "GATEWAY.TOKEN_REQUIRED").await;
    let r = c
        .get(format!("{}/v1/executions/EX1", gw.url))
        .header("x-auth-token", "two words")
        .send()
        .await
        .unwrap();
    expect_error(r, 401, "GATEWAY.TOKEN_REQUIRED").await;
    assert_eq!(up.count(), 2);

    // Not configured: the same token goes nowhere.
    let gw2 = gateway(forwarding(&up.url)).await;
    let r = c
        .get(format!("{}/v1/executions/EX1", gw2.url))
        .header("x-auth-token", TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(up.count(), 3);
    assert_eq!(up.last().header("x-auth-token"), None);
}

#[tokio::test]
async fn request_ids_flow_back_or_are_generated() {
    let with_id = recorder_with(Some("upstream-req-1")).await;
    let without_id = recorder_with(None).await;

    let gw = gateway(forwarding(&with_id.url)).await;
    let r = get(format!("{}/v1/executions/EX1", gw.url)).await;
    assert_eq!(r.headers()["x-request-id"], "upstream-req-1");

    let gw = gateway(forwarding(&without_id.url)).await;
    let mut ids = Vec::new();
    for _ in 0..2 {
        let r = get(format!("{}/v1/executions/EX1", gw.url)).await;
        assert_eq!(r.status(), 200);
        let id = r.headers()["x-request-id"].to_str().unwrap().to_owned();
        assert!(is_uuid_v4(&id), "{id}");
        ids.push(id);
    }
    assert_ne!(ids[0], ids[1]);

    // The gateway's own errors carry one in the header and in the body.
    let r = get(format!("{}/v1/nope", gw.url)).await;
    let id = r.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert!(is_uuid_v4(&id), "{id}");
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["request_id"], id);
    assert_eq!(body["error_code"], "GATEWAY.ROUTE_NOT_ALLOWED");
    assert!(body["error_msg"].as_str().unwrap().contains("/v1/nope"));

    // And the console's core parser reads a gateway error like a COC one.
    let headers = vec![("X-request-id".to_owned(), id.clone())];
    let bytes = serde_json::to_vec(&body).unwrap();
    let err = coc_core::Operation::parse_response(
        &coc_core::GetExecution::new("EX1").unwrap(),
        &coc_core::HttpResponse::new(404, &headers, &bytes),
    )
    .unwrap_err();
    assert_eq!(err.error_code(), Some("GATEWAY.ROUTE_NOT_ALLOWED"));
    assert_eq!(err.request_id(), Some(id.as_str()));
}

fn is_uuid_v4(s: &str) -> bool {
    uuid::Uuid::parse_str(s).is_ok_and(|u| u.get_version_num() == 4)
}

#[tokio::test]
async fn upstream_status_and_body_pass_through_unchanged() {
    let app = Router::new()
        .route(
            "/v1/executions",
            axum::routing::post(|| async {
                (
                    StatusCode::BAD_REQUEST,
                    [
                        ("content-type", "application/json"),
                        ("x-request-id", "r-400"),
                    ],
                    r#"{"error_code":"COC.00040702","error_msg":"target instance does not exist"}"#,
                )
            }),
        )
        .route(
            "/v1/executions/{id}",
            axum::routing::get(|| async {
                (
                    StatusCode::BAD_GATEWAY,
                    [("content-type", "text/html")],
                    "<html><body>502 Bad Gateway</body></html>",
                )
                    .into_response()
            }),
        );
    let (url, _task) = serve(app).await;
    let gw = gateway(forwarding(&url)).await;
    let c = client();
    let r = c
        .post(format!("{}/v1/executions", gw.url))
        .json(&serde_json::json!({"execution_id": "EX1", "operate_type": "RETRY"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(r.headers()["x-request-id"], "r-400");
    assert_eq!(
        r.text().await.unwrap(),
        r#"{"error_code":"COC.00040702","error_msg":"target instance does not exist"}"#
    );
    let r = get(format!("{}/v1/executions/EX1", gw.url)).await;
    assert_eq!(r.status(), 502);
    assert_eq!(r.headers()["content-type"], "text/html");
    assert_eq!(
        r.text().await.unwrap(),
        "<html><body>502 Bad Gateway</body></html>"
    );
}

#[tokio::test]
async fn a_slow_upstream_hits_the_total_timeout() {
    // The upstream never answers; nothing sleeps.
    let app = Router::new().fallback(std::future::pending::<&'static str>);
    let (url, _task) = serve(app).await;
    let mut config = forwarding(&url);
    config.timeout = Duration::from_millis(300);
    let gw = gateway(config).await;
    let started = Instant::now();
    let r = client()
        .get(format!("{}/v1/executions/EX1", gw.url))
        .send()
        .await
        .unwrap();
    let elapsed = started.elapsed();
    let id = r.headers()["x-request-id"].to_str().unwrap().to_owned();
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error_code"], "GATEWAY.UPSTREAM_TIMEOUT", "{body}");
    assert_eq!(body["request_id"], id);
    assert!(body["error_msg"].as_str().unwrap().contains("300 ms"));
    // Measured, not asserted tightly: it must be the timeout that ended it.
    assert!(elapsed >= Duration::from_millis(300), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
    eprintln!("timeout answered after {elapsed:?} (configured 300 ms)");
}

#[tokio::test]
async fn a_body_that_stalls_also_hits_the_timeout() {
    // Headers arrive, the body never finishes.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let _task = tokio::spawn(async move {
        loop {
            let Ok((mut s, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = s.read(&mut buf).await;
                let _ = s
                    .write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"data\":")
                    .await;
                std::future::pending::<()>().await;
            });
        }
    });
    let mut config = forwarding(&format!("http://{addr}"));
    config.timeout = Duration::from_millis(300);
    let gw = gateway(config).await;
    let r = client()
        .get(format!("{}/v1/executions/EX1", gw.url))
        .send()
        .await
        .unwrap();
    expect_error(r, 504, "GATEWAY.UPSTREAM_TIMEOUT").await;
}

#[tokio::test]
async fn an_upstream_that_is_down_is_unreachable() {
    // A port that was free a moment ago and has nobody listening.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let gw = gateway(forwarding(&format!("http://{addr}"))).await;
    let r = client()
        .get(format!("{}/v1/executions/EX1", gw.url))
        .send()
        .await
        .unwrap();
    assert!(r.headers().contains_key("x-request-id"));
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error_code"], "GATEWAY.UPSTREAM_UNREACHABLE", "{body}");
    assert!(
        body["error_msg"]
            .as_str()
            .unwrap()
            .contains(&addr.to_string())
    );
}

/// Accepts connections and does `behave` with each.
async fn raw_upstream(behave: &'static [u8]) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut s, _)) = listener.accept().await else {
                return;
            };
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf).await;
            let _ = s.write_all(behave).await;
            drop(s);
        }
    });
    format!("http://{addr}")
}

#[tokio::test]
async fn an_upstream_dropping_the_connection_is_a_bad_response() {
    for (what, behaviour) in [
        ("closes before answering", &b""[..]),
        (
            "closes mid-body",
            &b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"data\":{\"execu"[..],
        ),
        ("answers garbage", &b"this is not http\r\n\r\n"[..]),
    ] {
        let url = raw_upstream(behaviour).await;
        let gw = gateway(forwarding(&url)).await;
        let r = get(format!("{}/v1/executions/EX1", gw.url)).await;
        assert_eq!(
            error_code(r).await,
            (502, "GATEWAY.UPSTREAM_BAD_RESPONSE".into()),
            "{what}"
        );
    }
}

#[tokio::test]
async fn an_operate_request_is_sent_once_even_when_the_connection_drops() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let count = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = std::sync::Arc::clone(&count);
    tokio::spawn(async move {
        loop {
            let Ok((mut s, _)) = listener.accept().await else {
                return;
            };
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf).await;
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            drop(s);
        }
    });
    let gw = gateway(forwarding(&format!("http://{addr}"))).await;
    let r = client()
        .post(format!("{}/v1/executions", gw.url))
        .json(&serde_json::json!({"execution_id": "EX1", "operate_type": "TERMINATE"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 502);
    assert_eq!(
        count.load(std::sync::atomic::Ordering::SeqCst),
        1,
        "retried"
    );
}
