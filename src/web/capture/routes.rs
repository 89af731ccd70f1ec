//! The capture flow's pages as routes: the link's entry, each step drawn from the visit,
//! the photos the applicant sent through this link (for previews), the closing page, and
//! reopening a visit from its token.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, web};
use uuid::Uuid;

use super::i18n::Tr;
use super::pages::{
    ConsentPage, Shell, address_page, data_page, document_page, paragraphs, photos_page,
    review_page,
};
use super::shell::asked_again;
use super::{
    Through, current_url, dead, language, remember_language, render, seal, see_other, through,
};
use crate::app::AppState;
use crate::db::{self, DbPool};
use crate::domain::capture::Step;
use crate::service::capture::{self, Visit};
use crate::store::documents as store_documents;
use crate::web::error::PageError;

/// `step` of the visit drawn afresh (no errors).
fn draw_step(
    t: Tr,
    base: &str,
    visit: &Visit,
    step: Step,
    privacy: &str,
) -> Result<HttpResponse, PageError> {
    match step {
        Step::Consent => render(
            StatusCode::OK,
            &ConsentPage {
                asked: asked_again(&t, visit),
                shell: Shell::new(t.clone(), base, visit, step, t.t("consent-title")),
                privacy: paragraphs(privacy),
                error: None,
            },
        ),
        Step::Data => render(StatusCode::OK, &data_page(t, base, visit, None, &[])),
        Step::Document => render(StatusCode::OK, &document_page(t, base, visit, None)),
        Step::Photos => render(StatusCode::OK, &photos_page(t, base, visit, None)),
        Step::Address => render(StatusCode::OK, &address_page(t, base, visit, None)),
        Step::Review => render(StatusCode::OK, &review_page(t, base, visit, None)),
    }
}

/// `GET /c/{token}`: the first unfinished step.
#[get("/c/{token}")]
pub async fn entry(
    pool: web::Data<DbPool>,
    state: web::Data<AppState>,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, PageError> {
    let through = match through(&pool, &state, &req, &path).await? {
        Ok(t) => t,
        Err(answer) => return Ok(answer),
    };
    let response = see_other(&current_url(&through.base, &through.visit));
    Ok(remember_language(&req, &through.t, response))
}

/// `GET /c/{token}/{step}`: a step, when every step before it is done (else the first
/// unfinished one).
#[get("/c/{token}/{step}")]
pub async fn show(
    pool: web::Data<DbPool>,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    req: HttpRequest,
) -> Result<HttpResponse, PageError> {
    let (token, slug) = path.into_inner();
    let Through { t, visit, base } = match through(&pool, &state, &req, &token).await? {
        Ok(t) => t,
        Err(answer) => return Ok(answer),
    };
    let Some(step) = Step::from_slug(&slug) else {
        return dead(t);
    };
    let response = if visit.progress.may_open(step) {
        draw_step(
            t.clone(),
            &base,
            &visit,
            step,
            &state.config.capture_privacy_text,
        )?
    } else {
        see_other(&current_url(&base, &visit))
    };
    Ok(remember_language(&req, &t, response))
}

/// `GET /c/{token}/files/{id}`: a photo or document the applicant sent through this link
/// (for its preview); nothing else.
#[get("/c/{token}/files/{file}")]
pub async fn file(
    pool: web::Data<DbPool>,
    state: web::Data<AppState>,
    path: web::Path<(String, Uuid)>,
    req: HttpRequest,
) -> Result<HttpResponse, PageError> {
    let (token, file_id) = path.into_inner();
    let Through { t, visit, .. } = match through(&pool, &state, &req, &token).await? {
        Ok(t) => t,
        Err(answer) => return Ok(answer),
    };
    let own = visit
        .idv_files
        .iter()
        .chain(&visit.address_files)
        .any(|f| f.id == file_id);
    if !own {
        return dead(t);
    }
    let session_id = visit.session.id;
    let found = db::with_conn(&pool, move |conn| {
        Ok(store_documents::file_of_session(conn, session_id, file_id)?)
    })
    .await?;
    match found {
        Some((meta, Some(bytes))) => Ok(seal(
            HttpResponse::Ok()
                .content_type(meta.content_type)
                .insert_header(("Content-Disposition", "inline"))
                .body(bytes),
        )),
        _ => dead(t),
    }
}

/// `GET /c/done`: the page after a submit. It names nothing: the link is used up.
#[get("/c/done")]
pub async fn done(req: HttpRequest) -> Result<HttpResponse, PageError> {
    super::message(language(&req), "done", StatusCode::OK)
}

/// Re-reads the visit after a write.
pub(super) async fn reopen(pool: &DbPool, token: &str) -> Result<Option<Visit>, PageError> {
    let Some(hash) = capture::hash_token(token) else {
        return Ok(None);
    };
    Ok(db::with_conn(pool, move |conn| capture::open(conn, &hash)).await?)
}
