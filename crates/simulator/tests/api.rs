//! The read routes, ExecuteDocument, errors and request ids, over HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

mod common;

use std::collections::HashSet;

use coc_core::{Execution, HttpResponse, Operation, Page, Step, StepInstance};
use coc_simulator::*;
use common::{Server, start, start_manual};
use serde_json::{Value, json};

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

fn tag_pairs(t: &Value) -> Vec<(String, String)> {
    t["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|kv| (s(&kv["key"]).to_owned(), s(&kv["value"]).to_owned()))
        .collect()
}

fn ids(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|t| s(&t["execution_id"]).to_owned())
        .collect()
}

#[tokio::test]
async fn get_execution_has_the_documented_shape() {
    let srv = start_manual().await;
    let a = srv.get(&format!("/v1/executions/{TICKET_RUNNING}")).await;
    assert_eq!(a.status, 200);
    assert_eq!(a.headers["content-type"], "application/json");
    // The core's parser reads it as a ticket.
    let op = coc_core::GetExecution::new(TICKET_RUNNING).unwrap();
    let headers = vec![("X-request-id".to_owned(), a.request_id().to_owned())];
    let ticket = op
        .parse_response(&HttpResponse::new(200, &headers, a.text.as_bytes()))
        .unwrap();
    assert_eq!(ticket.execution_id.as_deref(), Some(TICKET_RUNNING));
    assert_eq!(ticket.document_id.as_deref(), Some(DOC_NORMAL));
    assert!(ticket.id.is_some());
    assert!(ticket.document_version_id.is_some());
    assert_eq!(ticket.target_count(), 3);
    assert!(ticket.tags.iter().any(|t| t.key == "env"));
    // Fields the reference shows, with null for a running ticket's end.
    let data = &a.json["data"];
    for field in [
        "id",
        "execution_id",
        "type",
        "document_name",
        "document_id",
        "document_version_id",
        "document_version",
        "start_time",
        "end_time",
        "update_time",
        "status",
        "description",
        "parameters",
        "target_parameter_name",
        "targets",
        "creator",
        "tags",
    ] {
        assert!(data.get(field).is_some(), "missing {field}");
    }
    assert_eq!(data["end_time"], Value::Null);
    let target = &data["targets"][0];
    assert_eq!(target["key"], "InstanceValues");
    for field in ["resource_id", "name", "fixed_ip", "region_id"] {
        assert!(
            target["values"][0][field].is_string(),
            "target lacks {field}"
        );
    }
}

#[tokio::test]
async fn unknown_ticket_is_data_null_and_invalid_ids_are_400() {
    let srv = start_manual().await;
    let a = srv.get("/v1/executions/EX2025010100000000000000").await;
    assert_eq!(a.status, 200);
    assert_eq!(a.json, json!({"data": null}));
    // ... which the core reads as "not found".
    let op = coc_core::GetExecution::new("EX2025010100000000000000").unwrap();
    let err = op
        .parse_response(&HttpResponse::new(200, &[], a.text.as_bytes()))
        .unwrap_err();
    assert!(matches!(err, coc_core::Error::NotFound { .. }), "{err}");

    for bad in ["a%2F..%2Fb", "x%20y", &"E".repeat(200)] {
        let a = srv.get(&format!("/v1/executions/{bad}")).await;
        assert_eq!(a.status, 400, "{bad}: {}", a.text);
        assert_eq!(a.error_code(), error::INVALID_PARAMETER);
        assert!(
            a.error_msg().starts_with("invalid execution_id"),
            "{}",
            a.text
        );
    }
}

#[tokio::test]
async fn instances_route_is_not_taken_for_a_ticket_id() {
    let srv = start_manual().await;
    let a = srv.get("/v1/executions/instances").await;
    assert_eq!(a.status, 400, "{}", a.text);
    assert!(a.error_msg().contains("execution_step_id"), "{}", a.text);
}

