//! The second factor over HTTP: enrolment from `/account`, the code step of sign-in,
//! replayed and throttled codes, single-use recovery codes, `REQUIRE_MFA` and the admin's
//! reset.

use diesel::prelude::*;
use sessiondesk::config::RequireMfa;
use sessiondesk::domain::kinds::Role;
use sessiondesk::schema::{events, recovery_codes, users};

use crate::helpers::{Browser, PASSWORD, TestApp, spawn_app, spawn_app_with};

fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

/// The code an authenticator app shows for `secret`, `offset` seconds from now.
pub fn code_at(secret: &str, offset: i64) -> String {
    let totp = totp_rs::Builder::new()
        .with_secret(totp_rs::Secret::try_from_base32(secret).expect("the secret is base32"))
        .build()
        .expect("RFC 6238 defaults");
    let now = chrono::Utc::now().timestamp() + offset;
    totp.generate(now as u64).to_string()
}

/// A 6-digit code that is none of the codes valid around now.
pub fn wrong_code(secret: &str) -> String {
    let valid: Vec<String> = [-60, -30, 0, 30, 60]
        .iter()
        .map(|o| code_at(secret, *o))
        .collect();
    (0..)
        .map(|n| format!("{:06}", 123_456 + n))
        .find(|c| !valid.contains(c))
        .unwrap()
}

/// The base32 secret shown on an enrolment page.
pub fn secret_from(html: &str) -> String {
    let marker = "id=\"totp-secret\">";
    let start = html.find(marker).expect("the page shows the secret") + marker.len();
    let end = html[start..].find('<').unwrap() + start;
    html[start..end].to_owned()
}

/// The recovery codes on the page shown after confirming.
fn codes_from(html: &str) -> Vec<String> {
    let list = &html[html.find("id=\"recovery-codes\"").expect("recovery codes")..];
    let list = &list[..list.find("</ol>").unwrap()];
    list.split("<code>")
        .skip(1)
        .map(|s| s[..s.find("</code>").unwrap()].to_owned())
        .collect()
}

/// Confirms an enrolment by posting the current code of `secret` to the confirm form at
/// `path` (`/account/mfa/confirm` or `/login/enrol`); the recovery codes then shown.
async fn confirm_now(browser: &Browser, path: &str, secret: &str, token: &str) -> Vec<String> {
    let r = browser
        .post(path, &[("code", &code_at(secret, 0))], token)
        .await;
    assert_eq!(r.status(), 200, "the current code confirms");
    codes_from(&r.text().await.unwrap())
}

/// Sets up TOTP for the browser's signed-in user from the account page; the secret and
/// the recovery codes. The code used is the current one, so its step is used up.
async fn enrol(browser: &Browser) -> (String, Vec<String>) {
    let token = browser.csrf("/account").await;
    let r = browser.post("/account/mfa", &[], &token).await;
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), "/account/mfa");
    let page = browser.get("/account/mfa").await.text().await.unwrap();
    let secret = secret_from(&page);
    let token = crate::helpers::csrf_from(&page).unwrap();
    let codes = confirm_now(browser, "/account/mfa/confirm", &secret, &token).await;
    (secret, codes)
}

/// A new browser that gave `username`'s password and was sent on to the code step.
async fn at_code_step(app: &TestApp, username: &str) -> Browser {
    let browser = app.browser();
    let r = browser.sign_in(username, PASSWORD).await;
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), "/login/code");
    browser
}

/// Signs in with the password and posts `code` to the code step; the code step's answer.
async fn sign_in_with_code(
    app: &TestApp,
    username: &str,
    code: &str,
) -> (Browser, reqwest::Response) {
    let browser = at_code_step(app, username).await;
    let token = browser.csrf("/login/code").await;
    let r = browser.post("/login/code", &[("code", code)], &token).await;
    (browser, r)
}

