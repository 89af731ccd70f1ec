//! The flow's pages: each step drawn from the visit, with the progress bar and the
//! language switcher; and the photos the applicant sent through this link, for previews.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, web};
use askama::Template;
use uuid::Uuid;

use super::i18n::{LANGUAGES, Tr};
use super::{
    Through, current_url, dead, language, remember_language, render, seal, see_other, through,
};
use crate::app::AppState;
use crate::db::{self, DbPool};
use crate::domain::capture::{Step, sides_needed};
use crate::domain::kinds::{DocumentKind, DocumentType, FileSide};
use crate::service::capture::{self, Visit};
use crate::service::documents::document_types;
use crate::store::documents as store_documents;
use crate::web::error::PageError;

/// One entry of the progress bar.
pub struct StepView {
    /// Its name.
    pub label: String,
    /// `done`, `current` or `todo`.
    pub state: &'static str,
    /// Where it opens, when it may be opened.
    pub href: Option<String>,
}

/// A language of the switcher.
pub struct LangLink {
    /// `en`, `de`.
    pub code: &'static str,
    /// In its own words.
    pub name: &'static str,
    /// Whether it is the page's language.
    pub current: bool,
}

/// What every step page shares: texts, title, progress, switcher.
pub struct Shell {
    /// The texts.
    pub t: Tr,
    /// The page's heading and title.
    pub title: String,
    /// `/c/<token>`.
    pub base: String,
    /// The progress bar.
    pub steps: Vec<StepView>,
    /// "Step 2 of 5".
    pub progress: String,
    /// The switcher.
    pub langs: Vec<LangLink>,
    /// The previous step, for "Back".
    pub back: Option<String>,
}

impl Shell {
    /// The shell of `step` of `visit`.
    pub fn new(t: Tr, base: &str, visit: &Visit, step: Step, title: String) -> Shell {
        let p = &visit.progress;
        let all = p.steps();
        let index = all.iter().position(|s| *s == step).unwrap_or(0);
        let steps = all
            .iter()
            .map(|s| StepView {
                label: t.t(&format!("step-{}", s.slug())),
                state: if *s == step {
                    "current"
                } else if p.done(*s) {
                    "done"
                } else {
                    "todo"
                },
                href: (p.may_open(*s) && *s != step).then(|| format!("{base}/{}", s.slug())),
            })
            .collect();
        let progress = t.t2(
            "progress",
            ("n", &(index + 1).to_string()),
            ("total", &all.len().to_string()),
        );
        let back = index
            .checked_sub(1)
            .and_then(|i| all.get(i))
            .filter(|s| **s != Step::Consent)
            .map(|s| format!("{base}/{}", s.slug()));
        let langs = LANGUAGES
            .iter()
            .map(|(code, name)| LangLink {
                code,
                name,
                current: *code == t.code,
            })
            .collect();
        Shell {
            t,
            title,
            base: base.to_owned(),
            steps,
            progress,
            langs,
            back,
        }
    }
}

/// The label of an ID or address document type in the applicant's language.
pub fn type_label(t: &Tr, d: DocumentType) -> String {
    match d.kind() {
        DocumentKind::Idv => t.t(&format!("doctype-{}", d.as_str())),
        DocumentKind::Address => t.t(&format!("addresstype-{}", d.as_str())),
    }
}

/// An ID document type as a sentence names it ("your passport").
pub fn type_in_sentence(t: &Tr, d: DocumentType) -> String {
    match d.kind() {
        DocumentKind::Idv => t.t(&format!("docname-{}", d.as_str())),
        DocumentKind::Address => type_label(t, d),
    }
}

/// A resubmission request as the applicant reads it.
pub struct AskedAgain {
    /// "the photo is blurry".
    pub reason: String,
    /// The reviewer's message, if any.
    pub message: Option<String>,
    /// "We could not use the photo of your passport".
    pub intro: String,
}

fn asked_again(t: &Tr, visit: &Visit) -> Option<AskedAgain> {
    let r = visit.resubmission.as_ref()?;
    let document = visit
        .idv_type
        .or(visit.address_type)
        .map(|d| type_in_sentence(t, d))
        .unwrap_or_default();
    Some(AskedAgain {
        reason: t.t1(
            "resubmit-reason",
            "reason",
            &t.t(&format!("reason-{}", r.reason.as_str())),
        ),
        message: r.message.clone().filter(|m| !m.trim().is_empty()),
        intro: t.t1("resubmit-intro", "document", &document),
    })
}

#[derive(Template)]
#[template(path = "capture/consent.html")]
pub(super) struct ConsentPage {
    pub shell: Shell,
    pub privacy: Vec<String>,
    pub error: Option<String>,
    pub asked: Option<AskedAgain>,
}

