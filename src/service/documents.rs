//! Documents of a session: creating one (an ID with optional MRZ text, or a proof of
//! address with optional reported fields) and storing an uploaded file of it. Each is one
//! transaction with its audit event, after the session row is locked, so that a
//! concurrent redaction or decision is either fully before or fully after it.

use chrono::{NaiveDate, Utc};
use diesel::prelude::*;
use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::domain::actor::Actor;
use crate::domain::kinds::{DocumentKind, DocumentType, FileSide};
use crate::domain::person::FieldError;
use crate::error::{AppError, Conflict};
use crate::store::documents::{self, Document, FileMeta, NewDocument, NewFile};
use crate::store::events::{self, NewEvent};
use crate::store::sessions as store_sessions;

/// `document/idv`
pub const KIND_IDV: DocumentKind = DocumentKind::Idv;
/// `document/address`
pub const KIND_ADDRESS: DocumentKind = DocumentKind::Address;
/// The largest file stored: 10 MiB.
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;
/// The longest MRZ text.
pub const MAX_MRZ_CHARS: usize = 200;
/// The longest stored file name.
pub const MAX_FILENAME_CHARS: usize = 255;
/// The most documents one session holds: each verification reads one of them, and an
/// applicant never needs more, so a client cannot grow a session without bound.
pub const MAX_DOCUMENTS_PER_SESSION: i64 = 20;
/// The most files one document holds (at 10 MiB each, at most 200 MiB of bytes).
pub const MAX_FILES_PER_DOCUMENT: i64 = 20;
/// The sides a file may show.
pub const SIDES: &[&str] = &["front", "back", "portrait", "page"];

/// The document types of a kind.
pub fn document_types(kind: DocumentKind) -> Vec<DocumentType> {
    DocumentType::ALL
        .iter()
        .copied()
        .filter(|t| t.kind() == kind)
        .collect()
}

/// Checks a document type against its kind.
pub fn parse_document_type(kind: DocumentKind, raw: &str) -> Result<DocumentType, FieldError> {
    match raw.parse::<DocumentType>() {
        Ok(t) if t.kind() == kind => Ok(t),
        _ => {
            let types: Vec<&str> = document_types(kind).iter().map(|t| t.as_str()).collect();
            Err(FieldError::new(
                "document_type",
                format!("must be one of {}", types.join(", ")),
            ))
        }
    }
}

/// Checks MRZ text: at most 200 characters of `A-Z`, `0-9`, `<` and line breaks. `\r\n`
/// becomes `\n`; surrounding whitespace is dropped; blank is `None`.
pub fn parse_mrz(raw: &str) -> Result<Option<String>, FieldError> {
    let text = raw.replace("\r\n", "\n");
    let text = text.trim_matches(|c: char| c == '\n' || c == ' ');
    if text.is_empty() {
        return Ok(None);
    }
    if text.chars().count() > MAX_MRZ_CHARS {
        return Err(FieldError::new(
            "mrz",
            format!("must be at most {MAX_MRZ_CHARS} characters"),
        ));
    }
    if !text
        .chars()
        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '<' || c == '\n')
    {
        return Err(FieldError::new(
            "mrz",
            "may only hold A-Z, 0-9, < and line breaks",
        ));
    }
    Ok(Some(text.to_owned()))
}

/// Checks an address document's `issued_on`: a real `YYYY-MM-DD` date from 1900 to today.
pub fn parse_issued_on(raw: &str, today: NaiveDate) -> Result<NaiveDate, FieldError> {
    let field = "reported.issued_on";
    let date = NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .map_err(|_| FieldError::new(field, "must be a date as YYYY-MM-DD"))?;
    let earliest = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(NaiveDate::MIN);
    if date < earliest || date > today {
        return Err(FieldError::new(
            field,
            "must be between 1900-01-01 and today",
        ));
    }
    Ok(date)
}

/// A file name as stored: the last path segment, without control characters, at most
/// 255 characters; `None` when nothing is left.
pub fn sanitize_filename(raw: &str) -> Option<String> {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let clean: String = last
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_FILENAME_CHARS)
        .collect();
    let clean = clean.trim();
    (!clean.is_empty() && clean != "." && clean != "..").then(|| clean.to_owned())
}

/// A document about to be created, already validated.
#[derive(Debug, Clone)]
pub struct NewDocumentInput {
    /// The session.
    pub session_id: Uuid,
    /// [`KIND_IDV`] or [`KIND_ADDRESS`].
    pub kind: DocumentKind,
    /// A type of that kind.
    pub document_type: DocumentType,
    /// MRZ text (ID documents).
    pub mrz: Option<String>,
    /// Reported fields (address documents).
    pub reported: Option<serde_json::Value>,
}

