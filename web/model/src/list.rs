//! The ticket list's state, and the console URLs it lives in.
//!
//! Every filter lives in the URL query under the API's own names, read with
//! `coc_core::ListExecutions::from_query` (which validates) and written from
//! the operation's own query parts, so a filtered view is a link and what
//! the form refuses, the API would too. The console's own flags (`embed`,
//! `mine`, `tz`) ride along in the same query and are kept apart here.

use coc_i18n::tr;
use std::sync::Arc;

use coc_core::gateway::{AuditPage, AuditRecord};
use coc_core::{Execution, ListExecutions, Operation, Page};
use percent_encoding::percent_decode_str;

use crate::failure::ApiFailure;
use crate::live::{Freshness, Want};

/// Tickets per page unless the URL says otherwise.
pub const DEFAULT_LIMIT: u32 = 20;
/// The page sizes offered.
pub const LIMITS: [u32; 4] = [10, 20, 50, 100];

/// A query value or path segment, percent-encoded as the core encodes
/// what it sends (everything but `A-Z a-z 0-9 - _ . ~`).
pub use coc_core::uri::encode;

fn decode(s: &str) -> String {
    let s = s.replace('+', " ");
    percent_decode_str(&s).decode_utf8_lossy().into_owned()
}

/// The pairs of `?a=b&c=d`, decoded, in order.
pub fn all_pairs(search: &str) -> Vec<(String, String)> {
    search
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn flag(search: &str, key: &str) -> bool {
    all_pairs(search)
        .iter()
        .any(|(k, v)| k == key && (v == "1" || v == "true"))
}

/// True for `?embed=1` and `?embed=true`: the view sits in a portal's frame.
pub fn is_embed(search: &str) -> bool {
    flag(search, "embed")
}

/// True on `/executions?mine=1`: the tickets the signed-in operator
/// operated, from the gateway's audit trail.
pub fn is_mine(search: &str) -> bool {
    flag(search, "mine")
}

/// The filter pairs of a query: all but the console's own flags.
pub fn query_pairs(search: &str) -> Vec<(String, String)> {
    all_pairs(search)
        .into_iter()
        .filter(|(k, _)| !matches!(k.as_str(), "embed" | "mine" | "tz" | "lang"))
        .collect()
}

/// The filters a URL query describes, with the console's page size when it
/// gives none.
pub fn parse_query(search: &str) -> Result<ListExecutions, coc_core::Error> {
    let mut op = ListExecutions::from_query(&query_pairs(search))?;
    op.limit.get_or_insert(DEFAULT_LIMIT);
    Ok(op)
}

/// What the console's own links keep of the page's URL: the embed flag
/// (a console in a portal's frame stays embedded) and the link's time zone
/// (a shared link shows everyone the same times).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Carry<'a> {
    /// `embed=1`.
    pub embed: bool,
    /// `tz=…`: the zone the page shows times in, unless local.
    pub tz: Option<&'a str>,
}

impl Carry<'_> {
    /// `href` with the flags appended.
    pub fn href(&self, href: &str) -> String {
        let mut out = href.to_owned();
        let mut sep = if href.contains('?') { '&' } else { '?' };
        if self.embed {
            out.push(sep);
            out.push_str("embed=1");
            sep = '&';
        }
        if let Some(tz) = self.tz {
            out.push(sep);
            out.push_str("tz=");
            out.push_str(&encode(tz));
        }
        out
    }
}

/// The console URL of a ticket.
pub fn ticket_href(id: &str, carry: Carry<'_>) -> String {
    carry.href(&format!("/executions/{}", encode(id)))
}

/// The console URL of a list view (`/executions?creator=…`), from the
/// operation's own query parts; the default page size and a zero offset are
/// left out.
pub fn list_href(op: &ListExecutions, carry: Carry<'_>) -> String {
    let mut out = String::from("/executions");
    let parts = op.parts().map(|p| p.query).unwrap_or_default();
    let mut sep = '?';
    for (k, v) in &parts {
        if (*k == "limit" && *v == DEFAULT_LIMIT.to_string()) || (*k == "offset" && v == "0") {
            continue;
        }
        out.push(sep);
        out.push_str(k);
        out.push('=');
        out.push_str(&encode(v));
        sep = '&';
    }
    carry.href(&out)
}

/// The time range of a list query (`start_time`, `end_time`), as a query
/// without `?`: what the list keeps across visits. Empty when it has none
/// or the query is not valid.
pub fn time_range(search: &str) -> String {
    let Ok(op) = parse_query(search) else {
        return String::new();
    };
    let range = ListExecutions {
        start_time: op.start_time,
        end_time: op.end_time,
        ..ListExecutions::default()
    };
    list_href(&range, Carry::default())
        .trim_start_matches("/executions")
        .trim_start_matches('?')
        .to_owned()
}

