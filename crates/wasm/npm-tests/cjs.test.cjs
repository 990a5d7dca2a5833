// The packed tarball, loaded with require() under Node's test runner.
const { test } = require("node:test");
const assert = require("node:assert/strict");
const { readFileSync } = require("node:fs");
const { join } = require("node:path");
const coc = require("@coc-ops/core");

const dir = process.env.COC_FIXTURES_DIR;

test("require() loads the same API", () => {
  assert.equal(typeof coc.CocClient, "function");
  const body = readFileSync(join(dir, "seed_002_get_execution_response.json"));
  const t = coc.parseGetExecution("EX2025070121014501xxxxxx", { status: 200, headers: {}, body });
  assert.equal(t.document_name, "test_document");
  assert.equal(t.status, "Pending");
});

test("require() signs like the Python SDK vector", () => {
  const out = coc.sign(
    { method: "GET", url: "https://service.endpoint.myhuaweicloud.com/resources?size=1",
      headers: { Host: "service.endpoint.myhuaweicloud.com", "X-Sdk-Date": "20200608T023900Z" } },
    { accessKey: "AccessKey", secretKey: "SecretKey" },
  );
  assert.match(out.headers.Authorization, /cfb4171acec81de07d50e53d57eb77edd537414d66ddb1d7d780f128e12cd842$/);
});

test("require() errors are CocErrors with properties", () => {
  try {
    coc.parseGetExecution("EX1", { status: 400, headers: { "X-request-id": "abc" }, body: '{"error_code":"COC.00040702","error_msg":"target instance does not exist"}' });
    assert.fail("should throw");
  } catch (e) {
    assert.equal(e.name, "CocError");
    assert.equal(e.kind, "api");
    assert.equal(e.errorCode, "COC.00040702");
    assert.equal(e.errorMsg, "target instance does not exist");
    assert.equal(e.requestId, "abc");
  }
});
