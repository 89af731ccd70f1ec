//! An endpoint's deliveries, for an integrator fixing an outage: what was sent, how often,
//! what came back, when the next attempt is due; and "redeliver" for one that failed or
//! was lost on the receiver's side.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::Serialize;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::Schema;
use uuid::Uuid;

use super::{PATH, path_id};
use crate::api::auth::{Authorized, grant};
use crate::api::envelope::{
    self, Document, Linkage, ListDocument, ListMeta, Resource, SelfLink, ToOne, maybe_timestamp,
    timestamp,
};
use crate::api::error::ApiError;
use crate::api::paging::{PageParams, Paging, Params, TOTAL_CAP};
use crate::api::schema::string_enum;
use crate::db::{self, DbPool};
use crate::domain::webhooks::{EVENT_TYPES, TEST_EVENT};
use crate::error::AppError;
use crate::service::webhooks as service;
use crate::store::paging::Cursor;
use crate::store::webhooks::{self as store, Delivery};

/// The resource type.
pub const TYPE: &str = "webhook_delivery";

/// A delivery's states.
const STATUSES: &[&str] = &["pending", "succeeded", "failed"];

/// The filters the list takes.
const FILTERS: &[&str] = &["filter[status]"];

/// The filter as the OpenAPI document describes it.
#[derive(Debug, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveryFilters {
    /// Deliveries in this status: `pending`, `succeeded` or `failed`.
    #[param(rename = "filter[status]", schema_with = status_schema)]
    pub status: Option<String>,
}

fn status_schema() -> RefOr<Schema> {
    string_enum(
        STATUSES,
        false,
        "`pending` (being tried), `succeeded` (a 2xx answer) or `failed` (attempts used up, or the endpoint answered 410).",
    )
}

fn event_type_schema() -> RefOr<Schema> {
    let mut types = EVENT_TYPES.to_vec();
    types.push(TEST_EVENT);
    string_enum(
        &types,
        false,
        "The event type (`webhook.test` for a test event).",
    )
}

/// A delivery's attributes: ids and statuses, never personal data.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WebhookDeliveryAttributes {
    /// The event's id: the body's `id` and the `webhook-id` header, the same for every
    /// attempt and redelivery of the event.
    #[schema(pattern = "^evt_[0-9a-f]{32}$")]
    pub event_id: String,
    /// The event type (`webhook.test` for a test event).
    #[schema(schema_with = event_type_schema)]
    pub event_type: String,
    /// `pending` (being tried), `succeeded` (a 2xx answer) or `failed` (attempts used up,
    /// or the endpoint answered 410).
    #[schema(schema_with = status_schema)]
    pub status: String,
    /// Attempts made so far, at most 8.
    #[schema(minimum = 0, maximum = 8)]
    pub attempts: i32,
    /// The HTTP status of the last answer; null when there was none.
    pub last_status: Option<i32>,
    /// Why the last attempt got no answer, or what its answer meant.
    pub last_error: Option<String>,
    /// How long the last attempt took, in milliseconds.
    pub last_latency_ms: Option<i32>,
    /// When the last attempt was made.
    #[schema(format = DateTime)]
    pub last_attempt_at: Option<String>,
    /// When the next attempt is due; null unless pending.
    #[schema(format = DateTime)]
    pub next_attempt_at: Option<String>,
    /// When the event was queued for this endpoint.
    #[schema(format = DateTime)]
    pub created_at: String,
    /// When it succeeded or finally failed.
    #[schema(format = DateTime)]
    pub completed_at: Option<String>,
    /// The body posted: `{"id", "type", "created_at", "data"}`.
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    /// The start of the last answer's body, capped.
    pub last_response: Option<String>,
}

/// A delivery's relationships.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WebhookDeliveryRelationships {
    /// The endpoint it goes to.
    pub webhook_endpoint: ToOne,
    /// The delivery this one repeats (a redelivery), if any.
    pub redelivery_of: ToOne,
}

