//! The console's keyboard shortcuts: which key press means what.
//!
//! The rules an on-call engineer relies on live here, tested natively: a
//! shortcut never fires while typing in a field or with Ctrl, Alt or Meta
//! held (those belong to the browser and the field), `g` starts a two-key
//! sequence that lapses after [`SEQUENCE_MS`], and no shortcut sends an
//! operation: the set has none in it (the console's full-stack test drives
//! every key and checks the service received nothing).

use coc_i18n::tr;

/// What a shortcut does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shortcut {
    /// `?`: the overlay listing these.
    Help,
    /// `/`: focus the list filter or the open-ticket field.
    Focus,
    /// `g t`: the ticket list.
    Tickets,
    /// `g s`: the settings.
    Settings,
    /// `j`: the next ticket in the list.
    Next,
    /// `k`: the previous ticket in the list.
    Previous,
    /// `r`: refresh now.
    Refresh,
    /// `p`: pause or resume live updates.
    Pause,
    /// `c`: copy the ticket id.
    CopyId,
}

/// The overlay's list, in order: keys and what they do.
pub const SHORTCUTS: [(&str, &str); 9] = [
    ("?", tr!("Show these shortcuts")),
    ("/", tr!("Focus the list filter or the ticket field")),
    ("g t", tr!("Go to the tickets")),
    ("g s", tr!("Go to settings")),
    (
        "j / k",
        tr!("Next / previous ticket in the list (Enter opens it)"),
    ),
    ("r", tr!("Refresh now")),
    ("p", tr!("Pause or resume live updates")),
    ("c", tr!("Copy the ticket id")),
    ("Esc", tr!("Close a dialog")),
];

/// How long the second key of `g …` may wait.
pub const SEQUENCE_MS: f64 = 1500.0;

/// One key press, as the browser reports it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Press<'a> {
    /// `KeyboardEvent.key`: `"g"`, `"?"`, `"Enter"`.
    pub key: &'a str,
    /// Ctrl, Alt or Meta held (Shift is part of the key: `?`).
    pub modified: bool,
    /// Focus is in a text field, a select or an editable element.
    pub typing: bool,
    /// When, epoch ms.
    pub at: f64,
}

/// The state between presses: a `g` waiting for its second key.
#[derive(Debug, Clone, Copy, Default)]
pub struct Keys {
    g_at: Option<f64>,
}

impl Keys {
    /// What `p` means, if anything.
    pub fn press(&mut self, p: Press<'_>) -> Option<Shortcut> {
        let g = self.g_at.take().is_some_and(|at| p.at - at <= SEQUENCE_MS);
        if p.modified || p.typing {
            return None;
        }
        match (g, p.key) {
            (true, "t") => Some(Shortcut::Tickets),
            (true, "s") => Some(Shortcut::Settings),
            (_, "g") => {
                self.g_at = Some(p.at);
                None
            }
            (true, _) => None,
            (false, "?") => Some(Shortcut::Help),
            (false, "/") => Some(Shortcut::Focus),
            (false, "j") => Some(Shortcut::Next),
            (false, "k") => Some(Shortcut::Previous),
            (false, "r") => Some(Shortcut::Refresh),
            (false, "p") => Some(Shortcut::Pause),
            (false, "c") => Some(Shortcut::CopyId),
            _ => None,
        }
    }
}

/// The row to select after `next` or `previous` from `current` (none
/// selected yet: the first or the last), among `rows`.
pub fn step(current: Option<usize>, rows: usize, forward: bool) -> Option<usize> {
    if rows == 0 {
        return None;
    }
    Some(match (current, forward) {
        (None, true) => 0,
        (None, false) => rows - 1,
        (Some(i), true) => (i + 1).min(rows - 1),
        (Some(i), false) => i.saturating_sub(1),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn key(k: &str, at: f64) -> Press<'_> {
        Press {
            key: k,
            at,
            ..Press::default()
        }
    }

    #[test]
    fn single_keys_map_to_their_shortcuts() {
        let mut keys = Keys::default();
        for (k, want) in [
            ("?", Shortcut::Help),
            ("/", Shortcut::Focus),
            ("j", Shortcut::Next),
            ("k", Shortcut::Previous),
            ("r", Shortcut::Refresh),
            ("p", Shortcut::Pause),
            ("c", Shortcut::CopyId),
        ] {
            assert_eq!(keys.press(key(k, 0.0)), Some(want), "{k}");
        }
        assert_eq!(keys.press(key("x", 0.0)), None);
        assert_eq!(
            keys.press(key("Enter", 0.0)),
            None,
            "Enter is the link's own"
        );
    }

    #[test]
    fn g_starts_a_sequence_that_lapses() {
        let mut keys = Keys::default();
        assert_eq!(keys.press(key("g", 0.0)), None);
        assert_eq!(keys.press(key("t", 500.0)), Some(Shortcut::Tickets));
        assert_eq!(keys.press(key("g", 1_000.0)), None);
        assert_eq!(keys.press(key("s", 1_100.0)), Some(Shortcut::Settings));
        // Too late: `s` alone means nothing, `t` neither.
        keys.press(key("g", 5_000.0));
        assert_eq!(keys.press(key("s", 7_000.0)), None);
        // `g` then another key: the sequence is spent, `r` is not refresh.
        keys.press(key("g", 8_000.0));
        assert_eq!(keys.press(key("r", 8_100.0)), None);
        assert_eq!(keys.press(key("r", 8_200.0)), Some(Shortcut::Refresh));
        // `g g t` is a fresh sequence.
        keys.press(key("g", 9_000.0));
        keys.press(key("g", 9_100.0));
        assert_eq!(keys.press(key("t", 9_200.0)), Some(Shortcut::Tickets));
    }

    #[test]
    fn nothing_fires_while_typing_or_with_a_modifier() {
        let mut keys = Keys::default();
        for k in ["?", "/", "j", "r", "p", "c", "g"] {
            let typing = Press {
                typing: true,
                ..key(k, 0.0)
            };
            assert_eq!(keys.press(typing), None, "{k} in a field");
            let ctrl = Press {
                modified: true,
                ..key(k, 0.0)
            };
            assert_eq!(keys.press(ctrl), None, "Ctrl+{k}");
        }
        // A `g` typed in a field starts no sequence.
        keys.press(Press {
            typing: true,
            ..key("g", 0.0)
        });
        assert_eq!(keys.press(key("s", 10.0)), None);
    }

    #[test]
    fn every_key_the_overlay_lists_does_something() {
        for (keys_text, what) in SHORTCUTS {
            if keys_text == "Esc" {
                continue; // the dialog's own
            }
            for alternative in keys_text.split(" / ") {
                let mut keys = Keys::default();
                let mut got = None;
                for (n, k) in alternative.split(' ').enumerate() {
                    got = keys.press(key(k, n as f64));
                }
                assert!(got.is_some(), "{alternative} ({what}) does nothing");
            }
        }
    }

    #[test]
    fn rows_are_stepped_within_bounds() {
        assert_eq!(step(None, 0, true), None);
        assert_eq!(step(None, 3, true), Some(0));
        assert_eq!(step(None, 3, false), Some(2));
        assert_eq!(step(Some(0), 3, true), Some(1));
        assert_eq!(step(Some(2), 3, true), Some(2));
        assert_eq!(step(Some(0), 3, false), Some(0));
    }
}
