//! The audit log read back: keyset pages over `events.id` with filters, and the names of the
//! users and API keys a page mentions. Every filter has an index of the core migration:
//! `events_actor_idx (actor_id, id)`, `events_action_idx (action, id)` and
//! `events_session_idx (session_id, id)`, so a page costs the same at any depth.

use diesel::pg::Pg;
use diesel::prelude::*;
use uuid::Uuid;

use crate::domain::directory::Directory;
use crate::schema::{api_keys, events, users};
use crate::store::events::Event;
use crate::store::paging::{Page, overfetch};

/// What the audit log is narrowed to; every set field must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Events by this user or API key.
    pub actor_id: Option<Uuid>,
    /// Events with exactly this action.
    pub action: Option<String>,
    /// Events about this session.
    pub session_id: Option<Uuid>,
}

/// Where a page starts, on `events.id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cursor {
    /// The newest events.
    Newest,
    /// Events older than this id (the next page).
    Before(i64),
    /// Events newer than this id (the previous page).
    After(i64),
}

/// One page of the audit log, newest first, and whether there is more on either side.
#[derive(Debug, Clone)]
pub struct AuditPage {
    /// The events, newest first.
    pub events: Vec<Event>,
    /// More recent events match the filter.
    pub has_newer: bool,
    /// Older events match the filter.
    pub has_older: bool,
}

fn filtered(filter: &AuditFilter) -> events::BoxedQuery<'_, Pg> {
    let mut query = events::table.into_boxed();
    if let Some(actor) = filter.actor_id {
        query = query.filter(events::actor_id.eq(actor));
    }
    if let Some(action) = &filter.action {
        query = query.filter(events::action.eq(action.as_str()));
    }
    if let Some(session) = filter.session_id {
        query = query.filter(events::session_id.eq(session));
    }
    query
}

fn any(conn: &mut PgConnection, query: events::BoxedQuery<'_, Pg>) -> QueryResult<bool> {
    Ok(query
        .select(events::id)
        .first::<i64>(conn)
        .optional()?
        .is_some())
}

/// A page of at most `size` events matching `filter`, starting at `cursor`. No OFFSET: each
/// page is an index range scan from its cursor, plus one probe for the other direction.
pub fn page(
    conn: &mut PgConnection,
    filter: &AuditFilter,
    cursor: Cursor,
    size: i64,
) -> QueryResult<AuditPage> {
    let size = size.max(1);
    let query = match cursor {
        Cursor::Newest => filtered(filter).order(events::id.desc()),
        Cursor::Before(id) => filtered(filter)
            .filter(events::id.lt(id))
            .order(events::id.desc()),
        Cursor::After(id) => filtered(filter)
            .filter(events::id.gt(id))
            .order(events::id.asc()),
    };
    let read: Vec<Event> = query
        .limit(overfetch(size))
        .select(Event::as_select())
        .load(conn)?;
    let Page {
        rows: mut events,
        more,
    } = Page::from_overfetch(read, size);
    let (has_newer, has_older) = match cursor {
        Cursor::Newest => (false, more),
        Cursor::Before(id) => (any(conn, filtered(filter).filter(events::id.ge(id)))?, more),
        Cursor::After(id) => {
            events.reverse();
            (more, any(conn, filtered(filter).filter(events::id.le(id)))?)
        }
    };
    Ok(AuditPage {
        events,
        has_newer,
        has_older,
    })
}

/// Whether a user or an API key has this id: the audit log's actor filter takes either.
pub fn actor_exists(conn: &mut PgConnection, id: Uuid) -> QueryResult<bool> {
    let user = users::table
        .find(id)
        .select(users::id)
        .first::<Uuid>(conn)
        .optional()?;
    if user.is_some() {
        return Ok(true);
    }
    Ok(api_keys::table
        .find(id)
        .select(api_keys::id)
        .first::<Uuid>(conn)
        .optional()?
        .is_some())
}

/// Display names of the users with these ids, in one query.
pub fn user_names(conn: &mut PgConnection, ids: &[Uuid]) -> QueryResult<Vec<(Uuid, String)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    users::table
        .filter(users::id.eq_any(ids))
        .select((users::id, users::display_name))
        .load(conn)
}

/// Reads the [`Directory`]: one query per table.
pub fn directory(conn: &mut PgConnection) -> QueryResult<Directory> {
    let users: Vec<(Uuid, String)> = users::table
        .select((users::id, users::display_name))
        .load(conn)?;
    let keys: Vec<(Uuid, String)> = api_keys::table
        .select((api_keys::id, api_keys::name))
        .load(conn)?;
    Ok(Directory {
        users: users.into_iter().collect(),
        api_keys: keys.into_iter().collect(),
    })
}

/// Names of the API keys with these ids, in one query.
pub fn api_key_names(conn: &mut PgConnection, ids: &[Uuid]) -> QueryResult<Vec<(Uuid, String)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    api_keys::table
        .filter(api_keys::id.eq_any(ids))
        .select((api_keys::id, api_keys::name))
        .load(conn)
}
