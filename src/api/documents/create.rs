//! `POST /v1/identity/documents/idvs` and `/addresses` (`documents:write`): a document for
//! a session, with optional MRZ text (ID) or reported fields (address).

use super::{DocumentAttributes, DocumentRelationships};
use crate::api::envelope::Resource;
use actix_web::{HttpRequest, HttpResponse, post, web};
use chrono::Utc;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaType, Type};

use super::with_files;
use crate::api::auth::{Authorized, grant};
use crate::api::body::JsonApi;
use crate::api::envelope::Document;
use crate::api::error::ApiError;
use crate::api::idempotency::{self, IdempotencyKey};
use crate::api::schema;
use crate::api::sessions::crud::RelationshipIn;
use crate::api::sessions::input::{AddressIn, PersonalData};
use crate::api::sessions::resource::AddressOut;
use crate::db::DbPool;
use crate::domain::kinds::DocumentKind;
use crate::domain::person::{self, FieldError};
use crate::error::AppError;
use crate::service::documents::{
    self as service, KIND_ADDRESS, KIND_IDV, MAX_MRZ_CHARS, NewDocumentInput, document_types,
    parse_document_type,
};
use crate::service::person as person_service;
use crate::store::sessions::PersonData;

/// `POST /v1/identity/documents/...` body, as both routes read it (the OpenAPI document
/// describes each route's apart: [`CreateIdvDocument`], [`CreateAddressDocument`]).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateDocumentDocument {
    /// The new document.
    pub data: CreateDocumentData,
}

/// The new document's resource object.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateDocumentData {
    /// `document/idv` or `document/address`, as the path says.
    #[serde(rename = "type")]
    pub kind: String,
    /// Its attributes.
    pub attributes: CreateDocumentAttributes,
    /// The session, required.
    pub relationships: CreateDocumentRelationships,
}

/// What a document is created with.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateDocumentAttributes {
    /// A type of the document's kind.
    pub document_type: String,
    /// MRZ text: ID documents only.
    #[serde(default)]
    pub mrz: Option<String>,
    /// Fields read by the capture client: address documents only.
    #[serde(default)]
    pub reported: Option<ReportedIn>,
}

/// An address document's reported fields.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportedIn {
    /// The addressee's name.
    #[serde(default)]
    pub name: Option<String>,
    /// The address, shaped like a session's.
    #[serde(default)]
    pub address: Option<AddressIn>,
    /// The issue date, `YYYY-MM-DD`.
    #[serde(default)]
    pub issued_on: Option<String>,
}

/// A new document's links.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateDocumentRelationships {
    /// The session it belongs to.
    pub session: RelationshipIn,
}

// What the OpenAPI document says of the two routes' bodies: each takes its own kind, its
// own document types, and the member of its kind (`mrz` or `reported`); both are read as a
// `CreateDocumentDocument`. Serde's attributes give the schemas `additionalProperties:
// false`; these types are never read.

/// `POST /v1/identity/documents/idvs` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct CreateIdvDocument {
    /// The new ID document.
    data: IdvDocumentData,
}

/// A new ID document's resource object.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct IdvDocumentData {
    /// Must be `document/idv`.
    #[serde(rename = "type")]
    #[schema(schema_with = idv_type)]
    kind: String,
    /// Its attributes.
    attributes: IdvDocumentAttributes,
    /// The session, required.
    relationships: DocumentRelationshipsIn,
}

/// What an ID document is created with.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct IdvDocumentAttributes {
    /// The type of ID document.
    #[schema(schema_with = idv_types)]
    document_type: String,
    /// The machine-readable zone, as read by the capture client (optional: the engine
    /// reads it from the front photo).
    #[serde(default)]
    #[schema(schema_with = mrz_schema)]
    mrz: Option<String>,
    /// Null or absent: only address documents carry reported fields.
    #[serde(default)]
    #[schema(schema_with = null_only)]
    reported: Option<()>,
}

/// `POST /v1/identity/documents/addresses` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct CreateAddressDocument {
    /// The new address document.
    data: AddressDocumentData,
}

