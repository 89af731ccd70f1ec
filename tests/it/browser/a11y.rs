//! WCAG 2.2 AA on the case page: the help dialog keeps the focus inside and gives it back,
//! and single-key shortcuts turned off in `/account` do nothing.

use sessiondesk::domain::kinds::Role;
use sessiondesk::domain::status::SessionStatus as S;

use super::start;
use super::webdriver::keys;
use crate::case::with_document;

#[tokio::test]
async fn tab_stays_in_the_help_dialog_and_focus_returns_on_close() {
    let Some(ui) = start().await else { return };
    let (id, _) = with_document(&ui.app, S::Completed);
    ui.sign_in(Role::Reviewer).await;
    let chrome = &ui.chrome;
    chrome.goto(&format!("/sessions/{id}")).await;
    chrome.find("#shortcut-help-button").await.click().await;
    chrome
        .wait_until(
            "the help dialog to open",
            "!document.getElementById('shortcut-help').hidden",
        )
        .await;
    for _ in 0..4 {
        chrome.press(keys::TAB).await;
        let inside = chrome
            .execute(
                "return document.getElementById('shortcut-help')\
                 .contains(document.activeElement);",
                vec![],
            )
            .await;
        assert_eq!(inside, serde_json::json!(true), "Tab left the dialog");
    }
    chrome.press(keys::ESCAPE).await;
    assert_eq!(chrome.focused_id().await, "shortcut-help-button");
    // The button's name is its words; the key is announced as a shortcut.
    let button = chrome.find("#shortcut-help-button").await;
    assert_eq!(button.attr("aria-keyshortcuts").await.as_deref(), Some("?"));
    let name = chrome
        .execute(
            "return arguments[0].querySelector('kbd').getAttribute('aria-hidden');",
            vec![button.as_arg()],
        )
        .await;
    assert_eq!(name, serde_json::json!("true"));
    ui.finish().await;
}

#[tokio::test]
async fn shortcuts_turned_off_in_the_account_do_nothing() {
    let Some(ui) = start().await else { return };
    let (id, _) = with_document(&ui.app, S::Completed);
    ui.sign_in(Role::Reviewer).await;
    let chrome = &ui.chrome;
    // On by default: `a` opens the approval form.
    chrome.goto(&format!("/sessions/{id}")).await;
    chrome.press("a").await;
    chrome
        .wait_until(
            "the approve form to open",
            "document.getElementById('approve-panel').open",
        )
        .await;

    chrome.goto("/account").await;
    chrome.find("#shortcuts-off").await.click().await;
    chrome.click_through("#shortcuts-save").await;
    assert!(ui.flash().await.contains("off"), "{}", ui.flash().await);

    chrome.goto(&format!("/sessions/{id}")).await;
    chrome.press("a?n").await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let state = chrome
        .execute(
            "return [document.getElementById('approve-panel').open, \
             document.getElementById('shortcut-help').hidden, location.pathname];",
            vec![],
        )
        .await;
    assert_eq!(
        state,
        serde_json::json!([false, true, format!("/sessions/{id}")]),
        "a key did something with shortcuts off"
    );
    ui.finish().await;
}
