//! The retention policy (`REDACT_AFTER_DAYS`): sessions decided, expired, or failed and
//! left so longer ago than the policy allows are redacted by the system, a bounded batch at
//! a time; open, waiting and recently closed sessions are left alone.

use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use sessiondesk::domain::status::SessionStatus;
use sessiondesk::schema::{events, sessions};
use sessiondesk::service::redaction::redact_due;
use uuid::Uuid;

use crate::helpers::{TestApp, spawn_app_with};
use crate::queue::make;

/// Which timestamp of a session to move into the past.
#[derive(Clone, Copy)]
enum Stamp {
    Decisioned,
    Expired,
    Failed,
    Completed,
}

/// A session in `status` named `first`, whose `stamp` lies `days` days back.
fn closed(app: &TestApp, first: &str, status: SessionStatus, stamp: Stamp, days: i64) -> Uuid {
    let mut conn = app.conn();
    let m = make(
        &mut conn,
        first,
        "Retained",
        &format!("crm_{first}"),
        status,
        Utc::now() - Duration::days(days + 10),
        None,
    );
    let at = Some(Utc::now() - Duration::days(days));
    let target = sessions::table.find(m.id);
    match stamp {
        Stamp::Decisioned => diesel::update(target)
            .set(sessions::decisioned_at.eq(at))
            .execute(&mut conn),
        Stamp::Expired => diesel::update(target)
            .set(sessions::expired_at.eq(at))
            .execute(&mut conn),
        Stamp::Failed => diesel::update(target)
            .set(sessions::failed_at.eq(at))
            .execute(&mut conn),
        Stamp::Completed => diesel::update(target)
            .set(sessions::completed_at.eq(at))
            .execute(&mut conn),
    }
    .unwrap();
    m.id
}

/// (first name, redacted_by_type, redacted_at) of a session.
fn state(app: &TestApp, id: Uuid) -> (Option<String>, Option<String>, Option<DateTime<Utc>>) {
    sessions::table
        .find(id)
        .select((
            sessions::first_name,
            sessions::redacted_by_type,
            sessions::redacted_at,
        ))
        .first(&mut app.conn())
        .unwrap()
}

#[tokio::test]
async fn the_retention_policy_redacts_sessions_closed_long_ago_and_nothing_else() {
    let app = spawn_app_with(|_| {}).await;
    use SessionStatus as S;
    let due = [
        closed(&app, "Oldapproved", S::Approved, Stamp::Decisioned, 40),
        closed(&app, "Olddeclined", S::Declined, Stamp::Decisioned, 40),
        closed(&app, "Oldexpired", S::Expired, Stamp::Expired, 40),
        closed(&app, "Oldfailed", S::Failed, Stamp::Failed, 40),
    ];
    let kept = [
        closed(&app, "Freshapproved", S::Approved, Stamp::Decisioned, 2),
        closed(&app, "Freshexpired", S::Expired, Stamp::Expired, 29),
        // Still waiting for a reviewer, however old.
        closed(&app, "Oldcompleted", S::Completed, Stamp::Completed, 400),
        closed(&app, "Oldreview", S::MarkedForReview, Stamp::Failed, 400),
    ];

    // Bounded batches: two, two, then nothing left.
    let mut conn = app.conn();
    assert_eq!(redact_due(&mut conn, 30, 2).unwrap(), 2);
    assert_eq!(redact_due(&mut conn, 30, 2).unwrap(), 2);
    assert_eq!(redact_due(&mut conn, 30, 2).unwrap(), 0);

    for id in due {
        let (first, by, at) = state(&app, id);
        assert_eq!(first, None, "{id} keeps its name");
        assert_eq!(by.as_deref(), Some("system"));
        assert!(at.is_some());
        let event: Vec<(String, Option<Uuid>, serde_json::Value)> = events::table
            .filter(events::session_id.eq(id))
            .filter(events::action.eq("session.redacted"))
            .select((events::actor_type, events::actor_id, events::details))
            .load(&mut conn)
            .unwrap();
        assert_eq!(event.len(), 1);
        assert_eq!(event[0].0, "system");
        assert_eq!(event[0].1, None);
        assert_eq!(event[0].2["via"], "retention");
    }
    for id in kept {
        let (first, by, at) = state(&app, id);
        assert!(first.is_some(), "{id} lost its name");
        assert_eq!((by, at), (None, None));
    }
}

#[tokio::test]
async fn the_background_job_applies_the_policy_only_when_it_is_set() {
    let fast = StdDuration::from_millis(100);
    let on = spawn_app_with(|c| {
        c.redact_after_days = Some(30);
        c.expiry_interval = fast;
    })
    .await;
    let off = spawn_app_with(|c| c.expiry_interval = fast).await;
    let old_on = closed(&on, "Jobon", SessionStatus::Approved, Stamp::Decisioned, 31);
    let fresh_on = closed(
        &on,
        "Jobfresh",
        SessionStatus::Approved,
        Stamp::Decisioned,
        1,
    );
    let old_off = closed(
        &off,
        "Joboff",
        SessionStatus::Approved,
        Stamp::Decisioned,
        3650,
    );

    let mut waited = 0;
    while state(&on, old_on).2.is_none() {
        assert!(waited < 100, "the job did not redact within 10 s");
        tokio::time::sleep(fast).await;
        waited += 1;
    }
    // Several more ticks of both jobs.
    tokio::time::sleep(fast * 5).await;
    assert!(state(&on, fresh_on).2.is_none());
    assert!(
        state(&off, old_off).2.is_none(),
        "redacted with the policy off"
    );
    assert_eq!(state(&on, old_on).1.as_deref(), Some("system"));
}
