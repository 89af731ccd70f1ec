//! `/admin/webhooks`: the endpoints Session Desk pushes events to, for admins. This module
//! holds the list and the form that adds an endpoint (its signing secret shown once);
//! [`endpoint`] an endpoint's page (settings, enable and disable, secret rotation, test
//! event, replay, deletion, recent deliveries) and [`delivery`] one delivery with its body
//! and every attempt. Every change goes through [`crate::service::webhooks`], the very
//! functions the API calls: they check the input and write the audit event.

pub mod delivery;
pub mod endpoint;

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use askama::Template;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::app::AppState;
use crate::db::{self, DbPool};
use crate::domain::actor::Actor;
use crate::domain::person::FieldError;
use crate::domain::webhooks::{EVENT_TYPES, ROTATION_OVERLAP};
use crate::error::AppError;
use crate::service::webhooks::{self as service, EndpointInput, Reach};
use crate::store::webhooks::{self as store, Delivery, Endpoint};
use crate::web::auth::{Admin, CurrentUser};
use crate::web::csrf::CsrfForm;
use crate::web::error::PageError;
use crate::web::format;
use crate::web::page::{self, Page};

/// Where the list lives.
const PATH: &str = "/admin/webhooks";

/// Where deliveries may go, as this server was configured.
fn reach(state: &AppState) -> Reach {
    Reach {
        allow_insecure: state.config.webhook_allow_insecure,
        allow_private: state.config.webhook_allow_private,
    }
}

/// A time as the pages print it: machine-readable, exact, and relative to now.
#[derive(Debug, Clone)]
pub struct Stamp {
    /// RFC 3339, for `<time datetime>`.
    pub iso: String,
    /// `2026-11-30 09:14:03 UTC`.
    pub exact: String,
    /// `5 min ago`, `in 2 h`.
    pub relative: String,
}

/// `t` as a [`Stamp`], relative to `now`.
pub fn stamp(t: DateTime<Utc>, now: DateTime<Utc>) -> Stamp {
    let relative = if t > now {
        match format::age(now, t).as_str() {
            "now" => "due now".to_owned(),
            later => format!("in {later}"),
        }
    } else {
        match format::age(t, now).as_str() {
            "now" => "just now".to_owned(),
            ago => format!("{ago} ago"),
        }
    };
    Stamp {
        iso: t.to_rfc3339(),
        exact: t.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
        relative,
    }
}

/// An endpoint as its pages show it: everything but its secrets, which no template is
/// handed, so none can print one by mistake.
#[derive(Debug, Clone)]
pub struct EndpointView {
    /// Its id.
    pub id: Uuid,
    /// Where deliveries go.
    pub url: String,
    /// What it is for.
    pub description: String,
    /// The event types it wants; `None` for every event.
    pub events: Option<Vec<String>>,
    /// Whether deliveries go out.
    pub enabled: bool,
    /// The state's badge class: `enabled`, `disabled` or `disabled-system`.
    pub state: &'static str,
    /// The state in a word or two.
    pub state_label: &'static str,
    /// Why it is disabled, in words.
    pub why: Option<&'static str>,
    /// The system disabled it (410, or five days of failures).
    pub by_system: bool,
    /// Start of its current run of failed attempts.
    pub failing_since: Option<Stamp>,
    /// Until when the secret before the last rotation still signs.
    pub previous_secret_until: Option<Stamp>,
    /// When it was added.
    pub created: Stamp,
}

impl EndpointView {
    /// The view of `e` at `now`.
    pub fn of(e: &Endpoint, now: DateTime<Utc>) -> Self {
        let reason = e.disabled_reason.as_deref().filter(|_| !e.enabled);
        let (state, state_label, why) = match reason {
            None => ("enabled", "enabled", None),
            Some("gone") => (
                "disabled-system",
                "disabled by the system",
                Some("the receiver answered 410 Gone"),
            ),
            Some("failing") => (
                "disabled-system",
                "disabled by the system",
                Some("every delivery failed for 5 days"),
            ),
            Some(_) => ("disabled", "disabled", Some("disabled by an admin")),
        };
        EndpointView {
            id: e.id,
            url: e.url.clone(),
            description: e.description.clone(),
            events: e.events.clone(),
            enabled: e.enabled,
            state,
            state_label,
            why,
            by_system: state == "disabled-system",
            failing_since: e.failing_since.map(|t| stamp(t, now)),
            previous_secret_until: e
                .previous_secret_expires_at
                .filter(|t| *t > now && e.previous_secret.is_some())
                .map(|t| stamp(t, now)),
            created: stamp(e.created_at, now),
        }
    }

    /// "all events", or the event types it wants.
    pub fn events_words(&self) -> String {
        match &self.events {
            None => "all events".to_owned(),
            Some(events) => events.join(", "),
        }
    }
}

