//! The console, end to end: a real Chromium over WebDriver against a gateway
//! in simulator mode (manual clock) serving the release build.
//!
//! Each test gets its own gateway (fresh simulator state) and its own browser
//! profile, runs alone (see `coc_e2e::serial`), works on fresh tickets from
//! ExecuteDocument where it changes anything, and finally checks that the
//! browser logged no CSP violation. On failure a screenshot is saved to
//! `artifacts/screenshots/failed-<test>.png`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use anyhow::{Context as _, Result, bail, ensure};
use coc_core::{Execution, ExecutionStatus as S, OperateType};
use coc_e2e::fantoccini::actions::{
    InputSource as _, MOUSE_BUTTON_LEFT, MouseActions, PointerAction,
};
use coc_e2e::fantoccini::key::Key;
use coc_e2e::{
    Browser, Gateway, iso_utc, note, run_in_browser as run, seed, sim_start_now, wait_for,
};
use serde_json::{Value, json};

const W: u32 = 1280;
const H: u32 = 900;

fn ticket_url(gw: &Gateway, id: &str) -> String {
    format!("{}/executions/{id}", gw.url)
}

async fn open_ticket(gw: &Gateway, br: &Browser, id: &str) -> Result<()> {
    br.goto(&ticket_url(gw, id)).await?;
    br.find(".coc-summary").await?;
    Ok(())
}

/// A fresh Running ticket of `document_id`, open in the console.
async fn open_running(gw: &Gateway, br: &Browser, document_id: &str) -> Result<String> {
    let id = gw.running_ticket(document_id).await?;
    open_ticket(gw, br, &id).await?;
    wait_status(br, "Running").await?;
    Ok(id)
}

async fn status_word(br: &Browser) -> Result<String> {
    br.text_content(".coc-summary .coc-status-word").await
}

async fn wait_status(br: &Browser, label: &str) -> Result<()> {
    br.wait_text(".coc-summary .coc-status-word", label)
        .await
        .map(|_| ())
}

fn op_button(op: OperateType) -> String {
    format!(".coc-op[data-op=\"{}\"] button", op.as_str())
}

async fn dialog_open(br: &Browser) -> Result<bool> {
    Ok(br
        .js("return !!document.querySelector('dialog.coc-dialog[open]');")
        .await?
        .as_bool()
        == Some(true))
}

async fn active_class(br: &Browser) -> Result<String> {
    Ok(br
        .js("const a = document.activeElement; return a ? (a.className || a.tagName) : '';")
        .await?
        .as_str()
        .unwrap_or_default()
        .to_owned())
}

async fn ops_log(gw: &Gateway, id: &str) -> Result<Vec<Value>> {
    gw.operations(id).await
}

/// Every field of seed 002 (plus sys_tags) as the page shows it.
async fn check_every_field(br: &Browser, t: &Execution) -> Result<()> {
    let field = |name: &str| format!("[data-field={name}]");
    let id = t.execution_id.clone().context("ticket has no id")?;
    ensure!(br.text_content(&field("execution_id")).await? == id);
    let expect = [
        ("document_name", t.document_name.clone()),
        ("document_id", t.document_id.clone()),
        ("document_version", t.document_version.clone()),
        ("document_version_id", t.document_version_id.clone()),
        ("creator", t.creator.clone()),
        ("description", t.description.clone()),
        ("target_parameter_name", t.target_parameter_name.clone()),
        (
            "type",
            t.execution_type.as_ref().map(|x| x.as_str().to_owned()),
        ),
        ("id", t.id.as_ref().map(ToString::to_string)),
    ];
    for (name, value) in expect {
        let shown = br.text_content(&field(name)).await?;
        let want = value
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| "—".to_owned());
        ensure!(
            shown == want,
            "{name}: page shows {shown:?}, ticket has {want:?}"
        );
    }
    ensure!(
        status_word(br).await? == t.status_or_unknown().label(),
        "status word"
    );
    for (name, ms) in [
        ("start_time", t.start_time),
        ("end_time", t.end_time),
        ("update_time", t.update_time),
    ] {
        match ms {
            Some(ms) => {
                let el = br.find(&format!("{} time", field(name))).await?;
                ensure!(
                    el.attr("datetime").await?.as_deref() == Some(iso_utc(ms).as_str()),
                    "{name} datetime"
                );
                let title = el.attr("title").await?.unwrap_or_default();
                ensure!(
                    title.contains(" UTC"),
                    "{name} has UTC in its tooltip: {title}"
                );
            }
            None => ensure!(br.text_content(&field(name)).await? == "—", "{name} empty"),
        }
    }
    let params = br.text_content(&field("parameters")).await?;
    for p in &t.parameters {
        ensure!(params.contains(&p.key), "parameter {} shown", p.key);
        ensure!(
            params.contains(p.value.as_deref().unwrap_or_default()),
            "parameter value {:?}",
            p.value
        );
    }
    for (name, list) in [("tags", &t.tags), ("sys_tags", &t.sys_tags)] {
        let shown = br.text_content(&field(name)).await?;
        for kv in list {
            ensure!(
                shown.contains(&kv.key) && shown.contains(kv.value.as_deref().unwrap_or_default()),
                "{name} {kv:?}"
            );
        }
    }
    let count = t.target_count();
    let shown = br
        .text_content(&field("target_count"))
        .await?
        .replace(',', "");
    ensure!(
        shown == count.to_string(),
        "target count {shown} vs {count}"
    );
    for target in &t.targets {
        ensure!(
            br.text_content(&field("targets_summary"))
                .await?
                .contains(target.key.as_str())
        );
    }
    Ok(())
}

