//! Reads of personal data leave a trace (ASVS 16.3): a case page opened is a
//! `session.viewed` event (once per user and session in ten minutes), an API read of a
//! session counts against its key, and refused API calls (an unknown key, a missing
//! permission) are audit events, at most one a minute however many arrive.

use chrono::{Duration, Utc};
use diesel::prelude::*;
use sessiondesk::domain::kinds::{Permission, Role};
use sessiondesk::domain::status::SessionStatus;
use sessiondesk::schema::events;
use uuid::Uuid;

use crate::helpers::{ServerProcess, TestApp, spawn_app};
use crate::queue::make;

fn a_session(app: &TestApp) -> Uuid {
    make(
        &mut app.conn(),
        "Anna",
        "Eriksson",
        "crm_reads",
        SessionStatus::Completed,
        Utc::now() - Duration::hours(1),
        None,
    )
    .id
}

fn views(app: &TestApp, session: Uuid, user: Option<Uuid>) -> i64 {
    let mut query = events::table
        .filter(events::action.eq("session.viewed"))
        .filter(events::session_id.eq(session))
        .into_boxed();
    if let Some(user) = user {
        query = query.filter(events::actor_id.eq(user));
    }
    query.count().get_result(&mut app.conn()).unwrap()
}

#[tokio::test]
async fn opening_a_case_page_records_one_view_per_user_in_ten_minutes() {
    let app = spawn_app().await;
    let id = a_session(&app);
    let (reviewer, rita) = app.signed_in(Role::Reviewer).await;
    let path = format!("/sessions/{id}");
    for _ in 0..3 {
        assert_eq!(reviewer.get(&path).await.status(), 200);
    }
    assert_eq!(views(&app, id, Some(rita.id)), 1);
    let (manager, mona) = app.signed_in(Role::Manager).await;
    let html = manager.get(&path).await.text().await.unwrap();
    assert_eq!(views(&app, id, Some(mona.id)), 1);
    assert_eq!(views(&app, id, None), 2);
    // The views are not the case's history: its timeline does not list them.
    assert!(!html.contains("viewed the case"), "{html}");
    // The event names the user and the session, and nothing about the applicant.
    let details: Vec<serde_json::Value> = events::table
        .filter(events::action.eq("session.viewed"))
        .select(events::details)
        .load(&mut app.conn())
        .unwrap();
    for d in details {
        assert!(!d.to_string().contains("Eriksson"));
    }
}

