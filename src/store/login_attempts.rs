//! Sign-in attempts, kept so that throttling holds across every app instance.

use chrono::{DateTime, Utc};
use diesel::dsl::{count_star, min};
use diesel::prelude::*;
use diesel::sql_types::Text;

use crate::schema::login_attempts;

/// Waits, until the end of the caller's transaction, for every other transaction that
/// judges attempts for `username` or from `ip`: counting and recording an attempt then
/// happen as one step, so simultaneous attempts cannot all see the same count.
///
/// Always the username first, then the address: two transactions never wait for each
/// other in opposite order.
pub fn lock(conn: &mut PgConnection, username: &str, ip: &str) -> QueryResult<()> {
    diesel::sql_query(
        "SELECT pg_advisory_xact_lock(hashtextextended('login_attempts:user:' || $1, 0)), \
                pg_advisory_xact_lock(hashtextextended('login_attempts:ip:' || $2, 0))",
    )
    .bind::<Text, _>(username)
    .bind::<Text, _>(ip)
    .execute(conn)
    .map(|_| ())
}

/// Records one attempt; its id, for [`mark_succeeded`].
pub fn record(
    conn: &mut PgConnection,
    username: &str,
    ip: &str,
    succeeded: bool,
) -> QueryResult<i64> {
    diesel::insert_into(login_attempts::table)
        .values((
            login_attempts::username.eq(username),
            login_attempts::ip.eq(ip),
            login_attempts::succeeded.eq(succeeded),
        ))
        .returning(login_attempts::id)
        .get_result(conn)
}

/// Turns an attempt recorded as failed (reserved before its password was checked) into a
/// success.
pub fn mark_succeeded(conn: &mut PgConnection, id: i64) -> QueryResult<usize> {
    diesel::update(login_attempts::table.find(id))
        .set(login_attempts::succeeded.eq(true))
        .execute(conn)
}

/// Failed attempts for `username` since `since`, and the oldest of them.
pub fn failures_for_user(
    conn: &mut PgConnection,
    username: &str,
    since: DateTime<Utc>,
) -> QueryResult<(i64, Option<DateTime<Utc>>)> {
    login_attempts::table
        .filter(login_attempts::username.eq(username))
        .filter(login_attempts::succeeded.eq(false))
        .filter(login_attempts::created_at.gt(since))
        .select((count_star(), min(login_attempts::created_at)))
        .first(conn)
}

/// Failed attempts from `ip` since `since`, and the oldest of them.
pub fn failures_from_ip(
    conn: &mut PgConnection,
    ip: &str,
    since: DateTime<Utc>,
) -> QueryResult<(i64, Option<DateTime<Utc>>)> {
    login_attempts::table
        .filter(login_attempts::ip.eq(ip))
        .filter(login_attempts::succeeded.eq(false))
        .filter(login_attempts::created_at.gt(since))
        .select((count_star(), min(login_attempts::created_at)))
        .first(conn)
}

/// Forgets attempts older than `before`.
pub fn prune(conn: &mut PgConnection, before: DateTime<Utc>) -> QueryResult<usize> {
    diesel::delete(login_attempts::table.filter(login_attempts::created_at.lt(before)))
        .execute(conn)
}