#[tokio::test]
async fn list_pages_are_newest_first_and_add_up_to_the_total() {
    let srv = start_manual().await;
    let (all, total) = srv.list_all("", 100).await;
    assert!(total >= 40, "{total}");
    assert_eq!(all.len() as u64, total);
    let starts: Vec<i64> = all
        .iter()
        .map(|t| t["start_time"].as_i64().unwrap())
        .collect();
    assert!(starts.windows(2).all(|w| w[0] >= w[1]), "newest first");
    assert_eq!(
        ids(&all).into_iter().collect::<HashSet<_>>().len(),
        all.len()
    );
    // Paging by 7 gives the same tickets in the same order.
    let (paged, total7) = srv.list_all("", 7).await;
    assert_eq!(total7, total);
    assert_eq!(ids(&paged), ids(&all));
    // Default page size is 10; an offset past the end is an empty page.
    let a = srv.get("/v1/executions").await;
    assert_eq!(a.json["data"].as_array().unwrap().len(), 10);
    assert_eq!(a.json["total"], total);
    let a = srv
        .get(&format!("/v1/executions?offset={}", total + 5))
        .await;
    assert_eq!(a.json["data"], json!([]));
    assert_eq!(a.json["total"], total);
    // Every status and type is in the list.
    for st in [
        "Pending",
        "Running",
        "Succeed",
        "Canceling",
        "Canceled",
        "Failed",
        "Timeout",
    ] {
        assert!(all.iter().any(|t| t["status"] == st), "{st}");
    }
    for ty in ["NORMAL", "BATCH", "RATE_CONTROL"] {
        assert!(all.iter().any(|t| t["type"] == ty), "{ty}");
    }
    // The core parses a page.
    let a = srv.get("/v1/executions?limit=5").await;
    let page: Page<Execution> = coc_core::ListExecutions::default()
        .parse_response(&HttpResponse::new(200, &[], a.text.as_bytes()))
        .unwrap();
    assert_eq!((page.items.len(), page.total), (5, total));
}

/// Checks one filter against the same filter applied to the full list.
async fn check_filter(srv: &Server, all: &[Value], query: &str, keep: impl Fn(&Value) -> bool) {
    let want: Vec<String> = ids(&all.iter().filter(|t| keep(t)).cloned().collect::<Vec<_>>());
    assert!(
        !want.is_empty(),
        "{query}: the filter should match something"
    );
    assert!(
        want.len() < all.len(),
        "{query}: the filter should leave something out"
    );
    let (got, total) = srv.list_all(query, 4).await;
    assert_eq!(ids(&got), want, "{query}");
    assert_eq!(total as usize, want.len(), "{query}");
}

