//! Bulk work in a browser (issue 18): tick one row, shift-click a fifth to tick the range,
//! assign the five to a colleague from the bar under the table, and read the result page:
//! four assigned, one refused because it was already approved, and by whom.

use chrono::{Duration, Utc};
use diesel::prelude::*;
use sessiondesk::domain::kinds::Role;
use sessiondesk::domain::status::SessionStatus as S;
use sessiondesk::schema::sessions;
use uuid::Uuid;

use super::start;
use crate::queue::make;

#[tokio::test]
async fn a_shift_clicked_range_is_assigned_in_bulk_and_the_result_lists_the_one_refusal() {
    let Some(ui) = start().await else { return };
    let lena = ui.app.create_user("lena", Role::Reviewer);
    let omar = ui.app.create_user("omar", Role::Reviewer);
    // Newest first: rows 0..6, the third already approved by Omar.
    let ids: Vec<Uuid> = {
        let mut conn = ui.app.conn();
        (0..6)
            .map(|i| {
                let status = if i == 2 { S::Approved } else { S::Completed };
                let m = make(
                    &mut conn,
                    "Ines",
                    &format!("Range{i}"),
                    &format!("crm_r{i}"),
                    status,
                    Utc::now() - Duration::minutes(10 * (i + 1) as i64),
                    None,
                );
                if status == S::Approved {
                    crate::bulk::decided_by(&mut conn, m.id, omar.id);
                }
                m.id
            })
            .collect()
    };
    ui.sign_in(Role::Admin).await;
    let chrome = &ui.chrome;
    chrome.goto("/sessions?sort=newest").await;
    chrome.wait_for("#queue").await;
    assert_eq!(ui.rows().await, ids);

    let boxes = chrome.find_all("#queue input.row-select").await;
    boxes[0].click().await;
    boxes[4].shift_click().await;
    let ticked = chrome
        .execute(
            "return Array.from(document.querySelectorAll('#queue input.row-select'), b => b.checked);",
            vec![],
        )
        .await;
    assert_eq!(
        ticked,
        serde_json::json!([true, true, true, true, true, false]),
        "shift-click ticks the range"
    );
    assert_eq!(
        chrome.find("#bulk [data-bulk-count]").await.text().await,
        "5 selected"
    );
    // Still on the queue: ticking opens no case.
    assert_eq!(chrome.path().await, "/sessions?sort=newest");

    chrome
        .execute(
            "document.getElementById('bulk-assignee').value = arguments[0];",
            vec![serde_json::json!(lena.id.to_string())],
        )
        .await;
    chrome.click_through("#bulk button[value=assign]").await;
    assert!(chrome.path().await.starts_with("/bulk/"));
    let summary = chrome.wait_for("#bulk-summary").await.text().await;
    assert_eq!(summary, "4 changed · 1 refused");
    let refusals = chrome.find("#bulk-refusals tbody").await.text().await;
    assert!(
        refusals.contains("already approved by omar Tester at "),
        "{refusals}"
    );
    assert_eq!(chrome.find_all("#bulk-refusals tbody tr").await.len(), 1);

    let mut conn = ui.app.conn();
    let held: Vec<Uuid> = sessions::table
        .filter(sessions::assigned_to.eq(lena.id))
        .order(sessions::created_at.desc())
        .select(sessions::id)
        .load(&mut conn)
        .unwrap();
    assert_eq!(held, vec![ids[0], ids[1], ids[3], ids[4]]);
    assert_eq!(ui.app.count_events("session.assigned"), 4);

    // Back on the queue, the assignee column says so.
    chrome.click_through("main a[href^='/sessions']").await;
    chrome.wait_for("#queue").await;
    let assignees = chrome
        .execute(
            "return Array.from(document.querySelectorAll('#queue td[data-label=Assignee]'), td => td.textContent.trim());",
            vec![],
        )
        .await;
    assert!(
        assignees[0]
            .as_str()
            .unwrap_or_default()
            .starts_with("lena Tester")
    );
    ui.finish().await;
}
