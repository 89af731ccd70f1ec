//! `/account/mfa`: a signed-in user sets up their own second factor, or sees that it is on.

use actix_session::Session;
use actix_web::{HttpResponse, get, post, web};
use askama::Template;
use serde::Deserialize;

use super::{CodeForm, confirm_refused, enrol_page, recovery_page};
use crate::db::{self, DbPool};
use crate::domain::actor::Actor;
use crate::error::AppError;
use crate::service::mfa as service;
use crate::store::users;
use crate::web::auth::CurrentUser;
use crate::web::cookie;
use crate::web::csrf::CsrfForm;
use crate::web::error::PageError;
use crate::web::page::{self, Page};

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
) -> Result<HttpResponse, PageError> {
    let uid = user.id;
    let (me, pending_secret, codes_left) = db::with_conn(&pool, move |conn| {
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
) -> Result<HttpResponse, PageError> {
    let uid = user.id;
    match db::with_conn(&pool, move |conn| {
        service::start_enrolment(conn, uid, Actor::User(uid))
    })
    .await
    {
        Ok(_) => Ok(page::see_other("/account/mfa")),
        Err(AppError::Conflict(message)) => {
            cookie::flash(&session, "error", message.to_string());
            Ok(page::see_other("/account/mfa"))
        }
        Err(e) => Err(PageError::from(e)),
    }
}

/// Confirms the set-up with a code; the recovery codes show once.
#[post("/account/mfa/confirm")]
pub async fn confirm(
    user: CurrentUser,
    session: Session,
    pool: web::Data<DbPool>,
    form: CsrfForm<CodeForm>,
) -> Result<HttpResponse, PageError> {
    let uid = user.id;
    let code = form.0.code;
    let result = db::with_conn(&pool, move |conn| service::confirm(conn, uid, &code, false)).await;
    match result {
        Ok(codes) => recovery_page(&session, Some(&user), codes, "/account/mfa".to_owned()),
        Err(AppError::Validation(errors)) => {
            confirm_refused(&session, &pool, Some(&user), uid, &user.username, &errors).await
        }
        Err(AppError::Conflict(message)) => {
            cookie::flash(&session, "error", message.to_string());
            Ok(page::see_other("/account/mfa"))
        }
        Err(e) => Err(PageError::from(e)),
    }
}
