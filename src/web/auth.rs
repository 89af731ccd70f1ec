//! Who is asking: the `CurrentUser` extractor, checked on every request against the
//! database (or this instance's copy of it, which no change made anywhere outlives: see
//! [`super::known_users`]), and one guard per role level (SPEC section 5).

use std::future::Future;
use std::pin::Pin;

use actix_session::SessionExt;
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, HttpResponse, ResponseError, web};
use uuid::Uuid;

use super::alerts::{self, Alerts};
use super::cookie::{self, AuthState};
use super::known_users::{Known, UserCache};
use super::sessions::counts::{self, CountsCache};
use crate::app::AppState;
use crate::db::{self, DbPool};
use crate::domain::actor::Worker;
use crate::domain::kinds::Role;
use crate::error::AppError;
use crate::store::users;
use crate::web::error::PageError;

/// The signed-in dashboard user, as the database says they are right now.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    /// The user's id.
    pub id: Uuid,
    /// Sign-in name.
    pub username: String,
    /// Name shown in the dashboard.
    pub display_name: String,
    /// Their role.
    pub role: Role,
    /// What every page must tell them (the admins' banner), read with them.
    pub alerts: Alerts,
    /// Whether single-key shortcuts work for them (a setting at `/account`).
    pub shortcuts: bool,
}

impl CurrentUser {
    /// Reviewers and admins work cases: edit, decide, see document images.
    pub fn can_work_cases(&self) -> bool {
        self.role.works_cases()
    }

    /// Managers and admins oversee queues and assign anyone.
    pub fn can_oversee(&self) -> bool {
        self.role.oversees()
    }

    /// The user as the domain's rules on working a case see them.
    pub fn worker(&self) -> Worker {
        Worker {
            id: self.id,
            role: self.role,
        }
    }

    /// Admins manage users, keys, redaction and the audit log.
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// Managers see personal data masked.
    pub fn sees_masked_data(&self) -> bool {
        self.role == Role::Manager
    }
}

/// A request that needs a signed-in user but has none: the browser is sent to the login
/// page, with the page it asked for remembered (GET only).
#[derive(Debug, thiserror::Error)]
#[error("sign-in required")]
pub struct SignInRequired {
    next: Option<String>,
}

impl ResponseError for SignInRequired {
    fn status_code(&self) -> actix_web::http::StatusCode {
        actix_web::http::StatusCode::SEE_OTHER
    }

    fn error_response(&self) -> HttpResponse {
        let location = match &self.next {
            Some(next) => format!(
                "/login?next={}",
                url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
            ),
            None => "/login".to_owned(),
        };
        HttpResponse::SeeOther()
            .insert_header((header::LOCATION, location))
            .finish()
    }
}

