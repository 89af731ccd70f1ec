//! The applicant's capture flow at a phone's size (390 x 844, touch): consent, data with one
//! mistake corrected after its message, an ID card's front and back through the file
//! inputs — the front refused while blurry, accepted when sharp — review and submit, and the session is
//! `completed` with the device recorded and the timeline in words; the same with
//! JavaScript off; and a reviewer's request for a new photo answered through a new link
//! while the old one is dead. axe-core checks every step. With
//! `SESSIONDESK_SCREENSHOTS=docs` the README's capture screenshots are written there.

use serde_json::json;
use sessiondesk::domain::kinds::Role;
use uuid::Uuid;

use super::axe::{axe_source, serious_violations};
use super::narrow::shoot;
use super::webdriver::Chrome;
use super::{Ui, start};
use crate::api_verifications::Passport;
use crate::capture::{IdCard, session_with_link, status_of};

const ANDROID: &str = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36";

/// A phone: its viewport, touch, and its user agent.
async fn phone(chrome: &Chrome) {
    chrome.viewport(390, 844, true).await;
    chrome
        .cdp(
            "Emulation.setTouchEmulationEnabled",
            json!({"enabled": true, "maxTouchPoints": 5}),
        )
        .await;
    chrome
        .cdp(
            "Emulation.setUserAgentOverride",
            json!({"userAgent": ANDROID, "acceptLanguage": "en-GB"}),
        )
        .await;
}

