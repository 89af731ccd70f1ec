//! The integrator's id of each account the queue shows, kept by account id so that a queue
//! page reads its rows without looking up 51 accounts: that lookup was as much Postgres
//! work as the rest of the page's query (`pgbench`, 1,000,000 sessions).
//!
//! Reused under [`crate::app::fresh`]'s rule, following the accounts' generation: an
//! account redacted or renamed on any instance notifies every instance (migration
//! `2026-12-11-100000_account_notices`), and the ids read before are dropped from memory,
//! not only no longer served, since a redacted id must be gone everywhere.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use uuid::Uuid;

use crate::app::changes::Changes;
use crate::app::fresh::{Fresh, Stamp};

/// Accounts remembered at most; past it, the cache starts over (a page shows 50).
const MAX_ACCOUNTS: usize = 10_000;

/// Account id to its external id (`None`: the account has none, or it was redacted).
pub struct ExternalIds {
    ids: Fresh<Uuid, Option<String>>,
    changes: Arc<Changes>,
    /// The accounts' generation when stale entries were last dropped.
    swept: AtomicU64,
}

impl ExternalIds {
    /// A cache following the accounts' generation of `changes`.
    pub fn new(changes: Arc<Changes>) -> Self {
        ExternalIds {
            ids: Fresh::new(
                changes.clone(),
                Changes::accounts,
                Duration::from_secs(60),
                MAX_ACCOUNTS,
            ),
            swept: AtomicU64::new(changes.accounts()),
            changes,
        }
    }

    /// The external id of `account`, when fresh for a reader whose own last write was at
    /// `wrote`.
    pub fn get(&self, account: Uuid, wrote: Option<SystemTime>) -> Option<Option<String>> {
        let now = self.changes.accounts();
        if self.swept.swap(now, Ordering::AcqRel) != now {
            self.ids.forget_stale();
        }
        self.ids.get(&account, wrote)
    }

    /// The stamp to take before reading external ids to [`ExternalIds::put`].
    pub fn stamp(&self) -> Stamp {
        self.ids.stamp()
    }

    /// Remembers external ids read after `stamp`; nothing when an account changed since.
    pub fn put(&self, stamp: Stamp, read: &[(Uuid, Option<String>)]) {
        if !self.ids.is_current(stamp) {
            return;
        }
        for (account, external_id) in read {
            self.ids.put(*account, stamp, external_id.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_notice_drops_every_id_read_before_it() {
        let changes = Arc::new(Changes::default());
        changes.set_live(true);
        let ids = ExternalIds::new(changes.clone());
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        let stamp = ids.stamp();
        ids.put(stamp, &[(a, Some("crm_a".into())), (b, None)]);
        assert_eq!(ids.get(a, None), Some(Some("crm_a".into())));
        assert_eq!(ids.get(b, None), Some(None));
        // A write through this instance leaves them: an account's own notice does not.
        changes.wrote_here();
        assert_eq!(ids.get(a, None), Some(Some("crm_a".into())));
        changes.heard("accounts");
        assert_eq!(ids.get(a, None), None);
        assert_eq!(
            ids.ids.last(&a),
            None,
            "dropped from memory, not only not served"
        );
        // A read that began before the notice is not kept.
        let before = ids.stamp();
        changes.heard("accounts");
        ids.put(before, &[(a, Some("crm_old".into()))]);
        assert_eq!(ids.get(a, None), None);
        assert_eq!(ids.ids.last(&a), None);
    }

    #[test]
    fn nothing_is_reused_while_notices_may_be_missed() {
        let changes = Arc::new(Changes::default());
        let ids = ExternalIds::new(changes.clone());
        let a = Uuid::new_v4();
        ids.put(ids.stamp(), &[(a, Some("crm_a".into()))]);
        assert_eq!(ids.get(a, None), None, "the listener is not connected");
    }
}
