//! `/account`: every signed-in user's own page, where they change their password.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;
use diesel::Connection as _;
use serde::Deserialize;
use serde_json::json;

use super::auth::CurrentUser;
use super::cookie::{self, AuthState};
use super::csrf::CsrfForm;
use super::page::{self, Page};
use crate::db::{self, DbPool};
use crate::domain::actor::Actor;
use crate::domain::person::FieldError;
use crate::error::AppError;
use crate::service::auth::{self as auth_service, SignInError};
use crate::service::passwords;
use crate::store::events::{self, NewEvent};
use crate::store::users;
use crate::web::error::PageError;

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    page: Page,
    errors: Vec<FieldError>,
}

impl AccountPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

/// The user's own page.
#[get("/account")]
pub async fn show(user: CurrentUser, session: Session) -> Result<HttpResponse, PageError> {
    page::render(&AccountPage {
        page: Page::new(&session, Some(&user), "", "Your account"),
        errors: Vec::new(),
    })
}

/// The keyboard-shortcuts form: `enabled` is `on` or `off`.
#[derive(Deserialize)]
pub struct ShortcutsForm {
    enabled: String,
}

/// Turns the user's single-key shortcuts on or off (WCAG 2.1.4); anything but `on` or
/// `off` is a 422 naming the field, and nothing is written.
#[post("/account/shortcuts")]
pub async fn set_shortcuts(
    user: CurrentUser,
    session: Session,
    pool: web::Data<DbPool>,
    form: CsrfForm<ShortcutsForm>,
) -> Result<HttpResponse, PageError> {
    let enabled = match form.0.enabled.as_str() {
        "on" => true,
        "off" => false,
        _ => {
            return Err(PageError::from(AppError::Validation(vec![
                FieldError::new("enabled", "must be on or off"),
            ])));
        }
    };
    let id = user.id;
    db::with_conn(&pool, move |conn| {
        crate::service::users::set_shortcuts(conn, id, enabled)
    })
    .await?;
    let message = if enabled {
        "Keyboard shortcuts are on."
    } else {
        "Keyboard shortcuts are off: single keys do nothing."
    };
    cookie::flash(&session, "success", message);
    Ok(page::see_other("/account"))
}

/// The change-password form.
#[derive(Deserialize)]
pub struct PasswordForm {
    current: String,
    new: String,
    confirm: String,
}

/// Changes the user's own password. Their other sign-ins end; this one continues. The
/// current password is checked under the sign-in limits (429 past them) and a wrong one is
/// audited; no hashing holds a database connection.
#[post("/account/password")]
pub async fn change_password(
    req: HttpRequest,
    user: CurrentUser,
    session: Session,
    pool: web::Data<DbPool>,
    form: CsrfForm<PasswordForm>,
) -> Result<HttpResponse, PageError> {
    let PasswordForm {
        current,
        new,
        confirm,
    } = form.0;
    let id = user.id;
    let ip = crate::http::client::client_ip(&req);
    let current_ok = match auth_service::check_own_password(&pool, id, &current, &ip).await {
        Ok(ok) => ok,
        Err(SignInError::Throttled(seconds)) => return throttled(&session, &user, seconds),
        Err(SignInError::Invalid) => false,
        Err(SignInError::App(e)) => return Err(PageError::from(e)),
    };
    let mut errors = Vec::new();
    if !current_ok {
        errors.push(FieldError::new("current", "is not your current password"));
    }
    if let Err(m) = passwords::check_strength(&new) {
        errors.push(FieldError::new("new", m));
    } else if let Err(m) = passwords::check_guessable(&new, &[&user.username, &user.display_name]) {
        errors.push(FieldError::new("new", m));
    }
    if new != confirm {
        errors.push(FieldError::new(
            "confirm",
            "does not match the new password",
        ));
    }
    let result = if errors.is_empty() {
        let hash = auth_service::hash_password(new).await?;
        db::with_conn(&pool, move |conn| {
            conn.transaction(|conn| {
                users::set_password(conn, id, &hash)?;
                events::insert(
                    conn,
                    &NewEvent::new(Actor::User(id), "user.password_changed", None)
                        .details(json!({ "user_id": id })),
                )?;
                Ok::<_, AppError>(users::find(conn, id)?.map(|u| u.session_epoch))
            })
        })
        .await
    } else {
        Err(AppError::Validation(errors))
    };
    match result {
        Ok(epoch) => {
            let now = chrono::Utc::now().timestamp();
            if let (Some(epoch), Some(state)) = (epoch, cookie::auth(&session)) {
                cookie::set_auth(
                    &session,
                    &AuthState {
                        epoch,
                        seen: now,
                        ..state
                    },
                )?;
            }
            cookie::flash(
                &session,
                "success",
                "Your password was changed. Other sign-ins of yours have ended.",
            );
            Ok(page::see_other("/account"))
        }
        Err(AppError::Validation(errors)) => page::render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &AccountPage {
                page: Page::new(&session, Some(&user), "", "Your account"),
                errors,
            },
        ),
        Err(e) => Err(PageError::from(e)),
    }
}

/// Too many wrong passwords for this user (at sign-in or here): 429 with `Retry-After`,
/// the form saying when to try again.
fn throttled(
    session: &Session,
    user: &CurrentUser,
    seconds: u64,
) -> Result<HttpResponse, PageError> {
    let minutes = seconds.div_ceil(60);
    let message = format!(
        "Too many wrong passwords. Try again in {minutes} minute{}.",
        if minutes == 1 { "" } else { "s" }
    );
    let mut response = page::render_status(
        StatusCode::TOO_MANY_REQUESTS,
        &AccountPage {
            page: Page::new(session, Some(user), "", "Your account"),
            errors: vec![FieldError::new("current", message)],
        },
    )?;
    response.headers_mut().insert(
        actix_web::http::header::RETRY_AFTER,
        actix_web::http::header::HeaderValue::from(seconds),
    );
    Ok(response)
}
