//! The lifecycle core against a real database: conditional transitions, their events, and
//! what happens when reviewers race.

use std::sync::{Arc, Barrier};

use chrono::{Duration, Utc};
use diesel::prelude::*;
use sessiondesk::domain::actor::Actor;
use sessiondesk::domain::kinds::{ActorType, DeclineReason};
use sessiondesk::domain::status::{Action, SessionStatus};
use sessiondesk::error::AppError;
use sessiondesk::schema::{events, sessions};
use sessiondesk::service::expiry;
use sessiondesk::service::transitions::{self, Request};
use sessiondesk::store::accounts::{self, NewAccount};
use sessiondesk::store::sessions::{self as session_store, NewSession};
use uuid::Uuid;

use crate::helpers::spawn_app;

/// A session in `status`, created directly in the database.
pub fn session_in(conn: &mut PgConnection, status: SessionStatus) -> Uuid {
    let account = accounts::insert(conn, &NewAccount::default()).unwrap();
    let s = session_store::insert(
        conn,
        &NewSession {
            id: None,
            account_id: account.id,
            status: Some(status),
            creator_type: ActorType::System,
            creator_id: None,
            required_verifications: None,
            expires_at: Utc::now() + Duration::days(7),
            last_activity: None,
        },
    )
    .unwrap();
    s.id
}

fn decision_events(conn: &mut PgConnection, id: Uuid) -> i64 {
    events::table
        .filter(events::session_id.eq(id))
        .filter(events::action.eq_any(["session.approved", "session.declined"]))
        .count()
        .get_result(conn)
        .unwrap()
}

#[tokio::test]
async fn twenty_concurrent_decisions_on_one_session_make_exactly_one_decision() {
    let app = spawn_app().await;
    let id = session_in(&mut app.conn(), SessionStatus::Completed);
    let barrier = Arc::new(Barrier::new(20));
    let handles: Vec<_> = (0..20)
        .map(|i| {
            let pool = app.pool.clone();
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                let mut conn = pool.get().unwrap();
                let actor = Actor::User(Uuid::new_v4());
                let request = if i % 2 == 0 {
                    Request::approve(actor, None)
                } else {
                    Request::decline(actor, DeclineReason::DataMismatch, None)
                };
                barrier.wait();
                transitions::apply(&mut conn, id, &request)
            })
        })
        .collect();
    let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let wins = results.iter().filter(|r| r.is_ok()).count();
    let conflicts = results
        .iter()
        .filter(|r| matches!(r, Err(AppError::Conflict(_))))
        .count();
    assert_eq!((wins, conflicts), (1, 19), "{results:?}");
    let mut conn = app.conn();
    assert_eq!(decision_events(&mut conn, id), 1);
    let (status, decision): (String, Option<String>) = sessions::table
        .find(id)
        .select((sessions::status, sessions::decision))
        .first(&mut conn)
        .unwrap();
    assert_eq!(Some(status), decision);
}

#[tokio::test]
async fn a_transition_sets_its_timestamp_and_writes_one_event_with_both_statuses() {
    let app = spawn_app().await;
    let mut conn = app.conn();
    let id = session_in(&mut conn, SessionStatus::Created);
    let s = transitions::apply(&mut conn, id, &Request::new(Action::Start, Actor::System)).unwrap();
    assert_eq!(s.status.as_str(), "started");
    assert!(s.started_at.is_some());
    let rows: Vec<(String, Option<String>, Option<String>)> = events::table
        .filter(events::session_id.eq(id))
        .select((events::action, events::from_status, events::to_status))
        .load(&mut conn)
        .unwrap();
    assert_eq!(
        rows,
        vec![(
            "session.started".to_owned(),
            Some("created".to_owned()),
            Some("started".to_owned())
        )]
    );
}

