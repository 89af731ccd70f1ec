//! The README's integrator walk-through, end to end over HTTP: a key created in the
//! dashboard, an account and a session, an ID uploaded (the photo alone: its zone is read
//! from it), start, submit, the verification that completes it, approve.

use chrono::{Duration, NaiveDate, Utc};
use serde_json::json;
use sessiondesk::domain::kinds::{Permission, Role};

use crate::api_documents::upload;
use crate::api_verifications::Passport;
use crate::helpers::spawn_app;

#[tokio::test]
async fn an_integrator_goes_from_a_dashboard_key_to_an_approved_session() {
    let app = spawn_app().await;
    // 1. An admin creates the key in the dashboard; its secret is shown once.
    let (admin, _) = app.signed_in(Role::Admin).await;
    let token = admin.csrf("/admin/api-keys").await;
    let mut form: Vec<(&str, &str)> = vec![("name", "Onboarding flow")];
    for p in Permission::ALL {
        form.push(("permission", p.as_str()));
    }
    let created = admin.post("/admin/api-keys", &form, &token).await;
    assert_eq!(created.status(), 200);
    let html = created.text().await.unwrap();
    let marker = "<code id=\"secret-value\">";
    let start = html.find(marker).expect("the secret is shown") + marker.len();
    let key = html[start..start + html[start..].find('<').unwrap()].to_owned();

    // 2. An account and a session for it, with the applicant's name.
    let account = app
        .api(
            "POST",
            "/v1/identity/accounts",
            &key,
            Some(json!({"data": {"type": "account", "attributes": {"external_id": "crm_walk"}}})),
        )
        .await;
    assert_eq!(account.status, 201, "{}", account.body);
    let session = app
        .api(
            "POST",
            "/v1/identity/sessions",
            &key,
            Some(
                json!({"data": {"type": "session", "attributes": {"entity_type": "person"},
                "relationships": {"account": {"data": {"type": "account", "id": account.id()}}}}}),
            ),
        )
        .await;
    assert_eq!(session.status, 201, "{}", session.body);
    let id = session.id();
    let patched = app
        .api(
            "PATCH",
            &format!("/v1/identity/sessions/{id}"),
            &key,
            Some(json!({"data": {"type": "session", "id": id, "attributes": {
                "person": {"name": {"first": "Anna", "last": "Eriksson"}, "birth_date": "1974-08-12"}}}})),
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.body);

    // 3. The applicant's passport and a photo of its front: the photo alone (no `mrz`),
    //    whose zone the engine reads.
    let passport = Passport {
        surname: "ERIKSSON",
        given: "ANNA MARIA",
        birth: NaiveDate::from_ymd_opt(1974, 8, 12).unwrap(),
        expiry: Utc::now().date_naive() + Duration::days(3 * 365),
        number: "L898902C3",
    };
    let doc = app
        .api(
            "POST",
            "/v1/identity/documents/idvs",
            &key,
            Some(
                json!({"data": {"type": "document/idv", "attributes": {"document_type": "passport"},
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

    // 4. Start and submit.
    for (action, status) in [("start", "started"), ("submit", "pending")] {
        let r = app
            .api(
                "POST",
                &format!("/v1/identity/sessions/{id}/{action}"),
                &key,
                None,
            )
            .await;
        assert_eq!(r.status, 200, "{action}: {}", r.body);
        assert_eq!(r.attributes()["status"], status);
    }

    // 5. The verification: it passes, fills the blank identity number from the MRZ (the
    //    typed name stays as typed), and completes the pending session.
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
    assert_eq!(
        verification.attributes()["status"],
        "passed",
        "{}",
        verification.body
    );
    assert_eq!(
        verification.attributes()["extracted"]["mrz"],
        passport.mrz(),
        "what the photo says"
    );
    let read = app
        .api("GET", &format!("/v1/identity/sessions/{id}"), &key, None)
        .await;
    assert_eq!(read.attributes()["status"], "completed");
    assert_eq!(read.attributes()["identity_number"]["number"], "L898902C3");
    assert_eq!(read.attributes()["identity_number"]["class"], "passport");
    assert_eq!(read.attributes()["person"]["name"]["last"], "Eriksson");

    // 6. Approve, and read back the decision and the document.
    let approved = app
        .api(
            "POST",
            &format!("/v1/identity/sessions/{id}/approve"),
            &key,
            Some(json!({"data": {"type": "decision", "attributes": {"comment": "ok"}}})),
        )
        .await;
    assert_eq!(approved.status, 200, "{}", approved.body);
    let read = app
        .api("GET", &format!("/v1/identity/sessions/{id}"), &key, None)
        .await;
    assert_eq!(read.attributes()["status"], "approved");
    assert_eq!(read.attributes()["decision"]["outcome"], "approved");
    let docs = &read.body["data"]["relationships"]["documents"]["data"];
    assert_eq!(docs.as_array().map(|a| a.len()), Some(1), "{docs}");
}
