//! The verification engine over HTTP: `POST /v1/identity/verifications` runs the checks on
//! a session's document and answers with the result; a pass can fill the session from the
//! MRZ; the result completes or fails a pending session; reads and lists; refusals.

use chrono::{Duration, NaiveDate, Utc};
use serde_json::{Value, json};
use sessiondesk::demo::images::{CardData, document, id_card_png};
use sessiondesk::domain::mrz::{Td3Fields, compose_td3};
use uuid::Uuid;

use crate::api_documents::upload;
use crate::helpers::{ApiResponse, TestApp, spawn_app};

/// A passport's fields; its MRZ and a readable 900x600 PNG of it are made from them.
pub struct Passport {
    pub surname: &'static str,
    pub given: &'static str,
    pub birth: NaiveDate,
    pub expiry: NaiveDate,
    pub number: &'static str,
}

impl Passport {
    pub fn lindqvist() -> Self {
        Passport {
            surname: "LINDQVIST",
            given: "ERIK JOHAN",
            birth: NaiveDate::from_ymd_opt(1985, 3, 14).unwrap(),
            expiry: Utc::now().date_naive() + Duration::days(5 * 365),
            number: "AB1234567",
        }
    }

    /// The zone's two lines.
    pub fn mrz(&self) -> String {
        compose_td3(&Td3Fields {
            document_code: "P".into(),
            issuing_state: "SWE".into(),
            surname: self.surname.into(),
            given_names: self.given.into(),
            document_number: self.number.into(),
            nationality: "SWE".into(),
            birth_date: self.birth,
            sex: 'M',
            expiry_date: self.expiry,
            optional_data: String::new(),
        })
        .join("\n")
    }

    /// What the data page shows.
    fn card<'a>(&'a self, mrz: &'a [String], dates: &'a (String, String)) -> CardData<'a> {
        CardData {
            title: "PASSPORT",
            country: "SWE",
            surname: self.surname,
            given_names: self.given,
            birth_date: &dates.0,
            expiry_date: &dates.1,
            number: self.number,
            mrz,
            tint: 7,
        }
    }

    /// A readable photo of the data page, its zone printed in OCR-B.
    pub fn png(&self) -> Vec<u8> {
        let mrz: Vec<String> = self.mrz().lines().map(str::to_owned).collect();
        let dates = (self.birth.to_string(), self.expiry.to_string());
        id_card_png(&self.card(&mrz, &dates), true)
    }

    /// The data page printed at `px_per_mm` (a passport page is 125 mm wide).
    pub fn page(&self, px_per_mm: f32) -> image::RgbImage {
        let mrz: Vec<String> = self.mrz().lines().map(str::to_owned).collect();
        let dates = (self.birth.to_string(), self.expiry.to_string());
        document(&self.card(&mrz, &dates), px_per_mm)
    }
}

/// A new session; its id.
async fn new_session(app: &TestApp, key: &str) -> Uuid {
    let account = app.api_account(key).await;
    app.api_session(key, account).await.id()
}

/// A passport document with its MRZ and, when `image`, its front image; the document id.
pub async fn passport_document(
    app: &TestApp,
    key: &str,
    session: Uuid,
    passport: &Passport,
    image: bool,
) -> Uuid {
    let body = json!({"data": {"type": "document/idv",
        "attributes": {"document_type": "passport", "mrz": passport.mrz()},
        "relationships": {"session": {"data": {"type": "session", "id": session}}}}});
    let r = app
        .api("POST", "/v1/identity/documents/idvs", key, Some(body))
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let doc = r.id();
    if image {
        let up = upload(app, key, doc, "front", "front.png", &passport.png(), None).await;
        assert_eq!(up.status, 201, "{:?}", up.body);
    }
    doc
}

async fn action(app: &TestApp, key: &str, session: Uuid, what: &str) -> ApiResponse {
    app.api(
        "POST",
        &format!("/v1/identity/sessions/{session}/{what}"),
        key,
        None,
    )
    .await
}