#[tokio::test]
async fn an_unknown_session_is_not_found_and_a_wrong_status_is_a_conflict_naming_it() {
    let app = spawn_app().await;
    let mut conn = app.conn();
    let missing = transitions::apply(
        &mut conn,
        Uuid::new_v4(),
        &Request::approve(Actor::System, None),
    );
    assert!(matches!(missing, Err(AppError::NotFound(_))), "{missing:?}");
    let id = session_in(&mut conn, SessionStatus::Pending);
    match transitions::apply(&mut conn, id, &Request::approve(Actor::System, None)) {
        Err(AppError::Conflict(conflict)) => {
            let message = conflict.to_string();
            assert!(message.contains("pending"), "{message}")
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    // Nothing was written.
    let count: i64 = events::table
        .filter(events::session_id.eq(id))
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(count, 0);
}

#[tokio::test]
async fn a_decline_records_its_reason_and_decider_apart_from_the_status() {
    let app = spawn_app().await;
    let mut conn = app.conn();
    let id = session_in(&mut conn, SessionStatus::MarkedForReview);
    let reviewer = Uuid::new_v4();
    let s = transitions::apply(
        &mut conn,
        id,
        &Request::decline(
            Actor::User(reviewer),
            DeclineReason::DocumentExpired,
            Some("passport expired in 2021".into()),
        ),
    )
    .unwrap();
    assert_eq!(s.status.as_str(), "declined");
    assert_eq!(s.decision.map(|d| d.as_str()), Some("declined"));
    assert_eq!(
        s.decision_reason.map(|r| r.as_str()),
        Some("document_expired")
    );
    assert_eq!(s.decided_by, Some(reviewer));
    assert_eq!(s.decided_by_type.map(|t| t.as_str()), Some("user"));
    assert!(s.decisioned_at.is_some());
    // The event says there was a comment, never what it said.
    let details: serde_json::Value = events::table
        .filter(events::session_id.eq(id))
        .select(events::details)
        .first(&mut conn)
        .unwrap();
    assert_eq!(
        details,
        serde_json::json!({ "reason": "document_expired", "comment": true })
    );
}

#[tokio::test]
async fn a_redacted_session_refuses_every_transition() {
    let app = spawn_app().await;
    let mut conn = app.conn();
    let id = session_in(&mut conn, SessionStatus::Completed);
    diesel::update(sessions::table.find(id))
        .set(sessions::redacted_at.eq(Utc::now()))
        .execute(&mut conn)
        .unwrap();
    match transitions::apply(&mut conn, id, &Request::approve(Actor::System, None)) {
        Err(AppError::Conflict(conflict)) => {
            assert_eq!(conflict.to_string(), "session is redacted")
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
}

#[tokio::test]
async fn the_expiry_job_expires_overdue_open_sessions_and_leaves_fresh_ones_alone() {
    let app = spawn_app().await;
    let mut conn = app.conn();
    let overdue = session_in(&mut conn, SessionStatus::Started);
    let fresh = session_in(&mut conn, SessionStatus::Started);
    let decided_overdue = session_in(&mut conn, SessionStatus::Completed);
    for id in [overdue, decided_overdue] {
        diesel::update(sessions::table.find(id))
            .set(sessions::expires_at.eq(Utc::now() - Duration::minutes(5)))
            .execute(&mut conn)
            .unwrap();
    }
    let n = expiry::expire_batch(&mut conn, 100).unwrap();
    assert_eq!(n, 1);
    let status = |conn: &mut PgConnection, id: Uuid| -> String {
        sessions::table
            .find(id)
            .select(sessions::status)
            .first(conn)
            .unwrap()
    };
    assert_eq!(status(&mut conn, overdue), "expired");
    assert_eq!(status(&mut conn, fresh), "started");
    assert_eq!(status(&mut conn, decided_overdue), "completed");
    let expired_events: i64 = events::table
        .filter(events::session_id.eq(overdue))
        .filter(events::action.eq("session.expired"))
        .filter(events::actor_type.eq("system"))
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(expired_events, 1);
    // A second run finds nothing left to do.
    assert_eq!(expiry::expire_batch(&mut conn, 100).unwrap(), 0);
}
