// Types for <coc-execution>, the COC console's ticket view for portal pages.
// Served next to coc-execution.js; copy it into your project (or reference
// it with /// <reference path="…/coc-execution.d.ts" />).

/** A ticket status as the COC API spells it (unknown values pass through). */
export type CocExecutionStatus =
  | "Pending"
  | "Running"
  | "Succeed"
  | "Canceling"
  | "Canceled"
  | "Failed"
  | "Timeout"
  | (string & {});

/** The operations the element can send. */
export type CocOperation = "RESUME" | "TERMINATE" | "RETRY" | "SKIP_BATCH";

/** Why something failed, as the element classifies it. */
export type CocErrorKind =
  | "not-found"
  | "auth"
  | "network"
  | "timeout"
  | "not-json"
  | "api"
  | "upstream"
  | "http"
  | "invalid";

/** `coc-status-change`: the first load (previousStatus null) and every change after it. */
export interface CocStatusChangeDetail {
  executionId: string;
  status: CocExecutionStatus | null;
  previousStatus: CocExecutionStatus | null;
}

/** `coc-operated`: the service accepted an operation. */
export interface CocOperatedDetail {
  executionId: string;
  operation: CocOperation;
  /** The service's request id, for support. */
  requestId: string | null;
}

/** `coc-error`: a load or an operation failed (also the element's own code not loading). */
export interface CocErrorDetail {
  executionId: string;
  /** The operation that failed; null when a load failed. */
  operation: CocOperation | null;
  kind: CocErrorKind;
  /** HTTP status, when a response arrived. */
  status: number | null;
  /** The service's error_code, exactly as sent. */
  errorCode: string | null;
  /** The service's error_msg, exactly as sent. */
  errorMsg: string | null;
  requestId: string | null;
  /** One readable line. */
  message: string;
}

/**
 * The credentials for one request. `operatorToken`: the operator's personal
 * token for a coc-gateway in tokens mode (sent as `Authorization: Bearer`);
 * `iamToken`: an IAM token (sent as `X-Auth-Token`, for a gateway in
 * `--auth passthrough-token`). Either, both or neither.
 */
export interface CocTokens {
  operatorToken?: string | null;
  iamToken?: string | null;
}

/**
 * Returns the credentials for the next request: a string is an IAM token (as
 * before), an object may carry an operator token too; nothing lets the
 * gateway sign without either.
 */
export type CocTokenProvider = () =>
  | string
  | CocTokens
  | null
  | undefined
  | Promise<string | CocTokens | null | undefined>;

export interface CocExecutionElement extends HTMLElement {
  /** Reflects the `execution-id` attribute. */
  executionId: string;
  /** Reflects the `gateway` attribute; reads the script's origin when it is absent. */
  gateway: string;
  /** An IAM token sent as X-Auth-Token; never reflected to an attribute. */
  token: string | null;
  /** Called before every request (an IAM token string, or `{ operatorToken, iamToken }`); wins over `token`. Never reflected to the DOM. */
  tokenProvider: CocTokenProvider | null;
}

declare global {
  interface HTMLElementTagNameMap {
    "coc-execution": CocExecutionElement;
  }
  interface HTMLElementEventMap {
    "coc-status-change": CustomEvent<CocStatusChangeDetail>;
    "coc-operated": CustomEvent<CocOperatedDetail>;
    "coc-error": CustomEvent<CocErrorDetail>;
    /**
     * An operation was sent and no usable answer came back (the gateway's
     * `GATEWAY.OUTCOME_UNKNOWN`, or the connection was lost): it may have been
     * applied. Never also sent as `coc-error`; the element watches the ticket
     * and sends `coc-status-change` if it shows.
     */
    "coc-outcome-unknown": CustomEvent<CocErrorDetail>;
  }
}
