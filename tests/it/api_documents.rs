//! Documents over the Identity API: creating ID and address documents, uploading files
//! (recognised by their bytes, cut off at 10 MiB while streaming), and that every refused
//! request leaves the database as it was.

use diesel::prelude::*;
use diesel::sql_types::BigInt;
use serde_json::json;
use sessiondesk::demo::images::{CardData, id_card_png, utility_bill_pdf};
use uuid::Uuid;

use crate::helpers::{ApiResponse, TestApp, spawn_app};

/// Row counts of what document writes touch.
#[derive(Debug, PartialEq, Eq, QueryableByName)]
pub struct Counts {
    #[diesel(sql_type = BigInt)]
    documents: i64,
    #[diesel(sql_type = BigInt)]
    files: i64,
    #[diesel(sql_type = BigInt)]
    events: i64,
    #[diesel(sql_type = BigInt)]
    keys: i64,
    #[diesel(sql_type = BigInt)]
    sessions: i64,
    #[diesel(sql_type = BigInt)]
    accounts: i64,
}

impl Counts {
    /// Whether `later` has more files.
    pub fn files_below(&self, later: &Counts) -> bool {
        self.files < later.files
    }

    /// How many documents more than `earlier`.
    pub fn documents_delta(&self, earlier: &Counts) -> i64 {
        self.documents - earlier.documents
    }
}

/// The counts now.
pub fn counts(app: &TestApp) -> Counts {
    diesel::sql_query(
        "SELECT (SELECT count(*) FROM documents) AS documents, \
         (SELECT count(*) FROM document_files) AS files, \
         (SELECT count(*) FROM events) AS events, \
         (SELECT count(*) FROM idempotency_keys) AS keys, \
         (SELECT count(*) FROM sessions) AS sessions, \
         (SELECT count(*) FROM accounts) AS accounts",
    )
    .get_result(&mut app.conn())
    .unwrap()
}

/// A small real PNG of an ID card.
pub fn png() -> Vec<u8> {
    let mrz = vec![
        "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<".to_owned(),
        "L898902C36UTO7408122F1204159ZE184226B<<<<<10".to_owned(),
    ];
    id_card_png(
        &CardData {
            title: "PASSPORT",
            country: "UTO",
            surname: "ERIKSSON",
            given_names: "ANNA MARIA",
            birth_date: "1974-08-12",
            expiry_date: "2034-04-15",
            number: "L898902C3",
            mrz: &mrz,
            tint: 3,
        },
        false,
    )
}

/// A real PDF utility bill.
pub fn pdf() -> Vec<u8> {
    utility_bill_pdf(
        "Power Co",
        "Anna Eriksson",
        &["Storgatan 1".to_owned(), "111 51 Stockholm".to_owned()],
        "2026-10-01",
        "42.00",
    )
}

/// A fresh session; its id.
pub async fn session(app: &TestApp, key: &str) -> Uuid {
    let account = app.api_account(key).await;
    app.api_session(key, account).await.id()
}

/// The body of a document create request.
pub fn document_body(kind: &str, document_type: &str, session: Uuid) -> serde_json::Value {
    json!({"data": {"type": kind, "attributes": {"document_type": document_type},
        "relationships": {"session": {"data": {"type": "session", "id": session}}}}})
}

/// Creates an ID (`idvs`) or address (`addresses`) document; its id.
pub async fn document(app: &TestApp, key: &str, session: Uuid, address: bool) -> Uuid {
    let (path, body) = match address {
        true => (
            "/v1/identity/documents/addresses",
            document_body("document/address", "utility_bill", session),
        ),
        false => (
            "/v1/identity/documents/idvs",
            document_body("document/idv", "passport", session),
        ),
    };
    let r = app.api("POST", path, key, Some(body)).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    r.id()
}

/// A multipart body with a fixed boundary: `side` then `file`.
pub fn multipart(boundary: &str, side: &str, filename: &str, bytes: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"side\"\r\n\r\n{side}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    out.extend_from_slice(bytes);
    out.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    out
}

