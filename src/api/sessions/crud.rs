//! Creating, reading and editing one session.

use super::resource::{SessionAttributes, SessionRelationships};
use crate::api::envelope::Resource;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use uuid::Uuid;

use super::input::{AddressIn, ContactIn, IdentityNumberIn, PersonIn, PersonalData};
use super::resource::{TYPE, for_reader};
use super::with_links;
use crate::api::auth::{Authorized, grant};
use crate::api::body::{JsonApi, nullable};
use crate::api::envelope::{self, Document};
use crate::api::error::ApiError;
use crate::api::idempotency::{self, IdempotencyKey};
use crate::app::AppState;
use crate::db::{self, DbPool};
use crate::domain::kinds::VerificationKind;
use crate::error::AppError;
use crate::service::sessions::{self as service, AccountRef, NewSessionInput, SessionEdit};
use crate::service::{person, reads};
use crate::store::sessions::{self as store, PersonChanges};

/// The entity types a session may be for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EntityType {
    /// A natural person: the only kind so far.
    Person,
}

/// `{"data": {"type": "account", "id": "<uuid>"}}`
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RelationshipIn {
    /// The linked resource.
    pub data: LinkageIn,
}

/// `{"type": "account", "id": "<uuid>"}`
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkageIn {
    /// The linked resource's type.
    #[serde(rename = "type")]
    pub kind: String,
    /// Its id.
    pub id: Uuid,
}

/// `POST /v1/identity/sessions` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateSessionDocument {
    /// The new session.
    pub data: CreateSessionData,
}

/// The new session's resource object.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateSessionData {
    /// Must be `session`.
    #[serde(rename = "type")]
    #[schema(schema_with = type_schema)]
    pub kind: String,
    /// Optional attributes.
    #[serde(default)]
    pub attributes: CreateSessionAttributes,
    /// The account, required.
    pub relationships: CreateSessionRelationships,
}

/// What a session may be created with.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateSessionAttributes {
    /// `person`, the default and so far the only one: reading it refuses any other.
    #[serde(default)]
    pub entity_type: Option<EntityType>,
    /// The kinds that must pass (at least one); `["verification/idv"]` when absent or null.
    #[serde(default)]
    #[schema(min_items = 1)]
    pub required_verifications: Option<Vec<VerificationKind>>,
    /// Name and birth date.
    #[serde(default, deserialize_with = "nullable")]
    pub person: Option<Option<PersonIn>>,
    /// Email and phone.
    #[serde(default, deserialize_with = "nullable")]
    pub contact: Option<Option<ContactIn>>,
    /// Postal address.
    #[serde(default, deserialize_with = "nullable")]
    pub address: Option<Option<AddressIn>>,
    /// Identity document number.
    #[serde(default, deserialize_with = "nullable")]
    pub identity_number: Option<Option<IdentityNumberIn>>,
    /// When the session expires if still open: an RFC 3339 time after now and at most 90
    /// days ahead (or `SESSION_TTL_DAYS`, when that is longer). Absent or null: creation
    /// plus `SESSION_TTL_DAYS`.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub expires_at: Option<String>,
}

/// A new session's links.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateSessionRelationships {
    /// The account it belongs to.
    #[schema(schema_with = account_link)]
    pub account: RelationshipIn,
}

/// `PATCH /v1/identity/sessions/{id}` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchSessionDocument {
    /// The changes.
    pub data: PatchSessionData,
}

/// The changed session's resource object.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchSessionData {
    /// Must be `session`.
    #[serde(rename = "type")]
    #[schema(schema_with = type_schema)]
    pub kind: String,
    /// When given, must be the id in the path.
    #[serde(default)]
    pub id: Option<Uuid>,
    /// `person`, `contact`, `address`, `identity_number`: absent leaves alone, null clears;
    /// `expires_at`: absent leaves alone.
    #[serde(default)]
    pub attributes: PatchSessionAttributes,
}

