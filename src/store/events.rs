//! The append-only audit log.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::domain::actor::Actor;
use crate::domain::kinds::ActorType;
use crate::domain::status::SessionStatus;
use crate::domain::webhooks as webhook_rules;
use crate::schema::events;
use crate::store::paging::{Page, overfetch};

/// One audit event as stored.
#[derive(Debug, Clone, Queryable, Selectable, serde::Deserialize)]
#[diesel(table_name = events, check_for_backend(diesel::pg::Pg))]
pub struct Event {
    /// Monotonic id, also the audit log's paging key.
    pub id: i64,
    /// The session concerned, if any.
    pub session_id: Option<Uuid>,
    /// `user`, `api_key` or `system`.
    pub actor_type: ActorType,
    /// The user's or key's id.
    pub actor_id: Option<Uuid>,
    /// What happened (`session.approved`).
    pub action: String,
    /// Status before a transition.
    pub from_status: Option<SessionStatus>,
    /// Status after a transition.
    pub to_status: Option<SessionStatus>,
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
    pub actor_type: ActorType,
    /// The user's or key's id.
    pub actor_id: Option<Uuid>,
    /// What happened.
    pub action: String,
    /// Status before a transition.
    pub from_status: Option<SessionStatus>,
    /// Status after a transition.
    pub to_status: Option<SessionStatus>,
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
            actor_type: actor.kind(),
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
        self.from_status = Some(from);
        self.to_status = Some(to);
        self
    }

    /// Sets the details object.
    pub fn details(mut self, details: serde_json::Value) -> Self {
        self.details = details;
        self
    }
}

/// Appends one event, and when it is one integrators are told of, its webhook deliveries:
/// in the caller's transaction, so they commit or roll back with the change they report.
pub fn insert(conn: &mut PgConnection, event: &NewEvent) -> QueryResult<Event> {
    let stored: Event = diesel::insert_into(events::table)
        .values(event)
        .returning(Event::as_returning())
        .get_result(conn)?;
    if webhook_rules::is_event_type(&stored.action) {
        crate::store::webhooks::enqueue(
            conn,
            &webhook_rules::Occurrence {
                action: &stored.action,
                session_id: stored.session_id,
                status: stored.to_status.map(SessionStatus::as_str),
                details: &stored.details,
                at: stored.created_at,
            },
        )?;
    }
    Ok(stored)
}

/// Appends many events at once.
pub fn insert_many(conn: &mut PgConnection, batch: &[NewEvent]) -> QueryResult<usize> {
    diesel::insert_into(events::table)
        .values(batch)
        .execute(conn)
}

/// Appends `event` unless the same event (action, actor, session and details, and client
/// address when `by_ip`) was written after `since`; `None` when it was. Some events are
/// worth one line per interval, not one per request (a case page reloaded, a forgotten
/// integration retrying with a bad key). Concurrent callers with the same event queue on a
/// transaction-scoped advisory lock, so two requests at the same moment write it once.
pub fn insert_unless_recent(
    conn: &mut PgConnection,
    event: &NewEvent,
    since: DateTime<Utc>,
    by_ip: bool,
) -> QueryResult<Option<Event>> {
    insert_unless(conn, event, since, by_ip, None)
}

/// Appends `event` unless an event of the same action, actor and session whose details
/// contain `part` (JSON containment) was written after `since`; `None` when it was. For
/// events recorded once per interval per some of their details (a document viewed: per
/// document, whichever of its files).
pub fn insert_unless_recent_matching(
    conn: &mut PgConnection,
    event: &NewEvent,
    since: DateTime<Utc>,
    part: &serde_json::Value,
) -> QueryResult<Option<Event>> {
    insert_unless(conn, event, since, false, Some(part))
}

fn insert_unless(
    conn: &mut PgConnection,
    event: &NewEvent,
    since: DateTime<Utc>,
    by_ip: bool,
    part: Option<&serde_json::Value>,
) -> QueryResult<Option<Event>> {
    // Most calls find the event already written (a page reloaded): one read, no lock and
    // no transaction. Only when none is found is the lock taken and the read made again.
    if happened_since(conn, event, since, by_ip, part)? {
        return Ok(None);
    }
    insert_unless_under_lock(conn, event, since, by_ip, part)
}

