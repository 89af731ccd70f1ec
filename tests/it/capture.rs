//! The applicant's capture flow over HTTP: a link from the API, consent (which starts the
//! session and records the device), personal data with a mistake corrected, the passport's
//! photo refused while blurry and accepted when sharp, the submit that verifies and
//! completes the session; and the link's security — dead links of every kind are the same
//! plain 404 and write nothing, a link reaches only its own session's files, and the rate
//! limit answers 429.

use diesel::prelude::*;
use rand::SeedableRng;
use serde_json::json;
use sessiondesk::demo::specimens::{self, Degradation};
use sessiondesk::domain::kinds::Role;
use uuid::Uuid;

use crate::api_verifications::Passport;
use crate::helpers::{TestApp, spawn_app, spawn_app_with};

/// A new session through the API and its capture link: (session, link path `/c/<token>`).
pub(crate) async fn session_with_link(app: &TestApp, key: &str) -> (Uuid, String) {
    let account = app.api_account(key).await;
    let session = app.api_session(key, account).await.id();
    let path = link(app, key, session).await;
    (session, path)
}

/// A new capture link of `session`: its path.
pub(crate) async fn link(app: &TestApp, key: &str, session: Uuid) -> String {
    let r = app
        .api(
            "POST",
            &format!("/v1/identity/sessions/{session}/capture-link"),
            key,
            None,
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["data"]["type"], "capture_link");
    let url = r.attributes()["url"].as_str().unwrap().to_owned();
    assert!(r.attributes()["expires_at"].is_string());
    let path = url
        .strip_prefix(&app.address)
        .expect("the link is on this server");
    assert!(path.starts_with("/c/") && path.len() == 3 + 43, "{path}");
    path.to_owned()
}

async fn post_form(app: &TestApp, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
    app.client
        .post(format!("{}{path}", app.address))
        .header("User-Agent", IPHONE)
        .header("Accept-Language", "en-GB,en;q=0.9")
        .form(form)
        .send()
        .await
        .unwrap()
}

async fn post_photo(app: &TestApp, path: &str, side: &str, bytes: Vec<u8>) -> reqwest::Response {
    let form = reqwest::multipart::Form::new()
        .text("side", side.to_owned())
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name("photo.png"),
        );
    app.client
        .post(format!("{}{path}/photos", app.address))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

const IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";

pub(crate) fn status_of(app: &TestApp, session: Uuid) -> String {
    use sessiondesk::schema::sessions;
    sessions::table
        .find(session)
        .select(sessions::status)
        .first(&mut app.conn())
        .unwrap()
}

pub(crate) fn blurred(p: &Passport) -> Vec<u8> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(17);
    specimens::photograph(
        &p.page(7.2),
        specimens::cap_height(7.2),
        &Degradation {
            blur: 0.25,
            ..Degradation::CLEAN
        },
        &mut rng,
    )
}