/// A field of the data form.
pub struct FieldView {
    /// The column and input name.
    pub name: &'static str,
    /// Its label.
    pub label: String,
    /// A hint under it.
    pub hint: Option<String>,
    /// What is in it.
    pub value: String,
    /// Whether it must be filled.
    pub required: bool,
    /// What is wrong with it.
    pub error: Option<String>,
    /// The first field in error takes the focus.
    pub focus: bool,
    /// `<input type>`.
    pub input: &'static str,
    /// `autocomplete`.
    pub autocomplete: &'static str,
    /// Whether the address group starts here.
    pub address_start: bool,
}

#[derive(Template)]
#[template(path = "capture/data.html")]
pub(super) struct DataPage {
    pub shell: Shell,
    pub fields: Vec<FieldView>,
    pub has_errors: bool,
}

fn autocomplete(column: &str) -> &'static str {
    match column {
        "first_name" => "given-name",
        "middle_name" => "additional-name",
        "last_name" => "family-name",
        "birth_date" => "bday",
        "address_line1" => "address-line1",
        "address_line2" => "address-line2",
        "address_postal_code" => "postal-code",
        "address_locality" => "address-level2",
        "address_country_code" => "country",
        _ => "off",
    }
}

/// The data form: `typed` values (after a refused post) or the visit's own, and the
/// errors by column.
pub(super) fn data_page(
    t: Tr,
    base: &str,
    visit: &Visit,
    typed: Option<&dyn Fn(&str) -> String>,
    errors: &[(String, String)],
) -> DataPage {
    let mut focused = false;
    let mut address_seen = false;
    let fields = visit
        .fields
        .iter()
        .map(|f| {
            let error = errors
                .iter()
                .find(|(c, _)| c == f.column)
                .map(|(_, m)| m.clone());
            let focus = error.is_some() && !focused;
            focused |= focus;
            let address_start = f.address && !address_seen;
            address_seen |= f.address;
            FieldView {
                name: f.column,
                label: t.t(&format!("field-{}", f.column)),
                hint: match f.column {
                    "birth_date" | "address_country_code" => {
                        Some(t.t(&format!("field-{}-hint", f.column)))
                    }
                    _ => None,
                },
                value: typed.map_or_else(|| visit.typed(f.column), |typed| typed(f.column)),
                required: f.required,
                error,
                focus,
                input: if f.column == "birth_date" {
                    "date"
                } else {
                    "text"
                },
                autocomplete: autocomplete(f.column),
                address_start,
            }
        })
        .collect();
    DataPage {
        shell: Shell::new(t.clone(), base, visit, Step::Data, t.t("data-title")),
        fields,
        has_errors: !errors.is_empty(),
    }
}

/// A choice of document type.
pub struct TypeOption {
    /// The value sent.
    pub value: &'static str,
    /// Its label.
    pub label: String,
    /// Whether it is chosen.
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "capture/document.html")]
pub(super) struct DocumentPage {
    pub shell: Shell,
    pub options: Vec<TypeOption>,
    pub error: Option<String>,
}

pub(super) fn document_page(
    t: Tr,
    base: &str,
    visit: &Visit,
    error: Option<String>,
) -> DocumentPage {
    let order = [
        DocumentType::Passport,
        DocumentType::NationalId,
        DocumentType::DriversLicense,
        DocumentType::ResidencePermit,
    ];
    let options = order
        .iter()
        .map(|d| TypeOption {
            value: d.as_str(),
            label: type_label(&t, *d),
            checked: visit.idv_type == Some(*d),
        })
        .collect();
    DocumentPage {
        shell: Shell::new(
            t.clone(),
            base,
            visit,
            Step::Document,
            t.t("document-title"),
        ),
        options,
        error,
    }
}

/// One photo to take.
pub struct SideView {
    /// `page`, `front`, `back`.
    pub side: &'static str,
    /// "The front".
    pub label: String,
    /// The accepted photo's preview URL.
    pub accepted: Option<String>,
    /// Why the last one was refused.
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "capture/photos.html")]
pub(super) struct PhotosPage {
    pub shell: Shell,
    pub sides: Vec<SideView>,
    pub done: bool,
    pub next: String,
    pub asked: Option<AskedAgain>,
}

fn side_label(t: &Tr, side: FileSide) -> String {
    t.t(&format!("side-{}", side.as_str()))
}

