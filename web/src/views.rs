//! Saved views of the ticket list: filters kept under a name in this
//! browser (`localStorage`, at most 50), each a link that opens it and can
//! be shared as it is.
//!
//! The rules (names, the limit, replacing) are `coc_console_model::record::
//! SavedViews`; this is the menu. Plain DOM like the filter form (see
//! [`crate::dom`]), built into the list's filter area. What it
//! deliberately does not do: sync views between browsers or keep a page
//! position (a view opens on its first page).

use coc_console_model::list::{Carry, list_href, parse_query};
use coc_console_model::record::{Read, SavedViews};
use coc_i18n::tr;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::dom::B;
use crate::storage::{self, Area};

const VIEWS_KEY: &str = "coc.views";

/// The link a view of the query `search` keeps: its filters and page size,
/// from the first page, without the page's own flags.
fn view_href(search: &str) -> Option<String> {
    let mut op = parse_query(search).ok()?;
    op.offset = None;
    Some(list_href(&op, Carry::default()))
}

/// The saved views menu and the form that saves the current filters. It
/// is built into the list's filter area and its forms are submitted through
/// the list's handler ([`Menu::submitted`]): no handler or view of its own.
#[derive(Debug, Clone, Copy)]
pub struct Menu {
    /// Bumped on every change of the stored views: the menu reads them from
    /// storage, so no signal holds a copy.
    changed: RwSignal<u64>,
    /// A delete rebuilds the menu; it stays open for the next one.
    open: RwSignal<bool>,
}

impl Menu {
    /// A menu with nothing open.
    pub fn new() -> Menu {
        Menu {
            changed: RwSignal::new(0),
            open: RwSignal::new(false),
        }
    }

    /// The menu, for a list whose URL query is `search`.
    pub fn build(&self, search: &str, carry: Carry<'_>) -> B {
        self.changed.track();
        let views = stored();
        let here = view_href(search);
        let mut details = B::new("details", "coc-views-menu");
        if self.open.get_untracked() {
            details = details.attr("open", "");
        }
        self.open.update_untracked(|o| *o = false);
        details = details.child(
            B::new("summary", "coc-btn coc-btn-small")
                .text(&tr!("Saved views ({})", views.0.len())),
        );
        if views.0.is_empty() {
            details = details.leaf(
                "p",
                "coc-muted",
                tr!("No saved views yet: set the filters, name them and save."),
            );
        }
        let mut list = B::new("ul", "coc-views-list");
        for saved in &views.0 {
            let mut link = B::new("a", "").attr("href", &carry.href(&saved.href));
            if here.as_deref() == Some(saved.href.as_str()) {
                link = link.attr("aria-current", "page");
            }
            list = list.child(
                B::new("li", "").child(link.text(&saved.name)).child(
                    B::new("form", "coc-view-forget")
                        .attr("data-name", &saved.name)
                        .child(
                            B::new("button", "coc-btn coc-btn-small")
                                .attr("aria-label", &tr!("Delete the view {}", saved.name))
                                .text("×"),
                        ),
                ),
            );
        }
        let name = tr!("Name for these filters");
        B::new("section", "coc-card coc-views")
            .child(details.child(list))
            .child(
                B::new("form", "coc-views-save")
                    .attr("novalidate", "")
                    .child(
                        B::new("input", "coc-input")
                            .attr("name", "view-name")
                            .attr("placeholder", name)
                            .attr("aria-label", name),
                    )
                    .child(B::new("button", "coc-btn coc-btn-small").text(tr!("Save view")))
                    .child(B::new("p", "coc-field-error").attr("role", "alert")),
            )
    }

    /// Saves the filters of `search` or deletes a view, if `form` is one
    /// of the menu's; false when it is another form.
    pub fn submitted(&self, form: &web_sys::Element, search: &str) -> bool {
        let mut views = stored();
        if let Some(name) = form.get_attribute("data-name") {
            views.remove(&name);
            self.open.update_untracked(|o| *o = true);
        } else if form.class_list().contains("coc-views-save") {
            let name = form
                .query_selector("[name=view-name]")
                .ok()
                .flatten()
                .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok())
                .map(|i| i.value())
                .unwrap_or_default();
            let Some(href) = view_href(search) else {
                return true;
            };
            if let Err(why) = views.save(&name, &href) {
                if let Ok(Some(p)) = form.query_selector("p") {
                    p.set_text_content(Some(&why.to_string()));
                }
                return true;
            }
        } else {
            return false;
        }
        storage::set(Area::Local, VIEWS_KEY, &views.encode());
        self.changed.update(|n| *n += 1);
        true
    }
}

/// The views in this browser; a corrupt record is dropped as
/// `storage::read` drops one.
fn stored() -> SavedViews {
    match SavedViews::decode(storage::get(Area::Local, VIEWS_KEY).as_deref()) {
        Read::Current(views) | Read::Migrated(views) => views,
        Read::Missing => SavedViews::default(),
        Read::Corrupt(why) => {
            storage::drop_corrupt(Area::Local, VIEWS_KEY, &why);
            SavedViews::default()
        }
    }
}