/// A delivery as sent.
pub type WebhookDeliveryResource =
    Resource<WebhookDeliveryAttributes, WebhookDeliveryRelationships>;

/// The resource of a delivery row.
pub fn resource(d: &Delivery) -> WebhookDeliveryResource {
    let pending = d.status == "pending";
    Resource {
        kind: TYPE,
        id: d.id,
        attributes: WebhookDeliveryAttributes {
            event_id: d.event_id.clone(),
            event_type: d.event_type.clone(),
            status: d.status.clone(),
            attempts: d.attempts,
            last_status: d.last_status,
            last_error: d.last_error.clone(),
            last_latency_ms: d.last_latency_ms,
            last_attempt_at: maybe_timestamp(d.last_attempt_at),
            next_attempt_at: pending.then(|| timestamp(d.next_attempt_at)),
            created_at: timestamp(d.created_at),
            completed_at: maybe_timestamp(d.completed_at),
            payload: d.payload.clone(),
            last_response: d.last_response.clone(),
        },
        relationships: WebhookDeliveryRelationships {
            webhook_endpoint: ToOne {
                data: Some(Linkage::new(super::endpoints::TYPE, d.endpoint_id)),
            },
            redelivery_of: ToOne {
                data: d.redelivery_of.map(|id| Linkage::new(TYPE, id)),
            },
        },
        links: SelfLink {
            self_: format!("{PATH}/{}/deliveries/{}", d.endpoint_id, d.id),
        },
    }
}

/// Lists an endpoint's deliveries, newest first.
#[utoipa::path(
    get,
    path = "/v1/identity/webhook-endpoints/{id}/deliveries",
    operation_id = "listWebhookDeliveries",
    tag = "webhooks",
    summary = "List a webhook endpoint's deliveries, newest first",
    description = "Needs the `webhooks:manage` permission. Finished deliveries are kept for a while, then purged.",
    security(("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The endpoint's id"),
        DeliveryFilters,
        PageParams,
    ),
    responses(
        (status = 200, description = "A page of deliveries", body = ListDocument<Resource<WebhookDeliveryAttributes, WebhookDeliveryRelationships>>, content_type = "application/vnd.api+json",
            links(
                ("getWebhookDelivery" = (operation_id = "getWebhookDelivery", parameters(("id" = "$request.path.id"), ("delivery_id" = "$response.body#/data/0/id")))),
                ("redeliverWebhookDelivery" = (operation_id = "redeliverWebhookDelivery", parameters(("id" = "$request.path.id"), ("delivery_id" = "$response.body#/data/0/id")))),
            ),
        ),
        crate::api::responses::ReadErrors,
    ),
)]
#[get("/webhook-endpoints/{id}/deliveries")]
pub async fn list(
    _auth: Authorized<grant::WebhooksManage>,
    pool: web::Data<DbPool>,
    path: web::Path<Uuid>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let endpoint = path.into_inner();
    let params = Params::parse(req.query_string(), FILTERS)?;
    let status = match params.get("filter[status]") {
        None => None,
        Some(s) if STATUSES.contains(&s) => Some(s.to_owned()),
        Some(s) => {
            return Err(ApiError::bad_parameter(
                "filter[status]",
                format!("{s:?} must be one of: {}", STATUSES.join(", ")),
            ));
        }
    };
    let paging = Paging::parse(&params)?;
    let (rows, total) = db::with_conn(&pool, move |conn| {
        store::find_endpoint(conn, endpoint)?.ok_or(AppError::NotFound("webhook endpoint"))?;
        let status = status.as_deref();
        let rows = store::delivery_page(conn, endpoint, status, paging.at, paging.size)?;
        let total = match paging.total {
            true => Some(store::count_deliveries(conn, endpoint, status, TOTAL_CAP)?),
            false => None,
        };
        Ok((rows, total))
    })
    .await?;
    let page = paging.cut(rows, |d| Cursor {
        created_at: d.created_at,
        id: d.id,
    });
    let path = format!("{PATH}/{endpoint}/deliveries");
    let (meta, links) = page.meta_and_links(&path, &params, &paging, total);
    let doc = ListDocument {
        data: page.rows.iter().map(resource).collect(),
        meta: ListMeta { page: meta },
        links,
    };
    Ok(envelope::respond(StatusCode::OK, &doc))
}

