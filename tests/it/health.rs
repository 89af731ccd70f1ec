//! Probes, static files and the headers every response carries.

use diesel::RunQueryDsl;

use crate::helpers::{TestApp, spawn_app, spawn_app_with};

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

/// Postgres closes every connection the app holds (a restart, an administrator).
fn close_every_connection(app: &TestApp) {
    let mut conn = app.conn();
    diesel::sql_query(format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = '{}' AND pid <> pg_backend_pid()",
        app.db.name
    ))
    .execute(&mut conn)
    .unwrap();
}

/// The case page, the queue and the API list read on the request's own thread when a
/// connection is free (`db::read_now`). A connection Postgres closed is never kept: right
/// after, a request on it answers 503 (never a 500) and the next ones succeed on new
/// connections; a second later, the pool finds the dead ones itself and nobody sees a 503.
#[tokio::test]
async fn after_postgres_closes_its_connections_the_reads_answer_503_at_most_then_recover() {
    use sessiondesk::domain::kinds::Role;
    let app = spawn_app().await;
    let key = app.full_api_key();
    let account = app.api_account(&key).await;
    let session = app.api_session(&key, account).await.id();
    let (browser, _) = app.signed_in(Role::Reviewer).await;
    let case = format!("/sessions/{session}");
    let status_of = |target: usize| {
        let (browser, app, key, case) = (&browser, &app, &key, &case);
        async move {
            match target {
                0 => browser.get(case).await.status().as_u16(),
                1 => browser
                    .get("/sessions?status=created&sort=newest")
                    .await
                    .status()
                    .as_u16(),
                _ => {
                    app.api("GET", "/v1/identity/sessions", key, None)
                        .await
                        .status
                }
            }
        }
    };
    for target in 0..3 {
        assert_eq!(status_of(target).await, 200, "target {target} before");
    }
    for target in 0..3 {
        close_every_connection(&app);
        let mut seen = Vec::new();
        loop {
            let status = status_of(target).await;
            seen.push(status);
            if status == 200 {
                break;
            }
            assert_eq!(status, 503, "target {target}: {seen:?}");
            assert!(
                seen.len() <= 12,
                "target {target} never recovered: {seen:?}"
            );
        }
        close_every_connection(&app);
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        assert_eq!(
            status_of(target).await,
            200,
            "target {target} a second later"
        );
    }
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
