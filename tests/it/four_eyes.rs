//! Four eyes (issue 18, item 5): with `FOUR_EYES=redaction` an admin's redaction is a
//! request that a second admin approves or rejects, never the requester; with `decline`
//! too, a reviewer's decline waits for a second reviewer. Pending requests are listed for
//! those who may decide them, expire after 7 days, and every step is an event.

use chrono::{Duration, Utc};
use diesel::prelude::*;
use sessiondesk::domain::approvals::FourEyes;
use sessiondesk::domain::kinds::Role;
use sessiondesk::domain::status::SessionStatus as S;
use sessiondesk::schema::{approval_requests, sessions};
use uuid::Uuid;

use crate::helpers::{Browser, TestApp, spawn_app_with};
use crate::queue::make;
use crate::redaction::scan::{assert_gone, scan};
use crate::redaction::{PLACES, full_session, markers, short};

async fn spawn(four_eyes: FourEyes) -> TestApp {
    spawn_app_with(|c| c.four_eyes = four_eyes).await
}

fn pending_request(app: &TestApp, session: Uuid) -> Option<Uuid> {
    approval_requests::table
        .filter(approval_requests::session_id.eq(session))
        .filter(approval_requests::status.eq("pending"))
        .select(approval_requests::id)
        .first(&mut app.conn())
        .optional()
        .unwrap()
}

fn redacted(app: &TestApp, id: Uuid) -> bool {
    sessions::table
        .find(id)
        .select(sessions::redacted_at)
        .first::<Option<chrono::DateTime<Utc>>>(&mut app.conn())
        .unwrap()
        .is_some()
}

async fn step(b: &Browser, request: Uuid, what: &str, back: &str) -> String {
    let token = b.csrf("/approvals").await;
    let r = b
        .post(
            &format!("/approvals/{request}/{what}"),
            &[("back", back)],
            &token,
        )
        .await;
    assert_eq!(r.status(), 303, "{what}");
    b.get(back).await.text().await.unwrap()
}

#[tokio::test]
async fn a_redaction_waits_for_a_second_admin_and_then_leaves_nothing() {
    let app = spawn(FourEyes::default()).await;
    let key = app.full_api_key();
    let (reviewer, _) = app.signed_in(Role::Reviewer).await;
    let full = full_session(&app, &key, &reviewer).await;
    let id = full.id;
    let case = format!("/sessions/{id}");

    let (ada, _) = app.signed_in(Role::Admin).await;
    let html = ada.get(&case).await.text().await.unwrap();
    assert!(html.contains("Ask to redact this session"));
    let token = ada.csrf(&case).await;
    let r = ada
        .post(
            &format!("{case}/redact"),
            &[("confirm", &short(id)), ("queue", "")],
            &token,
        )
        .await;
    assert_eq!(r.status(), 303);
    let html = ada.get(&case).await.text().await.unwrap();
    assert!(
        html.contains("Redaction requested: another admin must approve it"),
        "flash"
    );
    assert!(
        html.contains("id=\"own-request\""),
        "the requester is told it waits"
    );
    assert!(
        !html.contains("id=\"approve-request\""),
        "no approve button for the requester"
    );
    assert!(!redacted(&app, id), "nothing is removed yet");
    let request = pending_request(&app, id).expect("a pending request");
    assert_eq!(app.count_events("redaction.requested"), 1);

    // The requester cannot approve their own, even by posting the form.
    let html = step(&ada, request, "approve", &case).await;
    assert!(
        html.contains("someone else must approve or reject it"),
        "{html}"
    );
    assert!(!redacted(&app, id));
    // Asking twice is refused while one waits.
    let r = ada
        .post(
            &format!("{case}/redact"),
            &[("confirm", &short(id)), ("queue", "")],
            &token,
        )
        .await;
    assert_eq!(r.status(), 409);

    // A second admin finds it on /approvals and approves: the scan is clean.
    let (bea, _) = app.signed_in(Role::Admin).await;
    let list = bea.get("/approvals").await.text().await.unwrap();
    assert!(
        list.contains(&format!("id=\"approval-{request}\"")),
        "{list}"
    );
    let html = step(&bea, request, "approve", &case).await;
    assert!(html.contains("Approved: the personal data is redacted."));
    assert!(redacted(&app, id));
    assert_gone(&scan(&mut app.conn(), &markers(PLACES)));
    assert_eq!(app.count_events("redaction.approved"), 1);
    assert!(
        html.contains("approved") && html.contains("request for a redaction"),
        "timeline"
    );
    assert!(pending_request(&app, id).is_none());
}

