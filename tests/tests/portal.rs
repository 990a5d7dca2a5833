//! The `<coc-execution>` element on a portal page: a plain host page served
//! by a second tiny HTTP server on another port (so another origin) loads the
//! one script from the gateway, and a real Chromium drives it over WebDriver,
//! reaching into the element's shadow root.
//!
//! Each test gets its own gateway (simulator mode, manual clock), portal
//! server and browser profile. Waiting for the page is real time by nature;
//! the simulator's time is only ever moved with `/__sim/advance`. The one
//! deliberate wall-clock wait is in the removal test: that nothing happens
//! after removal can only be seen by letting the polling interval pass.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, Result, ensure};
use coc_e2e::fantoccini::Locator;
use coc_e2e::fantoccini::elements::Element;
use coc_e2e::{Browser, Gateway, Operators, note, seed, serial, test_env, wait_for};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

const W: u32 = 1280;
const H: u32 = 900;

/// A portal: serves `page` for every GET, from its own origin.
struct Portal {
    origin: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Portal {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A host page with hostile styles, a theme override, an event recorder and
/// the one script tag. `script_type` is `""` (classic) or `"module"`; an
/// empty `script_src` leaves the tag to `element`.
fn host_page(script_src: &str, script_type: &str, element: &str) -> String {
    let ty = if script_type.is_empty() {
        String::new()
    } else {
        format!(" type=\"{script_type}\"")
    };
    let script = if script_src.is_empty() {
        String::new()
    } else {
        format!(r#"<script src="{script_src}"{ty}></script>"#)
    };
    format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Portal</title>
<style>
  body {{ font-family: serif; letter-spacing: 3px; font-style: italic; }}
  button {{ color: rgb(255, 0, 0) !important; background: rgb(0, 255, 0); }}
  coc-execution {{ --coc-accent: rgb(1, 2, 3); margin: 10px; }}
</style>
<script>
  window.cocEvents = [];
  for (const t of ["coc-status-change", "coc-operated", "coc-error"]) {{
    document.addEventListener(t, (e) => window.cocEvents.push({{ type: e.type, detail: e.detail, target: e.target.id }}));
  }}
  performance.setResourceTimingBufferSize(100000);
</script>
{script}
</head>
<body>
<h1>A portal</h1>
<div class="coc"><div class="coc-card" id="host-card"><button class="coc-btn" id="host-btn" type="button">Host button</button></div></div>
{element}
</body>
</html>
"#
    )
}

/// Gateway (with `flags`), portal serving `page(gateway_url)`, browser.
async fn run<F>(name: &str, flags: &[&str], page: impl Fn(&str) -> String, body: F) -> Result<()>
where
    F: AsyncFnOnce(&mut Gateway, &Portal, &Browser) -> Result<()>,
{
    let _serial = serial().await;
    let env = test_env()?;
    // The portal's origin must be known before the gateway starts (its
    // --allow-origin), and the page must name the gateway: so the portal's
    // port is bound first and served once the gateway runs.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let portal_origin = format!("http://{}", listener.local_addr()?);
    let flags: Vec<String> = flags
        .iter()
        .map(|f| f.replace("{portal}", &portal_origin))
        .collect();
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let mut gw = Gateway::start_with(&env, &flags).await?;
    let portal = Portal::start_on(listener, portal_origin, page(&gw.url));
    let br = Browser::start(W, H).await?;
    let outcome = body(&mut gw, &portal, &br).await;
    if outcome.is_err()
        && let Ok(p) = br.screenshot(&format!("failed-{name}")).await
    {
        note(&format!("{name} failed; screenshot at {}", p.display()));
    }
    let uncaught = no_uncaught_errors(&br).await;
    br.close().await?;
    outcome?;
    uncaught
}

impl Portal {
    /// Serves `page` on `listener` (whose address is `origin`).
    fn start_on(listener: tokio::net::TcpListener, origin: String, page: String) -> Self {
        let page = Arc::new(page);
        let task = tokio::spawn(async move {
            while let Ok((mut sock, _)) = listener.accept().await {
                let page = Arc::clone(&page);
                tokio::spawn(async move {
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 2048];
                    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                        match sock.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    }
                    let head = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\
                         Content-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
                        page.len()
                    );
                    let _ = sock.write_all(head.as_bytes()).await;
                    let _ = sock.write_all(page.as_bytes()).await;
                    let _ = sock.shutdown().await;
                });
            }
        });
        Portal { origin, task }
    }
}

