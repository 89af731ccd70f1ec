//! Who sees what, in a browser: a manager's masked queue and case page and the `/queues`
//! chart; signing out, after which the old pages lead back to the sign-in page.

use chrono::{Duration, Utc};
use diesel::prelude::*;
use sessiondesk::domain::kinds::Role;
use sessiondesk::domain::status::SessionStatus as S;
use sessiondesk::schema::sessions;

use super::start;
use crate::queue::make;

#[tokio::test]
async fn a_manager_sees_masked_names_and_the_decisions_chart() {
    let Some(ui) = start().await else { return };
    let mut conn = ui.app.conn();
    let waiting = make(
        &mut conn,
        "Annabelle",
        "Eriksson",
        "crm_secret",
        S::Completed,
        Utc::now() - Duration::hours(2),
        None,
    );
    // Three decisions by a reviewer today, for the chart.
    let rita = ui.app.create_user("rita", Role::Reviewer);
    for (k, outcome) in ["approved", "approved", "declined"].into_iter().enumerate() {
        let id = make(
            &mut conn,
            "Done",
            &format!("Case{k}"),
            "crm_done",
            S::Completed,
            Utc::now(),
            None,
        )
        .id;
        diesel::update(sessions::table.find(id))
            .set((
                sessions::status.eq(outcome),
                sessions::decision.eq(outcome),
                sessions::decision_reason.eq((outcome == "declined").then_some("other")),
                sessions::decided_by_type.eq("user"),
                sessions::decided_by.eq(rita.id),
                sessions::decisioned_at.eq(Utc::now() - Duration::minutes(5)),
            ))
            .execute(&mut conn)
            .expect("the decision is recorded");
    }

    ui.sign_in(Role::Manager).await;
    let chrome = &ui.chrome;
    // Signing in without a page asked for lands a manager on the overview.
    assert!(chrome.path().await.starts_with("/queues"));

    for path in ["/sessions".to_owned(), format!("/sessions/{}", waiting.id)] {
        chrome.goto(&path).await;
        chrome.wait_for("main").await;
        let html = chrome.source().await;
        assert!(
            html.contains("A******** E*******"),
            "{path}: no masked name"
        );
        for secret in [
            "Annabelle",
            "Eriksson",
            "annabelle.eriksson@example.org",
            "crm_secret",
        ] {
            assert!(!html.contains(secret), "{path} shows {secret} to a manager");
        }
    }
    // The case page has no document viewer and no decision forms for a manager.
    assert!(chrome.try_find("[data-viewer]").await.is_none());
    assert!(chrome.try_find("#approve-panel").await.is_none());

    chrome.click_through("nav.mainnav a[href='/queues']").await;
    let chart = chrome.wait_for("svg[role=img]").await;
    assert!(chart.displayed().await, "the chart is visible");
    let label = chart.attr("aria-label").await.unwrap_or_default();
    assert!(
        label.contains("2 approved and 1 declined"),
        "the chart is labelled with its numbers: {label}"
    );
    let width = chrome
        .execute(
            "return arguments[0].getBoundingClientRect().width;",
            vec![chart.as_arg()],
        )
        .await;
    assert!(
        width.as_f64().unwrap_or(0.0) > 100.0,
        "the chart is drawn: {width}"
    );
    assert_eq!(chrome.find_all("svg[role=img] g.bar").await.len(), 1);

    ui.finish().await;
}

#[tokio::test]
async fn signing_out_leads_to_the_sign_in_page_and_old_pages_stay_closed() {
    let Some(ui) = start().await else { return };
    let id = make(
        &mut ui.app.conn(),
        "Olga",
        "Petrova",
        "crm_o",
        S::Completed,
        Utc::now(),
        None,
    )
    .id;
    ui.sign_in(Role::Reviewer).await;
    let chrome = &ui.chrome;
    let case = format!("/sessions/{id}");
    chrome.goto(&case).await;
    assert_eq!(chrome.find("#applicant").await.text().await, "Olga Petrova");

    chrome
        .click_through("header.topbar form[action='/logout'] button")
        .await;
    assert_eq!(chrome.path().await, "/login");
    assert_eq!(chrome.title().await, "Sign in · Session Desk");
    assert!(
        chrome.try_find("header.topbar").await.is_none(),
        "no signed-in header"
    );

    // The browser's Back button does not bring the case back (pages are not cached)...
    chrome.navigates(chrome.back()).await;
    assert!(
        chrome.path().await.starts_with("/login"),
        "Back after signing out shows {}",
        chrome.path().await
    );
    // ...and neither does opening the old pages.
    for path in ["/sessions", case.as_str(), "/account"] {
        chrome.goto(path).await;
        let now = chrome.path().await;
        assert!(
            now.starts_with("/login"),
            "{path} after signing out shows {now}"
        );
        assert!(!chrome.source().await.contains("Petrova"), "{path}");
    }

    ui.finish().await;
}