/// Where a visit to the list should go instead: with the kept time range
/// when the visit names no filter at all (the nav link, a bookmark of the
/// bare list). `None` keeps the visit's URL: it has filters, or nothing
/// valid was kept.
pub fn visit_with_range(search: &str, kept: &str, carry: Carry<'_>) -> Option<String> {
    if !query_pairs(search).is_empty() || kept.is_empty() {
        return None;
    }
    let op = parse_query(&format!("?{kept}")).ok()?;
    (op.start_time.is_some() || op.end_time.is_some()).then(|| list_href(&op, carry))
}

/// One page of the list as the service answered it, for one query.
#[derive(Debug, Clone, PartialEq)]
pub struct Answered {
    /// The URL query (`?…`) the page answers.
    pub search: String,
    /// The page.
    pub page: Page<Execution>,
}

/// The list view's state.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListModel {
    /// The last good page, with the query it answers.
    pub last: Option<Arc<Answered>>,
    /// How the answers have gone (reset with new filters).
    pub fresh: Freshness,
}

/// What the list body shows.
#[derive(Debug, Clone, PartialEq)]
pub enum ListBody {
    /// The link's filters do not parse.
    Invalid(String),
    /// Nothing yet.
    Loading,
    /// The first load failed.
    Failed(ApiFailure),
    /// A page without tickets: the words, and whether to offer "Clear".
    Empty(&'static str, bool),
    /// Tickets.
    Rows {
        /// The page.
        page: Arc<Answered>,
        /// Its position: 0-based page number and page count.
        at: (usize, usize),
        /// "1–20 of 57".
        range: String,
    },
}

impl ListModel {
    /// New filters: an old page's age and failures are not theirs.
    pub fn filters_changed(&mut self) {
        self.fresh = Freshness::default();
    }

    /// Takes in the answer for `search`.
    pub fn absorb(&mut self, search: &str, answer: Result<Page<Execution>, ApiFailure>, now: f64) {
        match answer {
            Ok(page) => {
                self.last = Some(Arc::new(Answered {
                    search: search.to_owned(),
                    page,
                }));
                self.fresh.answered(None, now);
            }
            Err(e) => self.fresh.answered(Some(&e), now),
        }
    }

    /// The page for `search`, when it is the one held.
    pub fn current(&self, search: &str) -> Option<&Arc<Answered>> {
        self.last.as_ref().filter(|a| a.search == search)
    }

    /// `Some(any ticket active?)` once a page is held.
    pub fn active(&self) -> Option<bool> {
        self.last.as_ref().map(|a| {
            a.page
                .items
                .iter()
                .any(|t| t.status_or_unknown().is_active())
        })
    }

    /// Poll while a listed ticket is active, or a failure may pass.
    pub fn want(&self) -> Want {
        match self.active() {
            Some(true) => Want::Normal,
            None if self.fresh.transient() => Want::Normal,
            _ => Want::Stop,
        }
    }

    /// What the body shows for the URL query `search`.
    pub fn body(&self, search: &str, count: impl Fn(usize) -> String) -> ListBody {
        let op = match parse_query(search) {
            Ok(op) => op,
            Err(e) => {
                return ListBody::Invalid(tr!("The filters in this link are not valid: {e}."));
            }
        };
        let Some(answered) = self.current(search) else {
            return match &self.fresh.error {
                Some(e) => ListBody::Failed(e.clone()),
                None => ListBody::Loading,
            };
        };
        let page = &answered.page;
        let limit = op.limit.unwrap_or(DEFAULT_LIMIT).max(1) as usize;
        let offset = op.offset.unwrap_or(0) as usize;
        let total = page.total as usize;
        if page.items.is_empty() {
            let filtered = op
                != ListExecutions {
                    limit: op.limit,
                    offset: op.offset,
                    ..ListExecutions::default()
                };
            return if offset > 0 && total > 0 {
                ListBody::Empty(tr!("No tickets on this page."), true)
            } else if filtered {
                ListBody::Empty(tr!("No tickets match these filters."), true)
            } else {
                ListBody::Empty(tr!("No tickets yet."), offset > 0)
            };
        }
        ListBody::Rows {
            page: answered.clone(),
            at: (offset / limit, total.div_ceil(limit)),
            range: tr!(
                "{}–{} of {}",
                count(offset + 1),
                count(offset + page.items.len()),
                count(total)
            ),
        }
    }
}

/// The ticket an audit record is about (ExecuteDocument records name the
/// ticket they started).
pub fn record_ticket(r: &AuditRecord) -> Option<&str> {
    r.execution_id.as_deref().or(r.new_execution_id.as_deref())
}

/// "Operated by me": each ticket once, with its newest record of the
/// operator's and how many there were, newest first (the trail's order).
pub fn mine_tickets(page: &AuditPage) -> Vec<(&AuditRecord, usize)> {
    let mut out: Vec<(&AuditRecord, usize)> = Vec::new();
    for r in &page.records {
        let Some(id) = record_ticket(r) else { continue };
        match out.iter_mut().find(|(o, _)| record_ticket(o) == Some(id)) {
            Some((_, n)) => *n += 1,
            None => out.push((r, 1)),
        }
    }
    out
}
