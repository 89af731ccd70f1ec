//! What clients written for the seed API expect (issue 15, item 7): lists that say whether
//! they have neighbours and link to their first page, a decline without a body, documents
//! and verifications listed by session, the session device readable by id, and an
//! `expires_at` set at creation and moved by PATCH; each in the OpenAPI document.

use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, SubsecRound, Utc};
use diesel::prelude::*;
use serde_json::{Value, json};
use sessiondesk::domain::kinds::Permission;
use sessiondesk::schema::{events, sessions};
use uuid::Uuid;

use crate::api_documents::document;
use crate::api_verifications::{Passport, passport_document, verify};
use crate::helpers::{ApiResponse, TestApp, spawn_app, spawn_app_with};

const SESSIONS: &str = "/v1/identity/sessions";

/// The ids of a list's `data`, in order.
fn ids(r: &ApiResponse) -> Vec<String> {
    r.body["data"]
        .as_array()
        .expect("data is a list")
        .iter()
        .map(|d| d["id"].as_str().expect("id").to_owned())
        .collect()
}

/// `(has_previous, has_next)` of a list, checked against its cursors and links.
fn neighbours(r: &ApiResponse) -> (bool, bool) {
    let page = &r.body["meta"]["page"];
    let previous = page["has_previous"].as_bool().expect("has_previous");
    let next = page["has_next"].as_bool().expect("has_next");
    assert_eq!(previous, page["prev_cursor"].is_string(), "{}", r.body);
    assert_eq!(previous, r.body["links"]["prev"].is_string(), "{}", r.body);
    assert_eq!(next, page["next_cursor"].is_string(), "{}", r.body);
    assert_eq!(next, r.body["links"]["next"].is_string(), "{}", r.body);
    (previous, next)
}

fn link(r: &ApiResponse, name: &str) -> String {
    r.body["links"][name]
        .as_str()
        .unwrap_or_else(|| panic!("links.{name} in {}", r.body))
        .to_owned()
}

#[tokio::test]
async fn lists_say_whether_they_have_neighbours_and_link_to_their_first_page() {
    let app = spawn_app().await;
    let key = app.full_api_key();
    let account = app.api_account(&key).await;
    for _ in 0..3 {
        app.api_session(&key, account).await;
    }
    // Another account's session, which the filter keeps out of every page.
    let other = app.api_account(&key).await;
    app.api_session(&key, other).await;

    let first_url = format!("{SESSIONS}?filter[account]={account}&page[size]=2");
    let first = app.api("GET", &first_url, &key, None).await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(neighbours(&first), (false, true));
    assert_eq!(link(&first, "first"), link(&first, "self"));

    let second = app.api("GET", &link(&first, "next"), &key, None).await;
    assert_eq!(second.status, 200, "{}", second.body);
    assert_eq!(ids(&second).len(), 1);
    assert_eq!(neighbours(&second), (true, false));
    let first_link = link(&second, "first");
    assert_ne!(first_link, link(&second, "self"));
    assert!(!first_link.contains("page%5Bafter%5D") && !first_link.contains("page%5Bbefore%5D"));

    // `first` keeps the filter and the size: it is the first page again.
    let again = app.api("GET", &first_link, &key, None).await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(ids(&again), ids(&first));
    assert_eq!(again.body["meta"]["page"]["size"], 2);

    // Back from the second page: the first, which has nothing before it.
    let back = app.api("GET", &link(&second, "prev"), &key, None).await;
    assert_eq!(ids(&back), ids(&first));
    assert_eq!(neighbours(&back), (false, true));

    // Every list carries them, through the one paging code.
    for list in [
        "/v1/identity/accounts",
        "/v1/identity/sessions",
        "/v1/identity/documents",
        "/v1/identity/verifications",
        "/v1/identity/webhook-endpoints",
    ] {
        let r = app
            .api("GET", &format!("{list}?page[size]=1"), &key, None)
            .await;
        assert_eq!(r.status, 200, "{list}: {}", r.body);
        neighbours(&r);
        assert!(link(&r, "first").starts_with(list), "{list}: {}", r.body);
    }
}

/// A session in `status`, through the API and then set directly; its id.
async fn session_in(app: &TestApp, key: &str, status: &str) -> Uuid {
    let account = app.api_account(key).await;
    let id = app.api_session(key, account).await.id();
    app.set_status(id, status);
    id
}