/// Sign-ins completed by the code step with `factor` (`totp`, `recovery_code`,
/// `totp_enrolled`): the audit says "signed in" only once the second factor is given.
fn signed_in_with(app: &TestApp, factor: &str) -> i64 {
    events::table
        .filter(events::action.eq("user.signed_in"))
        .filter(diesel::dsl::sql::<diesel::sql_types::Bool>(&format!(
            "details->>'second_factor' = '{factor}'"
        )))
        .count()
        .get_result(&mut app.conn())
        .unwrap()
}

fn totp_columns(app: &TestApp, username: &str) -> (Option<String>, bool) {
    let (secret, enabled): (Option<String>, Option<chrono::DateTime<chrono::Utc>>) = users::table
        .filter(users::username.eq(username))
        .select((users::totp_secret, users::totp_enabled_at))
        .first(&mut app.conn())
        .unwrap();
    (secret, enabled.is_some())
}

#[tokio::test]
async fn a_user_enrols_from_the_account_page_with_a_qr_code_and_a_confirming_code() {
    let app = spawn_app().await;
    let (browser, user) = app.signed_in(Role::Reviewer).await;
    let account = browser.get("/account").await.text().await.unwrap();
    assert!(account.contains("href=\"/account/mfa\""));
    let token = crate::helpers::csrf_from(&account).unwrap();
    assert_eq!(
        browser.post("/account/mfa", &[], &token).await.status(),
        303
    );

    let page = browser.get("/account/mfa").await.text().await.unwrap();
    let secret = secret_from(&page);
    assert_eq!(secret.len(), 32, "160 bits in base32: {secret}");
    assert!(
        page.contains("<svg id=\"totp-qr\""),
        "the QR code is drawn inline"
    );
    assert!(!page.contains("style="), "no inline style under the CSP");
    // Not on until confirmed.
    assert_eq!(
        totp_columns(&app, &user.username),
        (Some(secret.clone()), false)
    );

    let token = crate::helpers::csrf_from(&page).unwrap();
    let wrong = browser
        .post(
            "/account/mfa/confirm",
            &[("code", &wrong_code(&secret))],
            &token,
        )
        .await;
    assert_eq!(wrong.status(), 422);
    assert!(
        wrong
            .text()
            .await
            .unwrap()
            .contains("is not the 6-digit code")
    );
    assert!(!totp_columns(&app, &user.username).1);

    let codes = confirm_now(&browser, "/account/mfa/confirm", &secret, &token).await;
    assert_eq!(codes.len(), 10);
    assert!(totp_columns(&app, &user.username).1);
    // Only hashes are kept.
    let hashes: Vec<String> = recovery_codes::table
        .filter(recovery_codes::user_id.eq(user.id))
        .select(recovery_codes::code_hash)
        .load(&mut app.conn())
        .unwrap();
    assert_eq!(hashes.len(), 10);
    assert!(
        codes
            .iter()
            .all(|c| !hashes.iter().any(|h| h.contains(c.as_str())))
    );
    // Recorded, without the secret.
    assert_eq!(app.count_events("user.mfa_enrolment_started"), 1);
    assert_eq!(app.count_events("user.mfa_enabled"), 1);
    let details: Vec<serde_json::Value> = events::table
        .select(events::details)
        .load(&mut app.conn())
        .unwrap();
    assert!(details.iter().all(|d| !d.to_string().contains(&secret)));
    // The page now says it is on, and starting again is refused.
    let page = browser.get("/account/mfa").await.text().await.unwrap();
    assert!(page.contains("10 unused recovery codes"), "{page}");
    assert!(!page.contains("totp-secret"));
}

