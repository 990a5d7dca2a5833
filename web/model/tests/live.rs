//! The one polling policy of ticket, timeline and list.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use coc_console_model::live::{self, Freshness, PollSettings, Want, next_poll, poll_delay_ms};
use coc_console_model::{ApiFailure, TransportError};

const ON: PollSettings = PollSettings {
    visible: true,
    paused: false,
    every_secs: 3,
};

#[test]
fn polling_backs_off_on_errors_and_caps() {
    assert_eq!(poll_delay_ms(3000.0, 0), 3000.0);
    assert_eq!(poll_delay_ms(3000.0, 1), 6000.0);
    assert_eq!(poll_delay_ms(3000.0, 4), 48_000.0);
    assert_eq!(poll_delay_ms(3000.0, 9), live::MAX_BACKOFF_MS);
    assert_eq!(
        poll_delay_ms(120_000.0, 3),
        120_000.0,
        "a long interval is not shortened"
    );
}

#[test]
fn the_next_poll_counts_from_the_last_attempt() {
    let mut f = Freshness::default();
    f.started(10_000.0);
    assert_eq!(next_poll(&f, Want::Normal, ON, 11_000.0), Some(2000.0));
    assert_eq!(next_poll(&f, Want::Fast, ON, 10_500.0), Some(500.0));
    assert_eq!(
        next_poll(&f, Want::Normal, ON, 99_000.0),
        Some(0.0),
        "overdue: at once"
    );
    assert_eq!(next_poll(&f, Want::Stop, ON, 11_000.0), None);
    assert_eq!(
        next_poll(&f, Want::Fast, PollSettings { paused: true, ..ON }, 0.0),
        None
    );
    assert_eq!(
        next_poll(
            &f,
            Want::Fast,
            PollSettings {
                visible: false,
                ..ON
            },
            0.0
        ),
        None
    );
    f.answered(
        Some(&ApiFailure::from_transport(
            "o".into(),
            TransportError::Timeout { secs: 20 },
        )),
        12_000.0,
    );
    f.answered(
        Some(&ApiFailure::from_transport(
            "o".into(),
            TransportError::Timeout { secs: 20 },
        )),
        12_000.0,
    );
    assert!(f.transient());
    assert_eq!(next_poll(&f, Want::Normal, ON, 10_000.0), Some(14_000.0));
}

#[test]
fn the_live_bar_says_what_the_poller_does() {
    assert_eq!(live::mode(ON, Want::Normal, true, "done").0, "live");
    assert_eq!(live::mode(ON, Want::Stop, true, "Finished").1, "Finished");
    assert_eq!(live::mode(ON, Want::Stop, false, "Finished").0, "idle");
    assert_eq!(live::mode(ON, Want::Fast, true, "").0, "fast");
    assert_eq!(
        live::mode(PollSettings { paused: true, ..ON }, Want::Fast, true, "").0,
        "paused"
    );
    assert_eq!(
        live::mode(
            PollSettings {
                visible: false,
                ..ON
            },
            Want::Normal,
            true,
            ""
        )
        .0,
        "hidden"
    );
    assert_eq!(live::updated_text(None, 5.0), "not updated yet");
    assert_eq!(live::updated_text(Some(1000.0), 1500.0), "updated just now");
    assert_eq!(live::updated_text(Some(1000.0), 5999.0), "updated 4 s ago");
}