#[tokio::test]
async fn open_by_id_and_by_deep_link_shows_every_field() -> Result<()> {
    run("open", &[], (W, H), async |gw, br| {
        br.goto(&format!("{}/", gw.url)).await?;
        let input = br.find("#coc-open-id").await?;
        input.send_keys("EX 1").await?;
        br.wait_text("#coc-open-id-help", "whitespace").await?;
        ensure!(
            br.find("#coc-open-id")
                .await?
                .attr("aria-invalid")
                .await?
                .as_deref()
                == Some("true")
        );
        input.clear().await?;
        input.send_keys(seed::TICKET_SUCCEED).await?;
        br.click("button[type=submit]").await?;
        br.find(".coc-summary").await?;
        let url = br.client.current_url().await?;
        ensure!(
            url.path() == format!("/executions/{}", seed::TICKET_SUCCEED),
            "url {url}"
        );
        let ticket = gw.ticket(seed::TICKET_SUCCEED).await?;
        check_every_field(br, &ticket).await?;
        let title = wait_for("the title", Duration::from_secs(5), || async {
            let t = br.client.title().await?;
            Ok(t.contains("Succeeded").then_some(t))
        })
        .await?;
        ensure!(title.contains(seed::TICKET_SUCCEED), "{title}");

        // Back and forward move between the pages without a reload.
        br.js("window.__sameDocument = true;").await?;
        br.client.back().await?;
        br.find("#coc-open-id").await?;
        br.client.forward().await?;
        br.find(".coc-summary").await?;
        ensure!(
            br.js("return window.__sameDocument === true;")
                .await?
                .as_bool()
                == Some(true),
            "navigation reloaded the page"
        );

        // A deep link, in a fresh page load.
        br.goto(&ticket_url(gw, seed::TICKET_SUCCEED)).await?;
        br.find(".coc-summary").await?;
        check_every_field(br, &ticket).await?;

        // The start page lists it as recent.
        br.goto(&format!("{}/", gw.url)).await?;
        br.wait_text(".coc-recent-list", seed::TICKET_SUCCEED)
            .await?;
        Ok(())
    })
    .await
}

