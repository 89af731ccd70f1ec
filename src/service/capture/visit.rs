//! One applicant's visit through a live link: where it stands ([`open`]) and each step's
//! write, every one re-checking the link under the session's row lock.

use chrono::{NaiveDate, Utc};
use diesel::prelude::*;
use serde_json::json;
use uuid::Uuid;

use super::is_live;
use crate::domain::actor::Actor;
use crate::domain::capture::{Progress, Step, sides_needed};
use crate::domain::kinds::{DocumentKind, DocumentType, FileSide, VerificationKind};
use crate::domain::person::FieldError;
use crate::domain::status::{Action, SessionStatus};
use crate::error::{AppError, Conflict};
use crate::service::devices::{self, DeviceInput};
use crate::service::documents::{self, NewDocumentInput, Upload, parse_document_type};
use crate::service::person::{self, PersonForm};
use crate::service::transitions::{self, Request};
use crate::service::verifications::Request as Verification;
use crate::store::capture_links::{self, CaptureLink};
use crate::store::documents::{self as store_documents, FileMeta};
use crate::store::events::{self, NewEvent};
use crate::store::resubmissions::{self, Resubmission};
use crate::store::sessions::{self as store_sessions, Session};

/// The message of a required field left blank, so that a page can say it in the
/// applicant's language.
pub const REQUIRED: &str = "is required";

/// A personal-data field the capture flow may ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataField {
    /// The column, which is also the form field's name.
    pub column: &'static str,
    /// Whether the applicant must fill it.
    pub required: bool,
    /// Whether it belongs to the address, asked only when a proof of address is required.
    pub address: bool,
}

const fn f(column: &'static str, required: bool, address: bool) -> DataField {
    DataField {
        column,
        required,
        address,
    }
}

/// Every field the capture flow may ask for, in the order the form shows them: what the
/// checks compare a document with, and the address a proof of address is compared with.
pub const DATA_FIELDS: &[DataField] = &[
    f("first_name", true, false),
    f("middle_name", false, false),
    f("last_name", true, false),
    f("birth_date", true, false),
    f("address_line1", true, true),
    f("address_line2", false, true),
    f("address_postal_code", true, true),
    f("address_locality", true, true),
    f("address_country_code", true, true),
];

/// Where a visit stands: the link, its session, and what the applicant did through it.
/// Pages show only what the applicant typed or sent through this link, never the
/// session's earlier data.
#[derive(Debug, Clone)]
pub struct Visit {
    /// The link.
    pub link: CaptureLink,
    /// The session (read for the flow's rules; not for display).
    pub session: Session,
    /// The steps and which are done.
    pub progress: Progress,
    /// The personal-data fields this visit asks for.
    pub fields: Vec<DataField>,
    /// The ID document type (chosen through this link, or the one to replace).
    pub idv_type: Option<DocumentType>,
    /// Photos of it sent through this link.
    pub idv_files: Vec<FileMeta>,
    /// The proof of address's type.
    pub address_type: Option<DocumentType>,
    /// Its files sent through this link.
    pub address_files: Vec<FileMeta>,
    /// The request this link answers, when it asks for one document again.
    pub resubmission: Option<Resubmission>,
}

impl Visit {
    /// What the applicant typed into `column` through this link (blank otherwise).
    pub fn typed(&self, column: &str) -> String {
        if !self.link.entered_fields.iter().any(|c| c == column) {
            return String::new();
        }
        PersonForm::of(&self.session.person)
            .value(column)
            .to_owned()
    }
}

fn needs(session: &Session, kind: VerificationKind) -> bool {
    session.required_verifications.contains(&kind)
}

/// The fields a visit asks for: a field the session lacks, or one the applicant typed
/// through this link; the address only when a proof of address is required.
fn fields_asked(link: &CaptureLink, session: &Session) -> Vec<DataField> {
    if link.resubmission_id.is_some() {
        return Vec::new();
    }
    let form = PersonForm::of(&session.person);
    let with_address = needs(session, VerificationKind::Address);
    let asked: Vec<DataField> = DATA_FIELDS
        .iter()
        .copied()
        .filter(|f| with_address || !f.address)
        .filter(|f| {
            form.value(f.column).is_empty() || link.entered_fields.iter().any(|c| c == f.column)
        })
        .collect();
    // Only optional fields left blank is nothing to ask.
    if asked.iter().any(|f| f.required) {
        asked
    } else {
        asked
            .into_iter()
            .filter(|f| link.entered_fields.iter().any(|c| c == f.column))
            .collect()
    }
}