fn verification_body(kind: &str, doc_type: &str, doc: Uuid, session: Uuid, auto: bool) -> Value {
    json!({"data": {"type": kind,
        "relationships": {
            "document": {"data": {"type": doc_type, "id": doc}},
            "session": {"data": {"type": "session", "id": session}}},
        "meta": {"auto_update_session": auto}}})
}

pub async fn verify(app: &TestApp, key: &str, session: Uuid, doc: Uuid, auto: bool) -> ApiResponse {
    app.api(
        "POST",
        "/v1/identity/verifications",
        key,
        Some(verification_body(
            "verification/idv",
            "document/idv",
            doc,
            session,
            auto,
        )),
    )
    .await
}

async fn session_attributes(app: &TestApp, key: &str, session: Uuid) -> Value {
    let r = app
        .api(
            "GET",
            &format!("/v1/identity/sessions/{session}"),
            key,
            None,
        )
        .await;
    assert_eq!(r.status, 200);
    r.attributes().clone()
}

fn check_status<'a>(v: &'a ApiResponse, name: &str) -> &'a str {
    v.attributes()["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["name"] == name)
        .and_then(|c| c["status"].as_str())
        .unwrap_or_else(|| panic!("no check {name}"))
}

/// Started and submitted: `pending`.
async fn pending_session_with(app: &TestApp, key: &str, p: &Passport, image: bool) -> (Uuid, Uuid) {
    let session = new_session(app, key).await;
    let doc = passport_document(app, key, session, p, image).await;
    assert_eq!(action(app, key, session, "start").await.status, 200);
    assert_eq!(action(app, key, session, "submit").await.status, 200);
    (session, doc)
}

#[tokio::test]
async fn a_passed_verification_with_auto_update_fills_the_session_and_completes_it() {
    let app = spawn_app().await;
    let key = app.full_api_key();
    let p = Passport::lindqvist();
    let (session, doc) = pending_session_with(&app, &key, &p, true).await;

    let v = verify(&app, &key, session, doc, true).await;
    assert_eq!(v.status, 201, "{:?}", v.body);
    assert_eq!(v.body["data"]["type"], "verification/idv");
    let a = v.attributes();
    assert_eq!(a["status"], "passed", "{a:#}");
    let names: Vec<&str> = a["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "mrz_format",
            "mrz_check_digits",
            "document_not_expired",
            "minimum_age",
            "data_consistency",
            "image_readable",
            "image_quality",
            "mrz_read_from_image",
            "mrz_matches_image"
        ]
    );
    for c in a["checks"].as_array().unwrap() {
        assert!(!c["reasons"].as_array().unwrap().is_empty(), "{c}");
        assert_eq!(c["requirement"], "required");
    }
    assert_eq!(a["extracted"]["name"]["last"], "Lindqvist");
    assert_eq!(a["extracted"]["document_number"], "AB1234567");
    assert_eq!(a["auto_update_session"], true);
    assert_eq!(
        v.body["data"]["relationships"]["document"]["data"]["id"],
        doc.to_string()
    );

    let s = session_attributes(&app, &key, session).await;
    assert_eq!(s["status"], "completed");
    assert!(s["completed_at"].is_string());
    assert_eq!(
        s["person"],
        json!({"name": {"first": "Erik", "middle": "Johan", "last": "Lindqvist"}, "birth_date": "1985-03-14"})
    );
    assert_eq!(
        s["identity_number"],
        json!({"number": "AB1234567", "issuing_country_code": "SE", "class": "passport"})
    );

    // The auto-update's event names the fields and never their values; the session's
    // completion is the system's.
    let mut conn = app.conn();
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct Ev {
        #[diesel(sql_type = diesel::sql_types::Text)]
        action: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        actor_type: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        details: String,
    }
    let events: Vec<Ev> = diesel::sql_query(
        "SELECT action, actor_type, details::text AS details FROM events \
         WHERE session_id = $1 ORDER BY id",
    )
    .bind::<diesel::sql_types::Uuid, _>(session)
    .load(&mut conn)
    .unwrap();
    let auto = events
        .iter()
        .find(|e| e.action == "session.auto_updated")
        .expect("an auto-update event");
    assert!(
        auto.details.contains("person.name.last"),
        "{}",
        auto.details
    );
    assert!(auto.details.contains("person.birth_date"));
    for e in &events {
        for secret in ["Lindqvist", "LINDQVIST", "1985", "AB1234567", "Erik"] {
            assert!(
                !e.details.contains(secret),
                "{} leaks {secret}: {}",
                e.action,
                e.details
            );
        }
    }
    let completed = events
        .iter()
        .find(|e| e.action == "session.completed")
        .expect("completed");
    assert_eq!(completed.actor_type, "system");
    let order: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    let pos = |a: &str| order.iter().position(|x| *x == a).unwrap();
    assert!(pos("verification.completed") < pos("session.completed"));
}

