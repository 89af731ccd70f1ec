//! A search's page: every match collected first, counted, then sorted.
//!
//! A search that starts an applicant's name ("Arjun Iy", "Fernánd") is answered from the
//! name-key indexes, which carry each match's status, time and id, so a name shared by
//! thousands of sessions costs a read of that many index entries and no table rows. Any
//! other search (a fragment inside a word, an email or external id fragment) goes through
//! the trigram index.

use diesel::prelude::*;
use diesel::sql_types::Bool;

use super::{
    Bind, COLUMNS, Match, NAME_KEY, PageAt, QueueFilter, SEARCH_HITS_CAP, SURNAME_KEY, Sql,
    conditions, is_email, name_start, other_conditions,
};

/// Name-start matches collected before walking the time-ordered index instead; reading an
/// index entry costs far less than a table row, so the cap is higher than the trigram one.
pub const NAME_HITS_CAP: i64 = 20_000;

#[derive(QueryableByName)]
struct Found {
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
    let mut sql = Sql::default();
    for (i, key) in [NAME_KEY, SURNAME_KEY].iter().enumerate() {
        sql.push(if i == 0 {
            "SELECT EXISTS (SELECT 1 FROM sessions WHERE TRUE"
        } else {
            " OR EXISTS (SELECT 1 FROM sessions WHERE TRUE"
        });
        any_status(&mut sql, f);
        name_start(&mut sql, key, search);
        other_conditions(&mut sql, f);
        sql.push(")");
    }
    sql.push(" AS found");
    let found = sql.query().get_result::<Found>(conn)?.found;
    Ok(if found {
        Match::NameStart
    } else {
        Match::Anywhere
    })
}

/// A search's page matched at the start of names: the matches' ids and times from the two
/// name-key indexes (an index-only scan each), counted and sorted, then the page's rows.
pub(super) fn name_start_sql(f: &QueueFilter, at: PageAt, limit: i64) -> Sql {
    let (dir, cmp) = direction(f, at);
    let mut sql = Sql::default();
    sql.push("WITH hits AS MATERIALIZED (");
    for (i, key) in [NAME_KEY, SURNAME_KEY].iter().enumerate() {
        if i > 0 {
            sql.push(" UNION ");
        }
        sql.push("(SELECT id, created_at FROM sessions WHERE TRUE");
        any_status(&mut sql, f);
        if let Some(search) = &f.search {
            name_start(&mut sql, key, search);
        }
        other_conditions(&mut sql, f);
        sql.push(")");
    }
    sql.push(" LIMIT ");
    sql.int(NAME_HITS_CAP + 1);
    sql.push("), n AS (SELECT count(*) AS hits FROM hits), page AS (SELECT * FROM hits WHERE TRUE");
    cursor(&mut sql, at, cmp);
    sql.push(&format!(" ORDER BY created_at {dir}, id {dir} LIMIT "));
    sql.int(limit + 1);
    sql.push(&format!(
        ") SELECT s.id, s.status, s.first_name, s.middle_name, s.last_name, s.email, s.created_at, \
         s.updated_at, s.last_activity, s.assigned_to, u.display_name AS assignee_name, s.redacted_at, \
         s.account_id, a.external_id, n.hits FROM page p CROSS JOIN n \
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
    conditions(&mut sql, f, Match::Anywhere);
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
