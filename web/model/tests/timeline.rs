//! What a timeline load means: current step, batches, blast radius.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use coc_console_model::timeline::{Inside, StepData, count, finish, reusable};
use coc_core::{Step, StepInstance};

fn step(id: &str, status: &str, props: serde_json::Value) -> Step {
    serde_json::from_value(serde_json::json!({
        "execution_step_id": id, "status": status, "properties": props,
        "end_time": if status == "Succeed" { serde_json::json!(5) } else { serde_json::Value::Null }
    }))
    .unwrap()
}

fn instance(status: &str, batch: u32) -> StepInstance {
    serde_json::from_value(
        serde_json::json!({"status": status, "properties": {"batch_index": batch}}),
    )
    .unwrap()
}

fn data(step: Step, items: Vec<StepInstance>) -> StepData {
    let mut d = StepData {
        id: coc_console_model::timeline::step_id(&step),
        total: items.len(),
        step,
        items,
        ..StepData::default()
    };
    count(&mut d);
    d
}

#[test]
fn the_current_step_and_batch_and_what_terminate_and_skip_would_hit() {
    let props = serde_json::json!({"batch_count": "3", "batch_sizes": "2,2,1"});
    let mut inside = Inside {
        execution_id: "EX1".into(),
        steps: vec![
            data(
                step("1", "Succeed", props.clone()),
                vec![instance("Succeed", 1), instance("Succeed", 1)],
            ),
            data(
                step("2", "Running", serde_json::json!({})),
                vec![
                    instance("Succeed", 1),
                    instance("Running", 2),
                    instance("Pending", 2),
                    instance("Pending", 3),
                ],
            ),
        ],
        ..Inside::default()
    };
    finish(&mut inside, true);
    assert_eq!(inside.current, Some(1));
    assert_eq!(inside.batches.len(), 3);
    assert_eq!(inside.batches[0].targets, Some(2));
    assert_eq!(inside.current_batch, Some(2));
    let blast = inside.blast();
    assert_eq!(blast.running, Some(1));
    assert_eq!(blast.batch, Some((2, 3, Some(2))));
}

#[test]
fn a_ticket_without_declared_batches_has_no_batch_table() {
    let mut inside = Inside {
        steps: vec![data(
            step("1", "Running", serde_json::json!({})),
            vec![instance("Running", 1)],
        )],
        ..Inside::default()
    };
    finish(&mut inside, true);
    assert!(inside.batches.is_empty());
    assert_eq!(inside.current_batch, None);
}

#[test]
fn only_a_finished_unchanged_step_is_reused() {
    let done = data(
        step("1", "Succeed", serde_json::json!({})),
        vec![instance("Succeed", 1)],
    );
    assert!(reusable(&done, &done.step, None));
    let running = data(step("2", "Running", serde_json::json!({})), vec![]);
    assert!(!reusable(&running, &running.step, None));
    let changed = step("1", "Failed", serde_json::json!({}));
    assert!(!reusable(&done, &changed, None));
}
