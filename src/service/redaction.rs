//! Redaction (SPEC section 6): an erasure request answered so that it can be proven. One
//! transaction removes every byte of the applicant's personal data — the session's person,
//! contact, address and identity number, the decision comment, the device, the documents'
//! MRZ, reported and extracted fields, the files' bytes and names, the verifications'
//! extracted data and check reasons and metadata, the notes' text, and stored API
//! responses that quoted any of it — and keeps the skeleton a regulator asks for: status,
//! timestamps, decision and reason code, who did what, and the event rows.
//!
//! The session row is locked first (`FOR UPDATE`), and every other write to a session
//! either locks the same row or updates it conditionally on `redacted_at IS NULL`, so a
//! concurrent edit, note, upload or decision lands wholly before the redaction (and is
//! redacted with the rest) or wholly after it (and is refused with 409 "session is
//! redacted"). Postgres itself refuses a session row that is redacted and still holds
//! personal data (`sessions_redacted_without_personal_data`).
//!
//! Redacting again succeeds and changes nothing: no second event, no new `redacted_at`.

use chrono::{Duration, Utc};
use diesel::prelude::*;
use serde_json::json;
use uuid::Uuid;

use crate::domain::actor::Actor;
use crate::error::AppError;
use crate::store::accounts::Account;
use crate::store::events::{self, NewEvent};
use crate::store::redaction::{self as store, Scrubbed};
use crate::store::sessions::Session;

/// Why a session is being redacted; recorded in its event so the timeline can say so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// An admin or an API key asked for this session.
    Request,
    /// Its account was redacted.
    Account,
    /// The retention policy (`REDACT_AFTER_DAYS`).
    Retention,
}

impl Via {
    fn as_str(self) -> &'static str {
        match self {
            Via::Request => "request",
            Via::Account => "account",
            Via::Retention => "retention",
        }
    }
}

/// A session after redaction, and whether this call was the one that redacted it.
#[derive(Debug, Clone)]
pub struct Redacted {
    /// The session as it is now.
    pub session: Session,
    /// False when it had been redacted before (nothing was written).
    pub newly: bool,
}

/// Redacts the session inside the caller's transaction: see the module documentation.
pub fn redact_in(
    conn: &mut PgConnection,
    session_id: Uuid,
    actor: Actor,
    via: Via,
) -> Result<Redacted, AppError> {
    let current =
        crate::store::sessions::lock(conn, session_id)?.ok_or(AppError::NotFound("session"))?;
    // Normally a no-op on a redacted session; should anything have slipped in since, it
    // goes now rather than staying.
    let scrubbed = store::scrub_children(conn, session_id)?;
    if current.redacted_at.is_some() {
        if scrubbed.any() {
            tracing::warn!(%session_id, "removed data found under an already redacted session");
        }
        return Ok(Redacted {
            session: current,
            newly: false,
        });
    }
    let now = Utc::now();
    let session = store::stamp_session(conn, session_id, now, actor.kind(), actor.id())?;
    events::insert(
        conn,
        &NewEvent::new(actor, "session.redacted", Some(session_id))
            .details(details(&scrubbed, via)),
    )?;
    Ok(Redacted {
        session,
        newly: true,
    })
}

/// What the event says: how many rows of each kind lost data, never a value.
fn details(s: &Scrubbed, via: Via) -> serde_json::Value {
    json!({
        "via": via.as_str(),
        "devices": s.devices,
        "documents": s.documents,
        "files": s.files,
        "verifications": s.verifications,
        "checks": s.checks,
        "notes": s.notes,
    })
}

/// Redacts one session in a transaction of its own, for an admin or an API key.
pub fn redact_session(
    conn: &mut PgConnection,
    session_id: Uuid,
    actor: Actor,
) -> Result<Redacted, AppError> {
    conn.transaction(|conn| redact_in(conn, session_id, actor, Via::Request))
}

/// An account after redaction, with how many of its sessions this call redacted.
#[derive(Debug, Clone)]
pub struct RedactedAccount {
    /// The account as it is now.
    pub account: Account,
    /// Sessions redacted by this call (earlier redacted ones are not counted).
    pub sessions_redacted: usize,
    /// False when the account had been redacted before and nothing was written.
    pub newly: bool,
}

/// Redacts an account — its own personal data (`external_id`) and every one of its
/// sessions — in one transaction, with a `session.redacted` event per newly redacted
/// session and one `account.redacted` event. The account row is locked first, so a
/// session being created for it concurrently is either redacted too or refused.
pub fn redact_account(
    conn: &mut PgConnection,
    account_id: Uuid,
    actor: Actor,
) -> Result<RedactedAccount, AppError> {
    conn.transaction(|conn| {
        let current =
            store::lock_account(conn, account_id)?.ok_or(AppError::NotFound("account"))?;
        let mut sessions_redacted = 0;
        for id in store::account_session_ids(conn, account_id)? {
            if redact_in(conn, id, actor, Via::Account)?.newly {
                sessions_redacted += 1;
            }
        }
        crate::store::idempotency::erase_for_account(conn, account_id)?;
        if current.redacted_at.is_some() && current.external_id.is_none() {
            return Ok(RedactedAccount {
                account: current,
                sessions_redacted,
                newly: false,
            });
        }
        let now = Utc::now();
        let account =
            store::stamp_account(conn, account_id, current.redacted_at.unwrap_or(now), now)?;
        if current.redacted_at.is_none() {
            events::insert(
                conn,
                &NewEvent::new(actor, "account.redacted", None).details(json!({
                    "account_id": account_id,
                    "sessions": sessions_redacted,
                })),
            )?;
        }
        Ok(RedactedAccount {
            account,
            sessions_redacted,
            newly: current.redacted_at.is_none(),
        })
    })
}

/// The retention policy: redacts up to `batch` sessions that closed — were decided,
/// expired, or failed and were left so — more than `days` days ago, in one transaction, one
/// `session.redacted` event each with the system as actor; how many. Rows another
/// instance (or a reviewer) holds are skipped now and found again next time.
pub fn redact_due(conn: &mut PgConnection, days: u32, batch: i64) -> Result<usize, AppError> {
    let cutoff = Utc::now() - Duration::days(i64::from(days));
    conn.transaction(|conn| {
        let ids = store::lock_due(conn, cutoff, batch)?;
        for id in &ids {
            redact_in(conn, *id, Actor::System, Via::Retention)?;
        }
        Ok(ids.len())
    })
}
