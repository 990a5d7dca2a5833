//! Request builders for all six operations: URLs with and without a path
//! prefix, query encoding, every filter, body bytes, and every auth choice.
//! Also the base URL and id checks that run before anything is built.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use coc_core::gateway::{GetMe, ListAudit, REASON_HEADER, Reason};
use coc_core::sign::{self, Credentials, UnixTime};
use coc_core::{
    Auth, BaseUrl, DocumentId, Endpoint, Error, ExecuteDocument, ExecuteDocumentBody, ExecutionId,
    GetExecution, HttpRequest, KeyValue, ListExecutionInstances, ListExecutionSteps,
    ListExecutions, MAX_FILTER_LEN, MAX_ID_LEN, MAX_LIMIT, Method, OperateExecution, OperateType,
    Operation, StepId, Target, TargetKind, parse_tags, validate_id,
};
use serde_json::json;
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

const BASES: [(&str, &str); 6] = [
    (
        "https://coc.myhuaweicloud.com",
        "https://coc.myhuaweicloud.com",
    ),
    (
        "https://coc.myhuaweicloud.com/",
        "https://coc.myhuaweicloud.com",
    ),
    (
        "http://127.0.0.1:8080/api/coc/",
        "http://127.0.0.1:8080/api/coc",
    ),
    (
        "http://127.0.0.1:8080/api/coc",
        "http://127.0.0.1:8080/api/coc",
    ),
    (
        "  HTTPS://COC.MyHuaweiCloud.com:443//  ",
        "https://coc.myhuaweicloud.com",
    ),
    ("http://[::1]:8080/gw", "http://[::1]:8080/gw"),
];

const T0: UnixTime = UnixTime::from_secs(1_764_576_550); // 20251201T080910Z

fn none(base: &str) -> Endpoint {
    Endpoint::new(base, Auth::None).unwrap()
}

fn prepare<O: Operation>(base: &str, op: &O) -> HttpRequest {
    none(base).prepare(op, T0).unwrap()
}

/// The field and reason of an `InvalidArgument`, or a failure naming what came instead.
fn invalid(result: Result<impl std::fmt::Debug, Error>) -> (&'static str, String) {
    match result {
        Err(Error::InvalidArgument { field, reason }) => (field, reason),
        other => panic!("expected InvalidArgument, got {other:?}"),
    }
}

fn invalid_endpoint(result: Result<impl std::fmt::Debug, Error>) -> String {
    match result {
        Err(Error::InvalidEndpoint { reason, .. }) => reason,
        other => panic!("expected InvalidEndpoint, got {other:?}"),
    }
}

/// Query pairs as a gateway hands them over.
type Pairs<'a> = &'a [(&'a str, &'a str)];

// ---------------------------------------------------------------- URLs

#[test]
fn get_execution_url_with_and_without_prefix() {
    for (base, root) in BASES {
        let r = prepare(
            base,
            &GetExecution::new("EX2025070121014501xxxxxx").unwrap(),
        );
        assert_eq!(r.method, Method::Get);
        assert_eq!(
            r.url,
            format!("{root}/v1/executions/EX2025070121014501xxxxxx")
        );
        assert!(r.body.is_empty());
        assert_eq!(
            r.headers,
            vec![("Content-Type".to_owned(), "application/json".to_owned())]
        );
    }
}

#[test]
fn every_operation_url_under_a_gateway_prefix() {
    let base = "http://127.0.0.1:8080/api/coc/";
    let p = "http://127.0.0.1:8080/api/coc";
    assert_eq!(
        prepare(base, &GetExecution::new("EX1").unwrap()).url,
        format!("{p}/v1/executions/EX1")
    );
    let op = prepare(
        base,
        &OperateExecution::new("EX1", OperateType::Terminate).unwrap(),
    );
    assert_eq!(
        (op.method, op.url),
        (Method::Post, format!("{p}/v1/executions"))
    );
    assert_eq!(
        prepare(base, &ListExecutions::default()).url,
        format!("{p}/v1/executions")
    );
    assert_eq!(
        prepare(base, &ListExecutionSteps::new("EX1").unwrap()).url,
        format!("{p}/v1/executions/EX1/steps")
    );
    assert_eq!(
        prepare(base, &ListExecutionInstances::new("s-1").unwrap()).url,
        format!("{p}/v1/executions/instances?execution_step_id=s-1")
    );
    let doc = prepare(
        base,
        &ExecuteDocument::new("DM1", ExecuteDocumentBody::default()).unwrap(),
    );
    assert_eq!(
        (doc.method, doc.url.clone()),
        (Method::Post, format!("{p}/v1/documents/DM1"))
    );
    assert_eq!(doc.path_and_query(), "/api/coc/v1/documents/DM1");
}

