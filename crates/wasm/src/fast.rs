//! The fast path for tickets (GetExecution, ListExecutions): the engine's
//! own `JSON.parse` builds the JS objects, and wasm only reads the bytes to
//! check them, building no values, and notes which documented fields need
//! the core's defaults (`null`, `[]`, `""`) filled in.
//!
//! It is a fast path, not a second decoder: anything it is not sure of (a
//! misspelt `strat_time`, a duplicate field, a missing ticket, a type the
//! core refuses, an error status) makes it step aside, and the core's own
//! decode then decides and reports. So it only ever accepts bodies the
//! core accepts, and yields what the core yields: the test at the end of
//! this file holds it to that, body by body, against `coc_core` itself.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

/// What to put where the core would have a default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fill {
    Null,
    EmptyArray,
    EmptyString,
}

/// One step of a path from `data` down to a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Seg {
    Key(&'static str),
    Index(usize),
}

/// A path from `data`: at most a page index, a list, an item and a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Path {
    segs: [Seg; 4],
    len: usize,
}

impl Path {
    const ROOT: Path = Path {
        segs: [Seg::Index(0); 4],
        len: 0,
    };

    fn then(mut self, seg: Seg) -> Path {
        // Depth is fixed by the shapes below (at most 4).
        if let Some(slot) = self.segs.get_mut(self.len) {
            *slot = seg;
            self.len += 1;
        }
        self
    }

    pub(crate) fn segs(&self) -> &[Seg] {
        &self.segs[..self.len]
    }
}

/// Set the field at `path` (its last step a key) to `fill`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Patch {
    pub(crate) path: Path,
    pub(crate) fill: Fill,
}

/// What the fast path found in a body it accepts.
#[derive(Debug, Default)]
pub(crate) struct Checked {
    /// Fields to fill in, below `data`.
    pub(crate) patches: Vec<Patch>,
    /// For a page: the indexes of `null` items, which the core drops.
    pub(crate) null_items: Vec<usize>,
    /// For a page: `total` as sent.
    pub(crate) total: Option<u64>,
    /// The JSON text to hand to `JSON.parse` (the body without a BOM).
    pub(crate) start: usize,
}

/// Why the fast path stepped aside (the core decides instead).
#[derive(Debug)]
pub(crate) struct Aside;

impl fmt::Display for Aside {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("left to the core")
    }
}

impl std::error::Error for Aside {}

impl de::Error for Aside {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Aside
    }
}

/// What `data` should be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// GetExecution: one ticket.
    Ticket,
    /// ListExecutions: an array of tickets (or nulls).
    Tickets,
}

/// Checks a 2xx body for `shape`; `Err(Aside)` leaves it to the core.
pub(crate) fn check(status: u16, body: &[u8], shape: Shape) -> Result<Checked, Aside> {
    if !(200..300).contains(&status) {
        return Err(Aside);
    }
    let start = if body.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let json = &body[start..];
    // The core refuses an empty body and a top-level array; serde would
    // read the latter as a struct's fields in order.
    if json.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(Aside);
    }
    let mut de = serde_json::Deserializer::from_slice(json);
    let mut out = Checked {
        start,
        ..Checked::default()
    };
    de.deserialize_map(EnvelopeCheck {
        shape,
        out: &mut out,
    })
    .map_err(|_| Aside)?;
    de.end().map_err(|_| Aside)?;
    Ok(out)
}

struct EnvelopeCheck<'o> {
    shape: Shape,
    out: &'o mut Checked,
}

impl<'de> Visitor<'de> for EnvelopeCheck<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an envelope")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen_data = false;
        let mut seen = [false; 4];
        while let Some(key) = map.next_key::<Key<'de>>()? {
            match key.0.as_ref() {
                "data" => {
                    if seen_data {
                        return Err(de::Error::custom("duplicate"));
                    }
                    seen_data = true;
                    match self.shape {
                        Shape::Ticket => map.next_value_seed(TicketCheck {
                            path: Path::ROOT,
                            patches: &mut self.out.patches,
                        })?,
                        Shape::Tickets => map.next_value_seed(TicketsCheck { out: self.out })?,
                    }
                }
                "total" => {
                    once(&mut seen[0])?;
                    self.out.total = map.next_value::<Option<u64>>()?;
                }
                other => {
                    let i = match other {
                        "error_code" => 1,
                        "error_msg" => 2,
                        "request_id" => 3,
                        _ => {
                            map.next_value::<Skim>()?;
                            continue;
                        }
                    };
                    once(&mut seen[i])?;
                    map.next_value::<Option<Text>>()?;
                }
            }
        }
        // No ticket (or a list without data): the core says not found,
        // an empty page, or the service's error.
        if seen_data {
            Ok(())
        } else {
            Err(de::Error::custom("no data"))
        }
    }
}

