//! The ticket list and the inside of a ticket (steps, batches, instances),
//! end to end: a real Chromium over WebDriver against a gateway in simulator
//! mode (manual clock) serving the release build.
//!
//! What the page shows is checked against what the API answers for the same
//! query (through the same gateway), never against hard-coded numbers. Each
//! test gets its own gateway and browser; tests that change state use fresh
//! tickets from ExecuteDocument; simulated time only moves through
//! `/__sim/advance`. Waiting for the page (its polls) is real time.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use anyhow::{Context as _, Result, ensure};
use coc_e2e::fantoccini::key::Key;
use coc_e2e::{Browser, Gateway, note, run_in_browser, seed, sim_start_now, wait_for};
use serde_json::{Value, json};

const W: u32 = 1280;
const H: u32 = 1000;

/// The ticket ids and the total the API lists for a query (`limit=…&…`).
async fn api_page(gw: &Gateway, query: &str) -> Result<(Vec<String>, u64)> {
    let v = gw.get_json(&format!("/v1/executions?{query}")).await?;
    let ids = v["data"]
        .as_array()
        .context("data")?
        .iter()
        .map(|t| t["execution_id"].as_str().unwrap_or_default().to_owned())
        .collect();
    Ok((ids, v["total"].as_u64().context("total")?))
}

/// The ticket ids in the list on the page, in order.
async fn page_ids(br: &Browser) -> Result<Vec<String>> {
    let v = br
        .js("return Array.from(document.querySelectorAll('.coc-list-table tbody .coc-list-id')).map(e => e.textContent);")
        .await?;
    Ok(serde_json::from_value(v)?)
}

/// Waits until the page lists exactly `want`.
async fn wait_ids(br: &Browser, want: &[String]) -> Result<()> {
    wait_for(
        &format!("the list to show {want:?}"),
        Duration::from_secs(15),
        || async { Ok((page_ids(br).await? == want).then_some(())) },
    )
    .await
}

/// Types into a filter field and applies the filters with Enter.
async fn filter(br: &Browser, field: &str, value: &str) -> Result<()> {
    let input = br.find(&format!("#coc-f-{field}")).await?;
    input.clear().await?;
    input.send_keys(value).await?;
    input.send_keys(&Key::Enter.to_string()).await?;
    Ok(())
}

