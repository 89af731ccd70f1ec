//! The endpoints themselves: create (the secret shown this once), list, get, change,
//! delete, and rotate the signing secret.
//!
//! A URL is checked as the dashboard checks it, DNS lookup included; that lookup blocks, so
//! it runs on the blocking pool without a database connection, before the write.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use serde::{Deserialize, Serialize};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::Schema;
use uuid::Uuid;

use super::{PATH, description_schema, events_schema, reach, url_schema};
use crate::api::auth::{Authorized, grant};
use crate::api::body::{JsonApi, nullable};
use crate::api::envelope::{
    self, Document, ListDocument, ListMeta, Related, RelatedLinks, Resource, SelfLink,
    maybe_timestamp, timestamp,
};
use crate::api::error::ApiError;
use crate::api::paging::{PageParams, Paging, Params};
use crate::api::schema::string_enum;
use crate::app::AppState;
use crate::db::{self, DbPool};
use crate::error::AppError;
use crate::service::webhooks::{
    self as service, EndpointInput, EndpointPatch, MAX_DESCRIPTION_CHARS,
};
use crate::store::paging::{self, Cursor, PageAt};
use crate::store::webhooks::{self as store, Endpoint};

/// The resource type.
pub const TYPE: &str = "webhook_endpoint";

/// The longest URL.
const MAX_URL_CHARS: usize = 2048;

fn type_schema() -> RefOr<Schema> {
    string_enum(&[TYPE], false, "Must be `webhook_endpoint`.")
}

fn disabled_reason_schema() -> RefOr<Schema> {
    string_enum(
        &["admin", "gone", "failing"],
        true,
        "Why it is disabled, null while enabled: `admin` (by hand), `gone` (it answered 410), `failing` (every attempt failed for 5 days).",
    )
}

/// An endpoint's attributes. Its secrets are never sent, but for the one-time `secret`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WebhookEndpointAttributes {
    /// Where deliveries are posted.
    #[schema(format = "uri", max_length = 2048)]
    pub url: String,
    /// What it is for.
    #[schema(max_length = 500)]
    pub description: String,
    /// The event types it receives; null for every event.
    #[schema(schema_with = events_schema, required = true)]
    pub events: Option<Vec<String>>,
    /// Whether deliveries go out.
    pub enabled: bool,
    /// Why it is disabled, null while enabled: `admin` (by hand), `gone` (it answered 410),
    /// `failing` (every attempt failed for 5 days).
    #[schema(schema_with = disabled_reason_schema, required = true)]
    pub disabled_reason: Option<String>,
    /// The signing secret, `whsec_` and the base64 of 32 random bytes: sent only in the
    /// answers to create and rotate-secret, and never again.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(pattern = "^whsec_[A-Za-z0-9+/]{43}=$")]
    pub secret: Option<String>,
    /// Creation time.
    #[schema(format = DateTime)]
    pub created_at: String,
    /// Last change.
    #[schema(format = DateTime)]
    pub updated_at: String,
    /// Until when the secret before the last rotation still signs deliveries beside the
    /// current one; null when never rotated.
    #[schema(format = DateTime)]
    pub previous_secret_expires_at: Option<String>,
}

/// An endpoint's relationships.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WebhookEndpointRelationships {
    /// Where its recent deliveries are listed.
    pub deliveries: Related,
}

/// An endpoint as sent.
pub type WebhookEndpointResource =
    Resource<WebhookEndpointAttributes, WebhookEndpointRelationships>;

/// The resource of an endpoint row, with `secret` when this answer may show it.
pub fn resource(e: &Endpoint, secret: Option<String>) -> WebhookEndpointResource {
    Resource {
        kind: TYPE,
        id: e.id,
        attributes: WebhookEndpointAttributes {
            url: e.url.clone(),
            description: e.description.clone(),
            events: e.events.clone(),
            enabled: e.enabled,
            disabled_reason: e.disabled_reason.clone(),
            secret,
            created_at: timestamp(e.created_at),
            updated_at: timestamp(e.updated_at),
            previous_secret_expires_at: maybe_timestamp(e.previous_secret_expires_at),
        },
        relationships: WebhookEndpointRelationships {
            deliveries: Related {
                links: RelatedLinks {
                    related: format!("{PATH}/{}/deliveries", e.id),
                },
            },
        },
        links: SelfLink {
            self_: format!("{PATH}/{}", e.id),
        },
    }
}

