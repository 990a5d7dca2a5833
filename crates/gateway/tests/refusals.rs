//! Every route-allowlist escape is answered by the gateway itself with a
//! `GATEWAY.*` error and never reaches the upstream: a recording upstream
//! counts what arrives.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;

#[tokio::test]
async fn the_six_routes_are_forwarded_with_their_methods() {
    let up = recorder().await;
    let gw = gateway(forwarding(&up.url)).await;
    let c = client();
    let base = &gw.url;
    let gets = [
        "/v1/executions/EX2025070121014501aaaaaa",
        "/v1/executions?limit=5&offset=10&creator=ops%20team&tags=env%3Dprod",
        "/v1/executions/EX2025070121014501aaaaaa/steps?limit=2",
        "/v1/executions/instances?execution_step_id=ST1&limit=3",
    ];
    for path in gets {
        let r = get(format!("{base}{path}")).await;
        assert_eq!(r.status(), 200, "{path}");
        assert_eq!(r.text().await.unwrap(), TICKET);
    }
    let r = c
        .post(format!("{base}/v1/executions"))
        .json(&serde_json::json!({"execution_id": "EX2025070121014501aaaaaa", "operate_type": "TERMINATE"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = c
        .post(format!("{base}/v1/documents/DM2025070118023901xxxxxx"))
        .json(&serde_json::json!({"version": "v1", "parameters": [{"key": "k", "value": "v"}], "document_type": "PRIVATE"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    let seen = up.seen.lock().unwrap().clone();
    let lines: Vec<String> = seen
        .iter()
        .map(|s| format!("{} {}", s.method, s.path_and_query))
        .collect();
    assert_eq!(
        lines,
        [
            "GET /v1/executions/EX2025070121014501aaaaaa",
            "GET /v1/executions?limit=5&offset=10&creator=ops%20team&tags=env%3Dprod",
            "GET /v1/executions/EX2025070121014501aaaaaa/steps?limit=2",
            "GET /v1/executions/instances?execution_step_id=ST1&limit=3",
            "POST /v1/executions",
            "POST /v1/documents/DM2025070118023901xxxxxx",
        ]
    );
    // Bodies are rebuilt by the core from the parsed operation.
    let operate: serde_json::Value = serde_json::from_slice(&seen[4].body).unwrap();
    assert_eq!(
        operate,
        serde_json::json!({"execution_id": "EX2025070121014501aaaaaa", "operate_type": "TERMINATE"})
    );
    let execute: serde_json::Value = serde_json::from_slice(&seen[5].body).unwrap();
    assert_eq!(execute["parameters"][0]["key"], "k");
    assert_eq!(execute["document_type"], "PRIVATE");
    assert_eq!(seen[4].header("content-type"), Some("application/json"));
}

#[tokio::test]
async fn escapes_are_refused_and_not_forwarded() {
    let up = recorder().await;
    let gw = gateway(forwarding(&up.url)).await;
    let c = client();
    let base = &gw.url;
    let json = serde_json::json!({"execution_id": "EX1", "operate_type": "RESUME"});

    // (method, path, expected status, expected code)
    let cases: Vec<(reqwest::Method, &str, u16, &str)> = vec![
        (
            reqwest::Method::GET,
            "/v1/documents",
            404,
            "GATEWAY.ROUTE_NOT_ALLOWED",
        ),
        (
            reqwest::Method::GET,
            "/v1/other",
            404,
            "GATEWAY.ROUTE_NOT_ALLOWED",
        ),
        (
            reqwest::Method::GET,
            "/v1/executions/EX1/steps/x",
            404,
            "GATEWAY.ROUTE_NOT_ALLOWED",
        ),
        (
            reqwest::Method::GET,
            "/v1/executions/",
            400,
            "GATEWAY.INVALID_REQUEST",
        ),
        (
            reqwest::Method::GET,
            "/v1//executions",
            404,
            "GATEWAY.ROUTE_NOT_ALLOWED",
        ),
        (
            reqwest::Method::GET,
            "/v1",
            404,
            "GATEWAY.ROUTE_NOT_ALLOWED",
        ),
        (
            reqwest::Method::GET,
            "/v2/executions",
            404,
            "GATEWAY.NOT_FOUND",
        ),
        (
            reqwest::Method::GET,
            "/__sim/faults",
            404,
            "GATEWAY.ROUTE_NOT_ALLOWED",
        ),
        (
            reqwest::Method::DELETE,
            "/v1/executions/EX1",
            405,
            "GATEWAY.METHOD_NOT_ALLOWED",
        ),
        (
            reqwest::Method::PUT,
            "/v1/executions",
            405,
            "GATEWAY.METHOD_NOT_ALLOWED",
        ),
        (
            reqwest::Method::POST,
            "/v1/executions/EX1",
            405,
            "GATEWAY.METHOD_NOT_ALLOWED",
        ),
        (
            reqwest::Method::GET,
            "/v1/documents/DM1",
            405,
            "GATEWAY.METHOD_NOT_ALLOWED",
        ),
        (
            reqwest::Method::PATCH,
            "/v1/executions/instances",
            405,
            "GATEWAY.METHOD_NOT_ALLOWED",
        ),
        // Encoded separators: reqwest keeps percent-escapes as they are.
        (
            reqwest::Method::GET,
            "/v1/executions/EX1%2Fsteps",
            400,
            "GATEWAY.ENCODED_SEPARATOR",
        ),
        (
            reqwest::Method::GET,
            "/v1/executions/EX1%2fsteps",
            400,
            "GATEWAY.ENCODED_SEPARATOR",
        ),
        (
            reqwest::Method::GET,
            "/v1/executions/..%5Cx",
            400,
            "GATEWAY.ENCODED_SEPARATOR",
        ),
        (
            reqwest::Method::GET,
            "/v1/executions/a%5cb",
            400,
            "GATEWAY.ENCODED_SEPARATOR",
        ),
        // Invalid ids and queries, refused by the core's validation.
        (
            reqwest::Method::GET,
            "/v1/executions/EX%20space",
            400,
            "GATEWAY.INVALID_REQUEST",
        ),
        (
            reqwest::Method::GET,
            "/v1/executions/EX%3Fq",
            400,
            "GATEWAY.INVALID_REQUEST",
        ),
        (
            reqwest::Method::GET,
            "/v1/executions/EX%25",
            400,
            "GATEWAY.INVALID_REQUEST",
        ),
        (
            reqwest::Method::GET,
            "/v1/executions/EX%FF",
            400,
            "GATEWAY.INVALID_REQUEST",
        ),
        (
            reqwest::Method::GET,
            "/v1/executions/a..b",
            400,
            "GATEWAY.INVALID_REQUEST",
        ),
        (
            reqwest::Method::GET,
            "/v1/executions?limit=0",
            400,
            "GATEWAY.INVALID_REQUEST",
        ),
        (
            reqwest::Method::GET,
            "/v1/executions?limit=1000",
            400,
            "GATEWAY.INVALID_REQUEST",
        ),
        (
            reqwest::Method::GET,
            "/v1/executions?evil=1",
            400,
            "GATEWAY.INVALID_REQUEST",
        ),
        (
            reqwest::Method::GET,
            "/v1/executions/EX1?x=1",
            400,
            "GATEWAY.INVALID_REQUEST",
        ),
        (
            reqwest::Method::GET,
            "/v1/executions/instances",
            400,
            "GATEWAY.INVALID_REQUEST",
        ),
        (
            reqwest::Method::GET,
            "/v1/executions/EX1/steps?execution_step_id_list=a/b",
            400,
            "GATEWAY.INVALID_REQUEST",
        ),
    ];
    for (method, path, status, code) in &cases {
        let r = c
            .request(method.clone(), format!("{base}{path}"))
            .send()
            .await
            .unwrap();
        let got = error_code(r).await;
        assert_eq!(got, (*status, code.to_string()), "{method} {path}");
    }

    // Bodies: wrong media type, bad JSON, wrong shape, unknown fields, bad values.
    let bodies: Vec<(&str, Option<&str>, String, u16, &str)> = vec![
        (
            "/v1/executions",
            Some("text/plain"),
            json.to_string(),
            415,
            "GATEWAY.UNSUPPORTED_MEDIA_TYPE",
        ),
        (
            "/v1/executions",
            None,
            json.to_string(),
            415,
            "GATEWAY.UNSUPPORTED_MEDIA_TYPE",
        ),
        (
            "/v1/executions",
            Some("application/json"),
            "{not json".into(),
            400,
            "GATEWAY.INVALID_JSON",
        ),
        (
            "/v1/executions",
            Some("application/json"),
            "[]".into(),
            400,
            "GATEWAY.INVALID_JSON",
        ),
        (
            "/v1/executions",
            Some("application/json"),
            r#"{"execution_id":"EX1"}"#.into(),
            400,
            "GATEWAY.INVALID_JSON",
        ),
        (
            "/v1/executions",
            Some("application/json"),
            r#"{"execution_id":"EX1","operate_type":"RESUME","x":1}"#.into(),
            400,
            "GATEWAY.INVALID_JSON",
        ),
        (
            "/v1/executions",
            Some("application/json"),
            r#"{"execution_id":"EX1","operate_type":"RESUME"} trailing"#.into(),
            400,
            "GATEWAY.INVALID_JSON",
        ),
        (
            "/v1/executions",
            Some("application/json"),
            r#"{"execution_id":"EX1","operate_type":"DELETE"}"#.into(),
            400,
            "GATEWAY.INVALID_REQUEST",
        ),
        (
            "/v1/executions",
            Some("application/json"),
            r#"{"execution_id":"../x","operate_type":"RESUME"}"#.into(),
            400,
            "GATEWAY.INVALID_REQUEST",
        ),
        (
            "/v1/documents/DM1",
            Some("application/json"),
            r#"{"version":"1","evil":true}"#.into(),
            400,
            "GATEWAY.INVALID_JSON",
        ),
        (
            "/v1/documents/DM1",
            Some("application/json"),
            r#"{"parameters":"nope"}"#.into(),
            400,
            "GATEWAY.INVALID_JSON",
        ),
        (
            "/v1/documents/DM1",
            Some("application/json"),
            r#"{"document_type":"SHARED"}"#.into(),
            400,
            "GATEWAY.INVALID_REQUEST",
        ),
    ];
    for (path, content_type, body, status, code) in &bodies {
        let mut rb = c.post(format!("{base}{path}")).body(body.clone());
        if let Some(ct) = content_type {
            rb = rb.header("content-type", *ct);
        }
        let got = error_code(rb.send().await.unwrap()).await;
        assert_eq!(got, (*status, code.to_string()), "POST {path} {body}");
    }

    assert_eq!(
        up.count(),
        0,
        "something was forwarded: {:?}",
        up.seen.lock().unwrap()
    );
}

#[tokio::test]
async fn oversize_bodies_are_refused_declared_or_chunked() {
    let up = recorder().await;
    let gw = gateway(forwarding(&up.url)).await;
    let c = client();
    let big = format!(
        r#"{{"version":"1","description":"{}"}}"#,
        "x".repeat(coc_gateway::DEFAULT_BODY_LIMIT)
    );
    let r = c
        .post(format!("{}/v1/documents/DM1", gw.url))
        .header("content-type", "application/json")
        .body(big.clone())
        .send()
        .await
        .unwrap();
    expect_error(r, 413, "GATEWAY.BODY_TOO_LARGE").await;

    // Chunked: no Content-Length for the guard to see; the body reader stops it.
    let mut chunked = Vec::new();
    for chunk in big.as_bytes().chunks(8192) {
        chunked.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        chunked.extend_from_slice(chunk);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let response = raw_with_body(
        gw.addr,
        &format!(
            "POST /v1/documents/DM1 HTTP/1.1\nHost: {}\nContent-Type: application/json\nTransfer-Encoding: chunked",
            gw.addr
        ),
        &chunked,
    )
    .await;
    assert_eq!(raw_status(&response), 413, "{response}");

    // Just under the limit is fine.
    let ok = format!(r#"{{"description":"{}"}}"#, "x".repeat(1000));
    let r = c
        .post(format!("{}/v1/documents/DM1", gw.url))
        .header("content-type", "application/json")
        .body(ok)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(up.count(), 1);
}

#[tokio::test]
async fn raw_request_targets_are_refused_and_not_forwarded() {
    let up = recorder().await;
    let gw = gateway(forwarding(&up.url)).await;
    let host = format!("Host: {}", gw.addr);
    let cases = [
        // Absolute-form: axum would otherwise route by the path alone.
        (
            "GET http://evil/v1/executions HTTP/1.1",
            "GATEWAY.BAD_REQUEST_TARGET",
        ),
        (
            "GET http://evil.example/v1/executions/EX1 HTTP/1.1",
            "GATEWAY.BAD_REQUEST_TARGET",
        ),
        (
            "GET https://127.0.0.1/v1/executions HTTP/1.1",
            "GATEWAY.BAD_REQUEST_TARGET",
        ),
        // Dot segments, plain and encoded (reqwest would normalize them away).
        (
            "GET /v1/executions/../executions HTTP/1.1",
            "GATEWAY.PATH_TRAVERSAL",
        ),
        (
            "GET /v1/../v1/executions HTTP/1.1",
            "GATEWAY.PATH_TRAVERSAL",
        ),
        (
            "GET /v1/executions/./EX1 HTTP/1.1",
            "GATEWAY.PATH_TRAVERSAL",
        ),
        (
            "GET /v1/executions/%2e%2e/x HTTP/1.1",
            "GATEWAY.PATH_TRAVERSAL",
        ),
        (
            "GET /v1/executions/%2E%2E HTTP/1.1",
            "GATEWAY.PATH_TRAVERSAL",
        ),
        (
            "GET /v1/executions/.%2e/x HTTP/1.1",
            "GATEWAY.PATH_TRAVERSAL",
        ),
        (
            "GET /static/../../etc/passwd HTTP/1.1",
            "GATEWAY.PATH_TRAVERSAL",
        ),
        // Encoded separators.
        (
            "GET /v1/executions/EX1%2F..%2F..%2Fadmin HTTP/1.1",
            "GATEWAY.ENCODED_SEPARATOR",
        ),
        (
            "GET /v1/executions/EX1%5Csteps HTTP/1.1",
            "GATEWAY.ENCODED_SEPARATOR",
        ),
    ];
    for (line, code) in cases {
        let response = raw(gw.addr, &format!("{line}\n{host}")).await;
        assert_eq!(raw_status(&response), 400, "{line}: {response}");
        assert_eq!(raw_json(&response)["error_code"], code, "{line}");
        assert!(
            response.to_ascii_lowercase().contains("x-request-id:"),
            "{line}: no request id"
        );
    }
    // A raw backslash is not even a valid URI character: hyper refuses it.
    let response = raw(
        gw.addr,
        &format!("GET /v1/executions/EX1\\steps HTTP/1.1\n{host}"),
    )
    .await;
    assert_eq!(raw_status(&response), 400, "{response}");

    // Sanity: the same connection style does forward a good request.
    let response = raw(gw.addr, &format!("GET /v1/executions/EX1 HTTP/1.1\n{host}")).await;
    assert_eq!(raw_status(&response), 200, "{response}");
    assert_eq!(up.count(), 1);
    assert_eq!(up.last().path_and_query, "/v1/executions/EX1");
}

#[tokio::test]
async fn percent_encoded_ids_are_decoded_validated_and_reencoded() {
    let up = recorder().await;
    let gw = gateway(forwarding(&up.url)).await;
    let r = client()
        .get(format!("{}/v1/executions/EX%41%42", gw.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(up.last().path_and_query, "/v1/executions/EXAB");
}
