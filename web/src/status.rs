//! A ticket status shown as colour, icon and word together (never colour
//! alone), with the word from the core's `ExecutionStatus::label`.

use coc_core::ExecutionStatus;
use leptos::prelude::*;

use crate::widgets::text;

/// A stable CSS hook for a status: `running`, `failed`, ... or `unknown`.
pub fn status_class(status: Option<&ExecutionStatus>) -> &'static str {
    match status {
        Some(ExecutionStatus::Pending) => "pending",
        Some(ExecutionStatus::Running) => "running",
        Some(ExecutionStatus::Succeed) => "succeeded",
        Some(ExecutionStatus::Canceling) => "canceling",
        Some(ExecutionStatus::Canceled) => "canceled",
        Some(ExecutionStatus::Failed) => "failed",
        Some(ExecutionStatus::Timeout) => "timeout",
        Some(ExecutionStatus::Other(_)) | None => "unknown",
    }
}

/// The label the UI shows: the core's, or a fallback for a missing status.
pub fn status_label(status: Option<&ExecutionStatus>) -> String {
    match status {
        Some(s) if !s.as_str().is_empty() => s.label().to_owned(),
        _ => "No status".to_owned(),
    }
}

/// A 16×16 icon path per status; shapes differ so that the status reads in
/// greyscale and for colour-blind users too.
fn icon_path(class: &str) -> &'static str {
    match class {
        // pause bars
        "pending" => "M5 3h2v10H5zM9 3h2v10H9z",
        // play triangle
        "running" => "M5 3l8 5-8 5z",
        // check mark
        "succeeded" => "M6.3 11.6 2.7 8l1.4-1.4 2.2 2.2 5.6-5.6 1.4 1.4z",
        // circle with a bar: stopping
        "canceling" => {
            "M8 1.5a6.5 6.5 0 1 0 0 13 6.5 6.5 0 0 0 0-13zm0 2a4.5 4.5 0 1 1 0 9 4.5 4.5 0 0 1 0-9zM5 7h6v2H5z"
        }
        // square stop
        "canceled" => "M4 4h8v8H4z",
        // cross
        "failed" => {
            "M4.4 3 8 6.6 11.6 3 13 4.4 9.4 8l3.6 3.6-1.4 1.4L8 9.4 4.4 13 3 11.6 6.6 8 3 4.4z"
        }
        // hourglass
        "timeout" => "M4 2h8v3L9.5 8 12 11v3H4v-3l2.5-3L4 5zm2 2v.3L8 6.6l2-2.3V4z",
        // question mark
        _ => {
            "M8 2a4 4 0 0 0-4 4h2a2 2 0 1 1 3 1.7C8 8.3 7 9 7 10.5V11h2v-.4c0-.7.6-1.1 1.3-1.6A4 4 0 0 0 8 2zM7 12.5h2v2H7z"
        }
    }
}

/// An inline SVG icon for a status, hidden from screen readers (the word
/// next to it says the same).
#[component]
pub fn StatusIcon(#[prop(into)] class: Signal<&'static str>) -> impl IntoView {
    view! {
        <svg class="coc-icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false">
            <path fill="currentColor" d=text(move || icon_path(class.get()).to_owned())></path>
        </svg>
    }
}

/// The status badge: icon, word and a colour, all three.
#[component]
pub fn StatusBadge(
    #[prop(into)] status: Signal<Option<ExecutionStatus>>,
    #[prop(optional)] large: bool,
) -> impl IntoView {
    let class = Signal::derive(move || status.with(|s| status_class(s.as_ref())));
    let label = move || status.with(|s| status_label(s.as_ref()));
    let raw = move || {
        status.with(|s| match s {
            Some(s) if s.label() != s.as_str() => format!("wire value: {}", s.as_str()),
            _ => String::new(),
        })
    };
    view! {
        <span
            class=text(move || {
                let size = if large { " coc-status-large" } else { "" };
                format!("coc-status coc-status-{}{size}", class.get())
            })
            data-status=text(move || status.with(|s| s.as_ref().map(|s| s.as_str().to_owned()).unwrap_or_default()))
            title=text(raw)
        >
            <StatusIcon class=class />
            <span class="coc-status-word">{text(label)}</span>
        </span>
    }
}
