//! Creating sessions, by hand in the dashboard or through the API: for an existing account
//! or a new one, with optional personal data.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use diesel::prelude::*;
use serde_json::json;
use uuid::Uuid;

use crate::domain::actor::Actor;
use crate::domain::dates;
use crate::domain::kinds::VerificationKind;
use crate::error::{AppError, Conflict};
use crate::service::person;
use crate::store::accounts::{self, Account, NewAccount};
use crate::store::events::{self, NewEvent};
use crate::store::sessions::{self, NewSession, PersonChanges, Session};

/// Which account a new session belongs to.
#[derive(Debug, Clone)]
pub enum AccountRef {
    /// An account that must already exist.
    Existing(Uuid),
    /// The account with this external id, created if there is none yet.
    External(String),
}

/// What a new session starts with.
#[derive(Debug, Clone)]
pub struct NewSessionInput {
    /// Its account.
    pub account: AccountRef,
    /// The verification kinds that must pass; the default when empty.
    pub required_verifications: Vec<VerificationKind>,
    /// Personal data entered at creation, if any.
    pub person: Option<PersonChanges>,
    /// When it expires; creation plus the configured lifetime when `None`.
    pub expires_at: Option<DateTime<Utc>>,
}

/// Checks a requested `expires_at` by [`dates::check_expiry`], as a 422 on `expires_at`.
pub fn check_expiry(requested: DateTime<Utc>, ttl_days: i64) -> Result<DateTime<Utc>, AppError> {
    dates::check_expiry(requested, Utc::now(), ttl_days)
        .map_err(|message| AppError::field("expires_at", message))
}

/// Checks an external id: 1 to 255 characters, no control characters.
pub fn parse_external_id(field: &str, raw: &str) -> Result<String, AppError> {
    let v = raw.trim();
    if v.is_empty() || v.chars().count() > 255 || v.chars().any(char::is_control) {
        return Err(AppError::field(
            field,
            "must be 1 to 255 characters without control characters",
        ));
    }
    Ok(v.to_owned())
}

/// Creates the session (and its account when asked), with a `session.created` event and,
/// when personal data came along, a `session.person_updated` event naming the fields.
pub fn create(
    conn: &mut PgConnection,
    input: &NewSessionInput,
    actor: Actor,
    ttl_days: i64,
) -> Result<(Session, Account), AppError> {
    let expires_at = match input.expires_at {
        Some(t) => check_expiry(t, ttl_days)?,
        None => Utc::now() + Duration::days(ttl_days),
    };
    conn.transaction(|conn| {
        let account = match &input.account {
            AccountRef::Existing(id) => accounts::find(conn, *id)?.ok_or_else(|| AppError::missing("account", "no such account"))?,
            AccountRef::External(external_id) => match accounts::find_by_external_id(conn, external_id)? {
                Some(a) => a,
                None => accounts::insert(conn, &NewAccount { id: None, external_id: Some(external_id.clone()), created_at: None })?,
            },
        };
        // Read under a shared lock: an account redaction in progress is waited for and
        // then seen, so no session slips in beside a redacted account.
        if accounts::lock_shared(conn, account.id)?.is_some() {
            return Err(AppError::conflict("account is redacted".to_owned()));
        }
        let mut kinds = input.required_verifications.clone();
        kinds.sort_by_key(|k| k.as_str());
        kinds.dedup();
        let session = sessions::insert(
            conn,
            &NewSession {
                id: None,
                account_id: account.id,
                status: None,
                creator_type: actor.kind(),
                creator_id: actor.id(),
                required_verifications: if kinds.is_empty() { None } else { Some(kinds) },
                expires_at,
                last_activity: Some("session.created".to_owned()),
            },
        )?;
        let event = NewEvent::new(actor, "session.created", Some(session.id))
            .details(json!({ "account_id": account.id, "required_verifications": session.required_verifications }));
        events::insert(conn, &event)?;
        let session = match &input.person {
            Some(changes) => person::update_in(conn, session.id, changes, actor)?.0,
            None => session,
        };
        Ok((session, account))
    })
}

/// What an edit of a session may change: its personal data, and when it expires.
#[derive(Debug, Clone, Default)]
pub struct SessionEdit {
    /// Personal data changes; `None` when none were sent.
    pub person: Option<PersonChanges>,
    /// The new `expires_at`, when one was sent.
    pub expires_at: Option<DateTime<Utc>>,
}

/// Applies `edit` in one transaction: the personal data by [`person::update_in`], then the
/// expiry by [`set_expiry_in`]. An edit with neither is a personal-data edit that changes
/// nothing (and so still answers 409 on a final session, like the dashboard's form).
pub fn edit(
    conn: &mut PgConnection,
    session_id: Uuid,
    edit: &SessionEdit,
    actor: Actor,
    ttl_days: i64,
) -> Result<Session, AppError> {
    let expires_at = edit
        .expires_at
        .map(|t| check_expiry(t, ttl_days))
        .transpose()?;
    conn.transaction(|conn| {
        let mut session = None;
        if edit.person.is_some() || expires_at.is_none() {
            let changes = edit.person.clone().unwrap_or_default();
            session = Some(person::update_in(conn, session_id, &changes, actor)?.0);
        }
        if let Some(t) = expires_at {
            session = Some(set_expiry_in(conn, session_id, t, actor)?);
        }
        session.ok_or(AppError::NotFound("session"))
    })
}

/// Moves a session's `expires_at` to `expires_at` (already checked by [`check_expiry`])
/// inside the caller's transaction, with a `session.expiry_changed` event holding the old
/// and new times. Refused like a personal-data edit once the session is final or redacted.
pub fn set_expiry_in(
    conn: &mut PgConnection,
    session_id: Uuid,
    expires_at: DateTime<Utc>,
    actor: Actor,
) -> Result<Session, AppError> {
    let current = sessions::lock(conn, session_id)?.ok_or(AppError::NotFound("session"))?;
    if current.redacted_at.is_some() {
        return Err(AppError::Conflict(Conflict::Redacted));
    }
    if !person::editable(current.status) {
        return Err(AppError::conflict(format!(
            "session is {}: its expiry can no longer be changed",
            current.status.label()
        )));
    }
    if current.expires_at == expires_at {
        return Ok(current);
    }
    let action = "session.expiry_changed";
    let updated = sessions::set_expires_at(conn, session_id, expires_at, action, Utc::now())?;
    let event = NewEvent::new(actor, action, Some(session_id)).details(json!({
        "from": current.expires_at.to_rfc3339_opts(SecondsFormat::Micros, true),
        "to": expires_at.to_rfc3339_opts(SecondsFormat::Micros, true),
    }));
    events::insert(conn, &event)?;
    Ok(updated)
}
