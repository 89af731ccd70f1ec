//! The OpenAPI document at `GET /v1/openapi.json`: served without a key, OpenAPI 3.1, and
//! every operation it lists is routed and answers with a status it declares.

use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

async fn fetch_document(app: &TestApp) -> Value {
    let response = app.get("/v1/openapi.json").await;
    assert_eq!(response.status().as_u16(), 200, "served without a key");
    let bytes = response.bytes().await.expect("body");
    serde_json::from_slice(&bytes).expect("the document is JSON")
}

#[tokio::test]
async fn the_document_is_openapi_3_1_and_names_the_api() {
    let app = spawn_app().await;
    let doc = fetch_document(&app).await;
    let version = doc["openapi"].as_str().expect("openapi");
    assert!(version.starts_with("3.1"), "openapi is {version}");
    assert_eq!(doc["info"]["title"], "Session Desk Identity API");
    assert_eq!(doc["info"]["version"], env!("CARGO_PKG_VERSION"));
    let scheme = &doc["components"]["securitySchemes"]["api_key"];
    assert_eq!(scheme["type"], "apiKey");
    assert_eq!(scheme["in"], "header");
    assert_eq!(scheme["name"], "X-Api-Key");
    let paths = doc["paths"].as_object().expect("paths");
    assert_eq!(paths.len(), 26, "every route of the API is documented");
    for (path, item) in paths {
        assert!(path.starts_with("/v1/identity/"), "{path}");
        for (method, op) in item.as_object().expect("path item") {
            let description = op["description"].as_str().unwrap_or("");
            assert!(description.contains("permission"), "{method} {path}");
            assert!(op["security"].is_array() || doc["security"].is_array());
        }
    }
}

/// A body each route can read far enough to answer as documented.
fn minimal_body(path: &str) -> Value {
    if path == "/v1/identity/accounts" {
        json!({"data": {"type": "account"}})
    } else {
        json!({"data": {"type": "placeholder"}})
    }
}

#[tokio::test]
async fn every_documented_operation_is_routed_and_answers_as_documented() {
    let app = spawn_app().await;
    let doc = fetch_document(&app).await;
    let key = app.full_api_key();
    let placeholder = uuid::Uuid::new_v4().to_string();
    let mut operations = 0;
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            let declared: Vec<u16> = op["responses"]
                .as_object()
                .expect("responses")
                .keys()
                .map(|s| s.parse().expect("a numeric status"))
                .collect();
            let url = path.replace("{id}", &placeholder);
            let upper = method.to_uppercase();
            let content = op["requestBody"]["content"].as_object();
            let response = match content {
                Some(c) if c.contains_key("multipart/form-data") => {
                    app.api_raw(
                        &upper,
                        &url,
                        Some(&key),
                        Some("multipart/form-data; boundary=x"),
                        b"--x--\r\n".to_vec(),
                    )
                    .await
                }
                Some(_) => app.api(&upper, &url, &key, Some(minimal_body(path))).await,
                None => app.api(&upper, &url, &key, None).await,
            };
            let status = response.status;
            assert!(
                declared.contains(&status),
                "{upper} {path} answered {status}, not one of {declared:?}: {}",
                response.body
            );
            assert_ne!(status, 405, "{upper} {path}");
            assert!(status < 500, "{upper} {path} answered {status}");
            let detail = response.body["errors"][0]["detail"].as_str().unwrap_or("");
            assert!(
                !detail.contains("No such route"),
                "{upper} {path} is not routed"
            );
            operations += 1;
        }
    }
    assert_eq!(operations, 33, "every handler is documented");
    let mut ids: Vec<&str> = doc["paths"]
        .as_object()
        .expect("paths")
        .values()
        .flat_map(|item| item.as_object().expect("path item").values())
        .map(|op| op["operationId"].as_str().expect("operationId"))
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), operations, "operation ids are unique");
}
