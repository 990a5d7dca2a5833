// <coc-execution execution-id="EX…" gateway="https://…">: the COC console's
// ticket view for portal pages (web/README.md documents it).
//
// This is the template of the loader a portal includes. The console's Trunk
// build (web/element/build.sh, a post_build hook) writes it to dist/ as
// coc-execution.js with @GLUE@, @WASM@ and @CSS@ replaced by the hashed names
// of the console's own files, which sit next to it, and with full-line
// comments and indentation stripped. It runs as a classic script or as a
// module: as a classic script it also runs when the gateway refuses this
// page's origin, and then says so inside the element.
(() => {
  const TAG = "coc-execution";
  if (customElements.get(TAG)) return;
  const me =
    document.currentScript ||
    [...document.scripts].find((s) => /\/coc-execution\.js([?#]|$)/.test(s.src));
  const base = new URL(".", me ? me.src : location.href);
  const here = location.origin;
  // Each language is a build of its own (web/i18n): glue and wasm by
  // language; `cargo xtask dist` adds the others after English.
  const builds = { en: ["@GLUE@", "@WASM@"] };
  // An element's language: its own `lang`, else the nearest ancestor's,
  // by the rules of web/model/src/lang.rs; English for any other.
  const langOf = (el) => {
    const tag = (el.closest("[lang]")?.lang || "").toLowerCase();
    const primary = tag.split(/[-_]/)[0];
    return primary === "zh" && !/-(hant|tw|hk|mo)/.test(tag) && builds["zh-CN"] ? "zh-CN" : "en";
  };
  const ready = {};
  // One download of each language's wasm, and of the stylesheet, for all
  // elements on the page.
  let sheet;
  const load = (lang) =>
    (ready[lang] ||= Promise.all([
      import(new URL(builds[lang][0], base).href).then((m) =>
        m.default({ module_or_path: new URL(builds[lang][1], base) }).then(() => m),
      ),
      (sheet ||= fetch(new URL("@CSS@", base)).then((r) => {
        if (!r.ok) throw Error(`HTTP ${r.status} for the stylesheet`);
        return r.text().then((t) => new CSSStyleSheet().replace(t));
      })),
    ]).catch((e) => {
      ready[lang] = sheet = null;
      throw e;
    }));
  // The host page's inherited styles stop at the element; the console's
  // palette (--coc-* on :host in console.css) is what a host overrides.
  const own = new CSSStyleSheet();
  own.replaceSync(
    ":host{all:initial;display:block}:host([hidden]){display:none}" +
      ".coc-el{color:var(--coc-text);background:var(--coc-bg);font:14px/1.45 var(--coc-font);padding:var(--coc-padding,0)}" +
      ".coc-el-fail{font:14px/1.45 system-ui,sans-serif;color:#a51f15;background:#fde8e6;border:1px solid;border-radius:6px;padding:8px 12px}" +
      ".coc-el-fail p{margin:4px 0}",
  );
  const event = (el, type, detail) =>
    el.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));

  class CocExecution extends HTMLElement {
    static observedAttributes = ["execution-id", "gateway"];
    #root;
    #view = null;
    #gen = 0;
    #token = null;
    #provider = null;
    constructor() {
      super();
      this.#root = this.attachShadow({ mode: "open" });
      this.#root.adoptedStyleSheets = [own];
    }
    get executionId() {
      return this.getAttribute("execution-id") || "";
    }
    set executionId(v) {
      this.setAttribute("execution-id", v);
    }
    // The gateway in effect: the attribute, else this script's origin.
    get gateway() {
      return this.getAttribute("gateway") || base.origin;
    }
    set gateway(v) {
      this.setAttribute("gateway", v);
    }
    // Never reflected to an attribute: the DOM does not show it.
    get token() {
      return this.#token;
    }
    set token(v) {
      this.#token = v == null ? null : String(v);
      this.#view?.("auth");
    }
    get tokenProvider() {
      return this.#provider;
    }
    set tokenProvider(f) {
      this.#provider = typeof f == "function" ? f : null;
      this.#view?.("auth");
    }
    connectedCallback() {
      // A property set before this class was defined hides its accessor.
      for (const p of ["token", "tokenProvider"]) {
        if (Object.hasOwn(this, p)) {
          const v = this[p];
          delete this[p];
          this[p] = v;
        }
      }
      const gen = ++this.#gen;
      const lang = langOf(this);
      load(lang).then(
        ([m, sheet]) => {
          if (gen != this.#gen || this.#view) return;
          this.#root.adoptedStyleSheets = [own, sheet];
          const div = document.createElement("div");
          div.className = "coc coc-el";
          div.lang = lang;
          this.#root.replaceChildren(div);
          this.#view = m.coc_mount(
            div,
            this.executionId,
            this.gateway,
            +this.getAttribute("poll-interval") || 0,
            this.hasAttribute("compact"),
            () =>
              Promise.resolve(this.#provider ? this.#provider() : this.#token).catch((e) =>
                Promise.reject(String(e?.message ?? e)),
              ),
            (type, detail) => event(this, type, detail),
          );
        },
        (e) => gen == this.#gen && this.#fail(e),
      );
    }
    disconnectedCallback() {
      this.#gen++;
      this.#view?.("dispose");
      this.#view = null;
      this.#root.replaceChildren();
    }
    attributeChangedCallback(name) {
      if (name == "gateway") this.#view?.(name, this.gateway);
      else this.#view?.("id", this.executionId);
    }
    #fail(e) {
      const from = base.origin;
      const title = `The ticket view could not be loaded from ${from}.`;
      const hint =
        from == here
          ? "Is the gateway running?"
          : `Is the gateway running, and does it list this page's origin (${here}) among its allowed CORS origins (--allow-origin)? The browser hides which it was.`;
      const box = document.createElement("div");
      box.className = "coc-el-fail";
      box.dataset.kind = "network";
      box.setAttribute("role", "alert");
      for (const [tag, text] of [["strong", title], ["p", hint], ["p", String(e)]]) {
        const n = document.createElement(tag);
        n.textContent = text;
        box.append(n);
      }
      this.#root.replaceChildren(box);
      event(this, "coc-error", {
        executionId: this.executionId,
        operation: null,
        kind: "network",
        status: null,
        errorCode: null,
        errorMsg: null,
        requestId: null,
        message: `${title} ${e}`,
      });
    }
  }
  customElements.define(TAG, CocExecution);
})();
