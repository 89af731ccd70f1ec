//! The second factor in the dashboard: the half-signed-in step after a correct password
//! (`/login/code`, and `/login/enrol` when the role requires a factor the user lacks), and
//! enrolment from `/account/mfa`. Until the code step succeeds the cookie holds only a
//! short-lived pending marker, never a sign-in, so no other page opens.
//!
//! Each page has its own file; what they share lives here: the pending marker (written by
//! [`second_step`], read by both sign-in steps), the code form, and the enrolment and
//! recovery-code pages that both ways of enrolling show.

pub mod account;
pub mod login_code;
pub mod login_enrol;

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::auth::CurrentUser;
use super::cookie;
use super::page::{self, Page};
use crate::app::AppState;
use crate::config::RequireMfa;
use crate::db::{self, DbPool};
use crate::domain::person::FieldError;
use crate::error::AppError;
use crate::service::mfa::{self as service, SecondStep};
use crate::store::users::{self, User};
use crate::web::error::PageError;

const PENDING_KEY: &str = "mfa_pending";
/// How long the code step may take after the password.
const CODE_STEP_SECS: i64 = 5 * 60;
/// How long a required enrolment may take after the password (scanning takes a moment).
const ENROL_STEP_SECS: i64 = 15 * 60;

/// A password accepted, a second step outstanding: what the cookie holds in between.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Pending {
    uid: Uuid,
    epoch: i32,
    /// When the password was accepted, Unix seconds.
    at: i64,
    /// The page to go to afterwards (already checked by `safe_next`).
    next: String,
    /// Enrolment is required before anything else.
    enrol: bool,
}

fn pending(session: &Session, enrol: bool) -> Option<Pending> {
    let p = session.get::<Pending>(PENDING_KEY).ok().flatten()?;
    let limit = if p.enrol {
        ENROL_STEP_SECS
    } else {
        CODE_STEP_SECS
    };
    let fresh = chrono::Utc::now().timestamp() - p.at < limit;
    (fresh && p.enrol == enrol).then_some(p)
}

fn back_to_login(session: &Session) -> HttpResponse {
    session.clear();
    session.renew();
    cookie::flash(
        session,
        "info",
        "Please sign in again: the second step was not completed in time.",
    );
    page::see_other("/login")
}

/// The `REQUIRE_MFA` setting of this server.
fn required(req: &HttpRequest) -> RequireMfa {
    req.app_data::<web::Data<AppState>>()
        .map_or(RequireMfa::Admin, |s| s.config.require_mfa)
}

/// For the password step: whether a user still owes a second factor (one they have, or
/// one their role requires them to set up), so that the password alone is audited as
/// accepted rather than as a sign-in. The same rule as [`second_step`].
pub fn owes_second_factor(req: &HttpRequest) -> impl FnOnce(&User) -> bool + Send + 'static {
    let required = required(req);
    move |user: &User| user.totp_enabled_at.is_some() || required.applies_to(user.role)
}

/// After a correct password: whether sign-in needs a code or an enrolment first. If it does,
/// the session holds only the pending marker and the answer sends the browser to that step;
/// `None` means the caller completes the sign-in.
pub async fn second_step(
    req: &HttpRequest,
    session: &Session,
    user: &User,
    next: &str,
) -> Result<Option<HttpResponse>, AppError> {
    let required = required(req);
    let pool = req
        .app_data::<web::Data<DbPool>>()
        .ok_or_else(|| AppError::Unexpected(anyhow::anyhow!("database pool is missing")))?;
    let must = required.applies_to(user.role);
    let uid = user.id;
    let step = db::with_conn(pool, move |conn| service::second_step(conn, uid, must)).await?;
    let (enrol, to) = match step {
        SecondStep::None => return Ok(None),
        SecondStep::Code => (false, "/login/code"),
        SecondStep::Enrol => (true, "/login/enrol"),
    };
    session.clear();
    session.renew();
    session
        .insert(
            PENDING_KEY,
            Pending {
                uid,
                epoch: user.session_epoch,
                at: chrono::Utc::now().timestamp(),
                next: next.to_owned(),
                enrol,
            },
        )
        .map_err(|e| AppError::Unexpected(anyhow::anyhow!("cannot write the session: {e}")))?;
    cookie::rotate_csrf_token(session);
    Ok(Some(page::see_other(to)))
}

/// The half-finished sign-in of the step `enrol` names, with its user, if it may still go
/// on: the marker is fresh, and the user is still enabled at the same session epoch.
async fn half_signed_in(
    session: &Session,
    pool: &DbPool,
    enrol: bool,
) -> Result<Option<(Pending, User)>, AppError> {
    let Some(p) = pending(session, enrol) else {
        return Ok(None);
    };
    let (uid, epoch) = (p.uid, p.epoch);
    let user = db::with_conn(pool, move |conn| Ok(users::find(conn, uid)?)).await?;
    Ok(user
        .filter(|u| !u.disabled && u.session_epoch == epoch)
        .map(|u| (p, u)))
}

/// A code typed into a form: at sign-in (from the app, or a recovery code), or confirming
/// an enrolment.
#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

#[derive(Template)]
#[template(path = "mfa/enrol.html")]
struct EnrolPage {
    page: Page,
    /// The half-signed-in variant, on the sign-in layout.
    signin: bool,
    action: &'static str,
    secret: String,
    qr_svg: String,
    error: Option<String>,
}

/// The QR code of `url` for the authenticator app.
fn qr_svg(url: &str) -> Result<String, AppError> {
    crate::web::qr::svg(url, "totp-qr", "QR code for your authenticator app")
}

/// The enrolment page for `secret`: on the sign-in layout when `user` is `None` (a required
/// enrolment), on the account layout otherwise.
fn enrol_page(
    session: &Session,
    user: Option<&CurrentUser>,
    username: &str,
    secret: &str,
    error: Option<String>,
) -> Result<EnrolPage, AppError> {
    let url = service::otpauth_url(secret, username)?;
    Ok(EnrolPage {
        page: Page::new(session, user, "", "Set up two-step sign-in"),
        signin: user.is_none(),
        action: if user.is_some() {
            "/account/mfa/confirm"
        } else {
            "/login/enrol"
        },
        secret: secret.to_owned(),
        qr_svg: qr_svg(&url)?,
        error,
    })
}

/// The enrolment page again, as 422, after the confirming code was refused for `errors`.
async fn confirm_refused(
    session: &Session,
    pool: &DbPool,
    user: Option<&CurrentUser>,
    uid: Uuid,
    username: &str,
    errors: &[FieldError],
) -> Result<HttpResponse, PageError> {
    let secret = db::with_conn(pool, move |conn| service::pending_secret(conn, uid))
        .await?
        .unwrap_or_default();
    let message = errors.first().map(|e| format!("The code {}.", e.message));
    page::render_status(
        StatusCode::UNPROCESSABLE_ENTITY,
        &enrol_page(session, user, username, &secret, message)?,
    )
}

#[derive(Template)]
#[template(path = "mfa/recovery.html")]
struct RecoveryPage {
    page: Page,
    signin: bool,
    codes: Vec<String>,
    next: String,
}

/// The recovery codes, shown once after a confirmed enrolment, with a link on to `next`;
/// on the sign-in layout when `user` is `None`.
fn recovery_page(
    session: &Session,
    user: Option<&CurrentUser>,
    codes: Vec<String>,
    next: String,
) -> Result<HttpResponse, PageError> {
    page::render(&RecoveryPage {
        page: Page::new(session, user, "", "Your recovery codes"),
        signin: user.is_none(),
        codes,
        next,
    })
}
