//! The review queue: filtered, keyset-paged lists of sessions and capped counts, written so
//! that every filter is served by an index and a page costs the same at row 50 and row
//! 5,000,000.
//!
//! A list over several statuses is a `UNION ALL` of one ordered, limited scan per status
//! (each on `(status, created_at, id)`), merged and cut again: Postgres cannot merge one
//! index over an `IN` list in order, and a bitmap scan would sort every waiting session.

use crate::store::sql::{Bind, Sql};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use uuid::Uuid;

use crate::domain::sla::{SlaFilter, Targets};
use crate::domain::status::SessionStatus;

/// How the account filter names the account.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountFilter {
    /// By id.
    Id(Uuid),
    /// By the integrator's external id.
    External(String),
}

/// Whose sessions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssigneeFilter {
    /// Assigned to this user.
    User(Uuid),
    /// Assigned to nobody.
    Unassigned,
}

/// Every queue filter, parsed. Serialisable, so that a bulk change over "all matching"
/// keeps the very filter it was asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct QueueFilter {
    /// Any of these statuses; all when empty.
    pub statuses: Vec<SessionStatus>,
    /// Name, email or external id fragment (3+ characters).
    pub search: Option<String>,
    /// One account.
    pub account: Option<AccountFilter>,
    /// One assignee, or nobody.
    pub assignee: Option<AssigneeFilter>,
    /// Created at or after.
    pub created_from: Option<DateTime<Utc>>,
    /// Created before.
    pub created_before: Option<DateTime<Utc>>,
    /// Only redacted (`Some(true)`) or only unredacted (`Some(false)`) sessions.
    pub redacted: Option<bool>,
    /// Newest first (the default) or oldest first.
    pub oldest_first: bool,
    /// Ordered by `waiting_since` instead of `created_at` (with `oldest_first`: longest
    /// waiting first). Only for waiting statuses, and a search only when [`exact`].
    pub by_waiting: bool,
    /// With `by_waiting`: ordered by due time (`waiting_since` plus the status's target),
    /// soonest first.
    pub by_due: bool,
    /// Only cases due soon or breached against their service level ([`Targets`]).
    pub sla: Option<SlaFilter>,
    /// The service-level targets the `sla` filter measures against.
    pub targets: Targets,
}

/// One queue row.
#[derive(Debug, Clone, QueryableByName)]
pub struct QueueRow {
    /// Session id.
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    /// Status.
    #[diesel(sql_type = Text)]
    pub status: SessionStatus,
    /// First name.
    #[diesel(sql_type = Nullable<Text>)]
    pub first_name: Option<String>,
    /// Middle name.
    #[diesel(sql_type = Nullable<Text>)]
    pub middle_name: Option<String>,
    /// Last name.
    #[diesel(sql_type = Nullable<Text>)]
    pub last_name: Option<String>,
    /// Email.
    #[diesel(sql_type = Nullable<Text>)]
    pub email: Option<String>,
    /// Creation time: the queue's order.
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
    /// Last change.
    #[diesel(sql_type = Timestamptz)]
    pub updated_at: DateTime<Utc>,
    /// The latest event's action.
    #[diesel(sql_type = Nullable<Text>)]
    pub last_activity: Option<String>,
    /// Assignee.
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub assigned_to: Option<Uuid>,
    /// When redacted.
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub redacted_at: Option<DateTime<Utc>>,
    /// Account.
    #[diesel(sql_type = SqlUuid)]
    pub account_id: Uuid,
    /// The account's external id.
    #[diesel(sql_type = Nullable<Text>)]
    pub external_id: Option<String>,
    /// Since when it waits for a reviewer ([`crate::store::sessions::Session::waiting_since`]).
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub waiting_since: Option<DateTime<Utc>>,
    /// The assignee's last sign of work on it (a claim).
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub claimed_at: Option<DateTime<Utc>>,
    /// For a search matched anywhere: how many sessions matched, up to [`SEARCH_HITS_CAP`] + 1;
    /// otherwise -1.
    #[diesel(sql_type = BigInt)]
    pub hits: i64,
}

