//! Unit tests of the engine, without HTTP.

use super::*;
use crate::seed::*;
use serde_json::json;

const T0: i64 = crate::DEFAULT_START_MS;
const MINUTE: i64 = 60_000;

fn world(seed: u64) -> World {
    World::seeded(seed, T0)
}

fn ticket<'a>(w: &'a World, id: &str) -> &'a Ticket {
    &w.tickets[w.by_id[id]]
}

fn status(w: &World, id: &str) -> ExecutionStatus {
    ticket(w, id).status.clone()
}

fn all_steps(w: &World, id: &str) -> Vec<Step> {
    let mut q = ListExecutionSteps::new(id).unwrap();
    q.limit = Some(100);
    w.steps(&q).0
}

fn step_id(w: &World, id: &str, n: usize) -> String {
    all_steps(w, id)[n]
        .execution_step_id
        .as_ref()
        .unwrap()
        .to_string()
}

fn all_instances(w: &World, step_id: &str) -> Vec<StepInstance> {
    let mut out = Vec::new();
    loop {
        let mut q = ListExecutionInstances::new(step_id).unwrap();
        q.limit = Some(100);
        q.offset = Some(out.len() as u32);
        let (page, total) = w.instances(&q);
        out.extend(page);
        if out.len() as u64 >= total {
            return out;
        }
    }
}

/// Everything a client can see of a ticket, for comparisons.
fn snapshot(w: &World, id: &str) -> String {
    let steps = all_steps(w, id);
    let instances: Vec<Vec<StepInstance>> = steps
        .iter()
        .map(|s| all_instances(w, &s.execution_step_id.as_ref().unwrap().to_string()))
        .collect();
    serde_json::to_string(&(w.get(id), steps, instances)).unwrap()
}

/// The invariants that tie a ticket to its steps and instances.
fn check_consistent(t: &Ticket, now: i64) {
    use ExecutionStatus as S;
    use InstState as I;
    let ctx = format!("{} ({}) at {now}", t.id, t.status);
    let count = |st: I| t.instances.iter().filter(|i| i.state == st).count();
    assert!(
        t.update_time >= t.start_time && t.update_time <= now,
        "{ctx}: update_time"
    );
    assert_eq!(
        t.end_time.is_some(),
        matches!(t.status, S::Succeed | S::Canceled | S::Failed | S::Timeout),
        "{ctx}: end_time set exactly when terminal"
    );
    if let Some(end) = t.end_time {
        assert!(end >= t.start_time && end <= now, "{ctx}: end_time");
        assert!(end <= t.update_time, "{ctx}: end_time after update_time");
    }
    for inst in &t.instances {
        if let (Some(s), Some(e)) = (inst.start, inst.end) {
            assert!(s <= e, "{ctx}: instance ends before it starts");
        }
        if let Some(s) = inst.start {
            assert!(s >= t.start_time && s <= now, "{ctx}: instance start");
        }
        if let Some(e) = inst.end {
            assert!(e <= now, "{ctx}: instance end in the future");
        }
        match inst.state {
            I::Running | I::Canceling => assert!(inst.start.is_some() && inst.end.is_none()),
            I::Succeed | I::Failed | I::Timeout => {
                assert!(inst.start.is_some() && inst.end.is_some())
            }
            I::Waiting => assert!(inst.start.is_none() && inst.end.is_none()),
            I::Canceled | I::Skipped => {}
        }
    }
    let (running, waiting, canceling) = (count(I::Running), count(I::Waiting), count(I::Canceling));
    match t.status {
        S::Running => {
            assert_eq!(canceling, 0, "{ctx}");
            let phase = t.batches[t.batch]
                .clone()
                .map(|u| &t.instances[t.idx(t.step, u)]);
            assert!(
                phase
                    .clone()
                    .any(|i| i.state == I::Running || (i.state == I::Waiting && i.plan.is_some())),
                "{ctx}: running ticket with nothing to run"
            );
        }
        S::Pending => {
            assert_eq!(running + canceling, 0, "{ctx}: instances run while Pending");
            assert!(
                t.instances.iter().all(|i| i.plan.is_none()),
                "{ctx}: planned while Pending"
            );
            assert_eq!(t.step, 0, "{ctx}");
        }
        S::Canceling => assert_eq!(running, 0, "{ctx}: running while Canceling"),
        S::Succeed | S::Canceled => {
            assert_eq!(
                running + waiting + canceling,
                0,
                "{ctx}: unfinished instances"
            );
            // A failure survives in a Succeed ticket only in a skipped batch
            // (a Canceled one may have been terminated after a failure).
            if t.status == S::Succeed && count(I::Skipped) == 0 {
                assert_eq!(count(I::Failed) + count(I::Timeout), 0, "{ctx}");
            }
        }
        S::Failed | S::Timeout => {
            assert_eq!(running + canceling, 0, "{ctx}");
            let want = if t.status == S::Failed {
                I::Failed
            } else {
                I::Timeout
            };
            assert!(count(want) > 0, "{ctx}: no {want:?} instance");
        }
        S::Other(_) => panic!("{ctx}: unknown status"),
    }
    // Step statuses agree with the ticket.
    let steps: Vec<Step> = (0..t.steps.len()).map(|s| t.step_view(s)).collect();
    let step_statuses: Vec<ExecutionStatus> =
        steps.iter().map(|s| s.status.clone().unwrap()).collect();
    match t.status {
        S::Running => assert!(
            step_statuses.contains(&S::Running) || step_statuses.contains(&S::Pending),
            "{ctx}: {step_statuses:?}"
        ),
        S::Succeed => assert!(
            step_statuses.iter().all(|s| s.is_terminal()),
            "{ctx}: {step_statuses:?}"
        ),
        S::Canceled => assert!(
            !step_statuses
                .iter()
                .any(|s| matches!(s, S::Running | S::Pending | S::Canceling)),
            "{ctx}: {step_statuses:?}"
        ),
        S::Failed => assert!(
            step_statuses.contains(&S::Failed),
            "{ctx}: {step_statuses:?}"
        ),
        S::Timeout => assert!(
            step_statuses.contains(&S::Timeout),
            "{ctx}: {step_statuses:?}"
        ),
        S::Pending => assert!(
            !step_statuses.contains(&S::Running),
            "{ctx}: {step_statuses:?}"
        ),
        _ => {}
    }
    for s in &steps {
        if let (Some(a), Some(b)) = (s.start_time, s.end_time) {
            assert!(a <= b, "{ctx}: step ends before it starts");
        }
    }
}