/// One delivery of an endpoint.
#[utoipa::path(
    get,
    path = "/v1/identity/webhook-endpoints/{id}/deliveries/{delivery_id}",
    operation_id = "getWebhookDelivery",
    tag = "webhooks",
    summary = "Get one delivery of a webhook endpoint",
    description = "Needs the `webhooks:manage` permission.",
    security(("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The endpoint's id"),
        ("delivery_id" = Uuid, Path, description = "The delivery's id"),
    ),
    responses(
        (status = 200, description = "The delivery", body = Document<Resource<WebhookDeliveryAttributes, WebhookDeliveryRelationships>>, content_type = "application/vnd.api+json"),
        crate::api::responses::ReadErrors,
    ),
)]
#[get("/webhook-endpoints/{id}/deliveries/{delivery_id}")]
pub async fn show(
    _auth: Authorized<grant::WebhooksManage>,
    pool: web::Data<DbPool>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (endpoint, delivery) = path.into_inner();
    let endpoint = path_id(&endpoint, "id")?;
    let delivery = path_id(&delivery, "delivery_id")?;
    let found = db::with_conn(&pool, move |conn| {
        store::find_delivery(conn, delivery)?
            .filter(|d| d.endpoint_id == endpoint)
            .ok_or(AppError::NotFound("webhook delivery"))
    })
    .await?;
    Ok(envelope::respond(
        StatusCode::OK,
        &Document {
            data: resource(&found),
        },
    ))
}

/// Queues a finished delivery again, as a new delivery of the same event (same id and
/// body, so a receiver that already took it can drop it).
#[utoipa::path(
    post,
    path = "/v1/identity/webhook-endpoints/{id}/deliveries/{delivery_id}/redeliver",
    operation_id = "redeliverWebhookDelivery",
    tag = "webhooks",
    summary = "Redeliver one delivery",
    description = "Needs the `webhooks:manage` permission. The delivery must have succeeded or failed (a pending one is still being tried: 409). The answer is the new delivery, due now. No request body.",
    security(("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The endpoint's id"),
        ("delivery_id" = Uuid, Path, description = "The delivery to repeat"),
    ),
    responses(
        (status = 202, description = "The new delivery, queued", body = Document<Resource<WebhookDeliveryAttributes, WebhookDeliveryRelationships>>, content_type = "application/vnd.api+json",
            links(
                ("getWebhookDelivery" = (operation_id = "getWebhookDelivery", parameters(("id" = "$request.path.id"), ("delivery_id" = "$response.body#/data/id")))),
            ),
        ),
        crate::api::responses::ActionErrors,
    ),
)]
#[post("/webhook-endpoints/{id}/deliveries/{delivery_id}/redeliver")]
pub async fn redeliver(
    auth: Authorized<grant::WebhooksManage>,
    pool: web::Data<DbPool>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (endpoint, delivery) = path.into_inner();
    let endpoint = path_id(&endpoint, "id")?;
    let delivery = path_id(&delivery, "delivery_id")?;
    let actor = auth.actor();
    let queued = db::with_conn(&pool, move |conn| {
        let id = service::redeliver(conn, endpoint, delivery, actor)?;
        store::find_delivery(conn, id)?.ok_or(AppError::NotFound("webhook delivery"))
    })
    .await?;
    Ok(envelope::respond(
        StatusCode::ACCEPTED,
        &Document {
            data: resource(&queued),
        },
    ))
}
