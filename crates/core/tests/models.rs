//! The seeds' example bodies and hand-written pages, decoded field by field;
//! the model types' helpers; serialising back without losing what came in.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use coc_core::{
    ExecuteDocumentBody, Execution, ExecutionStatus, ExecutionType, GetExecution, HttpResponse,
    KeyValue, ListExecutionInstances, ListExecutionSteps, ListExecutions, LooseId,
    OperateExecution, OperateType, Operation, Page, Step, StepInstance, Target, TargetKind,
};
use serde_json::{Value, json};
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

const SEED_002_GET: &str = include_str!("fixtures/seed_002_get_execution_response.json");
const SEED_000_REQUEST: &str = include_str!("fixtures/seed_000_operate_request.json");
const SEED_000_RESPONSE: &[u8] = include_bytes!("fixtures/seed_000_operate_response.json");
const LIST_PAGE: &str = include_str!("fixtures/list_executions_page.json");
const STEPS_PAGE: &str = include_str!("fixtures/list_execution_steps_page.json");
const INSTANCES_PAGE: &str = include_str!("fixtures/list_execution_instances_page.json");

fn headers(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect()
}

fn get(id: &str, body: &str) -> Execution {
    let h = headers(&[("X-request-id", "req-get")]);
    GetExecution::new(id)
        .unwrap()
        .parse_response(&HttpResponse::new(200, &h, body.as_bytes()))
        .unwrap()
}

#[test]
fn seed_002_get_execution_example_decodes_field_by_field() {
    let t = get("EX2025070121014501xxxxxx", SEED_002_GET);
    assert_eq!(t.id, Some(LooseId::Number(123.into())));
    assert_eq!(t.id.as_ref().unwrap().to_string(), "123");
    assert_eq!(t.execution_id.as_deref(), Some("EX2025070121014501xxxxxx"));
    assert_eq!(t.execution_type, Some(ExecutionType::Normal));
    assert_eq!(t.document_name.as_deref(), Some("test_document"));
    assert_eq!(t.document_id.as_deref(), Some("DM2025070118023901xxxxxx"));
    assert_eq!(
        t.document_version_id.as_deref(),
        Some("573634e7-5e69-4b4b-b4a1-b7433xxxxxx")
    );
    assert_eq!(t.document_version.as_deref(), Some("v2"));
    assert_eq!(t.start_time, Some(1_751_374_905_000));
    assert_eq!(t.end_time, None, "end_time is null while the ticket runs");
    assert_eq!(t.update_time, Some(1_751_374_905_000));
    assert_eq!(t.status, Some(ExecutionStatus::Pending));
    assert_eq!(t.description, None);
    assert!(t.parameters.is_empty());
    assert_eq!(t.target_parameter_name, None);
    assert!(t.targets.is_empty(), "targets: null decodes as empty");
    assert_eq!(t.creator.as_deref(), Some("COC-Script"));
    assert!(t.tags.is_empty());
    assert!(t.sys_tags.is_empty(), "sys_tags is absent in the seed");
    assert!(t.extra.is_empty(), "the seed has no unknown fields");
    // Helpers on the seed ticket.
    assert!(!t.is_batch());
    assert_eq!(t.target_count(), 0);
    assert!(t.status_or_unknown().is_active());
    assert_eq!(t.duration_ms(1_751_374_965_000), Some(60_000));
}

#[test]
fn seed_002_serialises_back_with_every_field_it_came_with() {
    let t = get("EX2025070121014501xxxxxx", SEED_002_GET);
    let out = serde_json::to_value(&t).unwrap();
    let seed: Value = serde_json::from_str(SEED_002_GET).unwrap();
    for (key, value) in seed["data"].as_object().unwrap() {
        let back = &out[key.as_str()];
        if key == "targets" {
            // The one normalisation: a null array comes back empty.
            assert_eq!(back, &json!([]), "{key}");
        } else {
            assert_eq!(back, value, "{key}");
        }
    }
    // And decoding the output again gives the same ticket.
    let again: Execution = serde_json::from_value(out).unwrap();
    assert_eq!(again, t);
}

