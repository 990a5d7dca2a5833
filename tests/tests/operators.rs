//! Operators end to end (issue 9): a gateway in `--operators tokens` with
//! tokens made by its own CLI, a real Chromium pasting one in Settings.
//!
//! - An operator signs in, TERMINATEs a running ticket with a reason, and
//!   the ticket's Activity panel shows who, why and that it succeeded (the
//!   audit trail says the same); "Operated by me" lists the ticket.
//! - A viewer sees every operation disabled with the gateway's refusal, and
//!   nothing reaches the simulator.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use anyhow::{Result, ensure};
use coc_core::OperateType;
use coc_core::gateway::Outcome;
use coc_e2e::{Browser, Gateway, Operators, run_in_browser as run, seed, test_env, wait_for};

const W: u32 = 1280;
const H: u32 = 900;

fn op_button(op: OperateType) -> String {
    format!(".coc-op[data-op=\"{}\"] button", op.as_str())
}

/// Pastes `token` as the operator token in Settings and saves.
async fn sign_in(gw: &Gateway, br: &Browser, token: &str) -> Result<()> {
    br.goto(&format!("{}/settings", gw.url)).await?;
    br.find("#coc-set-operator-token")
        .await?
        .send_keys(token)
        .await?;
    br.click(".coc-settings button[type=submit]").await?;
    br.wait_text(".coc-saved", "Saved").await?;
    Ok(())
}

/// The token must not be anywhere in the markup (a password input's value
/// is a property, not an attribute).
async fn token_not_in_dom(br: &Browser, token: &str) -> Result<()> {
    let html = br.js("return document.documentElement.outerHTML;").await?;
    ensure!(
        !html.as_str().unwrap_or_default().contains(token),
        "the operator token is in the DOM"
    );
    Ok(())
}

#[tokio::test]
async fn an_operator_signs_in_terminates_with_a_reason_and_sees_the_activity() -> Result<()> {
    let env = test_env()?;
    let ops = Operators::new()?;
    let admin = ops.add(&env, "harness", "admin").await?;
    let ana = ops.add(&env, "ana", "operator").await?;
    let flags = ops.flags();
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    run("operator-terminate", &flags, (W, H), async |gw, br| {
        gw.set_operator_token(&admin)?;
        let id = gw.running_ticket(seed::DOC_NORMAL).await?;

        // Without a token: the header says how to sign in.
        br.goto(&format!("{}/executions/{id}", gw.url)).await?;
        br.wait_text(
            "[data-role=operator][data-state=signed-out]",
            "paste your operator token in Settings",
        )
        .await?;

        sign_in(gw, br, &ana).await?;
        br.wait_text("[data-role=operator]", "ana · operator")
            .await?;
        token_not_in_dom(br, &ana).await?;

        br.goto(&format!("{}/executions/{id}", gw.url)).await?;
        br.find(".coc-summary").await?;
        br.wait_text("[data-role=operator]", "ana · operator")
            .await?;
        br.wait_text(".coc-summary .coc-status-word", "Running")
            .await?;
        br.wait_text("[data-role=activity-note]", "No operation")
            .await?;

        let reason = "runaway job on web-3 <b>x</b>";
        br.click(&op_button(OperateType::Terminate)).await?;
        br.find("dialog .coc-confirm-input")
            .await?
            .send_keys(&id)
            .await?;
        br.wait_text("dialog [data-role=reason-note]", "requires a reason")
            .await?;
        br.find("dialog [data-role=reason]")
            .await?
            .send_keys(reason)
            .await?;
        br.click("dialog .coc-dialog-confirm").await?;
        // "accepted", or already "done" when the next poll shows Cancelling.
        br.wait_text("[data-role=notice]", "TERMINATE").await?;

        // The Activity panel, refreshed after the operation.
        let row = br
            .wait_text("[data-field=activity] tbody tr", "succeeded")
            .await?;
        ensure!(
            row.contains("ana") && row.contains("TERMINATE") && row.contains(reason),
            "{row}"
        );
        ensure!(
            br.text_content("[data-field=activity] .coc-activity-reason")
                .await?
                == reason,
            "the reason as text"
        );
        ensure!(!br.exists("[data-field=activity] b").await?);

        // The trail itself, and the simulator got the operation without
        // the reason (the gateway removes it).
        let page = gw.audit(&id).await?;
        ensure!(page.records.len() == 1, "{page:?}");
        let r = &page.records[0];
        ensure!(
            r.operator == "ana"
                && r.operation == "TERMINATE"
                && r.reason.as_deref() == Some(reason)
                && r.outcome == Outcome::Succeeded,
            "{r:?}"
        );
        let log = gw.operations(&id).await?;
        ensure!(
            log.len() == 1 && log[0]["operate_type"] == "TERMINATE",
            "{log:?}"
        );

        // "Operated by me" lists the ticket, linking to it.
        br.goto(&format!("{}/executions?mine=1", gw.url)).await?;
        let row = br.wait_text("[data-field=mine] tbody tr", &id).await?;
        ensure!(
            row.contains("TERMINATE") && row.contains("succeeded"),
            "{row}"
        );
        br.click("[data-field=mine] tbody tr a").await?;
        br.wait_text(".coc-summary", &id).await?;
        token_not_in_dom(br, &ana).await?;
        Ok(())
    })
    .await
}

