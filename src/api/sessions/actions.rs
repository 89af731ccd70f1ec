//! The lifecycle actions: `start` (with the device), `submit`, `approve`, `decline` and
//! `expire`; `mark-for-review`, with its reason codes, is in [`super::review`]. Each is one
//! call into `service::transitions` (start via `service::devices`, which adds the device in
//! the same transaction); a status that does not allow the action is a 409 naming the
//! status.

use super::resource::{SessionAttributes, SessionRelationships};
use crate::api::envelope::Resource;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, post, web};
use serde::Deserialize;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{
    KnownFormat, ObjectBuilder, OneOfBuilder, Schema, SchemaFormat, Type,
};
use uuid::Uuid;

use super::resource::for_reader;
use super::with_links;
use crate::api::auth::{Authorized, grant};
use crate::api::body::OptionalJsonApi;
use crate::api::envelope::{self, Document};
use crate::api::error::ApiError;
use crate::api::schema;
use crate::db::{self, DbPool};
use crate::domain::actor::Actor;
use crate::domain::kinds::DeclineReason;
use crate::domain::status::Action;
use crate::error::AppError;
use crate::http::client::client_ip;
use crate::service::devices::{self, DeviceInput};
use crate::service::transitions::{self, Request};
use crate::store::sessions::Session;

/// `POST .../start` body (optional).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartDocument {
    /// The device.
    pub data: StartData,
}

/// The device's resource object.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartData {
    /// Must be `session_device`.
    #[serde(rename = "type")]
    #[schema(schema_with = device_type_schema)]
    pub kind: String,
    /// What the client knows of the device.
    #[serde(default)]
    pub attributes: DeviceAttributes,
}

/// A device as the client describes it; the request's own address and `User-Agent` fill in
/// `ip` and `user_agent` when they are not given. Every member is optional; null or blank
/// is the same as absent.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeviceAttributes {
    /// The applicant's address, when the caller relays it.
    #[schema(schema_with = ip_schema)]
    pub ip: Option<String>,
    /// The browser's user agent.
    #[schema(schema_with = user_agent_schema)]
    pub user_agent: Option<String>,
    /// `web`, `ios`, `android` or `other`.
    #[schema(schema_with = platform_schema)]
    pub platform: Option<String>,
    /// The browser's name.
    #[schema(schema_with = browser_schema)]
    pub browser: Option<String>,
    /// The operating system.
    #[schema(schema_with = os_schema)]
    pub os: Option<String>,
    /// `desktop`, `mobile`, `tablet` or `other`.
    #[schema(schema_with = device_kind_schema)]
    pub device_type: Option<String>,
    /// A language tag (`sv-SE`).
    #[schema(schema_with = language_schema)]
    pub language: Option<String>,
    /// The screen size, `WxH`.
    #[schema(schema_with = screen_schema)]
    pub screen: Option<String>,
}

fn device_type_schema() -> RefOr<Schema> {
    schema::string_enum(&["session_device"], false, "Must be `session_device`.")
}

fn ip_schema() -> RefOr<Schema> {
    let format = |f: KnownFormat| {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(f)))
    };
    let blank = ObjectBuilder::new()
        .schema_type(Type::String)
        .max_length(Some(0));
    OneOfBuilder::new()
        .item(ObjectBuilder::new().schema_type(Type::Null))
        .item(format(KnownFormat::Ipv4))
        .item(format(KnownFormat::Ipv6))
        .item(blank)
        .description(Some(
            "The applicant's IPv4 or IPv6 address, when the caller relays it; else the request's own address is recorded.",
        ))
        .into()
}

fn user_agent_schema() -> RefOr<Schema> {
    schema::text(
        1000,
        true,
        "The browser's user agent; the request's `User-Agent` when absent.",
    )
}

fn platform_schema() -> RefOr<Schema> {
    let mut values = devices::PLATFORMS.to_vec();
    values.push("");
    schema::string_enum(&values, true, "`web`, `ios`, `android` or `other`.")
}

fn browser_schema() -> RefOr<Schema> {
    schema::text(100, true, "The browser's name.")
}

fn os_schema() -> RefOr<Schema> {
    schema::text(100, true, "The operating system.")
}

