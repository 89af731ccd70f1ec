//! Redaction: a session full of distinctive markers, built through the API and the
//! dashboard, is found by a scan of every column of every table exactly where it belongs;
//! after an admin redacts it, the same scan finds nothing. The same for a whole account.
//! Repeating a redaction changes nothing; afterwards every write is refused; a redaction
//! racing a decision and an edit never leaves personal data behind; the retention policy
//! redacts what closed long ago and nothing else.

mod race;
mod retention;
pub mod scan;
mod writes;

use diesel::prelude::*;
use diesel::sql_types::Text;
use serde_json::{Value, json};
use sessiondesk::domain::kinds::{Permission, Role};
use sessiondesk::schema::{document_files, events, sessions};
use uuid::Uuid;

use crate::api_documents::{into_api_response, multipart, upload};
use crate::helpers::{ApiResponse, Browser, TestApp, spawn_app};
use scan::{assert_gone, assert_only_where_they_belong, scan};
use sessiondesk::demo::images::{CardData, id_card_png};

const FIRST: &str = "Zqxmarkfirst";
const MIDDLE: &str = "Zqxmarkmiddle";
const LAST: &str = "Zqxmarklast";
const EMAIL: &str = "zqxmark.mail@example.org";
const PHONE: &str = "+46700009911";
const BIRTH: &str = "1971-03-04";
const LINE1: &str = "Zqxmark street 7";
const LINE2: &str = "Zqxmarkline2";
const DISTRICT: &str = "Zqxmarkdistrict";
const CITY: &str = "Zqxmarkcity";
const REGION: &str = "Zqxmarkregion";
const POSTAL: &str = "ZQX-PC-4455";
const ID_NUMBER: &str = "ZQX998877";
const MRZ_NAME: &str = "ZQXMARKMRZ";
const FILE_BYTES: &str = "Zqxmarkfilebytes";
const FILENAME: &str = "zqxmarkfilename.png";
const REPORTED_NAME: &str = "Zqxmarkreported";
const REPORTED_STREET: &str = "Zqxmarkreportedstreet";
const IP: &str = "203.0.113.77";
const USER_AGENT: &str = "ZqxmarkAgent/1.0";
const BROWSER: &str = "Zqxmarkbrowser";
const OS: &str = "Zqxmarkos";
const LANGUAGE: &str = "zqxmarklang";
const SCREEN: &str = "7777x3333";
const NOTE: &str = "Zqxmark note";
const COMMENT: &str = "Zqxmark comment";
const VERIFICATION_EXTRACTED: &str = "Zqxmarkvextracted";
const DOCUMENT_EXTRACTED: &str = "Zqxmarkdocextracted";
const CHECK_REASON: &str = "Zqxmarkreason";
const CHECK_METADATA: &str = "Zqxmarkmetadata";

/// Every marker of [`full_session`] and the tables it belongs in before redaction.
pub const PLACES: &[(&str, &[&str])] = &[
    (FIRST, &["sessions"]),
    (MIDDLE, &["sessions"]),
    (LAST, &["sessions"]),
    (EMAIL, &["sessions"]),
    (PHONE, &["sessions"]),
    // The MRZ's birth date is also what the engine extracted, and the stored response of
    // the keyed verification quotes it.
    (
        BIRTH,
        &["sessions", "documents", "idempotency_keys", "verifications"],
    ),
    (LINE1, &["sessions"]),
    (LINE2, &["sessions"]),
    (DISTRICT, &["sessions"]),
    (CITY, &["sessions"]),
    (REGION, &["sessions"]),
    (POSTAL, &["sessions"]),
    (ID_NUMBER, &["sessions"]),
    (COMMENT, &["sessions"]),
    // The documents and the verification were created with an Idempotency-Key: their
    // stored responses quote it; the engine's extracted data (document and verification)
    // carries the surname.
    (
        MRZ_NAME,
        &["documents", "idempotency_keys", "verifications"],
    ),
    (REPORTED_NAME, &["documents", "idempotency_keys"]),
    (REPORTED_STREET, &["documents", "idempotency_keys"]),
    (DOCUMENT_EXTRACTED, &["documents"]),
    (FILE_BYTES, &["document_files"]),
    (FILENAME, &["document_files", "idempotency_keys"]),
    (IP, &["session_devices"]),
    (USER_AGENT, &["session_devices"]),
    (BROWSER, &["session_devices"]),
    (OS, &["session_devices"]),
    (LANGUAGE, &["session_devices"]),
    (SCREEN, &["session_devices"]),
    (NOTE, &["notes"]),
    (VERIFICATION_EXTRACTED, &["verifications"]),
    (CHECK_REASON, &["verification_checks"]),
    (CHECK_METADATA, &["verification_checks"]),
];

