//! Background work: expiring overdue sessions, reporting service-level breaches, the
//! retention policy (`REDACT_AFTER_DAYS`), expiring approval requests,
//! purging old idempotency keys and forgetting old sign-in attempts. One thread runs them
//! in turn every `EXPIRY_INTERVAL_SECS`, each in bounded batches, and stops promptly when
//! the server shuts down. With several instances on one database, each tick runs on one
//! of them (`job_ticks`); webhook deliveries ([`deliveries`]) and bulk changes ([`bulk`])
//! have workers on every instance that take different work (`FOR UPDATE SKIP LOCKED`);
//! each instance writes the API reads it counted ([`reads`]).

use std::sync::Arc;
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

pub mod bulk;
pub mod changes;
pub mod deliveries;
pub mod reads;

use crate::app::changes::Changes;
use crate::config::Config;
use crate::db::DbPool;
use crate::service::{expiry, redaction};

/// How long finished webhook deliveries (and their attempts) are kept for the admin page.
pub const DELIVERY_RETENTION_DAYS: i64 = 30;

/// The most batches one tick runs, so a backlog cannot starve shutdown.
const MAX_BATCHES_PER_TICK: usize = 20;

/// Sleeps for `time` in short steps, returning early once `stop` says so, so that a
/// shutdown is not kept waiting by a worker's pause.
pub(crate) fn pause(time: Duration, stop: impl Fn() -> bool) {
    let mut slept = Duration::ZERO;
    while slept < time && !stop() {
        let step = Duration::from_millis(50).min(time - slept);
        std::thread::sleep(step);
        slept += step;
    }
}

/// Handles to the running background loops.
pub struct Jobs {
    stop: Option<Sender<()>>,
    stopping: std::sync::Arc<std::sync::atomic::AtomicBool>,
    threads: Vec<JoinHandle<()>>,
    deliveries: Option<deliveries::Deliverer>,
}

impl Jobs {
    /// Starts every background loop, and the listener that tells `changes` what other
    /// instances wrote.
    pub fn start(
        pool: DbPool,
        config: &Config,
        changes: Arc<Changes>,
        reads: Arc<crate::app::read_tally::ReadTally>,
    ) -> Self {
        let (stop, rx) = mpsc::channel::<()>();
        let pool_for_reads = pool.clone();
        let pool_for_deliveries = pool.clone();
        let pool_for_bulk = pool.clone();
        let batch = config.job_batch_size;
        let interval = config.expiry_interval;
        let redact_after_days = config.redact_after_days;
        let targets = config.sla;
        let expiry = std::thread::Builder::new()
            .name("jobs".into())
            .spawn(move || {
                let instance = format!(
                    "pid {} ({})",
                    std::process::id(),
                    &uuid::Uuid::new_v4().simple().to_string()[..8]
                );
                loop {
                    // With several instances on one database, one of them runs each tick.
                    if claim_tick(&pool, &instance, interval) {
                        tick(&pool, batch, redact_after_days);
                        breaches(&pool, &targets, batch);
                    }
                    match rx.recv_timeout(interval) {
                        Err(RecvTimeoutError::Timeout) => continue,
                        Ok(()) | Err(RecvTimeoutError::Disconnected) => break,
                    }
                }
            });
        let mut threads = match expiry {
            Ok(handle) => vec![handle],
            Err(e) => {
                tracing::error!(error = %e, "could not start the background jobs");
                Vec::new()
            }
        };
        let stopping = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        match self::changes::start(config.database_url.clone(), changes, stopping.clone()) {
            Ok(handle) => threads.push(handle),
            Err(e) => tracing::error!(error = %e, "could not start the change listener"),
        }
        match self::reads::start(
            pool_for_reads,
            reads,
            config.read_count_flush,
            stopping.clone(),
        ) {
            Ok(handle) => threads.push(handle),
            Err(e) => tracing::error!(error = %e, "could not start the read-count writer"),
        }
        if config.bulk_work {
            match bulk::start(pool_for_bulk, config.bulk_poll, stopping.clone()) {
                Ok(handle) => threads.push(handle),
                Err(e) => tracing::error!(error = %e, "could not start the bulk-change worker"),
            }
        }
        Jobs {
            stop: Some(stop),
            stopping,
            threads,
            deliveries: config
                .webhook_deliver
                .then(|| deliveries::Deliverer::start(pool_for_deliveries, config)),
        }
    }

