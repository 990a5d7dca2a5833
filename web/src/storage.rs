//! Browser storage: settings, recent tickets and in-flight operations.
//!
//! Every read tolerates a missing, disabled or corrupt store (private
//! browsing, quota, an old format): the console then behaves as on a first
//! visit instead of failing.
//!
//! Values are stored as tab-separated lines rather than JSON: these are the
//! console's own records (never COC data), and serde derives for them cost
//! more of the size budget than this little format does.

use coc_core::{ExecutionStatus, OperateType};

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

/// A field made safe for the line format: no tabs or newlines.
pub fn field(s: &str) -> String {
    s.replace(['\t', '\n', '\r'], " ")
}

/// A field that must survive the line format exactly (a reason may hold
/// line breaks and tabs): `\\`, `\n`, `\t` and `\r` escaped.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out
}

/// The inverse of [`escape`].
pub fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

fn opt(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_owned())
}

const RECENT_KEY: &str = "coc.recent";
/// How many recent tickets are kept.
pub const RECENT_MAX: usize = 12;

/// A ticket the user opened, as listed on the start page.
#[derive(Debug, Clone, PartialEq)]
pub struct RecentTicket {
    /// The ticket id.
    pub id: String,
    /// Job name when known.
    pub job: Option<String>,
    /// Status (wire value) when last seen.
    pub status: Option<String>,
    /// When it was last opened, epoch ms.
    pub seen_at: f64,
}

/// The recently opened tickets, newest first.
pub fn recent() -> Vec<RecentTicket> {
    get(Area::Local, RECENT_KEY)
        .unwrap_or_default()
        .lines()
        .filter_map(|line| {
            let mut f = line.split('\t');
            let id = f.next().filter(|id| !id.is_empty())?.to_owned();
            Some(RecentTicket {
                id,
                job: f.next().and_then(opt),
                status: f.next().and_then(opt),
                // Integers: float parsing and printing would add ~15 KB of wasm.
                seen_at: f
                    .next()
                    .and_then(|t| t.parse::<i64>().ok())
                    .unwrap_or_default() as f64,
            })
        })
        .collect()
}

/// Records that a ticket was opened.
pub fn remember_recent(entry: RecentTicket) {
    let mut list = recent();
    list.retain(|r| r.id != entry.id);
    list.insert(0, entry);
    list.truncate(RECENT_MAX);
    let text: Vec<String> = list
        .iter()
        .map(|r| {
            format!(
                "{}\t{}\t{}\t{}",
                field(&r.id),
                field(r.job.as_deref().unwrap_or_default()),
                field(r.status.as_deref().unwrap_or_default()),
                r.seen_at as i64
            )
        })
        .collect();
    set(Area::Local, RECENT_KEY, &text.join("\n"));
}

/// Forgets all recent tickets.
pub fn clear_recent() {
    remove(Area::Local, RECENT_KEY);
}

/// An operation the service accepted whose effect the ticket does not show yet.
#[derive(Debug, Clone, PartialEq)]
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
    /// The reason sent with it, as the operator typed it.
    pub reason: Option<String>,
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
    let line = get(Area::Session, &pending_key(id))?;
    let mut f = line.split('\t');
    let p = PendingOp {
        op: OperateType::parse(f.next()?).ok()?,
        from_status: f.next().and_then(opt),
        from_update: f.next().and_then(|t| t.parse().ok()),
        accepted_at: f.next()?.parse::<i64>().ok()? as f64,
        request_id: f.next().and_then(opt),
        reason: f.next().map(unescape).as_deref().and_then(opt),
    };
    if p.expired(now) {
        clear_pending(id);
        None
    } else {
        Some(p)
    }
}

/// Saves a pending operation so that it survives a reload.
pub fn save_pending(id: &str, p: &PendingOp) {
    let line = format!(
        "{}\t{}\t{}\t{}\t{}\t{}",
        p.op.as_str(),
        field(p.from_status.as_deref().unwrap_or_default()),
        p.from_update.map(|t| t.to_string()).unwrap_or_default(),
        p.accepted_at as i64,
        field(p.request_id.as_deref().unwrap_or_default()),
        escape(p.reason.as_deref().unwrap_or_default())
    );
    set(Area::Session, &pending_key(id), &line);
}

/// Forgets a pending operation.
pub fn clear_pending(id: &str) {
    remove(Area::Session, &pending_key(id));
}
