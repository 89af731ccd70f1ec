//! Test events, redelivery, replaying an outage, and recording what each attempt came to
//! (where a 410 or five days of failures disable an endpoint).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde_json::json;
use uuid::Uuid;

use crate::domain::actor::Actor;
use crate::domain::webhooks::{self as rules, Answer};
use crate::error::AppError;
use crate::store::events::{self, NewEvent};
use crate::store::webhooks::{self as store, Attempt, Claimed, Delivery, Endpoint};

/// The most failed deliveries one replay queues again.
pub const MAX_REPLAY: i64 = 10_000;

/// Queues a `webhook.test` event to one endpoint; the delivery's id.
pub fn send_test(conn: &mut PgConnection, id: Uuid, actor: Actor) -> Result<Uuid, AppError> {
    conn.transaction(|conn| {
        let endpoint =
            store::find_endpoint(conn, id)?.ok_or(AppError::NotFound("webhook endpoint"))?;
        if !endpoint.enabled {
            return Err(AppError::conflict(
                "the endpoint is disabled: enable it to send it a test event".to_owned(),
            ));
        }
        let delivery = store::enqueue_test(conn, id, Utc::now())?
            .ok_or(AppError::NotFound("webhook endpoint"))?;
        events::insert(
            conn,
            &NewEvent::new(actor, "webhook_endpoint.test_sent", None)
                .details(json!({ "endpoint_id": id, "delivery_id": delivery })),
        )?;
        Ok(delivery)
    })
}

/// Queues one delivery again, as a new delivery of the same event (same id and body, so
/// a receiver that already took it can drop it). The new delivery.
pub fn redeliver(
    conn: &mut PgConnection,
    endpoint_id: Uuid,
    delivery_id: Uuid,
    actor: Actor,
) -> Result<Uuid, AppError> {
    conn.transaction(|conn| {
        let original = store::find_delivery(conn, delivery_id)?
            .filter(|d| d.endpoint_id == endpoint_id)
            .ok_or(AppError::NotFound("webhook delivery"))?;
        if original.status == "pending" {
            return Err(AppError::conflict(
                "the delivery is still being tried: wait for it to succeed or fail".to_owned(),
            ));
        }
        let new = store::redeliver(conn, &original, Utc::now())?;
        events::insert(
            conn,
            &NewEvent::new(actor, "webhook_delivery.redelivered", None).details(json!({
                "endpoint_id": endpoint_id,
                "delivery_id": delivery_id,
                "redelivery_id": new,
            })),
        )?;
        Ok(new)
    })
}

/// Queues again every failed delivery of an endpoint created since `since` and not yet
/// repeated (after an outage of the receiver); how many.
pub fn replay_failed_since(
    conn: &mut PgConnection,
    endpoint_id: Uuid,
    since: DateTime<Utc>,
    actor: Actor,
) -> Result<usize, AppError> {
    conn.transaction(|conn| {
        store::find_endpoint(conn, endpoint_id)?.ok_or(AppError::NotFound("webhook endpoint"))?;
        let failed = store::failed_since(conn, endpoint_id, since, MAX_REPLAY)?;
        let now = Utc::now();
        for d in &failed {
            store::redeliver(conn, d, now)?;
        }
        events::insert(
            conn,
            &NewEvent::new(actor, "webhook_endpoint.replayed", None).details(json!({
                "endpoint_id": endpoint_id,
                "since": since,
                "deliveries": failed.len(),
            })),
        )?;
        Ok(failed.len())
    })
}

/// What came of sending a claimed delivery once.
#[derive(Debug, Clone)]
pub struct Sent {
    /// The answer's status; `None` when there was no answer.
    pub status: Option<u16>,
    /// Why there was no answer.
    pub error: Option<String>,
    /// The start of the answer's body.
    pub response: Option<String>,
    /// How long it took.
    pub latency_ms: i32,
    /// When it was sent.
    pub at: DateTime<Utc>,
}

/// Records an attempt: success, a retry at the next step of the schedule, or final
/// failure; a 410 disables the endpoint, and so do five days without a success. `jitter`
/// in `[0, 1)` spreads retries. False when another worker had already recorded it.
pub fn record_attempt(
    conn: &mut PgConnection,
    claimed: &Claimed,
    sent: &Sent,
    jitter: f64,
) -> Result<bool, AppError> {
    let delivery = &claimed.delivery;
    let number = delivery.attempts + 1;
    let answer = rules::answer(sent.status);
    let (outcome, next) = match answer {
        Answer::Taken => ("succeeded", None),
        Answer::Gone => ("failed", None),
        Answer::Retry => match rules::retry_after(number, jitter) {
            Some(wait) => (
                "pending",
                chrono::Duration::from_std(wait).ok().map(|w| sent.at + w),
            ),
            None => ("failed", None),
        },
    };
    let error = match (answer, &sent.error) {
        (_, Some(e)) => Some(e.clone()),
        (Answer::Gone, None) => Some("410 Gone: the endpoint was disabled".to_owned()),
        (Answer::Retry, None) => sent.status.map(|s| format!("answered {s}")),
        (Answer::Taken, None) => None,
    };
    let attempt = Attempt {
        number,
        status: sent.status.map(i32::from),
        error,
        latency_ms: sent.latency_ms,
        response: sent.response.clone(),
        at: sent.at,
        outcome,
        next,
    };
    conn.transaction(|conn| {
        if !store::record(conn, delivery.id, &attempt)? {
            return Ok(false);
        }
        let endpoint = claimed.endpoint.id;
        let failing_since = store::note_result(conn, endpoint, answer == Answer::Taken, sent.at)?;
        let disable = match answer {
            Answer::Gone => Some("gone"),
            _ => failing_since
                .filter(|since| sent.at - *since >= rules::FAILING_LIMIT)
                .map(|_| "failing"),
        };
        if let Some(reason) = disable
            && store::disable(conn, endpoint, reason, sent.at)?
        {
            events::insert(
                conn,
                &NewEvent::new(Actor::System, "webhook_endpoint.disabled", None).details(
                    json!({ "endpoint_id": endpoint, "reason": reason, "delivery_id": delivery.id }),
                ),
            )?;
        }
        Ok(true)
    })
}

/// An endpoint with its recent deliveries and their attempts, for its page.
#[derive(Debug, Clone)]
pub struct EndpointActivity {
    /// The endpoint.
    pub endpoint: Endpoint,
    /// Its recent deliveries, newest first.
    pub deliveries: Vec<Delivery>,
    /// Their attempts, by delivery, in order.
    pub attempts: Vec<store::AttemptRow>,
}

/// An endpoint and its recent deliveries (`status` narrows them).
pub fn activity(
    conn: &mut PgConnection,
    id: Uuid,
    status: Option<&str>,
    limit: i64,
) -> Result<EndpointActivity, AppError> {
    let endpoint = store::find_endpoint(conn, id)?.ok_or(AppError::NotFound("webhook endpoint"))?;
    let deliveries = store::deliveries_of(conn, id, status, limit)?;
    let ids: Vec<Uuid> = deliveries.iter().map(|d| d.id).collect();
    let attempts = store::attempts_of(conn, &ids)?;
    Ok(EndpointActivity {
        endpoint,
        deliveries,
        attempts,
    })
}
