//! For the people on call: time zones in links and settings, end to end in
//! a real Chromium whose own zone is UTC, against a gateway in simulator
//! mode (manual clock) serving the release build.
//!
//! Expected times are computed here from the API's epoch milliseconds and
//! a zone's fixed offset (zones without summer time), never hard-coded.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use anyhow::{Context as _, Result, ensure};
use coc_e2e::fantoccini::key::Key;
use coc_e2e::{Browser, Gateway, run_in_browser, seed, wait_for};

const W: u32 = 1280;
const H: u32 = 1000;

/// `2025-07-01 21:01:45`, the wall clock `offset_min` minutes ahead of UTC.
fn wall(ms: i64, offset_min: i64) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    time::OffsetDateTime::from_unix_timestamp_nanos(
        i128::from(ms + offset_min * 60_000) * 1_000_000,
    )
    .expect("a time")
    .format(format)
    .expect("formatted")
}

async fn start_time(gw: &Gateway, id: &str) -> Result<i64> {
    gw.get_json(&format!("/v1/executions/{id}")).await?["data"]["start_time"]
        .as_i64()
        .context("start_time")
}

#[tokio::test]
async fn a_shared_link_with_a_time_zone_shows_its_times_in_a_utc_browser() -> Result<()> {
    run_in_browser("tz-link", &[], (W, H), async |gw, br| {
        let id = seed::TICKET_SUCCEED;
        let start = start_time(gw, id).await?;
        br.goto(&format!("{}/executions/{id}?tz=Asia/Shanghai", gw.url))
            .await?;
        let zone = br
            .js("return Intl.DateTimeFormat().resolvedOptions().timeZone;")
            .await?;
        ensure!(zone == "UTC", "the browser's own zone is {zone}");

        let shanghai = format!("{} UTC+08:00", wall(start, 480));
        br.wait_text("[data-field=start_time] time", &shanghai)
            .await?;
        // Hovering shows the other two: local time (UTC here) and UTC.
        let title = br
            .find("[data-field=start_time] time")
            .await?
            .attr("title")
            .await?
            .unwrap_or_default();
        let utc = wall(start, 0);
        ensure!(
            title.contains(&format!("{utc} UTC local")) && title.contains(&format!("· {utc} UTC")),
            "{title}"
        );
        br.wait_text(".coc-zone-note", "Asia/Shanghai (UTC+08:00)")
            .await?;

        // The console's links carry the zone: the list shows it too.
        let tickets = br
            .find(".coc-nav a[href^='/executions']")
            .await?
            .attr("href")
            .await?
            .unwrap_or_default();
        ensure!(tickets == "/executions?tz=Asia%2FShanghai", "{tickets}");
        br.click(".coc-nav a[href^='/executions']").await?;
        wait_for("the list's first time", Duration::from_secs(15), || async {
            let t = br
                .js("const e = document.querySelector('.coc-list-table tbody time'); return e ? e.textContent : '';")
                .await?;
            Ok(t.as_str().filter(|t| t.ends_with(" UTC+08:00")).map(str::to_owned))
        })
        .await?;
        br.wait_url("/executions?tz=Asia%2FShanghai").await?;

        // A zone the browser does not know: said so, and times are local.
        br.goto(&format!("{}/executions/{id}?tz=Mars/Olympus_Mons", gw.url))
            .await?;
        br.wait_text("[data-role=zone-warning]", "\"Mars/Olympus_Mons\"")
            .await?;
        br.wait_text("[data-field=start_time] time", &format!("{utc} UTC"))
            .await?;
        // And a value that is no zone at all, by name.
        br.goto(&format!("{}/executions/{id}?tz=%3Cb%3E", gw.url)).await?;
        br.wait_text("[data-role=zone-warning]", "\"<b>\" is not a time zone")
            .await?;
        ensure!(br.count("[data-role=zone-warning] b").await? == 0);
        Ok(())
    })
    .await
}

