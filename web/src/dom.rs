//! Static DOM built with plain DOM calls, for the large read-only parts:
//! the steps and instances of a ticket and the rows of the ticket list.
//!
//! Why not `view!`: every distinct view template instantiates its own
//! rendering code, and the release build must stay within 320 KB brotli.
//! These parts are rebuilt whole when their data changes and need no fine
//! reactivity, so a handful of DOM calls does the same job in a fraction
//! of the wasm. Every value goes in as a text node or an attribute value,
//! never as markup: `<script>` in a step message stays text.
//!
//! Interaction is delegated: a button carries `data-act`, and the owning
//! view's one click handler reads it (see [`action`]).

use coc_core::ExecutionStatus;
use coc_i18n::tr;
use coc_i18n::view;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::Element;

use crate::fmt;
use crate::status::{icon_path, item_class, item_label, status_class, status_label};

pub(crate) fn document() -> Option<web_sys::Document> {
    web_sys::window()?.document()
}

/// An element under construction.
#[derive(Debug, Clone)]
pub struct B(pub Element);

impl B {
    /// `<tag class="…">`.
    pub fn new(tag: &str, class: &str) -> B {
        let el = document()
            .and_then(|d| d.create_element(tag).ok())
            .unwrap_or_else(|| wasm_bindgen::JsValue::NULL.unchecked_into());
        let b = B(el);
        if class.is_empty() {
            b
        } else {
            b.attr("class", class)
        }
    }

    /// An attribute.
    pub fn attr(self, name: &str, value: &str) -> B {
        let _ = self.0.set_attribute(name, value);
        self
    }

    /// A text node (never parsed as markup).
    pub fn text(self, s: &str) -> B {
        let _ = self.0.append_with_str_1(s);
        self
    }

    /// A child element.
    pub fn child(self, c: B) -> B {
        let _ = self.0.append_with_node_1(&c.0);
        self
    }

    /// `<tag class="…">text</tag>` as a child.
    pub fn leaf(self, tag: &str, class: &str, s: &str) -> B {
        self.child(B::new(tag, class).text(s))
    }

    /// A button that says what it does in `data-act`.
    pub fn button(self, act: &str, label: &str, glyph: &str, off: bool) -> B {
        let mut b = B::new("button", "coc-btn coc-btn-small")
            .attr("type", "button")
            .attr("data-act", act)
            .text(glyph);
        if !label.is_empty() {
            b = b.attr("aria-label", label);
        }
        if off {
            b = b.attr("disabled", "");
        }
        self.child(b)
    }
}

/// The status badge, as [`crate::status::StatusBadge`] draws it. `item`:
/// the status of a step or an instance (Pending reads "Waiting").
pub fn badge(status: Option<&ExecutionStatus>, item: bool) -> B {
    let (class, word) = if item {
        (item_class(status), item_label(status))
    } else {
        (status_class(status), status_label(status))
    };
    let svg = document()
        .and_then(|d| {
            d.create_element_ns(Some("http://www.w3.org/2000/svg"), "svg")
                .ok()
        })
        .map(B);
    let path = document()
        .and_then(|d| {
            d.create_element_ns(Some("http://www.w3.org/2000/svg"), "path")
                .ok()
        })
        .map(B);
    let mut b = B::new("span", &format!("coc-status coc-status-{class}")).attr(
        "data-status",
        status.map(ExecutionStatus::as_str).unwrap_or_default(),
    );
    // The wire value when the word differs from it ("Succeed").
    if let Some(s) = status.filter(|s| status_label(Some(s)) != s.as_str()) {
        b = b.attr("title", &tr!("wire value: {}", s.as_str()));
    }
    if let (Some(svg), Some(path)) = (svg, path) {
        b = b.child(
            svg.attr("class", "coc-icon")
                .attr("viewBox", "0 0 16 16")
                .attr("width", "16")
                .attr("height", "16")
                .attr("aria-hidden", "true")
                .attr("focusable", "false")
                .child(
                    path.attr("fill", "currentColor")
                        .attr("d", icon_path(class)),
                ),
        );
    }
    b.leaf("span", "coc-status-word", &word)
}

/// `<time>`: local time, UTC in the tooltip; a dash without a time.
pub fn time(ms: Option<i64>) -> B {
    match ms {
        Some(ms) => B::new("time", "")
            .attr("datetime", &fmt::iso(ms))
            .attr("title", &fmt::hover(ms))
            .text(&fmt::at(ms)),
        None => B::new("span", "coc-none").text("—"),
    }
}

