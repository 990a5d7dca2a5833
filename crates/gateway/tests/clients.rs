//! Slow, idle and too many clients (issue 12, "Hardening"): the header-read,
//! keep-alive and body-read timeouts, the connection cap under the open-file
//! limit, and a body that ends short. Timeouts are set to a second or two so
//! that the tests stay fast.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use coc_gateway::{ClientLimits, Config};
use common::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn short(config: Config, header_ms: u64, idle_ms: u64, body_ms: u64) -> Config {
    Config {
        client: ClientLimits {
            header_read_timeout: Duration::from_millis(header_ms),
            keep_alive_timeout: Duration::from_millis(idle_ms),
            body_read_timeout: Duration::from_millis(body_ms),
            max_connections: config.client.max_connections,
        },
        ..config
    }
}

/// Reads one response with a Content-Length body off a kept-alive stream.
async fn read_response(stream: &mut TcpStream) -> String {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let text = String::from_utf8_lossy(&out).into_owned();
        if let Some(end) = text.find("\r\n\r\n") {
            let len = text[..end]
                .lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case("content-length")
                        .then(|| v.trim().parse::<usize>().ok())?
                })
                .unwrap_or(0);
            if out.len() >= end + 4 + len {
                return text;
            }
        }
        let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf))
            .await
            .expect("a response within 5 s")
            .unwrap();
        assert!(n > 0, "closed mid-response: {text:?}");
        out.extend_from_slice(&buf[..n]);
    }
}

// ------------------------------------------------------------ item 1: clients

#[tokio::test]
async fn silent_and_half_sent_heads_are_closed_after_the_header_timeout() {
    let gw = gateway(short(forwarding("http://127.0.0.1:9"), 1000, 5000, 5000)).await;
    // Nothing at all.
    let mut silent = TcpStream::connect(gw.addr).await.unwrap();
    // Half a header block, then nothing.
    let mut half = TcpStream::connect(gw.addr).await.unwrap();
    half.write_all(format!("GET /healthz HTTP/1.1\r\nHost: {}\r\n", gw.addr).as_bytes())
        .await
        .unwrap();
    // A slowloris: a header line every 300 ms, never the blank line.
    let mut slow = TcpStream::connect(gw.addr).await.unwrap();
    let addr = gw.addr;
    let dribble = tokio::spawn(async move {
        let _ = slow
            .write_all(format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\n").as_bytes())
            .await;
        for i in 0..20 {
            tokio::time::sleep(Duration::from_millis(300)).await;
            if slow
                .write_all(format!("X-{i}: y\r\n").as_bytes())
                .await
                .is_err()
            {
                return (slow, true);
            }
        }
        (slow, false)
    });
    for (name, stream) in [("silent", &mut silent), ("half", &mut half)] {
        let (got, closed) = read_until_closed(stream, Duration::from_secs(4)).await;
        let closed = closed.unwrap_or_else(|| panic!("{name}: still open after 4 s"));
        assert!(
            closed < Duration::from_millis(3000),
            "{name}: closed after {closed:?}"
        );
        // Closed without an answer, or with a 408: never a 200.
        let text = String::from_utf8_lossy(&got);
        assert!(
            got.is_empty() || text.starts_with("HTTP/1.1 408"),
            "{name}: {text}"
        );
    }
    let (mut slow, cut) = dribble.await.unwrap();
    if !cut {
        let (_, closed) = read_until_closed(&mut slow, Duration::from_millis(100)).await;
        assert!(
            closed.is_some(),
            "a slowloris outlived 6 s of header timeouts of 1 s"
        );
    }
    // Others are served all along.
    assert_eq!(get(format!("{}/healthz", gw.url)).await.status(), 200);
}

#[tokio::test]
async fn a_kept_alive_connection_has_its_own_idle_timeout() {
    let gw = gateway(short(forwarding("http://127.0.0.1:9"), 1000, 3000, 5000)).await;
    let mut s = TcpStream::connect(gw.addr).await.unwrap();
    let request = format!("GET /healthz HTTP/1.1\r\nHost: {}\r\n\r\n", gw.addr);
    s.write_all(request.as_bytes()).await.unwrap();
    assert!(read_response(&mut s).await.starts_with("HTTP/1.1 200"));
    // Idle for longer than the header timeout: still open.
    tokio::time::sleep(Duration::from_millis(1600)).await;
    s.write_all(request.as_bytes()).await.unwrap();
    assert!(read_response(&mut s).await.starts_with("HTTP/1.1 200"));
    // Then closed once the idle timeout has passed.
    let (got, closed) = read_until_closed(&mut s, Duration::from_secs(6)).await;
    assert!(got.is_empty(), "{:?}", String::from_utf8_lossy(&got));
    let closed = closed.expect("a kept-alive connection outlived its idle timeout");
    assert!(
        closed > Duration::from_millis(2000) && closed < Duration::from_millis(5000),
        "closed after {closed:?}, the idle timeout is 3 s"
    );
}

#[tokio::test]
async fn a_body_that_stops_arriving_is_408_and_never_forwarded() {
    let up = recorder().await;
    let gw = gateway(short(forwarding(&up.url), 5000, 5000, 1000)).await;
    let mut s = TcpStream::connect(gw.addr).await.unwrap();
    s.write_all(
        format!(
            "POST /v1/executions HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"executi",
            gw.addr
        )
        .as_bytes(),
    )
    .await
    .unwrap();
    let (got, closed) = read_until_closed(&mut s, Duration::from_secs(4)).await;
    let text = String::from_utf8_lossy(&got);
    assert!(closed.is_some(), "still open after 4 s: {text}");
    assert_eq!(raw_status(&text), 408, "{text}");
    assert_eq!(
        raw_json(&text)["error_code"],
        "GATEWAY.BODY_TIMEOUT",
        "{text}"
    );
    assert_eq!(up.count(), 0);
}

#[tokio::test]
async fn over_the_connection_cap_new_connections_are_refused_at_once_and_health_recovers() {
    let mut config = short(forwarding("http://127.0.0.1:9"), 2000, 2000, 2000);
    config.client.max_connections = Some(8);
    let gw = gateway(config).await;
    let mut idle = Vec::new();
    for _ in 0..8 {
        idle.push(TcpStream::connect(gw.addr).await.unwrap());
    }
    // Let the gateway accept all eight.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = Instant::now();
    let over = raw(
        gw.addr,
        &format!("GET /healthz HTTP/1.1\nHost: {}", gw.addr),
    )
    .await;
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "the ninth connection waited {:?}",
        started.elapsed()
    );
    assert_eq!(raw_status(&over), 503, "{over}");
    assert_eq!(
        raw_json(&over)["error_code"],
        "GATEWAY.OVERLOADED",
        "{over}"
    );
    assert!(over.to_ascii_lowercase().contains("retry-after:"), "{over}");
    // The idle eight time out, and health answers again.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let r = get(format!("{}/healthz", gw.url)).await;
    assert_eq!(r.status(), 200);
    drop(idle);
}

