//! Stored records: versioned JSON, old records migrated once, corrupt ones
//! dropped with a reason.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use coc_console_model::record::{
    self, AuthMode, PendingOp, Read, Recent, RecentTicket, SavedViews, SettingsRecord,
    VIEW_NAME_MAX, VIEWS_MAX, ViewRefused,
};
use coc_core::OperateType;

fn pending() -> PendingOp {
    PendingOp {
        op: OperateType::SkipBatch,
        from_status: Some("Running".into()),
        from_update: Some(1_751_374_905_000),
        accepted_at: 1_751_374_906_123.0,
        request_id: Some("req\t1".into()),
        reason: Some("line one\nline two\ttab \\ backslash".into()),
        outcome_unknown: false,
    }
}

#[test]
fn records_round_trip_as_versioned_json() {
    let p = pending();
    let text = record::encode(&p);
    assert!(
        text.starts_with(r#"{"v":1,"data":{"op":"SKIP_BATCH""#),
        "{text}"
    );
    assert_eq!(record::decode::<PendingOp>(Some(&text)), Read::Current(p));

    let mut recent = Recent::default();
    for n in 0..15 {
        recent.remember(RecentTicket {
            id: format!("EX{n}"),
            job: None,
            status: None,
            seen_at: n as f64,
        });
    }
    recent.remember(RecentTicket {
        id: "EX3".into(),
        job: Some("job".into()),
        status: None,
        seen_at: 99.0,
    });
    assert_eq!(recent.0.len(), record::RECENT_MAX);
    assert_eq!(recent.0[0].id, "EX3");
    assert_eq!(recent.0.iter().filter(|r| r.id == "EX3").count(), 1);
    let text = record::encode(&recent);
    assert_eq!(record::decode::<Recent>(Some(&text)), Read::Current(recent));
}

#[test]
fn records_of_the_tab_separated_console_are_migrated() {
    // Exactly what the previous console wrote.
    let old = "SKIP_BATCH\tRunning\t1751374905000\t1751374906123\treq 1\tline one\\nline two\\ttab \\\\ backslash";
    let Read::Migrated(p) = record::decode::<PendingOp>(Some(old)) else {
        panic!()
    };
    assert_eq!(
        p.reason.as_deref(),
        Some("line one\nline two\ttab \\ backslash")
    );
    assert_eq!(p.from_update, Some(1_751_374_905_000));

    let old = "EX1\trestart\tRunning\t1751374906123\nEX2\t\t\t5";
    let Read::Migrated(r) = record::decode::<Recent>(Some(old)) else {
        panic!()
    };
    assert_eq!(r.0.len(), 2);
    assert_eq!(r.0[0].job.as_deref(), Some("restart"));
    assert_eq!(r.0[1].job, None);
    assert_eq!(r.0[1].seen_at, 5.0);

    let old = "gateway_url=http://gw:8080\nauth=token\nremember_token=true\nremember_operator_token=false\npoll_secs=7";
    let Read::Migrated(s) = record::decode::<SettingsRecord>(Some(old)) else {
        panic!()
    };
    assert_eq!(s.gateway_url, "http://gw:8080");
    assert_eq!(s.auth, AuthMode::Token);
    assert!(s.remember_token);
    assert_eq!(
        s.poll_secs,
        record::DEFAULT_POLL_SECS,
        "an interval not offered falls back"
    );
}

#[test]
fn corrupt_records_are_refused_with_a_reason_never_a_panic() {
    assert_eq!(record::decode::<PendingOp>(None), Read::Missing);
    assert_eq!(record::decode::<PendingOp>(Some("  ")), Read::Missing);
    for bad in [
        r#"{"v":1,"data":{"op":"EXPLODE","accepted_at":1}}"#,
        r#"{"v":1,"data":{"op":"RESUME"}}"#,
        r#"{"v":1,"data":"#,
        r#"{"v":2,"data":{"op":"RESUME","accepted_at":1}}"#,
        r#"{"data":{}}"#,
        "RESUME",
        "\u{0}\u{1}garbage",
    ] {
        match record::decode::<PendingOp>(Some(bad)) {
            Read::Corrupt(why) => assert!(why.starts_with("pending operation: "), "{why}"),
            other => panic!("{bad:?} read as {other:?}"),
        }
    }
    match record::decode::<PendingOp>(Some(r#"{"v":2,"data":{}}"#)) {
        Read::Corrupt(why) => assert!(why.contains("version 2"), "{why}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn settings_never_hold_a_token() {
    let text = record::encode(&SettingsRecord {
        auth: AuthMode::Token,
        ..SettingsRecord::default()
    });
    assert!(!text.contains("token\":\""), "{text}");
    assert_eq!(
        text,
        r#"{"v":1,"data":{"gateway_url":"","auth":"token","remember_token":false,"remember_operator_token":false,"poll_secs":3,"time_zone":"","lang":"","notify":false}}"#
    );
}

#[test]
fn an_unknown_outcome_is_kept_and_older_records_read_as_accepted() {
    let p = PendingOp {
        outcome_unknown: true,
        ..pending()
    };
    let text = record::encode(&p);
    assert!(text.contains(r#""outcome_unknown":true"#), "{text}");
    assert_eq!(record::decode::<PendingOp>(Some(&text)), Read::Current(p));
    // What the console wrote before the field existed.
    let old = r#"{"v":1,"data":{"op":"RESUME","accepted_at":5.0}}"#;
    match record::decode::<PendingOp>(Some(old)) {
        Read::Current(p) => assert!(!p.outcome_unknown),
        other => panic!("{other:?}"),
    }
    assert!(!record::encode(&pending()).contains("outcome_unknown"));
}

#[test]
fn settings_written_before_notifications_existed_read_with_them_off() {
    let old = r#"{"v":1,"data":{"gateway_url":"","auth":"gateway","poll_secs":5,"time_zone":"UTC","lang":"en"}}"#;
    let s = record::decode::<SettingsRecord>(Some(old))
        .value()
        .expect("read");
    assert!(!s.notify);
    assert_eq!(s.poll_secs, 5);
}

#[test]
fn views_are_saved_by_name_newest_first_and_at_most_fifty() {
    let mut views = SavedViews::default();
    views
        .save("  prod failures ", "/executions?tags=env%3Dprod")
        .expect("saved");
    views
        .save("mine", "/executions?creator=ops")
        .expect("saved");
    assert_eq!(views.0[0].name, "mine");
    assert_eq!(views.0[1].name, "prod failures", "trimmed");

    // The same name again updates the view and moves it first.
    views
        .save("prod failures", "/executions?tags=env%3Dprod&limit=50")
        .expect("saved");
    assert_eq!(views.0.len(), 2);
    assert_eq!(views.0[0].href, "/executions?tags=env%3Dprod&limit=50");

    assert_eq!(views.save("  ", "/executions"), Err(ViewRefused::NoName));
    let long = "x".repeat(VIEW_NAME_MAX + 1);
    assert_eq!(views.save(&long, "/executions"), Err(ViewRefused::TooLong));
    // Counted in characters, not bytes.
    views
        .save(&"视".repeat(VIEW_NAME_MAX), "/executions")
        .expect("60 characters fit");

    for i in views.0.len()..VIEWS_MAX {
        views.save(&format!("v{i}"), "/executions").expect("room");
    }
    assert_eq!(views.0.len(), VIEWS_MAX);
    assert_eq!(
        views.save("one more", "/executions"),
        Err(ViewRefused::Full)
    );
    // Replacing one is still allowed when full.
    views
        .save("mine", "/executions?creator=me")
        .expect("replaced");
    assert_eq!(views.0.len(), VIEWS_MAX);

    views.remove("mine");
    assert_eq!(views.0.len(), VIEWS_MAX - 1);
    assert!(views.0.iter().all(|v| v.name != "mine"));

    let text = views.encode();
    assert_eq!(SavedViews::decode(Some(&text)), Read::Current(views));
}

#[test]
fn saved_views_are_stored_as_a_versioned_query_and_read_back_exactly() {
    let mut views = SavedViews::default();
    views.save("a", "/executions?creator=a").unwrap();
    views
        .save(
            "\"q\"=&+% <b>名字</b>\u{1}",
            "/executions?tags=env%3Dprod&limit=50",
        )
        .unwrap();
    let text = views.encode();
    assert_eq!(
        text,
        "v=1&%22q%22%3D%26%2B%25%20%3Cb%3E%E5%90%8D%E5%AD%97%3C%2Fb%3E%01=%2Fexecutions%3Ftags%3Denv%253Dprod%26limit%3D50&a=%2Fexecutions%3Fcreator%3Da"
    );
    assert_eq!(SavedViews::decode(Some(&text)), Read::Current(views));
    assert_eq!(
        SavedViews::decode(Some("v=1")),
        Read::Current(SavedViews::default())
    );
    assert_eq!(SavedViews::decode(None), Read::Missing);
    for bad in [
        "not a record",
        "v=2&a=%2Fexecutions",
        "a=%2Fexecutions&v=1",
        "{\"v\":1,\"data\":[]}",
    ] {
        assert!(
            matches!(SavedViews::decode(Some(bad)), Read::Corrupt(_)),
            "{bad}"
        );
    }
}