#[test]
fn path_segments_are_percent_encoded() {
    let cases = [
        ("EX-1_a.b~c", "EX-1_a.b~c"),
        ("票据ü", "%E7%A5%A8%E6%8D%AEü"),
        ("a@b:c", "a%40b%3Ac"),
        ("a+b&c=d;e", "a%2Bb%26c%3Dd%3Be"),
        ("'quote'\"", "%27quote%27%22"),
        ("<script>", "%3Cscript%3E"),
    ];
    for (id, encoded) in cases {
        let encoded = encoded.replace('ü', "%C3%BC");
        let r = prepare("https://h", &GetExecution::new(id).unwrap());
        assert_eq!(r.url, format!("https://h/v1/executions/{encoded}"), "{id}");
        let s = prepare("https://h", &ListExecutionSteps::new(id).unwrap());
        assert_eq!(
            s.url,
            format!("https://h/v1/executions/{encoded}/steps"),
            "{id}"
        );
        let d = prepare(
            "https://h",
            &ExecuteDocument::new(id, ExecuteDocumentBody::default()).unwrap(),
        );
        assert_eq!(d.url, format!("https://h/v1/documents/{encoded}"), "{id}");
        // The signer's canonical URI of what we send is the same encoding.
        assert_eq!(
            sign::canonical_uri(sign::split_url(&r.url).path),
            format!("/v1/executions/{encoded}/")
        );
    }
}

// ---------------------------------------------------------------- ListExecutions

#[test]
fn list_executions_without_filters_has_no_query() {
    let r = prepare("https://h", &ListExecutions::default());
    assert_eq!(r.url, "https://h/v1/executions");
    assert_eq!(r.method, Method::Get);
    assert!(r.body.is_empty());
}

#[test]
fn list_executions_every_filter_and_pagination() {
    let op = ListExecutions {
        limit: Some(100),
        offset: Some(4_294_967_295),
        creator: Some("ops team & co=1".into()),
        start_time: Some(1_751_374_905_000),
        end_time: Some(1_751_378_505_000),
        document_name: Some("重启 web+01".into()),
        document_id: Some("DM2025070118023901xxxxxx".into()),
        tags: vec![KeyValue::new("env", "prod"), KeyValue::new("team", "ops x")],
        exclude_child_executions: Some(false),
    };
    assert_eq!(op.tags_query(), "env=prod,team=ops x");
    let r = prepare("http://127.0.0.1:8080/api/coc/", &op);
    assert_eq!(
        r.url,
        "http://127.0.0.1:8080/api/coc/v1/executions?limit=100&offset=4294967295\
         &creator=ops%20team%20%26%20co%3D1&start_time=1751374905000&end_time=1751378505000\
         &document_name=%E9%87%8D%E5%90%AF%20web%2B01&document_id=DM2025070118023901xxxxxx\
         &tags=env%3Dprod%2Cteam%3Dops%20x&exclude_child_executions=false"
    );
    // Each filter alone.
    let one = |op: ListExecutions| prepare("https://h", &op).url;
    let d = ListExecutions::default;
    assert_eq!(
        one(ListExecutions {
            limit: Some(1),
            ..d()
        }),
        "https://h/v1/executions?limit=1"
    );
    assert_eq!(
        one(ListExecutions {
            offset: Some(0),
            ..d()
        }),
        "https://h/v1/executions?offset=0"
    );
    assert_eq!(
        one(ListExecutions {
            creator: Some("a=b&c".into()),
            ..d()
        }),
        "https://h/v1/executions?creator=a%3Db%26c"
    );
    assert_eq!(
        one(ListExecutions {
            start_time: Some(0),
            ..d()
        }),
        "https://h/v1/executions?start_time=0"
    );
    assert_eq!(
        one(ListExecutions {
            end_time: Some(1),
            ..d()
        }),
        "https://h/v1/executions?end_time=1"
    );
    assert_eq!(
        one(ListExecutions {
            document_name: Some("ü".into()),
            ..d()
        }),
        "https://h/v1/executions?document_name=%C3%BC"
    );
    assert_eq!(
        one(ListExecutions {
            document_id: Some("DM1".into()),
            ..d()
        }),
        "https://h/v1/executions?document_id=DM1"
    );
    assert_eq!(
        one(ListExecutions {
            tags: vec![KeyValue::new("k", "v")],
            ..d()
        }),
        "https://h/v1/executions?tags=k%3Dv"
    );
    assert_eq!(
        one(ListExecutions {
            exclude_child_executions: Some(true),
            ..d()
        }),
        "https://h/v1/executions?exclude_child_executions=true"
    );
}

