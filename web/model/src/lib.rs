//! The console's state as plain Rust: what each view knows, and how an
//! answer, an operation or the passing of time changes it.
//!
//! Each view of the console (ticket, timeline, list) keeps its state in a
//! model from here and changes it only through the model's methods
//! (`absorb`, `begin`, `operated`, …). The Leptos components fetch, lay the
//! state out and bind events to those methods. The rules live here so that
//! they compile and are tested natively with `cargo test`, in milliseconds,
//! not only in a browser.
//!
//! What it deliberately does not do: IO of any kind (no fetch, no storage,
//! no clock: `now` is a parameter, epoch milliseconds), or know about
//! Leptos, the DOM or JavaScript.

pub mod bulk;
pub mod export;
pub mod failure;
pub mod fmt;
pub mod keys;
pub mod list;
pub mod live;
pub mod record;
pub mod status;
pub mod ticket;
pub mod timeline;
pub mod words;
pub mod zone;

pub use failure::{ApiFailure, FailureKind, TransportError};
pub use live::{Freshness, PollSettings, Want};
pub use ticket::{Changed, Notice, Store, TicketEvent, TicketModel};
