// `cargo xtask bench`: decode routes and signing of the npm package, in
// Node, against JSON.parse of the same bytes. Reported, never asserted.
//
// COC_BENCH_GLUE: the package's CommonJS glue built with the
// `decode-candidates` feature (it adds decodeCandidate); COC_GATEWAY_URL: a
// gateway with the simulator, which serves the two tickets measured.
import { createRequire } from "node:module";

const coc = createRequire(import.meta.url)(process.env.COC_BENCH_GLUE);
const gateway = process.env.COC_GATEWAY_URL.replace(/\/$/, "");
const TICKETS = [
  ["one ticket", "EX2025070110223402c4d6e8"],
  ["the 10,000-target ticket", "EX2025070108000010e2f4a6"],
];
const ROUTES = ["core, then JSON text", "core, then serde-wasm-bindgen", "JSON.parse, checked in wasm"];

/** Per-call medians of `fns`, measured round-robin so that drift hits all alike. */
function race(fns, { rounds, batch }) {
  const times = fns.map(() => []);
  for (const [, f] of fns) for (let i = 0; i < batch; i++) f(); // warm-up
  for (let r = 0; r < rounds; r++) {
    fns.forEach(([, f], i) => {
      const t = process.hrtime.bigint();
      for (let k = 0; k < batch; k++) f();
      times[i].push(Number(process.hrtime.bigint() - t) / 1e6 / batch);
    });
  }
  return times.map((ts) => ts.sort((a, b) => a - b)[ts.length >> 1]);
}

const fmt = (ms) => (ms < 1 ? `${(ms * 1000).toFixed(1)} µs` : `${ms.toFixed(2)} ms`);
for (const [name, id] of TICKETS) {
  const res = await fetch(`${gateway}/v1/executions/${id}`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  if (res.status !== 200) throw new Error(`${id}: http ${res.status}`);
  const response = { status: 200, headers: { "Content-Type": "application/json" }, body: bytes };
  const big = bytes.length > 100_000;
  const fns = [
    ["JSON.parse (TextDecoder + JSON.parse)", () => JSON.parse(new TextDecoder().decode(bytes))],
    ["parseGetExecution (as shipped)", () => coc.parseGetExecution(id, response)],
    ...ROUTES.map((r) => [r, () => coc.decodeCandidate(r, id, response)]),
    ["core decode alone (no result for JS)", () => coc.decodeCandidate("core decode alone", id, response)],
  ];
  const t = race(fns, big ? { rounds: 15, batch: 2 } : { rounds: 41, batch: 200 });
  const kb = (bytes.length / 1024).toFixed(1);
  console.log(`decode ${name} (${kb} KB), Node ${process.version}, medians, ratio to JSON.parse:`);
  fns.forEach(([label], i) => console.log(`  ${label.padEnd(40)} ${fmt(t[i]).padStart(10)}  ${(t[i] / t[0]).toFixed(2)}x`));
}

const req = {
  method: "GET",
  url: "https://coc.cn-north-4.myhuaweicloud.com/v1/executions?limit=20&creator=ops",
  headers: { Host: "coc.cn-north-4.myhuaweicloud.com", "Content-Type": "application/json" },
};
const creds = { accessKey: "AK0123456789EXAMPLE", secretKey: "SK0123456789abcdefEXAMPLEEXAMPLE", projectId: "77b6a44cba5143ab91d13ab9a8ff44fd" };
const endpoint = { baseUrl: "https://coc.cn-north-4.myhuaweicloud.com", auth: { type: "aksk", ...creds } };
const [signed, built, unsigned] = race(
  [
    ["sign", () => coc.sign(req, creds, 1751356800000)],
    ["build + sign", () => coc.listExecutionsRequest(endpoint, { limit: 20, creator: "ops" }, 1751356800000)],
    ["build", () => coc.listExecutionsRequest({ baseUrl: endpoint.baseUrl }, { limit: 20, creator: "ops" }, 1751356800000)],
  ],
  { rounds: 41, batch: 500 },
);
console.log(`sign a GET in Node: sign() ${fmt(signed)}; listExecutionsRequest with AK/SK ${fmt(built)} (unsigned ${fmt(unsigned)})`);
