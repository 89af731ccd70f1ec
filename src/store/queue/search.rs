//! A search's page.
//!
//! A search that starts an applicant's name ("Arjun Iy", "Fernánd") is answered from the
//! name-key indexes, which lead with the status and carry each match's time and id, so a
//! name shared by thousands of sessions costs a read of that many index entries and no table
//! rows. Any other search (a fragment inside a word, an email or external id fragment) goes
//! through the trigram index: every match collected, counted, then sorted.

use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};

use crate::domain::status::SessionStatus;

use super::{
    Bind, COLUMNS, Match, NAME_KEY, PageAt, Prefix, QueueFilter, SEARCH_HITS_CAP, SURNAME_KEY, Sql,
    conditions, is_email, name_start, normalized, other_conditions,
};

#[derive(QueryableByName)]
struct Found {
    #[diesel(sql_type = Text)]
    folded: String,
    #[diesel(sql_type = Bool)]
    found: bool,
}

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

/// Appends one `{open}SELECT {what} FROM sessions WHERE status = .. AND <key range> ...)`
/// per name key and status (every status when the filter names none), joined by `joiner`:
/// the name-key indexes lead with the status, so each is one range of one index.
fn name_branches(
    sql: &mut Sql,
    f: &QueueFilter,
    prefix: Prefix<'_>,
    open: &str,
    what: &str,
    joiner: &str,
) {
    let statuses: &[SessionStatus] = if f.statuses.is_empty() {
        SessionStatus::ALL
    } else {
        &f.statuses
    };
    let mut first = true;
    for key in [NAME_KEY, SURNAME_KEY] {
        for status in statuses {
            if !first {
                sql.push(joiner);
            }
            first = false;
            sql.push(&format!(
                "{open}SELECT {what} FROM sessions WHERE status = "
            ));
            sql.bind(Bind::Text(status.as_str().to_owned()));
            name_start(sql, key, prefix);
            other_conditions(sql, f);
            sql.push(")");
        }
    }
}

/// How this search is matched: at the start of a name when some session under these
/// filters has a name starting so, otherwise anywhere. Decided by the filters alone, never
/// by the page, so paging through the results never changes what they are.
pub(super) fn search_match(
    conn: &mut PgConnection,
    f: &QueueFilter,
    search: &str,
) -> QueryResult<Match> {
    if is_email(search) {
        return Ok(Match::Anywhere);
    }
    // The search is folded once, here; the page's query binds the folded text.
    let mut sql = Sql::default();
    sql.push("WITH q AS MATERIALIZED (SELECT sd_fold(");
    sql.bind(Bind::Text(normalized(search)));
    sql.push(") AS k) SELECT q.k AS folded, (");
    name_branches(&mut sql, f, Prefix::Expr("q.k"), "EXISTS (", "1", " OR ");
    sql.push(") AS found FROM q");
    let probe = sql.query().get_result::<Found>(conn)?;
    Ok(if probe.found {
        Match::NameStart(probe.folded)
    } else {
        Match::Anywhere
    })
}

/// A search's page matched at the start of names: the ids and times of the matches from
/// the two name-key indexes (an index-only scan each), the page's worth of the newest cut
/// from them, then the page's rows. A session whose "first last" and last name both start
/// so comes from both indexes; it can appear at most twice, so the first `2 (limit + 1)`
/// entries hold the first `limit + 1` distinct sessions.
pub(super) fn name_start_sql(f: &QueueFilter, folded: &str, at: PageAt, limit: i64) -> Sql {
    let (dir, cmp) = direction(f, at);
    let mut sql = Sql::default();
    sql.push("WITH page AS (SELECT DISTINCT id, created_at FROM (SELECT id, created_at FROM (");
    name_branches(
        &mut sql,
        f,
        Prefix::Folded(folded),
        "(",
        "id, created_at",
        " UNION ALL ",
    );
    sql.push(") m WHERE TRUE");
    cursor(&mut sql, at, cmp);
    sql.push(&format!(" ORDER BY created_at {dir}, id {dir} LIMIT "));
    sql.int(2 * (limit + 1));
    sql.push(&format!(") t ORDER BY created_at {dir}, id {dir} LIMIT "));
    sql.int(limit + 1);
    sql.push(&format!(
        ") SELECT s.id, s.status, s.first_name, s.middle_name, s.last_name, s.email, s.created_at, \
         s.updated_at, s.last_activity, s.assigned_to, u.display_name AS assignee_name, s.redacted_at, \
         s.account_id, a.external_id, -1::bigint AS hits FROM page p \
         JOIN sessions s ON s.id = p.id \
         JOIN accounts a ON a.id = s.account_id LEFT JOIN users u ON u.id = s.assigned_to \
         ORDER BY p.created_at {dir}, p.id {dir}"
    ));
    sql
}

/// A search's page matched anywhere: every match (up to the cap) collected by one trigram
/// index scan, then sorted. The planner, left to itself, often walks the time-ordered index
/// and filters, which is fast for a common fragment and ruinous for a rare one.
pub(super) fn search_sql(f: &QueueFilter, at: PageAt, limit: i64) -> Sql {
    let (dir, cmp) = direction(f, at);
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
    cursor(&mut sql, at, cmp);
    sql.push(&format!(" ORDER BY created_at {dir}, id {dir} LIMIT "));
    sql.int(limit + 1);
    sql.push(&format!(
        ") SELECT s.id, s.status, s.first_name, s.middle_name, s.last_name, s.email, s.created_at, \
         s.updated_at, s.last_activity, s.assigned_to, u.display_name AS assignee_name, s.redacted_at, \
         s.account_id, a.external_id, n.hits FROM page s CROSS JOIN n \
         JOIN accounts a ON a.id = s.account_id LEFT JOIN users u ON u.id = s.assigned_to \
         ORDER BY s.created_at {dir}, s.id {dir}"
    ));
    sql
}

/// The sort direction and the cursor's comparison for a page.
fn direction(f: &QueueFilter, at: PageAt) -> (&'static str, &'static str) {
    // Scanning backwards for the previous page, then reversing.
    let backwards = matches!(at, PageAt::Before(_));
    if f.oldest_first != backwards {
        ("ASC", ">")
    } else {
        ("DESC", "<")
    }
}

/// Appends the keyset condition of a page after or before a cursor.
fn cursor(sql: &mut Sql, at: PageAt, cmp: &str) {
    if let PageAt::After(c) | PageAt::Before(c) = at {
        sql.push(&format!(" AND (created_at, id) {cmp} ("));
        sql.bind(Bind::Time(c.created_at));
        sql.push(", ");
        sql.bind(Bind::Uuid(c.id));
        sql.push(")");
    }
}
