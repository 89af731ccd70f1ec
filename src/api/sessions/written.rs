//! The session list's resources as last written, by session, so that a page writes from
//! memory every session whose row and links are unchanged since, and reads whole and
//! serializes only the others. Reading 51 whole rows and writing them out was most of a
//! list's cost (decoding them a fifth of the server's time, serializing a tenth).
//!
//! Never stale, on any instance: each page reads every listed row's version (its `xmin`,
//! which every update of the row moves) and its links, and an entry is served only when
//! both are the ones it was written from. A decision, an edit or a redaction anywhere is
//! seen on the next page, with no notice awaited.
//!
//! Redacted means gone from memory too: a notice of a change to `sessions` (a redaction on
//! any instance among them) empties the cache, nothing is kept while the change listener
//! is down, and what was read before a notice is not kept after it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use uuid::Uuid;

use crate::app::changes::Changes;
use crate::store::session_links::SessionLinks;

/// Sessions remembered at most (about 1.4 kB each); past it, the cache starts over. A
/// page is 50 at most, and the first pages are the ones read again and again.
const MAX_ENTRIES: usize = 2_000;

/// A resource as written, and what it was written from.
struct Entry {
    version: i64,
    links: SessionLinks,
    json: Arc<[u8]>,
}

struct Inner {
    /// The sessions' generation the entries were kept under.
    generation: u64,
    entries: HashMap<Uuid, Entry>,
}

/// Written session resources by session id; one per server.
pub struct Written {
    changes: Arc<Changes>,
    inner: Mutex<Inner>,
}

/// When a page began reading: taken before it reads, given back with what it wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp(u64);

impl Written {
    /// An empty cache following the sessions' generation of `changes`.
    pub fn new(changes: Arc<Changes>) -> Self {
        Written {
            inner: Mutex::new(Inner {
                generation: changes.sessions(),
                entries: HashMap::new(),
            }),
            changes,
        }
    }

    /// The entries, emptied first if a session changed anywhere since they were kept or
    /// notices may be missed.
    fn lock(&self) -> MutexGuard<'_, Inner> {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let now = self.changes.sessions();
        if inner.generation != now || !self.changes.live() {
            inner.entries.clear();
            inner.generation = now;
        }
        inner
    }

    /// The stamp to take before reading a page.
    pub fn stamp(&self) -> Stamp {
        Stamp(self.changes.sessions())
    }

    /// For each `(id, version, links)`, the resource as written from that row version
    /// with those links, if kept.
    pub fn get<'a>(
        &self,
        rows: impl IntoIterator<Item = (Uuid, i64, &'a SessionLinks)>,
    ) -> Vec<Option<Arc<[u8]>>> {
        let inner = self.lock();
        rows.into_iter()
            .map(|(id, version, links)| {
                inner
                    .entries
                    .get(&id)
                    .filter(|e| e.version == version && e.links == *links)
                    .map(|e| e.json.clone())
            })
            .collect()
    }

    /// [`Written::get`] of one.
    #[cfg(test)]
    fn one(&self, id: Uuid, version: i64, links: &SessionLinks) -> Option<Arc<[u8]>> {
        self.get([(id, version, links)]).pop().flatten()
    }

    /// Keeps resources written from rows read after `stamp`: `(id, version, links, json)`.
    /// Nothing is kept when a session changed anywhere since, or notices may be missed.
    pub fn put(&self, stamp: Stamp, written: Vec<(Uuid, i64, SessionLinks, Arc<[u8]>)>) {
        let mut inner = self.lock();
        if inner.generation != stamp.0 || !self.changes.live() {
            return;
        }
        if inner.entries.len() + written.len() > MAX_ENTRIES {
            inner.entries.clear();
        }
        for (id, version, links, json) in written {
            inner.entries.insert(
                id,
                Entry {
                    version,
                    links,
                    json,
                },
            );
        }
    }

    /// How many resources are kept.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.lock().entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(text: &str) -> Arc<[u8]> {
        Arc::from(text.as_bytes())
    }

    #[test]
    fn served_only_at_the_version_and_links_it_was_written_from() {
        let changes = Arc::new(Changes::default());
        changes.set_live(true);
        let written = Written::new(changes.clone());
        let id = Uuid::new_v4();
        let links = SessionLinks::default();
        written.put(written.stamp(), vec![(id, 7, links.clone(), json("{}"))]);
        assert_eq!(written.one(id, 7, &links).as_deref(), Some(&b"{}"[..]));
        assert!(written.one(id, 8, &links).is_none(), "the row was updated");
        let mut more = links.clone();
        more.device = Some(Uuid::new_v4());
        assert!(written.one(id, 7, &more).is_none(), "a device was recorded");
        // A write through this instance does not empty it: the versions guard what it
        // serves.
        changes.wrote_here();
        assert!(written.one(id, 7, &links).is_some());
    }

    #[test]
    fn a_sessions_notice_empties_memory_and_a_read_from_before_it_is_not_kept() {
        let changes = Arc::new(Changes::default());
        changes.set_live(true);
        let written = Written::new(changes.clone());
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        let links = SessionLinks::default();
        written.put(written.stamp(), vec![(a, 1, links.clone(), json("{}"))]);
        let before = written.stamp();
        changes.heard("sessions");
        assert_eq!(written.len(), 0, "dropped from memory, not only not served");
        written.put(before, vec![(b, 1, links.clone(), json("{}"))]);
        assert!(written.one(b, 1, &links).is_none());
        assert_eq!(written.len(), 0);
    }

    #[test]
    fn nothing_is_kept_while_notices_may_be_missed() {
        let changes = Arc::new(Changes::default());
        let written = Written::new(changes.clone());
        let id = Uuid::new_v4();
        let links = SessionLinks::default();
        written.put(written.stamp(), vec![(id, 1, links.clone(), json("{}"))]);
        assert!(written.one(id, 1, &links).is_none());
        changes.set_live(true);
        written.put(written.stamp(), vec![(id, 1, links.clone(), json("{}"))]);
        assert!(written.one(id, 1, &links).is_some());
        changes.set_live(false);
        assert_eq!(written.len(), 0);
    }
}
