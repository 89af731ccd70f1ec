//! Issue 20, items 3 and 4 over HTTP: a verification goes stale when entered data it
//! compared changes (API `stale`, `stale_fields`; the case page's mark; "Re-run checks"),
//! and approving over a failed or stale check needs a comment (the override reason).

use serde_json::json;
use sessiondesk::domain::kinds::Role;
use uuid::Uuid;

use crate::api_verifications::{Passport, passport_document, verify};
use crate::helpers::{ApiResponse, TestApp, spawn_app};

async fn post(
    app: &TestApp,
    key: &str,
    session: Uuid,
    what: &str,
    body: Option<serde_json::Value>,
) -> ApiResponse {
    app.api(
        "POST",
        &format!("/v1/identity/sessions/{session}/{what}"),
        key,
        body,
    )
    .await
}

/// A session whose entered last name is `last`, with Lindqvist's passport (MRZ and photo),
/// submitted and verified: `completed` when `last` matches, `failed` otherwise.
pub async fn verified_session(app: &TestApp, key: &str, last: &str) -> (Uuid, Uuid) {
    let account = app.api_account(key).await;
    let session = app.api_session(key, account).await.id();
    patch_last_name(app, key, session, last).await;
    let doc = passport_document(app, key, session, &Passport::lindqvist(), true).await;
    assert_eq!(post(app, key, session, "start", None).await.status, 200);
    assert_eq!(post(app, key, session, "submit", None).await.status, 200);
    let v = verify(app, key, session, doc, false).await;
    assert_eq!(v.status, 201, "{:?}", v.body);
    (session, v.id())
}

pub async fn patch_last_name(app: &TestApp, key: &str, session: Uuid, last: &str) {
    let patch = json!({"data": {"type": "session", "id": session, "attributes": {
        "person": {"name": {"first": "Erik", "middle": "Johan", "last": last}, "birth_date": "1985-03-14"}}}});
    let r = app
        .api(
            "PATCH",
            &format!("/v1/identity/sessions/{session}"),
            key,
            Some(patch),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
}

async fn verification(app: &TestApp, key: &str, id: Uuid) -> serde_json::Value {
    let r = app
        .api(
            "GET",
            &format!("/v1/identity/verifications/{id}"),
            key,
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    r.attributes().clone()
}

async fn status(app: &TestApp, key: &str, session: Uuid) -> serde_json::Value {
    let r = app
        .api(
            "GET",
            &format!("/v1/identity/sessions/{session}"),
            key,
            None,
        )
        .await;
    r.attributes().clone()
}

#[tokio::test]
async fn an_edit_of_compared_data_makes_the_verification_stale_in_the_api() {
    let app = spawn_app().await;
    let key = app.full_api_key();
    let (session, v) = verified_session(&app, &key, "Lindqvist").await;
    assert_eq!(status(&app, &key, session).await["status"], "completed");
    let a = verification(&app, &key, v).await;
    assert_eq!(a["status"], "passed");
    assert_eq!(a["stale"], false);
    assert_eq!(a["stale_fields"], json!([]));

    patch_last_name(&app, &key, session, "Lindkvist").await;
    let a = verification(&app, &key, v).await;
    assert_eq!(a["stale"], true);
    assert_eq!(a["stale_fields"], json!(["person.name.last"]));
    assert!(!a.to_string().contains("Lindkvist"), "no values: {a}");
    // The list says the same.
    let list = app
        .api(
            "GET",
            &format!("/v1/identity/verifications?filter[session]={session}"),
            &key,
            None,
        )
        .await;
    assert_eq!(
        list.body["data"][0]["attributes"]["stale_fields"],
        json!(["person.name.last"])
    );

    // Back to what was compared: current again.
    patch_last_name(&app, &key, session, "Lindqvist").await;
    assert_eq!(verification(&app, &key, v).await["stale"], false);
}

#[tokio::test]
async fn approving_over_a_failed_or_stale_check_needs_a_comment() {
    let app = spawn_app().await;
    let key = app.full_api_key();
    // Failed: the entered last name differs from the passport's.
    let (failed, _) = verified_session(&app, &key, "Lindkvist").await;
    assert_eq!(status(&app, &key, failed).await["status"], "failed");
    assert_eq!(
        post(&app, &key, failed, "mark-for-review", None)
            .await
            .status,
        200
    );
    let before = app.fingerprint();
    let r = post(&app, &key, failed, "approve", None).await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(r.pointer(), Some("/data/attributes/comment"));
    let detail = r.body["errors"][0]["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("data_consistency"), "{detail}");
    assert_eq!(app.fingerprint(), before, "nothing was written");
    assert_eq!(
        status(&app, &key, failed).await["status"],
        "marked_for_review"
    );
    let body = json!({"data": {"type": "decision", "attributes": {"comment": "Name transliterated; checked by phone"}}});
    let r = post(&app, &key, failed, "approve", Some(body)).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(
        r.attributes()["decision"]["comment"],
        "Name transliterated; checked by phone"
    );

    // Stale: passed, then the last name was edited.
    let (stale, _) = verified_session(&app, &key, "Lindqvist").await;
    patch_last_name(&app, &key, stale, "Lindkvist").await;
    let r = post(&app, &key, stale, "approve", None).await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(r.pointer(), Some("/data/attributes/comment"));
    assert!(
        r.body.to_string().contains("person.name.last"),
        "{:?}",
        r.body
    );

    // A clean case needs none.
    let (clean, _) = verified_session(&app, &key, "Lindqvist").await;
    assert_eq!(post(&app, &key, clean, "approve", None).await.status, 200);
}

#[tokio::test]
async fn the_case_page_marks_a_stale_check_and_re_runs_it() {
    let app = spawn_app().await;
    let key = app.full_api_key();
    let (session, v) = verified_session(&app, &key, "Lindqvist").await;
    let (browser, _) = app.signed_in(Role::Reviewer).await;
    let page = format!("/sessions/{session}");
    let html = browser.get(&page).await.text().await.unwrap();
    assert!(!html.contains("data-stale"), "current at first");

    // An edit from the case page: the passport's MRZ is stored text, so it re-runs at once.
    let token = browser.csrf(&page).await;
    let r = browser
        .post(
            &format!("{page}/person"),
            &[
                ("first_name", "Erik"),
                ("middle_name", "Johan"),
                ("last_name", "Lindkvist"),
                ("birth_date", "1985-03-14"),
            ],
            &token,
        )
        .await;
    assert_eq!(r.status(), 303);
    let html = browser.get(&page).await.text().await.unwrap();
    assert!(html.contains("Saved: last name."), "flash in words");
    assert!(html.contains("ran again"), "re-run after the edit");
    // The old verification is stale; the new one (shown first) failed and is current.
    assert_eq!(verification(&app, &key, v).await["stale"], true);
    assert!(html.contains("stale: entered last name changed since"));
    assert!(
        html.contains("Override reason"),
        "approving now overrides a failure"
    );

    // Re-run checks by hand: another verification, with its event.
    let events = app.count_events("verification.completed");
    let r = browser.post(&format!("{page}/rerun"), &[], &token).await;
    assert_eq!(r.status(), 303);
    assert_eq!(app.count_events("verification.completed"), events + 1);

    // The approval without a reason: the case page again, 422, its error summary.
    let r = browser
        .post(&format!("{page}/approve"), &[("comment", "")], &token)
        .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("id=\"approve-error\""),
        "the summary is shown"
    );
    assert!(html.contains("data-refused"), "and focused by decide.js");
}
