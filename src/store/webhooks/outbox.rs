//! The outbox: deliveries written beside the events they report, claimed by workers, and
//! their attempts.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use super::Endpoint;
use crate::domain::webhooks::{self as rules, Occurrence};
use crate::schema::{webhook_attempts, webhook_deliveries, webhook_endpoints};
use crate::store::paging::{Page, PageAt, newest_first_at, overfetch};

/// A delivery as stored.
#[derive(Debug, Clone, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = webhook_deliveries, check_for_backend(diesel::pg::Pg))]
pub struct Delivery {
    /// Primary key.
    pub id: Uuid,
    /// The endpoint it goes to.
    pub endpoint_id: Uuid,
    /// The event's id (`webhook-id`), shared by every delivery of the event.
    pub event_id: String,
    /// The event type.
    pub event_type: String,
    /// The body sent.
    pub payload: serde_json::Value,
    /// `pending`, `succeeded` or `failed`.
    pub status: String,
    /// Attempts made.
    pub attempts: i32,
    /// When it is next due.
    pub next_attempt_at: DateTime<Utc>,
    /// When the last attempt was made.
    pub last_attempt_at: Option<DateTime<Utc>>,
    /// The last answer's HTTP status.
    pub last_status: Option<i32>,
    /// Why the last attempt got no answer, or what the answer meant.
    pub last_error: Option<String>,
    /// How long the last attempt took.
    pub last_latency_ms: Option<i32>,
    /// The start of the last answer's body.
    pub last_response: Option<String>,
    /// The delivery this one repeats.
    pub redelivery_of: Option<Uuid>,
    /// When this delivery was repeated by a newer one.
    pub redelivered_at: Option<DateTime<Utc>>,
    /// When the event was enqueued.
    pub created_at: DateTime<Utc>,
    /// When it succeeded or finally failed.
    pub completed_at: Option<DateTime<Utc>>,
}

/// Writes a delivery to every enabled endpoint that wants the event described by
/// `occurrence`; nothing when it is not a webhook event. Called inside the transaction
/// that writes the audit event.
pub fn enqueue(conn: &mut PgConnection, occurrence: &Occurrence<'_>) -> QueryResult<usize> {
    if !rules::is_event_type(occurrence.action) {
        return Ok(0);
    }
    let event_id = rules::new_event_id();
    let Some(body) = rules::body(&event_id, occurrence) else {
        return Ok(0);
    };
    enqueue_body(conn, &event_id, occurrence.action, &body, None)
}

/// Writes a delivery of `body` to every enabled endpoint that wants `event_type` (or to
/// `only` when given, whatever it wants).
fn enqueue_body(
    conn: &mut PgConnection,
    event_id: &str,
    event_type: &str,
    body: &serde_json::Value,
    only: Option<Uuid>,
) -> QueryResult<usize> {
    use diesel::IntoSql;
    use diesel::sql_types::{Jsonb, Text};
    let mut targets = webhook_endpoints::table
        .filter(webhook_endpoints::enabled.eq(true))
        .into_boxed();
    match only {
        Some(id) => targets = targets.filter(webhook_endpoints::id.eq(id)),
        None => {
            targets = targets.filter(
                webhook_endpoints::events
                    .is_null()
                    .or(webhook_endpoints::events
                        .assume_not_null()
                        .contains(vec![event_type.to_owned()])),
            );
        }
    }
    let rows = targets.select((
        webhook_endpoints::id,
        event_id.into_sql::<Text>(),
        event_type.into_sql::<Text>(),
        body.into_sql::<Jsonb>(),
    ));
    diesel::insert_into(webhook_deliveries::table)
        .values(rows)
        .into_columns((
            webhook_deliveries::endpoint_id,
            webhook_deliveries::event_id,
            webhook_deliveries::event_type,
            webhook_deliveries::payload,
        ))
        .execute(conn)
}