#[test]
fn seed_000_operate_request_body_is_what_the_builder_sends() {
    let op = OperateExecution::new("EX20250624161701019xxxx", OperateType::Retry).unwrap();
    let sent: Value = serde_json::from_slice(&op.parts().unwrap().body).unwrap();
    let seed: Value = serde_json::from_str(SEED_000_REQUEST).unwrap();
    assert_eq!(sent, seed);
    assert_eq!(seed["operate_type"], "RETRY");
    assert_eq!(seed["execution_id"], "EX20250624161701019xxxx");
    // Both fields, nothing else.
    assert_eq!(sent.as_object().unwrap().len(), 2);
}

#[test]
fn seed_000_operate_response_is_success() {
    let op = OperateExecution::new("EX20250624161701019xxxx", OperateType::Retry).unwrap();
    let h = headers(&[("x-request-id", "op-42")]);
    let done = op
        .parse_response(&HttpResponse::new(200, &h, SEED_000_RESPONSE))
        .unwrap();
    assert_eq!(done.request_id.as_deref(), Some("op-42"));
}

#[test]
fn list_executions_page_decodes_field_by_field() {
    let page: Page<Execution> = ListExecutions::default()
        .parse_response(&HttpResponse::new(200, &[], LIST_PAGE.as_bytes()))
        .unwrap();
    assert_eq!(page.total, 42, "total is the server's, not the page length");
    assert_eq!(page.items.len(), 3, "the null element is dropped");

    let a = &page.items[0];
    assert_eq!(a.id, Some(LooseId::Text("9001".into())));
    assert_eq!(a.execution_id.as_deref(), Some("EX2025070121014501aaaaaa"));
    assert_eq!(a.document_name.as_deref(), Some("restart web tier"));
    assert_eq!(a.document_version.as_deref(), Some("v3"));
    assert_eq!(a.start_time, Some(1_751_374_905_000));
    assert_eq!(a.end_time, None);
    assert_eq!(a.update_time, Some(1_751_374_965_000));
    assert_eq!(a.creator.as_deref(), Some("ops-alice"));
    assert_eq!(a.status, Some(ExecutionStatus::Running));
    assert_eq!(
        a.description.as_deref(),
        Some("rolling restart, 2 per batch")
    );
    assert_eq!(
        a.parameters,
        vec![
            KeyValue::new("batch_size", "2"),
            KeyValue {
                key: "note".into(),
                value: None,
                extra: Default::default(),
            }
        ]
    );
    assert_eq!(a.tags, vec![KeyValue::new("env", "prod")]);
    assert_eq!(
        a.sys_tags,
        vec![KeyValue::new("_sys_enterprise_project_id", "0")]
    );
    assert_eq!(a.target_parameter_name.as_deref(), Some("hosts"));
    assert_eq!(a.targets.len(), 2);
    assert_eq!(a.targets[0].key, TargetKind::BatchValues);
    assert_eq!(a.targets[0].values.len(), 2);
    assert_eq!(
        a.targets[0].values[0],
        json!([{"id": "i-1"}, {"id": "i-2"}])
    );
    assert_eq!(a.targets[1].key, TargetKind::InstanceValues);
    assert_eq!(
        a.targets[1].values,
        vec![json!({"id": "i-4", "region": "cn-north-4"})]
    );
    assert_eq!(a.target_count(), 3);
    assert_eq!(a.execution_type, Some(ExecutionType::Batch));
    assert!(a.is_batch());
    assert_eq!(a.extra.len(), 2);
    assert_eq!(a.extra["batch_progress"], json!({"current": 1, "total": 2}));
    assert_eq!(a.extra["rollback_enabled"], json!(false));

    let b = &page.items[1];
    assert_eq!(b.id, Some(LooseId::Number(9002.into())));
    assert_eq!(b.start_time, Some(1_751_300_000_000), "strat_time is read");
    assert!(
        !b.extra.contains_key("strat_time"),
        "a strat_time that was used is not kept twice"
    );
    assert_eq!(b.end_time, Some(1_751_300_600_000));
    assert_eq!(b.status, Some(ExecutionStatus::Other("Paused".into())));
    assert_eq!(b.status.as_ref().unwrap().as_str(), "Paused");
    assert!(
        b.status_or_unknown().is_active(),
        "an unknown status is polled"
    );
    assert_eq!(
        b.execution_type,
        Some(ExecutionType::Other("CANARY".into()))
    );
    assert!(b.parameters.is_empty() && b.tags.is_empty() && b.sys_tags.is_empty());
    assert_eq!(
        b.targets,
        vec![Target {
            key: TargetKind::Other("TagValues".into()),
            values: vec![],
            extra: Default::default(),
        }]
    );
    assert_eq!(b.duration_ms(0), Some(600_000));

    let c = &page.items[2];
    assert_eq!(c.id, None, "older servers send no id");
    assert_eq!(c.status, Some(ExecutionStatus::Succeed));
    assert_eq!(c.start_time, None);
    assert_eq!(c.duration_ms(5), None);
}

