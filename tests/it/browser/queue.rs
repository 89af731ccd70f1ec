//! The queue in a browser: signing in through the form lands on the work queue; the
//! search field, the status chips and the pager show exactly the sessions they should.

use chrono::{Duration, Utc};
use sessiondesk::domain::kinds::Role;
use sessiondesk::domain::status::SessionStatus as S;
use uuid::Uuid;

use super::start;
use super::webdriver::keys;
use crate::queue::make;

#[tokio::test]
async fn sign_in_then_search_filter_by_status_and_page_the_queue() {
    let Some(ui) = start().await else { return };
    let mut conn = ui.app.conn();
    let now = Utc::now();
    // 55 waiting sessions a minute apart, newest first by index...
    let fillers: Vec<Uuid> = (0..55)
        .map(|i| {
            let last = format!("Filler{i:02}");
            let created = now - Duration::minutes(10 + i);
            make(
                &mut conn,
                "Pat",
                &last,
                &format!("crm_{i:02}"),
                S::Completed,
                created,
                None,
            )
            .id
        })
        .collect();
    // ...and four Nowaks, older than all of them, one per status.
    let nowaks: Vec<Uuid> = [
        ("Zofia", S::Completed),
        ("Adam", S::MarkedForReview),
        ("Ewa", S::Pending),
        ("Jan", S::Approved),
    ]
    .into_iter()
    .enumerate()
    .map(|(k, (first, status))| {
        let created = now - Duration::hours(2 + k as i64);
        make(
            &mut conn,
            first,
            "Nowak",
            &format!("crm_n{k}"),
            status,
            created,
            None,
        )
        .id
    })
    .collect();
    let [zofia, adam, ewa, jan] = nowaks[..] else {
        unreachable!()
    };

    ui.sign_in(Role::Reviewer).await;
    let chrome = &ui.chrome;
    // A reviewer starts on the work queue, oldest first: the waiting Nowaks lead.
    assert!(chrome.path().await.starts_with("/sessions"));
    let rows = ui.rows().await;
    assert_eq!(rows.len(), 50, "a full first page");
    assert_eq!(rows[..3], [adam, zofia, fillers[54]]);

    // The search field, submitted with Enter, searches every status (newest first): an
    // earlier decided session is what a search is often for.
    let search = chrome.find("#q").await;
    search.send_keys("nowak").await;
    chrome.navigates(search.send_keys(keys::ENTER)).await;
    assert_eq!(
        ui.rows().await,
        [zofia, adam, ewa, jan],
        "searching from the work queue"
    );
    assert_eq!(
        chrome.find("#q").await.attr("value").await.as_deref(),
        Some("nowak"),
        "the search is shown back"
    );

    // A status chip narrows to its status and keeps the search.
    for (status, expected) in [("pending", ewa), ("approved", jan)] {
        chrome.click_through(&format!("a.chip-{status}")).await;
        assert_eq!(ui.rows().await, [expected], "the {status} chip");
        let chip = chrome.find(&format!("a.chip-{status}")).await;
        assert_eq!(chip.attr("aria-current").await.as_deref(), Some("true"));
        assert!(
            chrome.path().await.contains("q=nowak"),
            "the chip kept the search"
        );
    }

    // Clearing shows everything, newest first, 50 to a page.
    chrome.click_through("form[role=search] a.btn-quiet").await;
    let mut newest_first: Vec<Uuid> = fillers.clone();
    newest_first.extend(&nowaks);
    let first_page = ui.rows().await;
    assert_eq!(first_page, newest_first[..50], "the newest 50");
    assert!(
        chrome.try_find("a[rel=prev]").await.is_none(),
        "nothing is newer"
    );
    let older = chrome.find("a[rel=next]").await;
    assert_eq!(older.text().await, "Older ›");

    chrome.navigates(older.click()).await;
    assert_eq!(ui.rows().await, newest_first[50..], "the 9 oldest");
    assert!(
        chrome.try_find("a[rel=next]").await.is_none(),
        "nothing is older"
    );
    let newer = chrome.find("a[rel=prev]").await;
    assert_eq!(newer.text().await, "‹ Newer");

    chrome.navigates(newer.click()).await;
    assert_eq!(ui.rows().await, first_page, "back to the first page");

    ui.finish().await;
}