/// Queues a `webhook.test` event to one endpoint; its id.
pub fn enqueue_test(
    conn: &mut PgConnection,
    endpoint_id: Uuid,
    at: DateTime<Utc>,
) -> QueryResult<Option<Uuid>> {
    let event_id = rules::new_event_id();
    let body = serde_json::json!({
        "id": event_id,
        "type": rules::TEST_EVENT,
        "created_at": at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        "data": { "type": "webhook_endpoint", "id": endpoint_id, "attributes": {} },
    });
    enqueue_body(conn, &event_id, rules::TEST_EVENT, &body, Some(endpoint_id))?;
    webhook_deliveries::table
        .filter(webhook_deliveries::event_id.eq(&event_id))
        .select(webhook_deliveries::id)
        .first(conn)
        .optional()
}

/// How long a worker holds a claimed delivery before another may take it.
pub const CLAIM_FOR: chrono::Duration = chrono::Duration::seconds(60);

/// A claimed delivery and where it goes.
#[derive(Debug, Clone)]
pub struct Claimed {
    /// The delivery, as claimed (its `attempts` counts the attempts before this one).
    pub delivery: Delivery,
    /// Its endpoint.
    pub endpoint: Endpoint,
}

/// Claims up to `limit` due deliveries of enabled endpoints, oldest due first, skipping
/// rows another worker holds, and moves them [`CLAIM_FOR`] ahead so none is sent twice
/// at once.
pub fn claim(conn: &mut PgConnection, limit: i64, now: DateTime<Utc>) -> QueryResult<Vec<Claimed>> {
    use diesel::sql_types::{BigInt, Timestamptz};
    // One statement: the rows are locked, skipped by other workers, and moved ahead at once.
    let deliveries: Vec<Delivery> = diesel::sql_query(
        "UPDATE webhook_deliveries SET next_attempt_at = $1 \
         WHERE id IN (SELECT d.id FROM webhook_deliveries d \
           JOIN webhook_endpoints e ON e.id = d.endpoint_id AND e.enabled \
           WHERE d.status = 'pending' AND d.next_attempt_at <= $2 \
           ORDER BY d.next_attempt_at LIMIT $3 FOR UPDATE OF d SKIP LOCKED) \
         RETURNING *",
    )
    .bind::<Timestamptz, _>(now + CLAIM_FOR)
    .bind::<Timestamptz, _>(now)
    .bind::<BigInt, _>(limit)
    .load(conn)?;
    if deliveries.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<Uuid> = deliveries.iter().map(|d| d.endpoint_id).collect();
    let endpoints: Vec<Endpoint> = webhook_endpoints::table
        .filter(webhook_endpoints::id.eq_any(&ids))
        .select(Endpoint::as_select())
        .load(conn)?;
    Ok(deliveries
        .into_iter()
        .filter_map(|delivery| {
            let endpoint = endpoints
                .iter()
                .find(|e| e.id == delivery.endpoint_id)?
                .clone();
            Some(Claimed { delivery, endpoint })
        })
        .collect())
}

/// What one attempt came to.
#[derive(Debug, Clone)]
pub struct Attempt {
    /// Its number, 1-based.
    pub number: i32,
    /// The answer's status, if there was an answer.
    pub status: Option<i32>,
    /// Why there was no answer, or what the answer meant.
    pub error: Option<String>,
    /// How long it took.
    pub latency_ms: i32,
    /// The start of the answer's body.
    pub response: Option<String>,
    /// When it was made.
    pub at: DateTime<Utc>,
    /// `pending` (try again at `next`), `succeeded` or `failed`.
    pub outcome: &'static str,
    /// When to try again.
    pub next: Option<DateTime<Utc>>,
}

