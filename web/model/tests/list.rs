//! The list's URLs and states.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use coc_console_model::list::{
    Carry, ListBody, ListModel, is_embed, is_mine, list_href, parse_query, ticket_href, time_range,
    visit_with_range,
};
use coc_console_model::{ApiFailure, TransportError, Want};
use coc_core::{Execution, Page};

const EMBEDDED: Carry<'static> = Carry {
    embed: true,
    tz: None,
};

fn page(statuses: &[&str], total: u64) -> Page<Execution> {
    let items = statuses
        .iter()
        .enumerate()
        .map(|(n, s)| {
            serde_json::from_value(
                serde_json::json!({"execution_id": format!("EX{n}"), "status": s}),
            )
            .unwrap()
        })
        .collect();
    Page { items, total }
}

fn count(n: usize) -> String {
    n.to_string()
}

#[test]
fn embed_and_mine_read_the_same_for_1_and_true_and_stay_out_of_the_filters() {
    for q in [
        "?embed=1",
        "?embed=true",
        "?creator=ana&embed=1",
        "?mine=1&embed=true",
    ] {
        assert!(is_embed(q), "{q}");
    }
    for q in [
        "",
        "?embed=0",
        "?embedded=1",
        "?creator=embed=1",
        "?x=1&embed=false",
    ] {
        assert!(!is_embed(q), "{q}");
    }
    assert!(is_mine("?mine=true&embed=1"));
    let op = parse_query("?creator=ana&embed=true&mine=1&tz=UTC&lang=zh-CN").unwrap();
    assert_eq!(op.creator.as_deref(), Some("ana"));
    assert_eq!(list_href(&op, EMBEDDED), "/executions?creator=ana&embed=1");
}

#[test]
fn hrefs_keep_filters_and_the_embed_flag_encoded() {
    let op = parse_query("?document_name=a%20b%26c&tags=env%3Dprod&offset=40&limit=20").unwrap();
    assert_eq!(op.document_name.as_deref(), Some("a b&c"));
    let href = list_href(&op, Carry::default());
    assert_eq!(
        href,
        "/executions?offset=40&document_name=a%20b%26c&tags=env%3Dprod"
    );
    assert_eq!(
        parse_query(href.trim_start_matches("/executions")).unwrap(),
        op
    );
    assert_eq!(ticket_href("EX1", EMBEDDED), "/executions/EX1?embed=1");
    assert_eq!(
        ticket_href("EX 1/2", Carry::default()),
        "/executions/EX%201%2F2"
    );
    assert_eq!(
        EMBEDDED.href("/executions?mine=1"),
        "/executions?mine=1&embed=1"
    );
    // A link's time zone rides along, encoded, after the embed flag.
    let shanghai = Carry {
        embed: true,
        tz: Some("Asia/Shanghai"),
    };
    assert_eq!(
        ticket_href("EX1", shanghai),
        "/executions/EX1?embed=1&tz=Asia%2FShanghai"
    );
    assert_eq!(
        list_href(
            &op,
            Carry {
                embed: false,
                tz: Some("UTC")
            }
        ),
        format!("{href}&tz=UTC")
    );
    assert!(parse_query("?limit=1000").is_err());
    assert!(parse_query("?surprise=1").is_err());
}

#[test]
fn the_body_follows_the_query_and_keeps_the_last_page_for_it() {
    let mut m = ListModel::default();
    assert_eq!(m.body("", count), ListBody::Loading);
    assert!(matches!(m.body("?limit=abc", count), ListBody::Invalid(_)));
    m.absorb("", Ok(page(&["Running", "Succeed"], 42)), 1.0);
    let ListBody::Rows { at, range, .. } = m.body("", count) else {
        panic!()
    };
    assert_eq!(at, (0, 3));
    assert_eq!(range, "1–2 of 42");
    assert_eq!(m.want(), Want::Normal);
    // Another query: the held page is not its answer.
    assert_eq!(m.body("?creator=x", count), ListBody::Loading);
    m.absorb("?creator=x", Ok(page(&[], 0)), 2.0);
    assert_eq!(
        m.body("?creator=x", count),
        ListBody::Empty("No tickets match these filters.", true)
    );
    assert_eq!(m.want(), Want::Stop);
    m.absorb("?offset=40", Ok(page(&[], 12)), 3.0);
    assert_eq!(
        m.body("?offset=40", count),
        ListBody::Empty("No tickets on this page.", true)
    );
}

#[test]
fn a_failure_before_any_page_is_the_body_and_after_one_a_warning() {
    let mut m = ListModel::default();
    let e = ApiFailure::from_transport("o".into(), TransportError::Network("x".into()));
    m.absorb("", Err(e.clone()), 1.0);
    assert_eq!(m.body("", count), ListBody::Failed(e.clone()));
    assert_eq!(m.want(), Want::Normal, "a network failure may pass");
    m.absorb("", Ok(page(&["Succeed"], 1)), 2.0);
    m.absorb("", Err(e), 3.0);
    assert!(matches!(m.body("", count), ListBody::Rows { .. }));
    assert!(m.fresh.stale().is_some());
    m.filters_changed();
    assert!(m.fresh.stale().is_none());
}

#[test]
fn the_last_time_range_is_kept_and_a_bare_visit_opens_with_it() {
    let search = "?creator=ops&start_time=1700000000000&end_time=1700003600000&limit=50&tz=UTC";
    let kept = time_range(search);
    assert_eq!(kept, "start_time=1700000000000&end_time=1700003600000");
    assert_eq!(time_range("?creator=ops"), "", "no range, nothing kept");
    assert_eq!(time_range("?limit=7x"), "", "an invalid link keeps nothing");

    let tz = Carry {
        embed: false,
        tz: Some("Asia/Shanghai"),
    };
    // A bare visit (flags only) opens with the range, flags carried.
    assert_eq!(
        visit_with_range("?tz=Asia%2FShanghai", &kept, tz).as_deref(),
        Some("/executions?start_time=1700000000000&end_time=1700003600000&tz=Asia%2FShanghai")
    );
    assert_eq!(
        visit_with_range("", "start_time=5", Carry::default()).as_deref(),
        Some("/executions?start_time=5")
    );
    // A visit with filters of its own is left as it is.
    assert_eq!(visit_with_range("?creator=x", &kept, tz), None);
    // Nothing kept, or something kept that is not a range.
    assert_eq!(visit_with_range("", "", tz), None);
    assert_eq!(visit_with_range("", "start_time=yesterday", tz), None);
    assert_eq!(visit_with_range("", "creator=x", tz), None);
}