fn check_world(w: &World) {
    for t in &w.tickets {
        check_consistent(t, w.now);
    }
}

/// [`check_world`] without the 10,000-target ticket (checked separately,
/// less often, to keep the debug build's tests quick).
fn check_small(w: &World) {
    for t in w.tickets.iter().filter(|t| t.id != TICKET_LARGE) {
        check_consistent(t, w.now);
    }
}

#[test]
fn named_tickets_have_their_status_for_any_seed() {
    for seed in [42, 0, 1, 7, 99, 12_345, u64::MAX] {
        let w = world(seed);
        for (want, id) in TICKET_PER_STATUS {
            assert_eq!(status(&w, id).as_str(), want, "seed {seed}: {id}");
        }
        for id in [TICKET_BATCH_RUNNING, TICKET_RATE_CONTROL, TICKET_LARGE] {
            assert_eq!(
                status(&w, id),
                ExecutionStatus::Running,
                "seed {seed}: {id}"
            );
        }
        assert_eq!(
            ticket(&w, TICKET_BATCH_RUNNING).batch,
            1,
            "seed {seed}: batch 2 runs"
        );
        assert_eq!(
            ticket(&w, TICKET_PENDING).batch,
            1,
            "seed {seed}: paused before batch 2"
        );
        assert_eq!(status(&w, TICKET_XSS), ExecutionStatus::Succeed);
        assert_eq!(status(&w, TICKET_CHILD), ExecutionStatus::Succeed);
        check_world(&w);
    }
}

