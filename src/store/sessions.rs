//! The `sessions` table: one applicant's onboarding attempt.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::domain::kinds::{ActorType, DeclineReason, Outcome, VerificationKind};
use crate::domain::person::{FieldKind, person_fields};
use crate::domain::status::SessionStatus;
use crate::schema::sessions;

/// A session row, every column but the database-maintained search text.
#[derive(Debug, Clone, Queryable, Selectable, serde::Deserialize)]
#[diesel(table_name = sessions, check_for_backend(diesel::pg::Pg))]
pub struct Session {
    /// Primary key.
    pub id: Uuid,
    /// The integrator's account the applicant belongs to.
    pub account_id: Uuid,
    /// Lifecycle status.
    pub status: SessionStatus,
    /// The status before the latest transition.
    pub previous_status: Option<SessionStatus>,
    /// Always `person` for now.
    pub entity_type: String,
    /// `api_key`, `user` or `system`.
    pub creator_type: ActorType,
    /// The creating key or user.
    pub creator_id: Option<Uuid>,
    /// Verification kinds that must pass for completion.
    pub required_verifications: Vec<VerificationKind>,
    /// The applicant's personal data: every column of `person_fields!`.
    #[diesel(embed)]
    #[serde(flatten)]
    pub person: PersonData,
    /// The reviewer working the case.
    pub assigned_to: Option<Uuid>,
    /// When it was assigned.
    pub assigned_at: Option<DateTime<Utc>>,
    /// `approved` or `declined`.
    pub decision: Option<Outcome>,
    /// The decline reason code.
    pub decision_reason: Option<DeclineReason>,
    /// The reviewer's comment.
    pub decision_comment: Option<String>,
    /// Who decided: `user`, `api_key`, `system`.
    pub decided_by_type: Option<ActorType>,
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
    pub redacted_by_type: Option<ActorType>,
    /// The redacting user or key.
    pub redacted_by: Option<Uuid>,
    /// When its latest wait for a reviewer began (completed or failed); kept after it.
    pub waiting_since: Option<DateTime<Utc>>,
    /// The assignee's last sign of work on it (a claim; see `store::claims`).
    pub claimed_at: Option<DateTime<Utc>>,
    /// When its current wait breached its service level (see `domain::sla`).
    pub sla_breached_at: Option<DateTime<Utc>>,
}

/// The fields a new session starts with.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = sessions)]
pub struct NewSession {
    /// Primary key; generated when `None`.
    pub id: Option<Uuid>,
    /// The account.
    pub account_id: Uuid,
    /// Initial status; `created` when `None`.
    pub status: Option<SessionStatus>,
    /// `api_key`, `user` or `system`.
    pub creator_type: ActorType,
    /// The creating key or user.
    pub creator_id: Option<Uuid>,
    /// Required verification kinds; the database default when `None`.
    pub required_verifications: Option<Vec<VerificationKind>>,
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
        /// `person_fields!`. As a change set it writes every column, `None` as NULL: the
        /// demo's whole-row [`SessionRow`].
        #[derive(Debug, Clone, Default, PartialEq, Queryable, Selectable, AsChangeset, serde::Deserialize)]
        #[diesel(table_name = sessions, check_for_backend(diesel::pg::Pg))]
        #[diesel(treat_none_as_null = true)]
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
    pub status: Option<SessionStatus>,
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
    pub decision: Option<Outcome>,
    /// The decline reason.
    pub decision_reason: Option<DeclineReason>,
    /// The decision comment.
    pub decision_comment: Option<String>,
    /// Who decided.
    pub decided_by_type: Option<ActorType>,
    /// The deciding user or key.
    pub decided_by: Option<Uuid>,
    /// The event's action.
    pub last_activity: Option<String>,
    /// Always now.
    pub updated_at: Option<DateTime<Utc>>,
    /// `Some(Some(now))` entering a wait; `None` otherwise (kept).
    pub waiting_since: Option<Option<DateTime<Utc>>>,
    /// `Some(None)` entering a wait: a new wait has not breached anything yet.
    pub sla_breached_at: Option<Option<DateTime<Utc>>>,
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
    allowed: &[SessionStatus],
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
    pub outcome: Outcome,
    /// The deciding user's display name; `None` when an API key decided.
    pub by: Option<String>,
    /// When.
    pub at: Option<DateTime<Utc>>,
}

