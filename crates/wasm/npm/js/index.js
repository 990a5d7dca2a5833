// @coc-ops/core for browsers and bundlers: loads the wasm next to this file
// (a top-level await), then exports the API. For an explicit init() use
// "@coc-ops/core/web".
import init from "./web.js";

await init();

export * from "./web.js";