/// Locks the session and refuses a redacted or final one with a conflict; a missing one is
/// `missing`.
fn lock_open_session(
    conn: &mut PgConnection,
    session_id: Uuid,
    missing: AppError,
) -> Result<(), AppError> {
    let row = store_sessions::lock_state(conn, session_id)?;
    let Some((status, redacted_at)) = row else {
        return Err(missing);
    };
    if redacted_at.is_some() {
        return Err(AppError::Conflict(Conflict::Redacted));
    }
    if status.is_final() {
        return Err(AppError::conflict(format!(
            "session is {}: it takes no more documents",
            status.label()
        )));
    }
    Ok(())
}

/// Creates a document with a `document.created` event. A missing session is a validation
/// error on `session`; a redacted or final one a conflict.
pub fn create(
    conn: &mut PgConnection,
    input: &NewDocumentInput,
    actor: Actor,
) -> Result<Document, AppError> {
    conn.transaction(|conn| {
        let missing = AppError::missing("session", "no such session");
        lock_open_session(conn, input.session_id, missing)?;
        // Counted under the session's row lock: two creates cannot both take the last place.
        if documents::count_for_session(conn, input.session_id)? >= MAX_DOCUMENTS_PER_SESSION {
            return Err(AppError::LimitReached(format!(
                "a session holds at most {MAX_DOCUMENTS_PER_SESSION} documents, and this one has \
                 reached the limit"
            )));
        }
        let new = NewDocument {
            session_id: input.session_id,
            kind: input.kind,
            document_type: input.document_type,
            status: None,
            mrz: input.mrz.clone(),
            reported: input.reported.clone(),
            created_at: None,
        };
        let document = documents::insert(conn, &new)?;
        let event =
            NewEvent::new(actor, "document.created", Some(input.session_id)).details(json!({
                "document_id": document.id,
                "kind": document.kind,
                "document_type": document.document_type,
            }));
        events::insert(conn, &event)?;
        Ok(document)
    })
}

/// An uploaded file, read and recognised.
#[derive(Debug, Clone)]
pub struct Upload {
    /// `front`, `back`, `portrait` or `page`.
    pub side: FileSide,
    /// The sanitised file name.
    pub filename: Option<String>,
    /// Recognised from the bytes.
    pub content_type: &'static str,
    /// The bytes.
    pub bytes: Vec<u8>,
}

/// Hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Stores a file of document `document_id`, marks the document `submitted`, and records a
/// `document.file_uploaded` event; the document and its file afterwards.
pub fn add_file(
    conn: &mut PgConnection,
    document_id: Uuid,
    upload: &Upload,
    actor: Actor,
) -> Result<(Document, FileMeta), AppError> {
    conn.transaction(|conn| {
        let document = documents::find(conn, document_id)?.ok_or(AppError::NotFound("document"))?;
        lock_open_session(conn, document.session_id, AppError::NotFound("document"))?;
        if documents::count_files(conn, document_id)? >= MAX_FILES_PER_DOCUMENT {
            return Err(AppError::LimitReached(format!(
                "a document holds at most {MAX_FILES_PER_DOCUMENT} files, and this one has \
                 reached the limit"
            )));
        }
        if upload.content_type == "application/pdf" && document.kind != KIND_ADDRESS {
            return Err(AppError::Validation(vec![FieldError::new(
                "file",
                "PDF files are accepted for address documents only",
            )]));
        }
        let byte_size = i32::try_from(upload.bytes.len())
            .map_err(|_| AppError::Validation(vec![FieldError::new("file", "too large")]))?;
        let new = NewFile {
            document_id,
            side: upload.side,
            filename: upload.filename.clone(),
            content_type: upload.content_type.to_owned(),
            byte_size,
            sha256: sha256_hex(&upload.bytes),
            content: Some(upload.bytes.clone()),
            created_at: None,
        };
        let file = documents::insert_file(conn, &new)?;
        let document = documents::mark_submitted(conn, document_id, Utc::now())?;
        let event = NewEvent::new(actor, "document.file_uploaded", Some(document.session_id))
            .details(json!({
                "document_id": document.id,
                "file_id": file.id,
                "side": file.side,
                "content_type": file.content_type,
                "byte_size": file.byte_size,
            }));
        events::insert(conn, &event)?;
        Ok((document, file))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mrz_and_filenames_are_checked() {
        assert!(parse_mrz("P<UTO\nL898<<").unwrap().is_some());
        assert!(parse_mrz("p<uto").is_err());
        assert!(parse_mrz(&"A".repeat(201)).is_err());
        assert_eq!(parse_mrz("  ").unwrap(), None);
        assert_eq!(
            sanitize_filename("../../etc/pa\u{0}sswd"),
            Some("passwd".into())
        );
        assert_eq!(sanitize_filename("C:\\x\\id.png"), Some("id.png".into()));
        assert_eq!(sanitize_filename(".."), None);
        assert_eq!(sanitize_filename(&"a".repeat(400)).unwrap().len(), 255);
        assert!(parse_document_type(KIND_IDV, "utility_bill").is_err());
        assert!(parse_document_type(KIND_ADDRESS, "utility_bill").is_ok());
    }
}
