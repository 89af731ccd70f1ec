//! Throttling that holds under concurrency and behind proxies: the sign-in limit is exact
//! when attempts arrive at once, hashing does not hold the connections pages need, the
//! client address is the one the trusted proxy saw, the own-password check on `/account`
//! counts against the same limit, and old attempts are forgotten by the background job.

use std::time::Duration;

use chrono::Utc;
use diesel::prelude::*;
use sessiondesk::domain::kinds::Role;
use sessiondesk::schema::{events, login_attempts};

use crate::helpers::{Browser, PASSWORD, spawn_app, spawn_app_with};

/// POSTs the sign-in form as if relayed by a proxy that wrote `forwarded`.
async fn sign_in_via(
    browser: &Browser,
    token: &str,
    forwarded: &str,
    username: &str,
    password: &str,
) -> u16 {
    browser
        .client
        .post(format!("{}/login", browser.address))
        .header("x-forwarded-for", forwarded)
        .form(&[
            ("username", username),
            ("password", password),
            ("csrf_token", token),
        ])
        .send()
        .await
        .expect("request is sent")
        .status()
        .as_u16()
}

/// The addresses recorded on failed sign-in events, oldest first.
fn failed_sign_in_ips(app: &crate::helpers::TestApp) -> Vec<Option<String>> {
    events::table
        .filter(events::action.eq("user.sign_in_failed"))
        .order(events::id)
        .select(events::ip)
        .load(&mut app.conn())
        .unwrap()
}

#[tokio::test]
async fn forty_simultaneous_wrong_passwords_for_one_user_are_judged_exactly_five_times() {
    let app = spawn_app().await;
    app.create_user("jane", Role::Reviewer);
    let browser = app.browser();
    let token = browser.csrf("/login").await;
    let attempts = (0..40).map(|_| {
        browser.post(
            "/login",
            &[("username", "jane"), ("password", "wrong password here")],
            &token,
        )
    });
    let statuses: Vec<u16> = futures::future::join_all(attempts)
        .await
        .iter()
        .map(|r| r.status().as_u16())
        .collect();
    let judged = statuses.iter().filter(|s| **s == 401).count();
    let refused = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!((judged, refused), (5, 35), "{statuses:?}");
    assert_eq!(app.count_events("user.sign_in_failed"), 5);
    // The right password after the limit is refused as well.
    assert_eq!(browser.sign_in("jane", PASSWORD).await.status(), 429);
}

