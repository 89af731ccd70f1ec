//! A cache that is never stale across instances: the one rule behind the queue's counts
//! and the signed-in users of the dashboard, and of who may be given cases.
//!
//! An entry is reused only while all of these hold:
//!
//! - the generation it was read at is still current: Postgres notifies every instance of
//!   each commit to a table the cache reads ([`Changes`]), and a write through this instance
//!   moves every generation before and after it runs;
//! - the change listener is connected, so no notice can have been missed;
//! - it is younger than the cache's time to live;
//! - it was read after the reader's own last write (the `wrote` time their session keeps,
//!   kept in their signed cookie), with a margin for the clocks of two
//!   hosts: a reviewer who decides through one instance and whose next page comes from
//!   another before that one heard the notice still gets what they just wrote.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use crate::app::changes::Changes;

/// A value read on another host within this long after the reader's own write is not
/// trusted to include it.
pub const CLOCK_MARGIN: Duration = Duration::from_secs(2);

/// When and at which generation a value was read: taken before reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    generation: u64,
    at: SystemTime,
}

struct Entry<V> {
    stamp: Stamp,
    taken: Instant,
    value: V,
}

/// Values by key, reused while nothing they were read from has changed anywhere.
pub struct Fresh<K, V> {
    changes: Arc<Changes>,
    /// Which of the generations this cache's values follow.
    generation_of: fn(&Changes) -> u64,
    /// Bumped by [`Fresh::invalidate`], on top of the shared generation.
    local: AtomicU64,
    ttl: Duration,
    max_entries: usize,
    entries: Mutex<HashMap<K, Entry<V>>>,
}

impl<K: Eq + Hash, V: Clone> Fresh<K, V> {
    /// A cache of at most `max_entries` values (past it, it starts over), each reused for
    /// at most `ttl` while `generation_of(changes)` stays put.
    pub fn new(
        changes: Arc<Changes>,
        generation_of: fn(&Changes) -> u64,
        ttl: Duration,
        max_entries: usize,
    ) -> Self {
        Fresh {
            changes,
            generation_of,
            local: AtomicU64::new(0),
            ttl,
            max_entries,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The value of `key`, when fresh for a reader whose own last write was at `wrote`.
    pub fn get(&self, key: &K, wrote: Option<SystemTime>) -> Option<V> {
        if !self.changes.live() {
            return None;
        }
        let generation = self.generation_now();
        let entries = self.entries.lock().ok()?;
        entries
            .get(key)
            .filter(|e| {
                e.stamp.generation == generation
                    && e.taken.elapsed() < self.ttl
                    && wrote.is_none_or(|w| e.stamp.at > w + CLOCK_MARGIN)
            })
            .map(|e| e.value.clone())
    }

    /// The value of `key` when fresh for a reader whose own last write was at `wrote`;
    /// otherwise `read` reads it (after a stamp is taken) and it is remembered, unless
    /// something changed meanwhile: then it is served once and not kept, as no later reader
    /// could be given it (nor should what it holds stay in memory).
    pub fn get_or_read<E>(
        &self,
        key: K,
        wrote: Option<SystemTime>,
        read: impl FnOnce() -> Result<V, E>,
    ) -> Result<V, E> {
        if let Some(found) = self.get(&key, wrote) {
            return Ok(found);
        }
        let stamp = self.stamp();
        let value = read()?;
        if self.is_current(stamp) {
            self.put(key, stamp, value.clone());
        }
        Ok(value)
    }

    /// The last value of `key`, however old.
    pub fn last(&self, key: &K) -> Option<V> {
        let entries = self.entries.lock().ok()?;
        entries.get(key).map(|e| e.value.clone())
    }

    /// Remembers the value of `key`, read after `stamp` was taken.
    pub fn put(&self, key: K, stamp: Stamp, value: V) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= self.max_entries {
                entries.clear();
            }
            entries.insert(
                key,
                Entry {
                    stamp,
                    taken: Instant::now(),
                    value,
                },
            );
        }
    }

