//! The `sessions` table: one applicant's onboarding attempt.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::domain::person::{FieldKind, person_fields};
use crate::schema::sessions;

/// A session row, every column but the database-maintained search text.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sessions, check_for_backend(diesel::pg::Pg))]
pub struct Session {
    /// Primary key.
    pub id: Uuid,
    /// The integrator's account the applicant belongs to.
    pub account_id: Uuid,
    /// Lifecycle status.
    pub status: String,
    /// The status before the latest transition.
    pub previous_status: Option<String>,
    /// Always `person` for now.
    pub entity_type: String,
    /// `api_key`, `user` or `system`.
    pub creator_type: String,
    /// The creating key or user.
    pub creator_id: Option<Uuid>,
    /// Verification kinds that must pass for completion.
    pub required_verifications: Vec<String>,
    /// The applicant's personal data: every column of `person_fields!`.
    #[diesel(embed)]
    pub person: PersonData,
    /// The reviewer working the case.
    pub assigned_to: Option<Uuid>,
    /// When it was assigned.
    pub assigned_at: Option<DateTime<Utc>>,
    /// `approved` or `declined`.
    pub decision: Option<String>,
    /// The decline reason code.
    pub decision_reason: Option<String>,
    /// The reviewer's comment.
    pub decision_comment: Option<String>,
    /// Who decided: `user`, `api_key`, `system`.
    pub decided_by_type: Option<String>,
    /// The deciding user or key.
    pub decided_by: Option<Uuid>,
    /// The latest event's action, for the queue's "last activity" column.
    pub last_activity: Option<String>,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// `start`
    pub started_at: Option<DateTime<Utc>>,
    /// `submit`
    pub submitted_at: Option<DateTime<Utc>>,
    /// `complete`
    pub completed_at: Option<DateTime<Utc>>,
    /// `fail`
    pub failed_at: Option<DateTime<Utc>>,
    /// `mark for review`
    pub marked_for_review_at: Option<DateTime<Utc>>,
    /// `approve` or `decline`
    pub decisioned_at: Option<DateTime<Utc>>,
    /// `expire`
    pub expired_at: Option<DateTime<Utc>>,
    /// When the session expires if still open.
    pub expires_at: DateTime<Utc>,
    /// When its personal data was redacted.
    pub redacted_at: Option<DateTime<Utc>>,
    /// Who redacted it: `user`, `api_key`, `system`.
    pub redacted_by_type: Option<String>,
    /// The redacting user or key.
    pub redacted_by: Option<Uuid>,
}

/// The fields a new session starts with.
#[derive(Debug, Clone, Default, Insertable)]
#[diesel(table_name = sessions)]
pub struct NewSession {
    /// Primary key; generated when `None`.
    pub id: Option<Uuid>,
    /// The account.
    pub account_id: Uuid,
    /// Initial status; `created` when `None`.
    pub status: Option<String>,
    /// `api_key`, `user` or `system`.
    pub creator_type: String,
    /// The creating key or user.
    pub creator_id: Option<Uuid>,
    /// Required verification kinds; the database default when `None`.
    pub required_verifications: Option<Vec<String>>,
    /// When it expires.
    pub expires_at: DateTime<Utc>,
    /// The action of the latest event.
    pub last_activity: Option<String>,
}

macro_rules! person_structs {
    ($( $column:ident {
        api: $api:expr, kind: $kind:ty, label: $label:literal, words: $words:literal,
        input: $input:literal, new_form: $new:literal,
    } )*) => {
        /// The applicant's personal data as a session row holds it, one column per field of
        /// `person_fields!`.
        #[derive(Debug, Clone, Default, PartialEq, Queryable, Selectable)]
        #[diesel(table_name = sessions, check_for_backend(diesel::pg::Pg))]
        pub struct PersonData {
            $(
                #[doc = concat!("`", $api, "`")]
                pub $column: Option<<$kind as FieldKind>::Value>,
            )*
        }

        /// Personal data as written by an edit, an API PATCH or a verification's
        /// auto-update. `None` leaves a column alone; `Some(None)` clears it.
        #[derive(Debug, Clone, Default, AsChangeset)]
        #[diesel(table_name = sessions)]
        pub struct PersonChanges {
            $(
                #[doc = concat!("`", $api, "`")]
                pub $column: Option<Option<<$kind as FieldKind>::Value>>,
            )*
        }

        impl PersonChanges {
            /// Every personal column cleared: what redaction writes.
            pub fn cleared() -> Self {
                PersonChanges {
                    $( $column: Some(None), )*
                }
            }

            /// `data` with these changes written over it.
            pub fn applied_to(&self, data: &PersonData) -> PersonData {
                PersonData {
                    $( $column: match &self.$column {
                        Some(v) => v.clone(),
                        None => data.$column.clone(),
                    }, )*
                }
            }
        }
    };
}
person_fields!(flat person_structs);

