//! Issue 18 in a browser: a view saved from the queue shows in the navigation with its
//! count and opens its queue; a case past its due time is marked breached on the queue and
//! on the case page.

use chrono::{Duration, Utc};
use diesel::prelude::*;
use sessiondesk::domain::kinds::Role;
use sessiondesk::domain::status::SessionStatus as S;
use sessiondesk::schema::sessions;

use super::start;
use crate::queue::make;

#[tokio::test]
async fn a_saved_view_is_in_the_navigation_with_its_count_and_opens_its_queue() {
    let Some(ui) = start().await else { return };
    {
        let mut conn = ui.app.conn();
        for (i, status) in [S::Failed, S::Failed, S::Completed].into_iter().enumerate() {
            make(
                &mut conn,
                "Vera",
                &format!("Saved{i}"),
                &format!("crm_v{i}"),
                status,
                Utc::now() - Duration::hours(2 + i as i64),
                None,
            );
        }
    }
    ui.sign_in(Role::Reviewer).await;
    let chrome = &ui.chrome;
    chrome.goto("/sessions?status=failed&sort=newest").await;
    chrome.wait_for("#queue").await;
    chrome.find("#save-view > summary").await.click().await;
    chrome
        .wait_for("#view-name")
        .await
        .send_keys("Failed, newest first")
        .await;
    chrome
        .find("#save-view input[name=shared]")
        .await
        .click()
        .await;
    chrome.click_through("#save-view button[type=submit]").await;
    assert!(
        ui.flash()
            .await
            .starts_with("Saved the view \"Failed, newest first\", shared")
    );

    // From another queue, the view is in the navigation with its count, and opens.
    chrome.goto("/sessions").await;
    chrome.wait_for("#queue").await;
    let tab = chrome.find("nav.tabs a[data-saved-view]").await;
    assert_eq!(tab.text().await, "Failed, newest first 2");
    chrome.click_through("nav.tabs a[data-saved-view]").await;
    assert_eq!(chrome.path().await, "/sessions?status=failed&sort=newest");
    assert_eq!(ui.rows().await.len(), 2);
    let current = chrome.find("nav.tabs a[aria-current=page]").await;
    assert_eq!(current.text().await, "Failed, newest first 2");

    // The manage page lists it; renaming it renames the tab.
    chrome.goto("/views").await;
    let rename = chrome.wait_for(".rename-view input[name=name]").await;
    chrome
        .execute("arguments[0].value = '';", vec![rename.as_arg()])
        .await;
    rename.send_keys("Failed today").await;
    chrome
        .click_through(".rename-view button[type=submit]")
        .await;
    assert_eq!(ui.flash().await, "Renamed to \"Failed today\".");
    chrome.goto("/sessions").await;
    let tab = chrome.wait_for("nav.tabs a[data-saved-view]").await;
    assert_eq!(tab.text().await, "Failed today 2");
    ui.finish().await;
}

#[tokio::test]
async fn a_case_past_its_due_time_is_marked_breached() {
    let Some(ui) = start().await else { return };
    let (late, fresh) = {
        let mut conn = ui.app.conn();
        let mut at = |name: &str, hours: i64| {
            let since = Utc::now() - Duration::hours(hours);
            let m = make(&mut conn, "Tom", name, "crm_sla", S::Completed, since, None);
            diesel::update(sessions::table.find(m.id))
                .set(sessions::waiting_since.eq(Some(since)))
                .execute(&mut conn)
                .unwrap();
            m.id
        };
        (at("Late", 30), at("Fresh", 1))
    };
    ui.sign_in(Role::Reviewer).await;
    let chrome = &ui.chrome;
    chrome.goto("/sessions?sla=breached&sort=due").await;
    chrome.wait_for("#queue").await;
    assert_eq!(ui.rows().await, [late], "only the late case is breached");
    let row = chrome.find("#queue tbody tr").await;
    assert_eq!(
        row.attr("class").await.as_deref(),
        Some("queue-row breached")
    );
    assert_eq!(chrome.find(".sla-flag").await.text().await, "breached");

    chrome.goto(&format!("/sessions/{late}")).await;
    let due = chrome.wait_for("#case-due").await;
    assert!(
        due.text()
            .await
            .starts_with("breached its service level 6 h ago"),
        "{}",
        due.text().await
    );
    assert_eq!(due.attr("class").await.as_deref(), Some("due due-breached"));
    chrome.goto(&format!("/sessions/{fresh}")).await;
    let due = chrome.wait_for("#case-due").await;
    assert_eq!(due.attr("class").await.as_deref(), Some("due due-on_time"));
    ui.finish().await;
}
