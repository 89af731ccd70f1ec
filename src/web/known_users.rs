//! Who is signed in and who may be given cases, as this instance last read them from
//! `users`: kept between requests under [`crate::app::fresh`]'s rule, so that most requests
//! skip a round trip for them and none outlives a change made anywhere.

use std::sync::Arc;
use std::time::SystemTime;

use uuid::Uuid;

use crate::app::AppState;
use crate::app::changes::Changes;
use crate::app::fresh::{Fresh, Stamp};
use crate::domain::kinds::Role;
use crate::store::users;

/// What [`UserCache`] keeps of a user: what a request needs of them, no password hash.
#[derive(Debug, Clone)]
pub struct Known {
    /// Sign-in name.
    pub username: String,
    /// Name shown in the dashboard.
    pub display_name: String,
    /// Their role.
    pub role: Role,
    /// Disabled users are signed out.
    pub disabled: bool,
    /// Sign-ins from before its last bump are over.
    pub session_epoch: i32,
    /// Single-key shortcuts on.
    pub shortcuts: bool,
}

impl From<users::User> for Known {
    fn from(u: users::User) -> Self {
        Known {
            username: u.username,
            display_name: u.display_name,
            role: u.role,
            disabled: u.disabled,
            session_epoch: u.session_epoch,
            shortcuts: u.shortcuts_enabled,
        }
    }
}

/// The signed-in users this instance read lately, so that most requests skip a round trip
/// to the database for them. Reused under [`crate::app::fresh`]'s rule: a change to the
/// `users` table on any instance (a user disabled, signed out everywhere, given another
/// role) makes every entry stale as soon as its notice arrives, and nothing is reused while
/// the change listener is down. At most a minute old in any case.
pub struct UserCache(Fresh<Uuid, Known>);

impl UserCache {
    /// A cache following the `users` generation of `changes`.
    pub fn new(changes: Arc<Changes>) -> Self {
        UserCache(Fresh::new(
            changes,
            Changes::users,
            std::time::Duration::from_secs(60),
            4096,
        ))
    }

    /// The user `id`, when fresh for a reader whose own last write was at `wrote`.
    pub fn get(&self, id: Uuid, wrote: Option<SystemTime>) -> Option<Known> {
        self.0.get(&id, wrote)
    }

    /// The stamp to take before reading a user to [`UserCache::put`].
    pub fn stamp(&self) -> Stamp {
        self.0.stamp()
    }

    /// Remembers the user `id` as read after `stamp`.
    pub fn put(&self, id: Uuid, stamp: Stamp, user: Known) {
        self.0.put(id, stamp, user);
    }
}

/// Who cases may be assigned to ([`users::assignable`], on every queue and case page),
/// from [`AppState::assignable`] while fresh for a reader whose own last write was at
/// `wrote`.
pub fn assignable(
    state: &AppState,
    conn: &mut diesel::PgConnection,
    wrote: Option<SystemTime>,
) -> diesel::QueryResult<Vec<(Uuid, String)>> {
    state
        .assignable
        .get_or_read((), wrote, || users::assignable(conn))
}

/// Every user's and API key's name ([`crate::store::audit::directory`]), from
/// [`AppState::names`] while fresh for a reader whose own last write was at `wrote`.
pub fn names(
    state: &AppState,
    conn: &mut diesel::PgConnection,
    wrote: Option<SystemTime>,
) -> diesel::QueryResult<Arc<crate::domain::directory::Directory>> {
    state.names.get_or_read((), wrote, || {
        crate::store::audit::directory(conn).map(Arc::new)
    })
}
