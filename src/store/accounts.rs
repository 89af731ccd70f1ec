//! Integrators' accounts: the applicant as the integrator knows them.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::domain::kinds::AccountStatus;
use crate::schema::accounts;

/// An account as stored.
#[derive(Debug, Clone, Queryable, Selectable, serde::Deserialize)]
#[diesel(table_name = accounts, check_for_backend(diesel::pg::Pg))]
pub struct Account {
    /// Primary key.
    pub id: Uuid,
    /// The integrator's own id for the applicant, unique when set.
    pub external_id: Option<String>,
    /// `active`, `pending`, `inactive` or `suspended`.
    pub status: AccountStatus,
    /// Always `person` for now.
    pub entity_type: String,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// When its personal data was redacted.
    pub redacted_at: Option<DateTime<Utc>>,
}

/// An account about to be created.
#[derive(Debug, Clone, Default, Insertable)]
#[diesel(table_name = accounts)]
pub struct NewAccount {
    /// Primary key; generated when `None`.
    pub id: Option<Uuid>,
    /// The integrator's own id.
    pub external_id: Option<String>,
    /// Creation time; now when `None`.
    pub created_at: Option<DateTime<Utc>>,
}

/// Inserts an account.
pub fn insert(conn: &mut PgConnection, new: &NewAccount) -> QueryResult<Account> {
    diesel::insert_into(accounts::table)
        .values(new)
        .returning(Account::as_returning())
        .get_result(conn)
}

/// One account by id.
pub fn find(conn: &mut PgConnection, id: Uuid) -> QueryResult<Option<Account>> {
    accounts::table
        .find(id)
        .select(Account::as_select())
        .first(conn)
        .optional()
}

/// One account by the integrator's id.
pub fn find_by_external_id(
    conn: &mut PgConnection,
    external_id: &str,
) -> QueryResult<Option<Account>> {
    accounts::table
        .filter(accounts::external_id.eq(external_id))
        .select(Account::as_select())
        .first(conn)
        .optional()
}

/// The external id of each of `ids` that exists: what the queue shows for its rows'
/// accounts, for those its instance does not keep.
pub fn external_ids(
    conn: &mut PgConnection,
    ids: &[Uuid],
) -> QueryResult<Vec<(Uuid, Option<String>)>> {
    accounts::table
        .filter(accounts::id.eq_any(ids))
        .select((accounts::id, accounts::external_id))
        .load(conn)
}

/// Locks an account `FOR SHARE` (many sessions may be created for it at once, but not
/// while it is being redacted) and returns its redaction time as of that lock.
pub fn lock_shared(conn: &mut PgConnection, id: Uuid) -> QueryResult<Option<DateTime<Utc>>> {
    accounts::table
        .find(id)
        .select(accounts::redacted_at)
        .for_share()
        .first(conn)
}

/// How many accounts have an external id starting with `prefix` (taken literally: `_` and
/// `%` in it match only themselves).
pub fn count_external_prefix(conn: &mut PgConnection, prefix: &str) -> QueryResult<i64> {
    let escaped = prefix
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    accounts::table
        .filter(accounts::external_id.like(format!("{escaped}%")))
        .count()
        .get_result(conn)
}
