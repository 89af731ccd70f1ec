//! API keys: an admin creates one with a name and permissions and sees its secret once; only
//! the secret's SHA-256 is kept; an admin revokes it. [`authenticate`] is the check every
//! API request passes through.
//!
//! A plain SHA-256 (not argon2) is right here: the secret carries 256 random bits, so there
//! is nothing to guess, and the hash must be cheap enough to compute on every request.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use rand::TryRngCore;
use rand::rngs::OsRng;
use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::domain::actor::Actor;
use crate::domain::kinds::Permission;
use crate::domain::person::{self, FieldError};
use crate::error::AppError;
use crate::store::api_keys::{self, ApiKey, NewApiKey};
use crate::store::events::NewEvent;

/// How many leading characters of a secret are kept to recognise the key (`sk_live_AbCd`).
pub const PREFIX_LEN: usize = 12;

/// The random part's length: 43 base62 characters carry 43 x log2(62) = 256.03 bits.
const RANDOM_CHARS: usize = 43;

const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// `last_used_at` is written at most once per this many seconds per key.
pub const USE_RECORD_INTERVAL_SECS: i64 = 60;

/// The longest string looked at as a secret; anything longer is refused unread.
const MAX_SECRET_LEN: usize = 128;

/// What an admin asks for.
#[derive(Debug, Clone)]
pub struct NewApiKeyInput {
    /// A name to tell keys apart, 1 to 100 characters.
    pub name: String,
    /// At least one grant.
    pub permissions: Vec<Permission>,
}

/// A new key and its secret: the only time the secret exists outside the caller's hands.
#[derive(Debug, Clone)]
pub struct CreatedKey {
    /// The stored key.
    pub key: ApiKey,
    /// `sk_<env>_<random>`, to be shown once and forgotten.
    pub secret: String,
}

/// A key that passed [`authenticate`]: who is calling and what they may do.
#[derive(Debug, Clone)]
pub struct AuthenticatedKey {
    /// The key's id, the actor of everything it does.
    pub id: Uuid,
    /// Its grants.
    pub permissions: Vec<Permission>,
}

impl AuthenticatedKey {
    /// Whether the key holds `permission`.
    pub fn can(&self, permission: Permission) -> bool {
        self.permissions.contains(&permission)
    }
}

/// A fresh secret `sk_<env>_<43 base62 characters>` from the operating system's RNG.
pub fn generate_secret(env: &str) -> Result<String, AppError> {
    let mut out = String::with_capacity(env.len() + 4 + RANDOM_CHARS);
    out.push_str("sk_");
    out.push_str(env);
    out.push('_');
    let mut taken = 0;
    let mut buf = [0u8; 64];
    while taken < RANDOM_CHARS {
        OsRng
            .try_fill_bytes(&mut buf)
            .map_err(|e| AppError::Unexpected(anyhow::anyhow!("OS RNG failed: {e}")))?;
        // Rejection sampling: 248 = 4 x 62, so every character is equally likely.
        for b in buf.iter().filter(|b| **b < 248) {
            if taken == RANDOM_CHARS {
                break;
            }
            out.push(ALPHABET[(*b % 62) as usize] as char);
            taken += 1;
        }
    }
    Ok(out)
}

