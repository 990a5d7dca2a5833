//! Each fault knob, over real TCP.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

mod common;

use std::time::{Duration, Instant};

use coc_simulator::*;
use common::{start, start_manual};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test]
async fn faults_are_read_and_set_through_the_control_route() {
    let srv = start_manual().await;
    assert_eq!(
        srv.get("/__sim/faults").await.json,
        json!(Faults::default())
    );
    let set = json!({
        "latency_ms": 5, "error_rate": 0.25, "html_502_rate": 0.5, "drop_rate": 0.0,
        "truncate_rate": 0.0, "html_200_rate": 0.0, "oversize_rate": 0.0,
    });
    let a = srv.put("/__sim/faults", &set).await;
    assert_eq!((a.status, &a.json), (200, &set));
    assert_eq!(srv.sim.faults().error_rate, 0.25);
    for bad in [
        json!({"error_rate": 1.5}),
        json!({"drop_rate": -0.1}),
        json!({"truncate_rate": 2.0}),
        json!({"latency": 3}),
        json!({"latency_ms": "slow"}),
    ] {
        let a = srv.put("/__sim/faults", &bad).await;
        assert_eq!(a.status, 400, "{bad}");
        assert!(!a.error_msg().is_empty());
    }
    assert_eq!(
        srv.get("/__sim/faults").await.json,
        set,
        "refused updates change nothing"
    );
}

#[tokio::test]
async fn latency_delays_answers_without_blocking_other_requests() {
    let srv = start_manual().await;
    srv.sim.set_faults(Faults {
        latency_ms: 400,
        ..Faults::default()
    });
    let started = Instant::now();
    let a = srv.get(&format!("/v1/executions/{TICKET_RUNNING}")).await;
    let one = started.elapsed();
    assert_eq!(a.status, 200);
    assert!(one >= Duration::from_millis(400), "{one:?}");

    // While slow requests sleep, the server keeps answering: a control
    // request sent after them comes back before any of them.
    let slow: Vec<_> = (0..4)
        .map(|_| {
            let (http, url) = (srv.http.clone(), srv.url("/v1/executions?limit=1"));
            tokio::spawn(async move {
                let started = Instant::now();
                let status = http.get(url).send().await.unwrap().status();
                (status, started.elapsed())
            })
        })
        .collect();
    let clock = srv.get("/__sim/clock").await;
    assert_eq!(clock.status, 200);
    assert!(
        slow.iter().all(|t| !t.is_finished()),
        "control answered first"
    );
    let started = Instant::now();
    for t in slow {
        let (status, took) = t.await.unwrap();
        assert_eq!(status, 200);
        assert!(took >= Duration::from_millis(400), "{took:?}");
    }
    // Reported, not asserted: four concurrent 400 ms requests.
    println!(
        "one request {one:?}; four concurrent ones done {:?} after the control answer",
        started.elapsed()
    );
}

#[tokio::test]
async fn error_rate_one_gives_coc_500s_and_the_operation_is_not_applied() {
    let srv = start_manual().await;
    srv.put("/__sim/faults", &json!({"error_rate": 1.0})).await;
    for _ in 0..5 {
        let a = srv.get("/v1/executions").await;
        assert_eq!(a.status, 500);
        assert_eq!(a.error_code(), error::SYSTEM_ERROR);
        assert!(!a.request_id().is_empty());
    }
    let a = srv.operate(TICKET_RUNNING, "TERMINATE").await;
    assert_eq!(a.status, 500);
    srv.put("/__sim/faults", &json!({})).await;
    assert_eq!(srv.status(TICKET_RUNNING).await, "Running");
    assert!(srv.operations(TICKET_RUNNING).await.is_empty());
}

#[tokio::test]
async fn error_rate_half_fails_some_requests() {
    let srv = start_manual().await;
    srv.sim.set_faults(Faults {
        error_rate: 0.5,
        ..Faults::default()
    });
    let mut failed = 0;
    for _ in 0..60 {
        if srv.get("/v1/executions?limit=1").await.status == 500 {
            failed += 1;
        }
    }
    assert!((10..=50).contains(&failed), "{failed} of 60");
}

#[tokio::test]
async fn html_502_looks_like_a_proxy_page() {
    let srv = start(Config {
        faults: Faults {
            html_502_rate: 1.0,
            ..Faults::default()
        },
        ..Config::manual()
    })
    .await;
    let a = srv.get(&format!("/v1/executions/{TICKET_RUNNING}")).await;
    assert_eq!(a.status, 502);
    assert_eq!(a.headers["content-type"], "text/html");
    assert!(
        a.text.contains("<title>502 Bad Gateway</title>"),
        "{}",
        a.text
    );
    assert!(a.json.is_null(), "not JSON");
    // The core reports it as an HTTP error with an excerpt, not a COC error.
    let op = coc_core::GetExecution::new(TICKET_RUNNING).unwrap();
    let err = coc_core::Operation::parse_response(
        &op,
        &coc_core::HttpResponse::new(502, &[], a.text.as_bytes()),
    )
    .unwrap_err();
    assert!(
        matches!(err, coc_core::Error::Http { status: 502, .. }),
        "{err}"
    );
    // Control routes are never faulted.
    assert_eq!(srv.get("/__sim/clock").await.status, 200);
}