/// Uploads `bytes` as `filename` to document `doc`, with an optional `Idempotency-Key`.
pub async fn upload(
    app: &TestApp,
    key: &str,
    doc: Uuid,
    side: &str,
    filename: &str,
    bytes: &[u8],
    idempotency_key: Option<&str>,
) -> ApiResponse {
    let boundary = "sessiondesk-test-boundary";
    let mut request = app
        .client
        .post(format!("{}/v1/identity/documents/{doc}/files", app.address))
        .header("X-Api-Key", key)
        .header(
            "Content-Type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(multipart(boundary, side, filename, bytes));
    if let Some(k) = idempotency_key {
        request = request.header("Idempotency-Key", k);
    }
    into_api_response(request.send().await.expect("request is sent")).await
}

/// The parts of a response the tests look at.
pub async fn into_api_response(response: reqwest::Response) -> ApiResponse {
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let bytes = response.bytes().await.unwrap();
    let body = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
    ApiResponse {
        status,
        content_type,
        body,
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    sessiondesk::service::documents::sha256_hex(bytes)
}

#[tokio::test]
async fn an_id_document_takes_a_png_and_stores_its_hash() {
    let app = spawn_app().await;
    let key = app.full_api_key();
    let s = session(&app, &key).await;
    let mut body = document_body("document/idv", "passport", s);
    body["data"]["attributes"]["mrz"] = json!(
        "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"
    );
    let r = app
        .api("POST", "/v1/identity/documents/idvs", &key, Some(body))
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["data"]["type"], "document/idv");
    assert_eq!(r.attributes()["status"], "pending");
    assert!(r.attributes()["mrz"].as_str().unwrap().starts_with("P<UTO"));
    assert_eq!(
        r.body["data"]["relationships"]["session"]["data"]["id"],
        s.to_string()
    );
    let doc = r.id();

    let image = png();
    let r = upload(&app, &key, doc, "front", "../../id front.png", &image, None).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.attributes()["status"], "submitted");
    let file = &r.attributes()["files"][0];
    assert_eq!(file["side"], "front");
    assert_eq!(file["filename"], "id front.png");
    assert_eq!(file["content_type"], "image/png");
    assert_eq!(file["byte_size"], image.len());
    assert_eq!(file["sha256"], sha256_hex(&image));

    // What is stored is what was sent.
    use sessiondesk::schema::document_files;
    let (content, sha): (Option<Vec<u8>>, String) = document_files::table
        .select((document_files::content, document_files::sha256))
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(content.as_deref(), Some(&image[..]));
    assert_eq!(sha, sha256_hex(&image));

    let r = app
        .api("GET", &format!("/v1/identity/documents/{doc}"), &key, None)
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.attributes()["files"].as_array().unwrap().len(), 1);
    let r = app
        .api("GET", &format!("/v1/identity/sessions/{s}"), &key, None)
        .await;
    assert_eq!(
        r.body["data"]["relationships"]["documents"]["data"][0],
        json!({"type": "document/idv", "id": doc})
    );

    // Events name ids and kinds, never the file name or the MRZ.
    use sessiondesk::schema::events;
    let details: Vec<(String, serde_json::Value)> = events::table
        .filter(events::action.like("document.%"))
        .select((events::action, events::details))
        .load(&mut app.conn())
        .unwrap();
    assert_eq!(details.len(), 2);
    let text = format!("{details:?}");
    assert!(
        !text.contains("ERIKSSON") && !text.contains("id front"),
        "{text}"
    );
}

#[tokio::test]
async fn an_address_document_takes_a_pdf_and_reported_fields() {
    let app = spawn_app().await;
    let key = app.full_api_key();
    let s = session(&app, &key).await;
    let mut body = document_body("document/address", "utility_bill", s);
    body["data"]["attributes"]["reported"] = json!({"name": "Anna Eriksson",
        "address": {"line1": "Storgatan 1", "locality": "Stockholm", "country_code": "SE"},
        "issued_on": "2026-10-01"});
    let r = app
        .api("POST", "/v1/identity/documents/addresses", &key, Some(body))
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.attributes()["reported"]["address"]["country_code"], "SE");
    assert_eq!(r.attributes()["reported"]["issued_on"], "2026-10-01");
    let bill = pdf();
    let r = upload(&app, &key, r.id(), "page", "bill.pdf", &bill, None).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(
        r.attributes()["files"][0]["content_type"],
        "application/pdf"
    );
    assert_eq!(r.attributes()["files"][0]["sha256"], sha256_hex(&bill));
}

