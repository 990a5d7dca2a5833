//! The service's data, as the real service sends it.
//!
//! Decoding is tolerant where the service is known to vary and strict
//! elsewhere:
//! - `id` may be a string, a number, or absent (older servers omit it);
//! - `null` or missing arrays decode as empty;
//! - an unknown `status`, `type` or target `key` is kept as its raw string;
//! - the misspelt `strat_time` is accepted for `start_time` (when both come,
//!   `start_time` wins and `strat_time` stays in `extra`);
//! - a `null` key of a key-value pair decodes as empty;
//! - unknown fields are kept in `extra`, on a ticket, step or instance and
//!   inside its parameters, tags and targets, so that a decoded value
//!   serialises back to JSON (for a raw view) without losing what came in.
//!
//! A value of the wrong JSON type for a documented field (a string where
//! epoch milliseconds belong, say) is a decode error naming the field.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

/// Epoch milliseconds, as every time in this API is.
pub type EpochMillis = i64;

fn null_as_default<'de, D, T>(de: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(de)?.unwrap_or_default())
}

/// Declares a model struct with a private twin that serde decodes first
/// (`#[serde(from = "…Wire")]`), then folds `strat_time` into `start_time`.
///
/// A plain `alias = "strat_time"` would turn a body that carries both
/// spellings (a server between versions) into a "duplicate field" error and
/// lose the whole page. Here `start_time` wins, and a `strat_time` that was
/// not used stays in `extra`, so nothing that came in is lost.
macro_rules! with_strat_time {
    (
        $(#[$meta:meta])*
        pub struct $name:ident via $wire:ident expecting $expecting:tt {
            $( $(#[$fmeta:meta])* pub $field:ident : $ty:ty, )+
        }
    ) => {
        $(#[$meta])*
        pub struct $name {
            $( $(#[$fmeta])* pub $field: $ty, )+
        }

        #[derive(Deserialize)]
        #[serde(expecting = $expecting)]
        struct $wire {
            $( $(#[$fmeta])* $field: $ty, )+
        }

        impl From<$wire> for $name {
            fn from(wire: $wire) -> Self {
                let mut out = $name { $( $field: wire.$field, )+ };
                fold_strat_time(&mut out.start_time, &mut out.extra);
                out
            }
        }
    };
}

/// Moves a numeric `strat_time` from `extra` into a missing `start_time`.
fn fold_strat_time(start: &mut Option<EpochMillis>, extra: &mut Map<String, Value>) {
    if start.is_none()
        && let Some(t) = extra.get("strat_time").and_then(Value::as_i64)
    {
        *start = Some(t);
        extra.remove("strat_time");
    }
}

/// An id the service sends as a string in some versions and a number in others.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum LooseId {
    /// `"id": "123"`
    Text(String),
    /// `"id": 123`
    Number(serde_json::Number),
}

impl fmt::Display for LooseId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LooseId::Text(s) => f.write_str(s),
            LooseId::Number(n) => write!(f, "{n}"),
        }
    }
}

/// Serde glue for "a closed set of strings plus whatever the server adds":
/// known values get variants, anything else is kept verbatim in `Other`.
macro_rules! open_enum {
    (
        $(#[$doc:meta])*
        $name:ident { $( $(#[$vdoc:meta])* $variant:ident = $wire:literal ),+ $(,)? }
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vdoc])* $variant, )+
            /// A value this crate does not know, kept exactly as sent.
            Other(String),
        }

        impl $name {
            /// Every known value, in documentation order.
            pub const KNOWN: &'static [$name] = &[$($name::$variant),+];

            /// The value exactly as the service spells it.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $wire, )+
                    $name::Other(s) => s,
                }
            }

            /// Maps a wire value to its variant; never fails.
            pub fn from_wire(s: &str) -> Self {
                match s {
                    $( $wire => $name::$variant, )+
                    other => $name::Other(other.to_owned()),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                Ok($name::from_wire(&s))
            }
        }
    };
}

open_enum!(
    /// A ticket's (or a step's, or an instance's) status.
    ExecutionStatus {
        /// Suspended, waiting for an operator.
        Pending = "Pending",
        /// Running.
        Running = "Running",
        /// Finished successfully.
        Succeed = "Succeed",
        /// Being cancelled after a TERMINATE.
        Canceling = "Canceling",
        /// Cancelled.
        Canceled = "Canceled",
        /// Finished with a failure.
        Failed = "Failed",
        /// Ran out of time.
        Timeout = "Timeout",
    }
);

impl ExecutionStatus {
    /// A finished ticket: it will not change again unless operated.
    ///
    /// `Failed` and `Timeout` count as terminal even though RETRY can revive
    /// them: nothing changes without an operator, so there is nothing to poll.
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            ExecutionStatus::Succeed
                | ExecutionStatus::Canceled
                | ExecutionStatus::Failed
                | ExecutionStatus::Timeout
        )
    }

    /// A ticket that may change on its own, so a console should poll it.
    ///
    /// An unknown status counts as active: polling a finished ticket costs a
    /// request, missing a change in a live one costs an incident.
    pub fn is_active(&self) -> bool {
        !self.is_terminal()
    }

    /// A human label ("Succeeded" reads better than the wire's "Succeed").
    pub fn label(&self) -> &str {
        match self {
            ExecutionStatus::Pending => "Suspended",
            ExecutionStatus::Running => "Running",
            ExecutionStatus::Succeed => "Succeeded",
            ExecutionStatus::Canceling => "Cancelling",
            ExecutionStatus::Canceled => "Cancelled",
            ExecutionStatus::Failed => "Failed",
            ExecutionStatus::Timeout => "Timed out",
            ExecutionStatus::Other(s) => s,
        }
    }
}

open_enum!(
    /// How a ticket spreads its work over targets.
    ExecutionType {
        /// Targets run batch by batch; a ticket can pause between batches.
        Batch = "BATCH",
        /// Targets run at a controlled rate.
        RateControl = "RATE_CONTROL",
        /// Plain execution.
        Normal = "NORMAL",
    }
);

open_enum!(
    /// The kind of a target list.
    TargetKind {
        /// One value per instance.
        InstanceValues = "InstanceValues",
        /// One value per batch.
        BatchValues = "BatchValues",
    }
);

/// A `{ "key", "value" }` pair: parameters, tags, inputs and outputs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyValue {
    /// Name; empty when the service sent `null` or nothing.
    #[serde(default, deserialize_with = "null_as_default")]
    pub key: String,
    /// Value; `None` when the service sent `null` or nothing.
    #[serde(default)]
    pub value: Option<String>,
    /// Fields beside `key` and `value`, kept so that a raw view shows them.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl KeyValue {
    /// A pair with a value.
    pub fn new(key: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            value: Some(value.into()),
            extra: Map::new(),
        }
    }
}

