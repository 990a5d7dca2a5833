//! How a failed call is shown: a specific headline, a hint the operator can
//! act on, and the service's own words (code, message, request id) exactly as
//! they came, all as text.

use coc_i18n::tr;
use leptos::prelude::*;

use crate::dom::{self, B};

use crate::api::{ApiFailure, page_origin};

/// One failure, in full. `compact` drops the hint (used inside notices).
/// Static: a new failure is a new panel.
#[component]
pub fn ErrorPanel(
    failure: ApiFailure,
    #[prop(optional, into)] heading: Option<String>,
    #[prop(optional)] compact: bool,
) -> impl IntoView {
    dom::live_dom("coc-error-holder", move || {
        error_panel(&failure, heading.as_deref(), compact)
    })
}

/// The panel as plain DOM (see [`crate::dom`]).
pub fn error_panel(f: &ApiFailure, heading: Option<&str>, compact: bool) -> B {
    let raw = match f {
        ApiFailure::Network { detail, .. } => Some(detail.clone()),
        ApiFailure::Core(
            e @ (coc_core::Error::InvalidArgument { .. }
            | coc_core::Error::InvalidEndpoint { .. }
            | coc_core::Error::Decode(_)),
        ) => Some(e.to_string()),
        _ => None,
    };
    let mut title = B::new("p", "coc-error-title");
    if let Some(h) = heading {
        title = title.leaf("span", "coc-error-context", h).text(" ");
    }
    let mut panel = B::new("div", "coc-error")
        .attr("data-kind", f.kind().as_str())
        .attr("role", "alert")
        .child(title.leaf("strong", "", &f.title()));
    if !compact {
        panel = panel.leaf("p", "coc-error-hint", &f.hint(&page_origin()));
    }
    let mut dl = B::new("dl", "coc-error-details");
    for (label, class, value) in [
        (
            tr!("HTTP status"),
            "coc-error-status",
            f.status().map(|s| s.to_string()),
        ),
        (
            tr!("Error code"),
            "coc-error-code",
            f.error_code().map(str::to_owned),
        ),
        (
            tr!("Message"),
            "coc-error-msg",
            f.error_msg().map(str::to_owned),
        ),
        (
            tr!("Request id"),
            "coc-error-request-id",
            f.request_id().map(str::to_owned),
        ),
        (
            tr!("Body starts with"),
            "coc-error-excerpt",
            f.excerpt().filter(|e| !e.is_empty()).map(str::to_owned),
        ),
        (tr!("Detail"), "coc-error-raw", raw),
    ] {
        if let Some(v) = value {
            dl = dl.leaf("dt", "", label).leaf("dd", class, &v);
        }
    }
    panel.child(dl)
}