fn device_kind_schema() -> RefOr<Schema> {
    let mut values = devices::DEVICE_TYPES.to_vec();
    values.push("");
    schema::string_enum(&values, true, "`desktop`, `mobile`, `tablet` or `other`.")
}

fn language_schema() -> RefOr<Schema> {
    schema::text(35, true, "A language tag (`sv-SE`).")
}

fn screen_schema() -> RefOr<Schema> {
    schema::text(20, true, "The screen size, `WxH` (`1920x1080`).")
}

/// `POST .../approve` and `.../decline` body, as both are read. Optional, and so is its
/// `data`: an empty body or `{}` approves without a comment, or declines with reason
/// `other`, as clients written for the seed API send them.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionDocument {
    /// The decision.
    #[serde(default)]
    pub data: Option<DecisionData>,
}

/// The decision's resource object.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionData {
    /// Must be `decision`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Reason and comment.
    #[serde(default)]
    pub attributes: DecisionAttributes,
}

/// What a decision carries.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionAttributes {
    /// A decline's reason code, `other` when absent or null; refused for an approval.
    pub reason: Option<DeclineReason>,
    /// Optional, at most 2000 characters.
    pub comment: Option<String>,
}

// The OpenAPI document describes the two decisions apart: an approval takes no reason, a
// decline needs one. Both bodies are read as a `DecisionDocument`; these types only
// describe them (serde's attributes give their schemas `additionalProperties: false`).

/// `POST .../approve` body (optional).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct ApproveDocument {
    /// The approval.
    data: ApproveData,
}

/// An approval's resource object.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct ApproveData {
    /// Must be `decision`.
    #[serde(rename = "type")]
    #[schema(schema_with = decision_type_schema)]
    kind: String,
    /// An optional comment.
    #[serde(default)]
    attributes: ApproveAttributes,
}

/// What an approval carries: a comment at most.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct ApproveAttributes {
    /// Must be null or absent: only a decline carries a reason.
    #[serde(default)]
    #[schema(schema_with = no_reason_schema)]
    reason: Option<()>,
    /// The reviewer's comment.
    #[serde(default)]
    #[schema(schema_with = comment_schema)]
    comment: Option<String>,
}

/// `POST .../decline` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct DeclineDocument {
    /// The decline.
    data: DeclineData,
}

/// A decline's resource object.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct DeclineData {
    /// Must be `decision`.
    #[serde(rename = "type")]
    #[schema(schema_with = decision_type_schema)]
    kind: String,
    /// The reason code, and an optional comment.
    #[serde(default)]
    attributes: DeclineAttributes,
}

/// What a decline carries.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct DeclineAttributes {
    /// Why the session is declined; `other` when absent or null.
    #[serde(default)]
    reason: Option<DeclineReason>,
    /// The reviewer's comment.
    #[serde(default)]
    #[schema(schema_with = comment_schema)]
    comment: Option<String>,
}

fn no_reason_schema() -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::Null)
        .description(Some("Null or absent: only a decline carries a reason."))
        .into()
}

fn decision_type_schema() -> RefOr<Schema> {
    schema::string_enum(&["decision"], false, "Must be `decision`.")
}

fn comment_schema() -> RefOr<Schema> {
    schema::comment(
        transitions::MAX_COMMENT,
        "The reviewer's comment; null or blank for none.",
    )
}

/// Runs `f` and answers with the session it returns (its personal data withheld unless
/// `can_read`); a refused transition is a 409 whose detail names the current status.
async fn run_action(
    pool: &DbPool,
    can_read: bool,
    f: impl FnOnce(&mut diesel::PgConnection) -> Result<Session, AppError> + Send + 'static,
) -> Result<HttpResponse, ApiError> {
    let resource = db::with_conn(pool, move |conn| {
        let session = f(conn)?;
        Ok(for_reader(with_links(conn, &session)?, can_read))
    })
    .await
    .map_err(|e| match e {
        AppError::Conflict(message) => ApiError::new(
            StatusCode::CONFLICT,
            "invalid_transition",
            message.to_string(),
        ),
        other => other.into(),
    })?;
    Ok(envelope::respond(
        StatusCode::OK,
        &Document { data: resource },
    ))
}

