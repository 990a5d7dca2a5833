//! The `<coc-execution>` custom element: the console's [`TicketView`] for
//! portal pages, in a shadow root.
//!
//! The element's JavaScript class is the loader `web/element/coc-execution.js`
//! (the Trunk build copies it next to the hashed files and fills in their
//! names). It owns the DOM side: the shadow root and its stylesheets, the
//! attributes and properties, and turning what this module reports into DOM
//! events. This module owns the rest through [`coc_mount`], once per
//! connected element: a reactive owner with the ticket id and the API client
//! as signals, the mounted view, and a transport that asks the host page for
//! its token on every request.
//!
//! What it deliberately does not do: read the host page's DOM, keep the
//! token anywhere but in the host's own property, or outlive the element
//! (`dispose` stops every timer and listener the view started).

use std::sync::Arc;

use coc_core::{Auth, Endpoint, HttpRequest};
use leptos::mount::{UnmountHandle, mount_to};
use leptos::prelude::*;
use leptos::tachys::view::any_view::AnyViewState;
use send_wrapper::SendWrapper;
use wasm_bindgen::prelude::*;

use crate::api::{ApiClient, ApiFailure, Transport, TransportError, TransportFuture};
use crate::errors::ErrorPanel;
use crate::ticket::{TicketEvent, TicketView};
use crate::widgets::dynv;

/// Mounts the ticket view for one `<coc-execution>` into `root` (a
/// `div.coc` in its shadow root) and returns the element's handle on it,
/// `control(what, value)`:
///
/// - `("id", id)`: a new `execution-id`; the view starts over with it.
/// - `("gateway", url)`: a new `gateway`; a new view loads from there.
/// - `("auth")`: a new token or token provider; a new view loads with it
///   (a ticket refused with 401 is not polled, so waiting would not do).
/// - `("dispose")`: unmounts the view and disposes everything it owns:
///   polling timers, the clock, the visibility listener, pending effects.
///
/// `token()` is called before every request and returns a promise of an
/// IAM token string, of an object `{ operatorToken?, iamToken? }` (the
/// operator's personal token for a gateway in tokens mode goes out as
/// `Authorization: Bearer`), or of nothing (the gateway signs); a rejection
/// is a string.
/// `emit(type, detail)` is called for each event the element dispatches.
///
/// One closure rather than an exported class: the loader needs no `free()`
/// and the glue stays smaller (about 150 bytes brotli, measured).
#[wasm_bindgen]
pub fn coc_mount(
    root: web_sys::HtmlElement,
    execution_id: String,
    gateway: String,
    poll_secs: u32,
    token: js_sys::Function,
    emit: js_sys::Function,
) -> JsValue {
    let mut embed = Some(Embed::new(
        root,
        execution_id,
        &gateway,
        poll_secs,
        token,
        SendWrapper::new(emit),
    ));
    Closure::<dyn FnMut(String, Option<String>)>::new(move |what: String, value: Option<String>| {
        let value = value.unwrap_or_default();
        match (what.as_str(), &embed) {
            ("dispose", _) => {
                if let Some(e) = embed.take() {
                    e.dispose();
                }
            }
            ("id", Some(e)) if e.id.get_untracked() != value => e.id.set(value),
            ("gateway", Some(e)) => e.connect(&value),
            ("auth", Some(e)) => e.client.update(|_| {}),
            _ => {}
        }
    })
    .into_js_value()
}

/// One `<coc-execution>`'s view, from `connectedCallback` to
/// `disconnectedCallback`.
struct Embed {
    id: RwSignal<String>,
    /// The client for the `gateway` attribute, or why there is none.
    client: RwSignal<Result<ApiClient, ApiFailure>>,
    transport: Transport,
    emit: Emit,
    owner: Owner,
    view: UnmountHandle<AnyViewState>,
}

/// The element's `(type, detail) => dispatchEvent(…)`.
type Emit = SendWrapper<js_sys::Function>;

fn emit(to: &Emit, kind: &str, detail: &js_sys::Object) {
    let _ = to.call2(&JsValue::NULL, &kind.into(), detail);
}

impl Embed {
    fn new(
        root: web_sys::HtmlElement,
        execution_id: String,
        gateway: &str,
        poll_secs: u32,
        token: js_sys::Function,
        emit: Emit,
    ) -> Self {
        let owner = Owner::new();
        let transport = token_transport(token);
        let (id, client, view) = owner.with(|| {
            let id = RwSignal::new(execution_id);
            let client = RwSignal::new(client_for(gateway, &transport));
            let to = emit.clone();
            let on_event = Callback::new(move |ev: TicketEvent| {
                if let Some((kind, detail)) = to_dom(ev) {
                    self::emit(&to, kind, &detail);
                }
            });
            // A new client (gateway or token) is a new view: simple, and
            // the one way to leave a refused load behind.
            let view = mount_to(root, move || {
                dynv(move || match client.get() {
                    Ok(client) => view! {
                        <TicketView execution_id=id client poll_secs on_event />
                    }
                    .into_any(),
                    Err(f) => view! {
                        <div class="coc-card coc-load-failed">
                            <ErrorPanel failure=f heading="The element's gateway attribute:" />
                        </div>
                    }
                    .into_any(),
                })
                .into_any()
            });
            (id, client, view)
        });
        let this = Embed {
            id,
            client,
            transport,
            emit,
            owner,
            view,
        };
        this.report_bad_gateway();
        this
    }

