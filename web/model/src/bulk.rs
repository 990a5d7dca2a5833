//! Bulk operations on the list: which tickets are picked, the frozen
//! preview of one operation on exactly those, and the run that sends it.
//!
//! The rules, so that they are tested here and not in a browser:
//! - a [`Selection`] holds only ids a person picked (a row, a shift-click
//!   range of rows, the page's rows), never "everything the filter
//!   matches", and at most [`BULK_MAX`];
//! - a [`BulkRun`] is made once from fresh answers for those ids and is not
//!   widened or re-read afterwards: a ticket is sent the operation only if
//!   the core's guidance and the operator's grants allowed it then, and
//!   every other one is listed as skipped, with the reason;
//! - sending takes one ticket at a time ([`BulkRun::take_next`], at most
//!   [`BULK_CONCURRENCY`] in flight), and the ticket is marked as being sent
//!   *before* the request exists, so a run read back after a reload finds
//!   it "outcome unknown" ([`BulkRun::reloaded`]) and never sends it again;
//!   nothing is retried.
//!
//! What it deliberately does not do: send, store or read a clock (the
//! console does; `now` is a parameter).

use std::sync::Arc;

use coc_core::gateway::{Me, Permission};
use coc_core::{Execution, ExecutionStatus, OperateType, Operated};
use coc_i18n::tr;

use crate::ApiFailure;
use crate::record::{PendingOp, opt, unescape};
use crate::words;

/// How many operations of a run are in flight at once.
pub const BULK_CONCURRENCY: usize = 4;

/// The most tickets one run takes (a page of the list at its largest).
pub const BULK_MAX: usize = 100;

/// The tickets picked on the list, in the order they were picked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    ids: Vec<String>,
    /// The row clicked last, where a shift-click range starts.
    anchor: Option<String>,
}

impl Selection {
    /// The picked ids.
    pub fn ids(&self) -> &[String] {
        &self.ids
    }

    /// Whether `id` is picked.
    pub fn contains(&self, id: &str) -> bool {
        self.ids.iter().any(|i| i == id)
    }

    /// How many are picked.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether nothing is picked.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    fn set(&mut self, id: &str, on: bool) {
        match (on, self.contains(id)) {
            (true, false) if self.ids.len() < BULK_MAX => self.ids.push(id.to_owned()),
            (false, true) => self.ids.retain(|i| i != id),
            _ => {}
        }
    }

    /// A click on `id`'s checkbox. With shift, every row of `page` from the
    /// last clicked one to this one takes this row's new state.
    pub fn click(&mut self, id: &str, shift: bool, page: &[String]) {
        let on = !self.contains(id);
        let at = |x: &str| page.iter().position(|p| p == x);
        let range: Vec<String> = match (shift, self.anchor.as_deref().and_then(at), at(id)) {
            (true, Some(a), Some(b)) => page[a.min(b)..=a.max(b)].to_vec(),
            _ => vec![id.to_owned()],
        };
        for r in &range {
            self.set(r, on);
        }
        self.anchor = Some(id.to_owned());
    }

    /// Whether every row of `page` is picked.
    pub fn has_all(&self, page: &[String]) -> bool {
        !page.is_empty() && page.iter().all(|p| self.contains(p))
    }

    /// The header checkbox: the whole page picked, or, when it was, none of
    /// it. Rows of other pages stay as they are.
    pub fn toggle_page(&mut self, page: &[String]) {
        let on = !self.has_all(page);
        for p in page {
            self.set(p, on);
        }
    }

    /// Nothing picked.
    pub fn clear(&mut self) {
        *self = Selection::default();
    }
}

/// Where one ticket of a run is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sent {
    /// Its status is to be read for the preview.
    Unread,
    /// Its status is being read.
    Reading,
    /// Not sent yet (or never: see [`BulkItem::skip`]).
    Queued,
    /// The request left; no answer yet.
    Sending,
    /// The service accepted it.
    Succeeded,
    /// The gateway or the service refused it, or it could not be sent.
    Refused,
    /// Sent, and no usable answer came back: it may have been applied.
    Unknown,
    /// Stopped, or the page reloaded, before it was sent.
    NotSent,
}

