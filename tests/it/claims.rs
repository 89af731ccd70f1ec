//! Pulling the next case (issue 18, item 1): "Start reviewing" claims the oldest waiting
//! case nobody holds, atomically — twenty reviewers pressing it at once get twenty
//! different cases, each assigned once with one event; a case the reviewer already holds
//! comes first; an idle claim may be pulled by someone else, a fresh one not.

use chrono::{Duration, Utc};
use diesel::prelude::*;
use sessiondesk::domain::kinds::Role;
use sessiondesk::domain::status::SessionStatus as S;
use std::collections::BTreeSet;
use uuid::Uuid;

use crate::helpers::{Browser, TestApp, spawn_app};
use crate::queue::make;

/// Presses "Start reviewing" as `browser`: the case it opened, if any.
async fn pull(browser: &Browser) -> Option<Uuid> {
    let token = browser.csrf("/sessions").await;
    let r = browser
        .post("/sessions/next", &[("queue", "")], &token)
        .await;
    assert_eq!(r.status(), 303);
    let to = r.headers()["location"].to_str().unwrap().to_owned();
    to.strip_prefix("/sessions/")
        .and_then(|rest| rest.get(..36))
        .and_then(|id| Uuid::parse_str(id).ok())
}

fn waiting(app: &TestApp, n: usize) -> Vec<Uuid> {
    let mut conn = app.conn();
    let start = Utc::now() - Duration::days(3);
    (0..n)
        .map(|i| {
            let status = if i % 3 == 0 {
                S::MarkedForReview
            } else {
                S::Completed
            };
            make(
                &mut conn,
                "Ana",
                &format!("Waiting{i}"),
                &format!("acct-{i}"),
                status,
                start + Duration::minutes(i as i64),
                None,
            )
            .id
        })
        .collect()
}

#[tokio::test]
async fn twenty_reviewers_pulling_at_once_get_twenty_different_cases() {
    let app = spawn_app().await;
    let ids = waiting(&app, 50);
    let mut reviewers = Vec::new();
    for _ in 0..20 {
        reviewers.push(app.signed_in(Role::Reviewer).await);
    }
    let pulls = reviewers.iter().map(|(b, _)| pull(b));
    let got: Vec<Uuid> = futures::future::join_all(pulls)
        .await
        .into_iter()
        .map(|p| p.expect("every reviewer gets a case"))
        .collect();
    let distinct: BTreeSet<Uuid> = got.iter().copied().collect();
    assert_eq!(distinct.len(), 20, "twenty different cases: {got:?}");
    // The oldest twenty, each assigned to the one who pulled it, with one event each.
    let oldest: BTreeSet<Uuid> = ids.iter().take(20).copied().collect();
    assert_eq!(distinct, oldest);
    use sessiondesk::schema::sessions;
    for ((_, user), id) in reviewers.iter().zip(&got) {
        let holder: Option<Uuid> = sessions::table
            .find(id)
            .select(sessions::assigned_to)
            .first(&mut app.conn())
            .unwrap();
        assert_eq!(holder, Some(user.id));
    }
    assert_eq!(app.count_events("session.assigned"), 20);
}

#[tokio::test]
async fn a_held_case_comes_first_and_only_an_idle_claim_is_taken_over() {
    let app = spawn_app_idle().await;
    let ids = waiting(&app, 2);
    let (jane, _) = app.signed_in(Role::Reviewer).await;
    let (omar, _) = app.signed_in(Role::Reviewer).await;
    assert_eq!(pull(&jane).await, Some(ids[0]));
    // Asking again gives Jane the case she holds, not a second one.
    assert_eq!(pull(&jane).await, Some(ids[0]));
    assert_eq!(pull(&omar).await, Some(ids[1]));
    // Everything is held and fresh: nothing to pull.
    let (lena, _) = app.signed_in(Role::Reviewer).await;
    assert_eq!(pull(&lena).await, None);
    // Jane's claim goes idle: Lena may take it over, and the event names Jane.
    use sessiondesk::schema::sessions;
    diesel::update(sessions::table.find(ids[0]))
        .set(sessions::claimed_at.eq(Utc::now() - Duration::minutes(31)))
        .execute(&mut app.conn())
        .unwrap();
    assert_eq!(pull(&lena).await, Some(ids[0]));
    assert_eq!(app.count_events("session.assigned"), 3);
    // The case page says who is reviewing it.
    let html = lena
        .get(&format!("/sessions/{}", ids[0]))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("(reviewing since just now)"), "{html}");
    // And the queue row shows the claim to everyone.
    let queue = jane.get("/sessions").await.text().await.unwrap();
    assert!(queue.contains(" · reviewing now"), "{queue}");
}

async fn spawn_app_idle() -> TestApp {
    crate::helpers::spawn_app_with(|c| c.claim_idle_minutes = 30).await
}

#[tokio::test]
async fn managers_cannot_pull_cases() {
    let app = spawn_app().await;
    waiting(&app, 1);
    let (manager, _) = app.signed_in(Role::Manager).await;
    let token = manager.csrf("/sessions").await;
    let r = manager
        .post("/sessions/next", &[("queue", "")], &token)
        .await;
    assert_eq!(r.status(), 403);
    assert_eq!(app.count_events("session.assigned"), 0);
}

