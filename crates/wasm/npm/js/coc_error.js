// ---- CocError: appended to each wasm-bindgen glue by `cargo xtask npm`
// (from crates/wasm/npm/js/coc_error.js), so that every entry point, ESM or
// CommonJS, exports the same class.

/**
 * The error every function and client method of @coc-ops/core throws (or
 * rejects with). `instanceof CocError` and `isCocError` recognise every such
 * error, also one thrown by another copy of the package (ESM and CommonJS
 * side by side) or in another realm.
 */
class CocError extends Error {
  constructor(kind, message, fields = {}) {
    super(message);
    this.name = "CocError";
    this.kind = kind;
    this.status = fields.status ?? null;
    this.errorCode = fields.errorCode ?? null;
    this.errorMsg = fields.errorMsg ?? null;
    this.requestId = fields.requestId ?? null;
    this.field = fields.field ?? null;
  }

  static [Symbol.hasInstance](value) {
    return isCocError(value);
  }
}

/** True for an error this package threw (by its name and kind, not its prototype). */
function isCocError(value) {
  return (
    typeof value === "object" &&
    value !== null &&
    Object.prototype.toString.call(value) === "[object Error]" &&
    value.name === "CocError" &&
    typeof value.kind === "string"
  );
}

/** What the wasm-bindgen runtime throws (a call on a freed client, a bug), as a CocError. */
function cocRuntimeError(message) {
  if (message === "null pointer passed to rust") {
    return new CocError(
      "invalid_argument",
      "this CocClient was freed (free() was called, or the `using` block that held it ended); create a new CocClient",
    );
  }
  return new CocError("internal", `internal error in @coc-ops/core: ${message}; please report it`);
}

/**
 * What web.js's `wasm` is until init() has run: any use throws a CocError
 * that says to call init(), rather than a TypeError about `undefined`.
 */
function cocNotReady() {
  return new Proxy(
    {},
    {
      get() {
        throw new CocError(
          "invalid_argument",
          "@coc-ops/core/web is not loaded yet: call (and await) its default export, init(), once before anything else",
        );
      },
    },
  );
}
