// The package as bundlers and pages without one see it: Vite 7, Vite 8 and
// webpack 5 build app/ (which imports "@coc-ops/core" with no plugin and no
// wasm settings), and plain/ loads "@coc-ops/core/web" with an explicit
// init(). Each page is served over HTTP on 127.0.0.1 and loaded in one
// headless Chromium; what it shows must equal what Node computes.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { cp, mkdtemp, readFile, readdir, rm, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, extname, join, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as coc from "@coc-ops/core";
import { report } from "./app/report.js";

const here = dirname(fileURLToPath(import.meta.url));
const tools = process.env.COC_NPM_TOOLS;
const chromiumPath = process.env.COC_CHROMIUM ?? "/usr/bin/chromium";
if (!tools) throw new Error("COC_NPM_TOOLS is not set: run these tests through `cargo xtask npm --test`");
const tool = (name) => import(pathToFileURL(createRequire(join(tools, "x.js")).resolve(name)).href);
const pkgDir = dirname(createRequire(import.meta.url).resolve("@coc-ops/core/package.json"));

// What the page must show: the same calls, in Node.
function expected() {
  const el = { textContent: "" };
  globalThis.document = { getElementById: () => el };
  try {
    report(coc);
  } finally {
    delete globalThis.document;
  }
  return JSON.parse(el.textContent);
}

const TYPES = { ".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm", ".json": "application/json" };

/** A static server over `mounts` ({ "/": dir, "/pkg/": dir }), on 127.0.0.1. */
function serve(mounts) {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    const prefix = Object.keys(mounts).filter((p) => path.startsWith(p)).sort((a, b) => b.length - a.length)[0];
    if (prefix === undefined) return res.writeHead(404).end();
    const root = resolve(mounts[prefix]);
    let file = resolve(root, "." + sep + path.slice(prefix.length));
    if (!file.startsWith(root)) return res.writeHead(403).end();
    try {
      if ((await stat(file)).isDirectory()) file = join(file, "index.html");
      const body = await readFile(file);
      res.writeHead(200, { "Content-Type": TYPES[extname(file)] ?? "application/octet-stream" }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((ok) => server.listen(0, "127.0.0.1", () => ok({ server, url: `http://127.0.0.1:${server.address().port}` })));
}

let work;
let browser;
before(async () => {
  work = await mkdtemp(join(process.env.TMPDIR ?? tmpdir(), "coc-bundlers-"));
  const playwright = await tool("playwright-core");
  const { chromium } = playwright.default ?? playwright;
  browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
  });
});
after(async () => {
  await browser?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

/** Loads `url` in a fresh page; returns #result once it is filled, and the page's errors. */
async function load(url) {
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  page.on("response", (r) => r.status() >= 400 && errors.push(`${r.status()} ${r.url()}`));
  try {
    await page.goto(url);
    await page.waitForFunction(() => document.getElementById("result")?.textContent !== "loading", null, { timeout: 30_000 });
    return { result: JSON.parse(await page.textContent("#result")), errors, early: await page.evaluate(() => document.getElementById("early")?.textContent ?? null) };
  } finally {
    await page.close();
  }
}

/**
 * app/, copied into the consumer folder (whose node_modules has the
 * installed tarball), as a project's own source would sit.
 */
async function appCopy(name) {
  const dir = join(here, "..", `.app-${name}`);
  await rm(dir, { recursive: true, force: true });
  await cp(join(here, "app"), dir, { recursive: true });
  return dir;
}

async function checkBuilt(out) {
  const files = await readdir(out, { recursive: true });
  const wasm = files.filter((f) => f.endsWith(".wasm"));
  assert.equal(wasm.length, 1, `one wasm in the build, got ${wasm}`);
  const { server, url } = await serve({ "/": out });
  try {
    const { result, errors } = await load(`${url}/`);
    assert.deepEqual(result, expected());
    assert.deepEqual(errors, []);
  } finally {
    server.close();
  }
}

for (const vite of ["vite7", "vite8"]) {
  test(`${vite} builds a page that loads and calls the package`, async () => {
    const { build, version } = await tool(vite);
    assert.match(version, vite === "vite7" ? /^7\./ : /^8\./);
    const root = await appCopy(vite);
    const out = join(work, vite);
    await build({ root, configFile: false, logLevel: "warn", build: { outDir: out, emptyOutDir: true } });
    await checkBuilt(out);
  });
}

for (const vite of ["vite7", "vite8"]) {
  test(`${vite}'s dev server serves the page with the README's recipe`, async () => {
    const { createServer: viteServer } = await tool(vite);
    const root = await appCopy(`${vite}-dev`);
    // The README's recipe: keep the package out of dependency pre-bundling.
    const server = await viteServer({
      root, configFile: false, logLevel: "warn", cacheDir: join(work, `${vite}-cache`),
      optimizeDeps: { exclude: ["@coc-ops/core"] },
      server: { host: "127.0.0.1", port: 0, strictPort: false, hmr: false },
    });
    await server.listen();
    try {
      const { port } = server.httpServer.address();
      const { result, errors } = await load(`http://127.0.0.1:${port}/`);
      assert.deepEqual(result, expected());
      assert.deepEqual(errors, []);
    } finally {
      await server.close();
    }
  });
}

test("webpack 5 builds a page that loads and calls the package", async () => {
  const { default: webpack } = await tool("webpack");
  const root = await appCopy("webpack");
  const out = join(work, "webpack");
  const stats = await new Promise((ok, fail) =>
    webpack({ mode: "production", context: root, entry: "./main.js", output: { path: out, filename: "main.js", clean: true } },
      (err, s) => (err ? fail(err) : ok(s))));
  assert.ok(!stats.hasErrors(), stats.toString("errors-only"));
  await cp(join(root, "index.html"), join(out, "index.html"));
  await checkBuilt(out);
});

test("the web build loads without a bundler, with an explicit init() (and says so when it is missing)", async () => {
  const { server, url } = await serve({ "/": join(here, "plain"), "/pkg/": pkgDir, "/app/": join(here, "app") });
  try {
    const { result, errors, early } = await load(`${url}/`);
    assert.deepEqual(result, expected());
    assert.deepEqual(errors, []);
    const before = JSON.parse(early);
    assert.equal(before.isCocError, true);
    assert.equal(before.kind, "invalid_argument");
    assert.match(before.message, /call \(and await\) its default export, init\(\)/);
  } finally {
    server.close();
  }
});

test("what the pages must show is a decoded ticket and a CocError", () => {
  // Sanity of the expected value itself: a real ticket, not an error report.
  const e = expected();
  assert.equal(e.failed, undefined);
  assert.equal(e.ticket.status, "Pending");
  assert.deepEqual(e.ticket.tags, []);
  assert.deepEqual(e.ticket.targets, [{ key: "BatchValues", values: [] }]);
  assert.equal(e.error.isCocError, true);
  assert.equal(e.error.kind, "api");
});
