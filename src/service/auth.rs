//! Signing in: throttling per username and per address that holds under concurrency,
//! argon2id verification that takes the same time whether or not the user exists and runs
//! without holding a database connection, and the audit trail of both outcomes.

use std::net::{IpAddr, Ipv6Addr};
use std::sync::LazyLock;

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use serde_json::json;
use uuid::Uuid;

use crate::db::{self, DbPool};
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

/// How long attempts are kept after the throttling window has passed, before the
/// background job deletes them: a margin for an investigation of a recent attack.
const KEEP_ATTEMPTS_FOR_DAYS: i64 = 1;

/// Argon2 runs at once, at most: one per core. A flood of sign-ins waits here, in
/// arrival order and without a thread or a database connection, instead of taking every
/// core from the requests of signed-in users.
static HASHING: LazyLock<tokio::sync::Semaphore> = LazyLock::new(|| {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    tokio::sync::Semaphore::new(cores)
});

/// Runs password hashing `f` on a blocking thread once a hashing slot is free. The
/// caller holds no pooled connection meanwhile.
async fn hashing<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, AppError> {
    // The semaphore is never closed.
    let _slot = HASHING
        .acquire()
        .await
        .map_err(|e| AppError::Unexpected(anyhow::anyhow!("hashing slots closed: {e}")))?;
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| AppError::Unexpected(anyhow::anyhow!("password hashing failed: {e}")))
}

/// Hashes a new password, on a blocking thread and within the same bound as verifying.
pub async fn hash_password(password: String) -> Result<String, AppError> {
    Ok(hashing(move || passwords::hash(&password)).await??)
}

