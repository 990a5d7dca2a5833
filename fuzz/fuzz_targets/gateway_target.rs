//! The gateway's request guard and route parser on raw request targets.
//!
//! Input: `METHOD TARGET`, as on a request line.
#![no_main]

use libfuzzer_sys::fuzz_target;
use percent_encoding::percent_decode_str;

fuzz_target!(|data: &[u8]| {
    let (method, target) = match data.iter().position(|b| *b == b' ') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (&b"GET"[..], data),
    };
    if let Some(Ok(label)) = coc_gateway::fuzz_request_target(method, target) {
        // What passed the guard has no dot segment and no encoded
        // separator, however a later layer decodes it.
        let target = String::from_utf8_lossy(target).to_ascii_lowercase();
        let path = target.split(['?', '#']).next().unwrap_or_default();
        assert!(!path.contains("%2f") && !path.contains("%5c") && !path.contains('\\'));
        for segment in path.split('/') {
            let decoded = percent_decode_str(segment).decode_utf8_lossy();
            assert!(decoded != "." && decoded != "..", "{label:?} passed with {path:?}");
        }
    }
});