#[test]
fn seeded_world_covers_statuses_types_and_ids() {
    let w = world(42);
    assert!(w.tickets.len() >= 40);
    for s in ExecutionStatus::KNOWN {
        assert!(w.tickets.iter().any(|t| t.status == *s), "no {s} ticket");
    }
    for ty in ExecutionType::KNOWN {
        assert!(
            w.tickets.iter().any(|t| t.exec_type == *ty),
            "no {ty} ticket"
        );
    }
    for t in &w.tickets {
        assert_eq!(t.id.len(), 24, "{}", t.id);
        assert!(t.id.starts_with("EX2025"), "{}", t.id);
    }
    for d in &w.docs {
        assert_eq!(d.id.len(), 24, "{}", d.id);
        assert!(d.id.starts_with("DM2025"), "{}", d.id);
    }
    let creators: std::collections::HashSet<&str> =
        w.tickets.iter().map(|t| t.creator.as_str()).collect();
    assert!(creators.len() >= 5, "{creators:?}");
    let children = w
        .tickets
        .iter()
        .filter(|t| t.sys_tags.iter().any(|s| s.key == PARENT_SYS_TAG))
        .count();
    assert!(children >= 2, "{children}");
    let large = w.get(TICKET_LARGE).unwrap();
    assert_eq!(large.target_count(), 10_000);
    assert_eq!(large.parameters.len(), 1_000);
    let xss = w.get(TICKET_XSS).unwrap();
    assert!(
        xss.description
            .unwrap()
            .contains("<script>alert(1)</script>")
    );
    assert!(
        xss.document_name
            .unwrap()
            .contains("<img src=x onerror=alert(1)>")
    );
}

#[test]
fn same_seed_same_world_other_seed_other_world() {
    let all = |w: &World| {
        let mut q = ListExecutions {
            limit: Some(100),
            ..Default::default()
        };
        q.offset = Some(0);
        let ids: Vec<String> = w
            .list(&q)
            .0
            .into_iter()
            .map(|e| e.execution_id.unwrap())
            .collect();
        ids.iter()
            .filter(|id| id.as_str() != TICKET_LARGE)
            .map(|id| snapshot(w, id))
            .collect::<Vec<_>>()
    };
    assert_eq!(all(&world(42)), all(&world(42)));
    assert_ne!(all(&world(42)), all(&world(43)));
}

#[test]
fn state_does_not_depend_on_how_time_is_advanced() {
    let mut jump = world(42);
    let mut steps = world(42);
    jump.advance_to(T0 + 10 * MINUTE);
    for i in 1..=1000 {
        steps.advance_to(T0 + i * 600);
    }
    for t in &jump.tickets {
        if t.id != TICKET_LARGE {
            assert_eq!(snapshot(&jump, &t.id), snapshot(&steps, &t.id), "{}", t.id);
        }
    }
}

#[test]
fn running_tickets_finish_and_stay_consistent_on_the_way() {
    let mut w = world(42);
    for i in 1..=200 {
        w.advance_to(T0 + i * 3_000);
        if i % 20 == 0 {
            check_world(&w);
        } else {
            check_small(&w);
        }
    }
    assert_eq!(status(&w, TICKET_RUNNING), ExecutionStatus::Succeed);
    assert_eq!(status(&w, TICKET_BATCH_RUNNING), ExecutionStatus::Succeed);
    assert_eq!(status(&w, TICKET_RATE_CONTROL), ExecutionStatus::Succeed);
    assert_eq!(status(&w, TICKET_CANCELING), ExecutionStatus::Canceled);
    // Untouched, a paused ticket stays paused.
    assert_eq!(status(&w, TICKET_PENDING), ExecutionStatus::Pending);
}

#[test]
fn random_operations_keep_every_ticket_consistent() {
    let mut rng = Rng::new(5);
    let mut w = world(42);
    let seeded: Vec<String> = w
        .tickets
        .iter()
        .map(|t| t.id.clone())
        .filter(|id| id != TICKET_LARGE)
        .collect();
    let docs = OUTCOME_DOCUMENTS;
    let mut fresh: Vec<String> = Vec::new();
    let mut accepted = HashMap::new();
    for round in 0..600 {
        let now = w.now + rng.below(2_000) as i64;
        w.advance_to(now);
        if round % 5 == 0 {
            fresh.push(w.execute(rng.pick(&docs), Default::default(), "t").unwrap());
        }
        let pool = if rng.chance(0.8) { &fresh } else { &seeded };
        let id = pool[rng.below(pool.len() as u64) as usize].clone();
        // TERMINATE is rare, or every ticket would soon be Canceled.
        let op = if rng.chance(0.08) {
            OperateType::Terminate
        } else {
            rng.pick(&[
                OperateType::Resume,
                OperateType::Retry,
                OperateType::SkipBatch,
            ])
        };
        let before = status(&w, &id);
        match w.operate(&id, op) {
            Ok(()) => *accepted.entry((op, before)).or_insert(0) += 1,
            Err(e) => {
                assert!(
                    e.code == error::STATUS_CONFLICT || e.code == error::NOT_A_BATCH_EXECUTION,
                    "{e}"
                );
                assert_eq!(
                    status(&w, &id),
                    before,
                    "round {round}: a refused {op} changed {id}"
                );
            }
        }
        check_consistent(ticket(&w, &id), w.now);
        if round % 5 == 0 {
            check_world(&w);
        }
    }
    // Every accepted (operation, status) pair of the policy was exercised.
    for pair in [
        (OperateType::Terminate, ExecutionStatus::Running),
        (OperateType::Terminate, ExecutionStatus::Pending),
        (OperateType::Resume, ExecutionStatus::Pending),
        (OperateType::Retry, ExecutionStatus::Failed),
        (OperateType::SkipBatch, ExecutionStatus::Running),
        (OperateType::SkipBatch, ExecutionStatus::Pending),
    ] {
        assert!(
            accepted.contains_key(&pair),
            "{pair:?} never accepted: {accepted:?}"
        );
    }
}