/// A new address document's resource object.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct AddressDocumentData {
    /// Must be `document/address`.
    #[serde(rename = "type")]
    #[schema(schema_with = address_type)]
    kind: String,
    /// Its attributes.
    attributes: AddressDocumentAttributes,
    /// The session, required.
    relationships: DocumentRelationshipsIn,
}

/// What an address document is created with.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct AddressDocumentAttributes {
    /// The type of proof of address.
    #[schema(schema_with = address_types)]
    document_type: String,
    /// Null or absent: only ID documents carry an MRZ.
    #[serde(default)]
    #[schema(schema_with = null_only)]
    mrz: Option<()>,
    /// Fields read by the capture client.
    #[serde(default)]
    reported: Option<ReportedSchema>,
}

/// An address document's reported fields, each optional.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct ReportedSchema {
    /// The addressee's name.
    #[serde(default)]
    #[schema(schema_with = reported_name)]
    name: Option<String>,
    /// The address, shaped (and checked) like a session's.
    #[serde(default)]
    address: Option<AddressIn>,
    /// The issue date.
    #[serde(default)]
    #[schema(schema_with = issued_on)]
    issued_on: Option<String>,
}

/// A new document's session.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct DocumentRelationshipsIn {
    /// The session it belongs to.
    #[schema(schema_with = session_link)]
    session: RelationshipIn,
}

fn idv_type() -> RefOr<Schema> {
    schema::string_enum(&[KIND_IDV.as_str()], false, "Must be `document/idv`.")
}

fn address_type() -> RefOr<Schema> {
    schema::string_enum(
        &[KIND_ADDRESS.as_str()],
        false,
        "Must be `document/address`.",
    )
}

fn types_of(kind: DocumentKind, description: &str) -> RefOr<Schema> {
    let types: Vec<&str> = document_types(kind).iter().map(|t| t.as_str()).collect();
    schema::string_enum(&types, false, description)
}

fn idv_types() -> RefOr<Schema> {
    types_of(KIND_IDV, "The type of ID document.")
}

fn address_types() -> RefOr<Schema> {
    types_of(KIND_ADDRESS, "The type of proof of address.")
}

fn mrz_schema() -> RefOr<Schema> {
    // `\r\n` counts as one line break; line breaks and spaces around the text are dropped.
    let around = "(?:\\r?\\n| )*";
    let unit = "(?:[A-Z0-9<]|\\r?\\n)";
    let pattern = format!(
        "^{around}(?:[A-Z0-9<](?:{unit}{{0,{}}}[A-Z0-9<])?)?{around}$",
        MAX_MRZ_CHARS - 2
    );
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
        .pattern(Some(pattern))
        .description(Some(format!(
            "The machine-readable zone: at most {MAX_MRZ_CHARS} characters of `A-Z`, `0-9`, `<` and line breaks, once line breaks and spaces around it are dropped; null or blank for none. Optional: the engine reads the zone from the front photo, and when one is sent as well, `mrz_matches_image` compares the two."
        )))
        .into()
}

fn null_only() -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::Null)
        .description(Some(
            "Null or absent: the other kind of document carries this member.",
        ))
        .into()
}

fn reported_name() -> RefOr<Schema> {
    schema::text(100, true, "The addressee's name.")
}

fn issued_on() -> RefOr<Schema> {
    schema::date_through_today(
        false,
        true,
        "The issue date, `YYYY-MM-DD`, from 1900-01-01 to today.",
    )
}

fn session_link() -> RefOr<Schema> {
    schema::link(
        &[crate::api::sessions::resource::TYPE],
        "The session it belongs to; a missing one is a 404.",
    )
}

