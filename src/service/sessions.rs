//! Creating sessions, by hand in the dashboard or through the API: for an existing account
//! or a new one, with optional personal data.

use chrono::{Duration, Utc};
use diesel::prelude::*;
use serde_json::json;
use uuid::Uuid;

use crate::domain::actor::Actor;
use crate::domain::kinds::VerificationKind;
use crate::error::AppError;
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
                expires_at: Utc::now() + Duration::days(ttl_days),
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