#[tokio::test]
async fn terminate_a_running_ticket_through_the_dialog_until_cancelled() -> Result<()> {
    run("terminate", &[], (W, H), async |gw, br| {
        let id = open_running(gw, br, seed::DOC_NORMAL).await?;

        // Keyboard: focus the button and press Enter.
        let button = br.find(&op_button(OperateType::Terminate)).await?;
        br.js(&format!(
            "document.querySelector('{}').focus();",
            op_button(OperateType::Terminate).replace('\'', "\\'")
        ))
        .await?;
        button.send_keys(&Key::Enter.to_string()).await?;
        wait_for("the dialog", Duration::from_secs(5), || async {
            Ok(dialog_open(br).await?.then_some(()))
        })
        .await?;
        let text = br.text_content("dialog.coc-dialog").await?;
        ensure!(
            text.contains(&id) && text.contains("cannot be resumed"),
            "{text}"
        );
        ensure!(
            active_class(br).await?.contains("coc-confirm-input"),
            "focus starts in the id field"
        );

        // Tab stays inside the dialog (the disabled confirm is skipped).
        for _ in 0..3 {
            br.client
                .active_element()
                .await?
                .send_keys(&Key::Tab.to_string())
                .await?;
            let inside = br
                .js("return !!document.activeElement.closest('dialog.coc-dialog');")
                .await?;
            ensure!(inside.as_bool() == Some(true), "focus left the dialog");
        }
        // Escape closes it and sends nothing.
        br.client
            .active_element()
            .await?
            .send_keys(&Key::Escape.to_string())
            .await?;
        wait_for("the dialog to close", Duration::from_secs(5), || async {
            Ok((!dialog_open(br).await?).then_some(()))
        })
        .await?;
        ensure!(
            ops_log(gw, &id).await?.is_empty(),
            "Escape sent an operation"
        );

        // Again, this time typing the id.
        br.click(&op_button(OperateType::Terminate)).await?;
        let input = br.find("dialog .coc-confirm-input").await?;
        ensure!(
            br.find("dialog .coc-dialog-confirm")
                .await?
                .attr("disabled")
                .await?
                .is_some()
        );
        input.send_keys(&id).await?;
        // The gateway requires a reason for TERMINATE (its default): the
        // id alone does not unlock the button.
        ensure!(
            br.find("dialog .coc-dialog-confirm")
                .await?
                .attr("disabled")
                .await?
                .is_some(),
            "confirm waits for the reason"
        );
        br.wait_text("dialog [data-role=reason-note]", "requires a reason")
            .await?;
        br.find("dialog [data-role=reason]")
            .await?
            .send_keys("stuck for an hour, see INC-42")
            .await?;
        br.click("dialog .coc-dialog-confirm").await?;
        br.wait_text("[data-role=notice]", "TERMINATE").await?;
        wait_status(br, "Cancelling").await?;

        // The simulator cancels after a second of its time.
        gw.advance(2_000).await?;
        wait_status(br, "Cancelled").await?;
        br.wait_text("[data-role=notice]", "TERMINATE done").await?;
        br.wait_text("[data-role=announcer]", "now Cancelled")
            .await?;
        let title = br.client.title().await?;
        ensure!(title.contains("Cancelled"), "{title}");
        let log = ops_log(gw, &id).await?;
        ensure!(
            log.len() == 1 && log[0]["operate_type"] == "TERMINATE" && log[0]["accepted"] == true,
            "{log:?}"
        );
        // Nothing is offered any more, and each button says why.
        let why = br
            .text_content(".coc-op[data-op=\"RESUME\"] .coc-op-why")
            .await?;
        ensure!(why.contains("cancelled"), "{why}");
        Ok(())
    })
    .await
}

#[tokio::test]
async fn retry_a_failed_ticket() -> Result<()> {
    run("retry", &[], (W, H), async |gw, br| {
        let id = gw.execute(seed::DOC_FLAKY).await?;
        gw.advance_until(&id, 5_000, 200, |s| *s == S::Failed)
            .await?;
        open_ticket(gw, br, &id).await?;
        wait_status(br, "Failed").await?;
        ensure!(
            br.find(&op_button(OperateType::Terminate))
                .await?
                .attr("aria-disabled")
                .await?
                .as_deref()
                == Some("true")
        );
        br.click(&op_button(OperateType::Retry)).await?;
        br.wait_text("[data-role=notice]", "RETRY").await?;
        wait_status(br, "Running").await?;
        gw.advance_until(&id, 5_000, 200, |s| *s == S::Succeed)
            .await?;
        wait_status(br, "Succeeded").await?;
        let log = ops_log(gw, &id).await?;
        ensure!(
            log.len() == 1 && log[0]["operate_type"] == "RETRY",
            "{log:?}"
        );
        Ok(())
    })
    .await
}

#[tokio::test]
async fn resume_a_suspended_ticket() -> Result<()> {
    run("resume", &[], (W, H), async |gw, br| {
        let id = gw.execute(seed::DOC_BATCH).await?;
        gw.advance_until(&id, 5_000, 200, |s| *s == S::Pending)
            .await?;
        open_ticket(gw, br, &id).await?;
        wait_status(br, "Suspended").await?;
        br.click(&op_button(OperateType::Resume)).await?;
        br.wait_text("[data-role=notice]", "RESUME").await?;
        wait_status(br, "Running").await?;
        let log = ops_log(gw, &id).await?;
        ensure!(
            log.len() == 1 && log[0]["operate_type"] == "RESUME" && log[0]["accepted"] == true,
            "{log:?}"
        );
        Ok(())
    })
    .await
}

