//! Throttling behind proxies: the client address is the one the trusted proxy saw, never
//! one the client wrote.

use diesel::prelude::*;
use sessiondesk::domain::kinds::Role;
use sessiondesk::schema::events;

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
