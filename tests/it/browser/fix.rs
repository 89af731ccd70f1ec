//! Issue 20 in a browser: an edit makes a check stale and "Re-run checks" makes it current
//! again (item 3); "use the document's value" fixes a mismatched row (item 3); a mark for
//! review with a reason is seen on the queue row (item 5).

use chrono::Utc;
use serde_json::json;
use sessiondesk::domain::kinds::Role;
use sessiondesk::domain::status::SessionStatus as S;
use uuid::Uuid;

use super::start;
use super::webdriver::Chrome;
use crate::api_documents::upload;
use crate::api_verifications::{Passport, verify};
use crate::decide::{patch_last_name, verified_session};
use crate::helpers::TestApp;
use crate::queue::make;

/// A verified session whose passport is known from its photo only (no MRZ text stored):
/// an edit does not re-run its check by itself, so the page shows it stale.
async fn photo_only_session(app: &TestApp, key: &str) -> Uuid {
    let account = app.api_account(key).await;
    let session = app.api_session(key, account).await.id();
    patch_last_name(app, key, session, "Lindqvist").await;
    let body = json!({"data": {"type": "document/idv",
        "attributes": {"document_type": "passport"},
        "relationships": {"session": {"data": {"type": "session", "id": session}}}}});
    let r = app
        .api("POST", "/v1/identity/documents/idvs", key, Some(body))
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let doc = r.id();
    let png = Passport::lindqvist().png();
    let up = upload(app, key, doc, "front", "front.png", &png, None).await;
    assert_eq!(up.status, 201, "{:?}", up.body);
    for what in ["start", "submit"] {
        let r = app
            .api(
                "POST",
                &format!("/v1/identity/sessions/{session}/{what}"),
                key,
                None,
            )
            .await;
        assert_eq!(r.status, 200, "{what}: {:?}", r.body);
    }
    let v = verify(app, key, session, doc, false).await;
    assert_eq!(v.status, 201, "{:?}", v.body);
    session
}

/// Whether the newest verification on the case page carries the stale mark.
async fn newest_is_stale(chrome: &Chrome) -> bool {
    chrome
        .execute(
            "const v = document.querySelector('.verification'); \
             return !!(v && v.querySelector('[data-stale]'));",
            vec![],
        )
        .await
        .as_bool()
        .unwrap_or(false)
}

#[tokio::test]
async fn an_edit_marks_the_check_stale_and_re_run_makes_it_current() {
    let Some(ui) = start().await else { return };
    let key = ui.app.full_api_key();
    let id = photo_only_session(&ui.app, &key).await;
    ui.sign_in(Role::Reviewer).await;
    let chrome = &ui.chrome;
    chrome.goto(&format!("/sessions/{id}")).await;
    assert!(!newest_is_stale(chrome).await, "current at first");

    // Correct the last name on the case page.
    chrome.find("details.edit summary").await.click().await;
    chrome
        .execute("document.getElementById('f-last_name').value = '';", vec![])
        .await;
    chrome
        .find("#f-last_name")
        .await
        .send_keys("Lindkvist")
        .await;
    chrome
        .click_through("details.edit button[type=submit]")
        .await;
    assert!(
        ui.flash().await.contains("Saved: last name"),
        "{}",
        ui.flash().await
    );
    assert!(newest_is_stale(chrome).await, "the check is marked stale");
    let mark = chrome.find(".verification [data-stale]").await.text().await;
    assert!(mark.contains("last name"), "{mark}");

    // Re-run checks: the newest verification is current again.
    chrome.click_through("#rerun-checks").await;
    assert!(
        ui.flash().await.contains("Checks ran again"),
        "{}",
        ui.flash().await
    );
    assert!(!newest_is_stale(chrome).await, "current after the re-run");
    ui.finish().await;
}

#[tokio::test]
async fn use_the_documents_value_fixes_a_mismatched_row() {
    let Some(ui) = start().await else { return };
    let key = ui.app.full_api_key();
    // Entered "Lindkvist"; the passport says LINDQVIST.
    let (id, _) = verified_session(&ui.app, &key, "Lindkvist").await;
    ui.sign_in(Role::Reviewer).await;
    let chrome = &ui.chrome;
    chrome.goto(&format!("/sessions/{id}")).await;
    let row = "document.evaluate(\"//table[contains(@class,'datacheck')]//tr[th='Last name']\", \
               document, null, XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue";
    let class = chrome
        .execute(&format!("return {row}.className;"), vec![])
        .await;
    assert_eq!(class, json!("dc-mismatch"));
    // On a phone the button wraps under the mark: nothing scrolls sideways.
    chrome.viewport(390, 844, true).await;
    chrome.goto(&format!("/sessions/{id}")).await;
    assert!(
        super::narrow::sideways(chrome).await <= 0,
        "the case page with the button scrolls sideways at 390 px"
    );
    chrome.viewport(1280, 800, false).await;
    chrome.goto(&format!("/sessions/{id}")).await;
    chrome
        .click_through("button[data-use-document='last_name']")
        .await;
    let flash = ui.flash().await;
    assert!(
        flash.contains("Saved from the document: last name."),
        "{flash}"
    );
    let (class, mark) = {
        let v = chrome
            .execute(
                &format!(
                    "const r = {row}; return [r.className, r.querySelector('.dc-mark').textContent];"
                ),
                vec![],
            )
            .await;
        (v[0].clone(), v[1].as_str().unwrap_or_default().to_owned())
    };
    assert_eq!(class, json!("dc-match"));
    assert!(mark.contains('✓'), "{mark}");
    assert!(
        chrome.try_find("button[data-use-document]").await.is_none(),
        "nothing left to fix"
    );
    assert!(!newest_is_stale(chrome).await, "re-run at once: current");
    ui.finish().await;
}

#[tokio::test]
async fn a_mark_for_review_with_a_reason_is_seen_on_the_queue_row() {
    let Some(ui) = start().await else { return };
    let mut conn = ui.app.conn();
    let m = make(
        &mut conn,
        "Ines",
        "Reason",
        "crm_r",
        S::Completed,
        Utc::now(),
        None,
    );
    let me = ui.sign_in(Role::Reviewer).await;
    let chrome = &ui.chrome;
    chrome.goto(&format!("/sessions/{}", m.id)).await;
    chrome.press("r").await;
    chrome
        .wait_until(
            "the mark-for-review form to open",
            "document.getElementById('review-panel').open",
        )
        .await;
    chrome
        .execute(
            "const s = document.getElementById('review-reason'); s.value = 'glare'; \
             s.dispatchEvent(new Event('change', {bubbles: true}));",
            vec![],
        )
        .await;
    chrome
        .click_through("#review-panel button.btn-primary")
        .await;
    assert_eq!(ui.flash().await, "Session marked for review.");
    chrome.goto("/sessions").await;
    let text = chrome
        .execute(
            "const a = document.querySelector(`#queue a.row-link[href^='/sessions/${arguments[0]}']`); \
             return a ? a.closest('tr').textContent : '';",
            vec![json!(m.id.to_string())],
        )
        .await;
    let text = text.as_str().unwrap_or_default();
    assert!(
        text.contains(&format!(
            "Marked for review by {}: glare on the document",
            me.display_name
        )),
        "{text}"
    );
    ui.finish().await;
}
