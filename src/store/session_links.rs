//! What a session's API resource links to: its documents, verifications and latest
//! device, loaded for a whole page of sessions in three queries.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::schema::{documents, session_devices, verifications};

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

/// The links of every session in `ids`; a session without any gets the default.
pub fn for_sessions(
    conn: &mut PgConnection,
    ids: &[Uuid],
) -> QueryResult<HashMap<Uuid, SessionLinks>> {
    let mut out: HashMap<Uuid, SessionLinks> = HashMap::new();
    let docs: Vec<(Uuid, Uuid, String)> = documents::table
        .filter(documents::session_id.eq_any(ids))
        .order((documents::created_at.asc(), documents::id.asc()))
        .select((documents::session_id, documents::id, documents::kind))
        .load(conn)?;
    for (session, id, kind) in docs {
        out.entry(session).or_default().documents.push((id, kind));
    }
    let checks: Vec<(Uuid, Uuid, String)> = verifications::table
        .filter(verifications::session_id.eq_any(ids))
        .order((verifications::created_at.asc(), verifications::id.asc()))
        .select((
            verifications::session_id,
            verifications::id,
            verifications::kind,
        ))
        .load(conn)?;
    for (session, id, kind) in checks {
        out.entry(session)
            .or_default()
            .verifications
            .push((id, kind));
    }
    let devices: Vec<(Uuid, Uuid, DateTime<Utc>)> = session_devices::table
        .filter(session_devices::session_id.eq_any(ids))
        .order((session_devices::created_at.asc(), session_devices::id.asc()))
        .select((
            session_devices::session_id,
            session_devices::id,
            session_devices::created_at,
        ))
        .load(conn)?;
    for (session, id, _) in devices {
        // Oldest first, so the last one written is the latest.
        out.entry(session).or_default().device = Some(id);
    }
    Ok(out)
}
