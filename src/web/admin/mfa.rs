//! `/admin/users/{id}/reset-mfa`: an admin removes a user's second factor (a lost phone).

use actix_session::Session;
use actix_web::{HttpResponse, post, web};
use uuid::Uuid;

use super::users::{EmptyForm, back_with};
use crate::db::{self, DbPool};
use crate::domain::actor::Actor;
use crate::service::mfa as service;
use crate::web::auth::Admin;
use crate::web::csrf::CsrfForm;
use crate::web::error::PageError;

/// Removes the user's TOTP and recovery codes and ends their open sessions; they enrol again
/// at their next sign-in if their role requires it.
#[post("/admin/users/{id}/reset-mfa")]
pub async fn reset(
    Admin(me): Admin,
    session: Session,
    pool: web::Data<DbPool>,
    path: web::Path<Uuid>,
    _form: CsrfForm<EmptyForm>,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    let result = db::with_conn(&pool, move |conn| {
        service::reset(conn, id, Actor::User(me.id))
    })
    .await
    .map(|user| {
        format!(
            "{}'s two-step sign-in was reset and they were signed out.",
            user.username
        )
    });
    back_with(&session, result)
}