#[tokio::test]
async fn a_zone_chosen_in_settings_sticks_and_goes_into_the_links() -> Result<()> {
    run_in_browser("tz-settings", &[], (W, H), async |gw, br| {
        let id = seed::TICKET_SUCCEED;
        let start = start_time(gw, id).await?;
        br.goto(&format!("{}/settings", gw.url)).await?;
        let field = br.find("#coc-set-tz").await?;
        field.send_keys("Mars/Olympus_Mons").await?;
        br.wait_text(".coc-field-error", "does not know the time zone")
            .await?;
        field.clear().await?;
        field.send_keys("Asia/Tokyo").await?;
        br.click(".coc-form-buttons button[type=submit]").await?;
        // The page starts again in the new zone, and says so in its URL.
        br.wait_url("/settings?tz=Asia%2FTokyo").await?;

        // A link without a zone: the saved one, written into the address.
        br.goto(&format!("{}/executions/{id}", gw.url)).await?;
        br.wait_text(
            "[data-field=start_time] time",
            &format!("{} UTC+09:00", wall(start, 540)),
        )
        .await?;
        let here = br.path_and_query().await?;
        ensure!(
            here == format!("/executions/{id}?tz=Asia%2FTokyo"),
            "{here}"
        );
        // A link's own zone still wins.
        br.goto(&format!("{}/executions/{id}?tz=UTC", gw.url))
            .await?;
        br.wait_text(
            "[data-field=start_time] time",
            &format!("{} UTC", wall(start, 0)),
        )
        .await?;
        Ok(())
    })
    .await
}

/// Checks the page as it is now with axe-core; violations are gathered
/// under the state's name, so that one run reports all of them.
struct Axe {
    states: u32,
    found: Vec<String>,
}

impl Axe {
    async fn check(&mut self, br: &Browser, state: &str, within: Option<&str>) -> Result<()> {
        self.states += 1;
        for v in br.axe(within).await? {
            self.found.push(format!("{state}: {v}"));
        }
        Ok(())
    }
}

/// The first ticket the API lists with each of these statuses.
async fn one_of_each(gw: &Gateway, statuses: &[&str]) -> Result<Vec<(String, String)>> {
    let list = gw.get_json("/v1/executions?limit=100").await?;
    let items = list["data"].as_array().context("data")?;
    statuses
        .iter()
        .map(|s| {
            items
                .iter()
                .find(|t| t["status"] == *s)
                .and_then(|t| t["execution_id"].as_str())
                .map(|id| ((*s).to_owned(), id.to_owned()))
                .with_context(|| format!("the seed has no {s} ticket"))
        })
        .collect()
}

