//! The ticket view: statuses, operations and their dialogs, errors, polling, storage.

use super::*;
use coc_console_model::zone::Zone;

#[wasm_bindgen_test]
fn formatting_helpers() {
    use coc_console::fmt;
    assert_eq!(fmt::count(10_000), "10,000");
    assert_eq!(fmt::count(999), "999");
    assert_eq!(fmt::duration(45_000), "45 s");
    assert_eq!(fmt::duration(125_000), "2 min 05 s");
    assert_eq!(fmt::duration(3_725_000), "1 h 02 min 05 s");
    assert_eq!(fmt::relative(0, 180_000.0), "3 min ago");
    assert_eq!(
        fmt::at_in(1_751_374_905_000, &Zone::Utc),
        "2025-07-01 13:01:45 UTC"
    );
}

#[wasm_bindgen_test]
fn times_show_in_the_chosen_zone_with_its_offset_and_the_others_on_hover() {
    use coc_console::fmt;
    const MS: i64 = 1_751_374_905_000; // 2025-07-01 13:01:45 UTC
    let zone = |n: &str| Zone::Named(n.to_owned());
    assert_eq!(
        fmt::at_in(MS, &zone("Asia/Shanghai")),
        "2025-07-01 21:01:45 UTC+08:00"
    );
    // Summer time in New York; a half-hour zone.
    assert_eq!(
        fmt::at_in(MS, &zone("America/New_York")),
        "2025-07-01 09:01:45 UTC-04:00"
    );
    assert_eq!(
        fmt::at_in(MS, &zone("Asia/Kolkata")),
        "2025-07-01 18:31:45 UTC+05:30"
    );

    assert!(fmt::set_zone(zone("Asia/Shanghai")));
    assert_eq!(fmt::zone_param(), Some("Asia/Shanghai"));
    assert_eq!(fmt::at(MS), "2025-07-01 21:01:45 UTC+08:00");
    let hover = fmt::hover(MS);
    assert!(
        hover.ends_with(" local · 2025-07-01 13:01:45 UTC"),
        "{hover}"
    );
    // A datetime-local value is read in the zone, and written back as it was.
    assert_eq!(fmt::input_value(MS), "2025-07-01T21:01:45");
    assert_eq!(fmt::from_input("2025-07-01T21:01:45"), Some(MS));
    assert_eq!(fmt::from_input("2025-07-01T21:01"), Some(MS - 45_000));
    assert_eq!(fmt::from_input("not a time"), None);

    // A zone with summer time: each date is read with its own offset.
    assert!(fmt::set_zone(zone("America/New_York")));
    assert_eq!(fmt::from_input("2025-07-01T09:01:45"), Some(MS));
    // 2025-01-15 08:00 EST is 13:00 UTC.
    assert_eq!(
        fmt::from_input("2025-01-15T08:00:00"),
        Some(1_736_946_000_000)
    );
    assert_eq!(fmt::input_value(1_736_946_000_000), "2025-01-15T08:00:00");
    assert_eq!(fmt::at(1_736_946_000_000), "2025-01-15 08:00:00 UTC-05:00");

    // A zone the browser does not know: refused, and times are local.
    assert!(!fmt::set_zone(zone("Mars/Olympus_Mons")));
    assert_eq!(fmt::zone(), Zone::Local);
    assert_eq!(fmt::zone_param(), None);
    assert!(fmt::set_zone(Zone::Local));
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
        // An invalid id never reaches the view: the route (and the
        // element) refuse it; see the full-stack tests.
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
    assert_eq!(n, 9);
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
async fn polling_pauses_while_hidden_and_catches_up_on_return() {
    let id = "EX2025070100000010hide01";
    let fake = Fake::new(ticket_json(id, "Running", "NORMAL"));
    let root = container();
    let client = fake.client();
    let visible = RwSignal::new(true);
    let _h = mount_to(root.clone(), move || {
        view! { <TicketView execution_id=eid(id) client=client poll_secs=1 visible=visible /> }
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
