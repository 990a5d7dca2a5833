//! Desktop notifications for the watched ticket, opt-in in Settings.
//!
//! The browser's permission is asked only from Settings' Save (a user
//! gesture), never on load. Which changes notify is the model's rule
//! (`coc_console_model::status::notifies`); this module only talks to the
//! Notifications API. What it deliberately does not do: notify from the
//! `<coc-execution>` element (its host hears the same change as a DOM
//! event and decides), or queue notifications for a page that is closed.

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::{Notification, NotificationOptions, NotificationPermission};

/// True when the browser lets this page notify.
pub fn allowed() -> bool {
    supported() && Notification::permission() == NotificationPermission::Granted
}

/// False where the API is missing (an old browser, some webviews): calling
/// into it would throw.
fn supported() -> bool {
    web_sys::window()
        .is_some_and(|w| js_sys::Reflect::has(&w, &"Notification".into()).unwrap_or(false))
}

/// Asks for the permission, if the browser has not been told yet; true
/// when notifications are allowed afterwards. Call it from a user gesture.
pub async fn ask() -> bool {
    if !supported() {
        return false;
    }
    if Notification::permission() == NotificationPermission::Default
        && let Ok(p) = Notification::request_permission()
    {
        let _ = wasm_bindgen_futures::JsFuture::from(p).await;
    }
    allowed()
}

/// Shows one notification, tagged with the ticket id so that a second tab
/// on the same ticket replaces it rather than adding one; clicking it
/// brings this tab forward.
pub fn show(title: &str, body: &str, tag: &str) {
    if !allowed() {
        return;
    }
    let opts = NotificationOptions::new();
    opts.set_body(body);
    opts.set_tag(tag);
    let Ok(n) = Notification::new_with_options(title, &opts) else {
        return;
    };
    let shown = n.clone();
    let focus = Closure::<dyn Fn()>::new(move || {
        if let Some(w) = web_sys::window() {
            let _ = w.focus();
        }
        shown.close();
    });
    n.set_onclick(Some(focus.as_ref().unchecked_ref()));
    // Lives as long as the notification may be clicked; one per status
    // change, so leaking it is small and safe.
    focus.forget();
}
