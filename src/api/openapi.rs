//! The OpenAPI 3.1 document of the Identity API, derived from the handlers' `#[utoipa::path]`
//! attributes and the request and response types themselves, served without a key at
//! `GET /v1/openapi.json`.

use actix_web::{HttpResponse, get};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{accounts, auth, documents, sessions, verifications};

/// Adds the `X-Api-Key` security scheme every route uses.
struct ApiKeyScheme;

impl Modify for ApiKeyScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                auth::HEADER,
                "An API key (`sk_<env>_<random>`) created by an admin in the dashboard; each route needs one `resource:action` permission.",
            ))),
        );
    }
}

/// The Identity API's OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Session Desk Identity API",
        description = "JSON:API over `/v1/identity`: accounts, sessions, documents and verifications, authenticated by `X-Api-Key`."
    ),
    paths(
        accounts::create,
        accounts::list,
        accounts::show,
        sessions::crud::create,
        sessions::list::list,
        sessions::crud::show,
        sessions::crud::update,
        sessions::actions::start,
        sessions::actions::submit,
        sessions::actions::approve,
        sessions::actions::decline,
        sessions::actions::mark_for_review,
        sessions::actions::expire,
        crate::api::redaction::redact_session,
        crate::api::redaction::redact_account,
        documents::create::create_idv,
        documents::create::create_address,
        documents::files::upload,
        documents::show,
        verifications::create,
        verifications::list::list,
        verifications::show,
    ),
    components(schemas(super::error::ErrorDocument)),
    modifiers(&ApiKeyScheme),
    security(("api_key" = [])),
)]
pub struct ApiDoc;

/// The document as JSON.
pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// `GET /v1/openapi.json`: the document, to anyone.
#[get("/v1/openapi.json")]
pub async fn serve() -> HttpResponse {
    HttpResponse::Ok().json(document())
}
