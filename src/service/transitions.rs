//! Applies a lifecycle action to a session: one conditional UPDATE and its audit event, in
//! one transaction (SPEC section 1). Both faces and the background jobs come through here.

use chrono::Utc;
use diesel::prelude::*;
use serde_json::json;
use uuid::Uuid;

use crate::domain::actor::Actor;
use crate::domain::kinds::{DeclineReason, Outcome, ReviewReason};
use crate::domain::person::FieldError;
use crate::domain::status::{Action, SessionStatus, Stamp};
use crate::error::{AppError, Conflict, Decided};
use crate::store::events::{self, NewEvent};
use crate::store::sessions::{self, Session, TransitionChanges};

/// The longest decision comment accepted.
pub const MAX_COMMENT: usize = 2000;

/// An action with what a decision carries.
#[derive(Debug, Clone)]
pub struct Request {
    /// What to do.
    pub action: Action,
    /// Who does it.
    pub actor: Actor,
    /// Required for `decline`, refused otherwise.
    pub reason: Option<DeclineReason>,
    /// Optional for decisions, refused otherwise.
    pub comment: Option<String>,
    /// Optional for `mark_for_review` (recorded as the event's `reason`), refused otherwise.
    pub review_reason: Option<ReviewReason>,
    /// Ids and codes added to the event's details (a resubmission's document and reason);
    /// never free text or personal data.
    pub details: serde_json::Map<String, serde_json::Value>,
}

impl Request {
    /// A plain action without decision fields.
    pub fn new(action: Action, actor: Actor) -> Self {
        Request {
            action,
            actor,
            reason: None,
            comment: None,
            review_reason: None,
            details: serde_json::Map::new(),
        }
    }

    /// A mark for review, with an optional reason code.
    pub fn mark_for_review(actor: Actor, reason: Option<ReviewReason>) -> Self {
        Request {
            review_reason: reason,
            ..Request::new(Action::MarkForReview, actor)
        }
    }

    /// An approval with an optional comment.
    pub fn approve(actor: Actor, comment: Option<String>) -> Self {
        Request {
            action: Action::Approve,
            actor,
            reason: None,
            comment,
            review_reason: None,
            details: serde_json::Map::new(),
        }
    }

    /// A decline with its reason and an optional comment.
    pub fn decline(actor: Actor, reason: DeclineReason, comment: Option<String>) -> Self {
        Request {
            action: Action::Decline,
            actor,
            reason: Some(reason),
            comment,
            review_reason: None,
            details: serde_json::Map::new(),
        }
    }

    /// Checks the comment (length, control characters); the trimmed comment, if any.
    pub fn validate(&self) -> Result<Option<String>, AppError> {
        let comment = match self.comment.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(c) => {
                if c.chars().count() > MAX_COMMENT {
                    return Err(AppError::field(
                        "comment",
                        format!("must be at most {MAX_COMMENT} characters"),
                    ));
                }
                if c.chars()
                    .any(|ch| ch.is_control() && ch != '\n' && ch != '\r' && ch != '\t')
                {
                    return Err(AppError::field(
                        "comment",
                        "must not contain control characters",
                    ));
                }
                if let Some(message) = crate::domain::person::format_char_message(c) {
                    return Err(AppError::field("comment", message));
                }
                Some(c.to_owned())
            }
        };
        if self.review_reason.is_some() && self.action != Action::MarkForReview {
            return Err(AppError::field(
                "reason",
                "only a mark for review carries a review reason",
            ));
        }
        match (self.action, self.reason) {
            (Action::Decline, None) => Err(AppError::Validation(vec![FieldError::new(
                "reason",
                "a decline needs a reason code",
            )])),
            (Action::Decline, Some(_)) => Ok(comment),
            (_, Some(_)) => Err(AppError::field("reason", "only a decline carries a reason")),
            (Action::Approve, None) => Ok(comment),
            (_, None) if comment.is_some() => Err(AppError::field(
                "comment",
                "only a decision carries a comment",
            )),
            _ => Ok(None),
        }
    }
}

fn changes_for(request: &Request, to: SessionStatus, comment: Option<String>) -> TransitionChanges {
    let now = Utc::now();
    let mut c = TransitionChanges {
        status: Some(to),
        last_activity: Some(request.action.event_name().to_owned()),
        updated_at: Some(now),
        ..TransitionChanges::default()
    };
    match request.action.stamp() {
        Stamp::Started => c.started_at = Some(now),
        Stamp::Submitted => c.submitted_at = Some(now),
        Stamp::Completed => c.completed_at = Some(now),
        Stamp::Failed => c.failed_at = Some(now),
        Stamp::MarkedForReview => c.marked_for_review_at = Some(now),
        Stamp::Decisioned => c.decisioned_at = Some(now),
        Stamp::Expired => c.expired_at = Some(now),
    }
    c.waiting_since = waiting_since(request.action, to, now);
    if c.waiting_since.is_some() {
        c.sla_breached_at = Some(None);
    }
    if request.action.is_decision() {
        let outcome = if request.action == Action::Approve {
            Outcome::Approved
        } else {
            Outcome::Declined
        };
        c.decision = Some(outcome);
        c.decision_reason = request.reason;
        c.decision_comment = comment;
        c.decided_by_type = Some(request.actor.kind());
        c.decided_by = request.actor.id();
    }
    c
}