#[tokio::test]
async fn every_page_state_and_dialog_passes_axe_in_both_themes_and_languages() -> Result<()> {
    run_in_browser("axe", &[], (W, H), async |gw, br| {
        let mut axe = Axe {
            states: 0,
            found: Vec::new(),
        };
        // Suspended between batches: a fresh BATCH ticket, run to its
        // pause; then a fresh running one (the simulated clock stands
        // still from here on, so every status holds while it is checked).
        let batch = gw.execute(seed::DOC_BATCH).await?;
        gw.advance_until(&batch, 1_000, 200, |s| {
            *s == coc_core::ExecutionStatus::Pending
        })
        .await?;
        let running = gw.running_ticket(seed::DOC_NORMAL).await?;
        let mut tickets = vec![
            ("Running".to_owned(), running.clone()),
            ("Pending".to_owned(), batch.clone()),
        ];
        tickets.extend(one_of_each(gw, &["Succeed", "Failed", "Canceled", "Timeout"]).await?);

        // Both themes in English, and 简体中文 (its own build) in one.
        for (theme, lang) in [("light", "en"), ("dark", "en"), ("light", "zh-CN")] {
            br.goto(&format!("{}/", gw.url)).await?;
            br.js(&format!(
                "localStorage.setItem('coc.settings', JSON.stringify({{v: 1, data: {{lang: '{lang}'}}}}));"
            ))
            .await?;
            br.goto(&format!("{}/", gw.url)).await?;
            br.find("#coc-main").await?;
            let html_lang = br.js("return document.documentElement.lang;").await?;
            ensure!(html_lang == lang, "{theme} {lang}: the page is in {html_lang}");
            br.set_theme(theme).await?;
            axe.check(br, &format!("{theme} {lang} open page"), None).await?;

            br.goto(&format!("{}/executions", gw.url)).await?;
            br.find(".coc-list-table tbody tr").await?;
            axe.check(br, &format!("{theme} {lang} list"), None).await?;
            // The saved views menu open, with a refused save's message.
            br.click(".coc-views summary").await?;
            br.click(".coc-views-save button").await?;
            br.find(".coc-views-save [role=alert]:not(:empty)").await?;
            axe.check(br, &format!("{theme} {lang} saved views"), None)
                .await?;
            br.press("?").await?;
            br.find("#coc-keys[open]").await?;
            axe.check(br, &format!("{theme} {lang} shortcuts overlay"), None)
                .await?;
            br.press(&Key::Escape.to_string()).await?;

            br.goto(&format!("{}/settings", gw.url)).await?;
            br.find("#coc-set-tz").await?;
            axe.check(br, &format!("{theme} {lang} settings"), None).await?;

            for (status, id) in &tickets {
                br.goto(&format!("{}/executions/{id}", gw.url)).await?;
                br.find(".coc-summary").await?;
                br.find(".coc-step, .coc-timeline .coc-empty").await?;
                axe.check(br, &format!("{theme} {lang} {status} ticket"), None)
                    .await?;
            }

            // The two confirmations, each open.
            for (op, id) in [("TERMINATE", &running), ("SKIP_BATCH", &batch)] {
                br.goto(&format!("{}/executions/{id}", gw.url)).await?;
                br.click(&format!(".coc-op[data-op=\"{op}\"] button"))
                    .await?;
                br.find("dialog.coc-dialog[open]").await?;
                axe.check(br, &format!("{theme} {lang} {op} dialog"), None).await?;
                br.click("dialog .coc-dialog-cancel").await?;
            }

            // A warning banner, and a stale ticket's warning.
            br.goto(&format!(
                "{}/executions/{}?tz=Nowhere/At_All",
                gw.url, tickets[1].1
            ))
            .await?;
            br.find("[data-role=zone-warning]").await?;
            axe.check(br, &format!("{theme} {lang} zone warning"), None)
                .await?;
        }
        coc_e2e::note(&format!(
            "axe-core (WCAG 2.1 A/AA): {} states checked, {} violations",
            axe.states,
            axe.found.len()
        ));
        ensure!(
            axe.found.is_empty(),
            "accessibility violations:\n{}",
            axe.found.join("\n")
        );
        // Nothing was operated on the way.
        for (_, id) in &tickets {
            ensure!(gw.operations(id).await?.is_empty(), "{id} was operated");
        }
        Ok(())
    })
    .await
}

async fn active_element(br: &Browser) -> Result<String> {
    let v = br
        .js("const a = document.activeElement; return a ? (a.id || a.getAttribute('href') || a.tagName) : '';")
        .await?;
    Ok(v.as_str().unwrap_or_default().to_owned())
}

/// Requests the page made for the ticket, so far.
async fn ticket_fetches(br: &Browser, id: &str) -> Result<u64> {
    let v = br
        .js(&format!(
            "return performance.getEntriesByType('resource').filter(e => e.name.endsWith('/v1/executions/{id}')).length;"
        ))
        .await?;
    v.as_u64().context("a count")
}

async fn tab_icon(br: &Browser) -> Result<String> {
    let v = br
        .js("return document.querySelector('link[rel~=icon]').getAttribute('href');")
        .await?;
    Ok(v.as_str().unwrap_or_default().to_owned())
}