/// Files of `document` sent at or after the link was issued: the ones of this visit.
fn files_of_visit(
    conn: &mut PgConnection,
    link: &CaptureLink,
    document: Option<Uuid>,
) -> QueryResult<Vec<FileMeta>> {
    let Some(id) = document else {
        return Ok(Vec::new());
    };
    Ok(store_documents::files_for(conn, &[id])?
        .into_iter()
        .filter(|f| f.created_at >= link.created_at)
        .collect())
}

fn build(conn: &mut PgConnection, link: CaptureLink, session: Session) -> Result<Visit, AppError> {
    let resubmission = match link.resubmission_id {
        Some(id) => resubmissions::find(conn, id)?,
        None => None,
    };
    let replaced = match &resubmission {
        Some(r) => store_documents::find(conn, r.document_id)?,
        None => None,
    };
    let (idv_type, idv_doc, address_type, address_doc) = match &replaced {
        Some(d) if d.kind == DocumentKind::Idv => (Some(d.document_type), Some(d.id), None, None),
        Some(d) => (None, None, Some(d.document_type), Some(d.id)),
        None => {
            let address = match link.address_document_id {
                Some(id) => store_documents::find(conn, id)?,
                None => None,
            };
            (
                link.idv_document_type,
                link.idv_document_id,
                address.as_ref().map(|d| d.document_type),
                link.address_document_id,
            )
        }
    };
    let idv_files = files_of_visit(conn, &link, idv_doc)?;
    let address_files = files_of_visit(conn, &link, address_doc)?;
    let fields = fields_asked(&link, &session);
    let form = PersonForm::of(&session.person);
    let progress = Progress {
        consented: link.consented_at.is_some(),
        asks_data: !fields.is_empty(),
        data_complete: fields
            .iter()
            .all(|f| !f.required || !form.value(f.column).is_empty()),
        needs_idv: match &replaced {
            Some(d) => d.kind == DocumentKind::Idv,
            None => needs(&session, VerificationKind::Idv),
        },
        idv_type,
        idv_sides: idv_files.iter().map(|f| f.side).collect(),
        needs_address: match &replaced {
            Some(d) => d.kind == DocumentKind::Address,
            None => needs(&session, VerificationKind::Address),
        },
        address_done: !address_files.is_empty(),
        resubmission: resubmission.is_some(),
    };
    Ok(Visit {
        link,
        session,
        progress,
        fields,
        idv_type,
        idv_files,
        address_type,
        address_files,
        resubmission,
    })
}

/// The visit behind a token's hash, or `None` when no live link has it — unknown,
/// expired, revoked, used, or its session no longer waiting for the applicant, all alike.
pub fn open(conn: &mut PgConnection, token_hash: &[u8]) -> Result<Option<Visit>, AppError> {
    let Some(link) = capture_links::find_by_hash(conn, token_hash)? else {
        return Ok(None);
    };
    let Some(session) = store_sessions::find(conn, link.session_id)? else {
        return Ok(None);
    };
    if !is_live(&link, &session, Utc::now()) {
        return Ok(None);
    }
    build(conn, link, session).map(Some)
}

/// Runs `write` in a transaction on the live visit of `link_id`: the session's row locked
/// first, then the link's, and the link checked again. A link that died meanwhile is
/// `NotFound`, as it would be on the next page.
fn with_live<T>(
    conn: &mut PgConnection,
    link_id: Uuid,
    write: impl FnOnce(&mut PgConnection, Visit) -> Result<T, AppError>,
) -> Result<T, AppError> {
    conn.transaction(|conn| {
        let gone = AppError::NotFound("capture link");
        let session_id = capture_links::find_session(conn, link_id)?.ok_or(gone)?;
        let gone = || AppError::NotFound("capture link");
        let session = store_sessions::lock(conn, session_id)?.ok_or_else(gone)?;
        let link = capture_links::lock(conn, link_id)?.ok_or_else(gone)?;
        if !is_live(&link, &session, Utc::now()) {
            return Err(gone());
        }
        let visit = build(conn, link, session)?;
        write(conn, visit)
    })
}

fn applicant(visit: &Visit) -> Actor {
    Actor::Applicant(visit.link.id)
}

fn refuse_unless_open(visit: &Visit, step: Step) -> Result<(), AppError> {
    if visit.progress.may_open(step) {
        Ok(())
    } else {
        Err(AppError::Conflict(Conflict::Other(format!(
            "finish the earlier steps before {}",
            step.slug()
        ))))
    }
}