/// A search collects its matches first (one index scan), then sorts them, as long as there
/// are at most this many; beyond, matches are dense enough that walking the time-ordered
/// index and filtering is the faster plan.
pub const SEARCH_HITS_CAP: i64 = 5000;

/// Whether a search looks like a whole email address, which is then matched exactly.
pub fn is_email(search: &str) -> bool {
    let s = search.trim();
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty() && domain.contains('.') && !domain.contains('@') && !s.contains(' ')
        }
        None => false,
    }
}

impl QueueRow {
    /// The row's cursor in a list ordered by creation.
    pub fn cursor(&self) -> Cursor {
        Cursor {
            created_at: self.created_at,
            id: self.id,
        }
    }

    /// The row's cursor in the order of `f`: its waiting time when ordered by it, its due
    /// time when ordered by that.
    pub fn cursor_in(&self, f: &QueueFilter) -> Cursor {
        let due = || {
            self.waiting_since
                .and_then(|t| f.targets.due(self.status, t))
        };
        Cursor {
            created_at: match (f.by_due, f.by_waiting, self.waiting_since) {
                (true, _, _) => due().unwrap_or(self.created_at),
                (false, true, Some(t)) => t,
                _ => self.created_at,
            },
            id: self.id,
        }
    }
}

/// Escapes `%`, `_` and `\` so a search finds them literally.
fn like_pattern(search: &str) -> String {
    let mut p = String::from("%");
    for c in search.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// Appends ` AND ...` for every filter except status, a search matched anywhere.
fn conditions(sql: &mut Sql, f: &QueueFilter) {
    conditions_in(sql, f, None);
}

/// [`conditions`] for a scan of one `status` (`None`: every status the filter allows), so
/// that a service-level filter becomes a range of that status's waiting-time index.
fn conditions_in(sql: &mut Sql, f: &QueueFilter, status: Option<SessionStatus>) {
    search_conditions(sql, f);
    other_conditions(sql, f);
    sla_conditions(sql, f, status);
}

/// ` AND` the service-level filter's range for a scan of `status`, when there is one.
fn sla_conditions(sql: &mut Sql, f: &QueueFilter, status: Option<SessionStatus>) {
    if let Some(sla) = f.sla {
        sla_condition(sql, sla, &f.targets, status);
    }
}

/// ` AND` the waiting-time range of `filter` for `status`; for every status, one range per
/// status that has a target, or'ed.
fn sla_condition(
    sql: &mut Sql,
    filter: SlaFilter,
    targets: &Targets,
    status: Option<SessionStatus>,
) {
    let now = Utc::now();
    let range = |sql: &mut Sql, status: SessionStatus| match targets.window(filter, status, now) {
        None => sql.push("FALSE"),
        Some((after, until)) => {
            sql.push("(waiting_since <= ");
            sql.bind(Bind::Time(until));
            if let Some(after) = after {
                sql.push(" AND waiting_since > ");
                sql.bind(Bind::Time(after));
            }
            sql.push(")");
        }
    };
    sql.push(" AND ");
    match status {
        Some(status) => range(sql, status),
        None => {
            sql.push("(");
            for (i, status) in Targets::STATUSES.iter().enumerate() {
                if i > 0 {
                    sql.push(" OR ");
                }
                sql.push(&format!("(status = '{}' AND ", status.as_str()));
                range(sql, *status);
                sql.push(")");
            }
            sql.push(")");
        }
    }
}

/// Appends ` AND ...` for the search, a search matched anywhere.
fn search_conditions(sql: &mut Sql, f: &QueueFilter) {
    match &f.search {
        Some(search) if exact(search).is_some() => {
            if let Some(e) = exact(search) {
                exact::condition(sql, &e);
            }
        }
        Some(search) if is_email(search) => {
            sql.push(" AND lower(email) = lower(");
            sql.bind(Bind::Text(search.trim().to_owned()));
            sql.push(")");
        }
        Some(search) => {
            sql.push(" AND search_text LIKE sd_fold(");
            sql.bind(Bind::Text(like_pattern(search)));
            sql.push(")");
        }
        None => {}
    }
}

/// Appends ` AND ...` for every filter but status and search.
fn other_conditions(sql: &mut Sql, f: &QueueFilter) {
    match &f.account {
        Some(AccountFilter::Id(id)) => {
            sql.push(" AND account_id = ");
            sql.bind(Bind::Uuid(*id));
        }
        Some(AccountFilter::External(ext)) => {
            sql.push(" AND account_id IN (SELECT id FROM accounts WHERE external_id = ");
            sql.bind(Bind::Text(ext.clone()));
            sql.push(")");
        }
        None => {}
    }
    match f.assignee {
        Some(AssigneeFilter::User(id)) => {
            sql.push(" AND assigned_to = ");
            sql.bind(Bind::Uuid(id));
        }
        Some(AssigneeFilter::Unassigned) => sql.push(" AND assigned_to IS NULL"),
        None => {}
    }
    sql.created_between(f.created_from, f.created_before);
    match f.redacted {
        Some(true) => sql.push(" AND redacted_at IS NOT NULL"),
        Some(false) => sql.push(" AND redacted_at IS NULL"),
        None => {}
    }
}

const COLUMNS: &str = "id, status, first_name, middle_name, last_name, email, created_at, updated_at, \
                       last_activity, assigned_to, redacted_at, account_id, waiting_since, claimed_at";

/// One page of the queue, at most `limit` rows in display order, and whether there is more
/// in the direction it was read.
pub fn page(
    conn: &mut PgConnection,
    f: &QueueFilter,
    at: PageAt,
    limit: i64,
) -> QueryResult<Page<QueueRow>> {
    let rows: Vec<QueueRow> = match &f.search {
        Some(search) if exact::applies(conn, search)? => {
            page_sql(f, at, limit, true).query().load(conn)?
        }
        Some(search) => match search_match(conn, f, search)? {
            Match::NameStart(folded) => generic_plan(conn, name_start_sql(f, &folded, at, limit))?,
            Match::Anywhere => {
                let collected: Vec<QueueRow> = search_sql(f, at, limit).query().load(conn)?;
                if collected.iter().any(|r| r.hits > SEARCH_HITS_CAP) {
                    page_sql(f, at, limit, true).query().load(conn)?
                } else {
                    collected
                }
            }
        },
        None => page_sql(f, at, limit, true).query().load(conn)?,
    };
    Ok(Page::read_at(rows, limit, at))
}

/// [`page`] for a page that names the rows' accounts itself (the queue, from the external
/// ids each instance keeps by account): without a search, `external_id` is left `None` and
/// no account is read. With a search, as [`page`].
pub fn page_without_accounts(
    conn: &mut PgConnection,
    f: &QueueFilter,
    at: PageAt,
    limit: i64,
) -> QueryResult<Page<QueueRow>> {
    if f.search.is_some() {
        return page(conn, f, at, limit);
    }
    let rows = page_sql(f, at, limit, false).query().load(conn)?;
    Ok(Page::read_at(rows, limit, at))
}

#[derive(QueryableByName)]
struct PlanLine {
    #[diesel(sql_type = Text, column_name = "QUERY PLAN")]
    line: String,
}

/// `EXPLAIN (ANALYZE, BUFFERS)` of the very query behind a queue page, for operators and
/// the benchmark notes (`sessiondesk explain-queue`).
pub fn explain_page(
    conn: &mut PgConnection,
    f: &QueueFilter,
    at: PageAt,
    limit: i64,
) -> QueryResult<Vec<String>> {
    let mut sql = match &f.search {
        Some(search) if exact::applies(conn, search)? => page_sql(f, at, limit, true),
        Some(search) => match search_match(conn, f, search)? {
            Match::NameStart(folded) => name_start_sql(f, &folded, at, limit),
            Match::Anywhere => search_sql(f, at, limit),
        },
        None => page_sql(f, at, limit, false),
    };
    sql.prefix("EXPLAIN (ANALYZE, BUFFERS) ");
    Ok(sql
        .query()
        .load::<PlanLine>(conn)?
        .into_iter()
        .map(|l| l.line)
        .collect())
}

/// The page's statement; `accounts`: with each row's account's external id (otherwise
/// `NULL`).
fn page_sql(f: &QueueFilter, at: PageAt, limit: i64, accounts: bool) -> Sql {
    let (dir, cmp) = direction(at, f.oldest_first);
    let statuses: Vec<Option<SessionStatus>> = if f.statuses.is_empty() {
        vec![None]
    } else {
        f.statuses.iter().copied().map(Some).collect()
    };

    // Longest waiting first reads the waiting-time index, which holds waiting sessions only.
    let key = if f.by_waiting {
        "waiting_since"
    } else {
        "created_at"
    };
    let mut sql = Sql::default();
    sql.push(
        "SELECT s.id, s.status, s.first_name, s.middle_name, s.last_name, s.email, s.created_at, \
              s.updated_at, s.last_activity, s.assigned_to, s.redacted_at, s.account_id, ",
    );
    sql.push(if accounts {
        "(SELECT a.external_id FROM accounts a WHERE a.id = s.account_id)"
    } else {
        "NULL::text"
    });
    sql.push(" AS external_id, s.waiting_since, s.claimed_at, -1::bigint AS hits FROM (");
    for (i, status) in statuses.iter().enumerate() {
        if i > 0 {
            sql.push(" UNION ALL ");
        }
        sql.push(&format!("(SELECT {COLUMNS} FROM sessions WHERE TRUE"));
        if let Some(status) = status {
            // A literal (one of nine fixed words): the planner can prove the waiting-time
            // index's predicate, and the first page of a queue has no parameter at all, so
            // its prepared statement is planned once per connection instead of at every
            // execution.
            sql.push(&format!(" AND status = '{}'", status.as_str()));
        }
        conditions_in(&mut sql, f, *status);
        if f.by_waiting {
            sql.push(" AND waiting_since IS NOT NULL");
        }
        if let PageAt::After(c) | PageAt::Before(c) = at {
            // Within one status the due time is the waiting time plus a constant.
            let target = match (f.by_due, status) {
                (true, Some(s)) => f.targets.of(*s).unwrap_or_default(),
                _ => chrono::Duration::zero(),
            };
            sql.keyset_on(key, cmp, c.created_at - target, c.id);
        }
        sql.push(&format!(" ORDER BY {key} {dir}, id {dir} LIMIT "));
        sql.int(overfetch(limit));
        sql.push(")");
    }
    let order = if f.by_due {
        due_expression(&f.targets)
    } else {
        format!("s.{key}")
    };
    // The account and the assignee are looked up by key for the page's rows only: joined,
    // a small database (10,000 sessions) had the planner hash all its accounts for every
    // page (1.1 ms), which made the queue slower there than on a million sessions.
    sql.push(&format!(") s ORDER BY {order} {dir}, s.id {dir} LIMIT "));
    sql.int(overfetch(limit));
    sql
}

/// `s.waiting_since` plus the target of `s.status`, in SQL (the targets are whole hours
/// from the configuration, written as literals).
fn due_expression(targets: &Targets) -> String {
    let mut e = String::from("(s.waiting_since + CASE s.status");
    for status in Targets::STATUSES {
        let hours = targets.of(status).map_or(0, |t| t.num_hours());
        e.push_str(&format!(
            " WHEN '{}' THEN interval '{hours} hours'",
            status.as_str()
        ));
    }
    e.push_str(" END)");
    e
}

mod counts;
mod exact;
mod name_start;
mod reasons;
mod search;

/// A queue page is asked for with the shared keyset cursor.
pub use crate::store::paging::{Cursor, PageAt};
use crate::store::paging::{Page, direction, overfetch};
pub use counts::{CappedCount, filter_counts, status_counts, work_counts};
pub use exact::{Exact, exact};
use name_start::{Match, generic_plan, name_start_sql, search_match};
pub use reasons::{WaitReason, wait_reasons};
use search::search_sql;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_pattern("a%b_c\\"), "%a\\%b\\_c\\\\%");
    }
}
