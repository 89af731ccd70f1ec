//! Aggregates for the manager overview (`GET /queues`): counts per status, the oldest
//! waiting sessions, waiting sessions by age, decisions per reviewer per day and waiting
//! sessions per assignee. Every count over `sessions` stops at a caller-given `limit`
//! (`SELECT count(*) FROM (SELECT 1 ... LIMIT n)`), so the page stays fast over millions
//! of rows: each one is an index scan that ends after `limit` entries.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Bool, Date, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use uuid::Uuid;

use crate::domain::status::SessionStatus;

/// How many sessions of one status there are, counted up to the caller's limit.
#[derive(Debug, Clone, QueryableByName)]
pub struct StatusCount {
    /// The status.
    #[diesel(sql_type = Text)]
    pub status: SessionStatus,
    /// The count, never more than the limit asked for.
    #[diesel(sql_type = BigInt)]
    pub n: i64,
}

/// Counts sessions per status for each of `statuses`, in that order, in one round trip.
/// Each count stops at `limit`: a caller that wants to know "more than N" asks for N + 1.
pub fn status_counts(
    conn: &mut PgConnection,
    statuses: &[SessionStatus],
    limit: i64,
) -> QueryResult<Vec<StatusCount>> {
    diesel::sql_query(
        "SELECT w.status, \
                (SELECT count(*) FROM (SELECT 1 FROM sessions s \
                                       WHERE s.status = w.status LIMIT $2) c) AS n \
         FROM unnest($1::text[]) WITH ORDINALITY AS w(status, pos) \
         ORDER BY w.pos",
    )
    .bind::<Array<Text>, _>(statuses)
    .bind::<BigInt, _>(limit)
    .load(conn)
}

/// Every session counted by status, exactly (a full scan of the status index): for the
/// metrics, which reuse one count for a few seconds.
pub fn sessions_by_status(conn: &mut PgConnection) -> QueryResult<Vec<StatusCount>> {
    diesel::sql_query("SELECT status, count(*) AS n FROM sessions GROUP BY status ORDER BY status")
        .load(conn)
}

/// The session that has waited longest in one status, with just enough to name it.
#[derive(Debug, Clone, QueryableByName)]
pub struct OldestSession {
    /// The status it waits in.
    #[diesel(sql_type = Text)]
    pub status: SessionStatus,
    /// The session.
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    /// Its creation time, which its age is measured from (as in the queue).
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
    /// `person.name.first`
    #[diesel(sql_type = Nullable<Text>)]
    pub first_name: Option<String>,
    /// `person.name.middle`
    #[diesel(sql_type = Nullable<Text>)]
    pub middle_name: Option<String>,
    /// `person.name.last`
    #[diesel(sql_type = Nullable<Text>)]
    pub last_name: Option<String>,
    /// Whether its personal data has been redacted.
    #[diesel(sql_type = Bool)]
    pub redacted: bool,
}

/// The oldest session (by `created_at`) in each of `statuses` that has any, in that order.
pub fn oldest_per_status(
    conn: &mut PgConnection,
    statuses: &[SessionStatus],
) -> QueryResult<Vec<OldestSession>> {
    diesel::sql_query(
        "SELECT w.status, s.id, s.created_at, s.first_name, s.middle_name, s.last_name, \
                s.redacted_at IS NOT NULL AS redacted \
         FROM unnest($1::text[]) WITH ORDINALITY AS w(status, pos) \
         JOIN LATERAL (SELECT id, created_at, first_name, middle_name, last_name, redacted_at \
                       FROM sessions WHERE status = w.status \
                       ORDER BY created_at, id LIMIT 1) s ON true \
         ORDER BY w.pos",
    )
    .bind::<Array<Text>, _>(statuses)
    .load(conn)
}

/// Sessions in the given statuses by age at `now`, each count stopping at the limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, QueryableByName)]
pub struct AgeBuckets {
    /// Created less than an hour ago.
    #[diesel(sql_type = BigInt)]
    pub under_hour: i64,
    /// At least an hour, less than a day.
    #[diesel(sql_type = BigInt)]
    pub under_day: i64,
    /// At least a day, less than three days.
    #[diesel(sql_type = BigInt)]
    pub under_three_days: i64,
    /// Three days or more.
    #[diesel(sql_type = BigInt)]
    pub older: i64,
}