pub(super) async fn plain(
    pool: &DbPool,
    can_read: bool,
    id: Uuid,
    request: Request,
) -> Result<HttpResponse, ApiError> {
    run_action(pool, can_read, move |conn| {
        transitions::apply(conn, id, &request)
    })
    .await
}

pub(super) fn check_type(kind: &str, expected: &str) -> Result<(), ApiError> {
    if kind == expected {
        Ok(())
    } else {
        Err(ApiError::mismatch(
            "/data/type",
            format!("data.type must be {expected}"),
        ))
    }
}

fn header_user_agent(req: &HttpRequest) -> Option<String> {
    let ua = req.headers().get(header::USER_AGENT)?.to_str().ok()?;
    let ua: String = ua.chars().filter(|c| !c.is_control()).take(1000).collect();
    Some(ua).filter(|v| !v.trim().is_empty())
}

/// Starts the session and records the device it was started from.
#[utoipa::path(
    post,
    path = "/v1/identity/sessions/{id}/start",
    operation_id = "startSession",
    tag = "sessions",
    summary = "Start a session, recording its device",
    description = "Needs the `sessions:write` permission.",
    security(("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The resource id"),
    ),
    request_body(content = Option<StartDocument>, content_type = "application/vnd.api+json"),
    responses(
        (status = 200, description = "The started session", body = Document<Resource<SessionAttributes, SessionRelationships>>, content_type = "application/vnd.api+json",
            links(
                ("getSession" = (operation_id = "getSession", parameters(("id" = "$response.body#/data/id")))),
                ("updateSession" = (operation_id = "updateSession", parameters(("id" = "$response.body#/data/id")))),
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
#[post("/sessions/{id}/start")]
pub async fn start(
    auth: Authorized<grant::SessionsWrite>,
    pool: web::Data<DbPool>,
    path: web::Path<Uuid>,
    req: HttpRequest,
    body: OptionalJsonApi<StartDocument>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let attributes = match body.0 {
        Some(doc) => {
            check_type(&doc.data.kind, "session_device")?;
            doc.data.attributes
        }
        None => DeviceAttributes::default(),
    };
    let peer = client_ip(&req);
    let device = DeviceInput {
        ip: attributes
            .ip
            .or_else(|| (peer != "unknown").then_some(peer)),
        user_agent: attributes.user_agent.or_else(|| header_user_agent(&req)),
        platform: attributes.platform,
        browser: attributes.browser,
        os: attributes.os,
        device_type: attributes.device_type,
        language: attributes.language,
        screen: attributes.screen,
    };
    let actor = auth.actor();
    run_action(&pool, auth.can_read_sessions(), move |conn| {
        devices::start(conn, id, &device, actor)
    })
    .await
}

/// Submits the session for processing.
#[utoipa::path(
    post,
    path = "/v1/identity/sessions/{id}/submit",
    operation_id = "submitSession",
    tag = "sessions",
    summary = "Submit a started session",
    description = "Needs the `sessions:write` permission.",
    security(("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The resource id"),
    ),
    responses(
        (status = 200, description = "The submitted session", body = Document<Resource<SessionAttributes, SessionRelationships>>, content_type = "application/vnd.api+json",
            links(
                ("getSession" = (operation_id = "getSession", parameters(("id" = "$response.body#/data/id")))),
                ("updateSession" = (operation_id = "updateSession", parameters(("id" = "$response.body#/data/id")))),
                ("approveSession" = (operation_id = "approveSession", parameters(("id" = "$response.body#/data/id")))),
                ("declineSession" = (operation_id = "declineSession", parameters(("id" = "$response.body#/data/id")))),
                ("markSessionForReview" = (operation_id = "markSessionForReview", parameters(("id" = "$response.body#/data/id")))),
                ("expireSession" = (operation_id = "expireSession", parameters(("id" = "$response.body#/data/id")))),
                ("redactSession" = (operation_id = "redactSession", parameters(("id" = "$response.body#/data/id")))),
            ),
        ),
        crate::api::responses::ActionErrors,
    ),
)]
#[post("/sessions/{id}/submit")]
pub async fn submit(
    auth: Authorized<grant::SessionsWrite>,
    pool: web::Data<DbPool>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    plain(
        &pool,
        auth.can_read_sessions(),
        path.into_inner(),
        Request::new(Action::Submit, auth.actor()),
    )
    .await
}

fn decision(
    body: Option<DecisionDocument>,
    action: Action,
    actor: Actor,
) -> Result<Request, ApiError> {
    let attributes = match body.and_then(|doc| doc.data) {
        Some(data) => {
            check_type(&data.kind, "decision")?;
            data.attributes
        }
        None => DecisionAttributes::default(),
    };
    let mut request = Request::new(action, actor);
    request.reason = match action {
        // A decline always carries a reason code (SPEC section 1): `other` unless named.
        Action::Decline => Some(attributes.reason.unwrap_or(DeclineReason::Other)),
        _ => attributes.reason,
    };
    request.comment = attributes.comment;
    Ok(request)
}

/// Approves the session, with an optional comment.
#[utoipa::path(
    post,
    path = "/v1/identity/sessions/{id}/approve",
    operation_id = "approveSession",
    tag = "sessions",
    summary = "Approve a session",
    description = "Needs the `sessions:decide` permission. When the latest verification of a required kind failed, or is stale (entered data it compared changed since), the approval overrides it and needs a `comment` giving the reason: without one the answer is a 422 on `/data/attributes/comment` naming the checks, and nothing is written.",
    security(("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The resource id"),
    ),
    request_body(content = Option<ApproveDocument>, content_type = "application/vnd.api+json"),
    responses(
        (status = 200, description = "The approved session", body = Document<Resource<SessionAttributes, SessionRelationships>>, content_type = "application/vnd.api+json"),
        crate::api::responses::WriteErrors,
    ),
)]
#[post("/sessions/{id}/approve")]
pub async fn approve(
    auth: Authorized<grant::SessionsDecide>,
    pool: web::Data<DbPool>,
    state: web::Data<crate::app::AppState>,
    path: web::Path<Uuid>,
    body: OptionalJsonApi<DecisionDocument>,
) -> Result<HttpResponse, ApiError> {
    let request = decision(body.0, Action::Approve, auth.actor())?;
    let key = crate::api::verifications::fingerprint_key(&state);
    let id = path.into_inner();
    run_action(&pool, auth.can_read_sessions(), move |conn| {
        crate::service::overrides::approve(conn, id, &request, &key)
    })
    .await
}

