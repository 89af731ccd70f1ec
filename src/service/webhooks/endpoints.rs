//! Registering, changing, rotating and removing an endpoint, with the checks on its URL,
//! events and description.

use std::net::ToSocketAddrs;

use chrono::Utc;
use diesel::prelude::*;
use serde_json::json;
use uuid::Uuid;

use crate::domain::actor::Actor;
use crate::domain::person::FieldError;
use crate::domain::webhooks as rules;
use crate::error::AppError;
use crate::store::events::{self, NewEvent};
use crate::store::webhooks::{self as store, Endpoint, EndpointChanges, NewEndpoint};

/// The longest description.
pub const MAX_DESCRIPTION_CHARS: usize = 500;

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
