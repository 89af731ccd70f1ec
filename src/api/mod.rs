//! The Identity API: JSON:API over `/v1/identity`, authenticated by `X-Api-Key`
//! ([`auth`]), with one file per resource. Handlers parse the request into domain types,
//! check the key's permission, and call the same services as the dashboard.
//!
//! Every request that cannot be read (malformed JSON, unknown members, wrong types, bad
//! ids, bad cursors, oversized bodies) is a 4xx JSON:API error pointing at what is wrong,
//! decided before any write.

pub mod accounts;
pub mod auth;
pub mod body;
pub mod documents;
pub mod envelope;
pub mod error;
pub mod idempotency;
pub mod methods;
pub mod openapi;
pub mod paging;
pub mod redaction;
pub mod responses;
pub mod schema;
pub mod session_devices;
pub mod sessions;
pub mod verifications;
pub mod webhooks;

use actix_web::web;

use self::error::ApiError;

/// The API: its OpenAPI document and, under `/v1/identity`, its routes behind the
/// [`auth::authenticate`] middleware; beside `web::configure` for the dashboard.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(openapi::serve).service(
        web::scope(SCOPE)
            .wrap(actix_web::middleware::from_fn(auth::authenticate))
            .configure(|cfg| methods::configure(cfg, SCOPE))
            .configure(identity),
    );
}

/// Where the API's routes live.
pub const SCOPE: &str = "/v1/identity";

/// The API's routes and request limits, inside the `/v1/identity` scope.
fn identity(cfg: &mut web::ServiceConfig) {
    cfg.app_data(web::PayloadConfig::new(body::MAX_JSON_BYTES))
        .app_data(
            web::JsonConfig::default()
                .limit(body::MAX_JSON_BYTES)
                .content_type(|mime| {
                    mime.essence_str() == "application/vnd.api+json"
                        || mime.essence_str() == "application/json"
                })
                .error_handler(error::json_config_error),
        )
        .app_data(web::QueryConfig::default().error_handler(error::query_config_error))
        .app_data(web::PathConfig::default().error_handler(error::path_config_error))
        .service(accounts::create)
        .service(accounts::list)
        .service(accounts::show)
        .service(sessions::crud::create)
        .service(sessions::list::list)
        .service(sessions::crud::show)
        .service(sessions::crud::update)
        .service(sessions::actions::start)
        .service(sessions::actions::submit)
        .service(sessions::actions::approve)
        .service(sessions::actions::decline)
        .service(sessions::review::mark_for_review)
        .service(sessions::actions::expire)
        .service(sessions::capture::create)
        .service(sessions::resubmission::request)
        .service(redaction::redact_session)
        .service(redaction::redact_account)
        .service(session_devices::show)
        .service(documents::list::list)
        .service(documents::create::create_idv)
        .service(documents::create::create_address)
        .service(documents::files::upload)
        .service(documents::show)
        .service(verifications::create)
        .service(verifications::list::list)
        .service(verifications::show)
        .service(webhooks::endpoints::create)
        .service(webhooks::endpoints::list)
        .service(webhooks::endpoints::show)
        .service(webhooks::endpoints::update)
        .service(webhooks::endpoints::remove)
        .service(webhooks::endpoints::rotate_secret)
        .service(webhooks::deliveries::list)
        .service(webhooks::deliveries::show)
        .service(webhooks::deliveries::redeliver)
        .default_service(web::to(not_found));
}

async fn not_found() -> Result<actix_web::HttpResponse, ApiError> {
    Err(ApiError::new(
        actix_web::http::StatusCode::NOT_FOUND,
        "not_found",
        "No such route in the Identity API.",
    ))
}
