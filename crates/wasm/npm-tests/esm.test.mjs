// The packed tarball, imported as an ES module under Node's test runner.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as coc from "@coc-ops/core";
import { createRequire } from "node:module";
import { fixture, fixtureJson, gatewayUrl } from "./helpers.mjs";

const gw = { baseUrl: "http://127.0.0.1:8080/api/coc/" };
const res = (status, body, headers = {}) => ({ status, headers, body });

function throwsCoc(fn, props) {
  let caught;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught, "expected a CocError to be thrown");
  assert.ok(caught instanceof Error, "a CocError is an Error");
  assert.equal(caught.name, "CocError");
  for (const [k, v] of Object.entries(props)) {
    if (v instanceof RegExp) assert.match(String(caught[k]), v, `property ${k}`);
    else assert.equal(caught[k], v, `property ${k}`);
  }
  return caught;
}

test("exports every documented function and the client", () => {
  for (const name of [
    "getExecutionRequest", "operateExecutionRequest", "listExecutionsRequest",
    "listExecutionStepsRequest", "listExecutionInstancesRequest", "executeDocumentRequest",
    "parseGetExecution", "parseOperateExecution", "parseListExecutions",
    "parseListExecutionSteps", "parseListExecutionInstances", "parseExecuteDocument",
    "advise", "isActive", "isTerminal", "statusLabel", "sign", "sdkDate", "validateExecutionId", "CocClient",
    "CocError", "isCocError",
  ]) {
    assert.equal(typeof coc[name], "function", name);
  }
});

test("decodes seed 002's example body field by field", () => {
  const t = coc.parseGetExecution("EX2025070121014501xxxxxx", res(200, fixture("seed_002_get_execution_response.json")));
  assert.equal(t.id, 123);
  assert.equal(t.execution_id, "EX2025070121014501xxxxxx");
  assert.equal(t.type, "NORMAL");
  assert.equal(t.document_name, "test_document");
  assert.equal(t.document_id, "DM2025070118023901xxxxxx");
  assert.equal(t.document_version_id, "573634e7-5e69-4b4b-b4a1-b7433xxxxxx");
  assert.equal(t.document_version, "v2");
  assert.equal(t.start_time, 1751374905000);
  assert.equal(t.end_time, null);
  assert.equal(t.update_time, 1751374905000);
  assert.equal(t.status, "Pending");
  assert.equal(t.creator, "COC-Script");
  assert.deepEqual(t.parameters, []);
  assert.deepEqual(t.targets, []);
  assert.deepEqual(t.tags, []);
  assert.equal(coc.isActive(t.status), true);
  assert.equal(coc.statusLabel(t.status), "Suspended");
  const offered = coc.advise(t).filter((a) => a.offered).map((a) => a.operation).sort();
  assert.deepEqual(offered, ["RESUME", "RETRY", "TERMINATE"]);
  const skip = coc.advise(t).find((a) => a.operation === "SKIP_BATCH");
  assert.match(skip.reason, /BATCH/);
});

test("keeps fields it does not know, also inside parameters, tags and targets", () => {
  const body = JSON.stringify({
    data: {
      execution_id: "EX1",
      rollback_enabled: false,
      parameters: [{ key: "a", value: "1", sensitive: true }],
      tags: [{ key: "env", value: "prod", source: "cmdb" }],
      targets: [{ key: "InstanceValues", values: [{ id: "i-1" }], region: "cn-north-4" }],
    },
  });
  const t = coc.parseGetExecution("EX1", res(200, body));
  assert.equal(t.rollback_enabled, false);
  assert.deepEqual(t.parameters, [{ key: "a", value: "1", sensitive: true }]);
  assert.deepEqual(t.tags, [{ key: "env", value: "prod", source: "cmdb" }]);
  assert.deepEqual(t.targets, [{ key: "InstanceValues", values: [{ id: "i-1" }], region: "cn-north-4" }]);
});

test("decodes the list, steps, instances and execute-document fixtures", () => {
  const list = coc.parseListExecutions(res(200, fixture("list_executions_page.json")));
  assert.ok(list.items.length > 0);
  assert.equal(typeof list.total, "number");
  const steps = coc.parseListExecutionSteps(res(200, fixture("list_execution_steps_page.json")));
  assert.ok(steps.items.length > 0);
  const inst = coc.parseListExecutionInstances(res(200, fixture("list_execution_instances_page.json")));
  assert.ok(inst.items.length > 0);
  const id = coc.parseExecuteDocument(res(200, fixture("execute_document_response.json")));
  assert.equal(id, fixtureJson("execute_document_response.json").data);
});

