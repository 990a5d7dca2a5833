//! Entry point. The same wasm serves the console and the `<coc-execution>`
//! element (`coc_console::element`), so the app is mounted only where the
//! console's own `index.html` asks for it (`<body data-coc-console>`): a
//! portal page that loads this wasm for the element gets no console.

fn main() {
    coc_console::mark("coc:main");
    let console_page = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
        .is_some_and(|b| b.has_attribute("data-coc-console"));
    if console_page {
        // The loader instantiates this wasm only after index.html's early
        // job name has painted (Trunk.toml), so mounting at once is fine.
        leptos::mount::mount_to_body(coc_console::App);
        coc_console::mark("coc:mounted");
    }
}
