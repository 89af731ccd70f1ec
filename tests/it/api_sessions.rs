//! Sessions through the API: the whole walk-through with each response's shape, the list's
//! filters and cursors, and the dashboard and the API seeing one and the same case.

use chrono::Utc;
use diesel::prelude::*;
use serde_json::{Value, json};
use sessiondesk::domain::kinds::Role;
use sessiondesk::schema::{events, session_devices, sessions};
use uuid::Uuid;

use crate::helpers::{TestApp, spawn_app};
use crate::queue::listed;

const TIMESTAMPS: &[&str] = &[
    "created_at",
    "updated_at",
    "started_at",
    "submitted_at",
    "completed_at",
    "failed_at",
    "marked_for_review_at",
    "decisioned_at",
    "expired_at",
    "expires_at",
    "redacted_at",
];

/// Every attribute SPEC section 4 lists, and no other; every timestamp ISO 8601 UTC.
fn assert_session_shape(doc: &Value) {
    let data = &doc["data"];
    assert_eq!(data["type"], "session");
    let attrs = data["attributes"].as_object().expect("attributes");
    let mut keys: Vec<&str> = attrs.keys().map(String::as_str).collect();
    keys.sort();
    let mut expected = vec![
        "status",
        "entity_type",
        "creator_type",
        "creator_id",
        "required_verifications",
        "person",
        "contact",
        "address",
        "identity_number",
        "decision",
    ];
    expected.extend_from_slice(TIMESTAMPS);
    expected.sort();
    assert_eq!(keys, expected);
    for t in TIMESTAMPS {
        if let Some(s) = attrs[*t].as_str() {
            assert!(s.ends_with('Z'), "{t} = {s} is not UTC");
            chrono::DateTime::parse_from_rfc3339(s).expect("ISO 8601");
        }
    }
    let rel = &data["relationships"];
    assert_eq!(rel["account"]["data"]["type"], "account");
    assert!(rel["documents"]["data"].is_array());
    assert!(rel["verifications"]["data"].is_array());
    assert!(rel["session_device"].get("data").is_some());
}

fn event_actions(app: &TestApp, id: Uuid) -> Vec<(String, String, Option<Uuid>)> {
    events::table
        .filter(events::session_id.eq(id))
        .filter(events::action.ne_all(crate::helpers::READ_AUDIT.to_vec()))
        .order(events::id.asc())
        .select((events::action, events::actor_type, events::actor_id))
        .load(&mut app.conn())
        .unwrap()
}

