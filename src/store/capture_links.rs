//! Capture links: the one-time links an applicant follows to complete their session, kept
//! by the SHA-256 of their token, with what the applicant did through each.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::domain::kinds::{ActorType, DocumentType};
use crate::schema::capture_links;

/// A capture link as stored.
#[derive(Debug, Clone, Queryable, Selectable, serde::Deserialize)]
#[diesel(table_name = capture_links, check_for_backend(diesel::pg::Pg))]
pub struct CaptureLink {
    /// Primary key; also the applicant's actor id in events.
    pub id: Uuid,
    /// The one session the link works for.
    pub session_id: Uuid,
    /// SHA-256 of the token.
    #[serde(deserialize_with = "super::case_file::bytea")]
    pub token_hash: Vec<u8>,
    /// The resubmission request this link answers, if it asks for one document again.
    pub resubmission_id: Option<Uuid>,
    /// Who asked for the link.
    pub created_by_type: ActorType,
    /// Their id.
    pub created_by_id: Option<Uuid>,
    /// When issued.
    pub created_at: DateTime<Utc>,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
    /// When a newer link replaced it.
    pub revoked_at: Option<DateTime<Utc>>,
    /// When the applicant consented.
    pub consented_at: Option<DateTime<Utc>>,
    /// The version of the privacy text they consented to.
    pub consent_version: Option<String>,
    /// Personal data fields the applicant entered through this link (columns).
    pub entered_fields: Vec<String>,
    /// The ID document type the applicant chose.
    pub idv_document_type: Option<DocumentType>,
    /// The ID document the applicant added through this link.
    pub idv_document_id: Option<Uuid>,
    /// The proof of address the applicant added through this link.
    pub address_document_id: Option<Uuid>,
    /// When the applicant submitted.
    pub submitted_at: Option<DateTime<Utc>>,
}

/// A link about to be issued.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = capture_links)]
pub struct NewCaptureLink {
    /// The session.
    pub session_id: Uuid,
    /// SHA-256 of the token.
    pub token_hash: Vec<u8>,
    /// The resubmission request it answers.
    pub resubmission_id: Option<Uuid>,
    /// Who asked.
    pub created_by_type: ActorType,
    /// Their id.
    pub created_by_id: Option<Uuid>,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
}

/// Revokes every open link of a session; how many there were.
pub fn revoke_open(
    conn: &mut PgConnection,
    session_id: Uuid,
    at: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::update(
        capture_links::table
            .filter(capture_links::session_id.eq(session_id))
            .filter(capture_links::revoked_at.is_null())
            .filter(capture_links::submitted_at.is_null()),
    )
    .set(capture_links::revoked_at.eq(at))
    .execute(conn)
}

/// Stores a new link.
pub fn insert(conn: &mut PgConnection, new: &NewCaptureLink) -> QueryResult<CaptureLink> {
    diesel::insert_into(capture_links::table)
        .values(new)
        .returning(CaptureLink::as_returning())
        .get_result(conn)
}

/// The link whose token hashes to `hash`, whatever its state.
pub fn find_by_hash(conn: &mut PgConnection, hash: &[u8]) -> QueryResult<Option<CaptureLink>> {
    capture_links::table
        .filter(capture_links::token_hash.eq(hash))
        .select(CaptureLink::as_select())
        .first(conn)
        .optional()
}

/// The session a link belongs to.
pub fn find_session(conn: &mut PgConnection, id: Uuid) -> QueryResult<Option<Uuid>> {
    capture_links::table
        .find(id)
        .select(capture_links::session_id)
        .first(conn)
        .optional()
}

/// One link, locked for the rest of the transaction.
pub fn lock(conn: &mut PgConnection, id: Uuid) -> QueryResult<Option<CaptureLink>> {
    capture_links::table
        .find(id)
        .select(CaptureLink::as_select())
        .for_update()
        .first(conn)
        .optional()
}

/// The newest link of a session, for the case page.
pub fn latest_for_session(
    conn: &mut PgConnection,
    session_id: Uuid,
) -> QueryResult<Option<CaptureLink>> {
    capture_links::table
        .filter(capture_links::session_id.eq(session_id))
        .order((capture_links::created_at.desc(), capture_links::id.desc()))
        .select(CaptureLink::as_select())
        .first(conn)
        .optional()
}

/// Records consent.
pub fn set_consent(
    conn: &mut PgConnection,
    id: Uuid,
    at: DateTime<Utc>,
    version: &str,
) -> QueryResult<()> {
    diesel::update(capture_links::table.find(id))
        .set((
            capture_links::consented_at.eq(at),
            capture_links::consent_version.eq(version),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Records the personal data fields the applicant entered (added to those before).
pub fn set_entered_fields(conn: &mut PgConnection, id: Uuid, fields: &[String]) -> QueryResult<()> {
    diesel::update(capture_links::table.find(id))
        .set(capture_links::entered_fields.eq(fields))
        .execute(conn)
        .map(|_| ())
}

/// Records the ID document type the applicant chose; a new choice forgets the document
/// of the last one.
pub fn set_idv_type(conn: &mut PgConnection, id: Uuid, t: DocumentType) -> QueryResult<()> {
    diesel::update(capture_links::table.find(id))
        .set((
            capture_links::idv_document_type.eq(t),
            capture_links::idv_document_id.eq(None::<Uuid>),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Records the ID document the applicant's first photo created.
pub fn set_idv_document(conn: &mut PgConnection, id: Uuid, doc: Uuid) -> QueryResult<()> {
    diesel::update(capture_links::table.find(id))
        .set(capture_links::idv_document_id.eq(doc))
        .execute(conn)
        .map(|_| ())
}

/// Records the proof of address the applicant added.
pub fn set_address_document(conn: &mut PgConnection, id: Uuid, doc: Uuid) -> QueryResult<()> {
    diesel::update(capture_links::table.find(id))
        .set(capture_links::address_document_id.eq(doc))
        .execute(conn)
        .map(|_| ())
}

/// Marks the link used: it works no more.
pub fn set_submitted(conn: &mut PgConnection, id: Uuid, at: DateTime<Utc>) -> QueryResult<()> {
    diesel::update(capture_links::table.find(id))
        .set(capture_links::submitted_at.eq(at))
        .execute(conn)
        .map(|_| ())
}
