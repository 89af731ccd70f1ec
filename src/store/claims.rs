//! Claims on waiting cases: pulling the next one for a reviewer, atomically, and keeping
//! the holder's claim fresh while they work on it.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Nullable, Timestamptz, Uuid as SqlUuid};
use uuid::Uuid;

use crate::schema::sessions;

/// A case pulled for a reviewer.
#[derive(Debug, Clone, QueryableByName)]
pub struct Pulled {
    /// The session.
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    /// Who held it before (an idle claim taken over), if anyone.
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub previous: Option<Uuid>,
}

/// The oldest waiting case (`completed` or `marked_for_review`, longest waiting first) that
/// nobody holds, or whose holder left it idle since before `idle_before`, claimed for
/// `user` in one statement. Rows another transaction holds are skipped (`FOR UPDATE SKIP
/// LOCKED`), so reviewers pulling at once get different cases.
pub fn pull_next(
    conn: &mut PgConnection,
    user: Uuid,
    now: DateTime<Utc>,
    idle_before: DateTime<Utc>,
) -> QueryResult<Option<Pulled>> {
    diesel::sql_query(
        "WITH picked AS ( \
             SELECT id, assigned_to AS previous FROM sessions \
             WHERE status IN ('completed', 'marked_for_review') AND redacted_at IS NULL \
               AND (assigned_to IS NULL \
                    OR (assigned_to <> $1 AND coalesce(claimed_at, assigned_at, updated_at) < $3)) \
             ORDER BY waiting_since, id \
             LIMIT 1 \
             FOR UPDATE SKIP LOCKED) \
         UPDATE sessions s SET assigned_to = $1, assigned_at = $2, claimed_at = $2, \
             updated_at = $2, last_activity = 'session.assigned' \
         FROM picked WHERE s.id = picked.id \
         RETURNING s.id, picked.previous",
    )
    .bind::<SqlUuid, _>(user)
    .bind::<Timestamptz, _>(now)
    .bind::<Timestamptz, _>(idle_before)
    .get_result(conn)
    .optional()
}

/// The oldest waiting case `user` already holds, its claim refreshed: a reviewer who asks
/// for the next case while holding one gets that one first.
pub fn own_waiting(
    conn: &mut PgConnection,
    user: Uuid,
    now: DateTime<Utc>,
) -> QueryResult<Option<Uuid>> {
    diesel::sql_query(
        "UPDATE sessions SET claimed_at = $2 WHERE id = ( \
             SELECT id FROM sessions \
             WHERE status IN ('completed', 'marked_for_review') AND redacted_at IS NULL \
               AND assigned_to = $1 \
             ORDER BY waiting_since, id LIMIT 1) \
         RETURNING id, NULL::uuid AS previous",
    )
    .bind::<SqlUuid, _>(user)
    .bind::<Timestamptz, _>(now)
    .get_result::<Pulled>(conn)
    .optional()
    .map(|p| p.map(|p| p.id))
}

/// How often an opened claim is marked alive again.
const REFRESH_EVERY: chrono::Duration = chrono::Duration::minutes(1);

/// Whether [`refresh`] would change anything for a session held by `holder` and claimed at
/// `claimed_at`, opened by `user` at `now`: a case page read the session already and
/// skips the statement when not.
pub fn wants_refresh(
    holder: Option<Uuid>,
    claimed_at: Option<DateTime<Utc>>,
    user: Uuid,
    now: DateTime<Utc>,
) -> bool {
    holder == Some(user) && claimed_at.is_none_or(|at| at < now - REFRESH_EVERY)
}

/// Marks `user`'s claim on `session` as alive (they opened it), at most once a minute.
pub fn refresh(
    conn: &mut PgConnection,
    session: Uuid,
    user: Uuid,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    let stale = now - REFRESH_EVERY;
    diesel::update(
        sessions::table
            .filter(sessions::id.eq(session))
            .filter(sessions::assigned_to.eq(user))
            .filter(
                sessions::claimed_at
                    .is_null()
                    .or(sessions::claimed_at.lt(stale)),
            ),
    )
    .set(sessions::claimed_at.eq(now))
    .execute(conn)
}
