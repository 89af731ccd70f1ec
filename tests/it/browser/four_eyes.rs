//! Four eyes in a browser: one admin asks for a redaction and cannot approve it; a second
//! admin approves it from `/approvals`; the scan finds nothing of the applicant left.

use sessiondesk::domain::approvals::FourEyes;
use sessiondesk::domain::kinds::Role;

use super::start_with;
use crate::redaction::scan::{assert_gone, scan};
use crate::redaction::{PLACES, full_session, markers, short};

#[tokio::test]
async fn a_redaction_asked_by_one_admin_is_approved_by_another_and_leaves_the_scan_clean() {
    let Some(ui) = start_with(|c| c.four_eyes = FourEyes::default()).await else {
        return;
    };
    let key = ui.app.full_api_key();
    let (reviewer, _) = ui.app.signed_in(Role::Reviewer).await;
    let full = full_session(&ui.app, &key, &reviewer).await;
    let id = full.id;
    let chrome = &ui.chrome;

    ui.sign_in(Role::Admin).await;
    chrome.goto(&format!("/sessions/{id}")).await;
    chrome
        .wait_for("#redact-panel > summary")
        .await
        .click()
        .await;
    chrome
        .find("#redact-confirm")
        .await
        .send_keys(&short(id))
        .await;
    chrome
        .click_through("#redact-panel button[type=submit]")
        .await;
    assert!(
        ui.flash().await.starts_with("Redaction requested"),
        "{}",
        ui.flash().await
    );
    assert!(
        chrome.try_find("#approve-request").await.is_none(),
        "the requester gets no approve button"
    );
    assert!(
        chrome
            .find("#own-request")
            .await
            .text()
            .await
            .contains("another admin must approve it")
    );

    chrome
        .click_through("header.topbar form[action='/logout'] button")
        .await;
    ui.sign_in(Role::Admin).await;
    chrome.goto("/approvals").await;
    chrome.wait_for("#approvals-table").await;
    chrome
        .execute("window.confirm = function () { return true; };", vec![])
        .await;
    chrome
        .click_through("#approvals-table button.btn-danger")
        .await;
    assert_eq!(ui.flash().await, "Approved: the personal data is redacted.");
    assert!(
        chrome.try_find("#approvals-table").await.is_none(),
        "nothing left to approve"
    );
    assert_gone(&scan(&mut ui.app.conn(), &markers(PLACES)));
    chrome.goto(&format!("/sessions/{id}")).await;
    let timeline = chrome.wait_for(".timeline").await.text().await;
    assert!(timeline.contains("asked for a redaction"), "{timeline}");
    assert!(timeline.contains("request for a redaction"), "{timeline}");
    ui.finish().await;
}
