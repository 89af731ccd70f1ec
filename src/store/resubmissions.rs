//! Reviewers' requests that an applicant replace one document's photos.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::domain::capture::ResubmissionReason;
use crate::domain::kinds::ActorType;
use crate::schema::resubmission_requests;

/// A resubmission request as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = resubmission_requests, check_for_backend(diesel::pg::Pg))]
pub struct Resubmission {
    /// Primary key.
    pub id: Uuid,
    /// The session.
    pub session_id: Uuid,
    /// The document to replace.
    pub document_id: Uuid,
    /// Why.
    pub reason: ResubmissionReason,
    /// The reviewer's words to the applicant (cleared by redaction).
    pub message: Option<String>,
    /// Who asked.
    pub requested_by_type: ActorType,
    /// Their id.
    pub requested_by_id: Uuid,
    /// When.
    pub created_at: DateTime<Utc>,
    /// When the applicant sent the replacement.
    pub fulfilled_at: Option<DateTime<Utc>>,
}

/// A request about to be stored.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = resubmission_requests)]
pub struct NewResubmission {
    /// The session.
    pub session_id: Uuid,
    /// The document to replace.
    pub document_id: Uuid,
    /// Why.
    pub reason: ResubmissionReason,
    /// The reviewer's words to the applicant.
    pub message: Option<String>,
    /// Who asked.
    pub requested_by_type: ActorType,
    /// Their id.
    pub requested_by_id: Uuid,
}

/// Stores a request.
pub fn insert(conn: &mut PgConnection, new: &NewResubmission) -> QueryResult<Resubmission> {
    diesel::insert_into(resubmission_requests::table)
        .values(new)
        .returning(Resubmission::as_returning())
        .get_result(conn)
}

/// One request.
pub fn find(conn: &mut PgConnection, id: Uuid) -> QueryResult<Option<Resubmission>> {
    resubmission_requests::table
        .find(id)
        .select(Resubmission::as_select())
        .first(conn)
        .optional()
}

/// A session's requests, newest first.
pub fn for_session(conn: &mut PgConnection, session_id: Uuid) -> QueryResult<Vec<Resubmission>> {
    resubmission_requests::table
        .filter(resubmission_requests::session_id.eq(session_id))
        .order((
            resubmission_requests::created_at.desc(),
            resubmission_requests::id.desc(),
        ))
        .select(Resubmission::as_select())
        .load(conn)
}

/// How many a session has had, against `MAX_RESUBMISSIONS`.
pub fn count_for_session(conn: &mut PgConnection, session_id: Uuid) -> QueryResult<i64> {
    resubmission_requests::table
        .filter(resubmission_requests::session_id.eq(session_id))
        .count()
        .get_result(conn)
}

/// Marks a request answered.
pub fn set_fulfilled(conn: &mut PgConnection, id: Uuid, at: DateTime<Utc>) -> QueryResult<()> {
    diesel::update(resubmission_requests::table.find(id))
        .set(resubmission_requests::fulfilled_at.eq(at))
        .execute(conn)
        .map(|_| ())
}