fn once<E: de::Error>(seen: &mut bool) -> Result<(), E> {
    if std::mem::replace(seen, true) {
        Err(E::custom("duplicate"))
    } else {
        Ok(())
    }
}

/// Any JSON value, read in full and dropped. Not serde's `IgnoredAny`:
/// serde_json skims an ignored value without checking its strings'
/// UTF-8, its escapes or its numbers' range, all of which the core's
/// `serde_json::Value` refuses; read this way, nothing the core refuses
/// gets through, and nothing is allocated but escaped strings' scratch.
struct Skim;

impl<'de> Deserialize<'de> for Skim {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(SkimVisitor)
    }
}

struct SkimVisitor;

impl<'de> Visitor<'de> for SkimVisitor {
    type Value = Skim;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Skim, E> {
        Ok(Skim)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Skim, E> {
        Ok(Skim)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Skim, E> {
        Ok(Skim)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Skim, E> {
        Ok(Skim)
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Skim, E> {
        Ok(Skim)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Skim, E> {
        Ok(Skim)
    }
    fn visit_none<E: de::Error>(self) -> Result<Skim, E> {
        Ok(Skim)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Skim, D::Error> {
        Skim::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Skim, A::Error> {
        while seq.next_element::<Skim>()?.is_some() {}
        Ok(Skim)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Skim, A::Error> {
        while map.next_entry::<Skim, Skim>()?.is_some() {}
        Ok(Skim)
    }
}

/// An object key, borrowed from the body when it has no escapes.
struct Key<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(s)))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(s.to_owned())))
            }
        }
        d.deserialize_str(V)
    }
}

/// Any string, read and dropped.
struct Text;

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Text;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Text, E> {
                Ok(Text)
            }
        }
        d.deserialize_str(V)
    }
}

/// An id: a string or a number (the core's `LooseId`).
struct LooseIdCheck;

impl<'de> Deserialize<'de> for LooseIdCheck {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = LooseIdCheck;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or a number")
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<LooseIdCheck, E> {
                Ok(LooseIdCheck)
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<LooseIdCheck, E> {
                Ok(LooseIdCheck)
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<LooseIdCheck, E> {
                Ok(LooseIdCheck)
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<LooseIdCheck, E> {
                Ok(LooseIdCheck)
            }
        }
        d.deserialize_any(V)
    }
}

/// The array of a list page: tickets, or nulls the core drops.
struct TicketsCheck<'o> {
    out: &'o mut Checked,
}

impl<'de> DeserializeSeed<'de> for TicketsCheck<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for TicketsCheck<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of tickets")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0;
        while let Some(present) = seq.next_element_seed(OptionSeed(TicketCheck {
            path: Path::ROOT.then(Seg::Index(i)),
            patches: &mut self.out.patches,
        }))? {
            if !present {
                self.out.null_items.push(i);
            }
            i += 1;
        }
        Ok(())
    }
}

/// `null`, or what `S` reads; says which.
struct OptionSeed<S>(S);

impl<'de, S: DeserializeSeed<'de, Value = ()>> DeserializeSeed<'de> for OptionSeed<S> {
    type Value = bool;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de, S: DeserializeSeed<'de, Value = ()>> Visitor<'de> for OptionSeed<S> {
    type Value = bool;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("null or a value")
    }
    fn visit_none<E: de::Error>(self) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_unit<E: de::Error>(self) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        self.0.deserialize(d).map(|()| true)
    }
}

/// The documented fields of a ticket, in the core's order, and what the
/// core has for each when it is missing.
const TICKET_FIELDS: [(&str, Fill); 19] = [
    ("id", Fill::Null),
    ("execution_id", Fill::Null),
    ("document_name", Fill::Null),
    ("document_id", Fill::Null),
    ("document_version_id", Fill::Null),
    ("document_version", Fill::Null),
    ("start_time", Fill::Null),
    ("end_time", Fill::Null),
    ("update_time", Fill::Null),
    ("creator", Fill::Null),
    ("status", Fill::Null),
    ("description", Fill::Null),
    ("parameters", Fill::EmptyArray),
    ("tags", Fill::EmptyArray),
    ("sys_tags", Fill::EmptyArray),
    ("target_parameter_name", Fill::Null),
    ("targets", Fill::EmptyArray),
    ("type", Fill::Null),
    // The misspelling the core folds into start_time: left to the core.
    ("strat_time", Fill::Null),
];

