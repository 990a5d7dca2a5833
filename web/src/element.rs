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

use coc_i18n::tr;
use std::sync::Arc;

use coc_core::{Auth, Endpoint, ExecutionId, HttpRequest};
use coc_i18n::view;
use leptos::mount::{UnmountHandle, mount_to};
use leptos::prelude::*;
use leptos::tachys::view::any_view::AnyViewState;
use send_wrapper::SendWrapper;
use wasm_bindgen::prelude::*;

use crate::api::{ApiClient, ApiFailure, Transport, TransportError, TransportFuture};
use crate::errors::ErrorPanel;
use crate::route::FollowedId;
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
    compact: bool,
    token: js_sys::Function,
    emit: js_sys::Function,
) -> JsValue {
    let mut embed = Some(Embed::new(
        root,
        execution_id,
        &gateway,
        poll_secs,
        compact,
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
        compact: bool,
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
            // The id is validated here, once, like the console's route; the
            // view keeps following the last valid one.
            let followed =
                FollowedId::new(Memo::new(move |_| ExecutionId::parse(id.get().trim())));
            let view = mount_to(root, move || {
                dynv(move || match (followed.ok.get(), client.get()) {
                    (false, _) => (move || {
                        followed.parsed.get().err().map(|e| view! {
                            <div class="coc-card coc-load-failed">
                                <ErrorPanel failure=ApiFailure::Core(e) heading="The element's execution-id attribute:" />
                            </div>
                        })
                    })
                    .into_any(),
                    (true, Ok(client)) => {
                        let Some(execution_id) = followed.signal() else {
                            return ().into_any();
                        };
                        view! { <TicketView execution_id client poll_secs on_event compact /> }.into_any()
                    }
                    (true, Err(f)) => view! {
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
                    let (iam, operator) = tokens_of(&v).map_err(TransportError::Network)?;
                    if let Some(t) = operator {
                        // Checked as the console's own settings are (no
                        // header injection); the error never quotes it.
                        if t.chars().any(|c| c.is_control() || c == ' ') {
                            return Err(TransportError::Network(
                                tr!("the page's tokenProvider gave an operatorToken with spaces or control characters").into(),
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
                    return Err(TransportError::Network(tr!(
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
/// may carry both. Blank values count as absent; anything else is refused
/// with a sentence the host's developer can act on.
fn tokens_of(v: &JsValue) -> Result<(Option<String>, Option<String>), String> {
    let clean = |s: Option<String>| s.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
    if let Some(s) = v.as_string() {
        return Ok((clean(Some(s)), None));
    }
    if v.is_null() || v.is_undefined() {
        return Ok((None, None));
    }
    // Two fields read as they are, not through serde-wasm-bindgen's
    // deserializer: its code for this one object was 7.6 KB of the 320 KB
    // budget (measured); the event details still go out through it.
    let field = |name: &str| {
        let f = js_sys::Reflect::get(v, &name.into()).ok()?;
        if f.is_null() || f.is_undefined() {
            Some(None)
        } else {
            f.as_string().map(Some)
        }
    };
    match (v.is_object(), field("iamToken"), field("operatorToken")) {
        (true, Some(iam), Some(operator)) => Ok((clean(iam), clean(operator))),
        _ => Err(tr!("the page's tokenProvider resolved to something other than a string or { operatorToken?: string, iamToken?: string }").to_owned()),
    }
}

/// A DOM event's `detail`, as the element documents it (camelCase; an
/// absent value is `null`, not missing).
struct Detail<'a> {
    execution_id: &'a str,
    status: Skip<Option<&'a str>>,
    previous_status: Skip<Option<&'a str>>,
    operation: Skip<Option<&'a str>>,
    request_id: Skip<Option<&'a str>>,
    error: Option<ErrorDetail<'a>>,
}

/// A field an event has (possibly `null`), or does not have at all.
struct Skip<T>(Option<T>);

struct ErrorDetail<'a> {
    kind: &'static str,
    status: Option<u16>,
    error_code: Option<&'a str>,
    error_msg: Option<&'a str>,
    message: String,
}

impl<'a> Detail<'a> {
    fn new(execution_id: &'a str) -> Self {
        Detail {
            execution_id,
            status: Skip(None),
            previous_status: Skip(None),
            operation: Skip(None),
            request_id: Skip(None),
            error: None,
        }
    }

    /// A plain object, written field by field with `Reflect`: these few
    /// flat fields through serde-wasm-bindgen's serialiser (and `flatten`'s
    /// map) cost the console ~1 KB brotli (measured); the npm package keeps
    /// it for its option and result objects.
    fn to_js(&self) -> js_sys::Object {
        let o = js_sys::Object::new();
        let set = |k: &str, v: JsValue| {
            let _ = js_sys::Reflect::set(&o, &k.into(), &v);
        };
        let text = |v: Option<&str>| v.map_or(JsValue::NULL, JsValue::from_str);
        set("executionId", self.execution_id.into());
        for (k, v) in [
            ("status", &self.status),
            ("previousStatus", &self.previous_status),
            ("operation", &self.operation),
            ("requestId", &self.request_id),
        ] {
            if let Skip(Some(v)) = v {
                set(k, text(*v));
            }
        }
        if let Some(e) = &self.error {
            set("kind", e.kind.into());
            set("status", e.status.map_or(JsValue::NULL, JsValue::from));
            set("errorCode", text(e.error_code));
            set("errorMsg", text(e.error_msg));
            set("message", e.message.as_str().into());
        }
        o
    }
}

fn error_detail(id: &str, operation: Option<&str>, f: &ApiFailure) -> js_sys::Object {
    Detail {
        operation: Skip(Some(operation)),
        request_id: Skip(Some(f.request_id())),
        error: Some(ErrorDetail {
            kind: f.kind().as_str(),
            status: f.status(),
            error_code: f.error_code(),
            error_msg: f.error_msg(),
            message: f.title(),
        }),
        ..Detail::new(id)
    }
    .to_js()
}

/// The ticket view's events as the element's DOM events.
fn to_dom(ev: TicketEvent) -> Option<(&'static str, js_sys::Object)> {
    fn word(s: &Option<coc_core::ExecutionStatus>) -> Option<&str> {
        s.as_ref().map(coc_core::ExecutionStatus::as_str)
    }
    Some(match &ev {
        TicketEvent::Loaded {
            execution_id,
            status,
            ..
        } => (
            "coc-status-change",
            Detail {
                status: Skip(Some(word(status))),
                previous_status: Skip(Some(None)),
                ..Detail::new(execution_id)
            }
            .to_js(),
        ),
        TicketEvent::StatusChanged {
            execution_id,
            from,
            to,
        } => (
            "coc-status-change",
            Detail {
                status: Skip(Some(word(to))),
                previous_status: Skip(Some(word(from))),
                ..Detail::new(execution_id)
            }
            .to_js(),
        ),
        TicketEvent::Operated {
            execution_id,
            operation,
            request_id,
        } => (
            "coc-operated",
            Detail {
                operation: Skip(Some(Some(operation.as_str()))),
                request_id: Skip(Some(request_id.as_deref())),
                ..Detail::new(execution_id)
            }
            .to_js(),
        ),
        TicketEvent::Failed {
            execution_id,
            operation,
            failure,
        } => (
            "coc-error",
            error_detail(execution_id, operation.map(|o| o.as_str()), failure),
        ),
        TicketEvent::OutcomeUnknown {
            execution_id,
            operation,
            failure,
        } => (
            "coc-outcome-unknown",
            error_detail(execution_id, Some(operation.as_str()), failure),
        ),
        TicketEvent::PollIntervalChanged(_) => return None,
    })
}
