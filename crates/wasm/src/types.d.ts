/** Any JSON value. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A ticket's status. Unknown values from a newer service arrive verbatim. */
export type ExecutionStatus =
  | "Pending" | "Running" | "Succeed" | "Canceling" | "Canceled" | "Failed" | "Timeout"
  | (string & {});

/** How a ticket spreads its work over targets. */
export type ExecutionType = "BATCH" | "RATE_CONTROL" | "NORMAL" | (string & {});

/** The four operations of OperateExecution. */
export type OperateType = "RESUME" | "TERMINATE" | "RETRY" | "SKIP_BATCH";

/** A `{ key, value }` pair: parameters, tags, inputs, outputs. */
export type KeyValue = {
  key: string;
  value: string | null;
  /** Fields the service adds beside key and value are kept. */
  [extra: string]: unknown;
};

/** Targets of a rate-controlled or batch ticket. */
export type Target = {
  key: "InstanceValues" | "BatchValues" | (string & {});
  values: JsonValue[];
  /** Fields the service adds beside key and values are kept. */
  [extra: string]: unknown;
};

/**
 * A job-execution ticket, with the service's own field names.
 * Fields the service adds in future versions are kept as extra properties.
 */
export interface Execution {
  /** A number or a string depending on the service version; null on old servers. */
  id: string | number | null;
  execution_id: string | null;
  document_name: string | null;
  document_id: string | null;
  document_version_id: string | null;
  document_version: string | null;
  /** Epoch milliseconds. */
  start_time: number | null;
  /** Epoch milliseconds; null while the ticket runs. */
  end_time: number | null;
  /** Epoch milliseconds. */
  update_time: number | null;
  creator: string | null;
  status: ExecutionStatus | null;
  description: string | null;
  parameters: KeyValue[];
  tags: KeyValue[];
  sys_tags: KeyValue[];
  target_parameter_name: string | null;
  targets: Target[];
  type: ExecutionType | null;
  /** Fields a newer service adds, kept as sent. */
  [extra: string]: unknown;
}

/** One step of a ticket. */
export interface Step {
  execution_step_id: string | number | null;
  action: string | null;
  name: string | null;
  status: ExecutionStatus | null;
  message: string | null;
  start_time: number | null;
  end_time: number | null;
  inputs: KeyValue[];
  outputs: KeyValue[];
  properties: { [key: string]: JsonValue };
  /** Fields a newer service adds, kept as sent. */
  [extra: string]: unknown;
}

/** One target's run of one step. */
export interface StepInstance {
  id: string | number | null;
  execution_instance_id: string | number | null;
  execution_step_id: string | number | null;
  start_time: number | null;
  end_time: number | null;
  status: ExecutionStatus | null;
  message: string | null;
  properties: { [key: string]: JsonValue };
  /** Fields a newer service adds, kept as sent. */
  [extra: string]: unknown;
}

/** One page of a list. `total` counts all matches (the page's length if the service omits it). */
export interface Page<T> {
  items: T[];
  total: number;
}

/** The answer to a successful OperateExecution. */
export interface Operated {
  requestId: string | null;
}

/** Advice for one operation on one ticket. */
export interface Advice {
  operation: OperateType;
  label: string;
  /** One line saying what the operation does. */
  explanation: string;
  offered: boolean;
  /** Why it is not offered; null when offered. */
  reason: string | null;
}

/** How requests authenticate. AK/SK belongs in Node tooling, never in a browser. */
export type AuthConfig =
  | { type: "none" }
  | { type: "token"; token: string }
  | {
      type: "aksk";
      accessKey: string;
      secretKey: string;
      securityToken?: string;
      domainId?: string;
      projectId?: string;
    };

/** Where requests go: a gateway (which signs) or the service. */
export interface EndpointConfig {
  /** e.g. "https://coc.myhuaweicloud.com" or "http://127.0.0.1:8080/api/coc/". */
  baseUrl: string;
  auth?: AuthConfig;
  /**
   * A coc-gateway operator's personal token (`coc-gateway operators add`),
   * sent as `Authorization: Bearer …`; the gateway never forwards it.
   */
  operatorToken?: string;
}

/** Options of an operation sent through a coc-gateway. */
export interface OperateOptions {
  /**
   * Why, for the gateway's audit trail (at most 500 characters); required
   * by default for TERMINATE and SKIP_BATCH. Sent as `X-Coc-Ops-Reason`,
   * which the gateway records and never forwards.
   */
  reason?: string;
}

/** The platform's own fetch type where the project's libs declare one (DOM, @types/node). */
export type PlatformFetch = typeof globalThis extends { fetch: infer F } ? F : never;

/** The platform's AbortSignal type where the project's libs declare one. */
export type PlatformAbortSignal = typeof globalThis extends { AbortSignal: { prototype: infer S } } ? S : unknown;

