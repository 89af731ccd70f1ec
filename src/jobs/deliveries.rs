//! The webhook delivery worker: one thread per instance with its own small async runtime.
//! It claims due deliveries (see [`crate::store::webhooks::claim`]), posts each signed
//! body with a 10 s timeout, following no redirect and reading at most 64 KiB of the
//! answer, and records what came of it. Up to `WEBHOOK_CONCURRENCY` deliveries are in
//! flight at once; a slow receiver holds one slot, not the whole batch.
//!
//! The address actually dialled is checked: names are resolved here, by a resolver that
//! drops loopback, private and link-local addresses (unless `WEBHOOK_ALLOW_PRIVATE`), so
//! a name that resolved to a public address when saved and to an internal one now (DNS
//! rebinding) reaches nothing.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use chrono::Utc;
use futures_util::stream::FuturesUnordered;
use futures_util::{FutureExt, StreamExt};

use crate::config::Config;
use crate::db::DbPool;
use crate::domain::webhooks as rules;
use crate::service::webhooks::{self as service, Sent};
use crate::store::webhooks::{self as store, Claimed};

/// How long one attempt may take, connection included.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// The most of an answer read.
pub const MAX_ANSWER_BYTES: usize = 64 * 1024;
/// The most of an answer kept for the admin page.
pub const KEPT_ANSWER_BYTES: usize = 4 * 1024;

/// The running worker.
pub struct Deliverer {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Deliverer {
    /// Starts the worker thread.
    pub fn start(pool: DbPool, config: &Config) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let settings = Settings {
            concurrency: config.webhook_concurrency,
            poll: config.webhook_poll,
            allow_private: config.webhook_allow_private,
        };
        let flag = stop.clone();
        let thread = std::thread::Builder::new()
            .name("webhooks".into())
            .spawn(move || worker_thread(&pool, settings, &flag));
        let thread = match thread {
            Ok(t) => Some(t),
            Err(e) => {
                tracing::error!(error = %e, "could not start the webhook worker");
                None
            }
        };
        Deliverer { stop, thread }
    }

    /// Asks the worker to stop and waits for it. Deliveries in flight are abandoned; their
    /// claims run out and another attempt sends them (delivery is at least once).
    pub fn stop(mut self) -> Option<JoinHandle<()>> {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.take()
    }
}

impl Drop for Deliverer {
    /// A server dropped without a graceful stop (a test's, say) stops its worker too.
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

#[derive(Debug, Clone, Copy)]
struct Settings {
    concurrency: usize,
    poll: Duration,
    allow_private: bool,
}

/// The worker thread's body: its own runtime and client, then the delivery loop.
fn worker_thread(pool: &DbPool, settings: Settings, stop: &AtomicBool) {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            tracing::error!(error = %e, "could not start the webhook worker's runtime");
            return;
        }
    };
    let client = match client(settings.allow_private) {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "could not build the webhook client");
            return;
        }
    };
    runtime.block_on(deliver_until_stopped(pool, &client, settings, stop));
}

async fn deliver_until_stopped(
    pool: &DbPool,
    client: &reqwest::Client,
    settings: Settings,
    stop: &AtomicBool,
) {
    let mut in_flight = FuturesUnordered::new();
    let mut last_claim = Instant::now() - settings.poll;
    let mut more_due = true;
    // Claims go out in batches: when half the slots are free, or none is busy. One query
    // per finished delivery would cost a round trip each.
    let batch = settings.concurrency.div_ceil(2).max(1);
    while !stop.load(Ordering::Relaxed) {
        let room = settings.concurrency.saturating_sub(in_flight.len());
        let worth_it = room >= batch || in_flight.is_empty();
        if worth_it && (more_due || last_claim.elapsed() >= settings.poll) {
            last_claim = Instant::now();
            let claimed = claim(pool, room);
            more_due = claimed.len() == room;
            for c in claimed {
                in_flight.push(send(client, c, settings.allow_private));
            }
        }
        if in_flight.is_empty() {
            tokio::time::sleep(settings.poll.min(Duration::from_millis(250))).await;
            continue;
        }
        let wait = settings.poll.saturating_sub(last_claim.elapsed());
        tokio::select! {
            Some(first) = in_flight.next() => {
                // Every attempt that has finished by now is recorded on one connection.
                let mut finished = vec![first];
                while let Some(Some(next)) = in_flight.next().now_or_never() {
                    finished.push(next);
                }
                record(pool, &finished);
            }
            () = tokio::time::sleep(wait.max(Duration::from_millis(20))) => {}
        }
    }
}

fn claim(pool: &DbPool, room: usize) -> Vec<Claimed> {
    let Ok(mut conn) = pool.get_timeout(Duration::from_secs(2)) else {
        return Vec::new();
    };
    let limit = i64::try_from(room).unwrap_or(1);
    match store::claim(&mut conn, limit, Utc::now()) {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(error = %e, "claiming webhook deliveries failed");
            Vec::new()
        }
    }
}

/// Records finished attempts, each in its own transaction, on one pooled connection.
fn record(pool: &DbPool, finished: &[(Claimed, Sent)]) {
    let Ok(mut conn) = pool.get_timeout(Duration::from_secs(5)) else {
        // The claims run out and the deliveries are sent again: at least once.
        tracing::warn!(
            deliveries = finished.len(),
            "no connection to record webhook attempts"
        );
        return;
    };
    for (claimed, sent) in finished {
        record_one(&mut conn, claimed, sent);
    }
}

