//! The COC ops console: open a ticket, see everything about it, operate it
//! safely. A Leptos CSR app built by Trunk and served by the gateway.
//!
//! - [`App`] is the routed console (`/`, `/executions/{id}`, `/settings`).
//! - [`ticket::TicketView`] is the self-contained ticket view that the
//!   embeddable element will mount too; it needs no router and no globals.
//! - [`api`] moves bytes; requests and responses are the core's business
//!   (`coc_core::Endpoint::prepare`, `Operation::parse_response`).
//!
//! What it deliberately does not do: parse COC JSON by hand, retry an
//! operation, hold an AK/SK (the gateway signs), or render any field as HTML.

pub mod api;
pub mod errors;
pub mod fmt;
mod pages;
pub mod settings;
pub mod status;
pub mod storage;
pub mod ticket;
pub mod widgets;

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::hooks::{use_location, use_query_map};
use leptos_router::path;

pub use pages::{OpenPage, SettingsPage, TicketPage};

use crate::settings::Settings;
use crate::storage::Area;
use crate::widgets::{dynv, text};

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
            Theme::System => "Theme: system",
            Theme::Light => "Theme: light",
            Theme::Dark => "Theme: dark",
        }
    }
}

/// The console.
#[component]
pub fn App() -> impl IntoView {
    provide_context(RwSignal::new(Settings::load()));
    view! {
        <Router>
            <Shell>
                <Routes fallback=|| view! { <NoSuchPage /> }>
                    <Route path=path!("/") view=OpenPage />
                    <Route path=path!("/executions/:id") view=TicketPage />
                    <Route path=path!("/settings") view=SettingsPage />
                </Routes>
            </Shell>
        </Router>
    }
}

/// The chrome around the pages; `?embed=1` drops it.
#[component]
fn Shell(children: Children) -> impl IntoView {
    let query = use_query_map();
    let location = use_location();
    // Plain links (the router handles their clicks): lighter than `<A>`.
    let current = move |path: &str| {
        if location.pathname.with(|p| p == path) {
            "page".to_owned()
        } else {
            "false".to_owned()
        }
    };
    let embed = move || query.with(|q| q.get("embed").is_some_and(|v| v == "1" || v == "true"));
    let theme = RwSignal::new(Theme::load());
    let toggle = move |_| {
        let t = theme.get_untracked().next();
        theme.set(t);
        match t {
            Theme::System => storage::remove(Area::Local, THEME_KEY),
            _ => storage::set(Area::Local, THEME_KEY, t.as_str()),
        }
    };
    let class = text(move || {
        let embed = if embed() { " coc-embed" } else { "" };
        format!("coc coc-app coc-theme-{}{embed}", theme.get().as_str())
    });
    view! {
        <div class=class>
            {dynv(move || if embed() { ().into_any() } else { view! {
                <a class="coc-skip" href="#coc-main">"Skip to content"</a>
                <header class="coc-header">
                    <a class="coc-brand" href="/">
                        <span class="coc-brand-mark" aria-hidden="true">"◆"</span>
                        " COC console"
                    </a>
                    <nav class="coc-nav" aria-label="Main">
                        <a href="/" aria-current=text(move || current("/"))>"Open ticket"</a>
                        <a href="/settings" aria-current=text(move || current("/settings"))>"Settings"</a>
                    </nav>
                    <button
                        type="button"
                        class="coc-btn coc-btn-small coc-theme-toggle"
                        data-theme=text(move || theme.get().as_str().to_owned())
                        on:click=toggle
                    >
                        {text(move || theme.get().label().to_owned())}
                    </button>
                </header>
            }.into_any() })}
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

/// Sets the tab title (the page's business, not the ticket view's).
pub fn set_title(title: &str) {
    if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
        doc.set_title(title);
    }
}
