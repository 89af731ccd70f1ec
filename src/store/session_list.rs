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

use std::collections::HashMap;

use crate::store::sql::{Bind, Sql};
use chrono::{DateTime, Utc};
use diesel::expression::SqlLiteral;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Timestamptz};
use uuid::Uuid;

use crate::domain::status::SessionStatus;
use crate::schema::sessions;
use crate::store::paging::{Page, PageAt, direction, keyset, overfetch};
use crate::store::session_links::{self, Linked, SessionLinks};
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

/// One row of [`page`]'s statement: a listed session (`p`, with its version) or a document
/// (`d`), verification (`v`) or device (`x`) of one.
#[derive(QueryableByName)]
struct PageRow {
    #[diesel(embed)]
    link: Linked,
    #[diesel(sql_type = Timestamptz)]
    created_at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<BigInt>)]
    version: Option<i64>,
}

/// One ordered, limited scan of the sessions of `status` (all when `None`) that match the
/// other filters, from the page's cursor: `TRUE AND ... ORDER BY ... LIMIT n`.
fn scan(q: &mut Sql, status: Option<SessionStatus>, f: &SessionFilter, at: PageAt, limit: i64) {
    let (dir, cmp) = direction(at, false);
    q.push("TRUE");
    if let Some(status) = status {
        // A literal (one of nine fixed words): a first page has no parameter, and its
        // prepared statement is planned once per connection.
        q.push(&format!(" AND status = '{}'", status.as_str()));
    }
    conditions(q, f);
    keyset(q, at, cmp);
    q.push(&format!(" ORDER BY created_at {dir}, id {dir} LIMIT "));
    q.int(overfetch(limit));
}

/// One page of at most `limit` sessions, newest first, whether there is more in the
/// direction it was read, and what each listed session links to (every listed session has
/// an entry, possibly empty).
///
/// One statement: the page's keys and versions in a `WITH`, and the documents,
/// verifications and devices of those keys beside them. The links used to be a second
/// statement, whose round trip cost Postgres and the server more than its execution
/// (0.008 ms of a page's 0.17 ms of Postgres time).
pub fn page(
    conn: &mut PgConnection,
    f: &SessionFilter,
    at: PageAt,
    limit: i64,
) -> QueryResult<(Page<Listed>, HashMap<Uuid, SessionLinks>)> {
    // The previous page is read oldest first from the cursor, then turned around.
    let (dir, _) = direction(at, false);
    let statuses: Vec<Option<SessionStatus>> = if f.statuses.is_empty() {
        vec![None]
    } else {
        f.statuses.iter().copied().map(Some).collect()
    };
    let mut q = Sql::default();
    q.push("WITH page AS MATERIALIZED (SELECT id, created_at, xmin::text::bigint AS version FROM sessions WHERE ");
    if let [status] = statuses[..] {
        // One ordered scan: the rows straight from it, with no second walk of the primary
        // key (51 index lookups were a third of this statement's work).
        scan(&mut q, status, f, at, limit);
    } else {
        // Several statuses: the page's keys, found by one narrow scan each, and its rows
        // by those keys.
        q.push("id IN (SELECT id FROM (");
        for (i, status) in statuses.iter().enumerate() {
            if i > 0 {
                q.push(" UNION ALL ");
            }
            q.push("(SELECT id, created_at FROM sessions WHERE ");
            scan(&mut q, *status, f, at, limit);
            q.push(")");
        }
        q.push(&format!(") s ORDER BY created_at {dir}, id {dir} LIMIT "));
        q.int(overfetch(limit));
        q.push(")");
    }
    q.push(
        ") SELECT 'p' AS source, id AS session_id, id, NULL::text AS kind, created_at, version \
         FROM page \
         UNION ALL SELECT 'd', session_id, id, kind, created_at, NULL FROM documents \
         WHERE session_id = ANY(ARRAY(SELECT id FROM page)) \
         UNION ALL SELECT 'v', session_id, id, kind, created_at, NULL FROM verifications \
         WHERE session_id = ANY(ARRAY(SELECT id FROM page)) \
         UNION ALL SELECT 'x', session_id, id, NULL, created_at, NULL FROM session_devices \
         WHERE session_id = ANY(ARRAY(SELECT id FROM page)) \
         ORDER BY source, created_at, id",
    );
    let read: Vec<PageRow> = q.query().load(conn)?;
    let mut rows = Vec::new();
    let mut links: HashMap<Uuid, SessionLinks> = HashMap::new();
    // Each table's rows oldest first: the device read last is the latest.
    for row in read {
        match (row.link.source.as_str(), row.version) {
            ("p", Some(version)) => {
                links.entry(row.link.id).or_default();
                rows.push(Listed {
                    id: row.link.id,
                    created_at: row.created_at,
                    version,
                });
            }
            _ => session_links::add(&mut links, row.link),
        }
    }
    // In the order read.
    rows.sort_unstable_by_key(|s| (s.created_at, s.id));
    if dir == "DESC" {
        rows.reverse();
    }
    Ok((Page::read_at(rows, limit, at), links))
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
