//! Issue 20, items 7 and 9 in a browser: the filters in force show as chips and removing
//! one drops just that filter; at 390 x 844 neither the queue nor the case page scrolls
//! sideways. With `SESSIONDESK_SCREENSHOTS=docs` the tests also write the README's
//! screenshots (queue and case page, desktop and phone) under that folder.

use chrono::{Duration, Utc};
use sessiondesk::domain::kinds::Role;
use sessiondesk::domain::status::SessionStatus as S;

use super::start;
use super::webdriver::Chrome;
use crate::queue::make;

/// Where screenshots go, when asked for.
fn screenshots() -> Option<std::path::PathBuf> {
    std::env::var("SESSIONDESK_SCREENSHOTS")
        .ok()
        .filter(|d| !d.is_empty())
        .map(|d| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(d))
}

pub(super) async fn shoot(chrome: &Chrome, name: &str) {
    if let Some(dir) = screenshots() {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), chrome.screenshot().await).unwrap();
    }
}

/// The page's width beyond the viewport, in CSS pixels (0 when nothing scrolls sideways).
pub(super) async fn sideways(chrome: &Chrome) -> i64 {
    chrome
        .execute(
            "return document.documentElement.scrollWidth - window.innerWidth;",
            vec![],
        )
        .await
        .as_i64()
        .unwrap()
}

/// The chips' labels.
async fn chips(chrome: &Chrome) -> Vec<String> {
    let v = chrome
        .execute(
            "return Array.from(document.querySelectorAll('.active-filter > span'), s => s.textContent);",
            vec![],
        )
        .await;
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_owned())
        .collect()
}

fn arrange(ui: &super::Ui) -> uuid::Uuid {
    let mut conn = ui.app.conn();
    let now = Utc::now();
    let names = [
        ("Zofia", "Nowak", S::Completed),
        ("Arjun", "Iyer", S::MarkedForReview),
        ("Wei", "Li", S::Completed),
        ("María José", "Fernández de la Cruz y Montenegro", S::Failed),
        ("Ola", "Nordmann", S::Approved),
    ];
    let mut first = None;
    for (i, (given, surname, status)) in names.into_iter().enumerate() {
        let m = make(
            &mut conn,
            given,
            surname,
            &format!("crm_customer_{i:04}"),
            status,
            now - Duration::hours(3 + 20 * i as i64),
            None,
        );
        first.get_or_insert(m.id);
    }
    first.unwrap()
}

#[tokio::test]
async fn active_filters_show_as_chips_and_removing_one_drops_only_it() {
    let Some(ui) = start().await else { return };
    arrange(&ui);
    ui.sign_in(Role::Reviewer).await;
    let chrome = &ui.chrome;
    chrome.goto("/sessions").await;
    chrome.wait_for("#queue").await;
    assert_eq!(
        chips(chrome).await,
        ["Status: completed, marked for review", "Redacted: left out"]
    );
    assert_eq!(ui.rows().await.len(), 3, "the waiting three");

    // The assignee select, applied: one chip more, nobody's sessions.
    chrome
        .execute(
            "document.getElementById('assignee').value = 'unassigned';",
            vec![],
        )
        .await;
    chrome
        .click_through("form[role=search] button[type=submit]")
        .await;
    assert_eq!(
        chips(chrome).await,
        [
            "Status: completed, marked for review",
            "Assignee: nobody",
            "Redacted: left out"
        ]
    );
    assert!(chrome.path().await.contains("assignee=unassigned"));

    // Removing the status chip drops the statuses only: every status, still unassigned.
    chrome
        .click_through(".active-filter:first-child .active-filter-remove")
        .await;
    assert_eq!(
        chips(chrome).await,
        ["Assignee: nobody", "Redacted: left out"]
    );
    let path = chrome.path().await;
    assert!(!path.contains("status="), "{path}");
    assert!(path.contains("assignee=unassigned"), "{path}");
    assert_eq!(ui.rows().await.len(), 5, "all five, every status");
    ui.finish().await;
}

#[tokio::test]
async fn at_390_by_844_neither_the_queue_nor_the_case_page_scrolls_sideways() {
    let Some(ui) = start().await else { return };
    let case = arrange(&ui);
    ui.sign_in(Role::Reviewer).await;
    let chrome = &ui.chrome;

    for (width, height, mobile, size) in [(1280, 800, false, "desktop"), (390, 844, true, "phone")]
    {
        chrome.viewport(width, height, mobile).await;
        chrome.goto("/sessions").await;
        chrome.wait_for("#queue").await;
        assert!(
            sideways(chrome).await <= 0,
            "the queue at {width}x{height} scrolls sideways"
        );
        shoot(chrome, &format!("queue-{size}")).await;
        chrome.goto(&format!("/sessions/{case}")).await;
        chrome.wait_for("#case-actions").await;
        assert!(
            sideways(chrome).await <= 0,
            "the case page at {width}x{height} scrolls sideways"
        );
        shoot(chrome, &format!("case-{size}")).await;
        if mobile {
            // The decision form opens as a full-width sheet.
            chrome.find("#approve-panel > summary").await.click().await;
            let width_of_form = chrome
                .execute(
                    "return document.querySelector('#approve-panel .action-form').getBoundingClientRect().width;",
                    vec![],
                )
                .await
                .as_f64()
                .unwrap();
            assert!(
                width_of_form >= 389.0,
                "the approve sheet is {width_of_form}px wide"
            );
            assert!(
                sideways(chrome).await <= 0,
                "the open sheet scrolls sideways"
            );
        }
    }
    ui.finish().await;
}
