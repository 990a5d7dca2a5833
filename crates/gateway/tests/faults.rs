//! A misbehaving upstream, written for these tests, against a real gateway:
//! one that accepts and never answers, one that sends half a body and
//! resets, one that answers 200 with HTML, one that answers 1 GiB. For each,
//! a read gets the typed error and an operation gets `OUTCOME_UNKNOWN`
//! (sent once, recorded as unknown), the gateway lets go of the upstream
//! connection, and it goes on answering everyone else meanwhile.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

mod common;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

/// What the upstream does with each request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Misbehave {
    /// Reads the request and never answers (nor closes).
    Hang,
    /// Declares 500 bytes, sends 30, resets the connection.
    HalfThenReset,
    /// 200 with a captive portal's page.
    Html200,
    /// 200 declaring 1 GiB, streamed until the gateway stops reading.
    OneGibDeclared,
    /// The same, chunked, with no length to refuse up front.
    OneGibChunked,
}

/// How one upstream connection ended.
#[derive(Debug)]
struct Ended {
    /// Body bytes the upstream managed to write.
    written: usize,
}

struct Upstream {
    url: String,
    /// Requests that reached the upstream.
    requests: Arc<AtomicUsize>,
    /// One message per connection, when the gateway let go of it.
    ended: mpsc::UnboundedReceiver<Ended>,
}

const GIB: usize = 1 << 30;

async fn misbehaving(mode: Misbehave) -> Upstream {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let requests = Arc::new(AtomicUsize::new(0));
    let (tx, ended) = mpsc::unbounded_channel();
    let counter = Arc::clone(&requests);
    tokio::spawn(async move {
        while let Ok((s, _)) = listener.accept().await {
            let (counter, tx) = (Arc::clone(&counter), tx.clone());
            tokio::spawn(async move {
                let written = serve_one(s, mode, &counter).await;
                let _ = tx.send(Ended { written });
            });
        }
    });
    Upstream {
        url,
        requests,
        ended,
    }
}

/// Misbehaves on one connection; returns once the gateway has closed it.
async fn serve_one(mut s: TcpStream, mode: Misbehave, requests: &AtomicUsize) -> usize {
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match s.read(&mut buf).await {
            Ok(0) | Err(_) => return 0,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    requests.fetch_add(1, Ordering::SeqCst);
    match mode {
        Misbehave::Hang => {
            // Until the gateway gives up: then the read sees its close.
            let _ = read_until_closed(&mut s, Duration::from_secs(30)).await;
            0
        }
        Misbehave::HalfThenReset => {
            let part = b"{\"data\":{\"execution_id\":\"EX1\",";
            let _ = s
                .write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n",
                )
                .await;
            let _ = s.write_all(part).await;
            // SO_LINGER 0: close with a reset, as a crashed peer does. (The
            // deprecation is about lingering closes blocking; a zero linger
            // resets at once.)
            #[allow(deprecated)]
            let _ = s.set_linger(Some(Duration::ZERO));
            drop(s);
            part.len()
        }
        Misbehave::Html200 => {
            let page = "<!doctype html><html><body><h1>Sign in to continue</h1></body></html>";
            let _ = s
                .write_all(
                    format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{page}",
                        page.len()
                    )
                    .as_bytes(),
                )
                .await;
            // A complete answer: the connection could be reused, so this
            // upstream says it is not (one request per connection here).
            page.len()
        }
        Misbehave::OneGibDeclared | Misbehave::OneGibChunked => {
            let chunked = mode == Misbehave::OneGibChunked;
            let head = if chunked {
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n".to_owned()
            } else {
                format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {GIB}\r\n\r\n"
                )
            };
            if s.write_all(head.as_bytes()).await.is_err() {
                return 0;
            }
            let block = vec![b' '; 64 * 1024];
            let mut framed = format!("{:x}\r\n", block.len()).into_bytes();
            framed.extend_from_slice(&block);
            framed.extend_from_slice(b"\r\n");
            let mut written = 0;
            while written < GIB {
                let out = if chunked { &framed } else { &block };
                if s.write_all(out).await.is_err() {
                    break;
                }
                written += block.len();
            }
            written
        }
    }
}

/// A forwarding gateway with a short total timeout, in front of `up`.
async fn gateway_for(up: &Upstream) -> coc_gateway::Running {
    let mut config = forwarding(&up.url);
    config.timeout = Duration::from_millis(800);
    gateway(config).await
}