#[tokio::test]
async fn approve_and_next_pulls_the_next_case_nobody_holds() {
    let app = spawn_app().await;
    let ids = waiting(&app, 3);
    let (jane, _) = app.signed_in(Role::Reviewer).await;
    let (omar, omar_user) = app.signed_in(Role::Reviewer).await;
    assert_eq!(pull(&jane).await, Some(ids[0]));
    assert_eq!(pull(&omar).await, Some(ids[1]));
    // Jane decides hers with "& next": she gets the third case, not Omar's second.
    let token = jane.csrf(&format!("/sessions/{}", ids[0])).await;
    let r = jane
        .post(
            &format!("/sessions/{}/approve", ids[0]),
            &[("comment", ""), ("queue", ""), ("then", "next")],
            &token,
        )
        .await;
    assert_eq!(r.status(), 303);
    let to = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(to.starts_with(&format!("/sessions/{}?", ids[2])), "{to}");
    use sessiondesk::schema::sessions;
    let holder: Option<Uuid> = sessions::table
        .find(ids[2])
        .select(sessions::assigned_to)
        .first(&mut app.conn())
        .unwrap();
    assert!(
        holder.is_some() && holder != Some(omar_user.id),
        "claimed for Jane"
    );
    // With nothing left to pull, back to the queue, saying why.
    let token = jane.csrf(&format!("/sessions/{}", ids[2])).await;
    let r = jane
        .post(
            &format!("/sessions/{}/decline", ids[2]),
            &[
                ("reason", "other"),
                ("comment", "no"),
                ("queue", ""),
                ("then", "next"),
            ],
            &token,
        )
        .await;
    assert_eq!(r.status(), 303);
    assert!(
        r.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/sessions?")
    );
    let page = jane.get("/sessions").await.text().await.unwrap();
    assert!(
        page.contains("Session declined. Every waiting case is being reviewed"),
        "{page}"
    );
}

#[tokio::test]
async fn taking_over_a_held_case_is_explicit_and_recorded() {
    let app = spawn_app().await;
    let ids = waiting(&app, 1);
    let (jane, jane_user) = app.signed_in(Role::Reviewer).await;
    let (omar, omar_user) = app.signed_in(Role::Reviewer).await;
    assert_eq!(pull(&jane).await, Some(ids[0]));
    let page = omar
        .get(&format!("/sessions/{}", ids[0]))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("id=\"take-over\""),
        "Omar is offered to take over"
    );
    assert!(page.contains(">Take over</button>"));
    let token = crate::helpers::csrf_from(&page).unwrap();
    let r = omar
        .post(
            &format!("/sessions/{}/assign", ids[0]),
            &[("assignee", "me"), ("queue", "")],
            &token,
        )
        .await;
    assert_eq!(r.status(), 303);
    use sessiondesk::schema::events;
    let details: Vec<serde_json::Value> = events::table
        .filter(events::session_id.eq(ids[0]))
        .filter(events::action.eq("session.assigned"))
        .order(events::id.desc())
        .select(events::details)
        .limit(1)
        .load(&mut app.conn())
        .unwrap();
    assert_eq!(details[0]["via"], "take_over");
    assert_eq!(details[0]["previous"], jane_user.id.to_string());
    assert_eq!(details[0]["assignee"], omar_user.id.to_string());
    let page = jane
        .get(&format!("/sessions/{}", ids[0]))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("took the case over from"),
        "Jane's timeline says so"
    );
}

#[tokio::test]
async fn opening_a_held_case_keeps_the_claim_alive_and_a_colleague_opening_it_does_not() {
    use sessiondesk::schema::sessions;
    let app = spawn_app_idle().await;
    let ids = waiting(&app, 1);
    let (jane, _) = app.signed_in(Role::Reviewer).await;
    let (omar, _) = app.signed_in(Role::Reviewer).await;
    assert_eq!(pull(&jane).await, Some(ids[0]));
    let claimed_at = |app: &TestApp| -> chrono::DateTime<Utc> {
        sessions::table
            .find(ids[0])
            .select(sessions::claimed_at)
            .first::<Option<chrono::DateTime<Utc>>>(&mut app.conn())
            .unwrap()
            .unwrap()
    };
    let idle = Utc::now() - Duration::minutes(20);
    diesel::update(sessions::table.find(ids[0]))
        .set(sessions::claimed_at.eq(idle))
        .execute(&mut app.conn())
        .unwrap();
    // A colleague looking at the case does not keep Jane's claim alive.
    let path = format!("/sessions/{}", ids[0]);
    assert_eq!(omar.get(&path).await.status(), 200);
    assert!(claimed_at(&app) < Utc::now() - Duration::minutes(19));
    // Jane opening it does: 20 minutes idle becomes just now.
    assert_eq!(jane.get(&path).await.status(), 200);
    assert!(claimed_at(&app) > Utc::now() - Duration::minutes(1));
}