pub fn markers(places: &[(&'static str, &[&str])]) -> Vec<&'static str> {
    places.iter().map(|(m, _)| *m).collect()
}

/// A POST with an `Idempotency-Key`, so that the stored response holds what it answered.
pub async fn keyed_post(
    app: &TestApp,
    key: &str,
    path: &str,
    body: &Value,
    idempotency_key: &str,
) -> ApiResponse {
    let response = app
        .client
        .post(format!("{}{path}", app.address))
        .header("X-Api-Key", key)
        .header("Content-Type", "application/vnd.api+json")
        .header("Idempotency-Key", idempotency_key)
        .body(serde_json::to_vec(body).unwrap())
        .send()
        .await
        .unwrap();
    into_api_response(response).await
}

/// A file upload with an `Idempotency-Key`.
async fn keyed_upload(
    app: &TestApp,
    key: &str,
    doc: Uuid,
    filename: &str,
    bytes: &[u8],
    idempotency_key: &str,
) -> ApiResponse {
    let boundary = "redaction-boundary";
    let response = app
        .client
        .post(format!("{}/v1/identity/documents/{doc}/files", app.address))
        .header("X-Api-Key", key)
        .header(
            "Content-Type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .header("Idempotency-Key", idempotency_key)
        .body(multipart(boundary, "front", filename, bytes))
        .send()
        .await
        .unwrap();
    into_api_response(response).await
}

/// The second line of the test passport's MRZ (check digits right, valid until 2030).
const MRZ_LINE2: &str = "L898902C36UTO7103047F3001019<<<<<<<<<<<<<<04";

/// The first line: `P<UTO`, the marker surname, `ANNA`, filled to 44 characters.
fn mrz_line1() -> String {
    format!("{:<<44}", format!("P<UTO{MRZ_NAME}<<ANNA"))
}

/// A readable 900x600 PNG of the test passport whose bytes also carry `marker` after its
/// end.
pub fn png_with(marker: &str) -> Vec<u8> {
    let lines = [mrz_line1(), MRZ_LINE2.to_owned()];
    let mut bytes = id_card_png(
        &CardData {
            title: "PASSPORT",
            country: "UTO",
            surname: "ZQXMARKMRZ",
            given_names: "ANNA",
            birth_date: "1971-03-04",
            expiry_date: "2030-01-01",
            number: "L898902C3",
            mrz: &lines,
            tint: 5,
        },
        true,
    );
    bytes.extend_from_slice(marker.as_bytes());
    bytes
}

/// The PATCH body that fills every personal field of the API.
fn person_body(id: Uuid) -> Value {
    json!({"data": {"type": "session", "id": id, "attributes": {
        "person": {"name": {"first": FIRST, "last": LAST}, "birth_date": BIRTH},
        "contact": {"email": EMAIL, "phone": PHONE},
        "address": {"line1": LINE1, "line2": LINE2, "sublocality": DISTRICT, "locality": CITY,
                    "administrative_area": REGION, "postal_code": POSTAL, "country_code": "SE"},
        "identity_number": {"number": ID_NUMBER, "issuing_country_code": "SE", "class": "passport"}}}})
}

/// The short id the case page shows and the confirmation asks for.
pub fn short(id: Uuid) -> String {
    id.simple().to_string()[..8].to_owned()
}

/// Writes, besides the engine's own, a verification whose checks quote personal data in
/// their reasons and metadata (as an imported result or a future check might), and
/// extracted fields on the document, so the scan proves those columns are cleared too.
pub fn verification_like_the_engine(app: &TestApp, session: Uuid, document: Uuid) {
    #[derive(QueryableByName)]
    struct Id {
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        id: Uuid,
    }
    let mut conn = app.conn();
    let verification = diesel::sql_query(
        "INSERT INTO verifications (session_id, document_id, kind, status, extracted, \
         auto_update_session, completed_at) \
         VALUES ($1, $2, 'verification/idv', 'passed', jsonb_build_object('first_name', $3::text), \
         true, now()) RETURNING id",
    )
    .bind::<diesel::sql_types::Uuid, _>(session)
    .bind::<diesel::sql_types::Uuid, _>(document)
    .bind::<Text, _>(VERIFICATION_EXTRACTED)
    .get_result::<Id>(&mut conn)
    .unwrap()
    .id;
    diesel::sql_query(
        "INSERT INTO verification_checks (verification_id, position, name, status, requirement, \
         reasons, metadata) VALUES \
         ($1, 0, 'mrz_format', 'passed', 'required', '{}', '{}'), \
         ($1, 1, 'data_consistency', 'failed', 'not_required', ARRAY[$2::text], \
          jsonb_build_object('document_name', $3::text))",
    )
    .bind::<diesel::sql_types::Uuid, _>(verification)
    .bind::<Text, _>(CHECK_REASON)
    .bind::<Text, _>(CHECK_METADATA)
    .execute(&mut conn)
    .unwrap();
    diesel::sql_query(
        "UPDATE documents SET extracted = jsonb_build_object('surname', $2::text), \
         status = 'processed' WHERE id = $1",
    )
    .bind::<diesel::sql_types::Uuid, _>(document)
    .bind::<Text, _>(DOCUMENT_EXTRACTED)
    .execute(&mut conn)
    .unwrap();
}

/// The body that creates a session for `account`, with no personal data.
fn session_body(account: Uuid) -> Value {
    json!({"data": {"type": "session",
        "relationships": {"account": {"data": {"type": "account", "id": account}}}}})
}

/// The `Idempotency-Key` [`full_session`] creates its session with.
fn session_key(account: Uuid) -> String {
    format!("session-{account}")
}

/// The body that runs the engine on `document` with auto-update.
fn verification_body(session: Uuid, document: Uuid) -> Value {
    json!({"data": {"type": "verification/idv", "relationships": {
        "document": {"data": {"type": "document/idv", "id": document}},
        "session": {"data": {"type": "session", "id": session}}},
        "meta": {"auto_update_session": true}}})
}

/// What [`full_session`] made.
pub struct Full {
    /// The session.
    pub id: Uuid,
    /// Its ID document.
    pub document: Uuid,
    /// The front of that document.
    pub file: Uuid,
    /// Its account.
    pub account: Uuid,
}

/// A session holding every marker of [`PLACES`], made through the API and the dashboard
/// (by `reviewer`), and approved with a comment at the end.
pub async fn full_session(app: &TestApp, key: &str, reviewer: &Browser) -> Full {
    // Every creating request carries an Idempotency-Key, so that every stored response
    // that could quote the applicant exists before the redaction and is proved gone after.
    let suffix = Uuid::new_v4();
    let r = keyed_post(
        app,
        key,
        "/v1/identity/accounts",
        &json!({"data": {"type": "account", "attributes": {}}}),
        &format!("account-{suffix}"),
    )
    .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let account = r.id();
    let r = keyed_post(
        app,
        key,
        "/v1/identity/sessions",
        &session_body(account),
        &session_key(account),
    )
    .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let id = r.id();
    let path = format!("/v1/identity/sessions/{id}");

    let mrz = format!("{}\n{}", mrz_line1(), MRZ_LINE2);
    let body = json!({"data": {"type": "document/idv",
        "attributes": {"document_type": "passport", "mrz": mrz},
        "relationships": {"session": {"data": {"type": "session", "id": id}}}}});
    let r = keyed_post(
        app,
        key,
        "/v1/identity/documents/idvs",
        &body,
        &format!("doc-{id}"),
    )
    .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let document = r.id();
    let r = keyed_upload(
        app,
        key,
        document,
        FILENAME,
        &png_with(FILE_BYTES),
        &format!("file-{id}"),
    )
    .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let file = Uuid::parse_str(r.attributes()["files"][0]["id"].as_str().unwrap()).unwrap();

    // The engine reads the passport while the session is still blank: the pass fills the
    // names, birth date and document number from the MRZ (auto-update).
    let r = keyed_post(
        app,
        key,
        "/v1/identity/verifications",
        &verification_body(id, document),
        &format!("verification-{id}"),
    )
    .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.attributes()["status"], "passed", "{:?}", r.body);
    let filled = app.api("GET", &path, key, None).await.attributes().clone();
    assert_eq!(filled["person"]["birth_date"], BIRTH);
    assert!(
        filled["person"]["name"]["last"]
            .as_str()
            .unwrap()
            .eq_ignore_ascii_case(MRZ_NAME)
    );

    // Then the applicant's own data replaces it, and a reviewer adds the middle name.
    let r = app.api("PATCH", &path, key, Some(person_body(id))).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let case = format!("/sessions/{id}");
    let token = reviewer.csrf(&case).await;
    let r = reviewer
        .post(
            &format!("{case}/person"),
            &[("middle_name", MIDDLE)],
            &token,
        )
        .await;
    assert_eq!(r.status(), 303);

    let body = json!({"data": {"type": "document/address",
        "attributes": {"document_type": "utility_bill", "reported": {"name": REPORTED_NAME,
            "address": {"line1": REPORTED_STREET, "locality": "Stockholm", "country_code": "SE"},
            "issued_on": "2020-01-15"}},
        "relationships": {"session": {"data": {"type": "session", "id": id}}}}});
    let r = keyed_post(
        app,
        key,
        "/v1/identity/documents/addresses",
        &body,
        &format!("address-{id}"),
    )
    .await;
    assert_eq!(r.status, 201, "{:?}", r.body);

    let device = json!({"data": {"type": "session_device", "attributes": {
        "ip": IP, "user_agent": USER_AGENT, "platform": "web", "browser": BROWSER, "os": OS,
        "device_type": "desktop", "language": LANGUAGE, "screen": SCREEN}}});
    let r = app
        .api("POST", &format!("{path}/start"), key, Some(device))
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = app.api("POST", &format!("{path}/submit"), key, None).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    // The reviewer's edit ran the ID check again against what is entered now (the
    // applicant's own names, not the zone's): it failed, and fails the session as it is
    // submitted. A reviewer then takes it to review, and approves it with a reason.
    assert_eq!(r.attributes()["status"], "failed", "{:?}", r.body);
    let r = app
        .api("POST", &format!("{path}/mark-for-review"), key, None)
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    verification_like_the_engine(app, id, document);

    // The reviewer writes a note and looks at the file.
    let r = reviewer
        .post(&format!("{case}/notes"), &[("body", NOTE)], &token)
        .await;
    assert_eq!(r.status(), 303);
    let r = reviewer.get(&format!("{case}/files/{file}")).await;
    assert_eq!(r.status(), 200);
    let shown = r.bytes().await.unwrap();
    assert!(shown.ends_with(FILE_BYTES.as_bytes()));

    let decision = json!({"data": {"type": "decision", "attributes": {"comment": COMMENT}}});
    let r = app
        .api("POST", &format!("{path}/approve"), key, Some(decision))
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    Full {
        id,
        document,
        file,
        account,
    }
}

fn session_events(app: &TestApp, id: Uuid) -> Vec<(String, String, Option<Uuid>)> {
    events::table
        .filter(events::session_id.eq(id))
        .filter(events::action.ne_all(crate::helpers::READ_AUDIT.to_vec()))
        .order(events::id.asc())
        .select((events::action, events::actor_type, events::actor_id))
        .load(&mut app.conn())
        .unwrap()
}

#[tokio::test]
async fn a_redacted_session_leaves_no_marker_in_any_column_of_any_table() {
    let app = spawn_app().await;
    let key = app.full_api_key();
    let (reviewer, _) = app.signed_in(Role::Reviewer).await;
    let full = full_session(&app, &key, &reviewer).await;
    let id = full.id;

    let before = scan(&mut app.conn(), &markers(PLACES));
    assert_only_where_they_belong(&before, PLACES);
    let events_before = session_events(&app, id);
    let (sha_before, size_before): (String, i32) = document_files::table
        .find(full.file)
        .select((document_files::sha256, document_files::byte_size))
        .first(&mut app.conn())
        .unwrap();

    // An admin redacts it on the case page, typing the short id to confirm.
    let (admin, admin_user) = app.signed_in(Role::Admin).await;
    let case = format!("/sessions/{id}");
    let html = admin.get(&case).await.text().await.unwrap();
    assert!(html.contains("id=\"redact-confirm\""), "no danger zone");
    assert!(html.contains(&short(id)));
    let token = admin.csrf(&case).await;
    let r = admin
        .post(
            &format!("{case}/redact"),
            &[("confirm", &short(id)), ("queue", "")],
            &token,
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], case.as_str());
    let html = admin.get(&case).await.text().await.unwrap();
    assert!(html.contains("Personal data redacted."), "no flash");
    assert!(html.contains("Personal data redacted on"), "no stub");
    assert!(html.contains("redacted the session"), "not in the timeline");
    assert!(!html.contains("id=\"redact-confirm\""), "offered again");

    let after = scan(&mut app.conn(), &markers(PLACES));
    assert_gone(&after);

    // The skeleton stays: status, decision, timestamps, events (plus one).
    let (status, decision, decisioned_at, redacted_by): (
        String,
        Option<String>,
        Option<chrono::DateTime<chrono::Utc>>,
        Option<Uuid>,
    ) = sessions::table
        .find(id)
        .select((
            sessions::status,
            sessions::decision,
            sessions::decisioned_at,
            sessions::redacted_by,
        ))
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(status, "approved");
    assert_eq!(decision.as_deref(), Some("approved"));
    assert!(decisioned_at.is_some());
    assert_eq!(redacted_by, Some(admin_user.id));
    let events_after = session_events(&app, id);
    assert_eq!(events_after.len(), events_before.len() + 1);
    assert_eq!(&events_after[..events_before.len()], &events_before[..]);
    assert_eq!(
        events_after.last().unwrap(),
        &(
            "session.redacted".to_owned(),
            "user".to_owned(),
            Some(admin_user.id)
        )
    );
    let (sha_after, size_after): (String, i32) = document_files::table
        .find(full.file)
        .select((document_files::sha256, document_files::byte_size))
        .first(&mut app.conn())
        .unwrap();
    assert_eq!((sha_after, size_after), (sha_before, size_before));

    // The API shows the skeleton; the file is gone; a replayed create runs again and is
    // refused rather than answering the stored MRZ.
    let r = app
        .api("GET", &format!("/v1/identity/sessions/{id}"), &key, None)
        .await;
    let a = r.attributes();
    for object in ["person", "contact", "address", "identity_number"] {
        assert_eq!(a[object], Value::Null, "{object}");
    }
    assert_eq!(a["decision"]["outcome"], "approved");
    assert_eq!(a["decision"]["comment"], Value::Null);
    assert!(a["redacted_at"].is_string());
    let r = reviewer
        .get(&format!("/sessions/{id}/files/{}", full.file))
        .await;
    assert_eq!(r.status(), 410);
    let r = app
        .api(
            "GET",
            &format!("/v1/identity/documents/{}", full.document),
            &key,
            None,
        )
        .await;
    assert_eq!(r.attributes()["mrz"], Value::Null);
    assert_eq!(r.attributes()["files"][0]["filename"], Value::Null);
    assert_gone(&scan(&mut app.conn(), &markers(PLACES)));

    // Replaying a keyed create that concerns the session, with the same key and body, is
    // refused: it neither answers the stored response nor runs again.
    let replays = [
        (
            "/v1/identity/verifications",
            verification_body(id, full.document),
            format!("verification-{id}"),
        ),
        (
            "/v1/identity/sessions",
            session_body(full.account),
            session_key(full.account),
        ),
    ];
    for (path, body, idempotency_key) in replays {
        let r = keyed_post(&app, &key, path, &body, &idempotency_key).await;
        assert_eq!(r.status, 409, "{path}: {:?}", r.body);
        assert_eq!(
            r.body["errors"][0]["detail"], "session is redacted",
            "{path}"
        );
        let text = r.body.to_string().to_lowercase();
        for marker in markers(PLACES) {
            assert!(
                !text.contains(&marker.to_lowercase()),
                "{path} quotes {marker}"
            );
        }
    }
    let sessions_of_account: i64 = sessions::table
        .filter(sessions::account_id.eq(full.account))
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(sessions_of_account, 1, "the replay created a session");
    assert_gone(&scan(&mut app.conn(), &markers(PLACES)));
}

const ACCOUNT_EXTERNAL: &str = "zqxmark-account-ext";
const ONE_FIRST: &str = "Zqxmarkone";
const ONE_MRZ: &str = "ZQXMARKMRZONE";
const ONE_FILE: &str = "Zqxmarkfileone";
const ONE_AGENT: &str = "ZqxmarkAgentOne";
const ONE_IP: &str = "198.51.100.23";
const TWO_EMAIL: &str = "zqxmark.two@example.org";
const TWO_NOTE: &str = "Zqxmark second note";

#[tokio::test]
async fn an_account_redaction_leaves_nothing_of_any_of_its_sessions() {
    let app = spawn_app().await;
    let key = app.full_api_key();
    let (reviewer, _) = app.signed_in(Role::Reviewer).await;
    let r = keyed_post(
        &app,
        &key,
        "/v1/identity/accounts",
        &json!({"data": {"type": "account", "attributes": {"external_id": ACCOUNT_EXTERNAL}}}),
        "account-1",
    )
    .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let account = r.id();
    let one = app.api_session(&key, account).await.id();
    let two = app.api_session(&key, account).await.id();

    let patch = |id: Uuid, attributes: Value| json!({"data": {"type": "session", "id": id, "attributes": attributes}});
    let r = app
        .api(
            "PATCH",
            &format!("/v1/identity/sessions/{one}"),
            &key,
            Some(patch(
                one,
                json!({"person": {"name": {"first": ONE_FIRST}}}),
            )),
        )
        .await;
    assert_eq!(r.status, 200);
    let body = json!({"data": {"type": "document/idv",
        "attributes": {"document_type": "passport", "mrz": format!("P<UTO{ONE_MRZ}<<A")},
        "relationships": {"session": {"data": {"type": "session", "id": one}}}}});
    let r = app
        .api("POST", "/v1/identity/documents/idvs", &key, Some(body))
        .await;
    assert_eq!(r.status, 201);
    let r = upload(
        &app,
        &key,
        r.id(),
        "front",
        "a.png",
        &png_with(ONE_FILE),
        None,
    )
    .await;
    assert_eq!(r.status, 201);
    let device = json!({"data": {"type": "session_device",
        "attributes": {"ip": ONE_IP, "user_agent": ONE_AGENT}}});
    let r = app
        .api(
            "POST",
            &format!("/v1/identity/sessions/{one}/start"),
            &key,
            Some(device),
        )
        .await;
    assert_eq!(r.status, 200);

    let r = app
        .api(
            "PATCH",
            &format!("/v1/identity/sessions/{two}"),
            &key,
            Some(patch(two, json!({"contact": {"email": TWO_EMAIL}}))),
        )
        .await;
    assert_eq!(r.status, 200);
    let case = format!("/sessions/{two}");
    let token = reviewer.csrf(&case).await;
    let r = reviewer
        .post(&format!("{case}/notes"), &[("body", TWO_NOTE)], &token)
        .await;
    assert_eq!(r.status(), 303);

    let places: &[(&str, &[&str])] = &[
        // The account's own id for the applicant, also in its sessions' search text and in
        // the stored response of the keyed create.
        (
            ACCOUNT_EXTERNAL,
            &["accounts", "sessions", "idempotency_keys"],
        ),
        (ONE_FIRST, &["sessions"]),
        (ONE_MRZ, &["documents"]),
        (ONE_FILE, &["document_files"]),
        (ONE_AGENT, &["session_devices"]),
        (ONE_IP, &["session_devices"]),
        (TWO_EMAIL, &["sessions"]),
        (TWO_NOTE, &["notes"]),
    ];
    assert_only_where_they_belong(&scan(&mut app.conn(), &markers(places)), places);

    let redactor = app.api_key(&[Permission::SessionsRedact]);
    let path = format!("/v1/identity/accounts/{account}/redact");
    let r = app.api("POST", &path, &redactor, None).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["data"]["type"], "account");
    assert_eq!(r.attributes()["external_id"], Value::Null);
    assert!(r.attributes()["redacted_at"].is_string());
    assert_gone(&scan(&mut app.conn(), &markers(places)));
    for id in [one, two] {
        let redacted: Option<chrono::DateTime<chrono::Utc>> = sessions::table
            .find(id)
            .select(sessions::redacted_at)
            .first(&mut app.conn())
            .unwrap();
        assert!(redacted.is_some());
    }
    assert_eq!(app.count_events("session.redacted"), 2);
    assert_eq!(app.count_events("account.redacted"), 1);

    // The keyed create of the account, replayed, is refused: it concerns a redacted account.
    let r = keyed_post(
        &app,
        &key,
        "/v1/identity/accounts",
        &json!({"data": {"type": "account", "attributes": {"external_id": ACCOUNT_EXTERNAL}}}),
        "account-1",
    )
    .await;
    assert_eq!(r.status, 409, "{:?}", r.body);
    assert_eq!(r.body["errors"][0]["detail"], "account is redacted");
    assert!(!r.body.to_string().contains(ACCOUNT_EXTERNAL));

    // Again: the same answer, nothing more written; and no new session for the account.
    let r = app.api("POST", &path, &redactor, None).await;
    assert_eq!(r.status, 200);
    assert_eq!(app.count_events("session.redacted"), 2);
    assert_eq!(app.count_events("account.redacted"), 1);
    let r = app
        .api(
            "POST",
            "/v1/identity/sessions",
            &key,
            Some(json!({"data": {"type": "session",
                "relationships": {"account": {"data": {"type": "account", "id": account}}}}})),
        )
        .await;
    assert_eq!(r.status, 409, "{:?}", r.body);
    let r = app
        .api(
            "POST",
            &format!("/v1/identity/accounts/{}/redact", Uuid::new_v4()),
            &redactor,
            None,
        )
        .await;
    assert_eq!(r.status, 404);
}
