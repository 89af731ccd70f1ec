//! Service levels (issue 18, item 4): every waiting case has a due time, shown on the queue
//! and the case page, with "due soon" and "breached" filters and a due-first sort; the
//! background job reports each breach once — with two instances too — as a
//! `session.sla_breached` event and webhook; `/queues` counts breaches and draws their trend.

use std::time::Duration as StdDuration;

use chrono::{Duration, Utc};
use diesel::prelude::*;
use sessiondesk::domain::kinds::Role;
use sessiondesk::domain::sla::Targets;
use sessiondesk::domain::status::SessionStatus as S;
use sessiondesk::schema::sessions;
use sessiondesk::service::sla::record_breaches;
use uuid::Uuid;

use crate::helpers::Browser;
use crate::helpers::{TestApp, spawn_app, spawn_app_with};
use crate::queue::{listed, make, unescape};
use crate::queue_triage::row_of;
use crate::webhooks::receiver::Receiver;
use crate::webhooks::{register, spawn_delivering_app};

/// A case in `status` that started waiting `hours` ago.
fn waiting(app: &TestApp, name: &str, status: S, hours: i64) -> Uuid {
    let mut conn = app.conn();
    let since = Utc::now() - Duration::hours(hours);
    let m = make(
        &mut conn,
        "Ida",
        name,
        &format!("crm-{name}"),
        status,
        since,
        None,
    );
    diesel::update(sessions::table.find(m.id))
        .set(sessions::waiting_since.eq(Some(since)))
        .execute(&mut conn)
        .unwrap();
    m.id
}

async fn listed_at(b: &Browser, path: &str) -> Vec<Uuid> {
    listed(&b.get(path).await.text().await.unwrap())
}

fn breach_events(app: &TestApp, id: Uuid) -> Vec<serde_json::Value> {
    use sessiondesk::schema::events;
    events::table
        .filter(events::session_id.eq(id))
        .filter(events::action.eq("session.sla_breached"))
        .select(events::details)
        .load(&mut app.conn())
        .unwrap()
}