impl Sent {
    /// The CSS and test hook (`data-result`).
    pub fn as_str(self) -> &'static str {
        match self {
            Sent::Unread => "unread",
            Sent::Reading => "reading",
            Sent::Queued => "queued",
            Sent::Sending => "sending",
            Sent::Succeeded => "succeeded",
            Sent::Refused => "refused",
            Sent::Unknown => "unknown",
            Sent::NotSent => "not-sent",
        }
    }

    fn parse(s: &str) -> Option<Sent> {
        [
            Sent::Unread,
            Sent::Reading,
            Sent::Queued,
            Sent::Sending,
            Sent::Succeeded,
            Sent::Refused,
            Sent::Unknown,
            Sent::NotSent,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
}

/// One ticket of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct BulkItem {
    /// The ticket.
    pub id: String,
    /// Its job's name, when read.
    pub job: Option<String>,
    /// Its status when the preview was made.
    pub status: Option<ExecutionStatus>,
    /// Its `update_time` then.
    pub update_time: Option<i64>,
    /// Why it is not sent the operation; none: it is.
    pub skip: Option<String>,
    /// Where it is.
    pub sent: Sent,
    /// What the answer said: the failure's title, or why it was not sent.
    pub detail: Option<String>,
    /// The service's `error_code`.
    pub code: Option<String>,
    /// The service's `error_msg`, as sent.
    pub msg: Option<String>,
    /// The request id of the answer.
    pub request_id: Option<String>,
}

/// One operation on a fixed set of tickets: a preview until it is started,
/// then its results. Kept per tab (sessionStorage), like a pending
/// operation, so a reload shows it again and sends nothing.
#[derive(Debug, Clone, PartialEq)]
pub struct BulkRun {
    /// The operation.
    pub op: OperateType,
    /// When the statuses were read, epoch ms.
    pub made_at: f64,
    /// The tickets, in the order picked.
    pub items: Vec<BulkItem>,
    /// The reason sent with every operation, as typed.
    pub reason: Option<String>,
    /// Send was pressed.
    pub started: bool,
    /// Stop was pressed (or the page reloaded mid-run).
    pub stopped: bool,
}

/// The first line of a stored run: what it is and its format's version.
const STORED: &str = "coc-bulk/1";

/// A field of a line: tabs, line breaks and backslashes escaped.
fn field(out: &mut String, value: Option<&str>) {
    out.push('\t');
    for c in value.unwrap_or_default().chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

impl BulkRun {
    /// The run as stored: tab-separated lines, the run and then a line per
    /// ticket. Not JSON through serde like the console's other records:
    /// serde's derived code for the run, its items and their state came to
    /// about 8 KB of the console's wasm (twiggy, release build), and the
    /// record envelope's instantiations 1.5 KB more.
    pub fn encode(&self) -> String {
        let flag = |b: bool| Some(if b { "1" } else { "0" });
        let mut out = format!("{STORED}\n{}", self.op.as_str());
        field(&mut out, Some(&(self.made_at as i64).to_string()));
        field(&mut out, flag(self.started));
        field(&mut out, flag(self.stopped));
        field(&mut out, self.reason.as_deref());
        for i in &self.items {
            out.push('\n');
            out.push_str(&i.id);
            field(&mut out, i.job.as_deref());
            field(&mut out, i.status.as_ref().map(ExecutionStatus::as_str));
            field(&mut out, i.update_time.map(|t| t.to_string()).as_deref());
            field(&mut out, i.skip.as_deref());
            field(&mut out, Some(i.sent.as_str()));
            field(&mut out, i.detail.as_deref());
            field(&mut out, i.code.as_deref());
            field(&mut out, i.msg.as_deref());
            field(&mut out, i.request_id.as_deref());
        }
        out
    }

    /// A stored run read back; none when it is not one this console wrote
    /// (the caller drops it).
    pub fn decode(text: &str) -> Option<BulkRun> {
        let mut lines = text.strip_prefix(STORED)?.strip_prefix('\n')?.split('\n');
        let mut head = lines.next()?.split('\t');
        let op = OperateType::parse(head.next()?).ok()?;
        let made_at = head.next()?.parse::<i64>().ok()? as f64;
        let started = head.next()? == "1";
        let stopped = head.next()? == "1";
        let reason = head.next().map(unescape).as_deref().and_then(opt);
        let mut items = Vec::new();
        for line in lines {
            let mut f = line.split('\t').map(unescape);
            let mut next = || f.next().as_deref().and_then(opt);
            items.push(BulkItem {
                id: next()?,
                job: next(),
                status: next().map(|s| ExecutionStatus::from_wire(&s)),
                update_time: next().and_then(|t| t.parse().ok()),
                skip: next(),
                sent: Sent::parse(&next()?)?,
                detail: next(),
                code: next(),
                msg: next(),
                request_id: next(),
            });
        }
        Some(BulkRun {
            op,
            made_at,
            items,
            reason,
            started,
            stopped,
        })
    }
}

/// How each ticket of a run ended, counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// To be sent (allowed by the preview).
    pub allowed: usize,
    /// Listed as skipped.
    pub skipped: usize,
    /// Answered or given up on.
    pub done: usize,
    /// Accepted.
    pub succeeded: usize,
    /// Refused or failed to send.
    pub refused: usize,
    /// Outcome unknown.
    pub unknown: usize,
    /// Not sent.
    pub not_sent: usize,
    /// In flight.
    pub in_flight: usize,
}