/// Counts sessions in `statuses` by age (from `created_at`) at `now`, each bucket capped at
/// `limit`.
pub fn age_buckets(
    conn: &mut PgConnection,
    statuses: &[SessionStatus],
    now: DateTime<Utc>,
    limit: i64,
) -> QueryResult<AgeBuckets> {
    let bucket = |range: &str| {
        format!(
            "(SELECT count(*) FROM (SELECT 1 FROM sessions \
              WHERE status = ANY($1::text[]) AND {range} LIMIT $3) b)"
        )
    };
    let sql = format!(
        "SELECT {} AS under_hour, {} AS under_day, {} AS under_three_days, {} AS older",
        bucket("created_at > $2 - interval '1 hour'"),
        bucket("created_at <= $2 - interval '1 hour' AND created_at > $2 - interval '1 day'"),
        bucket("created_at <= $2 - interval '1 day' AND created_at > $2 - interval '3 days'"),
        bucket("created_at <= $2 - interval '3 days'"),
    );
    diesel::sql_query(sql)
        .bind::<Array<Text>, _>(statuses)
        .bind::<Timestamptz, _>(now)
        .bind::<BigInt, _>(limit)
        .get_result(conn)
}

/// One reviewer's decisions on one day (UTC).
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct DailyDecisions {
    /// The deciding user.
    #[diesel(sql_type = SqlUuid)]
    pub user_id: Uuid,
    /// Their display name.
    #[diesel(sql_type = Text)]
    pub display_name: String,
    /// The day, in UTC.
    #[diesel(sql_type = Date)]
    pub day: NaiveDate,
    /// Approvals that day.
    #[diesel(sql_type = BigInt)]
    pub approved: i64,
    /// Declines that day.
    #[diesel(sql_type = BigInt)]
    pub declined: i64,
}

/// Decisions made by dashboard users (not API keys or the system) since `since`, per user
/// and UTC day, ordered by display name, user and day. Only days with decisions appear.
pub fn decisions_per_user_per_day(
    conn: &mut PgConnection,
    since: DateTime<Utc>,
) -> QueryResult<Vec<DailyDecisions>> {
    diesel::sql_query(
        "SELECT s.decided_by AS user_id, u.display_name, \
                (s.decisioned_at AT TIME ZONE 'UTC')::date AS day, \
                count(*) FILTER (WHERE s.decision = 'approved') AS approved, \
                count(*) FILTER (WHERE s.decision = 'declined') AS declined \
         FROM sessions s JOIN users u ON u.id = s.decided_by \
         WHERE s.decisioned_at >= $1 AND s.decided_by_type = 'user' \
           AND s.decision IS NOT NULL \
         GROUP BY 1, 2, 3 \
         ORDER BY u.display_name, 1, 3",
    )
    .bind::<Timestamptz, _>(since)
    .load(conn)
}

/// How many sessions in the given statuses one user holds (or nobody, for `user_id` None).
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct AssigneeLoad {
    /// The assignee; `None` is the unassigned row.
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub user_id: Option<Uuid>,
    /// Their display name; `None` for the unassigned row.
    #[diesel(sql_type = Nullable<Text>)]
    pub display_name: Option<String>,
    /// A disabled user still holding cases is worth a manager's attention.
    #[diesel(sql_type = Bool)]
    pub disabled: bool,
    /// The count, never more than the limit.
    #[diesel(sql_type = BigInt)]
    pub n: i64,
}