/// The add and edit forms as typed: kept whole when a field is refused.
#[derive(Debug, Clone)]
pub struct EndpointForm {
    /// The URL as typed.
    pub url: String,
    /// The description as typed.
    pub description: String,
    /// "All events" was chosen.
    pub all_events: bool,
    /// The event types ticked.
    pub events: Vec<String>,
}

impl Default for EndpointForm {
    fn default() -> Self {
        EndpointForm {
            url: String::new(),
            description: String::new(),
            all_events: true,
            events: Vec::new(),
        }
    }
}

impl EndpointForm {
    /// Reads the posted pairs: `url`, `description`, `events` (`all` or `some`) and the
    /// repeated `event` boxes. Without a choice, ticked boxes mean "only these".
    pub fn read(pairs: &[(String, String)]) -> Self {
        let mut form = EndpointForm::default();
        let mut choice = None;
        for (k, v) in pairs {
            match k.as_str() {
                "url" => form.url = v.clone(),
                "description" => form.description = v.clone(),
                "events" => choice = Some(v.as_str() != "some"),
                "event" => form.events.push(v.clone()),
                _ => {}
            }
        }
        form.all_events = choice.unwrap_or(form.events.is_empty());
        form
    }

    /// The form filled in from a stored endpoint.
    pub fn of(e: &Endpoint) -> Self {
        EndpointForm {
            url: e.url.clone(),
            description: e.description.clone(),
            all_events: e.events.is_none(),
            events: e.events.clone().unwrap_or_default(),
        }
    }

    /// The event types asked for; `None` for every event.
    pub fn chosen_events(&self) -> Option<Vec<String>> {
        (!self.all_events).then(|| self.events.clone())
    }

    /// Whether the box of `event` is ticked.
    pub fn has(&self, event: &&str) -> bool {
        self.events.iter().any(|e| e == event)
    }
}

/// The message of the first error on `field`.
fn error_on<'a>(errors: &'a [FieldError], field: &str) -> Option<&'a str> {
    errors
        .iter()
        .find(|e| e.field == field)
        .map(|e| e.message.as_str())
}

/// The newest delivery of an endpoint, for the list.
struct LastDelivery {
    id: Uuid,
    status: String,
    /// The last answer's status code, "no answer", or empty before any attempt.
    code: String,
    at: Stamp,
}

impl LastDelivery {
    fn of(d: &Delivery, now: DateTime<Utc>) -> Self {
        LastDelivery {
            id: d.id,
            status: d.status.clone(),
            code: answer_words(d.attempts, d.last_status),
            at: stamp(d.last_attempt_at.unwrap_or(d.created_at), now),
        }
    }
}

/// An attempt's answer in a word: its status code, "no answer", or nothing yet.
pub fn answer_words(attempts: i32, status: Option<i32>) -> String {
    match (attempts, status) {
        (0, _) => String::new(),
        (_, Some(code)) => code.to_string(),
        (_, None) => "no answer".to_owned(),
    }
}

/// What an attempt's error adds to its status code: nothing when it only says "answered
/// 503" beside the 503.
pub fn error_words(error: Option<&str>, status: Option<i32>) -> Option<String> {
    let error = error?;
    match status {
        Some(code) if error == format!("answered {code}") => None,
        _ => Some(error.to_owned()),
    }
}

struct Row {
    e: EndpointView,
    last: Option<LastDelivery>,
}

#[derive(Template)]
#[template(path = "admin/webhooks.html")]
struct ListPage {
    page: Page,
    rows: Vec<Row>,
    event_types: &'static [&'static str],
    form: EndpointForm,
    errors: Vec<FieldError>,
    reach: Reach,
}

impl ListPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_on(&self.errors, field)
    }
}

#[derive(Template)]
#[template(path = "admin/webhook_secret.html")]
struct SecretPage {
    page: Page,
    e: EndpointView,
    secret: String,
    /// A rotation (not a new endpoint): the old secret signs alongside for a while.
    rotated: bool,
    overlap_hours: i64,
}

/// The page showing a secret this once, after creating an endpoint or rotating its secret.
fn secret_page(
    session: &Session,
    me: &CurrentUser,
    endpoint: &Endpoint,
    rotated: bool,
) -> Result<HttpResponse, PageError> {
    let title = if rotated {
        "Signing secret rotated"
    } else {
        "Webhook endpoint added"
    };
    page::render(&SecretPage {
        page: Page::new(session, Some(me), "admin", title),
        e: EndpointView::of(endpoint, Utc::now()),
        secret: endpoint.secret.clone(),
        rotated,
        overlap_hours: ROTATION_OVERLAP.num_hours(),
    })
}

/// Every endpoint with its newest delivery (an installation has a handful: one small
/// index lookup each).
async fn rows(pool: &DbPool) -> Result<Vec<Row>, AppError> {
    let (endpoints, last) = db::with_conn(pool, |conn| {
        let endpoints = store::all_endpoints(conn)?;
        let mut last = Vec::with_capacity(endpoints.len());
        for e in &endpoints {
            last.push(
                store::deliveries_of(conn, e.id, None, 1)?
                    .into_iter()
                    .next(),
            );
        }
        Ok((endpoints, last))
    })
    .await?;
    let now = Utc::now();
    Ok(endpoints
        .iter()
        .zip(last)
        .map(|(e, d)| Row {
            e: EndpointView::of(e, now),
            last: d.map(|d| LastDelivery::of(&d, now)),
        })
        .collect())
}

