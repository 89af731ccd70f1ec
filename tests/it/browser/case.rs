//! The case page in a browser: the document viewer's zoom and rotate, approving with the
//! keyboard and moving on to the next session, declining with a reason.

use chrono::{Duration, Utc};
use diesel::prelude::*;
use sessiondesk::domain::kinds::Role;
use sessiondesk::domain::status::SessionStatus as S;
use sessiondesk::schema::sessions;
use uuid::Uuid;

use super::webdriver::keys;
use super::{Ui, start};
use crate::case::with_document;
use crate::queue::make;

/// The session's status, decision reason and decider, from the database.
fn decided(ui: &Ui, id: Uuid) -> (String, Option<String>, Option<Uuid>) {
    sessions::table
        .find(id)
        .select((
            sessions::status,
            sessions::decision_reason,
            sessions::decided_by,
        ))
        .first(&mut ui.app.conn())
        .expect("the session exists")
}

#[tokio::test]
async fn the_viewer_zooms_and_rotates_the_document_image() {
    let Some(ui) = start().await else { return };
    let (id, _) = with_document(&ui.app, S::Completed);
    ui.sign_in(Role::Reviewer).await;
    let chrome = &ui.chrome;
    chrome.goto(&format!("/sessions/{id}")).await;
    // The image really loads (same origin, allowed by the CSP).
    chrome
        .wait_until(
            "the document image to load",
            "(() => { const i = document.querySelector('img.viewer-image'); \
             return i && i.complete && i.naturalWidth > 0; })()",
        )
        .await;
    let image = chrome.find("img.viewer-image").await;
    assert!(image.displayed().await);
    assert_eq!(image.attr("data-zoom-level").await, None, "untouched");

    let state = async || {
        (
            image.attr("data-zoom-level").await.unwrap_or_default(),
            image.attr("data-rotation").await.unwrap_or_default(),
        )
    };
    let button = |label: &str| match label {
        "Reset" => "[data-viewer] button[data-zoom=reset]".to_owned(),
        _ => format!("[data-viewer] button[aria-label='{label}']"),
    };
    for (label, zoom, rotation) in [
        ("Zoom in", "1.25", "0"),
        ("Zoom in", "1.5", "0"),
        ("Zoom out", "1.25", "0"),
        ("Rotate right", "1.25", "90"),
        ("Rotate left", "1.25", "0"),
        ("Rotate left", "1.25", "270"),
        ("Reset", "1", "0"),
    ] {
        chrome.find(&button(label)).await.click().await;
        assert_eq!(
            state().await,
            (zoom.to_owned(), rotation.to_owned()),
            "after {label}"
        );
    }
    // The transform is applied, not just recorded.
    chrome.find(&button("Rotate right")).await.click().await;
    let transform = chrome
        .execute(
            "return getComputedStyle(arguments[0]).transform;",
            vec![image.as_arg()],
        )
        .await;
    assert_ne!(transform, "none", "rotating changes the computed transform");

    ui.finish().await;
}

