//! The second factor (TOTP, RFC 6238): enrolment confirmed by a code, the code step of
//! sign-in (throttled with the password attempts, each time step accepted once), single-use
//! recovery codes, and an admin's reset. Every change is an audit event without secrets.

use chrono::Utc;
use diesel::prelude::*;
use rand::Rng;
use serde_json::json;
use sha2::{Digest, Sha256};
use totp_rs::{Algorithm, Builder, Secret, Totp};
use uuid::Uuid;

use crate::domain::actor::Actor;
use crate::error::AppError;
use crate::service::auth::{self, SignInError};
use crate::store::events::{self, NewEvent};
use crate::store::{login_attempts, mfa, users};

/// The name authenticator apps show next to the account.
pub const ISSUER: &str = "Session Desk";
/// Recovery codes given at enrolment.
pub const RECOVERY_CODES: usize = 10;
/// Characters of a recovery code (without the dashes): 16 of 31 symbols, about 79 bits,
/// so an unsalted SHA-256 of it is safe to keep.
const RECOVERY_CODE_LEN: usize = 16;
const RECOVERY_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// What sign-in needs after a correct password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecondStep {
    /// Nothing: the user is signed in.
    None,
    /// A code from their authenticator (or a recovery code).
    Code,
    /// Enrolment first: their role requires a second factor they do not have yet.
    Enrol,
}

/// Decides the step after a correct password. A user who must enrol gets a pending secret
/// here if they have none yet.
pub fn second_step(
    conn: &mut PgConnection,
    user_id: Uuid,
    required: bool,
) -> Result<SecondStep, AppError> {
    let state = mfa::state(conn, user_id)?.ok_or(AppError::NotFound("user"))?;
    if state.enabled() {
        return Ok(SecondStep::Code);
    }
    if !required {
        return Ok(SecondStep::None);
    }
    if state.pending_secret().is_none() {
        start_enrolment(conn, user_id, Actor::User(user_id))?;
    }
    Ok(SecondStep::Enrol)
}

/// A fresh 160-bit secret, base32 (RFC 4648, no padding) as apps expect it.
fn new_secret() -> String {
    let mut bytes = [0u8; 20];
    rand::rng().fill(&mut bytes);
    Secret::from(bytes).to_base32()
}

/// The TOTP of a stored secret: SHA-1, 6 digits, 30-second steps, one step of skew
/// either way (what every authenticator app does).
pub fn totp(secret_base32: &str, account: &str) -> Result<Totp, AppError> {
    let secret = Secret::try_from_base32(secret_base32)
        .map_err(|e| AppError::Unexpected(anyhow::anyhow!("stored TOTP secret: {e}")))?;
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_skew(1)
        .with_step_duration(30)
        .with_secret(secret)
        .with_issuer(Some(ISSUER))
        .with_account_name(account.replace(':', "_"))
        .build()
        .map_err(|e| AppError::Unexpected(anyhow::anyhow!("TOTP settings: {e}")))
}

/// The `otpauth://` address an authenticator app reads from the QR code.
pub fn otpauth_url(secret_base32: &str, account: &str) -> Result<String, AppError> {
    totp(secret_base32, account)?
        .to_url()
        .map_err(|e| AppError::Unexpected(anyhow::anyhow!("otpauth address: {e}")))
}

fn now_secs() -> u64 {
    u64::try_from(Utc::now().timestamp()).unwrap_or(0)
}

/// The time step `code` belongs to, within one step of now; `None` for a wrong code.
fn matching_step(secret_base32: &str, code: &str) -> Result<Option<i64>, AppError> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
        return Ok(None);
    }
    let step = totp(secret_base32, "")?.check(&code, now_secs());
    Ok(step.and_then(|s| i64::try_from(s).ok()))
}