#[tokio::test]
async fn an_applicant_completes_a_session_through_the_link() {
    let app = spawn_app().await;
    let key = app.full_api_key();
    let (session, base) = session_with_link(&app, &key).await;

    let r = app.get(&base).await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], format!("{base}/consent"));
    let r = app.get(&format!("{base}/consent")).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "no-store");
    assert_eq!(r.headers()["referrer-policy"], "no-referrer");
    let html = r.text().await.unwrap();
    assert!(html.contains("How we use your data"), "{html}");
    assert!(html.contains("Step 1 of 5"), "{html}");

    // No consent, no start.
    let r = post_form(&app, &format!("{base}/consent"), &[("screen", "390x844")]).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("Please tick the box"));
    assert_eq!(status_of(&app, session), "created");

    let r = post_form(
        &app,
        &format!("{base}/consent"),
        &[("agree", "yes"), ("screen", "390x844")],
    )
    .await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], format!("{base}/data"));
    assert_eq!(status_of(&app, session), "started");
    let d = device_of(&app, &key, session).await;
    assert_eq!(d["device_type"], "mobile", "{d}");
    assert_eq!(d["os"], "iPhone", "{d}");
    assert_eq!(d["browser"], "Safari", "{d}");
    assert_eq!(d["screen"], "390x844", "{d}");
    assert_eq!(d["language"], "en-GB", "{d}");

    // A mistake, named beside its field; nothing written.
    let data = |birth: &'static str| {
        vec![
            ("first_name", "Erik"),
            ("middle_name", "Johan"),
            ("last_name", "Lindqvist"),
            ("birth_date", birth),
        ]
    };
    let r = post_form(&app, &format!("{base}/data"), &data("1985-02-30")).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"f-birth_date-error\""), "{html}");
    assert!(
        html.contains("value=\"Lindqvist\""),
        "typed values stay: {html}"
    );
    let person = app
        .api(
            "GET",
            &format!("/v1/identity/sessions/{session}"),
            &key,
            None,
        )
        .await;
    assert!(person.attributes()["person"]["name"]["last"].is_null());
    let r = post_form(&app, &format!("{base}/data"), &data("1985-03-14")).await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], format!("{base}/document"));

    let r = post_form(
        &app,
        &format!("{base}/document"),
        &[("document_type", "passport")],
    )
    .await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], format!("{base}/photos"));

    let p = Passport::lindqvist();
    let r = post_photo(&app, &base, "page", blurred(&p)).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("The photo is blurry"), "{html}");
    assert_eq!(app.count_events("document.file_uploaded"), 0);
    let r = post_photo(&app, &base, "page", p.png()).await;
    assert_eq!(r.status(), 303);
    let html = app
        .get(&format!("{base}/photos"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Photo accepted"), "{html}");

    let html = app
        .get(&format!("{base}/review"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Lindqvist") && html.contains("1 photo"),
        "{html}"
    );
    let r = post_form(&app, &format!("{base}/submit"), &[]).await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/c/done");
    assert_eq!(status_of(&app, session), "completed");

    // The link is used up: the same plain page as any dead link, and nothing is written.
    let r = app.get(&base).await;
    assert_eq!(r.status(), 404);
    let r = post_form(&app, &format!("{base}/data"), &data("1985-03-14")).await;
    assert_eq!(r.status(), 404);

    // The timeline says who did it.
    let (browser, _) = app.signed_in(Role::Reviewer).await;
    let html = browser
        .get(&format!("/sessions/{session}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("The applicant</strong> opened the link and agreed to the privacy notice"),
        "{html}"
    );
    assert!(
        html.contains("The applicant</strong> submitted the session"),
        "{html}"
    );
}

#[tokio::test]
async fn dead_links_are_one_plain_page_and_write_nothing() {
    let app = spawn_app().await;
    let key = app.full_api_key();
    let (session, first) = session_with_link(&app, &key).await;
    // A new link revokes the first.
    let second = link(&app, &key, session).await;
    // An expired one.
    let (other, expired) = session_with_link(&app, &key).await;
    diesel::sql_query(format!(
        "UPDATE capture_links SET expires_at = now() - interval '1 minute' WHERE session_id = '{other}'"
    ))
    .execute(&mut app.conn())
    .unwrap();
    let wrong = format!("/c/{}", "A".repeat(43));
    let before = app.fingerprint();
    let mut bodies = Vec::new();
    for dead in [&first, &expired, &wrong, &"/c/short".to_owned()] {
        let r = app.get(&format!("{dead}/consent")).await;
        assert_eq!(r.status(), 404, "{dead}");
        assert_eq!(r.headers()["referrer-policy"], "no-referrer");
        bodies.push(r.text().await.unwrap());
        let r = post_form(&app, &format!("{dead}/consent"), &[("agree", "yes")]).await;
        assert_eq!(r.status(), 404, "{dead}");
    }
    assert!(bodies.windows(2).all(|w| w[0] == w[1]), "dead links differ");
    assert!(bodies[0].contains("This link does not work"));
    assert_eq!(app.fingerprint(), before);
    assert_eq!(status_of(&app, session), "created");
    // The live one works.
    assert_eq!(app.get(&format!("{second}/consent")).await.status(), 200);
    // A decided or expired session ends its link.
    app.set_status(session, "expired");
    assert_eq!(app.get(&format!("{second}/consent")).await.status(), 404);
    // A link for a session that no longer waits for its applicant is refused.
    let r = app
        .api(
            "POST",
            &format!("/v1/identity/sessions/{session}/capture-link"),
            &key,
            None,
        )
        .await;
    assert_eq!(r.status, 409, "{:?}", r.body);
}

#[tokio::test]
async fn a_link_reaches_only_its_own_session() {
    let app = spawn_app().await;
    let key = app.full_api_key();
    let (_, mine) = session_with_link(&app, &key).await;
    // Another session with a file of its own, sent through the API.
    let account = app.api_account(&key).await;
    let theirs = app.api_session(&key, account).await.id();
    let body = json!({"data": {"type": "document/idv", "attributes": {"document_type": "passport"},
        "relationships": {"session": {"data": {"type": "session", "id": theirs}}}}});
    let doc = app
        .api("POST", "/v1/identity/documents/idvs", &key, Some(body))
        .await
        .id();
    let up = crate::api_documents::upload(
        &app,
        &key,
        doc,
        "front",
        "f.png",
        &Passport::lindqvist().png(),
        None,
    )
    .await;
    let file_id = up.body["data"]["relationships"]["files"]["data"][0]["id"]
        .as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| {
            diesel::sql_query("SELECT id::text AS id FROM document_files LIMIT 1")
                .get_result::<IdRow>(&mut app.conn())
                .unwrap()
                .id
        });
    let r = app.get(&format!("{mine}/files/{file_id}")).await;
    assert_eq!(r.status(), 404);
    assert!(!r.text().await.unwrap().contains("PNG"));
}

#[derive(QueryableByName)]
struct IdRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    id: String,
}

#[tokio::test]
async fn too_many_requests_through_a_link_are_refused() {
    let app = spawn_app_with(|c| c.capture_rate_per_minute = 5).await;
    let key = app.full_api_key();
    let (_, base) = session_with_link(&app, &key).await;
    for _ in 0..5 {
        assert_eq!(app.get(&format!("{base}/consent")).await.status(), 200);
    }
    let r = app.get(&format!("{base}/consent")).await;
    assert_eq!(r.status(), 429);
    assert!(r.headers().contains_key("retry-after"));
    assert!(r.text().await.unwrap().contains("too many attempts"));
}

#[tokio::test]
async fn the_flow_speaks_german_when_asked() {
    let app = spawn_app().await;
    let key = app.full_api_key();
    let (_, base) = session_with_link(&app, &key).await;
    let r = app
        .client
        .get(format!("{}{base}/consent", app.address))
        .header("Accept-Language", "de-DE,de;q=0.9,en;q=0.5")
        .send()
        .await
        .unwrap();
    let html = r.text().await.unwrap();
    assert!(html.contains("<html lang=\"de\">"), "{html}");
    assert!(html.contains("Wie wir Ihre Daten verwenden"), "{html}");
    // The switcher's choice wins over the header, and is remembered.
    let r = app.get(&format!("{base}/consent?lang=en")).await;
    assert!(
        r.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("sd_lang=en")
    );
    assert!(r.text().await.unwrap().contains("How we use your data"));
}

/// Walks a fresh link to the end with good answers; the passport document's id.
pub(crate) async fn complete(app: &TestApp, base: &str) -> Uuid {
    let ok = |r: reqwest::Response| {
        assert_eq!(r.status(), 303, "{}", r.url());
    };
    ok(post_form(app, &format!("{base}/consent"), &[("agree", "yes")]).await);
    ok(post_form(
        app,
        &format!("{base}/data"),
        &[
            ("first_name", "Erik"),
            ("last_name", "Lindqvist"),
            ("birth_date", "1985-03-14"),
        ],
    )
    .await);
    ok(post_form(
        app,
        &format!("{base}/document"),
        &[("document_type", "passport")],
    )
    .await);
    ok(post_photo(app, base, "page", Passport::lindqvist().png()).await);
    ok(post_form(app, &format!("{base}/submit"), &[]).await);
    diesel::sql_query("SELECT idv_document_id::text AS id FROM capture_links WHERE submitted_at IS NOT NULL ORDER BY submitted_at DESC LIMIT 1")
        .get_result::<IdRow>(&mut app.conn())
        .unwrap()
        .id
        .parse()
        .unwrap()
}

async fn resubmit(
    app: &TestApp,
    key: &str,
    session: Uuid,
    attributes: serde_json::Value,
) -> crate::helpers::ApiResponse {
    app.api(
        "POST",
        &format!("/v1/identity/sessions/{session}/request-resubmission"),
        key,
        Some(json!({"data": {"type": "resubmission_request", "attributes": attributes}})),
    )
    .await
}

#[tokio::test]
async fn a_reviewer_asks_for_a_new_photo_and_the_applicant_replaces_only_it() {
    let app = spawn_app_with(|c| c.max_resubmissions = 1).await;
    let key = app.full_api_key();
    let (session, first) = session_with_link(&app, &key).await;
    let doc = complete(&app, &first).await;
    assert_eq!(status_of(&app, session), "completed");

    // Bad requests are named and write nothing.
    let before = app.fingerprint();
    let r = resubmit(
        &app,
        &key,
        session,
        json!({"document": doc, "reason": "smudge"}),
    )
    .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(r.pointer(), Some("/data/attributes/reason"));
    let r = resubmit(
        &app,
        &key,
        session,
        json!({"document": Uuid::new_v4(), "reason": "glare"}),
    )
    .await;
    assert_eq!(r.status, 404, "{:?}", r.body);
    assert_eq!(app.fingerprint(), before);
    assert_eq!(status_of(&app, session), "completed");

    let r = resubmit(
        &app,
        &key,
        session,
        json!({"document": doc, "reason": "glare", "message": "Please take it away from the window."}),
    )
    .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.attributes()["reason"], "glare");
    assert_eq!(status_of(&app, session), "started");
    assert_eq!(app.count_events("session.resubmission_requested"), 1);
    let url = r.attributes()["capture_link_url"].as_str().unwrap();
    let base = url.strip_prefix(&app.address).unwrap().to_owned();

    // The applicant sees why and the message, and is asked only for that document.
    let r = app.get(&format!("{base}/consent")).await;
    let html = r.text().await.unwrap();
    assert!(html.contains("glare covers the document"), "{html}");
    assert!(
        html.contains("Please take it away from the window."),
        "{html}"
    );
    assert!(html.contains("Step 1 of 3"), "{html}");
    let r = post_form(&app, &format!("{base}/consent"), &[("agree", "yes")]).await;
    assert_eq!(r.headers()["location"], format!("{base}/photos"));
    assert_eq!(app.count_events("session.started"), 1, "not started twice");
    let r = post_photo(&app, &base, "page", Passport::lindqvist().png()).await;
    assert_eq!(r.status(), 303);
    let r = post_form(&app, &format!("{base}/submit"), &[]).await;
    assert_eq!(r.headers()["location"], "/c/done");
    assert_eq!(status_of(&app, session), "completed");
    // The old photo stays as evidence beside the new one, in the same document.
    let files: i64 = diesel::sql_query(format!(
        "SELECT count(*)::text AS id FROM document_files WHERE document_id = '{doc}'"
    ))
    .get_result::<IdRow>(&mut app.conn())
    .unwrap()
    .id
    .parse()
    .unwrap();
    assert_eq!(files, 2);
    assert_eq!(app.get(&base).await.status(), 404, "the link is used up");

    // The limit.
    let r = resubmit(
        &app,
        &key,
        session,
        json!({"document": doc, "reason": "blurry"}),
    )
    .await;
    assert_eq!(r.status, 409, "{:?}", r.body);

    // Redaction erases the message.
    let r = app
        .api(
            "POST",
            &format!("/v1/identity/sessions/{session}/redact"),
            &key,
            None,
        )
        .await;
    assert!(r.status < 300, "{:?}", r.body);
    let left: i64 = diesel::sql_query(
        "SELECT count(*)::text AS id FROM resubmission_requests WHERE message IS NOT NULL",
    )
    .get_result::<IdRow>(&mut app.conn())
    .unwrap()
    .id
    .parse()
    .unwrap();
    assert_eq!(left, 0);
}

