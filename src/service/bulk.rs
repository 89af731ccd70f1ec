//! Bulk changes: one action asked for once (assign, unassign, mark for review, expire, add
//! a note) and applied to many sessions, each through the same service function as a
//! change made on its case page, each with its own event, each refusal kept with its
//! reason. Decisions are never bulk.
//!
//! A change is stored with its items before any session is touched. A short list is
//! worked by the request that asked for it; anything longer, and every "all matching"
//! change (its filter read into items first), by the background worker, in batches of
//! [`BATCH`] under a lease. Each batch settles its items and advances the change's `done`
//! counter in one transaction, so a restart loses nothing and repeats nothing: the next
//! worker to take the change up (its lease lapsed) goes on from `done`.

use std::time::Instant;

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use serde_json::json;
use uuid::Uuid;

use crate::domain::actor::{Actor, Worker};
use crate::domain::status::Action;
use crate::error::{AppError, Conflict};
use crate::service::casework;
use crate::service::transitions::{self, Request};
use crate::store::bulk::{self as store, BulkChange, NewBulkChange, Settled};
use crate::store::events::{self, NewEvent};
use crate::store::paging::PageAt;
use crate::store::queue::{self, QueueFilter};
use crate::store::users;

/// Sessions settled per transaction.
pub const BATCH: i64 = 100;
/// The most sessions one can tick on the queue and send at once.
pub const MAX_CHOSEN: usize = 500;
/// The most sessions one "all matching" change reaches.
pub const MAX_MATCHING: i64 = 1_000_000;
/// How long a worker's hold on a change lasts without a sign of life: after this, another
/// worker (on this instance after a restart, or on another) goes on with it.
pub fn lease() -> Duration {
    Duration::seconds(120)
}
/// Rows read per page while a filter is read into items.
const EXPAND_PAGE: i64 = 5000;

/// What a bulk change does to each session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BulkAction {
    /// Give each to this user (a reviewer or admin).
    Assign(Uuid),
    /// Take each away from whoever holds it.
    Unassign,
    /// Mark each for review.
    MarkForReview,
    /// Expire each (final).
    Expire,
    /// Add this note to each.
    Note(String),
}

impl BulkAction {
    /// Its stored code.
    pub fn code(&self) -> &'static str {
        match self {
            BulkAction::Assign(_) => "assign",
            BulkAction::Unassign => "unassign",
            BulkAction::MarkForReview => "mark_for_review",
            BulkAction::Expire => "expire",
            BulkAction::Note(_) => "note",
        }
    }

    /// The action of a stored change (a finished note change has lost its text: `None`).
    pub fn of(change: &BulkChange) -> Option<BulkAction> {
        Some(match change.action.as_str() {
            "assign" => BulkAction::Assign(change.assignee?),
            "unassign" => BulkAction::Unassign,
            "mark_for_review" => BulkAction::MarkForReview,
            "expire" => BulkAction::Expire,
            "note" => BulkAction::Note(change.note.clone()?),
            _ => return None,
        })
    }

    /// Whether it needs a role that works cases (marking and expiring do; assignment and
    /// notes are checked per case by their services).
    fn needs_case_worker(&self) -> bool {
        matches!(self, BulkAction::MarkForReview | BulkAction::Expire)
    }
}

/// Which sessions.
#[derive(Debug, Clone)]
pub enum Scope {
    /// These, ticked on the queue, in its order.
    Chosen(Vec<Uuid>),
    /// Every session the queue filter matches when the worker reads it.
    Matching(Box<QueueFilter>),
}

/// A change just asked for, and the lease on it when the caller is to work it itself.
#[derive(Debug, Clone)]
pub struct Requested {
    /// The change.
    pub change: BulkChange,
    /// Set when the list is short enough for the request to work it ([`work`]).
    pub lease: Option<Uuid>,
}

