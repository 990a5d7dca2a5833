//! Inside a ticket: steps, instances, batches, blast radius.

use super::*;

const BATCH_ID: &str = "EX2025070100000012batc01";

/// A BATCH ticket's steps and instances as the simulator has them: 12
/// targets in batches of 4, batch 2 running in step 1.
fn batch_fake(status: &str) -> Fake {
    let fake = Fake::new(ticket_json(BATCH_ID, status, "BATCH"));
    let props = json!({"instance_count": "12", "batch_count": "3", "current_batch": "2", "batch_sizes": "4,4,4"});
    let step = |n: u32, name: &str, st: &str, msg: &str| {
        json!({
            "execution_step_id": format!("ST{n}"), "name": name, "action": "coc:executeScript",
            "status": st, "message": msg, "start_time": 1751374905000i64,
            "inputs": [{"key": "script_name", "value": format!("step{n}.sh")}],
            "outputs": [], "properties": props,
        })
    };
    fake.set_steps(json!([
        step(
            1,
            "Drain node",
            "Running",
            "running: 4 of 12 instances finished"
        ),
        step(
            2,
            "Install patches",
            "Pending",
            "4 of 12 instances finished; waiting for the next batch"
        ),
        step(
            3,
            "Reboot",
            "Pending",
            "4 of 12 instances finished; waiting for the next batch"
        ),
    ]));
    let mut all = Vec::new();
    for s in 1..=3 {
        for u in 0..12usize {
            let batch = u / 4 + 1;
            let st = match (s, batch, u % 4) {
                (_, 1, _) => "Succeed",
                (1, 2, 0 | 1) => "Running",
                _ => "Pending",
            };
            all.push(json!({
                "id": s * 100 + u as u32, "execution_instance_id": format!("EI{s}-{u:05}"),
                "execution_step_id": format!("ST{s}"), "status": st,
                "message": if st == "Pending" { "waiting to run" } else { "exit code 0" },
                "properties": {"batch_index": batch.to_string(), "fixed_ip": format!("10.0.0.{u}")},
            }));
        }
    }
    fake.set_instances(all);
    fake
}

#[wasm_bindgen_test]
async fn a_ticket_without_batches_shows_no_batch_table() {
    // As the simulator sends a NORMAL ticket: every instance in batch 1,
    // no batch properties on the steps.
    let id = "EX2025070100000013norm01";
    let fake = Fake::new(ticket_json(id, "Running", "NORMAL"));
    fake.set_steps(json!([{
        "execution_step_id": "ST1", "name": "Restart", "action": "coc:executeScript",
        "status": "Running", "start_time": 1751374905000i64,
        "properties": {"instance_count": "2"},
    }]));
    fake.set_instances(
        (0..2)
            .map(|u| {
                json!({
                    "execution_instance_id": format!("EI1-{u}"), "execution_step_id": "ST1",
                    "status": "Running", "properties": {"batch_index": "1"},
                })
            })
            .collect(),
    );
    let (root, _h) = mount_ticket(id, &fake).await;
    let r = root.clone();
    until("the step's counts", move || {
        q(&r, "[data-role=step-counts]")
            .is_some_and(|e| e.text_content().unwrap_or_default().contains("2 running"))
    })
    .await;
    assert!(q(&root, "[data-role=batch-summary]").is_none());
    assert!(q(&root, ".coc-batch-table").is_none());
}

#[wasm_bindgen_test]
async fn the_timeline_marks_the_current_step_and_counts_by_step_and_batch() {
    let fake = batch_fake("Running");
    let (root, _h) = mount_ticket(BATCH_ID, &fake).await;
    let r = root.clone();
    until("the steps", move || q(&r, ".coc-step").is_some()).await;
    let steps = qa(&root, ".coc-step");
    assert_eq!(steps.len(), 3);
    assert_eq!(
        steps[0].get_attribute("aria-current").as_deref(),
        Some("step")
    );
    assert_eq!(
        steps[1].get_attribute("aria-current").as_deref(),
        Some("false")
    );
    assert!(steps[0].text_content().unwrap().contains("current"));
    // Steps and instances say "Waiting" for Pending, never "Suspended".
    assert_eq!(text(&steps[1], ".coc-status-word"), "Waiting");
    assert!(!root.text_content().unwrap().contains("Suspended"));
    // Counts per step.
    assert_eq!(
        text(&steps[0], "[data-role=step-counts]"),
        "2 running6 waiting4 succeeded"
    );
    assert_eq!(
        text(&steps[1], "[data-role=step-counts]"),
        "8 waiting4 succeeded"
    );
    // Batches: the current one, its targets and states over all steps.
    assert_eq!(
        text(&root, "[data-role=batch-summary]"),
        "Batch 2 of 3 is current."
    );
    let batch_rows = qa(&root, ".coc-batch-table tbody tr");
    assert_eq!(batch_rows.len(), 3);
    let b2 = batch_rows[1].text_content().unwrap();
    assert!(b2.contains("Batch 2") && b2.contains("current"), "{b2}");
    assert!(
        b2.contains("4") && b2.contains("2 running") && b2.contains("10 waiting"),
        "{b2}"
    );
    assert!(
        batch_rows[0]
            .text_content()
            .unwrap()
            .contains("12 succeeded")
    );
    // The current step is open: its inputs and its instances.
    let open = q(&steps[0], ".coc-step-body").expect("the current step is open");
    assert!(text(&open, "[data-field=inputs]").contains("step1.sh"));
    let rows = qa(&open, ".coc-instances tbody tr");
    assert_eq!(rows.len(), 12);
    assert!(rows[4].text_content().unwrap().contains("Running"));
    assert!(rows[8].text_content().unwrap().contains("Waiting"));
    assert!(rows[8].text_content().unwrap().contains("batch_index=3"));
    // Another step opens by keyboard-reachable button.
    let head = q(&steps[2], ".coc-step-head").unwrap();
    assert_eq!(head.tag_name(), "BUTTON");
    click(&head);
    sleep(20).await;
    let steps = qa(&root, ".coc-step");
    assert!(q(&steps[2], ".coc-step-body").is_some());
    assert!(q(&steps[0], ".coc-step-body").is_none());
}

