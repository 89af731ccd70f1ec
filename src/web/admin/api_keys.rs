//! `/admin/api-keys`: list, create (the secret shown once) and revoke integrators' API
//! keys. Each change is an audit event.

use std::collections::HashMap;

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use askama::Template;
use chrono::{Days, Utc};
use uuid::Uuid;

use crate::app::AppState;
use crate::db::{self, DbPool};
use crate::domain::actor::Actor;
use crate::domain::kinds::Permission;
use crate::domain::person::FieldError;
use crate::error::AppError;
use crate::service::api_keys::{self as service, NewApiKeyInput};
use crate::store::api_keys::{self, ApiKey};
use crate::web::auth::Admin;
use crate::web::cookie;
use crate::web::csrf::CsrfForm;
use crate::web::error::PageError;
use crate::web::page::{self, Page};

#[derive(Template)]
#[template(path = "admin/api_keys.html")]
struct KeysPage {
    page: Page,
    keys: Vec<ApiKey>,
    /// Sessions each key read: (today, the last 30 days).
    reads: HashMap<Uuid, (i64, i64)>,
    permissions: &'static [Permission],
    name: String,
    checked: Vec<Permission>,
    errors: Vec<FieldError>,
}

impl KeysPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    /// "4 today, 120 in 30 days".
    fn reads_of(&self, id: &Uuid) -> String {
        let (today, month) = self.reads.get(id).copied().unwrap_or((0, 0));
        format!("{today} today, {month} in 30 days")
    }

    fn is_checked(&self, p: &Permission) -> bool {
        self.checked.contains(p)
    }
}

#[derive(Template)]
#[template(path = "admin/api_key_secret.html")]
struct SecretPage {
    page: Page,
    key: ApiKey,
    secret: String,
}

/// Every key, with the sessions each read today and in the last 30 days (UTC days): what
/// is written, and what this instance counted and has not written yet.
async fn list(
    pool: &DbPool,
    state: &AppState,
) -> Result<(Vec<ApiKey>, HashMap<Uuid, (i64, i64)>), AppError> {
    let tally = state.reads.clone();
    db::with_conn(pool, move |conn| {
        let today = Utc::now().date_naive();
        let since = today - Days::new(29);
        let mut reads: HashMap<Uuid, (i64, i64)> = HashMap::new();
        let (written, pending) = {
            let _moving = tally.moving();
            (api_keys::reads_since(conn, since)?, tally.pending())
        };
        for (key, day, n) in written.into_iter().chain(pending).filter(|c| c.1 >= since) {
            let entry = reads.entry(key).or_default();
            entry.1 += n;
            if day == today {
                entry.0 += n;
            }
        }
        Ok((api_keys::all(conn)?, reads))
    })
    .await
}

/// The key list with the create form.
#[get("/admin/api-keys")]
pub async fn index(
    Admin(me): Admin,
    session: Session,
    pool: web::Data<DbPool>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let (keys, reads) = list(&pool, &state).await?;
    page::render(&KeysPage {
        page: Page::new(&session, Some(&me), "admin", "API keys"),
        keys,
        reads,
        permissions: Permission::ALL,
        name: String::new(),
        checked: Vec::new(),
        errors: Vec::new(),
    })
}

/// Creates a key from `name` and the checked `permission` boxes (the field repeats, so the
/// form is read as pairs), and shows its secret once.
#[post("/admin/api-keys")]
pub async fn create(
    Admin(me): Admin,
    session: Session,
    pool: web::Data<DbPool>,
    state: web::Data<AppState>,
    form: CsrfForm<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let mut name = String::new();
    let mut checked = Vec::new();
    let mut unknown = Vec::new();
    for (k, v) in form.0 {
        match k.as_str() {
            "name" => name = v,
            "permission" => match v.parse::<Permission>() {
                Ok(p) => checked.push(p),
                Err(e) => unknown.push(FieldError::new("permissions", e.to_string())),
            },
            _ => {}
        }
    }
    let result = if unknown.is_empty() {
        let input = NewApiKeyInput {
            name: name.clone(),
            permissions: checked.clone(),
        };
        let env = state.config.api_key_env.clone();
        let actor = Actor::User(me.id);
        db::with_conn(&pool, move |conn| {
            service::create(conn, &input, &env, actor)
        })
        .await
    } else {
        Err(AppError::Validation(unknown))
    };
    match result {
        Ok(created) => page::render(&SecretPage {
            page: Page::new(&session, Some(&me), "admin", "API key created"),
            key: created.key,
            secret: created.secret,
        }),
        Err(AppError::Validation(errors)) => {
            let (keys, reads) = list(&pool, &state).await?;
            page::render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &KeysPage {
                    page: Page::new(&session, Some(&me), "admin", "API keys"),
                    keys,
                    reads,
                    permissions: Permission::ALL,
                    name,
                    checked,
                    errors,
                },
            )
        }
        Err(e) => Err(PageError::from(e)),
    }
}

/// An empty form: revoking carries nothing but the CSRF token.
#[derive(serde::Deserialize)]
pub struct EmptyForm {}

/// Revokes a key; from its next request on it gets 401.
#[post("/admin/api-keys/{id}/revoke")]
pub async fn revoke(
    Admin(me): Admin,
    session: Session,
    pool: web::Data<DbPool>,
    path: web::Path<Uuid>,
    _form: CsrfForm<EmptyForm>,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    let result = db::with_conn(&pool, move |conn| {
        service::revoke(conn, id, Actor::User(me.id))
    })
    .await;
    match result {
        Ok(key) => cookie::flash(
            &session,
            "success",
            format!("Revoked {} ({}…).", key.name, key.prefix),
        ),
        Err(AppError::Conflict(message)) => cookie::flash(&session, "error", message.to_string()),
        Err(e) => return Err(PageError::from(e)),
    }
    Ok(page::see_other("/admin/api-keys"))
}