/// Checks and stores a bulk change by `by`, with an event; nothing is changed yet. A chosen
/// list of at most `inline_max` sessions comes back leased to the caller.
pub fn request(
    conn: &mut PgConnection,
    by: Worker,
    action: BulkAction,
    scope: Scope,
    query: &str,
    inline_max: usize,
    now: DateTime<Utc>,
) -> Result<Requested, AppError> {
    if action.needs_case_worker() && !by.role.works_cases() {
        return Err(AppError::Forbidden);
    }
    let action = match action {
        BulkAction::Note(text) => {
            BulkAction::Note(casework::check_note(&text).map_err(|e| rename_field(e, "note"))?)
        }
        BulkAction::Assign(to) => {
            casework::check_assignee(conn, to)?;
            if to != by.id && !by.role.oversees() {
                return Err(AppError::field(
                    "assignee",
                    "you can assign cases only to yourself",
                ));
            }
            BulkAction::Assign(to)
        }
        other => other,
    };
    let chosen = match &scope {
        Scope::Chosen(ids) => {
            let mut seen = std::collections::HashSet::new();
            let ids: Vec<Uuid> = ids.iter().copied().filter(|id| seen.insert(*id)).collect();
            if ids.is_empty() {
                return Err(AppError::field("ids", "choose at least one session"));
            }
            if ids.len() > MAX_CHOSEN {
                return Err(AppError::field(
                    "ids",
                    format!("at most {MAX_CHOSEN} sessions at once; select all matching instead"),
                ));
            }
            Some(ids)
        }
        Scope::Matching(_) => None,
    };
    let filter = match &scope {
        Scope::Matching(f) => Some(
            serde_json::to_value(f.as_ref())
                .map_err(|e| AppError::Unexpected(anyhow::anyhow!(e)))?,
        ),
        Scope::Chosen(_) => None,
    };
    let lease = chosen
        .as_ref()
        .filter(|ids| ids.len() <= inline_max)
        .map(|_| Uuid::new_v4());
    let new = NewBulkChange {
        requested_by: by.id,
        action: action.code().to_owned(),
        assignee: match action {
            BulkAction::Assign(to) => Some(to),
            _ => None,
        },
        note: match &action {
            BulkAction::Note(text) => Some(text.clone()),
            _ => None,
        },
        query: query.chars().take(2000).collect(),
        filter,
        total: chosen.as_ref().map(|ids| ids.len() as i32),
        lease_token: lease,
        lease_until: lease.map(|_| now + self::lease()),
        started_at: lease.map(|_| now),
    };
    conn.transaction(|conn| {
        let change = store::insert(conn, &new)?;
        if let Some(ids) = &chosen {
            store::insert_items(conn, change.id, 0, ids)?;
        }
        let mut details = json!({
            "bulk_change_id": change.id,
            "action": change.action,
            "sessions": change.total,
            "matching": chosen.is_none(),
        });
        if let Some(to) = change.assignee {
            details["assignee"] = json!(to);
        }
        events::insert(
            conn,
            &NewEvent::new(Actor::User(by.id), "bulk.requested", None).details(details),
        )?;
        Ok(Requested { change, lease })
    })
}

fn rename_field(e: AppError, field: &str) -> AppError {
    match e {
        AppError::Validation(mut errors) => {
            for error in &mut errors {
                error.field = field.to_owned();
            }
            AppError::Validation(errors)
        }
        other => other,
    }
}

/// How far one batch got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// More items are left.
    More,
    /// The change is over.
    Finished,
    /// Another worker holds the change now.
    Lost,
}

/// Works the change `id` under the lease `token`, batch by batch, until it is finished
/// (`Ok(true)`), the lease is lost, `stop` says so, or the `deadline` passes (`Ok(false)`:
/// the caller releases the lease or lets it lapse).
pub fn work(
    conn: &mut PgConnection,
    id: Uuid,
    token: Uuid,
    deadline: Option<Instant>,
    stop: &dyn Fn() -> bool,
) -> Result<bool, AppError> {
    loop {
        match step(conn, id, token, Utc::now())? {
            Step::Finished => return Ok(true),
            Step::Lost => return Ok(false),
            Step::More => {
                if stop() || deadline.is_some_and(|d| Instant::now() >= d) {
                    return Ok(false);
                }
            }
        }
    }
}