#[tokio::test]
async fn the_keyboard_drives_the_console_and_never_operates() -> Result<()> {
    run_in_browser("keys", &[], (W, H), async |gw, br| {
        let running = gw.running_ticket(seed::DOC_NORMAL).await?;
        br.goto(&format!("{}/executions", gw.url)).await?;
        br.find(".coc-list-table tbody tr").await?;

        // `?` opens the list of shortcuts; Esc closes it.
        br.press("?").await?;
        br.wait_text("#coc-keys[open]", "Keyboard shortcuts")
            .await?;
        ensure!(br.text_content("#coc-keys").await?.contains("g s"));
        br.press(&Key::Escape.to_string()).await?;
        wait_for("the overlay to close", Duration::from_secs(5), || async {
            Ok((br.count("#coc-keys[open]").await? == 0).then_some(()))
        })
        .await?;

        // `/` focuses the filter; keys typed there are text, not shortcuts.
        br.press("/").await?;
        ensure!(
            active_element(br).await?.starts_with("coc-f-"),
            "{}",
            active_element(br).await?
        );
        br.press("gs").await?;
        ensure!(br.client.current_url().await?.path() == "/executions");
        br.js("document.activeElement.blur();").await?;

        // `j j` selects the second ticket, Enter opens it.
        br.press("jj").await?;
        let second = br
            .js("return document.querySelectorAll('.coc-list-job')[1].getAttribute('href');")
            .await?;
        let second = second.as_str().context("a second row")?.to_owned();
        ensure!(
            active_element(br).await? == second,
            "{} != {second}",
            active_element(br).await?
        );
        br.press("k").await?;
        br.press("j").await?;
        br.press(&Key::Enter.to_string()).await?;
        br.wait_url(&second).await?;
        br.find(".coc-summary").await?;

        // `c` copies the ticket id (the button says how it went).
        br.press("c").await?;
        let copy = wait_for(
            "the copy button's answer",
            Duration::from_secs(5),
            || async {
                let t = br.text_content(".coc-ticket-id + .coc-copy").await?;
                Ok((t == "Copied" || t == "Copy failed").then_some(t))
            },
        )
        .await?;
        coc_e2e::note(&format!("c: {copy}"));

        // On a running ticket: `p` pauses and resumes, `r` refreshes.
        br.goto(&format!("{}/executions/{running}", gw.url)).await?;
        br.find(".coc-summary").await?;
        // The tab shows the ticket's status, in its icon as in its title.
        ensure!(br.client.title().await?.starts_with("Running · "));
        let icon = tab_icon(br).await?;
        ensure!(icon == "/icons/running.svg", "{icon}");
        let served = br
            .js("return fetch('/icons/running.svg').then(async (r) => r.status + ' ' + r.headers.get('content-type') + ' ' + (await r.text()));")
            .await?;
        let served = served.as_str().unwrap_or_default();
        ensure!(
            served.starts_with("200 image/svg+xml") && served.contains("#0b5cad"),
            "{served}"
        );
        br.press("p").await?;
        br.find("[data-shortcut=pause][aria-pressed=true]").await?;
        let before = ticket_fetches(br, &running).await?;
        br.press("r").await?;
        wait_for("a refresh", Duration::from_secs(5), || async {
            Ok((ticket_fetches(br, &running).await? > before).then_some(()))
        })
        .await?;
        br.press("p").await?;
        br.find("[data-shortcut=pause][aria-pressed=false]").await?;

        // With a confirmation open, keys belong to it: `g t` goes nowhere.
        br.click(".coc-op[data-op=\"TERMINATE\"] button").await?;
        br.find("dialog.coc-dialog[open]").await?;
        br.press("gt").await?;
        br.press("r").await?;
        ensure!(br.client.current_url().await?.path() == format!("/executions/{running}"));
        br.click("dialog .coc-dialog-cancel").await?;

        // `g s`, `g t`.
        br.press("gs").await?;
        br.wait_url("/settings").await?;
        br.press("gt").await?;
        br.wait_url("/executions").await?;
        // Away from the ticket, the page's own icon again.
        let icon = tab_icon(br).await?;
        ensure!(
            !icon.starts_with("data:") && icon.ends_with(".svg"),
            "{icon}"
        );

        ensure!(
            gw.operations(&running).await?.is_empty(),
            "a shortcut operated"
        );
        Ok(())
    })
    .await
}

