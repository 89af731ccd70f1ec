//! `POST /sessions/{id}/capture-link` (reviewers and admins): issues the applicant's
//! capture link for a session not yet submitted, revoking the one before, and shows it this
//! once — the address with a copy button and a QR code for handing it from a desktop to a
//! phone. Only its hash is kept; a lost link is replaced by a new one.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, post, web};
use askama::Template;
use serde::Deserialize;

use super::actions::{case_url, parse_id};
use crate::app::AppState;
use crate::db::{self, DbPool};
use crate::domain::actor::Actor;
use crate::error::AppError;
use crate::http::client::public_base;
use crate::service::capture;
use crate::web::auth::CaseWorker;
use crate::web::cookie;
use crate::web::csrf::CsrfForm;
use crate::web::error::PageError;
use crate::web::page::{self, Page};
use crate::web::{format, qr};

/// The form: only the queue to return to.
#[derive(Deserialize)]
pub struct LinkForm {
    #[serde(default)]
    queue: String,
}

#[derive(Template)]
#[template(path = "sessions/capture_link.html")]
struct LinkPage {
    page: Page,
    /// Set for a resubmission: what the applicant is asked for.
    asked: Option<String>,
    url: String,
    qr_svg: String,
    expires: String,
    back: String,
    short_id: String,
}

/// Issues the link and shows it.
#[post("/sessions/{id}/capture-link")]
pub async fn create(
    CaseWorker(user): CaseWorker,
    session: Session,
    pool: web::Data<DbPool>,
    state: web::Data<AppState>,
    path: web::Path<String>,
    req: HttpRequest,
    form: CsrfForm<LinkForm>,
) -> Result<HttpResponse, PageError> {
    let id = parse_id(&path)?;
    let back = case_url(id, &form.0.queue);
    let actor = Actor::User(user.id);
    let hours = state.config.capture_link_hours;
    let issued =
        match db::with_conn(&pool, move |conn| capture::issue(conn, id, actor, hours)).await {
            Ok(issued) => issued,
            Err(AppError::Conflict(c)) => {
                cookie::flash(&session, "error", format!("No link was created: {c}."));
                return Ok(page::see_other(&back));
            }
            Err(e) => return Err(e.into()),
        };
    let base = public_base(state.config.public_url.as_deref(), &req);
    show_link(&session, &user, &base, &issued, None, back, id)
}

/// The resubmission form.
#[derive(Deserialize)]
pub struct ResubmitForm {
    #[serde(default)]
    document: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    queue: String,
}

/// `POST /sessions/{id}/request-resubmission`: sends a completed, failed or marked session
/// back to its applicant for a better photo of one document, and shows the new link.
#[post("/sessions/{id}/request-resubmission")]
pub async fn resubmit(
    CaseWorker(user): CaseWorker,
    session: Session,
    pool: web::Data<DbPool>,
    state: web::Data<AppState>,
    path: web::Path<String>,
    req: HttpRequest,
    form: CsrfForm<ResubmitForm>,
) -> Result<HttpResponse, PageError> {
    let id = parse_id(&path)?;
    let f = form.0;
    let back = case_url(id, &f.queue);
    let parsed = (|| {
        let document_id = uuid::Uuid::parse_str(f.document.trim()).map_err(|_| {
            crate::domain::person::FieldError::new("document", "choose the document to replace")
        })?;
        Ok::<_, crate::domain::person::FieldError>(capture::ResubmissionInput {
            document_id,
            reason: capture::parse_reason(&f.reason)?,
            message: capture::parse_message(Some(&f.message))?,
        })
    })();
    let input = match parsed {
        Ok(i) => i,
        Err(e) => {
            cookie::flash(
                &session,
                "error",
                format!("Nothing was sent: {}: {}.", e.field, e.message),
            );
            return Ok(page::see_other(&back));
        }
    };
    let actor = Actor::User(user.id);
    let hours = state.config.capture_link_hours;
    let max = state.config.max_resubmissions;
    let reason = input.reason;
    let done = db::with_conn(&pool, move |conn| {
        capture::request_resubmission(conn, id, &input, actor, hours, max)
    })
    .await;
    let (issued, _) = match done {
        Ok(v) => v,
        Err(e @ (AppError::Conflict(_) | AppError::LimitReached(_) | AppError::Validation(_))) => {
            cookie::flash(
                &session,
                "error",
                format!("Nothing was sent: {}.", e.public_message()),
            );
            return Ok(page::see_other(&back));
        }
        Err(e) => return Err(e.into()),
    };
    let base = public_base(state.config.public_url.as_deref(), &req);
    let asked = Some(format!("a new photo ({})", reason.label()));
    show_link(&session, &user, &base, &issued, asked, back, id)
}

/// The page that shows a link just issued, this once.
fn show_link(
    session: &Session,
    user: &crate::web::auth::CurrentUser,
    base: &str,
    issued: &capture::Issued,
    asked: Option<String>,
    back: String,
    id: uuid::Uuid,
) -> Result<HttpResponse, PageError> {
    let url = capture::url(base, &issued.token);
    let qr_svg = qr::svg(&url, "capture-qr", "QR code of the applicant link")?;
    let page = LinkPage {
        page: Page::new(session, Some(user), "queue", "Applicant link"),
        asked,
        qr_svg,
        url,
        expires: format::exact(issued.link.expires_at),
        back,
        short_id: format::short_id(&id),
    };
    page::render(&page)
}
