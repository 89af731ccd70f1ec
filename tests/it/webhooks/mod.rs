//! Webhooks end to end: a real receiver on loopback takes the deliveries, which are
//! verified with the `standardwebhooks` crate, not with the server's own code.

mod processes;
pub(crate) mod receiver;

use std::collections::HashMap;
use std::time::Duration;

use chrono::{NaiveDate, Utc};
use diesel::prelude::*;
use serde_json::json;
use sessiondesk::domain::actor::Actor;
use sessiondesk::domain::kinds::Role;
use sessiondesk::service::webhooks::{self, EndpointInput, Reach};
use uuid::Uuid;

pub use receiver::{Received, Receiver};

use crate::api_documents::upload;
use crate::api_verifications::Passport;
use crate::helpers::{TestApp, spawn_app_with};

/// A server whose deliveries may go to plain-HTTP loopback receivers, polling often.
pub async fn spawn_delivering_app() -> TestApp {
    spawn_app_with(|c| {
        c.webhook_allow_insecure = true;
        c.webhook_allow_private = true;
        c.webhook_poll = Duration::from_millis(100);
    })
    .await
}

/// Registers an endpoint for `url` (every event unless `events`); its secret.
pub fn register(app: &TestApp, url: &str, events: Option<&[&str]>) -> (Uuid, String) {
    let input = EndpointInput {
        url: url.to_owned(),
        description: "test receiver".to_owned(),
        events: events.map(|e| e.iter().map(|s| (*s).to_owned()).collect()),
    };
    let reach = Reach {
        allow_insecure: true,
        allow_private: true,
    };
    let checked = webhooks::validate(&input, reach).unwrap();
    let endpoint = webhooks::create(&mut app.conn(), checked, Actor::System).unwrap();
    (endpoint.id, endpoint.secret)
}

/// Every delivery verifies with the endpoint's secret, by the reference implementation.
fn assert_signed(secret: &str, got: &[receiver::Received]) {
    let wh = standardwebhooks::Webhook::new(secret).unwrap();
    for r in got {
        wh.verify(&r.body, &r.header_map())
            .unwrap_or_else(|e| panic!("{e:?}: {:?}", r.headers));
    }
}