#[test]
fn terminate_goes_through_canceling_to_canceled() {
    let mut w = world(42);
    w.operate(TICKET_RUNNING, OperateType::Terminate).unwrap();
    let t = ticket(&w, TICKET_RUNNING);
    assert_eq!(t.status, ExecutionStatus::Canceling);
    assert_eq!(t.update_time, T0);
    assert!(t.instances.iter().any(|i| i.state == InstState::Canceling));
    w.advance_to(T0 + CANCEL_DELAY_MS - 1);
    assert_eq!(status(&w, TICKET_RUNNING), ExecutionStatus::Canceling);
    w.advance_to(T0 + CANCEL_DELAY_MS);
    let t = ticket(&w, TICKET_RUNNING);
    assert_eq!(t.status, ExecutionStatus::Canceled);
    assert_eq!(t.end_time, Some(T0 + CANCEL_DELAY_MS));
    assert!(
        t.instances
            .iter()
            .all(|i| matches!(i.state, InstState::Succeed | InstState::Canceled))
    );
    let err = w
        .operate(TICKET_RUNNING, OperateType::Terminate)
        .unwrap_err();
    assert_eq!(err.code, error::STATUS_CONFLICT);
    assert!(
        err.message.contains("is Canceled and cannot be terminated"),
        "{}",
        err.message
    );
}

#[test]
fn retry_reruns_only_the_failed_instances_then_succeeds() {
    let mut w = world(42);
    let failed_step = step_id(&w, TICKET_FAILED, 1);
    let before = all_instances(&w, &failed_step);
    assert_eq!(before[0].status, Some(ExecutionStatus::Failed));
    assert_eq!(before[1].status, Some(ExecutionStatus::Succeed));
    w.operate(TICKET_FAILED, OperateType::Retry).unwrap();
    let t = ticket(&w, TICKET_FAILED);
    assert_eq!(t.status, ExecutionStatus::Running);
    assert_eq!(t.end_time, None);
    let during = all_instances(&w, &failed_step);
    assert_eq!(during[0].status, Some(ExecutionStatus::Running));
    assert_eq!(during[0].properties["attempt"], "2");
    assert_eq!(during[1], before[1], "a succeeded instance is not rerun");
    w.advance_to(T0 + 10 * MINUTE);
    assert_eq!(status(&w, TICKET_FAILED), ExecutionStatus::Succeed);
}

#[test]
fn always_failing_document_fails_again_after_retry() {
    let mut w = world(42);
    let id = w.execute(DOC_FAILING, Default::default(), "t").unwrap();
    w.advance_to(T0 + 5 * MINUTE);
    assert_eq!(status(&w, &id), ExecutionStatus::Failed);
    w.operate(&id, OperateType::Retry).unwrap();
    assert_eq!(status(&w, &id), ExecutionStatus::Running);
    w.advance_to(T0 + 10 * MINUTE);
    assert_eq!(status(&w, &id), ExecutionStatus::Failed);
}

#[test]
fn timeout_then_resume_succeeds() {
    let mut w = world(42);
    let id = w.execute(DOC_TIMEOUT, Default::default(), "t").unwrap();
    w.advance_to(T0 + 119_000);
    assert_eq!(status(&w, &id), ExecutionStatus::Running);
    w.advance_to(T0 + 120_000);
    assert_eq!(status(&w, &id), ExecutionStatus::Timeout);
    assert_eq!(ticket(&w, &id).end_time, Some(T0 + 120_000));
    w.operate(&id, OperateType::Resume).unwrap();
    w.advance_to(T0 + 10 * MINUTE);
    assert_eq!(status(&w, &id), ExecutionStatus::Succeed);
}

