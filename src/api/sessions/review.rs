//! `POST /v1/identity/sessions/{id}/mark-for-review`: marks a completed or failed session
//! for a reviewer's attention, with an optional reason code from a fixed list.

use actix_web::{HttpResponse, post, web};
use serde::Deserialize;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::Schema;
use uuid::Uuid;

use super::actions::{check_type, plain};
use super::resource::{SessionAttributes, SessionRelationships};
use crate::api::auth::{Authorized, grant};
use crate::api::body::OptionalJsonApi;
use crate::api::envelope::{Document, Resource};
use crate::api::error::ApiError;
use crate::api::schema;
use crate::db::DbPool;
use crate::domain::kinds::ReviewReason;
use crate::service::transitions::Request;

/// `POST .../mark-for-review` body as it is read: optional, and so is its `data` (`{}`
/// marks without a reason).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewBody {
    /// The mark; absent or null marks without a reason.
    #[serde(default)]
    pub data: Option<ReviewData>,
}

/// `POST .../mark-for-review` body (optional), as the OpenAPI document describes it: why
/// the session is marked. Read as a [`ReviewBody`].
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct ReviewDocument {
    /// The mark.
    data: ReviewData,
}

/// A mark for review's resource object.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewData {
    /// Must be `review`.
    #[serde(rename = "type")]
    #[schema(schema_with = review_type_schema)]
    pub kind: String,
    /// The reason code.
    #[serde(default)]
    pub attributes: ReviewAttributes,
}

/// What a mark for review carries: a reason code from a fixed list, never free text, so
/// that the `session.marked_for_review` event holds no personal data.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewAttributes {
    /// `glare`, `blurry_photo`, `data_mismatch`, `document_expired`, `suspected_fraud`,
    /// `needs_second_opinion` or `other`; null or absent for none.
    #[serde(default)]
    #[schema(schema_with = review_reason_schema)]
    pub reason: Option<ReviewReason>,
}

fn review_type_schema() -> RefOr<Schema> {
    schema::string_enum(&["review"], false, "Must be `review`.")
}

fn review_reason_schema() -> RefOr<Schema> {
    let codes: Vec<&str> = ReviewReason::ALL.iter().map(|r| r.as_str()).collect();
    schema::string_enum(
        &codes,
        true,
        "Why the session is marked for review, as a code; null or absent for none.",
    )
}

/// Marks a completed or failed session for a reviewer's attention.
#[utoipa::path(
    post,
    path = "/v1/identity/sessions/{id}/mark-for-review",
    operation_id = "markSessionForReview",
    tag = "sessions",
    summary = "Mark a session for review",
    description = "Needs the `sessions:decide` permission. The body is optional: `data.attributes.reason` may name why, as one of the codes `glare`, `blurry_photo`, `data_mismatch`, `document_expired`, `suspected_fraud`, `needs_second_opinion`, `other` (recorded as the `session.marked_for_review` event's `reason` and shown in words on the queue). Any other value is a 422 on `/data/attributes/reason`, and nothing is written.",
    security(("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The resource id"),
    ),
    request_body(content = Option<ReviewDocument>, content_type = "application/vnd.api+json"),
    responses(
        (status = 200, description = "The session", body = Document<Resource<SessionAttributes, SessionRelationships>>, content_type = "application/vnd.api+json",
            links(
                ("getSession" = (operation_id = "getSession", parameters(("id" = "$response.body#/data/id")))),
                ("updateSession" = (operation_id = "updateSession", parameters(("id" = "$response.body#/data/id")))),
                ("approveSession" = (operation_id = "approveSession", parameters(("id" = "$response.body#/data/id")))),
                ("declineSession" = (operation_id = "declineSession", parameters(("id" = "$response.body#/data/id")))),
                ("expireSession" = (operation_id = "expireSession", parameters(("id" = "$response.body#/data/id")))),
                ("redactSession" = (operation_id = "redactSession", parameters(("id" = "$response.body#/data/id")))),
            ),
        ),
        crate::api::responses::WriteErrors,
    ),
)]
#[post("/sessions/{id}/mark-for-review")]
pub async fn mark_for_review(
    auth: Authorized<grant::SessionsDecide>,
    pool: web::Data<DbPool>,
    path: web::Path<Uuid>,
    body: OptionalJsonApi<ReviewBody>,
) -> Result<HttpResponse, ApiError> {
    let reason = match body.0.and_then(|doc| doc.data) {
        Some(data) => {
            check_type(&data.kind, "review")?;
            data.attributes.reason
        }
        None => None,
    };
    plain(
        &pool,
        auth.can_read_sessions(),
        path.into_inner(),
        Request::mark_for_review(auth.actor(), reason),
    )
    .await
}
