//! Creating dashboard users: one path for `sessiondesk create-user`, the demo and the admin
//! pages.

use diesel::prelude::*;
use serde_json::json;

use crate::domain::actor::Actor;
use crate::domain::kinds::Role;
use crate::domain::person::FieldError;
use crate::error::AppError;
use crate::service::passwords;
use crate::store::events::{self, NewEvent};
use crate::store::users::{self, NewUser, User};

/// What it takes to create a user.
#[derive(Debug, Clone)]
pub struct NewUserInput {
    /// Sign-in name; folded to lower case.
    pub username: String,
    /// Name shown in the dashboard; the username when empty.
    pub display_name: String,
    /// The role.
    pub role: Role,
    /// The initial password, already checked for strength by [`validate`].
    pub password: String,
}

/// Checks a new user's fields, naming each bad one.
pub fn validate(input: &NewUserInput) -> Result<(), AppError> {
    let mut errors = Vec::new();
    let username = input.username.trim().to_lowercase();
    let valid_name = (2..=64).contains(&username.len())
        && username
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric())
        && username
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c));
    if !valid_name {
        errors.push(FieldError::new(
            "username",
            "must be 2 to 64 characters: letters, digits, '.', '_' or '-', starting with a letter or digit",
        ));
    }
    let display = input.display_name.trim();
    if display.chars().count() > 100 || display.chars().any(char::is_control) {
        errors.push(FieldError::new(
            "display_name",
            "must be at most 100 characters, without control characters",
        ));
    }
    if let Err(message) = passwords::check_strength(&input.password) {
        errors.push(FieldError::new("password", message));
    } else if let Err(message) =
        passwords::check_guessable(&input.password, &[username.as_str(), display])
    {
        errors.push(FieldError::new("password", message));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Validation(errors))
    }
}

/// Creates a user with an argon2id hash of their password and records a `user.created`
/// event. Blocking: call from a blocking thread.
pub fn create(
    conn: &mut PgConnection,
    input: &NewUserInput,
    actor: Actor,
) -> Result<User, AppError> {
    validate(input)?;
    let username = input.username.trim().to_lowercase();
    let display_name = match input.display_name.trim() {
        "" => username.clone(),
        d => d.to_owned(),
    };
    let password_hash = passwords::hash(&input.password)?;
    conn.transaction(|conn| {
        if users::find_by_username(conn, &username)?.is_some() {
            return Err(AppError::Validation(vec![FieldError::new(
                "username",
                "is already taken",
            )]));
        }
        let user = users::insert(
            conn,
            &NewUser {
                username,
                display_name,
                role: input.role,
                password_hash,
            },
        )?;
        let event = NewEvent::new(actor, "user.created", None)
            .details(json!({ "user_id": user.id, "role": user.role }));
        events::insert(conn, &event)?;
        Ok(user)
    })
}

/// Sets a new password for an existing user, ending their open sessions, and records a
/// `user.password_reset` event.
pub fn reset_password(
    conn: &mut PgConnection,
    user: &User,
    password: &str,
    actor: Actor,
) -> Result<(), AppError> {
    passwords::check_strength(password).map_err(|m| AppError::field("password", m))?;
    passwords::check_guessable(password, &[&user.username, &user.display_name])
        .map_err(|m| AppError::field("password", m))?;
    let hash = passwords::hash(password)?;
    conn.transaction(|conn| {
        users::set_password(conn, user.id, &hash)?;
        let event = NewEvent::new(actor, "user.password_reset", None)
            .details(json!({ "user_id": user.id }));
        events::insert(conn, &event)?;
        Ok(())
    })
}

/// Gives a user another role, ending their open sessions so the new role applies at once.
/// The last active admin cannot be demoted.
pub fn change_role(
    conn: &mut PgConnection,
    user_id: uuid::Uuid,
    role: Role,
    actor: Actor,
) -> Result<User, AppError> {
    conn.transaction(|conn| {
        users::lock_admins(conn)?;
        let user = users::find(conn, user_id)?.ok_or(AppError::NotFound("user"))?;
        if user.role == role {
            return Ok(user);
        }
        if user.role == Role::Admin
            && !user.disabled
            && users::active_admins_other_than(conn, user.id)? == 0
        {
            return Err(AppError::conflict(
                "the last active admin cannot be given another role".to_owned(),
            ));
        }
        let updated = users::set_role(conn, user_id, role)?;
        let event = NewEvent::new(actor, "user.role_changed", None)
            .details(json!({ "user_id": user_id, "from": user.role, "to": role.as_str() }));
        events::insert(conn, &event)?;
        Ok(updated)
    })
}

/// Disables or enables a user. Disabling ends their open sessions at once; the last active
/// admin cannot be disabled.
pub fn set_disabled(
    conn: &mut PgConnection,
    user_id: uuid::Uuid,
    disabled: bool,
    actor: Actor,
) -> Result<User, AppError> {
    conn.transaction(|conn| {
        users::lock_admins(conn)?;
        let user = users::find(conn, user_id)?.ok_or(AppError::NotFound("user"))?;
        if user.disabled == disabled {
            return Ok(user);
        }
        if disabled
            && user.role == Role::Admin
            && users::active_admins_other_than(conn, user.id)? == 0
        {
            return Err(AppError::conflict(
                "the last active admin cannot be disabled".to_owned(),
            ));
        }
        let updated = users::set_disabled(conn, user_id, disabled)?;
        let action = if disabled {
            "user.disabled"
        } else {
            "user.enabled"
        };
        events::insert(
            conn,
            &NewEvent::new(actor, action, None).details(json!({ "user_id": user_id })),
        )?;
        Ok(updated)
    })
}

/// Turns `user`'s own single-key shortcuts on or off (WCAG 2.1.4), with its audit event.
pub fn set_shortcuts(
    conn: &mut PgConnection,
    user: uuid::Uuid,
    enabled: bool,
) -> Result<(), AppError> {
    conn.transaction(|conn| {
        users::set_shortcuts(conn, user, enabled)?;
        events::insert(
            conn,
            &NewEvent::new(Actor::User(user), "user.shortcuts_changed", None)
                .details(json!({ "user_id": user, "enabled": enabled })),
        )?;
        Ok(())
    })
}
