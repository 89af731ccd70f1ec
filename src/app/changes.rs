//! What changed in the database, as far as this instance's caches care: the counts of the
//! queue, the signed-in users it remembers, the saved views each user sees, and the names
//! of users and API keys.
//!
//! Several instances share one database, so a cache kept in one process must hear of what
//! the others write. Postgres tells it: a statement-level trigger on each table a cache
//! reads (`sessions`, `users`, `webhook_endpoints`, migration
//! `2026-12-08-100000_change_notices`; `saved_views`, `2026-12-09-100000_saved_view_notices`;
//! `api_keys`, `2026-12-10-100000_api_key_notices`; `accounts`' external ids,
//! `2026-12-11-100000_account_notices`)
//! sends `NOTIFY sessiondesk_changes` with the table's
//! name, delivered when the writing transaction commits; each instance keeps one
//! connection listening (the change listener, `jobs::changes`) and bumps the generation the
//! table feeds. A cache entry remembers the generation it was read at and is reused only
//! while that is still current, so nothing written anywhere is served stale for longer
//! than the notice takes to arrive (a few milliseconds).
//!
//! While the listener is not connected nothing may be reused: [`Changes::live`] is false
//! and every cache reads through. Writes made through this instance bump every generation
//! before and after they run, without waiting for their notice.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// The Postgres channel the triggers notify.
pub const CHANNEL: &str = "sessiondesk_changes";

/// Generations of the data the caches hold, and whether this instance is hearing notices.
#[derive(Debug, Default)]
pub struct Changes {
    /// Anything a count depends on: sessions, users (assignee filters), webhook endpoints
    /// (the admins' banner).
    counted: AtomicU64,
    /// The users table: who is signed in, their role, whether they are disabled.
    users: AtomicU64,
    /// Saved views, and their owners' names (users).
    views: AtomicU64,
    /// The API keys table: who may call the API, and the keys' names.
    keys: AtomicU64,
    /// The accounts' external ids the queue shows ([`crate::app::external_ids`]).
    accounts: AtomicU64,
    /// The sessions table alone: the API's written session resources are dropped from
    /// memory when it moves (a redaction anywhere), though each is checked by its row's
    /// version before it is served.
    sessions: AtomicU64,
    /// The listener is connected and listening.
    live: AtomicBool,
}

impl Changes {
    /// The generation of what counts depend on.
    pub fn counted(&self) -> u64 {
        self.counted.load(Ordering::Acquire)
    }

    /// The generation of the users table.
    pub fn users(&self) -> u64 {
        self.users.load(Ordering::Acquire)
    }

    /// The generation of the saved views.
    pub fn views(&self) -> u64 {
        self.views.load(Ordering::Acquire)
    }

    /// The generation of the API keys.
    pub fn keys(&self) -> u64 {
        self.keys.load(Ordering::Acquire)
    }

    /// The generation of the accounts' external ids.
    pub fn accounts(&self) -> u64 {
        self.accounts.load(Ordering::Acquire)
    }

    /// The generation of the sessions table.
    pub fn sessions(&self) -> u64 {
        self.sessions.load(Ordering::Acquire)
    }

    /// The generation of the names pages show ([`crate::domain::directory::Directory`]): users'
    /// and API keys'. A sum of two counters that only grow moves whenever either does.
    pub fn names(&self) -> u64 {
        self.users().wrapping_add(self.keys())
    }

    /// Whether notices are being heard, so that a cached value may be reused at all.
    pub fn live(&self) -> bool {
        self.live.load(Ordering::Acquire)
    }

    /// The listener connected (true) or lost its connection (false). Either way, whatever
    /// was cached before may have missed a notice: every generation moves on.
    pub fn set_live(&self, live: bool) {
        self.bump_all();
        self.live.store(live, Ordering::Release);
    }