/// The stored form of a secret.
pub fn hash(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

fn validate(input: &NewApiKeyInput) -> Result<(String, Vec<Permission>), AppError> {
    let mut errors = Vec::new();
    let name = match person::text("name", &input.name, 100) {
        Ok(Some(name)) => Some(name),
        Ok(None) => {
            errors.push(FieldError::new("name", "a key needs a name"));
            None
        }
        Err(e) => {
            errors.push(e);
            None
        }
    };
    // In the order of `Permission::ALL`, once each.
    let permissions: Vec<Permission> = Permission::ALL
        .iter()
        .filter(|p| input.permissions.contains(p))
        .copied()
        .collect();
    if permissions.is_empty() {
        errors.push(FieldError::new(
            "permissions",
            "a key needs at least one permission",
        ));
    }
    match name {
        Some(name) if errors.is_empty() => Ok((name, permissions)),
        _ => Err(AppError::Validation(errors)),
    }
}

/// Creates a key with an `api_key.created` event. `env` is the `<env>` of the secret.
pub fn create(
    conn: &mut PgConnection,
    input: &NewApiKeyInput,
    env: &str,
    actor: Actor,
) -> Result<CreatedKey, AppError> {
    let (name, permissions) = validate(input)?;
    let secret = generate_secret(env)?;
    let new = NewApiKey {
        name,
        prefix: secret.chars().take(PREFIX_LEN).collect(),
        secret_hash: hash(&secret),
        permissions,
        created_by: match actor {
            Actor::User(id) => Some(id),
            _ => None,
        },
    };
    conn.transaction(|conn| {
        let key = api_keys::insert(conn, &new)?;
        let event = NewEvent::new(actor, "api_key.created", None)
            .details(json!({ "api_key_id": key.id, "permissions": key.permissions }));
        crate::store::events::insert(conn, &event)?;
        Ok(CreatedKey { key, secret })
    })
}

/// Revokes a key with an `api_key.revoked` event; from the next request on it gets 401.
pub fn revoke(conn: &mut PgConnection, id: Uuid, actor: Actor) -> Result<ApiKey, AppError> {
    conn.transaction(|conn| {
        let by = match actor {
            Actor::User(id) => Some(id),
            _ => None,
        };
        let Some(key) = api_keys::revoke(conn, id, by)? else {
            return Err(match api_keys::find(conn, id)? {
                Some(_) => AppError::conflict("this API key is already revoked".to_owned()),
                None => AppError::NotFound("API key"),
            });
        };
        let event =
            NewEvent::new(actor, "api_key.revoked", None).details(json!({ "api_key_id": key.id }));
        crate::store::events::insert(conn, &event)?;
        Ok(key)
    })
}

/// Checks a presented secret: unknown or malformed is 401 and an `api_key.unknown` event
/// (at most one per client address per minute, [`crate::service::reads`]); revoked is 401 and an
/// `api_key.revoked_key_used` event (at most one per key per minute, so a forgotten
/// integration cannot flood the audit log), with the caller's address. An accepted key
/// has its `last_used_at` refreshed at most once a minute.
pub fn authenticate(
    conn: &mut PgConnection,
    secret: &str,
    client_ip: &str,
) -> Result<Authenticated, AppError> {
    let well_formed = secret.starts_with("sk_")
        && secret.len() <= MAX_SECRET_LEN
        && secret.bytes().all(|b| b.is_ascii_graphic());
    if !well_formed {
        crate::service::reads::api_key_unknown(conn, client_ip)?;
        return Err(AppError::Unauthenticated);
    }
    let Some(key) = api_keys::find_by_hash(conn, &hash(secret))? else {
        crate::service::reads::api_key_unknown(conn, client_ip)?;
        return Err(AppError::Unauthenticated);
    };
    let now = Utc::now();
    let a_minute_ago = now - Duration::seconds(USE_RECORD_INTERVAL_SECS);
    if key.revoked_at.is_some() {
        let mut event = NewEvent::new(Actor::ApiKey(key.id), "api_key.revoked_key_used", None)
            .details(json!({ "api_key_id": key.id }));
        event.ip = Some(client_ip.chars().take(45).collect());
        crate::store::events::insert_unless_recent(conn, &event, a_minute_ago, false)?;
        return Err(AppError::Unauthenticated);
    }
    let use_recorded = match key.last_used_at {
        Some(t) if t >= a_minute_ago => t,
        _ => {
            api_keys::touch(conn, key.id, now, a_minute_ago)?;
            now
        }
    };
    Ok(Authenticated {
        key: AuthenticatedKey {
            id: key.id,
            permissions: key.permissions,
        },
        use_recorded,
    })
}

/// A key [`authenticate`] accepted, and when its use was last recorded (`last_used_at`).
#[derive(Debug, Clone)]
pub struct Authenticated {
    /// The key.
    pub key: AuthenticatedKey,
    /// Its `last_used_at` as of now.
    pub use_recorded: DateTime<Utc>,
}

impl Authenticated {
    /// Whether accepting this key again at `now` would record nothing: its use was recorded
    /// within [`USE_RECORD_INTERVAL_SECS`]. A key remembered from an earlier request
    /// (`api::auth::KeyCache`) is accepted without the database only then.
    pub fn use_is_recorded(&self, now: DateTime<Utc>) -> bool {
        self.use_recorded >= now - Duration::seconds(USE_RECORD_INTERVAL_SECS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_carry_the_env_and_43_base62_characters() {
        let s = generate_secret("test").unwrap();
        let random = s.strip_prefix("sk_test_").unwrap();
        assert_eq!(random.len(), RANDOM_CHARS);
        assert!(random.bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_ne!(s, generate_secret("test").unwrap());
    }

    #[test]
    fn a_key_needs_a_name_and_a_permission() {
        let input = NewApiKeyInput {
            name: "  ".into(),
            permissions: vec![],
        };
        let Err(AppError::Validation(errors)) = validate(&input) else {
            panic!("accepted");
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["name", "permissions"]);
    }

    #[test]
    fn permissions_are_kept_once_in_canonical_order() {
        let input = NewApiKeyInput {
            name: "CRM".into(),
            permissions: vec![
                Permission::SessionsRead,
                Permission::AccountsRead,
                Permission::SessionsRead,
            ],
        };
        let (_, perms) = validate(&input).unwrap();
        assert_eq!(
            perms,
            vec![Permission::AccountsRead, Permission::SessionsRead]
        );
    }
}
