//! The bulk-change worker: one thread per instance that takes up bulk changes nobody holds
//! (too long to be made while the reviewer waited, or left by a stopped instance) and
//! works each to its end, checking between batches whether the server is stopping.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::db::DbPool;
use crate::service::bulk;

/// Starts the worker; it stops when `stopping` is set.
pub fn start(
    pool: DbPool,
    poll: Duration,
    stopping: Arc<AtomicBool>,
) -> std::io::Result<JoinHandle<()>> {
    std::thread::Builder::new()
        .name("bulk".into())
        .spawn(move || {
            let stop = || stopping.load(Ordering::Relaxed);
            while !stop() {
                let worked = match pool.get_timeout(Duration::from_secs(2)) {
                    Ok(mut conn) => match bulk::work_next(&mut conn, &stop) {
                        Ok(worked) => worked,
                        Err(e) => {
                            tracing::warn!(error = %e, "bulk change batch failed");
                            false
                        }
                    },
                    // Postgres is away; try again after a pause.
                    Err(_) => false,
                };
                if !worked {
                    super::pause(poll, stop);
                }
            }
        })
}
