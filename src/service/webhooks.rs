//! Webhook endpoints and deliveries: one set of rules for the admin page and the API.
//! Registering, changing, rotating and removing an endpoint; sending a test event;
//! redelivering one delivery or replaying an outage; and recording what each attempt came
//! to, which is where a 410 or five days of failures disable an endpoint.

use std::net::ToSocketAddrs;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde_json::json;
use uuid::Uuid;

use crate::domain::actor::Actor;
use crate::domain::person::FieldError;
use crate::domain::webhooks::{self as rules, Answer};
use crate::error::AppError;
use crate::store::events::{self, NewEvent};
use crate::store::webhooks::{
    self as store, Attempt, Claimed, Delivery, Endpoint, EndpointChanges, NewEndpoint,
};

/// The longest description.
pub const MAX_DESCRIPTION_CHARS: usize = 500;
/// The most failed deliveries one replay queues again.
pub const MAX_REPLAY: i64 = 10_000;

/// Where deliveries may go, as configured.
#[derive(Debug, Clone, Copy, Default)]
pub struct Reach {
    /// `WEBHOOK_ALLOW_INSECURE`: `http://` URLs are accepted.
    pub allow_insecure: bool,
    /// `WEBHOOK_ALLOW_PRIVATE`: private and loopback addresses are accepted.
    pub allow_private: bool,
}

/// Checks an endpoint URL as saved: the rules of [`rules::check_url`], then every address
/// its host resolves to (a private one is refused unless allowed). Blocking: it may look
/// the host up in DNS.
pub fn check_destination(raw: &str, reach: Reach) -> Result<url::Url, FieldError> {
    let url = rules::check_url(raw, reach.allow_insecure).map_err(|m| FieldError::new("url", m))?;
    if reach.allow_private {
        return Ok(url);
    }
    let addresses: Vec<std::net::IpAddr> = match rules::literal_address(&url) {
        Some(ip) => vec![ip],
        None => {
            let host = url.host_str().unwrap_or_default();
            let port = url.port_or_known_default().unwrap_or(443);
            (host, port)
                .to_socket_addrs()
                .map_err(|_| FieldError::new("url", format!("host {host} does not resolve")))?
                .map(|a| a.ip())
                .collect()
        }
    };
    if let Some(bad) = addresses
        .iter()
        .find(|ip| rules::is_forbidden_address(**ip))
    {
        return Err(FieldError::new(
            "url",
            format!(
                "resolves to {bad}, a loopback, private or link-local address, which deliveries may not reach"
            ),
        ));
    }
    if addresses.is_empty() {
        return Err(FieldError::new("url", "the host has no address"));
    }
    Ok(url)
}

/// Checks a list of event types; `None` (every event) passes.
pub fn check_events(events: Option<&[String]>) -> Result<Option<Vec<String>>, FieldError> {
    let Some(events) = events else {
        return Ok(None);
    };
    if events.is_empty() {
        return Err(FieldError::new(
            "events",
            "name at least one event type, or leave it out for every event",
        ));
    }
    let mut out: Vec<String> = Vec::with_capacity(events.len());
    for e in events {
        if !rules::is_event_type(e) {
            return Err(FieldError::new(
                "events",
                format!("{e:?} is not an event type; see the list in the documentation"),
            ));
        }
        if !out.contains(e) {
            out.push(e.clone());
        }
    }
    Ok(Some(out))
}

fn check_description(d: &str) -> Result<String, FieldError> {
    let d = d.trim();
    if d.chars().count() > MAX_DESCRIPTION_CHARS {
        return Err(FieldError::new(
            "description",
            format!("must be at most {MAX_DESCRIPTION_CHARS} characters"),
        ));
    }
    if d.chars().any(char::is_control) {
        return Err(FieldError::new(
            "description",
            "must not hold control characters",
        ));
    }
    Ok(d.to_owned())
}

/// A new endpoint as asked for.
#[derive(Debug, Clone, Default)]
pub struct EndpointInput {
    /// Where deliveries go.
    pub url: String,
    /// What it is for.
    pub description: String,
    /// The event types; `None` for every event.
    pub events: Option<Vec<String>>,
}

/// Checks a new endpoint, naming every bad field. Blocking (DNS).
pub fn validate(input: &EndpointInput, reach: Reach) -> Result<NewEndpointChecked, AppError> {
    let mut errors = Vec::new();
    let url = check_destination(&input.url, reach)
        .map_err(|e| errors.push(e))
        .ok();
    let description = check_description(&input.description)
        .map_err(|e| errors.push(e))
        .ok();
    let events = check_events(input.events.as_deref())
        .map_err(|e| errors.push(e))
        .ok();
    match (url, description, events) {
        (Some(url), Some(description), Some(events)) if errors.is_empty() => {
            Ok(NewEndpointChecked {
                url: url.to_string(),
                description,
                events,
            })
        }
        _ => Err(AppError::Validation(errors)),
    }
}

/// A new endpoint whose fields passed [`validate`].
#[derive(Debug, Clone)]
pub struct NewEndpointChecked {
    url: String,
    description: String,
    events: Option<Vec<String>>,
}