test("builds each of the six requests", () => {
  let r = coc.getExecutionRequest(gw, "EX1");
  assert.deepEqual([r.method, r.url, r.body], ["GET", "http://127.0.0.1:8080/api/coc/v1/executions/EX1", ""]);
  assert.equal(r.headers["Content-Type"], "application/json");

  const seed000 = fixtureJson("seed_000_operate_request.json");
  r = coc.operateExecutionRequest(gw, seed000.execution_id, seed000.operate_type);
  assert.equal(r.method, "POST");
  assert.equal(r.headers["X-Coc-Ops-Reason"], undefined);
  const withReason = coc.operateExecutionRequest(
    { ...gw, operatorToken: "cocpat_0_x" }, "EX1", "TERMINATE", 0, { reason: "stuck, INC-1" });
  assert.equal(withReason.headers["X-Coc-Ops-Reason"], "stuck%2C%20INC-1");
  assert.equal(withReason.headers["Authorization"], "Bearer cocpat_0_x");
  throwsCoc(() => coc.operateExecutionRequest(gw, "EX1", "TERMINATE", 0, { reason: " " }),
    { kind: "invalid_argument", field: "reason" });
  assert.equal(r.url, "http://127.0.0.1:8080/api/coc/v1/executions");
  assert.deepEqual(JSON.parse(r.body), seed000);

  r = coc.listExecutionsRequest(gw, {
    limit: 20, offset: 40, creator: "ops team", startTime: 1, endTime: 2,
    documentName: "db&backup", documentId: "DM1", tags: { env: "prod", team: "sre" }, excludeChildExecutions: true,
  });
  assert.equal(
    r.url,
    "http://127.0.0.1:8080/api/coc/v1/executions?limit=20&offset=40&creator=ops%20team&start_time=1&end_time=2" +
      "&document_name=db%26backup&document_id=DM1&tags=env%3Dprod%2Cteam%3Dsre&exclude_child_executions=true",
  );

  r = coc.listExecutionStepsRequest(gw, "EX1", { limit: 5, executionStepIds: ["s1", "s2"] });
  assert.equal(r.url, "http://127.0.0.1:8080/api/coc/v1/executions/EX1/steps?limit=5&execution_step_id_list=s1%2Cs2");

  r = coc.listExecutionInstancesRequest(gw, "step-1", { offset: 10 });
  assert.equal(r.url, "http://127.0.0.1:8080/api/coc/v1/executions/instances?execution_step_id=step-1&offset=10");

  r = coc.executeDocumentRequest(gw, "DM1", { version: "v2", parameters: [{ key: "k", value: "v" }] });
  assert.equal(r.url, "http://127.0.0.1:8080/api/coc/v1/documents/DM1");
  assert.deepEqual(JSON.parse(r.body), { version: "v2", parameters: [{ key: "k", value: "v" }] });

  r = coc.getExecutionRequest({ baseUrl: "https://coc.myhuaweicloud.com", auth: { type: "token", token: "tok" } }, "EX1");
  assert.equal(r.headers["X-Auth-Token"], "tok");
});