/// What a PATCH may change.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchSessionAttributes {
    /// Name and birth date.
    #[serde(default, deserialize_with = "nullable")]
    pub person: Option<Option<PersonIn>>,
    /// Email and phone.
    #[serde(default, deserialize_with = "nullable")]
    pub contact: Option<Option<ContactIn>>,
    /// Postal address.
    #[serde(default, deserialize_with = "nullable")]
    pub address: Option<Option<AddressIn>>,
    /// Identity document number.
    #[serde(default, deserialize_with = "nullable")]
    pub identity_number: Option<Option<IdentityNumberIn>>,
    /// A new expiry, earlier or later: an RFC 3339 time after now and at most 90 days ahead
    /// (or `SESSION_TTL_DAYS`, when that is longer). It cannot be cleared.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: Option<Option<String>>,
}

impl PatchSessionAttributes {
    /// The personal-data part.
    fn personal(&self) -> PersonalData {
        PersonalData {
            person: self.person.clone(),
            contact: self.contact.clone(),
            address: self.address.clone(),
            identity_number: self.identity_number.clone(),
        }
    }
}

/// Reads an `expires_at` as sent: an RFC 3339 time, else a 422 on the member. Its bounds
/// are the service's to check.
fn parse_expires_at(raw: &str) -> Result<DateTime<Utc>, ApiError> {
    DateTime::parse_from_rfc3339(raw.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            ApiError::invalid(
                "/data/attributes/expires_at",
                "expires_at must be an RFC 3339 time with its offset, such as 2026-12-24T08:00:00Z",
            )
        })
}

fn type_schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    crate::api::schema::string_enum(&[TYPE], false, "Must be `session`.")
}

fn account_link() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    crate::api::schema::link(
        &[crate::api::accounts::TYPE],
        "The account it belongs to; a missing one is a 404.",
    )
}

/// Parses personal data with the dashboard's rules; `None` when none was sent.
fn parse_personal(data: &PersonalData) -> Result<Option<PersonChanges>, ApiError> {
    if data.is_empty() {
        return Ok(None);
    }
    person::parse(&data.to_form(), Utc::now().date_naive())
        .map(Some)
        .map_err(|errors| AppError::Validation(errors).into())
}

