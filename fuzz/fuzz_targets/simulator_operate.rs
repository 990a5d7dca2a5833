//! The simulator's handler of `POST /v1/executions` bodies, against the
//! seeded world.
#![no_main]

use std::sync::LazyLock;
use std::sync::atomic::{AtomicU32, Ordering};

use coc_simulator::{Config, Simulator};
use libfuzzer_sys::fuzz_target;

static SIM: LazyLock<Simulator> = LazyLock::new(|| Simulator::new(Config::manual()));
static RUNS: AtomicU32 = AtomicU32::new(0);

fuzz_target!(|data: &[u8]| {
    // The operation log grows with every call and operations move tickets
    // to final states; a fresh world now and then keeps memory bounded and
    // the running tickets operable.
    if RUNS.fetch_add(1, Ordering::Relaxed) % 4096 == 4095 {
        SIM.reset();
    }
    let _ = coc_simulator::routes::operate_body(&SIM, "req-fuzz".to_owned(), data);
});
