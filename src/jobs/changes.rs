//! The change listener: one connection per instance, outside the pool, listening on
//! [`CHANNEL`] and passing each notice to [`Changes`] so that this instance's caches drop
//! what another instance (or a background job, or `psql`) changed.
//!
//! Notices are polled every [`POLL`] (a non-blocking read of the socket, no query), so one
//! reaches the caches within a few milliseconds of its commit. Every [`PING`] the
//! connection is checked with a query; when it fails, [`Changes::live`] goes false (the
//! caches read through) until the listener has connected and listens again.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};

use crate::app::changes::{CHANNEL, Changes};

/// How often waiting notices are read.
const POLL: Duration = Duration::from_millis(5);
/// How often the connection is proved alive with a query.
const PING: Duration = Duration::from_secs(5);
/// How long to wait before connecting again after a failure.
const RETRY: Duration = Duration::from_secs(1);

/// Starts the listener thread; it ends once `stopping` is set.
pub fn start(
    database_url: String,
    changes: Arc<Changes>,
    stopping: Arc<AtomicBool>,
) -> std::io::Result<JoinHandle<()>> {
    std::thread::Builder::new()
        .name("changes".into())
        .spawn(move || {
            let mut warned = false;
            while !stopping.load(Ordering::Relaxed) {
                match connect(&database_url) {
                    Ok(mut conn) => {
                        warned = false;
                        changes.set_live(true);
                        listen(&mut conn, &changes, &stopping);
                        changes.set_live(false);
                    }
                    Err(e) => {
                        if !warned {
                            tracing::warn!(error = %e, "change listener cannot connect; caches read through until it does");
                            warned = true;
                        }
                    }
                }
                sleep_unless_stopping(RETRY, &stopping);
            }
        })
}

fn connect(database_url: &str) -> anyhow::Result<PgConnection> {
    let mut conn = PgConnection::establish(database_url)?;
    conn.batch_execute(&format!(
        "SET application_name = 'sessiondesk changes'; LISTEN {CHANNEL}"
    ))?;
    Ok(conn)
}

/// Hears notices until the connection fails or the server stops.
fn listen(conn: &mut PgConnection, changes: &Changes, stopping: &AtomicBool) {
    let mut pinged = Instant::now();
    while !stopping.load(Ordering::Relaxed) {
        for notice in conn.notifications_iter() {
            match notice {
                Ok(n) => changes.heard(&n.payload),
                Err(e) => {
                    tracing::warn!(error = %e, "change listener lost its connection");
                    return;
                }
            }
        }
        if pinged.elapsed() >= PING {
            if let Err(e) = conn.batch_execute("SELECT 1") {
                tracing::warn!(error = %e, "change listener lost its connection");
                return;
            }
            pinged = Instant::now();
        }
        std::thread::sleep(POLL);
    }
}

fn sleep_unless_stopping(total: Duration, stopping: &AtomicBool) {
    let until = Instant::now() + total;
    while Instant::now() < until && !stopping.load(Ordering::Relaxed) {
        std::thread::sleep(Duration::from_millis(50));
    }
}