impl BulkRun {
    /// The preview of `op` on the picked tickets (in the order picked),
    /// before their statuses are read.
    pub fn new(op: OperateType, ids: &[String], now: f64) -> BulkRun {
        let items = ids
            .iter()
            .map(|id| BulkItem {
                id: id.clone(),
                job: None,
                status: None,
                update_time: None,
                skip: None,
                sent: Sent::Unread,
                detail: None,
                code: None,
                msg: None,
                request_id: None,
            })
            .collect();
        BulkRun {
            op,
            made_at: now,
            items,
            reason: None,
            started: false,
            stopped: false,
        }
    }

    /// The fresh answer for one ticket of the preview. `me`: who the gateway
    /// says the caller is, when it says; `pending`: the operation of this
    /// tab still awaited on that ticket, if any.
    pub fn read(
        &mut self,
        id: &str,
        answer: Result<Arc<Execution>, ApiFailure>,
        me: Option<&Me>,
        pending: Option<OperateType>,
        now: f64,
    ) {
        let op = self.op;
        let Some(item) = self
            .items
            .iter_mut()
            .find(|i| i.id == id && i.sent == Sent::Reading)
        else {
            return;
        };
        item.sent = Sent::Queued;
        item.skip = match answer {
            Err(e) => Some(tr!("Its status could not be read: {}", e.title())),
            Ok(t) => {
                item.job = t.document_name.clone();
                item.status = t.status.clone();
                item.update_time = t.update_time;
                words::not_offered(&t, op)
                    .or_else(|| me.and_then(|m| words::refusal(m, Permission::Operate(op))))
                    .or_else(|| {
                        // The ticket page's words for the same lock.
                        (pending == Some(op)).then(|| {
                            tr!(
                                "{op} was accepted; waiting for the ticket to reflect it.",
                                op = op.as_str()
                            )
                        })
                    })
            }
        };
        self.made_at = now;
    }

    /// Every picked ticket's status has been read.
    pub fn ready(&self) -> bool {
        self.items
            .iter()
            .all(|i| !matches!(i.sent, Sent::Unread | Sent::Reading))
    }

    /// The counts, for the summary and the confirmation.
    pub fn tally(&self) -> Tally {
        let mut t = Tally::default();
        for i in &self.items {
            if i.skip.is_some() {
                t.skipped += 1;
                continue;
            }
            t.allowed += 1;
            match i.sent {
                Sent::Unread | Sent::Queued => {}
                Sent::Reading | Sent::Sending => t.in_flight += 1,
                Sent::Succeeded => t.succeeded += 1,
                Sent::Refused => t.refused += 1,
                Sent::Unknown => t.unknown += 1,
                Sent::NotSent => t.not_sent += 1,
            }
        }
        t.done = t.succeeded + t.refused + t.unknown + t.not_sent;
        t
    }

    /// Whether Send may be pressed with `typed` in the count field: some
    /// ticket is to be sent, and for TERMINATE their number was typed.
    pub fn confirmed(&self, typed: &str) -> bool {
        let n = self.tally().allowed;
        !self.started
            && self.ready()
            && n > 0
            && (self.op != OperateType::Terminate || typed.trim() == n.to_string())
    }

    /// Send was pressed, with this reason.
    pub fn start(&mut self, reason: Option<String>) {
        self.started = true;
        self.reason = reason;
    }

    /// Started, and every ticket answered or given up on.
    pub fn finished(&self) -> bool {
        let t = self.tally();
        self.started && t.done == t.allowed
    }