#[tokio::test]
async fn an_expired_passport_fails_its_check_and_the_session() {
    let app = spawn_app().await;
    let key = app.full_api_key();
    let p = Passport {
        expiry: Utc::now().date_naive() - Duration::days(40),
        ..Passport::lindqvist()
    };
    let (session, doc) = pending_session_with(&app, &key, &p, true).await;
    let v = verify(&app, &key, session, doc, true).await;
    assert_eq!(v.status, 201);
    assert_eq!(v.attributes()["status"], "failed");
    assert_eq!(check_status(&v, "document_not_expired"), "failed");
    assert_eq!(check_status(&v, "minimum_age"), "passed");
    let s = session_attributes(&app, &key, session).await;
    assert_eq!(s["status"], "failed");
    assert!(s["failed_at"].is_string());
    // A failed verification writes nothing onto the session.
    assert_eq!(s["person"]["name"]["last"], Value::Null);
}

#[tokio::test]
async fn a_seventeen_year_old_fails_minimum_age() {
    let app = spawn_app().await;
    let key = app.full_api_key();
    let today = Utc::now().date_naive();
    let p = Passport {
        birth: today - Duration::days(17 * 365 + 100),
        ..Passport::lindqvist()
    };
    let (session, doc) = pending_session_with(&app, &key, &p, true).await;
    let v = verify(&app, &key, session, doc, false).await;
    assert_eq!(v.attributes()["status"], "failed");
    assert_eq!(check_status(&v, "minimum_age"), "failed");
    let reasons = v.attributes()["checks"][3]["reasons"].to_string();
    assert!(reasons.contains("younger than 18"), "{reasons}");
    assert_eq!(
        session_attributes(&app, &key, session).await["status"],
        "failed"
    );
}

#[tokio::test]
async fn an_unreadable_input_asks_for_a_retry_and_leaves_the_session_pending() {
    let app = spawn_app().await;
    let key = app.full_api_key();
    let p = Passport::lindqvist();
    let (session, doc) = pending_session_with(&app, &key, &p, false).await;
    let v = verify(&app, &key, session, doc, true).await;
    assert_eq!(v.attributes()["status"], "requires_retry");
    assert_eq!(check_status(&v, "image_readable"), "failed");
    assert_eq!(
        session_attributes(&app, &key, session).await["status"],
        "pending"
    );

    // The retry, with the photo, completes it.
    let up = upload(&app, &key, doc, "front", "front.png", &p.png(), None).await;
    assert_eq!(up.status, 201);
    let v = verify(&app, &key, session, doc, false).await;
    assert_eq!(v.attributes()["status"], "passed");
    assert_eq!(
        session_attributes(&app, &key, session).await["status"],
        "completed"
    );
}