struct TicketCheck<'p> {
    path: Path,
    patches: &'p mut Vec<Patch>,
}

impl TicketCheck<'_> {
    fn patch(&mut self, key: &'static str, fill: Fill) {
        self.patches.push(Patch {
            path: self.path.then(Seg::Key(key)),
            fill,
        });
    }
}

impl<'de> DeserializeSeed<'de> for TicketCheck<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for TicketCheck<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a ticket object")
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        let mut seen = [false; TICKET_FIELDS.len()];
        while let Some(key) = map.next_key::<Key<'de>>()? {
            let Some(i) = TICKET_FIELDS.iter().position(|(k, _)| *k == key.0) else {
                map.next_value::<Skim>()?;
                continue;
            };
            once(&mut seen[i])?;
            let name = TICKET_FIELDS[i].0;
            match name {
                "strat_time" => return Err(de::Error::custom("strat_time")),
                "id" => {
                    map.next_value::<Option<LooseIdCheck>>()?;
                }
                "start_time" | "end_time" | "update_time" => {
                    map.next_value::<Option<i64>>()?;
                }
                "parameters" | "tags" | "sys_tags" | "targets" => {
                    let list = ListCheck {
                        path: self.path.then(Seg::Key(name)),
                        targets: name == "targets",
                        patches: self.patches,
                    };
                    if !map.next_value_seed(OptionSeed(list))? {
                        self.patch(name, Fill::EmptyArray);
                    }
                }
                _ => {
                    map.next_value::<Option<Text>>()?;
                }
            }
        }
        for (i, (name, fill)) in TICKET_FIELDS.iter().enumerate() {
            if !seen[i] && *name != "strat_time" {
                self.patch(name, *fill);
            }
        }
        Ok(())
    }
}

/// An array of key-value pairs, or of targets.
struct ListCheck<'p> {
    path: Path,
    targets: bool,
    patches: &'p mut Vec<Patch>,
}

impl<'de> DeserializeSeed<'de> for ListCheck<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for ListCheck<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0;
        loop {
            let item = PairCheck {
                path: self.path.then(Seg::Index(i)),
                targets: self.targets,
                patches: self.patches,
            };
            if seq.next_element_seed(item)?.is_none() {
                return Ok(());
            }
            i += 1;
        }
    }
}

/// `{ key, value, … }` (a key-value pair) or `{ key, values, … }` (a target).
struct PairCheck<'p> {
    path: Path,
    targets: bool,
    patches: &'p mut Vec<Patch>,
}

impl<'de> DeserializeSeed<'de> for PairCheck<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for PairCheck<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let second = if self.targets { "values" } else { "value" };
        let (mut key, mut value) = (None::<bool>, None::<bool>);
        while let Some(k) = map.next_key::<Key<'de>>()? {
            if k.0 == "key" {
                if key.is_some() {
                    return Err(de::Error::custom("duplicate"));
                }
                key = Some(map.next_value::<Option<Text>>()?.is_some());
            } else if k.0 == second {
                if value.is_some() {
                    return Err(de::Error::custom("duplicate"));
                }
                value = Some(if self.targets {
                    map.next_value_seed(OptionSeed(AnyArray))?
                } else {
                    map.next_value::<Option<Text>>()?;
                    true
                });
            } else {
                map.next_value::<Skim>()?;
            }
        }
        let path = self.path;
        let mut patch = |field: &'static str, fill: Fill| {
            self.patches.push(Patch {
                path: path.then(Seg::Key(field)),
                fill,
            });
        };
        if self.targets {
            // A target's kind is required by the core; a null one is refused.
            if key != Some(true) {
                return Err(de::Error::custom("target key"));
            }
            if value != Some(true) {
                patch("values", Fill::EmptyArray);
            }
        } else {
            if key != Some(true) {
                patch("key", Fill::EmptyString);
            }
            if value.is_none() {
                patch("value", Fill::Null);
            }
        }
        Ok(())
    }
}

