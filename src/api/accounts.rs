//! `/v1/identity/accounts`: create (`accounts:write`), list and get (`accounts:read`).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::auth::{Authorized, grant};
use super::body::JsonApi;
use super::envelope::{
    self, Document, ListDocument, ListMeta, Related, RelatedLinks, Resource, SelfLink,
    maybe_timestamp, timestamp,
};
use super::error::ApiError;
use super::idempotency::{self, IdempotencyKey};
use super::paging::{PageParams, Paging, Params, TOTAL_CAP};
use crate::db::{self, DbPool};
use crate::error::AppError;
use crate::service::accounts as service;
use crate::store::account_list;
use crate::store::accounts::{self, Account};
use crate::store::paging::Cursor;

/// The resource type.
pub const TYPE: &str = "account";
const PATH: &str = "/v1/identity/accounts";

/// An account's attributes.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AccountAttributes {
    /// The integrator's own id, unique when set.
    pub external_id: Option<String>,
    /// `active`, `pending`, `inactive` or `suspended`.
    #[schema(value_type = crate::domain::kinds::AccountStatus, inline)]
    pub status: String,
    /// `person`.
    #[schema(value_type = crate::api::sessions::crud::EntityType, inline)]
    pub entity_type: String,
    /// Creation time.
    #[schema(format = DateTime)]
    pub created_at: String,
    /// Last change.
    #[schema(format = DateTime)]
    pub updated_at: String,
    /// When its personal data was redacted.
    #[schema(format = DateTime)]
    pub redacted_at: Option<String>,
}

/// An account's relationships.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AccountRelationships {
    /// Where its sessions are listed.
    pub sessions: Related,
}

/// An account as sent.
pub type AccountResource = Resource<AccountAttributes, AccountRelationships>;

/// The resource of an account row.
pub fn resource(a: &Account) -> AccountResource {
    Resource {
        kind: TYPE,
        id: a.id,
        attributes: AccountAttributes {
            external_id: a.external_id.clone(),
            status: a.status.to_string(),
            entity_type: a.entity_type.clone(),
            created_at: timestamp(a.created_at),
            updated_at: timestamp(a.updated_at),
            redacted_at: maybe_timestamp(a.redacted_at),
        },
        relationships: AccountRelationships {
            sessions: Related {
                links: RelatedLinks {
                    related: format!("/v1/identity/sessions?filter%5Baccount%5D={}", a.id),
                },
            },
        },
        links: SelfLink {
            self_: format!("{PATH}/{}", a.id),
        },
    }
}

/// `POST /v1/identity/accounts` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAccountDocument {
    /// The new account.
    pub data: CreateAccountData,
}

/// The new account's resource object.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAccountData {
    /// Must be `account`.
    #[serde(rename = "type")]
    #[schema(schema_with = type_schema)]
    pub kind: String,
    /// Its attributes; all optional.
    #[serde(default)]
    pub attributes: CreateAccountAttributes,
}

/// What an account may be created with.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAccountAttributes {
    /// The integrator's own id: 1 to 255 characters, unique.
    #[serde(default)]
    #[schema(schema_with = external_id_schema)]
    pub external_id: Option<String>,
}

fn type_schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    super::schema::string_enum(&[TYPE], false, "Must be `account`.")
}

fn external_id_schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    super::schema::identifier(
        255,
        true,
        "The integrator's own id, unique among accounts; null or absent for none.",
    )
}

