//! Property tests (native only: proptest needs a clock and an RNG the wasm
//! target does not have without JS glue).
//!
//! - decode -> encode -> decode round trips for `Execution`, `Step` and
//!   `StepInstance` built from arbitrary valid JSON shapes, losing nothing;
//! - no parser panics on arbitrary bytes, JSON values, statuses or headers;
//! - id validation never panics, and an accepted id always yields a URL
//!   with exactly the expected path segments;
//! - the canonical query/URI functions never panic and are idempotent;
//! - sign -> verify holds for arbitrary requests and breaks on a changed body;
//! - ListExecutions filters survive build -> URL -> decode -> `from_query`.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use coc_core::sign::{self, Credentials, UnixTime};
use coc_core::{
    Auth, BaseUrl, Endpoint, Error, ExecuteDocument, ExecuteDocumentBody, Execution, GetExecution,
    HttpRequest, HttpResponse, KeyValue, ListExecutionInstances, ListExecutionSteps,
    ListExecutions, Method, OperateExecution, OperateType, Operation, Step, StepInstance, excerpt,
    parse_tags, validate_id,
};
use percent_encoding::percent_decode_str;
use proptest::prelude::*;
use serde_json::{Map, Value, json};

// ---------------------------------------------------------------- strategies

/// Any JSON value, a few levels deep.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        ".{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(".{0,8}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A field that may be absent (`None`), `null`, or a valid value.
fn field(valid: BoxedStrategy<Value>) -> BoxedStrategy<Option<Value>> {
    prop_oneof![
        1 => Just(None),
        1 => Just(Some(Value::Null)),
        3 => valid.prop_map(Some),
    ]
    .boxed()
}

fn text() -> BoxedStrategy<Value> {
    prop_oneof![
        ".{0,20}",
        Just("Pending".to_owned()),
        Just("Running".to_owned()),
        Just("BATCH".to_owned()),
        Just("InstanceValues".to_owned()),
    ]
    .prop_map(Value::String)
    .boxed()
}

fn millis() -> BoxedStrategy<Value> {
    any::<i64>().prop_map(Value::from).boxed()
}

fn loose_id() -> BoxedStrategy<Value> {
    prop_oneof![
        ".{0,12}".prop_map(Value::String),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-1e15f64..1e15).prop_map(Value::from),
    ]
    .boxed()
}

fn key_values() -> BoxedStrategy<Value> {
    let kv = (
        field(".{0,8}".prop_map(Value::String).boxed()),
        field(".{0,8}".prop_map(Value::String).boxed()),
    )
        .prop_map(|(k, v)| {
            let mut m = Map::new();
            if let Some(k) = k {
                m.insert("key".into(), k);
            }
            if let Some(v) = v {
                m.insert("value".into(), v);
            }
            Value::Object(m)
        });
    prop::collection::vec(kv, 0..4)
        .prop_map(Value::Array)
        .boxed()
}

fn targets() -> BoxedStrategy<Value> {
    let target = (
        text(),
        field(
            prop::collection::vec(any_json(), 0..4)
                .prop_map(Value::Array)
                .boxed(),
        ),
    )
        .prop_map(|(key, values)| {
            let mut m = Map::new();
            m.insert("key".into(), key);
            if let Some(v) = values {
                m.insert("values".into(), v);
            }
            Value::Object(m)
        });
    prop::collection::vec(target, 0..3)
        .prop_map(Value::Array)
        .boxed()
}

fn string_map() -> BoxedStrategy<Value> {
    prop::collection::btree_map("[a-z_]{1,8}", any_json(), 0..4)
        .prop_map(|m| Value::Object(m.into_iter().collect()))
        .boxed()
}

/// Unknown fields: names that are none of the known ones.
fn extras(known: &'static [&'static str]) -> BoxedStrategy<Map<String, Value>> {
    prop::collection::btree_map("[a-z_]{1,10}", any_json(), 0..4)
        .prop_map(move |m| {
            m.into_iter()
                .filter(|(k, _)| !known.contains(&k.as_str()))
                .collect()
        })
        .boxed()
}

