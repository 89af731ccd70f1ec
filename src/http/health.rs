//! `/healthz` (the process is up) and `/readyz` (and it can reach Postgres).

use actix_web::{HttpResponse, get, web};

use crate::db::{self, DbPool};

/// Liveness: always 200 while the process serves requests.
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body("ok")
}

/// Readiness: 200 when Postgres answers within the pool timeout, 503 when it does not.
#[get("/readyz")]
pub async fn readyz(pool: web::Data<DbPool>) -> HttpResponse {
    if db::is_ready(&pool).await {
        HttpResponse::Ok()
            .content_type("text/plain; charset=utf-8")
            .body("ready")
    } else {
        HttpResponse::ServiceUnavailable()
            .insert_header(("Retry-After", "5"))
            .content_type("text/plain; charset=utf-8")
            .body("database unavailable")
    }
}
