//! Documents and their files. File bytes live in `document_files.content` so that
//! redaction can remove them in the same transaction as everything else.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::domain::kinds::{DocumentKind, DocumentStatus, DocumentType, FileSide};
use crate::schema::{document_files, documents};
use crate::store::paging::{Page, PageAt, newest_first_at, overfetch};

/// A document as stored.
#[derive(Debug, Clone, Queryable, Selectable, serde::Deserialize)]
#[diesel(table_name = documents, check_for_backend(diesel::pg::Pg))]
pub struct Document {
    /// Primary key.
    pub id: Uuid,
    /// The session it belongs to.
    pub session_id: Uuid,
    /// `document/idv` or `document/address`.
    pub kind: DocumentKind,
    /// `passport`, `utility_bill`, ...
    pub document_type: DocumentType,
    /// Processing state.
    pub status: DocumentStatus,
    /// Machine-readable zone text, lines separated by `\n`.
    pub mrz: Option<String>,
    /// Fields an address document's capture client read (name, address, issue date).
    pub reported: Option<serde_json::Value>,
    /// Fields the verification engine extracted.
    pub extracted: Option<serde_json::Value>,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

/// A document about to be created.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = documents)]
pub struct NewDocument {
    /// The session.
    pub session_id: Uuid,
    /// `document/idv` or `document/address`.
    pub kind: DocumentKind,
    /// The document type.
    pub document_type: DocumentType,
    /// Initial status; `pending` when `None`.
    pub status: Option<DocumentStatus>,
    /// MRZ text.
    pub mrz: Option<String>,
    /// Reported fields.
    pub reported: Option<serde_json::Value>,
    /// Creation time; now when `None`.
    pub created_at: Option<DateTime<Utc>>,
}

/// A file's metadata, without its bytes.
#[derive(Debug, Clone, Queryable, Selectable, serde::Deserialize)]
#[diesel(table_name = document_files, check_for_backend(diesel::pg::Pg))]
pub struct FileMeta {
    /// Primary key.
    pub id: Uuid,
    /// The document it belongs to.
    pub document_id: Uuid,
    /// `front`, `back`, `portrait` or `page`.
    pub side: FileSide,
    /// The uploaded file name.
    pub filename: Option<String>,
    /// Recognised from the bytes.
    pub content_type: String,
    /// Size in bytes.
    pub byte_size: i32,
    /// Hex SHA-256 of the bytes.
    pub sha256: String,
    /// Upload time.
    pub created_at: DateTime<Utc>,
}

/// A file about to be stored.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = document_files)]
pub struct NewFile {
    /// The document.
    pub document_id: Uuid,
    /// Which side.
    pub side: FileSide,
    /// The uploaded file name.
    pub filename: Option<String>,
    /// Recognised from the bytes.
    pub content_type: String,
    /// Size in bytes.
    pub byte_size: i32,
    /// Hex SHA-256.
    pub sha256: String,
    /// The bytes.
    pub content: Option<Vec<u8>>,
    /// Upload time; now when `None`.
    pub created_at: Option<DateTime<Utc>>,
}

/// Inserts a document.
pub fn insert(conn: &mut PgConnection, new: &NewDocument) -> QueryResult<Document> {
    diesel::insert_into(documents::table)
        .values(new)
        .returning(Document::as_returning())
        .get_result(conn)
}

/// One document by id.
pub fn find(conn: &mut PgConnection, id: Uuid) -> QueryResult<Option<Document>> {
    documents::table
        .find(id)
        .select(Document::as_select())
        .first(conn)
        .optional()
}

/// A session's documents, oldest first.
pub fn for_session(conn: &mut PgConnection, session_id: Uuid) -> QueryResult<Vec<Document>> {
    documents::table
        .filter(documents::session_id.eq(session_id))
        .order((documents::created_at.asc(), documents::id.asc()))
        .select(Document::as_select())
        .load(conn)
}

/// Stores a file.
pub fn insert_file(conn: &mut PgConnection, new: &NewFile) -> QueryResult<FileMeta> {
    diesel::insert_into(document_files::table)
        .values(new)
        .returning(FileMeta::as_returning())
        .get_result(conn)
}

/// The files of some documents, oldest first, without their bytes.
pub fn files_for(conn: &mut PgConnection, document_ids: &[Uuid]) -> QueryResult<Vec<FileMeta>> {
    if document_ids.is_empty() {
        return Ok(Vec::new());
    }
    document_files::table
        .filter(document_files::document_id.eq_any(document_ids))
        .order((document_files::created_at.asc(), document_files::id.asc()))
        .select(FileMeta::as_select())
        .load(conn)
}

/// A file's metadata and bytes, provided it belongs to `session_id`. The bytes are `None`
/// once redacted.
pub fn file_of_session(
    conn: &mut PgConnection,
    session_id: Uuid,
    file_id: Uuid,
) -> QueryResult<Option<(FileMeta, Option<Vec<u8>>)>> {
    document_files::table
        .inner_join(documents::table)
        .filter(document_files::id.eq(file_id))
        .filter(documents::session_id.eq(session_id))
        .select((FileMeta::as_select(), document_files::content))
        .first(conn)
        .optional()
}

/// The file of a document the engine judges — its latest `front`, else its latest `page` —
/// as its id and bytes (`None` once redacted). Only that one row's bytes are read: a
/// document's other files never reach memory.
pub fn judged_file(
    conn: &mut PgConnection,
    document_id: Uuid,
) -> QueryResult<Option<(Uuid, Option<Vec<u8>>)>> {
    judged_first(document_id)
        .select((document_files::id, document_files::content))
        .first(conn)
        .optional()
}

/// The id of the file [`judged_file`] would read, without its bytes: to tell whether it is
/// still the one a verification judged.
pub fn judged_file_id(conn: &mut PgConnection, document_id: Uuid) -> QueryResult<Option<Uuid>> {
    judged_first(document_id)
        .select(document_files::id)
        .first(conn)
        .optional()
}

/// A document's front and page files, the one the engine judges first: the latest
/// `front`, else the latest `page`. One ordering for [`judged_file`] and
/// [`judged_file_id`], so that the file a verification rechecks is the one it read.
fn judged_first(document_id: Uuid) -> document_files::BoxedQuery<'static, diesel::pg::Pg> {
    document_files::table
        .filter(document_files::document_id.eq(document_id))
        .filter(document_files::side.eq_any([FileSide::Front, FileSide::Page]))
        .order((
            document_files::side.eq(FileSide::Front).desc(),
            document_files::created_at.desc(),
            document_files::id.desc(),
        ))
        .into_boxed()
}

