//! Every response parser of the core, from status + headers + body bytes.
//!
//! Input layout (simple, so that `cargo xtask fuzz` can write seeds from
//! the fixtures): byte 0 picks the operation (low bits, mod 6) and which
//! headers are present (bits 3 and 4), bytes 1-2 are the status (big
//! endian), the rest is the body.
#![no_main]

use coc_core::{
    ExecuteDocument, ExecuteDocumentBody, GetExecution, HttpResponse, ListExecutionInstances,
    ListExecutionSteps, ListExecutions, OperateExecution, OperateType, Operation,
};
use libfuzzer_sys::fuzz_target;

fn check<O: Operation>(op: &O, response: &HttpResponse<'_>)
where
    O::Output: std::fmt::Debug,
{
    match op.parse_response(response) {
        Ok(out) => {
            let _ = format!("{out:?}");
        }
        // What an operator reads and quotes must render whatever came in.
        Err(e) => {
            let _ = (e.to_string(), e.kind(), e.status(), e.request_id(), e.error_code());
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let [pick, hi, lo, body @ ..] = data else {
        return;
    };
    let status = u16::from_be_bytes([*hi, *lo]);
    let mut headers = Vec::new();
    if pick & 0x08 != 0 {
        headers.push(("X-Request-Id".to_owned(), "req-fuzz".to_owned()));
    }
    if pick & 0x10 != 0 {
        headers.push(("Content-Type".to_owned(), "application/json".to_owned()));
    }
    let response = HttpResponse::new(status, &headers, body);
    match pick % 6 {
        0 => check(&GetExecution::new("EX1").unwrap(), &response),
        1 => check(
            &OperateExecution::new("EX1", OperateType::Terminate).unwrap(),
            &response,
        ),
        2 => check(&ListExecutions::default(), &response),
        3 => check(&ListExecutionSteps::new("EX1").unwrap(), &response),
        4 => check(&ListExecutionInstances::new("STEP1").unwrap(), &response),
        _ => check(
            &ExecuteDocument::new("DM1", ExecuteDocumentBody::default()).unwrap(),
            &response,
        ),
    }
});