#[tokio::test]
async fn a_viewer_sees_the_operations_disabled_with_the_reason() -> Result<()> {
    let env = test_env()?;
    let ops = Operators::new()?;
    let admin = ops.add(&env, "harness", "admin").await?;
    let vera = ops.add(&env, "vera", "viewer").await?;
    let flags = ops.flags();
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    run("viewer-disabled", &flags, (W, H), async |gw, br| {
        gw.set_operator_token(&admin)?;
        let id = gw.running_ticket(seed::DOC_NORMAL).await?;
        sign_in(gw, br, &vera).await?;
        br.wait_text("[data-role=operator]", "vera · viewer")
            .await?;
        br.goto(&format!("{}/executions/{id}", gw.url)).await?;
        br.wait_text(".coc-summary .coc-status-word", "Running")
            .await?;
        let why_css = ".coc-op[data-op=\"TERMINATE\"] .coc-op-why";
        let why = br
            .wait_text(why_css, "Your role viewer may not TERMINATE.")
            .await?;
        ensure!(why.starts_with("Not available"), "{why}");
        for op in OperateType::ALL {
            let disabled = br.find(&op_button(op)).await?.attr("aria-disabled").await?;
            ensure!(disabled.as_deref() == Some("true"), "{op} is disabled");
            let why = br
                .text_content(&format!(".coc-op[data-op=\"{}\"] .coc-op-why", op.as_str()))
                .await?;
            ensure!(
                why.contains(&format!("Your role viewer may not {}.", op.as_str())),
                "{op}: {why}"
            );
        }
        // RESUME on a running ticket: the status guidance too.
        let why = br
            .text_content(".coc-op[data-op=\"RESUME\"] .coc-op-why")
            .await?;
        ensure!(why.contains("The ticket is running"), "{why}");

        // A click opens nothing and sends nothing.
        br.click(&op_button(OperateType::Terminate)).await?;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let open = br
            .js("return !!document.querySelector('dialog.coc-dialog[open]');")
            .await?;
        ensure!(open.as_bool() == Some(false), "no dialog for a viewer");
        ensure!(gw.operations(&id).await?.is_empty());
        ensure!(gw.audit(&id).await?.records.is_empty());

        // The viewer still reads the trail: the panel says it is empty.
        wait_for("the activity note", Duration::from_secs(10), || async {
            Ok(br
                .exists("[data-role=activity-note][data-state=empty]")
                .await?
                .then_some(()))
        })
        .await?;
        token_not_in_dom(br, &vera).await?;
        Ok(())
    })
    .await
}
