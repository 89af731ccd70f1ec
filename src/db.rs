//! The Postgres pool, the embedded migrations, and the one way handlers reach the database:
//! [`with_conn`], which moves blocking Diesel work off the async threads.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use diesel::prelude::*;
use diesel::r2d2::{
    ConnectionManager, CustomizeConnection, ManageConnection, Pool, PooledConnection,
};
use diesel::sql_types::{Bool, Text};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::error::AppError;

/// The shared pool of Postgres connections, with a first-come, first-served line in front
/// of it for [`with_conn`].
///
/// r2d2 hands a returned connection to whichever thread asks next, not to the one that has
/// waited longest: with more requests than connections, an unlucky request waited for
/// hundreds of milliseconds while later ones went ahead (the benchmark's p99 was ten times
/// its median). Requests now queue for a permit in arrival order without holding a thread,
/// and a permit is only granted when a connection is free.
#[derive(Clone)]
pub struct DbPool {
    pool: Pool<Manager>,
    line: Arc<tokio::sync::Semaphore>,
}

impl std::ops::Deref for DbPool {
    type Target = Pool<Manager>;
    fn deref(&self) -> &Pool<Manager> {
        &self.pool
    }
}

/// How long a connection may sit unused before the pool pings it on checkout.
const PING_WHEN_IDLE_FOR: Duration = Duration::from_secs(1);

/// A pooled Postgres connection that remembers when it was last checked out. It derefs to
/// the `PgConnection`, so `&mut conn` goes wherever a connection is wanted.
pub struct PooledPg {
    conn: PgConnection,
    checked_out: Instant,
    /// A query on it failed as a lost connection does: it is dropped when returned.
    lost: bool,
    /// Its last holder did not vouch for it (a background job, an export: they take it
    /// straight from the pool, not through [`run`]): the next checkout pings it however
    /// recently it was taken, so that a connection Postgres closed under a job is not
    /// handed to a request without a ping.
    unvouched: bool,
}

impl std::ops::Deref for PooledPg {
    type Target = PgConnection;
    fn deref(&self) -> &PgConnection {
        &self.conn
    }
}

impl std::ops::DerefMut for PooledPg {
    fn deref_mut(&mut self) -> &mut PgConnection {
        &mut self.conn
    }
}

/// Diesel's connection manager, testing a connection on checkout only when it sat idle:
/// a busy pool skips a `SELECT 1` round trip per request, and one that was quiet while
/// Postgres restarted still finds its dead connections before a request does. A busy
/// connection that died meanwhile fails its query (a 503) and is dropped when returned
/// ([`run`] marks it): Diesel's own test sees only a broken transaction, so a dead
/// connection went back to the pool and, under steady load, answered 503 to every request.
/// A connection held outside [`run`] (a background job's) is pinged at its next checkout
/// whatever its idle time: a job that had used a connection Postgres closed returned it as
/// fresh, and the next request took it without a ping and answered 503.
pub struct Manager {
    inner: ConnectionManager<PgConnection>,
}

impl ManageConnection for Manager {
    type Connection = PooledPg;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<PooledPg, Self::Error> {
        Ok(PooledPg {
            conn: self.inner.connect()?,
            checked_out: Instant::now(),
            lost: false,
            unvouched: false,
        })
    }

    fn is_valid(&self, c: &mut PooledPg) -> Result<(), Self::Error> {
        let idle = c.checked_out.elapsed();
        let vouched = !c.unvouched;
        c.checked_out = Instant::now();
        c.unvouched = true;
        if idle < PING_WHEN_IDLE_FOR && vouched {
            return Ok(());
        }
        self.inner.is_valid(&mut c.conn)
    }

    fn has_broken(&self, c: &mut PooledPg) -> bool {
        c.lost || self.inner.has_broken(&mut c.conn)
    }
}

/// Every migration under `migrations/`, compiled into the binary.
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

#[derive(Debug, Clone, Copy)]
struct SessionSettings;

impl CustomizeConnection<PooledPg, diesel::r2d2::Error> for SessionSettings {
    fn on_acquire(&self, conn: &mut PooledPg) -> Result<(), diesel::r2d2::Error> {
        // A runaway query must not hold a request (and a pool slot) forever.
        use diesel::connection::SimpleConnection;
        conn.batch_execute("SET statement_timeout = '15s'; SET application_name = 'sessiondesk'")
            .map_err(diesel::r2d2::Error::QueryError)
    }
}