/// The bytes of the image the engine reads ([`judged_file`]); `None` when there is none
/// (or it was redacted).
pub fn front_content(conn: &mut PgConnection, document_id: Uuid) -> QueryResult<Option<Vec<u8>>> {
    Ok(judged_file(conn, document_id)?.and_then(|(_, content)| content))
}

/// How many documents a session has.
pub fn count_for_session(conn: &mut PgConnection, session_id: Uuid) -> QueryResult<i64> {
    documents::table
        .filter(documents::session_id.eq(session_id))
        .count()
        .get_result(conn)
}

/// How many files a document has.
pub fn count_files(conn: &mut PgConnection, document_id: Uuid) -> QueryResult<i64> {
    document_files::table
        .filter(document_files::document_id.eq(document_id))
        .count()
        .get_result(conn)
}

/// Records what a verification made of a document: its processing status and the data
/// read from it.
pub fn set_processed(
    conn: &mut PgConnection,
    document_id: Uuid,
    status: DocumentStatus,
    extracted: Option<&serde_json::Value>,
    at: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::update(documents::table.find(document_id))
        .set((
            documents::status.eq(status),
            documents::extracted.eq(extracted),
            documents::updated_at.eq(at),
        ))
        .execute(conn)
}

/// Marks a document `submitted` once a file arrives for it.
pub fn mark_submitted(
    conn: &mut PgConnection,
    document_id: Uuid,
    at: DateTime<Utc>,
) -> QueryResult<Document> {
    diesel::update(documents::table.find(document_id))
        .set((
            documents::status.eq(DocumentStatus::Submitted),
            documents::updated_at.eq(at),
        ))
        .returning(Document::as_returning())
        .get_result(conn)
}

/// The filters of `GET /v1/identity/documents`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocumentFilter {
    /// One session's; all when `None`.
    pub session: Option<Uuid>,
}

fn filtered(f: &DocumentFilter) -> documents::BoxedQuery<'static, diesel::pg::Pg> {
    let mut q = documents::table.into_boxed();
    if let Some(s) = f.session {
        q = q.filter(documents::session_id.eq(s));
    }
    q
}

/// One page of at most `limit` documents, newest first, keyset-paged over
/// `(created_at, id)` like every API list, and whether there is more in the direction it
/// was read.
pub fn page(
    conn: &mut PgConnection,
    f: &DocumentFilter,
    at: PageAt,
    limit: i64,
) -> QueryResult<Page<Document>> {
    let q = newest_first_at!(filtered(f), at, documents);
    let rows = q
        .limit(overfetch(limit))
        .select(Document::as_select())
        .load(conn)?;
    Ok(Page::read_at(rows, limit, at))
}

/// How many documents match, for `page[total]=true`: exact up to `cap`, and `cap + 1`
/// when there are more, so that no count reads more than `cap + 1` rows.
pub fn count(conn: &mut PgConnection, f: &DocumentFilter, cap: i64) -> QueryResult<i64> {
    let ids: Vec<Uuid> = filtered(f)
        .select(documents::id)
        .limit(cap + 1)
        .load(conn)?;
    Ok(ids.len() as i64)
}