#[tokio::test]
async fn the_audit_log_lists_who_looked_at_a_session_and_the_case_page_links_to_it() {
    let app = spawn_app().await;
    let id = a_session(&app);
    let other = a_session(&app);
    let (reviewer, rita) = app.signed_in(Role::Reviewer).await;
    let (manager, mona) = app.signed_in(Role::Manager).await;
    reviewer.get(&format!("/sessions/{id}")).await;
    manager.get(&format!("/sessions/{id}")).await;
    manager.get(&format!("/sessions/{other}")).await;
    let (admin, _) = app.signed_in(Role::Admin).await;
    let html = admin
        .get(&format!("/sessions/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Who looked at this session"));
    let link = format!("/audit?session={id}&amp;action=session.viewed");
    let link_alt = format!("/audit?session={id}&#38;action=session.viewed");
    assert!(
        html.contains(&link) || html.contains(&link_alt),
        "no link to the viewers"
    );
    let html = reviewer
        .get(&format!("/sessions/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(!html.contains("Who looked at this session"));

    let r = admin
        .get(&format!("/audit?session={id}&action=session.viewed"))
        .await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains(&rita.display_name), "{html}");
    assert!(html.contains(&mona.display_name));
    assert_eq!(html.matches("viewed the case").count(), 3, "{html}");
}

#[tokio::test]
async fn read_counts_kept_in_memory_are_shown_at_once_and_written_when_the_server_stops() {
    // This process's own server arranges; the counting one writes once a minute.
    let app = spawn_app().await;
    let writer = app.full_api_key();
    let account = app.api_account(&writer).await;
    let session = app.api_session(&writer, account).await.id();
    let reader = app.api_key(&[Permission::SessionsRead]);
    let mut server = ServerProcess::start(
        &app,
        &[("READ_COUNT_FLUSH_MS", "60000"), ("REQUIRE_MFA", "off")],
    )
    .await;
    let client = reqwest::Client::new();
    for _ in 0..3 {
        let r = client
            .get(format!("{}/v1/identity/sessions/{session}", server.address))
            .header("X-Api-Key", &reader)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
    assert_eq!(
        app.written_reads(&reader),
        0,
        "counted in memory, not yet written"
    );

    // An admin on that instance sees them already.
    let user = app.create_user("ada", Role::Admin);
    let mut admin = app.browser();
    admin.address = server.address.clone();
    let r = admin
        .sign_in(&user.username, crate::helpers::PASSWORD)
        .await;
    assert_eq!(r.status(), 303);
    let html = admin.get("/admin/api-keys").await.text().await.unwrap();
    assert!(html.contains("3 today"), "{html}");

    // A graceful stop writes what is left.
    assert!(server.terminate().success());
    assert_eq!(app.written_reads(&reader), 3);
}

#[tokio::test]
async fn an_api_read_of_a_session_counts_against_its_key() {
    let app = spawn_app().await;
    let writer = app.full_api_key();
    let account = app.api_account(&writer).await;
    let session = app.api_session(&writer, account).await.id();
    app.api_session(&writer, account).await;
    let reader = app.api_key(&[Permission::SessionsRead]);
    assert_eq!(app.reads_of(&reader).await, 0);
    let path = format!("/v1/identity/sessions/{session}");
    assert_eq!(app.api("GET", &path, &reader, None).await.status, 200);
    assert_eq!(app.reads_of(&reader).await, 1);
    assert_eq!(app.api("GET", &path, &reader, None).await.status, 200);
    assert_eq!(app.reads_of(&reader).await, 2);
    // A list reads every session it returns.
    let r = app.api("GET", "/v1/identity/sessions", &reader, None).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["data"].as_array().unwrap().len(), 2);
    assert_eq!(app.reads_of(&reader).await, 4);
    // A session that is not there was not read.
    let missing = format!("/v1/identity/sessions/{}", Uuid::new_v4());
    assert_eq!(app.api("GET", &missing, &reader, None).await.status, 404);
    assert_eq!(app.reads_of(&reader).await, 4);
    assert_eq!(app.reads_of(&writer).await, 0);

    let (admin, _) = app.signed_in(Role::Admin).await;
    let html = admin.get("/admin/api-keys").await.text().await.unwrap();
    assert!(html.contains("Session reads"), "{html}");
    assert!(html.contains("4 today"), "{html}");
}

#[tokio::test]
async fn an_unknown_api_key_leaves_one_event_a_minute_per_client_address() {
    let app = spawn_app().await;
    for secret in [
        "sk_test_not_a_key_at_all",
        "sk_test_another_unknown",
        "junk",
    ] {
        let r = app.api("GET", "/v1/identity/sessions", secret, None).await;
        assert_eq!(r.status, 401);
    }
    assert_eq!(app.count_events("api_key.unknown"), 1);
    let (ip, details): (Option<String>, serde_json::Value) = events::table
        .filter(events::action.eq("api_key.unknown"))
        .select((events::ip, events::details))
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(ip.as_deref(), Some("127.0.0.1"));
    // Never the presented secret.
    assert!(!details.to_string().contains("sk_test"));
    // No key at all is not an unknown key.
    let r = app
        .api_raw("GET", "/v1/identity/sessions", None, None, Vec::new())
        .await;
    assert_eq!(r.status, 401);
    assert_eq!(app.count_events("api_key.unknown"), 1);
}

#[tokio::test]
async fn a_forbidden_api_request_leaves_one_event_a_minute_per_key_and_permission() {
    let app = spawn_app().await;
    let key = app.api_key(&[Permission::AccountsRead]);
    for _ in 0..3 {
        let r = app.api("GET", "/v1/identity/sessions", &key, None).await;
        assert_eq!(r.status, 403);
    }
    assert_eq!(app.count_events("api_key.forbidden"), 1);
    let (actor_type, details): (String, serde_json::Value) = events::table
        .filter(events::action.eq("api_key.forbidden"))
        .select((events::actor_type, events::details))
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(actor_type, "api_key");
    assert_eq!(details["permission"], "sessions:read");
    // Another missing permission is another event.
    for _ in 0..2 {
        let r = app
            .api(
                "POST",
                "/v1/identity/accounts",
                &key,
                Some(serde_json::json!({"data": {"type": "account", "attributes": {}}})),
            )
            .await;
        assert_eq!(r.status, 403);
    }
    assert_eq!(app.count_events("api_key.forbidden"), 2);
    // Allowed requests leave none.
    let r = app.api("GET", "/v1/identity/accounts", &key, None).await;
    assert_eq!(r.status, 200);
    assert_eq!(app.count_events("api_key.forbidden"), 2);
    // The audit log says it in words.
    let (admin, _) = app.signed_in(Role::Admin).await;
    let html = admin
        .get("/audit?action=api_key.forbidden")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("sessions:read"), "{html}");
}

#[tokio::test]
async fn an_event_written_once_per_interval_is_written_once_by_concurrent_requests() {
    use sessiondesk::domain::actor::Actor;
    use sessiondesk::store::events::{NewEvent, insert_unless_recent};
    let app = spawn_app().await;
    let id = a_session(&app);
    let user = app.create_user("vera", Role::Reviewer);
    let event = NewEvent::new(Actor::User(user.id), "session.viewed", Some(id));
    let since = Utc::now() - Duration::minutes(10);
    let url = app.db.url.clone();
    let mut first = app.conn();
    // The first request has written its event but not committed yet when the second asks.
    let second = first
        .transaction::<_, diesel::result::Error, _>(|conn| {
            assert!(insert_unless_recent(conn, &event, since, false)?.is_some());
            let event = event.clone();
            let second = std::thread::spawn(move || {
                let mut conn = PgConnection::establish(&url).unwrap();
                insert_unless_recent(&mut conn, &event, since, false)
                    .unwrap()
                    .is_some()
            });
            std::thread::sleep(std::time::Duration::from_millis(500));
            Ok(second)
        })
        .unwrap();
    assert!(!second.join().unwrap(), "the second request wrote it again");
    assert_eq!(views(&app, id, Some(user.id)), 1);
}