    fn connect(&self, gateway: &str) {
        self.client.set(client_for(gateway, &self.transport));
        self.report_bad_gateway();
    }

    fn report_bad_gateway(&self) {
        if let Err(f) = self.client.get_untracked() {
            let id = self.id.get_untracked();
            emit(&self.emit, "coc-error", &error_detail(&id, None, &f));
        }
    }

    fn dispose(self) {
        drop(self.view);
        self.owner.cleanup();
    }
}

fn client_for(gateway: &str, transport: &Transport) -> Result<ApiClient, ApiFailure> {
    Endpoint::new(gateway, Auth::None)
        .map(|ep| ApiClient::with_transport(ep, transport.clone()))
        .map_err(ApiFailure::Core)
}

/// `fetch`, with the host's token (if it gives one) added to each request.
fn token_transport(token: js_sys::Function) -> Transport {
    let token = SendWrapper::new(token);
    let inner = crate::api::fetch_transport();
    Arc::new(move |mut req: HttpRequest| {
        let got = token.call0(&JsValue::NULL).map(js_sys::Promise::from);
        let inner = inner.clone();
        Box::pin(async move {
            let got = match got {
                Ok(p) => wasm_bindgen_futures::JsFuture::from(p).await,
                Err(e) => Err(e),
            };
            match got {
                Ok(v) => {
                    let (iam, operator) = tokens_of(&v);
                    if let Some(t) = operator {
                        // Checked as the console's own settings are (no
                        // header injection); the error never quotes it.
                        if t.chars().any(|c| c.is_control() || c == ' ') {
                            return Err(TransportError::Network(
                                "the page's tokenProvider gave an operatorToken with spaces or control characters".into(),
                            ));
                        }
                        req.set_header("Authorization", format!("Bearer {t}"));
                    }
                    if let Some(t) = iam {
                        req.set_header("X-Auth-Token", t);
                    }
                }
                Err(e) => {
                    let why = e.as_string().unwrap_or_default();
                    return Err(TransportError::Network(format!(
                        "the page's tokenProvider failed: {why}"
                    )));
                }
            }
            inner(req).await
        }) as TransportFuture
    })
}

/// What a `tokenProvider` (or the `token` property) resolved to: a string
/// is an IAM token (as before); an object `{ operatorToken?, iamToken? }`
/// may carry both. Blank values count as absent.
fn tokens_of(v: &JsValue) -> (Option<String>, Option<String>) {
    let clean = |s: Option<String>| s.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
    if let Some(s) = v.as_string() {
        return (clean(Some(s)), None);
    }
    if !v.is_object() {
        return (None, None);
    }
    let field = |k: &str| {
        js_sys::Reflect::get(v, &k.into())
            .ok()
            .and_then(|f| f.as_string())
    };
    (clean(field("iamToken")), clean(field("operatorToken")))
}

fn detail(execution_id: &str, fields: &[(&str, JsValue)]) -> js_sys::Object {
    let o = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&o, &"executionId".into(), &execution_id.into());
    for (k, v) in fields {
        let _ = js_sys::Reflect::set(&o, &(*k).into(), v);
    }
    o
}

fn opt(s: Option<&str>) -> JsValue {
    s.map_or(JsValue::NULL, JsValue::from)
}

fn error_detail(id: &str, operation: Option<&str>, f: &ApiFailure) -> js_sys::Object {
    detail(
        id,
        &[
            ("operation", opt(operation)),
            ("kind", f.kind().as_str().into()),
            ("status", f.status().map_or(JsValue::NULL, JsValue::from)),
            ("errorCode", opt(f.error_code())),
            ("errorMsg", opt(f.error_msg())),
            ("requestId", opt(f.request_id())),
            ("message", f.title().into()),
        ],
    )
}

/// The ticket view's events as the element's DOM events.
fn to_dom(ev: TicketEvent) -> Option<(&'static str, js_sys::Object)> {
    let status = |s: Option<coc_core::ExecutionStatus>| opt(s.as_ref().map(|s| s.as_str()));
    Some(match ev {
        TicketEvent::Loaded {
            execution_id,
            status: s,
            ..
        } => (
            "coc-status-change",
            detail(
                &execution_id,
                &[("status", status(s)), ("previousStatus", JsValue::NULL)],
            ),
        ),
        TicketEvent::StatusChanged {
            execution_id,
            from,
            to,
        } => (
            "coc-status-change",
            detail(
                &execution_id,
                &[("status", status(to)), ("previousStatus", status(from))],
            ),
        ),
        TicketEvent::Operated {
            execution_id,
            operation,
            request_id,
        } => (
            "coc-operated",
            detail(
                &execution_id,
                &[
                    ("operation", operation.as_str().into()),
                    ("requestId", opt(request_id.as_deref())),
                ],
            ),
        ),
        TicketEvent::Failed {
            execution_id,
            operation,
            failure,
        } => (
            "coc-error",
            error_detail(&execution_id, operation.map(|o| o.as_str()), &failure),
        ),
        TicketEvent::PollIntervalChanged(_) => return None,
    })
}
