//! Probes, static files and the headers every response carries.

use crate::helpers::{spawn_app, spawn_app_with};

#[tokio::test]
async fn healthz_and_readyz_answer_200_when_postgres_is_up() {
    let app = spawn_app().await;
    let health = app.get("/healthz").await;
    assert_eq!(health.status(), 200);
    assert_eq!(health.text().await.unwrap(), "ok");
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), 200);
}

#[tokio::test]
async fn readyz_answers_503_quickly_when_postgres_is_unreachable() {
    let app = spawn_app_with(|c| {
        // Nothing listens on port 1: every connection attempt is refused.
        c.database_url = "postgres://postgres@127.0.0.1:1/nowhere".to_owned();
        c.db_timeout = std::time::Duration::from_secs(1);
    })
    .await;
    let started = std::time::Instant::now();
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), 503);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    // The process keeps serving.
    assert_eq!(app.get("/healthz").await.status(), 200);
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = spawn_app().await;
    for path in ["/healthz", "/static/app.css", "/no-such-page"] {
        let r = app.get(path).await;
        let h = r.headers();
        let csp = h
            .get("content-security-policy")
            .expect("CSP")
            .to_str()
            .unwrap();
        for directive in [
            "default-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        ] {
            assert!(csp.contains(directive), "{path}: {csp} lacks {directive}");
        }
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        assert_eq!(
            h.get("x-content-type-options").unwrap(),
            "nosniff",
            "{path}"
        );
        assert_eq!(h.get("referrer-policy").unwrap(), "same-origin", "{path}");
    }
}

#[tokio::test]
async fn the_stylesheet_is_served_as_css() {
    let app = spawn_app().await;
    let r = app.get("/static/app.css").await;
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()
            .get("content-type")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
}

/// A test that arranges rows with blocking SQL keeps the client's runtime from noticing that
/// the server closed an idle connection; the next request must not go out on it.
#[tokio::test]
async fn a_request_after_the_client_was_busy_longer_than_the_keep_alive_succeeds() {
    let app = spawn_app().await;
    let browser = app.browser();
    assert_eq!(browser.get("/healthz").await.status(), 200);
    for _ in 0..3 {
        // Blocks the runtime, as synchronous database work in a test does, past the
        // server's keep-alive (5 s): the server closes the connection meanwhile.
        std::thread::sleep(std::time::Duration::from_secs(6));
        assert_eq!(browser.get("/healthz").await.status(), 200);
    }
}
