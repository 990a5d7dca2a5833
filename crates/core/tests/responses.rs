//! Response parsing for every operation and every error path, including a
//! table of malformed and hostile bodies, each asserting the error variant
//! and the message content an operator needs. Also the error type's Display
//! and accessors.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use coc_core::{
    ApiError, DecodeError, EXCERPT_CHARS, Error, ExecuteDocument, ExecuteDocumentBody,
    GetExecution, HttpResponse, ListExecutionInstances, ListExecutionSteps, ListExecutions,
    OperateExecution, OperateType, Operation, excerpt,
};
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

const APIGW_401: &[u8] = include_bytes!("fixtures/apigw_401.json");
const COC_400: &[u8] = include_bytes!("fixtures/coc_400_error.json");
const PROXY_502: &[u8] = include_bytes!("fixtures/proxy_502.html");
const EXECUTE_OK: &[u8] = include_bytes!("fixtures/execute_document_response.json");

fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect()
}

/// Runs one operation's parser and drops the success value, so that a
/// table can mix operations.
#[derive(Clone, Copy, Debug)]
enum Op {
    Get,
    Operate,
    List,
    Steps,
    Instances,
    Execute,
}

fn parse(op: Op, status: u16, headers: &[(String, String)], body: &[u8]) -> Result<(), Error> {
    let r = HttpResponse::new(status, headers, body);
    match op {
        Op::Get => GetExecution::new("EX1")
            .unwrap()
            .parse_response(&r)
            .map(drop),
        Op::Operate => OperateExecution::new("EX1", OperateType::Terminate)
            .unwrap()
            .parse_response(&r)
            .map(drop),
        Op::List => ListExecutions::default().parse_response(&r).map(drop),
        Op::Steps => ListExecutionSteps::new("EX1")
            .unwrap()
            .parse_response(&r)
            .map(drop),
        Op::Instances => ListExecutionInstances::new("s1")
            .unwrap()
            .parse_response(&r)
            .map(drop),
        Op::Execute => ExecuteDocument::new("DM1", ExecuteDocumentBody::default())
            .unwrap()
            .parse_response(&r)
            .map(drop),
    }
}

fn decode_err(e: &Error) -> &DecodeError {
    match e {
        Error::Decode(d) => d,
        other => panic!("expected Decode, got {other:?}"),
    }
}

fn api_err(e: &Error) -> &ApiError {
    match e {
        Error::Api(a) => a,
        other => panic!("expected Api, got {other:?}"),
    }
}

// ---------------------------------------------------------------- the hostile table

