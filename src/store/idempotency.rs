//! Rows of `idempotency_keys`: one per (API key, `Idempotency-Key`), holding the hash of
//! the first request, the response it got, and the session and account that response
//! concerns (so that redaction erases it by column, never by reading its JSON).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::schema::{accounts, idempotency_keys, sessions};

/// A stored key.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = idempotency_keys, check_for_backend(diesel::pg::Pg))]
pub struct StoredKey {
    /// The API key it belongs to.
    pub api_key_id: Uuid,
    /// The client's key.
    pub key: String,
    /// Hex SHA-256 of method, path and body of the first request.
    pub request_hash: String,
    /// The first response's status.
    pub response_status: i16,
    /// The first response's body.
    pub response_body: serde_json::Value,
    /// When the first request came.
    pub created_at: DateTime<Utc>,
    /// The session the response concerns, if any.
    pub session_id: Option<Uuid>,
    /// The account the response concerns, if any.
    pub account_id: Option<Uuid>,
    /// When redaction erased the response (then `response_body` is JSON `null`).
    pub erased_at: Option<DateTime<Utc>>,
}

/// What a stored response is about: the session and the account whose redaction must
/// erase it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Concerns {
    /// The session created, or the one the created resource belongs to.
    pub session: Option<Uuid>,
    /// The account created, or the one the session belongs to.
    pub account: Option<Uuid>,
}

/// Claims `(api_key_id, key)` with a placeholder response; false when the row exists
/// already (waiting, under a concurrent claim, until that transaction ends).
pub fn claim(
    conn: &mut PgConnection,
    api_key_id: Uuid,
    key: &str,
    request_hash: &str,
) -> QueryResult<bool> {
    let n = diesel::insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::api_key_id.eq(api_key_id),
            idempotency_keys::key.eq(key),
            idempotency_keys::request_hash.eq(request_hash),
            idempotency_keys::response_status.eq(0i16),
            idempotency_keys::response_body.eq(serde_json::Value::Null),
        ))
        .on_conflict_do_nothing()
        .execute(conn)?;
    Ok(n == 1)
}

/// The row of `(api_key_id, key)`.
pub fn find(
    conn: &mut PgConnection,
    api_key_id: Uuid,
    key: &str,
) -> QueryResult<Option<StoredKey>> {
    idempotency_keys::table
        .find((api_key_id, key))
        .select(StoredKey::as_select())
        .first(conn)
        .optional()
}

/// Records the response of a claimed key and what it concerns.
pub fn complete(
    conn: &mut PgConnection,
    api_key_id: Uuid,
    key: &str,
    status: i16,
    body: &serde_json::Value,
    concerns: Concerns,
) -> QueryResult<usize> {
    diesel::update(idempotency_keys::table.find((api_key_id, key)))
        .set((
            idempotency_keys::response_status.eq(status),
            idempotency_keys::response_body.eq(body),
            idempotency_keys::session_id.eq(concerns.session),
            idempotency_keys::account_id.eq(concerns.account),
        ))
        .execute(conn)
}

/// Erases the stored responses that concern `session_id`, keeping their keys claimed (so
/// a replay is refused rather than run again); how many.
pub fn erase_for_session(conn: &mut PgConnection, session_id: Uuid) -> QueryResult<usize> {
    diesel::update(
        idempotency_keys::table
            .filter(idempotency_keys::session_id.eq(session_id))
            .filter(idempotency_keys::erased_at.is_null()),
    )
    .set((
        idempotency_keys::response_body.eq(serde_json::Value::Null),
        idempotency_keys::erased_at.eq(diesel::dsl::now),
    ))
    .execute(conn)
}

/// Erases the stored responses that concern `account_id` (its creation, and its sessions'
/// creations); how many.
pub fn erase_for_account(conn: &mut PgConnection, account_id: Uuid) -> QueryResult<usize> {
    diesel::update(
        idempotency_keys::table
            .filter(idempotency_keys::account_id.eq(account_id))
            .filter(idempotency_keys::erased_at.is_null()),
    )
    .set((
        idempotency_keys::response_body.eq(serde_json::Value::Null),
        idempotency_keys::erased_at.eq(diesel::dsl::now),
    ))
    .execute(conn)
}

/// Whether the session, else the account, that a stored response concerns is redacted:
/// `(session redacted, account redacted)`.
pub fn subjects_redacted(conn: &mut PgConnection, concerns: Concerns) -> QueryResult<(bool, bool)> {
    let session = match concerns.session {
        Some(id) => sessions::table
            .find(id)
            .select(sessions::redacted_at.is_not_null())
            .first::<bool>(conn)
            .optional()?
            .unwrap_or(false),
        None => false,
    };
    let account = match concerns.account {
        Some(id) => accounts::table
            .find(id)
            .select(accounts::redacted_at.is_not_null())
            .first::<bool>(conn)
            .optional()?
            .unwrap_or(false),
        None => false,
    };
    Ok((session, account))
}

/// Deletes the row of `(api_key_id, key)` if it was created before `cutoff`.
pub fn delete_if_older(
    conn: &mut PgConnection,
    api_key_id: Uuid,
    key: &str,
    cutoff: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::delete(
        idempotency_keys::table
            .find((api_key_id, key))
            .filter(idempotency_keys::created_at.lt(cutoff)),
    )
    .execute(conn)
}

/// Deletes every row created before `cutoff`; how many.
pub fn delete_older_than(conn: &mut PgConnection, cutoff: DateTime<Utc>) -> QueryResult<usize> {
    diesel::delete(idempotency_keys::table.filter(idempotency_keys::created_at.lt(cutoff)))
        .execute(conn)
}
