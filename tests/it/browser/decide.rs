//! Issue 20 in a browser: Shift+Enter decides and lands on the next case (item 5), and a
//! refused approval shows its error summary focused, at the case's URL (items 4 and 8).

use chrono::{Duration, Utc};
use sessiondesk::domain::kinds::Role;
use sessiondesk::domain::status::SessionStatus as S;
use uuid::Uuid;

use super::start;
use crate::queue::make;

/// Shift, held for the rest of a `send_keys` sequence, then Enter.
const SHIFT_ENTER: &str = "\u{E008}\u{E007}";

#[tokio::test]
async fn shift_enter_approves_and_opens_the_next_case() {
    let Some(ui) = start().await else { return };
    let mut conn = ui.app.conn();
    let [first, second]: [Uuid; 2] = [("Anna", 3), ("Bela", 2)].map(|(name, h)| {
        make(
            &mut conn,
            name,
            "Novak",
            "crm_n",
            S::Completed,
            Utc::now() - Duration::hours(h),
            None,
        )
        .id
    });
    ui.sign_in(Role::Reviewer).await;
    let chrome = &ui.chrome;
    assert_eq!(ui.rows().await[0], first);
    chrome.click_through("#queue a.row-link").await;
    chrome.press("a").await;
    chrome
        .wait_until(
            "the approve form to open",
            "document.getElementById('approve-panel').open",
        )
        .await;
    let comment = chrome.find("#approve-comment").await;
    chrome.navigates(comment.send_keys(SHIFT_ENTER)).await;
    assert!(
        chrome
            .path()
            .await
            .starts_with(&format!("/sessions/{second}?queue=")),
        "one load lands on the next case, not {}",
        chrome.path().await
    );
    assert_eq!(ui.flash().await, "Session approved.");
    let status: String = {
        use diesel::prelude::*;
        use sessiondesk::schema::sessions;
        sessions::table
            .find(first)
            .select(sessions::status)
            .first(&mut ui.app.conn())
            .unwrap()
    };
    assert_eq!(status, "approved");
    ui.finish().await;
}

#[tokio::test]
async fn approving_over_a_failure_needs_a_reason_and_the_error_summary_takes_the_focus() {
    let Some(ui) = start().await else { return };
    let key = ui.app.full_api_key();
    // The entered last name differs from the passport's: the ID check fails.
    let (id, _) = crate::decide::verified_session(&ui.app, &key, "Lindkvist").await;
    let r = ui
        .app
        .api(
            "POST",
            &format!("/v1/identity/sessions/{id}/mark-for-review"),
            &key,
            None,
        )
        .await;
    assert_eq!(r.status, 200);
    ui.sign_in(Role::Reviewer).await;
    let chrome = &ui.chrome;
    chrome.goto(&format!("/sessions/{id}")).await;
    chrome.press("a").await;
    chrome
        .wait_until(
            "the approve form to open",
            "document.getElementById('approve-panel').open",
        )
        .await;
    let concerns = chrome.find("#override-concerns").await.text().await;
    assert!(concerns.contains("Matches the entered data"), "{concerns}");
    // The browser's own check would stop an empty reason; the server's is what counts.
    chrome
        .execute(
            "document.getElementById('approve-comment').removeAttribute('required');",
            vec![],
        )
        .await;
    chrome
        .click_through("#approve-panel button.btn-primary")
        .await;
    assert_eq!(
        chrome.focused_id().await,
        "approve-error",
        "the summary has the focus"
    );
    assert_eq!(
        chrome.path().await,
        format!("/sessions/{id}"),
        "the URL is the case's"
    );
    let summary = chrome.find("#approve-error").await.text().await;
    assert!(summary.contains("needs a comment"), "{summary}");

    // With a reason it is accepted, and the banner shows it.
    chrome
        .find("#approve-comment")
        .await
        .send_keys("Transliteration; confirmed by phone")
        .await;
    chrome
        .click_through("#approve-panel button.btn-primary")
        .await;
    let banner = chrome.find("#decision").await.text().await;
    assert!(
        banner.contains("Transliteration; confirmed by phone"),
        "{banner}"
    );
    // The refused approval's 422 is expected; anything else in the console is not.
    let entries: Vec<_> = chrome
        .console()
        .await
        .into_iter()
        .filter(|e| !(e.source == "network" && e.message.contains("status of 422")))
        .collect();
    super::console::assert_clean(&entries);
}