/// Builds the pool without connecting: the server starts, and `/readyz` tells whether
/// Postgres answers. A checkout waits at most `timeout` (a 503 after that), and a
/// connection that sat idle is tested first, so the pool heals after Postgres restarts.
pub fn build_pool(database_url: &str, size: u32, timeout: Duration) -> DbPool {
    let manager = Manager {
        inner: ConnectionManager::<PgConnection>::new(database_url),
    };
    let pool = Pool::builder()
        .max_size(size)
        .min_idle(Some(0))
        .connection_timeout(timeout)
        .test_on_check_out(true)
        .connection_customizer(Box::new(SessionSettings))
        .build_unchecked(manager);
    DbPool {
        pool,
        line: Arc::new(tokio::sync::Semaphore::new(size as usize)),
    }
}

/// Runs `f` with a pooled connection on actix's blocking thread pool.
pub async fn with_conn<F, T>(pool: &DbPool, f: F) -> Result<T, AppError>
where
    F: FnOnce(&mut PgConnection) -> Result<T, AppError> + Send + 'static,
    T: Send + 'static,
{
    let started = Instant::now();
    let permit = take_turn(pool).await?;
    on_blocking_thread(pool, permit, started, f).await
}

/// Waits in line for a permit, at most the pool's timeout (a 503 after that).
async fn take_turn(pool: &DbPool) -> Result<tokio::sync::OwnedSemaphorePermit, AppError> {
    use std::sync::atomic::Ordering::Relaxed;
    crate::metrics::POOL_WAITING.fetch_add(1, Relaxed);
    let patience = pool.connection_timeout();
    let permit = tokio::time::timeout(patience, pool.line.clone().acquire_owned()).await;
    crate::metrics::POOL_WAITING.fetch_sub(1, Relaxed);
    // A closed semaphore never happens (it is never closed); both read as "no connection".
    match permit {
        Ok(Ok(permit)) => Ok(permit),
        _ => Err(AppError::Unavailable),
    }
}

/// Runs `f` on a blocking thread with a connection, holding `permit` throughout.
async fn on_blocking_thread<F, T>(
    pool: &DbPool,
    permit: tokio::sync::OwnedSemaphorePermit,
    started: Instant,
    f: F,
) -> Result<T, AppError>
where
    F: FnOnce(&mut PgConnection) -> Result<T, AppError> + Send + 'static,
    T: Send + 'static,
{
    let pool = pool.pool.clone();
    let remaining = pool_timeout_left(&pool, started);
    actix_web::web::block(move || {
        let _permit = permit;
        // Background jobs use the pool outside the line, so a connection may still be a
        // moment away; the whole wait stays within the pool's timeout.
        let mut conn = pool.get_timeout(remaining)?;
        run(&mut conn, f)
    })
    .await?
}

/// Runs `f` with a pooled connection on the calling thread (a background job's), waiting at
/// most `patience` for one. As with [`with_conn`], a connection `f` found lost is dropped
/// rather than handed to the next request, which would otherwise take it without a ping
/// (it was checked out within the second) and answer 503.
pub fn on_this_thread<F, T>(pool: &DbPool, patience: Duration, f: F) -> Result<T, AppError>
where
    F: FnOnce(&mut PgConnection) -> Result<T, AppError>,
{
    let mut conn = pool.pool.get_timeout(patience)?;
    run(&mut conn, f)
}

/// Runs `f` on `conn`, which is marked lost if `f` failed as a lost connection does.
fn run<F, T>(conn: &mut PooledConnection<Manager>, f: F) -> Result<T, AppError>
where
    F: FnOnce(&mut PgConnection) -> Result<T, AppError>,
{
    let out = f(&mut conn.conn);
    if matches!(out, Err(AppError::Unavailable)) {
        conn.lost = true;
    } else {
        conn.unvouched = false;
    }
    out
}

/// Runs `f` on the calling thread once it is this request's turn in the line and a
/// connection is idle; otherwise exactly as [`with_conn`].
///
/// For short, index-bounded reads only (the case page, the queue page without a search, the
/// API's session reads): handing them to a blocking thread and back cost more than they do.
/// Measured on a 2-core machine with `wrk -t1 -c32`: server CPU per request 0.81 → 0.64 ms
/// for the queue page, 1.44 → 1.04 ms for the API list, 0.47 → 0.34 ms for the case page,
/// and Postgres's less as well. The worker thread waits on the database meanwhile, so
/// anything that may run long (a search, an export, a bulk change, a photo) keeps to
/// [`with_conn`].
///
/// The wait for a turn is asynchronous (the worker serves other requests meanwhile), and
/// only the query runs on the worker: a pool with no idle connection once the turn has come
/// (Postgres away, a connection being made, a background job holding one) sends `f` to a
/// blocking thread, so the worker never waits for a connection. Taking the turn first
/// matters under steady load: a request that went the blocking way whenever anyone else
/// waited in line kept the line busy for the next, and once one burst had filled it, every
/// request after it went the blocking way for as long as the load lasted.
pub async fn read_now<F, T>(pool: &DbPool, f: F) -> Result<T, AppError>
where
    F: FnOnce(&mut PgConnection) -> Result<T, AppError> + Send + 'static,
    T: Send + 'static,
{
    let started = Instant::now();
    let permit = match pool.line.clone().try_acquire_owned() {
        Ok(permit) => permit,
        Err(_) => take_turn(pool).await?,
    };
    if let Some(mut conn) = pool.pool.try_get() {
        let out = run(&mut conn, f);
        drop(conn);
        drop(permit);
        return out;
    }
    on_blocking_thread(pool, permit, started, f).await
}

