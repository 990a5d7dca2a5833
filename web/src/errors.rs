//! How a failed call is shown: a specific headline, a hint the operator can
//! act on, and the service's own words (code, message, request id) exactly as
//! they came, all as text.

use leptos::prelude::*;

use crate::api::{ApiFailure, page_origin};

/// One failure, in full. `compact` drops the hint (used inside notices).
#[component]
pub fn ErrorPanel(
    #[prop(into)] failure: Signal<ApiFailure>,
    #[prop(optional, into)] heading: Option<String>,
    #[prop(optional)] compact: bool,
) -> impl IntoView {
    let kind = move || failure.with(|f| f.kind().as_str());
    let title = move || failure.with(ApiFailure::title);
    let hint = move || failure.with(|f| f.hint(&page_origin()));
    let row = |label: &'static str, class: &'static str, value: Option<String>| {
        value.map(|v| {
            view! {
                <dt>{label}</dt>
                <dd class=class>{v}</dd>
            }
        })
    };
    let details = move || {
        failure.with(|f| {
            let status = f.status().map(|s| s.to_string());
            let code = f.error_code().map(str::to_owned);
            let msg = f.error_msg().map(str::to_owned);
            let rid = f.request_id().map(str::to_owned);
            let excerpt = f.excerpt().filter(|e| !e.is_empty()).map(str::to_owned);
            let raw = match f {
                ApiFailure::Network { detail, .. } => Some(detail.clone()),
                ApiFailure::Core(
                    e @ (coc_core::Error::InvalidArgument { .. }
                    | coc_core::Error::InvalidEndpoint { .. }
                    | coc_core::Error::Decode(_)),
                ) => Some(e.to_string()),
                _ => None,
            };
            view! {
                <dl class="coc-error-details">
                    {row("HTTP status", "coc-error-status", status)}
                    {row("Error code", "coc-error-code", code)}
                    {row("Message", "coc-error-msg", msg)}
                    {row("Request id", "coc-error-request-id", rid)}
                    {row("Body starts with", "coc-error-excerpt", excerpt)}
                    {row("Detail", "coc-error-raw", raw)}
                </dl>
            }
        })
    };
    view! {
        <div class="coc-error" data-kind=kind role="alert">
            <p class="coc-error-title">
                {heading.map(|h| view! { <span class="coc-error-context">{h}</span> " " })}
                <strong>{title}</strong>
            </p>
            {(!compact).then(|| view! { <p class="coc-error-hint">{hint}</p> })}
            {details}
        </div>
    }
}
