//! The keyboard shortcuts on the console page: one `keydown` listener (the
//! `<coc-execution>` element installs none) that acts through the page's
//! own controls, found by selector, so that a shortcut does exactly what a
//! click on the same control would and nothing the page does not offer.
//! Which key means what is [`coc_console_model::keys`]'s.
//!
//! While a modal dialog is open (an operation's confirmation) no shortcut
//! fires: a key press there belongs to the dialog.

use coc_i18n::tr;
use std::cell::Cell;
use std::rc::Rc;

use coc_console_model::keys::{Keys, Press, SHORTCUTS, Shortcut, step};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, KeyboardEvent};

use crate::dom::{B, document};

/// The overlay `?` opens.
const OVERLAY: &str = "coc-keys";

fn first(css: &str) -> Option<HtmlElement> {
    document()?.query_selector(css).ok()??.dyn_into().ok()
}

/// Focus is where keys are text, or a modal dialog has them.
fn typing(doc: &web_sys::Document) -> bool {
    if doc.query_selector("dialog[open]").ok().flatten().is_some() {
        return true;
    }
    // The console has no editable elements other than these.
    doc.active_element()
        .is_some_and(|e| matches!(e.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"))
}

/// Moves focus to the next or previous ticket link of the list.
fn move_in_list(forward: bool) {
    let Some(doc) = document() else { return };
    let Ok(rows) = doc.query_selector_all(".coc-list-job, .coc-mine-ticket") else {
        return;
    };
    let active = doc.active_element();
    let current = (0..rows.length()).find(|&i| {
        rows.item(i)
            .zip(active.as_ref())
            .is_some_and(|(r, a)| r.is_same_node(Some(a)))
    });
    let next = step(current.map(|i| i as usize), rows.length() as usize, forward);
    if let Some(el) = next
        .and_then(|i| rows.item(i as u32))
        .and_then(|n| n.dyn_into::<HtmlElement>().ok())
    {
        let _ = el.focus();
    }
}

/// The list of shortcuts, in a dialog that Esc or Close shuts: built on
/// first use, as plain DOM (as a Leptos view it cost 1 KB brotli).
fn overlay() -> Option<web_sys::HtmlDialogElement> {
    if let Some(d) = first(&format!("#{OVERLAY}")) {
        return d.dyn_into().ok();
    }
    let mut list = B::new("dl", "coc-keys-list");
    for (k, what) in SHORTCUTS {
        list = list
            .child(B::new("dt", "").child(B::new("kbd", "").text(k)))
            .leaf("dd", "", what);
    }
    let dialog = B::new("dialog", "coc-dialog coc-keys")
        .attr("id", OVERLAY)
        .attr("aria-labelledby", "coc-keys-title")
        .child(
            B::new("h2", "coc-dialog-title")
                .attr("id", "coc-keys-title")
                .text(tr!("Keyboard shortcuts")),
        )
        .child(list)
        .leaf(
            "p",
            "coc-muted",
            tr!("Off while typing in a field or in a dialog. No shortcut sends an operation."),
        )
        .child(
            B::new("form", "coc-dialog-buttons")
                .attr("method", "dialog")
                .child(
                    B::new("button", "coc-btn")
                        .attr("type", "submit")
                        .text(tr!("Close")),
                ),
        );
    // Inside the app's root, for its styles and theme.
    first(".coc-app")?.append_child(&dialog.0).ok()?;
    dialog.0.dyn_into().ok()
}

/// Listens for shortcuts for the life of the page.
pub fn install() {
    let keys = Rc::new(Cell::new(Keys::default()));
    let handle = window_event_listener(leptos::ev::keydown, move |e: KeyboardEvent| {
        let Some(doc) = document() else { return };
        let mut k = keys.get();
        let key = e.key();
        let shortcut = k.press(Press {
            key: &key,
            modified: e.ctrl_key() || e.alt_key() || e.meta_key(),
            typing: typing(&doc),
            at: js_sys::Date::now(),
        });
        keys.set(k);
        let Some(shortcut) = shortcut else { return };
        e.prevent_default();
        // Going somewhere is a click on the header's link, which the
        // router takes (an embedded console has none, and goes nowhere).
        let click = |css: &str| {
            if let Some(el) = first(css) {
                el.click();
            }
        };
        match shortcut {
            Shortcut::Help => {
                if let Some(d) = overlay() {
                    let _ = d.show_modal();
                }
            }
            Shortcut::Focus => {
                if let Some(el) = first(".coc-filter-grid input, #coc-open-id") {
                    let _ = el.focus();
                }
            }
            Shortcut::Tickets => click(".coc-nav a[data-nav=tickets]"),
            Shortcut::Settings => click(".coc-nav a[data-nav=settings]"),
            Shortcut::Next => move_in_list(true),
            Shortcut::Previous => move_in_list(false),
            Shortcut::Refresh => click("[data-shortcut=refresh]"),
            Shortcut::Pause => click("[data-shortcut=pause]"),
            Shortcut::CopyId => click(".coc-ticket-id + .coc-copy"),
        }
    });
    on_cleanup(move || handle.remove());
}
