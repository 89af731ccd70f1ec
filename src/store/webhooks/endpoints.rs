//! The endpoints deliveries go to: stored, changed, rotated, disabled.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::schema::webhook_endpoints;

/// A registered endpoint as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhook_endpoints, check_for_backend(diesel::pg::Pg))]
pub struct Endpoint {
    /// Primary key.
    pub id: Uuid,
    /// Where deliveries are posted.
    pub url: String,
    /// The admin's note of what it is for.
    pub description: String,
    /// The event types it wants; `None` for every event.
    pub events: Option<Vec<String>>,
    /// Whether deliveries go out.
    pub enabled: bool,
    /// `admin`, `gone` or `failing` while disabled.
    pub disabled_reason: Option<String>,
    /// The signing secret.
    pub secret: String,
    /// The secret before the last rotation, still signing until it expires.
    pub previous_secret: Option<String>,
    /// When the previous secret stops signing.
    pub previous_secret_expires_at: Option<DateTime<Utc>>,
    /// Start of the current run of failed attempts.
    pub failing_since: Option<DateTime<Utc>>,
    /// `user`, `api_key` or `system`.
    pub created_by_type: String,
    /// The creating user or key.
    pub created_by: Option<Uuid>,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl Endpoint {
    /// The secrets that sign a delivery made at `now`: the current one, and the previous
    /// one during the overlap after a rotation.
    pub fn signing_secrets(&self, now: DateTime<Utc>) -> Vec<&str> {
        let mut secrets = vec![self.secret.as_str()];
        if let (Some(old), Some(until)) = (&self.previous_secret, self.previous_secret_expires_at)
            && until > now
        {
            secrets.push(old);
        }
        secrets
    }

    /// Whether it wants events of `event_type`.
    pub fn wants(&self, event_type: &str) -> bool {
        self.events
            .as_ref()
            .is_none_or(|e| e.iter().any(|t| t == event_type))
    }
}

/// An endpoint about to be stored.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = webhook_endpoints)]
pub struct NewEndpoint {
    /// Where deliveries go.
    pub url: String,
    /// What it is for.
    pub description: String,
    /// The event types; `None` for all.
    pub events: Option<Vec<String>>,
    /// The signing secret.
    pub secret: String,
    /// `user`, `api_key` or `system`.
    pub created_by_type: &'static str,
    /// The creating user or key.
    pub created_by: Option<Uuid>,
}

/// A change to an endpoint's settings; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = webhook_endpoints)]
pub struct EndpointChanges {
    /// New URL.
    pub url: Option<String>,
    /// New description.
    pub description: Option<String>,
    /// New event types; `Some(None)` subscribes to every event.
    pub events: Option<Option<Vec<String>>>,
    /// Enabled or not.
    pub enabled: Option<bool>,
    /// Why it is disabled; `Some(None)` when enabling.
    pub disabled_reason: Option<Option<String>>,
}

/// Stores an endpoint.
pub fn insert_endpoint(conn: &mut PgConnection, new: &NewEndpoint) -> QueryResult<Endpoint> {
    diesel::insert_into(webhook_endpoints::table)
        .values(new)
        .returning(Endpoint::as_returning())
        .get_result(conn)
}

/// One endpoint.
pub fn find_endpoint(conn: &mut PgConnection, id: Uuid) -> QueryResult<Option<Endpoint>> {
    webhook_endpoints::table
        .find(id)
        .select(Endpoint::as_select())
        .first(conn)
        .optional()
}

/// One endpoint, locked for the rest of the transaction.
pub fn lock_endpoint(conn: &mut PgConnection, id: Uuid) -> QueryResult<Option<Endpoint>> {
    webhook_endpoints::table
        .find(id)
        .select(Endpoint::as_select())
        .for_update()
        .first(conn)
        .optional()
}

/// Every endpoint, oldest first (an installation has a handful).
pub fn all_endpoints(conn: &mut PgConnection) -> QueryResult<Vec<Endpoint>> {
    webhook_endpoints::table
        .order((
            webhook_endpoints::created_at.asc(),
            webhook_endpoints::id.asc(),
        ))
        .select(Endpoint::as_select())
        .load(conn)
}

/// Applies `changes`.
pub fn update_endpoint(
    conn: &mut PgConnection,
    id: Uuid,
    changes: &EndpointChanges,
    at: DateTime<Utc>,
) -> QueryResult<Endpoint> {
    diesel::update(webhook_endpoints::table.find(id))
        .set((changes, webhook_endpoints::updated_at.eq(at)))
        .returning(Endpoint::as_returning())
        .get_result(conn)
}

/// Replaces the secret; the old one keeps signing until `old_until`.
pub fn rotate_secret(
    conn: &mut PgConnection,
    id: Uuid,
    secret: &str,
    old_until: DateTime<Utc>,
    at: DateTime<Utc>,
) -> QueryResult<Endpoint> {
    diesel::update(webhook_endpoints::table.find(id))
        .set((
            webhook_endpoints::previous_secret.eq(webhook_endpoints::secret.nullable()),
            webhook_endpoints::previous_secret_expires_at.eq(old_until),
            webhook_endpoints::secret.eq(secret),
            webhook_endpoints::updated_at.eq(at),
        ))
        .returning(Endpoint::as_returning())
        .get_result(conn)
}

/// Removes an endpoint and, with it, its deliveries.
pub fn delete_endpoint(conn: &mut PgConnection, id: Uuid) -> QueryResult<usize> {
    diesel::delete(webhook_endpoints::table.find(id)).execute(conn)
}

/// Notes the outcome of an attempt on the endpoint: a success ends a run of failures; a
/// failure starts one if none is running. Returns the start of the run, if one is running.
pub fn note_result(
    conn: &mut PgConnection,
    id: Uuid,
    success: bool,
    at: DateTime<Utc>,
) -> QueryResult<Option<DateTime<Utc>>> {
    let target = webhook_endpoints::table.find(id);
    if success {
        diesel::update(target.filter(webhook_endpoints::failing_since.is_not_null()))
            .set(webhook_endpoints::failing_since.eq(None::<DateTime<Utc>>))
            .execute(conn)?;
        return Ok(None);
    }
    diesel::update(target.filter(webhook_endpoints::failing_since.is_null()))
        .set(webhook_endpoints::failing_since.eq(at))
        .execute(conn)?;
    webhook_endpoints::table
        .find(id)
        .select(webhook_endpoints::failing_since)
        .first(conn)
        .optional()
        .map(Option::flatten)
}

/// Disables an endpoint for `reason` unless it already is; true when this call did it.
pub fn disable(
    conn: &mut PgConnection,
    id: Uuid,
    reason: &str,
    at: DateTime<Utc>,
) -> QueryResult<bool> {
    let n = diesel::update(
        webhook_endpoints::table
            .find(id)
            .filter(webhook_endpoints::enabled.eq(true)),
    )
    .set((
        webhook_endpoints::enabled.eq(false),
        webhook_endpoints::disabled_reason.eq(reason),
        webhook_endpoints::updated_at.eq(at),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Endpoints that the system disabled (after a 410, or days of failures): the dashboard
/// shows admins a banner while there are any.
pub fn count_disabled_by_system(conn: &mut PgConnection) -> QueryResult<i64> {
    webhook_endpoints::table
        .filter(webhook_endpoints::disabled_reason.eq_any(["gone", "failing"]))
        .count()
        .get_result(conn)
}
