//! What the encrypted dashboard cookie holds: who is signed in (with the times that bound
//! the sign-in), the CSRF token, and a one-shot flash message.

use actix_session::Session;
use base64::Engine as _;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::kinds::Role;

const AUTH_KEY: &str = "auth";
const CSRF_KEY: &str = "csrf";
const FLASH_KEY: &str = "flash";

/// The signed-in user as the cookie remembers them.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuthState {
    /// The user's id.
    pub uid: Uuid,
    /// The user's session epoch at sign-in; a bump in the database ends this sign-in.
    pub epoch: i32,
    /// Sign-in time, Unix seconds: bounds the absolute lifetime.
    pub iat: i64,
    /// Last request, Unix seconds: bounds the idle time.
    pub seen: i64,
}

/// Reads the sign-in, if any. A cookie that cannot be read counts as signed out.
pub fn auth(session: &Session) -> Option<AuthState> {
    session.get::<AuthState>(AUTH_KEY).ok().flatten()
}

/// Records a sign-in.
pub fn set_auth(session: &Session, state: &AuthState) -> Result<(), crate::error::AppError> {
    session.insert(AUTH_KEY, state).map_err(|e| {
        crate::error::AppError::Unexpected(anyhow::anyhow!("cannot write the session: {e}"))
    })
}

fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The session's CSRF token, created on first use.
pub fn csrf_token(session: &Session) -> String {
    if let Ok(Some(token)) = session.get::<String>(CSRF_KEY) {
        return token;
    }
    let token = random_token();
    // If the cookie cannot be written the form will simply be refused later.
    let _ = session.insert(CSRF_KEY, &token);
    token
}

/// The stored CSRF token, without creating one.
pub fn stored_csrf_token(session: &Session) -> Option<String> {
    session.get::<String>(CSRF_KEY).ok().flatten()
}

/// Replaces the CSRF token (at sign-in), so a token seen before cannot be replayed.
pub fn rotate_csrf_token(session: &Session) -> String {
    let token = random_token();
    let _ = session.insert(CSRF_KEY, &token);
    token
}

/// A one-shot message shown on the next page.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Flash {
    /// `success`, `info` or `error`.
    pub kind: String,
    /// The text.
    pub message: String,
}

/// Leaves a message for the next page.
pub fn flash(session: &Session, kind: &str, message: impl Into<String>) {
    let _ = session.insert(
        FLASH_KEY,
        Flash {
            kind: kind.to_owned(),
            message: message.into(),
        },
    );
}

/// Takes the pending message, if any.
pub fn take_flash(session: &Session) -> Option<Flash> {
    let flash = session.get::<Flash>(FLASH_KEY).ok().flatten();
    if flash.is_some() {
        session.remove(FLASH_KEY);
    }
    flash
}

/// Starts a full sign-in for `user` in a fresh session — nothing from before carries over,
/// not even the cookie's encryption nonce or the CSRF token — and answers where to go:
/// `next`, except that managers without a page asked for start on their overview. Used by
/// the password step and, for users with a second factor, by the code step.
pub fn begin(
    session: &Session,
    user: &crate::store::users::User,
    next: &str,
) -> Result<String, crate::error::AppError> {
    session.clear();
    session.renew();
    let now = chrono::Utc::now().timestamp();
    set_auth(
        session,
        &AuthState {
            uid: user.id,
            epoch: user.session_epoch,
            iat: now,
            seen: now,
        },
    )?;
    rotate_csrf_token(session);
    Ok(if next == "/sessions" && user.role == Role::Manager {
        "/queues".to_owned()
    } else {
        next.to_owned()
    })
}