#[tokio::test]
async fn the_walk_through_from_account_to_approval_answers_in_shape() {
    let app = spawn_app().await;
    let key = app.full_api_key();
    let key_id: Uuid = sessiondesk::schema::api_keys::table
        .select(sessiondesk::schema::api_keys::id)
        .first(&mut app.conn())
        .unwrap();

    let account = app
        .api(
            "POST",
            "/v1/identity/accounts",
            &key,
            Some(json!({"data": {"type": "account", "attributes": {"external_id": "crm_4711"}}})),
        )
        .await;
    assert_eq!(account.status, 201, "{}", account.body);
    assert!(account.content_type.starts_with("application/vnd.api+json"));
    assert_eq!(account.body["data"]["type"], "account");
    assert_eq!(account.attributes()["external_id"], "crm_4711");
    assert_eq!(account.attributes()["status"], "active");
    let account_id = account.id();

    let created = app
        .api(
            "POST",
            "/v1/identity/sessions",
            &key,
            Some(json!({"data": {"type": "session",
                "attributes": {"entity_type": "person",
                    "required_verifications": ["verification/idv", "verification/address"],
                    "person": {"name": {"first": "Anna", "last": "Eriksson"}}},
                "relationships": {"account": {"data": {"type": "account", "id": account_id}}}}})),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_session_shape(&created.body);
    let id = created.id();
    let a = created.attributes();
    assert_eq!(a["status"], "created");
    assert_eq!(a["creator_type"], "api_key");
    assert_eq!(a["creator_id"], key_id.to_string());
    assert_eq!(
        a["required_verifications"],
        json!(["verification/address", "verification/idv"])
    );
    assert_eq!(
        a["person"]["name"],
        json!({"first": "Anna", "middle": null, "last": "Eriksson"})
    );
    assert_eq!(a["decision"], Value::Null);
    assert_eq!(
        created.body["data"]["relationships"]["account"]["data"]["id"],
        account_id.to_string()
    );

    let patched = app
        .api(
            "PATCH",
            &format!("/v1/identity/sessions/{id}"),
            &key,
            Some(json!({"data": {"type": "session", "id": id, "attributes": {
                "person": {"name": {"first": "Anna", "middle": "Maria", "last": "Eriksson"}, "birth_date": "1974-08-12"},
                "contact": {"email": "anna@example.org", "phone": "+46 70 123 45 67"},
                "address": {"line1": "Storgatan 1", "locality": "Stockholm", "postal_code": "111 51", "country_code": "se"},
                "identity_number": {"number": "L898902C3", "issuing_country_code": "SE", "class": "passport"}}}})),
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.body);
    assert_session_shape(&patched.body);
    let a = patched.attributes();
    assert_eq!(a["person"]["name"]["middle"], "Maria");
    assert_eq!(a["person"]["birth_date"], "1974-08-12");
    assert_eq!(
        a["contact"],
        json!({"email": "anna@example.org", "phone": "+46701234567"})
    );
    assert_eq!(a["address"]["country_code"], "SE");
    assert_eq!(a["address"]["line2"], Value::Null);
    assert_eq!(
        a["identity_number"],
        json!({"number": "L898902C3", "issuing_country_code": "SE", "class": "passport"})
    );

    let started = app
        .api_raw(
            "POST",
            &format!("/v1/identity/sessions/{id}/start"),
            Some(&key),
            Some("application/json"),
            serde_json::to_vec(&json!({"data": {"type": "session_device",
                "attributes": {"platform": "web", "language": "sv-SE", "screen": "1920x1080"}}}))
            .unwrap(),
        )
        .await;
    assert_eq!(started.status, 200, "{}", started.body);
    assert_session_shape(&started.body);
    assert_eq!(started.attributes()["status"], "started");
    assert!(started.attributes()["started_at"].is_string());
    let device_id = started.body["data"]["relationships"]["session_device"]["data"]["id"]
        .as_str()
        .expect("device linked")
        .to_owned();
    let (ip, ua, platform, language): (
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
    ) = session_devices::table
        .filter(session_devices::session_id.eq(id))
        .select((
            session_devices::ip,
            session_devices::user_agent,
            session_devices::platform,
            session_devices::language,
        ))
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(
        ip.as_deref(),
        Some("127.0.0.1"),
        "the peer address is recorded"
    );
    assert!(ua.is_none() || !ua.as_deref().unwrap().is_empty());
    assert_eq!(platform.as_deref(), Some("web"));
    assert_eq!(language.as_deref(), Some("sv-SE"));

    let submitted = app
        .api(
            "POST",
            &format!("/v1/identity/sessions/{id}/submit"),
            &key,
            None,
        )
        .await;
    assert_eq!(submitted.status, 200);
    assert_eq!(submitted.attributes()["status"], "pending");
    assert!(submitted.attributes()["submitted_at"].is_string());

    // Approving a pending session is a conflict that names the status.
    let early = app
        .api(
            "POST",
            &format!("/v1/identity/sessions/{id}/approve"),
            &key,
            None,
        )
        .await;
    assert_eq!(early.status, 409);
    assert!(
        early.body["errors"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("pending")
    );

    app.set_status(id, "completed");
    let approved = app
        .api(
            "POST",
            &format!("/v1/identity/sessions/{id}/approve"),
            &key,
            Some(json!({"data": {"type": "decision", "attributes": {"comment": "All good."}}})),
        )
        .await;
    assert_eq!(approved.status, 200, "{}", approved.body);
    assert_session_shape(&approved.body);
    let a = approved.attributes();
    assert_eq!(a["status"], "approved");
    assert_eq!(
        a["decision"],
        json!({"outcome": "approved", "reason": null, "comment": "All good.",
               "decided_by": {"type": "api_key", "id": key_id}})
    );
    assert!(a["decisioned_at"].is_string());

    let shown = app
        .api("GET", &format!("/v1/identity/sessions/{id}"), &key, None)
        .await;
    assert_eq!(shown.status, 200);
    assert_eq!(shown.body["data"], approved.body["data"]);
    assert_eq!(
        shown.body["data"]["relationships"]["session_device"]["data"]["id"],
        device_id
    );

    let trail: Vec<String> = event_actions(&app, id).into_iter().map(|e| e.0).collect();
    assert_eq!(
        trail,
        vec![
            "session.created",
            "session.person_updated",
            "session.person_updated",
            "session.started",
            "session.submitted",
            "session.approved"
        ]
    );
    for (_, actor_type, actor_id) in event_actions(&app, id) {
        assert_eq!((actor_type.as_str(), actor_id), ("api_key", Some(key_id)));
    }
    // Events name fields, never their values.
    let details: Vec<Value> = events::table
        .select(events::details)
        .load(&mut app.conn())
        .unwrap();
    let all = serde_json::to_string(&details).unwrap();
    for value in [
        "Anna",
        "Eriksson",
        "anna@example.org",
        "L898902C3",
        "Storgatan",
    ] {
        assert!(!all.contains(value), "{value} leaked into events");
    }
}

#[tokio::test]
async fn a_decline_reason_must_be_a_known_code_and_every_action_answers_409_out_of_turn() {
    let app = spawn_app().await;
    let key = app.full_api_key();
    let account = app.api_account(&key).await;
    let id = app.api_session(&key, account).await.id();
    app.set_status(id, "marked_for_review");
    let path = format!("/v1/identity/sessions/{id}/decline");
    let r = app
        .api(
            "POST",
            &path,
            &key,
            Some(json!({"data": {"type": "decision", "attributes": {"reason": "bored"}}})),
        )
        .await;
    assert_eq!(
        (r.status, r.pointer()),
        (422, Some("/data/attributes/reason"))
    );
    let r = app
        .api(
            "POST",
            &path,
            &key,
            Some(json!({"data": {"type": "decision", "attributes": {"reason": "document_expired", "comment": "Expired 2019."}}})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.attributes()["decision"]["outcome"], "declined");
    assert_eq!(r.attributes()["decision"]["reason"], "document_expired");
    for action in ["start", "submit", "approve", "mark-for-review", "expire"] {
        let r = app
            .api(
                "POST",
                &format!("/v1/identity/sessions/{id}/{action}"),
                &key,
                None,
            )
            .await;
        assert_eq!(r.status, 409, "{action}");
        assert_eq!(r.code(), "invalid_transition");
        assert!(
            r.body["errors"][0]["detail"]
                .as_str()
                .unwrap()
                .contains("declined"),
            "{action}: the status is not named"
        );
    }
    assert_eq!(app.count_events("session.declined"), 1);
    // Mark for review and expire from their own statuses.
    let other = app.api_session(&key, account).await.id();
    let r = app
        .api(
            "POST",
            &format!("/v1/identity/sessions/{other}/expire"),
            &key,
            None,
        )
        .await;
    assert_eq!(
        (r.status, r.attributes()["status"].as_str()),
        (200, Some("expired"))
    );
    let failed = app.api_session(&key, account).await.id();
    app.set_status(failed, "failed");
    let r = app
        .api(
            "POST",
            &format!("/v1/identity/sessions/{failed}/mark-for-review"),
            &key,
            None,
        )
        .await;
    assert_eq!(r.attributes()["status"], "marked_for_review");
    let r = app
        .api(
            "GET",
            &format!("/v1/identity/sessions/{}", Uuid::new_v4()),
            &key,
            None,
        )
        .await;
    assert_eq!((r.status, r.code()), (404, "not_found"));
}

#[tokio::test]
async fn patch_leaves_absent_fields_alone_and_clears_null_ones() {
    let app = spawn_app().await;
    let key = app.full_api_key();
    let account = app.api_account(&key).await;
    let id = app.api_session(&key, account).await.id();
    let path = format!("/v1/identity/sessions/{id}");
    let patch = |attributes: Value| json!({"data": {"type": "session", "attributes": attributes}});
    app.api(
        "PATCH",
        &path,
        &key,
        Some(patch(json!({"person": {"name": {"first": "Anna", "last": "Eriksson"}, "birth_date": "1974-08-12"},
                          "contact": {"email": "anna@example.org"}}))),
    )
    .await;
    let r = app
        .api(
            "PATCH",
            &path,
            &key,
            Some(patch(
                json!({"person": {"name": {"last": null}}, "contact": null}),
            )),
        )
        .await;
    assert_eq!(r.status, 200);
    let a = r.attributes();
    assert_eq!(a["person"]["name"]["first"], "Anna");
    assert_eq!(a["person"]["name"]["last"], Value::Null);
    assert_eq!(a["person"]["birth_date"], "1974-08-12");
    assert_eq!(a["contact"], json!({"email": null, "phone": null}));
    // The dashboard's rules: a birth date in the future is refused, naming the field.
    let r = app
        .api(
            "PATCH",
            &path,
            &key,
            Some(patch(json!({"person": {"birth_date": "2999-01-01"}}))),
        )
        .await;
    assert_eq!(
        (r.status, r.pointer()),
        (422, Some("/data/attributes/person/birth_date"))
    );
    // A decided session is frozen.
    app.set_status(id, "expired");
    let r = app
        .api(
            "PATCH",
            &path,
            &key,
            Some(patch(json!({"person": {"name": {"first": "Eve"}}}))),
        )
        .await;
    assert_eq!(r.status, 409);
}

#[tokio::test]
async fn redacted_sessions_show_no_personal_data() {
    let app = spawn_app().await;
    let key = app.full_api_key();
    let account = app.api_account(&key).await;
    let id = app.api_session(&key, account).await.id();
    diesel::update(sessions::table.find(id))
        .set((
            sessions::first_name.eq::<Option<String>>(None),
            sessions::redacted_at.eq(Some(Utc::now())),
        ))
        .execute(&mut app.conn())
        .unwrap();
    let r = app
        .api("GET", &format!("/v1/identity/sessions/{id}"), &key, None)
        .await;
    let a = r.attributes();
    for object in ["person", "contact", "address", "identity_number"] {
        assert_eq!(a[object], Value::Null, "{object}");
    }
    assert!(a["redacted_at"].is_string());
}

async fn ids_of(app: &TestApp, key: &str, path: &str) -> (Vec<String>, Value) {
    let r = app.api("GET", path, key, None).await;
    assert_eq!(r.status, 200, "{path}: {}", r.body);
    let ids = r.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_owned())
        .collect();
    (ids, r.body)
}

#[tokio::test]
async fn the_list_filters_and_pages_both_ways_over_every_session_once() {
    let app = spawn_app().await;
    let key = app.full_api_key();
    let first_account = app.api_account(&key).await;
    let other_account = app.api_account(&key).await;
    let mut all = Vec::new();
    for i in 0..7 {
        let account = if i % 2 == 0 {
            first_account
        } else {
            other_account
        };
        let id = app.api_session(&key, account).await.id();
        if i < 3 {
            app.set_status(id, "completed");
        }
        all.push(id.to_string());
    }
    all.reverse(); // newest first

    // Forward through pages of 3, then back.
    let mut seen = Vec::new();
    let mut path = "/v1/identity/sessions?page[size]=3&page[total]=true".to_owned();
    let mut body = loop {
        let (ids, body) = ids_of(&app, &key, &path).await;
        assert_eq!(body["meta"]["page"]["total"], 7);
        assert_eq!(body["meta"]["page"]["size"], 3);
        seen.extend(ids);
        match body["links"]["next"].as_str() {
            Some(next) => path = next.to_owned(),
            None => break body,
        }
    };
    assert_eq!(seen, all);
    let mut back = Vec::new();
    while let Some(prev) = body["links"]["prev"].as_str() {
        let (ids, b) = ids_of(&app, &key, prev).await;
        back.splice(0..0, ids);
        body = b;
    }
    assert_eq!(back, all[..all.len() - 1]);

    // Filters.
    let (ids, _) = ids_of(&app, &key, "/v1/identity/sessions?filter[status]=completed").await;
    assert_eq!(ids, all[4..].to_vec());
    let (ids, _) = ids_of(
        &app,
        &key,
        "/v1/identity/sessions?filter[status]=created,completed&page[size]=100",
    )
    .await;
    assert_eq!(ids.len(), 7);
    let (ids, body) = ids_of(
        &app,
        &key,
        &format!("/v1/identity/sessions?filter[account]={other_account}&filter[status]=created&page[total]=true"),
    )
    .await;
    assert_eq!(ids.len(), 2);
    assert_eq!(body["meta"]["page"]["total"], 2);
    assert!(
        body["links"]["self"]
            .as_str()
            .unwrap()
            .contains(&other_account.to_string())
    );
    let (ids, _) = ids_of(
        &app,
        &key,
        "/v1/identity/sessions?filter[entity_type]=person&filter[created_at_from]=2000-01-01",
    )
    .await;
    assert_eq!(ids.len(), 7);
    let (ids, _) = ids_of(
        &app,
        &key,
        "/v1/identity/sessions?filter[created_at_to]=2000-01-01",
    )
    .await;
    assert!(ids.is_empty());
    let today = Utc::now().date_naive();
    let (ids, _) = ids_of(
        &app,
        &key,
        &format!("/v1/identity/sessions?filter[created_at_to]={today}"),
    )
    .await;
    assert_eq!(ids.len(), 7, "a bare end date includes its whole day");

    // The device filter finds the one session started from that device.
    let started = Uuid::parse_str(&all[0]).unwrap();
    let r = app
        .api(
            "POST",
            &format!("/v1/identity/sessions/{started}/start"),
            &key,
            None,
        )
        .await;
    let device = r.body["data"]["relationships"]["session_device"]["data"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (ids, _) = ids_of(
        &app,
        &key,
        &format!("/v1/identity/sessions?filter[session_device]={device}"),
    )
    .await;
    assert_eq!(ids, vec![all[0].clone()]);
}

#[tokio::test]
async fn accounts_are_listed_newest_first_and_external_ids_are_unique() {
    let app = spawn_app().await;
    let key = app.full_api_key();
    let mut made = Vec::new();
    for _ in 0..4 {
        made.push(app.api_account(&key).await.to_string());
    }
    made.reverse();
    let (first, body) = ids_of(&app, &key, "/v1/identity/accounts?page[size]=3").await;
    assert_eq!(first, made[..3].to_vec());
    let (rest, body) = ids_of(&app, &key, body["links"]["next"].as_str().unwrap()).await;
    assert_eq!(rest, made[3..].to_vec());
    assert!(body["links"]["next"].is_null());
    let r = app
        .api(
            "GET",
            &format!("/v1/identity/accounts/{}", made[0]),
            &key,
            None,
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["data"]["id"], made[0]);

    let doc = json!({"data": {"type": "account", "attributes": {"external_id": "crm_1"}}});
    assert_eq!(
        app.api("POST", "/v1/identity/accounts", &key, Some(doc.clone()))
            .await
            .status,
        201
    );
    let before = app.fingerprint();
    let dup = app
        .api("POST", "/v1/identity/accounts", &key, Some(doc))
        .await;
    assert_eq!(dup.status, 409);
    assert_eq!(dup.pointer(), Some("/data/attributes/external_id"));
    assert_eq!(app.fingerprint(), before);
}

#[tokio::test]
async fn the_dashboard_and_the_api_see_one_and_the_same_case() {
    let app = spawn_app().await;
    let key = app.full_api_key();
    let account = app.api_account(&key).await;
    let created = app
        .api(
            "POST",
            "/v1/identity/sessions",
            &key,
            Some(json!({"data": {"type": "session",
                "attributes": {"person": {"name": {"first": "Dashboard", "last": "Visible"}}},
                "relationships": {"account": {"data": {"type": "account", "id": account}}}}})),
        )
        .await;
    let id = created.id();
    let (reviewer, me) = app.signed_in(Role::Reviewer).await;
    let queue = reviewer
        .get("/sessions?sort=newest")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        listed(&queue).contains(&id),
        "the API's session is not in the queue"
    );

    app.set_status(id, "completed");
    let path = format!("/sessions/{id}");
    let token = reviewer.csrf(&path).await;
    let r = reviewer
        .post(
            &format!("{path}/approve"),
            &[("comment", "Checked by hand")],
            &token,
        )
        .await;
    assert_eq!(r.status(), 303);

    let shown = app
        .api("GET", &format!("/v1/identity/sessions/{id}"), &key, None)
        .await;
    let a = shown.attributes();
    assert_eq!(a["status"], "approved");
    assert_eq!(
        a["decision"],
        json!({"outcome": "approved", "reason": null, "comment": "Checked by hand",
               "decided_by": {"type": "user", "id": me.id}})
    );
    let trail: Vec<(String, String)> = event_actions(&app, id)
        .into_iter()
        .map(|(action, actor, _)| (action, actor))
        .collect();
    assert_eq!(
        trail,
        vec![
            ("session.created".to_owned(), "api_key".to_owned()),
            ("session.person_updated".to_owned(), "api_key".to_owned()),
            ("session.approved".to_owned(), "user".to_owned()),
        ]
    );
}

#[tokio::test]
async fn start_records_the_callers_address_and_user_agent_when_not_given() {
    let app = spawn_app().await;
    let key = app.full_api_key();
    let account = app.api_account(&key).await;
    let id = app.api_session(&key, account).await.id();
    let r = app
        .client
        .post(format!("{}/v1/identity/sessions/{id}/start", app.address))
        .header("X-Api-Key", &key)
        .header("User-Agent", "Mozilla/5.0 (Test) Onboarding/1.0")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let (ip, ua): (Option<String>, Option<String>) = session_devices::table
        .filter(session_devices::session_id.eq(id))
        .select((session_devices::ip, session_devices::user_agent))
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(ip.as_deref(), Some("127.0.0.1"));
    assert_eq!(ua.as_deref(), Some("Mozilla/5.0 (Test) Onboarding/1.0"));
    // Given attributes win over the request's own.
    let other = app.api_session(&key, account).await.id();
    let r = app
        .api(
            "POST",
            &format!("/v1/identity/sessions/{other}/start"),
            &key,
            Some(json!({"data": {"type": "session_device",
                "attributes": {"ip": "203.0.113.7", "user_agent": "Relayed/2.0", "device_type": "mobile"}}})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let (ip, ua): (Option<String>, Option<String>) = session_devices::table
        .filter(session_devices::session_id.eq(other))
        .select((session_devices::ip, session_devices::user_agent))
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(
        (ip.as_deref(), ua.as_deref()),
        (Some("203.0.113.7"), Some("Relayed/2.0"))
    );
    // A second start is refused and records no second device.
    let again = app
        .api(
            "POST",
            &format!("/v1/identity/sessions/{other}/start"),
            &key,
            None,
        )
        .await;
    assert_eq!(again.status, 409);
    let devices: i64 = session_devices::table
        .filter(session_devices::session_id.eq(other))
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(devices, 1);
}