#[tokio::test]
async fn the_list_filters_by_creator_and_tag_pages_and_opens_a_ticket() -> Result<()> {
    run_in_browser("list", &[], (W, H), async |gw, br| {
        // Everything, newest first, 20 a page.
        br.goto(&format!("{}/executions", gw.url)).await?;
        let (ids, total) = api_page(gw, "limit=20").await?;
        ensure!(total > 20, "the seed has more than a page: {total}");
        wait_ids(br, &ids).await?;
        let range = br.text_content(".coc-list .coc-range").await?;
        ensure!(range == format!("1–20 of {total}"), "{range}");
        ensure!(br.client.title().await?.starts_with("Tickets"));

        // By creator: the URL carries the filter, the rows are the API's.
        // (Column 5: the pick box, status, job, type, creator.)
        filter(br, "creator", "zhang").await?;
        br.wait_url("/executions?creator=zhang").await?;
        let (ids, n) = api_page(gw, "limit=20&creator=zhang").await?;
        ensure!(n > 0 && n < total, "{n} of {total}");
        wait_ids(br, &ids).await?;
        let creators = br
            .js("return Array.from(document.querySelectorAll('.coc-list-table tbody tr td:nth-child(5)')).map(e => e.textContent);")
            .await?;
        for c in creators.as_array().context("creators")? {
            ensure!(c.as_str().unwrap_or_default().contains("zhang"), "{c}");
        }

        // By tag (and still by creator): a link that holds both.
        filter(br, "tags", "team=sre").await?;
        br.wait_url("/executions?creator=zhang&tags=team%3Dsre").await?;
        let (ids, m) = api_page(gw, "limit=20&creator=zhang&tags=team%3Dsre").await?;
        ensure!(m > 0 && m <= n, "{m} of {n}");
        wait_ids(br, &ids).await?;
        for id in &ids {
            let t = gw.ticket(id).await?;
            ensure!(
                t.tags.iter().any(|kv| kv.key == "team" && kv.value.as_deref() == Some("sre")),
                "{id} has team=sre"
            );
        }
        // The link alone, in a fresh load, gives the same view.
        br.goto(&format!("{}/executions?creator=zhang&tags=team%3Dsre", gw.url))
            .await?;
        wait_ids(br, &ids).await?;
        let creator = br
            .js("return document.getElementById('coc-f-creator').value;")
            .await?;
        ensure!(creator == json!("zhang"), "{creator}");

        // A filter nothing matches says so, with the way out.
        filter(br, "creator", "nobody-at-all").await?;
        br.wait_text("[data-role=list-note]", "No tickets match these filters")
            .await?;
        br.click("[data-role=list-note] a").await?;
        br.wait_url("/executions").await?;

        // Paging: the second page is the API's second page.
        let (ids2, _) = api_page(gw, "limit=20&offset=20").await?;
        br.find(".coc-list-table").await?;
        br.click(".coc-list button[aria-label=\"Next page\"]").await?;
        br.wait_url("/executions?offset=20").await?;
        wait_ids(br, &ids2).await?;
        let range = br.text_content(".coc-list .coc-range").await?;
        ensure!(range.starts_with("21–"), "{range}");
        // A page size of 50, from the select, as a link too.
        br.js("const s = document.querySelector('select[name=limit]'); s.value = '50'; s.dispatchEvent(new Event('change', {bubbles: true}));")
            .await?;
        br.wait_url("/executions?limit=50").await?;
        let (ids50, _) = api_page(gw, "limit=50").await?;
        wait_ids(br, &ids50).await?;

        // Back and forward move through the views without a reload.
        br.js("window.__sameDocument = true;").await?;
        br.client.back().await?;
        br.wait_url("/executions?offset=20").await?;
        wait_ids(br, &ids2).await?;
        br.client.back().await?;
        br.wait_url("/executions").await?;
        br.client.back().await?;
        br.wait_url("/executions?creator=nobody-at-all&tags=team%3Dsre").await?;
        br.client.forward().await?;
        br.wait_url("/executions").await?;
        ensure!(
            br.js("return window.__sameDocument === true;").await?.as_bool() == Some(true),
            "navigation reloaded the page"
        );

        // A row opens its ticket, by keyboard; the ticket links back.
        let (ids, _) = api_page(gw, "limit=20").await?;
        wait_ids(br, &ids).await?;
        let link = br.find(".coc-list-table tbody tr:nth-child(2) a").await?;
        link.send_keys(&Key::Enter.to_string()).await?;
        br.wait_url(&format!("/executions/{}", ids[1])).await?;
        br.wait_text("[data-field=execution_id]", &ids[1]).await?;
        br.click(".coc-back a").await?;
        br.wait_url("/executions").await?;
        wait_ids(br, &ids).await?;
        Ok(())
    })
    .await
}

