//! Who is calling the API: [`authenticate`] checks the `X-Api-Key` of every request to the
//! API scope before anything else runs, and [`Authorized`] makes each handler name the
//! permission it needs.
//!
//! The key is checked in a middleware rather than in an extractor because actix polls a
//! handler's extractors side by side: a bad path or body would otherwise be reported
//! before a missing key, telling an anonymous caller how a request is shaped.

use std::future::{Ready, ready};
use std::marker::PhantomData;
use std::sync::Arc;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest, ResponseError, web};

use super::error::ApiError;
use crate::app::changes::Changes;
use crate::app::fresh::Fresh;
use crate::db::{self, DbPool};
use crate::domain::actor::Actor;
use crate::domain::kinds::Permission;
use crate::error::AppError;
use crate::http::client::client_ip;
use crate::service::api_keys::{self, Authenticated, AuthenticatedKey};
use crate::service::reads;

/// The header that carries the secret.
pub const HEADER: &str = "X-Api-Key";

/// The keys this instance accepted lately, by the hash of their secret, so that most API
/// requests skip a round trip (and a thread) for the key. Reused under
/// [`crate::app::fresh`]'s rule, following the `api_keys` generation: a key revoked,
/// changed or used on any instance makes every entry stale as soon as its notice arrives,
/// and nothing is reused while the change listener is down. An entry serves only while the
/// key's use is recorded within the minute ([`Authenticated::use_is_recorded`]), so
/// `last_used_at` is kept as before. Unknown and revoked keys are never remembered: each
/// such request goes to the database and its event.
pub struct KeyCache(Fresh<Vec<u8>, Authenticated>);

impl KeyCache {
    /// A cache following the `api_keys` generation of `changes`.
    pub fn new(changes: Arc<Changes>) -> Self {
        KeyCache(Fresh::new(
            changes,
            Changes::keys,
            std::time::Duration::from_secs(60),
            4096,
        ))
    }
}

async fn check(req: &ServiceRequest) -> Result<AuthenticatedKey, ApiError> {
    let secret = req
        .headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
        .ok_or(AppError::Unauthenticated)?;
    let cache = req.app_data::<web::Data<KeyCache>>().cloned();
    let hash = api_keys::hash(&secret);
    let now = chrono::Utc::now();
    let known = cache.as_ref().and_then(|c| c.0.get(&hash, None));
    if let Some(known) = known.filter(|k| k.use_is_recorded(now)) {
        return Ok(known.key);
    }
    let pool = req
        .app_data::<web::Data<DbPool>>()
        .ok_or_else(|| AppError::Unexpected(anyhow::anyhow!("database pool is missing")))?
        .clone();
    let ip = client_ip(req.request());
    let stamp = cache.as_ref().map(|c| c.0.stamp());
    let accepted = db::with_conn(&pool, move |conn| {
        api_keys::authenticate(conn, &secret, &ip)
    })
    .await?;
    if let (Some(cache), Some(stamp)) = (cache, stamp) {
        cache.0.put(hash, stamp, accepted.clone());
    }
    Ok(accepted.key)
}

/// Middleware of the API scope: a request without a valid, unrevoked key is answered 401
/// here and reaches no handler; an accepted key is left in the request for [`ApiKey`].
pub async fn authenticate(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    match check(&req).await {
        Ok(key) => {
            let id = key.id;
            req.extensions_mut().insert(key);
            let response = next.call(req).await?;
            let missing = response
                .request()
                .extensions()
                .get::<MissingPermission>()
                .copied();
            if let Some(MissingPermission(permission)) = missing {
                record_forbidden(response.request(), id, permission).await;
            }
            Ok(response.map_into_left_body())
        }
        Err(e) => {
            let response = e.error_response();
            Ok(req.into_response(response).map_into_right_body())
        }
    }
}

/// Left in the request by [`Authorized`] when it refused the key, so that [`authenticate`]
/// records the refusal (an extractor cannot wait for the database before answering).
#[derive(Debug, Clone, Copy)]
struct MissingPermission(Permission);

/// A 403 is answered whatever happens here: failing to record it is logged, not the
/// caller's problem.
async fn record_forbidden(req: &HttpRequest, key: uuid::Uuid, permission: Permission) {
    let Some(pool) = req.app_data::<web::Data<DbPool>>().cloned() else {
        return;
    };
    let ip = client_ip(req);
    let recorded = db::with_conn(&pool, move |conn| {
        reads::api_forbidden(conn, key, permission, &ip)
    })
    .await;
    if let Err(e) = recorded {
        tracing::error!(error = %e, "could not record a refused API request");
    }
}

/// The authenticated key of this request, whatever its permissions.
#[derive(Debug, Clone)]
pub struct ApiKey(pub AuthenticatedKey);

impl ApiKey {
    /// The actor that services and events record.
    pub fn actor(&self) -> Actor {
        Actor::ApiKey(self.0.id)
    }
}

fn key_of(req: &HttpRequest) -> Result<AuthenticatedKey, ApiError> {
    req.extensions()
        .get::<AuthenticatedKey>()
        .cloned()
        .ok_or_else(|| ApiError::from(AppError::Unauthenticated))
}

impl FromRequest for ApiKey {
    type Error = ApiError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(key_of(req).map(ApiKey))
    }
}

/// A permission a route needs, as a type, so that the handler's signature says it.
pub trait Grant {
    /// The permission.
    const PERMISSION: Permission;
}

/// The request's key, known to hold `G`'s permission; 403 otherwise. Put it first among a
/// handler's arguments so that it is decided before the path and the body are read.
#[derive(Debug, Clone)]
pub struct Authorized<G: Grant> {
    /// The key.
    pub key: AuthenticatedKey,
    _grant: PhantomData<G>,
}

impl<G: Grant> Authorized<G> {
    /// The actor that services and events record.
    pub fn actor(&self) -> Actor {
        Actor::ApiKey(self.key.id)
    }

    /// Whether the key may read sessions: a write answered to a key that may not carries
    /// no personal data back.
    pub fn can_read_sessions(&self) -> bool {
        self.key.can(Permission::SessionsRead)
    }
}

impl<G: Grant> FromRequest for Authorized<G> {
    type Error = ApiError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(key_of(req).and_then(|key| {
            if key.can(G::PERMISSION) {
                Ok(Authorized {
                    key,
                    _grant: PhantomData,
                })
            } else {
                req.extensions_mut()
                    .insert(MissingPermission(G::PERMISSION));
                Err(ApiError::new(
                    StatusCode::FORBIDDEN,
                    "forbidden",
                    format!(
                        "This API key lacks the {} permission this request needs.",
                        G::PERMISSION
                    ),
                ))
            }
        }))
    }
}

/// One marker type per permission, for [`Authorized`].
pub mod grant {
    use super::Grant;
    use crate::domain::kinds::Permission;

    macro_rules! grants {
        ($($(#[$meta:meta])* $name:ident),+ $(,)?) => {
            $(
                $(#[$meta])*
                #[derive(Debug, Clone, Copy)]
                pub struct $name;

                impl Grant for $name {
                    const PERMISSION: Permission = Permission::$name;
                }
            )+
        };
    }

    grants!(
        /// `accounts:read`
        AccountsRead,
        /// `accounts:write`
        AccountsWrite,
        /// `sessions:read`
        SessionsRead,
        /// `sessions:write`
        SessionsWrite,
        /// `sessions:decide`
        SessionsDecide,
        /// `sessions:redact`
        SessionsRedact,
        /// `documents:write`
        DocumentsWrite,
        /// `verifications:write`
        VerificationsWrite,
        /// `webhooks:manage`
        WebhooksManage,
    );
}
