//! The statements behind redaction: each clears the personal columns of one table for one
//! session (or account), and touches only rows that still hold something, so that running
//! them again on a redacted session writes nothing at all.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::Timestamptz;
use uuid::Uuid;

use crate::domain::kinds::ActorType;
use crate::schema::{
    accounts, document_files, documents, notes, session_devices, sessions, verification_checks,
    verifications,
};
use crate::store::accounts::Account;
use crate::store::sessions::{PersonChanges, Session};

/// How many rows of each kind one scrub changed: what the `session.redacted` event counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Scrubbed {
    /// Devices whose address, user agent and the rest were cleared.
    pub devices: usize,
    /// Documents whose MRZ, reported and extracted fields were cleared.
    pub documents: usize,
    /// Files whose bytes and name were deleted.
    pub files: usize,
    /// Verifications whose extracted data was cleared.
    pub verifications: usize,
    /// Checks whose reasons and metadata were cleared.
    pub checks: usize,
    /// Notes whose text was deleted.
    pub notes: usize,
    /// Stored idempotent responses concerning the session, erased.
    pub stored_responses: usize,
    /// Reviewers' messages to the applicant, erased.
    pub messages: usize,
}

impl Scrubbed {
    /// Whether anything at all was changed.
    pub fn any(&self) -> bool {
        *self != Scrubbed::default()
    }
}

/// Nulls the personal columns of a session and stamps who redacted it and when.
pub fn stamp_session(
    conn: &mut PgConnection,
    id: Uuid,
    at: DateTime<Utc>,
    by_type: ActorType,
    by: Option<Uuid>,
) -> QueryResult<Session> {
    diesel::update(sessions::table.find(id))
        .set((
            PersonChanges::cleared(),
            // A reviewer may have quoted the applicant in the decision comment; the search
            // text is recomputed by its trigger, to NULL once redacted.
            sessions::decision_comment.eq(None::<String>),
            sessions::search_text.eq(None::<String>),
            sessions::redacted_at.eq(Some(at)),
            sessions::redacted_by_type.eq(Some(by_type)),
            sessions::redacted_by.eq(by),
            sessions::updated_at.eq(at),
            sessions::last_activity.eq("session.redacted"),
        ))
        .returning(Session::as_returning())
        .get_result(conn)
}

/// Clears whatever personal data the session's device, documents, files, verifications,
/// checks and notes still hold, and deletes stored API responses that quote the session
/// or one of its documents.
pub fn scrub_children(conn: &mut PgConnection, session_id: Uuid) -> QueryResult<Scrubbed> {
    let devices = diesel::update(
        session_devices::table
            .filter(session_devices::session_id.eq(session_id))
            .filter(
                session_devices::ip
                    .is_not_null()
                    .or(session_devices::user_agent.is_not_null())
                    .or(session_devices::platform.is_not_null())
                    .or(session_devices::browser.is_not_null())
                    .or(session_devices::os.is_not_null())
                    .or(session_devices::device_type.is_not_null())
                    .or(session_devices::language.is_not_null())
                    .or(session_devices::screen.is_not_null()),
            ),
    )
    .set((
        session_devices::ip.eq(None::<String>),
        session_devices::user_agent.eq(None::<String>),
        session_devices::platform.eq(None::<String>),
        session_devices::browser.eq(None::<String>),
        session_devices::os.eq(None::<String>),
        session_devices::device_type.eq(None::<String>),
        session_devices::language.eq(None::<String>),
        session_devices::screen.eq(None::<String>),
    ))
    .execute(conn)?;

    let document_ids: Vec<Uuid> = documents::table
        .filter(documents::session_id.eq(session_id))
        .select(documents::id)
        .load(conn)?;
    let documents = diesel::update(
        documents::table
            .filter(documents::session_id.eq(session_id))
            .filter(
                documents::mrz
                    .is_not_null()
                    .or(documents::reported.is_not_null())
                    .or(documents::extracted.is_not_null()),
            ),
    )
    .set((
        documents::mrz.eq(None::<String>),
        documents::reported.eq(None::<serde_json::Value>),
        documents::extracted.eq(None::<serde_json::Value>),
    ))
    .execute(conn)?;
    let files = diesel::update(
        document_files::table
            .filter(document_files::document_id.eq_any(&document_ids))
            .filter(
                document_files::content
                    .is_not_null()
                    .or(document_files::filename.is_not_null()),
            ),
    )
    .set((
        document_files::content.eq(None::<Vec<u8>>),
        document_files::filename.eq(None::<String>),
    ))
    .execute(conn)?;

    let verification_ids: Vec<Uuid> = verifications::table
        .filter(verifications::session_id.eq(session_id))
        .select(verifications::id)
        .load(conn)?;
    let verifications = diesel::update(
        verifications::table
            .filter(verifications::session_id.eq(session_id))
            .filter(
                verifications::extracted
                    .is_not_null()
                    .or(verifications::compared.is_not_null()),
            ),
    )
    .set((
        verifications::extracted.eq(None::<serde_json::Value>),
        verifications::compared.eq(None::<serde_json::Value>),
    ))
    .execute(conn)?;
    let empty_object = serde_json::json!({});
    let checks = diesel::update(
        verification_checks::table
            .filter(verification_checks::verification_id.eq_any(&verification_ids))
            .filter(
                verification_checks::reasons
                    .ne(Vec::<String>::new())
                    .or(verification_checks::metadata.ne(&empty_object)),
            ),
    )
    .set((
        verification_checks::reasons.eq(Vec::<String>::new()),
        verification_checks::metadata.eq(&empty_object),
    ))
    .execute(conn)?;

    let notes = diesel::update(
        notes::table
            .filter(notes::session_id.eq(session_id))
            .filter(notes::body.is_not_null()),
    )
    .set(notes::body.eq(None::<String>))
    .execute(conn)?;

    let stored_responses = crate::store::idempotency::erase_for_session(conn, session_id)?;
    let messages = diesel::update(
        crate::schema::resubmission_requests::table
            .filter(crate::schema::resubmission_requests::session_id.eq(session_id))
            .filter(crate::schema::resubmission_requests::message.is_not_null()),
    )
    .set(crate::schema::resubmission_requests::message.eq(None::<String>))
    .execute(conn)?;
    // A decline waiting for its second reviewer may quote the applicant in its comment.
    let messages = messages + crate::store::approvals::erase_comments(conn, session_id)?;

    Ok(Scrubbed {
        devices,
        documents,
        files,
        verifications,
        checks,
        notes,
        stored_responses,
        messages,
    })
}

