//! Formatting of times, durations and counts. Times are shown in the
//! page's zone ([`set_zone`]: the link's `?tz=`, else the settings, else the
//! browser's own), always with the zone's offset, and a time's hover text
//! shows it in the other two of local time and UTC.

use coc_i18n::tr;
use std::cell::{Cell, RefCell};

use coc_console_model::zone::{Zone, offset_label};
use js_sys::{Array, Date, Function, Reflect};
use wasm_bindgen::{JsCast, JsValue};

thread_local! {
    static ZONE: RefCell<Zone> = const { RefCell::new(Zone::Local) };
    /// The zone's `tz` value, for links: fixed for the life of the page.
    static PARAM: Cell<Option<&'static str>> = const { Cell::new(None) };
    /// One `Intl.DateTimeFormat` per zone used: making one costs far more
    /// than formatting with it.
    static FORMATS: RefCell<Vec<(Zone, Function)>> = const { RefCell::new(Vec::new()) };
}

/// Shows times in `zone` from now on; false (and local time) when the
/// browser does not know it.
pub fn set_zone(zone: Zone) -> bool {
    let known = knows(&zone);
    let zone = if known { zone } else { Zone::Local };
    // Leaked once per page load, so that links can carry it as `&'static`.
    PARAM.set(
        zone.param()
            .map(|p| &*Box::leak(p.to_owned().into_boxed_str())),
    );
    ZONE.set(zone);
    known
}

/// Whether the browser knows `zone`.
pub fn knows(zone: &Zone) -> bool {
    format_fn(zone).is_some()
}

/// The page's zone.
pub fn zone() -> Zone {
    ZONE.with_borrow(Clone::clone)
}

/// The page's zone as links carry it (`None`: local time).
pub fn zone_param() -> Option<&'static str> {
    PARAM.get()
}

/// `format` of a `DateTimeFormat` writing `2025-07-01 21:01:45` in `zone`
/// (Swedish writes dates in ISO order, on a 24-hour clock), or `None` for
/// a zone the browser does not know.
fn format_fn(zone: &Zone) -> Option<Function> {
    if let Some(f) =
        FORMATS.with_borrow(|v| v.iter().find(|(z, _)| z == zone).map(|(_, f)| f.clone()))
    {
        return Some(f);
    }
    let options = js_sys::Object::new();
    for (k, v) in [
        ("year", "numeric"),
        ("month", "2-digit"),
        ("day", "2-digit"),
        ("hour", "2-digit"),
        ("minute", "2-digit"),
        ("second", "2-digit"),
    ]
    .into_iter()
    .chain(zone.param().map(|tz| ("timeZone", tz)))
    {
        Reflect::set(&options, &k.into(), &v.into()).ok()?;
    }
    // An unknown zone makes the constructor throw a RangeError: through
    // Reflect.construct it is an Err here, not an exception in the wasm.
    let intl = Reflect::get(&js_sys::global(), &"Intl".into()).ok()?;
    let ctor: Function = Reflect::get(&intl, &"DateTimeFormat".into())
        .ok()?
        .dyn_into()
        .ok()?;
    let dtf = Reflect::construct(&ctor, &Array::of2(&"sv-SE".into(), &options)).ok()?;
    let f: Function = Reflect::get(&dtf, &"format".into()).ok()?.dyn_into().ok()?;
    FORMATS.with_borrow_mut(|v| v.push((zone.clone(), f.clone())));
    Some(f)
}

/// `2025-07-01 21:01:45`, the wall clock in `zone`.
fn wall(ms: i64, zone: &Zone) -> Option<String> {
    let s = format_fn(zone)?
        .call1(&JsValue::NULL, &JsValue::from_f64(ms as f64))
        .ok()?
        .as_string()?;
    Some(
        s.chars()
            .map(|c| if c.is_whitespace() { ' ' } else { c })
            .collect(),
    )
}