#[test]
fn list_executions_refuses_bad_filters() {
    let d = ListExecutions::default;
    let cases: Vec<(ListExecutions, &str, &str)> = vec![
        (
            ListExecutions {
                limit: Some(0),
                ..d()
            },
            "limit",
            "must be from 1 to 100, not 0",
        ),
        (
            ListExecutions {
                limit: Some(MAX_LIMIT + 1),
                ..d()
            },
            "limit",
            "must be from 1 to 100, not 101",
        ),
        (
            ListExecutions {
                creator: Some("  ".into()),
                ..d()
            },
            "creator",
            "must not be blank (leave it out instead)",
        ),
        (
            ListExecutions {
                creator: Some("x".repeat(MAX_FILTER_LEN + 1)),
                ..d()
            },
            "creator",
            "is longer than 256 characters",
        ),
        (
            ListExecutions {
                document_name: Some("a\u{7}b".into()),
                ..d()
            },
            "document_name",
            "must not contain control characters",
        ),
        (
            ListExecutions {
                document_name: Some(String::new()),
                ..d()
            },
            "document_name",
            "must not be blank",
        ),
        (
            ListExecutions {
                document_id: Some("a/x".into()),
                ..d()
            },
            "document_id",
            "must not contain a slash",
        ),
        (
            ListExecutions {
                start_time: Some(-1),
                ..d()
            },
            "start_time",
            "must not be before 1970",
        ),
        (
            ListExecutions {
                end_time: Some(-5),
                ..d()
            },
            "end_time",
            "must not be before 1970",
        ),
        (
            ListExecutions {
                start_time: Some(10),
                end_time: Some(10),
                ..d()
            },
            "end_time",
            "must be after start_time (10 is not after 10)",
        ),
        (
            ListExecutions {
                tags: vec![KeyValue::new("", "v")],
                ..d()
            },
            "tags",
            "each tag needs a key and a value, as key=value (got \"\"=\"v\")",
        ),
        (
            ListExecutions {
                tags: vec![KeyValue {
                    key: "k".into(),
                    value: None,
                    extra: Default::default(),
                }],
                ..d()
            },
            "tags",
            "each tag needs a key and a value",
        ),
        (
            ListExecutions {
                tags: vec![KeyValue::new("a,b", "v")],
                ..d()
            },
            "tags",
            "a,b=v contains ',' or '=', which the tags filter cannot carry",
        ),
        (
            ListExecutions {
                tags: vec![KeyValue::new("k", "x=y")],
                ..d()
            },
            "tags",
            "k=x=y contains ',' or '='",
        ),
        (
            ListExecutions {
                tags: vec![KeyValue::new("k", "a\nb")],
                ..d()
            },
            "tags",
            "must not contain control characters",
        ),
    ];
    for (op, field, reason) in cases {
        let (f, r) = invalid(op.validate());
        assert_eq!(f, field, "{op:?}");
        assert!(
            r.starts_with(reason),
            "{field}: {r:?} should start with {reason:?}"
        );
        // prepare refuses the same way, before anything is built.
        let (f2, r2) = invalid(none("https://h").prepare(&op, T0));
        assert_eq!((f2, r2), (f, r));
    }
    // Limits at the edges are fine.
    for limit in [1, 10, MAX_LIMIT] {
        ListExecutions {
            limit: Some(limit),
            ..d()
        }
        .validate()
        .unwrap();
    }
    ListExecutions {
        creator: Some("x".repeat(MAX_FILTER_LEN)),
        ..d()
    }
    .validate()
    .unwrap();
}

#[test]
fn list_executions_from_query() {
    let pairs = [
        ("limit", " 20 "),
        ("offset", "40"),
        ("creator", "ops team"),
        ("start_time", "1"),
        ("end_time", "2"),
        ("document_name", "重启"),
        ("document_id", "DM1"),
        ("tags", " env = prod ,team=ops,"),
        ("exclude_child_executions", "true"),
    ];
    let op = ListExecutions::from_query(&pairs).unwrap();
    assert_eq!(
        op,
        ListExecutions {
            limit: Some(20),
            offset: Some(40),
            creator: Some("ops team".into()),
            start_time: Some(1),
            end_time: Some(2),
            document_name: Some("重启".into()),
            document_id: Some("DM1".into()),
            tags: vec![KeyValue::new("env", "prod"), KeyValue::new("team", "ops")],
            exclude_child_executions: Some(true),
        }
    );
    let empty: [(&str, &str); 0] = [];
    assert_eq!(
        ListExecutions::from_query(&empty).unwrap(),
        ListExecutions::default()
    );

    let bad: [(Pairs, &str, &str); 7] = [
        (
            &[("page", "2")],
            "query",
            "unknown parameter \"page\"; known: limit, offset, creator",
        ),
        (
            &[("limit", "ten")],
            "limit",
            "\"ten\" is not a whole number in range",
        ),
        (
            &[("limit", "-1")],
            "limit",
            "\"-1\" is not a whole number in range",
        ),
        (&[("limit", "0")], "limit", "must be from 1 to 100, not 0"),
        (
            &[("offset", "4294967296")],
            "offset",
            "\"4294967296\" is not a whole number in range",
        ),
        (
            &[("exclude_child_executions", "yes")],
            "exclude_child_executions",
            "\"yes\" is not true or false",
        ),
        (
            &[("tags", "env")],
            "tags",
            "\"env\" is not key=value (tags look like env=prod,team=ops)",
        ),
    ];
    for (pairs, field, reason) in bad {
        let (f, r) = invalid(ListExecutions::from_query(pairs));
        assert_eq!(f, field);
        assert!(r.starts_with(reason), "{r:?}");
    }
}

#[test]
fn tags_filter_parsing() {
    assert_eq!(parse_tags("").unwrap(), vec![]);
    assert_eq!(parse_tags(" , ,").unwrap(), vec![]);
    assert_eq!(
        parse_tags("env=prod,team=ops").unwrap(),
        vec![KeyValue::new("env", "prod"), KeyValue::new("team", "ops")]
    );
    assert_eq!(
        parse_tags("k=a=b").unwrap(),
        vec![KeyValue::new("k", "a=b")]
    );
    for bad in ["=v", "k=", "k", " = "] {
        let (f, r) = invalid(parse_tags(bad));
        assert_eq!(f, "tags");
        assert!(r.contains("is not key=value"), "{r}");
    }
    // A value with '=' parses, but the filter cannot carry it back.
    let (f, _) = invalid(ListExecutions::from_query(&[("tags", "k=a=b")]));
    assert_eq!(f, "tags");
}

// ---------------------------------------------------------------- steps and instances