/// Creates a session for an account, optionally with personal data. With an
/// `Idempotency-Key`, a retry gets the first response and creates nothing.
#[utoipa::path(
    post,
    path = "/v1/identity/sessions",
    operation_id = "createSession",
    tag = "sessions",
    summary = "Create a session for an account",
    description = "Needs the `sessions:write` permission. `expires_at` (optional) must be after now and at most 90 days ahead (or `SESSION_TTL_DAYS`, when longer), else a 422 on `/data/attributes/expires_at`.",
    security(("api_key" = [])),
    params(
        crate::api::idempotency::IdempotencyHeader,
    ),
    request_body(content = CreateSessionDocument, content_type = "application/vnd.api+json"),
    responses(
        (status = 201, description = "The new session", body = Document<Resource<SessionAttributes, SessionRelationships>>, content_type = "application/vnd.api+json",
            headers(
                ("Location" = String, description = "The new resource's path"),
                ("Idempotent-Replayed" = Option<String>, description = "`true` when this is the stored response of an earlier request with the same `Idempotency-Key`"),
            ),
            links(
                ("getSession" = (operation_id = "getSession", parameters(("id" = "$response.body#/data/id")))),
                ("updateSession" = (operation_id = "updateSession", parameters(("id" = "$response.body#/data/id")))),
                ("startSession" = (operation_id = "startSession", parameters(("id" = "$response.body#/data/id")))),
                ("submitSession" = (operation_id = "submitSession", parameters(("id" = "$response.body#/data/id")))),
                ("approveSession" = (operation_id = "approveSession", parameters(("id" = "$response.body#/data/id")))),
                ("declineSession" = (operation_id = "declineSession", parameters(("id" = "$response.body#/data/id")))),
                ("markSessionForReview" = (operation_id = "markSessionForReview", parameters(("id" = "$response.body#/data/id")))),
                ("expireSession" = (operation_id = "expireSession", parameters(("id" = "$response.body#/data/id")))),
                ("redactSession" = (operation_id = "redactSession", parameters(("id" = "$response.body#/data/id")))),
                ("getAccount" = (operation_id = "getAccount", parameters(("id" = "$response.body#/data/relationships/account/data/id")))),
                ("listVerificationsOfSession" = (operation_id = "listVerifications", parameters(("filter[session]" = "$response.body#/data/id")))),
                ("createIdvDocument" = (operation_id = "createIdvDocument", request_body = json!({"data": {"type": "document/idv", "relationships": {"session": {"data": {"type": "session", "id": "$response.body#/data/id"}}}}}))),
                ("createAddressDocument" = (operation_id = "createAddressDocument", request_body = json!({"data": {"type": "document/address", "relationships": {"session": {"data": {"type": "session", "id": "$response.body#/data/id"}}}}}))),
            ),
        ),
        crate::api::responses::WriteErrors,
    ),
)]
#[post("/sessions")]
pub async fn create(
    auth: Authorized<grant::SessionsWrite>,
    idempotency: IdempotencyKey,
    pool: web::Data<DbPool>,
    state: web::Data<AppState>,
    req: HttpRequest,
    body: JsonApi<CreateSessionDocument>,
) -> Result<HttpResponse, ApiError> {
    let JsonApi(doc, raw) = body;
    let keyed = idempotency.scope(auth.key.id, &req, &raw);
    let data = doc.data;
    if data.kind != TYPE {
        return Err(ApiError::mismatch(
            "/data/type",
            "data.type must be session",
        ));
    }
    let account = data.relationships.account.data;
    if account.kind != crate::api::accounts::TYPE {
        return Err(ApiError::mismatch(
            "/data/relationships/account/data/type",
            "the account relationship must link an account",
        ));
    }
    let a = data.attributes;
    if a.required_verifications.as_ref().is_some_and(Vec::is_empty) {
        return Err(ApiError::invalid(
            "/data/attributes/required_verifications",
            "required_verifications: name at least one verification kind, or leave it out",
        ));
    }
    let required = a.required_verifications.unwrap_or_default();
    let personal = PersonalData {
        person: a.person,
        contact: a.contact,
        address: a.address,
        identity_number: a.identity_number,
    };
    let input = NewSessionInput {
        account: AccountRef::Existing(account.id),
        required_verifications: required,
        person: parse_personal(&personal)?,
        expires_at: a.expires_at.as_deref().map(parse_expires_at).transpose()?,
    };
    let actor = auth.actor();
    let ttl = state.config.session_ttl_days;
    let can_read = auth.can_read_sessions();
    idempotency::respond(
        &pool,
        keyed,
        move |conn| {
            let (session, _) = service::create(conn, &input, actor, ttl)?;
            let data = for_reader(with_links(conn, &session)?, can_read);
            let concerns = idempotency::Concerns {
                session: Some(session.id),
                account: Some(session.account_id),
            };
            idempotency::created(&Document { data }, concerns)
        },
        ApiError::from,
    )
    .await
}

/// One session with its relationships.
#[utoipa::path(
    get,
    path = "/v1/identity/sessions/{id}",
    operation_id = "getSession",
    tag = "sessions",
    summary = "Get a session with its relationships",
    description = "Needs the `sessions:read` permission.",
    security(("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The resource id"),
    ),
    responses(
        (status = 200, description = "The session", body = Document<Resource<SessionAttributes, SessionRelationships>>, content_type = "application/vnd.api+json",
            links(
                ("getAccount" = (operation_id = "getAccount", parameters(("id" = "$response.body#/data/relationships/account/data/id")))),
                ("getDocument" = (operation_id = "getDocument", parameters(("id" = "$response.body#/data/relationships/documents/data/0/id")))),
                ("getVerification" = (operation_id = "getVerification", parameters(("id" = "$response.body#/data/relationships/verifications/data/0/id")))),
                ("createIdvDocument" = (operation_id = "createIdvDocument", request_body = json!({"data": {"type": "document/idv", "relationships": {"session": {"data": {"type": "session", "id": "$response.body#/data/id"}}}}}))),
            ),
        ),
        crate::api::responses::ReadErrors,
    ),
)]
#[get("/sessions/{id}")]
pub async fn show(
    auth: Authorized<grant::SessionsRead>,
    pool: web::Data<DbPool>,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let resource = db::read_now(&pool, move |conn| {
        let session = store::find(conn, id)?.ok_or(AppError::NotFound("session"))?;
        with_links(conn, &session)
    })
    .await?;
    reads::api_sessions_read(&state.reads, auth.key.id, 1);
    Ok(envelope::respond(
        StatusCode::OK,
        &Document { data: resource },
    ))
}

