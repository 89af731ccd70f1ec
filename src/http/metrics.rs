//! `GET /metrics`: Prometheus text, for a client presenting `METRICS_TOKEN` or one in the
//! ranges `METRICS_ALLOW` names (none unless set); 403 for anyone else.

use std::time::{Duration, Instant};

use actix_web::{HttpRequest, HttpResponse, get, web};

use crate::app::AppState;
use crate::db::{self, DbPool};
use crate::domain::status::SessionStatus;
use crate::error::AppError;
use crate::http::constant_time_eq;
use crate::metrics;
use crate::store::{stats, webhooks};

/// How long one count of sessions by status answers scrapes.
pub const COUNTS_TTL: Duration = Duration::from_secs(5);

/// The last count of sessions by status, one per server. Counting every session is a
/// full index scan; scrapes within [`COUNTS_TTL`] reuse one count, and simultaneous
/// scrapes wait for the one count under way instead of each starting their own.
#[derive(Default)]
pub struct StatusCounts(tokio::sync::Mutex<Option<Counted>>);

/// Sessions by status, and when they were counted.
type Counted = (Instant, Vec<(SessionStatus, i64)>);

impl StatusCounts {
    /// The counts, from the last [`COUNTS_TTL`] or counted now. A failed count is not
    /// kept: the next scrape asks Postgres again.
    async fn get(&self, pool: &DbPool) -> Result<Vec<(SessionStatus, i64)>, AppError> {
        let mut last = self.0.lock().await;
        if let Some((at, counts)) = last.as_ref()
            && at.elapsed() < COUNTS_TTL
        {
            return Ok(counts.clone());
        }
        let counts: Vec<(SessionStatus, i64)> = db::with_conn(pool, |conn| {
            Ok(stats::sessions_by_status(conn)?
                .into_iter()
                .map(|c| (c.status, c.n))
                .collect())
        })
        .await?;
        *last = Some((Instant::now(), counts.clone()));
        Ok(counts)
    }
}

fn allowed(req: &HttpRequest, state: &AppState) -> bool {
    if let Some(token) = &state.config.metrics_token {
        let sent = req
            .headers()
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("");
        if constant_time_eq(sent.as_bytes(), token.as_bytes()) {
            return true;
        }
    }
    req.peer_addr().is_some_and(|peer| {
        state
            .config
            .metrics_allow
            .iter()
            .any(|net| net.contains(peer.ip()))
    })
}

/// The metrics.
#[get("/metrics")]
pub async fn show(
    req: HttpRequest,
    pool: web::Data<DbPool>,
    state: web::Data<AppState>,
    registry: web::Data<metrics::Registry>,
    status_counts: web::Data<StatusCounts>,
) -> HttpResponse {
    if !allowed(&req, &state) {
        return HttpResponse::Forbidden()
            .content_type("text/plain; charset=utf-8")
            .body("forbidden\n");
    }
    let mut out = String::new();
    registry.render(&mut out);
    let pool_state = pool.state();
    let max = i64::from(pool.max_size());
    let open = i64::from(pool_state.connections);
    let idle = i64::from(pool_state.idle_connections);
    metrics::gauge(
        &mut out,
        "sessiondesk_db_pool_connections",
        "Open database connections.",
        &[(String::new(), open)],
    );
    metrics::gauge(
        &mut out,
        "sessiondesk_db_pool_in_use",
        "Database connections checked out.",
        &[(String::new(), open - idle)],
    );
    metrics::gauge(
        &mut out,
        "sessiondesk_db_pool_waiting",
        "Requests waiting for a connection.",
        &[(String::new(), metrics::pool_waiting())],
    );
    metrics::gauge(
        &mut out,
        "sessiondesk_db_pool_max",
        "The pool's size.",
        &[(String::new(), max)],
    );
    match status_counts.get(&pool).await {
        Ok(rows) => {
            let samples: Vec<(String, i64)> = rows
                .into_iter()
                .map(|(status, n)| (format!("status=\"{status}\""), n))
                .collect();
            metrics::gauge(
                &mut out,
                "sessiondesk_sessions",
                "Sessions by status.",
                &samples,
            );
            metrics::gauge(
                &mut out,
                "sessiondesk_database_up",
                "1 when Postgres answered this scrape (or the counts it reused).",
                &[(String::new(), 1)],
            );
        }
        Err(_) => metrics::gauge(
            &mut out,
            "sessiondesk_database_up",
            "1 when Postgres answered this scrape (or the counts it reused).",
            &[(String::new(), 0)],
        ),
    }
    metrics::render_webhook_attempts(&mut out);
    if let Ok(outbox) = db::with_conn(&pool, |conn| Ok(webhooks::outbox_stats(conn)?)).await {
        metrics::gauge(
            &mut out,
            "sessiondesk_webhook_deliveries_pending",
            "Webhook deliveries waiting to be sent or retried.",
            &[(String::new(), outbox.pending)],
        );
        let age = outbox
            .oldest_pending
            .map_or(0, |t| (chrono::Utc::now() - t).num_seconds().max(0));
        metrics::gauge(
            &mut out,
            "sessiondesk_webhook_oldest_pending_seconds",
            "Age of the oldest pending webhook delivery (0 when none).",
            &[(String::new(), age)],
        );
    }
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(out)
}
