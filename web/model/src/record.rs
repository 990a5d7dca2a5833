//! The console's own records in browser storage (settings, recent tickets,
//! pending operations), as versioned JSON: `{"v":1,"data":…}`.
//!
//! Reading never fails the console: a missing record is a first visit, a
//! record in the tab-separated format of earlier consoles is migrated (and
//! the caller writes it back as JSON once), and anything else (garbled,
//! truncated, a newer version) is [`Read::Corrupt`] with a reason for the
//! browser console, after which the caller drops it.
//!
//! What it deliberately does not do: touch storage (the console's
//! `storage.rs` does), or hold a secret. Tokens are stored apart from the
//! settings record, as plain strings under their own keys, so that a
//! settings record can be shown or exported without one.

use coc_core::{ExecutionStatus, OperateType};
use coc_i18n::tr;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// The version every record is written with.
pub const VERSION: u32 = 1;

/// A record type: its storage key and how to read its legacy form.
pub trait Record: Serialize + DeserializeOwned {
    /// What the record is, for notices ("recent tickets").
    const WHAT: &'static str;
    /// Reads the tab-separated (or `key=value`) form earlier consoles wrote.
    fn legacy(text: &str) -> Option<Self>;
}

/// What reading a stored record gave.
#[derive(Debug, Clone, PartialEq)]
pub enum Read<T> {
    /// Nothing stored.
    Missing,
    /// A current record.
    Current(T),
    /// A record of an earlier console, converted; write it back.
    Migrated(T),
    /// Unreadable: drop it (the reason is for the browser console).
    Corrupt(String),
}

impl<T> Read<T> {
    /// The value, if one was read.
    pub fn value(self) -> Option<T> {
        match self {
            Read::Current(t) | Read::Migrated(t) => Some(t),
            Read::Missing | Read::Corrupt(_) => None,
        }
    }
}

#[derive(Serialize)]
struct Out<'a, T> {
    v: u32,
    data: &'a T,
}

/// The envelope's version, read first (its `data` skipped).
#[derive(Deserialize)]
struct Version {
    v: u32,
}

/// The envelope's data, read as the record type: straight from the text,
/// as the API's answers are read, rather than through a `serde_json::Value`
/// (which cost a second set of deserialisers in the wasm).
#[derive(Deserialize)]
struct Data<T> {
    data: T,
}

/// A record as stored.
pub fn encode<T: Record>(value: &T) -> String {
    // Serialising these plain structs cannot fail; an empty string would
    // read back as Corrupt and be dropped, never crash.
    serde_json::to_string(&Out {
        v: VERSION,
        data: value,
    })
    .unwrap_or_default()
}

/// Reads a stored record (see the module doc).
pub fn decode<T: Record>(raw: Option<&str>) -> Read<T> {
    match open(raw, T::WHAT) {
        Opened::Missing => Read::Missing,
        Opened::Legacy(text) => match T::legacy(text) {
            Some(t) => Read::Migrated(t),
            None => Read::Corrupt(tr!(
                "{what}: not a record this console wrote",
                what = T::WHAT
            )),
        },
        Opened::Current(raw) => match serde_json::from_slice::<Data<T>>(raw.as_bytes()) {
            Ok(Data { data }) => Read::Current(data),
            Err(e) => Read::Corrupt(format!("{}: {e}", T::WHAT)),
        },
        Opened::Corrupt(why) => Read::Corrupt(why),
    }
}

/// A stored record opened, before its data is read as a type.
enum Opened<'a> {
    Missing,
    Legacy(&'a str),
    Current(&'a str),
    Corrupt(String),
}

/// The part of [`decode`] that is the same for every record type, kept out
/// of line: inlined into each type's copy it cost about 2 KB of wasm per
/// record type.
#[inline(never)]
fn open<'a>(raw: Option<&'a str>, what: &str) -> Opened<'a> {
    let Some(raw) = raw.filter(|r| !r.trim().is_empty()) else {
        return Opened::Missing;
    };
    if !raw.trim_start().starts_with('{') {
        return Opened::Legacy(raw);
    }
    match serde_json::from_slice::<Version>(raw.as_bytes()) {
        Err(e) => Opened::Corrupt(format!("{what}: {e}")),
        Ok(e) if e.v != VERSION => Opened::Corrupt(tr!(
            "{what}: version {v} (this console reads version {VERSION})",
            v = e.v
        )),
        Ok(_) => Opened::Current(raw),
    }
}

pub(crate) fn opt(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_owned())
}

/// How many recent tickets are kept.
pub const RECENT_MAX: usize = 12;

/// A ticket the user opened, as listed on the start page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecentTicket {
    /// The ticket id.
    pub id: String,
    /// Job name when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job: Option<String>,
    /// Status (wire value) when last seen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// When it was last opened, epoch ms.
    pub seen_at: f64,
}