#[tokio::test]
async fn a_flood_of_sign_ins_does_not_take_the_connections_pages_need() {
    // One connection and the default 3 s a request may wait for it. Before, each sign-in
    // held the connection for its whole argon2 verification: forty of them in a row took
    // longer than that, and the later ones got 503.
    let app = spawn_app_with(|c| {
        c.pool_size = 1;
        c.db_timeout = Duration::from_secs(3);
        c.trust_proxy = true;
    })
    .await;
    let (reviewer, _) = app.signed_in(Role::Reviewer).await;
    let anonymous = app.browser();
    let token = anonymous.csrf("/login").await;
    let names: Vec<(String, String)> = (0..40)
        .map(|i| (format!("nobody{i}"), format!("10.0.{i}.1")))
        .collect();
    let sign_ins = futures::future::join_all(
        names
            .iter()
            .map(|(name, ip)| sign_in_via(&anonymous, &token, ip, name, "wrong password")),
    );
    let pages = futures::future::join_all((0..10).map(|_| async {
        tokio::time::sleep(Duration::from_millis(200)).await;
        reviewer.get("/sessions").await.status().as_u16()
    }));
    let (sign_ins, pages) = tokio::join!(sign_ins, pages);
    assert_eq!(pages, vec![200; 10]);
    assert_eq!(sign_ins, vec![401; 40]);
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_address_it_appended_is_the_client() {
    let app = spawn_app_with(|c| c.trust_proxy = true).await;
    app.create_user("jane", Role::Reviewer);
    let browser = app.browser();
    let token = browser.csrf("/login").await;
    // Twenty failures, each with a different forged first hop: one address, one bucket.
    for i in 0..20 {
        let forwarded = format!("1.2.3.{i}, 9.9.9.9");
        let status = sign_in_via(&browser, &token, &forwarded, &format!("nobody{i}"), "x").await;
        assert_eq!(status, 401, "attempt {i}");
    }
    let locked = sign_in_via(&browser, &token, "5.6.7.8, 9.9.9.9", "jane", PASSWORD).await;
    assert_eq!(locked, 429);
    // Another address the proxy saw is a bucket of its own.
    let other = sign_in_via(&browser, &token, "9.9.9.9, 8.8.8.8", "jane", PASSWORD).await;
    assert_eq!(other, 303);
    // The audit log shows the address the proxy saw, never the forged one.
    let ips = failed_sign_in_ips(&app);
    assert_eq!(ips.len(), 20);
    assert!(
        ips.iter().all(|ip| ip.as_deref() == Some("9.9.9.9")),
        "{ips:?}"
    );
}

#[tokio::test]
async fn ipv6_clients_of_one_64_share_a_throttle_bucket_but_the_audit_keeps_the_address() {
    let app = spawn_app_with(|c| c.trust_proxy = true).await;
    app.create_user("jane", Role::Reviewer);
    let browser = app.browser();
    let token = browser.csrf("/login").await;
    for i in 1..=20 {
        let forwarded = format!("2001:db8:1:2::{i:x}");
        let status = sign_in_via(&browser, &token, &forwarded, &format!("nobody{i}"), "x").await;
        assert_eq!(status, 401, "attempt {i}");
    }
    let same_64 = sign_in_via(&browser, &token, "2001:db8:1:2:ffff::1", "jane", PASSWORD).await;
    assert_eq!(same_64, 429);
    let next_64 = sign_in_via(&browser, &token, "2001:db8:1:3::1", "jane", PASSWORD).await;
    assert_eq!(next_64, 303);
    let ips = failed_sign_in_ips(&app);
    assert_eq!(
        ips.first().cloned().flatten().as_deref(),
        Some("2001:db8:1:2::1")
    );
    assert_eq!(
        ips.last().cloned().flatten().as_deref(),
        Some("2001:db8:1:2::14")
    );
}

#[tokio::test]
async fn wrong_current_passwords_on_the_account_page_are_throttled_like_sign_in_and_audited() {
    let app = spawn_app().await;
    let (browser, user) = app.signed_in(Role::Reviewer).await;
    let token = browser.csrf("/account").await;
    let wrong = [
        ("current", "not my password at all"),
        ("new", "a brand new long password"),
        ("confirm", "a brand new long password"),
    ];
    for i in 0..5 {
        let r = browser.post("/account/password", &wrong, &token).await;
        assert_eq!(r.status(), 422, "attempt {i}");
    }
    let sixth = browser.post("/account/password", &wrong, &token).await;
    assert_eq!(sixth.status(), 429);
    assert!(sixth.headers().get("retry-after").is_some());
    assert!(sixth.text().await.unwrap().contains("Too many"));
    assert_eq!(app.count_events("user.password_check_failed"), 5);
    let details: Vec<serde_json::Value> = events::table
        .filter(events::action.eq("user.password_check_failed"))
        .select(events::details)
        .load(&mut app.conn())
        .unwrap();
    assert!(details.iter().all(|d| !d.to_string().contains("not my")));
    // Even the right password is refused now, here and at sign-in: one limit per user.
    let right = [
        ("current", PASSWORD),
        ("new", "a brand new long password"),
        ("confirm", "a brand new long password"),
    ];
    let r = browser.post("/account/password", &right, &token).await;
    assert_eq!(r.status(), 429);
    assert_eq!(
        app.browser()
            .sign_in(&user.username, PASSWORD)
            .await
            .status(),
        429
    );
    assert_eq!(app.count_events("user.password_changed"), 0);
}

#[tokio::test]
async fn the_background_job_forgets_sign_in_attempts_older_than_the_window() {
    let fast = Duration::from_millis(100);
    let app = spawn_app_with(|c| c.expiry_interval = fast).await;
    let mut conn = app.conn();
    for (name, age) in [
        ("old", chrono::Duration::days(3)),
        ("recent", chrono::Duration::hours(1)),
    ] {
        diesel::insert_into(login_attempts::table)
            .values((
                login_attempts::username.eq(name),
                login_attempts::ip.eq("127.0.0.1"),
                login_attempts::succeeded.eq(false),
                login_attempts::created_at.eq(Utc::now() - age),
            ))
            .execute(&mut conn)
            .unwrap();
    }
    let names = |conn: &mut PgConnection| -> Vec<String> {
        login_attempts::table
            .select(login_attempts::username)
            .order(login_attempts::username)
            .load(conn)
            .unwrap()
    };
    let mut waited = 0;
    while names(&mut conn).contains(&"old".to_owned()) {
        assert!(waited < 100, "the job did not prune within 10 s");
        tokio::time::sleep(fast).await;
        waited += 1;
    }
    assert_eq!(names(&mut conn), vec!["recent".to_owned()]);
}

#[tokio::test]
async fn without_a_proxy_a_forwarded_header_is_ignored() {
    let app = spawn_app().await;
    let browser = app.browser();
    let token = browser.csrf("/login").await;
    assert_eq!(
        sign_in_via(&browser, &token, "9.9.9.9", "nobody", "x").await,
        401
    );
    assert_eq!(failed_sign_in_ips(&app), vec![Some("127.0.0.1".to_owned())]);
}