    /// The next ticket to read or to send, now marked as being read or sent
    /// (store the run before sending it): none when
    /// [`BULK_CONCURRENCY`] are in flight, or there is nothing to read and
    /// the run is not started, stopped, or done. `(id, true)`: send it.
    pub fn take_next(&mut self) -> Option<(String, bool)> {
        if self.tally().in_flight >= BULK_CONCURRENCY {
            return None;
        }
        let sending = self.started && !self.stopped;
        let item = self.items.iter_mut().find(|i| {
            i.sent == Sent::Unread || (sending && i.skip.is_none() && i.sent == Sent::Queued)
        })?;
        let send = item.sent == Sent::Queued;
        item.sent = if send { Sent::Sending } else { Sent::Reading };
        Some((item.id.clone(), send))
    }

    /// The answer for `id`. On success, or when the outcome is unknown, the
    /// ticket's pending operation to store, so its own page waits for it.
    pub fn answered(
        &mut self,
        id: &str,
        answer: Result<Operated, ApiFailure>,
        now: f64,
    ) -> Option<PendingOp> {
        let (op, reason) = (self.op, self.reason.clone());
        let item = self
            .items
            .iter_mut()
            .find(|i| i.id == id && i.sent == Sent::Sending)?;
        let (sent, unknown) = match answer {
            Ok(ok) => {
                item.request_id = ok.request_id;
                (Sent::Succeeded, false)
            }
            Err(e) => {
                item.request_id = e.request_id().map(str::to_owned);
                item.code = e.error_code().map(str::to_owned);
                item.msg = e.error_msg().map(str::to_owned);
                item.detail = Some(e.title());
                if e.outcome_unknown() {
                    (Sent::Unknown, true)
                } else {
                    (Sent::Refused, false)
                }
            }
        };
        item.sent = sent;
        (sent != Sent::Refused).then(|| PendingOp {
            op,
            from_status: item.status.as_ref().map(|s| s.as_str().to_owned()),
            from_update: item.update_time,
            accepted_at: now,
            request_id: item.request_id.clone(),
            reason,
            outcome_unknown: unknown,
        })
    }

    /// Stop: nothing more is sent; what is in flight still gets its answer.
    pub fn stop(&mut self) {
        self.halt(tr!("Stopped before it was sent."));
    }

    fn halt(&mut self, why: &str) {
        self.stopped = true;
        for i in &mut self.items {
            if i.skip.is_none() && i.sent == Sent::Queued {
                i.sent = Sent::NotSent;
                i.detail = Some(why.to_owned());
            }
        }
    }

    /// The run as read back after a reload: a ticket that was being sent
    /// has an unknown outcome (its answer went with the page), and a
    /// started run sends nothing more. A preview stays a preview.
    pub fn reloaded(mut self) -> BulkRun {
        if !self.started {
            // A read that went with the page is read again.
            for i in &mut self.items {
                if i.sent == Sent::Reading {
                    i.sent = Sent::Unread;
                }
            }
            return self;
        }
        for i in &mut self.items {
            if i.sent == Sent::Sending {
                i.sent = Sent::Unknown;
                i.detail = Some(
                    tr!("Sent as the page reloaded: it may have been applied. Check the ticket.")
                        .to_owned(),
                );
            }
        }
        self.left();
        self
    }