/// Records consent to the privacy notice of `version`, with a `capture.consented` event.
/// The first consent to a `created` session starts it (`session.started`) and records the
/// device it was started from, as `POST .../start` does.
pub fn consent(
    conn: &mut PgConnection,
    link_id: Uuid,
    device: &DeviceInput,
    version: &str,
) -> Result<(), AppError> {
    with_live(conn, link_id, |conn, visit| {
        if visit.link.consented_at.is_some() {
            return Ok(());
        }
        let actor = applicant(&visit);
        capture_links::set_consent(conn, link_id, Utc::now(), version)?;
        let event = NewEvent::new(actor, "capture.consented", Some(visit.session.id))
            .details(json!({ "link_id": link_id, "version": version }));
        events::insert(conn, &event)?;
        if visit.session.status == SessionStatus::Created {
            transitions::apply_in(conn, visit.session.id, &Request::new(Action::Start, actor))?;
            // A device the browser described oddly is still recorded, without the odd parts.
            let recorded = devices::parse(visit.session.id, device).or_else(|_| {
                devices::parse(
                    visit.session.id,
                    &DeviceInput {
                        ip: device.ip.clone(),
                        ..DeviceInput::default()
                    },
                )
            })?;
            crate::store::devices::insert(conn, &recorded)?;
        }
        Ok(())
    })
}

/// Writes the personal data the applicant typed: only the fields this visit asks for,
/// each by the API's rules, every required one filled. Nothing is written unless all is
/// valid; the errors name each field by its column.
pub fn enter_data(
    conn: &mut PgConnection,
    link_id: Uuid,
    typed: &PersonForm,
    today: NaiveDate,
) -> Result<(), AppError> {
    with_live(conn, link_id, |conn, visit| {
        refuse_unless_open(&visit, Step::Data)?;
        let asked: Vec<&str> = visit.fields.iter().map(|f| f.column).collect();
        let form = typed.retain(|column, _| asked.contains(&column));
        let mut errors: Vec<FieldError> = visit
            .fields
            .iter()
            .filter(|f| f.required && form.value(f.column).trim().is_empty())
            .map(|f| FieldError::new(f.column, REQUIRED))
            .collect();
        let changes = match person::parse(&form, today) {
            Ok(c) => Some(c),
            Err(bad) => {
                for e in bad {
                    let column = column_of(&e.field);
                    if !errors.iter().any(|x| x.field == column) {
                        errors.push(FieldError::new(column, e.message));
                    }
                }
                None
            }
        };
        let Some(changes) = changes.filter(|_| errors.is_empty()) else {
            return Err(AppError::Validation(errors));
        };
        person::update_in(conn, visit.session.id, &changes, applicant(&visit))?;
        let mut entered = visit.link.entered_fields.clone();
        for column in asked {
            if !form.value(column).trim().is_empty() && !entered.iter().any(|c| c == column) {
                entered.push(column.to_owned());
            }
        }
        capture_links::set_entered_fields(conn, link_id, &entered)?;
        Ok(())
    })
}

/// The column of a field an error names by its API name (`person.name.first` →
/// `first_name`), so that the capture form puts it beside its input.
fn column_of(api: &str) -> String {
    crate::domain::person::FIELDS
        .iter()
        .find(|f| f.api == api || f.column == api)
        .map_or_else(|| api.to_owned(), |f| f.column.to_owned())
}

/// Records the ID document type the applicant has.
pub fn choose_document(conn: &mut PgConnection, link_id: Uuid, raw: &str) -> Result<(), AppError> {
    let t =
        parse_document_type(DocumentKind::Idv, raw).map_err(|e| AppError::Validation(vec![e]))?;
    with_live(conn, link_id, |conn, visit| {
        refuse_unless_open(&visit, Step::Document)?;
        if visit.idv_type != Some(t) {
            capture_links::set_idv_type(conn, link_id, t)?;
        }
        Ok(())
    })
}