/// Whether a text has Chinese in it.
fn has_han(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

#[tokio::test]
async fn chinese_by_link_and_by_setting_with_the_service_s_words_as_sent() -> Result<()> {
    run_in_browser("zh", &[], (W, H), async |gw, br| {
        let id = seed::TICKET_SUCCEED;
        // A link asks for 简体中文: the list and a ticket in it, and the
        // page says its language.
        br.goto(&format!("{}/executions?lang=zh-CN", gw.url)).await?;
        br.wait_text(".coc-list-page h1", "工单").await?;
        br.find(".coc-list-table tbody tr").await?;
        let lang = br.js("return document.documentElement.lang;").await?;
        ensure!(lang == "zh-CN", "html lang {lang}");
        let statuses = br.text(".coc-list-table tbody").await?;
        ensure!(statuses.contains("成功"), "{statuses}");
        let nav = br.text(".coc-nav").await?;
        ensure!(nav.contains("打开工单") && nav.contains("设置"), "nav: {nav}");
        br.screenshot("list-zh-CN").await?;

        br.goto(&format!("{}/executions/{id}?lang=zh-CN", gw.url))
            .await?;
        br.wait_text(".coc-ops h3", "操作").await?;
        br.wait_text(".coc-summary .coc-status-word", "成功").await?;
        // Fields the service sent stay as sent: the job's name.
        let name = gw.get_json(&format!("/v1/executions/{id}")).await?["data"]["document_name"]
            .as_str()
            .context("document_name")?
            .to_owned();
        br.wait_text("[data-field=document_name]", &name).await?;
        let ops = br.text(".coc-op-list").await?;
        ensure!(ops.contains("继续") && ops.contains("终止"), "{ops}");
        br.screenshot("ticket-zh-CN").await?;

        // Not found: the title and hint in Chinese.
        let missing = "EX2099010100000000ffffff";
        br.goto(&format!("{}/executions/{missing}?lang=zh-CN", gw.url))
            .await?;
        let err = br.find(".coc-load-failed .coc-error").await?.text().await?;
        ensure!(err.contains("未找到工单") && err.contains("请检查工单 ID"), "{err}");
        // The service's own error: its error_msg exactly as it sent it.
        gw.set_faults(&serde_json::json!({"error_rate": 1.0})).await?;
        br.goto(&format!("{}/executions/{id}?lang=zh-CN", gw.url))
            .await?;
        let shown = br.text(".coc-load-failed .coc-error-msg").await?;
        let body = br
            .js(&format!(
                "return fetch('/v1/executions/{id}').then(r => r.text());"
            ))
            .await?;
        gw.set_faults(&serde_json::json!({})).await?;
        let body = body.as_str().context("the service's answer")?;
        let sent: serde_json::Value = serde_json::from_str(body)?;
        ensure!(
            sent["error_msg"].as_str() == Some(shown.as_str()) && !has_han(&shown),
            "error_msg shown as {shown:?}; the service sent {body}"
        );
        let title = br.text(".coc-load-failed .coc-error-title").await?;
        ensure!(has_han(&title), "{title}");

        // A language the console does not have: said so, as text, in the
        // language the page falls back to (the browser's: English here).
        br.goto(&format!("{}/executions/{id}?lang=%3Cb%3Exx", gw.url))
            .await?;
        br.wait_text("[data-role=lang-warning]", "\"<b>xx\" is not one this console has")
            .await?;
        ensure!(br.count("[data-role=lang-warning] b").await? == 0);
        ensure!(br.js("return document.documentElement.lang;").await? == "en");
        br.screenshot("ticket-en").await?;

        // Chosen in settings, it sticks; a link's ?lang= still wins.
        br.goto(&format!("{}/settings", gw.url)).await?;
        br.find("#coc-set-lang").await?;
        br.js("const s = document.getElementById('coc-set-lang'); s.value = 'zh-CN'; s.dispatchEvent(new Event('change'));")
            .await?;
        br.click(".coc-form-buttons button[type=submit]").await?;
        // Saving a new language loads the page again, in it.
        br.wait_text(".coc-settings h1", "设置").await?;
        br.goto(&format!("{}/executions", gw.url)).await?;
        br.wait_text(".coc-list-page h1", "工单").await?;
        br.goto(&format!("{}/executions?lang=en", gw.url)).await?;
        br.wait_text(".coc-list-page h1", "Tickets").await?;
        br.find(".coc-list-table tbody tr").await?;
        br.screenshot("list-en").await?;
        ensure!(!has_han(&br.text(".coc-list-page").await?));
        Ok(())
    })
    .await
}

#[tokio::test]
async fn a_browser_that_prefers_simplified_chinese_gets_it_and_traditional_gets_english()
-> Result<()> {
    let _serial = coc_e2e::serial().await;
    let env = coc_e2e::test_env()?;
    let gw = Gateway::start_with(&env, &[]).await?;
    for (languages, want, heading) in [
        (&["fr-FR", "zh-CN", "en"][..], "zh-CN", "工单"),
        (&["zh-TW", "en-GB"][..], "en", "Tickets"),
    ] {
        let br = Browser::start_with_languages(W, H, languages).await?;
        let outcome = async {
            let seen = br.js("return navigator.languages.join(',');").await?;
            ensure!(seen == languages.join(","), "the browser prefers {seen}");
            br.goto(&format!("{}/executions", gw.url)).await?;
            br.wait_text(".coc-list-page h1", heading).await?;
            let lang = br.js("return document.documentElement.lang;").await?;
            ensure!(lang == want, "{languages:?}: the page is in {lang}");
            Ok(())
        }
        .await;
        br.close().await?;
        outcome?;
    }
    Ok(())
}

/// Installed before any page script: the page's `Notification` stays the
/// browser's own, wrapped to record each one made (title, body, tag, the
/// page's visibility then, whether the browser showed it or closed it)
/// and each permission request. A spy, not a stand-in: the browser still
/// decides the permission and shows the notification.
const NOTIFICATION_SPY: &str = r#"(() => {
  const Real = window.Notification;
  if (!Real) return;
  const notes = [], made = [];
  let asked = 0;
  class Spied extends Real {
    constructor(title, options = {}) {
      super(title, options);
      const note = { title, body: options.body ?? '', tag: options.tag ?? '',
                     page: document.visibilityState, shown: false, error: false, closed: false };
      notes.push(note);
      made.push(this);
      this.addEventListener('show', () => { note.shown = true; });
      this.addEventListener('error', () => { note.error = true; });
      const close = this.close.bind(this);
      this.close = () => { note.closed = true; close(); };
    }
    static get permission() { return Real.permission; }
    static requestPermission(...args) { asked += 1; return Real.requestPermission(...args); }
  }
  window.Notification = Spied;
  window.__cocNotify = { notes, made, asked: () => asked };
})();"#;

