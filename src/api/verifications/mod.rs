//! `/v1/identity/verifications`: run a verification synchronously and answer with its
//! whole result ([`create`]), read one ([`show`]) or list them ([`list`]).

pub mod list;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaType, Type};
use uuid::Uuid;

use super::auth::{Authorized, grant};
use super::body::JsonApi;
use super::envelope::{
    self, Document, Linkage, Resource, SelfLink, ToOne, maybe_timestamp, timestamp,
};
use super::error::ApiError;
use super::idempotency::{self, IdempotencyKey};
use super::schema;
use super::sessions::crud::RelationshipIn;
use crate::app::AppState;
use crate::db::{self, DbPool};
use crate::domain::engine::Policy;
use crate::domain::kinds::VerificationKind;
use crate::error::AppError;
use crate::service::reads;
use crate::service::verifications::{self as service, FingerprintKey, Request};
use crate::store::sessions::Session;
use crate::store::verifications::{self as store, Check, Verification};
use std::collections::HashMap;

/// Where verifications live.
pub const PATH: &str = "/v1/identity/verifications";

/// One check of a verification.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CheckOut {
    /// Stable check name (`mrz_format`, `minimum_age`, ...).
    #[schema(value_type = crate::domain::engine::CheckName, inline)]
    pub name: String,
    /// `passed`, `failed` or `not_applicable`.
    #[schema(value_type = crate::domain::kinds::CheckStatus, inline)]
    pub status: String,
    /// Why, in words.
    pub reasons: Vec<String>,
    /// `required` or `not_required`.
    #[schema(value_type = crate::domain::kinds::Requirement, inline)]
    pub requirement: String,
    /// Machine-readable detail.
    #[schema(value_type = Object)]
    pub metadata: serde_json::Value,
}

/// A verification's attributes.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VerificationAttributes {
    /// `initiated`, `passed`, `failed`, `requires_retry` or `canceled`.
    #[schema(value_type = crate::domain::kinds::VerificationStatus, inline)]
    pub status: String,
    /// Every check, in order.
    pub checks: Vec<CheckOut>,
    /// Person data read from the document; null when nothing could be read, once the
    /// session is redacted, and in the answer to a key without `sessions:read`.
    #[schema(value_type = Option<Object>)]
    pub extracted: Option<serde_json::Value>,
    /// Whether a pass wrote the extracted data onto the session.
    pub auto_update_session: bool,
    /// Whether entered data this verification compared (names, birth date, identity
    /// number; the address for a `verification/address`) changed since it ran: its result
    /// no longer speaks for what the session holds. Always false once redacted.
    pub stale: bool,
    /// The entered fields changed since it ran, by API name (`person.name.last`); never
    /// their values. Empty unless `stale`.
    pub stale_fields: Vec<String>,
    /// Creation time.
    #[schema(format = DateTime)]
    pub created_at: String,
    /// When the result was reached.
    #[schema(format = DateTime)]
    pub completed_at: Option<String>,
}

/// What a verification links to.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VerificationRelationships {
    /// The session verified.
    pub session: ToOne,
    /// The document read.
    pub document: ToOne,
}

/// A verification as sent.
pub type VerificationResource = Resource<VerificationAttributes, VerificationRelationships>;

/// The resource of a verification and its checks, with the entered fields changed since
/// it ran ([`service::stale_fields`]).
pub fn resource(v: &Verification, checks: &[Check], stale: &[&str]) -> VerificationResource {
    let document_type = v.kind.document_kind().as_str();
    Resource {
        kind: v.kind.as_str(),
        id: v.id,
        attributes: VerificationAttributes {
            status: v.status.to_string(),
            checks: checks
                .iter()
                .filter(|c| c.verification_id == v.id)
                .map(|c| CheckOut {
                    name: c.name.to_string(),
                    status: c.status.to_string(),
                    reasons: c.reasons.clone(),
                    requirement: c.requirement.to_string(),
                    metadata: c.metadata.clone(),
                })
                .collect(),
            extracted: v.extracted.clone(),
            auto_update_session: v.auto_update_session,
            stale: !stale.is_empty(),
            stale_fields: stale.iter().map(|f| (*f).to_owned()).collect(),
            created_at: timestamp(v.created_at),
            completed_at: maybe_timestamp(v.completed_at),
        },
        relationships: VerificationRelationships {
            session: ToOne {
                data: Some(Linkage::new(
                    crate::api::sessions::resource::TYPE,
                    v.session_id,
                )),
            },
            document: ToOne {
                data: Some(Linkage::new(document_type, v.document_id)),
            },
        },
        links: SelfLink {
            self_: format!("{PATH}/{}", v.id),
        },
    }
}

