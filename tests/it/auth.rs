//! Sign-in, sessions, roles and the web security of SPEC section 6.

use diesel::prelude::*;
use sessiondesk::domain::kinds::Role;
use sessiondesk::schema::users;

use crate::helpers::{PASSWORD, csrf_from, spawn_app};

fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

fn cookie_value(r: &reqwest::Response) -> Option<String> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("sd_session="))
        .map(|v| v.split(';').next().unwrap_or("").to_owned())
}

#[tokio::test]
async fn signing_in_with_the_right_password_lands_on_the_queue_and_records_an_event() {
    let app = spawn_app().await;
    app.create_user("jane", Role::Reviewer);
    let browser = app.browser();
    let r = browser.sign_in("jane", PASSWORD).await;
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), "/sessions");
    let account = browser.get("/account").await;
    assert_eq!(account.status(), 200);
    assert!(account.text().await.unwrap().contains("jane Tester"));
    assert_eq!(app.count_events("user.signed_in"), 1);
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_user_get_the_same_generic_answer() {
    let app = spawn_app().await;
    app.create_user("jane", Role::Reviewer);
    let browser = app.browser();
    let wrong = browser.sign_in("jane", "not the password at all").await;
    assert_eq!(wrong.status(), 401);
    let wrong_text = wrong.text().await.unwrap();
    let unknown = browser.sign_in("nobody", PASSWORD).await;
    assert_eq!(unknown.status(), 401);
    let unknown_text = unknown.text().await.unwrap();
    let message = sessiondesk::web::login::GENERIC_FAILURE;
    assert!(wrong_text.contains(message) && unknown_text.contains(message));
    assert_eq!(app.count_events("user.sign_in_failed"), 2);
    // Still signed out.
    assert_eq!(browser.get("/account").await.status(), 303);
    // The failed attempt never stores the typed password.
    use sessiondesk::schema::events;
    let details: Vec<serde_json::Value> = events::table
        .select(events::details)
        .load(&mut app.conn())
        .unwrap();
    assert!(
        details
            .iter()
            .all(|d| !d.to_string().contains("not the password"))
    );
}

#[tokio::test]
async fn a_disabled_user_cannot_sign_in() {
    let app = spawn_app().await;
    let jane = app.create_user("jane", Role::Reviewer);
    diesel::update(users::table.find(jane.id))
        .set(users::disabled.eq(true))
        .execute(&mut app.conn())
        .unwrap();
    assert_eq!(app.browser().sign_in("jane", PASSWORD).await.status(), 401);
}

#[tokio::test]
async fn the_session_cookie_is_renewed_at_sign_in_and_is_httponly_and_samesite() {
    let app = spawn_app().await;
    app.create_user("jane", Role::Reviewer);
    let browser = app.browser();
    let login_page = browser.get("/login").await;
    let before =
        cookie_value(&login_page).expect("the login page sets a cookie for its CSRF token");
    let token = csrf_from(&login_page.text().await.unwrap()).unwrap();
    let r = browser
        .post(
            "/login",
            &[("username", "jane"), ("password", PASSWORD)],
            &token,
        )
        .await;
    let raw = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.starts_with("sd_session="))
        .unwrap();
    let after = cookie_value(&r).unwrap();
    assert_ne!(before, after);
    assert!(raw.contains("HttpOnly"), "{raw}");
    assert!(raw.contains("SameSite=Lax"), "{raw}");
    // The token from before sign-in is no longer accepted.
    let new_token = browser.csrf("/account").await;
    assert_ne!(new_token, token);
}

#[tokio::test]
async fn the_cookie_is_secure_unless_turned_off() {
    let app = crate::helpers::spawn_app_with(|c| c.cookie_secure = true).await;
    let r = app.browser().get("/login").await;
    let raw = r
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(raw.contains("Secure"), "{raw}");
}

#[tokio::test]
async fn a_cookie_copied_before_sign_out_is_refused_after_it() {
    let app = spawn_app().await;
    let (browser, _) = app.signed_in(Role::Reviewer).await;
    let token = browser.csrf("/account").await;
    let stolen = browser.cookie_header();
    assert_eq!(
        browser.get_with_cookie("/account", &stolen).await.status(),
        200
    );
    let sign_out = browser.post("/logout", &[], &token).await;
    assert_eq!(sign_out.status(), 303);
    assert_eq!(location(&sign_out), "/login");
    let goodbye = browser.get("/login").await.text().await.unwrap();
    assert!(
        goodbye.contains("You have signed out."),
        "no sign-out message"
    );
    assert_eq!(browser.get("/account").await.status(), 303);
    let replay = browser.get_with_cookie("/account", &stolen).await;
    assert_eq!(replay.status(), 303);
    assert!(location(&replay).starts_with("/login"));
    assert_eq!(app.count_events("user.signed_out"), 1);
}