test("reproduces the published signing vectors", () => {
  const url = "https://service.endpoint.myhuaweicloud.com/resources?size=1";
  const headers = { Host: "service.endpoint.myhuaweicloud.com", "X-Sdk-Date": "20200608T023900Z" };
  const creds = { accessKey: "AccessKey", secretKey: "SecretKey" };
  assert.match(coc.sign({ method: "GET", url, headers }, creds).headers.Authorization,
    /Signature=cfb4171acec81de07d50e53d57eb77edd537414d66ddb1d7d780f128e12cd842$/);
  assert.match(coc.sign({ method: "POST", url, headers, body: '{"name":"test","id":1}' }, creds).headers.Authorization,
    /Signature=436b1ac0a1ae03705934bb70ef2f2e09f7bfed2117d731a38235053199323a1f$/);
  const guide = coc.sign(
    {
      method: "GET",
      url: "https://service.region.example.com/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs?limit=2&marker=13551d6b-755d-4757-b956-536f674975c0",
      headers: { "Content-Type": "application/json", Host: "service.region.example.com", "X-Sdk-Date": "20191115T033655Z" },
    },
    { accessKey: "QTWAOYTTINDUT2QVKYUC", secretKey: "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc" },
  );
  assert.equal(guide.headers.Authorization,
    "SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC, SignedHeaders=content-type;host;x-sdk-date, Signature=7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe");
  const go = coc.sign(
    { method: "POST", url: "/path?key=value", headers: [["X-Sdk-Date", "20060102T150405Z"], ["TEST_UNDERSCORE", "x"]], body: new TextEncoder().encode('{"Name":"test","Id":1}\n') },
    creds,
  );
  assert.match(go.headers.Authorization, /SignedHeaders=x-sdk-date, Signature=cecc2af119b18ab70b4d094c0750f3b42c02f254903179a0fc2cc72fc9db4f59$/);
  assert.ok(go.body instanceof Uint8Array, "a Uint8Array body is handed back as given");
  assert.equal(coc.sdkDate(Date.UTC(2006, 0, 2, 15, 4, 5)), "20060102T150405Z");
});

test("agrees with every official-SDK case the core agrees with", () => {
  const { cases } = fixtureJson("sdk_signing_cases.json");
  assert.ok(cases.length >= 10);
  let checked = 0;
  for (const c of cases) {
    // The core documents and tests its one deliberate difference from the
    // Python SDK (crates/core/tests/sdk_signing.rs); skip exactly those.
    if (c.deliberate_difference) continue;
    const signed = c.signed_headers.split(";");
    // `sign` signs every header it is given; give it exactly the signed ones
    // (plus underscore names, which it must leave out by itself).
    const headers = c.headers.filter(([n]) => signed.includes(n.toLowerCase()) || n.includes("_"));
    const out = coc.sign({ method: c.method, url: c.url, headers, body: c.body }, { accessKey: c.access_key, secretKey: c.secret_key });
    assert.equal(out.headers.Authorization, c.authorization, c.name);
    checked++;
  }
  assert.equal(checked, cases.filter((c) => !c.deliberate_difference).length);
  assert.ok(checked >= 10);
});

test("malformed and hostile input throws the documented errors", () => {
  throwsCoc(() => coc.getExecutionRequest(gw, "../etc"), { kind: "invalid_argument", field: "executionId" });
  throwsCoc(() => coc.getExecutionRequest(gw, ""), { kind: "invalid_argument", field: "executionId", message: /executionId: must not be empty/ });
  throwsCoc(() => coc.getExecutionRequest({ baseUrl: "ftp://x" }, "EX1"), { kind: "invalid_endpoint" });
  throwsCoc(() => coc.getExecutionRequest({ baseUrl: "http://x", auth: { type: "magic" } }, "EX1"), { kind: "invalid_argument", field: /^auth/, message: /"none", "token", "aksk", not "magic"/ });
  throwsCoc(() => coc.operateExecutionRequest(gw, "EX1", "REBOOT"), { kind: "invalid_argument", field: "operateType" });
  throwsCoc(() => coc.listExecutionsRequest(gw, { limit: 0 }), { kind: "invalid_argument", field: "limit" });
  throwsCoc(() => coc.listExecutionsRequest(gw, { start_time: 1 }), { kind: "invalid_argument", field: "start_time", message: /did you mean startTime\?/ });
  throwsCoc(() => coc.parseGetExecution("EX1", res(502, fixture("proxy_502.html"), { "X-request-id": "r-502" })),
    { kind: "http", status: 502, requestId: "r-502", errorCode: null, message: /html/i });
  throwsCoc(() => coc.parseGetExecution("EX1", res(200, '{"data": {"start_time": "yesterday"')),
    { kind: "decode", status: 200 });
  throwsCoc(() => coc.parseGetExecution("EX1", res(200, '{"data": {"start_time": "yesterday"}}')),
    { kind: "decode", message: /start_time/ });
  throwsCoc(() => coc.parseGetExecution("EX1", res(200, '{"data": null}', { "X-Request-Id": "r-nf" })),
    { kind: "not_found", requestId: "r-nf", message: /EX1/ });
  throwsCoc(() => coc.parseOperateExecution(res(400, fixture("coc_400_error.json"), { "x-request-id": "r-400" })),
    { kind: "api", status: 400, errorCode: fixtureJson("coc_400_error.json").error_code, errorMsg: fixtureJson("coc_400_error.json").error_msg, requestId: "r-400" });
  throwsCoc(() => coc.parseListExecutions(res(401, fixture("apigw_401.json"))),
    { kind: "api", status: 401, errorCode: "APIGW.0301", requestId: fixtureJson("apigw_401.json").request_id });
  throwsCoc(() => coc.parseListExecutions({ status: 99, body: "" }), { kind: "invalid_argument", field: "status" });
  throwsCoc(() => coc.parseListExecutions({ status: 200, body: 42 }), { kind: "invalid_argument", field: "body" });
  assert.deepEqual(coc.parseOperateExecution(res(200, "")), { requestId: null });
  assert.deepEqual(coc.parseOperateExecution(res(200, "{ }", { "X-request-id": "ok" })), { requestId: "ok" });
});

