//! Timings of the core's hot paths, reported, never asserted:
//! `cargo bench -p coc-core` (or `cargo xtask bench`).
//!
//! - decoding the largest ticket a console meets (10,000 targets, 1,000
//!   parameters, about 2 MB of JSON), the work behind every poll of it, and
//!   the API page's example ticket, each next to `serde_json::Value` reading
//!   the same bytes (the floor: no model, no checks), as a time ratio;
//! - building and AK/SK-signing a request, the gateway's per-request cost;
//! - operation guidance.
//!
//! Plain `Instant` timing with a warm-up and the median of many runs: no
//! benchmark framework to build, and the numbers are for a note, not a gate.

#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use coc_core::{
    Auth, Credentials, Endpoint, GetExecution, HttpResponse, ListExecutions, Operation, UnixTime,
};

fn large_ticket() -> Vec<u8> {
    let targets: Vec<serde_json::Value> = (0..10_000)
        .map(|i| {
            serde_json::json!({
                "id": format!("ins-{i:05}"), "name": format!("app-{i:05}"),
                "ip": format!("10.{}.{}.{}", i / 65536, (i / 256) % 256, i % 256),
                "region": "cn-north-4"
            })
        })
        .collect();
    let parameters: Vec<serde_json::Value> = (0..1_000)
        .map(|i| serde_json::json!({"key": format!("param_{i}"), "value": format!("value {i}")}))
        .collect();
    serde_json::to_vec(&serde_json::json!({"data": {
        "id": 1, "execution_id": "EX2025070108000010e2f4a6", "type": "BATCH", "status": "Running",
        "document_name": "Fleet patch", "start_time": 1_751_356_800_000_i64, "end_time": null,
        "parameters": parameters, "tags": [{"key": "env", "value": "prod"}],
        "target_parameter_name": "targets",
        "targets": [{"key": "InstanceValues", "values": targets}]
    }}))
    .unwrap()
}

/// Median of `runs` timings of `f`, after a short warm-up.
fn median(runs: usize, mut f: impl FnMut()) -> Duration {
    for _ in 0..runs.div_ceil(10) {
        f();
    }
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

fn main() {
    let body = large_ticket();
    let headers = vec![("X-request-id".to_owned(), "bench".to_owned())];
    let op = GetExecution::new("EX2025070108000010e2f4a6").unwrap();
    let t = median(30, || {
        let ticket = op
            .parse_response(&HttpResponse::new(200, &headers, black_box(&body)))
            .unwrap();
        black_box(ticket);
    });
    // The floor: serde_json reading the same bytes into an untyped Value,
    // with no model, no checks and no defaults.
    let floor = median(30, || {
        black_box(serde_json::from_slice::<serde_json::Value>(black_box(&body)).unwrap());
    });
    let mb = body.len() as f64 / 1e6;
    println!(
        "decode GetExecution, 10,000 targets + 1,000 parameters ({mb:.2} MB): {:.2} ms median ({:.0} MB/s); serde_json::Value of the same bytes {:.2} ms ({:.0} MB/s); core/Value time {:.2}x",
        t.as_secs_f64() * 1e3,
        mb / t.as_secs_f64(),
        floor.as_secs_f64() * 1e3,
        mb / floor.as_secs_f64(),
        t.as_secs_f64() / floor.as_secs_f64()
    );

    let small = include_bytes!("../tests/fixtures/seed_002_get_execution_response.json");
    let t = median(10_000, || {
        black_box(
            op.parse_response(&HttpResponse::new(200, &headers, black_box(small)))
                .unwrap(),
        );
    });
    let floor = median(10_000, || {
        black_box(serde_json::from_slice::<serde_json::Value>(black_box(small)).unwrap());
    });
    println!(
        "decode GetExecution, the API page example ({} bytes): {:.2} µs median ({:.0} MB/s); serde_json::Value {:.2} µs ({:.0} MB/s); core/Value time {:.2}x",
        small.len(),
        t.as_secs_f64() * 1e6,
        small.len() as f64 / 1e6 / t.as_secs_f64(),
        floor.as_secs_f64() * 1e6,
        small.len() as f64 / 1e6 / floor.as_secs_f64(),
        t.as_secs_f64() / floor.as_secs_f64()
    );

    let ticket = op
        .parse_response(&HttpResponse::new(200, &headers, &body))
        .unwrap();
    let t = median(10_000, || {
        black_box(coc_core::advise(black_box(&ticket)));
    });
    println!(
        "advise (4 operations): {:.2} µs median",
        t.as_secs_f64() * 1e6
    );

    let signed = Endpoint::new(
        "https://coc.myhuaweicloud.com",
        Auth::AkSk(Credentials::new("AK", "SK").with_project_id("p")),
    )
    .unwrap();
    let list = ListExecutions {
        limit: Some(100),
        creator: Some("ops team".into()),
        ..ListExecutions::default()
    };
    let t = median(10_000, || {
        black_box(
            signed
                .prepare(black_box(&list), UnixTime::from_secs(1_764_576_550))
                .unwrap(),
        );
    });
    println!(
        "prepare + AK/SK sign ListExecutions: {:.2} µs median",
        t.as_secs_f64() * 1e6
    );

    let plain = Endpoint::new("http://127.0.0.1:8080", Auth::None).unwrap();
    let t = median(10_000, || {
        black_box(plain.prepare(black_box(&op), UnixTime::default()).unwrap());
    });
    println!(
        "prepare GetExecution, unsigned: {:.2} µs median",
        t.as_secs_f64() * 1e6
    );
}
