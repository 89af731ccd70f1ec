//! The append-only audit log.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::domain::actor::Actor;
use crate::domain::status::SessionStatus;
use crate::schema::events;

/// One audit event as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = events, check_for_backend(diesel::pg::Pg))]
pub struct Event {
    /// Monotonic id, also the audit log's paging key.
    pub id: i64,
    /// The session concerned, if any.
    pub session_id: Option<Uuid>,
    /// `user`, `api_key` or `system`.
    pub actor_type: String,
    /// The user's or key's id.
    pub actor_id: Option<Uuid>,
    /// What happened (`session.approved`).
    pub action: String,
    /// Status before a transition.
    pub from_status: Option<String>,
    /// Status after a transition.
    pub to_status: Option<String>,
    /// Field names, ids and codes; never applicant data.
    pub details: serde_json::Value,
    /// The client address, for sign-in events.
    pub ip: Option<String>,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// An event about to be written.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = events)]
pub struct NewEvent {
    /// The session concerned, if any.
    pub session_id: Option<Uuid>,
    /// `user`, `api_key` or `system`.
    pub actor_type: &'static str,
    /// The user's or key's id.
    pub actor_id: Option<Uuid>,
    /// What happened.
    pub action: String,
    /// Status before a transition.
    pub from_status: Option<&'static str>,
    /// Status after a transition.
    pub to_status: Option<&'static str>,
    /// Field names, ids and codes only.
    pub details: serde_json::Value,
    /// The client address, for sign-in events.
    pub ip: Option<String>,
    /// When; `None` means now. Demo data backdates its history.
    pub created_at: Option<DateTime<Utc>>,
}

impl NewEvent {
    /// An event by `actor` about `session_id` (or about nothing in particular).
    pub fn new(actor: Actor, action: impl Into<String>, session_id: Option<Uuid>) -> Self {
        NewEvent {
            session_id,
            actor_type: actor.kind().as_str(),
            actor_id: actor.id(),
            action: action.into(),
            from_status: None,
            to_status: None,
            details: serde_json::json!({}),
            ip: None,
            created_at: None,
        }
    }

    /// Records a status change.
    pub fn transition(mut self, from: SessionStatus, to: SessionStatus) -> Self {
        self.from_status = Some(from.as_str());
        self.to_status = Some(to.as_str());
        self
    }

    /// Sets the details object.
    pub fn details(mut self, details: serde_json::Value) -> Self {
        self.details = details;
        self
    }
}

/// Appends one event.
pub fn insert(conn: &mut PgConnection, event: &NewEvent) -> QueryResult<Event> {
    diesel::insert_into(events::table)
        .values(event)
        .returning(Event::as_returning())
        .get_result(conn)
}

/// Appends many events at once.
pub fn insert_many(conn: &mut PgConnection, batch: &[NewEvent]) -> QueryResult<usize> {
    diesel::insert_into(events::table)
        .values(batch)
        .execute(conn)
}

/// A session's events, oldest first.
pub fn for_session(conn: &mut PgConnection, session_id: Uuid) -> QueryResult<Vec<Event>> {
    events::table
        .filter(events::session_id.eq(session_id))
        .order(events::id.asc())
        .select(Event::as_select())
        .load(conn)
}