/// The resources of some verifications, their checks read in one query and their
/// sessions once each, to tell which are stale.
pub fn with_checks(
    conn: &mut diesel::PgConnection,
    rows: &[Verification],
    key: &FingerprintKey,
) -> Result<Vec<VerificationResource>, AppError> {
    let ids: Vec<Uuid> = rows.iter().map(|v| v.id).collect();
    let checks = store::checks_for(conn, &ids)?;
    let mut sessions: HashMap<Uuid, Option<Session>> = HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for v in rows {
        if let std::collections::hash_map::Entry::Vacant(e) = sessions.entry(v.session_id) {
            e.insert(crate::store::sessions::find(conn, v.session_id)?);
        }
        let stale = match sessions.get(&v.session_id) {
            Some(Some(s)) => service::stale_fields(key, v, s),
            _ => Vec::new(),
        };
        out.push(resource(v, &checks, &stale));
    }
    Ok(out)
}

/// The fingerprint key of the running server.
pub fn fingerprint_key(state: &AppState) -> FingerprintKey {
    FingerprintKey::derive(&state.config.session_key)
}

/// `POST /v1/identity/verifications` body, as it is read (the OpenAPI document describes
/// it as [`CreateVerification`]).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateVerificationDocument {
    /// The verification to run.
    pub data: CreateVerificationData,
}

/// The verification's resource object.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateVerificationData {
    /// `verification/idv` or `verification/address`.
    #[serde(rename = "type")]
    pub kind: String,
    /// No attributes are taken; present for clients that always send the member.
    #[serde(default)]
    pub attributes: Option<serde_json::Map<String, serde_json::Value>>,
    /// The document to read and the session it belongs to.
    pub relationships: CreateVerificationRelationships,
    /// `auto_update_session`.
    #[serde(default)]
    pub meta: Option<CreateVerificationMeta>,
}

/// A new verification's links.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateVerificationRelationships {
    /// The document read: a `document/idv` for `verification/idv`, a `document/address`
    /// for `verification/address`.
    pub document: RelationshipIn,
    /// The session verified.
    pub session: RelationshipIn,
}

/// Options of a new verification.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateVerificationMeta {
    /// Write the extracted data onto the session's blank fields when the verification
    /// passes.
    #[serde(default)]
    pub auto_update_session: bool,
}

// What the OpenAPI document says of the body: one shape per kind, each reading its own
// kind of document. These types are never read (serde's attributes give their schemas
// `additionalProperties: false`).

/// `POST /v1/identity/verifications` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct CreateVerification {
    /// The verification to run: of an ID document or of a proof of address.
    data: VerificationData,
}

/// A verification of either kind.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum VerificationData {
    /// `verification/idv`, reading a `document/idv`.
    Idv(IdvVerificationData),
    /// `verification/address`, reading a `document/address`.
    Address(AddressVerificationData),
}

/// A `verification/idv`: reads an ID document of the session.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct IdvVerificationData {
    /// Must be `verification/idv`.
    #[serde(rename = "type")]
    #[schema(schema_with = idv_type)]
    kind: String,
    /// No attributes are taken: null, absent or `{}`.
    #[serde(default)]
    #[schema(schema_with = no_attributes)]
    attributes: Option<()>,
    /// The document and the session.
    relationships: IdvVerificationRelationships,
    /// Options.
    #[serde(default)]
    meta: Option<CreateVerificationMeta>,
}

