//! Signing in: throttling per username and per address, argon2id verification that takes
//! the same time whether or not the user exists, and the audit trail of both outcomes.

use std::net::{IpAddr, Ipv6Addr};

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use serde_json::json;

use crate::domain::actor::Actor;
use crate::error::AppError;
use crate::service::passwords;
use crate::store::events::{self, NewEvent};
use crate::store::login_attempts;
use crate::store::users::{self, User};

/// Failed sign-ins one username may have within [`WINDOW_MINUTES`].
pub const MAX_FAILURES_PER_USER: i64 = 5;
/// Failed sign-ins one address may have within [`WINDOW_MINUTES`].
pub const MAX_FAILURES_PER_IP: i64 = 20;
/// The throttling window.
pub const WINDOW_MINUTES: i64 = 15;

/// The longest username or password looked at; longer input fails without hashing.
const MAX_INPUT: usize = 1024;

/// Why a sign-in did not succeed. Callers show one generic text for `Invalid`.
#[derive(Debug)]
pub enum SignInError {
    /// Wrong username or password, or a disabled user.
    Invalid,
    /// Too many recent failures: try again after this many seconds.
    Throttled(u64),
    /// The database failed.
    App(AppError),
}

impl From<AppError> for SignInError {
    fn from(e: AppError) -> Self {
        SignInError::App(e)
    }
}

impl From<diesel::result::Error> for SignInError {
    fn from(e: diesel::result::Error) -> Self {
        SignInError::App(e.into())
    }
}

fn retry_after(oldest: Option<DateTime<Utc>>, now: DateTime<Utc>) -> u64 {
    let until = oldest.unwrap_or(now) + Duration::minutes(WINDOW_MINUTES);
    (until - now).num_seconds().max(1) as u64
}

/// The throttling bucket of a client address. An IPv6 client is usually given a whole
/// /64 and can pick any address in it, so the /64 is the bucket; an IPv4 address (also one
/// written as IPv6) and anything unparseable are their own bucket.
pub fn throttle_key(ip: &str) -> String {
    match ip.parse::<IpAddr>().map(|a| a.to_canonical()) {
        Ok(IpAddr::V6(v6)) => {
            let network = Ipv6Addr::from(u128::from(v6) & (u128::MAX << 64));
            format!("{network}/64")
        }
        _ => ip.chars().take(45).collect(),
    }
}

/// Checks the credentials. Blocking (argon2 on purpose takes tens of milliseconds): run
/// it on a blocking thread.
pub fn sign_in(
    conn: &mut PgConnection,
    username: &str,
    password: &str,
    ip: &str,
) -> Result<User, SignInError> {
    let username = username.trim().to_lowercase();
    let now = Utc::now();
    let since = now - Duration::minutes(WINDOW_MINUTES);
    let bucket = throttle_key(ip);
    let (user_failures, user_oldest) = login_attempts::failures_for_user(conn, &username, since)?;
    let (ip_failures, ip_oldest) = login_attempts::failures_from_ip(conn, &bucket, since)?;
    if user_failures >= MAX_FAILURES_PER_USER {
        return Err(SignInError::Throttled(retry_after(user_oldest, now)));
    }
    if ip_failures >= MAX_FAILURES_PER_IP {
        return Err(SignInError::Throttled(retry_after(ip_oldest, now)));
    }

    let user = if username.len() <= MAX_INPUT {
        users::find_by_username(conn, &username)?
    } else {
        None
    };
    let hash = user
        .as_ref()
        .map(|u| u.password_hash.as_str())
        .unwrap_or_else(|| passwords::dummy_hash());
    let matches = password.len() <= MAX_INPUT && passwords::verify(password, hash);
    let ok = matches && user.as_ref().is_some_and(|u| !u.disabled);

    conn.transaction(|conn| {
        login_attempts::record(
            conn,
            &username.chars().take(200).collect::<String>(),
            &bucket,
            ok,
        )?;
        let mut event = match (&user, ok) {
            (Some(u), true) => NewEvent::new(Actor::User(u.id), "user.signed_in", None),
            (Some(u), false) => NewEvent::new(Actor::User(u.id), "user.sign_in_failed", None)
                .details(
                    json!({ "reason": if u.disabled { "disabled" } else { "wrong_password" } }),
                ),
            // The typed name may be a mistyped password: it is not kept.
            (None, _) => NewEvent::new(Actor::System, "user.sign_in_failed", None)
                .details(json!({ "reason": "unknown_user" })),
        };
        event.ip = Some(ip.chars().take(45).collect());
        events::insert(conn, &event)?;
        if let (Some(u), true) = (&user, ok) {
            diesel::update(crate::schema::users::table.find(u.id))
                .set(crate::schema::users::last_login_at.eq(now))
                .execute(conn)?;
        }
        Ok::<_, diesel::result::Error>(())
    })?;
    match user {
        Some(u) if ok => Ok(u),
        _ => Err(SignInError::Invalid),
    }
}

/// Ends every signed-in session of the user (the cookie's epoch no longer matches) and
/// records the sign-out.
pub fn sign_out(conn: &mut PgConnection, user_id: uuid::Uuid, ip: &str) -> Result<(), AppError> {
    conn.transaction(|conn| {
        diesel::update(crate::schema::users::table.find(user_id))
            .set(crate::schema::users::session_epoch.eq(crate::schema::users::session_epoch + 1))
            .execute(conn)?;
        let mut event = NewEvent::new(Actor::User(user_id), "user.signed_out", None);
        event.ip = Some(ip.chars().take(45).collect());
        events::insert(conn, &event)?;
        Ok(())
    })
}
