//! The API's session list writes a session it wrote before from memory (issue 19). It is
//! never stale, on any instance: whatever changed the row or its links — announced to the
//! instances or not — shows on the next page, and what it writes is what a read by id
//! answers.

use chrono::Utc;
use diesel::prelude::*;
use serde_json::Value;
use sessiondesk::domain::kinds::Permission;
use sessiondesk::domain::status::SessionStatus;
use uuid::Uuid;

use crate::instances::pair;
use crate::queue::make;

/// GET `path` from the instance at `address` with `key`: the status and the body.
async fn get_on(address: &str, path: &str, key: &str) -> (u16, Value) {
    let response = reqwest::Client::new()
        .get(format!("{address}{path}"))
        .header("X-Api-Key", key)
        .send()
        .await
        .expect("request is sent");
    let status = response.status().as_u16();
    (status, response.json().await.expect("a JSON body"))
}

/// The resource of `id` on the first page of the list at `address`.
async fn listed(address: &str, key: &str, id: Uuid) -> Value {
    let (status, body) = get_on(address, "/v1/identity/sessions?page%5Bsize%5D=50", key).await;
    assert_eq!(status, 200, "{body}");
    body["data"]
        .as_array()
        .expect("data is a list")
        .iter()
        .find(|r| r["id"] == id.to_string())
        .cloned()
        .unwrap_or_else(|| panic!("{id} is listed: {body}"))
}

/// Runs `sql` (with `id` as `$1`) with triggers off for its connection: a change no
/// instance hears of.
fn unannounced(app: &crate::helpers::TestApp, sql: &str, id: Uuid) {
    let mut conn = app.conn();
    diesel::sql_query("SET session_replication_role = replica")
        .execute(&mut conn)
        .expect("triggers off");
    let changed = diesel::sql_query(sql)
        .bind::<diesel::sql_types::Uuid, _>(id)
        .execute(&mut conn)
        .expect("the change is written");
    assert_eq!(changed, 1, "{sql}");
}

#[tokio::test]
async fn a_listed_session_changed_anywhere_is_listed_anew_on_every_instance() {
    let (a, b) = pair().await;
    let reader = a.api_key(&[Permission::SessionsRead]);
    let redactor = a.api_key(&[Permission::SessionsRedact]);
    let id = {
        let mut conn = a.conn();
        make(
            &mut conn,
            "Ann",
            "Listed",
            "crm_listed",
            SessionStatus::Completed,
            Utc::now(),
            None,
        )
        .id
    };
    // B writes it, then writes it again as it wrote it, and as a read by id answers.
    let first = listed(&b, &reader, id).await;
    assert_eq!(first["attributes"]["person"]["name"]["first"], "Ann");
    let again = listed(&b, &reader, id).await;
    assert_eq!(again, first);
    let (status, by_id) = get_on(&b, &format!("/v1/identity/sessions/{id}"), &reader).await;
    assert_eq!(status, 200);
    assert_eq!(
        by_id["data"], again,
        "the list writes what a read by id answers"
    );

    // A change to the row that no instance is told of: seen on the very next page.
    unannounced(
        &a,
        "UPDATE sessions SET first_name = 'Anna' WHERE id = $1",
        id,
    );
    let renamed = listed(&b, &reader, id).await;
    assert_eq!(renamed["attributes"]["person"]["name"]["first"], "Anna");

    // A link added without touching the session's row: seen too.
    let device = Uuid::new_v4();
    {
        let mut conn = a.conn();
        diesel::sql_query(
            "INSERT INTO session_devices (id, session_id, created_at) VALUES ($1, $2, now())",
        )
        .bind::<diesel::sql_types::Uuid, _>(device)
        .bind::<diesel::sql_types::Uuid, _>(id)
        .execute(&mut conn)
        .expect("a device is recorded");
    }
    let linked = listed(&b, &reader, id).await;
    assert_eq!(
        linked["relationships"]["session_device"]["data"]["id"],
        device.to_string()
    );
    assert_eq!(
        linked["attributes"]["person"]["name"]["first"], "Anna",
        "the rest as it was"
    );

    // Redacted through the other instance: gone from B's next page.
    let redacted = a
        .api(
            "POST",
            &format!("/v1/identity/sessions/{id}/redact"),
            &redactor,
            None,
        )
        .await;
    assert_eq!(redacted.status, 200, "{:?}", redacted.body);
    let gone = listed(&b, &reader, id).await;
    assert_eq!(gone["attributes"]["person"], Value::Null);
    assert_eq!(gone["attributes"]["contact"], Value::Null);
    assert!(gone["attributes"]["redacted_at"].is_string());
    assert!(!gone.to_string().contains("Anna"), "{gone}");
}
