//! The flow's form posts: each step's write, a refusal drawn on the same page with the
//! error beside its field (422), success a 303 to the next step.

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, post, web};

use super::pages::{
    ConsentPage, Shell, address_page, data_page, document_page, needs_side, paragraphs,
    photos_page, review_page,
};
use super::upload::{self, UploadForm, UploadProblem};
use super::{Through, failed, render, see_other, through};
use crate::app::AppState;
use crate::db::{self, DbPool};
use crate::domain::actor::Actor;
use crate::domain::capture::Step;
use crate::domain::engine::Policy;
use crate::domain::kinds::FileSide;
use crate::error::AppError;
use crate::http::client::client_ip;
use crate::service::capture;
use crate::service::devices::DeviceInput;
use crate::service::documents::Upload;
use crate::service::person::PersonForm;
use crate::service::verifications::{self, FingerprintKey};
use crate::web::error::PageError;

use super::i18n::Tr;

/// The largest plain form read.
const MAX_FORM_BYTES: usize = 16 * 1024;

/// The fields of a plain form, by name (a form too large reads as empty).
fn fields(body: &[u8]) -> Vec<(String, String)> {
    if body.len() > MAX_FORM_BYTES {
        return Vec::new();
    }
    url::form_urlencoded::parse(body).into_owned().collect()
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

macro_rules! open_or_answer {
    ($pool:expr, $state:expr, $req:expr, $token:expr) => {
        match through(&$pool, &$state, &$req, &$token).await? {
            Ok(t) => t,
            Err(answer) => return Ok(answer),
        }
    };
}

/// `WxH` as the enhancement script measures the screen, else nothing.
fn screen(raw: Option<&str>) -> Option<String> {
    let raw = raw?.trim();
    let (w, h) = raw.split_once('x')?;
    let ok = |n: &str| (1..=5).contains(&n.len()) && n.bytes().all(|b| b.is_ascii_digit());
    (ok(w) && ok(h)).then(|| raw.to_owned())
}

fn text(raw: Option<&str>, max: usize) -> Option<String> {
    raw.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.chars().take(max).collect())
}

/// The device as the request shows it: the address, the user agent read into browser,
/// OS and device type, the browser's first language, and the screen the script sent.
fn device(req: &HttpRequest, screen_size: Option<String>) -> DeviceInput {
    let ua = req
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let parsed = woothee::parser::Parser::new().parse(ua);
    let known = |s: &str| (s != "UNKNOWN" && !s.is_empty()).then(|| s.to_owned());
    let device_type = parsed.as_ref().map(|p| {
        let tablet = ["iPad", "Android Tablet"].contains(&p.os);
        match p.category {
            _ if tablet || ua.contains("Tablet") => "tablet",
            "pc" => "desktop",
            "smartphone" | "mobilephone" => "mobile",
            _ => "other",
        }
        .to_owned()
    });
    let language = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .and_then(|v| v.split(';').next());
    DeviceInput {
        ip: Some(client_ip(req)),
        user_agent: text(Some(ua), 1000),
        platform: Some("web".to_owned()),
        browser: parsed.as_ref().and_then(|p| known(p.name)),
        os: parsed.as_ref().and_then(|p| known(p.os)),
        device_type,
        language: text(language, 35),
        screen: screen_size,
    }
}