/// Writes `bytes` to a file of this test and returns its path, for a file input.
fn photo_file(name: &str, bytes: &[u8]) -> String {
    let dir = std::env::temp_dir().join(format!("sd-capture-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path.to_string_lossy().into_owned()
}

/// axe's serious and critical findings on the page, with `step` named.
async fn axe(chrome: &Chrome, axe: Option<&str>, step: &str, found: &mut Vec<String>) {
    if let Some(axe) = axe {
        for v in serious_violations(chrome, axe).await {
            found.push(format!("{step}: {v}"));
        }
    }
}

/// Reads (and so clears) the console after a page the server answered with `status` on
/// purpose: that network entry is expected; anything else still fails the test.
async fn expect_status(chrome: &Chrome, status: u16) {
    let entries = chrome.console().await;
    let expected = format!("status of {status}");
    let others: Vec<_> = entries
        .into_iter()
        .filter(|e| !(e.source == "network" && e.message.contains(&expected)))
        .collect();
    super::console::assert_clean(&others);
}

/// Submits the form that holds `css` and waits for the next page.
async fn submit_form_of(chrome: &Chrome, css: &str) {
    chrome.click_through(css).await;
}

/// The flow, start to done, through the pages alone; with `js` the enhancement runs (and
/// axe is injected), without it the browser runs no page script at all.
async fn walk(ui: &Ui, base: &str, js: bool) -> Vec<String> {
    let chrome = &ui.chrome;
    let axe_src = if js { axe_source() } else { None };
    let axe_src = axe_src.as_deref();
    let mut found = Vec::new();
    chrome.goto(base).await;
    assert!(chrome.path().await.ends_with("/consent"));
    axe(chrome, axe_src, "consent", &mut found).await;
    if js {
        shoot(chrome, "capture-consent").await;
    }
    chrome.find("#agree").await.click().await;
    submit_form_of(chrome, "form[action$='/consent'] button[type=submit]").await;

    // Data, with the last name forgotten.
    assert!(
        chrome.path().await.ends_with("/data"),
        "{}",
        chrome.path().await
    );
    chrome.find("#f-first_name").await.send_keys("Erik").await;
    chrome.find("#f-middle_name").await.send_keys("Johan").await;
    let birth = chrome.find("#f-birth_date").await;
    // Chromium's date field takes the digits of its locale's order (month, day, year).
    birth.send_keys("03141985").await;
    submit_form_of(chrome, "form[action$='/data'] button[type=submit]").await;
    let error = chrome.wait_for("#f-last_name-error").await.text().await;
    expect_status(chrome, 422).await;
    assert!(error.contains("Please fill this in"), "{error}");
    assert_eq!(
        chrome.focused_id().await,
        "f-last_name",
        "the error takes the focus"
    );
    axe(chrome, axe_src, "data with an error", &mut found).await;
    if js {
        shoot(chrome, "capture-data-error").await;
    }
    chrome
        .find("#f-last_name")
        .await
        .send_keys("Lindqvist")
        .await;
    submit_form_of(chrome, "form[action$='/data'] button[type=submit]").await;

    assert!(
        chrome.path().await.ends_with("/document"),
        "{}",
        chrome.path().await
    );
    axe(chrome, axe_src, "document", &mut found).await;
    chrome.find("input[value=national_id]").await.click().await;
    submit_form_of(chrome, "form[action$='/document'] button[type=submit]").await;

    // The card: its front blurry first, then sharp; then its back.
    assert!(
        chrome.path().await.ends_with("/photos"),
        "{}",
        chrome.path().await
    );
    axe(chrome, axe_src, "photos", &mut found).await;
    let card = IdCard::lindqvist();
    chrome
        .find("#file-front")
        .await
        .send_keys(&photo_file("blurry.png", &card.blurry))
        .await;
    if js {
        chrome
            .wait_until(
                "the preview",
                "!document.querySelector('#file-front ~ .cap-preview').hidden",
            )
            .await;
    }
    submit_form_of(chrome, "form:has(#file-front) button[type=submit]").await;
    let error = chrome.wait_for("#side-front-error").await.text().await;
    expect_status(chrome, 422).await;
    assert!(error.contains("The photo is blurry"), "{error}");
    axe(chrome, axe_src, "photos refused", &mut found).await;
    if js {
        shoot(chrome, "capture-photo-refused").await;
    }
    for side in ["front", "back"] {
        chrome
            .find(&format!("#file-{side}"))
            .await
            .send_keys(&photo_file(&format!("{side}.png"), &card.sharp))
            .await;
        submit_form_of(
            chrome,
            &format!("form:has(#file-{side}) button[type=submit]"),
        )
        .await;
    }
    let accepted = chrome.find_all(".cap-accepted figcaption").await;
    assert_eq!(accepted.len(), 2, "both sides accepted");
    if js {
        shoot(chrome, "capture-photo-accepted").await;
    }
    chrome.click_through("a[data-next]").await;

    assert!(
        chrome.path().await.ends_with("/review"),
        "{}",
        chrome.path().await
    );
    let review = chrome.find("main").await.text().await;
    assert!(
        review.contains("Lindqvist") && review.contains("2 photos"),
        "{review}"
    );
    axe(chrome, axe_src, "review", &mut found).await;
    if js {
        shoot(chrome, "capture-review").await;
    }
    submit_form_of(chrome, "form[action$='/submit'] button[type=submit]").await;
    assert_eq!(chrome.path().await, "/c/done");
    let done = chrome.find("h1").await.text().await;
    assert_eq!(done, "Thank you");
    axe(chrome, axe_src, "done", &mut found).await;
    found
}

/// The checks after a walk: completed, the device recorded, the timeline in words.
async fn after_walk(ui: &Ui, key: &str, session: Uuid) {
    assert_eq!(status_of(&ui.app, session), "completed");
    let d = crate::capture::device_of(&ui.app, key, session).await;
    assert_eq!(d["device_type"], "mobile", "{d}");
    assert_eq!(d["os"], "Android", "{d}");
    ui.sign_in(Role::Reviewer).await;
    ui.chrome.goto(&format!("/sessions/{session}")).await;
    let timeline = ui.chrome.find(".timeline").await.text().await;
    assert!(
        timeline.contains("The applicant opened the link and agreed to the privacy notice"),
        "{timeline}"
    );
    assert!(
        timeline.contains("The applicant submitted the session"),
        "{timeline}"
    );
}

#[tokio::test]
async fn an_applicant_completes_the_flow_on_a_phone() {
    let Some(ui) = start().await else { return };
    let key = ui.app.full_api_key();
    let (session, base) = session_with_link(&ui.app, &key).await;
    phone(&ui.chrome).await;
    let found = walk(&ui, &base, true).await;
    assert!(
        found.is_empty(),
        "axe found {} serious or critical violation(s):\n{}",
        found.len(),
        found.join("\n")
    );
    let device = crate::capture::device_of(&ui.app, &key, session).await;
    let screen = device["screen"].as_str().unwrap_or_default().to_owned();
    assert!(
        screen
            .split_once('x')
            .is_some_and(|(w, h)| w.parse::<u32>().is_ok() && h.parse::<u32>().is_ok()),
        "the enhancement sent the screen size: {screen:?}"
    );
    after_walk(&ui, &key, session).await;
    ui.finish().await;
}

#[tokio::test]
async fn the_flow_works_with_javascript_off() {
    let Some(ui) = start().await else { return };
    let key = ui.app.full_api_key();
    let (session, base) = session_with_link(&ui.app, &key).await;
    phone(&ui.chrome).await;
    ui.chrome
        .cdp(
            "Emulation.setScriptExecutionDisabled",
            json!({"value": true}),
        )
        .await;
    walk(&ui, &base, false).await;
    ui.chrome
        .cdp(
            "Emulation.setScriptExecutionDisabled",
            json!({"value": false}),
        )
        .await;
    after_walk(&ui, &key, session).await;
    ui.finish().await;
}

#[tokio::test]
async fn a_reviewer_asks_for_a_new_photo_and_the_applicant_sends_it() {
    let Some(ui) = start().await else { return };
    let key = ui.app.full_api_key();
    let (session, first) = session_with_link(&ui.app, &key).await;
    crate::capture::complete(&ui.app, &first).await;
    assert_eq!(status_of(&ui.app, session), "completed");
    ui.sign_in(Role::Reviewer).await;
    let chrome = &ui.chrome;
    chrome.goto(&format!("/sessions/{session}")).await;
    chrome.find("#resubmit-panel summary").await.click().await;
    chrome
        .execute(
            "document.getElementById('resubmit-reason').value = 'glare';",
            vec![],
        )
        .await;
    chrome
        .find("#resubmit-message")
        .await
        .send_keys("Please take the photo away from the window.")
        .await;
    chrome
        .click_through("form[action$='/request-resubmission'] button[type=submit]")
        .await;
    let url = chrome.wait_for("#capture-url").await.text().await;
    assert!(chrome.try_find("#capture-qr").await.is_some(), "a QR code");
    assert_eq!(status_of(&ui.app, session), "started");
    let base = url
        .strip_prefix(&ui.app.address)
        .expect("the link is on this server")
        .to_owned();

    // The applicant, on their phone.
    phone(chrome).await;
    chrome.goto(&base).await;
    let page = chrome.find("main").await.text().await;
    assert!(page.contains("glare covers the document"), "{page}");
    assert!(
        page.contains("Please take the photo away from the window."),
        "{page}"
    );
    chrome.find("#agree").await.click().await;
    chrome
        .click_through("form[action$='/consent'] button[type=submit]")
        .await;
    assert!(chrome.path().await.ends_with("/photos"));
    chrome
        .find("#file-page")
        .await
        .send_keys(&photo_file("again.png", &Passport::lindqvist().png()))
        .await;
    chrome
        .click_through("form[action$='/photos'] button[type=submit]")
        .await;
    chrome.click_through("a[data-next]").await;
    chrome
        .click_through("form[action$='/submit'] button[type=submit]")
        .await;
    assert_eq!(chrome.path().await, "/c/done");
    assert_eq!(status_of(&ui.app, session), "completed");

    // The old link is dead, and so is the new one now.
    for dead in [&first, &base] {
        chrome.goto(dead).await;
        let h1 = chrome.find("h1").await.text().await;
        assert_eq!(h1, "This link does not work", "{dead}");
        expect_status(chrome, 404).await;
    }
    ui.finish().await;
}