type DecisionRow = (Option<Outcome>, Option<String>, Option<DateTime<Utc>>);

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

/// Moves the session's `updated_at` to now, for a change to what hangs off it (a
/// verification recorded) that is not an activity of its own to show; the new value.
pub fn mark_changed(conn: &mut PgConnection, id: Uuid) -> QueryResult<DateTime<Utc>> {
    diesel::update(sessions::table.find(id))
        .set(sessions::updated_at.eq(diesel::dsl::now))
        .returning(sessions::updated_at)
        .get_result(conn)
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
            // A new holder's claim starts when they open the case (`store::claims`).
            sessions::claimed_at.eq(None::<DateTime<Utc>>),
            sessions::updated_at.eq(now),
            sessions::last_activity.eq(activity),
        ))
        .execute(conn)
}

/// Up to `limit` sessions in one of `open` whose `expires_at` has passed, unredacted, the
/// longest overdue first, locked; rows another transaction holds are skipped.
pub fn lock_overdue(
    conn: &mut PgConnection,
    open: &[SessionStatus],
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
) -> QueryResult<Option<(SessionStatus, Option<DateTime<Utc>>)>> {
    sessions::table
        .find(id)
        .select((sessions::status, sessions::redacted_at))
        .first(conn)
        .optional()
}

/// Like [`state`], but locks the row for the rest of the transaction, so the session cannot
/// turn final or be redacted while something is added to it.
pub fn lock_state(
    conn: &mut PgConnection,
    id: Uuid,
) -> QueryResult<Option<(SessionStatus, Option<DateTime<Utc>>)>> {
    sessions::table
        .find(id)
        .select((sessions::status, sessions::redacted_at))
        .for_update()
        .first(conn)
        .optional()
}

/// Writes changed personal data, with the activity that changed it.
pub fn update_person(
    conn: &mut PgConnection,
    id: Uuid,
    changes: &PersonChanges,
    activity: &str,
    at: DateTime<Utc>,
) -> QueryResult<Session> {
    diesel::update(sessions::table.find(id))
        .set((
            changes,
            sessions::updated_at.eq(at),
            sessions::last_activity.eq(activity),
        ))
        .returning(Session::as_returning())
        .get_result(conn)
}

/// Moves the session's `expires_at`, recording `activity` as its last.
pub fn set_expires_at(
    conn: &mut PgConnection,
    id: Uuid,
    expires_at: DateTime<Utc>,
    activity: &str,
    at: DateTime<Utc>,
) -> QueryResult<Session> {
    diesel::update(sessions::table.find(id))
        .set((
            sessions::expires_at.eq(expires_at),
            sessions::updated_at.eq(at),
            sessions::last_activity.eq(activity),
        ))
        .returning(Session::as_returning())
        .get_result(conn)
}

/// Which of `ids` are redacted sessions.
pub fn redacted_among(conn: &mut PgConnection, ids: &[Uuid]) -> QueryResult<Vec<Uuid>> {
    sessions::table
        .filter(sessions::id.eq_any(ids))
        .filter(sessions::redacted_at.is_not_null())
        .select(sessions::id)
        .load(conn)
}

/// The session row, locked until the transaction ends, so that every other write to the
/// session (which locks or conditionally updates the same row) is wholly before or after.
pub fn lock(conn: &mut PgConnection, id: Uuid) -> QueryResult<Option<Session>> {
    sessions::table
        .find(id)
        .select(Session::as_select())
        .for_update()
        .first(conn)
        .optional()
}

