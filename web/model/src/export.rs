//! The ticket as a file: what "Download JSON" saves. The ticket as decoded
//! (fields this console does not know kept), and the steps and instances
//! the console holds for it, each step saying whether its instances are
//! all there, so that a file attached to an incident report never passes
//! a window of 100 instances off as the whole step.

use coc_core::{Execution, Step, StepInstance};
use serde::Serialize;

use crate::timeline::Inside;

/// The saved document, serialised with serde as is.
#[derive(Debug, Serialize)]
pub struct Export<'a> {
    /// The ticket's id, also the file's name.
    pub execution_id: &'a str,
    /// When the console saved it, epoch ms.
    pub exported_at: i64,
    /// GetExecution's `data`.
    pub execution: &'a Execution,
    /// `null` while the steps have not loaded (or belong to another ticket).
    pub steps: Option<Vec<StepExport<'a>>>,
}

/// One step and the instances held for it.
#[derive(Debug, Serialize)]
pub struct StepExport<'a> {
    /// ListExecutionSteps' item.
    pub step: &'a Step,
    /// How many instances the service reports for the step.
    pub instances_total: usize,
    /// Position of `instances[0]` among them.
    pub instances_offset: usize,
    /// True when `instances` is every one of them.
    pub instances_complete: bool,
    /// ListExecutionInstances' items, in the service's order.
    pub instances: &'a [StepInstance],
}

impl<'a> Export<'a> {
    /// The document for `ticket`; `inside` is used only if it is this
    /// ticket's.
    pub fn new(ticket: &'a Execution, inside: Option<&'a Inside>, now: i64) -> Self {
        let execution_id = ticket.execution_id.as_deref().unwrap_or_default();
        let steps = inside.filter(|i| i.execution_id == execution_id).map(|i| {
            i.steps
                .iter()
                .map(|d| StepExport {
                    step: &d.step,
                    instances_total: d.total.max(d.offset + d.items.len()),
                    instances_offset: d.offset,
                    instances_complete: d.offset == 0 && d.items.len() >= d.total,
                    instances: &d.items,
                })
                .collect()
        });
        Self {
            execution_id,
            exported_at: now,
            execution: ticket,
            steps,
        }
    }

    /// `EX….json`. The core already refuses ids with separators, dots-only
    /// or control characters; anything else outside `[A-Za-z0-9_.-]`
    /// becomes `_` so that no file system or browser reads more into it.
    pub fn file_name(&self) -> String {
        let stem: String = self
            .execution_id
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let stem = stem.trim_start_matches('.');
        if stem.is_empty() {
            "ticket.json".to_owned()
        } else {
            format!("{stem}.json")
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::timeline::StepData;
    use serde_json::{Value, json};

    fn ticket(id: &str) -> Execution {
        serde_json::from_value(json!({
            "execution_id": id, "status": "RUNNING", "not_in_the_model": {"kept": true}
        }))
        .unwrap()
    }

    fn step(id: &str, total: usize, offset: usize, items: usize) -> StepData {
        let instance: StepInstance =
            serde_json::from_value(json!({"execution_instance_id": 7, "status": "FINISHED"}))
                .unwrap();
        StepData {
            step: serde_json::from_value(json!({"execution_step_id": id, "name": id})).unwrap(),
            id: id.to_owned(),
            total,
            items: vec![instance; items],
            offset,
            counts: None,
        }
    }

    fn saved(e: &Export<'_>) -> Value {
        serde_json::from_str(&serde_json::to_string(e).unwrap()).unwrap()
    }

    #[test]
    fn the_ticket_is_saved_whole_with_its_unknown_fields() {
        let t = ticket("EX1");
        let v = saved(&Export::new(&t, None, 1_751_000_000_000));
        assert_eq!(v["execution_id"], "EX1");
        assert_eq!(v["exported_at"], 1_751_000_000_000_i64);
        assert_eq!(v["execution"]["not_in_the_model"]["kept"], true);
        assert_eq!(v["steps"], Value::Null, "no steps loaded: null, not []");
    }

    #[test]
    fn each_step_says_whether_its_instances_are_all_there() {
        let t = ticket("EX1");
        let inside = Inside {
            execution_id: "EX1".to_owned(),
            steps: vec![step("s1", 3, 0, 3), step("s2", 900, 100, 100)],
            ..Inside::default()
        };
        let v = saved(&Export::new(&t, Some(&inside), 0));
        let steps = v["steps"].as_array().unwrap();
        assert_eq!(steps.len(), 2);
        assert_eq!(steps[0]["step"]["name"], "s1");
        assert_eq!(steps[0]["instances_complete"], true);
        assert_eq!(steps[0]["instances"].as_array().unwrap().len(), 3);
        assert_eq!(steps[1]["instances_complete"], false);
        assert_eq!(steps[1]["instances_offset"], 100);
        assert_eq!(steps[1]["instances_total"], 900);
    }

    #[test]
    fn another_tickets_steps_are_never_saved_with_this_one() {
        let t = ticket("EX1");
        let inside = Inside {
            execution_id: "EX2".to_owned(),
            steps: vec![step("s1", 1, 0, 1)],
            ..Inside::default()
        };
        assert_eq!(
            saved(&Export::new(&t, Some(&inside), 0))["steps"],
            Value::Null
        );
    }

    #[test]
    fn the_file_is_named_after_the_ticket_and_nothing_else() {
        let named = |id: &str| Export::new(&ticket(id), None, 0).file_name();
        assert_eq!(
            named("EX2025070110223402c4d6e8"),
            "EX2025070110223402c4d6e8.json"
        );
        assert_eq!(named("ex:1*2"), "ex_1_2.json");
        assert_eq!(named("..x"), "x.json");
        assert_eq!(named("工单"), "__.json");
    }
}
