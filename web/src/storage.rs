//! Browser storage: settings, recent tickets and in-flight operations.
//!
//! Every read tolerates a missing, disabled or corrupt store (private
//! browsing, quota, an old format): the console then behaves as on a first
//! visit instead of failing. Records are versioned JSON
//! (`coc_console_model::record`); one an earlier console wrote is migrated
//! and written back once, and a corrupt one is removed with a notice in the
//! browser console.

use coc_console_model::record::{self, Read, Record};

pub use coc_console_model::record::{
    PENDING_TIMEOUT_MS, PendingOp, RECENT_MAX, Recent, RecentTicket,
};

/// Which Web Storage area.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    /// Survives the browser closing.
    Local,
    /// This tab only, cleared when it closes.
    Session,
}

fn store(area: Area) -> Option<web_sys::Storage> {
    let w = web_sys::window()?;
    match area {
        Area::Local => w.local_storage().ok().flatten(),
        Area::Session => w.session_storage().ok().flatten(),
    }
}

/// Reads a key.
pub fn get(area: Area, key: &str) -> Option<String> {
    store(area)?.get_item(key).ok().flatten()
}

/// Writes a key; a full or disabled store is ignored (nothing to do about it).
pub fn set(area: Area, key: &str, value: &str) {
    if let Some(s) = store(area) {
        let _ = s.set_item(key, value);
    }
}

/// Removes a key.
pub fn remove(area: Area, key: &str) {
    if let Some(s) = store(area) {
        let _ = s.remove_item(key);
    }
}

/// Reads a record, migrating or dropping it as `record::decode` says.
pub fn read<T: Record>(area: Area, key: &str) -> Option<T> {
    match record::decode::<T>(get(area, key).as_deref()) {
        Read::Missing => None,
        Read::Current(t) => Some(t),
        Read::Migrated(t) => {
            write(area, key, &t);
            Some(t)
        }
        Read::Corrupt(why) => {
            drop_corrupt(area, key, &why);
            None
        }
    }
}

/// Out of line, like `record::decode`'s common part: one copy, not one per
/// record type.
#[inline(never)]
pub fn drop_corrupt(area: Area, key: &str, why: &str) {
    web_sys::console::warn_1(
        &format!("COC console: dropped the stored {why}; starting afresh.").into(),
    );
    remove(area, key);
}

/// Writes a record.
pub fn write<T: Record>(area: Area, key: &str, value: &T) {
    set(area, key, &record::encode(value));
}

const RECENT_KEY: &str = "coc.recent";

/// The recently opened tickets, newest first.
pub fn recent() -> Vec<RecentTicket> {
    read::<Recent>(Area::Local, RECENT_KEY)
        .unwrap_or_default()
        .0
}

/// Records that a ticket was opened.
pub fn remember_recent(entry: RecentTicket) {
    let mut list = read::<Recent>(Area::Local, RECENT_KEY).unwrap_or_default();
    list.remember(entry);
    write(Area::Local, RECENT_KEY, &list);
}

/// Forgets all recent tickets.
pub fn clear_recent() {
    remove(Area::Local, RECENT_KEY);
}

fn pending_key(id: &str) -> String {
    format!("coc.pending.{id}")
}

/// The pending operation of a ticket, if one was saved and has not expired.
pub fn load_pending(id: &str, now: f64) -> Option<PendingOp> {
    let p = read::<PendingOp>(Area::Session, &pending_key(id))?;
    if p.expired(now) {
        clear_pending(id);
        None
    } else {
        Some(p)
    }
}

/// Saves a pending operation so that it survives a reload.
pub fn save_pending(id: &str, p: &PendingOp) {
    write(Area::Session, &pending_key(id), p);
}

/// Forgets a pending operation.
pub fn clear_pending(id: &str) {
    remove(Area::Session, &pending_key(id));
}