#[test]
fn list_execution_steps_query() {
    let mut op = ListExecutionSteps::new("EX1").unwrap();
    op.limit = Some(50);
    op.offset = Some(100);
    op.execution_step_id_list = vec![StepId::parse("s1").unwrap(), StepId::parse("s2").unwrap()];
    assert_eq!(
        prepare("https://h/", &op).url,
        "https://h/v1/executions/EX1/steps?limit=50&offset=100&execution_step_id_list=s1%2Cs2"
    );
    let op = ListExecutionSteps::from_query(
        "EX1",
        &[("execution_step_id_list", "a,b,,c"), ("limit", "5")],
    )
    .unwrap();
    assert_eq!(
        op.execution_step_id_list
            .iter()
            .map(StepId::as_str)
            .collect::<Vec<_>>(),
        ["a", "b", "c"]
    );
    assert_eq!(op.limit, Some(5));

    let (f, r) = invalid(ListExecutionSteps::from_query("EX1", &[("limit", "101")]));
    assert_eq!((f, r.as_str()), ("limit", "must be from 1 to 100, not 101"));
    let (f, r) = invalid(ListExecutionSteps::from_query("EX1", &[("status", "x")]));
    assert_eq!(f, "query");
    assert_eq!(
        r,
        "unknown parameter \"status\"; known: limit, offset, execution_step_id_list"
    );
    let (f, r) = invalid(ListExecutionSteps::from_query(
        "EX1",
        &[("execution_step_id_list", "a,b/c")],
    ));
    assert_eq!(f, "execution_step_id");
    assert!(r.contains("slash"));
    let (f, _) = invalid(ListExecutionSteps::from_query("", &[("limit", "1")]));
    assert_eq!(f, "execution_id");

    // A comma inside one id would split it in two on the server.
    let mut op = ListExecutionSteps::new("EX1").unwrap();
    op.execution_step_id_list = vec![StepId::parse("a,b").unwrap()];
    let (f, r) = invalid(op.parts());
    assert_eq!(f, "execution_step_id_list");
    assert_eq!(
        r,
        "\"a,b\" contains a comma, which separates the ids in this list"
    );
    let mut op = ListExecutionSteps::new("EX1").unwrap();
    op.limit = Some(0);
    assert_eq!(invalid(op.parts()).0, "limit");
}

#[test]
fn list_execution_instances_query() {
    let mut op = ListExecutionInstances::new("step-1").unwrap();
    op.limit = Some(100);
    op.offset = Some(7);
    assert_eq!(
        prepare("https://h", &op).url,
        "https://h/v1/executions/instances?execution_step_id=step-1&limit=100&offset=7"
    );
    let op = ListExecutionInstances::new("é&=+").unwrap();
    assert_eq!(
        prepare("https://h", &op).url,
        "https://h/v1/executions/instances?execution_step_id=%C3%A9%26%3D%2B"
    );
    let op = ListExecutionInstances::from_query(&[("offset", "3"), ("execution_step_id", "s9")])
        .unwrap();
    assert_eq!(
        (op.execution_step_id.as_str(), op.offset, op.limit),
        ("s9", Some(3), None)
    );
    let (f, r) = invalid(ListExecutionInstances::from_query(&[("limit", "5")]));
    assert_eq!((f, r.as_str()), ("execution_step_id", "is required"));
    let (f, r) = invalid(ListExecutionInstances::from_query(&[
        ("execution_step_id", "s"),
        ("x", "1"),
    ]));
    assert_eq!(f, "query");
    assert_eq!(
        r,
        "unknown parameter \"x\"; known: execution_step_id, limit, offset"
    );
    let (f, _) = invalid(ListExecutionInstances::from_query(&[
        ("execution_step_id", "s"),
        ("limit", "1000"),
    ]));
    assert_eq!(f, "limit");
}

// ---------------------------------------------------------------- bodies