/// Targets of a rate-controlled or batch ticket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Target {
    /// `InstanceValues` or `BatchValues`.
    pub key: TargetKind,
    /// The targets themselves (CloudCMDB resources), kept as JSON because
    /// their shape is not documented.
    #[serde(default, deserialize_with = "null_as_default")]
    pub values: Vec<Value>,
    /// Fields beside `key` and `values`, kept so that a raw view shows them.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

with_strat_time! {
    /// A job-execution ticket, every field of GetExecution plus `sys_tags`.
    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(from = "ExecutionWire")]
    pub struct Execution via ExecutionWire expecting "a ticket object" {
        /// Numeric or textual id; absent on servers older than 2025-11.
        #[serde(default)]
        pub id: Option<LooseId>,
        /// Ticket id, e.g. `EX2025070121014501xxxxxx`.
        #[serde(default)]
        pub execution_id: Option<String>,
        /// Job name.
        #[serde(default)]
        pub document_name: Option<String>,
        /// Job id.
        #[serde(default)]
        pub document_id: Option<String>,
        /// Job version id.
        #[serde(default)]
        pub document_version_id: Option<String>,
        /// Job version number.
        #[serde(default)]
        pub document_version: Option<String>,
        /// Start, epoch ms.
        #[serde(default)]
        pub start_time: Option<EpochMillis>,
        /// End, epoch ms; absent while the ticket runs.
        #[serde(default)]
        pub end_time: Option<EpochMillis>,
        /// Last update, epoch ms.
        #[serde(default)]
        pub update_time: Option<EpochMillis>,
        /// Who started the ticket.
        #[serde(default)]
        pub creator: Option<String>,
        /// Status; `None` when the service sent none.
        #[serde(default)]
        pub status: Option<ExecutionStatus>,
        /// Free text.
        #[serde(default)]
        pub description: Option<String>,
        /// Global parameters.
        #[serde(default, deserialize_with = "null_as_default")]
        pub parameters: Vec<KeyValue>,
        /// User tags.
        #[serde(default, deserialize_with = "null_as_default")]
        pub tags: Vec<KeyValue>,
        /// System tags (list responses).
        #[serde(default, deserialize_with = "null_as_default")]
        pub sys_tags: Vec<KeyValue>,
        /// The parameter that holds the targets in rate or batch mode.
        #[serde(default)]
        pub target_parameter_name: Option<String>,
        /// Targets in rate or batch mode.
        #[serde(default, deserialize_with = "null_as_default")]
        pub targets: Vec<Target>,
        /// `BATCH`, `RATE_CONTROL` or `NORMAL`.
        #[serde(default, rename = "type")]
        pub execution_type: Option<ExecutionType>,
        /// Fields this crate does not know, kept for the raw view.
        #[serde(flatten)]
        pub extra: Map<String, Value>,
    }
}

