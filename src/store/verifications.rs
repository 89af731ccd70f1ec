//! Verifications and their checks.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::domain::engine::CheckName;
use crate::domain::kinds::{CheckStatus, Requirement, VerificationKind, VerificationStatus};
use crate::schema::{verification_checks, verifications};
use crate::store::paging::{Page, PageAt, newest_first_at, overfetch};

/// A verification as stored.
#[derive(Debug, Clone, Queryable, Selectable, serde::Deserialize)]
#[diesel(table_name = verifications, check_for_backend(diesel::pg::Pg))]
pub struct Verification {
    /// Primary key.
    pub id: Uuid,
    /// The session verified.
    pub session_id: Uuid,
    /// The document read.
    pub document_id: Uuid,
    /// `verification/idv` or `verification/address`.
    pub kind: VerificationKind,
    /// The result.
    pub status: VerificationStatus,
    /// Person data the engine extracted.
    pub extracted: Option<serde_json::Value>,
    /// Whether a pass writes the extracted data onto the session.
    pub auto_update_session: bool,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// When the result was reached.
    pub completed_at: Option<DateTime<Utc>>,
    /// Keyed fingerprints of the entered data it compared, by API field name; `None`
    /// when unknown (older rows, the demo) or redacted.
    pub compared: Option<serde_json::Value>,
}

/// A verification about to be stored.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = verifications)]
pub struct NewVerification {
    /// The session.
    pub session_id: Uuid,
    /// The document.
    pub document_id: Uuid,
    /// The kind.
    pub kind: VerificationKind,
    /// The result.
    pub status: VerificationStatus,
    /// Extracted person data.
    pub extracted: Option<serde_json::Value>,
    /// Auto-update flag.
    pub auto_update_session: bool,
    /// Creation time; now when `None`.
    pub created_at: Option<DateTime<Utc>>,
    /// When the result was reached.
    pub completed_at: Option<DateTime<Utc>>,
}

/// One check of a verification.
#[derive(Debug, Clone, Queryable, Selectable, serde::Deserialize)]
#[diesel(table_name = verification_checks, check_for_backend(diesel::pg::Pg))]
pub struct Check {
    /// Primary key.
    pub id: Uuid,
    /// The verification.
    pub verification_id: Uuid,
    /// Order within the verification.
    pub position: i16,
    /// Stable check name (`mrz_format`).
    pub name: CheckName,
    /// `passed`, `failed` or `not_applicable`.
    pub status: CheckStatus,
    /// `required` or `not_required`.
    pub requirement: Requirement,
    /// Why, in words.
    pub reasons: Vec<String>,
    /// Machine-readable detail.
    pub metadata: serde_json::Value,
}

/// A check about to be stored.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = verification_checks)]
pub struct NewCheck {
    /// The verification.
    pub verification_id: Uuid,
    /// Order within the verification.
    pub position: i16,
    /// Stable check name.
    pub name: CheckName,
    /// The result.
    pub status: CheckStatus,
    /// `required` or `not_required`.
    pub requirement: Requirement,
    /// Why, in words.
    pub reasons: Vec<String>,
    /// Machine-readable detail.
    pub metadata: serde_json::Value,
}

/// Stores a verification.
pub fn insert(conn: &mut PgConnection, new: &NewVerification) -> QueryResult<Verification> {
    diesel::insert_into(verifications::table)
        .values(new)
        .returning(Verification::as_returning())
        .get_result(conn)
}

/// Stores a verification's checks.
pub fn insert_checks(conn: &mut PgConnection, checks: &[NewCheck]) -> QueryResult<usize> {
    diesel::insert_into(verification_checks::table)
        .values(checks)
        .execute(conn)
}

/// A session's verifications, newest first.
pub fn for_session(conn: &mut PgConnection, session_id: Uuid) -> QueryResult<Vec<Verification>> {
    verifications::table
        .filter(verifications::session_id.eq(session_id))
        .order((verifications::created_at.desc(), verifications::id.desc()))
        .select(Verification::as_select())
        .load(conn)
}