/// Fails on a JavaScript exception or a wasm trap in the browser's log.
async fn no_uncaught_errors(br: &Browser) -> Result<()> {
    let logs = br.logs().await?;
    let bad: Vec<&Value> = logs
        .iter()
        .filter(|e| {
            let m = e["message"].as_str().unwrap_or_default();
            m.contains("Uncaught") || m.contains("panicked") || m.contains("RuntimeError")
        })
        .collect();
    ensure!(bad.is_empty(), "uncaught errors in the browser: {bad:#?}");
    Ok(())
}

/// The element `#id`'s shadow root, then the first match of `css` in it
/// (waiting up to 15 s for both).
async fn shadow_find(br: &Browser, host: &str, css: &str) -> Result<Element> {
    wait_for(
        &format!("{css} in the shadow root of {host}"),
        Duration::from_secs(15),
        || async {
            let Ok(el) = br.client.find(Locator::Css(host)).await else {
                return Ok(None);
            };
            let Ok(root) = el.shadow_root().await else {
                return Ok(None);
            };
            Ok(root.find(Locator::Css(css)).await.ok())
        },
    )
    .await
}

/// `textContent` of `css` inside `host`'s shadow root, or null.
const SHADOW_TEXT: &str = "const h = document.querySelector(arguments[0]); \
     const e = h && h.shadowRoot && h.shadowRoot.querySelector(arguments[1]); \
     return e ? e.textContent : null;";

async fn shadow_text(br: &Browser, host: &str, css: &str) -> Result<Option<String>> {
    let v = br
        .client
        .execute(SHADOW_TEXT, vec![json!(host), json!(css)])
        .await?;
    Ok(v.as_str().map(str::to_owned))
}

async fn wait_shadow_text(br: &Browser, host: &str, css: &str, needle: &str) -> Result<String> {
    wait_for(
        &format!("{css} in {host} to contain {needle:?}"),
        Duration::from_secs(15),
        || async {
            Ok(shadow_text(br, host, css)
                .await?
                .filter(|t| t.contains(needle)))
        },
    )
    .await
}

async fn events(br: &Browser) -> Result<Vec<Value>> {
    let v = br.js("return window.cocEvents;").await?;
    v.as_array().cloned().context("window.cocEvents")
}

/// Waits for an event of `kind` whose detail has every field of `want`.
async fn wait_event(br: &Browser, kind: &str, want: Value) -> Result<Value> {
    wait_for(
        &format!("a {kind} event with {want}"),
        Duration::from_secs(15),
        || async {
            Ok(events(br).await?.into_iter().find(|e| {
                e["type"] == kind
                    && want
                        .as_object()
                        .is_some_and(|w| w.iter().all(|(k, v)| e["detail"][k] == *v))
            }))
        },
    )
    .await
}

/// A computed style (or custom property) of `css` in `host`'s shadow root
/// (`css` empty: of the host element itself).
async fn shadow_style(br: &Browser, host: &str, css: &str, prop: &str) -> Result<String> {
    let v = br
        .client
        .execute(
            "const h = document.querySelector(arguments[0]); \
             const e = arguments[1] ? h.shadowRoot.querySelector(arguments[1]) : h; \
             return getComputedStyle(e).getPropertyValue(arguments[2]).trim();",
            vec![json!(host), json!(css), json!(prop)],
        )
        .await?;
    v.as_str()
        .map(str::to_owned)
        .with_context(|| format!("style {prop} of {css}"))
}

/// How many requests for tickets the page has made (resource timing sees
/// every fetch the wasm starts, whatever calls it).
async fn ticket_requests(br: &Browser) -> Result<u64> {
    let v = br
        .js("return performance.getEntriesByType('resource')\
             .filter((e) => e.name.includes('/v1/executions/')).length;")
        .await?;
    v.as_u64().context("resource count")
}

fn terminate_button() -> &'static str {
    ".coc-op[data-op=\"TERMINATE\"] button"
}