/// Stores a photo of the ID document, already judged good enough: a side its type needs,
/// an image. The document is created with its first photo (a resubmission adds to the
/// document asked for; its older files stay as superseded evidence).
pub fn add_photo(conn: &mut PgConnection, link_id: Uuid, upload: &Upload) -> Result<(), AppError> {
    with_live(conn, link_id, |conn, visit| {
        refuse_unless_open(&visit, Step::Photos)?;
        let t = visit.idv_type.ok_or_else(|| {
            AppError::Validation(vec![FieldError::new(
                "document_type",
                "choose a document first",
            )])
        })?;
        if !sides_needed(t).contains(&upload.side) {
            return Err(AppError::Validation(vec![FieldError::new(
                "side",
                format!("a {} needs no {} photo", t.label(), upload.side),
            )]));
        }
        if upload.content_type == "application/pdf" {
            return Err(AppError::Validation(vec![FieldError::new(
                "file",
                "send a photo (JPEG, PNG or WebP)",
            )]));
        }
        let actor = applicant(&visit);
        let document_id = match (&visit.resubmission, visit.link.idv_document_id) {
            (Some(r), _) => r.document_id,
            (None, Some(id)) => id,
            (None, None) => {
                let doc = documents::create(
                    conn,
                    &NewDocumentInput {
                        session_id: visit.session.id,
                        kind: DocumentKind::Idv,
                        document_type: t,
                        mrz: None,
                        reported: None,
                    },
                    actor,
                )?;
                capture_links::set_idv_document(conn, link_id, doc.id)?;
                doc.id
            }
        };
        documents::add_file(conn, document_id, upload, actor)?;
        Ok(())
    })
}

/// Stores a proof of address of type `raw` (a photo or a PDF).
pub fn add_address(
    conn: &mut PgConnection,
    link_id: Uuid,
    raw: &str,
    upload: &Upload,
) -> Result<(), AppError> {
    let t = parse_document_type(DocumentKind::Address, raw)
        .map_err(|e| AppError::Validation(vec![e]))?;
    with_live(conn, link_id, |conn, visit| {
        refuse_unless_open(&visit, Step::Address)?;
        let actor = applicant(&visit);
        let existing = match &visit.resubmission {
            Some(r) => Some(r.document_id),
            None => visit
                .link
                .address_document_id
                .filter(|_| visit.address_type == Some(t)),
        };
        let document_id = match existing {
            Some(id) => id,
            None => {
                let doc = documents::create(
                    conn,
                    &NewDocumentInput {
                        session_id: visit.session.id,
                        kind: DocumentKind::Address,
                        document_type: t,
                        mrz: None,
                        reported: None,
                    },
                    actor,
                )?;
                capture_links::set_address_document(conn, link_id, doc.id)?;
                doc.id
            }
        };
        documents::add_file(conn, document_id, upload, actor)?;
        Ok(())
    })
}

/// Submits: the session moves `started → pending` (`session.submitted`), the link is used
/// up, and the verifications to run (with auto-update) are returned for the caller to run
/// outside the transaction — the photo is read with no connection held. Anything missing
/// is a validation error naming the step.
pub fn submit(conn: &mut PgConnection, link_id: Uuid) -> Result<Vec<Verification>, AppError> {
    with_live(conn, link_id, |conn, visit| {
        let missing: Vec<FieldError> = visit
            .progress
            .steps()
            .into_iter()
            .filter(|s| *s != Step::Review && !visit.progress.done(*s))
            .map(|s| FieldError::new(s.slug(), "is not finished"))
            .collect();
        if !missing.is_empty() {
            return Err(AppError::Validation(missing));
        }
        let actor = applicant(&visit);
        transitions::apply_in(conn, visit.session.id, &Request::new(Action::Submit, actor))?;
        let now = Utc::now();
        capture_links::set_submitted(conn, link_id, now)?;
        let mut runs = Vec::new();
        let mut run = |kind: VerificationKind, document: Option<Uuid>| {
            if let Some(document_id) = document {
                runs.push(Verification {
                    kind,
                    session_id: visit.session.id,
                    document_id,
                    auto_update_session: true,
                });
            }
        };
        match &visit.resubmission {
            Some(r) => {
                resubmissions::set_fulfilled(conn, r.id, now)?;
                let kind = if visit.progress.needs_idv {
                    VerificationKind::Idv
                } else {
                    VerificationKind::Address
                };
                run(kind, Some(r.document_id));
            }
            None => {
                if visit.progress.needs_idv {
                    run(VerificationKind::Idv, visit.link.idv_document_id);
                }
                if visit.progress.needs_address {
                    run(VerificationKind::Address, visit.link.address_document_id);
                }
            }
        }
        Ok(runs)
    })
}

/// The sides still to photograph, in order.
pub fn sides_left(visit: &Visit) -> Vec<FileSide> {
    visit.idv_type.map_or_else(Vec::new, |t| {
        sides_needed(t)
            .iter()
            .copied()
            .filter(|s| !visit.idv_files.iter().any(|f| f.side == *s))
            .collect()
    })
}
