//! Every request gets an id (`X-Request-Id`, taken from the client when it is sane), a
//! tracing span carrying it, one log line when it ends, and a place in the metrics. Logs
//! carry the path only: never a query string (searches hold names) and never a body.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use tracing::Instrument as _;

use crate::metrics;

/// The request id header.
pub const REQUEST_ID: &str = "x-request-id";

fn request_id(req: &ServiceRequest) -> String {
    req.headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 64
                && v.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        })
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string())
}

/// The middleware.
pub async fn trace(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = request_id(&req);
    let method = req.method().to_string();
    let path = req.path().to_owned();
    let span = tracing::info_span!("request", request_id = %id);
    let started = Instant::now();
    let result = next.call(req).instrument(span.clone()).await;
    let seconds = started.elapsed().as_secs_f64();
    match result {
        Ok(mut res) => {
            let status = res.status().as_u16();
            let route = res
                .request()
                .match_pattern()
                .unwrap_or_else(|| "(unmatched)".to_owned());
            if let Some(registry) = res
                .request()
                .app_data::<actix_web::web::Data<metrics::Registry>>()
            {
                registry.observe(&method, &route, status, seconds);
            }
            if let Ok(value) = HeaderValue::from_str(&id) {
                res.headers_mut()
                    .insert(HeaderName::from_static(REQUEST_ID), value);
            }
            span.in_scope(|| {
                tracing::info!(target: "http", %method, %path, status, ms = (seconds * 1000.0 * 10.0).round() / 10.0, "request");
            });
            Ok(res)
        }
        Err(e) => {
            span.in_scope(
                || tracing::warn!(target: "http", %method, %path, error = %e, "request failed"),
            );
            Err(e)
        }
    }
}