#[tokio::test]
async fn skip_batch_on_a_batch_ticket() -> Result<()> {
    run("skip-batch", &[], (W, H), async |gw, br| {
        let id = open_running(gw, br, seed::DOC_BATCH).await?;
        br.click(&op_button(OperateType::SkipBatch)).await?;
        let text = br
            .wait_text("dialog.coc-dialog", "Skip the current batch")
            .await?;
        ensure!(text.contains(&id) && text.contains("unrun"), "{text}");
        ensure!(
            active_class(br).await?.contains("coc-dialog-cancel"),
            "focus starts on Cancel"
        );
        br.find("dialog [data-role=reason]")
            .await?
            .send_keys("batch 1 hosts are drained")
            .await?;
        br.click("dialog .coc-dialog-confirm").await?;
        br.wait_text("[data-role=notice]", "SKIP_BATCH").await?;
        let log = wait_for("the operation log", Duration::from_secs(5), || async {
            let log = ops_log(gw, &id).await?;
            Ok((!log.is_empty()).then_some(log))
        })
        .await?;
        ensure!(
            log.len() == 1 && log[0]["operate_type"] == "SKIP_BATCH" && log[0]["accepted"] == true,
            "{log:?}"
        );
        Ok(())
    })
    .await
}

#[tokio::test]
async fn a_refused_operation_shows_code_message_and_request_id() -> Result<()> {
    run("refused", &[], (W, H), async |gw, br| {
        let id = open_running(gw, br, seed::DOC_NORMAL).await?;
        // Freeze the page's view, then change the ticket behind its back.
        br.click(".coc-livebar button[aria-pressed]").await?;
        br.wait_text(".coc-live-mode", "Paused").await?;
        gw.operate(&id, OperateType::Terminate).await?;
        gw.advance_until(&id, 1000, 10, |s| *s == S::Canceled).await?;
        ensure!(status_word(br).await? == "Running", "the page is stale on purpose");

        br.click(&op_button(OperateType::Terminate)).await?;
        br.find("dialog .coc-confirm-input").await?.send_keys(&id).await?;
        br.find("dialog [data-role=reason]").await?.send_keys("stale page on purpose").await?;
        br.click("dialog .coc-dialog-confirm").await?;
        br.find("[data-role=op-error]").await?;
        let log = ops_log(gw, &id).await?;
        ensure!(log.len() == 2, "{log:?}");
        let refused = &log[1];
        ensure!(refused["accepted"] == false);
        let code = br.text_content("[data-role=op-error] .coc-error-code").await?;
        ensure!(Some(code.as_str()) == refused["error_code"].as_str(), "code {code} vs {refused}");
        let rid = br.text_content("[data-role=op-error] .coc-error-request-id").await?;
        ensure!(Some(rid.as_str()) == refused["request_id"].as_str(), "request id {rid} vs {refused}");
        let msg = br.text_content("[data-role=op-error] .coc-error-msg").await?;
        ensure!(
            msg == format!("execution {id} is Canceled and cannot be terminated; only a Running or Pending execution can be terminated"),
            "{msg}"
        );
        ensure!(br.text_content("[data-role=op-error] .coc-error-status").await? == "400");
        Ok(())
    })
    .await
}

#[tokio::test]
async fn an_unknown_id_says_not_found() -> Result<()> {
    run("unknown", &[], (W, H), async |gw, br| {
        br.goto(&ticket_url(gw, "EX2099010100000000ffffff")).await?;
        let err = br.find(".coc-load-failed .coc-error").await?;
        ensure!(err.attr("data-kind").await?.as_deref() == Some("not-found"));
        let text = err.text().await?;
        ensure!(
            text.contains("Ticket not found") && text.contains("Check the ticket id"),
            "{text}"
        );
        let title = br.client.title().await?;
        ensure!(title.contains("not found"), "{title}");
        Ok(())
    })
    .await
}

#[tokio::test]
async fn a_stopped_gateway_warns_and_keeps_the_data() -> Result<()> {
    run("gateway-stopped", &[], (W, H), async |gw, br| {
        let id = gw.execute(seed::DOC_NORMAL).await?;
        open_ticket(gw, br, &id).await?;
        let name = br.text_content("[data-field=document_name]").await?;
        gw.stop().await?;
        br.click(".coc-livebar .coc-live-controls button:last-child")
            .await?;
        let warning = br
            .wait_text("[data-role=stale-warning]", "could not be reached")
            .await?;
        ensure!(warning.contains("Showing the last good data"), "{warning}");
        ensure!(
            br.text_content("[data-field=document_name]").await? == name,
            "data kept"
        );
        ensure!(br.text_content("[data-field=execution_id]").await? == id);
        Ok(())
    })
    .await
}