/// Any JSON array (a target's values), read and dropped.
struct AnyArray;

impl<'de> DeserializeSeed<'de> for AnyArray {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for AnyArray {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element::<Skim>()?.is_some() {}
        Ok(())
    }
}

/// The fills applied to a `serde_json` value, as the JS side applies them
/// to what `JSON.parse` built (used by the tests, and the reference for
/// `decode.rs`).
#[cfg(test)]
pub(crate) fn apply(value: &mut serde_json::Value, patches: &[Patch]) {
    use serde_json::Value;
    for p in patches {
        let Some((Seg::Key(last), parents)) = p.path.segs().split_last() else {
            continue;
        };
        let mut at = &mut *value;
        for seg in parents {
            at = match (seg, at) {
                (Seg::Key(k), Value::Object(m)) => m.entry(*k).or_insert(Value::Null),
                (Seg::Index(i), Value::Array(a)) => &mut a[*i],
                _ => panic!("patch path does not fit"),
            };
        }
        if let Value::Object(m) = at {
            m.insert(
                (*last).to_owned(),
                match p.fill {
                    Fill::Null => Value::Null,
                    Fill::EmptyArray => Value::Array(Vec::new()),
                    Fill::EmptyString => Value::String(String::new()),
                },
            );
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use coc_core::{GetExecution, HttpResponse, ListExecutions, Operation};
    use serde_json::{Value, json};

    use super::*;

    fn core_ticket(body: &[u8]) -> Option<Value> {
        let op = GetExecution::new("EX1").unwrap();
        op.parse_response(&HttpResponse::new(200, &[], body))
            .ok()
            .map(|t| serde_json::to_value(t).unwrap())
    }

    fn core_page(body: &[u8]) -> Option<Value> {
        ListExecutions::default()
            .parse_response(&HttpResponse::new(200, &[], body))
            .ok()
            .map(|p| serde_json::to_value(p).unwrap())
    }

    /// What the JS side builds: `JSON.parse` of the body, the fills, then
    /// (for a page) nulls dropped and the total defaulted.
    fn fast(body: &[u8], shape: Shape) -> Option<Value> {
        let c = check(200, body, shape).ok()?;
        let mut root: Value = serde_json::from_slice(&body[c.start..]).unwrap();
        let mut data = root["data"].take();
        apply(&mut data, &c.patches);
        Some(match shape {
            Shape::Ticket => data,
            Shape::Tickets => {
                let items: Vec<Value> = data
                    .as_array()
                    .unwrap()
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| !c.null_items.contains(i))
                    .map(|(_, v)| v.clone())
                    .collect();
                let total = c.total.unwrap_or(items.len() as u64);
                json!({ "items": items, "total": total })
            }
        })
    }

    fn tickets() -> Vec<Value> {
        vec![
            json!({}),
            json!({"execution_id": "EX1", "status": "Running", "type": "BATCH", "start_time": 1, "end_time": null}),
            json!({"id": "7", "parameters": null, "tags": [], "sys_tags": [{"key": null, "value": "v"}], "targets": null}),
            json!({"id": 12345678901234567890_u64, "parameters": [{"key": "k"}, {"value": null, "x": [1, 2.5e300]}, {"key": "a", "value": "b", "sensitive": true}]}),
            json!({"targets": [{"key": "InstanceValues", "values": [{"id": "i-1"}, 3, null]}, {"key": "BatchValues", "region": "x"}, {"key": "Other", "values": null}]}),
            json!({"rollback_enabled": false, "nested": {"a": {"b": [null]}}, "status": "SomethingNew", "description": "\u{e9}\\n\"q\""}),
            // Refused by the core, so the fast path must step aside too.
            json!({"start_time": "yesterday"}),
            json!({"start_time": 1.5}),
            json!({"id": true}),
            json!({"id": null, "status": 3}),
            json!({"parameters": "x"}),
            json!({"parameters": [null]}),
            json!({"parameters": [{"key": 1}]}),
            json!({"parameters": [{"value": 1}]}),
            json!({"targets": [{"values": []}]}),
            json!({"targets": [{"key": null}]}),
            json!({"targets": [{"key": "InstanceValues", "values": {}}]}),
            json!({"strat_time": 5}),
            json!({"strat_time": 5, "start_time": 6}),
            json!({"strat_time": "x"}),
            json!({"start_time": 9_223_372_036_854_775_807_i64}),
            json!({"end_time": 18_446_744_073_709_551_615_u64}),
            json!([1]),
            json!("EX1"),
            json!(null),
        ]
    }

    fn bodies() -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        for t in tickets() {
            out.push(serde_json::to_vec(&json!({ "data": t })).unwrap());
        }
        for raw in [
            &b""[..],
            b"  ",
            b"[]",
            b"{}",
            b"{\"data\": null}",
            b"{\"data\": {}, \"data\": {}}",
            b"{\"data\": {\"status\": \"Running\", \"status\": \"Failed\"}}",
            b"{\"data\": {\"x\": 1, \"x\": 2}}",
            b"{\"data\": {}} trailing",
            b"{\"data\": {}",
            b"\xEF\xBB\xBF{\"data\": {\"execution_id\": \"EX1\"}}",
            b"{\"data\": {\"description\": \"\\ud800\"}}",
            b"{\"data\": {\"description\": \"\xff\"}}",
            b"{\"data\": {}, \"total\": -1}",
            b"{\"data\": {}, \"error_code\": 5}",
            b"{\"data\": {}, \"error_code\": \"COC.1\", \"error_msg\": \"x\"}",
            b"{\"data\": {\"__proto__\": {\"a\": 1}, \"constructor\": 2}}",
            // What serde's IgnoredAny would let through in an unknown field.
            b"{\"data\": {\"x\": \"\xff\"}}",
            b"{\"data\": {\"x\": \"\\ud800\"}}",
            b"{\"data\": {\"x\": \"\\ud83d\\ude00\"}}",
            b"{\"data\": {\"x\": [1e400]}}",
            b"{\"data\": {\"x\": -0, \"y\": [-0.0, -0e1, \"a-0\"]}}",
            b"{\"data\": {\"start_time\": -0}}",
            b"{\"data\": {\"id\": -0}}",
            b"{\"data\": {\"start_time\": 0, \"x\": \"a, -0\"}}",
            b"{\"data\": {\"end_time\": 0, \"id\": 0}}",
            b"{\"data\": {\"targets\": [{\"key\": \"InstanceValues\", \"values\": [\"\xc3\"]}]}}",
        ] {
            out.push(raw.to_vec());
        }
        out
    }

    #[test]
    fn a_ticket_the_fast_path_accepts_is_the_ticket_the_core_decodes() {
        let mut accepted = 0;
        for body in bodies() {
            let core = core_ticket(&body);
            if let Some(fast) = fast(&body, Shape::Ticket) {
                accepted += 1;
                assert_eq!(Some(fast), core, "{}", String::from_utf8_lossy(&body));
            }
        }
        assert!(accepted >= 8, "the fast path took only {accepted} bodies");
    }

    #[test]
    fn a_page_the_fast_path_accepts_is_the_page_the_core_decodes() {
        let mut pages: Vec<Vec<u8>> = vec![
            b"{\"data\": []}".to_vec(),
            b"{\"data\": null}".to_vec(),
            b"{\"total\": 3}".to_vec(),
            b"{\"data\": {}}".to_vec(),
            b"{\"data\": [null, {}, null], \"total\": 40}".to_vec(),
        ];
        let all = tickets();
        for t in &all {
            pages.push(
                serde_json::to_vec(&json!({ "data": [t, null, {"execution_id": "EX2"}] })).unwrap(),
            );
        }
        pages.push(serde_json::to_vec(&json!({ "data": all[..6], "total": 99 })).unwrap());
        let mut accepted = 0;
        for body in pages {
            let core = core_page(&body);
            if let Some(fast) = fast(&body, Shape::Tickets) {
                accepted += 1;
                assert_eq!(Some(fast), core, "{}", String::from_utf8_lossy(&body));
            }
        }
        assert!(accepted >= 6, "the fast path took only {accepted} pages");
    }

    #[test]
    fn error_statuses_and_odd_bodies_are_left_to_the_core() {
        assert!(check(404, b"{\"data\": {}}", Shape::Ticket).is_err());
        assert!(check(200, b"{\"data\": {\"strat_time\": 1}}", Shape::Ticket).is_err());
        assert!(check(200, b"{\"data\": null}", Shape::Ticket).is_err());
        assert!(check(200, b"{\"data\": {}}", Shape::Ticket).is_ok());
    }
}