/// `POST /v1/identity/webhook-endpoints` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateWebhookEndpointDocument {
    /// The new endpoint.
    pub data: CreateWebhookEndpointData,
}

/// The new endpoint's resource object.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateWebhookEndpointData {
    /// Must be `webhook_endpoint`.
    #[serde(rename = "type")]
    #[schema(schema_with = type_schema)]
    pub kind: String,
    /// Its attributes; `url` is required.
    pub attributes: CreateWebhookEndpointAttributes,
}

/// What an endpoint is created with.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateWebhookEndpointAttributes {
    /// Where deliveries go: an absolute https URL (http only when the server runs with
    /// `WEBHOOK_ALLOW_INSECURE=true`), without credentials or fragment, whose host resolves
    /// to no loopback, private or link-local address (unless `WEBHOOK_ALLOW_PRIVATE=true`).
    #[schema(schema_with = url_schema)]
    pub url: String,
    /// What it is for: up to 500 characters, no control characters. Null or absent: none.
    #[serde(default)]
    #[schema(schema_with = description_schema)]
    pub description: Option<String>,
    /// The event types it receives; absent or null for every event.
    #[serde(default)]
    #[schema(schema_with = events_schema)]
    pub events: Option<Vec<String>>,
}

/// `PATCH /v1/identity/webhook-endpoints/{id}` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchWebhookEndpointDocument {
    /// The changes.
    pub data: PatchWebhookEndpointData,
}

/// The changed endpoint's resource object.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchWebhookEndpointData {
    /// Must be `webhook_endpoint`.
    #[serde(rename = "type")]
    #[schema(schema_with = type_schema)]
    pub kind: String,
    /// When given, must be the id in the path.
    #[serde(default)]
    pub id: Option<Uuid>,
    /// What changes; an absent member is left as it is.
    #[serde(default)]
    pub attributes: PatchWebhookEndpointAttributes,
}

/// The members a change may set.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchWebhookEndpointAttributes {
    /// A new URL, checked as on create.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(schema_with = url_schema)]
    pub url: Option<Option<String>>,
    /// A new description; null clears it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(schema_with = description_schema)]
    pub description: Option<Option<String>>,
    /// New event types; null for every event.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(schema_with = events_schema)]
    pub events: Option<Option<Vec<String>>>,
    /// Enables or disables deliveries. Enabling an endpoint the server disabled gives it
    /// five fresh days before failures disable it again.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = bool)]
    pub enabled: Option<Option<bool>>,
}

/// Refuses a text member over `max` characters as sent (the service trims first).
fn at_most(value: Option<&str>, max: usize, member: &str) -> Result<(), ApiError> {
    match value {
        Some(v) if v.chars().count() > max => Err(ApiError::invalid(
            &format!("/data/attributes/{member}"),
            format!("{member}: must be at most {max} characters"),
        )),
        _ => Ok(()),
    }
}

/// Refuses `null` for a member that cannot be cleared.
fn not_null<T>(value: Option<Option<T>>, member: &str) -> Result<Option<T>, ApiError> {
    match value {
        Some(None) => Err(ApiError::invalid(
            &format!("/data/attributes/{member}"),
            format!("{member}: must not be null; leave it out to keep it as it is"),
        )),
        Some(Some(v)) => Ok(Some(v)),
        None => Ok(None),
    }
}

