//! Dashboard users.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::domain::kinds::Role;
use crate::schema::users;

/// A dashboard user as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users, check_for_backend(diesel::pg::Pg))]
pub struct User {
    /// Primary key.
    pub id: Uuid,
    /// Sign-in name, lower case.
    pub username: String,
    /// Name shown in the dashboard and the audit log.
    pub display_name: String,
    /// `reviewer`, `manager` or `admin`.
    pub role: Role,
    /// argon2id PHC string.
    pub password_hash: String,
    /// A disabled user cannot sign in, and their open sessions end.
    pub disabled: bool,
    /// Bumped to end every signed-in session of this user at once.
    pub session_epoch: i32,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// Last successful sign-in.
    pub last_login_at: Option<DateTime<Utc>>,
    /// When the user confirmed a second factor (TOTP); `None` without one.
    pub totp_enabled_at: Option<DateTime<Utc>>,
    /// Whether the dashboard's single-key shortcuts work for them (off: keys do nothing).
    pub shortcuts_enabled: bool,
}

/// The display names of `ids` (those that exist).
pub fn display_names(
    conn: &mut PgConnection,
    ids: &[Uuid],
) -> QueryResult<std::collections::HashMap<Uuid, String>> {
    if ids.is_empty() {
        return Ok(std::collections::HashMap::new());
    }
    Ok(users::table
        .filter(users::id.eq_any(ids))
        .select((users::id, users::display_name))
        .load::<(Uuid, String)>(conn)?
        .into_iter()
        .collect())
}

/// Who a case may be assigned to: active users of a role that works cases
/// ([`Role::works_cases`]) who can sign in, by name.
pub fn assignable(conn: &mut PgConnection) -> QueryResult<Vec<(Uuid, String)>> {
    users::table
        .filter(users::disabled.eq(false))
        .filter(users::role.eq_any(Role::case_workers()))
        .filter(users::password_hash.not_like("!%"))
        .order(users::display_name.asc())
        .select((users::id, users::display_name))
        .load(conn)
}

/// Replaces a password hash by another of the same password (made with current
/// parameters), unless the hash changed meanwhile. Sign-ins are not ended: the password is
/// the same.
pub fn rehash(conn: &mut PgConnection, id: Uuid, old: &str, new: &str) -> QueryResult<usize> {
    diesel::update(users::table.find(id).filter(users::password_hash.eq(old)))
        .set(users::password_hash.eq(new))
        .execute(conn)
}

/// Stamps the user's last completed sign-in.
pub fn touch_last_login(conn: &mut PgConnection, id: Uuid) -> QueryResult<usize> {
    diesel::update(users::table.find(id))
        .set(users::last_login_at.eq(diesel::dsl::now))
        .execute(conn)
}

/// A user about to be created.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = users)]
pub struct NewUser {
    /// Sign-in name, lower case.
    pub username: String,
    /// Name shown in the dashboard.
    pub display_name: String,
    /// `reviewer`, `manager` or `admin`.
    pub role: Role,
    /// argon2id PHC string.
    pub password_hash: String,
}

/// Inserts a user.
pub fn insert(conn: &mut PgConnection, new: &NewUser) -> QueryResult<User> {
    diesel::insert_into(users::table)
        .values(new)
        .returning(User::as_returning())
        .get_result(conn)
}

/// A user by sign-in name.
pub fn find_by_username(conn: &mut PgConnection, username: &str) -> QueryResult<Option<User>> {
    users::table
        .filter(users::username.eq(username))
        .select(User::as_select())
        .first(conn)
        .optional()
}

/// The id of the user signed in as `name` (any case), for a queue filter naming an
/// assignee; `None` when there is none. A failed read counts as none: the filter then
/// reports the name as unknown instead of failing the page.
pub fn id_by_username(conn: &mut PgConnection, name: &str) -> Option<Uuid> {
    find_by_username(conn, &name.to_lowercase())
        .ok()
        .flatten()
        .map(|u| u.id)
}

/// A user by id.
pub fn find(conn: &mut PgConnection, id: Uuid) -> QueryResult<Option<User>> {
    users::table
        .find(id)
        .select(User::as_select())
        .first(conn)
        .optional()
}

/// Replaces a password hash and ends the user's open sessions.
pub fn set_password(conn: &mut PgConnection, id: Uuid, hash: &str) -> QueryResult<usize> {
    diesel::update(users::table.find(id))
        .set((
            users::password_hash.eq(hash),
            users::session_epoch.eq(users::session_epoch + 1),
            users::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
}

/// Turns the user's single-key shortcuts on or off.
pub fn set_shortcuts(conn: &mut PgConnection, id: Uuid, enabled: bool) -> QueryResult<usize> {
    diesel::update(users::table.find(id))
        .set((
            users::shortcuts_enabled.eq(enabled),
            users::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
}

/// Ends every signed-in session of the user (their cookies' epoch no longer matches).
pub fn end_sessions(conn: &mut PgConnection, user_id: Uuid) -> QueryResult<usize> {
    diesel::update(users::table.find(user_id))
        .set(users::session_epoch.eq(users::session_epoch + 1))
        .execute(conn)
}

/// Every user, by display name.
pub fn all(conn: &mut PgConnection) -> QueryResult<Vec<User>> {
    users::table
        .order((users::display_name.asc(), users::username.asc()))
        .select(User::as_select())
        .load(conn)
}

/// Locks the admin rows for the rest of the transaction, so two demotions or disablings
/// cannot both see "another admin remains".
pub fn lock_admins(conn: &mut PgConnection) -> QueryResult<()> {
    let _: Vec<Uuid> = users::table
        .filter(users::role.eq(Role::Admin))
        .select(users::id)
        .for_update()
        .load(conn)?;
    Ok(())
}

/// How many enabled admins there are besides `user_id`: the last one may not be demoted or
/// disabled.
pub fn active_admins_other_than(conn: &mut PgConnection, user_id: Uuid) -> QueryResult<i64> {
    users::table
        .filter(users::role.eq(Role::Admin))
        .filter(users::disabled.eq(false))
        .filter(users::id.ne(user_id))
        .count()
        .get_result(conn)
}

/// Gives the user another role and ends their open sessions, so the role applies at once.
pub fn set_role(conn: &mut PgConnection, id: Uuid, role: Role) -> QueryResult<User> {
    diesel::update(users::table.find(id))
        .set((
            users::role.eq(role),
            users::session_epoch.eq(users::session_epoch + 1),
            users::updated_at.eq(diesel::dsl::now),
        ))
        .returning(User::as_returning())
        .get_result(conn)
}

/// Disables or enables the user and ends their open sessions.
pub fn set_disabled(conn: &mut PgConnection, id: Uuid, disabled: bool) -> QueryResult<User> {
    diesel::update(users::table.find(id))
        .set((
            users::disabled.eq(disabled),
            users::session_epoch.eq(users::session_epoch + 1),
            users::updated_at.eq(diesel::dsl::now),
        ))
        .returning(User::as_returning())
        .get_result(conn)
}
