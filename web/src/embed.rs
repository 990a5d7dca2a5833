//! The console in a portal's frame (`?embed=1`) tells its parent how tall
//! it is, so that portals need not hard-code a height.
//!
//! Message, posted to `window.parent` whenever the content's height
//! changes: `{ "type": "coc-console:height", "height": <CSS pixels> }`.
//! It carries nothing else (no ticket id, no data), so it is posted to any
//! origin: which pages may frame the console at all is the gateway's
//! `frame-ancestors` policy.

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

/// The message type portals listen for.
pub const HEIGHT_MESSAGE: &str = "coc-console:height";

/// Observes the document's height for the life of the page and posts it
/// to the parent frame whenever it changes.
pub fn post_height() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let Some(body) = window.document().and_then(|d| d.document_element()) else {
        return;
    };
    let last = std::cell::Cell::new(0u32);
    let on_resize = Closure::<dyn Fn()>::new(move || {
        let Some(w) = web_sys::window() else { return };
        let Some(root) = w.document().and_then(|d| d.body()) else {
            return;
        };
        let height = root.scroll_height().max(0) as u32;
        if height == last.get() {
            return;
        }
        last.set(height);
        let parent = match w.parent() {
            Ok(Some(p)) if p != w => p,
            _ => return,
        };
        let msg = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&msg, &"type".into(), &HEIGHT_MESSAGE.into());
        let _ = js_sys::Reflect::set(&msg, &"height".into(), &height.into());
        let _ = parent.post_message(&msg, "*");
    });
    if let Ok(observer) = web_sys::ResizeObserver::new(on_resize.as_ref().unchecked_ref()) {
        observer.observe(&body);
    }
    // The observer lives as long as the page, and so must its callback.
    on_resize.forget();
}
