//! Redaction over the API (`sessions:redact`): `POST /v1/identity/sessions/{id}/redact`
//! answers the session, `POST /v1/identity/accounts/{id}/redact` the account after its
//! own personal data and every one of its sessions are gone. Repeating either succeeds and
//! changes nothing. Account redaction needs `sessions:redact` alone: it is the erasure
//! permission, and an account holds nothing personal that its sessions do not.

use super::accounts::{AccountAttributes, AccountRelationships};
use super::sessions::resource::{SessionAttributes, SessionRelationships};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, post, web};
use uuid::Uuid;

use super::auth::{Authorized, grant};
use super::envelope::{self, Document, Resource};
use super::error::ApiError;
use super::sessions::with_links;
use crate::db::{self, DbPool};
use crate::service::redaction;

/// Redacts a session's personal data.
#[utoipa::path(
    post,
    path = "/v1/identity/sessions/{id}/redact",
    operation_id = "redactSession",
    tag = "sessions",
    summary = "Redact a session's personal data",
    description = "Needs the `sessions:redact` permission. In one transaction, removes the person, contact, address and identity number, the decision comment, the device, the documents' MRZ, reported and extracted fields, the files' bytes and names, the verifications' extracted data and check reasons, and the notes' text; keeps status, timestamps, decision, reason code and the audit trail. Any status may be redacted; repeating it succeeds and changes nothing. Afterwards every write to the session is a 409.",
    security(("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The resource id"),
    ),
    responses(
        (status = 200, description = "The redacted session: its personal-data objects are null and `redacted_at` is set", body = Document<Resource<SessionAttributes, SessionRelationships>>, content_type = "application/vnd.api+json"),
        crate::api::responses::ReadErrors,
    ),
)]
#[post("/sessions/{id}/redact")]
pub async fn redact_session(
    auth: Authorized<grant::SessionsRedact>,
    pool: web::Data<DbPool>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let actor = auth.actor();
    let data = db::with_conn(&pool, move |conn| {
        let redacted = redaction::redact_session(conn, id, actor)?;
        with_links(conn, &redacted.session)
    })
    .await?;
    Ok(envelope::respond(StatusCode::OK, &Document { data }))
}

/// Redacts an account and every one of its sessions.
#[utoipa::path(
    post,
    path = "/v1/identity/accounts/{id}/redact",
    operation_id = "redactAccount",
    tag = "accounts",
    summary = "Redact an account and all its sessions",
    description = "Needs the `sessions:redact` permission. In one transaction, clears the account's `external_id` and redacts every one of its sessions as `POST /v1/identity/sessions/{id}/redact` does. No session can be created for a redacted account (409). Repeating it succeeds and changes nothing.",
    security(("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The resource id"),
    ),
    responses(
        (status = 200, description = "The redacted account: `external_id` is null and `redacted_at` is set", body = Document<Resource<AccountAttributes, AccountRelationships>>, content_type = "application/vnd.api+json"),
        crate::api::responses::ReadErrors,
    ),
)]
#[post("/accounts/{id}/redact")]
pub async fn redact_account(
    auth: Authorized<grant::SessionsRedact>,
    pool: web::Data<DbPool>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let actor = auth.actor();
    let redacted = db::with_conn(&pool, move |conn| {
        redaction::redact_account(conn, id, actor)
    })
    .await?;
    Ok(envelope::respond(
        StatusCode::OK,
        &Document {
            data: super::accounts::resource(&redacted.account),
        },
    ))
}