/// What a transition writes besides the status: one timestamp and, for decisions, the
/// decision fields. `None` leaves a column alone.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = sessions)]
pub struct TransitionChanges {
    /// The new status.
    pub status: Option<String>,
    /// Set by `start`.
    pub started_at: Option<DateTime<Utc>>,
    /// Set by `submit`.
    pub submitted_at: Option<DateTime<Utc>>,
    /// Set by `complete`.
    pub completed_at: Option<DateTime<Utc>>,
    /// Set by `fail`.
    pub failed_at: Option<DateTime<Utc>>,
    /// Set by `mark for review`.
    pub marked_for_review_at: Option<DateTime<Utc>>,
    /// Set by `approve` and `decline`.
    pub decisioned_at: Option<DateTime<Utc>>,
    /// Set by `expire`.
    pub expired_at: Option<DateTime<Utc>>,
    /// `approved` or `declined`.
    pub decision: Option<String>,
    /// The decline reason.
    pub decision_reason: Option<String>,
    /// The decision comment.
    pub decision_comment: Option<String>,
    /// Who decided.
    pub decided_by_type: Option<String>,
    /// The deciding user or key.
    pub decided_by: Option<Uuid>,
    /// The event's action.
    pub last_activity: Option<String>,
    /// Always now.
    pub updated_at: Option<DateTime<Utc>>,
}

/// Inserts a session.
pub fn insert(conn: &mut PgConnection, new: &NewSession) -> QueryResult<Session> {
    diesel::insert_into(sessions::table)
        .values(new)
        .returning(Session::as_returning())
        .get_result(conn)
}

/// One session by id.
pub fn find(conn: &mut PgConnection, id: Uuid) -> QueryResult<Option<Session>> {
    sessions::table
        .find(id)
        .select(Session::as_select())
        .first(conn)
        .optional()
}

/// The conditional write behind every transition: applies `changes` only while the session
/// is in one of `allowed` and not redacted, remembering the old status in
/// `previous_status`. `None` when no row matched.
pub fn transition(
    conn: &mut PgConnection,
    id: Uuid,
    allowed: &[&str],
    changes: &TransitionChanges,
) -> QueryResult<Option<Session>> {
    diesel::update(
        sessions::table
            .filter(sessions::id.eq(id))
            .filter(sessions::status.eq_any(allowed))
            .filter(sessions::redacted_at.is_null()),
    )
    .set((
        sessions::previous_status.eq(sessions::status.nullable()),
        changes,
    ))
    .returning(Session::as_returning())
    .get_result(conn)
    .optional()
}

/// The status and redaction time of a session, to explain why a write matched no row.
/// A decision on a session, as the loser of a race is told it.
#[derive(Debug, Clone)]
pub struct DecisionMade {
    /// `approved` or `declined`.
    pub outcome: String,
    /// The deciding user's display name; `None` when an API key decided.
    pub by: Option<String>,
    /// When.
    pub at: Option<DateTime<Utc>>,
}

type DecisionRow = (Option<String>, Option<String>, Option<DateTime<Utc>>);

/// The decision on a session, if it has one, with the deciding user's name and its time.
pub fn decision_of(conn: &mut PgConnection, id: Uuid) -> QueryResult<Option<DecisionMade>> {
    let row: Option<DecisionRow> = sessions::table
        .left_join(
            crate::schema::users::table
                .on(sessions::decided_by.eq(crate::schema::users::id.nullable())),
        )
        .filter(sessions::id.eq(id))
        .select((
            sessions::decision,
            crate::schema::users::display_name.nullable(),
            sessions::decisioned_at,
        ))
        .first(conn)
        .optional()?;
    Ok(row.and_then(|(decision, by, at)| decision.map(|outcome| DecisionMade { outcome, by, at })))
}

/// Records `activity` as the session's last, now.
pub fn touch(conn: &mut PgConnection, id: Uuid, activity: &str) -> QueryResult<usize> {
    diesel::update(sessions::table.find(id))
        .set((
            sessions::updated_at.eq(diesel::dsl::now),
            sessions::last_activity.eq(activity),
        ))
        .execute(conn)
}

/// Assigns the session to `assignee` (or nobody) at `now`, as `activity`.
pub fn set_assignee(
    conn: &mut PgConnection,
    id: Uuid,
    assignee: Option<Uuid>,
    now: DateTime<Utc>,
    activity: &str,
) -> QueryResult<usize> {
    diesel::update(sessions::table.find(id))
        .set((
            sessions::assigned_to.eq(assignee),
            sessions::assigned_at.eq(assignee.map(|_| now)),
            sessions::updated_at.eq(now),
            sessions::last_activity.eq(activity),
        ))
        .execute(conn)
}

/// Up to `limit` sessions in one of `open` whose `expires_at` has passed, unredacted, the
/// longest overdue first, locked; rows another transaction holds are skipped.
pub fn lock_overdue(
    conn: &mut PgConnection,
    open: &[&str],
    now: DateTime<Utc>,
    limit: i64,
) -> QueryResult<Vec<Uuid>> {
    sessions::table
        .filter(sessions::status.eq_any(open))
        .filter(sessions::expires_at.lt(now))
        .filter(sessions::redacted_at.is_null())
        .order(sessions::expires_at.asc())
        .limit(limit)
        .select(sessions::id)
        .for_update()
        .skip_locked()
        .load(conn)
}

/// When the session was redacted, if it was; `NotFound` when there is no such session.
pub fn redacted_at(conn: &mut PgConnection, id: Uuid) -> QueryResult<Option<DateTime<Utc>>> {
    sessions::table
        .find(id)
        .select(sessions::redacted_at)
        .first(conn)
}

/// The status and redaction time of a session.
pub fn state(
    conn: &mut PgConnection,
    id: Uuid,
) -> QueryResult<Option<(String, Option<DateTime<Utc>>)>> {
    sessions::table
        .find(id)
        .select((sessions::status, sessions::redacted_at))
        .first(conn)
        .optional()
}