/// Sessions in `statuses` per assignee: every user holding at least one (most first, then
/// by name), and last the unassigned row, always present. Each count stops at `limit`.
pub fn per_assignee(
    conn: &mut PgConnection,
    statuses: &[SessionStatus],
    limit: i64,
) -> QueryResult<Vec<AssigneeLoad>> {
    diesel::sql_query(
        "SELECT t.user_id, t.display_name, t.disabled, t.n FROM ( \
            SELECT u.id AS user_id, u.display_name, u.disabled, c.n \
            FROM users u CROSS JOIN LATERAL ( \
                SELECT count(*) AS n FROM (SELECT 1 FROM sessions s \
                    WHERE s.assigned_to = u.id AND s.status = ANY($1::text[]) LIMIT $2) x) c \
            WHERE c.n > 0 \
            UNION ALL \
            SELECT NULL::uuid, NULL::text, false, \
                (SELECT count(*) FROM (SELECT 1 FROM sessions s \
                    WHERE s.assigned_to IS NULL AND s.status = ANY($1::text[]) LIMIT $2) x) \
         ) t \
         ORDER BY t.user_id IS NULL, t.n DESC, t.display_name, t.user_id",
    )
    .bind::<Array<Text>, _>(statuses)
    .bind::<BigInt, _>(limit)
    .load(conn)
}

/// Waiting cases of one status against their service level, each count up to the limit.
#[derive(Debug, Clone, QueryableByName)]
pub struct SlaCount {
    /// The status.
    #[diesel(sql_type = Text)]
    pub status: SessionStatus,
    /// Past their due time.
    #[diesel(sql_type = BigInt)]
    pub breached: i64,
    /// Due within the last quarter of their target.
    #[diesel(sql_type = BigInt)]
    pub due_soon: i64,
}

/// Breached and due-soon counts per waiting status (not redacted), each an index range on
/// `(status, waiting_since)` that stops at `limit`.
pub fn sla_counts(
    conn: &mut PgConnection,
    targets: &crate::domain::sla::Targets,
    now: DateTime<Utc>,
    limit: i64,
) -> QueryResult<Vec<SlaCount>> {
    use crate::domain::sla::{SlaFilter, Targets};
    let mut out = Vec::new();
    for status in Targets::STATUSES {
        let (Some((_, breached_until)), Some((Some(soon_after), soon_until))) = (
            targets.window(SlaFilter::Breached, status, now),
            targets.window(SlaFilter::DueSoon, status, now),
        ) else {
            continue;
        };
        // The status is a literal, so the planner proves the waiting-time index's predicate.
        let row: SlaCount = diesel::sql_query(format!(
            "SELECT '{s}'::text AS status, \
                (SELECT count(*) FROM (SELECT 1 FROM sessions WHERE status = '{s}' \
                   AND redacted_at IS NULL AND waiting_since <= $1 LIMIT $4) b) AS breached, \
                (SELECT count(*) FROM (SELECT 1 FROM sessions WHERE status = '{s}' \
                   AND redacted_at IS NULL AND waiting_since > $2 AND waiting_since <= $3 LIMIT $4) d) AS due_soon",
            s = status.as_str()
        ))
        .bind::<Timestamptz, _>(breached_until)
        .bind::<Timestamptz, _>(soon_after)
        .bind::<Timestamptz, _>(soon_until)
        .bind::<BigInt, _>(limit)
        .get_result(conn)?;
        out.push(row);
    }
    Ok(out)
}

/// Service-level breaches reported on one day.
#[derive(Debug, Clone, QueryableByName)]
pub struct DailyBreaches {
    /// The day (UTC).
    #[diesel(sql_type = Date)]
    pub day: NaiveDate,
    /// `session.sla_breached` events that day.
    #[diesel(sql_type = BigInt)]
    pub n: i64,
}

/// Breaches reported per day since `since`, from the `session.sla_breached` events.
pub fn breaches_per_day(
    conn: &mut PgConnection,
    since: DateTime<Utc>,
) -> QueryResult<Vec<DailyBreaches>> {
    diesel::sql_query(
        "SELECT (created_at AT TIME ZONE 'UTC')::date AS day, count(*) AS n FROM events \
         WHERE action = 'session.sla_breached' AND created_at >= $1 GROUP BY 1 ORDER BY 1",
    )
    .bind::<Timestamptz, _>(since)
    .load(conn)
}