/// Minutes ahead of UTC of a zone whose wall clock reads `wall` at `ms`.
fn offset_of(ms: i64, wall: &str) -> Option<i64> {
    let as_utc = Date::parse(&format!("{}Z", wall.replacen(' ', "T", 1)));
    (!as_utc.is_nan()).then(|| (as_utc as i64 - (ms - ms.rem_euclid(1000))) / 60_000)
}

/// Minutes `zone` is ahead of UTC at `ms`.
fn offset_minutes(ms: i64, zone: &Zone) -> Option<i64> {
    offset_of(ms, &wall(ms, zone)?)
}

/// `2025-07-01 21:01:45 UTC+08:00` in `zone`; empty for a time the
/// browser cannot show. One formatting per time: the offset is read from
/// the same wall clock.
pub fn at_in(ms: i64, zone: &Zone) -> String {
    let Some(w) = wall(ms, zone) else {
        return String::new();
    };
    let label = match zone {
        Zone::Utc => "UTC".to_owned(),
        _ => offset_label(offset_of(ms, &w).unwrap_or_default()),
    };
    format!("{w} {label}")
}

/// The time in the page's zone.
pub fn at(ms: i64) -> String {
    ZONE.with_borrow(|z| at_in(ms, z))
}

/// The hover text of a time: the other two of local time and UTC.
pub fn hover(ms: i64) -> String {
    zone()
        .others()
        .iter()
        .map(|z| match z {
            Zone::Local => tr!("{} local", at_in(ms, z)),
            _ => at_in(ms, z),
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

/// ISO 8601 for `<time datetime>`.
pub fn iso(ms: i64) -> String {
    let d = Date::new(&JsValue::from_f64(ms as f64));
    if d.get_time().is_nan() {
        return String::new();
    }
    d.to_iso_string().as_string().unwrap_or_default()
}

/// The page's zone for a sentence: `Asia/Shanghai (UTC+08:00)`, `UTC`,
/// `local time (UTC+02:00)`.
pub fn zone_label() -> String {
    let z = zone();
    let name = z.param().unwrap_or(tr!("local time"));
    match offset_minutes(Date::now() as i64, &z) {
        Some(off) if z != Zone::Utc => format!("{name} ({})", offset_label(off)),
        _ => name.to_owned(),
    }
}

/// A `datetime-local` input's value for `ms`, in the page's zone.
pub fn input_value(ms: i64) -> String {
    ZONE.with_borrow(|z| wall(ms, z))
        .map(|w| w.replacen(' ', "T", 1))
        .unwrap_or_default()
}

/// A `datetime-local` value, read as a wall clock in the page's zone, as
/// epoch ms. Across an offset change the first reading's offset is
/// corrected once, which is exact except inside a skipped hour.
pub fn from_input(v: &str) -> Option<i64> {
    let v = if v.len() == 16 {
        format!("{v}:00")
    } else {
        v.to_owned()
    };
    let naive = Date::parse(&format!("{v}Z"));
    if naive.is_nan() {
        return None;
    }
    let naive = naive as i64;
    ZONE.with_borrow(|z| {
        let guess = naive - offset_minutes(naive, z)? * 60_000;
        Some(naive - offset_minutes(guess, z)? * 60_000)
    })
}

/// `3 min ago`, `in 5 s`, `just now`.
pub fn relative(ms: i64, now: f64) -> String {
    let delta = (now - ms as f64) / 1000.0;
    let (past, secs) = (delta >= 0.0, delta.abs().round() as i64);
    if secs < 2 {
        return tr!("just now").to_owned();
    }
    let amount = if secs < 60 {
        tr!("{secs} s")
    } else if secs < 3600 {
        tr!("{} min", secs / 60)
    } else if secs < 86_400 {
        tr!("{} h", secs / 3600)
    } else {
        tr!("{} d", secs / 86_400)
    };
    if past {
        tr!("{amount} ago")
    } else {
        tr!("in {amount}")
    }
}

pub use coc_console_model::fmt::{count, duration};
