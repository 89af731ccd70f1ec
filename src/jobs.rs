//! Background loops (expiry now, retention later): each runs on its own thread, works in
//! bounded batches, and stops promptly when the server shuts down.

use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::config::Config;
use crate::db::DbPool;
use crate::service::expiry;

/// The most batches one tick runs, so a backlog cannot starve shutdown.
const MAX_BATCHES_PER_TICK: usize = 20;

/// Handles to the running background loops.
pub struct Jobs {
    stop: Option<Sender<()>>,
    threads: Vec<JoinHandle<()>>,
}

impl Jobs {
    /// Starts every background loop.
    pub fn start(pool: DbPool, config: &Config) -> Self {
        let (stop, rx) = mpsc::channel::<()>();
        let batch = config.job_batch_size;
        let interval = config.expiry_interval;
        let expiry = std::thread::Builder::new()
            .name("expiry".into())
            .spawn(move || {
                loop {
                    expire_tick(&pool, batch);
                    match rx.recv_timeout(interval) {
                        Err(RecvTimeoutError::Timeout) => continue,
                        Ok(()) | Err(RecvTimeoutError::Disconnected) => break,
                    }
                }
            });
        let threads = match expiry {
            Ok(handle) => vec![handle],
            Err(e) => {
                tracing::error!(error = %e, "could not start the expiry job");
                Vec::new()
            }
        };
        Jobs {
            stop: Some(stop),
            threads,
        }
    }

    /// Signals every loop to stop and waits for the current batch to finish.
    pub async fn stop(mut self) {
        drop(self.stop.take());
        let threads = std::mem::take(&mut self.threads);
        let _ = actix_web::web::block(move || {
            for t in threads {
                let _ = t.join();
            }
        })
        .await;
    }
}

fn expire_tick(pool: &DbPool, batch: i64) {
    let Ok(mut conn) = pool.get_timeout(Duration::from_secs(2)) else {
        // Postgres is away; the next tick tries again.
        return;
    };
    let mut total = 0;
    for _ in 0..MAX_BATCHES_PER_TICK {
        match expiry::expire_batch(&mut conn, batch) {
            Ok(n) => {
                total += n;
                if (n as i64) < batch {
                    break;
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "expiry batch failed");
                break;
            }
        }
    }
    if total > 0 {
        tracing::info!(expired = total, "expired overdue sessions");
    }
    match crate::service::idempotency::purge_expired(&mut conn) {
        Ok(0) => {}
        Ok(n) => tracing::info!(purged = n, "deleted idempotency keys older than 24 hours"),
        Err(e) => tracing::warn!(error = %e, "idempotency key purge failed"),
    }
}