/// Erik Lindqvist's national ID card, its zone (TD1) printed in OCR-B: a readable photo of
/// it, and one blurred by a quarter of a character's height.
pub(crate) struct IdCard {
    /// A sharp photo.
    pub sharp: Vec<u8>,
    /// A blurry one.
    pub blurry: Vec<u8>,
}

impl IdCard {
    pub(crate) fn lindqvist() -> IdCard {
        use sessiondesk::demo::images::{CardData, document, id_card_png};
        use sessiondesk::domain::mrz::{CardFields, compose_td1};
        let p = Passport::lindqvist();
        let zone: Vec<String> = compose_td1(&CardFields {
            document_code: "ID".into(),
            issuing_state: "SWE".into(),
            surname: p.surname.into(),
            given_names: p.given.into(),
            document_number: "XK4521907".into(),
            nationality: "SWE".into(),
            birth_date: p.birth,
            sex: 'M',
            expiry_date: p.expiry,
            optional_data: String::new(),
        })
        .to_vec();
        let (birth, expiry) = (p.birth.to_string(), p.expiry.to_string());
        let card = CardData {
            title: "IDENTITY CARD",
            country: "SWE",
            surname: p.surname,
            given_names: p.given,
            birth_date: &birth,
            expiry_date: &expiry,
            number: "XK4521907",
            mrz: &zone,
            tint: 40,
        };
        let mut rng = rand::rngs::StdRng::seed_from_u64(18);
        let blurry = specimens::photograph(
            &document(&card, 7.2),
            specimens::cap_height(7.2),
            &Degradation {
                blur: 0.25,
                ..Degradation::CLEAN
            },
            &mut rng,
        );
        IdCard {
            sharp: id_card_png(&card, true),
            blurry,
        }
    }
}