#[tokio::test]
async fn a_ticket_that_ends_in_a_background_tab_notifies_once_and_the_click_brings_it_back()
-> Result<()> {
    run_in_browser("notify", &[], (W, H), async |gw, br| {
        br.cdp(
            "Page.addScriptToEvaluateOnNewDocument",
            serde_json::json!({ "source": NOTIFICATION_SPY }),
        )
        .await?;
        let id = gw.running_ticket(seed::DOC_NORMAL).await?;
        let job = gw.ticket(&id).await?.document_name.unwrap_or_default();

        // Never asked on load; asked once, on Save, with the box ticked.
        br.goto(&format!("{}/settings", gw.url)).await?;
        br.find("[name=notify]").await?;
        let asked = "return window.__cocNotify.asked();";
        ensure!(br.js(asked).await? == 0, "asked on load");
        br.click("[name=notify]").await?;
        br.click(".coc-settings button[type=submit]").await?;
        wait_for("the permission request", Duration::from_secs(5), || async {
            Ok((br.js(asked).await? == 1).then_some(()))
        })
        .await?;
        // Headless, nobody answers the browser's prompt: the tester does.
        br.cdp(
            "Browser.grantPermissions",
            serde_json::json!({ "origin": gw.url, "permissions": ["notifications"] }),
        )
        .await?;
        br.goto(&format!("{}/settings", gw.url)).await?;
        br.wait_text("[data-role=notify-help]", "Also from a background tab.")
            .await?;
        ensure!(br.js(asked).await? == 0, "asked again on load");

        // The ticket, watched; then another tab in front of it.
        br.goto(&format!("{}/executions/{id}", gw.url)).await?;
        br.find(".coc-summary").await?;
        let ticket_tab = br.client.window().await?;
        br.js(&format!("window.open('{}/', '_blank');", gw.url))
            .await?;
        let other = br
            .client
            .windows()
            .await?
            .into_iter()
            .find(|w| *w != ticket_tab)
            .context("the second tab")?;
        br.client.switch_to_window(other).await?;
        let background = "return opener.document.visibilityState;";
        let seen = br.js(background).await?;
        // Hidden, so the page's own visibility rule would stop polling:
        // what keeps it going is the notification setting.
        ensure!(
            seen == "hidden",
            "the ticket's tab is {seen} behind the other"
        );

        gw.advance_until(&id, 1_000, 300, |s| s.is_terminal())
            .await?;
        let end = gw.ticket(&id).await?.status.context("status")?;
        let notes = "return opener.__cocNotify.notes;";
        let note = wait_for("the notification", Duration::from_secs(20), || async {
            let v = br.js(notes).await?;
            Ok(v.as_array().and_then(|a| a.first().cloned()))
        })
        .await?;
        let word = match end.as_str() {
            "Succeed" => "Succeeded",
            "Failed" => "Failed",
            "Canceled" => "Cancelled",
            _ => "Timed out",
        };
        ensure!(note["title"] == format!("{word} · {id}").as_str(), "{note}");
        ensure!(
            note["body"] == job.as_str() && note["tag"] == id.as_str(),
            "{note}"
        );
        ensure!(note["error"] == false, "the browser refused it: {note}");
        ensure!(
            note["page"] == seen,
            "made while the tab was {seen}: {note}"
        );

        // One per change: later polls of the ended ticket add none.
        tokio::time::sleep(Duration::from_secs(4)).await;
        let all = br.js(notes).await?;
        ensure!(all.as_array().map(Vec::len) == Some(1), "{all}");

        // Clicking it closes it and brings the ticket's tab forward.
        br.js("opener.__cocNotify.made[0].dispatchEvent(new Event('click'));")
            .await?;
        let closed = br.js("return opener.__cocNotify.notes[0].closed;").await?;
        ensure!(closed == true, "not closed on click");
        br.client.switch_to_window(ticket_tab).await?;
        br.wait_text(".coc-summary", word).await?;
        ensure!(gw.operations(&id).await?.is_empty(), "operated");
        Ok(())
    })
    .await
}

