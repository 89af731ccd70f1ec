//! `/v1/identity/webhook-endpoints` (permission `webhooks:manage`): an endpoint's life
//! over the API, its one-time secrets, the refusals that name their field and write
//! nothing (server-side request forgery among them), and its deliveries seen and
//! redelivered to a real receiver.

use std::time::Duration;

use base64::Engine as _;
use diesel::prelude::*;
use serde_json::{Value, json};
use sessiondesk::domain::kinds::Permission;
use uuid::Uuid;

use crate::helpers::{ApiResponse, TestApp, spawn_app, spawn_app_with};
use crate::webhooks::{Receiver, spawn_delivering_app};

const PATH: &str = "/v1/identity/webhook-endpoints";

/// A public address written as a literal, so that no DNS lookup is needed to accept it.
const PUBLIC_URL: &str = "https://93.184.216.34/hooks/sessiondesk";

fn create_body(attributes: Value) -> Value {
    json!({"data": {"type": "webhook_endpoint", "attributes": attributes}})
}

async fn create(app: &TestApp, key: &str, attributes: Value) -> ApiResponse {
    app.api("POST", PATH, key, Some(create_body(attributes)))
        .await
}

async fn patch(app: &TestApp, key: &str, id: Uuid, attributes: Value) -> ApiResponse {
    app.api(
        "PATCH",
        &format!("{PATH}/{id}"),
        key,
        Some(json!({"data": {"type": "webhook_endpoint", "attributes": attributes}})),
    )
    .await
}

/// A key holding `webhooks:manage` only.
fn manager_key(app: &TestApp) -> String {
    app.api_key(&[Permission::WebhooksManage])
}

/// The secret's 32 random bytes, checking its form on the way.
fn secret_bytes(secret: &str) -> Vec<u8> {
    let encoded = secret.strip_prefix("whsec_").expect("whsec_ prefix");
    base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .expect("base64")
}

/// `(url, secret, previous_secret)` of an endpoint as stored.
fn stored(app: &TestApp, id: Uuid) -> (String, String, Option<String>) {
    use sessiondesk::schema::webhook_endpoints as e;
    e::table
        .find(id)
        .select((e::url, e::secret, e::previous_secret))
        .first(&mut app.conn())
        .unwrap()
}

fn count_endpoints(app: &TestApp) -> i64 {
    use sessiondesk::schema::webhook_endpoints as e;
    e::table.count().get_result(&mut app.conn()).unwrap()
}

/// How many events with `action` an API key wrote.
fn events_by_keys(app: &TestApp, action: &str) -> i64 {
    use sessiondesk::schema::events;
    events::table
        .filter(events::action.eq(action))
        .filter(events::actor_type.eq("api_key"))
        .count()
        .get_result(&mut app.conn())
        .unwrap()
}

