//! The marker scan: every text, character, date, array, JSON and bytea column of every
//! table, found through `information_schema` rather than a hand-kept list, searched for
//! distinctive strings. Text is compared without regard to case (the search text is
//! folded); bytes exactly.

use std::collections::{BTreeMap, BTreeSet};

use diesel::prelude::*;
use diesel::sql_types::{Array, Text};

#[derive(QueryableByName)]
struct Column {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    data_type: String,
}

#[derive(QueryableByName)]
struct Hit {
    #[diesel(sql_type = Text)]
    marker: String,
}

/// Every column that can hold applicant data, as (table, column, type).
fn columns(conn: &mut PgConnection) -> Vec<Column> {
    let found: Vec<Column> = diesel::sql_query(
        "SELECT c.table_name::text AS table_name, c.column_name::text AS column_name, \
                c.data_type::text AS data_type \
         FROM information_schema.columns c \
         JOIN information_schema.tables t \
           ON t.table_schema = c.table_schema AND t.table_name = c.table_name \
         WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' \
           AND c.data_type IN ('text', 'character varying', 'character', 'jsonb', 'json', \
                               'ARRAY', 'date', 'bytea', 'USER-DEFINED') \
         ORDER BY 1, 2",
    )
    .load(conn)
    .unwrap();
    // A scan that looks at nothing proves nothing: the tables that hold applicant data
    // must be among those scanned.
    let tables: BTreeSet<&str> = found.iter().map(|c| c.table_name.as_str()).collect();
    for needed in [
        "accounts",
        "sessions",
        "session_devices",
        "documents",
        "document_files",
        "verifications",
        "verification_checks",
        "notes",
        "events",
        "idempotency_keys",
    ] {
        assert!(tables.contains(needed), "{needed} is not scanned");
    }
    found
}

/// Where each marker is found: marker -> the `table.column`s holding it. Markers found
/// nowhere are absent from the map.
pub fn scan(conn: &mut PgConnection, markers: &[&str]) -> BTreeMap<String, BTreeSet<String>> {
    let markers: Vec<String> = markers.iter().map(|m| m.to_string()).collect();
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for c in columns(conn) {
        let test = if c.data_type == "bytea" {
            format!(
                "position(convert_to(m, 'UTF8') in \"{}\") > 0",
                c.column_name
            )
        } else {
            format!("strpos(lower(\"{}\"::text), lower(m)) > 0", c.column_name)
        };
        let sql = format!(
            "SELECT m AS marker FROM unnest($1::text[]) AS m \
             WHERE EXISTS (SELECT 1 FROM \"{}\" WHERE {test})",
            c.table_name
        );
        let hits: Vec<Hit> = diesel::sql_query(sql)
            .bind::<Array<Text>, _>(&markers)
            .load(conn)
            .unwrap();
        for hit in hits {
            out.entry(hit.marker)
                .or_default()
                .insert(format!("{}.{}", c.table_name, c.column_name));
        }
    }
    out
}

/// The tables of a set of `table.column`s.
pub fn tables(found: &BTreeSet<String>) -> BTreeSet<String> {
    found
        .iter()
        .map(|tc| tc.split('.').next().unwrap_or("").to_owned())
        .collect()
}

/// Asserts that each marker is found, only in the tables it belongs to, never in events.
pub fn assert_only_where_they_belong(
    found: &BTreeMap<String, BTreeSet<String>>,
    expected: &[(&str, &[&str])],
) {
    let mut problems = Vec::new();
    for (marker, allowed) in expected {
        match found.get(*marker) {
            None => problems.push(format!("{marker}: found nowhere")),
            Some(places) => {
                for table in tables(places) {
                    if table == "events" || !allowed.contains(&table.as_str()) {
                        problems.push(format!("{marker}: found in {places:?}"));
                    }
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Asserts that no marker is found anywhere.
pub fn assert_gone(found: &BTreeMap<String, BTreeSet<String>>) {
    assert!(
        found.is_empty(),
        "personal data left after redaction: {found:#?}"
    );
}
