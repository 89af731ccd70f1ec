//! `GET /audit`: the whole audit log for admins, newest first, 50 per page, keyset paged on
//! `events.id`, narrowed by actor, action and session through the URL.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, web};
use askama::Template;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use uuid::Uuid;

use crate::db::{self, DbPool};
use crate::domain::status::SessionStatus;
use crate::store::audit::{self, AuditFilter, Cursor};
use crate::store::events::Event;
use crate::store::users;
use crate::web::auth::Admin;
use crate::web::error::PageError;
use crate::web::events::{self, ActorNames};
use crate::web::format;
use crate::web::page::{self, Page};

const PAGE_SIZE: i64 = 50;

/// The audit log's filters and cursor, all in the URL. Every value arrives as text and is
/// parsed here, so a bad one becomes a message on the page instead of a bare 400.
#[derive(Debug, Default, Deserialize)]
pub struct AuditQuery {
    /// A username, a user id or an API key id.
    #[serde(default)]
    actor: Option<String>,
    /// An exact action name.
    #[serde(default)]
    action: Option<String>,
    /// A session id.
    #[serde(default)]
    session: Option<String>,
    /// Show events older than this event id.
    #[serde(default)]
    before: Option<String>,
    /// Show events newer than this event id.
    #[serde(default)]
    after: Option<String>,
}

/// A query value with blanks treated as absent.
fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// One line of the log, ready to print.
struct Row {
    id: i64,
    iso: String,
    exact: String,
    ago: String,
    actor: String,
    actor_id: Option<Uuid>,
    what: String,
    action: String,
    session: Option<(Uuid, String)>,
    from_status: Option<SessionStatus>,
    to_status: Option<SessionStatus>,
    ip: Option<String>,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    page: Page,
    actor: String,
    action: String,
    session: String,
    actions: Vec<String>,
    problems: Vec<String>,
    rows: Vec<Row>,
    newer: Option<String>,
    older: Option<String>,
    /// The first page of the same filters, when this is not it.
    newest: Option<String>,
}

/// Whether `value` could be an action name (the events table's CHECK, by hand).
fn is_action_name(value: &str) -> bool {
    let part = |p: &str| {
        p.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
            && p.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
    };
    value.len() <= 100 && value.contains('.') && value.split('.').all(part)
}

/// The link to another page of the same filters.
fn link(query: &AuditQuery, cursor: Option<(&str, i64)>) -> String {
    let mut url = url::form_urlencoded::Serializer::new(String::new());
    for (key, value) in [
        ("actor", &query.actor),
        ("action", &query.action),
        ("session", &query.session),
    ] {
        if let Some(v) = given(value) {
            url.append_pair(key, v);
        }
    }
    if let Some((key, id)) = cursor {
        url.append_pair(key, &id.to_string());
    }
    let query = url.finish();
    if query.is_empty() {
        "/audit".to_owned()
    } else {
        format!("/audit?{query}")
    }
}

fn row(e: &Event, names: &ActorNames, now: DateTime<Utc>) -> Row {
    Row {
        id: e.id,
        iso: e.created_at.to_rfc3339(),
        exact: e.created_at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
        ago: format::age(e.created_at, now),
        actor: names.actor(e),
        actor_id: e.actor_id,
        what: events::describe(e, names),
        action: e.action.clone(),
        session: e.session_id.map(|id| (id, format::short_id(&id))),
        from_status: e.from_status,
        to_status: e.to_status,
        ip: e.ip.clone(),
    }
}

/// The audit log. An invalid filter value (a malformed id or cursor, an unknown username
/// or id) answers 400 with the page, the filters as typed, a message naming the filter and
/// no events: the request cannot be answered as asked, but the admin can correct it there.
#[get("/audit")]
pub async fn index(
    Admin(me): Admin,
    session: Session,
    pool: web::Data<DbPool>,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, PageError> {
    let query = query.into_inner();
    let mut problems = Vec::new();
    let mut filter = AuditFilter::default();
    if let Some(s) = given(&query.session) {
        match Uuid::parse_str(s) {
            Ok(id) => filter.session_id = Some(id),
            Err(_) => problems.push("Session: not a session id (a UUID).".to_owned()),
        }
    }
    if let Some(a) = given(&query.action) {
        if is_action_name(a) {
            filter.action = Some(a.to_owned());
        } else {
            problems.push("Action: not an action name such as session.approved.".to_owned());
        }
    }
    let parse_cursor = |value: &Option<String>, problems: &mut Vec<String>| {
        let v = given(value)?;
        let id = v.parse::<i64>().ok().filter(|id| *id > 0);
        if id.is_none() {
            problems.push(
                "Page: the paging link is broken; start again from the newest events.".into(),
            );
        }
        id
    };
    let cursor = match (
        parse_cursor(&query.before, &mut problems),
        parse_cursor(&query.after, &mut problems),
    ) {
        (Some(id), _) => Cursor::Before(id),
        (None, Some(id)) => Cursor::After(id),
        (None, None) => Cursor::Newest,
    };
    let actor = given(&query.actor).map(str::to_owned);
    let (problems, found, names) = db::with_conn(&pool, move |conn| {
        if let Some(actor) = actor {
            match Uuid::parse_str(&actor) {
                Ok(id) if audit::actor_exists(conn, id)? => filter.actor_id = Some(id),
                Ok(_) => problems.push("Actor: no user or API key has this id.".to_owned()),
                // A username never holds control characters, and Postgres refuses a NUL.
                Err(_) if actor.chars().any(char::is_control) => {
                    problems.push("Actor: no user has this username.".to_owned());
                }
                Err(_) => match users::find_by_username(conn, &actor.to_lowercase())? {
                    Some(user) => filter.actor_id = Some(user.id),
                    None => problems.push("Actor: no user has this username.".to_owned()),
                },
            }
        }
        if !problems.is_empty() {
            return Ok((problems, None, ActorNames::default()));
        }
        let found = audit::page(conn, &filter, cursor, PAGE_SIZE)?;
        let names = ActorNames::load(conn, &found.events)?;
        Ok((problems, Some(found), names))
    })
    .await?;

    let now = Utc::now();
    let (rows, newer, older) = match &found {
        None => (Vec::new(), None, None),
        Some(found) => {
            let rows: Vec<Row> = found.events.iter().map(|e| row(e, &names, now)).collect();
            let newer = found
                .has_newer
                .then(|| rows.first().map(|r| link(&query, Some(("after", r.id)))))
                .flatten();
            let older = found
                .has_older
                .then(|| rows.last().map(|r| link(&query, Some(("before", r.id)))))
                .flatten();
            (rows, newer, older)
        }
    };
    let action = given(&query.action).unwrap_or("").to_owned();
    let mut actions: Vec<String> = events::KNOWN_ACTIONS
        .iter()
        .map(|a| (*a).to_owned())
        .collect();
    if !action.is_empty() && !actions.contains(&action) {
        actions.push(action.clone());
    }
    let status = if problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    page::render_status(
        status,
        &AuditPage {
            page: Page::new(&session, Some(&me), "audit", "Audit log"),
            actor: given(&query.actor).unwrap_or("").to_owned(),
            action,
            session: given(&query.session).unwrap_or("").to_owned(),
            actions,
            problems,
            rows,
            newer,
            older,
            newest: (cursor != Cursor::Newest).then(|| link(&query, None)),
        },
    )
}