#[tokio::test]
async fn an_endpoint_is_created_listed_read_changed_rotated_and_deleted() {
    let app = spawn_app().await;
    let key = manager_key(&app);

    // Create: 201, the resource, and the secret this once.
    let created = create(
        &app,
        &key,
        json!({"url": PUBLIC_URL, "description": "CRM sync"}),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert!(created.content_type.starts_with("application/vnd.api+json"));
    let id = created.id();
    let a = created.attributes();
    assert_eq!(created.body["data"]["type"], "webhook_endpoint");
    assert_eq!(a["url"], PUBLIC_URL);
    assert_eq!(a["description"], "CRM sync");
    assert_eq!(a["events"], Value::Null, "no events: every event");
    assert_eq!(a["enabled"], true);
    assert_eq!(a["disabled_reason"], Value::Null);
    assert!(a["created_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(a["previous_secret_expires_at"], Value::Null);
    let secret = a["secret"].as_str().expect("the secret, once").to_owned();
    assert_eq!(secret_bytes(&secret).len(), 32);
    assert_eq!(stored(&app, id).1, secret);
    assert_eq!(
        created.body["data"]["links"]["self"],
        format!("{PATH}/{id}")
    );
    assert_eq!(
        created.body["data"]["relationships"]["deliveries"]["links"]["related"],
        format!("{PATH}/{id}/deliveries")
    );
    assert_eq!(events_by_keys(&app, "webhook_endpoint.created"), 1);

    // Another, for some events only.
    let second = create(
        &app,
        &key,
        json!({"url": "https://93.184.216.34/second", "events": ["session.approved", "session.declined", "session.approved"]}),
    )
    .await;
    assert_eq!(second.status, 201, "{}", second.body);
    assert_eq!(
        second.attributes()["events"],
        json!(["session.approved", "session.declined"]),
        "repeats are dropped"
    );
    assert_eq!(second.attributes()["description"], "");

    // List: newest first, the list shape of every list, no secret.
    let list = app.api("GET", PATH, &key, None).await;
    assert_eq!(list.status, 200, "{}", list.body);
    let ids: Vec<&str> = list.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![second.id().to_string(), id.to_string()]);
    assert_eq!(list.body["meta"]["page"]["size"], 15);
    assert_eq!(list.body["meta"]["page"]["next_cursor"], Value::Null);
    assert!(
        list.body["links"]["self"]
            .as_str()
            .unwrap()
            .starts_with(PATH)
    );
    assert!(
        !list.body.to_string().contains("whsec_"),
        "no secret listed"
    );
    let paged = app
        .api(
            "GET",
            &format!("{PATH}?page[size]=1&page[total]=true"),
            &key,
            None,
        )
        .await;
    assert_eq!(paged.status, 200, "{}", paged.body);
    assert_eq!(paged.body["data"].as_array().unwrap().len(), 1);
    assert_eq!(paged.body["meta"]["page"]["total"], 2);
    let next = paged.body["links"]["next"].as_str().expect("a next page");
    let older = app.api("GET", next, &key, None).await;
    assert_eq!(older.status, 200, "{}", older.body);
    assert_eq!(older.body["data"][0]["id"], id.to_string());
    assert_eq!(older.body["links"]["next"], Value::Null);
    let bad = app
        .api("GET", &format!("{PATH}?filter[url]=x"), &key, None)
        .await;
    assert_eq!((bad.status, bad.parameter()), (400, Some("filter[url]")));

    // Read: no secret.
    let read = app.api("GET", &format!("{PATH}/{id}"), &key, None).await;
    assert_eq!(read.status, 200, "{}", read.body);
    assert_eq!(read.attributes()["url"], PUBLIC_URL);
    assert!(read.attributes().get("secret").is_none());
    assert!(!read.body.to_string().contains(&secret));

    // Change: events, description, URL, then disable and enable.
    let changed = patch(
        &app,
        &key,
        id,
        json!({"events": ["session.approved"], "description": "approvals", "url": "https://93.184.216.34/v2"}),
    )
    .await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    let a = changed.attributes();
    assert_eq!(a["events"], json!(["session.approved"]));
    assert_eq!(a["description"], "approvals");
    assert_eq!(a["url"], "https://93.184.216.34/v2");
    assert!(a.get("secret").is_none());
    assert_eq!(events_by_keys(&app, "webhook_endpoint.updated"), 1);
    let every = patch(&app, &key, id, json!({"events": null, "description": null})).await;
    assert_eq!(every.status, 200, "{}", every.body);
    assert_eq!(every.attributes()["events"], Value::Null);
    assert_eq!(every.attributes()["description"], "");
    let disabled = patch(&app, &key, id, json!({"enabled": false})).await;
    assert_eq!(disabled.status, 200, "{}", disabled.body);
    assert_eq!(disabled.attributes()["enabled"], false);
    assert_eq!(disabled.attributes()["disabled_reason"], "admin");
    assert_eq!(events_by_keys(&app, "webhook_endpoint.disabled"), 1);
    let enabled = app
        .api(
            "PATCH",
            &format!("{PATH}/{id}"),
            &key,
            Some(json!({"data": {"type": "webhook_endpoint", "id": id, "attributes": {"enabled": true}}})),
        )
        .await;
    assert_eq!(enabled.status, 200, "{}", enabled.body);
    assert_eq!(enabled.attributes()["enabled"], true);
    assert_eq!(enabled.attributes()["disabled_reason"], Value::Null);

    // Rotate: a new secret, once; the old one signs for 24 hours more.
    let rotated = app
        .api("POST", &format!("{PATH}/{id}/rotate-secret"), &key, None)
        .await;
    assert_eq!(rotated.status, 200, "{}", rotated.body);
    let new_secret = rotated.attributes()["secret"]
        .as_str()
        .expect("the new secret")
        .to_owned();
    assert_ne!(new_secret, secret);
    assert_eq!(secret_bytes(&new_secret).len(), 32);
    let until = chrono::DateTime::parse_from_rfc3339(
        rotated.attributes()["previous_secret_expires_at"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    let hours =
        (until.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_minutes() as f64 / 60.0;
    assert!((23.9..=24.0).contains(&hours), "{hours}");
    let (_, now_signing, previous) = stored(&app, id);
    assert_eq!(
        (now_signing, previous),
        (new_secret.clone(), Some(secret.clone()))
    );
    assert_eq!(events_by_keys(&app, "webhook_endpoint.secret_rotated"), 1);
    let read = app.api("GET", &format!("{PATH}/{id}"), &key, None).await;
    assert!(!read.body.to_string().contains("whsec_"));

    // Delete: 204, then it is gone.
    let deleted = app.api("DELETE", &format!("{PATH}/{id}"), &key, None).await;
    assert_eq!(deleted.status, 204, "{}", deleted.body);
    assert_eq!(events_by_keys(&app, "webhook_endpoint.deleted"), 1);
    for method in ["GET", "DELETE", "PATCH"] {
        let body = (method == "PATCH")
            .then(|| json!({"data": {"type": "webhook_endpoint", "attributes": {}}}));
        let gone = app.api(method, &format!("{PATH}/{id}"), &key, body).await;
        assert_eq!((gone.status, gone.code()), (404, "not_found"), "{method}");
    }
    let gone = app
        .api("POST", &format!("{PATH}/{id}/rotate-secret"), &key, None)
        .await;
    assert_eq!(gone.status, 404);
    assert_eq!(count_endpoints(&app), 1);
}

#[tokio::test]
async fn a_key_without_webhooks_manage_gets_403_and_no_key_401() {
    let app = spawn_app().await;
    let others: Vec<Permission> = Permission::ALL
        .iter()
        .copied()
        .filter(|p| *p != Permission::WebhooksManage)
        .collect();
    let key = app.api_key(&others);
    let r = create(&app, &key, json!({"url": PUBLIC_URL})).await;
    assert_eq!((r.status, r.code()), (403, "forbidden"));
    assert!(
        r.body["errors"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("webhooks:manage")
    );
    let r = app.api("GET", PATH, &key, None).await;
    assert_eq!(r.status, 403);
    let r = app.api_raw("GET", PATH, None, None, Vec::new()).await;
    assert_eq!((r.status, r.code()), (401, "unauthenticated"));
    assert_eq!(count_endpoints(&app), 0);
}

/// Sends `attributes` to create and expects a 422 on `pointer`, with nothing written.
async fn refused(app: &TestApp, key: &str, attributes: Value, pointer: &str) -> ApiResponse {
    let before = app.fingerprint();
    let r = create(app, key, attributes.clone()).await;
    assert_eq!(r.status, 422, "{attributes}: {}", r.body);
    assert_eq!(r.pointer(), Some(pointer), "{attributes}: {}", r.body);
    assert_eq!(app.fingerprint(), before, "{attributes} wrote");
    r
}

#[tokio::test]
async fn bad_input_is_a_422_naming_the_field_and_writes_nothing() {
    let app = spawn_app().await;
    let key = manager_key(&app);
    let url = "/data/attributes/url";

    let r = refused(&app, &key, json!({"url": "http://93.184.216.34/"}), url).await;
    assert!(
        r.body["errors"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("https")
    );
    refused(&app, &key, json!({"url": "https://127.0.0.1:5432/"}), url).await;
    refused(
        &app,
        &key,
        json!({"url": "https://169.254.169.254/latest/meta-data/"}),
        url,
    )
    .await;
    refused(&app, &key, json!({"url": "https://10.0.0.1/"}), url).await;
    refused(&app, &key, json!({"url": "https://[::1]/"}), url).await;
    // A host name is looked up: localhost resolves to loopback.
    refused(&app, &key, json!({"url": "https://localhost/"}), url).await;
    refused(&app, &key, json!({"url": "not a url"}), url).await;
    refused(
        &app,
        &key,
        json!({"url": "https://user:pw@93.184.216.34/"}),
        url,
    )
    .await;
    refused(
        &app,
        &key,
        json!({"url": format!("https://93.184.216.34/{}", "a".repeat(2048))}),
        url,
    )
    .await;
    let r = refused(
        &app,
        &key,
        json!({"url": PUBLIC_URL, "events": ["session.approved", "session.bogus"]}),
        "/data/attributes/events",
    )
    .await;
    assert!(
        r.body["errors"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("session.bogus")
    );
    refused(
        &app,
        &key,
        json!({"url": PUBLIC_URL, "events": []}),
        "/data/attributes/events",
    )
    .await;
    refused(
        &app,
        &key,
        json!({"url": PUBLIC_URL, "description": "x".repeat(501)}),
        "/data/attributes/description",
    )
    .await;
    refused(
        &app,
        &key,
        json!({"url": PUBLIC_URL, "description": "two\nlines"}),
        "/data/attributes/description",
    )
    .await;
    let r = refused(&app, &key, json!({"description": "no url"}), url).await;
    assert_eq!(r.code(), "missing_field");

    // Every bad field at once is named.
    let r = refused(
        &app,
        &key,
        json!({"url": "http://93.184.216.34/", "events": ["nope"]}),
        url,
    )
    .await;
    let pointers: Vec<&str> = r.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["source"]["pointer"].as_str().unwrap())
        .collect();
    assert_eq!(pointers, vec![url, "/data/attributes/events"]);

    // Wrong type, unknown members, null: the API's usual answers.
    let before = app.fingerprint();
    let r = app
        .api(
            "POST",
            PATH,
            &key,
            Some(json!({"data": {"type": "webhook", "attributes": {"url": PUBLIC_URL}}})),
        )
        .await;
    assert_eq!(
        (r.status, r.code(), r.pointer()),
        (409, "type_mismatch", Some("/data/type"))
    );
    let r = create(
        &app,
        &key,
        json!({"url": PUBLIC_URL, "secret": "whsec_mine"}),
    )
    .await;
    assert_eq!(
        (r.status, r.code(), r.pointer()),
        (400, "unknown_field", Some("/data/attributes/secret"))
    );
    let r = create(
        &app,
        &key,
        json!({"url": PUBLIC_URL, "events": "session.approved"}),
    )
    .await;
    assert_eq!(
        (r.status, r.pointer()),
        (422, Some("/data/attributes/events"))
    );
    assert_eq!(app.fingerprint(), before);
    assert_eq!(count_endpoints(&app), 0);
}

/// A host name that `/etc/hosts` maps to a private address (`.ci/run` writes the line).
const INTRANET_HOST: &str = "intranet.sessiondesk.test";

#[tokio::test]
async fn a_host_name_resolving_to_a_private_address_is_refused() {
    use std::net::ToSocketAddrs;
    let resolved: Vec<_> = (INTRANET_HOST, 443)
        .to_socket_addrs()
        .map(|a| a.map(|s| s.ip()).collect())
        .unwrap_or_default();
    if resolved.is_empty() {
        assert!(
            std::env::var_os("SESSIONDESK_REQUIRE_HOSTS").is_none(),
            "{INTRANET_HOST} does not resolve: add `10.0.0.1 {INTRANET_HOST}` to /etc/hosts"
        );
        eprintln!("skipped: {INTRANET_HOST} does not resolve on this machine");
        return;
    }
    assert_eq!(resolved, vec![std::net::IpAddr::from([10, 0, 0, 1])]);
    let app = spawn_app().await;
    let key = manager_key(&app);
    let url = "/data/attributes/url";
    let r = refused(
        &app,
        &key,
        json!({"url": format!("https://{INTRANET_HOST}/hooks")}),
        url,
    )
    .await;
    assert!(
        r.body["errors"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("private"),
        "{}",
        r.body
    );
}

#[tokio::test]
async fn with_insecure_allowed_plain_http_passes_but_private_addresses_do_not() {
    let app = spawn_app_with(|c| {
        c.webhook_allow_insecure = true;
        c.webhook_deliver = false;
    })
    .await;
    let key = manager_key(&app);
    let url = "/data/attributes/url";
    refused(&app, &key, json!({"url": "http://127.0.0.1:5432/"}), url).await;
    refused(&app, &key, json!({"url": "http://169.254.169.254/"}), url).await;
    refused(&app, &key, json!({"url": "http://[::ffff:10.0.0.1]/"}), url).await;
    refused(&app, &key, json!({"url": "http://localhost:8080/"}), url).await;
    let ok = create(&app, &key, json!({"url": "http://93.184.216.34/plain"})).await;
    assert_eq!(ok.status, 201, "{}", ok.body);

    // A change to a private address is refused the same way, and changes nothing.
    let id = ok.id();
    let before = app.fingerprint();
    let r = patch(
        &app,
        &key,
        id,
        json!({"url": "http://127.0.0.1:5432/", "description": "kept?"}),
    )
    .await;
    assert_eq!((r.status, r.pointer()), (422, Some(url)), "{}", r.body);
    assert_eq!(app.fingerprint(), before);
    assert_eq!(stored(&app, id).0, "http://93.184.216.34/plain");
}

#[tokio::test]
async fn with_private_addresses_allowed_a_loopback_receiver_is_accepted() {
    let app = spawn_app_with(|c| {
        c.webhook_allow_insecure = true;
        c.webhook_allow_private = true;
        c.webhook_deliver = false;
    })
    .await;
    let key = manager_key(&app);
    let r = create(&app, &key, json!({"url": "http://127.0.0.1:5432/"})).await;
    assert_eq!(r.status, 201, "{}", r.body);
}

#[tokio::test]
async fn patch_refuses_nulls_foreign_ids_and_bad_ids() {
    let app = spawn_app().await;
    let key = manager_key(&app);
    let id = create(&app, &key, json!({"url": PUBLIC_URL})).await.id();
    let before = app.fingerprint();
    for (attributes, pointer) in [
        (json!({"url": null}), "/data/attributes/url"),
        (json!({"enabled": null}), "/data/attributes/enabled"),
        (json!({"enabled": "yes"}), "/data/attributes/enabled"),
        (
            json!({"events": ["session.nope"]}),
            "/data/attributes/events",
        ),
        (
            json!({"description": "y".repeat(501)}),
            "/data/attributes/description",
        ),
    ] {
        let r = patch(&app, &key, id, attributes.clone()).await;
        assert_eq!(
            (r.status, r.pointer()),
            (422, Some(pointer)),
            "{attributes}: {}",
            r.body
        );
    }
    let r = patch(&app, &key, id, json!({"secret": "whsec_x"})).await;
    assert_eq!((r.status, r.code()), (400, "unknown_field"));
    let r = app
        .api(
            "PATCH",
            &format!("{PATH}/{id}"),
            &key,
            Some(json!({"data": {"type": "webhook_endpoint", "id": Uuid::new_v4(), "attributes": {}}})),
        )
        .await;
    assert_eq!((r.status, r.pointer()), (409, Some("/data/id")));
    assert_eq!(app.fingerprint(), before);

    for method in ["GET", "DELETE"] {
        let r = app
            .api(method, &format!("{PATH}/not-a-uuid"), &key, None)
            .await;
        assert_eq!(
            (r.status, r.code(), r.parameter()),
            (400, "invalid_id", Some("id")),
            "{method}"
        );
    }
    let r = app
        .api(
            "GET",
            &format!("{PATH}/{id}/deliveries/not-a-uuid"),
            &key,
            None,
        )
        .await;
    assert_eq!(
        (r.status, r.parameter()),
        (400, Some("delivery_id")),
        "{}",
        r.body
    );
    let r = app
        .api(
            "GET",
            &format!("{PATH}/{}/deliveries", Uuid::new_v4()),
            &key,
            None,
        )
        .await;
    assert_eq!(r.status, 404);
    let r = app
        .api(
            "GET",
            &format!("{PATH}/{id}/deliveries?filter[status]=lost"),
            &key,
            None,
        )
        .await;
    assert_eq!((r.status, r.parameter()), (400, Some("filter[status]")));
}

#[tokio::test]
async fn deliveries_are_listed_and_one_is_redelivered_with_the_same_event_id() {
    let app = spawn_delivering_app().await;
    let receiver = Receiver::start(200);
    let key = app.full_api_key();
    let created = create(
        &app,
        &key,
        json!({"url": receiver.url(), "events": ["session.created"]}),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.id();
    let secret = created.attributes()["secret"].as_str().unwrap().to_owned();

    let account = app.api_account(&key).await;
    let session = app.api_session(&key, account).await.id();
    let got = receiver
        .wait_for(Duration::from_secs(20), |got| !got.is_empty())
        .await;
    assert_eq!(got.len(), 1);
    standardwebhooks::Webhook::new(&secret)
        .unwrap()
        .verify(&got[0].body, &got[0].header_map())
        .expect("signed with the secret the API gave");

    // The list shows it once it is recorded as taken.
    let deliveries = format!("{PATH}/{id}/deliveries");
    let mut list = app.api("GET", &deliveries, &key, None).await;
    for _ in 0..100 {
        if list.body["data"][0]["attributes"]["status"] == "succeeded" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        list = app.api("GET", &deliveries, &key, None).await;
    }
    assert_eq!(list.status, 200, "{}", list.body);
    let first = &list.body["data"][0];
    let a = &first["attributes"];
    assert_eq!(first["type"], "webhook_delivery");
    assert_eq!(a["status"], "succeeded", "{}", list.body);
    assert_eq!(a["event_type"], "session.created");
    assert_eq!(a["event_id"], got[0].headers["webhook-id"].as_str());
    assert_eq!(a["attempts"], 1);
    assert_eq!(a["last_status"], 200);
    assert!(a["last_latency_ms"].is_number());
    assert_eq!(a["next_attempt_at"], Value::Null);
    assert!(a["completed_at"].is_string());
    assert_eq!(a["payload"]["data"]["id"], session.to_string());
    assert_eq!(
        first["relationships"]["webhook_endpoint"]["data"]["id"],
        id.to_string()
    );
    assert_eq!(list.body["meta"]["page"]["size"], 15);
    let delivery = first["id"].as_str().unwrap().to_owned();
    let one = app
        .api("GET", &format!("{deliveries}/{delivery}"), &key, None)
        .await;
    assert_eq!(one.status, 200, "{}", one.body);
    assert_eq!(one.body["data"]["id"], delivery.as_str());
    let filtered = app
        .api(
            "GET",
            &format!("{deliveries}?filter[status]=failed"),
            &key,
            None,
        )
        .await;
    assert_eq!(filtered.body["data"], json!([]));

    // Redeliver: 202, a new delivery of the same event, which arrives again.
    let before = app.count_events("webhook_delivery.redelivered");
    let r = app
        .api(
            "POST",
            &format!("{deliveries}/{delivery}/redeliver"),
            &key,
            None,
        )
        .await;
    assert_eq!(r.status, 202, "{}", r.body);
    assert_ne!(r.body["data"]["id"], delivery.as_str());
    assert_eq!(r.attributes()["event_id"], a["event_id"]);
    assert_eq!(
        r.body["data"]["relationships"]["redelivery_of"]["data"]["id"],
        delivery.as_str()
    );
    assert_eq!(app.count_events("webhook_delivery.redelivered"), before + 1);
    let got = receiver
        .wait_for(Duration::from_secs(20), |got| got.len() >= 2)
        .await;
    assert_eq!(got.len(), 2);
    assert_eq!(got[1].headers["webhook-id"], got[0].headers["webhook-id"]);
    assert_eq!(got[1].body, got[0].body);

    // A delivery of another endpoint, or none, is not found here.
    let other = create(
        &app,
        &key,
        json!({"url": receiver.url(), "events": ["session.approved"]}),
    )
    .await;
    let r = app
        .api(
            "POST",
            &format!("{PATH}/{}/deliveries/{delivery}/redeliver", other.id()),
            &key,
            None,
        )
        .await;
    assert_eq!(r.status, 404, "{}", r.body);
    let r = app
        .api(
            "GET",
            &format!("{deliveries}/{}", Uuid::new_v4()),
            &key,
            None,
        )
        .await;
    assert_eq!(r.status, 404);
}
