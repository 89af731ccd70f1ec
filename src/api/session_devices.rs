//! `GET /v1/identity/session-devices/{id}`: the device a session was started from, where
//! the session's `session_device` relationship points. Its address and user agent are
//! the applicant's personal data: reading it needs `sessions:read`, counts as a read of its
//! session, and once the session is redacted every attribute but `created_at` is null.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use uuid::Uuid;

use super::auth::{Authorized, grant};
use super::envelope::{self, Document, Linkage, Resource, SelfLink, ToOne, timestamp};
use super::error::ApiError;
use crate::db::{self, DbPool};
use crate::error::AppError;
use crate::service::reads;
use crate::store::devices::{self as store, Device};

/// Where session devices live.
pub const PATH: &str = "/v1/identity/session-devices";

/// The resource type.
pub const TYPE: &str = "session_device";

/// A device's attributes, as recorded when its session was started; every one but
/// `created_at` may be null (not sent, or redacted).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SessionDeviceAttributes {
    /// The applicant's network address.
    #[schema(required = true)]
    pub ip: Option<String>,
    /// The applicant's browser user agent, at most 1000 characters.
    #[schema(required = true)]
    pub user_agent: Option<String>,
    /// `web`, `ios`, `android` or `other`.
    #[schema(required = true)]
    pub platform: Option<String>,
    /// Browser name.
    #[schema(required = true)]
    pub browser: Option<String>,
    /// Operating system.
    #[schema(required = true)]
    pub os: Option<String>,
    /// `desktop`, `mobile`, `tablet` or `other`.
    #[schema(required = true)]
    pub device_type: Option<String>,
    /// Preferred language tag.
    #[schema(required = true)]
    pub language: Option<String>,
    /// Screen size, `WxH`.
    #[schema(required = true)]
    pub screen: Option<String>,
    /// When it was recorded.
    #[schema(format = DateTime)]
    pub created_at: String,
}

/// What a device links to.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SessionDeviceRelationships {
    /// The session started from it.
    pub session: ToOne,
}

/// A device as sent.
pub type SessionDeviceResource = Resource<SessionDeviceAttributes, SessionDeviceRelationships>;

/// The resource of a device row; with `redacted`, every attribute but `created_at` is null
/// whatever the row still holds.
pub fn resource(d: &Device, redacted: bool) -> SessionDeviceResource {
    let kept = |v: &Option<String>| v.clone().filter(|_| !redacted);
    Resource {
        kind: TYPE,
        id: d.id,
        attributes: SessionDeviceAttributes {
            ip: kept(&d.ip),
            user_agent: kept(&d.user_agent),
            platform: kept(&d.platform),
            browser: kept(&d.browser),
            os: kept(&d.os),
            device_type: kept(&d.device_type),
            language: kept(&d.language),
            screen: kept(&d.screen),
            created_at: timestamp(d.created_at),
        },
        relationships: SessionDeviceRelationships {
            session: ToOne {
                data: Some(Linkage::new(
                    crate::api::sessions::resource::TYPE,
                    d.session_id,
                )),
            },
        },
        links: SelfLink {
            self_: format!("{PATH}/{}", d.id),
        },
    }
}

/// One session device.
#[utoipa::path(
    get,
    path = "/v1/identity/session-devices/{id}",
    operation_id = "getSessionDevice",
    tag = "sessions",
    summary = "Get the device a session was started from",
    description = "Needs the `sessions:read` permission, and counts as a read of its session. The id is the one in a session's `relationships.session_device`. Once the session is redacted every attribute but `created_at` is null.",
    security(("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The resource id"),
    ),
    responses(
        (status = 200, description = "The device", body = Document<Resource<SessionDeviceAttributes, SessionDeviceRelationships>>, content_type = "application/vnd.api+json"),
        crate::api::responses::ReadErrors,
    ),
)]
#[get("/session-devices/{id}")]
pub async fn show(
    auth: Authorized<grant::SessionsRead>,
    pool: web::Data<DbPool>,
    state: web::Data<crate::app::AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let (data, session) = db::with_conn(&pool, move |conn| {
        let device = store::find(conn, id)?.ok_or(AppError::NotFound("session device"))?;
        let redacted = crate::store::sessions::redacted_at(conn, device.session_id)?.is_some();
        Ok((resource(&device, redacted), device.session_id))
    })
    .await?;
    reads::api_session_data_read(&state.reads, auth.key.id, [session]);
    Ok(envelope::respond(StatusCode::OK, &Document { data }))
}