/** What the client passes to fetch as its second argument. */
export interface FetchInit {
  method: "GET" | "POST";
  headers: Record<string, string>;
  /** The JSON body of a POST. */
  body?: ArrayBuffer;
  /** `AbortSignal.timeout(timeoutMs)` when `timeoutMs` is set. */
  signal?: PlatformAbortSignal;
}

/** Options of the fetch client. */
export interface ClientOptions extends EndpointConfig {
  /**
   * A fetch implementation; the global fetch by default. `globalThis.fetch`
   * (typed by the DOM lib or @types/node) fits, and so does any function
   * taking the URL and `{ method, headers, body?, signal? }`.
   */
  fetch?: PlatformFetch | ((input: string, init: FetchInit) => Promise<unknown>);
  /** Abort a request after this many milliseconds (needs AbortSignal.timeout). */
  timeoutMs?: number;
}

/** AK/SK credentials for `sign`. */
export interface Credentials {
  accessKey: string;
  secretKey: string;
  securityToken?: string;
  domainId?: string;
  projectId?: string;
}

/** ListExecutions filters. */
export interface ListExecutionsFilter {
  /** 1 to 100; the service's default is 10. */
  limit?: number;
  offset?: number;
  /** Fuzzy match. */
  creator?: string;
  /** Started after, epoch ms. */
  startTime?: number;
  /** Started before, epoch ms. */
  endTime?: number;
  /** Fuzzy match on the job name. */
  documentName?: string;
  documentId?: string;
  /** All must match: `{ env: "prod" }` or `[{ key: "env", value: "prod" }]`. */
  tags?: Record<string, string> | KeyValue[];
  excludeChildExecutions?: boolean;
}

/** Paging options. */
export interface PageOptions {
  limit?: number;
  offset?: number;
}

/** Paging options for steps, optionally only some steps. */
export interface StepsOptions extends PageOptions {
  executionStepIds?: string[];
}

/**
 * A `{ key, value }` pair sent in a request. Unlike {@link KeyValue} (read
 * from the service, extra fields kept), nothing else is accepted: an
 * unknown field or a repeated key is a `CocError`, and a missing `value`
 * is sent as missing, not as `null`.
 */
export type KeyValueInput = { key: string; value?: string | null };

/** A target sent in a request: `key` and `values` only, as for {@link KeyValueInput}. */
export type TargetInput = { key: Target["key"]; values: JsonValue[] };

/**
 * ExecuteDocument's body, with the service's field names. Read strictly:
 * an unknown field at any depth is refused, never forwarded.
 */
export interface ExecuteDocumentBody {
  version?: string;
  parameters?: KeyValueInput[];
  sys_tags?: KeyValueInput[];
  target_parameter_name?: string;
  targets?: TargetInput[];
  document_type?: "PRIVATE" | "PUBLIC";
  description?: string;
}

/** A request ready for fetch: the URL is encoded, the body is JSON text. */
export interface HttpRequest {
  method: "GET" | "POST";
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** A request for `sign`. */
export interface SignableRequest {
  method: "GET" | "POST";
  url: string;
  headers?: Record<string, string> | [string, string][];
  body?: string | Uint8Array;
}

/** What the parsers read: a fetch Response's parts. */
export interface HttpResponseLike {
  status: number;
  headers?: Record<string, string> | [string, string][] | { forEach(cb: (value: string, key: string) => void): void; get(name: string): string | null };
  body?: string | Uint8Array | ArrayBuffer | null;
}

/** The kind of a CocError. */
export type CocErrorKind =
  | "invalid_argument" | "invalid_endpoint" | "not_found" | "api" | "http" | "decode"
  | "network" | "timeout" | "internal";

/**
 * Every function and client method throws (or rejects with) a CocError.
 * `e instanceof CocError` and `isCocError(e)` recognise it.
 */
export class CocError extends Error {
  constructor(kind: CocErrorKind, message: string, fields?: Partial<Pick<CocError, "status" | "errorCode" | "errorMsg" | "requestId" | "field">>);
  name: "CocError";
  kind: CocErrorKind;
  /** HTTP status of the response, when there was one. */
  status: number | null;
  /** The service's error_code exactly as sent, e.g. "COC.00040702". */
  errorCode: string | null;
  /** The service's error_msg exactly as sent. */
  errorMsg: string | null;
  /** X-request-id, for support. */
  requestId: string | null;
  /** For invalid_argument: the field that was refused, as you wrote it (e.g. "baseUrl", "auth.accessKey"). */
  field: string | null;
}

/** True for an error this package threw. */
export function isCocError(value: unknown): value is CocError;

declare global {
  // `CocClient[Symbol.dispose]` (for `using`) on projects whose lib predates
  // esnext.disposable; the same declaration lib.esnext.disposable makes.
  interface SymbolConstructor {
    readonly dispose: unique symbol;
  }
}
