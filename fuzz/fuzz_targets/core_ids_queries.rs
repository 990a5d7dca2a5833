//! Id validation and `ListExecutions::from_query` (and the two other
//! `from_query`s): nothing panics, and what is accepted can be built.
//!
//! Input: text. As an id, all of it; as a query, `&`-separated `key=value`
//! pairs (already decoded, as `from_query` takes them).
#![no_main]

use coc_core::{
    ExecutionId, ListExecutionInstances, ListExecutionSteps, ListExecutions, Operation,
    validate_id,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if validate_id("execution_id", &text).is_ok() {
        // An accepted id builds a request and survives a decoding proxy.
        let id = ExecutionId::parse(&text).unwrap();
        assert!(!id.as_str().contains(['/', '\\', '?', '#', '%']));
        coc_core::GetExecution::new(id.as_str()).unwrap().parts().unwrap();
    }
    let pairs: Vec<(&str, &str)> = text
        .split('&')
        .map(|p| p.split_once('=').unwrap_or((p, "")))
        .collect();
    if let Ok(op) = ListExecutions::from_query(&pairs) {
        op.parts().unwrap();
    }
    if let Ok(op) = ListExecutionInstances::from_query(&pairs) {
        op.parts().unwrap();
    }
    if let Some(((_, id), rest)) = pairs.split_first()
        && let Ok(op) = ListExecutionSteps::from_query(id, rest)
    {
        op.parts().unwrap();
    }
});