impl Execution {
    /// The status, with a missing one reported as `Other("")`.
    pub fn status_or_unknown(&self) -> ExecutionStatus {
        self.status
            .clone()
            .unwrap_or_else(|| ExecutionStatus::Other(String::new()))
    }

    /// True when this is a BATCH ticket.
    pub fn is_batch(&self) -> bool {
        self.execution_type == Some(ExecutionType::Batch)
    }

    /// How long the ticket has run: to `end_time` when finished, else to `now`.
    /// `None` without a start time, or when the clock reads before the start.
    pub fn duration_ms(&self, now: EpochMillis) -> Option<EpochMillis> {
        let start = self.start_time?;
        let end = self.end_time.unwrap_or(now);
        end.checked_sub(start).filter(|d| *d >= 0)
    }

    /// Total number of target values over all target lists.
    pub fn target_count(&self) -> usize {
        self.targets.iter().map(|t| t.values.len()).sum()
    }
}

with_strat_time! {
    /// One step of a ticket (ListExecutionSteps).
    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(from = "StepWire")]
    pub struct Step via StepWire expecting "a step object" {
        /// Step id, used to list the step's instances.
        #[serde(default)]
        pub execution_step_id: Option<LooseId>,
        /// What the step does, e.g. `coc:executeScript`.
        #[serde(default)]
        pub action: Option<String>,
        /// Display name.
        #[serde(default)]
        pub name: Option<String>,
        /// Status, same values as a ticket's.
        #[serde(default)]
        pub status: Option<ExecutionStatus>,
        /// Latest message.
        #[serde(default)]
        pub message: Option<String>,
        /// Start, epoch ms.
        #[serde(default)]
        pub start_time: Option<EpochMillis>,
        /// End, epoch ms.
        #[serde(default)]
        pub end_time: Option<EpochMillis>,
        /// Inputs.
        #[serde(default, deserialize_with = "null_as_default")]
        pub inputs: Vec<KeyValue>,
        /// Outputs.
        #[serde(default, deserialize_with = "null_as_default")]
        pub outputs: Vec<KeyValue>,
        /// Free-form properties (documented as a string map; kept as JSON).
        #[serde(default, deserialize_with = "null_as_default")]
        pub properties: Map<String, Value>,
        /// Fields this crate does not know.
        #[serde(flatten)]
        pub extra: Map<String, Value>,
    }
}

