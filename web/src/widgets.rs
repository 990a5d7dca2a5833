//! Small reusable pieces: copy to clipboard, a clock, page visibility.

use coc_i18n::tr;
use std::sync::{Arc, Mutex};

use coc_i18n::view;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

/// A button that copies `text` and says whether it worked.
#[component]
pub fn CopyButton(
    #[prop(into)] text: Signal<String>,
    #[prop(into)] label: String,
) -> impl IntoView {
    // None: idle; Some(true): copied; Some(false): failed.
    let result = RwSignal::new(None::<bool>);
    let on_click = move |_| {
        let value = text.get_untracked();
        let Some(clipboard) = web_sys::window().map(|w| w.navigator().clipboard()) else {
            result.set(Some(false));
            return;
        };
        let promise = clipboard.write_text(&value);
        leptos::task::spawn_local(async move {
            let ok = wasm_bindgen_futures::JsFuture::from(promise).await.is_ok();
            result.set(Some(ok));
        });
    };
    let label_now = self::text(move || match result.get() {
        Some(true) => tr!("Copied").to_owned(),
        Some(false) => tr!("Copy failed").to_owned(),
        None => label.clone(),
    });
    view! {
        <button type="button" class="coc-btn coc-btn-small coc-copy" on:click=click(on_click)>
            {label_now}
        </button>
        <span class="coc-sr-only" role="status">
            {self::text(move || match result.get() {
                Some(true) => tr!("Copied to the clipboard.").to_owned(),
                Some(false) => tr!("Could not copy: select the text and press Ctrl+C.").to_owned(),
                None => String::new(),
            })}
        </span>
    }
}

/// A signal holding `Date.now()`, updated every second while the owner lives.
pub fn clock() -> Signal<f64> {
    let now = RwSignal::new(js_sys::Date::now());
    if let Ok(handle) = set_interval_with_handle(
        move || now.set(js_sys::Date::now()),
        std::time::Duration::from_secs(1),
    ) {
        on_cleanup(move || handle.clear());
    }
    now.into()
}

/// True while the document is visible; follows `visibilitychange` for as
/// long as the owner lives.
pub fn page_visible() -> Signal<bool> {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return Signal::from(true);
    };
    let visible = RwSignal::new(doc.visibility_state() != web_sys::VisibilityState::Hidden);
    let doc2 = doc.clone();
    let cb = Closure::<dyn Fn()>::new(move || {
        visible.set(doc2.visibility_state() != web_sys::VisibilityState::Hidden);
    });
    let func: js_sys::Function = cb.as_ref().unchecked_ref::<js_sys::Function>().clone();
    if doc
        .add_event_listener_with_callback("visibilitychange", &func)
        .is_ok()
    {
        let doc = send_wrapper(doc);
        let func = send_wrapper(func);
        on_cleanup(move || {
            let _ = doc.remove_event_listener_with_callback("visibilitychange", &func);
        });
    }
    // The closure must outlive the listener; it is small and dropped with
    // the page, so leaking it is the simple, safe choice.
    cb.forget();
    visible.into()
}

/// `on_cleanup` wants `Send`; the browser's main thread is the only one here.
fn send_wrapper<T>(t: T) -> send_wrapper::SendWrapper<T> {
    send_wrapper::SendWrapper::new(t)
}

/// Reactive text with its closure type erased.
///
/// Every `move || ...` in a view is otherwise its own type, and the renderer
/// is instantiated once per type: in a console this size that was a third of
/// the wasm. Behind an `Arc<dyn Fn>`, all reactive texts share one.
pub type Text = Arc<dyn Fn() -> String + Send + Sync>;

/// Erases a text closure (see [`Text`]).
pub fn text(f: impl Fn() -> String + Send + Sync + 'static) -> Text {
    Arc::new(f)
}

/// A reactive boolean attribute with its closure type erased.
pub type Flag = Arc<dyn Fn() -> bool + Send + Sync>;