#[tokio::test]
async fn a_portal_on_another_origin_shows_and_operates_a_ticket() -> Result<()> {
    // The ticket id is not known before the gateway runs: the page reads it
    // from its URL (?id=…) and sets the attribute before the script runs.
    let page = |gw: &str| {
        host_page(
            &format!("{gw}/coc-execution.js"),
            "",
            r#"<coc-execution id="el"></coc-execution>
<script>document.getElementById("el").setAttribute("execution-id", new URLSearchParams(location.search).get("id"));</script>"#,
        )
    };
    run(
        "portal-operate",
        &["--allow-origin", "{portal}"],
        page,
        async |gw, portal, br| {
            let id = gw.running_ticket(seed::DOC_NORMAL).await?;
            br.goto(&format!("{}/?id={id}", portal.origin)).await?;

            // The ticket view, inside the shadow root.
            wait_shadow_text(br, "#el", ".coc-summary .coc-status-word", "Running").await?;
            ensure!(
                shadow_text(br, "#el", "[data-field=execution_id]")
                    .await?
                    .as_deref()
                    == Some(id.as_str())
            );
            ensure!(
                br.js("return document.querySelector('.coc-summary') === null;")
                    .await?
                    .as_bool()
                    == Some(true),
                "the ticket view must not be in the light DOM"
            );
            ensure!(
                br.js("return document.querySelector('body > .coc-app') === null;")
                    .await?
                    .as_bool()
                    == Some(true),
                "the console app must not mount on a portal page"
            );
            wait_event(
                br,
                "coc-status-change",
                json!({"executionId": id, "status": "Running", "previousStatus": null}),
            )
            .await?;

            // Host styles stay out, console styles stay in.
            let color = shadow_style(br, "#el", terminate_button(), "color").await?;
            ensure!(
                color != "rgb(255, 0, 0)",
                "the host's button rule leaked in: {color}"
            );
            let bg = shadow_style(br, "#el", terminate_button(), "background-color").await?;
            ensure!(
                bg == "rgb(180, 35, 24)",
                "the danger button's own colour: {bg}"
            );
            let font = shadow_style(br, "#el", ".coc-el", "font-family").await?;
            ensure!(
                font.starts_with("system-ui"),
                "the host's font leaked in: {font}"
            );
            for (prop, want) in [("letter-spacing", "normal"), ("font-style", "normal")] {
                let got = shadow_style(br, "#el", ".coc-summary", prop).await?;
                ensure!(got == want, "inherited {prop} leaked in: {got}");
            }
            // ... and out: the host's own .coc .coc-card and .coc-btn are untouched.
            let host = br
                .js(
                    "const c = getComputedStyle(document.getElementById('host-card')); \
                     const b = getComputedStyle(document.getElementById('host-btn')); \
                     return [c.borderTopWidth, c.backgroundColor, b.borderTopLeftRadius, b.color];",
                )
                .await?;
            ensure!(
                host == json!(["0px", "rgba(0, 0, 0, 0)", "0px", "rgb(255, 0, 0)"]),
                "console CSS leaked into the host page: {host}"
            );

            // Theming: the host's --coc-accent wins, the rest keep defaults.
            ensure!(shadow_style(br, "#el", ".coc-el", "--coc-accent").await? == "rgb(1, 2, 3)");
            // The palette is light-dark() pairs, so what counts is the colour
            // used, in the colour scheme in force.
            let light_bg = shadow_style(br, "#el", ".coc-el", "background-color").await?;
            ensure!(
                light_bg == "rgb(245, 246, 248)",
                "light background: {light_bg}"
            );
            br.js("document.getElementById('el').setAttribute('theme', 'dark');")
                .await?;
            let dark_bg = shadow_style(br, "#el", ".coc-el", "background-color").await?;
            ensure!(dark_bg == "rgb(14, 17, 22)", "dark background: {dark_bg}");
            let dark_danger =
                shadow_style(br, "#el", terminate_button(), "background-color").await?;
            ensure!(
                dark_danger == "rgb(192, 57, 43)",
                "the danger colour in dark: {dark_danger}"
            );
            ensure!(
                shadow_style(br, "#el", ".coc-el", "--coc-accent").await? == "rgb(1, 2, 3)",
                "the host's override holds in dark too"
            );
            br.js("document.getElementById('el').removeAttribute('theme');")
                .await?;

            // TERMINATE through the dialog inside the shadow root.
            shadow_find(br, "#el", terminate_button())
                .await?
                .click()
                .await?;
            let input = shadow_find(br, "#el", "dialog[open] .coc-confirm-input").await?;
            let confirm = shadow_find(br, "#el", "dialog[open] .coc-dialog-confirm").await?;
            ensure!(
                confirm.attr("disabled").await?.is_some(),
                "confirm waits for the id"
            );
            input.send_keys(&id).await?;
            // The gateway requires a reason for TERMINATE by default.
            shadow_find(br, "#el", "dialog[open] [data-role=reason]")
                .await?
                .send_keys("terminated from the portal")
                .await?;
            confirm.click().await?;
            let op = wait_event(
                br,
                "coc-operated",
                json!({"executionId": id, "operation": "TERMINATE"}),
            )
            .await?;
            ensure!(
                op["detail"]["requestId"]
                    .as_str()
                    .is_some_and(|r| !r.is_empty()),
                "coc-operated carries the request id: {op}"
            );
            ensure!(op["target"] == "el", "dispatched on the element: {op}");
            let log = gw.operations(&id).await?;
            ensure!(
                log.len() == 1 && log[0]["operate_type"] == "TERMINATE",
                "{log:?}"
            );
            wait_shadow_text(br, "#el", ".coc-summary .coc-status-word", "Cancelling").await?;
            gw.advance(2_000).await?;
            wait_shadow_text(br, "#el", ".coc-summary .coc-status-word", "Cancelled").await?;
            wait_event(
                br,
                "coc-status-change",
                json!({"executionId": id, "status": "Canceled"}),
            )
            .await?;
            let changes: Vec<Value> = events(br)
                .await?
                .into_iter()
                .filter(|e| e["type"] == "coc-status-change")
                .map(|e| e["detail"].clone())
                .collect();
            ensure!(
                changes.iter().all(|d| d["executionId"] == id.as_str()),
                "{changes:?}"
            );
            let last = changes.last().context("no status change")?;
            ensure!(
                last["previousStatus"] == "Canceling" || last["previousStatus"] == "Running",
                "the change says where it came from: {last}"
            );
            br.screenshot("portal-element").await?;
            Ok(())
        },
    )
    .await
}

