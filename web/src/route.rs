//! The console's routes, as leptos_router declares them in [`crate::App`],
//! and what a route carries, parsed once.
//!
//! - `/executions/:id`: the id is validated here ([`ticket_id`]) and travels
//!   as an `ExecutionId` from then on; nothing below the route handles a
//!   raw id string.
//! - `?embed=1` (or `?embed=true`): [`Embed`], read once from the page's
//!   URL. A console opened in a portal's frame stays embedded for the life
//!   of the page, whatever later links say: no chrome, links that stay in
//!   the frame keep the flag, and links that would leave the ticket open a
//!   new tab instead.
//! - `?tz=`: the zone times are shown in ([`crate::fmt::set_zone`]); every
//!   console link carries the zone in effect, so that a link copied from
//!   any page shows its reader the same times.

use coc_console_model::list::Carry;
use coc_core::ExecutionId;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// The page sits in a portal's frame (`?embed=1|true` when it loaded).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Embed(pub bool);

impl Embed {
    /// Read from the page's URL.
    pub fn from_page() -> Self {
        let search = web_sys::window()
            .and_then(|w| w.location().search().ok())
            .unwrap_or_default();
        Embed(coc_console_model::list::is_embed(&search))
    }

    /// The app's, or not embedded outside the app (the custom element).
    pub fn get() -> bool {
        use_context::<Embed>().is_some_and(|e| e.0)
    }
}

/// The ticket id of `/executions/:id`, validated.
pub fn ticket_id() -> Memo<Result<ExecutionId, coc_core::Error>> {
    let params = use_params_map();
    Memo::new(move |_| params.with(|p| ExecutionId::parse(&p.get("id").unwrap_or_default())))
}

/// What the console's links carry of this page's URL: the embed flag and
/// the time zone in effect.
pub fn carry() -> Carry<'static> {
    Carry {
        embed: Embed::get(),
        tz: crate::fmt::zone_param(),
    }
}

/// A console href, with the embed flag and time zone this page carries.
pub fn href(path: &str) -> String {
    carry().href(path)
}

/// A ticket id from a route or an attribute, parsed once, with the last
/// valid one kept: a view follows valid ids and never sees an invalid one
/// (the route or the element shows the error instead).
#[derive(Debug, Clone, Copy)]
pub struct FollowedId {
    /// The id as it is now.
    pub parsed: Memo<Result<ExecutionId, coc_core::Error>>,
    /// Whether it is valid: what a branch between view and error reads,
    /// so that moving between valid ids keeps the view mounted.
    pub ok: Memo<bool>,
    last_valid: Memo<Option<ExecutionId>>,
}

impl FollowedId {
    /// Follows `parsed`.
    pub fn new(parsed: Memo<Result<ExecutionId, coc_core::Error>>) -> Self {
        Self {
            parsed,
            ok: Memo::new(move |_| parsed.with(Result::is_ok)),
            last_valid: Memo::new(move |prev: Option<&Option<ExecutionId>>| {
                parsed.get().ok().or_else(|| prev.cloned().flatten())
            }),
        }
    }

    /// The id a view follows, from the current valid one on; `None` while
    /// no id has been valid yet.
    pub fn signal(&self) -> Option<Signal<ExecutionId>> {
        let first = self.last_valid.get_untracked()?;
        let last_valid = self.last_valid;
        Some(Signal::derive(move || {
            last_valid.get().unwrap_or_else(|| first.clone())
        }))
    }

    /// The last valid id, untracked (a page's first title).
    pub fn current(&self) -> Option<ExecutionId> {
        self.last_valid.get_untracked()
    }
}
