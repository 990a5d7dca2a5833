//! Who the gateway takes the user to be (`GET /gateway/v1/me`), and the
//! header's line that says so.
//!
//! The answer is fetched once per client (a new gateway URL or token is a
//! new client), never per poll: it changes only when the credentials do.
//! A gateway without `/gateway/v1/me` (an older one: 404) simply has no
//! operators; the console then offers what the ticket's status allows and
//! lets the gateway decide. A 401 means the gateway wants an operator token.

use coc_i18n::tr;
use std::sync::Arc;

use coc_core::gateway::{GetMe, Me};
use leptos::prelude::*;

use crate::api::{ApiClient, ApiFailure};
use crate::dom::{self, B};
use crate::live;

/// What is known about the caller: `None` while asking.
pub type MeState = Option<Result<Arc<Me>, ApiFailure>>;

/// The caller, when the gateway said who they are.
pub fn known(state: &MeState) -> Option<Arc<Me>> {
    state.as_ref().and_then(|r| r.as_ref().ok()).cloned()
}

/// True when the gateway refused for want of a (valid) operator token.
pub fn signed_out(state: &MeState) -> bool {
    matches!(state, Some(Err(e)) if e.status() == Some(401))
}

/// The app's one answer from `/gateway/v1/me`, shared through context by
/// the header, the ticket page and the list.
#[derive(Debug, Clone, Copy)]
pub struct Operator(pub RwSignal<MeState>);

/// Asks `/gateway/v1/me` whenever `client` changes (and only then), on the
/// console's one [`live::feed`]; an answer for a previous client is dropped.
pub fn fetch_me(client: Signal<Option<ApiClient>>) -> RwSignal<MeState> {
    let me = RwSignal::new(None);
    live::feed(
        move || {
            // A new client may be a new operator: forget the old
            // permissions while asking (the key runs once per change).
            me.set(None);
            client.get()
        },
        |c: ApiClient| async move { c.call(&GetMe).await.map(Arc::new) },
        move |c, answer| {
            if client.with_untracked(|now| now.as_ref() == Some(&c)) {
                me.set(Some(answer));
            }
        },
    );
    me
}

/// "ana · operator", "local mode · ana", or the way to sign in.
pub fn header_line(state: &MeState) -> B {
    let holder = |state: &str| {
        B::new("span", "coc-operator")
            .attr("data-role", "operator")
            .attr("data-state", state)
    };
    match state {
        None => holder("loading"),
        Some(Ok(me)) => {
            let line = if me.mode == "local" {
                tr!("local mode · {}", me.operator)
            } else if me.roles.is_empty() {
                tr!("{} · no role", me.operator)
            } else {
                format!("{} · {}", me.operator, me.roles.join(", "))
            };
            let mut title = tr!(
                "Signed in to the gateway as {} ({} mode)",
                me.operator,
                me.mode
            );
            if let Some(e) = &me.email {
                title.push_str(&format!(", {e}"));
            }
            holder("signed-in")
                .attr("title", &title)
                .leaf("span", "coc-operator-name", &line)
        }
        Some(Err(e)) if e.status() == Some(401) => holder("signed-out").child(
            B::new("a", "coc-operator-signin")
                .attr("href", "/settings")
                .text(tr!("Sign in: paste your operator token in Settings")),
        ),
        // An older gateway, or one that cannot say: nothing to show, and
        // the gateway still decides on every request.
        Some(Err(e)) => holder("unknown").attr(
            "title",
            &tr!("The gateway did not say who you are: {}", e.title()),
        ),
    }
}

/// The header's operator line.
#[component]
pub fn OperatorLine(me: RwSignal<MeState>) -> impl IntoView {
    dom::live_dom("coc-operator-holder", move || me.with(header_line))
}
