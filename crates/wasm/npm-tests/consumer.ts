// A consumer that touches every exported type; `tsc --noEmit` must accept it
// and the @ts-expect-error lines prove the types are not `any`.
import {
  CocClient, advise, getExecutionRequest, operateExecutionRequest, listExecutionsRequest,
  listExecutionStepsRequest, listExecutionInstancesRequest, executeDocumentRequest,
  parseGetExecution, parseOperateExecution, parseListExecutions, parseListExecutionSteps,
  parseListExecutionInstances, parseExecuteDocument, isActive, isTerminal, statusLabel, sign, sdkDate,
  validateExecutionId, CocError, isCocError,
} from "@coc-ops/core";
import type {
  Advice, AuthConfig, ClientOptions, CocErrorKind, Credentials, EndpointConfig, Execution,
  ExecuteDocumentBody, ExecutionStatus, ExecutionType, HttpRequest, HttpResponseLike, JsonValue, KeyValue,
  ListExecutionsFilter, OperateType, Operated, Page, PageOptions, SignableRequest, Step, StepInstance,
  StepsOptions, Target,
} from "@coc-ops/core";

const auth: AuthConfig = { type: "token", token: "t" };
const endpoint: EndpointConfig = { baseUrl: "http://127.0.0.1:8080", auth };
const opts: ClientOptions = { ...endpoint, timeoutMs: 1000 };
const filter: ListExecutionsFilter = { creator: "a", tags: { env: "prod" }, excludeChildExecutions: true };
const page: PageOptions = { limit: 10 };
const stepsOpts: StepsOptions = { executionStepIds: ["s"] };
const body: ExecuteDocumentBody = { parameters: [{ key: "k", value: "v" }], document_type: "PRIVATE" };
const creds: Credentials = { accessKey: "a", secretKey: "s" };
const op: OperateType = "TERMINATE";
const type: ExecutionType = "BATCH";
const json: JsonValue = { a: [1, "b", null] };

const reqs: HttpRequest[] = [
  getExecutionRequest(endpoint, "EX1"),
  operateExecutionRequest(endpoint, "EX1", op, Date.now()),
  listExecutionsRequest(endpoint, filter),
  listExecutionStepsRequest(endpoint, "EX1", stepsOpts),
  listExecutionInstancesRequest(endpoint, "s1", page),
  executeDocumentRequest(endpoint, "DM1", body),
];
const method: "GET" | "POST" = reqs[0].method;

const response: HttpResponseLike = { status: 200, headers: { a: "b" }, body: "{}" };
const ticket: Execution = parseGetExecution("EX1", response);
const status: ExecutionStatus | null = ticket.status;
const start: number | null = ticket.start_time;
const params: KeyValue[] = ticket.parameters;
const targets: Target[] = ticket.targets;
const unknownField: unknown = params[0]?.["sensitive"];
// @ts-expect-error: a parameter's value is a string or null, not a number
const wrongValue: number = params[0]!.value;
const operated: Operated = parseOperateExecution(response);
const tickets: Page<Execution> = parseListExecutions(response);
const steps: Page<Step> = parseListExecutionSteps(response);
const instances: Page<StepInstance> = parseListExecutionInstances(response);
const newId: string = parseExecuteDocument(response);
const advice: Advice[] = advise(ticket);
const reason: string | null = advice[0].reason;
const flags: boolean[] = [isActive("Running"), isTerminal("Failed"), isActive(ticket.status)];
const label: string = statusLabel("Succeed");
const signable: SignableRequest = { method: "GET", url: "https://x/v1", headers: [["Host", "x"]] };
const signed: HttpRequest = sign(signable, creds, 0);
const date: string = sdkDate(0);
validateExecutionId("EX1");

async function useClient(): Promise<void> {
  const client = new CocClient(opts);
  const t: Execution = await client.getExecution("EX1");
  const o: Operated = await client.operateExecution("EX1", "RETRY");
  await client.operateExecution("EX1", "TERMINATE", { reason: "runaway job" });
  // @ts-expect-error: the reason is a string
  await client.operateExecution("EX1", "TERMINATE", { reason: 42 });
  new CocClient({ baseUrl: "http://127.0.0.1:8080", operatorToken: "cocpat_x" });
  const p: Page<Execution> = await client.listExecutions(filter);
  const s: Page<Step> = await client.listExecutionSteps("EX1");
  const i: Page<StepInstance> = await client.listExecutionInstances("s1", page);
  const id: string = await client.executeDocument("DM1");
  try {
    await client.getExecution("EX1");
  } catch (e) {
    // A real class: instanceof narrows, and so does the guard.
    if (e instanceof CocError) {
      const kind: CocErrorKind = e.kind;
      const code: string | null = e.errorCode;
      const rid: string | null = e.requestId;
      void [kind, code, rid];
    }
    if (isCocError(e)) {
      const field: string | null = e.field;
      void field;
    }
  }
  const own: CocError = new CocError("timeout", "slow", { status: 504 });
  // Without DOM or Node types there is no platform fetch: any function of the URL and init fits.
  new CocClient({ baseUrl: "http://x", fetch: async (url: string) => ({ url }) });
  // @ts-expect-error: fetch is a function
  new CocClient({ baseUrl: "http://x", fetch: "fetch" });
  // Disposable without esnext libs (tsconfig.esnext.json checks `using`).
  client[Symbol.dispose]();
  void own;
  void [t, o, p, s, i, id];
}

// @ts-expect-error: the operate type is a closed union
operateExecutionRequest(endpoint, "EX1", "REBOOT");
// @ts-expect-error: a ticket's start_time is a number, not a string
const wrong: string = ticket.start_time;
// @ts-expect-error: auth needs a known type
const badAuth: AuthConfig = { type: "magic" };

void [method, status, start, params, targets, unknownField, wrongValue, operated, tickets, steps, instances, newId, reason, flags, label, signed, date, type, json, wrong, badAuth, useClient];