/// A `verification/idv`'s links.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct IdvVerificationRelationships {
    /// The ID document read.
    #[schema(schema_with = idv_document_link)]
    document: RelationshipIn,
    /// The session verified.
    #[schema(schema_with = session_link)]
    session: RelationshipIn,
}

/// A `verification/address`: reads a proof of address of the session.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct AddressVerificationData {
    /// Must be `verification/address`.
    #[serde(rename = "type")]
    #[schema(schema_with = address_type)]
    kind: String,
    /// No attributes are taken: null, absent or `{}`.
    #[serde(default)]
    #[schema(schema_with = no_attributes)]
    attributes: Option<()>,
    /// The document and the session.
    relationships: AddressVerificationRelationships,
    /// Options.
    #[serde(default)]
    meta: Option<CreateVerificationMeta>,
}

/// A `verification/address`'s links.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct AddressVerificationRelationships {
    /// The address document read.
    #[schema(schema_with = address_document_link)]
    document: RelationshipIn,
    /// The session verified.
    #[schema(schema_with = session_link)]
    session: RelationshipIn,
}

fn idv_type() -> RefOr<Schema> {
    schema::string_enum(
        &[VerificationKind::Idv.as_str()],
        false,
        "Must be `verification/idv`.",
    )
}

fn address_type() -> RefOr<Schema> {
    schema::string_enum(
        &[VerificationKind::Address.as_str()],
        false,
        "Must be `verification/address`.",
    )
}

fn no_attributes() -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::Object, Type::Null]))
        .max_properties(Some(0))
        .description(Some("No attributes are taken: null, absent or `{}`."))
        .into()
}

fn idv_document_link() -> RefOr<Schema> {
    schema::link(
        &[VerificationKind::Idv.document_kind().as_str()],
        "The ID document read, one of the session's; a missing one is a 404.",
    )
}

fn address_document_link() -> RefOr<Schema> {
    schema::link(
        &[VerificationKind::Address.document_kind().as_str()],
        "The address document read, one of the session's; a missing one is a 404.",
    )
}

fn session_link() -> RefOr<Schema> {
    schema::link(
        &[crate::api::sessions::resource::TYPE],
        "The session verified; a missing one is a 404.",
    )
}

fn parse(doc: CreateVerificationDocument) -> Result<Request, ApiError> {
    let data = doc.data;
    let kind = data
        .kind
        .parse::<VerificationKind>()
        .map_err(|e| ApiError::invalid("/data/type", format!("data.type {e}")))?;
    if let Some(a) = &data.attributes
        && let Some(name) = a.keys().next()
    {
        return Err(ApiError::invalid(
            &format!("/data/attributes/{name}"),
            format!("a verification takes no attribute {name:?}"),
        ));
    }
    let rel = data.relationships;
    let wanted = kind.document_kind().as_str();
    if rel.document.data.kind != wanted {
        return Err(ApiError::invalid(
            "/data/relationships/document/data/type",
            format!("a {kind} reads a {wanted}"),
        ));
    }
    if rel.session.data.kind != crate::api::sessions::resource::TYPE {
        return Err(ApiError::mismatch(
            "/data/relationships/session/data/type",
            "the session relationship must link a session",
        ));
    }
    Ok(Request {
        kind,
        session_id: rel.session.data.id,
        document_id: rel.document.data.id,
        auto_update_session: data.meta.unwrap_or_default().auto_update_session,
    })
}