#[tokio::test]
async fn a_user_with_totp_is_only_half_signed_in_until_the_code_is_given() {
    let app = spawn_app().await;
    let (browser, user) = app.signed_in(Role::Reviewer).await;
    let (secret, _) = enrol(&browser).await;
    let signed_in_before = app.count_events("user.signed_in");

    let other = at_code_step(&app, &user.username).await;
    // The password alone is no sign-in, in the audit log either.
    assert_eq!(app.count_events("user.signed_in"), signed_in_before);
    assert_eq!(app.count_events("user.password_accepted"), 1);
    // Nothing but the code form opens.
    for path in ["/sessions", "/account", "/account/mfa"] {
        let r = other.get(path).await;
        assert_eq!(r.status(), 303, "{path}");
        assert!(location(&r).starts_with("/login"), "{path}");
    }
    let form = other.get("/login/code").await;
    assert_eq!(form.status(), 200);
    let token = crate::helpers::csrf_from(&form.text().await.unwrap()).unwrap();
    // The next step's code: the current one was used up by the enrolment.
    let r = other
        .post("/login/code", &[("code", &code_at(&secret, 30))], &token)
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), "/sessions");
    assert_eq!(other.get("/account").await.status(), 200);
    assert_eq!(app.count_events("user.signed_in"), signed_in_before + 1);
    assert_eq!(signed_in_with(&app, "totp"), 1);
}

#[tokio::test]
async fn a_code_is_accepted_once_and_a_replay_in_its_window_is_refused() {
    let app = spawn_app().await;
    let (browser, user) = app.signed_in(Role::Reviewer).await;
    let (secret, _) = enrol(&browser).await;

    // The code that confirmed the enrolment cannot sign in.
    let (b, r) = sign_in_with_code(&app, &user.username, &code_at(&secret, 0)).await;
    assert_eq!(r.status(), 401);
    assert!(r.text().await.unwrap().contains("already used"));
    assert_eq!(b.get("/account").await.status(), 303);

    let next = code_at(&secret, 30);
    let (_, r) = sign_in_with_code(&app, &user.username, &next).await;
    assert_eq!(r.status(), 303);
    // The same code again, from another browser, inside its window.
    let (b, r) = sign_in_with_code(&app, &user.username, &next).await;
    assert_eq!(r.status(), 401);
    assert_eq!(b.get("/account").await.status(), 303);
    let reasons: Vec<serde_json::Value> = events::table
        .filter(events::action.eq("user.sign_in_failed"))
        .select(events::details)
        .load(&mut app.conn())
        .unwrap();
    assert!(
        reasons.iter().all(|d| d["reason"] == "reused_code"),
        "{reasons:?}"
    );
    assert_eq!(reasons.len(), 2);
}

#[tokio::test]
async fn a_recovery_code_signs_in_once_only() {
    let app = spawn_app().await;
    let (browser, user) = app.signed_in(Role::Reviewer).await;
    let (_, codes) = enrol(&browser).await;

    let (b, r) = sign_in_with_code(&app, &user.username, &codes[0]).await;
    assert_eq!(r.status(), 303);
    assert_eq!(b.get("/account").await.status(), 200);
    assert_eq!(signed_in_with(&app, "recovery_code"), 1);

    let (b, r) = sign_in_with_code(&app, &user.username, &codes[0]).await;
    assert_eq!(r.status(), 401);
    assert_eq!(b.get("/account").await.status(), 303);

    // Another one works, however it is typed.
    let typed = codes[1].to_uppercase().replace('-', " ");
    let (_, r) = sign_in_with_code(&app, &user.username, &typed).await;
    assert_eq!(r.status(), 303);
    let left: i64 = recovery_codes::table
        .filter(recovery_codes::user_id.eq(user.id))
        .filter(recovery_codes::used_at.is_null())
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(left, 8);
}

#[tokio::test]
async fn wrong_codes_are_throttled_like_passwords_and_the_sixth_gets_429() {
    let app = spawn_app().await;
    let (browser, user) = app.signed_in(Role::Reviewer).await;
    let (secret, _) = enrol(&browser).await;

    let b = at_code_step(&app, &user.username).await;
    let token = b.csrf("/login/code").await;
    let wrong = wrong_code(&secret);
    for i in 0..5 {
        let r = b.post("/login/code", &[("code", &wrong)], &token).await;
        assert_eq!(r.status(), 401, "attempt {i}");
    }
    // Even the right code is refused now.
    let r = b
        .post("/login/code", &[("code", &code_at(&secret, 30))], &token)
        .await;
    assert_eq!(r.status(), 429);
    let retry: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry > 0 && retry <= 15 * 60, "{retry}");
    assert_eq!(b.get("/account").await.status(), 303);
    // The same limit holds for the password.
    assert_eq!(
        app.browser()
            .sign_in(&user.username, PASSWORD)
            .await
            .status(),
        429
    );
}

