//! The queue's status chips and view tabs, remembered while nothing they count has
//! changed (and the count behind the admins' banner, see [`crate::web::alerts`]).
//!
//! Each count is cheap on its own (it stops at a cap), but a queue page shows thirteen of
//! them, and at a million sessions they cost Postgres several times what the page's rows
//! do. A count is reused under [`crate::app::fresh`]'s rule: while nothing it depends on
//! (`sessions`, `users`, `webhook_endpoints`) was written on any instance, and for at most
//! [`TTL`], because the service-level counts move with the clock.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use actix_session::{Session, SessionExt};
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::web;

use crate::app::changes::Changes;
use crate::app::fresh::Fresh;
pub use crate::app::fresh::Stamp;
use crate::store::queue::CappedCount;

/// How long a count is reused at most (due-soon and breached counts move with time).
pub const TTL: Duration = Duration::from_secs(5);
/// Entries kept at most; past it the cache starts over (filters are many, views few).
const MAX_ENTRIES: usize = 512;
/// The session key holding the time of the signed-in user's last write, in milliseconds
/// since the epoch.
const WROTE_AT: &str = "wrote_at";

/// Counts by the view they belong to; one per server.
pub struct CountsCache(Fresh<String, Vec<CappedCount>>);

impl CountsCache {
    /// A cache whose entries last while `changes` says nothing they count has changed.
    pub fn new(changes: Arc<Changes>) -> Self {
        CountsCache(Fresh::new(changes, Changes::counted, TTL, MAX_ENTRIES))
    }

    /// The counts of `key`, when fresh for a reader whose own last write was at `wrote`.
    pub fn get(&self, key: &str, wrote: Option<SystemTime>) -> Option<Vec<CappedCount>> {
        self.0.get(&key.to_owned(), wrote)
    }

    /// The counts of `key` when fresh for a reader whose own last write was at `wrote`;
    /// otherwise `count` counts them, and they are remembered.
    pub fn get_or_count<E>(
        &self,
        key: String,
        wrote: Option<SystemTime>,
        count: impl FnOnce() -> Result<Vec<CappedCount>, E>,
    ) -> Result<Vec<CappedCount>, E> {
        self.0.get_or_read(key, wrote, count)
    }

    /// The last counts of `key`, however old: for a page that must not count (see
    /// [`crate::web::alerts`]).
    pub fn last(&self, key: &str) -> Option<Vec<CappedCount>> {
        self.0.last(&key.to_owned())
    }

    /// Remembers the counts of `key`, begun at `stamp`.
    pub fn put(&self, key: String, stamp: Stamp, counts: Vec<CappedCount>) {
        self.0.put(key, stamp, counts);
    }

    /// The stamp to take before counting.
    pub fn generation(&self) -> Stamp {
        self.0.stamp()
    }

    /// Something was written through this server: no count from before is reused.
    pub fn invalidate(&self) {
        self.0.invalidate();
    }
}

/// When the signed-in user of `session` last wrote anything, if this sign-in did.
pub fn wrote_at(session: &Session) -> Option<SystemTime> {
    let ms = session.get::<u64>(WROTE_AT).ok().flatten()?;
    UNIX_EPOCH.checked_add(Duration::from_millis(ms))
}

/// Middleware: every request that may write starts a new generation, before and after it
/// runs (so a count taken while it ran is not reused either), and a signed-in user's
/// session remembers when they last wrote (see [`wrote_at`]).
pub async fn invalidate_on_write(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let writes = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let cache = req.app_data::<web::Data<CountsCache>>().cloned();
    if writes && let Some(c) = &cache {
        c.invalidate();
    }
    let response = next.call(req).await;
    if writes {
        if let Some(c) = &cache {
            c.invalidate();
        }
        if let Ok(r) = &response {
            let session = r.request().get_session();
            if crate::web::cookie::auth(&session).is_some() {
                let now = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map(|d| d.as_millis() as u64)
                    .unwrap_or(0);
                // Best effort: without it, the count is as fresh as the notice.
                let _ = session.insert(WROTE_AT, now);
            }
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_through_this_server_makes_a_count_stale() {
        let changes = Arc::new(Changes::default());
        changes.set_live(true);
        let cache = CountsCache::new(changes);
        let counts = vec![CappedCount {
            key: "completed".into(),
            n: 3,
        }];
        cache.put("all".into(), cache.generation(), counts);
        assert_eq!(cache.get("all", None).map(|c| c[0].n), Some(3));
        cache.invalidate();
        assert!(cache.get("all", None).is_none());
        assert_eq!(cache.last("all").map(|c| c[0].n), Some(3));
    }
}