/// `POST /c/{token}/consent`: agree to the privacy notice (`agree=yes`); the first
/// consent starts the session and records the device.
#[post("/c/{token}/consent")]
pub async fn consent(
    pool: web::Data<DbPool>,
    state: web::Data<AppState>,
    path: web::Path<String>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let token = path.into_inner();
    let Through { t, visit, base } = open_or_answer!(pool, state, req, token);
    let form = fields(&body);
    if field(&form, "agree") != Some("yes") {
        let page = ConsentPage {
            shell: Shell::new(
                t.clone(),
                &base,
                &visit,
                Step::Consent,
                t.t("consent-title"),
            ),
            privacy: paragraphs(&state.config.capture_privacy_text),
            error: Some(t.t("consent-agree-missing")),
            asked: None,
        };
        return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let device = device(&req, screen(field(&form, "screen")));
    let version = capture::privacy_version(&state.config.capture_privacy_text);
    let link = visit.link.id;
    let done = db::with_conn(&pool, move |conn| {
        capture::consent(conn, link, &device, &version)
    })
    .await;
    match done {
        Ok(()) => after_write(&pool, &token, &base).await,
        Err(e) => failed(t, e),
    }
}

/// The next step once a write succeeded.
async fn after_write(pool: &DbPool, token: &str, base: &str) -> Result<HttpResponse, PageError> {
    match super::routes::reopen(pool, token).await? {
        Some(visit) => Ok(see_other(&super::current_url(base, &visit))),
        None => Ok(see_other(base)),
    }
}

/// `POST /c/{token}/data`: the personal data this visit asks for.
#[post("/c/{token}/data")]
pub async fn data(
    pool: web::Data<DbPool>,
    state: web::Data<AppState>,
    path: web::Path<String>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let token = path.into_inner();
    let Through { t, visit, base } = open_or_answer!(pool, state, req, token);
    let sent = fields(&body);
    let typed: PersonForm =
        serde_urlencoded::from_bytes(&body[..body.len().min(MAX_FORM_BYTES)]).unwrap_or_default();
    let link = visit.link.id;
    let today = chrono::Utc::now().date_naive();
    let form = typed.clone();
    let done = db::with_conn(&pool, move |conn| {
        capture::enter_data(conn, link, &form, today)
    })
    .await;
    match done {
        Ok(()) => after_write(&pool, &token, &base).await,
        Err(AppError::Validation(errors)) => {
            let errors: Vec<(String, String)> = errors
                .into_iter()
                .map(|e| {
                    let key = if e.message == capture::REQUIRED {
                        "error-required".to_owned()
                    } else {
                        format!("error-{}", e.field)
                    };
                    (e.field, t.t(&key))
                })
                .collect();
            let value = |column: &str| field(&sent, column).unwrap_or("").to_owned();
            let page = data_page(t, &base, &visit, Some(&value), &errors);
            render(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => failed(t, e),
    }
}

/// `POST /c/{token}/document`: which ID document the applicant has.
#[post("/c/{token}/document")]
pub async fn document(
    pool: web::Data<DbPool>,
    state: web::Data<AppState>,
    path: web::Path<String>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let token = path.into_inner();
    let Through { t, visit, base } = open_or_answer!(pool, state, req, token);
    let chosen = field(&fields(&body), "document_type")
        .unwrap_or("")
        .to_owned();
    let link = visit.link.id;
    let done = db::with_conn(&pool, move |conn| {
        capture::choose_document(conn, link, &chosen)
    })
    .await;
    match done {
        Ok(()) => after_write(&pool, &token, &base).await,
        Err(AppError::Validation(_)) => {
            let page = document_page(t.clone(), &base, &visit, Some(t.t("error-document_type")));
            render(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => failed(t, e),
    }
}

/// Judges a photo's quality in a reader turn, off the async threads: `None` when it is
/// good enough, else why not in the applicant's words.
async fn refused_photo(
    state: &AppState,
    t: &Tr,
    bytes: Vec<u8>,
) -> Result<Option<String>, PageError> {
    let turn = state
        .readers
        .acquire()
        .await
        .map_err(|e| AppError::Unexpected(e.into()))?;
    let judged = web::block(move || crate::ocr::judge_quality(&bytes)).await?;
    drop(turn);
    Ok(match judged {
        Err(_) => Some(t.t("photo-unreadable")),
        Ok(q) => q
            .problems
            .first()
            .map(|p| t.t(&format!("quality-{}", p.name()))),
    })
}

/// The upload's file as a stored upload of `side`, or why it cannot be one.
fn as_upload(t: &Tr, form: UploadForm, side: FileSide, pdf_ok: bool) -> Result<Upload, String> {
    let Some((bytes, filename, kind)) = form.file else {
        return Err(t.t("photo-missing"));
    };
    match kind {
        Some(content_type) if pdf_ok || content_type != "application/pdf" => Ok(Upload {
            side,
            filename,
            content_type,
            bytes,
        }),
        _ => Err(t.t("photo-unreadable")),
    }
}

/// `POST /c/{token}/photos`: one photo (`side`, `file`), judged before it is kept.
#[post("/c/{token}/photos")]
pub async fn photos(
    pool: web::Data<DbPool>,
    state: web::Data<AppState>,
    path: web::Path<String>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, PageError> {
    let token = path.into_inner();
    let Through { t, visit, base } = open_or_answer!(pool, state, req, token);
    let form = upload::read(&req, payload).await;
    let side = form
        .as_ref()
        .ok()
        .and_then(|f| f.field("side"))
        .and_then(|s| s.parse::<FileSide>().ok())
        .filter(|s| needs_side(&visit, *s));
    let refuse = |side: FileSide, why: String| {
        let page = photos_page(t.clone(), &base, &visit, Some((side, why)));
        render(StatusCode::UNPROCESSABLE_ENTITY, &page)
    };
    let Some(side) = side else {
        let first = visit
            .idv_type
            .and_then(|d| crate::domain::capture::sides_needed(d).first().copied())
            .unwrap_or(FileSide::Front);
        let why = match form {
            Err(UploadProblem::TooLarge) => t.t("photo-too-large"),
            _ => t.t("photo-missing"),
        };
        return refuse(first, why);
    };
    let upload = match form
        .map_err(|_| t.t("photo-unreadable"))
        .and_then(|f| as_upload(&t, f, side, false))
    {
        Ok(u) => u,
        Err(why) => return refuse(side, why),
    };
    if let Some(why) = refused_photo(&state, &t, upload.bytes.clone()).await? {
        return refuse(side, why);
    }
    let link = visit.link.id;
    let done = db::with_conn(&pool, move |conn| capture::add_photo(conn, link, &upload)).await;
    match done {
        Ok(()) => Ok(see_other(&format!("{base}/photos"))),
        Err(AppError::Validation(_)) => refuse(side, t.t("photo-unreadable")),
        Err(e) => failed(t, e),
    }
}

/// `POST /c/{token}/address`: a proof of address (`document_type`, `file`: a photo or a
/// PDF).
#[post("/c/{token}/address")]
pub async fn address(
    pool: web::Data<DbPool>,
    state: web::Data<AppState>,
    path: web::Path<String>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, PageError> {
    let token = path.into_inner();
    let Through { t, visit, base } = open_or_answer!(pool, state, req, token);
    let refuse = |why: String| {
        let page = address_page(t.clone(), &base, &visit, Some(why));
        render(StatusCode::UNPROCESSABLE_ENTITY, &page)
    };
    let form = match upload::read(&req, payload).await {
        Ok(f) => f,
        Err(UploadProblem::TooLarge) => return refuse(t.t("photo-too-large")),
        Err(UploadProblem::Malformed) => return refuse(t.t("photo-unreadable")),
    };
    let chosen = form.field("document_type").unwrap_or("").to_owned();
    if chosen.is_empty() {
        return refuse(t.t("error-document_type"));
    }
    let upload = match as_upload(&t, form, FileSide::Page, true) {
        Ok(u) => u,
        Err(why) => return refuse(why),
    };
    if upload.content_type != "application/pdf"
        && let Some(why) = refused_photo(&state, &t, upload.bytes.clone()).await?
    {
        return refuse(why);
    }
    let link = visit.link.id;
    let done = db::with_conn(&pool, move |conn| {
        capture::add_address(conn, link, &chosen, &upload)
    })
    .await;
    match done {
        Ok(()) => Ok(see_other(&format!("{base}/address"))),
        Err(AppError::Validation(_)) => refuse(t.t("error-document_type")),
        Err(e) => failed(t, e),
    }
}

/// `POST /c/{token}/submit`: sends everything. The session moves to `pending` and its
/// verifications run with auto-update, reading the photo in a reader turn with no
/// connection held; the completion rule then decides as it does for the API.
#[post("/c/{token}/submit")]
pub async fn submit(
    pool: web::Data<DbPool>,
    state: web::Data<AppState>,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, PageError> {
    let token = path.into_inner();
    let Through { t, visit, base } = open_or_answer!(pool, state, req, token);
    let link = visit.link.id;
    let runs = match db::with_conn(&pool, move |conn| capture::submit(conn, link)).await {
        Ok(runs) => runs,
        Err(AppError::Validation(_)) => {
            let page = review_page(t.clone(), &base, &visit, Some(t.t("review-missing")));
            return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
        Err(e) => return failed(t, e),
    };
    let policy = Policy {
        minimum_age: state.config.minimum_age,
        ..Policy::default()
    };
    let key = FingerprintKey::derive(&state.config.session_key);
    let ran = verifications::rerun(
        &pool,
        &state.readers,
        runs,
        policy,
        key,
        Actor::Applicant(link),
    )
    .await;
    if let Err(e) = ran {
        // Submitted all the same: the session waits as `pending`, and a reviewer can run
        // the checks again from the case page.
        tracing::warn!(error = %e, session = %visit.session.id, "verifications after a capture submit failed");
    }
    Ok(see_other("/c/done"))
}
