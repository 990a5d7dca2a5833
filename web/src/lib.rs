//! The COC ops console: open a ticket, see everything about it, operate it
//! safely. A Leptos CSR app built by Trunk and served by the gateway.
//!
//! - [`App`] is the routed console (`/`, `/executions/{id}`, `/settings`),
//!   routed by [`Loc`], a small History-API router (see there for why not
//!   leptos_router).
//! - [`ticket::TicketView`] is the self-contained ticket view that the
//!   embeddable element will mount too; it needs no router and no globals.
//! - [`api`] moves bytes; requests and responses are the core's business
//!   (`coc_core::Endpoint::prepare`, `Operation::parse_response`).
//!
//! What it deliberately does not do: parse COC JSON by hand, retry an
//! operation, hold an AK/SK (the gateway signs), or render any field as HTML.

pub mod api;
pub mod dom;
pub mod element;
pub mod errors;
pub mod fmt;
pub mod list;
pub mod live;
pub mod operator;
mod pages;
pub mod settings;
pub mod status;
pub mod storage;
pub mod ticket;
pub mod widgets;

use leptos::prelude::*;

pub use list::{ListPage, ListView, MineView};
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
    let settings = RwSignal::new(Settings::load());
    provide_context(settings);
    // Who the gateway says the user is: asked once per client (gateway URL
    // or tokens), shared by the header, the ticket page and the list.
    let client = pages::client_memo(settings);
    provide_context(operator::Operator(operator::fetch_me(Signal::derive(
        move || client.with(|c| c.as_ref().ok().cloned()),
    ))));
    let loc = Loc::current();
    provide_context(loc);
    // Both listeners live as long as the page: the app is never unmounted.
    let _ = window_event_listener(leptos::ev::popstate, move |_| loc.sync());
    let _ = window_event_listener(leptos::ev::click, move |ev| {
        use wasm_bindgen::JsCast;
        if ev.default_prevented()
            || ev.button() != 0
            || ev.ctrl_key()
            || ev.meta_key()
            || ev.shift_key()
        {
            return;
        }
        let Some(a) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|e| e.closest("a[href]").ok().flatten())
        else {
            return;
        };
        let Some(href) = a.get_attribute("href") else {
            return;
        };
        if href.starts_with('/') && !href.starts_with("//") {
            ev.prevent_default();
            loc.go(&href);
        }
    });
    // The route kind, not the path: moving from one ticket to another keeps
    // the ticket page mounted and only changes its id signal.
    let route = widgets::memo_text(move || {
        let route = loc.path.with(|p| match p.as_str() {
            "/" => "open",
            "/settings" => "settings",
            "/executions" | "/executions/" => "list",
            p if p
                .strip_prefix("/executions/")
                .is_some_and(|id| !id.is_empty() && !id.contains('/')) =>
            {
                "ticket"
            }
            _ => "none",
        });
        // A String: a Memo type the console already has (each costs wasm).
        route.to_owned()
    });
    view! {
        <Shell>
            {dynv(move || match route.get().as_str() {
                "open" => view! { <OpenPage /> }.into_any(),
                "settings" => view! { <SettingsPage /> }.into_any(),
                "list" => view! { <ListPage /> }.into_any(),
                "ticket" => view! { <TicketPage /> }.into_any(),
                _ => view! { <NoSuchPage /> }.into_any(),
            })}
        </Shell>
    }
}

/// Where the page is: the app's whole router state.
///
/// The console has three routes and no nested layouts, so this small
/// History-API router replaces leptos_router, which cost 36 KB of the
/// then 200 KB brotli budget on its own (measured: 231 KB → 195 KB of wasm).
/// Deep links, back/forward and plain `<a href="/…">` links all work: the
/// click listener turns same-origin link clicks into `pushState`.
#[derive(Debug, Clone, Copy)]
pub struct Loc {
    /// `location.pathname`.
    pub path: RwSignal<String>,
    /// `location.search`, with its `?`.
    pub search: RwSignal<String>,
}
impl Loc {
    fn read() -> (String, String) {
        let l = web_sys::window().map(|w| w.location());
        (
            l.as_ref()
                .and_then(|l| l.pathname().ok())
                .unwrap_or_default(),
            l.and_then(|l| l.search().ok()).unwrap_or_default(),
        )
    }
    fn current() -> Self {
        let (p, s) = Self::read();
        Self {
            path: RwSignal::new(p),
            search: RwSignal::new(s),
        }
    }
    fn sync(&self) {
        let (p, s) = Self::read();
        self.path.set(p);
        self.search.set(s);
    }
    /// Navigates within the app.
    pub fn go(&self, href: &str) {
        if let Some(h) = web_sys::window().and_then(|w| w.history().ok()) {
            let _ = h.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(href));
        }
        self.sync();
    }
}

/// The chrome around the pages; `?embed=1` drops it.
#[component]
fn Shell(children: Children) -> impl IntoView {
    let loc = expect_context::<Loc>();
    let embed = move || {
        loc.search
            .with(|q| q.contains("embed=1") || q.contains("embed=true"))
    };
    let current = move |path: &str| {
        if loc.path.with(|p| p == path) {
            "page".to_owned()
        } else {
            "false".to_owned()
        }
    };
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
                        <a href="/executions" aria-current=text(move || current("/executions"))>"Tickets"</a>
                        <a href="/" aria-current=text(move || current("/"))>"Open ticket"</a>
                        <a href="/settings" aria-current=text(move || current("/settings"))>"Settings"</a>
                    </nav>
                    <operator::OperatorLine me />
                    <button
                        type="button"
                        class="coc-btn coc-btn-small coc-theme-toggle"
                        data-theme=text(move || theme.get().as_str().to_owned())
                        on:click=widgets::click(toggle)
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
