//! Why the rows of a queue page wait: the failed checks of each session's latest
//! verification of every kind, and who marked it for review and why. One query for the
//! whole page (by the page's ids), never one per row.

use diesel::prelude::*;
use diesel::sql_types::{Array, Nullable, Text, Uuid as SqlUuid};

use super::{Bind, Sql};
use uuid::Uuid;

/// What a waiting row says about why it waits.
#[derive(Debug, Clone, QueryableByName)]
pub struct WaitReason {
    /// The session.
    #[diesel(sql_type = SqlUuid)]
    pub session_id: Uuid,
    /// Names of the failed checks of the latest verifications, by kind and position.
    #[diesel(sql_type = Nullable<Array<Text>>)]
    pub failed_checks: Option<Vec<String>>,
    /// The latest mark for review's actor type (`user`, `api_key`, `system`).
    #[diesel(sql_type = Nullable<Text>)]
    pub marked_by_type: Option<String>,
    /// The marking actor's id (a user's is named from the directory of names, which
    /// follows renames).
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub marked_by_id: Option<Uuid>,
    /// The reason given with the mark, if any (the event's `reason` detail).
    #[diesel(sql_type = Nullable<Text>)]
    pub mark_reason: Option<String>,
}

/// The wait reasons of `ids`; sessions with nothing to say are left out. Served by
/// `verifications_session_idx`, the checks' `(verification_id, position)` key and
/// `events_session_idx`.
pub fn wait_reasons(conn: &mut PgConnection, ids: &[Uuid]) -> QueryResult<Vec<WaitReason>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    // Kept prepared (an `Sql` of one shape): parsed and planned once per connection, not
    // at every queue page.
    let mut sql = Sql::default();
    sql.push(
        "WITH latest AS (\
             SELECT DISTINCT ON (session_id, kind) id, session_id, kind FROM verifications \
             WHERE session_id = ANY(",
    );
    sql.bind(Bind::Uuids(ids.to_vec()));
    sql.push(
        ") ORDER BY session_id, kind, created_at DESC), \
         failed AS (\
             SELECT l.session_id, array_agg(c.name ORDER BY l.kind, c.position) AS names \
             FROM latest l JOIN verification_checks c ON c.verification_id = l.id \
             WHERE c.status = 'failed' GROUP BY l.session_id), \
         marks AS (\
             SELECT DISTINCT ON (session_id) session_id, actor_type, actor_id, \
                 CASE WHEN jsonb_typeof(details->'reason') = 'string' \
                      THEN details->>'reason' END AS reason \
             FROM events WHERE session_id = ANY(",
    );
    sql.bind(Bind::Uuids(ids.to_vec()));
    sql.push(
        ") AND action = 'session.marked_for_review' \
             ORDER BY session_id, id DESC) \
         SELECT coalesce(f.session_id, m.session_id) AS session_id, f.names AS failed_checks, \
             m.actor_type AS marked_by_type, m.actor_id AS marked_by_id, m.reason AS mark_reason \
         FROM failed f FULL JOIN marks m ON m.session_id = f.session_id",
    );
    sql.query().load(conn)
}
