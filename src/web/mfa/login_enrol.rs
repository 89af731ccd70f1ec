//! `/login/enrol`: the enrolment a role requires, forced after the password when the user
//! has no second factor yet; confirming it completes the sign-in.

use actix_session::Session;
use actix_web::{HttpResponse, get, post, web};

use super::{CodeForm, back_to_login, confirm_refused, enrol_page, half_signed_in, recovery_page};
use crate::db::{self, DbPool};
use crate::error::AppError;
use crate::service::mfa as service;
use crate::web::cookie;
use crate::web::csrf::CsrfForm;
use crate::web::error::PageError;
use crate::web::page;

/// Required enrolment after the password: the QR code, the secret and the confirm form.
#[get("/login/enrol")]
pub async fn enrol_at_sign_in_page(
    session: Session,
    pool: web::Data<DbPool>,
) -> Result<HttpResponse, PageError> {
    let Some((_, user)) = half_signed_in(&session, &pool, true).await? else {
        return Ok(back_to_login(&session));
    };
    let uid = user.id;
    let Some(secret) = db::with_conn(&pool, move |conn| service::pending_secret(conn, uid)).await?
    else {
        return Ok(back_to_login(&session));
    };
    page::render(&enrol_page(&session, None, &user.username, &secret, None)?)
}

/// Confirms a required enrolment; the sign-in completes and the recovery codes show once.
#[post("/login/enrol")]
pub async fn enrol_at_sign_in(
    session: Session,
    pool: web::Data<DbPool>,
    form: CsrfForm<CodeForm>,
) -> Result<HttpResponse, PageError> {
    let Some((p, user)) = half_signed_in(&session, &pool, true).await? else {
        return Ok(back_to_login(&session));
    };
    let uid = user.id;
    let code = form.0.code;
    let result = db::with_conn(&pool, move |conn| service::confirm(conn, uid, &code, true)).await;
    match result {
        Ok(codes) => {
            let next = cookie::begin(&session, &user, &p.next)?;
            recovery_page(&session, None, codes, next)
        }
        Err(AppError::Validation(errors)) => {
            confirm_refused(&session, &pool, None, uid, &user.username, &errors).await
        }
        Err(e) => Err(PageError::from(e)),
    }
}
