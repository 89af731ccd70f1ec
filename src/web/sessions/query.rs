//! The queue's URL: every filter lives in the query string, so a queue can be bookmarked,
//! shared, and continued from a case page ("next session").

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use uuid::Uuid;

use crate::domain::dates;
use crate::domain::sla::{SlaFilter, Targets};
use crate::domain::status::SessionStatus;
use crate::store::paging::{Cursor, PageAt};
use crate::store::queue::{self, AccountFilter, AssigneeFilter, QueueFilter};
use crate::web::auth::CurrentUser;

/// The queue's parameters as they appear in the URL (unparsed, so a form can show back
/// what was typed).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueParams {
    /// `status`, repeatable.
    pub statuses: Vec<String>,
    /// `q`: name, email or account external id.
    pub q: String,
    /// `account`: an account id or external id.
    pub account: String,
    /// `assignee`: `me`, `unassigned`, a user id or a username.
    pub assignee: String,
    /// `created_from`: `YYYY-MM-DD`.
    pub created_from: String,
    /// `created_to`: `YYYY-MM-DD`, inclusive.
    pub created_to: String,
    /// `sort`: `newest`, `oldest` (by creation) or `waiting` (longest waiting first).
    pub sort: String,
    /// `redacted`: `only` or `exclude`.
    pub redacted: String,
    /// `sla`: `due_soon` or `breached` (see [`crate::domain::sla`]).
    pub sla: String,
    /// `after`: cursor of the next page.
    pub after: String,
    /// `before`: cursor of the previous page.
    pub before: String,
    /// A manager's `q` or external-id `account` was dropped ([`MANAGERS_CANNOT_SEARCH`]).
    pub refused_search: bool,
}

/// Why a manager's search is not applied: a search that narrows the queue would tell them
/// the personal data the masking hides, one guessed letter at a time.
pub const MANAGERS_CANNOT_SEARCH: &str =
    "Managers cannot search by name, email or external id; the search was not applied.";

/// The work queue: what a reviewer is there to decide.
pub const WORK_STATUSES: [SessionStatus; 2] =
    [SessionStatus::Completed, SessionStatus::MarkedForReview];