/// The checks of some verifications, in order.
pub fn checks_for(conn: &mut PgConnection, verification_ids: &[Uuid]) -> QueryResult<Vec<Check>> {
    if verification_ids.is_empty() {
        return Ok(Vec::new());
    }
    verification_checks::table
        .filter(verification_checks::verification_id.eq_any(verification_ids))
        .order((
            verification_checks::verification_id.asc(),
            verification_checks::position.asc(),
        ))
        .select(Check::as_select())
        .load(conn)
}

/// Records the fingerprints of what a verification compared.
pub fn set_compared(
    conn: &mut PgConnection,
    id: Uuid,
    compared: &serde_json::Value,
) -> QueryResult<Verification> {
    diesel::update(verifications::table.find(id))
        .set(verifications::compared.eq(compared))
        .returning(Verification::as_returning())
        .get_result(conn)
}

/// The latest verification of each kind of a session, newest first.
pub fn latest_per_kind(
    conn: &mut PgConnection,
    session_id: Uuid,
) -> QueryResult<Vec<Verification>> {
    let mut seen = Vec::new();
    Ok(for_session(conn, session_id)?
        .into_iter()
        .filter(|v| {
            let new = !seen.contains(&v.kind);
            seen.push(v.kind);
            new
        })
        .collect())
}

/// One verification.
pub fn find(conn: &mut PgConnection, id: Uuid) -> QueryResult<Option<Verification>> {
    verifications::table
        .find(id)
        .select(Verification::as_select())
        .first(conn)
        .optional()
}

/// Every verification's kind and status for a session, newest first: what the completion
/// rule reads.
pub fn results(
    conn: &mut PgConnection,
    session_id: Uuid,
) -> QueryResult<Vec<(VerificationKind, VerificationStatus)>> {
    verifications::table
        .filter(verifications::session_id.eq(session_id))
        .order((verifications::created_at.desc(), verifications::id.desc()))
        .select((verifications::kind, verifications::status))
        .load(conn)
}

/// The filters of `GET /v1/identity/verifications`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VerificationFilter {
    /// Any of these statuses; all when empty.
    pub statuses: Vec<VerificationStatus>,
    /// One session's.
    pub session: Option<Uuid>,
    /// Created at or after.
    pub created_from: Option<DateTime<Utc>>,
    /// Created strictly before.
    pub created_before: Option<DateTime<Utc>>,
}

fn filtered(f: &VerificationFilter) -> verifications::BoxedQuery<'static, diesel::pg::Pg> {
    let mut q = verifications::table.into_boxed();
    if !f.statuses.is_empty() {
        q = q.filter(verifications::status.eq_any(f.statuses.clone()));
    }
    if let Some(s) = f.session {
        q = q.filter(verifications::session_id.eq(s));
    }
    if let Some(t) = f.created_from {
        q = q.filter(verifications::created_at.ge(t));
    }
    if let Some(t) = f.created_before {
        q = q.filter(verifications::created_at.lt(t));
    }
    q
}

/// One page of at most `limit` verifications, newest first, keyset-paged over
/// `(created_at, id)` like every API list, and whether there is more in the direction it
/// was read.
pub fn page(
    conn: &mut PgConnection,
    f: &VerificationFilter,
    at: PageAt,
    limit: i64,
) -> QueryResult<Page<Verification>> {
    let q = newest_first_at!(filtered(f), at, verifications);
    let rows = q
        .limit(overfetch(limit))
        .select(Verification::as_select())
        .load(conn)?;
    Ok(Page::read_at(rows, limit, at))
}

/// How many verifications match, for `page[total]=true`: exact up to `cap`, and `cap + 1`
/// when there are more, so that no count reads more than `cap + 1` rows.
pub fn count(conn: &mut PgConnection, f: &VerificationFilter, cap: i64) -> QueryResult<i64> {
    let ids: Vec<Uuid> = filtered(f)
        .select(verifications::id)
        .limit(cap + 1)
        .load(conn)?;
    Ok(ids.len() as i64)
}
