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

/// What a log line may say about the request's target: the path, with its ids, and never
/// the query string (a queue search holds names and emails) or anything of the body.
pub fn loggable_path(req: &ServiceRequest) -> String {
    req.uri().path().to_owned()
}

/// The middleware.
pub async fn trace(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = request_id(&req);
    let method = req.method().to_string();
    let path = loggable_path(&req);
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
            // The status only: an error's text may echo what the client sent.
            let status = e.as_response_error().status_code().as_u16();
            span.in_scope(
                || tracing::warn!(target: "http", %method, %path, status, "request failed"),
            );
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use actix_web::middleware::from_fn;
    use actix_web::{App, HttpResponse, test, web};

    use super::*;

    /// Collects every log line written while it is the default subscriber.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[actix_web::test]
    async fn the_logged_path_has_no_query_string() {
        let req =
            test::TestRequest::with_uri("/sessions?q=anna.eriksson%40example.org&status=completed")
                .to_srv_request();
        assert_eq!(loggable_path(&req), "/sessions");
    }

    #[actix_web::test]
    async fn a_request_line_carries_neither_the_query_nor_the_form_body() {
        let captured = Captured::default();
        let sink = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || sink.clone())
            .with_ansi(false)
            .finish();
        let _guard = tracing::subscriber::set_default(subscriber);
        let app = test::init_service(
            App::new()
                .wrap(from_fn(trace))
                .route("/sessions", web::get().to(HttpResponse::Ok))
                .route("/sessions/{id}/person", web::post().to(HttpResponse::Ok)),
        )
        .await;
        let search = test::TestRequest::get()
            .uri("/sessions?q=Zqxmarkfirst")
            .to_request();
        test::call_service(&app, search).await;
        let edit = test::TestRequest::post()
            .uri("/sessions/5b0f3f3e-2f4e-4f43-9d5c-0c7a1f0b9a11/person")
            .set_form([("first_name", "Zqxmarkform"), ("email", "zqx@example.org")])
            .to_request();
        test::call_service(&app, edit).await;
        let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        assert!(logs.contains("/sessions"), "{logs}");
        assert!(
            logs.contains("/sessions/5b0f3f3e-2f4e-4f43-9d5c-0c7a1f0b9a11/person"),
            "{logs}"
        );
        for secret in ["Zqxmark", "q=", "zqx@example.org"] {
            assert!(!logs.contains(secret), "the log holds {secret}: {logs}");
        }
    }
}
