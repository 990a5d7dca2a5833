//! The ticket as JSON: the decoded `Execution` serialised again, which keeps
//! the fields this console does not know. Rendered only while open, because
//! a ticket with 10,000 targets makes a megabyte of text.

use std::sync::Arc;

use coc_core::Execution;
use leptos::prelude::*;

use crate::widgets::CopyButton;

/// A collapsible raw JSON view with a copy button.
#[component]
pub fn RawJson(#[prop(into)] ticket: Signal<Arc<Execution>>) -> impl IntoView {
    let open = RwSignal::new(false);
    let json = Signal::derive(move || {
        ticket.with(|t| serde_json::to_string_pretty(t.as_ref()).unwrap_or_default())
    });
    view! {
        <section class="coc-card coc-raw" aria-label="Raw JSON">
            <div class="coc-raw-head">
                <h3>"Raw JSON"</h3>
                <button
                    type="button"
                    class="coc-btn coc-btn-small"
                    aria-expanded=move || open.get().to_string()
                    on:click=move |_| open.update(|o| *o = !*o)
                >
                    {move || if open.get() { "Hide" } else { "Show" }}
                </button>
                <CopyButton text=json label="Copy JSON" />
            </div>
            <Show when=move || open.get()>
                <pre class="coc-json" tabindex="0" aria-label="Ticket as JSON">{json}</pre>
            </Show>
        </section>
    }
}
