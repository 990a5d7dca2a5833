//! A ticket status shown as colour, icon and word together (never colour
//! alone), with the word from the core's `ExecutionStatus::label`.
//!
//! Steps and instances share the ticket's status values, but `Pending`
//! means "waiting to run" there, not "suspended": [`StatusBadge`] with
//! `item` says "Waiting", with its own class and icon.

use coc_core::ExecutionStatus;
use coc_i18n::tr;
use coc_i18n::view;
use leptos::prelude::*;

pub use coc_console_model::status::{
    icon_path, item_class, item_label, status_class, status_label,
};

/// The status badge: icon, word and a colour, all three. `item`: the
/// status of a step or an instance (see the module docs). Drawn by
/// [`crate::dom::badge`], the one badge of the console.
#[component]
pub fn StatusBadge(
    #[prop(into)] status: Signal<Option<ExecutionStatus>>,
    #[prop(optional)] large: bool,
    #[prop(optional)] item: bool,
) -> impl IntoView {
    let class = move || {
        status.with(|s| {
            let hook = if item {
                item_class(s.as_ref())
            } else {
                status_class(s.as_ref())
            };
            let size = if large { " coc-status-large" } else { "" };
            format!("coc-status coc-status-{hook}{size}")
        })
    };
    let word = move || {
        status.with(|s| {
            if item {
                item_label(s.as_ref())
            } else {
                status_label(s.as_ref())
            }
        })
    };
    let icon = move || {
        status.with(|s| {
            icon_path(if item {
                item_class(s.as_ref())
            } else {
                status_class(s.as_ref())
            })
        })
    };
    // The wire value when the word differs from it ("Succeed").
    let title = move || {
        status.with(|s| {
            s.as_ref()
                .filter(|s| status_label(Some(s)) != s.as_str())
                .map(|s| tr!("wire value: {}", s.as_str()))
        })
    };
    view! {
        <span
            class=class
            data-status=move || status.with(|s| s.as_ref().map(|s| s.as_str().to_owned()).unwrap_or_default())
            title=title
        >
            <svg class="coc-icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false">
                <path fill="currentColor" d=icon></path>
            </svg>
            <span class="coc-status-word">{word}</span>
        </span>
    }
}