    /// A notice for `table` arrived.
    pub fn heard(&self, table: &str) {
        match table {
            "users" => {
                self.users.fetch_add(1, Ordering::AcqRel);
                self.counted.fetch_add(1, Ordering::AcqRel);
                self.views.fetch_add(1, Ordering::AcqRel);
            }
            "saved_views" => {
                self.views.fetch_add(1, Ordering::AcqRel);
            }
            "api_keys" => {
                self.keys.fetch_add(1, Ordering::AcqRel);
            }
            "accounts" => {
                self.accounts.fetch_add(1, Ordering::AcqRel);
            }
            "sessions" => {
                self.counted.fetch_add(1, Ordering::AcqRel);
                self.sessions.fetch_add(1, Ordering::AcqRel);
            }
            "webhook_endpoints" => {
                self.counted.fetch_add(1, Ordering::AcqRel);
            }
            // A table this version does not know of (a newer instance's trigger): assume
            // the worst.
            _ => self.bump_all(),
        }
    }

    /// A notice may have been missed: nothing cached before is reused.
    pub fn bump_all(&self) {
        self.wrote_here();
        self.accounts.fetch_add(1, Ordering::AcqRel);
        self.sessions.fetch_add(1, Ordering::AcqRel);
    }

    /// Something was written through this instance: every generation moves on but the
    /// accounts' and the sessions' own.
    ///
    /// The accounts' external ids change only when an account is redacted or renamed,
    /// whose notice arrives within milliseconds, and a writer's own next page never reuses
    /// what was read before their write (the `wrote` rule of [`crate::app::fresh`]); moving
    /// them at every write would empty that cache at each session an integrator creates.
    /// The sessions' generation only clears memory: what it guards is checked against each
    /// row's version before it is served, and this instance hears its own writes' notices
    /// as it hears any other's.
    pub fn wrote_here(&self) {
        self.counted.fetch_add(1, Ordering::AcqRel);
        self.users.fetch_add(1, Ordering::AcqRel);
        self.views.fetch_add(1, Ordering::AcqRel);
        self.keys.fetch_add(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_notice_moves_the_generations_that_read_its_table() {
        let c = Changes::default();
        assert!(!c.live());
        let (counted, users) = (c.counted(), c.users());
        c.heard("sessions");
        assert_eq!((c.counted(), c.users()), (counted + 1, users));
        c.heard("users");
        assert_eq!((c.counted(), c.users()), (counted + 2, users + 1));
        c.heard("something_new");
        assert_eq!((c.counted(), c.users()), (counted + 3, users + 2));
        c.set_live(true);
        assert!(c.live());
        assert_eq!((c.counted(), c.users()), (counted + 4, users + 3));
        // API keys: their own generation, and with users' the names pages show.
        let (keys, names, users) = (c.keys(), c.names(), c.users());
        c.heard("api_keys");
        assert_eq!((c.keys(), c.users()), (keys + 1, users));
        assert_ne!(c.names(), names, "a key's name may have changed");
        let names = c.names();
        c.heard("users");
        assert_ne!(c.names(), names, "a user's name may have changed");
        let keys = c.keys();
        c.bump_all();
        assert_eq!(c.keys(), keys + 1);
        // Accounts: only their own notice, or a notice that may have been missed.
        let (accounts, counted) = (c.accounts(), c.counted());
        c.heard("accounts");
        assert_eq!((c.accounts(), c.counted()), (accounts + 1, counted));
        c.wrote_here();
        assert_eq!((c.accounts(), c.counted()), (accounts + 1, counted + 1));
        c.set_live(false);
        assert_eq!(c.accounts(), accounts + 2);
        // Sessions: their notice, or one that may have been missed; not a write here.
        let sessions = c.sessions();
        c.wrote_here();
        c.heard("users");
        assert_eq!(c.sessions(), sessions);
        c.heard("sessions");
        assert_eq!(c.sessions(), sessions + 1);
        c.bump_all();
        assert_eq!(c.sessions(), sessions + 2);
    }
}
