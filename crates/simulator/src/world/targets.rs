//! A ticket's targets: generated on demand (so a 10,000-target ticket costs
//! nothing until it is read) or exactly as a client sent them, and how they
//! become units and batches.
//!
//! It deliberately does not decide how batches run (that is
//! [`super::engine`]); it only says which units there are and which batches
//! the targets themselves fix.

use std::ops::Range;

use coc_core::{Target, TargetKind};
use serde_json::{Value, json};

use super::MAX_UNITS;
use crate::error::{self, CocError};
use crate::rng::{hash, hex};

/// A ticket's targets: generated on demand (cheap for 10,000 of them) or
/// exactly as a client sent them.
#[derive(Debug, Clone)]
pub(crate) enum Targets {
    None,
    Generated {
        kind: TargetKind,
        count: usize,
        /// Units per batch when `kind` is BatchValues.
        per_batch: usize,
        seed: u64,
        prefix: String,
        region: String,
    },
    Explicit {
        targets: Vec<Target>,
        /// One CloudCMDB object per unit, flattened over batches.
        units: Vec<Value>,
        /// Unit ranges of the BatchValues batches, if any.
        batches: Vec<Range<usize>>,
    },
}

impl Targets {
    pub(super) fn unit_count(&self) -> usize {
        match self {
            Targets::None => 0,
            Targets::Generated { count, .. } => *count,
            Targets::Explicit { units, .. } => units.len(),
        }
    }

    /// Batches fixed by the targets themselves (BatchValues), if any.
    pub(super) fn own_batches(&self) -> Option<Vec<Range<usize>>> {
        match self {
            Targets::Generated {
                kind: TargetKind::BatchValues,
                count,
                per_batch,
                ..
            } => Some(chunks(*count, *per_batch)),
            Targets::Explicit { batches, .. } if !batches.is_empty() => Some(batches.clone()),
            _ => None,
        }
    }

    /// The CloudCMDB object of unit `i`.
    pub(super) fn unit(&self, i: usize) -> Option<Value> {
        match self {
            Targets::None => None,
            Targets::Generated {
                seed,
                prefix,
                region,
                count,
                ..
            } => (i < *count).then(|| cmdb_instance(*seed, prefix, region, i)),
            Targets::Explicit { units, .. } => units.get(i).cloned(),
        }
    }

    /// The targets as GetExecution shows them.
    pub(super) fn to_wire(&self) -> Vec<Target> {
        match self {
            Targets::None => Vec::new(),
            Targets::Generated {
                kind,
                count,
                per_batch,
                seed,
                prefix,
                region,
            } => {
                let object = |i| cmdb_instance(*seed, prefix, region, i);
                let values = match kind {
                    TargetKind::BatchValues => chunks(*count, *per_batch)
                        .into_iter()
                        .enumerate()
                        .map(|(b, r)| {
                            json!({
                                "batch_index": b + 1,
                                "target_instances": r.map(object).collect::<Vec<_>>(),
                            })
                        })
                        .collect(),
                    _ => (0..*count).map(object).collect(),
                };
                vec![Target {
                    key: kind.clone(),
                    values,
                    extra: Default::default(),
                }]
            }
            Targets::Explicit { targets, .. } => targets.clone(),
        }
    }

    /// Reads targets a client sent to ExecuteDocument.
    ///
    /// InstanceValues: each value is one unit. BatchValues: each value is one
    /// batch, either an array of units or an object whose `target_instances`
    /// (or `instances`) array holds them; any other value is a batch of one.
    pub(super) fn from_request(targets: Vec<Target>) -> Result<Self, CocError> {
        if targets.is_empty() {
            return Ok(Targets::None);
        }
        let mut units = Vec::new();
        let mut batches = Vec::new();
        for (i, t) in targets.iter().enumerate() {
            if t.values.is_empty() {
                return Err(CocError::bad_request(
                    error::TARGET_NOT_FOUND,
                    format!("target instance does not exist: targets[{i}] has no values"),
                ));
            }
            match &t.key {
                TargetKind::InstanceValues => units.extend(t.values.iter().cloned()),
                TargetKind::BatchValues => {
                    for v in &t.values {
                        let members = match v {
                            Value::Array(a) => a.clone(),
                            Value::Object(o) => {
                                match o.get("target_instances").or_else(|| o.get("instances")) {
                                    Some(Value::Array(a)) => a.clone(),
                                    _ => vec![v.clone()],
                                }
                            }
                            other => vec![other.clone()],
                        };
                        if members.is_empty() {
                            return Err(CocError::bad_request(
                                error::TARGET_NOT_FOUND,
                                format!(
                                    "target instance does not exist: a batch in targets[{i}] is empty"
                                ),
                            ));
                        }
                        let start = units.len();
                        units.extend(members);
                        batches.push(start..units.len());
                    }
                }
                TargetKind::Other(k) => {
                    return Err(CocError::bad_request(
                        error::INVALID_PARAMETER,
                        format!(
                            "invalid targets[{i}].key: {k:?} is not InstanceValues or BatchValues"
                        ),
                    ));
                }
            }
        }
        if units.len() > MAX_UNITS {
            return Err(CocError::bad_request(
                error::INVALID_PARAMETER,
                format!(
                    "invalid targets: {} instances; at most {MAX_UNITS} are allowed",
                    units.len()
                ),
            ));
        }
        Ok(Targets::Explicit {
            targets,
            units,
            batches,
        })
    }
}

/// `0..count` cut into consecutive ranges of `size` (the last may be shorter).
pub(super) fn chunks(count: usize, size: usize) -> Vec<Range<usize>> {
    let size = size.max(1);
    (0..count.div_ceil(size))
        .map(|b| b * size..((b + 1) * size).min(count))
        .collect()
}

/// A CloudCMDB-like ECS record, derived from `(seed, i)` alone.
fn cmdb_instance(seed: u64, prefix: &str, region: &str, i: usize) -> Value {
    let h = hash(&[seed, i as u64]);
    let h2 = hash(&[h, 1]);
    let uuid = format!(
        "{}-{}-4{}-a{}-{}",
        hex(h, 8),
        &hex(h, 12)[8..],
        &hex(h2, 3),
        &hex(h2, 6)[3..],
        hex(hash(&[h, 2]), 12),
    );
    json!({
        "resource_id": uuid,
        "name": format!("{prefix}-{:04}", i + 1),
        "fixed_ip": format!("192.168.{}.{}", 1 + (i / 250) % 254, 2 + i % 250),
        "region_id": region,
        "provider": "ecs",
        "type": "cloudservers",
        "agent_state": "ONLINE",
    })
}