/// Takes up the oldest change that waits for a worker, if any, and works it to its end
/// (or until `stop`). Returns whether there was one.
pub fn work_next(conn: &mut PgConnection, stop: &dyn Fn() -> bool) -> Result<bool, AppError> {
    let now = Utc::now();
    if !store::any_waiting(conn, now)? {
        return Ok(false);
    }
    let token = Uuid::new_v4();
    let Some(id) = store::claim(conn, token, now, now + lease())? else {
        return Ok(false);
    };
    let finished = work(conn, id, token, None, stop)?;
    if !finished {
        // Stopped (shutting down): free it at once for whichever worker comes next.
        store::release(conn, id, token)?;
    }
    Ok(true)
}

/// Gives up a lease, so that the background worker goes on with the change.
pub fn release(conn: &mut PgConnection, id: Uuid, token: Uuid) -> Result<(), AppError> {
    store::release(conn, id, token)?;
    Ok(())
}

/// One batch, in one transaction.
fn step(
    conn: &mut PgConnection,
    id: Uuid,
    token: Uuid,
    now: DateTime<Utc>,
) -> Result<Step, AppError> {
    conn.transaction(|conn| {
        let Some(change) = store::lock_leased(conn, id, token)? else {
            return Ok(Step::Lost);
        };
        if change.finished_at.is_some() {
            return Ok(Step::Finished);
        }
        if change.cancelled_at.is_some() {
            end(conn, &change, now)?;
            return Ok(Step::Finished);
        }
        // Every session is changed in the requester's name, with their rights of now.
        let by = match users::find(conn, change.requested_by)? {
            Some(u) if !u.disabled => Worker {
                id: u.id,
                role: u.role,
            },
            _ => {
                store::cancel(conn, id, change.requested_by, now)?;
                let change = store::find(conn, id)?.unwrap_or(change);
                end(conn, &change, now)?;
                return Ok(Step::Finished);
            }
        };
        let Some(action) = BulkAction::of(&change) else {
            end(conn, &change, now)?;
            return Ok(Step::Finished);
        };
        let total = match change.total {
            Some(total) => total,
            None => expand(conn, &change)?,
        };
        let items = store::items_from(conn, id, change.done, BATCH)?;
        let mut settled = Vec::with_capacity(items.len());
        let mut counts = (0, 0, 0);
        for item in items {
            let (outcome, reason) = apply_one(conn, &action, by, item.session_id);
            match outcome {
                "changed" => counts.0 += 1,
                "unchanged" => counts.1 += 1,
                _ => counts.2 += 1,
            }
            settled.push(Settled {
                position: item.position,
                outcome,
                reason,
            });
        }
        store::settle(conn, id, &settled)?;
        let change = store::advance(conn, id, counts, now + lease())?;
        if change.done >= total {
            end(conn, &change, now)?;
            Ok(Step::Finished)
        } else {
            Ok(Step::More)
        }
    })
}

/// Reads an "all matching" change's filter into items, in the queue's order; returns how
/// many.
fn expand(conn: &mut PgConnection, change: &BulkChange) -> Result<i32, AppError> {
    let filter: QueueFilter = change
        .filter
        .clone()
        .map(serde_json::from_value)
        .transpose()
        .map_err(|e| AppError::Unexpected(anyhow::anyhow!("a stored bulk filter: {e}")))?
        .unwrap_or_default();
    let mut at = Some(PageAt::First);
    let mut total: i64 = 0;
    while let Some(page_at) = at {
        let limit = EXPAND_PAGE.min(MAX_MATCHING - total);
        if limit <= 0 {
            break;
        }
        let found = queue::page(conn, &filter, page_at, limit)?;
        at = found
            .next(page_at)
            .map(|r| PageAt::After(r.cursor_in(&filter)));
        let ids: Vec<Uuid> = found.rows.iter().map(|r| r.id).collect();
        store::insert_items(conn, change.id, total as i32, &ids)?;
        total += ids.len() as i64;
    }
    let total = total as i32;
    store::set_total(conn, change.id, total)?;
    Ok(total)
}