    /// The page is going away (reload, navigation): a started run sends
    /// nothing more, even when the answers that the browser cuts off come
    /// back as failures and would free a place for the next.
    pub fn left(&mut self) {
        if self.started && !self.finished() {
            self.halt(tr!("The page was left before it was sent."));
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use coc_core::gateway::Me;

    fn api(status: u16, code: &str, msg: &str, rid: &str) -> ApiFailure {
        ApiFailure::Core(coc_core::Error::Api(coc_core::ApiError {
            status,
            error_code: Some(code.into()),
            error_msg: Some(msg.into()),
            request_id: Some(rid.into()),
        }))
    }

    fn ids(n: usize) -> Vec<String> {
        (1..=n).map(|i| format!("EX{i}")).collect()
    }

    fn ticket(id: &str, status: ExecutionStatus) -> Arc<Execution> {
        Arc::new(Execution {
            execution_id: Some(id.to_owned()),
            status: Some(status),
            update_time: Some(5),
            document_name: Some(format!("job-{id}")),
            ..Execution::default()
        })
    }

    #[test]
    fn clicks_pick_rows_and_shift_picks_a_range() {
        let page = ids(6);
        let mut s = Selection::default();
        s.click("EX2", false, &page);
        s.click("EX5", true, &page);
        assert_eq!(s.ids(), &["EX2", "EX3", "EX4", "EX5"]);
        // A shift-click that unpicks unpicks the range.
        s.click("EX4", false, &page);
        s.click("EX3", true, &page);
        assert_eq!(s.ids(), &["EX2", "EX5"]);
        // Shift with no anchor on this page is a plain click.
        let mut t = Selection::default();
        t.click("EX6", true, &page);
        assert_eq!(t.ids(), &["EX6"]);
    }

    #[test]
    fn the_page_box_picks_this_page_only_and_never_past_the_cap() {
        let mut s = Selection::default();
        s.click("OTHER", false, &[]);
        let page = ids(3);
        s.toggle_page(&page);
        assert!(s.has_all(&page));
        assert_eq!(s.len(), 4);
        s.toggle_page(&page);
        assert_eq!(s.ids(), &["OTHER"]);
        let big = ids(BULK_MAX + 10);
        s.toggle_page(&big);
        assert_eq!(s.len(), BULK_MAX);
        assert!(!s.has_all(&big));
    }

    /// A preview read through `take_next`, four at a time, as the console
    /// reads it, answered in reverse order within each round.
    fn preview(
        op: OperateType,
        answers: Vec<(String, Result<Arc<Execution>, ApiFailure>)>,
        me: Option<&Me>,
        pending: impl Fn(&str) -> Option<OperateType>,
    ) -> BulkRun {
        let ids: Vec<String> = answers.iter().map(|a| a.0.clone()).collect();
        let mut run = BulkRun::new(op, &ids, 0.0);
        let mut answers: std::collections::HashMap<_, _> = answers.into_iter().collect();
        while !run.ready() {
            let round: Vec<(String, bool)> = std::iter::from_fn(|| run.take_next()).collect();
            assert!(round.len() <= BULK_CONCURRENCY && !round.is_empty());
            assert!(
                !run.confirmed(&ids.len().to_string()),
                "no Send before every status is read"
            );
            for (id, send) in round.into_iter().rev() {
                assert!(!send, "nothing is sent while reading");
                let answer = answers.remove(&id).unwrap();
                run.read(&id, answer, me, pending(&id), 1.0);
            }
        }
        run
    }

    fn mixed() -> BulkRun {
        let answers = vec![
            ("EX1".into(), Ok(ticket("EX1", ExecutionStatus::Running))),
            ("EX2".into(), Ok(ticket("EX2", ExecutionStatus::Succeed))),
            ("EX3".into(), Err(api(404, "COC.404", "gone", "r"))),
            ("EX4".into(), Ok(ticket("EX4", ExecutionStatus::Pending))),
            ("EX5".into(), Ok(ticket("EX5", ExecutionStatus::Running))),
            ("EX6".into(), Ok(ticket("EX6", ExecutionStatus::Running))),
        ];
        let pending = |id: &str| (id == "EX6").then_some(OperateType::Terminate);
        preview(OperateType::Terminate, answers, None, pending)
    }

    #[test]
    fn the_preview_skips_what_the_guidance_the_answer_or_a_pending_operation_rules_out() {
        let run = mixed();
        let skipped: Vec<&str> = run
            .items
            .iter()
            .filter(|i| i.skip.is_some())
            .map(|i| i.id.as_str())
            .collect();
        assert_eq!(skipped, ["EX2", "EX3", "EX6"]);
        assert!(
            run.items[2]
                .skip
                .as_deref()
                .unwrap()
                .contains("could not be read")
        );
        assert!(
            run.items[5]
                .skip
                .as_deref()
                .unwrap()
                .contains("was accepted")
        );
        assert_eq!(run.tally().allowed, 3);
        // TERMINATE wants the count typed.
        assert!(!run.confirmed(""));
        assert!(!run.confirmed("6"));
        assert!(run.confirmed(" 3 "));
    }

    #[test]
    fn grants_that_forbid_the_operation_skip_every_ticket() {
        let me: Me = serde_json::from_str(
            r#"{"operator":"ann","mode":"tokens","roles":["viewer"],"permissions":["read"]}"#,
        )
        .unwrap();
        let answers = vec![("EX1".into(), Ok(ticket("EX1", ExecutionStatus::Running)))];
        let run = preview(OperateType::Terminate, answers, Some(&me), |_| None);
        assert!(run.items[0].skip.as_deref().unwrap().contains("viewer"));
        assert!(!run.confirmed("0"));
    }

    #[test]
    fn sending_keeps_four_in_flight_sends_each_once_and_stop_halts_the_rest() {
        let answers = ids(7)
            .into_iter()
            .map(|id| {
                let t = ticket(&id, ExecutionStatus::Running);
                (id, Ok(t))
            })
            .collect();
        let mut run = preview(OperateType::Retry, answers, None, |_| None);
        // Retry is not offered while processing: use a status that offers it.
        for i in &mut run.items {
            i.skip = None;
        }
        assert_eq!(run.take_next(), None, "nothing before Send");
        run.start(Some("incident 7".into()));
        let first: Vec<String> = std::iter::from_fn(|| run.take_next())
            .map(|(id, send)| {
                assert!(send);
                id
            })
            .collect();
        assert_eq!(first, ["EX1", "EX2", "EX3", "EX4"]);
        let p = run
            .answered(
                "EX1",
                Ok(Operated {
                    request_id: Some("q1".into()),
                }),
                9.0,
            )
            .unwrap();
        assert_eq!(p.reason.as_deref(), Some("incident 7"));
        assert_eq!(p.request_id.as_deref(), Some("q1"));
        // A second answer for the same ticket changes nothing.
        assert!(
            run.answered("EX1", Ok(Operated { request_id: None }), 9.0)
                .is_none()
        );
        assert_eq!(run.take_next(), Some(("EX5".into(), true)));
        run.stop();
        assert_eq!(run.take_next(), None);
        let t = run.tally();
        assert_eq!((t.in_flight, t.not_sent, t.succeeded), (4, 2, 1));
        assert!(!run.finished());
        let refused = api(400, "COC.00040001", "bad state", "q2");
        assert!(run.answered("EX2", Err(refused), 9.0).is_none());
        assert_eq!(run.items[1].code.as_deref(), Some("COC.00040001"));
        assert_eq!(run.items[1].msg.as_deref(), Some("bad state"));
        assert_eq!(run.items[1].request_id.as_deref(), Some("q2"));
        for id in ["EX3", "EX4", "EX5"] {
            run.answered(id, Ok(Operated { request_id: None }), 9.0);
        }
        assert!(run.finished());
    }

    #[test]
    fn a_reload_mid_run_sends_nothing_again() {
        let mut run = mixed();
        run.start(None);
        assert_eq!(run.take_next(), Some(("EX1".into(), true)));
        run.items[1].msg = Some("tab\there\nline \\ back".into());
        let back = BulkRun::decode(&run.encode()).unwrap().reloaded();
        let mut back = back;
        assert_eq!(back.items[1].msg, run.items[1].msg);
        assert_eq!(back.items[2].skip, run.items[2].skip);
        assert_eq!(back.items[0].sent, Sent::Unknown);
        assert_eq!(back.items[3].sent, Sent::NotSent);
        assert_eq!(back.take_next(), None);
        assert!(back.finished());
        // Leaving the page frees no place for the next.
        let mut leaving = mixed();
        leaving.start(None);
        assert!(leaving.take_next().is_some());
        leaving.left();
        leaving.answered("EX1", Err(api(502, "X", "cut off", "r")), 1.0);
        assert_eq!(leaving.take_next(), None);
        assert_eq!(BulkRun::decode("coc-bulk/1\nNOPE\t1"), None);
        assert_eq!(BulkRun::decode("TERMINATE\t1\t0\t0\t"), None);
        // A preview read back is still a preview.
        let preview = mixed();
        assert_eq!(preview.clone().reloaded(), preview);
        // A read lost with the page is read again; nothing is sent.
        let mut reading = BulkRun::new(OperateType::Resume, &ids(2), 0.0);
        assert_eq!(reading.take_next(), Some(("EX1".into(), false)));
        let mut back = BulkRun::decode(&reading.encode()).unwrap().reloaded();
        assert_eq!(back.take_next(), Some(("EX1".into(), false)));
        assert_eq!(back.take_next(), Some(("EX2".into(), false)));
        assert_eq!(back.take_next(), None);
    }
}