#[tokio::test]
async fn approve_with_the_keyboard_then_go_to_the_next_session() {
    let Some(ui) = start().await else { return };
    let mut conn = ui.app.conn();
    let [first, second, _third]: [Uuid; 3] =
        [("Anna", 3), ("Bela", 2), ("Cleo", 1)].map(|(name, h)| {
            let created = Utc::now() - Duration::hours(h);
            make(
                &mut conn,
                name,
                "Kowalski",
                "crm_k",
                S::Completed,
                created,
                None,
            )
            .id
        });
    let me = ui.sign_in(Role::Reviewer).await;
    let chrome = &ui.chrome;
    // The case opened from the work queue (oldest first) knows its queue.
    assert_eq!(ui.rows().await[0], first);
    chrome.click_through("#queue a.row-link").await;
    assert!(
        chrome
            .path()
            .await
            .starts_with(&format!("/sessions/{first}?queue="))
    );

    // `a` opens the approval form with the focus in it; nothing is decided yet.
    chrome.press("a").await;
    chrome
        .wait_until(
            "the approve form to open",
            "document.getElementById('approve-panel').open",
        )
        .await;
    assert_eq!(chrome.focused_id().await, "approve-comment");
    assert_eq!(
        decided(&ui, first).0,
        "completed",
        "opening the form decides nothing"
    );

    // Enter confirms.
    chrome.navigates(chrome.press(keys::ENTER)).await;
    assert_eq!(ui.flash().await, "Session approved.");
    assert_eq!(
        chrome.find("#case-status").await.text().await,
        "approved",
        "the page shows the new status"
    );
    assert_eq!(
        chrome.focused_id().await,
        "next-session",
        "focus is on next"
    );
    assert_eq!(
        decided(&ui, first),
        ("approved".to_owned(), None, Some(me.id))
    );

    // `n` moves on to the next session of the same queue.
    chrome.navigates(chrome.press("n")).await;
    assert!(
        chrome
            .path()
            .await
            .starts_with(&format!("/sessions/{second}?queue=")),
        "n leads to the next session, not {}",
        chrome.path().await
    );
    assert_eq!(
        chrome.find("#applicant").await.text().await,
        "Bela Kowalski"
    );

    ui.finish().await;
}

#[tokio::test]
async fn decline_with_a_reason_from_the_keyboard_opened_form() {
    let Some(ui) = start().await else { return };
    let id = make(
        &mut ui.app.conn(),
        "Dora",
        "Lindqvist",
        "crm_d",
        S::MarkedForReview,
        Utc::now() - Duration::hours(1),
        None,
    )
    .id;
    let me = ui.sign_in(Role::Reviewer).await;
    let chrome = &ui.chrome;
    chrome.goto(&format!("/sessions/{id}")).await;
    chrome.wait_for("#decline-panel").await;

    // `?` shows the shortcuts, Esc hides them.
    chrome.press("?").await;
    chrome
        .wait_until(
            "the shortcut help",
            "!document.getElementById('shortcut-help').hidden",
        )
        .await;
    chrome.press(keys::ESCAPE).await;
    chrome
        .wait_until(
            "the help to close",
            "document.getElementById('shortcut-help').hidden",
        )
        .await;

    // `a` opens the approval form, Esc cancels it: nothing is decided.
    chrome.press("a").await;
    chrome
        .wait_until(
            "the approve form",
            "document.getElementById('approve-panel').open",
        )
        .await;
    chrome.press(keys::ESCAPE).await;
    chrome
        .wait_until(
            "the form to close",
            "!document.getElementById('approve-panel').open",
        )
        .await;
    assert_eq!(
        decided(&ui, id).0,
        "marked_for_review",
        "Esc decided nothing"
    );
    // Chromium moves the focus out of the closed form on its next frame; until then a
    // shortcut would go to the hidden field.
    chrome
        .wait_until(
            "the focus to leave the closed form",
            "!document.querySelector('#approve-panel form').contains(document.activeElement)",
        )
        .await;

    // `d` opens the decline form with the focus on its reason.
    chrome.press("d").await;
    chrome
        .wait_until(
            "the decline form to open",
            "document.getElementById('decline-panel').open",
        )
        .await;
    assert_eq!(chrome.focused_id().await, "decline-reason");

    // Choose a reason and submit.
    chrome
        .find("#decline-reason option[value=document_expired]")
        .await
        .click()
        .await;
    chrome
        .click_through("#decline-panel button[type=submit]")
        .await;
    assert_eq!(ui.flash().await, "Session declined.");
    assert_eq!(
        decided(&ui, id),
        (
            "declined".to_owned(),
            Some("document_expired".to_owned()),
            Some(me.id)
        )
    );
    assert_eq!(chrome.focused_id().await, "next-session");

    ui.finish().await;
}
