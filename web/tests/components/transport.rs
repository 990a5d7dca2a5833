//! The browser transport's handling of the page's inline prefetch (the GET
//! `index.html` starts while the wasm loads): its rejections are told the
//! way a failed gloo-net request is.

use super::*;

use coc_console::api::{GET_TIMEOUT_SECS, fetch_transport};
use wasm_bindgen::JsValue;

/// Leaves a prefetch for `url` whose promise rejects with `rejection` (a JS
/// expression), as `index.html` would after a failed fetch.
fn rejected_prefetch(url: &str, rejection: &str) {
    let script =
        format!("window.cocPrefetch = {{ url: {url:?}, response: Promise.reject({rejection}) }};");
    js_sys::Function::new_no_args(&script)
        .call0(&JsValue::NULL)
        .unwrap();
}

async fn get(url: &str) -> Result<RawResponse, TransportError> {
    let request = HttpRequest {
        method: Method::Get,
        url: url.to_owned(),
        headers: Vec::new(),
        body: Vec::new(),
    };
    fetch_transport()(request).await
}

#[wasm_bindgen_test]
async fn a_rejected_prefetch_is_a_network_error_or_a_timeout() {
    // 127.0.0.1:9 (discard) is never asked: the prefetch answers first, so
    // these errors can only come from classifying its rejection.
    let url = "http://127.0.0.1:9/v1/executions/EXPREFETCH";
    let cases = [
        (
            "new TypeError('Failed to fetch')",
            TransportError::Network("TypeError: Failed to fetch".into()),
        ),
        (
            "new DOMException('signal is aborted without reason', 'AbortError')",
            TransportError::Timeout {
                secs: GET_TIMEOUT_SECS,
            },
        ),
        // Not an Error at all: said as it is, never a panic.
        (
            "'the page was unloaded'",
            TransportError::Network("the page was unloaded".into()),
        ),
    ];
    for (rejection, want) in cases {
        rejected_prefetch(url, rejection);
        let got = get(url).await.map(|r| r.status);
        assert_eq!(got, Err(want), "{rejection}");
        // Taken once: the page's global is gone after the first use.
        let left =
            js_sys::Reflect::get(&web_sys::window().unwrap(), &"cocPrefetch".into()).unwrap();
        assert!(left.is_undefined(), "{rejection}");
    }
}