/// Records an attempt, unless another worker already recorded that attempt (its claim ran
/// out and the delivery was taken again): then nothing is written and `false` returned.
/// Two statements: the caller runs them in one transaction.
pub fn record(conn: &mut PgConnection, delivery_id: Uuid, attempt: &Attempt) -> QueryResult<bool> {
    {
        let d = webhook_deliveries::table
            .find(delivery_id)
            .filter(webhook_deliveries::attempts.eq(attempt.number - 1))
            .filter(webhook_deliveries::status.eq("pending"));
        let completed = (attempt.outcome != "pending").then_some(attempt.at);
        let n = diesel::update(d)
            .set((
                webhook_deliveries::attempts.eq(attempt.number),
                webhook_deliveries::status.eq(attempt.outcome),
                webhook_deliveries::next_attempt_at.eq(attempt.next.unwrap_or(attempt.at)),
                webhook_deliveries::last_attempt_at.eq(attempt.at),
                webhook_deliveries::last_status.eq(attempt.status),
                webhook_deliveries::last_error.eq(&attempt.error),
                webhook_deliveries::last_latency_ms.eq(attempt.latency_ms),
                webhook_deliveries::last_response.eq(&attempt.response),
                webhook_deliveries::completed_at.eq(completed),
            ))
            .execute(conn)?;
        if n == 0 {
            return Ok(false);
        }
        diesel::insert_into(webhook_attempts::table)
            .values((
                webhook_attempts::delivery_id.eq(delivery_id),
                webhook_attempts::attempt.eq(attempt.number),
                webhook_attempts::status.eq(attempt.status),
                webhook_attempts::error.eq(&attempt.error),
                webhook_attempts::latency_ms.eq(attempt.latency_ms),
                webhook_attempts::created_at.eq(attempt.at),
                webhook_attempts::response.eq(&attempt.response),
            ))
            .execute(conn)?;
        Ok(true)
    }
}

/// One delivery.
pub fn find_delivery(conn: &mut PgConnection, id: Uuid) -> QueryResult<Option<Delivery>> {
    webhook_deliveries::table
        .find(id)
        .select(Delivery::as_select())
        .first(conn)
        .optional()
}