/// The live bar's "Refresh now".
const REFRESH: &str = ".coc-livebar .coc-live-controls button:last-child";

/// Each way the COC service can misbehave behind the gateway, on a ticket
/// already on screen: the page keeps the ticket and warns with the
/// gateway's code for it, and recovers when the service does.
#[tokio::test]
async fn a_misbehaving_service_keeps_the_last_good_data_with_the_matching_warning() -> Result<()> {
    run(
        "faults",
        &["--timeout-ms", "1500"],
        (W, H),
        async |gw, br| {
            let id = open_running(gw, br, seed::DOC_NORMAL).await?;
            let name = br.text_content("[data-field=document_name]").await?;
            for (fault, code) in [
                (json!({"latency_ms": 60_000}), "GATEWAY.UPSTREAM_TIMEOUT"),
                (
                    json!({"truncate_rate": 1.0}),
                    "GATEWAY.UPSTREAM_BAD_RESPONSE",
                ),
                (
                    json!({"html_200_rate": 1.0}),
                    "GATEWAY.UPSTREAM_BAD_RESPONSE",
                ),
                (
                    json!({"oversize_rate": 1.0}),
                    "GATEWAY.UPSTREAM_BAD_RESPONSE",
                ),
                (json!({"drop_rate": 1.0}), "GATEWAY.UPSTREAM_BAD_RESPONSE"),
                (json!({"html_502_rate": 1.0}), "not COC JSON (HTTP 502)"),
            ] {
                gw.set_faults(&fault).await?;
                // Refresh now rather than wait out the poller's back-off.
                br.click(REFRESH).await?;
                let warning = br
                    .wait_text("[data-role=stale-warning]", code)
                    .await
                    .with_context(|| format!("{fault}"))?;
                ensure!(
                    warning.contains("Showing the last good data"),
                    "{fault}: {warning}"
                );
                ensure!(
                    br.text_content("[data-field=document_name]").await? == name
                        && br.text_content("[data-field=execution_id]").await? == id,
                    "{fault}: the ticket stays on screen"
                );
                ensure!(status_word(br).await? == "Running", "{fault}");
                gw.set_faults(&json!({})).await?;
                br.click(REFRESH).await?;
                wait_for("the warning to clear", Duration::from_secs(15), || async {
                    Ok((!br.exists("[data-role=stale-warning]").await?).then_some(()))
                })
                .await
                .with_context(|| format!("after {fault}"))?;
            }
            ensure!(ops_log(gw, &id).await?.is_empty(), "nothing was operated");
            Ok(())
        },
    )
    .await
}

/// The service applies a TERMINATE and its answer breaks off halfway: the
/// page says the outcome is unknown (never "failed"), sends it once, and
/// watches the ticket until it shows.
#[tokio::test]
async fn an_operation_whose_answer_breaks_off_is_unknown_sent_once_and_watched() -> Result<()> {
    run("outcome-unknown", &[], (W, H), async |gw, br| {
        let id = open_running(gw, br, seed::DOC_NORMAL).await?;
        gw.set_faults(&json!({"truncate_rate": 1.0})).await?;
        br.click(&op_button(OperateType::Terminate)).await?;
        br.find("dialog .coc-confirm-input")
            .await?
            .send_keys(&id)
            .await?;
        br.find("dialog [data-role=reason]")
            .await?
            .send_keys("answer breaks off on purpose")
            .await?;
        br.click("dialog .coc-dialog-confirm").await?;
        let notice = br
            .wait_text("[data-role=notice]", "outcome unknown")
            .await?;
        for words in [
            "GATEWAY.OUTCOME_UNKNOWN",
            "may have been applied",
            "not retried",
        ] {
            ensure!(notice.contains(words), "{words}: {notice}");
        }
        ensure!(
            !br.exists("[data-role=op-error]").await?,
            "not shown as a failure"
        );
        let log = ops_log(gw, &id).await?;
        ensure!(log.len() == 1, "sent once: {log:?}");
        ensure!(
            log[0]["accepted"] == true,
            "the service applied it: {log:?}"
        );
        let audit = gw.audit(&id).await?;
        ensure!(
            audit.records.first().map(|r| r.outcome.as_str()) == Some("unknown"),
            "{audit:?}"
        );

        // The service recovers; the watched ticket shows the TERMINATE.
        gw.set_faults(&json!({})).await?;
        gw.advance_until(&id, 1000, 10, |s| *s == S::Canceled)
            .await?;
        br.wait_text("[data-role=notice]", "TERMINATE done").await?;
        wait_status(br, "Cancelled").await?;
        ensure!(ops_log(gw, &id).await?.len() == 1, "still once");
        Ok(())
    })
    .await
}

