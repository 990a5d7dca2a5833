// @coc-ops/core for Node as an ES module: the CommonJS build, re-exported, so
// that import and require share one wasm instance and one CocError class.
export * from "./node.cjs";