#[tokio::test]
async fn every_list_filter_works() {
    let srv = start_manual().await;
    let (all, _) = srv.list_all("", 100).await;
    check_filter(&srv, &all, "creator=ZHANG", |t| {
        s(&t["creator"]).contains("zhang")
    })
    .await;
    check_filter(&srv, &all, "creator=.w", |t| {
        s(&t["creator"]).to_lowercase().contains(".w")
    })
    .await;
    check_filter(&srv, &all, "document_name=NGINX", |t| {
        s(&t["document_name"]).to_lowercase().contains("nginx")
    })
    .await;
    check_filter(&srv, &all, &format!("document_id={DOC_BATCH}"), |t| {
        t["document_id"] == DOC_BATCH
    })
    .await;
    let mid = all[all.len() / 2]["start_time"].as_i64().unwrap();
    check_filter(&srv, &all, &format!("start_time={mid}"), |t| {
        t["start_time"].as_i64().unwrap() > mid
    })
    .await;
    check_filter(&srv, &all, &format!("end_time={mid}"), |t| {
        t["start_time"].as_i64().unwrap() < mid
    })
    .await;
    let lo = all[all.len() - 5]["start_time"].as_i64().unwrap();
    check_filter(
        &srv,
        &all,
        &format!("start_time={lo}&end_time={mid}"),
        |t| {
            let st = t["start_time"].as_i64().unwrap();
            st > lo && st < mid
        },
    )
    .await;
    let has = |t: &Value, k: &str, v: &str| tag_pairs(t).contains(&(k.to_owned(), v.to_owned()));
    check_filter(&srv, &all, "tags=env=prod", |t| has(t, "env", "prod")).await;
    check_filter(&srv, &all, "tags=env%3Dprod%2Cteam%3Dsre", |t| {
        has(t, "env", "prod") && has(t, "team", "sre")
    })
    .await;
    let child = |t: &Value| {
        t["sys_tags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|kv| kv["key"] == PARENT_SYS_TAG)
    };
    assert!(all.iter().filter(|t| child(t)).count() >= 3);
    check_filter(&srv, &all, "exclude_child_executions=true", |t| !child(t)).await;
    let (got, _) = srv.list_all("exclude_child_executions=false", 100).await;
    assert_eq!(got.len(), all.len());
    check_filter(
        &srv,
        &all,
        "creator=wang&tags=env=prod&exclude_child_executions=true",
        |t| s(&t["creator"]).contains("wang") && has(t, "env", "prod") && !child(t),
    )
    .await;
    // No match: an empty page with total 0.
    let a = srv.get("/v1/executions?creator=nobody-at-all").await;
    assert_eq!(a.json, json!({"data": [], "total": 0}));
}

#[tokio::test]
async fn invalid_list_queries_get_the_core_error_text() {
    let srv = start_manual().await;
    for (query, text) in [
        ("limit=0", "invalid limit"),
        ("limit=101", "invalid limit"),
        ("offset=-1", "invalid offset"),
        ("tags=env", "invalid tags"),
        (
            "exclude_child_executions=yes",
            "invalid exclude_child_executions",
        ),
        ("start_time=5&end_time=3", "invalid end_time"),
        ("colour=red", "unknown parameter"),
    ] {
        let a = srv.get(&format!("/v1/executions?{query}")).await;
        assert_eq!(a.status, 400, "{query}");
        assert_eq!(a.error_code(), error::INVALID_PARAMETER, "{query}");
        assert!(a.error_msg().contains(text), "{query}: {}", a.text);
    }
}

#[tokio::test]
async fn steps_list_pages_and_filters_by_id() {
    let srv = start_manual().await;
    let a = srv
        .get(&format!("/v1/executions/{TICKET_RUNNING}/steps"))
        .await;
    let page: Page<Step> = coc_core::ListExecutionSteps::new(TICKET_RUNNING)
        .unwrap()
        .parse_response(&HttpResponse::new(200, &[], a.text.as_bytes()))
        .unwrap();
    assert_eq!((page.items.len(), page.total), (3, 3));
    let names: Vec<&str> = page
        .items
        .iter()
        .map(|s| s.name.as_deref().unwrap())
        .collect();
    assert_eq!(
        names,
        ["Check service status", "Restart nginx", "Verify HTTP 200"]
    );
    assert_eq!(page.items[0].action.as_deref(), Some("coc:executeScript"));
    assert!(!page.items[0].inputs.is_empty());
    assert_eq!(page.items[0].status.as_ref().unwrap().as_str(), "Succeed");
    assert_eq!(page.items[1].status.as_ref().unwrap().as_str(), "Running");
    assert_eq!(page.items[2].status.as_ref().unwrap().as_str(), "Pending");
    let ids: Vec<String> = page
        .items
        .iter()
        .map(|s| s.execution_step_id.as_ref().unwrap().to_string())
        .collect();
    let a = srv
        .get(&format!(
            "/v1/executions/{TICKET_RUNNING}/steps?limit=1&offset=1"
        ))
        .await;
    assert_eq!(a.json["total"], 3);
    assert_eq!(a.json["data"][0]["execution_step_id"], ids[1]);
    let a = srv
        .get(&format!(
            "/v1/executions/{TICKET_RUNNING}/steps?execution_step_id_list={},{}",
            ids[2], ids[0]
        ))
        .await;
    assert_eq!(a.json["total"], 2);
    assert_eq!(a.json["data"][0]["execution_step_id"], ids[0]);
    assert_eq!(a.json["data"][1]["execution_step_id"], ids[2]);
    let a = srv
        .get("/v1/executions/EX2025010100000000000000/steps")
        .await;
    assert_eq!(a.json, json!({"data": [], "total": 0}));
    let a = srv
        .get(&format!("/v1/executions/{TICKET_RUNNING}/steps?limit=500"))
        .await;
    assert_eq!((a.status, a.error_code()), (400, error::INVALID_PARAMETER));
}

#[tokio::test]
async fn instances_list_pages_through_a_step() {
    let srv = start_manual().await;
    let steps = srv.steps(TICKET_BATCH_RUNNING).await;
    let step_id = s(&steps[0]["execution_step_id"]);
    let a = srv
        .get(&format!(
            "/v1/executions/instances?execution_step_id={step_id}&limit=3&offset=18"
        ))
        .await;
    let page: Page<StepInstance> = coc_core::ListExecutionInstances::new(step_id)
        .unwrap()
        .parse_response(&HttpResponse::new(200, &[], a.text.as_bytes()))
        .unwrap();
    assert_eq!((page.items.len(), page.total), (2, 20));
    let inst = &page.items[0];
    assert!(inst.id.is_some() && inst.execution_instance_id.is_some());
    assert_eq!(
        inst.execution_step_id.as_ref().unwrap().to_string(),
        step_id
    );
    assert_eq!(inst.properties["batch_index"], "4");
    assert!(
        inst.properties["fixed_ip"]
            .as_str()
            .unwrap()
            .starts_with("192.168.")
    );
    let all = srv.instances(step_id).await;
    assert_eq!(all.len(), 20);
    let a = srv
        .get("/v1/executions/instances?execution_step_id=ST-unknown")
        .await;
    assert_eq!(a.json, json!({"data": [], "total": 0}));
}

#[tokio::test]
async fn the_large_ticket_is_served_whole() {
    let srv = start_manual().await;
    let started = std::time::Instant::now();
    let t = srv.ticket(TICKET_LARGE).await;
    let get_ms = started.elapsed().as_millis();
    let e: Execution = serde_json::from_value(t).unwrap();
    assert_eq!(e.target_count(), 10_000);
    assert_eq!(e.parameters.len(), 1_000);
    let names: HashSet<&str> = e.targets[0]
        .values
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 10_000, "distinct targets");
    let steps = srv.steps(TICKET_LARGE).await;
    let step_id = s(&steps[0]["execution_step_id"]).to_owned();
    let a = srv
        .get(&format!(
            "/v1/executions/instances?execution_step_id={step_id}&limit=100&offset=9950"
        ))
        .await;
    assert_eq!(a.json["total"], 10_000);
    assert_eq!(a.json["data"].as_array().unwrap().len(), 50);
    assert_eq!(
        a.json["data"][49]["properties"]["instance_name"],
        "node-prod-10000"
    );
    // 100 at a time: never more than 100 running.
    srv.advance(30_000).await;
    let running = srv
        .instances(&step_id)
        .await
        .iter()
        .filter(|i| i["status"] == "Running")
        .count();
    assert!(running > 0 && running <= 100, "{running}");
    let started = std::time::Instant::now();
    let (_, total) = srv.list_all("", 100).await;
    let list_ms = started.elapsed().as_millis();
    assert!(total >= 40);
    // Reported, not asserted.
    println!("large ticket: GetExecution {get_ms} ms, full list {list_ms} ms (this build)");
}