#[tokio::test]
async fn a_disabled_users_open_session_is_refused_on_its_next_request() {
    let app = spawn_app().await;
    let (browser, user) = app.signed_in(Role::Reviewer).await;
    assert_eq!(browser.get("/account").await.status(), 200);
    let (admin, _) = app.signed_in(Role::Admin).await;
    let token = admin.csrf("/admin/users").await;
    let r = admin
        .post(&format!("/admin/users/{}/disable", user.id), &[], &token)
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(browser.get("/account").await.status(), 303);
    assert_eq!(app.count_events("user.disabled"), 1);
}

#[tokio::test]
async fn a_role_change_takes_effect_on_the_next_request() {
    let app = spawn_app().await;
    let (browser, user) = app.signed_in(Role::Admin).await;
    let (other_admin, _) = app.signed_in(Role::Admin).await;
    assert_eq!(browser.get("/admin/users").await.status(), 200);
    let token = other_admin.csrf("/admin/users").await;
    let r = other_admin
        .post(
            &format!("/admin/users/{}/role", user.id),
            &[("role", "reviewer")],
            &token,
        )
        .await;
    assert_eq!(r.status(), 303);
    // The old cookie carries the old epoch: signed out, and once back in, a reviewer.
    assert_eq!(browser.get("/admin/users").await.status(), 303);
    assert_eq!(
        browser.sign_in(&user.username, PASSWORD).await.status(),
        303
    );
    assert_eq!(browser.get("/admin/users").await.status(), 403);
    assert_eq!(app.count_events("user.role_changed"), 1);
}

#[tokio::test]
async fn five_failures_lock_a_username_with_retry_after_even_for_the_right_password() {
    let app = spawn_app().await;
    app.create_user("jane", Role::Reviewer);
    let browser = app.browser();
    for _ in 0..5 {
        assert_eq!(
            browser
                .sign_in("jane", "wrong password here")
                .await
                .status(),
            401
        );
    }
    let locked = browser.sign_in("jane", PASSWORD).await;
    assert_eq!(locked.status(), 429);
    let retry: u64 = locked
        .headers()
        .get("retry-after")
        .unwrap()
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry > 0 && retry <= 15 * 60, "{retry}");
    // Another username from the same address is not locked by these five.
    app.create_user("omar", Role::Reviewer);
    assert_eq!(browser.sign_in("omar", PASSWORD).await.status(), 303);
}

#[tokio::test]
async fn twenty_failures_from_one_address_lock_that_address() {
    let app = spawn_app().await;
    app.create_user("jane", Role::Reviewer);
    let browser = app.browser();
    for i in 0..20 {
        let name = format!("nobody{i}");
        assert_eq!(
            browser.sign_in(&name, "wrong password here").await.status(),
            401
        );
    }
    assert_eq!(browser.sign_in("jane", PASSWORD).await.status(), 429);
}

#[tokio::test]
async fn a_post_without_a_valid_csrf_token_is_refused_and_writes_nothing() {
    let app = spawn_app().await;
    let (admin, _) = app.signed_in(Role::Admin).await;
    let users_before: i64 = users::table.count().get_result(&mut app.conn()).unwrap();
    let form = [
        ("username", "mallory"),
        ("display_name", "M"),
        ("role", "admin"),
        ("password", "a long enough password"),
    ];
    let missing = admin.post_raw("/admin/users", &form).await;
    assert_eq!(missing.status(), 403);
    let wrong = admin.post("/admin/users", &form, "forged-token").await;
    assert_eq!(wrong.status(), 403);
    let users_after: i64 = users::table.count().get_result(&mut app.conn()).unwrap();
    assert_eq!(users_before, users_after);
    // A login without the token is refused too.
    let anon = app.browser();
    let r = anon
        .post_raw("/login", &[("username", "x"), ("password", "y")])
        .await;
    assert_eq!(r.status(), 403);
}