fn object(fields: Vec<(&'static str, Option<Value>)>, extra: Map<String, Value>) -> Value {
    let mut m = extra;
    for (k, v) in fields {
        if let Some(v) = v {
            m.insert(k.to_owned(), v);
        }
    }
    Value::Object(m)
}

const EXECUTION_FIELDS: &[&str] = &[
    "id",
    "execution_id",
    "document_name",
    "document_id",
    "document_version_id",
    "document_version",
    "start_time",
    "strat_time",
    "end_time",
    "update_time",
    "creator",
    "status",
    "description",
    "parameters",
    "tags",
    "sys_tags",
    "target_parameter_name",
    "targets",
    "type",
];
const STEP_FIELDS: &[&str] = &[
    "execution_step_id",
    "action",
    "name",
    "status",
    "message",
    "start_time",
    "strat_time",
    "end_time",
    "inputs",
    "outputs",
    "properties",
];
const INSTANCE_FIELDS: &[&str] = &[
    "id",
    "execution_instance_id",
    "execution_step_id",
    "start_time",
    "strat_time",
    "end_time",
    "status",
    "message",
    "properties",
];

fn execution_json() -> impl Strategy<Value = Value> {
    (
        (
            field(loose_id()),
            field(text()),
            field(text()),
            field(text()),
            field(text()),
            field(text()),
            field(millis()),
            field(millis()),
            field(millis()),
            field(millis()),
        ),
        (
            field(text()),
            field(text()),
            field(text()),
            field(key_values()),
            field(key_values()),
            field(key_values()),
            field(text()),
            field(targets()),
            field(text()),
            extras(EXECUTION_FIELDS),
        ),
    )
        .prop_map(
            |(
                (id, eid, dn, did, dvid, dv, st, strat, et, ut),
                (cr, status, desc, params, tags, sys, tpn, tg, ty, extra),
            )| {
                object(
                    vec![
                        ("id", id),
                        ("execution_id", eid),
                        ("document_name", dn),
                        ("document_id", did),
                        ("document_version_id", dvid),
                        ("document_version", dv),
                        ("start_time", st),
                        ("strat_time", strat),
                        ("end_time", et),
                        ("update_time", ut),
                        ("creator", cr),
                        ("status", status),
                        ("description", desc),
                        ("parameters", params),
                        ("tags", tags),
                        ("sys_tags", sys),
                        ("target_parameter_name", tpn),
                        ("targets", tg),
                        ("type", ty),
                    ],
                    extra,
                )
            },
        )
}

fn step_json() -> impl Strategy<Value = Value> {
    (
        field(loose_id()),
        field(text()),
        field(text()),
        field(text()),
        field(text()),
        field(millis()),
        field(millis()),
        field(millis()),
        field(key_values()),
        field(key_values()),
        field(string_map()),
        extras(STEP_FIELDS),
    )
        .prop_map(
            |(sid, action, name, status, msg, st, strat, et, inputs, outputs, props, extra)| {
                object(
                    vec![
                        ("execution_step_id", sid),
                        ("action", action),
                        ("name", name),
                        ("status", status),
                        ("message", msg),
                        ("start_time", st),
                        ("strat_time", strat),
                        ("end_time", et),
                        ("inputs", inputs),
                        ("outputs", outputs),
                        ("properties", props),
                    ],
                    extra,
                )
            },
        )
}

fn instance_json() -> impl Strategy<Value = Value> {
    (
        field(loose_id()),
        field(loose_id()),
        field(loose_id()),
        field(millis()),
        field(millis()),
        field(millis()),
        field(text()),
        field(text()),
        field(string_map()),
        extras(INSTANCE_FIELDS),
    )
        .prop_map(|(id, iid, sid, st, strat, et, status, msg, props, extra)| {
            object(
                vec![
                    ("id", id),
                    ("execution_instance_id", iid),
                    ("execution_step_id", sid),
                    ("start_time", st),
                    ("strat_time", strat),
                    ("end_time", et),
                    ("status", status),
                    ("message", msg),
                    ("properties", props),
                ],
                extra,
            )
        })
}

/// Checks that `out` (the re-encoded value) keeps every field of `input`:
/// a non-null value comes back equal, `null` comes back as null or as the
/// empty default, and `strat_time` is either kept or moved to `start_time`.
fn nothing_lost(input: &Value, out: &Value) -> Result<(), TestCaseError> {
    let input = input.as_object().unwrap();
    let out = out.as_object().unwrap();
    for (k, v) in input {
        let back = out.get(k);
        if k == "strat_time" {
            let moved = v.is_i64()
                && input.get("start_time").is_none_or(Value::is_null)
                && out.get("start_time") == Some(v);
            prop_assert!(moved || back == Some(v), "strat_time lost: {v}");
            continue;
        }
        if k == "start_time"
            && v.is_null()
            && let Some(strat) = input.get("strat_time").filter(|s| s.is_i64())
        {
            prop_assert_eq!(back, Some(strat), "strat_time fills a null start_time");
            continue;
        }
        match v {
            Value::Null => prop_assert!(
                matches!(
                    back,
                    Some(Value::Null) | Some(Value::Array(_)) | Some(Value::Object(_))
                ),
                "{k}: null came back as {back:?}"
            ),
            Value::Array(items)
                if k != "targets"
                    && k != "parameters"
                    && k != "tags"
                    && k != "sys_tags"
                    && k != "inputs"
                    && k != "outputs" =>
            {
                prop_assert_eq!(back, Some(&Value::Array(items.clone())), "{}", k)
            }
            Value::Array(items) => {
                // Key-value pairs and targets come back with their defaults
                // filled in; the count and the present values are kept.
                let back = back.and_then(Value::as_array).unwrap();
                prop_assert_eq!(back.len(), items.len(), "{}", k);
                for (a, b) in items.iter().zip(back) {
                    for (field, value) in a.as_object().unwrap() {
                        if !value.is_null() {
                            prop_assert_eq!(b.get(field), Some(value), "{}.{}", k, field);
                        }
                    }
                }
            }
            other => prop_assert_eq!(back, Some(other), "{}", k),
        }
    }
    Ok(())
}

fn round_trip<T>(input: &Value) -> Result<(), TestCaseError>
where
    T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
{
    // Decode from bytes, the way the parsers do.
    let first: T = serde_json::from_str(&input.to_string())
        .map_err(|e| TestCaseError::fail(format!("valid shape refused: {e}\n{input}")))?;
    let encoded = serde_json::to_value(&first).unwrap();
    nothing_lost(input, &encoded)?;
    let second: T = serde_json::from_str(&encoded.to_string()).unwrap();
    prop_assert_eq!(&second, &first);
    // Encoding is stable from here on.
    prop_assert_eq!(serde_json::to_value(&second).unwrap(), encoded);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn execution_round_trips(input in execution_json()) {
        round_trip::<Execution>(&input)?;
        // Through the real parser too.
        let body = json!({"data": input}).to_string();
        let t = GetExecution::new("EX1").unwrap()
            .parse_response(&HttpResponse::new(200, &[], body.as_bytes()));
        prop_assert!(t.is_ok(), "{:?}", t);
    }

    #[test]
    fn step_round_trips(input in step_json()) {
        round_trip::<Step>(&input)?;
    }

    #[test]
    fn instance_round_trips(input in instance_json()) {
        round_trip::<StepInstance>(&input)?;
    }

    #[test]
    fn pages_round_trip(items in prop::collection::vec(prop_oneof![3 => execution_json(), 1 => Just(Value::Null)], 0..5), total in proptest::option::of(any::<u64>())) {
        let mut body = json!({"data": items});
        if let Some(t) = total { body["total"] = json!(t); }
        let page = ListExecutions::default()
            .parse_response(&HttpResponse::new(200, &[], body.to_string().as_bytes()))
            .unwrap();
        let non_null = items.iter().filter(|v| !v.is_null()).count();
        prop_assert_eq!(page.items.len(), non_null);
        prop_assert_eq!(page.total, total.unwrap_or(non_null as u64));
    }
}

// ---------------------------------------------------------------- no panics

fn run_all_parsers(status: u16, headers: &[(String, String)], body: &[u8]) {
    let r = HttpResponse::new(status, headers, body);
    let results: Vec<Result<(), Error>> = vec![
        GetExecution::new("EX1")
            .unwrap()
            .parse_response(&r)
            .map(drop),
        OperateExecution::new("EX1", OperateType::Retry)
            .unwrap()
            .parse_response(&r)
            .map(drop),
        ListExecutions::default().parse_response(&r).map(drop),
        ListExecutionSteps::new("EX1")
            .unwrap()
            .parse_response(&r)
            .map(drop),
        ListExecutionInstances::new("s")
            .unwrap()
            .parse_response(&r)
            .map(drop),
        ExecuteDocument::new("DM1", ExecuteDocumentBody::default())
            .unwrap()
            .parse_response(&r)
            .map(drop),
    ];
    for (i, res) in results.into_iter().enumerate() {
        match res {
            Ok(()) => assert!(r.is_success(), "parser {i} accepted status {status}"),
            Err(e) => {
                // A failure status is always reported as the server's
                // error or as http, never as a decode problem.
                if !r.is_success() {
                    assert!(matches!(e, Error::Api(_) | Error::Http { .. }), "{e:?}");
                    assert_eq!(e.status(), Some(status));
                } else {
                    assert!(i != 1, "OperateExecution refused a 2xx: {e:?}");
                    assert!(
                        matches!(e, Error::Api(_) | Error::Decode(_) | Error::NotFound { .. }),
                        "{e:?}"
                    );
                }
                let text = e.to_string();
                assert!(!text.is_empty());
                assert!(text.len() < 2_000, "message too long: {}", text.len());
            }
        }
    }
}

fn status() -> impl Strategy<Value = u16> {
    prop_oneof![3 => 200u16..=204, 1 => 400u16..=599, 1 => any::<u16>()]
}

fn headers() -> impl Strategy<Value = Vec<(String, String)>> {
    prop::collection::vec(
        (
            prop_oneof![
                Just("X-request-id".to_owned()),
                Just("x-REQUEST-id".to_owned()),
                ".{0,10}"
            ],
            ".{0,20}",
        ),
        0..3,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn no_parser_panics_on_arbitrary_bytes(status in status(), headers in headers(), body in prop::collection::vec(any::<u8>(), 0..200)) {
        run_all_parsers(status, &headers, &body);
    }

    #[test]
    fn no_parser_panics_on_arbitrary_json(status in status(), headers in headers(), v in any_json(), wrap in 0..5u8) {
        let body = match wrap {
            0 => v,
            1 => json!({"data": v}),
            2 => json!({"data": [v], "total": 1}),
            3 => json!({"data": {"status": "Running", "extra": v}}),
            _ => json!({"error_code": v, "error_msg": "m", "request_id": "r"}),
        };
        run_all_parsers(status, &headers, body.to_string().as_bytes());
    }

    #[test]
    fn no_parser_panics_on_json_with_bad_tails(v in any_json(), tail in ".{0,10}", cut in 0usize..64) {
        let mut text = json!({"data": v}).to_string();
        let at = text.char_indices().map(|(i, _)| i).nth(cut).unwrap_or(text.len());
        text.truncate(at);
        text.push_str(&tail);
        run_all_parsers(200, &[], text.as_bytes());
    }

    #[test]
    fn excerpt_is_bounded(body in prop::collection::vec(any::<u8>(), 0..2000)) {
        let e = excerpt(&body);
        prop_assert!(e.chars().count() <= coc_core::EXCERPT_CHARS + 1);
        prop_assert!(!e.contains('\n') && !e.starts_with(' ') && !e.ends_with(' '));
    }
}

// ---------------------------------------------------------------- ids and URLs

/// Strings heavy in the characters that matter in a URL.
fn id_like() -> impl Strategy<Value = String> {
    prop_oneof![
        ".{0,20}",
        "[A-Za-z0-9._~/%?#&=+ :@\\\\\\-]{0,20}",
        "[a-z.]{0,6}",
        ".{120,140}",
    ]
}

fn segments(url: &str, prefix: &str) -> Vec<String> {
    let path = sign::split_url(url).path;
    let rest = path.strip_prefix(prefix).unwrap();
    rest.split('/').map(str::to_owned).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn accepted_ids_give_exactly_the_expected_segments(id in id_like(), base in prop_oneof![Just(("https://coc.myhuaweicloud.com", "")), Just(("http://127.0.0.1:8080/api/coc/", "/api/coc"))]) {
        let (base, prefix) = base;
        let accepted = validate_id("execution_id", &id).is_ok();
        let e = Endpoint::new(base, Auth::None).unwrap();
        let t = UnixTime::from_secs(0);
        match GetExecution::new(&id) {
            Err(err) => {
                prop_assert!(!accepted);
                prop_assert!(matches!(err, Error::InvalidArgument { field: "execution_id", .. }), "{:?}", err);
            }
            Ok(op) => {
                prop_assert!(accepted);
                let r = e.prepare(&op, t).unwrap();
                let segs = segments(&r.url, prefix);
                prop_assert_eq!(segs.len(), 4, "{}", r.url);
                prop_assert_eq!(&segs[..3], &["", "v1", "executions"]);
                prop_assert_eq!(percent_decode_str(&segs[3]).decode_utf8().unwrap(), id.as_str());
                prop_assert!(!r.url.contains(['?', '#', ' ']));

                let r = e.prepare(&ListExecutionSteps::new(&id).unwrap(), t).unwrap();
                let segs = segments(&r.url, prefix);
                prop_assert_eq!(segs.len(), 5, "{}", r.url);
                prop_assert_eq!(&segs[4], "steps");

                let r = e.prepare(&ExecuteDocument::new(&id, ExecuteDocumentBody::default()).unwrap(), t).unwrap();
                prop_assert_eq!(segments(&r.url, prefix).len(), 4, "{}", r.url);

                let r = e.prepare(&OperateExecution::new(&id, OperateType::Retry).unwrap(), t).unwrap();
                let body: Value = serde_json::from_slice(&r.body).unwrap();
                prop_assert_eq!(body["execution_id"].as_str(), Some(id.as_str()));

                let r = e.prepare(&ListExecutionInstances::new(&id).unwrap(), t).unwrap();
                let query = sign::split_url(&r.url).query;
                prop_assert_eq!(segments(&r.url, prefix).len(), 4);
                prop_assert!(!query.contains(['&', '#', '+', ' ']), "{}", query);
                let value = query.strip_prefix("execution_step_id=").unwrap();
                prop_assert_eq!(percent_decode_str(value).decode_utf8().unwrap(), id.as_str());
            }
        }
    }

    #[test]
    fn string_functions_never_panic(s in ".{0,40}", b in "[ -~]{0,40}") {
        for input in [s.as_str(), b.as_str()] {
            let _ = sign::canonical_query(input);
            let _ = sign::canonical_uri(input);
            let _ = sign::split_url(input);
            let _ = sign::AuthorizationHeader::parse(input);
            let _ = BaseUrl::parse(input);
            let _ = BaseUrl::parse(&format!("https://{input}"));
            let _ = parse_tags(input);
            let _ = ListExecutions::from_query(&[("tags", input), ("creator", input)]);
            let _ = ListExecutionSteps::from_query("EX1", &[("execution_step_id_list", input)]);
            let _ = ListExecutionInstances::from_query(&[("execution_step_id", input), ("limit", input)]);
            let _ = OperateType::parse(input);
            let _ = Endpoint::new("https://h", Auth::Token(input.to_owned()));
        }
    }

    #[test]
    fn canonical_forms_are_fixed_points(q in "[a-zA-Z0-9%+=&é ]{0,30}", p in "[a-zA-Z0-9%/é ]{0,30}") {
        let cq = sign::canonical_query(&q);
        prop_assert_eq!(sign::canonical_query(&cq), cq.clone());
        prop_assert!(!cq.contains(['+', ' ']));
        let cu = sign::canonical_uri(&p);
        prop_assert_eq!(sign::canonical_uri(&cu), cu.clone());
        prop_assert!(cu.ends_with('/') && !cu.contains(' '));
    }

    #[test]
    fn base_urls_that_parse_build_urls_on_that_origin(host in "[a-z0-9.-]{1,12}", port in proptest::option::of(any::<u16>()), prefix in "(/[a-z0-9_-]{1,6}){0,3}/?") {
        let url = match port {
            Some(p) => format!("http://{host}:{p}{prefix}"),
            None => format!("http://{host}{prefix}"),
        };
        let b = BaseUrl::parse(&url).unwrap();
        let e = Endpoint::new(&url, Auth::None).unwrap();
        let r = e.prepare(&GetExecution::new("EX1").unwrap(), UnixTime::from_secs(0)).unwrap();
        prop_assert!(r.url.starts_with(&b.to_string()));
        let parts = sign::split_url(&r.url);
        prop_assert_eq!(parts.authority, b.authority());
        prop_assert_eq!(parts.path, format!("{}/v1/executions/EX1", prefix.trim_end_matches('/')));
    }
}

// ---------------------------------------------------------------- signing

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn sign_then_verify(
        post in any::<bool>(),
        path in prop::collection::vec(".{1,8}", 0..4),
        query in prop::collection::vec((".{0,6}", ".{0,6}"), 0..4),
        extra in prop::collection::vec(("[A-Za-z][A-Za-z0-9-]{0,10}", "[ -~]{0,12}"), 0..3),
        body in prop::collection::vec(any::<u8>(), 0..64),
        secs in 0i64..4_102_444_800,
    ) {
        let enc = |s: &str| percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string();
        let mut url = format!("https://h.example:8443/{}", path.iter().map(|s| enc(s)).collect::<Vec<_>>().join("/"));
        for (i, (k, v)) in query.iter().enumerate() {
            url.push(if i == 0 { '?' } else { '&' });
            url.push_str(&format!("{}={}", enc(k), enc(v)));
        }
        let mut headers = vec![("Host".to_owned(), "h.example:8443".to_owned())];
        for (n, v) in extra {
            if !n.eq_ignore_ascii_case("authorization") && !n.eq_ignore_ascii_case("x-sdk-date") && !n.eq_ignore_ascii_case("x-sdk-content-sha256") {
                headers.push((n, v));
            }
        }
        let mut r = HttpRequest { method: if post { Method::Post } else { Method::Get }, url, headers, body };
        sign::sign(&mut r, &Credentials::new("AK", "SK"), UnixTime::from_secs(secs)).unwrap();
        prop_assert_eq!(r.header("X-Sdk-Date").unwrap(), UnixTime::from_secs(secs).sdk_date());
        prop_assert!(sign::verify(&r, |_| Some("SK".to_owned())).is_ok());
        let mut tampered = r.clone();
        tampered.body.push(0);
        let mismatch = matches!(sign::verify(&tampered, |_| Some("SK".to_owned())), Err(sign::VerifyError::Mismatch { .. }));
        prop_assert!(mismatch);
        let wrong = matches!(sign::verify(&r, |_| Some("SK2".to_owned())), Err(sign::VerifyError::Mismatch { .. }));
        prop_assert!(wrong);
    }
}

// ---------------------------------------------------------------- ListExecutions through a URL

fn filter_text() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(
        "[^\\p{Cc}]{1,20}".prop_filter("not blank", |s: &String| !s.trim().is_empty()),
    )
}