/// Creates an account; a taken `external_id` is a 409 pointing at it. With an
/// `Idempotency-Key`, a retry gets the first response and creates nothing.
#[utoipa::path(
    post,
    path = "/v1/identity/accounts",
    operation_id = "createAccount",
    tag = "accounts",
    summary = "Create an account",
    description = "Needs the `accounts:write` permission.",
    security(("api_key" = [])),
    params(
        crate::api::idempotency::IdempotencyHeader,
    ),
    request_body(content = CreateAccountDocument, content_type = "application/vnd.api+json"),
    responses(
        (status = 201, description = "The new account", body = Document<Resource<AccountAttributes, AccountRelationships>>, content_type = "application/vnd.api+json",
            headers(
                ("Location" = String, description = "The new resource's path"),
                ("Idempotent-Replayed" = Option<String>, description = "`true` when this is the stored response of an earlier request with the same `Idempotency-Key`"),
            ),
            links(
                ("getAccount" = (operation_id = "getAccount", parameters(("id" = "$response.body#/data/id")))),
                ("redactAccount" = (operation_id = "redactAccount", parameters(("id" = "$response.body#/data/id")))),
                ("listSessionsOfAccount" = (operation_id = "listSessions", parameters(("filter[account]" = "$response.body#/data/id")))),
                ("createSession" = (operation_id = "createSession", request_body = json!({"data": {"type": "session", "relationships": {"account": {"data": {"type": "account", "id": "$response.body#/data/id"}}}}}))),
            ),
        ),
        crate::api::responses::CreateErrors,
    ),
)]
#[post("/accounts")]
pub async fn create(
    auth: Authorized<grant::AccountsWrite>,
    idempotency: IdempotencyKey,
    pool: web::Data<DbPool>,
    req: HttpRequest,
    body: JsonApi<CreateAccountDocument>,
) -> Result<HttpResponse, ApiError> {
    let JsonApi(doc, raw) = body;
    let data = doc.data;
    if data.kind != TYPE {
        return Err(ApiError::mismatch(
            "/data/type",
            "data.type must be account",
        ));
    }
    let keyed = idempotency.scope(auth.key.id, &req, &raw);
    let external_id = data.attributes.external_id;
    let actor = auth.actor();
    idempotency::respond(
        &pool,
        keyed,
        move |conn| {
            let account = service::create(conn, external_id.as_deref(), actor)?;
            let concerns = idempotency::Concerns {
                session: None,
                account: Some(account.id),
            };
            idempotency::created(
                &Document {
                    data: resource(&account),
                },
                concerns,
            )
        },
        |e| match e {
            AppError::Conflict(message) => {
                ApiError::new(StatusCode::CONFLICT, "already_exists", message.to_string())
                    .pointer("/data/attributes/external_id")
            }
            other => other.into(),
        },
    )
    .await
}

/// Lists accounts, newest first.
#[utoipa::path(
    get,
    path = "/v1/identity/accounts",
    operation_id = "listAccounts",
    tag = "accounts",
    summary = "List accounts, newest first",
    description = "Needs the `accounts:read` permission.",
    security(("api_key" = [])),
    params(PageParams),
    responses(
        (status = 200, description = "A page of accounts", body = ListDocument<Resource<AccountAttributes, AccountRelationships>>, content_type = "application/vnd.api+json",
            links(
                ("getAccount" = (operation_id = "getAccount", parameters(("id" = "$response.body#/data/0/id")))),
                ("nextPage" = (operation_id = "listAccounts", parameters(("page[after]" = "$response.body#/meta/page/next_cursor")))),
            ),
        ),
        crate::api::responses::ListErrors,
    ),
)]
#[get("/accounts")]
pub async fn list(
    _auth: Authorized<grant::AccountsRead>,
    pool: web::Data<DbPool>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let params = Params::parse(req.query_string(), &[])?;
    let paging = Paging::parse(&params)?;
    let (rows, total) = db::with_conn(&pool, move |conn| {
        let rows = account_list::page(conn, paging.at, paging.size)?;
        let total = match paging.total {
            true => Some(account_list::count(conn, TOTAL_CAP)?),
            false => None,
        };
        Ok((rows, total))
    })
    .await?;
    let page = paging.cut(rows, |a| Cursor {
        created_at: a.created_at,
        id: a.id,
    });
    let (meta, links) = page.meta_and_links(PATH, &params, &paging, total);
    let doc = ListDocument {
        data: page.rows.iter().map(resource).collect(),
        meta: ListMeta { page: meta },
        links,
    };
    Ok(envelope::respond(StatusCode::OK, &doc))
}

/// One account.
#[utoipa::path(
    get,
    path = "/v1/identity/accounts/{id}",
    operation_id = "getAccount",
    tag = "accounts",
    summary = "Get an account",
    description = "Needs the `accounts:read` permission.",
    security(("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The resource id"),
    ),
    responses(
        (status = 200, description = "The account", body = Document<Resource<AccountAttributes, AccountRelationships>>, content_type = "application/vnd.api+json",
            links(
                ("listSessionsOfAccount" = (operation_id = "listSessions", parameters(("filter[account]" = "$response.body#/data/id")))),
            ),
        ),
        crate::api::responses::ReadErrors,
    ),
)]
#[get("/accounts/{id}")]
pub async fn show(
    _auth: Authorized<grant::AccountsRead>,
    pool: web::Data<DbPool>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let account = db::with_conn(&pool, move |conn| {
        accounts::find(conn, id)?.ok_or(AppError::NotFound("account"))
    })
    .await?;
    Ok(envelope::respond(
        StatusCode::OK,
        &Document {
            data: resource(&account),
        },
    ))
}