/// Registers an endpoint with a fresh secret, shown to its creator this once.
pub fn create(
    conn: &mut PgConnection,
    input: NewEndpointChecked,
    actor: Actor,
) -> Result<Endpoint, AppError> {
    conn.transaction(|conn| {
        let new = NewEndpoint {
            url: input.url,
            description: input.description,
            events: input.events,
            secret: rules::new_secret(),
            created_by_type: actor.kind().as_str(),
            created_by: actor.id(),
        };
        let endpoint = store::insert_endpoint(conn, &new)?;
        events::insert(
            conn,
            &NewEvent::new(actor, "webhook_endpoint.created", None)
                .details(json!({ "endpoint_id": endpoint.id, "events": endpoint.events })),
        )?;
        Ok(endpoint)
    })
}

/// A change to an endpoint as asked for; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct EndpointPatch {
    /// New URL.
    pub url: Option<String>,
    /// New description.
    pub description: Option<String>,
    /// New event types; `Some(None)` for every event.
    pub events: Option<Option<Vec<String>>>,
    /// Enable or disable.
    pub enabled: Option<bool>,
}

/// Checks a change, naming every bad field. Blocking (DNS) when the URL changes.
pub fn validate_patch(patch: &EndpointPatch, reach: Reach) -> Result<EndpointChanges, AppError> {
    let mut errors = Vec::new();
    let mut changes = EndpointChanges::default();
    if let Some(url) = &patch.url {
        match check_destination(url, reach) {
            Ok(u) => changes.url = Some(u.to_string()),
            Err(e) => errors.push(e),
        }
    }
    if let Some(d) = &patch.description {
        match check_description(d) {
            Ok(d) => changes.description = Some(d),
            Err(e) => errors.push(e),
        }
    }
    if let Some(events) = &patch.events {
        match check_events(events.as_deref()) {
            Ok(e) => changes.events = Some(e),
            Err(e) => errors.push(e),
        }
    }
    if let Some(enabled) = patch.enabled {
        changes.enabled = Some(enabled);
        changes.disabled_reason = Some((!enabled).then(|| "admin".to_owned()));
    }
    if errors.is_empty() {
        Ok(changes)
    } else {
        Err(AppError::Validation(errors))
    }
}

/// Applies a checked change. Enabling an endpoint the system disabled clears its run of
/// failures, so it gets five fresh days.
pub fn update(
    conn: &mut PgConnection,
    id: Uuid,
    changes: &EndpointChanges,
    actor: Actor,
) -> Result<Endpoint, AppError> {
    conn.transaction(|conn| {
        let before =
            store::lock_endpoint(conn, id)?.ok_or(AppError::NotFound("webhook endpoint"))?;
        let mut changes = changes.clone();
        if changes.enabled == Some(before.enabled) {
            // No change of state: keep the reason it was disabled for.
            changes.enabled = None;
            changes.disabled_reason = None;
        }
        let now = Utc::now();
        let endpoint = store::update_endpoint(conn, id, &changes, now)?;
        if changes.enabled == Some(true) {
            store::note_result(conn, id, true, now)?;
        }
        let mut fields = Vec::new();
        if changes.url.is_some() {
            fields.push("url");
        }
        if changes.description.is_some() {
            fields.push("description");
        }
        if changes.events.is_some() {
            fields.push("events");
        }
        let action = match changes.enabled {
            Some(true) => "webhook_endpoint.enabled",
            Some(false) => "webhook_endpoint.disabled",
            None => "webhook_endpoint.updated",
        };
        if changes.enabled.is_some() || !fields.is_empty() {
            events::insert(
                conn,
                &NewEvent::new(actor, action, None)
                    .details(json!({ "endpoint_id": id, "fields": fields, "reason": "admin" })),
            )?;
        }
        Ok(endpoint)
    })
}

/// Removes an endpoint and its deliveries.
pub fn delete(conn: &mut PgConnection, id: Uuid, actor: Actor) -> Result<(), AppError> {
    conn.transaction(|conn| {
        if store::delete_endpoint(conn, id)? == 0 {
            return Err(AppError::NotFound("webhook endpoint"));
        }
        events::insert(
            conn,
            &NewEvent::new(actor, "webhook_endpoint.deleted", None)
                .details(json!({ "endpoint_id": id })),
        )?;
        Ok(())
    })
}

/// Gives an endpoint a new secret; the old one keeps signing for 24 hours so the receiver
/// can switch without losing a delivery. The new secret is in the answer, this once.
pub fn rotate_secret(
    conn: &mut PgConnection,
    id: Uuid,
    actor: Actor,
) -> Result<Endpoint, AppError> {
    conn.transaction(|conn| {
        store::lock_endpoint(conn, id)?.ok_or(AppError::NotFound("webhook endpoint"))?;
        let now = Utc::now();
        let endpoint = store::rotate_secret(
            conn,
            id,
            &rules::new_secret(),
            now + rules::ROTATION_OVERLAP,
            now,
        )?;
        events::insert(
            conn,
            &NewEvent::new(actor, "webhook_endpoint.secret_rotated", None).details(json!({
                "endpoint_id": id,
                "previous_secret_expires_at": endpoint.previous_secret_expires_at,
            })),
        )?;
        Ok(endpoint)
    })
}

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
