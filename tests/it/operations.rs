//! What an operator relies on: a request id on every response, and metrics for the
//! addresses and token allowed to read them, and a pool that serves waiting requests in turn.

use sessiondesk::domain::kinds::Role;

use crate::helpers::{TestApp, spawn_app, spawn_app_with};

const SCRAPE_TOKEN: &str = "s3cret-scrape-token";

/// GET /metrics, with the bearer token when given.
async fn scrape(app: &TestApp, token: Option<&str>) -> reqwest::Response {
    let mut request = app.client.get(format!("{}/metrics", app.address));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.expect("request is sent")
}

#[tokio::test]
async fn every_response_has_a_request_id_and_a_sane_incoming_one_is_kept() {
    let app = spawn_app().await;
    let r = app.get("/healthz").await;
    let id = r
        .headers()
        .get("x-request-id")
        .expect("a request id")
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(id.len(), 32);
    let kept = app
        .client
        .get(format!("{}/healthz", app.address))
        .header("x-request-id", "lb-1234.abc")
        .send()
        .await
        .unwrap();
    assert_eq!(kept.headers().get("x-request-id").unwrap(), "lb-1234.abc");
    let replaced = app
        .client
        .get(format!("{}/healthz", app.address))
        .header("x-request-id", "bad id <script>")
        .send()
        .await
        .unwrap();
    assert_ne!(
        replaced.headers().get("x-request-id").unwrap(),
        "bad id <script>"
    );
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_show_the_pool_and_sessions() {
    let app = spawn_app_with(|c| c.metrics_token = Some(SCRAPE_TOKEN.to_owned())).await;
    app.get("/healthz").await;
    app.get("/login").await;
    let r = scrape(&app, Some(SCRAPE_TOKEN)).await;
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()
            .get("content-type")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let body = r.text().await.unwrap();
    for needle in [
        "sessiondesk_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 1",
        "sessiondesk_http_request_duration_seconds_bucket{method=\"GET\",route=\"/login\",le=\"+Inf\"} 1",
        "sessiondesk_db_pool_in_use",
        "sessiondesk_db_pool_waiting 0",
        "sessiondesk_database_up 1",
    ] {
        assert!(body.contains(needle), "missing {needle} in\n{body}");
    }
}

#[tokio::test]
async fn metrics_are_refused_outside_the_allowed_ranges_unless_the_token_is_given() {
    let app = spawn_app_with(|c| {
        c.metrics_allow = vec![sessiondesk::metrics::Cidr::parse("10.0.0.0/8").unwrap()];
        c.metrics_token = Some("s3cret-scrape-token".to_owned());
    })
    .await;
    assert_eq!(app.get("/metrics").await.status(), 403);
    let wrong = app
        .client
        .get(format!("{}/metrics", app.address))
        .bearer_auth("nope")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 403);
    let right = app
        .client
        .get(format!("{}/metrics", app.address))
        .bearer_auth("s3cret-scrape-token")
        .send()
        .await
        .unwrap();
    assert_eq!(right.status(), 200);
}

#[tokio::test]
async fn with_one_connection_forty_simultaneous_pages_all_answer_in_turn() {
    // Requests beyond the pool wait in line for a connection: none is refused while the
    // line moves, and none is lost (a permit not given back would stop every later one).
    let app = spawn_app_with(|c| {
        c.pool_size = 1;
        c.db_timeout = std::time::Duration::from_secs(20);
        c.metrics_token = Some(SCRAPE_TOKEN.to_owned());
    })
    .await;
    let (browser, _) = app.signed_in(Role::Reviewer).await;
    let pages = (0..40).map(|_| browser.get("/sessions"));
    let statuses: Vec<u16> = futures::future::join_all(pages)
        .await
        .iter()
        .map(|r| r.status().as_u16())
        .collect();
    assert_eq!(statuses, vec![200; 40]);
    let metrics = scrape(&app, Some(SCRAPE_TOKEN)).await;
    let text = metrics.text().await.unwrap();
    assert!(text.contains("sessiondesk_db_pool_waiting 0"), "{text}");
}

#[tokio::test]
async fn metrics_from_loopback_need_the_token_unless_an_allow_list_names_loopback() {
    // A proxy on the same host connects from 127.0.0.1: that alone opens nothing.
    let default = spawn_app().await;
    assert_eq!(scrape(&default, None).await.status(), 403);
    let with_token = spawn_app_with(|c| c.metrics_token = Some(SCRAPE_TOKEN.to_owned())).await;
    assert_eq!(scrape(&with_token, None).await.status(), 403);
    assert_eq!(scrape(&with_token, Some(SCRAPE_TOKEN)).await.status(), 200);
    let allowed = spawn_app_with(|c| {
        c.metrics_allow = vec![sessiondesk::metrics::Cidr::parse("127.0.0.1").unwrap()];
    })
    .await;
    assert_eq!(scrape(&allowed, None).await.status(), 200);
}

#[tokio::test]
async fn scrapes_in_quick_succession_reuse_the_session_counts() {
    let app = spawn_app_with(|c| c.metrics_token = Some(SCRAPE_TOKEN.to_owned())).await;
    let first = scrape(&app, Some(SCRAPE_TOKEN)).await.text().await.unwrap();
    assert!(first.contains("sessiondesk_database_up 1"), "{first}");
    assert!(!first.contains("sessiondesk_sessions{"), "{first}");
    let key = app.full_api_key();
    let account = app.api_account(&key).await;
    app.api_session(&key, account).await;
    // Counted a moment ago: the new session shows on a later scrape, not this one.
    let second = scrape(&app, Some(SCRAPE_TOKEN)).await.text().await.unwrap();
    assert!(!second.contains("sessiondesk_sessions{"), "{second}");
    assert!(second.contains("sessiondesk_database_up 1"), "{second}");
}