#[tokio::test]
async fn a_double_click_sends_one_post() -> Result<()> {
    run("double-click", &[], (W, H), async |gw, br| {
        let id = gw.execute(seed::DOC_FLAKY).await?;
        gw.advance_until(&id, 5_000, 200, |s| *s == S::Failed)
            .await?;
        open_ticket(gw, br, &id).await?;
        wait_status(br, "Failed").await?;
        let button = br.find(&op_button(OperateType::Retry)).await?;
        let mouse = MouseActions::new("mouse".into())
            .then(PointerAction::MoveToElement {
                element: button,
                duration: None,
                x: 0.0,
                y: 0.0,
            })
            .then(PointerAction::Down {
                button: MOUSE_BUTTON_LEFT,
            })
            .then(PointerAction::Up {
                button: MOUSE_BUTTON_LEFT,
            })
            .then(PointerAction::Down {
                button: MOUSE_BUTTON_LEFT,
            })
            .then(PointerAction::Up {
                button: MOUSE_BUTTON_LEFT,
            });
        br.client.perform_actions(mouse).await?;
        br.wait_text("[data-role=notice]", "RETRY").await?;
        // Give a second POST every chance to arrive before counting.
        tokio::time::sleep(Duration::from_millis(500)).await;
        let log = ops_log(gw, &id).await?;
        ensure!(log.len() == 1, "{} operations received: {log:?}", log.len());
        Ok(())
    })
    .await
}

/// index.html paints the job name from its early GET while the wasm loads
/// (the paint benchmark's first figure). Here the console is served without
/// its wasm, so that only the early paint can show: the name, as text, and
/// the ticket id; with the wasm, the console's own header replaces it and
/// one job name remains.
#[tokio::test]
async fn the_job_name_shows_before_the_console_and_gives_way_to_it() -> Result<()> {
    let serial = coc_e2e::serial().await;
    let env = coc_e2e::test_env()?;
    // The precompressed copies go too: the gateway serves the plain files.
    let no_wasm = coc_e2e::dist_copy(&env, "no-wasm", |p| {
        !p.extension()
            .is_some_and(|e| e == "wasm" || e == "br" || e == "gz")
    })?;
    let bare = coc_e2e::TestEnv {
        dist_dir: no_wasm.clone(),
        ..env.clone()
    };
    let gw = Gateway::start(&bare).await?;
    let br = Browser::start(W, H).await?;
    let early = async {
        br.goto(&ticket_url(&gw, seed::TICKET_XSS)).await?;
        let name = br
            .wait_text("#coc-early h2", "<img src=x onerror=alert(1)>")
            .await?;
        ensure!(!name.is_empty());
        let id = br.text_content("#coc-early code").await?;
        ensure!(id == seed::TICKET_XSS, "{id}");
        let injected = br.count("#coc-early img, #coc-early script").await?;
        ensure!(injected == 0, "elements were injected: {injected}");
        // What the paint benchmark reads.
        let timing = br
            .client
            .execute_async(
                r#"const done = arguments[arguments.length - 1];
                new PerformanceObserver((l) => {
                  const e = l.getEntries().find((e) => e.identifier === "ticket-name");
                  if (e) done(e.id + " " + (e.renderTime || e.loadTime));
                }).observe({ type: "element", buffered: true });
                setTimeout(() => done(null), 3000);"#,
                vec![],
            )
            .await?;
        note(&format!(
            "early job name painted (Element Timing): {timing}"
        ));
        ensure!(
            timing
                .as_str()
                .is_some_and(|t| t.starts_with("coc-early-name ")),
            "{timing}"
        );
        // A page that is not a ticket's has no early paint.
        br.goto(&format!("{}/settings", gw.url)).await?;
        tokio::time::sleep(Duration::from_millis(300)).await;
        ensure!(br.count("#coc-early:not([hidden])").await? == 0);
        Ok(())
    }
    .await;
    br.close().await?;
    drop(gw);
    let _ = std::fs::remove_dir_all(&no_wasm);
    drop(serial);
    early?;

    run("early-paint", &[], (W, H), async |gw, br| {
        open_ticket(gw, br, seed::TICKET_SUCCEED).await?;
        br.find("[data-field=document_name]").await?;
        wait_for(
            "the early job name to go",
            Duration::from_secs(5),
            || async {
                Ok((br
                    .count("#coc-early:not([hidden]):not([data-gone])")
                    .await?
                    == 0)
                    .then_some(()))
            },
        )
        .await?;
        let names = br
            .count("[elementtiming=ticket-name]:not([hidden] *, [data-gone] *)")
            .await?;
        ensure!(names == 1, "{names} job names on the page");
        Ok(())
    })
    .await
}

