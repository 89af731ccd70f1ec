//! `POST /v1/identity/sessions/{id}/capture-link` (`sessions:write`): a one-time link the
//! applicant follows to complete the session in their browser (SPEC section 7). Its token
//! is in this answer only; a new link revokes the one before.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, post, web};
use serde::Serialize;
use uuid::Uuid;

use crate::api::auth::{Authorized, grant};
use crate::api::envelope::{self, Document};
use crate::api::error::ApiError;
use crate::app::AppState;
use crate::db::{self, DbPool};
use crate::http::client::public_base;
use crate::service::capture;

/// A capture link as the API answers it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CaptureLinkResource {
    /// Always `capture_link`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The link's id (the applicant's actor id in the session's events).
    pub id: Uuid,
    /// Its address and expiry.
    pub attributes: CaptureLinkAttributes,
}

/// What an integrator sends the applicant.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CaptureLinkAttributes {
    /// `<PUBLIC_URL>/c/<token>`: shown this once; only its hash is kept.
    pub url: String,
    /// When it stops working (at the latest when the session expires).
    pub expires_at: String,
}

/// Issues the session's capture link, revoking any earlier one.
#[utoipa::path(
    post,
    path = "/v1/identity/sessions/{id}/capture-link",
    operation_id = "createCaptureLink",
    tag = "sessions",
    summary = "Create the applicant's capture link",
    description = "Needs the `sessions:write` permission. Answers a one-time URL for the hosted capture flow and its expiry (`CAPTURE_LINK_HOURS`, at most the session's own expiry). The token is shown only here; a new link revokes the previous one. A session already submitted, decided, expired or redacted is a 409.",
    security(("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The resource id"),
    ),
    responses(
        (status = 201, description = "The link", body = Document<CaptureLinkResource>, content_type = "application/vnd.api+json"),
        crate::api::responses::ActionErrors,
    ),
)]
#[post("/sessions/{id}/capture-link")]
pub async fn create(
    auth: Authorized<grant::SessionsWrite>,
    pool: web::Data<DbPool>,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let actor = auth.actor();
    let hours = state.config.capture_link_hours;
    let issued = db::with_conn(&pool, move |conn| capture::issue(conn, id, actor, hours)).await?;
    let body = Document {
        data: CaptureLinkResource {
            kind: "capture_link",
            id: issued.link.id,
            attributes: CaptureLinkAttributes {
                url: capture::url(
                    &public_base(state.config.public_url.as_deref(), &req),
                    &issued.token,
                ),
                expires_at: envelope::timestamp(issued.link.expires_at),
            },
        },
    };
    let mut response = envelope::respond(StatusCode::CREATED, &body);
    response.headers_mut().insert(
        actix_web::http::header::CACHE_CONTROL,
        actix_web::http::header::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}
