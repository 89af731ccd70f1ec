//! CSV export of a queue view (issue 18, item 6): streamed in batches, columns from a fixed
//! list, masked for managers as on screen, formulas neutralised, every export an audit event
//! with its filters (never the search), columns and row count; bad input is a 422 that
//! names the field and records nothing.

use std::collections::BTreeSet;

use chrono::{Duration, Utc};
use diesel::prelude::*;
use sessiondesk::domain::kinds::Role;
use sessiondesk::domain::status::SessionStatus as S;
use uuid::Uuid;

use crate::helpers::{Browser, TestApp, spawn_app};
use crate::queue::make;

async fn csv(b: &Browser, query: &str) -> (reqwest::StatusCode, String, String) {
    let r = b.get(&format!("/sessions/export.csv?{query}")).await;
    let status = r.status();
    let kind = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, kind, r.text().await.unwrap())
}

fn exports(app: &TestApp) -> Vec<serde_json::Value> {
    use sessiondesk::schema::events;
    events::table
        .filter(events::action.eq("sessions.exported"))
        .order(events::id.asc())
        .select(events::details)
        .load(&mut app.conn())
        .unwrap()
}

#[tokio::test]
async fn a_queue_exports_as_csv_with_the_columns_asked_for_and_an_audit_event() {
    let app = spawn_app().await;
    let mut conn = app.conn();
    let now = Utc::now();
    let anna = make(
        &mut conn,
        "Anna",
        "Eriksson",
        "crm_e1",
        S::Completed,
        now - Duration::hours(3),
        None,
    );
    make(
        &mut conn,
        "=cmd|' /C calc'!A0",
        "Sneaky",
        "crm_e2",
        S::Completed,
        now - Duration::hours(2),
        None,
    );
    make(
        &mut conn,
        "Olle",
        "Approved",
        "crm_e3",
        S::Approved,
        now - Duration::hours(1),
        None,
    );
    let (reviewer, _) = app.signed_in(Role::Reviewer).await;

    let (status, kind, body) = csv(&reviewer, "status=completed&sort=oldest").await;
    assert_eq!(status, 200);
    assert_eq!(kind, "text/csv; charset=utf-8");
    let lines: Vec<&str> = body.lines().collect();
    assert!(lines[0].starts_with("Session id,Status,Applicant,Email,Account,Created,"));
    assert_eq!(
        lines.len(),
        3,
        "the header and two completed sessions: {body}"
    );
    assert!(lines[1].starts_with(&format!("{},completed,Anna Eriksson,", anna.id)));
    assert!(
        lines[2].contains("\"'=cmd|' /C calc'!A0 Sneaky\""),
        "a formula is neutralised: {}",
        lines[2]
    );

    let (_, _, body) = csv(
        &reviewer,
        "status=completed&sort=oldest&columns=status&columns=id",
    )
    .await;
    assert_eq!(body.lines().next(), Some("Session id,Status"));
    assert_eq!(
        body.lines().nth(1),
        Some(format!("{},completed", anna.id).as_str())
    );

    let events = exports(&app);
    assert_eq!(events.len(), 2);
    assert_eq!(events[0]["rows"], 2);
    assert_eq!(events[0]["finished"], true);
    assert_eq!(events[0]["query"], "status=completed&sort=oldest");
    assert_eq!(events[1]["columns"], serde_json::json!(["id", "status"]));

    // A search is applied but never recorded: the event says only that there was one.
    let (_, _, body) = csv(&reviewer, "q=Eriksson&every_status=1").await;
    assert_eq!(body.lines().count(), 2, "{body}");
    let last = exports(&app).pop().unwrap();
    assert_eq!(last["searched"], true);
    assert!(!last.to_string().contains("Eriksson"), "{last}");
    // The audit log says it in words.
    let (admin, _) = app.signed_in(Role::Admin).await;
    let audit = crate::queue::unescape(
        &admin
            .get("/audit?action=sessions.exported")
            .await
            .text()
            .await
            .unwrap(),
    );
    assert!(
        audit.contains("exported 2 sessions to CSV (status=completed&sort=oldest)"),
        "{audit}"
    );
}

#[tokio::test]
async fn managers_export_masked_and_bad_input_is_refused_without_a_record() {
    let app = spawn_app().await;
    let mut conn = app.conn();
    make(
        &mut conn,
        "Anna",
        "Eriksson",
        "crm_m1",
        S::Completed,
        Utc::now(),
        None,
    );
    let (manager, _) = app.signed_in(Role::Manager).await;
    let (status, _, body) = csv(
        &manager,
        "status=completed&columns=applicant&columns=email&columns=account",
    )
    .await;
    assert_eq!(status, 200);
    let row = body.lines().nth(1).unwrap();
    assert!(row.starts_with("A*** E*******,"), "{row}");
    assert!(
        !body.contains("Anna") && !body.contains("Eriksson") && !body.contains("crm_m1"),
        "{body}"
    );

    let (status, _, body) = csv(&manager, "columns=password_hash").await;
    assert_eq!(status, 422);
    assert!(
        body.contains("columns") && body.contains("password_hash"),
        "{body}"
    );
    let (status, _, body) = csv(&manager, "status=bogus").await;
    assert_eq!(status, 422);
    assert!(body.contains("bogus"), "{body}");
    assert_eq!(
        exports(&app).len(),
        1,
        "only the export that ran is recorded"
    );
}

#[tokio::test]
async fn thousands_of_rows_stream_in_batches_each_row_once() {
    let app = spawn_app().await;
    sessiondesk::seed::generate(&app.db.url, 2_500).unwrap();
    let (admin, _) = app.signed_in(Role::Admin).await;
    let (status, _, body) = csv(&admin, "sort=newest&columns=id").await;
    assert_eq!(status, 200);
    let ids: Vec<Uuid> = body
        .lines()
        .skip(1)
        .map(|l| Uuid::parse_str(l).unwrap())
        .collect();
    let distinct: BTreeSet<Uuid> = ids.iter().copied().collect();
    assert_eq!(ids.len(), 2_500);
    assert_eq!(distinct.len(), 2_500, "no row twice across the batch edges");
    assert_eq!(exports(&app).pop().unwrap()["rows"], 2_500);
}