/// Starts an enrolment: a new pending secret (replacing an unconfirmed one). Refused when
/// a second factor is already confirmed.
pub fn start_enrolment(
    conn: &mut PgConnection,
    user_id: Uuid,
    actor: Actor,
) -> Result<String, AppError> {
    let secret = new_secret();
    conn.transaction(|conn| {
        if !mfa::set_pending_secret(conn, user_id, &secret)? {
            return Err(AppError::conflict(
                "two-step sign-in is already set up".to_owned(),
            ));
        }
        events::insert(
            conn,
            &NewEvent::new(actor, "user.mfa_enrolment_started", None)
                .details(json!({ "user_id": user_id })),
        )?;
        Ok(secret)
    })
}

/// The secret of the user's unconfirmed enrolment, if one is under way.
pub fn pending_secret(conn: &mut PgConnection, user_id: Uuid) -> Result<Option<String>, AppError> {
    Ok(mfa::state(conn, user_id)?.and_then(|s| s.pending_secret().map(str::to_owned)))
}

/// Confirms a pending enrolment with a code from the app. On success the second factor is
/// on and the recovery codes are returned, this once, in clear. When the enrolment was
/// required at sign-in (`completes_sign_in`), it is also the sign-in's second factor.
pub fn confirm(
    conn: &mut PgConnection,
    user_id: Uuid,
    code: &str,
    completes_sign_in: bool,
) -> Result<Vec<String>, AppError> {
    let secret = pending_secret(conn, user_id)?.ok_or_else(|| {
        AppError::conflict("there is no two-step sign-in set-up to confirm".to_owned())
    })?;
    let Some(step) = matching_step(&secret, code)? else {
        return Err(AppError::field(
            "code",
            "is not the 6-digit code your app shows now",
        ));
    };
    let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| new_recovery_code()).collect();
    let hashes: Vec<String> = codes.iter().map(|c| recovery_hash(c)).collect();
    conn.transaction(|conn| {
        if !mfa::enable(conn, user_id, step)? {
            return Err(AppError::conflict(
                "two-step sign-in is already set up".to_owned(),
            ));
        }
        mfa::replace_recovery_codes(conn, user_id, &hashes)?;
        events::insert(
            conn,
            &NewEvent::new(Actor::User(user_id), "user.mfa_enabled", None)
                .details(json!({ "user_id": user_id, "recovery_codes": RECOVERY_CODES })),
        )?;
        if completes_sign_in {
            users::touch_last_login(conn, user_id)?;
            events::insert(
                conn,
                &signed_in(user_id).details(json!({ "second_factor": "totp_enrolled" })),
            )?;
        }
        Ok(codes)
    })
}