#[tokio::test]
async fn execute_document_starts_tickets_and_refuses_bad_input() {
    let srv = start_manual().await;
    let before = srv.sim.ticket_count();
    let id = srv
        .execute(
            DOC_RATE_CONTROL,
            &json!({
                "version": "v2",
                "parameters": [{"key": "concurrency", "value": "1"}],
                "targets": [{"key": "InstanceValues", "values": [{"name": "x", "fixed_ip": "10.1.1.1"}, {"name": "y"}]}],
                "target_parameter_name": "hosts",
                "document_type": "PRIVATE",
                "description": "from the API"
            }),
        )
        .await;
    assert_eq!(id.len(), 24);
    assert!(id.starts_with("EX2025"));
    assert_eq!(srv.sim.ticket_count(), before + 1);
    let t = srv.ticket(&id).await;
    assert_eq!(t["status"], "Running");
    assert_eq!(t["type"], "RATE_CONTROL");
    assert_eq!(t["description"], "from the API");
    assert_eq!(t["target_parameter_name"], "hosts");
    // It is the newest ticket.
    let a = srv.get("/v1/executions?limit=1").await;
    assert_eq!(a.json["data"][0]["execution_id"], id.as_str());
    // Concurrency 1: one instance at a time.
    let steps = srv.steps(&id).await;
    let insts = srv.instances(s(&steps[0]["execution_step_id"])).await;
    assert_eq!(
        insts.iter().map(|i| s(&i["status"])).collect::<Vec<_>>(),
        ["Running", "Pending"]
    );
    // An empty body runs the document's defaults.
    let id2 = srv.execute(DOC_NORMAL, &json!({})).await;
    assert_ne!(id, id2);
    let raw = srv
        .http
        .post(srv.url(&format!("/v1/documents/{DOC_NORMAL}")))
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 200);

    for (doc, body, code) in [
        (
            "DM2025010100000000000000",
            json!({}),
            error::DOCUMENT_NOT_FOUND,
        ),
        (
            DOC_NORMAL,
            json!({"targets": [{"key": "InstanceValues", "values": []}]}),
            error::TARGET_NOT_FOUND,
        ),
        (
            DOC_NORMAL,
            json!({"targets": [{"key": "Hosts", "values": [1]}]}),
            error::INVALID_PARAMETER,
        ),
        (
            DOC_NORMAL,
            json!({"document_type": "SHARED"}),
            error::INVALID_PARAMETER,
        ),
        (
            DOC_NORMAL,
            json!({"parameters": "nope"}),
            error::BAD_REQUEST_BODY,
        ),
        (DOC_NORMAL, json!([1, 2]), error::BAD_REQUEST_BODY),
    ] {
        let a = srv.post(&format!("/v1/documents/{doc}"), &body).await;
        assert_eq!(
            (a.status, a.error_code()),
            (400, code),
            "{body}: {}",
            a.text
        );
    }
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let srv = start(Config {
        credentials: None,
        ..Config::manual()
    })
    .await;
    let mut seen = HashSet::new();
    let answers = vec![
        srv.get(&format!("/v1/executions/{TICKET_RUNNING}")).await,
        srv.get("/v1/executions/bad%2Fid").await,
        srv.get("/v1/executions?limit=0").await,
        srv.get("/v2/nothing").await,
        srv.put("/v1/executions", &json!({})).await,
        srv.operate(TICKET_SUCCEED, "TERMINATE").await,
        srv.get("/__sim/clock").await,
        srv.put("/__sim/faults", &json!({"error_rate": 7})).await,
    ];
    for a in &answers {
        let id = a.request_id();
        assert_eq!(id.len(), 32, "{id}");
        assert!(id.chars().all(|c| c.is_ascii_hexdigit()));
        assert!(seen.insert(id.to_owned()), "request ids are unique");
    }
    assert_eq!(answers[3].status, 404);
    assert_eq!(answers[3].error_code(), error::ROUTE_NOT_FOUND);
    assert_eq!(answers[4].status, 405);
    assert_eq!(answers[4].error_code(), error::ROUTE_NOT_FOUND);
    // Fault answers and the wall clock's 409 carry one too.
    let wall = start(Config::default()).await;
    let a = wall.post("/__sim/advance", &json!({"ms": 1})).await;
    assert_eq!(a.status, 409);
    assert!(!a.request_id().is_empty());
    for faults in [json!({"error_rate": 1.0}), json!({"html_502_rate": 1.0})] {
        wall.put("/__sim/faults", &faults).await;
        let a = wall.get("/v1/executions").await;
        assert!(a.status >= 500);
        assert!(!a.request_id().is_empty());
    }
}