/// Whether `password` matches `hash` (the dummy hash when `None`, so that an unknown user
/// takes as long as a known one). Over-long input fails without hashing.
async fn verify(password: &str, hash: Option<String>) -> Result<bool, AppError> {
    if password.len() > MAX_INPUT {
        return Ok(false);
    }
    let password = password.to_owned();
    hashing(move || {
        let hash = hash.as_deref().unwrap_or_else(|| passwords::dummy_hash());
        passwords::verify(&password, hash)
    })
    .await
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

/// The name an attempt is counted under: the username as typed, trimmed, in lower case
/// and cut to 200 characters (the same key when counted and when recorded).
pub(crate) fn attempt_name(username: &str) -> String {
    username.trim().to_lowercase().chars().take(200).collect()
}

/// Counts one attempt against the limits before its password is checked: it is recorded
/// as failed right away and turned into a success only once the password matched. The
/// advisory locks make counting and recording one step per username and per address, so
/// of many simultaneous attempts exactly as many as the limit allow are judged.
///
/// Returns the attempt's id, or `Throttled` (nothing recorded) when a limit is reached.
pub(crate) fn reserve(
    conn: &mut PgConnection,
    name: &str,
    bucket: &str,
) -> Result<i64, SignInError> {
    conn.transaction(|conn| {
        login_attempts::lock(conn, name, bucket)?;
        let now = Utc::now();
        let since = now - Duration::minutes(WINDOW_MINUTES);
        let (user_failures, user_oldest) = login_attempts::failures_for_user(conn, name, since)?;
        if user_failures >= MAX_FAILURES_PER_USER {
            return Err(SignInError::Throttled(retry_after(user_oldest, now)));
        }
        let (ip_failures, ip_oldest) = login_attempts::failures_from_ip(conn, bucket, since)?;
        if ip_failures >= MAX_FAILURES_PER_IP {
            return Err(SignInError::Throttled(retry_after(ip_oldest, now)));
        }
        Ok(login_attempts::record(conn, name, bucket, false)?)
    })
}

/// Checks the credentials in three steps, none of which holds a pooled connection while
/// argon2 runs: count the attempt and fetch the hash, verify (bounded by [`HASHING`]),
/// record the outcome. When `second_factor_follows` says the user still owes a second
/// factor (or its enrolment), the audit records `user.password_accepted`, not a sign-in:
/// that comes with the code.
pub async fn sign_in(
    pool: &DbPool,
    username: &str,
    password: &str,
    ip: &str,
    second_factor_follows: impl FnOnce(&User) -> bool + Send + 'static,
) -> Result<User, SignInError> {
    let name = attempt_name(username);
    let lookup = username.trim().to_lowercase();
    let bucket = throttle_key(ip);
    let (attempt, user) = db::with_conn(pool, move |conn| {
        Ok(reserve(conn, &name, &bucket).and_then(|attempt| {
            let user = if lookup.len() <= MAX_INPUT {
                users::find_by_username(conn, &lookup)?
            } else {
                None
            };
            Ok((attempt, user))
        }))
    })
    .await??;
    let matches = verify(password, user.as_ref().map(|u| u.password_hash.clone())).await?;
    let ok = matches && user.as_ref().is_some_and(|u| !u.disabled);
    // A hash made with older parameters is made again while the password is at hand.
    let rehashed = match &user {
        Some(u) if ok && !passwords::is_current(&u.password_hash) => Some((
            u.password_hash.clone(),
            hash_password(password.to_owned()).await?,
        )),
        _ => None,
    };
    let ip = ip.to_owned();
    let follows = ok && user.as_ref().is_some_and(second_factor_follows);
    db::with_conn(pool, move |conn| {
        record_sign_in(conn, attempt, user.as_ref(), ok, follows, &ip)?;
        if let (Some(u), Some((old, new))) = (&user, &rehashed) {
            users::rehash(conn, u.id, old, new)?;
        }
        Ok(match user {
            Some(u) if ok => Ok(u),
            _ => Err(SignInError::Invalid),
        })
    })
    .await?
}

/// The outcome of a sign-in: the attempt, the audit event and the user's last sign-in.
fn record_sign_in(
    conn: &mut PgConnection,
    attempt: i64,
    user: Option<&User>,
    ok: bool,
    second_factor_follows: bool,
    ip: &str,
) -> Result<(), AppError> {
    conn.transaction(|conn| {
        if ok {
            login_attempts::mark_succeeded(conn, attempt)?;
        }
        let mut event = match (user, ok) {
            (Some(u), true) if second_factor_follows => {
                NewEvent::new(Actor::User(u.id), "user.password_accepted", None)
            }
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
        if let (Some(u), true, false) = (user, ok, second_factor_follows) {
            users::touch_last_login(conn, u.id)?;
        }
        Ok(())
    })
}

/// Checks a signed-in user's own current password (the `/account` form) under the same
/// limits as sign-in, counted in the same attempts: guessing it through a stolen session
/// is no easier than at the sign-in form. A wrong password is audited
/// (`user.password_check_failed`, with the address, never the password).
pub async fn check_own_password(
    pool: &DbPool,
    user_id: Uuid,
    password: &str,
    ip: &str,
) -> Result<bool, SignInError> {
    let bucket = throttle_key(ip);
    let (attempt, hash) = db::with_conn(pool, move |conn| {
        let me = users::find(conn, user_id)?.ok_or(AppError::NotFound("user"))?;
        Ok(reserve(conn, &attempt_name(&me.username), &bucket)
            .map(|attempt| (attempt, me.password_hash)))
    })
    .await??;
    let ok = verify(password, Some(hash)).await?;
    let ip = ip.to_owned();
    db::with_conn(pool, move |conn| {
        if ok {
            login_attempts::mark_succeeded(conn, attempt)?;
        } else {
            let mut event = NewEvent::new(Actor::User(user_id), "user.password_check_failed", None)
                .details(json!({ "reason": "wrong_password" }));
            event.ip = Some(ip.chars().take(45).collect());
            events::insert(conn, &event)?;
        }
        Ok(())
    })
    .await?;
    Ok(ok)
}

/// Deletes attempts that no longer count towards any limit (older than the window plus
/// [`KEEP_ATTEMPTS_FOR_DAYS`]); the background job calls it every tick.
pub fn forget_old_attempts(conn: &mut PgConnection) -> Result<usize, AppError> {
    let before =
        Utc::now() - Duration::minutes(WINDOW_MINUTES) - Duration::days(KEEP_ATTEMPTS_FOR_DAYS);
    Ok(login_attempts::prune(conn, before)?)
}

/// Ends every signed-in session of the user (the cookie's epoch no longer matches) and
/// records the sign-out.
pub fn sign_out(conn: &mut PgConnection, user_id: uuid::Uuid, ip: &str) -> Result<(), AppError> {
    conn.transaction(|conn| {
        users::end_sessions(conn, user_id)?;
        let mut event = NewEvent::new(Actor::User(user_id), "user.signed_out", None);
        event.ip = Some(ip.chars().take(45).collect());
        events::insert(conn, &event)?;
        Ok(())
    })
}
