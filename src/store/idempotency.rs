//! Rows of `idempotency_keys`: one per (API key, `Idempotency-Key`), holding the hash of
//! the first request and the response it got.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::schema::idempotency_keys;

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

/// Records the response of a claimed key.
pub fn complete(
    conn: &mut PgConnection,
    api_key_id: Uuid,
    key: &str,
    status: i16,
    body: &serde_json::Value,
) -> QueryResult<usize> {
    diesel::update(idempotency_keys::table.find((api_key_id, key)))
        .set((
            idempotency_keys::response_status.eq(status),
            idempotency_keys::response_body.eq(body),
        ))
        .execute(conn)
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
