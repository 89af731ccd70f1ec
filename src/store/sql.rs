//! Raw SQL with numbered binds, for the queries Diesel's DSL cannot say well (the queue's
//! and the API list's `UNION ALL` of one ordered scan per status).

use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::query_builder::{BoxedSqlQuery, SqlQuery};
use diesel::sql_types::{BigInt, Text, Timestamptz, Uuid as SqlUuid};
use uuid::Uuid;

/// One bind value.
#[derive(Debug, Clone)]
pub(crate) enum Bind {
    /// `text`
    Text(String),
    /// `uuid`
    Uuid(Uuid),
    /// `timestamptz`
    Time(DateTime<Utc>),
    /// `bigint`
    Int(i64),
}

/// Collects SQL text and its bind values in order.
#[derive(Default)]
pub(crate) struct Sql {
    /// The text so far, binds written `$1`, `$2`, ...
    pub(crate) text: String,
    binds: Vec<Bind>,
}

impl Sql {
    /// Appends literal SQL.
    pub(crate) fn push(&mut self, s: &str) {
        self.text.push_str(s);
    }

    /// Appends the next bind's placeholder and remembers its value.
    pub(crate) fn bind(&mut self, b: Bind) {
        self.binds.push(b);
        self.text.push_str(&format!("${}", self.binds.len()));
    }

    /// The query, ready to load.
    pub(crate) fn query(self) -> BoxedSqlQuery<'static, Pg, SqlQuery> {
        let mut q = diesel::sql_query(self.text).into_boxed::<Pg>();
        for b in self.binds {
            q = match b {
                Bind::Text(v) => q.bind::<Text, _>(v),
                Bind::Uuid(v) => q.bind::<SqlUuid, _>(v),
                Bind::Time(v) => q.bind::<Timestamptz, _>(v),
                Bind::Int(v) => q.bind::<BigInt, _>(v),
            };
        }
        q
    }
}
