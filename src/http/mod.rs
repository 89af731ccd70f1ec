//! What both faces share at the HTTP edge: the client's address, request ids and the
//! request log, security and caching headers, health and readiness, and the Prometheus
//! metrics. The dashboard (`web`) and the API (`api`) import from here; nothing here
//! imports either face.

pub mod client;
pub mod headers;
pub mod health;
pub mod metrics;
pub mod observe;

/// The routes of the edge itself: liveness, readiness and metrics.
pub fn configure(cfg: &mut actix_web::web::ServiceConfig) {
    cfg.service(health::healthz)
        .service(health::readyz)
        .service(metrics::show);
}

/// Compares two secrets in time that depends only on their lengths.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_time_comparison_is_still_a_comparison() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
    }
}