/// An endpoint's deliveries, newest first, at most `limit`, those created before `before`
/// when given.
pub fn deliveries_of(
    conn: &mut PgConnection,
    endpoint_id: Uuid,
    status: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<Delivery>> {
    let mut q = webhook_deliveries::table
        .filter(webhook_deliveries::endpoint_id.eq(endpoint_id))
        .into_boxed();
    if let Some(status) = status {
        q = q.filter(webhook_deliveries::status.eq(status.to_owned()));
    }
    q.order((
        webhook_deliveries::created_at.desc(),
        webhook_deliveries::id.desc(),
    ))
    .limit(limit)
    .select(Delivery::as_select())
    .load(conn)
}

/// A page of an endpoint's deliveries, newest first, keyset-paged over `(created_at, id)`
/// on `webhook_deliveries_endpoint_idx`: up to `limit + 1` rows, the extra one telling the
/// caller another page exists in the direction it paged (for `Before`, it is the first row).
pub fn delivery_page(
    conn: &mut PgConnection,
    endpoint_id: Uuid,
    status: Option<&str>,
    at: PageAt,
    limit: i64,
) -> QueryResult<Page<Delivery>> {
    let mut q = webhook_deliveries::table
        .filter(webhook_deliveries::endpoint_id.eq(endpoint_id))
        .select(Delivery::as_select())
        .into_boxed();
    if let Some(status) = status {
        q = q.filter(webhook_deliveries::status.eq(status.to_owned()));
    }
    let q = newest_first_at!(q, at, webhook_deliveries);
    let rows = q.limit(overfetch(limit)).load(conn)?;
    Ok(Page::read_at(rows, limit, at))
}

/// How many deliveries of an endpoint (with `status`, when given) exist: exact up to `cap`,
/// and `cap + 1` when there are more, so that no count reads more than `cap + 1` rows.
pub fn count_deliveries(
    conn: &mut PgConnection,
    endpoint_id: Uuid,
    status: Option<&str>,
    cap: i64,
) -> QueryResult<i64> {
    let mut q = webhook_deliveries::table
        .filter(webhook_deliveries::endpoint_id.eq(endpoint_id))
        .select(webhook_deliveries::id)
        .into_boxed();
    if let Some(status) = status {
        q = q.filter(webhook_deliveries::status.eq(status.to_owned()));
    }
    let ids: Vec<Uuid> = q.limit(cap + 1).load(conn)?;
    Ok(ids.len() as i64)
}

/// Every delivery of one event (to every endpoint, with redeliveries), oldest first.
pub fn deliveries_of_event(conn: &mut PgConnection, event_id: &str) -> QueryResult<Vec<Delivery>> {
    webhook_deliveries::table
        .filter(webhook_deliveries::event_id.eq(event_id))
        .order(webhook_deliveries::created_at.asc())
        .select(Delivery::as_select())
        .load(conn)
}

/// One attempt as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhook_attempts, check_for_backend(diesel::pg::Pg))]
pub struct AttemptRow {
    /// Primary key.
    pub id: i64,
    /// The delivery.
    pub delivery_id: Uuid,
    /// Its number, 1-based.
    pub attempt: i32,
    /// The answer's HTTP status.
    pub status: Option<i32>,
    /// Why there was no answer, or what it meant.
    pub error: Option<String>,
    /// How long it took.
    pub latency_ms: i32,
    /// When.
    pub created_at: DateTime<Utc>,
    /// The start of its answer's body (up to 4 KiB).
    pub response: Option<String>,
}

/// The attempts of some deliveries, in order.
pub fn attempts_of(conn: &mut PgConnection, delivery_ids: &[Uuid]) -> QueryResult<Vec<AttemptRow>> {
    webhook_attempts::table
        .filter(webhook_attempts::delivery_id.eq_any(delivery_ids))
        .order((webhook_attempts::delivery_id, webhook_attempts::attempt))
        .select(AttemptRow::as_select())
        .load(conn)
}

/// Queues `original` again as a new delivery of the same event (same id and body), due
/// now, and stamps the original as repeated. The new delivery's id.
pub fn redeliver(
    conn: &mut PgConnection,
    original: &Delivery,
    at: DateTime<Utc>,
) -> QueryResult<Uuid> {
    diesel::update(webhook_deliveries::table.find(original.id))
        .set(webhook_deliveries::redelivered_at.eq(at))
        .execute(conn)?;
    diesel::insert_into(webhook_deliveries::table)
        .values((
            webhook_deliveries::endpoint_id.eq(original.endpoint_id),
            webhook_deliveries::event_id.eq(&original.event_id),
            webhook_deliveries::event_type.eq(&original.event_type),
            webhook_deliveries::payload.eq(&original.payload),
            webhook_deliveries::redelivery_of.eq(original.id),
            webhook_deliveries::next_attempt_at.eq(at),
            webhook_deliveries::created_at.eq(at),
        ))
        .returning(webhook_deliveries::id)
        .get_result(conn)
}

/// The failed deliveries of an endpoint created since `since` and not yet repeated.
pub fn failed_since(
    conn: &mut PgConnection,
    endpoint_id: Uuid,
    since: DateTime<Utc>,
    limit: i64,
) -> QueryResult<Vec<Delivery>> {
    webhook_deliveries::table
        .filter(webhook_deliveries::endpoint_id.eq(endpoint_id))
        .filter(webhook_deliveries::status.eq("failed"))
        .filter(webhook_deliveries::redelivered_at.is_null())
        .filter(webhook_deliveries::created_at.ge(since))
        .order(webhook_deliveries::created_at.asc())
        .limit(limit)
        .select(Delivery::as_select())
        .for_update()
        .load(conn)
}

/// The outbox at a glance, for `/metrics`: both read the partial index of pending rows.
#[derive(Debug, Clone, Copy, Default)]
pub struct OutboxStats {
    /// Deliveries waiting to be sent or retried.
    pub pending: i64,
    /// When the oldest pending delivery was enqueued.
    pub oldest_pending: Option<DateTime<Utc>>,
}

/// Counts pending deliveries and finds the oldest.
pub fn outbox_stats(conn: &mut PgConnection) -> QueryResult<OutboxStats> {
    let (pending, oldest_pending) = webhook_deliveries::table
        .filter(webhook_deliveries::status.eq("pending"))
        .select((
            diesel::dsl::count_star(),
            diesel::dsl::min(webhook_deliveries::created_at),
        ))
        .first(conn)?;
    Ok(OutboxStats {
        pending,
        oldest_pending,
    })
}

/// Deletes up to `limit` finished deliveries completed before `before`; how many.
pub fn purge_finished(
    conn: &mut PgConnection,
    before: DateTime<Utc>,
    limit: i64,
) -> QueryResult<usize> {
    use diesel::sql_types::{BigInt, Timestamptz};
    diesel::sql_query(
        "DELETE FROM webhook_deliveries WHERE id IN (SELECT id FROM webhook_deliveries \
         WHERE status <> 'pending' AND completed_at < $1 LIMIT $2)",
    )
    .bind::<Timestamptz, _>(before)
    .bind::<BigInt, _>(limit)
    .execute(conn)
}