#[tokio::test]
async fn a_saved_view_survives_a_reload_and_opens_as_its_link() -> Result<()> {
    run_in_browser("saved-views", &[], (W, H), async |gw, br| {
        // As the console writes a list link: its parts in the API's order.
        let view = "/executions?limit=50&creator=ops";
        let save = ".coc-views-save button";
        br.goto(&format!("{}{view}", gw.url)).await?;
        br.wait_text(".coc-views summary", "Saved views (0)")
            .await?;
        // A view needs a name, and says so.
        br.click(save).await?;
        br.wait_text(".coc-views-save [role=alert]", "Give the view a name.")
            .await?;
        br.find("[name=view-name]")
            .await?
            .send_keys("<b>ops</b>, big pages")
            .await?;
        br.click(save).await?;
        br.wait_text(".coc-views summary", "Saved views (1)")
            .await?;

        // Kept in this browser: back after a reload, on the bare list.
        br.goto(&format!("{}/executions", gw.url)).await?;
        br.wait_text(".coc-views summary", "Saved views (1)")
            .await?;
        br.click(".coc-views summary").await?;
        let link = br.find(".coc-views-list a").await?;
        ensure!(link.attr("href").await?.as_deref() == Some(view));
        // The name is text, never markup.
        ensure!(link.text().await? == "<b>ops</b>, big pages");
        ensure!(!br.exists(".coc-views-list a b").await?);
        link.click().await?;
        br.wait_url(view).await?;
        let creator = br
            .js("return document.getElementById('coc-f-creator').value;")
            .await?;
        ensure!(creator == "ops", "{creator}");
        br.click(".coc-views summary").await?;
        let current = br
            .find(".coc-views-list a")
            .await?
            .attr("aria-current")
            .await?;
        ensure!(current.as_deref() == Some("page"), "{current:?}");

        // Deleted, and the menu stays open for the next one.
        br.click(".coc-views-list button").await?;
        br.wait_text(".coc-views summary", "Saved views (0)")
            .await?;
        ensure!(br.exists(".coc-views-menu[open]").await?);
        let stored = br.js("return localStorage.getItem('coc.views');").await?;
        ensure!(stored == "v=1", "{stored}");
        // A record this console cannot read is dropped, not shown.
        br.js("localStorage.setItem('coc.views', '{\"v\":1}');")
            .await?;
        br.goto(&format!("{}/executions", gw.url)).await?;
        br.wait_text(".coc-views summary", "Saved views (0)")
            .await?;
        ensure!(
            br.js("return localStorage.getItem('coc.views');")
                .await?
                .is_null(),
            "the unreadable record was kept"
        );
        Ok(())
    })
    .await
}

