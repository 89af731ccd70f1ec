//! Sign-in attempts, kept so that throttling holds across every app instance.

use chrono::{DateTime, Utc};
use diesel::dsl::{count_star, min};
use diesel::prelude::*;

use crate::schema::login_attempts;

/// Records one attempt.
pub fn record(
    conn: &mut PgConnection,
    username: &str,
    ip: &str,
    succeeded: bool,
) -> QueryResult<usize> {
    diesel::insert_into(login_attempts::table)
        .values((
            login_attempts::username.eq(username),
            login_attempts::ip.eq(ip),
            login_attempts::succeeded.eq(succeeded),
        ))
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