/// Validates reported fields into the JSON stored; errors name `reported.*`.
fn parse_reported(r: &ReportedIn) -> Result<Value, Vec<FieldError>> {
    let today = Utc::now().date_naive();
    let mut errors = Vec::new();
    let mut out = Map::new();
    if let Some(raw) = &r.name {
        match person::name("reported.name", raw) {
            Ok(v) => {
                out.insert("name".into(), json!(v));
            }
            Err(e) => errors.push(e),
        }
    }
    if let Some(a) = &r.address {
        // The session address's rules, member by member; what passes is stored in the
        // resource's shape.
        let sent = PersonalData {
            address: Some(Some(a.clone())),
            ..PersonalData::default()
        };
        match person_service::parse(&sent.to_form(), today) {
            Ok(c) => {
                let parsed = c.applied_to(&PersonData::default());
                out.insert("address".into(), json!(AddressOut::of(&parsed)));
            }
            Err(es) => errors.extend(
                es.into_iter()
                    .map(|e| FieldError::new(format!("reported.{}", e.field), e.message)),
            ),
        }
    }
    if let Some(raw) = &r.issued_on {
        match service::parse_issued_on(raw, today) {
            Ok(d) => {
                out.insert("issued_on".into(), json!(d.format("%Y-%m-%d").to_string()));
            }
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(Value::Object(out))
    } else {
        Err(errors)
    }
}

/// Checks a create request for `kind` into the service's input.
fn parse(kind: DocumentKind, doc: CreateDocumentDocument) -> Result<NewDocumentInput, ApiError> {
    let data = doc.data;
    if data.kind != kind.as_str() {
        return Err(ApiError::mismatch(
            "/data/type",
            format!("data.type must be {kind}"),
        ));
    }
    let session = data.relationships.session.data;
    if session.kind != crate::api::sessions::resource::TYPE {
        return Err(ApiError::mismatch(
            "/data/relationships/session/data/type",
            "the session relationship must link a session",
        ));
    }
    let a = data.attributes;
    let mut errors = Vec::new();
    let document_type = parse_document_type(kind, &a.document_type)
        .map_err(|e| errors.push(e))
        .ok();
    let mut mrz = None;
    if let Some(raw) = &a.mrz {
        if kind != KIND_IDV {
            errors.push(FieldError::new("mrz", "only ID documents carry an MRZ"));
        } else {
            match service::parse_mrz(raw) {
                Ok(v) => mrz = v,
                Err(e) => errors.push(e),
            }
        }
    }
    let mut reported = None;
    if let Some(r) = &a.reported {
        if kind != KIND_ADDRESS {
            errors.push(FieldError::new(
                "reported",
                "only address documents carry reported fields",
            ));
        } else {
            match parse_reported(r) {
                Ok(v) => reported = Some(v),
                Err(es) => errors.extend(es),
            }
        }
    }
    let Some(document_type) = document_type.filter(|_| errors.is_empty()) else {
        return Err(AppError::Validation(errors).into());
    };
    Ok(NewDocumentInput {
        session_id: session.id,
        kind,
        document_type,
        mrz,
        reported,
    })
}

async fn create(
    kind: DocumentKind,
    auth: Authorized<grant::DocumentsWrite>,
    idempotency: IdempotencyKey,
    pool: web::Data<DbPool>,
    req: HttpRequest,
    body: JsonApi<CreateDocumentDocument>,
) -> Result<HttpResponse, ApiError> {
    let JsonApi(doc, raw) = body;
    let input = parse(kind, doc)?;
    let keyed = idempotency.scope(auth.key.id, &req, &raw);
    let actor = auth.actor();
    idempotency::respond(
        &pool,
        keyed,
        move |conn| {
            let document = service::create(conn, &input, actor)?;
            let data = with_files(conn, &document)?;
            let concerns = idempotency::Concerns {
                session: Some(document.session_id),
                account: None,
            };
            idempotency::created(&Document { data }, concerns)
        },
        ApiError::from,
    )
    .await
}

/// Creates an ID document (`document/idv`) for a session.
#[utoipa::path(
    post,
    path = "/v1/identity/documents/idvs",
    operation_id = "createIdvDocument",
    tag = "documents",
    summary = "Create an identity document for a session",
    description = "Needs the `documents:write` permission.",
    security(("api_key" = [])),
    params(
        crate::api::idempotency::IdempotencyHeader,
    ),
    request_body(content = CreateIdvDocument, content_type = "application/vnd.api+json"),
    responses(
        (status = 201, description = "The new document", body = Document<Resource<DocumentAttributes, DocumentRelationships>>, content_type = "application/vnd.api+json",
            headers(
                ("Location" = String, description = "The new resource's path"),
                ("Idempotent-Replayed" = Option<String>, description = "`true` when this is the stored response of an earlier request with the same `Idempotency-Key`"),
            ),
            links(
                ("getDocument" = (operation_id = "getDocument", parameters(("id" = "$response.body#/data/id")))),
                ("uploadDocumentFile" = (operation_id = "uploadDocumentFile", parameters(("id" = "$response.body#/data/id")))),
                ("getSession" = (operation_id = "getSession", parameters(("id" = "$response.body#/data/relationships/session/data/id")))),
                ("createVerification" = (operation_id = "createVerification", request_body = json!({"data": {"type": "verification/idv", "relationships": {"document": {"data": {"type": "document/idv", "id": "$response.body#/data/id"}}, "session": {"data": {"type": "session", "id": "$response.body#/data/relationships/session/data/id"}}}}}))),
            ),
        ),
        crate::api::responses::CreateErrors,
    ),
)]
#[post("/documents/idvs")]
pub async fn create_idv(
    auth: Authorized<grant::DocumentsWrite>,
    idempotency: IdempotencyKey,
    pool: web::Data<DbPool>,
    req: HttpRequest,
    body: JsonApi<CreateDocumentDocument>,
) -> Result<HttpResponse, ApiError> {
    create(KIND_IDV, auth, idempotency, pool, req, body).await
}

