//! `/account`: every signed-in user's own page, where they change their password.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use askama::Template;
use diesel::Connection as _;
use serde::Deserialize;
use serde_json::json;

use super::auth::CurrentUser;
use super::csrf::CsrfForm;
use super::page::{self, Page};
use super::session::{self, AuthState};
use crate::db::{self, DbPool};
use crate::domain::actor::Actor;
use crate::domain::person::FieldError;
use crate::error::AppError;
use crate::service::passwords;
use crate::store::events::{self, NewEvent};
use crate::store::users;

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
pub async fn show(user: CurrentUser, session: Session) -> Result<HttpResponse, AppError> {
    page::render(&AccountPage {
        page: Page::new(&session, Some(&user), "", "Your account"),
        errors: Vec::new(),
    })
}

/// The change-password form.
#[derive(Deserialize)]
pub struct PasswordForm {
    current: String,
    new: String,
    confirm: String,
}

/// Changes the user's own password. Their other sign-ins end; this one continues.
#[post("/account/password")]
pub async fn change_password(
    user: CurrentUser,
    session: Session,
    pool: web::Data<DbPool>,
    form: CsrfForm<PasswordForm>,
) -> Result<HttpResponse, AppError> {
    let PasswordForm {
        current,
        new,
        confirm,
    } = form.0;
    let id = user.id;
    let result = db::run(&pool, move |conn| {
        let mut errors = Vec::new();
        let me = users::find(conn, id)?.ok_or(AppError::NotFound("user"))?;
        if !passwords::verify(&current, &me.password_hash) {
            errors.push(FieldError::new("current", "is not your current password"));
        }
        if let Err(m) = passwords::check_strength(&new) {
            errors.push(FieldError::new("new", m));
        } else if let Err(m) = passwords::check_guessable(&new, &[&me.username, &me.display_name]) {
            errors.push(FieldError::new("new", m));
        }
        if new != confirm {
            errors.push(FieldError::new(
                "confirm",
                "does not match the new password",
            ));
        }
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        let hash = passwords::hash(&new)?;
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
    .await;
    match result {
        Ok(epoch) => {
            let now = chrono::Utc::now().timestamp();
            if let (Some(epoch), Some(state)) = (epoch, session::auth(&session)) {
                session::set_auth(
                    &session,
                    &AuthState {
                        epoch,
                        seen: now,
                        ..state
                    },
                )?;
            }
            session::flash(
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
        Err(e) => Err(e),
    }
}