#[tokio::test]
async fn same_seed_same_data_other_seed_other_data() {
    async fn everything(srv: &Server) -> String {
        let (all, _) = srv.list_all("", 100).await;
        let mut out = serde_json::to_string(&all).unwrap();
        for id in [TICKET_RUNNING, TICKET_PENDING, TICKET_BATCH_RUNNING] {
            for step in srv.steps(id).await {
                out.push_str(&step.to_string());
                for i in srv.instances(s(&step["execution_step_id"])).await {
                    out.push_str(&i.to_string());
                }
            }
        }
        out.push_str(&srv.execute(DOC_NORMAL, &json!({})).await);
        out
    }
    let seeded = |seed| Config {
        seed,
        ..Config::manual()
    };
    let a = everything(&start(seeded(7)).await).await;
    let b = everything(&start(seeded(7)).await).await;
    let c = everything(&start(seeded(8)).await).await;
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[tokio::test]
async fn reset_restores_the_seeded_state_and_clock() {
    let srv = start_manual().await;
    let (before, _) = srv.list_all("", 100).await;
    srv.execute(DOC_NORMAL, &json!({})).await;
    srv.operate(TICKET_PENDING, "TERMINATE").await;
    srv.advance(3_600_000).await;
    srv.reset().await;
    let (after, _) = srv.list_all("", 100).await;
    assert_eq!(before, after);
    let clock = srv.get("/__sim/clock").await.json;
    assert_eq!(
        clock,
        json!({"mode": "manual", "now_ms": DEFAULT_START_MS, "start_ms": DEFAULT_START_MS})
    );
}

#[tokio::test]
async fn info_names_the_seeded_ids() {
    let srv = start_manual().await;
    let info = srv.get("/__sim/info").await.json;
    assert_eq!(info["seed"], 42);
    assert_eq!(info["tickets"]["per_status"]["Timeout"], TICKET_TIMEOUT);
    let docs: Vec<&str> = info["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| s(&d["document_id"]))
        .collect();
    for d in OUTCOME_DOCUMENTS {
        assert!(docs.contains(&d), "{d}");
    }
}

#[tokio::test]
async fn markup_is_served_verbatim_for_the_console_to_escape() {
    let srv = start_manual().await;
    let t = srv.ticket(TICKET_XSS).await;
    assert!(s(&t["description"]).contains("<script>alert(1)</script>"));
    assert!(s(&t["document_name"]).contains("<img src=x onerror=alert(1)>"));
}