#[tokio::test]
async fn the_list_leaves_out_child_tickets_and_reads_times_as_local() -> Result<()> {
    run_in_browser("list-child-time", &[], (W, H), async |gw, br| {
        br.goto(&format!("{}/executions?limit=100", gw.url)).await?;
        let (all, total) = api_page(gw, "limit=100").await?;
        wait_ids(br, &all).await?;
        br.click("input[name=exclude_child_executions]").await?;
        br.click(".coc-filters button[type=submit]").await?;
        br.wait_url("/executions?limit=100&exclude_child_executions=true")
            .await?;
        let (parents, n) = api_page(gw, "limit=100&exclude_child_executions=true").await?;
        ensure!(n < total, "the seed has child tickets: {n} of {total}");
        wait_ids(br, &parents).await?;

        // "Started after", typed as local time, is sent as epoch ms.
        let local = "2025-06-29T00:00";
        let ms = br
            .js(&format!("return new Date('{local}').getTime();"))
            .await?
            .as_i64()
            .context("ms")?;
        br.js(&format!(
            "document.getElementById('coc-f-start_time').value = '{local}';"
        ))
        .await?;
        br.click(".coc-filters button[type=submit]").await?;
        let want = format!("/executions?limit=100&start_time={ms}&exclude_child_executions=true");
        br.wait_url(&want).await?;
        let (ids, _) = api_page(
            gw,
            &format!("limit=100&start_time={ms}&exclude_child_executions=true"),
        )
        .await?;
        wait_ids(br, &ids).await?;
        ensure!(
            ids.len() < parents.len(),
            "the time filter narrowed the list"
        );
        // The form shows it back the way it was typed.
        let shown = br
            .js("return document.getElementById('coc-f-start_time').value;")
            .await?;
        ensure!(
            shown.as_str().is_some_and(|s| s.starts_with(local)),
            "{shown}"
        );
        // A malformed tag is refused next to the field; the URL stays.
        br.find("#coc-f-tags").await?.send_keys("env").await?;
        br.click(".coc-filters button[type=submit]").await?;
        br.wait_text("#coc-filter-problem", "Tags:").await?;
        ensure!(br.path_and_query().await? == want);
        ensure!(
            br.find("#coc-f-tags")
                .await?
                .attr("aria-invalid")
                .await?
                .as_deref()
                == Some("true")
        );
        Ok(())
    })
    .await
}

/// A step's instances as the API lists them (every page).
async fn api_instances(gw: &Gateway, step: &str) -> Result<Vec<Value>> {
    let mut out = Vec::new();
    loop {
        let v = gw
            .get_json(&format!(
                "/v1/executions/instances?execution_step_id={step}&limit=100&offset={}",
                out.len()
            ))
            .await?;
        let page = v["data"].as_array().cloned().unwrap_or_default();
        let total = v["total"].as_u64().unwrap_or(0) as usize;
        let n = page.len();
        out.extend(page);
        if n == 0 || out.len() >= total {
            return Ok(out);
        }
    }
}

/// Every instance of a ticket, over all its steps.
async fn api_all_instances(gw: &Gateway, id: &str) -> Result<Vec<Value>> {
    let steps = gw.get_json(&format!("/v1/executions/{id}/steps")).await?;
    let mut out = Vec::new();
    for s in steps["data"].as_array().context("steps")? {
        out.extend(api_instances(gw, s["execution_step_id"].as_str().context("step id")?).await?);
    }
    Ok(out)
}