/// [`insert_unless_recent`] (without the client address) for a caller that has just found
/// with [`happened_since`] that the event was not written: the lock, the read again under
/// it, and the insert, without a second unlocked read.
pub fn insert_unless_recent_after_checking(
    conn: &mut PgConnection,
    event: &NewEvent,
    since: DateTime<Utc>,
) -> QueryResult<Option<Event>> {
    insert_unless_under_lock(conn, event, since, false, None)
}

fn insert_unless_under_lock(
    conn: &mut PgConnection,
    event: &NewEvent,
    since: DateTime<Utc>,
    by_ip: bool,
    part: Option<&serde_json::Value>,
) -> QueryResult<Option<Event>> {
    let ip = if by_ip { event.ip.as_deref() } else { None };
    let key = format!(
        "{}|{:?}|{:?}|{}|{:?}",
        event.action,
        event.actor_id,
        event.session_id,
        part.unwrap_or(&event.details),
        ip
    );
    conn.transaction(|conn| {
        diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
            .bind::<diesel::sql_types::Text, _>(&key)
            .execute(conn)?;
        if happened_since(conn, event, since, by_ip, part)? {
            Ok(None)
        } else {
            insert(conn, event).map(Some)
        }
    })
}

/// Whether `event` (its action, actor, session, and `part` of its details or all of them,
/// and its client address when `by_ip`) was written after `since`.
pub fn happened_since(
    conn: &mut PgConnection,
    event: &NewEvent,
    since: DateTime<Utc>,
    by_ip: bool,
    part: Option<&serde_json::Value>,
) -> QueryResult<bool> {
    let mut recent = events::table
        .filter(events::action.eq(&event.action))
        .filter(events::created_at.gt(since))
        .into_boxed();
    recent = match part {
        Some(part) => recent.filter(events::details.contains(part)),
        None => recent.filter(events::details.eq(&event.details)),
    };
    recent = match event.actor_id {
        Some(id) => recent.filter(events::actor_id.eq(id)),
        None => recent.filter(events::actor_id.is_null()),
    };
    recent = match event.session_id {
        Some(id) => recent.filter(events::session_id.eq(id)),
        None => recent.filter(events::session_id.is_null()),
    };
    if by_ip {
        recent = match event.ip.as_deref() {
            Some(ip) => recent.filter(events::ip.eq(ip)),
            None => recent.filter(events::ip.is_null()),
        };
    }
    Ok(recent
        .select(events::id)
        .first::<i64>(conn)
        .optional()?
        .is_some())
}

/// Where a page of a session's timeline starts: events strictly older than this
/// `(created_at, id)`, the keyset of [`timeline_page`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimelineCursor {
    /// The last shown event's time.
    pub created_at: DateTime<Utc>,
    /// The last shown event's id, to order events of the same instant.
    pub id: i64,
}

impl TimelineCursor {
    /// `<microseconds since the epoch>.<id>`, for a URL.
    pub fn encode(&self) -> String {
        format!("{}.{}", self.created_at.timestamp_micros(), self.id)
    }

    /// The cursor [`encode`](Self::encode) wrote; `None` for anything else.
    pub fn decode(raw: &str) -> Option<Self> {
        let (micros, id) = raw.trim().split_once('.')?;
        let created_at = DateTime::from_timestamp_micros(micros.parse().ok()?)?;
        let id = id.parse().ok().filter(|id: &i64| *id > 0)?;
        Some(TimelineCursor { created_at, id })
    }
}

/// A page of at most `size` of a session's events, newest first, older than `before` when
/// given, leaving out the actions in `except` (views, which are not the case's history),
/// and whether older ones exist.
pub fn timeline_page(
    conn: &mut PgConnection,
    session_id: Uuid,
    before: Option<TimelineCursor>,
    except: &[&str],
    size: i64,
) -> QueryResult<Page<Event>> {
    let mut query = events::table
        .filter(events::session_id.eq(session_id))
        .filter(events::action.ne_all(except.to_vec()))
        .into_boxed();
    if let Some(c) = before {
        query = query.filter(
            events::created_at
                .lt(c.created_at)
                .or(events::created_at.eq(c.created_at).and(events::id.lt(c.id))),
        );
    }
    let rows = query
        .order((events::created_at.desc(), events::id.desc()))
        .limit(overfetch(size))
        .select(Event::as_select())
        .load(conn)?;
    Ok(Page::from_overfetch(rows, size))
}
