//! The dashboard cookie's name and transport guarantees, and what a user is told when a
//! sign-in has timed out.

use std::time::Duration;

use sessiondesk::domain::kinds::Role;

use crate::helpers::{spawn_app, spawn_app_with};

const HSTS: &str = "max-age=31536000; includeSubDomains";

fn set_cookies(r: &reqwest::Response) -> Vec<String> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn with_secure_cookies_the_cookie_is_host_prefixed_and_every_response_demands_https() {
    let app = spawn_app_with(|c| c.cookie_secure = true).await;
    let login = app.browser().get("/login").await;
    let cookies = set_cookies(&login);
    let cookie = cookies
        .iter()
        .find(|c| c.starts_with("__Host-sd_session="))
        .unwrap_or_else(|| panic!("no __Host- cookie in {cookies:?}"));
    assert!(cookie.contains("; Secure"), "{cookie}");
    assert!(cookie.contains("; Path=/"), "{cookie}");
    assert!(!cookie.to_ascii_lowercase().contains("domain="), "{cookie}");
    assert_eq!(
        login.headers().get("strict-transport-security").unwrap(),
        HSTS
    );
    for path in ["/healthz", "/static/app.css", "/no-such-page", "/sessions"] {
        let r = app.get(path).await;
        assert_eq!(
            r.headers()
                .get("strict-transport-security")
                .map(|v| v.to_str().unwrap().to_owned()),
            Some(HSTS.to_owned()),
            "{path}"
        );
    }
}

#[tokio::test]
async fn without_secure_cookies_the_cookie_keeps_its_plain_name_and_https_is_not_demanded() {
    let app = spawn_app().await;
    let login = app.browser().get("/login").await;
    let cookies = set_cookies(&login);
    assert!(
        cookies.iter().any(|c| c.starts_with("sd_session=")),
        "{cookies:?}"
    );
    assert!(login.headers().get("strict-transport-security").is_none());
}

fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

#[tokio::test]
async fn a_user_signed_out_for_inactivity_is_told_so_on_the_sign_in_page() {
    let app = spawn_app_with(|c| c.idle_timeout = Duration::from_secs(1)).await;
    let (browser, _) = app.signed_in(Role::Reviewer).await;
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let r = browser.get("/account").await;
    assert_eq!(r.status(), 303);
    let to = location(&r);
    assert_eq!(to, "/login?next=%2Faccount");
    let page = browser.get(&to).await.text().await.unwrap();
    assert!(
        page.contains("You were signed out after 1 second without activity."),
        "{page}"
    );
    // Shown once.
    let again = browser.get("/login").await.text().await.unwrap();
    assert!(!again.contains("without activity"));
}

#[tokio::test]
async fn a_user_whose_sign_in_reached_its_lifetime_is_told_so_on_the_sign_in_page() {
    let app = spawn_app_with(|c| c.absolute_timeout = Duration::from_secs(2)).await;
    let (browser, _) = app.signed_in(Role::Reviewer).await;
    tokio::time::sleep(Duration::from_millis(2600)).await;
    let r = browser.get("/sessions").await;
    assert_eq!(r.status(), 303);
    let page = browser.get(&location(&r)).await.text().await.unwrap();
    assert!(
        page.contains("Your sign-in ended 2 seconds after it began. Please sign in again."),
        "{page}"
    );
}