#[tokio::test]
async fn a_cross_origin_post_is_refused_even_with_a_valid_token() {
    let app = spawn_app().await;
    let (admin, _) = app.signed_in(Role::Admin).await;
    let token = admin.csrf("/admin/users").await;
    let form = [
        ("username", "mallory"),
        ("role", "admin"),
        ("password", "a long enough password"),
        ("csrf_token", token.as_str()),
    ];
    let foreign_origin = admin
        .client
        .post(format!("{}/admin/users", admin.address))
        .header("origin", "https://evil.example")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(foreign_origin.status(), 403);
    let cross_site = admin
        .client
        .post(format!("{}/admin/users", admin.address))
        .header("sec-fetch-site", "cross-site")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(cross_site.status(), 403);
    let count: i64 = users::table
        .filter(users::username.eq("mallory"))
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(count, 0);
    // The same form from the same origin works.
    let host = admin.address.trim_start_matches("http://").to_owned();
    let same = admin
        .client
        .post(format!("{}/admin/users", admin.address))
        .header("origin", format!("http://{host}"))
        .header("sec-fetch-site", "same-origin")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(same.status(), 303);
}

#[tokio::test]
async fn a_signed_in_page_carries_the_security_headers_and_no_store() {
    let app = spawn_app().await;
    let (browser, _) = app.signed_in(Role::Reviewer).await;
    let r = browser.get("/account").await;
    assert_eq!(r.status(), 200);
    let h = r.headers();
    let csp = h.get("content-security-policy").unwrap().to_str().unwrap();
    for directive in [
        "default-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ] {
        assert!(csp.contains(directive), "{csp}");
    }
    assert!(!csp.contains("unsafe-inline"));
    assert_eq!(h.get("x-content-type-options").unwrap(), "nosniff");
    assert_eq!(h.get("referrer-policy").unwrap(), "same-origin");
    assert_eq!(h.get("cache-control").unwrap(), "no-store");
    // No inline script or style in the page either.
    let html = r.text().await.unwrap();
    assert!(!html.contains("<script>") && !html.contains("style=") && !html.contains("onclick"));
}

#[tokio::test]
async fn open_redirect_attempts_land_on_the_queue() {
    let app = spawn_app().await;
    app.create_user("jane", Role::Reviewer);
    for next in [
        "//evil.example",
        "https://evil.example",
        "/\\evil.example",
        "javascript:alert(1)",
    ] {
        let browser = app.browser();
        let token = browser.csrf("/login").await;
        let r = browser
            .post(
                "/login",
                &[("username", "jane"), ("password", PASSWORD), ("next", next)],
                &token,
            )
            .await;
        assert_eq!(r.status(), 303, "{next}");
        assert_eq!(location(&r), "/sessions", "{next}");
    }
}

#[tokio::test]
async fn after_sign_in_the_user_lands_on_the_page_first_asked_for() {
    let app = spawn_app().await;
    app.create_user("jane", Role::Admin);
    let browser = app.browser();
    let r = browser.get("/admin/users?x=1").await;
    assert_eq!(r.status(), 303);
    let login_url = location(&r);
    assert_eq!(login_url, "/login?next=%2Fadmin%2Fusers%3Fx%3D1");
    let page = browser.get(&login_url).await.text().await.unwrap();
    let token = csrf_from(&page).unwrap();
    assert!(
        page.contains("value=\"/admin/users?x=1\""),
        "the form carries next"
    );
    let r = browser
        .post(
            "/login",
            &[
                ("username", "jane"),
                ("password", PASSWORD),
                ("next", "/admin/users?x=1"),
            ],
            &token,
        )
        .await;
    assert_eq!(location(&r), "/admin/users?x=1");
}

#[tokio::test]
async fn an_idle_session_ends() {
    let app =
        crate::helpers::spawn_app_with(|c| c.idle_timeout = std::time::Duration::from_secs(1))
            .await;
    let (browser, _) = app.signed_in(Role::Reviewer).await;
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    assert_eq!(browser.get("/account").await.status(), 303);
}

#[tokio::test]
async fn a_session_ends_at_its_absolute_lifetime_even_when_active() {
    // The idle limit stays at 30 minutes: only the absolute lifetime can end this one.
    let app =
        crate::helpers::spawn_app_with(|c| c.absolute_timeout = std::time::Duration::from_secs(3))
            .await;
    let (browser, _) = app.signed_in(Role::Reviewer).await;
    assert_eq!(browser.get("/account").await.status(), 200);
    tokio::time::sleep(std::time::Duration::from_millis(3600)).await;
    assert_eq!(browser.get("/account").await.status(), 303);
}

#[tokio::test]
async fn a_manager_without_a_page_asked_for_lands_on_the_overview() {
    let app = spawn_app().await;
    app.create_user("priya", Role::Manager);
    let r = app.browser().sign_in("priya", PASSWORD).await;
    assert_eq!(location(&r), "/queues");
}