#[tokio::test]
async fn a_new_id_re_renders_and_removal_stops_polling() -> Result<()> {
    let page = |gw: &str| {
        host_page(
            &format!("{gw}/coc-execution.js"),
            "module",
            &format!(
                r#"<coc-execution id="el" poll-interval="1" execution-id="{}"></coc-execution>"#,
                seed::TICKET_SUCCEED
            ),
        )
    };
    run(
        "portal-rerender",
        &["--allow-origin", "{portal}"],
        page,
        async |_gw, portal, br| {
            br.goto(&format!("{}/", portal.origin)).await?;
            wait_shadow_text(br, "#el", ".coc-summary .coc-status-word", "Succeeded").await?;
            ensure!(
                shadow_text(br, "#el", "[data-field=execution_id]").await?.as_deref()
                    == Some(seed::TICKET_SUCCEED)
            );

            // A new id: the same element shows the other ticket.
            br.js(&format!(
                "document.getElementById('el').executionId = '{}';",
                seed::TICKET_BATCH_RUNNING
            ))
            .await?;
            wait_shadow_text(
                br,
                "#el",
                "[data-field=execution_id]",
                seed::TICKET_BATCH_RUNNING,
            )
            .await?;
            wait_shadow_text(br, "#el", ".coc-summary .coc-status-word", "Running").await?;
            wait_event(
                br,
                "coc-status-change",
                json!({"executionId": seed::TICKET_BATCH_RUNNING, "status": "Running", "previousStatus": null}),
            )
            .await?;

            // A running ticket is polled (every second here) ...
            let start = ticket_requests(br).await?;
            wait_for("two more polls", Duration::from_secs(10), || async {
                Ok((ticket_requests(br).await? >= start + 2).then_some(()))
            })
            .await?;

            // ... until the element leaves the page.
            br.js("window.__removed = document.getElementById('el'); window.__removed.remove();")
                .await?;
            ensure!(
                br.js("return window.__removed.shadowRoot.childElementCount;")
                    .await?
                    == json!(0),
                "the view is unmounted"
            );
            // A request in flight at removal may still complete.
            tokio::time::sleep(Duration::from_millis(1_500)).await;
            let after = ticket_requests(br).await?;
            // Four polling intervals.
            tokio::time::sleep(Duration::from_secs(4)).await;
            let later = ticket_requests(br).await?;
            ensure!(
                later == after,
                "the removed element kept polling: {after} requests, then {later}"
            );

            // Put back, it shows its ticket again (a fresh view).
            br.js("document.body.append(window.__removed);").await?;
            wait_shadow_text(br, "#el", ".coc-summary .coc-status-word", "Running").await?;
            Ok(())
        },
    )
    .await
}

