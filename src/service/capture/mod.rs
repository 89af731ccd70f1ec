//! The applicant's capture flow: issuing a one-time link, and every step the applicant
//! takes through it — consent (which starts the session and records the device), personal
//! data, the document and its photos, the proof of address, and the submit. Each step goes
//! through the same services as the API (`person`, `documents`, `transitions`), with the
//! applicant as the actor.
//!
//! A link's token has 256 random bits and only its SHA-256 is stored. A link works for one
//! session while that session waits for the applicant (`created` or `started`, not
//! redacted, not past its expiry), until its own expiry, until a newer link replaces it,
//! and until the applicant submits through it. Every write re-checks that under the
//! session's row lock, so that a decision, an expiry or a redaction is either fully before
//! or fully after it.

mod resubmit;
mod visit;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use rand::RngCore;
use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::domain::actor::Actor;
use crate::domain::kinds::ActorType;
use crate::domain::status::SessionStatus;
use crate::error::{AppError, Conflict};
use crate::store::capture_links::{self, CaptureLink, NewCaptureLink};
use crate::store::events::{self, NewEvent};
use crate::store::sessions::{self as store_sessions, Session};

pub use resubmit::{
    MAX_MESSAGE, ResubmissionInput, parse_message, parse_reason, request as request_resubmission,
};
pub use visit::{
    DATA_FIELDS, DataField, REQUIRED, Visit, add_address, add_photo, choose_document, consent,
    enter_data, open, sides_left, submit,
};

/// Random bytes in a token: 256 bits.
pub const TOKEN_BYTES: usize = 32;
/// A token's length as sent: base64url without padding.
pub const TOKEN_CHARS: usize = 43;

/// A link just issued: the token (shown once, never stored) and the stored row.
#[derive(Debug, Clone)]
pub struct Issued {
    /// The token, for the URL.
    pub token: String,
    /// The link as stored.
    pub link: CaptureLink,
}

/// A new random token and its hash.
fn new_token() -> (String, Vec<u8>) {
    let mut bytes = [0u8; TOKEN_BYTES];
    rand::rng().fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let hash = Sha256::digest(token.as_bytes()).to_vec();
    (token, hash)
}

/// The stored hash of a token as the applicant sent it, or `None` when it cannot be one
/// of ours (then no query is made).
pub fn hash_token(raw: &str) -> Option<Vec<u8>> {
    let plausible = raw.len() == TOKEN_CHARS
        && raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    plausible.then(|| Sha256::digest(raw.as_bytes()).to_vec())
}

/// The link's address: `<base>/c/<token>`.
pub fn url(base: &str, token: &str) -> String {
    format!("{}/c/{token}", base.trim_end_matches('/'))
}

/// The version of a privacy text recorded with a consent: the first 12 hex digits of its
/// SHA-256, so that a changed text is a new version without anyone numbering it.
pub fn privacy_version(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .take(6)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether a session still waits for its applicant: a link to it may work.
pub fn awaits_applicant(session: &Session, now: DateTime<Utc>) -> bool {
    session.redacted_at.is_none()
        && matches!(
            session.status,
            SessionStatus::Created | SessionStatus::Started
        )
        && session.expires_at > now
}

/// Whether `link` works at `now` for `session` (its own session).
pub fn is_live(link: &CaptureLink, session: &Session, now: DateTime<Utc>) -> bool {
    link.session_id == session.id
        && link.revoked_at.is_none()
        && link.submitted_at.is_none()
        && link.expires_at > now
        && awaits_applicant(session, now)
}

/// Issues a capture link for a session that waits for its applicant, revoking the one
/// before, with a `capture_link.created` event. `hours` bounds its life; it never outlives
/// the session's own expiry. A session already submitted, decided, expired or redacted is
/// a conflict.
pub fn issue(
    conn: &mut PgConnection,
    session_id: Uuid,
    actor: Actor,
    hours: i64,
) -> Result<Issued, AppError> {
    conn.transaction(|conn| {
        let session =
            store_sessions::lock(conn, session_id)?.ok_or(AppError::NotFound("session"))?;
        let now = Utc::now();
        if session.redacted_at.is_some() {
            return Err(AppError::Conflict(Conflict::Redacted));
        }
        if !awaits_applicant(&session, now) {
            return Err(AppError::Conflict(Conflict::Other(format!(
                "session is {}: an applicant link is only for a session not yet submitted",
                session.status.label()
            ))));
        }
        issue_in(conn, &session, actor, hours, None, now)
    })
}

/// [`issue`] inside the caller's transaction, the session already locked and checked.
pub(crate) fn issue_in(
    conn: &mut PgConnection,
    session: &Session,
    actor: Actor,
    hours: i64,
    resubmission_id: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<Issued, AppError> {
    let revoked = capture_links::revoke_open(conn, session.id, now)?;
    let (token, token_hash) = new_token();
    let expires_at = (now + Duration::hours(hours)).min(session.expires_at);
    let link = capture_links::insert(
        conn,
        &NewCaptureLink {
            session_id: session.id,
            token_hash,
            resubmission_id,
            created_by_type: match actor.kind() {
                ActorType::Applicant => ActorType::System,
                kind => kind,
            },
            created_by_id: actor.id(),
            expires_at,
        },
    )?;
    let event = NewEvent::new(actor, "capture_link.created", Some(session.id)).details(json!({
        "link_id": link.id,
        "expires_at": expires_at,
        "revoked_previous": revoked > 0,
        "resubmission_id": resubmission_id,
    }));
    events::insert(conn, &event)?;
    Ok(Issued { token, link })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_256_bits_of_url_safe_text_and_only_ours_are_looked_up() {
        let (a, hash) = new_token();
        let (b, _) = new_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), TOKEN_CHARS);
        assert_eq!(hash_token(&a), Some(hash));
        assert_eq!(hash_token("short"), None);
        assert_eq!(hash_token(&format!("{}/", &a[..42])), None);
        assert_eq!(
            url("https://kyc.example/", &a),
            format!("https://kyc.example/c/{a}")
        );
    }
}