/// What a hostile body must produce.
enum Want {
    /// `Error::Decode` whose detail starts with this text.
    Decode(&'static str),
    /// `Error::Api` with this status, code and message.
    Api(u16, Option<&'static str>, Option<&'static str>),
    /// `Error::Http` with this status whose excerpt starts with this text.
    Http(u16, &'static str),
    /// `Error::NotFound` for EX1.
    NotFound,
}

struct Hostile {
    name: &'static str,
    op: Op,
    status: u16,
    body: &'static [u8],
    want: Want,
}

const fn case(name: &'static str, op: Op, status: u16, body: &'static [u8], want: Want) -> Hostile {
    Hostile {
        name,
        op,
        status,
        body,
        want,
    }
}

fn deep_nesting() -> Vec<u8> {
    let mut b = br#"{"data":{"x":"#.to_vec();
    b.extend(std::iter::repeat_n(b'[', 200));
    b.extend(std::iter::repeat_n(b']', 200));
    b.extend(b"}}");
    b
}

const HOSTILE: &[Hostile] = &[
    // --- GetExecution: no ticket
    case(
        "data null",
        Op::Get,
        200,
        br#"{"data":null}"#,
        Want::NotFound,
    ),
    case("data missing", Op::Get, 200, b"{}", Want::NotFound),
    case(
        "blank error code is not an error",
        Op::Get,
        200,
        br#"{"error_code":"","data":null}"#,
        Want::NotFound,
    ),
    case(
        "coc error inside a 200",
        Op::Get,
        200,
        br#"{"data":null,"error_code":"COC.00042101","error_msg":"document not found"}"#,
        Want::Api(200, Some("COC.00042101"), Some("document not found")),
    ),
    // --- empty, truncated, not JSON
    case(
        "empty body",
        Op::Get,
        200,
        b"",
        Want::Decode("the body was empty"),
    ),
    case(
        "whitespace body",
        Op::List,
        200,
        b"  \r\n\t ",
        Want::Decode("the body was empty"),
    ),
    case(
        "truncated json",
        Op::Get,
        200,
        br#"{"data":{"execution_id":"EX1""#,
        Want::Decode("the body ends too early (EOF while parsing an object"),
    ),
    case(
        "truncated inside a string",
        Op::Steps,
        200,
        br#"{"data":[{"name":"dra"#,
        Want::Decode("the body ends too early (EOF while parsing a string"),
    ),
    case(
        "html on a 200",
        Op::Get,
        200,
        b"<html><body>Login</body></html>",
        Want::Decode("the body is not valid JSON (expected value at line 1 column 1)"),
    ),
    case(
        "plain text on a 200",
        Op::Instances,
        200,
        b"OK",
        Want::Decode("the body is not valid JSON (expected value at line 1 column 1)"),
    ),
    case(
        "invalid utf-8 inside a string",
        Op::Get,
        200,
        b"{\"data\":{\"creator\":\"\xff\xfe\"}}",
        Want::Decode("the body is not valid JSON (invalid unicode code point"),
    ),
    case(
        "single quotes",
        Op::List,
        200,
        b"{'data':[]}",
        Want::Decode("the body is not valid JSON (key must be a string"),
    ),
    case(
        "trailing comma",
        Op::List,
        200,
        br#"{"data":[],}"#,
        Want::Decode("the body is not valid JSON (trailing comma"),
    ),
    case(
        "nesting past the recursion limit",
        Op::Get,
        200,
        b"",
        Want::Decode(""),
    ), // body replaced below
    // --- wrong shapes, with the JSON path
    case(
        "array body",
        Op::Get,
        200,
        br#"[{"execution_id":"EX1"}]"#,
        Want::Decode("the body is a JSON array, not an object"),
    ),
    case(
        "array body on a list",
        Op::List,
        200,
        br#"[[]]"#,
        Want::Decode("the body is a JSON array, not an object"),
    ),
    case(
        "string body",
        Op::Get,
        200,
        br#""EX1""#,
        Want::Decode(
            "the body has the wrong shape (invalid type: string \"EX1\", expected a JSON object",
        ),
    ),
    case(
        "null body",
        Op::List,
        200,
        b"null",
        Want::Decode("the body has the wrong shape (invalid type: null, expected a JSON object"),
    ),
    case(
        "number body",
        Op::Execute,
        200,
        b"42",
        Want::Decode(
            "the body has the wrong shape (invalid type: integer `42`, expected a JSON object",
        ),
    ),
    case(
        "data is a string",
        Op::Get,
        200,
        br#"{"data":"EX1"}"#,
        Want::Decode("at data: invalid type: string \"EX1\", expected a ticket object"),
    ),
    case(
        "data is an array",
        Op::Get,
        200,
        br#"{"data":[1]}"#,
        Want::Decode("at data: invalid type: sequence, expected a ticket object"),
    ),
    case(
        "start_time as text",
        Op::Get,
        200,
        br#"{"data":{"start_time":"yesterday"}}"#,
        Want::Decode("at data.start_time: invalid type: string \"yesterday\", expected i64"),
    ),
    case(
        "start_time past i64",
        Op::Get,
        200,
        br#"{"data":{"start_time":9223372036854775808}}"#,
        Want::Decode(
            "at data.start_time: invalid value: integer `9223372036854775808`, expected i64",
        ),
    ),
    case(
        "end_time a float",
        Op::Get,
        200,
        br#"{"data":{"end_time":1.5}}"#,
        Want::Decode("at data.end_time: invalid type: floating point `1.5`, expected i64"),
    ),
    case(
        "number out of range",
        Op::Get,
        200,
        br#"{"data":{"update_time":1e400}}"#,
        Want::Decode("the body is not valid JSON (number out of range"),
    ),
    case(
        "status a number",
        Op::Get,
        200,
        br#"{"data":{"status":5}}"#,
        Want::Decode("at data.status: invalid type: integer `5`, expected a string"),
    ),
    case(
        "id a boolean",
        Op::Get,
        200,
        br#"{"data":{"id":true}}"#,
        Want::Decode("at data.id: data did not match any variant of untagged enum LooseId"),
    ),
    case(
        "parameter value a number",
        Op::Get,
        200,
        br#"{"data":{"parameters":[{"key":"a","value":5}]}}"#,
        Want::Decode("at data.parameters[0].value: invalid type: integer `5`, expected a string"),
    ),
    case(
        "target without key",
        Op::Get,
        200,
        br#"{"data":{"targets":[{"values":[]}]}}"#,
        Want::Decode("at data.targets[0]: missing field `key`"),
    ),
    case(
        "tags an object",
        Op::Get,
        200,
        br#"{"data":{"tags":{"env":"prod"}}}"#,
        Want::Decode("at data.tags: invalid type: map, expected a sequence"),
    ),
    case(
        "list data an object",
        Op::List,
        200,
        br#"{"data":{"items":[]}}"#,
        Want::Decode("at data: invalid type: map, expected a sequence"),
    ),
    case(
        "list item a string",
        Op::List,
        200,
        br#"{"data":[{"execution_id":"a"},"oops"]}"#,
        Want::Decode("at data[1]: invalid type: string \"oops\", expected a ticket object"),
    ),
    case(
        "total negative",
        Op::List,
        200,
        br#"{"data":[],"total":-1}"#,
        Want::Decode("at total: invalid value: integer `-1`, expected u64"),
    ),
    case(
        "total as text",
        Op::Steps,
        200,
        br#"{"data":[],"total":"5"}"#,
        Want::Decode("at total: invalid type: string \"5\", expected u64"),
    ),
    case(
        "step inputs a string",
        Op::Steps,
        200,
        br#"{"data":[{"inputs":"x"}]}"#,
        Want::Decode("at data[0].inputs: invalid type: string \"x\", expected a sequence"),
    ),
    case(
        "step item an array",
        Op::Steps,
        200,
        br#"{"data":[[]]}"#,
        Want::Decode("at data[0]: invalid type: sequence, expected a step object"),
    ),
    case(
        "instance properties an array",
        Op::Instances,
        200,
        br#"{"data":[{"properties":[1]}]}"#,
        Want::Decode("at data[0].properties: invalid type: sequence, expected a map"),
    ),
    case(
        "instance item a number",
        Op::Instances,
        200,
        br#"{"data":[7]}"#,
        Want::Decode("at data[0]: invalid type: integer `7`, expected an instance object"),
    ),
    case(
        "error_code a number on a 200",
        Op::Get,
        200,
        br#"{"error_code":400}"#,
        Want::Decode("at error_code: invalid type: integer `400`, expected a string"),
    ),
    // --- trailing garbage
    case(
        "trailing garbage",
        Op::Get,
        200,
        br#"{"data":{}}xyz"#,
        Want::Decode("the body has more after the JSON value (trailing characters"),
    ),
    case(
        "two json values",
        Op::List,
        200,
        br#"{"data":[]}{"data":[]}"#,
        Want::Decode("the body has more after the JSON value (trailing characters"),
    ),
    // --- list errors inside a 200
    case(
        "list coc error inside a 200",
        Op::List,
        200,
        br#"{"error_code":"COC.00040702","error_msg":"target instance does not exist"}"#,
        Want::Api(
            200,
            Some("COC.00040702"),
            Some("target instance does not exist"),
        ),
    ),
    // --- ExecuteDocument's data
    case(
        "new id empty",
        Op::Execute,
        200,
        br#"{"data":""}"#,
        Want::Decode("\"data\" is an empty string"),
    ),
    case(
        "new id a number",
        Op::Execute,
        200,
        br#"{"data":123}"#,
        Want::Decode("\"data\" is a number"),
    ),
    case(
        "new id an object",
        Op::Execute,
        200,
        br#"{"data":{"execution_id":"EX1"}}"#,
        Want::Decode("\"data\" is an object"),
    ),
    case(
        "new id an array",
        Op::Execute,
        200,
        br#"{"data":["EX1"]}"#,
        Want::Decode("\"data\" is an array"),
    ),
    case(
        "new id a boolean",
        Op::Execute,
        200,
        br#"{"data":true}"#,
        Want::Decode("\"data\" is a boolean"),
    ),
    case(
        "new id null",
        Op::Execute,
        200,
        br#"{"data":null}"#,
        Want::Decode("\"data\" is missing or null"),
    ),
    case(
        "new id missing",
        Op::Execute,
        201,
        br#"{"total":1}"#,
        Want::Decode("\"data\" is missing or null"),
    ),
    case(
        "execute coc error inside a 200",
        Op::Execute,
        200,
        br#"{"data":null,"error_code":"COC.00042101","error_msg":"document not found"}"#,
        Want::Api(200, Some("COC.00042101"), Some("document not found")),
    ),
    // --- failure statuses
    case(
        "coc 400",
        Op::Operate,
        400,
        br#"{"error_code":"COC.00040702","error_msg":"target instance does not exist"}"#,
        Want::Api(
            400,
            Some("COC.00040702"),
            Some("target instance does not exist"),
        ),
    ),
    case(
        "apigw 401",
        Op::Get,
        401,
        br#"{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information"}"#,
        Want::Api(
            401,
            Some("APIGW.0301"),
            Some("Incorrect IAM authentication information"),
        ),
    ),
    case(
        "nested huawei error",
        Op::List,
        503,
        br#"{"error":{"code":"SYS.0503","message":"busy"}}"#,
        Want::Api(503, Some("SYS.0503"), Some("busy")),
    ),
    case(
        "message without code",
        Op::Steps,
        404,
        br#"{"error_msg":"no route"}"#,
        Want::Api(404, None, Some("no route")),
    ),
    case(
        "code without message",
        Op::Instances,
        403,
        br#"{"error_code":"COC.00000403"}"#,
        Want::Api(403, Some("COC.00000403"), None),
    ),
    case(
        "error code of the wrong type",
        Op::Get,
        500,
        br#"{"error_code":500,"error_msg":"boom"}"#,
        Want::Http(500, "{\"error_code\":500,\"error_msg\":\"boom\"}"),
    ),
    case(
        "error body with trailing garbage",
        Op::Execute,
        400,
        br#"{"error_code":"X"} <html>"#,
        Want::Http(400, "{\"error_code\":\"X\"} <html>"),
    ),
    case(
        "json without an error",
        Op::List,
        429,
        br#"{"retry_after":3}"#,
        Want::Http(429, "{\"retry_after\":3}"),
    ),
    case("empty 502", Op::Get, 502, b"", Want::Http(502, "")),
    case(
        "html 502 from a proxy",
        Op::Operate,
        502,
        b"<html>\r\n<head><title>502 Bad Gateway</title></head></html>",
        Want::Http(
            502,
            "<html> <head><title>502 Bad Gateway</title></head></html>",
        ),
    ),
    case("redirect", Op::List, 302, b"", Want::Http(302, "")),
    case(
        "informational status",
        Op::Get,
        100,
        b"{}",
        Want::Http(100, "{}"),
    ),
    case(
        "status out of range",
        Op::Steps,
        999,
        b"?",
        Want::Http(999, "?"),
    ),
    case("status zero", Op::Execute, 0, b"", Want::Http(0, "")),
];

#[test]
fn hostile_bodies_give_the_specific_error() {
    let headers = h(&[("X-request-id", "req-77")]);
    let deep = deep_nesting();
    let mut count = 0;
    for c in HOSTILE {
        let body: &[u8] = if c.name == "nesting past the recursion limit" {
            &deep
        } else {
            c.body
        };
        let err = parse(c.op, c.status, &headers, body).expect_err(c.name);
        let text = err.to_string();
        assert!(
            text.chars().next().unwrap().is_lowercase(),
            "{}: {text}",
            c.name
        );
        assert_eq!(err.request_id(), Some("req-77"), "{}", c.name);
        assert!(text.ends_with(" (request id req-77)"), "{}: {text}", c.name);
        match &c.want {
            Want::Decode(detail) => {
                let d = decode_err(&err);
                let detail = if c.name == "nesting past the recursion limit" {
                    "the body is not valid JSON (recursion limit exceeded"
                } else {
                    detail
                };
                assert!(
                    d.detail.starts_with(detail),
                    "{}: detail {:?} should start with {detail:?}",
                    c.name,
                    d.detail
                );
                assert_eq!(d.status, c.status, "{}", c.name);
                assert_eq!(d.excerpt, excerpt(body), "{}", c.name);
                assert!(
                    text.starts_with(&format!(
                        "could not read the {} response (http {}): expected {}, but {}",
                        d.operation, c.status, d.expected, d.detail
                    )),
                    "{}: {text}",
                    c.name
                );
                assert_eq!(err.kind(), "decode");
            }
            Want::Api(status, code, msg) => {
                let a = api_err(&err);
                assert_eq!(
                    (a.status, a.error_code.as_deref(), a.error_msg.as_deref()),
                    (*status, *code, *msg),
                    "{}",
                    c.name
                );
                if let Some(code) = code {
                    assert!(text.contains(code), "{}: {text}", c.name);
                }
                if let Some(msg) = msg {
                    assert!(text.contains(msg), "{}: {text}", c.name);
                }
                assert_eq!(err.error_code(), *code);
                assert_eq!(err.error_msg(), *msg);
                assert_eq!(err.kind(), "api");
            }
            Want::Http(status, start) => {
                match &err {
                    Error::Http {
                        status: s,
                        excerpt: e,
                        ..
                    } => {
                        assert_eq!(s, status, "{}", c.name);
                        assert!(e.starts_with(start), "{}: excerpt {e:?}", c.name);
                    }
                    other => panic!("{}: expected Http, got {other:?}", c.name),
                }
                assert!(
                    text.starts_with(&format!("http {status} without a coc error body; ")),
                    "{}: {text}",
                    c.name
                );
                assert_eq!(err.kind(), "http");
            }
            Want::NotFound => {
                assert_eq!(
                    err,
                    Error::NotFound {
                        execution_id: "EX1".into(),
                        request_id: Some("req-77".into())
                    },
                    "{}",
                    c.name
                );
                assert_eq!(text, "ticket EX1 not found (request id req-77)");
            }
        }
        count += 1;
    }
    assert!(count >= 30, "only {count} hostile bodies");
}

// ---------------------------------------------------------------- success paths

#[test]
fn operate_any_2xx_is_success_whatever_the_body() {
    let headers = h(&[("x-request-id", " op-1 ")]);
    for status in [200, 201, 202, 204, 299] {
        for body in [
            &b""[..],
            b"{}",
            b"{ }",
            b"\"ok\"",
            b"The job ticket is successfully operated.",
            b"<html>",
        ] {
            let op = OperateExecution::new("EX1", OperateType::SkipBatch).unwrap();
            let done = op
                .parse_response(&HttpResponse::new(status, &headers, body))
                .unwrap();
            assert_eq!(done.request_id.as_deref(), Some("op-1"), "trimmed");
        }
    }
    let op = OperateExecution::new("EX1", OperateType::Resume).unwrap();
    let done = op
        .parse_response(&HttpResponse::new(200, &[], b""))
        .unwrap();
    assert_eq!(done.request_id, None);
    // 300 is not a success.
    assert_eq!(
        op.parse_response(&HttpResponse::new(300, &[], b""))
            .unwrap_err()
            .kind(),
        "http"
    );
}

#[test]
fn execute_document_returns_the_new_ticket_id() {
    let op = ExecuteDocument::new("DM1", ExecuteDocumentBody::default()).unwrap();
    let id = op
        .parse_response(&HttpResponse::new(200, &[], EXECUTE_OK))
        .unwrap();
    assert_eq!(id, "EX2025070121014501dddddd");
    // A success body may carry extra fields.
    let id = op
        .parse_response(&HttpResponse::new(
            201,
            &[],
            br#"{"data":"EX9","error_code":null,"request_id":"x"}"#,
        ))
        .unwrap();
    assert_eq!(id, "EX9");
}

#[test]
fn tolerant_success_bodies() {
    let get = GetExecution::new("EX1").unwrap();
    let ok = |body: &[u8]| get.parse_response(&HttpResponse::new(200, &[], body));
    // A byte-order mark in front of the JSON.
    let t = ok(b"\xEF\xBB\xBF{\"data\":{\"execution_id\":\"EX1\"}}").unwrap();
    assert_eq!(t.execution_id.as_deref(), Some("EX1"));
    // Unknown top-level fields next to data, and a success code.
    let t =
        ok(br#"{"data":{"status":"Running"},"error_code":"","error_msg":"ok","trace":1}"#).unwrap();
    assert_eq!(t.status.unwrap().as_str(), "Running");
    // An error code next to a ticket: the ticket is what was asked for.
    let t = ok(br#"{"data":{"status":"Failed"},"error_code":"COC.1","error_msg":"warn"}"#).unwrap();
    assert_eq!(t.status.unwrap().as_str(), "Failed");
    // An empty ticket object is a ticket with nothing known about it.
    assert_eq!(
        ok(br#"{"data":{}}"#).unwrap(),
        coc_core::Execution::default()
    );

    let list = ListExecutions::default();
    let page = |body: &[u8]| list.parse_response(&HttpResponse::new(200, &[], body));
    assert_eq!(page(b"{}").unwrap().items.len(), 0);
    assert_eq!(page(br#"{"data":null,"total":0}"#).unwrap().total, 0);
    let p = page(br#"{"data":[null,null,{"id":1}],"total":null}"#).unwrap();
    assert_eq!((p.items.len(), p.total), (1, 1));
    let p = page(br#"{"data":[],"total":18446744073709551615}"#).unwrap();
    assert_eq!(p.total, u64::MAX);
}

// ---------------------------------------------------------------- request ids

#[test]
fn request_id_comes_from_the_header_then_the_body() {
    // APIGW 401: the request id is only in the body.
    let err = parse(Op::Get, 401, &[], APIGW_401).unwrap_err();
    let a = api_err(&err);
    assert_eq!(a.error_code.as_deref(), Some("APIGW.0301"));
    assert!(
        a.error_msg
            .as_deref()
            .unwrap()
            .starts_with("Incorrect IAM authentication information: verify aksk signature fail")
    );
    assert_eq!(err.request_id(), Some("5e1c0c7bd1a2f2b7a3c6a9b0f0e1d2c3"));
    assert!(err.is_auth());
    assert!(
        err.to_string()
            .starts_with("http 401 APIGW.0301: Incorrect IAM authentication information")
    );
    assert!(
        err.to_string()
            .ends_with("(request id 5e1c0c7bd1a2f2b7a3c6a9b0f0e1d2c3)")
    );

    // With the header too, the header wins.
    let headers = h(&[("X-Request-Id", "hdr-1")]);
    let err = parse(Op::Operate, 401, &headers, APIGW_401).unwrap_err();
    assert_eq!(err.request_id(), Some("hdr-1"));

    // A blank header counts as none, so the body's is used.
    let headers = h(&[("x-request-id", "   ")]);
    let err = parse(Op::List, 401, &headers, APIGW_401).unwrap_err();
    assert_eq!(err.request_id(), Some("5e1c0c7bd1a2f2b7a3c6a9b0f0e1d2c3"));

    // No request id anywhere: nothing is made up.
    let err = parse(Op::Get, 400, &[], COC_400).unwrap_err();
    assert_eq!(err.request_id(), None);
    assert_eq!(
        err.to_string(),
        "http 400 COC.00040702: target instance does not exist"
    );

    // Header name in any case.
    for name in ["X-request-id", "x-request-id", "X-REQUEST-ID"] {
        let headers = h(&[(name, "abc")]);
        let err = parse(Op::Steps, 502, &headers, b"").unwrap_err();
        assert_eq!(err.request_id(), Some("abc"), "{name}");
        let r = HttpResponse::new(200, &headers, b"");
        assert_eq!(r.request_id(), Some("abc"));
        assert_eq!(r.header("x-Request-ID"), Some("abc"));
    }
    // A COC error on a 200 for GetExecution also takes the body's request id.
    let err = parse(
        Op::Get,
        200,
        &[],
        br#"{"data":null,"error_code":"COC.1","error_msg":"m","request_id":"body-9"}"#,
    )
    .unwrap_err();
    assert_eq!(err.request_id(), Some("body-9"));
}

#[test]
fn proxy_502_page() {
    let headers = h(&[("X-request-id", "edge-5")]);
    let err = parse(Op::Get, 502, &headers, PROXY_502).unwrap_err();
    assert_eq!(
        err.to_string(),
        "http 502 without a coc error body; body starts with \"<html> <head><title>502 Bad Gateway</title></head> <body> <center><h1>502 Bad Gateway</h1></center> <hr><center>nginx</center> </body> </html>\" (request id edge-5)"
    );
    assert_eq!(err.status(), Some(502));
    assert!(!err.is_auth());
    assert_eq!((err.error_code(), err.error_msg()), (None, None));
}

// ---------------------------------------------------------------- Display and accessors

#[test]
fn error_display_messages() {
    let cases: Vec<(Error, &str)> = vec![
        (
            Error::InvalidArgument {
                field: "execution_id",
                reason: "must not be empty".into(),
            },
            "invalid execution_id: must not be empty",
        ),
        (
            Error::InvalidEndpoint {
                url: "ftp://x".into(),
                reason: "must start with http:// or https://".into(),
            },
            "invalid endpoint \"ftp://x\": must start with http:// or https://",
        ),
        (
            Error::NotFound {
                execution_id: "EX1".into(),
                request_id: None,
            },
            "ticket EX1 not found",
        ),
        (
            Error::Api(ApiError {
                status: 400,
                error_code: Some("COC.00040702".into()),
                error_msg: Some("target instance does not exist".into()),
                request_id: Some("0af3".into()),
            }),
            "http 400 COC.00040702: target instance does not exist (request id 0af3)",
        ),
        (
            Error::Api(ApiError {
                status: 403,
                error_code: None,
                error_msg: None,
                request_id: None,
            }),
            "http 403: no error message",
        ),
        (
            Error::Http {
                status: 502,
                request_id: None,
                excerpt: String::new(),
            },
            "http 502 without a coc error body; the body was empty",
        ),
        (
            Error::Decode(DecodeError {
                status: 200,
                operation: "GetExecution",
                expected: "a JSON object with the ticket in \"data\"",
                detail: "the body was empty".into(),
                excerpt: String::new(),
                request_id: Some("r".into()),
            }),
            "could not read the GetExecution response (http 200): expected a JSON object with the ticket in \"data\", but the body was empty (request id r)",
        ),
    ];
    for (err, text) in cases {
        assert_eq!(err.to_string(), text);
        assert!(text.chars().next().unwrap().is_lowercase());
    }
}

#[test]
fn error_accessors_per_variant() {
    let api = Error::Api(ApiError {
        status: 401,
        error_code: Some("APIGW.0301".into()),
        error_msg: Some("m".into()),
        request_id: Some("r".into()),
    });
    assert_eq!(
        (
            api.kind(),
            api.status(),
            api.request_id(),
            api.error_code(),
            api.error_msg(),
            api.is_auth()
        ),
        (
            "api",
            Some(401),
            Some("r"),
            Some("APIGW.0301"),
            Some("m"),
            true
        )
    );
    let http = Error::Http {
        status: 403,
        request_id: Some("q".into()),
        excerpt: "x".into(),
    };
    assert_eq!(
        (
            http.kind(),
            http.status(),
            http.request_id(),
            http.error_code(),
            http.is_auth()
        ),
        ("http", Some(403), Some("q"), None, true)
    );
    let nf = Error::NotFound {
        execution_id: "EX1".into(),
        request_id: Some("n".into()),
    };
    assert_eq!(
        (nf.kind(), nf.status(), nf.request_id(), nf.is_auth()),
        ("not_found", None, Some("n"), false)
    );
    let dec = parse(Op::List, 200, &[], b"x").unwrap_err();
    assert_eq!(
        (dec.kind(), dec.status(), dec.request_id()),
        ("decode", Some(200), None)
    );
    let inv = GetExecution::new("").unwrap_err();
    assert_eq!(
        (inv.kind(), inv.status(), inv.is_auth()),
        ("invalid_argument", None, false)
    );
    let end = coc_core::BaseUrl::parse("x").unwrap_err();
    assert_eq!(
        (end.kind(), end.request_id(), end.error_msg()),
        ("invalid_endpoint", None, None)
    );
}

#[test]
fn excerpt_is_short_single_line_and_lossy() {
    assert_eq!(excerpt(b""), "");
    assert_eq!(excerpt(b"  \n\t "), "");
    assert_eq!(excerpt(b"a \n\n  b\r\n"), "a b");
    assert_eq!(excerpt(b"\xffok"), "\u{fffd}ok");
    let long = "x".repeat(1000);
    let e = excerpt(long.as_bytes());
    assert_eq!(e.chars().count(), EXCERPT_CHARS + 1);
    assert!(e.ends_with('…'));
    let exact = "y".repeat(EXCERPT_CHARS);
    assert_eq!(
        excerpt(exact.as_bytes()),
        exact,
        "no ellipsis when nothing was cut"
    );
    let wide = "日".repeat(500);
    assert_eq!(excerpt(wide.as_bytes()).chars().count(), EXCERPT_CHARS + 1);
    // A huge error page keeps the error message short.
    let page = format!("<html>{}</html>", " <p>filler</p>\n".repeat(10_000));
    let err = parse(Op::Get, 500, &[], page.as_bytes()).unwrap_err();
    assert!(err.to_string().len() < 300, "{}", err.to_string().len());
}