/// Creates a proof-of-address document (`document/address`) for a session.
#[utoipa::path(
    post,
    path = "/v1/identity/documents/addresses",
    operation_id = "createAddressDocument",
    tag = "documents",
    summary = "Create an address document for a session",
    description = "Needs the `documents:write` permission.",
    security(("api_key" = [])),
    params(
        crate::api::idempotency::IdempotencyHeader,
    ),
    request_body(content = CreateAddressDocument, content_type = "application/vnd.api+json"),
    responses(
        (status = 201, description = "The new document", body = Document<Resource<DocumentAttributes, DocumentRelationships>>, content_type = "application/vnd.api+json",
            headers(
                ("Location" = String, description = "The new resource's path"),
                ("Idempotent-Replayed" = Option<String>, description = "`true` when this is the stored response of an earlier request with the same `Idempotency-Key`"),
            ),
            links(
                ("getDocument" = (operation_id = "getDocument", parameters(("id" = "$response.body#/data/id")))),
                ("uploadDocumentFile" = (operation_id = "uploadDocumentFile", parameters(("id" = "$response.body#/data/id")))),
                ("getSession" = (operation_id = "getSession", parameters(("id" = "$response.body#/data/relationships/session/data/id")))),
                ("createVerification" = (operation_id = "createVerification", request_body = json!({"data": {"type": "verification/address", "relationships": {"document": {"data": {"type": "document/address", "id": "$response.body#/data/id"}}, "session": {"data": {"type": "session", "id": "$response.body#/data/relationships/session/data/id"}}}}}))),
            ),
        ),
        crate::api::responses::CreateErrors,
    ),
)]
#[post("/documents/addresses")]
pub async fn create_address(
    auth: Authorized<grant::DocumentsWrite>,
    idempotency: IdempotencyKey,
    pool: web::Data<DbPool>,
    req: HttpRequest,
    body: JsonApi<CreateDocumentDocument>,
) -> Result<HttpResponse, ApiError> {
    create(KIND_ADDRESS, auth, idempotency, pool, req, body).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern(schema: RefOr<Schema>) -> regex::Regex {
        let RefOr::T(Schema::Object(o)) = schema else {
            panic!("an object schema");
        };
        regex::Regex::new(&o.pattern.unwrap()).unwrap()
    }

    #[test]
    fn the_mrz_pattern_is_what_parse_mrz_takes() {
        let re = pattern(mrz_schema());
        let long = "A".repeat(MAX_MRZ_CHARS);
        let too_long = "A".repeat(MAX_MRZ_CHARS + 1);
        for value in [
            "P<SWEERIKSSON<<ANNA",
            "P<SWE\nAB123<<",
            "P<SWE\r\nAB123<<",
            "\n P<SWE \n",
            "",
            " \n ",
            long.as_str(),
            too_long.as_str(),
            "p<lower",
            "A B",
            "AB\r",
            "A\rB",
        ] {
            assert_eq!(
                re.is_match(value),
                service::parse_mrz(value).is_ok(),
                "{value:?}"
            );
        }
    }
}