/// Registers an endpoint; the answer holds its signing secret, this once.
#[utoipa::path(
    post,
    path = "/v1/identity/webhook-endpoints",
    operation_id = "createWebhookEndpoint",
    tag = "webhooks",
    summary = "Register a webhook endpoint",
    description = "Needs the `webhooks:manage` permission. The answer's `data.attributes.secret` is the endpoint's signing secret, sent this once: keep it to verify the `webhook-signature` of each delivery (Standard Webhooks). Deliveries are at least once and unordered; the body's `id` (the `webhook-id` header) is the same for every attempt and redelivery of an event, for deduplication.",
    security(("api_key" = [])),
    request_body(content = CreateWebhookEndpointDocument, content_type = "application/vnd.api+json"),
    responses(
        (status = 201, description = "The new endpoint, with its secret", body = Document<Resource<WebhookEndpointAttributes, WebhookEndpointRelationships>>, content_type = "application/vnd.api+json",
            headers(("Location" = String, description = "The new resource's path")),
            links(
                ("getWebhookEndpoint" = (operation_id = "getWebhookEndpoint", parameters(("id" = "$response.body#/data/id")))),
                ("updateWebhookEndpoint" = (operation_id = "updateWebhookEndpoint", parameters(("id" = "$response.body#/data/id")))),
                ("deleteWebhookEndpoint" = (operation_id = "deleteWebhookEndpoint", parameters(("id" = "$response.body#/data/id")))),
                ("rotateWebhookEndpointSecret" = (operation_id = "rotateWebhookEndpointSecret", parameters(("id" = "$response.body#/data/id")))),
                ("listWebhookDeliveries" = (operation_id = "listWebhookDeliveries", parameters(("id" = "$response.body#/data/id")))),
            ),
        ),
        crate::api::responses::CreateErrors,
    ),
)]
#[post("/webhook-endpoints")]
pub async fn create(
    auth: Authorized<grant::WebhooksManage>,
    pool: web::Data<DbPool>,
    state: web::Data<AppState>,
    body: JsonApi<CreateWebhookEndpointDocument>,
) -> Result<HttpResponse, ApiError> {
    let data = body.0.data;
    if data.kind != TYPE {
        return Err(ApiError::mismatch(
            "/data/type",
            "data.type must be webhook_endpoint",
        ));
    }
    let a = data.attributes;
    at_most(Some(&a.url), MAX_URL_CHARS, "url")?;
    at_most(
        a.description.as_deref(),
        MAX_DESCRIPTION_CHARS,
        "description",
    )?;
    let input = EndpointInput {
        url: a.url,
        description: a.description.unwrap_or_default(),
        events: a.events,
    };
    let reach = reach(&state);
    // The URL's host is looked up in DNS: on the blocking pool, holding no connection.
    let checked = web::block(move || service::validate(&input, reach))
        .await
        .map_err(AppError::from)??;
    let actor = auth.actor();
    let endpoint = db::with_conn(&pool, move |conn| service::create(conn, checked, actor)).await?;
    let data = resource(&endpoint, Some(endpoint.secret.clone()));
    let location = data.links.self_.clone();
    Ok(envelope::created(&location, &Document { data }))
}

/// The page `at` of `all`, as a store would cut it: newest first, the row beyond telling
/// that another page exists. An installation has a handful of endpoints, so they are paged
/// in memory.
fn page_of(mut all: Vec<Endpoint>, at: PageAt, size: i64) -> paging::Page<Endpoint> {
    let key = |e: &Endpoint| (e.created_at, e.id);
    all.sort_by_key(|e| std::cmp::Reverse(key(e)));
    let take = usize::try_from(paging::overfetch(size)).unwrap_or(usize::MAX);
    let rows: Vec<Endpoint> = match at {
        PageAt::First => all.into_iter().take(take).collect(),
        PageAt::After(c) => all
            .into_iter()
            .filter(|e| key(e) < (c.created_at, c.id))
            .take(take)
            .collect(),
        // Read backwards: oldest of the newer rows first, as the store reads them.
        PageAt::Before(c) => all
            .into_iter()
            .rev()
            .filter(|e| key(e) > (c.created_at, c.id))
            .take(take)
            .collect(),
    };
    paging::Page::read_at(rows, size, at)
}

/// Lists the endpoints, newest first.
#[utoipa::path(
    get,
    path = "/v1/identity/webhook-endpoints",
    operation_id = "listWebhookEndpoints",
    tag = "webhooks",
    summary = "List webhook endpoints, newest first",
    description = "Needs the `webhooks:manage` permission. Secrets are never listed.",
    security(("api_key" = [])),
    params(PageParams),
    responses(
        (status = 200, description = "A page of endpoints", body = ListDocument<Resource<WebhookEndpointAttributes, WebhookEndpointRelationships>>, content_type = "application/vnd.api+json",
            links(
                ("getWebhookEndpoint" = (operation_id = "getWebhookEndpoint", parameters(("id" = "$response.body#/data/0/id")))),
                ("listWebhookDeliveries" = (operation_id = "listWebhookDeliveries", parameters(("id" = "$response.body#/data/0/id")))),
            ),
        ),
        crate::api::responses::ListErrors,
    ),
)]
#[get("/webhook-endpoints")]
pub async fn list(
    _auth: Authorized<grant::WebhooksManage>,
    pool: web::Data<DbPool>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let params = Params::parse(req.query_string(), &[])?;
    let paging = Paging::parse(&params)?;
    let all = db::with_conn(&pool, |conn| Ok(store::all_endpoints(conn)?)).await?;
    let total = paging.total.then_some(all.len() as i64);
    let rows = page_of(all, paging.at, paging.size);
    let page = paging.cut(rows, |e| Cursor {
        created_at: e.created_at,
        id: e.id,
    });
    let (meta, links) = page.meta_and_links(PATH, &params, &paging, total);
    let doc = ListDocument {
        data: page.rows.iter().map(|e| resource(e, None)).collect(),
        meta: ListMeta { page: meta },
        links,
    };
    Ok(envelope::respond(StatusCode::OK, &doc))
}

