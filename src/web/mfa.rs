//! The second factor in the dashboard: the half-signed-in step after a correct password
//! (`/login/code`, and `/login/enrol` when the role requires a factor the user lacks), and
//! enrolment from `/account/mfa`. Until the code step succeeds the cookie holds only a
//! short-lived pending marker, never a sign-in, so no other page opens.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::http::header::{HeaderValue, RETRY_AFTER};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::auth::{self, CurrentUser};
use super::csrf::CsrfForm;
use super::page::{self, Page};
use super::session;
use crate::config::RequireMfa;
use crate::db::{self, DbPool};
use crate::domain::actor::Actor;
use crate::domain::kinds::Role;
use crate::error::AppError;
use crate::service::auth::SignInError;
use crate::service::mfa::{self as service, CodeAccepted, SecondStep};
use crate::startup::AppState;
use crate::store::users::{self, User};

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
    session::flash(
        session,
        "info",
        "Please sign in again: the second step was not completed in time.",
    );
    page::see_other("/login")
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
    let required = req
        .app_data::<web::Data<AppState>>()
        .map_or(RequireMfa::Admin, |s| s.config.require_mfa);
    let pool = req
        .app_data::<web::Data<DbPool>>()
        .ok_or_else(|| AppError::Unexpected(anyhow::anyhow!("database pool is missing")))?;
    let role: Role = user
        .role
        .parse()
        .map_err(|_| AppError::Unexpected(anyhow::anyhow!("user has an unknown role")))?;
    let must = required.applies_to(role);
    let uid = user.id;
    let step = db::run(pool, move |conn| service::second_step(conn, uid, must)).await?;
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
    session::rotate_csrf_token(session);
    Ok(Some(page::see_other(to)))
}

/// The user behind a pending marker, if they may still sign in.
async fn pending_user(pool: &DbPool, p: &Pending) -> Result<Option<User>, AppError> {
    let (uid, epoch) = (p.uid, p.epoch);
    let user = db::run(pool, move |conn| Ok(users::find(conn, uid)?)).await?;
    Ok(user.filter(|u| !u.disabled && u.session_epoch == epoch))
}

#[derive(Template)]
#[template(path = "mfa/code.html")]
struct CodePage {
    page: Page,
    error: Option<String>,
}

/// The code form of a half-finished sign-in.
#[get("/login/code")]
pub async fn code_page(session: Session) -> Result<HttpResponse, AppError> {
    if pending(&session, false).is_none() {
        return Ok(back_to_login(&session));
    }
    page::render(&CodePage {
        page: Page::new(&session, None, "", "Two-step sign-in"),
        error: None,
    })
}

/// A code typed at sign-in: from the app, or a recovery code.
#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

/// Checks the code; on success the sign-in is complete.
#[post("/login/code")]
pub async fn submit_code(
    req: HttpRequest,
    session: Session,
    pool: web::Data<DbPool>,
    form: CsrfForm<CodeForm>,
) -> Result<HttpResponse, AppError> {
    let Some(p) = pending(&session, false) else {
        return Ok(back_to_login(&session));
    };
    let Some(user) = pending_user(&pool, &p).await? else {
        return Ok(back_to_login(&session));
    };
    let ip = auth::client_ip(&req);
    let code = form.0.code;
    let uid = user.id;
    let outcome = db::run(&pool, move |conn| {
        Ok(service::verify_sign_in_code(conn, uid, &code, &ip))
    })
    .await?;
    let refuse = |status: StatusCode, message: String| {
        page::render_status(
            status,
            &CodePage {
                page: Page::new(&session, None, "", "Two-step sign-in"),
                error: Some(message),
            },
        )
    };
    match outcome {
        Ok(accepted) => {
            let landing = session::begin(&session, &user, &p.next)?;
            if let CodeAccepted::Recovery(left) = accepted {
                session::flash(
                    &session,
                    if left <= 2 { "error" } else { "info" },
                    format!(
                        "You signed in with a recovery code; {left} left. \
                         Ask an admin to reset two-step sign-in if you lost your app."
                    ),
                );
            }
            Ok(page::see_other(&landing))
        }
        Err(SignInError::Invalid) => refuse(
            StatusCode::UNAUTHORIZED,
            "That code is not right, or was already used. Enter the current code from your app."
                .to_owned(),
        ),
        Err(SignInError::Throttled(seconds)) => {
            let minutes = seconds.div_ceil(60);
            let mut response = refuse(
                StatusCode::TOO_MANY_REQUESTS,
                format!(
                    "Too many failed attempts. Try again in {minutes} minute{}.",
                    if minutes == 1 { "" } else { "s" }
                ),
            )?;
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(seconds));
            Ok(response)
        }
        Err(SignInError::App(e)) => Err(e),
    }
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

/// The QR code of `url` as inline SVG markup (attributes only, no style, so the strict CSP
/// holds), labelled for screen readers.
fn qr_svg(url: &str) -> Result<String, AppError> {
    let code = qrcode::QrCode::new(url.as_bytes())
        .map_err(|e| AppError::Unexpected(anyhow::anyhow!("QR code: {e}")))?;
    let svg = code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    // Inside HTML the XML declaration is not wanted.
    let svg = match svg.find("<svg") {
        Some(i) => &svg[i..],
        None => svg.as_str(),
    };
    Ok(svg.replacen(
        "<svg ",
        "<svg id=\"totp-qr\" role=\"img\" aria-label=\"QR code for your authenticator app\" ",
        1,
    ))
}

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