/// Runs a verification and answers with its result.
#[utoipa::path(
    post,
    path = "/v1/identity/verifications",
    operation_id = "createVerification",
    tag = "verifications",
    summary = "Run a verification of a session's document",
    description = "Needs the `verifications:write` permission. Runs synchronously: the response holds the status and every check. If the session's data or the document's judged file changes while it runs, nothing is recorded and the answer is a 409 `conflict`: send it again. With `meta.auto_update_session` a passed verification fills the session's blank personal fields from the document; a `pending` session is completed or failed by the result (SPEC completion rule).",
    security(("api_key" = [])),
    params(
        crate::api::idempotency::IdempotencyHeader,
    ),
    request_body(content = CreateVerification, content_type = "application/vnd.api+json"),
    responses(
        (status = 201, description = "The verification and its result", body = Document<Resource<VerificationAttributes, VerificationRelationships>>, content_type = "application/vnd.api+json",
            headers(
                ("Location" = String, description = "The new resource's path"),
                ("Idempotent-Replayed" = Option<String>, description = "`true` when this is the stored response of an earlier request with the same `Idempotency-Key`"),
            ),
            links(
                ("getVerification" = (operation_id = "getVerification", parameters(("id" = "$response.body#/data/id")))),
                ("getSession" = (operation_id = "getSession", parameters(("id" = "$response.body#/data/relationships/session/data/id")))),
                ("getDocument" = (operation_id = "getDocument", parameters(("id" = "$response.body#/data/relationships/document/data/id")))),
                ("listVerificationsOfSession" = (operation_id = "listVerifications", parameters(("filter[session]" = "$response.body#/data/relationships/session/data/id")))),
            ),
        ),
        crate::api::responses::CreateErrors,
    ),
)]
#[post("/verifications")]
pub async fn create(
    auth: Authorized<grant::VerificationsWrite>,
    idempotency: IdempotencyKey,
    pool: web::Data<DbPool>,
    state: web::Data<AppState>,
    req: HttpRequest,
    body: JsonApi<CreateVerificationDocument>,
) -> Result<HttpResponse, ApiError> {
    let JsonApi(doc, raw) = body;
    let request = parse(doc)?;
    let policy = Policy {
        minimum_age: state.config.minimum_age,
        ..Policy::default()
    };
    let keyed = idempotency.scope(auth.key.id, &req, &raw);
    let actor = auth.actor();
    let can_read = auth.can_read_sessions();
    let key = fingerprint_key(&state);
    // Read, judge, record: the photo is read with no connection and no lock held, in
    // one of a bounded number of turns (waiting for one holds nothing either).
    let reads_photo = request.kind == VerificationKind::Idv;
    let prepared = db::with_conn(&pool, move |conn| service::prepare(conn, &request)).await?;
    let turn = if reads_photo {
        let permit = state.readers.acquire().await;
        Some(permit.map_err(|e| AppError::Unexpected(e.into()))?)
    } else {
        None
    };
    let judged = web::block(move || service::judge(prepared, &policy))
        .await
        .map_err(AppError::from)?;
    drop(turn);
    idempotency::respond(
        &pool,
        keyed,
        move |conn| {
            let ran = service::record_judged(conn, &judged, actor, &key)?;
            // Just run: nothing it compared has changed since.
            let mut data = resource(&ran.verification, &ran.checks, &[]);
            if !can_read {
                // What the document says about the applicant is for keys that may read it.
                data.attributes.extracted = None;
            }
            let concerns = idempotency::Concerns {
                session: Some(ran.verification.session_id),
                account: None,
            };
            idempotency::created(&Document { data }, concerns)
        },
        ApiError::from,
    )
    .await
}

/// One verification with its checks.
#[utoipa::path(
    get,
    path = "/v1/identity/verifications/{id}",
    operation_id = "getVerification",
    tag = "verifications",
    summary = "Get a verification with its checks",
    description = "Needs the `sessions:read` permission, and counts as a read of its session.",
    security(("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The resource id"),
    ),
    responses(
        (status = 200, description = "The verification", body = Document<Resource<VerificationAttributes, VerificationRelationships>>, content_type = "application/vnd.api+json"),
        crate::api::responses::ReadErrors,
    ),
)]
#[get("/verifications/{id}")]
pub async fn show(
    auth: Authorized<grant::SessionsRead>,
    pool: web::Data<DbPool>,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let fingerprints = fingerprint_key(&state);
    let (data, session) = db::with_conn(&pool, move |conn| {
        let v = store::find(conn, id)?.ok_or(AppError::NotFound("verification"))?;
        let mut all = with_checks(conn, std::slice::from_ref(&v), &fingerprints)?;
        let data = all.pop().ok_or(AppError::NotFound("verification"))?;
        Ok((data, v.session_id))
    })
    .await?;
    reads::api_session_data_read(&state.reads, auth.key.id, [session]);
    Ok(envelope::respond(StatusCode::OK, &Document { data }))
}