fn record_one(conn: &mut crate::db::PooledPg, claimed: &Claimed, sent: &Sent) {
    let jitter: f64 = rand::random();
    match service::record_attempt(conn, claimed, sent, jitter) {
        Ok(true) => {
            let outcome = match rules::answer(sent.status) {
                rules::Answer::Taken => "succeeded",
                _ => "failed",
            };
            crate::metrics::webhook_attempt(outcome);
            tracing::info!(
                delivery = %claimed.delivery.id,
                endpoint = %claimed.endpoint.id,
                event_type = %claimed.delivery.event_type,
                attempt = claimed.delivery.attempts + 1,
                status = sent.status,
                latency_ms = sent.latency_ms,
                "webhook attempt"
            );
        }
        Ok(false) => tracing::info!(
            delivery = %claimed.delivery.id,
            "webhook attempt already recorded by another worker"
        ),
        Err(e) => {
            tracing::warn!(error = %e, delivery = %claimed.delivery.id, "recording a webhook attempt failed")
        }
    }
}

/// Posts one claimed delivery and says what came of it.
async fn send(client: &reqwest::Client, claimed: Claimed, allow_private: bool) -> (Claimed, Sent) {
    let at = Utc::now();
    let started = Instant::now();
    let outcome = attempt(client, &claimed, allow_private, at).await;
    let latency_ms = i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX);
    let sent = match outcome {
        Ok((status, response)) => Sent {
            status: Some(status),
            error: None,
            response: Some(response),
            latency_ms,
            at,
        },
        Err(error) => Sent {
            status: None,
            error: Some(error),
            response: None,
            latency_ms,
            at,
        },
    };
    (claimed, sent)
}

async fn attempt(
    client: &reqwest::Client,
    claimed: &Claimed,
    allow_private: bool,
    at: chrono::DateTime<Utc>,
) -> Result<(u16, String), String> {
    let d = &claimed.delivery;
    let url =
        url::Url::parse(&claimed.endpoint.url).map_err(|_| "the URL is not valid".to_owned())?;
    if !allow_private
        && let Some(ip) = rules::literal_address(&url).filter(|ip| rules::is_forbidden_address(*ip))
    {
        return Err(format!("refused: {ip} is a private address"));
    }
    let body = serde_json::to_vec(&d.payload).map_err(|e| e.to_string())?;
    let timestamp = at.timestamp();
    let signature = rules::signature_header(
        &claimed.endpoint.signing_secrets(at),
        &d.event_id,
        timestamp,
        &body,
    )
    .map_err(|_| "the signing secret is not valid".to_owned())?;
    let response = client
        .post(url)
        .header("content-type", "application/json")
        .header("webhook-id", &d.event_id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(body)
        .send()
        .await
        .map_err(|e| describe(&e))?;
    let status = response.status().as_u16();
    let answer = read_capped(response).await;
    Ok((status, answer))
}

/// The start of an answer: at most [`MAX_ANSWER_BYTES`] read, [`KEPT_ANSWER_BYTES`] kept.
async fn read_capped(mut response: reqwest::Response) -> String {
    let mut kept: Vec<u8> = Vec::new();
    let mut read = 0usize;
    while read < MAX_ANSWER_BYTES {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                read += chunk.len();
                let room = KEPT_ANSWER_BYTES.saturating_sub(kept.len());
                kept.extend_from_slice(&chunk[..chunk.len().min(room)]);
            }
            Ok(None) | Err(_) => break,
        }
    }
    String::from_utf8_lossy(&kept).into_owned()
}

/// Why a request got no answer, in a few words (never the URL's query).
fn describe(e: &reqwest::Error) -> String {
    use std::error::Error as _;
    let mut cause = e.source();
    while let Some(c) = cause {
        if let Some(io) = c.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::PermissionDenied
        {
            return format!("refused: {io}");
        }
        cause = c.source();
    }
    if e.is_timeout() {
        "no answer within 10 s".to_owned()
    } else if e.is_connect() {
        "could not connect".to_owned()
    } else if e.is_redirect() {
        "answered with a redirect, which is not followed".to_owned()
    } else {
        "the request failed".to_owned()
    }
}

/// The HTTP client of deliveries: 10 s timeout, no redirects, no proxy from the
/// environment, and names resolved by [`GuardedResolver`] unless private addresses are
/// allowed.
fn client(allow_private: bool) -> reqwest::Result<reqwest::Client> {
    let builder = reqwest::Client::builder()
        .timeout(TIMEOUT)
        .connect_timeout(TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .user_agent(concat!("SessionDesk-Webhooks/", env!("CARGO_PKG_VERSION")));
    let builder = if allow_private {
        builder
    } else {
        builder.dns_resolver(Arc::new(GuardedResolver))
    };
    builder.build()
}

/// Resolves names and keeps only addresses a delivery may reach.
struct GuardedResolver;

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let all: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let allowed: Vec<SocketAddr> = all
                .iter()
                .copied()
                .filter(|a| !rules::is_forbidden_address(a.ip()))
                .collect();
            if allowed.is_empty() {
                let err = std::io::Error::new(
                    std::io::ErrorKind::PermissionDenied,
                    format!("{host} resolves only to private addresses"),
                );
                return Err(Box::new(err) as Box<dyn std::error::Error + Send + Sync>);
            }
            let addrs: reqwest::dns::Addrs = Box::new(allowed.into_iter());
            Ok(addrs)
        })
    }
}
