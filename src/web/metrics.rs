//! `GET /metrics`: Prometheus text, for the addresses in `METRICS_ALLOW` or a client
//! presenting `METRICS_TOKEN`; 403 for anyone else.

use actix_web::{HttpRequest, HttpResponse, get, web};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use crate::db::{self, DbPool};
use crate::metrics;
use crate::startup::AppState;
use crate::web::session::constant_time_eq;

#[derive(QueryableByName)]
struct ByStatus {
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
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
    let counts = db::run(&pool, |conn| {
        Ok(diesel::sql_query(
            "SELECT status, count(*) AS n FROM sessions GROUP BY status ORDER BY status",
        )
        .load::<ByStatus>(conn)?)
    })
    .await;
    match counts {
        Ok(rows) => {
            let samples: Vec<(String, i64)> = rows
                .into_iter()
                .map(|r| (format!("status=\"{}\"", r.status), r.n))
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
                "1 when Postgres answered this scrape.",
                &[(String::new(), 1)],
            );
        }
        Err(_) => metrics::gauge(
            &mut out,
            "sessiondesk_database_up",
            "1 when Postgres answered this scrape.",
            &[(String::new(), 0)],
        ),
    }
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(out)
}
