//! The sessions each API key read, counted in memory and written to `api_key_reads` by the
//! read-count writer (`jobs::reads`) about once a second, and when the server stops.
//!
//! Counting in the request itself was an upsert of one row per key and day: every API read
//! queued on that row's lock behind the others and cost Postgres a write (a third of its
//! time per API list). A count is usage, not an audit record: the server being killed
//! outright loses at most the last interval's counts, as `synchronous_commit = off` already
//! could. Each instance writes only what it counted, by adding, so several instances add up.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use chrono::{NaiveDate, Utc};
use uuid::Uuid;

/// Sessions read by key and UTC day, counted here and not yet written.
#[derive(Debug, Default)]
pub struct ReadTally {
    pending: Mutex<HashMap<(Uuid, NaiveDate), i64>>,
    /// Held while counts move from memory to the database ([`ReadTally::moving`]).
    moving: Mutex<()>,
}

impl ReadTally {
    fn lock(&self) -> MutexGuard<'_, HashMap<(Uuid, NaiveDate), i64>> {
        // A panic elsewhere cannot leave a count half-added: the map stays usable.
        self.pending.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Held by the writer from taking the counts until they are written (or put back), and by
    /// a reader of both the table and [`ReadTally::pending`], so that it sees each count
    /// exactly once.
    pub fn moving(&self) -> MutexGuard<'_, ()> {
        self.moving.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Counts `sessions` sessions read by `key` today (UTC).
    pub fn add(&self, key: Uuid, sessions: usize) {
        if sessions == 0 {
            return;
        }
        let n = i64::try_from(sessions).unwrap_or(i64::MAX);
        let day = Utc::now().date_naive();
        let mut pending = self.lock();
        let count = pending.entry((key, day)).or_insert(0);
        *count = count.saturating_add(n);
    }

    /// Everything counted and not yet written, emptied: (key, day, sessions).
    pub fn take(&self) -> Vec<(Uuid, NaiveDate, i64)> {
        self.lock()
            .drain()
            .map(|((key, day), n)| (key, day, n))
            .collect()
    }

    /// Counts taken but not written (the database did not answer), to be written next time.
    pub fn restore(&self, counts: Vec<(Uuid, NaiveDate, i64)>) {
        let mut pending = self.lock();
        for (key, day, n) in counts {
            let count = pending.entry((key, day)).or_insert(0);
            *count = count.saturating_add(n);
        }
    }

    /// What this instance counted and has not written yet, for pages that show the counts.
    pub fn pending(&self) -> Vec<(Uuid, NaiveDate, i64)> {
        self.lock()
            .iter()
            .map(|(&(key, day), &n)| (key, day, n))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_add_up_per_key_and_day_and_survive_a_failed_write() {
        let tally = ReadTally::default();
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        tally.add(a, 2);
        tally.add(a, 3);
        tally.add(b, 1);
        tally.add(b, 0);
        let mut taken = tally.take();
        taken.sort_by_key(|&(_, _, n)| n);
        assert_eq!(taken.iter().map(|c| c.2).collect::<Vec<_>>(), vec![1, 5]);
        assert!(tally.take().is_empty());
        tally.add(a, 1);
        tally.restore(taken);
        let mut pending = tally.pending();
        pending.sort_by_key(|&(_, _, n)| n);
        assert_eq!(pending.iter().map(|c| c.2).collect::<Vec<_>>(), vec![1, 6]);
        assert_eq!(pending[1].0, a);
    }
}