#[test]
fn batch_ticket_pauses_between_batches_and_resume_runs_the_next() {
    let mut w = world(42);
    let id = w.execute(DOC_BATCH, Default::default(), "t").unwrap();
    assert_eq!(
        ticket(&w, &id).batches.len(),
        3,
        "12 targets in batches of 4"
    );
    w.advance_to(T0 + 5 * MINUTE);
    let t = ticket(&w, &id);
    assert_eq!((t.status.clone(), t.batch), (ExecutionStatus::Pending, 1));
    let paused_at = t.update_time;
    let steps = all_steps(&w, &id);
    assert_eq!(steps[0].properties["current_batch"], "2");
    assert_eq!(steps[0].properties["batch_sizes"], "4,4,4");
    assert!(
        steps
            .iter()
            .all(|s| s.status == Some(ExecutionStatus::Pending))
    );
    w.advance_to(T0 + 10 * MINUTE);
    assert_eq!(
        ticket(&w, &id).update_time,
        paused_at,
        "nothing changes while paused"
    );
    w.operate(&id, OperateType::Resume).unwrap();
    let insts = all_instances(&w, &step_id(&w, &id, 0));
    let running: Vec<&str> = insts
        .iter()
        .filter(|i| i.status == Some(ExecutionStatus::Running))
        .map(|i| i.properties["batch_index"].as_str().unwrap())
        .collect();
    assert_eq!(running, ["2"; 4]);
}

#[test]
fn skip_batch_while_running_skips_the_rest_of_the_batch_and_runs_the_next() {
    let mut w = world(42);
    let id = TICKET_BATCH_RUNNING;
    let t = ticket(&w, id);
    assert_eq!((t.batch, t.batches.len()), (1, 4));
    w.operate(id, OperateType::SkipBatch).unwrap();
    let t = ticket(&w, id);
    assert_eq!(
        (t.status.clone(), t.batch, t.step),
        (ExecutionStatus::Running, 2, 0)
    );
    for s in 0..3 {
        for inst in all_instances(&w, &step_id(&w, id, s)) {
            let batch = inst.properties["batch_index"].as_str().unwrap().to_owned();
            let status = inst.status.clone().unwrap();
            match batch.as_str() {
                "1" => assert_eq!(status, ExecutionStatus::Succeed),
                "2" => assert!(
                    status == ExecutionStatus::Succeed
                        || (status == ExecutionStatus::Canceled
                            && inst.message.as_deref() == Some("skipped by SKIP_BATCH")),
                    "batch 2: {inst:?}"
                ),
                "3" if s == 0 => assert_eq!(status, ExecutionStatus::Running),
                _ => assert_eq!(status, ExecutionStatus::Pending),
            }
        }
    }
    // Skip batches 3 and 4: skipping the last ends the ticket.
    w.operate(id, OperateType::SkipBatch).unwrap();
    w.operate(id, OperateType::SkipBatch).unwrap();
    let t = ticket(&w, id);
    assert_eq!(t.status, ExecutionStatus::Succeed);
    assert_eq!(t.end_time, Some(T0));
    check_consistent(t, w.now);
}

#[test]
fn skip_batch_while_pending_skips_the_waiting_batch() {
    let mut w = world(42);
    w.operate(TICKET_PENDING, OperateType::SkipBatch).unwrap();
    let t = ticket(&w, TICKET_PENDING);
    assert_eq!((t.status.clone(), t.batch), (ExecutionStatus::Running, 2));
    let first = all_instances(&w, &step_id(&w, TICKET_PENDING, 0));
    let skipped = first
        .iter()
        .filter(|i| i.message.as_deref() == Some("skipped by SKIP_BATCH"))
        .count();
    assert_eq!(skipped, 4);
}

#[test]
fn skip_batch_on_other_types_is_refused_with_its_own_code() {
    let mut w = world(42);
    let err = w
        .operate(TICKET_RUNNING, OperateType::SkipBatch)
        .unwrap_err();
    assert_eq!(err.code, error::NOT_A_BATCH_EXECUTION);
    assert!(err.message.contains("NORMAL"), "{}", err.message);
}

