//! Counts and durations as the console writes them (no time zone needed;
//! dates are the browser's, in the console's own `fmt`).

use coc_i18n::tr;

/// `2 h 03 min 09 s`, `45 s`, `3 d 4 h`.
pub fn duration(ms: i64) -> String {
    let s = ms.max(0) / 1000;
    let (d, h, m, sec) = (s / 86_400, (s / 3600) % 24, (s / 60) % 60, s % 60);
    if d > 0 {
        tr!("{d} d {h} h {m:02} min")
    } else if h > 0 {
        tr!("{h} h {m:02} min {sec:02} s")
    } else if m > 0 {
        tr!("{m} min {sec:02} s")
    } else {
        tr!("{sec} s")
    }
}

/// `10,000`.
pub fn count(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
