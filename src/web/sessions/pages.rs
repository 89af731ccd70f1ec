//! The queue's pages of rows, remembered while no session changed anywhere.
//!
//! A queue page is read far more often than the sessions under it change: twenty reviewers
//! reload the same few queues between decisions. Reading its 51 rows cost Postgres about as
//! much as the whole of a plain page does, and decoding them a tenth of the server's time
//! for the page. A page read here is reused under [`crate::app::fresh`]'s rule, the one the
//! queue's counts follow:
//!
//! - no session, user or account was written anywhere since it was read (each instance
//!   hears every commit from Postgres, [`Changes`], and moves on at once after a write of
//!   its own);
//! - the change listener is connected;
//! - it is younger than `QUEUE_PAGE_TTL_SECS` (5 by default; 0 keeps nothing);
//! - it was read after the reader's own last write (kept in their signed cookie), so a
//!   reviewer whose decision went through another instance sees it on their next page
//!   even before this one heard of it.
//!
//! Only what does not move with the clock is kept: a search (its own plan and cost) and a
//! service-level filter (its windows are measured from now) are read every time. Ages and
//! due times are worked out from the rows at each render, never kept.
//!
//! Rows hold applicants' names: when anything they were read from changes, every page kept
//! from before is dropped from memory (at the next use of the cache), not only no longer
//! served; a redaction anywhere therefore leaves no copy here.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use crate::app::changes::Changes;
use crate::app::fresh::{Fresh, Stamp};
use crate::store::paging::{Page, PageAt};
use crate::store::queue::{QueueFilter, QueueRow};

/// Pages kept at most (about 25 kB each); past it the cache starts over.
const MAX_ENTRIES: usize = 64;

/// What a kept page depends on: the sessions (with every write through this instance) and
/// the accounts whose external ids name its rows. A sum of counters that only grow moves
/// whenever either does.
fn generation(changes: &Changes) -> u64 {
    changes.counted().wrapping_add(changes.accounts())
}

/// Queue pages by filter and place; one per server.
pub struct QueuePages {
    fresh: Fresh<String, Arc<Page<QueueRow>>>,
    changes: Arc<Changes>,
    /// When the kept pages were last checked against the generation.
    swept: Mutex<Stamp>,
    /// Nothing is kept (a time to live of zero).
    off: bool,
}

impl QueuePages {
    /// An empty cache following `changes`, whose pages are reused for at most `ttl`.
    pub fn new(changes: Arc<Changes>, ttl: Duration) -> Self {
        let fresh = Fresh::new(changes.clone(), generation, ttl, MAX_ENTRIES);
        let swept = Mutex::new(fresh.stamp());
        QueuePages {
            fresh,
            changes,
            swept,
            off: ttl.is_zero(),
        }
    }

    /// Whether a page of `filter` may be kept at all.
    fn keeps(filter: &QueueFilter) -> bool {
        filter.search.is_none() && filter.sla.is_none()
    }

    /// The page of `filter` at `at` for a reader whose own last write was at `wrote`: the
    /// kept one when it is fresh for them, otherwise what `read` reads (with its rows'
    /// accounts named), kept for the next reader.
    pub fn get_or_read<E>(
        &self,
        filter: &QueueFilter,
        at: PageAt,
        wrote: Option<SystemTime>,
        read: impl FnOnce() -> Result<Page<QueueRow>, E>,
    ) -> Result<Arc<Page<QueueRow>>, E> {
        if self.off || !Self::keeps(filter) || !self.sweep() {
            return read().map(Arc::new);
        }
        // A page read while something changed is served once, never kept.
        let key = format!("{filter:?} {at:?}");
        self.fresh.get_or_read(key, wrote, || read().map(Arc::new))
    }

    /// Drops every page no reader can be given any more, once the generation moved; while
    /// notices may be missed, drops them all and answers false: nothing may be kept.
    fn sweep(&self) -> bool {
        let mut swept = self.swept.lock().unwrap_or_else(PoisonError::into_inner);
        if !self.changes.live() {
            self.fresh.forget_all();
            return false;
        }
        if !self.fresh.is_current(*swept) {
            self.fresh.forget_stale();
            *swept = self.fresh.stamp();
        }
        true
    }