/// The recently opened tickets, newest first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Recent(pub Vec<RecentTicket>);

impl Recent {
    /// Puts `entry` first, once, and keeps at most [`RECENT_MAX`].
    pub fn remember(&mut self, entry: RecentTicket) {
        self.0.retain(|r| r.id != entry.id);
        self.0.insert(0, entry);
        self.0.truncate(RECENT_MAX);
    }
}

impl Record for Recent {
    const WHAT: &'static str = tr!("recent tickets");
    /// `id \t job \t status \t seen_at_ms`, one per line.
    fn legacy(text: &str) -> Option<Self> {
        let list: Vec<RecentTicket> = text
            .lines()
            .filter_map(|line| {
                let mut f = line.split('\t');
                let id = f.next().filter(|id| !id.is_empty())?.to_owned();
                Some(RecentTicket {
                    id,
                    job: f.next().and_then(opt),
                    status: f.next().and_then(opt),
                    seen_at: f.next().and_then(|t| t.parse::<i64>().ok()).unwrap_or(0) as f64,
                })
            })
            .collect();
        (!list.is_empty()).then_some(Recent(list))
    }
}

/// How long the console waits for a ticket to reflect an operation before
/// it stops polling fast and says so.
pub const PENDING_TIMEOUT_MS: f64 = 90_000.0;

/// An operation the service accepted whose effect the ticket does not show
/// yet. Kept per tab (sessionStorage) so that a reload neither forgets it
/// nor sends it again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PendingOp {
    /// What was sent.
    #[serde(with = "operate_type")]
    pub op: OperateType,
    /// The status (wire value) when it was sent.
    #[serde(default)]
    pub from_status: Option<String>,
    /// The ticket's `update_time` when it was sent.
    #[serde(default)]
    pub from_update: Option<i64>,
    /// When the service accepted it (or, when the outcome is unknown, when
    /// the console gave up waiting for the answer), epoch ms.
    pub accepted_at: f64,
    /// The service's request id, for the audit trail.
    #[serde(default)]
    pub request_id: Option<String>,
    /// The reason sent with it, as the operator typed it.
    #[serde(default)]
    pub reason: Option<String>,
    /// Sent, but no answer came back: it may or may not have been applied,
    /// and the ticket is watched to find out. (Absent in records written
    /// before it existed, which were all accepted.)
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub outcome_unknown: bool,
}

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

