//! What a session's API resource links to: its documents, verifications and latest
//! device, loaded for a whole page of sessions in one statement.

use std::collections::HashMap;

use diesel::prelude::*;
use diesel::sql_types::{Nullable, Text, Uuid as SqlUuid};
use uuid::Uuid;

use super::sql::{Bind, Sql};

/// The ids (and kinds) a session points at.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionLinks {
    /// `(id, kind)` of each document, oldest first.
    pub documents: Vec<(Uuid, String)>,
    /// `(id, kind)` of each verification, oldest first.
    pub verifications: Vec<(Uuid, String)>,
    /// The latest recorded device.
    pub device: Option<Uuid>,
}

/// One row of a links statement ([`for_sessions`]', and the API list page's): a document
/// (`d`), verification (`v`) or device (`x`) of a session.
#[derive(QueryableByName)]
pub(crate) struct Linked {
    /// `d`, `v` or `x`.
    #[diesel(sql_type = Text)]
    pub(crate) source: String,
    /// The session it belongs to.
    #[diesel(sql_type = SqlUuid)]
    pub(crate) session_id: Uuid,
    /// Its own id.
    #[diesel(sql_type = SqlUuid)]
    pub(crate) id: Uuid,
    /// A document's or verification's kind.
    #[diesel(sql_type = Nullable<Text>)]
    pub(crate) kind: Option<String>,
}

/// The links of every session in `ids`; a session without any gets the default. One
/// statement: each table's rows oldest first (the device read last is the latest).
pub fn for_sessions(
    conn: &mut PgConnection,
    ids: &[Uuid],
) -> QueryResult<HashMap<Uuid, SessionLinks>> {
    let mut out: HashMap<Uuid, SessionLinks> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let mut q = Sql::default();
    q.push("SELECT 'd' AS source, session_id, id, kind, created_at FROM documents WHERE session_id = ANY(");
    q.bind(Bind::Uuids(ids.to_vec()));
    q.push(") UNION ALL SELECT 'v', session_id, id, kind, created_at FROM verifications WHERE session_id = ANY(");
    q.bind(Bind::Uuids(ids.to_vec()));
    q.push(") UNION ALL SELECT 'x', session_id, id, NULL, created_at FROM session_devices WHERE session_id = ANY(");
    q.bind(Bind::Uuids(ids.to_vec()));
    q.push(") ORDER BY source, created_at, id");
    let rows: Vec<Linked> = q.query().load(conn)?;
    for row in rows {
        add(&mut out, row);
    }
    Ok(out)
}

/// Adds one row of a links statement to `out`: a document (`d`) or verification (`v`) with
/// its kind, or a device (anything else; read oldest first, the last one is the latest).
pub(crate) fn add(out: &mut HashMap<Uuid, SessionLinks>, row: Linked) {
    let links = out.entry(row.session_id).or_default();
    match (row.source.as_str(), row.kind) {
        ("d", Some(kind)) => links.documents.push((row.id, kind)),
        ("v", Some(kind)) => links.verifications.push((row.id, kind)),
        _ => links.device = Some(row.id),
    }
}