/// Erases a boolean closure (see [`Text`]).
pub fn flag(f: impl Fn() -> bool + Send + Sync + 'static) -> Flag {
    Arc::new(f)
}

/// An effect with its closure type erased (see [`Text`]): every effect of
/// the console shares one copy of leptos' effect machinery, which is
/// otherwise instantiated once per closure (about 1 KB of wasm each).
pub fn effect(f: impl Fn() + 'static) {
    erased_effect(Box::new(f));
}

fn erased_effect(f: Box<dyn Fn()>) {
    Effect::new(move |_| f());
}

/// A click handler with its closure type erased (see [`effect`]): one copy
/// of tachys' event code for every button.
pub fn click(f: impl FnMut(web_sys::MouseEvent) + 'static) -> Box<dyn FnMut(web_sys::MouseEvent)> {
    Box::new(f)
}

/// A `Memo<String>` with its closure type erased (see [`effect`]).
pub fn memo_text(f: impl Fn() -> String + Send + Sync + 'static) -> Memo<String> {
    erased_memo(Arc::new(f))
}

fn erased_memo(f: Text) -> Memo<String> {
    Memo::new(move |_| f())
}

/// A reactive block of view with its closure type erased.
pub type Dyn = Arc<Mutex<dyn FnMut() -> AnyView + Send>>;

/// Erases a view closure (see [`Text`]).
pub fn dynv(f: impl FnMut() -> AnyView + Send + 'static) -> Dyn {
    Arc::new(Mutex::new(f))
}

/// "Page 2 of 7" between first/previous and next/last buttons; `go` gets
/// the 0-based page. Each button keeps its `data-act` (`{act}:{page}`), so
/// tests and keyboard focus find the same button after a page change.
#[component]
pub fn Pager(
    act: &'static str,
    #[prop(into)] page: Signal<usize>,
    #[prop(into)] pages: Signal<usize>,
    #[prop(into)] range: Signal<String>,
    go: Callback<usize>,
) -> impl IntoView {
    let last = move || pages.get().saturating_sub(1);
    let button = move |label: &'static str,
                       glyph: &'static str,
                       to: Box<dyn Fn() -> usize + Send + Sync>,
                       off: Box<dyn Fn() -> bool + Send + Sync>| {
        let to = Arc::new(to);
        let to2 = to.clone();
        view! {
            <button
                type="button"
                class="coc-btn coc-btn-small"
                data-act=move || format!("{act}:{}", to())
                aria-label=label
                disabled=off
                on:click=move |_| go.run(to2())
            >
                {glyph}
            </button>
        }
    };
    view! {
        <div class="coc-pager">
            <span class="coc-range" aria-live="polite">{range}</span>
            <span class="coc-pager-buttons">
                {button(tr!("First page"), "«", Box::new(|| 0), Box::new(move || page.get() == 0))}
                {button(tr!("Previous page"), "‹", Box::new(move || page.get().saturating_sub(1)), Box::new(move || page.get() == 0))}
                <span class="coc-page-of">
                    {move || tr!("Page {} of {}", page.get() + 1, crate::fmt::count(pages.get().max(1)))}
                </span>
                {button(tr!("Next page"), "›", Box::new(move || (page.get() + 1).min(last())), Box::new(move || page.get() >= last()))}
                {button(tr!("Last page"), "»", Box::new(last), Box::new(move || page.get() >= last()))}
            </span>
        </div>
    }
}

/// `<time>`: local time, UTC in the tooltip; a dash without a time.
#[component]
pub fn Time(ms: Option<i64>) -> impl IntoView {
    match ms {
        Some(ms) => view! {
            <time datetime=crate::fmt::iso(ms) title=crate::fmt::hover(ms)>{crate::fmt::at(ms)}</time>
        }
        .into_any(),
        None => view! { <span class="coc-none">"—"</span> }.into_any(),
    }
}