/// The gateway let go of the upstream connection, soon.
async fn released(up: &mut Upstream) -> Ended {
    tokio::time::timeout(Duration::from_secs(10), up.ended.recv())
        .await
        .expect("the gateway closed the upstream connection")
        .expect("the upstream task is alive")
}

/// `/healthz` answers while `slow` is in flight.
async fn answers_others_meanwhile(gw: SocketAddr) {
    let r = client()
        .get(format!("http://{gw}/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

/// What a GET and a POST get from an upstream misbehaving as `mode`.
async fn check(mode: Misbehave, read: (u16, &str, &str), write_status: u16) -> (Ended, Ended) {
    let mut up = misbehaving(mode).await;
    let gw = gateway_for(&up).await;

    let pending = tokio::spawn(get(format!("{}/v1/executions/EX1", gw.url)));
    answers_others_meanwhile(gw.addr).await;
    let r = pending.await.unwrap();
    let (status, code, words) = read;
    let id = h(&r, "x-request-id").to_owned();
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(
        (body["error_code"].as_str().unwrap(), status),
        (code, status),
        "{mode:?}: {body}"
    );
    assert_eq!(body["request_id"], id, "{mode:?}");
    let msg = body["error_msg"].as_str().unwrap();
    assert!(msg.contains(words), "{mode:?}: {msg}");
    let read_end = released(&mut up).await;

    let c = client();
    let r = operate(&c, &gw.url, "EX1", "TERMINATE", None, None)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), write_status, "{mode:?}");
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(
        body["error_code"], "GATEWAY.OUTCOME_UNKNOWN",
        "{mode:?}: {body}"
    );
    let msg = body["error_msg"].as_str().unwrap();
    assert!(
        msg.contains("may have been applied") && msg.contains("not retried"),
        "{mode:?}: {msg}"
    );
    let write_end = released(&mut up).await;
    assert_eq!(
        up.requests.load(Ordering::SeqCst),
        2,
        "{mode:?}: one GET, one POST, no retry"
    );

    let page = audit_page(&c, &gw.url, "outcome=unknown", None).await;
    assert_eq!(page.records.len(), 1, "{mode:?}: {page:?}");
    assert_eq!(page.records[0].operation, "TERMINATE");
    assert_eq!(
        page.records[0].error_code.as_deref(),
        Some("GATEWAY.OUTCOME_UNKNOWN")
    );
    (read_end, write_end)
}

#[tokio::test]
async fn an_upstream_that_never_answers_times_out_and_is_let_go() {
    check(
        Misbehave::Hang,
        (504, "GATEWAY.UPSTREAM_TIMEOUT", "800 ms"),
        504,
    )
    .await;
}

#[tokio::test]
async fn half_a_body_then_a_reset_is_a_bad_response() {
    check(
        Misbehave::HalfThenReset,
        (502, "GATEWAY.UPSTREAM_BAD_RESPONSE", "failed"),
        502,
    )
    .await;
}

#[tokio::test]
async fn a_200_with_html_is_not_relayed_as_success() {
    check(
        Misbehave::Html200,
        (
            502,
            "GATEWAY.UPSTREAM_BAD_RESPONSE",
            "\"text/html\", not JSON",
        ),
        502,
    )
    .await;
}

#[tokio::test]
async fn a_declared_gibibyte_is_refused_before_it_is_read() {
    let (read, write) = check(
        Misbehave::OneGibDeclared,
        (
            502,
            "GATEWAY.UPSTREAM_BAD_RESPONSE",
            "declares 1073741824 bytes",
        ),
        502,
    )
    .await;
    // Socket buffers take some before the close is seen; nothing near 1 GiB.
    for end in [read, write] {
        assert!(end.written < 16 << 20, "{end:?}");
    }
}

#[tokio::test]
async fn an_endless_chunked_body_is_cut_at_the_relay_limit() {
    let (read, write) = check(
        Misbehave::OneGibChunked,
        (502, "GATEWAY.UPSTREAM_BAD_RESPONSE", "larger than"),
        502,
    )
    .await;
    let limit = coc_gateway::MAX_UPSTREAM_BODY;
    for end in [read, write] {
        assert!(
            end.written >= limit && end.written < limit + (16 << 20),
            "read up to the limit and stopped: {end:?}"
        );
    }
}

/// The check itself can fail: a well-behaved 200 JSON answer is relayed.
#[tokio::test]
async fn a_json_200_still_passes() {
    let up = recorder().await;
    let gw = gateway(forwarding(&up.url)).await;
    let r = get(format!("{}/v1/executions/EX1", gw.url)).await;
    assert_eq!(r.status(), 200);
}
