//! `/admin/webhooks/{id}`: one endpoint. Its settings (URL, description, events) with an
//! edit form; enable and disable; rotate the signing secret (the new one shown once, the
//! old one signing alongside for 24 hours); send a test event; replay the deliveries that
//! failed since a time (after an outage); delete it, after a tick in a confirmation box;
//! and its deliveries, newest first, keyset-paged and filtered by status.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use askama::Template;
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Deserialize;
use uuid::Uuid;

use super::{
    EndpointForm, EndpointView, Stamp, answer_words, error_on, error_words, path_id, reach, stamp,
};
use crate::app::AppState;
use crate::db::{self, DbPool};
use crate::domain::actor::Actor;
use crate::domain::dates::time_in_range;
use crate::domain::person::FieldError;
use crate::domain::webhooks::{EVENT_TYPES, MAX_ATTEMPTS};
use crate::error::AppError;
use crate::service::webhooks::{self as service, EndpointPatch, MAX_REPLAY, Reach};
use crate::store::paging::{Cursor, PageAt};
use crate::store::webhooks::{self as store, Delivery, Endpoint};
use crate::web::auth::{Admin, CurrentUser};
use crate::web::cookie;
use crate::web::csrf::CsrfForm;
use crate::web::error::PageError;
use crate::web::format;
use crate::web::page::{self, Page};

/// Deliveries a page lists.
const PAGE_SIZE: i64 = 25;

/// A delivery's states, for the filter.
const STATUSES: &[&str] = &["pending", "succeeded", "failed"];

/// The deliveries' filter and cursor, in the URL. Each value arrives as text and is read
/// here, so a bad one is named on the page and left out instead of failing it.
#[derive(Debug, Default, Deserialize)]
pub struct DeliveriesQuery {
    /// `pending`, `succeeded` or `failed`.
    #[serde(default)]
    status: Option<String>,
    /// The page after (older than) this cursor.
    #[serde(default)]
    after: Option<String>,
    /// The page before (newer than) this cursor.
    #[serde(default)]
    before: Option<String>,
}

/// A query value with blanks treated as absent.
fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// One row of the deliveries table.
struct DeliveryRow {
    id: Uuid,
    event_type: String,
    event_id: String,
    created: Stamp,
    status: String,
    attempts: i32,
    /// The last answer's code, "no answer", or empty before any attempt.
    code: String,
    error: Option<String>,
    latency_ms: Option<i32>,
    next: Option<Stamp>,
    redelivery: bool,
    redelivered: bool,
}

impl DeliveryRow {
    fn of(d: &Delivery, now: DateTime<Utc>) -> Self {
        DeliveryRow {
            id: d.id,
            event_type: d.event_type.clone(),
            event_id: d.event_id.clone(),
            created: stamp(d.created_at, now),
            status: d.status.clone(),
            attempts: d.attempts,
            code: answer_words(d.attempts, d.last_status),
            error: error_words(d.last_error.as_deref(), d.last_status),
            latency_ms: d.last_latency_ms,
            next: (d.status == "pending").then(|| stamp(d.next_attempt_at, now)),
            redelivery: d.redelivery_of.is_some(),
            redelivered: d.redelivered_at.is_some(),
        }
    }
}

#[derive(Template)]
#[template(path = "admin/webhook.html")]
struct EndpointPage {
    page: Page,
    e: EndpointView,
    event_types: &'static [&'static str],
    form: EndpointForm,
    errors: Vec<FieldError>,
    since: String,
    reach: Reach,
    statuses: &'static [&'static str],
    /// The status filter in force; empty for all.
    status: String,
    problems: Vec<String>,
    deliveries: Vec<DeliveryRow>,
    newer: Option<String>,
    older: Option<String>,
    newest: Option<String>,
    max_attempts: i32,
}

impl EndpointPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_on(&self.errors, field)
    }

    /// The deliveries list narrowed to `status` (empty: all).
    fn filter_link(&self, status: &str) -> String {
        link(self.e.id, status, None)
    }
}