/// What a transition to `to` does to `waiting_since`: entering a wait (completed, failed)
/// starts the clock, a move between waiting statuses (completed or failed to marked for
/// review) keeps it, leaving keeps it as history ("next case" after a decision reads it). The queue's "longest waiting" order and its
/// overdue mark read this time, not the creation time.
fn waiting_since(
    action: Action,
    to: SessionStatus,
    now: chrono::DateTime<Utc>,
) -> Option<Option<chrono::DateTime<Utc>>> {
    let from_waiting = action.allowed_from().iter().all(|s| s.is_waiting());
    (to.is_waiting() && !from_waiting).then_some(Some(now))
}

/// Applies `request` to the session inside the caller's transaction. The conditional
/// UPDATE matches only while the session's status allows the action and it is not
/// redacted; when it matches nothing, the session is read to tell "no such session" (404)
/// from "not in a status that allows this" (409, naming the status).
pub fn apply_in(
    conn: &mut PgConnection,
    session_id: Uuid,
    request: &Request,
) -> Result<Session, AppError> {
    let comment = request.validate()?;
    let allowed = request.action.allowed_from();
    let to = target(request.action);
    let changes = changes_for(request, to, comment);
    let Some(session) = sessions::transition(conn, session_id, &allowed, &changes)? else {
        return Err(match sessions::state(conn, session_id)? {
            None => AppError::NotFound("session"),
            Some((_, Some(_))) => AppError::Conflict(Conflict::Redacted),
            Some((status, None)) => AppError::Conflict(Conflict::WrongStatus {
                status,
                action: past_tense(request.action),
                decided: sessions::decision_of(conn, session_id)?.map(|d| {
                    Box::new(Decided {
                        outcome: d.outcome,
                        by: d.by,
                        at: d.at,
                    })
                }),
            }),
        });
    };
    let from = session.previous_status.ok_or_else(|| {
        AppError::Unexpected(anyhow::anyhow!("transition lost its previous status"))
    })?;
    let mut details = serde_json::Value::Object(request.details.clone());
    if let Some(reason) = request.reason {
        details["reason"] = json!(reason.as_str());
    }
    if let Some(reason) = request.review_reason {
        // A code from a fixed list, never free text: event details carry no personal data.
        details["reason"] = json!(reason.as_str());
    }
    if session.decision_comment.is_some() && request.action.is_decision() {
        // Whether there was a comment, never what it said.
        details["comment"] = json!(true);
    }
    let event = NewEvent::new(request.actor, request.action.event_name(), Some(session_id))
        .transition(from, to)
        .details(details);
    events::insert(conn, &event)?;
    if request.action == Action::Submit {
        // Verifications run before the submit count: the completion rule applies now.
        if let Some(settled) = crate::service::completion::settle_in(conn, &session)? {
            return Ok(settled);
        }
    }
    Ok(session)
}

/// Applies `request` to the session in a transaction of its own.
pub fn apply(
    conn: &mut PgConnection,
    session_id: Uuid,
    request: &Request,
) -> Result<Session, AppError> {
    conn.transaction(|conn| apply_in(conn, session_id, request))
}

/// The status an action leads to; every action has exactly one target in the table.
fn target(action: Action) -> SessionStatus {
    action
        .allowed_from()
        .first()
        .and_then(|from| from.apply(action).ok())
        .unwrap_or(SessionStatus::Expired)
}

/// "approved", "declined", "marked for review": for conflict messages.
pub fn past_tense(action: Action) -> &'static str {
    match action {
        Action::Start => "started",
        Action::Submit => "submitted",
        Action::Complete => "completed",
        Action::Fail => "failed",
        Action::MarkForReview => "marked for review",
        Action::Approve => "approved",
        Action::Decline => "declined",
        Action::Expire => "expired",
        Action::RequestResubmission => "sent back to the applicant",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_has_one_target_whatever_the_starting_status() {
        for action in Action::ALL {
            let targets: std::collections::BTreeSet<_> = action
                .allowed_from()
                .iter()
                .map(|s| s.apply(*action).unwrap())
                .collect();
            assert_eq!(targets.len(), 1, "{action}");
            assert_eq!(target(*action), *targets.iter().next().unwrap());
        }
    }

    #[test]
    fn the_waiting_clock_starts_on_entering_a_wait_and_stops_on_leaving() {
        let now = Utc::now();
        let at = |a: Action| waiting_since(a, target(a), now);
        assert_eq!(at(Action::Complete), Some(Some(now)));
        assert_eq!(at(Action::Fail), Some(Some(now)));
        assert_eq!(at(Action::MarkForReview), None);
        assert_eq!(at(Action::Approve), None);
        assert_eq!(at(Action::Decline), None);
        assert_eq!(at(Action::Start), None);
    }

    #[test]
    fn declines_need_a_reason_and_only_decisions_take_comments() {
        let actor = Actor::System;
        assert!(Request::new(Action::Decline, actor).validate().is_err());
        assert!(
            Request::decline(actor, DeclineReason::Underage, None)
                .validate()
                .is_ok()
        );
        let mut expire = Request::new(Action::Expire, actor);
        expire.comment = Some("x".into());
        assert!(expire.validate().is_err());
        assert!(
            Request::approve(actor, Some("a".repeat(2001)))
                .validate()
                .is_err()
        );
        assert_eq!(
            Request::approve(actor, Some("  ".into()))
                .validate()
                .unwrap(),
            None
        );
    }
}
