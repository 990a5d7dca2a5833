//! Component tests in headless Chromium (wasm-bindgen-test, `run_in_browser`).
//!
//! The ticket view is mounted with a fake transport: requests are still built
//! by `coc_core::Endpoint::prepare` and answers still parsed by the core;
//! only the bytes come from memory, so each test controls exactly what the
//! "server" says and counts what was sent.
//!
//! One test binary (each wasm link is large), one module per part of the
//! console; the shared fakes and DOM helpers live here. The rules behind
//! the views (models, reducers, polling) are tested natively in
//! `web/model/tests`.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};

use coc_console::api::{ApiClient, RawResponse, Transport, TransportError, TransportFuture};
use coc_console::status::StatusBadge;
use coc_console::ticket::{OperationsPanel, TicketView};
use coc_core::{
    Auth, Endpoint, Execution, ExecutionStatus, ExecutionType, HttpRequest, Method, OperateType,
    advise,
};
use leptos::mount::{UnmountHandle, mount_to};
use leptos::prelude::*;
use serde_json::{Value, json};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

// ---------- helpers ----------

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// A fresh container in the page, inside a `.coc` root like the app's.
fn container() -> web_sys::HtmlElement {
    let doc = document();
    let div: web_sys::HtmlElement = doc.create_element("div").unwrap().unchecked_into();
    div.set_class_name("coc");
    doc.body().unwrap().append_child(&div).unwrap();
    div
}

async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

async fn until(what: &str, cond: impl Fn() -> bool) {
    for _ in 0..300 {
        if cond() {
            return;
        }
        sleep(10).await;
    }
    panic!("timed out waiting for {what}");
}

fn q(root: &web_sys::Element, sel: &str) -> Option<web_sys::Element> {
    root.query_selector(sel).unwrap()
}

fn qa(root: &web_sys::Element, sel: &str) -> Vec<web_sys::Element> {
    let list = root.query_selector_all(sel).unwrap();
    (0..list.length())
        .filter_map(|i| list.item(i))
        .map(|n| n.unchecked_into())
        .collect()
}

fn text(root: &web_sys::Element, sel: &str) -> String {
    q(root, sel)
        .unwrap_or_else(|| panic!("no element matches {sel}"))
        .text_content()
        .unwrap_or_default()
}

fn click(el: &web_sys::Element) {
    el.unchecked_ref::<web_sys::HtmlElement>().click();
}

fn type_into(input: &web_sys::Element, value: &str) {
    let input: &web_sys::HtmlInputElement = input.unchecked_ref();
    input.set_value(value);
    let ev = web_sys::Event::new("input").unwrap();
    input.dispatch_event(&ev).unwrap();
}

/// What the fake server answers.
#[derive(Clone)]
enum Reply {
    Json(u16, Value),
    Raw(u16, &'static str, Vec<(String, String)>),
    Network,
}

/// A fake service: the ticket (every other GET), and the lists.
#[derive(Clone)]
struct Fake {
    sent: Arc<Mutex<Vec<HttpRequest>>>,
    get: Arc<Mutex<Reply>>,
    post: Arc<Mutex<Reply>>,
    post_delay_ms: i32,
    /// ListExecutionSteps: the steps (any ticket), or a failure.
    steps: Arc<Mutex<Reply>>,
    /// ListExecutionInstances: every instance; served by `execution_step_id`,
    /// `offset` and `limit` from the URL.
    instances: Arc<Mutex<Vec<Value>>>,
    /// `GET /gateway/v1/me`; by default 404, as from a gateway older than
    /// operators, so that the other tests see the console as before.
    me: Arc<Mutex<Reply>>,
    /// `GET /gateway/v1/audit`; by default 404 likewise.
    audit: Arc<Mutex<Reply>>,
}

/// A query parameter of a URL.
fn param(url: &str, key: &str) -> Option<String> {
    let q = url.split_once('?')?.1;
    q.split('&').find_map(|p| {
        let (k, v) = p.split_once('=')?;
        (k == key).then(|| js_sys::decode_uri_component(v).unwrap().into())
    })
}

/// A request for the steps or the instances (not the ticket itself).
fn is_inside(r: &HttpRequest) -> bool {
    r.url.contains("/steps") || r.url.contains("/executions/instances")
}

/// A request for the gateway's own API (`/gateway/v1/…`).
fn is_gateway(r: &HttpRequest) -> bool {
    r.url.contains("/gateway/v1/")
}

fn not_found() -> Reply {
    Reply::Raw(404, "Not Found", Vec::new())
}

impl Fake {
    fn new(ticket: Value) -> Self {
        Self {
            sent: Arc::default(),
            get: Arc::new(Mutex::new(Reply::Json(200, json!({ "data": ticket })))),
            post: Arc::new(Mutex::new(Reply::Json(200, json!({})))),
            post_delay_ms: 0,
            steps: Arc::new(Mutex::new(Reply::Json(
                200,
                json!({"data": [], "total": 0}),
            ))),
            instances: Arc::default(),
            me: Arc::new(Mutex::new(not_found())),
            audit: Arc::new(Mutex::new(not_found())),
        }
    }

    fn set_me(&self, r: Reply) {
        *self.me.lock().unwrap() = r;
    }

    fn set_audit(&self, r: Reply) {
        *self.audit.lock().unwrap() = r;
    }

    /// Requests to the gateway's own API whose URL contains `part`.
    fn gateway_count(&self, part: &str) -> usize {
        self.sent
            .lock()
            .unwrap()
            .iter()
            .filter(|r| is_gateway(r) && r.url.contains(part))
            .count()
    }

