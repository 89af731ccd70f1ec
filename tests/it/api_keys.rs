//! API keys: made in the dashboard and shown once, stored only as a hash, refused once
//! revoked (with an audit event), and their use recorded at most once a minute.

use chrono::{Duration, Utc};
use diesel::prelude::*;
use sessiondesk::domain::kinds::{Permission, Role};
use sessiondesk::schema::{api_keys, events};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::helpers::spawn_app;

fn secret_in(html: &str) -> String {
    let marker = "<code id=\"secret-value\">";
    let start = html.find(marker).expect("the secret is shown") + marker.len();
    let end = html[start..].find('<').unwrap() + start;
    html[start..end].to_owned()
}

#[tokio::test]
async fn an_admin_creates_a_key_whose_secret_is_shown_once_and_stored_as_a_hash() {
    let app = spawn_app().await;
    let (admin, me) = app.signed_in(Role::Admin).await;
    let page = admin.get("/admin/api-keys").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    for p in Permission::ALL {
        assert!(
            html.contains(&format!("value=\"{p}\"")),
            "no checkbox for {p}"
        );
    }
    let token = admin.csrf("/admin/api-keys").await;
    let created = admin
        .post(
            "/admin/api-keys",
            &[
                ("name", "CRM integration"),
                ("permission", "accounts:read"),
                ("permission", "sessions:write"),
            ],
            &token,
        )
        .await;
    assert_eq!(created.status(), 200);
    let secret = secret_in(&created.text().await.unwrap());
    let random = secret.strip_prefix("sk_test_").expect("sk_<env>_ secret");
    assert_eq!(random.len(), 43);

    let (id, prefix, hash, perms, created_by): (Uuid, String, Vec<u8>, Vec<String>, Option<Uuid>) =
        api_keys::table
            .select((
                api_keys::id,
                api_keys::prefix,
                api_keys::secret_hash,
                api_keys::permissions,
                api_keys::created_by,
            ))
            .first(&mut app.conn())
            .unwrap();
    assert_eq!(prefix, secret[..12]);
    assert_eq!(hash, Sha256::digest(secret.as_bytes()).to_vec());
    assert_eq!(perms, vec!["accounts:read", "sessions:write"]);
    assert_eq!(created_by, Some(me.id));

    // The list shows it without the secret, and the secret is nowhere in the database.
    let list = admin.get("/admin/api-keys").await.text().await.unwrap();
    assert!(list.contains("CRM integration") && list.contains(&prefix));
    assert!(!list.contains(&secret));
    let details: Vec<serde_json::Value> = events::table
        .filter(events::action.eq("api_key.created"))
        .select(events::details)
        .load(&mut app.conn())
        .unwrap();
    assert_eq!(details.len(), 1);
    assert_eq!(details[0]["api_key_id"], id.to_string());
    assert!(!details[0].to_string().contains(&secret));

    // And it works.
    let r = app.api("GET", "/v1/identity/accounts", &secret, None).await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn a_key_needs_a_name_and_a_permission() {
    let app = spawn_app().await;
    let (admin, _) = app.signed_in(Role::Admin).await;
    let token = admin.csrf("/admin/api-keys").await;
    for form in [
        vec![("name", ""), ("permission", "sessions:read")],
        vec![("name", "No grants")],
        vec![("name", "Bogus"), ("permission", "sessions:delete")],
    ] {
        let r = admin.post("/admin/api-keys", &form, &token).await;
        assert_eq!(r.status(), 422, "{form:?}");
    }
    let n: i64 = api_keys::table.count().get_result(&mut app.conn()).unwrap();
    assert_eq!(n, 0);
    // Without the CSRF token nothing is created either.
    let r = admin
        .post_raw(
            "/admin/api-keys",
            &[("name", "x"), ("permission", "sessions:read")],
        )
        .await;
    assert_eq!(r.status(), 403);
}

#[tokio::test]
async fn a_revoked_key_gets_401_and_leaves_one_event_a_minute() {
    let app = spawn_app().await;
    let (admin, _) = app.signed_in(Role::Admin).await;
    let secret = app.api_key(&[Permission::AccountsRead]);
    assert_eq!(
        app.api("GET", "/v1/identity/accounts", &secret, None)
            .await
            .status,
        200
    );
    let id: Uuid = api_keys::table
        .select(api_keys::id)
        .first(&mut app.conn())
        .unwrap();
    let token = admin.csrf("/admin/api-keys").await;
    let r = admin
        .post(&format!("/admin/api-keys/{id}/revoke"), &[], &token)
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(app.count_events("api_key.revoked"), 1);
    // Revoking again changes nothing.
    admin
        .post(&format!("/admin/api-keys/{id}/revoke"), &[], &token)
        .await;
    assert_eq!(app.count_events("api_key.revoked"), 1);

    for _ in 0..3 {
        let r = app.api("GET", "/v1/identity/accounts", &secret, None).await;
        assert_eq!(r.status, 401);
        assert_eq!(r.code(), "unauthenticated");
        assert!(r.content_type.starts_with("application/vnd.api+json"));
    }
    let used: Vec<(Option<Uuid>, serde_json::Value, Option<String>)> = events::table
        .filter(events::action.eq("api_key.revoked_key_used"))
        .select((events::actor_id, events::details, events::ip))
        .load(&mut app.conn())
        .unwrap();
    assert_eq!(used.len(), 1, "one event per key per minute");
    assert_eq!(used[0].0, Some(id));
    assert_eq!(used[0].1["api_key_id"], id.to_string());
    assert_eq!(used[0].2.as_deref(), Some("127.0.0.1"));
    let revoked = admin.get("/admin/api-keys").await.text().await.unwrap();
    assert!(revoked.contains("revoked"));
}

#[tokio::test]
async fn missing_unknown_and_malformed_keys_get_401() {
    let app = spawn_app().await;
    let r = app
        .api_raw("GET", "/v1/identity/sessions", None, None, Vec::new())
        .await;
    assert_eq!(r.status, 401);
    assert_eq!(r.code(), "unauthenticated");
    assert_eq!(
        r.body["errors"][0]["source"]["header"].as_str(),
        Some("X-Api-Key")
    );
    for key in [
        "sk_test_0000000000000000000000000000000000000000000",
        "not-a-key",
        "sk_test_has spaces in it",
    ] {
        let r = app
            .api_raw("GET", "/v1/identity/sessions", Some(key), None, Vec::new())
            .await;
        assert_eq!(r.status, 401, "{key:?}");
    }
    // Unknown routes under the API also want a key first, then say 404 in JSON.
    let r = app
        .api_raw("GET", "/v1/identity/nothing", None, None, Vec::new())
        .await;
    assert_eq!(r.status, 401);
    let key = app.full_api_key();
    let r = app.api("GET", "/v1/identity/nothing", &key, None).await;
    assert_eq!((r.status, r.code()), (404, "not_found"));
}

#[tokio::test]
async fn last_used_at_is_written_at_most_once_a_minute() {
    let app = spawn_app().await;
    let secret = app.api_key(&[Permission::AccountsRead]);
    let last_used = || -> Option<chrono::DateTime<Utc>> {
        api_keys::table
            .select(api_keys::last_used_at)
            .first(&mut app.conn())
            .unwrap()
    };
    assert_eq!(last_used(), None);
    app.api("GET", "/v1/identity/accounts", &secret, None).await;
    let first = last_used().expect("recorded");
    app.api("GET", "/v1/identity/accounts", &secret, None).await;
    app.api("GET", "/v1/identity/accounts", &secret, None).await;
    assert_eq!(last_used(), Some(first), "written again within the minute");
    let earlier = Utc::now() - Duration::minutes(2);
    diesel::update(api_keys::table)
        .set(api_keys::last_used_at.eq(earlier))
        .execute(&mut app.conn())
        .unwrap();
    // The instance remembers the key it accepted until it hears of the change (a notice
    // from Postgres, milliseconds): the first request after that writes the use again.
    let mut written = false;
    for _ in 0..40 {
        app.api("GET", "/v1/identity/accounts", &secret, None).await;
        if last_used().unwrap() > first {
            written = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(
        written,
        "a use over a minute after the last one was not recorded"
    );
}
