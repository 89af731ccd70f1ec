//! Phase 3 of a verification: the outcome recorded under the session's row lock, provided
//! nothing it rests on changed, then the auto-update and the completion rule.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde_json::json;
use uuid::Uuid;

use super::judge::Judged;
use super::stale::{FingerprintKey, fingerprints};
use super::{Ran, Request, document_of, fill_blanks};
use crate::domain::actor::Actor;
use crate::domain::engine::{Extracted, Outcome};
use crate::domain::kinds::{DocumentStatus, VerificationKind, VerificationStatus};
use crate::error::{AppError, Conflict};
use crate::service::{completion, person};
use crate::store::documents;
use crate::store::events::{self, NewEvent};
use crate::store::sessions::Session;
use crate::store::verifications::{self, NewCheck, NewVerification, Verification};

/// Phase 3: in one transaction, under the session's row lock, refuses a session that is
/// now redacted or final (409), and an outcome whose basis changed since phase 1 — other
/// entered data, or another latest front/page file — with a 409 asking to send the request
/// again (it is not re-run here, so the row lock is never held while an image decodes).
/// Otherwise stores the outcome with the fingerprints of what it compared (see `stale`),
/// applies the auto-update and the completion rule.
pub fn record_judged(
    conn: &mut PgConnection,
    judged: &Judged,
    actor: Actor,
    key: &FingerprintKey,
) -> Result<Ran, AppError> {
    conn.transaction(|conn| {
        let request = &judged.request;
        let session = crate::store::sessions::lock(conn, request.session_id)?
            .ok_or_else(|| AppError::missing("session", "no such session"))?;
        if session.redacted_at.is_some() {
            return Err(AppError::Conflict(Conflict::Redacted));
        }
        if session.status.is_final() {
            return Err(AppError::conflict(format!(
                "session is {}: it takes no more verifications",
                session.status.label()
            )));
        }
        let document = document_of(conn, &session, request)?;
        let changed = || {
            AppError::conflict(
                "the session or its document changed while the verification ran; nothing was \
                 recorded: send the request again"
                    .to_owned(),
            )
        };
        let Some((basis, outcome)) = &judged.judged else {
            return Err(changed());
        };
        if !basis.still_holds(conn, request.kind, &session, &document)? {
            return Err(changed());
        }
        let now = Utc::now();
        let (verification, checks) =
            record(conn, &session, document.id, request, outcome, actor, now)?;
        // Moving the session's `updated_at` in this transaction is what tells the queue's
        // remembered wait reasons (`web::sessions::wait_reasons`) that its failed checks
        // may have changed.
        let changed_at = crate::store::sessions::mark_changed(conn, session.id)?;
        let mut updated_fields = Vec::new();
        let mut session = session;
        session.updated_at = changed_at;
        if request.auto_update_session
            && outcome.status == VerificationStatus::Passed
            && let Some(extracted) = &outcome.extracted
        {
            let changes = fill_blanks(
                &session,
                extracted,
                document.document_type,
                now.date_naive(),
            );
            let (s, fields) = person::write_in(
                conn,
                session.id,
                &changes,
                actor,
                "session.auto_updated",
                json!({ "verification_id": verification.id }),
            )?;
            session = s;
            updated_fields = fields;
        }
        // What was compared, as the session stands after the auto-update (which only
        // writes what the document says): a later edit of any of it makes this stale.
        let verification = verifications::set_compared(
            conn,
            verification.id,
            &fingerprints(key, request.kind, &session),
        )?;
        if let Some(s) = completion::settle_in(conn, &session)? {
            session = s;
        }
        Ok(Ran {
            verification,
            checks,
            session,
            updated_fields,
        })
    })
}

/// Stores an outcome: the verification, its checks, the document's processing status and
/// extracted data, and a `verification.completed` event naming the failed checks.
fn record(
    conn: &mut PgConnection,
    session: &Session,
    document_id: Uuid,
    request: &Request,
    outcome: &Outcome,
    actor: Actor,
    at: DateTime<Utc>,
) -> Result<(Verification, Vec<verifications::Check>), AppError> {
    let stored = Stored {
        session_id: session.id,
        document_id,
        kind: request.kind,
        auto_update_session: request.auto_update_session,
        at,
    };
    let (verification, details) = store_outcome(conn, &stored, outcome)?;
    let event = NewEvent::new(actor, "verification.completed", Some(session.id)).details(details);
    events::insert(conn, &event)?;
    let checks = verifications::checks_for(conn, &[verification.id])?;
    Ok((verification, checks))
}

/// Where and when an outcome is stored.
#[derive(Debug, Clone, Copy)]
pub struct Stored {
    /// The session verified.
    pub session_id: Uuid,
    /// The document read.
    pub document_id: Uuid,
    /// The verification's kind.
    pub kind: VerificationKind,
    /// Whether the request asked for auto-update.
    pub auto_update_session: bool,
    /// When it ran (the demo backdates its history).
    pub at: DateTime<Utc>,
}

/// Writes an outcome's rows — the verification, its checks, the document's status and
/// extracted data — and returns the verification with the details of its
/// `verification.completed` event (ids, kind, status, failed check names; no values), for
/// the caller to record with its actor.
pub fn store_outcome(
    conn: &mut PgConnection,
    s: &Stored,
    outcome: &Outcome,
) -> Result<(Verification, serde_json::Value), AppError> {
    let extracted = outcome.extracted.as_ref().map(Extracted::to_json);
    let verification = verifications::insert(
        conn,
        &NewVerification {
            session_id: s.session_id,
            document_id: s.document_id,
            kind: s.kind,
            status: outcome.status,
            extracted: extracted.clone(),
            auto_update_session: s.auto_update_session,
            created_at: Some(s.at),
            completed_at: Some(s.at),
        },
    )?;
    verifications::insert_checks(conn, &check_rows(verification.id, outcome))?;
    let doc_status = if outcome.status == VerificationStatus::RequiresRetry {
        DocumentStatus::Failed
    } else {
        DocumentStatus::Processed
    };
    documents::set_processed(conn, s.document_id, doc_status, extracted.as_ref(), s.at)?;
    let details = json!({
        "verification_id": verification.id,
        "document_id": s.document_id,
        "kind": s.kind.as_str(),
        "status": outcome.status.as_str(),
        "failed_checks": outcome.failed_checks(),
    });
    Ok((verification, details))
}

/// The rows of an outcome's checks.
pub fn check_rows(verification_id: Uuid, outcome: &Outcome) -> Vec<NewCheck> {
    outcome
        .checks
        .iter()
        .enumerate()
        .map(|(i, c)| NewCheck {
            verification_id,
            position: i16::try_from(i).unwrap_or(i16::MAX),
            name: c.name,
            status: c.status,
            requirement: c.requirement,
            reasons: c.reasons.clone(),
            metadata: c.metadata.clone(),
        })
        .collect()
}
