//! `/admin/webhooks/{id}/deliveries/{delivery_id}`: one delivery, to fix what went wrong:
//! the body sent (pretty JSON), every attempt (time, status code or error, latency), the
//! start of the last answer, the other deliveries of the same event to this endpoint, and
//! "Redeliver" (a new delivery of the same event, same id and body).

use actix_session::Session;
use actix_web::{HttpResponse, get, post, web};
use askama::Template;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::endpoint::EmptyForm;
use super::{EndpointView, Stamp, answer_words, error_words, path_id, stamp};
use crate::db::{self, DbPool};
use crate::domain::actor::Actor;
use crate::domain::webhooks::MAX_ATTEMPTS;
use crate::error::AppError;
use crate::service::webhooks as service;
use crate::store::webhooks::{self as store, AttemptRow, Delivery};
use crate::web::auth::Admin;
use crate::web::cookie;
use crate::web::csrf::CsrfForm;
use crate::web::error::PageError;
use crate::web::page::{self, Page};

/// The page of delivery `delivery` of endpoint `endpoint`.
pub fn delivery_path(endpoint: Uuid, delivery: Uuid) -> String {
    format!("{}/deliveries/{delivery}", super::endpoint_path(endpoint))
}

/// A delivery as its page shows it.
struct DeliveryView {
    id: Uuid,
    event_type: String,
    event_id: String,
    status: String,
    attempts: i32,
    created: Stamp,
    completed: Option<Stamp>,
    next: Option<Stamp>,
    code: String,
    error: Option<String>,
    latency_ms: Option<i32>,
    response: Option<String>,
    redelivery_of: Option<Uuid>,
    redelivered: Option<Stamp>,
}

impl DeliveryView {
    fn of(d: &Delivery, now: DateTime<Utc>) -> Self {
        DeliveryView {
            id: d.id,
            event_type: d.event_type.clone(),
            event_id: d.event_id.clone(),
            status: d.status.clone(),
            attempts: d.attempts,
            created: stamp(d.created_at, now),
            completed: d.completed_at.map(|t| stamp(t, now)),
            next: (d.status == "pending").then(|| stamp(d.next_attempt_at, now)),
            code: answer_words(d.attempts, d.last_status),
            error: error_words(d.last_error.as_deref(), d.last_status),
            latency_ms: d.last_latency_ms,
            response: d.last_response.clone(),
            redelivery_of: d.redelivery_of,
            redelivered: d.redelivered_at.map(|t| stamp(t, now)),
        }
    }
}

/// One attempt, as its row shows it.
struct AttemptView {
    number: i32,
    at: Stamp,
    code: Option<i32>,
    error: Option<String>,
    latency_ms: i32,
    /// A 2xx answer.
    taken: bool,
    /// The start of the answer's body.
    response: Option<String>,
}

impl AttemptView {
    fn of(a: &AttemptRow, now: DateTime<Utc>) -> Self {
        AttemptView {
            number: a.attempt,
            at: stamp(a.created_at, now),
            code: a.status,
            error: error_words(a.error.as_deref(), a.status),
            latency_ms: a.latency_ms,
            taken: a.status.is_some_and(|s| (200..300).contains(&s)),
            response: a.response.clone().filter(|r| !r.is_empty()),
        }
    }
}

/// Another delivery of the same event to the same endpoint.
struct Sibling {
    id: Uuid,
    status: String,
    attempts: i32,
    created: Stamp,
}

#[derive(Template)]
#[template(path = "admin/webhook_delivery.html")]
struct DeliveryPage {
    page: Page,
    e: EndpointView,
    d: DeliveryView,
    body: String,
    attempts: Vec<AttemptView>,
    siblings: Vec<Sibling>,
    max_attempts: i32,
}

/// The delivery's page.
#[get("/admin/webhooks/{id}/deliveries/{delivery_id}")]
pub async fn show(
    Admin(me): Admin,
    session: Session,
    pool: web::Data<DbPool>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let (endpoint_id, delivery_id) = path.into_inner();
    let endpoint_id = path_id(&endpoint_id, "webhook endpoint")?;
    let delivery_id = path_id(&delivery_id, "webhook delivery")?;
    let (endpoint, delivery, attempts, same_event) = db::with_conn(&pool, move |conn| {
        let endpoint = store::find_endpoint(conn, endpoint_id)?
            .ok_or(AppError::NotFound("webhook endpoint"))?;
        let delivery = store::find_delivery(conn, delivery_id)?
            .filter(|d| d.endpoint_id == endpoint_id)
            .ok_or(AppError::NotFound("webhook delivery"))?;
        let attempts = store::attempts_of(conn, &[delivery_id])?;
        let same_event = store::deliveries_of_event(conn, &delivery.event_id)?;
        Ok((endpoint, delivery, attempts, same_event))
    })
    .await?;
    let now = Utc::now();
    let body = serde_json::to_string_pretty(&delivery.payload)
        .unwrap_or_else(|_| delivery.payload.to_string());
    let siblings = same_event
        .iter()
        .filter(|d| d.endpoint_id == endpoint_id && d.id != delivery_id)
        .map(|d| Sibling {
            id: d.id,
            status: d.status.clone(),
            attempts: d.attempts,
            created: stamp(d.created_at, now),
        })
        .collect();
    page::render(&DeliveryPage {
        page: Page::new(&session, Some(&me), "admin", "Webhook delivery"),
        e: EndpointView::of(&endpoint, now),
        d: DeliveryView::of(&delivery, now),
        body,
        attempts: attempts.iter().map(|a| AttemptView::of(a, now)).collect(),
        siblings,
        max_attempts: MAX_ATTEMPTS,
    })
}

/// Queues the delivery again as a new delivery of the same event (same id and body, so a
/// receiver that already took it can drop it), and opens the new one.
#[post("/admin/webhooks/{id}/deliveries/{delivery_id}/redeliver")]
pub async fn redeliver(
    Admin(me): Admin,
    session: Session,
    pool: web::Data<DbPool>,
    path: web::Path<(String, String)>,
    _form: CsrfForm<EmptyForm>,
) -> Result<HttpResponse, PageError> {
    let (endpoint_id, delivery_id) = path.into_inner();
    let endpoint_id = path_id(&endpoint_id, "webhook endpoint")?;
    let delivery_id = path_id(&delivery_id, "webhook delivery")?;
    let actor = Actor::User(me.id);
    let result = db::with_conn(&pool, move |conn| {
        service::redeliver(conn, endpoint_id, delivery_id, actor)
    })
    .await;
    match result {
        Ok(new) => {
            cookie::flash(
                &session,
                "success",
                "Queued again as a new delivery of the same event (same id and body).",
            );
            Ok(page::see_other(&delivery_path(endpoint_id, new)))
        }
        Err(AppError::Conflict(why)) => {
            cookie::flash(&session, "error", why.to_string());
            Ok(page::see_other(&delivery_path(endpoint_id, delivery_id)))
        }
        Err(e) => Err(PageError::from(e)),
    }
}