#[test]
fn rate_control_runs_at_most_concurrency_instances_at_once() {
    let mut w = world(42);
    let id = TICKET_RATE_CONTROL;
    let t = ticket(&w, id);
    assert_eq!(t.concurrency, 2);
    for i in 0..120 {
        w.advance_to(T0 + i * 500);
        let t = ticket(&w, id);
        let running = t
            .instances
            .iter()
            .filter(|i| i.state == InstState::Running)
            .count();
        assert!(running <= 2, "{running} running at once");
    }
    assert_eq!(status(&w, id), ExecutionStatus::Succeed);
}

#[test]
fn execute_document_uses_body_targets_and_parameters() {
    let mut w = world(42);
    let body: coc_core::ExecuteDocumentBody = serde_json::from_value(json!({
        "parameters": [{"key": "batch_size", "value": "2"}, {"key": "extra", "value": "x"}],
        "targets": [{"key": "InstanceValues", "values": [
            {"resource_id": "i-1", "name": "a", "fixed_ip": "10.0.0.1"},
            {"resource_id": "i-2", "name": "b", "ip": "10.0.0.2"},
            {"resource_id": "i-3", "name": "c"}
        ]}],
        "sys_tags": [{"key": PARENT_SYS_TAG, "value": TICKET_SUCCEED}],
        "description": "from a test"
    }))
    .unwrap();
    let id = w.execute(DOC_BATCH, body, "tester").unwrap();
    assert_eq!(id.len(), 24);
    assert!(id.starts_with("EX20250701100000"), "{id}");
    let e = w.get(&id).unwrap();
    assert_eq!(e.creator.as_deref(), Some("tester"));
    assert_eq!(e.target_count(), 3);
    assert!(e.parameters.contains(&KeyValue::new("batch_size", "2")));
    assert!(e.parameters.contains(&KeyValue::new("extra", "x")));
    assert_eq!(ticket(&w, &id).batches, vec![0..2, 2..3]);
    let insts = all_instances(&w, &step_id(&w, &id, 0));
    assert_eq!(insts[1].properties["fixed_ip"], "10.0.0.2");
    assert_eq!(insts[0].properties["instance_id"], "i-1");
    // BatchValues: one batch per value.
    let body: coc_core::ExecuteDocumentBody = serde_json::from_value(json!({
        "targets": [{"key": "BatchValues", "values": [
            {"batch_index": 1, "target_instances": [{"name": "a"}, {"name": "b"}]},
            [{"name": "c"}],
            {"name": "d"}
        ]}]
    }))
    .unwrap();
    let id = w.execute(DOC_BATCH, body, "tester").unwrap();
    assert_eq!(ticket(&w, &id).batches, vec![0..2, 2..3, 3..4]);
}

#[test]
fn execute_document_refusals() {
    let mut w = world(42);
    let err = w.execute("DM0000", Default::default(), "t").unwrap_err();
    assert_eq!(err.code, error::DOCUMENT_NOT_FOUND);
    let body: coc_core::ExecuteDocumentBody =
        serde_json::from_value(json!({"targets": [{"key": "InstanceValues", "values": []}]}))
            .unwrap();
    assert_eq!(
        w.execute(DOC_NORMAL, body, "t").unwrap_err().code,
        error::TARGET_NOT_FOUND
    );
    let body = coc_core::ExecuteDocumentBody {
        document_type: Some("SHARED".into()),
        ..Default::default()
    };
    assert_eq!(
        w.execute(DOC_NORMAL, body, "t").unwrap_err().code,
        error::INVALID_PARAMETER
    );
}

#[test]
#[allow(clippy::print_stderr, reason = "prints a measurement for the report")]
fn large_ticket_is_cheap_enough() {
    let started = std::time::Instant::now();
    let mut w = world(42);
    let seeded = started.elapsed();
    let t = std::time::Instant::now();
    w.advance_to(T0 + 5_000);
    let e = w.get(TICKET_LARGE).unwrap();
    let json = serde_json::to_vec(&e).unwrap();
    let steps = all_steps(&w, TICKET_LARGE);
    let got = t.elapsed();
    assert_eq!(steps.len(), 2);
    assert_eq!(steps[0].properties["instance_count"], "10000");
    assert!(json.len() > 1_000_000);
    // Measured, not asserted: printed with --nocapture.
    eprintln!("seeding {seeded:?}; advance + GetExecution + steps of the large ticket {got:?}");
}
