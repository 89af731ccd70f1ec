//! Deliveries across processes: a server killed with SIGKILL between the commit and the
//! delivery loses nothing, and two servers on one database deliver each event once.

use std::collections::HashMap;
use std::time::Duration;

use serde_json::json;

use super::{Receiver, register};
use crate::helpers::{ServerProcess, TestApp, spawn_app_with};

/// A `sessiondesk serve` process delivering webhooks, polling every `poll_ms`.
async fn start(app: &TestApp, poll_ms: u64) -> ServerProcess {
    let poll = poll_ms.to_string();
    ServerProcess::start(
        app,
        &[
            ("WEBHOOK_ALLOW_INSECURE", "true"),
            ("WEBHOOK_ALLOW_PRIVATE", "true"),
            ("WEBHOOK_POLL_MS", &poll),
        ],
    )
    .await
}

/// Creates a session through `server`'s API; its id.
async fn create_session(server: &ServerProcess, key: &str, account: uuid::Uuid) -> String {
    let r = reqwest::Client::new()
        .post(format!("{}/v1/identity/sessions", server.address))
        .header("X-Api-Key", key)
        .header("content-type", "application/vnd.api+json")
        .json(
            &json!({"data": {"type": "session", "attributes": {"entity_type": "person"},
            "relationships": {"account": {"data": {"type": "account", "id": account}}}}}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let body: serde_json::Value = r.json().await.unwrap();
    body["data"]["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_killed_server_loses_no_delivery_and_two_servers_deliver_each_event_once() {
    // This process's own server only arranges the database; it delivers nothing.
    let app = spawn_app_with(|c| c.webhook_deliver = false).await;
    let receiver = Receiver::start(200);
    let (_, secret) = register(&app, &receiver.url(), Some(&["session.created"]));
    let key = app.full_api_key();
    let account = app.api_account(&key).await;

    // A polls once a minute: what it commits now waits for its next poll, which never
    // comes, because it is killed first.
    let mut a = start(&app, 60_000).await;
    let mut created = Vec::new();
    for _ in 0..5 {
        created.push(create_session(&a, &key, account).await);
    }
    a.child.kill().unwrap(); // SIGKILL
    a.child.wait().unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        receiver.received().is_empty(),
        "nothing went out before the kill"
    );

    // Two servers take over the same database, and more events come through both.
    let b = start(&app, 100).await;
    let c = start(&app, 100).await;
    for i in 0..30 {
        let server = if i % 2 == 0 { &b } else { &c };
        created.push(create_session(server, &key, account).await);
    }
    let got = receiver
        .wait_for(Duration::from_secs(30), |got| got.len() >= created.len())
        .await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    let got_after = receiver.received();
    assert_eq!(
        got_after.len(),
        created.len(),
        "first wait saw {}",
        got.len()
    );
    let mut per_session: HashMap<String, usize> = HashMap::new();
    let mut per_id: HashMap<String, usize> = HashMap::new();
    for r in &got_after {
        *per_session
            .entry(r.json()["data"]["id"].as_str().unwrap().to_owned())
            .or_default() += 1;
        *per_id.entry(r.headers["webhook-id"].clone()).or_default() += 1;
    }
    for id in &created {
        assert_eq!(per_session.get(id), Some(&1), "session {id}");
    }
    assert!(per_id.values().all(|n| *n == 1));
    let wh = standardwebhooks::Webhook::new(&secret).unwrap();
    for r in &got_after {
        wh.verify(&r.body, &r.header_map()).unwrap();
    }
}