    /// Signals every loop to stop and waits for the current batch to finish.
    pub async fn stop(mut self) {
        drop(self.stop.take());
        self.stopping
            .store(true, std::sync::atomic::Ordering::Relaxed);
        let mut threads = std::mem::take(&mut self.threads);
        if let Some(worker) = self.deliveries.take().and_then(deliveries::Deliverer::stop) {
            threads.push(worker);
        }
        let _ = actix_web::web::block(move || {
            for t in threads {
                let _ = t.join();
            }
        })
        .await;
    }
}

impl Drop for Jobs {
    /// A server dropped without [`Jobs::stop`] (a test's runtime ending) stops its bulk
    /// worker and change listener too; the tick thread ends when its channel's sender goes.
    fn drop(&mut self) {
        self.stopping
            .store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

/// Whether this instance runs the tick due now: the first instance to ask within an
/// interval (less a tenth, for the loops' jitter) does, the others skip it.
pub fn claim_tick(pool: &DbPool, instance: &str, interval: Duration) -> bool {
    let Ok(mut conn) = pool.get_timeout(Duration::from_secs(2)) else {
        return false;
    };
    let spacing = interval.mul_f64(0.9);
    match crate::store::job_ticks::claim(
        &mut conn,
        "maintenance",
        instance,
        chrono::Utc::now(),
        spacing,
    ) {
        Ok(won) => won,
        Err(e) => {
            tracing::warn!(error = %e, "could not claim the jobs' tick");
            false
        }
    }
}

/// Reports the cases that breached their service level since the last tick.
pub fn breaches(pool: &DbPool, targets: &crate::domain::sla::Targets, batch: i64) {
    let Ok(mut conn) = pool.get_timeout(Duration::from_secs(2)) else {
        return;
    };
    let mut total = 0;
    for _ in 0..MAX_BATCHES_PER_TICK {
        match crate::service::sla::record_breaches(&mut conn, targets, chrono::Utc::now(), batch) {
            Ok(n) => {
                total += n;
                if (n as i64) < batch {
                    break;
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "service-level batch failed");
                break;
            }
        }
    }
    if total > 0 {
        tracing::info!(breached = total, "reported service-level breaches");
    }
}

fn tick(pool: &DbPool, batch: i64, redact_after_days: Option<u32>) {
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
    if let Some(days) = redact_after_days {
        retention(&mut conn, days, batch);
    }
    match crate::service::approvals::expire_due(&mut conn, chrono::Utc::now(), batch) {
        Ok(0) => {}
        Ok(n) => tracing::info!(expired = n, "expired approval requests nobody decided"),
        Err(e) => tracing::warn!(error = %e, "approval request expiry failed"),
    }
    match crate::service::idempotency::purge_expired(&mut conn) {
        Ok(0) => {}
        Ok(n) => tracing::info!(purged = n, "deleted idempotency keys older than 24 hours"),
        Err(e) => tracing::warn!(error = %e, "idempotency key purge failed"),
    }
    match crate::store::webhooks::purge_finished(
        &mut conn,
        chrono::Utc::now() - chrono::Duration::days(DELIVERY_RETENTION_DAYS),
        batch,
    ) {
        Ok(0) => {}
        Ok(n) => tracing::info!(
            deleted = n,
            "deleted finished webhook deliveries past retention"
        ),
        Err(e) => tracing::warn!(error = %e, "webhook delivery purge failed"),
    }
    match crate::service::auth::forget_old_attempts(&mut conn) {
        Ok(0) => {}
        Ok(n) => tracing::info!(deleted = n, "deleted sign-in attempts past the window"),
        Err(e) => tracing::warn!(error = %e, "sign-in attempt purge failed"),
    }
}

/// The retention policy: sessions closed more than `days` days ago are redacted, a bounded
/// batch at a time, at most [`MAX_BATCHES_PER_TICK`] batches a tick.
fn retention(conn: &mut diesel::PgConnection, days: u32, batch: i64) {
    let mut total = 0;
    for _ in 0..MAX_BATCHES_PER_TICK {
        match redaction::redact_due(conn, days, batch) {
            Ok(n) => {
                total += n;
                if (n as i64) < batch {
                    break;
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "retention batch failed");
                break;
            }
        }
    }
    if total > 0 {
        tracing::info!(
            redacted = total,
            days,
            "redacted sessions past the retention period"
        );
    }
}
