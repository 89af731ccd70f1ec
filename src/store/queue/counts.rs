//! Capped counts for the queue's status chips and view tabs.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use uuid::Uuid;

use super::{Bind, QueueFilter, Sql, conditions_in};
use crate::domain::status::SessionStatus;

/// A count that stops at a cap.
#[derive(Debug, Clone, QueryableByName)]
pub struct CappedCount {
    /// What was counted.
    #[diesel(sql_type = Text)]
    pub key: String,
    /// The count, at most the cap + 1.
    #[diesel(sql_type = BigInt)]
    pub n: i64,
}

/// Counts per status under every other filter, each stopping at `cap + 1` so that no count
/// reads more than that many index entries.
pub fn status_counts(
    conn: &mut PgConnection,
    f: &QueueFilter,
    cap: i64,
) -> QueryResult<Vec<CappedCount>> {
    let mut sql = Sql::default();
    for (i, status) in SessionStatus::ALL.iter().enumerate() {
        if i > 0 {
            sql.push(" UNION ALL ");
        }
        // Literals (fixed words): the planner sees which status each branch counts.
        sql.push(&format!(
            "SELECT '{0}'::text AS key, count(*) AS n FROM (SELECT 1 FROM sessions WHERE status = '{0}'",
            status.as_str()
        ));
        conditions_in(&mut sql, f, Some(*status));
        sql.push(" LIMIT ");
        sql.int(cap + 1);
        sql.push(") x");
    }
    sql.query().load(conn)
}

/// Capped counts of the work queue (completed and marked for review) that are the user's
/// own (`mine`), and that nobody has taken (`unassigned`); and of the Failed tab (`failed`).
pub fn work_counts(conn: &mut PgConnection, me: Uuid, cap: i64) -> QueryResult<Vec<CappedCount>> {
    // One capped scan per status and owner, each answered by the covering status index
    // (`INCLUDE (redacted_at, assigned_to)`), then added up.
    let mut sql = Sql::default();
    sql.push("SELECT key, sum(n)::bigint AS n FROM (");
    for (i, (key, owner)) in [("mine", Some(me)), ("unassigned", None)]
        .iter()
        .enumerate()
    {
        for (j, status) in ["completed", "marked_for_review"].iter().enumerate() {
            if i + j > 0 {
                sql.push(" UNION ALL ");
            }
            sql.push(&format!("SELECT '{key}'::text AS key, count(*) AS n FROM (SELECT 1 FROM sessions WHERE status = '{status}'"));
            match owner {
                Some(id) => {
                    sql.push(" AND assigned_to = ");
                    sql.bind(Bind::Uuid(*id));
                }
                None => sql.push(" AND assigned_to IS NULL"),
            }
            sql.push(" AND redacted_at IS NULL LIMIT ");
            sql.int(cap + 1);
            sql.push(") c");
        }
    }
    // The Failed tab's count: failed sessions not redacted, whoever holds them.
    sql.push(" UNION ALL SELECT 'failed'::text AS key, count(*) AS n FROM (SELECT 1 FROM sessions WHERE status = 'failed' AND redacted_at IS NULL LIMIT ");
    sql.int(cap + 1);
    sql.push(") f");
    sql.push(") t GROUP BY key");
    sql.query().load(conn)
}

/// Capped totals of several filters (the saved views in the navigation), keyed as given:
/// per filter, one capped scan per status it names (all statuses when none), added up.
pub fn filter_counts(
    conn: &mut PgConnection,
    filters: &[(String, QueueFilter)],
    cap: i64,
) -> QueryResult<Vec<CappedCount>> {
    if filters.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::default();
    sql.push("SELECT key, sum(n)::bigint AS n FROM (");
    let mut first = true;
    for (key, f) in filters {
        let statuses: Vec<Option<SessionStatus>> = if f.statuses.is_empty() {
            vec![None]
        } else {
            f.statuses.iter().copied().map(Some).collect()
        };
        for status in statuses {
            if !first {
                sql.push(" UNION ALL ");
            }
            first = false;
            sql.push("SELECT ");
            sql.bind(Bind::Text(key.clone()));
            sql.push("::text AS key, count(*) AS n FROM (SELECT 1 FROM sessions WHERE TRUE");
            if let Some(status) = status {
                sql.push(" AND status = ");
                sql.bind(Bind::Text(status.as_str().to_owned()));
            }
            conditions_in(&mut sql, f, status);
            sql.push(" LIMIT ");
            sql.int(cap + 1);
            sql.push(") c");
        }
    }
    sql.push(") t GROUP BY key");
    sql.query().load(conn)
}