fn decline_events(app: &TestApp, session: Uuid) -> Vec<Value> {
    events::table
        .filter(events::session_id.eq(session))
        .filter(events::action.eq("session.declined"))
        .select(events::details)
        .load(&mut app.conn())
        .unwrap()
}

#[tokio::test]
async fn a_decline_without_a_reason_is_recorded_as_other_and_an_unknown_reason_is_refused() {
    let app = spawn_app().await;
    let key = app.full_api_key();
    let decline = |id: Uuid| format!("{SESSIONS}/{id}/decline");

    // No body at all, as the seed API shows it.
    let bare = session_in(&app, &key, "completed").await;
    let r = app.api("POST", &decline(bare), &key, None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.attributes()["status"], "declined");
    assert_eq!(r.attributes()["decision"]["reason"], "other");
    assert_eq!(decline_events(&app, bare)[0]["reason"], "other");

    // An empty object, a decision without attributes, and one with a comment only.
    for body in [
        json!({}),
        json!({"data": {"type": "decision"}}),
        json!({"data": {"type": "decision", "attributes": {"reason": null}}}),
        json!({"data": {"type": "decision", "attributes": {"comment": "No reply to our letters."}}}),
    ] {
        let id = session_in(&app, &key, "marked_for_review").await;
        let r = app
            .api("POST", &decline(id), &key, Some(body.clone()))
            .await;
        assert_eq!(r.status, 200, "{body}: {}", r.body);
        assert_eq!(r.attributes()["decision"]["reason"], "other", "{body}");
    }

    // A named reason is kept; an unknown one is refused, naming the member, and writes
    // nothing.
    let named = session_in(&app, &key, "completed").await;
    let r = app
        .api(
            "POST",
            &decline(named),
            &key,
            Some(json!({"data": {"type": "decision", "attributes": {"reason": "underage"}}})),
        )
        .await;
    assert_eq!(r.attributes()["decision"]["reason"], "underage");
    let refused = session_in(&app, &key, "completed").await;
    let before = app.fingerprint();
    for reason in [json!("bored"), json!(""), json!(7)] {
        let r = app
            .api(
                "POST",
                &decline(refused),
                &key,
                Some(json!({"data": {"type": "decision", "attributes": {"reason": reason}}})),
            )
            .await;
        assert_eq!(r.status, 422, "{reason}: {}", r.body);
        assert_eq!(r.pointer(), Some("/data/attributes/reason"), "{reason}");
    }
    assert_eq!(app.fingerprint(), before);
    let r = app
        .api("GET", &format!("{SESSIONS}/{refused}"), &key, None)
        .await;
    assert_eq!(r.attributes()["status"], "completed");

    // An approval still takes no reason, and `{}` approves.
    let approved = session_in(&app, &key, "completed").await;
    let r = app
        .api(
            "POST",
            &format!("{SESSIONS}/{approved}/approve"),
            &key,
            Some(json!({})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.attributes()["decision"]["reason"], Value::Null);
}

#[tokio::test]
async fn a_sessions_documents_and_verifications_are_listed_by_session() {
    let app = spawn_app().await;
    let key = app.full_api_key();
    let passport = Passport::lindqvist();
    let account = app.api_account(&key).await;
    let mine = app.api_session(&key, account).await.id();
    let theirs = app.api_session(&key, account).await.id();
    let idv = passport_document(&app, &key, mine, &passport, false).await;
    let bill = document(&app, &key, mine, true).await;
    let other = document(&app, &key, theirs, false).await;
    let checked = verify(&app, &key, mine, idv, false).await;
    assert_eq!(checked.status, 201, "{}", checked.body);
    verify(&app, &key, theirs, other, false).await;

    let reader = app.api_key(&[Permission::SessionsRead]);
    let docs = format!("/v1/identity/documents?filter[session]={mine}");
    let r = app.api("GET", &docs, &reader, None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        ids(&r),
        vec![bill.to_string(), idv.to_string()],
        "newest first"
    );
    let mrz = r.body["data"][1]["attributes"]["mrz"]
        .as_str()
        .expect("the MRZ");
    assert!(mrz.contains("LINDQVIST"), "{mrz}");
    assert_eq!(r.body["data"][0]["type"], "document/address");
    assert_eq!(neighbours(&r), (false, false));
    // One session's documents are one read of it.
    assert_eq!(app.reads_of(&reader).await, 1);

    // Keyset-paged like the other lists.
    let page = app
        .api(
            "GET",
            &format!("{docs}&page[size]=1&page[total]=true"),
            &reader,
            None,
        )
        .await;
    assert_eq!(ids(&page), vec![bill.to_string()]);
    assert_eq!(page.body["meta"]["page"]["total"], 2);
    assert_eq!(neighbours(&page), (false, true));
    let next = app.api("GET", &link(&page, "next"), &reader, None).await;
    assert_eq!(ids(&next), vec![idv.to_string()]);
    assert_eq!(neighbours(&next), (true, false));

    // Unfiltered, every session's.
    let all = app
        .api("GET", "/v1/identity/documents", &reader, None)
        .await;
    assert_eq!(ids(&all).len(), 3);

    // The session links to both lists.
    let session = app
        .api("GET", &format!("{SESSIONS}/{mine}"), &reader, None)
        .await;
    let rel = &session.body["data"]["relationships"];
    let related = rel["documents"]["links"]["related"].as_str().unwrap();
    let linked = app.api("GET", related, &reader, None).await;
    assert_eq!(ids(&linked), ids(&r));
    let related = rel["verifications"]["links"]["related"].as_str().unwrap();
    let linked = app.api("GET", related, &reader, None).await;
    assert_eq!(linked.status, 200, "{}", linked.body);
    assert_eq!(ids(&linked), vec![checked.id().to_string()]);

    let verifications = app
        .api(
            "GET",
            &format!("/v1/identity/verifications?filter[session]={theirs}"),
            &reader,
            None,
        )
        .await;
    assert_eq!(verifications.body["data"].as_array().unwrap().len(), 1);
    assert_eq!(
        verifications.body["data"][0]["relationships"]["session"]["data"]["id"],
        theirs.to_string()
    );

    // A filter that is no UUID is a 400 naming it; no key or no permission, 401 and 403.
    for list in ["/v1/identity/documents", "/v1/identity/verifications"] {
        let r = app
            .api(
                "GET",
                &format!("{list}?filter[session]=nope"),
                &reader,
                None,
            )
            .await;
        assert_eq!(r.status, 400, "{list}");
        assert_eq!(r.parameter(), Some("filter[session]"), "{list}");
        let url = format!("{list}?filter[session]={mine}");
        let writer = app.api_key(&[Permission::DocumentsWrite, Permission::VerificationsWrite]);
        assert_eq!(app.api("GET", &url, &writer, None).await.status, 403);
        assert_eq!(
            app.api_raw("GET", &url, None, None, vec![]).await.status,
            401
        );
    }

    // Once the session is redacted its documents carry no personal data.
    let redacted = app
        .api("POST", &format!("{SESSIONS}/{mine}/redact"), &key, None)
        .await;
    assert_eq!(redacted.status, 200, "{}", redacted.body);
    let r = app.api("GET", &docs, &reader, None).await;
    assert_eq!(ids(&r).len(), 2);
    assert_eq!(r.body["data"][1]["attributes"]["mrz"], Value::Null);
    assert!(!r.body.to_string().contains("LINDQVIST"), "{}", r.body);
}

#[tokio::test]
async fn the_session_device_is_read_where_the_session_links_it() {
    let app = spawn_app().await;
    let key = app.full_api_key();
    let account = app.api_account(&key).await;
    let id = app.api_session(&key, account).await.id();
    let unstarted = app
        .api("GET", &format!("{SESSIONS}/{id}"), &key, None)
        .await;
    let rel = &unstarted.body["data"]["relationships"]["session_device"];
    assert_eq!(rel, &json!({"data": null, "links": null}));

    let started = app
        .api(
            "POST",
            &format!("{SESSIONS}/{id}/start"),
            &key,
            Some(json!({"data": {"type": "session_device", "attributes": {
                "platform": "ios", "language": "sv-SE", "screen": "390x844", "ip": "203.0.113.9"}}})),
        )
        .await;
    assert_eq!(started.status, 200, "{}", started.body);
    let rel = &started.body["data"]["relationships"]["session_device"];
    let device = rel["data"]["id"].as_str().expect("a device").to_owned();
    assert_eq!(rel["data"]["type"], "session_device");
    let related = rel["links"]["related"].as_str().expect("links.related");
    assert_eq!(related, format!("/v1/identity/session-devices/{device}"));

    let reader = app.api_key(&[Permission::SessionsRead]);
    let r = app.api("GET", related, &reader, None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["data"]["type"], "session_device");
    assert_eq!(r.body["data"]["id"], device);
    assert_eq!(r.body["data"]["links"]["self"], related);
    let a = r.attributes();
    assert_eq!(a["platform"], "ios");
    assert_eq!(a["language"], "sv-SE");
    assert_eq!(a["screen"], "390x844");
    assert_eq!(a["ip"], "203.0.113.9");
    assert!(DateTime::parse_from_rfc3339(a["created_at"].as_str().unwrap()).is_ok());
    assert_eq!(
        r.body["data"]["relationships"]["session"]["data"],
        json!({"type": "session", "id": id})
    );
    // Reading the device is reading the applicant's data: it counts.
    assert_eq!(app.reads_of(&reader).await, 1);

    let missing = format!("/v1/identity/session-devices/{}", Uuid::new_v4());
    let r = app.api("GET", &missing, &reader, None).await;
    assert_eq!((r.status, r.code()), (404, "not_found"));
    let r = app
        .api("GET", "/v1/identity/session-devices/nope", &reader, None)
        .await;
    assert_eq!(r.status, 400);
    let writer = app.api_key(&[Permission::SessionsWrite]);
    assert_eq!(app.api("GET", related, &writer, None).await.status, 403);
    assert_eq!(app.reads_of(&reader).await, 1);

    let redacted = app
        .api("POST", &format!("{SESSIONS}/{id}/redact"), &key, None)
        .await;
    assert_eq!(redacted.status, 200, "{}", redacted.body);
    let r = app.api("GET", related, &reader, None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    for name in [
        "ip",
        "user_agent",
        "platform",
        "browser",
        "os",
        "device_type",
        "language",
        "screen",
    ] {
        assert_eq!(r.attributes()[name], Value::Null, "{name}: {}", r.body);
    }
    assert!(r.attributes()["created_at"].is_string());
}

fn create_body(account: Uuid, expires_at: Value) -> Value {
    json!({"data": {"type": "session", "attributes": {"expires_at": expires_at},
        "relationships": {"account": {"data": {"type": "account", "id": account}}}}})
}

fn patch_body(id: Uuid, attributes: Value) -> Value {
    json!({"data": {"type": "session", "id": id, "attributes": attributes}})
}

fn expires_at(r: &ApiResponse) -> DateTime<Utc> {
    let raw = r.attributes()["expires_at"].as_str().expect("expires_at");
    DateTime::parse_from_rfc3339(raw)
        .unwrap()
        .with_timezone(&Utc)
}

fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// Now, at the precision the API keeps (microseconds).
fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

#[tokio::test]
async fn expires_at_is_set_at_creation_within_bounds() {
    let app = spawn_app().await;
    let key = app.full_api_key();
    let account = app.api_account(&key).await;

    let wanted = now() + Duration::days(30);
    let r = app
        .api(
            "POST",
            SESSIONS,
            &key,
            Some(create_body(account, json!(time(wanted)))),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(expires_at(&r), wanted);
    // An offset other than Z is read as the instant it names.
    let in_stockholm =
        (now() + Duration::days(2)).with_timezone(&chrono::FixedOffset::east_opt(3600).unwrap());
    let r = app
        .api(
            "POST",
            SESSIONS,
            &key,
            Some(create_body(account, json!(in_stockholm.to_rfc3339()))),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(
        expires_at(&r).timestamp(),
        in_stockholm.timestamp(),
        "{}",
        r.body
    );
    // Absent or null: the configured lifetime (7 days).
    for body in [
        create_body(account, Value::Null),
        json!({"data": {"type": "session",
            "relationships": {"account": {"data": {"type": "account", "id": account}}}}}),
    ] {
        let r = app.api("POST", SESSIONS, &key, Some(body)).await;
        assert_eq!(r.status, 201, "{}", r.body);
        let lifetime = expires_at(&r) - now();
        assert!(
            lifetime > Duration::days(7) - Duration::minutes(1),
            "{lifetime}"
        );
        assert!(lifetime <= Duration::days(7), "{lifetime}");
    }

    let before = app.fingerprint();
    for bad in [
        json!(time(now() - Duration::minutes(1))),
        json!(time(now() + Duration::days(91))),
        json!("next tuesday"),
        json!("2026-12-24"),
        json!(""),
        json!(1_800_000_000),
    ] {
        let r = app
            .api(
                "POST",
                SESSIONS,
                &key,
                Some(create_body(account, bad.clone())),
            )
            .await;
        assert_eq!(r.status, 422, "{bad}: {}", r.body);
        assert_eq!(r.pointer(), Some("/data/attributes/expires_at"), "{bad}");
        let detail = r.body["errors"][0]["detail"].as_str().unwrap();
        assert!(detail.contains("expires_at"), "{bad}: {detail}");
    }
    assert_eq!(app.fingerprint(), before, "a refused create wrote");
}

#[tokio::test]
async fn expires_at_is_moved_by_patch_until_the_session_is_final() {
    let app = spawn_app().await;
    let key = app.full_api_key();
    let account = app.api_account(&key).await;
    let created = app.api_session(&key, account).await;
    let id = created.id();
    let path = format!("{SESSIONS}/{id}");

    // Extended, then shortened; each change one event with both times, no personal data.
    let later = now() + Duration::days(60);
    let r = app
        .api(
            "PATCH",
            &path,
            &key,
            Some(patch_body(id, json!({"expires_at": time(later)}))),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(expires_at(&r), later);
    let sooner = now() + Duration::hours(1);
    let r = app
        .api(
            "PATCH",
            &path,
            &key,
            Some(patch_body(
                id,
                json!({"expires_at": time(sooner), "person": {"name": {"first": "Ines"}}}),
            )),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(expires_at(&r), sooner);
    assert_eq!(r.attributes()["person"]["name"]["first"], "Ines");
    let changes: Vec<Value> = events::table
        .filter(events::session_id.eq(id))
        .filter(events::action.eq("session.expiry_changed"))
        .order(events::id.asc())
        .select(events::details)
        .load(&mut app.conn())
        .unwrap();
    assert_eq!(changes.len(), 2);
    assert_eq!(changes[0]["from"], created.attributes()["expires_at"]);
    assert_eq!(changes[0]["to"], time(later));
    assert_eq!(changes[1]["to"], time(sooner));
    assert!(!serde_json::to_string(&changes).unwrap().contains("Ines"));
    // The same time again changes nothing and records nothing.
    let r = app
        .api(
            "PATCH",
            &path,
            &key,
            Some(patch_body(id, json!({"expires_at": time(sooner)}))),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(app.count_events("session.expiry_changed"), 2);

    // Bad values are 422s on the member, and nothing of the PATCH is written.
    let before = app.fingerprint();
    for bad in [
        json!(null),
        json!(time(now() - Duration::seconds(5))),
        json!(time(now() + Duration::days(90) + Duration::minutes(1))),
        json!("soon"),
        json!(true),
    ] {
        let r = app
            .api(
                "PATCH",
                &path,
                &key,
                Some(patch_body(
                    id,
                    json!({"expires_at": bad, "person": {"name": {"first": "Olga"}}}),
                )),
            )
            .await;
        assert_eq!(r.status, 422, "{bad}: {}", r.body);
        assert_eq!(r.pointer(), Some("/data/attributes/expires_at"), "{bad}");
    }
    assert_eq!(app.fingerprint(), before, "a refused PATCH wrote");

    // A final session keeps its expiry: 409, like any edit.
    for (status, from, action) in [
        ("approved", "completed", "approve"),
        ("declined", "completed", "decline"),
        ("expired", "created", "expire"),
    ] {
        let done = session_in(&app, &key, from).await;
        let r = app
            .api("POST", &format!("{SESSIONS}/{done}/{action}"), &key, None)
            .await;
        assert_eq!(r.attributes()["status"], status, "{}", r.body);
        let r = app
            .api(
                "PATCH",
                &format!("{SESSIONS}/{done}"),
                &key,
                Some(patch_body(done, json!({"expires_at": time(later)}))),
            )
            .await;
        assert_eq!(r.status, 409, "{status}: {}", r.body);
        assert!(
            r.body["errors"][0]["detail"]
                .as_str()
                .unwrap()
                .contains(status),
            "{status}: {}",
            r.body
        );
    }
    // A redacted one too.
    let redacted = app.api_session(&key, account).await.id();
    app.api("POST", &format!("{SESSIONS}/{redacted}/redact"), &key, None)
        .await;
    let r = app
        .api(
            "PATCH",
            &format!("{SESSIONS}/{redacted}"),
            &key,
            Some(patch_body(redacted, json!({"expires_at": time(later)}))),
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.body);
}

#[tokio::test]
async fn the_expiry_task_goes_by_the_moved_time() {
    let app = spawn_app_with(|c| c.expiry_interval = StdDuration::from_millis(200)).await;
    let key = app.full_api_key();
    let account = app.api_account(&key).await;
    let soon = app.api_session(&key, account).await.id();
    let rescued = app.api_session(&key, account).await.id();
    // `rescued` is due in a few seconds; its expiry moves out before then.
    diesel::update(sessions::table.find(rescued))
        .set(sessions::expires_at.eq(now() + Duration::seconds(3)))
        .execute(&mut app.conn())
        .unwrap();
    let patch = |id: Uuid, t: DateTime<Utc>| {
        (
            format!("{SESSIONS}/{id}"),
            patch_body(id, json!({"expires_at": time(t)})),
        )
    };
    let (path, body) = patch(rescued, now() + Duration::days(1));
    assert_eq!(app.api("PATCH", &path, &key, Some(body)).await.status, 200);
    let (path, body) = patch(soon, now() + Duration::seconds(2));
    assert_eq!(app.api("PATCH", &path, &key, Some(body)).await.status, 200);

    let status = |id: Uuid| {
        sessions::table
            .find(id)
            .select(sessions::status)
            .first::<String>(&mut app.conn())
            .unwrap()
    };
    let deadline = std::time::Instant::now() + StdDuration::from_secs(15);
    // Past the time `rescued` was due at, so that it would have expired by now unmoved.
    let waited_for = now() + Duration::seconds(4);
    while status(soon) != "expired" || now() < waited_for {
        assert!(
            std::time::Instant::now() < deadline,
            "the shortened session was not expired"
        );
        tokio::time::sleep(StdDuration::from_millis(100)).await;
    }
    assert_eq!(status(rescued), "created");
}

#[tokio::test]
async fn the_openapi_document_declares_each_addition_exactly() {
    let app = spawn_app().await;
    let bytes = app.get("/v1/openapi.json").await.bytes().await.unwrap();
    let doc: Value = serde_json::from_slice(&bytes).unwrap();
    let schemas = &doc["components"]["schemas"];
    let required = |schema: &Value| -> Vec<String> {
        schema["required"]
            .as_array()
            .map(|a| a.iter().map(|v| v.as_str().unwrap().to_owned()).collect())
            .unwrap_or_default()
    };

    let meta = &schemas["PageMeta"];
    for flag in ["has_next", "has_previous"] {
        assert_eq!(meta["properties"][flag]["type"], "boolean", "{flag}");
        assert!(required(meta).contains(&flag.to_owned()), "{flag}");
    }
    let links = &schemas["ListLinks"];
    assert_eq!(links["properties"]["first"]["type"], "string");
    assert!(required(links).contains(&"first".to_owned()));

    let list = &doc["paths"]["/v1/identity/documents"]["get"];
    assert_eq!(list["operationId"], "listDocuments");
    let filter = list["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "filter[session]")
        .expect("filter[session]");
    assert_eq!(filter["in"], "query");
    assert_eq!(filter["schema"]["format"], "uuid");
    let verifications = &doc["paths"]["/v1/identity/verifications"]["get"]["parameters"];
    assert!(
        verifications
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "filter[session]" && p["schema"]["format"] == "uuid")
    );

    let device = &doc["paths"]["/v1/identity/session-devices/{id}"]["get"];
    assert_eq!(device["operationId"], "getSessionDevice");
    assert_eq!(device["parameters"][0]["schema"]["format"], "uuid");
    assert!(device["responses"]["404"].is_object());
    let attributes = &schemas["SessionDeviceAttributes"];
    let mut members = required(attributes);
    members.sort();
    assert_eq!(
        members,
        [
            "browser",
            "created_at",
            "device_type",
            "ip",
            "language",
            "os",
            "platform",
            "screen",
            "user_agent"
        ]
    );
    assert_eq!(
        attributes["properties"]["created_at"]["format"],
        "date-time"
    );
    let related = &schemas["ToOneRelated"];
    assert_eq!(required(related), ["data", "links"]);

    let create = &schemas["CreateSessionAttributes"]["properties"]["expires_at"];
    assert_eq!(create["format"], "date-time");
    let patch = &schemas["PatchSessionAttributes"];
    assert_eq!(patch["properties"]["expires_at"]["format"], "date-time");
    assert_eq!(
        patch["properties"]["expires_at"]["type"], "string",
        "null is refused"
    );
    assert_eq!(patch["additionalProperties"], false);

    // A decision's `data` may be left out; its reason is the closed list.
    let decision = &schemas["DecisionDocument"];
    assert!(!required(decision).contains(&"data".to_owned()));
    let reason = doc.to_string();
    assert!(reason.contains("sanctions_or_watchlist"));
    let decline = &doc["paths"]["/v1/identity/sessions/{id}/decline"]["post"];
    assert!(decline["description"].as_str().unwrap().contains("`other`"));
}
