//! `/login/code`: the code step of sign-in, for a user who has a second factor.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;

use super::{CodeForm, back_to_login, half_signed_in, pending};
use crate::db::{self, DbPool};
use crate::service::auth::SignInError;
use crate::service::mfa::{self as service, CodeAccepted};
use crate::web::cookie;
use crate::web::csrf::CsrfForm;
use crate::web::error::PageError;
use crate::web::login;
use crate::web::page::{self, Page};

#[derive(Template)]
#[template(path = "mfa/code.html")]
struct CodePage {
    page: Page,
    error: Option<String>,
}

/// The code form of a half-finished sign-in.
#[get("/login/code")]
pub async fn code_page(session: Session) -> Result<HttpResponse, PageError> {
    if pending(&session, false).is_none() {
        return Ok(back_to_login(&session));
    }
    page::render(&CodePage {
        page: Page::new(&session, None, "", "Two-step sign-in"),
        error: None,
    })
}

/// Checks the code; on success the sign-in is complete.
#[post("/login/code")]
pub async fn submit_code(
    req: HttpRequest,
    session: Session,
    pool: web::Data<DbPool>,
    form: CsrfForm<CodeForm>,
) -> Result<HttpResponse, PageError> {
    let Some((p, user)) = half_signed_in(&session, &pool, false).await? else {
        return Ok(back_to_login(&session));
    };
    let ip = crate::http::client::client_ip(&req);
    let code = form.0.code;
    let uid = user.id;
    let outcome = db::with_conn(&pool, move |conn| {
        Ok(service::verify_sign_in_code(conn, uid, &code, &ip))
    })
    .await?;
    let refuse = |status: StatusCode, message: &str| {
        page::render_status(
            status,
            &CodePage {
                page: Page::new(&session, None, "", "Two-step sign-in"),
                error: Some(message.to_owned()),
            },
        )
    };
    match outcome {
        Ok(accepted) => {
            let landing = cookie::begin(&session, &user, &p.next)?;
            if let CodeAccepted::Recovery(left) = accepted {
                cookie::flash(
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
            "That code is not right, or was already used. Enter the current code from your app.",
        ),
        Err(SignInError::Throttled(seconds)) => login::throttled(seconds, "attempts", refuse),
        Err(SignInError::App(e)) => Err(PageError::from(e)),
    }
}