/// One endpoint.
#[utoipa::path(
    get,
    path = "/v1/identity/webhook-endpoints/{id}",
    operation_id = "getWebhookEndpoint",
    tag = "webhooks",
    summary = "Get a webhook endpoint",
    description = "Needs the `webhooks:manage` permission. The secret is not sent.",
    security(("api_key" = [])),
    params(("id" = Uuid, Path, description = "The resource id")),
    responses(
        (status = 200, description = "The endpoint", body = Document<Resource<WebhookEndpointAttributes, WebhookEndpointRelationships>>, content_type = "application/vnd.api+json"),
        crate::api::responses::ReadErrors,
    ),
)]
#[get("/webhook-endpoints/{id}")]
pub async fn show(
    _auth: Authorized<grant::WebhooksManage>,
    pool: web::Data<DbPool>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let endpoint = db::with_conn(&pool, move |conn| {
        store::find_endpoint(conn, id)?.ok_or(AppError::NotFound("webhook endpoint"))
    })
    .await?;
    Ok(envelope::respond(
        StatusCode::OK,
        &Document {
            data: resource(&endpoint, None),
        },
    ))
}

/// Changes an endpoint's URL, description, event types or state.
#[utoipa::path(
    patch,
    path = "/v1/identity/webhook-endpoints/{id}",
    operation_id = "updateWebhookEndpoint",
    tag = "webhooks",
    summary = "Change a webhook endpoint",
    description = "Needs the `webhooks:manage` permission. Members left out stay as they are; a refused member is named and nothing is changed.",
    security(("api_key" = [])),
    params(("id" = Uuid, Path, description = "The resource id")),
    request_body(content = PatchWebhookEndpointDocument, content_type = "application/vnd.api+json"),
    responses(
        (status = 200, description = "The changed endpoint", body = Document<Resource<WebhookEndpointAttributes, WebhookEndpointRelationships>>, content_type = "application/vnd.api+json",
            links(
                ("getWebhookEndpoint" = (operation_id = "getWebhookEndpoint", parameters(("id" = "$response.body#/data/id")))),
                ("deleteWebhookEndpoint" = (operation_id = "deleteWebhookEndpoint", parameters(("id" = "$response.body#/data/id")))),
            ),
        ),
        crate::api::responses::WriteErrors,
    ),
)]
#[patch("/webhook-endpoints/{id}")]
pub async fn update(
    auth: Authorized<grant::WebhooksManage>,
    pool: web::Data<DbPool>,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    body: JsonApi<PatchWebhookEndpointDocument>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let data = body.0.data;
    if data.kind != TYPE {
        return Err(ApiError::mismatch(
            "/data/type",
            "data.type must be webhook_endpoint",
        ));
    }
    if data.id.is_some_and(|given| given != id) {
        return Err(ApiError::mismatch(
            "/data/id",
            "data.id must be the id in the path",
        ));
    }
    let a = data.attributes;
    let url = not_null(a.url, "url")?;
    let enabled = not_null(a.enabled, "enabled")?;
    let description = a.description.map(Option::unwrap_or_default);
    at_most(url.as_deref(), MAX_URL_CHARS, "url")?;
    at_most(description.as_deref(), MAX_DESCRIPTION_CHARS, "description")?;
    let patch = EndpointPatch {
        url,
        description,
        events: a.events,
        enabled,
    };
    let reach = reach(&state);
    // A new URL's host is looked up in DNS: on the blocking pool, holding no connection.
    let changes = web::block(move || service::validate_patch(&patch, reach))
        .await
        .map_err(AppError::from)??;
    let actor = auth.actor();
    let endpoint = db::with_conn(&pool, move |conn| {
        service::update(conn, id, &changes, actor)
    })
    .await?;
    Ok(envelope::respond(
        StatusCode::OK,
        &Document {
            data: resource(&endpoint, None),
        },
    ))
}