fn batch_of(i: &Value) -> String {
    i["properties"]["batch_index"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn steps_and_instances_follow_a_running_batch_ticket() -> Result<()> {
    run_in_browser("timeline", &[], (W, H), async |gw, br| {
        let id = gw.running_ticket(seed::DOC_BATCH).await?;
        br.goto(&format!("{}/executions/{id}", gw.url)).await?;
        br.find(".coc-summary").await?;
        // Step 1 is current and open; batch 1 of 3 runs.
        br.wait_text("[data-role=batch-summary]", "Batch 1 of 3 is current.")
            .await?;
        let current = br.find(".coc-step[aria-current=step]").await?;
        ensure!(
            current
                .attr("data-step")
                .await?
                .unwrap_or_default()
                .ends_with("-01")
        );
        br.find(".coc-step[aria-current=step] .coc-instances")
            .await?;
        let steps = gw.get_json(&format!("/v1/executions/{id}/steps")).await?;
        let first = steps["data"][0]["execution_step_id"]
            .as_str()
            .context("id")?
            .to_owned();
        let running = api_instances(gw, &first)
            .await?
            .iter()
            .filter(|i| i["status"] == "Running")
            .count();
        br.wait_text(
            ".coc-step[aria-current=step] [data-role=step-counts]",
            &format!("{running} running"),
        )
        .await?;
        // Not-yet-run instances read "Waiting", never "Suspended".
        let words = br.text_content(".coc-timeline").await?;
        ensure!(
            words.contains("Waiting") && !words.contains("Suspended"),
            "{words}"
        );

        // Time passes: step 1 finishes for batch 1 and step 2 takes over.
        let before = br
            .text_content(".coc-step[aria-current=step] .coc-step-name")
            .await?;
        for _ in 0..40 {
            let steps = gw.get_json(&format!("/v1/executions/{id}/steps")).await?;
            if steps["data"][1]["status"] == "Running" {
                break;
            }
            gw.advance(1_000).await?;
        }
        let second = steps["data"][1]["name"]
            .as_str()
            .context("name")?
            .to_owned();
        br.wait_text(".coc-step[aria-current=step] .coc-step-name", &second)
            .await?;
        ensure!(before != second);
        let finished = api_instances(gw, &first)
            .await?
            .iter()
            .filter(|i| i["status"] == "Succeed")
            .count();
        br.wait_text(
            &format!(".coc-step[data-step=\"{first}\"] [data-role=step-counts]"),
            &format!("{finished} succeeded"),
        )
        .await?;
        Ok(())
    })
    .await
}

#[tokio::test]
async fn download_saves_the_ticket_with_its_steps_and_instances() -> Result<()> {
    run_in_browser("download", &[], (W, H), async |gw, br| {
        let id = seed::TICKET_SUCCEED;
        br.goto(&format!("{}/executions/{id}", gw.url)).await?;
        br.find(".coc-step").await?;
        br.find("[data-role=download-json]").await?.click().await?;
        let file: Value = serde_json::from_slice(&br.downloaded(&format!("{id}.json")).await?)
            .context("the downloaded file is JSON")?;

        // The ticket as the API answers it, every field of it.
        let api = gw.get_json(&format!("/v1/executions/{id}")).await?;
        ensure!(file["execution_id"] == id, "{}", file["execution_id"]);
        ensure!(
            file["execution"] == api["data"],
            "saved {} != API {}",
            file["execution"],
            api["data"]
        );
        // Every step, with all of its instances, in the API's order.
        let steps = gw.get_json(&format!("/v1/executions/{id}/steps")).await?;
        let api_steps = steps["data"].as_array().context("steps")?;
        let saved = file["steps"].as_array().context("saved steps")?;
        ensure!(
            saved.len() == api_steps.len() && !saved.is_empty(),
            "{} steps saved, {} listed",
            saved.len(),
            api_steps.len()
        );
        for (s, a) in saved.iter().zip(api_steps) {
            ensure!(s["step"] == *a, "step {} != {a}", s["step"]);
            let step_id = a["execution_step_id"].as_str().context("step id")?;
            let instances = api_instances(gw, step_id).await?;
            ensure!(
                s["instances"] == Value::Array(instances.clone()),
                "instances of {step_id}"
            );
            ensure!(s["instances_complete"] == true && s["instances_total"] == instances.len());
        }
        Ok(())
    })
    .await
}

#[tokio::test]
async fn skip_batch_names_the_batch_and_count_then_the_next_batch_runs() -> Result<()> {
    run_in_browser("timeline-skip", &[], (W, H), async |gw, br| {
        let id = gw.running_ticket(seed::DOC_BATCH).await?;
        // Well into batch 1: some instances done, some running.
        gw.advance(12_000).await?;
        let all = api_all_instances(gw, &id).await?;
        let unrun = all
            .iter()
            .filter(|i| {
                batch_of(i) == "1" && (i["status"] == "Running" || i["status"] == "Pending")
            })
            .count();
        let running = all.iter().filter(|i| i["status"] == "Running").count();
        ensure!(unrun > 0 && running > 0, "{unrun} unrun, {running} running");

        br.goto(&format!("{}/executions/{id}", gw.url)).await?;
        br.wait_text("[data-role=batch-summary]", "Batch 1 of 3 is current.")
            .await?;
        // TERMINATE says how many instances run.
        br.click(".coc-op[data-op=\"TERMINATE\"] button").await?;
        let text = br.wait_text("dialog.coc-dialog", "still running").await?;
        ensure!(text.contains(&format!("{running} instance")), "{text}");
        br.client
            .active_element()
            .await?
            .send_keys(&Key::Escape.to_string())
            .await?;
        wait_for("the dialog to close", Duration::from_secs(5), || async {
            Ok((br
                .js("return !document.querySelector('dialog[open]');")
                .await?
                .as_bool()
                == Some(true))
            .then_some(()))
        })
        .await?;

        // SKIP_BATCH names batch 1 and what it leaves unrun.
        br.click(".coc-op[data-op=\"SKIP_BATCH\"] button").await?;
        let text = br
            .wait_text("dialog.coc-dialog", "Skip the current batch (batch 1 of 3)")
            .await?;
        ensure!(
            text.contains(&format!(
                "Skipping batch 1 leaves {unrun} of its instances unrun"
            )) && text.contains("goes on with batch 2"),
            "{text}"
        );
        br.find("dialog [data-role=reason]")
            .await?
            .send_keys("batch 1 checked by hand")
            .await?;
        br.click("dialog .coc-dialog-confirm").await?;
        br.wait_text("[data-role=notice]", "SKIP_BATCH").await?;
        let log = gw.operations(&id).await?;
        ensure!(
            log.len() == 1 && log[0]["operate_type"] == "SKIP_BATCH" && log[0]["accepted"] == true,
            "{log:?}"
        );
        // The timeline shows batch 2 running, batch 1's rest skipped.
        br.wait_text("[data-role=batch-summary]", "Batch 2 of 3 is current.")
            .await?;
        br.wait_text(".coc-batch-table tbody tr:nth-child(2)", "running")
            .await?;
        let b1 = br
            .text_content(".coc-batch-table tbody tr:nth-child(1)")
            .await?;
        ensure!(b1.contains("cancelled") && !b1.contains("waiting"), "{b1}");
        let skipped = api_all_instances(gw, &id)
            .await?
            .iter()
            .filter(|i| batch_of(i) == "1" && i["message"] == "skipped by SKIP_BATCH")
            .count();
        ensure!(skipped > 0, "the simulator skipped batch 1's rest");
        Ok(())
    })
    .await
}

#[tokio::test]
async fn the_large_ticket_pages_its_instances_with_a_bounded_dom() -> Result<()> {
    run_in_browser("timeline-large", &[], (W, H), async |gw, br| {
        br.goto(&format!("{}/executions/{}", gw.url, seed::TICKET_LARGE))
            .await?;
        br.wait_text("[data-field=target_count]", "10,000").await?;
        br.find(".coc-step[aria-current=step] .coc-instances").await?;
        let rows = br.count(".coc-instances tbody tr").await?;
        ensure!(rows == 20, "{rows}");
        let counts = br
            .text_content(".coc-step[aria-current=step] [data-role=step-counts]")
            .await?;
        ensure!(counts.contains("too many to count"), "{counts}");
        br.click(".coc-step[aria-current=step] button[aria-label=\"Last page\"]")
            .await?;
        br.wait_text(".coc-step[aria-current=step] .coc-range", "9,981–10,000 of 10,000")
            .await?;
        wait_for("the last rows", Duration::from_secs(10), || async {
            let first = br
                .js("const r = document.querySelector('.coc-instances tbody tr'); return r ? r.textContent : '';")
                .await?;
            Ok(first.as_str().is_some_and(|t| t.starts_with("9981")).then_some(()))
        })
        .await?;
        let nodes = br.count("*").await?;
        note(&format!("large ticket with its timeline open: {nodes} elements"));
        ensure!(nodes < 1_500, "{nodes} elements");
        Ok(())
    })
    .await
}

/// Screenshots of the list and of a batch ticket's timeline, light and dark.
/// The simulator's clock starts at the real time, so that times read as in
/// production.
#[tokio::test]
async fn screenshots_of_the_list_and_the_timeline() -> Result<()> {
    let start = sim_start_now();
    run_in_browser(
        "screenshots-list-timeline",
        &["--sim-start-ms", &start],
        (W, 1100),
        async |gw, br| {
            // The timeline in view, then a screenshot.
            let shoot = async |name: &str| -> Result<()> {
                br.js("document.querySelector('.coc-timeline').scrollIntoView();")
                    .await?;
                br.screenshot(name).await?;
                Ok(())
            };
            br.goto(&format!("{}/executions", gw.url)).await?;
            br.find(".coc-list-table").await?;
            br.set_theme("light").await?;
            br.screenshot("list-light").await?;
            br.set_theme("dark").await?;
            br.screenshot("list-dark").await?;

            br.goto(&format!(
                "{}/executions/{}",
                gw.url,
                seed::TICKET_BATCH_RUNNING
            ))
            .await?;
            br.find(".coc-step[aria-current=step] .coc-instances")
                .await?;
            br.set_theme("light").await?;
            shoot("timeline-light").await?;
            br.set_theme("dark").await?;
            shoot("timeline-dark").await?;

            // A narrow embedded panel.
            br.set_theme("light").await?;
            br.client.set_window_size(420, 1000).await?;
            br.goto(&format!(
                "{}/executions/{}?embed=1",
                gw.url,
                seed::TICKET_BATCH_RUNNING
            ))
            .await?;
            br.find(".coc-step[aria-current=step] .coc-instances")
                .await?;
            br.js("document.querySelector('.coc-timeline').scrollIntoView();")
                .await?;
            br.screenshot("timeline-embed-narrow").await?;
            Ok(())
        },
    )
    .await
}

/// The simulator's operations for each of `ids`, as their `operate_type`s.
async fn ops_of(gw: &Gateway, ids: &[String]) -> Result<Vec<Vec<String>>> {
    let mut out = Vec::new();
    for id in ids {
        let ops = gw.operations(id).await?;
        out.push(
            ops.iter()
                .map(|o| o["operate_type"].as_str().unwrap_or_default().to_owned())
                .collect(),
        );
    }
    Ok(out)
}

/// The `data-result` of each ticket's row in the bulk panel.
async fn bulk_results(br: &Browser, ids: &[String]) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for id in ids {
        let v = br
            .js(&format!(
                "const e = document.querySelector('[data-role=bulk] td[data-id=\"{id}\"]'); return e ? e.dataset.result : '';"
            ))
            .await?;
        out.push(v.as_str().unwrap_or_default().to_owned());
    }
    Ok(out)
}

/// Picks the rows of `ids` by clicking their boxes.
async fn pick(br: &Browser, ids: &[String]) -> Result<()> {
    for id in ids {
        br.click(&format!("input[data-pick=\"{id}\"]")).await?;
    }
    Ok(())
}

/// Opens the bulk preview of `op` and waits until every status is read.
async fn preview(br: &Browser, op: &str) -> Result<()> {
    br.click(&format!("[data-act=\"bulk:{op}\"]")).await?;
    wait_for("the bulk preview", Duration::from_secs(15), || async {
        Ok(br
            .exists("[data-role=bulk] [data-act=bulk-send]")
            .await?
            .then_some(()))
    })
    .await
}

/// Fresh running tickets, newest first (as the list shows them).
async fn running(gw: &Gateway, n: usize) -> Result<Vec<String>> {
    let mut ids = Vec::new();
    for _ in 0..n {
        ids.insert(0, gw.execute(seed::DOC_NORMAL).await?);
    }
    for id in &ids {
        gw.advance_until(id, 1_000, 10, |s| *s == coc_core::ExecutionStatus::Running)
            .await?;
    }
    Ok(ids)
}

#[tokio::test]
async fn a_bulk_terminate_previews_exactly_the_picked_tickets_and_sends_each_once() -> Result<()> {
    run_in_browser("bulk-terminate", &[], (W, H), async |gw, br| {
        let live = running(gw, 3).await?;
        br.goto(&format!("{}/executions", gw.url)).await?;
        wait_for("the new tickets listed", Duration::from_secs(15), || async {
            Ok(page_ids(br).await?.starts_with(&live).then_some(()))
        })
        .await?;
        // Two listed tickets that TERMINATE does not fit (finished).
        let mut done = Vec::new();
        for id in page_ids(br).await? {
            let t = gw.ticket(&id).await?;
            if t.status_or_unknown().is_terminal() && done.len() < 2 {
                done.push(id);
            }
        }
        ensure!(done.len() == 2, "two finished tickets on the first page: {done:?}");
        // A shift-click picks the range from the last box clicked.
        br.click(&format!("input[data-pick=\"{}\"]", live[0])).await?;
        br.js(&format!(
            "document.querySelector('input[data-pick=\"{}\"]').dispatchEvent(new MouseEvent('click', {{ bubbles: true, shiftKey: true }}));",
            live[2]
        ))
        .await?;
        pick(br, &done).await?;
        br.wait_text("[data-role=bulk-bar]", "5 tickets picked").await?;
        let picked: Vec<String> = live.iter().chain(&done).cloned().collect();

        preview(br, "TERMINATE").await?;
        let results = bulk_results(br, &picked).await?;
        ensure!(
            results == ["queued", "queued", "queued", "skipped", "skipped"],
            "the preview: {results:?}"
        );
        let table = br.text("[data-role=bulk] table").await?;
        ensure!(table.contains("Skipped: "), "{table}");
        ensure!(
            br.count("[data-role=bulk] tbody tr").await? == 5,
            "exactly the picked tickets, nothing else the list holds"
        );
        br.screenshot("bulk-preview").await?;

        // The wrong count sends nothing.
        let count = br.find("[data-role=bulk-count]").await?;
        count.send_keys("5").await?;
        br.find("[data-role=bulk-reason]")
            .await?
            .send_keys("incident 42: runaway jobs")
            .await?;
        br.click("[data-act=bulk-send]").await?;
        br.wait_text("[data-role=bulk-problem]", "Type 3").await?;
        ensure!(
            ops_of(gw, &picked).await?.iter().all(Vec::is_empty),
            "a refused confirmation sent something"
        );
        count.clear().await?;
        count.send_keys("3").await?;
        br.click("[data-act=bulk-send]").await?;
        br.wait_text("[data-role=bulk]", "3 of 3 answered: 3 accepted").await?;
        let results = bulk_results(br, &picked).await?;
        ensure!(
            results == ["succeeded", "succeeded", "succeeded", "skipped", "skipped"],
            "{results:?}"
        );
        let ops = ops_of(gw, &picked).await?;
        ensure!(
            ops == [vec!["TERMINATE"], vec!["TERMINATE"], vec!["TERMINATE"], vec![], vec![]],
            "the simulator received {ops:?}"
        );
        // Each ticket's operation is its own audit record, with the reason.
        for id in &live {
            let trail = gw.audit(id).await?;
            let ours: Vec<_> = trail
                .records
                .iter()
                .filter(|r| r.operation == "TERMINATE")
                .collect();
            ensure!(ours.len() == 1, "{id}: {} audit records", ours.len());
            ensure!(
                ours[0].reason.as_deref() == Some("incident 42: runaway jobs"),
                "{id}: {:?}",
                ours[0].reason
            );
        }
        br.screenshot("bulk-results").await?;

        // A reload shows the results again and sends nothing.
        br.goto(&format!("{}/executions", gw.url)).await?;
        br.wait_text("[data-role=bulk]", "3 of 3 answered: 3 accepted").await?;
        tokio::time::sleep(Duration::from_secs(2)).await;
        ensure!(ops_of(gw, &picked).await? == ops, "a reload sent again");
        br.click("[data-act=bulk-close]").await?;
        wait_for("the panel closed", Duration::from_secs(5), || async {
            Ok((!br.exists("[data-role=bulk]").await?).then_some(()))
        })
        .await
    })
    .await
}

#[tokio::test]
async fn stop_halts_a_bulk_run_and_a_reload_mid_run_sends_nothing_again() -> Result<()> {
    run_in_browser("bulk-stop", &[], (W, H), async |gw, br| {
        let ids = running(gw, 6).await?;
        br.goto(&format!("{}/executions", gw.url)).await?;
        wait_for(
            "the new tickets listed",
            Duration::from_secs(15),
            || async { Ok(page_ids(br).await?.starts_with(&ids).then_some(())) },
        )
        .await?;
        pick(br, &ids).await?;
        preview(br, "TERMINATE").await?;
        br.find("[data-role=bulk-count]")
            .await?
            .send_keys("6")
            .await?;
        br.find("[data-role=bulk-reason]")
            .await?
            .send_keys("stop test")
            .await?;
        // Slow answers: four go out, Stop keeps the other two.
        gw.set_faults(&json!({ "latency_ms": 2500 })).await?;
        br.click("[data-act=bulk-send]").await?;
        br.click("[data-act=bulk-stop]").await?;
        br.wait_text("[data-role=bulk]", "4 of 4 answered")
            .await
            .ok();
        br.wait_text(
            "[data-role=bulk]",
            "4 accepted, 0 refused, 0 outcome unknown, 2 not sent",
        )
        .await?;
        let ops = ops_of(gw, &ids).await?;
        let sent: Vec<usize> = ops.iter().map(Vec::len).collect();
        ensure!(sent == [1, 1, 1, 1, 0, 0], "after Stop: {ops:?}");
        ensure!(
            bulk_results(br, &ids).await?[4..] == ["not-sent", "not-sent"],
            "the two held back"
        );
        br.click("[data-act=bulk-close]").await?;

        // A reload while four are in flight: they are "outcome unknown",
        // the fifth is not sent, and nothing goes out again.
        let more = running(gw, 5).await?;
        gw.set_faults(&json!({})).await?;
        br.goto(&format!("{}/executions", gw.url)).await?;
        wait_for(
            "the newer tickets listed",
            Duration::from_secs(15),
            || async { Ok(page_ids(br).await?.starts_with(&more).then_some(())) },
        )
        .await?;
        pick(br, &more).await?;
        preview(br, "TERMINATE").await?;
        br.find("[data-role=bulk-count]")
            .await?
            .send_keys("5")
            .await?;
        br.find("[data-role=bulk-reason]")
            .await?
            .send_keys("reload test")
            .await?;
        gw.set_faults(&json!({ "latency_ms": 2500 })).await?;
        br.click("[data-act=bulk-send]").await?;
        wait_for("four in flight", Duration::from_secs(5), || async {
            let r = bulk_results(br, &more).await?;
            Ok((r.iter().filter(|r| *r == "sending").count() == 4).then_some(()))
        })
        .await?;
        br.goto(&format!("{}/executions", gw.url)).await?;
        br.wait_text(
            "[data-role=bulk]",
            "0 accepted, 0 refused, 4 outcome unknown, 1 not sent",
        )
        .await?;
        ensure!(
            bulk_results(br, &more).await?
                == ["unknown", "unknown", "unknown", "unknown", "not-sent"],
            "after the reload"
        );
        tokio::time::sleep(Duration::from_secs(4)).await;
        gw.set_faults(&json!({})).await?;
        let ops = ops_of(gw, &more).await?;
        ensure!(
            ops.iter().all(|o| o.len() <= 1) && ops[4].is_empty(),
            "after a reload mid-run: {ops:?}"
        );
        Ok(())
    })
    .await
}