#[test]
fn operate_execution_body_bytes() {
    for (op, wire) in [
        (OperateType::Resume, "RESUME"),
        (OperateType::Terminate, "TERMINATE"),
        (OperateType::Retry, "RETRY"),
        (OperateType::SkipBatch, "SKIP_BATCH"),
    ] {
        let r = prepare(
            "https://h",
            &OperateExecution::new("EX20250624161701019xxxx", op).unwrap(),
        );
        assert_eq!(r.method, Method::Post);
        assert_eq!(r.url, "https://h/v1/executions");
        assert_eq!(
            String::from_utf8(r.body).unwrap(),
            format!(r#"{{"execution_id":"EX20250624161701019xxxx","operate_type":"{wire}"}}"#)
        );
        assert_eq!(
            r.headers,
            vec![("Content-Type".to_owned(), "application/json".to_owned())]
        );
    }
    // A unicode id is escaped by JSON rules only (the body is UTF-8 JSON).
    let r = prepare(
        "https://h",
        &OperateExecution::new("票\"x", OperateType::Retry).unwrap(),
    );
    assert_eq!(
        String::from_utf8(r.body).unwrap(),
        r#"{"execution_id":"票\"x","operate_type":"RETRY"}"#
    );
}

#[test]
fn execute_document_body_bytes() {
    let empty = prepare(
        "https://h",
        &ExecuteDocument::new("DM1", ExecuteDocumentBody::default()).unwrap(),
    );
    assert_eq!(empty.body, b"{}");
    let body = ExecuteDocumentBody {
        version: Some("v2".into()),
        parameters: vec![KeyValue::new("msg", "héllo")],
        sys_tags: vec![KeyValue::new("_sys_enterprise_project_id", "0")],
        target_parameter_name: Some("hosts".into()),
        targets: vec![Target {
            key: TargetKind::InstanceValues,
            values: vec![json!({"id": "i-1"}), json!(2)],
            extra: Default::default(),
        }],
        document_type: Some("PUBLIC".into()),
        description: Some("line1\nline2".into()),
    };
    let r = prepare("https://h", &ExecuteDocument::new("DM1", body).unwrap());
    assert_eq!(
        String::from_utf8(r.body).unwrap(),
        r#"{"version":"v2","parameters":[{"key":"msg","value":"héllo"}],"sys_tags":[{"key":"_sys_enterprise_project_id","value":"0"}],"target_parameter_name":"hosts","targets":[{"key":"InstanceValues","values":[{"id":"i-1"},2]}],"document_type":"PUBLIC","description":"line1\nline2"}"#
    );
    let bad = ExecuteDocument::new(
        "DM1",
        ExecuteDocumentBody {
            document_type: Some("private".into()),
            ..ExecuteDocumentBody::default()
        },
    )
    .unwrap();
    let (f, r) = invalid(bad.parts());
    assert_eq!(
        (f, r.as_str()),
        ("document_type", "\"private\" is not PRIVATE or PUBLIC")
    );
}

/// ExecuteDocument's body is a request: read strictly (no unknown field at
/// any level, no key twice, a parameter needs its key and a target its
/// values) and written back exactly as read, nothing added.
#[test]
fn execute_document_bodies_are_read_strictly_and_written_as_read() {
    let read = |text: &str| serde_json::from_str::<ExecuteDocumentBody>(text);
    for bad in [
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
    ] {
        assert!(read(bad).is_err(), "{bad} was accepted");
    }
    let err = read(r#"{"parameters":[{"key":"k","vaule":"v"}]}"#).unwrap_err();
    assert!(err.to_string().contains("vaule"), "{err}");
    let err =
        read(r#"{"targets":[{"key":"InstanceValues","values":[{"id":1,"id":2}]}]}"#).unwrap_err();
    assert!(
        err.to_string().contains("duplicate") && err.to_string().contains("id"),
        "{err}"
    );

    let sent = json!({
        "version": "v2",
        "parameters": [{"key": "k"}, {"key": "m", "value": "v"}, {"key": "", "value": ""}],
        "sys_tags": [{"key": "_sys_enterprise_project_id", "value": "0"}],
        "target_parameter_name": "hosts",
        "targets": [{"key": "InstanceValues", "values": [
            {"resource_id": "i-1", "nested": [1, {"a": null, "b": [true]}]}, 2
        ]}],
        "document_type": "PRIVATE",
        "description": "as sent"
    });
    let body = read(&sent.to_string()).unwrap();
    let r = prepare("https://h", &ExecuteDocument::new("DM1", body).unwrap());
    let written: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(written, sent);
}

// ---------------------------------------------------------------- auth

#[test]
fn auth_none_sends_no_credentials() {
    let r = prepare("https://h", &GetExecution::new("EX1").unwrap());
    assert!(r.header("Authorization").is_none());
    assert!(r.header("X-Auth-Token").is_none());
    assert!(r.header("X-Sdk-Date").is_none());
    assert!(r.header("Host").is_none());
}

#[test]
fn auth_iam_token() {
    let e = Endpoint::new("https://h", Auth::Token(" tok-abc.DEF \n".into()));
    // Surrounding whitespace is trimmed, inner spaces refused.
    let r = e
        .unwrap()
        .prepare(&GetExecution::new("EX1").unwrap(), T0)
        .unwrap();
    assert_eq!(r.header("x-auth-token"), Some("tok-abc.DEF"));
    assert!(r.header("Authorization").is_none());
    assert_eq!(
        invalid_endpoint(Endpoint::new("https://h", Auth::Token("   ".into()))),
        "the IAM token is empty"
    );
    assert_eq!(
        invalid_endpoint(Endpoint::new("https://h", Auth::Token("a b".into()))),
        "the IAM token contains spaces or control characters"
    );
    assert_eq!(
        invalid_endpoint(Endpoint::new("https://h", Auth::Token("a\u{0}b".into()))),
        "the IAM token contains spaces or control characters"
    );
    // Secrets never reach Debug output.
    let dbg = format!("{r:?} {:?}", Auth::Token("tok-abc.DEF".into()));
    assert!(!dbg.contains("tok-abc"), "{dbg}");
    assert!(dbg.contains("<redacted>"));
}

#[test]
fn auth_ak_sk_with_security_token_domain_and_project() {
    let creds = Credentials::new("AK1", "SK1")
        .with_security_token("sts-token")
        .with_domain_id("dom-1")
        .with_project_id("proj-1");
    let e = Endpoint::new(
        "https://coc.myhuaweicloud.com:443/",
        Auth::AkSk(creds.clone()),
    )
    .unwrap();
    let r = e
        .prepare(
            &OperateExecution::new("EX1", OperateType::Retry).unwrap(),
            T0,
        )
        .unwrap();
    assert_eq!(
        r.header("Host"),
        Some("coc.myhuaweicloud.com"),
        "default port left out"
    );
    assert_eq!(r.header("X-Sdk-Date"), Some("20251201T080910Z"));
    assert_eq!(r.header("X-Security-Token"), Some("sts-token"));
    assert_eq!(r.header("X-Domain-Id"), Some("dom-1"));
    assert_eq!(r.header("X-Project-Id"), Some("proj-1"));
    let auth = r.header("Authorization").unwrap();
    assert!(
        auth.starts_with(
            "SDK-HMAC-SHA256 Access=AK1, SignedHeaders=content-type;host;x-domain-id;x-project-id;x-sdk-date;x-security-token, Signature="
        ),
        "{auth}"
    );
    let sig = auth.rsplit("Signature=").next().unwrap();
    assert_eq!(sig.len(), 64);
    assert!(
        sig.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    );
    // Our verifier accepts it, with the right SK only.
    sign::verify(&r, |ak| (ak == "AK1").then(|| "SK1".to_owned())).unwrap();
    assert!(sign::verify(&r, |_| Some("SK2".to_owned())).is_err());
    // Nothing secret in Debug.
    let dbg = format!("{r:?} {e:?} {creds:?}");
    for secret in ["SK1", "sts-token", sig] {
        assert!(!dbg.contains(secret), "{secret} leaked: {dbg}");
    }
    assert!(dbg.contains("AK1"), "the access key is not secret");

    // A port that is not the default is part of Host.
    let e = Endpoint::new(
        "http://127.0.0.1:8080/api/coc/",
        Auth::AkSk(Credentials::new("AK1", "SK1")),
    )
    .unwrap();
    let r = e.prepare(&GetExecution::new("EX1").unwrap(), T0).unwrap();
    assert_eq!(r.header("host"), Some("127.0.0.1:8080"));
    assert!(r.header("X-Security-Token").is_none() && r.header("X-Domain-Id").is_none());
    assert!(
        r.header("Authorization")
            .unwrap()
            .contains("SignedHeaders=content-type;host;x-sdk-date,")
    );
}

/// `prepare(op)` and `prepare_parts(op.parts())` give the same request for
/// every operation and every auth choice, reason header and operator token
/// included (the console sends through `prepare_parts`).
#[test]
fn prepare_and_prepare_parts_build_identical_requests() {
    fn same<O: Operation>(endpoint: &Endpoint, op: &O) -> HttpRequest {
        let via_op = endpoint.prepare(op, T0).unwrap();
        let via_parts = endpoint.prepare_parts(op.parts().unwrap(), T0).unwrap();
        assert_eq!(via_op, via_parts, "{endpoint:?} {}", O::NAME);
        via_op
    }
    let reason = || Some(Reason::parse("stuck batch, INC-9").unwrap());
    let endpoints = [
        Endpoint::new("http://127.0.0.1:8080/api/coc/", Auth::None).unwrap(),
        Endpoint::new("http://127.0.0.1:8080/api/coc/", Auth::None)
            .unwrap()
            .with_operator_token("cocpat_secret")
            .unwrap(),
        Endpoint::new("https://h", Auth::Token("tok-abc".into()))
            .unwrap()
            .with_operator_token("cocpat_secret")
            .unwrap(),
        Endpoint::new(
            "https://coc.myhuaweicloud.com",
            Auth::AkSk(Credentials::new("AK1", "SK1").with_project_id("proj-1")),
        )
        .unwrap(),
    ];
    let list = ListExecutions {
        limit: Some(5),
        creator: Some("张 三".into()),
        tags: parse_tags("env=prod,team=ops").unwrap(),
        ..ListExecutions::default()
    };
    for endpoint in &endpoints {
        let operate = same(
            endpoint,
            &OperateExecution::new("EX1", OperateType::Terminate)
                .unwrap()
                .with_reason(reason()),
        );
        assert_eq!(
            operate.header(REASON_HEADER),
            Some("stuck%20batch%2C%20INC-9")
        );
        if endpoint.has_operator_token() {
            assert_eq!(
                operate.header("Authorization"),
                Some("Bearer cocpat_secret")
            );
        }
        let execute = same(
            endpoint,
            &ExecuteDocument::new("DM1", ExecuteDocumentBody::default())
                .unwrap()
                .with_reason(reason()),
        );
        assert!(execute.header(REASON_HEADER).is_some());
        same(endpoint, &GetExecution::new("EX1").unwrap());
        same(endpoint, &list);
        same(endpoint, &ListExecutionSteps::new("EX1").unwrap());
        same(endpoint, &ListExecutionInstances::new("ST1").unwrap());
        same(endpoint, &GetMe);
        same(
            endpoint,
            &ListAudit::for_execution(ExecutionId::parse("EX1").unwrap()),
        );
    }
    // A failure in the parts is the caller's to see before prepare_parts.
    let bad = ListExecutions {
        limit: Some(0),
        ..ListExecutions::default()
    };
    assert_eq!(
        endpoints[0].prepare(&bad, T0).unwrap_err(),
        bad.parts().unwrap_err()
    );
}

#[test]
fn bad_credentials_are_refused_when_the_endpoint_is_made() {
    let cases = [
        (
            Credentials::new("", "SK"),
            "the access key is empty or contains whitespace",
        ),
        (
            Credentials::new("A K", "SK"),
            "the access key is empty or contains whitespace",
        ),
        (
            Credentials::new("AK", ""),
            "the secret key is empty or contains whitespace",
        ),
        (
            Credentials::new("AK", "S\tK"),
            "the secret key is empty or contains whitespace",
        ),
        (
            Credentials::new("AK", "SK").with_security_token(""),
            "the security token is empty or contains whitespace",
        ),
        (
            Credentials::new("AK", "SK").with_domain_id("d 1"),
            "the domain id is empty or contains whitespace",
        ),
        (
            Credentials::new("AK", "SK").with_project_id("p\n"),
            "the project id is empty or contains whitespace",
        ),
    ];
    for (creds, reason) in cases {
        let err = Endpoint::new("https://h", Auth::AkSk(creds.clone())).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("invalid endpoint \"https://h\": {reason}")
        );
        // sign() refuses them too, as an invalid argument.
        let mut r = prepare("https://h", &GetExecution::new("EX1").unwrap());
        let (f, why) = invalid(sign::sign(&mut r, &creds, T0));
        assert_eq!((f, why.as_str()), ("credentials", reason));
    }
}

// ---------------------------------------------------------------- base URLs

#[test]
fn base_url_accessors() {
    let b = BaseUrl::parse("http://127.0.0.1:8080/api/coc/").unwrap();
    assert_eq!(b.origin(), "http://127.0.0.1:8080");
    assert_eq!(b.prefix(), "/api/coc");
    assert_eq!(b.authority(), "127.0.0.1:8080");
    assert_eq!(b.to_string(), "http://127.0.0.1:8080/api/coc");
    let b = BaseUrl::parse("https://coc.myhuaweicloud.com").unwrap();
    assert_eq!((b.prefix(), b.authority()), ("", "coc.myhuaweicloud.com"));
    let b = BaseUrl::parse("http://h:80").unwrap();
    assert_eq!(b.authority(), "h");
    let b = BaseUrl::parse("https://h:").unwrap();
    assert_eq!(b.authority(), "h", "an empty port is the default port");
    let b = BaseUrl::parse("http://[::1]/").unwrap();
    assert_eq!(b.authority(), "[::1]");
    let b = BaseUrl::parse("https://h:8443/x").unwrap();
    assert_eq!(b.origin(), "https://h:8443");
}

#[test]
fn base_url_refusals() {
    let cases = [
        (
            "coc.myhuaweicloud.com",
            "must start with http:// or https://",
        ),
        ("ftp://h", "must start with http:// or https://"),
        ("", "must start with http:// or https://"),
        ("https://", "has no host"),
        ("https:///v1", "has no host"),
        ("https://:8080", "has no host"),
        (
            "https://user:pw@h",
            "must not carry credentials (user@host)",
        ),
        ("https://h?x=1", "must not have a query or a fragment"),
        ("https://h/#top", "must not have a query or a fragment"),
        (
            "https://h:99999",
            "has a port that is not a number from 0 to 65535",
        ),
        (
            "https://h:abc",
            "has a port that is not a number from 0 to 65535",
        ),
        (
            "https://h/a b",
            "must not contain whitespace, control characters or backslashes",
        ),
        (
            "https://h\\x",
            "must not contain whitespace, control characters or backslashes",
        ),
        (
            "https://h/a\u{7f}",
            "must not contain whitespace, control characters or backslashes",
        ),
        (
            "https://h/../x",
            "must not contain \".\" or \"..\" path segments",
        ),
        (
            "https://h/api/./x/",
            "must not contain \".\" or \"..\" path segments",
        ),
    ];
    for (url, reason) in cases {
        let err = BaseUrl::parse(url).unwrap_err();
        assert_eq!(
            err,
            Error::InvalidEndpoint {
                url: url.to_owned(),
                reason: reason.to_owned()
            },
            "{url}"
        );
        assert_eq!(
            err.to_string(),
            format!("invalid endpoint {url:?}: {reason}")
        );
        assert_eq!(err.kind(), "invalid_endpoint");
        assert!(Endpoint::new(url, Auth::None).is_err());
    }
}

// ---------------------------------------------------------------- ids

/// Hostile ids, each with the reason it must be refused.
const BAD_IDS: [(&str, &str); 21] = [
    ("", "must not be empty"),
    (".", "must not contain \"..\" or be \".\""),
    ("..", "must not contain \"..\" or be \".\""),
    ("a..b", "must not contain \"..\" or be \".\""),
    ("../../etc/passwd", "must not contain \"..\" or be \".\""),
    ("EX1/steps", "must not contain a slash \"/\" (found '/')"),
    (
        "EX1\\x",
        "must not contain a backslash \"\\\" (found '\\\\')",
    ),
    (
        "EX1?limit=1",
        "must not contain a question mark \"?\" (found '?')",
    ),
    ("EX1#frag", "must not contain a hash \"#\" (found '#')"),
    ("a%2F..%2Fb", "must not contain \"..\" or be \".\""),
    ("a%2Fb", "must not contain a percent sign \"%\" (found '%')"),
    ("EX 1", "must not contain whitespace (found ' ')"),
    (" EX1", "must not contain whitespace (found ' ')"),
    ("EX1\u{a0}", "must not contain whitespace (found '\\u{a0}')"),
    (
        "EX1\u{3000}",
        "must not contain whitespace (found '\\u{3000}')",
    ),
    (
        "EX1\t",
        "must not contain a control character (found '\\t')",
    ),
    (
        "EX1\n",
        "must not contain a control character (found '\\n')",
    ),
    (
        "EX1\r\nX-Injected: 1",
        "must not contain a control character (found '\\r')",
    ),
    (
        "\u{0}",
        "must not contain a control character (found '\\0')",
    ),
    (
        "EX\u{7f}",
        "must not contain a control character (found '\\u{7f}')",
    ),
    (
        "EX\u{85}",
        "must not contain a control character (found '\\u{85}')",
    ),
];

#[test]
fn hostile_ids_are_refused_naming_the_field() {
    for (id, reason) in BAD_IDS {
        for (field, result) in [
            ("execution_id", GetExecution::new(id).map(|_| ())),
            (
                "execution_id",
                OperateExecution::new(id, OperateType::Retry).map(|_| ()),
            ),
            ("execution_id", ListExecutionSteps::new(id).map(|_| ())),
            (
                "execution_step_id",
                ListExecutionInstances::new(id).map(|_| ()),
            ),
            (
                "document_id",
                ExecuteDocument::new(id, ExecuteDocumentBody::default()).map(|_| ()),
            ),
            ("execution_id", id.parse::<ExecutionId>().map(|_| ())),
            ("document_id", DocumentId::parse(id).map(|_| ())),
            ("execution_step_id", StepId::parse(id).map(|_| ())),
        ] {
            let (f, r) = invalid(result);
            assert_eq!(f, field, "{id:?}");
            assert_eq!(r, reason, "{id:?}");
        }
        let err = GetExecution::new(id).unwrap_err();
        assert_eq!(err.to_string(), format!("invalid execution_id: {reason}"));
        assert_eq!(err.kind(), "invalid_argument");
        assert_eq!(
            (err.status(), err.request_id(), err.error_code()),
            (None, None, None)
        );
    }
}

/// Invisible and bidirectional-control characters: in a console such an id
/// can display as a different ticket's (`EX1\u{202e}...` renders reversed).
const INVISIBLE: [char; 15] = [
    '\u{200b}', '\u{200c}', '\u{200d}', '\u{200e}', '\u{200f}', '\u{202a}', '\u{202b}', '\u{202c}',
    '\u{202d}', '\u{202e}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}', '\u{feff}',
];

#[test]
fn invisible_and_bidi_control_ids_are_refused() {
    for c in INVISIBLE {
        for id in [
            format!("EX1{c}"),
            format!("{c}EX1"),
            format!("E{c}X1"),
            c.to_string(),
        ] {
            for result in [
                validate_id("execution_id", &id),
                GetExecution::new(&id).map(|_| ()),
                OperateExecution::new(&id, OperateType::Terminate).map(|_| ()),
                DocumentId::parse(&id).map(|_| ()),
                StepId::parse(&id).map(|_| ()),
            ] {
                let (_, reason) = invalid(result);
                assert_eq!(
                    reason,
                    format!(
                        "must not contain an invisible or bidirectional-control character (found {c:?})"
                    ),
                    "{id:?}"
                );
            }
        }
    }
    // Their neighbours stay allowed: ids are not restricted to ASCII.
    for ok in ["EX\u{2010}1", "EX\u{2030}", "EX\u{2070}", "EX\u{fefe}"] {
        validate_id("execution_id", ok).unwrap();
    }
}

#[test]
fn id_length_limit_counts_characters() {
    let ok = "é".repeat(MAX_ID_LEN);
    validate_id("execution_id", &ok).unwrap();
    let r = prepare("https://h", &GetExecution::new(&ok).unwrap());
    assert_eq!(r.url.matches("%C3%A9").count(), MAX_ID_LEN);
    let long = "x".repeat(MAX_ID_LEN + 1);
    let (f, r) = invalid(GetExecution::new(&long));
    assert_eq!(f, "execution_id");
    assert_eq!(r, "is 129 characters long; at most 128 are allowed");
    let (_, r) = invalid(validate_id("document_id", &"y".repeat(10_000)));
    assert_eq!(r, "is 10000 characters long; at most 128 are allowed");
}

#[test]
fn id_types() {
    let id = ExecutionId::parse("EX1").unwrap();
    assert_eq!(
        (id.as_str(), id.to_string(), id.as_ref()),
        ("EX1", "EX1".to_owned(), "EX1")
    );
    assert_eq!(ExecutionId::FIELD, "execution_id");
    assert_eq!(DocumentId::FIELD, "document_id");
    assert_eq!(StepId::FIELD, "execution_step_id");
    assert!("EX1".parse::<StepId>().is_ok());
    // Dots are fine where they are not a path escape.
    for ok in ["a.b", ".x", "x.", "v1.2.3", "~", "-", "_"] {
        validate_id("execution_id", ok).unwrap();
    }
}

// ---------------------------------------------------------------- HttpRequest helpers

#[test]
fn http_request_helpers() {
    let mut r = prepare(
        "https://h/p",
        &ListExecutions {
            limit: Some(5),
            ..ListExecutions::default()
        },
    );
    assert_eq!(r.path_and_query(), "/p/v1/executions?limit=5");
    assert_eq!(r.header("content-type"), Some("application/json"));
    r.headers.push(("x-a".into(), "1".into()));
    r.headers.push(("X-A".into(), "2".into()));
    assert_eq!(r.header("X-a"), Some("1"), "first value wins");
    r.set_header("X-A", "3");
    assert_eq!(
        r.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("x-a"))
            .count(),
        1,
        "set_header replaces every value"
    );
    assert_eq!(r.header("x-a"), Some("3"));
    assert!(coc_core::is_secret_header("AUTHORIZATION"));
    assert!(coc_core::is_secret_header("x-security-token"));
    assert!(coc_core::is_secret_header("Cookie"));
    assert!(!coc_core::is_secret_header("x-domain-id"));
}
