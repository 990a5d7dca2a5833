//! The ticket as JSON: the decoded `Execution` serialised again, which keeps
//! the fields this console does not know. Rendered only while open, because
//! a ticket with 10,000 targets makes a megabyte of text. "Download JSON"
//! saves it with its steps and instances ([`Export`]).

use coc_i18n::tr;
use std::sync::Arc;

use coc_console_model::export::Export;
use coc_core::Execution;
use coc_i18n::view;
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

use super::timeline::Timeline;
use crate::widgets::{CopyButton, click, dynv, text};

/// `compact` indented by the browser's JSON: one serialiser in the wasm
/// (serde's compact one) instead of two.
fn indented(compact: String) -> String {
    js_sys::JSON::parse(&compact)
        .and_then(|v| {
            js_sys::JSON::stringify_with_replacer_and_space(
                &v,
                &JsValue::NULL,
                &JsValue::from_f64(2.0),
            )
        })
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or(compact)
}

/// Saves `text` as the file `name` through a `blob:` URL and an
/// `<a download>`: nothing leaves the browser.
fn save(name: &str, text: &str) -> Result<(), JsValue> {
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/json");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(
        &js_sys::Array::of1(&JsValue::from_str(text)),
        &options,
    )?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let a: web_sys::HtmlAnchorElement = crate::dom::document()
        .ok_or_else(|| JsValue::from_str("no document"))?
        .create_element("a")?
        .unchecked_into();
    a.set_href(&url);
    a.set_download(name);
    a.click();
    // The download has its own reference to the blob by now; the URL is
    // released on the next turn, not at once, for browsers that start the
    // download after the click returns.
    set_timeout(
        move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        },
        std::time::Duration::from_millis(1000),
    );
    Ok(())
}

/// A collapsible raw JSON view with copy and download buttons.
#[component]
pub fn RawJson(#[prop(into)] ticket: Signal<Arc<Execution>>, timeline: Timeline) -> impl IntoView {
    let open = RwSignal::new(false);
    let json = Signal::derive(move || {
        ticket.with(|t| indented(serde_json::to_string(t.as_ref()).unwrap_or_default()))
    });
    // None: idle; Some(false): the browser refused (shown, never silent).
    let saved = RwSignal::new(None::<bool>);
    let download = move |_| {
        let result = ticket.with_untracked(|t| {
            timeline.inside.with_untracked(|inside| {
                let export = Export::new(t, inside.as_deref(), js_sys::Date::now() as i64);
                let text = serde_json::to_string(&export)
                    .map_err(|e| JsValue::from_str(&e.to_string()))?;
                save(&export.file_name(), &indented(text))
            })
        });
        saved.set(Some(result.is_ok()));
    };
    view! {
        <section class="coc-card coc-raw" aria-label="Raw JSON">
            <div class="coc-raw-head">
                <h3>"Raw JSON"</h3>
                <button
                    type="button"
                    class="coc-btn coc-btn-small"
                    aria-expanded=text(move || open.get().to_string())
                    on:click=click(move |_| open.update(|o| *o = !*o))
                >
                    {text(move || if open.get() { tr!("Hide").to_owned() } else { tr!("Show").to_owned() })}
                </button>
                <CopyButton text=json label="Copy JSON" />
                <button type="button" class="coc-btn coc-btn-small" data-role="download-json" on:click=click(download)>
                    "Download JSON"
                </button>
                <span class="coc-sr-only" role="status">
                    {text(move || match saved.get() {
                        Some(false) => tr!("Could not save the file: use Copy JSON instead.").to_owned(),
                        _ => String::new(),
                    })}
                </span>
            </div>
            {dynv(move || if open.get() {
                view! { <pre class="coc-json" tabindex="0" aria-label="Ticket as JSON">{json}</pre> }.into_any()
            } else {
                ().into_any()
            })}
        </section>
    }
}
