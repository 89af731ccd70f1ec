//! `Idempotency-Key` on the API's creating POSTs: a retry gets the first response and
//! creates nothing, another request with the same key is a 422, keys are per API key, and
//! two requests racing with one key create one resource.

use serde_json::json;
use sessiondesk::domain::kinds::Permission;

use crate::api_documents::{
    counts, document, document_body, into_api_response, multipart, png, session,
};
use crate::helpers::{ApiResponse, TestApp, spawn_app};

async fn post(
    app: &TestApp,
    key: &str,
    path: &str,
    idem: &str,
    body: &serde_json::Value,
) -> ApiResponse {
    let response = app
        .client
        .post(format!("{}{path}", app.address))
        .header("X-Api-Key", key)
        .header("Idempotency-Key", idem)
        .header("Content-Type", "application/vnd.api+json")
        .body(serde_json::to_vec(body).unwrap())
        .send()
        .await
        .unwrap();
    into_api_response(response).await
}

#[tokio::test]
async fn a_retry_returns_the_first_response_and_creates_nothing() {
    let app = spawn_app().await;
    let key = app.full_api_key();
    let account = json!({"data": {"type": "account", "attributes": {"external_id": "ext-1"}}});
    let first = post(&app, &key, "/v1/identity/accounts", "acct-1", &account).await;
    assert_eq!(first.status, 201, "{:?}", first.body);
    let before = counts(&app);
    let again = post(&app, &key, "/v1/identity/accounts", "acct-1", &account).await;
    assert_eq!(again.status, 201);
    assert_eq!(again.body, first.body);
    assert_eq!(counts(&app), before);

    // The same key with another body is refused, and writes nothing.
    let other = json!({"data": {"type": "account", "attributes": {"external_id": "ext-2"}}});
    let r = post(&app, &key, "/v1/identity/accounts", "acct-1", &other).await;
    assert_eq!((r.status, r.code()), (422, "idempotency_key_reused"));
    assert_eq!(counts(&app), before);

    // Sessions and documents.
    let session_body = json!({"data": {"type": "session",
        "relationships": {"account": {"data": {"type": "account", "id": first.id()}}}}});
    let s1 = post(&app, &key, "/v1/identity/sessions", "sess-1", &session_body).await;
    let s2 = post(&app, &key, "/v1/identity/sessions", "sess-1", &session_body).await;
    assert_eq!(s1.status, 201);
    assert_eq!(s1.body, s2.body);
    let doc_body = document_body("document/idv", "passport", s1.id());
    let d1 = post(
        &app,
        &key,
        "/v1/identity/documents/idvs",
        "doc-1",
        &doc_body,
    )
    .await;
    let d2 = post(
        &app,
        &key,
        "/v1/identity/documents/idvs",
        "doc-1",
        &doc_body,
    )
    .await;
    assert_eq!(d1.status, 201);
    assert_eq!(d1.body, d2.body);
    let c = counts(&app);

    // A file: the same raw multipart bytes again.
    let doc = d1.id();
    let up = |idem: &'static str, side: &'static str| {
        let body = multipart("fixed-boundary", side, "card.png", &png());
        app.client
            .post(format!("{}/v1/identity/documents/{doc}/files", app.address))
            .header("X-Api-Key", &key)
            .header("Idempotency-Key", idem)
            .header(
                "Content-Type",
                "multipart/form-data; boundary=fixed-boundary",
            )
            .body(body)
            .send()
    };
    let f1 = into_api_response(up("file-1", "front").await.unwrap()).await;
    assert_eq!(f1.status, 201, "{:?}", f1.body);
    let after_first = counts(&app);
    let f2 = into_api_response(up("file-1", "front").await.unwrap()).await;
    assert_eq!(f2.body, f1.body);
    assert_eq!(counts(&app), after_first);
    let f3 = into_api_response(up("file-1", "back").await.unwrap()).await;
    assert_eq!((f3.status, f3.code()), (422, "idempotency_key_reused"));
    assert_eq!(counts(&app), after_first);
    assert!(c.files_below(&after_first));
}

#[tokio::test]
async fn keys_are_per_api_key_and_bounded() {
    let app = spawn_app().await;
    let one = app.full_api_key();
    let two = app.api_key(&[Permission::AccountsWrite]);
    let body = json!({"data": {"type": "account"}});
    let a = post(&app, &one, "/v1/identity/accounts", "shared", &body).await;
    let b = post(&app, &two, "/v1/identity/accounts", "shared", &body).await;
    assert_eq!((a.status, b.status), (201, 201));
    assert_ne!(a.id(), b.id());

    let before = counts(&app);
    let r = post(&app, &one, "/v1/identity/accounts", &"k".repeat(256), &body).await;
    assert_eq!((r.status, r.code()), (400, "invalid_idempotency_key"));
    assert_eq!(counts(&app), before);
    let r = post(&app, &one, "/v1/identity/accounts", &"k".repeat(255), &body).await;
    assert_eq!(r.status, 201);

    // A key older than 24 hours is as good as absent.
    diesel::sql_query("UPDATE idempotency_keys SET created_at = now() - interval '25 hours'")
        .execute(&mut app.conn())
        .unwrap();
    let again = post(&app, &one, "/v1/identity/accounts", "shared", &body).await;
    assert_eq!(again.status, 201);
    assert_ne!(again.id(), a.id());
}

#[tokio::test]
async fn two_racing_requests_with_one_key_create_one_resource() {
    let app = spawn_app().await;
    let key = app.full_api_key();
    let s = session(&app, &key).await;
    let _ = document(&app, &key, s, false).await;
    let before = counts(&app);
    let body = document_body("document/idv", "national_id", s);
    let path = "/v1/identity/documents/idvs";
    let (a, b) = tokio::join!(
        post(&app, &key, path, "race", &body),
        post(&app, &key, path, "race", &body)
    );
    assert_eq!(
        (a.status, b.status),
        (201, 201),
        "{:?} {:?}",
        a.body,
        b.body
    );
    assert_eq!(a.body, b.body);
    let after = counts(&app);
    assert_eq!(after.documents_delta(&before), 1);
}

use diesel::RunQueryDsl;
