//! Counts and durations as an operator reads them.

use coc_console_model::fmt::{count, duration};

#[test]
fn counts_and_durations_read_as_an_operator_writes_them() {
    assert_eq!(count(0), "0");
    assert_eq!(count(999), "999");
    assert_eq!(count(1_000), "1,000");
    assert_eq!(count(1_234_567), "1,234,567");
    assert_eq!(duration(45_000), "45 s");
    assert_eq!(duration(513_000), "8 min 33 s");
    assert_eq!(duration(7_389_000), "2 h 03 min 09 s");
    assert_eq!(duration(90_000_000), "1 d 1 h 00 min");
    assert_eq!(duration(-5), "0 s");
}