#[wasm_bindgen_test]
async fn skip_batch_and_terminate_state_their_blast_radius() {
    let fake = batch_fake("Running");
    let (root, _h) = mount_ticket(BATCH_ID, &fake).await;
    let r = root.clone();
    until("the batches", move || {
        q(&r, "[data-role=batch-summary]").is_some()
    })
    .await;

    click(&op_button(&root, OperateType::SkipBatch));
    sleep(50).await;
    let dialog = q(&root, "dialog").unwrap();
    let t = dialog.text_content().unwrap();
    assert!(t.contains("Skip the current batch (batch 2 of 3)"), "{t}");
    assert!(
        t.contains("Skipping batch 2 leaves 12 of its instances unrun"),
        "{t}"
    );
    assert!(t.contains("goes on with batch 3"), "{t}");
    click(&q(&dialog, ".coc-dialog-cancel").unwrap());
    sleep(20).await;

    click(&op_button(&root, OperateType::Terminate));
    sleep(50).await;
    let t = q(&root, "dialog").unwrap().text_content().unwrap();
    assert!(
        t.contains("2 instances still running will be cancelled"),
        "{t}"
    );
    assert!(t.contains("cannot be resumed"), "{t}");
    assert_eq!(fake.count(Method::Post), 0);
}

#[wasm_bindgen_test]
async fn steps_reload_when_the_ticket_changes_not_on_every_poll() {
    let fake = batch_fake("Running");
    let (root, _h) = mount_ticket(BATCH_ID, &fake).await;
    let r = root.clone();
    until("the steps", move || q(&r, ".coc-step").is_some()).await;
    sleep(50).await;
    let loaded = fake.inside_count();
    assert_eq!(
        loaded, 4,
        "the steps, and each step's 12 instances in one page"
    );
    // A poll that finds the ticket unchanged loads nothing more.
    let gets = fake.count(Method::Get);
    click(&q(&root, ".coc-livebar button:last-child").unwrap());
    let f = fake.clone();
    until("the poll", move || f.count(Method::Get) > gets).await;
    sleep(50).await;
    assert_eq!(fake.inside_count(), loaded);
    // A changed ticket reloads them; a failure keeps the last good ones.
    let mut t = ticket_json(BATCH_ID, "Running", "BATCH");
    t["update_time"] = json!(1751374999000i64);
    fake.set_get(Reply::Json(200, json!({ "data": t })));
    *fake.steps.lock().unwrap() = Reply::Network;
    click(&q(&root, ".coc-livebar button:last-child").unwrap());
    let r = root.clone();
    until("the steps warning", move || {
        q(&r, "[data-role=steps-warning]").is_some()
    })
    .await;
    assert_eq!(fake.inside_count(), loaded + 1);
    assert_eq!(qa(&root, ".coc-step").len(), 3, "last good steps kept");
}

#[wasm_bindgen_test]
async fn a_step_with_ten_thousand_instances_is_paged_not_counted() {
    let id = "EX2025070100000013larg01";
    let fake = Fake::new(ticket_json(id, "Running", "RATE_CONTROL"));
    fake.set_steps(json!([{
        "execution_step_id": "STBIG", "name": "Rotate logs", "action": "coc:executeScript",
        "status": "Running", "message": "running", "properties": {"instance_count": "10000"},
    }]));
    fake.set_instances(
        (0..10_000)
            .map(|u| json!({"execution_instance_id": format!("EI-{u:05}"), "execution_step_id": "STBIG", "status": if u < 5 { "Running" } else { "Pending" }, "message": "m", "properties": {}}))
            .collect(),
    );
    let (root, _h) = mount_ticket(id, &fake).await;
    let r = root.clone();
    until("the instances", move || q(&r, ".coc-instances").is_some()).await;
    assert_eq!(qa(&root, ".coc-instances tbody tr").len(), 20);
    assert!(text(&root, "[data-role=step-counts]").contains("too many to count"));
    // The steps, then the open step's window of 100: not 10,000 instances.
    assert_eq!(fake.inside_count(), 3);
    assert!(qa(&root, "*").len() < 1_500);
    // The last page: a new window, and its rows.
    click(&q(&root, ".coc-step-body button[aria-label=\"Last page\"]").unwrap());
    let r = root.clone();
    until("the last page", move || {
        q(&r, ".coc-instances tbody").is_some_and(|b| b.text_content().unwrap().contains("Waiting"))
            && q(&r, ".coc-range").is_some()
    })
    .await;
    let r = root.clone();
    until("rows 9,981–10,000", move || {
        qa(&r, ".coc-instances tbody tr")
            .first()
            .is_some_and(|tr| tr.text_content().unwrap().starts_with("9981"))
    })
    .await;
    // The TERMINATE confirmation does not pretend to know the count.
    click(&op_button(&root, OperateType::Terminate));
    sleep(50).await;
    let t = q(&root, "dialog").unwrap().text_content().unwrap();
    assert!(t.contains("running work is cancelled"), "{t}");
}