with_strat_time! {
    /// One target's run of one step (ListExecutionInstances).
    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(from = "StepInstanceWire")]
    pub struct StepInstance via StepInstanceWire expecting "an instance object" {
        /// Numeric id.
        #[serde(default)]
        pub id: Option<LooseId>,
        /// Instance id.
        #[serde(default)]
        pub execution_instance_id: Option<LooseId>,
        /// The step it belongs to.
        #[serde(default)]
        pub execution_step_id: Option<LooseId>,
        /// Start, epoch ms (`strat_time` before SDK 0.1.178).
        #[serde(default)]
        pub start_time: Option<EpochMillis>,
        /// End, epoch ms.
        #[serde(default)]
        pub end_time: Option<EpochMillis>,
        /// Status.
        #[serde(default)]
        pub status: Option<ExecutionStatus>,
        /// Latest message.
        #[serde(default)]
        pub message: Option<String>,
        /// Free-form properties, e.g. `{"fixed_ip": "192.168.1.228"}`.
        #[serde(default, deserialize_with = "null_as_default")]
        pub properties: Map<String, Value>,
        /// Fields this crate does not know.
        #[serde(flatten)]
        pub extra: Map<String, Value>,
    }
}

/// One page of a list operation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    /// The items on this page.
    pub items: Vec<T>,
    /// How many items match in all; when the service omits it, the number
    /// of items on this page.
    pub total: u64,
}

/// The four ways to operate a ticket (OperateExecution's `operate_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OperateType {
    /// Resubmit a suspended (or failed) ticket.
    Resume,
    /// Force the ticket to stop.
    Terminate,
    /// Run a failed (or suspended) ticket again.
    Retry,
    /// Skip the current batch of a BATCH ticket.
    SkipBatch,
}

impl OperateType {
    /// All four, in the order a console shows them.
    pub const ALL: [OperateType; 4] = [
        OperateType::Resume,
        OperateType::Retry,
        OperateType::SkipBatch,
        OperateType::Terminate,
    ];

    /// The value exactly as the service spells it.
    pub fn as_str(&self) -> &'static str {
        match self {
            OperateType::Resume => "RESUME",
            OperateType::Terminate => "TERMINATE",
            OperateType::Retry => "RETRY",
            OperateType::SkipBatch => "SKIP_BATCH",
        }
    }

    /// A short label for a button.
    pub fn label(&self) -> &'static str {
        match self {
            OperateType::Resume => "Resume",
            OperateType::Terminate => "Terminate",
            OperateType::Retry => "Retry",
            OperateType::SkipBatch => "Skip batch",
        }
    }

    /// One line explaining what the operation does.
    pub fn explanation(&self) -> &'static str {
        match self {
            OperateType::Resume => "Resubmit the ticket so it continues from where it stopped.",
            OperateType::Terminate => {
                "Force the ticket to stop; running work is cancelled and cannot be resumed."
            }
            OperateType::Retry => "Run the failed part of the ticket again.",
            OperateType::SkipBatch => {
                "Skip the current batch of targets and go on with the next one."
            }
        }
    }

    /// Parses the wire spelling (`RESUME`, ...), refusing anything else.
    pub fn parse(s: &str) -> Result<Self, crate::Error> {
        Self::ALL
            .into_iter()
            .find(|op| op.as_str() == s)
            .ok_or_else(|| {
                crate::Error::invalid(
                    "operate_type",
                    format!("{s:?} is not one of RESUME, TERMINATE, RETRY, SKIP_BATCH"),
                )
            })
    }

    /// True for operations that cannot be undone and so deserve a confirmation.
    pub fn is_destructive(&self) -> bool {
        matches!(self, OperateType::Terminate | OperateType::SkipBatch)
    }
}

/// The body of ExecuteDocument: starts a job and returns the new ticket id.
///
/// A request, so read strictly, unlike the models above that read answers:
/// an unknown field at any level, a key given twice (inside the free-form
/// target values too) or a parameter without its `key` (a target without
/// its `values`) is an error, not something kept or filled in. Written back,
/// it says exactly what was read: no `"value": null` for a value that was
/// not sent, nothing in place of an absent field.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, expecting = "an ExecuteDocument body object")]
pub struct ExecuteDocumentBody {
    /// Job version; the latest when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Global parameters.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "request::key_values",
        serialize_with = "request::write_key_values"
    )]
    pub parameters: Vec<KeyValue>,
    /// System tags.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "request::key_values",
        serialize_with = "request::write_key_values"
    )]
    pub sys_tags: Vec<KeyValue>,
    /// The parameter that holds the targets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_parameter_name: Option<String>,
    /// Targets.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "request::targets"
    )]
    pub targets: Vec<Target>,
    /// `PRIVATE` or `PUBLIC`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_type: Option<String>,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// The request-side forms of [`ExecuteDocumentBody`]'s items. They become
