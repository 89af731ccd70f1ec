//! Asking the applicant for a better photo: a reviewer names the document, a reason code
//! and a message for the applicant (kept apart from internal notes). The session goes back
//! to `started` (`request_resubmission`, with its event), a new link asks for that one
//! document, and the applicant's new photos are added to it — the old files stay as
//! superseded evidence. At most `MAX_RESUBMISSIONS` a session.

use chrono::{Duration, Utc};
use diesel::prelude::*;
use serde_json::json;
use uuid::Uuid;

use super::{Issued, issue_in};
use crate::domain::actor::Actor;
use crate::domain::capture::ResubmissionReason;
use crate::domain::person::{FieldError, format_char_message};
use crate::domain::status::Action;
use crate::error::{AppError, Conflict};
use crate::service::transitions::{self, Request};
use crate::store::documents;
use crate::store::resubmissions::{self, NewResubmission, Resubmission};
use crate::store::sessions as store_sessions;

/// The longest message to the applicant.
pub const MAX_MESSAGE: usize = 1000;

/// A request as a reviewer or integrator sends it, checked.
#[derive(Debug, Clone)]
pub struct ResubmissionInput {
    /// The document to replace.
    pub document_id: Uuid,
    /// Why.
    pub reason: ResubmissionReason,
    /// Words for the applicant.
    pub message: Option<String>,
}

/// Checks a message for the applicant: at most [`MAX_MESSAGE`] characters, no control or
/// invisible formatting characters; blank is none.
pub fn parse_message(raw: Option<&str>) -> Result<Option<String>, FieldError> {
    let Some(m) = raw.map(str::trim).filter(|m| !m.is_empty()) else {
        return Ok(None);
    };
    if m.chars().count() > MAX_MESSAGE {
        return Err(FieldError::new(
            "message",
            format!("must be at most {MAX_MESSAGE} characters"),
        ));
    }
    if m.chars().any(|c| c.is_control() && c != '\n' && c != '\r') {
        return Err(FieldError::new(
            "message",
            "must not contain control characters",
        ));
    }
    if let Some(why) = format_char_message(m) {
        return Err(FieldError::new("message", why));
    }
    Ok(Some(m.to_owned()))
}

/// Checks a reason code.
pub fn parse_reason(raw: &str) -> Result<ResubmissionReason, FieldError> {
    raw.trim().parse().map_err(|_| {
        let codes: Vec<&str> = ResubmissionReason::ALL.iter().map(|r| r.as_str()).collect();
        FieldError::new("reason", format!("must be one of {}", codes.join(", ")))
    })
}

/// Sends the session back to the applicant for `input`'s document: the request stored,
/// the transition with a `session.resubmission_requested` event (ids and the reason code
/// only), and a new capture link (revoking any other) with its event. A document of
/// another session is a missing `document`; the limit reached is a conflict.
pub fn request(
    conn: &mut PgConnection,
    session_id: Uuid,
    input: &ResubmissionInput,
    actor: Actor,
    hours: i64,
    max: i64,
) -> Result<(Issued, Resubmission), AppError> {
    conn.transaction(|conn| {
        let session =
            store_sessions::lock(conn, session_id)?.ok_or(AppError::NotFound("session"))?;
        if session.redacted_at.is_some() {
            return Err(AppError::Conflict(Conflict::Redacted));
        }
        documents::find(conn, input.document_id)?
            .filter(|d| d.session_id == session_id)
            .ok_or_else(|| {
                AppError::Validation(vec![FieldError::missing(
                    "document",
                    "no such document in this session",
                )])
            })?;
        if resubmissions::count_for_session(conn, session_id)? >= max {
            return Err(AppError::LimitReached(format!(
                "a session may be sent back to its applicant at most {max} times, and this one \
                 has been"
            )));
        }
        let (by_type, by_id) = match actor {
            Actor::User(id) => (crate::domain::kinds::ActorType::User, id),
            Actor::ApiKey(id) => (crate::domain::kinds::ActorType::ApiKey, id),
            _ => return Err(AppError::Forbidden),
        };
        let stored = resubmissions::insert(
            conn,
            &NewResubmission {
                session_id,
                document_id: input.document_id,
                reason: input.reason,
                message: input.message.clone(),
                requested_by_type: by_type,
                requested_by_id: by_id,
            },
        )?;
        let mut t = Request::new(Action::RequestResubmission, actor);
        t.details
            .insert("document_id".into(), json!(input.document_id));
        t.details
            .insert("reason".into(), json!(input.reason.as_str()));
        t.details.insert("resubmission_id".into(), json!(stored.id));
        let mut session = transitions::apply_in(conn, session_id, &t)?;
        // The applicant gets the link's whole life: a session past its first expiry while
        // it waited for review would otherwise expire as soon as it is started again.
        let now = Utc::now();
        let wanted = now + Duration::hours(hours);
        if session.expires_at < wanted {
            session = crate::service::sessions::set_expiry_in(conn, session_id, wanted, actor)?;
        }
        let issued = issue_in(conn, &session, actor, hours, Some(stored.id), now)?;
        Ok((issued, stored))
    })
}