#[tokio::test]
async fn an_id_card_takes_its_front_and_back() {
    let app = spawn_app().await;
    let key = app.full_api_key();
    let (session, base) = session_with_link(&app, &key).await;
    let card = IdCard::lindqvist();
    post_form(&app, &format!("{base}/consent"), &[("agree", "yes")]).await;
    post_form(
        &app,
        &format!("{base}/data"),
        &[
            ("first_name", "Erik"),
            ("middle_name", "Johan"),
            ("last_name", "Lindqvist"),
            ("birth_date", "1985-03-14"),
        ],
    )
    .await;
    let r = post_form(
        &app,
        &format!("{base}/document"),
        &[("document_type", "national_id")],
    )
    .await;
    assert_eq!(r.headers()["location"], format!("{base}/photos"));
    // A side the type does not have is refused.
    assert_eq!(
        post_photo(&app, &base, "page", card.sharp.clone())
            .await
            .status(),
        422
    );
    assert_eq!(
        post_photo(&app, &base, "front", card.blurry.clone())
            .await
            .status(),
        422
    );
    assert_eq!(
        post_photo(&app, &base, "front", card.sharp.clone())
            .await
            .status(),
        303
    );
    // Not done until the back is there.
    let r = post_form(&app, &format!("{base}/submit"), &[]).await;
    assert_eq!(r.status(), 422);
    assert_eq!(
        post_photo(&app, &base, "back", card.sharp.clone())
            .await
            .status(),
        303
    );
    let r = post_form(&app, &format!("{base}/submit"), &[]).await;
    assert_eq!(r.status(), 303);
    assert_eq!(status_of(&app, session), "completed");
}

/// The attributes of the device recorded for `session`, through the API.
pub(crate) async fn device_of(app: &TestApp, key: &str, session: Uuid) -> serde_json::Value {
    let s = app
        .api(
            "GET",
            &format!("/v1/identity/sessions/{session}"),
            key,
            None,
        )
        .await;
    let id = s.body["data"]["relationships"]["session_device"]["data"]["id"]
        .as_str()
        .expect("a device is recorded")
        .to_owned();
    app.api(
        "GET",
        &format!("/v1/identity/session-devices/{id}"),
        key,
        None,
    )
    .await
    .attributes()
    .clone()
}