/// Applies the action to one session through its service, inside a savepoint: a refusal
/// undoes only that session's part.
fn apply_one(
    conn: &mut PgConnection,
    action: &BulkAction,
    by: Worker,
    session: Uuid,
) -> (&'static str, Option<String>) {
    let result = match action {
        BulkAction::Assign(to) => casework::assign(conn, session, Some(*to), by)
            .map(|a| (a.changed, "already assigned to them")),
        BulkAction::Unassign => {
            casework::assign(conn, session, None, by).map(|a| (a.changed, "already unassigned"))
        }
        BulkAction::MarkForReview => transitions::apply(
            conn,
            session,
            &Request::mark_for_review(Actor::User(by.id), None),
        )
        .map(|_| (true, "")),
        BulkAction::Expire => transitions::apply(
            conn,
            session,
            &Request::new(Action::Expire, Actor::User(by.id)),
        )
        .map(|_| (true, "")),
        BulkAction::Note(text) => {
            casework::add_note(conn, session, by.id, text).map(|_| (true, ""))
        }
    };
    match result {
        Ok((true, _)) => ("changed", None),
        Ok((false, why)) => ("unchanged", Some(why.to_owned())),
        Err(e) => ("refused", Some(refusal(&e))),
    }
}

/// Why a session was refused, in the words the result page lists.
pub fn refusal(e: &AppError) -> String {
    match e {
        AppError::Conflict(Conflict::WrongStatus {
            decided: Some(d), ..
        }) => match (&d.by, d.at) {
            (Some(by), Some(at)) => format!(
                "already {} by {by} at {}",
                d.outcome,
                at.format("%Y-%m-%d %H:%M UTC")
            ),
            (Some(by), None) => format!("already {} by {by}", d.outcome),
            (None, _) => format!("already {} by an integration", d.outcome),
        },
        AppError::Conflict(Conflict::WrongStatus { status, action, .. }) => {
            format!("it is {}: it cannot be {action}", status.label())
        }
        AppError::Conflict(Conflict::Redacted) => "its personal data was redacted".to_owned(),
        AppError::Conflict(c) => c.to_string(),
        AppError::Forbidden => "your role may not do this to this case".to_owned(),
        AppError::NotFound(_) => "no such session".to_owned(),
        AppError::Validation(errors) => errors
            .iter()
            .map(|e| e.message.clone())
            .collect::<Vec<_>>()
            .join("; "),
        other => {
            tracing::warn!(error = %other, "a bulk change could not change a session");
            "could not be changed: an error on our side".to_owned()
        }
    }
}

/// Ends a change, with its event.
fn end(conn: &mut PgConnection, change: &BulkChange, now: DateTime<Utc>) -> Result<(), AppError> {
    store::finish(conn, change.id, now)?;
    events::insert(
        conn,
        &NewEvent::new(Actor::User(change.requested_by), "bulk.finished", None).details(json!({
            "bulk_change_id": change.id,
            "action": change.action,
            "sessions": change.total,
            "changed": change.changed,
            "unchanged": change.unchanged,
            "refused": change.refused,
            "left": change.total.map(|t| t - change.done),
            "cancelled": change.cancelled_at.is_some(),
        })),
    )?;
    Ok(())
}

/// Whether `user` may see a change: its requester, managers and admins.
pub fn may_see(change: &BulkChange, user: Worker) -> bool {
    change.requested_by == user.id || user.role.oversees()
}

/// Cancels an unfinished change: the sessions not yet reached stay as they are. Its
/// requester, managers and admins may.
pub fn cancel(
    conn: &mut PgConnection,
    id: Uuid,
    by: Worker,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    conn.transaction(|conn| {
        let change = store::find(conn, id)?.ok_or(AppError::NotFound("bulk change"))?;
        if !may_see(&change, by) {
            return Err(AppError::NotFound("bulk change"));
        }
        if change.finished_at.is_some() || !store::cancel(conn, id, by.id, now)? {
            return Err(AppError::conflict("it has already ended"));
        }
        events::insert(
            conn,
            &NewEvent::new(Actor::User(by.id), "bulk.cancelled", None).details(json!({
                "bulk_change_id": id,
                "done": change.done,
                "sessions": change.total,
            })),
        )?;
        // Nobody is working it: it ends now. Otherwise its worker ends it at its next batch.
        if change.lease_until.is_none_or(|t| t < now) {
            let change = store::find(conn, id)?.unwrap_or(change);
            end(conn, &change, now)?;
        }
        Ok(())
    })
}
