//! The queue's rows kept per instance (`web::sessions::pages`): a page read once is served
//! again from memory, and a change made anywhere is on the next page every instance
//! serves (issue 19's rule for any cache).

use std::time::Duration as StdDuration;

use chrono::Utc;
use diesel::prelude::*;
use sessiondesk::domain::kinds::Role;
use sessiondesk::domain::status::SessionStatus;

use crate::instances::{get_on, mark_for_review, pair};
use crate::queue::make;

const QUEUE: &str = "/sessions?status=marked_for_review&sort=newest";

/// The queue's HTML on `address`.
async fn queue(address: &str, cookie: &str) -> String {
    let r = get_on(address, QUEUE, cookie).await;
    assert_eq!(r.status(), 200);
    r.text().await.unwrap()
}

/// Polls the queue on `address` for up to a second until `found` holds of it.
async fn until(address: &str, cookie: &str, what: &str, found: impl Fn(&str) -> bool) {
    let started = std::time::Instant::now();
    while !found(&queue(address, cookie).await) {
        assert!(
            started.elapsed() < StdDuration::from_secs(1),
            "the other instance's queue still lacks {what}"
        );
        tokio::time::sleep(StdDuration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_change_anywhere_is_in_every_instances_queue_rows_on_the_next_page() {
    let (a, b) = pair().await;
    let (me, _) = a.signed_in(Role::Reviewer).await;
    let (colleague, _) = a.signed_in(Role::Reviewer).await;
    let now = Utc::now();
    let hours = |h| now - chrono::Duration::hours(h);
    let (waiting, first, second) = {
        let mut conn = a.conn();
        let waiting = make(
            &mut conn,
            "Cyrus",
            "Waiting",
            "ext-w",
            SessionStatus::MarkedForReview,
            hours(4),
            None,
        );
        let first = make(
            &mut conn,
            "Annika",
            "First",
            "ext-1",
            SessionStatus::Completed,
            hours(3),
            None,
        );
        let second = make(
            &mut conn,
            "Bodil",
            "Second",
            "ext-2",
            SessionStatus::Completed,
            hours(2),
            None,
        );
        (waiting.id, first.id, second.id)
    };
    // Signing in was a write of this reviewer's: for a little while every instance reads
    // afresh for them. Wait that out, so that B keeps what it reads.
    tokio::time::sleep(sessiondesk::app::fresh::CLOCK_MARGIN + StdDuration::from_millis(300)).await;
    let cookie = me.cookie_header();
    let html = queue(&b, &cookie).await;
    assert!(html.contains("Cyrus"));
    assert!(!html.contains("Annika"));

    // Kept, not read per page: a change Postgres does not announce (triggers off for this
    // connection only) is not seen...
    {
        let mut conn = a.conn();
        diesel::sql_query("SET session_replication_role = replica")
            .execute(&mut conn)
            .unwrap();
        diesel::sql_query("UPDATE sessions SET first_name = 'Unheard' WHERE id = $1")
            .bind::<diesel::sql_types::Uuid, _>(waiting)
            .execute(&mut conn)
            .unwrap();
    }
    let html = queue(&b, &cookie).await;
    assert!(html.contains("Cyrus") && !html.contains("Unheard"));

    // ...while a colleague's decision through A is, within the moment B takes to hear of it.
    mark_for_review(&colleague, first).await;
    until(&b, &cookie, "the colleague's case", |h| {
        h.contains("Annika")
    })
    .await;
    assert!(queue(&b, &cookie).await.contains("Unheard"));

    // The reviewer's own change through A, and at once their next page from B.
    mark_for_review(&me, second).await;
    let cookie = me.cookie_header();
    assert!(queue(&b, &cookie).await.contains("Bodil"));

    // A redaction anywhere (here by a job), once B keeps the page again: the name leaves
    // B's queue.
    tokio::time::sleep(sessiondesk::app::fresh::CLOCK_MARGIN + StdDuration::from_millis(300)).await;
    assert!(queue(&b, &cookie).await.contains("Unheard"));
    sessiondesk::service::redaction::redact_session(
        &mut a.conn(),
        waiting,
        sessiondesk::domain::actor::Actor::System,
    )
    .unwrap();
    until(&b, &cookie, "the redaction", |h| !h.contains("Unheard")).await;
    assert!(queue(&b, &cookie).await.contains("Annika"));
}