/// the shared [`KeyValue`] and [`Target`] once read (with nothing in
/// `extra`), so code that builds or reads a body keeps one type, but they
/// are read by these strict twins, never by the tolerant answer models.
mod request {
    use serde::de::{self, MapAccess, SeqAccess, Visitor};
    use serde::ser::SerializeMap as _;

    use super::*;

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields, expecting = "a {\"key\", \"value\"} object")]
    struct KeyValueIn {
        key: String,
        #[serde(default)]
        value: Option<String>,
    }

    pub(super) fn key_values<'de, D: Deserializer<'de>>(de: D) -> Result<Vec<KeyValue>, D::Error> {
        Ok(Vec::<KeyValueIn>::deserialize(de)?
            .into_iter()
            .map(|kv| KeyValue {
                key: kv.key,
                value: kv.value,
                extra: Map::new(),
            })
            .collect())
    }

    /// A pair without a value is written without one, not as `null`.
    pub(super) fn write_key_values<S: Serializer>(
        items: &[KeyValue],
        ser: S,
    ) -> Result<S::Ok, S::Error> {
        struct Out<'a>(&'a KeyValue);
        impl Serialize for Out<'_> {
            fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
                let mut map = ser.serialize_map(None)?;
                map.serialize_entry("key", &self.0.key)?;
                if let Some(value) = &self.0.value {
                    map.serialize_entry("value", value)?;
                }
                for (k, v) in &self.0.extra {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
        ser.collect_seq(items.iter().map(Out))
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields, expecting = "a {\"key\", \"values\"} object")]
    struct TargetIn {
        key: TargetKind,
        values: Vec<UniqueKeys>,
    }

    pub(super) fn targets<'de, D: Deserializer<'de>>(de: D) -> Result<Vec<Target>, D::Error> {
        Ok(Vec::<TargetIn>::deserialize(de)?
            .into_iter()
            .map(|t| Target {
                key: t.key,
                values: t.values.into_iter().map(|v| v.0).collect(),
                extra: Map::new(),
            })
            .collect())
    }

    /// Any JSON value, refusing an object that names a key twice (which a
    /// plain [`Value`] would settle silently, keeping the last).
    struct UniqueKeys(Value);

    impl<'de> Deserialize<'de> for UniqueKeys {
        fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
            de.deserialize_any(UniqueKeysVisitor).map(UniqueKeys)
        }
    }

    struct UniqueKeysVisitor;

    impl<'de> Visitor<'de> for UniqueKeysVisitor {
        type Value = Value;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("any JSON value")
        }

        fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
            Ok(Value::Bool(v))
        }

        fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
            Ok(Value::from(v))
        }

        fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
            Ok(Value::from(v))
        }

        fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
            Ok(Value::from(v))
        }

        fn visit_str<E>(self, v: &str) -> Result<Value, E> {
            Ok(Value::String(v.to_owned()))
        }

        fn visit_string<E>(self, v: String) -> Result<Value, E> {
            Ok(Value::String(v))
        }

        fn visit_unit<E>(self) -> Result<Value, E> {
            Ok(Value::Null)
        }

        fn visit_none<E>(self) -> Result<Value, E> {
            Ok(Value::Null)
        }

        fn visit_some<D: Deserializer<'de>>(self, de: D) -> Result<Value, D::Error> {
            UniqueKeys::deserialize(de).map(|v| v.0)
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
            let mut out = Vec::new();
            while let Some(UniqueKeys(v)) = seq.next_element()? {
                out.push(v);
            }
            Ok(Value::Array(out))
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
            let mut out = Map::new();
            while let Some(key) = map.next_key::<String>()? {
                if out.contains_key(&key) {
                    return Err(de::Error::custom(format_args!("duplicate key {key:?}")));
                }
                let UniqueKeys(value) = map.next_value()?;
                out.insert(key, value);
            }
            Ok(Value::Object(out))
        }
    }
}

impl fmt::Display for OperateType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