    /// The stamp to take before reading a value to [`Fresh::put`].
    pub fn stamp(&self) -> Stamp {
        Stamp {
            generation: self.generation_now(),
            at: SystemTime::now(),
        }
    }

    fn generation_now(&self) -> u64 {
        (self.generation_of)(&self.changes).wrapping_add(self.local.load(Ordering::Acquire))
    }

    /// Something was written through this server: nothing read before is reused, here or
    /// in any cache following the same [`Changes`] (but the accounts' external ids: see
    /// [`Changes::wrote_here`]).
    pub fn invalidate(&self) {
        self.local.fetch_add(1, Ordering::AcqRel);
        self.changes.wrote_here();
    }

    /// Whether a value read after `stamp` may still be served to anyone.
    pub fn is_current(&self, stamp: Stamp) -> bool {
        stamp.generation == self.generation_now()
    }

    /// Drops every entry: while notices may be missed, none can be given to anyone.
    pub fn forget_all(&self) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.clear();
        }
    }

    /// Entries held, fresh or stale.
    #[cfg(test)]
    pub fn held(&self) -> usize {
        self.entries.lock().map_or(0, |e| e.len())
    }

    /// Drops every entry no reader can be given any more (read at an older generation):
    /// what a change replaced, such as a redacted account's id, does not stay in memory.
    pub fn forget_stale(&self) {
        let generation = self.generation_now();
        if let Ok(mut entries) = self.entries.lock() {
            entries.retain(|_, e| e.stamp.generation == generation);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cache() -> (Arc<Changes>, Fresh<&'static str, i64>) {
        let changes = Arc::new(Changes::default());
        let fresh = Fresh::new(changes.clone(), Changes::counted, Duration::from_secs(5), 8);
        (changes, fresh)
    }

    #[test]
    fn a_write_here_or_a_notice_from_elsewhere_makes_a_value_stale() {
        let (changes, cache) = cache();
        changes.set_live(true);
        let g = cache.stamp();
        cache.put("all", g, 3);
        assert_eq!(cache.get(&"all", None), Some(3));
        assert_eq!(cache.get(&"other", None), None);
        cache.invalidate();
        assert_eq!(cache.get(&"all", None), None);
        // Read before a write finished: never reused.
        cache.put("all", g, 4);
        assert_eq!(cache.get(&"all", None), None);
        cache.put("all", cache.stamp(), 5);
        assert_eq!(cache.get(&"all", None), Some(5));
        changes.heard("sessions");
        assert_eq!(cache.get(&"all", None), None);
        assert_eq!(cache.last(&"all"), Some(5));
    }

    #[test]
    fn a_value_read_while_something_changed_is_served_but_not_kept() {
        let (changes, cache) = cache();
        changes.set_live(true);
        let read = cache.get_or_read("all", None, || {
            changes.heard("sessions");
            Ok::<_, ()>(3)
        });
        assert_eq!(read, Ok(3));
        assert_eq!(cache.last(&"all"), None);
        assert_eq!(cache.get_or_read("all", None, || Ok::<_, ()>(4)), Ok(4));
        assert_eq!(cache.get(&"all", None), Some(4));
    }

    #[test]
    fn without_the_listener_or_after_the_readers_own_write_nothing_is_reused() {
        let (changes, cache) = cache();
        cache.put("all", cache.stamp(), 3);
        assert_eq!(cache.get(&"all", None), None, "listener not connected");
        changes.set_live(true);
        cache.put("all", cache.stamp(), 3);
        assert_eq!(cache.get(&"all", None), Some(3));
        // The reader wrote (through another instance) just before this was read.
        let wrote = SystemTime::now() - Duration::from_millis(500);
        assert_eq!(cache.get(&"all", Some(wrote)), None);
        let long_ago = SystemTime::now() - Duration::from_secs(60);
        assert_eq!(cache.get(&"all", Some(long_ago)), Some(3));
    }
}
