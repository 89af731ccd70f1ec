//! `POST /v1/identity/sessions/{id}/request-resubmission` (`sessions:decide`): asks the
//! applicant for a better photo of one document (SPEC section 7). The session goes back to
//! `started` and a new capture link asks for that document; the answer carries the link,
//! shown this once. The `session.resubmission_requested` webhook names the document and
//! the reason, never the link: deliveries are stored, and a token is kept only as its hash.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, post, web};
use serde::{Deserialize, Serialize};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::Schema;
use uuid::Uuid;

use super::actions::check_type;
use crate::api::auth::{Authorized, grant};
use crate::api::body::JsonApi;
use crate::api::envelope::{self, Document};
use crate::api::error::ApiError;
use crate::api::schema;
use crate::app::AppState;
use crate::db::{self, DbPool};
use crate::domain::capture::ResubmissionReason;
use crate::http::client::public_base;
use crate::service::capture::{self, ResubmissionInput};

/// The request body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResubmissionDocument {
    /// The request.
    pub data: ResubmissionData,
}

/// The request's resource object.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResubmissionData {
    /// Must be `resubmission_request`.
    #[serde(rename = "type")]
    #[schema(schema_with = type_schema)]
    pub kind: String,
    /// What to ask for.
    pub attributes: ResubmissionAttributes,
}

/// What the reviewer asks for.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResubmissionAttributes {
    /// The id of the session's document to replace.
    pub document: Uuid,
    /// `blurry`, `glare`, `cut_off`, `wrong_document`, `expired_document` or `other`.
    #[schema(schema_with = reason_schema)]
    pub reason: String,
    /// Words for the applicant (at most 1,000 characters), shown on their page; kept apart
    /// from internal notes and erased by redaction.
    #[serde(default)]
    #[schema(schema_with = message_schema)]
    pub message: Option<String>,
}

fn type_schema() -> RefOr<Schema> {
    schema::string_enum(
        &["resubmission_request"],
        false,
        "Must be `resubmission_request`.",
    )
}

fn reason_schema() -> RefOr<Schema> {
    let codes: Vec<&str> = ResubmissionReason::ALL.iter().map(|r| r.as_str()).collect();
    schema::string_enum(&codes, false, "Why the document is asked for again.")
}

fn message_schema() -> RefOr<Schema> {
    schema::text(capture::MAX_MESSAGE, true, "Words for the applicant.")
}

/// A stored request, as answered.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ResubmissionResource {
    /// Always `resubmission_request`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Its id.
    pub id: Uuid,
    /// What was asked, and the link.
    pub attributes: ResubmissionOut,
}

/// A request's fields and the new capture link.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ResubmissionOut {
    /// The session.
    pub session: Uuid,
    /// The document to replace.
    pub document: Uuid,
    /// The reason code.
    pub reason: &'static str,
    /// The message to the applicant.
    pub message: Option<String>,
    /// When it was asked.
    pub created_at: String,
    /// The new capture link's address, shown this once.
    pub capture_link_url: String,
    /// When the link stops working.
    pub capture_link_expires_at: String,
}

/// Sends a session back to its applicant for a better photo of one document.
#[utoipa::path(
    post,
    path = "/v1/identity/sessions/{id}/request-resubmission",
    operation_id = "requestResubmission",
    tag = "sessions",
    summary = "Ask the applicant for a better photo",
    description = "Needs the `sessions:decide` permission. From `completed`, `failed` or `marked_for_review` the session goes back to `started` (transition `request_resubmission`) and a new capture link asks the applicant to replace that one document; the earlier files stay as superseded evidence. At most `MAX_RESUBMISSIONS` (default 3) per session: then a 409. A document of another session is a 404.",
    security(("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The resource id"),
    ),
    request_body(content = ResubmissionDocument, content_type = "application/vnd.api+json"),
    responses(
        (status = 201, description = "The request, with the new capture link", body = Document<ResubmissionResource>, content_type = "application/vnd.api+json"),
        crate::api::responses::WriteErrors,
    ),
)]
#[post("/sessions/{id}/request-resubmission")]
pub async fn request(
    auth: Authorized<grant::SessionsDecide>,
    pool: web::Data<DbPool>,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    req: HttpRequest,
    body: JsonApi<ResubmissionDocument>,
) -> Result<HttpResponse, ApiError> {
    let session = path.into_inner();
    let data = body.0.data;
    check_type(&data.kind, "resubmission_request")?;
    let a = data.attributes;
    let reason = capture::parse_reason(&a.reason).map_err(|e| {
        ApiError::invalid("/data/attributes/reason", format!("reason: {}", e.message))
            .parameter("reason")
    })?;
    let message = capture::parse_message(a.message.as_deref()).map_err(|e| {
        ApiError::invalid(
            "/data/attributes/message",
            format!("message: {}", e.message),
        )
        .parameter("message")
    })?;
    let input = ResubmissionInput {
        document_id: a.document,
        reason,
        message,
    };
    let actor = auth.actor();
    let hours = state.config.capture_link_hours;
    let max = state.config.max_resubmissions;
    let (issued, stored) = db::with_conn(&pool, move |conn| {
        capture::request_resubmission(conn, session, &input, actor, hours, max)
    })
    .await?;
    let body = Document {
        data: ResubmissionResource {
            kind: "resubmission_request",
            id: stored.id,
            attributes: ResubmissionOut {
                session,
                document: stored.document_id,
                reason: stored.reason.as_str(),
                message: stored.message,
                created_at: envelope::timestamp(stored.created_at),
                capture_link_url: capture::url(
                    &public_base(state.config.public_url.as_deref(), &req),
                    &issued.token,
                ),
                capture_link_expires_at: envelope::timestamp(issued.link.expires_at),
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