/// A whole session row written over an existing one: the demo builds a session's history
/// event by event and writes the row's final state once the trail is complete.
#[derive(AsChangeset, Default)]
#[diesel(table_name = sessions, treat_none_as_null = true)]
pub struct SessionRow {
    /// `account_id`.
    pub account_id: Uuid,
    /// `status`.
    pub status: String,
    /// `previous_status`.
    pub previous_status: Option<String>,
    /// `creator_type`.
    pub creator_type: String,
    /// `creator_id`.
    pub creator_id: Option<Uuid>,
    /// `required_verifications`.
    pub required_verifications: Vec<String>,
    /// The personal-data columns, every one of `person_fields!`.
    #[diesel(embed)]
    pub person: PersonData,
    /// `assigned_to`.
    pub assigned_to: Option<Uuid>,
    /// `assigned_at`.
    pub assigned_at: Option<DateTime<Utc>>,
    /// `decision`.
    pub decision: Option<String>,
    /// `decision_reason`.
    pub decision_reason: Option<String>,
    /// `decision_comment`.
    pub decision_comment: Option<String>,
    /// `decided_by_type`.
    pub decided_by_type: Option<String>,
    /// `decided_by`.
    pub decided_by: Option<Uuid>,
    /// `last_activity`.
    pub last_activity: Option<String>,
    /// `created_at`.
    pub created_at: DateTime<Utc>,
    /// `updated_at`.
    pub updated_at: DateTime<Utc>,
    /// `started_at`.
    pub started_at: Option<DateTime<Utc>>,
    /// `submitted_at`.
    pub submitted_at: Option<DateTime<Utc>>,
    /// `completed_at`.
    pub completed_at: Option<DateTime<Utc>>,
    /// `failed_at`.
    pub failed_at: Option<DateTime<Utc>>,
    /// `marked_for_review_at`.
    pub marked_for_review_at: Option<DateTime<Utc>>,
    /// `decisioned_at`.
    pub decisioned_at: Option<DateTime<Utc>>,
    /// `expired_at`.
    pub expired_at: Option<DateTime<Utc>>,
    /// `expires_at`.
    pub expires_at: DateTime<Utc>,
    /// `waiting_since`.
    pub waiting_since: Option<DateTime<Utc>>,
    /// `sla_breached_at`.
    pub sla_breached_at: Option<DateTime<Utc>>,
}

/// Writes `row` over the session's row, every column of it.
pub fn overwrite(conn: &mut PgConnection, id: Uuid, row: &SessionRow) -> QueryResult<usize> {
    diesel::update(sessions::table.find(id))
        .set(row)
        .execute(conn)
}

/// Marks up to `batch` cases in `status` whose wait began at or before `cutoff` as breached
/// at `now`, and returns each with the start of its wait. Rows another transaction holds
/// (a decision in flight, another instance's job) are skipped, and a case is marked once:
/// two instances running the job never report one breach twice.
pub fn mark_breached(
    conn: &mut PgConnection,
    status: SessionStatus,
    cutoff: DateTime<Utc>,
    now: DateTime<Utc>,
    batch: i64,
) -> QueryResult<Vec<(Uuid, DateTime<Utc>)>> {
    #[derive(QueryableByName)]
    struct Breached {
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        id: Uuid,
        #[diesel(sql_type = diesel::sql_types::Timestamptz)]
        waiting_since: DateTime<Utc>,
    }
    // The status is a literal so that the planner can use the partial index of cases not
    // yet reported (`sessions_sla_pending_idx`).
    let rows: Vec<Breached> = diesel::sql_query(format!(
        "UPDATE sessions SET sla_breached_at = $1 WHERE id IN ( \
             SELECT id FROM sessions WHERE status = '{}' AND sla_breached_at IS NULL \
             AND redacted_at IS NULL AND waiting_since <= $2 \
             ORDER BY waiting_since LIMIT $3 FOR UPDATE SKIP LOCKED) \
         AND sla_breached_at IS NULL RETURNING id, waiting_since",
        status.as_str()
    ))
    .bind::<diesel::sql_types::Timestamptz, _>(now)
    .bind::<diesel::sql_types::Timestamptz, _>(cutoff)
    .bind::<diesel::sql_types::BigInt, _>(batch)
    .load(conn)?;
    Ok(rows.into_iter().map(|r| (r.id, r.waiting_since)).collect())
}
