//! Status words, CSS hooks and icons: a status is shown as colour, icon and
//! word together (never colour alone), with the word from the core's
//! `ExecutionStatus::label`.
//!
//! Steps and instances share the ticket's status values, but `Pending`
//! means "waiting to run" there, not "suspended": the `item_*` functions
//! say "Waiting", with their own class and icon.

use coc_core::ExecutionStatus;
use coc_i18n::tr;

/// A stable CSS hook for a status: `running`, `failed`, ... or `unknown`.
pub fn status_class(status: Option<&ExecutionStatus>) -> &'static str {
    match status {
        Some(ExecutionStatus::Pending) => "pending",
        Some(ExecutionStatus::Running) => "running",
        Some(ExecutionStatus::Succeed) => "succeeded",
        Some(ExecutionStatus::Canceling) => "canceling",
        Some(ExecutionStatus::Canceled) => "canceled",
        Some(ExecutionStatus::Failed) => "failed",
        Some(ExecutionStatus::Timeout) => "timeout",
        Some(ExecutionStatus::Other(_)) | None => "unknown",
    }
}

/// The label the UI shows: the core's words (`ExecutionStatus::label`) in
/// the build's language, the wire's for a status the core does not know,
/// or a fallback for a missing one.
pub fn status_label(status: Option<&ExecutionStatus>) -> String {
    match status {
        Some(s) if !s.as_str().is_empty() => match s {
            ExecutionStatus::Pending => tr!("Suspended"),
            ExecutionStatus::Running => tr!("Running"),
            ExecutionStatus::Succeed => tr!("Succeeded"),
            ExecutionStatus::Canceling => tr!("Cancelling"),
            ExecutionStatus::Canceled => tr!("Cancelled"),
            ExecutionStatus::Failed => tr!("Failed"),
            ExecutionStatus::Timeout => tr!("Timed out"),
            ExecutionStatus::Other(s) => s,
        }
        .to_owned(),
        _ => tr!("No status").to_owned(),
    }
}

/// A 16×16 icon path per status; shapes differ so that the status reads in
/// greyscale and for colour-blind users too.
pub fn icon_path(class: &str) -> &'static str {
    match class {
        // pause bars
        "pending" => "M5 3h2v10H5zM9 3h2v10H9z",
        // hollow circle: not started
        "waiting" => "M8 2a6 6 0 1 0 0 12A6 6 0 0 0 8 2zm0 2a4 4 0 1 1 0 8 4 4 0 0 1 0-8z",
        // play triangle
        "running" => "M5 3l8 5-8 5z",
        // check mark
        "succeeded" => "M6.3 11.6 2.7 8l1.4-1.4 2.2 2.2 5.6-5.6 1.4 1.4z",
        // circle with a bar: stopping
        "canceling" => {
            "M8 1.5a6.5 6.5 0 1 0 0 13 6.5 6.5 0 0 0 0-13zm0 2a4.5 4.5 0 1 1 0 9 4.5 4.5 0 0 1 0-9zM5 7h6v2H5z"
        }
        // square stop
        "canceled" => "M4 4h8v8H4z",
        // cross
        "failed" => {
            "M4.4 3 8 6.6 11.6 3 13 4.4 9.4 8l3.6 3.6-1.4 1.4L8 9.4 4.4 13 3 11.6 6.6 8 3 4.4z"
        }
        // hourglass
        "timeout" => "M4 2h8v3L9.5 8 12 11v3H4v-3l2.5-3L4 5zm2 2v.3L8 6.6l2-2.3V4z",
        // question mark
        _ => {
            "M8 2a4 4 0 0 0-4 4h2a2 2 0 1 1 3 1.7C8 8.3 7 9 7 10.5V11h2v-.4c0-.7.6-1.1 1.3-1.6A4 4 0 0 0 8 2zM7 12.5h2v2H7z"
        }
    }
}

/// The CSS hook for a step's or an instance's status (`waiting` for Pending).
pub fn item_class(status: Option<&ExecutionStatus>) -> &'static str {
    match status {
        Some(ExecutionStatus::Pending) => "waiting",
        s => status_class(s),
    }
}

/// The word for a step's or an instance's status.
pub fn item_label(status: Option<&ExecutionStatus>) -> String {
    match status {
        Some(ExecutionStatus::Pending) => tr!("Waiting").to_owned(),
        s => status_label(s),
    }
}

/// True when a watched ticket's new status is worth a desktop
/// notification: it ended, or it was suspended and waits for someone.
pub fn notifies(to: Option<&ExecutionStatus>) -> bool {
    to.is_some_and(|s| s.is_terminal() || *s == ExecutionStatus::Pending)
}

/// A desktop notification's title and body for a ticket now in `to`.
pub fn notice(execution_id: &str, to: Option<&ExecutionStatus>, job: &str) -> (String, String) {
    (
        format!("{} · {execution_id}", status_label(to)),
        job.to_owned(),
    )
}

/// The tab's icon for a ticket whose status has `class`: the status's own
/// shape in white on its colour (`web/style/icons/`, copied to `dist/icons/`
/// as they are), so that a ticket in a background tab can be read from the
/// tab strip. A file, not a `data:` URL built here: that was 0.9 KB brotli
/// more of console.
pub fn favicon_url(class: &str) -> String {
    format!("/icons/{class}.svg")
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn each_status_has_its_own_tab_icon_drawn_with_its_badge_shape() {
        let icons = concat!(env!("CARGO_MANIFEST_DIR"), "/../style");
        let mut seen = Vec::new();
        use ExecutionStatus as S;
        for status in [
            Some(S::Pending),
            Some(S::Running),
            Some(S::Succeed),
            Some(S::Canceling),
            Some(S::Canceled),
            Some(S::Failed),
            Some(S::Timeout),
            None,
        ] {
            let class = status_class(status.as_ref());
            let file = std::fs::read_to_string(format!("{icons}{}", favicon_url(class)))
                .unwrap_or_else(|e| panic!("{class}: {e}"));
            assert!(
                file.contains(&format!("d=\"{}\"", icon_path(class))),
                "{class}"
            );
            seen.push(file);
        }
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), 8, "every status looks different");
    }

    #[test]
    fn an_ending_or_a_suspension_notifies_and_nothing_else_does() {
        use ExecutionStatus as S;
        for s in [S::Succeed, S::Failed, S::Canceled, S::Timeout, S::Pending] {
            assert!(notifies(Some(&s)), "{s:?}");
        }
        for s in [S::Running, S::Canceling, S::Other("QUEUED".into())] {
            assert!(!notifies(Some(&s)), "{s:?}");
        }
        assert!(!notifies(None));
        let (title, body) = notice("EX1", Some(&S::Failed), "restart nginx");
        assert_eq!(title, "Failed · EX1");
        assert_eq!(body, "restart nginx");
    }
}
