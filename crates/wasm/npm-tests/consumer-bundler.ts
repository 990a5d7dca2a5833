// A browser/bundler consumer (`moduleResolution: bundler`, DOM lib): the
// platform's fetch fits the client's options, and "@coc-ops/core/web" has
// its own types with init().
import { CocClient, CocError, isCocError, parseGetExecution } from "@coc-ops/core";
import type { Execution, FetchInit } from "@coc-ops/core";
import init, { initSync, parseGetExecution as parseWeb } from "@coc-ops/core/web";
import type { InitInput } from "@coc-ops/core/web";

new CocClient({ baseUrl: "http://127.0.0.1:8080", fetch: globalThis.fetch });
new CocClient({ baseUrl: "http://127.0.0.1:8080", fetch });
new CocClient({ baseUrl: "http://127.0.0.1:8080", fetch: (input: string, init?: RequestInit) => fetch(input, init) });
new CocClient({ baseUrl: "http://127.0.0.1:8080", fetch: async (input: string, init: FetchInit) => fetch(input, init) });
// @ts-expect-error: a fetch that takes a number is not a fetch
new CocClient({ baseUrl: "http://127.0.0.1:8080", fetch: (input: number) => fetch(String(input)) });

const input: InitInput = new URL("/assets/coc_wasm_bg.wasm", location.href);
await init({ module_or_path: input });
await init();
initSync({ module: new Uint8Array() });
const t: Execution = parseWeb("EX1", { status: 200, body: "{}" });
try {
  parseGetExecution("EX1", { status: 200, body: "" });
} catch (e) {
  if (e instanceof CocError && isCocError(e)) {
    const status: number | null = e.status;
    void status;
  }
}
void t;
export {};
