//! Raw SQL with numbered binds, for the queries Diesel's DSL cannot say well (the queue's
//! and the API list's `UNION ALL` of one ordered scan per status).
//!
//! Diesel's own `sql_query` is never kept prepared, so Postgres parsed and planned the
//! queue's query on every page view: a third of its time under load. A [`Sql`] is a query
//! fragment Diesel may cache by its text. Filters combine into many shapes, so only the
//! first [`PREPARED_SHAPES`] distinct texts the process builds are cached (each connection
//! keeps each of them prepared); rarer shapes are planned every time, as before.

use std::collections::HashSet;
use std::sync::{LazyLock, Mutex};

use chrono::{DateTime, Utc};
use diesel::expression::{AppearsOnTable, Expression, SelectableExpression, ValidGrouping};
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::{Array, BigInt, Bool, Jsonb, Text, Timestamptz, Untyped, Uuid as SqlUuid};
use diesel::{QueryResult, RunQueryDsl};
use uuid::Uuid;

/// Distinct query texts kept prepared, per process (and so per pooled connection).
pub(crate) const PREPARED_SHAPES: usize = 128;

/// Hashes of the texts admitted to the statement cache so far.
static SHAPES: LazyLock<Mutex<HashSet<u64>>> = LazyLock::new(|| Mutex::new(HashSet::new()));

/// One bind value.
#[derive(Debug, Clone)]
pub(crate) enum Bind {
    /// `text`
    Text(String),
    /// `uuid`
    Uuid(Uuid),
    /// `timestamptz`
    Time(DateTime<Utc>),
    /// `bigint`: a key, such as an event id in a cursor.
    Int(i64),
    /// `jsonb`: an event's details.
    Json(serde_json::Value),
    /// `uuid[]`, for `= ANY(...)` over a page's ids: one shape whatever their number.
    Uuids(Vec<Uuid>),
}

/// Collects SQL text and its bind values in order.
///
/// The text is kept in pieces between binds; each bind's `$n` is written by Diesel when
/// the query is sent.
pub(crate) struct Sql {
    /// `pieces.len() == binds.len() + 1`: text, bind, text, bind, ..., text.
    pieces: Vec<String>,
    binds: Vec<Bind>,
    cacheable: bool,
}

impl Default for Sql {
    fn default() -> Self {
        Sql {
            pieces: vec![String::new()],
            binds: Vec::new(),
            cacheable: true,
        }
    }
}

impl Sql {
    /// Appends literal SQL.
    pub(crate) fn push(&mut self, s: &str) {
        if let Some(last) = self.pieces.last_mut() {
            last.push_str(s);
        }
    }

    /// Appends the next bind's placeholder and remembers its value.
    pub(crate) fn bind(&mut self, b: Bind) {
        self.binds.push(b);
        self.pieces.push(String::new());
    }

    /// Appends an integer as text: limits and caps are constants of the query's shape, so
    /// a query kept prepared is planned for its own page size.
    pub(crate) fn int(&mut self, n: i64) {
        self.push(&n.to_string());
    }

    /// ` AND created_at >= from AND created_at < before`, for whichever bound is given: the
    /// creation-time filter of the queue and of the API list.
    pub(crate) fn created_between(
        &mut self,
        from: Option<DateTime<Utc>>,
        before: Option<DateTime<Utc>>,
    ) {
        if let Some(t) = from {
            self.push(" AND created_at >= ");
            self.bind(Bind::Time(t));
        }
        if let Some(t) = before {
            self.push(" AND created_at < ");
            self.bind(Bind::Time(t));
        }
    }

    /// ` AND (created_at, id) {cmp} (created_at, id)`: the keyset condition of a page that
    /// follows (`cmp` is `<` newest first, `>` oldest first) or precedes a row.
    pub(crate) fn keyset(&mut self, cmp: &str, created_at: DateTime<Utc>, id: Uuid) {
        self.keyset_on("created_at", cmp, created_at, id);
    }

    /// [`Sql::keyset`] over `(column, id)`, for a list ordered by another time (the
    /// queue's "longest waiting first" orders by `waiting_since`).
    pub(crate) fn keyset_on(&mut self, column: &str, cmp: &str, at: DateTime<Utc>, id: Uuid) {
        self.push(&format!(" AND ({column}, id) {cmp} ("));
        self.bind(Bind::Time(at));
        self.push(", ");
        self.bind(Bind::Uuid(id));
        self.push(")");
    }

    /// Writes `prefix` before everything so far (`EXPLAIN ...`); such a query is never
    /// kept prepared.
    pub(crate) fn prefix(&mut self, prefix: &str) {
        if let Some(first) = self.pieces.first_mut() {
            first.insert_str(0, prefix);
        }
        self.cacheable = false;
    }

    /// The query, ready to load: kept prepared when its shape is among the first
    /// [`PREPARED_SHAPES`] seen.
    pub(crate) fn query(mut self) -> Self {
        if self.cacheable {
            self.cacheable = admit(&self.pieces);
        }
        self
    }
}

/// Whether a text may join the statement cache: it already has, or there is room.
fn admit(pieces: &[String]) -> bool {
    admit_with(pieces, "")
}