#[tokio::test]
async fn markup_in_ticket_fields_stays_inert() -> Result<()> {
    run("xss", &[], (W, H), async |gw, br| {
        open_ticket(gw, br, seed::TICKET_XSS).await?;
        let name = br.text_content("[data-field=document_name]").await?;
        ensure!(name.contains("<img src=x onerror=alert(1)>"), "{name}");
        let desc = br.text_content("[data-field=description]").await?;
        ensure!(desc.contains("<script>alert(1)</script>"), "{desc}");
        ensure!(
            br.text_content("[data-field=parameters]")
                .await?
                .contains("<script>alert(1)</script>")
        );
        let injected = br.count(".coc-ticket img, .coc-ticket script").await?;
        ensure!(injected == 0, "elements were injected: {injected}");
        // alert(1) never ran: no dialog is open.
        if let Ok(text) = br.client.get_alert_text().await {
            bail!("an alert is open: {text}");
        }
        Ok(())
    })
    .await
}

#[tokio::test]
async fn a_wrong_gateway_url_shows_the_network_and_cors_hint() -> Result<()> {
    run("network", &[], (W, H), async |gw, br| {
        br.goto(&format!("{}/settings", gw.url)).await?;
        br.find("#coc-set-url")
            .await?
            .send_keys("http://127.0.0.1:9")
            .await?;
        br.click(".coc-settings button[type=submit]").await?;
        br.wait_text(".coc-saved", "Saved").await?;
        br.goto(&ticket_url(gw, seed::TICKET_SUCCEED)).await?;
        let err = br.find(".coc-load-failed .coc-error").await?;
        ensure!(err.attr("data-kind").await?.as_deref() == Some("network"));
        let text = err.text().await?;
        ensure!(
            text.contains("allowed CORS origins") && text.contains(&gw.url),
            "{text}"
        );
        // Reset, and the ticket loads again.
        br.goto(&format!("{}/settings", gw.url)).await?;
        br.click(".coc-settings button[type=button]").await?;
        br.click(".coc-settings button[type=submit]").await?;
        br.wait_text(".coc-saved", "Saved").await?;
        open_ticket(gw, br, seed::TICKET_SUCCEED).await?;
        // The gateway's CSP (connect-src 'self') refused the connection to
        // the other origin, exactly as the hint says. That one violation is
        // expected; any other CSP message is not.
        let logs = br.logs().await?;
        for entry in &logs {
            let m = entry["message"].as_str().unwrap_or_default();
            if m.contains("Content Security Policy") {
                ensure!(
                    m.contains("127.0.0.1:9/") || m.contains("connect-src"),
                    "unexpected CSP message: {m}"
                );
            }
        }
        Ok(())
    })
    .await
}

#[tokio::test]
async fn the_large_ticket_keeps_a_bounded_dom() -> Result<()> {
    run("large", &[], (W, H), async |gw, br| {
        open_ticket(gw, br, seed::TICKET_LARGE).await?;
        br.wait_text("[data-field=target_count]", "10,000").await?;
        let nodes = br.count("*").await?;
        let rows = br.count(".coc-targets-table tbody tr").await?;
        note(&format!(
            "large ticket (10,000 targets, 1,000 parameters): {nodes} elements in the page"
        ));
        ensure!(rows == 50, "{rows}");
        // 1,000 parameters start with the first 50, the targets stay paged.
        ensure!(nodes < 1_500, "{nodes} elements");
        br.click(".coc-more").await?;
        br.wait_text("[data-field=parameters]", "config_key_0999")
            .await?;
        Ok(())
    })
    .await
}