#[tokio::test]
async fn a_rejected_or_withdrawn_or_expired_request_changes_nothing() {
    let app = spawn(FourEyes::default()).await;
    let ids: Vec<Uuid> = (0..3)
        .map(|i| {
            make(
                &mut app.conn(),
                "Eve",
                &format!("Kept{i}"),
                "crm_4e",
                S::Approved,
                Utc::now(),
                None,
            )
            .id
        })
        .collect();
    let (ada, _) = app.signed_in(Role::Admin).await;
    let (bea, _) = app.signed_in(Role::Admin).await;
    for id in &ids {
        let case = format!("/sessions/{id}");
        let token = ada.csrf(&case).await;
        let r = ada
            .post(
                &format!("{case}/redact"),
                &[("confirm", &short(*id)), ("queue", "")],
                &token,
            )
            .await;
        assert_eq!(r.status(), 303);
    }
    let requests: Vec<Uuid> = ids
        .iter()
        .map(|id| pending_request(&app, *id).unwrap())
        .collect();
    // A reviewer may not decide a redaction.
    let (rita, _) = app.signed_in(Role::Reviewer).await;
    let token = rita.csrf("/approvals").await;
    let r = rita
        .post(
            &format!("/approvals/{}/approve", requests[0]),
            &[("back", "/approvals")],
            &token,
        )
        .await;
    assert_eq!(r.status(), 403);

    step(&bea, requests[0], "reject", "/approvals").await;
    step(&ada, requests[1], "withdraw", "/approvals").await;
    diesel::update(approval_requests::table.find(requests[2]))
        .set(approval_requests::expires_at.eq(Utc::now() - Duration::minutes(1)))
        .execute(&mut app.conn())
        .unwrap();
    let html = step(&bea, requests[2], "approve", "/approvals").await;
    assert!(html.contains("this request has expired"), "{html}");
    assert_eq!(
        sessiondesk::service::approvals::expire_due(&mut app.conn(), Utc::now(), 100).unwrap(),
        1
    );
    for id in &ids {
        assert!(!redacted(&app, *id));
    }
    let statuses: Vec<String> = approval_requests::table
        .order(approval_requests::created_at.asc())
        .select(approval_requests::status)
        .load(&mut app.conn())
        .unwrap();
    assert_eq!(statuses, ["rejected", "withdrawn", "expired"]);
    for action in [
        "redaction.rejected",
        "redaction.withdrawn",
        "redaction.expired",
    ] {
        assert_eq!(app.count_events(action), 1, "{action}");
    }
}

#[tokio::test]
async fn with_declines_on_a_decline_waits_for_a_second_reviewer() {
    let app = spawn(FourEyes {
        redaction: true,
        decline: true,
    })
    .await;
    let id = make(
        &mut app.conn(),
        "Dan",
        "Declined",
        "crm_4d",
        S::Completed,
        Utc::now(),
        None,
    )
    .id;
    let case = format!("/sessions/{id}");
    let (rita, _) = app.signed_in(Role::Reviewer).await;
    let token = rita.csrf(&case).await;
    let r = rita
        .post(
            &format!("{case}/decline"),
            &[
                ("reason", "document_expired"),
                ("comment", "Expired in March"),
                ("queue", ""),
            ],
            &token,
        )
        .await;
    assert_eq!(r.status(), 303);
    let status: String = sessions::table
        .find(id)
        .select(sessions::status)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(status, "completed", "still open");
    let request = pending_request(&app, id).unwrap();
    let (sam, sam_user) = app.signed_in(Role::Reviewer).await;
    let html = sam.get(&case).await.text().await.unwrap();
    assert!(
        html.contains("id=\"approve-request\""),
        "the second reviewer may approve"
    );
    assert!(html.contains("Expired in March"));
    let html = step(&sam, request, "approve", &case).await;
    assert!(html.contains("Approved: the session is declined."));
    let (status, decided_by): (String, Option<Uuid>) = sessions::table
        .find(id)
        .select((sessions::status, sessions::decided_by))
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(status, "declined");
    assert_eq!(decided_by, Some(sam_user.id), "the approver decides");
    assert_eq!(app.count_events("decline.approved"), 1);
    assert_eq!(app.count_events("session.declined"), 1);
}
