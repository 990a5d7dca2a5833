//! The time zone the console shows times in: the browser's own, UTC, or an
//! IANA zone, from the page's `?tz=` (so that a shared link shows everyone
//! the same times) or else from the settings.
//!
//! Only the name's shape is checked here; whether the browser knows the
//! zone is for `Intl` to say, and an unknown one falls back to local time
//! with a warning, never silently.

use coc_i18n::tr;

/// Where times are shown.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Zone {
    /// The browser's own zone.
    #[default]
    Local,
    /// UTC.
    Utc,
    /// An IANA zone such as `Asia/Shanghai`.
    Named(String),
}

/// Why a `tz` value is not a zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadZone(pub String);

impl std::fmt::Display for BadZone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let zone = &self.0;
        f.write_str(&tr!(
            "\"{zone}\" is not a time zone: use local, UTC or an IANA name such as Asia/Shanghai"
        ))
    }
}

impl std::error::Error for BadZone {}

/// IANA names are at most a few dozen characters; 64 leaves room.
const MAX_NAME: usize = 64;

impl Zone {
    /// Reads `local`, `UTC` (any case; `Etc/UTC` too) or an IANA-shaped
    /// name: segments of ASCII letters, digits, `_`, `+` and `-` joined by
    /// `/`, starting with a letter.
    pub fn parse(value: &str) -> Result<Self, BadZone> {
        let v = value.trim();
        if v.eq_ignore_ascii_case("local") || v.is_empty() {
            return Ok(Zone::Local);
        }
        if v.eq_ignore_ascii_case("utc") || v.eq_ignore_ascii_case("etc/utc") {
            return Ok(Zone::Utc);
        }
        let shaped = v.len() <= MAX_NAME
            && v.starts_with(|c: char| c.is_ascii_alphabetic())
            && v.split('/').all(|seg| {
                !seg.is_empty()
                    && seg
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '+' | '-'))
            });
        if shaped {
            Ok(Zone::Named(v.to_owned()))
        } else {
            Err(BadZone(value.chars().take(MAX_NAME).collect()))
        }
    }

    /// The value for `?tz=` and the settings; `None` for local time, which
    /// needs no parameter.
    pub fn param(&self) -> Option<&str> {
        match self {
            Zone::Local => None,
            Zone::Utc => Some("UTC"),
            Zone::Named(n) => Some(n),
        }
    }

    /// The page's zone: the link's `tz` wins over the saved choice. A bad
    /// value in the link is reported and the saved choice used instead.
    pub fn choose(link: Option<&str>, saved: &str) -> (Self, Option<BadZone>) {
        let saved = Zone::parse(saved).unwrap_or_default();
        match link.map(Zone::parse) {
            Some(Ok(z)) => (z, None),
            Some(Err(e)) => (saved, Some(e)),
            None => (saved, None),
        }
    }

    /// The other zones worth showing on hover, in order: local, then UTC,
    /// leaving out this one.
    pub fn others(&self) -> Vec<Zone> {
        [Zone::Local, Zone::Utc]
            .into_iter()
            .filter(|z| z != self)
            .collect()
    }
}

/// `UTC`, `UTC+08:00`, `UTC-03:30`, from minutes ahead of UTC.
pub fn offset_label(minutes: i64) -> String {
    if minutes == 0 {
        return "UTC".to_owned();
    }
    let sign = if minutes < 0 { '-' } else { '+' };
    let m = minutes.abs();
    format!("UTC{sign}{:02}:{:02}", m / 60, m % 60)
}

/// The `tz` value of a query string (`?a=1&tz=Asia%2FShanghai`).
pub fn link_param(search: &str) -> Option<String> {
    crate::list::all_pairs(search)
        .into_iter()
        .rev()
        .find(|(k, _)| k == "tz")
        .map(|(_, v)| v)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn local_utc_and_iana_names_parse() {
        assert_eq!(Zone::parse("local"), Ok(Zone::Local));
        assert_eq!(Zone::parse(""), Ok(Zone::Local));
        assert_eq!(Zone::parse("utc"), Ok(Zone::Utc));
        assert_eq!(Zone::parse("Etc/UTC"), Ok(Zone::Utc));
        for name in [
            "Asia/Shanghai",
            "America/Argentina/Buenos_Aires",
            "Etc/GMT-8",
            "America/Port-au-Prince",
        ] {
            assert_eq!(
                Zone::parse(name),
                Ok(Zone::Named(name.to_owned())),
                "{name}"
            );
        }
    }

    #[test]
    fn anything_else_is_refused_by_name() {
        for bad in [
            "Asia//Shanghai",
            "/Asia",
            "Asia/",
            "Asia/Shang hai",
            "<script>",
            "Europe/Ber\u{202e}lin",
            "1Asia/X",
            &"A".repeat(65),
        ] {
            let e = Zone::parse(bad).unwrap_err();
            assert!(e.to_string().contains("is not a time zone"), "{bad}: {e}");
        }
    }

    #[test]
    fn the_link_wins_over_the_saved_zone_and_a_bad_link_is_reported() {
        assert_eq!(Zone::choose(None, "UTC"), (Zone::Utc, None));
        assert_eq!(
            Zone::choose(Some("Asia/Shanghai"), "UTC"),
            (Zone::Named("Asia/Shanghai".to_owned()), None)
        );
        let (z, bad) = Zone::choose(Some("no such zone"), "UTC");
        assert_eq!(z, Zone::Utc);
        assert_eq!(bad, Some(BadZone("no such zone".to_owned())));
        // A saved value that no longer parses is local time.
        assert_eq!(Zone::choose(None, "x y"), (Zone::Local, None));
    }

    #[test]
    fn the_param_round_trips_and_local_needs_none() {
        for z in [Zone::Utc, Zone::Named("Asia/Tokyo".to_owned())] {
            assert_eq!(Zone::parse(z.param().unwrap()), Ok(z.clone()));
        }
        assert_eq!(Zone::Local.param(), None);
        assert_eq!(
            link_param("?embed=1&tz=Asia%2FShanghai"),
            Some("Asia/Shanghai".to_owned())
        );
        assert_eq!(link_param("?embed=1"), None);
    }

    #[test]
    fn hover_shows_the_other_two() {
        let sh = Zone::Named("Asia/Shanghai".to_owned());
        assert_eq!(sh.others(), vec![Zone::Local, Zone::Utc]);
        assert_eq!(Zone::Utc.others(), vec![Zone::Local]);
        assert_eq!(Zone::Local.others(), vec![Zone::Utc]);
    }

    #[test]
    fn offsets_read_as_utc_plus_or_minus() {
        assert_eq!(offset_label(0), "UTC");
        assert_eq!(offset_label(480), "UTC+08:00");
        assert_eq!(offset_label(-210), "UTC-03:30");
    }
}
