// A portal's use of <coc-execution>: `tsc --noEmit` (run by `cargo xtask
// test`) must accept it, and each @ts-expect-error proves a type is not `any`.
import type {
  CocErrorDetail, CocErrorKind, CocExecutionElement, CocExecutionStatus, CocOperatedDetail,
  CocOperation, CocStatusChangeDetail, CocTokenProvider,
} from "./coc-execution";

const el = document.createElement("coc-execution");
const typed: CocExecutionElement = el;
el.executionId = "EX2025070110223402c4d6e8";
el.gateway = "https://gateway.example";
el.token = null;
const provider: CocTokenProvider = async () => "token";
el.tokenProvider = provider;

el.addEventListener("coc-status-change", (e) => {
  const d: CocStatusChangeDetail = e.detail;
  const s: CocExecutionStatus | null = d.status;
  void s;
});
el.addEventListener("coc-operated", (e) => {
  const d: CocOperatedDetail = e.detail;
  const op: CocOperation = d.operation;
  const rid: string | null = d.requestId;
  void [op, rid];
});
el.addEventListener("coc-error", (e) => {
  const d: CocErrorDetail = e.detail;
  const kind: CocErrorKind = d.kind;
  const msg: string = d.message;
  void [kind, msg];
});
el.addEventListener("coc-outcome-unknown", (e) => {
  const d: CocErrorDetail = e.detail;
  const op: CocOperation | null = d.operation;
  const code: string | null = d.errorCode;
  void [op, code];
});

// @ts-expect-error: an operation outside the four
const badOp: CocOperation = "REBOOT";
// @ts-expect-error: the detail is typed, not any
const wrong: number = ({} as CocErrorDetail).message;
// @ts-expect-error: executionId is a string
el.executionId = 42;

void [typed, badOp, wrong];
