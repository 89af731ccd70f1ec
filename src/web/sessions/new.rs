//! `GET /sessions/new` and `POST /sessions`: a session created by hand, for an existing
//! account or a new one, with optional personal data.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use askama::Template;
use chrono::Utc;
use serde::Deserialize;
use uuid::Uuid;

use crate::app::AppState;
use crate::db::{self, DbPool};
use crate::domain::actor::Actor;
use crate::domain::kinds::{IdentityClass, VerificationKind};
use crate::domain::person::{FIELDS, Field, FieldError};
use crate::error::AppError;
use crate::service::person::{self, PersonForm};
use crate::service::sessions::{self as service, AccountRef, NewSessionInput};
use crate::web::auth::CaseWorker;
use crate::web::cookie;
use crate::web::csrf::CsrfForm;
use crate::web::error::PageError;
use crate::web::page::{self, Page};

#[derive(Template)]
#[template(path = "sessions/new.html")]
struct NewPage {
    page: Page,
    account: String,
    address_required: bool,
    form: PersonForm,
    errors: Vec<FieldError>,
    classes: &'static [IdentityClass],
}

impl NewPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    fn value<'a>(&self, v: &'a Option<String>) -> &'a str {
        v.as_deref().unwrap_or("")
    }

    /// The typed fields a new session asks for, in declaration order; the template draws
    /// the identity number's class as a list of its own.
    fn person_inputs(&self) -> Vec<&'static Field> {
        FIELDS
            .iter()
            .filter(|f| f.new_form && f.input != "select")
            .collect()
    }
}

/// The form.
#[get("/sessions/new")]
pub async fn new_form(
    CaseWorker(user): CaseWorker,
    session: Session,
) -> Result<HttpResponse, PageError> {
    page::render(&NewPage {
        page: Page::new(&session, Some(&user), "queue", "New session"),
        account: String::new(),
        address_required: false,
        form: PersonForm::default(),
        errors: Vec::new(),
        classes: IdentityClass::ALL,
    })
}

/// The new-session form's fields.
#[derive(Deserialize)]
pub struct CreateForm {
    #[serde(default)]
    account: String,
    #[serde(default)]
    require_address: Option<String>,
    #[serde(flatten)]
    person: PersonForm,
}

/// Creates the session and opens it.
#[post("/sessions")]
pub async fn create(
    CaseWorker(user): CaseWorker,
    session: Session,
    pool: web::Data<DbPool>,
    state: web::Data<AppState>,
    form: CsrfForm<CreateForm>,
) -> Result<HttpResponse, PageError> {
    let CreateForm {
        account,
        require_address,
        person: raw,
    } = form.0;
    let mut errors = Vec::new();
    let account_ref = match account.trim() {
        "" => {
            errors.push(FieldError::new("account", "name an account: its id, or an external id (a new account is created for a new one)"));
            None
        }
        a => match Uuid::parse_str(a) {
            Ok(id) => Some(AccountRef::Existing(id)),
            Err(_) => match service::parse_external_id("account", a) {
                Ok(ext) => Some(AccountRef::External(ext)),
                Err(AppError::Validation(mut e)) => {
                    errors.append(&mut e);
                    None
                }
                Err(e) => return Err(PageError::from(e)),
            },
        },
    };
    // Blank fields on a new session mean "not given", not "clear"; fields the form does
    // not ask for are not taken.
    let sent = raw.retain(|column, v| {
        !v.trim().is_empty() && Field::named(column).is_some_and(|f| f.new_form)
    });
    let changes = match person::parse(&sent, Utc::now().date_naive()) {
        Ok(c) => Some(c),
        Err(mut e) => {
            errors.append(&mut e);
            None
        }
    };
    let address_required = require_address.is_some();
    let (Some(account_ref), Some(changes), true) = (account_ref, changes, errors.is_empty()) else {
        return page::render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &NewPage {
                page: Page::new(&session, Some(&user), "queue", "New session"),
                account,
                address_required,
                form: raw,
                errors,
                classes: IdentityClass::ALL,
            },
        );
    };
    let mut kinds = vec![VerificationKind::Idv];
    if address_required {
        kinds.push(VerificationKind::Address);
    }
    let has_person = !person::changed_fields_of_new(&changes).is_empty();
    let input = NewSessionInput {
        account: account_ref,
        required_verifications: kinds,
        person: has_person.then_some(changes),
        expires_at: None,
    };
    let ttl = state.config.session_ttl_days;
    let actor = Actor::User(user.id);
    match db::with_conn(&pool, move |conn| service::create(conn, &input, actor, ttl)).await {
        Ok((s, _)) => {
            cookie::flash(&session, "success", "Session created.");
            Ok(page::see_other(&format!("/sessions/{}", s.id)))
        }
        Err(AppError::Validation(errors)) => page::render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &NewPage {
                page: Page::new(&session, Some(&user), "queue", "New session"),
                account,
                address_required,
                form: raw,
                errors,
                classes: IdentityClass::ALL,
            },
        ),
        Err(e) => Err(PageError::from(e)),
    }
}