fn tag_part() -> impl Strategy<Value = String> {
    "[^,=\\p{Cc}\\s]{1,8}"
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn list_filters_survive_the_url(
        limit in proptest::option::of(1u32..=100),
        offset in proptest::option::of(any::<u32>()),
        creator in filter_text(),
        document_name in filter_text(),
        document_id in proptest::option::of("[A-Za-z0-9_-]{1,30}"),
        times in proptest::option::of((0i64..1i64 << 50, 1i64..1i64 << 20)),
        tags in prop::collection::vec((tag_part(), tag_part()), 0..4),
        exclude in proptest::option::of(any::<bool>()),
    ) {
        let op = ListExecutions {
            limit,
            offset,
            creator,
            start_time: times.map(|(s, _)| s),
            end_time: times.map(|(s, d)| s + d),
            document_name,
            document_id,
            tags: tags.into_iter().map(|(k, v)| KeyValue::new(k, v)).collect(),
            exclude_child_executions: exclude,
        };
        let r = Endpoint::new("http://127.0.0.1:8080/api/coc/", Auth::None).unwrap()
            .prepare(&op, UnixTime::from_secs(0)).unwrap();
        let query = sign::split_url(&r.url).query;
        let pairs: Vec<(String, String)> = query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap();
                (k.to_owned(), percent_decode_str(v).decode_utf8().unwrap().into_owned())
            })
            .collect();
        let back = ListExecutions::from_query(&pairs).unwrap();
        prop_assert_eq!(back, op);
    }
}