/// Declines the session with a reason code and an optional comment.
#[utoipa::path(
    post,
    path = "/v1/identity/sessions/{id}/decline",
    operation_id = "declineSession",
    tag = "sessions",
    summary = "Decline a session with a reason code",
    description = "Needs the `sessions:decide` permission. The body is optional: without one, with `{}`, or without `reason`, the decline is recorded with reason `other`. A reason outside the list is a 422 on `/data/attributes/reason`.",
    security(("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The resource id"),
    ),
    request_body(content = Option<DeclineDocument>, content_type = "application/vnd.api+json"),
    responses(
        (status = 200, description = "The declined session", body = Document<Resource<SessionAttributes, SessionRelationships>>, content_type = "application/vnd.api+json"),
        crate::api::responses::WriteErrors,
    ),
)]
#[post("/sessions/{id}/decline")]
pub async fn decline(
    auth: Authorized<grant::SessionsDecide>,
    pool: web::Data<DbPool>,
    path: web::Path<Uuid>,
    body: OptionalJsonApi<DecisionDocument>,
) -> Result<HttpResponse, ApiError> {
    let request = decision(body.0, Action::Decline, auth.actor())?;
    plain(&pool, auth.can_read_sessions(), path.into_inner(), request).await
}

/// Expires an open session now.
#[utoipa::path(
    post,
    path = "/v1/identity/sessions/{id}/expire",
    operation_id = "expireSession",
    tag = "sessions",
    summary = "Expire an open session",
    description = "Needs the `sessions:write` permission.",
    security(("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The resource id"),
    ),
    responses(
        (status = 200, description = "The expired session", body = Document<Resource<SessionAttributes, SessionRelationships>>, content_type = "application/vnd.api+json"),
        crate::api::responses::ActionErrors,
    ),
)]
#[post("/sessions/{id}/expire")]
pub async fn expire(
    auth: Authorized<grant::SessionsWrite>,
    pool: web::Data<DbPool>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    plain(
        &pool,
        auth.can_read_sessions(),
        path.into_inner(),
        Request::new(Action::Expire, auth.actor()),
    )
    .await
}