impl QueueParams {
    /// Reads a query string. An empty one means the role's starting queue: reviewers and
    /// admins start on the work queue, oldest first; managers on everything, newest first.
    pub fn parse(query: &str, user: &CurrentUser) -> Self {
        let mut p = QueueParams::default();
        let mut every_status = false;
        for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
            let v = v.into_owned();
            match k.as_ref() {
                "status" if !v.is_empty() => p.statuses.push(v),
                "q" => p.q = v,
                "account" => p.account = v,
                "assignee" => p.assignee = v,
                "created_from" => p.created_from = v,
                "created_to" => p.created_to = v,
                "sort" => p.sort = v,
                "redacted" => p.redacted = v,
                "sla" => p.sla = v,
                "after" => p.after = v,
                "before" => p.before = v,
                "every_status" => every_status = v == "1",
                _ => {}
            }
        }
        // The search form's "in every status" (checked unless the reviewer narrows): an
        // earlier, decided session is what a search is often for. Status chips narrow again.
        if every_status && !p.q.trim().is_empty() {
            p.statuses.clear();
            if p.sort == "waiting" || p.sort == "due" {
                p.sort = "newest".to_owned();
            }
        }
        if query.trim().is_empty() && user.can_work_cases() {
            p = Self::work_queue();
        }
        // Dropped here, not just left out of the filter, so that no link of the page (tabs,
        // chips, pages, "next session") carries the search on. An account id may stay: it
        // is not personal data.
        if user.sees_masked_data() {
            let external =
                !p.account.trim().is_empty() && Uuid::parse_str(p.account.trim()).is_err();
            if !p.q.trim().is_empty() || external {
                p.refused_search = true;
                p.q.clear();
            }
            if external {
                p.account.clear();
            }
        }
        p
    }

    /// The work queue's parameters.
    pub fn work_queue() -> Self {
        QueueParams {
            statuses: WORK_STATUSES
                .iter()
                .map(|s| s.as_str().to_owned())
                .collect(),
            sort: "waiting".to_owned(),
            redacted: "exclude".to_owned(),
            ..QueueParams::default()
        }
    }

    /// Failed sessions, longest waiting first: a view of their own, outside the work queue.
    pub fn failed() -> Self {
        QueueParams {
            statuses: vec![SessionStatus::Failed.as_str().to_owned()],
            sort: "waiting".to_owned(),
            redacted: "exclude".to_owned(),
            ..QueueParams::default()
        }
    }

    /// These parameters without one filter: the link of an active filter's "×".
    pub fn without(&self, filter: &str) -> Self {
        let mut p = self.clone();
        match filter {
            "status" => p.statuses.clear(),
            "q" => p.q.clear(),
            "account" => p.account.clear(),
            "assignee" => p.assignee.clear(),
            "created_from" => p.created_from.clear(),
            "created_to" => p.created_to.clear(),
            "redacted" => p.redacted.clear(),
            "sla" => p.sla.clear(),
            _ => {}
        }
        if filter == "status" && (p.sort == "waiting" || p.sort == "due") && p.sla.is_empty() {
            p.sort = "oldest".to_owned();
        }
        p.after.clear();
        p.before.clear();
        p
    }

    /// The query string of these filters, without paging: for links that keep the queue.
    pub fn filter_query(&self) -> String {
        // Room for the usual query at once: a page writes a score of them (chips, tabs).
        let mut s = url::form_urlencoded::Serializer::new(String::with_capacity(96));
        for st in &self.statuses {
            s.append_pair("status", st);
        }
        for (k, v) in [
            ("q", &self.q),
            ("account", &self.account),
            ("assignee", &self.assignee),
            ("created_from", &self.created_from),
            ("created_to", &self.created_to),
            ("sort", &self.sort),
            ("redacted", &self.redacted),
            ("sla", &self.sla),
        ] {
            if !v.is_empty() {
                s.append_pair(k, v);
            }
        }
        s.finish()
    }

    /// These filters with one more pair (a cursor).
    pub fn with(&self, key: &str, value: &str) -> String {
        let base = self.filter_query();
        let pair = url::form_urlencoded::Serializer::new(String::new())
            .append_pair(key, value)
            .finish();
        if base.is_empty() {
            pair
        } else {
            format!("{base}&{pair}")
        }
    }

    /// Whether `status` is one of the selected statuses.
    pub fn has_status(&self, status: &str) -> bool {
        self.statuses.iter().any(|s| s == status)
    }

    /// Parses into a filter and a page position. Each value that cannot be used is left
    /// out and explained in the returned messages, so a typo never becomes a 500.
    pub fn to_filter(
        &self,
        me: &CurrentUser,
        targets: Targets,
        resolve_username: &mut dyn FnMut(&str) -> Option<Uuid>,
    ) -> (QueueFilter, PageAt, Vec<String>) {
        let mut f = QueueFilter {
            targets,
            ..QueueFilter::default()
        };
        let mut problems = Vec::new();
        if self.refused_search {
            problems.push(MANAGERS_CANNOT_SEARCH.to_owned());
        }
        for s in &self.statuses {
            match s.parse::<SessionStatus>() {
                Ok(st) if !f.statuses.contains(&st) => f.statuses.push(st),
                Ok(_) => {}
                Err(e) => problems.push(format!("Status \"{s}\" is not a status: it {e}.")),
            }
        }
        let q = self.q.trim();
        if !q.is_empty() {
            if q.chars().count() < 3 && queue::exact(q).is_none() {
                problems.push(
                    "Search needs at least 3 characters, or a two-letter surname; it was not applied."
                        .to_owned(),
                );
            } else if q.chars().count() > 200 {
                problems
                    .push("Search is limited to 200 characters; it was not applied.".to_owned());
            } else if has_control(q) {
                problems.push(CONTROL.replace("{label}", "Search"));
            } else {
                f.search = Some(q.to_owned());
            }
        }
        let account = self.account.trim();
        if has_control(account) {
            problems.push(CONTROL.replace("{label}", "Account"));
        } else if !account.is_empty() {
            f.account = Some(match Uuid::parse_str(account) {
                Ok(id) => AccountFilter::Id(id),
                Err(_) => AccountFilter::External(account.to_owned()),
            });
        }
        match self.assignee.trim() {
            "" => {}
            "me" => f.assignee = Some(AssigneeFilter::User(me.id)),
            "unassigned" => f.assignee = Some(AssigneeFilter::Unassigned),
            other => match Uuid::parse_str(other)
                .ok()
                .or_else(|| resolve_username(other))
            {
                Some(id) => f.assignee = Some(AssigneeFilter::User(id)),
                None => problems.push(format!(
                    "Assignee \"{other}\" is not a user; use me, unassigned or a username."
                )),
            },
        }
        let date = |label: &str, raw: &str, problems: &mut Vec<String>| -> Option<NaiveDate> {
            let raw = raw.trim();
            if raw.is_empty() {
                return None;
            }
            match NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
                Ok(d) if dates::date_in_range(d) => Some(d),
                Ok(_) => {
                    problems.push(format!(
                        "{label} \"{raw}\" is outside {}; it was not applied.",
                        dates::RANGE
                    ));
                    None
                }
                Err(_) => {
                    problems.push(format!(
                        "{label} \"{raw}\" is not a date like 2026-11-25; it was not applied."
                    ));
                    None
                }
            }
        };
        let start_of = |d: NaiveDate| d.and_hms_opt(0, 0, 0).map(|t| Utc.from_utc_datetime(&t));
        f.created_from = date("Created from", &self.created_from, &mut problems).and_then(start_of);
        f.created_before = date("Created to", &self.created_to, &mut problems)
            .and_then(|d| start_of(d + Duration::days(1)));
        if let (Some(a), Some(b)) = (f.created_from, f.created_before)
            && a >= b
        {
            problems.push("Created from is after created to: nothing can match.".to_owned());
        }
        match self.sla.as_str() {
            "" => {}
            raw => match SlaFilter::parse(raw) {
                Some(sla) => {
                    // Only the waiting statuses have a due time.
                    let asked = !f.statuses.is_empty();
                    f.statuses.retain(|s| targets.of(*s).is_some());
                    if f.statuses.is_empty() && asked {
                        problems.push(format!(
                            "Only waiting sessions (completed, failed, marked for review) can be {}; \
                             that filter was not applied.",
                            sla.label()
                        ));
                    } else {
                        if f.statuses.is_empty() {
                            f.statuses = Targets::STATUSES.to_vec();
                        }
                        f.sla = Some(sla);
                    }
                }
                None => problems.push(format!(
                    "Service level \"{raw}\" is not due_soon or breached; it was not applied."
                )),
            },
        }
        match self.sort.as_str() {
            "" | "newest" => f.oldest_first = false,
            "oldest" => f.oldest_first = true,
            "due" => {
                f.oldest_first = true;
                let waiting = !f.statuses.is_empty() && f.statuses.iter().all(|s| s.is_waiting());
                if waiting
                    && f.search
                        .as_deref()
                        .is_none_or(|q| queue::exact(q).is_some())
                {
                    f.by_waiting = true;
                    f.by_due = true;
                } else {
                    problems.push(
                        "Due first sorts the waiting statuses only (completed, failed, marked for \
                         review), without a search; oldest first is used."
                            .to_owned(),
                    );
                }
            }
            "waiting" => {
                f.oldest_first = true;
                let waiting = !f.statuses.is_empty() && f.statuses.iter().all(|s| s.is_waiting());
                let searchable = f
                    .search
                    .as_deref()
                    .is_none_or(|q| queue::exact(q).is_some());
                if waiting && searchable {
                    f.by_waiting = true;
                } else if !waiting {
                    problems.push(
                        "Longest waiting first sorts the waiting statuses only (completed, failed, \
                         marked for review); oldest first is used."
                            .to_owned(),
                    );
                } else {
                    problems
                        .push("A search is sorted by creation; oldest first is used.".to_owned());
                }
            }
            other => problems.push(format!(
                "Sort \"{other}\" is not newest, oldest, waiting or due; newest first is used."
            )),
        }
        match self.redacted.as_str() {
            "" => {}
            "only" => f.redacted = Some(true),
            "exclude" => f.redacted = Some(false),
            other => problems.push(format!(
                "Redacted \"{other}\" is not only or exclude; it was not applied."
            )),
        }
        let mut at = PageAt::First;
        if !self.after.is_empty() || !self.before.is_empty() {
            let after = Cursor::decode(&self.after);
            let before = Cursor::decode(&self.before);
            match (after, before) {
                (Some(c), _) => at = PageAt::After(c),
                (None, Some(c)) => at = PageAt::Before(c),
                _ => problems.push(
                    "That page link is not valid (any more); showing the first page.".to_owned(),
                ),
            }
        }
        (f, at, problems)
    }
}

/// Text with control characters (NUL among them) cannot be compared with anything stored,
/// and Postgres refuses a NUL outright: such a filter is named and left out.
fn has_control(text: &str) -> bool {
    text.chars().any(char::is_control)
}

const CONTROL: &str = "{label} contains control characters; it was not applied.";
