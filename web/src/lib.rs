//! The COC ops console: open a ticket, see everything about it, operate it
//! safely. A Leptos CSR app built by Trunk and served by the gateway.
//!
//! The data path is route → model → resource → view:
//!
//! - [`route`]: leptos_router's routes (`/`, `/executions`,
//!   `/executions/:id`, `/settings`); a ticket id becomes a validated
//!   `ExecutionId` at the route and travels typed from there.
//! - models: each view's state is a plain-Rust model with a reducer, from
//!   `coc_console_model` (tested natively); components only lay it out and
//!   bind events to it.
//! - [`live`]: the one way data is fetched and kept fresh (a
//!   `LocalResource` per view, one poller); operations are Leptos actions.
//! - [`api`]: moves bytes with gloo-net; requests and responses are the
//!   core's business (`Endpoint::prepare_parts`, `Operation::parse_response`).
//!
//! [`ticket::TicketView`] is self-contained (no router, no globals), so the
//! `<coc-execution>` element mounts the same component in a shadow root.
//!
//! What it deliberately does not do: parse COC JSON by hand, retry an
//! operation, hold an AK/SK (the gateway signs), or render any field as HTML.

use coc_i18n::tr;

pub mod api;
pub mod bulk;
pub mod dom;
pub mod element;
pub mod embed;
pub mod errors;
pub mod fmt;
mod keys;
pub mod list;
pub mod live;
mod notify;
pub mod operator;
mod pages;
pub mod route;
pub mod settings;
pub mod status;
pub mod storage;
pub mod ticket;
mod views;
pub mod widgets;

use coc_i18n::view;
use leptos::prelude::*;

pub use list::{ListPage, ListView, MineView};
pub use pages::{OpenPage, SettingsPage, TicketPage};

use crate::settings::Settings;
use crate::storage::Area;

/// The user's colour theme choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Theme {
    /// Follow the system.
    System,
    /// Always light.
    Light,
    /// Always dark.
    Dark,
}

const THEME_KEY: &str = "coc.theme";

