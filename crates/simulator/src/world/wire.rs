//! The views the API sends: a ticket (with its targets rendered once and
//! cached), its steps with their counts and messages, and its instances.
//!
//! It deliberately changes nothing: every view is a function of the
//! ticket's state at the instant it is read.

use std::sync::Arc;

use coc_core::{Execution, ExecutionStatus, ExecutionType, KeyValue, LooseId, Step, StepInstance};
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::{Document, InstState, Instance, Ticket};

impl Ticket {
    /// The ticket as the wire shows it, with the targets pre-rendered.
    pub(super) fn wire(&self, doc: &Document) -> WireExecution {
        let targets = self
            .targets_json
            .get_or_init(|| {
                serde_json::value::to_raw_value(&self.targets.to_wire())
                    .map(Arc::from)
                    .unwrap_or_else(|_| Arc::from(RawValue::NULL.to_owned()))
            })
            .clone();
        let mut rest = self.execution_without_targets(doc);
        rest.targets.clear();
        WireExecution { rest, targets }
    }

    pub(super) fn execution(&self, doc: &Document) -> Execution {
        Execution {
            targets: self.targets.to_wire(),
            ..self.execution_without_targets(doc)
        }
    }

    fn execution_without_targets(&self, doc: &Document) -> Execution {
        Execution {
            id: Some(LooseId::Number(self.numeric_id.into())),
            execution_id: Some(self.id.clone()),
            document_name: Some(doc.name.clone()),
            document_id: Some(doc.id.clone()),
            document_version_id: Some(doc.version_id.clone()),
            document_version: Some(self.version.clone()),
            start_time: Some(self.start_time),
            end_time: self.end_time,
            update_time: Some(self.update_time),
            creator: Some(self.creator.clone()),
            status: Some(self.status.clone()),
            description: self.description.clone(),
            parameters: self.parameters.clone(),
            tags: self.tags.clone(),
            sys_tags: self.sys_tags.clone(),
            target_parameter_name: self.target_parameter_name.clone(),
            targets: Vec::new(),
            execution_type: Some(self.exec_type.clone()),
            extra: Map::new(),
        }
    }

    fn step_instances(&self, s: usize) -> &[Instance] {
        &self.instances[s * self.units..(s + 1) * self.units]
    }

    pub(super) fn step_view(&self, s: usize) -> Step {
        let run = &self.steps[s];
        let insts = self.step_instances(s);
        let count = |st: InstState| insts.iter().filter(|i| i.state == st).count();
        let (waiting, running, succeed, failed, timeout, canceling, canceled, skipped) = (
            count(InstState::Waiting),
            count(InstState::Running),
            count(InstState::Succeed),
            count(InstState::Failed),
            count(InstState::Timeout),
            count(InstState::Canceling),
            count(InstState::Canceled),
            count(InstState::Skipped),
        );
        let total = insts.len();
        let finished = total - waiting - running - canceling;
        use ExecutionStatus as S;
        let status = if running > 0 {
            S::Running
        } else if canceling > 0 {
            S::Canceling
        } else if failed > 0 {
            S::Failed
        } else if timeout > 0 {
            S::Timeout
        } else if waiting > 0 {
            S::Pending
        } else if succeed > 0 {
            S::Succeed
        } else {
            S::Canceled
        };
        let message = match status {
            S::Running => format!("running: {finished} of {total} instances finished"),
            S::Canceling => format!("canceling {canceling} running instances"),
            S::Failed => format!(
                "{failed} of {total} instances failed: {}",
                fail_message(self, s)
            ),
            S::Timeout => format!(
                "{timeout} of {total} instances timed out after {} s",
                run.def.timeout_ms / 1000
            ),
            S::Pending if finished == 0 => "waiting to start".to_owned(),
            S::Pending => {
                format!("{finished} of {total} instances finished; waiting for the next batch")
            }
            S::Succeed if skipped > 0 => {
                format!("{succeed} of {total} instances succeeded, {skipped} skipped")
            }
            S::Succeed => format!("{succeed} of {total} instances succeeded"),
            _ => format!("canceled ({canceled} instances canceled, {skipped} skipped)"),
        };
        let start_time = insts.iter().filter_map(|i| i.start).min();
        let end_time = if status.is_terminal() {
            insts.iter().filter_map(|i| i.end).max()
        } else {
            None
        };
        let mut properties = Map::new();
        let mut prop = |k: &str, v: String| {
            properties.insert(k.to_owned(), Value::String(v));
        };
        prop("instance_count", total.to_string());
        if self.exec_type == ExecutionType::Batch {
            prop("batch_count", self.batches.len().to_string());
            prop("current_batch", (self.batch + 1).to_string());
            prop(
                "batch_sizes",
                self.batches
                    .iter()
                    .map(|r| r.len().to_string())
                    .collect::<Vec<_>>()
                    .join(","),
            );
        }
        if self.exec_type == ExecutionType::RateControl {
            prop("concurrency", self.concurrency.to_string());
        }
        let outputs = if status == S::Succeed {
            vec![
                KeyValue::new("exit_code", "0"),
                KeyValue::new("succeeded_instances", succeed.to_string()),
            ]
        } else {
            Vec::new()
        };
        Step {
            execution_step_id: Some(LooseId::Text(run.id.clone())),
            action: Some(run.def.action.clone()),
            name: Some(run.def.name.clone()),
            status: Some(status),
            message: Some(message),
            start_time,
            end_time,
            inputs: run.def.inputs.clone(),
            outputs,
            properties,
            extra: Map::new(),
        }
    }

