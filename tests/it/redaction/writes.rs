//! After a redaction: repeating it changes nothing, every write to the session is refused
//! as "session is redacted", and on the dashboard only an admin who typed the session's
//! short id can redact.

use diesel::prelude::*;
use diesel::sql_types::Text;
use serde_json::{Value, json};
use sessiondesk::domain::actor::Actor;
use sessiondesk::domain::kinds::Role;
use sessiondesk::domain::status::SessionStatus;
use sessiondesk::schema::sessions;
use uuid::Uuid;

use super::{png_with, short};
use crate::api_documents::{document, upload};
use crate::helpers::{TestApp, spawn_app};
use crate::queue::make;

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = Text)]
    row: String,
}

/// Every row, with the id of the transaction that last wrote it (so that even an update
/// to the same values shows), of every table a write to a session could touch.
pub fn snapshot(app: &TestApp) -> Vec<String> {
    let mut out = Vec::new();
    for table in [
        "accounts",
        "sessions",
        "session_devices",
        "documents",
        "document_files",
        "verifications",
        "verification_checks",
        "notes",
        "events",
        "idempotency_keys",
    ] {
        // Reads and refusals are audited; they are not writes to the session.
        let only_writes = if table == "events" {
            format!(
                "WHERE t.action NOT IN ({})",
                crate::helpers::read_audit_sql()
            )
        } else {
            String::new()
        };
        let rows: Vec<Row> = diesel::sql_query(format!(
            "SELECT '{table} ' || t.xmin::text || ' ' || t::text AS row FROM {table} t \
             {only_writes} ORDER BY 1"
        ))
        .load(&mut app.conn())
        .unwrap();
        out.extend(rows.into_iter().map(|r| r.row));
    }
    out
}

/// A completed session with personal data and an ID document; (session, document).
async fn completed_with_document(app: &TestApp, key: &str) -> (Uuid, Uuid) {
    let account = app.api_account(key).await;
    let id = app.api_session(key, account).await.id();
    let body = json!({"data": {"type": "session", "id": id, "attributes": {
        "person": {"name": {"first": "Zqxwrite", "last": "Zqxwritelast"}},
        "contact": {"email": "zqx.write@example.org"}}}});
    let r = app
        .api(
            "PATCH",
            &format!("/v1/identity/sessions/{id}"),
            key,
            Some(body),
        )
        .await;
    assert_eq!(r.status, 200);
    let doc = document(app, key, id, false).await;
    let r = upload(
        app,
        key,
        doc,
        "front",
        "a.png",
        &png_with("Zqxwritefile"),
        None,
    )
    .await;
    assert_eq!(r.status, 201);
    app.set_status(id, "completed");
    (id, doc)
}

#[tokio::test]
async fn repeating_a_redaction_succeeds_and_changes_nothing() {
    let app = spawn_app().await;
    let key = app.full_api_key();
    let (id, _) = completed_with_document(&app, &key).await;
    let (admin, _) = app.signed_in(Role::Admin).await;
    let path = format!("/v1/identity/sessions/{id}/redact");
    let first = app.api("POST", &path, &key, None).await;
    assert_eq!(first.status, 200, "{:?}", first.body);
    assert_eq!(first.attributes()["person"], Value::Null);
    assert_eq!(first.attributes()["status"], "completed");
    let before = snapshot(&app);

    let again = app.api("POST", &path, &key, None).await;
    assert_eq!(again.status, 200);
    assert_eq!(
        again.attributes()["redacted_at"],
        first.attributes()["redacted_at"]
    );
    let case = format!("/sessions/{id}");
    let token = admin.csrf(&case).await;
    let r = admin
        .post(
            &format!("{case}/redact"),
            &[("confirm", short(id).as_str())],
            &token,
        )
        .await;
    assert_eq!(r.status(), 303);
    let html = admin.get(&case).await.text().await.unwrap();
    assert!(html.contains("had already been redacted"), "no notice");
    let redacted =
        sessiondesk::service::redaction::redact_session(&mut app.conn(), id, Actor::System)
            .unwrap();
    assert!(!redacted.newly);

    assert_eq!(snapshot(&app), before, "a repeat wrote something");
    assert_eq!(app.count_events("session.redacted"), 1);
}

