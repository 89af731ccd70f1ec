//! The photo is evidence: `verification/idv` reads the zone printed on the front image.
//! A photo alone verifies a passport; a photo whose zone contradicts the `mrz` sent fails
//! `mrz_matches_image` naming the field; a blurred or glared photo asks for a retry,
//! saying why.

use rand::SeedableRng;
use serde_json::{Value, json};
use sessiondesk::demo::images::png;
use sessiondesk::demo::specimens::{self, Degradation};
use sessiondesk::domain::kinds::Role;
use uuid::Uuid;

use crate::api_documents::upload;
use crate::api_verifications::{Passport, verify};
use crate::helpers::{ApiResponse, TestApp, spawn_app};

/// A started, submitted session with a passport document (`mrz` sent or not) and `photo`
/// as its front; (session, document).
async fn pending_with(app: &TestApp, key: &str, mrz: Option<String>, photo: &[u8]) -> (Uuid, Uuid) {
    let account = app.api_account(key).await;
    let session = app.api_session(key, account).await.id();
    let mut attributes = json!({"document_type": "passport"});
    if let Some(m) = mrz {
        attributes["mrz"] = json!(m);
    }
    let body = json!({"data": {"type": "document/idv", "attributes": attributes,
        "relationships": {"session": {"data": {"type": "session", "id": session}}}}});
    let r = app
        .api("POST", "/v1/identity/documents/idvs", key, Some(body))
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let doc = r.id();
    let up = upload(app, key, doc, "front", "front.png", photo, None).await;
    assert_eq!(up.status, 201, "{:?}", up.body);
    for action in ["start", "submit"] {
        let r = app
            .api(
                "POST",
                &format!("/v1/identity/sessions/{session}/{action}"),
                key,
                None,
            )
            .await;
        assert_eq!(r.status, 200, "{action}: {:?}", r.body);
    }
    (session, doc)
}

fn check<'a>(v: &'a ApiResponse, name: &str) -> &'a Value {
    v.attributes()["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no check {name}"))
}

async fn session_status(app: &TestApp, key: &str, session: Uuid) -> Value {
    app.api(
        "GET",
        &format!("/v1/identity/sessions/{session}"),
        key,
        None,
    )
    .await
    .attributes()["status"]
        .clone()
}

#[tokio::test]
async fn a_photo_alone_verifies_a_passport_and_fills_the_session_from_its_zone() {
    let app = spawn_app().await;
    let key = app.full_api_key();
    let p = Passport::lindqvist();
    let (session, doc) = pending_with(&app, &key, None, &p.png()).await;
    let v = verify(&app, &key, session, doc, true).await;
    assert_eq!(v.status, 201, "{:?}", v.body);
    let a = v.attributes();
    assert_eq!(a["status"], "passed", "{a:#}");
    assert_eq!(check(&v, "mrz_format")["status"], "passed");
    assert!(
        check(&v, "mrz_format")["reasons"][0]
            .as_str()
            .unwrap()
            .contains("read from the photo")
    );
    assert_eq!(check(&v, "mrz_read_from_image")["status"], "passed");
    assert_eq!(check(&v, "mrz_matches_image")["status"], "not_applicable");
    assert_eq!(check(&v, "image_quality")["status"], "passed");
    assert_eq!(a["extracted"]["mrz"], p.mrz());
    assert_eq!(a["extracted"]["document_number"], "AB1234567");
    let s = app
        .api(
            "GET",
            &format!("/v1/identity/sessions/{session}"),
            &key,
            None,
        )
        .await;
    assert_eq!(s.attributes()["status"], "completed");
    assert_eq!(s.attributes()["person"]["name"]["last"], "Lindqvist");
}

#[tokio::test]
async fn a_photo_whose_zone_contradicts_the_mrz_sent_fails_naming_the_field() {
    let app = spawn_app().await;
    let key = app.full_api_key();
    let sent = Passport::lindqvist();
    let printed = Passport {
        number: "XY7654321",
        ..Passport::lindqvist()
    };
    let (session, doc) = pending_with(&app, &key, Some(sent.mrz()), &printed.png()).await;
    let v = verify(&app, &key, session, doc, true).await;
    assert_eq!(v.status, 201, "{:?}", v.body);
    assert_eq!(v.attributes()["status"], "failed", "{:#}", v.attributes());
    let m = check(&v, "mrz_matches_image");
    assert_eq!(m["status"], "failed");
    assert!(
        m["reasons"][0]
            .as_str()
            .unwrap()
            .contains("document number"),
        "{m}"
    );
    assert!(
        m["metadata"]["fields"]
            .as_array()
            .unwrap()
            .contains(&json!("document_number")),
        "{m}"
    );
    // The verdict rests on the photo: what it says is what was extracted, and neither
    // number appears in any check.
    assert_eq!(v.attributes()["extracted"]["document_number"], "XY7654321");
    let checks = v.attributes()["checks"].to_string();
    assert!(!checks.contains("XY7654321") && !checks.contains("AB1234567"));
    assert_eq!(session_status(&app, &key, session).await, "failed");

    // The reviewer sees the zone read from the photo beside the one sent, the differing
    // characters marked in both (8 of the number's 9 characters, 4 being the same);
    // a manager sees neither zone.
    let (reviewer, _) = app.signed_in(Role::Reviewer).await;
    let page = reviewer
        .get(&format!("/sessions/{session}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Read from the photo"), "{page}");
    assert!(page.contains("Sent by the integrator"));
    let marked = page.matches("<mark class=\"zone-differs\"").count();
    assert!(marked >= 2 * 8, "{marked} marks");
    assert!(page.contains("SWELINDQVIST"));
    let (manager, _) = app.signed_in(Role::Manager).await;
    let masked = manager
        .get(&format!("/sessions/{session}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(!masked.contains("Read from the photo"));
    assert!(!masked.contains("LINDQVIST"));
}

#[tokio::test]
async fn a_blurred_or_glared_photo_asks_for_a_retry_saying_why() {
    let app = spawn_app().await;
    let key = app.full_api_key();
    let p = Passport::lindqvist();
    let page = p.page(7.2);
    let cap = specimens::cap_height(7.2);
    let mut rng = rand::rngs::StdRng::seed_from_u64(16);
    let blurred = specimens::photograph(
        &page,
        cap,
        &Degradation {
            blur: 0.25,
            ..Degradation::CLEAN
        },
        &mut rng,
    );
    let glared = png(&specimens::with_glare(&page));
    for (photo, reason) in [
        (blurred, "the photo is blurry"),
        (glared, "glare covers the text"),
    ] {
        let (session, doc) = pending_with(&app, &key, Some(p.mrz()), &photo).await;
        let v = verify(&app, &key, session, doc, false).await;
        assert_eq!(v.status, 201, "{:?}", v.body);
        assert_eq!(v.attributes()["status"], "requires_retry", "{reason}");
        let q = check(&v, "image_quality");
        assert_eq!(q["status"], "failed", "{q}");
        assert!(
            q["reasons"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r.as_str().unwrap().starts_with(reason)),
            "{q}"
        );
        assert_eq!(check(&v, "mrz_read_from_image")["status"], "failed");
        assert_eq!(session_status(&app, &key, session).await, "pending");
    }
}
