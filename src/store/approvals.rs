//! Requests that a second person approve a redaction or a decline (four eyes).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::domain::approvals::{ApprovalKind, ApprovalStatus};
use crate::schema::{approval_requests, users};

/// A request as stored.
#[derive(Debug, Clone, Queryable, Selectable, serde::Deserialize)]
#[diesel(table_name = approval_requests, check_for_backend(diesel::pg::Pg))]
pub struct ApprovalRequest {
    /// Primary key.
    pub id: Uuid,
    /// What it asks for.
    pub kind: ApprovalKind,
    /// The session it is about.
    pub session_id: Uuid,
    /// Who asked.
    pub requested_by: Uuid,
    /// When.
    pub created_at: DateTime<Utc>,
    /// When it lapses if nobody decides.
    pub expires_at: DateTime<Utc>,
    /// A decline's reason code.
    pub reason: Option<String>,
    /// A decline's comment (erased by redaction).
    pub comment: Option<String>,
    /// Where it stands.
    pub status: ApprovalStatus,
    /// Who approved, rejected or withdrew it.
    pub decided_by: Option<Uuid>,
    /// When.
    pub decided_at: Option<DateTime<Utc>>,
}

/// A request about to be stored.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = approval_requests)]
pub struct NewApprovalRequest {
    /// What it asks for.
    pub kind: ApprovalKind,
    /// The session.
    pub session_id: Uuid,
    /// Who asks.
    pub requested_by: Uuid,
    /// When it lapses.
    pub expires_at: DateTime<Utc>,
    /// A decline's reason code.
    pub reason: Option<String>,
    /// A decline's comment.
    pub comment: Option<String>,
}

/// A pending request with its requester's name, for the lists.
#[derive(Debug, Clone)]
pub struct Listed {
    /// The request.
    pub request: ApprovalRequest,
    /// Its requester's display name.
    pub requester: String,
}

/// Stores a request.
pub fn insert(conn: &mut PgConnection, new: &NewApprovalRequest) -> QueryResult<ApprovalRequest> {
    diesel::insert_into(approval_requests::table)
        .values(new)
        .returning(ApprovalRequest::as_returning())
        .get_result(conn)
}

/// One request, locked for the rest of the transaction.
pub fn lock(conn: &mut PgConnection, id: Uuid) -> QueryResult<Option<ApprovalRequest>> {
    approval_requests::table
        .find(id)
        .for_update()
        .select(ApprovalRequest::as_select())
        .first(conn)
        .optional()
}

/// Pending requests, oldest first, with their requesters' names; of one session when given.
pub fn pending(
    conn: &mut PgConnection,
    session: Option<Uuid>,
    now: DateTime<Utc>,
) -> QueryResult<Vec<Listed>> {
    let mut q = approval_requests::table
        .inner_join(users::table.on(users::id.eq(approval_requests::requested_by)))
        .filter(approval_requests::status.eq(ApprovalStatus::Pending))
        .filter(approval_requests::expires_at.gt(now))
        .order(approval_requests::created_at.asc())
        .select((ApprovalRequest::as_select(), users::display_name))
        .limit(500)
        .into_boxed();
    if let Some(id) = session {
        q = q.filter(approval_requests::session_id.eq(id));
    }
    Ok(q.load::<(ApprovalRequest, String)>(conn)?
        .into_iter()
        .map(|(request, requester)| Listed { request, requester })
        .collect())
}

/// Closes a pending request as `status`, by `by`.
pub fn close(
    conn: &mut PgConnection,
    id: Uuid,
    status: ApprovalStatus,
    by: Option<Uuid>,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::update(
        approval_requests::table
            .find(id)
            .filter(approval_requests::status.eq(ApprovalStatus::Pending)),
    )
    .set((
        approval_requests::status.eq(status),
        approval_requests::decided_by.eq(by),
        approval_requests::decided_at.eq(now),
    ))
    .execute(conn)
}

/// Marks up to `batch` pending requests past their time as expired; their ids, sessions
/// and kinds. Rows another transaction holds are skipped.
pub fn expire_due(
    conn: &mut PgConnection,
    now: DateTime<Utc>,
    batch: i64,
) -> QueryResult<Vec<(Uuid, Uuid, ApprovalKind)>> {
    let due: Vec<Uuid> = approval_requests::table
        .filter(approval_requests::status.eq(ApprovalStatus::Pending))
        .filter(approval_requests::expires_at.le(now))
        .order(approval_requests::expires_at.asc())
        .limit(batch)
        .for_update()
        .skip_locked()
        .select(approval_requests::id)
        .load(conn)?;
    diesel::update(approval_requests::table.filter(approval_requests::id.eq_any(&due)))
        .set((
            approval_requests::status.eq(ApprovalStatus::Expired),
            approval_requests::decided_at.eq(now),
        ))
        .returning((
            approval_requests::id,
            approval_requests::session_id,
            approval_requests::kind,
        ))
        .load(conn)
}

/// Erases the comments of a session's requests (redaction).
pub fn erase_comments(conn: &mut PgConnection, session: Uuid) -> QueryResult<usize> {
    diesel::update(
        approval_requests::table
            .filter(approval_requests::session_id.eq(session))
            .filter(approval_requests::comment.is_not_null()),
    )
    .set(approval_requests::comment.eq(None::<String>))
    .execute(conn)
}
