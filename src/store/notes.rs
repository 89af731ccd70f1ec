//! Reviewers' internal notes on a session.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::schema::notes;

/// A note as stored; `body` is `None` once the session is redacted.
#[derive(Debug, Clone, Queryable, Selectable, serde::Deserialize)]
#[diesel(table_name = notes, check_for_backend(diesel::pg::Pg))]
pub struct Note {
    /// Primary key.
    pub id: Uuid,
    /// The session.
    pub session_id: Uuid,
    /// The reviewer who wrote it.
    pub author_id: Uuid,
    /// The text.
    pub body: Option<String>,
    /// When written.
    pub created_at: DateTime<Utc>,
}

/// A note about to be stored.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = notes)]
pub struct NewNote {
    /// The session.
    pub session_id: Uuid,
    /// The author.
    pub author_id: Uuid,
    /// The text.
    pub body: Option<String>,
    /// When; now if `None`.
    pub created_at: Option<DateTime<Utc>>,
}

/// Stores a note.
pub fn insert(conn: &mut PgConnection, new: &NewNote) -> QueryResult<Note> {
    diesel::insert_into(notes::table)
        .values(new)
        .returning(Note::as_returning())
        .get_result(conn)
}

/// A session's notes, oldest first.
pub fn for_session(conn: &mut PgConnection, session_id: Uuid) -> QueryResult<Vec<Note>> {
    notes::table
        .filter(notes::session_id.eq(session_id))
        .order((notes::created_at.desc(), notes::id.desc()))
        .select(Note::as_select())
        .load(conn)
}
