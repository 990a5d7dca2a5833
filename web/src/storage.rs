//! Browser storage: settings, recent tickets and in-flight operations.
//!
//! Every read tolerates a missing, disabled or corrupt store (private
//! browsing, quota, an old format): the console then behaves as on a first
//! visit instead of failing.

use coc_core::{ExecutionStatus, OperateType};
use serde::{Deserialize, Serialize};

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

/// Reads a JSON value, `None` when absent or unreadable.
pub fn get_json<T: for<'de> Deserialize<'de>>(area: Area, key: &str) -> Option<T> {
    serde_json::from_str(&get(area, key)?).ok()
}

/// Writes a JSON value.
pub fn set_json<T: Serialize>(area: Area, key: &str, value: &T) {
    if let Ok(s) = serde_json::to_string(value) {
        set(area, key, &s);
    }
}

const RECENT_KEY: &str = "coc.recent";
/// How many recent tickets are kept.
pub const RECENT_MAX: usize = 12;

/// A ticket the user opened, as listed on the start page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecentTicket {
    /// The ticket id.
    pub id: String,
    /// Job name when known.
    #[serde(default)]
    pub job: Option<String>,
    /// Status (wire value) when last seen.
    #[serde(default)]
    pub status: Option<String>,
    /// When it was last opened, epoch ms.
    #[serde(default)]
    pub seen_at: f64,
}

/// The recently opened tickets, newest first.
pub fn recent() -> Vec<RecentTicket> {
    get_json(Area::Local, RECENT_KEY).unwrap_or_default()
}

/// Records that a ticket was opened.
pub fn remember_recent(entry: RecentTicket) {
    let mut list = recent();
    list.retain(|r| r.id != entry.id);
    list.insert(0, entry);
    list.truncate(RECENT_MAX);
    set_json(Area::Local, RECENT_KEY, &list);
}

/// Forgets all recent tickets.
pub fn clear_recent() {
    remove(Area::Local, RECENT_KEY);
}

/// An operation the service accepted whose effect the ticket does not show yet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PendingOp {
    /// What was sent.
    pub op: OperateType,
    /// The status (wire value) when it was sent.
    pub from_status: Option<String>,
    /// The ticket's `update_time` when it was sent.
    pub from_update: Option<i64>,
    /// When the service accepted it, epoch ms.
    pub accepted_at: f64,
    /// The service's request id, for the audit trail.
    pub request_id: Option<String>,
}

/// How long the console waits for a ticket to reflect an operation before it
/// stops polling fast and says so.
pub const PENDING_TIMEOUT_MS: f64 = 90_000.0;

impl PendingOp {
    /// True when `status`/`update_time` show the operation took effect.
    pub fn reflected_by(&self, status: Option<&ExecutionStatus>, update_time: Option<i64>) -> bool {
        let status_changed = status.map(ExecutionStatus::as_str) != self.from_status.as_deref();
        // Skipping a batch leaves a ticket Running; the update time moves.
        let updated = self.op == OperateType::SkipBatch
            && update_time.is_some()
            && update_time != self.from_update;
        status_changed || updated
    }

    /// True once the wait is over.
    pub fn expired(&self, now: f64) -> bool {
        now - self.accepted_at > PENDING_TIMEOUT_MS
    }
}

fn pending_key(id: &str) -> String {
    format!("coc.pending.{id}")
}

/// The pending operation of a ticket, if one was saved and has not expired.
pub fn load_pending(id: &str, now: f64) -> Option<PendingOp> {
    let p: PendingOp = get_json(Area::Session, &pending_key(id))?;
    if p.expired(now) {
        clear_pending(id);
        None
    } else {
        Some(p)
    }
}

/// Saves a pending operation so that it survives a reload.
pub fn save_pending(id: &str, p: &PendingOp) {
    set_json(Area::Session, &pending_key(id), p);
}

/// Forgets a pending operation.
pub fn clear_pending(id: &str) {
    remove(Area::Session, &pending_key(id));
}
