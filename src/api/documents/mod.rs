//! `/v1/identity/documents`: create an ID or address document for a session
//! ([`create`]), upload its files ([`files`]), read one back ([`show`]) or list them, a
//! session's or all ([`list`]).

pub mod create;
pub mod files;
pub mod list;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use uuid::Uuid;

use super::auth::{Authorized, grant};
use super::envelope::{self, Document, Linkage, Resource, SelfLink, ToOne, timestamp};
use super::error::ApiError;
use crate::db::{self, DbPool};
use crate::domain::kinds::DocumentKind;
use crate::error::AppError;
use crate::service::reads;
use crate::store::documents::{self as store, Document as DocumentRow, FileMeta};

/// Where documents live.
pub const PATH: &str = "/v1/identity/documents";

/// One file of a document, without its bytes.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FileOut {
    /// The file's id.
    pub id: Uuid,
    /// `front`, `back`, `portrait` or `page`.
    #[schema(value_type = crate::domain::kinds::FileSide, inline)]
    pub side: String,
    /// The uploaded file name, sanitised; null when none was given, and once the session
    /// is redacted.
    pub filename: Option<String>,
    /// Recognised from the bytes: `image/jpeg`, `image/png`, `image/webp` or
    /// `application/pdf`.
    pub content_type: String,
    /// Size in bytes.
    #[schema(minimum = 1)]
    pub byte_size: i32,
    /// Hex SHA-256 of the bytes.
    #[schema(pattern = "^[0-9a-f]{64}$")]
    pub sha256: String,
    /// Upload time.
    #[schema(format = DateTime)]
    pub created_at: String,
}

/// A document's attributes. `mrz` is sent for ID documents, `reported` for address ones.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DocumentAttributes {
    /// `passport`, `utility_bill`, ...
    #[schema(value_type = crate::domain::kinds::DocumentType, inline)]
    pub document_type: String,
    /// `pending`, `submitted`, `processing`, `processed` or `failed`.
    #[schema(value_type = crate::domain::kinds::DocumentStatus, inline)]
    pub status: String,
    /// Machine-readable zone text (ID documents).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mrz: Option<Option<String>>,
    /// Fields the capture client read (address documents).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reported: Option<Option<serde_json::Value>>,
    /// The uploaded files, oldest first.
    pub files: Vec<FileOut>,
    /// Creation time.
    #[schema(format = DateTime)]
    pub created_at: String,
    /// Last change.
    #[schema(format = DateTime)]
    pub updated_at: String,
}

/// What a document links to.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DocumentRelationships {
    /// Its session.
    pub session: ToOne,
}

/// A document as sent.
pub type DocumentResource = Resource<DocumentAttributes, DocumentRelationships>;

/// The resource of a document row and its files. Once its session is `redacted`, the MRZ,
/// the reported fields and the file names are sent as null.
pub fn resource(d: &DocumentRow, files: &[FileMeta], redacted: bool) -> DocumentResource {
    let idv = d.kind == DocumentKind::Idv;
    let kept = !redacted;
    Resource {
        kind: d.kind.as_str(),
        id: d.id,
        attributes: DocumentAttributes {
            document_type: d.document_type.to_string(),
            status: d.status.to_string(),
            mrz: idv.then(|| d.mrz.clone().filter(|_| kept)),
            reported: (!idv).then(|| d.reported.clone().filter(|_| kept)),
            files: files
                .iter()
                .filter(|f| f.document_id == d.id)
                .map(|f| FileOut {
                    id: f.id,
                    side: f.side.to_string(),
                    filename: f.filename.clone().filter(|_| kept),
                    content_type: f.content_type.clone(),
                    byte_size: f.byte_size,
                    sha256: f.sha256.clone(),
                    created_at: timestamp(f.created_at),
                })
                .collect(),
            created_at: timestamp(d.created_at),
            updated_at: timestamp(d.updated_at),
        },
        relationships: DocumentRelationships {
            session: ToOne {
                data: Some(Linkage::new(
                    crate::api::sessions::resource::TYPE,
                    d.session_id,
                )),
            },
        },
        links: SelfLink {
            self_: format!("{PATH}/{}", d.id),
        },
    }
}

/// The resource of `document`, its files read in the caller's connection.
pub fn with_files(
    conn: &mut diesel::PgConnection,
    document: &DocumentRow,
) -> Result<DocumentResource, AppError> {
    let redacted_at = crate::store::sessions::redacted_at(conn, document.session_id)?;
    let files = store::files_for(conn, &[document.id])?;
    Ok(resource(document, &files, redacted_at.is_some()))
}

/// The resources of a page of documents: their files in one query, which of their
/// sessions are redacted in another.
pub fn all_with_files(
    conn: &mut diesel::PgConnection,
    documents: &[DocumentRow],
) -> Result<Vec<DocumentResource>, AppError> {
    let ids: Vec<Uuid> = documents.iter().map(|d| d.id).collect();
    let mut sessions: Vec<Uuid> = documents.iter().map(|d| d.session_id).collect();
    sessions.sort();
    sessions.dedup();
    let files = store::files_for(conn, &ids)?;
    let redacted = crate::store::sessions::redacted_among(conn, &sessions)?;
    Ok(documents
        .iter()
        .map(|d| resource(d, &files, redacted.contains(&d.session_id)))
        .collect())
}

/// One document with its files.
#[utoipa::path(
    get,
    path = "/v1/identity/documents/{id}",
    operation_id = "getDocument",
    tag = "documents",
    summary = "Get a document with its files",
    description = "Needs the `sessions:read` permission, and counts as a read of its session.",
    security(("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "The resource id"),
    ),
    responses(
        (status = 200, description = "The document", body = Document<Resource<DocumentAttributes, DocumentRelationships>>, content_type = "application/vnd.api+json",
            links(
                ("getSession" = (operation_id = "getSession", parameters(("id" = "$response.body#/data/relationships/session/data/id")))),
            ),
        ),
        crate::api::responses::ReadErrors,
    ),
)]
#[get("/documents/{id}")]
pub async fn show(
    auth: Authorized<grant::SessionsRead>,
    pool: web::Data<DbPool>,
    state: web::Data<crate::app::AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let (data, session) = db::with_conn(&pool, move |conn| {
        let document = store::find(conn, id)?.ok_or(AppError::NotFound("document"))?;
        Ok((with_files(conn, &document)?, document.session_id))
    })
    .await?;
    reads::api_session_data_read(&state.reads, auth.key.id, [session]);
    Ok(envelope::respond(StatusCode::OK, &Document { data }))
}