#[test]
fn list_page_serialises_back_without_losing_unknown_values() {
    let page: Page<Execution> = ListExecutions::default()
        .parse_response(&HttpResponse::new(200, &[], LIST_PAGE.as_bytes()))
        .unwrap();
    let a = serde_json::to_value(&page.items[0]).unwrap();
    assert_eq!(a["batch_progress"], json!({"current": 1, "total": 2}));
    assert_eq!(a["rollback_enabled"], json!(false));
    assert_eq!(a["type"], "BATCH");
    assert_eq!(a["id"], "9001");
    let b = serde_json::to_value(&page.items[1]).unwrap();
    assert_eq!(b["status"], "Paused", "an unknown status goes back raw");
    assert_eq!(b["type"], "CANARY");
    assert_eq!(b["targets"][0]["key"], "TagValues");
    assert_eq!(b["start_time"], 1_751_300_000_000_i64);
    assert_eq!(b["id"], 9002);
    // The whole page round-trips.
    let text = serde_json::to_string(&page).unwrap();
    let again: Page<Execution> = serde_json::from_str(&text).unwrap();
    assert_eq!(again, page);
}

#[test]
fn unknown_fields_inside_parameters_tags_and_targets_survive() {
    let body = json!({
        "execution_id": "EX1",
        "parameters": [{"key": "a", "value": "1", "sensitive": true}],
        "tags": [{"key": "env", "value": "prod", "source": "cmdb"}],
        "targets": [{"key": "InstanceValues", "values": [], "region": "cn-north-4"}],
    });
    let t: Execution = serde_json::from_value(body.clone()).unwrap();
    assert_eq!(t.parameters[0].key, "a");
    assert_eq!(t.parameters[0].extra["sensitive"], json!(true));
    assert_eq!(t.tags[0].extra["source"], "cmdb");
    assert_eq!(t.targets[0].key, TargetKind::InstanceValues);
    assert_eq!(t.targets[0].extra["region"], "cn-north-4");
    let back = serde_json::to_value(&t).unwrap();
    assert_eq!(back["parameters"], body["parameters"]);
    assert_eq!(back["tags"], body["tags"]);
    assert_eq!(back["targets"], body["targets"]);
}

