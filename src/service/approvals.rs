//! Four eyes: a redaction or a decline asked for by one person and carried out when a
//! second approves it (`FOUR_EYES`). Every step — requested, approved, rejected, withdrawn,
//! expired — is an event on the session; the approval carries out the act through the same
//! service as a direct one (`redaction::redact_in`, `transitions::apply_in`), in the same
//! transaction as closing the request.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde_json::json;
use uuid::Uuid;

use crate::domain::actor::{Actor, Worker};
use crate::domain::approvals::{self, ApprovalKind, ApprovalStatus};
use crate::domain::kinds::DeclineReason;
use crate::domain::status::Action;
use crate::error::AppError;
use crate::service::redaction::{self, Via};
use crate::service::transitions::{self, Request};
use crate::store::approvals::{self as store, ApprovalRequest, NewApprovalRequest};
use crate::store::events::{self, NewEvent};
use crate::store::sessions;

/// What is asked for.
#[derive(Debug, Clone)]
pub enum Ask {
    /// Erase the session's personal data.
    Redaction,
    /// Decline it, with this reason and comment.
    Decline {
        /// The reason code.
        reason: DeclineReason,
        /// The comment, if any.
        comment: Option<String>,
    },
}

impl Ask {
    fn kind(&self) -> ApprovalKind {
        match self {
            Ask::Redaction => ApprovalKind::Redaction,
            Ask::Decline { .. } => ApprovalKind::Decline,
        }
    }
}

fn event(actor: Actor, action: &str, r: &ApprovalRequest) -> NewEvent {
    NewEvent::new(actor, action, Some(r.session_id)).details(json!({
        "request_id": r.id,
        "kind": r.kind.as_str(),
        "requested_by": r.requested_by,
        "reason": r.reason,
    }))
}

/// Records `by`'s request for `ask` on the session, to be approved by someone else.
pub fn request(
    conn: &mut PgConnection,
    session_id: Uuid,
    by: Worker,
    ask: Ask,
    now: DateTime<Utc>,
) -> Result<ApprovalRequest, AppError> {
    let kind = ask.kind();
    if !approvals::may_request(kind, by.role) {
        return Err(AppError::Forbidden);
    }
    conn.transaction(|conn| {
        let session = sessions::lock(conn, session_id)?.ok_or(AppError::NotFound("session"))?;
        if session.redacted_at.is_some() {
            return Err(AppError::Conflict(crate::error::Conflict::Redacted));
        }
        let (reason, comment) = match &ask {
            Ask::Redaction => (None, None),
            Ask::Decline { reason, comment } => {
                if session.status.apply(Action::Decline).is_err() {
                    return Err(AppError::conflict(format!(
                        "session is {}: it cannot be declined",
                        session.status.label()
                    )));
                }
                let checked =
                    Request::decline(Actor::User(by.id), *reason, comment.clone()).validate()?;
                (Some(reason.as_str().to_owned()), checked)
            }
        };
        let new = NewApprovalRequest {
            kind,
            session_id,
            requested_by: by.id,
            expires_at: now + approvals::lifetime(),
            reason,
            comment,
        };
        let stored = match store::insert(conn, &new) {
            Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {
                return Err(AppError::conflict(format!(
                    "a {} of this session is already waiting for approval",
                    kind.as_str()
                )));
            }
            other => other?,
        };
        events::insert(
            conn,
            &event(
                Actor::User(by.id),
                &format!("{}.requested", kind.as_str()),
                &stored,
            ),
        )?;
        Ok(stored)
    })
}