/// A table with a header row; `field` becomes `data-field` (a test hook).
pub fn table(class: &str, field: &str, head: &[&str], rows: Vec<Vec<B>>) -> B {
    let mut tr = B::new("tr", "");
    for h in head {
        tr = tr.child(B::new("th", "").attr("scope", "col").text(h));
    }
    let mut body = B::new("tbody", "");
    for cells in rows {
        let mut tr = B::new("tr", "");
        for c in cells {
            // A cell of text is its own `<td>`; anything else goes in one.
            tr = tr.child(if c.0.tag_name() == "TD" {
                c
            } else {
                B::new("td", "").child(c)
            });
        }
        body = body.child(tr);
    }
    // It scrolls sideways when the table is wider than the card: a region
    // with a name, reachable by keyboard so that it can be scrolled without
    // a mouse (axe-core, scrollable-region-focusable).
    B::new("div", "coc-table-wrap")
        .attr("role", "region")
        .attr("tabindex", "0")
        .attr("aria-label", &field.replace('_', " "))
        .child(
            B::new("table", &format!("coc-table {class}"))
                .attr("data-field", field)
                .child(B::new("thead", "").child(tr))
                .child(body),
        )
}

/// A table cell of plain text.
pub fn cell(s: &str) -> B {
    B::new("td", "").text(s)
}

/// Plain text in a `<span>`.
pub fn span(s: &str) -> B {
    B::new("span", "").text(s)
}

/// "Page 2 of 7" between first/previous and next/last buttons; each button
/// acts as `{act}:{page}` (0-based).
pub fn pager(act: &str, page: usize, pages: usize, range: &str) -> B {
    let last = pages.saturating_sub(1);
    let at_end = page >= last;
    B::new("div", "coc-pager")
        .child(
            B::new("span", "coc-range")
                .attr("aria-live", "polite")
                .text(range),
        )
        .child(
            B::new("span", "coc-pager-buttons")
                .button(&format!("{act}:0"), tr!("First page"), "«", page == 0)
                .button(
                    &format!("{act}:{}", page.saturating_sub(1)),
                    tr!("Previous page"),
                    "‹",
                    page == 0,
                )
                .leaf(
                    "span",
                    "coc-page-of",
                    &tr!("Page {} of {}", page + 1, fmt::count(pages.max(1))),
                )
                .button(
                    &format!("{act}:{}", (page + 1).min(last)),
                    tr!("Next page"),
                    "›",
                    at_end,
                )
                .button(&format!("{act}:{last}"), tr!("Last page"), "»", at_end),
        )
}

/// The `data-act` of the button a click landed on, if any.
pub fn action(ev: &web_sys::MouseEvent) -> Option<String> {
    ev.target()?
        .dyn_into::<Element>()
        .ok()?
        .closest("[data-act]")
        .ok()??
        .get_attribute("data-act")
}

/// The focused element of `node`'s document or shadow root.
pub fn active_element(node: &Element) -> Option<Element> {
    let root = node.get_root_node();
    js_sys::Reflect::get(&root, &"activeElement".into())
        .ok()
        .and_then(|v| v.dyn_into::<Element>().ok())
}

/// A view whose content is rebuilt by `build` whenever what it reads
/// changes. Keyboard focus on a `data-act` button survives the rebuild.
pub fn live_dom(class: &'static str, build: impl Fn() -> B + 'static) -> AnyView {
    holder(class, Box::new(build))
}

/// [`live_dom`] with the builder's type erased: one copy of this code in
/// the wasm, whatever the builders.
fn holder(class: &'static str, build: Box<dyn Fn() -> B>) -> AnyView {
    let holder = NodeRef::<leptos::html::Div>::new();
    crate::widgets::effect(move || {
        let content = build();
        let Some(el) = holder.get() else { return };
        let focused = active_element(&el)
            .filter(|a| el.contains(Some(a)))
            .and_then(|a| a.get_attribute("data-act"));
        el.replace_children_with_node_1(&content.0);
        if let Some(act) = focused
            && let Ok(Some(again)) = el.query_selector(&format!("[data-act=\"{act}\"]"))
            && let Ok(again) = again.dyn_into::<web_sys::HtmlElement>()
        {
            let _ = again.focus();
        }
    });
    view! { <div class=class node_ref=holder></div> }.into_any()
}