#[test]
fn list_steps_page_decodes_field_by_field() {
    let op = ListExecutionSteps::new("EX1").unwrap();
    let page = op
        .parse_response(&HttpResponse::new(200, &[], STEPS_PAGE.as_bytes()))
        .unwrap();
    assert_eq!(page.total, 2);
    let s = &page.items[0];
    assert_eq!(s.execution_step_id, Some(LooseId::Number(501.into())));
    assert_eq!(s.action.as_deref(), Some("coc:executeScript"));
    assert_eq!(s.name.as_deref(), Some("drain node"));
    assert_eq!(s.status, Some(ExecutionStatus::Succeed));
    assert_eq!(s.message.as_deref(), Some("ok"));
    assert_eq!(s.start_time, Some(1_751_374_905_000));
    assert_eq!(s.end_time, Some(1_751_374_915_000));
    assert_eq!(s.inputs, vec![KeyValue::new("script", "drain.sh")]);
    assert_eq!(s.outputs, vec![KeyValue::new("exit_code", "0")]);
    assert_eq!(s.properties["fixed_ip"], "192.168.1.228");
    assert_eq!(s.properties["retries"], 0);
    assert_eq!(s.extra["step_kind"], "script");

    let r = &page.items[1];
    assert_eq!(r.execution_step_id, Some(LooseId::Text("step-502".into())));
    assert_eq!(r.action, None);
    assert_eq!(r.start_time, Some(1_751_374_916_000), "strat_time");
    assert_eq!(r.end_time, None);
    assert!(r.inputs.is_empty() && r.outputs.is_empty() && r.properties.is_empty());
    assert!(r.extra.is_empty());

    let back: Step = serde_json::from_value(serde_json::to_value(s).unwrap()).unwrap();
    assert_eq!(&back, s);
}

#[test]
fn list_instances_page_decodes_field_by_field() {
    let op = ListExecutionInstances::new("501").unwrap();
    let page = op
        .parse_response(&HttpResponse::new(200, &[], INSTANCES_PAGE.as_bytes()))
        .unwrap();
    assert_eq!(page.total, 2, "without total, the page length");
    let i = &page.items[0];
    assert_eq!(i.id, Some(LooseId::Number(7001.into())));
    assert_eq!(
        i.execution_instance_id,
        Some(LooseId::Text("inst-7001".into()))
    );
    assert_eq!(i.execution_step_id, Some(LooseId::Number(501.into())));
    assert_eq!(i.start_time, Some(1_751_374_905_000), "strat_time alone");
    assert_eq!(i.end_time, Some(1_751_374_915_000));
    assert_eq!(i.status, Some(ExecutionStatus::Failed));
    assert_eq!(i.message.as_deref(), Some("exit code 1"));
    assert_eq!(i.properties["fixed_ip"], "192.168.1.228");
    assert!(i.extra.is_empty());

    let j = &page.items[1];
    assert_eq!(j.execution_instance_id, Some(LooseId::Number(7002.into())));
    assert_eq!(j.execution_step_id, Some(LooseId::Text("501".into())));
    assert_eq!(
        j.start_time,
        Some(1_751_374_906_000),
        "start_time wins over strat_time"
    );
    assert_eq!(
        j.extra["strat_time"], 1_751_374_900_000_i64,
        "the unused strat_time is kept, not lost"
    );
    assert_eq!(j.extra["host_name"], "web-02");
    assert_eq!(j.end_time, None);
    assert_eq!(j.message, None);

    let back: StepInstance = serde_json::from_value(serde_json::to_value(j).unwrap()).unwrap();
    assert_eq!(&back, j);
}

#[test]
fn strat_time_spellings() {
    let one = |v: Value| -> Execution { serde_json::from_value(v).unwrap() };
    assert_eq!(one(json!({"strat_time": 5})).start_time, Some(5));
    assert_eq!(one(json!({"start_time": 6})).start_time, Some(6));
    let both = one(json!({"start_time": 6, "strat_time": 5}));
    assert_eq!(both.start_time, Some(6));
    assert_eq!(both.extra["strat_time"], 5);
    // start_time null: the misspelt one fills in.
    let null_start = one(json!({"start_time": null, "strat_time": 5}));
    assert_eq!(null_start.start_time, Some(5));
    assert!(null_start.extra.is_empty());
    // A strat_time that is not a time is kept as it came, not used.
    let odd = one(json!({"strat_time": "yesterday"}));
    assert_eq!(odd.start_time, None);
    assert_eq!(odd.extra["strat_time"], "yesterday");
    let step: Step = serde_json::from_value(json!({"strat_time": 7, "start_time": 8})).unwrap();
    assert_eq!(
        (step.start_time, step.extra["strat_time"].clone()),
        (Some(8), json!(7))
    );
}