/// Screenshots of the ticket page in light and dark, wide and embedded.
/// The simulator's clock starts at the real time here, so that durations and
/// "N min ago" read as they would in production.
#[tokio::test]
async fn screenshots_light_and_dark() -> Result<()> {
    let start = sim_start_now();
    run(
        "screenshots",
        &["--sim-start-ms", &start],
        (W, 1300),
        async |gw, br| {
            open_ticket(gw, br, seed::TICKET_BATCH_RUNNING).await?;
            br.set_theme("light").await?;
            let p = br.screenshot("ticket-light").await?;
            note(&format!("saved {}", p.display()));
            br.set_theme("dark").await?;
            let p = br.screenshot("ticket-dark").await?;
            note(&format!("saved {}", p.display()));

            // The Terminate dialog, in dark.
            br.click(&op_button(OperateType::Terminate)).await?;
            br.find("dialog[open]").await?;
            br.screenshot("ticket-dark-dialog").await?;
            br.client
                .active_element()
                .await?
                .send_keys(&Key::Escape.to_string())
                .await?;

            // A narrow embedded panel.
            br.set_theme("light").await?;
            br.client.set_window_size(420, 1000).await?;
            br.goto(&format!(
                "{}?embed=1",
                ticket_url(gw, seed::TICKET_BATCH_RUNNING)
            ))
            .await?;
            br.find(".coc-summary").await?;
            ensure!(
                !br.exists(".coc-header").await?,
                "embed mode drops the chrome"
            );
            br.screenshot("ticket-embed-narrow").await?;
            Ok(())
        },
    )
    .await
}

#[tokio::test]
async fn refused_credentials_give_the_hint_and_a_pasted_token_works() -> Result<()> {
    run(
        "token",
        &["--auth", "passthrough-token"],
        (W, H),
        async |gw, br| {
            br.goto(&ticket_url(gw, seed::TICKET_SUCCEED)).await?;
            let err = br.find(".coc-load-failed .coc-error").await?;
            ensure!(err.attr("data-kind").await?.as_deref() == Some("auth"));
            let text = err.text().await?;
            ensure!(
                text.contains("credentials were refused") && text.contains("IAM token"),
                "{text}"
            );
            ensure!(
                text.contains("GATEWAY.TOKEN_REQUIRED"),
                "the gateway's own code is shown: {text}"
            );

            br.goto(&format!("{}/settings", gw.url)).await?;
            br.click("input[name=coc-auth][value=token]").await?;
            br.find("#coc-set-token")
                .await?
                .send_keys("tok-e2e-123")
                .await?;
            br.click(".coc-settings button[type=submit]").await?;
            br.wait_text(".coc-saved", "Saved").await?;
            let stored = br
            .js("return [sessionStorage.getItem('coc.token'), localStorage.getItem('coc.token')];")
            .await?;
            ensure!(
                stored == serde_json::json!(["tok-e2e-123", null]),
                "token kept for the session only: {stored}"
            );

            open_ticket(gw, br, seed::TICKET_SUCCEED).await?;
            wait_status(br, "Succeeded").await?;
            Ok(())
        },
    )
    .await
}

#[tokio::test]
async fn embedded_the_console_stays_in_the_ticket_and_keeps_the_flag() -> Result<()> {
    run("embed", &[], (W, H), async |gw, br| {
        // An id that is not one is refused at the route, before any request.
        br.goto(&format!("{}/executions/EX%20bad", gw.url)).await?;
        let t = br.wait_text("[data-role=bad-id]", "Ticket id:").await?;
        ensure!(t.contains("could not be built"), "{t}");

        // The list in a portal's frame (`embed=true` reads like `embed=1`):
        // clicking through keeps the flag, and nothing leaves the ticket.
        br.goto(&format!("{}/executions?embed=true", gw.url))
            .await?;
        br.find(".coc-list-table tbody tr").await?;
        ensure!(!br.exists(".coc-header").await?, "no chrome in a frame");
        br.click(".coc-list-table tbody tr:first-child a.coc-list-job")
            .await?;
        br.find(".coc-summary").await?;
        let url = br.client.current_url().await?;
        ensure!(
            url.query().is_some_and(|q| q.contains("embed=1")),
            "the ticket keeps the flag: {url}"
        );
        ensure!(!br.exists(".coc-header").await?, "still no chrome");
        ensure!(!br.exists(".coc-back").await?, "no way back to the list");
        let leaving = br
            .js("return [...document.querySelectorAll('a[href]')]
                .filter(a => !a.getAttribute('href').startsWith('#')
                    && !a.href.includes('embed=1') && a.target !== '_blank')
                .map(a => a.outerHTML);")
            .await?;
        ensure!(
            leaving.as_array().is_some_and(Vec::is_empty),
            "links that would leave the frame: {leaving}"
        );
        Ok(())
    })
    .await
}