#[tokio::test]
async fn require_mfa_admin_sends_an_admin_without_totp_to_enrol_before_anything_else() {
    let app = spawn_app_with(|c| c.require_mfa = RequireMfa::Admin).await;
    app.create_user("root", Role::Admin);
    app.create_user("rita", Role::Reviewer);

    // A reviewer is not asked.
    let r = app.browser().sign_in("rita", PASSWORD).await;
    assert_eq!(location(&r), "/sessions");

    let b = app.browser();
    let r = b.sign_in("root", PASSWORD).await;
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), "/login/enrol");
    for path in ["/sessions", "/admin/users", "/account/mfa", "/login/code"] {
        let r = b.get(path).await;
        assert_eq!(r.status(), 303, "{path}");
        assert!(location(&r).starts_with("/login"), "{path}");
    }
    // The sign-in went away by visiting /login/code: sign in again.
    assert_eq!(location(&b.sign_in("root", PASSWORD).await), "/login/enrol");
    let page = b.get("/login/enrol").await;
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    let secret = secret_from(&page);
    let token = crate::helpers::csrf_from(&page).unwrap();
    let r = b
        .post("/login/enrol", &[("code", &wrong_code(&secret))], &token)
        .await;
    assert_eq!(r.status(), 422);
    assert_eq!(b.get("/admin/users").await.status(), 303);
    let codes = confirm_now(&b, "/login/enrol", &secret, &token).await;
    assert_eq!(codes.len(), 10);
    assert_eq!(b.get("/admin/users").await.status(), 200);
    assert_eq!(signed_in_with(&app, "totp_enrolled"), 1);

    // Next time: password, then code.
    let (_, r) = sign_in_with_code(&app, "root", &code_at(&secret, 30)).await;
    assert_eq!(location(&r), "/sessions");
}

#[tokio::test]
async fn require_mfa_all_applies_to_every_role_and_off_to_none() {
    let all = spawn_app_with(|c| c.require_mfa = RequireMfa::All).await;
    all.create_user("rita", Role::Reviewer);
    assert_eq!(
        location(&all.browser().sign_in("rita", PASSWORD).await),
        "/login/enrol"
    );
    let off = spawn_app_with(|c| c.require_mfa = RequireMfa::Off).await;
    off.create_user("root", Role::Admin);
    assert_eq!(
        location(&off.browser().sign_in("root", PASSWORD).await),
        "/sessions"
    );
}

#[tokio::test]
async fn an_admin_resets_a_users_second_factor_and_signs_them_out() {
    let app = spawn_app().await;
    let (rita, user) = app.signed_in(Role::Reviewer).await;
    enrol(&rita).await;
    let (admin, _) = app.signed_in(Role::Admin).await;

    let list = admin.get("/admin/users").await.text().await.unwrap();
    let action = format!("/admin/users/{}/reset-mfa", user.id);
    assert!(list.contains(&action), "the list offers the reset");
    // Not for a reviewer.
    let token = rita.csrf("/account").await;
    assert_eq!(rita.post(&action, &[], &token).await.status(), 403);

    let token = admin.csrf("/admin/users").await;
    let r = admin.post(&action, &[], &token).await;
    assert_eq!(r.status(), 303);
    assert_eq!(totp_columns(&app, &user.username), (None, false));
    let left: i64 = recovery_codes::table
        .filter(recovery_codes::user_id.eq(user.id))
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(left, 0);
    assert_eq!(app.count_events("user.mfa_reset"), 1);
    // Their open sign-in ended; the password alone signs in again.
    assert_eq!(rita.get("/account").await.status(), 303);
    let r = app.browser().sign_in(&user.username, PASSWORD).await;
    assert_eq!(location(&r), "/sessions");
    // A second reset has nothing to do.
    admin.post(&action, &[], &token).await;
    let page = admin.get("/admin/users").await.text().await.unwrap();
    assert!(page.contains("has no two-step sign-in to reset"));
}