/// Either a redirect to sign in or an application error.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// No valid sign-in.
    #[error(transparent)]
    SignIn(#[from] SignInRequired),
    /// Signed in, but the database failed.
    #[error(transparent)]
    App(#[from] AppError),
    /// Signed in, but the role does not allow it: the page saying so, in the product's
    /// layout with its navigation, rendered while the request was at hand.
    #[error("forbidden")]
    Role(String),
}

/// The 403 page for a signed-in user whose role lacks what the page needs.
#[derive(askama::Template)]
#[template(path = "forbidden.html")]
struct ForbiddenPage {
    page: super::page::Page,
    needed: &'static str,
}

/// The answer to `user` opening a page meant for `needed` ("reviewers and admins").
fn forbidden(req: &HttpRequest, user: &CurrentUser, needed: &'static str) -> AuthError {
    use askama::Template;
    let page = super::page::Page::new(&req.get_session(), Some(user), "", "Not allowed");
    match (ForbiddenPage { page, needed }).render() {
        Ok(html) => AuthError::Role(html),
        Err(_) => AuthError::App(AppError::Forbidden),
    }
}

impl ResponseError for AuthError {
    fn status_code(&self) -> actix_web::http::StatusCode {
        match self {
            AuthError::SignIn(e) => e.status_code(),
            AuthError::App(e) => e.status(),
            AuthError::Role(_) => actix_web::http::StatusCode::FORBIDDEN,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            AuthError::SignIn(e) => e.error_response(),
            AuthError::App(e) => PageError::render(e),
            AuthError::Role(html) => HttpResponse::Forbidden()
                .insert_header(("Cache-Control", "no-store"))
                .content_type("text/html; charset=utf-8")
                .body(html.clone()),
        }
    }
}

fn sign_in_required(req: &HttpRequest) -> SignInRequired {
    let next =
        (req.method() == actix_web::http::Method::GET).then(|| match req.uri().path_and_query() {
            Some(pq) => pq.as_str().to_owned(),
            None => req.path().to_owned(),
        });
    SignInRequired { next }
}

async fn current_user(req: HttpRequest) -> Result<CurrentUser, AuthError> {
    let session = req.get_session();
    let Some(state) = cookie::auth(&session) else {
        return Err(sign_in_required(&req).into());
    };
    let app = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| AppError::Unexpected(anyhow::anyhow!("application state is missing")))?;
    let pool = req
        .app_data::<web::Data<DbPool>>()
        .ok_or_else(|| AppError::Unexpected(anyhow::anyhow!("database pool is missing")))?;
    let now = chrono::Utc::now().timestamp();
    let absolute = app.config.absolute_timeout.as_secs() as i64;
    let idle = app.config.idle_timeout.as_secs() as i64;
    // Whole seconds: a sign-in has ended once its limit is reached.
    let lifetime_over = now - state.iat >= absolute;
    if lifetime_over || now - state.seen >= idle {
        // A new, empty session rather than a purged one: a purged session drops the
        // message saying why the user must sign in again.
        session.clear();
        session.renew();
        let message = if lifetime_over {
            format!(
                "Your sign-in ended {} after it began. Please sign in again.",
                span(absolute)
            )
        } else {
            format!("You were signed out after {} without activity.", span(idle))
        };
        cookie::flash(&session, "info", message);
        return Err(sign_in_required(&req).into());
    }
    let uid = state.uid;
    let epoch = state.epoch;
    let cache = req.app_data::<web::Data<CountsCache>>().cloned();
    let users_cache = req.app_data::<web::Data<UserCache>>().cloned();
    let wrote = counts::wrote_at(&session);
    let source = alerts::source(
        cache.as_ref().map(|c| c.get_ref()),
        req.method() == actix_web::http::Method::GET,
        wrote,
    );
    // Remembered and still current (see `UserCache`): no round trip to the database,
    // unless an admin's banner must be counted.
    let remembered = users_cache
        .as_ref()
        .and_then(|c| c.get(uid, wrote))
        .and_then(|u| match alerts::known(source) {
            _ if u.role != Role::Admin => Some((Some(u), None)),
            Some(a) => Some((Some(u), Some((a, None)))),
            None => None,
        });
    let (user, alerts) = match remembered {
        Some(found) => found,
        None => {
            let stamp = users_cache.as_ref().map(|c| c.stamp());
            let found = db::with_conn(pool, move |conn| {
                let user = users::find(conn, uid)?.map(Known::from);
                // Admins only, in the same connection: the banner costs no extra round trip.
                let alerts = match &user {
                    Some(u) if u.role == Role::Admin => Some(alerts::load(conn, source)?),
                    _ => None,
                };
                Ok((user, alerts))
            })
            .await?;
            if let (Some(c), Some(stamp), Some(u)) = (&users_cache, stamp, &found.0) {
                c.put(uid, stamp, u.clone());
            }
            found
        }
    };
    let Some(user) = user.filter(|u| !u.disabled && u.session_epoch == epoch) else {
        session.purge();
        return Err(sign_in_required(&req).into());
    };
    let alerts = match alerts {
        Some((alerts, counted)) => {
            if let Some(n) = counted {
                alerts::remember(cache.as_ref().map(|c| c.get_ref()), source, n);
            }
            alerts
        }
        None => Alerts::default(),
    };
    // Refresh the idle clock at most once a minute, to spare a new cookie per request.
    if now - state.seen >= 60 {
        cookie::set_auth(&session, &AuthState { seen: now, ..state })?;
    }
    Ok(CurrentUser {
        id: uid,
        username: user.username,
        display_name: user.display_name,
        role: user.role,
        alerts,
        shortcuts: user.shortcuts,
    })
}

impl FromRequest for CurrentUser {
    type Error = AuthError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        Box::pin(current_user(req.clone()))
    }
}

/// The signed-in user, if any, without demanding one (the login page, error pages).
pub struct MaybeUser(pub Option<CurrentUser>);

impl FromRequest for MaybeUser {
    type Error = AuthError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            match current_user(req).await {
                Ok(u) => Ok(MaybeUser(Some(u))),
                Err(AuthError::SignIn(_)) => Ok(MaybeUser(None)),
                Err(e) => Err(e),
            }
        })
    }
}

macro_rules! role_guard {
    ($(#[$meta:meta])* $name:ident, $check:ident, $needed:literal) => {
        $(#[$meta])*
        pub struct $name(pub CurrentUser);

        impl FromRequest for $name {
            type Error = AuthError;
            type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

            fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
                let req = req.clone();
                Box::pin(async move {
                    let user = current_user(req.clone()).await?;
                    if user.$check() { Ok($name(user)) } else { Err(forbidden(&req, &user, $needed)) }
                })
            }
        }
    };
}

role_guard!(
    /// A reviewer or an admin: someone who works cases.
    CaseWorker,
    can_work_cases,
    "reviewers and admins"
);
role_guard!(
    /// A manager or an admin: someone who oversees the queues.
    Overseer,
    can_oversee,
    "managers and admins"
);
role_guard!(
    /// An admin.
    Admin,
    is_admin,
    "admins"
);

/// "30 minutes", "12 hours", "1 second": a timeout as the user is told it.
fn span(seconds: i64) -> String {
    let (n, unit) = if seconds >= 3600 && seconds % 3600 == 0 {
        (seconds / 3600, "hour")
    } else if seconds >= 60 && seconds % 60 == 0 {
        (seconds / 60, "minute")
    } else {
        (seconds, "second")
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_are_told_in_their_largest_whole_unit() {
        assert_eq!(span(30 * 60), "30 minutes");
        assert_eq!(span(12 * 3600), "12 hours");
        assert_eq!(span(3600), "1 hour");
        assert_eq!(span(90), "90 seconds");
        assert_eq!(span(1), "1 second");
    }
}