#[tokio::test]
async fn every_write_to_a_redacted_session_is_refused_as_redacted() {
    let app = spawn_app().await;
    let key = app.full_api_key();
    let (id, doc) = completed_with_document(&app, &key).await;
    let (reviewer, _) = app.signed_in(Role::Reviewer).await;
    let r = app
        .api(
            "POST",
            &format!("/v1/identity/sessions/{id}/redact"),
            &key,
            None,
        )
        .await;
    assert_eq!(r.status, 200);
    let before = snapshot(&app);

    // The API: 409 naming the redaction, whatever the status would otherwise allow.
    let session = format!("/v1/identity/sessions/{id}");
    let attempts: Vec<(&str, String, Option<Value>)> = vec![
        (
            "PATCH",
            session.clone(),
            Some(json!({"data": {"type": "session", "id": id,
                "attributes": {"person": {"name": {"first": "Again"}}}}})),
        ),
        ("POST", format!("{session}/approve"), None),
        (
            "POST",
            format!("{session}/decline"),
            Some(json!({"data": {"type": "decision", "attributes": {"reason": "other"}}})),
        ),
        ("POST", format!("{session}/mark-for-review"), None),
        ("POST", format!("{session}/expire"), None),
        ("POST", format!("{session}/start"), None),
        ("POST", format!("{session}/submit"), None),
        (
            "POST",
            "/v1/identity/documents/idvs".to_owned(),
            Some(
                json!({"data": {"type": "document/idv", "attributes": {"document_type": "passport"},
                "relationships": {"session": {"data": {"type": "session", "id": id}}}}}),
            ),
        ),
        (
            "POST",
            "/v1/identity/verifications".to_owned(),
            Some(
                json!({"data": {"type": "verification/idv", "relationships": {
                "document": {"data": {"type": "document/idv", "id": doc}},
                "session": {"data": {"type": "session", "id": id}}},
                "meta": {"auto_update_session": true}}}),
            ),
        ),
    ];
    for (method, path, body) in attempts {
        let r = app.api(method, &path, &key, body).await;
        assert_eq!(r.status, 409, "{method} {path}: {:?}", r.body);
        let detail = r.body["errors"][0]["detail"].as_str().unwrap_or("");
        assert!(
            detail.contains("session is redacted"),
            "{method} {path}: {detail}"
        );
    }
    let r = upload(&app, &key, doc, "back", "b.png", &png_with("x"), None).await;
    assert_eq!(r.status, 409, "{:?}", r.body);
    assert!(
        r.body["errors"][0]["detail"]
            .as_str()
            .unwrap_or("")
            .contains("session is redacted")
    );

    // The dashboard: each form is refused with a 409 page saying so.
    let case = format!("/sessions/{id}");
    let token = reviewer.csrf(&case).await;
    let forms: [(&str, &[(&str, &str)]); 8] = [
        ("person", &[("first_name", "Again")]),
        ("use-document", &[("field", "last_name")]),
        ("approve", &[]),
        ("decline", &[("reason", "other")]),
        ("mark-for-review", &[]),
        ("expire", &[]),
        ("notes", &[("body", "again")]),
        ("assign", &[("assignee", "me")]),
    ];
    for (action, form) in forms {
        let r = reviewer
            .post(&format!("{case}/{action}"), form, &token)
            .await;
        assert_eq!(r.status(), 409, "{action}");
        let html = r.text().await.unwrap();
        assert!(html.contains("session is redacted"), "{action}: no refusal");
    }
    assert_eq!(snapshot(&app), before, "a refused write wrote something");
}

#[tokio::test]
async fn the_dashboard_redacts_only_for_an_admin_who_typed_the_short_id() {
    let app = spawn_app().await;
    let m = make(
        &mut app.conn(),
        "Zqxconfirm",
        "Person",
        "crm_confirm",
        SessionStatus::Completed,
        chrono::Utc::now(),
        None,
    );
    let id = m.id;
    let case = format!("/sessions/{id}");
    let redact = format!("{case}/redact");
    let (admin, _) = app.signed_in(Role::Admin).await;
    let (reviewer, _) = app.signed_in(Role::Reviewer).await;
    let (manager, _) = app.signed_in(Role::Manager).await;
    let before = snapshot(&app);

    let token = admin.csrf(&case).await;
    let r = admin.post(&redact, &[("confirm", "")], &token).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("id=\"redact-confirm-error\""),
        "no field error"
    );
    assert!(
        html.contains("confirm: type this session"),
        "field not named"
    );
    assert!(html.contains("Nothing was redacted."));
    assert!(html.contains("Zqxconfirm"), "the case is not shown again");
    let wrong = if short(id) == "00000000" {
        "11111111"
    } else {
        "00000000"
    };
    let r = admin.post(&redact, &[("confirm", wrong)], &token).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("confirm: does not match"), "field not named");
    let full = id.to_string();
    let r = admin.post(&redact, &[("confirm", &full)], &token).await;
    assert_eq!(r.status(), 422, "the whole id is not the short id");
    let r = admin.post_raw(&redact, &[("confirm", &short(id))]).await;
    assert_eq!(r.status(), 403, "no CSRF token");

    for (role, browser) in [(Role::Reviewer, &reviewer), (Role::Manager, &manager)] {
        let html = browser.get(&case).await.text().await.unwrap();
        assert!(!html.contains("redact-confirm"), "{role:?} sees the form");
        let token = browser.csrf(&case).await;
        let r = browser
            .post(&redact, &[("confirm", &short(id))], &token)
            .await;
        assert_eq!(r.status(), 403, "{role:?}");
    }
    assert_eq!(
        snapshot(&app),
        before,
        "a refused redaction wrote something"
    );

    let r = admin
        .post(&redact, &[("confirm", &short(id).to_uppercase())], &token)
        .await;
    assert_eq!(r.status(), 303);
    let redacted: Option<chrono::DateTime<chrono::Utc>> = sessions::table
        .find(id)
        .select(sessions::redacted_at)
        .first(&mut app.conn())
        .unwrap();
    assert!(redacted.is_some());
    let audit = admin
        .get(&format!("/audit?session={id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        audit.contains("redacted the session"),
        "not in the audit log"
    );
}
