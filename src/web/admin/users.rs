//! `/admin/users`: list, create, change role, disable and enable, reset password. Every
//! change ends the user's open sessions where it matters, and is an audit event.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use askama::Template;
use serde::Deserialize;
use uuid::Uuid;

use crate::db::{self, DbPool};
use crate::domain::actor::Actor;
use crate::domain::kinds::Role;
use crate::domain::person::FieldError;
use crate::error::AppError;
use crate::service::{passwords, users as service};
use crate::store::users::{self, User};
use crate::web::auth::Admin;
use crate::web::cookie;
use crate::web::csrf::CsrfForm;
use crate::web::error::PageError;
use crate::web::page::{self, Page};

#[derive(Template)]
#[template(path = "admin/users.html")]
struct UsersPage {
    page: Page,
    users: Vec<User>,
    roles: &'static [Role],
    form: CreateForm,
    errors: Vec<FieldError>,
}

impl UsersPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

#[derive(Template)]
#[template(path = "admin/secret.html")]
struct SecretPage {
    page: Page,
    username: String,
    what: &'static str,
    password: String,
}

async fn list(pool: &DbPool) -> Result<Vec<User>, AppError> {
    db::with_conn(pool, |conn| Ok(users::all(conn)?)).await
}

/// The user list with the create form.
#[get("/admin/users")]
pub async fn index(
    Admin(me): Admin,
    session: Session,
    pool: web::Data<DbPool>,
) -> Result<HttpResponse, PageError> {
    let users = list(&pool).await?;
    page::render(&UsersPage {
        page: Page::new(&session, Some(&me), "admin", "Users"),
        users,
        roles: Role::ALL,
        form: CreateForm::default(),
        errors: Vec::new(),
    })
}

/// The create-user form; a blank password means "generate one and show it once".
#[derive(Debug, Default, Deserialize)]
pub struct CreateForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    password: String,
}

/// Creates a user.
#[post("/admin/users")]
pub async fn create(
    Admin(me): Admin,
    session: Session,
    pool: web::Data<DbPool>,
    form: CsrfForm<CreateForm>,
) -> Result<HttpResponse, PageError> {
    let form = form.0;
    let role = form.role.parse::<Role>();
    let generated = form.password.is_empty();
    let password = if generated {
        passwords::generate(20)
    } else {
        form.password.clone()
    };
    let result = match role {
        Err(e) => Err(AppError::Validation(vec![FieldError::new(
            "role",
            e.to_string(),
        )])),
        Ok(role) => {
            let input = service::NewUserInput {
                username: form.username.clone(),
                display_name: form.display_name.clone(),
                role,
                password: password.clone(),
            };
            let actor = Actor::User(me.id);
            db::with_conn(&pool, move |conn| service::create(conn, &input, actor)).await
        }
    };
    match result {
        Ok(user) if generated => page::render(&SecretPage {
            page: Page::new(&session, Some(&me), "admin", "User created"),
            username: user.username,
            what: "created",
            password,
        }),
        Ok(user) => {
            cookie::flash(
                &session,
                "success",
                format!("Created {} ({}).", user.username, user.role),
            );
            Ok(page::see_other("/admin/users"))
        }
        Err(AppError::Validation(errors)) => {
            let users = list(&pool).await?;
            page::render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &UsersPage {
                    page: Page::new(&session, Some(&me), "admin", "Users"),
                    users,
                    roles: Role::ALL,
                    form: CreateForm {
                        password: String::new(),
                        ..form
                    },
                    errors,
                },
            )
        }
        Err(e) => Err(PageError::from(e)),
    }
}

/// The change-role form.
#[derive(Deserialize)]
pub struct RoleForm {
    role: String,
}

/// Back to the user list with `result` as the flash: the success message, or why the
/// action was refused; shared by every action on a user, the second-factor reset included.
pub(super) fn back_with(
    session: &Session,
    result: Result<String, AppError>,
) -> Result<HttpResponse, PageError> {
    match result {
        Ok(message) => cookie::flash(session, "success", message),
        Err(AppError::Conflict(message)) => cookie::flash(session, "error", message.to_string()),
        Err(AppError::Validation(errors)) => {
            let text = errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect::<Vec<_>>()
                .join("; ");
            cookie::flash(session, "error", text);
        }
        Err(e) => return Err(PageError::from(e)),
    }
    Ok(page::see_other("/admin/users"))
}

/// Gives a user another role; their open sessions end so it applies at once.
#[post("/admin/users/{id}/role")]
pub async fn change_role(
    Admin(me): Admin,
    session: Session,
    pool: web::Data<DbPool>,
    path: web::Path<Uuid>,
    form: CsrfForm<RoleForm>,
) -> Result<HttpResponse, PageError> {
    let role = form
        .0
        .role
        .parse::<Role>()
        .map_err(|e| AppError::field("role", e.to_string()));
    let id = path.into_inner();
    let result = match role {
        Err(e) => Err(e),
        Ok(role) => db::with_conn(&pool, move |conn| {
            service::change_role(conn, id, role, Actor::User(me.id))
        })
        .await
        .map(|u| format!("{} is now {}.", u.username, u.role)),
    };
    back_with(&session, result)
}

/// An empty form: these actions carry nothing but the CSRF token.
#[derive(Deserialize)]
pub struct EmptyForm {}

/// Disables a user; their open sessions end at once.
#[post("/admin/users/{id}/disable")]
pub async fn disable(
    Admin(me): Admin,
    session: Session,
    pool: web::Data<DbPool>,
    path: web::Path<Uuid>,
    _form: CsrfForm<EmptyForm>,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    let result = db::with_conn(&pool, move |conn| {
        service::set_disabled(conn, id, true, Actor::User(me.id))
    })
    .await
    .map(|u| format!("{} is disabled and signed out.", u.username));
    back_with(&session, result)
}

/// Enables a disabled user.
#[post("/admin/users/{id}/enable")]
pub async fn enable(
    Admin(me): Admin,
    session: Session,
    pool: web::Data<DbPool>,
    path: web::Path<Uuid>,
    _form: CsrfForm<EmptyForm>,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    let result = db::with_conn(&pool, move |conn| {
        service::set_disabled(conn, id, false, Actor::User(me.id))
    })
    .await
    .map(|u| format!("{} is enabled.", u.username));
    back_with(&session, result)
}

/// Sets a new generated password, shown once, and ends the user's open sessions.
#[post("/admin/users/{id}/reset-password")]
pub async fn reset_password(
    Admin(me): Admin,
    session: Session,
    pool: web::Data<DbPool>,
    path: web::Path<Uuid>,
    _form: CsrfForm<EmptyForm>,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    let password = passwords::generate(20);
    let new_password = password.clone();
    let user = db::with_conn(&pool, move |conn| {
        let user = users::find(conn, id)?.ok_or(AppError::NotFound("user"))?;
        service::reset_password(conn, &user, &new_password, Actor::User(me.id))?;
        Ok(user)
    })
    .await?;
    page::render(&SecretPage {
        page: Page::new(&session, Some(&me), "admin", "Password reset"),
        username: user.username,
        what: "given a new password",
        password,
    })
}