#[derive(Template)]
#[template(path = "mfa/recovery.html")]
struct RecoveryPage {
    page: Page,
    signin: bool,
    codes: Vec<String>,
    next: String,
}

/// Required enrolment after the password: the QR code, the secret and the confirm form.
#[get("/login/enrol")]
pub async fn enrol_at_sign_in_page(
    session: Session,
    pool: web::Data<DbPool>,
) -> Result<HttpResponse, AppError> {
    let Some(p) = pending(&session, true) else {
        return Ok(back_to_login(&session));
    };
    let Some(user) = pending_user(&pool, &p).await? else {
        return Ok(back_to_login(&session));
    };
    let uid = user.id;
    let Some(secret) = db::run(&pool, move |conn| service::pending_secret(conn, uid)).await? else {
        return Ok(back_to_login(&session));
    };
    page::render(&enrol_page(&session, None, &user.username, &secret, None)?)
}

/// The confirm-with-a-code form.
#[derive(Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    code: String,
}

/// Confirms a required enrolment; the sign-in completes and the recovery codes show once.
#[post("/login/enrol")]
pub async fn enrol_at_sign_in(
    session: Session,
    pool: web::Data<DbPool>,
    form: CsrfForm<ConfirmForm>,
) -> Result<HttpResponse, AppError> {
    let Some(p) = pending(&session, true) else {
        return Ok(back_to_login(&session));
    };
    let Some(user) = pending_user(&pool, &p).await? else {
        return Ok(back_to_login(&session));
    };
    let uid = user.id;
    let code = form.0.code;
    let result = db::run(&pool, move |conn| service::confirm(conn, uid, &code)).await;
    match result {
        Ok(codes) => {
            let next = session::begin(&session, &user, &p.next)?;
            page::render(&RecoveryPage {
                page: Page::new(&session, None, "", "Your recovery codes"),
                signin: true,
                codes,
                next,
            })
        }
        Err(AppError::Validation(errors)) => {
            let secret = db::run(&pool, move |conn| service::pending_secret(conn, uid))
                .await?
                .unwrap_or_default();
            let message = errors.first().map(|e| format!("The code {}.", e.message));
            page::render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &enrol_page(&session, None, &user.username, &secret, message)?,
            )
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "mfa/account.html")]
struct AccountMfaPage {
    page: Page,
    enabled_at: Option<chrono::DateTime<chrono::Utc>>,
    codes_left: i64,
}

/// `/account/mfa`: the user's second factor: on (with recovery codes left), or the form to
/// set it up, or the set-up under way.
#[get("/account/mfa")]
pub async fn account_page(
    user: CurrentUser,
    session: Session,
    pool: web::Data<DbPool>,
) -> Result<HttpResponse, AppError> {
    let uid = user.id;
    let (me, pending_secret, codes_left) = db::run(&pool, move |conn| {
        let me = users::find(conn, uid)?.ok_or(AppError::NotFound("user"))?;
        let pending = service::pending_secret(conn, uid)?;
        let left = service::recovery_codes_left(conn, uid)?;
        Ok((me, pending, left))
    })
    .await?;
    if let Some(secret) = pending_secret {
        return page::render(&enrol_page(
            &session,
            Some(&user),
            &me.username,
            &secret,
            None,
        )?);
    }
    page::render(&AccountMfaPage {
        page: Page::new(&session, Some(&user), "", "Two-step sign-in"),
        enabled_at: me.totp_enabled_at,
        codes_left,
    })
}

/// An empty form: starting carries nothing but the CSRF token.
#[derive(Deserialize)]
pub struct EmptyForm {}

/// Starts setting up a second factor: a new secret, shown on `/account/mfa` until confirmed.
#[post("/account/mfa")]
pub async fn start(
    user: CurrentUser,
    session: Session,
    pool: web::Data<DbPool>,
    _form: CsrfForm<EmptyForm>,
) -> Result<HttpResponse, AppError> {
    let uid = user.id;
    match db::run(&pool, move |conn| {
        service::start_enrolment(conn, uid, Actor::User(uid))
    })
    .await
    {
        Ok(_) => Ok(page::see_other("/account/mfa")),
        Err(AppError::Conflict(message)) => {
            session::flash(&session, "error", message);
            Ok(page::see_other("/account/mfa"))
        }
        Err(e) => Err(e),
    }
}

/// Confirms the set-up with a code; the recovery codes show once.
#[post("/account/mfa/confirm")]
pub async fn confirm(
    user: CurrentUser,
    session: Session,
    pool: web::Data<DbPool>,
    form: CsrfForm<ConfirmForm>,
) -> Result<HttpResponse, AppError> {
    let uid = user.id;
    let code = form.0.code;
    let result = db::run(&pool, move |conn| service::confirm(conn, uid, &code)).await;
    match result {
        Ok(codes) => page::render(&RecoveryPage {
            page: Page::new(&session, Some(&user), "", "Your recovery codes"),
            signin: false,
            codes,
            next: "/account/mfa".to_owned(),
        }),
        Err(AppError::Validation(errors)) => {
            let (me, secret) = db::run(&pool, move |conn| {
                let me = users::find(conn, uid)?.ok_or(AppError::NotFound("user"))?;
                Ok((me, service::pending_secret(conn, uid)?.unwrap_or_default()))
            })
            .await?;
            let message = errors.first().map(|e| format!("The code {}.", e.message));
            page::render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &enrol_page(&session, Some(&user), &me.username, &secret, message)?,
            )
        }
        Err(AppError::Conflict(message)) => {
            session::flash(&session, "error", message);
            Ok(page::see_other("/account/mfa"))
        }
        Err(e) => Err(e),
    }
}
