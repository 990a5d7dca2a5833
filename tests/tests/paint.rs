//! How soon the console paints a ticket, against a floor page: a page served
//! by the same gateway that only fetches the same JSON and writes the job
//! name into one element. A benchmark, not a test: it is `#[ignore]`d and run
//! by `cargo xtask bench`, which prints the ratios; nothing is asserted
//! about time (a busy machine would fail it and prove nothing).
//!
//! Both pages mark the job name with `elementtiming="ticket-name"`; the
//! figure is that element's render time from the navigation's start, read
//! with the Element Timing API. The console's first is usually index.html's
//! early job name (painted from its early GET while the wasm loads), so the
//! console's own header is reported beside it. Cold: a fresh browser (empty
//! cache) per load. Warm: one browser, the same pages loaded again.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

use std::path::Path;
use std::time::Duration;

use anyhow::{Result, bail};
use coc_e2e::{Browser, Gateway, TestEnv, seed, serial, test_env};

/// Loads per page and case; paints land on frames (16.7 ms apart), so
/// fewer make the medians of a 60 ms page jump by a frame between runs.
const RUNS: usize = 21;

const FLOOR_HTML: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>floor</title>
<script src="/floor.js" defer></script></head>
<body><h2 elementtiming="ticket-name" id="n"></h2></body></html>
"#;

const FLOOR_JS: &str = r#"fetch("/v1/executions/" + location.hash.slice(1))
  .then((r) => r.json())
  .then((j) => { document.getElementById("n").textContent = j.data.document_name; });
"#;

/// The render time of the `ticket-name` elements, ms from navigation start:
/// `paint`, the first (index.html's early job name when it shows, else the
/// console's header), and `app`, the console's own header (`#coc-early-name`
/// is the early one). Waits for the console's.
const READ_PAINT: &str = r#"
const done = arguments[arguments.length - 1];
const names = [];
const po = new PerformanceObserver((l) => {
  for (const e of l.getEntries())
    if (e.identifier === "ticket-name" && (e.renderTime || e.loadTime)) names.push(e);
  const app = names.find((e) => e.id !== "coc-early-name");
  if (app) {
    po.disconnect();
    const res = performance.getEntriesByType("resource");
    const gets = res.filter((r) => r.name.includes("/v1/executions/"));
    const wasm = res.find((r) => r.name.endsWith(".wasm"));
    done({
      paint: Math.min(...names.map((e) => e.renderTime || e.loadTime)),
      app: app.renderTime || app.loadTime,
      early: names.some((e) => e.id === "coc-early-name"),
      fcp: (performance.getEntriesByName("first-contentful-paint")[0] || {}).startTime,
      wasm_end: wasm ? wasm.responseEnd : null,
      get_start: gets.length ? gets[0].startTime : null,
      get_end: gets.length ? gets[0].responseEnd : null,
      gets: gets.length,
      html_end: performance.getEntriesByType("navigation")[0].responseEnd,
      interactive: performance.getEntriesByType("navigation")[0].domInteractive,
      marks: Object.fromEntries(performance.getEntriesByType("mark").reverse().map((m) => [m.name, Math.round(m.startTime)])),
    });
  }
});
po.observe({ type: "element", buffered: true });
setTimeout(() => done(null), 20000);
"#;

/// One load: the first paint of the job name and the console's own, and
/// with `COC_PAINT_DETAIL` the rest of the timings.
async fn paint(br: &Browser, url: &str) -> Result<(f64, f64)> {
    br.goto("about:blank").await?;
    br.goto(url).await?;
    let v = br.client.execute_async(READ_PAINT, vec![]).await?;
    let (Some(paint), Some(app)) = (v["paint"].as_f64(), v["app"].as_f64()) else {
        bail!("{url}: no ticket-name paint within 20 s ({v})");
    };
    if std::env::var_os("COC_PAINT_DETAIL").is_some() {
        eprintln!("  {url}: {v}");
    }
    Ok((paint, app))
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// The console's files plus the floor page, in a temp dir the gateway serves.
fn static_dir(env: &TestEnv) -> Result<std::path::PathBuf> {
    let dir = coc_e2e::dist_copy(env, "paint", |_| true)?;
    std::fs::write(dir.join("floor.html"), FLOOR_HTML)?;
    std::fs::write(dir.join("floor.js"), FLOOR_JS)?;
    Ok(dir)
}

/// Medians of one page's loads, cold and warm.
#[derive(Debug, Clone, Copy)]
struct Medians {
    cold: f64,
    warm: f64,
    /// The console's own header, cold and warm.
    app_cold: f64,
    app_warm: f64,
}

/// Both pages' medians, `[console, floor]`. The two are loaded in turn,
/// cold and warm, so that a machine that slows down mid-run slows both.
async fn measure(gw: &Gateway, id: &str) -> Result<[Medians; 2]> {
    let urls = [
        format!("{}/executions/{id}", gw.url),
        format!("{}/floor.html#{id}", gw.url),
    ];
    let mut cold: [Vec<(f64, f64)>; 2] = Default::default();
    let mut warm: [Vec<(f64, f64)>; 2] = Default::default();
    for _ in 0..RUNS {
        for (url, loads) in urls.iter().zip(&mut cold) {
            let br = Browser::start(1280, 900).await?;
            loads.push(paint(&br, url).await?);
            br.close().await?;
        }
    }
    let br = Browser::start(1280, 900).await?;
    for url in &urls {
        paint(&br, url).await?;
    }
    for _ in 0..RUNS {
        for (url, loads) in urls.iter().zip(&mut warm) {
            loads.push(paint(&br, url).await?);
        }
    }
    br.close().await?;
    let first = |v: &[(f64, f64)]| median(v.iter().map(|p| p.0).collect());
    let app = |v: &[(f64, f64)]| median(v.iter().map(|p| p.1).collect());
    Ok([0, 1].map(|i| Medians {
        cold: first(&cold[i]),
        warm: first(&warm[i]),
        app_cold: app(&cold[i]),
        app_warm: app(&warm[i]),
    }))
}

#[tokio::test]
#[ignore = "a benchmark: cargo xtask bench runs it"]
async fn paint_console_versus_floor_page() -> Result<()> {
    let _serial = serial().await;
    let env = test_env()?;
    let dir = static_dir(&env)?;
    let env = TestEnv {
        dist_dir: dir.clone(),
        ..env
    };
    let gw = Gateway::start(&env).await?;
    for (what, id) in [
        ("a small ticket", seed::TICKET_SUCCEED),
        ("the 10,000-target ticket", seed::TICKET_LARGE),
    ] {
        let [c, f] = measure(&gw, id).await?;
        eprintln!(
            "paint of {what}, navigation → job name (medians of {RUNS}): console {:.0} ms cold / {:.0} ms warm; floor page {:.0} / {:.0} ms; console/floor {:.2}× cold, {:.2}× warm",
            c.cold,
            c.warm,
            f.cold,
            f.warm,
            c.cold / f.cold,
            c.warm / f.warm
        );
        eprintln!(
            "    the console's own header (after the early job name): {:.0} ms cold / {:.0} ms warm; {:.2}× / {:.2}× the floor page",
            c.app_cold,
            c.app_warm,
            c.app_cold / f.cold,
            c.app_warm / f.warm
        );
    }
    drop(gw);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let _ = std::fs::remove_dir_all(Path::new(&dir));
    Ok(())
}
