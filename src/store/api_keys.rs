//! Integrators' API keys. Only the SHA-256 of a secret is stored; a request's key is found
//! by that hash through a unique index, so the lookup never compares secrets byte by byte.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::domain::kinds::Permission;
use crate::schema::{api_key_reads, api_keys};

/// An API key as the dashboard and the API see it: everything but the secret's hash.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = api_keys, check_for_backend(diesel::pg::Pg))]
pub struct ApiKey {
    /// Primary key; the actor id of everything the key does.
    pub id: Uuid,
    /// What the admin called it ("CRM integration").
    pub name: String,
    /// The secret's first characters, to recognise a key without knowing it.
    pub prefix: String,
    /// `resource:action` grants.
    pub permissions: Vec<Permission>,
    /// The admin who created it.
    pub created_by: Option<Uuid>,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last accepted request, kept to the minute.
    pub last_used_at: Option<DateTime<Utc>>,
    /// When it stopped working, if it did.
    pub revoked_at: Option<DateTime<Utc>>,
    /// The admin who revoked it.
    pub revoked_by: Option<Uuid>,
}

/// A key about to be stored.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = api_keys)]
pub struct NewApiKey {
    /// Its name.
    pub name: String,
    /// The secret's first characters.
    pub prefix: String,
    /// SHA-256 of the whole secret.
    pub secret_hash: Vec<u8>,
    /// Its grants.
    pub permissions: Vec<Permission>,
    /// The creating admin.
    pub created_by: Option<Uuid>,
}

/// Stores a key.
pub fn insert(conn: &mut PgConnection, new: &NewApiKey) -> QueryResult<ApiKey> {
    diesel::insert_into(api_keys::table)
        .values(new)
        .returning(ApiKey::as_returning())
        .get_result(conn)
}

/// Every key, newest first (an installation has a handful).
pub fn all(conn: &mut PgConnection) -> QueryResult<Vec<ApiKey>> {
    api_keys::table
        .order((api_keys::created_at.desc(), api_keys::id.desc()))
        .select(ApiKey::as_select())
        .load(conn)
}

/// One key by id.
pub fn find(conn: &mut PgConnection, id: Uuid) -> QueryResult<Option<ApiKey>> {
    api_keys::table
        .find(id)
        .select(ApiKey::as_select())
        .first(conn)
        .optional()
}

/// The key whose secret hashes to `hash`, revoked or not.
pub fn find_by_hash(conn: &mut PgConnection, hash: &[u8]) -> QueryResult<Option<ApiKey>> {
    api_keys::table
        .filter(api_keys::secret_hash.eq(hash))
        .select(ApiKey::as_select())
        .first(conn)
        .optional()
}

/// Marks a key revoked, unless it already is; `None` when nothing changed.
pub fn revoke(conn: &mut PgConnection, id: Uuid, by: Option<Uuid>) -> QueryResult<Option<ApiKey>> {
    diesel::update(
        api_keys::table
            .filter(api_keys::id.eq(id))
            .filter(api_keys::revoked_at.is_null()),
    )
    .set((
        api_keys::revoked_at.eq(Utc::now()),
        api_keys::revoked_by.eq(by),
    ))
    .returning(ApiKey::as_returning())
    .get_result(conn)
    .optional()
}

/// Records a use, unless one was recorded since `stale_before`: at most one write per key
/// per interval however many requests arrive, and concurrent requests write once.
pub fn touch(
    conn: &mut PgConnection,
    id: Uuid,
    now: DateTime<Utc>,
    stale_before: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::update(
        api_keys::table.filter(api_keys::id.eq(id)).filter(
            api_keys::last_used_at
                .is_null()
                .or(api_keys::last_used_at.lt(stale_before)),
        ),
    )
    .set(api_keys::last_used_at.eq(now))
    .execute(conn)
}

/// Adds each (key, day, sessions) to `api_key_reads` in one statement: an upsert that adds
/// to what is there, so counts written by several instances add up. Counts of a key that
/// no longer exists are dropped. At most one entry per key and day.
pub fn add_reads(conn: &mut PgConnection, counts: &[(Uuid, NaiveDate, i64)]) -> QueryResult<usize> {
    use diesel::sql_types::{Array, BigInt, Date};
    if counts.is_empty() {
        return Ok(0);
    }
    let keys: Vec<Uuid> = counts.iter().map(|c| c.0).collect();
    let days: Vec<NaiveDate> = counts.iter().map(|c| c.1).collect();
    let reads: Vec<i64> = counts.iter().map(|c| c.2).collect();
    diesel::sql_query(
        "INSERT INTO api_key_reads (api_key_id, day, reads) \
         SELECT c.key, c.day, c.reads FROM unnest($1, $2, $3) AS c(key, day, reads) \
         WHERE EXISTS (SELECT 1 FROM api_keys k WHERE k.id = c.key) \
         ON CONFLICT (api_key_id, day) DO UPDATE SET reads = api_key_reads.reads + EXCLUDED.reads",
    )
    .bind::<Array<diesel::sql_types::Uuid>, _>(keys)
    .bind::<Array<Date>, _>(days)
    .bind::<Array<BigInt>, _>(reads)
    .execute(conn)
}

/// Sessions each key read per day from `since` on: (key, day, reads).
pub fn reads_since(
    conn: &mut PgConnection,
    since: NaiveDate,
) -> QueryResult<Vec<(Uuid, NaiveDate, i64)>> {
    api_key_reads::table
        .filter(api_key_reads::day.ge(since))
        .select((
            api_key_reads::api_key_id,
            api_key_reads::day,
            api_key_reads::reads,
        ))
        .load(conn)
}