pub(super) fn photos_page(
    t: Tr,
    base: &str,
    visit: &Visit,
    refused: Option<(FileSide, String)>,
) -> PhotosPage {
    let document = visit
        .idv_type
        .map(|d| type_in_sentence(&t, d))
        .unwrap_or_default();
    let sides = visit
        .idv_type
        .map(|d| sides_needed(d).to_vec())
        .unwrap_or_default()
        .into_iter()
        .map(|side| SideView {
            side: side.as_str(),
            label: side_label(&t, side),
            accepted: visit
                .idv_files
                .iter()
                .rev()
                .find(|f| f.side == side)
                .map(|f| format!("{base}/files/{}", f.id)),
            error: refused
                .as_ref()
                .filter(|(s, _)| *s == side)
                .map(|(_, m)| m.clone()),
        })
        .collect();
    PhotosPage {
        asked: asked_again(&t, visit),
        shell: Shell::new(
            t.clone(),
            base,
            visit,
            Step::Photos,
            t.t1("photos-title", "document", &document),
        ),
        sides,
        done: visit.progress.done(Step::Photos),
        next: current_url(base, visit),
    }
}

#[derive(Template)]
#[template(path = "capture/address.html")]
pub(super) struct AddressPage {
    pub shell: Shell,
    pub next: String,
    pub options: Vec<TypeOption>,
    pub accepted: Option<Accepted>,
    pub error: Option<String>,
    pub asked: Option<AskedAgain>,
}

/// A proof of address received.
pub struct Accepted {
    /// Its name as sent.
    pub filename: String,
    /// A preview URL, for an image.
    pub preview: Option<String>,
}

pub(super) fn address_page(t: Tr, base: &str, visit: &Visit, error: Option<String>) -> AddressPage {
    let options = document_types(DocumentKind::Address)
        .into_iter()
        .map(|d| TypeOption {
            value: d.as_str(),
            label: type_label(&t, d),
            checked: visit.address_type == Some(d),
        })
        .collect();
    let accepted = visit.address_files.last().map(|f| Accepted {
        filename: f.filename.clone().unwrap_or_else(|| t.t("address-file")),
        preview: f
            .content_type
            .starts_with("image/")
            .then(|| format!("{base}/files/{}", f.id)),
    });
    AddressPage {
        asked: asked_again(&t, visit),
        shell: Shell::new(t.clone(), base, visit, Step::Address, t.t("address-title")),
        next: current_url(base, visit),
        options,
        accepted,
        error,
    }
}

/// A line of the review.
pub struct ReviewRow {
    /// Its label.
    pub label: String,
    /// What was given.
    pub value: String,
}

#[derive(Template)]
#[template(path = "capture/review.html")]
pub(super) struct ReviewPage {
    pub shell: Shell,
    pub data: Vec<ReviewRow>,
    pub document: Option<ReviewRow>,
    pub address: Option<ReviewRow>,
    pub complete: bool,
    pub error: Option<String>,
}

pub(super) fn review_page(t: Tr, base: &str, visit: &Visit, error: Option<String>) -> ReviewPage {
    let data = visit
        .fields
        .iter()
        .filter_map(|f| {
            let value = visit.typed(f.column);
            (!value.is_empty()).then(|| ReviewRow {
                label: t.t(&format!("field-{}", f.column)),
                value,
            })
        })
        .collect();
    let document = visit
        .idv_type
        .filter(|_| visit.progress.needs_idv)
        .map(|d| ReviewRow {
            label: type_label(&t, d),
            value: t.tn("review-photos", "count", visit.idv_files.len()),
        });
    let address = visit
        .address_type
        .filter(|_| visit.progress.needs_address)
        .map(|d| ReviewRow {
            label: type_label(&t, d),
            value: t.tn("review-photos", "count", visit.address_files.len()),
        });
    ReviewPage {
        shell: Shell::new(t.clone(), base, visit, Step::Review, t.t("review-title")),
        data,
        document,
        address,
        complete: visit.progress.complete(),
        error,
    }
}

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

/// The operator's privacy text, by paragraph.
pub(super) fn paragraphs(text: &str) -> Vec<String> {
    text.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect()
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

/// Whether an upload of `side` fits the visit (used by the handlers before judging).
pub(super) fn needs_side(visit: &Visit, side: FileSide) -> bool {
    visit
        .idv_type
        .is_some_and(|d| sides_needed(d).contains(&side))
}

/// Re-reads the visit after a write.
pub(super) async fn reopen(pool: &DbPool, token: &str) -> Result<Option<Visit>, PageError> {
    let Some(hash) = capture::hash_token(token) else {
        return Ok(None);
    };
    Ok(db::with_conn(pool, move |conn| capture::open(conn, &hash)).await?)
}