/// A pending request, locked, or why it cannot be decided now.
fn open(
    conn: &mut PgConnection,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<ApprovalRequest, AppError> {
    let r = store::lock(conn, id)?.ok_or(AppError::NotFound("approval request"))?;
    if r.status != ApprovalStatus::Pending {
        return Err(AppError::conflict(format!(
            "this request was already {}",
            r.status.as_str()
        )));
    }
    if r.expires_at <= now {
        return Err(AppError::conflict("this request has expired; ask again"));
    }
    Ok(r)
}

/// A pending request `by` may decide, locked; their own is refused by name.
fn open_for(
    conn: &mut PgConnection,
    id: Uuid,
    by: Worker,
    now: DateTime<Utc>,
) -> Result<ApprovalRequest, AppError> {
    let r = open(conn, id, now)?;
    if !approvals::may_decide(r.kind, r.requested_by, by.id, by.role) {
        return Err(own_or_forbidden(&r, by));
    }
    Ok(r)
}

/// Approves a request and carries it out, as `by` — never its requester.
pub fn approve(
    conn: &mut PgConnection,
    id: Uuid,
    by: Worker,
    now: DateTime<Utc>,
) -> Result<ApprovalRequest, AppError> {
    conn.transaction(|conn| {
        let r = open_for(conn, id, by, now)?;
        let actor = Actor::User(by.id);
        match r.kind {
            ApprovalKind::Redaction => {
                redaction::redact_in(conn, r.session_id, actor, Via::Request)?;
            }
            ApprovalKind::Decline => {
                let reason = r
                    .reason
                    .as_deref()
                    .and_then(|c| c.parse::<DeclineReason>().ok())
                    .unwrap_or(DeclineReason::Other);
                let mut decline = Request::decline(actor, reason, r.comment.clone());
                decline.details.insert("request_id".into(), json!(r.id));
                decline
                    .details
                    .insert("requested_by".into(), json!(r.requested_by));
                transitions::apply_in(conn, r.session_id, &decline)?;
            }
        }
        store::close(conn, id, ApprovalStatus::Approved, Some(by.id), now)?;
        events::insert(
            conn,
            &event(actor, &format!("{}.approved", r.kind.as_str()), &r),
        )?;
        Ok(r)
    })
}

/// Rejects a request, as `by` — never its requester, who withdraws instead.
pub fn reject(
    conn: &mut PgConnection,
    id: Uuid,
    by: Worker,
    now: DateTime<Utc>,
) -> Result<ApprovalRequest, AppError> {
    conn.transaction(|conn| {
        let r = open_for(conn, id, by, now)?;
        store::close(conn, id, ApprovalStatus::Rejected, Some(by.id), now)?;
        let actor = Actor::User(by.id);
        events::insert(
            conn,
            &event(actor, &format!("{}.rejected", r.kind.as_str()), &r),
        )?;
        Ok(r)
    })
}

/// Withdraws one's own request.
pub fn withdraw(
    conn: &mut PgConnection,
    id: Uuid,
    by: Worker,
    now: DateTime<Utc>,
) -> Result<ApprovalRequest, AppError> {
    conn.transaction(|conn| {
        let r = open(conn, id, now)?;
        if r.requested_by != by.id {
            return Err(AppError::Forbidden);
        }
        store::close(conn, id, ApprovalStatus::Withdrawn, Some(by.id), now)?;
        let actor = Actor::User(by.id);
        events::insert(
            conn,
            &event(actor, &format!("{}.withdrawn", r.kind.as_str()), &r),
        )?;
        Ok(r)
    })
}

/// The refusal of one who may not decide: their own request is named as such.
fn own_or_forbidden(r: &ApprovalRequest, by: Worker) -> AppError {
    if r.requested_by == by.id {
        AppError::conflict(format!(
            "you asked for this {}: someone else must approve or reject it",
            r.kind.as_str()
        ))
    } else {
        AppError::Forbidden
    }
}

/// Expires up to `batch` requests past their time, one event each; how many.
pub fn expire_due(
    conn: &mut PgConnection,
    now: DateTime<Utc>,
    batch: i64,
) -> Result<usize, AppError> {
    conn.transaction(|conn| {
        let expired = store::expire_due(conn, now, batch)?;
        for (id, session, kind) in &expired {
            events::insert(
                conn,
                &NewEvent::new(
                    Actor::System,
                    format!("{}.expired", kind.as_str()),
                    Some(*session),
                )
                .details(json!({ "request_id": id, "kind": kind.as_str() })),
            )?;
        }
        Ok(expired.len())
    })
}
