// Shared by the bundled pages and the plain page: the same calls, the same
// result shape.
const BODY = JSON.stringify({
  data: {
    execution_id: "EX2025070121014501a1b2c3",
    status: "Pending",
    type: "BATCH",
    document_name: "db-backup",
    start_time: 1751374905000,
    parameters: [{ key: "region", value: null }, { key: null, value: "x", sensitive: true }],
    tags: null,
    targets: [{ key: "BatchValues", values: null }],
  },
});

export function report({ CocError, advise, isActive, parseGetExecution }) {
  const out = {};
  try {
    const t = parseGetExecution("EX2025070121014501a1b2c3", {
      status: 200,
      headers: { "X-Request-Id": "r1" },
      body: new TextEncoder().encode(BODY),
    });
    out.ticket = { id: t.execution_id, status: t.status, tags: t.tags, parameters: t.parameters, targets: t.targets, end: t.end_time };
    out.active = isActive(t.status);
    out.offered = advise(t).filter((a) => a.offered).map((a) => a.operation).sort();
    try {
      parseGetExecution("EX1", { status: 404, body: '{"error_code":"COC.00040404","error_msg":"no such ticket"}' });
    } catch (e) {
      out.error = { isCocError: e instanceof CocError, kind: e.kind, errorCode: e.errorCode, status: e.status };
    }
  } catch (e) {
    out.failed = String(e && e.stack ? e.stack : e);
  }
  document.getElementById("result").textContent = JSON.stringify(out);
}
