//! Component tests in headless Chromium (wasm-bindgen-test, `run_in_browser`).
//!
//! The ticket view is mounted with a fake transport: requests are still built
//! by `coc_core::Endpoint::prepare` and answers still parsed by the core;
//! only the bytes come from memory, so each test controls exactly what the
//! "server" says and counts what was sent.
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
        view! { <TicketView execution_id=id.to_owned() client=client /> }
    });
    let r = root.clone();
    until("the ticket or an error", move || {
        q(&r, ".coc-summary").is_some() || q(&r, ".coc-load-failed").is_some()
    })
    .await;
    (root, handle)
}

fn op_el(root: &web_sys::Element, op: OperateType) -> web_sys::Element {
    q(root, &format!(".coc-op[data-op=\"{}\"]", op.as_str())).unwrap()
}

fn op_button(root: &web_sys::Element, op: OperateType) -> web_sys::Element {
    q(&op_el(root, op), "button").unwrap()
}

// ---------- tests ----------

#[wasm_bindgen_test]
fn formatting_helpers() {
    use coc_console::fmt;
    assert_eq!(fmt::count(10_000), "10,000");
    assert_eq!(fmt::count(999), "999");
    assert_eq!(fmt::duration(45_000), "45 s");
    assert_eq!(fmt::duration(125_000), "2 min 05 s");
    assert_eq!(fmt::duration(3_725_000), "1 h 02 min 05 s");
    assert_eq!(fmt::relative(0, 180_000.0), "3 min ago");
    assert_eq!(fmt::utc(1_751_374_905_000), "2025-07-01 13:01:45 UTC");
}