/// What a refused form hands back to the page: the values as typed and the errors.
#[derive(Debug, Default)]
struct Typed {
    form: Option<EndpointForm>,
    since: Option<String>,
    errors: Vec<FieldError>,
}

/// The endpoint's page narrowed to `status`, at `cursor` (`("after"|"before", cursor)`).
fn link(id: Uuid, status: &str, cursor: Option<(&str, &Cursor)>) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    if !status.is_empty() {
        query.append_pair("status", status);
    }
    if let Some((key, c)) = cursor {
        query.append_pair(key, &c.encode());
    }
    let query = query.finish();
    let path = super::endpoint_path(id);
    if query.is_empty() {
        path
    } else {
        format!("{path}?{query}")
    }
}

/// The default of "Replay failed since": a day ago, as a `datetime-local` value (UTC).
fn a_day_ago() -> String {
    (Utc::now() - chrono::Duration::days(1))
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

/// Renders the page of endpoint `id` with `status`.
#[allow(clippy::too_many_arguments)]
async fn render(
    pool: &DbPool,
    session: &Session,
    me: &CurrentUser,
    state: &AppState,
    id: Uuid,
    query: &DeliveriesQuery,
    typed: Typed,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let mut problems = Vec::new();
    let filter = match given(&query.status) {
        None => None,
        Some(s) if STATUSES.contains(&s) => Some(s.to_owned()),
        Some(_) => {
            problems.push(
                "Status: not pending, succeeded or failed; every delivery is shown.".to_owned(),
            );
            None
        }
    };
    let mut cursor = |raw: &Option<String>| {
        let raw = given(raw)?;
        let c = Cursor::decode(raw);
        if c.is_none() {
            problems.push(
                "Page: the paging link is broken; the newest deliveries are shown.".to_owned(),
            );
        }
        c
    };
    let at = match (cursor(&query.after), cursor(&query.before)) {
        (Some(c), _) => PageAt::After(c),
        (None, Some(c)) => PageAt::Before(c),
        (None, None) => PageAt::First,
    };
    let status_filter = filter.clone();
    let (endpoint, found) = db::with_conn(pool, move |conn| {
        let endpoint =
            store::find_endpoint(conn, id)?.ok_or(AppError::NotFound("webhook endpoint"))?;
        let found = store::delivery_page(conn, id, status_filter.as_deref(), at, PAGE_SIZE)?;
        Ok((endpoint, found))
    })
    .await?;
    let now = Utc::now();
    let filter = filter.unwrap_or_default();
    let key = |d: &Delivery| Cursor {
        created_at: d.created_at,
        id: d.id,
    };
    let newer = found
        .previous(at)
        .map(|d| link(id, &filter, Some(("before", &key(d)))));
    let older = found
        .next(at)
        .map(|d| link(id, &filter, Some(("after", &key(d)))));
    page::render_status(
        status,
        &EndpointPage {
            page: Page::new(session, Some(me), "admin", "Webhook endpoint"),
            e: EndpointView::of(&endpoint, now),
            event_types: EVENT_TYPES,
            form: typed.form.unwrap_or_else(|| EndpointForm::of(&endpoint)),
            errors: typed.errors,
            since: typed.since.unwrap_or_else(a_day_ago),
            reach: reach(state),
            statuses: STATUSES,
            newest: (at != PageAt::First).then(|| link(id, &filter, None)),
            status: filter,
            problems,
            deliveries: found.rows.iter().map(|d| DeliveryRow::of(d, now)).collect(),
            newer,
            older,
            max_attempts: MAX_ATTEMPTS,
        },
    )
}

/// The endpoint's page.
#[get("/admin/webhooks/{id}")]
pub async fn show(
    Admin(me): Admin,
    session: Session,
    pool: web::Data<DbPool>,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<DeliveriesQuery>,
) -> Result<HttpResponse, PageError> {
    let id = path_id(&path, "webhook endpoint")?;
    render(
        &pool,
        &session,
        &me,
        &state,
        id,
        &query,
        Typed::default(),
        StatusCode::OK,
    )
    .await
}

/// A refused form: the page again with 422, the values as typed and the errors beside
/// their fields.
async fn refused(
    pool: &DbPool,
    session: &Session,
    me: &CurrentUser,
    state: &AppState,
    id: Uuid,
    typed: Typed,
) -> Result<HttpResponse, PageError> {
    render(
        pool,
        session,
        me,
        state,
        id,
        &DeliveriesQuery::default(),
        typed,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

/// Whether the URL typed is the one stored (which the parser normalised when it was saved).
fn same_url(typed: &str, stored: &str) -> bool {
    let typed = typed.trim();
    typed == stored || url::Url::parse(typed).is_ok_and(|u| u.as_str() == stored)
}

/// Event types as a set, to compare what was ticked with what is stored.
fn event_set(events: Option<&[String]>) -> Option<Vec<&str>> {
    events.map(|e| {
        let mut set: Vec<&str> = e.iter().map(String::as_str).collect();
        set.sort_unstable();
        set.dedup();
        set
    })
}

/// What the edit form changes of `current`: only the fields that differ, so that the URL,
/// when kept, is not looked up again, and the audit event names what really changed.
fn changes_of(form: &EndpointForm, current: &Endpoint) -> EndpointPatch {
    let events = form.chosen_events();
    EndpointPatch {
        url: (!same_url(&form.url, &current.url)).then(|| form.url.clone()),
        description: (form.description.trim() != current.description)
            .then(|| form.description.clone()),
        events: (event_set(events.as_deref()) != event_set(current.events.as_deref()))
            .then_some(events),
        enabled: None,
    }
}

/// Saves the edit form. A refused field is named beside it, everything typed is kept, and
/// nothing is written.
#[post("/admin/webhooks/{id}")]
pub async fn update(
    Admin(me): Admin,
    session: Session,
    pool: web::Data<DbPool>,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: CsrfForm<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let id = path_id(&path, "webhook endpoint")?;
    let form = EndpointForm::read(&form.0);
    let current = db::with_conn(&pool, move |conn| {
        store::find_endpoint(conn, id)?.ok_or(AppError::NotFound("webhook endpoint"))
    })
    .await?;
    let patch = changes_of(&form, &current);
    if patch.url.is_none() && patch.description.is_none() && patch.events.is_none() {
        cookie::flash(&session, "info", "Nothing was changed.");
        return Ok(page::see_other(&super::endpoint_path(id)));
    }
    let reach = reach(&state);
    // A new URL's host is looked up in DNS: on the blocking pool, holding no connection.
    let checked = web::block(move || service::validate_patch(&patch, reach))
        .await
        .map_err(AppError::from)?;
    let actor = Actor::User(me.id);
    let result = match checked {
        Ok(changes) => {
            db::with_conn(&pool, move |conn| {
                service::update(conn, id, &changes, actor)
            })
            .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => {
            cookie::flash(&session, "success", "Endpoint saved.");
            Ok(page::see_other(&super::endpoint_path(id)))
        }
        Err(AppError::Validation(errors)) => {
            let typed = Typed {
                form: Some(form),
                errors,
                ..Typed::default()
            };
            refused(&pool, &session, &me, &state, id, typed).await
        }
        Err(e) => Err(PageError::from(e)),
    }
}

/// An empty form: these buttons carry nothing but the CSRF token.
#[derive(Debug, Deserialize)]
pub struct EmptyForm {}

async fn set_enabled(
    me: &CurrentUser,
    session: &Session,
    pool: &DbPool,
    raw_id: &str,
    enabled: bool,
) -> Result<HttpResponse, PageError> {
    let id = path_id(raw_id, "webhook endpoint")?;
    let patch = EndpointPatch {
        enabled: Some(enabled),
        ..EndpointPatch::default()
    };
    // No URL in the change: nothing is looked up.
    let changes = service::validate_patch(&patch, Reach::default())?;
    let actor = Actor::User(me.id);
    db::with_conn(pool, move |conn| service::update(conn, id, &changes, actor)).await?;
    let message = if enabled {
        "Endpoint enabled. New events are queued for it again and its pending deliveries \
         resume; deliveries that failed meanwhile are not resent by themselves: use Replay \
         failed deliveries."
    } else {
        "Endpoint disabled. No event is queued for it until it is enabled again; its pending \
         deliveries wait."
    };
    cookie::flash(session, "success", message);
    Ok(page::see_other(&super::endpoint_path(id)))
}

/// Enables an endpoint (one the system disabled gets five fresh days).
#[post("/admin/webhooks/{id}/enable")]
pub async fn enable(
    Admin(me): Admin,
    session: Session,
    pool: web::Data<DbPool>,
    path: web::Path<String>,
    _form: CsrfForm<EmptyForm>,
) -> Result<HttpResponse, PageError> {
    set_enabled(&me, &session, &pool, &path, true).await
}

/// Disables an endpoint by hand.
#[post("/admin/webhooks/{id}/disable")]
pub async fn disable(
    Admin(me): Admin,
    session: Session,
    pool: web::Data<DbPool>,
    path: web::Path<String>,
    _form: CsrfForm<EmptyForm>,
) -> Result<HttpResponse, PageError> {
    set_enabled(&me, &session, &pool, &path, false).await
}

/// Gives the endpoint a new signing secret and shows it, this once; the old one keeps
/// signing alongside for 24 hours.
#[post("/admin/webhooks/{id}/rotate-secret")]
pub async fn rotate_secret(
    Admin(me): Admin,
    session: Session,
    pool: web::Data<DbPool>,
    path: web::Path<String>,
    _form: CsrfForm<EmptyForm>,
) -> Result<HttpResponse, PageError> {
    let id = path_id(&path, "webhook endpoint")?;
    let actor = Actor::User(me.id);
    let endpoint =
        db::with_conn(&pool, move |conn| service::rotate_secret(conn, id, actor)).await?;
    super::secret_page(&session, &me, &endpoint, true)
}

/// The delete form: the confirmation box.
#[derive(Debug, Deserialize)]
pub struct DeleteForm {
    /// Present when ticked.
    #[serde(default)]
    confirm: Option<String>,
}

/// Deletes the endpoint and its deliveries, once the confirmation box is ticked.
#[post("/admin/webhooks/{id}/delete")]
pub async fn delete(
    Admin(me): Admin,
    session: Session,
    pool: web::Data<DbPool>,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: CsrfForm<DeleteForm>,
) -> Result<HttpResponse, PageError> {
    let id = path_id(&path, "webhook endpoint")?;
    if form
        .0
        .confirm
        .as_deref()
        .map(str::trim)
        .unwrap_or("")
        .is_empty()
    {
        let typed = Typed {
            errors: vec![FieldError::new(
                "confirm",
                "tick the box to confirm: the endpoint and all its deliveries are deleted",
            )],
            ..Typed::default()
        };
        return refused(&pool, &session, &me, &state, id, typed).await;
    }
    let actor = Actor::User(me.id);
    let url = db::with_conn(&pool, move |conn| {
        let endpoint =
            store::find_endpoint(conn, id)?.ok_or(AppError::NotFound("webhook endpoint"))?;
        service::delete(conn, id, actor)?;
        Ok(endpoint.url)
    })
    .await?;
    cookie::flash(
        &session,
        "success",
        format!("Deleted the endpoint {url} and its deliveries."),
    );
    Ok(page::see_other(super::PATH))
}

/// Queues a `webhook.test` event to the endpoint.
#[post("/admin/webhooks/{id}/test")]
pub async fn send_test(
    Admin(me): Admin,
    session: Session,
    pool: web::Data<DbPool>,
    path: web::Path<String>,
    _form: CsrfForm<EmptyForm>,
) -> Result<HttpResponse, PageError> {
    let id = path_id(&path, "webhook endpoint")?;
    let actor = Actor::User(me.id);
    match db::with_conn(&pool, move |conn| service::send_test(conn, id, actor)).await {
        Ok(_) => cookie::flash(
            &session,
            "success",
            "Test event queued: it goes out within seconds and is listed below.",
        ),
        Err(AppError::Conflict(why)) => cookie::flash(&session, "error", why.to_string()),
        Err(e) => return Err(PageError::from(e)),
    }
    Ok(page::see_other(&super::endpoint_path(id)))
}

/// The replay form.
#[derive(Debug, Deserialize)]
pub struct ReplayForm {
    /// A `datetime-local` value, read as UTC.
    #[serde(default)]
    since: String,
}

/// Reads a `datetime-local` value (`2026-11-30T09:14`, seconds optional) as UTC.
fn read_since(raw: &str) -> Result<DateTime<Utc>, FieldError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(FieldError::new("since", "give a date and time (UTC)"));
    }
    let time = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(raw, f).ok())
        .map(|t| t.and_utc())
        .ok_or_else(|| {
            FieldError::new("since", "must be a date and time such as 2026-11-30T09:00")
        })?;
    if !time_in_range(time) {
        return Err(FieldError::new("since", "must lie between 1900 and 9999"));
    }
    Ok(time)
}

/// Queues again every failed delivery created since the time given and not yet repeated
/// (after the receiver's outage), and says how many.
#[post("/admin/webhooks/{id}/replay")]
pub async fn replay(
    Admin(me): Admin,
    session: Session,
    pool: web::Data<DbPool>,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: CsrfForm<ReplayForm>,
) -> Result<HttpResponse, PageError> {
    let id = path_id(&path, "webhook endpoint")?;
    let raw = form.0.since;
    let since = match read_since(&raw) {
        Ok(t) => t,
        Err(e) => {
            let typed = Typed {
                since: Some(raw),
                errors: vec![e],
                ..Typed::default()
            };
            return refused(&pool, &session, &me, &state, id, typed).await;
        }
    };
    let actor = Actor::User(me.id);
    let n = db::with_conn(&pool, move |conn| {
        service::replay_failed_since(conn, id, since, actor)
    })
    .await?;
    let when = since.format("%Y-%m-%d %H:%M UTC");
    let message = match n {
        0 => format!("No failed delivery since {when} waits to be replayed."),
        1 => format!("Queued 1 failed delivery since {when} again."),
        n if i64::try_from(n).unwrap_or(i64::MAX) >= MAX_REPLAY => format!(
            "Queued {} failed deliveries since {when} again, the most one replay takes: \
             replay again for the rest.",
            format::thousands(MAX_REPLAY)
        ),
        n => format!(
            "Queued {} failed deliveries since {when} again.",
            format::thousands(i64::try_from(n).unwrap_or(i64::MAX))
        ),
    };
    cookie::flash(&session, "success", message);
    Ok(page::see_other(&super::endpoint_path(id)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replay_times_are_read_as_utc_and_bad_ones_named() {
        let t = read_since("2026-11-30T09:14").unwrap();
        assert_eq!(t.to_rfc3339(), "2026-11-30T09:14:00+00:00");
        assert!(read_since("2026-11-30T09:14:30").is_ok());
        for bad in ["", "yesterday", "2026-13-01T00:00", "0100-01-01T00:00"] {
            assert_eq!(read_since(bad).unwrap_err().field, "since", "{bad:?}");
        }
    }

    #[test]
    fn an_unchanged_url_is_not_a_change() {
        assert!(same_url("https://example.com", "https://example.com/"));
        assert!(same_url(
            " https://example.com/hook ",
            "https://example.com/hook"
        ));
        assert!(!same_url(
            "https://example.com/other",
            "https://example.com/hook"
        ));
        let a = vec!["b".to_owned(), "a".to_owned()];
        let b = vec!["a".to_owned(), "b".to_owned(), "a".to_owned()];
        assert_eq!(event_set(Some(&a)), event_set(Some(&b)));
        assert_ne!(event_set(None), event_set(Some(&[])));
    }
}