    /// The one POST sent (panics unless exactly one was).
    fn the_post(&self) -> HttpRequest {
        let sent = self.sent.lock().unwrap();
        let posts: Vec<&HttpRequest> = sent.iter().filter(|r| r.method == Method::Post).collect();
        assert_eq!(posts.len(), 1, "exactly one POST");
        posts[0].clone()
    }

    fn set_steps(&self, steps: Value) {
        let n = steps.as_array().map_or(0, Vec::len);
        *self.steps.lock().unwrap() = Reply::Json(200, json!({"data": steps, "total": n}));
    }

    fn set_instances(&self, all: Vec<Value>) {
        *self.instances.lock().unwrap() = all;
    }

    /// The page of instances a request asks for.
    fn instance_page(&self, url: &str) -> Reply {
        let step = param(url, "execution_step_id").unwrap_or_default();
        let offset: usize = param(url, "offset")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let limit: usize = param(url, "limit")
            .and_then(|v| v.parse().ok())
            .unwrap_or(10);
        let all: Vec<Value> = self
            .instances
            .lock()
            .unwrap()
            .iter()
            .filter(|i| i["execution_step_id"] == step.as_str())
            .cloned()
            .collect();
        let page: Vec<Value> = all.iter().skip(offset).take(limit).cloned().collect();
        Reply::Json(200, json!({"data": page, "total": all.len()}))
    }

    /// Steps and instances requests sent so far.
    fn inside_count(&self) -> usize {
        self.sent
            .lock()
            .unwrap()
            .iter()
            .filter(|r| is_inside(r))
            .count()
    }

    fn set_get(&self, r: Reply) {
        *self.get.lock().unwrap() = r;
    }

    fn set_post(&self, r: Reply) {
        *self.post.lock().unwrap() = r;
    }

    /// Requests with this method, leaving out the steps and instances the
    /// timeline loads (they follow the ticket and are counted apart).
    fn count(&self, method: Method) -> usize {
        self.sent
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.method == method && !is_inside(r) && !is_gateway(r))
            .count()
    }

    fn client(&self) -> ApiClient {
        let me = self.clone();
        let transport: Transport = Arc::new(move |req: HttpRequest| {
            let me = me.clone();
            Box::pin(async move {
                let method = req.method;
                let url = req.url.clone();
                me.sent.lock().unwrap().push(req);
                let reply = match method {
                    Method::Get if url.contains("/gateway/v1/me") => me.me.lock().unwrap().clone(),
                    Method::Get if url.contains("/gateway/v1/audit") => {
                        me.audit.lock().unwrap().clone()
                    }
                    Method::Get if url.contains("/steps") => me.steps.lock().unwrap().clone(),
                    Method::Get if url.contains("/executions/instances") => me.instance_page(&url),
                    Method::Get => me.get.lock().unwrap().clone(),
                    Method::Post => {
                        sleep(me.post_delay_ms).await;
                        me.post.lock().unwrap().clone()
                    }
                };
                let rid = vec![("x-request-id".to_owned(), "req-fake-1".to_owned())];
                match reply {
                    Reply::Json(status, v) => Ok(RawResponse {
                        status,
                        headers: rid,
                        body: v.to_string().into_bytes(),
                    }),
                    Reply::Raw(status, body, headers) => Ok(RawResponse {
                        status,
                        headers,
                        body: body.as_bytes().to_vec(),
                    }),
                    Reply::Network => {
                        Err(TransportError::Network("TypeError: Failed to fetch".into()))
                    }
                }
            }) as TransportFuture
        });
        ApiClient::with_transport(
            Endpoint::new("http://127.0.0.1:9/", Auth::None).unwrap(),
            transport,
        )
    }
}

fn ticket_json(id: &str, status: &str, kind: &str) -> Value {
    json!({
        "id": 123,
        "execution_id": id,
        "type": kind,
        "document_name": "Restart nginx service",
        "document_id": "DM2025070118023901xxxxxx",
        "document_version_id": "573634e7-5e69-4b4b-b4a1-b7433xxxxxx",
        "document_version": "v2",
        "start_time": 1751374905000i64,
        "end_time": null,
        "update_time": 1751374905000i64,
        "status": status,
        "description": "Weekly maintenance window",
        "parameters": [{"key": "region", "value": "cn-north-4"}],
        "target_parameter_name": null,
        "targets": null,
        "creator": "COC-Script",
        "tags": [{"key": "env", "value": "prod"}],
        "sys_tags": [{"key": "source", "value": "console"}]
    })
}

/// Mounts a ticket view for `id` served by `fake`, waits for the first load.
async fn mount_ticket(
    id: &'static str,
    fake: &Fake,
) -> (web_sys::HtmlElement, UnmountHandle<impl Mountable>) {
    let root = container();
    let client = fake.client();
    let handle = mount_to(root.clone(), move || {
        view! { <TicketView execution_id=eid(id) client=client /> }
    });
    let r = root.clone();
    // The header paints first and the rest a frame later: wait for both.
    until("the ticket or an error", move || {
        q(&r, ".coc-timeline").is_some() || q(&r, ".coc-load-failed").is_some()
    })
    .await;
    (root, handle)
}

/// A ticket id as the route hands it to the view: validated.
fn eid(id: &str) -> coc_core::ExecutionId {
    coc_core::ExecutionId::parse(id).unwrap()
}

fn op_el(root: &web_sys::Element, op: OperateType) -> web_sys::Element {
    q(root, &format!(".coc-op[data-op=\"{}\"]", op.as_str())).unwrap()
}

fn op_button(root: &web_sys::Element, op: OperateType) -> web_sys::Element {
    q(&op_el(root, op), "button").unwrap()
}

mod list;
mod operators;
mod ticket;
mod timeline;
mod transport;