#[tokio::test]
async fn dropped_connections_give_the_client_no_response_at_all() {
    let srv = start_manual().await;
    srv.put("/__sim/faults", &json!({"drop_rate": 1.0})).await;

    // reqwest sees a transport error, not a status.
    let err = srv
        .http
        .get(srv.url("/v1/executions"))
        .send()
        .await
        .expect_err("no response");
    assert!(err.status().is_none());
    assert!(
        err.is_request() || err.is_connect() || err.is_body(),
        "{err:?}"
    );

    // On the wire: the request goes out, and the connection closes with not
    // a single byte back.
    let addr = srv.base.trim_start_matches("http://").to_owned();
    let mut tcp = tokio::net::TcpStream::connect(&addr).await.unwrap();
    tcp.write_all(format!("GET /v1/executions HTTP/1.1\r\nHost: {addr}\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut got = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), tcp.read_to_end(&mut got))
        .await
        .expect("the server closes the connection");
    match read {
        Ok(n) => assert_eq!(n, 0, "got {:?}", String::from_utf8_lossy(&got)),
        Err(e) => assert_eq!(e.kind(), std::io::ErrorKind::ConnectionReset, "{e}"),
    }
    assert!(got.is_empty());

    // An operation on a dropped connection is not applied.
    let err = srv
        .http
        .post(srv.url("/v1/executions"))
        .body(json!({"execution_id": TICKET_RUNNING, "operate_type": "TERMINATE"}).to_string())
        .send()
        .await;
    assert!(err.is_err());
    srv.put("/__sim/faults", &json!({})).await;
    assert_eq!(srv.status(TICKET_RUNNING).await, "Running");
    assert_eq!(srv.get("/v1/executions?limit=1").await.status, 200);
}

/// Sends `request` on a fresh connection and reads until the server closes
/// it or `limit` bytes came: (bytes, whether it ended in a reset).
async fn exchange(srv: &common::Server, request: &str, limit: usize) -> (Vec<u8>, bool) {
    let addr = srv.base.trim_start_matches("http://").to_owned();
    let mut tcp = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let request = request.replace("{addr}", &addr);
    tcp.write_all(request.as_bytes()).await.unwrap();
    let mut got = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match tokio::time::timeout(Duration::from_secs(10), tcp.read(&mut buf))
            .await
            .expect("the server goes on sending or closes")
        {
            Ok(0) => return (got, false),
            Ok(n) => {
                got.extend_from_slice(&buf[..n]);
                if got.len() >= limit {
                    return (got, false);
                }
            }
            Err(e) => {
                assert_eq!(e.kind(), std::io::ErrorKind::ConnectionReset, "{e}");
                return (got, true);
            }
        }
    }
}

#[tokio::test]
async fn a_truncated_answer_breaks_off_after_the_operation_was_applied() {
    let srv = start_manual().await;
    srv.put("/__sim/faults", &json!({"truncate_rate": 1.0}))
        .await;
    let body = json!({"execution_id": TICKET_RUNNING, "operate_type": "TERMINATE"}).to_string();
    let (got, _) = exchange(
        &srv,
        &format!(
            "POST /v1/executions HTTP/1.1\r\nHost: {{addr}}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        ),
        usize::MAX,
    )
    .await;
    let text = String::from_utf8_lossy(&got).into_owned();
    let (head, sent) = text.split_once("\r\n\r\n").expect("a head came");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    let declared: usize = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length: ")
                .map(str::to_owned)
        })
        .expect("a Content-Length")
        .parse()
        .unwrap();
    assert!(
        sent.len() < declared,
        "{} of {declared} bytes: not truncated",
        sent.len()
    );
    srv.put("/__sim/faults", &json!({})).await;
    // The service handled it: the ticket is cancelling, and the log has it once.
    assert_ne!(srv.status(TICKET_RUNNING).await, "Running");
    assert_eq!(srv.sim.operations(TICKET_RUNNING).len(), 1);
}

#[tokio::test]
async fn html_200_and_oversize_answers_are_what_they_say() {
    let srv = start_manual().await;
    srv.put("/__sim/faults", &json!({"html_200_rate": 1.0}))
        .await;
    let a = srv.get(&format!("/v1/executions/{TICKET_RUNNING}")).await;
    assert_eq!(
        (a.status, a.headers["content-type"].to_str().unwrap()),
        (200, "text/html")
    );
    assert_eq!(a.text, HTML_200_BODY);

    srv.put("/__sim/faults", &json!({"oversize_rate": 1.0}))
        .await;
    // Only the first MiBs are read: the body is streamed, never built.
    let (got, _) = exchange(
        &srv,
        &format!("GET /v1/executions/{TICKET_RUNNING} HTTP/1.1\r\nHost: {{addr}}\r\n\r\n"),
        4 << 20,
    )
    .await;
    let text = String::from_utf8_lossy(&got[..1024]).into_owned();
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert!(
        text.to_ascii_lowercase()
            .contains(&format!("content-length: {OVERSIZE_BYTES}")),
        "{text}"
    );
    assert!(got.len() >= 4 << 20);
    srv.put("/__sim/faults", &json!({})).await;
    assert_eq!(srv.get("/v1/executions?limit=1").await.status, 200);
}