/// Removes an endpoint and its deliveries.
#[utoipa::path(
    delete,
    path = "/v1/identity/webhook-endpoints/{id}",
    operation_id = "deleteWebhookEndpoint",
    tag = "webhooks",
    summary = "Remove a webhook endpoint",
    description = "Needs the `webhooks:manage` permission. Its pending deliveries are dropped with it.",
    security(("api_key" = [])),
    params(("id" = Uuid, Path, description = "The resource id")),
    responses(
        (status = 204, description = "Removed"),
        crate::api::responses::ReadErrors,
    ),
)]
#[delete("/webhook-endpoints/{id}")]
pub async fn remove(
    auth: Authorized<grant::WebhooksManage>,
    pool: web::Data<DbPool>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let actor = auth.actor();
    db::with_conn(&pool, move |conn| service::delete(conn, id, actor)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Gives an endpoint a new signing secret, sent this once; the old one keeps signing
/// beside it for 24 hours.
#[utoipa::path(
    post,
    path = "/v1/identity/webhook-endpoints/{id}/rotate-secret",
    operation_id = "rotateWebhookEndpointSecret",
    tag = "webhooks",
    summary = "Rotate a webhook endpoint's signing secret",
    description = "Needs the `webhooks:manage` permission. The answer's `data.attributes.secret` is the new secret, sent this once. For 24 hours (`previous_secret_expires_at`) deliveries carry a signature by each secret, space-separated in `webhook-signature`, so the receiver can switch without losing one. No request body.",
    security(("api_key" = [])),
    params(("id" = Uuid, Path, description = "The resource id")),
    responses(
        (status = 200, description = "The endpoint, with its new secret", body = Document<Resource<WebhookEndpointAttributes, WebhookEndpointRelationships>>, content_type = "application/vnd.api+json",
            links(
                ("getWebhookEndpoint" = (operation_id = "getWebhookEndpoint", parameters(("id" = "$response.body#/data/id")))),
            ),
        ),
        crate::api::responses::ReadErrors,
    ),
)]
#[post("/webhook-endpoints/{id}/rotate-secret")]
pub async fn rotate_secret(
    auth: Authorized<grant::WebhooksManage>,
    pool: web::Data<DbPool>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let actor = auth.actor();
    let endpoint =
        db::with_conn(&pool, move |conn| service::rotate_secret(conn, id, actor)).await?;
    let data = resource(&endpoint, Some(endpoint.secret.clone()));
    Ok(envelope::respond(StatusCode::OK, &Document { data }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};

    fn endpoint(n: i64) -> Endpoint {
        let at: DateTime<Utc> = DateTime::from_timestamp(n, 0).unwrap();
        Endpoint {
            id: Uuid::from_u128(n as u128),
            url: "https://example.com/".into(),
            description: String::new(),
            events: None,
            enabled: true,
            disabled_reason: None,
            secret: "whsec_x".into(),
            previous_secret: None,
            previous_secret_expires_at: None,
            failing_since: None,
            created_by_type: "api_key".into(),
            created_by: None,
            created_at: at,
            updated_at: at,
        }
    }

    fn ns(rows: &[Endpoint]) -> Vec<i64> {
        rows.iter().map(|e| e.created_at.timestamp()).collect()
    }

    fn at(n: i64) -> Cursor {
        let e = endpoint(n);
        Cursor {
            created_at: e.created_at,
            id: e.id,
        }
    }

    #[test]
    fn endpoints_are_paged_in_memory_as_a_store_pages() {
        let all = || (1..=5).map(endpoint).collect::<Vec<_>>();
        assert_eq!(ns(&page_of(all(), PageAt::First, 2).rows), vec![5, 4]);
        assert_eq!(
            ns(&page_of(all(), PageAt::After(at(4)), 2).rows),
            vec![3, 2]
        );
        assert_eq!(ns(&page_of(all(), PageAt::After(at(2)), 2).rows), vec![1]);
        assert_eq!(
            ns(&page_of(all(), PageAt::Before(at(2)), 2).rows),
            vec![4, 3]
        );
        assert_eq!(ns(&page_of(all(), PageAt::Before(at(4)), 2).rows), vec![5]);
    }

    #[test]
    fn secrets_are_sent_only_when_asked() {
        let e = endpoint(1);
        let quiet = serde_json::to_value(resource(&e, None)).unwrap();
        assert!(quiet["attributes"].get("secret").is_none());
        assert!(!quiet.to_string().contains("whsec_"));
        let shown = serde_json::to_value(resource(&e, Some(e.secret.clone()))).unwrap();
        assert_eq!(shown["attributes"]["secret"], "whsec_x");
        assert_eq!(shown["attributes"]["events"], serde_json::Value::Null);
    }
}