#[wasm_bindgen_test]
async fn every_status_renders_its_word_icon_and_the_advised_buttons() {
    let root = container();
    let ticket = RwSignal::new(Arc::new(Execution::default()));
    let status = RwSignal::new(None::<ExecutionStatus>);
    let no_busy: Signal<Option<OperateType>> = Signal::stored(None);
    let no_pending: Signal<Option<coc_console::storage::PendingOp>> = Signal::stored(None);
    let _h = mount_to(root.clone(), move || {
        view! {
            <StatusBadge status=status />
            <OperationsPanel
                ticket=ticket
                busy=no_busy
                pending=no_pending
                on_operate=Callback::new(|_| {})
                uid="t1".to_owned()
            />
        }
    });
    let mut statuses: Vec<Option<ExecutionStatus>> =
        ExecutionStatus::KNOWN.iter().cloned().map(Some).collect();
    statuses.push(Some(ExecutionStatus::Other("Paused".into())));
    statuses.push(None);
    let mut checked = 0;
    for kind in [ExecutionType::Batch, ExecutionType::Normal] {
        for s in &statuses {
            let t = Execution {
                execution_id: Some("EX1".into()),
                status: s.clone(),
                execution_type: Some(kind.clone()),
                ..Default::default()
            };
            let advice = advise(&t);
            ticket.set(Arc::new(t));
            status.set(s.clone());
            sleep(0).await;

            // The badge: a word (never colour alone), and an icon.
            let badge = q(&root, ".coc-status").unwrap();
            let word = text(&root, ".coc-status-word");
            let expected = match s {
                Some(s) => s.label().to_owned(),
                None => "No status".to_owned(),
            };
            assert_eq!(word, expected);
            assert!(q(&badge, "svg path").is_some(), "badge has an icon");

            for a in advice {
                let el = op_el(&root, a.operation);
                let button = q(&el, "button").unwrap();
                assert_eq!(
                    el.get_attribute("data-offered").as_deref(),
                    Some(if a.offered() { "true" } else { "false" }),
                    "{:?} {:?} {}",
                    kind,
                    s,
                    a.operation
                );
                assert_eq!(
                    button.get_attribute("aria-disabled").as_deref(),
                    Some(if a.offered() { "false" } else { "true" })
                );
                // Explanation and reason are the accessible description.
                let described = button.get_attribute("aria-describedby").unwrap();
                let mut description = String::new();
                for id in described.split_whitespace() {
                    let target = document().get_element_by_id(id).unwrap();
                    if !target.has_attribute("hidden") {
                        description.push_str(&target.text_content().unwrap());
                    }
                }
                assert!(description.contains(a.operation.explanation()));
                match &a.not_offered {
                    Some(why) => {
                        assert!(description.contains(why.as_str()), "{description}");
                        assert_eq!(button.get_attribute("title").as_deref(), Some(why.as_str()));
                    }
                    None => assert_eq!(button.get_attribute("title").as_deref(), Some("")),
                }
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 2 * 9 * 4);
}

#[wasm_bindgen_test]
async fn terminate_asks_for_the_typed_id_and_sends_one_post() {
    let id = "EX2025070100000001term01";
    let fake = Fake::new(ticket_json(id, "Running", "NORMAL"));
    let (root, _h) = mount_ticket(id, &fake).await;
    let gets_before = fake.count(Method::Get);

    click(&op_button(&root, OperateType::Terminate));
    sleep(50).await;
    let dialog: web_sys::HtmlDialogElement = q(&root, "dialog").unwrap().unchecked_into();
    assert!(dialog.open(), "the dialog opened");
    let body = dialog.text_content().unwrap();
    assert!(body.contains(id), "names the ticket: {body}");
    assert!(
        body.contains("cannot be resumed"),
        "says what happens: {body}"
    );
    // Focus starts in the id field.
    let active = document().active_element().unwrap();
    assert!(active.class_list().contains("coc-confirm-input"));

    let confirm = q(&dialog, ".coc-dialog-confirm").unwrap();
    assert!(
        confirm.has_attribute("disabled"),
        "locked until the id is typed"
    );
    let input = q(&dialog, ".coc-confirm-input").unwrap();
    type_into(&input, "EX-wrong");
    sleep(10).await;
    assert!(confirm.has_attribute("disabled"));
    click(&confirm);
    sleep(20).await;
    assert_eq!(fake.count(Method::Post), 0, "a wrong id sends nothing");

    type_into(&input, id);
    sleep(10).await;
    assert!(!confirm.has_attribute("disabled"));
    // Two clicks in a row: one request.
    click(&confirm);
    click(&confirm);
    let r = root.clone();
    until("the accepted notice", move || {
        q(&r, "[data-role=notice]").is_some()
    })
    .await;
    assert!(!dialog.open());
    assert_eq!(fake.count(Method::Post), 1);
    let post = fake
        .sent
        .lock()
        .unwrap()
        .iter()
        .find(|r| r.method == Method::Post)
        .cloned()
        .unwrap();
    let body: Value = serde_json::from_slice(&post.body).unwrap();
    assert_eq!(
        body,
        json!({"execution_id": id, "operate_type": "TERMINATE"})
    );
    let notice = text(&root, "[data-role=notice]");
    assert!(notice.contains("TERMINATE accepted"), "{notice}");
    assert!(notice.contains("req-fake-1"), "{notice}");
    // A successful operation refetches at once.
    let f = fake.clone();
    until("a refetch", move || f.count(Method::Get) > gets_before).await;

    // The ticket reflects it: the notice says so and fast polling stops.
    fake.set_get(Reply::Json(
        200,
        json!({"data": ticket_json(id, "Canceled", "NORMAL")}),
    ));
    click(&q(&root, ".coc-livebar button:last-child").unwrap());
    let r = root.clone();
    until("the reflected notice", move || {
        q(&r, "[data-role=notice]")
            .is_some_and(|n| n.text_content().unwrap().contains("now Cancelled"))
    })
    .await;
    assert_eq!(text(&root, ".coc-summary .coc-status-word"), "Cancelled");
    assert!(text(&root, "[data-role=announcer]").contains("now Cancelled"));
}

#[wasm_bindgen_test]
async fn skip_batch_dialog_cancel_and_tab_trap() {
    let id = "EX2025070100000002skip01";
    let fake = Fake::new(ticket_json(id, "Running", "BATCH"));
    let (root, _h) = mount_ticket(id, &fake).await;
    click(&op_button(&root, OperateType::SkipBatch));
    sleep(50).await;
    let dialog: web_sys::HtmlDialogElement = q(&root, "dialog").unwrap().unchecked_into();
    assert!(dialog.open());
    assert!(
        q(&dialog, ".coc-confirm-input").is_none(),
        "no typing for SKIP_BATCH"
    );
    let cancel = q(&dialog, ".coc-dialog-cancel").unwrap();
    let confirm = q(&dialog, ".coc-dialog-confirm").unwrap();
    assert_eq!(
        document().active_element().unwrap(),
        cancel,
        "focus starts on Cancel"
    );

    // Tab from the last focusable wraps to the first, Shift+Tab back.
    confirm
        .unchecked_ref::<web_sys::HtmlElement>()
        .focus()
        .unwrap();
    let tab = |shift: bool| {
        let init = web_sys::KeyboardEventInit::new();
        init.set_key("Tab");
        init.set_shift_key(shift);
        init.set_bubbles(true);
        init.set_cancelable(true);
        let ev =
            web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
        document()
            .active_element()
            .unwrap()
            .dispatch_event(&ev)
            .unwrap();
        ev.default_prevented()
    };
    // The first focusable is the reason field (before the buttons).
    let reason = q(&dialog, "[data-role=reason]").unwrap();
    assert!(tab(false));
    assert_eq!(document().active_element().unwrap(), reason);
    assert!(tab(true));
    assert_eq!(document().active_element().unwrap(), confirm);

    click(&cancel);
    sleep(20).await;
    assert!(!dialog.open());
    assert_eq!(fake.count(Method::Post), 0);

    // Confirming sends SKIP_BATCH once.
    click(&op_button(&root, OperateType::SkipBatch));
    sleep(50).await;
    click(&q(&dialog, ".coc-dialog-confirm").unwrap());
    let f = fake.clone();
    until("the POST", move || f.count(Method::Post) == 1).await;
    let post = fake
        .sent
        .lock()
        .unwrap()
        .iter()
        .find(|r| r.method == Method::Post)
        .cloned()
        .unwrap();
    assert!(String::from_utf8(post.body).unwrap().contains("SKIP_BATCH"));
}

#[wasm_bindgen_test]
async fn a_double_click_sends_one_post_and_locks_every_button() {
    let id = "EX2025070100000003resu01";
    let mut fake = Fake::new(ticket_json(id, "Pending", "BATCH"));
    fake.post_delay_ms = 300;
    let (root, _h) = mount_ticket(id, &fake).await;
    let resume = op_button(&root, OperateType::Resume);
    click(&resume);
    click(&resume);
    sleep(30).await;
    for op in OperateType::ALL {
        let b = op_button(&root, op);
        assert_eq!(
            b.get_attribute("aria-disabled").as_deref(),
            Some("true"),
            "{op} locked in flight"
        );
        assert!(
            b.get_attribute("title")
                .unwrap()
                .contains("RESUME is being sent")
        );
    }
    // More clicks while in flight do nothing either.
    click(&op_button(&root, OperateType::Retry));
    let r = root.clone();
    until("the answer", move || q(&r, "[data-role=notice]").is_some()).await;
    assert_eq!(fake.count(Method::Post), 1);
}

#[wasm_bindgen_test]
async fn a_refused_operation_shows_code_message_and_request_id_exactly() {
    let id = "EX2025070100000004refu01";
    let fake = Fake::new(ticket_json(id, "Failed", "NORMAL"));
    fake.set_post(Reply::Raw(
        400,
        r#"{"error_code":"COC.00040702","error_msg":"target instance does not exist <b>x</b>"}"#,
        vec![("X-Request-Id".into(), "0af3c9e1-rid".into())],
    ));
    let (root, _h) = mount_ticket(id, &fake).await;
    click(&op_button(&root, OperateType::Retry));
    let r = root.clone();
    until("the error", move || q(&r, "[data-role=op-error]").is_some()).await;
    let err = q(&root, "[data-role=op-error]").unwrap();
    assert_eq!(text(&err, ".coc-error-code"), "COC.00040702");
    assert_eq!(
        text(&err, ".coc-error-msg"),
        "target instance does not exist <b>x</b>"
    );
    assert_eq!(text(&err, ".coc-error-request-id"), "0af3c9e1-rid");
    assert_eq!(text(&err, ".coc-error-status"), "400");
    assert!(q(&err, "b").is_none(), "markup in a message stays text");
    assert_eq!(fake.count(Method::Post), 1, "never retried");
    // The buttons are usable again.
    assert_eq!(
        op_button(&root, OperateType::Retry)
            .get_attribute("aria-disabled")
            .as_deref(),
        Some("false")
    );
}

#[wasm_bindgen_test]
async fn each_error_kind_renders_specifically() {
    let html = "<html><body><h1>502 Bad Gateway</h1></body></html>";
    let cases: Vec<(&'static str, Reply, &str, &[&str])> = vec![
        (
            "EX2025070100000005err001",
            Reply::Json(200, json!({"data": null})),
            "not-found",
            &["Ticket not found", "Check the ticket id"],
        ),
        (
            "EX2025070100000005err002",
            Reply::Json(
                404,
                json!({"error_code": "COC.00040404", "error_msg": "execution not found"}),
            ),
            "not-found",
            &["Ticket not found", "COC.00040404", "execution not found"],
        ),
        (
            "EX2025070100000005err003",
            Reply::Json(
                401,
                json!({"error_code": "APIGW.0301", "error_msg": "Incorrect IAM authentication information"}),
            ),
            "auth",
            &[
                "credentials were refused",
                "APIGW.0301",
                "IAM token",
                "req-fake-1",
            ],
        ),
        (
            "EX2025070100000005err004",
            Reply::Json(
                403,
                json!({"error_code": "APIGW.0302", "error_msg": "forbidden"}),
            ),
            "auth",
            &["HTTP 403", "AK/SK"],
        ),
        (
            "EX2025070100000005err005",
            Reply::Network,
            "network",
            &[
                "could not be reached",
                "allowed CORS origins",
                "Failed to fetch",
            ],
        ),
        (
            "EX2025070100000005err006",
            Reply::Raw(200, html, vec![]),
            "not-json",
            &["not COC JSON", "502 Bad Gateway"],
        ),
        (
            "EX2025070100000005err007",
            Reply::Raw(502, html, vec![]),
            "not-json",
            &["HTTP 502", "502 Bad Gateway"],
        ),
        (
            "EX2025070100000005err008",
            Reply::Raw(504, "", vec![]),
            "timeout",
            &["timed out", "504"],
        ),
        (
            "EX2025070100000005err009",
            Reply::Json(
                400,
                json!({"error_code": "COC.00042101", "error_msg": "document not found"}),
            ),
            "api",
            &["refused the request", "COC.00042101", "document not found"],
        ),
        (
            "bad id with spaces",
            Reply::Network,
            "invalid",
            &["could not be built", "whitespace"],
        ),
    ];
    let n = cases.len();
    for (id, reply, kind, needles) in cases {
        let fake = Fake::new(json!(null));
        fake.set_get(reply);
        let (root, _h) = mount_ticket(id, &fake).await;
        let err = q(&root, ".coc-load-failed .coc-error")
            .unwrap_or_else(|| panic!("{id}: no error panel"));
        assert_eq!(
            err.get_attribute("data-kind").as_deref(),
            Some(kind),
            "{id}"
        );
        let t = err.text_content().unwrap();
        for needle in needles {
            assert!(t.contains(needle), "{id}: {needle:?} not in {t:?}");
        }
        assert!(q(&root, ".coc-summary").is_none());
    }
    assert_eq!(n, 10);
}

#[wasm_bindgen_test]
async fn a_failed_refresh_warns_and_keeps_the_last_good_data() {
    let id = "EX2025070100000006stal01";
    let fake = Fake::new(ticket_json(id, "Running", "NORMAL"));
    let (root, _h) = mount_ticket(id, &fake).await;
    assert!(q(&root, "[data-role=stale-warning]").is_none());
    fake.set_get(Reply::Network);
    click(&q(&root, ".coc-livebar button:last-child").unwrap());
    let r = root.clone();
    until("the warning", move || {
        q(&r, "[data-role=stale-warning]").is_some()
    })
    .await;
    assert!(text(&root, "[data-role=stale-warning]").contains("Showing the last good data"));
    assert_eq!(
        text(&root, "[data-field=document_name]"),
        "Restart nginx service"
    );
    assert_eq!(text(&root, ".coc-summary .coc-status-word"), "Running");
    // Recovery clears the warning.
    fake.set_get(Reply::Json(
        200,
        json!({"data": ticket_json(id, "Running", "NORMAL")}),
    ));
    click(&q(&root, ".coc-livebar button:last-child").unwrap());
    let r = root.clone();
    until("the warning to go", move || {
        q(&r, "[data-role=stale-warning]").is_none()
    })
    .await;
}

#[wasm_bindgen_test]
async fn ten_thousand_targets_keep_a_bounded_dom() {
    let id = "EX2025070100000007larg01";
    let mut t = ticket_json(id, "Running", "RATE_CONTROL");
    let values: Vec<Value> = (0..10_000)
        .map(|i| json!({"id": format!("i-{i:05}"), "name": format!("web-{i:05}"), "ip": format!("10.0.{}.{}", i / 256, i % 256)}))
        .collect();
    t["targets"] = json!([{"key": "InstanceValues", "values": values}]);
    t["target_parameter_name"] = json!("target_instances");
    let fake = Fake::new(t);
    let (root, _h) = mount_ticket(id, &fake).await;
    let nodes = qa(&root, "*").len();
    let rows = qa(&root, ".coc-targets-table tbody tr").len();
    web_sys::console::log_1(
        &format!("10,000 targets: {nodes} elements in the ticket view, {rows} rows").into(),
    );
    assert_eq!(rows, 50);
    assert!(nodes < 1_500, "{nodes} elements");
    assert_eq!(text(&root, "[data-field=target_count]"), "10,000");
    assert!(text(&root, ".coc-range").contains("1–50 of 10,000"));
    // Last page, then a filter.
    click(&q(&root, "button[aria-label=\"Last page\"]").unwrap());
    sleep(10).await;
    let range = text(&root, ".coc-range");
    assert!(
        range.contains("9,951–10,000 of 10,000"),
        "{range} {}",
        q(&root, ".coc-pager").unwrap().outer_html()
    );
    assert!(text(&root, ".coc-targets-table tbody").contains("web-09999"));
    type_into(&q(&root, ".coc-filter input").unwrap(), "web-0042");
    sleep(10).await;
    assert_eq!(qa(&root, ".coc-targets-table tbody tr").len(), 10);
    assert!(qa(&root, "*").len() < 1_500);
}

#[wasm_bindgen_test]
async fn markup_in_fields_stays_inert_text() {
    let id = "EX2025070100000008xss001";
    let mut t = ticket_json(id, "Succeed", "NORMAL");
    let img = "<img src=x onerror=\"window.__cocXss=1\">";
    let script = "<script>window.__cocXss=2</script>";
    t["document_name"] = json!(img);
    t["description"] = json!(script);
    t["creator"] = json!(img);
    t["parameters"] = json!([{"key": script, "value": img}]);
    t["tags"] = json!([{"key": "x", "value": img}]);
    let fake = Fake::new(t);
    let (root, _h) = mount_ticket(id, &fake).await;
    sleep(50).await;
    assert!(q(&root, "img").is_none());
    assert!(q(&root, "script").is_none());
    assert_eq!(text(&root, "[data-field=document_name]"), img);
    assert_eq!(text(&root, "[data-field=description]"), script);
    let flag = js_sys::Reflect::get(&web_sys::window().unwrap(), &"__cocXss".into()).unwrap();
    assert!(flag.is_undefined());
}

#[wasm_bindgen_test]
async fn a_pending_operation_survives_a_remount() {
    let id = "EX2025070100000009pend01";
    let fake = Fake::new(ticket_json(id, "Running", "NORMAL"));
    let (root, h) = mount_ticket(id, &fake).await;
    click(&op_button(&root, OperateType::Terminate));
    sleep(50).await;
    type_into(&q(&root, ".coc-confirm-input").unwrap(), id);
    sleep(10).await;
    click(&q(&root, ".coc-dialog-confirm").unwrap());
    let r = root.clone();
    until("accepted", move || q(&r, "[data-role=notice]").is_some()).await;
    drop(h);
    root.remove();

    // "Reload": a new view of the same ticket, still Running.
    let (root, _h) = mount_ticket(id, &fake).await;
    let r = root.clone();
    until("the pending banner", move || {
        q(&r, "[data-role=pending]").is_some()
    })
    .await;
    assert!(text(&root, "[data-role=pending]").contains("TERMINATE was accepted"));
    assert_eq!(
        op_button(&root, OperateType::Terminate)
            .get_attribute("aria-disabled")
            .as_deref(),
        Some("true")
    );
    assert_eq!(
        q(&root, ".coc-livebar")
            .unwrap()
            .get_attribute("data-mode")
            .as_deref(),
        Some("fast")
    );
    fake.set_get(Reply::Json(
        200,
        json!({"data": ticket_json(id, "Canceled", "NORMAL")}),
    ));
    let r = root.clone();
    until("the pending state to clear", move || {
        q(&r, "[data-role=pending]").is_none()
    })
    .await;
    assert_eq!(fake.count(Method::Post), 1);
}

#[wasm_bindgen_test]
async fn every_field_of_the_ticket_is_shown() {
    let id = "EX2025070121014501xxxxxx";
    let mut t = ticket_json(id, "Pending", "NORMAL");
    t["future_field"] = json!("kept");
    let fake = Fake::new(t);
    let (root, _h) = mount_ticket(id, &fake).await;
    for (field, expected) in [
        ("execution_id", id),
        ("document_name", "Restart nginx service"),
        ("document_id", "DM2025070118023901xxxxxx"),
        ("document_version", "v2"),
        ("document_version_id", "573634e7-5e69-4b4b-b4a1-b7433xxxxxx"),
        ("creator", "COC-Script"),
        ("type", "NORMAL"),
        ("id", "123"),
        ("description", "Weekly maintenance window"),
    ] {
        assert_eq!(
            text(&root, &format!("[data-field={field}]")),
            expected,
            "{field}"
        );
    }
    assert!(text(&root, "[data-field=parameters]").contains("cn-north-4"));
    assert!(text(&root, "[data-field=tags]").contains("prod"));
    assert!(text(&root, "[data-field=sys_tags]").contains("console"));
    assert!(text(&root, "[data-field=extra]").contains("kept"));
    let start = q(&root, "[data-field=start_time] time").unwrap();
    assert_eq!(
        start.get_attribute("datetime").as_deref(),
        Some("2025-07-01T13:01:45.000Z")
    );
    assert!(
        start
            .get_attribute("title")
            .unwrap()
            .contains("2025-07-01 13:01:45 UTC")
    );
    assert_eq!(text(&root, "[data-field=end_time]"), "—");
    // Raw JSON keeps the unknown field.
    click(&q(&root, ".coc-raw button").unwrap());
    sleep(10).await;
    let raw: Value = serde_json::from_str(&text(&root, ".coc-json")).unwrap();
    assert_eq!(raw["future_field"], json!("kept"));
    assert_eq!(raw["execution_id"], json!(id));
}

#[wasm_bindgen_test]
fn polling_backs_off_on_errors() {
    use coc_console::ticket::{MAX_BACKOFF_MS, poll_delay_ms};
    assert_eq!(poll_delay_ms(3_000.0, 0), 3_000.0);
    assert_eq!(poll_delay_ms(3_000.0, 1), 6_000.0);
    assert_eq!(poll_delay_ms(3_000.0, 3), 24_000.0);
    assert_eq!(poll_delay_ms(3_000.0, 9), MAX_BACKOFF_MS);
}

#[wasm_bindgen_test]
async fn polling_pauses_while_hidden_and_catches_up_on_return() {
    let id = "EX2025070100000010hide01";
    let fake = Fake::new(ticket_json(id, "Running", "NORMAL"));
    let root = container();
    let client = fake.client();
    let visible = RwSignal::new(true);
    let _h = mount_to(root.clone(), move || {
        view! { <TicketView execution_id=id.to_owned() client=client poll_secs=1 visible=visible /> }
    });
    let f = fake.clone();
    until("two polls", move || f.count(Method::Get) >= 2).await;
    visible.set(false);
    sleep(50).await;
    assert_eq!(
        q(&root, ".coc-livebar")
            .unwrap()
            .get_attribute("data-mode")
            .as_deref(),
        Some("hidden")
    );
    let before = fake.count(Method::Get);
    sleep(2_500).await;
    assert_eq!(fake.count(Method::Get), before, "no polling while hidden");
    visible.set(true);
    let f = fake.clone();
    until("a poll on return", move || f.count(Method::Get) > before).await;
    // A finished ticket is not polled at all.
    fake.set_get(Reply::Json(
        200,
        json!({"data": ticket_json(id, "Succeed", "NORMAL")}),
    ));
    let r = root.clone();
    until("the final state", move || {
        q(&r, ".coc-livebar")
            .and_then(|b| b.get_attribute("data-mode"))
            .as_deref()
            == Some("final")
    })
    .await;
    let settled = fake.count(Method::Get);
    sleep(2_500).await;
    assert_eq!(
        fake.count(Method::Get),
        settled,
        "a finished ticket is not polled"
    );
}

#[wasm_bindgen_test]
fn a_pasted_token_is_sent_and_kept_for_the_session_unless_remembered() {
    use coc_console::settings::{AuthMode, Settings};
    use coc_core::{GetExecution, UnixTime};
    let window = web_sys::window().unwrap();
    let local = window.local_storage().unwrap().unwrap();
    let session = window.session_storage().unwrap().unwrap();

    let mut s = Settings {
        auth: AuthMode::Token,
        token: "tok-123".into(),
        ..Default::default()
    };
    s.save();
    assert_eq!(
        session.get_item("coc.token").unwrap().as_deref(),
        Some("tok-123")
    );
    assert_eq!(local.get_item("coc.token").unwrap(), None);
    let settings_json = local.get_item("coc.settings").unwrap().unwrap();
    assert!(
        !settings_json.contains("tok-123"),
        "the token is not in the settings JSON"
    );
    let loaded = Settings::load();
    assert_eq!(loaded.token, "tok-123");
    assert_eq!(loaded.auth, AuthMode::Token);
    let req = loaded
        .endpoint()
        .unwrap()
        .prepare(&GetExecution::new("EX1").unwrap(), UnixTime::from_secs(0))
        .unwrap();
    assert_eq!(req.header("X-Auth-Token"), Some("tok-123"));
    // The default gateway is the page's own origin.
    assert!(req.url.starts_with(&window.location().origin().unwrap()));

    s.remember_token = true;
    s.save();
    assert_eq!(
        local.get_item("coc.token").unwrap().as_deref(),
        Some("tok-123")
    );
    assert_eq!(session.get_item("coc.token").unwrap(), None);

    // Back to "the gateway signs": no token anywhere, none sent.
    let s = Settings::default();
    s.save();
    assert_eq!(local.get_item("coc.token").unwrap(), None);
    assert_eq!(session.get_item("coc.token").unwrap(), None);
    let req = Settings::load()
        .endpoint()
        .unwrap()
        .prepare(&GetExecution::new("EX1").unwrap(), UnixTime::from_secs(0))
        .unwrap();
    assert_eq!(req.header("X-Auth-Token"), None);
}

// ---------- the ticket list ----------

fn list_ticket(id: &str, status: &str, creator: &str) -> Value {
    let mut t = ticket_json(id, status, "BATCH");
    t["creator"] = json!(creator);
    t["document_name"] = json!(format!("Job of {creator}"));
    t
}

/// Mounts a list view at `/executions{search}`, served by `fake`.
fn mount_list(
    search: &'static str,
    fake: &Fake,
) -> (web_sys::HtmlElement, UnmountHandle<impl Mountable>) {
    let root = container();
    let client = fake.client();
    let handle = mount_to(root.clone(), move || {
        provide_context(coc_console::Loc {
            path: RwSignal::new("/executions".to_owned()),
            search: RwSignal::new(search.to_owned()),
        });
        view! { <coc_console::ListView client=client /> }
    });
    (root, handle)
}

#[wasm_bindgen_test]
async fn the_list_renders_rows_then_empty_and_error_states() {
    let fake = Fake::new(json!(null));
    fake.set_get(Reply::Json(
        200,
        json!({"data": [
            list_ticket("EX2025070100000011list01", "Running", "zhang.wei"),
            list_ticket("EX2025070100000011list02", "Succeed", "zhang.wei"),
        ], "total": 45}),
    ));
    let (root, _h) = mount_list("?creator=zhang&tags=env%3Dprod", &fake);
    let r = root.clone();
    until("the rows", move || q(&r, ".coc-list-table").is_some()).await;

    // The request: the URL's filters, built by the core, with the page size.
    let sent = fake.sent.lock().unwrap()[0].url.clone();
    assert!(sent.contains("/v1/executions?limit=20"), "{sent}");
    assert!(sent.contains("creator=zhang"), "{sent}");
    assert!(sent.contains("tags=env%3Dprod"), "{sent}");
    // The form shows the URL's filters.
    let creator: web_sys::HtmlInputElement = q(&root, "#coc-f-creator").unwrap().unchecked_into();
    assert_eq!(creator.value(), "zhang");
    let tags: web_sys::HtmlInputElement = q(&root, "#coc-f-tags").unwrap().unchecked_into();
    assert_eq!(tags.value(), "env=prod");

    let rows = qa(&root, ".coc-list-table tbody tr");
    assert_eq!(rows.len(), 2);
    let first = rows[0].text_content().unwrap();
    for needle in [
        "Running",
        "Job of zhang.wei",
        "EX2025070100000011list01",
        "BATCH",
        "zhang.wei",
    ] {
        assert!(first.contains(needle), "{needle:?} in {first:?}");
    }
    assert!(
        q(&rows[0], ".coc-status svg").is_some(),
        "status has its icon"
    );
    let link = q(&rows[0], "a").unwrap();
    assert_eq!(
        link.get_attribute("href").as_deref(),
        Some("/executions/EX2025070100000011list01")
    );
    assert!(rows[1].text_content().unwrap().contains("Succeeded"));
    assert!(text(&root, ".coc-list .coc-range").contains("1–2 of 45"));
    assert!(text(&root, ".coc-page-of").contains("Page 1 of 3"));
    // A running ticket is listed: the list is live.
    assert_eq!(
        q(&root, ".coc-livebar")
            .unwrap()
            .get_attribute("data-mode")
            .as_deref(),
        Some("live")
    );

    // No match: says so, and offers the way out.
    fake.set_get(Reply::Json(200, json!({"data": [], "total": 0})));
    click(&q(&root, ".coc-livebar button:last-child").unwrap());
    let r = root.clone();
    until("the empty state", move || {
        q(&r, "[data-role=list-note]").is_some()
    })
    .await;
    let note = text(&root, "[data-role=list-note]");
    assert!(note.contains("No tickets match these filters"), "{note}");
    assert_eq!(
        q(&root, "[data-role=list-note] a")
            .unwrap()
            .get_attribute("href")
            .as_deref(),
        Some("/executions")
    );
    assert_eq!(
        q(&root, ".coc-livebar")
            .unwrap()
            .get_attribute("data-mode")
            .as_deref(),
        Some("final"),
        "nothing active, no polling"
    );

    // A failed refresh keeps the last good page and warns.
    fake.set_get(Reply::Network);
    click(&q(&root, ".coc-livebar button:last-child").unwrap());
    let r = root.clone();
    until("the warning", move || {
        q(&r, "[data-role=stale-warning]").is_some()
    })
    .await;
    assert!(
        q(&root, "[data-role=list-note]").is_some(),
        "last good page kept"
    );

    // An error before any page: the error itself, specific.
    let fake = Fake::new(json!(null));
    fake.set_get(Reply::Network);
    let (root, _h) = mount_list("", &fake);
    let r = root.clone();
    until("the error", move || {
        q(&r, ".coc-load-failed .coc-error").is_some()
    })
    .await;
    let err = q(&root, ".coc-load-failed .coc-error").unwrap();
    assert_eq!(err.get_attribute("data-kind").as_deref(), Some("network"));
}

#[wasm_bindgen_test]
async fn the_list_refuses_bad_filters_inline_and_in_links() {
    // A link with a bad filter: said, with a way out, and nothing sent.
    let fake = Fake::new(json!({"data": [], "total": 0}));
    fake.set_get(Reply::Json(200, json!({"data": [], "total": 0})));
    let (root, _h) = mount_list("?limit=0", &fake);
    sleep(50).await;
    let note = text(&root, "[data-role=list-note]");
    assert!(
        note.contains("not valid") && note.contains("limit"),
        "{note}"
    );
    assert_eq!(fake.count(Method::Get), 0);

    // The form: the core's validation, next to the field.
    let (root, _h) = mount_list("", &fake);
    let r = root.clone();
    until("the list", move || {
        q(&r, "[data-role=list-note]")
            .is_some_and(|n| n.text_content().unwrap().contains("No tickets"))
    })
    .await;
    let tags = q(&root, "#coc-f-tags").unwrap();
    type_into(&tags, "env");
    let submit = q(&root, ".coc-filters button[type=submit]").unwrap();
    click(&submit);
    sleep(10).await;
    let problem = text(&root, "#coc-filter-problem");
    assert!(
        problem.starts_with("Tags:") && problem.contains("key=value"),
        "{problem}"
    );
    assert_eq!(tags.get_attribute("aria-invalid").as_deref(), Some("true"));
    type_into(&tags, "");
    type_into(&q(&root, "#coc-f-document_id").unwrap(), "bad id");
    click(&submit);
    sleep(10).await;
    let problem = text(&root, "#coc-filter-problem");
    assert!(problem.starts_with("Job id:"), "{problem}");
}

// ---------- steps, batches and instances ----------

const BATCH_ID: &str = "EX2025070100000012batc01";

/// A BATCH ticket's steps and instances as the simulator has them: 12
/// targets in batches of 4, batch 2 running in step 1.
fn batch_fake(status: &str) -> Fake {
    let fake = Fake::new(ticket_json(BATCH_ID, status, "BATCH"));
    let props = json!({"instance_count": "12", "batch_count": "3", "current_batch": "2", "batch_sizes": "4,4,4"});
    let step = |n: u32, name: &str, st: &str, msg: &str| {
        json!({
            "execution_step_id": format!("ST{n}"), "name": name, "action": "coc:executeScript",
            "status": st, "message": msg, "start_time": 1751374905000i64,
            "inputs": [{"key": "script_name", "value": format!("step{n}.sh")}],
            "outputs": [], "properties": props,
        })
    };
    fake.set_steps(json!([
        step(
            1,
            "Drain node",
            "Running",
            "running: 4 of 12 instances finished"
        ),
        step(
            2,
            "Install patches",
            "Pending",
            "4 of 12 instances finished; waiting for the next batch"
        ),
        step(
            3,
            "Reboot",
            "Pending",
            "4 of 12 instances finished; waiting for the next batch"
        ),
    ]));
    let mut all = Vec::new();
    for s in 1..=3 {
        for u in 0..12usize {
            let batch = u / 4 + 1;
            let st = match (s, batch, u % 4) {
                (_, 1, _) => "Succeed",
                (1, 2, 0 | 1) => "Running",
                _ => "Pending",
            };
            all.push(json!({
                "id": s * 100 + u as u32, "execution_instance_id": format!("EI{s}-{u:05}"),
                "execution_step_id": format!("ST{s}"), "status": st,
                "message": if st == "Pending" { "waiting to run" } else { "exit code 0" },
                "properties": {"batch_index": batch.to_string(), "fixed_ip": format!("10.0.0.{u}")},
            }));
        }
    }
    fake.set_instances(all);
    fake
}

#[wasm_bindgen_test]
async fn a_ticket_without_batches_shows_no_batch_table() {
    // As the simulator sends a NORMAL ticket: every instance in batch 1,
    // no batch properties on the steps.
    let id = "EX2025070100000013norm01";
    let fake = Fake::new(ticket_json(id, "Running", "NORMAL"));
    fake.set_steps(json!([{
        "execution_step_id": "ST1", "name": "Restart", "action": "coc:executeScript",
        "status": "Running", "start_time": 1751374905000i64,
        "properties": {"instance_count": "2"},
    }]));
    fake.set_instances(
        (0..2)
            .map(|u| {
                json!({
                    "execution_instance_id": format!("EI1-{u}"), "execution_step_id": "ST1",
                    "status": "Running", "properties": {"batch_index": "1"},
                })
            })
            .collect(),
    );
    let (root, _h) = mount_ticket(id, &fake).await;
    let r = root.clone();
    until("the step's counts", move || {
        q(&r, "[data-role=step-counts]")
            .is_some_and(|e| e.text_content().unwrap_or_default().contains("2 running"))
    })
    .await;
    assert!(q(&root, "[data-role=batch-summary]").is_none());
    assert!(q(&root, ".coc-batch-table").is_none());
}

#[wasm_bindgen_test]
async fn the_timeline_marks_the_current_step_and_counts_by_step_and_batch() {
    let fake = batch_fake("Running");
    let (root, _h) = mount_ticket(BATCH_ID, &fake).await;
    let r = root.clone();
    until("the steps", move || q(&r, ".coc-step").is_some()).await;
    let steps = qa(&root, ".coc-step");
    assert_eq!(steps.len(), 3);
    assert_eq!(
        steps[0].get_attribute("aria-current").as_deref(),
        Some("step")
    );
    assert_eq!(
        steps[1].get_attribute("aria-current").as_deref(),
        Some("false")
    );
    assert!(steps[0].text_content().unwrap().contains("current"));
    // Steps and instances say "Waiting" for Pending, never "Suspended".
    assert_eq!(text(&steps[1], ".coc-status-word"), "Waiting");
    assert!(!root.text_content().unwrap().contains("Suspended"));
    // Counts per step.
    assert_eq!(
        text(&steps[0], "[data-role=step-counts]"),
        "2 running6 waiting4 succeeded"
    );
    assert_eq!(
        text(&steps[1], "[data-role=step-counts]"),
        "8 waiting4 succeeded"
    );
    // Batches: the current one, its targets and states over all steps.
    assert_eq!(
        text(&root, "[data-role=batch-summary]"),
        "Batch 2 of 3 is current."
    );
    let batch_rows = qa(&root, ".coc-batch-table tbody tr");
    assert_eq!(batch_rows.len(), 3);
    let b2 = batch_rows[1].text_content().unwrap();
    assert!(b2.contains("Batch 2") && b2.contains("current"), "{b2}");
    assert!(
        b2.contains("4") && b2.contains("2 running") && b2.contains("10 waiting"),
        "{b2}"
    );
    assert!(
        batch_rows[0]
            .text_content()
            .unwrap()
            .contains("12 succeeded")
    );
    // The current step is open: its inputs and its instances.
    let open = q(&steps[0], ".coc-step-body").expect("the current step is open");
    assert!(text(&open, "[data-field=inputs]").contains("step1.sh"));
    let rows = qa(&open, ".coc-instances tbody tr");
    assert_eq!(rows.len(), 12);
    assert!(rows[4].text_content().unwrap().contains("Running"));
    assert!(rows[8].text_content().unwrap().contains("Waiting"));
    assert!(rows[8].text_content().unwrap().contains("batch_index=3"));
    // Another step opens by keyboard-reachable button.
    let head = q(&steps[2], ".coc-step-head").unwrap();
    assert_eq!(head.tag_name(), "BUTTON");
    click(&head);
    sleep(20).await;
    let steps = qa(&root, ".coc-step");
    assert!(q(&steps[2], ".coc-step-body").is_some());
    assert!(q(&steps[0], ".coc-step-body").is_none());
}

#[wasm_bindgen_test]
async fn skip_batch_and_terminate_state_their_blast_radius() {
    let fake = batch_fake("Running");
    let (root, _h) = mount_ticket(BATCH_ID, &fake).await;
    let r = root.clone();
    until("the batches", move || {
        q(&r, "[data-role=batch-summary]").is_some()
    })
    .await;

    click(&op_button(&root, OperateType::SkipBatch));
    sleep(50).await;
    let dialog = q(&root, "dialog").unwrap();
    let t = dialog.text_content().unwrap();
    assert!(t.contains("Skip the current batch (batch 2 of 3)"), "{t}");
    assert!(
        t.contains("Skipping batch 2 leaves 12 of its instances unrun"),
        "{t}"
    );
    assert!(t.contains("goes on with batch 3"), "{t}");
    click(&q(&dialog, ".coc-dialog-cancel").unwrap());
    sleep(20).await;

    click(&op_button(&root, OperateType::Terminate));
    sleep(50).await;
    let t = q(&root, "dialog").unwrap().text_content().unwrap();
    assert!(
        t.contains("2 instances still running will be cancelled"),
        "{t}"
    );
    assert!(t.contains("cannot be resumed"), "{t}");
    assert_eq!(fake.count(Method::Post), 0);
}

#[wasm_bindgen_test]
async fn steps_reload_when_the_ticket_changes_not_on_every_poll() {
    let fake = batch_fake("Running");
    let (root, _h) = mount_ticket(BATCH_ID, &fake).await;
    let r = root.clone();
    until("the steps", move || q(&r, ".coc-step").is_some()).await;
    sleep(50).await;
    let loaded = fake.inside_count();
    assert_eq!(
        loaded, 4,
        "the steps, and each step's 12 instances in one page"
    );
    // A poll that finds the ticket unchanged loads nothing more.
    let gets = fake.count(Method::Get);
    click(&q(&root, ".coc-livebar button:last-child").unwrap());
    let f = fake.clone();
    until("the poll", move || f.count(Method::Get) > gets).await;
    sleep(50).await;
    assert_eq!(fake.inside_count(), loaded);
    // A changed ticket reloads them; a failure keeps the last good ones.
    let mut t = ticket_json(BATCH_ID, "Running", "BATCH");
    t["update_time"] = json!(1751374999000i64);
    fake.set_get(Reply::Json(200, json!({ "data": t })));
    *fake.steps.lock().unwrap() = Reply::Network;
    click(&q(&root, ".coc-livebar button:last-child").unwrap());
    let r = root.clone();
    until("the steps warning", move || {
        q(&r, "[data-role=steps-warning]").is_some()
    })
    .await;
    assert_eq!(fake.inside_count(), loaded + 1);
    assert_eq!(qa(&root, ".coc-step").len(), 3, "last good steps kept");
}

#[wasm_bindgen_test]
async fn a_step_with_ten_thousand_instances_is_paged_not_counted() {
    let id = "EX2025070100000013larg01";
    let fake = Fake::new(ticket_json(id, "Running", "RATE_CONTROL"));
    fake.set_steps(json!([{
        "execution_step_id": "STBIG", "name": "Rotate logs", "action": "coc:executeScript",
        "status": "Running", "message": "running", "properties": {"instance_count": "10000"},
    }]));
    fake.set_instances(
        (0..10_000)
            .map(|u| json!({"execution_instance_id": format!("EI-{u:05}"), "execution_step_id": "STBIG", "status": if u < 5 { "Running" } else { "Pending" }, "message": "m", "properties": {}}))
            .collect(),
    );
    let (root, _h) = mount_ticket(id, &fake).await;
    let r = root.clone();
    until("the instances", move || q(&r, ".coc-instances").is_some()).await;
    assert_eq!(qa(&root, ".coc-instances tbody tr").len(), 20);
    assert!(text(&root, "[data-role=step-counts]").contains("too many to count"));
    // The steps, then the open step's window of 100: not 10,000 instances.
    assert_eq!(fake.inside_count(), 3);
    assert!(qa(&root, "*").len() < 1_500);
    // The last page: a new window, and its rows.
    click(&q(&root, ".coc-step-body button[aria-label=\"Last page\"]").unwrap());
    let r = root.clone();
    until("the last page", move || {
        q(&r, ".coc-instances tbody").is_some_and(|b| b.text_content().unwrap().contains("Waiting"))
            && q(&r, ".coc-range").is_some()
    })
    .await;
    let r = root.clone();
    until("rows 9,981–10,000", move || {
        qa(&r, ".coc-instances tbody tr")
            .first()
            .is_some_and(|tr| tr.text_content().unwrap().starts_with("9981"))
    })
    .await;
    // The TERMINATE confirmation does not pretend to know the count.
    click(&op_button(&root, OperateType::Terminate));
    sleep(50).await;
    let t = q(&root, "dialog").unwrap().text_content().unwrap();
    assert!(t.contains("running work is cancelled"), "{t}");
}

// ---------- operators, reasons and the audit trail (issue 9) ----------

fn me_json(
    operator: &str,
    mode: &str,
    role: &str,
    permissions: &[&str],
    require: &[&str],
) -> Value {
    json!({
        "operator": operator,
        "mode": mode,
        "roles": [role],
        "permissions": permissions,
        "require_reason": require,
    })
}

const ALL_PERMISSIONS: [&str; 6] = [
    "read",
    "RESUME",
    "RETRY",
    "SKIP_BATCH",
    "TERMINATE",
    "EXECUTE_DOCUMENT",
];

/// Waits until the view has its answer from `/gateway/v1/me` and the
/// operations panel shows what it implies.
async fn until_me(fake: &Fake) {
    let f = fake.clone();
    until("the /gateway/v1/me request", move || {
        f.gateway_count("/gateway/v1/me") > 0
    })
    .await;
    sleep(30).await;
}

#[wasm_bindgen_test]
async fn a_required_reason_locks_confirm_until_given_and_is_sent_as_the_header() {
    use coc_core::gateway::{REASON_HEADER, Reason};
    let id = "EX2025070100000020reas01";
    let fake = Fake::new(ticket_json(id, "Running", "NORMAL"));
    fake.set_me(Reply::Json(
        200,
        me_json(
            "ana",
            "tokens",
            "operator",
            &ALL_PERMISSIONS,
            &["TERMINATE", "SKIP_BATCH"],
        ),
    ));
    let (root, _h) = mount_ticket(id, &fake).await;
    until_me(&fake).await;

    click(&op_button(&root, OperateType::Terminate));
    sleep(50).await;
    let dialog = q(&root, "dialog").unwrap();
    let confirm = q(&dialog, ".coc-dialog-confirm").unwrap();
    type_into(&q(&dialog, ".coc-confirm-input").unwrap(), id);
    sleep(10).await;
    assert!(
        confirm.has_attribute("disabled"),
        "the id alone is not enough: a reason is required"
    );
    let note = text(&dialog, "[data-role=reason-note]");
    assert!(note.contains("requires a reason for TERMINATE"), "{note}");
    assert!(text(&dialog, ".coc-reason-label").contains("required"));
    click(&confirm);
    sleep(20).await;
    assert_eq!(fake.count(Method::Post), 0, "nothing sent without a reason");

    // Blank is no reason; too long is refused by the core's rule.
    let reason_field = q(&dialog, "[data-role=reason]").unwrap();
    type_into(&reason_field, "   ");
    sleep(10).await;
    assert!(confirm.has_attribute("disabled"));
    type_into(&reason_field, &"x".repeat(501));
    sleep(10).await;
    assert!(confirm.has_attribute("disabled"));
    assert!(text(&dialog, "[data-role=reason-note]").contains("at most 500"));

    let typed = "Disk full on web-3; née ünicode & <b>x</b>";
    type_into(&reason_field, typed);
    sleep(10).await;
    assert!(!confirm.has_attribute("disabled"));
    let audits_before = fake.gateway_count("/gateway/v1/audit");
    click(&confirm);
    click(&confirm);
    let r = root.clone();
    until("the accepted notice", move || {
        q(&r, "[data-role=notice]").is_some()
    })
    .await;
    let post = fake.the_post();
    let expected = Reason::parse(typed).unwrap().to_header();
    assert_eq!(post.header(REASON_HEADER), Some(expected.as_str()));
    assert!(
        expected.is_ascii() && !expected.contains(' '),
        "percent-encoded: {expected}"
    );
    let body: Value = serde_json::from_slice(&post.body).unwrap();
    assert_eq!(
        body,
        json!({"execution_id": id, "operate_type": "TERMINATE"}),
        "the reason is a header, never in the service's body"
    );
    // The Activity panel reads the trail again after the operation.
    let f = fake.clone();
    until("the audit refetch", move || {
        f.gateway_count("/gateway/v1/audit") > audits_before
    })
    .await;
}

#[wasm_bindgen_test]
async fn without_a_requirement_the_reason_is_optional_and_resume_takes_one_inline() {
    use coc_core::gateway::REASON_HEADER;
    let id = "EX2025070100000021reas02";
    let fake = Fake::new(ticket_json(id, "Pending", "BATCH"));
    fake.set_me(Reply::Json(
        200,
        me_json("ana", "tokens", "operator", &ALL_PERMISSIONS, &["RESUME"]),
    ));
    let (root, _h) = mount_ticket(id, &fake).await;
    until_me(&fake).await;
    let quick = q(&root, "[data-role=quick-reason]").unwrap();
    assert!(
        !q(&root, ".coc-quick-reason")
            .unwrap()
            .has_attribute("hidden")
    );
    // RESUME requires one here: locked, and says why.
    let resume = op_button(&root, OperateType::Resume);
    assert_eq!(
        resume.get_attribute("aria-disabled").as_deref(),
        Some("true")
    );
    assert!(text(&op_el(&root, OperateType::Resume), ".coc-op-why").contains("requires a reason"));
    click(&resume);
    sleep(20).await;
    assert_eq!(fake.count(Method::Post), 0);
    type_into(&quick, "batch 1 verified by hand");
    sleep(10).await;
    assert_eq!(
        resume.get_attribute("aria-disabled").as_deref(),
        Some("false")
    );
    click(&resume);
    let f = fake.clone();
    until("the POST", move || f.count(Method::Post) == 1).await;
    assert_eq!(
        fake.the_post().header(REASON_HEADER),
        Some("batch%201%20verified%20by%20hand")
    );
    // The field is emptied for the next operation.
    assert_eq!(
        quick
            .unchecked_ref::<web_sys::HtmlTextAreaElement>()
            .value(),
        ""
    );
}

#[wasm_bindgen_test]
async fn an_optional_reason_may_be_left_empty_and_then_no_header_is_sent() {
    use coc_core::gateway::REASON_HEADER;
    let id = "EX2025070100000022reas03";
    let fake = Fake::new(ticket_json(id, "Running", "BATCH"));
    fake.set_me(Reply::Json(
        200,
        me_json("ana", "local", "admin", &ALL_PERMISSIONS, &[]),
    ));
    let (root, _h) = mount_ticket(id, &fake).await;
    until_me(&fake).await;
    click(&op_button(&root, OperateType::SkipBatch));
    sleep(50).await;
    let dialog = q(&root, "dialog").unwrap();
    assert!(text(&dialog, ".coc-reason-label").contains("optional"));
    let confirm = q(&dialog, ".coc-dialog-confirm").unwrap();
    assert!(!confirm.has_attribute("disabled"));
    click(&confirm);
    let f = fake.clone();
    until("the POST", move || f.count(Method::Post) == 1).await;
    assert_eq!(fake.the_post().header(REASON_HEADER), None);
}

#[wasm_bindgen_test]
async fn a_viewer_sees_every_operation_disabled_with_the_refusal_beside_the_guidance() {
    let id = "EX2025070100000023view01";
    let fake = Fake::new(ticket_json(id, "Running", "BATCH"));
    fake.set_me(Reply::Json(
        200,
        me_json(
            "vera",
            "tokens",
            "viewer",
            &["read"],
            &["TERMINATE", "SKIP_BATCH"],
        ),
    ));
    let (root, _h) = mount_ticket(id, &fake).await;
    until_me(&fake).await;
    for op in OperateType::ALL {
        let el = op_el(&root, op);
        let button = q(&el, "button").unwrap();
        assert_eq!(
            button.get_attribute("aria-disabled").as_deref(),
            Some("true"),
            "{op}"
        );
        let why = text(&el, ".coc-op-why");
        let refusal = format!("Your role viewer may not {}.", op.as_str());
        assert!(why.contains(&refusal), "{op}: {why}");
        assert!(!q(&el, ".coc-op-why").unwrap().has_attribute("hidden"));
        click(&button);
    }
    // RESUME is not offered for a running ticket either: both reasons show.
    let why = text(&op_el(&root, OperateType::Resume), ".coc-op-why");
    assert!(why.contains("The ticket is running"), "{why}");
    // No dialog opened, nothing sent, and no reason field for a viewer.
    sleep(30).await;
    let dialog: web_sys::HtmlDialogElement = q(&root, "dialog").unwrap().unchecked_into();
    assert!(!dialog.open());
    assert_eq!(fake.count(Method::Post), 0);
    assert!(
        q(&root, ".coc-quick-reason")
            .unwrap()
            .has_attribute("hidden")
    );
}

fn audit_record(id: &str, operator: &str, op: &str, reason: Option<&str>, outcome: &str) -> Value {
    json!({
        "id": "17",
        "at": 1751374905000i64,
        "operator": operator,
        "roles": ["operator"],
        "source": "127.0.0.1",
        "execution_id": id,
        "operation": op,
        "reason": reason,
        "request_id": "gw-req-17",
        "upstream_request_id": "up-req-17",
        "outcome": outcome,
        "http_status": 400,
        "error_code": "COC.00040001",
        "error_msg": "<i>status</i> does not allow it",
    })
}

#[wasm_bindgen_test]
async fn the_activity_panel_shows_records_as_text_and_says_when_there_is_no_trail() {
    let id = "EX2025070100000024acti01";
    let fake = Fake::new(ticket_json(id, "Running", "NORMAL"));
    fake.set_audit(Reply::Json(
        200,
        json!({"records": [audit_record(id, "ana", "TERMINATE", Some("<b>x</b> because\nreasons"), "failed")]}),
    ));
    let (root, h) = mount_ticket(id, &fake).await;
    let r = root.clone();
    until("the activity table", move || {
        q(&r, "[data-field=activity] tbody tr").is_some()
    })
    .await;
    let sent = fake
        .sent
        .lock()
        .unwrap()
        .iter()
        .find(|r| r.url.contains("/gateway/v1/audit"))
        .cloned()
        .unwrap();
    assert!(
        sent.url.contains(&format!("execution_id={id}")),
        "{}",
        sent.url
    );
    let table = q(&root, "[data-field=activity]").unwrap();
    let row = table.text_content().unwrap();
    assert_eq!(
        text(&table, ".coc-activity-reason"),
        "<b>x</b> because\nreasons"
    );
    assert!(
        q(&table, "b").is_none() && q(&table, "i").is_none(),
        "markup stays text"
    );
    for part in [
        "ana",
        "TERMINATE",
        "failed (HTTP 400)",
        "gw-req-17",
        "up-req-17",
        "COC.00040001",
        "<i>status</i> does not allow it",
    ] {
        assert!(row.contains(part), "{part} in {row}");
    }
    assert_eq!(
        q(&table, "[data-outcome]")
            .unwrap()
            .get_attribute("data-outcome")
            .as_deref(),
        Some("failed")
    );
    assert!(
        q(&table, "time")
            .unwrap()
            .get_attribute("datetime")
            .unwrap()
            .starts_with("2025-07-01T13:01:45")
    );
    drop(h);
    root.remove();

    // The store down: a short note, and the ticket view is intact.
    fake.set_audit(Reply::Json(
        503,
        json!({"error_code": "GATEWAY.AUDIT_UNAVAILABLE", "error_msg": "audit store: disk I/O error"}),
    ));
    let (root, h) = mount_ticket(id, &fake).await;
    let r = root.clone();
    until("the store-down note", move || {
        q(&r, "[data-role=activity-note][data-state=store-down]").is_some()
    })
    .await;
    assert!(text(&root, "[data-role=activity-note]").contains("GATEWAY.AUDIT_UNAVAILABLE"));
    assert!(q(&root, ".coc-summary").is_some());
    assert!(q(&root, ".coc-load-failed").is_none());
    drop(h);
    root.remove();

    // An older gateway (404): says there is no trail.
    fake.set_audit(not_found());
    let (root, _h) = mount_ticket(id, &fake).await;
    let r = root.clone();
    until("the absent note", move || {
        q(&r, "[data-role=activity-note][data-state=absent]").is_some()
    })
    .await;
    assert!(q(&root, ".coc-summary").is_some());
}

#[wasm_bindgen_test]
async fn the_header_says_who_is_signed_in_or_how_to_sign_in() {
    use coc_console::operator::{OperatorLine, fetch_me};
    let fake = Fake::new(json!(null));
    let cases = [
        (
            Reply::Json(
                401,
                json!({"error_code": "GATEWAY.UNAUTHENTICATED", "error_msg": "no operator token"}),
            ),
            "signed-out",
            "Sign in: paste your operator token in Settings",
        ),
        (
            Reply::Json(
                200,
                me_json("ana", "tokens", "operator", &ALL_PERMISSIONS, &[]),
            ),
            "signed-in",
            "ana · operator",
        ),
        (
            Reply::Json(200, me_json("ana", "local", "admin", &ALL_PERMISSIONS, &[])),
            "signed-in",
            "local mode · ana",
        ),
        (not_found(), "unknown", ""),
    ];
    for (reply, state, line) in cases {
        fake.set_me(reply);
        let root = container();
        let client = fake.client();
        let before = fake.gateway_count("/gateway/v1/me");
        let _h = mount_to(root.clone(), move || {
            let me = fetch_me(Signal::stored(Some(client)));
            view! { <OperatorLine me /> }
        });
        let r = root.clone();
        until("the operator line", move || {
            q(&r, &format!("[data-role=operator][data-state={state}]")).is_some()
        })
        .await;
        assert_eq!(text(&root, "[data-role=operator]"), line);
        if state == "signed-out" {
            assert_eq!(
                q(&root, "[data-role=operator] a")
                    .unwrap()
                    .get_attribute("href")
                    .as_deref(),
                Some("/settings")
            );
        }
        sleep(50).await;
        assert_eq!(
            fake.gateway_count("/gateway/v1/me"),
            before + 1,
            "asked once"
        );
        root.remove();
    }
}

#[wasm_bindgen_test]
async fn me_is_asked_once_per_ticket_view_not_per_poll() {
    let id = "EX2025070100000025poll01";
    let fake = Fake::new(ticket_json(id, "Running", "NORMAL"));
    fake.set_me(Reply::Json(
        200,
        me_json("ana", "tokens", "operator", &ALL_PERMISSIONS, &[]),
    ));
    let root = container();
    let client = fake.client();
    let _h = mount_to(root.clone(), move || {
        view! { <TicketView execution_id=id.to_owned() client=client poll_secs=1 /> }
    });
    let f = fake.clone();
    until("three polls", move || f.count(Method::Get) >= 3).await;
    assert_eq!(fake.gateway_count("/gateway/v1/me"), 1);
    assert_eq!(
        fake.gateway_count("/gateway/v1/audit"),
        1,
        "the trail is not polled"
    );
}

#[wasm_bindgen_test]
fn the_operator_token_is_kept_like_the_iam_token_and_sent_as_bearer() {
    use coc_console::settings::Settings;
    use coc_core::{GetExecution, UnixTime};
    let window = web_sys::window().unwrap();
    let local = window.local_storage().unwrap().unwrap();
    let session = window.session_storage().unwrap().unwrap();
    let mut s = Settings {
        operator_token: " coc_pat_abc123\n".into(),
        ..Default::default()
    };
    s.save();
    assert_eq!(
        session.get_item("coc.operator-token").unwrap().as_deref(),
        Some("coc_pat_abc123")
    );
    assert_eq!(local.get_item("coc.operator-token").unwrap(), None);
    assert!(
        !local
            .get_item("coc.settings")
            .unwrap()
            .unwrap()
            .contains("coc_pat")
    );
    let req = Settings::load()
        .endpoint()
        .unwrap()
        .prepare(&GetExecution::new("EX1").unwrap(), UnixTime::from_secs(0))
        .unwrap();
    assert_eq!(req.header("Authorization"), Some("Bearer coc_pat_abc123"));
    assert_eq!(
        req.header("X-Auth-Token"),
        None,
        "separate from the IAM token"
    );

    s.remember_operator_token = true;
    s.save();
    assert_eq!(
        local.get_item("coc.operator-token").unwrap().as_deref(),
        Some("coc_pat_abc123")
    );
    assert_eq!(session.get_item("coc.operator-token").unwrap(), None);
    Settings::default().save();
    assert_eq!(local.get_item("coc.operator-token").unwrap(), None);
    assert_eq!(session.get_item("coc.operator-token").unwrap(), None);
    let req = Settings::load()
        .endpoint()
        .unwrap()
        .prepare(&GetExecution::new("EX1").unwrap(), UnixTime::from_secs(0))
        .unwrap();
    assert_eq!(req.header("Authorization"), None);
}

#[wasm_bindgen_test]
async fn a_pending_operation_keeps_its_reason_across_a_remount() {
    let id = "EX2025070100000026pend02";
    let fake = Fake::new(ticket_json(id, "Running", "NORMAL"));
    fake.set_me(Reply::Json(
        200,
        me_json(
            "ana",
            "tokens",
            "operator",
            &ALL_PERMISSIONS,
            &["TERMINATE"],
        ),
    ));
    let (root, h) = mount_ticket(id, &fake).await;
    until_me(&fake).await;
    click(&op_button(&root, OperateType::Terminate));
    sleep(50).await;
    type_into(&q(&root, ".coc-confirm-input").unwrap(), id);
    let reason = "runaway job\tline 2\\n stays";
    type_into(&q(&root, "[data-role=reason]").unwrap(), reason);
    sleep(10).await;
    click(&q(&root, ".coc-dialog-confirm").unwrap());
    let r = root.clone();
    until("accepted", move || q(&r, "[data-role=notice]").is_some()).await;
    drop(h);
    root.remove();
    let saved = coc_console::storage::load_pending(id, js_sys::Date::now()).unwrap();
    assert_eq!(saved.reason.as_deref(), Some(reason));
    let (root, _h) = mount_ticket(id, &fake).await;
    let r = root.clone();
    until("the pending banner", move || {
        q(&r, "[data-role=pending]").is_some()
    })
    .await;
    assert!(text(&root, "[data-role=pending]").contains(reason));
}

#[wasm_bindgen_test]
async fn operated_by_me_lists_each_ticket_once_newest_first() {
    use coc_console::MineView;
    use coc_console::operator::fetch_me;
    let a = "EX2025070100000027mine01";
    let b = "EX2025070100000027mine02";
    let fake = Fake::new(json!(null));
    fake.set_me(Reply::Json(
        200,
        me_json("ana <x>", "tokens", "operator", &ALL_PERMISSIONS, &[]),
    ));
    let mut newest = audit_record(b, "ana <x>", "SKIP_BATCH", None, "succeeded");
    newest["at"] = json!(1751374999000i64);
    newest["http_status"] = json!(200);
    fake.set_audit(Reply::Json(
        200,
        json!({"records": [
            newest,
            audit_record(a, "ana <x>", "TERMINATE", Some("r"), "refused"),
            audit_record(b, "ana <x>", "RESUME", None, "failed"),
        ]}),
    ));
    let root = container();
    let client = fake.client();
    let _h = mount_to(root.clone(), move || {
        let me = fetch_me(Signal::stored(Some(client.clone())));
        view! { <MineView client me /> }
    });
    let r = root.clone();
    until("the table", move || {
        q(&r, "[data-field=mine] tbody tr").is_some()
    })
    .await;
    let sent = fake
        .sent
        .lock()
        .unwrap()
        .iter()
        .find(|r| r.url.contains("/gateway/v1/audit"))
        .cloned()
        .unwrap();
    assert!(sent.url.contains("operator=ana%20%3Cx%3E"), "{}", sent.url);
    let rows = qa(&root, "[data-field=mine] tbody tr");
    assert_eq!(rows.len(), 2);
    assert_eq!(
        q(&rows[0], "a").unwrap().get_attribute("href").as_deref(),
        Some(format!("/executions/{b}").as_str())
    );
    let first = rows[0].text_content().unwrap();
    assert!(
        first.contains("SKIP_BATCH") && first.contains("succeeded"),
        "{first}"
    );
    assert!(first.ends_with('2'), "two operations on {b}: {first}");
    assert!(rows[1].text_content().unwrap().contains("refused"));
}
