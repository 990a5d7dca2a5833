//! Formatting of times, durations and counts, in the browser's time zone.

use js_sys::Date;
use wasm_bindgen::JsValue;

fn date(ms: i64) -> Date {
    Date::new(&JsValue::from_f64(ms as f64))
}

/// `2025-07-01 21:01:45` in the browser's local time zone.
pub fn local(ms: i64) -> String {
    let d = date(ms);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        d.get_full_year(),
        d.get_month() + 1,
        d.get_date(),
        d.get_hours(),
        d.get_minutes(),
        d.get_seconds()
    )
}

/// `2025-07-01 13:01:45 UTC`.
pub fn utc(ms: i64) -> String {
    let d = date(ms);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC",
        d.get_utc_full_year(),
        d.get_utc_month() + 1,
        d.get_utc_date(),
        d.get_utc_hours(),
        d.get_utc_minutes(),
        d.get_utc_seconds()
    )
}

/// ISO 8601 for `<time datetime>`.
pub fn iso(ms: i64) -> String {
    let d = date(ms);
    if d.get_time().is_nan() {
        return String::new();
    }
    d.to_iso_string().as_string().unwrap_or_default()
}

/// The local zone as `UTC+08:00`.
pub fn zone_label() -> String {
    // getTimezoneOffset is minutes *behind* UTC.
    let off = -(Date::new_0().get_timezone_offset() as i64);
    let sign = if off < 0 { '-' } else { '+' };
    let off = off.abs();
    format!("UTC{sign}{:02}:{:02}", off / 60, off % 60)
}

/// `3 min ago`, `in 5 s`, `just now`.
pub fn relative(ms: i64, now: f64) -> String {
    let delta = (now - ms as f64) / 1000.0;
    let (past, secs) = (delta >= 0.0, delta.abs().round() as i64);
    if secs < 2 {
        return "just now".to_owned();
    }
    let amount = if secs < 60 {
        format!("{secs} s")
    } else if secs < 3600 {
        format!("{} min", secs / 60)
    } else if secs < 86_400 {
        format!("{} h", secs / 3600)
    } else {
        format!("{} d", secs / 86_400)
    };
    if past {
        format!("{amount} ago")
    } else {
        format!("in {amount}")
    }
}

pub use coc_console_model::fmt::{count, duration};
