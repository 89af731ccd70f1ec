//! The queue's status chips and view tabs, remembered for a few seconds (and the count
//! behind the admins' banner, see [`crate::web::alerts`]).
//!
//! Each count is cheap on its own (it stops at a cap), but a queue page shows thirteen of
//! them, and at a million sessions they cost Postgres several times what the page's rows
//! do. A reviewer needs them fresh after their own work, not to the millisecond otherwise:
//! a count is reused for at most [`TTL`], and never across a write made through this
//! server (every POST, PATCH or DELETE, dashboard or API, starts a new generation). Writes
//! by another instance or a background job show within [`TTL`].

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::web;

use crate::store::queue::CappedCount;

/// How long a count is reused when nothing was written through this server.
pub const TTL: Duration = Duration::from_secs(5);
/// Entries kept at most; past it the cache starts over (filters are many, views few).
const MAX_ENTRIES: usize = 512;

struct Entry {
    generation: u64,
    at: Instant,
    counts: Vec<CappedCount>,
}

/// Counts by the view they belong to; one per server.
#[derive(Default)]
pub struct CountsCache {
    generation: AtomicU64,
    entries: Mutex<HashMap<String, Entry>>,
}

impl CountsCache {
    /// The counts of `key`, when fresh.
    pub fn get(&self, key: &str) -> Option<Vec<CappedCount>> {
        let generation = self.generation.load(Ordering::Acquire);
        let entries = self.entries.lock().ok()?;
        entries
            .get(key)
            .filter(|e| e.generation == generation && e.at.elapsed() < TTL)
            .map(|e| e.counts.clone())
    }

    /// The last counts of `key`, however old: for a page that must not count (see
    /// [`crate::web::alerts`]).
    pub fn last(&self, key: &str) -> Option<Vec<CappedCount>> {
        let entries = self.entries.lock().ok()?;
        entries.get(key).map(|e| e.counts.clone())
    }

    /// Remembers the counts of `key`, as of the generation read before they were counted.
    pub fn put(&self, key: String, generation: u64, counts: Vec<CappedCount>) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
            entries.insert(
                key,
                Entry {
                    generation,
                    at: Instant::now(),
                    counts,
                },
            );
        }
    }

    /// The current generation, to read before counting.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Something was written: no count from before is reused.
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }
}

/// Middleware: every request that may write starts a new generation, before and after it
/// runs (so a count taken while it ran is not reused either).
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
    if writes && let Some(c) = &cache {
        c.invalidate();
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(n: i64) -> Vec<CappedCount> {
        vec![CappedCount {
            key: "completed".into(),
            n,
        }]
    }

    #[test]
    fn a_write_or_time_makes_a_count_stale() {
        let cache = CountsCache::default();
        let g = cache.generation();
        cache.put("all".into(), g, count(3));
        assert_eq!(cache.get("all").map(|c| c[0].n), Some(3));
        assert!(cache.get("other").is_none());
        cache.invalidate();
        assert!(cache.get("all").is_none());
        // Counted before a write finished: never reused.
        cache.put("all".into(), g, count(4));
        assert!(cache.get("all").is_none());
    }
}
