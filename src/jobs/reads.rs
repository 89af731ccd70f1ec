//! The read-count writer: every `READ_COUNT_FLUSH_MS` it writes the API reads this
//! instance counted ([`ReadTally`]) to `api_key_reads` in one statement, and once more
//! when the server stops. While Postgres is away the counts stay in memory and are written
//! when it answers again.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::app::read_tally::ReadTally;
use crate::db::{self, DbPool};
use crate::store::api_keys;

/// Starts the writer on its own thread; it stops (after a last write) once `stopping` is set.
pub fn start(
    pool: DbPool,
    tally: Arc<ReadTally>,
    every: Duration,
    stopping: Arc<AtomicBool>,
) -> std::io::Result<JoinHandle<()>> {
    std::thread::Builder::new()
        .name("reads".into())
        .spawn(move || {
            let stop = || stopping.load(Ordering::Relaxed);
            let mut failing = false;
            loop {
                super::pause(every, stop);
                let stopping_now = stop();
                match write(&pool, &tally) {
                    Ok(()) => failing = false,
                    Err(e) if !failing => {
                        failing = true;
                        tracing::warn!(error = %e, "could not write the API read counts; kept in memory, retrying");
                    }
                    Err(_) => {}
                }
                if stopping_now {
                    break;
                }
            }
        })
}

/// Writes what `tally` holds; on failure puts it back for the next time.
pub fn write(pool: &DbPool, tally: &ReadTally) -> anyhow::Result<()> {
    let _moving = tally.moving();
    let counts = tally.take();
    if counts.is_empty() {
        return Ok(());
    }
    let written = db::on_this_thread(pool, Duration::from_secs(2), |conn| {
        Ok(api_keys::add_reads(conn, &counts)?)
    });
    if written.is_err() {
        tally.restore(counts);
    }
    written.map(|_| ()).map_err(anyhow::Error::from)
}
