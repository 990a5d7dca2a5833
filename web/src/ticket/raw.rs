//! The ticket as JSON: the decoded `Execution` serialised again, which keeps
//! the fields this console does not know. Rendered only while open, because
//! a ticket with 10,000 targets makes a megabyte of text.

use std::sync::Arc;

use coc_core::Execution;
use leptos::prelude::*;

use crate::widgets::{CopyButton, dynv, text};

/// A collapsible raw JSON view with a copy button.
#[component]
pub fn RawJson(#[prop(into)] ticket: Signal<Arc<Execution>>) -> impl IntoView {
    let open = RwSignal::new(false);
    // Compact from serde, indented by the browser's JSON: one serialiser
    // in the wasm instead of two.
    let json = Signal::derive(move || {
        ticket.with(|t| {
            let compact = serde_json::to_string(t.as_ref()).unwrap_or_default();
            js_sys::JSON::parse(&compact)
                .and_then(|v| {
                    js_sys::JSON::stringify_with_replacer_and_space(
                        &v,
                        &wasm_bindgen::JsValue::NULL,
                        &wasm_bindgen::JsValue::from_f64(2.0),
                    )
                })
                .ok()
                .and_then(|s| s.as_string())
                .unwrap_or(compact)
        })
    });
    view! {
        <section class="coc-card coc-raw" aria-label="Raw JSON">
            <div class="coc-raw-head">
                <h3>"Raw JSON"</h3>
                <button
                    type="button"
                    class="coc-btn coc-btn-small"
                    aria-expanded=text(move || open.get().to_string())
                    on:click=crate::widgets::click(move |_| open.update(|o| *o = !*o))
                >
                    {text(move || if open.get() { "Hide".to_owned() } else { "Show".to_owned() })}
                </button>
                <CopyButton text=json label="Copy JSON" />
            </div>
            {dynv(move || if open.get() {
                view! { <pre class="coc-json" tabindex="0" aria-label="Ticket as JSON">{json}</pre> }.into_any()
            } else {
                ().into_any()
            })}
        </section>
    }
}