/// How many deliveries of each event type arrived.
fn by_type(got: &[receiver::Received]) -> HashMap<String, usize> {
    let mut n = HashMap::new();
    for r in got {
        *n.entry(r.json()["type"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    n
}

const LIFECYCLE: &[&str] = &[
    "session.created",
    "document.created",
    "document.file_uploaded",
    "session.started",
    "session.submitted",
    "verification.completed",
    "session.completed",
    "session.approved",
];

#[tokio::test]
async fn a_session_from_creation_to_approval_reaches_the_receiver_once_per_event_signed_and_without_personal_data()
 {
    let app = spawn_delivering_app().await;
    let receiver = Receiver::start(200);
    let (_, secret) = register(&app, &receiver.url(), None);
    assert!(secret.starts_with("whsec_"));
    let key = app.full_api_key();

    // Through the API: an account, a session with the applicant's name, an ID.
    let account = app
        .api(
            "POST",
            "/v1/identity/accounts",
            &key,
            Some(json!({"data": {"type": "account", "attributes": {"external_id": "crm_hook_7"}}})),
        )
        .await;
    assert_eq!(account.status, 201, "{}", account.body);
    let session = app
        .api(
            "POST",
            "/v1/identity/sessions",
            &key,
            Some(json!({"data": {"type": "session", "attributes": {"entity_type": "person",
                "person": {"name": {"first": "Anna", "last": "Eriksson"}, "birth_date": "1974-08-12"},
                "contact": {"email": "anna.eriksson@example.com"}},
                "relationships": {"account": {"data": {"type": "account", "id": account.id()}}}}})),
        )
        .await;
    assert_eq!(session.status, 201, "{}", session.body);
    let id = session.id();
    let passport = Passport {
        surname: "ERIKSSON",
        given: "ANNA",
        birth: NaiveDate::from_ymd_opt(1974, 8, 12).unwrap(),
        expiry: Utc::now().date_naive() + chrono::Duration::days(3 * 365),
        number: "L898902C3",
    };
    let doc = app
        .api(
            "POST",
            "/v1/identity/documents/idvs",
            &key,
            Some(
                json!({"data": {"type": "document/idv", "attributes": {"document_type": "passport",
                "mrz": passport.mrz()},
                "relationships": {"session": {"data": {"type": "session", "id": id}}}}}),
            ),
        )
        .await;
    assert_eq!(doc.status, 201, "{}", doc.body);
    let file = upload(
        &app,
        &key,
        doc.id(),
        "front",
        "passport.png",
        &passport.png(),
        None,
    )
    .await;
    assert_eq!(file.status, 201, "{}", file.body);
    for action in ["start", "submit"] {
        let r = app
            .api(
                "POST",
                &format!("/v1/identity/sessions/{id}/{action}"),
                &key,
                None,
            )
            .await;
        assert_eq!(r.status, 200, "{action}: {}", r.body);
    }
    let verification = app
        .api(
            "POST",
            "/v1/identity/verifications",
            &key,
            Some(
                json!({"data": {"type": "verification/idv", "relationships": {
                "document": {"data": {"type": "document/idv", "id": doc.id()}},
                "session": {"data": {"type": "session", "id": id}}},
                "meta": {"auto_update_session": true}}}),
            ),
        )
        .await;
    assert_eq!(verification.status, 201, "{}", verification.body);

    // In the dashboard: a reviewer approves.
    let (reviewer, _) = app.signed_in(Role::Reviewer).await;
    let token = reviewer.csrf(&format!("/sessions/{id}")).await;
    let r = reviewer
        .post(&format!("/sessions/{id}/approve"), &[], &token)
        .await;
    assert!(
        r.status().is_redirection() || r.status() == 200,
        "{}",
        r.status()
    );

    receiver
        .wait_for(Duration::from_secs(20), |got| {
            LIFECYCLE.iter().all(|t| by_type(got).contains_key(*t))
        })
        .await;
    // Anything still in flight would arrive within a few polls.
    tokio::time::sleep(Duration::from_millis(800)).await;
    let got = receiver.received();
    let counts = by_type(&got);
    for t in LIFECYCLE {
        assert_eq!(counts.get(*t), Some(&1), "{t}: {counts:?}");
    }
    assert_eq!(got.len(), LIFECYCLE.len(), "{counts:?}");
    assert_signed(&secret, &got);

    let mut ids: Vec<String> = got
        .iter()
        .map(|r| r.headers["webhook-id"].clone())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), got.len(), "every event has its own id");
    for r in &got {
        let body = r.json();
        assert_eq!(body["id"], r.headers["webhook-id"].as_str());
        assert!(body["created_at"].is_string());
        let text = String::from_utf8_lossy(&r.body).to_lowercase();
        for pii in [
            "anna",
            "eriksson",
            "1974",
            "l898902c3",
            "crm_hook_7",
            "example.com",
        ] {
            assert!(!text.contains(pii), "{pii} in {text}");
        }
    }
    let approved = got
        .iter()
        .map(receiver::Received::json)
        .find(|b| b["type"] == "session.approved")
        .unwrap();
    assert_eq!(approved["data"]["type"], "session");
    assert_eq!(approved["data"]["id"], id.to_string());
    assert_eq!(approved["data"]["attributes"]["status"], "approved");
    let uploaded = got
        .iter()
        .map(receiver::Received::json)
        .find(|b| b["type"] == "document.file_uploaded")
        .unwrap();
    assert_eq!(uploaded["data"]["id"], doc.id().to_string());
    assert_eq!(uploaded["data"]["attributes"]["session_id"], id.to_string());
}

/// Every delivery row of the test's database: (event type, status, attempts).
fn deliveries(app: &TestApp) -> Vec<(String, String, i32)> {
    use sessiondesk::schema::webhook_deliveries as d;
    d::table
        .select((d::event_type, d::status, d::attempts))
        .load(&mut app.conn())
        .unwrap()
}

#[tokio::test]
async fn after_an_outage_every_event_arrives_with_its_attempts_counted() {
    let app = spawn_delivering_app().await;
    let receiver = Receiver::start(503);
    let (endpoint, secret) = register(&app, &receiver.url(), Some(&["session.created"]));
    let key = app.full_api_key();
    let account = app.api_account(&key).await;
    let mut sessions = Vec::new();
    for _ in 0..3 {
        sessions.push(app.api_session(&key, account).await.id());
    }
    // The first attempt of each fails; the second comes about 5 s later and fails too.
    let got = receiver
        .wait_for(Duration::from_secs(20), |got| got.len() >= 6)
        .await;
    assert_eq!(got.len(), 6, "two attempts each: {}", got.len());
    assert!(got.iter().all(|r| r.answered == 503));
    let rows = deliveries(&app);
    assert!(
        rows.iter().all(|(_, s, a)| s == "pending" && *a == 2),
        "{rows:?}"
    );

    // The receiver is back. The next attempt is due in about 5 minutes; bring it forward.
    receiver.answer(200);
    diesel::sql_query("UPDATE webhook_deliveries SET next_attempt_at = now()")
        .execute(&mut app.conn())
        .unwrap();
    let got = receiver
        .wait_for(Duration::from_secs(20), |got| got.len() >= 9)
        .await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    let got_after = receiver.received();
    assert_eq!(
        got_after.len(),
        9,
        "one more attempt each, no more: {}",
        got.len()
    );
    assert_signed(&secret, &got_after);
    // Per event: three attempts, the same id and body each time, only the last taken.
    let mut per_event: HashMap<String, Vec<&receiver::Received>> = HashMap::new();
    for r in &got_after {
        per_event
            .entry(r.headers["webhook-id"].clone())
            .or_default()
            .push(r);
    }
    assert_eq!(per_event.len(), 3);
    for attempts in per_event.values() {
        assert_eq!(attempts.len(), 3);
        assert_eq!(
            attempts.iter().map(|r| r.answered).collect::<Vec<_>>(),
            [503, 503, 200]
        );
        assert!(attempts.iter().all(|r| r.body == attempts[0].body));
    }
    let rows = deliveries(&app);
    assert!(
        rows.iter().all(|(_, s, a)| s == "succeeded" && *a == 3),
        "{rows:?}"
    );
    // Each attempt is recorded once, with its status.
    let statuses: Vec<(i32, Option<i32>)> = {
        use sessiondesk::schema::webhook_attempts as a;
        a::table
            .select((a::attempt, a::status))
            .order((a::delivery_id, a::attempt))
            .load(&mut app.conn())
            .unwrap()
    };
    assert_eq!(statuses.len(), 9);
    for chunk in statuses.chunks(3) {
        assert_eq!(chunk, [(1, Some(503)), (2, Some(503)), (3, Some(200))]);
    }
    let _ = (endpoint, sessions);
}

#[tokio::test]
async fn an_endpoint_answering_410_is_disabled_and_gets_nothing_more() {
    let app = spawn_delivering_app().await;
    let receiver = Receiver::start(410);
    let (endpoint, _) = register(&app, &receiver.url(), Some(&["session.created"]));
    let key = app.full_api_key();
    let account = app.api_account(&key).await;
    app.api_session(&key, account).await;
    receiver
        .wait_for(Duration::from_secs(10), |got| !got.is_empty())
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (enabled, reason): (bool, Option<String>) = {
        use sessiondesk::schema::webhook_endpoints as e;
        e::table
            .find(endpoint)
            .select((e::enabled, e::disabled_reason))
            .first(&mut app.conn())
            .unwrap()
    };
    assert!(!enabled);
    assert_eq!(reason.as_deref(), Some("gone"));
    assert_eq!(deliveries(&app)[0].1, "failed");
    assert_eq!(app.count_events("webhook_endpoint.disabled"), 1);
    // Later events are not queued for it.
    app.api_session(&key, account).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(receiver.received().len(), 1);
    assert_eq!(deliveries(&app).len(), 1);
}

#[tokio::test]
async fn deliveries_never_dial_a_private_address_even_when_the_saved_url_named_one() {
    // The endpoints were saved while private addresses were allowed; the server that
    // delivers does not allow them, so it refuses at connect time.
    let app = spawn_app_with(|c| {
        c.webhook_allow_insecure = true;
        c.webhook_poll = Duration::from_millis(100);
    })
    .await;
    let receiver = Receiver::start(200);
    let port = receiver.addr.port();
    register(
        &app,
        &format!("http://127.0.0.1:{port}/a"),
        Some(&["session.created"]),
    );
    register(
        &app,
        &format!("http://localhost:{port}/b"),
        Some(&["session.created"]),
    );
    let key = app.full_api_key();
    let account = app.api_account(&key).await;
    app.api_session(&key, account).await;
    let mut errors: Vec<Option<String>> = Vec::new();
    for _ in 0..100 {
        use sessiondesk::schema::webhook_deliveries as d;
        errors = d::table
            .filter(d::attempts.ge(1))
            .select(d::last_error)
            .load(&mut app.conn())
            .unwrap();
        if errors.len() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(errors.len(), 2, "both were attempted");
    for e in &errors {
        let e = e.as_deref().unwrap_or_default();
        assert!(e.starts_with("refused"), "{e}");
    }
    assert!(
        receiver.received().is_empty(),
        "nothing reached the receiver"
    );
}

#[tokio::test]
async fn deliveries_are_written_with_the_event_and_rolled_back_with_it() {
    use sessiondesk::store::events::{self, NewEvent};
    let app = spawn_delivering_app().await;
    let receiver = Receiver::start(200);
    register(&app, &receiver.url(), Some(&["session.expired"]));
    let key = app.full_api_key();
    let account = app.api_account(&key).await;
    let session = app.api_session(&key, account).await.id();
    let mut conn = app.conn();
    let rolled_back: Result<(), diesel::result::Error> = conn.transaction(|c| {
        events::insert(
            c,
            &NewEvent::new(Actor::System, "session.expired", Some(session)),
        )?;
        Err(diesel::result::Error::RollbackTransaction)
    });
    assert!(rolled_back.is_err());
    assert!(
        deliveries(&app).is_empty(),
        "a rolled-back change queues nothing"
    );
    conn.transaction(|c| {
        events::insert(
            c,
            &NewEvent::new(Actor::System, "session.expired", Some(session)),
        )?;
        // Not yet committed: no worker sees it.
        assert_eq!(deliveries(&app).len(), 0);
        Ok::<_, diesel::result::Error>(())
    })
    .unwrap();
    assert_eq!(
        deliveries(&app).len(),
        1,
        "a committed one queues its delivery"
    );
    let got = receiver
        .wait_for(Duration::from_secs(10), |got| !got.is_empty())
        .await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].json()["data"]["id"], session.to_string());
}