/// The account row, locked until the transaction ends: a session being created for it
/// waits (it reads the account `FOR SHARE`), then sees the redaction.
pub fn lock_account(conn: &mut PgConnection, id: Uuid) -> QueryResult<Option<Account>> {
    accounts::table
        .find(id)
        .select(Account::as_select())
        .for_update()
        .first(conn)
        .optional()
}

/// The ids of an account's sessions, oldest first: the order their rows are locked in.
pub fn account_session_ids(conn: &mut PgConnection, account_id: Uuid) -> QueryResult<Vec<Uuid>> {
    sessions::table
        .filter(sessions::account_id.eq(account_id))
        .order((sessions::created_at.asc(), sessions::id.asc()))
        .select(sessions::id)
        .load(conn)
}

/// Clears the account's own personal data (the integrator's id for the applicant) and
/// stamps it redacted at `redacted_at`.
pub fn stamp_account(
    conn: &mut PgConnection,
    id: Uuid,
    redacted_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> QueryResult<Account> {
    diesel::update(accounts::table.find(id))
        .set((
            accounts::external_id.eq(None::<String>),
            accounts::redacted_at.eq(Some(redacted_at)),
            accounts::updated_at.eq(now),
        ))
        .returning(Account::as_returning())
        .get_result(conn)
}

#[derive(QueryableByName)]
struct DueRow {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    id: Uuid,
}

/// Up to `limit` unredacted sessions that closed (decided, expired, or failed and left so)
/// before `cutoff`, oldest first, locked; rows another transaction holds are skipped.
pub fn lock_due(
    conn: &mut PgConnection,
    cutoff: DateTime<Utc>,
    limit: i64,
) -> QueryResult<Vec<Uuid>> {
    // The predicate matches the partial index `sessions_retention_idx` word for word.
    let rows: Vec<DueRow> = diesel::sql_query(
        "SELECT id FROM sessions \
         WHERE redacted_at IS NULL AND status IN ('approved', 'declined', 'expired', 'failed') \
           AND coalesce(decisioned_at, expired_at, failed_at) < $1 \
         ORDER BY coalesce(decisioned_at, expired_at, failed_at) \
         LIMIT $2 \
         FOR UPDATE SKIP LOCKED",
    )
    .bind::<Timestamptz, _>(cutoff)
    .bind::<diesel::sql_types::BigInt, _>(limit)
    .load(conn)?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}