#[test]
fn key_value_tolerates_null_and_missing() {
    let kv: KeyValue = serde_json::from_value(json!({"key": null, "value": null})).unwrap();
    assert_eq!(
        kv,
        KeyValue {
            key: String::new(),
            value: None,
            extra: Default::default(),
        }
    );
    let kv: KeyValue = serde_json::from_value(json!({})).unwrap();
    assert_eq!(kv.key, "");
    assert_eq!(KeyValue::new("k", "v").value.as_deref(), Some("v"));
    assert_eq!(
        serde_json::to_value(KeyValue::new("k", "v")).unwrap(),
        json!({"key": "k", "value": "v"})
    );
}

#[test]
fn status_helpers() {
    use ExecutionStatus as S;
    let cases = [
        (S::Pending, "Pending", "Suspended", false),
        (S::Running, "Running", "Running", false),
        (S::Succeed, "Succeed", "Succeeded", true),
        (S::Canceling, "Canceling", "Cancelling", false),
        (S::Canceled, "Canceled", "Cancelled", true),
        (S::Failed, "Failed", "Failed", true),
        (S::Timeout, "Timeout", "Timed out", true),
    ];
    assert_eq!(S::KNOWN.len(), cases.len());
    for (status, wire, label, terminal) in cases {
        assert!(S::KNOWN.contains(&status));
        assert_eq!(status.as_str(), wire);
        assert_eq!(status.to_string(), wire);
        assert_eq!(S::from_wire(wire), status);
        assert_eq!(status.label(), label);
        assert_eq!(status.is_terminal(), terminal, "{wire}");
        assert_eq!(status.is_active(), !terminal, "{wire}");
        assert_eq!(serde_json::to_value(&status).unwrap(), json!(wire));
        let back: S = serde_json::from_value(json!(wire)).unwrap();
        assert_eq!(back, status);
    }
    // Wire values are case-sensitive; anything else is kept raw and polled.
    for raw in ["running", "SUCCEED", "", "Paused", "暂停"] {
        let s = S::from_wire(raw);
        assert_eq!(s, S::Other(raw.to_owned()));
        assert_eq!(s.as_str(), raw);
        assert_eq!(s.label(), raw);
        assert!(s.is_active() && !s.is_terminal());
    }
    let missing = Execution::default();
    assert_eq!(missing.status_or_unknown(), S::Other(String::new()));
}

#[test]
fn type_and_target_kind_helpers() {
    for (t, wire) in [
        (ExecutionType::Batch, "BATCH"),
        (ExecutionType::RateControl, "RATE_CONTROL"),
        (ExecutionType::Normal, "NORMAL"),
    ] {
        assert_eq!(ExecutionType::from_wire(wire), t);
        assert_eq!(t.to_string(), wire);
    }
    assert_eq!(ExecutionType::KNOWN.len(), 3);
    assert_eq!(
        ExecutionType::from_wire("batch"),
        ExecutionType::Other("batch".into())
    );
    assert_eq!(
        TargetKind::from_wire("InstanceValues"),
        TargetKind::InstanceValues
    );
    assert_eq!(
        TargetKind::from_wire("BatchValues"),
        TargetKind::BatchValues
    );
    assert_eq!(TargetKind::KNOWN.len(), 2);
    let rate = Execution {
        execution_type: Some(ExecutionType::RateControl),
        ..Execution::default()
    };
    assert!(!rate.is_batch());
}

