//! A search matched anywhere (a fragment inside a word, an email or external id fragment):
//! through the trigram index, every match collected, counted, then sorted.

use super::{Bind, COLUMNS, QueueFilter, SEARCH_HITS_CAP, Sql, conditions};
use crate::store::paging::{PageAt, direction, keyset, overfetch};

/// Appends ` AND (status = ... OR ...)` when the filter names statuses.
fn any_status(sql: &mut Sql, f: &QueueFilter) {
    if f.statuses.is_empty() {
        return;
    }
    sql.push(" AND (");
    for (i, status) in f.statuses.iter().enumerate() {
        if i > 0 {
            sql.push(" OR ");
        }
        sql.push("status = ");
        sql.bind(Bind::Text(status.as_str().to_owned()));
    }
    sql.push(")");
}

/// A search's page matched anywhere: every match (up to the cap) collected by one trigram
/// index scan, then sorted. The planner, left to itself, often walks the time-ordered index
/// and filters, which is fast for a common fragment and ruinous for a rare one.
pub(super) fn search_sql(f: &QueueFilter, at: PageAt, limit: i64) -> Sql {
    let (dir, cmp) = direction(at, f.oldest_first);
    let mut sql = Sql::default();
    sql.push(&format!(
        "WITH hits AS MATERIALIZED (SELECT {COLUMNS} FROM sessions WHERE TRUE"
    ));
    any_status(&mut sql, f);
    conditions(&mut sql, f);
    sql.push(" LIMIT ");
    sql.int(SEARCH_HITS_CAP + 1);
    // Sort and cut the matches first; only the page's rows meet accounts and users.
    sql.push("), n AS (SELECT count(*) AS hits FROM hits), page AS (SELECT * FROM hits WHERE TRUE");
    keyset(&mut sql, at, cmp);
    sql.push(&format!(" ORDER BY created_at {dir}, id {dir} LIMIT "));
    sql.int(overfetch(limit));
    sql.push(&format!(
        ") SELECT s.id, s.status, s.first_name, s.middle_name, s.last_name, s.email, s.created_at, \
         s.updated_at, s.last_activity, s.assigned_to, s.redacted_at, \
         s.account_id, a.external_id, s.waiting_since, s.claimed_at, n.hits FROM page s CROSS JOIN n \
         JOIN accounts a ON a.id = s.account_id \
         ORDER BY s.created_at {dir}, s.id {dir}"
    ));
    sql
}
