//! How a failed call is shown: a specific headline, a hint the operator can
//! act on, and the service's own words (code, message, request id) exactly as
//! they came, all as text.

use leptos::prelude::*;

use crate::api::{ApiFailure, page_origin};

/// One failure, in full. `compact` drops the hint (used inside notices).
/// Static: a new failure is a new panel.
#[component]
pub fn ErrorPanel(
    failure: ApiFailure,
    #[prop(optional, into)] heading: Option<String>,
    #[prop(optional)] compact: bool,
) -> impl IntoView {
    let f = &failure;
    let row = |label: &'static str, class: &'static str, value: Option<String>| {
        value.map(|v| {
            view! {
                <dt>{label}</dt>
                <dd class=class>{v}</dd>
            }
        })
    };
    let raw = match f {
        ApiFailure::Network { detail, .. } => Some(detail.clone()),
        ApiFailure::Core(
            e @ (coc_core::Error::InvalidArgument { .. }
            | coc_core::Error::InvalidEndpoint { .. }
            | coc_core::Error::Decode(_)),
        ) => Some(e.to_string()),
        _ => None,
    };
    let hint = (!compact).then(|| f.hint(&page_origin()));
    view! {
        <div class="coc-error" data-kind=f.kind().as_str() role="alert">
            <p class="coc-error-title">
                {heading.map(|h| view! { <span class="coc-error-context">{h}</span> " " })}
                <strong>{f.title()}</strong>
            </p>
            {hint.map(|h| view! { <p class="coc-error-hint">{h}</p> })}
            <dl class="coc-error-details">
                {row("HTTP status", "coc-error-status", f.status().map(|s| s.to_string()))}
                {row("Error code", "coc-error-code", f.error_code().map(str::to_owned))}
                {row("Message", "coc-error-msg", f.error_msg().map(str::to_owned))}
                {row("Request id", "coc-error-request-id", f.request_id().map(str::to_owned))}
                {row("Body starts with", "coc-error-excerpt", f.excerpt().filter(|e| !e.is_empty()).map(str::to_owned))}
                {row("Detail", "coc-error-raw", raw)}
            </dl>
        </div>
    }
}