fn new_recovery_code() -> String {
    let mut rng = rand::rng();
    let raw: Vec<char> = (0..RECOVERY_CODE_LEN)
        .map(|_| RECOVERY_ALPHABET[rng.random_range(0..RECOVERY_ALPHABET.len())] as char)
        .collect();
    raw.chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// A recovery code as typed, in the form it is hashed: lower case, without dashes or spaces.
fn normalise_recovery(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

fn recovery_hash(code: &str) -> String {
    let digest = Sha256::digest(normalise_recovery(code).as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// How the code step of a sign-in went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeAccepted {
    /// A code from the app.
    Totp,
    /// A recovery code, now used up; this many are left.
    Recovery(i64),
}

/// Checks the code step of a sign-in: a 6-digit code of a time step later than the last one
/// accepted, or an unused recovery code. Wrong codes count as failed sign-ins for the
/// username and the address, so they are throttled exactly like passwords.
pub fn verify_sign_in_code(
    conn: &mut PgConnection,
    user_id: Uuid,
    code: &str,
    ip: &str,
) -> Result<CodeAccepted, SignInError> {
    let user = users::find(conn, user_id)?.ok_or(SignInError::Invalid)?;
    // Counted before it is judged, exactly as a password is: of many codes sent at once,
    // no more are tried than the limit allows.
    let attempt = auth::reserve(
        conn,
        &auth::attempt_name(&user.username),
        &auth::throttle_key(ip),
    )?;
    let state = mfa::state(conn, user_id)?.ok_or(SignInError::Invalid)?;
    let secret = match (&state.totp_secret, state.enabled()) {
        (Some(secret), true) => secret.clone(),
        _ => return Err(SignInError::Invalid),
    };
    let code = code.trim();
    let ip_kept: String = ip.chars().take(45).collect();
    let outcome = conn.transaction(|conn| {
        let accepted = if code.len() <= 8 {
            match matching_step(&secret, code)? {
                Some(step) if mfa::use_step(conn, user_id, step)? => Ok(CodeAccepted::Totp),
                Some(_) => Err("reused_code"),
                None => Err("wrong_code"),
            }
        } else if code.len() <= 64 && mfa::use_recovery_code(conn, user_id, &recovery_hash(code))? {
            Ok(CodeAccepted::Recovery(mfa::recovery_codes_left(
                conn, user_id,
            )?))
        } else {
            Err("wrong_code")
        };
        if accepted.is_ok() {
            login_attempts::mark_succeeded(conn, attempt)?;
            users::touch_last_login(conn, user_id)?;
        }
        let mut event = match accepted {
            Err(reason) => NewEvent::new(Actor::User(user_id), "user.sign_in_failed", None)
                .details(json!({ "reason": reason })),
            Ok(CodeAccepted::Recovery(left)) => signed_in(user_id)
                .details(json!({ "second_factor": "recovery_code", "recovery_codes_left": left })),
            Ok(CodeAccepted::Totp) => {
                signed_in(user_id).details(json!({ "second_factor": "totp" }))
            }
        };
        event.ip = Some(ip_kept.clone());
        events::insert(conn, &event)?;
        Ok::<_, AppError>(accepted.ok())
    })?;
    outcome.ok_or(SignInError::Invalid)
}

/// The event of a sign-in completed by its second factor.
fn signed_in(user_id: Uuid) -> NewEvent {
    NewEvent::new(Actor::User(user_id), "user.signed_in", None)
}

/// Unused recovery codes the user has left.
pub fn recovery_codes_left(conn: &mut PgConnection, user_id: Uuid) -> Result<i64, AppError> {
    Ok(mfa::recovery_codes_left(conn, user_id)?)
}

/// An admin removes a user's second factor (a lost phone): their recovery codes go too,
/// their open sessions end, and they enrol again at their next sign-in if their role
/// requires it.
pub fn reset(
    conn: &mut PgConnection,
    user_id: Uuid,
    actor: Actor,
) -> Result<users::User, AppError> {
    conn.transaction(|conn| {
        let user = users::find(conn, user_id)?.ok_or(AppError::NotFound("user"))?;
        if !mfa::clear(conn, user_id)? {
            return Err(AppError::conflict(format!(
                "{} has no two-step sign-in to reset",
                user.username
            )));
        }
        users::end_sessions(conn, user_id)?;
        events::insert(
            conn,
            &NewEvent::new(actor, "user.mfa_reset", None).details(json!({ "user_id": user_id })),
        )?;
        Ok(user)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_codes_are_long_and_hash_the_same_however_they_are_typed() {
        let code = new_recovery_code();
        assert_eq!(code.len(), RECOVERY_CODE_LEN + 3);
        assert_eq!(
            recovery_hash(&code),
            recovery_hash(&format!(" {} ", code.to_uppercase().replace('-', " ")))
        );
        assert_ne!(recovery_hash(&code), recovery_hash(&new_recovery_code()));
    }

    #[test]
    fn a_code_matches_its_own_step_and_nothing_else_does() {
        let secret = new_secret();
        let t = totp(&secret, "jane").unwrap();
        let now = now_secs();
        let code = t.generate(now).to_string();
        assert_eq!(
            matching_step(&secret, &code).unwrap(),
            Some(i64::try_from(now / 30).unwrap())
        );
        assert_eq!(matching_step(&secret, "12345").unwrap(), None);
        assert_eq!(matching_step(&secret, "abcdef").unwrap(), None);
        let url = otpauth_url(&secret, "jane").unwrap();
        assert!(url.starts_with("otpauth://totp/"), "{url}");
        assert!(url.contains(&secret), "{url}");
    }
}
