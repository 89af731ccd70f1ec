//! Deliveries across processes: a server killed with SIGKILL between the commit and the
//! delivery loses nothing, and two servers on one database deliver each event once.

use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;

use super::{Receiver, register};
use crate::helpers::{TestApp, spawn_app_with};

/// A `sessiondesk serve` process on the test's database.
struct Server {
    child: Child,
    address: String,
}

impl Server {
    async fn start(app: &TestApp, poll_ms: u64) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(env!("CARGO_BIN_EXE_sessiondesk"))
            .arg("serve")
            .env("DATABASE_URL", &app.db.url)
            .env("BIND", format!("127.0.0.1:{port}"))
            .env("COOKIE_SECURE", "false")
            .env("WEBHOOK_ALLOW_INSECURE", "true")
            .env("WEBHOOK_ALLOW_PRIVATE", "true")
            .env("WEBHOOK_POLL_MS", poll_ms.to_string())
            .env("DATABASE_POOL_SIZE", "4")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Made before the wait, so that a server that never answers is killed on the panic.
        let server = Server {
            child,
            address: format!("http://127.0.0.1:{port}"),
        };
        let address = server.address.clone();
        let started = Instant::now();
        loop {
            if let Ok(r) = reqwest::get(format!("{address}/healthz")).await
                && r.status().is_success()
            {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "the server starts"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        server
    }

    /// Creates a session through this server's API; its id.
    async fn create_session(&self, key: &str, account: uuid::Uuid) -> String {
        let r = reqwest::Client::new()
            .post(format!("{}/v1/identity/sessions", self.address))
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
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
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
    let mut a = Server::start(&app, 60_000).await;
    let mut created = Vec::new();
    for _ in 0..5 {
        created.push(a.create_session(&key, account).await);
    }
    a.child.kill().unwrap(); // SIGKILL
    a.child.wait().unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        receiver.received().is_empty(),
        "nothing went out before the kill"
    );

    // Two servers take over the same database, and more events come through both.
    let b = Server::start(&app, 100).await;
    let c = Server::start(&app, 100).await;
    for i in 0..30 {
        let server = if i % 2 == 0 { &b } else { &c };
        created.push(server.create_session(&key, account).await);
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
