//! Searches that start a name ("Arjun Iy", "Fernánd"): answered from the name-key indexes,
//! which lead with the status and carry each match's time and id, so a name shared by
//! thousands of sessions costs a read of that many index entries and no table rows.

use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};

use super::{Bind, QueueFilter, QueueRow, Sql, is_email, other_conditions, sla_conditions};
use crate::domain::status::SessionStatus;
use crate::store::paging::{PageAt, direction, keyset, overfetch};

/// How a search's text is matched ([`search_match`] decides).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Match {
    /// Anywhere in the name, email or external id (the trigram index); a whole email
    /// address exactly.
    Anywhere,
    /// At the start of the applicant's "first last" or of their last name (the name-key
    /// indexes); the search as Postgres folds it.
    NameStart(String),
}

/// Where a name-start search's folded text comes from.
#[derive(Debug, Clone, Copy)]
enum Prefix<'a> {
    /// An SQL expression computing it (the probe folds the search once, in `q.k`).
    Expr(&'a str),
    /// Already folded by Postgres: bound as it is.
    Folded(&'a str),
}

/// The folded-key range of sessions whose `key` starts with the prefix: `key >= p AND
/// key < p || U+10FFFF`, in byte order, which a btree answers as one range.
fn name_start(sql: &mut Sql, key: &str, prefix: Prefix<'_>) {
    match prefix {
        Prefix::Expr(e) => sql.push(&format!(
            " AND {key} COLLATE \"C\" >= {e} AND {key} COLLATE \"C\" < {e} || chr(1114111)"
        )),
        Prefix::Folded(p) => {
            sql.push(&format!(" AND {key} COLLATE \"C\" >= "));
            sql.bind(Bind::Text(p.to_owned()));
            sql.push(&format!(" AND {key} COLLATE \"C\" < "));
            sql.bind(Bind::Text(format!("{p}\u{10FFFF}")));
        }
    }
}

/// The two name keys, as written in the indexes of migration `name_prefix_indexes`.
const NAME_KEY: &str = "sd_name_key(first_name, last_name)";
const SURNAME_KEY: &str = "sd_fold(last_name)";

/// A search with its spaces collapsed, as names are stored.
fn normalized(search: &str) -> String {
    search.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[derive(QueryableByName)]
struct Found {
    #[diesel(sql_type = Text)]
    folded: String,
    #[diesel(sql_type = Bool)]
    found: bool,
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
            sla_conditions(sql, f, Some(*status));
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
/// so comes from both indexes; it can appear at most twice, so the first twice
/// [`overfetch`]`(limit)` entries hold the first `overfetch(limit)` distinct sessions.
pub(super) fn name_start_sql(f: &QueueFilter, folded: &str, at: PageAt, limit: i64) -> Sql {
    let (dir, cmp) = direction(at, f.oldest_first);
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
    keyset(&mut sql, at, cmp);
    sql.push(&format!(" ORDER BY created_at {dir}, id {dir} LIMIT "));
    sql.int(2 * overfetch(limit));
    sql.push(&format!(") t ORDER BY created_at {dir}, id {dir} LIMIT "));
    sql.int(overfetch(limit));
    sql.push(&format!(
        ") SELECT s.id, s.status, s.first_name, s.middle_name, s.last_name, s.email, s.created_at, \
         s.updated_at, s.last_activity, s.assigned_to, s.redacted_at, \
         s.account_id, a.external_id, s.waiting_since, s.claimed_at, -1::bigint AS hits FROM page p \
         JOIN sessions s ON s.id = p.id \
         JOIN accounts a ON a.id = s.account_id \
         ORDER BY p.created_at {dir}, p.id {dir}"
    ));
    sql
}

/// Loads `sql` with the plan Postgres keeps for the prepared statement, never re-planned for
/// its values: the name-start search's plan is the same two index-only range scans for
/// every name, and planning it each time cost a third of the query.
pub(super) fn generic_plan(conn: &mut PgConnection, sql: Sql) -> QueryResult<Vec<QueueRow>> {
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    // BEGIN and SET LOCAL in one round trip, through Diesel's transaction manager so that it
    // knows a transaction is open (and a failed one is rolled back, never pooled).
    AnsiTransactionManager::begin_transaction_sql(
        conn,
        "BEGIN; SET LOCAL plan_cache_mode = force_generic_plan",
    )?;
    match sql.query().load(conn) {
        Ok(rows) => {
            AnsiTransactionManager::commit_transaction(conn)?;
            Ok(rows)
        }
        Err(e) => {
            // The query's error is the one to report; a failed rollback marks the
            // connection broken, and the pool drops it.
            let _ = AnsiTransactionManager::rollback_transaction(conn);
            Err(e)
        }
    }
}
