//! The Activity panel: this ticket's records in the gateway's audit trail
//! (who operated it, when, what, why, and what became of it).
//!
//! Fetched when the ticket or the client changes, after each operation this
//! view sends (the counter the view bumps), and on the panel's own Refresh;
//! not on every poll: the trail changes only when someone operates, and a
//! poll every second while an operation is pending would read it for
//! nothing. A gateway without a trail (404), with its store down (503) or
//! refusing the caller gets a short note; the ticket view is never affected.

use coc_core::ExecutionId;
use coc_core::gateway::{AuditPage, AuditRecord, ListAudit, Outcome};
use coc_i18n::tr;
use coc_i18n::view;
use leptos::prelude::*;

use crate::api::{ApiClient, ApiFailure};
use crate::dom::{self, B};
use crate::live;

/// The panel.
#[component]
pub fn ActivityPanel(
    /// The ticket.
    #[prop(into)]
    execution_id: Signal<String>,
    /// How to reach the gateway.
    #[prop(into)]
    client: Signal<ApiClient>,
    /// Bumped by the view after each operation it sent.
    refresh: RwSignal<u64>,
) -> impl IntoView {
    let state = RwSignal::new(None::<Result<AuditPage, ApiFailure>>);
    let feed = live::feed(
        move || Some((execution_id.get(), client.get(), refresh.get())),
        |(id, c, _): (String, ApiClient, u64)| async move {
            match ExecutionId::parse(&id) {
                Ok(id) => c.call(&ListAudit::for_execution(id)).await,
                Err(e) => Err(ApiFailure::Core(e)),
            }
        },
        // The feed hands over answers in order; one for a ticket the panel
        // has left is not this ticket's trail.
        move |(id, _, _), answer| {
            if execution_id.with_untracked(|now| *now == id) {
                state.set(Some(answer));
            }
        },
    );
    let body = dom::live_dom("", move || {
        let busy = feed.loading();
        state
            .with(|s| match s {
                None => note("loading", tr!("Loading the activity…")),
                Some(Ok(page)) => records(page),
                Some(Err(e)) => unavailable(e),
            })
            .attr("aria-busy", if busy { "true" } else { "false" })
    });
    let on_click = move |ev: web_sys::MouseEvent| {
        if dom::action(&ev).as_deref() == Some("activity-refresh") {
            refresh.update(|r| *r += 1);
        }
    };
    view! {
        <section class="coc-card coc-activity" aria-label="Activity" on:click=crate::widgets::click(on_click)>
            <div class="coc-section-head">
                <h3>"Activity"</h3>
                <button type="button" class="coc-btn coc-btn-small" data-act="activity-refresh">"Refresh"</button>
            </div>
            {body}
        </section>
    }
}

pub(crate) fn note(state: &str, text: &str) -> B {
    B::new("p", "coc-muted coc-activity-note")
        .attr("data-role", "activity-note")
        .attr("data-state", state)
        .text(text)
}

/// A short note in place of records.
#[component]
pub(crate) fn Note(state: &'static str, #[prop(into)] text: String) -> impl IntoView {
    view! { <p class="coc-muted coc-activity-note" data-role="activity-note" data-state=state>{text}</p> }
}

/// Why there is no trail to show, specifically and briefly.
#[component]
pub(crate) fn Unavailable(failure: ApiFailure) -> impl IntoView {
    let (state, text) = unavailable_text(&failure);
    view! { <Note state text /> }
}

/// Why there is no trail to show, specifically and briefly.
pub(crate) fn unavailable(e: &ApiFailure) -> B {
    let (state, text) = unavailable_text(e);
    note(state, &text)
}

fn unavailable_text(e: &ApiFailure) -> (&'static str, String) {
    let code = e.error_code().unwrap_or_default();
    match e.status() {
        Some(404) => (
            "absent",
            tr!("This gateway keeps no audit trail (it has no /gateway/v1/audit).").to_owned(),
        ),
        Some(503) => (
            "store-down",
            tr!(
                "The gateway's audit store is unavailable{}; operations are refused until it is back.",
                if code.is_empty() {
                    String::new()
                } else {
                    format!(" ({code})")
                }
            ),
        ),
        Some(401) => (
            "signed-out",
            tr!("Sign in to see the activity: paste your operator token in Settings.").to_owned(),
        ),
        Some(403) => (
            "forbidden",
            tr!(
                "The gateway does not let you read the audit trail{}.",
                e.error_msg().map(|m| format!(": {m}")).unwrap_or_default()
            ),
        ),
        _ => (
            "failed",
            tr!("The activity could not be loaded: {}.", e.title()),
        ),
    }
}

/// The outcome as a word, with the HTTP status when there was one.
pub fn outcome_text(r: &AuditRecord) -> String {
    let word = match r.outcome {
        Outcome::Pending => tr!("pending"),
        Outcome::Succeeded => tr!("succeeded"),
        Outcome::Failed => tr!("failed"),
        Outcome::Refused => tr!("refused"),
        // Forwarded, no answer recorded: it may have been applied.
        Outcome::Unknown => tr!("unknown (may have been applied)"),
    };
    match r.http_status {
        Some(s) => tr!("{word} (HTTP {s})"),
        None => word.to_owned(),
    }
}

fn records(page: &AuditPage) -> B {
    if page.records.is_empty() {
        return note("empty", tr!("No operation on this ticket is recorded yet."));
    }
    let dash = || dom::span("—");
    let rows = page
        .records
        .iter()
        .map(|r| {
            let who = B::new("span", "coc-activity-who")
                .attr("title", &r.roles.join(", "))
                .text(&r.operator);
            let reason = r
                .reason
                .as_deref()
                .map_or_else(dash, |t| B::new("span", "coc-activity-reason").text(t));
            let outcome = B::new(
                "span",
                &format!("coc-outcome coc-outcome-{}", r.outcome.as_str()),
            )
            .attr("data-outcome", r.outcome.as_str())
            .text(&outcome_text(r));
            let mut ids = B::new("span", "coc-activity-ids").leaf("code", "", &r.request_id);
            if let Some(u) = &r.upstream_request_id {
                ids = ids
                    .text(" ")
                    .leaf("code", "coc-muted", &tr!("upstream {u}"));
            }
            let error = match (&r.error_code, &r.error_msg) {
                (None, None) => dash(),
                (c, m) => B::new("span", "coc-activity-error")
                    .leaf("code", "", c.as_deref().unwrap_or_default())
                    .text(" ")
                    .leaf("span", "", m.as_deref().unwrap_or_default()),
            };
            vec![
                dom::time(Some(r.at)),
                who,
                dom::cell(&r.operation),
                reason,
                outcome,
                ids,
                error,
            ]
        })
        .collect();
    let mut out = B::new("div", "").child(dom::table(
        "coc-activity-table",
        "activity",
        &[
            tr!("When"),
            tr!("Who"),
            tr!("What"),
            tr!("Reason"),
            tr!("Outcome"),
            tr!("Request id"),
            tr!("Error"),
        ],
        rows,
    ));
    if page.next_cursor.is_some() {
        out = out.child(note(
            "more",
            &tr!(
                "The {} most recent records; older ones are in the gateway's audit trail.",
                page.records.len()
            ),
        ));
    }
    out
}
