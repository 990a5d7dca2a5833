//! Operators, reasons and the audit trail.

use super::*;

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
        view! { <TicketView execution_id=eid(id) client=client poll_secs=1 /> }
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
