//! The queue rows' wait reasons, remembered by session and `updated_at`.
//!
//! A queue page read its rows and then, in a second statement, why each waiting row waits
//! (the failed checks of its latest verifications, the last mark for review). That second
//! round trip was a fifth of the page's cost, while the reasons of a row change only when
//! the session does. So a session's reasons are kept with the `updated_at` they were read
//! at, and reused while the page's own fresh read of the row shows that same `updated_at`.
//! Every write that changes them moves it in the same transaction: a status change (a mark
//! for review is one), a verification recorded (`service::verifications`, which touches
//! the session), a redaction (whose rows show no reason at all). Nothing depends on change
//! notices or on which instance wrote: a decision made anywhere shows on the next page
//! load everywhere. Who marked a session is kept as an id and named at render time from
//! the directory of names, which follows renames.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use chrono::{DateTime, Utc};
use diesel::PgConnection;
use uuid::Uuid;

use crate::store::queue::{self, QueueRow, WaitReason};

/// Sessions remembered at most; past it the cache starts over (a page holds 50 rows).
const MAX_ENTRIES: usize = 4096;

/// A session's reasons (none: nothing to say) with the `updated_at` they were read at.
type Entries = HashMap<Uuid, (DateTime<Utc>, Option<WaitReason>)>;

/// Wait reasons by session, each with the `updated_at` it was read at; one per server.
#[derive(Default)]
pub struct WaitReasons {
    entries: Mutex<Entries>,
}

impl WaitReasons {
    fn lock(&self) -> MutexGuard<'_, Entries> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The reasons of the rows that wait and are not redacted (the only ones that show a
    /// reason): from memory where the row's `updated_at` is the one they were read at, the
    /// others read in one query and remembered.
    pub fn of(
        &self,
        conn: &mut PgConnection,
        rows: &[QueueRow],
    ) -> diesel::QueryResult<Vec<WaitReason>> {
        let shown = rows
            .iter()
            .filter(|r| r.status.is_waiting() && r.redacted_at.is_none());
        let mut found = Vec::new();
        let mut missing: Vec<&QueueRow> = Vec::new();
        {
            let entries = self.lock();
            for row in shown {
                match entries.get(&row.id) {
                    Some((at, why)) if *at == row.updated_at => found.extend(why.clone()),
                    _ => missing.push(row),
                }
            }
        }
        if missing.is_empty() {
            return Ok(found);
        }
        let ids: Vec<Uuid> = missing.iter().map(|r| r.id).collect();
        let mut read: HashMap<Uuid, WaitReason> = queue::wait_reasons(conn, &ids)?
            .into_iter()
            .map(|w| (w.session_id, w))
            .collect();
        let mut entries = self.lock();
        if entries.len() + missing.len() > MAX_ENTRIES {
            entries.clear();
        }
        for row in missing {
            let why = read.remove(&row.id);
            entries.insert(row.id, (row.updated_at, why.clone()));
            found.extend(why);
        }
        Ok(found)
    }
}