test("the client reports an unreachable endpoint as a network error", async () => {
  const client = new coc.CocClient({ baseUrl: "http://127.0.0.1:9" });
  await assert.rejects(client.getExecution("EX1"), (e) => e.name === "CocError" && e.kind === "network" && /127\.0\.0\.1:9/.test(e.message));
  assert.throws(() => new coc.CocClient({ baseUrl: "http://x", retries: 3 }), (e) => e.kind === "invalid_argument" && /retries/.test(e.message));
});

test("the client talks to a running gateway and simulator", { skip: !gatewayUrl && "COC_GATEWAY_URL not set" }, async () => {
  const client = new coc.CocClient({ baseUrl: gatewayUrl, timeoutMs: 10_000 });
  const page = await client.listExecutions({ limit: 5 });
  assert.equal(page.items.length, 5);
  assert.ok(page.total >= 5);
  const first = page.items[0];
  const ticket = await client.getExecution(first.execution_id);
  assert.equal(ticket.execution_id, first.execution_id);
  await assert.rejects(client.getExecution("EX2099000000000000000000"), (e) => e.kind === "not_found" && typeof e.requestId === "string");

  // Start a fresh ticket from a seeded job, then terminate it.
  const docId = process.env.COC_SIM_DOCUMENT_ID;
  assert.ok(docId, "COC_SIM_DOCUMENT_ID names a seeded job");
  const id = await client.executeDocument(docId, {});
  const fresh = await client.getExecution(id);
  assert.ok(coc.isActive(fresh.status), `a fresh ticket is active, got ${fresh.status}`);
  const steps = await client.listExecutionSteps(id);
  assert.ok(steps.items.length > 0);
  // The gateway requires a reason for TERMINATE; without one it refuses, and nothing is sent.
  const refused = await client.operateExecution(id, "TERMINATE").then(() => null, (e) => e);
  assert.equal(refused?.errorCode, "GATEWAY.REASON_REQUIRED");
  const done = await client.operateExecution(id, "TERMINATE", { reason: "npm test, 变更 7" });
  assert.equal(typeof done.requestId, "string");
  const after = await client.getExecution(id);
  assert.ok(["Canceling", "Canceled"].includes(after.status), after.status);
  // The service refuses a second TERMINATE of a cancelled ticket; the error keeps its code and message.
  const err = await client.operateExecution(id, "RESUME").then(() => null, (e) => e);
  assert.ok(err, "RESUME of a cancelled ticket is refused");
  assert.equal(err.kind, "api");
  assert.match(err.errorCode, /^COC\.\d{8}$/);
  assert.ok(err.errorMsg.length > 0);
});

test("import and require share one instance and one CocError", () => {
  const cjs = createRequire(import.meta.url)("@coc-ops/core");
  assert.deepEqual(Object.keys(coc).sort(), Object.keys(cjs).sort());
  assert.equal(coc.parseGetExecution, cjs.parseGetExecution);
  assert.equal(coc.CocError, cjs.CocError);
});