#[tokio::test]
async fn a_token_from_the_host_is_sent_and_never_in_the_dom() -> Result<()> {
    // #early gets its token before the script defines the element (a plain
    // property on an undefined element, which the class must pick up).
    let page = |gw: &str| {
        host_page(
            "",
            "",
            &format!(
                r#"<coc-execution id="el" execution-id="{id}"></coc-execution>
<coc-execution id="early" execution-id="{id}"></coc-execution>
<script>document.getElementById("early").token = "tok-early-7";</script>
<script src="{gw}/coc-execution.js"></script>"#,
                id = seed::TICKET_SUCCEED
            ),
        )
    };
    run(
        "portal-token",
        &["--allow-origin", "{portal}", "--auth", "passthrough-token"],
        page,
        async |_gw, portal, br| {
            br.goto(&format!("{}/", portal.origin)).await?;
            wait_shadow_text(br, "#early", ".coc-summary .coc-status-word", "Succeeded").await?;
            // Without a token the gateway refuses, and the host hears why.
            let err = shadow_find(br, "#el", ".coc-load-failed .coc-error").await?;
            ensure!(err.attr("data-kind").await?.as_deref() == Some("auth"));
            let ev = wait_event(
                br,
                "coc-error",
                json!({"executionId": seed::TICKET_SUCCEED, "kind": "auth", "status": 401,
                       "errorCode": "GATEWAY.TOKEN_REQUIRED", "operation": null}),
            )
            .await?;
            ensure!(ev["target"] == "el", "{ev}");

            br.js("document.getElementById('el').tokenProvider = async () => 'tok-portal-42';")
                .await?;
            wait_shadow_text(br, "#el", ".coc-summary .coc-status-word", "Succeeded").await?;
            let errors_early = events(br)
                .await?
                .into_iter()
                .filter(|e| e["type"] == "coc-error" && e["target"] == "early")
                .count();
            ensure!(errors_early == 0, "the early token was not used");
            // The page's own inline script names the early token, so the
            // elements are checked for it, the whole page for the other.
            let page = br.js("return document.documentElement.outerHTML;").await?;
            ensure!(
                !page.to_string().contains("tok-portal-42"),
                "the token shows in the DOM: {page}"
            );
            let parts = br
                .js(
                    "return [...document.querySelectorAll('coc-execution')].map((el) => \
                     el.outerHTML + el.shadowRoot.innerHTML + el.getAttributeNames().join(' '));",
                )
                .await?
                .to_string();
            ensure!(
                !parts.contains("tok-early-7") && !parts.contains("tok-portal-42"),
                "a token shows on an element: {parts}"
            );
            Ok(())
        },
    )
    .await
}

#[tokio::test]
async fn a_portal_supplies_an_operator_token_through_its_token_provider() -> Result<()> {
    // Tokens mode, cross-origin: the token travels as Authorization, which
    // the browser sends only after a preflight the gateway must allow.
    let env = test_env()?;
    let ops = Operators::new()?;
    let token = ops.add(&env, "pia", "operator").await?;
    let mut flags: Vec<String> = vec!["--allow-origin".into(), "{portal}".into()];
    flags.extend(ops.flags());
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    run(
        "portal-operator-token",
        &flags,
        succeed_page,
        async |_gw, portal, br| {
            br.goto(&format!("{}/", portal.origin)).await?;
            // No token yet: the gateway says who it wants, and the host hears it.
            wait_event(
                br,
                "coc-error",
                json!({"executionId": seed::TICKET_SUCCEED, "kind": "auth", "status": 401,
                       "errorCode": "GATEWAY.UNAUTHENTICATED", "operation": null}),
            )
            .await?;
            br.js(&format!(
                "document.getElementById('el').tokenProvider = async () => ({{ operatorToken: {} }});",
                json!(token)
            ))
            .await?;
            wait_shadow_text(br, "#el", ".coc-summary .coc-status-word", "Succeeded").await?;
            let everything = br
                .js(
                    "return document.documentElement.outerHTML + \
                     [...document.querySelectorAll('coc-execution')].map((el) => el.shadowRoot.innerHTML).join('');",
                )
                .await?
                .to_string();
            ensure!(
                !everything.contains(&token),
                "the operator token shows in the DOM"
            );
            Ok(())
        },
    )
    .await
}

