//! The per-session and per-document limits: past 20 documents on a session or 20 files on
//! a document, creating or uploading one more is a 409 naming the limit, and writes nothing.

use crate::api_documents::{counts, document, document_body, png, session, upload};
use crate::helpers::spawn_app;

#[tokio::test]
async fn a_twenty_first_file_on_a_document_is_refused_and_writes_nothing() {
    let app = spawn_app().await;
    let key = app.full_api_key();
    let s = session(&app, &key).await;
    let doc = document(&app, &key, s, false).await;
    let image = png();
    for i in 0..20 {
        let r = upload(&app, &key, doc, "back", &format!("{i}.png"), &image, None).await;
        assert_eq!(r.status, 201, "file {i}: {:?}", r.body);
    }
    let before = counts(&app);
    let r = upload(&app, &key, doc, "front", "21.png", &image, None).await;
    assert_eq!(r.status, 409, "{:?}", r.body);
    assert_eq!(r.code(), "limit_reached", "{:?}", r.body);
    let detail = r.body["errors"][0]["detail"].as_str().unwrap_or("");
    assert!(
        detail.contains("20 files"),
        "the detail names the limit: {detail}"
    );
    assert_eq!(counts(&app), before, "the refused upload wrote nothing");
}

#[tokio::test]
async fn a_twenty_first_document_on_a_session_is_refused_and_writes_nothing() {
    let app = spawn_app().await;
    let key = app.full_api_key();
    let s = session(&app, &key).await;
    for i in 0..20 {
        document(&app, &key, s, i % 2 == 0).await;
    }
    let before = counts(&app);
    for (path, kind, document_type) in [
        ("/v1/identity/documents/idvs", "document/idv", "passport"),
        (
            "/v1/identity/documents/addresses",
            "document/address",
            "utility_bill",
        ),
    ] {
        let r = app
            .api(
                "POST",
                path,
                &key,
                Some(document_body(kind, document_type, s)),
            )
            .await;
        assert_eq!(r.status, 409, "{path}: {:?}", r.body);
        assert_eq!(r.code(), "limit_reached", "{:?}", r.body);
        let detail = r.body["errors"][0]["detail"].as_str().unwrap_or("");
        assert!(
            detail.contains("20 documents"),
            "the detail names the limit: {detail}"
        );
    }
    assert_eq!(counts(&app), before, "the refused documents wrote nothing");
    // Another session is not affected.
    let other = session(&app, &key).await;
    document(&app, &key, other, false).await;
}