#[tokio::test]
async fn the_last_time_range_sticks_across_visits_until_the_filters_are_cleared() -> Result<()> {
    run_in_browser("time-range", &[], (W, H), async |gw, br| {
        br.goto(&format!("{}/", gw.url)).await?;
        // The last time range sticks across visits…
        let ms = br
            .js("return new Date('2025-06-29T00:00').getTime();")
            .await?
            .as_i64()
            .context("ms")?;
        let ranged = format!("/executions?start_time={ms}");
        br.goto(&format!("{}{ranged}", gw.url)).await?;
        br.find(".coc-list-table tbody tr").await?;
        br.goto(&format!("{}/", gw.url)).await?;
        br.find("#coc-open-id").await?;
        br.goto(&format!("{}/executions", gw.url)).await?;
        br.wait_url(&ranged).await?;
        br.find(".coc-list-table tbody tr").await?;
        let shown = br
            .js("return document.getElementById('coc-f-start_time').value;")
            .await?;
        ensure!(
            shown
                .as_str()
                .is_some_and(|s| s.starts_with("2025-06-29T00:00")),
            "{shown}"
        );
        // …until the filters are cleared.
        br.click(".coc-filters a.coc-btn").await?;
        br.wait_url("/executions").await?;
        br.goto(&format!("{}/executions", gw.url)).await?;
        br.find(".coc-list-table tbody tr").await?;
        ensure!(br.path_and_query().await? == "/executions");
        Ok(())
    })
    .await
}
