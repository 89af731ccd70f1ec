//! `Idempotency-Key`: the first request with a key runs and its response is stored with
//! the hash of the request; a retry with the same key and hash gets that response again
//! and creates nothing; the same key with another request is refused. Keys are scoped per
//! API key and kept [`RETENTION_HOURS`].
//!
//! The key row is inserted (`ON CONFLICT DO NOTHING`) in the same transaction as the
//! create, before it: a concurrent request with the same key waits on that row, and then
//! either finds the stored response (the first committed) or claims the key itself (the
//! first rolled back, creating nothing).
//!
//! Each stored response is tied to the session and account it concerns (columns, not its
//! JSON): redaction erases it by them, and a replay that concerns a redacted session or
//! account is refused instead of answering what the applicant's data was.

use chrono::{Duration, Utc};
use diesel::prelude::*;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::error::AppError;
use crate::store::idempotency as store;
pub use crate::store::idempotency::Concerns;

/// How long a key is remembered.
pub const RETENTION_HOURS: i64 = 24;
/// The longest key accepted.
pub const MAX_KEY_CHARS: usize = 255;

/// A key and the request it came with.
#[derive(Debug, Clone)]
pub struct Keyed {
    /// The calling API key.
    pub api_key_id: Uuid,
    /// The client's `Idempotency-Key`.
    pub key: String,
    /// [`request_hash`] of the request.
    pub request_hash: String,
}

/// What a keyed create ended with.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The response: fresh, or the stored one of an earlier request (`replayed`).
    Response {
        /// HTTP status.
        status: u16,
        /// JSON body.
        body: serde_json::Value,
        /// Whether it is a stored response.
        replayed: bool,
    },
    /// The key was used before with a different request.
    Reused,
    /// The stored response concerns a session or account redacted since: it was erased,
    /// and the create is not run again.
    Redacted(Redacted),
}

/// What a refused replay concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Redacted {
    /// The session is redacted.
    Session,
    /// The account is redacted.
    Account,
}

impl Redacted {
    /// The refusal's words, the same as any other write to a redacted session or account.
    pub fn message(self) -> &'static str {
        match self {
            Redacted::Session => "session is redacted",
            Redacted::Account => "account is redacted",
        }
    }
}

/// What a create answered, and what that answer concerns.
#[derive(Debug, Clone)]
pub struct Created {
    /// HTTP status.
    pub status: u16,
    /// JSON body.
    pub body: serde_json::Value,
    /// The session and account the body is about.
    pub concerns: Concerns,
}

/// Hex SHA-256 over the method, the path and the raw body.
pub fn request_hash(method: &str, path: &str, body: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(method.as_bytes());
    h.update(b"\n");
    h.update(path.as_bytes());
    h.update(b"\n");
    h.update(body);
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Runs `create` (which answers a status, a body and what it concerns) once per key:
/// without a key it just runs; with one, in one transaction with the key's row. Errors are
/// not stored: a failed request leaves no row, and its retry runs again.
pub fn once<F>(
    conn: &mut PgConnection,
    keyed: Option<&Keyed>,
    create: F,
) -> Result<Outcome, AppError>
where
    F: FnOnce(&mut PgConnection) -> Result<Created, AppError>,
{
    let Some(k) = keyed else {
        let created = create(conn)?;
        return Ok(Outcome::Response {
            status: created.status,
            body: created.body,
            replayed: false,
        });
    };
    conn.transaction(|conn| {
        let cutoff = Utc::now() - Duration::hours(RETENTION_HOURS);
        store::delete_if_older(conn, k.api_key_id, &k.key, cutoff)?;
        if !store::claim(conn, k.api_key_id, &k.key, &k.request_hash)? {
            let stored = store::find(conn, k.api_key_id, &k.key)?
                .ok_or_else(|| AppError::Unexpected(anyhow::anyhow!("idempotency key vanished")))?;
            if stored.request_hash != k.request_hash {
                return Ok(Outcome::Reused);
            }
            let concerns = Concerns {
                session: stored.session_id,
                account: stored.account_id,
            };
            if let Some(redacted) = redacted(conn, concerns, stored.erased_at.is_some())? {
                return Ok(Outcome::Redacted(redacted));
            }
            return Ok(Outcome::Response {
                status: u16::try_from(stored.response_status).unwrap_or(200),
                body: stored.response_body,
                replayed: true,
            });
        }
        let created = create(conn)?;
        let code = i16::try_from(created.status).unwrap_or(200);
        store::complete(
            conn,
            k.api_key_id,
            &k.key,
            code,
            &created.body,
            created.concerns,
        )?;
        Ok(Outcome::Response {
            status: created.status,
            body: created.body,
            replayed: false,
        })
    })
}

/// Which redaction, if any, refuses a replay: the session's first, then the account's. An
/// erased response whose subjects read as unredacted (which redaction never leaves) is
/// refused all the same: there is nothing left to answer.
fn redacted(
    conn: &mut PgConnection,
    concerns: Concerns,
    erased: bool,
) -> Result<Option<Redacted>, AppError> {
    if concerns == Concerns::default() && !erased {
        return Ok(None);
    }
    let (session, account) = store::subjects_redacted(conn, concerns)?;
    Ok(if session {
        Some(Redacted::Session)
    } else if account {
        Some(Redacted::Account)
    } else if erased {
        Some(if concerns.session.is_some() {
            Redacted::Session
        } else {
            Redacted::Account
        })
    } else {
        None
    })
}

/// Deletes keys older than [`RETENTION_HOURS`]; how many. Run by the background jobs.
pub fn purge_expired(conn: &mut PgConnection) -> Result<usize, AppError> {
    let cutoff = Utc::now() - Duration::hours(RETENTION_HOURS);
    Ok(store::delete_older_than(conn, cutoff)?)
}