/// [`admit`] for `pieces` followed by `tail`.
fn admit_with(pieces: &[String], tail: &str) -> bool {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    pieces.hash(&mut h);
    tail.hash(&mut h);
    let key = h.finish();
    let Ok(mut shapes) = SHAPES.lock() else {
        return false;
    };
    if shapes.contains(&key) {
        return true;
    }
    if shapes.len() < PREPARED_SHAPES {
        shapes.insert(key);
        return true;
    }
    false
}

impl QueryId for Sql {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl Query for Sql {
    type SqlType = Untyped;
}

impl<Conn> RunQueryDsl<Conn> for Sql {}

impl QueryFragment<Pg> for Sql {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        if !self.cacheable {
            out.unsafe_to_cache_prepared();
        }
        for (i, piece) in self.pieces.iter().enumerate() {
            out.push_sql(piece);
            match self.binds.get(i) {
                Some(Bind::Text(v)) => out.push_bind_param::<Text, _>(v)?,
                Some(Bind::Uuid(v)) => out.push_bind_param::<SqlUuid, _>(v)?,
                Some(Bind::Time(v)) => out.push_bind_param::<Timestamptz, _>(v)?,
                Some(Bind::Int(v)) => out.push_bind_param::<BigInt, _>(v)?,
                Some(Bind::Json(v)) => out.push_bind_param::<Jsonb, _>(v)?,
                Some(Bind::Uuids(v)) => out.push_bind_param::<Array<SqlUuid>, _>(v)?,
                None => {}
            }
        }
        Ok(())
    }
}

/// An [`Sql`] as a condition of a query Diesel builds (`.filter(Condition::new(sql))`): the
/// API list finds its page's keys with raw SQL and loads the rows as Diesel's selectable
/// `Session`, in one statement.
pub(crate) struct Condition(Sql);

impl Condition {
    /// `sql`, a boolean SQL expression, kept prepared as [`Sql::query`] decides.
    pub(crate) fn new(sql: Sql) -> Self {
        Condition(sql.query())
    }
}

impl Expression for Condition {
    type SqlType = Bool;
}

impl<QS> AppearsOnTable<QS> for Condition {}

impl<QS> SelectableExpression<QS> for Condition {}

impl ValidGrouping<()> for Condition {
    type IsAggregate = diesel::expression::is_aggregate::Never;
}

impl QueryId for Condition {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl QueryFragment<Pg> for Condition {
    fn walk_ast<'b>(&'b self, out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.0.walk_ast(out)
    }
}

/// A query Diesel builds, filtered by an [`Sql`] condition, with literal SQL after it
/// (`ORDER BY ... LIMIT 51`).
///
/// Diesel sends every `.limit()` as a parameter, and for a parameter in `LIMIT` Postgres's
/// generic plan expects a tenth of the table: it never chose that plan, so it planned the
/// API list anew on every request (`pg_stat_statements`: as many plans as calls, 0.24 ms
/// each). With the limit written into the text, a first page has no parameter at all and
/// its statement is planned once per connection.
pub(crate) struct Then<Q> {
    query: Q,
    tail: String,
}

impl<Q> Then<Q> {
    /// `build(condition)` followed by `tail`, kept prepared when the condition and the
    /// tail together are among the first [`PREPARED_SHAPES`] shapes seen.
    pub(crate) fn new(condition: Sql, tail: String, build: impl FnOnce(Condition) -> Q) -> Self {
        let cacheable = condition.cacheable && admit_with(&condition.pieces, &tail);
        let condition = Condition(Sql {
            cacheable,
            ..condition
        });
        Then {
            query: build(condition),
            tail,
        }
    }
}

impl<Q: Query> Query for Then<Q> {
    type SqlType = Q::SqlType;
}

impl<Q> QueryId for Then<Q> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q: QueryFragment<Pg>> QueryFragment<Pg> for Then<Q> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.query.walk_ast(out.reborrow())?;
        out.push_sql(&self.tail);
        Ok(())
    }
}

impl<Q, Conn> RunQueryDsl<Conn> for Then<Q> {}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::debug_query;

    #[test]
    fn binds_are_numbered_where_they_were_pushed() {
        let mut sql = Sql::default();
        sql.push("SELECT 1 WHERE a = ");
        sql.bind(Bind::Text("x".into()));
        sql.push(" AND b = ");
        sql.bind(Bind::Uuid(Uuid::nil()));
        sql.push(" LIMIT ");
        sql.int(51);
        sql.prefix("EXPLAIN ");
        let text = debug_query::<Pg, _>(&sql).to_string();
        assert!(
            text.starts_with("EXPLAIN SELECT 1 WHERE a = $1 AND b = $2 LIMIT 51"),
            "{text}"
        );
    }

    #[test]
    fn a_tail_follows_the_whole_query_as_literal_text() {
        use crate::schema::sessions;
        use diesel::prelude::*;
        let mut scan = Sql::default();
        scan.push("TRUE AND (created_at, id) < (");
        scan.bind(Bind::Time(chrono::DateTime::UNIX_EPOCH));
        scan.push(", ");
        scan.bind(Bind::Uuid(Uuid::nil()));
        scan.push(")");
        let q = Then::new(scan, " ORDER BY created_at DESC LIMIT 51".into(), |c| {
            sessions::table.filter(c).select(sessions::id)
        });
        let text = debug_query::<Pg, _>(&q).to_string();
        assert!(
            text.contains(
                r#"FROM "sessions" WHERE TRUE AND (created_at, id) < ($1, $2) ORDER BY created_at DESC LIMIT 51 --"#
            ),
            "{text}"
        );
    }
}