async fn list_page(
    pool: &DbPool,
    session: &Session,
    me: &CurrentUser,
    state: &AppState,
    form: EndpointForm,
    errors: Vec<FieldError>,
) -> Result<HttpResponse, PageError> {
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    page::render_status(
        status,
        &ListPage {
            page: Page::new(session, Some(me), "admin", "Webhooks"),
            rows: rows(pool).await?,
            event_types: EVENT_TYPES,
            form,
            errors,
            reach: reach(state),
        },
    )
}

/// The endpoint list with the form to add one.
#[get("/admin/webhooks")]
pub async fn index(
    Admin(me): Admin,
    session: Session,
    pool: web::Data<DbPool>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    list_page(
        &pool,
        &session,
        &me,
        &state,
        EndpointForm::default(),
        Vec::new(),
    )
    .await
}

/// Adds an endpoint and shows its signing secret, this once. A refused field is named
/// beside it, with everything typed kept, and nothing is written.
#[post("/admin/webhooks")]
pub async fn create(
    Admin(me): Admin,
    session: Session,
    pool: web::Data<DbPool>,
    state: web::Data<AppState>,
    form: CsrfForm<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let form = EndpointForm::read(&form.0);
    let input = EndpointInput {
        url: form.url.clone(),
        description: form.description.clone(),
        events: form.chosen_events(),
    };
    let reach = reach(&state);
    // The URL's host is looked up in DNS: on the blocking pool, holding no connection.
    let checked = web::block(move || service::validate(&input, reach))
        .await
        .map_err(AppError::from)?;
    let actor = Actor::User(me.id);
    let result = match checked {
        Ok(checked) => {
            db::with_conn(&pool, move |conn| service::create(conn, checked, actor)).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(endpoint) => secret_page(&session, &me, &endpoint, false),
        Err(AppError::Validation(errors)) => {
            list_page(&pool, &session, &me, &state, form, errors).await
        }
        Err(e) => Err(PageError::from(e)),
    }
}

/// The endpoint's page.
fn endpoint_path(id: Uuid) -> String {
    format!("{PATH}/{id}")
}

/// Reads an id from the path; anything but a UUID is a page that does not exist.
fn path_id(raw: &str, what: &'static str) -> Result<Uuid, AppError> {
    Uuid::parse_str(raw.trim()).map_err(|_| AppError::NotFound(what))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn the_form_reads_all_events_or_the_ticked_ones() {
        let all = EndpointForm::read(&pairs(&[("url", "https://x.test/"), ("events", "all")]));
        assert_eq!(all.chosen_events(), None);
        let some = EndpointForm::read(&pairs(&[
            ("events", "some"),
            ("event", "session.approved"),
            ("event", "session.declined"),
        ]));
        assert_eq!(
            some.chosen_events(),
            Some(vec!["session.approved".into(), "session.declined".into()])
        );
        assert!(some.has(&"session.declined") && !some.has(&"session.created"));
        // "Only these" with none ticked is asked as such, for the service to refuse.
        let none = EndpointForm::read(&pairs(&[("events", "some")]));
        assert_eq!(none.chosen_events(), Some(vec![]));
        // "All events" wins over stray boxes; boxes without a choice mean "only these".
        let both = EndpointForm::read(&pairs(&[("events", "all"), ("event", "session.created")]));
        assert_eq!(both.chosen_events(), None);
        let boxes = EndpointForm::read(&pairs(&[("event", "session.created")]));
        assert_eq!(boxes.chosen_events(), Some(vec!["session.created".into()]));
    }

    #[test]
    fn times_read_both_ways() {
        let now = Utc::now();
        assert_eq!(
            stamp(now - chrono::Duration::minutes(5), now).relative,
            "5 min ago"
        );
        assert_eq!(
            stamp(now + chrono::Duration::hours(3), now).relative,
            "in 3 h"
        );
        assert_eq!(stamp(now, now).relative, "just now");
        assert_eq!(answer_words(0, None), "");
        assert_eq!(answer_words(2, Some(503)), "503");
        assert_eq!(answer_words(1, None), "no answer");
        let answered = "answered 503".to_owned();
        assert_eq!(error_words(Some(answered.as_str()), Some(503)), None);
        let gone = "410 Gone: the endpoint was disabled".to_owned();
        assert_eq!(
            error_words(Some(gone.as_str()), Some(410)),
            Some(gone.clone())
        );
        let refused = "refused: 10.0.0.1 is a private address".to_owned();
        assert_eq!(
            error_words(Some(refused.as_str()), None),
            Some(refused.clone())
        );
    }
}