pub(crate) mod operate_type {
    use coc_core::OperateType;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(op: &OperateType, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(op.as_str())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<OperateType, D::Error> {
        let s = String::deserialize(d)?;
        OperateType::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// The inverse of the old format's escaping of a reason (`\\`, `\n`, `\t`,
/// `\r`).
pub(crate) fn unescape(s: &str) -> String {
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

impl Record for PendingOp {
    const WHAT: &'static str = tr!("pending operation");
    /// `op \t from_status \t from_update \t accepted_at_ms \t request_id \t reason`.
    fn legacy(text: &str) -> Option<Self> {
        let mut f = text.split('\t');
        Some(PendingOp {
            op: OperateType::parse(f.next()?).ok()?,
            from_status: f.next().and_then(opt),
            from_update: f.next().and_then(|t| t.parse().ok()),
            accepted_at: f.next()?.parse::<i64>().ok()? as f64,
            request_id: f.next().and_then(opt),
            reason: f.next().map(unescape).as_deref().and_then(opt),
            outcome_unknown: false,
        })
    }
}

/// How many saved views a browser keeps.
pub const VIEWS_MAX: usize = 50;
/// The longest name a saved view may have, in characters.
pub const VIEW_NAME_MAX: usize = 60;

/// A list view saved under a name: the list's filters as a console path
/// (`/executions?creator=…`), without the page's own flags (`tz`, `embed`),
/// which the page that opens it adds, so it is also a link to share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedView {
    /// What the operator called it.
    pub name: String,
    /// `/executions?…`.
    pub href: String,
}

/// The saved views, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SavedViews(pub Vec<SavedView>);

/// Why a view was not saved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ViewRefused {
    /// No name given.
    #[error("{}", tr!("Give the view a name."))]
    NoName,
    /// A name longer than [`VIEW_NAME_MAX`].
    #[error("{}", tr!("A view's name has at most {VIEW_NAME_MAX} characters."))]
    TooLong,
    /// [`VIEWS_MAX`] views are saved already.
    #[error("{}", tr!("{VIEWS_MAX} views are saved already: delete one first."))]
    Full,
}

impl SavedViews {
    /// Saves `href` as `name` (trimmed), first; a view of the same name is
    /// replaced, so saving again under a name updates it.
    pub fn save(&mut self, name: &str, href: &str) -> Result<(), ViewRefused> {
        let name = name.trim();
        if name.is_empty() {
            return Err(ViewRefused::NoName);
        }
        if name.chars().count() > VIEW_NAME_MAX {
            return Err(ViewRefused::TooLong);
        }
        let before = self.0.len();
        self.0.retain(|v| v.name != name);
        if self.0.len() == before && before >= VIEWS_MAX {
            return Err(ViewRefused::Full);
        }
        self.0.insert(
            0,
            SavedView {
                name: name.to_owned(),
                href: href.to_owned(),
            },
        );
        Ok(())
    }

    /// Forgets the view called `name`.
    pub fn remove(&mut self, name: &str) {
        self.0.retain(|v| v.name != name);
    }

    /// The stored form: a URL query of `name=link` pairs after the
    /// version, `v=1&prod%20failures=%2Fexecutions%3Ftags%3D…`, each part
    /// percent-encoded as the console encodes every query.
    ///
    /// Not JSON like the other records: the console's own query code reads
    /// and writes it, where a JSON record type of its own cost 1 KB more of
    /// the 320 KB budget (measured).
    pub fn encode(&self) -> String {
        let mut out = format!("v={VERSION}");
        for v in &self.0 {
            out.push('&');
            out.push_str(&crate::list::encode(&v.name));
            out.push('=');
            out.push_str(&crate::list::encode(&v.href));
        }
        out
    }

    /// Reads the stored form (see [`SavedViews::encode`]).
    pub fn decode(raw: Option<&str>) -> Read<SavedViews> {
        let Some(raw) = raw.filter(|r| !r.trim().is_empty()) else {
            return Read::Missing;
        };
        let mut pairs = crate::list::all_pairs(raw).into_iter();
        match pairs.next() {
            Some((v, n)) if v == "v" && n == VERSION.to_string() => Read::Current(SavedViews(
                pairs.map(|(name, href)| SavedView { name, href }).collect(),
            )),
            _ => Read::Corrupt(tr!("saved views: not a record of version {VERSION}")),
        }
    }
}

/// The default polling interval, seconds.
pub const DEFAULT_POLL_SECS: u32 = 3;
/// The intervals a user can pick.
pub const POLL_CHOICES: [u32; 6] = [1, 3, 5, 10, 30, 60];

/// How requests authenticate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthMode {
    /// The gateway signs with its own AK/SK; the browser sends nothing.
    #[default]
    Gateway,
    /// The browser sends an IAM token the user pasted.
    Token,
}

/// The stored settings: everything but the tokens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SettingsRecord {
    /// Gateway base URL; empty means the page's own origin.
    pub gateway_url: String,
    /// Authentication mode.
    pub auth: AuthMode,
    /// Keep the IAM token across browser restarts.
    pub remember_token: bool,
    /// Keep the operator token across browser restarts.
    pub remember_operator_token: bool,
    /// Polling interval for active tickets, seconds.
    pub poll_secs: u32,
    /// Where times are shown: empty (local), `UTC` or an IANA zone; a
    /// link's `?tz=` wins over it.
    pub time_zone: String,
    /// The language: empty (the browser's), `en` or `zh-CN`; a link's
    /// `?lang=` wins over it. index.html reads it too, to load that build.
    pub lang: String,
    /// Desktop notifications when a watched ticket ends or is suspended
    /// (the browser's permission is asked when this is saved on).
    pub notify: bool,
}

impl Default for SettingsRecord {
    fn default() -> Self {
        Self {
            gateway_url: String::new(),
            auth: AuthMode::Gateway,
            remember_token: false,
            remember_operator_token: false,
            poll_secs: DEFAULT_POLL_SECS,
            time_zone: String::new(),
            lang: String::new(),
            notify: false,
        }
    }
}

impl SettingsRecord {
    /// The record with values a console can use (an interval it offers).
    pub fn sanitized(mut self) -> Self {
        if !POLL_CHOICES.contains(&self.poll_secs) {
            self.poll_secs = DEFAULT_POLL_SECS;
        }
        self
    }
}

impl Record for SettingsRecord {
    const WHAT: &'static str = tr!("settings");
    /// `key=value` lines.
    fn legacy(text: &str) -> Option<Self> {
        let mut s = SettingsRecord::default();
        let mut any = false;
        for line in text.lines() {
            any |= line.contains('=');
            match line.split_once('=') {
                Some(("gateway_url", v)) => s.gateway_url = v.to_owned(),
                Some(("auth", "token")) => s.auth = AuthMode::Token,
                Some(("remember_token", v)) => s.remember_token = v == "true",
                Some(("remember_operator_token", v)) => s.remember_operator_token = v == "true",
                Some(("poll_secs", v)) => s.poll_secs = v.parse().unwrap_or(DEFAULT_POLL_SECS),
                _ => {}
            }
        }
        any.then(|| s.sanitized())
    }
}