test("CocError is a class: instanceof and isCocError recognise every thrown error", () => {
  let caught;
  try {
    coc.getExecutionRequest(gw, "");
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof coc.CocError);
  assert.ok(coc.isCocError(caught));
  assert.ok(!(new Error("x") instanceof coc.CocError));
  assert.equal(coc.isCocError(new Error("x")), false);
  assert.equal(coc.isCocError({ name: "CocError", kind: "api" }), false, "a plain object is not an error");
  const own = new coc.CocError("timeout", "slow", { status: 504 });
  assert.ok(own instanceof Error && own instanceof coc.CocError);
  assert.deepEqual([own.name, own.kind, own.status, own.errorCode, own.field], ["CocError", "timeout", 504, null, null]);
});

test("every refusal is a CocError that names the field as the caller wrote it", () => {
  // The options object: missing, unknown, wrong types.
  throwsCoc(() => new coc.CocClient({}), { kind: "invalid_argument", field: "baseUrl", message: /^invalid options: baseUrl is required/ });
  throwsCoc(() => new coc.CocClient(), { kind: "invalid_argument", field: "options", message: /must be an object/ });
  throwsCoc(() => new coc.CocClient({ baseUrl: 42 }), { field: "baseUrl", message: /must be a string, not the number 42/ });
  throwsCoc(() => new coc.CocClient({ baseUrl: "http://x", fetch: "fetch" }), { field: "fetch", message: /must be a fetch function/ });
  throwsCoc(() => new coc.CocClient({ baseUrl: "http://x", timeoutMs: -5 }), { field: "timeoutMs", message: /positive/ });
  throwsCoc(() => new coc.CocClient({ baseUrl: "http://x", retries: 3 }), { field: "retries", message: /retries is not an option here; known: baseUrl, auth, operatorToken, fetch, timeoutMs/ });
  throwsCoc(() => new coc.CocClient({ baseUrl: "http://x", auth: { type: "aksk", accessKey: "a" } }), { field: "auth.secretKey", message: /auth.secretKey is required/ });
  throwsCoc(() => coc.getExecutionRequest({}, "EX1"), { field: "baseUrl", message: /^invalid endpoint: baseUrl is required/ });
  throwsCoc(() => coc.getExecutionRequest(undefined, "EX1"), { field: "endpoint", message: /must be an object \{ baseUrl/ });
  throwsCoc(() => coc.listExecutionsRequest(gw, { limit: "10" }), { field: "limit", message: /^invalid limit: must be a whole number from 0 to 4294967295, not the string "10"$/ });
  throwsCoc(() => coc.listExecutionsRequest(gw, { limit: -1 }), { field: "limit", message: /not the number -1/ });
  throwsCoc(() => coc.listExecutionsRequest(gw, { tags: "env=prod" }), { field: "tags", message: /must be an object of tag values/ });
  throwsCoc(() => coc.listExecutionStepsRequest(gw, "EX1", { executionStepIds: "s1" }), { field: "executionStepIds", message: /wrong type/ });
  throwsCoc(() => coc.listExecutionInstancesRequest(gw, "s1", { executionStepIds: ["s1"] }), { field: "executionStepIds" });
  throwsCoc(() => coc.executeDocumentRequest(gw, "DM1", { parameters: [{ key: 1 }] }), { field: "parameters[0].key" });
  throwsCoc(() => coc.sign({ url: "https://x/" }, { accessKey: "a" }), { field: "secretKey", message: /invalid credentials: secretKey is required/ });
  throwsCoc(() => coc.sign({ method: "PUT", url: "https://x/" }, { accessKey: "a", secretKey: "s" }), { field: "method", message: /"GET" or "POST", not "PUT"/ });
  // No parser internals ("at line 1 column 2", "expected u32") reach a message.
  for (const fn of [() => new coc.CocClient({}), () => coc.listExecutionsRequest(gw, { limit: "10" })]) {
    const e = throwsCoc(fn, { kind: "invalid_argument" });
    assert.doesNotMatch(e.message, /line \d+ column|expected u32|`/);
  }
  // Plain arguments: ids, times, statuses.
  throwsCoc(() => coc.getExecutionRequest(gw, null), { field: "executionId", message: /must be a string such as "EX.*", not null/ });
  throwsCoc(() => coc.getExecutionRequest(gw, 42), { field: "executionId", message: /not the number 42/ });
  throwsCoc(() => coc.parseGetExecution(undefined, res(200, "{}")), { field: "executionId", message: /not undefined/ });
  throwsCoc(() => coc.getExecutionRequest(gw, "EX1", "now"), { field: "nowMs", message: /epoch milliseconds/ });
  throwsCoc(() => coc.sdkDate(), { field: "nowMs", message: /required/ });
  throwsCoc(() => coc.operateExecutionRequest(gw, "EX1", null), { field: "operateType", message: /not null/ });
  throwsCoc(() => coc.isActive(42), { field: "status", message: /must be a status string/ });
  throwsCoc(() => coc.parseGetExecution("EX1", "{}"), { field: "response", message: /must be an object \{ status/ });
  throwsCoc(() => coc.parseGetExecution("EX1", { status: "200" }), { field: "status", message: /must be a number/ });
  throwsCoc(() => coc.parseGetExecution("EX1", { status: 200, headers: 5 }), { field: "headers" });
});

test("a ticket without a status counts as active, as in the core", () => {
  assert.equal(coc.isActive(null), true);
  assert.equal(coc.isTerminal(null), false);
  assert.equal(coc.isActive(undefined), true);
  assert.equal(coc.statusLabel(null), "");
  assert.equal(coc.isActive("SomethingNew"), true);
});

test("an empty body is reported once, in one sentence", () => {
  const e = throwsCoc(() => coc.parseGetExecution("EX1", res(200, "")), { kind: "decode", status: 200 });
  assert.equal(e.message.match(/the body was empty/g).length, 1, e.message);
  const ws = throwsCoc(() => coc.parseListExecutions(res(200, "  \n")), { kind: "decode" });
  assert.equal(ws.message.match(/the body was empty/g).length, 1, ws.message);
});

test("a freed client throws a CocError, and Symbol.dispose frees it", async () => {
  const client = new coc.CocClient({ baseUrl: "http://127.0.0.1:9" });
  assert.equal(typeof client[Symbol.dispose], "function");
  client[Symbol.dispose]();
  let caught;
  try {
    await client.getExecution("EX1");
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof coc.CocError, `got ${caught}`);
  assert.equal(caught.kind, "invalid_argument");
  assert.match(caught.message, /this CocClient was freed/);
  const other = new coc.CocClient({ baseUrl: "http://127.0.0.1:9" });
  other.free();
  assert.throws(() => other.listExecutions(), (e) => e instanceof coc.CocError && /freed/.test(e.message));
});

test("the client calls a given fetch once with the documented init", async () => {
  const calls = [];
  const body = fixture("seed_002_get_execution_response.json");
  const client = new coc.CocClient({
    baseUrl: "http://gw.example/api/",
    auth: { type: "token", token: "t" },
    timeoutMs: 5000,
    fetch: async (url, init) => {
      calls.push({ url, init });
      return new Response(body, { status: 200, headers: { "X-Request-Id": "r1" } });
    },
  });
  const t = await client.getExecution("EX2025070121014501xxxxxx");
  assert.equal(t.document_name, "test_document");
  assert.equal(calls.length, 1);
  assert.equal(calls[0].url, "http://gw.example/api/v1/executions/EX2025070121014501xxxxxx");
  assert.equal(calls[0].init.method, "GET");
  assert.equal(calls[0].init.headers["X-Auth-Token"], "t");
  assert.ok(calls[0].init.signal instanceof AbortSignal);
  const failing = new coc.CocClient({ baseUrl: "http://gw.example", fetch: async () => { throw new TypeError("boom"); } });
  await assert.rejects(failing.getExecution("EX1"), (e) => e instanceof coc.CocError && e.kind === "network" && /boom/.test(e.message));
  const notResponse = new coc.CocClient({ baseUrl: "http://gw.example", fetch: async () => 42 });
  await assert.rejects(notResponse.getExecution("EX1"), (e) => e instanceof coc.CocError && e.kind === "network" && /not a Response/.test(e.message));
});

test("tickets come out as the core decodes them: defaults filled in, unknown fields kept", () => {
  const FIELDS = ["id", "execution_id", "document_name", "document_id", "document_version_id", "document_version",
    "start_time", "end_time", "update_time", "creator", "status", "description", "parameters", "tags", "sys_tags",
    "target_parameter_name", "targets", "type"];
  const bare = coc.parseGetExecution("EX1", res(200, '{"data": {"execution_id": "EX1", "rollback": true}}'));
  for (const f of FIELDS) assert.ok(f in bare, `${f} is always there`);
  assert.deepEqual([bare.parameters, bare.tags, bare.sys_tags, bare.targets], [[], [], [], []]);
  assert.deepEqual([bare.id, bare.status, bare.type, bare.end_time], [null, null, null, null]);
  assert.equal(bare.rollback, true);

  const t = coc.parseGetExecution("EX1", res(200, JSON.stringify({ data: {
    parameters: null, tags: [{ key: null, value: "v" }, { key: "k" }],
    targets: [{ key: "InstanceValues", values: null, note: 1 }, { key: "BatchValues", values: [[{ id: "i-1" }]] }],
  } })));
  assert.deepEqual(t.parameters, []);
  assert.deepEqual(t.tags, [{ key: "", value: "v" }, { key: "k", value: null }]);
  assert.deepEqual(t.targets, [{ key: "InstanceValues", values: [], note: 1 }, { key: "BatchValues", values: [[{ id: "i-1" }]] }]);

  // The misspelt strat_time, a BOM, and a Uint8Array or string body give the same ticket.
  const strat = coc.parseGetExecution("EX1", res(200, '\uFEFF{"data": {"strat_time": 5}}'));
  assert.equal(strat.start_time, 5);
  assert.equal("strat_time" in strat, false);
  const both = coc.parseGetExecution("EX1", res(200, '{"data": {"strat_time": 5, "start_time": 6}}'));
  assert.deepEqual([both.start_time, both.strat_time], [6, 5]);
  const body = fixture("seed_002_get_execution_response.json");
  assert.deepEqual(coc.parseGetExecution("EX1", res(200, body)), coc.parseGetExecution("EX1", res(200, body.toString("utf8"))));

  // What the core refuses stays refused.
  throwsCoc(() => coc.parseGetExecution("EX1", res(200, '{"data": {"status": "Running", "status": "Failed"}}')), { kind: "decode", message: /status/ });
  throwsCoc(() => coc.parseGetExecution("EX1", res(200, '{"data": {"targets": [{"values": []}]}}')), { kind: "decode", message: /key/ });
  throwsCoc(() => coc.parseGetExecution("EX1", res(200, '{"data": {"start_time": 1.5}}')), { kind: "decode", message: /start_time/ });
  throwsCoc(() => coc.parseGetExecution("EX1", res(200, '{"data": {"id": true}}')), { kind: "decode" });
  throwsCoc(() => coc.parseGetExecution("EX1", res(200, '[{"data": {}}]')), { kind: "decode", message: /array/ });
});

test("a list page drops null items and counts the page when total is missing", () => {
  const page = coc.parseListExecutions(res(200, '{"data": [null, {"execution_id": "EX1"}, null, {"execution_id": "EX2", "tags": null}]}'));
  assert.deepEqual(page.items.map((t) => t.execution_id), ["EX1", "EX2"]);
  assert.equal(page.total, 2);
  assert.deepEqual(page.items[1].tags, []);
  assert.equal(coc.parseListExecutions(res(200, '{"data": [], "total": 40}')).total, 40);
  assert.deepEqual(coc.parseListExecutions(res(200, '{"data": null}')), { items: [], total: 0 });
  throwsCoc(() => coc.parseListExecutions(res(200, '{"data": [], "error_code": 5}')), { kind: "decode" });
});

test("a string body with a lone surrogate decodes as the core reads it (U+FFFD)", () => {
  const t = coc.parseGetExecution("EX1", res(200, '{"data": {"description": "a\uD800b", "x": "\uDC00"}}'));
  assert.equal(t.description, "a\uFFFDb");
  assert.equal(t.x, "\uFFFD");
});

test("-0 is a float to serde_json: kept as -0 where any JSON goes, refused where epoch milliseconds go", () => {
  const t = coc.parseGetExecution("EX1", res(200, '{"data": {"x": -0, "y": [-0.0], "z": "a, -0", "id": 0}}'));
  assert.ok(Object.is(t.x, -0));
  assert.ok(Object.is(t.y[0], -0));
  assert.ok(Object.is(t.id, 0));
  throwsCoc(() => coc.parseGetExecution("EX1", res(200, '{"data": {"start_time": -0}}')), { kind: "decode", message: /start_time/ });
});
