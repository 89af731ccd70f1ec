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
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::{Array, BigInt, Jsonb, Text, Timestamptz, Untyped, Uuid as SqlUuid};
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
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    pieces.hash(&mut h);
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
}