impl Theme {
    fn load() -> Self {
        match storage::get(Area::Local, THEME_KEY).as_deref() {
            Some("light") => Theme::Light,
            Some("dark") => Theme::Dark,
            _ => Theme::System,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Theme::System => "system",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    fn next(self) -> Self {
        match self {
            Theme::System => Theme::Light,
            Theme::Light => Theme::Dark,
            Theme::Dark => Theme::System,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Theme::System => tr!("Theme: system"),
            Theme::Light => tr!("Theme: light"),
            Theme::Dark => tr!("Theme: dark"),
        }
    }
}

/// The console.
#[component]
pub fn App() -> impl IntoView {
    use leptos_router::components::{Route, Router, Routes};
    use leptos_router::path;

    let settings = RwSignal::new(Settings::load());
    provide_context(settings);
    // Who the gateway says the user is: asked once per client (gateway URL
    // or tokens), shared by the header, the ticket page and the list.
    let client = pages::client_memo(settings);
    let me = operator::fetch_me(Signal::derive(move || {
        client.with(|c| c.as_ref().ok().cloned())
    }));
    provide_context(operator::Operator(me));
    provide_context(bulk::Bulk::load(me));
    let embed = route::Embed::from_page();
    provide_context(embed);
    if embed.0 {
        embed::post_height();
    }
    let zone_warning = set_page_zone(&settings.with_untracked(|s| s.time_zone.clone()));
    let lang_warning = lang_warning();
    view! {
        <Router>
            <Shell embed=embed.0 zone_warning lang_warning>
                <Routes fallback=|| view! { <NoSuchPage /> }>
                    <Route path=path!("/") view=OpenPage />
                    <Route path=path!("/executions") view=ListPage />
                    <Route path=path!("/executions/:id") view=TicketPage />
                    <Route path=path!("/settings") view=SettingsPage />
                </Routes>
            </Shell>
        </Router>
    }
}

/// The chrome around the pages; embedded in a portal's frame there is none.
/// Shows times in the link's `?tz=`, else the saved zone; returns what to
/// warn about when the link's zone cannot be used. A saved zone is written
/// into the page's URL, so that the address bar, like every link, shows
/// the reader of a shared link the same times.
fn set_page_zone(saved: &str) -> Option<String> {
    use coc_console_model::zone::{Zone, link_param};
    let location = web_sys::window()?.location();
    let search = location.search().unwrap_or_default();
    let link = link_param(&search);
    let (zone, bad) = Zone::choose(link.as_deref(), saved);
    let name = zone.param().unwrap_or_default().to_owned();
    if !fmt::set_zone(zone) {
        return Some(tr!(
            "This browser does not know the time zone \"{name}\": times are in {}.",
            fmt::zone_label()
        ));
    }
    if link.is_none() && fmt::zone_param().is_some() {
        let here = format!("{}{search}", location.pathname().unwrap_or_default());
        let carry = coc_console_model::list::Carry {
            embed: false,
            tz: fmt::zone_param(),
        };
        if let Ok(history) = web_sys::window()?.history() {
            let url = format!(
                "{}{}",
                carry.href(&here),
                location.hash().unwrap_or_default()
            );
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
        }
    }
    bad.map(|e| {
        tr!(
            "The link's time zone is unusable ({e}): times are in {}.",
            fmt::zone_label()
        )
    })
}

/// What index.html's loader could not use: a link's language the console
/// does not have (`cocBuild.bad`). The loader chose the build by its rules
/// (a link's `?lang=`, the saved setting, the browser's) and marked
/// `<html lang>` with it; a page without its choice is English, as
/// index.html's own `lang` says.
fn lang_warning() -> Option<String> {
    let build = js_sys::Reflect::get(&js_sys::global(), &"cocBuild".into()).ok()?;
    let bad = js_sys::Reflect::get(&build, &"bad".into())
        .ok()?
        .as_string()?;
    Some(tr!(
        "The link's language \"{bad}\" is not one this console has (en, zh-CN)."
    ))
}

#[component]
fn Shell(
    embed: bool,
    zone_warning: Option<String>,
    lang_warning: Option<String>,
    children: Children,
) -> impl IntoView {
    let location = leptos_router::hooks::use_location();
    let current = move |path: &'static str| {
        move || {
            if location.pathname.with(|p| p == path) {
                "page"
            } else {
                "false"
            }
        }
    };
    // Only a ticket page replaces the early job name with its own.
    Effect::new(move |_| {
        if !location.pathname.with(|p| p.starts_with("/executions/")) {
            drop_early_header();
        }
    });
    keys::install();
    let me = expect_context::<operator::Operator>().0;
    let theme = RwSignal::new(Theme::load());
    let toggle = move |_| {
        let t = theme.get_untracked().next();
        theme.set(t);
        match t {
            Theme::System => storage::remove(Area::Local, THEME_KEY),
            _ => storage::set(Area::Local, THEME_KEY, t.as_str()),
        }
    };
    let class = move || {
        let embed = if embed { " coc-embed" } else { "" };
        format!("coc coc-app coc-theme-{}{embed}", theme.get().as_str())
    };
    view! {
        <div class=class>
            <Show when=move || !embed>
                <a class="coc-skip" href="#coc-main">"Skip to content"</a>
                <header class="coc-header">
                    <a class="coc-brand" href=route::href("/")>
                        <span class="coc-brand-mark" aria-hidden="true">"◆"</span>
                        " COC console"
                    </a>
                    <nav class="coc-nav" aria-label="Main">
                        <a href=route::href("/executions") data-nav="tickets" aria-current=current("/executions")>"Tickets"</a>
                        <a href=route::href("/") aria-current=current("/")>"Open ticket"</a>
                        <a href=route::href("/settings") data-nav="settings" aria-current=current("/settings")>"Settings"</a>
                    </nav>
                    <operator::OperatorLine me />
                    <button
                        type="button"
                        class="coc-btn coc-btn-small coc-theme-toggle"
                        data-theme=move || theme.get().as_str()
                        on:click=toggle
                    >
                        {move || theme.get().label()}
                    </button>
                </header>
            </Show>
            {zone_warning.map(|w| view! {
                <p class="coc-banner coc-banner-warning" role="status" data-role="zone-warning">{w}</p>
            })}
            {lang_warning.map(|w| view! {
                <p class="coc-banner coc-banner-warning" role="status" data-role="lang-warning">{w}</p>
            })}
            <main class="coc-page" id="coc-main" tabindex="-1">{children()}</main>
        </div>
    }
}

#[component]
fn NoSuchPage() -> impl IntoView {
    view! {
        <section class="coc-card coc-narrow">
            <h1>"No such page"</h1>
            <p>"Tickets live at " <code>"/executions/{id}"</code> ". " <a href="/">"Open a ticket"</a> "."</p>
        </section>
    }
}

/// Sets the tab's icon: a ticket status's (`Some`, a URL), or the page's
/// own again (`None`), which the link element keeps in `data-own`.
pub fn set_icon(href: Option<&str>) {
    let Some(link) =
        dom::document().and_then(|d| d.query_selector("link[rel~=icon]").ok().flatten())
    else {
        return;
    };
    let own = link
        .get_attribute("data-own")
        .or_else(|| link.get_attribute("href"));
    if let Some(own) = &own {
        let _ = link.set_attribute("data-own", own);
    }
    if let Some(h) = href.or(own.as_deref()) {
        let _ = link.set_attribute("href", h);
    }
}

/// Sets the tab title (the page's business, not the ticket view's).
pub fn set_title(title: &str) {
    if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
        doc.set_title(title);
    }
}

/// Hides the job name `index.html` painted from its early GET (see
/// there): called where the console first shows a page of its own, and
/// done after the frame that paints it, so that no frame lacks the name
/// (the early one lies over the page, so the two never show together).
/// Made invisible (`data-gone`, `visibility: hidden` in page.css), not
/// hidden or removed, and not at once: Chromium drops the Element Timing
/// entry of text whose layout is gone before its paint is presented, and
/// the paint benchmark reads it.
pub fn drop_early_header() {
    let Some(early) = web_sys::window().and_then(|w| w.document()).and_then(|d| {
        d.query_selector("body[data-coc-console] > #coc-early:not([data-done])")
            .ok()
            .flatten()
    }) else {
        return;
    };
    // At once: an answer that comes later must not show it again.
    let _ = early.set_attribute("data-done", "");
    request_animation_frame(move || {
        set_timeout(
            move || {
                let _ = early.set_attribute("data-gone", "");
            },
            std::time::Duration::ZERO,
        );
    });
}

/// A `performance.mark`, for the paint benchmark's breakdown
/// (`tests/tests/paint.rs`); free when nobody reads it.
pub fn mark(name: &str) {
    if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
        let _ = p.mark(name);
    }
}