#[tokio::test]
async fn the_queue_shows_due_times_filters_by_them_and_sorts_by_them() {
    // Marked-for-review cases have a 4-hour target here, completed ones the default 24.
    let app = spawn_app_with(|c| c.sla.marked_for_review = 4).await;
    let late = waiting(&app, "Late", S::Completed, 30);
    let soon = waiting(&app, "Soon", S::Completed, 20);
    let fresh = waiting(&app, "Fresh", S::Completed, 1);
    let marked = waiting(&app, "Marked", S::MarkedForReview, 5);
    let (b, _) = app.signed_in(Role::Reviewer).await;

    let html = b.get("/sessions").await.text().await.unwrap();
    assert!(
        row_of(&html, late).contains("breached"),
        "{}",
        row_of(&html, late)
    );
    assert!(row_of(&html, late).contains("breached 6 h ago"));
    assert!(row_of(&html, soon).contains("due soon"));
    assert!(row_of(&html, soon).contains("due in 4 h"));
    let fresh_row = row_of(&html, fresh);
    assert!(
        !fresh_row.contains("breached") && !fresh_row.contains("due soon"),
        "{fresh_row}"
    );
    assert!(
        row_of(&html, marked).contains("breached 1 h ago"),
        "its own 4-hour target"
    );
    assert!(
        html.contains("4 hours for marked for review"),
        "the targets are named"
    );

    let breached = listed_at(&b, "/sessions?sla=breached&sort=due").await;
    assert_eq!(
        breached,
        [late, marked],
        "due first: 6 h over, then 1 h over"
    );
    assert_eq!(listed_at(&b, "/sessions?sla=due_soon").await, [soon]);
    // Due first, the whole work queue: the marked case (due 1 h ago) sorts after the late
    // one (due 6 h ago) though it waited less than the fresh one.
    let all = listed_at(
        &b,
        "/sessions?status=completed&status=marked_for_review&sort=due",
    )
    .await;
    assert_eq!(all, [late, marked, soon, fresh]);
    // "Next" walks the same order from a case: the cursor carries the due time.
    let queue = "queue=status%3Dcompleted%26status%3Dmarked_for_review%26sort%3Ddue";
    for (from, to) in [(late, marked), (marked, soon), (soon, fresh)] {
        let r = b.get(&format!("/sessions/{from}/next?{queue}")).await;
        assert_eq!(r.status(), 303);
        let location = r.headers()["location"].to_str().unwrap().to_owned();
        assert!(
            location.starts_with(&format!("/sessions/{to}?")),
            "after {from}: {location}"
        );
    }
    let chips = b.get("/sessions?sla=breached").await.text().await.unwrap();
    assert!(
        chips.contains("Service level: breached"),
        "the filter shows as a chip"
    );
    let html = unescape(&b.get("/sessions?sla=sideways").await.text().await.unwrap());
    assert!(html.contains("Service level \"sideways\" is not due_soon or breached"));
    let html = b
        .get("/sessions?status=approved&sla=breached")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Only waiting sessions"),
        "a decided case has no due time"
    );

    // The case page says it.
    let case = b
        .get(&format!("/sessions/{late}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        case.contains("breached its service level 6 h ago"),
        "the case page says so"
    );
    let case = b
        .get(&format!("/sessions/{fresh}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(case.contains("due in 23 h"));
}

#[tokio::test]
async fn each_breach_is_reported_once_even_by_two_instances_at_once() {
    let app = spawn_app().await;
    let cases: Vec<Uuid> = (0..30)
        .map(|i| waiting(&app, &format!("Over{i}"), S::Completed, 25 + i))
        .collect();
    let on_time = waiting(&app, "OnTime", S::Completed, 2);
    let targets = Targets::default();
    // Two "instances": two connections running the job at the same moment, small batches.
    let runs: Vec<_> = (0..2)
        .map(|_| {
            let url = app.db.url.clone();
            std::thread::spawn(move || {
                let mut conn = PgConnection::establish(&url).unwrap();
                let mut total = 0;
                loop {
                    let n = record_breaches(&mut conn, &targets, Utc::now(), 4).unwrap();
                    total += n;
                    if n == 0 {
                        return total;
                    }
                }
            })
        })
        .collect();
    let totals: Vec<usize> = runs.into_iter().map(|r| r.join().unwrap()).collect();
    // The server's own job may have reported some at its first tick: 30 in all, once each.
    assert!(totals.iter().sum::<usize>() <= 30, "{totals:?}");
    assert_eq!(app.count_events("session.sla_breached"), 30, "{totals:?}");
    for id in &cases {
        let events = breach_events(&app, *id);
        assert_eq!(events.len(), 1, "one event for {id}");
        assert_eq!(events[0]["status"], "completed");
        assert_eq!(events[0]["target_hours"], 24);
    }
    assert!(breach_events(&app, on_time).is_empty());
    // Later ticks report nothing again.
    assert_eq!(
        record_breaches(&mut app.conn(), &targets, Utc::now(), 100).unwrap(),
        0
    );

    // A new wait is a new clock: marked breached again only once it runs over.
    let (b, _) = app.signed_in(Role::Reviewer).await;
    let token = b.csrf(&format!("/sessions/{}", cases[0])).await;
    let r = b
        .post(
            &format!("/sessions/{}/approve", cases[0]),
            &[("comment", "")],
            &token,
        )
        .await;
    assert_eq!(r.status(), 303);
    let breached_at: Option<chrono::DateTime<Utc>> = sessions::table
        .find(cases[0])
        .select(sessions::sla_breached_at)
        .first(&mut app.conn())
        .unwrap();
    assert!(breached_at.is_some(), "kept after the decision, as history");

    // The manager overview counts them and draws the day's breaches.
    let (m, _) = app.signed_in(Role::Manager).await;
    let html = m.get("/queues").await.text().await.unwrap();
    assert!(
        html.contains("id=\"breached-completed\" class=\"sla-breached\">29<"),
        "29 still waiting"
    );
    assert!(
        html.contains("(30 in 14 days, UTC)"),
        "the trend counts today's 30"
    );
}

#[tokio::test]
async fn a_breach_reaches_a_subscribed_endpoint_with_ids_and_times_only() {
    let app = spawn_delivering_app().await;
    let receiver = Receiver::start(200);
    register(&app, &receiver.url(), Some(&["session.sla_breached"]));
    let id = waiting(&app, "Hooked", S::MarkedForReview, 30);
    assert_eq!(
        record_breaches(&mut app.conn(), &Targets::default(), Utc::now(), 10).unwrap(),
        1
    );
    let got = receiver
        .wait_for(StdDuration::from_secs(20), |r| !r.is_empty())
        .await;
    assert_eq!(got.len(), 1);
    let body = got[0].json();
    assert_eq!(body["type"], "session.sla_breached");
    assert_eq!(body["data"]["id"], id.to_string());
    let attributes = body["data"]["attributes"].as_object().unwrap();
    let mut keys: Vec<&str> = attributes.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["due_at", "status", "target_hours"]);
    assert_eq!(attributes["status"], "marked_for_review");
    let raw = String::from_utf8_lossy(&got[0].body);
    assert!(!raw.contains("Hooked") && !raw.contains("Ida"), "{raw}");
}