/// A host page with the classic loader and one element on the Succeed seed.
fn succeed_page(gw: &str) -> String {
    host_page(
        &format!("{gw}/coc-execution.js"),
        "",
        &format!(
            r#"<coc-execution id="el" execution-id="{}"></coc-execution>"#,
            seed::TICKET_SUCCEED
        ),
    )
}

#[tokio::test]
async fn a_disallowed_origin_gets_the_cors_hint_in_the_element() -> Result<()> {
    // No --allow-origin: the classic script loads (no CORS needed), the
    // wasm and stylesheet do not.
    run(
        "portal-disallowed",
        &[],
        succeed_page,
        async |_gw, portal, br| {
            br.goto(&format!("{}/", portal.origin)).await?;
            let text = wait_shadow_text(br, "#el", ".coc-el-fail", "allowed CORS origins").await?;
            ensure!(
                text.contains(&portal.origin) && text.contains("--allow-origin"),
                "the hint names this page's origin and the flag: {text}"
            );
            let ev = wait_event(
                br,
                "coc-error",
                json!({"executionId": seed::TICKET_SUCCEED, "kind": "network", "status": null}),
            )
            .await?;
            ensure!(
                ev["detail"]["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("could not be loaded")),
                "{ev}"
            );
            ensure!(shadow_text(br, "#el", ".coc-summary").await?.is_none());
            Ok(())
        },
    )
    .await
}

#[tokio::test]
async fn a_gateway_that_refuses_the_portal_shows_the_hint_after_a_gateway_change() -> Result<()> {
    run(
        "portal-gateway-change",
        &["--allow-origin", "{portal}"],
        succeed_page,
        async |_gw, portal, br| {
            // A second gateway that does not list the portal.
            let env = test_env()?;
            let other = Gateway::start(&env).await?;
            br.goto(&format!("{}/", portal.origin)).await?;
            wait_shadow_text(br, "#el", ".coc-summary .coc-status-word", "Succeeded").await?;

            br.js(&format!(
                "document.getElementById('el').setAttribute('gateway', '{}');",
                other.url
            ))
            .await?;
            let text = wait_shadow_text(br, "#el", ".coc-error[data-kind=network]", "CORS").await?;
            ensure!(
                text.contains(&other.url) && text.contains(&portal.origin),
                "the hint names both origins: {text}"
            );
            wait_event(
                br,
                "coc-error",
                json!({"executionId": seed::TICKET_SUCCEED, "kind": "network", "operation": null}),
            )
            .await?;

            // An unusable gateway URL says so too.
            br.js("document.getElementById('el').gateway = 'ftp://nope';")
                .await?;
            wait_shadow_text(br, "#el", ".coc-error[data-kind=invalid]", "http").await?;
            wait_event(
                br,
                "coc-error",
                json!({"executionId": seed::TICKET_SUCCEED, "kind": "invalid"}),
            )
            .await?;
            Ok(())
        },
    )
    .await
}

#[tokio::test]
async fn a_framed_console_posts_its_height_and_the_element_has_a_compact_form() -> Result<()> {
    let page = |gw: &str| {
        host_page(
            &format!("{gw}/coc-execution.js"),
            "module",
            &format!(
                r#"<coc-execution id="el" compact execution-id="{batch}"></coc-execution>
<script>
  window.cocHeights = [];
  addEventListener("message", (e) => {{
    if (e.data && e.data.type === "coc-console:height") window.cocHeights.push({{ origin: e.origin, height: e.data.height }});
  }});
</script>
<iframe id="frame" title="ticket" src="{gw}/executions/{done}?embed=1" style="width:600px;height:300px"></iframe>"#,
                batch = seed::TICKET_BATCH_RUNNING,
                done = seed::TICKET_SUCCEED,
            ),
        )
    };
    run(
        "portal-compact-frame",
        &["--allow-origin", "{portal}", "--frame-ancestors", "{portal}"],
        page,
        async |gw, portal, br| {
            br.goto(&format!("{}/", portal.origin)).await?;
            wait_shadow_text(br, "#el", ".coc-summary .coc-status-word", "Running").await?;
            // Compact: the current step in a line, everything else behind a
            // closed disclosure.
            let step = wait_shadow_text(br, "#el", "[data-role=current-step]", "Step ").await?;
            ensure!(step.contains(" of "), "{step}");
            let open = br
                .js("return document.getElementById('el').shadowRoot.querySelector('details.coc-disclosure')?.open ?? null;")
                .await?;
            ensure!(open == json!(false), "the rest is behind a closed disclosure: {open}");

            // The framed console says how tall it is, from the gateway's
            // origin, again as it grows (loading card, then the ticket).
            let last = wait_for("the loaded ticket's height from the frame", Duration::from_secs(15), || async {
                let v = br.js("return window.cocHeights;").await?;
                Ok(v.as_array()
                    .and_then(|a| a.last().cloned())
                    .filter(|h| h["height"].as_u64().is_some_and(|h| h > 400)))
            })
            .await?;
            ensure!(last["origin"] == json!(gw.url), "{last}");
            Ok(())
        },
    )
    .await
}

#[tokio::test]
async fn the_element_in_a_portal_passes_axe() -> Result<()> {
    run(
        "portal-axe",
        &["--allow-origin", "{portal}"],
        succeed_page,
        async |_gw, portal, br| {
            br.goto(&format!("{}/", portal.origin)).await?;
            wait_shadow_text(br, "#el", ".coc-summary .coc-status-word", "Succeeded").await?;
            // Only the element: the portal's own page is not ours to judge.
            let found = br.axe(Some("#el")).await?;
            note(&format!(
                "axe-core (WCAG 2.1 A/AA) on the element in a portal: {} violations",
                found.len()
            ));
            ensure!(
                found.is_empty(),
                "accessibility violations:\n{}",
                found.join("\n")
            );
            // The check reaches into the shadow root: an image without a
            // text alternative planted there is found.
            br.js(
                "const i = document.createElement('img'); i.id = 'planted'; \
                   document.getElementById('el').shadowRoot.appendChild(i);",
            )
            .await?;
            let planted = br.axe(Some("#el")).await?;
            ensure!(
                planted
                    .iter()
                    .any(|v| v.starts_with("image-alt") && v.contains("#planted")),
                "{planted:?}"
            );
            Ok(())
        },
    )
    .await
}

#[tokio::test]
async fn each_element_speaks_its_lang_even_two_on_one_page() -> Result<()> {
    run(
        "portal-zh",
        &["--allow-origin", "{portal}"],
        |gw| {
            host_page(
                &format!("{gw}/coc-execution.js"),
                "",
                &format!(
                    r#"<coc-execution id="el" execution-id="{id}"></coc-execution>
<section lang="zh-CN"><coc-execution id="zh" execution-id="{id}"></coc-execution></section>"#,
                    id = seed::TICKET_SUCCEED
                ),
            )
        },
        async |_gw, portal, br| {
            br.goto(&format!("{}/", portal.origin)).await?;
            // The page is English; the second element inherits 简体中文
            // from its section, and each loads its own build.
            wait_shadow_text(br, "#el", ".coc-summary .coc-status-word", "Succeeded").await?;
            wait_shadow_text(br, "#zh", ".coc-summary .coc-status-word", "成功").await?;
            wait_shadow_text(br, "#zh", ".coc-ops h3", "操作").await?;
            let en_ops = shadow_text(br, "#el", ".coc-ops h3").await?;
            ensure!(en_ops.as_deref() == Some("Operations"), "{en_ops:?}");
            let lang = br
                .js("return document.getElementById('zh').shadowRoot.querySelector('.coc-el').lang;")
                .await?;
            ensure!(lang == "zh-CN", "the Chinese element's root says {lang}");
            let found = br.axe(Some("#zh")).await?;
            note(&format!(
                "axe-core (WCAG 2.1 A/AA) on the 简体中文 element: {} violations",
                found.len()
            ));
            ensure!(found.is_empty(), "accessibility violations:\n{}", found.join("\n"));
            Ok(())
        },
    )
    .await
}
