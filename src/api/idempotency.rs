//! The `Idempotency-Key` header of the API's creating POSTs (see
//! [`crate::service::idempotency`]): read and checked here, and the stored response of a
//! retry sent back as it was first sent.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use diesel::PgConnection;
use uuid::Uuid;

use super::envelope::CONTENT_TYPE;
use super::error::ApiError;
use crate::db::{self, DbPool};
use crate::error::AppError;
pub use crate::service::idempotency::Concerns;
use crate::service::idempotency::{self as service, Created, Keyed, MAX_KEY_CHARS, Outcome};

/// The header.
pub const HEADER: &str = "Idempotency-Key";

/// The header as the OpenAPI document describes it; [`IdempotencyKey`] reads it.
#[derive(Debug, utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
pub struct IdempotencyHeader {
    /// Makes a retry with the same key and body return the first response and create
    /// nothing: 1 to 255 visible ASCII characters (spaces inside allowed), kept 24 hours.
    #[param(rename = "Idempotency-Key", value_type = Option<KeyValue>, inline)]
    pub key: Option<String>,
}

/// An `Idempotency-Key` value as the OpenAPI document describes it.
pub struct KeyValue;

impl utoipa::PartialSchema for KeyValue {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some(super::schema::IDEMPOTENCY_KEY_PATTERN))
            .into()
    }
}

impl utoipa::ToSchema for KeyValue {}

/// The request's `Idempotency-Key`, if it sent one; over 255 characters, blank or not
/// visible ASCII is a 400.
#[derive(Debug, Clone)]
pub struct IdempotencyKey(pub Option<String>);

fn parse(req: &HttpRequest) -> Result<IdempotencyKey, ApiError> {
    let Some(value) = req.headers().get(HEADER) else {
        return Ok(IdempotencyKey(None));
    };
    let bad =
        |detail: &str| ApiError::bad_request("invalid_idempotency_key", detail).header(HEADER);
    let text = value
        .to_str()
        .map_err(|_| bad("Idempotency-Key must be visible ASCII text."))?;
    let text = text.trim();
    if text.is_empty() {
        return Err(bad("Idempotency-Key must not be blank."));
    }
    if text.chars().count() > MAX_KEY_CHARS {
        return Err(bad("Idempotency-Key must be at most 255 characters."));
    }
    Ok(IdempotencyKey(Some(text.to_owned())))
}

impl FromRequest for IdempotencyKey {
    type Error = ApiError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(parse(req))
    }
}

impl IdempotencyKey {
    /// The key bound to the calling API key and this request's method, path and `body`.
    pub fn scope(&self, api_key_id: Uuid, req: &HttpRequest, body: &[u8]) -> Option<Keyed> {
        self.0.as_ref().map(|key| Keyed {
            api_key_id,
            key: key.clone(),
            request_hash: service::request_hash(req.method().as_str(), req.path(), body),
        })
    }

    /// [`IdempotencyKey::scope`] with a hash computed elsewhere (a streamed body).
    pub fn scope_with_hash(&self, api_key_id: Uuid, request_hash: String) -> Option<Keyed> {
        self.0.as_ref().map(|key| Keyed {
            api_key_id,
            key: key.clone(),
            request_hash,
        })
    }
}

/// Runs `create` once per key and answers its response (or the stored one): a 201 gets
/// the `Location` of the resource in its body. A key reused for another request is a 422
/// `idempotency_key_reused`; `map_err` turns the create's errors into API errors.
pub async fn respond<F>(
    pool: &DbPool,
    keyed: Option<Keyed>,
    create: F,
    map_err: impl FnOnce(AppError) -> ApiError,
) -> Result<HttpResponse, ApiError>
where
    F: FnOnce(&mut PgConnection) -> Result<Created, AppError> + Send + 'static,
{
    let outcome = db::with_conn(pool, move |conn| {
        service::once(conn, keyed.as_ref(), create)
    })
    .await
    .map_err(map_err)?;
    let (status, body, replayed) = match outcome {
        Outcome::Reused => {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency_key_reused",
                "This Idempotency-Key was used with a different request; use a new key.",
            )
            .header(HEADER));
        }
        Outcome::Redacted(redacted) => {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "conflict",
                redacted.message(),
            ));
        }
        Outcome::Response {
            status,
            body,
            replayed,
        } => (status, body, replayed),
    };
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    let mut builder = HttpResponse::build(status);
    let location = body["data"]["links"]["self"].as_str();
    if let (StatusCode::CREATED, Some(location)) = (status, location) {
        builder.insert_header((LOCATION, location.to_owned()));
    }
    if replayed {
        builder.insert_header(("Idempotent-Replayed", "true"));
    }
    Ok(builder.content_type(CONTENT_TYPE).json(body))
}

/// A 201 with the JSON of `doc`, concerning `concerns`, for [`respond`].
pub fn created<T: serde::Serialize>(doc: &T, concerns: Concerns) -> Result<Created, AppError> {
    Ok(Created {
        status: 201,
        body: serde_json::to_value(doc).map_err(|e| AppError::Unexpected(e.into()))?,
        concerns,
    })
}
