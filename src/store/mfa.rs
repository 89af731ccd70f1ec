//! The second factor: each user's TOTP secret and last accepted time step (columns of
//! `users`), and their single-use recovery codes (`recovery_codes`, hashes only).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::schema::{recovery_codes, users};

/// A user's second factor as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users, check_for_backend(diesel::pg::Pg))]
pub struct TotpState {
    /// The shared secret, base32; set while enrolment is pending and once it is confirmed.
    pub totp_secret: Option<String>,
    /// When enrolment was confirmed; `None` while pending or never started.
    pub totp_enabled_at: Option<DateTime<Utc>>,
    /// The last time step a code was accepted for: a code of that step or earlier is refused.
    pub totp_last_step: Option<i64>,
}

impl TotpState {
    /// Whether sign-in asks this user for a code.
    pub fn enabled(&self) -> bool {
        self.totp_enabled_at.is_some() && self.totp_secret.is_some()
    }

    /// The secret of an enrolment started but not confirmed.
    pub fn pending_secret(&self) -> Option<&str> {
        match self.totp_enabled_at {
            None => self.totp_secret.as_deref(),
            Some(_) => None,
        }
    }
}

/// The user's second factor; `None` when the user does not exist.
pub fn state(conn: &mut PgConnection, user_id: Uuid) -> QueryResult<Option<TotpState>> {
    users::table
        .find(user_id)
        .select(TotpState::as_select())
        .first(conn)
        .optional()
}

/// Starts (or restarts) an enrolment with `secret`, unless one is already confirmed.
/// Returns whether it was stored.
pub fn set_pending_secret(
    conn: &mut PgConnection,
    user_id: Uuid,
    secret: &str,
) -> QueryResult<bool> {
    let n = diesel::update(
        users::table
            .find(user_id)
            .filter(users::totp_enabled_at.is_null()),
    )
    .set((
        users::totp_secret.eq(secret),
        users::totp_last_step.eq(None::<i64>),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Confirms a pending enrolment, remembering `step` as used. Returns whether it was pending.
pub fn enable(conn: &mut PgConnection, user_id: Uuid, step: i64) -> QueryResult<bool> {
    let n = diesel::update(
        users::table
            .find(user_id)
            .filter(users::totp_enabled_at.is_null())
            .filter(users::totp_secret.is_not_null()),
    )
    .set((
        users::totp_enabled_at.eq(diesel::dsl::now),
        users::totp_last_step.eq(step),
        users::updated_at.eq(diesel::dsl::now),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Records `step` as used if it is later than every step used before: the one check that
/// stops a code being replayed, atomic under concurrent sign-ins. Returns whether it was.
pub fn use_step(conn: &mut PgConnection, user_id: Uuid, step: i64) -> QueryResult<bool> {
    let n = diesel::update(
        users::table.find(user_id).filter(
            users::totp_last_step
                .is_null()
                .or(users::totp_last_step.lt(step)),
        ),
    )
    .set(users::totp_last_step.eq(step))
    .execute(conn)?;
    Ok(n == 1)
}

/// Removes the second factor and every recovery code. Returns whether there was anything
/// to remove.
pub fn clear(conn: &mut PgConnection, user_id: Uuid) -> QueryResult<bool> {
    let codes = diesel::delete(recovery_codes::table.filter(recovery_codes::user_id.eq(user_id)))
        .execute(conn)?;
    let n = diesel::update(
        users::table
            .find(user_id)
            .filter(users::totp_secret.is_not_null()),
    )
    .set((
        users::totp_secret.eq(None::<String>),
        users::totp_enabled_at.eq(None::<DateTime<Utc>>),
        users::totp_last_step.eq(None::<i64>),
        users::updated_at.eq(diesel::dsl::now),
    ))
    .execute(conn)?;
    Ok(n == 1 || codes > 0)
}

/// Replaces the user's recovery codes with `hashes`.
pub fn replace_recovery_codes(
    conn: &mut PgConnection,
    user_id: Uuid,
    hashes: &[String],
) -> QueryResult<usize> {
    diesel::delete(recovery_codes::table.filter(recovery_codes::user_id.eq(user_id)))
        .execute(conn)?;
    let rows: Vec<_> = hashes
        .iter()
        .map(|h| {
            (
                recovery_codes::user_id.eq(user_id),
                recovery_codes::code_hash.eq(h),
            )
        })
        .collect();
    diesel::insert_into(recovery_codes::table)
        .values(&rows)
        .execute(conn)
}

/// Marks the unused code with `hash` as used. Returns whether there was one: a code works
/// once, even when two sign-ins race.
pub fn use_recovery_code(conn: &mut PgConnection, user_id: Uuid, hash: &str) -> QueryResult<bool> {
    let n = diesel::update(
        recovery_codes::table
            .filter(recovery_codes::user_id.eq(user_id))
            .filter(recovery_codes::code_hash.eq(hash))
            .filter(recovery_codes::used_at.is_null()),
    )
    .set(recovery_codes::used_at.eq(diesel::dsl::now))
    .execute(conn)?;
    Ok(n == 1)
}

/// How many of the user's recovery codes are still unused.
pub fn recovery_codes_left(conn: &mut PgConnection, user_id: Uuid) -> QueryResult<i64> {
    recovery_codes::table
        .filter(recovery_codes::user_id.eq(user_id))
        .filter(recovery_codes::used_at.is_null())
        .count()
        .get_result(conn)
}