#[tokio::test]
async fn more_idle_sockets_than_file_descriptors_do_not_stop_the_gateway() {
    let (child, url) = start_with_nofile(
        Some(256),
        &[
            "--port",
            "0",
            "--header-read-timeout-ms",
            "1000",
            "--log-level",
            "info",
        ],
    )
    .await;
    let addr: SocketAddr = url.trim_start_matches("http://").parse().unwrap();
    // More sockets than the gateway has descriptors.
    let mut idle = Vec::new();
    for _ in 0..300 {
        if let Ok(Ok(s)) =
            tokio::time::timeout(Duration::from_secs(2), TcpStream::connect(addr)).await
        {
            idle.push(s);
        }
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    // Answered at once, 200 or 503, never left hanging.
    let started = Instant::now();
    let during = tokio::time::timeout(
        Duration::from_secs(3),
        raw(addr, &format!("GET /healthz HTTP/1.1\nHost: {addr}")),
    )
    .await
    .expect("/healthz hung while the sockets were open");
    assert!(
        [200, 503].contains(&raw_status(&during)),
        "{during} after {:?}",
        started.elapsed()
    );
    // The idle ones time out; health is back.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let after = tokio::time::timeout(
        Duration::from_secs(3),
        raw(addr, &format!("GET /healthz HTTP/1.1\nHost: {addr}")),
    )
    .await
    .expect("/healthz hung after the idle sockets timed out");
    assert_eq!(raw_status(&after), 200, "{after}");
    drop(idle);
    let log = stderr_of(child).await;
    assert!(!log.contains("Too many open files"), "{log}");
    // The cap it chose is in the log: (256 - 128) / 3.
    assert!(log.contains("max_connections=42"), "{log}");
}

// ------------------------------------------------------------ item 5: truncated

#[tokio::test]
async fn a_truncated_body_is_400_body_incomplete() {
    let up = recorder().await;
    let gw = gateway(forwarding(&up.url)).await;
    let mut s = TcpStream::connect(gw.addr).await.unwrap();
    s.write_all(
        format!(
            "POST /v1/executions HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"executi",
            gw.addr
        )
        .as_bytes(),
    )
    .await
    .unwrap();
    // The client gives up on its body and closes its side.
    s.shutdown().await.unwrap();
    let (got, _) = read_until_closed(&mut s, Duration::from_secs(5)).await;
    let text = String::from_utf8_lossy(&got);
    assert_eq!(raw_status(&text), 400, "{text}");
    assert_eq!(
        raw_json(&text)["error_code"],
        "GATEWAY.BODY_INCOMPLETE",
        "{text}"
    );
    assert_eq!(up.count(), 0);
}