    /// Pages held in memory, stale or not.
    #[cfg(test)]
    fn held(&self) -> usize {
        self.fresh.held()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::sla::SlaFilter;
    use crate::domain::status::SessionStatus;
    use chrono::Utc;
    use uuid::Uuid;

    fn row(name: &str) -> QueueRow {
        let now = Utc::now();
        QueueRow {
            id: Uuid::new_v4(),
            status: SessionStatus::MarkedForReview,
            first_name: Some(name.to_owned()),
            middle_name: None,
            last_name: None,
            email: None,
            created_at: now,
            updated_at: now,
            last_activity: None,
            assigned_to: None,
            redacted_at: None,
            account_id: Uuid::new_v4(),
            external_id: None,
            waiting_since: Some(now),
            claimed_at: None,
            hits: -1,
        }
    }

    fn page(name: &str) -> Result<Page<QueueRow>, ()> {
        Ok(Page {
            rows: vec![row(name)],
            more: false,
        })
    }

    fn waiting() -> QueueFilter {
        QueueFilter {
            statuses: vec![SessionStatus::MarkedForReview],
            ..QueueFilter::default()
        }
    }

    fn first_name(p: &Page<QueueRow>) -> Option<&str> {
        p.rows.first().and_then(|r| r.first_name.as_deref())
    }

    fn live() -> (Arc<Changes>, QueuePages) {
        let changes = Arc::new(Changes::default());
        changes.set_live(true);
        let pages = QueuePages::new(changes.clone(), Duration::from_secs(5));
        (changes, pages)
    }

    #[test]
    fn a_page_is_reused_until_a_session_or_an_account_changes_anywhere() {
        let (changes, pages) = live();
        let f = waiting();
        let at = PageAt::First;
        let first = pages.get_or_read(&f, at, None, || page("Ann")).unwrap();
        assert_eq!(first_name(&first), Some("Ann"));
        let again = pages.get_or_read(&f, at, None, || page("Bo")).unwrap();
        assert_eq!(first_name(&again), Some("Ann"), "kept");
        let oldest = QueueFilter {
            oldest_first: true,
            ..waiting()
        };
        let other = pages.get_or_read(&oldest, at, None, || page("Cy")).unwrap();
        assert_eq!(
            first_name(&other),
            Some("Cy"),
            "another queue is its own page"
        );

        changes.heard("sessions");
        let read = pages.get_or_read(&f, at, None, || page("Di")).unwrap();
        assert_eq!(first_name(&read), Some("Di"), "a session changed elsewhere");
        changes.heard("accounts");
        let read = pages.get_or_read(&f, at, None, || page("Ed")).unwrap();
        assert_eq!(
            first_name(&read),
            Some("Ed"),
            "an account's id changed elsewhere"
        );
        changes.wrote_here();
        let read = pages.get_or_read(&f, at, None, || page("Flo")).unwrap();
        assert_eq!(
            first_name(&read),
            Some("Flo"),
            "a write through this instance"
        );
    }

    #[test]
    fn a_readers_own_write_is_never_missed() {
        let (_, pages) = live();
        let f = waiting();
        pages
            .get_or_read(&f, PageAt::First, None, || page("Ann"))
            .unwrap();
        let wrote = Some(SystemTime::now());
        let read = pages
            .get_or_read(&f, PageAt::First, wrote, || page("Bo"))
            .unwrap();
        assert_eq!(first_name(&read), Some("Bo"));
    }

    #[test]
    fn pages_from_before_a_change_leave_memory() {
        let (changes, pages) = live();
        for statuses in [vec![SessionStatus::Completed], vec![]] {
            let f = QueueFilter {
                statuses,
                ..QueueFilter::default()
            };
            pages
                .get_or_read(&f, PageAt::First, None, || page("Ann"))
                .unwrap();
        }
        assert_eq!(pages.held(), 2);
        changes.heard("sessions");
        pages
            .get_or_read(&waiting(), PageAt::First, None, || page("Bo"))
            .unwrap();
        assert_eq!(pages.held(), 1, "only the page read since");
        changes.set_live(false);
        pages
            .get_or_read(&waiting(), PageAt::First, None, || page("Cy"))
            .unwrap();
        assert_eq!(
            pages.held(),
            0,
            "nothing is kept while notices may be missed"
        );
    }

    #[test]
    fn a_page_read_while_something_changed_is_not_kept() {
        let (changes, pages) = live();
        let f = waiting();
        let read = pages
            .get_or_read(&f, PageAt::First, None, || {
                changes.heard("sessions");
                page("Ann")
            })
            .unwrap();
        assert_eq!(first_name(&read), Some("Ann"));
        assert_eq!(pages.held(), 0);
    }

    #[test]
    fn a_time_to_live_of_zero_keeps_nothing() {
        let changes = Arc::new(Changes::default());
        changes.set_live(true);
        let pages = QueuePages::new(changes, Duration::ZERO);
        for name in ["Ann", "Bo"] {
            let read = pages
                .get_or_read(&waiting(), PageAt::First, None, || page(name))
                .unwrap();
            assert_eq!(first_name(&read), Some(name));
        }
        assert_eq!(pages.held(), 0);
    }

    #[test]
    fn a_search_or_a_service_level_filter_is_read_every_time() {
        let (_, pages) = live();
        let searched = QueueFilter {
            search: Some("ann".to_owned()),
            ..waiting()
        };
        let due = QueueFilter {
            sla: Some(SlaFilter::Breached),
            ..waiting()
        };
        for f in [searched, due] {
            for name in ["Ann", "Bo"] {
                let read = pages
                    .get_or_read(&f, PageAt::First, None, || page(name))
                    .unwrap();
                assert_eq!(first_name(&read), Some(name));
            }
        }
        assert_eq!(pages.held(), 0);
    }
}
