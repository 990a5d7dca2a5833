//! The ticket list: rows, empty and error states, filters in links.

use super::*;

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
        // The router's part: the query, and navigation that changes it.
        let query = RwSignal::new(search.to_owned());
        let go = Callback::new(move |href: String| {
            let q = href
                .split_once('?')
                .map(|(_, q)| format!("?{q}"))
                .unwrap_or_default();
            query.set(q);
        });
        let bulk = coc_console::bulk::Bulk::load(RwSignal::new(None));
        view! { <coc_console::ListView client=client search=query go bulk /> }
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

#[wasm_bindgen_test]
async fn boxes_pick_rows_a_shift_click_picks_a_range_and_the_header_the_page() {
    let ids = [
        "EX2025070100000011pick01",
        "EX2025070100000011pick02",
        "EX2025070100000011pick03",
        "EX2025070100000011pick04",
    ];
    let fake = Fake::new(json!(null));
    let rows: Vec<Value> = ids
        .iter()
        .map(|id| list_ticket(id, "Running", "ana"))
        .collect();
    fake.set_get(Reply::Json(200, json!({"data": rows, "total": 4})));
    let (root, _h) = mount_list("", &fake);
    let r = root.clone();
    until("the rows", move || q(&r, "input[data-pick]").is_some()).await;
    let bar = |root: &web_sys::HtmlElement, want: &str| {
        q(root, "[data-role=bulk-bar]")
            .and_then(|b| b.text_content())
            .is_some_and(|t| t.contains(want))
    };
    let boxes = |root: &web_sys::HtmlElement| -> Vec<bool> {
        ids.iter()
            .map(|id| {
                q(root, &format!("input[data-pick=\"{id}\"]"))
                    .unwrap()
                    .unchecked_into::<web_sys::HtmlInputElement>()
                    .checked()
            })
            .collect()
    };
    assert!(
        q(&root, "[data-role=bulk-bar]").is_none(),
        "no bar before a pick"
    );
    click(&q(&root, &format!("input[data-pick=\"{}\"]", ids[0])).unwrap());
    let shift = web_sys::MouseEventInit::new();
    shift.set_bubbles(true);
    shift.set_shift_key(true);
    let ev = web_sys::MouseEvent::new_with_mouse_event_init_dict("click", &shift).unwrap();
    q(&root, &format!("input[data-pick=\"{}\"]", ids[2]))
        .unwrap()
        .dispatch_event(&ev)
        .unwrap();
    let r = root.clone();
    until("three picked", move || bar(&r, "3 tickets picked")).await;
    assert_eq!(boxes(&root), [true, true, true, false]);
    // The header box picks the rest of the page, then none of it.
    let all = q(&root, "input[data-pick=\"\"]").unwrap();
    click(&all);
    let r = root.clone();
    until("four picked", move || bar(&r, "4 tickets picked")).await;
    assert_eq!(boxes(&root), [true; 4]);
    click(&all);
    let r = root.clone();
    until("none picked", move || {
        q(&r, "[data-role=bulk-bar]").is_none()
    })
    .await;
    assert_eq!(boxes(&root), [false; 4]);
    // Picking sends nothing: only the list's GETs went out.
    assert!(
        fake.sent
            .lock()
            .unwrap()
            .iter()
            .all(|r| r.method == Method::Get)
    );
}
