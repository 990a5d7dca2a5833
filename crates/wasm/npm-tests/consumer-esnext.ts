// With the esnext libs (which declare Symbol.dispose themselves), `using`
// frees the client at the end of the block.
import { CocClient } from "@coc-ops/core";

export function scoped(): void {
  using client = new CocClient({ baseUrl: "http://127.0.0.1:8080" });
  void client.listExecutions({ limit: 1 });
}
