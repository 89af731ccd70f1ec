//! A key that may write sessions but not read them gets no personal data back from its
//! writes: the session it answers has `person`, `contact`, `address`, `identity_number`
//! and the decision's comment null. A key that may also read gets them.

use serde_json::json;
use sessiondesk::domain::kinds::Permission;

use crate::helpers::spawn_app;

fn patch_body(session: uuid::Uuid, first: &str) -> serde_json::Value {
    json!({"data": {"type": "session", "id": session, "attributes": {
        "person": {"name": {"first": first, "last": "Quist"}},
        "contact": {"email": format!("{}@example.org", first.to_lowercase())},
    }}})
}

#[tokio::test]
async fn a_write_only_key_gets_no_personal_data_back_from_a_patch_and_a_reading_key_does() {
    let app = spawn_app().await;
    let full = app.full_api_key();
    let account = app.api_account(&full).await;
    let session = app.api_session(&full, account).await.id();
    let path = format!("/v1/identity/sessions/{session}");
    let write_only = app.api_key(&[Permission::SessionsWrite]);

    let r = app
        .api(
            "PATCH",
            &path,
            &write_only,
            Some(patch_body(session, "Zelda")),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let text = r.body.to_string();
    assert!(!text.contains("Zelda"), "the name came back: {text}");
    assert!(!text.contains("zelda@"), "the email came back: {text}");
    for object in ["person", "contact", "address", "identity_number"] {
        assert!(r.attributes()[object].is_null(), "{object}: {text}");
    }
    assert_eq!(r.attributes()["status"], "created");
    assert_eq!(r.body["data"]["id"], session.to_string());

    // The write happened: a reading key sees it.
    let read = app.api("GET", &path, &full, None).await;
    assert_eq!(read.attributes()["person"]["name"]["first"], "Zelda");

    // A transition answered to the write-only key withholds it too.
    let started = app
        .api("POST", &format!("{path}/start"), &write_only, None)
        .await;
    assert_eq!(started.status, 200, "{:?}", started.body);
    assert!(!started.body.to_string().contains("Zelda"));

    let read_write = app.api_key(&[Permission::SessionsWrite, Permission::SessionsRead]);
    let r = app
        .api(
            "PATCH",
            &path,
            &read_write,
            Some(patch_body(session, "Yara")),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.attributes()["person"]["name"]["first"], "Yara");
    assert_eq!(r.attributes()["contact"]["email"], "yara@example.org");
}

#[tokio::test]
async fn a_verification_answered_to_a_key_without_sessions_read_carries_no_extracted_data() {
    use crate::api_verifications::{Passport, passport_document, verify};
    let app = spawn_app().await;
    let full = app.full_api_key();
    let account = app.api_account(&full).await;
    let session = app.api_session(&full, account).await.id();
    let p = Passport::lindqvist();
    let doc = passport_document(&app, &full, session, &p, true).await;
    let write_only = app.api_key(&[Permission::VerificationsWrite]);
    let r = verify(&app, &write_only, session, doc, false).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.attributes()["status"], "passed");
    assert!(r.attributes()["extracted"].is_null(), "{:?}", r.body);
    assert!(!r.body.to_string().contains("Lindqvist"), "{:?}", r.body);
    let r = verify(&app, &full, session, doc, false).await;
    assert_eq!(r.attributes()["extracted"]["name"]["last"], "Lindqvist");
}
