//! Two-step sign-in in a browser: enrolling from the account page with the QR code's key,
//! then signing in with password and code; a wrong code refused.

use sessiondesk::domain::actor::Actor;
use sessiondesk::domain::kinds::Role;
use sessiondesk::service::mfa;

use super::start;
use crate::helpers::PASSWORD;
use crate::mfa::{code_at, wrong_code};

async fn sign_in_with_password(ui: &super::Ui, username: &str) {
    let chrome = &ui.chrome;
    chrome.goto("/login").await;
    chrome.wait_for("#username").await.send_keys(username).await;
    chrome.find("#password").await.send_keys(PASSWORD).await;
    chrome
        .click_through("form[action='/login'] button[type=submit]")
        .await;
}

/// Types `code` into the code field and submits the form that posts to `action`.
async fn submit_code(ui: &super::Ui, action: &str, code: &str) {
    ui.chrome.find("#code").await.send_keys(code).await;
    ui.chrome
        .click_through(&format!("form[action='{action}'] button[type=submit]"))
        .await;
}

#[tokio::test]
async fn a_user_enrols_totp_in_the_browser_and_then_signs_in_with_password_and_code() {
    let Some(ui) = start().await else { return };
    let user = ui.sign_in(Role::Reviewer).await;
    let chrome = &ui.chrome;

    chrome.goto("/account").await;
    chrome.click_through("#mfa-link").await;
    assert_eq!(chrome.path().await, "/account/mfa");
    chrome.click_through("#mfa-start").await;
    let qr = chrome.wait_for("#totp-qr").await;
    assert!(qr.displayed().await, "the QR code is visible");
    let width = chrome
        .execute(
            "return arguments[0].getBoundingClientRect().width;",
            vec![qr.as_arg()],
        )
        .await;
    assert!(
        width.as_f64().unwrap_or(0.0) >= 150.0,
        "the QR code is drawn: {width}"
    );
    let secret = chrome.find("#totp-secret").await.text().await;
    assert_eq!(secret.len(), 32, "{secret}");

    submit_code(&ui, "/account/mfa/confirm", &code_at(&secret, 0)).await;
    assert_eq!(chrome.find_all("#recovery-codes li").await.len(), 10);
    chrome.click_through("#continue").await;
    assert!(
        chrome
            .find("#mfa-status")
            .await
            .text()
            .await
            .contains("10 unused recovery codes"),
        "the account says two-step sign-in is on"
    );

    chrome
        .click_through("header.topbar form[action='/logout'] button")
        .await;
    sign_in_with_password(&ui, &user.username).await;
    assert_eq!(chrome.path().await, "/login/code");
    assert!(
        chrome.try_find("header.topbar").await.is_none(),
        "not signed in yet"
    );
    // The next step's code: the current one confirmed the enrolment.
    submit_code(&ui, "/login/code", &code_at(&secret, 30)).await;
    assert!(
        chrome.path().await.starts_with("/sessions"),
        "signed in: {}",
        chrome.path().await
    );
    assert!(chrome.try_find("header.topbar").await.is_some());

    ui.finish().await;
}

#[tokio::test]
async fn a_wrong_code_is_refused_in_the_browser_and_nothing_opens() {
    let Some(ui) = start().await else { return };
    let user = ui.app.create_user("tess", Role::Reviewer);
    let secret = {
        let mut conn = ui.app.conn();
        let secret = mfa::start_enrolment(&mut conn, user.id, Actor::System).unwrap();
        mfa::confirm(&mut conn, user.id, &code_at(&secret, 0), false).unwrap();
        secret
    };
    let chrome = &ui.chrome;
    sign_in_with_password(&ui, "tess").await;
    assert_eq!(chrome.path().await, "/login/code");
    submit_code(&ui, "/login/code", &wrong_code(&secret)).await;
    assert_eq!(chrome.path().await, "/login/code");
    let error = chrome.find("#code-error").await.text().await;
    assert!(error.contains("not right"), "{error}");
    // The refusal is a 401, which the browser logs as a failed load: that entry and no other
    // problem so far (reading the log empties it; `finish` checks the rest).
    let entries = chrome.console().await;
    for e in entries.iter().filter(|e| e.is_problem()) {
        assert!(
            e.message.contains("/login/code") && e.message.contains("401"),
            "unexpected console entry: {e:?}"
        );
        assert!(!e.message.contains("Content Security Policy"), "{e:?}");
    }
    chrome.goto("/sessions").await;
    assert!(
        chrome.path().await.starts_with("/login"),
        "a wrong code opens nothing: {}",
        chrome.path().await
    );

    ui.finish().await;
}