#[test]
fn operate_type_helpers() {
    use OperateType as O;
    assert_eq!(O::ALL, [O::Resume, O::Retry, O::SkipBatch, O::Terminate]);
    for (op, wire, label, destructive) in [
        (O::Resume, "RESUME", "Resume", false),
        (O::Terminate, "TERMINATE", "Terminate", true),
        (O::Retry, "RETRY", "Retry", false),
        (O::SkipBatch, "SKIP_BATCH", "Skip batch", true),
    ] {
        assert_eq!(op.as_str(), wire);
        assert_eq!(op.to_string(), wire);
        assert_eq!(op.label(), label);
        assert_eq!(op.is_destructive(), destructive);
        assert_eq!(O::parse(wire).unwrap(), op);
        assert_eq!(serde_json::to_value(op).unwrap(), json!(wire));
        let back: O = serde_json::from_value(json!(wire)).unwrap();
        assert_eq!(back, op);
        let text = op.explanation();
        assert!(text.len() > 20 && text.ends_with('.'), "{text}");
        assert!(text.chars().next().unwrap().is_uppercase());
    }
    for bad in ["retry", "Skip_Batch", "", "PAUSE", " RETRY"] {
        let err = O::parse(bad).unwrap_err();
        assert_eq!(err.kind(), "invalid_argument");
        assert_eq!(
            err.to_string(),
            format!(
                "invalid operate_type: {bad:?} is not one of RESUME, TERMINATE, RETRY, SKIP_BATCH"
            )
        );
    }
}

#[test]
fn execution_duration_edges() {
    let t = |start: Option<i64>, end: Option<i64>| Execution {
        start_time: start,
        end_time: end,
        ..Execution::default()
    };
    assert_eq!(t(Some(1_000), Some(4_000)).duration_ms(99_999), Some(3_000));
    assert_eq!(t(Some(1_000), None).duration_ms(1_500), Some(500));
    assert_eq!(
        t(Some(1_000), None).duration_ms(500),
        None,
        "clock before start"
    );
    assert_eq!(t(None, Some(4_000)).duration_ms(0), None);
    assert_eq!(t(Some(i64::MIN), Some(i64::MAX)).duration_ms(0), None);
}

#[test]
fn execute_document_body_leaves_out_what_is_empty() {
    assert_eq!(
        serde_json::to_value(ExecuteDocumentBody::default()).unwrap(),
        json!({})
    );
    let full = ExecuteDocumentBody {
        version: Some("v2".into()),
        parameters: vec![KeyValue::new("a", "1")],
        sys_tags: vec![KeyValue::new("_sys_enterprise_project_id", "0")],
        target_parameter_name: Some("hosts".into()),
        targets: vec![Target {
            key: TargetKind::InstanceValues,
            values: vec![json!({"id": "i-1"})],
            extra: Default::default(),
        }],
        document_type: Some("PRIVATE".into()),
        description: Some("why".into()),
    };
    let v = serde_json::to_value(&full).unwrap();
    assert_eq!(
        v,
        json!({
            "version": "v2",
            "parameters": [{"key": "a", "value": "1"}],
            "sys_tags": [{"key": "_sys_enterprise_project_id", "value": "0"}],
            "target_parameter_name": "hosts",
            "targets": [{"key": "InstanceValues", "values": [{"id": "i-1"}]}],
            "document_type": "PRIVATE",
            "description": "why"
        })
    );
    let back: ExecuteDocumentBody = serde_json::from_value(v).unwrap();
    assert_eq!(back, full);
}

#[test]
fn loose_id_display_and_serialisation() {
    assert_eq!(LooseId::Text("EX1".into()).to_string(), "EX1");
    assert_eq!(LooseId::Number(7.into()).to_string(), "7");
    assert_eq!(
        serde_json::to_value(LooseId::Number(7.into())).unwrap(),
        json!(7)
    );
    assert_eq!(
        serde_json::to_value(LooseId::Text("7".into())).unwrap(),
        json!("7")
    );
    let big: LooseId = serde_json::from_str("18446744073709551615").unwrap();
    assert_eq!(big.to_string(), "18446744073709551615");
    let neg: LooseId = serde_json::from_str("-3").unwrap();
    assert_eq!(neg.to_string(), "-3");
}
