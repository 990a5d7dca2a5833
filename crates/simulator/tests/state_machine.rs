//! OperateExecution in every status, and tickets moving with the clock, over HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use coc_core::{Execution, OperateType, advise_one};
use coc_simulator::*;
use common::start_manual;
use serde_json::{Value, json};

/// What the server should answer to one operation on one ticket.
#[derive(Debug, Clone, Copy)]
enum Want {
    /// 200, and the ticket then has this status.
    Ok(&'static str),
    /// 400 with this code.
    Refused(&'static str),
}

use Want::{Ok as Accepted, Refused};

const CONFLICT: &str = error::STATUS_CONFLICT;
const NOT_BATCH: &str = error::NOT_A_BATCH_EXECUTION;

/// Every operation in every status (and on a running BATCH ticket):
/// columns RESUME, RETRY, SKIP_BATCH, TERMINATE.
const TABLE: [(&str, &str, [Want; 4]); 8] = [
    (
        TICKET_PENDING,
        "Pending",
        [
            Accepted("Running"),
            Accepted("Running"),
            Accepted("Running"),
            Accepted("Canceling"),
        ],
    ),
    (
        TICKET_RUNNING,
        "Running",
        [
            Refused(CONFLICT),
            Refused(CONFLICT),
            Refused(NOT_BATCH),
            Accepted("Canceling"),
        ],
    ),
    (
        TICKET_BATCH_RUNNING,
        "Running",
        [
            Refused(CONFLICT),
            Refused(CONFLICT),
            Accepted("Running"),
            Accepted("Canceling"),
        ],
    ),
    (
        TICKET_SUCCEED,
        "Succeed",
        [
            Refused(CONFLICT),
            Refused(CONFLICT),
            Refused(NOT_BATCH),
            Refused(CONFLICT),
        ],
    ),
    (
        TICKET_CANCELING,
        "Canceling",
        [
            Refused(CONFLICT),
            Refused(CONFLICT),
            Refused(NOT_BATCH),
            Refused(CONFLICT),
        ],
    ),
    (
        TICKET_CANCELED,
        "Canceled",
        [
            Refused(CONFLICT),
            Refused(CONFLICT),
            Refused(CONFLICT),
            Refused(CONFLICT),
        ],
    ),
    (
        TICKET_FAILED,
        "Failed",
        [
            Accepted("Running"),
            Accepted("Running"),
            Refused(NOT_BATCH),
            Refused(CONFLICT),
        ],
    ),
    (
        TICKET_TIMEOUT,
        "Timeout",
        [
            Accepted("Running"),
            Accepted("Running"),
            Refused(NOT_BATCH),
            Refused(CONFLICT),
        ],
    ),
];

const OPS: [&str; 4] = ["RESUME", "RETRY", "SKIP_BATCH", "TERMINATE"];

#[tokio::test]
async fn every_operation_in_every_status() {
    let s = start_manual().await;
    for (id, status, wants) in TABLE {
        for (op, want) in OPS.iter().zip(wants) {
            s.reset().await;
            let before: Execution = serde_json::from_value(s.ticket(id).await).unwrap();
            assert_eq!(before.status.as_ref().unwrap().as_str(), status, "{id}");
            let a = s.operate(id, op).await;
            let ctx = format!("{op} on {status} {id}: {}", a.text);
            assert!(!a.request_id().is_empty(), "{ctx}");
            let after = s.status(id).await;
            match want {
                Accepted(next) => {
                    assert_eq!(a.status, 200, "{ctx}");
                    assert_eq!(a.json, json!({}), "{ctx}");
                    assert_eq!(after, next, "{ctx}");
                }
                Refused(code) => {
                    assert_eq!(a.status, 400, "{ctx}");
                    assert_eq!(a.error_code(), code, "{ctx}");
                    assert!(
                        a.error_msg().contains(id),
                        "{ctx}: message names the ticket"
                    );
                    if code == CONFLICT {
                        assert!(
                            a.error_msg().contains(&format!("is {status}")),
                            "{ctx}: message names the status"
                        );
                    }
                    assert_eq!(after, status, "{ctx}: a refused operation changes nothing");
                }
            }
            // The simulator's policy is the one the core advises consoles with.
            let op_type = OperateType::parse(op).unwrap();
            assert_eq!(
                advise_one(&before, op_type).offered(),
                matches!(want, Accepted(_)),
                "{ctx}: core guidance disagrees"
            );
            // And the call is in the operation log, with its outcome.
            let log = s.operations(id).await;
            assert_eq!(log.len(), 1, "{ctx}");
            assert_eq!(log[0]["operate_type"], *op);
            assert_eq!(log[0]["accepted"], matches!(want, Accepted(_)));
            assert_eq!(log[0]["status_before"], status);
            assert_eq!(log[0]["status_after"], after.as_str());
            assert_eq!(log[0]["request_id"], a.request_id());
        }
    }
}

#[tokio::test]
async fn operate_refuses_unknown_tickets_and_bad_bodies() {
    let s = start_manual().await;
    let a = s.operate("EX2025010100000000000000", "TERMINATE").await;
    assert_eq!(
        (a.status, a.error_code()),
        (400, error::EXECUTION_NOT_FOUND)
    );
    assert!(a.error_msg().contains("does not exist"), "{}", a.text);

    let a = s.operate(TICKET_RUNNING, "PAUSE").await;
    assert_eq!((a.status, a.error_code()), (400, error::INVALID_PARAMETER));
    assert!(
        a.error_msg()
            .contains("RESUME, TERMINATE, RETRY, SKIP_BATCH"),
        "{}",
        a.text
    );

    let a = s.operate("EX/../x", "TERMINATE").await;
    assert_eq!((a.status, a.error_code()), (400, error::INVALID_PARAMETER));

    let a = s
        .post("/v1/executions", &json!({"operate_type": "RETRY"}))
        .await;
    assert_eq!((a.status, a.error_code()), (400, error::BAD_REQUEST_BODY));
    assert!(
        a.error_msg().contains("execution_id is required"),
        "{}",
        a.text
    );

    let raw = s
        .http
        .post(s.url("/v1/executions"))
        .body("{not json")
        .send()
        .await
        .unwrap();
    let a = common::answer(raw).await;
    assert_eq!((a.status, a.error_code()), (400, error::BAD_REQUEST_BODY));
    assert_eq!(s.status(TICKET_RUNNING).await, "Running");
}

#[tokio::test]
async fn every_call_is_logged_so_a_double_click_is_visible() {
    let s = start_manual().await;
    assert!(s.operations(TICKET_RUNNING).await.is_empty());
    assert_eq!(s.operate(TICKET_RUNNING, "TERMINATE").await.status, 200);
    assert_eq!(s.operate(TICKET_RUNNING, "TERMINATE").await.status, 400);
    let log = s.operations(TICKET_RUNNING).await;
    assert_eq!(log.len(), 2);
    assert_eq!(log[0]["accepted"], true);
    assert_eq!(log[1]["accepted"], false);
    assert_eq!(log[1]["error_code"], error::STATUS_CONFLICT);
    assert_eq!(log[1]["status_before"], "Canceling");
    // Reset forgets them.
    s.reset().await;
    assert!(s.operations(TICKET_RUNNING).await.is_empty());
}

#[tokio::test]
async fn time_moves_new_tickets_to_succeed_and_failed() {
    let s = start_manual().await;
    let ok = s.execute(DOC_NORMAL, &json!({})).await;
    let bad = s.execute(DOC_FAILING, &json!({})).await;
    let t0 = s.sim.now_ms();
    for id in [&ok, &bad] {
        let t = s.ticket(id).await;
        assert_eq!(t["status"], "Running");
        assert_eq!(t["start_time"], t0);
        assert_eq!(t["end_time"], Value::Null);
        assert_eq!(t["creator"], API_CREATOR);
    }
    // Nothing moves without the clock.
    assert_eq!(s.ticket(&ok).await["update_time"], t0);
    let mut last_update = t0;
    let mut seen_steps_running = Vec::new();
    for _ in 0..60 {
        let steps = s.steps(&ok).await;
        if let Some(i) = steps.iter().position(|st| st["status"] == "Running")
            && seen_steps_running.last() != Some(&i)
        {
            seen_steps_running.push(i);
        }
        s.advance(1_000).await;
        let t = s.ticket(&ok).await;
        let update = t["update_time"].as_i64().unwrap();
        assert!(update >= last_update && update <= s.sim.now_ms());
        last_update = update;
        if t["status"] != "Running" {
            break;
        }
    }
    assert!(last_update > t0, "update_time moved with the ticket");
    assert_eq!(seen_steps_running, [0, 1, 2], "steps ran one after another");
    let t = s.ticket(&ok).await;
    assert_eq!(t["status"], "Succeed");
    assert_eq!(t["end_time"], t["update_time"]);
    for step in s.steps(&ok).await {
        assert_eq!(step["status"], "Succeed");
        assert!(step["end_time"].as_i64().unwrap() <= t["end_time"].as_i64().unwrap());
    }
    let t = s.ticket(&bad).await;
    assert_eq!(t["status"], "Failed");
    assert!(t["end_time"].is_i64());
    let steps = s.steps(&bad).await;
    assert_eq!(steps[1]["status"], "Failed");
    let failed: Vec<Value> = s
        .instances(steps[1]["execution_step_id"].as_str().unwrap())
        .await
        .into_iter()
        .filter(|i| i["status"] == "Failed")
        .collect();
    assert_eq!(failed.len(), 1);
    assert!(
        failed[0]["message"]
            .as_str()
            .unwrap()
            .contains("exited with code 1")
    );
}

#[tokio::test]
async fn terminate_then_canceled_after_the_delay() {
    let s = start_manual().await;
    assert_eq!(s.operate(TICKET_RUNNING, "TERMINATE").await.status, 200);
    let t = s.ticket(TICKET_RUNNING).await;
    assert_eq!(t["status"], "Canceling");
    assert_eq!(t["end_time"], Value::Null);
    let steps = s.steps(TICKET_RUNNING).await;
    assert!(
        steps.iter().any(|st| st["status"] == "Canceling"),
        "{steps:?}"
    );
    s.advance(CANCEL_DELAY_MS as u64 - 1).await;
    assert_eq!(s.status(TICKET_RUNNING).await, "Canceling");
    s.advance(1).await;
    let t = s.ticket(TICKET_RUNNING).await;
    assert_eq!(t["status"], "Canceled");
    assert_eq!(t["end_time"], s.sim.now_ms());
    for step in s.steps(TICKET_RUNNING).await {
        assert!(
            step["status"] == "Succeed" || step["status"] == "Canceled",
            "{step}"
        );
        for inst in s
            .instances(step["execution_step_id"].as_str().unwrap())
            .await
        {
            assert!(
                inst["status"] == "Succeed" || inst["status"] == "Canceled",
                "{inst}"
            );
        }
    }
    // The seeded Canceling ticket gets there on its own a second later.
    assert_eq!(s.status(TICKET_CANCELING).await, "Canceled");
}

#[tokio::test]
async fn retry_and_resume_bring_failed_and_timed_out_tickets_back() {
    let s = start_manual().await;
    assert_eq!(s.operate(TICKET_FAILED, "RETRY").await.status, 200);
    assert_eq!(s.operate(TICKET_TIMEOUT, "RESUME").await.status, 200);
    for id in [TICKET_FAILED, TICKET_TIMEOUT] {
        let t = s.ticket(id).await;
        assert_eq!(t["status"], "Running");
        assert_eq!(t["end_time"], Value::Null);
        assert_eq!(t["update_time"], s.sim.now_ms());
    }
    s.advance(10 * 60_000).await;
    assert_eq!(s.status(TICKET_FAILED).await, "Succeed");
    assert_eq!(s.status(TICKET_TIMEOUT).await, "Succeed");
    // The retried instance ran twice; the others once.
    let steps = s.steps(TICKET_FAILED).await;
    let insts = s
        .instances(steps[1]["execution_step_id"].as_str().unwrap())
        .await;
    assert_eq!(insts[0]["properties"]["attempt"], "2");
    assert_eq!(insts[1]["properties"]["attempt"], "1");
}

/// Instances of the first step of a BATCH ticket, counted per batch and status.
async fn batch_counts(s: &common::Server, id: &str) -> Vec<(String, String, usize)> {
    let steps = s.steps(id).await;
    let mut counts: Vec<(String, String, usize)> = Vec::new();
    for inst in s
        .instances(steps[0]["execution_step_id"].as_str().unwrap())
        .await
    {
        let key = (
            inst["properties"]["batch_index"]
                .as_str()
                .unwrap()
                .to_owned(),
            inst["status"].as_str().unwrap().to_owned(),
        );
        match counts.iter_mut().find(|c| (&c.0, &c.1) == (&key.0, &key.1)) {
            Some(c) => c.2 += 1,
            None => counts.push((key.0, key.1, 1)),
        }
    }
    counts.sort();
    counts
}

#[tokio::test]
async fn resume_runs_the_next_batch_of_a_paused_ticket() {
    let s = start_manual().await;
    let steps = s.steps(TICKET_PENDING).await;
    assert_eq!(steps[0]["properties"]["current_batch"], "2");
    assert_eq!(steps[0]["properties"]["batch_count"], "3");
    assert_eq!(steps[0]["properties"]["batch_sizes"], "4,4,4");
    let c = |b: &str, st: &str, n| (b.to_owned(), st.to_owned(), n);
    assert_eq!(
        batch_counts(&s, TICKET_PENDING).await,
        [
            c("1", "Succeed", 4),
            c("2", "Pending", 4),
            c("3", "Pending", 4)
        ]
    );
    assert_eq!(s.operate(TICKET_PENDING, "RESUME").await.status, 200);
    assert_eq!(
        batch_counts(&s, TICKET_PENDING).await,
        [
            c("1", "Succeed", 4),
            c("2", "Running", 4),
            c("3", "Pending", 4)
        ]
    );
    // After batch 2 it pauses again, now before batch 3.
    s.advance(5 * 60_000).await;
    assert_eq!(s.status(TICKET_PENDING).await, "Pending");
    assert_eq!(
        s.steps(TICKET_PENDING).await[0]["properties"]["current_batch"],
        "3"
    );
}

#[tokio::test]
async fn skip_batch_moves_a_running_batch_ticket_to_its_next_batch() {
    let s = start_manual().await;
    let id = TICKET_BATCH_RUNNING;
    let steps = s.steps(id).await;
    assert_eq!(steps[0]["properties"]["current_batch"], "2");
    assert_eq!(steps[0]["properties"]["batch_sizes"], "5,5,5,5");
    // How many instances of batch 2 have not finished: what a console's
    // SKIP_BATCH dialog announces as "left unrun".
    let mut unrun_before = 0;
    for st in &steps {
        for inst in s.instances(st["execution_step_id"].as_str().unwrap()).await {
            if inst["properties"]["batch_index"] == "2"
                && (inst["status"] == "Pending" || inst["status"] == "Running")
            {
                unrun_before += 1;
            }
        }
    }
    assert!(unrun_before > 0);
    assert_eq!(s.operate(id, "SKIP_BATCH").await.status, 200);
    let steps = s.steps(id).await;
    assert_eq!(steps[0]["properties"]["current_batch"], "3");
    assert_eq!(steps[0]["status"], "Running");
    let mut skipped = 0;
    for st in &steps {
        for inst in s.instances(st["execution_step_id"].as_str().unwrap()).await {
            let batch = inst["properties"]["batch_index"].as_str().unwrap();
            if inst["message"] == "skipped by SKIP_BATCH" {
                assert_eq!(batch, "2", "{inst}");
                assert_eq!(inst["status"], "Canceled");
                skipped += 1;
            }
            if inst["status"] == "Running" {
                assert_eq!(batch, "3", "only the next batch runs: {inst}");
            }
        }
    }
    assert_eq!(skipped, unrun_before);
    // Running to the end: batches 3 and 4 succeed.
    s.advance(10 * 60_000).await;
    assert_eq!(s.status(id).await, "Succeed");
    let c = |b: &str, st: &str, n| (b.to_owned(), st.to_owned(), n);
    let counts = batch_counts(&s, id).await;
    assert!(
        counts.contains(&c("3", "Succeed", 5)) && counts.contains(&c("4", "Succeed", 5)),
        "{counts:?}"
    );
}

#[tokio::test]
async fn skipping_the_last_batch_ends_the_ticket() {
    let s = start_manual().await;
    let id = s
        .execute(
            DOC_BATCH,
            &json!({"targets": [{"key": "BatchValues", "values": [[{"name": "a"}], [{"name": "b"}]]}]}),
        )
        .await;
    assert_eq!(s.operate(&id, "SKIP_BATCH").await.status, 200);
    assert_eq!(s.status(&id).await, "Running");
    assert_eq!(s.operate(&id, "SKIP_BATCH").await.status, 200);
    let t = s.ticket(&id).await;
    assert_eq!(t["status"], "Succeed");
    assert_eq!(t["end_time"], s.sim.now_ms());
}