/// What is left of the pool's timeout after waiting in line since `started` (at least a
/// millisecond, so that a free connection is still taken).
fn pool_timeout_left(pool: &Pool<Manager>, started: Instant) -> Duration {
    pool.connection_timeout()
        .saturating_sub(started.elapsed())
        .max(Duration::from_millis(1))
}

/// Whether Postgres answers a trivial query within the pool's timeout.
pub async fn is_ready(pool: &DbPool) -> bool {
    with_conn(pool, |conn| {
        diesel::sql_query("SELECT 1").execute(conn)?;
        Ok(())
    })
    .await
    .is_ok()
}

#[derive(QueryableByName)]
struct Exists {
    #[diesel(sql_type = Bool)]
    exists: bool,
}

/// Splits a database URL into the URL of the server's `postgres` database and the name of
/// the database it points at.
pub fn maintenance_url(database_url: &str) -> anyhow::Result<(String, String)> {
    let mut url = url::Url::parse(database_url).context("DATABASE_URL is not a valid URL")?;
    let name = url.path().trim_start_matches('/').to_owned();
    if name.is_empty() {
        anyhow::bail!("DATABASE_URL must name a database, like postgres://host/sessiondesk");
    }
    url.set_path("/postgres");
    Ok((url.to_string(), name))
}

/// Creates the database `DATABASE_URL` names if it does not exist yet.
pub fn ensure_database(database_url: &str) -> anyhow::Result<()> {
    let (admin_url, name) = maintenance_url(database_url)?;
    let mut conn = PgConnection::establish(&admin_url)
        .with_context(|| format!("cannot connect to Postgres at {}", redact_url(&admin_url)))?;
    let found =
        diesel::sql_query("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) AS exists")
            .bind::<Text, _>(&name)
            .get_result::<Exists>(&mut conn)?;
    if !found.exists {
        let quoted = format!("\"{}\"", name.replace('"', "\"\""));
        diesel::sql_query(format!("CREATE DATABASE {quoted}"))
            .execute(&mut conn)
            .with_context(|| format!("cannot create database {name}"))?;
        tracing::info!(database = %name, "created database");
    }
    Ok(())
}

/// Applies every pending migration.
pub fn migrate(conn: &mut PgConnection) -> anyhow::Result<Vec<String>> {
    let applied = conn
        .run_pending_migrations(MIGRATIONS)
        .map_err(|e| anyhow::anyhow!("migration failed: {e}"))?;
    Ok(applied.iter().map(|v| v.to_string()).collect())
}

/// Connects, retrying for up to `patience` while Postgres is starting.
pub fn connect_with_retry(database_url: &str, patience: Duration) -> anyhow::Result<PgConnection> {
    let deadline = std::time::Instant::now() + patience;
    loop {
        match PgConnection::establish(database_url) {
            Ok(conn) => return Ok(conn),
            Err(e) if std::time::Instant::now() < deadline => {
                tracing::warn!(error = %e, "Postgres is not answering yet; retrying");
                std::thread::sleep(Duration::from_secs(1));
            }
            Err(e) => {
                return Err(anyhow::Error::new(e))
                    .with_context(|| format!("cannot connect to {}", redact_url(database_url)));
            }
        }
    }
}

/// A database URL with any password replaced, fit for logs.
pub fn redact_url(database_url: &str) -> String {
    match url::Url::parse(database_url) {
        Ok(mut url) => {
            if url.password().is_some() {
                let _ = url.set_password(Some("***"));
            }
            url.to_string()
        }
        Err(_) => "<unparseable url>".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maintenance_url_points_at_the_postgres_database() {
        let (url, name) = maintenance_url("postgres://u:p@db:5433/desk?sslmode=disable").unwrap();
        assert_eq!(name, "desk");
        assert_eq!(url, "postgres://u:p@db:5433/postgres?sslmode=disable");
        assert!(maintenance_url("postgres://db:5432").is_err());
    }

    #[test]
    fn passwords_never_reach_logs() {
        assert_eq!(
            redact_url("postgres://u:secret@db/x"),
            "postgres://u:***@db/x"
        );
    }
}