#[tokio::test]
async fn bad_documents_and_files_are_refused_without_writing() {
    let app = spawn_app().await;
    let key = app.full_api_key();
    let s = session(&app, &key).await;
    let idv = document(&app, &key, s, false).await;
    let before = counts(&app);

    let cases = [
        (
            document_body("document/idv", "utility_bill", s),
            422,
            Some("/data/attributes/document_type"),
        ),
        (
            document_body("document/idv", "spaceship", s),
            422,
            Some("/data/attributes/document_type"),
        ),
        (
            document_body("document/idv", "passport", Uuid::new_v4()),
            404,
            Some("/data/relationships/session/data/id"),
        ),
        (
            document_body("document/address", "passport", s),
            409,
            Some("/data/type"),
        ),
    ];
    for (body, status, pointer) in cases {
        let r = app
            .api(
                "POST",
                "/v1/identity/documents/idvs",
                &key,
                Some(body.clone()),
            )
            .await;
        assert_eq!(r.status, status, "{body}: {:?}", r.body);
        assert_eq!(r.pointer(), pointer, "{body}");
    }
    let mut bad_mrz = document_body("document/idv", "passport", s);
    bad_mrz["data"]["attributes"]["mrz"] = json!("p<lower<case");
    let r = app
        .api("POST", "/v1/identity/documents/idvs", &key, Some(bad_mrz))
        .await;
    assert_eq!((r.status, r.pointer()), (422, Some("/data/attributes/mrz")));
    let mut long_mrz = document_body("document/idv", "passport", s);
    long_mrz["data"]["attributes"]["mrz"] = json!("A".repeat(201));
    let r = app
        .api("POST", "/v1/identity/documents/idvs", &key, Some(long_mrz))
        .await;
    assert_eq!(r.status, 422);
    let mut bad_reported = document_body("document/address", "utility_bill", s);
    bad_reported["data"]["attributes"]["reported"] =
        json!({"address": {"country_code": "XX"}, "issued_on": "2026-02-30"});
    let r = app
        .api(
            "POST",
            "/v1/identity/documents/addresses",
            &key,
            Some(bad_reported),
        )
        .await;
    assert_eq!(r.status, 422);
    let pointers: Vec<&str> = r.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["source"]["pointer"].as_str().unwrap())
        .collect();
    assert_eq!(
        pointers,
        vec![
            "/data/attributes/reported/address/country_code",
            "/data/attributes/reported/issued_on"
        ]
    );

    // An HTML page named .png, a PDF on an ID, a bad side, no file, an unknown document.
    let html = b"<!doctype html><html><body>hi</body></html>".to_vec();
    let r = upload(&app, &key, idv, "front", "card.png", &html, None).await;
    assert_eq!((r.status, r.code()), (415, "unsupported_media_type"));
    let r = upload(&app, &key, idv, "front", "card.pdf", &pdf(), None).await;
    assert_eq!(r.status, 415);
    let r = upload(&app, &key, idv, "inside", "card.png", &png(), None).await;
    assert_eq!(r.status, 422);
    assert_eq!(r.parameter(), Some("side"));
    let r = upload(
        &app,
        &key,
        Uuid::new_v4(),
        "front",
        "card.png",
        &png(),
        None,
    )
    .await;
    assert_eq!(r.status, 404);
    let r = app
        .api_raw(
            "POST",
            &format!("/v1/identity/documents/{idv}/files"),
            Some(&key),
            Some("image/png"),
            png(),
        )
        .await;
    assert_eq!(r.status, 415);
    assert_eq!(counts(&app), before);

    // A decided session takes no more documents or files.
    app.set_status(s, "approved");
    let r = app
        .api(
            "POST",
            "/v1/identity/documents/idvs",
            &key,
            Some(document_body("document/idv", "passport", s)),
        )
        .await;
    assert_eq!(r.status, 409);
    let r = upload(&app, &key, idv, "front", "card.png", &png(), None).await;
    assert_eq!(r.status, 409);
    assert_eq!(counts(&app), before);
}

fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

#[tokio::test]
async fn a_50_mib_upload_is_cut_off_with_413_without_buffering_it() {
    let app = spawn_app().await;
    let key = app.full_api_key();
    let s = session(&app, &key).await;
    let idv = document(&app, &key, s, false).await;
    let before_counts = counts(&app);
    let before = peak_rss_kib();

    let boundary = "big-boundary";
    let head = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"side\"\r\n\r\nfront\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.png\"\r\n\r\n"
    )
    .into_bytes();
    let mut first = head;
    first.extend_from_slice(b"\x89PNG\r\n\x1a\n");
    let chunk = 64 * 1024;
    let chunks = (50 * 1024 * 1024) / chunk;
    let stream = futures::stream::iter(
        std::iter::once(first).chain((0..chunks).map(move |_| vec![0u8; chunk])),
    )
    .map(Ok::<_, std::io::Error>);
    let response = app
        .client
        .post(format!("{}/v1/identity/documents/{idv}/files", app.address))
        .header("X-Api-Key", &key)
        .header(
            "Content-Type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(reqwest::Body::wrap_stream(stream))
        .send()
        .await
        .expect("the server answers before the body ends");
    let r = into_api_response(response).await;
    assert_eq!(r.status, 413, "{:?}", r.body);
    assert_eq!(r.code(), "payload_too_large");
    let grown_mib = (peak_rss_kib().saturating_sub(before)) / 1024;
    eprintln!("peak RSS grew by {grown_mib} MiB during the 50 MiB upload");
    assert!(grown_mib < 30, "peak RSS grew by {grown_mib} MiB");
    assert_eq!(counts(&app), before_counts);
}

use futures::StreamExt;
