//! The API's session list: whole session rows, newest first, keyset-paged over
//! `(created_at, id)` with the opaque cursors of [`crate::store::paging`].
//!
//! Like the queue, a list over several statuses is a `UNION ALL` of one ordered, limited
//! scan per status on `(status, created_at, id)`, so a page costs the same at row 50 and at
//! row 5,000,000. The page's keys are found by those narrow scans and its rows loaded by
//! id, in the same statement; with one status or none, the rows come from the one scan.
//! The queue's own query returns list columns only and knows no device or entity-type
//! filter, hence this sibling.
//!
//! A page is read as [`Listed`] keys with each row's version; the API writes from memory
//! every resource it wrote before at that version, and reads only the others whole
//! ([`by_ids`]).

use crate::store::sql::{Bind, Condition, Sql, Then};
use chrono::{DateTime, Utc};
use diesel::expression::SqlLiteral;
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use uuid::Uuid;

use crate::domain::status::SessionStatus;
use crate::schema::sessions;
use crate::store::paging::{Page, PageAt, direction, keyset, overfetch};
use crate::store::sessions::Session;

/// Every filter of `GET /v1/identity/sessions`, parsed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionFilter {
    /// Any of these statuses; all when empty.
    pub statuses: Vec<SessionStatus>,
    /// One account.
    pub account: Option<Uuid>,
    /// Only this entity type.
    pub entity_type: Option<String>,
    /// The session a device was recorded for.
    pub device: Option<Uuid>,
    /// Created at or after.
    pub created_from: Option<DateTime<Utc>>,
    /// Created strictly before.
    pub created_before: Option<DateTime<Utc>>,
}

/// ` AND ...` for every filter but status.
fn conditions(sql: &mut Sql, f: &SessionFilter) {
    if let Some(id) = f.account {
        sql.push(" AND account_id = ");
        sql.bind(Bind::Uuid(id));
    }
    if let Some(t) = &f.entity_type {
        sql.push(" AND entity_type = ");
        sql.bind(Bind::Text(t.clone()));
    }
    if let Some(id) = f.device {
        sql.push(" AND id IN (SELECT session_id FROM session_devices WHERE id = ");
        sql.bind(Bind::Uuid(id));
        sql.push(")");
    }
    sql.created_between(f.created_from, f.created_before);
}

/// A session's place in the list, and the version of its row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Queryable)]
pub struct Listed {
    /// Primary key.
    pub id: Uuid,
    /// The list's order, with `id`.
    pub created_at: DateTime<Utc>,
    /// The row's version: Postgres' `xmin`, the transaction that wrote this version of
    /// it. Every update of any column writes a new version with the updating
    /// transaction's id, and only committed versions are read, so two readings of one row
    /// with the same version read the same values. (`VACUUM FREEZE` keeps it; an id comes
    /// round again only after 2^32 transactions.)
    pub version: i64,
}

/// `xmin` of the row read, as a number.
fn version() -> SqlLiteral<BigInt> {
    diesel::dsl::sql("sessions.xmin::text::bigint")
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// One page of at most `limit` sessions, newest first, and whether there is more in the
/// direction it was read.
pub fn page(
    conn: &mut PgConnection,
    f: &SessionFilter,
    at: PageAt,
    limit: i64,
) -> QueryResult<Page<Listed>> {
    // The previous page is read oldest first from the cursor, then turned around.
    let (dir, cmp) = direction(at, false);
    let statuses: Vec<Option<SessionStatus>> = if f.statuses.is_empty() {
        vec![None]
    } else {
        f.statuses.iter().copied().map(Some).collect()
    };
    if let [status] = statuses[..] {
        // One ordered scan: the rows straight from it, with no second walk of the primary
        // key (51 index lookups were a third of this statement's work).
        let mut scan = Sql::default();
        scan.push("TRUE");
        if let Some(status) = status {
            scan.push(&format!(" AND status = '{}'", status.as_str()));
        }
        conditions(&mut scan, f);
        keyset(&mut scan, at, cmp);
        // The order and the limit as literal text (see `Then`): planned once per connection.
        let tail = format!(
            " ORDER BY sessions.created_at {dir}, sessions.id {dir} LIMIT {}",
            overfetch(limit)
        );
        let query = Then::new(scan, tail, |scan| {
            sessions::table
                .filter(scan)
                .select((sessions::id, sessions::created_at, version()))
        });
        return Ok(Page::read_at(query.load(conn)?, limit, at));
    }
    // Several statuses: the page's keys, found by one narrow scan each, and its rows by
    // those keys, in one statement.
    let mut keys = Sql::default();
    keys.push("sessions.id IN (SELECT id FROM (");
    for (i, status) in statuses.iter().enumerate() {
        if i > 0 {
            keys.push(" UNION ALL ");
        }
        keys.push("(SELECT id, created_at FROM sessions WHERE TRUE");
        if let Some(status) = status {
            // A literal (one of nine fixed words): a first page has no parameter, and its
            // prepared statement is planned once per connection.
            keys.push(&format!(" AND status = '{}'", status.as_str()));
        }
        conditions(&mut keys, f);
        keyset(&mut keys, at, cmp);
        keys.push(&format!(" ORDER BY created_at {dir}, id {dir} LIMIT "));
        keys.int(overfetch(limit));
        keys.push(")");
    }
    keys.push(&format!(") s ORDER BY created_at {dir}, id {dir} LIMIT "));
    keys.int(overfetch(limit));
    keys.push(")");
    let mut rows: Vec<Listed> = sessions::table
        .filter(Condition::new(keys))
        .select((sessions::id, sessions::created_at, version()))
        .load(conn)?;
    // In the order read, as the keys were found.
    rows.sort_unstable_by_key(|s| (s.created_at, s.id));
    if dir == "DESC" {
        rows.reverse();
    }
    Ok(Page::read_at(rows, limit, at))
}

/// The whole rows of `ids` (those that still exist), each with its version.
pub fn by_ids(conn: &mut PgConnection, ids: &[Uuid]) -> QueryResult<Vec<(Session, i64)>> {
    sessions::table
        .filter(sessions::id.eq_any(ids))
        .select((Session::as_select(), version()))
        .load(conn)
}

/// How many sessions match the filters, for `page[total]=true`: exact up to `cap`, and
/// `cap + 1` when there are more, so that no count reads more than `cap + 1` rows.
pub fn count(conn: &mut PgConnection, f: &SessionFilter, cap: i64) -> QueryResult<i64> {
    let mut sql = Sql::default();
    sql.push("SELECT count(*) AS n FROM (SELECT 1 FROM sessions WHERE TRUE");
    if !f.statuses.is_empty() {
        sql.push(" AND status IN (");
        for (i, s) in f.statuses.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.bind(Bind::Text(s.as_str().to_owned()));
        }
        sql.push(")");
    }
    conditions(&mut sql, f);
    sql.push(" LIMIT ");
    sql.int(cap + 1);
    sql.push(") capped");
    Ok(sql.query().get_result::<Count>(conn)?.n)
}