#[tokio::test]
async fn entered_data_that_differs_from_the_document_fails_data_consistency() {
    let app = spawn_app().await;
    let key = app.full_api_key();
    let p = Passport::lindqvist();
    let session = new_session(&app, &key).await;
    let patch = json!({"data": {"type": "session", "id": session, "attributes": {
        "person": {"name": {"first": "Erik", "middle": "Johan", "last": "Lindkvist"}, "birth_date": "1985-03-14"}}}});
    let r = app
        .api(
            "PATCH",
            &format!("/v1/identity/sessions/{session}"),
            &key,
            Some(patch),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let doc = passport_document(&app, &key, session, &p, true).await;
    let v = verify(&app, &key, session, doc, true).await;
    assert_eq!(v.attributes()["status"], "failed");
    let check = &v.attributes()["checks"][4];
    assert_eq!(check["name"], "data_consistency");
    assert_eq!(check["status"], "failed");
    assert_eq!(check["metadata"]["mismatched"], json!(["person.name.last"]));
    assert!(!check.to_string().contains("Lindkvist"), "{check}");
    // Nothing was overwritten by the failed verification.
    let s = session_attributes(&app, &key, session).await;
    assert_eq!(s["person"]["name"]["last"], "Lindkvist");
    // The session was not pending: the result leaves its status alone.
    assert_eq!(s["status"], "created");
}

#[tokio::test]
async fn a_verification_before_submission_completes_the_session_at_submit() {
    let app = spawn_app().await;
    let key = app.full_api_key();
    let p = Passport::lindqvist();
    let session = new_session(&app, &key).await;
    let doc = passport_document(&app, &key, session, &p, true).await;
    assert_eq!(action(&app, &key, session, "start").await.status, 200);
    let v = verify(&app, &key, session, doc, false).await;
    assert_eq!(v.attributes()["status"], "passed");
    assert_eq!(
        session_attributes(&app, &key, session).await["status"],
        "started"
    );
    let submitted = action(&app, &key, session, "submit").await;
    assert_eq!(submitted.status, 200);
    assert_eq!(submitted.attributes()["status"], "completed");
    assert!(submitted.attributes()["submitted_at"].is_string());
}

#[tokio::test]
async fn wrong_documents_and_types_are_refused_and_write_nothing() {
    let app = spawn_app().await;
    let key = app.full_api_key();
    let p = Passport::lindqvist();
    let session = new_session(&app, &key).await;
    let doc = passport_document(&app, &key, session, &p, true).await;
    let other_session = new_session(&app, &key).await;
    let bill = crate::api_documents::document(&app, &key, session, true).await;
    let count = |app: &TestApp| {
        use diesel::prelude::*;
        sessiondesk::schema::verifications::table
            .count()
            .get_result::<i64>(&mut app.conn())
            .unwrap()
    };
    let before = count(&app);
    let cases = [
        (
            verification_body("verification/selfie", "document/idv", doc, session, false),
            422,
            "/data/type",
        ),
        (
            verification_body("verification/idv", "document/address", bill, session, false),
            422,
            "/data/relationships/document/data/type",
        ),
        (
            verification_body("verification/idv", "document/idv", bill, session, false),
            404,
            "/data/relationships/document/data/id",
        ),
        (
            verification_body(
                "verification/address",
                "document/address",
                doc,
                session,
                false,
            ),
            404,
            "/data/relationships/document/data/id",
        ),
        (
            verification_body(
                "verification/idv",
                "document/idv",
                doc,
                other_session,
                false,
            ),
            404,
            "/data/relationships/document/data/id",
        ),
        (
            verification_body(
                "verification/idv",
                "document/idv",
                doc,
                Uuid::new_v4(),
                false,
            ),
            404,
            "/data/relationships/session/data/id",
        ),
        (
            verification_body(
                "verification/idv",
                "document/idv",
                Uuid::new_v4(),
                session,
                false,
            ),
            404,
            "/data/relationships/document/data/id",
        ),
    ];
    for (body, status, pointer) in cases {
        let r = app
            .api(
                "POST",
                "/v1/identity/verifications",
                &key,
                Some(body.clone()),
            )
            .await;
        assert_eq!(r.status, status, "{body} -> {:?}", r.body);
        assert_eq!(r.pointer(), Some(pointer), "{body} -> {:?}", r.body);
    }
    let mut extra = verification_body("verification/idv", "document/idv", doc, session, false);
    extra["data"]["meta"]["bogus"] = json!(1);
    let r = app
        .api("POST", "/v1/identity/verifications", &key, Some(extra))
        .await;
    assert!(r.status == 400 || r.status == 422, "{:?}", r.body);
    assert_eq!(
        count(&app),
        before,
        "no refused request wrote a verification"
    );
}

#[tokio::test]
async fn final_sessions_take_no_more_verifications() {
    let app = spawn_app().await;
    let key = app.full_api_key();
    let p = Passport::lindqvist();
    let (session, doc) = pending_session_with(&app, &key, &p, true).await;
    assert_eq!(verify(&app, &key, session, doc, false).await.status, 201);
    assert_eq!(action(&app, &key, session, "approve").await.status, 200);
    let r = verify(&app, &key, session, doc, false).await;
    assert_eq!(r.status, 409);
    assert!(
        r.body.to_string().contains("session is approved"),
        "{:?}",
        r.body
    );
}

#[tokio::test]
async fn verifications_are_read_back_and_listed_with_filters_and_cursors() {
    let app = spawn_app().await;
    let key = app.full_api_key();
    let p = Passport::lindqvist();
    let expired = Passport {
        expiry: Utc::now().date_naive() - Duration::days(3),
        ..Passport::lindqvist()
    };
    let s1 = new_session(&app, &key).await;
    let d1 = passport_document(&app, &key, s1, &p, true).await;
    let s2 = new_session(&app, &key).await;
    let d2 = passport_document(&app, &key, s2, &expired, true).await;
    let mut ids = Vec::new();
    for (s, d) in [(s1, d1), (s1, d1), (s2, d2)] {
        ids.push(verify(&app, &key, s, d, false).await.id());
    }

    let one = app
        .api(
            "GET",
            &format!("/v1/identity/verifications/{}", ids[0]),
            &key,
            None,
        )
        .await;
    assert_eq!(one.status, 200);
    assert_eq!(one.attributes()["checks"].as_array().unwrap().len(), 9);
    let missing = app
        .api(
            "GET",
            &format!("/v1/identity/verifications/{}", Uuid::new_v4()),
            &key,
            None,
        )
        .await;
    assert_eq!(missing.status, 404);

    let list = |q: String| {
        let app = &app;
        let key = &key;
        async move {
            let r = app
                .api("GET", &format!("/v1/identity/verifications{q}"), key, None)
                .await;
            assert_eq!(r.status, 200, "{q}: {:?}", r.body);
            r
        }
    };
    let ids_of = |r: &ApiResponse| -> Vec<String> {
        r.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let all = list(String::new()).await;
    let newest_first: Vec<String> = ids.iter().rev().map(Uuid::to_string).collect();
    assert_eq!(ids_of(&all), newest_first);
    let of_s1 = list(format!("?filter[session]={s1}&page[total]=true")).await;
    assert_eq!(of_s1.body["meta"]["page"]["total"], 2);
    let failed = list("?filter[status]=failed".into()).await;
    assert_eq!(ids_of(&failed), vec![ids[2].to_string()]);

    let first = list("?page[size]=2".into()).await;
    assert_eq!(ids_of(&first), newest_first[..2]);
    let next = first.body["meta"]["page"]["next_cursor"]
        .as_str()
        .unwrap()
        .to_owned();
    let second = list(format!("?page[size]=2&page[after]={next}")).await;
    assert_eq!(ids_of(&second), newest_first[2..]);
    let prev = second.body["meta"]["page"]["prev_cursor"]
        .as_str()
        .unwrap()
        .to_owned();
    let back = list(format!("?page[size]=2&page[before]={prev}")).await;
    assert_eq!(ids_of(&back), newest_first[..2]);

    for (q, param) in [
        ("?filter[status]=maybe", "filter[status]"),
        ("?filter[session]=nope", "filter[session]"),
        (
            "?filter[created_at_from]=yesterday",
            "filter[created_at_from]",
        ),
        ("?filter[colour]=red", "filter[colour]"),
    ] {
        let r = app
            .api("GET", &format!("/v1/identity/verifications{q}"), &key, None)
            .await;
        assert_eq!(r.status, 400, "{q}");
        assert_eq!(r.parameter(), Some(param), "{q}");
    }
}