/// Manual data entry: the same rules, event and conflicts as the dashboard's edit form.
#[utoipa::path(
    patch,
    path = "/v1/identity/sessions/{id}",
    operation_id = "updateSession",
    tag = "sessions",
    summary = "Change a session's personal data or its expiry",
    description = "Needs the `sessions:write` permission. Without `sessions:read` the answer withholds personal data: `person`, `contact`, `address`, `identity_number` and the decision's comment are null. `expires_at` moves the expiry earlier or later: after now and at most 90 days ahead (or `SESSION_TTL_DAYS`, when longer), else a 422; on an approved, declined or expired session a 409, like any edit.",
    security(("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The resource id"),
    ),
    request_body(content = PatchSessionDocument, content_type = "application/vnd.api+json"),
    responses(
        (status = 200, description = "The changed session", body = Document<Resource<SessionAttributes, SessionRelationships>>, content_type = "application/vnd.api+json",
            links(
                ("getSession" = (operation_id = "getSession", parameters(("id" = "$response.body#/data/id")))),
                ("startSession" = (operation_id = "startSession", parameters(("id" = "$response.body#/data/id")))),
                ("submitSession" = (operation_id = "submitSession", parameters(("id" = "$response.body#/data/id")))),
                ("approveSession" = (operation_id = "approveSession", parameters(("id" = "$response.body#/data/id")))),
                ("declineSession" = (operation_id = "declineSession", parameters(("id" = "$response.body#/data/id")))),
                ("markSessionForReview" = (operation_id = "markSessionForReview", parameters(("id" = "$response.body#/data/id")))),
                ("expireSession" = (operation_id = "expireSession", parameters(("id" = "$response.body#/data/id")))),
                ("redactSession" = (operation_id = "redactSession", parameters(("id" = "$response.body#/data/id")))),
            ),
        ),
        crate::api::responses::WriteErrors,
    ),
)]
#[patch("/sessions/{id}")]
pub async fn update(
    auth: Authorized<grant::SessionsWrite>,
    pool: web::Data<DbPool>,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    body: JsonApi<PatchSessionDocument>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let data = body.0.data;
    if data.kind != TYPE {
        return Err(ApiError::mismatch(
            "/data/type",
            "data.type must be session",
        ));
    }
    if data.id.is_some_and(|given| given != id) {
        return Err(ApiError::mismatch(
            "/data/id",
            "data.id must be the id in the path",
        ));
    }
    let expires_at = match &data.attributes.expires_at {
        None => None,
        Some(None) => {
            return Err(ApiError::invalid(
                "/data/attributes/expires_at",
                "expires_at cannot be cleared: give a time, or leave the member out",
            ));
        }
        Some(Some(raw)) => Some(parse_expires_at(raw)?),
    };
    let edit = SessionEdit {
        person: parse_personal(&data.attributes.personal())?,
        expires_at,
    };
    let actor = auth.actor();
    let can_read = auth.can_read_sessions();
    let ttl = state.config.session_ttl_days;
    let resource = db::with_conn(&pool, move |conn| {
        let session = service::edit(conn, id, &edit, actor, ttl)?;
        Ok(for_reader(with_links(conn, &session)?, can_read))
    })
    .await?;
    Ok(envelope::respond(
        StatusCode::OK,
        &Document { data: resource },
    ))
}