    pub(super) fn instance_view(&self, s: usize, u: usize) -> StepInstance {
        let inst = &self.instances[self.idx(s, u)];
        let step = &self.steps[s];
        let mut properties = Map::new();
        if let Some(Value::Object(target)) = self.targets.unit(u) {
            for (out, keys) in [
                ("instance_id", &["resource_id", "instance_id", "id"][..]),
                ("instance_name", &["name", "instance_name"][..]),
                ("fixed_ip", &["fixed_ip", "ip", "private_ip"][..]),
                ("region_id", &["region_id", "region"][..]),
            ] {
                let found = keys.iter().find_map(|k| match target.get(*k) {
                    Some(Value::String(v)) => Some(v.clone()),
                    Some(Value::Number(n)) => Some(n.to_string()),
                    _ => None,
                });
                if let Some(v) = found {
                    properties.insert(out.to_owned(), Value::String(v));
                }
            }
        }
        properties.insert(
            "batch_index".to_owned(),
            Value::String((self.batch_of(u) + 1).to_string()),
        );
        properties.insert(
            "attempt".to_owned(),
            Value::String((u32::from(inst.attempt) + 1).to_string()),
        );
        let message = match inst.state {
            InstState::Waiting => "waiting to run".to_owned(),
            InstState::Running => "running".to_owned(),
            InstState::Succeed => "exit code 0".to_owned(),
            InstState::Failed => fail_message(self, s),
            InstState::Timeout => format!(
                "no result within {} s; the instance timed out",
                step.def.timeout_ms / 1000
            ),
            InstState::Canceling => "canceling".to_owned(),
            InstState::Canceled => "canceled by TERMINATE".to_owned(),
            InstState::Skipped => "skipped by SKIP_BATCH".to_owned(),
        };
        StepInstance {
            id: Some(LooseId::Number(inst.id.into())),
            execution_instance_id: Some(LooseId::Text(format!(
                "{}-{:05}",
                step.id.replacen("ST", "EI", 1),
                u + 1
            ))),
            execution_step_id: Some(LooseId::Text(step.id.clone())),
            start_time: inst.start,
            end_time: inst.end,
            status: Some(inst.state.wire()),
            message: Some(message),
            properties,
            extra: Map::new(),
        }
    }
}

/// A ticket ready to serialise: `coc_core::Execution` with its targets
/// replaced by their cached JSON.
#[derive(Debug, Clone)]
pub(crate) struct WireExecution {
    rest: Execution,
    targets: Arc<RawValue>,
}

impl Serialize for WireExecution {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Value::Object(fields) =
            serde_json::to_value(&self.rest).map_err(serde::ser::Error::custom)?
        else {
            return Err(serde::ser::Error::custom("a ticket is a JSON object"));
        };
        let mut map = serializer.serialize_map(Some(fields.len()))?;
        for (k, v) in &fields {
            if k == "targets" {
                map.serialize_entry(k, &*self.targets)?;
            } else {
                map.serialize_entry(k, v)?;
            }
        }
        map.end()
    }
}

fn fail_message(t: &Ticket, s: usize) -> String {
    format!(
        "{} exited with code 1: command not found: /opt/app/bin/upgrade.sh",
        t.steps[s].def.action
    )
}
